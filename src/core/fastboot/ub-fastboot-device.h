/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-device.h"

G_BEGIN_DECLS

#define UB_TYPE_FASTBOOT_DEVICE (ub_fastboot_device_get_type())
G_DECLARE_FINAL_TYPE(UbFastbootDevice, ub_fastboot_device, UB, FASTBOOT_DEVICE, UbDevice)

/* @transport is a packet transport (USB, in-memory) or, when @tcp is TRUE, a
 * byte stream carrying the fastboot TCP framing (FB01 handshake, 8-byte
 * big-endian lengths) */
UbDevice *
ub_fastboot_device_new(UbTransport *transport, gboolean tcp);

gchar *
ub_fastboot_device_getvar(UbFastbootDevice *self,
			  const gchar *name,
			  GCancellable *cancellable,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_fastboot_device_command(UbFastbootDevice *self,
			   const gchar *command,
			   gchar **okay_text,
			   GCancellable *cancellable,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

void
ub_fastboot_device_set_timeout(UbFastbootDevice *self, guint timeout_ms);
guint
ub_fastboot_device_get_timeout(UbFastbootDevice *self);
guint64
ub_fastboot_device_get_max_download_size(UbFastbootDevice *self);
GPtrArray *
ub_fastboot_device_getvar_all(UbFastbootDevice *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_fastboot_device_download(UbFastbootDevice *self,
			    GInputStream *stream,
			    guint64 size,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_fastboot_device_upload(UbFastbootDevice *self,
			  GOutputStream *stream,
			  UbProgress *progress,
			  GCancellable *cancellable,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;


/**
 * UbFastbootOpenFunc:
 * @user_data: data given with the function
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Opens an image afresh, from its first byte.
 *
 * Returns: (transfer full): a new stream, closed by the caller
 */
typedef GInputStream *(*UbFastbootOpenFunc)(gpointer user_data,
					    GCancellable *cancellable,
					    GError **error);

gboolean
ub_fastboot_device_flash(UbFastbootDevice *self,
			 const gchar *partition,
			 UbFastbootOpenFunc open_func,
			 gpointer user_data,
			 guint64 size,
			 UbProgress *progress,
			 GCancellable *cancellable,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_fastboot_device_switch_mode(UbFastbootDevice *self,
			       UbDeviceMode mode,
			       GCancellable *cancellable,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_fastboot_device_set_reconnect_timeout(UbFastbootDevice *self, guint timeout_ms);

G_END_DECLS
