/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_FD_TRANSPORT (ub_sim_fd_transport_get_type())
G_DECLARE_FINAL_TYPE(UbSimFdTransport, ub_sim_fd_transport, UB, SIM_FD_TRANSPORT, GObject)

UbTransport *
ub_sim_fd_transport_new(gint fd, const gchar *name);

G_END_DECLS
