/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-package.h"

G_BEGIN_DECLS

/* plan ids (mtk.md b.4: SP Flash Tool's three download modes) */
#define UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY	    "download-only"
#define UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE    "firmware-upgrade"
#define UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD "format-all-download"

gboolean
ub_package_load_scatter(UbPackage *pkg,
			const gchar *relpath,
			const UbPackageOptions *options,
			GCancellable *cancellable,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
