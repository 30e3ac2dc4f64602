/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-umockdev-testbed.h"

/**
 * ub_umockdev_testbed_add_usb:
 * @testbed: a #UMockdevTestbed
 * @bus: bus number
 * @devnum: device address
 * @port: root hub port; the sysfs name is "<bus>-<port>"
 * @vid: idVendor
 * @pid: idProduct
 * @if_class: bInterfaceClass of the one interface
 * @if_subclass: its bInterfaceSubClass
 * @if_protocol: its bInterfaceProtocol
 * @serial: (nullable): the serial sysfs attribute
 * @error: (nullable): optional return location for an error
 *
 * Adds a device with one interface and two bulk endpoints; umockdev sends the
 * "add" uevent, so a libusb hotplug callback fires.
 *
 * Returns: (transfer full): its sysfs path, or %NULL
 */
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
			    GError **error)
{
	const guint8 desc[] = {
	    /* device: USB 2.0, max packet 64, one configuration */
	    18, 1, 0x00, 0x02, 0, 0, 0, 64,
	    vid & 0xff, vid >> 8, pid & 0xff, pid >> 8,
	    0x00, 0x01, 1, 2, 3, 1,
	    /* configuration 1 with one interface */
	    9, 2, 32, 0, 1, 1, 0, 0x80, 0xfa,
	    /* interface 0 with two endpoints */
	    9, 4, 0, 0, 2, if_class, if_subclass, if_protocol, 0,
	    /* bulk IN 0x81 and OUT 0x01, 512 bytes */
	    7, 5, 0x81, 2, 0x00, 0x02, 0,
	    7, 5, 0x01, 2, 0x00, 0x02, 0,
	};
	g_autoptr(GString) hex = g_string_new(NULL);
	g_autoptr(GString) str = g_string_new(NULL);

	for (gsize i = 0; i < sizeof(desc); i++)
		g_string_append_printf(hex, "%02x", desc[i]);
	g_string_append_printf(str,
			       "P: /devices/pci0000:00/0000:00:14.0/usb%u/%u-%u\n"
			       "N: bus/usb/%03u/%03u\n"
			       "E: SUBSYSTEM=usb\n"
			       "E: DEVTYPE=usb_device\n"
			       "E: DRIVER=usb\n"
			       "E: BUSNUM=%03u\n"
			       "E: DEVNUM=%03u\n"
			       "E: PRODUCT=%x/%x/100\n"
			       "E: DEVNAME=/dev/bus/usb/%03u/%03u\n"
			       "A: idVendor=%04x\n"
			       "A: idProduct=%04x\n"
			       "A: busnum=%u\n"
			       "A: devnum=%u\n"
			       "A: speed=480\n"
			       "A: bConfigurationValue=1\n"
			       "A: bNumConfigurations=1\n",
			       bus,
			       bus,
			       port,
			       bus,
			       devnum,
			       bus,
			       devnum,
			       vid,
			       pid,
			       bus,
			       devnum,
			       vid,
			       pid,
			       bus,
			       devnum);
	if (serial != NULL)
		g_string_append_printf(str, "A: serial=%s\n", serial);
	g_string_append_printf(str, "H: descriptors=%s\n", hex->str);
	if (!umockdev_testbed_add_from_string(testbed, str->str, error))
		return NULL;
	return g_strdup_printf("/sys/devices/pci0000:00/0000:00:14.0/usb%u/%u-%u", bus, bus, port);
}

/**
 * ub_umockdev_testbed_add_tty:
 * @testbed: a #UMockdevTestbed
 * @usb_syspath: a path from ub_umockdev_testbed_add_usb()
 * @tty_name: "ttyUSBn" (laid out like usb-serial) or "ttyACMn" (like cdc_acm)
 * @error: (nullable): optional return location for an error
 *
 * Adds interface 1.0 with a tty bound to it, as the kernel does when qcserial
 * or cdc_acm takes the interface. Add it before the device is enumerated.
 *
 * Returns: (transfer full): the sysfs path of the tty, or %NULL
 */
gchar *
ub_umockdev_testbed_add_tty(UMockdevTestbed *testbed,
			    const gchar *usb_syspath,
			    const gchar *tty_name,
			    GError **error)
{
	g_autofree gchar *usb_name = g_path_get_basename(usb_syspath);
	g_autofree gchar *if_path = g_strdup_printf("%s/%s:1.0", usb_syspath, usb_name);
	g_autofree gchar *tty_path = NULL;
	g_autofree gchar *if_str = NULL;
	g_autofree gchar *tty_str = NULL;

	if (g_str_has_prefix(tty_name, "ttyUSB"))
		tty_path = g_strdup_printf("%s/%s/tty/%s", if_path, tty_name, tty_name);
	else
		tty_path = g_strdup_printf("%s/tty/%s", if_path, tty_name);
	if_str = g_strdup_printf("P: %s\n"
				 "E: SUBSYSTEM=usb\n"
				 "E: DEVTYPE=usb_interface\n"
				 "A: bInterfaceNumber=00\n",
				 if_path + strlen("/sys"));
	if (!umockdev_testbed_add_from_string(testbed, if_str, error))
		return NULL;
	tty_str = g_strdup_printf("P: %s\n"
				  "N: %s\n"
				  "E: SUBSYSTEM=tty\n"
				  "E: DEVNAME=/dev/%s\n",
				  tty_path + strlen("/sys"),
				  tty_name,
				  tty_name);
	if (!umockdev_testbed_add_from_string(testbed, tty_str, error))
		return NULL;
	return g_steal_pointer(&tty_path);
}

/**
 * ub_umockdev_testbed_remove:
 * @testbed: a #UMockdevTestbed
 * @syspath: a path from ub_umockdev_testbed_add_usb()
 *
 * Unplugs: the "remove" uevent (libusb's LEFT), then the sysfs tree goes,
 * children first so that their links in /sys/bus and /sys/class go too.
 */
static void
ub_umockdev_testbed_remove_if_exists(UMockdevTestbed *testbed, const gchar *syspath)
{
	g_autofree gchar *root = umockdev_testbed_get_root_dir(testbed);
	g_autofree gchar *path = g_build_filename(root, syspath, NULL);

	if (g_file_test(path, G_FILE_TEST_IS_DIR))
		umockdev_testbed_remove_device(testbed, syspath);
}

void
ub_umockdev_testbed_remove(UMockdevTestbed *testbed, const gchar *syspath)
{
	g_autofree gchar *usb_name = g_path_get_basename(syspath);
	g_autofree gchar *if_path = g_strdup_printf("%s/%s:1.0", syspath, usb_name);
	const gchar *tty_names[] = {"ttyUSB0", "ttyUSB1", "ttyACM0", "ttyACM1"};

	umockdev_testbed_uevent(testbed, syspath, "remove");
	for (guint i = 0; i < G_N_ELEMENTS(tty_names); i++) {
		g_autofree gchar *tty_path = NULL;
		if (g_str_has_prefix(tty_names[i], "ttyUSB")) {
			tty_path = g_strdup_printf("%s/%s/tty/%s",
						   if_path,
						   tty_names[i],
						   tty_names[i]);
		} else {
			tty_path = g_strdup_printf("%s/tty/%s", if_path, tty_names[i]);
		}
		ub_umockdev_testbed_remove_if_exists(testbed, tty_path);
	}
	ub_umockdev_testbed_remove_if_exists(testbed, if_path);
	umockdev_testbed_remove_device(testbed, syspath);
}
