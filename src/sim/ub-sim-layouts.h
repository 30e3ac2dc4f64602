/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-sim-storage.h"

G_BEGIN_DECLS

/* the sidecar in the storage folder that records the layout applied */
#define UB_SIM_LAYOUT_SIDECAR "layout.ini"

const gchar *const *
ub_sim_layout_get_names(void);
gboolean
ub_sim_layout_check_name(const gchar *name, GError **error);
gchar *
ub_sim_layout_get_applied(UbSimStorage *storage);
gboolean
ub_sim_layout_apply(UbSimStorage *storage, const gchar *name, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_layout_apply_default(UbSimStorage *storage, const gchar *fallback, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
