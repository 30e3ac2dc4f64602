/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_TYPE_FASTBOOT_STREAM_VIEW (ub_fastboot_stream_view_get_type())
G_DECLARE_FINAL_TYPE(UbFastbootStreamView,
		     ub_fastboot_stream_view,
		     UB,
		     FASTBOOT_STREAM_VIEW,
		     GInputStream)

GInputStream *
ub_fastboot_stream_view_new(GInputStream *base, goffset start, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
