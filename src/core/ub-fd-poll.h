/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gint64
ub_fd_poll_deadline(guint timeout_ms);
gint
ub_fd_poll_wait(gint fd,
		gshort events,
		gint64 deadline,
		const gint *closed,
		const gchar *name,
		GCancellable *cancellable,
		GError **error);

G_END_DECLS
