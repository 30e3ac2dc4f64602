/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <libusb.h>

#include "ub-device-db.h"

G_BEGIN_DECLS

#define UB_TYPE_USB_DEVICE_INFO (ub_usb_device_info_get_type())
G_DECLARE_FINAL_TYPE(UbUsbDeviceInfo, ub_usb_device_info, UB, USB_DEVICE_INFO, GObject)

UbUsbDeviceInfo *
ub_usb_device_info_new(guint8 bus, guint8 address, guint16 vid, guint16 pid)
    G_GNUC_WARN_UNUSED_RESULT;
UbUsbDeviceInfo *
ub_usb_device_info_new_from_libusb(libusb_device *usb_device, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* construction only: an info is not changed once a monitor has reported it */
void
ub_usb_device_info_add_interface(UbUsbDeviceInfo *self,
				 guint8 if_class,
				 guint8 if_subclass,
				 guint8 if_protocol);
void
ub_usb_device_info_set_port_path(UbUsbDeviceInfo *self, const gchar *port_path);
void
ub_usb_device_info_set_serial(UbUsbDeviceInfo *self, const gchar *serial);
void
ub_usb_device_info_set_tty_path(UbUsbDeviceInfo *self, const gchar *tty_path);
void
ub_usb_device_info_load_sysfs(UbUsbDeviceInfo *self, const gchar *sysfs_dir);

guint8
ub_usb_device_info_get_bus(UbUsbDeviceInfo *self);
guint8
ub_usb_device_info_get_address(UbUsbDeviceInfo *self);
const gchar *
ub_usb_device_info_get_port_path(UbUsbDeviceInfo *self);
guint16
ub_usb_device_info_get_vid(UbUsbDeviceInfo *self);
guint16
ub_usb_device_info_get_pid(UbUsbDeviceInfo *self);
const gchar *
ub_usb_device_info_get_serial(UbUsbDeviceInfo *self);
UbDeviceMode
ub_usb_device_info_get_mode(UbUsbDeviceInfo *self);
UbProtocol
ub_usb_device_info_get_protocol(UbUsbDeviceInfo *self);
const gchar *
ub_usb_device_info_get_name(UbUsbDeviceInfo *self);
const gchar *
ub_usb_device_info_get_tty_path(UbUsbDeviceInfo *self);
const gchar *
ub_usb_device_info_get_id(UbUsbDeviceInfo *self);
gint64
ub_usb_device_info_get_created(UbUsbDeviceInfo *self);
gboolean
ub_usb_device_info_is_known(UbUsbDeviceInfo *self);
gboolean
ub_usb_device_info_equal(UbUsbDeviceInfo *self, UbUsbDeviceInfo *other);
gchar *
ub_usb_device_info_to_string(UbUsbDeviceInfo *self);

gchar *
ub_usb_device_info_lookup_tty(UbUsbDeviceInfo *self);
gchar *
ub_usb_device_info_find_tty(const gchar *sysfs_dir);

G_END_DECLS
