/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libusb.h>

G_BEGIN_DECLS

/* a libusb context with a reference count: the shared default, or a private
 * one that ends with its last reference */
typedef struct _UbUsbContext UbUsbContext;

gboolean
ub_usb_context_should_poll(void);
UbUsbContext *
ub_usb_context_acquire(GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbUsbContext *
ub_usb_context_ref(UbUsbContext *self);
void
ub_usb_context_unref(UbUsbContext *self);
libusb_context *
ub_usb_context_get_libusb(UbUsbContext *self);
gboolean
ub_usb_context_is_shared(UbUsbContext *self);
GPtrArray *
ub_usb_context_get_devices(UbUsbContext *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
libusb_device *
ub_usb_context_find_device_by_vid_pid(UbUsbContext *self,
				      guint16 vid,
				      guint16 pid,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
libusb_device *
ub_usb_context_find_device_by_path(UbUsbContext *self,
				   const gchar *path,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
libusb_device *
ub_usb_context_find_device_by_serial(UbUsbContext *self,
				     const gchar *serial,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbUsbContext *
ub_usb_context_find_for_device(libusb_device *dev) G_GNUC_WARN_UNUSED_RESULT;
guint
ub_usb_context_get_n_private(void);

libusb_context *
ub_usb_context_get_default(GError **error);
void
ub_usb_context_set_error(GError **error, gint rc, const gchar *format, ...) G_GNUC_PRINTF(3, 4);
gchar *
ub_usb_context_get_device_path(libusb_device *dev);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(libusb_device, libusb_unref_device)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libusb_device_handle, libusb_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbUsbContext, ub_usb_context_unref)

G_END_DECLS
