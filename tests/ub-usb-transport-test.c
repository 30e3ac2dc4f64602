/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-usb-context.h"
#include "ub-usb-transport.h"

#ifdef HAVE_UMOCKDEV
#include "ub-umockdev-sim.h"
#endif

/* ------------------------------------------------------------ without USB */

static void
ub_usb_transport_test_error_mapping(void)
{
	g_autoptr(GError) error = NULL;

	/* permission: says which rule is missing and how to install it */
	ub_usb_context_set_error(&error,
				 LIBUSB_ERROR_ACCESS,
				 "cannot open %s",
				 "usb:1-4 05c6:9008");
	g_assert_error(error, UB_ERROR, UB_ERROR_PERMISSION_DENIED);
	g_assert_true(g_str_has_prefix(error->message, "cannot open usb:1-4 05c6:9008: "));
	g_assert_nonnull(strstr(error->message, "71-unbrick.rules"));
	/* one command: print the built-in rules into /etc; or, installed, why they did not
	 * apply (reload them; or the rule serves the user at the seat, not this one) */
	if (strstr(error->message, "is installed but did not apply to this device") != NULL) {
		g_assert_nonnull(strstr(error->message, "udevadm control --reload"));
	} else if (strstr(error->message, "is installed but did not apply to this user") != NULL) {
		g_assert_nonnull(strstr(error->message, "seat"));
		g_assert_nonnull(strstr(error->message, "as root"));
	} else {
		g_assert_nonnull(strstr(error->message,
					"is missing: install it with 'unbrick-cli udev-rules | sudo tee "
					"/etc/udev/rules.d/71-unbrick.rules && sudo udevadm control "
					"--reload'"));
	}
	g_clear_error(&error);

	ub_usb_context_set_error(&error, LIBUSB_ERROR_NO_DEVICE, "x");
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	ub_usb_context_set_error(&error, LIBUSB_ERROR_BUSY, "x");
	g_assert_error(error, UB_ERROR, UB_ERROR_BUSY);
	g_assert_nonnull(strstr(error->message, "another program"));
	g_clear_error(&error);
	ub_usb_context_set_error(&error, LIBUSB_ERROR_TIMEOUT, "x");
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_clear_error(&error);
	ub_usb_context_set_error(&error, LIBUSB_ERROR_PIPE, "x");
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);
	ub_usb_context_set_error(&error, LIBUSB_ERROR_NOT_FOUND, "x");
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	ub_usb_context_set_error(&error, LIBUSB_ERROR_IO, "x");
	g_assert_error(error, UB_ERROR, UB_ERROR_IO);
}

/* restores UB_USB_POLL as it was when the test started */
typedef struct {
	gchar *value;
} UbUsbTransportTestPollEnv;

static UbUsbTransportTestPollEnv *
ub_usb_transport_test_poll_env_set(const gchar *value)
{
	UbUsbTransportTestPollEnv *env = g_new0(UbUsbTransportTestPollEnv, 1);
	env->value = g_strdup(g_getenv("UB_USB_POLL"));
	if (value != NULL)
		g_setenv("UB_USB_POLL", value, TRUE);
	else
		g_unsetenv("UB_USB_POLL");
	return env;
}

static void
ub_usb_transport_test_poll_env_restore(UbUsbTransportTestPollEnv *env)
{
	if (env->value != NULL)
		g_setenv("UB_USB_POLL", env->value, TRUE);
	else
		g_unsetenv("UB_USB_POLL");
	g_free(env->value);
	g_free(env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbUsbTransportTestPollEnv, ub_usb_transport_test_poll_env_restore)

static void
ub_usb_transport_test_should_poll(void)
{
	g_autoptr(UbUsbTransportTestPollEnv) env = ub_usb_transport_test_poll_env_set("1");

	/* the variable wins both ways, whatever udevd does on this machine */
	g_assert_true(ub_usb_context_should_poll());
	g_setenv("UB_USB_POLL", "0", TRUE);
	g_assert_false(ub_usb_context_should_poll());
	g_setenv("UB_USB_POLL", "yes", TRUE);
	g_assert_true(ub_usb_context_should_poll());
}

#ifdef HAVE_UMOCKDEV

/* ------------------------------------------------------------ under umockdev */

static UMockdevTestbed *ub_usb_transport_test_testbed = NULL;

/* what the device side saw */
typedef struct {
	GMutex mutex;
	GArray *sizes; /* gsize of every OUT transfer, 0 for a ZLP */
	guint64 total;
	gboolean echo;
	gsize source; /* "SRC" makes the device send this many bytes */
} UbUsbTransportTestDevice;

static UbUsbTransportTestDevice *
ub_usb_transport_test_device_new(gboolean echo)
{
	UbUsbTransportTestDevice *dev = g_new0(UbUsbTransportTestDevice, 1);
	g_mutex_init(&dev->mutex);
	dev->sizes = g_array_new(FALSE, FALSE, sizeof(gsize));
	dev->echo = echo;
	return dev;
}

static void
ub_usb_transport_test_device_free(UbUsbTransportTestDevice *dev)
{
	g_array_unref(dev->sizes);
	g_mutex_clear(&dev->mutex);
	g_free(dev);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbUsbTransportTestDevice, ub_usb_transport_test_device_free)

static void
ub_usb_transport_test_out_cb(UbUmockdevSim *sim,
			     guint8 endpoint,
			     const guint8 *buf,
			     gsize bufsz,
			     gpointer user_data)
{
	UbUsbTransportTestDevice *dev = user_data;
	gsize source = 0;

	g_mutex_lock(&dev->mutex);
	g_array_append_val(dev->sizes, bufsz);
	dev->total += bufsz;
	if (dev->source > 0 && bufsz == 3 && memcmp(buf, "SRC", 3) == 0)
		source = dev->source;
	g_mutex_unlock(&dev->mutex);

	if (source > 0) {
		g_autofree guint8 *data = g_malloc(source);
		memset(data, 0x5a, source);
		ub_umockdev_sim_push_in(sim, data, source);
		return;
	}
	if (dev->echo && bufsz > 0)
		ub_umockdev_sim_push_in(sim, buf, bufsz);
}

static UbUmockdevSim *
ub_usb_transport_test_plug(const gchar *path,
			   guint16 vid,
			   guint16 pid,
			   const gchar *serial,
			   UbUsbTransportTestDevice *dev)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUmockdevSim) sim = ub_umockdev_sim_new(path, vid, pid);
	ub_umockdev_sim_set_strings(sim, "Qualcomm CDMA Technologies MSM", "QUSB__BULK", serial);
	if (dev != NULL)
		ub_umockdev_sim_set_out_func(sim, ub_usb_transport_test_out_cb, dev);
	g_assert_true(ub_umockdev_sim_plug(sim, ub_usb_transport_test_testbed, &error));
	g_assert_no_error(error);
	return g_steal_pointer(&sim);
}

static guint8
ub_usb_transport_test_pattern(gsize i)
{
	return (guint8)((i * 31 + 7) % 251);
}

static void
ub_usb_transport_test_echo(void)
{
	gssize n;
	guint8 buf[4096] = {0};
	gsize bigsz = 3 * 1024 * 1024 + 17;
	g_autofree guint8 *big = g_malloc(bigsz);
	g_autofree guint8 *rbig = g_malloc0(bigsz);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbTransportTestDevice) dev = ub_usb_transport_test_device_new(TRUE);
	g_autoptr(UbUmockdevSim) sim =
	    ub_usb_transport_test_plug("1-1", 0x05c6, 0x9008, "_SN:ABCD1234", dev);
	g_autoptr(UbTransport) transport = NULL;

	transport = ub_usb_transport_new_for_vid_pid(0x05c6, 0x9008, &error);
	g_assert_no_error(error);
	g_assert_nonnull(transport);
	g_assert_cmpstr(ub_transport_get_name(transport), ==, "usb:1-1 05c6:9008");
	g_assert_cmpuint(ub_transport_get_max_packet_size(transport), ==, 512);
	g_assert_cmpint(ub_usb_transport_get_interface_number(UB_USB_TRANSPORT(transport)), ==, 0);
	g_assert_cmphex(ub_usb_transport_get_ep_in(UB_USB_TRANSPORT(transport)), ==, 0x81);
	g_assert_cmphex(ub_usb_transport_get_ep_out(UB_USB_TRANSPORT(transport)), ==, 0x01);

	/* a small round trip: a read returns one transfer */
	g_assert_true(
	    ub_transport_write(transport, (const guint8 *)"hello", 5, 0, 1000, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(transport, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 5);
	g_assert_cmpmem(buf, 5, "hello", 5);

	/* a read smaller than the transfer (and not a multiple of 512) keeps
	 * the rest for the next read */
	for (gsize i = 0; i < 700; i++)
		buf[i] = ub_usb_transport_test_pattern(i);
	g_assert_true(ub_transport_write(transport, buf, 700, 0, 1000, NULL, &error));
	memset(buf, 0, sizeof(buf));
	n = ub_transport_read(transport, buf, 100, 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 100);
	g_assert_true(ub_transport_read_exact(transport, buf + 100, 600, 1000, NULL, &error));
	g_assert_no_error(error);
	for (gsize i = 0; i < 700; i++)
		g_assert_cmpuint(buf[i], ==, ub_usb_transport_test_pattern(i));
	n = ub_transport_read(transport, buf, sizeof(buf), 50, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_clear_error(&error);

	/* a large write goes out as 1 MiB transfers, in order, intact */
	for (gsize i = 0; i < bigsz; i++)
		big[i] = ub_usb_transport_test_pattern(i);
	g_mutex_lock(&dev->mutex);
	g_array_set_size(dev->sizes, 0);
	g_mutex_unlock(&dev->mutex);
	g_assert_true(ub_transport_write(transport, big, bigsz, 0, 5000, NULL, &error));
	g_assert_no_error(error);
	g_mutex_lock(&dev->mutex);
	g_assert_cmpuint(dev->sizes->len, ==, 4);
	g_assert_cmpuint(g_array_index(dev->sizes, gsize, 0), ==, 1024 * 1024);
	g_assert_cmpuint(g_array_index(dev->sizes, gsize, 3), ==, 17);
	g_mutex_unlock(&dev->mutex);
	g_assert_true(ub_transport_read_exact(transport, rbig, bigsz, 5000, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(big, bigsz, rbig, bigsz);
}

typedef struct {
	UbUmockdevSim *sim;
	gint stop;
} UbUsbTransportTestDrain;

/* a slow device: accepts a held OUT transfer only once the host has queued a
 * second one behind it, or after 100 ms without a second one, so a host that
 * waits for each transfer still finishes, but slowly and with max 1 */
static gpointer
ub_usb_transport_test_drain_thread_cb(gpointer user_data)
{
	UbUsbTransportTestDrain *drain = user_data;
	gint64 idle_since = g_get_monotonic_time();
	while (!g_atomic_int_get(&drain->stop)) {
		guint held = ub_umockdev_sim_get_out_in_flight(drain->sim);
		if (held >= 2 || (held == 1 && g_get_monotonic_time() - idle_since > 100000)) {
			ub_umockdev_sim_complete_out(drain->sim);
			idle_since = g_get_monotonic_time();
		}
		g_usleep(1000);
	}
	while (ub_umockdev_sim_complete_out(drain->sim))
		;
	return NULL;
}

static void
ub_usb_transport_test_in_flight(void)
{
	gsize bigsz = 8 * 1024 * 1024;
	GThread *thread;
	UbUsbTransportTestDrain drain = {0};
	g_autofree guint8 *big = g_malloc0(bigsz);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbTransportTestDevice) dev = ub_usb_transport_test_device_new(FALSE);
	g_autoptr(UbUmockdevSim) sim = ub_usb_transport_test_plug("1-2", 0x05c6, 0x9008, NULL, dev);
	g_autoptr(UbTransport) transport = NULL;

	transport = ub_usb_transport_new_for_path("1-2", &error);
	g_assert_no_error(error);

	/* while the device is slow, the host keeps several transfers queued */
	ub_umockdev_sim_set_hold_out(sim, TRUE);
	drain.sim = sim;
	thread = g_thread_new("drain", ub_usb_transport_test_drain_thread_cb, &drain);
	g_assert_true(ub_transport_write(transport, big, bigsz, 0, 5000, NULL, &error));
	g_atomic_int_set(&drain.stop, 1);
	g_thread_join(thread);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_umockdev_sim_get_max_out_in_flight(sim), >=, 2);
	g_assert_cmpuint(dev->total, ==, bigsz);
	g_test_message("max OUT transfers in flight: %u",
		       ub_umockdev_sim_get_max_out_in_flight(sim));
}

static void
ub_usb_transport_test_zlp(void)
{
	gssize n;
	guint8 buf[1024] = {0};
	gsize bigsz = 1024 * 1024;
	g_autofree guint8 *big = g_malloc0(bigsz);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbTransportTestDevice) dev = ub_usb_transport_test_device_new(FALSE);
	g_autoptr(UbUmockdevSim) sim = ub_usb_transport_test_plug("1-3", 0x05c6, 0x9008, NULL, dev);
	g_autoptr(UbTransport) transport = NULL;
	const gsize expected[] = {512, 0, 512, 500, 1024 * 1024, 0, 0};

	transport = ub_usb_transport_new_for_path("1-3", &error);
	g_assert_no_error(error);

	/* ZLP after a multiple of wMaxPacketSize with the flag only */
	g_assert_true(ub_transport_write(transport,
					 buf,
					 512,
					 UB_TRANSPORT_WRITE_FLAG_ZLP,
					 1000,
					 NULL,
					 &error));
	g_assert_true(ub_transport_write(transport, buf, 512, 0, 1000, NULL, &error));
	g_assert_true(ub_transport_write(transport,
					 buf,
					 500,
					 UB_TRANSPORT_WRITE_FLAG_ZLP,
					 1000,
					 NULL,
					 &error));
	g_assert_true(ub_transport_write(transport,
					 big,
					 bigsz,
					 UB_TRANSPORT_WRITE_FLAG_ZLP,
					 1000,
					 NULL,
					 &error));
	/* an explicit zero-length write */
	g_assert_true(ub_transport_write(transport, buf, 0, 0, 1000, NULL, &error));
	g_assert_no_error(error);
	g_mutex_lock(&dev->mutex);
	g_assert_cmpuint(dev->sizes->len, ==, G_N_ELEMENTS(expected));
	for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
		g_assert_cmpuint(g_array_index(dev->sizes, gsize, i), ==, expected[i]);
	g_mutex_unlock(&dev->mutex);

	/* and a ZLP from the device reads as 0 */
	ub_umockdev_sim_push_in(sim, NULL, 0);
	n = ub_transport_read(transport, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 0);
}

static void
ub_usb_transport_test_timeout(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[512] = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUmockdevSim) sim =
	    ub_usb_transport_test_plug("1-4", 0x05c6, 0x9008, NULL, NULL);
	g_autoptr(UbTransport) transport = NULL;

	transport = ub_usb_transport_new_for_path("1-4", &error);
	g_assert_no_error(error);

	start = g_get_monotonic_time();
	n = ub_transport_read(transport, buf, sizeof(buf), 200, NULL, &error);
	elapsed = g_get_monotonic_time() - start;
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, >=, 200 * 1000);
	g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
	g_clear_error(&error);

	/* the URB was discarded, and the next transfer is not lost */
	g_assert_cmpuint(ub_umockdev_sim_get_pending_in(sim), ==, 0);
	ub_umockdev_sim_push_in(sim, (const guint8 *)"late", 4);
	n = ub_transport_read(transport, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 4);
	g_assert_cmpmem(buf, 4, "late", 4);

	/* a device that never accepts OUT data */
	ub_umockdev_sim_set_hold_out(sim, TRUE);
	start = g_get_monotonic_time();
	g_assert_false(ub_transport_write(transport, buf, sizeof(buf), 0, 200, NULL, &error));
	elapsed = g_get_monotonic_time() - start;
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(elapsed, >=, 200 * 1000);
	g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
}

static gpointer
ub_usb_transport_test_cancel_thread_cb(gpointer user_data)
{
	g_usleep(100 * 1000);
	g_cancellable_cancel(G_CANCELLABLE(user_data));
	return NULL;
}

static void
ub_usb_transport_test_cancel(void)
{
	gssize n;
	gint64 start;
	gint64 elapsed;
	guint8 buf[512] = {0};
	GThread *thread;
	gsize bigsz = 4 * 1024 * 1024;
	g_autofree guint8 *big = g_malloc0(bigsz);
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GCancellable) cancellable2 = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUmockdevSim) sim =
	    ub_usb_transport_test_plug("1-5", 0x05c6, 0x9008, NULL, NULL);
	g_autoptr(UbTransport) transport = NULL;

	transport = ub_usb_transport_new_for_path("1-5", &error);
	g_assert_no_error(error);

	/* a read without timeout */
	thread = g_thread_new("cancel", ub_usb_transport_test_cancel_thread_cb, cancellable);
	start = g_get_monotonic_time();
	n = ub_transport_read(transport, buf, sizeof(buf), 0, cancellable, &error);
	elapsed = g_get_monotonic_time() - start;
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(elapsed, >=, 50 * 1000);
	g_assert_cmpint(elapsed, <, G_USEC_PER_SEC);
	g_assert_cmpuint(ub_umockdev_sim_get_pending_in(sim), ==, 0);
	g_clear_error(&error);

	/* a large write stuck on a slow device: every transfer is cancelled */
	ub_umockdev_sim_set_hold_out(sim, TRUE);
	thread = g_thread_new("cancel", ub_usb_transport_test_cancel_thread_cb, cancellable2);
	start = g_get_monotonic_time();
	g_assert_false(ub_transport_write(transport, big, bigsz, 0, 0, cancellable2, &error));
	elapsed = g_get_monotonic_time() - start;
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(elapsed, <, G_USEC_PER_SEC);
	g_assert_false(ub_umockdev_sim_complete_out(sim));
	g_clear_error(&error);

	/* the transport still works afterwards */
	ub_umockdev_sim_set_hold_out(sim, FALSE);
	ub_umockdev_sim_push_in(sim, (const guint8 *)"OKAY", 4);
	n = ub_transport_read(transport, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 4);
}

static gpointer
ub_usb_transport_test_unplug_thread_cb(gpointer user_data)
{
	UbUmockdevSim *sim = UB_UMOCKDEV_SIM(user_data);
	/* unplug once the host is really waiting */
	for (guint i = 0; i < 200 && ub_umockdev_sim_get_pending_in(sim) == 0; i++)
		g_usleep(5000);
	g_usleep(20000);
	ub_umockdev_sim_unplug(sim);
	return NULL;
}

static void
ub_usb_transport_test_unplug(void)
{
	gssize n;
	gint64 start;
	guint8 buf[512] = {0};
	GThread *thread;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUmockdevSim) sim =
	    ub_usb_transport_test_plug("1-6", 0x05c6, 0x9008, NULL, NULL);
	g_autoptr(UbTransport) transport = NULL;
	g_autoptr(UbTransport) transport2 = NULL;

	transport = ub_usb_transport_new_for_path("1-6", &error);
	g_assert_no_error(error);

	thread = g_thread_new("unplug", ub_usb_transport_test_unplug_thread_cb, sim);
	start = g_get_monotonic_time();
	n = ub_transport_read(transport, buf, sizeof(buf), 5000, NULL, &error);
	g_thread_join(thread);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpint(n, ==, -1);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
	g_clear_error(&error);

	g_assert_false(ub_transport_write(transport, buf, 64, 0, 1000, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);

	/* closing a transport whose device is gone is fine; then it stays gone */
	ub_transport_close(transport);
	n = ub_transport_read(transport, buf, sizeof(buf), 100, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);

	transport2 = ub_usb_transport_new_for_path("1-6", &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(transport2);
}

static void
ub_usb_transport_test_endpoints(void)
{
	gssize n;
	guint8 buf[512] = {0};
	/* a MediaTek-like CDC device: interface 0 has only an interrupt IN, the
	 * data interface 1 has bulk IN 0x82 and OUT 0x02 */
	/* clang-format off */
	const guint8 config[] = {
	    9, 2, 48, 0, 2, 1, 0, 0x80, 0xfa,
	    9, 4, 0, 0, 1, 0x02, 0x02, 0x01, 0,
	    7, 5, 0x83, 3, 0x40, 0x00, 16,
	    9, 4, 1, 0, 2, 0x0a, 0x00, 0x00, 0,
	    7, 5, 0x82, 2, 0x00, 0x02, 0,
	    7, 5, 0x02, 2, 0x00, 0x02, 0,
	};
	/* clang-format on */
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbTransportTestDevice) dev = ub_usb_transport_test_device_new(TRUE);
	g_autoptr(UbUmockdevSim) sim = ub_umockdev_sim_new("1-7", 0x0e8d, 0x0003);
	g_autoptr(UbTransport) transport = NULL;
	g_autoptr(UbTransport) transport_bad = NULL;

	ub_umockdev_sim_set_config_descriptor(sim, config, sizeof(config));
	ub_umockdev_sim_set_out_func(sim, ub_usb_transport_test_out_cb, dev);
	g_assert_true(ub_umockdev_sim_plug(sim, ub_usb_transport_test_testbed, &error));
	g_assert_no_error(error);

	transport = ub_usb_transport_new_for_vid_pid(0x0e8d, 0x0003, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ub_usb_transport_get_interface_number(UB_USB_TRANSPORT(transport)), ==, 1);
	g_assert_cmphex(ub_usb_transport_get_ep_in(UB_USB_TRANSPORT(transport)), ==, 0x82);
	g_assert_cmphex(ub_usb_transport_get_ep_out(UB_USB_TRANSPORT(transport)), ==, 0x02);
	g_assert_true(
	    ub_transport_write(transport, (const guint8 *)"\xa0", 1, 0, 1000, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(transport, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 1);
	g_assert_cmphex(buf[0], ==, 0xa0);

	/* asking for the interface without a bulk pair */
	{
		g_autoptr(UbUsbContext) usb_ctx = ub_usb_context_acquire(&error);
		g_autoptr(libusb_device) usbdev = NULL;
		g_assert_no_error(error);
		usbdev = ub_usb_context_find_device_by_vid_pid(usb_ctx, 0x0e8d, 0x0003, &error);
		g_assert_no_error(error);
		transport_bad = ub_usb_transport_new_for_device(usbdev, 0, &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
		g_assert_null(transport_bad);
	}
}

static void
ub_usb_transport_test_open_by_path(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUmockdevSim) sim =
	    ub_usb_transport_test_plug("2-3.1", 0x05c6, 0x9008, NULL, NULL);
	g_autoptr(UbTransport) transport = NULL;
	g_autoptr(UbTransport) transport_none = NULL;

	/* the hub at 2-3 is on the path too */
	transport = ub_usb_transport_new_for_path("2-3.1", &error);
	g_assert_no_error(error);
	g_assert_nonnull(transport);
	g_assert_cmpstr(ub_usb_transport_get_path(UB_USB_TRANSPORT(transport)), ==, "2-3.1");
	g_assert_cmpstr(ub_transport_get_name(transport), ==, "usb:2-3.1 05c6:9008");

	transport_none = ub_usb_transport_new_for_path("2-3.9", &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(transport_none);
}

static void
ub_usb_transport_test_open_by_serial(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUmockdevSim) sim1 =
	    ub_usb_transport_test_plug("3-1", 0x18d1, 0x4ee0, "AAAA0001", NULL);
	g_autoptr(UbUmockdevSim) sim2 =
	    ub_usb_transport_test_plug("3-2", 0x18d1, 0x4ee0, "BBBB0002", NULL);
	g_autoptr(UbTransport) transport = NULL;
	g_autoptr(UbTransport) transport_none = NULL;

	/* same IDs, told apart by the serial number string descriptor */
	transport = ub_usb_transport_new_for_serial("BBBB0002", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_usb_transport_get_path(UB_USB_TRANSPORT(transport)), ==, "3-2");
	g_clear_object(&transport);
	transport = ub_usb_transport_new_for_serial("AAAA0001", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_usb_transport_get_path(UB_USB_TRANSPORT(transport)), ==, "3-1");

	transport_none = ub_usb_transport_new_for_serial("CCCC0003", &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(transport_none);
}

static void
ub_usb_transport_test_throughput(void)
{
	gsize total = 32 * 1024 * 1024;
	gsize done = 0;
	gint64 start;
	gdouble secs;
	g_autofree guint8 *buf = g_malloc0(total);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbTransportTestDevice) dev = ub_usb_transport_test_device_new(FALSE);
	g_autoptr(UbUmockdevSim) sim = ub_usb_transport_test_plug("1-8", 0x05c6, 0x9008, NULL, dev);
	g_autoptr(UbTransport) transport = NULL;

	transport = ub_usb_transport_new_for_path("1-8", &error);
	g_assert_no_error(error);

	/* host to device: one big write */
	start = g_get_monotonic_time();
	g_assert_true(ub_transport_write(transport, buf, total, 0, 5000, NULL, &error));
	g_assert_no_error(error);
	secs = (gdouble)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_assert_cmpuint(dev->total, ==, total);
	g_printerr("usb host->device: %" G_GSIZE_FORMAT " MiB in %.3f s = %.1f MB/s\n",
		   total / (1024 * 1024),
		   secs,
		   (gdouble)total / secs / 1e6);

	/* device to host: the device streams, the host reads 1 MiB at a time */
	g_mutex_lock(&dev->mutex);
	dev->source = total;
	g_mutex_unlock(&dev->mutex);
	g_assert_true(
	    ub_transport_write(transport, (const guint8 *)"SRC", 3, 0, 1000, NULL, &error));
	start = g_get_monotonic_time();
	while (done < total) {
		gssize n = ub_transport_read(transport, buf, 1024 * 1024, 5000, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpint(n, >, 0);
		done += (gsize)n;
	}
	secs = (gdouble)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_assert_cmpuint(done, ==, total);
	g_assert_cmpuint(buf[0], ==, 0x5a);
	g_printerr("usb device->host: %" G_GSIZE_FORMAT " MiB in %.3f s = %.1f MB/s\n",
		   total / (1024 * 1024),
		   secs,
		   (gdouble)total / secs / 1e6);
}

/* without hotplug events every lookup lists the bus through a context of its
 * own, which the transport opened from the device keeps for as long as it lives */
static void
ub_usb_transport_test_poll_lookup(void)
{
	gssize n;
	guint8 buf[64] = {0};
	guint n_private = ub_usb_context_get_n_private();
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbTransportTestPollEnv) env = ub_usb_transport_test_poll_env_set("1");
	g_autoptr(UbUsbTransportTestDevice) dev = ub_usb_transport_test_device_new(TRUE);
	g_autoptr(UbUmockdevSim) sim = NULL;
	g_autoptr(UbTransport) transport = NULL;
	g_autoptr(UbTransport) transport_shared = NULL;
	UbUsbContext *usb_ctx_transport;

	/* a context from before the device arrived, and one from after */
	{
		g_autoptr(UbUsbContext) usb_ctx_before = ub_usb_context_acquire(&error);
		g_autoptr(UbUsbContext) usb_ctx = NULL;
		g_autoptr(libusb_device) usb_device = NULL;

		g_assert_no_error(error);
		g_assert_false(ub_usb_context_is_shared(usb_ctx_before));
		sim = ub_usb_transport_test_plug("4-1", 0x05c6, 0x9008, NULL, dev);
		usb_ctx = ub_usb_context_acquire(&error);
		g_assert_no_error(error);
		g_assert_true(usb_ctx != usb_ctx_before);
		g_assert_true(ub_usb_context_get_libusb(usb_ctx) !=
			      ub_usb_context_get_libusb(usb_ctx_before));
		g_assert_true(ub_usb_context_get_libusb(usb_ctx) !=
			      ub_usb_context_get_default(NULL));
		g_assert_cmpuint(ub_usb_context_get_n_private(), ==, n_private + 2);

		/* found through the new context; the transport finds that context
		 * from the device alone and keeps it */
		usb_device = ub_usb_context_find_device_by_path(usb_ctx, "4-1", &error);
		g_assert_no_error(error);
		g_assert_nonnull(usb_device);
		transport = ub_usb_transport_new_for_device(usb_device, -1, &error);
		g_assert_no_error(error);
		g_assert_nonnull(transport);
		g_assert_true(ub_usb_transport_get_context(UB_USB_TRANSPORT(transport)) == usb_ctx);
	}

	/* the lookup's references are gone; the transport's context lives on */
	g_assert_cmpuint(ub_usb_context_get_n_private(), ==, n_private + 1);
	usb_ctx_transport = ub_usb_transport_get_context(UB_USB_TRANSPORT(transport));
	g_assert_false(ub_usb_context_is_shared(usb_ctx_transport));
	g_assert_true(
	    ub_transport_write(transport, (const guint8 *)"ping", 4, 0, 1000, NULL, &error));
	g_assert_no_error(error);
	n = ub_transport_read(transport, buf, sizeof(buf), 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 4);
	g_assert_cmpmem(buf, 4, "ping", 4);

	/* the last user exits the context */
	g_clear_object(&transport);
	g_assert_cmpuint(ub_usb_context_get_n_private(), ==, n_private);

	/* the convenience constructors look up the same way */
	transport = ub_usb_transport_new_for_path("4-1", &error);
	g_assert_no_error(error);
	g_assert_false(
	    ub_usb_context_is_shared(ub_usb_transport_get_context(UB_USB_TRANSPORT(transport))));
	g_assert_cmpuint(ub_usb_context_get_n_private(), ==, n_private + 1);
	g_clear_object(&transport);

	/* with hotplug events, the one shared context as before */
	g_setenv("UB_USB_POLL", "0", TRUE);
	transport_shared = ub_usb_transport_new_for_vid_pid(0x05c6, 0x9008, &error);
	g_assert_no_error(error);
	usb_ctx_transport = ub_usb_transport_get_context(UB_USB_TRANSPORT(transport_shared));
	g_assert_true(ub_usb_context_is_shared(usb_ctx_transport));
	g_assert_true(ub_usb_context_get_libusb(usb_ctx_transport) ==
		      ub_usb_context_get_default(NULL));
	g_assert_cmpuint(ub_usb_context_get_n_private(), ==, n_private);
}

/* a device of a context that is not ours cannot be opened: its events would
 * be handled on the wrong context */
static void
ub_usb_transport_test_foreign_device(void)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	ssize_t n;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUmockdevSim) sim =
	    ub_usb_transport_test_plug("4-4", 0x05c6, 0x9008, NULL, NULL);
	g_autoptr(UbTransport) transport = NULL;

	g_assert_cmpint(libusb_init(&ctx), ==, LIBUSB_SUCCESS);
	n = libusb_get_device_list(ctx, &list);
	g_assert_cmpint(n, >, 0);
	g_assert_null(ub_usb_context_find_for_device(list[0]));
	transport = ub_usb_transport_new_for_device(list[0], -1, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INTERNAL);
	g_assert_null(transport);
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
}

typedef struct {
	const gchar *path;
	UbUsbContext *usb_ctx; /* not owned: only compared */
	guint round_trips;
} UbUsbTransportTestJob;

/* one phone's job on a worker thread: open it as the bus is now, echo 64 KiB
 * many times */
static gpointer
ub_usb_transport_test_job_thread_cb(gpointer user_data)
{
	UbUsbTransportTestJob *job = user_data;
	gsize bufsz = 64 * 1024;
	g_autofree guint8 *buf = g_malloc(bufsz);
	g_autofree guint8 *rbuf = g_malloc(bufsz);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) transport = ub_usb_transport_new_for_path(job->path, &error);

	g_assert_no_error(error);
	job->usb_ctx = ub_usb_transport_get_context(UB_USB_TRANSPORT(transport));
	for (guint r = 0; r < 20; r++) {
		for (gsize i = 0; i < bufsz; i++)
			buf[i] = ub_usb_transport_test_pattern(i + r);
		g_assert_true(ub_transport_write(transport, buf, bufsz, 0, 5000, NULL, &error));
		g_assert_no_error(error);
		g_assert_true(ub_transport_read_exact(transport, rbuf, bufsz, 5000, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpmem(buf, bufsz, rbuf, bufsz);
		job->round_trips++;
	}
	return NULL;
}

/* two phones at once, each job on its own thread with its own context */
static void
ub_usb_transport_test_poll_threads(void)
{
	guint n_private = ub_usb_context_get_n_private();
	UbUsbTransportTestJob jobs[2] = {{.path = "4-2"}, {.path = "4-3"}};
	GThread *threads[2] = {NULL};
	g_autoptr(UbUsbTransportTestPollEnv) env = ub_usb_transport_test_poll_env_set("1");
	g_autoptr(UbUsbTransportTestDevice) dev1 = ub_usb_transport_test_device_new(TRUE);
	g_autoptr(UbUsbTransportTestDevice) dev2 = ub_usb_transport_test_device_new(TRUE);
	g_autoptr(UbUmockdevSim) sim1 =
	    ub_usb_transport_test_plug("4-2", 0x05c6, 0x9008, NULL, dev1);
	g_autoptr(UbUmockdevSim) sim2 =
	    ub_usb_transport_test_plug("4-3", 0x05c6, 0x9008, NULL, dev2);

	for (guint i = 0; i < G_N_ELEMENTS(jobs); i++)
		threads[i] = g_thread_new("job", ub_usb_transport_test_job_thread_cb, &jobs[i]);
	for (guint i = 0; i < G_N_ELEMENTS(jobs); i++)
		g_thread_join(threads[i]);
	g_assert_cmpuint(jobs[0].round_trips, ==, 20);
	g_assert_cmpuint(jobs[1].round_trips, ==, 20);
	g_assert_true(jobs[0].usb_ctx != jobs[1].usb_ctx);
	g_assert_cmpuint(dev1->total, ==, 20 * 64 * 1024);
	g_assert_cmpuint(dev2->total, ==, 20 * 64 * 1024);
	g_assert_cmpuint(ub_usb_context_get_n_private(), ==, n_private);
}

#endif /* HAVE_UMOCKDEV */

int
main(int argc, char **argv)
{
	gboolean want_umockdev = g_getenv("UB_TEST_UMOCKDEV") != NULL;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/usb-transport/error-mapping",
			ub_usb_transport_test_error_mapping);
	g_test_add_func("/ub/core/usb-transport/should-poll", ub_usb_transport_test_should_poll);
	if (!want_umockdev)
		return g_test_run();

#ifdef HAVE_UMOCKDEV
	/* the test bed must exist before libusb is initialised */
	ub_usb_transport_test_testbed = umockdev_testbed_new();
	if (!ub_umockdev_sim_in_mock_environment(ub_usb_transport_test_testbed)) {
		g_printerr("needs umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)\n");
		g_clear_object(&ub_usb_transport_test_testbed);
		return 77;
	}
	g_test_add_func("/ub/core/usb-transport/umockdev/echo", ub_usb_transport_test_echo);
	g_test_add_func("/ub/core/usb-transport/umockdev/in-flight",
			ub_usb_transport_test_in_flight);
	g_test_add_func("/ub/core/usb-transport/umockdev/zlp", ub_usb_transport_test_zlp);
	g_test_add_func("/ub/core/usb-transport/umockdev/timeout", ub_usb_transport_test_timeout);
	g_test_add_func("/ub/core/usb-transport/umockdev/cancel", ub_usb_transport_test_cancel);
	g_test_add_func("/ub/core/usb-transport/umockdev/unplug", ub_usb_transport_test_unplug);
	g_test_add_func("/ub/core/usb-transport/umockdev/endpoints",
			ub_usb_transport_test_endpoints);
	g_test_add_func("/ub/core/usb-transport/umockdev/open-by-path",
			ub_usb_transport_test_open_by_path);
	g_test_add_func("/ub/core/usb-transport/umockdev/open-by-serial",
			ub_usb_transport_test_open_by_serial);
	g_test_add_func("/ub/core/usb-transport/umockdev/throughput",
			ub_usb_transport_test_throughput);
	g_test_add_func("/ub/core/usb-transport/umockdev/poll-lookup",
			ub_usb_transport_test_poll_lookup);
	g_test_add_func("/ub/core/usb-transport/umockdev/foreign-device",
			ub_usb_transport_test_foreign_device);
	g_test_add_func("/ub/core/usb-transport/umockdev/poll-threads",
			ub_usb_transport_test_poll_threads);
	{
		gint rc = g_test_run();
		g_clear_object(&ub_usb_transport_test_testbed);
		return rc;
	}
#else
	g_printerr("built without umockdev\n");
	return 77;
#endif
}
