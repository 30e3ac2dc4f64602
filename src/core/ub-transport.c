/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-transport.h"

G_DEFINE_INTERFACE(UbTransport, ub_transport, G_TYPE_OBJECT)

static void
ub_transport_default_init(UbTransportInterface *iface)
{
}

/**
 * ub_transport_write:
 * @self: a #UbTransport
 * @buf: data
 * @bufsz: size of @buf; 0 sends a zero-length packet on packet transports
 * @flags: #UbTransportWriteFlags
 * @timeout_ms: longest time without progress, 0 for none
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if all of @buf was written
 */
gboolean
ub_transport_write(UbTransport *self,
		   const guint8 *buf,
		   gsize bufsz,
		   UbTransportWriteFlags flags,
		   guint timeout_ms,
		   GCancellable *cancellable,
		   GError **error)
{
	UbTransportInterface *iface;
	g_return_val_if_fail(UB_IS_TRANSPORT(self), FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return FALSE;
	iface = UB_TRANSPORT_GET_IFACE(self);
	return iface->write(self, buf, bufsz, flags, timeout_ms, cancellable, error);
}

/**
 * ub_transport_read:
 * @self: a #UbTransport
 * @buf: buffer
 * @bufsz: size of @buf
 * @timeout_ms: timeout
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: bytes read, 0 for a zero-length packet, or -1 on error
 */
gssize
ub_transport_read(UbTransport *self,
		  guint8 *buf,
		  gsize bufsz,
		  guint timeout_ms,
		  GCancellable *cancellable,
		  GError **error)
{
	UbTransportInterface *iface;
	g_return_val_if_fail(UB_IS_TRANSPORT(self), -1);
	g_return_val_if_fail(buf != NULL, -1);
	g_return_val_if_fail(error == NULL || *error == NULL, -1);
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return -1;
	iface = UB_TRANSPORT_GET_IFACE(self);
	return iface->read(self, buf, bufsz, timeout_ms, cancellable, error);
}

/**
 * ub_transport_read_exact:
 * @self: a #UbTransport
 * @buf: buffer
 * @bufsz: bytes wanted
 * @timeout_ms: timeout for each read
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Reads exactly @bufsz bytes, across as many transfers as it takes; zero-length
 * packets are skipped.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_transport_read_exact(UbTransport *self,
			guint8 *buf,
			gsize bufsz,
			guint timeout_ms,
			GCancellable *cancellable,
			GError **error)
{
	gsize done = 0;
	while (done < bufsz) {
		gssize n =
		    ub_transport_read(self, buf + done, bufsz - done, timeout_ms, cancellable, error);
		if (n < 0) {
			g_prefix_error(error,
				       "short read after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
				       " bytes: ",
				       done,
				       bufsz);
			return FALSE;
		}
		done += (gsize)n;
	}
	return TRUE;
}

gsize
ub_transport_get_max_packet_size(UbTransport *self)
{
	UbTransportInterface *iface;
	g_return_val_if_fail(UB_IS_TRANSPORT(self), 0);
	iface = UB_TRANSPORT_GET_IFACE(self);
	return iface->get_max_packet_size != NULL ? iface->get_max_packet_size(self) : 0;
}

const gchar *
ub_transport_get_name(UbTransport *self)
{
	UbTransportInterface *iface;
	g_return_val_if_fail(UB_IS_TRANSPORT(self), NULL);
	iface = UB_TRANSPORT_GET_IFACE(self);
	return iface->get_name != NULL ? iface->get_name(self) : G_OBJECT_TYPE_NAME(self);
}

void
ub_transport_close(UbTransport *self)
{
	UbTransportInterface *iface;
	g_return_if_fail(UB_IS_TRANSPORT(self));
	iface = UB_TRANSPORT_GET_IFACE(self);
	if (iface->close != NULL)
		iface->close(self);
}
