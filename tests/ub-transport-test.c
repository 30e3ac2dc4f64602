/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

/* the interface's own helpers, over the in-memory pair */

static void
ub_transport_read_exact_func(void)
{
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(GError) error = NULL;
	guint8 buf[10] = {0};
	ub_memory_transport_new_pair(512, &host, &dev);
	/* three transfers and a ZLP make up one 10-byte read */
	g_assert_true(ub_transport_write(dev, (const guint8 *)"abc", 3, 0, 1000, NULL, &error));
	g_assert_true(ub_transport_write(dev, (const guint8 *)"", 0, 0, 1000, NULL, &error));
	g_assert_true(ub_transport_write(dev, (const guint8 *)"defg", 4, 0, 1000, NULL, &error));
	g_assert_true(ub_transport_write(dev, (const guint8 *)"hijkl", 5, 0, 1000, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_transport_read_exact(host, buf, sizeof(buf), 1000, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(buf, 10, "abcdefghij", 10);
	/* the rest of the last transfer is still there */
	g_assert_cmpint(ub_transport_read(host, buf, sizeof(buf), 1000, NULL, &error), ==, 2);
	g_assert_cmpmem(buf, 2, "kl", 2);
}

static void
ub_transport_read_exact_short_func(void)
{
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(GError) error = NULL;
	guint8 buf[8] = {0};
	ub_memory_transport_new_pair(512, &host, &dev);
	g_assert_true(ub_transport_write(dev, (const guint8 *)"abc", 3, 0, 1000, NULL, &error));
	g_assert_false(ub_transport_read_exact(host, buf, sizeof(buf), 100, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	/* says how far it got */
	g_assert_nonnull(strstr(error->message, "short read after 3 of 8 bytes"));
	g_clear_error(&error);
	ub_transport_close(dev);
	g_assert_false(ub_transport_read_exact(host, buf, sizeof(buf), 100, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
}

static void
ub_transport_cancelled_func(void)
{
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	guint8 buf[4] = {0};
	ub_memory_transport_new_pair(512, &host, &dev);
	g_cancellable_cancel(cancellable);
	/* an already cancelled call does nothing at all */
	g_assert_false(ub_transport_write(host, buf, 4, 0, 1000, cancellable, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_clear_error(&error);
	g_assert_cmpint(ub_transport_read(dev, buf, 4, 50, NULL, &error), ==, -1);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_clear_error(&error);
	g_assert_cmpint(ub_transport_read(host, buf, 4, 1000, cancellable, &error), ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
ub_transport_properties_func(void)
{
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	ub_memory_transport_new_pair(1024, &host, &dev);
	g_assert_cmpuint(ub_transport_get_max_packet_size(host), ==, 1024);
	g_assert_nonnull(ub_transport_get_name(host));
	g_assert_cmpstr(ub_transport_get_name(host), !=, "");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/transport/read-exact", ub_transport_read_exact_func);
	g_test_add_func("/ub/core/transport/read-exact-short", ub_transport_read_exact_short_func);
	g_test_add_func("/ub/core/transport/cancelled", ub_transport_cancelled_func);
	g_test_add_func("/ub/core/transport/properties", ub_transport_properties_func);
	return g_test_run();
}
