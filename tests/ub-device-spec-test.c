/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"
#include "mtk/ub-mtk-device.h"
#include "ub-device-spec.h"

static void
ub_device_spec_valid_func(void)
{
	struct {
		const gchar *in;
		UbDeviceSpecKind kind;
		const gchar *canonical;
	} cases[] = {
	    {"auto", UB_DEVICE_SPEC_KIND_AUTO, "auto"},
	    {"wait", UB_DEVICE_SPEC_KIND_WAIT, "wait"},
	    {"usb:05c6:9008", UB_DEVICE_SPEC_KIND_USB_IDS, "usb:05c6:9008"},
	    {"usb:0E8D:3", UB_DEVICE_SPEC_KIND_USB_IDS, "usb:0e8d:0003"},
	    {"usb:1-4", UB_DEVICE_SPEC_KIND_USB_PATH, "usb:1-4"},
	    {"usb:3-1.2.4", UB_DEVICE_SPEC_KIND_USB_PATH, "usb:3-1.2.4"},
	    {"usb:serial=ABC123", UB_DEVICE_SPEC_KIND_USB_SERIAL, "usb:serial=ABC123"},
	    {"serial:/dev/ttyUSB0", UB_DEVICE_SPEC_KIND_SERIAL, "serial:/dev/ttyUSB0"},
	    {"tcp:127.0.0.1:5554", UB_DEVICE_SPEC_KIND_TCP, "tcp:127.0.0.1:5554"},
	    {"tcp:[::1]:5554", UB_DEVICE_SPEC_KIND_TCP, "tcp:[::1]:5554"},
	    {"sim:fastboot", UB_DEVICE_SPEC_KIND_SIM, "sim:fastboot"},
	    {"sim:edl:/tmp/phone", UB_DEVICE_SPEC_KIND_SIM, "sim:edl:/tmp/phone"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbDeviceSpec) spec = ub_device_spec_parse(cases[i].in, &error);
		g_autoptr(UbDeviceSpec) again = NULL;
		g_autofree gchar *str = NULL;
		g_autofree gchar *str2 = NULL;
		g_assert_no_error(error);
		g_assert_nonnull(spec);
		g_assert_cmpint(spec->kind, ==, cases[i].kind);
		str = ub_device_spec_to_string(spec);
		g_assert_cmpstr(str, ==, cases[i].canonical);
		/* the canonical form parses back to the same thing */
		again = ub_device_spec_parse(str, &error);
		g_assert_no_error(error);
		str2 = ub_device_spec_to_string(again);
		g_assert_cmpstr(str2, ==, str);
	}
}

static void
ub_device_spec_fields_func(void)
{
	g_autoptr(UbDeviceSpec) usb = ub_device_spec_parse("usb:05c6:9008", NULL);
	g_autoptr(UbDeviceSpec) tcp = ub_device_spec_parse("tcp:phone.local:5554", NULL);
	g_autoptr(UbDeviceSpec) sim = ub_device_spec_parse("sim:mtk:/var/tmp/p", NULL);
	g_autoptr(UbDeviceSpec) dflt = ub_device_spec_parse(NULL, NULL);
	g_assert_cmpuint(usb->vid, ==, 0x05c6);
	g_assert_cmpuint(usb->pid, ==, 0x9008);
	g_assert_cmpstr(tcp->host, ==, "phone.local");
	g_assert_cmpuint(tcp->port, ==, 5554);
	g_assert_cmpstr(sim->sim_kind, ==, "mtk");
	g_assert_cmpstr(sim->path, ==, "/var/tmp/p");
	g_assert_cmpint(dflt->kind, ==, UB_DEVICE_SPEC_KIND_AUTO);
}

static void
ub_device_spec_invalid_func(void)
{
	const gchar *bad[] = {"usb:", "usb:05c6", "usb:05c6:90080", "usb:zz:9008", "usb:1-",
			      "usb:1-4..2", "serial:ttyUSB0", "tcp:host", "tcp:host:0",
			      "tcp:host:70000", "tcp::5554", "tcp:[]:5", "tcp:[[]]:4", "tcp:a b:5", "sim:nokia", "bluetooth:1", "05c6:9008",
			      "usb:serial="};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbDeviceSpec) spec = ub_device_spec_parse(bad[i], &error);
		g_assert_null(spec);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		/* every refusal says what would be accepted */
		g_assert_nonnull(strstr(error->message, "usb:VID:PID"));
		g_assert_nonnull(strstr(error->message, bad[i]));
	}
}

static void
ub_device_spec_open_tcp_refused_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(UbDeviceSpec) spec = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autofree gchar *str = NULL;
	guint16 port;
	/* find a free port, then close it so nothing listens there */
	port = g_socket_listener_add_any_inet_port(listener, NULL, &error);
	g_assert_no_error(error);
	g_socket_listener_close(listener);
	str = g_strdup_printf("tcp:127.0.0.1:%u", port);
	spec = ub_device_spec_parse(str, &error);
	g_assert_no_error(error);
	device = ub_device_spec_open(spec, 2000, NULL, &error);
	g_assert_null(device);
	g_assert_nonnull(error);
	g_assert_true(error->domain == UB_ERROR);
}

static void
ub_device_spec_engine_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbDevice) device = NULL;
	ub_memory_transport_new_pair(512, &host, &dev);
	device = ub_device_new_for_transport(host, UB_DEVICE_MODE_FASTBOOT, FALSE, &error);
	g_assert_no_error(error);
	g_assert_nonnull(device);
	g_assert_cmpint(ub_device_get_protocol(device), ==, UB_PROTOCOL_FASTBOOT);
	g_clear_object(&device);
	device = ub_device_new_for_transport(host, UB_DEVICE_MODE_EDL, FALSE, &error);
	g_assert_no_error(error);
	g_assert_nonnull(device);
	g_assert_cmpint(ub_device_get_protocol(device), ==, UB_PROTOCOL_EDL);
	g_clear_object(&device);
	/* BootROM, preloader and the DA at 0e8d:2001 all get the MediaTek engine */
	device = ub_device_new_for_transport(host, UB_DEVICE_MODE_MTK_BROM, FALSE, &error);
	g_assert_no_error(error);
	g_assert_true(UB_IS_MTK_DEVICE(device));
	g_assert_cmpint(ub_device_get_protocol(device), ==, UB_PROTOCOL_MTK);
	g_assert_cmpint(ub_device_get_mode(device), ==, UB_DEVICE_MODE_MTK_BROM);
	g_clear_object(&device);
	device = ub_device_new_for_transport(host, UB_DEVICE_MODE_MTK_PRELOADER, FALSE, &error);
	g_assert_no_error(error);
	g_assert_true(UB_IS_MTK_DEVICE(device));
	g_clear_object(&device);
	device = ub_device_new_for_transport(host, UB_DEVICE_MODE_MTK_DA, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ub_device_get_mode(device), ==, UB_DEVICE_MODE_MTK_DA);
	g_clear_object(&device);
	/* no phone mode at all: a clear refusal, not a crash */
	device = ub_device_new_for_transport(host, UB_DEVICE_MODE_UNKNOWN, FALSE, &error);
	g_assert_null(device);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/device-spec/valid", ub_device_spec_valid_func);
	g_test_add_func("/ub/core/device-spec/fields", ub_device_spec_fields_func);
	g_test_add_func("/ub/core/device-spec/invalid", ub_device_spec_invalid_func);
	g_test_add_func("/ub/core/device-spec/open-tcp-refused", ub_device_spec_open_tcp_refused_func);
	g_test_add_func("/ub/core/device-spec/engine", ub_device_spec_engine_func);
	return g_test_run();
}
