/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-package.h"

G_BEGIN_DECLS

gboolean
ub_package_load_flat_build(UbPackage *pkg,
			   const gchar *relpath,
			   const UbPackageOptions *options,
			   GCancellable *cancellable,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *
ub_package_flat_build_region_name(guint32 sector_size, guint physical_partition_number);

G_END_DECLS
