/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-md5sum-xml.h"
#include "ub-error.h"

static UbMd5sumXml *
ub_md5sum_xml_test_text(const gchar *text, GError **error)
{
	return ub_md5sum_xml_parse((const guint8 *)text, strlen(text), error);
}

/* FACTS.md: xiaomi-fastboot/raphaelin/md5sum.xml */
static void
ub_md5sum_xml_raphaelin_func(void)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *fn = NULL;
	g_autofree gchar *data = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMd5sumXml) md5 = NULL;
	gsize datasz = 0;
	GPtrArray *digests;
	const UbMd5sumDigest *d;
	const gchar *empties[] = {"gpt_empty0.bin", "gpt_empty2.bin", "gpt_empty4.bin",
				  "gpt_empty5.bin", "gpt_empty1.bin", "gpt_empty3.bin"};

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return;
	}
	fn = g_build_filename(corpus, "xiaomi-fastboot", "raphaelin", "md5sum.xml", NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
		g_test_skip("corpus file missing");
		return;
	}
	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(datasz, ==, 6895);
	md5 = ub_md5sum_xml_parse((const guint8 *)data, datasz, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_md5sum_xml_get_warnings(md5)->len, ==, 0);
	digests = ub_md5sum_xml_get_digests(md5);
	g_assert_cmpuint(digests->len, ==, 79);
	for (guint i = 0; i < digests->len; i++) {
		d = g_ptr_array_index(digests, i);
		g_assert_cmpstr(d->hash, ==, "md5");
		g_assert_cmpuint(strlen(d->value), ==, 32);
	}
	d = g_ptr_array_index(digests, 0);
	g_assert_cmpstr(d->name, ==, "gpt_both2.bin");
	g_assert_cmpstr(d->value, ==, "12d4fb029dcede657f2acff7f9d82a9f");
	g_assert_cmpuint(d->line, ==, 4);
	d = g_ptr_array_index(digests, 78);
	g_assert_cmpstr(d->name, ==, "xbl_config.elf");
	g_assert_cmpstr(d->value, ==, "e02fb48facc13ab6c4286efaed009fc3");
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "rawprogram0.xml")->value, ==, "826dca0e8c3667c3b85c18224f0999e7");
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "boot.img")->value, ==, "3d408aad356f771ed052f91d480bcfa5");
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "system.img")->value, ==, "db25030c120c9f49e61c51a8773e6508");
	for (guint i = 1; i < G_N_ELEMENTS(empties); i++) {
		g_assert_cmpstr(ub_md5sum_xml_find(md5, empties[i])->value,
				==,
				ub_md5sum_xml_find(md5, empties[0])->value);
	}
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "dummy_devinfo.img")->value,
			==,
			ub_md5sum_xml_find(md5, "dummy_fsc.img")->value);
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "boot.img")->value,
			!=,
			ub_md5sum_xml_find(md5, "system.img")->value);
	g_assert_null(ub_md5sum_xml_find(md5, "nothing.img"));
	g_assert_cmpstr(ub_md5sum_xml_get_security_patch_level(md5), ==, "2021-03-01");
}

/* entries we cannot use are warnings; the rest still counts */
static void
ub_md5sum_xml_entries_func(void)
{
	const gchar *text =
	    "<root><digests>\n"
	    "<digest hash=\"MD5\" name=\"a.img\">0123456789ABCDEF0123456789abcdef</digest>\n"
	    "<digest hash=\"md5\" name=\"../b.img\">0123456789abcdef0123456789abcdef</digest>\n"
	    "<digest hash=\"md5\" name=\"c.img\">0123</digest>\n"
	    "<digest hash=\"md5\" name=\"d.img\">zz23456789abcdef0123456789abcdef</digest>\n"
	    "<digest hash=\"crc\" name=\"e.img\">1234</digest>\n"
	    "<digest hash=\"md5\" name=\"a.img\">ffffffffffffffffffffffffffffffff</digest>\n"
	    "<digest hash=\"sha256\" name=\"f.img\">"
	    "0000000000000000000000000000000000000000000000000000000000000000</digest>\n"
	    "</digests></root>\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMd5sumXml) md5 = ub_md5sum_xml_test_text(text, &error);
	GPtrArray *warnings;

	g_assert_no_error(error);
	g_assert_cmpuint(ub_md5sum_xml_get_digests(md5)->len, ==, 2);
	/* lower-cased, first one wins */
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "a.img")->value, ==, "0123456789abcdef0123456789abcdef");
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "a.img")->hash, ==, "md5");
	g_assert_cmpstr(ub_md5sum_xml_find(md5, "f.img")->hash, ==, "sha256");
	warnings = ub_md5sum_xml_get_warnings(md5);
	g_assert_cmpuint(warnings->len, ==, 5);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(warnings, 0), "md5sum.xml:3:"));
	g_assert_null(ub_md5sum_xml_get_security_patch_level(md5));
}

static void
ub_md5sum_xml_invalid_func(void)
{
	const gchar *bad[] = {
	    "",
	    "<root><digests>",
	    "<root><digests><digest name=\"a\">x</digests></root>",
	    "<root/>",
	    /* GMarkup never expands entities it does not know, let alone external ones */
	    "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<root><digests><digest hash=\"md5\" name=\"a\">&x;</digest></digests></root>",
	    "<root><digest hash=\"md5\" name=\"a\"><digest/></digest></root>",
	    NULL};
	for (guint i = 0; bad[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbMd5sumXml) md5 = ub_md5sum_xml_test_text(bad[i], &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(md5);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/md5sum-xml/raphaelin", ub_md5sum_xml_raphaelin_func);
	g_test_add_func("/ub/formats/md5sum-xml/entries", ub_md5sum_xml_entries_func);
	g_test_add_func("/ub/formats/md5sum-xml/invalid", ub_md5sum_xml_invalid_func);
	return g_test_run();
}
