/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_TYPE_CHECKSUM_INPUT_STREAM (ub_checksum_input_stream_get_type())
G_DECLARE_FINAL_TYPE(UbChecksumInputStream,
		     ub_checksum_input_stream,
		     UB,
		     CHECKSUM_INPUT_STREAM,
		     GFilterInputStream)

GInputStream *
ub_checksum_input_stream_new(GInputStream *base);
const gchar *
ub_checksum_input_stream_get_sha256(UbChecksumInputStream *self);
guint64
ub_checksum_input_stream_get_bytes(UbChecksumInputStream *self);

G_END_DECLS
