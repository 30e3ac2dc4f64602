/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-device.h"

G_BEGIN_DECLS

typedef enum {
	UB_DEVICE_SPEC_KIND_AUTO,
	UB_DEVICE_SPEC_KIND_USB_IDS,
	UB_DEVICE_SPEC_KIND_USB_PATH,
	UB_DEVICE_SPEC_KIND_USB_SERIAL,
	UB_DEVICE_SPEC_KIND_SERIAL,
	UB_DEVICE_SPEC_KIND_TCP,
	UB_DEVICE_SPEC_KIND_SIM,
	UB_DEVICE_SPEC_KIND_WAIT,
	UB_DEVICE_SPEC_KIND_LAST
} UbDeviceSpecKind;

/**
 * UbDeviceSpec:
 * @kind: how the device is named
 * @vid: for usb:VID:PID
 * @pid: for usb:VID:PID
 * @path: the bus-port path (usb:1-4.2), the USB serial (usb:serial=...), the
 *   tty (serial:/dev/ttyUSB0) or the simulator folder (sim:KIND:DIR, nullable)
 * @host: for tcp:HOST:PORT
 * @port: for tcp:HOST:PORT
 * @sim_kind: for sim:KIND[:DIR]: fastboot, edl, mtk
 * @serial_mode: for serial:PATH, what the caller knows the phone to be
 *   (%UB_DEVICE_MODE_MTK_BROM when given a Download Agent, %UB_DEVICE_MODE_EDL
 *   when given a programmer), else %UB_DEVICE_MODE_UNKNOWN: then the USB
 *   vendor behind the tty decides, then its name (cdc_acm ttyACM: MediaTek)
 *
 * "wait" waits for the next MediaTek phone in BootROM or preloader mode and
 * opens it the moment it arrives (the preloader leaves after a few seconds).
 *
 * What the user passed as --device. Parsing is pure; opening is separate.
 */
typedef struct {
	UbDeviceSpecKind kind;
	guint16 vid;
	guint16 pid;
	gchar *path;
	gchar *host;
	guint16 port;
	gchar *sim_kind;
	UbDeviceMode serial_mode;
} UbDeviceSpec;

UbDeviceSpec *
ub_device_spec_parse(const gchar *str, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_device_spec_free(UbDeviceSpec *spec);
gchar *
ub_device_spec_to_string(const UbDeviceSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbDeviceSpec, ub_device_spec_free)

UbDevice *
ub_device_new_for_transport(UbTransport *transport,
			    UbDeviceMode mode,
			    gboolean tcp,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbDevice *
ub_device_spec_open(const UbDeviceSpec *spec,
		    guint timeout_ms,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
