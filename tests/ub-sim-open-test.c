/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-core.h"
#include "ub-sim-open.h"

/* what --device sim:KIND[:DIR] opens */

static gchar *
ub_sim_open_image(const gchar *dir, gsize size)
{
	gchar *path = g_build_filename(dir, "img.bin", NULL);
	g_autofree guint8 *buf = g_malloc(size);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(i * 7 + 3);
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, NULL));
	return path;
}

static void
ub_sim_open_fastboot_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = ub_sim_open_device("fastboot", NULL, &error);
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbJob) job = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_assert_no_error(error);
	g_assert_nonnull(device);
	g_assert_true(ub_device_get_simulated(device));
	g_assert_cmpint(ub_device_get_protocol(device), ==, UB_PROTOCOL_FASTBOOT);
	job = ub_job_new(device, plan);
	g_assert_true(ub_job_run_sync(job, NULL, &error));
	g_assert_no_error(error);
	g_assert_nonnull(ub_device_get_serial(device));
	parts = ub_device_get_partitions(device);
	g_assert_nonnull(parts);
	g_assert_nonnull(ub_partition_array_find(parts, "boot_a"));
	g_assert_nonnull(ub_partition_array_find(parts, "nvdata"));
}

static void
ub_sim_open_persistent_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("ub-sim-open-XXXXXX", NULL);
	g_autofree gchar *phone = g_build_filename(tmp, "phone", NULL);
	g_autofree gchar *img = ub_sim_open_image(tmp, 100000);
	g_autofree gchar *back = g_build_filename(tmp, "back.bin", NULL);
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	gsize alen = 0;
	gsize blen = 0;
	g_autofree gchar *cmd = NULL;

	/* flash with one phone object, read back with a fresh one on the same folder */
	{
		g_autoptr(UbDevice) device = ub_sim_open_device("fastboot", phone, &error);
		g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
		g_autoptr(UbJob) job = NULL;
		g_assert_no_error(error);
		ub_plan_add_write(plan, "dtbo_a", img);
		job = ub_job_new(device, plan);
		g_assert_true(ub_job_run_sync(job, NULL, &error));
		g_assert_no_error(error);
	}
	{
		g_autoptr(UbDevice) device = ub_sim_open_device("fastboot", phone, &error);
		g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_READBACK);
		g_autoptr(UbJob) job = NULL;
		g_assert_no_error(error);
		ub_plan_add_op(plan, UB_PLAN_OP_READ, "dtbo_a", NULL, 0, 100000, back);
		job = ub_job_new(device, plan);
		g_assert_true(ub_job_run_sync(job, NULL, &error));
		g_assert_no_error(error);
	}
	g_assert_true(g_file_get_contents(img, &a, &alen, NULL));
	g_assert_true(g_file_get_contents(back, &b, &blen, NULL));
	g_assert_cmpmem(a, alen, b, blen);
	cmd = g_strdup_printf("rm -rf '%s'", tmp);
	g_assert_cmpint(system(cmd), ==, 0);
}

static void
ub_sim_open_unsupported_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = ub_sim_open_device("nokia", NULL, &error);
	g_assert_null(device);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);
	/* the MTK personality exists: a device, not yet opened, that goes with its phone */
	device = ub_sim_open_device("mtk", NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(device);
	g_assert_nonnull(g_object_get_data(G_OBJECT(device), "ub-sim-phone"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_setenv("XDG_DATA_HOME", g_get_tmp_dir(), TRUE);
	g_test_add_func("/ub/sim/open/fastboot", ub_sim_open_fastboot_func);
	g_test_add_func("/ub/sim/open/persistent", ub_sim_open_persistent_func);
	g_test_add_func("/ub/sim/open/unsupported", ub_sim_open_unsupported_func);
	return g_test_run();
}
