/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-flash-script.h"
#include "ub-error.h"

/* the 44 partitions raphaelin's flash_all.sh/.bat flash, in order (FACTS.md) */
static const gchar *raphaelin_flash[] = {
    "crclist",	   "sparsecrclist", "xbl",	"xblbak",	 "xbl_config",	  "xbl_configbak",
    "abl",	   "ablbak",	    "tz",	"tzbak",	 "hyp",		  "hypbak",
    "devcfg",	   "devcfgbak",	    "storsec",	"bluetooth",	 "cmnlib",	  "cmnlibbak",
    "cmnlib64",	   "cmnlib64bak",   "modem",	"dsp",		 "metadata",	  "keymaster",
    "keymasterbak", "logo",	    "misc",	"aop",		 "aopbak",	  "qupfw",
    "qupfwbak",	   "imagefv",	    "uefisecapp", "uefisecappbak", "multiimgoem", "vendor",
    "vbmeta",	   "dtbo",	    "system",	"cache",	 "userdata",	  "recovery",
    "cust",	   "boot",	    NULL};

static const gchar *cereus_flash[] = {
    "crclist", "sparsecrclist", "preloader", "logo",   "tee1",   "scp1",     "sspm_1", "lk",
    "tee2",    "scp2",	        "sspm_2",    "lk2",    "odmdtbo", "spmfw",   "md1img", "vendor",
    "system",  "cache",	        "recovery",  "boot",   "cust",   "vbmeta",   "userdata", NULL};

static UbFlashScript *
ub_flash_script_test_parse_path(const gchar *fn)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *name = g_path_get_basename(fn);
	gsize datasz = 0;
	UbFlashScript *script;

	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	script = ub_flash_script_parse((const guint8 *)data, datasz, name, &error);
	g_assert_no_error(error);
	g_assert_nonnull(script);
	return script;
}

static UbFlashScript *
ub_flash_script_test_corpus(const gchar *subdir, const gchar *name)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *fn = NULL;

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return NULL;
	}
	fn = g_build_filename(corpus, subdir, name, NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
		g_test_skip("corpus file missing");
		return NULL;
	}
	return ub_flash_script_test_parse_path(fn);
}

static UbFlashScript *
ub_flash_script_test_seed(const gchar *name)
{
	g_autofree gchar *fn = g_test_build_filename(G_TEST_DIST, "fuzz", "corpus", "flash-script", name, NULL);
	return ub_flash_script_test_parse_path(fn);
}

static UbFlashScript *
ub_flash_script_test_text(const gchar *name, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	UbFlashScript *script = ub_flash_script_parse((const guint8 *)text, strlen(text), name, &error);
	g_assert_no_error(error);
	g_assert_nonnull(script);
	return script;
}

static UbFlashScriptStep *
ub_flash_script_test_step(UbFlashScript *script, guint idx)
{
	GPtrArray *steps = ub_flash_script_get_steps(script);
	g_assert_cmpuint(idx, <, steps->len);
	return g_ptr_array_index(steps, idx);
}

/* the partitions of @op in order, as one string */
static gchar *
ub_flash_script_test_parts(UbFlashScript *script, UbFlashScriptOp op)
{
	GPtrArray *steps = ub_flash_script_get_steps(script);
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < steps->len; i++) {
		UbFlashScriptStep *step = g_ptr_array_index(steps, i);
		if (step->op != op)
			continue;
		if (str->len > 0)
			g_string_append_c(str, ',');
		g_string_append(str, step->partition);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static UbFlashScriptStep *
ub_flash_script_test_nth_op(UbFlashScript *script, UbFlashScriptOp op, gint nth)
{
	GPtrArray *steps = ub_flash_script_get_steps(script);
	g_autoptr(GPtrArray) found = g_ptr_array_new();
	for (guint i = 0; i < steps->len; i++) {
		UbFlashScriptStep *step = g_ptr_array_index(steps, i);
		if (step->op == op)
			g_ptr_array_add(found, step);
	}
	g_assert_cmpuint(found->len, >, 0);
	if (nth < 0)
		nth += (gint)found->len;
	g_assert_cmpint(nth, >=, 0);
	g_assert_cmpuint((guint)nth, <, found->len);
	return g_ptr_array_index(found, nth);
}

/* the steps that are neither flash, erase nor a check, as "reboot;oem lock" */
static gchar *
ub_flash_script_test_others(UbFlashScript *script)
{
	GPtrArray *steps = ub_flash_script_get_steps(script);
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < steps->len; i++) {
		UbFlashScriptStep *step = g_ptr_array_index(steps, i);
		if (step->op == UB_FLASH_SCRIPT_OP_FLASH || step->op == UB_FLASH_SCRIPT_OP_ERASE ||
		    step->op == UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT ||
		    step->op == UB_FLASH_SCRIPT_OP_CHECK_ANTI)
			continue;
		if (str->len > 0)
			g_string_append_c(str, ';');
		g_string_append(str, ub_flash_script_op_to_string(step->op));
		if (step->value != NULL && step->value[0] != '\0')
			g_string_append_printf(str, " %s", step->value);
		if (step->file != NULL)
			g_string_append_printf(str, " %s", step->file);
		if (step->wipe)
			g_string_append(str, " -w");
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static void
ub_flash_script_test_assert_flashes(UbFlashScript *script, const gchar **expected)
{
	g_autofree gchar *want = g_strjoinv(",", (gchar **)expected);
	g_autofree gchar *got = ub_flash_script_test_parts(script, UB_FLASH_SCRIPT_OP_FLASH);
	g_assert_cmpstr(got, ==, want);
}

static void
ub_flash_script_test_assert_no_warnings(UbFlashScript *script)
{
	GPtrArray *warnings = ub_flash_script_get_warnings(script);
	for (guint i = 0; i < warnings->len; i++)
		g_test_message("unexpected: %s", (const gchar *)g_ptr_array_index(warnings, i));
	g_assert_cmpuint(warnings->len, ==, 0);
}

/* FACTS.md: xiaomi-fastboot/raphaelin/flash_all.sh and flash_all.bat */
static void
ub_flash_script_raphaelin_func(void)
{
	g_autoptr(UbFlashScript) sh = ub_flash_script_test_corpus("xiaomi-fastboot/raphaelin", "flash_all.sh");
	g_autoptr(UbFlashScript) bat = NULL;
	g_autofree gchar *erases = NULL;
	g_autofree gchar *others = NULL;
	g_autofree gchar *diff = NULL;
	UbFlashScriptStep *step;

	if (sh == NULL)
		return;
	bat = ub_flash_script_test_corpus("xiaomi-fastboot/raphaelin", "flash_all.bat");
	g_assert_cmpint(ub_flash_script_get_syntax(sh), ==, UB_FLASH_SCRIPT_SYNTAX_SH);
	g_assert_cmpint(ub_flash_script_get_syntax(bat), ==, UB_FLASH_SCRIPT_SYNTAX_BAT);
	for (guint i = 0; i < 2; i++) {
		UbFlashScript *s = i == 0 ? sh : bat;
		ub_flash_script_test_assert_no_warnings(s);
		g_assert_cmpstr(ub_flash_script_get_product(s), ==, "raphaelin");
		g_assert_true(ub_flash_script_has_anti_check(s));
		g_assert_cmpuint(ub_flash_script_count_op(s, UB_FLASH_SCRIPT_OP_FLASH), ==, 44);
		g_assert_cmpuint(ub_flash_script_count_op(s, UB_FLASH_SCRIPT_OP_ERASE), ==, 2);
		g_assert_cmpuint(ub_flash_script_get_commented_count(s), ==, 2);
		ub_flash_script_test_assert_flashes(s, raphaelin_flash);
		erases = ub_flash_script_test_parts(s, UB_FLASH_SCRIPT_OP_ERASE);
		g_assert_cmpstr(erases, ==, "boot,secdata");
		g_clear_pointer(&erases, g_free);
		others = ub_flash_script_test_others(s);
		g_assert_cmpstr(others, ==, "reboot");
		g_clear_pointer(&others, g_free);

		/* anti-rollback (CURRENT_ANTI_VER=1) comes before the product check */
		step = ub_flash_script_test_step(s, 0);
		g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_CHECK_ANTI);
		g_assert_cmpstr(step->value, ==, "1");
		step = ub_flash_script_test_step(s, 1);
		g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT);
		g_assert_cmpstr(step->value, ==, "raphaelin");
		g_assert_true(step->prefix_match);
		g_assert_true(step->checked);

		step = ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_FLASH, 0);
		g_assert_cmpstr(step->file, ==, "images/crclist.txt");
		step = ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_FLASH, -1);
		g_assert_cmpstr(step->partition, ==, "boot");
		g_assert_cmpstr(step->file, ==, "images/boot.img");
		g_assert_null(step->slot);
		g_assert_true(step->checked);
		step = ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_FLASH, 15);
		g_assert_cmpstr(step->partition, ==, "bluetooth");
		g_assert_cmpstr(step->file, ==, "images/BTFM.bin");
	}
	g_assert_cmpuint(ub_flash_script_get_product_checks(sh), ==, 1);
	g_assert_cmpuint(ub_flash_script_get_product_checks(bat), ==, 2);
	/* the final reboot has an error test in the .bat only; that is not a plan difference */
	g_assert_true(ub_flash_script_test_step(bat, 48)->checked);

	/* the twins give the same plan */
	diff = ub_flash_script_diff(sh, bat);
	g_assert_null(diff);
}

static void
ub_flash_script_raphaelin_variants_func(void)
{
	g_autoptr(UbFlashScript) all = ub_flash_script_test_corpus("xiaomi-fastboot/raphaelin", "flash_all.sh");
	g_autoptr(UbFlashScript) keep = NULL;
	g_autoptr(UbFlashScript) lock = NULL;
	g_autofree gchar *diff = NULL;
	g_autofree gchar *others = NULL;
	g_autofree gchar *erases = NULL;
	g_autoptr(GPtrArray) expected = g_ptr_array_new();

	if (all == NULL)
		return;
	keep = ub_flash_script_test_corpus("xiaomi-fastboot/raphaelin", "flash_all_except_storage.sh");
	lock = ub_flash_script_test_corpus("xiaomi-fastboot/raphaelin", "flash_all_lock.sh");
	ub_flash_script_test_assert_no_warnings(keep);
	ub_flash_script_test_assert_no_warnings(lock);

	/* except_storage: 42 flashes, neither metadata nor userdata */
	for (guint i = 0; raphaelin_flash[i] != NULL; i++) {
		if (g_strcmp0(raphaelin_flash[i], "metadata") != 0 &&
		    g_strcmp0(raphaelin_flash[i], "userdata") != 0)
			g_ptr_array_add(expected, (gpointer)raphaelin_flash[i]);
	}
	g_ptr_array_add(expected, NULL);
	g_assert_cmpuint(ub_flash_script_count_op(keep, UB_FLASH_SCRIPT_OP_FLASH), ==, 42);
	ub_flash_script_test_assert_flashes(keep, (const gchar **)expected->pdata);
	g_assert_cmpuint(ub_flash_script_get_commented_count(keep), ==, 2);
	g_assert_cmpstr(ub_flash_script_get_product(keep), ==, "raphaelin");
	g_assert_true(ub_flash_script_has_anti_check(keep));
	erases = ub_flash_script_test_parts(keep, UB_FLASH_SCRIPT_OP_ERASE);
	g_assert_cmpstr(erases, ==, "boot,secdata");
	diff = ub_flash_script_diff(all, keep);
	g_assert_nonnull(diff);
	g_assert_nonnull(strstr(diff, "metadata"));

	/* lock: 44 flashes, ends with oem lock and no reboot */
	g_assert_cmpuint(ub_flash_script_count_op(lock, UB_FLASH_SCRIPT_OP_FLASH), ==, 44);
	ub_flash_script_test_assert_flashes(lock, raphaelin_flash);
	others = ub_flash_script_test_others(lock);
	g_assert_cmpstr(others, ==, "oem lock");
	g_assert_cmpint(ub_flash_script_test_nth_op(lock, UB_FLASH_SCRIPT_OP_OEM, -1)->line, ==, 103);
}

/* FACTS.md: xiaomi-fastboot/cereus/flash_all_lock.sh and .bat */
static void
ub_flash_script_cereus_func(void)
{
	g_autoptr(UbFlashScript) sh = ub_flash_script_test_corpus("xiaomi-fastboot/cereus", "flash_all_lock.sh");
	g_autoptr(UbFlashScript) bat = NULL;
	g_autofree gchar *diff = NULL;

	if (sh == NULL)
		return;
	bat = ub_flash_script_test_corpus("xiaomi-fastboot/cereus", "flash_all_lock.bat");
	for (guint i = 0; i < 2; i++) {
		UbFlashScript *s = i == 0 ? sh : bat;
		g_autofree gchar *others = ub_flash_script_test_others(s);
		UbFlashScriptStep *step;
		ub_flash_script_test_assert_no_warnings(s);
		g_assert_cmpstr(ub_flash_script_get_product(s), ==, "cereus");
		g_assert_false(ub_flash_script_has_anti_check(s));
		g_assert_cmpuint(ub_flash_script_count_op(s, UB_FLASH_SCRIPT_OP_FLASH), ==, 23);
		g_assert_cmpuint(ub_flash_script_count_op(s, UB_FLASH_SCRIPT_OP_ERASE), ==, 0);
		g_assert_cmpuint(ub_flash_script_get_commented_count(s), ==, 0);
		ub_flash_script_test_assert_flashes(s, cereus_flash);
		g_assert_cmpstr(others, ==, "oem lock;reboot");
		step = ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_FLASH, 0);
		g_assert_cmpstr(step->file, ==, "images/crclist.txt");
		/* "|| handle_error" and "|| ... && goto error" abort */
		g_assert_true(step->checked);
		step = ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_FLASH, -1);
		g_assert_cmpstr(step->file, ==, "images/userdata.img");
		/* oem lock has no error handling */
		g_assert_false(ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_OEM, 0)->checked);
	}
	g_assert_cmpuint(ub_flash_script_get_product_checks(sh), ==, 1);
	g_assert_cmpuint(ub_flash_script_get_product_checks(bat), ==, 2);
	diff = ub_flash_script_diff(bat, sh);
	g_assert_null(diff);
}

/* FACTS.md: android-factory/blueline-pq1a/flash-all.sh and .bat */
static void
ub_flash_script_blueline_func(void)
{
	g_autoptr(UbFlashScript) sh = ub_flash_script_test_corpus("android-factory/blueline-pq1a", "flash-all.sh");
	g_autoptr(UbFlashScript) bat = NULL;
	g_autofree gchar *diff = NULL;
	const gchar *flashes[] = {"bootloader", "radio", NULL};

	if (sh == NULL)
		return;
	bat = ub_flash_script_test_corpus("android-factory/blueline-pq1a", "flash-all.bat");
	for (guint i = 0; i < 2; i++) {
		UbFlashScript *s = i == 0 ? sh : bat;
		g_autofree gchar *others = ub_flash_script_test_others(s);
		ub_flash_script_test_assert_no_warnings(s);
		g_assert_null(ub_flash_script_get_product(s));
		g_assert_cmpuint(ub_flash_script_get_product_checks(s), ==, 0);
		g_assert_false(ub_flash_script_has_anti_check(s));
		g_assert_cmpuint(ub_flash_script_get_command_count(s), ==, 5);
		ub_flash_script_test_assert_flashes(s, flashes);
		g_assert_cmpstr(ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_FLASH, 0)->file,
				==,
				"bootloader-blueline-b1c1-0.1-5004167.img");
		g_assert_cmpstr(ub_flash_script_test_nth_op(s, UB_FLASH_SCRIPT_OP_FLASH, 1)->file,
				==,
				"radio-blueline-g845-00023-180917-b-5014671.img");
		g_assert_cmpstr(others,
				==,
				"reboot bootloader;reboot bootloader;"
				"update image-blueline-pq1a.181105.017.a1.zip -w");
	}
	diff = ub_flash_script_diff(sh, bat);
	g_assert_null(diff);
}

/* liuqin-style HyperOS scripts: _ab, the crc condition, anti_version.txt, set_active */
static void
ub_flash_script_ab_func(void)
{
	g_autoptr(UbFlashScript) sh = ub_flash_script_test_seed("ab_crc.sh");
	g_autoptr(UbFlashScript) bat = ub_flash_script_test_seed("ab_crc.bat");
	g_autofree gchar *diff = NULL;

	for (guint i = 0; i < 2; i++) {
		UbFlashScript *s = i == 0 ? sh : bat;
		g_autofree gchar *others = ub_flash_script_test_others(s);
		UbFlashScriptStep *step;
		ub_flash_script_test_assert_no_warnings(s);
		g_assert_cmpstr(ub_flash_script_get_product(s), ==, "liuqin");
		step = ub_flash_script_test_step(s, 0);
		g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT);
		step = ub_flash_script_test_step(s, 1);
		g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_CHECK_ANTI);
		g_assert_cmpstr(step->file, ==, "images/anti_version.txt");
		g_assert_null(step->value);
		/* crclists only when getvar crc says 1 */
		step = ub_flash_script_test_step(s, 2);
		g_assert_cmpstr(step->partition, ==, "crclist");
		g_assert_cmpstr(step->condition, ==, "getvar:crc=1");
		step = ub_flash_script_test_step(s, 3);
		g_assert_cmpstr(step->partition, ==, "sparsecrclist");
		g_assert_cmpstr(step->condition, ==, "getvar:crc=1");
		step = ub_flash_script_test_step(s, 4);
		g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_ERASE);
		g_assert_cmpstr(step->partition, ==, "boot_ab");
		g_assert_cmpstr(step->base, ==, "boot");
		g_assert_cmpstr(step->slot, ==, "ab");
		g_assert_null(step->condition);
		step = ub_flash_script_test_step(s, 5);
		g_assert_cmpstr(step->partition, ==, "abl_ab");
		g_assert_cmpstr(step->base, ==, "abl");
		g_assert_cmpstr(step->slot, ==, "ab");
		g_assert_cmpstr(step->file, ==, "images/abl.elf");
		step = ub_flash_script_test_step(s, 6);
		g_assert_cmpstr(step->partition, ==, "super");
		g_assert_null(step->slot);
		g_assert_cmpstr(others, ==, "set-active a;reboot");
	}
	diff = ub_flash_script_diff(sh, bat);
	g_assert_null(diff);
}

/* every line we do not understand is reported with its number, never dropped quietly */
static void
ub_flash_script_warnings_func(void)
{
	g_autoptr(UbFlashScript) s = ub_flash_script_test_seed("odd.sh");
	GPtrArray *warnings = ub_flash_script_get_warnings(s);
	const gchar *expected[] = {"odd.sh:5: image path leaves the package",
				   "odd.sh:6: image path uses a variable we do not know",
				   "odd.sh:7: unknown line kept out of the plan: rm -rf /",
				   "odd.sh:10: unknown fastboot command kept out of the plan",
				   "odd.sh:14: unknown line kept out of the plan: for p in a b",
				   NULL};
	UbFlashScriptStep *step;

	g_assert_cmpuint(warnings->len, ==, g_strv_length((gchar **)expected));
	for (guint i = 0; expected[i] != NULL; i++) {
		const gchar *w = g_ptr_array_index(warnings, i);
		g_assert_true(g_str_has_prefix(w, expected[i]));
	}
	/* "$" anchors the product: exact match */
	step = ub_flash_script_test_step(s, 0);
	g_assert_cmpstr(step->value, ==, "vayu");
	g_assert_false(step->prefix_match);
	/* IMG=$(dirname "$0")/images */
	step = ub_flash_script_test_step(s, 1);
	g_assert_cmpstr(step->file, ==, "images/boot.img");
	/* options are kept for the loader to report */
	step = ub_flash_script_test_step(s, 2);
	g_assert_cmpstr(step->partition, ==, "vbmeta");
	g_assert_cmpuint(step->options->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(step->options, 0), ==, "--disable-verity");
	step = ub_flash_script_test_step(s, 3);
	g_assert_cmpstr(step->slot, ==, "all");
	step = ub_flash_script_test_step(s, 4);
	g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_FLASHING);
	g_assert_cmpstr(step->value, ==, "lock");
	step = ub_flash_script_test_step(s, 5);
	g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_FORMAT);
	g_assert_cmpstr(step->value, ==, "ext4");
	step = ub_flash_script_test_step(s, 6);
	g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_FORMAT);
	g_assert_true(step->wipe);
	/* a continued line */
	step = ub_flash_script_test_step(s, 7);
	g_assert_cmpint(step->op, ==, UB_FLASH_SCRIPT_OP_REBOOT);
	g_assert_cmpstr(step->value, ==, "bootloader");
	g_assert_cmpuint(step->line, ==, 15);
}

static void
ub_flash_script_small_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbFlashScript) s = NULL;
	g_autoptr(UbFlashScript) crlf = NULL;
	g_autoptr(UbFlashScript) bad = NULL;
	g_autofree gchar *diff = NULL;
	const guint8 nul[] = {'f', 'a', 's', 't', 0, 'x'};

	/* absolute paths are refused; rem/:: comments count commented-out commands */
	s = ub_flash_script_test_text("x.bat",
				      "\xef\xbb\xbf@echo off\r\n"
				      "rem fastboot flash a a.img\r\n"
				      ":: fastboot flash b b.img\r\n"
				      "fastboot flash c C:\\images\\c.img\r\n"
				      "fastboot %* flash d \"%~dp0images\\d.img\"\r\n"
				      "if errorlevel 1 goto error\r\n"
				      "fastboot reboot-recovery\r\n");
	g_assert_cmpuint(ub_flash_script_get_commented_count(s), ==, 2);
	g_assert_cmpuint(ub_flash_script_get_warnings(s)->len, ==, 1);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(ub_flash_script_get_warnings(s), 0),
				       "x.bat:4: image path is absolute"));
	g_assert_cmpstr(ub_flash_script_test_step(s, 0)->file, ==, "images/d.img");
	g_assert_true(ub_flash_script_test_step(s, 0)->checked);
	g_assert_cmpstr(ub_flash_script_test_step(s, 1)->value, ==, "recovery");

	/* the same in shell, CRLF line ends: the diff sees the same plan */
	crlf = ub_flash_script_test_text("x.sh",
					 "fastboot $* flash d `dirname $0`/images/d.img\r\n"
					 "fastboot reboot recovery\r\n");
	diff = ub_flash_script_diff(s, crlf);
	g_assert_null(diff);

	bad = ub_flash_script_parse(nul, sizeof(nul), "x.sh", &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(bad);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/flash-script/raphaelin", ub_flash_script_raphaelin_func);
	g_test_add_func("/ub/formats/flash-script/raphaelin-variants",
			ub_flash_script_raphaelin_variants_func);
	g_test_add_func("/ub/formats/flash-script/cereus", ub_flash_script_cereus_func);
	g_test_add_func("/ub/formats/flash-script/blueline", ub_flash_script_blueline_func);
	g_test_add_func("/ub/formats/flash-script/ab", ub_flash_script_ab_func);
	g_test_add_func("/ub/formats/flash-script/warnings", ub_flash_script_warnings_func);
	g_test_add_func("/ub/formats/flash-script/small", ub_flash_script_small_func);
	return g_test_run();
}
