/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "edl/ub-firehose-xml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the names ub_firehose_xml_build() accepts */
static gboolean
ub_fuzz_firehose_xml_is_name(const gchar *name)
{
	if (!g_ascii_isalpha(name[0]) && name[0] != '_')
		return FALSE;
	for (guint i = 1; name[i] != '\0'; i++) {
		if (!g_ascii_isalnum(name[i]) && strchr("_-.", name[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

static void
ub_fuzz_firehose_xml_check(const gchar *doc, gsize len)
{
	g_autoptr(UbFirehoseElement) element = ub_firehose_xml_parse(doc, len, NULL);
	guint64 val = 0;

	if (element == NULL)
		return;
	g_assert_nonnull(element->tag);
	g_assert_cmpuint(g_strv_length(element->names), ==, g_strv_length(element->values));
	for (guint i = 0; element->names[i] != NULL; i++) {
		g_assert_nonnull(ub_firehose_element_get(element, element->names[i]));
		(void)ub_firehose_element_get_u64(element, element->names[i], &val);
	}
	/* a parsed element builds again into a document that parses */
	{
		gsize len2 = 0;
		g_autofree gchar *doc2 = NULL;
		g_autoptr(UbFirehoseElement) element2 = NULL;
		if (!ub_fuzz_firehose_xml_is_name(element->tag))
			return;
		for (guint i = 0; element->values[i] != NULL; i++) {
			if (!g_utf8_validate(element->values[i], -1, NULL) ||
			    !ub_fuzz_firehose_xml_is_name(element->names[i]))
				return;
		}
		doc2 = ub_firehose_xml_build(element->tag,
					     (const gchar *const *)element->names,
					     (const gchar *const *)element->values,
					     &len2);
		if (doc2 == NULL)
			return;
		g_assert_cmpuint(len2 % 512, !=, 0);
		element2 = ub_firehose_xml_parse(doc2, len2, NULL);
		if (len2 <= UB_FIREHOSE_MAX_XML)
			g_assert_nonnull(element2);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbFirehoseFramer) framer = ub_firehose_framer_new();
	gsize total = 0;
	gsize step = size > 0 ? (gsize)data[0] % 64 + 1 : 1;
	guint8 raw[64];

	/* the input as one document */
	ub_fuzz_firehose_xml_check((const gchar *)data, size);

	/* the input as a stream, in odd pieces, with raw takes in between */
	for (gsize off = 0; off < size; off += step) {
		gsize n = MIN(step, size - off);
		gchar *doc;
		gsize len = 0;

		if (!ub_firehose_framer_push(framer, data + off, n, NULL))
			break;
		while ((doc = ub_firehose_framer_pop(framer, &len)) != NULL) {
			g_assert_cmpuint(strlen(doc), <=, len);
			g_assert_cmpint(doc[len - 1], ==, '>');
			ub_fuzz_firehose_xml_check(doc, len);
			total += len;
			g_free(doc);
		}
		if (data[off] == 'R')
			total += ub_firehose_framer_take_raw(framer, raw, sizeof(raw));
	}
	g_assert_cmpuint(total + ub_firehose_framer_get_pending(framer), <=, size);
	return 0;
}
