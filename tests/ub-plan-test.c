/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-test-device.h"

typedef struct {
	gchar *tmpdir;
	UbTestDevice *device;
} UbPlanFixture;

static void
ub_plan_fixture_setup(UbPlanFixture *fx, gconstpointer data)
{
	fx->tmpdir = g_dir_make_tmp("ub-plan-test-XXXXXX", NULL);
	g_assert_nonnull(fx->tmpdir);
	fx->device = ub_test_device_new();
	ub_test_device_add_partition(fx->device, "boot_a", 256 * 1024, 0x00);
	ub_test_device_add_partition(fx->device, "boot_b", 256 * 1024, 0x00);
	ub_test_device_add_partition(fx->device, "system_a", 1024 * 1024, 0x00);
	ub_test_device_add_partition(fx->device, "nvdata", 64 * 1024, 0x5a);
}

static void
ub_plan_fixture_teardown(UbPlanFixture *fx, gconstpointer data)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(fx->tmpdir);
	g_object_unref(fx->device);
}

static gchar *
ub_plan_write_image(UbPlanFixture *fx, const gchar *name, gsize size, guint8 seed)
{
	g_autofree guint8 *buf = g_malloc(size);
	gchar *path = g_build_filename(fx->tmpdir, name, NULL);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(i * 31 + seed);
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, NULL));
	return path;
}

static gboolean
ub_plan_run(UbPlan *plan, UbDevice *device, GError **error)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	gboolean ok = ub_plan_execute(plan, device, progress, NULL, error);
	if (ok)
		g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 1.0, 1e-6);
	return ok;
}

static void
ub_plan_download_verify_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *boot = ub_plan_write_image(fx, "boot.img", 200 * 1024 + 7, 1);
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	GByteArray *data_boot;

	ub_plan_add_write(plan, "boot_a", boot);
	ub_plan_set_verify(plan, TRUE);
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(boot, &contents, &len, NULL));
	data_boot = ub_test_device_get_data(fx->device, "boot_a");
	g_assert_cmpmem(data_boot->data, len, contents, len);
	/* the rest of the partition is untouched */
	g_assert_cmpint(data_boot->data[len], ==, 0x00);
	g_assert_cmpstr(ub_device_get_serial(UB_DEVICE(fx->device)), ==, "TEST0001");
}

static void
ub_plan_verify_mismatch_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *boot = ub_plan_write_image(fx, "boot.img", 4096, 2);
	ub_plan_add_write(plan, "boot_a", boot);
	ub_plan_set_verify(plan, TRUE);
	ub_test_device_set_corrupt_reads(fx->device, TRUE);
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "verification failed"));
	g_assert_nonnull(strstr(error->message, "boot_a differs from the image at byte 0x0"));
}

static void
ub_plan_too_large_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sys = ub_plan_write_image(fx, "system.img", 1024, 3);
	g_autofree gchar *boot = ub_plan_write_image(fx, "boot.img", 256 * 1024 + 1, 4);

	/* the bad image is second: nothing at all may be written */
	ub_plan_add_write(plan, "system_a", sys);
	ub_plan_add_write(plan, "boot_a", boot);
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "refusing to start"));
	g_assert_nonnull(strstr(error->message, "larger than partition 'boot_a'"));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 0);
}

static void
ub_plan_unknown_partition_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *img = ub_plan_write_image(fx, "md1img.img", 1024, 5);
	g_autofree gchar *missing = g_build_filename(fx->tmpdir, "missing.img", NULL);
	ub_plan_add_write(plan, "md1img", img);
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "package is for this model"));
	g_clear_error(&error);

	/* a slotless name on an A/B phone goes to the current slot, or the named one */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	ub_plan_add_write(plan, "boot", img);
	ub_device_set_extra(UB_DEVICE(fx->device), "current-slot", "b");
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_test_device_get_data(fx->device, "boot_b")->data[0], ==, 5);
	g_assert_cmpint(ub_test_device_get_data(fx->device, "boot_a")->data[0], ==, 0);
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	ub_plan_add_write(plan, "boot", img)->slot = g_strdup("all");
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_cmpint(ub_test_device_get_data(fx->device, "boot_a")->data[0], ==, 5);
	/* without a current slot it cannot choose, and says which names exist */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	ub_plan_add_write(plan, "boot", img);
	ub_device_set_extra(UB_DEVICE(fx->device), "current-slot", "?");
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "name one, boot_a or boot_b"));
	g_clear_error(&error);

	/* a missing file is caught before connecting to anything */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	ub_plan_add_write(plan, "boot_a", missing);
	g_assert_false(ub_plan_preflight(plan, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
}

static void
ub_plan_calibration_refused_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(GError) error = NULL;
	ub_plan_add_erase(plan, "system_a");
	ub_plan_add_erase(plan, "nvdata");
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "calibration"));
	g_assert_cmpuint(ub_test_device_get_erases(fx->device), ==, 0);
	g_assert_cmpint(ub_test_device_get_data(fx->device, "nvdata")->data[0], ==, 0x5a);
}

static void
ub_plan_calibration_backup_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *backup_dir = g_build_filename(fx->tmpdir, "backup", NULL);
	g_autofree gchar *backup = g_build_filename(backup_dir, "nvdata.img", NULL);
	g_autofree gchar *part = g_build_filename(backup_dir, "nvdata.img.part", NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;

	ub_plan_add_erase(plan, "nvdata");
	ub_plan_set_allow_calibration(plan, TRUE);
	ub_plan_set_backup_dir(plan, backup_dir);
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	/* the backup holds what was there before the erase */
	g_assert_true(g_file_get_contents(backup, &contents, &len, NULL));
	g_assert_cmpuint(len, ==, 64 * 1024);
	g_assert_cmpint((guint8)contents[0], ==, 0x5a);
	g_assert_cmpint((guint8)contents[len - 1], ==, 0x5a);
	g_assert_false(g_file_test(part, G_FILE_TEST_EXISTS));
	g_assert_cmpuint(ub_test_device_get_erases(fx->device), ==, 1);
	g_assert_cmpint(ub_test_device_get_data(fx->device, "nvdata")->data[0], ==, 0xff);
}

static void
ub_plan_readback_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_READBACK);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = g_build_filename(fx->tmpdir, "nvdata.bin", NULL);
	g_autofree gchar *out2 = g_build_filename(fx->tmpdir, "sys-part.bin", NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	UbPlanOp *op;

	ub_plan_add_read(plan, "nvdata", out);
	op = ub_plan_add_read(plan, "system_a", out2);
	op->offset = 4096;
	op->length = 8192;
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(out, &contents, &len, NULL));
	g_assert_cmpuint(len, ==, 64 * 1024);
	g_clear_pointer(&contents, g_free);
	g_assert_true(g_file_get_contents(out2, &contents, &len, NULL));
	g_assert_cmpuint(len, ==, 8192);

	/* a range past the end of the partition is refused */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_READBACK);
	op = ub_plan_add_read(plan, "boot_a", out2);
	op->offset = 255 * 1024;
	op->length = 2048;
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
}

static void
ub_plan_strings_func(void)
{
	for (guint i = 0; i < UB_PLAN_KIND_LAST; i++)
		g_assert_cmpstr(ub_plan_kind_to_string(i), !=, "unknown");
	for (guint i = 0; i < UB_PLAN_OP_LAST; i++)
		g_assert_cmpstr(ub_plan_op_kind_to_string(i), !=, "unknown");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_setenv("XDG_DATA_HOME", g_get_tmp_dir(), TRUE);
#define ADD(path, func)                                                                            \
	g_test_add(path, UbPlanFixture, NULL, ub_plan_fixture_setup, func, ub_plan_fixture_teardown)
	ADD("/ub/core/plan/download-verify", ub_plan_download_verify_func);
	ADD("/ub/core/plan/verify-mismatch", ub_plan_verify_mismatch_func);
	ADD("/ub/core/plan/too-large", ub_plan_too_large_func);
	ADD("/ub/core/plan/unknown-partition", ub_plan_unknown_partition_func);
	ADD("/ub/core/plan/calibration-refused", ub_plan_calibration_refused_func);
	ADD("/ub/core/plan/calibration-backup", ub_plan_calibration_backup_func);
	ADD("/ub/core/plan/readback", ub_plan_readback_func);
#undef ADD
	g_test_add_func("/ub/core/plan/strings", ub_plan_strings_func);
	return g_test_run();
}
