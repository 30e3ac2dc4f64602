/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "edl/ub-edl-device.h"
#include "fastboot/ub-fastboot-device.h"
#include "mtk/ub-mtk-device.h"
#include "ub-device-monitor.h"
#include "ub-device-spec.h"
#include "ub-error.h"
#include "ub-serial-transport.h"
#include "ub-tcp-transport.h"
#include "ub-usb-context.h"
#include "ub-usb-device-info.h"
#include "ub-usb-transport.h"

#define UB_DEVICE_SPEC_HELP                                                                        \
	"use auto, wait, usb:VID:PID, usb:BUS-PORT, usb:serial=SERIAL, serial:PATH, "              \
	"tcp:HOST:PORT or sim:KIND[:DIR]"

static gboolean
ub_device_spec_parse_hex16(const gchar *str, guint16 *value)
{
	guint64 v = 0;
	if (str == NULL || strlen(str) == 0 || strlen(str) > 4)
		return FALSE;
	if (!g_ascii_string_to_unsigned(str, 16, 0, 0xffff, &v, NULL))
		return FALSE;
	*value = (guint16)v;
	return TRUE;
}

static gboolean
ub_device_spec_is_port_path(const gchar *str)
{
	/* 1-4 or 1-4.2.3: bus, dash, dotted port numbers */
	const gchar *dash = strchr(str, '-');
	if (dash == NULL || dash == str || dash[1] == '\0')
		return FALSE;
	for (const gchar *p = str; p < dash; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
	}
	for (const gchar *p = dash + 1; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p) && !(*p == '.' && p[1] != '\0' && p[-1] != '.'))
			return FALSE;
	}
	return TRUE;
}

static UbDeviceSpec *
ub_device_spec_invalid(const gchar *str, const gchar *why, GError **error)
{
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "invalid device '%s': %s; " UB_DEVICE_SPEC_HELP,
		    str,
		    why);
	return NULL;
}

/**
 * ub_device_spec_parse:
 * @str: what the user passed as --device
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the parsed spec, or %NULL with a message that
 * lists the accepted forms
 */
UbDeviceSpec *
ub_device_spec_parse(const gchar *str, GError **error)
{
	g_autoptr(UbDeviceSpec) spec = g_new0(UbDeviceSpec, 1);
	const gchar *rest;

	if (str == NULL || g_strcmp0(str, "auto") == 0 || str[0] == '\0') {
		spec->kind = UB_DEVICE_SPEC_KIND_AUTO;
		return g_steal_pointer(&spec);
	}
	if (g_strcmp0(str, "wait") == 0) {
		spec->kind = UB_DEVICE_SPEC_KIND_WAIT;
		return g_steal_pointer(&spec);
	}
	if (g_str_has_prefix(str, "usb:")) {
		g_auto(GStrv) parts = NULL;
		rest = str + 4;
		if (g_str_has_prefix(rest, "serial=")) {
			if (rest[7] == '\0')
				return ub_device_spec_invalid(str, "empty serial", error);
			spec->kind = UB_DEVICE_SPEC_KIND_USB_SERIAL;
			spec->path = g_strdup(rest + 7);
			return g_steal_pointer(&spec);
		}
		if (ub_device_spec_is_port_path(rest)) {
			spec->kind = UB_DEVICE_SPEC_KIND_USB_PATH;
			spec->path = g_strdup(rest);
			return g_steal_pointer(&spec);
		}
		parts = g_strsplit(rest, ":", -1);
		if (g_strv_length(parts) != 2 || !ub_device_spec_parse_hex16(parts[0], &spec->vid) ||
		    !ub_device_spec_parse_hex16(parts[1], &spec->pid))
			return ub_device_spec_invalid(str,
						      "expected usb:VID:PID in hex (usb:05c6:9008) "
						      "or usb:BUS-PORT (usb:1-4.2)",
						      error);
		spec->kind = UB_DEVICE_SPEC_KIND_USB_IDS;
		return g_steal_pointer(&spec);
	}
	if (g_str_has_prefix(str, "serial:")) {
		rest = str + 7;
		if (rest[0] != '/')
			return ub_device_spec_invalid(str,
						      "expected an absolute tty path such as "
						      "/dev/ttyUSB0",
						      error);
		spec->kind = UB_DEVICE_SPEC_KIND_SERIAL;
		spec->path = g_strdup(rest);
		return g_steal_pointer(&spec);
	}
	if (g_str_has_prefix(str, "tcp:")) {
		const gchar *colon;
		guint64 port = 0;
		rest = str + 4;
		colon = strrchr(rest, ':');
		if (colon == NULL || colon == rest)
			return ub_device_spec_invalid(str, "expected tcp:HOST:PORT", error);
		if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
			return ub_device_spec_invalid(str, "the port must be 1 to 65535", error);
		spec->kind = UB_DEVICE_SPEC_KIND_TCP;
		spec->host = g_strndup(rest, colon - rest);
		/* [::1]:5554 */
		if (spec->host[0] == '[' && g_str_has_suffix(spec->host, "]")) {
			gchar *tmp = g_strndup(spec->host + 1, strlen(spec->host) - 2);
			g_free(spec->host);
			spec->host = tmp;
		}
		/* a host name or an IPv4/IPv6 address, nothing else */
		if (spec->host[0] == '\0')
			return ub_device_spec_invalid(str, "expected tcp:HOST:PORT", error);
		for (const gchar *p = spec->host; *p != '\0'; p++) {
			if (!g_ascii_isalnum(*p) && strchr(".-_:%", *p) == NULL)
				return ub_device_spec_invalid(str, "the host name is not valid", error);
		}
		spec->port = (guint16)port;
		return g_steal_pointer(&spec);
	}
	if (g_str_has_prefix(str, "sim:")) {
		const gchar *colon;
		rest = str + 4;
		colon = strchr(rest, ':');
		spec->kind = UB_DEVICE_SPEC_KIND_SIM;
		spec->sim_kind = colon != NULL ? g_strndup(rest, colon - rest) : g_strdup(rest);
		if (colon != NULL && colon[1] != '\0')
			spec->path = g_strdup(colon + 1);
		if (g_strcmp0(spec->sim_kind, "fastboot") != 0 &&
		    g_strcmp0(spec->sim_kind, "edl") != 0 && g_strcmp0(spec->sim_kind, "mtk") != 0)
			return ub_device_spec_invalid(str,
						      "the simulated phone kind is fastboot, edl or mtk",
						      error);
		return g_steal_pointer(&spec);
	}
	return ub_device_spec_invalid(str, "unknown form", error);
}

void
ub_device_spec_free(UbDeviceSpec *spec)
{
	if (spec == NULL)
		return;
	g_free(spec->path);
	g_free(spec->host);
	g_free(spec->sim_kind);
	g_free(spec);
}

/**
 * ub_device_spec_to_string:
 * @spec: a #UbDeviceSpec
 *
 * Returns: (transfer full): the canonical form, which parses back to @spec
 */
gchar *
ub_device_spec_to_string(const UbDeviceSpec *spec)
{
	switch (spec->kind) {
	case UB_DEVICE_SPEC_KIND_AUTO:
		return g_strdup("auto");
	case UB_DEVICE_SPEC_KIND_WAIT:
		return g_strdup("wait");
	case UB_DEVICE_SPEC_KIND_USB_IDS:
		return g_strdup_printf("usb:%04x:%04x", spec->vid, spec->pid);
	case UB_DEVICE_SPEC_KIND_USB_PATH:
		return g_strdup_printf("usb:%s", spec->path);
	case UB_DEVICE_SPEC_KIND_USB_SERIAL:
		return g_strdup_printf("usb:serial=%s", spec->path);
	case UB_DEVICE_SPEC_KIND_SERIAL:
		return g_strdup_printf("serial:%s", spec->path);
	case UB_DEVICE_SPEC_KIND_TCP:
		if (strchr(spec->host, ':') != NULL)
			return g_strdup_printf("tcp:[%s]:%u", spec->host, spec->port);
		return g_strdup_printf("tcp:%s:%u", spec->host, spec->port);
	case UB_DEVICE_SPEC_KIND_SIM:
		if (spec->path != NULL)
			return g_strdup_printf("sim:%s:%s", spec->sim_kind, spec->path);
		return g_strdup_printf("sim:%s", spec->sim_kind);
	case UB_DEVICE_SPEC_KIND_LAST:
	default:
		return g_strdup("?");
	}
}

/**
 * ub_device_new_for_transport:
 * @transport: an open transport
 * @mode: the mode the device table recognised
 * @tcp: %TRUE if @transport is a TCP stream (fastboot framing)
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the engine for @mode, not yet opened
 */
UbDevice *
ub_device_new_for_transport(UbTransport *transport, UbDeviceMode mode, gboolean tcp, GError **error)
{
	switch (ub_device_mode_get_protocol(mode)) {
	case UB_PROTOCOL_FASTBOOT:
		return ub_fastboot_device_new(transport, tcp);
	case UB_PROTOCOL_EDL:
		return ub_edl_device_new(transport);
	case UB_PROTOCOL_MTK:
		return ub_mtk_device_new(transport, mode);
	case UB_PROTOCOL_UNKNOWN:
	case UB_PROTOCOL_LAST:
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s is not a phone in a flashing mode Unbrick knows",
			    ub_transport_get_name(transport));
		return NULL;
	}
}

/* how often a re-enumerating phone is looked for */
#define UB_DEVICE_SPEC_RECONNECT_POLL_MS 250

/* sleeps @ms unless @cancellable fires first */
static gboolean
ub_device_spec_reconnect_sleep(guint ms, GCancellable *cancellable, GError **error)
{
	for (guint slept = 0; slept < ms; slept += 10) {
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		g_usleep(10 * 1000);
	}
	return !g_cancellable_set_error_if_cancelled(cancellable, error);
}

/* where the phone was: after a reboot it comes back with a new address */
typedef struct {
	guint8 bus;
	guint8 address;
} UbDeviceSpecUsbOrigin;

/* a fastboot device of @usb_ctx that is the same phone (same serial) but not the old handle */
static libusb_device *
ub_device_spec_find_fastboot(UbUsbContext *usb_ctx,
			     UbDevice *device,
			     const UbDeviceSpecUsbOrigin *origin,
			     GError **error)
{
	const gchar *serial = ub_device_get_serial(device);
	g_autoptr(libusb_device) usb_device = NULL;
	g_autoptr(UbUsbDeviceInfo) info = NULL;

	if (serial != NULL) {
		usb_device = ub_usb_context_find_device_by_serial(usb_ctx, serial, error);
		if (usb_device == NULL)
			return NULL;
	} else {
		g_autoptr(GPtrArray) devices = ub_usb_context_get_devices(usb_ctx, error);
		if (devices == NULL)
			return NULL;
		for (guint i = 0; i < devices->len && usb_device == NULL; i++) {
			libusb_device *dev = g_ptr_array_index(devices, i);
			g_autoptr(UbUsbDeviceInfo) candidate =
			    ub_usb_device_info_new_from_libusb(dev, NULL);
			if (candidate != NULL &&
			    ub_usb_device_info_get_protocol(candidate) == UB_PROTOCOL_FASTBOOT &&
			    (libusb_get_bus_number(dev) != origin->bus ||
			     libusb_get_device_address(dev) != origin->address))
				usb_device = libusb_ref_device(dev);
		}
		if (usb_device == NULL) {
			g_set_error_literal(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no fastboot device");
			return NULL;
		}
	}
	if (libusb_get_bus_number(usb_device) == origin->bus &&
	    libusb_get_device_address(usb_device) == origin->address) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the phone has not left yet");
		return NULL;
	}
	info = ub_usb_device_info_new_from_libusb(usb_device, error);
	if (info == NULL)
		return NULL;
	if (ub_usb_device_info_get_protocol(info) != UB_PROTOCOL_FASTBOOT) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the phone is back but not in fastboot mode");
		return NULL;
	}
	return g_steal_pointer(&usb_device);
}

typedef struct {
	gchar *host;
	guint16 port;
} UbDeviceSpecTcpOrigin;

static void
ub_device_spec_tcp_origin_free(gpointer data)
{
	UbDeviceSpecTcpOrigin *origin = data;
	g_free(origin->host);
	g_free(origin);
}

/* fastbootd over TCP keeps the address: connect again until it answers */
static UbTransport *
ub_device_spec_tcp_reconnect_cb(UbDevice *device,
				UbDeviceMode mode,
				guint timeout_ms,
				GCancellable *cancellable,
				gpointer user_data,
				GError **error)
{
	UbDeviceSpecTcpOrigin *origin = user_data;
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	g_autoptr(GError) error_last = NULL;

	do {
		UbTransport *transport;
		gint64 left = (deadline - g_get_monotonic_time()) / G_TIME_SPAN_MILLISECOND;
		g_clear_error(&error_last);
		transport = ub_tcp_transport_new_connect(origin->host,
							 origin->port,
							 (guint)CLAMP(left, 100, 2000),
							 cancellable,
							 &error_last);
		if (transport != NULL)
			return transport;
		if (g_error_matches(error_last, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_propagate_error(error, g_steal_pointer(&error_last));
			return NULL;
		}
		if (!ub_device_spec_reconnect_sleep(UB_DEVICE_SPEC_RECONNECT_POLL_MS, cancellable, error))
			return NULL;
	} while (g_get_monotonic_time() < deadline);
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_TIMED_OUT,
		    "tcp:%s:%u did not answer again within %u s (%s)",
		    origin->host,
		    origin->port,
		    timeout_ms / 1000,
		    error_last != NULL ? error_last->message : "no answer");
	return NULL;
}

/* a libusb device of @usb_ctx in @mode (any mode for UNKNOWN): not at @skip, and at
 * @at when given */
static libusb_device *
ub_device_spec_find_mode(UbUsbContext *usb_ctx,
			 UbDeviceMode mode,
			 const UbDeviceSpecUsbOrigin *skip,
			 const UbDeviceSpecUsbOrigin *at,
			 GError **error)
{
	libusb_device *found = NULL;
	g_autoptr(GPtrArray) devices = ub_usb_context_get_devices(usb_ctx, error);

	if (devices == NULL)
		return NULL;
	for (guint i = 0; i < devices->len && found == NULL; i++) {
		libusb_device *dev = g_ptr_array_index(devices, i);
		guint8 bus = libusb_get_bus_number(dev);
		guint8 address = libusb_get_device_address(dev);
		g_autoptr(UbUsbDeviceInfo) info = NULL;
		if (skip != NULL && bus == skip->bus && address == skip->address)
			continue;
		if (at != NULL && (bus != at->bus || address != at->address))
			continue;
		info = ub_usb_device_info_new_from_libusb(dev, NULL);
		if (info != NULL && (mode == UB_DEVICE_MODE_UNKNOWN ||
				     ub_usb_device_info_get_mode(info) == mode))
			found = libusb_ref_device(dev);
	}
	if (found == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "no device in %s mode",
			    ub_device_mode_to_string(mode));
		return NULL;
	}
	return found;
}

/*
 * Polls every @poll_ms until the phone is back on USB (the fastboot device with
 * @device's serial, or else any phone in @mode other than @origin) and opens it;
 * @what names what was awaited in the timeout error. Each look lists the bus
 * through a context of ub_usb_context_acquire(): without hotplug events an
 * older context would never see the phone come back.
 */
static UbTransport *
ub_device_spec_usb_reconnect(UbDevice *device,
			     UbDeviceMode mode,
			     gboolean fastboot,
			     UbDeviceSpecUsbOrigin *origin,
			     guint poll_ms,
			     guint timeout_ms,
			     const gchar *what,
			     GCancellable *cancellable,
			     GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	g_autoptr(GError) error_last = NULL;

	do {
		g_autoptr(UbUsbContext) usb_ctx = NULL;
		g_autoptr(libusb_device) usb_device = NULL;
		g_autoptr(UbTransport) transport = NULL;
		if (!ub_device_spec_reconnect_sleep(poll_ms, cancellable, error))
			return NULL;
		g_clear_error(&error_last);
		usb_ctx = ub_usb_context_acquire(&error_last);
		if (usb_ctx == NULL)
			continue;
		usb_device =
		    fastboot ? ub_device_spec_find_fastboot(usb_ctx, device, origin, &error_last)
			     : ub_device_spec_find_mode(usb_ctx, mode, origin, NULL, &error_last);
		if (usb_device == NULL)
			continue;
		transport = ub_usb_transport_new_full(usb_ctx, usb_device, -1, &error_last);
		if (transport == NULL)
			continue;
		origin->bus = libusb_get_bus_number(usb_device);
		origin->address = libusb_get_device_address(usb_device);
		return g_steal_pointer(&transport);
	} while (g_get_monotonic_time() < deadline);
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_TIMED_OUT,
		    "no %s appeared within %u s (%s)",
		    what,
		    timeout_ms / 1000,
		    error_last != NULL ? error_last->message : "not found");
	return NULL;
}

/* bootloader <-> fastbootd over USB: wait for the same serial on a new address */
static UbTransport *
ub_device_spec_usb_reconnect_cb(UbDevice *device,
				UbDeviceMode mode,
				guint timeout_ms,
				GCancellable *cancellable,
				gpointer user_data,
				GError **error)
{
	const gchar *serial = ub_device_get_serial(device);
	g_autofree gchar *what = g_strdup_printf("fastboot device%s%s",
						 serial != NULL ? " with serial " : "",
						 serial != NULL ? serial : "");
	return ub_device_spec_usb_reconnect(device,
					    mode,
					    TRUE,
					    user_data,
					    UB_DEVICE_SPEC_RECONNECT_POLL_MS,
					    timeout_ms,
					    what,
					    cancellable,
					    error);
}

/* MediaTek DA after SWITCH_USB_SPEED: the phone comes back as 0e8d:2001 */
static UbTransport *
ub_device_spec_mtk_reconnect_cb(UbDevice *device,
				UbDeviceMode mode,
				guint timeout_ms,
				GCancellable *cancellable,
				gpointer user_data,
				GError **error)
{
	g_autofree gchar *what =
	    g_strdup_printf("MediaTek phone in %s mode", ub_device_mode_to_string(mode));
	return ub_device_spec_usb_reconnect(device,
					    mode,
					    FALSE,
					    user_data,
					    UB_DEVICE_SPEC_RECONNECT_POLL_MS / 2,
					    timeout_ms,
					    what,
					    cancellable,
					    error);
}

/* opens @usb_device, a device of @usb_ctx */
static UbDevice *
ub_device_spec_open_usb(UbUsbContext *usb_ctx, libusb_device *usb_device, GError **error)
{
	g_autoptr(UbUsbDeviceInfo) info = ub_usb_device_info_new_from_libusb(usb_device, error);
	g_autoptr(UbTransport) transport = NULL;
	UbDevice *device;
	if (info == NULL)
		return NULL;
	if (!ub_usb_device_info_is_known(info)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "USB device %04x:%04x at %s is not a phone in EDL, MediaTek or "
			    "fastboot mode",
			    ub_usb_device_info_get_vid(info),
			    ub_usb_device_info_get_pid(info),
			    ub_usb_device_info_get_port_path(info));
		return NULL;
	}
	transport = ub_usb_transport_new_full(usb_ctx, usb_device, -1, error);
	if (transport == NULL)
		return NULL;
	device = ub_device_new_for_transport(transport, ub_usb_device_info_get_mode(info), FALSE, error);
	if (device == NULL)
		return NULL;
	if (ub_usb_device_info_get_protocol(info) == UB_PROTOCOL_FASTBOOT) {
		UbDeviceSpecUsbOrigin *origin = g_new0(UbDeviceSpecUsbOrigin, 1);
		origin->bus = libusb_get_bus_number(usb_device);
		origin->address = libusb_get_device_address(usb_device);
		ub_device_set_reconnect_func(device, ub_device_spec_usb_reconnect_cb, origin, g_free);
	} else if (ub_usb_device_info_get_protocol(info) == UB_PROTOCOL_MTK) {
		UbDeviceSpecUsbOrigin *origin = g_new0(UbDeviceSpecUsbOrigin, 1);
		origin->bus = libusb_get_bus_number(usb_device);
		origin->address = libusb_get_device_address(usb_device);
		ub_device_set_reconnect_func(device, ub_device_spec_mtk_reconnect_cb, origin, g_free);
	}
	return device;
}

/* how long --device wait waits for the phone */
#define UB_DEVICE_SPEC_WAIT_TIMEOUT_MS (5 * 60 * 1000)

/*
 * --device wait: the next MediaTek phone in BootROM or preloader mode, opened
 * the moment the monitor sees it (a preloader answers the handshake for only
 * a second or two, so the caller opens the returned device at once).
 */
static UbDevice *
ub_device_spec_open_wait(GCancellable *cancellable, GError **error)
{
	g_autoptr(UbDeviceMonitor) monitor = ub_device_monitor_new();
	g_autoptr(UbUsbDeviceInfo) info = NULL;
	g_autoptr(UbUsbContext) usb_ctx = NULL;
	g_autoptr(libusb_device) usb_device = NULL;
	UbDeviceSpecUsbOrigin at = {0};

	if (!ub_device_monitor_start(monitor, error)) {
		g_prefix_error(error, "failed to watch for USB devices: ");
		return NULL;
	}
	info = ub_device_monitor_wait_for(monitor,
					  UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_MTK_BROM) |
					      UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_MTK_PRELOADER),
					  UB_DEVICE_SPEC_WAIT_TIMEOUT_MS,
					  cancellable,
					  error);
	if (info == NULL) {
		g_prefix_error(error,
			       "no MediaTek phone arrived (connect the powered-off phone, holding "
			       "Volume Down if needed): ");
		return NULL;
	}
	at.bus = ub_usb_device_info_get_bus(info);
	at.address = ub_usb_device_info_get_address(info);
	usb_ctx = ub_usb_context_acquire(error);
	if (usb_ctx == NULL)
		return NULL;
	usb_device =
	    ub_device_spec_find_mode(usb_ctx, ub_usb_device_info_get_mode(info), NULL, &at, error);
	if (usb_device == NULL) {
		g_prefix_error(error, "the phone left again before it could be opened: ");
		return NULL;
	}
	return ub_device_spec_open_usb(usb_ctx, usb_device, error);
}

static UbDevice *
ub_device_spec_open_auto(GError **error)
{
	g_autoptr(UbUsbContext) usb_ctx = NULL;
	g_autoptr(GPtrArray) devices = NULL;
	g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)libusb_unref_device);
	UbDevice *device;

	usb_ctx = ub_usb_context_acquire(error);
	if (usb_ctx == NULL)
		return NULL;
	devices = ub_usb_context_get_devices(usb_ctx, error);
	if (devices == NULL)
		return NULL;
	for (guint i = 0; i < devices->len; i++) {
		libusb_device *dev = g_ptr_array_index(devices, i);
		g_autoptr(UbUsbDeviceInfo) info = ub_usb_device_info_new_from_libusb(dev, NULL);
		if (info != NULL && ub_usb_device_info_is_known(info))
			g_ptr_array_add(found, libusb_ref_device(dev));
	}
	if (found->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "no phone in EDL, MediaTek or fastboot mode is connected; "
				    "connect it (or use --device sim:fastboot to try the "
				    "simulated phone)");
		return NULL;
	}
	if (found->len > 1) {
		g_autoptr(GString) names = g_string_new(NULL);
		for (guint i = 0; i < found->len; i++) {
			g_autofree gchar *path = ub_usb_context_get_device_path(g_ptr_array_index(found, i));
			g_string_append_printf(names, "%susb:%s", i > 0 ? ", " : "", path);
		}
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_BUSY,
			    "%u phones are connected (%s); choose one with --device",
			    found->len,
			    names->str);
		return NULL;
	}
	device = ub_device_spec_open_usb(usb_ctx, g_ptr_array_index(found, 0), error);
	return device;
}

/**
 * ub_device_spec_open:
 * @spec: a #UbDeviceSpec that is not %UB_DEVICE_SPEC_KIND_SIM
 * @timeout_ms: connect timeout for TCP
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Opens the transport and picks the engine. Simulated phones live in src/sim
 * and are opened by the front-ends with ub_sim_open_device().
 *
 * Returns: (transfer full): a #UbDevice, not yet opened
 */
/* the USB vendor of the tty's device (a /dev/serial/by-id link or a pty
 * named ttyACM0 resolves alike), 0 when unknown */
static guint16
ub_device_spec_serial_vendor(const gchar *path)
{
	g_autofree gchar *real = g_canonicalize_filename(path, NULL);
	g_autofree gchar *target = g_file_read_link(path, NULL);
	g_autofree gchar *base = NULL;
	g_autofree gchar *devdir = NULL;
	if (target != NULL) {
		g_autofree gchar *dir = g_path_get_dirname(path);
		g_free(real);
		real = g_canonicalize_filename(target, dir);
	}
	base = g_path_get_basename(real);
	devdir = g_build_filename("/sys/class/tty", base, "device", NULL);
	/* ttyACM: the interface's parent is the USB device; ttyUSB: one level more */
	for (guint depth = 1; depth <= 3; depth++) {
		g_autoptr(GString) rel = g_string_new(devdir);
		g_autofree gchar *file = NULL;
		g_autofree gchar *text = NULL;
		for (guint i = 0; i < depth; i++)
			g_string_append(rel, "/..");
		file = g_build_filename(rel->str, "idVendor", NULL);
		if (g_file_get_contents(file, &text, NULL, NULL)) {
			guint64 vid = 0;
			if (g_ascii_string_to_unsigned(g_strstrip(text), 16, 1, 0xFFFF, &vid, NULL))
				return (guint16)vid;
			return 0;
		}
	}
	return 0;
}

/* MediaTek or Qualcomm behind a serial port: the USB vendor when sysfs knows
 * it, else the driver's naming (qcserial ttyUSB, cdc_acm ttyACM) */
static UbDeviceMode
ub_device_spec_serial_guess_mode(const gchar *path)
{
	g_autofree gchar *base = g_path_get_basename(path);
	switch (ub_device_spec_serial_vendor(path)) {
	case 0x0e8d:
		return UB_DEVICE_MODE_MTK_BROM;
	case 0x05c6:
		return UB_DEVICE_MODE_EDL;
	default:
		break;
	}
	if (g_str_has_prefix(base, "ttyACM") || g_strstr_len(base, -1, "MediaTek") != NULL)
		return UB_DEVICE_MODE_MTK_BROM;
	return UB_DEVICE_MODE_EDL;
}

UbDevice *
ub_device_spec_open(const UbDeviceSpec *spec,
		    guint timeout_ms,
		    GCancellable *cancellable,
		    GError **error)
{
	g_autoptr(UbTransport) transport = NULL;
	g_autoptr(UbUsbContext) usb_ctx = NULL;
	g_autoptr(libusb_device) usb_device = NULL;
	UbDevice *device;

	switch (spec->kind) {
	case UB_DEVICE_SPEC_KIND_AUTO:
		return ub_device_spec_open_auto(error);
	case UB_DEVICE_SPEC_KIND_WAIT:
		return ub_device_spec_open_wait(cancellable, error);
	case UB_DEVICE_SPEC_KIND_USB_IDS:
		usb_ctx = ub_usb_context_acquire(error);
		if (usb_ctx == NULL)
			return NULL;
		usb_device =
		    ub_usb_context_find_device_by_vid_pid(usb_ctx, spec->vid, spec->pid, error);
		break;
	case UB_DEVICE_SPEC_KIND_USB_PATH:
		usb_ctx = ub_usb_context_acquire(error);
		if (usb_ctx == NULL)
			return NULL;
		usb_device = ub_usb_context_find_device_by_path(usb_ctx, spec->path, error);
		break;
	case UB_DEVICE_SPEC_KIND_USB_SERIAL:
		usb_ctx = ub_usb_context_acquire(error);
		if (usb_ctx == NULL)
			return NULL;
		usb_device = ub_usb_context_find_device_by_serial(usb_ctx, spec->path, error);
		break;
	case UB_DEVICE_SPEC_KIND_SERIAL: {
		UbDeviceMode mode = spec->serial_mode != UB_DEVICE_MODE_UNKNOWN
					? spec->serial_mode
					: ub_device_spec_serial_guess_mode(spec->path);
		transport = ub_serial_transport_new(spec->path, 115200, error);
		if (transport == NULL)
			return NULL;
		return ub_device_new_for_transport(transport, mode, FALSE, error);
	}
	case UB_DEVICE_SPEC_KIND_TCP:
		transport = ub_tcp_transport_new_connect(spec->host,
							 spec->port,
							 timeout_ms,
							 cancellable,
							 error);
		if (transport == NULL)
			return NULL;
		/* only fastboot speaks TCP */
		device = ub_device_new_for_transport(transport, UB_DEVICE_MODE_FASTBOOT, TRUE, error);
		if (device != NULL) {
			UbDeviceSpecTcpOrigin *origin = g_new0(UbDeviceSpecTcpOrigin, 1);
			origin->host = g_strdup(spec->host);
			origin->port = spec->port;
			ub_device_set_reconnect_func(device,
						     ub_device_spec_tcp_reconnect_cb,
						     origin,
						     ub_device_spec_tcp_origin_free);
		}
		return device;
	case UB_DEVICE_SPEC_KIND_SIM:
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INTERNAL,
				    "simulated phones are opened by the simulator library");
		return NULL;
	case UB_DEVICE_SPEC_KIND_LAST:
	default:
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INTERNAL, "invalid device spec");
		return NULL;
	}
	if (usb_device == NULL)
		return NULL;
	return ub_device_spec_open_usb(usb_ctx, usb_device, error);
}
