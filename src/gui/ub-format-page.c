/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-backup.h"
#include "ub-format-page.h"
#include "ub-front-plan.h"
#include "ub-gui-utils.h"
#include "ub-text.h"

/* the Format tab: the plan comes from ub_front_plan_format_auto() or
 * ub_front_plan_format_range(); "start" only after the confirmation */

struct _UbFormatPage {
	GtkBox parent_instance;
	GtkBox *options_box;
	GtkRadioButton *auto_radio;
	GtkComboBoxText *auto_combo;
	GtkLabel *auto_hint;
	GtkRadioButton *manual_radio;
	GtkGrid *manual_grid;
	GtkComboBoxText *region_combo;
	GtkEntry *begin_entry;
	GtkEntry *length_entry;
	GtkLabel *manual_hint;
	GtkCheckButton *keep_check;
	GtkLabel *calibration_hint;
	GtkListBox *calibration_list;
	GtkLabel *summary_label;
	GtkButton *format_button;

	UbDevice *device; /* nullable */
	UbJob *job;	  /* nullable */
	gchar *backup_dir;
	gboolean range_ok;
	GtkWidget *confirm_dialog; /* nullable, weak: the confirmation shown */
};

G_DEFINE_TYPE(UbFormatPage, ub_format_page, GTK_TYPE_BOX)

enum { SIGNAL_START, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

/* typical names, shown until the phone's own table is known */
static const gchar *ub_format_page_typical[] = {"nvram", "nvdata", "protect1", "persist",
						 "modemst1", "modemst2", "fsg", NULL};

static gboolean
ub_format_page_job_running(UbFormatPage *self)
{
	return self->job != NULL && ub_job_get_state(self->job) == UB_JOB_STATE_RUNNING;
}

static gboolean
ub_format_page_is_auto(UbFormatPage *self)
{
	return gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->auto_radio));
}

static gboolean
ub_format_page_is_whole(UbFormatPage *self)
{
	return g_strcmp0(gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->auto_combo)), "whole") == 0;
}

static gboolean
ub_format_page_keep(UbFormatPage *self)
{
	return gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->keep_check));
}

/* the manual range as numbers, and whether it fits the region */
static gboolean
ub_format_page_get_range(UbFormatPage *self,
			 const gchar **region,
			 guint64 *start,
			 guint64 *length,
			 GError **error)
{
	const gchar *len_text = gtk_entry_get_text(self->length_entry);
	*region = gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->region_combo));
	*length = 0;
	if (*region == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    _("the phone's regions are shown once it was identified"));
		return FALSE;
	}
	if (!ub_front_plan_parse_size(gtk_entry_get_text(self->begin_entry), start, error))
		return FALSE;
	if (len_text[0] != '\0' && !ub_front_plan_parse_size(len_text, length, error))
		return FALSE;
	if (*start % 512 != 0 || *length % 512 != 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("begin and length are whole 512-byte sectors"));
		return FALSE;
	}
	return TRUE;
}

static void
ub_format_page_refresh(UbFormatPage *self)
{
	gboolean running = ub_format_page_job_running(self);
	gboolean is_auto = ub_format_page_is_auto(self);
	const gchar *hint;
	g_autoptr(GError) error = NULL;
	const gchar *region = NULL;
	guint64 start = 0;
	guint64 length = 0;

	gtk_widget_set_sensitive(GTK_WIDGET(self->options_box), !running);
	gtk_widget_set_sensitive(GTK_WIDGET(self->auto_combo), is_auto);
	/* fastboot has partitions by name only */
	gtk_widget_set_sensitive(GTK_WIDGET(self->manual_radio),
				 self->device == NULL ||
				     ub_device_get_regions(self->device)->len > 0);
	gtk_widget_set_sensitive(GTK_WIDGET(self->manual_grid), !is_auto);

	if (ub_format_page_is_whole(self))
		hint = _("Erases every partition and the boot chain (preloader, xbl, abl…): the "
			 "phone then only starts in its emergency download mode until it is "
			 "flashed again.");
	else
		hint = _("Erases the system, apps and user data; the boot chain stays, so the "
			 "phone can still be flashed in download mode.");
	gtk_label_set_text(self->auto_hint, hint);

	self->range_ok = ub_format_page_get_range(self, &region, &start, &length, &error);
	if (self->range_ok) {
		g_autoptr(UbPlan) plan =
		    ub_front_plan_format_range(self->device, region, start, length, TRUE, &error);
		self->range_ok = plan != NULL;
	}
	if (!self->range_ok) {
		gtk_label_set_text(self->manual_hint, error->message);
	} else {
		const UbDeviceRegion *r = ub_device_find_region(self->device, region);
		g_autofree gchar *what =
		    ub_text_format_size(length != 0 ? length : r->size - start);
		g_autofree gchar *text = g_strdup_printf(_("Erases %s of %s from 0x%llx."),
							 what,
							 region,
							 (unsigned long long)start);
		gtk_label_set_text(self->manual_hint, text);
	}
	gtk_widget_set_sensitive(GTK_WIDGET(self->format_button), ub_format_page_get_ready(self));
	gtk_label_set_text(self->calibration_hint,
			   ub_format_page_keep(self)
			       ? _("These partitions hold the phone's own IMEI, radio calibration and "
				   "keys; no firmware package can restore them. They are left alone.")
			       : _("These partitions are erased too. They are backed up first, but a "
				   "phone without them may lose its IMEI and network."));
	if (self->device == NULL)
		gtk_label_set_text(self->summary_label, _("Connect a phone to format it."));
	else
		gtk_label_set_text(self->summary_label, "");
}

static void
ub_format_page_changed_cb(UbFormatPage *self)
{
	ub_format_page_refresh(self);
}

static GtkWidget *
ub_format_page_calibration_row(const gchar *name, const gchar *detail)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *label = gtk_label_new(name);
	GtkWidget *row = gtk_list_box_row_new();
	g_autofree gchar *acc = g_strdup_printf("%s: %s", name, detail);
	g_object_set(box, "margin-start", 8, "margin-end", 8, "margin-top", 3, "margin-bottom", 3,
		     NULL);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_widget_set_size_request(label, 110, -1);
	gtk_box_pack_start(GTK_BOX(box), label, FALSE, FALSE, 0);
	label = gtk_label_new(detail);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	gtk_style_context_add_class(gtk_widget_get_style_context(label), "dim-label");
	gtk_box_pack_start(GTK_BOX(box), label, TRUE, TRUE, 0);
	gtk_container_add(GTK_CONTAINER(row), box);
	gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
	atk_object_set_name(gtk_widget_get_accessible(row), acc);
	gtk_widget_show_all(row);
	return row;
}

static void
ub_format_page_fill_calibration(UbFormatPage *self)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->calibration_list));
	g_autoptr(GPtrArray) cal = ub_front_plan_list_calibration(self->device);

	for (GList *l = children; l != NULL; l = l->next)
		gtk_widget_destroy(l->data);
	for (guint i = 0; i < cal->len; i++) {
		UbFrontCalibration *c = g_ptr_array_index(cal, i);
		g_autofree gchar *size = ub_text_format_size(c->size);
		g_autofree gchar *detail = g_strdup_printf("%s — %s", size, c->reason);
		gtk_container_add(GTK_CONTAINER(self->calibration_list),
				  ub_format_page_calibration_row(c->name, detail));
	}
	if (cal->len == 0) {
		/* not known yet: the usual suspects */
		for (guint i = 0; ub_format_page_typical[i] != NULL; i++) {
			const gchar *reason = ub_partition_calibration_reason(ub_format_page_typical[i]);
			g_autofree gchar *detail = g_strdup_printf(_("typical — %s"), reason);
			gtk_container_add(GTK_CONTAINER(self->calibration_list),
					  ub_format_page_calibration_row(ub_format_page_typical[i],
									 detail));
		}
	}
}

static void
ub_format_page_fill_regions(UbFormatPage *self)
{
	GPtrArray *regions = self->device != NULL ? ub_device_get_regions(self->device) : NULL;
	g_autofree gchar *active =
	    g_strdup(gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->region_combo)));

	gtk_combo_box_text_remove_all(self->region_combo);
	for (guint i = 0; regions != NULL && i < regions->len; i++) {
		UbDeviceRegion *region = g_ptr_array_index(regions, i);
		g_autofree gchar *size = ub_text_format_size(region->size);
		g_autofree gchar *text = g_strdup_printf("%s (%s)", region->name, size);
		gtk_combo_box_text_append(self->region_combo, region->name, text);
	}
	/* the user area first: the boot areas are rarely what is meant */
	if ((active == NULL ||
	     !gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->region_combo), active)) &&
	    !gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->region_combo), "user") &&
	    !gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->region_combo), "lun0"))
		gtk_combo_box_set_active(GTK_COMBO_BOX(self->region_combo), 0);
}

/* where calibration backups go, for the confirmation */
static gchar *
ub_format_page_backup_text(UbFormatPage *self)
{
	g_autofree gchar *root = NULL;
	const gchar *serial;
	if (self->backup_dir != NULL)
		return g_strdup(self->backup_dir);
	root = ub_backup_get_default_root();
	serial = self->device != NULL ? ub_device_get_serial(self->device) : NULL;
	return g_build_filename(root, serial != NULL ? serial : "PHONE", _("DATE-TIME"), NULL);
}

/* "userdata, system_a, vendor_a and 12 more" */
static gchar *
ub_format_page_plan_targets(UbPlan *plan)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	g_autoptr(GString) str = g_string_new(NULL);
	const guint max = 8;
	for (guint i = 0; i < ops->len && i < max; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (str->len > 0)
			g_string_append(str, ", ");
		if (op->partition != NULL) {
			g_string_append(str, op->partition);
		} else if (op->length != 0) {
			g_autofree gchar *size = ub_text_format_size(op->length);
			g_string_append_printf(str,
					       _("%s of %s from 0x%llx"),
					       size,
					       op->region,
					       (unsigned long long)op->offset);
		} else {
			g_string_append_printf(str, _("all of %s"), op->region);
		}
	}
	if (ops->len > max)
		g_string_append_printf(str, _(" and %u more"), ops->len - max);
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static gchar *
ub_format_page_kept_text(UbFormatPage *self)
{
	g_autoptr(GPtrArray) cal = ub_front_plan_list_calibration(self->device);
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < cal->len; i++) {
		UbFrontCalibration *c = g_ptr_array_index(cal, i);
		g_string_append_printf(str, "%s%s", str->len > 0 ? ", " : "", c->name);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static void
ub_format_page_confirm_response_cb(GtkDialog *dialog, gint response, UbFormatPage *self)
{
	gtk_widget_destroy(GTK_WIDGET(dialog));
	if (response == GTK_RESPONSE_ACCEPT && ub_format_page_get_ready(self))
		g_signal_emit(self, signals[SIGNAL_START], 0);
}

static void
ub_format_page_format_cb(UbFormatPage *self)
{
	GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = ub_format_page_build_plan(self, &error);
	g_autofree gchar *targets = NULL;
	g_autofree gchar *backup = ub_format_page_backup_text(self);
	g_autofree gchar *kept = ub_format_page_kept_text(self);
	g_autoptr(GString) body = g_string_new(NULL);
	const gchar *phone = NULL;
	GtkWidget *dialog;
	GtkWidget *button;

	if (self->confirm_dialog != NULL) {
		gtk_window_present(GTK_WINDOW(self->confirm_dialog));
		return;
	}
	if (self->device != NULL)
		phone = ub_device_get_product(self->device);
	if (phone == NULL && self->device != NULL)
		phone = ub_device_get_chip(self->device);
	if (phone == NULL)
		phone = _("the phone");

	if (plan != NULL) {
		targets = ub_format_page_plan_targets(plan);
		g_string_append_printf(body, _("This erases %s. "), targets);
	} else if (ub_format_page_is_auto(self)) {
		g_string_append(body,
				ub_format_page_is_whole(self)
				    ? _("This erases the whole flash of the phone that is connected "
					"next, the boot chain included. ")
				    : _("This erases everything except the boot chain on the phone "
					"that is connected next. "));
	} else {
		ub_gui_show_error(GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
				  _("Cannot format this range"),
				  error);
		return;
	}
	g_string_append(body, _("The system, apps, photos and all user data on it are lost. "));
	if (ub_format_page_keep(self))
		g_string_append_printf(body,
				       _("Calibration data is kept%s%s%s. "),
				       kept[0] != '\0' ? " (" : "",
				       kept,
				       kept[0] != '\0' ? ")" : "");
	else
		g_string_append(body, _("Calibration data (IMEI, radio calibration) is erased too. "));
	g_string_append_printf(body,
			       _("Calibration partitions that are touched are backed up first to %s."),
			       backup);

	dialog = gtk_message_dialog_new(GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
					GTK_MESSAGE_WARNING,
					GTK_BUTTONS_NONE,
					_("Format %s?"),
					phone);
	gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "%s", body->str);
	gtk_dialog_add_button(GTK_DIALOG(dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
	button = gtk_dialog_add_button(GTK_DIALOG(dialog), _("_Format"), GTK_RESPONSE_ACCEPT);
	gtk_style_context_add_class(gtk_widget_get_style_context(button), "destructive-action");
	gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_CANCEL);
	atk_object_set_name(gtk_widget_get_accessible(dialog), _("Confirm format"));
	/* modal but not gtk_dialog_run(): a nested main loop would block the
	 * accessibility bridge (screen readers, the AT-SPI test) until it closes */
	g_signal_connect_object(dialog,
				"response",
				G_CALLBACK(ub_format_page_confirm_response_cb),
				self,
				0);
	self->confirm_dialog = dialog;
	g_object_add_weak_pointer(G_OBJECT(dialog), (gpointer *)&self->confirm_dialog);
	gtk_widget_show(dialog);
}

/**
 * ub_format_page_build_plan:
 * @self: a #UbFormatPage
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the format plan for the chosen options, with the
 *   backup folder set when one was given, or %NULL
 */
UbPlan *
ub_format_page_build_plan(UbFormatPage *self, GError **error)
{
	g_autoptr(UbPlan) plan = NULL;

	g_return_val_if_fail(UB_IS_FORMAT_PAGE(self), NULL);

	if (ub_format_page_is_auto(self)) {
		if (self->device == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_NOT_FOUND,
					    _("connect the phone to format it"));
			return NULL;
		}
		plan = ub_front_plan_format_auto(self->device,
						 ub_format_page_is_whole(self),
						 ub_format_page_keep(self),
						 error);
	} else {
		const gchar *region = NULL;
		guint64 start = 0;
		guint64 length = 0;
		if (!ub_format_page_get_range(self, &region, &start, &length, error))
			return NULL;
		plan = ub_front_plan_format_range(self->device,
						  region,
						  start,
						  length,
						  ub_format_page_keep(self),
						  error);
	}
	if (plan == NULL)
		return NULL;
	if (self->backup_dir != NULL)
		ub_plan_set_backup_dir(plan, self->backup_dir);
	return g_steal_pointer(&plan);
}

static void
ub_format_page_job_notify_cb(UbJob *job, GParamSpec *pspec, UbFormatPage *self)
{
	ub_format_page_refresh(self);
}

void
ub_format_page_set_job(UbFormatPage *self, UbJob *job)
{
	g_return_if_fail(UB_IS_FORMAT_PAGE(self));
	if (self->job != NULL)
		g_signal_handlers_disconnect_by_data(self->job, self);
	g_set_object(&self->job, job);
	if (job != NULL)
		g_signal_connect(job, "notify::state", G_CALLBACK(ub_format_page_job_notify_cb), self);
	ub_format_page_refresh(self);
}

/**
 * ub_format_page_set_device:
 * @self: a #UbFormatPage
 * @device: (nullable): the selected phone
 *
 * Call again once the phone was identified, for its regions and its
 * calibration partitions.
 */
void
ub_format_page_set_device(UbFormatPage *self, UbDevice *device)
{
	g_return_if_fail(UB_IS_FORMAT_PAGE(self));
	g_set_object(&self->device, device);
	ub_format_page_fill_regions(self);
	ub_format_page_fill_calibration(self);
	ub_format_page_refresh(self);
}

/**
 * ub_format_page_get_ready:
 * @self: a #UbFormatPage
 *
 * Returns: %TRUE if Format may be pressed: no job runs, and Auto is chosen or
 *   the manual range fits the phone's region
 */
gboolean
ub_format_page_get_ready(UbFormatPage *self)
{
	g_return_val_if_fail(UB_IS_FORMAT_PAGE(self), FALSE);
	if (ub_format_page_job_running(self))
		return FALSE;
	return ub_format_page_is_auto(self) || self->range_ok;
}

void
ub_format_page_set_backup_dir(UbFormatPage *self, const gchar *dir)
{
	g_return_if_fail(UB_IS_FORMAT_PAGE(self));
	g_free(self->backup_dir);
	self->backup_dir = g_strdup(dir);
}

static void
ub_format_page_dispose(GObject *object)
{
	UbFormatPage *self = UB_FORMAT_PAGE(object);
	if (self->confirm_dialog != NULL) {
		g_object_remove_weak_pointer(G_OBJECT(self->confirm_dialog),
					     (gpointer *)&self->confirm_dialog);
		gtk_widget_destroy(self->confirm_dialog);
		self->confirm_dialog = NULL;
	}
	if (self->job != NULL)
		g_signal_handlers_disconnect_by_data(self->job, self);
	g_clear_object(&self->job);
	g_clear_object(&self->device);
	G_OBJECT_CLASS(ub_format_page_parent_class)->dispose(object);
}

static void
ub_format_page_finalize(GObject *object)
{
	UbFormatPage *self = UB_FORMAT_PAGE(object);
	g_free(self->backup_dir);
	G_OBJECT_CLASS(ub_format_page_parent_class)->finalize(object);
}

static void
ub_format_page_init(UbFormatPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	ub_format_page_fill_calibration(self);
	ub_format_page_refresh(self);
}

static void
ub_format_page_class_init(UbFormatPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	object_class->dispose = ub_format_page_dispose;
	object_class->finalize = ub_format_page_finalize;

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
						    "/io/github/unbrick/Unbrick/ub-format-page.ui");
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, options_box);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, auto_radio);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, auto_combo);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, auto_hint);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, manual_radio);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, manual_grid);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, region_combo);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, begin_entry);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, length_entry);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, manual_hint);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, keep_check);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, calibration_hint);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, calibration_list);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, summary_label);
	gtk_widget_class_bind_template_child(widget_class, UbFormatPage, format_button);
	gtk_widget_class_bind_template_callback(widget_class, ub_format_page_changed_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_format_page_format_cb);
}
