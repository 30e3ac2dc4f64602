/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ub-error.h"
#include "ub-udev-rules.h"
#include "ub-usb-context.h"

#define UB_USB_CONTEXT_RULES_ETC "/etc/udev/rules.d/" UB_UDEV_RULES_FILENAME

struct _UbUsbContext {
	gint refcount;	/* private ones only; changed under the registry mutex */
	gboolean shared; /* the process-wide default: never freed */
	libusb_context *ctx;
};

static GMutex ub_usb_context_mutex;
static libusb_context *ub_usb_context_default = NULL;
static UbUsbContext ub_usb_context_default_holder = {.shared = TRUE};

/* the private contexts alive, so a device can be traced back to its own */
static GMutex ub_usb_context_registry_mutex;
static GPtrArray *ub_usb_context_registry = NULL;

/**
 * ub_usb_context_get_default:
 * @error: (nullable): return location for a #GError
 *
 * Returns the one shared libusb context of the process, used by the device
 * monitor's hotplug thread and, where libusb gets hotplug events, by every
 * lookup and USB transport (see ub_usb_context_acquire()). It is created on
 * first use and lives until the process exits. A failure is not remembered, so
 * a later call can succeed (e.g. once a umockdev test bed exists).
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

/* the shared default, created if needed */
static UbUsbContext *
ub_usb_context_get_default_holder(GError **error)
{
	if (ub_usb_context_get_default(error) == NULL)
		return NULL;
	return &ub_usb_context_default_holder;
}

/**
 * ub_usb_context_should_poll:
 *
 * Whether libusb gets no hotplug events here, so that a context learns only
 * of the devices present when it was created: no udevd (containers, minimal
 * systems), inside Flatpak (the sandbox gets no udev events), or
 * `UB_USB_POLL=1` (`UB_USB_POLL=0` forces the events path). umockdev fakes
 * the events, so a test bed has them.
 *
 * Returns: %TRUE if device lists need a fresh context each time
 */
gboolean
ub_usb_context_should_poll(void)
{
	const gchar *env = g_getenv("UB_USB_POLL");

	if (env != NULL && env[0] != '\0')
		return g_strcmp0(env, "0") != 0;

	/* the sandbox gets no udev events */
	if (g_file_test("/.flatpak-info", G_FILE_TEST_EXISTS))
		return TRUE;

	/* libusb hears of new devices only from udevd; umockdev fakes its events */
	if (!g_file_test("/run/udev/control", G_FILE_TEST_EXISTS) &&
	    g_getenv("UMOCKDEV_DIR") == NULL)
		return TRUE;
	return FALSE;
}

/**
 * ub_usb_context_acquire:
 * @error: (nullable): return location for a #GError
 *
 * A context that sees the bus as it is now. With hotplug events that is the
 * shared default of ub_usb_context_get_default(), which libusb keeps up to
 * date; without them (see ub_usb_context_should_poll()) every call creates a
 * private context, which ends (libusb_exit()) with its last reference.
 *
 * Devices listed through the context belong to it: the context must outlive
 * them and anything opened from them (a #UbUsbTransport keeps a reference).
 * Any thread may use it.
 *
 * Returns: (transfer full): a context, release with ub_usb_context_unref(), or
 *   %NULL if USB is not available
 */
UbUsbContext *
ub_usb_context_acquire(GError **error)
{
	UbUsbContext *self;
	libusb_context *ctx = NULL;
	gint rc;

	if (!ub_usb_context_should_poll())
		return ub_usb_context_get_default_holder(error);
	rc = libusb_init(&ctx);
	if (rc != LIBUSB_SUCCESS) {
		ub_usb_context_set_error(error, rc, "USB is not available");
		return NULL;
	}
	self = g_new0(UbUsbContext, 1);
	self->refcount = 1;
	self->ctx = ctx;
	g_mutex_lock(&ub_usb_context_registry_mutex);
	if (ub_usb_context_registry == NULL)
		ub_usb_context_registry = g_ptr_array_new();
	g_ptr_array_add(ub_usb_context_registry, self);
	g_mutex_unlock(&ub_usb_context_registry_mutex);
	return self;
}

/**
 * ub_usb_context_ref:
 * @self: a #UbUsbContext
 *
 * Returns: (transfer full): @self
 */
UbUsbContext *
ub_usb_context_ref(UbUsbContext *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	if (!self->shared)
		g_atomic_int_inc(&self->refcount);
	return self;
}

/**
 * ub_usb_context_unref:
 * @self: a #UbUsbContext
 *
 * Drops a reference; the last one of a private context exits it. Every device
 * listed through it must have been released before.
 */
void
ub_usb_context_unref(UbUsbContext *self)
{
	gboolean last;

	g_return_if_fail(self != NULL);
	if (self->shared)
		return;

	/* under the mutex: ub_usb_context_find_for_device() takes references
	 * to registered contexts, and must not revive one that is ending */
	g_mutex_lock(&ub_usb_context_registry_mutex);
	last = g_atomic_int_dec_and_test(&self->refcount);
	if (last)
		g_ptr_array_remove_fast(ub_usb_context_registry, self);
	g_mutex_unlock(&ub_usb_context_registry_mutex);
	if (!last)
		return;
	libusb_exit(self->ctx);
	g_free(self);
}

/**
 * ub_usb_context_get_libusb:
 * @self: a #UbUsbContext
 *
 * Returns: (transfer none): the libusb context, valid while @self is
 */
libusb_context *
ub_usb_context_get_libusb(UbUsbContext *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	if (self->shared)
		return ub_usb_context_default;
	return self->ctx;
}

/**
 * ub_usb_context_is_shared:
 * @self: a #UbUsbContext
 *
 * Returns: %TRUE for the process-wide default context
 */
gboolean
ub_usb_context_is_shared(UbUsbContext *self)
{
	g_return_val_if_fail(self != NULL, FALSE);
	return self->shared;
}

/**
 * ub_usb_context_get_devices:
 * @self: a #UbUsbContext
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer container) (element-type libusb_device): the devices on
 *   the bus, each with a reference the array drops; free it before @self
 */
GPtrArray *
ub_usb_context_get_devices(UbUsbContext *self, GError **error)
{
	libusb_device **list = NULL;
	ssize_t n;
	GPtrArray *devices;

	g_return_val_if_fail(self != NULL, NULL);

	n = libusb_get_device_list(ub_usb_context_get_libusb(self), &list);
	if (n < 0) {
		ub_usb_context_set_error(error, (gint)n, "failed to list USB devices");
		return NULL;
	}
	devices = g_ptr_array_new_full((guint)n, (GDestroyNotify)libusb_unref_device);
	for (ssize_t i = 0; i < n; i++)
		g_ptr_array_add(devices, libusb_ref_device(list[i]));
	libusb_free_device_list(list, 1);
	return devices;
}

static gboolean
ub_usb_context_has_device(libusb_context *ctx, libusb_device *dev)
{
	libusb_device **list = NULL;
	gboolean found = FALSE;
	ssize_t n = libusb_get_device_list(ctx, &list);
	if (n < 0)
		return FALSE;
	for (ssize_t i = 0; i < n && !found; i++)
		found = list[i] == dev;
	libusb_free_device_list(list, 1);
	return found;
}

/**
 * ub_usb_context_find_for_device:
 * @dev: a libusb device the caller holds a reference to
 *
 * libusb cannot tell which context a device belongs to: this looks for it in
 * the shared default and in every private context alive.
 *
 * Returns: (transfer full) (nullable): the context of @dev, or %NULL if it is
 *   not one of ours
 */
UbUsbContext *
ub_usb_context_find_for_device(libusb_device *dev)
{
	g_autoptr(GMutexLocker) locker = NULL;
	libusb_context *ctx_default;

	g_return_val_if_fail(dev != NULL, NULL);

	g_mutex_lock(&ub_usb_context_mutex);
	ctx_default = ub_usb_context_default;
	g_mutex_unlock(&ub_usb_context_mutex);
	if (ctx_default != NULL && ub_usb_context_has_device(ctx_default, dev))
		return &ub_usb_context_default_holder;

	locker = g_mutex_locker_new(&ub_usb_context_registry_mutex);
	if (ub_usb_context_registry == NULL)
		return NULL;
	for (guint i = 0; i < ub_usb_context_registry->len; i++) {
		UbUsbContext *self = g_ptr_array_index(ub_usb_context_registry, i);
		if (ub_usb_context_has_device(self->ctx, dev)) {
			g_atomic_int_inc(&self->refcount);
			return self;
		}
	}
	return NULL;
}

/**
 * ub_usb_context_get_n_private:
 *
 * For tests and debug logs: a context per lookup must not outlive its users.
 *
 * Returns: how many private contexts are alive
 */
guint
ub_usb_context_get_n_private(void)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&ub_usb_context_registry_mutex);
	return ub_usb_context_registry != NULL ? ub_usb_context_registry->len : 0;
}

/* the rules file udev reads: the first of its directories that has one; a
 * link to /dev/null or an empty file there masks the ones after it */
static gboolean
ub_usb_context_rules_installed(void)
{
	const gchar *dirs[] = {"/etc/udev/rules.d",
			       "/run/udev/rules.d",
			       "/usr/local/lib/udev/rules.d",
			       "/usr/lib/udev/rules.d",
			       "/lib/udev/rules.d",
			       NULL};
	for (guint i = 0; dirs[i] != NULL; i++) {
		g_autofree gchar *path = g_build_filename(dirs[i], UB_UDEV_RULES_FILENAME, NULL);
		GStatBuf st;
		if (g_stat(path, &st) != 0)
			continue;
		return S_ISREG(st.st_mode) && st.st_size > 0;
	}
	return FALSE;
}

/* the uid logind says is at seat0 (what TAG+="uaccess" grants), or -1 if none */
static gint64
ub_usb_context_seat_uid(void)
{
	g_autofree gchar *buf = NULL;
	g_auto(GStrv) lines = NULL;
	if (!g_file_get_contents("/run/systemd/seats/seat0", &buf, NULL, NULL))
		return -1;
	lines = g_strsplit(buf, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		guint64 uid = 0;
		if (g_str_has_prefix(lines[i], "ACTIVE_UID=") &&
		    g_ascii_string_to_unsigned(lines[i] + strlen("ACTIVE_UID="),
					       10,
					       0,
					       G_MAXUINT32,
					       &uid,
					       NULL))
			return (gint64)uid;
	}
	return -1;
}

static gchar *
ub_usb_context_permission_hint(void)
{
	gint64 seat_uid;

	if (!ub_usb_context_rules_installed()) {
		/* the CLI prints the rules built into it, so this works from a build
		 * folder, a /usr/local install and a Flatpak alike */
		return g_strdup("the udev rule " UB_UDEV_RULES_FILENAME " is missing: "
				"install it with 'unbrick-cli udev-rules | sudo tee " UB_USB_CONTEXT_RULES_ETC
				" && sudo udevadm control --reload' and replug the phone");
	}
	/* the rule grants access to the user at the seat only (an ACL set by
	 * udev from logind's state): tell a user elsewhere, e.g. over SSH, so */
	if (getuid() != 0 && !g_file_test("/run/systemd/seats", G_FILE_TEST_IS_DIR)) {
		return g_strdup("the udev rule " UB_UDEV_RULES_FILENAME " is installed but did not "
				"apply to this user: it gives access to the user logged in at this "
				"computer's seat through systemd-logind, which is not running: run "
				"unbrick as root");
	}
	seat_uid = ub_usb_context_seat_uid();
	if (getuid() != 0 && seat_uid < 0) {
		return g_strdup_printf("the udev rule " UB_UDEV_RULES_FILENAME " is installed but "
				       "did not apply to this user: it gives access only to the user "
				       "logged in at this computer's seat, and no one is (this is uid "
				       "%u): log in there and run unbrick from that session, or run it "
				       "as root",
				       (guint)getuid());
	}
	if (getuid() != 0 && seat_uid != (gint64)getuid()) {
		return g_strdup_printf("the udev rule " UB_UDEV_RULES_FILENAME " is installed but "
				       "did not apply to this user: it gives access only to the user "
				       "logged in at this computer's seat (uid %" G_GINT64_FORMAT "), not "
				       "to you (uid %u): run unbrick from that session, or as root",
				       seat_uid,
				       (guint)getuid());
	}
	return g_strdup("the udev rule " UB_UDEV_RULES_FILENAME " is installed but did not apply "
			"to this device: run 'sudo udevadm control --reload && sudo udevadm "
			"trigger' and replug the phone");
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
	g_autofree gchar *hint = NULL;
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
		/* libusb's text already says it may have been disconnected */
		hint = g_strdup("check the cable and the port (a loose cable, or a hub that "
				"cuts power), put the phone back into its mode and start again");
		break;
	case LIBUSB_ERROR_NOT_FOUND:
		code = UB_ERROR_NOT_FOUND;
		break;
	case LIBUSB_ERROR_BUSY:
		code = UB_ERROR_BUSY;
		hint = g_strdup("another program is using the device (another flasher, adb, "
				"or ModemManager): close it and try again");
		break;
	case LIBUSB_ERROR_TIMEOUT:
		code = UB_ERROR_TIMED_OUT;
		break;
	case LIBUSB_ERROR_OVERFLOW:
		code = UB_ERROR_PROTOCOL;
		hint = g_strdup("the device sent more data than was asked for");
		break;
	case LIBUSB_ERROR_PIPE:
		code = UB_ERROR_PROTOCOL;
		hint = g_strdup("the device stalled the endpoint");
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

/* returns a new reference to the first device of @self that @func accepts */
static libusb_device *
ub_usb_context_find(UbUsbContext *self,
		    UbUsbContextMatchFunc func,
		    gconstpointer user_data,
		    const gchar *what,
		    GError **error)
{
	libusb_device *found = NULL;
	gint rc_open = LIBUSB_SUCCESS;
	g_autoptr(GPtrArray) devices = ub_usb_context_get_devices(self, error);

	if (devices == NULL)
		return NULL;
	for (guint i = 0; i < devices->len && found == NULL; i++) {
		libusb_device *dev = g_ptr_array_index(devices, i);
		if (func(dev, user_data, &rc_open))
			found = libusb_ref_device(dev);
	}
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
 * ub_usb_context_find_device_by_vid_pid:
 * @self: a #UbUsbContext
 * @vid: vendor ID
 * @pid: product ID
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the first matching device of @self (release with
 *   libusb_unref_device() before @self), or %NULL with %UB_ERROR_NOT_FOUND
 */
libusb_device *
ub_usb_context_find_device_by_vid_pid(UbUsbContext *self,
				      guint16 vid,
				      guint16 pid,
				      GError **error)
{
	guint16 ids[2] = {vid, pid};
	g_autofree gchar *what = NULL;
	g_return_val_if_fail(self != NULL, NULL);
	what = g_strdup_printf("%04x:%04x", vid, pid);
	return ub_usb_context_find(self, ub_usb_context_match_vid_pid_cb, ids, what, error);
}

static gboolean
ub_usb_context_match_path_cb(libusb_device *dev, gconstpointer user_data, gint *rc_open)
{
	g_autofree gchar *path = ub_usb_context_get_device_path(dev);
	return g_strcmp0(path, user_data) == 0;
}

/**
 * ub_usb_context_find_device_by_path:
 * @self: a #UbUsbContext
 * @path: a "BUS-PORT[.PORT...]" path as from ub_usb_context_get_device_path()
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the device of @self (release it before @self), or
 *   %NULL with %UB_ERROR_NOT_FOUND
 */
libusb_device *
ub_usb_context_find_device_by_path(UbUsbContext *self, const gchar *path, GError **error)
{
	g_autofree gchar *what = NULL;
	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(path != NULL, NULL);
	what = g_strdup_printf("at %s", path);
	return ub_usb_context_find(self, ub_usb_context_match_path_cb, path, what, error);
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
 * ub_usb_context_find_device_by_serial:
 * @self: a #UbUsbContext
 * @serial: the iSerialNumber string, e.g. "_SN:ABCD1234"
 * @error: (nullable): return location for a #GError
 *
 * Opens each device that has a serial number to read it.
 *
 * Returns: (transfer full): the device of @self (release it before @self), or
 *   %NULL with %UB_ERROR_NOT_FOUND, or %UB_ERROR_PERMISSION_DENIED if some
 *   device could not be opened
 */
libusb_device *
ub_usb_context_find_device_by_serial(UbUsbContext *self, const gchar *serial, GError **error)
{
	g_autofree gchar *what = NULL;
	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(serial != NULL, NULL);
	what = g_strdup_printf("with serial number %s", serial);
	return ub_usb_context_find(self, ub_usb_context_match_serial_cb, serial, what, error);
}

