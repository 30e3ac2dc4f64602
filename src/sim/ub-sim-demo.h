/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

GBytes *
ub_sim_demo_make_calibration(const gchar *name, gsize size);
gboolean
ub_sim_demo_prepare(const gchar *kind, const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbDevice *
ub_sim_open_demo_device(const gchar *kind, const gchar *dir, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
