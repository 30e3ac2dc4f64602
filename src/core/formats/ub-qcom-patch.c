/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-crc.h"
#include "ub-error.h"
#include "ub-qcom-expr.h"
#include "ub-qcom-patch.h"
#include "ub-xml.h"

/*
 * patch*.xml: <patches> with <patch> children. Entries with filename="DISK" are
 * sent to the programmer, which evaluates NUM_DISK_SECTORS and CRC32 on the
 * device; entries naming an image (gpt_main0.bin) describe the same edits on
 * the file and are skipped by QFIL/qdl. Both can be applied here once the size
 * of the physical partition is known. Order matters: ptool zeroes the header
 * CRC field before computing CRC32 over the header.
 */

struct _UbQcomPatch {
	GObject parent_instance;
	GPtrArray *entries; /* of UbQcomPatchEntry */
	GPtrArray *ignored; /* of gchar* */
};

G_DEFINE_TYPE(UbQcomPatch, ub_qcom_patch, G_TYPE_OBJECT)

typedef struct {
	UbQcomPatch *self;
	guint depth;
	gboolean root_seen;
} UbQcomPatchHelper;

/**
 * ub_qcom_patch_entry_free:
 * @entry: a #UbQcomPatchEntry
 *
 * Frees @entry.
 */
void
ub_qcom_patch_entry_free(UbQcomPatchEntry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->filename);
	g_free(entry->start_sector);
	g_free(entry->value);
	g_free(entry->what);
	g_strfreev(entry->names);
	g_strfreev(entry->values);
	g_free(entry);
}

/**
 * ub_qcom_patch_entry_is_disk:
 * @entry: a #UbQcomPatchEntry
 *
 * Returns: %TRUE if the programmer applies @entry to the device
 */
gboolean
ub_qcom_patch_entry_is_disk(const UbQcomPatchEntry *entry)
{
	g_return_val_if_fail(entry != NULL, FALSE);
	return g_strcmp0(entry->filename, UB_QCOM_PATCH_DISK) == 0;
}

/**
 * ub_qcom_patch_entry_to_xml_attrs:
 * @entry: a #UbQcomPatchEntry
 *
 * Formats every attribute as XML (`name="value" ...`, escaped), in file order.
 *
 * Returns: (transfer full): the attributes
 */
gchar *
ub_qcom_patch_entry_to_xml_attrs(const UbQcomPatchEntry *entry)
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

typedef struct {
	const guint8 *buf;
	gsize bufsz;
	guint64 buf_first_sector;
	guint32 sector_size;
} UbQcomPatchWindow;

/* byte position of @sector (+@extra bytes, @len long) inside the window */
static gboolean
ub_qcom_patch_window_locate(const UbQcomPatchWindow *win,
			    guint64 sector,
			    guint64 extra,
			    guint64 len,
			    gsize *offset,
			    GError **error)
{
	guint64 off = 0;
	guint64 end = 0;
	if (sector < win->buf_first_sector ||
	    !g_uint64_checked_mul(&off, sector - win->buf_first_sector, win->sector_size) ||
	    !g_uint64_checked_add(&off, off, extra) || !g_uint64_checked_add(&end, off, len) ||
	    end > win->bufsz) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%" G_GUINT64_FORMAT " bytes at sector %" G_GUINT64_FORMAT
			    " + %" G_GUINT64_FORMAT " lie outside the %" G_GSIZE_FORMAT
			    " bytes from sector %" G_GUINT64_FORMAT,
			    len,
			    sector,
			    extra,
			    win->bufsz,
			    win->buf_first_sector);
		return FALSE;
	}
	*offset = (gsize)off;
	return TRUE;
}

static gboolean
ub_qcom_patch_crc32_cb(guint64 start_sector,
		       guint64 len,
		       guint32 *crc,
		       gpointer user_data,
		       GError **error)
{
	const UbQcomPatchWindow *win = user_data;
	gsize offset = 0;
	if (!ub_qcom_patch_window_locate(win, start_sector, 0, len, &offset, error))
		return FALSE;
	*crc = ub_crc32(win->buf + offset, (gsize)len);
	return TRUE;
}

/**
 * ub_qcom_patch_entry_apply:
 * @entry: a #UbQcomPatchEntry
 * @buf: data of the file or disk the patch applies to
 * @bufsz: size of @buf
 * @buf_first_sector: the sector @buf starts at (0 for a file)
 * @num_disk_sectors: sectors of the physical partition
 * @error: (nullable): return location for a #GError
 *
 * Evaluates @entry and writes the value little-endian into @buf. CRC32(start,len)
 * is computed over @buf as it is at that moment.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_qcom_patch_entry_apply(const UbQcomPatchEntry *entry,
			  guint8 *buf,
			  gsize bufsz,
			  guint64 buf_first_sector,
			  guint64 num_disk_sectors,
			  GError **error)
{
	UbQcomPatchWindow win = {
	    .buf = buf,
	    .bufsz = bufsz,
	    .buf_first_sector = buf_first_sector,
	    .sector_size = entry->sector_size,
	};
	UbQcomExprContext ctx = {
	    .num_disk_sectors = num_disk_sectors,
	    .num_disk_sectors_known = TRUE,
	    .crc32_func = ub_qcom_patch_crc32_cb,
	    .user_data = &win,
	};
	guint64 sector = 0;
	guint64 value = 0;
	gsize offset = 0;

	g_return_val_if_fail(entry != NULL, FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!ub_qcom_expr_eval(entry->start_sector, &ctx, &sector, error) ||
	    !ub_qcom_patch_window_locate(&win,
					 sector,
					 entry->byte_offset,
					 entry->size_in_bytes,
					 &offset,
					 error) ||
	    !ub_qcom_expr_eval(entry->value, &ctx, &value, error)) {
		g_prefix_error(error, "line %u: ", entry->line);
		return FALSE;
	}
	if (entry->size_in_bytes < 8 && value >> (entry->size_in_bytes * 8) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: value %" G_GUINT64_FORMAT " of '%s' does not fit in %u bytes",
			    entry->line,
			    value,
			    entry->value,
			    entry->size_in_bytes);
		return FALSE;
	}
	for (guint i = 0; i < entry->size_in_bytes; i++)
		buf[offset + i] = (guint8)(value >> (8 * i));
	return TRUE;
}

static const gchar *
ub_qcom_patch_lookup(const gchar **names, const gchar **values, const gchar *name)
{
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_ascii_strcasecmp(names[i], name) == 0)
			return values[i];
	}
	return NULL;
}

static gboolean
ub_qcom_patch_parse_const(const gchar **names,
			  const gchar **values,
			  const gchar *name,
			  guint line,
			  guint64 max,
			  guint64 *out,
			  GError **error)
{
	const gchar *tmp = ub_qcom_patch_lookup(names, values, name);
	g_autoptr(GError) error_local = NULL;
	if (tmp == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: <patch> has no %s attribute",
			    line,
			    name);
		return FALSE;
	}
	if (!ub_qcom_expr_eval(tmp, NULL, out, &error_local)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s=\"%s\" is not a number: %s",
			    line,
			    name,
			    tmp,
			    error_local->message);
		return FALSE;
	}
	if (*out > max) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s=\"%s\" is out of range",
			    line,
			    name,
			    tmp);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_qcom_patch_parse_expr(const gchar **names,
			 const gchar **values,
			 const gchar *name,
			 guint line,
			 gboolean allow_crc,
			 gchar **out,
			 GError **error)
{
	const gchar *tmp = ub_qcom_patch_lookup(names, values, name);
	gboolean uses_crc = FALSE;
	g_autoptr(GError) error_local = NULL;
	if (tmp == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: <patch> has no %s attribute",
			    line,
			    name);
		return FALSE;
	}
	if (!ub_qcom_expr_check(tmp, NULL, &uses_crc, &error_local)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s: %s",
			    line,
			    name,
			    error_local->message);
		return FALSE;
	}
	if (uses_crc && !allow_crc) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: %s=\"%s\" cannot use CRC32",
			    line,
			    name,
			    tmp);
		return FALSE;
	}
	*out = g_strdup(tmp);
	return TRUE;
}

static UbQcomPatchEntry *
ub_qcom_patch_parse_entry(guint line, const gchar **names, const gchar **values, GError **error)
{
	g_autoptr(UbQcomPatchEntry) entry = g_new0(UbQcomPatchEntry, 1);
	const gchar *tmp;
	guint64 val = 0;

	entry->line = line;
	entry->names = g_strdupv((gchar **)names);
	entry->values = g_strdupv((gchar **)values);

	if (!ub_qcom_patch_parse_const(names,
				       values,
				       "SECTOR_SIZE_IN_BYTES",
				       line,
				       65536,
				       &val,
				       error))
		return NULL;
	if (val < 512 || (val & (val - 1)) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: SECTOR_SIZE_IN_BYTES=%" G_GUINT64_FORMAT
			    " is not a power of two from 512",
			    line,
			    val);
		return NULL;
	}
	entry->sector_size = (guint32)val;
	if (!ub_qcom_patch_parse_const(names,
				       values,
				       "physical_partition_number",
				       line,
				       255,
				       &val,
				       error))
		return NULL;
	entry->physical_partition_number = (guint)val;
	if (!ub_qcom_patch_parse_const(names,
				       values,
				       "byte_offset",
				       line,
				       G_MAXUINT32,
				       &entry->byte_offset,
				       error))
		return NULL;
	if (!ub_qcom_patch_parse_const(names, values, "size_in_bytes", line, 8, &val, error))
		return NULL;
	if (val == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: size_in_bytes must be 1 to 8",
			    line);
		return NULL;
	}
	entry->size_in_bytes = (guint)val;
	tmp = ub_qcom_patch_lookup(names, values, "filename");
	if (tmp == NULL || tmp[0] == '\0') {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: <patch> has no filename",
			    line);
		return NULL;
	}
	entry->filename = g_strdup(tmp);
	if (!ub_qcom_patch_parse_expr(names,
				      values,
				      "start_sector",
				      line,
				      FALSE,
				      &entry->start_sector,
				      error))
		return NULL;
	if (!ub_qcom_patch_parse_expr(names, values, "value", line, TRUE, &entry->value, error))
		return NULL;
	entry->what = g_strdup(ub_qcom_patch_lookup(names, values, "what"));
	return g_steal_pointer(&entry);
}

static void
ub_qcom_patch_start_element_cb(GMarkupParseContext *context,
			       const gchar *element_name,
			       const gchar **attribute_names,
			       const gchar **attribute_values,
			       gpointer user_data,
			       GError **error)
{
	UbQcomPatchHelper *helper = user_data;
	UbQcomPatch *self = helper->self;
	UbQcomPatchEntry *entry;
	gint line = 0;

	g_markup_parse_context_get_position(context, &line, NULL);
	helper->depth++;
	if (helper->depth == 1) {
		helper->root_seen = ub_xml_check_root(element_name, "patches", error);
		return;
	}
	if (helper->depth > 2 || g_ascii_strcasecmp(element_name, "patch") != 0) {
		g_ptr_array_add(self->ignored,
				g_strdup_printf("line %d: <%s> is not a patch entry and is ignored",
						line,
						element_name));
		return;
	}
	entry = ub_qcom_patch_parse_entry((guint)line, attribute_names, attribute_values, error);
	if (entry == NULL)
		return;
	g_ptr_array_add(self->entries, entry);
}

static void
ub_qcom_patch_end_element_cb(GMarkupParseContext *context,
			     const gchar *element_name,
			     gpointer user_data,
			     GError **error)
{
	UbQcomPatchHelper *helper = user_data;
	helper->depth--;
}

/**
 * ub_qcom_patch_parse:
 * @buf: the file content
 * @bufsz: size of @buf
 * @error: (nullable): return location for a #GError
 *
 * Parses a patch file; expressions are checked for syntax, not evaluated.
 *
 * Returns: (transfer full): a #UbQcomPatch, or %NULL
 */
UbQcomPatch *
ub_qcom_patch_parse(const guint8 *buf, gsize bufsz, GError **error)
{
	g_autoptr(UbQcomPatch) self = g_object_new(UB_TYPE_QCOM_PATCH, NULL);
	UbQcomPatchHelper helper = {.self = self};
	const GMarkupParser parser = {
	    .start_element = ub_qcom_patch_start_element_cb,
	    .end_element = ub_qcom_patch_end_element_cb,
	};

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!ub_xml_parse(&parser, &helper, buf, bufsz, UB_QCOM_PATCH_MAX_SIZE, "patch file", error))
		return NULL;
	if (!helper.root_seen) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "failed to parse patch file: no <patches> element");
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * ub_qcom_patch_get_entries:
 * @self: a #UbQcomPatch
 *
 * Returns: (transfer none) (element-type UbQcomPatchEntry): the entries, in file order
 */
GPtrArray *
ub_qcom_patch_get_entries(UbQcomPatch *self)
{
	g_return_val_if_fail(UB_IS_QCOM_PATCH(self), NULL);
	return self->entries;
}

/**
 * ub_qcom_patch_get_ignored:
 * @self: a #UbQcomPatch
 *
 * Returns: (transfer none) (element-type utf8): one message per element that is
 *   not a patch entry
 */
GPtrArray *
ub_qcom_patch_get_ignored(UbQcomPatch *self)
{
	g_return_val_if_fail(UB_IS_QCOM_PATCH(self), NULL);
	return self->ignored;
}

/**
 * ub_qcom_patch_count_for_file:
 * @self: a #UbQcomPatch
 * @filename: "DISK" or an image name
 *
 * Returns: how many entries name @filename
 */
guint
ub_qcom_patch_count_for_file(UbQcomPatch *self, const gchar *filename)
{
	guint n = 0;
	g_return_val_if_fail(UB_IS_QCOM_PATCH(self), 0);
	for (guint i = 0; i < self->entries->len; i++) {
		UbQcomPatchEntry *entry = g_ptr_array_index(self->entries, i);
		if (g_strcmp0(entry->filename, filename) == 0)
			n++;
	}
	return n;
}

/**
 * ub_qcom_patch_apply_to_file:
 * @self: a #UbQcomPatch
 * @filename: the image name as the patch file writes it, e.g. "gpt_main0.bin"
 * @buf: the image content, modified in place
 * @bufsz: size of @buf
 * @num_disk_sectors: sectors of the physical partition the image is for
 * @n_applied: (out) (optional): number of entries applied
 * @error: (nullable): return location for a #GError
 *
 * Applies, in file order, every entry that names @filename.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_qcom_patch_apply_to_file(UbQcomPatch *self,
			    const gchar *filename,
			    guint8 *buf,
			    gsize bufsz,
			    guint64 num_disk_sectors,
			    guint *n_applied,
			    GError **error)
{
	guint n = 0;
	g_return_val_if_fail(UB_IS_QCOM_PATCH(self), FALSE);
	g_return_val_if_fail(filename != NULL, FALSE);
	for (guint i = 0; i < self->entries->len; i++) {
		UbQcomPatchEntry *entry = g_ptr_array_index(self->entries, i);
		if (g_strcmp0(entry->filename, filename) != 0)
			continue;
		if (!ub_qcom_patch_entry_apply(entry, buf, bufsz, 0, num_disk_sectors, error)) {
			g_prefix_error(error, "failed to patch %s: ", filename);
			return FALSE;
		}
		n++;
	}
	if (n_applied != NULL)
		*n_applied = n;
	return TRUE;
}

/**
 * ub_qcom_patch_apply_to_disk:
 * @self: a #UbQcomPatch
 * @physical_partition_number: the LUN @buf belongs to
 * @buf: a window of the disk, modified in place
 * @bufsz: size of @buf
 * @buf_first_sector: the sector @buf starts at
 * @num_disk_sectors: sectors of the physical partition
 * @n_applied: (out) (optional): number of entries applied
 * @error: (nullable): return location for a #GError
 *
 * Does what the programmer does with the "DISK" entries of one LUN, in file
 * order. An entry that touches bytes outside the window is an error.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_qcom_patch_apply_to_disk(UbQcomPatch *self,
			    guint physical_partition_number,
			    guint8 *buf,
			    gsize bufsz,
			    guint64 buf_first_sector,
			    guint64 num_disk_sectors,
			    guint *n_applied,
			    GError **error)
{
	guint n = 0;
	g_return_val_if_fail(UB_IS_QCOM_PATCH(self), FALSE);
	for (guint i = 0; i < self->entries->len; i++) {
		UbQcomPatchEntry *entry = g_ptr_array_index(self->entries, i);
		if (!ub_qcom_patch_entry_is_disk(entry) ||
		    entry->physical_partition_number != physical_partition_number)
			continue;
		if (!ub_qcom_patch_entry_apply(entry,
					       buf,
					       bufsz,
					       buf_first_sector,
					       num_disk_sectors,
					       error)) {
			g_prefix_error(error,
				       "failed to patch LUN %u: ",
				       physical_partition_number);
			return FALSE;
		}
		n++;
	}
	if (n_applied != NULL)
		*n_applied = n;
	return TRUE;
}

static void
ub_qcom_patch_finalize(GObject *object)
{
	UbQcomPatch *self = UB_QCOM_PATCH(object);
	g_ptr_array_unref(self->entries);
	g_ptr_array_unref(self->ignored);
	G_OBJECT_CLASS(ub_qcom_patch_parent_class)->finalize(object);
}

static void
ub_qcom_patch_init(UbQcomPatch *self)
{
	self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)ub_qcom_patch_entry_free);
	self->ignored = g_ptr_array_new_with_free_func(g_free);
}

static void
ub_qcom_patch_class_init(UbQcomPatchClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_qcom_patch_finalize;
}
