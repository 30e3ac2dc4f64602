/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "formats/ub-qcom-expr.h"
#include "formats/ub-rawprogram.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbRawprogram) rp = ub_rawprogram_parse(data, size, NULL);
	UbQcomExprContext ctx = {.num_disk_sectors = 30777344, .num_disk_sectors_known = TRUE};
	GPtrArray *entries;

	if (rp == NULL)
		return 0;
	entries = ub_rawprogram_get_entries(rp);
	for (guint i = 0; i < entries->len; i++) {
		UbRawprogramEntry *entry = g_ptr_array_index(entries, i);
		g_autofree gchar *attrs = ub_rawprogram_entry_to_xml_attrs(entry);
		guint64 val = 0;
		g_assert_nonnull(attrs);
		g_assert_cmpuint(entry->sector_size, >=, 512);
		/* what the loader does once the disk size is known */
		if (entry->start_sector != NULL &&
		    ub_qcom_expr_eval(entry->start_sector, &ctx, &val, NULL))
			g_assert_false(entry->start_sector_is_constant &&
				       val != entry->start_sector_value);
		if (entry->num_partition_sectors != NULL &&
		    ub_qcom_expr_eval(entry->num_partition_sectors, &ctx, &val, NULL))
			g_assert_false(entry->num_partition_sectors_is_constant &&
				       val != entry->num_partition_sectors_value);
		(void)ub_rawprogram_entry_is_placeholder(entry);
		(void)ub_rawprogram_entry_get_attr(entry, "label");
	}
	return 0;
}
