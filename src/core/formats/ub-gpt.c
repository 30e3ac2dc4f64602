/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-crc.h"
#include "ub-error.h"
#include "ub-gpt.h"
#include "ub-mem.h"
#include "ub-partition.h"

/* UEFI 2.x, chapter 5.3: GUID partition table */
#define UB_GPT_SIGNATURE	   "EFI PART"
#define UB_GPT_HEADER_SIZE	   92
#define UB_GPT_REVISION		   0x00010000
#define UB_GPT_ENTRY_SIZE	   128
#define UB_GPT_ENTRY_NAME_UNITS	   36
#define UB_GPT_MIN_ARRAY_SIZE	   16384 /* the spec reserves at least 16 KiB for entries */
#define UB_GPT_MAX_ENTRY_SIZE	   4096
#define UB_GPT_MAX_ENTRIES	   65536
#define UB_GPT_MBR_PART_TABLE	   446
#define UB_GPT_MBR_TYPE_PROTECTIVE 0xee

/* header field offsets */
#define UB_GPT_OFF_REVISION	 8
#define UB_GPT_OFF_HEADER_SIZE	 12
#define UB_GPT_OFF_HEADER_CRC	 16
#define UB_GPT_OFF_MY_LBA	 24
#define UB_GPT_OFF_ALTERNATE_LBA 32
#define UB_GPT_OFF_FIRST_USABLE	 40
#define UB_GPT_OFF_LAST_USABLE	 48
#define UB_GPT_OFF_DISK_GUID	 56
#define UB_GPT_OFF_ENTRIES_LBA	 72
#define UB_GPT_OFF_NUM_ENTRIES	 80
#define UB_GPT_OFF_ENTRY_SIZE	 84
#define UB_GPT_OFF_ENTRIES_CRC	 88

/* entry field offsets */
#define UB_GPT_ENTRY_OFF_TYPE	  0
#define UB_GPT_ENTRY_OFF_UNIQUE	  16
#define UB_GPT_ENTRY_OFF_FIRST	  32
#define UB_GPT_ENTRY_OFF_LAST	  40
#define UB_GPT_ENTRY_OFF_ATTRS	  48
#define UB_GPT_ENTRY_OFF_NAME	  56

struct _UbGpt {
	GObject parent_instance;
	guint32 sector_size;
	gboolean is_backup;
	guint32 revision;
	guint32 header_size;
	gchar *disk_guid;
	guint64 my_lba;
	guint64 alternate_lba;
	guint64 first_usable_lba;
	guint64 last_usable_lba;
	guint64 entries_lba;
	guint32 num_entries;
	guint32 entry_size;
	GPtrArray *entries; /* of UbGptEntry, used entries only */
	guint32 entries_crc;
	guint8 *mbr;	   /* sector 0 as parsed (primary only), else NULL */
	guint8 *header;	   /* the header sector as parsed */
	guint8 *array;	   /* the whole entry array as parsed */
	gsize array_area;  /* bytes reserved for the array (>= its size, whole sectors) */
};

G_DEFINE_TYPE(UbGpt, ub_gpt, G_TYPE_OBJECT)

/* GUIDs are stored mixed-endian: the first three fields little-endian */
static gchar *
ub_gpt_guid_to_string(const guint8 *buf)
{
	return g_strdup_printf("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			       ub_mem_read_u32_le(buf, 0),
			       ub_mem_read_u16_le(buf, 4),
			       ub_mem_read_u16_le(buf, 6),
			       buf[8],
			       buf[9],
			       buf[10],
			       buf[11],
			       buf[12],
			       buf[13],
			       buf[14],
			       buf[15]);
}

static gboolean
ub_gpt_guid_from_string(const gchar *str, guint8 *buf, GError **error)
{
	guint8 raw[16] = {0};
	guint n = 0;
	if (strlen(str) != 36 || str[8] != '-' || str[13] != '-' || str[18] != '-' ||
	    str[23] != '-') {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "invalid GUID '%s'", str);
		return FALSE;
	}
	for (guint i = 0; i < 36; i++) {
		gint hi, lo;
		if (str[i] == '-')
			continue;
		hi = g_ascii_xdigit_value(str[i]);
		lo = g_ascii_xdigit_value(str[i + 1]);
		if (hi < 0 || lo < 0 || str[i + 1] == '-') {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid GUID '%s'",
				    str);
			return FALSE;
		}
		raw[n++] = (guint8)((hi << 4) | lo);
		i++;
	}
	/* text order is big-endian; swap the first three fields */
	buf[0] = raw[3];
	buf[1] = raw[2];
	buf[2] = raw[1];
	buf[3] = raw[0];
	buf[4] = raw[5];
	buf[5] = raw[4];
	buf[6] = raw[7];
	buf[7] = raw[6];
	memcpy(buf + 8, raw + 8, 8);
	return TRUE;
}

static gboolean
ub_gpt_guid_is_zero(const guint8 *buf)
{
	for (guint i = 0; i < 16; i++) {
		if (buf[i] != 0)
			return FALSE;
	}
	return TRUE;
}

static gboolean
ub_gpt_sector_size_is_valid(guint32 sector_size)
{
	return sector_size >= 512 && sector_size <= 65536 && (sector_size & (sector_size - 1)) == 0;
}

/**
 * ub_gpt_entry_free:
 * @entry: a #UbGptEntry
 *
 * Frees @entry.
 */
void
ub_gpt_entry_free(UbGptEntry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->name);
	g_free(entry->type_guid);
	g_free(entry->unique_guid);
	g_free(entry);
}

guint
ub_gpt_entry_get_ab_priority(const UbGptEntry *entry)
{
	return (guint)((entry->attributes & UB_GPT_ATTR_AB_PRIORITY_MASK) >>
		       UB_GPT_ATTR_AB_PRIORITY_SHIFT);
}

guint
ub_gpt_entry_get_ab_retry_count(const UbGptEntry *entry)
{
	return (guint)((entry->attributes & UB_GPT_ATTR_AB_RETRY_MASK) >>
		       UB_GPT_ATTR_AB_RETRY_SHIFT);
}

gboolean
ub_gpt_entry_get_ab_active(const UbGptEntry *entry)
{
	return (entry->attributes & UB_GPT_ATTR_AB_ACTIVE) != 0;
}

gboolean
ub_gpt_entry_get_ab_successful(const UbGptEntry *entry)
{
	return (entry->attributes & UB_GPT_ATTR_AB_SUCCESSFUL) != 0;
}

gboolean
ub_gpt_entry_get_ab_unbootable(const UbGptEntry *entry)
{
	return (entry->attributes & UB_GPT_ATTR_AB_UNBOOTABLE) != 0;
}

static gchar *
ub_gpt_parse_name(const guint8 *buf, guint index, GError **error)
{
	gunichar2 units[UB_GPT_ENTRY_NAME_UNITS] = {0};
	glong len = 0;
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error_local = NULL;

	for (; len < UB_GPT_ENTRY_NAME_UNITS; len++) {
		units[len] = ub_mem_read_u16_le(buf, (gsize)len * 2);
		if (units[len] == 0)
			break;
	}
	name = g_utf16_to_utf8(units, len, NULL, NULL, &error_local);
	if (name == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "entry %u has an invalid UTF-16 name: %s",
			    index,
			    error_local->message);
		return NULL;
	}
	return g_steal_pointer(&name);
}

static gboolean
ub_gpt_parse_header(UbGpt *self, const guint8 *hdr, gsize hdr_offset, GError **error)
{
	guint8 tmp[UB_GPT_MAX_ENTRY_SIZE] = {0};
	guint32 crc_stored;
	guint32 crc_computed;

	if (memcmp(hdr, UB_GPT_SIGNATURE, 8) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "no GPT header signature at byte %" G_GSIZE_FORMAT,
			    hdr_offset);
		return FALSE;
	}
	self->revision = ub_mem_read_u32_le(hdr, UB_GPT_OFF_REVISION);
	if ((self->revision >> 16) != 1) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "unsupported GPT revision 0x%08x",
			    self->revision);
		return FALSE;
	}
	self->header_size = ub_mem_read_u32_le(hdr, UB_GPT_OFF_HEADER_SIZE);
	if (self->header_size < UB_GPT_HEADER_SIZE || self->header_size > self->sector_size ||
	    self->header_size > sizeof(tmp)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid GPT header size %u",
			    self->header_size);
		return FALSE;
	}

	/* the CRC covers header_size bytes with the CRC field itself zeroed */
	memcpy(tmp, hdr, self->header_size);
	memset(tmp + UB_GPT_OFF_HEADER_CRC, 0, 4);
	crc_stored = ub_mem_read_u32_le(hdr, UB_GPT_OFF_HEADER_CRC);
	crc_computed = ub_crc32(tmp, self->header_size);
	if (crc_stored != crc_computed) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "GPT header CRC mismatch: stored 0x%08x, computed 0x%08x",
			    crc_stored,
			    crc_computed);
		return FALSE;
	}

	self->my_lba = ub_mem_read_u64_le(hdr, UB_GPT_OFF_MY_LBA);
	self->alternate_lba = ub_mem_read_u64_le(hdr, UB_GPT_OFF_ALTERNATE_LBA);
	self->first_usable_lba = ub_mem_read_u64_le(hdr, UB_GPT_OFF_FIRST_USABLE);
	self->last_usable_lba = ub_mem_read_u64_le(hdr, UB_GPT_OFF_LAST_USABLE);
	self->disk_guid = ub_gpt_guid_to_string(hdr + UB_GPT_OFF_DISK_GUID);
	self->entries_lba = ub_mem_read_u64_le(hdr, UB_GPT_OFF_ENTRIES_LBA);
	self->num_entries = ub_mem_read_u32_le(hdr, UB_GPT_OFF_NUM_ENTRIES);
	self->entry_size = ub_mem_read_u32_le(hdr, UB_GPT_OFF_ENTRY_SIZE);
	if (self->entry_size < UB_GPT_ENTRY_SIZE || self->entry_size > UB_GPT_MAX_ENTRY_SIZE ||
	    self->entry_size % 8 != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid GPT entry size %u",
			    self->entry_size);
		return FALSE;
	}
	if (self->num_entries > UB_GPT_MAX_ENTRIES) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "too many GPT entries: %u",
			    self->num_entries);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_gpt_parse_entries(UbGpt *self,
		     const guint8 *buf,
		     gsize bufsz,
		     gsize entries_offset,
		     guint32 crc_stored,
		     GError **error)
{
	gsize array_size = (gsize)self->num_entries * self->entry_size;
	guint32 crc_computed;

	if (entries_offset > bufsz || array_size > bufsz - entries_offset) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "GPT entry array (%u x %u bytes at byte %" G_GSIZE_FORMAT
			    ") lies past the end of the %" G_GSIZE_FORMAT "-byte buffer",
			    self->num_entries,
			    self->entry_size,
			    entries_offset,
			    bufsz);
		return FALSE;
	}
	crc_computed = ub_crc32(buf + entries_offset, array_size);
	if (crc_stored != crc_computed) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "GPT entry array CRC mismatch: stored 0x%08x, computed 0x%08x",
			    crc_stored,
			    crc_computed);
		return FALSE;
	}
	for (guint i = 0; i < self->num_entries; i++) {
		const guint8 *ent = buf + entries_offset + (gsize)i * self->entry_size;
		g_autoptr(UbGptEntry) entry = NULL;

		/* UEFI: an entry with an all-zero type GUID is unused, whatever else it holds */
		if (ub_gpt_guid_is_zero(ent + UB_GPT_ENTRY_OFF_TYPE))
			continue;
		entry = g_new0(UbGptEntry, 1);
		entry->index = i;
		entry->type_guid = ub_gpt_guid_to_string(ent + UB_GPT_ENTRY_OFF_TYPE);
		entry->unique_guid = ub_gpt_guid_to_string(ent + UB_GPT_ENTRY_OFF_UNIQUE);
		entry->first_lba = ub_mem_read_u64_le(ent, UB_GPT_ENTRY_OFF_FIRST);
		entry->last_lba = ub_mem_read_u64_le(ent, UB_GPT_ENTRY_OFF_LAST);
		entry->attributes = ub_mem_read_u64_le(ent, UB_GPT_ENTRY_OFF_ATTRS);
		entry->name = ub_gpt_parse_name(ent + UB_GPT_ENTRY_OFF_NAME, i, error);
		if (entry->name == NULL)
			return FALSE;
		g_ptr_array_add(self->entries, g_steal_pointer(&entry));
	}
	return TRUE;
}

static gboolean
ub_gpt_check_protective_mbr(const guint8 *buf, GError **error)
{
	if (buf[510] != 0x55 || buf[511] != 0xaa) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no protective MBR: boot signature 0x55aa missing");
		return FALSE;
	}
	for (guint i = 0; i < 4; i++) {
		if (buf[UB_GPT_MBR_PART_TABLE + i * 16 + 4] == UB_GPT_MBR_TYPE_PROTECTIVE)
			return TRUE;
	}
	g_set_error_literal(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "no protective MBR: no partition of type 0xee");
	return FALSE;
}

/* find the sector size whose header sits at @offset_fn(ss) */
static guint32
ub_gpt_detect_sector_size(const guint8 *buf, gsize bufsz, gboolean backup)
{
	const guint32 candidates[] = {512, 4096};
	for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
		guint32 ss = candidates[i];
		gsize off;
		if (bufsz < (gsize)ss * 2)
			continue;
		off = backup ? bufsz - ss : ss;
		if (memcmp(buf + off, UB_GPT_SIGNATURE, 8) == 0)
			return ss;
	}
	return 0;
}

static UbGpt *
ub_gpt_parse_internal(const guint8 *buf,
		      gsize bufsz,
		      guint32 sector_size,
		      gboolean backup,
		      GError **error)
{
	g_autoptr(UbGpt) self = g_object_new(UB_TYPE_GPT, NULL);
	gsize hdr_offset;
	gsize entries_offset;
	guint32 entries_crc;

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (sector_size == 0) {
		sector_size = ub_gpt_detect_sector_size(buf, bufsz, backup);
		if (sector_size == 0) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    backup ? "no GPT header in the last 512 or 4096 bytes"
						   : "no GPT header at byte 512 or 4096");
			return NULL;
		}
	}
	if (!ub_gpt_sector_size_is_valid(sector_size)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "unsupported sector size %u",
			    sector_size);
		return NULL;
	}
	if (bufsz < (gsize)sector_size * 2) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "a GPT needs at least %u bytes, got %" G_GSIZE_FORMAT,
			    sector_size * 2,
			    bufsz);
		return NULL;
	}
	self->sector_size = sector_size;
	self->is_backup = backup;

	if (!backup) {
		if (!ub_gpt_check_protective_mbr(buf, error))
			return NULL;
		hdr_offset = sector_size;
	} else {
		hdr_offset = bufsz - sector_size;
	}
	if (!ub_gpt_parse_header(self, buf + hdr_offset, hdr_offset, error))
		return NULL;
	entries_crc = ub_mem_read_u32_le(buf + hdr_offset, UB_GPT_OFF_ENTRIES_CRC);

	if (!backup) {
		if (self->my_lba != 1) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "primary GPT header says MyLBA=%" G_GUINT64_FORMAT
				    ", expected 1",
				    self->my_lba);
			return NULL;
		}
		if (self->entries_lba < 2 || self->entries_lba > G_MAXSIZE / sector_size) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid GPT entry array LBA %" G_GUINT64_FORMAT,
				    self->entries_lba);
			return NULL;
		}
		entries_offset = (gsize)self->entries_lba * sector_size;
	} else {
		gsize gap;
		/* the array sits just before the header; ptool images store 0 in
		 * MyLBA and PartitionEntryLBA, then only the minimum size tells */
		if (self->my_lba > self->entries_lba &&
		    self->my_lba - self->entries_lba <= hdr_offset / sector_size) {
			gap = (gsize)(self->my_lba - self->entries_lba) * sector_size;
		} else {
			gsize array_size = (gsize)self->num_entries * self->entry_size;
			gap = MAX(array_size, UB_GPT_MIN_ARRAY_SIZE);
			gap = (gap + sector_size - 1) / sector_size * sector_size;
		}
		if (gap > hdr_offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "backup GPT entry array (%" G_GSIZE_FORMAT
				    " bytes) does not fit before the header at byte %" G_GSIZE_FORMAT,
				    gap,
				    hdr_offset);
			return NULL;
		}
		entries_offset = hdr_offset - gap;
	}
	if (!ub_gpt_parse_entries(self, buf, bufsz, entries_offset, entries_crc, error))
		return NULL;

	/* keep the raw table: patching rewrites it with everything else unchanged */
	self->entries_crc = entries_crc;
	self->header = g_memdup2(buf + hdr_offset, sector_size);
	self->array = g_memdup2(buf + entries_offset, (gsize)self->num_entries * self->entry_size);
	if (!backup) {
		self->mbr = g_memdup2(buf, sector_size);
		/* ptool reserves at least 16 KiB: FirstUsableLBA tells */
		if (self->first_usable_lba > self->entries_lba &&
		    self->first_usable_lba - self->entries_lba <= 256)
			self->array_area = (gsize)(self->first_usable_lba - self->entries_lba) *
					   sector_size;
	} else {
		self->array_area = hdr_offset - entries_offset;
	}
	{
		gsize array_size = (gsize)self->num_entries * self->entry_size;
		gsize min_area = (array_size + sector_size - 1) / sector_size * sector_size;
		if (self->array_area < min_area)
			self->array_area = min_area;
	}
	return g_steal_pointer(&self);
}

/**
 * ub_gpt_parse:
 * @buf: the start of a disk or LUN: protective MBR at LBA 0, header at LBA 1
 * @bufsz: size of @buf; must cover the entry array
 * @sector_size: 512, 4096, or 0 to find whichever holds the header
 * @error: (nullable): return location for a #GError
 *
 * Parses a primary GPT, checking the protective MBR, both CRCs and the bounds of
 * the entry array. Fields are kept as stored (ptool placeholders such as
 * LastUsableLBA=0 are not errors).
 *
 * Returns: (transfer full): a #UbGpt, or %NULL
 */
UbGpt *
ub_gpt_parse(const guint8 *buf, gsize bufsz, guint32 sector_size, GError **error)
{
	return ub_gpt_parse_internal(buf, bufsz, sector_size, FALSE, error);
}

/**
 * ub_gpt_parse_backup:
 * @buf: the end of a disk or LUN: the backup header is in the last sector
 * @bufsz: size of @buf
 * @sector_size: 512, 4096, or 0 to find whichever holds the header
 * @error: (nullable): return location for a #GError
 *
 * Parses a backup GPT; the entry array is the one right before the header.
 *
 * Returns: (transfer full): a #UbGpt, or %NULL
 */
UbGpt *
ub_gpt_parse_backup(const guint8 *buf, gsize bufsz, guint32 sector_size, GError **error)
{
	return ub_gpt_parse_internal(buf, bufsz, sector_size, TRUE, error);
}

static void
ub_gpt_write_header(guint8 *hdr,
		    guint64 my_lba,
		    guint64 alternate_lba,
		    guint64 first_usable,
		    guint64 last_usable,
		    const guint8 *disk_guid,
		    guint64 entries_lba,
		    guint32 num_entries,
		    guint32 entries_crc)
{
	memcpy(hdr, UB_GPT_SIGNATURE, 8);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_REVISION, UB_GPT_REVISION);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_HEADER_SIZE, UB_GPT_HEADER_SIZE);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_MY_LBA, my_lba);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_ALTERNATE_LBA, alternate_lba);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_FIRST_USABLE, first_usable);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_LAST_USABLE, last_usable);
	memcpy(hdr + UB_GPT_OFF_DISK_GUID, disk_guid, 16);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_ENTRIES_LBA, entries_lba);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_NUM_ENTRIES, num_entries);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_ENTRY_SIZE, UB_GPT_ENTRY_SIZE);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_ENTRIES_CRC, entries_crc);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_HEADER_CRC, ub_crc32(hdr, UB_GPT_HEADER_SIZE));
}

static gboolean
ub_gpt_build_entry(guint8 *ent,
		   const UbGptLayoutEntry *item,
		   guint64 first_lba,
		   guint64 last_lba,
		   GError **error)
{
	glong n_units = 0;
	g_autofree gunichar2 *units = NULL;
	g_autofree gchar *unique = NULL;

	if (item->name == NULL || item->name[0] == '\0') {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "partition has no name");
		return FALSE;
	}
	units = g_utf8_to_utf16(item->name, -1, NULL, &n_units, error);
	if (units == NULL)
		return FALSE;
	if (n_units > UB_GPT_ENTRY_NAME_UNITS) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "partition name '%s' is longer than %u UTF-16 units",
			    item->name,
			    (guint)UB_GPT_ENTRY_NAME_UNITS);
		return FALSE;
	}
	if (!ub_gpt_guid_from_string(item->type_guid != NULL ? item->type_guid
							      : UB_GPT_TYPE_BASIC_DATA,
				     ent + UB_GPT_ENTRY_OFF_TYPE,
				     error))
		return FALSE;
	if (ub_gpt_guid_is_zero(ent + UB_GPT_ENTRY_OFF_TYPE)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "partition '%s' has an all-zero type GUID",
			    item->name);
		return FALSE;
	}
	unique = item->unique_guid != NULL ? g_strdup(item->unique_guid) : g_uuid_string_random();
	if (!ub_gpt_guid_from_string(unique, ent + UB_GPT_ENTRY_OFF_UNIQUE, error))
		return FALSE;
	ub_mem_write_u64_le(ent, UB_GPT_ENTRY_OFF_FIRST, first_lba);
	ub_mem_write_u64_le(ent, UB_GPT_ENTRY_OFF_LAST, last_lba);
	ub_mem_write_u64_le(ent, UB_GPT_ENTRY_OFF_ATTRS, item->attributes);
	for (glong i = 0; i < n_units; i++)
		ub_mem_write_u16_le(ent, UB_GPT_ENTRY_OFF_NAME + (gsize)i * 2, units[i]);
	return TRUE;
}

/**
 * ub_gpt_build:
 * @layout: (array length=n_layout): the partitions, in disk order
 * @n_layout: number of items in @layout
 * @sector_size: 512 or 4096
 * @disk_size: size of the disk or LUN in bytes
 * @disk_guid: (nullable): the disk GUID, %NULL for a random one
 * @primary: (out): protective MBR, primary header and entry array, to write at byte 0
 * @backup: (out): backup entry array and header, to write at the end of the disk
 * @error: (nullable): return location for a #GError
 *
 * Builds a GPT with 128 entries (more if @layout needs them). Partitions start
 * on 4 KiB boundaries; a size of 0 on the last item fills the rest of the disk
 * up to the last 4 KiB boundary.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_gpt_build(const UbGptLayoutEntry *layout,
	     guint n_layout,
	     guint32 sector_size,
	     guint64 disk_size,
	     const gchar *disk_guid,
	     GBytes **primary,
	     GBytes **backup,
	     GError **error)
{
	guint8 guid[16] = {0};
	guint32 num_entries = MAX(128, (n_layout + 3) / 4 * 4);
	guint64 array_size = (guint64)num_entries * UB_GPT_ENTRY_SIZE;
	guint64 array_sectors = (array_size + sector_size - 1) / sector_size;
	guint64 total_sectors;
	guint64 last_lba;
	guint64 first_usable;
	guint64 last_usable;
	guint64 align;
	guint64 lba;
	guint32 entries_crc;
	gsize primary_size;
	gsize backup_size;
	g_autofree guint8 *array = NULL;
	g_autofree guint8 *pbuf = NULL;
	g_autofree guint8 *bbuf = NULL;
	g_autofree gchar *disk_guid_random = NULL;

	g_return_val_if_fail(layout != NULL || n_layout == 0, FALSE);
	g_return_val_if_fail(primary != NULL && backup != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (sector_size != 512 && sector_size != 4096) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "unsupported sector size %u, expected 512 or 4096",
			    sector_size);
		return FALSE;
	}
	if (n_layout > UB_GPT_MAX_ENTRIES) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "too many partitions");
		return FALSE;
	}
	total_sectors = disk_size / sector_size;
	/* MBR + header + array, then array + header at the end, and one usable sector */
	if (total_sectors < 2 * array_sectors + 4) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "disk of %" G_GUINT64_FORMAT " bytes is too small for a GPT",
			    disk_size);
		return FALSE;
	}
	last_lba = total_sectors - 1;
	first_usable = 2 + array_sectors;
	last_usable = last_lba - array_sectors - 1;
	align = MAX(4096 / sector_size, 1);

	if (disk_guid == NULL) {
		disk_guid_random = g_uuid_string_random();
		disk_guid = disk_guid_random;
	}
	if (!ub_gpt_guid_from_string(disk_guid, guid, error))
		return FALSE;

	/* entries */
	array = g_malloc0(array_size);
	lba = first_usable;
	for (guint i = 0; i < n_layout; i++) {
		const UbGptLayoutEntry *item = &layout[i];
		guint64 sectors;
		guint64 end;

		lba = (lba + align - 1) / align * align;
		if (item->size == 0) {
			if (i != n_layout - 1) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "only the last partition may fill the disk, not '%s'",
					    item->name);
				return FALSE;
			}
			if (lba > last_usable) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "no space left for partition '%s'",
					    item->name);
				return FALSE;
			}
			/* end on an alignment boundary too, as partitioning tools do */
			sectors = (last_usable + 1 - lba) / align * align;
			if (sectors == 0) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "no space left for partition '%s'",
					    item->name);
				return FALSE;
			}
		} else {
			sectors = (item->size + sector_size - 1) / sector_size;
		}
		if (!g_uint64_checked_add(&end, lba, sectors) || end - 1 > last_usable) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partition '%s' ends past the last usable LBA %" G_GUINT64_FORMAT,
				    item->name,
				    last_usable);
			return FALSE;
		}
		if (!ub_gpt_build_entry(array + (gsize)i * UB_GPT_ENTRY_SIZE,
					item,
					lba,
					end - 1,
					error)) {
			g_prefix_error(error, "partition %u: ", i);
			return FALSE;
		}
		lba = end;
	}
	entries_crc = ub_crc32(array, array_size);

	/* primary: protective MBR, header, array */
	primary_size = (gsize)(first_usable * sector_size);
	pbuf = g_malloc0(primary_size);
	pbuf[UB_GPT_MBR_PART_TABLE + 1] = 0x00; /* CHS start 0/0/2 */
	pbuf[UB_GPT_MBR_PART_TABLE + 2] = 0x02;
	pbuf[UB_GPT_MBR_PART_TABLE + 4] = UB_GPT_MBR_TYPE_PROTECTIVE;
	pbuf[UB_GPT_MBR_PART_TABLE + 5] = 0xff;
	pbuf[UB_GPT_MBR_PART_TABLE + 6] = 0xff;
	pbuf[UB_GPT_MBR_PART_TABLE + 7] = 0xff;
	ub_mem_write_u32_le(pbuf, UB_GPT_MBR_PART_TABLE + 8, 1);
	ub_mem_write_u32_le(pbuf,
			 UB_GPT_MBR_PART_TABLE + 12,
			 (guint32)MIN(last_lba, G_MAXUINT32));
	pbuf[510] = 0x55;
	pbuf[511] = 0xaa;
	ub_gpt_write_header(pbuf + sector_size,
			    1,
			    last_lba,
			    first_usable,
			    last_usable,
			    guid,
			    2,
			    num_entries,
			    entries_crc);
	memcpy(pbuf + 2 * sector_size, array, array_size);

	/* backup: array, then header in the last sector */
	backup_size = (gsize)((array_sectors + 1) * sector_size);
	bbuf = g_malloc0(backup_size);
	memcpy(bbuf, array, array_size);
	ub_gpt_write_header(bbuf + array_sectors * sector_size,
			    last_lba,
			    1,
			    first_usable,
			    last_usable,
			    guid,
			    last_lba - array_sectors,
			    num_entries,
			    entries_crc);

	*primary = g_bytes_new_take(g_steal_pointer(&pbuf), primary_size);
	*backup = g_bytes_new_take(g_steal_pointer(&bbuf), backup_size);
	return TRUE;
}

guint32
ub_gpt_get_sector_size(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->sector_size;
}

gboolean
ub_gpt_get_is_backup(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), FALSE);
	return self->is_backup;
}

guint32
ub_gpt_get_revision(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->revision;
}

guint32
ub_gpt_get_header_size(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->header_size;
}

const gchar *
ub_gpt_get_disk_guid(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), NULL);
	return self->disk_guid;
}

guint64
ub_gpt_get_my_lba(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->my_lba;
}

guint64
ub_gpt_get_alternate_lba(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->alternate_lba;
}

guint64
ub_gpt_get_first_usable_lba(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->first_usable_lba;
}

guint64
ub_gpt_get_last_usable_lba(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->last_usable_lba;
}

guint64
ub_gpt_get_entries_lba(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->entries_lba;
}

guint32
ub_gpt_get_num_entries(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->num_entries;
}

guint32
ub_gpt_get_entry_size(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), 0);
	return self->entry_size;
}

/**
 * ub_gpt_get_entries:
 * @self: a #UbGpt
 *
 * Returns: (transfer none) (element-type UbGptEntry): the used entries, in array order
 */
GPtrArray *
ub_gpt_get_entries(UbGpt *self)
{
	g_return_val_if_fail(UB_IS_GPT(self), NULL);
	return self->entries;
}

/**
 * ub_gpt_find_entry:
 * @self: a #UbGpt
 * @name: a partition name
 *
 * Returns: (transfer none) (nullable): the first used entry called @name
 */
const UbGptEntry *
ub_gpt_find_entry(UbGpt *self, const gchar *name)
{
	return ub_gpt_find_entry_mutable(self, name);
}

/**
 * ub_gpt_find_entry_mutable:
 * @self: a #UbGpt
 * @name: a partition name
 *
 * Like ub_gpt_find_entry(), for changing the entry before ub_gpt_write().
 *
 * Returns: (transfer none) (nullable): the first used entry called @name
 */
UbGptEntry *
ub_gpt_find_entry_mutable(UbGpt *self, const gchar *name)
{
	g_return_val_if_fail(UB_IS_GPT(self), NULL);
	for (guint i = 0; i < self->entries->len; i++) {
		UbGptEntry *entry = g_ptr_array_index(self->entries, i);
		if (g_strcmp0(entry->name, name) == 0)
			return entry;
	}
	return NULL;
}

/**
 * ub_gpt_get_partitions:
 * @self: a #UbGpt
 * @region: (nullable): the region or LUN the table describes, e.g. "user", "lun4"
 *
 * Converts the used entries to byte ranges; an entry whose last LBA is below
 * its first has size 0.
 *
 * Returns: (transfer container) (element-type UbPartition): the partitions
 */
GPtrArray *
ub_gpt_get_partitions(UbGpt *self, const gchar *region)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_return_val_if_fail(UB_IS_GPT(self), NULL);
	for (guint i = 0; i < self->entries->len; i++) {
		UbGptEntry *entry = g_ptr_array_index(self->entries, i);
		guint64 offset = 0;
		guint64 size = 0;
		if (!g_uint64_checked_mul(&offset, entry->first_lba, self->sector_size))
			offset = G_MAXUINT64;
		if (entry->last_lba >= entry->first_lba &&
		    !g_uint64_checked_mul(&size,
					  entry->last_lba - entry->first_lba + 1,
					  self->sector_size))
			size = G_MAXUINT64 - offset;
		g_ptr_array_add(parts, ub_partition_new(entry->name, region, offset, size));
	}
	return g_steal_pointer(&parts);
}


/* A/B attribute setters: the Qualcomm/Android boot_control layout in bits 48-55 */

void
ub_gpt_entry_set_ab_priority(UbGptEntry *entry, guint priority)
{
	g_return_if_fail(entry != NULL);
	g_return_if_fail(priority <= 3);
	entry->attributes &= ~UB_GPT_ATTR_AB_PRIORITY_MASK;
	entry->attributes |= (guint64)priority << UB_GPT_ATTR_AB_PRIORITY_SHIFT;
}

void
ub_gpt_entry_set_ab_retry_count(UbGptEntry *entry, guint retry_count)
{
	g_return_if_fail(entry != NULL);
	g_return_if_fail(retry_count <= 7);
	entry->attributes &= ~UB_GPT_ATTR_AB_RETRY_MASK;
	entry->attributes |= (guint64)retry_count << UB_GPT_ATTR_AB_RETRY_SHIFT;
}

static void
ub_gpt_entry_set_bit(UbGptEntry *entry, guint64 bit, gboolean value)
{
	if (value)
		entry->attributes |= bit;
	else
		entry->attributes &= ~bit;
}

void
ub_gpt_entry_set_ab_active(UbGptEntry *entry, gboolean active)
{
	g_return_if_fail(entry != NULL);
	ub_gpt_entry_set_bit(entry, UB_GPT_ATTR_AB_ACTIVE, active);
}

void
ub_gpt_entry_set_ab_successful(UbGptEntry *entry, gboolean successful)
{
	g_return_if_fail(entry != NULL);
	ub_gpt_entry_set_bit(entry, UB_GPT_ATTR_AB_SUCCESSFUL, successful);
}

void
ub_gpt_entry_set_ab_unbootable(UbGptEntry *entry, gboolean unbootable)
{
	g_return_if_fail(entry != NULL);
	ub_gpt_entry_set_bit(entry, UB_GPT_ATTR_AB_UNBOOTABLE, unbootable);
}

/**
 * ub_gpt_entry_activate_ab_pair:
 * @on: the entry of the slot made active
 * @off: the entry of the same partition in the other slot
 *
 * What ub_gpt_set_active_slot() does to each pair: @on gets priority 3, active and 7
 * retries, @off loses active; an active @off hands its type GUID over (Qualcomm swaps
 * them). Also for pairs whose halves are in two tables.
 */
void
ub_gpt_entry_activate_ab_pair(UbGptEntry *on, UbGptEntry *off)
{
	g_return_if_fail(on != NULL);
	g_return_if_fail(off != NULL);
	if (ub_gpt_entry_get_ab_active(off) && !ub_gpt_entry_get_ab_active(on)) {
		gchar *tmp = on->type_guid;
		on->type_guid = off->type_guid;
		off->type_guid = tmp;
	}
	on->attributes &= ~UB_GPT_ATTR_AB_MASK;
	ub_gpt_entry_set_ab_priority(on, 3);
	ub_gpt_entry_set_ab_active(on, TRUE);
	ub_gpt_entry_set_ab_retry_count(on, 7);
	ub_gpt_entry_set_ab_active(off, FALSE);
}

/**
 * ub_gpt_slot_parse:
 * @slot: (nullable): a slot as users and fastboot write it: a, b, _a or _b
 * @error: (nullable): return location for a #GError
 *
 * Returns: (nullable): "a" or "b", %NULL for anything else
 */
const gchar *
ub_gpt_slot_parse(const gchar *slot, GError **error)
{
	if (g_strcmp0(slot, "a") == 0 || g_strcmp0(slot, "_a") == 0)
		return "a";
	if (g_strcmp0(slot, "b") == 0 || g_strcmp0(slot, "_b") == 0)
		return "b";
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "invalid slot '%s': use a or b",
		    slot != NULL ? slot : "");
	return NULL;
}

/**
 * ub_gpt_slot_b_name:
 * @name_a: a partition name
 *
 * Returns: (transfer full) (nullable): "xbl_b" for "xbl_a", %NULL when @name_a is no
 *	slot a name (no "_a" after at least one character)
 */
gchar *
ub_gpt_slot_b_name(const gchar *name_a)
{
	gsize len;
	gchar *name_b;

	g_return_val_if_fail(name_a != NULL, NULL);
	len = strlen(name_a);
	if (len < 3 || !g_str_has_suffix(name_a, "_a"))
		return NULL;
	name_b = g_strdup(name_a);
	name_b[len - 1] = 'b';
	return name_b;
}

/**
 * ub_gpt_set_attributes:
 * @self: a #UbGpt
 * @name: a partition name
 * @attributes: the new 64 attribute bits
 * @error: (nullable): return location for a #GError
 *
 * Changes the attributes of the first entry called @name; ub_gpt_write() then
 * produces the patched table.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_gpt_set_attributes(UbGpt *self, const gchar *name, guint64 attributes, GError **error)
{
	UbGptEntry *entry;
	g_return_val_if_fail(UB_IS_GPT(self), FALSE);
	entry = ub_gpt_find_entry_mutable(self, name);
	if (entry == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no partition '%s'", name);
		return FALSE;
	}
	entry->attributes = attributes;
	return TRUE;
}

/**
 * ub_gpt_set_active_slot:
 * @self: a #UbGpt
 * @slot: "a" or "b"
 * @error: (nullable): return location for a #GError
 *
 * Marks @slot active the way Qualcomm's boot_control HAL (qbootctl) does, for
 * every NAME_a/NAME_b pair in the table: the active entry gets priority 3,
 * the active bit and 7 retries with "successful" and "unbootable" cleared
 * (attribute byte 6 = 0x3f); the other loses the active bit. When the other
 * slot was the active one the two type GUIDs are swapped, as the HAL does.
 *
 * Returns: %TRUE on success; %UB_ERROR_NOT_FOUND if the table has no A/B pairs
 */
gboolean
ub_gpt_set_active_slot(UbGpt *self, const gchar *slot, GError **error)
{
	guint n_pairs = 0;

	g_return_val_if_fail(UB_IS_GPT(self), FALSE);
	g_return_val_if_fail(slot != NULL, FALSE);

	slot = ub_gpt_slot_parse(slot, error);
	if (slot == NULL)
		return FALSE;
	for (guint i = 0; i < self->entries->len; i++) {
		UbGptEntry *entry_a = g_ptr_array_index(self->entries, i);
		UbGptEntry *entry_b;
		g_autofree gchar *name_b = ub_gpt_slot_b_name(entry_a->name);

		if (name_b == NULL)
			continue;
		entry_b = ub_gpt_find_entry_mutable(self, name_b);
		if (entry_b == NULL)
			continue;
		if (g_strcmp0(slot, "a") == 0)
			ub_gpt_entry_activate_ab_pair(entry_a, entry_b);
		else
			ub_gpt_entry_activate_ab_pair(entry_b, entry_a);
		n_pairs++;
	}
	if (n_pairs == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "no _a/_b partition pairs: cannot make slot %s active (the other is %s)",
			    slot,
			    g_strcmp0(slot, "a") == 0 ? "b" : "a");
		return FALSE;
	}
	return TRUE;
}

static gint
ub_gpt_entry_cmp_first_lba(gconstpointer a, gconstpointer b)
{
	const UbGptEntry *ea = *(const UbGptEntry *const *)a;
	const UbGptEntry *eb = *(const UbGptEntry *const *)b;
	if (ea->first_lba != eb->first_lba)
		return ea->first_lba < eb->first_lba ? -1 : 1;
	return ea->index < eb->index ? -1 : (ea->index > eb->index ? 1 : 0);
}

/**
 * ub_gpt_validate:
 * @self: a #UbGpt
 * @disk_sectors: sectors of the disk or LUN, or 0 when unknown
 * @error: (nullable): return location for a #GError
 *
 * Checks what ub_gpt_parse() does not: the usable range and the entry array
 * against each other and the disk, every used entry inside the usable range,
 * and no two entries overlapping. An entry ending one sector before it starts
 * is the empty ptool placeholder ("grow") and allowed; LastUsableLBA=0 is the
 * ptool placeholder for "patched on the device" and allowed when
 * @disk_sectors is 0.
 *
 * Returns: %TRUE if the table is consistent
 */
gboolean
ub_gpt_validate(UbGpt *self, guint64 disk_sectors, GError **error)
{
	g_autoptr(GPtrArray) sorted = g_ptr_array_new();
	guint64 array_sectors;
	gboolean last_known;
	const UbGptEntry *prev = NULL;

	g_return_val_if_fail(UB_IS_GPT(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	array_sectors = ((guint64)self->num_entries * self->entry_size + self->sector_size - 1) /
			self->sector_size;
	last_known = self->last_usable_lba != 0 || disk_sectors != 0;

	/* the header against the disk */
	if (disk_sectors != 0) {
		guint64 alt = self->is_backup ? self->my_lba : self->alternate_lba;
		guint64 own = self->is_backup ? self->alternate_lba : self->my_lba;
		if (own != 1 || alt != disk_sectors - 1) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "GPT headers at LBA %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
				    " do not match a disk of %" G_GUINT64_FORMAT " sectors",
				    own,
				    alt,
				    disk_sectors);
			return FALSE;
		}
		if (self->last_usable_lba >= disk_sectors) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "LastUsableLBA %" G_GUINT64_FORMAT " lies past the end of a disk of "
				    "%" G_GUINT64_FORMAT " sectors",
				    self->last_usable_lba,
				    disk_sectors);
			return FALSE;
		}
	}
	if (last_known && self->first_usable_lba > self->last_usable_lba) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "FirstUsableLBA %" G_GUINT64_FORMAT " is after LastUsableLBA %" G_GUINT64_FORMAT,
			    self->first_usable_lba,
			    self->last_usable_lba);
		return FALSE;
	}
	/* the primary array must end before the usable range */
	if (!self->is_backup && self->entries_lba + array_sectors > self->first_usable_lba) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the entry array (LBA %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
			    " sectors) overlaps FirstUsableLBA %" G_GUINT64_FORMAT,
			    self->entries_lba,
			    array_sectors,
			    self->first_usable_lba);
		return FALSE;
	}

	/* every entry inside the usable range */
	for (guint i = 0; i < self->entries->len; i++) {
		UbGptEntry *entry = g_ptr_array_index(self->entries, i);
		if (entry->last_lba < entry->first_lba) {
			if (entry->last_lba + 1 == entry->first_lba)
				continue; /* empty */
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partition '%s' ends (LBA %" G_GUINT64_FORMAT
				    ") before it starts (LBA %" G_GUINT64_FORMAT ")",
				    entry->name,
				    entry->last_lba,
				    entry->first_lba);
			return FALSE;
		}
		if (entry->first_lba < self->first_usable_lba ||
		    (last_known && self->last_usable_lba != 0 &&
		     entry->last_lba > self->last_usable_lba) ||
		    (disk_sectors != 0 && self->last_usable_lba == 0 &&
		     entry->last_lba >= disk_sectors)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partition '%s' (LBA %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
				    ") lies outside the usable LBAs %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
				    entry->name,
				    entry->first_lba,
				    entry->last_lba,
				    self->first_usable_lba,
				    self->last_usable_lba);
			return FALSE;
		}
		g_ptr_array_add(sorted, entry);
	}

	/* no overlaps */
	g_ptr_array_sort(sorted, ub_gpt_entry_cmp_first_lba);
	for (guint i = 0; i < sorted->len; i++) {
		const UbGptEntry *entry = g_ptr_array_index(sorted, i);
		if (prev != NULL && entry->first_lba <= prev->last_lba) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partitions '%s' (LBA %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
				    ") and '%s' (LBA %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ") overlap",
				    prev->name,
				    prev->first_lba,
				    prev->last_lba,
				    entry->name,
				    entry->first_lba,
				    entry->last_lba);
			return FALSE;
		}
		if (prev == NULL || entry->last_lba > prev->last_lba)
			prev = entry;
	}
	return TRUE;
}

/**
 * ub_gpt_check_pair:
 * @primary: the primary table
 * @backup: the backup table
 * @disk_sectors: sectors of the disk or LUN, or 0 when unknown
 * @error: (nullable): return location for a #GError
 *
 * Checks that the two headers point at each other and describe the same
 * partitions (same entry array, same usable range, same disk GUID).
 *
 * Returns: %TRUE if they agree
 */
gboolean
ub_gpt_check_pair(UbGpt *primary, UbGpt *backup, guint64 disk_sectors, GError **error)
{
	g_return_val_if_fail(UB_IS_GPT(primary), FALSE);
	g_return_val_if_fail(UB_IS_GPT(backup), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (primary->is_backup || !backup->is_backup) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "expected a primary and a backup GPT");
		return FALSE;
	}
	if (primary->sector_size != backup->sector_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "primary GPT uses %u-byte sectors, backup %u-byte",
			    primary->sector_size,
			    backup->sector_size);
		return FALSE;
	}
	if (primary->my_lba != backup->alternate_lba ||
	    primary->alternate_lba != backup->my_lba) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "GPT headers do not point at each other: primary at LBA %" G_GUINT64_FORMAT
			    " names %" G_GUINT64_FORMAT ", backup at LBA %" G_GUINT64_FORMAT
			    " names %" G_GUINT64_FORMAT,
			    primary->my_lba,
			    primary->alternate_lba,
			    backup->my_lba,
			    backup->alternate_lba);
		return FALSE;
	}
	if (g_strcmp0(primary->disk_guid, backup->disk_guid) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "GPT disk GUIDs differ: primary %s, backup %s",
			    primary->disk_guid,
			    backup->disk_guid);
		return FALSE;
	}
	if (primary->first_usable_lba != backup->first_usable_lba ||
	    primary->last_usable_lba != backup->last_usable_lba) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "GPT usable ranges differ: primary %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
			    ", backup %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
			    primary->first_usable_lba,
			    primary->last_usable_lba,
			    backup->first_usable_lba,
			    backup->last_usable_lba);
		return FALSE;
	}
	if (primary->num_entries != backup->num_entries ||
	    primary->entry_size != backup->entry_size ||
	    primary->entries_crc != backup->entries_crc) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "primary and backup GPT entry arrays differ");
		return FALSE;
	}
	if (!ub_gpt_validate(primary, disk_sectors, error))
		return FALSE;
	return ub_gpt_validate(backup, disk_sectors, error);
}

/* the used entries back into a copy of the raw array */
static guint8 *
ub_gpt_serialize_array(UbGpt *self, GError **error)
{
	gsize array_size = (gsize)self->num_entries * self->entry_size;
	g_autofree guint8 *array = g_malloc0(MAX(array_size, 1));

	if (self->array != NULL)
		memcpy(array, self->array, array_size);
	for (guint i = 0; i < self->entries->len; i++) {
		UbGptEntry *entry = g_ptr_array_index(self->entries, i);
		guint8 *ent;
		glong n_units = 0;
		g_autofree gunichar2 *units = NULL;

		if (entry->index >= self->num_entries) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "entry %u lies past the %u entries of the table",
				    entry->index,
				    self->num_entries);
			return NULL;
		}
		ent = array + (gsize)entry->index * self->entry_size;
		units = g_utf8_to_utf16(entry->name, -1, NULL, &n_units, error);
		if (units == NULL)
			return NULL;
		if (n_units > UB_GPT_ENTRY_NAME_UNITS) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partition name '%s' is longer than %u UTF-16 units",
				    entry->name,
				    (guint)UB_GPT_ENTRY_NAME_UNITS);
			return NULL;
		}
		if (!ub_gpt_guid_from_string(entry->type_guid, ent + UB_GPT_ENTRY_OFF_TYPE, error) ||
		    !ub_gpt_guid_from_string(entry->unique_guid,
					     ent + UB_GPT_ENTRY_OFF_UNIQUE,
					     error))
			return NULL;
		ub_mem_write_u64_le(ent, UB_GPT_ENTRY_OFF_FIRST, entry->first_lba);
		ub_mem_write_u64_le(ent, UB_GPT_ENTRY_OFF_LAST, entry->last_lba);
		ub_mem_write_u64_le(ent, UB_GPT_ENTRY_OFF_ATTRS, entry->attributes);
		memset(ent + UB_GPT_ENTRY_OFF_NAME, 0, UB_GPT_ENTRY_NAME_UNITS * 2);
		for (glong j = 0; j < n_units; j++)
			ub_mem_write_u16_le(ent, UB_GPT_ENTRY_OFF_NAME + (gsize)j * 2, units[j]);
	}
	return g_steal_pointer(&array);
}

/* the stored header with new locations and both CRCs */
static gboolean
ub_gpt_serialize_header(UbGpt *self,
			guint8 *hdr,
			guint64 my_lba,
			guint64 alternate_lba,
			guint64 last_usable,
			guint64 entries_lba,
			guint32 entries_crc,
			GError **error)
{
	memcpy(hdr, self->header, self->sector_size);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_MY_LBA, my_lba);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_ALTERNATE_LBA, alternate_lba);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_FIRST_USABLE, self->first_usable_lba);
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_LAST_USABLE, last_usable);
	if (!ub_gpt_guid_from_string(self->disk_guid, hdr + UB_GPT_OFF_DISK_GUID, error))
		return FALSE;
	ub_mem_write_u64_le(hdr, UB_GPT_OFF_ENTRIES_LBA, entries_lba);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_NUM_ENTRIES, self->num_entries);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_ENTRY_SIZE, self->entry_size);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_ENTRIES_CRC, entries_crc);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_HEADER_CRC, 0);
	ub_mem_write_u32_le(hdr, UB_GPT_OFF_HEADER_CRC, ub_crc32(hdr, self->header_size));
	return TRUE;
}

static void
ub_gpt_write_protective_mbr(guint8 *mbr, guint64 disk_sectors)
{
	memset(mbr, 0, 512);
	mbr[UB_GPT_MBR_PART_TABLE + 2] = 0x02;
	mbr[UB_GPT_MBR_PART_TABLE + 4] = UB_GPT_MBR_TYPE_PROTECTIVE;
	mbr[UB_GPT_MBR_PART_TABLE + 5] = 0xff;
	mbr[UB_GPT_MBR_PART_TABLE + 6] = 0xff;
	mbr[UB_GPT_MBR_PART_TABLE + 7] = 0xff;
	ub_mem_write_u32_le(mbr, UB_GPT_MBR_PART_TABLE + 8, 1);
	ub_mem_write_u32_le(mbr,
			 UB_GPT_MBR_PART_TABLE + 12,
			 disk_sectors == 0 ? G_MAXUINT32
					   : (guint32)MIN(disk_sectors - 1, G_MAXUINT32));
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
}

/**
 * ub_gpt_write:
 * @self: a #UbGpt
 * @error: (nullable): return location for a #GError
 *
 * Writes the table back in the shape it was parsed from, with the entries as
 * they are now (after ub_gpt_set_attributes(), ub_gpt_set_active_slot() or
 * direct edits of ub_gpt_get_entries()) and both CRCs recomputed. A primary
 * comes out as protective MBR, header and array; a backup as array and header.
 *
 * Returns: (transfer full): the table, or %NULL
 */
GBytes *
ub_gpt_write(UbGpt *self, GError **error)
{
	gsize array_size;
	gsize bufsz;
	guint32 crc;
	g_autofree guint8 *array = NULL;
	g_autofree guint8 *buf = NULL;

	g_return_val_if_fail(UB_IS_GPT(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	array_size = (gsize)self->num_entries * self->entry_size;
	array = ub_gpt_serialize_array(self, error);
	if (array == NULL)
		return NULL;
	crc = ub_crc32(array, array_size);
	if (!self->is_backup) {
		gsize entries_offset = (gsize)self->entries_lba * self->sector_size;
		bufsz = entries_offset + MAX(self->array_area, array_size);
		buf = g_malloc0(bufsz);
		memcpy(buf, self->mbr, self->sector_size);
		if (!ub_gpt_serialize_header(self,
					     buf + self->sector_size,
					     self->my_lba,
					     self->alternate_lba,
					     self->last_usable_lba,
					     self->entries_lba,
					     crc,
					     error))
			return NULL;
		memcpy(buf + entries_offset, array, array_size);
	} else {
		bufsz = self->array_area + self->sector_size;
		buf = g_malloc0(bufsz);
		memcpy(buf, array, array_size);
		if (!ub_gpt_serialize_header(self,
					     buf + self->array_area,
					     self->my_lba,
					     self->alternate_lba,
					     self->last_usable_lba,
					     self->entries_lba,
					     crc,
					     error))
			return NULL;
	}
	return g_bytes_new_take(g_steal_pointer(&buf), bufsz);
}

/**
 * ub_gpt_write_pair:
 * @self: a #UbGpt, primary or backup
 * @disk_sectors: sectors of the disk or LUN the tables are for
 * @primary: (out): protective MBR, primary header and array, for LBA 0
 * @backup: (out): array and backup header, for the last sectors of the disk
 * @error: (nullable): return location for a #GError
 *
 * Writes both tables for a disk of @disk_sectors: AlternateLBA, the backup's
 * MyLBA and PartitionEntryLBA and LastUsableLBA are set for that size (what
 * the ptool patch files do on the device), entries and CRCs as in ub_gpt_write().
 * The array area keeps its parsed size (32 sectors of 512 bytes, 4 of 4096).
 *
 * Returns: %TRUE on success
 */
gboolean
ub_gpt_write_pair(UbGpt *self,
		  guint64 disk_sectors,
		  GBytes **primary,
		  GBytes **backup,
		  GError **error)
{
	gsize array_size;
	guint64 area_sectors;
	guint64 last_usable;
	guint32 crc;
	gsize psz;
	gsize bsz;
	g_autofree guint8 *array = NULL;
	g_autofree guint8 *pbuf = NULL;
	g_autofree guint8 *bbuf = NULL;

	g_return_val_if_fail(UB_IS_GPT(self), FALSE);
	g_return_val_if_fail(primary != NULL && backup != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	array_size = (gsize)self->num_entries * self->entry_size;
	area_sectors = self->array_area / self->sector_size;
	/* MBR, header, array ... array, header, and the usable range in between */
	if (disk_sectors < 2 * area_sectors + 3 || disk_sectors - area_sectors - 2 < self->first_usable_lba ||
	    self->first_usable_lba < 2 + area_sectors) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "a disk of %" G_GUINT64_FORMAT " sectors cannot hold this GPT",
			    disk_sectors);
		return FALSE;
	}
	last_usable = disk_sectors - area_sectors - 2;
	for (guint i = 0; i < self->entries->len; i++) {
		UbGptEntry *entry = g_ptr_array_index(self->entries, i);
		if (entry->last_lba >= entry->first_lba && entry->last_lba > last_usable) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partition '%s' ends at LBA %" G_GUINT64_FORMAT
				    ", past the last usable LBA %" G_GUINT64_FORMAT " of a disk of %" G_GUINT64_FORMAT
				    " sectors",
				    entry->name,
				    entry->last_lba,
				    last_usable,
				    disk_sectors);
			return FALSE;
		}
	}
	array = ub_gpt_serialize_array(self, error);
	if (array == NULL)
		return FALSE;
	crc = ub_crc32(array, array_size);

	/* primary */
	psz = (gsize)(2 + area_sectors) * self->sector_size;
	pbuf = g_malloc0(psz);
	if (self->mbr != NULL)
		memcpy(pbuf, self->mbr, self->sector_size);
	else
		ub_gpt_write_protective_mbr(pbuf, disk_sectors);
	if (!ub_gpt_serialize_header(self,
				     pbuf + self->sector_size,
				     1,
				     disk_sectors - 1,
				     last_usable,
				     2,
				     crc,
				     error))
		return FALSE;
	memcpy(pbuf + 2 * self->sector_size, array, array_size);

	/* backup */
	bsz = (gsize)(area_sectors + 1) * self->sector_size;
	bbuf = g_malloc0(bsz);
	memcpy(bbuf, array, array_size);
	if (!ub_gpt_serialize_header(self,
				     bbuf + area_sectors * self->sector_size,
				     disk_sectors - 1,
				     1,
				     last_usable,
				     disk_sectors - 1 - area_sectors,
				     crc,
				     error))
		return FALSE;

	*primary = g_bytes_new_take(g_steal_pointer(&pbuf), psz);
	*backup = g_bytes_new_take(g_steal_pointer(&bbuf), bsz);
	return TRUE;
}

static void
ub_gpt_finalize(GObject *object)
{
	UbGpt *self = UB_GPT(object);
	g_free(self->disk_guid);
	g_ptr_array_unref(self->entries);
	g_free(self->mbr);
	g_free(self->header);
	g_free(self->array);
	G_OBJECT_CLASS(ub_gpt_parent_class)->finalize(object);
}

static void
ub_gpt_init(UbGpt *self)
{
	self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)ub_gpt_entry_free);
}

static void
ub_gpt_class_init(UbGptClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_gpt_finalize;
}
