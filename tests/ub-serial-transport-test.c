/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

#include "ub-error.h"
#include "ub-serial-transport.h"

/* a pty pair standing in for /dev/ttyUSB0: the engine opens the slave by path,
 * the simulated phone uses the master */
typedef struct {
	gint master;
	gchar path[128];
} UbSerialTransportTestPty;

static void
ub_serial_transport_test_pty_open(UbSerialTransportTestPty *pty)
{
	gint slave = -1;
	struct termios tio = {0};
	g_assert_cmpint(openpty(&pty->master, &slave, pty->path, NULL, NULL), ==, 0);

	/* the master side must not translate anything either, or the test would
	 * prove nothing about the engine's side */
	g_assert_cmpint(tcgetattr(slave, &tio), ==, 0);
	cfmakeraw(&tio);
	g_assert_cmpint(tcsetattr(slave, TCSANOW, &tio), ==, 0);

	/* put the slave back into cooked mode: the transport must make it raw */
	tio.c_lflag |= ICANON | ECHO | ISIG;
	tio.c_iflag |= ICRNL | IXON;
	tio.c_oflag |= OPOST | ONLCR;
	g_assert_cmpint(tcsetattr(slave, TCSANOW, &tio), ==, 0);
	close(slave);
}

/* reads exactly @bufsz bytes from the master, failing after 5 s */
static void
ub_serial_transport_test_master_read(gint fd, guint8 *buf, gsize bufsz)
{
	gsize done = 0;
	while (done < bufsz) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		gssize n;
		g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
		n = read(fd, buf + done, bufsz - done);
		g_assert_cmpint(n, >, 0);
		done += (gsize)n;
	}
}

static void
ub_serial_transport_test_master_write(gint fd, const guint8 *buf, gsize bufsz)
{
	gsize done = 0;
	while (done < bufsz) {
		gssize n = write(fd, buf + done, bufsz - done);
		g_assert_cmpint(n, >, 0);
		done += (gsize)n;
	}
}

typedef struct {
	gint master;
	gsize total;
} UbSerialTransportTestEcho;

static gpointer
ub_serial_transport_test_echo_thread_cb(gpointer user_data)
{
	UbSerialTransportTestEcho *echo = user_data;
	gsize done = 0;
	guint8 buf[4096];
	while (done < echo->total) {
		gsize n = MIN(sizeof(buf), echo->total - done);
		struct pollfd pfd = {.fd = echo->master, .events = POLLIN};
		gssize r;
		if (poll(&pfd, 1, 5000) != 1)
			return GINT_TO_POINTER(1);
		r = read(echo->master, buf, n);
		if (r <= 0)
			return GINT_TO_POINTER(2);
		ub_serial_transport_test_master_write(echo->master, buf, (gsize)r);
		done += (gsize)r;
	}
	return NULL;
}

static void
ub_serial_transport_test_exchange(void)
{
	gssize n;
	guint8 small[16] = {0};
	gsize total = 256 * 1024;
	GThread *thread;
	UbSerialTransportTestPty pty = {0};
	UbSerialTransportTestEcho echo = {0};
	g_autofree guint8 *buf = g_malloc(total);
	g_autofree guint8 *rbuf = g_malloc0(total);
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) transport = NULL;

	ub_serial_transport_test_pty_open(&pty);
	transport = ub_serial_transport_new(pty.path, 0, &error);
	g_assert_no_error(error);
	g_assert_nonnull(transport);
	name = g_strdup_printf("serial:%s", pty.path);
	g_assert_cmpstr(ub_transport_get_name(transport), ==, name);
	g_assert_cmpuint(ub_transport_get_max_packet_size(transport), ==, 0);

	/* engine -> phone; the ZLP flag is meaningless on a stream */
	g_assert_true(ub_transport_write(transport,
					 (const guint8 *)"\r\n\x03\x11\x13\x7f",
					 6,
					 UB_TRANSPORT_WRITE_FLAG_ZLP,
					 1000,
					 NULL,
					 &error));
	g_assert_no_error(error);
	ub_serial_transport_test_master_read(pty.master, small, 6);
	g_assert_cmpmem(small, 6, "\r\n\x03\x11\x13\x7f", 6);

	/* phone -> engine: a stream read returns what is there */
	ub_serial_transport_test_master_write(pty.master, (const guint8 *)"\xa0\r\x0a", 3);
	n = ub_transport_read(transport, small, sizeof(small), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >=, 1);
	if (n < 3) {
		g_assert_true(ub_transport_read_exact(transport,
						      small + n,
						      3 - (gsize)n,
						      1000,
						      NULL,
						      &error));
	}
	g_assert_cmpmem(small, 3, "\xa0\r\x0a", 3);

	/* every byte value survives a round trip: the port is raw (no echo, no
	 * CR/LF mapping, no XON/XOFF, no signals), and large writes complete */
	for (gsize i = 0; i < total; i++)
		buf[i] = (guint8)((i * 131 + i / 256) & 0xff);
	echo.master = pty.master;
	echo.total = total;
	thread = g_thread_new("echo", ub_serial_transport_test_echo_thread_cb, &echo);
	for (gsize off = 0; off < total; off += 4096) {
		/* chunked: a tty buffers only a few KiB each way */
		g_assert_true(
		    ub_transport_write(transport, buf + off, 4096, 0, 5000, NULL, &error));
		g_assert_no_error(error);
		g_assert_true(
		    ub_transport_read_exact(transport, rbuf + off, 4096, 5000, NULL, &error));
		g_assert_no_error(error);
	}
	g_assert_null(g_thread_join(thread));
	g_assert_cmpmem(buf, total, rbuf, total);

	/* nothing was echoed by the line discipline */
	n = ub_transport_read(transport, small, sizeof(small), 50, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(n, ==, -1);
	close(pty.master);
}

static void
ub_serial_transport_test_timeout(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[16];
	gsize bigsz = 4 * 1024 * 1024;
	g_autofree guint8 *big = g_malloc0(bigsz);
	UbSerialTransportTestPty pty = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) transport = NULL;

	ub_serial_transport_test_pty_open(&pty);
	transport = ub_serial_transport_new(pty.path, 921600, &error);
	g_assert_no_error(error);

	start = g_get_monotonic_time();
	n = ub_transport_read(transport, buf, sizeof(buf), 100, NULL, &error);
	elapsed = g_get_monotonic_time() - start;
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, >=, 100 * 1000);
	g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
	g_clear_error(&error);

	/* nobody reads the master: a big write stalls and times out */
	start = g_get_monotonic_time();
	g_assert_false(ub_transport_write(transport, big, bigsz, 0, 100, NULL, &error));
	elapsed = g_get_monotonic_time() - start;
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
	close(pty.master);
}

static gpointer
ub_serial_transport_test_cancel_thread_cb(gpointer user_data)
{
	g_usleep(100 * 1000);
	g_cancellable_cancel(G_CANCELLABLE(user_data));
	return NULL;
}

static void
ub_serial_transport_test_cancel(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[16];
	GThread *thread;
	gsize bigsz = 4 * 1024 * 1024;
	g_autofree guint8 *big = g_malloc0(bigsz);
	UbSerialTransportTestPty pty = {0};
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GCancellable) cancellable2 = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) transport = NULL;

	ub_serial_transport_test_pty_open(&pty);
	transport = ub_serial_transport_new(pty.path, 0, &error);
	g_assert_no_error(error);

	/* a read without timeout */
	thread = g_thread_new("cancel", ub_serial_transport_test_cancel_thread_cb, cancellable);
	start = g_get_monotonic_time();
	n = ub_transport_read(transport, buf, sizeof(buf), 0, cancellable, &error);
	elapsed = g_get_monotonic_time() - start;
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, >=, 50 * 1000);
	g_assert_cmpint(elapsed, <, G_USEC_PER_SEC);
	g_clear_error(&error);

	/* a write stuck on a full tty buffer */
	thread = g_thread_new("cancel", ub_serial_transport_test_cancel_thread_cb, cancellable2);
	start = g_get_monotonic_time();
	g_assert_false(ub_transport_write(transport, big, bigsz, 0, 0, cancellable2, &error));
	elapsed = g_get_monotonic_time() - start;
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(elapsed, <, G_USEC_PER_SEC);
	close(pty.master);
}

static void
ub_serial_transport_test_hangup(void)
{
	gssize n;
	guint8 buf[16];
	UbSerialTransportTestPty pty = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) transport = NULL;

	ub_serial_transport_test_pty_open(&pty);
	transport = ub_serial_transport_new(pty.path, 0, &error);
	g_assert_no_error(error);

	/* the phone goes away: like a USB serial adapter being unplugged */
	close(pty.master);
	n = ub_transport_read(transport, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpint(n, ==, -1);
	g_clear_error(&error);

	/* and after close() everything fails the same way */
	ub_transport_close(transport);
	g_assert_false(ub_transport_write(transport, buf, 1, 0, 100, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
}

static void
ub_serial_transport_test_open_errors(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) transport = NULL;

	transport = ub_serial_transport_new("/dev/ttyDOESNOTEXIST9", 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(transport);
	g_clear_error(&error);

	transport = ub_serial_transport_new("/dev/null", 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_null(transport);
	g_clear_error(&error);

	transport = ub_serial_transport_new("/dev/null", 12345, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_null(transport);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/serial-transport/exchange", ub_serial_transport_test_exchange);
	g_test_add_func("/ub/core/serial-transport/timeout", ub_serial_transport_test_timeout);
	g_test_add_func("/ub/core/serial-transport/cancel", ub_serial_transport_test_cancel);
	g_test_add_func("/ub/core/serial-transport/hangup", ub_serial_transport_test_hangup);
	g_test_add_func("/ub/core/serial-transport/open-errors",
			ub_serial_transport_test_open_errors);
	return g_test_run();
}
