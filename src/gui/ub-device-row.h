/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"
#include "ub-usb-device-info.h"

G_BEGIN_DECLS

#define UB_TYPE_DEVICE_ROW (ub_device_row_get_type())
G_DECLARE_FINAL_TYPE(UbDeviceRow, ub_device_row, UB, DEVICE_ROW, GtkListBoxRow)

UbDeviceRow *
ub_device_row_new_for_info(UbUsbDeviceInfo *info);
UbDeviceRow *
ub_device_row_new_for_device(UbDevice *device);

UbUsbDeviceInfo *
ub_device_row_get_info(UbDeviceRow *self);
UbDevice *
ub_device_row_get_device(UbDeviceRow *self);
void
ub_device_row_set_device(UbDeviceRow *self, UbDevice *device);
const gchar *
ub_device_row_get_title(UbDeviceRow *self);
const gchar *
ub_device_row_get_subtitle(UbDeviceRow *self);
UbJob *
ub_device_row_get_job(UbDeviceRow *self);
void
ub_device_row_set_job(UbDeviceRow *self, UbJob *job);
GtkTextBuffer *
ub_device_row_get_log(UbDeviceRow *self);
void
ub_device_row_log(UbDeviceRow *self, const gchar *fmt, ...) G_GNUC_PRINTF(2, 3);

GCancellable *
ub_device_row_begin_work(UbDeviceRow *self);
void
ub_device_row_end_work(UbDeviceRow *self);
gboolean
ub_device_row_get_busy(UbDeviceRow *self);
void
ub_device_row_cancel(UbDeviceRow *self);
gboolean
ub_device_row_get_gone(UbDeviceRow *self);
void
ub_device_row_set_gone(UbDeviceRow *self);
void
ub_device_row_refresh(UbDeviceRow *self);
gboolean
ub_device_row_get_identified(UbDeviceRow *self);
void
ub_device_row_set_identified(UbDeviceRow *self, gboolean identified);
const gchar *
ub_device_row_get_kind(UbDeviceRow *self);

G_END_DECLS
