/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-package.h"
#include "ub-plan.h"

G_BEGIN_DECLS

/**
 * UbPackageData:
 * @UB_PACKAGE_DATA_AS_PACKAGE: as the package's plan says
 * @UB_PACKAGE_DATA_KEEP: leave out every step that wipes user data
 * @UB_PACKAGE_DATA_WIPE: erase userdata and metadata at the end when the plan does not
 *
 * What happens to the user's data (Google's flash-all with or without -w).
 */
typedef enum {
	UB_PACKAGE_DATA_AS_PACKAGE,
	UB_PACKAGE_DATA_KEEP,
	UB_PACKAGE_DATA_WIPE,
} UbPackageData;

/**
 * UbPackagePlanOptions:
 * @slot: (nullable): "a", "b" or "all" for images the package gives no slot;
 *   %NULL: the phone's current slot
 * @allow_lock: the user agreed to "oem lock" / "flashing lock" steps
 * @verify: read back and compare what was written
 * @data: what happens to user data
 * @only_labels: (nullable) (array zero-terminated=1): flat builds: keep only
 *   the program/erase entries with these labels; the patches and the bootable
 *   LUN step stay only when a PrimaryGPT or BackupGPT entry is among them
 */
typedef struct {
	const gchar *slot;
	gboolean allow_lock;
	gboolean verify;
	UbPackageData data;
	const gchar *const *only_labels;
} UbPackagePlanOptions;

UbPlan *
ub_package_plan_to_plan(UbPackage *package,
			const gchar *plan_id,
			const UbPackagePlanOptions *options,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *
ub_package_plan_id_for_mode(UbPackage *package,
			    const gchar *mode,
			    UbPackageData *data,
			    GError **error);
UbPlan *
ub_package_plan_for_mode(UbPackage *package,
			 const gchar *mode,
			 const UbPackagePlanOptions *options,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
