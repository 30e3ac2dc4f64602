/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"

G_BEGIN_DECLS

/**
 * UbPackageBar:
 *
 * The package row above the tabs: the firmware package (MTK scatter,
 * rawprogram*.xml, fastboot ROM folder, or an archive of one), the Download
 * Agent (MediaTek) or programmer (Qualcomm) file, an optional authentication
 * file (MediaTek secure boot), each with a chooser button and a menu of recent
 * files (GSettings "recent-packages", "recent-loaders", "recent-auth-files").
 *
 * Packages are opened on a worker thread (ub_package_open()); the bar shows
 * "Loading…" and then a one-line summary ("MediaTek scatter for MT6765, eMMC,
 * 24 partitions"), or the error inline with what to do. The loader and auth
 * rows are only visible for package formats (or selected phones) that use them.
 *
 * Accessible names: "Firmware package", "Download Agent" / "Programmer",
 * "Authentication file", "Recent packages", "Open demo package".
 *
 * Signals:
 *  - "package-changed" (no args): ub_package_bar_get_package() changed
 *    (a new package loaded, or cleared).
 *  - "files-changed" (no args): the loader or auth file changed.
 */
#define UB_TYPE_PACKAGE_BAR (ub_package_bar_get_type())
G_DECLARE_FINAL_TYPE(UbPackageBar, ub_package_bar, UB, PACKAGE_BAR, GtkBox)

/* loads @path (file or folder) on a thread; "package-changed" when done */
void
ub_package_bar_load(UbPackageBar *self, const gchar *path);
/* the demo package for a phone kind ("fastboot", "edl", "mtk"), written to the
 * cache by ub_demo_package_*(), with the demo DA / programmer selected */
void
ub_package_bar_load_demo(UbPackageBar *self, const gchar *kind);
/* (nullable): the loaded package, or %NULL while loading / after an error */
UbPackage *
ub_package_bar_get_package(UbPackageBar *self);
/* TRUE while a package is being opened */
gboolean
ub_package_bar_get_loading(UbPackageBar *self);
/* (nullable): the DA (MTK) or programmer (EDL) file the user chose */
GFile *
ub_package_bar_get_loader(UbPackageBar *self);
void
ub_package_bar_set_loader(UbPackageBar *self, GFile *file);
/* (nullable): the authentication file (MTK) */
GFile *
ub_package_bar_get_auth(UbPackageBar *self);
void
ub_package_bar_set_auth(UbPackageBar *self, GFile *file);
/* the kind of the selected phone ("fastboot", "edl", "mtk", or NULL): decides
 * which loader row shows when no package is loaded */
void
ub_package_bar_set_device_kind(UbPackageBar *self, const gchar *kind);

/* opens the package chooser, as the package button does (Ctrl+O) */
void
ub_package_bar_choose_package(UbPackageBar *self);

G_END_DECLS
