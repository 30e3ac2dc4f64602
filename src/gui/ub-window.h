/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define UB_TYPE_WINDOW (ub_window_get_type())
G_DECLARE_FINAL_TYPE(UbWindow, ub_window, UB, WINDOW, GtkApplicationWindow)

UbWindow *
ub_window_new(GtkApplication *application);
gboolean
ub_window_add_sim(UbWindow *self, const gchar *kind, GError **error);
void
ub_window_load_package(UbWindow *self, const gchar *path, const gchar *loader);
void
ub_window_load_demo(UbWindow *self, const gchar *kind);
void
ub_window_run_demo_async(UbWindow *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean
ub_window_run_demo_finish(UbWindow *self, GAsyncResult *res, GError **error);
gchar *
ub_window_describe(UbWindow *self);

G_END_DECLS
