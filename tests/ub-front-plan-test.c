/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-demo-package.h"
#include "mtk/ub-mtk-device.h"
#include "ub-core.h"
#include "ub-front-plan.h"
#include "ub-sim-open.h"
#include "ub-sim-storage.h"

/* the Read back and Format plans against simulated phones of all three kinds */

typedef struct {
	gchar *tmp;
	UbDevice *device;
} UbFrontPlanFixture;

static void
ub_front_plan_rmdir(const gchar *dir)
{
	g_autoptr(GDir) gdir = g_dir_open(dir, 0, NULL);
	const gchar *name;
	while (gdir != NULL && (name = g_dir_read_name(gdir)) != NULL) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			ub_front_plan_rmdir(path);
		else
			g_unlink(path);
	}
	g_rmdir(dir);
}

static void
ub_front_plan_write_file(GFile *file, GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	gsize size = 0;
	const gchar *data = g_bytes_get_data(blob, &size);
	g_assert_true(g_file_replace_contents(file,
					      data,
					      size,
					      NULL,
					      FALSE,
					      G_FILE_CREATE_NONE,
					      NULL,
					      NULL,
					      &error));
	g_assert_no_error(error);
}

/* a simulated phone of @kind, opened and identified */
static void
ub_front_plan_fixture_setup(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	const gchar *kind = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbJob) job = NULL;
	g_autofree gchar *phone = NULL;

	fx->tmp = g_dir_make_tmp("ub-front-plan-XXXXXX", &error);
	g_assert_no_error(error);
	phone = g_build_filename(fx->tmp, "phone", NULL);
	fx->device = ub_sim_open_device(kind, phone, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fx->device);
	if (UB_IS_EDL_DEVICE(fx->device)) {
		g_autofree gchar *path = g_build_filename(fx->tmp, "prog.elf", NULL);
		g_autoptr(GFile) file = g_file_new_for_path(path);
		g_autoptr(GBytes) blob = ub_demo_package_make_programmer();
		ub_front_plan_write_file(file, blob);
		ub_edl_device_set_programmer(UB_EDL_DEVICE(fx->device), file);
	}
	if (UB_IS_MTK_DEVICE(fx->device)) {
		g_autofree gchar *path = g_build_filename(fx->tmp, "da.bin", NULL);
		g_autoptr(GFile) file = g_file_new_for_path(path);
		g_autoptr(GBytes) blob = ub_demo_package_make_da(&error);
		g_assert_no_error(error);
		ub_front_plan_write_file(file, blob);
		ub_mtk_device_set_da_file(UB_MTK_DEVICE(fx->device), file);
		{
			/* the DRAM settings a BootROM start needs */
			g_autofree gchar *pl = g_build_filename(fx->tmp, "preloader.bin", NULL);
			g_autoptr(GFile) pl_file = g_file_new_for_path(pl);
			g_autoptr(GBytes) pl_blob = ub_demo_package_make_scatter_image("preloader");
			ub_front_plan_write_file(pl_file, pl_blob);
			ub_mtk_device_set_preloader(UB_MTK_DEVICE(fx->device), pl_file);
		}
	}
	job = ub_job_new(fx->device, plan);
	ub_job_run_sync(job, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(ub_device_get_partitions(fx->device));
	g_assert_cmpuint(ub_device_get_partitions(fx->device)->len, >, 0);
}

static void
ub_front_plan_fixture_teardown(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	if (fx->device != NULL)
		ub_device_close(fx->device);
	g_clear_object(&fx->device);
	ub_front_plan_rmdir(fx->tmp);
	g_free(fx->tmp);
}

static UbPlanOp *
ub_front_plan_find_op(UbPlan *plan, const gchar *partition)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (g_strcmp0(op->partition, partition) == 0)
			return op;
	}
	return NULL;
}

/* any non-boot, non-calibration partition of the phone */
static UbPartition *
ub_front_plan_ordinary_partition(UbDevice *device)
{
	GPtrArray *parts = ub_device_get_partitions(device);
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		const gchar *name = ub_partition_get_name(part);
		if (!ub_partition_is_calibration(part) && !ub_partition_name_is_bootloader(name) &&
		    !ub_partition_get_is_logical(part) && ub_partition_get_size(part) > 0)
			return part;
	}
	return NULL;
}

static void
ub_front_plan_parse_size_func(void)
{
	const struct {
		const gchar *text;
		guint64 value;
	} good[] = {
	    {"4096", 4096},
	    {"0x1000", 0x1000},
	    {" 4K ", 4096},
	    {"0x10M", 16 * 1024 * 1024},
	    {"2 GiB", G_GUINT64_CONSTANT(2) * 1024 * 1024 * 1024},
	    {"512kb", 512 * 1024},
	};
	const gchar *bad[] = {"", "x", "0x", "12Q", "4 KiBB", "-1", "99999999999999999999", "16777216T",
			      "0xffffffffffffffffG"};
	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		guint64 value = 0;
		g_assert_true(ub_front_plan_parse_size(good[i].text, &value, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(value, ==, good[i].value);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		guint64 value = 0;
		g_assert_false(ub_front_plan_parse_size(bad[i], &value, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
}

static void
ub_front_plan_readback_func(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autofree gchar *outdir = g_build_filename(fx->tmp, "out", "sub", NULL);
	g_autofree gchar *expect = NULL;
	UbPartition *part = ub_front_plan_ordinary_partition(fx->device);
	GPtrArray *regions = ub_device_get_regions(fx->device);
	const UbDeviceRegion *region = regions->len > 0 ? g_ptr_array_index(regions, 0) : NULL;
	UbFrontReadbackRow rows[3] = {{0}};
	guint n = 0;
	UbPlanOp *op;

	g_assert_nonnull(part);
	rows[n++] = (UbFrontReadbackRow){.name = ub_partition_get_name(part), .length = 4096};
	if (region != NULL)
		rows[n++] = (UbFrontReadbackRow){.region = region->name, .start = 0, .length = 8192};
	rows[n++] = (UbFrontReadbackRow){.name = ub_partition_get_name(part),
					 .start = 4096,
					 .length = 4096,
					 .output = "second.bin"};
	plan = ub_front_plan_readback(fx->device, rows, n, outdir, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	g_assert_cmpint(ub_plan_get_kind(plan), ==, UB_PLAN_KIND_READBACK);
	g_assert_cmpuint(ub_plan_get_ops(plan)->len, ==, n);
	g_assert_true(g_file_test(outdir, G_FILE_TEST_IS_DIR));
	op = g_ptr_array_index(ub_plan_get_ops(plan), 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_READ);
	g_assert_cmpstr(op->partition, ==, ub_partition_get_name(part));
	g_assert_null(op->region);
	expect = g_strdup_printf("%s/%s.img", outdir, ub_partition_get_name(part));
	g_assert_cmpstr(op->path, ==, expect);
	if (region != NULL) {
		g_autofree gchar *expect_region =
		    g_strdup_printf("%s/%s-0x0.bin", outdir, region->name);
		op = g_ptr_array_index(ub_plan_get_ops(plan), 1);
		g_assert_null(op->partition);
		g_assert_cmpstr(op->region, ==, region->name);
		g_assert_cmpuint(op->length, ==, 8192);
		g_assert_cmpstr(op->path, ==, expect_region);
	}

	/* the plan really runs on the phone */
	{
		g_autoptr(UbJob) job = ub_job_new(fx->device, plan);
		g_autofree gchar *second = g_build_filename(outdir, "second.bin", NULL);
		GStatBuf st = {0};
		g_assert_true(ub_job_run_sync(job, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpint(g_stat(second, &st), ==, 0);
		g_assert_cmpint(st.st_size, ==, 4096);
	}
}

static void
ub_front_plan_readback_refused_func(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	UbPartition *part = ub_front_plan_ordinary_partition(fx->device);
	const gchar *name = ub_partition_get_name(part);
	guint64 size = ub_partition_get_size(part);
	g_autofree gchar *outdir = g_build_filename(fx->tmp, "never", NULL);
	GPtrArray *regions = ub_device_get_regions(fx->device);
	struct {
		UbFrontReadbackRow rows[2];
		guint n;
		gint code;
	} cases[] = {
	    /* the same partition twice */
	    {{{.name = name}, {.name = name}}, 2, UB_ERROR_INVALID_DATA},
	    /* two rows into one file */
	    {{{.name = name, .output = "x.bin"}, {.name = name, .start = 512, .output = "x.bin"}},
	     2,
	     UB_ERROR_INVALID_DATA},
	    /* past the end of the partition */
	    {{{.name = name, .start = size - 512, .length = 1024}}, 1, UB_ERROR_REFUSED},
	    {{{.name = name, .start = size}}, 1, UB_ERROR_REFUSED},
	    /* no such partition or region */
	    {{{.name = "no-such-partition"}}, 1, UB_ERROR_NOT_FOUND},
	    /* neither or both */
	    {{{.start = 0}}, 1, UB_ERROR_INVALID_DATA},
	    {{{.name = name, .region = "user"}}, 1, UB_ERROR_INVALID_DATA},
	    {{{0}}, 0, UB_ERROR_INVALID_DATA},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbPlan) plan =
		    ub_front_plan_readback(fx->device, cases[i].rows, cases[i].n, outdir, &error);
		g_assert_null(plan);
		g_assert_error(error, UB_ERROR, cases[i].code);
	}
	/* refused before anything: not even the folder */
	g_assert_false(g_file_test(outdir, G_FILE_TEST_EXISTS));
	if (regions->len > 0) {
		const UbDeviceRegion *region = g_ptr_array_index(regions, 0);
		UbFrontReadbackRow row = {.region = region->name, .start = region->size};
		UbFrontReadbackRow row2 = {.region = "no-such-region"};
		g_autoptr(GError) error = NULL;
		g_autoptr(GError) error2 = NULL;
		g_autoptr(UbPlan) plan = ub_front_plan_readback(fx->device, &row, 1, outdir, &error);
		g_autoptr(UbPlan) plan2 = ub_front_plan_readback(fx->device, &row2, 1, outdir, &error2);
		g_assert_null(plan);
		g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
		g_assert_null(plan2);
		g_assert_error(error2, UB_ERROR, UB_ERROR_NOT_FOUND);
	}
}

static void
ub_front_plan_readback_all_func(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *outdir = g_build_filename(fx->tmp, "all", NULL);
	g_autoptr(UbPlan) plan = ub_front_plan_readback_all(fx->device, outdir, &error);
	GPtrArray *parts = ub_device_get_partitions(fx->device);
	guint n_physical = 0;

	g_assert_no_error(error);
	g_assert_nonnull(plan);

	/* EDL: one op, the engine's flat build that can be flashed back */
	if (UB_IS_EDL_DEVICE(fx->device)) {
		UbPlanOp *op;
		g_assert_cmpuint(ub_plan_get_ops(plan)->len, ==, 1);
		op = g_ptr_array_index(ub_plan_get_ops(plan), 0);
		g_assert_cmpint(op->kind, ==, UB_PLAN_OP_READ);
		g_assert_cmpuint(op->flags & UB_PLAN_OP_FLAG_FLAT_BUILD, !=, 0);
		g_assert_null(op->partition);
		g_assert_null(op->region);
		g_assert_cmpstr(op->path, ==, outdir);
		return;
	}
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		UbPlanOp *op = ub_front_plan_find_op(plan, ub_partition_get_name(part));
		if (ub_partition_get_is_logical(part)) {
			g_assert_null(op);
			continue;
		}
		n_physical++;
		g_assert_nonnull(op);
		g_assert_cmpint(op->kind, ==, UB_PLAN_OP_READ);
		g_assert_true(g_str_has_prefix(op->path, outdir));
		g_assert_true(g_str_has_suffix(op->path, ".img"));
	}
	g_assert_cmpuint(ub_plan_get_ops(plan)->len, ==, n_physical);
}

static void
ub_front_plan_format_auto_func(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	GPtrArray *parts = ub_device_get_partitions(fx->device);
	gboolean is_mtk = ub_device_get_protocol(fx->device) == UB_PROTOCOL_MTK;

	for (guint whole = 0; whole < 2; whole++) {
		for (guint keep = 0; keep < 2; keep++) {
			g_autoptr(GError) error = NULL;
			g_autoptr(UbPlan) plan =
			    ub_front_plan_format_auto(fx->device, whole, keep, &error);
			GPtrArray *ops;
			g_assert_no_error(error);
			g_assert_nonnull(plan);
			g_assert_cmpint(ub_plan_get_kind(plan), ==, UB_PLAN_KIND_FORMAT);
			g_assert_cmpint(ub_plan_get_allow_calibration(plan), ==, !keep);
			ops = ub_plan_get_ops(plan);
			if (is_mtk) {
				/* the user area, keeping calibration; the boot areas for whole */
				UbPlanOp *last = g_ptr_array_index(ops, ops->len - 1);
				g_assert_cmpint(last->kind, ==, UB_PLAN_OP_ERASE);
				g_assert_null(last->partition);
				g_assert_cmpstr(last->region, ==, "user");
				g_assert_cmpuint(last->flags & UB_PLAN_OP_FLAG_KEEP_CALIBRATION,
						 !=,
						 0);
				for (guint i = 0; i + 1 < ops->len; i++) {
					UbPlanOp *op = g_ptr_array_index(ops, i);
					g_assert_true(whole);
					g_assert_true(g_str_has_prefix(op->region, "boot"));
				}
				if (whole)
					g_assert_cmpuint(ops->len, >, 1);
				else
					g_assert_cmpuint(ops->len, ==, 1);
				continue;
			}
			for (guint i = 0; i < parts->len; i++) {
				UbPartition *part = g_ptr_array_index(parts, i);
				const gchar *name = ub_partition_get_name(part);
				UbPlanOp *op = ub_front_plan_find_op(plan, name);
				gboolean want = !ub_partition_get_is_logical(part);
				if (!whole && ub_partition_name_is_bootloader(name))
					want = FALSE;
				if (keep && ub_partition_is_calibration(part))
					want = FALSE;
				if (want) {
					g_assert_nonnull(op);
					g_assert_cmpint(op->kind, ==, UB_PLAN_OP_ERASE);
				} else {
					g_assert_null(op);
				}
			}
		}
	}
}

/* the phone has boot chain and calibration partitions the auto format leaves */
static void
ub_front_plan_format_auto_skips_func(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = ub_front_plan_format_auto(fx->device, FALSE, TRUE, &error);
	g_autoptr(UbPlan) whole = ub_front_plan_format_auto(fx->device, TRUE, FALSE, &error);
	g_autoptr(GPtrArray) cal = ub_front_plan_list_calibration(fx->device);
	GPtrArray *parts = ub_device_get_partitions(fx->device);
	guint n_boot = 0;

	g_assert_no_error(error);
	g_assert_cmpuint(cal->len, >, 0);
	if (ub_device_get_protocol(fx->device) == UB_PROTOCOL_MTK) {
		/* one region erase; the executor cuts it around calibration and tables */
		GPtrArray *ops = ub_plan_get_ops(plan);
		UbPlanOp *op = g_ptr_array_index(ops, 0);
		g_assert_cmpuint(ops->len, ==, 1);
		g_assert_null(op->partition);
		g_assert_cmpuint(op->flags & UB_PLAN_OP_FLAG_KEEP_CALIBRATION, !=, 0);
		g_assert_nonnull(ub_device_find_region(fx->device, "boot1"));
		g_assert_cmpuint(ub_plan_get_ops(whole)->len, >, 1);
		g_assert_true(ub_plan_preflight_for_device(plan, fx->device, &error));
		g_assert_no_error(error);
		return;
	}
	for (guint i = 0; i < cal->len; i++) {
		UbFrontCalibration *c = g_ptr_array_index(cal, i);
		g_assert_nonnull(c->reason);
		g_assert_nonnull(ub_partition_array_find(parts, c->name));
		g_assert_null(ub_front_plan_find_op(plan, c->name));
		g_assert_nonnull(ub_front_plan_find_op(whole, c->name));
	}
	for (guint i = 0; i < parts->len; i++) {
		const gchar *name = ub_partition_get_name(g_ptr_array_index(parts, i));
		if (!ub_partition_name_is_bootloader(name))
			continue;
		n_boot++;
		g_assert_null(ub_front_plan_find_op(plan, name));
		g_assert_nonnull(ub_front_plan_find_op(whole, name));
	}
	g_assert_cmpuint(n_boot, >, 0);
	/* and the executor agrees: nothing here touches calibration without consent */
	g_assert_true(ub_plan_preflight_for_device(plan, fx->device, &error));
	g_assert_no_error(error);
}

static void
ub_front_plan_format_range_func(UbFrontPlanFixture *fx, gconstpointer user_data)
{
	GPtrArray *regions = ub_device_get_regions(fx->device);
	const UbDeviceRegion *region;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	UbPlanOp *op;

	if (regions->len == 0) {
		/* fastboot: partitions by name only */
		plan = ub_front_plan_format_range(fx->device, "user", 0, 4096, TRUE, &error);
		g_assert_null(plan);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
		return;
	}
	region = g_ptr_array_index(regions, 0);
	plan = ub_front_plan_format_range(fx->device, region->name, 4096, 8192, TRUE, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	g_assert_false(ub_plan_get_allow_calibration(plan));
	g_assert_cmpuint(ub_plan_get_ops(plan)->len, ==, 1);
	op = g_ptr_array_index(ub_plan_get_ops(plan), 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_ERASE);
	g_assert_null(op->partition);
	g_assert_cmpstr(op->region, ==, region->name);
	g_assert_cmpuint(op->offset, ==, 4096);
	g_assert_cmpuint(op->length, ==, 8192);
	g_clear_object(&plan);

	plan = ub_front_plan_format_range(fx->device, region->name, 0, 0, FALSE, &error);
	g_assert_no_error(error);
	g_assert_true(ub_plan_get_allow_calibration(plan));
	g_clear_object(&plan);

	/* refused: past the end, unknown region */
	plan = ub_front_plan_format_range(fx->device, region->name, region->size - 512, 1024, TRUE,
					  &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);
	plan = ub_front_plan_format_range(fx->device, "lun99", 0, 512, TRUE, &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
}

/* without the phone's table there is nothing to plan a whole format from */
static void
ub_front_plan_unknown_phone_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = ub_sim_open_device("fastboot", NULL, &error);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GPtrArray) cal = NULL;
	UbFrontReadbackRow row = {.name = "anything"};

	g_assert_no_error(error);
	plan = ub_front_plan_format_auto(device, FALSE, TRUE, &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	plan = ub_front_plan_readback_all(device, "/nonexistent", &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	cal = ub_front_plan_list_calibration(device);
	g_assert_cmpuint(cal->len, ==, 0);
	/* rows by hand are checked later by the executor */
	plan = ub_front_plan_readback(NULL, &row, 1, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	g_assert_cmpstr(((UbPlanOp *)g_ptr_array_index(ub_plan_get_ops(plan), 0))->path,
			==,
			"anything.img");
}

/* EDL "Read back everything" run against the phone: a flat build that opens
 * as a package, every partition and both tables of every LUN in it */
static void
ub_front_plan_readback_all_edl_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("ub-front-plan-XXXXXX", &error);
	g_autofree gchar *phone = g_build_filename(tmp, "phone", NULL);
	g_autofree gchar *outdir = g_build_filename(tmp, "all", NULL);
	g_autofree gchar *prog = g_build_filename(tmp, "prog.elf", NULL);
	g_autofree gchar *rawprogram = g_build_filename(outdir, "rawprogram0.xml", NULL);
	g_autoptr(GFile) prog_file = g_file_new_for_path(prog);
	g_autoptr(GBytes) prog_blob = ub_demo_package_make_programmer();
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbDevice) fastboot = NULL;
	g_autoptr(UbPlan) identify = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbJob) job = NULL;
	g_autoptr(UbPackage) package = NULL;
	GPtrArray *parts;
	guint n_images = 0;

	g_assert_no_error(error);
	/* a small UFS phone (three LUNs of 16 MiB) so that all of it is read fast */
	{
		g_autoptr(UbSimStorage) storage = ub_sim_storage_open(phone, "ufs:3:16M", &error);
		g_assert_no_error(error);
		g_assert_nonnull(storage);
	}
	device = ub_sim_open_device("edl", phone, &error);
	g_assert_no_error(error);
	ub_front_plan_write_file(prog_file, prog_blob);
	ub_edl_device_set_programmer(UB_EDL_DEVICE(device), prog_file);
	job = ub_job_new(device, identify);
	g_assert_true(ub_job_run_sync(job, NULL, &error));
	g_assert_no_error(error);
	g_clear_object(&job);

	plan = ub_front_plan_readback_all(device, outdir, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	job = ub_job_new(device, plan);
	g_assert_true(ub_job_run_sync(job, NULL, &error));
	g_assert_no_error(error);
	ub_device_close(device);

	/* rawprogram0.xml and the images, one per partition of the phone */
	g_assert_true(g_file_test(rawprogram, G_FILE_TEST_IS_REGULAR));
	package = ub_package_open(rawprogram, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(package);
	g_assert_cmpint(ub_package_get_format(package), ==, UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD);
	g_assert_nonnull(ub_package_find_partition(package, "PrimaryGPT"));
	g_assert_nonnull(ub_package_find_partition(package, "BackupGPT"));
	parts = ub_device_get_partitions(device);
	g_assert_cmpuint(parts->len, >, 0);
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		UbPackagePartition *ppart =
		    ub_package_find_partition(package, ub_partition_get_name(part));
		g_autofree gchar *image = NULL;
		GStatBuf st = {0};
		if (ub_partition_get_size(part) == 0)
			continue;
		g_assert_nonnull(ppart);
		g_assert_nonnull(ppart->file);
		image = g_build_filename(outdir, ppart->file, NULL);
		g_assert_cmpint(g_stat(image, &st), ==, 0);
		g_assert_cmpuint((guint64)st.st_size, ==, ub_partition_get_size(part));
		n_images++;
	}
	g_assert_cmpuint(n_images, >, 0);

	/* the flag is for EDL phones only: refused before anything runs elsewhere */
	fastboot = ub_sim_open_device("fastboot", NULL, &error);
	g_assert_no_error(error);
	g_assert_false(ub_plan_preflight_for_device(plan, fastboot, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);

	ub_front_plan_rmdir(tmp);
}

int
main(int argc, char **argv)
{
	const gchar *kinds[] = {"fastboot", "edl", "mtk"};
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/common/front-plan/parse-size", ub_front_plan_parse_size_func);
	g_test_add_func("/ub/common/front-plan/unknown-phone", ub_front_plan_unknown_phone_func);
	g_test_add_func("/ub/common/front-plan/edl/readback-all-run",
			ub_front_plan_readback_all_edl_func);
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
		const struct {
			const gchar *name;
			void (*func)(UbFrontPlanFixture *, gconstpointer);
		} cases[] = {
		    {"readback", ub_front_plan_readback_func},
		    {"readback-refused", ub_front_plan_readback_refused_func},
		    {"readback-all", ub_front_plan_readback_all_func},
		    {"format-auto", ub_front_plan_format_auto_func},
		    {"format-auto-skips", ub_front_plan_format_auto_skips_func},
		    {"format-range", ub_front_plan_format_range_func},
		};
		for (guint j = 0; j < G_N_ELEMENTS(cases); j++) {
			g_autofree gchar *path =
			    g_strdup_printf("/ub/common/front-plan/%s/%s", kinds[i], cases[j].name);
			g_test_add(path,
				   UbFrontPlanFixture,
				   kinds[i],
				   ub_front_plan_fixture_setup,
				   cases[j].func,
				   ub_front_plan_fixture_teardown);
		}
	}
	return g_test_run();
}
