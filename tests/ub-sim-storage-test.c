/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/ub-gpt.h"
#include "sim/ub-sim-storage.h"

#define GiB (G_GUINT64_CONSTANT(1024) * 1024 * 1024)
#define MiB (G_GUINT64_CONSTANT(1024) * 1024)

/* a temporary folder, removed with its files when the test ends */
static gchar *
ub_sim_storage_test_mkdir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("ub-sim-storage-test-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

static void
ub_sim_storage_test_rmdir(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *fn = g_build_filename(path, name, NULL);
		g_assert_cmpint(g_unlink(fn), ==, 0);
	}
	g_assert_cmpint(g_rmdir(path), ==, 0);
}

static void
ub_sim_storage_parse_size_func(void)
{
	struct {
		const gchar *str;
		guint64 size;
	} good[] = {
	    {"64G", 64 * GiB},
	    {"64GiB", 64 * GiB},
	    {"4M", 4 * MiB},
	    {"512k", 512 * 1024},
	    {"1T", 1024 * GiB},
	    {"4096", 4096},
	    {"2gb", 2 * GiB},
	};
	const gchar *bad[] = {"", "G", "12X", "-5", "0", "1GX", "4 M", "99999999999999999999", "20000000000T"};
	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		guint64 size = 0;
		g_assert_true(ub_sim_storage_parse_size(good[i].str, &size, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(size, ==, good[i].size);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		guint64 size = 0;
		g_assert_false(ub_sim_storage_parse_size(bad[i], &size, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
}

static void
ub_sim_storage_parse_geometry_func(void)
{
	const gchar *bad[] = {"emmc", "emmc:", "ufs:4", "ufs:0:1G", "ufs:9:1G", "nand:1G", "emmc:1G:2"};
	UbSimStorageKind kind = UB_SIM_STORAGE_KIND_EMMC;
	guint n_luns = 0;
	guint64 size = 0;
	g_autoptr(GError) error = NULL;

	g_assert_true(ub_sim_storage_parse_geometry("ufs:4:32G", &kind, &n_luns, &size, &error));
	g_assert_no_error(error);
	g_assert_cmpint(kind, ==, UB_SIM_STORAGE_KIND_UFS);
	g_assert_cmpuint(n_luns, ==, 4);
	g_assert_cmpuint(size, ==, 32 * GiB);
	g_assert_true(ub_sim_storage_parse_geometry("emmc:8G", &kind, &n_luns, &size, &error));
	g_assert_cmpint(kind, ==, UB_SIM_STORAGE_KIND_EMMC);
	g_assert_cmpuint(n_luns, ==, 0);
	g_assert_cmpuint(size, ==, 8 * GiB);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error_local = NULL;
		g_assert_false(
		    ub_sim_storage_parse_geometry(bad[i], &kind, &n_luns, &size, &error_local));
		g_assert_error(error_local, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
}

/* a 64 GiB user area is a sparse file: only the GPT sectors are allocated */
static void
ub_sim_storage_sparse_func(void)
{
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:64G", &error);
	g_autofree gchar *path = NULL;
	g_auto(GStrv) names = NULL;
	struct stat st = {0};
	guint8 buf[4096] = {0};

	g_assert_no_error(error);
	g_assert_nonnull(storage);
	names = ub_sim_storage_get_region_names(storage);
	g_assert_cmpuint(g_strv_length(names), ==, 4);
	g_assert_cmpstr(names[0], ==, "boot1");
	g_assert_cmpstr(names[1], ==, "boot2");
	g_assert_cmpstr(names[2], ==, "user");
	g_assert_cmpstr(names[3], ==, "rpmb");
	g_assert_cmpuint(ub_sim_storage_get_sector_size(storage), ==, 512);
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage, "user"), ==, 64 * GiB);
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage, "boot1"), ==, 4 * MiB);
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage, "rpmb"), ==, 4 * MiB);

	path = ub_sim_storage_get_region_path(storage, "user");
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpuint(st.st_size, ==, 64 * GiB);
	g_test_message("user.img: %" G_GUINT64_FORMAT " bytes allocated",
		       (guint64)st.st_blocks * 512);
	g_assert_cmpuint((guint64)st.st_blocks * 512, <, 1 * MiB);

	/* a write far into the area allocates only around it */
	memset(buf, 0xab, sizeof(buf));
	g_assert_true(ub_sim_storage_write(storage, "user", 40 * GiB, buf, sizeof(buf), &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpuint((guint64)st.st_blocks * 512, <, 2 * MiB);

	g_clear_object(&storage);
	ub_sim_storage_test_rmdir(dir);
}

static void
ub_sim_storage_past_end_func(void)
{
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:64M", &error);
	guint8 buf[512] = {0};
	guint64 size;

	g_assert_no_error(error);
	size = ub_sim_storage_get_region_size(storage, "user");

	/* the last sector is fine, one byte more is not */
	g_assert_true(ub_sim_storage_write(storage, "user", size - 512, buf, 512, &error));
	g_assert_no_error(error);
	g_assert_false(ub_sim_storage_write(storage, "user", size - 511, buf, 512, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_test_message("%s", error->message);
	g_assert_cmpstr(error->message,
			==,
			"user: attempt to access beyond end of device: rw=1, sector=131071, "
			"nr_sectors = 2 limit=131072");
	g_clear_error(&error);
	g_assert_false(ub_sim_storage_read(storage, "boot1", 4 * MiB, buf, 1, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "attempt to access beyond end of device"));
	g_assert_nonnull(strstr(error->message, "rw=0"));
	g_clear_error(&error);
	g_assert_false(ub_sim_storage_erase(storage, "rpmb", 0, 4 * MiB + 1, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);

	/* an offset that would wrap around */
	g_assert_false(ub_sim_storage_write(storage, "user", G_MAXUINT64 - 10, buf, 512, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);

	/* eMMC has no LUNs */
	g_assert_false(ub_sim_storage_read(storage, "lun0", 0, buf, 512, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_cmpstr(error->message,
			==,
			"no emmc region 'lun0' (this device has boot1, boot2, user, rpmb)");
	g_clear_error(&error);
	g_assert_false(ub_sim_storage_has_region(storage, "lun0"));
	g_assert_true(ub_sim_storage_has_region(storage, "rpmb"));

	g_clear_object(&storage);
	ub_sim_storage_test_rmdir(dir);
}

static void
ub_sim_storage_reopen_func(void)
{
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:32M", &error);
	g_autoptr(UbSimStorage) storage2 = NULL;
	g_autoptr(UbSimStorage) storage3 = NULL;
	g_autoptr(UbPartition) part = NULL;
	g_autofree gchar *geometry = NULL;
	guint8 data[1000];
	guint8 buf[1000] = {0};

	g_assert_no_error(error);
	for (guint i = 0; i < sizeof(data); i++)
		data[i] = (guint8)(i * 7);
	g_assert_true(ub_sim_storage_write(storage, "boot1", 12345, data, sizeof(data), &error));
	g_assert_true(ub_sim_storage_write_partition(storage, "persist", 100, data, sizeof(data), &error));
	g_assert_no_error(error);
	g_clear_object(&storage);

	/* no geometry: whatever the folder holds */
	storage2 = ub_sim_storage_open(dir, NULL, &error);
	g_assert_no_error(error);
	geometry = ub_sim_storage_get_geometry(storage2);
	g_assert_cmpstr(geometry, ==, "emmc:33554432");
	g_assert_true(ub_sim_storage_read(storage2, "boot1", 12345, buf, sizeof(buf), &error));
	g_assert_no_error(error);
	g_assert_cmpmem(buf, sizeof(buf), data, sizeof(data));
	memset(buf, 0, sizeof(buf));
	g_assert_true(ub_sim_storage_read_partition(storage2, "persist", 100, buf, sizeof(buf), &error));
	g_assert_cmpmem(buf, sizeof(buf), data, sizeof(data));
	g_clear_object(&storage2);

	/* the same geometry written differently is fine, another one is not */
	storage3 = ub_sim_storage_open(dir, "emmc:32MiB", &error);
	g_assert_no_error(error);
	g_clear_object(&storage3);
	storage3 = ub_sim_storage_open(dir, "ufs:4:32M", &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "holds a phone with emmc:32M storage, not ufs:4:32M"));
	g_assert_null(storage3);

	ub_sim_storage_test_rmdir(dir);
}

static void
ub_sim_storage_layout_func(void)
{
	const gchar *names[] = {"boot_a",   "boot_b",	"vbmeta_a", "vbmeta_b", "dtbo_a",
				"dtbo_b",   "super",	"userdata", "metadata", "misc",
				"persist",  "modemst1", "modemst2", "fsg",	"nvdata"};
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:64G", &error);
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autofree guint8 *buf = g_malloc(64 * 1024);
	const UbGptEntry *entry;
	UbPartition *part;

	g_assert_no_error(error);
	parts = ub_sim_storage_get_partitions(storage);
	g_assert_cmpuint(parts->len, >=, G_N_ELEMENTS(names));
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		part = ub_partition_array_find(parts, names[i]);
		g_assert_nonnull(part);
		g_assert_cmpstr(ub_partition_get_region(part), ==, "user");
	}
	for (guint i = 0; i < parts->len; i++) {
		part = g_ptr_array_index(parts, i);
		g_assert_cmpuint(ub_partition_get_size(part), >, 0);
		g_assert_cmpuint(ub_partition_get_end(part), <=, 64 * GiB);
		if (i > 0) {
			UbPartition *prev = g_ptr_array_index(parts, i - 1);
			g_assert_cmpuint(ub_partition_get_offset(part), >=, ub_partition_get_end(prev));
		}
	}
	/* believable sizes on a 64 GiB phone */
	g_assert_cmpuint(ub_partition_get_size(ub_partition_array_find(parts, "boot_a")), ==, 64 * MiB);
	g_assert_cmpuint(ub_partition_get_size(ub_partition_array_find(parts, "super")), ==, 8 * GiB);
	g_assert_cmpuint(ub_partition_get_size(ub_partition_array_find(parts, "userdata")), >, 50 * GiB);
	g_assert_true(ub_partition_is_calibration(ub_partition_array_find(parts, "modemst1")));

	/* slot A is the active one */
	g_assert_true(ub_sim_storage_read(storage, "user", 0, buf, 64 * 1024, &error));
	gpt = ub_gpt_parse(buf, 64 * 1024, 512, &error);
	g_assert_no_error(error);
	entry = ub_gpt_find_entry(gpt, "boot_a");
	g_assert_true(ub_gpt_entry_get_ab_active(entry));
	g_assert_cmpuint(ub_gpt_entry_get_ab_priority(entry), ==, 3);
	entry = ub_gpt_find_entry(gpt, "boot_b");
	g_assert_false(ub_gpt_entry_get_ab_active(entry));

	/* the boot areas have no partition table */
	g_assert_null(ub_partition_array_find(parts, "boot1"));
	g_clear_object(&storage);
	ub_sim_storage_test_rmdir(dir);
}

/* a small user area still gets the whole layout, scaled down */
static void
ub_sim_storage_small_func(void)
{
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:16M", &error);
	g_autoptr(GPtrArray) parts = NULL;

	g_assert_no_error(error);
	parts = ub_sim_storage_get_partitions(storage);
	g_assert_nonnull(ub_partition_array_find(parts, "boot_a"));
	g_assert_nonnull(ub_partition_array_find(parts, "userdata"));
	g_assert_cmpuint(ub_partition_get_end(ub_partition_array_find(parts, "userdata")),
			 <=,
			 16 * MiB);
	g_clear_object(&storage);
	ub_sim_storage_test_rmdir(dir);
}

static void
ub_sim_storage_partition_io_func(void)
{
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:1G", &error);
	g_autoptr(UbPartition) misc = NULL;
	g_autofree guint8 *buf = NULL;
	g_autofree guint8 *back = NULL;
	guint64 size;

	g_assert_no_error(error);
	misc = ub_sim_storage_find_partition(storage, "misc", &error);
	g_assert_no_error(error);
	size = ub_partition_get_size(misc);
	buf = g_malloc(size + 1);
	back = g_malloc0(size);
	memset(buf, 0x5a, size + 1);

	/* exactly the partition fits, one byte more is refused before anything is written */
	g_assert_false(ub_sim_storage_write_partition(storage, "misc", 0, buf, size + 1, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "do not fit in partition misc"));
	g_clear_error(&error);
	g_assert_true(ub_sim_storage_read(storage, "user", ub_partition_get_offset(misc), back, size, &error));
	g_assert_cmpuint(back[0], ==, 0);
	g_assert_true(ub_sim_storage_write_partition(storage, "misc", 0, buf, size, &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_storage_read(storage, "user", ub_partition_get_offset(misc), back, size, &error));
	g_assert_cmpmem(back, size, buf, size);

	/* erase reads back as zeros, and leaves the neighbours alone */
	g_assert_true(ub_sim_storage_erase_partition(storage, "misc", &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_storage_read_partition(storage, "misc", 0, back, size, &error));
	for (guint64 i = 0; i < size; i++)
		g_assert_cmpuint(back[i], ==, 0);

	g_assert_null(ub_sim_storage_find_partition(storage, "nonexistent", &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(ub_sim_storage_read_partition(storage, "nonexistent", 0, back, 1, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);

	g_clear_object(&storage);
	ub_sim_storage_test_rmdir(dir);
}

/* the phone sees the GPT the host writes, and falls back to the backup */
static void
ub_sim_storage_gpt_rewrite_func(void)
{
	const UbGptLayoutEntry layout[] = {
	    {"foo", 1 * MiB, NULL, 0, NULL},
	    {"bar", 0, NULL, 0, NULL},
	};
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:32M", &error);
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_autoptr(UbPartition) foo = NULL;
	g_autoptr(UbPartition) boot = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	guint8 junk[512];
	guint64 size;

	g_assert_no_error(error);
	boot = ub_sim_storage_find_partition(storage, "boot_a", &error);
	g_assert_no_error(error);
	g_assert_nonnull(boot);

	size = ub_sim_storage_get_region_size(storage, "user");
	g_assert_true(ub_gpt_build(layout, 2, 512, size, NULL, &primary, &backup, &error));
	g_assert_true(ub_sim_storage_write(storage,
					   "user",
					   0,
					   g_bytes_get_data(primary, NULL),
					   g_bytes_get_size(primary),
					   &error));
	g_assert_true(ub_sim_storage_write(storage,
					   "user",
					   size - g_bytes_get_size(backup),
					   g_bytes_get_data(backup, NULL),
					   g_bytes_get_size(backup),
					   &error));
	g_assert_no_error(error);
	foo = ub_sim_storage_find_partition(storage, "foo", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_partition_get_size(foo), ==, 1 * MiB);
	g_assert_null(ub_sim_storage_find_partition(storage, "boot_a", &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* a broken primary header: the backup still describes the disk */
	memset(junk, 0xee, sizeof(junk));
	g_assert_true(ub_sim_storage_write(storage, "user", 512, junk, sizeof(junk), &error));
	parts = ub_sim_storage_get_partitions(storage);
	g_assert_nonnull(ub_partition_array_find(parts, "foo"));
	g_assert_nonnull(ub_partition_array_find(parts, "bar"));
	g_clear_pointer(&parts, g_ptr_array_unref);

	/* both gone: no partitions at all */
	g_assert_true(ub_sim_storage_erase(storage, "user", size - 512, 512, &error));
	parts = ub_sim_storage_get_partitions(storage);
	g_assert_cmpuint(parts->len, ==, 0);

	g_clear_object(&storage);
	ub_sim_storage_test_rmdir(dir);
}

static void
ub_sim_storage_ufs_func(void)
{
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autofree gchar *dir2 = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "ufs:4:32G", &error);
	g_autoptr(UbSimStorage) storage2 = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_auto(GStrv) names = NULL;
	guint8 buf[8192] = {0};
	g_autoptr(UbGpt) gpt = NULL;

	g_assert_no_error(error);
	g_assert_cmpint(ub_sim_storage_get_kind(storage), ==, UB_SIM_STORAGE_KIND_UFS);
	g_assert_cmpuint(ub_sim_storage_get_sector_size(storage), ==, 4096);
	names = ub_sim_storage_get_region_names(storage);
	g_assert_cmpuint(g_strv_length(names), ==, 4);
	g_assert_cmpstr(names[0], ==, "lun0");
	g_assert_cmpstr(names[3], ==, "lun3");
	/* boot LUNs (lun1, lun2: Qualcomm's xbl copies) are small, the others have the given size */
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage, "lun0"), ==, 32 * GiB);
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage, "lun1"), ==, 8 * MiB);
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage, "lun2"), ==, 8 * MiB);
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage, "lun3"), ==, 32 * GiB);
	g_assert_false(ub_sim_storage_has_region(storage, "lun4"));
	g_assert_false(ub_sim_storage_has_region(storage, "user"));

	/* the layout is on lun0, with 4096-byte sectors */
	parts = ub_sim_storage_get_partitions(storage);
	g_assert_cmpstr(ub_partition_get_region(ub_partition_array_find(parts, "boot_a")), ==, "lun0");
	g_assert_cmpstr(ub_partition_get_region(ub_partition_array_find(parts, "userdata")), ==, "lun0");
	g_assert_true(ub_sim_storage_read(storage, "lun0", 0, buf, sizeof(buf), &error));
	g_assert_cmpmem(buf + 4096, 8, "EFI PART", 8);
	/* the other LUNs have empty tables */
	g_assert_true(ub_sim_storage_read(storage, "lun3", 0, buf, sizeof(buf), &error));
	g_assert_cmpmem(buf + 4096, 8, "EFI PART", 8);
	g_assert_true(ub_sim_storage_read(storage, "lun1", 0, buf, sizeof(buf), &error));
	g_assert_cmpmem(buf + 4096, 8, "EFI PART", 8);

	/* past the end of a boot LUN */
	g_assert_false(ub_sim_storage_write(storage, "lun1", 8 * MiB - 4096, buf, 8192, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "lun1: attempt to access beyond end of device"));
	g_clear_error(&error);

	/* with one or two LUNs there are no boot LUNs and lun0 holds the layout */
	storage2 = ub_sim_storage_open(dir2, "ufs:1:256M", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_storage_get_region_size(storage2, "lun0"), ==, 256 * MiB);
	g_assert_true(ub_sim_storage_read(storage2, "lun0", 0, buf, sizeof(buf), &error));
	gpt = ub_gpt_parse(buf, sizeof(buf), 4096, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA); /* 8 KiB is too short for it */
	g_clear_error(&error);
	g_clear_pointer(&parts, g_ptr_array_unref);
	parts = ub_sim_storage_get_partitions(storage2);
	g_assert_cmpstr(ub_partition_get_region(ub_partition_array_find(parts, "super")), ==, "lun0");

	g_clear_object(&storage);
	g_clear_object(&storage2);
	ub_sim_storage_test_rmdir(dir);
	ub_sim_storage_test_rmdir(dir2);
}

typedef struct {
	UbSimStorage *storage;
	guint rounds;
} UbSimStorageTestThread;

static gpointer
ub_sim_storage_writer_thread_cb(gpointer data)
{
	UbSimStorageTestThread *helper = data;
	guint8 buf[4096];
	for (guint i = 0; i < helper->rounds; i++) {
		g_autoptr(GError) error = NULL;
		memset(buf, (gint)(i & 0xff), sizeof(buf));
		g_assert_true(ub_sim_storage_write_partition(helper->storage,
							     "misc",
							     0,
							     buf,
							     sizeof(buf),
							     &error));
		g_assert_no_error(error);
	}
	return NULL;
}

/* a personality thread writes while the test thread reads */
static void
ub_sim_storage_threads_func(void)
{
	g_autofree gchar *dir = ub_sim_storage_test_mkdir();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, "emmc:64M", &error);
	UbSimStorageTestThread helper = {storage, 300};
	GThread *thread;

	g_assert_no_error(error);
	thread = g_thread_new("writer", ub_sim_storage_writer_thread_cb, &helper);
	for (guint i = 0; i < 100; i++) {
		g_autoptr(GPtrArray) parts = ub_sim_storage_get_partitions(storage);
		guint8 buf[4096];
		g_assert_nonnull(ub_partition_array_find(parts, "misc"));
		g_assert_true(ub_sim_storage_read_partition(storage, "misc", 0, buf, sizeof(buf), &error));
		g_assert_no_error(error);
		/* the GPT changing under the reader is seen too */
		g_assert_true(ub_sim_storage_write(storage, "user", 1024 + 127 * 128, buf, 1, &error));
	}
	g_thread_join(thread);
	g_clear_object(&storage);
	ub_sim_storage_test_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/sim/storage/parse-size", ub_sim_storage_parse_size_func);
	g_test_add_func("/ub/sim/storage/parse-geometry", ub_sim_storage_parse_geometry_func);
	g_test_add_func("/ub/sim/storage/sparse", ub_sim_storage_sparse_func);
	g_test_add_func("/ub/sim/storage/past-end", ub_sim_storage_past_end_func);
	g_test_add_func("/ub/sim/storage/reopen", ub_sim_storage_reopen_func);
	g_test_add_func("/ub/sim/storage/layout", ub_sim_storage_layout_func);
	g_test_add_func("/ub/sim/storage/small", ub_sim_storage_small_func);
	g_test_add_func("/ub/sim/storage/partition-io", ub_sim_storage_partition_io_func);
	g_test_add_func("/ub/sim/storage/gpt-rewrite", ub_sim_storage_gpt_rewrite_func);
	g_test_add_func("/ub/sim/storage/ufs", ub_sim_storage_ufs_func);
	g_test_add_func("/ub/sim/storage/threads", ub_sim_storage_threads_func);
	return g_test_run();
}
