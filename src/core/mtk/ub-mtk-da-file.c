/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbMtk"

#include <string.h>

#include "ub-error.h"
#include "ub-mem.h"
#include "ub-mtk-da-file.h"
#include "ub-mtk-proto.h"

/* header layout (mtk.md a.4), all little-endian */
#define UB_MTK_DA_FILE_SIGNATURE "MTK_DOWNLOAD_AGENT"
#define UB_MTK_DA_FILE_OFFSET_ID 0x20
#define UB_MTK_DA_FILE_ID_LEN 64
#define UB_MTK_DA_FILE_OFFSET_VERSION 0x60
#define UB_MTK_DA_FILE_OFFSET_MAGIC 0x64
#define UB_MTK_DA_FILE_OFFSET_COUNT 0x68
#define UB_MTK_DA_FILE_OFFSET_ENTRIES 0x6C
#define UB_MTK_DA_FILE_MAGIC 0x22668899u
#define UB_MTK_DA_FILE_VERSION 4
#define UB_MTK_DA_ENTRY_MAGIC 0xDADA
#define UB_MTK_DA_ENTRY_SIZE 0xDC
#define UB_MTK_DA_ENTRY_SIZE_OLD 0xD8
#define UB_MTK_DA_REGION_SIZE 20
#define UB_MTK_DA_FILE_V6_ID "MTK_DA_v6"
/* the builder aligns region data to this */
#define UB_MTK_DA_FILE_BUILD_ALIGN 16

struct _UbMtkDaFile {
	GObject parent_instance;
	gchar *id;
	guint32 version;
	gboolean is_v6;
	gboolean old_layout; /* 0xD8-byte entries (no sw_version) */
	GPtrArray *entries;  /* of UbMtkDaEntry */
};

G_DEFINE_TYPE(UbMtkDaFile, ub_mtk_da_file, G_TYPE_OBJECT)

/* "MT6765" for a DA code the chip table knows, else the number */
static gchar *
ub_mtk_da_file_code_to_name(guint16 da_code)
{
	const UbMtkChip *chip = ub_mtk_chip_lookup_da_code(da_code);
	if (chip != NULL && chip->platform != NULL)
		return g_strdup(chip->platform);
	return g_strdup_printf("0x%04x", da_code);
}

/* the id string: NUL-terminated inside its 64 bytes, made valid UTF-8 and printable */
static gchar *
ub_mtk_da_file_parse_id(const guint8 *buf)
{
	gsize len = 0;
	g_autofree gchar *raw = NULL;
	gchar *id;

	while (len < UB_MTK_DA_FILE_ID_LEN && buf[UB_MTK_DA_FILE_OFFSET_ID + len] != '\0')
		len++;
	raw = g_strndup((const gchar *)buf + UB_MTK_DA_FILE_OFFSET_ID, len);
	id = g_utf8_make_valid(raw, -1);
	for (gchar *p = id; *p != '\0'; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return g_strchomp(id);
}

/* whether two regions overlap without being the very same bytes (real V6 files
 * point two regions at identical data, which is fine) */
static gboolean
ub_mtk_da_file_regions_clash(const UbMtkDaRegion *a, const UbMtkDaRegion *b)
{
	guint64 a_end = (guint64)a->offset + a->length;
	guint64 b_end = (guint64)b->offset + b->length;
	if (a->length == 0 || b->length == 0)
		return FALSE;
	if (a->offset == b->offset && a->length == b->length)
		return FALSE;
	return a->offset < b_end && b->offset < a_end;
}

/* one entry at @offset (checked to fit by the caller); FALSE with @error when
 * its fields or regions are impossible; @entry->hw_code 0 is a placeholder */
static gboolean
ub_mtk_da_file_parse_entry(const guint8 *buf,
			   gsize offset,
			   gboolean old_layout,
			   guint idx,
			   guint64 table_end,
			   guint64 file_size,
			   UbMtkDaEntry *entry,
			   GError **error)
{
	gsize regions_at;
	guint16 n_regions;
	g_autofree gchar *name = NULL;

	memset(entry, 0, sizeof(*entry));
	entry->hw_code = ub_mem_read_u16_le(buf, offset + 0x02);
	entry->hw_sub_code = ub_mem_read_u16_le(buf, offset + 0x04);
	entry->hw_version = ub_mem_read_u16_le(buf, offset + 0x06);
	if (old_layout) {
		/* no sw_version nor reserved word: pagesize at 0x08 (mtkclient daconfig.py) */
		entry->entry_region_index = ub_mem_read_u16_le(buf, offset + 0x0C);
		n_regions = ub_mem_read_u16_le(buf, offset + 0x0E);
		regions_at = offset + 0x10;
	} else {
		entry->sw_version = ub_mem_read_u16_le(buf, offset + 0x08);
		entry->entry_region_index = ub_mem_read_u16_le(buf, offset + 0x10);
		n_regions = ub_mem_read_u16_le(buf, offset + 0x12);
		regions_at = offset + 0x14;
	}
	if (entry->hw_code == 0)
		return TRUE;

	name = ub_mtk_da_file_code_to_name(entry->hw_code);
	if (n_regions > UB_MTK_DA_FILE_MAX_REGIONS) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "entry %u (%s) claims %u regions, at most %u fit",
			    idx,
			    name,
			    n_regions,
			    (guint)UB_MTK_DA_FILE_MAX_REGIONS);
		return FALSE;
	}
	entry->n_regions = n_regions;
	for (guint i = 0; i < n_regions; i++) {
		UbMtkDaRegion *region = &entry->regions[i];
		gsize at = regions_at + (gsize)i * UB_MTK_DA_REGION_SIZE;
		guint64 end;

		region->offset = ub_mem_read_u32_le(buf, at + 0x00);
		region->length = ub_mem_read_u32_le(buf, at + 0x04);
		region->load_addr = ub_mem_read_u32_le(buf, at + 0x08);
		region->region_offset = ub_mem_read_u32_le(buf, at + 0x0C);
		region->sig_len = ub_mem_read_u32_le(buf, at + 0x10);
		end = (guint64)region->offset + region->length;
		if (region->sig_len > region->length) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "region %u of entry %u (%s): signature of 0x%x bytes is longer "
				    "than the region (0x%x bytes)",
				    i,
				    idx,
				    name,
				    region->sig_len,
				    region->length);
			return FALSE;
		}
		if (end > file_size) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "region %u of entry %u (%s) lies outside the file: it ends at "
				    "0x%" G_GINT64_MODIFIER "x, the file has 0x%" G_GINT64_MODIFIER
				    "x bytes (truncated download?)",
				    i,
				    idx,
				    name,
				    end,
				    file_size);
			return FALSE;
		}
		if (region->length > 0 && region->offset < table_end) {
			g_set_error(
			    error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "region %u of entry %u (%s) at 0x%x overlaps the header and entry "
			    "table (0x%" G_GINT64_MODIFIER "x bytes)",
			    i,
			    idx,
			    name,
			    region->offset,
			    table_end);
			return FALSE;
		}
		for (guint j = 0; j < i; j++) {
			if (ub_mtk_da_file_regions_clash(&entry->regions[j], region)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "regions %u and %u of entry %u (%s) overlap",
					    j,
					    i,
					    idx,
					    name);
				return FALSE;
			}
		}
	}
	return TRUE;
}

/* every entry with one entry size; NULL with @error when any is impossible */
static GPtrArray *
ub_mtk_da_file_parse_entries(const guint8 *buf,
			     guint32 count,
			     gboolean old_layout,
			     guint64 file_size,
			     GError **error)
{
	gsize entry_size = old_layout ? UB_MTK_DA_ENTRY_SIZE_OLD : UB_MTK_DA_ENTRY_SIZE;
	guint64 table_end = UB_MTK_DA_FILE_OFFSET_ENTRIES + (guint64)count * entry_size;
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < count; i++) {
		g_autofree UbMtkDaEntry *entry = g_new0(UbMtkDaEntry, 1);
		if (!ub_mtk_da_file_parse_entry(buf,
						UB_MTK_DA_FILE_OFFSET_ENTRIES +
						    (gsize)i * entry_size,
						old_layout,
						i,
						table_end,
						file_size,
						entry,
						error))
			return NULL;
		/* hw_code 0 marks an unused slot in real files: skipped, as mtkclient does */
		if (entry->hw_code == 0)
			continue;
		g_ptr_array_add(entries, g_steal_pointer(&entry));
	}
	if (entries->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the DA file has no entry for any chip");
		return NULL;
	}
	return g_steal_pointer(&entries);
}

static gboolean
ub_mtk_da_entry_is_usable(const UbMtkDaEntry *entry);

/* how many entries have a DA1 and DA2 to upload */
static guint
ub_mtk_da_file_count_usable(GPtrArray *entries)
{
	guint n = 0;
	for (guint i = 0; i < entries->len; i++) {
		if (ub_mtk_da_entry_is_usable(g_ptr_array_index(entries, i)))
			n++;
	}
	return n;
}

/* whether every entry of a layout starts with the 0xDADA magic */
static gboolean
ub_mtk_da_file_layout_plausible(const guint8 *buf, gsize bufsz, guint32 count, gsize entry_size)
{
	guint64 table_end = UB_MTK_DA_FILE_OFFSET_ENTRIES + (guint64)count * entry_size;
	if (table_end > bufsz)
		return FALSE;
	for (guint i = 0; i < count; i++) {
		gsize at = UB_MTK_DA_FILE_OFFSET_ENTRIES + (gsize)i * entry_size;
		if (ub_mem_read_u16_le(buf, at) != UB_MTK_DA_ENTRY_MAGIC)
			return FALSE;
	}
	return TRUE;
}

/**
 * ub_mtk_da_file_parse:
 * @buf: the start of the file (at least the header and entry table)
 * @bufsz: size of @buf
 * @file_size: the whole file's size
 * @error: (nullable): return location for a #GError
 *
 * Parses the header and the entry table of a MTK_AllInOne_DA.bin. Entries of
 * 0xDC bytes and old 0xD8-byte ones are told apart by where the next entry's
 * 0xDADA magic is; with a single entry, by which layout gives regions inside
 * the file. Every region must lie inside @file_size, after the entry table, and
 * must not partly overlap another region of its entry. Entries with hw_code 0
 * (unused slots) are skipped.
 *
 * Returns: (transfer full): the parsed file, or %NULL
 */
UbMtkDaFile *
ub_mtk_da_file_parse(const guint8 *buf, gsize bufsz, guint64 file_size, GError **error)
{
	g_autoptr(UbMtkDaFile) self = g_object_new(UB_TYPE_MTK_DA_FILE, NULL);
	g_autoptr(GError) error_new = NULL;
	g_autoptr(GError) error_old = NULL;
	g_autoptr(GPtrArray) entries_new = NULL;
	g_autoptr(GPtrArray) entries_old = NULL;
	guint32 magic;
	guint32 count;
	gboolean new_ok;
	gboolean old_ok;

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);

	if (bufsz > file_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INTERNAL,
			    "0x%" G_GSIZE_MODIFIER "x header bytes of a 0x%" G_GINT64_MODIFIER
			    "x-byte file",
			    bufsz,
			    file_size);
		return NULL;
	}
	if (bufsz < UB_MTK_DA_FILE_OFFSET_ENTRIES ||
	    memcmp(buf, UB_MTK_DA_FILE_SIGNATURE, strlen(UB_MTK_DA_FILE_SIGNATURE)) != 0) {
		g_set_error_literal(
		    error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "not a MediaTek Download Agent file (no " UB_MTK_DA_FILE_SIGNATURE " header)");
		return NULL;
	}
	self->id = ub_mtk_da_file_parse_id(buf);
	self->is_v6 = strstr(self->id, UB_MTK_DA_FILE_V6_ID) != NULL;
	self->version = ub_mem_read_u32_le(buf, UB_MTK_DA_FILE_OFFSET_VERSION);
	magic = ub_mem_read_u32_le(buf, UB_MTK_DA_FILE_OFFSET_MAGIC);
	if (magic != UB_MTK_DA_FILE_MAGIC)
		g_debug("DA file magic is 0x%08x, expected 0x%08x", magic, UB_MTK_DA_FILE_MAGIC);
	count = ub_mem_read_u32_le(buf, UB_MTK_DA_FILE_OFFSET_COUNT);
	if (count == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the DA file has no entries");
		return NULL;
	}
	/* the count is not trusted: the table must fit in the file (and in what we read) */
	if (UB_MTK_DA_FILE_OFFSET_ENTRIES + (guint64)count * UB_MTK_DA_ENTRY_SIZE_OLD > file_size) {
		g_set_error(
		    error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "the DA file claims %u entries, which do not fit in its 0x%" G_GINT64_MODIFIER
		    "x bytes (truncated?)",
		    count,
		    file_size);
		return NULL;
	}
	new_ok = ub_mtk_da_file_layout_plausible(buf, bufsz, count, UB_MTK_DA_ENTRY_SIZE);
	old_ok = ub_mtk_da_file_layout_plausible(buf, bufsz, count, UB_MTK_DA_ENTRY_SIZE_OLD);
	if (!new_ok && !old_ok) {
		if (UB_MTK_DA_FILE_OFFSET_ENTRIES + (guint64)count * UB_MTK_DA_ENTRY_SIZE_OLD >
		    bufsz) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the entry table of %u entries is longer than the first "
				    "0x%" G_GSIZE_MODIFIER "x bytes of the file",
				    count,
				    bufsz);
			return NULL;
		}
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the DA file's %u entries do not start with the 0x%04X magic "
			    "(corrupt or unknown DA file format)",
			    count,
			    (guint)UB_MTK_DA_ENTRY_MAGIC);
		return NULL;
	}
	/* with one entry both layouts look plausible: the one that gives usable
	 * entries wins (the other reads a reserved word as the region count), the
	 * 0xDC layout on a tie; its complaint is the one shown when both fail */
	if (new_ok)
		entries_new =
		    ub_mtk_da_file_parse_entries(buf, count, FALSE, file_size, &error_new);
	if (old_ok)
		entries_old = ub_mtk_da_file_parse_entries(buf, count, TRUE, file_size, &error_old);
	if (entries_new == NULL && entries_old == NULL) {
		g_propagate_error(error,
				  error_new != NULL ? g_steal_pointer(&error_new)
						    : g_steal_pointer(&error_old));
		return NULL;
	}
	if (entries_new != NULL &&
	    (entries_old == NULL || ub_mtk_da_file_count_usable(entries_new) >=
					ub_mtk_da_file_count_usable(entries_old))) {
		g_ptr_array_unref(self->entries);
		self->entries = g_steal_pointer(&entries_new);
		return g_steal_pointer(&self);
	}
	g_ptr_array_unref(self->entries);
	self->entries = g_steal_pointer(&entries_old);
	self->old_layout = TRUE;
	return g_steal_pointer(&self);
}

/**
 * ub_mtk_da_file_load:
 * @file: a MTK_AllInOne_DA.bin
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Reads the first %UB_MTK_DA_FILE_HEADER_MAX bytes of @file and parses them;
 * region data stays on disk.
 *
 * Returns: (transfer full): the parsed file, or %NULL
 */
UbMtkDaFile *
ub_mtk_da_file_load(GFile *file, GCancellable *cancellable, GError **error)
{
	g_autoptr(GFileInputStream) stream = NULL;
	g_autoptr(GFileInfo) info = NULL;
	g_autofree guint8 *buf = NULL;
	g_autofree gchar *name = NULL;
	gsize bufsz = 0;
	goffset file_size;
	UbMtkDaFile *self;

	g_return_val_if_fail(G_IS_FILE(file), NULL);

	name = g_file_get_parse_name(file);
	stream = g_file_read(file, cancellable, error);
	if (stream == NULL) {
		g_prefix_error(error, "failed to open DA file %s: ", name);
		return NULL;
	}
	info = g_file_input_stream_query_info(stream,
					      G_FILE_ATTRIBUTE_STANDARD_SIZE,
					      cancellable,
					      error);
	if (info == NULL) {
		g_prefix_error(error, "failed to query DA file %s: ", name);
		return NULL;
	}
	file_size = g_file_info_get_size(info);
	buf = g_malloc(UB_MTK_DA_FILE_HEADER_MAX);
	if (!g_input_stream_read_all(G_INPUT_STREAM(stream),
				     buf,
				     UB_MTK_DA_FILE_HEADER_MAX,
				     &bufsz,
				     cancellable,
				     error)) {
		g_prefix_error(error, "failed to read DA file %s: ", name);
		return NULL;
	}
	/* a file that grew while we looked at it: trust what we read */
	if (file_size < 0 || (guint64)file_size < bufsz)
		file_size = (goffset)bufsz;
	self = ub_mtk_da_file_parse(buf, bufsz, (guint64)file_size, error);
	if (self == NULL) {
		g_prefix_error(error, "invalid DA file %s: ", name);
		return NULL;
	}
	return self;
}

const gchar *
ub_mtk_da_file_get_id(UbMtkDaFile *self)
{
	g_return_val_if_fail(UB_IS_MTK_DA_FILE(self), NULL);
	return self->id;
}

gboolean
ub_mtk_da_file_is_v6(UbMtkDaFile *self)
{
	g_return_val_if_fail(UB_IS_MTK_DA_FILE(self), FALSE);
	return self->is_v6;
}

GPtrArray *
ub_mtk_da_file_get_entries(UbMtkDaFile *self)
{
	g_return_val_if_fail(UB_IS_MTK_DA_FILE(self), NULL);
	return self->entries;
}

/* whether an entry has the DA1 and DA2 an upload needs */
static gboolean
ub_mtk_da_entry_is_usable(const UbMtkDaEntry *entry)
{
	const UbMtkDaRegion *da1 = ub_mtk_da_entry_get_da1(entry);
	const UbMtkDaRegion *da2 = ub_mtk_da_entry_get_da2(entry);
	return da1 != NULL && da2 != NULL && da1->length > da1->sig_len &&
	       da2->length > da2->sig_len;
}

/* "MT6768, MT6785": the chips of the file, each once, in file order */
static gchar *
ub_mtk_da_file_covered_names(UbMtkDaFile *self)
{
	g_autoptr(GString) str = g_string_new(NULL);
	g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(guint16));

	for (guint i = 0; i < self->entries->len; i++) {
		const UbMtkDaEntry *entry = g_ptr_array_index(self->entries, i);
		g_autofree gchar *name = NULL;
		gboolean dup = FALSE;
		for (guint j = 0; j < seen->len; j++) {
			if (g_array_index(seen, guint16, j) == entry->hw_code) {
				dup = TRUE;
				break;
			}
		}
		if (dup)
			continue;
		g_array_append_val(seen, entry->hw_code);
		name = ub_mtk_da_file_code_to_name(entry->hw_code);
		if (str->len > 0)
			g_string_append(str, ", ");
		g_string_append(str, name);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

const UbMtkDaEntry *
ub_mtk_da_file_find_entry(UbMtkDaFile *self,
			  guint16 da_code,
			  guint16 hw_version,
			  guint16 sw_version,
			  GError **error)
{
	const UbMtkDaEntry *best = NULL;
	guint n_code = 0;
	guint n_version = 0;
	g_autofree gchar *name = NULL;

	g_return_val_if_fail(UB_IS_MTK_DA_FILE(self), NULL);

	for (guint i = 0; i < self->entries->len; i++) {
		const UbMtkDaEntry *entry = g_ptr_array_index(self->entries, i);
		if (entry->hw_code != da_code)
			continue;
		n_code++;
		if (entry->hw_version > hw_version || entry->sw_version > sw_version)
			continue;
		n_version++;
		if (!ub_mtk_da_entry_is_usable(entry))
			continue;
		/* the newest the chip accepts; the first of equals in file order */
		if (best == NULL || entry->hw_version > best->hw_version ||
		    (entry->hw_version == best->hw_version && entry->sw_version > best->sw_version))
			best = entry;
	}
	if (best != NULL)
		return best;

	name = ub_mtk_da_file_code_to_name(da_code);
	if (n_code == 0) {
		g_autofree gchar *covered = ub_mtk_da_file_covered_names(self);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "this DA file has no entry for %s (0x%04x); it covers %s: use the DA "
			    "from this phone's firmware package",
			    name,
			    da_code,
			    covered);
		return NULL;
	}
	if (n_version == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "this DA file's entries for %s (0x%04x) are all for newer chip "
			    "revisions than the phone's (hw 0x%04x, sw 0x%04x): use the DA from "
			    "this phone's firmware package",
			    name,
			    da_code,
			    hw_version,
			    sw_version);
		return NULL;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "this DA file's entry for %s (0x%04x) has no DA1 and DA2 to upload "
		    "(empty regions 1 and 2)",
		    name,
		    da_code);
	return NULL;
}

/* regions[1] and [2] whatever entry_region_index says: mtkclient does so for
 * every XFlash and legacy file, and real files carry index values that would
 * make region 0 (EMI/params) DA1 otherwise */
const UbMtkDaRegion *
ub_mtk_da_entry_get_da1(const UbMtkDaEntry *entry)
{
	g_return_val_if_fail(entry != NULL, NULL);
	if (entry->n_regions < 2)
		return NULL;
	return &entry->regions[1];
}

const UbMtkDaRegion *
ub_mtk_da_entry_get_da2(const UbMtkDaEntry *entry)
{
	g_return_val_if_fail(entry != NULL, NULL);
	if (entry->n_regions < 3)
		return NULL;
	return &entry->regions[2];
}

/**
 * ub_mtk_da_file_build:
 * @id: the id string, e.g. "MTK_AllInOne_DA_v3" (at most 63 bytes are kept)
 * @entries: (element-type UbMtkDaEntry): the entries; region offsets and
 *   lengths are taken from @blobs, the other fields as given
 * @blobs: (element-type GBytes): the data of every region, in entry order
 * @error: (nullable): return location for a #GError
 *
 * Writes a DA file in the real layout (0xDC-byte entries) for tests and the
 * demo.
 *
 * Returns: (transfer full): the file's bytes, or %NULL
 */
GBytes *
ub_mtk_da_file_build(const gchar *id, GPtrArray *entries, GPtrArray *blobs, GError **error)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	guint64 table_end;
	guint64 total;
	guint n_blobs = 0;
	guint blob_idx = 0;
	gsize idlen;

	g_return_val_if_fail(id != NULL, NULL);
	g_return_val_if_fail(entries != NULL, NULL);
	g_return_val_if_fail(blobs != NULL, NULL);

	for (guint i = 0; i < entries->len; i++) {
		const UbMtkDaEntry *entry = g_ptr_array_index(entries, i);
		if (entry->n_regions > UB_MTK_DA_FILE_MAX_REGIONS) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "entry %u has %u regions, at most %u fit",
				    i,
				    entry->n_regions,
				    (guint)UB_MTK_DA_FILE_MAX_REGIONS);
			return NULL;
		}
		n_blobs += entry->n_regions;
	}
	if (n_blobs != blobs->len) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%u regions need data, %u blobs given",
			    n_blobs,
			    blobs->len);
		return NULL;
	}

	/* where every region will start */
	table_end = UB_MTK_DA_FILE_OFFSET_ENTRIES + (guint64)entries->len * UB_MTK_DA_ENTRY_SIZE;
	total = table_end;
	for (guint i = 0; i < blobs->len; i++) {
		total = (total + UB_MTK_DA_FILE_BUILD_ALIGN - 1) &
			~(guint64)(UB_MTK_DA_FILE_BUILD_ALIGN - 1);
		total += g_bytes_get_size(g_ptr_array_index(blobs, i));
	}
	if (total > G_MAXUINT32) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "a DA file cannot be larger than 4 GiB");
		return NULL;
	}
	g_byte_array_set_size(out, (guint)table_end);
	memset(out->data, 0, out->len);

	/* header */
	memcpy(out->data, UB_MTK_DA_FILE_SIGNATURE, strlen(UB_MTK_DA_FILE_SIGNATURE));
	idlen = MIN(strlen(id), (gsize)UB_MTK_DA_FILE_ID_LEN - 1);
	memcpy(out->data + UB_MTK_DA_FILE_OFFSET_ID, id, idlen);
	ub_mem_write_u32_le(out->data, UB_MTK_DA_FILE_OFFSET_VERSION, UB_MTK_DA_FILE_VERSION);
	ub_mem_write_u32_le(out->data, UB_MTK_DA_FILE_OFFSET_MAGIC, UB_MTK_DA_FILE_MAGIC);
	ub_mem_write_u32_le(out->data, UB_MTK_DA_FILE_OFFSET_COUNT, entries->len);

	/* entries, then each region's data right after the table */
	for (guint i = 0; i < entries->len; i++) {
		const UbMtkDaEntry *entry = g_ptr_array_index(entries, i);
		gsize at = UB_MTK_DA_FILE_OFFSET_ENTRIES + (gsize)i * UB_MTK_DA_ENTRY_SIZE;

		ub_mem_write_u16_le(out->data, at + 0x00, UB_MTK_DA_ENTRY_MAGIC);
		ub_mem_write_u16_le(out->data, at + 0x02, entry->hw_code);
		ub_mem_write_u16_le(out->data, at + 0x04, entry->hw_sub_code);
		ub_mem_write_u16_le(out->data, at + 0x06, entry->hw_version);
		ub_mem_write_u16_le(out->data, at + 0x08, entry->sw_version);
		ub_mem_write_u16_le(out->data, at + 0x10, entry->entry_region_index);
		ub_mem_write_u16_le(out->data, at + 0x12, entry->n_regions);
		for (guint r = 0; r < entry->n_regions; r++) {
			const UbMtkDaRegion *region = &entry->regions[r];
			GBytes *blob = g_ptr_array_index(blobs, blob_idx++);
			gsize blobsz = g_bytes_get_size(blob);
			gsize rat = at + 0x14 + (gsize)r * UB_MTK_DA_REGION_SIZE;
			guint pad =
			    (UB_MTK_DA_FILE_BUILD_ALIGN - out->len % UB_MTK_DA_FILE_BUILD_ALIGN) %
			    UB_MTK_DA_FILE_BUILD_ALIGN;
			guint8 zeros[UB_MTK_DA_FILE_BUILD_ALIGN] = {0};

			if (region->sig_len > blobsz) {
				g_set_error(
				    error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "region %u of entry %u: signature of %u bytes is longer "
				    "than its %" G_GSIZE_FORMAT " bytes of data",
				    r,
				    i,
				    region->sig_len,
				    blobsz);
				return NULL;
			}
			g_byte_array_append(out, zeros, pad);
			ub_mem_write_u32_le(out->data, rat + 0x00, out->len);
			ub_mem_write_u32_le(out->data, rat + 0x04, (guint32)blobsz);
			ub_mem_write_u32_le(out->data, rat + 0x08, region->load_addr);
			ub_mem_write_u32_le(out->data, rat + 0x0C, region->region_offset);
			ub_mem_write_u32_le(out->data, rat + 0x10, region->sig_len);
			g_byte_array_append(out, g_bytes_get_data(blob, NULL), (guint)blobsz);
		}
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static void
ub_mtk_da_file_finalize(GObject *object)
{
	UbMtkDaFile *self = UB_MTK_DA_FILE(object);
	g_free(self->id);
	g_ptr_array_unref(self->entries);
	G_OBJECT_CLASS(ub_mtk_da_file_parent_class)->finalize(object);
}

static void
ub_mtk_da_file_class_init(UbMtkDaFileClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_mtk_da_file_finalize;
}

static void
ub_mtk_da_file_init(UbMtkDaFile *self)
{
	self->entries = g_ptr_array_new_with_free_func(g_free);
}
