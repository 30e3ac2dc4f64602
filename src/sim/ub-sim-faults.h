/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_FAULTS (ub_sim_faults_get_type())
G_DECLARE_FINAL_TYPE(UbSimFaults, ub_sim_faults, UB, SIM_FAULTS, GObject)

UbSimFaults *
ub_sim_faults_new(void);
UbSimFaults *
ub_sim_faults_new_from_string(const gchar *spec, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *
ub_sim_faults_to_string(UbSimFaults *self);

guint
ub_sim_faults_get_delay_ms(UbSimFaults *self);
guint
ub_sim_faults_get_drop(UbSimFaults *self);
guint
ub_sim_faults_get_corrupt(UbSimFaults *self);
guint64
ub_sim_faults_get_disconnect_after(UbSimFaults *self);
guint
ub_sim_faults_get_nak(UbSimFaults *self);
gboolean
ub_sim_faults_should_nak(UbSimFaults *self, guint command_index);

G_END_DECLS
