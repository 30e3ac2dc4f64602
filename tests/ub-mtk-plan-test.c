/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "formats/ub-package-scatter.h"
#include "formats/ub-scatter.h"
#include "ub-backup.h"
#include "ub-test-device.h"

/*
 * SP Flash Tool's semantics (mtk.md b.3-b.5): every corpus scatter as plans
 * of the three modes, and the executor against a test device whose partition
 * table is a real GPT in its user area: Download Only refuses a changed
 * layout before writing, Firmware Upgrade keeps the calibration partitions
 * byte for byte through a layout change, Format All needs consent and backs
 * up anyway, the automatic format keeps calibration data, Checksum.ini is
 * checked before anything is written.
 */

#define UB_MTK_TEST_USER_SIZE  (32 * 1024 * 1024)
#define UB_MTK_TEST_BOOT_SIZE  (1024 * 1024)

static void
ub_mtk_test_rm_rf(const gchar *dir)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(cmd), ==, 0);
}

static void
ub_mtk_test_write(const gchar *path, const guint8 *buf, gsize size)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, &error));
	g_assert_no_error(error);
}

static gboolean
ub_mtk_test_run(UbPlan *plan, UbDevice *device, GError **error)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	return ub_plan_execute(plan, device, progress, NULL, error);
}

static guint
ub_mtk_test_count(UbPlan *plan, UbPlanOpKind kind)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	guint n = 0;
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		n += op->kind == kind;
	}
	return n;
}

static gint
ub_mtk_test_index(UbPlan *plan, UbPlanOpKind kind, gboolean last)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	gint found = -1;
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (op->kind != kind)
			continue;
		found = (gint)i;
		if (!last)
			break;
	}
	return found;
}

static guint
ub_mtk_test_steps(UbPackage *package, const gchar *id, UbPackageStepKind kind)
{
	UbPackagePlan *pplan = ub_package_find_plan(package, id);
	guint n = 0;
	g_assert_nonnull(pplan);
	for (guint i = 0; i < pplan->steps->len; i++) {
		UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		n += step->kind == kind;
	}
	return n;
}

/* a copy of a corpus scatter with a small image for every file it names */
static gchar *
ub_mtk_test_copy_scatter(const gchar *src, const gchar *tmpdir)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *base = g_path_get_basename(src);
	g_autofree gchar *dst = g_build_filename(tmpdir, base, NULL);
	g_autoptr(UbPackage) package = NULL;
	g_autofree gchar *text = NULL;
	gsize len = 0;
	GPtrArray *parts;

	g_assert_true(g_file_get_contents(src, &text, &len, &error));
	g_assert_no_error(error);
	ub_mtk_test_write(dst, (const guint8 *)text, len);
	package = ub_package_open(dst, NULL, NULL, &error);
	g_assert_no_error(error);
	parts = ub_package_get_partitions(package);
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(parts, i);
		g_autofree gchar *path = NULL;
		guint8 buf[4096];
		if (part->file == NULL)
			continue;
		path = g_build_filename(tmpdir, part->file, NULL);
		for (guint j = 0; j < sizeof(buf); j++)
			buf[j] = (guint8)(j * 7 + i);
		ub_mtk_test_write(path, buf, sizeof(buf));
	}
	return g_steal_pointer(&dst);
}

static const gchar *const ub_mtk_test_regions[] =
    {"user", "boot1", "boot2", "rpmb", "lun0", "lun1", "lun2", NULL};

/* every write and erase goes to the engine's preloader, a known region, or a name */
static void
ub_mtk_test_check_targets(UbPackage *package, UbPlan *plan)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		UbPackagePartition *part;
		if (op->kind != UB_PLAN_OP_WRITE && op->kind != UB_PLAN_OP_ERASE)
			continue;
		g_assert_nonnull(op->label);
		part = ub_package_find_partition(package, op->label);
		g_assert_nonnull(part);
		if ((op->flags & UB_PLAN_OP_FLAG_ENGINE_NAME) > 0) {
			/* the preloader rows of the boot areas, nothing else */
			g_assert_cmpstr(op->partition, ==, "preloader");
			g_assert_cmpstr(part->operation, ==, "BOOTLOADERS");
			g_assert_true(ub_scatter_region_is_boot(part->region));
			continue;
		}
		if (op->region == NULL) {
			g_assert_cmpstr(op->partition, ==, part->name);
			continue;
		}
		g_assert_true(g_strv_contains(ub_mtk_test_regions, op->region));
		if ((op->flags & UB_PLAN_OP_FLAG_PSEUDO) > 0) {
			g_assert_cmpuint(op->offset, >=, UB_SCATTER_PSEUDO_MIN);
			g_assert_cmpuint(op->length, ==, part->size);
		} else {
			g_assert_cmpuint(op->offset, ==, part->start);
		}
		if (op->kind == UB_PLAN_OP_WRITE)
			g_assert_cmpstr(op->file, ==, part->file);
	}
}

/* one corpus scatter (with @storage: that layout of a V2 file) in every mode */
static void
ub_mtk_test_corpus_one(const gchar *name, const gchar *scatter, const gchar *storage)
{
	UbPackageOptions open_opts = {storage, 0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) package = ub_package_open(scatter, &open_opts, NULL, &error);
	g_autoptr(UbPlan) dl = NULL;
	g_autoptr(UbPlan) fu = NULL;
	g_autoptr(UbPlan) fa = NULL;
	UbPackagePlanOptions options = {.verify = TRUE};
	GPtrArray *layout;
	GPtrArray *parts;
	guint flash;
	UbPlanOp *op;

	g_assert_no_error(error);
	dl = ub_package_plan_for_mode(package, "download-only", &options, &error);
	g_assert_no_error(error);
	fu = ub_package_plan_for_mode(package, "firmware-upgrade", &options, &error);
	g_assert_no_error(error);
	fa = ub_package_plan_for_mode(package, "format-all-download", &options, &error);
	g_assert_no_error(error);

	/* Download Only: the layout check, then one write per checked row */
	flash = ub_mtk_test_steps(package, "download-only", UB_PACKAGE_STEP_FLASH);
	g_assert_cmpuint(flash, >, 0);
	g_assert_cmpuint(ub_mtk_test_count(dl, UB_PLAN_OP_WRITE), ==, flash);
	g_assert_cmpuint(ub_mtk_test_count(dl, UB_PLAN_OP_ERASE), ==, 0);
	g_assert_cmpuint(ub_mtk_test_count(dl, UB_PLAN_OP_BACKUP), ==, 0);
	layout = ub_plan_get_layout(dl);
	if (layout->len > 0) {
		g_assert_cmpuint(ub_mtk_test_count(dl, UB_PLAN_OP_CHECK_LAYOUT), ==, 1);
		g_assert_cmpint(ub_mtk_test_index(dl, UB_PLAN_OP_CHECK_LAYOUT, FALSE),
				<,
				ub_mtk_test_index(dl, UB_PLAN_OP_WRITE, FALSE));
	}
	ub_mtk_test_check_targets(package, dl);

	/* Firmware Upgrade: backups first, the table, formats, writes, restore last */
	g_assert_cmpuint(ub_mtk_test_count(fu, UB_PLAN_OP_WRITE),
			 ==,
			 ub_mtk_test_steps(package, "firmware-upgrade", UB_PACKAGE_STEP_FLASH));
	g_assert_cmpuint(ub_mtk_test_count(fu, UB_PLAN_OP_ERASE),
			 ==,
			 ub_mtk_test_steps(package, "firmware-upgrade", UB_PACKAGE_STEP_FORMAT));
	op = g_ptr_array_index(ub_plan_get_ops(fu), 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_BACKUP);
	g_assert_null(op->partition);
	g_assert_true((op->flags & UB_PLAN_OP_FLAG_RESTORE) > 0);
	g_assert_cmpint(ub_mtk_test_index(fu, UB_PLAN_OP_RESTORE, FALSE),
			==,
			(gint)ub_plan_get_ops(fu)->len - 1);
	if (layout->len > 0) {
		g_assert_cmpuint(ub_mtk_test_count(fu, UB_PLAN_OP_WRITE_LAYOUT), >=, 1);
		g_assert_cmpint(ub_mtk_test_index(fu, UB_PLAN_OP_WRITE_LAYOUT, TRUE),
				<,
				ub_mtk_test_index(fu, UB_PLAN_OP_WRITE, FALSE));
	}
	ub_mtk_test_check_targets(package, fu);

	/* Format All: backup (not restored), erases, the table, writes */
	op = g_ptr_array_index(ub_plan_get_ops(fa), 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_BACKUP);
	g_assert_true((op->flags & UB_PLAN_OP_FLAG_RESTORE) == 0);
	g_assert_cmpuint(ub_mtk_test_count(fa, UB_PLAN_OP_RESTORE), ==, 0);
	g_assert_cmpuint(ub_mtk_test_count(fa, UB_PLAN_OP_ERASE),
			 ==,
			 ub_mtk_test_steps(package, "format-all-download", UB_PACKAGE_STEP_FORMAT));
	g_assert_cmpuint(ub_mtk_test_count(fa, UB_PLAN_OP_WRITE),
			 ==,
			 ub_mtk_test_steps(package, "format-all-download", UB_PACKAGE_STEP_FLASH));
	if (layout->len > 0) {
		g_assert_cmpint(ub_mtk_test_index(fa, UB_PLAN_OP_ERASE, TRUE),
				<,
				ub_mtk_test_index(fa, UB_PLAN_OP_WRITE_LAYOUT, FALSE));
		g_assert_cmpint(ub_mtk_test_index(fa, UB_PLAN_OP_WRITE_LAYOUT, TRUE),
				<,
				ub_mtk_test_index(fa, UB_PLAN_OP_WRITE, FALSE));
	}
	ub_mtk_test_check_targets(package, fa);

	/* pseudo addresses: the layout places them as the package does for
	 * the same disk size (64 GiB) */
	{
		UbPackageOptions popts = {storage, G_GUINT64_CONSTANT(64) << 30};
		g_autoptr(UbPackage) sized = ub_package_open(scatter, &popts, NULL, &error);
		g_assert_no_error(error);
		parts = ub_package_get_partitions(sized);
		for (guint i = 0; i < layout->len; i++) {
			UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
			UbPackagePartition *part = ub_package_find_partition(sized, row->name);
			guint64 start = 0;
			if (row->pseudo == 0)
				continue;
			g_assert_nonnull(part);
			g_assert_nonnull(part->start_expr);
			g_assert_true(ub_plan_layout_resolve(dl, row, popts.disk_size, &start));
			g_assert_cmpuint(start, ==, part->start);
		}
		g_assert_cmpuint(parts->len, >, 0);
	}
	g_test_message("%s %s: %u layout rows, download-only %u ops, firmware-upgrade %u, "
		       "format-all-download %u",
		       name,
		       storage != NULL ? storage : "",
		       layout->len,
		       ub_plan_get_ops(dl)->len,
		       ub_plan_get_ops(fu)->len,
		       ub_plan_get_ops(fa)->len);

	/* the files whose numbers are known */
	if (g_str_has_prefix(name, "MT6765_")) {
		const UbPlanLayoutRow *otp = NULL;
		gboolean super = FALSE;
		g_assert_cmpuint(flash, ==, 17);
		for (guint i = 0; i < layout->len; i++) {
			UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
			if (g_strcmp0(row->name, "otp") == 0)
				otp = row;
			g_assert_cmpstr(row->name, !=, "pgpt");
		}
		g_assert_nonnull(otp);
		g_assert_cmpuint(otp->pseudo, ==, 0xFFFF01d8);
		g_assert_cmpuint(otp->size, ==, 0x2b00000);
		for (guint i = 0; i < ub_plan_get_ops(dl)->len; i++) {
			op = g_ptr_array_index(ub_plan_get_ops(dl), i);
			if (g_strcmp0(op->label, "super") != 0)
				continue;
			g_assert_cmpstr(op->region, ==, "user");
			g_assert_cmpuint(op->offset, ==, 0x20000000);
			g_assert_cmpuint(op->length, ==, G_GUINT64_CONSTANT(0x100000000));
			super = TRUE;
		}
		g_assert_true(super);
		op = g_ptr_array_index(ub_plan_get_ops(dl), 1);
		g_assert_cmpstr(op->partition, ==, "preloader");
		g_assert_cmpstr(op->file, ==, "preloader_k65v1_64_bsp.bin");
	}
	if (g_str_has_prefix(name, "MT6893_") && g_strcmp0(storage, "ufs") == 0) {
		/* UFS: preloader to LU0/LU1 through the engine, the rest in LU2 */
		gboolean lun2 = FALSE;
		for (guint i = 0; i < ub_plan_get_ops(dl)->len; i++) {
			op = g_ptr_array_index(ub_plan_get_ops(dl), i);
			if (op->kind == UB_PLAN_OP_WRITE && op->region != NULL)
				lun2 |= g_strcmp0(op->region, "lun2") == 0;
		}
		g_assert_true(lun2);
		g_assert_cmpuint(ub_mtk_test_count(fu, UB_PLAN_OP_WRITE_LAYOUT), ==, 1);
	}
}

/* every corpus scatter, every mode: op counts, targets, pseudo addresses */
static void
ub_mtk_plan_corpus_func(void)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *dir = corpus != NULL ? g_build_filename(corpus, "mtk-scatter", NULL) : NULL;
	g_autoptr(GDir) gdir = NULL;
	const gchar *name;
	guint n_files = 0;

	if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_test_skip("no corpus");
		return;
	}
	gdir = g_dir_open(dir, 0, NULL);
	while ((name = g_dir_read_name(gdir)) != NULL) {
		g_autofree gchar *src = g_build_filename(dir, name, NULL);
		g_autofree gchar *tmpdir = g_dir_make_tmp("ub-mtk-plan-XXXXXX", NULL);
		g_autofree gchar *scatter = ub_mtk_test_copy_scatter(src, tmpdir);
		g_autoptr(UbPackage) ufs = NULL;
		UbPackageOptions ufs_opts = {"ufs", 0};
		n_files++;
		ub_mtk_test_corpus_one(name, scatter, NULL);
		/* the UFS layout of a V2 file too */
		ufs = ub_package_open(scatter, &ufs_opts, NULL, NULL);
		if (ufs != NULL && g_strcmp0(ub_package_get_storage(ufs), "ufs") == 0)
			ub_mtk_test_corpus_one(name, scatter, "ufs");
		ub_mtk_test_rm_rf(tmpdir);
	}
	g_assert_cmpuint(n_files, >=, 9);
}

/* the demo package and a test phone with its table in the user area */
typedef struct {
	gchar *tmpdir;
	gchar *scatter;
	gchar *backups;
	UbPackage *package;
	UbTestDevice *device;
} UbMtkFixture;

static guint8
ub_mtk_test_fill(const gchar *name)
{
	return (guint8)(g_str_hash(name) | 1);
}

/* the phone's partitions as the old or the new demo layout says, each
 * filled with its own byte */
static void
ub_mtk_fixture_layout(UbMtkFixture *fx, gboolean old_layout)
{
	g_autofree gchar *text = ub_demo_package_make_scatter(old_layout);
	g_autofree gchar *path = g_build_filename(fx->tmpdir, "layout", "scatter.txt", NULL);
	UbPackageOptions options = {NULL, UB_MTK_TEST_USER_SIZE};
	g_autoptr(UbPackage) layout = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *parts;

	ub_mtk_test_write(path, (const guint8 *)text, strlen(text));
	layout = ub_package_open(path, &options, NULL, &error);
	g_assert_no_error(error);
	parts = ub_package_get_partitions(layout);
	ub_test_device_set_gpt_region(fx->device, "user");
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(parts, i);
		if (g_strcmp0(part->region, "EMMC_USER") != 0 || g_strcmp0(part->name, "pgpt") == 0 ||
		    g_strcmp0(part->name, "sgpt") == 0)
			continue;
		g_assert_cmpuint(part->start, !=, UB_PACKAGE_UNKNOWN);
		ub_test_device_add_gpt_partition(fx->device,
						 part->name,
						 part->start,
						 part->size,
						 ub_mtk_test_fill(part->name));
	}
}

static void
ub_mtk_fixture_setup(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gboolean old_layout = GPOINTER_TO_INT(data);
	fx->tmpdir = g_dir_make_tmp("ub-mtk-plan-XXXXXX", NULL);
	fx->backups = g_build_filename(fx->tmpdir, "backups", NULL);
	g_assert_true(ub_demo_package_write_scatter(fx->tmpdir, &error));
	g_assert_no_error(error);
	fx->scatter = g_build_filename(fx->tmpdir, UB_DEMO_SCATTER_FILE, NULL);
	fx->package = ub_package_open(fx->scatter, NULL, NULL, &error);
	g_assert_no_error(error);
	fx->device = ub_test_device_new();
	ub_test_device_add_region(fx->device, "boot1", UB_MTK_TEST_BOOT_SIZE, 512);
	ub_test_device_add_region(fx->device, "boot2", UB_MTK_TEST_BOOT_SIZE, 512);
	ub_test_device_add_region(fx->device, "user", UB_MTK_TEST_USER_SIZE, 512);
	ub_mtk_fixture_layout(fx, old_layout);
}

static void
ub_mtk_fixture_teardown(UbMtkFixture *fx, gconstpointer data)
{
	ub_mtk_test_rm_rf(fx->tmpdir);
	g_free(fx->tmpdir);
	g_free(fx->scatter);
	g_free(fx->backups);
	g_object_unref(fx->package);
	g_object_unref(fx->device);
}

static UbPlan *
ub_mtk_fixture_plan(UbMtkFixture *fx, const gchar *mode, const gchar *const *only)
{
	UbPackagePlanOptions options = {.verify = TRUE, .only_labels = only};
	g_autoptr(GError) error = NULL;
	UbPlan *plan = ub_package_plan_for_mode(fx->package, mode, &options, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	ub_plan_set_backup_dir(plan, fx->backups);
	return plan;
}

static UbPartition *
ub_mtk_test_find(UbDevice *device, const gchar *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) parts = ub_device_list_partitions(device, NULL, &error);
	UbPartition *part;
	g_assert_no_error(error);
	part = ub_partition_array_find(parts, name);
	return part != NULL ? g_object_ref(part) : NULL;
}

/* the bytes of a partition now */
static GBytes *
ub_mtk_test_read(UbTestDevice *device, const gchar *name)
{
	g_autoptr(UbPartition) part = ub_mtk_test_find(UB_DEVICE(device), name);
	GByteArray *user = ub_test_device_get_region_data(device, "user");
	g_assert_nonnull(part);
	return g_bytes_new(user->data + ub_partition_get_offset(part), ub_partition_get_size(part));
}

static gboolean
ub_mtk_test_all(GBytes *blob, guint8 value)
{
	const guint8 *buf = g_bytes_get_data(blob, NULL);
	for (gsize i = 0; i < g_bytes_get_size(blob); i++) {
		if (buf[i] != value)
			return FALSE;
	}
	return TRUE;
}

static void
ub_mtk_test_assert_image(UbTestDevice *device, const gchar *name)
{
	g_autoptr(GBytes) want = ub_demo_package_make_scatter_image(name);
	g_autoptr(GBytes) have = ub_mtk_test_read(device, name);
	g_assert_cmpuint(g_bytes_get_size(have), >=, g_bytes_get_size(want));
	g_assert_cmpmem(g_bytes_get_data(have, NULL),
			g_bytes_get_size(want),
			g_bytes_get_data(want, NULL),
			g_bytes_get_size(want));
}

/* same layout: the images go where the scatter says, calibration untouched */
static void
ub_mtk_plan_download_only_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_mtk_fixture_plan(fx, "download-only", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) preloader = ub_demo_package_make_scatter_image("preloader");
	g_autoptr(GBytes) nvram = NULL;
	GByteArray *boot1 = ub_test_device_get_region_data(fx->device, "boot1");
	GByteArray *boot2 = ub_test_device_get_region_data(fx->device, "boot2");

	/* Checksum.ini of the demo: four images checked before the layout */
	g_assert_cmpuint(ub_mtk_test_count(plan, UB_PLAN_OP_CHECK_SUM), ==, 4);
	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	ub_mtk_test_assert_image(fx->device, "boot");
	ub_mtk_test_assert_image(fx->device, "lk");
	ub_mtk_test_assert_image(fx->device, "vbmeta");
	g_assert_cmpuint(ub_test_device_get_preloader_writes(fx->device), ==, 1);
	g_assert_cmpmem(boot1->data, g_bytes_get_size(preloader), g_bytes_get_data(preloader, NULL),
			g_bytes_get_size(preloader));
	g_assert_cmpmem(boot2->data, g_bytes_get_size(preloader), g_bytes_get_data(preloader, NULL),
			g_bytes_get_size(preloader));
	nvram = ub_mtk_test_read(fx->device, "nvram");
	g_assert_true(ub_mtk_test_all(nvram, ub_mtk_test_fill("nvram")));
	g_assert_false(g_file_test(fx->backups, G_FILE_TEST_EXISTS));
}

/* another layout on the phone: refused before any write, naming the partition */
static void
ub_mtk_plan_download_only_refused_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_mtk_fixture_plan(fx, "download-only", NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "layout on the phone differs from the scatter ("));
	g_assert_nonnull(strstr(error->message, "nvram: phone 0x88000+0x100000, scatter "
						"0x8000+0x100000"));
	g_assert_true(g_str_has_suffix(error->message, "; use Firmware Upgrade"));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 0);
	g_assert_cmpuint(ub_test_device_get_erases(fx->device), ==, 0);
}

/* a layout change: calibration data backed up, moved, byte-identical */
static void
ub_mtk_plan_firmware_upgrade_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_mtk_fixture_plan(fx, "firmware-upgrade", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbBackup) backup = NULL;
	g_autoptr(UbPartition) para = NULL;
	const gchar *const *calibration = ub_demo_package_get_scatter_calibration();
	GPtrArray *layout = ub_plan_get_layout(plan);
	GHashTable *old_offsets = g_hash_table_new(g_str_hash, g_str_equal);

	/* some real bytes in nvram, not only its fill */
	{
		g_autoptr(UbPartition) nvram = ub_mtk_test_find(UB_DEVICE(fx->device), "nvram");
		GByteArray *user = ub_test_device_get_region_data(fx->device, "user");
		memcpy(user->data + ub_partition_get_offset(nvram) + 4096, "IMEI 356938035643809", 20);
	}
	for (guint i = 0; calibration[i] != NULL; i++) {
		g_autoptr(UbPartition) part = ub_mtk_test_find(UB_DEVICE(fx->device), calibration[i]);
		g_assert_nonnull(part);
		g_hash_table_insert(old_offsets,
				    (gpointer)calibration[i],
				    GSIZE_TO_POINTER(ub_partition_get_offset(part)));
	}
	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);

	/* the phone now has the package's table */
	para = ub_mtk_test_find(UB_DEVICE(fx->device), "para");
	g_assert_null(para);
	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		g_autoptr(UbPartition) part = NULL;
		guint64 start = 0;
		if (row->pseudo == UB_SCATTER_PSEUDO_MIN)
			continue;
		part = ub_mtk_test_find(UB_DEVICE(fx->device), row->name);
		g_assert_nonnull(part);
		g_assert_true(ub_plan_layout_resolve(plan, row, UB_MTK_TEST_USER_SIZE, &start));
		g_assert_cmpuint(ub_partition_get_offset(part), ==, start);
		g_assert_cmpuint(ub_partition_get_size(part), ==, row->size);
	}
	/* every calibration partition moved and is what it was */
	for (guint i = 0; calibration[i] != NULL; i++) {
		g_autoptr(UbPartition) part = ub_mtk_test_find(UB_DEVICE(fx->device), calibration[i]);
		g_autoptr(GBytes) have = ub_mtk_test_read(fx->device, calibration[i]);
		const guint8 *buf = g_bytes_get_data(have, NULL);
		guint8 fill = ub_mtk_test_fill(calibration[i]);
		g_assert_cmpuint(ub_partition_get_offset(part),
				 !=,
				 GPOINTER_TO_SIZE(g_hash_table_lookup(old_offsets, calibration[i])));
		if (g_strcmp0(calibration[i], "nvram") == 0) {
			g_assert_cmpmem(buf + 4096, 20, "IMEI 356938035643809", 20);
			g_assert_cmpuint(buf[0], ==, fill);
			g_assert_cmpuint(buf[g_bytes_get_size(have) - 1], ==, fill);
		} else {
			g_assert_true(ub_mtk_test_all(have, fill));
		}
	}
	ub_mtk_test_assert_image(fx->device, "boot");
	ub_mtk_test_assert_image(fx->device, "lk");

	/* and the backups are listed */
	backup = ub_backup_load(fx->backups, &error);
	g_assert_no_error(error);
	for (guint i = 0; calibration[i] != NULL; i++)
		g_assert_nonnull(ub_backup_find_item(backup, calibration[i]));
	g_hash_table_unref(old_offsets);
}

/* the same layout: nothing moves, the table is not rewritten, data unchanged */
static void
ub_mtk_plan_firmware_upgrade_same_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_mtk_fixture_plan(fx, "firmware-upgrade", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) nvdata = NULL;
	GByteArray *user = ub_test_device_get_region_data(fx->device, "user");
	g_autoptr(GBytes) gpt_before = g_bytes_new(user->data, 0x4400);
	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_cmpmem(user->data, 0x4400, g_bytes_get_data(gpt_before, NULL), 0x4400);
	nvdata = ub_mtk_test_read(fx->device, "nvdata");
	g_assert_true(ub_mtk_test_all(nvdata, ub_mtk_test_fill("nvdata")));
	ub_mtk_test_assert_image(fx->device, "vbmeta");
}

/* Format All + Download: no consent, nothing happens */
static void
ub_mtk_plan_format_all_refused_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_mtk_fixture_plan(fx, "format-all-download", NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "--allow-calibration"));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 0);
	g_assert_cmpuint(ub_test_device_get_erases(fx->device), ==, 0);
	g_assert_false(g_file_test(fx->backups, G_FILE_TEST_EXISTS));
}

/* with consent: the calibration partitions are in the backup folder first */
static void
ub_mtk_plan_format_all_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_mtk_fixture_plan(fx, "format-all-download", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbBackup) backup = NULL;
	g_autoptr(GBytes) nvram = NULL;
	const gchar *const *calibration = ub_demo_package_get_scatter_calibration();

	ub_plan_set_allow_calibration(plan, TRUE);
	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	backup = ub_backup_load(fx->backups, &error);
	g_assert_no_error(error);
	for (guint i = 0; calibration[i] != NULL; i++) {
		const UbBackupItem *item = ub_backup_find_item(backup, calibration[i]);
		g_autofree gchar *path = NULL;
		g_autofree gchar *contents = NULL;
		gsize len = 0;
		g_assert_nonnull(item);
		path = g_build_filename(fx->backups, item->file, NULL);
		g_assert_true(g_file_get_contents(path, &contents, &len, &error));
		g_assert_cmpuint(len, >, 0);
		g_assert_cmpuint((guint8)contents[0], ==, ub_mtk_test_fill(calibration[i]));
		g_assert_cmpuint((guint8)contents[len - 1], ==, ub_mtk_test_fill(calibration[i]));
	}
	/* formatted, not restored; the package's table and images are there */
	nvram = ub_mtk_test_read(fx->device, "nvram");
	g_assert_true(ub_mtk_test_all(nvram, 0xff));
	ub_mtk_test_assert_image(fx->device, "boot");
}

/* "whole flash except bootloader": calibration data and the tables stay */
static void
ub_mtk_plan_format_keep_calibration_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) boot = NULL;
	g_autoptr(GBytes) cache = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	const gchar *const *calibration = ub_demo_package_get_scatter_calibration();
	UbPlanOp *op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, "user", 0, 0, NULL);
	op->flags |= UB_PLAN_OP_FLAG_KEEP_CALIBRATION;
	ub_plan_set_backup_dir(plan, fx->backups);

	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_test_device_get_erases(fx->device), ==, 1);
	parts = ub_device_list_partitions(UB_DEVICE(fx->device), NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(ub_partition_array_find(parts, "userdata"));
	for (guint i = 0; calibration[i] != NULL; i++) {
		g_autoptr(GBytes) have = ub_mtk_test_read(fx->device, calibration[i]);
		g_assert_true(ub_mtk_test_all(have, ub_mtk_test_fill(calibration[i])));
	}
	boot = ub_mtk_test_read(fx->device, "boot");
	g_assert_true(ub_mtk_test_all(boot, 0xff));
	cache = ub_mtk_test_read(fx->device, "cache");
	g_assert_true(ub_mtk_test_all(cache, 0xff));
	g_assert_false(g_file_test(fx->backups, G_FILE_TEST_EXISTS));
}

/* the same with consent: one erase of everything, calibration backed up first */
static void
ub_mtk_plan_format_all_calibration_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbBackup) backup = NULL;
	GByteArray *user = ub_test_device_get_region_data(fx->device, "user");
	UbPlanOp *op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, "user", 0, 0, NULL);
	op->flags |= UB_PLAN_OP_FLAG_KEEP_CALIBRATION;
	ub_plan_set_backup_dir(plan, fx->backups);
	ub_plan_set_allow_calibration(plan, TRUE);

	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_test_device_get_erases(fx->device), ==, 1);
	g_assert_cmpuint(user->data[0x200], ==, 0xff);
	backup = ub_backup_load(fx->backups, &error);
	g_assert_no_error(error);
	g_assert_nonnull(ub_backup_find_item(backup, "nvram"));
	g_assert_nonnull(ub_backup_find_item(backup, "proinfo"));
}

/* Checksum.ini: a changed image fails before anything is written */
static void
ub_mtk_plan_checksum_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *boot = g_build_filename(fx->tmpdir, "boot.img", NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;

	g_assert_true(g_file_get_contents(boot, &contents, &len, &error));
	contents[1000] ^= 0x40;
	ub_mtk_test_write(boot, (const guint8 *)contents, len);
	plan = ub_mtk_fixture_plan(fx, "download-only", NULL);
	g_assert_false(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "boot.img does not match "));
	g_assert_nonnull(strstr(error->message, "Checksum.ini:"));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 0);
}

/* --only: just those rows; an unknown one is refused */
static void
ub_mtk_plan_only_func(UbMtkFixture *fx, gconstpointer data)
{
	const gchar *const only[] = {"boot", NULL};
	const gchar *const bad[] = {"nvram", NULL};
	UbPackagePlanOptions options = {.verify = TRUE, .only_labels = bad};
	g_autoptr(UbPlan) plan = ub_mtk_fixture_plan(fx, "download-only", only);
	g_autoptr(UbPlan) refused = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) lk = NULL;

	g_assert_cmpuint(ub_mtk_test_count(plan, UB_PLAN_OP_WRITE), ==, 1);
	g_assert_cmpuint(ub_mtk_test_count(plan, UB_PLAN_OP_CHECK_SUM), ==, 1);
	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	ub_mtk_test_assert_image(fx->device, "boot");
	lk = ub_mtk_test_read(fx->device, "lk");
	g_assert_true(ub_mtk_test_all(lk, ub_mtk_test_fill("lk")));
	refused = ub_package_plan_for_mode(fx->package, "download-only", &options, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(refused);
}

/* Read back rows: by region + start + length, by partition */
static void
ub_mtk_plan_readback_func(UbMtkFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_READBACK);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out1 = g_build_filename(fx->tmpdir, "range.bin", NULL);
	g_autofree gchar *out2 = g_build_filename(fx->tmpdir, "nvdata.bin", NULL);
	g_autofree gchar *got = NULL;
	g_autoptr(UbPartition) nvdata = ub_mtk_test_find(UB_DEVICE(fx->device), "nvdata");
	GByteArray *user = ub_test_device_get_region_data(fx->device, "user");
	gsize len = 0;

	ub_plan_add_op(plan, UB_PLAN_OP_READ, NULL, "user", 0x1000, 0x10000, out1);
	ub_plan_add_read(plan, "nvdata", out2);
	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(out1, &got, &len, &error));
	g_assert_cmpmem(got, len, user->data + 0x1000, 0x10000);
	g_clear_pointer(&got, g_free);
	g_assert_true(g_file_get_contents(out2, &got, &len, &error));
	g_assert_cmpuint(len, ==, ub_partition_get_size(nvdata));
	g_assert_cmpuint((guint8)got[len - 1], ==, ub_mtk_test_fill("nvdata"));
}

/* combo_partsize_check: a pair compared as one range (b.3) */
static void
ub_mtk_plan_combo_func(void)
{
	g_autoptr(UbTestDevice) device = ub_test_device_new();
	g_autoptr(GError) error = NULL;
	struct {
		gboolean combo;
		guint64 split;
		guint64 total;
		gboolean ok;
	} cases[] = {
	    {FALSE, 0x100000, 0x300000, TRUE},
	    {FALSE, 0x180000, 0x300000, FALSE}, /* userdata moved: refused */
	    {TRUE, 0x180000, 0x300000, TRUE},	/* the pair's range is the same */
	    {TRUE, 0x180000, 0x380000, FALSE},	/* the pair grew */
	};
	ub_test_device_add_region(device, "user", 8 * 1024 * 1024, 512);
	ub_test_device_set_gpt_region(device, "user");
	ub_test_device_add_gpt_partition(device, "boot", 0x100000, 0x100000, 1);
	ub_test_device_add_gpt_partition(device, "userdata", 0x200000, 0x100000, 2);
	ub_test_device_add_gpt_partition(device, "mrdump", 0x300000, 0x200000, 3);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
		guint64 split = cases[i].split;
		ub_plan_add_layout_row(plan, "boot", "user", 0x100000, 0x100000, 0, FALSE);
		ub_plan_add_layout_row(plan, "userdata", "user", 0x200000, split, 0, cases[i].combo);
		ub_plan_add_layout_row(plan,
				       "mrdump",
				       "user",
				       0x200000 + split,
				       cases[i].total - split,
				       0,
				       FALSE);
		ub_plan_add_simple(plan, UB_PLAN_OP_CHECK_LAYOUT, NULL);
		g_assert_cmpint(ub_mtk_test_run(plan, UB_DEVICE(device), &error), ==, cases[i].ok);
		if (cases[i].ok) {
			g_assert_no_error(error);
		} else {
			g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
			g_test_message("%s", error->message);
			g_clear_error(&error);
		}
	}
}

/* an end-relative row goes where the phone's table has it */
static void
ub_mtk_plan_pseudo_func(void)
{
	g_autoptr(UbTestDevice) device = ub_test_device_new();
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(UbPlan) fresh = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(GError) error = NULL;
	GByteArray *user;
	UbPlanOp *op;

	ub_test_device_add_region(device, "user", 8 * 1024 * 1024, 512);
	ub_test_device_set_gpt_region(device, "user");
	ub_test_device_add_gpt_partition(device, "boot", 0x100000, 0x100000, 1);
	ub_test_device_add_gpt_partition(device, "flashinfo", 0x700000, 0x20000, 2);
	user = ub_test_device_get_region_data(device, "user");
	op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, "user", 0xFFFF0080, 0x20000, NULL);
	op->flags |= UB_PLAN_OP_FLAG_PSEUDO;
	op->label = g_strdup("flashinfo");
	g_assert_true(ub_mtk_test_run(plan, UB_DEVICE(device), &error));
	g_assert_no_error(error);
	g_assert_cmpuint(user->data[0x700000], ==, 0xff);
	g_assert_cmpuint(user->data[0x71ffff], ==, 0xff);
	g_assert_cmpuint(user->data[0x720000], ==, 0);

	/* not in the table: the scatter's arithmetic (2 blocks + no tail from the end) */
	op = ub_plan_add_op(fresh, UB_PLAN_OP_ERASE, NULL, "user", 0xFFFF0002, 0x20000, NULL);
	op->flags |= UB_PLAN_OP_FLAG_PSEUDO;
	op->label = g_strdup("reserve2");
	g_assert_true(ub_mtk_test_run(fresh, UB_DEVICE(device), &error));
	g_assert_no_error(error);
	g_assert_cmpuint(user->data[8 * 1024 * 1024 - 0x40000], ==, 0xff);
	g_assert_cmpuint(user->data[8 * 1024 * 1024 - 0x40000 - 1], ==, 0);
}

int
main(int argc, char **argv)
{
	g_autofree gchar *data_home = g_dir_make_tmp("ub-mtk-plan-home-XXXXXX", NULL);
	g_autofree gchar *rm = g_strdup_printf("rm -rf '%s'", data_home);
	gint rc;
	g_test_init(&argc, &argv, NULL);
	/* default backup folders go here, never into the user's data */
	g_setenv("XDG_DATA_HOME", data_home, TRUE);
	g_setenv("XDG_CACHE_HOME", data_home, TRUE);
	g_test_add_func("/ub/mtk/plan/corpus", ub_mtk_plan_corpus_func);
	g_test_add_func("/ub/mtk/plan/combo", ub_mtk_plan_combo_func);
	g_test_add_func("/ub/mtk/plan/pseudo", ub_mtk_plan_pseudo_func);
#define ADD(path, old, func)                                                                       \
	g_test_add(path,                                                                           \
		   UbMtkFixture,                                                                   \
		   GINT_TO_POINTER(old),                                                           \
		   ub_mtk_fixture_setup,                                                           \
		   func,                                                                           \
		   ub_mtk_fixture_teardown)
	ADD("/ub/mtk/plan/download-only", FALSE, ub_mtk_plan_download_only_func);
	ADD("/ub/mtk/plan/download-only-refused", TRUE, ub_mtk_plan_download_only_refused_func);
	ADD("/ub/mtk/plan/firmware-upgrade", TRUE, ub_mtk_plan_firmware_upgrade_func);
	ADD("/ub/mtk/plan/firmware-upgrade-same", FALSE, ub_mtk_plan_firmware_upgrade_same_func);
	ADD("/ub/mtk/plan/format-all-refused", TRUE, ub_mtk_plan_format_all_refused_func);
	ADD("/ub/mtk/plan/format-all", TRUE, ub_mtk_plan_format_all_func);
	ADD("/ub/mtk/plan/format-keep-calibration", FALSE, ub_mtk_plan_format_keep_calibration_func);
	ADD("/ub/mtk/plan/format-all-calibration", FALSE, ub_mtk_plan_format_all_calibration_func);
	ADD("/ub/mtk/plan/checksum", FALSE, ub_mtk_plan_checksum_func);
	ADD("/ub/mtk/plan/only", FALSE, ub_mtk_plan_only_func);
	ADD("/ub/mtk/plan/readback", FALSE, ub_mtk_plan_readback_func);
#undef ADD
	rc = g_test_run();
	g_assert_cmpint(system(rm), ==, 0);
	return rc;
}
