/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-download-row.h"
#include "ub-text.h"

/**
 * UbDownloadRow:
 *
 * One row of the Download tab: check button, name (with a lock for
 * calibration data), region, begin, end, size, the image file (a button that
 * picks another one) and a status column that shows the job's progress for the
 * row, else the pre-flight note, else why a calibration row is locked.
 */

struct _UbDownloadRow {
	GtkListBoxRow parent_instance;
	GtkCheckButton *check;
	GtkBox *name_box;
	GtkLabel *name_label;
	GtkImage *lock_image;
	GtkLabel *region_label;
	GtkLabel *begin_label;
	GtkLabel *end_label;
	GtkLabel *size_label;
	GtkButton *file_button;
	GtkLabel *file_label;
	GtkImage *status_image;
	GtkLabel *status_label;

	const UbPackagePartition *part; /* owned by the page's package */
	GFile *file;			/* nullable: chosen by the user */
	gboolean locked;
	gchar *locked_text;
	UbDownloadRowNote note;
	gchar *note_text;
	gchar *status_icon;
	gchar *status_text;
	gboolean syncing;
};

enum { SIGNAL_TOGGLED, SIGNAL_FILE_CHANGED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(UbDownloadRow, ub_download_row, GTK_TYPE_LIST_BOX_ROW)

void
ub_download_row_use_tabular_figures(GtkLabel *label)
{
	PangoAttrList *attrs = pango_attr_list_new();
	pango_attr_list_insert(attrs, pango_attr_font_features_new("tnum=1"));
	gtk_label_set_attributes(label, attrs);
	pango_attr_list_unref(attrs);
}

static void
ub_download_row_set_accessible_name(GtkWidget *widget, const gchar *name)
{
	AtkObject *acc = gtk_widget_get_accessible(widget);
	if (acc != NULL)
		atk_object_set_name(acc, name);
}

static gchar *
ub_download_row_format_hex(guint64 value)
{
	return g_strdup_printf("0x%" G_GINT64_MODIFIER "x", value);
}

static void
ub_download_row_refresh_status(UbDownloadRow *self)
{
	const gchar *icon = NULL;
	const gchar *text = NULL;
	g_autofree gchar *tooltip = NULL;
	GtkStyleContext *ctx = gtk_widget_get_style_context(GTK_WIDGET(self->status_label));

	gtk_style_context_remove_class(ctx, "error");
	gtk_style_context_remove_class(ctx, "warning");
	gtk_style_context_remove_class(ctx, "dim-label");
	if (self->status_text != NULL) {
		icon = self->status_icon;
		text = self->status_text;
	} else if (self->note != UB_DOWNLOAD_ROW_NOTE_NONE && self->note_text != NULL) {
		text = self->note_text;
		switch (self->note) {
		case UB_DOWNLOAD_ROW_NOTE_ERROR:
			icon = "dialog-error-symbolic";
			gtk_style_context_add_class(ctx, "error");
			break;
		case UB_DOWNLOAD_ROW_NOTE_WARNING:
			icon = "dialog-warning-symbolic";
			gtk_style_context_add_class(ctx, "warning");
			break;
		case UB_DOWNLOAD_ROW_NOTE_INFO:
			icon = "dialog-information-symbolic";
			gtk_style_context_add_class(ctx, "dim-label");
			break;
		case UB_DOWNLOAD_ROW_NOTE_NONE:
		default:
			break;
		}
	} else if (self->locked_text != NULL) {
		text = self->locked_text;
		gtk_style_context_add_class(ctx, "dim-label");
	}
	if (icon != NULL)
		gtk_image_set_from_icon_name(self->status_image, icon, GTK_ICON_SIZE_MENU);
	gtk_widget_set_visible(GTK_WIDGET(self->status_image), icon != NULL);
	gtk_label_set_text(self->status_label, text != NULL ? text : "");

	/* the whole story on hover: the note and why the row is locked */
	if (self->note_text != NULL && self->locked_text != NULL)
		tooltip = g_strdup_printf("%s\n%s", self->note_text, self->locked_text);
	else if (text != NULL)
		tooltip = g_strdup(text);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->status_label), tooltip);
}

static void
ub_download_row_refresh_file(UbDownloadRow *self)
{
	g_autofree gchar *basename = NULL;
	g_autofree gchar *tooltip = NULL;
	if (self->file != NULL) {
		g_autofree gchar *path = g_file_get_path(self->file);
		basename = g_file_get_basename(self->file);
		/* TRANSLATORS: tooltip of an image file the user chose for a partition */
		tooltip = g_strdup_printf(_("%s (chosen instead of the package's image); click to "
					    "choose another"),
					  path != NULL ? path : basename);
	} else if (self->part->file != NULL) {
		basename = g_path_get_basename(self->part->file);
		/* TRANSLATORS: tooltip of a partition's image file from the package */
		tooltip = g_strdup_printf(_("%s from the package; click to use another file"),
					  self->part->file);
	} else {
		/* TRANSLATORS: the partition has no image in the package */
		basename = g_strdup(_("none"));
		tooltip = g_strdup(_("The package has no image for this partition; click to "
				     "choose one"));
	}
	gtk_label_set_text(self->file_label, basename);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->file_button), tooltip);
	if (self->file != NULL || self->part->file != NULL)
		gtk_style_context_remove_class(gtk_widget_get_style_context(
						   GTK_WIDGET(self->file_label)),
					       "dim-label");
	else
		gtk_style_context_add_class(gtk_widget_get_style_context(
						GTK_WIDGET(self->file_label)),
					    "dim-label");
}

static void
ub_download_row_refresh_check(UbDownloadRow *self)
{
	gtk_widget_set_sensitive(GTK_WIDGET(self->check),
				 !self->locked && ub_download_row_get_writable(self));
}

static void
ub_download_row_check_toggled_cb(UbDownloadRow *self)
{
	if (self->syncing)
		return;
	g_signal_emit(self, signals[SIGNAL_TOGGLED], 0);
}

static void
ub_download_row_chooser_response_cb(GtkDialog *dialog, gint response, UbDownloadRow *self)
{
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		ub_download_row_set_file(self, file);
		/* choosing an image means wanting it written */
		if (!self->locked)
			ub_download_row_set_selected(self, TRUE);
		g_signal_emit(self, signals[SIGNAL_FILE_CHANGED], 0);
	}
	gtk_widget_destroy(GTK_WIDGET(dialog));
	g_object_unref(self);
}

static void
ub_download_row_file_clicked_cb(UbDownloadRow *self)
{
	GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
	g_autofree gchar *title = NULL;
	GtkWidget *dialog;
	GtkFileFilter *filter;

	/* TRANSLATORS: file chooser title, %s is a partition name */
	title = g_strdup_printf(_("Image File for %s"), self->part->name);
	dialog = gtk_file_chooser_dialog_new(title,
					     GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					     GTK_FILE_CHOOSER_ACTION_OPEN,
					     _("_Cancel"),
					     GTK_RESPONSE_CANCEL,
					     _("_Use"),
					     GTK_RESPONSE_ACCEPT,
					     NULL);
	gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
	filter = gtk_file_filter_new();
	gtk_file_filter_set_name(filter, _("Images"));
	gtk_file_filter_add_pattern(filter, "*.img");
	gtk_file_filter_add_pattern(filter, "*.bin");
	gtk_file_filter_add_pattern(filter, "*.mbn");
	gtk_file_filter_add_pattern(filter, "*.elf");
	gtk_file_filter_add_pattern(filter, "*.raw");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
	filter = gtk_file_filter_new();
	gtk_file_filter_set_name(filter, _("All files"));
	gtk_file_filter_add_pattern(filter, "*");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
	if (self->file != NULL) {
		gtk_file_chooser_set_file(GTK_FILE_CHOOSER(dialog), self->file, NULL);
	}
	g_signal_connect(dialog,
			 "response",
			 G_CALLBACK(ub_download_row_chooser_response_cb),
			 g_object_ref(self));
	gtk_widget_show(dialog);
}

UbDownloadRow *
ub_download_row_new(const UbPackagePartition *part)
{
	UbDownloadRow *self;
	g_autofree gchar *region = NULL;
	g_autofree gchar *begin = NULL;
	g_autofree gchar *end = NULL;
	g_autofree gchar *size = NULL;
	g_autofree gchar *size_tooltip = NULL;
	g_autofree gchar *check_name = NULL;
	g_autofree gchar *file_name = NULL;

	g_return_val_if_fail(part != NULL, NULL);

	self = g_object_new(UB_TYPE_DOWNLOAD_ROW, NULL);
	self->part = part;
	gtk_label_set_text(self->name_label, part->name);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->name_label), part->name);

	/* region or LUN; the slot for a fastboot package */
	if (part->region != NULL)
		region = g_strdup(part->region);
	else if (part->lun >= 0)
		/* TRANSLATORS: a UFS logical unit, e.g. "LUN 4" */
		region = g_strdup_printf(_("LUN %d"), part->lun);
	else if (part->slot != NULL)
		/* TRANSLATORS: an A/B slot, e.g. "slot a" */
		region = g_strdup_printf(_("slot %s"), part->slot);
	else
		region = g_strdup("—");
	gtk_label_set_text(self->region_label, region);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->region_label), region);

	/* begin, end (exclusive end shown as the last byte + 1, as SP Flash Tool does) */
	if (part->start != UB_PACKAGE_UNKNOWN)
		begin = ub_download_row_format_hex(part->start);
	else if (part->start_expr != NULL)
		begin = g_strdup(part->start_expr);
	else
		begin = g_strdup("—");
	gtk_label_set_text(self->begin_label, begin);
	if (part->start_expr != NULL)
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->begin_label), part->start_expr);
	if (part->start != UB_PACKAGE_UNKNOWN && part->size != UB_PACKAGE_UNKNOWN &&
	    part->size > 0 && part->start <= G_MAXUINT64 - part->size)
		end = ub_download_row_format_hex(part->start + part->size - 1);
	else
		end = g_strdup("—");
	gtk_label_set_text(self->end_label, end);

	if (part->size != UB_PACKAGE_UNKNOWN) {
		size = ub_text_format_size(part->size);
		/* TRANSLATORS: tooltip: exact size in bytes and hex */
		size_tooltip = g_strdup_printf(_("%llu bytes (0x%llx)"),
					       (unsigned long long)part->size,
					       (unsigned long long)part->size);
	} else {
		size = g_strdup("—");
		size_tooltip = g_strdup(_("The size is set by the phone"));
	}
	gtk_label_set_text(self->size_label, size);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->size_label), size_tooltip);

	/* calibration data: marked whatever the mode */
	if (part->calibration) {
		gtk_widget_set_visible(GTK_WIDGET(self->lock_image), TRUE);
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->lock_image),
					    part->calibration_reason != NULL
						? part->calibration_reason
						: _("Calibration data of this phone"));
	}

	ub_download_row_set_accessible_name(GTK_WIDGET(self), part->name);
	/* TRANSLATORS: accessible name of a row's check button, %s is a partition */
	check_name = g_strdup_printf(_("Write %s"), part->name);
	ub_download_row_set_accessible_name(GTK_WIDGET(self->check), check_name);
	/* TRANSLATORS: accessible name of a row's file button, %s is a partition */
	file_name = g_strdup_printf(_("Image file for %s"), part->name);
	ub_download_row_set_accessible_name(GTK_WIDGET(self->file_button), file_name);

	ub_download_row_refresh_file(self);
	ub_download_row_refresh_check(self);
	ub_download_row_refresh_status(self);
	return self;
}

const UbPackagePartition *
ub_download_row_get_partition(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), NULL);
	return self->part;
}

const gchar *
ub_download_row_get_name(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), NULL);
	return self->part->name;
}

gboolean
ub_download_row_get_writable(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), FALSE);
	return self->file != NULL || self->part->file != NULL;
}

gboolean
ub_download_row_get_selected(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), FALSE);
	return gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->check));
}

/* no "toggled" emission: the caller changes many rows and refreshes once */
void
ub_download_row_set_selected(UbDownloadRow *self, gboolean selected)
{
	g_return_if_fail(UB_IS_DOWNLOAD_ROW(self));
	self->syncing = TRUE;
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->check), selected);
	self->syncing = FALSE;
}

void
ub_download_row_set_locked(UbDownloadRow *self, gboolean locked, const gchar *text)
{
	g_return_if_fail(UB_IS_DOWNLOAD_ROW(self));
	self->locked = locked;
	g_free(self->locked_text);
	self->locked_text = g_strdup(text);
	ub_download_row_refresh_check(self);
	ub_download_row_refresh_status(self);
}

gboolean
ub_download_row_get_locked(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), FALSE);
	return self->locked;
}

void
ub_download_row_set_note(UbDownloadRow *self, UbDownloadRowNote note, const gchar *text)
{
	g_return_if_fail(UB_IS_DOWNLOAD_ROW(self));
	self->note = note;
	g_free(self->note_text);
	self->note_text = g_strdup(text);
	ub_download_row_refresh_status(self);
}

UbDownloadRowNote
ub_download_row_get_note(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), UB_DOWNLOAD_ROW_NOTE_NONE);
	return self->note;
}

const gchar *
ub_download_row_get_note_text(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), NULL);
	return self->note_text;
}

void
ub_download_row_set_status(UbDownloadRow *self, const gchar *icon_name, const gchar *text)
{
	g_return_if_fail(UB_IS_DOWNLOAD_ROW(self));
	if (g_strcmp0(self->status_text, text) == 0 && g_strcmp0(self->status_icon, icon_name) == 0)
		return;
	g_free(self->status_icon);
	self->status_icon = g_strdup(icon_name);
	g_free(self->status_text);
	self->status_text = g_strdup(text);
	ub_download_row_refresh_status(self);
}

const gchar *
ub_download_row_get_text(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), NULL);
	return gtk_label_get_text(self->status_label);
}

const gchar *
ub_download_row_get_status(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), NULL);
	return self->status_text;
}

GFile *
ub_download_row_get_file(UbDownloadRow *self)
{
	g_return_val_if_fail(UB_IS_DOWNLOAD_ROW(self), NULL);
	return self->file;
}

void
ub_download_row_set_file(UbDownloadRow *self, GFile *file)
{
	g_return_if_fail(UB_IS_DOWNLOAD_ROW(self));
	g_set_object(&self->file, file);
	ub_download_row_refresh_file(self);
	ub_download_row_refresh_check(self);
}

void
ub_download_row_set_controls_sensitive(UbDownloadRow *self, gboolean sensitive)
{
	g_return_if_fail(UB_IS_DOWNLOAD_ROW(self));
	gtk_widget_set_sensitive(GTK_WIDGET(self->file_button), sensitive);
	if (!sensitive)
		gtk_widget_set_sensitive(GTK_WIDGET(self->check), FALSE);
	else
		ub_download_row_refresh_check(self);
}

void
ub_download_row_add_to_size_groups(UbDownloadRow *self, GtkSizeGroup *const *groups)
{
	GtkWidget *cells[UB_DOWNLOAD_ROW_COLUMN_LAST] = {
	    [UB_DOWNLOAD_ROW_COLUMN_CHECK] = GTK_WIDGET(self->check),
	    [UB_DOWNLOAD_ROW_COLUMN_NAME] = GTK_WIDGET(self->name_box),
	    [UB_DOWNLOAD_ROW_COLUMN_REGION] = GTK_WIDGET(self->region_label),
	    [UB_DOWNLOAD_ROW_COLUMN_BEGIN] = GTK_WIDGET(self->begin_label),
	    [UB_DOWNLOAD_ROW_COLUMN_END] = GTK_WIDGET(self->end_label),
	    [UB_DOWNLOAD_ROW_COLUMN_SIZE] = GTK_WIDGET(self->size_label),
	    [UB_DOWNLOAD_ROW_COLUMN_FILE] = GTK_WIDGET(self->file_button),
	};
	g_return_if_fail(UB_IS_DOWNLOAD_ROW(self));
	for (guint i = 0; i < UB_DOWNLOAD_ROW_COLUMN_LAST; i++) {
		if (groups[i] != NULL)
			gtk_size_group_add_widget(groups[i], cells[i]);
	}
}

static void
ub_download_row_finalize(GObject *object)
{
	UbDownloadRow *self = UB_DOWNLOAD_ROW(object);
	g_clear_object(&self->file);
	g_free(self->locked_text);
	g_free(self->note_text);
	g_free(self->status_icon);
	g_free(self->status_text);
	G_OBJECT_CLASS(ub_download_row_parent_class)->finalize(object);
}

static void
ub_download_row_init(UbDownloadRow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	ub_download_row_use_tabular_figures(self->begin_label);
	ub_download_row_use_tabular_figures(self->end_label);
	ub_download_row_use_tabular_figures(self->size_label);
}

static void
ub_download_row_class_init(UbDownloadRowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->finalize = ub_download_row_finalize;
	signals[SIGNAL_TOGGLED] = g_signal_new("toggled",
					       G_TYPE_FROM_CLASS(klass),
					       G_SIGNAL_RUN_LAST,
					       0,
					       NULL,
					       NULL,
					       NULL,
					       G_TYPE_NONE,
					       0);
	signals[SIGNAL_FILE_CHANGED] = g_signal_new("file-changed",
						    G_TYPE_FROM_CLASS(klass),
						    G_SIGNAL_RUN_LAST,
						    0,
						    NULL,
						    NULL,
						    NULL,
						    G_TYPE_NONE,
						    0);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-download-row.ui");
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, check);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, name_box);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, name_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, lock_image);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, region_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, begin_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, end_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, size_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, file_button);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, file_label);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, status_image);
	gtk_widget_class_bind_template_child(widget_class, UbDownloadRow, status_label);
	gtk_widget_class_bind_template_callback(widget_class, ub_download_row_check_toggled_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_download_row_file_clicked_cb);
}
