/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_TYPE_COMPARE_OUTPUT_STREAM (ub_compare_output_stream_get_type())
G_DECLARE_FINAL_TYPE(UbCompareOutputStream,
		     ub_compare_output_stream,
		     UB,
		     COMPARE_OUTPUT_STREAM,
		     GOutputStream)

GOutputStream *
ub_compare_output_stream_new(GInputStream *expected, const gchar *name);
guint64
ub_compare_output_stream_get_bytes(UbCompareOutputStream *self);

G_END_DECLS
