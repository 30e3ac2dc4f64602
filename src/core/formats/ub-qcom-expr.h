/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* longest expression accepted; ptool writes fewer than 40 characters */
#define UB_QCOM_EXPR_MAX_LEN 256

/**
 * UbQcomExprCrc32Func:
 * @start_sector: the first sector of the range
 * @len: number of bytes
 * @crc: (out): CRC-32 (zlib/GPT) of the @len bytes at @start_sector
 * @user_data: user data
 * @error: (nullable): return location for a #GError
 *
 * Computes `CRC32(start_sector, len)` over the data the patch applies to.
 *
 * Returns: %TRUE on success
 */
typedef gboolean (*UbQcomExprCrc32Func)(guint64 start_sector,
					guint64 len,
					guint32 *crc,
					gpointer user_data,
					GError **error);

/**
 * UbQcomExprContext:
 * @num_disk_sectors: sectors of the physical partition (LUN), for NUM_DISK_SECTORS
 * @num_disk_sectors_known: %FALSE when no device tells the size yet
 * @crc32_func: (nullable): evaluates CRC32(..); %NULL: CRC32 is an error
 * @user_data: passed to @crc32_func
 */
typedef struct {
	guint64 num_disk_sectors;
	gboolean num_disk_sectors_known;
	UbQcomExprCrc32Func crc32_func;
	gpointer user_data;
} UbQcomExprContext;

gboolean
ub_qcom_expr_eval(const gchar *expr, const UbQcomExprContext *ctx, guint64 *value, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_qcom_expr_check(const gchar *expr, gboolean *uses_disk, gboolean *uses_crc, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_qcom_expr_is_constant(const gchar *expr);

G_END_DECLS
