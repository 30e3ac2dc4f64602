/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <libusb.h>

#include "ub-transport.h"
#include "ub-usb-context.h"

G_BEGIN_DECLS

#define UB_TYPE_USB_TRANSPORT (ub_usb_transport_get_type())
G_DECLARE_FINAL_TYPE(UbUsbTransport, ub_usb_transport, UB, USB_TRANSPORT, GObject)

/* bytes per libusb transfer, and transfers in flight, for large writes */
#define UB_USB_TRANSPORT_CHUNK_SIZE (1024 * 1024)
#define UB_USB_TRANSPORT_IN_FLIGHT  4

UbTransport *
ub_usb_transport_new_full(UbUsbContext *usb_ctx,
			  libusb_device *dev,
			  gint interface_number,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbTransport *
ub_usb_transport_new_for_device(libusb_device *dev,
				gint interface_number,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbTransport *
ub_usb_transport_new_for_vid_pid(guint16 vid,
				 guint16 pid,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbTransport *
ub_usb_transport_new_for_path(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbTransport *
ub_usb_transport_new_for_serial(const gchar *serial, GError **error) G_GNUC_WARN_UNUSED_RESULT;

guint16
ub_usb_transport_get_vid(UbUsbTransport *self);
guint16
ub_usb_transport_get_pid(UbUsbTransport *self);
const gchar *
ub_usb_transport_get_path(UbUsbTransport *self);
gint
ub_usb_transport_get_interface_number(UbUsbTransport *self);
guint8
ub_usb_transport_get_ep_in(UbUsbTransport *self);
guint8
ub_usb_transport_get_ep_out(UbUsbTransport *self);
UbUsbContext *
ub_usb_transport_get_context(UbUsbTransport *self);
libusb_device_handle *
ub_usb_transport_get_handle(UbUsbTransport *self);

G_END_DECLS
