/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"

G_BEGIN_DECLS

/**
 * UbDownloadPage:
 *
 * The Download tab. A mode selector that fits the package (MTK: Download Only
 * / Firmware Upgrade / Format All + Download; Qualcomm: Flat build / Selected
 * partitions; fastboot: Clean all / Keep user data / Clean all and lock), a
 * table of the package's partitions (checkbox, name, region/LUN, begin, end,
 * size (human; hex in the tooltip), file (click to choose another), status),
 * Select all / Select none, calibration rows marked (lock icon + reason) and
 * unchecked unless the mode needs them, "Verify after write", and the
 * pre-flight problems (image larger than its partition, missing file, package
 * for another product) inline on their rows before the user can start.
 *
 * Rows are GtkListBoxRows (not a GtkTreeView) so each check button is an
 * accessible widget: accessible name "Write NAME" for the check button of the
 * row of partition NAME; the row's accessible name is NAME.
 * Other accessible names: "Mode", "Partitions", "Select all", "Select none",
 * "Verify after write", "Download".
 *
 * Signals: "start" (no args) when Download is pressed and the page is ready.
 */
#define UB_TYPE_DOWNLOAD_PAGE (ub_download_page_get_type())
G_DECLARE_FINAL_TYPE(UbDownloadPage, ub_download_page, UB, DOWNLOAD_PAGE, GtkBox)

void
ub_download_page_set_package(UbDownloadPage *self, UbPackage *package);
/* (nullable): the phone the job would run on: its partition table refines the
 * pre-flight (sizes on the phone), NULL when none is selected */
void
ub_download_page_set_device(UbDownloadPage *self, UbDevice *device);
/* the plan the user asked for (mode, ticked rows, other files, verify);
 * %NULL with an error that names what to fix */
UbPlan *
ub_download_page_build_plan(UbDownloadPage *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* a job of this page started (or NULL when it ended): rows show their status
 * ("Writing", "Written", "Verified", "Failed") from the job's steps; the page's
 * controls are insensitive while a job runs */
void
ub_download_page_set_job(UbDownloadPage *self, UbJob *job);
/* whether Download can be pressed (package loaded, at least one row, no
 * blocking pre-flight problem, no job); the window adds "a phone is there" */
gboolean
ub_download_page_get_ready(UbDownloadPage *self);
/* for tests and the accessibility tree: the mode id, and row selection */
const gchar *
ub_download_page_get_mode(UbDownloadPage *self);
void
ub_download_page_set_mode(UbDownloadPage *self, const gchar *mode);
gboolean
ub_download_page_get_row_selected(UbDownloadPage *self, const gchar *name);
void
ub_download_page_set_row_selected(UbDownloadPage *self, const gchar *name, gboolean selected);

/* for tests: the number of table rows, a row's status column text (job
 * status, else the pre-flight note), and choosing another image for a row as
 * its file button does */
guint
ub_download_page_get_n_rows(UbDownloadPage *self);
const gchar *
ub_download_page_get_row_note(UbDownloadPage *self, const gchar *name);
gboolean
ub_download_page_set_row_file(UbDownloadPage *self, const gchar *name, GFile *file);

G_END_DECLS
