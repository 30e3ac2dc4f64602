/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-memory-transport.h"

static guint8
ub_memory_transport_test_pattern(gsize i)
{
	/* a prime period, so the pattern never lines up with chunk sizes */
	return (guint8)((i * 31 + 7) % 251);
}

static void
ub_memory_transport_test_boundaries(void)
{
	gssize n;
	guint8 buf[100] = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	ub_memory_transport_new_pair(512, &host, &device);
	g_assert_cmpuint(ub_transport_get_max_packet_size(host), ==, 512);
	g_assert_cmpstr(ub_transport_get_name(host), ==, "memory:host");
	g_assert_cmpstr(ub_transport_get_name(device), ==, "memory:device");

	/* two writes are two transfers: a big read never merges them */
	g_assert_true(ub_transport_write(host, (const guint8 *)"abc", 3, 0, 100, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_transport_write(host, (const guint8 *)"defgh", 5, 0, 100, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 3);
	g_assert_cmpmem(buf, 3, "abc", 3);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 5);
	g_assert_cmpmem(buf, 5, "defgh", 5);

	/* the other direction is independent */
	g_assert_true(ub_transport_write(device, (const guint8 *)"OKAY", 4, 0, 100, NULL, &error));
	n = ub_transport_read(host, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 4);
	g_assert_cmpmem(buf, 4, "OKAY", 4);
}

static void
ub_memory_transport_test_partial(void)
{
	gssize n;
	guint8 buf[4] = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	ub_memory_transport_new_pair(64, &host, &device);
	g_assert_true(
	    ub_transport_write(host, (const guint8 *)"0123456789", 10, 0, 100, NULL, &error));
	g_assert_true(ub_transport_write(host, (const guint8 *)"xy", 2, 0, 100, NULL, &error));
	g_assert_no_error(error);

	/* the remainder of a transfer is kept for the next read, and a read stops
	 * at the end of the transfer */
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_cmpint(n, ==, 4);
	g_assert_cmpmem(buf, 4, "0123", 4);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_cmpint(n, ==, 4);
	g_assert_cmpmem(buf, 4, "4567", 4);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_cmpint(n, ==, 2);
	g_assert_cmpmem(buf, 2, "89", 2);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 2);
	g_assert_cmpmem(buf, 2, "xy", 2);
}

static void
ub_memory_transport_test_zlp(void)
{
	gssize n;
	guint8 buf[1024];
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	memset(buf, 0xaa, sizeof(buf));
	ub_memory_transport_new_pair(512, &host, &device);

	/* an explicit zero-length write arrives as a read of 0 */
	g_assert_true(ub_transport_write(host, buf, 0, 0, 100, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 0);

	/* the flag adds a ZLP after a multiple of the packet size ... */
	g_assert_true(
	    ub_transport_write(host, buf, 512, UB_TRANSPORT_WRITE_FLAG_ZLP, 100, NULL, &error));
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_cmpint(n, ==, 512);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 0);

	/* ... but not after a short transfer, and not without the flag */
	g_assert_true(
	    ub_transport_write(host, buf, 500, UB_TRANSPORT_WRITE_FLAG_ZLP, 100, NULL, &error));
	g_assert_true(ub_transport_write(host, buf, 1024, 0, 100, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_cmpint(n, ==, 500);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_cmpint(n, ==, 1024);
	n = ub_transport_read(device, buf, sizeof(buf), 20, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(n, ==, -1);
}

static void
ub_memory_transport_test_timeout(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[16];
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	ub_memory_transport_new_pair(512, &host, &device);
	start = g_get_monotonic_time();
	n = ub_transport_read(host, buf, sizeof(buf), 80, NULL, &error);
	elapsed = g_get_monotonic_time() - start;
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, >=, 80 * 1000);
	g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);

	/* a timed-out read leaves the pipe usable */
	g_assert_true(ub_transport_write(device, (const guint8 *)"z", 1, 0, 100, NULL, NULL));
	g_clear_error(&error);
	n = ub_transport_read(host, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 1);
}

static gpointer
ub_memory_transport_test_cancel_thread_cb(gpointer user_data)
{
	GCancellable *cancellable = G_CANCELLABLE(user_data);
	g_usleep(100 * 1000);
	g_cancellable_cancel(cancellable);
	return NULL;
}

static void
ub_memory_transport_test_cancel(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[16];
	GThread *thread;
	g_autofree guint8 *big = g_malloc0(4 * 1024 * 1024);
	g_autoptr(GError) error = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GCancellable) cancellable2 = g_cancellable_new();
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	ub_memory_transport_new_pair(512, &host, &device);

	/* a read with no timeout wakes up when another thread cancels */
	thread = g_thread_new("cancel", ub_memory_transport_test_cancel_thread_cb, cancellable);
	start = g_get_monotonic_time();
	n = ub_transport_read(host, buf, sizeof(buf), 0, cancellable, &error);
	elapsed = g_get_monotonic_time() - start;
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, <, G_USEC_PER_SEC);
	g_clear_error(&error);

	/* a writer blocked on a full queue wakes up too */
	for (guint i = 0; i < 2; i++) {
		g_assert_true(ub_transport_write(host, big, 4 * 1024 * 1024, 0, 100, NULL, &error));
		g_assert_no_error(error);
	}
	thread = g_thread_new("cancel", ub_memory_transport_test_cancel_thread_cb, cancellable2);
	start = g_get_monotonic_time();
	g_assert_false(ub_transport_write(host, big, 16, 0, 0, cancellable2, &error));
	elapsed = g_get_monotonic_time() - start;
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(elapsed, >=, 50 * 1000);
	g_assert_cmpint(elapsed, <, G_USEC_PER_SEC);
}

typedef struct {
	UbTransport *device;
	gint64 delay_us;
} UbMemoryTransportTestClose;

static gpointer
ub_memory_transport_test_close_thread_cb(gpointer user_data)
{
	UbMemoryTransportTestClose *helper = user_data;
	g_usleep(helper->delay_us);
	ub_transport_close(helper->device);
	return NULL;
}

static void
ub_memory_transport_test_close(void)
{
	gssize n;
	guint8 buf[16];
	GThread *thread;
	gint64 start;
	UbMemoryTransportTestClose helper = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	ub_memory_transport_new_pair(512, &host, &device);

	/* a blocked read wakes up when the other end goes away */
	helper.device = device;
	helper.delay_us = 50 * 1000;
	thread = g_thread_new("close", ub_memory_transport_test_close_thread_cb, &helper);
	start = g_get_monotonic_time();
	n = ub_transport_read(host, buf, sizeof(buf), 5000, NULL, &error);
	g_thread_join(thread);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
	g_clear_error(&error);

	/* writes fail at once, on both ends */
	g_assert_false(ub_transport_write(host, buf, 4, 0, 100, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	g_assert_false(ub_transport_write(device, buf, 4, 0, 100, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	n = ub_transport_read(device, buf, sizeof(buf), 100, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpint(n, ==, -1);
}

static void
ub_memory_transport_test_close_drain(void)
{
	gssize n;
	guint8 buf[16];
	g_autoptr(GError) error = NULL;
	UbTransport *device = NULL;
	g_autoptr(UbTransport) host = NULL;

	/* a reply sent just before the device drops off can still be read, then
	 * DEVICE_GONE; dropping the last reference closes the end */
	ub_memory_transport_new_pair(512, &host, &device);
	g_assert_true(ub_transport_write(device, (const guint8 *)"OKAY", 4, 0, 100, NULL, &error));
	g_object_unref(device);
	n = ub_transport_read(host, buf, sizeof(buf), 100, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 4);
	n = ub_transport_read(host, buf, sizeof(buf), 100, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpint(n, ==, -1);
}

#define UB_MEMORY_TRANSPORT_TEST_TOTAL (32 * 1024 * 1024)

/* writes the pattern in transfers of varying size */
static gboolean
ub_memory_transport_test_send(UbTransport *transport, GError **error)
{
	gsize done = 0;
	gsize chunk = 1;
	g_autofree guint8 *buf = g_malloc(1024 * 1024 + 4096);
	while (done < UB_MEMORY_TRANSPORT_TEST_TOTAL) {
		gsize n = MIN(chunk, UB_MEMORY_TRANSPORT_TEST_TOTAL - done);
		for (gsize i = 0; i < n; i++)
			buf[i] = ub_memory_transport_test_pattern(done + i);
		if (!ub_transport_write(transport, buf, n, 0, 5000, NULL, error))
			return FALSE;
		done += n;
		chunk = (chunk * 7 + 4093) % (1024 * 1024 + 4096);
	}
	return TRUE;
}

/* reads with a buffer size unrelated to the writer's, checking every byte */
static gboolean
ub_memory_transport_test_receive(UbTransport *transport, GError **error)
{
	gsize done = 0;
	guint8 buf[65521];
	while (done < UB_MEMORY_TRANSPORT_TEST_TOTAL) {
		gssize n = ub_transport_read(transport, buf, sizeof(buf), 5000, NULL, error);
		if (n < 0)
			return FALSE;
		for (gssize i = 0; i < n; i++) {
			if (buf[i] != ub_memory_transport_test_pattern(done + i)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "mismatch at %" G_GSIZE_FORMAT,
					    done + i);
				return FALSE;
			}
		}
		done += (gsize)n;
	}
	return TRUE;
}

static gpointer
ub_memory_transport_test_device_thread_cb(gpointer user_data)
{
	UbTransport *device = UB_TRANSPORT(user_data);
	GError *error = NULL;
	if (!ub_memory_transport_test_receive(device, &error))
		return error;
	if (!ub_memory_transport_test_send(device, &error))
		return error;
	return NULL;
}

static void
ub_memory_transport_test_concurrent(void)
{
	GThread *thread;
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error_thread = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	/* 32 MiB each way, four times the high-water mark, so the writer blocks
	 * and is woken by the reader many times */
	ub_memory_transport_new_pair(512, &host, &device);
	thread = g_thread_new("device", ub_memory_transport_test_device_thread_cb, device);
	g_assert_true(ub_memory_transport_test_send(host, &error));
	g_assert_no_error(error);
	g_assert_true(ub_memory_transport_test_receive(host, &error));
	g_assert_no_error(error);
	error_thread = g_thread_join(thread);
	g_assert_no_error(error_thread);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/memory-transport/boundaries",
			ub_memory_transport_test_boundaries);
	g_test_add_func("/ub/core/memory-transport/partial", ub_memory_transport_test_partial);
	g_test_add_func("/ub/core/memory-transport/zlp", ub_memory_transport_test_zlp);
	g_test_add_func("/ub/core/memory-transport/timeout", ub_memory_transport_test_timeout);
	g_test_add_func("/ub/core/memory-transport/cancel", ub_memory_transport_test_cancel);
	g_test_add_func("/ub/core/memory-transport/close", ub_memory_transport_test_close);
	g_test_add_func("/ub/core/memory-transport/close-drain",
			ub_memory_transport_test_close_drain);
	g_test_add_func("/ub/core/memory-transport/concurrent",
			ub_memory_transport_test_concurrent);
	return g_test_run();
}
