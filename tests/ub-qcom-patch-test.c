/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-gpt.h"
#include "formats/ub-qcom-patch.h"
#include "ub-crc.h"
#include "ub-error.h"

/* the numbers are the ones /work/shared/corpus/FACTS.md gives */

static GBytes *
ub_qcom_patch_test_load(const gchar *relpath)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *fn = NULL;
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize datasz = 0;

	if (corpus == NULL)
		return NULL;
	fn = g_build_filename(corpus, "qcom-rawprogram", relpath, NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS))
		return NULL;
	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, datasz);
}

static UbQcomPatch *
ub_qcom_patch_test_parse_file(const gchar *relpath)
{
	g_autoptr(GBytes) blob = ub_qcom_patch_test_load(relpath);
	g_autoptr(GError) error = NULL;
	UbQcomPatch *patch;
	if (blob == NULL)
		return NULL;
	patch = ub_qcom_patch_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), &error);
	g_assert_no_error(error);
	g_assert_nonnull(patch);
	return patch;
}

typedef struct {
	const gchar *path;
	guint32 sector_size;
	guint n_main;
	guint n_disk;
	guint n_backup;
	const gchar *main_name;
	const gchar *backup_name;
	const gchar *first; /* filename start_sector byte_offset size_in_bytes value */
	const gchar *last;
	const gchar *last_what;
} UbQcomPatchFacts;

static const UbQcomPatchFacts ub_qcom_patch_facts[] = {
    {"oneplus-x-msm8974-emmc/patch0.xml",
     512,
     6,
     13,
     7,
     "gpt_main0.bin",
     "gpt_backup0.bin",
     "gpt_main0.bin 9 40 8 NUM_DISK_SECTORS-34.",
     "DISK NUM_DISK_SECTORS-1. 16 4 CRC32(NUM_DISK_SECTORS-1.,92)",
     "Update Backup Header with CRC of Backup Header."},
    {"xiaomi-raphael-sm8150-ufs/patch0.xml",
     4096,
     6,
     13,
     7,
     "gpt_main0.bin",
     "gpt_backup0.bin",
     "gpt_main0.bin 2 3880 8 NUM_DISK_SECTORS-6.",
     "DISK NUM_DISK_SECTORS-1. 16 4 CRC32(NUM_DISK_SECTORS-1.,92)",
     "Update Backup Header with CRC of Backup Header."},
};

static gchar *
ub_qcom_patch_test_describe(const UbQcomPatchEntry *entry)
{
	return g_strdup_printf("%s %s %" G_GUINT64_FORMAT " %u %s",
			       entry->filename,
			       entry->start_sector,
			       entry->byte_offset,
			       entry->size_in_bytes,
			       entry->value);
}

static void
ub_qcom_patch_corpus_func(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_qcom_patch_facts); i++) {
		const UbQcomPatchFacts *facts = &ub_qcom_patch_facts[i];
		g_autoptr(UbQcomPatch) patch = ub_qcom_patch_test_parse_file(facts->path);
		g_autofree gchar *first = NULL;
		g_autofree gchar *last = NULL;
		GPtrArray *entries;
		const UbQcomPatchEntry *entry;
		guint n_disk = 0;

		if (patch == NULL) {
			g_test_skip("corpus missing");
			return;
		}
		entries = ub_qcom_patch_get_entries(patch);
		g_assert_cmpuint(entries->len, ==, 26);
		g_assert_cmpuint(ub_qcom_patch_get_ignored(patch)->len, ==, 0);
		for (guint j = 0; j < entries->len; j++) {
			entry = g_ptr_array_index(entries, j);
			g_assert_cmpuint(entry->sector_size, ==, facts->sector_size);
			g_assert_cmpuint(entry->physical_partition_number, ==, 0);
			g_assert_nonnull(entry->what);
			n_disk += ub_qcom_patch_entry_is_disk(entry);
		}
		g_assert_cmpuint(n_disk, ==, facts->n_disk);
		g_assert_cmpuint(ub_qcom_patch_count_for_file(patch, "DISK"), ==, facts->n_disk);
		g_assert_cmpuint(ub_qcom_patch_count_for_file(patch, facts->main_name), ==, facts->n_main);
		g_assert_cmpuint(ub_qcom_patch_count_for_file(patch, facts->backup_name),
				 ==,
				 facts->n_backup);
		first = ub_qcom_patch_test_describe(g_ptr_array_index(entries, 0));
		entry = g_ptr_array_index(entries, entries->len - 1);
		last = ub_qcom_patch_test_describe(entry);
		g_assert_cmpstr(first, ==, facts->first);
		g_assert_cmpstr(last, ==, facts->last);
		g_assert_cmpstr(entry->what, ==, facts->last_what);
	}
}

/* gpt_main0.bin / gpt_backup0.bin with the file patches applied for @n sectors */
static GBytes *
ub_qcom_patch_test_patched(UbQcomPatch *patch, const gchar *name, guint64 n, guint expect_n)
{
	g_autofree gchar *relpath = g_strdup_printf("oneplus-x-msm8974-emmc/%s", name);
	g_autoptr(GBytes) blob = ub_qcom_patch_test_load(relpath);
	g_autoptr(GError) error = NULL;
	gsize bufsz = g_bytes_get_size(blob);
	g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(blob, NULL), bufsz);
	guint n_applied = 0;

	g_assert_true(ub_qcom_patch_apply_to_file(patch, name, buf, bufsz, n, &n_applied, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n_applied, ==, expect_n);
	/* it did change something */
	g_assert_cmpint(memcmp(buf, g_bytes_get_data(blob, NULL), bufsz), !=, 0);
	return g_bytes_new_take(g_steal_pointer(&buf), bufsz);
}

static void
ub_qcom_patch_apply_file_func(void)
{
	g_autoptr(UbQcomPatch) patch = ub_qcom_patch_test_parse_file("oneplus-x-msm8974-emmc/patch0.xml");
	g_autoptr(GBytes) main_blob = NULL;
	g_autoptr(GBytes) backup_blob = NULL;
	g_autoptr(UbGpt) primary = NULL;
	g_autoptr(UbGpt) backup = NULL;
	g_autoptr(GError) error = NULL;
	const guint64 n = 30777344; /* a 16 GB eMMC user area */
	const UbGptEntry *grow;

	if (patch == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	main_blob = ub_qcom_patch_test_patched(patch, "gpt_main0.bin", n, 6);
	backup_blob = ub_qcom_patch_test_patched(patch, "gpt_backup0.bin", n, 7);

	/* both parse with valid CRCs and the placeholders are filled in */
	primary = ub_gpt_parse(g_bytes_get_data(main_blob, NULL), g_bytes_get_size(main_blob), 512, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_my_lba(primary), ==, 1);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(primary), ==, n - 1);
	g_assert_cmpuint(ub_gpt_get_first_usable_lba(primary), ==, 34);
	g_assert_cmpuint(ub_gpt_get_last_usable_lba(primary), ==, n - 34);
	grow = ub_gpt_find_entry(primary, "grow");
	g_assert_nonnull(grow);
	g_assert_cmpuint(grow->index, ==, 28);
	g_assert_cmpuint(grow->first_lba, ==, 30457856);
	g_assert_cmpuint(grow->last_lba, ==, n - 34);

	backup = ub_gpt_parse_backup(g_bytes_get_data(backup_blob, NULL),
				     g_bytes_get_size(backup_blob),
				     512,
				     &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_gpt_get_my_lba(backup), ==, n - 1);
	g_assert_cmpuint(ub_gpt_get_alternate_lba(backup), ==, 1);
	g_assert_cmpuint(ub_gpt_get_entries_lba(backup), ==, n - 33);
	g_assert_cmpuint(ub_gpt_get_last_usable_lba(backup), ==, n - 34);
	grow = ub_gpt_find_entry(backup, "grow");
	g_assert_cmpuint(grow->last_lba, ==, n - 34);

	/* the two tables now agree */
	g_assert_true(ub_gpt_check_pair(primary, backup, n, &error));
	g_assert_no_error(error);

	/* and the GPT writer produces exactly what ptool's patches produce */
	{
		g_autoptr(GBytes) p = NULL;
		g_autoptr(GBytes) b = NULL;
		g_assert_true(ub_gpt_write_pair(primary, n, &p, &b, &error));
		g_assert_no_error(error);
		g_assert_cmpmem(g_bytes_get_data(p, NULL),
				g_bytes_get_size(p),
				g_bytes_get_data(main_blob, NULL),
				g_bytes_get_size(main_blob));
		g_assert_cmpmem(g_bytes_get_data(b, NULL),
				g_bytes_get_size(b),
				g_bytes_get_data(backup_blob, NULL),
				g_bytes_get_size(backup_blob));
	}
}

static void
ub_qcom_patch_apply_disk_func(void)
{
	g_autoptr(UbQcomPatch) patch = ub_qcom_patch_test_parse_file("oneplus-x-msm8974-emmc/patch0.xml");
	g_autoptr(GBytes) main_raw = ub_qcom_patch_test_load("oneplus-x-msm8974-emmc/gpt_main0.bin");
	g_autoptr(GBytes) backup_raw = ub_qcom_patch_test_load("oneplus-x-msm8974-emmc/gpt_backup0.bin");
	g_autoptr(GBytes) main_blob = NULL;
	g_autoptr(GBytes) backup_blob = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree guint8 *disk = NULL;
	const guint64 n = 4096; /* a small disk: 2 MiB */
	gsize disksz = n * 512;
	guint n_applied = 0;

	if (patch == NULL || main_raw == NULL || backup_raw == NULL) {
		g_test_skip("corpus missing");
		return;
	}

	/* what QFIL writes: the images at sector 0 and NUM_DISK_SECTORS-33 */
	disk = g_malloc0(disksz);
	memcpy(disk, g_bytes_get_data(main_raw, NULL), g_bytes_get_size(main_raw));
	memcpy(disk + (n - 33) * 512, g_bytes_get_data(backup_raw, NULL), g_bytes_get_size(backup_raw));

	/* then what the programmer does with the DISK entries */
	g_assert_true(ub_qcom_patch_apply_to_disk(patch, 0, disk, disksz, 0, n, &n_applied, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n_applied, ==, 13);

	/* same bytes as patching the files */
	main_blob = ub_qcom_patch_test_patched(patch, "gpt_main0.bin", n, 6);
	backup_blob = ub_qcom_patch_test_patched(patch, "gpt_backup0.bin", n, 7);
	g_assert_cmpmem(disk, g_bytes_get_size(main_blob), g_bytes_get_data(main_blob, NULL), g_bytes_get_size(main_blob));
	g_assert_cmpmem(disk + (n - 33) * 512,
			g_bytes_get_size(backup_blob),
			g_bytes_get_data(backup_blob, NULL),
			g_bytes_get_size(backup_blob));

	/* no DISK entries for LUN 1 */
	g_assert_true(ub_qcom_patch_apply_to_disk(patch, 1, disk, disksz, 0, n, &n_applied, &error));
	g_assert_cmpuint(n_applied, ==, 0);

	/* a window that misses the backup header: a clear error, not a wild write */
	g_assert_false(ub_qcom_patch_apply_to_disk(patch, 0, disk, 64 * 512, 0, n, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "outside"));
	g_clear_error(&error);

	/* a disk smaller than the GPT */
	g_assert_false(ub_qcom_patch_apply_to_disk(patch, 0, disk, disksz, 0, 20, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "negative"));
}

static UbQcomPatch *
ub_qcom_patch_test_parse_str(const gchar *xml, GError **error)
{
	return ub_qcom_patch_parse((const guint8 *)xml, strlen(xml), error);
}

static void
ub_qcom_patch_entry_func(void)
{
	const gchar *xml =
	    "<patches>\n"
	    "<patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"4\" filename=\"x.bin\" "
	    "physical_partition_number=\"0\" size_in_bytes=\"2\" start_sector=\"1\" value=\"0x1234\"/>\n"
	    "<patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"8\" filename=\"x.bin\" "
	    "physical_partition_number=\"0\" size_in_bytes=\"4\" start_sector=\"0\" "
	    "value=\"CRC32(1,16)\"/>\n"
	    "<patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"x.bin\" "
	    "physical_partition_number=\"0\" size_in_bytes=\"1\" start_sector=\"0\" value=\"256\"/>\n"
	    "<comment/>\n"
	    "</patches>\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(UbQcomPatch) patch = ub_qcom_patch_test_parse_str(xml, &error);
	guint8 buf[1024] = {0};
	guint8 expect_crc[4] = {0};
	guint32 crc;
	GPtrArray *entries;

	g_assert_no_error(error);
	entries = ub_qcom_patch_get_entries(patch);
	g_assert_cmpuint(entries->len, ==, 3);
	g_assert_cmpuint(ub_qcom_patch_get_ignored(patch)->len, ==, 1);

	/* little-endian, at sector * 512 + byte_offset */
	g_assert_true(ub_qcom_patch_entry_apply(g_ptr_array_index(entries, 0), buf, sizeof(buf), 0, 2, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(buf[516], ==, 0x34);
	g_assert_cmpuint(buf[517], ==, 0x12);
	g_assert_cmpuint(buf[518], ==, 0x00);

	/* CRC32 over the buffer as patched so far */
	g_assert_true(ub_qcom_patch_entry_apply(g_ptr_array_index(entries, 1), buf, sizeof(buf), 0, 2, &error));
	g_assert_no_error(error);
	crc = ub_crc32(buf + 512, 16);
	for (guint i = 0; i < 4; i++)
		expect_crc[i] = (guint8)(crc >> (8 * i));
	g_assert_cmpmem(buf + 8, 4, expect_crc, 4);

	/* 256 does not fit in one byte */
	g_assert_false(ub_qcom_patch_entry_apply(g_ptr_array_index(entries, 2), buf, sizeof(buf), 0, 2, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "line 4"));
	g_assert_nonnull(strstr(error->message, "does not fit"));
	g_clear_error(&error);

	/* a window starting at sector 1 cannot reach sector 0 */
	g_assert_false(ub_qcom_patch_entry_apply(g_ptr_array_index(entries, 1), buf, 512, 1, 2, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

static void
ub_qcom_patch_invalid_func(void)
{
	struct {
		const gchar *xml;
		const gchar *needle;
	} cases[] = {
	    {"", "failed to parse patch file"}, {"<!-- x -->", "no <patches>"},
	    {"<data/>", "rawprogram file"},
	    {"<patch/>", "expected <patches>"},
	    {"<patches><patch byte_offset=\"0\" filename=\"DISK\" physical_partition_number=\"0\" "
	     "size_in_bytes=\"4\" start_sector=\"0\" value=\"0\"/></patches>",
	     "SECTOR_SIZE_IN_BYTES"},
	    {"<patches><patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"DISK\" "
	     "physical_partition_number=\"0\" size_in_bytes=\"9\" start_sector=\"0\" value=\"0\"/></patches>",
	     "size_in_bytes"},
	    {"<patches><patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"DISK\" "
	     "physical_partition_number=\"0\" size_in_bytes=\"0\" start_sector=\"0\" value=\"0\"/></patches>",
	     "1 to 8"},
	    {"<patches><patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"\" "
	     "physical_partition_number=\"0\" size_in_bytes=\"4\" start_sector=\"0\" value=\"0\"/></patches>",
	     "no filename"},
	    {"<patches><patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"DISK\" "
	     "physical_partition_number=\"0\" size_in_bytes=\"4\" start_sector=\"CRC32(1,2)\" "
	     "value=\"0\"/></patches>",
	     "cannot use CRC32"},
	    {"<patches><patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"DISK\" "
	     "physical_partition_number=\"0\" size_in_bytes=\"4\" start_sector=\"0\" "
	     "value=\"CRC32(1\"/></patches>",
	     "invalid expression"},
	    {"<patches><patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"DISK\" "
	     "physical_partition_number=\"0\" size_in_bytes=\"4\" start_sector=\"0\"/></patches>",
	     "no value"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbQcomPatch) patch = ub_qcom_patch_test_parse_str(cases[i].xml, &error);
		g_debug("case %u: %s", i, error != NULL ? error->message : "(none)");
		g_assert_null(patch);
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, cases[i].needle));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/qcom-patch/corpus", ub_qcom_patch_corpus_func);
	g_test_add_func("/ub/formats/qcom-patch/apply-file", ub_qcom_patch_apply_file_func);
	g_test_add_func("/ub/formats/qcom-patch/apply-disk", ub_qcom_patch_apply_disk_func);
	g_test_add_func("/ub/formats/qcom-patch/entry", ub_qcom_patch_entry_func);
	g_test_add_func("/ub/formats/qcom-patch/invalid", ub_qcom_patch_invalid_func);
	return g_test_run();
}
