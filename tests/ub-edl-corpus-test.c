/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-package-flat-build.h"
#include "formats/ub-package-plan.h"
#include "sim/ub-sim-edl.h"
#include "ub-core.h"
#include "ub-edl-test-common.h"
#include "ub-plan-executor.h"

/*
 * Every real flat build of the corpus (../shared/corpus/qcom-rawprogram), with
 * images generated to the sizes its XMLs imply, flashed by the package plan
 * through the EDL engine into a simulated 9008 phone of the matching storage
 * type. Afterwards the phone's storage holds every image at its sectors, the
 * GPTs the build's DISK patches completed are byte for byte the valid tables
 * for the LUN's real size, and Debian's sgdisk finds no problem in any LUN
 * (4096-byte LUNs through ub-sector-size-preload, as sgdisk takes 512 for a
 * regular file).
 */

/* per image: enough to cross several 1 MiB payloads, small enough for the time */
#define UB_EDL_CORPUS_IMAGE_CAP (2 * 1024 * 1024 + 4096)

static gchar *ub_corpus_dir = NULL;

static gchar *
ub_edl_corpus_find_sgdisk(void)
{
	const gchar *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin"};
	g_autofree gchar *path = g_find_program_in_path("sgdisk");
	if (path != NULL)
		return g_steal_pointer(&path);
	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree gchar *fn = g_build_filename(dirs[i], "sgdisk", NULL);
		if (g_file_test(fn, G_FILE_TEST_IS_EXECUTABLE))
			return g_steal_pointer(&fn);
	}
	return NULL;
}

/* sgdisk -v on the LUN file; its own words for the 32-entry tables ptool makes are fine */
static void
ub_edl_corpus_sgdisk(UbSimStorage *storage, const gchar *region)
{
	g_autofree gchar *sgdisk = ub_edl_corpus_find_sgdisk();
	g_autofree gchar *fn = ub_sim_storage_get_region_path(storage, region);
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) envp = g_get_environ();
	guint32 ss = ub_sim_storage_get_sector_size(storage);
	gint status = 0;
	const gchar *argv[] = {NULL, "-v", fn, NULL};

	if (sgdisk == NULL) {
		g_test_message("sgdisk not found (Debian package gdisk): %s checked by ub-gpt only",
			       region);
		return;
	}
	argv[0] = sgdisk;
	if (ss != 512) {
		const gchar *preload = g_getenv("UB_TEST_SECTOR_SIZE_PRELOAD");
		g_autofree gchar *ss_str = g_strdup_printf("%u", ss);
		g_assert_nonnull(preload);
		envp = g_environ_setenv(envp, "LD_PRELOAD", preload, TRUE);
		envp = g_environ_setenv(envp, "UB_SECTOR_SIZE", ss_str, TRUE);
		/* an ASan build of the preload in a tool that has no ASan */
		envp = g_environ_setenv(envp,
					"ASAN_OPTIONS",
					"verify_asan_link_order=0:detect_leaks=0",
					TRUE);
	}
	g_spawn_sync(NULL,
		     (gchar **)argv,
		     envp,
		     G_SPAWN_DEFAULT,
		     NULL,
		     NULL,
		     &out,
		     &err,
		     &status,
		     &error);
	g_assert_no_error(error);
	g_test_message("sgdisk -v %s (%u-byte sectors): %s%s", region, ss, out, err);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	g_assert_nonnull(strstr(out, "No problems found"));
	/* warnings about the 32-entry tables and odd partition ends are the layout's own */
	g_assert_null(strstr(out, "Problem:"));
	if (ss != 512) {
		/* the preload worked: sgdisk saw the LUN's real geometry */
		g_autofree gchar *out_p = NULL;
		const gchar *argv_p[] = {sgdisk, "-p", fn, NULL};
		g_spawn_sync(NULL,
			     (gchar **)argv_p,
			     envp,
			     G_SPAWN_DEFAULT,
			     NULL,
			     NULL,
			     &out_p,
			     NULL,
			     &status,
			     &error);
		g_assert_no_error(error);
		g_assert_nonnull(strstr(out_p, "Sector size (logical/physical): 4096/4096 bytes"));
	}
}

/* whether every LUN of the phone is larger than the highest fixed sector its entries use */
static gboolean
ub_edl_corpus_storage_fits(UbEdlTestBuild *build, UbSimStorage *storage)
{
	guint32 ss = ub_edl_test_build_get_sector_size(build);
	for (guint lun = 0; lun < ub_edl_test_build_get_n_luns(build); lun++) {
		g_autofree gchar *region = ub_package_flat_build_region_name(ss, lun);
		guint64 end = ub_edl_test_build_get_lun_end(build, lun);
		guint64 size = ub_sim_storage_get_region_size(storage, region);
		if (end * ss + 64 * ss > size) {
			g_test_message("%s: %" G_GUINT64_FORMAT " bytes, the layout needs %" G_GUINT64_FORMAT,
				       region,
				       size,
				       end * ss);
			return FALSE;
		}
	}
	return TRUE;
}

static void
ub_edl_corpus_copy_xmls(const gchar *src, const gchar *dst)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) dir = g_dir_open(src, 0, &error);
	const gchar *name;
	g_assert_no_error(error);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *lower = g_ascii_strdown(name, -1);
		g_autofree gchar *from = g_build_filename(src, name, NULL);
		g_autofree gchar *to = g_build_filename(dst, name, NULL);
		g_autofree gchar *buf = NULL;
		gsize bufsz = 0;
		if (!g_str_has_suffix(lower, ".xml"))
			continue;
		g_assert_true(g_file_get_contents(from, &buf, &bufsz, &error));
		g_assert_no_error(error);
		g_assert_true(g_file_set_contents(to, buf, (gssize)bufsz, &error));
		g_assert_no_error(error);
	}
}

static void
ub_edl_corpus_flash_func(gconstpointer user_data)
{
	const gchar *name = user_data;
	g_autofree gchar *src = g_build_filename(ub_corpus_dir, name, NULL);
	g_autofree gchar *tmpdir = NULL;
	g_autofree gchar *geometry = NULL;
	g_autofree gchar *programmer = NULL;
	g_autofree gchar *xml = NULL;
	g_autofree gchar *backups = NULL;
	g_autofree gchar *region0 = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbEdlTestBuild) build = NULL;
	g_autoptr(UbEdlTestPhone) phone = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	UbPackageOptions options = {0};
	UbPackagePlanOptions plan_options = {0};
	UbSimEdl *sim;
	GArray *gpt_luns;
	guint32 ss;
	gboolean ret;
	gint64 start = g_get_monotonic_time();

	tmpdir = g_dir_make_tmp("ub-edl-corpus-XXXXXX", &error);
	g_assert_no_error(error);
	ub_edl_corpus_copy_xmls(src, tmpdir);
	build = ub_edl_test_build_new(tmpdir, &error);
	g_assert_no_error(error);
	ss = ub_edl_test_build_get_sector_size(build);
	geometry = ub_edl_test_build_get_geometry(build);
	programmer = ub_edl_test_write_programmer(tmpdir, &error);
	g_assert_no_error(error);

	/* a phone of the matching storage, then the images for its LUN sizes */
	phone = ub_edl_test_phone_new(geometry, NULL, programmer, &error);
	g_assert_no_error(error);
	g_assert_nonnull(phone);
	if (!ub_edl_corpus_storage_fits(build, phone->storage)) {
		/* the simulated UFS boot LUNs (1 and 2) are 8 MiB, as on Qualcomm phones */
		g_test_incomplete("the simulated storage has no room for this layout");
		g_clear_pointer(&phone, ub_edl_test_phone_free);
		ub_edl_test_rmtree(tmpdir);
		return;
	}
	g_assert_true(ub_edl_test_build_generate(build, phone->storage, UB_EDL_CORPUS_IMAGE_CAP, &error));
	g_assert_no_error(error);
	g_test_message("%s: %s, %u ranges to check",
		       name,
		       geometry,
		       ub_edl_test_build_get_expects(build)->len);
	ub_edl_device_set_memory_name(UB_EDL_DEVICE(phone->device), ss == 512 ? "emmc" : "ufs");

	/* the package plan, as unbrick-cli download builds it */
	region0 = ub_package_flat_build_region_name(ss, 0);
	options.storage = ss == 512 ? "emmc" : "ufs";
	options.disk_size = ub_sim_storage_get_region_size(phone->storage, region0);
	xml = g_build_filename(tmpdir, ub_edl_test_build_get_main_xml(build), NULL);
	pkg = ub_package_open(xml, &options, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(pkg);
	plan = ub_package_plan_to_plan(pkg, "flat-build", &plan_options, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	/* oneplus-x writes persist: the backup goes to the temporary folder */
	backups = g_build_filename(tmpdir, "backups", NULL);
	ub_plan_set_allow_calibration(plan, TRUE);
	ub_plan_set_backup_dir(plan, backups);

	/* the executor opens the phone: Sahara, configure, GPTs */
	ret = ub_plan_execute(plan, phone->device, progress, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ret);

	/* every image at its sectors, the patched GPTs as they must be */
	g_assert_true(ub_edl_test_build_check_storage(build, phone->storage, &error));
	g_assert_no_error(error);
	gpt_luns = ub_edl_test_build_get_gpt_luns(build);
	for (guint i = 0; i < gpt_luns->len; i++) {
		guint lun = g_array_index(gpt_luns, guint, i);
		g_autofree gchar *region = ub_package_flat_build_region_name(ss, lun);
		g_assert_true(ub_edl_test_check_gpt(phone->storage, region, &error));
		g_assert_no_error(error);
		ub_edl_corpus_sgdisk(phone->storage, region);
	}

	/* and the boot LUN of the xbl/sbl1 entry */
	sim = UB_SIM_EDL(ub_sim_phone_get_personality(phone->phone));
	g_assert_cmpint(ub_sim_edl_get_bootable_lun(sim), ==, g_str_has_suffix(name, "-ufs") ? 1 : 0);
	g_assert_cmpuint(ub_sim_edl_get_program_count(sim), >=, ub_edl_test_build_get_expects(build)->len);
	g_test_message("%s: %.2f s", name, (g_get_monotonic_time() - start) / 1e6);

	g_clear_pointer(&phone, ub_edl_test_phone_free);
	ub_edl_test_rmtree(tmpdir);
}

static gint
ub_edl_corpus_name_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

int
main(int argc, char **argv)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;
	gint rc;

	g_test_init(&argc, &argv, NULL);
	if (corpus == NULL) {
		g_printerr("UB_CORPUS_DIR is not set\n");
		return 77;
	}
	ub_corpus_dir = g_build_filename(corpus, "qcom-rawprogram", NULL);
	dir = g_dir_open(ub_corpus_dir, 0, NULL);
	if (dir == NULL) {
		g_printerr("no corpus at %s\n", ub_corpus_dir);
		g_free(ub_corpus_dir);
		return 77;
	}
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *fn = g_build_filename(ub_corpus_dir, name, NULL);
		if (g_file_test(fn, G_FILE_TEST_IS_DIR))
			g_ptr_array_add(names, g_strdup(name));
	}
	g_ptr_array_sort(names, ub_edl_corpus_name_cmp);
	for (guint i = 0; i < names->len; i++) {
		const gchar *build = g_ptr_array_index(names, i);
		g_autofree gchar *path = g_strdup_printf("/ub/edl/corpus/%s", build);
		g_test_add_data_func(path, build, ub_edl_corpus_flash_func);
	}
	rc = g_test_run();
	g_free(ub_corpus_dir);
	return rc;
}
