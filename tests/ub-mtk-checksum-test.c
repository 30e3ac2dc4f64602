/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-mtk-checksum.h"
#include "ub-error.h"

static GBytes *
ub_mtk_checksum_test_load(const gchar *name)
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
	fn = g_build_filename(corpus, "mtk-checksum", name, NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
		g_test_skip("corpus file missing");
		return NULL;
	}
	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, datasz);
}

static gchar *
ub_mtk_checksum_test_entries(UbMtkChecksum *ini)
{
	GPtrArray *entries = ub_mtk_checksum_get_entries(ini);
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < entries->len; i++) {
		UbMtkChecksumEntry *entry = g_ptr_array_index(entries, i);
		/* FACTS.md prints the values as written; the number must agree */
		g_assert_cmpuint(entry->value, ==, g_ascii_strtoull(entry->value_str, NULL, 16));
		g_string_append_printf(str, "%s%s=%s", i > 0 ? ", " : "", entry->name, entry->value_str);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static gchar *
ub_mtk_checksum_test_sections(UbMtkChecksum *ini)
{
	GPtrArray *sections = ub_mtk_checksum_get_sections(ini);
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < sections->len; i++)
		g_string_append_printf(str, "%s[%s]", i > 0 ? ", " : "", (const gchar *)g_ptr_array_index(sections, i));
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/* FACTS.md: mtk-checksum/begonia_Checksum.ini and mi_lx04_Checksum.ini */
static void
ub_mtk_checksum_corpus_func(void)
{
	struct {
		const gchar *fn;
		gsize size;
		const gchar *tool;
		const gchar *change_id;
		guint n_entries;
		const gchar *entries;
		const gchar *first;
		guint16 first_value;
		const gchar *last;
		guint16 last_value;
	} cases[] = {
	    {"begonia_Checksum.ini",
	     525,
	     "v5.1916.00",
	     "1624982816",
	     31,
	     "preloader=0x2668, recovery=0xBB5E, vbmeta=0x474B, efuse=0x24A9, md1img=0x416A, "
	     "spmfw=0x12A6, audio_dsp=0xDEA2, scp1=0x059C, scp2=0x059C, sspm_1=0x38B1, "
	     "sspm_2=0x38B1, cam_vpu1=0x7ED7, cam_vpu2=0x3A15, cam_vpu3=0x2F06, gz1=0x1426, "
	     "gz2=0x1426, lk=0x4D1E, lk2=0x4D1E, boot=0x324F, logo=0xD528, dtbo=0x6D7B, "
	     "tee1=0x718A, tee2=0x718A, vendor=0xB073, system=0xA7A5, cache=0x051D, "
	     "gsort=0x0000, oem_misc1=0x0000, exaid=0x0000, cust=0x1963, userdata=0xEA91",
	     "preloader",
	     0x2668,
	     "userdata",
	     0xEA91},
	    {"mi_lx04_Checksum.ini",
	     254,
	     "v5.1832.00",
	     "1556599975",
	     10,
	     "preloader=0xA558, lk_a=0x2CB4, boot_a=0x7463, logo=0x2597, odmdtbo_a=0x149C, "
	     "tee_a=0xC8D9, system_a=0x886, system_b=0x6C19, vendor_a=0x2ACE, userdata=0xC4F1",
	     "preloader",
	     0xA558,
	     "userdata",
	     0xC4F1},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) blob = ub_mtk_checksum_test_load(cases[i].fn);
		g_autoptr(UbMtkChecksum) ini = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *entries = NULL;
		g_autofree gchar *sections = NULL;
		GPtrArray *arr;
		const guint8 *buf;
		gsize bufsz = 0;

		if (blob == NULL)
			return;
		buf = g_bytes_get_data(blob, &bufsz);
		g_assert_cmpuint(bufsz, ==, cases[i].size);
		g_assert_cmpint(buf[bufsz - 1], ==, '\n');
		ini = ub_mtk_checksum_parse(buf, bufsz, &error);
		g_assert_no_error(error);
		sections = ub_mtk_checksum_test_sections(ini);
		g_assert_cmpstr(sections, ==, "[VERSION], [IsEnableChecksum], [CheckSum]");
		g_assert_cmpstr(ub_mtk_checksum_get_version(ini), ==, "V1");
		g_assert_cmpstr(ub_mtk_checksum_get_tool(ini), ==, cases[i].tool);
		g_assert_cmpstr(ub_mtk_checksum_get_change_id(ini), ==, cases[i].change_id);
		g_assert_cmpstr(ub_mtk_checksum_get_value(ini, "IsEnableChecksum", "CHECKSUM_SWITCH"), ==, "1");
		g_assert_true(ub_mtk_checksum_get_enabled(ini));
		arr = ub_mtk_checksum_get_entries(ini);
		g_assert_cmpuint(arr->len, ==, cases[i].n_entries);
		entries = ub_mtk_checksum_test_entries(ini);
		g_assert_cmpstr(entries, ==, cases[i].entries);
		g_assert_cmpstr(((UbMtkChecksumEntry *)g_ptr_array_index(arr, 0))->name, ==, cases[i].first);
		g_assert_cmpuint(((UbMtkChecksumEntry *)g_ptr_array_index(arr, 0))->value, ==, cases[i].first_value);
		g_assert_cmpstr(((UbMtkChecksumEntry *)g_ptr_array_index(arr, arr->len - 1))->name, ==, cases[i].last);
		g_assert_cmpuint(((UbMtkChecksumEntry *)g_ptr_array_index(arr, arr->len - 1))->value, ==, cases[i].last_value);
		g_assert_cmpuint(ub_mtk_checksum_get_warnings(ini)->len, ==, 0);
	}
	/* the 3-digit value of mi_lx04 */
	{
		g_autoptr(GBytes) blob = ub_mtk_checksum_test_load("mi_lx04_Checksum.ini");
		g_autoptr(UbMtkChecksum) ini = ub_mtk_checksum_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), NULL);
		const UbMtkChecksumEntry *entry = ub_mtk_checksum_find_entry(ini, "system_a");
		g_assert_nonnull(entry);
		g_assert_cmpuint(entry->value, ==, 0x0886);
		g_assert_cmpstr(entry->value_str, ==, "0x886");
		g_assert_cmpuint(entry->line, ==, 14);
		g_assert_null(ub_mtk_checksum_find_entry(ini, "nothing"));
	}
}

/* the 16-bit sum rule of mtk.md b.5 */
static void
ub_mtk_checksum_sum_func(void)
{
	const guint8 three[] = {1, 2, 3};
	const guint8 four[] = {1, 2, 3, 4};
	g_autofree guint8 *ff = g_malloc(1000);
	guint64 state;

	/* even length: the plain sum */
	g_assert_cmpuint(ub_mtk_checksum_compute(four, sizeof(four)), ==, 10);
	/* odd length: as if padded with 0xff */
	g_assert_cmpuint(ub_mtk_checksum_compute(three, sizeof(three)), ==, 6 + 0xff);
	g_assert_cmpuint(ub_mtk_checksum_compute(NULL, 0), ==, 0);
	/* wraps at 16 bits: 1000 x 0xff = 255000 = 0x3e418 */
	memset(ff, 0xff, 1000);
	g_assert_cmpuint(ub_mtk_checksum_compute(ff, 1000), ==, 0xe418);
	/* odd and wrapping: 999 x 0xff + 0xff = the same */
	g_assert_cmpuint(ub_mtk_checksum_compute(ff, 999), ==, 0xe418);
	/* chunked == whole, whatever the split (an odd first chunk included) */
	state = ub_mtk_checksum_update(0, ff, 333);
	state = ub_mtk_checksum_update(state, ff + 333, 667);
	g_assert_cmpuint(ub_mtk_checksum_finish(state, 1000), ==, 0xe418);
}

static void
ub_mtk_checksum_stream_func(void)
{
	/* 3 MiB + 1: crosses the 1 MiB read chunks, odd length */
	const gsize sz = 3 * 1024 * 1024 + 1;
	g_autofree guint8 *buf = g_malloc(sz);
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GInputStream) stream2 = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	guint64 expected = 0;
	guint16 sum = 0;
	guint64 size = 0;

	for (gsize i = 0; i < sz; i++) {
		buf[i] = (guint8)(i * 7 + 3);
		expected += buf[i];
	}
	expected = (expected + 0xff) & 0xffff;
	stream = g_memory_input_stream_new_from_data(buf, sz, NULL);
	g_assert_true(ub_mtk_checksum_compute_stream(stream, &sum, &size, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(size, ==, sz);
	g_assert_cmpuint(sum, ==, expected);
	g_assert_cmpuint(sum, ==, ub_mtk_checksum_compute(buf, sz));

	/* cancelled */
	g_cancellable_cancel(cancellable);
	stream2 = g_memory_input_stream_new_from_data(buf, sz, NULL);
	g_assert_false(ub_mtk_checksum_compute_stream(stream2, &sum, NULL, cancellable, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
ub_mtk_checksum_parse_func(void)
{
	const gchar *ok = "\xef\xbb\xbf; comment\r\n[VERSION]\r\nVERSION = V1\r\n[IsEnableChecksum]\r\n"
			  "CHECKSUM_SWITCH=0\r\n[CheckSum]\r\nboot=0xabcd\r\nboot=0x1111\r\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkChecksum) ini = ub_mtk_checksum_parse((const guint8 *)ok, strlen(ok), &error);
	GPtrArray *warnings;

	g_assert_no_error(error);
	g_assert_cmpstr(ub_mtk_checksum_get_version(ini), ==, "V1");
	g_assert_false(ub_mtk_checksum_get_enabled(ini));
	g_assert_cmpuint(ub_mtk_checksum_get_entries(ini)->len, ==, 1);
	g_assert_cmpuint(ub_mtk_checksum_find_entry(ini, "boot")->value, ==, 0xabcd);
	g_assert_cmpuint(ub_mtk_checksum_find_entry(ini, "boot")->line, ==, 7);
	warnings = ub_mtk_checksum_get_warnings(ini);
	g_assert_cmpuint(warnings->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(warnings, 0), ==, "line 8: boot is listed again; the first value counts");
}

static void
ub_mtk_checksum_errors_func(void)
{
	struct {
		const gchar *text;
		const gchar *needle;
	} cases[] = {
	    {"", "empty"},
	    {"[CheckSum]\n", "no [CheckSum] entries"},
	    {"[VERSION]\nVERSION=V1\n", "no [CheckSum] entries"},
	    {"boot=0x1\n", "line 1: boot before any [section]"},
	    {"[CheckSum\nboot=0x1\n", "line 1: bad section header"},
	    {"[CheckSum]\nboot\n", "line 2: expected KEY=VALUE"},
	    {"[CheckSum]\n=0x1\n", "line 2: empty key"},
	    {"[CheckSum]\nboot=0x10000\n", "line 2: boot: '0x10000' is not a 16-bit hex value"},
	    {"[CheckSum]\nboot=1234\n", "'1234' is not a 16-bit hex value"},
	    {"[CheckSum]\nboot=0x\n", "not a 16-bit hex value"},
	    {"[CheckSum]\nboot=0x-1\n", "not a 16-bit hex value"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbMtkChecksum) ini =
		    ub_mtk_checksum_parse((const guint8 *)cases[i].text, strlen(cases[i].text), &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(ini);
		if (strstr(error->message, cases[i].needle) == NULL)
			g_error("case %u: '%s' lacks '%s'", i, error->message, cases[i].needle);
	}
	{
		const guint8 nul[] = {'[', 0, ']'};
		g_autoptr(GError) error = NULL;
		g_autoptr(UbMtkChecksum) ini = ub_mtk_checksum_parse(nul, sizeof(nul), &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(ini);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/mtk-checksum/corpus", ub_mtk_checksum_corpus_func);
	g_test_add_func("/ub/formats/mtk-checksum/sum", ub_mtk_checksum_sum_func);
	g_test_add_func("/ub/formats/mtk-checksum/stream", ub_mtk_checksum_stream_func);
	g_test_add_func("/ub/formats/mtk-checksum/parse", ub_mtk_checksum_parse_func);
	g_test_add_func("/ub/formats/mtk-checksum/errors", ub_mtk_checksum_errors_func);
	return g_test_run();
}
