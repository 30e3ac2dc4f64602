/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-package-source.h"

G_BEGIN_DECLS

/* a folder on disk */
#define UB_TYPE_PACKAGE_SOURCE_DIR (ub_package_source_dir_get_type())
G_DECLARE_FINAL_TYPE(UbPackageSourceDir, ub_package_source_dir, UB, PACKAGE_SOURCE_DIR, GObject)
UbPackageSource *
ub_package_source_dir_new(const gchar *path);

G_END_DECLS
