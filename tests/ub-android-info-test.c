/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-android-info.h"
#include "ub-error.h"

static GBytes *
ub_android_info_test_corpus(const gchar *subdir, const gchar *name)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *fn = NULL;
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize datasz = 0;

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return NULL;
	}
	fn = g_build_filename(corpus, subdir, name, NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
		g_test_skip("corpus file missing");
		return NULL;
	}
	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, datasz);
}

static UbAndroidInfo *
ub_android_info_test_parse(GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	UbAndroidInfo *info =
	    ub_android_info_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), &error);
	g_assert_no_error(error);
	g_assert_nonnull(info);
	return info;
}

static gchar *
ub_android_info_test_values(UbAndroidInfoRequirement *req)
{
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < req->values->len; i++) {
		if (i > 0)
			g_string_append(str, " | ");
		g_string_append(str, g_ptr_array_index(req->values, i));
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/* FACTS.md: android-factory/blueline-pq1a/android-info.txt */
static void
ub_android_info_blueline_func(void)
{
	g_autoptr(GBytes) blob = ub_android_info_test_corpus("android-factory/blueline-pq1a", "android-info.txt");
	g_autoptr(UbAndroidInfo) info = NULL;
	g_autofree gchar *board = NULL;
	GPtrArray *reqs;
	const gchar *keys[] = {"board", "partition-exists", "version-bootloader", "version-baseband"};
	const gchar *values[] = {"crosshatch | blueline",
				 "product",
				 "b1c1-0.1-5004167",
				 "g845-00023-180917-B-5014671"};
	const guint counts[] = {2, 1, 1, 1};
	const guint lines[] = {1, 2, 4, 7};

	if (blob == NULL)
		return;
	g_assert_cmpuint(g_bytes_get_size(blob), ==, 167);
	info = ub_android_info_test_parse(blob);
	reqs = ub_android_info_get_requirements(info);
	g_assert_cmpuint(reqs->len, ==, 4);
	for (guint i = 0; i < reqs->len; i++) {
		UbAndroidInfoRequirement *req = g_ptr_array_index(reqs, i);
		g_autofree gchar *joined = ub_android_info_test_values(req);
		g_assert_cmpstr(req->key, ==, keys[i]);
		g_assert_cmpstr(joined, ==, values[i]);
		g_assert_cmpuint(req->values->len, ==, counts[i]);
		g_assert_cmpuint(req->line, ==, lines[i]);
		g_assert_false(req->reject);
		g_assert_null(req->for_product);
	}
	board = ub_android_info_get_value(info, "board");
	g_assert_cmpstr(board, ==, "crosshatch|blueline");
	g_assert_null(ub_android_info_get_value(info, "product"));
	g_assert_cmpuint(ub_android_info_get_warnings(info)->len, ==, 0);
}

/* FACTS.md: android-factory/nothing-pong-avbroot/android-info.txt */
static void
ub_android_info_pong_func(void)
{
	g_autoptr(GBytes) blob = ub_android_info_test_corpus("android-factory/nothing-pong-avbroot", "android-info.txt");
	g_autoptr(UbAndroidInfo) info = NULL;
	g_autofree gchar *board = NULL;

	if (blob == NULL)
		return;
	g_assert_cmpuint(g_bytes_get_size(blob), ==, 24);
	info = ub_android_info_test_parse(blob);
	g_assert_cmpuint(ub_android_info_get_requirements(info)->len, ==, 1);
	board = ub_android_info_get_value(info, "board");
	g_assert_cmpstr(board, ==, "Pong|taro");
}

static void
ub_android_info_forms_func(void)
{
	const gchar *text = "# comment\n"
			    "require product=sailfish|marlin*\n"
			    "reject version-bootloader=old\n"
			    "require-for-product:marlin version-baseband=1.0\n"
			    "something else\n"
			    "require =x\n"
			    "require product2=\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(UbAndroidInfo) info = ub_android_info_parse((const guint8 *)text, strlen(text), &error);
	g_autoptr(UbAndroidInfo) bad = NULL;
	GPtrArray *reqs;
	UbAndroidInfoRequirement *req;
	const guint8 nul[] = {'r', 0};

	g_assert_no_error(error);
	reqs = ub_android_info_get_requirements(info);
	g_assert_cmpuint(reqs->len, ==, 3);
	req = g_ptr_array_index(reqs, 0);
	g_assert_cmpstr(g_ptr_array_index(req->values, 1), ==, "marlin*");
	req = g_ptr_array_index(reqs, 1);
	g_assert_true(req->reject);
	req = g_ptr_array_index(reqs, 2);
	g_assert_cmpstr(req->for_product, ==, "marlin");
	g_assert_cmpstr(req->key, ==, "version-baseband");
	/* reject and for-product lines are not the plain value */
	g_assert_null(ub_android_info_get_value(info, "version-bootloader"));
	g_assert_cmpuint(ub_android_info_get_warnings(info)->len, ==, 3);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(ub_android_info_get_warnings(info), 0),
				       "android-info.txt:5:"));

	bad = ub_android_info_parse(nul, sizeof(nul), &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(bad);
}

/* FACTS.md: android-factory/nothing-pong-avbroot/fastboot-info.txt */
static void
ub_android_info_fastboot_info_func(void)
{
	g_autoptr(GBytes) blob = ub_android_info_test_corpus("android-factory/nothing-pong-avbroot", "fastboot-info.txt");
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) cmds = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) non_flash = g_string_new(NULL);
	g_autoptr(GPtrArray) vbmeta = g_ptr_array_new();
	UbFastbootInfoCommand *cmd;
	guint version = 0;
	guint flashes = 0;
	guint flashes_before_reboot = G_MAXUINT;
	UbFastbootInfoCommand *first_flash = NULL;
	UbFastbootInfoCommand *last_flash = NULL;

	if (blob == NULL)
		return;
	g_assert_cmpuint(g_bytes_get_size(blob), ==, 733);
	cmds = ub_fastboot_info_parse(g_bytes_get_data(blob, NULL),
				      g_bytes_get_size(blob),
				      &version,
				      warnings,
				      &error);
	g_assert_no_error(error);
	g_assert_cmpuint(version, ==, 1);
	g_assert_cmpuint(warnings->len, ==, 0);
	g_assert_cmpuint(cmds->len, ==, 40);
	for (guint i = 0; i < cmds->len; i++) {
		cmd = g_ptr_array_index(cmds, i);
		g_assert_cmpuint(cmd->index, ==, i + 1);
		if (cmd->op == UB_FASTBOOT_INFO_OP_FLASH) {
			flashes++;
			if (first_flash == NULL)
				first_flash = cmd;
			last_flash = cmd;
			if (cmd->apply_vbmeta)
				g_ptr_array_add(vbmeta, cmd->partition);
			g_assert_false(cmd->if_wipe);
			g_assert_false(cmd->slot_other);
			continue;
		}
		if (cmd->op == UB_FASTBOOT_INFO_OP_VERSION)
			continue;
		if (cmd->op == UB_FASTBOOT_INFO_OP_REBOOT && g_strcmp0(cmd->value, "fastboot") == 0) {
			g_assert_cmpuint(cmd->index, ==, 2);
			flashes_before_reboot = flashes;
		}
		if (non_flash->len > 0)
			g_string_append(non_flash, "; ");
		g_string_append_printf(non_flash,
				       "%s%s %s",
				       cmd->if_wipe ? "if-wipe " : "",
				       ub_fastboot_info_op_to_string(cmd->op),
				       cmd->partition != NULL ? cmd->partition : cmd->value);
	}
	g_assert_cmpuint(flashes, ==, 36);
	g_assert_cmpuint(flashes_before_reboot, ==, 0);
	g_assert_cmpstr(first_flash->partition, ==, "abl");
	g_assert_cmpstr(first_flash->image, ==, "abl.img");
	g_assert_cmpstr(last_flash->partition, ==, "vendor_dlkm");
	g_assert_cmpuint(vbmeta->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(vbmeta, 0), ==, "vbmeta");
	g_assert_cmpstr(non_flash->str,
			==,
			"reboot fastboot; if-wipe erase userdata; if-wipe erase metadata");
}

static void
ub_android_info_fastboot_info_forms_func(void)
{
	const gchar *text = "version 1\n"
			    "flash --slot-other system system_other.img\n"
			    "update-super\n"
			    "flash ../etc passwd\n"
			    "flash --bogus boot\n"
			    "reboot sideways\n"
			    "if-wipe\n"
			    "frobnicate\n";
	const gchar *newer = "version 2\nflash boot\n";
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) cmds = NULL;
	g_autoptr(GPtrArray) cmds2 = NULL;
	g_autoptr(GError) error = NULL;
	UbFastbootInfoCommand *cmd;

	cmds = ub_fastboot_info_parse((const guint8 *)text, strlen(text), NULL, warnings, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(cmds->len, ==, 3);
	cmd = g_ptr_array_index(cmds, 1);
	g_assert_true(cmd->slot_other);
	g_assert_cmpstr(cmd->image, ==, "system_other.img");
	cmd = g_ptr_array_index(cmds, 2);
	g_assert_cmpint(cmd->op, ==, UB_FASTBOOT_INFO_OP_UPDATE_SUPER);
	g_assert_cmpuint(warnings->len, ==, 5);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(warnings, 0), "fastboot-info.txt:4:"));

	/* fastboot refuses a newer version; so do we */
	cmds2 = ub_fastboot_info_parse((const guint8 *)newer, strlen(newer), NULL, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_null(cmds2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/android-info/blueline", ub_android_info_blueline_func);
	g_test_add_func("/ub/formats/android-info/pong", ub_android_info_pong_func);
	g_test_add_func("/ub/formats/android-info/forms", ub_android_info_forms_func);
	g_test_add_func("/ub/formats/android-info/fastboot-info", ub_android_info_fastboot_info_func);
	g_test_add_func("/ub/formats/android-info/fastboot-info-forms",
			ub_android_info_fastboot_info_forms_func);
	return g_test_run();
}
