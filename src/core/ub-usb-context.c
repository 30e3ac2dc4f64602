/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-udev-rules.h"
#include "ub-usb-context.h"

#define UB_USB_CONTEXT_RULES_ETC "/etc/udev/rules.d/" UB_UDEV_RULES_FILENAME
#define UB_USB_CONTEXT_RULES_LIB "/usr/lib/udev/rules.d/" UB_UDEV_RULES_FILENAME

static GMutex ub_usb_context_mutex;
static libusb_context *ub_usb_context_default = NULL;

/**
 * ub_usb_context_get_default:
 * @error: (nullable): return location for a #GError
 *
 * Returns the one libusb context of the process, shared by every USB transport
 * and the device monitor's hotplug thread. It is created on first use and
 * lives until the process exits. A failure is not remembered, so a later call
 * can succeed (e.g. once a umockdev test bed exists).
 *
 * Events: whoever waits for a transfer runs libusb_handle_events_timeout_completed()
 * on its own thread (libusb serialises event handling between threads itself).
 *
 * Returns: (transfer none): the context, or %NULL if USB is not available
 */
libusb_context *
ub_usb_context_get_default(GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&ub_usb_context_mutex);
	if (ub_usb_context_default == NULL) {
		libusb_context *ctx = NULL;
		gint rc = libusb_init(&ctx);
		if (rc != LIBUSB_SUCCESS) {
			ub_usb_context_set_error(error, rc, "USB is not available");
			return NULL;
		}
		ub_usb_context_default = ctx;
	}
	return ub_usb_context_default;
}

static const gchar *
ub_usb_context_permission_hint(void)
{
	if (g_file_test(UB_USB_CONTEXT_RULES_ETC, G_FILE_TEST_EXISTS) ||
	    g_file_test(UB_USB_CONTEXT_RULES_LIB, G_FILE_TEST_EXISTS)) {
		return "the udev rule " UB_UDEV_RULES_FILENAME " is installed but did not apply to "
		       "this device: run 'sudo udevadm control --reload && sudo udevadm trigger' "
		       "and replug the phone";
	}
	/* the CLI prints the rules built into it, so this works from a build
	 * folder, a /usr/local install and a Flatpak alike */
	return "the udev rule " UB_UDEV_RULES_FILENAME " is missing (neither "
	       UB_USB_CONTEXT_RULES_ETC " nor " UB_USB_CONTEXT_RULES_LIB " exists): install it "
	       "with 'unbrick-cli udev-rules | sudo tee " UB_USB_CONTEXT_RULES_ETC " && "
	       "sudo udevadm control --reload' and replug the phone";
}

/**
 * ub_usb_context_set_error:
 * @error: (nullable): return location for a #GError
 * @rc: a negative libusb_error
 * @format: what failed, printf-style
 *
 * Converts a libusb error to %UB_ERROR once, at the transport boundary, with a
 * hint the user can act on where there is one.
 */
void
ub_usb_context_set_error(GError **error, gint rc, const gchar *format, ...)
{
	va_list args;
	UbError code;
	const gchar *hint = NULL;
	g_autofree gchar *what = NULL;

	va_start(args, format);
	what = g_strdup_vprintf(format, args);
	va_end(args);

	switch (rc) {
	case LIBUSB_ERROR_ACCESS:
		code = UB_ERROR_PERMISSION_DENIED;
		hint = ub_usb_context_permission_hint();
		break;
	case LIBUSB_ERROR_NO_DEVICE:
		code = UB_ERROR_DEVICE_GONE;
		hint = "the device was disconnected";
		break;
	case LIBUSB_ERROR_NOT_FOUND:
		code = UB_ERROR_NOT_FOUND;
		break;
	case LIBUSB_ERROR_BUSY:
		code = UB_ERROR_BUSY;
		hint = "another program is using the device (another flasher, adb, or "
		       "ModemManager): close it and try again";
		break;
	case LIBUSB_ERROR_TIMEOUT:
		code = UB_ERROR_TIMED_OUT;
		break;
	case LIBUSB_ERROR_OVERFLOW:
		code = UB_ERROR_PROTOCOL;
		hint = "the device sent more data than was asked for";
		break;
	case LIBUSB_ERROR_PIPE:
		code = UB_ERROR_PROTOCOL;
		hint = "the device stalled the endpoint";
		break;
	case LIBUSB_ERROR_NOT_SUPPORTED:
		code = UB_ERROR_NOT_SUPPORTED;
		break;
	case LIBUSB_ERROR_INVALID_PARAM:
	case LIBUSB_ERROR_NO_MEM:
		code = UB_ERROR_INTERNAL;
		break;
	case LIBUSB_ERROR_IO:
	case LIBUSB_ERROR_INTERRUPTED:
	case LIBUSB_ERROR_OTHER:
	default:
		code = UB_ERROR_IO;
		break;
	}
	if (hint != NULL) {
		g_set_error(error, UB_ERROR, code, "%s: %s: %s", what, libusb_strerror(rc), hint);
		return;
	}
	g_set_error(error, UB_ERROR, code, "%s: %s", what, libusb_strerror(rc));
}

/**
 * ub_usb_context_get_device_path:
 * @dev: a libusb device
 *
 * Returns: (transfer full): the sysfs-style "BUS-PORT[.PORT...]" path, e.g.
 *   "1-4.2", or "usbN" for a root hub
 */
gchar *
ub_usb_context_get_device_path(libusb_device *dev)
{
	guint8 ports[8] = {0};
	gint n;
	GString *str;

	g_return_val_if_fail(dev != NULL, NULL);

	n = libusb_get_port_numbers(dev, ports, G_N_ELEMENTS(ports));
	if (n <= 0)
		return g_strdup_printf("usb%u", libusb_get_bus_number(dev));
	str = g_string_new(NULL);
	g_string_append_printf(str, "%u-%u", libusb_get_bus_number(dev), ports[0]);
	for (gint i = 1; i < n; i++)
		g_string_append_printf(str, ".%u", ports[i]);
	return g_string_free(str, FALSE);
}

typedef gboolean (*UbUsbContextMatchFunc)(libusb_device *dev,
					  gconstpointer user_data,
					  gint *rc_open);

/* returns a new reference to the first device @func accepts */
static libusb_device *
ub_usb_context_find(UbUsbContextMatchFunc func,
		    gconstpointer user_data,
		    const gchar *what,
		    GError **error)
{
	libusb_device **devs = NULL;
	libusb_device *found = NULL;
	libusb_context *ctx = ub_usb_context_get_default(error);
	gint rc_open = LIBUSB_SUCCESS;
	gssize cnt;

	if (ctx == NULL)
		return NULL;
	cnt = libusb_get_device_list(ctx, &devs);
	if (cnt < 0) {
		ub_usb_context_set_error(error, (gint)cnt, "failed to list USB devices");
		return NULL;
	}
	for (gssize i = 0; i < cnt && found == NULL; i++) {
		if (func(devs[i], user_data, &rc_open))
			found = libusb_ref_device(devs[i]);
	}
	libusb_free_device_list(devs, 1);
	if (found != NULL)
		return found;

	/* a device we could not open might have been the one */
	if (rc_open == LIBUSB_ERROR_ACCESS) {
		ub_usb_context_set_error(error,
					 rc_open,
					 "no USB device %s found, and some could not be opened",
					 what);
		return NULL;
	}
	g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no USB device %s found", what);
	return NULL;
}

static gboolean
ub_usb_context_match_vid_pid_cb(libusb_device *dev, gconstpointer user_data, gint *rc_open)
{
	const guint16 *ids = user_data;
	struct libusb_device_descriptor desc = {0};
	if (libusb_get_device_descriptor(dev, &desc) != LIBUSB_SUCCESS)
		return FALSE;
	return desc.idVendor == ids[0] && desc.idProduct == ids[1];
}

/**
 * ub_usb_context_find_by_vid_pid:
 * @vid: vendor ID
 * @pid: product ID
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the first matching device of the default context
 *   (release with libusb_unref_device()), or %NULL with %UB_ERROR_NOT_FOUND
 */
libusb_device *
ub_usb_context_find_by_vid_pid(guint16 vid, guint16 pid, GError **error)
{
	guint16 ids[2] = {vid, pid};
	g_autofree gchar *what = g_strdup_printf("%04x:%04x", vid, pid);
	return ub_usb_context_find(ub_usb_context_match_vid_pid_cb, ids, what, error);
}

static gboolean
ub_usb_context_match_path_cb(libusb_device *dev, gconstpointer user_data, gint *rc_open)
{
	g_autofree gchar *path = ub_usb_context_get_device_path(dev);
	return g_strcmp0(path, user_data) == 0;
}

/**
 * ub_usb_context_find_by_path:
 * @path: a "BUS-PORT[.PORT...]" path as from ub_usb_context_get_device_path()
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the device, or %NULL with %UB_ERROR_NOT_FOUND
 */
libusb_device *
ub_usb_context_find_by_path(const gchar *path, GError **error)
{
	g_autofree gchar *what = NULL;
	g_return_val_if_fail(path != NULL, NULL);
	what = g_strdup_printf("at %s", path);
	return ub_usb_context_find(ub_usb_context_match_path_cb, path, what, error);
}

static gboolean
ub_usb_context_match_serial_cb(libusb_device *dev, gconstpointer user_data, gint *rc_open)
{
	struct libusb_device_descriptor desc = {0};
	guchar buf[256] = {0};
	gint rc;
	g_autoptr(libusb_device_handle) handle = NULL;

	if (libusb_get_device_descriptor(dev, &desc) != LIBUSB_SUCCESS)
		return FALSE;
	if (desc.iSerialNumber == 0)
		return FALSE;
	rc = libusb_open(dev, &handle);
	if (rc != LIBUSB_SUCCESS) {
		if (rc == LIBUSB_ERROR_ACCESS)
			*rc_open = rc;
		return FALSE;
	}
	rc = libusb_get_string_descriptor_ascii(handle, desc.iSerialNumber, buf, sizeof(buf) - 1);
	if (rc < 0) {
		g_debug("ignoring: cannot read serial number: %s", libusb_strerror(rc));
		return FALSE;
	}
	return g_strcmp0((const gchar *)buf, user_data) == 0;
}

/**
 * ub_usb_context_find_by_serial:
 * @serial: the iSerialNumber string, e.g. "_SN:ABCD1234"
 * @error: (nullable): return location for a #GError
 *
 * Opens each device that has a serial number to read it.
 *
 * Returns: (transfer full): the device, or %NULL with %UB_ERROR_NOT_FOUND, or
 *   %UB_ERROR_PERMISSION_DENIED if some device could not be opened
 */
libusb_device *
ub_usb_context_find_by_serial(const gchar *serial, GError **error)
{
	g_autofree gchar *what = NULL;
	g_return_val_if_fail(serial != NULL, NULL);
	what = g_strdup_printf("with serial number %s", serial);
	return ub_usb_context_find(ub_usb_context_match_serial_cb, serial, what, error);
}
