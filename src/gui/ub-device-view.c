/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ub-device-view.h"
#include "ub-gui-utils.h"

/**
 * UbDeviceView:
 *
 * The device header: what is known about one phone, its name, mode and the
 * identity an identify job filled (the partition table is shown by the Read
 * back tab). The identity is a flow of "key value" pairs that wraps into fewer
 * columns when the window is narrow, so every value is shown in full.
 */

struct _UbDeviceView {
	GtkBox parent_instance;
	GtkImage *icon;
	GtkLabel *title_label;
	GtkLabel *subtitle_label;
	GtkLabel *protocol_label;
	GtkLabel *mode_label;
	GtkLabel *product_label;
	GtkLabel *chip_label;
	GtkWidget *chip_child;
	GtkLabel *serial_label;
	GtkLabel *storage_label;
	GtkLabel *sector_label;
	GtkLabel *connection_label;
};

G_DEFINE_TYPE(UbDeviceView, ub_device_view, GTK_TYPE_BOX)

static void
ub_device_view_set_value(GtkLabel *label, const gchar *value)
{
	GtkStyleContext *context = gtk_widget_get_style_context(GTK_WIDGET(label));
	if (value == NULL || value[0] == '\0') {
		/* TRANSLATORS: shown for what is not known yet */
		gtk_label_set_text(label, _("—"));
		gtk_widget_set_tooltip_text(GTK_WIDGET(label), NULL);
		gtk_style_context_add_class(context, "dim-label");
		return;
	}
	/* the value is shown in full; the tooltip is for when it is long */
	gtk_label_set_text(label, value);
	gtk_widget_set_tooltip_text(GTK_WIDGET(label), strlen(value) > 20 ? value : NULL);
	gtk_style_context_remove_class(context, "dim-label");
}

/**
 * ub_device_view_set_device:
 * @self: a #UbDeviceView
 * @device: (nullable): the engine, once opened
 * @info: (nullable): the USB device, for a phone the monitor found
 * @title: the phone's name, as in the list
 * @subtitle: its mode, as in the list
 *
 * Shows what is known: the identity and partitions once a job ran.
 */
void
ub_device_view_set_device(UbDeviceView *self,
			  UbDevice *device,
			  UbUsbDeviceInfo *info,
			  const gchar *title,
			  const gchar *subtitle)
{
	UbDeviceMode mode = UB_DEVICE_MODE_UNKNOWN;
	UbProtocol protocol = UB_PROTOCOL_UNKNOWN;
	g_autofree gchar *storage = NULL;
	g_autofree gchar *sector = NULL;
	g_autofree gchar *connection = NULL;

	g_return_if_fail(UB_IS_DEVICE_VIEW(self));

	/* the title may be ellipsized after two lines: the tooltip has it all */
	gtk_label_set_text(self->title_label, title != NULL ? title : "");
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->title_label), title);
	gtk_label_set_text(self->subtitle_label, subtitle != NULL ? subtitle : "");

	if (device != NULL) {
		mode = ub_device_get_mode(device);
		protocol = ub_device_get_protocol(device);
	} else if (info != NULL) {
		mode = ub_usb_device_info_get_mode(info);
		protocol = ub_usb_device_info_get_protocol(info);
	}
	ub_device_view_set_value(self->protocol_label,
				 protocol != UB_PROTOCOL_UNKNOWN ? ub_text_protocol_to_text(protocol)
								 : NULL);
	ub_device_view_set_value(self->mode_label,
				 mode != UB_DEVICE_MODE_UNKNOWN ? ub_text_mode_to_text(mode) : NULL);
	ub_device_view_set_value(self->product_label,
				 device != NULL ? ub_device_get_product(device) : NULL);
	ub_device_view_set_value(self->chip_label,
				 device != NULL ? ub_device_get_chip(device) : NULL);
	/* a MediaTek or Qualcomm phone is named after its chip: not twice */
	gtk_widget_set_visible(self->chip_child,
			       device == NULL || ub_device_get_chip(device) == NULL ||
				   g_strcmp0(ub_device_get_chip(device), title) != 0);
	ub_device_view_set_value(self->serial_label,
				 device != NULL && ub_device_get_serial(device) != NULL
				     ? ub_device_get_serial(device)
				 : info != NULL ? ub_usb_device_info_get_serial(info)
						: NULL);
	if (device != NULL && ub_device_get_storage_size(device) > 0) {
		g_autofree gchar *size = ub_text_format_size(ub_device_get_storage_size(device));
		const gchar *type = ub_device_get_storage_type(device);
		/* TRANSLATORS: storage type and size, e.g. "UFS, 64.0 GiB" */
		storage = type != NULL ? g_strdup_printf(_("%s, %s"), type, size)
				       : g_steal_pointer(&size);
	} else if (device != NULL && ub_device_get_storage_type(device) != NULL) {
		storage = g_strdup(ub_device_get_storage_type(device));
	}
	ub_device_view_set_value(self->storage_label, storage);
	if (device != NULL && ub_device_get_sector_size(device) > 0) {
		/* TRANSLATORS: a sector size, e.g. "4096 bytes" */
		sector = g_strdup_printf(ngettext("%u byte", "%u bytes",
						  ub_device_get_sector_size(device)),
					 ub_device_get_sector_size(device));
	}
	ub_device_view_set_value(self->sector_label, sector);
	if (device != NULL && ub_device_get_simulated(device)) {
		connection = g_strdup(_("Simulated, in this program"));
	} else if (info != NULL) {
		/* TRANSLATORS: where the phone is plugged in, e.g. "USB 1-4.2, 18d1:4ee0" */
		connection = g_strdup_printf(_("USB %s, %04x:%04x"),
					     ub_usb_device_info_get_port_path(info) != NULL
						 ? ub_usb_device_info_get_port_path(info)
						 : "?",
					     ub_usb_device_info_get_vid(info),
					     ub_usb_device_info_get_pid(info));
	}
	ub_device_view_set_value(self->connection_label, connection);
}

static void
ub_device_view_init(UbDeviceView *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	ub_device_view_set_device(self, NULL, NULL, NULL, NULL);
}

static void
ub_device_view_class_init(UbDeviceViewClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-device-view.ui");
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, icon);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, title_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, subtitle_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, protocol_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, mode_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, product_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, chip_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, chip_child);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, serial_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, storage_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, sector_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, connection_label);
}
