/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-package.h"

G_BEGIN_DECLS

gboolean
ub_package_load_fastboot_rom(UbPackage *pkg,
			     const gchar *relpath,
			     const UbPackageOptions *options,
			     GCancellable *cancellable,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_package_load_google_factory(UbPackage *pkg,
			       const gchar *relpath,
			       const UbPackageOptions *options,
			       GCancellable *cancellable,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
