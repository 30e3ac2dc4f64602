/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

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
	UB_PLAN_OP_LAST
} UbPlanOpKind;

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
 *   "all", or %NULL for the phone's current slot
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
} UbPlanOp;

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
void
ub_plan_add_reboot(UbPlan *self, UbRebootMode mode);
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

G_END_DECLS
