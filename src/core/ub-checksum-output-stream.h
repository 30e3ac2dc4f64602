/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_TYPE_CHECKSUM_OUTPUT_STREAM (ub_checksum_output_stream_get_type())
G_DECLARE_FINAL_TYPE(UbChecksumOutputStream,
		     ub_checksum_output_stream,
		     UB,
		     CHECKSUM_OUTPUT_STREAM,
		     GOutputStream)

GOutputStream *
ub_checksum_output_stream_new(GOutputStream *base);
const gchar *
ub_checksum_output_stream_get_sha256(UbChecksumOutputStream *self);
guint64
ub_checksum_output_stream_get_bytes(UbChecksumOutputStream *self);

G_END_DECLS
