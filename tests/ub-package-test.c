/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "formats/ub-package-source-dir.h"
#include "formats/ub-package.h"
#include "ub-core.h"

/* the model and the checks that need no device, on a package built by hand */

static void
ub_package_test_write_le16(guint8 *buf, guint16 v)
{
	buf[0] = v & 0xff;
	buf[1] = v >> 8;
}

static void
ub_package_test_write_le32(guint8 *buf, guint32 v)
{
	for (guint i = 0; i < 4; i++)
		buf[i] = (v >> (8 * i)) & 0xff;
}

typedef struct {
	gchar *dir;
	UbPackage *package;
} UbPackageFixture;

static void
ub_package_write(UbPackageFixture *fx, const gchar *rel, gsize size, guint8 fill)
{
	g_autofree gchar *path = g_build_filename(fx->dir, rel, NULL);
	g_autofree gchar *parent = g_path_get_dirname(path);
	g_autofree guint8 *buf = g_malloc(size + 1);
	memset(buf, fill, size);
	g_assert_cmpint(g_mkdir_with_parents(parent, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, NULL));
}

static UbPackagePartition *
ub_package_add(UbPackageFixture *fx, const gchar *name, guint64 start, guint64 size, const gchar *file)
{
	UbPackagePartition *part = ub_package_partition_new(name);
	part->region = g_strdup("EMMC_USER");
	part->start = start;
	part->size = size;
	part->file = g_strdup(file);
	part->download = file != NULL;
	ub_package_add_partition(fx->package, part);
	return part;
}

static void
ub_package_fixture_setup(UbPackageFixture *fx, gconstpointer data)
{
	g_autoptr(UbPackageSource) source = NULL;
	fx->dir = g_dir_make_tmp("ub-package-XXXXXX", NULL);
	source = ub_package_source_dir_new(fx->dir);
	fx->package = ub_package_new(source);
}

static void
ub_package_fixture_teardown(UbPackageFixture *fx, gconstpointer data)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(fx->dir);
	g_object_unref(fx->package);
}

static gboolean
ub_package_problems_contain(GPtrArray *problems, const gchar *a, const gchar *b)
{
	for (guint i = 0; i < problems->len; i++) {
		const gchar *p = g_ptr_array_index(problems, i);
		if (strstr(p, a) != NULL && (b == NULL || strstr(p, b) != NULL))
			return TRUE;
	}
	return FALSE;
}

static void
ub_package_clean_func(UbPackageFixture *fx, gconstpointer data)
{
	g_autoptr(GPtrArray) problems = NULL;
	g_autoptr(GError) error = NULL;
	ub_package_write(fx, "boot.img", 4096, 1);
	ub_package_write(fx, "images/system.img", 8192, 2);
	ub_package_add(fx, "boot", 0x100000, 0x2000, "boot.img");
	ub_package_add(fx, "system", 0x102000, 0x4000, "images/system.img");
	ub_package_add(fx, "userdata", 0x106000, UB_PACKAGE_UNKNOWN, NULL);
	problems = ub_package_check(fx->package, NULL);
	g_assert_cmpuint(problems->len, ==, 0);
	g_assert_true(ub_package_preflight(fx->package, NULL, &error));
	g_assert_no_error(error);
	g_assert_nonnull(ub_package_find_partition(fx->package, "system"));
	g_assert_null(ub_package_find_partition(fx->package, "vendor"));
}

static void
ub_package_problems_func(UbPackageFixture *fx, gconstpointer data)
{
	g_autoptr(GPtrArray) problems = NULL;
	g_autoptr(GError) error = NULL;
	ub_package_write(fx, "boot.img", 0x3000, 1);
	ub_package_add(fx, "boot", 0x100000, 0x2000, "boot.img");	  /* too large */
	ub_package_add(fx, "recovery", 0x102000, 0x2000, "recovery.img"); /* missing */
	ub_package_add(fx, "logo", 0x103000, 0x2000, NULL);		  /* overlaps recovery */
	problems = ub_package_check(fx->package, NULL);
	g_assert_cmpuint(problems->len, ==, 3);
	/* each names the partition, the file and what to do */
	g_assert_true(ub_package_problems_contain(problems, "boot: image boot.img", "larger than the partition"));
	g_assert_true(ub_package_problems_contain(problems, "recovery: recovery.img is missing", "untick"));
	g_assert_true(ub_package_problems_contain(problems, "recovery", "overlap"));
	g_assert_true(ub_package_problems_contain(problems, "logo", "overlap"));
	g_assert_false(ub_package_preflight(fx->package, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "larger than the partition"));
}

static void
ub_package_checksums_func(UbPackageFixture *fx, gconstpointer data)
{
	g_autoptr(GPtrArray) problems = NULL;
	/* "abc": md5 900150983cd24fb0d6963f7d28e17f72, byte sum 0x126 */
	g_autofree gchar *path = g_build_filename(fx->dir, "abc.img", NULL);
	g_autofree gchar *odd = g_build_filename(fx->dir, "odd.img", NULL);
	g_assert_true(g_file_set_contents(path, "abc", 3, NULL));
	g_assert_true(g_file_set_contents(odd, "ab", 2, NULL));
	ub_package_add_checksum(fx->package, "abc.img", G_CHECKSUM_MD5,
				"900150983CD24FB0D6963F7D28E17F72", "md5sum.xml");
	/* odd length: 0x61+0x62+0x63 + 0xff padding = 0x225 */
	ub_package_add_mtk_checksum(fx->package, "abc.img", 0x0225, "Checksum.ini");
	problems = ub_package_check(fx->package, NULL);
	g_assert_cmpuint(problems->len, ==, 0);
	g_clear_pointer(&problems, g_ptr_array_unref);
	/* even length, wrong value: named with both values */
	ub_package_add_mtk_checksum(fx->package, "odd.img", 0x1234, "Checksum.ini");
	problems = ub_package_check(fx->package, NULL);
	g_assert_cmpuint(problems->len, ==, 1);
	g_assert_true(ub_package_problems_contain(problems, "odd.img does not match Checksum.ini", "0x00c3"));
}

static void
ub_package_write_sparse_fill(UbPackageFixture *fx, const gchar *rel, guint32 blocks)
{
	g_autofree gchar *path = g_build_filename(fx->dir, rel, NULL);
	guint8 buf[44] = {0};
	/* header: magic, 1.0, 28, 12, 4096-byte blocks, blocks, 1 chunk, no checksum */
	ub_package_test_write_le32(buf + 0, 0xed26ff3a);
	ub_package_test_write_le16(buf + 4, 1);
	ub_package_test_write_le16(buf + 8, 28);
	ub_package_test_write_le16(buf + 10, 12);
	ub_package_test_write_le32(buf + 12, 4096);
	ub_package_test_write_le32(buf + 16, blocks);
	ub_package_test_write_le32(buf + 20, 1);
	/* one FILL chunk covering everything */
	ub_package_test_write_le16(buf + 28, 0xcac2);
	ub_package_test_write_le32(buf + 32, blocks);
	ub_package_test_write_le32(buf + 36, 16);
	ub_package_test_write_le32(buf + 40, 0x11223344);
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, sizeof(buf), NULL));
}

static void
ub_package_sparse_func(UbPackageFixture *fx, gconstpointer data)
{
	g_autoptr(GPtrArray) problems = NULL;
	UbPackagePartition *part;
	/* 44 bytes on disk, 16 blocks (64 KiB) expanded: the expanded size counts */
	ub_package_write_sparse_fill(fx, "super.img", 16);
	ub_package_write(fx, "broken.img", 100, 0x3a);
	part = ub_package_add(fx, "super", 0x100000, 0x10000, "super.img");
	part->sparse = TRUE;
	problems = ub_package_check(fx->package, NULL);
	g_assert_cmpuint(problems->len, ==, 0);
	g_clear_pointer(&problems, g_ptr_array_unref);
	part->size = 0x8000;
	problems = ub_package_check(fx->package, NULL);
	g_assert_cmpuint(problems->len, ==, 1);
	g_test_message("%s", (const gchar *)g_ptr_array_index(problems, 0));
	g_assert_true(ub_package_problems_contain(problems, "super: image super.img (64.0", "larger than the partition (32.0"));
	g_clear_pointer(&problems, g_ptr_array_unref);
	part = ub_package_add(fx, "system", 0x200000, 0x10000, "broken.img");
	part->sparse = TRUE;
	problems = ub_package_check(fx->package, NULL);
	g_assert_true(ub_package_problems_contain(problems, "system: broken.img is not a valid sparse image", NULL));
}

static void
ub_package_source_safety_func(UbPackageFixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) stream = NULL;
	UbPackageSource *source = ub_package_get_source(fx->package);
	const gchar *bad[] = {"../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b", ""};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(ub_package_source_path_is_safe(bad[i]));
	g_assert_true(ub_package_source_path_is_safe("images/boot.img"));
	stream = ub_package_source_open(source, "../../etc/passwd", NULL, &error);
	g_assert_null(stream);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "would leave the package"));
}

static void
ub_package_source_dir_func(UbPackageFixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autofree gchar *link = g_build_filename(fx->dir, "escape", NULL);
	UbPackageSource *source = ub_package_get_source(fx->package);
	ub_package_write(fx, "flash_all.sh", 10, 'x');
	ub_package_write(fx, "images/boot.img", 100, 'y');
	/* a link out of the package is neither listed nor followed in listings */
	g_assert_cmpint(symlink("/etc", link), ==, 0);
	files = ub_package_source_list(source, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(files->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(files, 0), ==, "flash_all.sh");
	g_assert_cmpstr(g_ptr_array_index(files, 1), ==, "images/boot.img");
	bytes = ub_package_source_load(source, "images/boot.img", 1024, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(bytes), ==, 100);
	g_clear_pointer(&bytes, g_bytes_unref);
	/* a table larger than expected is refused before being read */
	bytes = ub_package_source_load(source, "images/boot.img", 50, NULL, &error);
	g_assert_null(bytes);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

static void
ub_package_calibration_func(void)
{
	g_autoptr(UbPackagePartition) nv = ub_package_partition_new("nvdata");
	g_autoptr(UbPackagePartition) boot = ub_package_partition_new("boot_a");
	g_assert_true(nv->calibration);
	g_assert_nonnull(nv->calibration_reason);
	g_assert_false(boot->calibration);
	g_assert_cmpint(boot->lun, ==, -1);
	g_assert_cmpuint(boot->start, ==, UB_PACKAGE_UNKNOWN);
	for (guint i = 0; i < UB_PACKAGE_STEP_LAST; i++)
		g_assert_cmpstr(ub_package_step_kind_to_string(i), !=, "unknown");
	for (guint i = 1; i < UB_PACKAGE_FORMAT_LAST; i++)
		g_assert_cmpstr(ub_package_format_to_string(i), !=, "unknown");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, func)                                                                            \
	g_test_add(path, UbPackageFixture, NULL, ub_package_fixture_setup, func,                \
		   ub_package_fixture_teardown)
	ADD("/ub/formats/package/clean", ub_package_clean_func);
	ADD("/ub/formats/package/problems", ub_package_problems_func);
	ADD("/ub/formats/package/checksums", ub_package_checksums_func);
	ADD("/ub/formats/package/sparse", ub_package_sparse_func);
	ADD("/ub/formats/package/source-safety", ub_package_source_safety_func);
	ADD("/ub/formats/package/source-dir", ub_package_source_dir_func);
#undef ADD
	g_test_add_func("/ub/formats/package/calibration", ub_package_calibration_func);
	return g_test_run();
}
