/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * MTK_AllInOne_DA.bin (and DA_SWSEC.bin, DA_PL.bin...): the Download Agent
 * file users supply (we ship none). Little-endian; header "MTK_DOWNLOAD_AGENT",
 * id string, version, magic 0x22668899, entry count, then one entry per SoC
 * (0xDC bytes, old files 0xD8) with up to 10 regions of 20 bytes
 * (mtk.md a.4). Pure and bounds-checked: the parser sees only the header and
 * entry table (the first 64 KiB is plenty); region data is read by offset.
 */

#define UB_MTK_DA_FILE_MAX_REGIONS 10
/* bytes of a DA file the parser needs at most (header + entries) */
#define UB_MTK_DA_FILE_HEADER_MAX (64 * 1024)

/**
 * UbMtkDaRegion:
 * @offset: where its bytes start in the file
 * @length: bytes, signature included
 * @load_addr: where the BROM/DA loads it
 * @region_offset: offset field of the table (usually 0)
 * @sig_len: trailing signature bytes
 */
typedef struct {
	guint32 offset;
	guint32 length;
	guint32 load_addr;
	guint32 region_offset;
	guint32 sig_len;
} UbMtkDaRegion;

/**
 * UbMtkDaEntry:
 * @hw_code: the DA code (0x6765), not the BROM hw code (ub_mtk_chip_lookup maps)
 * @hw_sub_code, @hw_version, @sw_version: selection keys
 * @entry_region_index: index of the first region
 * @n_regions: regions used
 * @regions: EMI/params, DA1 (SRAM), DA2 (DRAM) in the usual layout
 */
typedef struct {
	guint16 hw_code;
	guint16 hw_sub_code;
	guint16 hw_version;
	guint16 sw_version;
	guint16 entry_region_index;
	guint16 n_regions;
	UbMtkDaRegion regions[UB_MTK_DA_FILE_MAX_REGIONS];
} UbMtkDaEntry;

#define UB_TYPE_MTK_DA_FILE (ub_mtk_da_file_get_type())
G_DECLARE_FINAL_TYPE(UbMtkDaFile, ub_mtk_da_file, UB, MTK_DA_FILE, GObject)

/* @file_size: the whole file's size, to check every region lies inside it */
UbMtkDaFile *
ub_mtk_da_file_parse(const guint8 *buf, gsize bufsz, guint64 file_size, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* reads the header from @file and parses it; the file is opened again to stream regions */
UbMtkDaFile *
ub_mtk_da_file_load(GFile *file, GCancellable *cancellable, GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *
ub_mtk_da_file_get_id(UbMtkDaFile *self);
/* "MTK_DA_v6" ids mean the XML protocol, which this tool does not speak yet */
gboolean
ub_mtk_da_file_is_v6(UbMtkDaFile *self);
GPtrArray *
ub_mtk_da_file_get_entries(UbMtkDaFile *self); /* element-type UbMtkDaEntry */
/*
 * The entry for a chip: hw_code == @da_code, hw_version <= @hw_version,
 * sw_version <= @sw_version, the highest such. NULL with an error saying which
 * chips the file has ("this DA file has no entry for MT6765 (0x6765); it
 * covers MT6768, MT6785: use the DA from this phone's firmware package").
 */
const UbMtkDaEntry *
ub_mtk_da_file_find_entry(UbMtkDaFile *self,
			  guint16 da_code,
			  guint16 hw_version,
			  guint16 sw_version,
			  GError **error);
/* DA1 and DA2 of an entry: regions[1] and [2] (region 0 is the EMI/params
 * blob), whatever entry_region_index says, as mtkclient does for XFlash and
 * legacy files (mtk.md a.4); NULL when the entry has too few regions */
const UbMtkDaRegion *
ub_mtk_da_entry_get_da1(const UbMtkDaEntry *entry);
const UbMtkDaRegion *
ub_mtk_da_entry_get_da2(const UbMtkDaEntry *entry);

/*
 * Builds a DA file (for the demo and tests: the simulator accepts any DA1/DA2
 * bytes but checks the exchange). @entries are written with their regions'
 * data given in @blobs (one GBytes per region, in entry order).
 */
GBytes *
ub_mtk_da_file_build(const gchar *id, GPtrArray *entries, GPtrArray *blobs, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
