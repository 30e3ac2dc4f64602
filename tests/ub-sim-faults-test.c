/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sim/ub-sim-fault-transport.h"
#include "sim/ub-sim-faults.h"
#include "ub-memory-transport.h"

#define UB_SIM_FAULTS_TEST_TIMEOUT 2000

static void
ub_sim_faults_parse_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) faults = NULL;
	g_autoptr(UbSimFaults) faults2 = NULL;
	g_autoptr(UbSimFaults) none = NULL;
	g_autofree gchar *str = NULL;
	g_autofree gchar *str_none = NULL;

	faults = ub_sim_faults_new_from_string(
	    "delay=50,drop=3, corrupt=2,disconnect-after=1048576,nak=5", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_faults_get_delay_ms(faults), ==, 50);
	g_assert_cmpuint(ub_sim_faults_get_drop(faults), ==, 3);
	g_assert_cmpuint(ub_sim_faults_get_corrupt(faults), ==, 2);
	g_assert_cmpuint(ub_sim_faults_get_disconnect_after(faults), ==, 1048576);
	g_assert_cmpuint(ub_sim_faults_get_nak(faults), ==, 5);
	g_assert_false(ub_sim_faults_should_nak(faults, 4));
	g_assert_true(ub_sim_faults_should_nak(faults, 5));
	g_assert_false(ub_sim_faults_should_nak(faults, 6));
	str = ub_sim_faults_to_string(faults);
	g_assert_cmpstr(str, ==, "delay=50,drop=3,corrupt=2,disconnect-after=1048576,nak=5");

	/* sizes with a unit */
	faults2 = ub_sim_faults_new_from_string("disconnect-after=1M", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_faults_get_disconnect_after(faults2), ==, 1048576);
	g_assert_cmpuint(ub_sim_faults_get_drop(faults2), ==, 0);

	/* nothing at all */
	none = ub_sim_faults_new_from_string("", &error);
	g_assert_no_error(error);
	str_none = ub_sim_faults_to_string(none);
	g_assert_cmpstr(str_none, ==, "");
	g_assert_false(ub_sim_faults_should_nak(none, 0));
	g_assert_false(ub_sim_faults_should_nak(none, 1));
	g_assert_false(ub_sim_faults_should_nak(NULL, 1));
}

static void
ub_sim_faults_parse_invalid_func(void)
{
	struct {
		const gchar *spec;
		const gchar *needle;
	} cases[] = {
	    {"foo=1", "unknown fault 'foo', expected one of delay, drop, corrupt, disconnect-after, nak"},
	    {"drop", "invalid fault 'drop', expected KEY=VALUE"},
	    {"drop=0", "invalid value '0' for fault drop"},
	    {"drop=x", "invalid value 'x' for fault drop"},
	    {"nak=", "invalid value '' for fault nak"},
	    {"delay=-1", "invalid value '-1' for fault delay"},
	    {"delay=999999", "invalid value '999999' for fault delay"},
	    {"corrupt=2x", "invalid value '2x' for fault corrupt"},
	    {"disconnect-after=abc", "invalid value 'abc' for fault disconnect-after"},
	    {"delay=5,,nak=1", "invalid fault ''"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbSimFaults) faults = ub_sim_faults_new_from_string(cases[i].spec, &error);
		g_assert_null(faults);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		if (strstr(error->message, cases[i].needle) == NULL)
			g_error("%s: got '%s'", cases[i].spec, error->message);
	}
}

/* a memory pair whose device end goes through the fault wrapper */
typedef struct {
	UbTransport *host;
	UbTransport *device;
	UbTransport *wrapped;
} UbSimFaultsTestPipe;

static void
ub_sim_faults_test_pipe_init(UbSimFaultsTestPipe *pipe, const gchar *spec)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) faults = ub_sim_faults_new_from_string(spec, &error);
	g_assert_no_error(error);
	ub_memory_transport_new_pair(512, &pipe->host, &pipe->device);
	pipe->wrapped = ub_sim_fault_transport_new(pipe->device, faults);
}

static void
ub_sim_faults_test_pipe_clear(UbSimFaultsTestPipe *pipe)
{
	g_clear_object(&pipe->wrapped);
	g_clear_object(&pipe->device);
	g_clear_object(&pipe->host);
}

static void
ub_sim_faults_test_send(UbTransport *transport, const gchar *str)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_write(transport,
					 (const guint8 *)str,
					 strlen(str),
					 UB_TRANSPORT_WRITE_FLAG_NONE,
					 UB_SIM_FAULTS_TEST_TIMEOUT,
					 NULL,
					 &error));
	g_assert_no_error(error);
}

static gchar *
ub_sim_faults_test_recv(UbTransport *transport)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[512] = {0};
	gssize n = ub_transport_read(transport,
				     buf,
				     sizeof(buf) - 1,
				     UB_SIM_FAULTS_TEST_TIMEOUT,
				     NULL,
				     &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >=, 0);
	return g_strndup((const gchar *)buf, (gsize)n);
}

static void
ub_sim_faults_transport_none_func(void)
{
	UbSimFaultsTestPipe pipe = {0};
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;

	ub_sim_faults_test_pipe_init(&pipe, NULL);
	g_assert_cmpstr(ub_transport_get_name(pipe.wrapped), ==, "fault:memory:device");
	g_assert_cmpuint(ub_transport_get_max_packet_size(pipe.wrapped), ==, 512);
	ub_sim_faults_test_send(pipe.wrapped, "OKAY");
	a = ub_sim_faults_test_recv(pipe.host);
	g_assert_cmpstr(a, ==, "OKAY");
	ub_sim_faults_test_send(pipe.host, "getvar:product");
	b = ub_sim_faults_test_recv(pipe.wrapped);
	g_assert_cmpstr(b, ==, "getvar:product");
	g_assert_cmpuint(ub_sim_fault_transport_get_transfers_sent(UB_SIM_FAULT_TRANSPORT(pipe.wrapped)), ==, 1);
	g_assert_cmpuint(ub_sim_fault_transport_get_bytes_received(UB_SIM_FAULT_TRANSPORT(pipe.wrapped)), ==, 14);
	ub_sim_faults_test_pipe_clear(&pipe);
}

/* the 2nd device-to-host transfer never arrives */
static void
ub_sim_faults_transport_drop_func(void)
{
	UbSimFaultsTestPipe pipe = {0};
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	g_autoptr(GError) error = NULL;
	guint8 buf[16];

	ub_sim_faults_test_pipe_init(&pipe, "drop=2");
	ub_sim_faults_test_send(pipe.wrapped, "one");
	ub_sim_faults_test_send(pipe.wrapped, "two");
	ub_sim_faults_test_send(pipe.wrapped, "three");
	a = ub_sim_faults_test_recv(pipe.host);
	b = ub_sim_faults_test_recv(pipe.host);
	g_assert_cmpstr(a, ==, "one");
	g_assert_cmpstr(b, ==, "three");
	g_assert_cmpint(ub_transport_read(pipe.host, buf, sizeof(buf), 50, NULL, &error), ==, -1);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpuint(ub_sim_fault_transport_get_transfers_sent(UB_SIM_FAULT_TRANSPORT(pipe.wrapped)), ==, 3);
	ub_sim_faults_test_pipe_clear(&pipe);
}

/* the 1st device-to-host transfer has its middle byte flipped, the rest are intact */
static void
ub_sim_faults_transport_corrupt_func(void)
{
	UbSimFaultsTestPipe pipe = {0};
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	const guint8 expected[] = {'O', 'K', 'A' ^ 0xff, 'Y'};

	ub_sim_faults_test_pipe_init(&pipe, "corrupt=1");
	ub_sim_faults_test_send(pipe.wrapped, "OKAY");
	ub_sim_faults_test_send(pipe.wrapped, "OKAY");
	a = ub_sim_faults_test_recv(pipe.host);
	b = ub_sim_faults_test_recv(pipe.host);
	g_assert_cmpmem(a, 4, expected, 4);
	g_assert_cmpstr(b, ==, "OKAY");
	ub_sim_faults_test_pipe_clear(&pipe);
}

static void
ub_sim_faults_transport_delay_func(void)
{
	UbSimFaultsTestPipe pipe = {0};
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *a = NULL;
	gint64 start = g_get_monotonic_time();

	ub_sim_faults_test_pipe_init(&pipe, "delay=40");
	ub_sim_faults_test_send(pipe.wrapped, "OKAY");
	g_assert_cmpint(g_get_monotonic_time() - start, >=, 40 * G_TIME_SPAN_MILLISECOND);
	a = ub_sim_faults_test_recv(pipe.host);
	g_assert_cmpstr(a, ==, "OKAY");

	/* a delayed write still honours cancellation */
	g_cancellable_cancel(cancellable);
	g_assert_false(ub_transport_write(pipe.wrapped,
					  (const guint8 *)"X",
					  1,
					  UB_TRANSPORT_WRITE_FLAG_NONE,
					  1000,
					  cancellable,
					  &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	ub_sim_faults_test_pipe_clear(&pipe);
}

/* after 10 bytes from the host the phone unplugs: the host sees DEVICE_GONE */
static void
ub_sim_faults_transport_disconnect_func(void)
{
	UbSimFaultsTestPipe pipe = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	guint8 buf[16];

	ub_sim_faults_test_pipe_init(&pipe, "disconnect-after=10");
	ub_sim_faults_test_send(pipe.host, "abcdef");
	ub_sim_faults_test_send(pipe.host, "ghijkl");
	a = ub_sim_faults_test_recv(pipe.wrapped);
	g_assert_cmpstr(a, ==, "abcdef");
	b = ub_sim_faults_test_recv(pipe.wrapped);
	g_assert_cmpstr(b, ==, "ghij");
	g_assert_cmpuint(ub_sim_fault_transport_get_bytes_received(UB_SIM_FAULT_TRANSPORT(pipe.wrapped)), ==, 10);

	/* the device side is gone for good */
	g_assert_cmpint(ub_transport_read(pipe.wrapped, buf, sizeof(buf), 50, NULL, &error), ==, -1);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	g_assert_false(ub_transport_write(pipe.wrapped,
					  (const guint8 *)"OKAY",
					  4,
					  UB_TRANSPORT_WRITE_FLAG_NONE,
					  50,
					  NULL,
					  &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);

	/* and so is the host's view of it */
	g_assert_false(ub_transport_write(pipe.host,
					  (const guint8 *)"more",
					  4,
					  UB_TRANSPORT_WRITE_FLAG_NONE,
					  50,
					  NULL,
					  &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	g_assert_cmpint(ub_transport_read(pipe.host, buf, sizeof(buf), 50, NULL, &error), ==, -1);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	ub_sim_faults_test_pipe_clear(&pipe);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/sim/faults/parse", ub_sim_faults_parse_func);
	g_test_add_func("/ub/sim/faults/parse-invalid", ub_sim_faults_parse_invalid_func);
	g_test_add_func("/ub/sim/faults/transport-none", ub_sim_faults_transport_none_func);
	g_test_add_func("/ub/sim/faults/transport-drop", ub_sim_faults_transport_drop_func);
	g_test_add_func("/ub/sim/faults/transport-corrupt", ub_sim_faults_transport_corrupt_func);
	g_test_add_func("/ub/sim/faults/transport-delay", ub_sim_faults_transport_delay_func);
	g_test_add_func("/ub/sim/faults/transport-disconnect", ub_sim_faults_transport_disconnect_func);
	return g_test_run();
}
