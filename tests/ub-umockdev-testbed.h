/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <umockdev.h>

G_BEGIN_DECLS

/* test helpers: fake USB devices in a umockdev testbed, enough for libusb to
 * enumerate them from sysfs and for hotplug; no usbfs ioctl handling */

gchar *
ub_umockdev_testbed_add_usb(UMockdevTestbed *testbed,
			    guint8 bus,
			    guint8 devnum,
			    guint8 port,
			    guint16 vid,
			    guint16 pid,
			    guint8 if_class,
			    guint8 if_subclass,
			    guint8 if_protocol,
			    const gchar *serial,
			    GError **error);
gchar *
ub_umockdev_testbed_add_tty(UMockdevTestbed *testbed,
			    const gchar *usb_syspath,
			    const gchar *tty_name,
			    GError **error);
void
ub_umockdev_testbed_remove(UMockdevTestbed *testbed, const gchar *syspath);

G_END_DECLS
