/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-transport.h"

G_BEGIN_DECLS

/* fastboot packets over a transport, for both ends (engine and simulator):
 * on USB one packet is one transfer; on TCP every packet is framed with an
 * 8-byte big-endian length and frames are a byte stream for data phases */
typedef struct _UbFastbootWire UbFastbootWire;

UbFastbootWire *ub_fastboot_wire_new(UbTransport *transport, gboolean tcp);
void ub_fastboot_wire_free(UbFastbootWire *self);
gboolean ub_fastboot_wire_get_tcp(UbFastbootWire *self);
UbTransport *ub_fastboot_wire_get_transport(UbFastbootWire *self);

gboolean ub_fastboot_wire_handshake(UbFastbootWire *self,
				    gboolean host,
				    guint timeout_ms,
				    GCancellable *cancellable,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ub_fastboot_wire_write(UbFastbootWire *self,
				const guint8 *buf,
				gsize bufsz,
				guint timeout_ms,
				GCancellable *cancellable,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
gssize ub_fastboot_wire_read(UbFastbootWire *self,
			     guint8 *buf,
			     gsize bufsz,
			     guint timeout_ms,
			     GCancellable *cancellable,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gssize ub_fastboot_wire_read_packet(UbFastbootWire *self,
				    guint8 *buf,
				    gsize bufsz,
				    guint timeout_ms,
				    GCancellable *cancellable,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ub_fastboot_wire_skip_frame(UbFastbootWire *self,
				     guint timeout_ms,
				     GCancellable *cancellable,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbFastbootWire, ub_fastboot_wire_free)

G_END_DECLS
