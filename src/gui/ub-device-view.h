/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"
#include "ub-usb-device-info.h"

G_BEGIN_DECLS

#define UB_TYPE_DEVICE_VIEW (ub_device_view_get_type())
G_DECLARE_FINAL_TYPE(UbDeviceView, ub_device_view, UB, DEVICE_VIEW, GtkBox)

void
ub_device_view_set_device(UbDeviceView *self,
			  UbDevice *device,
			  UbUsbDeviceInfo *info,
			  const gchar *title,
			  const gchar *subtitle);

G_END_DECLS
