/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "edl/ub-firehose.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the input is the log values of a <getstorageinfo>, one per line */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = NULL;
	g_auto(GStrv) logs = NULL;
	UbFirehoseStorageInfo info = {0};
	g_autoptr(GError) error = NULL;

	/* logs are at most one document each: keep runs short */
	if (size > 64 * 1024)
		return 0;
	text = size > 0 ? g_strndup((const gchar *)data, size) : g_strdup("");
	logs = g_strsplit(text, "\n", -1);
	if (ub_firehose_storage_info_parse((const gchar *const *)logs, &info, &error)) {
		g_assert_no_error(error);
		/* success means something was found */
		g_assert_true(info.total_blocks > 0 || info.block_size > 0 || info.num_physical > 0);
		/* strings come from the input, never longer than it */
		if (info.mem_type != NULL)
			g_assert_cmpuint(strlen(info.mem_type), <=, size);
		if (info.prod_name != NULL)
			g_assert_cmpuint(strlen(info.prod_name), <=, size);
		ub_firehose_storage_info_clear(&info);
		g_assert_cmpuint(info.total_blocks, ==, 0);
		g_assert_null(info.mem_type);
	} else {
		g_assert_nonnull(error);
		/* a failed parse leaves nothing behind */
		g_assert_cmpuint(info.total_blocks, ==, 0);
		g_assert_cmpuint(info.block_size, ==, 0);
		g_assert_null(info.mem_type);
		g_assert_null(info.prod_name);
	}
	return 0;
}
