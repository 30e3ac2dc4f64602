/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-device.h"
#include "ub-plan.h"

G_BEGIN_DECLS

gboolean
ub_plan_execute(UbPlan *plan,
		UbDevice *device,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean
ub_plan_preflight(UbPlan *plan, GPtrArray *partitions, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_plan_preflight_for_device(UbPlan *plan, UbDevice *device, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

gboolean
ub_plan_build_layout_gpt(UbPlan *plan,
			 const gchar *region,
			 guint64 region_size,
			 guint32 sector_size,
			 GBytes **primary,
			 GBytes **backup,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
