/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-device-db.h"
#include "ub-udev-rules.h"

/* what every matched phone gets: the desktop user may open it, and
 * ModemManager leaves its serial ports alone */
#define UB_UDEV_RULES_ACCESS "ENV{ID_MM_DEVICE_IGNORE}=\"1\", TAG+=\"uaccess\""

static void
ub_udev_rules_add_entry(GString *str, const UbDeviceDbEntry *e)
{
	g_string_append_printf(str,
			       "# %s: %s\n",
			       e->name,
			       ub_device_mode_to_string(e->mode));

	/* a VID:PID row: the USB device, its interfaces and the tty of a serial
	 * driver (cdc_acm, qcserial) bound to it */
	if (e->vid != 0) {
		g_string_append_printf(str,
				       "SUBSYSTEM==\"usb|tty\", ATTRS{idVendor}==\"%04x\", "
				       "ATTRS{idProduct}==\"%04x\", " UB_UDEV_RULES_ACCESS "\n",
				       e->vid,
				       e->pid);
		return;
	}

	/* an interface row, any vendor: the tag has to be on the USB device (its
	 * node is what libusb opens), so match the interface list usb_id puts
	 * there, as systemd's 70-uaccess.rules does for cameras */
	g_string_append_printf(str,
			       "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", "
			       "ENV{ID_USB_INTERFACES}==\"*:%02x%02x%02x:*\", " UB_UDEV_RULES_ACCESS
			       "\n",
			       (guint)e->if_class,
			       (guint)e->if_subclass,
			       (guint)e->if_protocol);
}

/**
 * ub_udev_rules_to_string:
 *
 * Builds the udev rules file from the device table, so that the rules cannot
 * drift from what the engines probe. Installed as %UB_UDEV_RULES_FILENAME.
 *
 * Returns: (transfer full): the text of the rules file
 */
gchar *
ub_udev_rules_to_string(void)
{
	gsize n_entries = 0;
	gsize n_vendors = 0;
	const UbDeviceDbEntry *entries = ub_device_db_get_entries(&n_entries);
	const guint16 *vendors = ub_device_db_get_fastboot_vendors(&n_vendors);
	GString *str = g_string_new(NULL);

	g_string_append(str,
			"# " UB_UDEV_RULES_FILENAME ": lets the user at the seat open phones in\n"
			"# Qualcomm EDL, MediaTek BROM/preloader/DA and fastboot mode, and keeps\n"
			"# ModemManager off their serial ports.\n"
			"#\n"
			"# Generated from src/core/ub-device-db.c by ub-udev-gen: do not edit.\n"
			"# Install it into /etc/udev/rules.d/ (or udev's rules.d), then run\n"
			"# 'sudo udevadm control --reload' and replug the phone.\n"
			"\n"
			"ACTION==\"remove\", GOTO=\"unbrick_end\"\n"
			"SUBSYSTEM!=\"usb|tty\", GOTO=\"unbrick_end\"\n"
			"\n");
	for (gsize i = 0; i < n_entries; i++) {
		ub_udev_rules_add_entry(str, &entries[i]);
		g_string_append(str, "\n");
	}

	/* bootloaders whose descriptors the interface match misses (usb_id not run,
	 * a fastboot interface in a second configuration): access only, the same
	 * vendors also make modems ModemManager must keep */
	g_string_append(str, "# phone vendors, for fastboot (access only)\n");
	for (gsize i = 0; i < n_vendors; i++) {
		g_string_append_printf(str,
				       "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", "
				       "ATTR{idVendor}==\"%04x\", TAG+=\"uaccess\"\n",
				       vendors[i]);
	}
	g_string_append(str, "\nLABEL=\"unbrick_end\"\n");
	return g_string_free(str, FALSE);
}

/**
 * ub_udev_rules_get_modaliases:
 *
 * The USB modaliases of the device table in the form AppStream's
 * `<provides><modalias>` takes, so software centres can suggest the app for a
 * plugged phone.
 *
 * Returns: (transfer container) (element-type utf8): the modaliases
 */
GPtrArray *
ub_udev_rules_get_modaliases(void)
{
	gsize n_entries = 0;
	const UbDeviceDbEntry *entries = ub_device_db_get_entries(&n_entries);
	GPtrArray *array = g_ptr_array_new_with_free_func(g_free);

	for (gsize i = 0; i < n_entries; i++) {
		const UbDeviceDbEntry *e = &entries[i];
		if (e->vid != 0) {
			g_ptr_array_add(array,
					g_strdup_printf("usb:v%04Xp%04X*", e->vid, e->pid));
			continue;
		}
		g_ptr_array_add(array,
				g_strdup_printf("usb:v*p*d*dc*dsc*dp*ic%02Xisc%02Xip%02X*",
						(guint)e->if_class,
						(guint)e->if_subclass,
						(guint)e->if_protocol));
	}
	return array;
}
