/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "formats/ub-scatter.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbScatter) scatter = NULL;
	GPtrArray *layouts;

	(void)ub_scatter_sniff(data, size);
	scatter = ub_scatter_parse(data, size, NULL);
	if (scatter == NULL)
		return 0;
	layouts = ub_scatter_get_layouts(scatter);
	g_assert_cmpuint(layouts->len, >, 0);
	(void)ub_scatter_find_layout(scatter, "ufs");
	for (guint i = 0; i < layouts->len; i++) {
		UbScatterLayout *layout = g_ptr_array_index(layouts, i);
		guint64 tail = ub_scatter_layout_get_tail(layout);
		for (guint j = 0; j < layout->partitions->len; j++) {
			UbScatterPartition *part = g_ptr_array_index(layout->partitions, j);
			g_assert_nonnull(part->name);
			g_assert_true(part->duplicate_of < (gint)j);
			(void)ub_scatter_region_normalize(part->region);
			(void)ub_scatter_region_get_lun(part->region);
			(void)ub_scatter_partition_get_pseudo_key(part);
			(void)ub_scatter_resolve_pseudo(part->linear_start_addr,
							part->partition_size,
							layout->block_size,
							G_GUINT64_CONSTANT(0x1000000000),
							tail);
		}
	}
	return 0;
}
