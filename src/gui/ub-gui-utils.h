/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"

G_BEGIN_DECLS

const gchar *
ub_gui_status_to_text(UbStatus status);
const gchar *
ub_gui_mode_to_text(UbDeviceMode mode);
const gchar *
ub_gui_protocol_to_text(UbProtocol protocol);
gchar *
ub_gui_format_size(guint64 bytes);
gchar *
ub_gui_format_job_detail(UbJob *job);
void
ub_gui_show_error(GtkWindow *parent, const gchar *headline, const GError *error);

G_END_DECLS
