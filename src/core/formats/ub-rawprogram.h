/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* rawprogram files above this size are refused */
#define UB_RAWPROGRAM_MAX_SIZE (16 * 1024 * 1024)

typedef enum {
	UB_RAWPROGRAM_KIND_PROGRAM,
	UB_RAWPROGRAM_KIND_ERASE,
	UB_RAWPROGRAM_KIND_ZEROOUT,
	UB_RAWPROGRAM_KIND_LAST
} UbRawprogramKind;

const gchar *
ub_rawprogram_kind_to_string(UbRawprogramKind kind);

/**
 * UbRawprogramEntry:
 * @kind: `<program>`, `<erase>` or `<zeroout>`
 * @line: line of the element in the file
 * @sector_size: SECTOR_SIZE_IN_BYTES
 * @physical_partition_number: the LUN (UFS) or eMMC physical partition
 * @label: (nullable): label; %NULL when absent (allowed for erase/zeroout)
 * @filename: (nullable): filename; "" is a placeholder, %NULL absent (erase)
 * @start_sector: (nullable): start_sector as written: a number or an
 *   expression such as "NUM_DISK_SECTORS-33."; %NULL for a whole-LUN erase
 * @start_sector_value: @start_sector when it is a constant
 * @start_sector_is_constant: whether @start_sector_value is valid
 * @num_partition_sectors: (nullable): as written, %NULL when absent
 * @num_partition_sectors_value: the value when constant; 0 means "grow"
 * @num_partition_sectors_is_constant: whether @num_partition_sectors_value is valid
 * @file_sector_offset: file_sector_offset, in sectors (0 when absent)
 * @sparse: sparse="true"
 * @readbackverify: readbackverify="true" (or read_back_verify)
 * @partofsingleimage: partofsingleimage="true"
 * @names: (array zero-terminated=1): every attribute name, in file order
 * @values: (array zero-terminated=1): the value of each of @names
 *
 * One element of a rawprogram file, with every attribute kept.
 */
typedef struct {
	UbRawprogramKind kind;
	guint line;
	guint32 sector_size;
	guint physical_partition_number;
	gchar *label;
	gchar *filename;
	gchar *start_sector;
	guint64 start_sector_value;
	gboolean start_sector_is_constant;
	gchar *num_partition_sectors;
	guint64 num_partition_sectors_value;
	gboolean num_partition_sectors_is_constant;
	guint64 file_sector_offset;
	gboolean sparse;
	gboolean readbackverify;
	gboolean partofsingleimage;
	gchar **names;
	gchar **values;
} UbRawprogramEntry;

void
ub_rawprogram_entry_free(UbRawprogramEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbRawprogramEntry, ub_rawprogram_entry_free)
const gchar *
ub_rawprogram_entry_get_attr(const UbRawprogramEntry *entry, const gchar *name);
gboolean
ub_rawprogram_entry_is_placeholder(const UbRawprogramEntry *entry);
gchar *
ub_rawprogram_entry_to_xml_attrs(const UbRawprogramEntry *entry);

#define UB_TYPE_RAWPROGRAM (ub_rawprogram_get_type())
G_DECLARE_FINAL_TYPE(UbRawprogram, ub_rawprogram, UB, RAWPROGRAM, GObject)

UbRawprogram *
ub_rawprogram_parse(const guint8 *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
ub_rawprogram_get_entries(UbRawprogram *self);
GPtrArray *
ub_rawprogram_get_ignored(UbRawprogram *self);

G_END_DECLS
