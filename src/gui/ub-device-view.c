/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-device-view.h"
#include "ub-gui-utils.h"

/**
 * UbDeviceView:
 *
 * What is known about one phone: its identity (filled by an identify job) and
 * its partition table, with the calibration partitions marked. The buttons
 * activate the window actions win.identify and win.flash-demo.
 */

enum {
	UB_DEVICE_VIEW_COLUMN_NAME,
	UB_DEVICE_VIEW_COLUMN_REGION,
	UB_DEVICE_VIEW_COLUMN_BEGIN,
	UB_DEVICE_VIEW_COLUMN_END,
	UB_DEVICE_VIEW_COLUMN_SIZE,
	UB_DEVICE_VIEW_COLUMN_NOTE,
	UB_DEVICE_VIEW_COLUMN_NOTE_ICON,
	UB_DEVICE_VIEW_COLUMN_WEIGHT,
	UB_DEVICE_VIEW_COLUMN_LAST
};

struct _UbDeviceView {
	GtkBox parent_instance;
	GtkImage *icon;
	GtkLabel *title_label;
	GtkLabel *subtitle_label;
	GtkLabel *protocol_label;
	GtkLabel *mode_label;
	GtkLabel *product_label;
	GtkLabel *chip_label;
	GtkLabel *serial_label;
	GtkLabel *storage_label;
	GtkLabel *sector_label;
	GtkLabel *connection_label;
	GtkLabel *partitions_label;
	GtkStack *partitions_stack;
	GtkListStore *partition_store;
	GtkTreeViewColumn *region_column;
	GtkTreeViewColumn *begin_column;
	GtkTreeViewColumn *end_column;
};

G_DEFINE_TYPE(UbDeviceView, ub_device_view, GTK_TYPE_BOX)

static void
ub_device_view_set_value(GtkLabel *label, const gchar *value)
{
	GtkStyleContext *context = gtk_widget_get_style_context(GTK_WIDGET(label));
	if (value == NULL || value[0] == '\0') {
		/* TRANSLATORS: shown for what is not known yet */
		gtk_label_set_text(label, _("—"));
		gtk_style_context_add_class(context, "dim-label");
		return;
	}
	gtk_label_set_text(label, value);
	gtk_style_context_remove_class(context, "dim-label");
}

static void
ub_device_view_set_partitions(UbDeviceView *self, GPtrArray *parts)
{
	gboolean has_location = FALSE;

	gtk_list_store_clear(self->partition_store);
	if (parts == NULL || parts->len == 0) {
		gtk_label_set_text(self->partitions_label, _("Partitions"));
		gtk_stack_set_visible_child_name(self->partitions_stack, "empty");
		return;
	}
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		gboolean calibration = ub_partition_is_calibration(part);
		guint64 size = ub_partition_get_size(part);
		g_autofree gchar *begin = g_strdup_printf("0x%" G_GINT64_MODIFIER "x",
							  ub_partition_get_offset(part));
		g_autofree gchar *end = g_strdup_printf("0x%" G_GINT64_MODIFIER "x",
							ub_partition_get_end(part));
		g_autofree gchar *size_str = ub_text_format_size(size);
		const gchar *region = ub_partition_get_region(part);
		if (region != NULL || ub_partition_get_offset(part) != 0)
			has_location = TRUE;
		gtk_list_store_insert_with_values(
		    self->partition_store,
		    NULL,
		    -1,
		    UB_DEVICE_VIEW_COLUMN_NAME,
		    ub_partition_get_name(part),
		    UB_DEVICE_VIEW_COLUMN_REGION,
		    region != NULL ? region : "",
		    UB_DEVICE_VIEW_COLUMN_BEGIN,
		    begin,
		    UB_DEVICE_VIEW_COLUMN_END,
		    end,
		    UB_DEVICE_VIEW_COLUMN_SIZE,
		    size_str,
		    UB_DEVICE_VIEW_COLUMN_NOTE,
		    /* TRANSLATORS: the partition holds IMEI, radio calibration, MAC addresses */
		    calibration ? _("Calibration data, kept") : "",
		    UB_DEVICE_VIEW_COLUMN_NOTE_ICON,
		    calibration ? "changes-prevent-symbolic" : NULL,
		    UB_DEVICE_VIEW_COLUMN_WEIGHT,
		    calibration ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL,
		    -1);
	}
	{
		g_autofree gchar *heading =
		    /* TRANSLATORS: a heading with the number of partitions */
		    g_strdup_printf(ngettext("%u partition", "%u partitions", parts->len),
				    parts->len);
		gtk_label_set_text(self->partitions_label, heading);
	}
	/* fastboot knows names and sizes only: no region, no offsets to show */
	gtk_tree_view_column_set_visible(self->region_column, has_location);
	gtk_tree_view_column_set_visible(self->begin_column, has_location);
	gtk_tree_view_column_set_visible(self->end_column, has_location);
	gtk_stack_set_visible_child_name(self->partitions_stack, "table");
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
	g_autoptr(GPtrArray) parts = NULL;

	g_return_if_fail(UB_IS_DEVICE_VIEW(self));

	gtk_label_set_text(self->title_label, title != NULL ? title : "");
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

	if (device != NULL)
		parts = ub_device_get_partitions(device);
	ub_device_view_set_partitions(self, parts);
}

/**
 * ub_device_view_get_partition_count:
 * @self: a #UbDeviceView
 *
 * Returns: the number of partitions shown
 */
guint
ub_device_view_get_partition_count(UbDeviceView *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_VIEW(self), 0);
	return (guint)gtk_tree_model_iter_n_children(GTK_TREE_MODEL(self->partition_store), NULL);
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
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, serial_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, storage_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, sector_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, connection_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, partitions_label);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, partitions_stack);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, partition_store);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, region_column);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, begin_column);
	gtk_widget_class_bind_template_child(widget_class, UbDeviceView, end_column);
}
