/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "edl/ub-firehose-xml.h"
#include "formats/ub-xml.h"
#include "ub-error.h"

#define UB_FIREHOSE_XML_END "</data>"

struct _UbFirehoseFramer {
	GByteArray *buf;
};

/**
 * ub_firehose_element_free:
 * @element: (nullable): a #UbFirehoseElement
 *
 * Frees @element.
 */
void
ub_firehose_element_free(UbFirehoseElement *element)
{
	if (element == NULL)
		return;
	g_free(element->tag);
	g_strfreev(element->names);
	g_strfreev(element->values);
	g_free(element);
}

/**
 * ub_firehose_element_get:
 * @element: a #UbFirehoseElement
 * @name: an attribute name, any case
 *
 * Returns: (nullable): the first value of @name, %NULL when absent
 */
const gchar *
ub_firehose_element_get(const UbFirehoseElement *element, const gchar *name)
{
	g_return_val_if_fail(element != NULL, NULL);
	g_return_val_if_fail(name != NULL, NULL);

	for (guint i = 0; element->names[i] != NULL; i++) {
		if (g_ascii_strcasecmp(element->names[i], name) == 0)
			return element->values[i];
	}
	return NULL;
}

/**
 * ub_firehose_element_get_u64:
 * @element: a #UbFirehoseElement
 * @name: an attribute name, any case
 * @value: (out) (optional): the number
 *
 * Parses an attribute as a decimal or 0x-prefixed hexadecimal number, with
 * surrounding spaces allowed.
 *
 * Returns: %FALSE when absent or not a number
 */
gboolean
ub_firehose_element_get_u64(const UbFirehoseElement *element, const gchar *name, guint64 *value)
{
	const gchar *str = ub_firehose_element_get(element, name);
	g_autofree gchar *tmp = NULL;
	guint base = 10;
	const gchar *p;
	guint64 val = 0;

	if (str == NULL)
		return FALSE;
	tmp = g_strstrip(g_strdup(str));
	p = tmp;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return FALSE;
	for (; *p != '\0'; p++) {
		guint digit;
		if (g_ascii_isdigit(*p))
			digit = (guint)(*p - '0');
		else if (base == 16 && g_ascii_isxdigit(*p))
			digit = (guint)g_ascii_xdigit_value(*p);
		else
			return FALSE;
		if (val > (G_MAXUINT64 - digit) / base)
			return FALSE;
		val = val * base + digit;
	}
	if (value != NULL)
		*value = val;
	return TRUE;
}

typedef struct {
	guint depth;
	guint n_children;
	UbFirehoseElement *element;
} UbFirehoseXmlHelper;

static void
ub_firehose_xml_start_element_cb(GMarkupParseContext *context,
				 const gchar *element_name,
				 const gchar **attribute_names,
				 const gchar **attribute_values,
				 gpointer user_data,
				 GError **error)
{
	UbFirehoseXmlHelper *helper = user_data;

	helper->depth++;
	if (helper->depth == 1) {
		if (g_ascii_strcasecmp(element_name, "data") != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "root element is <%s>, expected <data>",
				    element_name);
		}
		return;
	}
	if (helper->depth > 2) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "unexpected <%s> inside <%s>",
			    element_name,
			    helper->element != NULL ? helper->element->tag : "?");
		return;
	}
	helper->n_children++;
	if (helper->n_children > 1) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "<data> has more than one child: <%s> after <%s>",
			    element_name,
			    helper->element->tag);
		return;
	}
	helper->element = g_new0(UbFirehoseElement, 1);
	helper->element->tag = g_ascii_strdown(element_name, -1);
	helper->element->names = g_strdupv((gchar **)attribute_names);
	helper->element->values = g_strdupv((gchar **)attribute_values);
}

static void
ub_firehose_xml_end_element_cb(GMarkupParseContext *context,
			       const gchar *element_name,
			       gpointer user_data,
			       GError **error)
{
	UbFirehoseXmlHelper *helper = user_data;
	helper->depth--;
}

static void
ub_firehose_xml_text_cb(GMarkupParseContext *context,
			const gchar *text,
			gsize text_len,
			gpointer user_data,
			GError **error)
{
	UbFirehoseXmlHelper *helper = user_data;

	/* whitespace is fine anywhere; text only inside <data> (as some programmers write) */
	for (gsize i = 0; i < text_len; i++) {
		if (g_ascii_isspace(text[i]))
			continue;
		if (helper->depth == 0) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "text outside <data>");
		}
		return;
	}
}

/* a `<log value="..."/>` whose value holds raw quotes, as some programmers
 * write JSON into logs: take everything between the first `value="` and the
 * last `"` before `/>` */
static UbFirehoseElement *
ub_firehose_xml_parse_lenient_log(const gchar *str)
{
	const gchar *log = strstr(str, "<log ");
	const gchar *start;
	const gchar *end;
	const gchar *close;
	UbFirehoseElement *element;

	if (log == NULL)
		log = strstr(str, "<LOG ");
	if (log == NULL)
		return NULL;
	start = strstr(log, "value=\"");
	if (start == NULL)
		return NULL;
	start += strlen("value=\"");
	close = g_strrstr(start, "/>");
	if (close == NULL)
		return NULL;
	end = close;
	while (end > start && g_ascii_isspace(end[-1]))
		end--;
	if (end == start || end[-1] != '"')
		return NULL;
	end--;
	/* nothing but the end of the document after the element */
	if (strstr(close, "</data>") == NULL)
		return NULL;
	element = g_new0(UbFirehoseElement, 1);
	element->tag = g_strdup("log");
	element->names = g_new0(gchar *, 2);
	element->values = g_new0(gchar *, 2);
	element->names[0] = g_strdup("value");
	element->values[0] = g_strndup(start, (gsize)(end - start));
	return element;
}

/**
 * ub_firehose_xml_parse:
 * @buf: one document, not NUL-terminated
 * @bufsz: its size
 * @error: (nullable): return location for a #GError
 *
 * Parses one Firehose document: `<data>` with exactly one child element.
 * Leading and trailing whitespace and NUL bytes are ignored; every error is
 * UB_ERROR_INVALID_DATA. A `<log>` whose
 * value holds unescaped quotes (JSON storage info on some programmers) is
 * accepted as it stands.
 *
 * Returns: (transfer full): the child element, or %NULL
 */
UbFirehoseElement *
ub_firehose_xml_parse(const gchar *buf, gsize bufsz, GError **error)
{
	GMarkupParser parser = {
	    .start_element = ub_firehose_xml_start_element_cb,
	    .end_element = ub_firehose_xml_end_element_cb,
	    .text = ub_firehose_xml_text_cb,
	};
	UbFirehoseXmlHelper helper = {0};
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *str = NULL;
	gsize start = 0;
	gsize end = bufsz;

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);

	if (bufsz > UB_FIREHOSE_MAX_XML) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "Firehose document of %" G_GSIZE_FORMAT
			    " bytes is larger than %u bytes",
			    bufsz,
			    (guint)UB_FIREHOSE_MAX_XML);
		return NULL;
	}
	while (start < end && (buf[start] == '\0' || g_ascii_isspace(buf[start])))
		start++;
	while (end > start && (buf[end - 1] == '\0' || g_ascii_isspace(buf[end - 1])))
		end--;
	if (start == end) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "empty Firehose document");
		return NULL;
	}
	if (!ub_xml_parse(&parser,
			  &helper,
			  (const guint8 *)buf + start,
			  end - start,
			  UB_FIREHOSE_MAX_XML,
			  "Firehose document",
			  &error_local)) {
		UbFirehoseElement *element;

		ub_firehose_element_free(helper.element);
		if (memchr(buf + start, '\0', end - start) == NULL) {
			str = g_strndup(buf + start, end - start);
			element = ub_firehose_xml_parse_lenient_log(str);
			if (element != NULL)
				return element;
		}
		/* one domain for callers: bad XML from a device is invalid data */
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    error_local->message);
		return NULL;
	}
	if (helper.element == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "Firehose document has no element inside <data>");
		return NULL;
	}
	return helper.element;
}

static gboolean
ub_firehose_xml_is_name(const gchar *name)
{
	if (name == NULL || name[0] == '\0')
		return FALSE;
	if (!g_ascii_isalpha(name[0]) && name[0] != '_')
		return FALSE;
	for (guint i = 1; name[i] != '\0'; i++) {
		if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '-' &&
		    name[i] != '.')
			return FALSE;
	}
	return TRUE;
}

static gchar *
ub_firehose_xml_finish(GString *str, gsize *len)
{
	/* a multiple of 512 would need a zero-length packet some programmers choke on */
	if (str->len % 512 == 0)
		g_string_append_c(str, '\n');
	if (len != NULL)
		*len = str->len;
	return g_string_free(str, FALSE);
}

/**
 * ub_firehose_xml_build:
 * @tag: the element name, "configure"
 * @names: (array zero-terminated=1) (nullable): attribute names
 * @values: (array zero-terminated=1) (nullable): attribute values, as many as @names
 * @len: (out) (optional): the document's length
 *
 * Builds a Firehose document with one self-closing element; values are
 * escaped. A document whose length would be a multiple of 512 bytes gets a
 * trailing newline.
 *
 * Returns: (transfer full): the document, NUL-terminated
 */
gchar *
ub_firehose_xml_build(const gchar *tag,
		      const gchar *const *names,
		      const gchar *const *values,
		      gsize *len)
{
	GString *str;

	g_return_val_if_fail(ub_firehose_xml_is_name(tag), NULL);

	str = g_string_new("<?xml version=\"1.0\" ?><data><");
	g_string_append(str, tag);
	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		g_autofree gchar *escaped = NULL;
		const gchar *value = values != NULL ? values[i] : NULL;

		if (!ub_firehose_xml_is_name(names[i])) {
			g_critical("invalid Firehose attribute name %s", names[i]);
			continue;
		}
		escaped = g_markup_escape_text(value != NULL ? value : "", -1);
		g_string_append_printf(str, " %s=\"%s\"", names[i], escaped);
	}
	g_string_append(str, " /></data>");
	return ub_firehose_xml_finish(str, len);
}

/**
 * ub_firehose_xml_build_raw:
 * @tag: the element name, "program"
 * @attrs: attributes as written in a rawprogram or patch file
 * @len: (out) (optional): the document's length
 * @error: (nullable): return location for a #GError
 *
 * Builds a document from an attribute string, then parses it back so that a
 * broken attribute string never reaches a device.
 *
 * Returns: (transfer full): the document, or %NULL
 */
gchar *
ub_firehose_xml_build_raw(const gchar *tag, const gchar *attrs, gsize *len, GError **error)
{
	g_autoptr(UbFirehoseElement) element = NULL;
	GString *str;
	gsize len_tmp = 0;
	g_autofree gchar *doc = NULL;

	g_return_val_if_fail(tag != NULL, NULL);

	if (!ub_firehose_xml_is_name(tag)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid Firehose tag %s",
			    tag);
		return NULL;
	}
	str = g_string_new("<?xml version=\"1.0\" ?><data><");
	g_string_append(str, tag);
	if (attrs != NULL && attrs[0] != '\0') {
		g_string_append_c(str, ' ');
		g_string_append(str, attrs);
	}
	g_string_append(str, " /></data>");
	doc = ub_firehose_xml_finish(str, &len_tmp);
	element = ub_firehose_xml_parse(doc, len_tmp, error);
	if (element == NULL) {
		g_prefix_error(error, "invalid <%s> attributes: ", tag);
		return NULL;
	}
	if (g_ascii_strcasecmp(element->tag, tag) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid <%s> attributes",
			    tag);
		return NULL;
	}
	if (len != NULL)
		*len = len_tmp;
	return g_steal_pointer(&doc);
}

/**
 * ub_firehose_framer_new:
 *
 * Returns: (transfer full): a new, empty framer
 */
UbFirehoseFramer *
ub_firehose_framer_new(void)
{
	UbFirehoseFramer *framer = g_new0(UbFirehoseFramer, 1);
	framer->buf = g_byte_array_new();
	return framer;
}

/**
 * ub_firehose_framer_free:
 * @framer: (nullable): a #UbFirehoseFramer
 */
void
ub_firehose_framer_free(UbFirehoseFramer *framer)
{
	if (framer == NULL)
		return;
	g_byte_array_unref(framer->buf);
	g_free(framer);
}

/* offset just after the first `</data>` (any case), 0 when there is none */
static gsize
ub_firehose_framer_find_end(UbFirehoseFramer *framer)
{
	const gsize n = strlen(UB_FIREHOSE_XML_END);
	const guint8 *data = framer->buf->data;

	if (framer->buf->len < n)
		return 0;
	for (gsize i = 0; i + n <= framer->buf->len; i++) {
		if (data[i] != '<' || data[i + 1] != '/')
			continue;
		if (g_ascii_strncasecmp((const gchar *)data + i, UB_FIREHOSE_XML_END, n) == 0)
			return i + n;
	}
	return 0;
}

/**
 * ub_firehose_framer_push:
 * @framer: a #UbFirehoseFramer
 * @buf: bytes that arrived
 * @bufsz: their count
 * @error: (nullable): return location for a #GError
 *
 * Appends bytes. Fails when more than UB_FIREHOSE_MAX_XML bytes are buffered
 * and none of them end a document: the other side is not speaking Firehose.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_firehose_framer_push(UbFirehoseFramer *framer, const guint8 *buf, gsize bufsz, GError **error)
{
	g_return_val_if_fail(framer != NULL, FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);

	if (bufsz > 0)
		g_byte_array_append(framer->buf, buf, (guint)bufsz);
	if (framer->buf->len > UB_FIREHOSE_MAX_XML && ub_firehose_framer_find_end(framer) == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "%u bytes arrived without the end of a Firehose document",
			    framer->buf->len);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_firehose_framer_pop:
 * @framer: a #UbFirehoseFramer
 * @len: (out) (optional): the document's length
 *
 * Returns: (transfer full) (nullable): the next whole document through
 * `</data>`, NUL-terminated, or %NULL when none is complete
 */
gchar *
ub_firehose_framer_pop(UbFirehoseFramer *framer, gsize *len)
{
	gsize end;
	gchar *doc;

	g_return_val_if_fail(framer != NULL, NULL);

	end = ub_firehose_framer_find_end(framer);
	if (end == 0)
		return NULL;
	/* not g_strndup(): a NUL inside must not cut the document */
	doc = g_malloc(end + 1);
	memcpy(doc, framer->buf->data, end);
	doc[end] = '\0';
	g_byte_array_remove_range(framer->buf, 0, (guint)end);
	if (len != NULL)
		*len = end;
	return doc;
}

/**
 * ub_firehose_framer_get_pending:
 * @framer: a #UbFirehoseFramer
 *
 * Returns: the number of bytes buffered
 */
gsize
ub_firehose_framer_get_pending(UbFirehoseFramer *framer)
{
	g_return_val_if_fail(framer != NULL, 0);
	return framer->buf->len;
}

/**
 * ub_firehose_framer_take_raw:
 * @framer: a #UbFirehoseFramer
 * @buf: (out caller-allocates): where to copy
 * @bufsz: room in @buf
 *
 * Moves buffered bytes out as raw data, e.g. the start of a `<read>` glued
 * to its rawmode ACK.
 *
 * Returns: the number of bytes moved
 */
gsize
ub_firehose_framer_take_raw(UbFirehoseFramer *framer, guint8 *buf, gsize bufsz)
{
	gsize n;

	g_return_val_if_fail(framer != NULL, 0);
	g_return_val_if_fail(buf != NULL || bufsz == 0, 0);

	n = MIN(bufsz, (gsize)framer->buf->len);
	if (n == 0)
		return 0;
	memcpy(buf, framer->buf->data, n);
	g_byte_array_remove_range(framer->buf, 0, (guint)n);
	return n;
}
