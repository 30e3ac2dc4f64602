/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mtk/ub-mtk-da-file.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* rebuilding costs the sum of all regions: only for inputs whose regions are small */
#define UB_FUZZ_MTK_DA_FILE_REBUILD_MAX (4 * 1024 * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbMtkDaFile) da = ub_mtk_da_file_parse(data, size, size, NULL);
	g_autoptr(UbMtkDaFile) da2 = NULL;
	g_autoptr(GPtrArray) blobs = NULL;
	g_autoptr(GBytes) rebuilt = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *entries;
	GPtrArray *entries2;
	guint64 total = 0;

	/* a bigger file around the same header only moves the end of the file */
	{
		g_autoptr(UbMtkDaFile) da_big =
		    ub_mtk_da_file_parse(data, size, (guint64)size + 1, NULL);
		if (da != NULL)
			g_assert_nonnull(da_big);
	}
	if (da == NULL)
		return 0;

	entries = ub_mtk_da_file_get_entries(da);
	g_assert_cmpuint(entries->len, >, 0);
	(void)ub_mtk_da_file_is_v6(da);
	g_assert_true(g_utf8_validate(ub_mtk_da_file_get_id(da), -1, NULL));
	for (guint i = 0; i < entries->len; i++) {
		const UbMtkDaEntry *entry = g_ptr_array_index(entries, i);
		const UbMtkDaEntry *found;
		g_autoptr(GError) error_local = NULL;

		g_assert_cmpuint(entry->hw_code, !=, 0);
		g_assert_cmpuint(entry->n_regions, <=, UB_MTK_DA_FILE_MAX_REGIONS);
		for (guint r = 0; r < entry->n_regions; r++) {
			const UbMtkDaRegion *region = &entry->regions[r];
			/* every region lies inside the file */
			g_assert_cmpuint((guint64)region->offset + region->length, <=, size);
			g_assert_cmpuint(region->sig_len, <=, region->length);
			total += region->length;
		}
		/* the selection never returns an entry of another chip or a newer revision */
		found = ub_mtk_da_file_find_entry(da,
						  entry->hw_code,
						  entry->hw_version,
						  entry->sw_version,
						  &error_local);
		if (found != NULL) {
			g_assert_cmpuint(found->hw_code, ==, entry->hw_code);
			g_assert_cmpuint(found->hw_version, <=, entry->hw_version);
			g_assert_cmpuint(found->sw_version, <=, entry->sw_version);
			g_assert_nonnull(ub_mtk_da_entry_get_da1(found));
			g_assert_nonnull(ub_mtk_da_entry_get_da2(found));
		} else {
			g_assert_nonnull(error_local);
		}
	}
	if (total > UB_FUZZ_MTK_DA_FILE_REBUILD_MAX)
		return 0;

	/* what the parser found, written again, reads back the same */
	blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	for (guint i = 0; i < entries->len; i++) {
		const UbMtkDaEntry *entry = g_ptr_array_index(entries, i);
		for (guint r = 0; r < entry->n_regions; r++)
			g_ptr_array_add(
			    blobs,
			    g_bytes_new(data + entry->regions[r].offset, entry->regions[r].length));
	}
	rebuilt = ub_mtk_da_file_build(ub_mtk_da_file_get_id(da), entries, blobs, &error);
	g_assert_no_error(error);
	da2 = ub_mtk_da_file_parse(g_bytes_get_data(rebuilt, NULL),
				   g_bytes_get_size(rebuilt),
				   g_bytes_get_size(rebuilt),
				   &error);
	g_assert_no_error(error);
	/* ids that fit the builder's 63 bytes come back unchanged */
	if (strlen(ub_mtk_da_file_get_id(da)) < 64)
		g_assert_cmpstr(ub_mtk_da_file_get_id(da2), ==, ub_mtk_da_file_get_id(da));
	entries2 = ub_mtk_da_file_get_entries(da2);
	g_assert_cmpuint(entries2->len, ==, entries->len);
	for (guint i = 0; i < entries->len; i++) {
		const UbMtkDaEntry *a = g_ptr_array_index(entries, i);
		const UbMtkDaEntry *b = g_ptr_array_index(entries2, i);
		const guint8 *buf2 = g_bytes_get_data(rebuilt, NULL);
		g_assert_cmpuint(a->hw_code, ==, b->hw_code);
		g_assert_cmpuint(a->hw_sub_code, ==, b->hw_sub_code);
		g_assert_cmpuint(a->hw_version, ==, b->hw_version);
		g_assert_cmpuint(a->sw_version, ==, b->sw_version);
		g_assert_cmpuint(a->n_regions, ==, b->n_regions);
		for (guint r = 0; r < a->n_regions; r++) {
			g_assert_cmpuint(a->regions[r].length, ==, b->regions[r].length);
			g_assert_cmpuint(a->regions[r].load_addr, ==, b->regions[r].load_addr);
			g_assert_cmpuint(a->regions[r].sig_len, ==, b->regions[r].sig_len);
			g_assert_true(a->regions[r].length == 0 ||
				      memcmp(data + a->regions[r].offset,
					     buf2 + b->regions[r].offset,
					     a->regions[r].length) == 0);
		}
	}
	return 0;
}
