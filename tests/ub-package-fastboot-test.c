/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "formats/ub-package-fastboot.h"
#include "formats/ub-package-source-dir.h"
#include "ub-error.h"

static void
ub_package_fastboot_test_copy(const gchar *from_dir, const gchar *name, const gchar *to_dir)
{
	g_autofree gchar *src = g_build_filename(from_dir, name, NULL);
	g_autofree gchar *dst = g_build_filename(to_dir, name, NULL);
	g_autofree gchar *data = NULL;
	g_autoptr(GError) error = NULL;
	gsize datasz = 0;
	g_file_get_contents(src, &data, &datasz, &error);
	g_assert_no_error(error);
	g_file_set_contents(dst, data, (gssize)datasz, &error);
	g_assert_no_error(error);
}

static void
ub_package_fastboot_test_write(const gchar *dir, const gchar *name, const gchar *text)
{
	g_autofree gchar *dst = g_build_filename(dir, name, NULL);
	g_autofree gchar *parent = g_path_get_dirname(dst);
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
	g_file_set_contents(dst, text, -1, &error);
	g_assert_no_error(error);
}

static void
ub_package_fastboot_test_rm_rf(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			ub_package_fastboot_test_rm_rf(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static gboolean
ub_package_fastboot_test_has_warning(UbPackage *pkg, const gchar *needle)
{
	GPtrArray *warnings = ub_package_get_warnings(pkg);
	for (guint i = 0; i < warnings->len; i++) {
		if (strstr(g_ptr_array_index(warnings, i), needle) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* the raphaelin ROM as a folder: scripts, misc.txt, md5sum.xml, two images */
static void
ub_package_fastboot_raphaelin_func(void)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	const gchar *scripts[] = {"flash_all.sh",
				  "flash_all.bat",
				  "flash_all_except_storage.sh",
				  "flash_all_lock.sh",
				  "misc.txt",
				  NULL};
	g_autofree gchar *from = NULL;
	g_autofree gchar *tmp = NULL;
	g_autofree gchar *images = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(GPtrArray) problems = NULL;
	GPtrArray *plans;
	GPtrArray *parts;
	UbPackagePlan *plan;
	UbPackageStep *step;
	UbPackagePartition *part;

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return;
	}
	from = g_build_filename(corpus, "xiaomi-fastboot", "raphaelin", NULL);
	if (!g_file_test(from, G_FILE_TEST_IS_DIR)) {
		g_test_skip("corpus folder missing");
		return;
	}
	tmp = g_dir_make_tmp("ub-package-fastboot-XXXXXX", &error);
	g_assert_no_error(error);
	images = g_build_filename(tmp, "images", NULL);
	g_assert_cmpint(g_mkdir(images, 0755), ==, 0);
	for (guint i = 0; scripts[i] != NULL; i++)
		ub_package_fastboot_test_copy(from, scripts[i], tmp);
	ub_package_fastboot_test_copy(from, "md5sum.xml", images);
	/* "abc": md5 900150983cd24fb0d6963f7d28e17f72, not what md5sum.xml says */
	ub_package_fastboot_test_write(tmp, "images/boot.img", "abc");
	ub_package_fastboot_test_write(tmp, "images/system.img", "abc");

	source = ub_package_source_dir_new(tmp);
	pkg = ub_package_new(source);
	g_assert_true(ub_package_load_fastboot_rom(pkg, "flash_all.sh", NULL, NULL, &error));
	g_assert_no_error(error);

	g_assert_cmpint(ub_package_get_format(pkg), ==, UB_PACKAGE_FORMAT_FASTBOOT_ROM);
	g_assert_cmpstr(ub_package_get_product(pkg), ==, "raphaelin");
	g_assert_cmpstr(ub_package_get_version(pkg), ==, "V12.0.5.0.QFKINXM");
	g_assert_cmpstr(g_hash_table_lookup(ub_package_get_requirements(pkg), "product"), ==, "raphaelin*");
	g_assert_cmpstr(g_hash_table_lookup(ub_package_get_requirements(pkg), "anti"), ==, "1");

	/* one plan per script; the .bat and .sh of flash_all agree */
	plans = ub_package_get_plans(pkg);
	g_assert_cmpuint(plans->len, ==, 3);
	g_assert_false(ub_package_fastboot_test_has_warning(pkg, "describe different plans"));
	plan = ub_package_find_plan(pkg, "flash_all");
	g_assert_nonnull(plan);
	g_assert_true(plan->destructive);
	/* anti, product, erase boot, 44 flashes, erase secdata, reboot */
	g_assert_cmpuint(plan->steps->len, ==, 49);
	step = g_ptr_array_index(plan->steps, 0);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_CHECK_ANTI);
	g_assert_cmpstr(step->value, ==, "1");
	step = g_ptr_array_index(plan->steps, 1);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_REQUIRE_VAR);
	g_assert_cmpstr(step->arg, ==, "product");
	g_assert_cmpstr(step->value, ==, "raphaelin*");
	/* the plan follows the .bat */
	g_assert_cmpstr(step->line, ==, "flash_all.bat:7");
	step = g_ptr_array_index(plan->steps, 3);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_FLASH);
	g_assert_cmpstr(step->partition, ==, "crclist");
	g_assert_cmpstr(step->file, ==, "images/crclist.txt");
	step = g_ptr_array_index(plan->steps, 48);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_REBOOT);
	plan = ub_package_find_plan(pkg, "flash_all_except_storage");
	g_assert_nonnull(plan);
	g_assert_false(plan->destructive);
	g_assert_cmpuint(plan->steps->len, ==, 47);
	plan = ub_package_find_plan(pkg, "flash_all_lock");
	g_assert_nonnull(plan);
	g_assert_true(plan->destructive);
	step = g_ptr_array_index(plan->steps, plan->steps->len - 1);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_OEM);
	g_assert_cmpstr(step->value, ==, "lock");

	/* 44 flashed partitions and the erased secdata */
	parts = ub_package_get_partitions(pkg);
	g_assert_cmpuint(parts->len, ==, 45);
	part = ub_package_find_partition(pkg, "boot");
	g_assert_nonnull(part);
	g_assert_cmpstr(part->operation, ==, "flash");
	g_assert_cmpstr(part->file, ==, "images/boot.img");
	g_assert_true(part->download);
	g_assert_cmpuint(part->start, ==, UB_PACKAGE_UNKNOWN);
	part = ub_package_find_partition(pkg, "secdata");
	g_assert_nonnull(part);
	g_assert_cmpstr(part->operation, ==, "erase");
	g_assert_null(part->file);
	g_assert_false(part->download);

	/* md5sum.xml: 77 of its 79 files are absent; the two present are checked */
	g_assert_true(ub_package_fastboot_test_has_warning(pkg, "lists 77 files the package does not have"));
	problems = ub_package_check(pkg, NULL);
	for (guint i = 0; i < problems->len; i++)
		g_test_message("%s", (const gchar *)g_ptr_array_index(problems, i));
	{
		guint mismatches = 0;
		for (guint i = 0; i < problems->len; i++) {
			const gchar *p = g_ptr_array_index(problems, i);
			if (strstr(p, "does not match") != NULL && strstr(p, "md5sum.xml") != NULL)
				mismatches++;
		}
		g_assert_cmpuint(mismatches, ==, 2);
	}
	ub_package_fastboot_test_rm_rf(tmp);
}

/* a small A/B ROM with an anti_version.txt, an image path escaping the folder
 * and .sh/.bat twins that disagree */
static void
ub_package_fastboot_ab_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("ub-package-fastboot-XXXXXX", &error);
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	UbPackagePlan *plan;
	UbPackagePartition *part;
	UbPackageStep *step;

	g_assert_no_error(error);
	ub_package_fastboot_test_write(tmp,
				       "rom/flash_all.sh",
				       "fastboot $* getvar product 2>&1 | grep \"^product: *liuqin\"\n"
				       "CURRENT_ANTI_VER=`cat $(dirname $0)/images/anti_version.txt`\n"
				       "ver=`fastboot $* getvar anti 2>&1 | grep -oP \"anti: \\K[0-9]+\"`\n"
				       "fastboot $* erase boot_ab\n"
				       "fastboot $* flash boot_ab `dirname $0`/images/boot.img\n"
				       "fastboot $* flash persist `dirname $0`/../persist.img\n"
				       "fastboot $* set_active a\n"
				       "fastboot $* reboot\n");
	ub_package_fastboot_test_write(tmp,
				       "rom/flash_all.bat",
				       "fastboot %* getvar product 2>&1 | findstr /r /c:\"^product: *liuqin\" || exit /B 1\n"
				       "if exist \"%~dp0images\\anti_version.txt\" (for /f \"usebackq\" %%a in (\"%~dp0images\\anti_version.txt\") do (set CURRENT_ANTI_VER=%%a))\n"
				       "for /f \"tokens=2 delims=: \" %%i in ('fastboot %* getvar anti 2^>^&1') do (set version=%%i)\n"
				       "fastboot %* erase boot_ab\n"
				       "fastboot %* flash boot_ab %~dp0images\\boot.img\n"
				       "fastboot %* reboot\n");
	ub_package_fastboot_test_write(tmp, "rom/images/anti_version.txt", "3\n");
	ub_package_fastboot_test_write(tmp, "rom/images/boot.img", "x");

	source = ub_package_source_dir_new(tmp);
	pkg = ub_package_new(source);
	g_assert_true(ub_package_load_fastboot_rom(pkg, "rom", NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(g_hash_table_lookup(ub_package_get_requirements(pkg), "anti"), ==, "3");
	g_assert_true(ub_package_fastboot_test_has_warning(pkg, "rom/flash_all.sh:6: image path leaves the package"));
	g_assert_true(ub_package_fastboot_test_has_warning(pkg, "describe different plans"));
	plan = ub_package_find_plan(pkg, "flash_all");
	g_assert_nonnull(plan);
	/* the .bat leads: product, anti, erase, flash, reboot */
	g_assert_cmpuint(plan->steps->len, ==, 5);
	step = g_ptr_array_index(plan->steps, 3);
	g_assert_cmpstr(step->partition, ==, "boot_ab");
	g_assert_cmpstr(step->file, ==, "rom/images/boot.img");
	part = ub_package_find_partition(pkg, "boot");
	g_assert_nonnull(part);
	g_assert_cmpstr(part->slot, ==, "ab");
	g_assert_cmpstr(part->file, ==, "rom/images/boot.img");
	g_assert_null(ub_package_find_partition(pkg, "persist"));
	ub_package_fastboot_test_rm_rf(tmp);
}

/* blueline's factory image: scripts and android-info.txt beside an image zip whose
 * listing the source provides as "image-NAME.zip/..." */
static void
ub_package_fastboot_google_func(void)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *from = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = NULL;
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	GHashTable *reqs;
	UbPackagePlan *plan;
	UbPackageStep *step;

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return;
	}
	from = g_build_filename(corpus, "android-factory", "blueline-pq1a", NULL);
	if (!g_file_test(from, G_FILE_TEST_IS_DIR)) {
		g_test_skip("corpus folder missing");
		return;
	}
	tmp = g_dir_make_tmp("ub-package-fastboot-XXXXXX", &error);
	g_assert_no_error(error);
	ub_package_fastboot_test_copy(from, "flash-all.sh", tmp);
	ub_package_fastboot_test_copy(from, "flash-all.bat", tmp);
	ub_package_fastboot_test_copy(from, "android-info.txt", tmp);
	/* the zip is not a zip here: the listing is enough to show it is missing */
	source = ub_package_source_dir_new(tmp);
	pkg = ub_package_new(source);
	g_assert_true(ub_package_load_google_factory(pkg, "flash-all.sh", NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_package_get_format(pkg), ==, UB_PACKAGE_FORMAT_GOOGLE_FACTORY);
	g_assert_cmpstr(ub_package_get_version(pkg), ==, "blueline-pq1a.181105.017.a1");
	reqs = ub_package_get_requirements(pkg);
	g_assert_cmpstr(g_hash_table_lookup(reqs, "product"), ==, "crosshatch|blueline");
	g_assert_cmpstr(g_hash_table_lookup(reqs, "version-bootloader"), ==, "b1c1-0.1-5004167");
	g_assert_cmpstr(g_hash_table_lookup(reqs, "version-baseband"), ==, "g845-00023-180917-B-5014671");
	g_assert_cmpstr(g_hash_table_lookup(reqs, "partition-exists"), ==, "product");
	g_assert_true(ub_package_fastboot_test_has_warning(pkg, "image-blueline-pq1a.181105.017.a1.zip is missing"));
	plan = ub_package_find_plan(pkg, "flash-all");
	g_assert_nonnull(plan);
	g_assert_true(plan->destructive);
	/* bootloader, reboot, radio, reboot, final reboot */
	g_assert_cmpuint(plan->steps->len, ==, 5);
	step = g_ptr_array_index(plan->steps, 0);
	g_assert_cmpstr(step->partition, ==, "bootloader");
	g_assert_cmpstr(step->file, ==, "bootloader-blueline-b1c1-0.1-5004167.img");
	step = g_ptr_array_index(plan->steps, 1);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_REBOOT);
	g_assert_cmpstr(step->value, ==, "bootloader");
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 2);
	ub_package_fastboot_test_rm_rf(tmp);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/package-fastboot/raphaelin", ub_package_fastboot_raphaelin_func);
	g_test_add_func("/ub/formats/package-fastboot/ab", ub_package_fastboot_ab_func);
	g_test_add_func("/ub/formats/package-fastboot/google", ub_package_fastboot_google_func);
	return g_test_run();
}
