/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>

#include "ub-error.h"
#include "ub-fd-poll.h"
#include "ub-tcp-transport.h"

struct _UbTcpTransport {
	GObject parent_instance;
	GSocketConnection *connection; /* NULL once closed */
	gchar *name;
};

static void
ub_tcp_transport_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbTcpTransport,
			ub_tcp_transport,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_tcp_transport_iface_init))

/* GIO errors of an established connection to UB_ERROR, once, at the boundary */
static void
ub_tcp_transport_convert_error(UbTcpTransport *self, GError **error)
{
	if (error == NULL || *error == NULL || ub_error_is_cancelled(*error))
		return;
	if (g_error_matches(*error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
	    g_error_matches(*error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
	    g_error_matches(*error, G_IO_ERROR, G_IO_ERROR_CLOSED)) {
		(*error)->domain = UB_ERROR;
		(*error)->code = UB_ERROR_DEVICE_GONE;
	}
	ub_error_convert(error);
	g_prefix_error(error, "%s: ", self->name);
}

static GSocket *
ub_tcp_transport_get_socket(UbTcpTransport *self, GError **error)
{
	if (self->connection == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: closed", self->name);
		return NULL;
	}
	return g_socket_connection_get_socket(self->connection);
}

static gboolean
ub_tcp_transport_write(UbTransport *transport,
		       const guint8 *buf,
		       gsize bufsz,
		       UbTransportWriteFlags flags,
		       guint timeout_ms,
		       GCancellable *cancellable,
		       GError **error)
{
	UbTcpTransport *self = UB_TCP_TRANSPORT(transport);
	GSocket *socket = ub_tcp_transport_get_socket(self, error);
	gint64 deadline = ub_fd_poll_deadline(timeout_ms);
	gsize done = 0;

	if (socket == NULL)
		return FALSE;

	/* a stream has no packets: UB_TRANSPORT_WRITE_FLAG_ZLP means nothing here */
	while (done < bufsz) {
		gssize n;
		g_autoptr(GError) error_local = NULL;
		if (ub_fd_poll_wait(g_socket_get_fd(socket),
				    POLLOUT,
				    deadline,
				    NULL,
				    self->name,
				    cancellable,
				    error) < 0)
			return FALSE;
		n = g_socket_send_with_blocking(socket,
						(const gchar *)buf + done,
						bufsz - done,
						FALSE,
						cancellable,
						&error_local);
		if (n < 0) {
			if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
				continue;
			ub_tcp_transport_convert_error(self, &error_local);
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		done += (gsize)n;

		/* the timeout bounds the time without progress */
		deadline = ub_fd_poll_deadline(timeout_ms);
	}
	return TRUE;
}

static gssize
ub_tcp_transport_read(UbTransport *transport,
		      guint8 *buf,
		      gsize bufsz,
		      guint timeout_ms,
		      GCancellable *cancellable,
		      GError **error)
{
	UbTcpTransport *self = UB_TCP_TRANSPORT(transport);
	GSocket *socket = ub_tcp_transport_get_socket(self, error);
	gint64 deadline = ub_fd_poll_deadline(timeout_ms);

	if (socket == NULL)
		return -1;
	if (bufsz == 0)
		return 0;
	for (;;) {
		gssize n;
		g_autoptr(GError) error_local = NULL;
		if (ub_fd_poll_wait(g_socket_get_fd(socket),
				    POLLIN,
				    deadline,
				    NULL,
				    self->name,
				    cancellable,
				    error) < 0)
			return -1;
		n = g_socket_receive_with_blocking(socket,
						   (gchar *)buf,
						   bufsz,
						   FALSE,
						   cancellable,
						   &error_local);
		if (n > 0)
			return n;
		if (n == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_DEVICE_GONE,
				    "%s: the other side closed the connection",
				    self->name);
			return -1;
		}
		if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
			continue;
		ub_tcp_transport_convert_error(self, &error_local);
		g_propagate_error(error, g_steal_pointer(&error_local));
		return -1;
	}
}

static gsize
ub_tcp_transport_get_max_packet_size(UbTransport *transport)
{
	return 0;
}

static const gchar *
ub_tcp_transport_get_name(UbTransport *transport)
{
	UbTcpTransport *self = UB_TCP_TRANSPORT(transport);
	return self->name;
}

static void
ub_tcp_transport_close(UbTransport *transport)
{
	UbTcpTransport *self = UB_TCP_TRANSPORT(transport);
	g_autoptr(GError) error_local = NULL;
	if (self->connection == NULL)
		return;
	if (!g_io_stream_close(G_IO_STREAM(self->connection), NULL, &error_local))
		g_debug("ignoring: %s", error_local->message);
	g_clear_object(&self->connection);
}

static void
ub_tcp_transport_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_tcp_transport_write;
	iface->read = ub_tcp_transport_read;
	iface->get_max_packet_size = ub_tcp_transport_get_max_packet_size;
	iface->get_name = ub_tcp_transport_get_name;
	iface->close = ub_tcp_transport_close;
}

static void
ub_tcp_transport_finalize(GObject *object)
{
	UbTcpTransport *self = UB_TCP_TRANSPORT(object);
	ub_tcp_transport_close(UB_TRANSPORT(self));
	g_free(self->name);
	G_OBJECT_CLASS(ub_tcp_transport_parent_class)->finalize(object);
}

static void
ub_tcp_transport_class_init(UbTcpTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_tcp_transport_finalize;
}

static void
ub_tcp_transport_init(UbTcpTransport *self)
{
}

static UbTcpTransport *
ub_tcp_transport_new_internal(GSocketConnection *connection, const gchar *name)
{
	GSocket *socket = g_socket_connection_get_socket(connection);
	g_autoptr(GError) error_local = NULL;
	UbTcpTransport *self = g_object_new(UB_TYPE_TCP_TRANSPORT, NULL);

	/* small commands and replies must not wait for Nagle */
	if (!g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, 1, &error_local))
		g_debug("ignoring: TCP_NODELAY: %s", error_local->message);
	g_socket_set_timeout(socket, 0);
	self->connection = g_object_ref(connection);
	self->name = g_strdup(name);
	return self;
}

/**
 * ub_tcp_transport_new_for_connection:
 * @connection: an established connection, e.g. from g_socket_listener_accept()
 *
 * Wraps a connection; the simulator's listening side uses this.
 *
 * Returns: (transfer full): a #UbTransport
 */
UbTransport *
ub_tcp_transport_new_for_connection(GSocketConnection *connection)
{
	g_autofree gchar *name = NULL;
	g_autoptr(GSocketAddress) address = NULL;

	g_return_val_if_fail(G_IS_SOCKET_CONNECTION(connection), NULL);

	address = g_socket_connection_get_remote_address(connection, NULL);
	if (G_IS_INET_SOCKET_ADDRESS(address)) {
		GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(address);
		g_autofree gchar *host =
		    g_inet_address_to_string(g_inet_socket_address_get_address(inet));
		name = g_strdup_printf("tcp:%s:%u", host, g_inet_socket_address_get_port(inet));
	} else {
		name = g_strdup("tcp:unknown");
	}
	return UB_TRANSPORT(ub_tcp_transport_new_internal(connection, name));
}

/**
 * ub_tcp_transport_new_connect:
 * @host: a host name or address
 * @port: the TCP port, e.g. 5554 for fastboot
 * @timeout_ms: connect timeout, rounded up to whole seconds; 0 for the system's
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Connects to @host. The transport is a plain byte stream: framing (such as
 * fastboot's TCP handshake) is the engine's job. A refused connection fails
 * with %UB_ERROR_NOT_FOUND, an unknown host with %UB_ERROR_NOT_FOUND too, a
 * connect timeout with %UB_ERROR_TIMED_OUT.
 *
 * Returns: (transfer full): a #UbTransport, or %NULL
 */
UbTransport *
ub_tcp_transport_new_connect(const gchar *host,
			     guint16 port,
			     guint timeout_ms,
			     GCancellable *cancellable,
			     GError **error)
{
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) connection = NULL;

	g_return_val_if_fail(host != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	name = g_strdup_printf("tcp:%s:%u", host, port);
	g_socket_client_set_protocol(client, G_SOCKET_PROTOCOL_TCP);

	/* a phone on the local network is never reached through a proxy */
	g_socket_client_set_enable_proxy(client, FALSE);
	if (timeout_ms > 0)
		g_socket_client_set_timeout(client, (timeout_ms + 999) / 1000);
	connection = g_socket_client_connect_to_host(client, host, port, cancellable, &error_local);
	if (connection == NULL) {
		if (ub_error_is_cancelled(error_local)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return NULL;
		}
		if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "connection to %s:%u refused: nothing is listening there "
				    "(is the device in fastboot mode on the network, or the "
				    "simulator running?)",
				    host,
				    port);
			return NULL;
		}
		if (error_local->domain == G_RESOLVER_ERROR) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "cannot resolve %s: %s",
				    host,
				    error_local->message);
			return NULL;
		}
		ub_error_convert(&error_local);
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "failed to connect to %s:%u: ",
					   host,
					   port);
		return NULL;
	}
	return UB_TRANSPORT(ub_tcp_transport_new_internal(connection, name));
}

/**
 * ub_tcp_transport_get_connection:
 * @self: a #UbTcpTransport
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL once closed
 */
GSocketConnection *
ub_tcp_transport_get_connection(UbTcpTransport *self)
{
	g_return_val_if_fail(UB_IS_TCP_TRANSPORT(self), NULL);
	return self->connection;
}
