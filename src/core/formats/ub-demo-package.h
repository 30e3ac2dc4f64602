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

G_END_DECLS
