/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define UB_TYPE_PARTITION (ub_partition_get_type())
G_DECLARE_FINAL_TYPE(UbPartition, ub_partition, UB, PARTITION, GObject)

UbPartition *
ub_partition_new(const gchar *name, const gchar *region, guint64 offset, guint64 size);
const gchar *
ub_partition_get_name(UbPartition *self);
const gchar *
ub_partition_get_region(UbPartition *self);
guint64
ub_partition_get_offset(UbPartition *self);
guint64
ub_partition_get_size(UbPartition *self);
guint64
ub_partition_get_end(UbPartition *self);
gboolean
ub_partition_is_calibration(UbPartition *self);
void
ub_partition_set_is_logical(UbPartition *self, gboolean is_logical);
gboolean
ub_partition_get_is_logical(UbPartition *self);

const gchar *
ub_partition_calibration_reason(const gchar *name);
gboolean
ub_partition_name_is_calibration(const gchar *name);
gboolean
ub_partition_name_is_bootloader(const gchar *name);
gboolean
ub_partition_name_is_dynamic(const gchar *name);
UbPartition *
ub_partition_array_find(GPtrArray *partitions, const gchar *name);

G_END_DECLS
