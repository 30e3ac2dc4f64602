/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-sim-phone.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_USBREDIR (ub_sim_usbredir_get_type())
G_DECLARE_FINAL_TYPE(UbSimUsbredir, ub_sim_usbredir, UB, SIM_USBREDIR, GObject)

UbSimUsbredir *
ub_sim_usbredir_new(UbSimPhone *phone);
gboolean
ub_sim_usbredir_serve(UbSimUsbredir *self, gint fd, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void
ub_sim_usbredir_set_plug_on_request(UbSimUsbredir *self, gboolean plug_on_request);
void
ub_sim_usbredir_pull_cable(UbSimUsbredir *self);
gboolean
ub_sim_usbredir_plug_cable(UbSimUsbredir *self);
guint
ub_sim_usbredir_get_plug_count(UbSimUsbredir *self);
void
ub_sim_usbredir_set_vendor_ids(UbSimUsbredir *self,
			       guint16 vid,
			       guint16 pid,
			       const gchar *product);

G_END_DECLS
