/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-qcom-expr.h"
#include "ub-rawprogram.h"
#include "ub-xml.h"

/*
 * rawprogram*.xml as written by ptool and consumed by QFIL, fh_loader and qdl:
 * <data> with <program>, <erase> and <zeroout> children. GMarkup never loads
 * external entities or DTDs. Attribute names are matched case-insensitively
 * (Firehose is case-insensitive); every attribute is kept, including the ones
 * no tool reads (size_in_KB, start_byte_hex, partofsingleimage).
 */

struct _UbRawprogram {
	GObject parent_instance;
	GPtrArray *entries; /* of UbRawprogramEntry */
	GPtrArray *ignored; /* of gchar*: elements we do not act on, for warnings */
};

G_DEFINE_TYPE(UbRawprogram, ub_rawprogram, G_TYPE_OBJECT)

typedef struct {
	UbRawprogram *self;
	guint depth;
	gboolean root_seen;
} UbRawprogramHelper;

const gchar *
ub_rawprogram_kind_to_string(UbRawprogramKind kind)
{
	switch (kind) {
	case UB_RAWPROGRAM_KIND_PROGRAM:
		return "program";
	case UB_RAWPROGRAM_KIND_ERASE:
		return "erase";
	case UB_RAWPROGRAM_KIND_ZEROOUT:
		return "zeroout";
	case UB_RAWPROGRAM_KIND_LAST:
	default:
		return NULL;
	}
}

/**
 * ub_rawprogram_entry_free:
 * @entry: a #UbRawprogramEntry
 *
 * Frees @entry.
 */
void
ub_rawprogram_entry_free(UbRawprogramEntry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->label);
	g_free(entry->filename);
	g_free(entry->start_sector);
	g_free(entry->num_partition_sectors);
	g_strfreev(entry->names);
	g_strfreev(entry->values);
	g_free(entry);
}

/**
 * ub_rawprogram_entry_get_attr:
 * @entry: a #UbRawprogramEntry
 * @name: an attribute name, matched case-insensitively
 *
 * Returns: (nullable): the attribute's value as written
 */
const gchar *
ub_rawprogram_entry_get_attr(const UbRawprogramEntry *entry, const gchar *name)
{
	g_return_val_if_fail(entry != NULL, NULL);
	for (guint i = 0; entry->names != NULL && entry->names[i] != NULL; i++) {
		if (g_ascii_strcasecmp(entry->names[i], name) == 0)
			return entry->values[i];
	}
	return NULL;
}

/**
 * ub_rawprogram_entry_is_placeholder:
 * @entry: a #UbRawprogramEntry
 *
 * Returns: %TRUE for a `<program>` with an empty filename: it names a partition
 *   of the layout but nothing is written to it
 */
gboolean
ub_rawprogram_entry_is_placeholder(const UbRawprogramEntry *entry)
{
	g_return_val_if_fail(entry != NULL, FALSE);
	return entry->kind == UB_RAWPROGRAM_KIND_PROGRAM &&
	       (entry->filename == NULL || entry->filename[0] == '\0');
}

/**
 * ub_rawprogram_entry_to_xml_attrs:
 * @entry: a #UbRawprogramEntry
 *
 * Formats every attribute as XML (`name="value" ...`, escaped), in file order,
 * so that an engine can send the element on as the package wrote it.
 *
 * Returns: (transfer full): the attributes
 */
gchar *
ub_rawprogram_entry_to_xml_attrs(const UbRawprogramEntry *entry)
{
	g_autoptr(GString) str = g_string_new(NULL);
	g_return_val_if_fail(entry != NULL, NULL);
	for (guint i = 0; entry->names != NULL && entry->names[i] != NULL; i++) {
		g_autofree gchar *escaped = g_markup_escape_text(entry->values[i], -1);
		if (str->len > 0)
			g_string_append_c(str, ' ');
		g_string_append_printf(str, "%s=\"%s\"", entry->names[i], escaped);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static gboolean
ub_rawprogram_parse_bool(const gchar *value, guint line, const gchar *name, gboolean *out, GError **error)
{
	if (value == NULL) {
		*out = FALSE;
		return TRUE;
	}
	if (g_ascii_strcasecmp(value, "true") == 0 || g_strcmp0(value, "1") == 0) {
		*out = TRUE;
		return TRUE;
	}
	if (g_ascii_strcasecmp(value, "false") == 0 || g_strcmp0(value, "0") == 0 ||
	    value[0] == '\0') {
		*out = FALSE;
		return TRUE;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "line %u: %s=\"%s\" is neither true nor false",
		    line,
		    name,
		    value);
	return FALSE;
}

/* a plain number (constant expression); @required: absent is an error */
static gboolean
ub_rawprogram_parse_const(const gchar *value,
			  guint line,
			  const gchar *name,
			  guint64 max,
			  guint64 *out,
			  GError **error)
{
	guint64 val = 0;
	g_autoptr(GError) error_local = NULL;
	if (!ub_qcom_expr_eval(value, NULL, &val, &error_local)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s=\"%s\" is not a number: %s",
			    line,
			    name,
			    value,
			    error_local->message);
		return FALSE;
	}
	if (val > max) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s=\"%s\" is out of range",
			    line,
			    name,
			    value);
		return FALSE;
	}
	*out = val;
	return TRUE;
}

/* a number or an expression using NUM_DISK_SECTORS, checked for syntax */
static gboolean
ub_rawprogram_parse_expr(const gchar *value,
			 guint line,
			 const gchar *name,
			 guint64 *out,
			 gboolean *is_constant,
			 GError **error)
{
	gboolean uses_disk = FALSE;
	gboolean uses_crc = FALSE;
	g_autoptr(GError) error_local = NULL;
	if (!ub_qcom_expr_check(value, &uses_disk, &uses_crc, &error_local)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s: %s",
			    line,
			    name,
			    error_local->message);
		return FALSE;
	}
	if (uses_crc) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s=\"%s\" cannot use CRC32",
			    line,
			    name,
			    value);
		return FALSE;
	}
	*is_constant = !uses_disk;
	*out = 0;
	if (!uses_disk && !ub_qcom_expr_eval(value, NULL, out, error)) {
		g_prefix_error(error, "line %u: %s: ", line, name);
		return FALSE;
	}
	return TRUE;
}

static const gchar *
ub_rawprogram_lookup(const gchar **names, const gchar **values, const gchar *name)
{
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_ascii_strcasecmp(names[i], name) == 0)
			return values[i];
	}
	return NULL;
}

static gboolean
ub_rawprogram_require(const gchar *value,
		      guint line,
		      const gchar *element,
		      const gchar *name,
		      GError **error)
{
	if (value != NULL)
		return TRUE;
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "line %u: <%s> has no %s attribute",
		    line,
		    element,
		    name);
	return FALSE;
}

static UbRawprogramEntry *
ub_rawprogram_parse_entry(UbRawprogramKind kind,
			  const gchar *element,
			  guint line,
			  const gchar **names,
			  const gchar **values,
			  GError **error)
{
	g_autoptr(UbRawprogramEntry) entry = g_new0(UbRawprogramEntry, 1);
	const gchar *tmp;
	guint64 val = 0;
	gboolean is_program = kind == UB_RAWPROGRAM_KIND_PROGRAM;

	entry->kind = kind;
	entry->line = line;
	entry->names = g_strdupv((gchar **)names);
	entry->values = g_strdupv((gchar **)values);

	/* sector size */
	tmp = ub_rawprogram_lookup(names, values, "SECTOR_SIZE_IN_BYTES");
	if (!ub_rawprogram_require(tmp, line, element, "SECTOR_SIZE_IN_BYTES", error))
		return NULL;
	if (!ub_rawprogram_parse_const(tmp, line, "SECTOR_SIZE_IN_BYTES", 65536, &val, error))
		return NULL;
	if (val < 512 || (val & (val - 1)) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: SECTOR_SIZE_IN_BYTES=\"%s\" is not a power of two from 512",
			    line,
			    tmp);
		return NULL;
	}
	entry->sector_size = (guint32)val;

	/* LUN */
	tmp = ub_rawprogram_lookup(names, values, "physical_partition_number");
	if (!ub_rawprogram_require(tmp, line, element, "physical_partition_number", error))
		return NULL;
	if (!ub_rawprogram_parse_const(tmp, line, "physical_partition_number", 255, &val, error))
		return NULL;
	entry->physical_partition_number = (guint)val;

	/* names: required for program (qdl refuses files without them) */
	tmp = ub_rawprogram_lookup(names, values, "label");
	if (is_program && !ub_rawprogram_require(tmp, line, element, "label", error))
		return NULL;
	entry->label = g_strdup(tmp);
	tmp = ub_rawprogram_lookup(names, values, "filename");
	if (is_program && !ub_rawprogram_require(tmp, line, element, "filename", error))
		return NULL;
	entry->filename = g_strdup(tmp);

	/* range: required for program, optional (whole LUN) for erase */
	tmp = ub_rawprogram_lookup(names, values, "start_sector");
	if (is_program && !ub_rawprogram_require(tmp, line, element, "start_sector", error))
		return NULL;
	if (tmp != NULL) {
		if (!ub_rawprogram_parse_expr(tmp,
					      line,
					      "start_sector",
					      &entry->start_sector_value,
					      &entry->start_sector_is_constant,
					      error))
			return NULL;
		entry->start_sector = g_strdup(tmp);
	}
	tmp = ub_rawprogram_lookup(names, values, "num_partition_sectors");
	if (is_program &&
	    !ub_rawprogram_require(tmp, line, element, "num_partition_sectors", error))
		return NULL;
	if (tmp != NULL) {
		if (!ub_rawprogram_parse_expr(tmp,
					      line,
					      "num_partition_sectors",
					      &entry->num_partition_sectors_value,
					      &entry->num_partition_sectors_is_constant,
					      error))
			return NULL;
		entry->num_partition_sectors = g_strdup(tmp);
	}

	/* optional */
	tmp = ub_rawprogram_lookup(names, values, "file_sector_offset");
	if (tmp != NULL && !ub_rawprogram_parse_const(tmp,
						      line,
						      "file_sector_offset",
						      G_MAXUINT64 / 65536,
						      &entry->file_sector_offset,
						      error))
		return NULL;
	if (!ub_rawprogram_parse_bool(ub_rawprogram_lookup(names, values, "sparse"),
				      line,
				      "sparse",
				      &entry->sparse,
				      error))
		return NULL;
	tmp = ub_rawprogram_lookup(names, values, "readbackverify");
	if (tmp == NULL)
		tmp = ub_rawprogram_lookup(names, values, "read_back_verify");
	if (!ub_rawprogram_parse_bool(tmp, line, "readbackverify", &entry->readbackverify, error))
		return NULL;
	if (!ub_rawprogram_parse_bool(ub_rawprogram_lookup(names, values, "partofsingleimage"),
				      line,
				      "partofsingleimage",
				      &entry->partofsingleimage,
				      error))
		return NULL;
	return g_steal_pointer(&entry);
}

static void
ub_rawprogram_start_element_cb(GMarkupParseContext *context,
			       const gchar *element_name,
			       const gchar **attribute_names,
			       const gchar **attribute_values,
			       gpointer user_data,
			       GError **error)
{
	UbRawprogramHelper *helper = user_data;
	UbRawprogram *self = helper->self;
	UbRawprogramKind kind = UB_RAWPROGRAM_KIND_LAST;
	gint line = 0;
	UbRawprogramEntry *entry;

	g_markup_parse_context_get_position(context, &line, NULL);
	helper->depth++;
	if (helper->depth == 1) {
		helper->root_seen = ub_xml_check_root(element_name, "data", error);
		return;
	}
	if (helper->depth > 2) {
		g_ptr_array_add(self->ignored,
				g_strdup_printf("line %d: nested <%s> ignored", line, element_name));
		return;
	}
	if (g_ascii_strcasecmp(element_name, "program") == 0)
		kind = UB_RAWPROGRAM_KIND_PROGRAM;
	else if (g_ascii_strcasecmp(element_name, "erase") == 0)
		kind = UB_RAWPROGRAM_KIND_ERASE;
	else if (g_ascii_strcasecmp(element_name, "zeroout") == 0)
		kind = UB_RAWPROGRAM_KIND_ZEROOUT;
	if (kind == UB_RAWPROGRAM_KIND_LAST) {
		g_ptr_array_add(self->ignored,
				g_strdup_printf("line %d: <%s> is not a program, erase or zeroout "
						"entry and is ignored",
						line,
						element_name));
		return;
	}
	entry = ub_rawprogram_parse_entry(kind,
					  element_name,
					  (guint)line,
					  attribute_names,
					  attribute_values,
					  error);
	if (entry == NULL)
		return;
	g_ptr_array_add(self->entries, entry);
}

static void
ub_rawprogram_end_element_cb(GMarkupParseContext *context,
			     const gchar *element_name,
			     gpointer user_data,
			     GError **error)
{
	UbRawprogramHelper *helper = user_data;
	helper->depth--;
}

/**
 * ub_rawprogram_parse:
 * @buf: the file content
 * @bufsz: size of @buf
 * @error: (nullable): return location for a #GError
 *
 * Parses a rawprogram file. Expressions are checked for syntax but not evaluated.
 *
 * Returns: (transfer full): a #UbRawprogram, or %NULL
 */
UbRawprogram *
ub_rawprogram_parse(const guint8 *buf, gsize bufsz, GError **error)
{
	g_autoptr(UbRawprogram) self = g_object_new(UB_TYPE_RAWPROGRAM, NULL);
	UbRawprogramHelper helper = {.self = self};
	const GMarkupParser parser = {
	    .start_element = ub_rawprogram_start_element_cb,
	    .end_element = ub_rawprogram_end_element_cb,
	};

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!ub_xml_parse(&parser,
			  &helper,
			  buf,
			  bufsz,
			  UB_RAWPROGRAM_MAX_SIZE,
			  "rawprogram file",
			  error))
		return NULL;
	if (!helper.root_seen) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "failed to parse rawprogram file: no <data> element");
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * ub_rawprogram_get_entries:
 * @self: a #UbRawprogram
 *
 * Returns: (transfer none) (element-type UbRawprogramEntry): the entries, in file order
 */
GPtrArray *
ub_rawprogram_get_entries(UbRawprogram *self)
{
	g_return_val_if_fail(UB_IS_RAWPROGRAM(self), NULL);
	return self->entries;
}

/**
 * ub_rawprogram_get_ignored:
 * @self: a #UbRawprogram
 *
 * Returns: (transfer none) (element-type utf8): one message per element that
 *   is not a program, erase or zeroout entry
 */
GPtrArray *
ub_rawprogram_get_ignored(UbRawprogram *self)
{
	g_return_val_if_fail(UB_IS_RAWPROGRAM(self), NULL);
	return self->ignored;
}

static void
ub_rawprogram_finalize(GObject *object)
{
	UbRawprogram *self = UB_RAWPROGRAM(object);
	g_ptr_array_unref(self->entries);
	g_ptr_array_unref(self->ignored);
	G_OBJECT_CLASS(ub_rawprogram_parent_class)->finalize(object);
}

static void
ub_rawprogram_init(UbRawprogram *self)
{
	self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)ub_rawprogram_entry_free);
	self->ignored = g_ptr_array_new_with_free_func(g_free);
}

static void
ub_rawprogram_class_init(UbRawprogramClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_rawprogram_finalize;
}
