/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-usb-device-info.h"

/**
 * UbUsbDeviceInfo:
 *
 * What the device monitor knows about one USB device, without holding it open:
 * where it is (bus, address, port path), what it is (VID:PID and the mode and
 * name from the device table) and, when a kernel serial driver has bound it, its
 * tty node. Immutable once reported, so it can be passed between threads.
 */

struct _UbUsbDeviceInfo {
	GObject parent_instance;
	guint8 bus;
	guint8 address;
	guint16 vid;
	guint16 pid;
	gchar *port_path;
	gchar *serial;
	gchar *tty_path;
	gchar *id;
	const UbDeviceDbEntry *entry;
	gint64 created;
};

G_DEFINE_TYPE(UbUsbDeviceInfo, ub_usb_device_info, G_TYPE_OBJECT)

/* the largest depth libusb_get_port_numbers() can return (USB 3.0 spec) */
#define UB_USB_DEVICE_INFO_MAX_PORTS 7

static void
ub_usb_device_info_finalize(GObject *object)
{
	UbUsbDeviceInfo *self = UB_USB_DEVICE_INFO(object);
	g_free(self->port_path);
	g_free(self->serial);
	g_free(self->tty_path);
	g_free(self->id);
	G_OBJECT_CLASS(ub_usb_device_info_parent_class)->finalize(object);
}

static void
ub_usb_device_info_class_init(UbUsbDeviceInfoClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_usb_device_info_finalize;
}

static void
ub_usb_device_info_init(UbUsbDeviceInfo *self)
{
	self->created = g_get_monotonic_time();
}

static void
ub_usb_device_info_update_id(UbUsbDeviceInfo *self)
{
	g_free(self->id);
	if (self->port_path != NULL)
		self->id = g_strdup_printf("usb:%s", self->port_path);
	else
		self->id = g_strdup_printf("usb:%03u:%03u", self->bus, self->address);
}

/**
 * ub_usb_device_info_new:
 * @bus: USB bus number
 * @address: device address on that bus
 * @vid: vendor id
 * @pid: product id
 *
 * Creates an info and recognises the mode from VID:PID rows of the device
 * table; add the interfaces with ub_usb_device_info_add_interface() for the
 * rows that match by interface (fastboot).
 *
 * Returns: (transfer full): a new info
 */
UbUsbDeviceInfo *
ub_usb_device_info_new(guint8 bus, guint8 address, guint16 vid, guint16 pid)
{
	UbUsbDeviceInfo *self = g_object_new(UB_TYPE_USB_DEVICE_INFO, NULL);
	self->bus = bus;
	self->address = address;
	self->vid = vid;
	self->pid = pid;
	self->entry = ub_device_db_lookup(vid, pid, -1, -1, -1);
	ub_usb_device_info_update_id(self);
	return self;
}

/**
 * ub_usb_device_info_add_interface:
 * @self: a #UbUsbDeviceInfo
 * @if_class: bInterfaceClass
 * @if_subclass: bInterfaceSubClass
 * @if_protocol: bInterfaceProtocol
 *
 * Adds one interface (alternate setting) of the device; the first table row
 * that matches decides the mode.
 */
void
ub_usb_device_info_add_interface(UbUsbDeviceInfo *self,
				 guint8 if_class,
				 guint8 if_subclass,
				 guint8 if_protocol)
{
	g_return_if_fail(UB_IS_USB_DEVICE_INFO(self));
	if (self->entry != NULL)
		return;
	self->entry = ub_device_db_lookup(self->vid, self->pid, if_class, if_subclass, if_protocol);
}

void
ub_usb_device_info_set_port_path(UbUsbDeviceInfo *self, const gchar *port_path)
{
	g_return_if_fail(UB_IS_USB_DEVICE_INFO(self));
	if (g_strcmp0(self->port_path, port_path) == 0)
		return;
	g_free(self->port_path);
	self->port_path = g_strdup(port_path);
	ub_usb_device_info_update_id(self);
}

void
ub_usb_device_info_set_serial(UbUsbDeviceInfo *self, const gchar *serial)
{
	g_return_if_fail(UB_IS_USB_DEVICE_INFO(self));
	g_free(self->serial);
	self->serial = g_strdup(serial);
}

void
ub_usb_device_info_set_tty_path(UbUsbDeviceInfo *self, const gchar *tty_path)
{
	g_return_if_fail(UB_IS_USB_DEVICE_INFO(self));
	g_free(self->tty_path);
	self->tty_path = g_strdup(tty_path);
}

static gint
ub_usb_device_info_strcmp_cb(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

/* the sorted names in @path, or NULL when it cannot be read */
static GPtrArray *
ub_usb_device_info_list_dir(const gchar *path)
{
	const gchar *name;
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

	if (dir == NULL)
		return NULL;
	while ((name = g_dir_read_name(dir)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, ub_usb_device_info_strcmp_cb);
	return g_steal_pointer(&names);
}

/* a tty name from one interface directory: cdc_acm puts tty/ttyACMn there,
 * usb-serial drivers (qcserial, option) a ttyUSBn port directory */
static gchar *
ub_usb_device_info_find_tty_in_interface(const gchar *if_dir)
{
	g_autoptr(GPtrArray) names = ub_usb_device_info_list_dir(if_dir);

	if (names == NULL)
		return NULL;
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		if (g_strcmp0(name, "tty") == 0) {
			g_autofree gchar *tty_dir = g_build_filename(if_dir, name, NULL);
			g_autoptr(GPtrArray) ttys = ub_usb_device_info_list_dir(tty_dir);
			for (guint j = 0; ttys != NULL && j < ttys->len; j++) {
				const gchar *tty = g_ptr_array_index(ttys, j);
				if (g_str_has_prefix(tty, "tty"))
					return g_build_filename("/dev", tty, NULL);
			}
			continue;
		}
		if (g_str_has_prefix(name, "tty") && strchr(name, ':') == NULL)
			return g_build_filename("/dev", name, NULL);
	}
	return NULL;
}

/**
 * ub_usb_device_info_find_tty:
 * @sysfs_dir: the device's sysfs directory, e.g. /sys/bus/usb/devices/1-4.2
 *
 * Looks for a tty node a kernel driver created on one of the device's
 * interfaces. Missing or unreadable sysfs is not an error.
 *
 * Returns: (transfer full) (nullable): the node, e.g. /dev/ttyUSB0, or %NULL
 */
gchar *
ub_usb_device_info_find_tty(const gchar *sysfs_dir)
{
	g_autofree gchar *basename = g_path_get_basename(sysfs_dir);
	g_autofree gchar *prefix = g_strdup_printf("%s:", basename);
	g_autoptr(GPtrArray) names = ub_usb_device_info_list_dir(sysfs_dir);

	if (names == NULL)
		return NULL;
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autofree gchar *if_dir = NULL;
		gchar *tty;

		/* interfaces are named <port path>:<config>.<interface> */
		if (!g_str_has_prefix(name, prefix))
			continue;
		if_dir = g_build_filename(sysfs_dir, name, NULL);
		tty = ub_usb_device_info_find_tty_in_interface(if_dir);
		if (tty != NULL)
			return tty;
	}
	return NULL;
}

/**
 * ub_usb_device_info_lookup_tty:
 * @self: a #UbUsbDeviceInfo
 *
 * Reads sysfs again: a serial driver may bind an interface a moment after the
 * device was reported, so ub_usb_device_info_get_tty_path() can miss it. Does
 * not change @self.
 *
 * Returns: (transfer full) (nullable): the tty node now, or %NULL
 */
gchar *
ub_usb_device_info_lookup_tty(UbUsbDeviceInfo *self)
{
	g_autofree gchar *sysfs_dir = NULL;

	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), NULL);

	if (self->port_path == NULL)
		return NULL;
	sysfs_dir = g_build_filename("/sys/bus/usb/devices", self->port_path, NULL);
	return ub_usb_device_info_find_tty(sysfs_dir);
}

/**
 * ub_usb_device_info_load_sysfs:
 * @self: a #UbUsbDeviceInfo
 * @sysfs_dir: the device's sysfs directory
 *
 * Reads the serial string and the tty node, if any, without opening the
 * device; anything that cannot be read is left unset.
 */
void
ub_usb_device_info_load_sysfs(UbUsbDeviceInfo *self, const gchar *sysfs_dir)
{
	g_autofree gchar *serial_fn = g_build_filename(sysfs_dir, "serial", NULL);
	g_autofree gchar *serial = NULL;
	g_autofree gchar *tty = NULL;

	g_return_if_fail(UB_IS_USB_DEVICE_INFO(self));

	if (g_file_get_contents(serial_fn, &serial, NULL, NULL)) {
		g_strstrip(serial);
		if (serial[0] != '\0' && g_utf8_validate(serial, -1, NULL))
			ub_usb_device_info_set_serial(self, serial);
	}
	tty = ub_usb_device_info_find_tty(sysfs_dir);
	if (tty != NULL)
		ub_usb_device_info_set_tty_path(self, tty);
}

/**
 * ub_usb_device_info_new_from_libusb:
 * @usb_device: a libusb device
 * @error: (nullable): optional return location for an error
 *
 * Describes @usb_device from its cached descriptors, and reads the serial
 * string and tty node from sysfs when there is one. Does not open the device,
 * so it is cheap enough to call from a hotplug callback.
 *
 * Returns: (transfer full): a new info, or %NULL on error
 */
UbUsbDeviceInfo *
ub_usb_device_info_new_from_libusb(libusb_device *usb_device, GError **error)
{
	struct libusb_device_descriptor desc = {0};
	struct libusb_config_descriptor *config = NULL;
	guint8 ports[UB_USB_DEVICE_INFO_MAX_PORTS] = {0};
	gint n_ports;
	gint rc;
	g_autoptr(UbUsbDeviceInfo) self = NULL;
	g_autoptr(GString) port_path = g_string_new(NULL);
	g_autofree gchar *sysfs_dir = NULL;

	rc = libusb_get_device_descriptor(usb_device, &desc);
	if (rc < 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "failed to get device descriptor: %s",
			    libusb_error_name(rc));
		return NULL;
	}
	self = ub_usb_device_info_new(libusb_get_bus_number(usb_device),
				      libusb_get_device_address(usb_device),
				      desc.idVendor,
				      desc.idProduct);

	/* the sysfs name: "usbN" for a root hub, else "N-p1.p2" */
	n_ports = libusb_get_port_numbers(usb_device, ports, sizeof(ports));
	if (n_ports > 0) {
		g_string_append_printf(port_path, "%u-", self->bus);
		for (gint i = 0; i < n_ports; i++)
			g_string_append_printf(port_path, i > 0 ? ".%u" : "%u", ports[i]);
	} else {
		g_string_append_printf(port_path, "usb%u", self->bus);
	}
	ub_usb_device_info_set_port_path(self, port_path->str);

	/* interface rows of the table (fastboot is ff/42/03 on any vendor); the
	 * first configuration is what the device enumerates with */
	if (self->entry == NULL && libusb_get_config_descriptor(usb_device, 0, &config) == 0) {
		for (guint i = 0; i < config->bNumInterfaces; i++) {
			const struct libusb_interface *intf = &config->interface[i];
			for (gint j = 0; j < intf->num_altsetting; j++) {
				const struct libusb_interface_descriptor *alt =
				    &intf->altsetting[j];
				ub_usb_device_info_add_interface(self,
								 alt->bInterfaceClass,
								 alt->bInterfaceSubClass,
								 alt->bInterfaceProtocol);
			}
		}
		libusb_free_config_descriptor(config);
	}

	/* optional: serial string and tty node; only worth it for known devices */
	if (self->entry != NULL) {
		sysfs_dir = g_build_filename("/sys/bus/usb/devices", self->port_path, NULL);
		ub_usb_device_info_load_sysfs(self, sysfs_dir);
	}

	/* success */
	return g_steal_pointer(&self);
}

guint8
ub_usb_device_info_get_bus(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), 0);
	return self->bus;
}

guint8
ub_usb_device_info_get_address(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), 0);
	return self->address;
}

/**
 * ub_usb_device_info_get_port_path:
 * @self: a #UbUsbDeviceInfo
 *
 * Returns: (nullable): the sysfs name of the port, e.g. "1-4.2"
 */
const gchar *
ub_usb_device_info_get_port_path(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), NULL);
	return self->port_path;
}

guint16
ub_usb_device_info_get_vid(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), 0);
	return self->vid;
}

guint16
ub_usb_device_info_get_pid(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), 0);
	return self->pid;
}

/**
 * ub_usb_device_info_get_serial:
 * @self: a #UbUsbDeviceInfo
 *
 * Returns: (nullable): the iSerial string as the kernel read it
 */
const gchar *
ub_usb_device_info_get_serial(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), NULL);
	return self->serial;
}

UbDeviceMode
ub_usb_device_info_get_mode(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), UB_DEVICE_MODE_UNKNOWN);
	return self->entry != NULL ? self->entry->mode : UB_DEVICE_MODE_UNKNOWN;
}

UbProtocol
ub_usb_device_info_get_protocol(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), UB_PROTOCOL_UNKNOWN);
	return ub_device_mode_get_protocol(ub_usb_device_info_get_mode(self));
}

/**
 * ub_usb_device_info_get_name:
 * @self: a #UbUsbDeviceInfo
 *
 * Returns: (nullable): the name from the device table
 */
const gchar *
ub_usb_device_info_get_name(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), NULL);
	return self->entry != NULL ? self->entry->name : NULL;
}

/**
 * ub_usb_device_info_get_tty_path:
 * @self: a #UbUsbDeviceInfo
 *
 * Returns: (nullable): the tty node a kernel driver created, e.g. /dev/ttyUSB0
 */
const gchar *
ub_usb_device_info_get_tty_path(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), NULL);
	return self->tty_path;
}

/**
 * ub_usb_device_info_get_id:
 * @self: a #UbUsbDeviceInfo
 *
 * Returns: an id that stays the same while the device sits in the same port,
 *   e.g. "usb:1-4.2", even across re-enumeration into another mode
 */
const gchar *
ub_usb_device_info_get_id(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), NULL);
	return self->id;
}

/**
 * ub_usb_device_info_get_created:
 * @self: a #UbUsbDeviceInfo
 *
 * Returns: the monotonic time in µs when the device was first seen
 */
gint64
ub_usb_device_info_get_created(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), 0);
	return self->created;
}

gboolean
ub_usb_device_info_is_known(UbUsbDeviceInfo *self)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), FALSE);
	return self->entry != NULL;
}

/**
 * ub_usb_device_info_equal:
 * @self: a #UbUsbDeviceInfo
 * @other: another #UbUsbDeviceInfo
 *
 * Whether both describe the same enumeration of a device: the address changes
 * on every re-enumeration, so a replug is never equal to what it replaced.
 *
 * Returns: %TRUE if bus, address, VID and PID agree
 */
gboolean
ub_usb_device_info_equal(UbUsbDeviceInfo *self, UbUsbDeviceInfo *other)
{
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), FALSE);
	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(other), FALSE);
	return self->bus == other->bus && self->address == other->address &&
	       self->vid == other->vid && self->pid == other->pid;
}

/**
 * ub_usb_device_info_to_string:
 * @self: a #UbUsbDeviceInfo
 *
 * Returns: (transfer full): a one-line description for logs
 */
gchar *
ub_usb_device_info_to_string(UbUsbDeviceInfo *self)
{
	GString *str = g_string_new(NULL);

	g_return_val_if_fail(UB_IS_USB_DEVICE_INFO(self), NULL);

	g_string_append_printf(str,
			       "%s %04x:%04x %s",
			       self->id,
			       self->vid,
			       self->pid,
			       ub_device_mode_to_string(ub_usb_device_info_get_mode(self)));
	if (self->serial != NULL)
		g_string_append_printf(str, " serial=%s", self->serial);
	if (self->tty_path != NULL)
		g_string_append_printf(str, " tty=%s", self->tty_path);
	return g_string_free(str, FALSE);
}
