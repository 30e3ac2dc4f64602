/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-mtk-checksum.h"

/*
 * Checksum.ini beside a scatter file (shared/reference/mtk.md b.5):
 *   [VERSION] VERSION=V1, TOOL=..., Change_ID=...
 *   [IsEnableChecksum] CHECKSUM_SWITCH=1
 *   [CheckSum] <partition or file>=0xXXXX
 * The value is the sum of every byte of the image kept in 16 bits, plus 0xFF
 * when the length is odd (as if padded with one 0xFF byte).
 */

#define UB_MTK_CHECKSUM_MAX_ENTRIES 4096
#define UB_MTK_CHECKSUM_CHUNK	    (1024 * 1024)

struct _UbMtkChecksum {
	GObject parent_instance;
	GPtrArray *sections; /* of utf8, in file order */
	GHashTable *values;  /* "SECTION\nkey" -> value */
	GPtrArray *entries;  /* of UbMtkChecksumEntry */
	GPtrArray *warnings; /* of utf8 */
};

G_DEFINE_TYPE(UbMtkChecksum, ub_mtk_checksum, G_TYPE_OBJECT)

void
ub_mtk_checksum_entry_free(UbMtkChecksumEntry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->name);
	g_free(entry->value_str);
	g_free(entry);
}

static gboolean
ub_mtk_checksum_parse_value(const gchar *str, guint16 *value, GError **error)
{
	guint64 tmp = 0;
	if (g_ascii_strncasecmp(str, "0x", 2) != 0 ||
	    !g_ascii_string_to_unsigned(str + 2, 16, 0, 0xffff, &tmp, NULL)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "'%s' is not a 16-bit hex value",
			    str);
		return FALSE;
	}
	*value = (guint16)tmp;
	return TRUE;
}

/**
 * ub_mtk_checksum_parse:
 * @buf: the file
 * @bufsz: its size, at most %UB_MTK_CHECKSUM_MAX_SIZE
 * @error: (nullable): a #GError
 *
 * Returns: (transfer full): the parsed Checksum.ini, or %NULL
 */
UbMtkChecksum *
ub_mtk_checksum_parse(const guint8 *buf, gsize bufsz, GError **error)
{
	g_autoptr(UbMtkChecksum) self = g_object_new(UB_TYPE_MTK_CHECKSUM, NULL);
	g_autofree gchar *copy = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	const gchar *section = NULL;

	if (bufsz > UB_MTK_CHECKSUM_MAX_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "Checksum.ini too large: %" G_GSIZE_FORMAT " bytes",
			    bufsz);
		return NULL;
	}
	if (buf == NULL || bufsz == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "empty Checksum.ini");
		return NULL;
	}
	if (memchr(buf, '\0', bufsz) != NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "not a text file: contains NUL bytes");
		return NULL;
	}
	if (bufsz >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		bufsz -= 3;
	}
	copy = g_strndup((const gchar *)buf, bufsz);
	lines = g_strsplit(copy, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		guint line = i + 1;
		gchar *str = g_strstrip(lines[i]);
		gchar *eq;
		const gchar *key;
		const gchar *value;

		if (str[0] == '\0' || str[0] == ';' || str[0] == '#')
			continue;
		if (str[0] == '[') {
			gsize len = strlen(str);
			if (len < 3 || str[len - 1] != ']') {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "line %u: bad section header '%s'",
					    line,
					    str);
				return NULL;
			}
			str[len - 1] = '\0';
			g_ptr_array_add(self->sections, g_strdup(str + 1));
			section = g_ptr_array_index(self->sections, self->sections->len - 1);
			continue;
		}
		eq = strchr(str, '=');
		if (eq == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %u: expected KEY=VALUE, got '%s'",
				    line,
				    str);
			return NULL;
		}
		*eq = '\0';
		key = g_strchomp(str);
		value = g_strstrip(eq + 1);
		if (key[0] == '\0') {
			g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "line %u: empty key", line);
			return NULL;
		}
		if (section == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %u: %s before any [section]",
				    line,
				    key);
			return NULL;
		}
		if (g_ascii_strcasecmp(section, "CheckSum") == 0) {
			UbMtkChecksumEntry *entry;
			guint16 sum = 0;
			if (!ub_mtk_checksum_parse_value(value, &sum, error)) {
				g_prefix_error(error, "line %u: %s: ", line, key);
				return NULL;
			}
			if (g_hash_table_contains(seen, key)) {
				g_ptr_array_add(self->warnings,
						g_strdup_printf("line %u: %s is listed again; "
								"the first value counts",
								line,
								key));
				continue;
			}
			if (self->entries->len >= UB_MTK_CHECKSUM_MAX_ENTRIES) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "more than %u checksums",
					    (guint)UB_MTK_CHECKSUM_MAX_ENTRIES);
				return NULL;
			}
			entry = g_new0(UbMtkChecksumEntry, 1);
			entry->name = g_strdup(key);
			entry->value = sum;
			entry->value_str = g_strdup(value);
			entry->line = line;
			g_ptr_array_add(self->entries, entry);
			g_hash_table_add(seen, entry->name);
			continue;
		}
		g_hash_table_insert(self->values,
				    g_strdup_printf("%s\n%s", section, key),
				    g_strdup(value));
	}
	if (self->entries->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no [CheckSum] entries");
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * ub_mtk_checksum_get_value:
 * @self: a #UbMtkChecksum
 * @section: "VERSION", "IsEnableChecksum"...
 * @key: the key
 *
 * Values outside [CheckSum] as written.
 *
 * Returns: (nullable): the value
 */
const gchar *
ub_mtk_checksum_get_value(UbMtkChecksum *self, const gchar *section, const gchar *key)
{
	g_autofree gchar *id = NULL;
	g_return_val_if_fail(UB_IS_MTK_CHECKSUM(self), NULL);
	id = g_strdup_printf("%s\n%s", section, key);
	return g_hash_table_lookup(self->values, id);
}

GPtrArray *
ub_mtk_checksum_get_sections(UbMtkChecksum *self)
{
	g_return_val_if_fail(UB_IS_MTK_CHECKSUM(self), NULL);
	return self->sections;
}

const gchar *
ub_mtk_checksum_get_version(UbMtkChecksum *self)
{
	return ub_mtk_checksum_get_value(self, "VERSION", "VERSION");
}

const gchar *
ub_mtk_checksum_get_tool(UbMtkChecksum *self)
{
	return ub_mtk_checksum_get_value(self, "VERSION", "TOOL");
}

const gchar *
ub_mtk_checksum_get_change_id(UbMtkChecksum *self)
{
	return ub_mtk_checksum_get_value(self, "VERSION", "Change_ID");
}

/**
 * ub_mtk_checksum_get_enabled:
 * @self: a #UbMtkChecksum
 *
 * Returns: %FALSE only when [IsEnableChecksum] says CHECKSUM_SWITCH=0
 */
gboolean
ub_mtk_checksum_get_enabled(UbMtkChecksum *self)
{
	const gchar *value = ub_mtk_checksum_get_value(self, "IsEnableChecksum", "CHECKSUM_SWITCH");
	return value == NULL || g_strcmp0(value, "0") != 0;
}

GPtrArray *
ub_mtk_checksum_get_entries(UbMtkChecksum *self)
{
	g_return_val_if_fail(UB_IS_MTK_CHECKSUM(self), NULL);
	return self->entries;
}

const UbMtkChecksumEntry *
ub_mtk_checksum_find_entry(UbMtkChecksum *self, const gchar *name)
{
	g_return_val_if_fail(UB_IS_MTK_CHECKSUM(self), NULL);
	for (guint i = 0; i < self->entries->len; i++) {
		UbMtkChecksumEntry *entry = g_ptr_array_index(self->entries, i);
		if (g_strcmp0(entry->name, name) == 0)
			return entry;
	}
	return NULL;
}

GPtrArray *
ub_mtk_checksum_get_warnings(UbMtkChecksum *self)
{
	g_return_val_if_fail(UB_IS_MTK_CHECKSUM(self), NULL);
	return self->warnings;
}

/**
 * ub_mtk_checksum_update:
 * @state: 0 for the first chunk, then the previous return value
 * @buf: the next bytes of the image
 * @bufsz: their number
 *
 * Returns: the new state for ub_mtk_checksum_finish()
 */
guint64
ub_mtk_checksum_update(guint64 state, const guint8 *buf, gsize bufsz)
{
	/* a wide accumulator: only the low 16 bits matter, so wrapping is harmless */
	guint64 sum = 0;
	for (gsize i = 0; i < bufsz; i++)
		sum += buf[i];
	return state + sum;
}

/**
 * ub_mtk_checksum_finish:
 * @state: from ub_mtk_checksum_update()
 * @total_size: bytes summed
 *
 * Returns: the Checksum.ini value
 */
guint16
ub_mtk_checksum_finish(guint64 state, guint64 total_size)
{
	if (total_size % 2 != 0)
		state += 0xff;
	return (guint16)(state & 0xffff);
}

guint16
ub_mtk_checksum_compute(const guint8 *buf, gsize bufsz)
{
	return ub_mtk_checksum_finish(ub_mtk_checksum_update(0, buf, bufsz), bufsz);
}

/**
 * ub_mtk_checksum_compute_stream:
 * @stream: the image, read to its end in 1 MiB chunks
 * @checksum: (out): the Checksum.ini value
 * @size: (out) (optional): bytes read
 * @cancellable: (nullable): checked between chunks
 * @error: (nullable): a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ub_mtk_checksum_compute_stream(GInputStream *stream,
			       guint16 *checksum,
			       guint64 *size,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autofree guint8 *buf = g_malloc(UB_MTK_CHECKSUM_CHUNK);
	guint64 state = 0;
	guint64 total = 0;

	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);
	g_return_val_if_fail(checksum != NULL, FALSE);
	for (;;) {
		gssize n;
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		n = g_input_stream_read(stream,
					       buf,
					       UB_MTK_CHECKSUM_CHUNK,
					       cancellable,
					       error);
		if (n < 0)
			return FALSE;
		if (n == 0)
			break;
		state = ub_mtk_checksum_update(state, buf, (gsize)n);
		total += (guint64)n;
	}
	*checksum = ub_mtk_checksum_finish(state, total);
	if (size != NULL)
		*size = total;
	return TRUE;
}

static void
ub_mtk_checksum_finalize(GObject *object)
{
	UbMtkChecksum *self = UB_MTK_CHECKSUM(object);
	g_ptr_array_unref(self->sections);
	g_hash_table_unref(self->values);
	g_ptr_array_unref(self->entries);
	g_ptr_array_unref(self->warnings);
	G_OBJECT_CLASS(ub_mtk_checksum_parent_class)->finalize(object);
}

static void
ub_mtk_checksum_class_init(UbMtkChecksumClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_mtk_checksum_finalize;
}

static void
ub_mtk_checksum_init(UbMtkChecksum *self)
{
	self->sections = g_ptr_array_new_with_free_func(g_free);
	self->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)ub_mtk_checksum_entry_free);
	self->warnings = g_ptr_array_new_with_free_func(g_free);
}
