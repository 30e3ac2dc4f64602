/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "formats/ub-gpt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guint32 sector_sizes[] = {512, 4096};
	for (guint i = 0; i < G_N_ELEMENTS(sector_sizes); i++) {
		g_autoptr(UbGpt) gpt = ub_gpt_parse(data, size, sector_sizes[i], NULL);
		g_autoptr(UbGpt) backup = ub_gpt_parse_backup(data, size, sector_sizes[i], NULL);
		if (gpt != NULL) {
			g_autoptr(GPtrArray) parts = ub_gpt_get_partitions(gpt, "user");
			g_assert_nonnull(parts);
		}
	}
	return 0;
}
