/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-device-spec.h"
#include "ub-sim-mtk.h"
#include "ub-sim-open.h"
#include "ub-sim-phone.h"

/* the phone re-enumerates on a new memory pair after reboot-fastboot / reboot-bootloader,
 * or, MediaTek, as 0e8d:2001 after the DA's SWITCH_USB_SPEED */
static UbTransport *
ub_sim_open_reconnect_cb(UbDevice *device,
			 UbDeviceMode mode,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 gpointer user_data,
			 GError **error)
{
	UbSimPhone *phone = g_object_get_data(G_OBJECT(device), "ub-sim-phone");
	if (phone == NULL) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "the simulated phone is gone");
		return NULL;
	}
	return ub_sim_phone_wait_reconnect(phone, timeout_ms, cancellable, error);
}

/**
 * ub_sim_open_device:
 * @kind: fastboot, edl or mtk
 * @dir: (nullable): the phone's storage folder, kept between runs; %NULL for a
 *   fresh phone in a temporary folder
 * @error: (nullable): return location for a #GError
 *
 * Starts a simulated phone in this process and returns the engine talking to
 * it through an in-memory pipe: what `--device sim:KIND[:DIR]` opens. The phone
 * lives as long as the device.
 *
 * Returns: (transfer full): a #UbDevice, not yet opened
 */
UbDevice *
ub_sim_open_device(const gchar *kind, const gchar *dir, GError **error)
{
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbTransport) host_end = NULL;
	g_autofree gchar *spec = dir != NULL ? g_strdup_printf("%s:%s", kind, dir) : g_strdup(kind);
	UbDevice *device;
	UbDeviceMode mode;

	if (g_strcmp0(kind, "fastboot") == 0) {
		mode = UB_DEVICE_MODE_FASTBOOT;
	} else if (g_strcmp0(kind, "edl") == 0) {
		mode = UB_DEVICE_MODE_EDL;
	} else if (g_strcmp0(kind, "mtk") == 0) {
		mode = UB_DEVICE_MODE_MTK_BROM;
	} else {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "unknown simulated phone '%s': use fastboot, edl or mtk",
			    kind);
		return NULL;
	}
	phone = ub_sim_phone_new_in_process(spec, &host_end, error);
	if (phone == NULL) {
		g_prefix_error(error, "failed to start the simulated %s phone: ", kind);
		return NULL;
	}
	/* UB_SIM_MTK_MODE=preloader: the phone shows up as 0e8d:2000 */
	if (mode == UB_DEVICE_MODE_MTK_BROM &&
	    g_strcmp0(g_getenv(UB_SIM_MTK_ENV_MODE), "preloader") == 0)
		mode = UB_DEVICE_MODE_MTK_PRELOADER;
	device = ub_device_new_for_transport(host_end, mode, FALSE, error);
	if (device == NULL) {
		ub_sim_phone_stop(phone);
		return NULL;
	}
	ub_device_set_simulated(device, TRUE);
	/* fastboot reboots and the MediaTek speed switch re-enumerate */
	if (mode == UB_DEVICE_MODE_FASTBOOT || mode == UB_DEVICE_MODE_MTK_BROM ||
	    mode == UB_DEVICE_MODE_MTK_PRELOADER)
		ub_device_set_reconnect_func(device, ub_sim_open_reconnect_cb, NULL, NULL);
	/* the phone thread stops when the device goes */
	g_object_set_data_full(G_OBJECT(device),
			       "ub-sim-phone",
			       g_steal_pointer(&phone),
			       (GDestroyNotify)g_object_unref);
	return device;
}
