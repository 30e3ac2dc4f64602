/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"

G_BEGIN_DECLS

/**
 * UbDownloadRowNote:
 * @UB_DOWNLOAD_ROW_NOTE_NONE: nothing to say
 * @UB_DOWNLOAD_ROW_NOTE_INFO: worth knowing ("sparse image")
 * @UB_DOWNLOAD_ROW_NOTE_WARNING: odd but not blocking
 * @UB_DOWNLOAD_ROW_NOTE_ERROR: blocks the download while the row is ticked
 *
 * What the pre-flight found for one row.
 */
typedef enum {
	UB_DOWNLOAD_ROW_NOTE_NONE,
	UB_DOWNLOAD_ROW_NOTE_INFO,
	UB_DOWNLOAD_ROW_NOTE_WARNING,
	UB_DOWNLOAD_ROW_NOTE_ERROR,
} UbDownloadRowNote;

/* the table's columns, for one GtkSizeGroup each (header and rows) */
typedef enum {
	UB_DOWNLOAD_ROW_COLUMN_CHECK,
	UB_DOWNLOAD_ROW_COLUMN_NAME,
	UB_DOWNLOAD_ROW_COLUMN_REGION,
	UB_DOWNLOAD_ROW_COLUMN_BEGIN,
	UB_DOWNLOAD_ROW_COLUMN_END,
	UB_DOWNLOAD_ROW_COLUMN_SIZE,
	UB_DOWNLOAD_ROW_COLUMN_FILE,
	UB_DOWNLOAD_ROW_COLUMN_LAST
} UbDownloadRowColumn;

/**
 * UbDownloadRow:
 *
 * One partition of the Download tab's table. Signals: "toggled" (the check
 * button changed), "file-changed" (the user chose another image file).
 * Accessible names: the row is NAME, its check button "Write NAME", its file
 * button "Image file for NAME".
 */
#define UB_TYPE_DOWNLOAD_ROW (ub_download_row_get_type())
G_DECLARE_FINAL_TYPE(UbDownloadRow, ub_download_row, UB, DOWNLOAD_ROW, GtkListBoxRow)

/* @part must outlive the row (the page keeps the package) */
UbDownloadRow *
ub_download_row_new(const UbPackagePartition *part);
const UbPackagePartition *
ub_download_row_get_partition(UbDownloadRow *self);
const gchar *
ub_download_row_get_name(UbDownloadRow *self);
/* there is an image to write: the package's or one the user chose */
gboolean
ub_download_row_get_writable(UbDownloadRow *self);
gboolean
ub_download_row_get_selected(UbDownloadRow *self);
void
ub_download_row_set_selected(UbDownloadRow *self, gboolean selected);
/* a calibration row the mode keeps or erases by itself: not tickable, @text says why */
void
ub_download_row_set_locked(UbDownloadRow *self, gboolean locked, const gchar *text);
gboolean
ub_download_row_get_locked(UbDownloadRow *self);
/* the pre-flight result shown in the status column */
void
ub_download_row_set_note(UbDownloadRow *self, UbDownloadRowNote note, const gchar *text);
UbDownloadRowNote
ub_download_row_get_note(UbDownloadRow *self);
const gchar *
ub_download_row_get_note_text(UbDownloadRow *self);
/* the job's progress for this row ("Writing…"); %NULL shows the note again */
void
ub_download_row_set_status(UbDownloadRow *self, const gchar *icon_name, const gchar *text);
const gchar *
ub_download_row_get_status(UbDownloadRow *self);
/* what the status column shows: the job status, else the note, else the lock reason */
const gchar *
ub_download_row_get_text(UbDownloadRow *self);
/* (nullable): the image file the user chose instead of the package's */
GFile *
ub_download_row_get_file(UbDownloadRow *self);
void
ub_download_row_set_file(UbDownloadRow *self, GFile *file);
void
ub_download_row_set_controls_sensitive(UbDownloadRow *self, gboolean sensitive);
void
ub_download_row_add_to_size_groups(UbDownloadRow *self, GtkSizeGroup *const *groups);
/* shared with the page's header and other tables: tabular figures */
void
ub_download_row_use_tabular_figures(GtkLabel *label);

G_END_DECLS
