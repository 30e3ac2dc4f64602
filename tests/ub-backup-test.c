/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ub-backup.h"
#include "ub-test-device.h"

/* backup folders: the manifest round trip, verification against the SHA-256
 * of every image, listing newest first, hostile manifests, restore plans */

typedef struct {
	gchar *tmpdir;
} UbBackupFixture;

static void
ub_backup_fixture_setup(UbBackupFixture *fx, gconstpointer data)
{
	fx->tmpdir = g_dir_make_tmp("ub-backup-test-XXXXXX", NULL);
	g_assert_nonnull(fx->tmpdir);
}

static void
ub_backup_fixture_teardown(UbBackupFixture *fx, gconstpointer data)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(fx->tmpdir);
}

/* an image file in @dir, returning its SHA-256 */
static gchar *
ub_backup_test_image(const gchar *dir, const gchar *name, gsize size, guint8 seed)
{
	g_autofree guint8 *buf = g_malloc(size);
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(i * 7 + seed);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, NULL));
	return g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, size);
}

static UbBackup *
ub_backup_test_make(const gchar *dir)
{
	g_autoptr(UbTestDevice) device = ub_test_device_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sha1 = ub_backup_test_image(dir, "modemst1.img", 8192, 1);
	g_autofree gchar *sha2 = ub_backup_test_image(dir, "persist.img", 4096, 2);
	UbBackup *backup = ub_backup_new(dir);
	g_assert_true(ub_device_identify(UB_DEVICE(device), NULL, &error));
	g_assert_no_error(error);
	ub_backup_set_device(backup, UB_DEVICE(device));
	ub_backup_add_item(backup, "modemst1", "lun5", 0x6000, 8192, sha1, "modemst1.img");
	ub_backup_add_item(backup, NULL, "lun0", 0x2000, 4096, sha2, "persist.img");
	return backup;
}

static void
ub_backup_round_trip_func(UbBackupFixture *fx, gconstpointer data)
{
	g_autofree gchar *dir = g_build_filename(fx->tmpdir, "one", NULL);
	g_autoptr(UbBackup) backup = ub_backup_test_make(dir);
	g_autoptr(UbBackup) loaded = NULL;
	g_autoptr(GError) error = NULL;
	const UbBackupItem *item;
	const UbBackupItem *item2;

	g_assert_true(ub_backup_save(backup, &error));
	g_assert_no_error(error);
	loaded = ub_backup_load(dir, &error);
	g_assert_no_error(error);
	g_assert_nonnull(loaded);
	g_assert_cmpstr(ub_backup_get_dir(loaded), ==, dir);
	g_assert_cmpstr(ub_backup_get_protocol(loaded), ==, ub_backup_get_protocol(backup));
	g_assert_cmpstr(ub_backup_get_mode(loaded), ==, "fastboot");
	g_assert_cmpstr(ub_backup_get_chip(loaded), ==, "TESTCHIP");
	g_assert_cmpstr(ub_backup_get_serial(loaded), ==, "TEST0001");
	g_assert_cmpint(g_date_time_to_unix(ub_backup_get_time(loaded)),
			==,
			g_date_time_to_unix(ub_backup_get_time(backup)));
	g_assert_cmpuint(ub_backup_get_items(loaded)->len, ==, 2);
	item = ub_backup_find_item(loaded, "modemst1");
	g_assert_nonnull(item);
	item2 = ub_backup_find_item(backup, "modemst1");
	g_assert_cmpstr(item->region, ==, "lun5");
	g_assert_cmpuint(item->offset, ==, 0x6000);
	g_assert_cmpuint(item->size, ==, 8192);
	g_assert_cmpstr(item->sha256, ==, item2->sha256);
	g_assert_cmpstr(item->file, ==, "modemst1.img");
	item = g_ptr_array_index(ub_backup_get_items(loaded), 1);
	g_assert_null(item->partition);
	g_assert_cmpstr(item->region, ==, "lun0");
	g_assert_true(ub_backup_verify(loaded, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_backup_corruption_func(UbBackupFixture *fx, gconstpointer data)
{
	g_autofree gchar *dir = g_build_filename(fx->tmpdir, "one", NULL);
	g_autofree gchar *path = g_build_filename(dir, "modemst1.img", NULL);
	g_autoptr(UbBackup) backup = ub_backup_test_make(dir);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *contents = NULL;
	gsize len = 0;

	/* one flipped bit */
	g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
	contents[100] ^= 0x04;
	g_assert_true(g_file_set_contents(path, contents, len, NULL));
	g_assert_false(ub_backup_verify(backup, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "modemst1.img is damaged"));
	g_clear_error(&error);

	/* cut short */
	contents[100] ^= 0x04;
	g_assert_true(g_file_set_contents(path, contents, len - 1, NULL));
	g_assert_false(ub_backup_verify(backup, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "8191 bytes"));
	g_clear_error(&error);

	/* gone */
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_false(ub_backup_verify(backup, NULL, &error));
	g_assert_nonnull(strstr(error->message, "missing"));
	g_clear_error(&error);

	/* back as it was */
	g_assert_true(g_file_set_contents(path, contents, len, NULL));
	g_assert_true(ub_backup_verify(backup, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_backup_write_manifest(const gchar *dir, const gchar *json)
{
	g_autofree gchar *path = g_build_filename(dir, UB_BACKUP_MANIFEST, NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, json, -1, NULL));
}

static void
ub_backup_hostile_func(UbBackupFixture *fx, gconstpointer data)
{
	const gchar *sha = "0000000000000000000000000000000000000000000000000000000000000000";
	const gchar *bad[] = {
	    "not json",
	    "[]",
	    "{\"format\": 2, \"created\": \"2026-01-01T00:00:00Z\", \"images\": []}",
	    "{\"format\": 1, \"created\": \"yesterday\", \"images\": []}",
	    "{\"format\": 1, \"created\": \"2026-01-01T00:00:00Z\"}",
	    "{\"format\": 1, \"created\": \"2026-01-01T00:00:00Z\", \"images\": [{\"partition\": "
	    "\"a\", \"offset\": 0, \"size\": 1, \"sha256\": \"@SHA@\", \"file\": \"../a.img\"}]}",
	    "{\"format\": 1, \"created\": \"2026-01-01T00:00:00Z\", \"images\": [{\"partition\": "
	    "\"a\", \"offset\": 0, \"size\": 1, \"sha256\": \"xyz\", \"file\": \"a.img\"}]}",
	    "{\"format\": 1, \"created\": \"2026-01-01T00:00:00Z\", \"images\": [{\"partition\": "
	    "\"a\", \"offset\": -1, \"size\": 1, \"sha256\": \"@SHA@\", \"file\": \"a.img\"}]}",
	    "{\"format\": 1, \"created\": \"2026-01-01T00:00:00Z\", \"images\": [{\"offset\": 0, "
	    "\"size\": 1, \"sha256\": \"@SHA@\", \"file\": \"a.img\"}]}",
	    "{\"format\": 1, \"created\": \"2026-01-01T00:00:00Z\", \"images\": [{\"partition\": "
	    "5, \"offset\": 0, \"size\": 1, \"sha256\": \"@SHA@\", \"file\": \"a.img\"}]}",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree gchar *dir = g_strdup_printf("%s/bad%u", fx->tmpdir, i);
		g_auto(GStrv) split = g_strsplit(bad[i], "@SHA@", -1);
		g_autofree gchar *json = g_strjoinv(sha, split);
		g_autoptr(UbBackup) backup = NULL;
		g_autoptr(GError) error = NULL;
		ub_backup_write_manifest(dir, json);
		backup = ub_backup_load(dir, &error);
		g_assert_null(backup);
		g_assert_nonnull(error);
		g_assert_true(error->domain == UB_ERROR);
	}
}

static void
ub_backup_list_func(UbBackupFixture *fx, gconstpointer data)
{
	g_autofree gchar *root = g_build_filename(fx->tmpdir, "backups", NULL);
	g_autofree gchar *old_dir = g_build_filename(root, "SER1", "20250101-000000", NULL);
	g_autofree gchar *new_dir = g_build_filename(root, "SER2", "20260101-000000", NULL);
	g_autofree gchar *junk_dir = g_build_filename(root, "SER2", "junk", NULL);
	g_autofree gchar *damaged_dir = g_build_filename(root, "SER3", "20260202-000000", NULL);
	g_autofree gchar *fresh = NULL;
	g_autoptr(UbBackup) old_backup = ub_backup_test_make(old_dir);
	g_autoptr(UbBackup) new_backup = ub_backup_test_make(new_dir);
	g_autoptr(GDateTime) t_old = g_date_time_new_utc(2025, 1, 1, 0, 0, 0);
	g_autoptr(GDateTime) t_new = g_date_time_new_utc(2026, 1, 1, 0, 0, 0);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;

	/* saved in the wrong order on purpose */
	ub_backup_set_time(new_backup, t_new);
	g_assert_true(ub_backup_save(new_backup, &error));
	ub_backup_set_time(old_backup, t_old);
	g_assert_true(ub_backup_save(old_backup, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_mkdir_with_parents(junk_dir, 0700), ==, 0);
	ub_backup_write_manifest(damaged_dir, "{");

	list = ub_backup_list(root, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpstr(ub_backup_get_dir(g_ptr_array_index(list, 0)), ==, new_dir);
	g_assert_cmpstr(ub_backup_get_dir(g_ptr_array_index(list, 1)), ==, old_dir);
	g_clear_pointer(&list, g_ptr_array_unref);

	/* an empty or missing root lists nothing */
	list = ub_backup_list(fx->tmpdir, &error);
	g_assert_no_error(error);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = ub_backup_list("/nonexistent/unbrick", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 0);

	/* new folders never reuse an existing one */
	fresh = ub_backup_new_dir(root, "SER1");
	g_assert_true(g_str_has_prefix(fresh, root));
	g_assert_false(g_file_test(fresh, G_FILE_TEST_EXISTS));
	g_assert_cmpint(g_mkdir_with_parents(fresh, 0700), ==, 0);
	{
		g_autofree gchar *fresh2 = ub_backup_new_dir(root, "SER1");
		g_assert_cmpstr(fresh2, !=, fresh);
	}
	{
		g_autofree gchar *odd = ub_backup_new_dir(root, "../x/y");
		g_assert_null(strstr(odd, ".."));
		g_assert_null(strstr(odd, "x/y"));
	}
}

static void
ub_backup_restore_plan_func(UbBackupFixture *fx, gconstpointer data)
{
	g_autofree gchar *dir = g_build_filename(fx->tmpdir, "one", NULL);
	g_autoptr(UbBackup) backup = ub_backup_test_make(dir);
	g_autoptr(UbBackup) empty = ub_backup_new(dir);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GError) error = NULL;
	UbPlanOp *op;

	g_ptr_array_add(parts, ub_partition_new("modemst1", "lun5", 0x6000, 8192));
	plan = ub_backup_to_restore_plan(backup, parts, &error);
	g_assert_no_error(error);
	g_assert_true(ub_plan_get_allow_calibration(plan));
	g_assert_true(ub_plan_get_verify(plan));
	g_assert_cmpuint(ub_plan_get_ops(plan)->len, ==, 2);
	op = g_ptr_array_index(ub_plan_get_ops(plan), 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_WRITE);
	g_assert_cmpstr(op->partition, ==, "modemst1");
	g_assert_true(g_str_has_suffix(op->path, "/one/modemst1.img"));
	op = g_ptr_array_index(ub_plan_get_ops(plan), 1);
	g_assert_null(op->partition);
	g_assert_cmpstr(op->region, ==, "lun0");
	g_assert_cmpuint(op->offset, ==, 0x2000);
	g_assert_cmpuint(op->length, ==, 4096);

	/* nothing to restore */
	g_clear_object(&plan);
	plan = ub_backup_to_restore_plan(empty, NULL, &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, func)                                                                            \
	g_test_add(path,                                                                           \
		   UbBackupFixture,                                                                \
		   NULL,                                                                           \
		   ub_backup_fixture_setup,                                                        \
		   func,                                                                           \
		   ub_backup_fixture_teardown)
	ADD("/ub/core/backup/round-trip", ub_backup_round_trip_func);
	ADD("/ub/core/backup/corruption", ub_backup_corruption_func);
	ADD("/ub/core/backup/hostile", ub_backup_hostile_func);
	ADD("/ub/core/backup/list", ub_backup_list_func);
	ADD("/ub/core/backup/restore-plan", ub_backup_restore_plan_func);
#undef ADD
	return g_test_run();
}
