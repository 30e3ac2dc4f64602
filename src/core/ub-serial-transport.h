/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-transport.h"

G_BEGIN_DECLS

#define UB_TYPE_SERIAL_TRANSPORT (ub_serial_transport_get_type())
G_DECLARE_FINAL_TYPE(UbSerialTransport, ub_serial_transport, UB, SERIAL_TRANSPORT, GObject)

#define UB_SERIAL_TRANSPORT_DEFAULT_BAUDRATE 115200

UbTransport *
ub_serial_transport_new(const gchar *path,
			guint baudrate,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *
ub_serial_transport_get_path(UbSerialTransport *self);

G_END_DECLS
