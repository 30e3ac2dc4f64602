/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "formats/ub-scatter.h"
#include "ub-plan.h"

/* what to do, as data; ub-plan-executor.c decides whether and how it is safe */

struct _UbPlan {
	GObject parent_instance;
	UbPlanKind kind;
	GPtrArray *ops; /* of UbPlanOp */
	gboolean verify;
	gboolean allow_calibration;
	gboolean allow_lock;
	gchar *backup_dir;
	GPtrArray *notes;  /* of gchar* */
	GPtrArray *layout; /* of UbPlanLayoutRow */
	guint64 layout_block_size;
};

G_DEFINE_TYPE(UbPlan, ub_plan, G_TYPE_OBJECT)

const gchar *
ub_plan_kind_to_string(UbPlanKind kind)
{
	switch (kind) {
	case UB_PLAN_KIND_IDENTIFY:
		return "identify";
	case UB_PLAN_KIND_DOWNLOAD:
		return "download";
	case UB_PLAN_KIND_READBACK:
		return "readback";
	case UB_PLAN_KIND_FORMAT:
		return "format";
	case UB_PLAN_KIND_LAST:
	default:
		return "unknown";
	}
}

const gchar *
ub_plan_op_kind_to_string(UbPlanOpKind kind)
{
	switch (kind) {
	case UB_PLAN_OP_WRITE:
		return "write";
	case UB_PLAN_OP_READ:
		return "read";
	case UB_PLAN_OP_ERASE:
		return "erase";
	case UB_PLAN_OP_REBOOT:
		return "reboot";
	case UB_PLAN_OP_SET_ACTIVE:
		return "set-active";
	case UB_PLAN_OP_REQUIRE_VAR:
		return "require-var";
	case UB_PLAN_OP_CHECK_ANTI:
		return "check-anti";
	case UB_PLAN_OP_COMMAND:
		return "command";
	case UB_PLAN_OP_UPDATE_SUPER:
		return "update-super";
	case UB_PLAN_OP_CHECK_LAYOUT:
		return "check-layout";
	case UB_PLAN_OP_CHECK_SUM:
		return "check-sum";
	case UB_PLAN_OP_BACKUP:
		return "backup";
	case UB_PLAN_OP_WRITE_LAYOUT:
		return "write-layout";
	case UB_PLAN_OP_RESTORE:
		return "restore";
	case UB_PLAN_OP_LAST:
	default:
		return "unknown";
	}
}

static void
ub_plan_op_free(UbPlanOp *op)
{
	g_free(op->partition);
	g_free(op->region);
	g_free(op->path);
	g_free(op->slot);
	g_free(op->value);
	g_free(op->variable);
	g_free(op->condition);
	g_clear_object(&op->package);
	g_free(op->file);
	g_free(op->origin);
	g_free(op->label);
	g_free(op->start_expr);
	g_free(op);
}

/**
 * ub_plan_add_op:
 * @self: a #UbPlan
 * @kind: a #UbPlanOpKind
 * @partition: (nullable): a partition name
 * @region: (nullable): a region, when @partition is %NULL
 * @offset: byte offset
 * @length: bytes, or 0
 * @path: (nullable): file to write from or read into
 *
 * Returns: (transfer none): the new operation, owned by @self
 */
UbPlanOp *
ub_plan_add_op(UbPlan *self,
	       UbPlanOpKind kind,
	       const gchar *partition,
	       const gchar *region,
	       guint64 offset,
	       guint64 length,
	       const gchar *path)
{
	UbPlanOp *op;
	g_return_val_if_fail(UB_IS_PLAN(self), NULL);
	op = g_new0(UbPlanOp, 1);
	op->kind = kind;
	op->partition = g_strdup(partition);
	op->region = g_strdup(region);
	op->offset = offset;
	op->length = length;
	op->path = g_strdup(path);
	g_ptr_array_add(self->ops, op);
	return op;
}

UbPlanOp *
ub_plan_add_write(UbPlan *self, const gchar *partition, const gchar *path)
{
	return ub_plan_add_op(self, UB_PLAN_OP_WRITE, partition, NULL, 0, 0, path);
}

UbPlanOp *
ub_plan_add_read(UbPlan *self, const gchar *partition, const gchar *path)
{
	return ub_plan_add_op(self, UB_PLAN_OP_READ, partition, NULL, 0, 0, path);
}

UbPlanOp *
ub_plan_add_erase(UbPlan *self, const gchar *partition)
{
	return ub_plan_add_op(self, UB_PLAN_OP_ERASE, partition, NULL, 0, 0, NULL);
}

UbPlanOp *
ub_plan_add_reboot(UbPlan *self, UbRebootMode mode)
{
	UbPlanOp *op = ub_plan_add_op(self, UB_PLAN_OP_REBOOT, NULL, NULL, 0, 0, NULL);
	op->reboot_mode = mode;
	return op;
}

/**
 * ub_plan_add_simple:
 * @self: a #UbPlan
 * @kind: SET_ACTIVE, REQUIRE_VAR, CHECK_ANTI or COMMAND
 * @value: (nullable): the op's @value
 *
 * Returns: (transfer none): the new operation, owned by @self
 */
UbPlanOp *
ub_plan_add_simple(UbPlan *self, UbPlanOpKind kind, const gchar *value)
{
	UbPlanOp *op = ub_plan_add_op(self, kind, NULL, NULL, 0, 0, NULL);
	if (op != NULL)
		op->value = g_strdup(value);
	return op;
}

/**
 * ub_plan_op_set_package_file:
 * @op: a #UbPlanOp
 * @package: a #UbPackage
 * @file: a file of @package
 *
 * Streams the op's image from the package (an archive is read in place,
 * never extracted) instead of from a file on disk.
 */
void
ub_plan_op_set_package_file(UbPlanOp *op, UbPackage *package, const gchar *file)
{
	g_return_if_fail(op != NULL);
	g_return_if_fail(UB_IS_PACKAGE(package));
	g_set_object(&op->package, package);
	g_free(op->file);
	op->file = g_strdup(file);
}

/**
 * ub_plan_op_get_source_name:
 * @op: a #UbPlanOp
 *
 * Returns: (nullable): the image as users know it: the file in the package, or the path
 */
const gchar *
ub_plan_op_get_source_name(UbPlanOp *op)
{
	g_return_val_if_fail(op != NULL, NULL);
	return op->file != NULL ? op->file : op->path;
}

/**
 * ub_plan_get_ops:
 * @self: a #UbPlan
 *
 * Returns: (transfer none) (element-type UbPlanOp): the operations in order
 */
GPtrArray *
ub_plan_get_ops(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), NULL);
	return self->ops;
}

UbPlanKind
ub_plan_get_kind(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), UB_PLAN_KIND_LAST);
	return self->kind;
}

void
ub_plan_set_verify(UbPlan *self, gboolean verify)
{
	g_return_if_fail(UB_IS_PLAN(self));
	self->verify = verify;
}

gboolean
ub_plan_get_verify(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), FALSE);
	return self->verify;
}

/**
 * ub_plan_set_allow_calibration:
 * @self: a #UbPlan
 * @allow: the user's explicit consent
 *
 * Without consent, any write or erase of a calibration partition (nvram, persist,
 * modemst1, ...) is refused before anything is written. With it, the partition
 * is backed up first.
 */
void
ub_plan_set_allow_calibration(UbPlan *self, gboolean allow)
{
	g_return_if_fail(UB_IS_PLAN(self));
	self->allow_calibration = allow;
}

gboolean
ub_plan_get_allow_calibration(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), FALSE);
	return self->allow_calibration;
}

void
ub_plan_set_backup_dir(UbPlan *self, const gchar *backup_dir)
{
	g_return_if_fail(UB_IS_PLAN(self));
	g_free(self->backup_dir);
	self->backup_dir = g_strdup(backup_dir);
}

/**
 * ub_plan_get_backup_dir:
 * @self: a #UbPlan
 *
 * Returns: (nullable): where calibration backups go; %NULL for the default,
 * $XDG_DATA_HOME/unbrick/backups/SERIAL/TIMESTAMP
 */
const gchar *
ub_plan_get_backup_dir(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), NULL);
	return self->backup_dir;
}

/**
 * ub_plan_set_allow_lock:
 * @self: a #UbPlan
 * @allow: the user's explicit consent
 *
 * Without consent, "oem lock" and "flashing lock" steps are refused before
 * anything is written: locking a phone that runs a modified image bricks it.
 */
void
ub_plan_set_allow_lock(UbPlan *self, gboolean allow)
{
	g_return_if_fail(UB_IS_PLAN(self));
	self->allow_lock = allow;
}

gboolean
ub_plan_get_allow_lock(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), FALSE);
	return self->allow_lock;
}

/**
 * ub_plan_add_note:
 * @self: a #UbPlan
 * @fmt: printf-style format
 *
 * Records something the user should read about how the plan was made ("only
 * the selected entries: the patches are left out"); the executor logs the
 * notes before it starts.
 */
void
ub_plan_add_note(UbPlan *self, const gchar *fmt, ...)
{
	va_list args;
	g_return_if_fail(UB_IS_PLAN(self));
	va_start(args, fmt);
	g_ptr_array_add(self->notes, g_strdup_vprintf(fmt, args));
	va_end(args);
}

/**
 * ub_plan_get_notes:
 * @self: a #UbPlan
 *
 * Returns: (transfer none) (element-type utf8): the notes, in order
 */
GPtrArray *
ub_plan_get_notes(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), NULL);
	return self->notes;
}

static void
ub_plan_layout_row_free(UbPlanLayoutRow *row)
{
	g_free(row->name);
	g_free(row->region);
	g_free(row);
}

/**
 * ub_plan_add_layout_row:
 * @self: a #UbPlan
 * @name: the partition name
 * @region: the device region ("user", "lun2")
 * @start: byte offset in @region (ignored when @pseudo is set)
 * @size: bytes
 * @pseudo: an end-relative MediaTek pseudo address, or 0
 * @combo: combo_partsize_check
 *
 * Adds a partition of the layout the package brings: what CHECK_LAYOUT
 * compares the phone's table with and WRITE_LAYOUT writes.
 */
void
ub_plan_add_layout_row(UbPlan *self,
		       const gchar *name,
		       const gchar *region,
		       guint64 start,
		       guint64 size,
		       guint64 pseudo,
		       gboolean combo)
{
	UbPlanLayoutRow *row;
	g_return_if_fail(UB_IS_PLAN(self));
	g_return_if_fail(name != NULL && region != NULL);
	row = g_new0(UbPlanLayoutRow, 1);
	row->name = g_strdup(name);
	row->region = g_strdup(region);
	row->start = start;
	row->size = size;
	row->pseudo = pseudo;
	row->combo = combo;
	g_ptr_array_add(self->layout, row);
}

/**
 * ub_plan_get_layout:
 * @self: a #UbPlan
 *
 * Returns: (transfer none) (element-type UbPlanLayoutRow): the layout, maybe empty
 */
GPtrArray *
ub_plan_get_layout(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), NULL);
	return self->layout;
}

/* the scatter's block_size, for the pseudo addresses (0: 0x20000) */
void
ub_plan_set_layout_block_size(UbPlan *self, guint64 block_size)
{
	g_return_if_fail(UB_IS_PLAN(self));
	self->layout_block_size = block_size;
}

guint64
ub_plan_get_layout_block_size(UbPlan *self)
{
	g_return_val_if_fail(UB_IS_PLAN(self), 0);
	return self->layout_block_size;
}

/**
 * ub_plan_layout_resolve:
 * @self: a #UbPlan
 * @row: a row of its layout
 * @region_size: bytes of @row's region on the phone
 * @start: (out): the row's byte offset in its region
 *
 * An end-relative pseudo address is placed as the scatter's arithmetic
 * says (ub_scatter_resolve_pseudo(), with the layout's 0xFFFF0000 row as
 * the tail); other rows are where they say.
 *
 * Returns: %FALSE when the row does not fit @region_size
 */
gboolean
ub_plan_layout_resolve(UbPlan *self,
		       const UbPlanLayoutRow *row,
		       guint64 region_size,
		       guint64 *start)
{
	guint64 tail = 0;
	g_return_val_if_fail(UB_IS_PLAN(self), FALSE);
	if (row->pseudo == 0) {
		*start = row->start;
		return row->start <= region_size && row->size <= region_size - row->start;
	}
	for (guint i = 0; i < self->layout->len; i++) {
		UbPlanLayoutRow *tmp = g_ptr_array_index(self->layout, i);
		if (tmp->pseudo == UB_SCATTER_PSEUDO_MIN && g_strcmp0(tmp->region, row->region) == 0)
			tail = tmp->size;
	}
	*start = ub_scatter_resolve_pseudo(row->pseudo,
					   row->size,
					   self->layout_block_size,
					   region_size,
					   tail);
	return *start != G_MAXUINT64;
}

static void
ub_plan_finalize(GObject *object)
{
	UbPlan *self = UB_PLAN(object);
	g_ptr_array_unref(self->layout);
	g_ptr_array_unref(self->ops);
	g_ptr_array_unref(self->notes);
	g_free(self->backup_dir);
	G_OBJECT_CLASS(ub_plan_parent_class)->finalize(object);
}

static void
ub_plan_init(UbPlan *self)
{
	self->ops = g_ptr_array_new_with_free_func((GDestroyNotify)ub_plan_op_free);
	self->notes = g_ptr_array_new_with_free_func(g_free);
	self->layout = g_ptr_array_new_with_free_func((GDestroyNotify)ub_plan_layout_row_free);
}

static void
ub_plan_class_init(UbPlanClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_plan_finalize;
}

UbPlan *
ub_plan_new(UbPlanKind kind)
{
	UbPlan *self = g_object_new(UB_TYPE_PLAN, NULL);
	self->kind = kind;
	return self;
}
