/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"

G_BEGIN_DECLS

/**
 * UbFormatPage:
 *
 * The Format tab: Auto ("Whole flash except bootloader" or "Whole flash") or
 * Manual (region from the phone's regions, begin, length); "Keep calibration
 * data" on by default, with the list of the phone's calibration partitions
 * shown under it. Pressing Format opens a confirmation dialog that names what
 * will be lost and where the backup of calibration data goes; only its
 * "Format" button emits "start".
 *
 * Accessible names: "Auto", "Manual", "Auto format", "Region", "Begin",
 * "Length", "Keep calibration data", "Calibration partitions", "Format".
 *
 * Signals: "start" (no args) after the user confirmed.
 */
#define UB_TYPE_FORMAT_PAGE (ub_format_page_get_type())
G_DECLARE_FINAL_TYPE(UbFormatPage, ub_format_page, UB, FORMAT_PAGE, GtkBox)

void
ub_format_page_set_device(UbFormatPage *self, UbDevice *device);
UbPlan *
ub_format_page_build_plan(UbFormatPage *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_format_page_set_job(UbFormatPage *self, UbJob *job);
gboolean
ub_format_page_get_ready(UbFormatPage *self);
/* where calibration backups go (shown in the confirmation) */
void
ub_format_page_set_backup_dir(UbFormatPage *self, const gchar *dir);

G_END_DECLS
