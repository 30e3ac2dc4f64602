/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

/**
 * UbFrontReadbackRow:
 * @name: (nullable): a partition name; @start and @length are then relative to it
 * @region: (nullable): a region ("user", "lun0") when @name is %NULL
 * @start: byte offset
 * @length: bytes, 0 for "to the end of the partition or region"
 * @output: (nullable): the file to read into: absolute, or relative to the
 *   output folder; %NULL for NAME.img (REGION-0xSTART.bin for a range)
 *
 * One row of the Read back tab or of `unbrick-cli readback`.
 */
typedef struct {
	const gchar *name;
	const gchar *region;
	guint64 start;
	guint64 length;
	const gchar *output;
} UbFrontReadbackRow;

/**
 * UbFrontCalibration:
 * @name: the partition name
 * @region: (nullable): where it is
 * @size: bytes
 * @reason: why no package can restore it (untranslated)
 */
typedef struct {
	gchar *name;
	gchar *region;
	guint64 size;
	gchar *reason;
} UbFrontCalibration;

void
ub_front_calibration_free(UbFrontCalibration *cal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbFrontCalibration, ub_front_calibration_free)

gchar *
ub_front_plan_default_output_name(const UbFrontReadbackRow *row);
UbPlan *
ub_front_plan_readback(UbDevice *device,
		       const UbFrontReadbackRow *rows,
		       guint n_rows,
		       const gchar *output_dir,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbPlan *
ub_front_plan_readback_all(UbDevice *device, const gchar *output_dir, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
UbPlan *
ub_front_plan_format_auto(UbDevice *device,
			  gboolean whole_flash,
			  gboolean keep_calibration,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbPlan *
ub_front_plan_format_range(UbDevice *device,
			   const gchar *region,
			   guint64 start,
			   guint64 length,
			   gboolean keep_calibration,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
ub_front_plan_list_calibration(UbDevice *device);
gboolean
ub_front_plan_parse_size(const gchar *text, guint64 *value, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
