/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-fastboot-wire.h"
#include "ub-mem.h"

/* a peer sending endless empty packets must not keep us busy forever */
#define UB_FASTBOOT_WIRE_MAX_EMPTY 1024
/* small TCP frames are written with their header in one go */
#define UB_FASTBOOT_WIRE_COALESCE_MAX 4096

struct _UbFastbootWire {
	UbTransport *transport;
	gboolean tcp;
	guint64 frame_left; /* TCP: bytes of the current incoming frame not read yet */
};

/**
 * ub_fastboot_wire_new:
 * @transport: a #UbTransport
 * @tcp: %TRUE for the TCP framing
 *
 * Returns: (transfer full): a new wire
 */
UbFastbootWire *
ub_fastboot_wire_new(UbTransport *transport, gboolean tcp)
{
	UbFastbootWire *self = g_new0(UbFastbootWire, 1);
	self->transport = g_object_ref(transport);
	self->tcp = tcp;
	return self;
}

void
ub_fastboot_wire_free(UbFastbootWire *self)
{
	if (self == NULL)
		return;
	g_object_unref(self->transport);
	g_free(self);
}

gboolean
ub_fastboot_wire_get_tcp(UbFastbootWire *self)
{
	return self->tcp;
}

UbTransport *
ub_fastboot_wire_get_transport(UbFastbootWire *self)
{
	return self->transport;
}

/**
 * ub_fastboot_wire_handshake:
 * @self: a #UbFastbootWire
 * @host: %TRUE for the host side (speaks first), %FALSE for the device
 * @timeout_ms: how long to wait for the peer
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * The TCP protocol v1 handshake: each side sends "FB01"; any "FBnn" with
 * nn >= 1 is accepted and both use version 1. Does nothing on USB.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_fastboot_wire_handshake(UbFastbootWire *self,
			   gboolean host,
			   guint timeout_ms,
			   GCancellable *cancellable,
			   GError **error)
{
	static const guint8 hello[4] = {'F', 'B', '0', '1'};
	guint8 buf[4] = {0};
	guint version;

	if (!self->tcp)
		return TRUE;
	if (host && !ub_transport_write(self->transport,
					hello,
					sizeof(hello),
					UB_TRANSPORT_WRITE_FLAG_NONE,
					timeout_ms,
					cancellable,
					error)) {
		g_prefix_error(error, "failed to send handshake: ");
		return FALSE;
	}
	if (!ub_transport_read_exact(self->transport,
				     buf,
				     sizeof(buf),
				     timeout_ms,
				     cancellable,
				     error)) {
		g_prefix_error(error, "failed to read handshake: ");
		return FALSE;
	}
	if (buf[0] != 'F' || buf[1] != 'B' || !g_ascii_isdigit(buf[2]) ||
	    !g_ascii_isdigit(buf[3])) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "peer is not fastboot: handshake %02x %02x %02x %02x",
			    buf[0],
			    buf[1],
			    buf[2],
			    buf[3]);
		return FALSE;
	}
	version = (guint)(buf[2] - '0') * 10 + (guint)(buf[3] - '0');
	if (version < 1) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "unknown fastboot TCP protocol version %u",
			    version);
		return FALSE;
	}
	if (!host && !ub_transport_write(self->transport,
					 hello,
					 sizeof(hello),
					 UB_TRANSPORT_WRITE_FLAG_NONE,
					 timeout_ms,
					 cancellable,
					 error)) {
		g_prefix_error(error, "failed to send handshake: ");
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_fastboot_wire_write:
 * @self: a #UbFastbootWire
 * @buf: one packet (a command, a response or a piece of a data phase)
 * @bufsz: its size
 * @timeout_ms: timeout for the write
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if all of @buf was written
 */
gboolean
ub_fastboot_wire_write(UbFastbootWire *self,
		       const guint8 *buf,
		       gsize bufsz,
		       guint timeout_ms,
		       GCancellable *cancellable,
		       GError **error)
{
	guint8 hdr[8];

	if (!self->tcp) {
		return ub_transport_write(self->transport,
					  buf,
					  bufsz,
					  UB_TRANSPORT_WRITE_FLAG_NONE,
					  timeout_ms,
					  cancellable,
					  error);
	}
	ub_mem_write_u64_be(hdr, 0, bufsz);
	if (bufsz <= UB_FASTBOOT_WIRE_COALESCE_MAX) {
		guint8 tmp[8 + UB_FASTBOOT_WIRE_COALESCE_MAX];
		memcpy(tmp, hdr, sizeof(hdr));
		if (bufsz > 0)
			memcpy(tmp + 8, buf, bufsz);
		return ub_transport_write(self->transport,
					  tmp,
					  8 + bufsz,
					  UB_TRANSPORT_WRITE_FLAG_NONE,
					  timeout_ms,
					  cancellable,
					  error);
	}
	if (!ub_transport_write(self->transport,
				hdr,
				sizeof(hdr),
				UB_TRANSPORT_WRITE_FLAG_NONE,
				timeout_ms,
				cancellable,
				error))
		return FALSE;
	return ub_transport_write(self->transport,
				  buf,
				  bufsz,
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  timeout_ms,
				  cancellable,
				  error);
}

/* TCP: make sure a frame with bytes left is current */
static gboolean
ub_fastboot_wire_next_frame(UbFastbootWire *self,
			    guint timeout_ms,
			    GCancellable *cancellable,
			    GError **error)
{
	for (guint i = 0; self->frame_left == 0; i++) {
		guint8 hdr[8] = {0};
		if (i >= UB_FASTBOOT_WIRE_MAX_EMPTY) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_PROTOCOL,
					    "peer sent only empty frames");
			return FALSE;
		}
		if (!ub_transport_read_exact(self->transport,
					     hdr,
					     sizeof(hdr),
					     timeout_ms,
					     cancellable,
					     error))
			return FALSE;
		self->frame_left = ub_mem_read_u64_be(hdr, 0);
	}
	return TRUE;
}

/**
 * ub_fastboot_wire_read:
 * @self: a #UbFastbootWire
 * @buf: buffer
 * @bufsz: size of @buf
 * @timeout_ms: timeout of each transport read
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Reads data-phase bytes: one transfer on USB (0 for a ZLP), on TCP up to
 * @bufsz bytes of the current frame, reading the next header when needed.
 *
 * Returns: bytes read or -1
 */
gssize
ub_fastboot_wire_read(UbFastbootWire *self,
		      guint8 *buf,
		      gsize bufsz,
		      guint timeout_ms,
		      GCancellable *cancellable,
		      GError **error)
{
	gssize n;

	if (!self->tcp)
		return ub_transport_read(self->transport,
					 buf,
					 bufsz,
					 timeout_ms,
					 cancellable,
					 error);
	if (!ub_fastboot_wire_next_frame(self, timeout_ms, cancellable, error))
		return -1;
	n = ub_transport_read(self->transport,
			      buf,
			      (gsize)MIN((guint64)bufsz, self->frame_left),
			      timeout_ms,
			      cancellable,
			      error);
	if (n < 0)
		return -1;
	self->frame_left -= (guint64)n;
	return n;
}

/**
 * ub_fastboot_wire_read_packet:
 * @self: a #UbFastbootWire
 * @buf: buffer
 * @bufsz: size of @buf, the largest packet accepted
 * @timeout_ms: timeout of each transport read
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Reads one whole non-empty packet (a command or a response): zero-length
 * packets are skipped. On TCP a frame larger than @bufsz is a
 * %UB_ERROR_PROTOCOL error and stays unread (see ub_fastboot_wire_skip_frame());
 * on USB a transfer larger than @bufsz fills @buf, so pass one byte more than
 * the limit to detect it.
 *
 * Returns: bytes read or -1
 */
gssize
ub_fastboot_wire_read_packet(UbFastbootWire *self,
			     guint8 *buf,
			     gsize bufsz,
			     guint timeout_ms,
			     GCancellable *cancellable,
			     GError **error)
{
	if (!self->tcp) {
		for (guint i = 0; i < UB_FASTBOOT_WIRE_MAX_EMPTY; i++) {
			gssize n = ub_transport_read(self->transport,
						     buf,
						     bufsz,
						     timeout_ms,
						     cancellable,
						     error);
			if (n != 0)
				return n;
		}
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "peer sent only zero-length packets");
		return -1;
	}
	if (!ub_fastboot_wire_next_frame(self, timeout_ms, cancellable, error))
		return -1;
	if (self->frame_left > bufsz) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "packet of %" G_GUINT64_FORMAT " bytes is longer than %" G_GSIZE_FORMAT,
			    self->frame_left,
			    bufsz);
		return -1;
	}
	if (!ub_transport_read_exact(self->transport,
				     buf,
				     (gsize)self->frame_left,
				     timeout_ms,
				     cancellable,
				     error))
		return -1;
	bufsz = (gsize)self->frame_left;
	self->frame_left = 0;
	return (gssize)bufsz;
}

/**
 * ub_fastboot_wire_skip_frame:
 * @self: a #UbFastbootWire
 * @timeout_ms: timeout of each transport read
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Discards the rest of the current TCP frame. Does nothing on USB.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_fastboot_wire_skip_frame(UbFastbootWire *self,
			    guint timeout_ms,
			    GCancellable *cancellable,
			    GError **error)
{
	guint8 buf[4096];
	while (self->tcp && self->frame_left > 0) {
		gssize n = ub_transport_read(self->transport,
					     buf,
					     (gsize)MIN((guint64)sizeof(buf), self->frame_left),
					     timeout_ms,
					     cancellable,
					     error);
		if (n < 0)
			return FALSE;
		self->frame_left -= (guint64)n;
	}
	return TRUE;
}
