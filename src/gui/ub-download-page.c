/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "formats/ub-package-plan.h"
#include "formats/ub-sparse-image.h"
#include "ub-download-page.h"
#include "ub-download-row.h"
#include "ub-text.h"

/**
 * UbDownloadPage:
 *
 * The Download tab: it never touches the phone. It turns the package, the mode,
 * the ticked rows and the files the user chose into a #UbPlan on request, the
 * way unbrick-cli's download command does, checks every row before the user
 * can start, and follows a running #UbJob through its step names.
 */

#define UB_DOWNLOAD_PAGE_SCHEMA_ID "io.github.unbrick.Unbrick"

struct _UbDownloadPage {
	GtkBox parent_instance;
	GtkComboBoxText *mode_combo;
	GtkLabel *mode_label;
	GtkLabel *mode_hint_label;
	GtkButton *select_all_button;
	GtkButton *select_none_button;
	GtkBox *header_check;
	GtkLabel *header_name;
	GtkLabel *header_region;
	GtkLabel *header_begin;
	GtkLabel *header_end;
	GtkLabel *header_size;
	GtkLabel *header_file;
	GtkListBox *list;
	GtkImage *problem_image;
	GtkLabel *problem_label;
	GtkCheckButton *verify_check;
	GtkButton *download_button;

	GtkSizeGroup *groups[UB_DOWNLOAD_ROW_COLUMN_LAST];
	GPtrArray *rows; /* of UbDownloadRow, owned by the list too */
	UbPackage *package;
	UbDevice *device;
	UbJob *job;
	GSettings *settings; /* nullable: no schema installed */
	gchar *problem;	     /* nullable: the first blocking problem */
	gchar *job_step;     /* the row the job works on */
	GHashTable *mode_names; /* nullable: the rows the mode's plan writes */
	GHashTable *image_infos; /* UbDownloadRow → UbDownloadImageInfo */
	UbStatus job_status;
	gboolean syncing;
};

enum { SIGNAL_START, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(UbDownloadPage, ub_download_page, GTK_TYPE_BOX)

/* the modes, by the ids ub_package_plan_for_mode() takes */
static const gchar *
ub_download_page_mode_title(const gchar *mode)
{
	if (g_strcmp0(mode, "download-only") == 0)
		return _("Download Only");
	if (g_strcmp0(mode, "firmware-upgrade") == 0)
		return _("Firmware Upgrade");
	if (g_strcmp0(mode, "format-all-download") == 0)
		return _("Format All + Download");
	if (g_strcmp0(mode, "flat-build") == 0)
		return _("Flat build");
	if (g_strcmp0(mode, "selected") == 0)
		return _("Selected partitions");
	if (g_strcmp0(mode, "keep-data") == 0)
		return _("Keep user data");
	if (g_strcmp0(mode, "clean-all") == 0)
		return _("Clean all");
	if (g_strcmp0(mode, "clean-all-lock") == 0)
		return _("Clean all and lock");
	return mode;
}

static const gchar *
ub_download_page_mode_hint(const gchar *mode)
{
	if (g_strcmp0(mode, "download-only") == 0)
		return _("Writes the ticked partitions; the phone must have the package's layout");
	if (g_strcmp0(mode, "firmware-upgrade") == 0)
		return _("New layout; calibration data is backed up and restored");
	if (g_strcmp0(mode, "format-all-download") == 0)
		return _("Erases the whole flash, calibration data too (backed up first)");
	if (g_strcmp0(mode, "flat-build") == 0)
		return _("Every entry of the build, then its partition table patches");
	if (g_strcmp0(mode, "selected") == 0)
		return _("Only the ticked entries");
	if (g_strcmp0(mode, "keep-data") == 0)
		return _("Apps and files on the phone stay");
	if (g_strcmp0(mode, "clean-all") == 0)
		return _("Erases apps and files on the phone");
	if (g_strcmp0(mode, "clean-all-lock") == 0)
		return _("Erases apps and files, then locks the bootloader");
	return NULL;
}

static gboolean
ub_download_page_is_scatter(UbDownloadPage *self)
{
	return self->package != NULL &&
	       ub_package_get_format(self->package) == UB_PACKAGE_FORMAT_MTK_SCATTER;
}

static gboolean
ub_download_page_is_flat_build(UbDownloadPage *self)
{
	return self->package != NULL &&
	       ub_package_get_format(self->package) == UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD;
}

static gboolean
ub_download_page_row_in_mode(UbDownloadPage *self, UbDownloadRow *row)
{
	return self->mode_names == NULL ||
	       g_hash_table_contains(self->mode_names, ub_download_row_get_name(row));
}

/* the rows the package's plan writes when the user changes nothing */
static gboolean
ub_download_page_row_default(UbDownloadPage *self, UbDownloadRow *row)
{
	const UbPackagePartition *part = ub_download_row_get_partition(row);
	return part->download && !part->calibration && ub_download_row_get_writable(row) &&
	       ub_download_page_row_in_mode(self, row);
}

/* the partitions the mode's own plan writes: a fastboot script or Firmware
 * Upgrade leaves some of the package's images out */
static void
ub_download_page_refresh_mode_names(UbDownloadPage *self)
{
	const gchar *mode = ub_download_page_get_mode(self);
	UbPackagePlanOptions options = {.allow_lock = TRUE};
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GError) error_local = NULL;
	GPtrArray *ops;

	g_clear_pointer(&self->mode_names, g_hash_table_unref);
	if (self->package == NULL || mode == NULL)
		return;
	if (g_strcmp0(mode, "selected") == 0)
		mode = "flat-build";
	plan = ub_package_plan_for_mode(self->package, mode, &options, &error_local);
	if (plan == NULL) {
		g_debug("cannot tell the rows of mode %s: %s", mode, error_local->message);
		return;
	}
	self->mode_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (op->kind != UB_PLAN_OP_WRITE && op->kind != UB_PLAN_OP_UPDATE_SUPER)
			continue;
		if (op->partition != NULL)
			g_hash_table_add(self->mode_names, g_strdup(op->partition));
		if (op->label != NULL)
			g_hash_table_add(self->mode_names, g_strdup(op->label));
	}
}

static UbDownloadRow *
ub_download_page_find_row(UbDownloadPage *self, const gchar *name)
{
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		if (g_strcmp0(ub_download_row_get_name(row), name) == 0)
			return row;
	}
	return NULL;
}

/* a job's step name is a partition or a flat-build label, maybe with a slot */
static UbDownloadRow *
ub_download_page_find_row_for_step(UbDownloadPage *self, const gchar *step)
{
	UbDownloadRow *row;
	gsize len;
	if (step == NULL)
		return NULL;
	row = ub_download_page_find_row(self, step);
	if (row != NULL)
		return row;
	len = strlen(step);
	if (len > 2 && step[len - 2] == '_' && (step[len - 1] == 'a' || step[len - 1] == 'b')) {
		g_autofree gchar *base = g_strndup(step, len - 2);
		return ub_download_page_find_row(self, base);
	}
	return NULL;
}

/* pre-flight */

static UbPartition *
ub_download_page_find_phone_partition(GPtrArray *phone, const gchar *name)
{
	const gchar *suffixes[] = {"", "_a", "_b"};
	for (guint j = 0; j < G_N_ELEMENTS(suffixes); j++) {
		g_autofree gchar *want = g_strconcat(name, suffixes[j], NULL);
		for (guint i = 0; i < phone->len; i++) {
			UbPartition *part = g_ptr_array_index(phone, i);
			if (g_ascii_strcasecmp(ub_partition_get_name(part), want) == 0)
				return part;
		}
	}
	return NULL;
}

/* what the pre-flight read of an image: kept per row, as the pre-flight runs
 * again on the main thread each time the phone is set (also as a job starts)
 * and opening an image inside an archive can take long */
typedef struct {
	guint64 file_size; /* a chosen file: its size and time, to see it changed */
	guint64 file_mtime;
	guint64 size;
	gboolean sparse;
} UbDownloadImageInfo;

/* the bytes the image puts on the phone: a sparse image's unpacked size */
static gboolean
ub_download_page_image_size(UbDownloadPage *self,
			    UbDownloadRow *row,
			    guint64 *size,
			    gboolean *sparse,
			    GError **error)
{
	const UbPackagePartition *part = ub_download_row_get_partition(row);
	GFile *file = ub_download_row_get_file(row);
	UbDownloadImageInfo *cached = g_hash_table_lookup(self->image_infos, row);
	g_autoptr(GInputStream) stream = NULL;
	guint8 buf[UB_SPARSE_HEADER_SIZE] = {0};
	guint64 file_size = 0;
	guint64 file_mtime = 0;
	gsize n = 0;

	if (file != NULL) {
		g_autoptr(GFileInfo) info =
		    g_file_query_info(file,
				      G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED,
				      G_FILE_QUERY_INFO_NONE,
				      NULL,
				      error);
		if (info == NULL)
			return FALSE;
		file_size = g_file_info_get_size(info);
		file_mtime = g_file_info_get_attribute_uint64(info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
	}
	if (cached != NULL && cached->file_size == file_size && cached->file_mtime == file_mtime) {
		*size = cached->size;
		*sparse = cached->sparse;
		return TRUE;
	}
	if (file != NULL) {
		*size = file_size;
		stream = G_INPUT_STREAM(g_file_read(file, NULL, error));
	} else {
		stream = ub_package_open_file(self->package, part->file, size, NULL, error);
	}
	if (stream == NULL)
		return FALSE;
	*sparse = FALSE;
	if (!g_input_stream_read_all(stream, buf, sizeof(buf), &n, NULL, NULL))
		return TRUE;
	if (n == sizeof(buf) && ub_sparse_is_sparse(buf, n)) {
		UbSparseHeader hdr = {0};
		if (ub_sparse_header_parse(buf, n, &hdr, NULL)) {
			*size = (guint64)hdr.total_blks * hdr.blk_sz;
			*sparse = TRUE;
		}
	}
	cached = g_new0(UbDownloadImageInfo, 1);
	cached->file_size = file_size;
	cached->file_mtime = file_mtime;
	cached->size = *size;
	cached->sparse = *sparse;
	g_hash_table_insert(self->image_infos, row, cached);
	return TRUE;
}

static void
ub_download_page_check_row(UbDownloadPage *self, UbDownloadRow *row, GPtrArray *phone)
{
	const UbPackagePartition *part = ub_download_row_get_partition(row);
	const gchar *mode = ub_download_page_get_mode(self);
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *text = NULL;
	guint64 size = 0;
	gboolean sparse = FALSE;
	UbPartition *ppart = NULL;

	if (!ub_download_row_get_writable(row)) {
		ub_download_row_set_note(row, UB_DOWNLOAD_ROW_NOTE_NONE, NULL);
		return;
	}
	if (!ub_download_page_image_size(self, row, &size, &sparse, &error_local)) {
		g_autofree gchar *name = part->file != NULL ? g_path_get_basename(part->file) : NULL;
		if (ub_download_row_get_file(row) != NULL)
			name = g_file_get_basename(ub_download_row_get_file(row));
		g_debug("%s: %s", part->name, error_local->message);
		/* TRANSLATORS: pre-flight problem, %s is a file name */
		text = g_strdup_printf(_("File missing: %s"), name != NULL ? name : "?");
		ub_download_row_set_note(row, UB_DOWNLOAD_ROW_NOTE_ERROR, text);
		return;
	}

	/* the package's own limit */
	if (part->size != UB_PACKAGE_UNKNOWN && part->size > 0 && size > part->size) {
		g_autofree gchar *img = ub_text_format_size(size);
		g_autofree gchar *lim = ub_text_format_size(part->size);
		/* TRANSLATORS: pre-flight problem: image size > partition size */
		text = g_strdup_printf(_("Image larger than the partition (%s > %s)"), img, lim);
		ub_download_row_set_note(row, UB_DOWNLOAD_ROW_NOTE_ERROR, text);
		return;
	}

	/* the phone's table, once a job has read it */
	if (phone != NULL && phone->len > 0)
		ppart = ub_download_page_find_phone_partition(phone, part->name);
	if (ppart != NULL && size > ub_partition_get_size(ppart)) {
		g_autofree gchar *img = ub_text_format_size(size);
		g_autofree gchar *lim = ub_text_format_size(ub_partition_get_size(ppart));
		/* TRANSLATORS: pre-flight problem: image size > size on the phone */
		text = g_strdup_printf(_("Larger than the partition on the phone (%s > %s)"),
				       img,
				       lim);
		ub_download_row_set_note(row, UB_DOWNLOAD_ROW_NOTE_ERROR, text);
		return;
	}
	if (phone != NULL && phone->len > 0 && ub_download_page_is_scatter(self) &&
	    part->region != NULL && g_str_has_suffix(part->region, "USER") &&
	    g_strcmp0(part->name, "preloader") != 0) {
		gboolean download_only = g_strcmp0(mode, "download-only") == 0;
		if (ppart == NULL && download_only) {
			ub_download_row_set_note(row,
						 UB_DOWNLOAD_ROW_NOTE_ERROR,
						 _("Not on the phone: layout on the phone differs "
						   "from the scatter; use Firmware Upgrade"));
			return;
		}
		if (ppart != NULL && download_only && part->start != UB_PACKAGE_UNKNOWN &&
		    part->size != UB_PACKAGE_UNKNOWN &&
		    (ub_partition_get_offset(ppart) != part->start ||
		     ub_partition_get_size(ppart) != part->size)) {
			ub_download_row_set_note(row,
						 UB_DOWNLOAD_ROW_NOTE_ERROR,
						 _("Layout on the phone differs from the scatter; use "
						   "Firmware Upgrade"));
			return;
		}
	}
	if (phone != NULL && phone->len > 0 && ppart == NULL &&
	    !ub_download_page_is_flat_build(self) && !ub_download_page_is_scatter(self)) {
		ub_download_row_set_note(row,
					 UB_DOWNLOAD_ROW_NOTE_WARNING,
					 _("Not in the phone's partition table"));
		return;
	}
	if (sparse) {
		g_autofree gchar *unpacked = ub_text_format_size(size);
		/* TRANSLATORS: pre-flight note: an Android sparse image, %s is a size */
		text = g_strdup_printf(_("Sparse image, %s unpacked"), unpacked);
		ub_download_row_set_note(row, UB_DOWNLOAD_ROW_NOTE_INFO, text);
		return;
	}
	ub_download_row_set_note(row, UB_DOWNLOAD_ROW_NOTE_NONE, NULL);
}

static void
ub_download_page_update_state(UbDownloadPage *self)
{
	gboolean running = self->job != NULL && (ub_job_get_state(self->job) == UB_JOB_STATE_READY ||
						 ub_job_get_state(self->job) ==
						     UB_JOB_STATE_RUNNING);
	g_autofree gchar *summary = NULL;
	guint n_selected = 0;
	guint n_writable = 0;
	guint64 bytes = 0;
	gboolean sizes_known = TRUE;

	g_clear_pointer(&self->problem, g_free);
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		const UbPackagePartition *part = ub_download_row_get_partition(row);
		if (ub_download_row_get_writable(row) && !ub_download_row_get_locked(row))
			n_writable++;
		if (!ub_download_row_get_selected(row))
			continue;
		n_selected++;
		if (part->size != UB_PACKAGE_UNKNOWN)
			bytes += part->size;
		else
			sizes_known = FALSE;
		if (self->problem == NULL &&
		    ub_download_row_get_note(row) == UB_DOWNLOAD_ROW_NOTE_ERROR)
			self->problem = g_strdup_printf("%s: %s",
							ub_download_row_get_name(row),
							ub_download_row_get_note_text(row));
	}
	if (self->problem == NULL) {
		if (self->package == NULL)
			self->problem = g_strdup(_("Open a firmware package first"));
		else if (n_selected == 0)
			self->problem = g_strdup(_("Tick at least one partition to write"));
	}

	gtk_widget_set_sensitive(GTK_WIDGET(self->mode_combo), !running && self->package != NULL);
	gtk_widget_set_sensitive(GTK_WIDGET(self->select_all_button), !running && n_writable > 0);
	gtk_widget_set_sensitive(GTK_WIDGET(self->select_none_button), !running && n_selected > 0);
	gtk_widget_set_sensitive(GTK_WIDGET(self->verify_check), !running);
	for (guint i = 0; i < self->rows->len; i++)
		ub_download_row_set_controls_sensitive(g_ptr_array_index(self->rows, i), !running);
	gtk_widget_set_sensitive(GTK_WIDGET(self->download_button),
				 !running && self->problem == NULL);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->download_button),
				    running ? _("A job is running") : self->problem);

	/* the first problem, or what Download would do */
	if (self->package != NULL && self->problem != NULL && n_selected > 0) {
		gtk_image_set_from_icon_name(self->problem_image,
					     "dialog-error-symbolic",
					     GTK_ICON_SIZE_MENU);
		gtk_widget_set_visible(GTK_WIDGET(self->problem_image), TRUE);
		gtk_label_set_text(self->problem_label, self->problem);
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->problem_label), self->problem);
		gtk_style_context_remove_class(
		    gtk_widget_get_style_context(GTK_WIDGET(self->problem_label)),
		    "dim-label");
		return;
	}
	gtk_widget_set_visible(GTK_WIDGET(self->problem_image), FALSE);
	gtk_style_context_add_class(gtk_widget_get_style_context(GTK_WIDGET(self->problem_label)),
				    "dim-label");
	if (self->package != NULL && !sizes_known) {
		/* a fastboot ROM states no partition sizes: no total to promise */
		/* TRANSLATORS: "3 of 12 partitions ticked" */
		summary = g_strdup_printf(ngettext("%u of %u partition ticked",
						   "%u of %u partitions ticked",
						   n_writable),
					  n_selected,
					  n_writable);
	} else if (self->package != NULL) {
		g_autofree gchar *total = ub_text_format_size(bytes);
		/* TRANSLATORS: "3 of 12 partitions ticked, up to 1.2 GB" */
		summary = g_strdup_printf(ngettext("%u of %u partition ticked, up to %s",
						   "%u of %u partitions ticked, up to %s",
						   n_writable),
					  n_selected,
					  n_writable,
					  total);
	}
	gtk_label_set_text(self->problem_label, summary != NULL ? summary : "");
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->problem_label), NULL);
}

static void
ub_download_page_refresh_checks(UbDownloadPage *self)
{
	g_autoptr(GPtrArray) phone = NULL;
	if (self->device != NULL)
		phone = ub_device_get_partitions(self->device);
	for (guint i = 0; i < self->rows->len; i++)
		ub_download_page_check_row(self, g_ptr_array_index(self->rows, i), phone);
	ub_download_page_update_state(self);
}

/* calibration rows and default ticks for the mode */
static void
ub_download_page_apply_mode(UbDownloadPage *self, gboolean reset_ticks)
{
	const gchar *mode = ub_download_page_get_mode(self);
	gboolean upgrade = g_strcmp0(mode, "firmware-upgrade") == 0;
	gboolean format_all = g_strcmp0(mode, "format-all-download") == 0;

	ub_download_page_refresh_mode_names(self);
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		const UbPackagePartition *part = ub_download_row_get_partition(row);
		if (part->calibration) {
			g_autofree gchar *text = NULL;
			if (upgrade)
				text = g_strdup(_("Kept: backed up and restored"));
			else if (format_all)
				text = g_strdup(_("Erased: backed up first"));
			else
				/* TRANSLATORS: %s says what the data is, e.g. "IMEI and radio
				 * calibration" */
				text = g_strdup_printf(_("Calibration: %s"),
						       part->calibration_reason != NULL
							   ? part->calibration_reason
							   : _("data of this phone"));
			ub_download_row_set_locked(row,
						   upgrade || format_all ||
						       !ub_download_row_get_writable(row),
						   text);
			ub_download_row_set_selected(row, FALSE);
			continue;
		}
		if (!ub_download_page_row_in_mode(self, row)) {
			ub_download_row_set_locked(row, TRUE, _("Not written in this mode"));
			ub_download_row_set_selected(row, FALSE);
			continue;
		}
		ub_download_row_set_locked(row, FALSE, NULL);
		if (reset_ticks)
			ub_download_row_set_selected(row, ub_download_page_row_default(self, row));
	}
	gtk_label_set_text(self->mode_hint_label, ub_download_page_mode_hint(mode));
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->mode_hint_label),
				    ub_download_page_mode_hint(mode));
}

static gboolean
ub_download_page_all_default(UbDownloadPage *self)
{
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		if (ub_download_row_get_selected(row) != ub_download_page_row_default(self, row))
			return FALSE;
	}
	return TRUE;
}

static void
ub_download_page_mode_changed_cb(UbDownloadPage *self)
{
	const gchar *mode = ub_download_page_get_mode(self);
	if (self->syncing)
		return;
	/* "Selected partitions" keeps the user's ticks, every other mode starts afresh */
	ub_download_page_apply_mode(self, g_strcmp0(mode, "selected") != 0);
	ub_download_page_refresh_checks(self);
}

static void
ub_download_page_row_toggled_cb(UbDownloadRow *row, UbDownloadPage *self)
{
	/* a flat build with rows left out is a selection */
	if (ub_download_page_is_flat_build(self) &&
	    g_strcmp0(ub_download_page_get_mode(self), "flat-build") == 0 &&
	    !ub_download_page_all_default(self)) {
		self->syncing = TRUE;
		gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->mode_combo), "selected");
		self->syncing = FALSE;
		ub_download_page_apply_mode(self, FALSE);
	}
	ub_download_page_update_state(self);
}

static void
ub_download_page_row_file_changed_cb(UbDownloadRow *row, UbDownloadPage *self)
{
	g_autoptr(GPtrArray) phone = NULL;
	if (self->device != NULL)
		phone = ub_device_get_partitions(self->device);
	g_hash_table_remove(self->image_infos, row);
	ub_download_page_check_row(self, row, phone);
	ub_download_page_row_toggled_cb(row, self);
}

static void
ub_download_page_set_all(UbDownloadPage *self, gboolean selected)
{
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		const UbPackagePartition *part = ub_download_row_get_partition(row);
		/* calibration data is only ever ticked one row at a time */
		if (selected && (part->calibration || ub_download_row_get_locked(row) ||
				 !ub_download_row_get_writable(row)))
			continue;
		ub_download_row_set_selected(row, selected);
	}
	if (ub_download_page_is_flat_build(self)) {
		self->syncing = TRUE;
		gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->mode_combo),
					    ub_download_page_all_default(self) ? "flat-build"
									       : "selected");
		self->syncing = FALSE;
		ub_download_page_apply_mode(self, FALSE);
	}
	ub_download_page_update_state(self);
}

static void
ub_download_page_select_all_cb(UbDownloadPage *self)
{
	ub_download_page_set_all(self, TRUE);
}

static void
ub_download_page_select_none_cb(UbDownloadPage *self)
{
	ub_download_page_set_all(self, FALSE);
}

static void
ub_download_page_download_clicked_cb(UbDownloadPage *self)
{
	if (!ub_download_page_get_ready(self))
		return;
	g_signal_emit(self, signals[SIGNAL_START], 0);
}

/* modes */

static void
ub_download_page_add_mode(UbDownloadPage *self, const gchar *mode)
{
	gtk_combo_box_text_append(self->mode_combo, mode, ub_download_page_mode_title(mode));
}

static void
ub_download_page_fill_modes(UbDownloadPage *self)
{
	gtk_combo_box_text_remove_all(self->mode_combo);
	if (self->package == NULL)
		return;
	if (ub_download_page_is_scatter(self)) {
		const gchar *ids[] = {"download-only", "firmware-upgrade", "format-all-download"};
		for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
			if (ub_package_find_plan(self->package, ids[i]) != NULL)
				ub_download_page_add_mode(self, ids[i]);
		}
	} else if (ub_download_page_is_flat_build(self)) {
		ub_download_page_add_mode(self, "flat-build");
		ub_download_page_add_mode(self, "selected");
	} else {
		const gchar *ids[] = {"keep-data", "clean-all", "clean-all-lock"};
		for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
			g_autoptr(GError) error_local = NULL;
			if (ub_package_plan_id_for_mode(self->package, ids[i], NULL, &error_local) ==
			    NULL) {
				g_debug("no mode %s: %s", ids[i], error_local->message);
				continue;
			}
			ub_download_page_add_mode(self, ids[i]);
		}
	}
	gtk_combo_box_set_active(GTK_COMBO_BOX(self->mode_combo), 0);
}

/* job */

static void
ub_download_page_job_finish_row(UbDownloadPage *self, UbDownloadRow *row)
{
	if (row == NULL || !ub_download_row_get_selected(row))
		return;
	if (self->job_status == UB_STATUS_VERIFYING)
		ub_download_row_set_status(row, "emblem-ok-symbolic", _("Verified"));
	else if (self->job_status == UB_STATUS_WRITING)
		ub_download_row_set_status(row, "emblem-ok-symbolic", _("Written"));
}

static void
ub_download_page_job_notify_cb(UbJob *job, GParamSpec *pspec, UbDownloadPage *self)
{
	const gchar *step = ub_job_get_step_name(job);
	UbStatus status = ub_job_get_status(job);
	UbJobState state = ub_job_get_state(job);
	UbDownloadRow *row;

	/* the row the job left is done */
	if (g_strcmp0(step, self->job_step) != 0) {
		ub_download_page_job_finish_row(self,
						ub_download_page_find_row_for_step(self,
										   self->job_step));
		g_free(self->job_step);
		self->job_step = g_strdup(step);
	}
	row = ub_download_page_find_row_for_step(self, step);
	if (state == UB_JOB_STATE_RUNNING && row != NULL) {
		switch (status) {
		case UB_STATUS_WRITING:
			ub_download_row_set_status(row, "document-save-symbolic", _("Writing…"));
			break;
		case UB_STATUS_VERIFYING:
			ub_download_row_set_status(row, "edit-find-symbolic", _("Verifying…"));
			break;
		case UB_STATUS_ERASING:
			ub_download_row_set_status(row, "edit-clear-symbolic", _("Erasing…"));
			break;
		case UB_STATUS_BACKING_UP:
			ub_download_row_set_status(row, "document-save-symbolic", _("Backing up…"));
			break;
		case UB_STATUS_IDLE:
		case UB_STATUS_WAITING_FOR_DEVICE:
		case UB_STATUS_CONNECTING:
		case UB_STATUS_IDENTIFYING:
		case UB_STATUS_CHECKING:
		case UB_STATUS_READING:
		case UB_STATUS_REBOOTING:
		case UB_STATUS_BUSY:
		case UB_STATUS_LAST:
		default:
			break;
		}
		self->job_status = status;
	}
	if (state == UB_JOB_STATE_SUCCEEDED) {
		/* every op ran: each ticked row is written, and verified if asked */
		gboolean verify = ub_plan_get_verify(ub_job_get_plan(job));
		for (guint i = 0; i < self->rows->len; i++) {
			UbDownloadRow *r = g_ptr_array_index(self->rows, i);
			if (!ub_download_row_get_selected(r))
				continue;
			ub_download_row_set_status(r,
						   "emblem-ok-symbolic",
						   verify ? _("Verified") : _("Written"));
		}
	} else if (state == UB_JOB_STATE_FAILED && row != NULL) {
		ub_download_row_set_status(row, "dialog-error-symbolic", _("Failed"));
	} else if (state == UB_JOB_STATE_CANCELLED && row != NULL) {
		ub_download_row_set_status(row, "process-stop-symbolic", _("Stopped"));
	}
	if (g_strcmp0(pspec->name, "state") == 0)
		ub_download_page_update_state(self);
}

static void
ub_download_page_clear_job(UbDownloadPage *self)
{
	if (self->job == NULL)
		return;
	g_signal_handlers_disconnect_by_data(self->job, self);
	g_clear_object(&self->job);
	g_clear_pointer(&self->job_step, g_free);
}

void
ub_download_page_set_job(UbDownloadPage *self, UbJob *job)
{
	g_return_if_fail(UB_IS_DOWNLOAD_PAGE(self));
	g_return_if_fail(job == NULL || UB_IS_JOB(job));
	if (job == self->job)
		return;
	ub_download_page_clear_job(self);
	if (job != NULL) {
		/* a new job: the last one's results go */
		for (guint i = 0; i < self->rows->len; i++) {
			UbDownloadRow *row = g_ptr_array_index(self->rows, i);
			ub_download_row_set_status(row,
						   NULL,
						   ub_download_row_get_selected(row) ? _("Waiting")
										     : NULL);
		}
		self->job = g_object_ref(job);
		self->job_status = UB_STATUS_IDLE;
		g_signal_connect(job,
				 "notify::step-name",
				 G_CALLBACK(ub_download_page_job_notify_cb),
				 self);
		g_signal_connect(job,
				 "notify::status",
				 G_CALLBACK(ub_download_page_job_notify_cb),
				 self);
		g_signal_connect(job,
				 "notify::state",
				 G_CALLBACK(ub_download_page_job_notify_cb),
				 self);
	}
	ub_download_page_update_state(self);
}

/* public API */

void
ub_download_page_set_package(UbDownloadPage *self, UbPackage *package)
{
	GList *children;
	g_return_if_fail(UB_IS_DOWNLOAD_PAGE(self));
	g_return_if_fail(package == NULL || UB_IS_PACKAGE(package));

	/* rows point into the old package: they go first */
	children = gtk_container_get_children(GTK_CONTAINER(self->list));
	for (GList *l = children; l != NULL; l = l->next)
		gtk_widget_destroy(GTK_WIDGET(l->data));
	g_list_free(children);
	g_ptr_array_set_size(self->rows, 0);
	g_hash_table_remove_all(self->image_infos);
	g_set_object(&self->package, package);

	self->syncing = TRUE;
	ub_download_page_fill_modes(self);
	self->syncing = FALSE;
	if (package != NULL) {
		GPtrArray *parts = ub_package_get_partitions(package);
		for (guint i = 0; i < parts->len; i++) {
			UbPackagePartition *part = g_ptr_array_index(parts, i);
			UbDownloadRow *row;
			/* rows with nothing to write only matter when they hold calibration data */
			if (part->file == NULL && !part->calibration)
				continue;
			row = ub_download_row_new(part);
			ub_download_row_add_to_size_groups(row, self->groups);
			g_signal_connect(row,
					 "toggled",
					 G_CALLBACK(ub_download_page_row_toggled_cb),
					 self);
			g_signal_connect(row,
					 "file-changed",
					 G_CALLBACK(ub_download_page_row_file_changed_cb),
					 self);
			gtk_container_add(GTK_CONTAINER(self->list), GTK_WIDGET(row));
			g_ptr_array_add(self->rows, row);
		}
	}
	ub_download_page_apply_mode(self, TRUE);
	ub_download_page_refresh_checks(self);
}

void
ub_download_page_set_device(UbDownloadPage *self, UbDevice *device)
{
	g_return_if_fail(UB_IS_DOWNLOAD_PAGE(self));
	g_return_if_fail(device == NULL || UB_IS_DEVICE(device));
	g_set_object(&self->device, device);
	ub_download_page_refresh_checks(self);
}

static gboolean
ub_download_page_op_is_row(UbPlanOp *op, const gchar *name)
{
	return g_strcmp0(op->label, name) == 0 || g_strcmp0(op->partition, name) == 0;
}

UbPlan *
ub_download_page_build_plan(UbDownloadPage *self, GError **error)
{
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GPtrArray) ticked = g_ptr_array_new();
	UbPackagePlanOptions options = {0};
	const gchar *mode;
	gboolean all_default;
	gboolean calibration = FALSE;

	g_return_val_if_fail(UB_IS_DOWNLOAD_PAGE(self), NULL);

	if (self->package == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    _("Open a firmware package first"));
		return NULL;
	}
	ub_download_page_update_state(self);
	if (self->problem != NULL) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, self->problem);
		return NULL;
	}
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		if (!ub_download_row_get_selected(row))
			continue;
		if (ub_download_row_get_partition(row)->calibration)
			calibration = TRUE;
		if (!g_ptr_array_find_with_equal_func(ticked,
						      ub_download_row_get_name(row),
						      g_str_equal,
						      NULL))
			g_ptr_array_add(ticked, (gpointer)ub_download_row_get_name(row));
	}
	g_ptr_array_add(ticked, NULL);

	/* as the CLI's download: the mode, and only the ticked rows when not the default */
	mode = ub_download_page_get_mode(self);
	all_default = ub_download_page_all_default(self);
	options.verify = gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->verify_check));
	options.allow_lock = g_strcmp0(mode, "clean-all-lock") == 0;
	if (ub_download_page_is_flat_build(self)) {
		if (all_default && g_strcmp0(mode, "selected") != 0)
			mode = "flat-build";
		else {
			mode = "selected";
			options.only_labels = (const gchar *const *)ticked->pdata;
		}
	} else if (ub_download_page_is_scatter(self) && !all_default) {
		options.only_labels = (const gchar *const *)ticked->pdata;
	}
	plan = ub_package_plan_for_mode(self->package, mode, &options, error);
	if (plan == NULL)
		return NULL;

	/* fastboot packages: the steps of the unticked rows go */
	if (!ub_download_page_is_flat_build(self) && !ub_download_page_is_scatter(self)) {
		GPtrArray *ops = ub_plan_get_ops(plan);
		for (guint i = 0; i < self->rows->len; i++) {
			UbDownloadRow *row = g_ptr_array_index(self->rows, i);
			if (ub_download_row_get_selected(row))
				continue;
			for (guint j = ops->len; j > 0; j--) {
				UbPlanOp *op = g_ptr_array_index(ops, j - 1);
				if ((op->kind == UB_PLAN_OP_WRITE ||
				     op->kind == UB_PLAN_OP_UPDATE_SUPER) &&
				    ub_download_page_op_is_row(op, ub_download_row_get_name(row)))
					g_ptr_array_remove_index(ops, j - 1);
			}
		}
	}

	/* images the user chose instead of the package's */
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		GPtrArray *ops = ub_plan_get_ops(plan);
		GFile *file = ub_download_row_get_file(row);
		g_autofree gchar *path = NULL;
		gboolean found = FALSE;
		if (file == NULL || !ub_download_row_get_selected(row))
			continue;
		path = g_file_get_path(file);
		for (guint j = 0; j < ops->len; j++) {
			UbPlanOp *op = g_ptr_array_index(ops, j);
			if (op->kind != UB_PLAN_OP_WRITE ||
			    !ub_download_page_op_is_row(op, ub_download_row_get_name(row)))
				continue;
			g_free(op->path);
			op->path = g_strdup(path);
			g_clear_object(&op->package);
			g_clear_pointer(&op->file, g_free);
			op->file_offset = 0;
			found = TRUE;
		}
		if (!found) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    /* TRANSLATORS: %s is a partition, %s a mode */
				    _("%s is not written in the mode %s"),
				    ub_download_row_get_name(row),
				    ub_download_page_mode_title(ub_download_page_get_mode(self)));
			return NULL;
		}
	}

	/* calibration data: only when ticked or the mode erases it; backed up first */
	ub_plan_set_allow_calibration(plan,
				      calibration ||
					  g_strcmp0(mode, "format-all-download") == 0);
	if (!ub_plan_preflight(plan, NULL, error))
		return NULL;
	return g_steal_pointer(&plan);
}

gboolean
ub_download_page_get_ready(UbDownloadPage *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_PAGE(self), FALSE);
	ub_download_page_update_state(self);
	return gtk_widget_get_sensitive(GTK_WIDGET(self->download_button));
}

const gchar *
ub_download_page_get_mode(UbDownloadPage *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_PAGE(self), NULL);
	return gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->mode_combo));
}

void
ub_download_page_set_mode(UbDownloadPage *self, const gchar *mode)
{
	g_return_if_fail(UB_IS_DOWNLOAD_PAGE(self));
	gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->mode_combo), mode);
}

gboolean
ub_download_page_get_row_selected(UbDownloadPage *self, const gchar *name)
{
	UbDownloadRow *row;
	g_return_val_if_fail(UB_IS_DOWNLOAD_PAGE(self), FALSE);
	row = ub_download_page_find_row(self, name);
	return row != NULL && ub_download_row_get_selected(row);
}

void
ub_download_page_set_row_selected(UbDownloadPage *self, const gchar *name, gboolean selected)
{
	g_return_if_fail(UB_IS_DOWNLOAD_PAGE(self));
	for (guint i = 0; i < self->rows->len; i++) {
		UbDownloadRow *row = g_ptr_array_index(self->rows, i);
		if (g_strcmp0(ub_download_row_get_name(row), name) != 0)
			continue;
		if (selected && ub_download_row_get_locked(row))
			continue;
		ub_download_row_set_selected(row, selected);
		ub_download_page_row_toggled_cb(row, self);
	}
}

/* for tests: the number of rows, and a row's status column */
guint
ub_download_page_get_n_rows(UbDownloadPage *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_PAGE(self), 0);
	return self->rows->len;
}

const gchar *
ub_download_page_get_row_note(UbDownloadPage *self, const gchar *name)
{
	UbDownloadRow *row;
	g_return_val_if_fail(UB_IS_DOWNLOAD_PAGE(self), NULL);
	row = ub_download_page_find_row(self, name);
	if (row == NULL)
		return NULL;
	return ub_download_row_get_text(row);
}

gboolean
ub_download_page_set_row_file(UbDownloadPage *self, const gchar *name, GFile *file)
{
	UbDownloadRow *row;
	g_return_val_if_fail(UB_IS_DOWNLOAD_PAGE(self), FALSE);
	row = ub_download_page_find_row(self, name);
	if (row == NULL)
		return FALSE;
	ub_download_row_set_file(row, file);
	if (!ub_download_row_get_locked(row))
		ub_download_row_set_selected(row, TRUE);
	ub_download_page_row_file_changed_cb(row, self);
	return TRUE;
}

static GSettings *
ub_download_page_settings_new(void)
{
	GSettingsSchemaSource *source = g_settings_schema_source_get_default();
	g_autoptr(GSettingsSchema) schema = NULL;
	if (source == NULL)
		return NULL;
	schema = g_settings_schema_source_lookup(source, UB_DOWNLOAD_PAGE_SCHEMA_ID, TRUE);
	if (schema == NULL || !g_settings_schema_has_key(schema, "verify-after-write"))
		return NULL;
	return g_settings_new_full(schema, NULL, NULL);
}

static void
ub_download_page_dispose(GObject *object)
{
	UbDownloadPage *self = UB_DOWNLOAD_PAGE(object);
	ub_download_page_clear_job(self);
	g_clear_object(&self->device);
	g_clear_object(&self->settings);
	for (guint i = 0; i < UB_DOWNLOAD_ROW_COLUMN_LAST; i++)
		g_clear_object(&self->groups[i]);
	G_OBJECT_CLASS(ub_download_page_parent_class)->dispose(object);
	/* the rows are gone with the list: the package they point into may go now */
	g_ptr_array_set_size(self->rows, 0);
	g_clear_object(&self->package);
}

static void
ub_download_page_finalize(GObject *object)
{
	UbDownloadPage *self = UB_DOWNLOAD_PAGE(object);
	g_ptr_array_unref(self->rows);
	g_hash_table_unref(self->image_infos);
	g_free(self->problem);
	g_free(self->job_step);
	if (self->mode_names != NULL)
		g_hash_table_unref(self->mode_names);
	G_OBJECT_CLASS(ub_download_page_parent_class)->finalize(object);
}

static void
ub_download_page_init(UbDownloadPage *self)
{
	GtkWidget *headers[UB_DOWNLOAD_ROW_COLUMN_LAST];

	gtk_widget_init_template(GTK_WIDGET(self));
	self->rows = g_ptr_array_new();
	self->image_infos = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	headers[UB_DOWNLOAD_ROW_COLUMN_CHECK] = GTK_WIDGET(self->header_check);
	headers[UB_DOWNLOAD_ROW_COLUMN_NAME] = GTK_WIDGET(self->header_name);
	headers[UB_DOWNLOAD_ROW_COLUMN_REGION] = GTK_WIDGET(self->header_region);
	headers[UB_DOWNLOAD_ROW_COLUMN_BEGIN] = GTK_WIDGET(self->header_begin);
	headers[UB_DOWNLOAD_ROW_COLUMN_END] = GTK_WIDGET(self->header_end);
	headers[UB_DOWNLOAD_ROW_COLUMN_SIZE] = GTK_WIDGET(self->header_size);
	headers[UB_DOWNLOAD_ROW_COLUMN_FILE] = GTK_WIDGET(self->header_file);
	for (guint i = 0; i < UB_DOWNLOAD_ROW_COLUMN_LAST; i++) {
		self->groups[i] = gtk_size_group_new(GTK_SIZE_GROUP_HORIZONTAL);
		gtk_size_group_add_widget(self->groups[i], headers[i]);
	}
	self->settings = ub_download_page_settings_new();
	if (self->settings != NULL)
		g_settings_bind(self->settings,
				"verify-after-write",
				self->verify_check,
				"active",
				G_SETTINGS_BIND_DEFAULT);
	ub_download_page_update_state(self);
}

static void
ub_download_page_class_init(UbDownloadPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ub_download_page_dispose;
	object_class->finalize = ub_download_page_finalize;
	signals[SIGNAL_START] = g_signal_new("start",
					     G_TYPE_FROM_CLASS(klass),
					     G_SIGNAL_RUN_LAST,
					     0,
					     NULL,
					     NULL,
					     NULL,
					     G_TYPE_NONE,
					     0);
	g_type_ensure(UB_TYPE_DOWNLOAD_ROW);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-download-page.ui");
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, mode_combo);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, mode_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, mode_hint_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, select_all_button);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, select_none_button);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, header_check);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, header_name);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, header_region);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, header_begin);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, header_end);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, header_size);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, header_file);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, list);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, problem_image);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, problem_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, verify_check);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadPage, download_button);
	gtk_widget_class_bind_template_callback(widget_class, ub_download_page_mode_changed_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_download_page_select_all_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_download_page_select_none_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_download_page_download_clicked_cb);
}
