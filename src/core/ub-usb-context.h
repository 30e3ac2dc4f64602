/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libusb.h>

G_BEGIN_DECLS

libusb_context *
ub_usb_context_get_default(GError **error);
void
ub_usb_context_set_error(GError **error, gint rc, const gchar *format, ...) G_GNUC_PRINTF(3, 4);
gchar *
ub_usb_context_get_device_path(libusb_device *dev);
libusb_device *
ub_usb_context_find_by_vid_pid(guint16 vid, guint16 pid, GError **error);
libusb_device *
ub_usb_context_find_by_path(const gchar *path, GError **error);
libusb_device *
ub_usb_context_find_by_serial(const gchar *serial, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(libusb_device, libusb_unref_device)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libusb_device_handle, libusb_close)

G_END_DECLS
