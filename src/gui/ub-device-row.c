/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-device-row.h"
#include "ub-gui-utils.h"

/**
 * UbDeviceRow:
 *
 * One phone in the device list: a USB device the monitor reported (opened
 * lazily) or a simulated phone (opened at once). The row also keeps what
 * belongs to that phone while the user looks at another one: its last job, its
 * log and the cancellable of the work running on it.
 */

struct _UbDeviceRow {
	GtkListBoxRow parent_instance;
	GtkImage *icon;
	GtkLabel *title_label;
	GtkLabel *subtitle_label;
	GtkLabel *details_label;
	GtkSpinner *spinner;

	UbUsbDeviceInfo *info; /* nullable */
	UbDevice *device;      /* nullable until a USB device is opened */
	UbJob *job;	       /* nullable: the running or last job */
	gulong job_log_id;
	GCancellable *cancellable; /* nullable: while busy */
	GtkTextBuffer *log;
	gboolean busy;
	gboolean gone;
	gboolean identified;
};

G_DEFINE_TYPE(UbDeviceRow, ub_device_row, GTK_TYPE_LIST_BOX_ROW)

static void
ub_device_row_append_line(UbDeviceRow *self, const gchar *tag_name, const gchar *line)
{
	GtkTextIter iter;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *stamp = g_date_time_format(now, "%H:%M:%S ");

	gtk_text_buffer_get_end_iter(self->log, &iter);
	gtk_text_buffer_insert_with_tags_by_name(self->log, &iter, stamp, -1, "stamp", NULL);
	if (tag_name != NULL)
		gtk_text_buffer_insert_with_tags_by_name(self->log, &iter, line, -1, tag_name, NULL);
	else
		gtk_text_buffer_insert(self->log, &iter, line, -1);
	gtk_text_buffer_insert(self->log, &iter, "\n", 1);
}

/**
 * ub_device_row_log:
 * @self: a #UbDeviceRow
 * @fmt: a printf format for a translated line
 *
 * Adds a line of the application's own (not the engine's) to the phone's log.
 */
void
ub_device_row_log(UbDeviceRow *self, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *line = NULL;
	g_return_if_fail(UB_IS_DEVICE_ROW(self));
	va_start(args, fmt);
	line = g_strdup_vprintf(fmt, args);
	va_end(args);
	ub_device_row_append_line(self, "app", line);
}

static void
ub_device_row_job_log_message_cb(UbJob *job, const gchar *message, UbDeviceRow *self)
{
	ub_device_row_append_line(self, NULL, message);
}

const gchar *
ub_device_row_get_title(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	return gtk_label_get_text(self->title_label);
}

const gchar *
ub_device_row_get_subtitle(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	return gtk_label_get_text(self->subtitle_label);
}

/* chip, storage and serial once identified */
static void
ub_device_row_refresh_details(UbDeviceRow *self)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
	const gchar *chip = NULL;
	const gchar *serial = NULL;
	if (self->device != NULL) {
		chip = ub_device_get_chip(self->device);
		serial = ub_device_get_serial(self->device);
		if (chip != NULL && g_strcmp0(chip, ub_device_get_product(self->device)) != 0)
			g_ptr_array_add(parts, g_strdup(chip));
		if (ub_device_get_storage_size(self->device) > 0) {
			g_autofree gchar *size =
			    ub_text_format_size(ub_device_get_storage_size(self->device));
			const gchar *type = ub_device_get_storage_type(self->device);
			g_ptr_array_add(parts,
					type != NULL ? g_strdup_printf("%s %s", type, size)
						     : g_steal_pointer(&size));
		}
	}
	if (serial == NULL && self->info != NULL)
		serial = ub_usb_device_info_get_serial(self->info);
	if (serial != NULL)
		g_ptr_array_add(parts, g_strdup(serial));
	g_ptr_array_add(parts, NULL);
	if (parts->len > 1) {
		g_autofree gchar *text = g_strjoinv(" · ", (gchar **)parts->pdata);
		gtk_label_set_text(self->details_label, text);
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->details_label), text);
		gtk_widget_show(GTK_WIDGET(self->details_label));
	} else {
		gtk_widget_hide(GTK_WIDGET(self->details_label));
	}
}

/**
 * ub_device_row_refresh:
 * @self: a #UbDeviceRow
 *
 * Updates the labels from what is known about the phone: the name the device
 * table gives its mode until it was identified, then its product.
 */
void
ub_device_row_refresh(UbDeviceRow *self)
{
	UbDeviceMode mode = UB_DEVICE_MODE_UNKNOWN;
	const gchar *product = NULL;
	g_autofree gchar *title = NULL;
	g_autofree gchar *subtitle = NULL;

	g_return_if_fail(UB_IS_DEVICE_ROW(self));

	if (self->device != NULL) {
		mode = ub_device_get_mode(self->device);
		product = ub_device_get_product(self->device);
		if (product == NULL)
			product = ub_device_get_chip(self->device);
	} else if (self->info != NULL) {
		mode = ub_usb_device_info_get_mode(self->info);
	}

	if (product != NULL)
		title = g_strdup(product);
	else if (self->device != NULL && ub_device_get_simulated(self->device))
		title = g_strdup(_("Simulated phone"));
	else
		title = g_strdup(ub_text_mode_to_text(mode));

	if (self->gone) {
		/* TRANSLATORS: the phone was unplugged */
		subtitle = g_strdup(_("Disconnected"));
	} else if (self->device != NULL && ub_device_get_simulated(self->device)) {
		/* TRANSLATORS: e.g. "Simulated MediaTek BootROM" */
		subtitle = g_strdup_printf(_("Simulated %s"), ub_text_mode_to_text(mode));
	} else if (self->info != NULL && product != NULL) {
		/* TRANSLATORS: e.g. "Fastboot on USB 1-4.2" */
		subtitle = g_strdup_printf(_("%s on USB %s"),
					   ub_text_mode_to_text(mode),
					   ub_usb_device_info_get_port_path(self->info) != NULL
					       ? ub_usb_device_info_get_port_path(self->info)
					       : "?");
	} else if (self->info != NULL) {
		/* the title already says the mode: say where it is */
		/* TRANSLATORS: e.g. "USB 1-4.2, 05c6:9008" */
		subtitle = g_strdup_printf(_("USB %s, %04x:%04x"),
					   ub_usb_device_info_get_port_path(self->info) != NULL
					       ? ub_usb_device_info_get_port_path(self->info)
					       : "?",
					   ub_usb_device_info_get_vid(self->info),
					   ub_usb_device_info_get_pid(self->info));
	} else {
		subtitle = g_strdup(ub_text_mode_to_text(mode));
	}
	gtk_label_set_text(self->title_label, title);
	gtk_label_set_text(self->subtitle_label, subtitle);
	ub_device_row_refresh_details(self);
	gtk_widget_set_visible(GTK_WIDGET(self->spinner), self->busy);
	if (self->busy)
		gtk_spinner_start(self->spinner);
	else
		gtk_spinner_stop(self->spinner);
}

UbUsbDeviceInfo *
ub_device_row_get_info(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	return self->info;
}

UbDevice *
ub_device_row_get_device(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	return self->device;
}

/**
 * ub_device_row_set_device:
 * @self: a #UbDeviceRow
 * @device: (nullable): the opened engine for the phone
 */
void
ub_device_row_set_device(UbDeviceRow *self, UbDevice *device)
{
	g_return_if_fail(UB_IS_DEVICE_ROW(self));
	g_set_object(&self->device, device);
	ub_device_row_refresh(self);
}

UbJob *
ub_device_row_get_job(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	return self->job;
}

/**
 * ub_device_row_set_job:
 * @self: a #UbDeviceRow
 * @job: (nullable): the job now running on the phone
 *
 * Keeps @job (until the next one) and sends its log lines to the phone's log.
 */
void
ub_device_row_set_job(UbDeviceRow *self, UbJob *job)
{
	g_return_if_fail(UB_IS_DEVICE_ROW(self));
	if (self->job != NULL && self->job_log_id != 0) {
		g_signal_handler_disconnect(self->job, self->job_log_id);
		self->job_log_id = 0;
	}
	g_set_object(&self->job, job);
	if (job != NULL) {
		self->job_log_id = g_signal_connect(job,
						    "log-message",
						    G_CALLBACK(ub_device_row_job_log_message_cb),
						    self);
	}
}

GtkTextBuffer *
ub_device_row_get_log(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	return self->log;
}

/**
 * ub_device_row_begin_work:
 * @self: a #UbDeviceRow
 *
 * Marks the phone busy, for one or several jobs in a row.
 *
 * Returns: (transfer none): the cancellable the work must use
 */
GCancellable *
ub_device_row_begin_work(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	g_return_val_if_fail(!self->busy, NULL);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	self->busy = TRUE;
	ub_device_row_refresh(self);
	return self->cancellable;
}

void
ub_device_row_end_work(UbDeviceRow *self)
{
	g_return_if_fail(UB_IS_DEVICE_ROW(self));
	self->busy = FALSE;
	g_clear_object(&self->cancellable);
	ub_device_row_refresh(self);
}

gboolean
ub_device_row_get_busy(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), FALSE);
	return self->busy;
}

/**
 * ub_device_row_cancel:
 * @self: a #UbDeviceRow
 *
 * Asks the work running on the phone to stop; it ends with
 * %G_IO_ERROR_CANCELLED once the engine has restored the device.
 */
void
ub_device_row_cancel(UbDeviceRow *self)
{
	g_return_if_fail(UB_IS_DEVICE_ROW(self));
	if (self->cancellable != NULL && !g_cancellable_is_cancelled(self->cancellable)) {
		ub_device_row_log(self, "%s", _("Stopping…"));
		g_cancellable_cancel(self->cancellable);
	}
}

gboolean
ub_device_row_get_gone(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), FALSE);
	return self->gone;
}

/**
 * ub_device_row_set_gone:
 * @self: a #UbDeviceRow
 *
 * Marks the USB device as unplugged while work on it still has to finish.
 */
void
ub_device_row_set_gone(UbDeviceRow *self)
{
	g_return_if_fail(UB_IS_DEVICE_ROW(self));
	self->gone = TRUE;
	ub_device_row_refresh(self);
}

/**
 * ub_device_row_get_identified:
 * @self: a #UbDeviceRow
 *
 * Returns: whether an identify job succeeded on the phone with the files it
 *   needs (a MediaTek or EDL phone identified without its loader is not)
 */
gboolean
ub_device_row_get_identified(UbDeviceRow *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), FALSE);
	return self->identified;
}

void
ub_device_row_set_identified(UbDeviceRow *self, gboolean identified)
{
	g_return_if_fail(UB_IS_DEVICE_ROW(self));
	self->identified = identified;
}

/**
 * ub_device_row_get_kind:
 * @self: a #UbDeviceRow
 *
 * Returns: "fastboot", "edl", "mtk", or %NULL: the kind of phone
 */
const gchar *
ub_device_row_get_kind(UbDeviceRow *self)
{
	UbProtocol protocol = UB_PROTOCOL_UNKNOWN;
	g_return_val_if_fail(UB_IS_DEVICE_ROW(self), NULL);
	if (self->device != NULL)
		protocol = ub_device_get_protocol(self->device);
	else if (self->info != NULL)
		protocol = ub_usb_device_info_get_protocol(self->info);
	switch (protocol) {
	case UB_PROTOCOL_EDL:
		return "edl";
	case UB_PROTOCOL_MTK:
		return "mtk";
	case UB_PROTOCOL_FASTBOOT:
		return "fastboot";
	case UB_PROTOCOL_UNKNOWN:
	case UB_PROTOCOL_LAST:
	default:
		return NULL;
	}
}

static void
ub_device_row_dispose(GObject *object)
{
	UbDeviceRow *self = UB_DEVICE_ROW(object);
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	ub_device_row_set_job(self, NULL);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->device);
	g_clear_object(&self->info);
	g_clear_object(&self->log);
	G_OBJECT_CLASS(ub_device_row_parent_class)->dispose(object);
}

static void
ub_device_row_init(UbDeviceRow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->log = gtk_text_buffer_new(NULL);
	gtk_text_buffer_create_tag(self->log, "stamp", "foreground", "#888a85", NULL);
	gtk_text_buffer_create_tag(self->log, "app", "weight", PANGO_WEIGHT_BOLD, NULL);
}

static void
ub_device_row_class_init(UbDeviceRowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	object_class->dispose = ub_device_row_dispose;

	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-device-row.ui");
	gtk_widget_class_bind_template_child(widget_class, UbDeviceRow, icon);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceRow, title_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceRow, subtitle_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceRow, details_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceRow, spinner);
}

/**
 * ub_device_row_new_for_info:
 * @info: a USB device the monitor reported
 *
 * Returns: (transfer floating): a new row
 */
UbDeviceRow *
ub_device_row_new_for_info(UbUsbDeviceInfo *info)
{
	UbDeviceRow *self;
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(info), NULL);
	self = g_object_new(UB_TYPE_DEVICE_ROW, NULL);
	self->info = g_object_ref(info);
	ub_device_row_refresh(self);
	return self;
}

/**
 * ub_device_row_new_for_device:
 * @device: an engine, e.g. a simulated phone
 *
 * Returns: (transfer floating): a new row
 */
UbDeviceRow *
ub_device_row_new_for_device(UbDevice *device)
{
	UbDeviceRow *self;
	g_return_val_if_fail(UB_IS_DEVICE(device), NULL);
	self = g_object_new(UB_TYPE_DEVICE_ROW, NULL);
	self->device = g_object_ref(device);
	ub_device_row_refresh(self);
	return self;
}
