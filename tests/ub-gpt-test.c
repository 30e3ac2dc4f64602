/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ub-gpt.h"
#include "ub-core.h"
#include "ub-crc.h"
#include "ub-mem.h"

/* meson runs /ub/formats/gpt/sgdisk as a test of its own ("-p"), which exits 77
 * when sgdisk is missing, and the rest without it ("-s") */

static GBytes *
ub_gpt_test_load_from(const gchar *subdir, const gchar *name)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *fn = NULL;
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize datasz = 0;

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return NULL;
	}
	fn = g_build_filename(corpus, subdir, name, NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
		g_test_skip("corpus file missing");
		return NULL;
	}
	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, datasz);
}

static GBytes *
ub_gpt_test_load(const gchar *name)
{
	return ub_gpt_test_load_from("gpt", name);
}

static const UbGptEntry *
ub_gpt_test_entry(UbGpt *gpt, guint i)
{
	GPtrArray *entries = ub_gpt_get_entries(gpt);
	g_assert_cmpuint(i, <, entries->len);
	return g_ptr_array_index(entries, i);
}

/* corrupt a copy of @blob at @offset and expect the parse to fail with @needle */
static void
ub_gpt_test_expect_fail(GBytes *blob, gsize offset, guint32 sector_size, const gchar *needle)
{
	gsize bufsz = 0;
	const guint8 *data = g_bytes_get_data(blob, &bufsz);
	g_autofree guint8 *buf = g_memdup2(data, bufsz);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbGpt) gpt = NULL;

	buf[offset] ^= 0x01;
	gpt = ub_gpt_parse(buf, bufsz, sector_size, &error);
	g_assert_null(gpt);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, needle));
}

static void
ub_gpt_crc32_func(void)
{
	const gchar *check = "123456789";
	g_assert_cmphex(ub_crc32((const guint8 *)check, 9), ==, 0xcbf43926);
	g_assert_cmphex(ub_crc32(NULL, 0), ==, 0);
	/* in pieces gives the same result */
	g_assert_cmphex(ub_crc32_update(ub_crc32((const guint8 *)check, 4),
					(const guint8 *)check + 4,
					5),
			==,
			0xcbf43926);
}

static void
ub_gpt_corpus_sm8180x_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("gpt_sm8180x.bin");
	g_autoptr(GError) error = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(UbGpt) gpt512 = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	const UbGptEntry *entry;
	gsize bufsz = 0;
	const guint8 *buf;

	if (blob == NULL)
		return;
	buf = g_bytes_get_data(blob, &bufsz);
	g_assert_cmpuint(bufsz, ==, 24576);
	gpt = ub_gpt_parse(buf, bufsz, 0, &error);
	g_assert_no_error(error);
	g_assert_nonnull(gpt);
	g_assert_cmpuint(ub_gpt_get_sector_size(gpt), ==, 4096);
	g_assert_cmphex(ub_gpt_get_revision(gpt), ==, 0x10000);
	g_assert_cmpuint(ub_gpt_get_header_size(gpt), ==, 92);
	g_assert_cmpuint(ub_gpt_get_my_lba(gpt), ==, 1);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(gpt), ==, 357);
	g_assert_cmpuint(ub_gpt_get_first_usable_lba(gpt), ==, 6);
	g_assert_cmpuint(ub_gpt_get_last_usable_lba(gpt), ==, 352);
	g_assert_cmpuint(ub_gpt_get_entries_lba(gpt), ==, 2);
	g_assert_cmpuint(ub_gpt_get_num_entries(gpt), ==, 32);
	g_assert_cmpuint(ub_gpt_get_entry_size(gpt), ==, 128);
	g_assert_cmpstr(ub_gpt_get_disk_guid(gpt), ==, "c876de0c-1cde-b4f0-37e6-3290f1d0d91f");

	/* ALIGN_TO_128K_1 (#0) and last_parti (#3) have a zero type GUID: unused */
	g_assert_cmpuint(ub_gpt_get_entries(gpt)->len, ==, 2);
	g_assert_null(ub_gpt_find_entry(gpt, "ALIGN_TO_128K_1"));
	g_assert_null(ub_gpt_find_entry(gpt, "last_parti"));
	entry = ub_gpt_test_entry(gpt, 0);
	g_assert_cmpuint(entry->index, ==, 1);
	g_assert_cmpstr(entry->name, ==, "cdt");
	g_assert_cmpuint(entry->first_lba, ==, 64);
	g_assert_cmpuint(entry->last_lba, ==, 95);
	g_assert_cmpstr(entry->type_guid, ==, "a19f205f-ccd8-4b6d-8f1e-2d9bc24cffb1");
	g_assert_cmphex(entry->attributes, ==, 0x1);
	entry = ub_gpt_test_entry(gpt, 1);
	g_assert_cmpuint(entry->index, ==, 2);
	g_assert_cmpstr(entry->name, ==, "ddr");
	g_assert_cmpuint(entry->first_lba, ==, 96);
	g_assert_cmpuint(entry->last_lba, ==, 351);
	g_assert_cmpstr(entry->type_guid, ==, "20a0c19c-286a-42fa-9ce7-f64c3226a794");

	/* byte ranges for a LUN */
	parts = ub_gpt_get_partitions(gpt, "lun3");
	g_assert_cmpuint(parts->len, ==, 2);
	g_assert_cmpstr(ub_partition_get_region(g_ptr_array_index(parts, 1)), ==, "lun3");
	g_assert_cmpuint(ub_partition_get_offset(g_ptr_array_index(parts, 1)), ==, 96 * 4096);
	g_assert_cmpuint(ub_partition_get_size(g_ptr_array_index(parts, 1)), ==, 256 * 4096);

	/* the header is not where a 512-byte sector puts it */
	gpt512 = ub_gpt_parse(buf, bufsz, 512, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(gpt512);
}

static void
ub_gpt_corpus_k330_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("k330_gpt_both0.bin");
	g_autoptr(GError) error = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(UbGpt) backup = NULL;
	g_autoptr(UbGpt) backup_tail = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	const UbGptEntry *entry;
	gsize bufsz = 0;
	const guint8 *buf;

	if (blob == NULL)
		return;
	buf = g_bytes_get_data(blob, &bufsz);
	g_assert_cmpuint(bufsz, ==, 34304);
	gpt = ub_gpt_parse(buf, bufsz, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_sector_size(gpt), ==, 512);
	g_assert_false(ub_gpt_get_is_backup(gpt));
	g_assert_cmpuint(ub_gpt_get_my_lba(gpt), ==, 1);
	/* ptool placeholders are kept as stored */
	g_assert_cmpuint(ub_gpt_get_alternate_lba(gpt), ==, 0);
	g_assert_cmpuint(ub_gpt_get_first_usable_lba(gpt), ==, 34);
	g_assert_cmpuint(ub_gpt_get_last_usable_lba(gpt), ==, 0);
	g_assert_cmpuint(ub_gpt_get_entries_lba(gpt), ==, 2);
	g_assert_cmpuint(ub_gpt_get_num_entries(gpt), ==, 40);
	g_assert_cmpstr(ub_gpt_get_disk_guid(gpt), ==, "98101b32-bbe2-4bf2-a06e-2bb33d000c20");
	g_assert_cmpuint(ub_gpt_get_entries(gpt)->len, ==, 40);

	entry = ub_gpt_test_entry(gpt, 0);
	g_assert_cmpstr(entry->name, ==, "modem");
	g_assert_cmpuint(entry->first_lba, ==, 34);
	g_assert_cmpuint(entry->last_lba, ==, 131105);
	g_assert_cmpstr(entry->type_guid, ==, UB_GPT_TYPE_BASIC_DATA);
	g_assert_cmphex(entry->attributes, ==, 0x0);
	entry = ub_gpt_test_entry(gpt, 1);
	g_assert_cmpstr(entry->name, ==, "sbl1");
	g_assert_cmpuint(entry->first_lba, ==, 131106);
	g_assert_cmpuint(entry->last_lba, ==, 132129);
	g_assert_cmpstr(entry->type_guid, ==, "dea0ba2c-cbdd-4805-b4f9-f428251c3e98");
	g_assert_cmphex(entry->attributes, ==, 0x1);
	entry = ub_gpt_test_entry(gpt, 2);
	g_assert_cmpstr(entry->name, ==, "tz");
	g_assert_cmpuint(entry->first_lba, ==, 132130);
	g_assert_cmpuint(entry->last_lba, ==, 134177);
	g_assert_cmpstr(entry->type_guid, ==, "a053aa7f-40b8-4b1c-ba08-2f68ac71a4f4");
	entry = ub_gpt_test_entry(gpt, 39);
	g_assert_cmpstr(entry->name, ==, "grow");
	g_assert_cmpuint(entry->first_lba, ==, 15237154);
	g_assert_cmpuint(entry->last_lba, ==, 15237153);

	/* "grow" ends before it starts: an empty partition, not a huge one */
	parts = ub_gpt_get_partitions(gpt, "user");
	g_assert_cmpuint(ub_partition_get_size(ub_partition_array_find(parts, "grow")), ==, 0);
	g_assert_cmpuint(ub_partition_get_size(ub_partition_array_find(parts, "modem")),
			 ==,
			 131072 * 512);

	/* the backup in the last 33 sectors, with MyLBA=0 AlternateLBA=1 */
	backup = ub_gpt_parse_backup(buf, bufsz, 0, &error);
	g_assert_no_error(error);
	g_assert_true(ub_gpt_get_is_backup(backup));
	g_assert_cmpuint(ub_gpt_get_my_lba(backup), ==, 0);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(backup), ==, 1);
	g_assert_cmpuint(ub_gpt_get_entries(backup)->len, ==, 40);
	for (guint i = 0; i < 40; i++) {
		g_assert_cmpstr(ub_gpt_test_entry(backup, i)->name,
				==,
				ub_gpt_test_entry(gpt, i)->name);
	}

	/* the backup on its own: the entry array starts at the beginning */
	backup_tail = ub_gpt_parse_backup(buf + 17408, bufsz - 17408, 512, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_entries(backup_tail)->len, ==, 40);
}

static void
ub_gpt_corpus_rubikpi3_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("rubikpi3_gpt_main4.bin");
	g_autoptr(GError) error = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	const UbGptEntry *entry;
	gsize bufsz = 0;
	const guint8 *buf;

	if (blob == NULL)
		return;
	buf = g_bytes_get_data(blob, &bufsz);
	gpt = ub_gpt_parse(buf, bufsz, 4096, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(gpt), ==, 236950);
	g_assert_cmpuint(ub_gpt_get_first_usable_lba(gpt), ==, 6);
	g_assert_cmpuint(ub_gpt_get_last_usable_lba(gpt), ==, 236945);
	g_assert_cmpuint(ub_gpt_get_num_entries(gpt), ==, 64);
	g_assert_cmpstr(ub_gpt_get_disk_guid(gpt), ==, "1f09b143-5caf-bbd9-6ac1-c3645052419c");

	/* 51 used; #51 last_parti has a zero type GUID */
	g_assert_cmpuint(ub_gpt_get_entries(gpt)->len, ==, 51);
	g_assert_null(ub_gpt_find_entry(gpt, "last_parti"));
	entry = ub_gpt_test_entry(gpt, 0);
	g_assert_cmpstr(entry->name, ==, "aop_a");
	g_assert_cmpuint(entry->first_lba, ==, 6);
	g_assert_cmpuint(entry->last_lba, ==, 133);
	g_assert_cmpstr(entry->type_guid, ==, "d69e90a5-4cab-0071-f6df-ab977f141a7f");
	g_assert_cmphex(entry->attributes, ==, G_GUINT64_CONSTANT(0x9000000000000001));
	entry = ub_gpt_test_entry(gpt, 1);
	g_assert_cmpstr(entry->name, ==, "dtb_a");
	g_assert_cmpuint(entry->first_lba, ==, 134);
	g_assert_cmpuint(entry->last_lba, ==, 16517);
	g_assert_cmpstr(entry->type_guid, ==, "2a1a52fc-aa0b-401c-a808-5ea0f91068f8");
	entry = ub_gpt_test_entry(gpt, 2);
	g_assert_cmpstr(entry->name, ==, "apdp_a");
	g_assert_cmphex(entry->attributes, ==, G_GUINT64_CONSTANT(0x8000000000000001));
	entry = ub_gpt_test_entry(gpt, 50);
	g_assert_cmpuint(entry->index, ==, 50);
	g_assert_cmpstr(entry->name, ==, "vm-data");
	g_assert_cmpuint(entry->first_lba, ==, 228590);
	g_assert_cmpuint(entry->last_lba, ==, 236945);
	g_assert_cmpstr(entry->type_guid, ==, "21adb864-c9e7-4c76-be68-568e20c58439");
}

/* the ptool pair of a Qualcomm rawprogram package: 32 entries, but the backup
 * still reserves the 16 KiB minimum in front of its header */
static void
ub_gpt_corpus_oneplus_func(void)
{
	g_autoptr(GBytes) main0 = ub_gpt_test_load_from("qcom-rawprogram/oneplus-x-msm8974-emmc",
							 "gpt_main0.bin");
	g_autoptr(GBytes) backup0 = ub_gpt_test_load_from("qcom-rawprogram/oneplus-x-msm8974-emmc",
							   "gpt_backup0.bin");
	g_autoptr(GError) error = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(UbGpt) backup = NULL;
	const UbGptEntry *entry;
	gsize bufsz = 0;
	const guint8 *buf;

	if (main0 == NULL || backup0 == NULL)
		return;
	buf = g_bytes_get_data(main0, &bufsz);
	g_assert_cmpuint(bufsz, ==, 17408);
	gpt = ub_gpt_parse(buf, bufsz, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_num_entries(gpt), ==, 32);
	g_assert_cmpuint(ub_gpt_get_entries(gpt)->len, ==, 29);
	entry = ub_gpt_test_entry(gpt, 0);
	g_assert_cmpstr(entry->name, ==, "modem");
	g_assert_cmpuint(entry->first_lba, ==, 16384);
	g_assert_cmpuint(entry->last_lba, ==, 147455);
	g_assert_cmphex(entry->attributes, ==, G_GUINT64_CONSTANT(0x1000000000000000));
	entry = ub_gpt_test_entry(gpt, 2);
	g_assert_cmpstr(entry->name, ==, "dbi");
	g_assert_cmpstr(entry->type_guid, ==, "d4e0d938-b7fa-48c1-9d21-bc5ed5c4b203");
	entry = ub_gpt_test_entry(gpt, 28);
	g_assert_cmpstr(entry->name, ==, "grow");
	g_assert_cmpuint(entry->first_lba, ==, 30457856);

	buf = g_bytes_get_data(backup0, &bufsz);
	g_assert_cmpuint(bufsz, ==, 16896);
	backup = ub_gpt_parse_backup(buf, bufsz, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_my_lba(backup), ==, 0);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(backup), ==, 1);
	g_assert_cmpuint(ub_gpt_get_entries_lba(backup), ==, 0);
	g_assert_cmpuint(ub_gpt_get_entries(backup)->len, ==, 29);
	g_assert_cmpstr(ub_gpt_test_entry(backup, 1)->name, ==, "sbl1");
	g_assert_cmpstr(ub_gpt_get_disk_guid(backup), ==, "98101b32-bbe2-4bf2-a06e-2bb33d000c20");

	/* a backup is not a primary */
	g_clear_object(&gpt);
	gpt = ub_gpt_parse(buf, bufsz, 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(gpt);
}

static void
ub_gpt_corrupt_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("k330_gpt_both0.bin");
	if (blob == NULL)
		return;
	/* a flipped bit in the disk GUID, in an entry name, in the MBR signature */
	ub_gpt_test_expect_fail(blob, 512 + 56, 512, "header CRC mismatch");
	ub_gpt_test_expect_fail(blob, 1024 + 56, 512, "entry array CRC mismatch");
	ub_gpt_test_expect_fail(blob, 510, 512, "no protective MBR");
	ub_gpt_test_expect_fail(blob, 512, 512, "no GPT header signature");
	ub_gpt_test_expect_fail(blob, 512 + 56, 0, "header CRC mismatch");
}

/* a header whose CRC is right but whose entry count runs past the buffer */
static void
ub_gpt_bounds_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("k330_gpt_both0.bin");
	g_autoptr(GError) error = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autofree guint8 *buf = NULL;
	const guint8 *data;
	gsize bufsz = 0;

	if (blob == NULL)
		return;
	/* a fixed size, so the compiler sees the offsets below are in bounds */
	buf = g_malloc0(34304);
	data = g_bytes_get_data(blob, &bufsz);
	memcpy(buf, data, MIN(bufsz, 34304));
	bufsz = 34304;
	ub_mem_write_u32_le(buf, 512 + 80, 60000);
	memset(buf + 512 + 16, 0, 4);
	ub_mem_write_u32_le(buf, 512 + 16, ub_crc32(buf + 512, 92));
	gpt = ub_gpt_parse(buf, bufsz, 512, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "lies past the end"));
	g_assert_null(gpt);
	g_clear_error(&error);

	/* an entry size that is not a multiple of 8 */
	ub_mem_write_u32_le(buf, 512 + 80, 40);
	ub_mem_write_u32_le(buf, 512 + 84, 129);
	memset(buf + 512 + 16, 0, 4);
	ub_mem_write_u32_le(buf, 512 + 16, ub_crc32(buf + 512, 92));
	gpt = ub_gpt_parse(buf, bufsz, 512, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "entry size"));
	g_assert_null(gpt);
}

static void
ub_gpt_truncated_func(void)
{
	const gchar *names[] = {"gpt_sm8180x.bin", "k330_gpt_both0.bin", "rubikpi3_gpt_main4.bin"};
	for (guint n = 0; n < G_N_ELEMENTS(names); n++) {
		g_autoptr(GBytes) blob = ub_gpt_test_load(names[n]);
		gsize bufsz = 0;
		const guint8 *buf;
		gsize needed;
		if (blob == NULL)
			return;
		buf = g_bytes_get_data(blob, &bufsz);
		/* the smallest prefix that still holds the whole primary table */
		needed = n == 1 ? 1024 + 40 * 128 : 8192 + (n == 0 ? 32 : 64) * 128;
		for (gsize len = 0; len < bufsz; len += 64) {
			g_autoptr(GError) error = NULL;
			g_autoptr(UbGpt) gpt = ub_gpt_parse(buf, len, 0, &error);
			if (len >= needed) {
				g_assert_no_error(error);
				g_assert_nonnull(gpt);
			} else {
				g_assert_nonnull(error);
				g_assert_null(gpt);
			}
		}
	}
}

static void
ub_gpt_garbage_func(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(42);
	g_autofree guint8 *buf = g_malloc(65536);
	for (guint round = 0; round < 200; round++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbGpt) gpt = NULL;
		gsize len = g_rand_int_range(rand, 0, 65536);
		for (gsize i = 0; i < len; i++)
			buf[i] = (guint8)g_rand_int(rand);
		/* sometimes a plausible start, so the checks further in run too */
		if (round % 2 == 0 && len > 1024) {
			buf[510] = 0x55;
			buf[511] = 0xaa;
			buf[446 + 4] = 0xee;
			memcpy(buf + 512, "EFI PART", 8);
		}
		gpt = ub_gpt_parse(buf, len, 0, &error);
		g_assert_null(gpt);
		g_assert_nonnull(error);
	}
}

static void
ub_gpt_build_round_trip(guint32 sector_size)
{
	const UbGptLayoutEntry layout[] = {
	    {"xbl_a", 3584 * 1024, "dea0ba2c-cbdd-4805-b4f9-f428251c3e98", 0, NULL},
	    {"boot_a",
	     1000 * 1000,
	     "20117f86-e985-4357-b9ee-374bc1d8487d",
	     G_GUINT64_CONSTANT(0x0077) << 48,
	     "11111111-2222-3333-4444-555555555555"},
	    {"boot_b", 1000 * 1000, "20117f86-e985-4357-b9ee-374bc1d8487d",
	     (G_GUINT64_CONSTANT(0x00b9) << 48) | 1, NULL},
	    {"persist", 4096, NULL, 0, NULL},
	    {"userdata", 0, UB_GPT_TYPE_LINUX_DATA, 0, NULL},
	};
	guint64 disk_size = 16 * 1024 * 1024;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(UbGpt) gpt_backup = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	const UbGptEntry *entry;
	const guint8 *buf;
	gsize bufsz = 0;
	guint64 last_lba = disk_size / sector_size - 1;
	guint64 array_sectors = 16384 / sector_size;

	g_assert_true(ub_gpt_build(layout,
				   G_N_ELEMENTS(layout),
				   sector_size,
				   disk_size,
				   "01234567-89ab-cdef-0123-456789abcdef",
				   &primary,
				   &backup,
				   &error));
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(primary), ==, (2 + array_sectors) * sector_size);
	g_assert_cmpuint(g_bytes_get_size(backup), ==, (1 + array_sectors) * sector_size);

	buf = g_bytes_get_data(primary, &bufsz);
	gpt = ub_gpt_parse(buf, bufsz, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_sector_size(gpt), ==, sector_size);
	g_assert_cmpstr(ub_gpt_get_disk_guid(gpt), ==, "01234567-89ab-cdef-0123-456789abcdef");
	g_assert_cmpuint(ub_gpt_get_my_lba(gpt), ==, 1);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(gpt), ==, last_lba);
	g_assert_cmpuint(ub_gpt_get_first_usable_lba(gpt), ==, 2 + array_sectors);
	g_assert_cmpuint(ub_gpt_get_last_usable_lba(gpt), ==, last_lba - array_sectors - 1);
	g_assert_cmpuint(ub_gpt_get_num_entries(gpt), ==, 128);
	g_assert_cmpuint(ub_gpt_get_entries(gpt)->len, ==, G_N_ELEMENTS(layout));

	entry = ub_gpt_find_entry(gpt, "boot_a");
	g_assert_nonnull(entry);
	g_assert_cmpstr(entry->unique_guid, ==, "11111111-2222-3333-4444-555555555555");
	g_assert_cmpstr(entry->type_guid, ==, "20117f86-e985-4357-b9ee-374bc1d8487d");
	g_assert_cmpuint(ub_gpt_entry_get_ab_priority(entry), ==, 3);
	g_assert_true(ub_gpt_entry_get_ab_active(entry));
	g_assert_cmpuint(ub_gpt_entry_get_ab_retry_count(entry), ==, 6);
	g_assert_true(ub_gpt_entry_get_ab_successful(entry));
	g_assert_false(ub_gpt_entry_get_ab_unbootable(entry));
	entry = ub_gpt_find_entry(gpt, "boot_b");
	g_assert_cmpuint(ub_gpt_entry_get_ab_priority(entry), ==, 1);
	g_assert_false(ub_gpt_entry_get_ab_active(entry));
	g_assert_cmpuint(ub_gpt_entry_get_ab_retry_count(entry), ==, 7);
	g_assert_true(ub_gpt_entry_get_ab_unbootable(entry));
	g_assert_cmphex(entry->attributes & 0xffff, ==, 1);
	g_assert_cmpstr(ub_gpt_find_entry(gpt, "persist")->type_guid, ==, UB_GPT_TYPE_BASIC_DATA);
	g_assert_cmpuint(strlen(ub_gpt_find_entry(gpt, "persist")->unique_guid), ==, 36);

	/* in order, 4 KiB aligned, no overlap, big enough; the last fills the disk */
	parts = ub_gpt_get_partitions(gpt, "user");
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		g_assert_cmpstr(ub_partition_get_name(part), ==, layout[i].name);
		g_assert_cmpuint(ub_partition_get_offset(part) % 4096, ==, 0);
		g_assert_cmpuint(ub_partition_get_size(part), >=, layout[i].size);
		if (layout[i].size > 0)
			g_assert_cmpuint(ub_partition_get_size(part), <, layout[i].size + sector_size);
		if (i > 0) {
			UbPartition *prev = g_ptr_array_index(parts, i - 1);
			g_assert_cmpuint(ub_partition_get_offset(part), >=, ub_partition_get_end(prev));
		}
	}
	g_assert_cmpuint(ub_partition_get_end(g_ptr_array_index(parts, parts->len - 1)),
			 <=,
			 (ub_gpt_get_last_usable_lba(gpt) + 1) * sector_size);
	g_assert_cmpuint(ub_partition_get_end(g_ptr_array_index(parts, parts->len - 1)),
			 >,
			 (ub_gpt_get_last_usable_lba(gpt) + 1) * sector_size - 4096);
	g_assert_cmpuint(ub_partition_get_end(g_ptr_array_index(parts, parts->len - 1)) % 4096,
			 ==,
			 0);

	/* the backup says the same, from the other end */
	buf = g_bytes_get_data(backup, &bufsz);
	gpt_backup = ub_gpt_parse_backup(buf, bufsz, sector_size, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_my_lba(gpt_backup), ==, last_lba);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(gpt_backup), ==, 1);
	g_assert_cmpuint(ub_gpt_get_entries_lba(gpt_backup), ==, last_lba - array_sectors);
	g_assert_cmpuint(ub_gpt_get_entries(gpt_backup)->len, ==, G_N_ELEMENTS(layout));
}

static void
ub_gpt_build_512_func(void)
{
	ub_gpt_build_round_trip(512);
}

static void
ub_gpt_build_4096_func(void)
{
	ub_gpt_build_round_trip(4096);
}

static void
ub_gpt_build_invalid_func(void)
{
	const UbGptLayoutEntry long_name[] = {
	    {"a_name_that_is_much_too_long_for_gpt_x", 4096, NULL, 0, NULL},
	};
	const UbGptLayoutEntry bad_guid[] = {
	    {"boot", 4096, "not-a-guid", 0, NULL},
	};
	const UbGptLayoutEntry too_big[] = {
	    {"boot", 2 * 1024 * 1024, NULL, 0, NULL},
	};
	const UbGptLayoutEntry fill_first[] = {
	    {"userdata", 0, NULL, 0, NULL},
	    {"boot", 4096, NULL, 0, NULL},
	};
	struct {
		const UbGptLayoutEntry *layout;
		guint n;
		guint32 sector_size;
		const gchar *needle;
	} cases[] = {
	    {long_name, 1, 512, "longer than 36"},
	    {bad_guid, 1, 512, "invalid GUID"},
	    {too_big, 1, 512, "past the last usable LBA"},
	    {fill_first, 2, 512, "only the last partition"},
	    {too_big, 1, 1024, "unsupported sector size"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) primary = NULL;
		g_autoptr(GBytes) backup = NULL;
		g_assert_false(ub_gpt_build(cases[i].layout,
					    cases[i].n,
					    cases[i].sector_size,
					    1024 * 1024,
					    NULL,
					    &primary,
					    &backup,
					    &error));
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, cases[i].needle));
	}
}

static gchar *
ub_gpt_test_find_sgdisk(void)
{
	const gchar *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin"};
	gchar *path = g_find_program_in_path("sgdisk");
	if (path != NULL)
		return path;
	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree gchar *fn = g_build_filename(dirs[i], "sgdisk", NULL);
		if (g_file_test(fn, G_FILE_TEST_IS_EXECUTABLE))
			return g_steal_pointer(&fn);
	}
	return NULL;
}

/* Debian's sgdisk must find nothing wrong with what the builder writes */
static void
ub_gpt_sgdisk_func(void)
{
	const UbGptLayoutEntry layout[] = {
	    {"boot_a", 8 * 1024 * 1024, "20117f86-e985-4357-b9ee-374bc1d8487d",
	     G_GUINT64_CONSTANT(0x77) << 48, NULL},
	    {"boot_b", 8 * 1024 * 1024, "20117f86-e985-4357-b9ee-374bc1d8487d", 0, NULL},
	    {"modemst1", 2 * 1024 * 1024, "ebbeadaf-22c9-e33b-8f5d-0e81686a68cb", 0, NULL},
	    {"userdata", 0, UB_GPT_TYPE_LINUX_DATA, 0, NULL},
	};
	guint64 disk_size = 64 * 1024 * 1024;
	g_autofree gchar *sgdisk = ub_gpt_test_find_sgdisk();
	g_autofree gchar *tmpdir = NULL;
	g_autofree gchar *fn = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	gint status = 0;
	FILE *fp;

	if (sgdisk == NULL) {
		g_printerr("sgdisk not found (Debian package gdisk)\n");
		exit(77);
	}
	g_assert_true(ub_gpt_build(layout,
				   G_N_ELEMENTS(layout),
				   512,
				   disk_size,
				   NULL,
				   &primary,
				   &backup,
				   &error));
	g_assert_no_error(error);

	tmpdir = g_dir_make_tmp("ub-gpt-test-XXXXXX", &error);
	g_assert_no_error(error);
	fn = g_build_filename(tmpdir, "disk.img", NULL);
	fp = fopen(fn, "w+b");
	g_assert_nonnull(fp);
	g_assert_cmpint(ftruncate(fileno(fp), (off_t)disk_size), ==, 0);
	g_assert_cmpuint(fwrite(g_bytes_get_data(primary, NULL), 1, g_bytes_get_size(primary), fp),
			 ==,
			 g_bytes_get_size(primary));
	g_assert_cmpint(fseeko(fp, (off_t)(disk_size - g_bytes_get_size(backup)), SEEK_SET), ==, 0);
	g_assert_cmpuint(fwrite(g_bytes_get_data(backup, NULL), 1, g_bytes_get_size(backup), fp),
			 ==,
			 g_bytes_get_size(backup));
	g_assert_cmpint(fclose(fp), ==, 0);

	{
		const gchar *argv[] = {sgdisk, "-v", fn, NULL};
		g_spawn_sync(NULL, (gchar **)argv, NULL, 0, NULL, NULL, &out, &err, &status, &error);
		g_assert_no_error(error);
		g_test_message("sgdisk -v: %s%s", out, err);
		g_assert_true(g_spawn_check_wait_status(status, NULL));
		g_assert_nonnull(strstr(out, "No problems found"));
		g_assert_null(strstr(out, "Caution"));
		g_assert_null(strstr(out, "Warning"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
	}
	{
		const gchar *argv[] = {sgdisk, "-p", fn, NULL};
		g_spawn_sync(NULL, (gchar **)argv, NULL, 0, NULL, NULL, &out, &err, &status, &error);
		g_assert_no_error(error);
		g_test_message("sgdisk -p: %s%s", out, err);
		g_assert_true(g_spawn_check_wait_status(status, NULL));
		for (guint i = 0; i < G_N_ELEMENTS(layout); i++)
			g_assert_nonnull(strstr(out, layout[i].name));
	}
	g_assert_cmpint(g_unlink(fn), ==, 0);
	g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
}

/* parse + write with no change gives back the same bytes, for every corpus table */
static void
ub_gpt_write_identity_func(void)
{
	struct {
		const gchar *subdir;
		const gchar *name;
		gboolean backup;
		gsize size; /* bytes the table occupies at the start (primary) or is (backup) */
	} files[] = {
	    {"gpt", "gpt_sm8180x.bin", FALSE, 24576},
	    {"gpt", "k330_gpt_both0.bin", FALSE, 17408},
	    {"gpt", "rubikpi3_gpt_main4.bin", FALSE, 24576},
	    {"qcom-rawprogram/oneplus-x-msm8974-emmc", "gpt_main0.bin", FALSE, 17408},
	    {"qcom-rawprogram/oneplus-x-msm8974-emmc", "gpt_backup0.bin", TRUE, 16896},
	};
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(GBytes) blob = ub_gpt_test_load_from(files[i].subdir, files[i].name);
		g_autoptr(UbGpt) gpt = NULL;
		g_autoptr(GBytes) out = NULL;
		g_autoptr(GError) error = NULL;
		gsize bufsz = 0;
		const guint8 *buf;

		if (blob == NULL)
			return;
		buf = g_bytes_get_data(blob, &bufsz);
		gpt = files[i].backup ? ub_gpt_parse_backup(buf, bufsz, 0, &error)
				      : ub_gpt_parse(buf, bufsz, 0, &error);
		g_assert_no_error(error);
		/* every corpus table is consistent */
		g_assert_true(ub_gpt_validate(gpt, 0, &error));
		g_assert_no_error(error);
		out = ub_gpt_write(gpt, &error);
		g_assert_no_error(error);
		g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), buf, files[i].size);
	}
}

static void
ub_gpt_validate_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("rubikpi3_gpt_main4.bin");
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(UbGpt) gpt2 = NULL;
	g_autoptr(GBytes) out = NULL;
	g_autoptr(GError) error = NULL;
	UbGptEntry *entry;

	if (blob == NULL)
		return;
	gpt = ub_gpt_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), 4096, &error);
	g_assert_no_error(error);
	/* the disk this table was made for: AlternateLBA + 1 */
	g_assert_true(ub_gpt_validate(gpt, 236951, &error));
	g_assert_no_error(error);
	/* and not for another */
	g_assert_false(ub_gpt_validate(gpt, 300000, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* make dtb_a start inside aop_a: an overlap, reported with both names */
	entry = g_ptr_array_index(ub_gpt_get_entries(gpt), 1);
	g_assert_cmpstr(entry->name, ==, "dtb_a");
	entry->first_lba = 100;
	out = ub_gpt_write(gpt, &error);
	g_assert_no_error(error);
	gpt2 = ub_gpt_parse(g_bytes_get_data(out, NULL), g_bytes_get_size(out), 4096, &error);
	g_assert_no_error(error); /* CRCs were recomputed */
	g_assert_false(ub_gpt_validate(gpt2, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "aop_a"));
	g_assert_nonnull(strstr(error->message, "dtb_a"));
	g_assert_nonnull(strstr(error->message, "overlap"));
	g_clear_error(&error);

	/* past the last usable LBA */
	entry->first_lba = 134;
	entry = g_ptr_array_index(ub_gpt_get_entries(gpt), 50);
	entry->last_lba = 236946;
	g_assert_false(ub_gpt_validate(gpt, 0, &error));
	g_assert_nonnull(strstr(error->message, "vm-data"));
	g_assert_nonnull(strstr(error->message, "outside"));
	g_clear_error(&error);

	/* ends before it starts (more than the empty placeholder) */
	entry->last_lba = entry->first_lba - 2;
	g_assert_false(ub_gpt_validate(gpt, 0, &error));
	g_assert_nonnull(strstr(error->message, "before it starts"));
	g_clear_error(&error);
	/* the empty ptool placeholder is fine */
	entry->last_lba = entry->first_lba - 1;
	g_assert_true(ub_gpt_validate(gpt, 0, &error));
	g_assert_no_error(error);
}

static void
ub_gpt_pair_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("k330_gpt_both0.bin");
	g_autoptr(GBytes) other = ub_gpt_test_load_from("qcom-rawprogram/oneplus-x-msm8974-emmc",
							"gpt_backup0.bin");
	g_autoptr(UbGpt) primary = NULL;
	g_autoptr(UbGpt) backup = NULL;
	g_autoptr(UbGpt) backup_other = NULL;
	g_autoptr(GError) error = NULL;
	gsize bufsz = 0;
	const guint8 *buf;

	if (blob == NULL || other == NULL)
		return;
	buf = g_bytes_get_data(blob, &bufsz);
	primary = ub_gpt_parse(buf, bufsz, 512, &error);
	g_assert_no_error(error);
	backup = ub_gpt_parse_backup(buf + 17408, bufsz - 17408, 512, &error);
	g_assert_no_error(error);
	g_assert_true(ub_gpt_check_pair(primary, backup, 0, &error));
	g_assert_no_error(error);

	/* the wrong way round */
	g_assert_false(ub_gpt_check_pair(backup, primary, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* the same disk GUID (ptool default) but another table */
	backup_other = ub_gpt_parse_backup(g_bytes_get_data(other, NULL),
					   g_bytes_get_size(other),
					   512,
					   &error);
	g_assert_no_error(error);
	g_assert_false(ub_gpt_check_pair(primary, backup_other, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "entry arrays differ"));
}

static void
ub_gpt_ab_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("rubikpi3_gpt_main4.bin");
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(UbGpt) gpt2 = NULL;
	g_autoptr(GBytes) out = NULL;
	g_autoptr(GError) error = NULL;
	UbGptEntry tmp = {0};
	const UbGptEntry *entry_a;
	const UbGptEntry *entry_b;
	g_autofree gchar *type_a = NULL;
	g_autofree gchar *type_b = NULL;
	guint n_pairs = 0;
	gsize bufsz = 0;
	const guint8 *buf;

	/* the setters touch only their own bits */
	tmp.attributes = G_GUINT64_CONSTANT(0x9000000000000001);
	ub_gpt_entry_set_ab_priority(&tmp, 2);
	ub_gpt_entry_set_ab_retry_count(&tmp, 5);
	ub_gpt_entry_set_ab_active(&tmp, TRUE);
	ub_gpt_entry_set_ab_successful(&tmp, TRUE);
	ub_gpt_entry_set_ab_unbootable(&tmp, TRUE);
	g_assert_cmpuint(ub_gpt_entry_get_ab_priority(&tmp), ==, 2);
	g_assert_cmpuint(ub_gpt_entry_get_ab_retry_count(&tmp), ==, 5);
	g_assert_true(ub_gpt_entry_get_ab_active(&tmp));
	g_assert_true(ub_gpt_entry_get_ab_successful(&tmp));
	g_assert_true(ub_gpt_entry_get_ab_unbootable(&tmp));
	g_assert_cmphex(tmp.attributes, ==, G_GUINT64_CONSTANT(0x90ee000000000001));
	ub_gpt_entry_set_ab_successful(&tmp, FALSE);
	ub_gpt_entry_set_ab_unbootable(&tmp, FALSE);
	ub_gpt_entry_set_ab_active(&tmp, FALSE);
	g_assert_cmphex(tmp.attributes, ==, G_GUINT64_CONSTANT(0x902a000000000001));

	if (blob == NULL)
		return;
	buf = g_bytes_get_data(blob, &bufsz);
	gpt = ub_gpt_parse(buf, bufsz, 4096, &error);
	g_assert_no_error(error);
	g_assert_false(ub_gpt_set_active_slot(gpt, "c", &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* make b active: every NAME_a/NAME_b pair */
	entry_a = ub_gpt_find_entry(gpt, "aop_a");
	entry_b = ub_gpt_find_entry(gpt, "aop_b");
	g_assert_nonnull(entry_b);
	type_a = g_strdup(entry_a->type_guid);
	type_b = g_strdup(entry_b->type_guid);
	g_assert_true(ub_gpt_set_active_slot(gpt, "b", &error));
	g_assert_no_error(error);
	out = ub_gpt_write(gpt, &error);
	g_assert_no_error(error);
	gpt2 = ub_gpt_parse(g_bytes_get_data(out, NULL), g_bytes_get_size(out), 4096, &error);
	g_assert_no_error(error);
	g_assert_true(ub_gpt_validate(gpt2, 0, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < ub_gpt_get_entries(gpt2)->len; i++) {
		const UbGptEntry *e = g_ptr_array_index(ub_gpt_get_entries(gpt2), i);
		const UbGptEntry *orig = g_ptr_array_index(ub_gpt_get_entries(gpt), i);
		g_assert_cmpstr(e->name, ==, orig->name);
		if (g_str_has_suffix(e->name, "_b")) {
			g_autofree gchar *twin = g_strdup(e->name);
			twin[strlen(twin) - 1] = 'a';
			if (ub_gpt_find_entry(gpt2, twin) == NULL)
				continue;
			n_pairs++;
			g_assert_true(ub_gpt_entry_get_ab_active(e));
			g_assert_cmpuint(ub_gpt_entry_get_ab_priority(e), ==, 3);
			g_assert_cmpuint(ub_gpt_entry_get_ab_retry_count(e), ==, 7);
			g_assert_false(ub_gpt_entry_get_ab_successful(e));
			g_assert_false(ub_gpt_entry_get_ab_unbootable(e));
			/* bits outside 48-55 are kept */
			g_assert_cmphex(e->attributes & ~UB_GPT_ATTR_AB_MASK,
					==,
					orig->attributes & ~UB_GPT_ATTR_AB_MASK);
		} else if (g_str_has_suffix(e->name, "_a")) {
			g_assert_false(ub_gpt_entry_get_ab_active(e));
		}
	}
	g_assert_cmpuint(n_pairs, >, 10);
	entry_a = ub_gpt_find_entry(gpt2, "aop_a");
	entry_b = ub_gpt_find_entry(gpt2, "aop_b");
	g_assert_cmphex(entry_b->attributes, ==, G_GUINT64_CONSTANT(0x803f000000000001));
	/* neither was marked active before: the type GUIDs stay */
	g_assert_cmpstr(entry_a->type_guid, ==, type_a);
	g_assert_cmpstr(entry_b->type_guid, ==, type_b);

	/* back to a: b was the active one, so the type GUIDs swap as the HAL does */
	g_assert_true(ub_gpt_set_active_slot(gpt2, "_a", &error));
	g_assert_no_error(error);
	entry_a = ub_gpt_find_entry(gpt2, "aop_a");
	entry_b = ub_gpt_find_entry(gpt2, "aop_b");
	g_assert_cmphex(entry_a->attributes, ==, G_GUINT64_CONSTANT(0x903f000000000001));
	g_assert_cmphex(entry_b->attributes, ==, G_GUINT64_CONSTANT(0x803b000000000001));
	g_assert_cmpstr(entry_a->type_guid, ==, type_b);
	g_assert_cmpstr(entry_b->type_guid, ==, type_a);

	/* one attribute by name */
	g_assert_true(ub_gpt_set_attributes(gpt2, "vm-data", 0x1, &error));
	g_assert_no_error(error);
	g_assert_cmphex(ub_gpt_find_entry(gpt2, "vm-data")->attributes, ==, 0x1);
	g_assert_false(ub_gpt_set_attributes(gpt2, "nonexistent", 0x1, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* a table without pairs */
	{
		g_autoptr(GBytes) k330 = ub_gpt_test_load("k330_gpt_both0.bin");
		g_autoptr(UbGpt) gpt3 = ub_gpt_parse(g_bytes_get_data(k330, NULL),
						     g_bytes_get_size(k330),
						     512,
						     &error);
		g_assert_no_error(error);
		g_assert_false(ub_gpt_set_active_slot(gpt3, "a", &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	}
}

static void
ub_gpt_write_pair_func(void)
{
	g_autoptr(GBytes) blob = ub_gpt_test_load("gpt_sm8180x.bin");
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(UbGpt) primary = NULL;
	g_autoptr(UbGpt) backup = NULL;
	g_autoptr(GBytes) p = NULL;
	g_autoptr(GBytes) b = NULL;
	g_autoptr(GError) error = NULL;
	const guint64 n = 8192; /* a 32 MiB LUN */

	if (blob == NULL)
		return;
	gpt = ub_gpt_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), 4096, &error);
	g_assert_no_error(error);
	g_assert_true(ub_gpt_write_pair(gpt, n, &p, &b, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(p), ==, 6 * 4096);
	g_assert_cmpuint(g_bytes_get_size(b), ==, 5 * 4096);
	primary = ub_gpt_parse(g_bytes_get_data(p, NULL), g_bytes_get_size(p), 4096, &error);
	g_assert_no_error(error);
	backup = ub_gpt_parse_backup(g_bytes_get_data(b, NULL), g_bytes_get_size(b), 4096, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(primary), ==, n - 1);
	g_assert_cmpuint(ub_gpt_get_last_usable_lba(primary), ==, n - 6);
	g_assert_cmpuint(ub_gpt_get_my_lba(backup), ==, n - 1);
	g_assert_cmpuint(ub_gpt_get_entries_lba(backup), ==, n - 5);
	g_assert_cmpstr(ub_gpt_get_disk_guid(backup), ==, "c876de0c-1cde-b4f0-37e6-3290f1d0d91f");
	g_assert_true(ub_gpt_check_pair(primary, backup, n, &error));
	g_assert_no_error(error);
	/* the MBR and the entries are those of the input */
	g_assert_cmpmem(g_bytes_get_data(p, NULL), 4096, g_bytes_get_data(blob, NULL), 4096);
	g_assert_cmpmem((const guint8 *)g_bytes_get_data(p, NULL) + 2 * 4096,
			4 * 4096,
			(const guint8 *)g_bytes_get_data(blob, NULL) + 2 * 4096,
			4 * 4096);

	/* too small a disk */
	g_assert_false(ub_gpt_write_pair(gpt, 100, &p, &b, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/gpt/crc32", ub_gpt_crc32_func);
	g_test_add_func("/ub/formats/gpt/corpus-sm8180x", ub_gpt_corpus_sm8180x_func);
	g_test_add_func("/ub/formats/gpt/corpus-k330", ub_gpt_corpus_k330_func);
	g_test_add_func("/ub/formats/gpt/corpus-rubikpi3", ub_gpt_corpus_rubikpi3_func);
	g_test_add_func("/ub/formats/gpt/corpus-oneplus", ub_gpt_corpus_oneplus_func);
	g_test_add_func("/ub/formats/gpt/corrupt", ub_gpt_corrupt_func);
	g_test_add_func("/ub/formats/gpt/bounds", ub_gpt_bounds_func);
	g_test_add_func("/ub/formats/gpt/truncated", ub_gpt_truncated_func);
	g_test_add_func("/ub/formats/gpt/garbage", ub_gpt_garbage_func);
	g_test_add_func("/ub/formats/gpt/build-512", ub_gpt_build_512_func);
	g_test_add_func("/ub/formats/gpt/build-4096", ub_gpt_build_4096_func);
	g_test_add_func("/ub/formats/gpt/build-invalid", ub_gpt_build_invalid_func);
	g_test_add_func("/ub/formats/gpt/sgdisk", ub_gpt_sgdisk_func);
	g_test_add_func("/ub/formats/gpt/write-identity", ub_gpt_write_identity_func);
	g_test_add_func("/ub/formats/gpt/validate", ub_gpt_validate_func);
	g_test_add_func("/ub/formats/gpt/pair", ub_gpt_pair_func);
	g_test_add_func("/ub/formats/gpt/ab", ub_gpt_ab_func);
	g_test_add_func("/ub/formats/gpt/write-pair", ub_gpt_write_pair_func);
	return g_test_run();
}
