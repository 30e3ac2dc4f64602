/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-xml.h"

/**
 * ub_xml_parse:
 * @parser: the element callbacks
 * @user_data: passed to the callbacks
 * @buf: (nullable): the XML document, not NUL-terminated
 * @bufsz: size of @buf
 * @max_size: larger documents are refused before parsing
 * @what: the kind of file, for messages: "rawprogram file", "md5sum.xml"
 * @error: (nullable): return location for a #GError
 *
 * Parses a package's XML file with GMarkup. GMarkup reads no DTD: a DOCTYPE
 * is skipped, so an entity it declares stays undefined and using one fails;
 * nothing is ever loaded from outside @buf. Parse errors keep their domain
 * (GMarkup's, or what a callback set), start with the line and column, and
 * are prefixed "failed to parse @what: ".
 *
 * Returns: %TRUE for success
 */
gboolean
ub_xml_parse(const GMarkupParser *parser,
	     gpointer user_data,
	     const guint8 *buf,
	     gsize bufsz,
	     gsize max_size,
	     const gchar *what,
	     GError **error)
{
	g_autoptr(GMarkupParseContext) ctx = NULL;

	g_return_val_if_fail(parser != NULL, FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(what != NULL, FALSE);

	if (bufsz > max_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s of %" G_GSIZE_FORMAT " bytes is too large",
			    what,
			    bufsz);
		return FALSE;
	}
	ctx = g_markup_parse_context_new(parser, G_MARKUP_PREFIX_ERROR_POSITION, user_data, NULL);
	if (!g_markup_parse_context_parse(ctx,
					  bufsz > 0 ? (const gchar *)buf : "",
					  (gssize)bufsz,
					  error) ||
	    !g_markup_parse_context_end_parse(ctx, error)) {
		g_prefix_error(error, "failed to parse %s: ", what);
		return FALSE;
	}
	return TRUE;
}

/* the roots of the Qualcomm XML files, to name the file the user picked instead */
static const struct {
	const gchar *root;
	const gchar *what;
} ub_xml_known_roots[] = {
    {"data", "rawprogram file"},
    {"patches", "patch file"},
};

static const gchar *
ub_xml_root_to_what(const gchar *root)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_xml_known_roots); i++) {
		if (g_strcmp0(ub_xml_known_roots[i].root, root) == 0)
			return ub_xml_known_roots[i].what;
	}
	return NULL;
}

/**
 * ub_xml_check_root:
 * @element_name: the document's root element
 * @expected: the root element wanted, "data" or "patches"
 * @error: (nullable): return location for a #GError
 *
 * Checks the root element of a Qualcomm XML file; when it is the root of
 * another known kind of file the message says which one it is.
 *
 * Returns: %TRUE when @element_name is @expected
 */
gboolean
ub_xml_check_root(const gchar *element_name, const gchar *expected, GError **error)
{
	const gchar *what = ub_xml_root_to_what(element_name);

	if (g_strcmp0(element_name, expected) == 0)
		return TRUE;
	if (what != NULL && ub_xml_root_to_what(expected) != NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "this is a %s (<%s>), not a %s",
			    what,
			    element_name,
			    ub_xml_root_to_what(expected));
		return FALSE;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "root element is <%s>, expected <%s>",
		    element_name,
		    expected);
	return FALSE;
}
