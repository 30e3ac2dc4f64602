/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "edl/ub-firehose-xml.h"
#include "ub-error.h"

static UbFirehoseElement *
ub_firehose_xml_test_parse(const gchar *str)
{
	g_autoptr(GError) error = NULL;
	UbFirehoseElement *element = ub_firehose_xml_parse(str, strlen(str), &error);
	g_assert_no_error(error);
	g_assert_nonnull(element);
	return element;
}

static void
ub_firehose_xml_test_parse_fail(const gchar *str)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbFirehoseElement) element = ub_firehose_xml_parse(str, strlen(str), &error);
	g_assert_null(element);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

static void
ub_firehose_xml_parse_func(void)
{
	/* the configure ACK of edl.md a.3 */
	g_autoptr(UbFirehoseElement) ack = ub_firehose_xml_test_parse(
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<data>\n<response value=\"ACK\" "
	    "MemoryName=\"eMMC\" MinVersionSupported=\"1\" Version=\"1\" "
	    "MaxPayloadSizeToTargetInBytes=\"1048576\" "
	    "MaxPayloadSizeToTargetInBytesSupported=\"1048576\" "
	    "MaxPayloadSizeFromTargetInBytes=\"4096\" MaxXMLSizeInBytes=\"4096\" "
	    "TargetName=\"8953\" />\n</data>");
	g_autoptr(UbFirehoseElement) log = NULL;
	g_autoptr(UbFirehoseElement) upper = NULL;
	guint64 val = 0;

	g_assert_cmpstr(ack->tag, ==, "response");
	g_assert_cmpstr(ub_firehose_element_get(ack, "value"), ==, "ACK");
	g_assert_cmpstr(ub_firehose_element_get(ack, "memoryname"), ==, "eMMC");
	g_assert_cmpstr(ub_firehose_element_get(ack, "TARGETNAME"), ==, "8953");
	g_assert_null(ub_firehose_element_get(ack, "rawmode"));
	g_assert_true(ub_firehose_element_get_u64(ack, "maxpayloadsizetotargetinbytes", &val));
	g_assert_cmpuint(val, ==, 1048576);
	g_assert_cmpstr(ack->names[1], ==, "MemoryName");
	g_assert_cmpuint(g_strv_length(ack->names), ==, 9);
	g_assert_false(ub_firehose_element_get_u64(ack, "value", &val));
	g_assert_false(ub_firehose_element_get_u64(ack, "nothere", &val));

	/* entities are unescaped; tag is lower-cased */
	log = ub_firehose_xml_test_parse(
	    "<?xml version=\"1.0\" ?><data><LOG value=\"INFO: a &lt; b &amp;&quot;c&quot;\"/></data>");
	g_assert_cmpstr(log->tag, ==, "log");
	g_assert_cmpstr(ub_firehose_element_get(log, "VALUE"), ==, "INFO: a < b &\"c\"");

	/* no declaration, trailing NUL and whitespace, upper-case DATA */
	upper = ub_firehose_xml_test_parse("  <DATA><nop value=\"ping\" /></DATA>\n\n");
	g_assert_cmpstr(upper->tag, ==, "nop");
	{
		const gchar with_nul[] = "<data><nop /></data>\0\0";
		g_autoptr(UbFirehoseElement) el = ub_firehose_xml_parse(with_nul, sizeof(with_nul), NULL);
		g_assert_nonnull(el);
		g_assert_cmpstr(el->tag, ==, "nop");
		g_assert_null(el->names[0]);
	}
}

static void
ub_firehose_xml_numbers_func(void)
{
	g_autoptr(UbFirehoseElement) el = ub_firehose_xml_test_parse(
	    "<data><x a=\"0x10\" b=\" 42 \" c=\"18446744073709551615\" d=\"18446744073709551616\" "
	    "e=\"-1\" f=\"0x\" g=\"\" h=\"12a\" i=\"0xffffffffffffffff\" j=\"NUM_DISK_SECTORS-5.\"/></data>");
	guint64 val = 0;

	g_assert_true(ub_firehose_element_get_u64(el, "a", &val));
	g_assert_cmpuint(val, ==, 16);
	g_assert_true(ub_firehose_element_get_u64(el, "b", &val));
	g_assert_cmpuint(val, ==, 42);
	g_assert_true(ub_firehose_element_get_u64(el, "c", &val));
	g_assert_cmpuint(val, ==, G_MAXUINT64);
	g_assert_true(ub_firehose_element_get_u64(el, "i", &val));
	g_assert_cmpuint(val, ==, G_MAXUINT64);
	val = 7;
	g_assert_false(ub_firehose_element_get_u64(el, "d", &val));
	g_assert_false(ub_firehose_element_get_u64(el, "e", &val));
	g_assert_false(ub_firehose_element_get_u64(el, "f", &val));
	g_assert_false(ub_firehose_element_get_u64(el, "g", &val));
	g_assert_false(ub_firehose_element_get_u64(el, "h", &val));
	g_assert_false(ub_firehose_element_get_u64(el, "j", &val));
	g_assert_cmpuint(val, ==, 7);
}

static void
ub_firehose_xml_parse_bad_func(void)
{
	g_autofree gchar *big = NULL;

	/* "sending multiple tags in a single file is not allowed" */
	ub_firehose_xml_test_parse_fail("<data><nop /><nop /></data>");
	ub_firehose_xml_test_parse_fail("<data></data>");
	ub_firehose_xml_test_parse_fail("<data><program><x/></program></data>");
	ub_firehose_xml_test_parse_fail("<patches><patch /></patches>");
	ub_firehose_xml_test_parse_fail("<data><nop /></data><data><nop /></data>");
	ub_firehose_xml_test_parse_fail("junk<data><nop /></data>");
	ub_firehose_xml_test_parse_fail("");
	ub_firehose_xml_test_parse_fail("   \n");
	{
		/* GMarkup's errors become UB_ERROR_INVALID_DATA */
		g_autoptr(GError) error = NULL;
		const gchar *str = "<data><nop value=\"x\"</data>";
		g_autoptr(UbFirehoseElement) el = ub_firehose_xml_parse(str, strlen(str), &error);
		g_assert_null(el);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_true(g_str_has_prefix(error->message, "failed to parse Firehose document: "));
	}
	{
		g_autoptr(GError) error = NULL;
		const gchar *str = "<data><nop value=\"&bogus;\" /></data>";
		g_autoptr(UbFirehoseElement) el = ub_firehose_xml_parse(str, strlen(str), &error);
		g_assert_null(el);
		g_assert_nonnull(error);
	}
	{
		/* a NUL inside is bad XML, not a crash */
		const gchar str[] = "<data><nop \0value=\"x\" /></data>";
		g_autoptr(UbFirehoseElement) el = ub_firehose_xml_parse(str, sizeof(str) - 1, NULL);
		g_assert_null(el);
	}

	/* the size limit */
	big = g_strdup_printf("<data><log value=\"%0*d\" /></data>", UB_FIREHOSE_MAX_XML, 0);
	ub_firehose_xml_test_parse_fail(big);
}

static void
ub_firehose_xml_lenient_log_func(void)
{
	/* programmers write JSON into a log without escaping its quotes */
	g_autoptr(UbFirehoseElement) el = ub_firehose_xml_test_parse(
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<data>\n<log value=\"INFO: "
	    "{\"storage_info\": {\"total_blocks\":61071360, \"block_size\":4096, "
	    "\"mem_type\":\"UFS\"}}\"/>\n</data>");
	g_assert_cmpstr(el->tag, ==, "log");
	g_assert_cmpstr(ub_firehose_element_get(el, "value"),
			==,
			"INFO: {\"storage_info\": {\"total_blocks\":61071360, \"block_size\":4096, "
			"\"mem_type\":\"UFS\"}}");
	/* only for logs */
	ub_firehose_xml_test_parse_fail("<data><response value=\"A\"CK\" /></data>");
}

static void
ub_firehose_xml_build_func(void)
{
	const gchar *names[] = {"MemoryName", "MaxPayloadSizeToTargetInBytes", "Label", NULL};
	const gchar *values[] = {"ufs", "1048576", "a<b>&\"c\"", NULL};
	g_autofree gchar *doc = NULL;
	g_autoptr(UbFirehoseElement) el = NULL;
	gsize len = 0;

	doc = ub_firehose_xml_build("configure", names, values, &len);
	g_assert_cmpstr(doc,
			==,
			"<?xml version=\"1.0\" ?><data><configure MemoryName=\"ufs\" "
			"MaxPayloadSizeToTargetInBytes=\"1048576\" "
			"Label=\"a&lt;b&gt;&amp;&quot;c&quot;\" /></data>");
	g_assert_cmpuint(len, ==, strlen(doc));
	el = ub_firehose_xml_parse(doc, len, NULL);
	g_assert_nonnull(el);
	g_assert_cmpstr(ub_firehose_element_get(el, "label"), ==, "a<b>&\"c\"");
	g_clear_pointer(&doc, g_free);

	doc = ub_firehose_xml_build("nop", NULL, NULL, &len);
	g_assert_cmpstr(doc, ==, "<?xml version=\"1.0\" ?><data><nop /></data>");
}

static void
ub_firehose_xml_build_512_func(void)
{
	const gchar *names[] = {"value", NULL};
	/* the frame around the value is 45 bytes: pad the value to hit 512 and 1024 exactly */
	const gsize frame = strlen("<?xml version=\"1.0\" ?><data><nop value=\"\" /></data>");

	for (gsize target = 512; target <= 1024; target += 512) {
		g_autofree gchar *value = g_strnfill(target - frame, 'x');
		const gchar *values[] = {value, NULL};
		gsize len = 0;
		g_autofree gchar *doc = ub_firehose_xml_build("nop", names, values, &len);

		g_assert_cmpuint(len, ==, target + 1);
		g_assert_cmpuint(strlen(doc), ==, len);
		g_assert_cmpint(doc[len - 1], ==, '\n');
		g_assert_cmpuint(len % 512, !=, 0);
	}
	/* one byte less: no newline */
	{
		g_autofree gchar *value = g_strnfill(511 - frame, 'x');
		const gchar *values[] = {value, NULL};
		gsize len = 0;
		g_autofree gchar *doc = ub_firehose_xml_build("nop", names, values, &len);
		g_assert_cmpuint(len, ==, 511);
		g_assert_cmpint(doc[len - 1], ==, '>');
	}
	/* the same rule for raw attributes */
	{
		g_autofree gchar *attrs = NULL;
		gsize len = 0;
		g_autofree gchar *doc = NULL;
		const gsize raw_frame = strlen("<?xml version=\"1.0\" ?><data><nop  /></data>");
		attrs = g_strdup_printf("value=\"%0*d\"", (int)(512 - raw_frame - 8), 0);
		doc = ub_firehose_xml_build_raw("nop", attrs, &len, NULL);
		g_assert_nonnull(doc);
		g_assert_cmpuint(len, ==, 513);
	}
}

static void
ub_firehose_xml_build_raw_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *doc = NULL;
	g_autoptr(UbFirehoseElement) el = NULL;
	gsize len = 0;

	doc = ub_firehose_xml_build_raw(
	    "patch",
	    "SECTOR_SIZE_IN_BYTES=\"4096\" byte_offset=\"88\" filename=\"DISK\" "
	    "physical_partition_number=\"0\" size_in_bytes=\"4\" start_sector=\"NUM_DISK_SECTORS-1.\" "
	    "value=\"CRC32(NUM_DISK_SECTORS-5.,4096)\"",
	    &len,
	    &error);
	g_assert_no_error(error);
	g_assert_nonnull(doc);
	g_assert_cmpuint(len, ==, strlen(doc));
	el = ub_firehose_xml_parse(doc, len, NULL);
	g_assert_nonnull(el);
	g_assert_cmpstr(el->tag, ==, "patch");
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "CRC32(NUM_DISK_SECTORS-5.,4096)");

	/* attribute strings that would change the document are refused */
	g_clear_pointer(&doc, g_free);
	doc = ub_firehose_xml_build_raw("program", "a=\"1\" /><erase b=\"2\"", &len, &error);
	g_assert_null(doc);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	doc = ub_firehose_xml_build_raw("program", "a=\"1", &len, &error);
	g_assert_null(doc);
	g_assert_nonnull(error);
	g_clear_error(&error);
	doc = ub_firehose_xml_build_raw("pro gram", "", &len, &error);
	g_assert_null(doc);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	/* empty attributes are fine */
	doc = ub_firehose_xml_build_raw("nop", "", &len, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(doc, ==, "<?xml version=\"1.0\" ?><data><nop /></data>");
}

static void
ub_firehose_xml_framer_func(void)
{
	g_autoptr(UbFirehoseFramer) framer = ub_firehose_framer_new();
	const gchar *glued = "<?xml version=\"1.0\" ?><data><log value=\"a\" /></data>"
			     "<?xml version=\"1.0\" ?><data><response value=\"ACK\" rawmode=\"true\" "
			     "/></data>RAW\x00\x01";
	gsize glued_len = strlen(glued) + 2;
	guint8 raw[16] = {0};
	gchar *doc;
	gsize len = 0;

	/* byte by byte: nothing until the first </data> is complete */
	for (gsize i = 0; i < glued_len; i++) {
		g_assert_true(ub_firehose_framer_push(framer, (const guint8 *)glued + i, 1, NULL));
		if (i + 1 < strlen("<?xml version=\"1.0\" ?><data><log value=\"a\" /></data>")) {
			g_assert_null(ub_firehose_framer_pop(framer, &len));
		}
	}
	doc = ub_firehose_framer_pop(framer, &len);
	g_assert_cmpstr(doc, ==, "<?xml version=\"1.0\" ?><data><log value=\"a\" /></data>");
	g_assert_cmpuint(len, ==, strlen(doc));
	g_free(doc);
	doc = ub_firehose_framer_pop(framer, &len);
	g_assert_nonnull(doc);
	g_assert_true(g_str_has_suffix(doc, "rawmode=\"true\" /></data>"));
	g_free(doc);
	g_assert_null(ub_firehose_framer_pop(framer, &len));
	g_assert_cmpuint(ub_firehose_framer_get_pending(framer), ==, 5);
	g_assert_cmpuint(ub_firehose_framer_take_raw(framer, raw, 2), ==, 2);
	g_assert_cmpmem(raw, 2, "RA", 2);
	g_assert_cmpuint(ub_firehose_framer_take_raw(framer, raw, sizeof(raw)), ==, 3);
	g_assert_cmpmem(raw, 3, "W\x00\x01", 3);
	g_assert_cmpuint(ub_firehose_framer_get_pending(framer), ==, 0);
	g_assert_cmpuint(ub_firehose_framer_take_raw(framer, raw, sizeof(raw)), ==, 0);

	/* a split </DATA> in any case */
	g_assert_true(ub_firehose_framer_push(framer, (const guint8 *)"<data><nop/></DA", 16, NULL));
	g_assert_null(ub_firehose_framer_pop(framer, NULL));
	g_assert_true(ub_firehose_framer_push(framer, (const guint8 *)"TA>", 3, NULL));
	doc = ub_firehose_framer_pop(framer, NULL);
	g_assert_cmpstr(doc, ==, "<data><nop/></DATA>");
	g_free(doc);
}

static void
ub_firehose_xml_framer_overflow_func(void)
{
	g_autoptr(UbFirehoseFramer) framer = ub_firehose_framer_new();
	g_autoptr(GError) error = NULL;
	guint8 junk[1024];

	memset(junk, 'x', sizeof(junk));
	for (guint i = 0; i < 4; i++)
		g_assert_true(ub_firehose_framer_push(framer, junk, sizeof(junk), NULL));
	g_assert_false(ub_firehose_framer_push(framer, junk, 1, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	/* raw data behind a complete document may be larger */
	{
		g_autoptr(UbFirehoseFramer) framer2 = ub_firehose_framer_new();
		const gchar *ack = "<data><response value=\"ACK\" rawmode=\"true\"/></data>";
		g_autofree gchar *doc = NULL;
		g_assert_true(ub_firehose_framer_push(framer2, (const guint8 *)ack, strlen(ack), NULL));
		for (guint i = 0; i < 8; i++)
			g_assert_true(ub_firehose_framer_push(framer2, junk, sizeof(junk), NULL));
		doc = ub_firehose_framer_pop(framer2, NULL);
		g_assert_cmpstr(doc, ==, ack);
		g_assert_cmpuint(ub_firehose_framer_get_pending(framer2), ==, 8 * sizeof(junk));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/edl/firehose-xml/parse", ub_firehose_xml_parse_func);
	g_test_add_func("/ub/edl/firehose-xml/numbers", ub_firehose_xml_numbers_func);
	g_test_add_func("/ub/edl/firehose-xml/parse-bad", ub_firehose_xml_parse_bad_func);
	g_test_add_func("/ub/edl/firehose-xml/lenient-log", ub_firehose_xml_lenient_log_func);
	g_test_add_func("/ub/edl/firehose-xml/build", ub_firehose_xml_build_func);
	g_test_add_func("/ub/edl/firehose-xml/build-512", ub_firehose_xml_build_512_func);
	g_test_add_func("/ub/edl/firehose-xml/build-raw", ub_firehose_xml_build_raw_func);
	g_test_add_func("/ub/edl/firehose-xml/framer", ub_firehose_xml_framer_func);
	g_test_add_func("/ub/edl/firehose-xml/framer-overflow", ub_firehose_xml_framer_overflow_func);
	return g_test_run();
}
