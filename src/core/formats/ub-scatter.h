/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define UB_TYPE_SCATTER (ub_scatter_get_type())
G_DECLARE_FINAL_TYPE(UbScatter, ub_scatter, UB, SCATTER, GObject)

/* the largest scatter file the parser accepts; real ones are below 100 KiB */
#define UB_SCATTER_MAX_SIZE (16 * 1024 * 1024)

/* the lowest end-relative pseudo address (mtk.md b.3 "Pseudo addresses") */
#define UB_SCATTER_PSEUDO_MIN G_GUINT64_CONSTANT(0xFFFF0000)
#define UB_SCATTER_PSEUDO_MAX G_GUINT64_CONSTANT(0xFFFFFFFF)

typedef enum {
	UB_SCATTER_KIND_UNKNOWN,
	UB_SCATTER_KIND_BRACE, /* 2012-13: "NAME 0xADDR" + "{ }" */
	UB_SCATTER_KIND_TEXT,  /* V1.x / V2.x YAML-like text */
	UB_SCATTER_KIND_XML,   /* <root><general>...<partition_index> */
	UB_SCATTER_KIND_LAST
} UbScatterKind;

const gchar *
ub_scatter_kind_to_string(UbScatterKind kind);

/* SPFT's enum order (mtk.md b.4): BOOTLOADERS 0 ... BINREGION 5, then newer ones */
typedef enum {
	UB_SCATTER_OPERATION_BOOTLOADERS,
	UB_SCATTER_OPERATION_UPDATE,
	UB_SCATTER_OPERATION_INVISIBLE,
	UB_SCATTER_OPERATION_PROTECTED,
	UB_SCATTER_OPERATION_RESERVED,
	UB_SCATTER_OPERATION_BINREGION,
	UB_SCATTER_OPERATION_NEEDRESIZE,
	UB_SCATTER_OPERATION_UNKNOWN, /* missing or not one of the above */
	UB_SCATTER_OPERATION_LAST
} UbScatterOperation;

const gchar *
ub_scatter_operation_to_string(UbScatterOperation op);
UbScatterOperation
ub_scatter_operation_from_string(const gchar *str);

/**
 * UbScatterPartition:
 * @index: partition_index as written ("SYS0"); brace files get "SYS<n>"
 * @name: partition_name as written (brace files: without the __NODL_ prefix)
 * @file_name: file_name as written ("NONE" kept), %NULL when absent
 * @is_download: is_download; brace files: no __NODL_ prefix
 * @nodl: the brace file's __NODL_ prefix was present
 * @type: image type as written ("NORMAL_ROM", "SV5_BL_BIN", "EXT4_IMG", "NONE"...)
 * @linear_start_addr: linear_start_addr (brace files: the address)
 * @physical_start_addr: physical_start_addr (brace files: the address)
 * @has_physical_start_addr: the record has a physical_start_addr
 * @partition_size: partition_size; brace files: next start - this start
 * @has_partition_size: a size is known (brace: not for the last entry or
 *   before a pseudo address)
 * @region: region as written ("EMMC_BOOT_1", "UFS_LU2"...), %NULL when absent
 * @storage: storage as written ("HW_STORAGE_EMMC"), %NULL when absent
 * @boundary_check: boundary_check (default TRUE)
 * @is_reserved: is_reserved
 * @operation_type: operation_type as written, %NULL when absent
 * @operation: @operation_type parsed
 * @is_upgradable: is_upgradable; TRUE when absent (older files have no field)
 * @has_is_upgradable: the record has is_upgradable
 * @empty_boot_needed: empty_boot_needed (kept, not acted on: mtk.md b.3)
 * @combo_partsize_check: combo_partsize_check (V2.x)
 * @d_type: (nullable): NAND d_type as written
 * @reserve: reserve as written
 * @fields: (element-type utf8 utf8): every key as written with its value,
 *   including unknown keys
 * @line: 1-based line of the record's first line (XML: of its element)
 * @duplicate_of: -1, or the position in the same layout of an earlier record
 *   with the same @name
 *
 * One partition record.
 */
typedef struct {
	gchar *index;
	gchar *name;
	gchar *file_name;
	gboolean is_download;
	gboolean nodl;
	gchar *type;
	guint64 linear_start_addr;
	guint64 physical_start_addr;
	gboolean has_physical_start_addr;
	guint64 partition_size;
	gboolean has_partition_size;
	gchar *region;
	gchar *storage;
	gboolean boundary_check;
	gboolean is_reserved;
	gchar *operation_type;
	UbScatterOperation operation;
	gboolean is_upgradable;
	gboolean has_is_upgradable;
	gboolean empty_boot_needed;
	gboolean combo_partsize_check;
	gchar *d_type;
	gchar *reserve;
	GHashTable *fields;
	guint line;
	gint duplicate_of;
} UbScatterPartition;

void
ub_scatter_partition_free(UbScatterPartition *part);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbScatterPartition, ub_scatter_partition_free)

gboolean
ub_scatter_partition_is_pseudo(const UbScatterPartition *part);
const gchar *
ub_scatter_partition_get_pseudo_key(const UbScatterPartition *part);

/**
 * UbScatterLayout:
 * @storage_type: (nullable): the V2.x `- storage_type:` name ("EMMC", "UFS"),
 *   %NULL for single-layout files
 * @storage: storage ("EMMC", "UFS", "NAND"...) from the general or the
 *   MTK_STORAGE_CFG block, or %NULL
 * @boot_channel: (nullable): boot_channel ("MSDC_0", "UFSHCI_0")
 * @block_size: block_size, 0 when not given
 * @fields: (element-type utf8 utf8): every MTK_STORAGE_CFG key as written
 * @partitions: (element-type UbScatterPartition): in file order
 * @line: line of the block's start (1 for single-layout files)
 *
 * The partition records of one storage.
 */
typedef struct {
	gchar *storage_type;
	gchar *storage;
	gchar *boot_channel;
	guint64 block_size;
	GHashTable *fields;
	GPtrArray *partitions;
	guint line;
} UbScatterLayout;

void
ub_scatter_layout_free(UbScatterLayout *layout);

UbScatter *
ub_scatter_parse(const guint8 *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_scatter_sniff(const guint8 *buf, gsize bufsz);

UbScatterKind
ub_scatter_get_kind(UbScatter *self);
const gchar *
ub_scatter_get_config_version(UbScatter *self);
const gchar *
ub_scatter_get_platform(UbScatter *self);
const gchar *
ub_scatter_get_project(UbScatter *self);
const gchar *
ub_scatter_get_general(UbScatter *self, const gchar *key);
GHashTable *
ub_scatter_get_general_fields(UbScatter *self);
GPtrArray *
ub_scatter_get_layouts(UbScatter *self);
UbScatterLayout *
ub_scatter_find_layout(UbScatter *self, const gchar *storage);
GPtrArray *
ub_scatter_get_warnings(UbScatter *self);
gboolean
ub_scatter_get_crlf(UbScatter *self);

const gchar *
ub_scatter_region_normalize(const gchar *region);
gint
ub_scatter_region_get_lun(const gchar *region);
gboolean
ub_scatter_region_is_boot(const gchar *region);
guint64
ub_scatter_resolve_pseudo(guint64 addr,
			  guint64 size,
			  guint64 block_size,
			  guint64 disk_size,
			  guint64 tail);
guint64
ub_scatter_layout_get_tail(const UbScatterLayout *layout);

G_END_DECLS
