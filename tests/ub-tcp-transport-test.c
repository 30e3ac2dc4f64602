/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-tcp-transport.h"

/* a listener on 127.0.0.1 only, on a free port */
static GSocketListener *
ub_tcp_transport_test_listen(guint16 *port)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) effective = NULL;
	g_autoptr(GSocketListener) listener = g_socket_listener_new();

	g_assert_true(g_socket_listener_add_address(listener,
						    address,
						    G_SOCKET_TYPE_STREAM,
						    G_SOCKET_PROTOCOL_TCP,
						    NULL,
						    &effective,
						    &error));
	g_assert_no_error(error);
	*port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	return g_steal_pointer(&listener);
}

/* connects the engine side and accepts the simulator side */
static void
ub_tcp_transport_test_pair(UbTransport **client, UbTransport **server)
{
	guint16 port = 0;
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) connection = NULL;
	g_autoptr(GSocketListener) listener = ub_tcp_transport_test_listen(&port);

	/* the kernel completes the handshake before accept() */
	*client = ub_tcp_transport_new_connect("127.0.0.1", port, 2000, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(*client);
	name = g_strdup_printf("tcp:127.0.0.1:%u", port);
	g_assert_cmpstr(ub_transport_get_name(*client), ==, name);
	g_assert_cmpuint(ub_transport_get_max_packet_size(*client), ==, 0);

	connection = g_socket_listener_accept(listener, NULL, NULL, &error);
	g_assert_no_error(error);
	*server = ub_tcp_transport_new_for_connection(connection);
	g_assert_true(g_str_has_prefix(ub_transport_get_name(*server), "tcp:127.0.0.1:"));
}

typedef struct {
	UbTransport *transport;
	gsize total;
} UbTcpTransportTestSink;

static guint8
ub_tcp_transport_test_pattern(gsize i)
{
	return (guint8)((i * 13 + i / 251) & 0xff);
}

static gpointer
ub_tcp_transport_test_sink_thread_cb(gpointer user_data)
{
	UbTcpTransportTestSink *sink = user_data;
	gsize done = 0;
	g_autofree guint8 *buf = g_malloc(100000);
	while (done < sink->total) {
		gssize n = ub_transport_read(sink->transport, buf, 100000, 5000, NULL, NULL);
		if (n <= 0)
			return GINT_TO_POINTER(1);
		for (gssize i = 0; i < n; i++) {
			if (buf[i] != ub_tcp_transport_test_pattern(done + i))
				return GINT_TO_POINTER(2);
		}
		done += (gsize)n;
	}
	return NULL;
}

static void
ub_tcp_transport_test_exchange(void)
{
	gssize n;
	guint8 buf[64] = {0};
	gsize total = 8 * 1024 * 1024;
	GThread *thread;
	UbTcpTransportTestSink sink = {0};
	g_autofree guint8 *big = g_malloc(total);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) client = NULL;
	g_autoptr(UbTransport) server = NULL;

	ub_tcp_transport_test_pair(&client, &server);

	g_assert_true(ub_transport_write(client,
					 (const guint8 *)"getvar:product",
					 14,
					 0,
					 1000,
					 NULL,
					 &error));
	g_assert_no_error(error);
	g_assert_true(ub_transport_read_exact(server, buf, 14, 1000, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(buf, 14, "getvar:product", 14);

	g_assert_true(
	    ub_transport_write(server, (const guint8 *)"OKAYsim", 7, 0, 1000, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(client, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >=, 1);
	if (n < 7)
		g_assert_true(
		    ub_transport_read_exact(client, buf + n, 7 - (gsize)n, 1000, NULL, &error));
	g_assert_cmpmem(buf, 7, "OKAYsim", 7);

	/* a write larger than any socket buffer completes while the peer reads */
	for (gsize i = 0; i < total; i++)
		big[i] = ub_tcp_transport_test_pattern(i);
	sink.transport = server;
	sink.total = total;
	thread = g_thread_new("sink", ub_tcp_transport_test_sink_thread_cb, &sink);
	g_assert_true(ub_transport_write(client, big, total, 0, 5000, NULL, &error));
	g_assert_no_error(error);
	g_assert_null(g_thread_join(thread));
}

static void
ub_tcp_transport_test_timeout(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[16];
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) client = NULL;
	g_autoptr(UbTransport) server = NULL;

	ub_tcp_transport_test_pair(&client, &server);
	start = g_get_monotonic_time();
	n = ub_transport_read(client, buf, sizeof(buf), 100, NULL, &error);
	elapsed = g_get_monotonic_time() - start;
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, >=, 90 * 1000);
	g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
}

static gpointer
ub_tcp_transport_test_cancel_thread_cb(gpointer user_data)
{
	g_usleep(100 * 1000);
	g_cancellable_cancel(G_CANCELLABLE(user_data));
	return NULL;
}

static void
ub_tcp_transport_test_cancel(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[16];
	GThread *thread;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) client = NULL;
	g_autoptr(UbTransport) server = NULL;

	ub_tcp_transport_test_pair(&client, &server);
	thread = g_thread_new("cancel", ub_tcp_transport_test_cancel_thread_cb, cancellable);
	start = g_get_monotonic_time();
	n = ub_transport_read(client, buf, sizeof(buf), 0, cancellable, &error);
	elapsed = g_get_monotonic_time() - start;
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, >=, 50 * 1000);
	g_assert_cmpint(elapsed, <, G_USEC_PER_SEC);
}

static void
ub_tcp_transport_test_peer_close(void)
{
	gssize n;
	guint8 buf[4096] = {0};
	gboolean ret = TRUE;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) client = NULL;
	g_autoptr(UbTransport) server = NULL;

	ub_tcp_transport_test_pair(&client, &server);

	/* what was sent before the close still arrives, then DEVICE_GONE */
	g_assert_true(ub_transport_write(server, (const guint8 *)"OKAY", 4, 0, 1000, NULL, &error));
	ub_transport_close(server);
	g_assert_true(ub_transport_read_exact(client, buf, 4, 1000, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(client, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpint(n, ==, -1);
	g_clear_error(&error);

	/* the first write may still be buffered; the peer's RST fails a later one */
	for (guint i = 0; i < 50 && ret; i++) {
		ret = ub_transport_write(client, buf, sizeof(buf), 0, 1000, NULL, &error);
		if (ret)
			g_usleep(1000);
	}
	g_assert_false(ret);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);

	/* our own close */
	ub_transport_close(client);
	n = ub_transport_read(client, buf, sizeof(buf), 100, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpint(n, ==, -1);
}

static void
ub_tcp_transport_test_refused(void)
{
	guint16 port = 0;
	g_autofree gchar *where = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) client = NULL;
	GSocketListener *listener = ub_tcp_transport_test_listen(&port);

	/* a port that was free a moment ago: nothing listens there now */
	g_socket_listener_close(listener);
	g_object_unref(listener);
	client = ub_tcp_transport_new_connect("127.0.0.1", port, 2000, NULL, &error);
	g_assert_null(client);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	where = g_strdup_printf("127.0.0.1:%u refused", port);
	g_assert_nonnull(strstr(error->message, where));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/tcp-transport/exchange", ub_tcp_transport_test_exchange);
	g_test_add_func("/ub/core/tcp-transport/timeout", ub_tcp_transport_test_timeout);
	g_test_add_func("/ub/core/tcp-transport/cancel", ub_tcp_transport_test_cancel);
	g_test_add_func("/ub/core/tcp-transport/peer-close", ub_tcp_transport_test_peer_close);
	g_test_add_func("/ub/core/tcp-transport/refused", ub_tcp_transport_test_refused);
	return g_test_run();
}
