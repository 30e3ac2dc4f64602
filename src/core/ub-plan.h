/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "formats/ub-package.h"
#include "ub-device.h"

G_BEGIN_DECLS

typedef enum {
	UB_PLAN_KIND_IDENTIFY,
	UB_PLAN_KIND_DOWNLOAD,
	UB_PLAN_KIND_READBACK,
	UB_PLAN_KIND_FORMAT,
	UB_PLAN_KIND_LAST
} UbPlanKind;

typedef enum {
	UB_PLAN_OP_WRITE,
	UB_PLAN_OP_READ,
	UB_PLAN_OP_ERASE,
	UB_PLAN_OP_REBOOT,
	UB_PLAN_OP_SET_ACTIVE,	 /* @value = "a", "b", "other" */
	UB_PLAN_OP_REQUIRE_VAR,	 /* @variable must match @value ("a|b", "name*") */
	UB_PLAN_OP_CHECK_ANTI,	 /* the phone's anti-rollback level must not exceed @value */
	UB_PLAN_OP_COMMAND,	 /* a raw command: "oem lock", "flashing unlock" */
	UB_PLAN_OP_UPDATE_SUPER, /* "update-super:@partition[:wipe]" with the image; @value "wipe" */
	UB_PLAN_OP_CHECK_LAYOUT, /* the phone's table must match the plan's layout (SP Flash Tool's
				    Download Only); refused before anything is written otherwise */
	UB_PLAN_OP_CHECK_SUM,	 /* the image (@package @file or @path) must have the MediaTek
				    16-bit checksum @value ("0x1a2b", Checksum.ini) */
	UB_PLAN_OP_BACKUP,	 /* read @partition into the backup folder when the phone has it;
				    %NULL: every calibration partition the phone reports; with
				    %UB_PLAN_OP_FLAG_RESTORE a later RESTORE puts it back */
	UB_PLAN_OP_WRITE_LAYOUT, /* write the plan's layout as a GPT (primary at 0, backup at
				    the end) to @region; skipped when the phone already has it */
	UB_PLAN_OP_RESTORE,	 /* put the backups of this run marked RESTORE back where the
				    phone's table now has them (by name), then compare byte for
				    byte; @partition: only that one */
	UB_PLAN_OP_LAST
} UbPlanOpKind;

/**
 * UbPlanOpFlags:
 * @UB_PLAN_OP_FLAG_NONE: nothing special
 * @UB_PLAN_OP_FLAG_ENGINE_NAME: @partition is a name the engine handles itself
 *   and the phone's table does not list (MediaTek "preloader": the engine adds
 *   the boot header and writes both boot areas); not verified by read back
 * @UB_PLAN_OP_FLAG_PSEUDO: @offset is a MediaTek end-relative pseudo address
 *   (0xFFFF0000-0xFFFFFFFF): the op goes where the phone's table has @label in
 *   @region, else where ub_scatter_resolve_pseudo() puts it in that region
 * @UB_PLAN_OP_FLAG_TABLE: the op writes the partition table (a pgpt row with
 *   an image): steps after it are checked against the table the phone then reports
 * @UB_PLAN_OP_FLAG_RESTORE: a BACKUP whose image RESTORE writes back
 * @UB_PLAN_OP_FLAG_KEEP_CALIBRATION: an ERASE of a region range that leaves
 *   the phone's calibration partitions and partition tables alone ("format
 *   whole flash except bootloader") unless calibration changes are allowed
 * @UB_PLAN_OP_FLAG_FLAT_BUILD: a READ of everything on a Qualcomm EDL phone
 *   into the folder @path as a flat build (rawprogram<N>.xml, patch<N>.xml and
 *   the images) that can be flashed back; @partition and @region are %NULL
 */
typedef enum {
	UB_PLAN_OP_FLAG_NONE = 0,
	UB_PLAN_OP_FLAG_ENGINE_NAME = 1 << 0,
	UB_PLAN_OP_FLAG_PSEUDO = 1 << 1,
	UB_PLAN_OP_FLAG_TABLE = 1 << 2,
	UB_PLAN_OP_FLAG_RESTORE = 1 << 3,
	UB_PLAN_OP_FLAG_KEEP_CALIBRATION = 1 << 4,
	UB_PLAN_OP_FLAG_FLAT_BUILD = 1 << 5,
} UbPlanOpFlags;

/**
 * UbPlanOp:
 * @kind: what to do
 * @partition: (nullable): target partition name
 * @region: (nullable): target region when @partition is %NULL
 * @offset: byte offset (in the partition or region)
 * @length: bytes (0: the whole partition, or the file size for writes)
 * @path: (nullable): source file for writes, destination file for reads
 * @reboot_mode: for %UB_PLAN_OP_REBOOT
 * @slot: (nullable): for a partition that only exists with A/B slots: "a", "b",
 *   "all", "other", or %NULL for the phone's current slot
 * @value: (nullable): kind-specific: the slot of SET_ACTIVE, the expected
 *   value of REQUIRE_VAR, the level of CHECK_ANTI, the text of COMMAND,
 *   "wipe" for UPDATE_SUPER, "format" or "format:FS" for ERASE
 * @variable: (nullable): the variable REQUIRE_VAR checks ("product")
 * @condition: (nullable): run only when it holds: "getvar:crc=1"
 * @package: (nullable): the package @file is streamed from, instead of @path
 * @file: (nullable): the image inside @package
 * @origin: (nullable): where the step comes from ("flash_all.sh:12"), for messages
 * @label: (nullable): for an op on a region (a flat-build entry): the name
 *   the package gives the range ("modem", "PrimaryGPT"), for messages; the
 *   target stays @region + @offset
 * @start_expr: (nullable): for an op on a region: its start as a Qualcomm
 *   sector expression ("NUM_DISK_SECTORS-5.") the executor evaluates against
 *   the region's size before the op runs; @offset is then ignored
 * @sector_size: bytes per sector for @start_expr (0 when unused)
 * @file_offset: for writes, bytes of the image skipped before the data
 *   (a flat build's file_sector_offset * sector size): the op writes the
 *   image from there, at most @length bytes when @length is set
 * @flags: #UbPlanOpFlags
 *
 * One step of a plan, as front-ends build it from a package or the user.
 */
typedef struct {
	UbPlanOpKind kind;
	gchar *partition;
	gchar *region;
	guint64 offset;
	guint64 length;
	gchar *path;
	UbRebootMode reboot_mode;
	gchar *slot;
	gchar *value;
	gchar *variable;
	gchar *condition;
	UbPackage *package;
	gchar *file;
	gchar *origin;
	gchar *label;
	gchar *start_expr;
	guint32 sector_size;
	guint64 file_offset;
	guint flags;
} UbPlanOp;

/**
 * UbPlanLayoutRow:
 * @name: the partition name
 * @region: the device region ("user", "lun2")
 * @start: byte offset in @region; ignored when @pseudo is set
 * @size: bytes
 * @pseudo: the scatter's end-relative pseudo address (0xFFFF0080), or 0
 * @combo: combo_partsize_check: compared with the next row as one range
 *
 * One partition of the layout a package brings (a scatter's user-area rows).
 */
typedef struct {
	gchar *name;
	gchar *region;
	guint64 start;
	guint64 size;
	guint64 pseudo;
	gboolean combo;
} UbPlanLayoutRow;

const gchar *
ub_plan_kind_to_string(UbPlanKind kind);
const gchar *
ub_plan_op_kind_to_string(UbPlanOpKind kind);

#define UB_TYPE_PLAN (ub_plan_get_type())
G_DECLARE_FINAL_TYPE(UbPlan, ub_plan, UB, PLAN, GObject)

UbPlan *
ub_plan_new(UbPlanKind kind);
UbPlanKind
ub_plan_get_kind(UbPlan *self);
UbPlanOp *
ub_plan_add_write(UbPlan *self, const gchar *partition, const gchar *path);
UbPlanOp *
ub_plan_add_read(UbPlan *self, const gchar *partition, const gchar *path);
UbPlanOp *
ub_plan_add_erase(UbPlan *self, const gchar *partition);
UbPlanOp *
ub_plan_add_op(UbPlan *self,
	       UbPlanOpKind kind,
	       const gchar *partition,
	       const gchar *region,
	       guint64 offset,
	       guint64 length,
	       const gchar *path);
UbPlanOp *
ub_plan_add_reboot(UbPlan *self, UbRebootMode mode);
UbPlanOp *
ub_plan_add_simple(UbPlan *self, UbPlanOpKind kind, const gchar *value);
void
ub_plan_op_set_package_file(UbPlanOp *op, UbPackage *package, const gchar *file);
const gchar *
ub_plan_op_get_source_name(UbPlanOp *op);
GPtrArray *
ub_plan_get_ops(UbPlan *self);

void
ub_plan_set_verify(UbPlan *self, gboolean verify);
gboolean
ub_plan_get_verify(UbPlan *self);
void
ub_plan_set_allow_calibration(UbPlan *self, gboolean allow);
gboolean
ub_plan_get_allow_calibration(UbPlan *self);
void
ub_plan_set_backup_dir(UbPlan *self, const gchar *backup_dir);
const gchar *
ub_plan_get_backup_dir(UbPlan *self);
void
ub_plan_set_allow_lock(UbPlan *self, gboolean allow);
gboolean
ub_plan_get_allow_lock(UbPlan *self);
void
ub_plan_add_layout_row(UbPlan *self,
		       const gchar *name,
		       const gchar *region,
		       guint64 start,
		       guint64 size,
		       guint64 pseudo,
		       gboolean combo);
GPtrArray *
ub_plan_get_layout(UbPlan *self);
void
ub_plan_set_layout_block_size(UbPlan *self, guint64 block_size);
guint64
ub_plan_get_layout_block_size(UbPlan *self);
gboolean
ub_plan_layout_resolve(UbPlan *self,
		       const UbPlanLayoutRow *row,
		       guint64 region_size,
		       guint64 *start);

void
ub_plan_add_note(UbPlan *self, const gchar *fmt, ...) G_GNUC_PRINTF(2, 3);
GPtrArray *
ub_plan_get_notes(UbPlan *self);

G_END_DECLS
