/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-transport.h"

G_BEGIN_DECLS

#define UB_TYPE_TCP_TRANSPORT (ub_tcp_transport_get_type())
G_DECLARE_FINAL_TYPE(UbTcpTransport, ub_tcp_transport, UB, TCP_TRANSPORT, GObject)

UbTransport *
ub_tcp_transport_new_connect(const gchar *host,
			     guint16 port,
			     guint timeout_ms,
			     GCancellable *cancellable,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbTransport *
ub_tcp_transport_new_for_connection(GSocketConnection *connection) G_GNUC_WARN_UNUSED_RESULT;
GSocketConnection *
ub_tcp_transport_get_connection(UbTcpTransport *self);

G_END_DECLS
