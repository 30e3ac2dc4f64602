/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* the product the simulated fastboot phone reports */
#define UB_DEMO_PACKAGE_PRODUCT "unbrick_sim"

gboolean
ub_demo_package_write(const gchar *dir, const gchar *product, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gchar *
ub_demo_package_get_dir(void);
GBytes *
ub_demo_package_make_image(const gchar *name);

/* the demo Qualcomm flat build (UFS) and its Firehose programmer */
#define UB_DEMO_FLAT_BUILD_PROGRAMMER "prog_firehose_demo.elf"
#define UB_DEMO_FLAT_BUILD_RAWPROGRAM "rawprogram0.xml"
#define UB_DEMO_FLAT_BUILD_N_LUNS     3

gboolean
ub_demo_package_write_flat_build(const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *
ub_demo_package_get_flat_build_dir(void);
GBytes *
ub_demo_package_make_programmer(void);
const gchar *const *
ub_demo_package_get_flat_build_labels(void);
GBytes *
ub_demo_package_make_flat_image(const gchar *label);
guint64
ub_demo_package_get_flat_build_min_lun_size(guint lun);

/* the demo MediaTek scatter package (eMMC, MT6765) and its Download Agent */
#define UB_DEMO_SCATTER_FILE "MT6765_Android_scatter.txt"
#define UB_DEMO_MTK_DA_FILE  "MTK_AllInOne_DA_demo.bin"
#define UB_DEMO_MTK_DA_CODE  0x6765

gboolean
ub_demo_package_write_scatter(const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *
ub_demo_package_get_scatter_dir(void);
gchar *
ub_demo_package_make_scatter(gboolean old_layout);
const gchar *const *
ub_demo_package_get_scatter_rows(void);
const gchar *const *
ub_demo_package_get_scatter_calibration(void);
GBytes *
ub_demo_package_make_scatter_image(const gchar *name);
guint64
ub_demo_package_get_scatter_min_user_size(void);
GBytes *
ub_demo_package_make_da(GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
