/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* patch files above this size are refused */
#define UB_QCOM_PATCH_MAX_SIZE (16 * 1024 * 1024)

/* the filename of patches the programmer applies to the device */
#define UB_QCOM_PATCH_DISK "DISK"

/**
 * UbQcomPatchEntry:
 * @line: line of the element in the file
 * @sector_size: SECTOR_SIZE_IN_BYTES
 * @physical_partition_number: the LUN
 * @filename: "DISK" (applied on the device) or an image file of the package
 * @start_sector: as written, a number or an expression ("NUM_DISK_SECTORS-1.")
 * @byte_offset: byte offset from the start of @start_sector
 * @size_in_bytes: 1 to 8: the value is written little-endian in this many bytes
 * @value: as written: a number, "NUM_DISK_SECTORS-34." or "CRC32(start,len)"
 * @what: (nullable): the description
 * @names: (array zero-terminated=1): every attribute name, in file order
 * @values: (array zero-terminated=1): the value of each of @names
 *
 * One `<patch>` element.
 */
typedef struct {
	guint line;
	guint32 sector_size;
	guint physical_partition_number;
	gchar *filename;
	gchar *start_sector;
	guint64 byte_offset;
	guint size_in_bytes;
	gchar *value;
	gchar *what;
	gchar **names;
	gchar **values;
} UbQcomPatchEntry;

void
ub_qcom_patch_entry_free(UbQcomPatchEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbQcomPatchEntry, ub_qcom_patch_entry_free)
gboolean
ub_qcom_patch_entry_is_disk(const UbQcomPatchEntry *entry);
gchar *
ub_qcom_patch_entry_to_xml_attrs(const UbQcomPatchEntry *entry);
gboolean
ub_qcom_patch_entry_apply(const UbQcomPatchEntry *entry,
			  guint8 *buf,
			  gsize bufsz,
			  guint64 buf_first_sector,
			  guint64 num_disk_sectors,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

#define UB_TYPE_QCOM_PATCH (ub_qcom_patch_get_type())
G_DECLARE_FINAL_TYPE(UbQcomPatch, ub_qcom_patch, UB, QCOM_PATCH, GObject)

UbQcomPatch *
ub_qcom_patch_parse(const guint8 *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
ub_qcom_patch_get_entries(UbQcomPatch *self);
GPtrArray *
ub_qcom_patch_get_ignored(UbQcomPatch *self);
guint
ub_qcom_patch_count_for_file(UbQcomPatch *self, const gchar *filename);
gboolean
ub_qcom_patch_apply_to_file(UbQcomPatch *self,
			    const gchar *filename,
			    guint8 *buf,
			    gsize bufsz,
			    guint64 num_disk_sectors,
			    guint *n_applied,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_qcom_patch_apply_to_disk(UbQcomPatch *self,
			    guint physical_partition_number,
			    guint8 *buf,
			    gsize bufsz,
			    guint64 buf_first_sector,
			    guint64 num_disk_sectors,
			    guint *n_applied,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
