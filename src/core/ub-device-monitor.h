/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-device-db.h"
#include "ub-usb-device-info.h"

G_BEGIN_DECLS

#define UB_TYPE_DEVICE_MONITOR (ub_device_monitor_get_type())
G_DECLARE_FINAL_TYPE(UbDeviceMonitor, ub_device_monitor, UB, DEVICE_MONITOR, GObject)

/**
 * UB_DEVICE_MODE_FLAG:
 * @mode: a #UbDeviceMode
 *
 * The bit for @mode in the mode mask of ub_device_monitor_wait_for().
 */
#define UB_DEVICE_MODE_FLAG(mode) (1u << (guint)(mode))

/**
 * UB_DEVICE_MODE_FLAGS_ANY:
 *
 * Every mode the device table knows.
 */
#define UB_DEVICE_MODE_FLAGS_ANY                                                               \
	(((1u << (guint)UB_DEVICE_MODE_LAST) - 1u) & ~UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_UNKNOWN))

/**
 * UbDeviceMonitorMatchFunc:
 * @info: a device that is present
 * @user_data: the data passed to ub_device_monitor_wait_for_match()
 *
 * Called from the waiting thread with no lock held.
 *
 * Returns: %TRUE to return @info to the waiter
 */
typedef gboolean (*UbDeviceMonitorMatchFunc)(UbUsbDeviceInfo *info, gpointer user_data);

UbDeviceMonitor *
ub_device_monitor_new(void) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_monitor_start(UbDeviceMonitor *self, GError **error);
void
ub_device_monitor_stop(UbDeviceMonitor *self);
gboolean
ub_device_monitor_is_polling(UbDeviceMonitor *self);
GPtrArray *
ub_device_monitor_get_devices(UbDeviceMonitor *self)
    G_GNUC_WARN_UNUSED_RESULT;
UbUsbDeviceInfo *
ub_device_monitor_wait_for(UbDeviceMonitor *self,
			   guint mode_flags,
			   guint timeout_ms,
			   GCancellable *cancellable,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbUsbDeviceInfo *
ub_device_monitor_wait_for_match(UbDeviceMonitor *self,
				 UbDeviceMonitorMatchFunc func,
				 gpointer user_data,
				 guint timeout_ms,
				 GCancellable *cancellable,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

void
ub_device_monitor_diff(GPtrArray *old_devices,
		       GPtrArray *new_devices,
		       GPtrArray *added,
		       GPtrArray *removed);

G_END_DECLS
