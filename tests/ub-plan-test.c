/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-backup.h"
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


/* a UFS-like phone: lun0 of 64 sectors of 4096 bytes, lun5 with modemst1 in it */
static void
ub_plan_add_luns(UbPlanFixture *fx)
{
	ub_test_device_add_region(fx->device, "lun0", 64 * 4096, 4096);
	ub_test_device_add_region(fx->device, "lun5", 32 * 4096, 4096);
	ub_test_device_add_region_partition(fx->device, "lun5", "modem_a", 4 * 4096, 8 * 4096, 0x11);
	ub_test_device_add_region_partition(fx->device, "lun5", "modemst1", 12 * 4096, 4 * 4096, 0xc1);
	ub_test_device_add_region_partition(fx->device, "lun5", "modemst2", 16 * 4096, 4 * 4096, 0xc2);
}

static gboolean
ub_plan_bytes_are(const guint8 *buf, gsize len, guint8 value)
{
	for (gsize i = 0; i < len; i++) {
		if (buf[i] != value)
			return FALSE;
	}
	return TRUE;
}

static void
ub_plan_region_start_expr_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = ub_plan_write_image(fx, "gpt_backup0.bin", 5 * 4096, 7);
	g_autofree gchar *contents = NULL;
	GByteArray *lun0;
	gsize len = 0;
	UbPlanOp *op;

	ub_plan_add_luns(fx);
	ub_plan_set_verify(plan, TRUE);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 0, 5 * 4096, path);
	op->label = g_strdup("BackupGPT");
	op->start_expr = g_strdup("NUM_DISK_SECTORS-5.");
	op->sector_size = 4096;

	/* without a phone the start stays open; with it, it is resolved */
	g_assert_true(ub_plan_preflight(plan, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_plan_preflight_for_device(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
	lun0 = ub_test_device_get_region_data(fx->device, "lun0");
	/* the last five sectors hold the image, everything before is untouched */
	g_assert_cmpmem(lun0->data + 59 * 4096, 5 * 4096, contents, len);
	g_assert_true(ub_plan_bytes_are(lun0->data, 59 * 4096, 0x00));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 1);
}

static void
ub_plan_region_verify_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = ub_plan_write_image(fx, "xbl.elf", 3 * 4096 + 100, 9);
	UbPlanOp *op;

	ub_plan_add_luns(fx);
	ub_plan_set_verify(plan, TRUE);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 8 * 4096, 4 * 4096, path);
	op->label = g_strdup("xbl");
	ub_test_device_set_corrupt_reads(fx->device, TRUE);
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "xbl"));
}

static void
ub_plan_region_file_offset_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = ub_plan_write_image(fx, "single.bin", 4 * 4096, 3);
	g_autofree gchar *contents = NULL;
	GByteArray *lun0;
	gsize len = 0;
	UbPlanOp *op;

	/* sectors 1..2 of a four-sector file go to sector 10 */
	ub_plan_add_luns(fx);
	ub_plan_set_verify(plan, TRUE);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 10 * 4096, 2 * 4096, path);
	op->file_offset = 4096;
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
	lun0 = ub_test_device_get_region_data(fx->device, "lun0");
	g_assert_cmpmem(lun0->data + 10 * 4096, 2 * 4096, contents + 4096, 2 * 4096);
	g_assert_true(ub_plan_bytes_are(lun0->data + 12 * 4096, 4096, 0x00));
}

static void
ub_plan_region_refused_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = ub_plan_write_image(fx, "big.img", 8 * 4096, 1);
	UbPlanOp *op;

	ub_plan_add_luns(fx);

	/* past the end of the LUN: refused before anything is written */
	ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, "lun0", 0, 4096, NULL);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 60 * 4096, 8 * 4096, path);
	op->label = g_strdup("toolong");
	g_assert_false(ub_plan_preflight_for_device(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "toolong"));
	g_assert_nonnull(strstr(error->message, "outside LUN 0"));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 0);
	g_assert_cmpuint(ub_test_device_get_erases(fx->device), ==, 0);
	g_clear_error(&error);

	/* a start expression that lands outside it */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 0, 8 * 4096, path);
	op->start_expr = g_strdup("NUM_DISK_SECTORS-5.");
	op->sector_size = 4096;
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);

	/* a LUN the phone does not have: named in the message */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun7", 0, 0, path);
	op->label = g_strdup("abl");
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "LUN 7"));
	g_clear_error(&error);

	/* eMMC entries on UFS storage */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 0, 0, path);
	op->sector_size = 512;
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "512"));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 0);
}

static void
ub_plan_region_calibration_refused_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = ub_plan_write_image(fx, "modem.img", 10 * 4096, 5);
	GByteArray *lun5;
	UbPlanOp *op;

	/* modem_a is sectors 4..11, the image runs into modemst1 at 12 */
	ub_plan_add_luns(fx);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun5", 4 * 4096, 10 * 4096, path);
	op->label = g_strdup("modem");
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "modemst1"));
	g_assert_nonnull(strstr(error->message, "--allow-calibration"));
	g_assert_null(strstr(error->message, "modemst2"));
	g_assert_cmpuint(ub_test_device_get_writes(fx->device), ==, 0);
	g_clear_error(&error);

	/* an erase of the whole LUN covers both */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, "lun5", 0, 0, NULL);
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);

	/* a range the package calls persist, though the phone has no such partition */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 0, 10 * 4096, path);
	op->label = g_strdup("persist");
	g_assert_false(ub_plan_preflight(plan, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "persist"));
	g_clear_error(&error);

	/* next to calibration data is fine */
	g_clear_object(&plan);
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun5", 4 * 4096, 8 * 4096, path);
	op->label = g_strdup("modem");
	g_assert_false(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	/* (the image is 10 sectors: larger than the 8 it is given) */
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "larger"));
	g_clear_error(&error);
	lun5 = ub_test_device_get_region_data(fx->device, "lun5");
	g_assert_true(ub_plan_bytes_are(lun5->data + 12 * 4096, 4 * 4096, 0xc1));
}

static gchar *
ub_plan_sha256_file(const gchar *path)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
	return g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guint8 *)contents, len);
}

static void
ub_plan_region_calibration_backup_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(UbPlan) restore = NULL;
	g_autoptr(UbBackup) backup = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(GPtrArray) none = g_ptr_array_new();
	g_autofree gchar *path = ub_plan_write_image(fx, "modem.img", 10 * 4096, 5);
	g_autofree gchar *backup_dir = g_build_filename(fx->tmpdir, "backup", NULL);
	g_autofree gchar *backup_img = g_build_filename(backup_dir, "modemst1.img", NULL);
	g_autofree gchar *sha = NULL;
	g_autofree guint8 *before = NULL;
	const UbBackupItem *item;
	GByteArray *lun5;
	UbPlanOp *op;

	ub_plan_add_luns(fx);
	lun5 = ub_test_device_get_region_data(fx->device, "lun5");
	before = g_memdup2(lun5->data, lun5->len);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun5", 4 * 4096, 10 * 4096, path);
	op->label = g_strdup("modem");
	ub_plan_set_allow_calibration(plan, TRUE);
	ub_plan_set_backup_dir(plan, backup_dir);
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);

	/* modemst1 was read before the write overwrote half of it */
	g_assert_true(ub_plan_bytes_are(lun5->data + 14 * 4096, 2 * 4096, 0xc1));
	g_assert_false(ub_plan_bytes_are(lun5->data + 12 * 4096, 2 * 4096, 0xc1));
	backup = ub_backup_load(backup_dir, &error);
	g_assert_no_error(error);
	g_assert_nonnull(backup);
	g_assert_cmpstr(ub_backup_get_serial(backup), ==, "TEST0001");
	g_assert_cmpstr(ub_backup_get_chip(backup), ==, "TESTCHIP");
	g_assert_cmpuint(ub_backup_get_items(backup)->len, ==, 1);
	item = ub_backup_find_item(backup, "modemst1");
	g_assert_nonnull(item);
	g_assert_cmpstr(item->region, ==, "lun5");
	g_assert_cmpuint(item->offset, ==, 12 * 4096);
	g_assert_cmpuint(item->size, ==, 4 * 4096);
	g_assert_cmpstr(item->file, ==, "modemst1.img");
	sha = ub_plan_sha256_file(backup_img);
	g_assert_cmpstr(item->sha256, ==, sha);
	g_assert_true(ub_backup_verify(backup, NULL, &error));
	g_assert_no_error(error);

	/* restoring by name gives the old bytes back */
	parts = ub_device_list_partitions(UB_DEVICE(fx->device), NULL, &error);
	g_assert_no_error(error);
	restore = ub_backup_to_restore_plan(backup, parts, &error);
	g_assert_no_error(error);
	g_assert_true(ub_plan_get_allow_calibration(restore));
	g_assert_true(ub_plan_run(restore, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_cmpmem(lun5->data + 12 * 4096, 4 * 4096, before + 12 * 4096, 4 * 4096);

	/* and by region and offset when the phone does not list the name */
	memset(lun5->data + 12 * 4096, 0xee, 4 * 4096);
	g_clear_object(&restore);
	restore = ub_backup_to_restore_plan(backup, none, &error);
	g_assert_no_error(error);
	op = g_ptr_array_index(ub_plan_get_ops(restore), 0);
	g_assert_null(op->partition);
	g_assert_cmpstr(op->region, ==, "lun5");
	g_assert_cmpuint(op->offset, ==, 12 * 4096);
	g_assert_true(ub_plan_run(restore, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	g_assert_cmpmem(lun5->data + 12 * 4096, 4 * 4096, before + 12 * 4096, 4 * 4096);
}

/* a range the package calls calibration data with no partition on the phone:
 * the range itself is backed up; a plain format backup gets a manifest too */
static void
ub_plan_label_backup_func(UbPlanFixture *fx, gconstpointer data)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(UbPlan) format = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(UbBackup) backup = NULL;
	g_autoptr(UbBackup) backup2 = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = ub_plan_write_image(fx, "persist.img", 2 * 4096, 5);
	g_autofree gchar *backup_dir = g_build_filename(fx->tmpdir, "b1", NULL);
	g_autofree gchar *backup_dir2 = g_build_filename(fx->tmpdir, "b2", NULL);
	const UbBackupItem *item;
	GByteArray *lun0;
	UbPlanOp *op;

	ub_plan_add_luns(fx);
	lun0 = ub_test_device_get_region_data(fx->device, "lun0");
	memset(lun0->data + 20 * 4096, 0x77, 2 * 4096);
	op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, NULL, "lun0", 20 * 4096, 2 * 4096, path);
	op->label = g_strdup("persist");
	ub_plan_set_allow_calibration(plan, TRUE);
	ub_plan_set_backup_dir(plan, backup_dir);
	g_assert_true(ub_plan_run(plan, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	backup = ub_backup_load(backup_dir, &error);
	g_assert_no_error(error);
	item = ub_backup_find_item(backup, "persist");
	g_assert_nonnull(item);
	g_assert_cmpstr(item->region, ==, "lun0");
	g_assert_cmpuint(item->offset, ==, 20 * 4096);
	g_assert_cmpuint(item->size, ==, 2 * 4096);
	g_assert_true(ub_backup_verify(backup, NULL, &error));
	g_assert_no_error(error);

	ub_plan_add_erase(format, "nvdata");
	ub_plan_set_allow_calibration(format, TRUE);
	ub_plan_set_backup_dir(format, backup_dir2);
	g_assert_true(ub_plan_run(format, UB_DEVICE(fx->device), &error));
	g_assert_no_error(error);
	backup2 = ub_backup_load(backup_dir2, &error);
	g_assert_no_error(error);
	item = ub_backup_find_item(backup2, "nvdata");
	g_assert_nonnull(item);
	g_assert_cmpuint(item->size, ==, 64 * 1024);
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
	g_autofree gchar *data_home = g_dir_make_tmp("ub-plan-test-home-XXXXXX", NULL);
	g_autofree gchar *rm = g_strdup_printf("rm -rf '%s'", data_home);
	gint rc;
	g_test_init(&argc, &argv, NULL);
	/* default backup folders go here, never into the user's data */
	g_setenv("XDG_DATA_HOME", data_home, TRUE);
#define ADD(path, func)                                                                            \
	g_test_add(path, UbPlanFixture, NULL, ub_plan_fixture_setup, func, ub_plan_fixture_teardown)
	ADD("/ub/core/plan/download-verify", ub_plan_download_verify_func);
	ADD("/ub/core/plan/verify-mismatch", ub_plan_verify_mismatch_func);
	ADD("/ub/core/plan/too-large", ub_plan_too_large_func);
	ADD("/ub/core/plan/unknown-partition", ub_plan_unknown_partition_func);
	ADD("/ub/core/plan/calibration-refused", ub_plan_calibration_refused_func);
	ADD("/ub/core/plan/calibration-backup", ub_plan_calibration_backup_func);
	ADD("/ub/core/plan/readback", ub_plan_readback_func);
	ADD("/ub/core/plan/region-start-expr", ub_plan_region_start_expr_func);
	ADD("/ub/core/plan/region-verify", ub_plan_region_verify_func);
	ADD("/ub/core/plan/region-file-offset", ub_plan_region_file_offset_func);
	ADD("/ub/core/plan/region-refused", ub_plan_region_refused_func);
	ADD("/ub/core/plan/region-calibration-refused", ub_plan_region_calibration_refused_func);
	ADD("/ub/core/plan/region-calibration-backup", ub_plan_region_calibration_backup_func);
	ADD("/ub/core/plan/label-backup", ub_plan_label_backup_func);
#undef ADD
	g_test_add_func("/ub/core/plan/strings", ub_plan_strings_func);
	rc = g_test_run();
	g_assert_cmpint(system(rm), ==, 0);
	return rc;
}
