/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "formats/ub-qcom-expr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
ub_fuzz_qcom_expr_crc_cb(guint64 start_sector,
			 guint64 len,
			 guint32 *crc,
			 gpointer user_data,
			 GError **error)
{
	*crc = (guint32)(start_sector ^ len);
	return TRUE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the expression is one NUL-terminated string */
	g_autofree gchar *expr = size > 0 ? g_strndup((const gchar *)data, MIN(size, 1024)) : g_strdup("");
	const guint64 sizes[] = {0, 1, 34, 30777344, G_MAXUINT64};
	gboolean uses_disk = FALSE;
	gboolean uses_crc = FALSE;
	gboolean valid = ub_qcom_expr_check(expr, &uses_disk, &uses_crc, NULL);

	for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
		UbQcomExprContext ctx = {
		    .num_disk_sectors = sizes[i],
		    .num_disk_sectors_known = TRUE,
		    .crc32_func = ub_fuzz_qcom_expr_crc_cb,
		};
		guint64 val = 0;
		gboolean ok = ub_qcom_expr_eval(expr, &ctx, &val, NULL);
		/* what evaluates is always well-formed */
		if (ok)
			g_assert_true(valid);
	}
	/* without a size, an expression that needs one never evaluates */
	if (uses_disk)
		g_assert_false(ub_qcom_expr_eval(expr, NULL, NULL, NULL));
	return 0;
}
