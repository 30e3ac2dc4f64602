/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-gpt.h"
#include "formats/ub-mtk-checksum.h"
#include "formats/ub-qcom-expr.h"
#include "formats/ub-scatter.h"
#include "formats/ub-sparse-image.h"
#include "ub-backup.h"
#include "ub-checksum-output-stream.h"
#include "ub-compare-output-stream.h"
#include "ub-error.h"
#include "ub-plan-executor.h"

/*
 * The one place where Download / Read back / Format semantics and the safety
 * rules live. Engines only move bytes; this decides whether moving them is
 * safe, checks everything it can before the first byte is written, backs up
 * calibration data the user agreed to overwrite, and verifies what it wrote.
 *
 * Package plans add checks that run before anything is written (product and
 * anti-rollback), commands that need consent (locking), steps that change
 * what the phone reports (reboot into fastbootd, update-super: the steps after
 * them are checked again when they run) and conditional steps.
 *
 * Ops on a region (a flat build's entries: LUN + byte range, the start maybe a
 * sector expression such as NUM_DISK_SECTORS-5.) are resolved against the
 * region size the phone reports, range-checked, and refused when the range
 * covers a calibration partition of the phone's table (or the package calls
 * the range by a calibration name) unless the user agreed; then those
 * partitions are read back first. Every backup folder gets a backup.json
 * manifest (ub-backup.c) that lists and restores it.
 *
 * MediaTek packages bring SP Flash Tool's semantics (mtk.md b.3-b.5), as ops
 * ub-package-plan.c builds from a scatter: CHECK_LAYOUT (Download Only refuses
 * when the phone's table differs from the scatter), CHECK_SUM (Checksum.ini,
 * before anything is written), BACKUP / WRITE_LAYOUT / RESTORE (Firmware
 * Upgrade keeps the calibration partitions through a layout change: read
 * back, new table, images, written back where the new table puts them and
 * compared byte for byte), the preloader by its engine name, end-relative
 * pseudo addresses placed from the phone's table, and an erase that leaves the
 * calibration partitions alone ("format whole flash except bootloader").
 */

/* calibration data read back before a step overwrites or erases it */
typedef struct {
	gchar *name;   /* nullable: a partition name, else @region + @offset + @size */
	gchar *label;  /* the image's file name without .img */
	gchar *region; /* nullable */
	guint64 offset;
	guint64 size; /* 0: the whole partition */
	gboolean restore; /* RESTORE writes it back */
} UbPlanBackupTarget;

/* a backup of this run, by partition name, for RESTORE */
typedef struct {
	gchar *path;
	gchar *region;
	guint64 offset;
	guint64 size;
	gboolean restore;
} UbPlanRestoreItem;

typedef struct {
	UbPlanOp *op;
	gchar *name;		/* the partition written: op->partition with its slot */
	UbPartition *partition; /* nullable, not owned */
	guint64 offset;		/* where in the partition or region: op->offset or the start_expr */
	guint64 size;		/* bytes this op moves */
	guint64 length;		/* erases and reads: op->length, or a piece of the range */
	GPtrArray *backups;	/* nullable, of UbPlanBackupTarget: calibration data the user
				   agreed to overwrite */
	gboolean verify;
	gboolean deferred;	/* names checked when it runs: after a mode switch or a condition */
	gboolean start_pending; /* a start_expr with no phone to resolve it yet (preflight) */
	guint32 align;		/* the target's sector size when reads must be whole sectors */
} UbPlanStep;

/* what one execution shares between its steps */
typedef struct {
	gchar *backup_dir;
	UbBackup *backup;	 /* nullable until the first image */
	GHashTable *backed_up; /* keys of the targets already read in this run */
	GHashTable *restorable; /* partition name -> UbPlanRestoreItem */
	GPtrArray *restore_order; /* of utf8: names in backup order */
} UbPlanRun;

static void
ub_plan_restore_item_free(UbPlanRestoreItem *item)
{
	g_free(item->path);
	g_free(item->region);
	g_free(item);
}

static void
ub_plan_backup_target_free(UbPlanBackupTarget *target)
{
	g_free(target->name);
	g_free(target->label);
	g_free(target->region);
	g_free(target);
}

static void
ub_plan_run_clear(UbPlanRun *run)
{
	g_free(run->backup_dir);
	g_clear_object(&run->backup);
	g_clear_pointer(&run->backed_up, g_hash_table_unref);
	g_clear_pointer(&run->restorable, g_hash_table_unref);
	g_clear_pointer(&run->restore_order, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UbPlanRun, ub_plan_run_clear)

/* what users call the step: the partition, the package's label, or the region */
static const gchar *
ub_plan_step_get_label(UbPlanStep *step)
{
	if (step->name != NULL)
		return step->name;
	if (step->op->label != NULL)
		return step->op->label;
	return step->op->region;
}

static UbPlanBackupTarget *
ub_plan_step_add_backup(UbPlanStep *step,
			const gchar *name,
			const gchar *label,
			const gchar *region,
			guint64 offset,
			guint64 size)
{
	UbPlanBackupTarget *target;
	if (step->backups == NULL)
		step->backups =
		    g_ptr_array_new_with_free_func((GDestroyNotify)ub_plan_backup_target_free);
	for (guint i = 0; name != NULL && i < step->backups->len; i++) {
		target = g_ptr_array_index(step->backups, i);
		if (g_strcmp0(target->name, name) == 0)
			return target;
	}
	target = g_new0(UbPlanBackupTarget, 1);
	target->name = g_strdup(name);
	target->label = g_strdup(label);
	target->region = g_strdup(region);
	target->offset = offset;
	target->size = size;
	g_ptr_array_add(step->backups, target);
	return target;
}

/* "boot_ab": Xiaomi's name for every slot, passed through to the bootloader */
static gchar *
ub_plan_ab_base(const gchar *name, GPtrArray *partitions)
{
	g_autofree gchar *base = NULL;
	g_autofree gchar *name_a = NULL;
	g_autofree gchar *name_b = NULL;
	gsize len;
	if (name == NULL || partitions == NULL || !g_str_has_suffix(name, "_ab"))
		return NULL;
	len = strlen(name);
	if (len <= 3 || ub_partition_array_find(partitions, name) != NULL)
		return NULL;
	base = g_strndup(name, len - 3);
	name_a = g_strdup_printf("%s_a", base);
	name_b = g_strdup_printf("%s_b", base);
	if (ub_partition_array_find(partitions, name_a) == NULL ||
	    ub_partition_array_find(partitions, name_b) == NULL)
		return NULL;
	return g_steal_pointer(&base);
}

/* names a bootloader takes but does not list: MiFlash's CRC lists, which the
 * Xiaomi bootloader checks the following images against */
static gboolean
ub_plan_name_is_pseudo(const gchar *name)
{
	return g_strcmp0(name, "crclist") == 0 || g_strcmp0(name, "sparsecrclist") == 0;
}

static gboolean
ub_plan_op_is_lock(UbPlanOp *op)
{
	g_auto(GStrv) words = NULL;
	if (op->kind != UB_PLAN_OP_COMMAND || op->value == NULL)
		return FALSE;
	words = g_strsplit_set(op->value, " \t", -1);
	if (g_strv_length(words) < 2)
		return FALSE;
	if (g_strcmp0(words[0], "oem") == 0)
		return g_strcmp0(words[1], "lock") == 0 || g_strcmp0(words[1], "relock") == 0;
	if (g_strcmp0(words[0], "flashing") == 0)
		return g_str_has_prefix(words[1], "lock");
	return FALSE;
}

/* steps after these see another partition list */
static gboolean
ub_plan_op_changes_table(UbPlanOp *op)
{
	if (op->kind == UB_PLAN_OP_UPDATE_SUPER || op->kind == UB_PLAN_OP_SET_ACTIVE ||
	    op->kind == UB_PLAN_OP_WRITE_LAYOUT)
		return TRUE;
	if (op->kind == UB_PLAN_OP_WRITE && (op->flags & UB_PLAN_OP_FLAG_TABLE) > 0)
		return TRUE;
	return op->kind == UB_PLAN_OP_REBOOT && (op->reboot_mode == UB_REBOOT_MODE_BOOTLOADER ||
						 op->reboot_mode == UB_REBOOT_MODE_FASTBOOTD);
}

static gboolean
ub_plan_op_has_target(UbPlanOp *op)
{
	return op->kind == UB_PLAN_OP_WRITE || op->kind == UB_PLAN_OP_READ ||
	       op->kind == UB_PLAN_OP_ERASE;
}

static gboolean
ub_plan_op_targets_calibration(UbPlanOp *op, const gchar *name)
{
	if (op->kind != UB_PLAN_OP_WRITE && op->kind != UB_PLAN_OP_ERASE)
		return FALSE;
	return ub_partition_name_is_calibration(name);
}

static void
ub_plan_step_clear(UbPlanStep *step)
{
	g_free(step->name);
	g_clear_pointer(&step->backups, g_ptr_array_unref);
}

static gboolean
ub_plan_file_size(const gchar *path, guint64 *size, GError **error)
{
	GStatBuf st = {0};
	if (g_stat(path, &st) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "cannot read image %s: %s",
			    path,
			    g_strerror(errno));
		return FALSE;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s is not a regular file", path);
		return FALSE;
	}
	*size = (guint64)st.st_size;
	return TRUE;
}

/* the size of the op's image, from the package or the file */
static gboolean
ub_plan_image_size(UbPlanOp *op, guint64 *size, GError **error)
{
	if (op->package != NULL) {
		if (!ub_package_query_file_size(op->package, op->file, size, NULL, error)) {
			g_prefix_error(error, "cannot read image %s: ", op->file);
			return FALSE;
		}
	} else if (!ub_plan_file_size(op->path, size, error)) {
		return FALSE;
	}

	/* a slice of a bigger file (file_sector_offset): from there, at most
	 * the length the package gives it */
	if (op->file_offset > 0) {
		if (op->file_offset >= *size) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "image %s has %" G_GUINT64_FORMAT " bytes, the package reads "
				    "it from byte %" G_GUINT64_FORMAT,
				    ub_plan_op_get_source_name(op),
				    *size,
				    op->file_offset);
			return FALSE;
		}
		*size -= op->file_offset;
		if (op->length != 0 && *size > op->length)
			*size = op->length;
	}
	return TRUE;
}

/* "LUN 4", "the eMMC user area" */
static gchar *
ub_plan_region_to_text(const gchar *region)
{
	if (g_str_has_prefix(region, "lun"))
		return g_strdup_printf("LUN %s", region + 3);
	return g_strdup_printf("the eMMC %s area", region);
}

static gboolean
ub_plan_eval_start(UbPlanOp *op,
		   const UbDeviceRegion *region,
		   guint64 *offset,
		   GError **error)
{
	guint32 ss = op->sector_size != 0 ? op->sector_size : region->sector_size;
	UbQcomExprContext ctx = {
	    .num_disk_sectors = ss != 0 ? region->size / ss : 0,
	    .num_disk_sectors_known = ss != 0,
	};
	guint64 sector = 0;
	if (!ub_qcom_expr_eval(op->start_expr, &ctx, &sector, error)) {
		g_prefix_error(error,
			       "cannot place %s at %s: ",
			       op->label != NULL ? op->label : op->region,
			       op->start_expr);
		return FALSE;
	}
	if (!g_uint64_checked_mul(offset, sector, ss)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s evaluates to sector %" G_GUINT64_FORMAT ", beyond any disk",
			    op->start_expr,
			    sector);
		return FALSE;
	}
	return TRUE;
}

/* "modemst1 (modem EFS: ...)", joined with "and" */
static void
ub_plan_append_hit(GString *hits, const gchar *name)
{
	const gchar *reason = ub_partition_calibration_reason(name);
	if (hits->len > 0)
		g_string_append(hits, " and ");
	g_string_append_printf(hits, "%s (%s)", name, reason != NULL ? reason : "calibration data");
}

/* a write or erase whose range covers calibration data: refused without
 * consent, else those partitions are backed up first */
static gboolean
ub_plan_check_overlap(UbPlan *plan,
		      UbPlanOp *op,
		      GPtrArray *partitions,
		      const UbDeviceRegion *region,
		      UbPlanStep *step,
		      guint64 extent,
		      GError **error)
{
	guint64 start = step->offset;
	guint64 end = extent > G_MAXUINT64 - start ? G_MAXUINT64 : start + extent;
	UbPartition *by_label = NULL;
	const gchar *hit = NULL;
	g_autoptr(GString) hits = g_string_new(NULL);

	/* the package itself calls the range calibration data */
	if (op->label != NULL && ub_partition_name_is_calibration(op->label)) {
		hit = op->label;
		ub_plan_append_hit(hits, op->label);
		if (partitions != NULL) {
			UbPartition *part = ub_partition_array_find(partitions, op->label);
			if (part != NULL && g_strcmp0(ub_partition_get_region(part), op->region) == 0)
				by_label = part;
		}
		if (by_label != NULL)
			ub_plan_step_add_backup(step,
						op->label,
						op->label,
						op->region,
						ub_partition_get_offset(by_label),
						ub_partition_get_size(by_label));
		else if (!step->start_pending && region != NULL)
			ub_plan_step_add_backup(step,
						NULL,
						op->label,
						op->region,
						start,
						MIN(end, region->size) - start);
	}

	/* what the phone's own table has under the range */
	for (guint i = 0; partitions != NULL && !step->start_pending && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		if (part == by_label || !ub_partition_is_calibration(part) ||
		    g_strcmp0(ub_partition_get_region(part), op->region) != 0)
			continue;
		if (ub_partition_get_offset(part) >= end || ub_partition_get_end(part) <= start)
			continue;
		if (hit == NULL)
			hit = ub_partition_get_name(part);
		ub_plan_append_hit(hits, ub_partition_get_name(part));
		ub_plan_step_add_backup(step,
					ub_partition_get_name(part),
					ub_partition_get_name(part),
					op->region,
					ub_partition_get_offset(part),
					ub_partition_get_size(part));
	}
	if (hit != NULL && !ub_plan_get_allow_calibration(plan)) {
		g_autofree gchar *where = ub_plan_region_to_text(op->region);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%s %s would overwrite %s on %s, this phone's own data that no "
			    "firmware package can restore; it is left alone unless you explicitly "
			    "allow changing calibration partitions (--allow-calibration), which "
			    "backs it up first",
			    op->kind == UB_PLAN_OP_ERASE ? "erasing" : "writing",
			    op->label != NULL ? op->label : "this range",
			    hits->str,
			    where);
		return FALSE;
	}
	return TRUE;
}

/* a partition of @region by name, as old upper-case scatters spell it too */
static UbPartition *
ub_plan_find_in_region(GPtrArray *partitions, const gchar *name, const gchar *region)
{
	for (guint i = 0; partitions != NULL && name != NULL && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		if (g_ascii_strcasecmp(ub_partition_get_name(part), name) != 0)
			continue;
		if (region != NULL && g_strcmp0(ub_partition_get_region(part), region) != 0)
			continue;
		return part;
	}
	return NULL;
}

/* a MediaTek end-relative pseudo address: where the phone's table has the
 * partition, else the scatter's arithmetic against the region's size */
static gboolean
ub_plan_resolve_pseudo(UbPlan *plan,
		       UbPlanOp *op,
		       const UbDeviceRegion *region,
		       GPtrArray *partitions,
		       UbPlanStep *step,
		       GError **error)
{
	UbPartition *part = ub_plan_find_in_region(partitions, op->label, op->region);
	UbPlanLayoutRow row = {
	    .name = op->label,
	    .region = op->region,
	    .size = op->length,
	    .pseudo = op->offset,
	};
	if (part != NULL) {
		step->offset = ub_partition_get_offset(part);
		return TRUE;
	}
	if (region == NULL) {
		step->start_pending = TRUE;
		return TRUE;
	}
	if (!ub_plan_layout_resolve(plan, &row, region->size, &step->offset)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%s at 0x%" G_GINT64_MODIFIER "x (counted from the end) does not fit "
			    "%s of 0x%" G_GINT64_MODIFIER "x bytes; check that the package is for "
			    "this phone",
			    op->label != NULL ? op->label : op->region,
			    op->offset,
			    op->region,
			    region->size);
		return FALSE;
	}
	return TRUE;
}

/* an op on a region: the phone must have it, the start is resolved, the
 * range must lie inside it and must not cover calibration data unasked */
static gboolean
ub_plan_check_region(UbPlan *plan,
		     UbPlanOp *op,
		     UbDevice *device,
		     GPtrArray *partitions,
		     UbPlanStep *step,
		     GError **error)
{
	const UbDeviceRegion *region =
	    device != NULL ? ub_device_find_region(device, op->region) : NULL;
	const gchar *label = op->label != NULL ? op->label : op->region;
	guint32 ss = op->sector_size;
	guint64 extent = G_MAXUINT64;

	if (device != NULL && region == NULL) {
		g_autofree gchar *where = ub_plan_region_to_text(op->region);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "%s goes to %s (%s), which this phone does not report; check that "
			    "the package is for this phone and its storage type",
			    label,
			    where,
			    op->region);
		return FALSE;
	}
	if (region != NULL && op->sector_size != 0 && op->sector_size != region->sector_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%s is laid out in %u-byte sectors but %s of this phone has %u-byte "
			    "sectors: the package is for another storage type (eMMC uses 512, "
			    "UFS 4096)",
			    label,
			    op->sector_size,
			    op->region,
			    region->sector_size);
		return FALSE;
	}
	if (ss == 0 && region != NULL)
		ss = region->sector_size;
	if (region != NULL)
		step->align = region->sector_size;
	step->offset = op->offset;
	if (op->start_expr != NULL) {
		if (region == NULL)
			step->start_pending = TRUE;
		else if (!ub_plan_eval_start(op, region, &step->offset, error))
			return FALSE;
	} else if ((op->flags & UB_PLAN_OP_FLAG_PSEUDO) > 0 &&
		   !ub_plan_resolve_pseudo(plan, op, region, partitions, step, error)) {
		return FALSE;
	}

	/* how far it reaches */
	switch (op->kind) {
	case UB_PLAN_OP_WRITE:
		extent = step->size;
		if (ss > 1 && extent % ss != 0)
			extent += ss - extent % ss;
		extent = MAX(extent, op->length);
		break;
	case UB_PLAN_OP_READ:
	case UB_PLAN_OP_ERASE:
		if (step->length != 0)
			extent = step->length;
		else if (region != NULL && !step->start_pending && step->offset <= region->size)
			extent = region->size - step->offset;
		break;
	case UB_PLAN_OP_REBOOT:
	case UB_PLAN_OP_SET_ACTIVE:
	case UB_PLAN_OP_REQUIRE_VAR:
	case UB_PLAN_OP_CHECK_ANTI:
	case UB_PLAN_OP_COMMAND:
	case UB_PLAN_OP_UPDATE_SUPER:
	case UB_PLAN_OP_CHECK_LAYOUT:
	case UB_PLAN_OP_CHECK_SUM:
	case UB_PLAN_OP_BACKUP:
	case UB_PLAN_OP_WRITE_LAYOUT:
	case UB_PLAN_OP_RESTORE:
	case UB_PLAN_OP_LAST:
	default:
		return TRUE;
	}
	if (region != NULL && !step->start_pending &&
	    (step->offset > region->size || extent > region->size - step->offset)) {
		g_autofree gchar *where = ub_plan_region_to_text(op->region);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%s: bytes 0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER
			    "x are outside %s (%s, 0x%" G_GINT64_MODIFIER "x bytes); check that "
			    "the package is for this phone",
			    label,
			    step->offset,
			    extent,
			    where,
			    op->region,
			    region->size);
		return FALSE;
	}
	if (op->kind == UB_PLAN_OP_READ) {
		if (step->size == 0 && extent != G_MAXUINT64)
			step->size = extent;
		return TRUE;
	}
	return ub_plan_check_overlap(plan, op, partitions, region, step, extent, error);
}

/* Checksum.ini values: "0x1a2b" */
static gboolean
ub_plan_parse_sum(UbPlanOp *op, guint16 *sum, GError **error)
{
	const gchar *str = op->value != NULL ? op->value : "";
	guint64 value = 0;
	if (g_str_has_prefix(str, "0x") || g_str_has_prefix(str, "0X"))
		str += 2;
	if (!g_ascii_string_to_unsigned(str, 16, 0, G_MAXUINT16, &value, NULL)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s: '%s' is not a 16-bit checksum",
			    op->origin != NULL ? op->origin : "checksum",
			    op->value != NULL ? op->value : "");
		return FALSE;
	}
	*sum = (guint16)value;
	return TRUE;
}

/* what a BACKUP reads: the named partition, or every calibration partition */
static void
ub_plan_check_backup(UbPlanOp *op, GPtrArray *partitions, UbPlanStep *step)
{
	for (guint i = 0; partitions != NULL && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		UbPlanBackupTarget *target;
		if (ub_partition_get_is_logical(part))
			continue;
		if (op->partition != NULL
			? g_ascii_strcasecmp(ub_partition_get_name(part), op->partition) != 0
			: !ub_partition_is_calibration(part))
			continue;
		target = ub_plan_step_add_backup(step,
						 ub_partition_get_name(part),
						 ub_partition_get_name(part),
						 ub_partition_get_region(part),
						 ub_partition_get_offset(part),
						 ub_partition_get_size(part));
		if ((op->flags & UB_PLAN_OP_FLAG_RESTORE) > 0)
			target->restore = TRUE;
		step->size += ub_partition_get_size(part);
	}
}

/* pgpt, sgpt: the partition table's own rows */
static gboolean
ub_plan_layout_row_is_table(const UbPlanLayoutRow *row)
{
	return row->pseudo == UB_SCATTER_PSEUDO_MIN || g_ascii_strcasecmp(row->name, "pgpt") == 0 ||
	       g_ascii_strcasecmp(row->name, "sgpt") == 0;
}

static const UbPlanLayoutRow *
ub_plan_layout_find(UbPlan *plan, const gchar *name, const gchar *region)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	for (guint i = 0; i < layout->len; i++) {
		const UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		if (g_ascii_strcasecmp(row->name, name) == 0 &&
		    (region == NULL || g_strcmp0(row->region, region) == 0))
			return row;
	}
	return NULL;
}

/* the partition table of the package: every row fits the phone's region, and
 * the calibration partitions the phone has keep room for their backups */
static gboolean
ub_plan_check_write_layout(UbPlan *plan,
			   UbPlanOp *op,
			   UbDevice *device,
			   GPtrArray *partitions,
			   GError **error)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	const UbDeviceRegion *region =
	    device != NULL && op->region != NULL ? ub_device_find_region(device, op->region) : NULL;
	gboolean restores = FALSE;
	if (op->region == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "writing a partition table needs the region it is for");
		return FALSE;
	}
	if (device != NULL && region == NULL) {
		g_autofree gchar *where = ub_plan_region_to_text(op->region);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "the package's partition table is for %s (%s), which this phone does "
			    "not report; check that the package is for this phone and its storage "
			    "type",
			    where,
			    op->region);
		return FALSE;
	}
	for (guint i = 0; region != NULL && i < layout->len; i++) {
		const UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		guint64 start = 0;
		if (g_strcmp0(row->region, op->region) != 0)
			continue;
		if (!ub_plan_layout_resolve(plan, row, region->size, &start)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "partition %s of the package does not fit %s of this phone "
				    "(0x%" G_GINT64_MODIFIER "x bytes); the package is for a phone "
				    "with more storage",
				    row->name,
				    op->region,
				    region->size);
			return FALSE;
		}
	}
	/* only a plan that restores the backups needs the room (Format All does not) */
	for (guint i = 0; i < ub_plan_get_ops(plan)->len && !restores; i++) {
		UbPlanOp *tmp = g_ptr_array_index(ub_plan_get_ops(plan), i);
		restores = tmp->kind == UB_PLAN_OP_RESTORE;
	}
	for (guint i = 0; restores && partitions != NULL && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		const UbPlanLayoutRow *row;
		if (!ub_partition_is_calibration(part) ||
		    g_strcmp0(ub_partition_get_region(part), op->region) != 0)
			continue;
		row = ub_plan_layout_find(plan, ub_partition_get_name(part), op->region);
		if (row != NULL && row->size < ub_partition_get_size(part)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "%s holds 0x%" G_GINT64_MODIFIER "x bytes of this phone's "
				    "calibration data but the package's layout gives it only 0x%" G_GINT64_MODIFIER
				    "x: it could not be restored; nothing was written",
				    ub_partition_get_name(part),
				    ub_partition_get_size(part),
				    row->size);
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * The bytes of a row placed at @start: its size, or for a row without one (a
 * brace scatter's last partitions, the MBR/EBR era's FAT of size 0, "the
 * rest") up to the next row of its region or the region's end.
 */
static guint64
ub_plan_layout_row_extent(UbPlan *plan,
			  const UbPlanLayoutRow *row,
			  guint64 start,
			  guint64 region_size)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	guint64 end = region_size;
	if (row->size != 0 || start >= region_size)
		return row->size;
	for (guint i = 0; i < layout->len; i++) {
		const UbPlanLayoutRow *tmp = g_ptr_array_index(layout, i);
		guint64 tmp_start = 0;
		if (tmp == row || g_strcmp0(tmp->region, row->region) != 0 ||
		    !ub_plan_layout_resolve(plan, tmp, region_size, &tmp_start))
			continue;
		if (tmp_start > start && tmp_start < end)
			end = tmp_start;
	}
	return end - start;
}

/* "0x8000+0x100000" */
static gchar *
ub_plan_range_to_text(guint64 start, guint64 size)
{
	return g_strdup_printf("0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x", start, size);
}

/*
 * The first difference between the phone's table and the plan's layout
 * (mtk.md b.4: start and size per name; a combo_partsize_check pair as one
 * range; pseudo addresses placed in the phone's region), in @region or every
 * region of the layout; %NULL when they match.
 */
static gchar *
ub_plan_layout_diff(UbPlan *plan, UbDevice *device, GPtrArray *partitions, const gchar *region)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	for (guint i = 0; i < layout->len; i++) {
		const UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		const UbPlanLayoutRow *last = row;
		const UbDeviceRegion *dregion;
		UbPartition *pfirst;
		UbPartition *plast;
		g_autofree gchar *label = NULL;
		g_autofree gchar *want = NULL;
		g_autofree gchar *have = NULL;
		guint64 start = 0;
		guint64 end = 0;

		if (region != NULL && g_strcmp0(row->region, region) != 0)
			continue;
		/* the table itself (sgpt) is not one of its partitions */
		if (ub_plan_layout_row_is_table(row))
			continue;
		if (row->combo && i + 1 < layout->len) {
			const UbPlanLayoutRow *next = g_ptr_array_index(layout, i + 1);
			if (g_strcmp0(next->region, row->region) == 0) {
				last = next;
				i++;
			}
		}
		label = last != row ? g_strdup_printf("%s+%s", row->name, last->name)
				    : g_strdup(row->name);
		dregion = ub_device_find_region(device, row->region);
		if (dregion == NULL)
			return g_strdup_printf("%s: the phone has no %s region", label, row->region);
		if (!ub_plan_layout_resolve(plan, row, dregion->size, &start))
			return g_strdup_printf("%s: does not fit the phone's %s", label, row->region);
		end = start + ub_plan_layout_row_extent(plan, row, start, dregion->size);
		if (last != row) {
			guint64 start2 = 0;
			if (!ub_plan_layout_resolve(plan, last, dregion->size, &start2))
				return g_strdup_printf("%s: does not fit the phone's %s",
						       label,
						       row->region);
			end = start2 + last->size;
		}
		want = ub_plan_range_to_text(start, end - start);
		pfirst = ub_plan_find_in_region(partitions, row->name, row->region);
		plast = ub_plan_find_in_region(partitions, last->name, row->region);
		if (pfirst == NULL || plast == NULL)
			return g_strdup_printf("%s: phone none, scatter %s", label, want);
		if (ub_partition_get_offset(pfirst) == start && ub_partition_get_end(plast) == end)
			continue;
		have = ub_plan_range_to_text(ub_partition_get_offset(pfirst),
					     ub_partition_get_end(plast) -
						 MIN(ub_partition_get_offset(pfirst),
						     ub_partition_get_end(plast)));
		return g_strdup_printf("%s: phone %s, scatter %s", label, have, want);
	}

	/* a partition the package's layout does not have */
	for (guint i = 0; partitions != NULL && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		const gchar *pregion = ub_partition_get_region(part);
		gboolean covered = FALSE;
		g_autofree gchar *have = NULL;
		if (ub_partition_get_is_logical(part) || pregion == NULL ||
		    (region != NULL && g_strcmp0(pregion, region) != 0))
			continue;
		for (guint j = 0; j < layout->len && !covered; j++) {
			const UbPlanLayoutRow *row = g_ptr_array_index(layout, j);
			covered = g_strcmp0(row->region, pregion) == 0;
		}
		if (!covered || ub_plan_layout_find(plan, ub_partition_get_name(part), pregion) != NULL)
			continue;
		have = ub_plan_range_to_text(ub_partition_get_offset(part), ub_partition_get_size(part));
		return g_strdup_printf("%s: phone %s, scatter none", ub_partition_get_name(part), have);
	}
	return NULL;
}

/* the layout as the phone will report it once WRITE_LAYOUT ran: the current
 * table with the layout's regions replaced */
static GPtrArray *
ub_plan_layout_to_partitions(UbPlan *plan, UbDevice *device, GPtrArray *partitions)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	GPtrArray *future = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; partitions != NULL && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		gboolean replaced = FALSE;
		for (guint j = 0; j < layout->len && !replaced; j++) {
			const UbPlanLayoutRow *row = g_ptr_array_index(layout, j);
			replaced = g_strcmp0(row->region, ub_partition_get_region(part)) == 0;
		}
		if (!replaced)
			g_ptr_array_add(future, g_object_ref(part));
	}
	for (guint i = 0; i < layout->len; i++) {
		const UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		const UbDeviceRegion *region = ub_device_find_region(device, row->region);
		guint64 start = 0;
		if (ub_plan_layout_row_is_table(row) || region == NULL ||
		    !ub_plan_layout_resolve(plan, row, region->size, &start))
			continue;
		g_ptr_array_add(future,
				ub_partition_new(row->name,
						 row->region,
						 start,
						 ub_plan_layout_row_extent(plan, row, start, region->size)));
	}
	return future;
}

typedef struct {
	guint64 start;
	guint64 end;
} UbPlanRange;

static gint
ub_plan_range_cmp(gconstpointer a, gconstpointer b)
{
	const UbPlanRange *ra = a;
	const UbPlanRange *rb = b;
	if (ra->start != rb->start)
		return ra->start < rb->start ? -1 : 1;
	return 0;
}

/*
 * "Format whole flash except bootloader" keeping calibration data: the
 * range is erased in pieces around the phone's calibration partitions and
 * around its partition tables (before the first and after the last
 * partition): without the table nobody finds the data that was kept.
 */
static gboolean
ub_plan_check_keep_calibration(UbPlanOp *op,
			       UbDevice *device,
			       GPtrArray *partitions,
			       GArray *steps,
			       UbProgress *progress,
			       GError **error)
{
	const UbDeviceRegion *region = ub_device_find_region(device, op->region);
	g_autoptr(GArray) keep = g_array_new(FALSE, FALSE, sizeof(UbPlanRange));
	g_autoptr(GString) kept = g_string_new(NULL);
	guint64 lo = G_MAXUINT64;
	guint64 hi = 0;
	guint64 start = op->offset;
	guint64 end;
	guint64 cur;

	if (region == NULL) {
		g_autofree gchar *where = ub_plan_region_to_text(op->region);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "this phone does not report %s (%s)",
			    where,
			    op->region);
		return FALSE;
	}
	if (start > region->size || op->length > region->size - start) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "bytes 0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER
			    "x are outside %s (0x%" G_GINT64_MODIFIER "x bytes)",
			    start,
			    op->length,
			    op->region,
			    region->size);
		return FALSE;
	}
	end = op->length != 0 ? start + op->length : region->size;
	for (guint i = 0; partitions != NULL && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		UbPlanRange range = {ub_partition_get_offset(part), ub_partition_get_end(part)};
		if (g_strcmp0(ub_partition_get_region(part), op->region) != 0 ||
		    ub_partition_get_is_logical(part))
			continue;
		lo = MIN(lo, range.start);
		hi = MAX(hi, range.end);
		if (!ub_partition_is_calibration(part))
			continue;
		g_array_append_val(keep, range);
		g_string_append_printf(kept, "%s%s", kept->len > 0 ? ", " : "", ub_partition_get_name(part));
	}
	if (lo != G_MAXUINT64) {
		UbPlanRange head = {0, lo};
		UbPlanRange tail = {hi, region->size};
		g_array_append_val(keep, head);
		g_array_append_val(keep, tail);
	}
	g_array_sort(keep, ub_plan_range_cmp);
	cur = start;
	for (guint i = 0; i <= keep->len && cur < end; i++) {
		guint64 stop = end;
		if (i < keep->len) {
			UbPlanRange *range = &g_array_index(keep, UbPlanRange, i);
			if (range->end <= cur)
				continue;
			stop = MIN(range->start, end);
		}
		if (stop > cur) {
			UbPlanStep step = {0};
			step.op = op;
			step.offset = cur;
			step.length = stop - cur;
			step.align = region->sector_size;
			g_array_append_val(steps, step);
		}
		if (i < keep->len)
			cur = MAX(cur, g_array_index(keep, UbPlanRange, i).end);
	}
	if (progress != NULL) {
		ub_progress_log(progress,
				"erasing %s around %s%sthe partition tables: calibration data is only "
				"erased when you allow it (--allow-calibration)",
				op->region,
				kept->str,
				kept->len > 0 ? " and " : "");
	}
	return TRUE;
}

/* a dynamic partition the bootloader does not list, on a phone with super */
static gboolean
ub_plan_name_is_logical(const gchar *name, GPtrArray *partitions)
{
	return ub_partition_name_is_dynamic(name) && partitions != NULL &&
	       ub_partition_array_find(partitions, name) == NULL &&
	       ub_partition_array_find(partitions, "super") != NULL;
}

/* a READ of everything as a flat build: the EDL engine knows its LUNs */
static gboolean
ub_plan_check_flat_build(UbPlanOp *op,
			 UbDevice *device,
			 GPtrArray *partitions,
			 UbPlanStep *step,
			 GError **error)
{
	if (op->path == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no folder given to read the flat build into");
		return FALSE;
	}
	if (device != NULL && !UB_IS_EDL_DEVICE(device)) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "a flat build (rawprogram0.xml) is read back from a Qualcomm "
				    "EDL phone only");
		return FALSE;
	}
	/* the weight: what the partitions hold, the tables are small */
	step->size = 0;
	for (guint i = 0; partitions != NULL && i < partitions->len; i++)
		step->size += ub_partition_get_size(g_ptr_array_index(partitions, i));
	return TRUE;
}

static gboolean
ub_plan_check_op(UbPlan *plan,
		 UbPlanOp *op,
		 const gchar *name,
		 UbDevice *device,
		 GPtrArray *partitions,
		 UbPlanStep *step,
		 GError **error)
{
	UbPartition *part = NULL;

	step->op = op;
	step->name = g_strdup(name);
	step->offset = op->offset;
	step->length = op->length;
	switch (op->kind) {
	case UB_PLAN_OP_REBOOT:
	case UB_PLAN_OP_REQUIRE_VAR:
	case UB_PLAN_OP_CHECK_ANTI:
	case UB_PLAN_OP_RESTORE:
		return TRUE;
	case UB_PLAN_OP_CHECK_LAYOUT:
		if (ub_plan_get_layout(plan)->len == 0) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "the plan has no partition layout to compare with the phone");
			return FALSE;
		}
		return TRUE;
	case UB_PLAN_OP_CHECK_SUM: {
		guint16 sum = 0;
		if (op->path == NULL && op->file == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "a checksum needs the image it is for");
			return FALSE;
		}
		return ub_plan_parse_sum(op, &sum, error);
	}
	case UB_PLAN_OP_BACKUP:
		ub_plan_check_backup(op, partitions, step);
		return TRUE;
	case UB_PLAN_OP_WRITE_LAYOUT:
		return ub_plan_check_write_layout(plan, op, device, partitions, error);
	case UB_PLAN_OP_SET_ACTIVE:
		if (g_strcmp0(op->value, "a") != 0 && g_strcmp0(op->value, "b") != 0 &&
		    g_strcmp0(op->value, "other") != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "set_active takes a, b or other, not '%s'",
				    op->value != NULL ? op->value : "");
			return FALSE;
		}
		return TRUE;
	case UB_PLAN_OP_COMMAND:
		if (op->value == NULL || op->value[0] == '\0') {
			g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "empty command");
			return FALSE;
		}
		if (ub_plan_op_is_lock(op) && !ub_plan_get_allow_lock(plan)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "the plan runs '%s', and locking with a modified image "
				    "bricks the phone; it runs only when you explicitly allow locking",
				    op->value);
			return FALSE;
		}
		return TRUE;
	case UB_PLAN_OP_UPDATE_SUPER:
		if (op->path == NULL && op->file == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "update-super needs the super_empty image");
			return FALSE;
		}
		return ub_plan_image_size(op, &step->size, error);
	case UB_PLAN_OP_WRITE:
	case UB_PLAN_OP_READ:
	case UB_PLAN_OP_ERASE:
	case UB_PLAN_OP_LAST:
	default:
		break;
	}
	if (op->kind == UB_PLAN_OP_READ && (op->flags & UB_PLAN_OP_FLAG_FLAT_BUILD) > 0)
		return ub_plan_check_flat_build(op, device, partitions, step, error);
	if (name == NULL && op->region == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s needs a partition name or a region",
			    ub_plan_op_kind_to_string(op->kind));
		return FALSE;
	}

	/* the target must exist on this phone: a missing name usually means a
	 * package for another model */
	if (name != NULL && partitions != NULL && !ub_plan_name_is_logical(name, partitions) &&
	    (op->flags & UB_PLAN_OP_FLAG_ENGINE_NAME) == 0 &&
	    !(op->kind == UB_PLAN_OP_WRITE && ub_plan_name_is_pseudo(name) &&
	      ub_partition_array_find(partitions, name) == NULL)) {
		g_autofree gchar *ab_base = ub_plan_ab_base(name, partitions);
		g_autofree gchar *ab_a = ab_base != NULL ? g_strdup_printf("%s_a", ab_base) : NULL;
		part = ub_partition_array_find(partitions, ab_a != NULL ? ab_a : name);
		if (part == NULL) {
			g_autofree gchar *name_a = g_strdup_printf("%s_a", name);
			g_autofree gchar *name_b = g_strdup_printf("%s_b", name);
			if (ub_partition_array_find(partitions, name_a) != NULL &&
			    ub_partition_array_find(partitions, name_b) != NULL) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_NOT_FOUND,
					    "the phone has two slots of '%s': name one, %s or %s",
					    name,
					    name_a,
					    name_b);
				return FALSE;
			}
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the phone has no partition called '%s'; check that the "
				    "package is for this model",
				    name);
			return FALSE;
		}
		if (op->offset > ub_partition_get_size(part) ||
		    op->length > ub_partition_get_size(part) - op->offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "range 0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER
				    "x is outside partition '%s' (0x%" G_GINT64_MODIFIER "x bytes)",
				    op->offset,
				    op->length,
				    name,
				    ub_partition_get_size(part));
			return FALSE;
		}
	}
	step->partition = part;
	if (part != NULL && device != NULL && ub_partition_get_region(part) != NULL) {
		const UbDeviceRegion *region =
		    ub_device_find_region(device, ub_partition_get_region(part));
		if (region != NULL)
			step->align = region->sector_size;
	}

	/* calibration data is never touched without consent, and then backed up */
	if (ub_plan_op_targets_calibration(op, name)) {
		if (!ub_plan_get_allow_calibration(plan)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "'%s' holds this phone's calibration data (IMEI, radio "
				    "calibration, MAC addresses) that no firmware package can "
				    "restore; it is left alone unless you explicitly allow "
				    "changing calibration partitions",
				    name);
			return FALSE;
		}
		ub_plan_step_add_backup(step,
					name,
					name,
					part != NULL ? ub_partition_get_region(part) : NULL,
					part != NULL ? ub_partition_get_offset(part) : 0,
					part != NULL ? ub_partition_get_size(part) : 0);
	}

	switch (op->kind) {
	case UB_PLAN_OP_WRITE:
		if (op->path == NULL && op->file == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no image file given for '%s'",
				    name != NULL ? name : op->region);
			return FALSE;
		}
		if (!ub_plan_image_size(op, &step->size, error))
			return FALSE;
		if (op->length != 0 && step->size > op->length) {
			if (op->label != NULL)
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_REFUSED,
					    "image %s (%" G_GUINT64_FORMAT " bytes) is larger than "
					    "%s (%" G_GUINT64_FORMAT " bytes in the package's layout); "
					    "the image is for another model or the package is damaged",
					    ub_plan_op_get_source_name(op),
					    step->size,
					    op->label,
					    op->length);
			else
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_REFUSED,
					    "image %s (%" G_GUINT64_FORMAT " bytes) is larger than the "
					    "%" G_GUINT64_FORMAT " bytes given for it",
					    ub_plan_op_get_source_name(op),
					    step->size,
					    op->length);
			return FALSE;
		}
		if (part != NULL && step->size > ub_partition_get_size(part) - op->offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "image %s (%" G_GUINT64_FORMAT " bytes) is larger than "
				    "partition '%s' (%" G_GUINT64_FORMAT " bytes); check that the "
				    "package is for this model",
				    ub_plan_op_get_source_name(op),
				    step->size,
				    name,
				    ub_partition_get_size(part) - op->offset);
			return FALSE;
		}
		/* a pseudo-partition cannot be read back, nor what the engine wraps */
		step->verify = ub_plan_get_verify(plan) &&
			       !(ub_plan_name_is_pseudo(name) && part == NULL) &&
			       (op->flags & UB_PLAN_OP_FLAG_ENGINE_NAME) == 0;
		break;
	case UB_PLAN_OP_READ:
		if (op->path == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no output file given for '%s'",
				    name != NULL ? name : op->region);
			return FALSE;
		}
		step->size = op->length;
		if (step->size == 0 && part != NULL)
			step->size = ub_partition_get_size(part) - op->offset;
		break;
	case UB_PLAN_OP_ERASE:
		step->size = 0;
		break;
	case UB_PLAN_OP_REBOOT:
	case UB_PLAN_OP_SET_ACTIVE:
	case UB_PLAN_OP_REQUIRE_VAR:
	case UB_PLAN_OP_CHECK_ANTI:
	case UB_PLAN_OP_COMMAND:
	case UB_PLAN_OP_UPDATE_SUPER:
	case UB_PLAN_OP_CHECK_LAYOUT:
	case UB_PLAN_OP_CHECK_SUM:
	case UB_PLAN_OP_BACKUP:
	case UB_PLAN_OP_WRITE_LAYOUT:
	case UB_PLAN_OP_RESTORE:
	case UB_PLAN_OP_LAST:
	default:
		break;
	}
	if (name == NULL && op->region != NULL)
		return ub_plan_check_region(plan, op, device, partitions, step, error);
	return TRUE;
}

/* the names an operation acts on: a partition that only exists with slots
 * goes to the current slot, the named one, or both */
static GPtrArray *
ub_plan_op_names(UbPlanOp *op, UbDevice *device, GPtrArray *partitions, UbProgress *progress)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *name_a = NULL;
	g_autofree gchar *name_b = NULL;
	const gchar *slot;

	g_autofree gchar *ab_base = NULL;
	g_autofree gchar *other = NULL;

	if (op->partition == NULL || partitions == NULL || device == NULL ||
	    (op->flags & UB_PLAN_OP_FLAG_ENGINE_NAME) > 0 ||
	    ub_partition_array_find(partitions, op->partition) != NULL) {
		g_ptr_array_add(names, g_strdup(op->partition));
		return names;
	}
	ab_base = ub_plan_ab_base(op->partition, partitions);
	if (ab_base != NULL) {
		if (progress != NULL)
			ub_progress_log(progress,
					"%s: both slots of %s, as the package names it",
					op->partition,
					ab_base);
		g_ptr_array_add(names, g_strdup(op->partition));
		return names;
	}
	name_a = g_strdup_printf("%s_a", op->partition);
	name_b = g_strdup_printf("%s_b", op->partition);
	/* a logical partition in super: the bootloader does not list it, the
	 * engine switches to fastbootd; it has slots like the rest of the phone */
	if (ub_plan_name_is_logical(op->partition, partitions) &&
	    !g_str_has_suffix(op->partition, "_a") && !g_str_has_suffix(op->partition, "_b")) {
		const gchar *current = g_hash_table_lookup(ub_device_get_extra(device), "current-slot");
		const gchar *slot_use = op->slot != NULL ? op->slot : current;
		if (g_strcmp0(slot_use, "other") == 0 && current != NULL)
			slot_use = g_strcmp0(current, "a") == 0 ? "b" : "a";
		if (g_strcmp0(slot_use, "all") == 0) {
			g_ptr_array_add(names, g_steal_pointer(&name_a));
			g_ptr_array_add(names, g_steal_pointer(&name_b));
			return names;
		}
		if (g_strcmp0(slot_use, "a") == 0 || g_strcmp0(slot_use, "b") == 0) {
			if (progress != NULL)
				ub_progress_log(progress,
						"%s is a logical partition in super: using %s_%s (%s)",
						op->partition,
						op->partition,
						slot_use,
						op->slot != NULL ? "the slot asked for"
								 : "the current slot");
			g_ptr_array_add(names, g_strdup_printf("%s_%s", op->partition, slot_use));
			return names;
		}
	}
	if (g_strcmp0(op->slot, "all") == 0 && ub_partition_array_find(partitions, name_a) != NULL &&
	    ub_partition_array_find(partitions, name_b) != NULL) {
		g_ptr_array_add(names, g_steal_pointer(&name_a));
		g_ptr_array_add(names, g_steal_pointer(&name_b));
		return names;
	}
	if (g_strcmp0(op->slot, "other") == 0) {
		const gchar *current =
		    ub_device_resolve_slot(device, partitions, op->partition, NULL);
		if (current != NULL)
			other = g_strdup(g_strcmp0(current, "a") == 0 ? "b" : "a");
		slot = other;
	} else {
		slot = ub_device_resolve_slot(device, partitions, op->partition, op->slot);
	}
	if (slot == NULL) {
		g_ptr_array_add(names, g_strdup(op->partition));
		return names;
	}
	if (progress != NULL)
		ub_progress_log(progress,
				"%s has A/B slots: using %s_%s (%s)",
				op->partition,
				op->partition,
				slot,
				other != NULL	    ? "the other slot"
				: op->slot != NULL ? "the slot asked for"
						   : "the current slot");
	g_ptr_array_add(names, g_strdup_printf("%s_%s", op->partition, slot));
	return names;
}

static GArray *
ub_plan_check(UbPlan *plan,
	      UbDevice *device,
	      GPtrArray *partitions,
	      UbProgress *progress,
	      GError **error)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	g_autoptr(GArray) steps = g_array_sized_new(FALSE, TRUE, sizeof(UbPlanStep), ops->len);
	g_autoptr(GPtrArray) future = NULL;
	gboolean table_changed = FALSE;
	g_array_set_clear_func(steps, (GDestroyNotify)ub_plan_step_clear);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		g_autoptr(GPtrArray) names = NULL;

		/* after a mode switch or new super layout, or when a condition
		 * decides: the files and consent now, the target when it runs;
		 * after a new partition table of the package, also against that
		 * table, so that a step that cannot run is refused up front */
		if (ub_plan_op_has_target(op) && (table_changed || op->condition != NULL)) {
			UbPlanStep step = {0};
			if (!ub_plan_check_op(plan, op, op->partition, NULL, NULL, &step, error)) {
				ub_plan_step_clear(&step);
				return NULL;
			}
			if (future != NULL && device != NULL && op->condition == NULL) {
				UbPlanStep probe = {0};
				gboolean ok = ub_plan_check_op(plan,
							       op,
							       op->partition,
							       device,
							       future,
							       &probe,
							       error);
				ub_plan_step_clear(&probe);
				if (!ok) {
					g_prefix_error(error, "with the package's partition table: ");
					ub_plan_step_clear(&step);
					return NULL;
				}
			}
			step.deferred = TRUE;
			g_array_append_val(steps, step);
			continue;
		}
		if (ub_plan_op_changes_table(op))
			table_changed = TRUE;
		if (op->kind == UB_PLAN_OP_WRITE_LAYOUT && device != NULL && future == NULL)
			future = ub_plan_layout_to_partitions(plan, device, partitions);

		/* format keeping calibration data: pieces around it */
		if (op->kind == UB_PLAN_OP_ERASE && op->partition == NULL && op->region != NULL &&
		    (op->flags & UB_PLAN_OP_FLAG_KEEP_CALIBRATION) > 0 &&
		    !ub_plan_get_allow_calibration(plan) && device != NULL) {
			if (!ub_plan_check_keep_calibration(op, device, partitions, steps, progress, error))
				return NULL;
			continue;
		}
		names = ub_plan_op_names(op, device, partitions, progress);
		for (guint j = 0; j < names->len; j++) {
			UbPlanStep step = {0};
			if (!ub_plan_check_op(plan,
					      op,
					      g_ptr_array_index(names, j),
					      device,
					      partitions,
					      &step,
					      error)) {
				ub_plan_step_clear(&step);
				return NULL;
			}
			g_array_append_val(steps, step);
		}
	}
	return g_steal_pointer(&steps);
}

/**
 * ub_plan_preflight:
 * @plan: a #UbPlan
 * @partitions: (nullable) (element-type UbPartition): the device's partitions, if known
 * @error: (nullable): return location for a #GError
 *
 * Checks the plan without touching a device: files present, images fit,
 * targets exist, calibration consent. Front-ends call it to show problems
 * before the user can start; ub_plan_execute() calls it again.
 *
 * Returns: %TRUE if the plan may run
 */
gboolean
ub_plan_preflight(UbPlan *plan, GPtrArray *partitions, GError **error)
{
	g_autoptr(GArray) steps = ub_plan_check(plan, NULL, partitions, NULL, error);
	return steps != NULL;
}

/**
 * ub_plan_preflight_for_device:
 * @plan: a #UbPlan
 * @device: a #UbDevice that was identified: its partitions and regions are known
 * @error: (nullable): return location for a #GError
 *
 * As ub_plan_preflight(), and also resolves region starts (NUM_DISK_SECTORS)
 * against the regions @device reported and checks every range against them.
 *
 * Returns: %TRUE if the plan may run
 */
gboolean
ub_plan_preflight_for_device(UbPlan *plan, UbDevice *device, GError **error)
{
	g_autoptr(GPtrArray) partitions = NULL;
	g_autoptr(GArray) steps = NULL;
	g_return_val_if_fail(UB_IS_PLAN(plan), FALSE);
	g_return_val_if_fail(UB_IS_DEVICE(device), FALSE);
	partitions = ub_device_get_partitions(device);
	steps = ub_plan_check(plan, device, partitions, NULL, error);
	return steps != NULL;
}

/* @sha256 non-NULL hashes on the way (backups); plain read backs skip it,
 * SHA-256 would cost as much CPU as the transfer itself */
static gboolean
ub_plan_read_to_file(UbDevice *device,
		     const UbDeviceLocation *loc,
		     const gchar *path,
		     gchar **sha256,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileOutputStream) out = NULL;
	g_autoptr(GOutputStream) hashed = NULL;
	GOutputStream *sink;
	g_autofree gchar *tmp_path = g_strdup_printf("%s.part", path);
	g_autoptr(GFile) tmp_file = g_file_new_for_path(tmp_path);

	/* write to .part and rename, so a half read never looks like a backup */
	out = g_file_replace(tmp_file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
	if (out == NULL) {
		ub_error_convert(error);
		g_prefix_error(error, "cannot create %s: ", tmp_path);
		return FALSE;
	}
	if (sha256 != NULL)
		hashed = ub_checksum_output_stream_new(G_OUTPUT_STREAM(out));
	sink = hashed != NULL ? hashed : G_OUTPUT_STREAM(out);
	if (!ub_device_read(device, loc, sink, progress, cancellable, error)) {
		g_output_stream_close(sink, NULL, NULL);
		g_file_delete(tmp_file, NULL, NULL);
		return FALSE;
	}
	if (!g_output_stream_close(sink, cancellable, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	if (!g_file_move(tmp_file, file, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	if (sha256 != NULL)
		*sha256 = g_strdup(
		    ub_checksum_output_stream_get_sha256(UB_CHECKSUM_OUTPUT_STREAM(hashed)));
	return TRUE;
}

/* the image's file name in the backup folder: the label, made safe, unique in the run */
static gchar *
ub_plan_backup_basename(UbPlanRun *run, UbPlanBackupTarget *target)
{
	g_autofree gchar *safe = g_strdup(target->label != NULL ? target->label : "region");
	g_strcanon(safe, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", '_');
	if (safe[0] == '.')
		safe[0] = '_';
	for (guint i = 1;; i++) {
		g_autofree gchar *basename =
		    i == 1 ? g_strdup_printf("%s.img", safe) : g_strdup_printf("%s-%u.img", safe, i);
		g_autofree gchar *path = g_build_filename(run->backup_dir, basename, NULL);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			return g_steal_pointer(&basename);
	}
}

static gboolean
ub_plan_backup(UbDevice *device,
	       UbPlanRun *run,
	       UbPlanBackupTarget *target,
	       UbProgress *progress,
	       GCancellable *cancellable,
	       GError **error)
{
	UbDeviceLocation loc = {
	    .partition = target->name,
	    .region = target->name == NULL ? target->region : NULL,
	    .offset = target->name == NULL ? target->offset : 0,
	    .length = target->name == NULL ? target->size : 0,
	};
	g_autofree gchar *key = NULL;
	g_autofree gchar *basename = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *sha256 = NULL;
	GStatBuf st = {0};

	/* the same partition under two steps: its first state is what counts */
	key = target->name != NULL ? g_strdup(target->name)
				   : g_strdup_printf("%s@%s+%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT,
						     target->label,
						     target->region,
						     target->offset,
						     target->size);
	if (g_hash_table_contains(run->backed_up, key)) {
		UbPlanRestoreItem *item = target->name != NULL
					      ? g_hash_table_lookup(run->restorable, target->name)
					      : NULL;
		if (item != NULL && target->restore)
			item->restore = TRUE;
		ub_progress_log(progress, "%s is already backed up", target->label);
		return TRUE;
	}
	if (!ub_device_can_read(device)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "'%s' holds calibration data and this phone cannot be read back "
			    "in its current mode, so it cannot be backed up first; nothing "
			    "was changed",
			    target->label);
		return FALSE;
	}
	if (g_mkdir_with_parents(run->backup_dir, 0700) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PERMISSION_DENIED,
			    "cannot create backup folder %s: %s",
			    run->backup_dir,
			    g_strerror(errno));
		return FALSE;
	}
	basename = ub_plan_backup_basename(run, target);
	path = g_build_filename(run->backup_dir, basename, NULL);
	if (!ub_plan_read_to_file(device, &loc, path, &sha256, progress, cancellable, error)) {
		g_prefix_error(error, "failed to back up %s: ", target->label);
		return FALSE;
	}
	if (g_stat(path, &st) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot read back %s: %s",
			    path,
			    g_strerror(errno));
		return FALSE;
	}

	/* the manifest is rewritten after every image: a run that stops half
	 * way leaves a folder that still lists and restores */
	if (run->backup == NULL) {
		run->backup = ub_backup_new(run->backup_dir);
		ub_backup_set_device(run->backup, device);
	}
	ub_backup_add_item(run->backup,
			   target->name != NULL ? target->name : target->label,
			   target->region,
			   target->offset,
			   (guint64)st.st_size,
			   sha256,
			   basename);
	if (!ub_backup_save(run->backup, error))
		return FALSE;
	g_hash_table_add(run->backed_up, g_steal_pointer(&key));
	if (target->name != NULL) {
		UbPlanRestoreItem *item = g_new0(UbPlanRestoreItem, 1);
		item->path = g_strdup(path);
		item->region = g_strdup(target->region);
		item->offset = target->offset;
		item->size = (guint64)st.st_size;
		item->restore = target->restore;
		g_hash_table_replace(run->restorable, g_strdup(target->name), item);
		g_ptr_array_add(run->restore_order, g_strdup(target->name));
	}
	ub_progress_log(progress, "backed up %s to %s (sha256 %s)", target->label, path, sha256);
	return TRUE;
}

/* a flat build's file_sector_offset: seek in a file, skip in an archive */
static gboolean
ub_plan_skip_to(GInputStream *stream, guint64 offset, GCancellable *cancellable, GError **error)
{
	guint64 done = 0;
	if (G_IS_SEEKABLE(stream) && g_seekable_can_seek(G_SEEKABLE(stream))) {
		if (!g_seekable_seek(G_SEEKABLE(stream),
				     (goffset)offset,
				     G_SEEK_SET,
				     cancellable,
				     error)) {
			ub_error_convert(error);
			return FALSE;
		}
		return TRUE;
	}
	while (done < offset) {
		gssize n = g_input_stream_skip(stream,
					       (gsize)MIN(offset - done, 1024 * 1024),
					       cancellable,
					       error);
		if (n < 0) {
			ub_error_convert(error);
			return FALSE;
		}
		if (n == 0) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "the image ends before its offset");
			return FALSE;
		}
		done += (guint64)n;
	}
	return TRUE;
}

/* the op's image: streamed from the package (an archive is read in place) or the file */
static GInputStream *
ub_plan_open_image(UbPlanOp *op, GCancellable *cancellable, GError **error)
{
	g_autoptr(GFile) file = NULL;
	g_autoptr(GFileInputStream) in = NULL;
	g_autoptr(GInputStream) stream = NULL;
	if (op->package != NULL) {
		stream = ub_package_open_file(op->package, op->file, NULL, cancellable, error);
		if (stream == NULL) {
			g_prefix_error(error, "cannot read %s from the package: ", op->file);
			return NULL;
		}
	} else {
		file = g_file_new_for_path(op->path);
		in = g_file_read(file, cancellable, error);
		if (in == NULL) {
			ub_error_convert(error);
			return NULL;
		}
		stream = G_INPUT_STREAM(g_steal_pointer(&in));
	}
	if (op->file_offset > 0 && !ub_plan_skip_to(stream, op->file_offset, cancellable, error)) {
		g_prefix_error(error, "cannot read %s: ", ub_plan_op_get_source_name(op));
		return NULL;
	}
	return g_steal_pointer(&stream);
}

/* whether the stream starts with the sparse magic, without consuming it */
static gboolean
ub_plan_peek_sparse(GBufferedInputStream *in, GCancellable *cancellable, GError **error)
{
	gsize avail = 0;
	const guint8 *buf;
	if (g_buffered_input_stream_fill(in, 28, cancellable, error) < 0) {
		ub_error_convert(error);
		return FALSE;
	}
	buf = g_buffered_input_stream_peek_buffer(in, &avail);
	return ub_sparse_is_sparse(buf, avail);
}

/* the same for a seekable stream: read the magic, then go back to where it stood */
static gboolean
ub_plan_peek_sparse_seekable(GInputStream *in,
			     gboolean *sparse,
			     GCancellable *cancellable,
			     GError **error)
{
	guint8 buf[28] = {0};
	gsize avail = 0;
	goffset start = g_seekable_tell(G_SEEKABLE(in));
	if (!g_input_stream_read_all(in, buf, sizeof(buf), &avail, cancellable, error) ||
	    !g_seekable_seek(G_SEEKABLE(in), start, G_SEEK_SET, cancellable, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	*sparse = ub_sparse_is_sparse(buf, avail);
	return TRUE;
}

static gboolean
ub_plan_write(UbDevice *device,
	      UbPlanStep *step,
	      gboolean *sparse,
	      UbProgress *progress,
	      GCancellable *cancellable,
	      GError **error)
{
	UbPlanOp *op = step->op;
	UbDeviceLocation loc = {
	    .partition = step->name,
	    .region = op->region,
	    .offset = step->offset,
	    .length = op->length,
	};
	g_autoptr(GInputStream) raw = ub_plan_open_image(op, cancellable, error);
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GError) error_local = NULL;
	if (raw == NULL)
		return FALSE;
	/* a file is peeked at and rewound: the engine then reads (or maps) it directly */
	if (G_IS_SEEKABLE(raw) && g_seekable_can_seek(G_SEEKABLE(raw))) {
		if (!ub_plan_peek_sparse_seekable(raw, sparse, cancellable, error))
			return FALSE;
		return ub_device_write(device, &loc, raw, step->size, progress, cancellable, error);
	}
	in = g_buffered_input_stream_new_sized(raw, 64 * 1024);
	*sparse = ub_plan_peek_sparse(G_BUFFERED_INPUT_STREAM(in), cancellable, &error_local);
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return ub_device_write(device, &loc, in, step->size, progress, cancellable, error);
}

/* the image's last partial sector: its sector read whole, the image's part compared */
static gboolean
ub_plan_verify_tail(UbDevice *device,
		    const UbDeviceLocation *loc_head,
		    GInputStream *in,
		    guint64 head,
		    guint64 tail,
		    guint32 align,
		    const gchar *label,
		    GCancellable *cancellable,
		    GError **error)
{
	UbDeviceLocation loc = *loc_head;
	g_autofree guint8 *want = g_malloc0(tail);
	g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable();
	g_autoptr(UbProgress) progress = ub_progress_new();
	const guint8 *got;
	gsize n = 0;

	loc.offset = loc_head->offset + head;
	loc.length = align;
	if (!g_input_stream_read_all(in, want, tail, &n, cancellable, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	if (n != tail) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "image of %s is short", label);
		return FALSE;
	}
	if (!ub_device_read(device, &loc, sink, progress, cancellable, error) ||
	    !g_output_stream_close(sink, cancellable, error)) {
		g_prefix_error(error, "failed to verify: ");
		return FALSE;
	}
	got = g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(sink));
	if (g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(sink)) < tail ||
	    memcmp(got, want, tail) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "verification failed; the storage may be failing: %s differs from the "
			    "image in its last sector, at byte 0x%" G_GINT64_MODIFIER "x",
			    label,
			    head);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_plan_verify_one(UbDevice *device,
		   UbPlanStep *step,
		   const gchar *name,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	UbPlanOp *op = step->op;
	UbDeviceLocation loc = {
	    .partition = name,
	    .region = op->region,
	    .offset = step->offset,
	    .length = step->size,
	};
	const gchar *label = name != NULL ? name : ub_plan_step_get_label(step);
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GOutputStream) compare = NULL;
	/* storage read in whole sectors: the image's last partial sector on its own */
	guint64 head = step->align > 1 ? step->size / step->align * step->align : step->size;
	guint64 tail = step->size - head;

	if (step->size == 0)
		return TRUE;
	in = ub_plan_open_image(op, cancellable, error);
	if (in == NULL)
		return FALSE;
	if (head > 0) {
		loc.length = head;
		compare = ub_compare_output_stream_new(in, label);
		if (!ub_device_read(device, &loc, compare, progress, cancellable, error)) {
			if (g_error_matches(*error, UB_ERROR, UB_ERROR_INVALID_DATA))
				g_prefix_error(error,
					       "verification failed; the storage may be failing: ");
			else
				g_prefix_error(error, "failed to verify: ");
			return FALSE;
		}
		if (ub_compare_output_stream_get_bytes(UB_COMPARE_OUTPUT_STREAM(compare)) != head) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "verification of %s read back %" G_GUINT64_FORMAT
				    " of %" G_GUINT64_FORMAT " bytes",
				    label,
				    ub_compare_output_stream_get_bytes(UB_COMPARE_OUTPUT_STREAM(compare)),
				    head);
			return FALSE;
		}
	}
	if (tail > 0 && !ub_plan_verify_tail(device, &loc, in, head, tail, step->align, label,
					     cancellable, error))
		return FALSE;
	ub_progress_log(progress, "verified %s (%" G_GUINT64_FORMAT " bytes)", label, step->size);
	return TRUE;
}

/* "boot_ab" was written to both slots: read both back */
static gboolean
ub_plan_verify(UbDevice *device,
	       UbPlanStep *step,
	       UbProgress *progress,
	       GCancellable *cancellable,
	       GError **error)
{
	if (step->name != NULL && g_str_has_suffix(step->name, "_ab") &&
	    step->partition != NULL &&
	    g_strcmp0(ub_partition_get_name(step->partition), step->name) != 0) {
		g_autofree gchar *base = g_strndup(step->name, strlen(step->name) - 3);
		g_autofree gchar *name_a = g_strdup_printf("%s_a", base);
		g_autofree gchar *name_b = g_strdup_printf("%s_b", base);
		return ub_plan_verify_one(device, step, name_a, progress, cancellable, error) &&
		       ub_plan_verify_one(device, step, name_b, progress, cancellable, error);
	}
	return ub_plan_verify_one(device, step, step->name, progress, cancellable, error);
}

/* "getvar:crc=1": what MiFlash scripts test before some steps */
static gboolean
ub_plan_condition_holds(UbDevice *device,
			const gchar *condition,
			gboolean *holds,
			GCancellable *cancellable,
			GError **error)
{
	g_autofree gchar *var = NULL;
	g_autofree gchar *value = NULL;
	g_autoptr(GError) error_local = NULL;
	const gchar *eq;

	if (!g_str_has_prefix(condition, "getvar:") || strchr(condition, '=') == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "cannot evaluate the condition '%s'",
			    condition);
		return FALSE;
	}
	eq = strchr(condition, '=');
	var = g_strndup(condition + strlen("getvar:"), eq - condition - strlen("getvar:"));
	value = ub_device_get_var(device, var, cancellable, &error_local);
	if (value == NULL) {
		/* a bootloader that does not know the variable: the test is false */
		if (g_error_matches(error_local, UB_ERROR, UB_ERROR_REFUSED) ||
		    g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_SUPPORTED)) {
			*holds = FALSE;
			return TRUE;
		}
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	*holds = g_ascii_strcasecmp(g_strstrip(value), eq + 1) == 0;
	return TRUE;
}

/* "raphaelin*" (grep ^product: *raphaelin), "crosshatch|blueline", globs */
static gboolean
ub_plan_value_matches(const gchar *pattern, const gchar *value)
{
	g_auto(GStrv) alts = g_strsplit(pattern, "|", -1);
	g_autofree gchar *value_down = g_ascii_strdown(value, -1);
	for (guint i = 0; alts[i] != NULL; i++) {
		g_autofree gchar *alt = g_ascii_strdown(g_strstrip(alts[i]), -1);
		if (alt[0] == '\0')
			continue;
		if (strchr(alt, '*') != NULL || strchr(alt, '?') != NULL) {
			if (g_pattern_match_simple(alt, value_down))
				return TRUE;
		} else if (g_strcmp0(alt, value_down) == 0) {
			return TRUE;
		}
	}
	return FALSE;
}

/* "raphaelin*" -> "raphaelin", "a|b" -> "a or b", for messages */
static gchar *
ub_plan_pattern_to_text(const gchar *pattern)
{
	g_auto(GStrv) alts = g_strsplit(pattern, "|", -1);
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; alts[i] != NULL; i++) {
		gchar *alt = g_strstrip(alts[i]);
		gsize len = strlen(alt);
		if (len > 1 && alt[len - 1] == '*')
			alt[len - 1] = '\0';
		if (alt[0] == '\0')
			continue;
		if (str->len > 0)
			g_string_append(str, " or ");
		g_string_append(str, alt);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static gboolean
ub_plan_require_var(UbDevice *device,
		    UbPlanOp *op,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	const gchar *var = op->variable != NULL ? op->variable : "product";
	g_autofree gchar *value = NULL;
	g_autofree gchar *wanted = NULL;
	g_autoptr(GError) error_local = NULL;

	value = ub_device_get_var(device, var, cancellable, &error_local);
	if (value == NULL && g_strcmp0(var, "product") == 0 &&
	    ub_device_get_product(device) != NULL &&
	    g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_SUPPORTED)) {
		value = g_strdup(ub_device_get_product(device));
		g_clear_error(&error_local);
	}
	if (value == NULL) {
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "cannot check that the package is for this phone (%s): ",
					   var);
		return FALSE;
	}
	g_strstrip(value);
	wanted = ub_plan_pattern_to_text(op->value != NULL ? op->value : "");
	if (op->value == NULL || !ub_plan_value_matches(op->value, value)) {
		if (g_strcmp0(var, "product") == 0 || g_strcmp0(var, "board") == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "this package is for %s, the phone is %s; nothing was "
				    "written: use the package made for %s",
				    wanted,
				    value,
				    value);
		} else {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "this package needs %s %s, the phone has %s; nothing was written",
				    var,
				    wanted,
				    value);
		}
		return FALSE;
	}
	ub_progress_log(progress, "%s is %s: the package is for this phone", var, value);
	return TRUE;
}

/* Xiaomi: refuse a package older than the phone's anti-rollback level */
static gboolean
ub_plan_check_anti(UbDevice *device,
		   UbPlanOp *op,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	g_autofree gchar *value = NULL;
	g_autoptr(GError) error_local = NULL;
	guint64 phone = 0;
	guint64 package = 0;

	if (op->value == NULL ||
	    !g_ascii_string_to_unsigned(op->value, 10, 0, G_MAXUINT32, &package, NULL)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the package's anti-rollback level '%s' is not a number",
			    op->value != NULL ? op->value : "");
		return FALSE;
	}
	value = ub_device_get_var(device, "anti", cancellable, &error_local);
	if (value == NULL) {
		/* as the script: a phone without the variable has level 0 */
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_REFUSED) &&
		    !g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_SUPPORTED)) {
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "cannot read the anti-rollback level: ");
			return FALSE;
		}
		ub_progress_log(progress, "the phone reports no anti-rollback level: taken as 0");
	} else if (!g_ascii_string_to_unsigned(g_strstrip(value), 10, 0, G_MAXUINT32, &phone, NULL)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the phone's anti-rollback level '%s' is not a number",
			    value);
		return FALSE;
	}
	if (phone > package) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "the phone's anti-rollback level is %" G_GUINT64_FORMAT
			    " but this package's is %" G_GUINT64_FORMAT ": it is older than the "
			    "firmware on the phone and flashing it would brick the phone for good; "
			    "nothing was written: use a package at least as new",
			    phone,
			    package);
		return FALSE;
	}
	ub_progress_log(progress,
			"anti-rollback level: phone %" G_GUINT64_FORMAT ", package %" G_GUINT64_FORMAT,
			phone,
			package);
	return TRUE;
}

static const gchar *
ub_plan_resolve_active_slot(UbDevice *device, const gchar *value)
{
	const gchar *current;
	if (g_strcmp0(value, "other") != 0)
		return value;
	current = g_hash_table_lookup(ub_device_get_extra(device), "current-slot");
	if (g_strcmp0(current, "a") == 0)
		return "b";
	if (g_strcmp0(current, "b") == 0)
		return "a";
	return NULL;
}

static gboolean
ub_plan_update_super(UbDevice *device,
		     UbPlanStep *step,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	UbPlanOp *op = step->op;
	g_autoptr(GInputStream) in = ub_plan_open_image(op, cancellable, error);
	g_autofree gchar *command = NULL;
	if (in == NULL)
		return FALSE;
	command = g_strdup_printf("update-super:%s%s",
				  op->partition != NULL ? op->partition : "super",
				  g_strcmp0(op->value, "wipe") == 0 ? ":wipe" : "");
	return ub_device_command_with_data(device,
					   command,
					   in,
					   step->size,
					   progress,
					   cancellable,
					   error);
}

/* Checksum.ini: the image's 16-bit sum, before anything is written */
static gboolean
ub_plan_check_sum(UbPlanOp *op, UbProgress *progress, GCancellable *cancellable, GError **error)
{
	g_autoptr(GInputStream) in = NULL;
	guint16 expected = 0;
	guint16 sum = 0;
	if (!ub_plan_parse_sum(op, &expected, error))
		return FALSE;
	in = ub_plan_open_image(op, cancellable, error);
	if (in == NULL)
		return FALSE;
	if (!ub_mtk_checksum_compute_stream(in, &sum, NULL, cancellable, error)) {
		g_prefix_error(error, "cannot check %s: ", ub_plan_op_get_source_name(op));
		return FALSE;
	}
	if (sum != expected) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%s does not match %s (expected 0x%04x, found 0x%04x); the file is "
			    "damaged or was changed: download the package again",
			    ub_plan_op_get_source_name(op),
			    op->origin != NULL ? op->origin : "Checksum.ini",
			    expected,
			    sum);
		return FALSE;
	}
	ub_progress_log(progress,
			"%s matches %s (0x%04x)",
			ub_plan_op_get_source_name(op),
			op->origin != NULL ? op->origin : "Checksum.ini",
			sum);
	return TRUE;
}

/* SP Flash Tool's Download Only: the phone's table must be the scatter's */
static gboolean
ub_plan_check_layout(UbPlan *plan,
		     UbDevice *device,
		     GPtrArray *partitions,
		     UbProgress *progress,
		     GError **error)
{
	g_autofree gchar *diff = ub_plan_layout_diff(plan, device, partitions, NULL);
	if (diff != NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "layout on the phone differs from the scatter (%s); use Firmware Upgrade",
			    diff);
		return FALSE;
	}
	ub_progress_log(progress,
			"the phone's partition table matches the package (%u partitions)",
			ub_plan_get_layout(plan)->len);
	return TRUE;
}

/* the layout as a GPT of @region: built, then every entry moved to its row */
static gboolean
ub_plan_layout_build_gpt(UbPlan *plan,
			 const UbDeviceRegion *region,
			 GBytes **primary,
			 GBytes **backup,
			 GError **error)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	guint32 ss = region->sector_size != 0 ? region->sector_size : 512;
	g_autoptr(GArray) entries = g_array_new(FALSE, TRUE, sizeof(UbGptLayoutEntry));
	g_autoptr(GPtrArray) rows = g_ptr_array_new();
	g_autoptr(GBytes) tmp_primary = NULL;
	g_autoptr(GBytes) tmp_backup = NULL;
	g_autoptr(UbGpt) gpt = NULL;

	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		UbGptLayoutEntry entry = {.name = row->name, .size = 4096};
		if (g_strcmp0(row->region, region->name) != 0 || ub_plan_layout_row_is_table(row))
			continue;
		g_array_append_val(entries, entry);
		g_ptr_array_add(rows, row);
	}
	if (!ub_gpt_build((const UbGptLayoutEntry *)entries->data,
			  entries->len,
			  ss,
			  region->size,
			  NULL,
			  &tmp_primary,
			  &tmp_backup,
			  error))
		return FALSE;
	gpt = ub_gpt_parse(g_bytes_get_data(tmp_primary, NULL), g_bytes_get_size(tmp_primary), ss, error);
	if (gpt == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(rows, i);
		UbGptEntry *entry = ub_gpt_find_entry_mutable(gpt, row->name);
		guint64 start = 0;
		if (entry == NULL || !ub_plan_layout_resolve(plan, row, region->size, &start) ||
		    row->size == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "cannot place %s in the partition table",
				    row->name);
			return FALSE;
		}
		if (start % ss != 0 || row->size % ss != 0) {
			g_autofree gchar *range = ub_plan_range_to_text(start, row->size);
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s (%s) is not in whole %u-byte sectors",
				    row->name,
				    range,
				    ss);
			return FALSE;
		}
		entry->first_lba = start / ss;
		entry->last_lba = (start + row->size) / ss - 1;
		if (entry->first_lba < ub_gpt_get_first_usable_lba(gpt)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s starts inside the partition table",
				    row->name);
			return FALSE;
		}
	}
	return ub_gpt_write_pair(gpt, region->size / ss, primary, backup, error);
}

/**
 * ub_plan_build_layout_gpt:
 * @plan: a #UbPlan with a layout
 * @region: the layout's region to build the table of ("user", "lun2")
 * @region_size: bytes of that region
 * @sector_size: 512 or 4096
 * @primary: (out): protective MBR, header and entries, for offset 0
 * @backup: (out): entries and header, for the end of the region
 * @error: (nullable): return location for a #GError
 *
 * The partition table WRITE_LAYOUT writes: every row of @region where the
 * layout puts it (pseudo addresses resolved for @region_size).
 *
 * Returns: %TRUE on success
 */
gboolean
ub_plan_build_layout_gpt(UbPlan *plan,
			 const gchar *region,
			 guint64 region_size,
			 guint32 sector_size,
			 GBytes **primary,
			 GBytes **backup,
			 GError **error)
{
	UbDeviceRegion dregion = {
	    .name = (gchar *)region,
	    .size = region_size,
	    .sector_size = sector_size,
	};
	g_return_val_if_fail(UB_IS_PLAN(plan), FALSE);
	g_return_val_if_fail(region != NULL, FALSE);
	return ub_plan_layout_build_gpt(plan, &dregion, primary, backup, error);
}

static gboolean
ub_plan_write_bytes(UbDevice *device,
		    const gchar *region,
		    guint64 offset,
		    GBytes *blob,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	UbDeviceLocation loc = {.region = region, .offset = offset};
	g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes(blob);
	return ub_device_write(device, &loc, in, g_bytes_get_size(blob), progress, cancellable, error);
}

/* the rows of @region where the layout puts them, as partitions (the table's
 * own rows left out) */
static GPtrArray *
ub_plan_layout_to_region_table(UbPlan *plan, const UbDeviceRegion *region)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	GPtrArray *table = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < layout->len; i++) {
		const UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		guint64 start = 0;
		guint64 size;
		if (g_strcmp0(row->region, region->name) != 0 || ub_plan_layout_row_is_table(row) ||
		    !ub_plan_layout_resolve(plan, row, region->size, &start))
			continue;
		size = ub_plan_layout_row_extent(plan, row, start, region->size);
		if (size == 0)
			continue;
		g_ptr_array_add(table, ub_partition_new(row->name, row->region, start, size));
	}
	return table;
}

/* the package's partition table, unless the phone already has it */
static gboolean
ub_plan_write_layout(UbPlan *plan,
		     UbDevice *device,
		     UbPlanStep *step,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	UbPlanOp *op = step->op;
	const UbDeviceRegion *region = ub_device_find_region(device, op->region);
	g_autoptr(GPtrArray) partitions = ub_device_get_partitions(device);
	g_autofree gchar *diff = NULL;
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;

	if (region == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "the phone has no %s", op->region);
		return FALSE;
	}
	diff = ub_plan_layout_diff(plan, device, partitions, op->region);
	if (diff == NULL) {
		ub_progress_log(progress,
				"the partition table of %s already is the package's: kept",
				op->region);
		return TRUE;
	}
	ub_progress_log(progress,
			"the partition table of %s changes (%s): writing the package's",
			op->region,
			diff);

	/* a device that keeps its own table (MediaTek's PMT) writes it itself */
	{
		g_autoptr(GPtrArray) table = ub_plan_layout_to_region_table(plan, region);
		g_autoptr(GError) error_local = NULL;
		if (ub_device_write_partition_table(device,
						    op->region,
						    table,
						    progress,
						    cancellable,
						    &error_local))
			return TRUE;
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_SUPPORTED)) {
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "failed to write the partition table: ");
			return FALSE;
		}
	}
	if (!ub_plan_layout_build_gpt(plan, region, &primary, &backup, error)) {
		g_prefix_error(error, "cannot build the partition table: ");
		return FALSE;
	}
	if (!ub_plan_write_bytes(device, op->region, 0, primary, progress, cancellable, error) ||
	    !ub_plan_write_bytes(device,
				 op->region,
				 region->size - g_bytes_get_size(backup),
				 backup,
				 progress,
				 cancellable,
				 error)) {
		g_prefix_error(error, "failed to write the partition table: ");
		return FALSE;
	}
	return TRUE;
}

/* the partition read back and compared with a file; mismatches are UB_ERROR_INVALID_DATA */
static gboolean
ub_plan_compare_with_file(UbDevice *device,
			  const gchar *name,
			  const gchar *path,
			  guint64 size,
			  UbProgress *progress,
			  GCancellable *cancellable,
			  GError **error)
{
	UbDeviceLocation loc = {.partition = name, .offset = 0, .length = size};
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileInputStream) in = g_file_read(file, cancellable, error);
	g_autoptr(GOutputStream) compare = NULL;
	if (in == NULL) {
		ub_error_convert(error);
		return FALSE;
	}
	compare = ub_compare_output_stream_new(G_INPUT_STREAM(in), name);
	if (!ub_device_read(device, &loc, compare, progress, cancellable, error))
		return FALSE;
	if (ub_compare_output_stream_get_bytes(UB_COMPARE_OUTPUT_STREAM(compare)) != size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s read back %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes",
			    name,
			    ub_compare_output_stream_get_bytes(UB_COMPARE_OUTPUT_STREAM(compare)),
			    size);
		return FALSE;
	}
	return TRUE;
}

/* Firmware Upgrade: the calibration backups where the new table puts them */
static gboolean
ub_plan_restore(UbDevice *device,
		UbPlanStep *step,
		UbPlanRun *run,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error)
{
	UbPlanOp *op = step->op;
	g_autoptr(GPtrArray) partitions = NULL;
	g_autoptr(GError) error_local = NULL;

	/* the table as the phone reports it now */
	partitions = ub_device_list_partitions(device, cancellable, error);
	if (partitions == NULL)
		return FALSE;
	for (guint i = 0; i < run->restore_order->len; i++) {
		const gchar *name = g_ptr_array_index(run->restore_order, i);
		UbPlanRestoreItem *item = g_hash_table_lookup(run->restorable, name);
		UbPartition *part;
		UbDeviceLocation loc = {.partition = name};
		g_autoptr(GFile) file = NULL;
		g_autoptr(GFileInputStream) in = NULL;
		gboolean moved;

		if (item == NULL || !item->restore)
			continue;
		if (op->partition != NULL && g_strcmp0(op->partition, name) != 0)
			continue;
		part = ub_partition_array_find(partitions, name);
		if (part == NULL) {
			/* calibration data that cannot go back is a failure, not a note */
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "%s is not in the new partition table, so its calibration data "
				    "could not be restored; the backup stays in %s",
				    name,
				    item->path);
			return FALSE;
		}
		if (item->size > ub_partition_get_size(part)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "the backup of %s (%" G_GUINT64_FORMAT " bytes) does not fit its "
				    "new partition (%" G_GUINT64_FORMAT " bytes); it stays in %s",
				    name,
				    item->size,
				    ub_partition_get_size(part),
				    item->path);
			return FALSE;
		}
		moved = ub_partition_get_offset(part) != item->offset ||
			g_strcmp0(ub_partition_get_region(part), item->region) != 0;
		if (!moved) {
			if (ub_plan_compare_with_file(device,
						      name,
						      item->path,
						      item->size,
						      progress,
						      cancellable,
						      &error_local)) {
				ub_progress_log(progress,
						"%s stayed where it was and is unchanged",
						name);
				continue;
			}
			if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_INVALID_DATA)) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			g_clear_error(&error_local);
		}
		file = g_file_new_for_path(item->path);
		in = g_file_read(file, cancellable, error);
		if (in == NULL) {
			ub_error_convert(error);
			g_prefix_error(error, "cannot read the backup of %s: ", name);
			return FALSE;
		}
		if (!ub_device_write(device,
				     &loc,
				     G_INPUT_STREAM(in),
				     item->size,
				     progress,
				     cancellable,
				     error)) {
			g_prefix_error(error, "failed to restore %s from %s: ", name, item->path);
			return FALSE;
		}
		if (!ub_plan_compare_with_file(device,
					       name,
					       item->path,
					       item->size,
					       progress,
					       cancellable,
					       error)) {
			g_prefix_error(error,
				       "verification of the restored %s failed; its backup is %s: ",
				       name,
				       item->path);
			return FALSE;
		}
		ub_progress_log(progress,
				"restored %s at 0x%" G_GINT64_MODIFIER "x of %s (it was at 0x%" G_GINT64_MODIFIER
				"x) and verified it byte for byte against %s",
				name,
				ub_partition_get_offset(part),
				ub_partition_get_region(part) != NULL ? ub_partition_get_region(part) : "?",
				item->offset,
				item->path);
	}
	return TRUE;
}

static gboolean
ub_plan_run_step(UbPlan *plan,
		 UbDevice *device,
		 UbPlanStep *step,
		 UbPlanRun *run,
		 UbProgress *progress,
		 GCancellable *cancellable,
		 GError **error)
{
	UbPlanOp *op = step->op;
	const gchar *name = ub_plan_step_get_label(step);
	UbDeviceLocation loc = {
	    .partition = step->name,
	    .region = op->region,
	    .offset = step->offset,
	    .length = step->length,
	};

	/* phases, weighted by the bytes they move */
	for (guint i = 0; step->backups != NULL && i < step->backups->len; i++) {
		UbPlanBackupTarget *target = g_ptr_array_index(step->backups, i);
		ub_progress_add_step(progress,
				     UB_STATUS_BACKING_UP,
				     MAX(target->size / 4096, 1),
				     target->label);
	}
	switch (op->kind) {
	case UB_PLAN_OP_WRITE:
		ub_progress_add_step(progress, UB_STATUS_WRITING, MAX(step->size / 4096, 1), name);
		if (step->verify)
			ub_progress_add_step(progress,
					     UB_STATUS_VERIFYING,
					     MAX(step->size / 4096, 1),
					     name);
		break;
	case UB_PLAN_OP_UPDATE_SUPER:
		ub_progress_add_step(progress, UB_STATUS_WRITING, MAX(step->size / 4096, 1), name);
		break;
	case UB_PLAN_OP_READ:
		ub_progress_add_step(progress, UB_STATUS_READING, MAX(step->size / 4096, 1), name);
		break;
	case UB_PLAN_OP_ERASE:
		ub_progress_add_step(progress, UB_STATUS_ERASING, 1, name);
		break;
	case UB_PLAN_OP_REBOOT:
		ub_progress_add_step(progress, UB_STATUS_REBOOTING, 1, NULL);
		break;
	case UB_PLAN_OP_REQUIRE_VAR:
	case UB_PLAN_OP_CHECK_ANTI:
		ub_progress_add_step(progress, UB_STATUS_CHECKING, 1, NULL);
		break;
	case UB_PLAN_OP_SET_ACTIVE:
	case UB_PLAN_OP_COMMAND:
		ub_progress_add_step(progress, UB_STATUS_BUSY, 1, NULL);
		break;
	case UB_PLAN_OP_CHECK_LAYOUT:
	case UB_PLAN_OP_CHECK_SUM:
		ub_progress_add_step(progress, UB_STATUS_CHECKING, 1, NULL);
		break;
	case UB_PLAN_OP_BACKUP:
		break;
	case UB_PLAN_OP_WRITE_LAYOUT:
		ub_progress_add_step(progress, UB_STATUS_WRITING, 1, "partition table");
		break;
	case UB_PLAN_OP_RESTORE:
		ub_progress_add_step(progress, UB_STATUS_WRITING, 1, "calibration data");
		break;
	case UB_PLAN_OP_LAST:
	default:
		g_set_error(error, UB_ERROR, UB_ERROR_INTERNAL, "unknown operation %u", op->kind);
		return FALSE;
	}

	for (guint i = 0; step->backups != NULL && i < step->backups->len; i++) {
		if (!ub_plan_backup(device,
				    run,
				    g_ptr_array_index(step->backups, i),
				    ub_progress_get_child(progress),
				    cancellable,
				    error))
			return FALSE;
		ub_progress_step_done(progress);
	}

	switch (op->kind) {
	case UB_PLAN_OP_WRITE: {
		gboolean sparse = FALSE;
		if (!ub_plan_write(device,
				   step,
				   &sparse,
				   ub_progress_get_child(progress),
				   cancellable,
				   error)) {
			/* a range of a flat build: say which entry it was */
			if (step->name == NULL && op->label != NULL)
				g_prefix_error(error, "%s: ", op->label);
			return FALSE;
		}
		ub_progress_log(progress, "wrote %s from %s", name, ub_plan_op_get_source_name(op));
		ub_progress_step_done(progress);
		if (step->verify) {
			if (sparse) {
				/* the file is not what the partition holds */
				ub_progress_log(progress,
						"not verifying %s: a sparse image is not "
						"compared byte for byte",
						name);
			} else if (!ub_device_can_read(device)) {
				ub_progress_log(progress,
						"not verifying %s: this mode cannot read back",
						name);
			} else if (!ub_plan_verify(device,
						   step,
						   ub_progress_get_child(progress),
						   cancellable,
						   error)) {
				return FALSE;
			}
			ub_progress_step_done(progress);
		}
		break;
	}
	case UB_PLAN_OP_READ: {
		if ((op->flags & UB_PLAN_OP_FLAG_FLAT_BUILD) > 0) {
			if (!ub_edl_device_read_flat_build(UB_EDL_DEVICE(device),
							   op->path,
							   ub_progress_get_child(progress),
							   cancellable,
							   error))
				return FALSE;
			ub_progress_log(progress, "read everything into %s as a flat build", op->path);
			ub_progress_step_done(progress);
			break;
		}
		if (!ub_plan_read_to_file(device,
					  &loc,
					  op->path,
					  NULL,
					  ub_progress_get_child(progress),
					  cancellable,
					  error))
			return FALSE;
		ub_progress_log(progress, "read %s into %s", name, op->path);
		ub_progress_step_done(progress);
		break;
	}
	case UB_PLAN_OP_ERASE:
		if (!ub_device_erase(device,
				     &loc,
				     ub_progress_get_child(progress),
				     cancellable,
				     error)) {
			if (step->name == NULL && op->label != NULL)
				g_prefix_error(error, "%s: ", op->label);
			return FALSE;
		}
		if (op->value != NULL && g_str_has_prefix(op->value, "format"))
			ub_progress_log(progress,
					"formatted %s: erased, Android creates the file system "
					"on first boot",
					name);
		else
			ub_progress_log(progress, "erased %s", name);
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_REBOOT:
		if (!ub_device_reboot(device, op->reboot_mode, cancellable, error))
			return FALSE;
		ub_progress_log(progress, "rebooted to %s", ub_reboot_mode_to_string(op->reboot_mode));
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_REQUIRE_VAR:
		if (!ub_plan_require_var(device, op, progress, cancellable, error))
			return FALSE;
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_CHECK_ANTI:
		if (!ub_plan_check_anti(device, op, progress, cancellable, error))
			return FALSE;
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_SET_ACTIVE: {
		const gchar *slot = ub_plan_resolve_active_slot(device, op->value);
		if (slot == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_NOT_SUPPORTED,
					    "the phone reports no current slot, so there is no other one");
			return FALSE;
		}
		if (!ub_device_set_active(device, slot, cancellable, error))
			return FALSE;
		ub_device_set_extra(device, "current-slot", slot);
		ub_progress_log(progress, "slot %s is now active", slot);
		ub_progress_step_done(progress);
		break;
	}
	case UB_PLAN_OP_COMMAND: {
		g_autofree gchar *reply = NULL;
		if (!ub_device_command(device,
				       op->value,
				       &reply,
				       ub_progress_get_child(progress),
				       cancellable,
				       error))
			return FALSE;
		/* a flat build's patch is long: its origin says which one */
		if (g_str_has_prefix(op->value, "patch ") && op->origin != NULL)
			ub_progress_log(progress, "patch from %s: OKAY", op->origin);
		else
			ub_progress_log(progress,
					"%s: OKAY%s%s",
					op->value,
					reply != NULL && reply[0] != '\0' ? " " : "",
					reply != NULL ? reply : "");
		ub_progress_step_done(progress);
		break;
	}
	case UB_PLAN_OP_UPDATE_SUPER:
		if (!ub_plan_update_super(device,
					  step,
					  ub_progress_get_child(progress),
					  cancellable,
					  error))
			return FALSE;
		ub_progress_log(progress,
				"updated the layout of %s from %s%s",
				op->partition != NULL ? op->partition : "super",
				ub_plan_op_get_source_name(op),
				g_strcmp0(op->value, "wipe") == 0 ? ", wiping it" : "");
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_CHECK_LAYOUT:
	case UB_PLAN_OP_CHECK_SUM:
		/* done before the first write */
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_BACKUP:
		if (step->backups == NULL)
			ub_progress_log(progress,
					"%s: nothing on the phone to back up",
					op->partition != NULL ? op->partition : "calibration data");
		break;
	case UB_PLAN_OP_WRITE_LAYOUT:
		if (!ub_plan_write_layout(plan,
					  device,
					  step,
					  ub_progress_get_child(progress),
					  cancellable,
					  error))
			return FALSE;
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_RESTORE:
		if (!ub_plan_restore(device,
				     step,
				     run,
				     ub_progress_get_child(progress),
				     cancellable,
				     error))
			return FALSE;
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_LAST:
	default:
		break;
	}
	return TRUE;
}

static guint64
ub_plan_step_weight(UbPlanStep *step)
{
	guint64 weight = MAX(step->size, 4096);
	if (step->verify)
		weight += step->size;
	for (guint i = 0; step->backups != NULL && i < step->backups->len; i++) {
		UbPlanBackupTarget *target = g_ptr_array_index(step->backups, i);
		weight += target->size;
	}
	return weight;
}

/* the partitions as the phone reports them now, NULL when it cannot */
static GPtrArray *
ub_plan_list_partitions(UbDevice *device,
			UbProgress *progress,
			GCancellable *cancellable,
			GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GPtrArray *partitions = ub_device_list_partitions(device, cancellable, &error_local);
	if (partitions == NULL) {
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_SUPPORTED)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return NULL;
		}
		ub_progress_log(progress, "partition table not available: %s", error_local->message);
	}
	return partitions;
}

/* a step checked only now: after a mode switch or when its condition holds */
static gboolean
ub_plan_run_deferred(UbPlan *plan,
		     UbDevice *device,
		     UbPlanStep *deferred,
		     GPtrArray *partitions,
		     UbPlanRun *run,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(GPtrArray) names = ub_plan_op_names(deferred->op, device, partitions, progress);
	g_autoptr(GArray) steps = g_array_new(FALSE, TRUE, sizeof(UbPlanStep));
	g_array_set_clear_func(steps, (GDestroyNotify)ub_plan_step_clear);
	for (guint i = 0; i < names->len; i++) {
		UbPlanStep step = {0};
		if (!ub_plan_check_op(plan,
				      deferred->op,
				      g_ptr_array_index(names, i),
				      device,
				      partitions,
				      &step,
				      error)) {
			ub_plan_step_clear(&step);
			g_prefix_error(error, "stopped before this step: ");
			return FALSE;
		}
		g_array_append_val(steps, step);
		ub_progress_add_step(progress, UB_STATUS_BUSY, 1, g_ptr_array_index(names, i));
	}
	for (guint i = 0; i < steps->len; i++) {
		if (!ub_plan_run_step(plan,
				      device,
				      &g_array_index(steps, UbPlanStep, i),
				      run,
				      ub_progress_get_child(progress),
				      cancellable,
				      error))
			return FALSE;
		ub_progress_step_done(progress);
	}
	return TRUE;
}

/**
 * ub_plan_execute:
 * @plan: a #UbPlan
 * @device: a #UbDevice, not yet opened
 * @progress: a #UbProgress
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Connects, identifies, reads the partition table, checks every operation
 * before doing any, runs the product and anti-rollback checks, then the
 * operations: backups first, writes with verification, reads into .part files
 * renamed when complete. Steps after a reboot into another fastboot mode or a
 * super update are checked against the partitions the phone then reports.
 *
 * Returns: %TRUE if every operation succeeded
 */
gboolean
ub_plan_execute(UbPlan *plan,
		UbDevice *device,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error)
{
	g_autoptr(GPtrArray) partitions = NULL;
	g_autoptr(GArray) steps = NULL;
	g_auto(UbPlanRun) run = {0};
	g_autoptr(GError) error_local = NULL;
	guint64 bytes_total = 0;

	g_return_val_if_fail(UB_IS_PLAN(plan), FALSE);
	g_return_val_if_fail(UB_IS_DEVICE(device), FALSE);

	ub_progress_add_step(progress, UB_STATUS_CONNECTING, 2, NULL);
	ub_progress_add_step(progress, UB_STATUS_IDENTIFYING, 2, NULL);
	ub_progress_add_step(progress, UB_STATUS_CHECKING, 1, NULL);
	ub_progress_add_step(progress, UB_STATUS_BUSY, 95, NULL);

	/* connect */
	if (!ub_device_open(device, ub_progress_get_child(progress), cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);

	/* identify */
	if (!ub_device_identify(device, cancellable, error))
		return FALSE;
	ub_progress_log(progress,
			"found %s %s (serial %s) in %s mode",
			ub_protocol_to_string(ub_device_get_protocol(device)),
			ub_device_get_chip(device) != NULL ? ub_device_get_chip(device) : "device",
			ub_device_get_serial(device) != NULL ? ub_device_get_serial(device) : "?",
			ub_device_mode_to_string(ub_device_get_mode(device)));
	partitions = ub_plan_list_partitions(device, progress, cancellable, &error_local);
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	ub_progress_step_done(progress);
	for (guint i = 0; i < ub_plan_get_notes(plan)->len; i++)
		ub_progress_log(progress, "%s", (const gchar *)g_ptr_array_index(ub_plan_get_notes(plan), i));

	/* Download Only: a layout that is not the package's says so first */
	for (guint i = 0; i < ub_plan_get_ops(plan)->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ub_plan_get_ops(plan), i);
		if (op->kind == UB_PLAN_OP_CHECK_LAYOUT &&
		    !ub_plan_check_layout(plan, device, partitions, progress, error)) {
			g_prefix_error(error, "refusing to start: ");
			return FALSE;
		}
	}

	/* everything is checked before anything is written */
	steps = ub_plan_check(plan, device, partitions, progress, error);
	if (steps == NULL) {
		g_prefix_error(error, "refusing to start: ");
		return FALSE;
	}
	/* the package is for this phone, and not older than its firmware */
	for (guint i = 0; i < steps->len; i++) {
		UbPlanStep *step = &g_array_index(steps, UbPlanStep, i);
		gboolean ok = TRUE;
		if (step->op->kind == UB_PLAN_OP_REQUIRE_VAR)
			ok = ub_plan_require_var(device, step->op, progress, cancellable, error);
		else if (step->op->kind == UB_PLAN_OP_CHECK_ANTI)
			ok = ub_plan_check_anti(device, step->op, progress, cancellable, error);
		else if (step->op->kind == UB_PLAN_OP_CHECK_SUM)
			ok = ub_plan_check_sum(step->op, progress, cancellable, error);
		if (!ok) {
			g_prefix_error(error, "refusing to start: ");
			return FALSE;
		}
	}
	for (guint i = 0; i < steps->len; i++)
		bytes_total += ub_plan_step_weight(&g_array_index(steps, UbPlanStep, i));
	ub_progress_set_bytes_total(progress, bytes_total);
	run.backup_dir = g_strdup(ub_plan_get_backup_dir(plan));
	if (run.backup_dir == NULL)
		run.backup_dir = ub_backup_new_dir(NULL, ub_device_get_serial(device));
	run.backed_up = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	run.restorable = g_hash_table_new_full(g_str_hash,
					       g_str_equal,
					       g_free,
					       (GDestroyNotify)ub_plan_restore_item_free);
	run.restore_order = g_ptr_array_new_with_free_func(g_free);
	ub_progress_step_done(progress);

	/* run */
	{
		UbProgress *progress_ops = ub_progress_get_child(progress);
		gboolean stale = FALSE;
		for (guint i = 0; i < steps->len; i++) {
			UbPlanStep *step = &g_array_index(steps, UbPlanStep, i);
			const gchar *name = ub_plan_step_get_label(step);
			ub_progress_add_step(progress_ops,
					     UB_STATUS_BUSY,
					     MAX(ub_plan_step_weight(step) / 4096, 1),
					     name);
		}
		for (guint i = 0; i < steps->len; i++) {
			UbPlanStep *step = &g_array_index(steps, UbPlanStep, i);
			UbPlanOp *op = step->op;
			if (g_cancellable_set_error_if_cancelled(cancellable, error))
				return FALSE;
			/* already done before the first write */
			if (op->kind == UB_PLAN_OP_REQUIRE_VAR || op->kind == UB_PLAN_OP_CHECK_ANTI ||
			    op->kind == UB_PLAN_OP_CHECK_LAYOUT || op->kind == UB_PLAN_OP_CHECK_SUM) {
				ub_progress_step_done(progress_ops);
				continue;
			}
			if (op->condition != NULL) {
				gboolean holds = FALSE;
				if (!ub_plan_condition_holds(device,
							     op->condition,
							     &holds,
							     cancellable,
							     error))
					return FALSE;
				if (!holds) {
					ub_progress_log(progress,
							"skipping %s %s: %s does not hold",
							ub_plan_op_kind_to_string(op->kind),
							op->partition != NULL ? op->partition : "",
							op->condition);
					ub_progress_step_done(progress_ops);
					continue;
				}
			}
			if (step->deferred) {
				if (stale) {
					g_clear_pointer(&partitions, g_ptr_array_unref);
					partitions = ub_plan_list_partitions(device,
									     progress,
									     cancellable,
									     &error_local);
					if (error_local != NULL) {
						g_propagate_error(error,
								  g_steal_pointer(&error_local));
						return FALSE;
					}
					stale = FALSE;
				}
				if (!ub_plan_run_deferred(plan,
							  device,
							  step,
							  partitions,
							  &run,
							  ub_progress_get_child(progress_ops),
							  cancellable,
							  error))
					return FALSE;
			} else if (!ub_plan_run_step(plan,
						     device,
						     step,
						     &run,
						     ub_progress_get_child(progress_ops),
						     cancellable,
						     error)) {
				return FALSE;
			}
			if (ub_plan_op_changes_table(op))
				stale = TRUE;
			ub_progress_step_done(progress_ops);
		}
	}
	ub_progress_step_done(progress);
	return TRUE;
}
