/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"
#include "ub-text.h"

G_BEGIN_DECLS

gchar *
ub_gui_format_job_detail(UbJob *job);
void
ub_gui_show_error(GtkWindow *parent, const gchar *headline, const GError *error);
GtkWidget *
ub_gui_find_by_accessible_name(GtkWidget *widget, const gchar *name);
GSettings *
ub_gui_settings_new(void);

G_END_DECLS
