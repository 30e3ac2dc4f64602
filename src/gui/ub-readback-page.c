/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ub-front-plan.h"
#include "ub-readback-page.h"
#include "ub-text.h"

/* the Read back tab: rows of what to read, the folder they go to; the plan is
 * built by ub_front_plan_readback() when UbWindow asks for it */

#define UB_READBACK_ROW_DATA "ub-readback-row"

typedef struct {
	gchar *name;   /* nullable: a region range */
	gchar *region; /* nullable for a partition of unknown place */
	guint64 start; /* shown; for a partition its place in the region */
	guint64 length;
	gchar *output; /* nullable: the default name in the folder */
	GtkToggleButton *check;
	GtkButton *output_button;
	GtkLabel *status_label;
} UbReadbackRow;

struct _UbReadbackPage {
	GtkBox parent_instance;
	GtkBox *toolbar;
	GtkMenuButton *add_parts_button;
	GtkButton *add_region_button;
	GtkButton *remove_button;
	GtkButton *folder_button;
	GtkLabel *folder_button_label;
	GtkBox *header_box;
	GtkListBox *list_box;
	GtkLabel *summary_label;
	GtkButton *all_button;
	GtkButton *start_button;

	GtkPopover *parts_popover;
	GtkListBox *popover_list;
	GtkSearchEntry *popover_search;

	GtkSizeGroup *groups[6];
	gchar *parts_key; /* nullable: the table the popover shows */
	UbDevice *device;  /* nullable */
	UbJob *job;	   /* nullable */
	gchar *output_dir; /* nullable: not chosen and no phone yet */
	gboolean output_dir_chosen;
	gboolean want_all;
};

G_DEFINE_TYPE(UbReadbackPage, ub_readback_page, GTK_TYPE_BOX)

enum { SIGNAL_START, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

enum { COL_CHECK, COL_NAME, COL_REGION, COL_START, COL_LENGTH, COL_OUTPUT };

static void
ub_readback_row_free(UbReadbackRow *row)
{
	g_free(row->name);
	g_free(row->region);
	g_free(row->output);
	g_free(row);
}

static UbReadbackRow *
ub_readback_page_row_data(GtkListBoxRow *row)
{
	return g_object_get_data(G_OBJECT(row), UB_READBACK_ROW_DATA);
}

static gboolean
ub_readback_page_job_running(UbReadbackPage *self)
{
	return self->job != NULL && ub_job_get_state(self->job) == UB_JOB_STATE_RUNNING;
}

static guint
ub_readback_page_n_checked(UbReadbackPage *self)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->list_box));
	guint n = 0;
	for (GList *l = children; l != NULL; l = l->next) {
		UbReadbackRow *row = ub_readback_page_row_data(l->data);
		if (row != NULL && gtk_toggle_button_get_active(row->check))
			n++;
	}
	return n;
}

static gboolean
ub_readback_page_has_partitions(UbReadbackPage *self)
{
	GPtrArray *parts = self->device != NULL ? ub_device_get_partitions(self->device) : NULL;
	return parts != NULL && parts->len > 0;
}

static void
ub_readback_page_refresh(UbReadbackPage *self)
{
	gboolean running = ub_readback_page_job_running(self);
	guint n_checked = ub_readback_page_n_checked(self);
	g_autofree gchar *summary = NULL;

	gtk_widget_set_sensitive(GTK_WIDGET(self->toolbar), !running);
	gtk_widget_set_sensitive(GTK_WIDGET(self->list_box), !running);
	gtk_widget_set_sensitive(GTK_WIDGET(self->add_parts_button),
				 ub_readback_page_has_partitions(self));
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->add_parts_button),
				    ub_readback_page_has_partitions(self)
					? _("Pick partitions from the phone's partition table")
					: _("Shown once the phone's partition table was read"));
	gtk_widget_set_sensitive(GTK_WIDGET(self->remove_button),
				 gtk_list_box_get_selected_row(self->list_box) != NULL);
	gtk_widget_set_sensitive(GTK_WIDGET(self->all_button),
				 !running && ub_readback_page_has_partitions(self));
	gtk_widget_set_sensitive(GTK_WIDGET(self->start_button),
				 ub_readback_page_get_ready(self));
	gtk_label_set_text(self->folder_button_label,
			   self->output_dir != NULL ? self->output_dir : _("Chosen when the phone is known"));
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->folder_button), self->output_dir);
	if (n_checked > 0)
		summary = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
						      "%u row to read back",
						      "%u rows to read back",
						      n_checked),
					  n_checked);
	gtk_label_set_text(self->summary_label, summary != NULL ? summary : "");
}

/* ~/Unbrick/Read back/PHONE-DATE, unless the user chose a folder */
static void
ub_readback_page_update_default_dir(UbReadbackPage *self)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *stamp = g_date_time_format(now, "%Y-%m-%d-%H%M");
	g_autofree gchar *phone = NULL;
	g_autofree gchar *leaf = NULL;
	const gchar *id = NULL;

	if (self->output_dir_chosen)
		return;
	if (self->device != NULL) {
		id = ub_device_get_product(self->device);
		if (id == NULL)
			id = ub_device_get_serial(self->device);
		if (id == NULL)
			id = ub_device_get_chip(self->device);
	}
	phone = g_strdup(id != NULL ? id : "phone");
	g_strcanon(phone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", '_');
	leaf = g_strdup_printf("%s-%s", phone, stamp);
	g_free(self->output_dir);
	/* TRANSLATORS: the folder read back files go to, ~/Unbrick/Read back */
	self->output_dir =
	    g_build_filename(g_get_home_dir(), "Unbrick", C_("folder", "Read back"), leaf, NULL);
}

static void
ub_readback_page_output_label(UbReadbackRow *row)
{
	UbFrontReadbackRow front = {.name = row->name, .region = row->region, .start = row->start};
	g_autofree gchar *def = ub_front_plan_default_output_name(&front);
	g_autofree gchar *base = row->output != NULL ? g_path_get_basename(row->output) : NULL;
	gtk_button_set_label(row->output_button, base != NULL ? base : def);
	/* the label child is made by set_label: left-aligned like the other columns */
	gtk_widget_set_halign(gtk_bin_get_child(GTK_BIN(row->output_button)), GTK_ALIGN_START);
	gtk_label_set_ellipsize(GTK_LABEL(gtk_bin_get_child(GTK_BIN(row->output_button))),
				PANGO_ELLIPSIZE_MIDDLE);
	gtk_widget_set_tooltip_text(GTK_WIDGET(row->output_button),
				    row->output != NULL ? row->output
							: _("In the output folder; click to choose another file"));
}

static void
ub_readback_page_output_cb(GtkButton *button, UbReadbackPage *self)
{
	UbReadbackRow *row = g_object_get_data(G_OBJECT(button), UB_READBACK_ROW_DATA);
	GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
	g_autoptr(GtkFileChooserNative) chooser = NULL;

	chooser = gtk_file_chooser_native_new(_("Read Back Into"),
					      GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					      GTK_FILE_CHOOSER_ACTION_SAVE,
					      _("_Select"),
					      _("_Cancel"));
	gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(chooser), TRUE);
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser),
					  gtk_button_get_label(row->output_button));
	if (self->output_dir != NULL && g_file_test(self->output_dir, G_FILE_TEST_IS_DIR))
		gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(chooser), self->output_dir);
	if (gtk_native_dialog_run(GTK_NATIVE_DIALOG(chooser)) == GTK_RESPONSE_ACCEPT) {
		g_free(row->output);
		row->output = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(chooser));
		ub_readback_page_output_label(row);
	}
}

static void
ub_readback_page_check_toggled_cb(GtkToggleButton *check, UbReadbackPage *self)
{
	ub_readback_page_refresh(self);
}

static GtkWidget *
ub_readback_page_cell(UbReadbackPage *self, guint col, GtkWidget *widget)
{
	gtk_size_group_add_widget(self->groups[col], widget);
	gtk_widget_show(widget);
	return widget;
}

static GtkWidget *
ub_readback_page_label(const gchar *text, gboolean dim)
{
	GtkWidget *label = gtk_label_new(text);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	if (dim)
		gtk_style_context_add_class(gtk_widget_get_style_context(label), "dim-label");
	return label;
}

/* one row: check, name, region, start, length, output file, status */
static void
ub_readback_page_add_row(UbReadbackPage *self,
			 const gchar *name,
			 const gchar *region,
			 guint64 start,
			 guint64 length)
{
	UbReadbackRow *row = g_new0(UbReadbackRow, 1);
	GtkWidget *list_row = gtk_list_box_row_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *label;
	g_autofree gchar *what = NULL;
	g_autofree gchar *start_text = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", start);
	g_autofree gchar *len_text = NULL;
	g_autofree gchar *len_hex = NULL;
	g_autofree gchar *check_name = NULL;

	row->name = g_strdup(name);
	row->region = g_strdup(region);
	row->start = start;
	row->length = length;
	what = name != NULL ? g_strdup(name) : g_strdup_printf("%s %s", region, start_text);

	gtk_widget_set_margin_start(box, 8);
	gtk_widget_set_margin_end(box, 8);
	gtk_widget_set_margin_top(box, 2);
	gtk_widget_set_margin_bottom(box, 2);

	row->check = GTK_TOGGLE_BUTTON(gtk_check_button_new());
	gtk_toggle_button_set_active(row->check, TRUE);
	check_name = g_strdup_printf(_("Read back %s"), what);
	atk_object_set_name(gtk_widget_get_accessible(GTK_WIDGET(row->check)), check_name);
	gtk_widget_set_tooltip_text(GTK_WIDGET(row->check), check_name);
	g_signal_connect(row->check, "toggled", G_CALLBACK(ub_readback_page_check_toggled_cb), self);
	gtk_box_pack_start(GTK_BOX(box), ub_readback_page_cell(self, COL_CHECK, GTK_WIDGET(row->check)),
			   FALSE, FALSE, 0);

	label = ub_readback_page_label(name != NULL ? name : _("(range)"), name == NULL);
	gtk_box_pack_start(GTK_BOX(box), ub_readback_page_cell(self, COL_NAME, label), FALSE, FALSE, 0);
	label = ub_readback_page_label(region != NULL ? region : "—", FALSE);
	gtk_box_pack_start(GTK_BOX(box), ub_readback_page_cell(self, COL_REGION, label), FALSE, FALSE, 0);
	label = ub_readback_page_label(region != NULL ? start_text : "—", FALSE);
	gtk_style_context_add_class(gtk_widget_get_style_context(label), "monospace");
	gtk_box_pack_start(GTK_BOX(box), ub_readback_page_cell(self, COL_START, label), FALSE, FALSE, 0);
	len_text = length > 0 ? ub_text_format_size(length) : g_strdup(_("to the end"));
	len_hex = g_strdup_printf(_("0x%llx bytes"), (unsigned long long)length);
	label = ub_readback_page_label(len_text, FALSE);
	if (length > 0)
		gtk_widget_set_tooltip_text(label, len_hex);
	gtk_box_pack_start(GTK_BOX(box), ub_readback_page_cell(self, COL_LENGTH, label), FALSE, FALSE, 0);

	row->output_button = GTK_BUTTON(gtk_button_new_with_label(""));
	gtk_button_set_relief(row->output_button, GTK_RELIEF_NONE);
	gtk_label_set_ellipsize(GTK_LABEL(gtk_bin_get_child(GTK_BIN(row->output_button))),
				PANGO_ELLIPSIZE_MIDDLE);
	gtk_label_set_xalign(GTK_LABEL(gtk_bin_get_child(GTK_BIN(row->output_button))), 0);
	gtk_widget_set_halign(gtk_bin_get_child(GTK_BIN(row->output_button)), GTK_ALIGN_START);
	g_object_set_data(G_OBJECT(row->output_button), UB_READBACK_ROW_DATA, row);
	g_signal_connect(row->output_button, "clicked", G_CALLBACK(ub_readback_page_output_cb), self);
	{
		g_autofree gchar *acc = g_strdup_printf(_("Output file of %s"), what);
		atk_object_set_name(gtk_widget_get_accessible(GTK_WIDGET(row->output_button)), acc);
	}
	ub_readback_page_output_label(row);
	gtk_box_pack_start(GTK_BOX(box),
			   ub_readback_page_cell(self, COL_OUTPUT, GTK_WIDGET(row->output_button)),
			   FALSE, FALSE, 0);

	row->status_label = GTK_LABEL(ub_readback_page_label("", TRUE));
	gtk_widget_set_hexpand(GTK_WIDGET(row->status_label), TRUE);
	gtk_widget_show(GTK_WIDGET(row->status_label));
	gtk_box_pack_start(GTK_BOX(box), GTK_WIDGET(row->status_label), TRUE, TRUE, 0);

	gtk_widget_show(box);
	gtk_container_add(GTK_CONTAINER(list_row), box);
	g_object_set_data_full(G_OBJECT(list_row),
			       UB_READBACK_ROW_DATA,
			       row,
			       (GDestroyNotify)ub_readback_row_free);
	atk_object_set_name(gtk_widget_get_accessible(list_row), what);
	gtk_widget_show(list_row);
	gtk_container_add(GTK_CONTAINER(self->list_box), list_row);
	ub_readback_page_refresh(self);
}

static gboolean
ub_readback_page_has_row(UbReadbackPage *self, const gchar *name)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->list_box));
	for (GList *l = children; l != NULL; l = l->next) {
		UbReadbackRow *row = ub_readback_page_row_data(l->data);
		if (row != NULL && g_strcmp0(row->name, name) == 0)
			return TRUE;
	}
	return FALSE;
}

/**
 * ub_readback_page_add_partition:
 * @self: a #UbReadbackPage
 * @name: a partition of the phone
 *
 * Adds a row for @name (its region, start and size from the phone's table
 * when known); a partition already listed is not added twice.
 */
void
ub_readback_page_add_partition(UbReadbackPage *self, const gchar *name)
{
	GPtrArray *parts;
	UbPartition *part = NULL;

	g_return_if_fail(UB_IS_READBACK_PAGE(self));
	g_return_if_fail(name != NULL);

	if (ub_readback_page_has_row(self, name))
		return;
	parts = self->device != NULL ? ub_device_get_partitions(self->device) : NULL;
	if (parts != NULL)
		part = ub_partition_array_find(parts, name);
	if (part != NULL)
		ub_readback_page_add_row(self,
					 name,
					 ub_partition_get_region(part),
					 ub_partition_get_offset(part),
					 ub_partition_get_size(part));
	else
		ub_readback_page_add_row(self, name, NULL, 0, 0);
}

/* the partitions popover: a search entry and a check list, built by the
 * template so that GtkMenuButton shows it on the first click; its rows are
 * refilled when the phone's table changes */
static void
ub_readback_page_popover_add_cb(UbReadbackPage *self)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->popover_list));
	for (GList *l = children; l != NULL; l = l->next) {
		GtkWidget *check = gtk_bin_get_child(GTK_BIN(l->data));
		if (gtk_widget_get_sensitive(check) &&
		    gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(check)))
			ub_readback_page_add_partition(self,
						       g_object_get_data(G_OBJECT(check), "name"));
	}
	gtk_popover_popdown(self->parts_popover);
}

static void
ub_readback_page_popover_all_cb(UbReadbackPage *self)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->popover_list));
	for (GList *l = children; l != NULL; l = l->next) {
		GtkWidget *check = gtk_bin_get_child(GTK_BIN(l->data));
		if (gtk_widget_get_child_visible(l->data))
			gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(check), TRUE);
	}
}

static gboolean
ub_readback_page_popover_filter_cb(GtkListBoxRow *row, gpointer user_data)
{
	UbReadbackPage *self = UB_READBACK_PAGE(user_data);
	const gchar *text = gtk_entry_get_text(GTK_ENTRY(self->popover_search));
	const gchar *name = g_object_get_data(G_OBJECT(gtk_bin_get_child(GTK_BIN(row))), "name");
	g_autofree gchar *lname = NULL;
	g_autofree gchar *ltext = NULL;
	if (text == NULL || text[0] == '\0')
		return TRUE;
	lname = g_utf8_strdown(name, -1);
	ltext = g_utf8_strdown(text, -1);
	return strstr(lname, ltext) != NULL;
}

static void
ub_readback_page_popover_search_cb(UbReadbackPage *self)
{
	gtk_list_box_invalidate_filter(self->popover_list);
}

/* rows already in the table are ticked and cannot be added twice */
static void
ub_readback_page_popover_show_cb(UbReadbackPage *self)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->popover_list));
	gtk_entry_set_text(GTK_ENTRY(self->popover_search), "");
	for (GList *l = children; l != NULL; l = l->next) {
		GtkWidget *check = gtk_bin_get_child(GTK_BIN(l->data));
		gboolean listed =
		    ub_readback_page_has_row(self, g_object_get_data(G_OBJECT(check), "name"));
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(check), listed);
		gtk_widget_set_sensitive(check, !listed);
	}
}

/* a key of the table shown: the popover is only rebuilt when it changed */
static gchar *
ub_readback_page_parts_key(GPtrArray *parts)
{
	g_autoptr(GString) key = g_string_new(NULL);
	for (guint i = 0; parts != NULL && i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		g_string_append_printf(key,
				       "%s/%s/%" G_GUINT64_FORMAT ";",
				       ub_partition_get_name(part),
				       ub_partition_get_region(part) != NULL
					   ? ub_partition_get_region(part)
					   : "",
				       ub_partition_get_size(part));
	}
	return g_string_free(g_steal_pointer(&key), FALSE);
}

static void
ub_readback_page_popover_fill(UbReadbackPage *self)
{
	GPtrArray *parts = self->device != NULL ? ub_device_get_partitions(self->device) : NULL;
	g_autofree gchar *key = ub_readback_page_parts_key(parts);
	g_autoptr(GList) children = NULL;

	if (g_strcmp0(key, self->parts_key) == 0)
		return;
	g_free(self->parts_key);
	self->parts_key = g_steal_pointer(&key);
	children = gtk_container_get_children(GTK_CONTAINER(self->popover_list));
	for (GList *l = children; l != NULL; l = l->next)
		gtk_widget_destroy(GTK_WIDGET(l->data));
	for (guint i = 0; parts != NULL && i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		const gchar *region = ub_partition_get_region(part);
		g_autofree gchar *size = ub_text_format_size(ub_partition_get_size(part));
		g_autofree gchar *text = g_strdup_printf("%s  (%s, %s)",
							 ub_partition_get_name(part),
							 region != NULL ? region : "—",
							 size);
		GtkWidget *check = gtk_check_button_new_with_label(text);
		g_object_set_data_full(G_OBJECT(check),
				       "name",
				       g_strdup(ub_partition_get_name(part)),
				       g_free);
		atk_object_set_name(gtk_widget_get_accessible(check), ub_partition_get_name(part));
		gtk_widget_show(check);
		gtk_container_add(GTK_CONTAINER(self->popover_list), check);
	}
	ub_readback_page_popover_show_cb(self);
}

/* the Add region dialog */
typedef struct {
	UbReadbackPage *self;
	GtkComboBoxText *combo;
	GtkEntry *start;
	GtkEntry *length;
	GtkLabel *hint;
	GtkWidget *ok;
	guint64 start_value;
	guint64 length_value;
} UbReadbackRegionDialog;

static void
ub_readback_page_region_validate(UbReadbackRegionDialog *dlg)
{
	g_autoptr(GError) error = NULL;
	const gchar *id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(dlg->combo));
	const UbDeviceRegion *region = NULL;
	UbFrontReadbackRow row = {.region = id};
	g_autofree gchar *size = NULL;
	g_autofree gchar *text = NULL;
	gboolean ok = FALSE;

	if (id != NULL && dlg->self->device != NULL)
		region = ub_device_find_region(dlg->self->device, id);
	if (region == NULL) {
		gtk_label_set_text(dlg->hint, _("Choose a region."));
	} else if (!ub_front_plan_parse_size(gtk_entry_get_text(dlg->start), &row.start, &error) ||
		   !ub_front_plan_parse_size(gtk_entry_get_text(dlg->length), &row.length, &error)) {
		gtk_label_set_text(dlg->hint, _("Start and length are numbers: 4096, 0x1000, 4K, 16M."));
	} else {
		g_autoptr(UbPlan) plan = ub_front_plan_readback(dlg->self->device, &row, 1, NULL, &error);
		size = ub_text_format_size(region->size);
		if (plan == NULL || row.length == 0) {
			text = g_strdup_printf(_("Outside %s: it has %s (0x%llx bytes)."),
					       id,
					       size,
					       (unsigned long long)region->size);
		} else {
			g_autofree gchar *len = ub_text_format_size(row.length);
			text = g_strdup_printf(_("%s from 0x%llx of %s (%s)."),
					       len,
					       (unsigned long long)row.start,
					       id,
					       size);
			ok = TRUE;
		}
		gtk_label_set_text(dlg->hint, text);
	}
	dlg->start_value = row.start;
	dlg->length_value = row.length;
	gtk_widget_set_sensitive(dlg->ok, ok);
}

static void
ub_readback_page_region_changed_cb(GtkWidget *widget, UbReadbackRegionDialog *dlg)
{
	ub_readback_page_region_validate(dlg);
}

static GtkWidget *
ub_readback_page_grid_label(GtkGrid *grid, const gchar *text, GtkWidget *target, gint top)
{
	GtkWidget *label = gtk_label_new_with_mnemonic(text);
	gtk_label_set_xalign(GTK_LABEL(label), 1);
	gtk_label_set_mnemonic_widget(GTK_LABEL(label), target);
	gtk_grid_attach(grid, label, 0, top, 1, 1);
	gtk_widget_set_hexpand(target, TRUE);
	gtk_grid_attach(grid, target, 1, top, 1, 1);
	return label;
}

static void
ub_readback_page_region_response_cb(GtkDialog *dialog, gint response, UbReadbackRegionDialog *dlg)
{
	if (response == GTK_RESPONSE_OK && gtk_widget_get_sensitive(dlg->ok))
		ub_readback_page_add_row(dlg->self,
					 NULL,
					 gtk_combo_box_get_active_id(GTK_COMBO_BOX(dlg->combo)),
					 dlg->start_value,
					 dlg->length_value);
	gtk_widget_destroy(GTK_WIDGET(dialog));
}

static void
ub_readback_page_add_region_cb(UbReadbackPage *self)
{
	GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
	GtkWidget *dialog;
	GtkWidget *grid;
	GPtrArray *regions = self->device != NULL ? ub_device_get_regions(self->device) : NULL;
	UbReadbackRegionDialog *dlg = g_new0(UbReadbackRegionDialog, 1);

	dlg->self = self;
	dialog = gtk_dialog_new_with_buttons(_("Add Region"),
					     GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					     GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT |
						 GTK_DIALOG_USE_HEADER_BAR,
					     _("_Cancel"),
					     GTK_RESPONSE_CANCEL,
					     _("_Add"),
					     GTK_RESPONSE_OK,
					     NULL);
	gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_OK);
	g_object_set_data_full(G_OBJECT(dialog), "ub-readback-region", dlg, g_free);
	dlg->ok = gtk_dialog_get_widget_for_response(GTK_DIALOG(dialog), GTK_RESPONSE_OK);
	grid = gtk_grid_new();
	g_object_set(grid, "margin", 18, "row-spacing", 8, "column-spacing", 12, NULL);
	dlg->combo = GTK_COMBO_BOX_TEXT(gtk_combo_box_text_new());
	for (guint i = 0; regions != NULL && i < regions->len; i++) {
		UbDeviceRegion *region = g_ptr_array_index(regions, i);
		g_autofree gchar *size = ub_text_format_size(region->size);
		g_autofree gchar *text = g_strdup_printf("%s (%s)", region->name, size);
		gtk_combo_box_text_append(dlg->combo, region->name, text);
	}
	gtk_combo_box_set_active(GTK_COMBO_BOX(dlg->combo), 0);
	atk_object_set_name(gtk_widget_get_accessible(GTK_WIDGET(dlg->combo)), _("Region"));
	ub_readback_page_grid_label(GTK_GRID(grid), _("_Region"), GTK_WIDGET(dlg->combo), 0);
	dlg->start = GTK_ENTRY(gtk_entry_new());
	gtk_entry_set_text(dlg->start, "0x0");
	gtk_entry_set_activates_default(dlg->start, TRUE);
	atk_object_set_name(gtk_widget_get_accessible(GTK_WIDGET(dlg->start)), _("Start"));
	ub_readback_page_grid_label(GTK_GRID(grid), _("_Start"), GTK_WIDGET(dlg->start), 1);
	dlg->length = GTK_ENTRY(gtk_entry_new());
	gtk_entry_set_placeholder_text(dlg->length, _("bytes: 4096, 0x1000, 4K, 16M"));
	gtk_entry_set_activates_default(dlg->length, TRUE);
	atk_object_set_name(gtk_widget_get_accessible(GTK_WIDGET(dlg->length)), _("Length"));
	ub_readback_page_grid_label(GTK_GRID(grid), _("_Length"), GTK_WIDGET(dlg->length), 2);
	dlg->hint = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_xalign(dlg->hint, 0);
	gtk_label_set_line_wrap(dlg->hint, TRUE);
	gtk_label_set_max_width_chars(dlg->hint, 40);
	gtk_style_context_add_class(gtk_widget_get_style_context(GTK_WIDGET(dlg->hint)), "dim-label");
	gtk_grid_attach(GTK_GRID(grid), GTK_WIDGET(dlg->hint), 1, 3, 1, 1);
	gtk_container_add(GTK_CONTAINER(gtk_dialog_get_content_area(GTK_DIALOG(dialog))), grid);
	g_signal_connect(dlg->combo, "changed", G_CALLBACK(ub_readback_page_region_changed_cb), dlg);
	g_signal_connect(dlg->start, "changed", G_CALLBACK(ub_readback_page_region_changed_cb), dlg);
	g_signal_connect(dlg->length, "changed", G_CALLBACK(ub_readback_page_region_changed_cb), dlg);
	ub_readback_page_region_validate(dlg);
	gtk_widget_show_all(grid);
	gtk_widget_grab_focus(GTK_WIDGET(dlg->length));
	/* modal without a nested main loop (gtk_dialog_run), which would
	 * block the accessibility bridge while the dialog is open */
	g_signal_connect(dialog, "response", G_CALLBACK(ub_readback_page_region_response_cb), dlg);
	gtk_widget_show(dialog);
}

static void
ub_readback_page_remove_cb(UbReadbackPage *self)
{
	GtkListBoxRow *row = gtk_list_box_get_selected_row(self->list_box);
	if (row != NULL)
		gtk_widget_destroy(GTK_WIDGET(row));
	ub_readback_page_refresh(self);
}

static void
ub_readback_page_row_selected_cb(UbReadbackPage *self)
{
	ub_readback_page_refresh(self);
}

static void
ub_readback_page_folder_cb(UbReadbackPage *self)
{
	GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
	g_autoptr(GtkFileChooserNative) chooser = NULL;

	chooser = gtk_file_chooser_native_new(_("Output Folder"),
					      GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					      GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
					      _("_Select"),
					      _("_Cancel"));
	gtk_file_chooser_set_create_folders(GTK_FILE_CHOOSER(chooser), TRUE);
	if (gtk_native_dialog_run(GTK_NATIVE_DIALOG(chooser)) == GTK_RESPONSE_ACCEPT) {
		g_autofree gchar *dir = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(chooser));
		ub_readback_page_set_output_dir(self, dir);
	}
}

static void
ub_readback_page_start_cb(UbReadbackPage *self)
{
	self->want_all = FALSE;
	g_signal_emit(self, signals[SIGNAL_START], 0);
}

static void
ub_readback_page_all_cb(UbReadbackPage *self)
{
	self->want_all = TRUE;
	g_signal_emit(self, signals[SIGNAL_START], 0);
}

/**
 * ub_readback_page_build_plan:
 * @self: a #UbReadbackPage
 * @error: (nullable): return location for a #GError
 *
 * The plan for the button last pressed: the checked rows, or (Read back
 * everything) every partition of the phone.
 *
 * Returns: (transfer full): a plan, or %NULL
 */
UbPlan *
ub_readback_page_build_plan(UbReadbackPage *self, GError **error)
{
	g_autoptr(GList) children = NULL;
	g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(UbFrontReadbackRow));

	g_return_val_if_fail(UB_IS_READBACK_PAGE(self), NULL);

	if (self->output_dir == NULL)
		ub_readback_page_update_default_dir(self);
	if (self->want_all) {
		if (self->device == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_NOT_FOUND,
					    _("connect the phone to read everything back"));
			return NULL;
		}
		return ub_front_plan_readback_all(self->device, self->output_dir, error);
	}
	children = gtk_container_get_children(GTK_CONTAINER(self->list_box));
	for (GList *l = children; l != NULL; l = l->next) {
		UbReadbackRow *row = ub_readback_page_row_data(l->data);
		UbFrontReadbackRow front = {0};
		if (row == NULL || !gtk_toggle_button_get_active(row->check))
			continue;
		front.name = row->name;
		front.region = row->name != NULL ? NULL : row->region;
		front.start = row->name != NULL ? 0 : row->start;
		front.length = row->name != NULL ? 0 : row->length;
		front.output = row->output;
		g_array_append_val(rows, front);
	}
	return ub_front_plan_readback(self->device,
				      (const UbFrontReadbackRow *)rows->data,
				      rows->len,
				      self->output_dir,
				      error);
}

/* per-row status from the job's step names */
static void
ub_readback_page_job_notify_cb(UbJob *job, GParamSpec *pspec, UbReadbackPage *self)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->list_box));
	UbJobState state = ub_job_get_state(job);
	const gchar *step = ub_job_get_step_name(job);

	for (GList *l = children; l != NULL; l = l->next) {
		UbReadbackRow *row = ub_readback_page_row_data(l->data);
		const gchar *text = NULL;
		if (row == NULL || !gtk_toggle_button_get_active(row->check) || self->want_all)
			continue;
		if (state == UB_JOB_STATE_SUCCEEDED)
			text = _("Read");
		else if (state == UB_JOB_STATE_RUNNING && row->name != NULL &&
			 g_strcmp0(step, row->name) == 0)
			text = _("Reading…");
		else if (state == UB_JOB_STATE_FAILED && row->name != NULL &&
			 g_strcmp0(step, row->name) == 0)
			text = _("Failed");
		else if (state == UB_JOB_STATE_CANCELLED)
			text = _("Stopped");
		if (text != NULL || state == UB_JOB_STATE_RUNNING)
			gtk_label_set_text(row->status_label, text != NULL ? text : "");
	}
	ub_readback_page_refresh(self);
}

/**
 * ub_readback_page_set_job:
 * @self: a #UbReadbackPage
 * @job: (nullable): the running job, or %NULL
 *
 * The page goes insensitive while @job runs and shows each row's state.
 */
void
ub_readback_page_set_job(UbReadbackPage *self, UbJob *job)
{
	g_return_if_fail(UB_IS_READBACK_PAGE(self));
	if (self->job != NULL)
		g_signal_handlers_disconnect_by_data(self->job, self);
	g_set_object(&self->job, job);
	if (job != NULL) {
		g_signal_connect(job, "notify::state", G_CALLBACK(ub_readback_page_job_notify_cb), self);
		g_signal_connect(job,
				 "notify::step-name",
				 G_CALLBACK(ub_readback_page_job_notify_cb),
				 self);
		ub_readback_page_job_notify_cb(job, NULL, self);
	}
	ub_readback_page_refresh(self);
}

/**
 * ub_readback_page_set_device:
 * @self: a #UbReadbackPage
 * @device: (nullable): the selected phone
 *
 * Call again once the phone was identified: its table then fills "Add
 * partitions from phone" and its regions the Add region dialog.
 */
void
ub_readback_page_set_device(UbReadbackPage *self, UbDevice *device)
{
	g_return_if_fail(UB_IS_READBACK_PAGE(self));
	g_set_object(&self->device, device);
	ub_readback_page_update_default_dir(self);
	ub_readback_page_popover_fill(self);
	ub_readback_page_refresh(self);
}

/**
 * ub_readback_page_get_ready:
 * @self: a #UbReadbackPage
 *
 * Returns: %TRUE if a row is checked and no job runs
 */
gboolean
ub_readback_page_get_ready(UbReadbackPage *self)
{
	g_return_val_if_fail(UB_IS_READBACK_PAGE(self), FALSE);
	return !ub_readback_page_job_running(self) && ub_readback_page_n_checked(self) > 0;
}

void
ub_readback_page_set_output_dir(UbReadbackPage *self, const gchar *dir)
{
	g_return_if_fail(UB_IS_READBACK_PAGE(self));
	g_free(self->output_dir);
	self->output_dir = g_strdup(dir);
	self->output_dir_chosen = dir != NULL;
	if (dir == NULL)
		ub_readback_page_update_default_dir(self);
	ub_readback_page_refresh(self);
}

const gchar *
ub_readback_page_get_output_dir(UbReadbackPage *self)
{
	g_return_val_if_fail(UB_IS_READBACK_PAGE(self), NULL);
	return self->output_dir;
}

static void
ub_readback_page_dispose(GObject *object)
{
	UbReadbackPage *self = UB_READBACK_PAGE(object);
	if (self->job != NULL)
		g_signal_handlers_disconnect_by_data(self->job, self);
	g_clear_object(&self->job);
	g_clear_object(&self->device);
	for (guint i = 0; i < G_N_ELEMENTS(self->groups); i++)
		g_clear_object(&self->groups[i]);
	G_OBJECT_CLASS(ub_readback_page_parent_class)->dispose(object);
}

static void
ub_readback_page_finalize(GObject *object)
{
	UbReadbackPage *self = UB_READBACK_PAGE(object);
	g_free(self->output_dir);
	g_free(self->parts_key);
	G_OBJECT_CLASS(ub_readback_page_parent_class)->finalize(object);
}

static void
ub_readback_page_init(UbReadbackPage *self)
{
	const gchar *titles[] = {"", N_("Name"), N_("Region"), N_("Start"), N_("Length"),
				 N_("Output file")};
	const gint widths[] = {-1, 150, 70, 110, 90, 170};

	gtk_widget_init_template(GTK_WIDGET(self));
	gtk_list_box_set_filter_func(self->popover_list,
				     ub_readback_page_popover_filter_cb,
				     self,
				     NULL);
	for (guint i = 0; i < G_N_ELEMENTS(self->groups); i++) {
		GtkWidget *label = ub_readback_page_label(_(titles[i]), FALSE);
		self->groups[i] = gtk_size_group_new(GTK_SIZE_GROUP_HORIZONTAL);
		gtk_widget_set_size_request(label, widths[i], -1);
		gtk_style_context_add_class(gtk_widget_get_style_context(label), "heading");
		if (i == COL_CHECK) {
			/* as wide as a check button */
			GtkWidget *check = gtk_check_button_new();
			gtk_widget_set_opacity(check, 0);
			gtk_widget_set_sensitive(check, FALSE);
			gtk_widget_set_can_focus(check, FALSE);
			label = check;
		}
		/* the output column keeps its name readable as the pane shrinks */
		gtk_box_pack_start(self->header_box,
				   ub_readback_page_cell(self, i, label),
				   FALSE,
				   FALSE,
				   i == COL_OUTPUT ? 4 : 0);
	}
	ub_readback_page_update_default_dir(self);
	ub_readback_page_refresh(self);
}

static void
ub_readback_page_class_init(UbReadbackPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	object_class->dispose = ub_readback_page_dispose;
	object_class->finalize = ub_readback_page_finalize;

	signals[SIGNAL_START] = g_signal_new("start",
					     G_TYPE_FROM_CLASS(klass),
					     G_SIGNAL_RUN_LAST,
					     0,
					     NULL,
					     NULL,
					     NULL,
					     G_TYPE_NONE,
					     0);

	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-readback-page.ui");
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, toolbar);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, add_parts_button);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, add_region_button);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, remove_button);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, folder_button);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, folder_button_label);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, header_box);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, list_box);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, summary_label);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, all_button);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, start_button);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, parts_popover);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, popover_list);
	gtk_widget_class_bind_template_child(widget_class, UbReadbackPage, popover_search);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_popover_show_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_popover_search_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_popover_add_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_popover_all_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_add_region_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_remove_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_row_selected_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_folder_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_start_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_readback_page_all_cb);
}
