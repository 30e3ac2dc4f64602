/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint32
ub_crc32(const guint8 *buf, gsize bufsz);
guint32
ub_crc32_update(guint32 crc, const guint8 *buf, gsize bufsz);

G_END_DECLS
