/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "formats/ub-mtk-checksum.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbMtkChecksum) ini = ub_mtk_checksum_parse(data, size, NULL);
	g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data(data, size, NULL);
	guint16 sum = 0;
	guint64 total = 0;

	/* the streaming sum agrees with the one-shot sum for any bytes */
	g_assert_true(ub_mtk_checksum_compute_stream(stream, &sum, &total, NULL, NULL));
	g_assert_cmpuint(total, ==, size);
	g_assert_cmpuint(sum, ==, ub_mtk_checksum_compute(data, size));
	if (ini == NULL)
		return 0;
	g_assert_cmpuint(ub_mtk_checksum_get_entries(ini)->len, >, 0);
	(void)ub_mtk_checksum_get_enabled(ini);
	(void)ub_mtk_checksum_get_version(ini);
	return 0;
}
