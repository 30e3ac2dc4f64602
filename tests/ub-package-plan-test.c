/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "fastboot/ub-fastboot-device.h"
#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "ub-core.h"
#include "ub-memory-transport.h"
#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-storage.h"
#include "ub-test-device.h"

/* packages as plans: conversion of the corpus packages, and end to end into
 * the simulated bootloader in this process */

static void
ub_test_rm_rf(const gchar *dir)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(cmd), ==, 0);
}

/* a small image whose bytes depend on its name */
static GBytes *
ub_test_image(const gchar *name, gsize size)
{
	guint8 *buf = g_malloc(size);
	guint seed = g_str_hash(name);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(((i + seed) * 2654435761u) >> 24);
	return g_bytes_new_take(buf, size);
}

static void
ub_test_write(const gchar *path, GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path,
					  g_bytes_get_data(blob, NULL),
					  g_bytes_get_size(blob),
					  &error));
	g_assert_no_error(error);
}

static gchar *
ub_test_corpus(const gchar *subdir)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *dir = NULL;
	if (corpus == NULL)
		return NULL;
	dir = g_build_filename(corpus, subdir, NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return NULL;
	return g_steal_pointer(&dir);
}

/* a copy of a corpus folder with every "images/NAME" its scripts name, @keep
 * (when set) filtering the script lines that flash or erase a partition */
static gchar *
ub_test_copy_xiaomi(const gchar *subdir, gboolean (*keep)(const gchar *partition))
{
	g_autofree gchar *src = ub_test_corpus(subdir);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = NULL;
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GRegex) re_image = NULL;
	g_autoptr(GRegex) re_part = NULL;
	const gchar *name;

	if (src == NULL)
		return NULL;
	tmp = g_dir_make_tmp("ub-package-plan-XXXXXX", &error);
	g_assert_no_error(error);
	re_image = g_regex_new("images/([A-Za-z0-9_.-]+)", 0, 0, &error);
	g_assert_no_error(error);
	re_part = g_regex_new("fastboot (\\$\\*|%\\*) (flash|erase) ([A-Za-z0-9_]+)", 0, 0, &error);
	g_assert_no_error(error);
	dir = g_dir_open(src, 0, &error);
	g_assert_no_error(error);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(src, name, NULL);
		g_autofree gchar *dst = g_build_filename(tmp, name, NULL);
		g_autofree gchar *text = NULL;
		g_auto(GStrv) lines = NULL;
		g_autoptr(GString) out = g_string_new(NULL);
		gboolean skip_next_if = FALSE;
		gsize len = 0;
		g_assert_true(g_file_get_contents(path, &text, &len, &error));
		lines = g_strsplit(text, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autoptr(GMatchInfo) mi = NULL;
			if (skip_next_if && g_str_has_prefix(lines[i], "if [ $? -ne 0 ]")) {
				skip_next_if = FALSE;
				continue;
			}
			skip_next_if = FALSE;
			if (keep != NULL && g_regex_match(re_part, lines[i], 0, &mi)) {
				g_autofree gchar *part = g_match_info_fetch(mi, 3);
				if (!keep(part)) {
					skip_next_if = TRUE;
					continue;
				}
			}
			g_clear_pointer(&mi, g_match_info_unref);
			if (g_regex_match(re_image, lines[i], 0, &mi)) {
				g_autofree gchar *image = g_match_info_fetch(mi, 1);
				g_autofree gchar *ipath = g_build_filename(tmp, "images", image, NULL);
				g_autoptr(GBytes) blob = ub_test_image(image, 4096 + 17);
				if (!g_file_test(ipath, G_FILE_TEST_EXISTS))
					ub_test_write(ipath, blob);
			}
			g_string_append_printf(out, "%s%s", i > 0 ? "\n" : "", lines[i]);
		}
		g_assert_true(g_file_set_contents(dst, out->str, out->len, &error));
		g_assert_no_error(error);
	}
	return g_steal_pointer(&tmp);
}

static UbPlanOp *
ub_test_find_op(UbPlan *plan, UbPlanOpKind kind, const gchar *partition, guint *index)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (op->kind == kind && g_strcmp0(op->partition, partition) == 0) {
			if (index != NULL)
				*index = i;
			return op;
		}
	}
	return NULL;
}

static void
ub_package_plan_xiaomi_corpus_func(void)
{
	g_autofree gchar *dir = ub_test_copy_xiaomi("xiaomi-fastboot/raphaelin", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPlan) keep = NULL;
	g_autoptr(UbPlan) clean = NULL;
	g_autoptr(UbPlan) lock = NULL;
	UbPackagePlanOptions options = {.verify = TRUE, .slot = "all"};
	UbPackageData data = UB_PACKAGE_DATA_WIPE;
	UbPlanOp *op;
	GPtrArray *ops;
	guint idx = 0;

	if (dir == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	pkg = ub_package_open(dir, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_package_plan_id_for_mode(pkg, "keep-data", &data, &error),
			==,
			"flash_all_except_storage");
	g_assert_cmpint(data, ==, UB_PACKAGE_DATA_AS_PACKAGE);
	g_assert_cmpstr(ub_package_plan_id_for_mode(pkg, "clean-all", NULL, &error), ==, "flash_all");
	g_assert_cmpstr(ub_package_plan_id_for_mode(pkg, "clean-all-lock", NULL, &error),
			==,
			"flash_all_lock");
	g_assert_null(ub_package_plan_id_for_mode(pkg, "wipe-everything", NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* keep-data: the checks, then the script's steps, images from the package */
	keep = ub_package_plan_for_mode(pkg, "keep-data", &options, &error);
	g_assert_no_error(error);
	ops = ub_plan_get_ops(keep);
	op = g_ptr_array_index(ops, 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_CHECK_ANTI);
	g_assert_cmpstr(op->value, ==, "1");
	op = g_ptr_array_index(ops, 1);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_REQUIRE_VAR);
	g_assert_cmpstr(op->variable, ==, "product");
	g_assert_cmpstr(op->value, ==, "raphaelin*");
	op = g_ptr_array_index(ops, 2);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_ERASE);
	g_assert_cmpstr(op->partition, ==, "boot");
	op = ub_test_find_op(keep, UB_PLAN_OP_WRITE, "xblbak", NULL);
	g_assert_nonnull(op);
	g_assert_true(op->package == pkg);
	g_assert_cmpstr(op->file, ==, "images/xbl.elf");
	g_assert_null(op->path);
	g_assert_cmpstr(op->slot, ==, "all");
	g_assert_cmpstr(op->origin, !=, NULL);
	g_assert_null(ub_test_find_op(keep, UB_PLAN_OP_WRITE, "userdata", NULL));
	g_assert_null(ub_test_find_op(keep, UB_PLAN_OP_WRITE, "metadata", NULL));
	op = g_ptr_array_index(ops, ops->len - 1);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_REBOOT);
	g_assert_cmpint(op->reboot_mode, ==, UB_REBOOT_MODE_SYSTEM);
	g_assert_true(ub_plan_get_verify(keep));
	/* every image is in the package: pre-flight passes without a phone */
	g_assert_true(ub_plan_preflight(keep, NULL, &error));
	g_assert_no_error(error);

	/* clean-all writes userdata and metadata */
	clean = ub_package_plan_for_mode(pkg, "clean-all", NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(ub_test_find_op(clean, UB_PLAN_OP_WRITE, "userdata", &idx));
	g_assert_cmpint(ub_plan_get_ops(clean)->len, ==, ops->len + 2);

	/* clean-all-lock ends with oem lock, refused without consent */
	lock = ub_package_plan_for_mode(pkg, "clean-all-lock", NULL, &error);
	g_assert_no_error(error);
	ops = ub_plan_get_ops(lock);
	op = g_ptr_array_index(ops, ops->len - 1);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_COMMAND);
	g_assert_cmpstr(op->value, ==, "oem lock");
	g_assert_false(ub_plan_preflight(lock, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "locking with a modified image bricks the phone"));
	g_clear_error(&error);
	ub_plan_set_allow_lock(lock, TRUE);
	g_assert_true(ub_plan_preflight(lock, NULL, &error));
	g_assert_no_error(error);

	/* a bad slot option */
	options.slot = "c";
	g_assert_null(ub_package_plan_for_mode(pkg, "keep-data", &options, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	ub_test_rm_rf(dir);
}

static void
ub_package_plan_cereus_func(void)
{
	g_autofree gchar *dir = ub_test_copy_xiaomi("xiaomi-fastboot/cereus", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	if (dir == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	pkg = ub_package_open(dir, NULL, NULL, &error);
	g_assert_no_error(error);
	/* only flash_all_lock: keep-data cannot be done with it */
	g_assert_null(ub_package_plan_for_mode(pkg, "keep-data", NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "flash_all_except_storage"));
	ub_test_rm_rf(dir);
}

/* a zip of @names (NULL-terminated), each a small generated image */
static void
ub_test_write_zip(const gchar *path, const gchar *const *names)
{
	struct archive *a = archive_write_new();
	g_assert_cmpint(archive_write_set_format_zip(a), ==, ARCHIVE_OK);
	g_assert_cmpint(archive_write_open_filename(a, path), ==, ARCHIVE_OK);
	for (guint i = 0; names[i] != NULL; i++) {
		g_autoptr(GBytes) blob = ub_test_image(names[i], 8192 + i);
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, names[i]);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)g_bytes_get_size(blob));
		g_assert_cmpint(archive_write_header(a, ae), ==, ARCHIVE_OK);
		g_assert_cmpint(archive_write_data(a,
						   g_bytes_get_data(blob, NULL),
						   g_bytes_get_size(blob)),
				==,
				(la_ssize_t)g_bytes_get_size(blob));
		archive_entry_free(ae);
	}
	g_assert_cmpint(archive_write_close(a), ==, ARCHIVE_OK);
	archive_write_free(a);
}

static void
ub_package_plan_google_corpus_func(void)
{
	g_autofree gchar *src = ub_test_corpus("android-factory/blueline-pq1a");
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPlan) keep = NULL;
	g_autoptr(UbPlan) clean = NULL;
	g_autofree gchar *tmp = NULL;
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *zip = NULL;
	const gchar *images[] = {"boot.img", "dtbo.img", "vbmeta.img", "system.img",
				 "vendor.img", "product.img", "android-info.txt", NULL};
	const gchar *loose[] = {"bootloader-blueline-b1c1-0.1-5004167.img",
				"radio-blueline-g845-00023-180917-b-5014671.img", NULL};
	UbPackageData data = UB_PACKAGE_DATA_AS_PACKAGE;
	UbPlanOp *op;
	GPtrArray *ops;

	if (src == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	tmp = g_dir_make_tmp("ub-package-plan-XXXXXX", &error);
	g_assert_no_error(error);
	cmd = g_strdup_printf("cp -r '%s'/. '%s'/", src, tmp);
	g_assert_cmpint(system(cmd), ==, 0);
	zip = g_build_filename(tmp, "image-blueline-pq1a.181105.017.a1.zip", NULL);
	ub_test_write_zip(zip, images);
	for (guint i = 0; loose[i] != NULL; i++) {
		g_autofree gchar *path = g_build_filename(tmp, loose[i], NULL);
		g_autoptr(GBytes) blob = ub_test_image(loose[i], 4096);
		ub_test_write(path, blob);
	}
	pkg = ub_package_open(tmp, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ub_package_get_format(pkg), ==, UB_PACKAGE_FORMAT_GOOGLE_FACTORY);

	g_assert_cmpstr(ub_package_plan_id_for_mode(pkg, "keep-data", &data, &error), ==, "flash-all");
	g_assert_cmpint(data, ==, UB_PACKAGE_DATA_KEEP);
	g_assert_cmpstr(ub_package_plan_id_for_mode(pkg, "clean-all", &data, &error), ==, "flash-all");
	g_assert_cmpint(data, ==, UB_PACKAGE_DATA_WIPE);
	g_assert_null(ub_package_plan_id_for_mode(pkg, "clean-all-lock", NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);

	/* keep-data: flash-all without -w; android-info's board check comes first */
	keep = ub_package_plan_for_mode(pkg, "keep-data", NULL, &error);
	g_assert_no_error(error);
	ops = ub_plan_get_ops(keep);
	op = g_ptr_array_index(ops, 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_REQUIRE_VAR);
	g_assert_cmpstr(op->variable, ==, "product");
	g_assert_cmpstr(op->value, ==, "crosshatch|blueline");
	op = g_ptr_array_index(ops, 1);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_WRITE);
	g_assert_cmpstr(op->partition, ==, "bootloader");
	op = g_ptr_array_index(ops, 2);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_REBOOT);
	g_assert_cmpint(op->reboot_mode, ==, UB_REBOOT_MODE_BOOTLOADER);
	op = ub_test_find_op(keep, UB_PLAN_OP_WRITE, "radio", NULL);
	g_assert_nonnull(op);
	g_assert_cmpstr(op->file, ==, "radio-blueline-g845-00023-180917-b-5014671.img");
	g_assert_true(op->package == pkg);
	/* the images inside the zip join the plan once a folder source lists nested
	 * archives (today: a warning, see ub-package-fastboot.c) */
	op = ub_test_find_op(keep, UB_PLAN_OP_WRITE, "system", NULL);
	if (op != NULL)
		g_assert_cmpstr(op->file, ==, "image-blueline-pq1a.181105.017.a1.zip/system.img");
	g_assert_null(ub_test_find_op(keep, UB_PLAN_OP_ERASE, "userdata", NULL));
	g_assert_null(ub_test_find_op(keep, UB_PLAN_OP_ERASE, "metadata", NULL));
	/* images inside the zip are sized from the archive, not extracted */
	g_assert_true(ub_plan_preflight(keep, NULL, &error));
	g_assert_no_error(error);

	/* clean-all: the wipe of fastboot -w, before the final reboot */
	clean = ub_package_plan_for_mode(pkg, "clean-all", NULL, &error);
	g_assert_no_error(error);
	op = ub_test_find_op(clean, UB_PLAN_OP_ERASE, "userdata", NULL);
	g_assert_nonnull(op);
	g_assert_cmpstr(op->value, ==, "format");
	g_assert_nonnull(ub_test_find_op(clean, UB_PLAN_OP_ERASE, "metadata", NULL));
	ops = ub_plan_get_ops(clean);
	op = g_ptr_array_index(ops, ops->len - 1);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_REBOOT);
	ub_test_rm_rf(tmp);
}

/* the simulated bootloader in a thread, the engine on the other end of a memory pipe */
typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	UbDevice *device;
	gboolean sim_ret;
	GError *sim_error;
} Fixture;

static gpointer
ub_test_sim_thread_cb(gpointer data)
{
	Fixture *fx = data;
	fx->sim_ret = ub_sim_personality_serve(fx->sim, fx->dev, NULL, &fx->sim_error);
	return NULL;
}

static void
fixture_start(Fixture *fx, const gchar *layout, const gchar *product)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) faults = ub_sim_faults_new_from_string(NULL, &error);
	g_assert_no_error(error);
	fx->tmpdir = g_dir_make_tmp("ub-package-plan-sim-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, "emmc:8G", &error);
	g_assert_no_error(error);
	fx->sim = ub_sim_fastboot_new(fx->storage, faults);
	if (layout != NULL) {
		g_assert_true(ub_sim_fastboot_set_layout(UB_SIM_FASTBOOT(fx->sim), layout, &error));
		g_assert_no_error(error);
	}
	if (product != NULL)
		ub_sim_fastboot_set_product(UB_SIM_FASTBOOT(fx->sim), product);
	ub_sim_fastboot_set_unlocked(UB_SIM_FASTBOOT(fx->sim), TRUE);
	ub_memory_transport_new_pair(512, &fx->host, &fx->dev);
	fx->thread = g_thread_new("sim", ub_test_sim_thread_cb, fx);
	fx->device = ub_fastboot_device_new(fx->host, FALSE);
}

static void
fixture_stop(Fixture *fx)
{
	ub_transport_close(fx->host);
	g_thread_join(fx->thread);
	g_clear_error(&fx->sim_error);
	g_clear_object(&fx->device);
	g_clear_object(&fx->sim);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	g_clear_object(&fx->storage);
	ub_test_rm_rf(fx->tmpdir);
	g_free(fx->tmpdir);
}

static gboolean
fixture_run(Fixture *fx, UbPlan *plan, GError **error)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	return ub_plan_execute(plan, fx->device, progress, NULL, error);
}

static GBytes *
fixture_read(Fixture *fx, const gchar *partition, gsize size)
{
	g_autoptr(GError) error = NULL;
	guint8 *buf = g_malloc(size);
	g_assert_true(ub_sim_storage_read_partition(fx->storage, partition, 0, buf, size, &error));
	g_assert_no_error(error);
	return g_bytes_new_take(buf, size);
}

static void
fixture_fill(Fixture *fx, const gchar *partition, gsize size, guint8 value)
{
	g_autoptr(GError) error = NULL;
	g_autofree guint8 *buf = g_malloc(size);
	memset(buf, value, size);
	g_assert_true(
	    ub_sim_storage_write_partition(fx->storage, partition, 0, buf, size, &error));
	g_assert_no_error(error);
}

static gboolean
ub_test_all_bytes(GBytes *blob, guint8 value)
{
	const guint8 *buf = g_bytes_get_data(blob, NULL);
	for (gsize i = 0; i < g_bytes_get_size(blob); i++) {
		if (buf[i] != value)
			return FALSE;
	}
	return TRUE;
}

static void
ub_test_assert_demo_image(Fixture *fx, const gchar *partition, const gchar *file)
{
	g_autoptr(GBytes) want = ub_demo_package_make_image(file);
	g_autoptr(GBytes) got = fixture_read(fx, partition, g_bytes_get_size(want));
	g_assert_true(g_bytes_equal(want, got));
}

static UbPackage *
ub_test_demo_package(const gchar *product, gchar **dir_out)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("ub-package-plan-demo-XXXXXX", &error);
	UbPackage *pkg;
	g_assert_no_error(error);
	g_assert_true(ub_demo_package_write(dir, product, &error));
	g_assert_no_error(error);
	pkg = ub_package_open(dir, NULL, NULL, &error);
	g_assert_no_error(error);
	*dir_out = g_steal_pointer(&dir);
	return pkg;
}

/* the demo package in its three modes */
static void
ub_package_plan_demo_modes_func(void)
{
	const gchar *modes[] = {"keep-data", "clean-all", "clean-all-lock"};
	for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
		Fixture fx = {0};
		g_autoptr(GError) error = NULL;
		g_autofree gchar *dir = NULL;
		g_autoptr(UbPackage) pkg = ub_test_demo_package(NULL, &dir);
		UbPackagePlanOptions options = {.verify = TRUE, .allow_lock = TRUE};
		g_autoptr(UbPlan) plan = NULL;
		g_autoptr(GBytes) metadata = NULL;
		g_autoptr(GBytes) userdata = NULL;
		gboolean ok;

		fixture_start(&fx, NULL, NULL);
		fixture_fill(&fx, "metadata", 64 * 1024, 0xA5);
		fixture_fill(&fx, "userdata", 4096, 0xA5);
		plan = ub_package_plan_for_mode(pkg, modes[m], &options, &error);
		g_assert_no_error(error);
		ok = fixture_run(&fx, plan, &error);
		g_assert_no_error(error);
		g_assert_true(ok);
		ub_test_assert_demo_image(&fx, "boot_a", "boot.img");
		ub_test_assert_demo_image(&fx, "dtbo_a", "dtbo.img");
		ub_test_assert_demo_image(&fx, "vbmeta_a", "vbmeta.img");
		metadata = fixture_read(&fx, "metadata", 64 * 1024);
		userdata = fixture_read(&fx, "userdata", 4096);
		if (m == 0) {
			/* user data left alone */
			g_assert_true(ub_test_all_bytes(metadata, 0xA5));
			g_assert_true(ub_test_all_bytes(userdata, 0xA5));
		} else {
			ub_test_assert_demo_image(&fx, "metadata", "metadata.img");
			g_assert_false(ub_test_all_bytes(userdata, 0xA5));
		}
		g_assert_cmpint(ub_sim_fastboot_get_unlocked(UB_SIM_FASTBOOT(fx.sim)), ==, m != 2);
		fixture_stop(&fx);
		ub_test_rm_rf(dir);
	}
}

/* a package for another phone stops before the first write */
static void
ub_package_plan_other_product_func(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = NULL;
	g_autoptr(UbPackage) pkg = ub_test_demo_package("raphaelin", &dir);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GBytes) boot = NULL;
	g_autoptr(GBytes) metadata = NULL;

	fixture_start(&fx, NULL, NULL);
	fixture_fill(&fx, "boot_a", 64 * 1024, 0x5C);
	fixture_fill(&fx, "metadata", 64 * 1024, 0x5C);
	plan = ub_package_plan_for_mode(pkg, "clean-all", NULL, &error);
	g_assert_no_error(error);
	g_assert_false(fixture_run(&fx, plan, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "this package is for raphaelin, the phone is unbrick_sim"));
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	boot = fixture_read(&fx, "boot_a", 64 * 1024);
	metadata = fixture_read(&fx, "metadata", 64 * 1024);
	g_assert_true(ub_test_all_bytes(boot, 0x5C));
	g_assert_true(ub_test_all_bytes(metadata, 0x5C));
	fixture_stop(&fx);
	ub_test_rm_rf(dir);
}

/* clean-all-lock without consent: nothing written, the phone stays unlocked */
static void
ub_package_plan_lock_refused_func(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = NULL;
	g_autoptr(UbPackage) pkg = ub_test_demo_package(NULL, &dir);
	g_autoptr(UbPlan) plan = NULL;

	fixture_start(&fx, NULL, NULL);
	plan = ub_package_plan_for_mode(pkg, "clean-all-lock", NULL, &error);
	g_assert_no_error(error);
	g_assert_false(fixture_run(&fx, plan, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "bricks the phone"));
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	g_assert_true(ub_sim_fastboot_get_unlocked(UB_SIM_FASTBOOT(fx.sim)));
	fixture_stop(&fx);
	ub_test_rm_rf(dir);
}

/* an older package than the phone's anti-rollback level is refused first */
static void
ub_package_plan_anti_rollback_func(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autofree gchar *script = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GString) str = NULL;

	{
		g_autoptr(UbPackage) tmp = ub_test_demo_package(NULL, &dir);
	}
	/* the phone (Xiaomi layout) reports anti 1; make the package level 0 */
	script = g_build_filename(dir, "flash_all_except_storage.sh", NULL);
	g_assert_true(g_file_get_contents(script, &text, NULL, &error));
	str = g_string_new(text);
	g_assert_cmpint(g_string_replace(str, "CURRENT_ANTI_VER=1", "CURRENT_ANTI_VER=0", 1), ==, 1);
	g_assert_true(g_file_set_contents(script, str->str, str->len, &error));
	pkg = ub_package_open(dir, NULL, NULL, &error);
	g_assert_no_error(error);

	fixture_start(&fx, "xiaomi", "unbrick_sim");
	plan = ub_package_plan_for_mode(pkg, "keep-data", NULL, &error);
	g_assert_no_error(error);
	g_assert_false(fixture_run(&fx, plan, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "anti-rollback level is 1"));
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	fixture_stop(&fx);
	ub_test_rm_rf(dir);
}

static gboolean
ub_test_keep_xiaomi_layout(const gchar *partition)
{
	/* what the simulated Xiaomi layout has, and MiFlash's crclist pseudo-partitions */
	const gchar *known[] = {"boot",	    "dtbo",	"vbmeta",   "system",	"vendor",
				"misc",	    "cust",	"metadata", "userdata", "abl",
				"xbl",	    "tz",	"modem",    "dsp",	"storsec",
				"crclist", "sparsecrclist", NULL};
	return g_strv_contains(known, partition);
}

/* the corpus ROM (its script lines for partitions the simulated Xiaomi layout
 * has) into a phone calling itself raphaelin, in all three modes */
static void
ub_package_plan_corpus_end_to_end_func(void)
{
	const gchar *modes[] = {"keep-data", "clean-all", "clean-all-lock"};
	g_autofree gchar *dir = ub_test_copy_xiaomi("xiaomi-fastboot/raphaelin",
						    ub_test_keep_xiaomi_layout);
	if (dir == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
		Fixture fx = {0};
		g_autoptr(GError) error = NULL;
		g_autoptr(UbPackage) pkg = ub_package_open(dir, NULL, NULL, &error);
		UbPackagePlanOptions options = {.verify = TRUE, .allow_lock = TRUE};
		g_autoptr(UbPlan) plan = NULL;
		g_autoptr(GBytes) want = ub_test_image("boot.img", 4096 + 17);
		g_autoptr(GBytes) got = NULL;
		g_autoptr(GBytes) metadata = NULL;
		gboolean ok;
		g_assert_no_error(error);

		fixture_start(&fx, "xiaomi", "raphaelin");
		fixture_fill(&fx, "metadata", 4096 + 17, 0xA5);
		plan = ub_package_plan_for_mode(pkg, modes[m], &options, &error);
		g_assert_no_error(error);
		ok = fixture_run(&fx, plan, &error);
		g_assert_no_error(error);
		g_assert_true(ok);
		got = fixture_read(&fx, "boot_a", g_bytes_get_size(want));
		g_assert_true(g_bytes_equal(want, got));
		metadata = fixture_read(&fx, "metadata", 4096 + 17);
		g_assert_cmpint(ub_test_all_bytes(metadata, 0xA5), ==, m == 0);
		g_assert_cmpint(ub_sim_fastboot_get_unlocked(UB_SIM_FASTBOOT(fx.sim)), ==, m != 2);
		fixture_stop(&fx);
	}
	ub_test_rm_rf(dir);
}

/* set_active other, then a slotted write goes to the new slot; a step whose
 * condition does not hold is skipped */
static void
ub_package_plan_set_active_condition_func(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autofree gchar *tmp = g_dir_make_tmp("ub-package-plan-XXXXXX", &error);
	g_autofree gchar *img = g_build_filename(tmp, "dtbo.img", NULL);
	g_autoptr(GBytes) blob = ub_test_image("dtbo.img", 8192);
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GBytes) untouched = NULL;
	UbPlanOp *op;
	gboolean ok;

	ub_test_write(img, blob);
	fixture_start(&fx, NULL, NULL);
	fixture_fill(&fx, "dtbo_a", 8192, 0x11);
	fixture_fill(&fx, "dtbo_b", 8192, 0x11);
	op = ub_plan_add_write(plan, "dtbo", img);
	op->condition = g_strdup("getvar:no-such-variable=1");
	ub_plan_add_simple(plan, UB_PLAN_OP_SET_ACTIVE, "other");
	ub_plan_add_write(plan, "dtbo", img);
	ub_plan_set_verify(plan, TRUE);
	ok = fixture_run(&fx, plan, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
	got = fixture_read(&fx, "dtbo_b", 8192);
	g_assert_true(g_bytes_equal(got, blob));
	untouched = fixture_read(&fx, "dtbo_a", 8192);
	g_assert_true(ub_test_all_bytes(untouched, 0x11));
	g_assert_cmpint(ub_sim_fastboot_get_current_slot(UB_SIM_FASTBOOT(fx.sim)), ==, 'b');
	fixture_stop(&fx);
	ub_test_rm_rf(tmp);
}


/* a corpus flat build as a plan: its counts, regions, starts and order */
static UbPlan *
ub_test_flat_plan(const gchar *subdir,
		  const gchar *rawprogram,
		  const gchar *const *only,
		  GError **error)
{
	g_autofree gchar *dir = ub_test_corpus(subdir);
	g_autofree gchar *path = NULL;
	g_autoptr(UbPackage) package = NULL;
	UbPackagePlanOptions options = {.verify = TRUE, .only_labels = only};
	if (dir == NULL)
		return NULL;
	path = g_build_filename(dir, rawprogram, NULL);
	package = ub_package_open(path, NULL, NULL, error);
	g_assert_no_error(*error);
	g_assert_cmpint(ub_package_get_format(package), ==, UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD);
	return ub_package_plan_for_mode(package, only != NULL ? "selected" : "flat-build", &options, error);
}

typedef struct {
	guint writes;
	guint erases;
	guint patches;
	guint bootable;
	GHashTable *regions;
} UbTestFlatCounts;

static void
ub_test_flat_count(UbPlan *plan, UbTestFlatCounts *counts)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	gboolean seen_command = FALSE;
	memset(counts, 0, sizeof(*counts));
	counts->regions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (op->kind == UB_PLAN_OP_WRITE || op->kind == UB_PLAN_OP_ERASE) {
			/* programs and erases all come before the first patch */
			g_assert_false(seen_command);
			g_assert_null(op->partition);
			g_assert_nonnull(op->region);
			g_assert_nonnull(op->label);
			g_hash_table_add(counts->regions, g_strdup(op->region));
			if (op->kind == UB_PLAN_OP_WRITE) {
				g_assert_nonnull(op->package);
				g_assert_nonnull(op->file);
				counts->writes++;
			} else {
				counts->erases++;
			}
			/* a backup GPT sits where only the phone can say */
			if (g_strcmp0(op->label, "BackupGPT") == 0) {
				g_assert_nonnull(op->start_expr);
				g_assert_true(g_str_has_prefix(op->start_expr, "NUM_DISK_SECTORS-"));
				g_assert_cmpuint(op->sector_size, !=, 0);
			} else {
				g_assert_null(op->start_expr);
			}
			continue;
		}
		g_assert_cmpint(op->kind, ==, UB_PLAN_OP_COMMAND);
		seen_command = TRUE;
		if (g_str_has_prefix(op->value, "patch ")) {
			/* patches come before the bootable LUN */
			g_assert_cmpuint(counts->bootable, ==, 0);
			g_assert_nonnull(strstr(op->value, "filename=\"DISK\""));
			counts->patches++;
		} else {
			g_assert_true(g_str_has_prefix(op->value, "setbootablestoragedrive value=\""));
			counts->bootable++;
		}
	}
}

static UbPlanOp *
ub_test_flat_find(UbPlan *plan, const gchar *label)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (g_strcmp0(op->label, label) == 0)
			return op;
	}
	return NULL;
}

static UbPlanOp *
ub_test_flat_last(UbPlan *plan)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	return g_ptr_array_index(ops, ops->len - 1);
}

static void
ub_package_plan_flat_corpus_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) oneplus = NULL;
	g_autoptr(UbPlan) smartisan = NULL;
	g_autoptr(UbPlan) xiaomi = NULL;
	UbTestFlatCounts counts = {0};
	UbPlanOp *op;

	oneplus = ub_test_flat_plan("qcom-rawprogram/oneplus-x-msm8974-emmc", "rawprogram0.xml", NULL, &error);
	if (oneplus == NULL && error == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	g_assert_no_error(error);
	/* 31 programs, 11 of them placeholders; 13 DISK patches; sbl1 on LUN 0 */
	ub_test_flat_count(oneplus, &counts);
	g_assert_cmpuint(counts.writes, ==, 20);
	g_assert_cmpuint(counts.erases, ==, 0);
	g_assert_cmpuint(counts.patches, ==, 13);
	g_assert_cmpuint(counts.bootable, ==, 1);
	g_assert_cmpuint(g_hash_table_size(counts.regions), ==, 1);
	g_assert_true(g_hash_table_contains(counts.regions, "user"));
	g_hash_table_unref(counts.regions);
	op = ub_test_flat_find(oneplus, "BackupGPT");
	g_assert_cmpstr(op->start_expr, ==, "NUM_DISK_SECTORS-33.");
	g_assert_cmpuint(op->length, ==, 33 * 512);
	g_assert_cmpuint(op->sector_size, ==, 512);
	op = ub_test_flat_find(oneplus, "modem");
	g_assert_cmpuint(op->offset, ==, 16384 * 512);
	g_assert_cmpuint(op->length, ==, 131072 * 512);
	g_assert_cmpuint(op->file_offset, ==, 0);
	g_assert_true(g_str_has_suffix(op->file, "NON-HLOS.bin"));
	g_assert_nonnull(ub_test_flat_find(oneplus, "persist"));
	g_assert_null(ub_test_flat_find(oneplus, "modemst1"));
	g_assert_cmpstr(ub_test_flat_last(oneplus)->value, ==, "setbootablestoragedrive value=\"0\"");

	smartisan = ub_test_flat_plan("qcom-rawprogram/smartisan-oscar-emmc",
				      "rawprogram_unsparse.xml",
				      NULL,
				      &error);
	g_assert_no_error(error);
	ub_test_flat_count(smartisan, &counts);
	g_assert_cmpuint(counts.writes, ==, 3);
	g_assert_cmpuint(counts.patches, ==, 0);
	g_assert_cmpuint(counts.bootable, ==, 1);
	g_hash_table_unref(counts.regions);
	op = ub_test_flat_find(smartisan, "recovery");
	g_assert_cmpuint(op->offset, ==, (guint64)528384 * 512);

	xiaomi = ub_test_flat_plan("qcom-rawprogram/xiaomi-raphael-sm8150-ufs",
				   "rawprogram0.xml",
				   NULL,
				   &error);
	g_assert_no_error(error);
	ub_test_flat_count(xiaomi, &counts);
	g_assert_cmpuint(counts.writes, ==, 58);
	g_assert_cmpuint(counts.patches, ==, 13);
	g_assert_cmpuint(counts.bootable, ==, 1);
	g_assert_cmpuint(g_hash_table_size(counts.regions), ==, 6);
	for (guint i = 0; i < 6; i++) {
		g_autofree gchar *lun = g_strdup_printf("lun%u", i);
		g_assert_true(g_hash_table_contains(counts.regions, lun));
	}
	g_hash_table_unref(counts.regions);
	op = ub_test_flat_find(xiaomi, "BackupGPT");
	g_assert_cmpstr(op->start_expr, ==, "NUM_DISK_SECTORS-5.");
	g_assert_cmpuint(op->sector_size, ==, 4096);
	op = ub_test_flat_find(xiaomi, "xbl");
	g_assert_cmpstr(op->region, ==, "lun1");
	/* xbl is on LUN 1: that LUN is made bootable, last */
	g_assert_cmpstr(ub_test_flat_last(xiaomi)->value, ==, "setbootablestoragedrive value=\"1\"");
}

static void
ub_package_plan_flat_only_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	const gchar *only_xbl[] = {"xbl", NULL};
	const gchar *only_gpt[] = {"xbl", "PrimaryGPT", NULL};
	const gchar *only_bad[] = {"xbl", "nosuch", NULL};
	UbTestFlatCounts counts = {0};
	UbPlanOp *op;

	plan = ub_test_flat_plan("qcom-rawprogram/xiaomi-raphael-sm8150-ufs",
				 "rawprogram0.xml",
				 only_xbl,
				 &error);
	if (plan == NULL && error == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	g_assert_no_error(error);
	ub_test_flat_count(plan, &counts);
	g_assert_cmpuint(counts.writes, ==, 1);
	g_assert_cmpuint(counts.patches, ==, 0);
	g_assert_cmpuint(counts.bootable, ==, 0);
	g_hash_table_unref(counts.regions);
	op = ub_test_flat_find(plan, "xbl");
	g_assert_cmpstr(op->region, ==, "lun1");
	g_assert_cmpuint(ub_plan_get_notes(plan)->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(ub_plan_get_notes(plan), 0), "left out"));
	g_clear_object(&plan);

	/* with a partition table, the patches and the bootable LUN step stay */
	plan = ub_test_flat_plan("qcom-rawprogram/xiaomi-raphael-sm8150-ufs",
				 "rawprogram0.xml",
				 only_gpt,
				 &error);
	g_assert_no_error(error);
	ub_test_flat_count(plan, &counts);
	/* PrimaryGPT of every LUN, and xbl */
	g_assert_cmpuint(counts.writes, ==, 7);
	g_assert_cmpuint(counts.patches, ==, 13);
	g_assert_cmpuint(counts.bootable, ==, 1);
	g_hash_table_unref(counts.regions);
	g_assert_nonnull(strstr(g_ptr_array_index(ub_plan_get_notes(plan), 0), "run too"));
	g_clear_object(&plan);

	plan = ub_test_flat_plan("qcom-rawprogram/xiaomi-raphael-sm8150-ufs",
				 "rawprogram0.xml",
				 only_bad,
				 &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "nosuch"));
}

static void
ub_package_plan_flat_modes_func(void)
{
	g_autofree gchar *dir = ub_test_corpus("qcom-rawprogram/oneplus-x-msm8974-emmc");
	g_autofree gchar *path = NULL;
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	const gchar *modes[] = {"clean-all", "keep-data", "clean-all-lock"};

	if (dir == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	path = g_build_filename(dir, "rawprogram0.xml", NULL);
	package = ub_package_open(path, NULL, NULL, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(modes); i++) {
		plan = ub_package_plan_for_mode(package, modes[i], NULL, &error);
		g_assert_null(plan);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
		g_assert_nonnull(strstr(error->message, "flat build"));
		g_clear_error(&error);
	}
	plan = ub_package_plan_for_mode(package, "selected", NULL, &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	plan = ub_package_plan_for_mode(package, "flat-build", NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	g_assert_true(ub_plan_get_verify(plan));
}

/* the demo flat build into an in-memory phone with three LUNs: GPTs at both
 * ends of each LUN, images at their sectors, then the patches, then LUN 1
 * made bootable */
static void
ub_package_plan_flat_demo_func(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("ub-flat-demo-XXXXXX", NULL);
	g_autofree gchar *path = g_build_filename(dir, UB_DEMO_FLAT_BUILD_RAWPROGRAM, NULL);
	g_autoptr(UbTestDevice) device = ub_test_device_new();
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) boot = ub_demo_package_make_flat_image("boot_b");
	g_autoptr(GBytes) programmer = ub_demo_package_make_programmer();
	GPtrArray *commands;
	GByteArray *lun0;
	GByteArray *lun2;
	guint64 lun_sectors[UB_DEMO_FLAT_BUILD_N_LUNS] = {0};
	UbPlanOp *op;

	g_assert_true(ub_demo_package_write_flat_build(dir, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < UB_DEMO_FLAT_BUILD_N_LUNS; i++) {
		g_autofree gchar *lun = g_strdup_printf("lun%u", i);
		/* bigger than the GPTs were built for: the patches make them fit */
		lun_sectors[i] = ub_demo_package_get_flat_build_min_lun_size(i) / 4096 + 37;
		ub_test_device_add_region(device, lun, lun_sectors[i] * 4096, 4096);
	}
	package = ub_package_open(path, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_package_get_warnings(package)->len, ==, 0);
	g_assert_cmpstr(ub_package_get_storage(package), ==, "ufs");
	plan = ub_package_plan_for_mode(package, "flat-build", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ub_plan_execute(plan, UB_DEVICE(device), progress, NULL, &error));
	g_assert_no_error(error);

	/* the primary GPT at sector 0, the backup at the end of each LUN */
	lun0 = ub_test_device_get_region_data(device, "lun0");
	g_assert_cmpmem(lun0->data + 4096, 8, "EFI PART", 8);
	g_assert_cmpmem(lun0->data + (lun_sectors[0] - 1) * 4096, 8, "EFI PART", 8);
	/* boot_b at the sector its entry gives */
	op = ub_test_flat_find(plan, "boot_b");
	lun2 = ub_test_device_get_region_data(device, "lun2");
	g_assert_cmpmem(lun2->data + op->offset,
			g_bytes_get_size(boot),
			g_bytes_get_data(boot, NULL),
			g_bytes_get_size(boot));

	/* 13 patches for LUN 0 (with userdata's end), 11 each for LUNs 1 and 2 */
	commands = ub_test_device_get_commands(device);
	g_assert_cmpuint(commands->len, ==, 13 + 11 + 11 + 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(commands, 0), "patch "));
	g_assert_cmpstr(g_ptr_array_index(commands, commands->len - 1),
			==,
			"setbootablestoragedrive value=\"1\"");

	/* the programmer is an ELF64 with two loadable segments */
	{
		const guint8 *elf = g_bytes_get_data(programmer, NULL);
		g_assert_cmpmem(elf, 4, "\177ELF", 4);
		g_assert_cmpint(elf[4], ==, 2);
		g_assert_cmpint(elf[56], ==, 2);
	}
	ub_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/package-plan/xiaomi-corpus", ub_package_plan_xiaomi_corpus_func);
	g_test_add_func("/ub/formats/package-plan/xiaomi-lock-only", ub_package_plan_cereus_func);
	g_test_add_func("/ub/formats/package-plan/google-corpus", ub_package_plan_google_corpus_func);
	g_test_add_func("/ub/formats/package-plan/demo-modes", ub_package_plan_demo_modes_func);
	g_test_add_func("/ub/formats/package-plan/other-product", ub_package_plan_other_product_func);
	g_test_add_func("/ub/formats/package-plan/lock-refused", ub_package_plan_lock_refused_func);
	g_test_add_func("/ub/formats/package-plan/anti-rollback", ub_package_plan_anti_rollback_func);
	g_test_add_func("/ub/formats/package-plan/corpus-end-to-end",
			ub_package_plan_corpus_end_to_end_func);
	g_test_add_func("/ub/formats/package-plan/set-active-condition",
			ub_package_plan_set_active_condition_func);
	g_test_add_func("/ub/formats/package-plan/flat-corpus", ub_package_plan_flat_corpus_func);
	g_test_add_func("/ub/formats/package-plan/flat-only", ub_package_plan_flat_only_func);
	g_test_add_func("/ub/formats/package-plan/flat-modes", ub_package_plan_flat_modes_func);
	g_test_add_func("/ub/formats/package-plan/flat-demo", ub_package_plan_flat_demo_func);
	return g_test_run();
}
