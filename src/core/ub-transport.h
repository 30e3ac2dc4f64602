/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_TYPE_TRANSPORT (ub_transport_get_type())
G_DECLARE_INTERFACE(UbTransport, ub_transport, UB, TRANSPORT, GObject)

/**
 * UbTransportWriteFlags:
 * @UB_TRANSPORT_WRITE_FLAG_NONE: no flags
 * @UB_TRANSPORT_WRITE_FLAG_ZLP: end the transfer with a zero-length packet when its
 *   length is a multiple of the max packet size (packet-based transports only)
 */
typedef enum {
	UB_TRANSPORT_WRITE_FLAG_NONE = 0,
	UB_TRANSPORT_WRITE_FLAG_ZLP = 1 << 0,
} UbTransportWriteFlags;

/**
 * UbTransportInterface:
 * @write: write all of @buf, or fail; a large buffer may be split into several
 *   transfers in flight by the backend; @timeout_ms bounds the time without
 *   progress, not the whole write, and 0 waits forever
 * @read: read at most @bufsz bytes: returns the number read (0 for a zero-length
 *   packet), or -1 with %UB_ERROR_TIMED_OUT after @timeout_ms, %UB_ERROR_DEVICE_GONE
 *   on disconnect, or %G_IO_ERROR_CANCELLED; a packet-based transport returns at
 *   the end of a transfer, a stream one as soon as any data is there
 * @get_max_packet_size: the endpoint's wMaxPacketSize, or 0 for a byte stream
 * @get_name: a short name for logs, e.g. "usb:1-4 05c6:9008"
 * @close: release the underlying resource; further calls fail with DEVICE_GONE
 *
 * The pipe an engine talks through. Every call is blocking and is made from one
 * worker thread at a time; @cancellable must interrupt a blocked call within a
 * few hundred milliseconds.
 */
struct _UbTransportInterface {
	GTypeInterface g_iface;
	gboolean (*write)(UbTransport *self,
			  const guint8 *buf,
			  gsize bufsz,
			  UbTransportWriteFlags flags,
			  guint timeout_ms,
			  GCancellable *cancellable,
			  GError **error);
	gssize (*read)(UbTransport *self,
		       guint8 *buf,
		       gsize bufsz,
		       guint timeout_ms,
		       GCancellable *cancellable,
		       GError **error);
	gsize (*get_max_packet_size)(UbTransport *self);
	const gchar *(*get_name)(UbTransport *self);
	void (*close)(UbTransport *self);
};

gboolean
ub_transport_write(UbTransport *self,
		   const guint8 *buf,
		   gsize bufsz,
		   UbTransportWriteFlags flags,
		   guint timeout_ms,
		   GCancellable *cancellable,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gssize
ub_transport_read(UbTransport *self,
		  guint8 *buf,
		  gsize bufsz,
		  guint timeout_ms,
		  GCancellable *cancellable,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_transport_read_exact(UbTransport *self,
			guint8 *buf,
			gsize bufsz,
			guint timeout_ms,
			GCancellable *cancellable,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gsize
ub_transport_get_max_packet_size(UbTransport *self);
const gchar *
ub_transport_get_name(UbTransport *self);
void
ub_transport_close(UbTransport *self);

G_END_DECLS
