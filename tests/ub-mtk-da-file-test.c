/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mtk/ub-mtk-da-file.h"
#include "ub-error.h"
#include "ub-mem.h"

/*
 * MTK_AllInOne_DA.bin: files written by the builder (and by hand for the old
 * 0xD8 layout) parse back to the same entries and region bytes; broken tables
 * are refused with a message that says what is wrong.
 */

#define UB_DA_TEST_EMI_ADDR 0x50000000u
#define UB_DA_TEST_DA1_ADDR 0x00200000u
#define UB_DA_TEST_DA2_ADDR 0x40000000u

/* region data with a pattern of its own */
static GBytes *
ub_da_test_blob(gsize size, guint8 seed)
{
	guint8 *buf = g_malloc(size);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(seed + i * 13 + (i >> 7));
	return g_bytes_new_take(buf, size);
}

/* an entry of three regions (EMI, DA1, DA2) and its blobs appended to @blobs */
static void
ub_da_test_add_entry(GPtrArray *entries,
		     GPtrArray *blobs,
		     guint16 hw_code,
		     guint16 hw_version,
		     guint16 sw_version,
		     guint8 seed)
{
	UbMtkDaEntry *entry = g_new0(UbMtkDaEntry, 1);
	entry->hw_code = hw_code;
	entry->hw_sub_code = 0x8A00;
	entry->hw_version = hw_version;
	entry->sw_version = sw_version;
	entry->entry_region_index = 0;
	entry->n_regions = 3;
	entry->regions[0].load_addr = UB_DA_TEST_EMI_ADDR;
	entry->regions[1].load_addr = UB_DA_TEST_DA1_ADDR;
	entry->regions[1].sig_len = 0x100;
	entry->regions[1].region_offset = 0x40;
	entry->regions[2].load_addr = UB_DA_TEST_DA2_ADDR;
	entry->regions[2].sig_len = 0x100;
	g_ptr_array_add(entries, entry);
	g_ptr_array_add(blobs, ub_da_test_blob(0x20, seed));
	g_ptr_array_add(blobs, ub_da_test_blob(0x1235, seed + 1)); /* odd, like real DA1s can be */
	g_ptr_array_add(blobs, ub_da_test_blob(0x2400, seed + 2));
}

static GBytes *
ub_da_test_build(const gchar *id, GPtrArray *entries, GPtrArray *blobs)
{
	g_autoptr(GError) error = NULL;
	GBytes *file = ub_mtk_da_file_build(id, entries, blobs, &error);
	g_assert_no_error(error);
	g_assert_nonnull(file);
	return file;
}

/* a file of MT6765 and MT6768 entries */
static GBytes *
ub_da_test_two_chips(GPtrArray **blobs_out)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	GBytes *file;
	ub_da_test_add_entry(entries, blobs, 0x6765, 0xCA00, 0x0000, 1);
	ub_da_test_add_entry(entries, blobs, 0x6768, 0xCA00, 0x0000, 7);
	file = ub_da_test_build("MTK_AllInOne_DA_v3", entries, blobs);
	if (blobs_out != NULL)
		*blobs_out = blobs;
	else
		g_ptr_array_unref(blobs);
	return file;
}

static UbMtkDaFile *
ub_da_test_parse(GBytes *file, GError **error)
{
	gsize bufsz = 0;
	const guint8 *buf = g_bytes_get_data(file, &bufsz);
	return ub_mtk_da_file_parse(buf, bufsz, bufsz, error);
}

/* a copy of @file to break */
static guint8 *
ub_da_test_dup(GBytes *file, gsize *bufsz)
{
	return g_memdup2(g_bytes_get_data(file, bufsz), g_bytes_get_size(file));
}

/* where region @r of entry @e of a 0xDC-layout file is described */
static gsize
ub_da_test_region_at(guint e, guint r)
{
	return 0x6C + e * 0xDC + 0x14 + r * 20;
}

static void
ub_da_test_round_trip(void)
{
	g_autoptr(GPtrArray) blobs = NULL;
	g_autoptr(GBytes) file = ub_da_test_two_chips(&blobs);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkDaFile) da = ub_da_test_parse(file, &error);
	const guint8 *buf = g_bytes_get_data(file, NULL);
	GPtrArray *entries;
	guint blob_idx = 0;

	g_assert_no_error(error);
	g_assert_nonnull(da);
	g_assert_cmpstr(ub_mtk_da_file_get_id(da), ==, "MTK_AllInOne_DA_v3");
	g_assert_false(ub_mtk_da_file_is_v6(da));
	g_assert_cmpmem(buf, 18, "MTK_DOWNLOAD_AGENT", 18);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 0x60), ==, 4);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 0x64), ==, 0x22668899);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 0x68), ==, 2);
	g_assert_cmpuint(ub_mem_read_u16_le(buf, 0x6C), ==, 0xDADA);
	g_assert_cmpuint(ub_mem_read_u16_le(buf, 0x6C + 0xDC), ==, 0xDADA);

	entries = ub_mtk_da_file_get_entries(da);
	g_assert_cmpuint(entries->len, ==, 2);
	for (guint i = 0; i < entries->len; i++) {
		const UbMtkDaEntry *entry = g_ptr_array_index(entries, i);
		g_assert_cmpuint(entry->hw_code, ==, i == 0 ? 0x6765 : 0x6768);
		g_assert_cmpuint(entry->hw_sub_code, ==, 0x8A00);
		g_assert_cmpuint(entry->hw_version, ==, 0xCA00);
		g_assert_cmpuint(entry->sw_version, ==, 0);
		g_assert_cmpuint(entry->n_regions, ==, 3);
		for (guint r = 0; r < entry->n_regions; r++) {
			const UbMtkDaRegion *region = &entry->regions[r];
			GBytes *blob = g_ptr_array_index(blobs, blob_idx++);
			gsize blobsz = 0;
			const guint8 *data = g_bytes_get_data(blob, &blobsz);
			/* every region's bytes are where the table says, after the table */
			g_assert_cmpuint(region->length, ==, blobsz);
			g_assert_cmpuint(region->offset, >=, 0x6C + 2 * 0xDC);
			g_assert_cmpmem(buf + region->offset, region->length, data, blobsz);
		}
		g_assert_cmpuint(entry->regions[0].load_addr, ==, UB_DA_TEST_EMI_ADDR);
		g_assert_true(ub_mtk_da_entry_get_da1(entry) == &entry->regions[1]);
		g_assert_true(ub_mtk_da_entry_get_da2(entry) == &entry->regions[2]);
		g_assert_cmpuint(ub_mtk_da_entry_get_da1(entry)->load_addr,
				 ==,
				 UB_DA_TEST_DA1_ADDR);
		g_assert_cmpuint(ub_mtk_da_entry_get_da1(entry)->sig_len, ==, 0x100);
		g_assert_cmpuint(ub_mtk_da_entry_get_da1(entry)->region_offset, ==, 0x40);
		g_assert_cmpuint(ub_mtk_da_entry_get_da2(entry)->load_addr,
				 ==,
				 UB_DA_TEST_DA2_ADDR);
	}
}

static void
ub_da_test_select(void)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GBytes) file = NULL;
	g_autoptr(UbMtkDaFile) da = NULL;
	g_autoptr(GError) error = NULL;
	const UbMtkDaEntry *entry;

	ub_da_test_add_entry(entries, blobs, 0x6768, 0xCA00, 0x0000, 1);
	ub_da_test_add_entry(entries, blobs, 0x6765, 0xCA00, 0x0000, 2);
	ub_da_test_add_entry(entries, blobs, 0x6765, 0xCA00, 0x0001, 3);
	ub_da_test_add_entry(entries, blobs, 0x6765, 0xCB00, 0x0000, 4);
	ub_da_test_add_entry(entries, blobs, 0x6765, 0xCB00, 0x0000, 5); /* a later equal */
	file = ub_da_test_build("MTK_AllInOne_DA_v3", entries, blobs);
	da = ub_da_test_parse(file, &error);
	g_assert_no_error(error);

	/* the newest revision the chip accepts */
	entry = ub_mtk_da_file_find_entry(da, 0x6765, 0xCA00, 0x0000, &error);
	g_assert_no_error(error);
	g_assert_true(entry == g_ptr_array_index(ub_mtk_da_file_get_entries(da), 1));
	entry = ub_mtk_da_file_find_entry(da, 0x6765, 0xCA00, 0x0005, &error);
	g_assert_no_error(error);
	g_assert_true(entry == g_ptr_array_index(ub_mtk_da_file_get_entries(da), 2));
	/* of equals, the first in file order */
	entry = ub_mtk_da_file_find_entry(da, 0x6765, 0xCB00, 0x0000, &error);
	g_assert_no_error(error);
	g_assert_true(entry == g_ptr_array_index(ub_mtk_da_file_get_entries(da), 3));
	entry = ub_mtk_da_file_find_entry(da, 0x6768, 0xFFFF, 0xFFFF, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(entry->hw_code, ==, 0x6768);

	/* a chip the file does not cover: the message names what it covers, once each */
	entry = ub_mtk_da_file_find_entry(da, 0x6785, 0xCA00, 0, &error);
	g_assert_null(entry);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_cmpstr(error->message,
			==,
			"this DA file has no entry for MT6785 (0x6785); it covers MT6768, MT6765: "
			"use the DA from this phone's firmware package");
	g_clear_error(&error);
	/* a code the chip table does not know is shown as a number */
	entry = ub_mtk_da_file_find_entry(da, 0x1234, 0xCA00, 0, &error);
	g_assert_null(entry);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "no entry for 0x1234 (0x1234)"));
	g_clear_error(&error);
	/* only newer revisions than the phone's */
	entry = ub_mtk_da_file_find_entry(da, 0x6765, 0x8A00, 0, &error);
	g_assert_null(entry);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "newer chip revisions"));
	g_assert_nonnull(strstr(error->message, "hw 0x8a00"));
}

/* entries without DA1/DA2, and unused slots (hw_code 0), as real files have */
static void
ub_da_test_unusable(void)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GBytes) file = NULL;
	g_autoptr(UbMtkDaFile) da = NULL;
	g_autoptr(GError) error = NULL;
	UbMtkDaEntry *entry;

	/* a placeholder slot */
	ub_da_test_add_entry(entries, blobs, 0x0000, 0, 0, 9);
	/* MT6765 with only the EMI region and DA1 */
	ub_da_test_add_entry(entries, blobs, 0x6765, 0xCA00, 0, 1);
	entry = g_ptr_array_index(entries, 1);
	entry->n_regions = 2;
	g_ptr_array_remove_index(blobs, 5);
	/* MT6768 whose DA2 is empty */
	ub_da_test_add_entry(entries, blobs, 0x6768, 0xCA00, 0, 2);
	entry = g_ptr_array_index(entries, 2);
	entry->regions[2].sig_len = 0;
	g_bytes_unref(g_ptr_array_index(blobs, 7));
	g_ptr_array_index(blobs, 7) = g_bytes_new(NULL, 0);
	file = ub_da_test_build("MTK_AllInOne_DA_v3", entries, blobs);

	da = ub_da_test_parse(file, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_mtk_da_file_get_entries(da)->len, ==, 2);
	entry = g_ptr_array_index(ub_mtk_da_file_get_entries(da), 0);
	g_assert_nonnull(ub_mtk_da_entry_get_da1(entry));
	g_assert_null(ub_mtk_da_entry_get_da2(entry));

	g_assert_null(ub_mtk_da_file_find_entry(da, 0x6765, 0xCA00, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "no DA1 and DA2"));
	g_clear_error(&error);
	g_assert_null(ub_mtk_da_file_find_entry(da, 0x6768, 0xCA00, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	/* the placeholder is not a chip */
	g_assert_null(ub_mtk_da_file_find_entry(da, 0x0000, 0xFFFF, 0xFFFF, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
}

static void
ub_da_test_expect_error(const guint8 *buf, gsize bufsz, guint64 file_size, const gchar *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkDaFile) da = ub_mtk_da_file_parse(buf, bufsz, file_size, &error);
	g_assert_null(da);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	if (strstr(error->message, needle) == NULL)
		g_error("'%s' does not say '%s'", error->message, needle);
}

static void
ub_da_test_truncated(void)
{
	g_autoptr(GBytes) file = ub_da_test_two_chips(NULL);
	gsize bufsz = 0;
	const guint8 *buf = g_bytes_get_data(file, &bufsz);

	/* the last byte of the last region is missing */
	ub_da_test_expect_error(buf, bufsz - 1, bufsz - 1, "lies outside the file");
	/* the entry table itself is cut */
	ub_da_test_expect_error(buf, 0x6C + 0xDC, 0x6C + 0xDC, "do not fit");
	/* only the header */
	ub_da_test_expect_error(buf, 0x40, 0x40, "not a MediaTek Download Agent file");
	/* the table is longer than the bytes handed over, though the file has it */
	ub_da_test_expect_error(buf, 0x6C + 0x100, bufsz, "longer than the first");
}

static void
ub_da_test_bad_tables(void)
{
	g_autoptr(GBytes) file = ub_da_test_two_chips(NULL);
	gsize bufsz = 0;
	g_autofree guint8 *buf = ub_da_test_dup(file, &bufsz);
	gsize at;
	guint32 saved;

	/* a region far outside the file, where offset + length wraps 32 bits */
	at = ub_da_test_region_at(1, 2);
	saved = ub_mem_read_u32_le(buf, at);
	ub_mem_write_u32_le(buf, at, 0xFFFFFF00);
	ub_da_test_expect_error(buf, bufsz, bufsz, "region 2 of entry 1 (MT6768) lies outside");
	ub_mem_write_u32_le(buf, at, saved);

	/* DA2 starting inside DA1 */
	at = ub_da_test_region_at(0, 2);
	saved = ub_mem_read_u32_le(buf, at);
	ub_mem_write_u32_le(buf, at, ub_mem_read_u32_le(buf, ub_da_test_region_at(0, 1)) + 0x10);
	ub_da_test_expect_error(buf, bufsz, bufsz, "regions 1 and 2 of entry 0 (MT6765) overlap");
	ub_mem_write_u32_le(buf, at, saved);

	/* a region over the header and entry table */
	at = ub_da_test_region_at(0, 0);
	saved = ub_mem_read_u32_le(buf, at);
	ub_mem_write_u32_le(buf, at, 0x100);
	ub_da_test_expect_error(buf, bufsz, bufsz, "overlaps the header");
	ub_mem_write_u32_le(buf, at, saved);

	/* a signature longer than its region */
	at = ub_da_test_region_at(1, 1);
	ub_mem_write_u32_le(buf, at + 16, 0x2000);
	ub_da_test_expect_error(buf, bufsz, bufsz, "signature of 0x2000 bytes");
	ub_mem_write_u32_le(buf, at + 16, 0x100);

	/* eleven regions */
	ub_mem_write_u16_le(buf, 0x6C + 0xDC + 0x12, 11);
	ub_da_test_expect_error(buf, bufsz, bufsz, "claims 11 regions");
	ub_mem_write_u16_le(buf, 0x6C + 0xDC + 0x12, 3);

	/* an entry without its magic */
	ub_mem_write_u16_le(buf, 0x6C + 0xDC, 0x1234);
	ub_da_test_expect_error(buf, bufsz, bufsz, "magic");
	ub_mem_write_u16_le(buf, 0x6C + 0xDC, 0xDADA);

	/* no entries, and a count that cannot fit */
	ub_mem_write_u32_le(buf, 0x68, 0);
	ub_da_test_expect_error(buf, bufsz, bufsz, "no entries");
	ub_mem_write_u32_le(buf, 0x68, 0x10000000);
	ub_da_test_expect_error(buf, bufsz, bufsz, "do not fit");
	ub_mem_write_u32_le(buf, 0x68, 2);

	/* not a DA file */
	buf[0] = 'X';
	ub_da_test_expect_error(buf, bufsz, bufsz, "not a MediaTek Download Agent file");
	buf[0] = 'M';

	/* the untouched copy still parses: each case above failed for its own reason */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(UbMtkDaFile) da = ub_mtk_da_file_parse(buf, bufsz, bufsz, &error);
		g_assert_no_error(error);
		g_assert_nonnull(da);
	}
}

/* two regions pointing at the very same bytes are fine (real V6 files do it) */
static void
ub_da_test_identical_regions(void)
{
	g_autoptr(GBytes) file = ub_da_test_two_chips(NULL);
	gsize bufsz = 0;
	g_autofree guint8 *buf = ub_da_test_dup(file, &bufsz);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkDaFile) da = NULL;
	const UbMtkDaEntry *entry;

	memcpy(buf + ub_da_test_region_at(0, 0), buf + ub_da_test_region_at(0, 1), 20);
	da = ub_mtk_da_file_parse(buf, bufsz, bufsz, &error);
	g_assert_no_error(error);
	entry = g_ptr_array_index(ub_mtk_da_file_get_entries(da), 0);
	g_assert_cmpuint(entry->regions[0].offset, ==, entry->regions[1].offset);
}

/* the old layout by hand: 0xD8-byte entries without sw_version */
static GBytes *
ub_da_test_old_layout(guint n_entries)
{
	gsize table_end = 0x6C + n_entries * 0xD8;
	gsize region_size = 0x300;
	gsize bufsz = table_end + n_entries * 3 * region_size;
	guint8 *buf = g_malloc0(bufsz);

	memcpy(buf, "MTK_DOWNLOAD_AGENT", 18);
	memcpy(buf + 0x20, "MTK_AllInOne_DA_v1", 18);
	ub_mem_write_u32_le(buf, 0x60, 4);
	ub_mem_write_u32_le(buf, 0x64, 0x22668899);
	ub_mem_write_u32_le(buf, 0x68, n_entries);
	for (guint e = 0; e < n_entries; e++) {
		gsize at = 0x6C + e * 0xD8;
		ub_mem_write_u16_le(buf, at + 0x00, 0xDADA);
		ub_mem_write_u16_le(buf, at + 0x02, e == 0 ? 0x6580 : 0x6739);
		ub_mem_write_u16_le(buf, at + 0x04, 0x8A00);
		ub_mem_write_u16_le(buf, at + 0x06, 0xCA00);
		ub_mem_write_u16_le(buf, at + 0x08, 0x200); /* pagesize */
		ub_mem_write_u16_le(buf, at + 0x0C, 0);	    /* entry_region_index */
		ub_mem_write_u16_le(buf, at + 0x0E, 3);
		for (guint r = 0; r < 3; r++) {
			gsize rat = at + 0x10 + r * 20;
			gsize off = table_end + (e * 3 + r) * region_size;
			ub_mem_write_u32_le(buf, rat + 0, (guint32)off);
			ub_mem_write_u32_le(buf, rat + 4, (guint32)region_size);
			ub_mem_write_u32_le(buf, rat + 8, r == 1 ? 0x200000 : 0x80000000);
			ub_mem_write_u32_le(buf, rat + 16, r == 0 ? 0 : 0x100);
			memset(buf + off, (gint)(e * 3 + r + 1), region_size);
		}
	}
	return g_bytes_new_take(buf, bufsz);
}

static void
ub_da_test_old(void)
{
	for (guint n = 1; n <= 3; n++) {
		g_autoptr(GBytes) file = ub_da_test_old_layout(n);
		g_autoptr(GError) error = NULL;
		g_autoptr(UbMtkDaFile) da = ub_da_test_parse(file, &error);
		const guint8 *buf = g_bytes_get_data(file, NULL);
		const UbMtkDaEntry *entry;
		GPtrArray *entries;

		g_assert_no_error(error);
		entries = ub_mtk_da_file_get_entries(da);
		g_assert_cmpuint(entries->len, ==, n);
		for (guint e = 0; e < n; e++) {
			entry = g_ptr_array_index(entries, e);
			g_assert_cmpuint(entry->hw_code, ==, e == 0 ? 0x6580 : 0x6739);
			g_assert_cmpuint(entry->hw_version, ==, 0xCA00);
			g_assert_cmpuint(entry->sw_version, ==, 0);
			g_assert_cmpuint(entry->n_regions, ==, 3);
			for (guint r = 0; r < 3; r++) {
				g_assert_cmpuint(entry->regions[r].length, ==, 0x300);
				g_assert_cmpuint(buf[entry->regions[r].offset], ==, e * 3 + r + 1);
			}
			g_assert_cmpuint(ub_mtk_da_entry_get_da1(entry)->load_addr, ==, 0x200000);
			g_assert_cmpuint(ub_mtk_da_entry_get_da1(entry)->sig_len, ==, 0x100);
		}
		entry = ub_mtk_da_file_find_entry(da, 0x6580, 0xCA00, 0, &error);
		g_assert_no_error(error);
		g_assert_nonnull(entry);
	}
}

static void
ub_da_test_v6(void)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GBytes) file = NULL;
	g_autoptr(UbMtkDaFile) da = NULL;
	g_autoptr(GError) error = NULL;

	ub_da_test_add_entry(entries, blobs, 0x6789, 0xCA00, 0, 1);
	file = ub_da_test_build("MTK_DA_v6", entries, blobs);
	da = ub_da_test_parse(file, &error);
	g_assert_no_error(error);
	g_assert_true(ub_mtk_da_file_is_v6(da));
	g_assert_cmpstr(ub_mtk_da_file_get_id(da), ==, "MTK_DA_v6");
}

static void
ub_da_test_build_errors(void)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) file = NULL;
	UbMtkDaEntry *entry;

	ub_da_test_add_entry(entries, blobs, 0x6765, 0xCA00, 0, 1);
	g_ptr_array_remove_index(blobs, 2);
	file = ub_mtk_da_file_build("x", entries, blobs, &error);
	g_assert_null(file);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	g_ptr_array_add(blobs, ub_da_test_blob(0x10, 3));
	entry = g_ptr_array_index(entries, 0);
	file = ub_mtk_da_file_build("x", entries, blobs, &error);
	g_assert_null(file);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "signature"));
	g_clear_error(&error);

	entry->n_regions = 11;
	file = ub_mtk_da_file_build("x", entries, blobs, &error);
	g_assert_null(file);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

static void
ub_da_test_load(void)
{
	g_autoptr(GBytes) file = ub_da_test_two_chips(NULL);
	g_autoptr(GFileIOStream) iostream = NULL;
	g_autoptr(GFile) gfile = g_file_new_tmp("ub-mtk-da-file-test-XXXXXX.bin", &iostream, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkDaFile) da = NULL;
	g_autoptr(UbMtkDaFile) da_bad = NULL;
	gsize bufsz = 0;
	const guint8 *buf = g_bytes_get_data(file, &bufsz);
	g_autofree guint8 *big = NULL;
	gsize bigsz = UB_MTK_DA_FILE_HEADER_MAX + 0x10000;

	g_assert_nonnull(gfile);
	/* region data beyond what the parser reads must still count as inside the file */
	big = g_malloc0(bigsz);
	memcpy(big, buf, bufsz);
	ub_mem_write_u32_le(big, ub_da_test_region_at(1, 2), (guint32)(bigsz - 0x2400));
	g_assert_true(g_file_replace_contents(gfile,
					      (const gchar *)big,
					      bigsz,
					      NULL,
					      FALSE,
					      0,
					      NULL,
					      NULL,
					      &error));
	g_assert_no_error(error);
	da = ub_mtk_da_file_load(gfile, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(da);
	g_assert_cmpuint(ub_mtk_da_file_get_entries(da)->len, ==, 2);

	/* one byte short: the same region now leaves the file, and the path is named */
	g_assert_true(g_file_replace_contents(gfile,
					      (const gchar *)big,
					      bigsz - 1,
					      NULL,
					      FALSE,
					      0,
					      NULL,
					      NULL,
					      &error));
	da_bad = ub_mtk_da_file_load(gfile, NULL, &error);
	g_assert_null(da_bad);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "ub-mtk-da-file-test-"));
	g_assert_nonnull(strstr(error->message, "lies outside the file"));
	g_clear_error(&error);
	g_file_delete(gfile, NULL, NULL);

	/* a missing file */
	da_bad = ub_mtk_da_file_load(gfile, NULL, &error);
	g_assert_null(da_bad);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/mtk/da-file/round-trip", ub_da_test_round_trip);
	g_test_add_func("/ub/mtk/da-file/select", ub_da_test_select);
	g_test_add_func("/ub/mtk/da-file/unusable", ub_da_test_unusable);
	g_test_add_func("/ub/mtk/da-file/truncated", ub_da_test_truncated);
	g_test_add_func("/ub/mtk/da-file/bad-tables", ub_da_test_bad_tables);
	g_test_add_func("/ub/mtk/da-file/identical-regions", ub_da_test_identical_regions);
	g_test_add_func("/ub/mtk/da-file/old-layout", ub_da_test_old);
	g_test_add_func("/ub/mtk/da-file/v6", ub_da_test_v6);
	g_test_add_func("/ub/mtk/da-file/build-errors", ub_da_test_build_errors);
	g_test_add_func("/ub/mtk/da-file/load", ub_da_test_load);
	return g_test_run();
}
