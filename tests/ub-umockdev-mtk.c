/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-umockdev-mtk.h"
#include "ub-umockdev-transport.h"

/*
 * How it works: every plug is a new UbUmockdevSim (0003, 2000 or 2001 on the
 * same port path, so a new device address as after a real re-enumeration)
 * with a UbUmockdevTransport as its device end. This object forwards the
 * personality's reads and writes to the device end of the current plug, so
 * one personality serves all of them. The serve thread runs one session per
 * plug; when a session ends it closes the device end (the last answers are
 * drained, then the device leaves the bus) and plugs in again only when the
 * personality says the DA comes back as 0e8d:2001.
 *
 * Old sims and their device ends are kept until finalize: the host may still
 * hold the old usbfs node open while it finds the new one.
 */

#define UB_UMOCKDEV_MTK_VID		0x0e8d
#define UB_UMOCKDEV_MTK_PID_BROM	0x0003
#define UB_UMOCKDEV_MTK_PID_PRELOADER	0x2000
#define UB_UMOCKDEV_MTK_PID_DA		0x2001
#define UB_UMOCKDEV_MTK_FULL_SPEED_MPS	64
#define UB_UMOCKDEV_MTK_HIGH_SPEED_MPS	512

struct _UbUmockdevMtk {
	GObject parent_instance;
	UMockdevTestbed *testbed;
	gchar *path;
	gchar *name;
	UbSimMtk *sim;
	GCancellable *cancellable;
	GThread *thread;
	GMutex mutex;
	GCond cond;
	UbUmockdevSim *usb_sim; /* the current plug, NULL when away */
	UbTransport *dev;	/* its device end */
	GPtrArray *old;		/* of GObject: sims and device ends of earlier plugs */
	guint16 pid;
	gsize mps;
	guint n_plugs;
	gboolean cable_pulled;
	gboolean gone; /* away for good: the serve thread ended */
	guint64 plug_bytes; /* host-to-phone bytes since the current plug */
	gint64 first_plug_time;
	gint64 first_byte_time;
	guint64 bytes_received;
	guint64 bytes_sent;
	gchar *serve_error;
};

static void
ub_umockdev_mtk_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbUmockdevMtk,
			ub_umockdev_mtk,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_umockdev_mtk_iface_init))

/**
 * ub_umockdev_mtk_sim_new:
 * @path: the port path, e.g. "1-3"
 * @pid: 0x0003 (BootROM, full speed), 0x2000 (preloader) or 0x2001 (DA), high speed
 *
 * The descriptors of a MediaTek phone's CDC ACM port.
 *
 * Returns: (transfer full): a #UbUmockdevSim, not plugged in
 */
UbUmockdevSim *
ub_umockdev_mtk_sim_new(const gchar *path, guint16 pid)
{
	guint16 mps = pid == UB_UMOCKDEV_MTK_PID_BROM ? UB_UMOCKDEV_MTK_FULL_SPEED_MPS
						      : UB_UMOCKDEV_MTK_HIGH_SPEED_MPS;
	/* the interrupt endpoint polls every 16 frames (FS) or 2^(5-1) microframes (HS) */
	guint8 interval = pid == UB_UMOCKDEV_MTK_PID_BROM ? 0x10 : 0x05;
	/* clang-format off */
	const guint8 config[67] = {
	    9, 2, 67, 0, 2, 1, 0, 0x80, 0xfa,		/* configuration 1, 2 interfaces, 500 mA */
	    9, 4, 0, 0, 1, 0x02, 0x02, 0x01, 0,		/* interface 0: CDC communication, ACM, AT */
	    5, 0x24, 0x00, 0x10, 0x01,			/* CDC header, 1.10 */
	    5, 0x24, 0x01, 0x00, 0x01,			/* call management, data interface 1 */
	    4, 0x24, 0x02, 0x02,			/* ACM: line coding and serial state */
	    5, 0x24, 0x06, 0x00, 0x01,			/* union: 0 controls 1 */
	    7, 5, 0x83, 3, 0x10, 0x00, interval,	/* interrupt IN, 16 bytes */
	    9, 4, 1, 0, 2, 0x0a, 0x00, 0x00, 0,		/* interface 1: CDC data */
	    7, 5, 0x81, 2, mps & 0xff, mps >> 8, 0,	/* bulk IN */
	    7, 5, 0x01, 2, mps & 0xff, mps >> 8, 0,	/* bulk OUT */
	};
	/* clang-format on */
	/* the strings are illustrative; the engine goes by VID:PID */
	const gchar *product = pid == UB_UMOCKDEV_MTK_PID_DA ? "MT65xx DA" : "MT65xx Preloader";
	UbUmockdevSim *sim = ub_umockdev_sim_new(path, UB_UMOCKDEV_MTK_VID, pid);
	ub_umockdev_sim_set_strings(sim, "MediaTek", product, NULL);
	ub_umockdev_sim_set_config_descriptor(sim, config, sizeof(config));
	return sim;
}

/* plugs in the phone as @pid; called with no lock held */
static gboolean
ub_umockdev_mtk_plug(UbUmockdevMtk *self, guint16 pid, GError **error)
{
	g_autoptr(UbUmockdevSim) usb_sim = ub_umockdev_mtk_sim_new(self->path, pid);
	g_autoptr(UbTransport) dev = ub_umockdev_transport_new(usb_sim);
	gint64 now;

	if (!ub_umockdev_sim_plug(usb_sim, self->testbed, error)) {
		g_prefix_error(error, "failed to plug in %04x:%04x: ", UB_UMOCKDEV_MTK_VID, pid);
		return FALSE;
	}
	now = g_get_monotonic_time();
	g_mutex_lock(&self->mutex);
	self->usb_sim = g_steal_pointer(&usb_sim);
	self->dev = g_steal_pointer(&dev);
	self->pid = pid;
	self->mps = pid == UB_UMOCKDEV_MTK_PID_BROM ? UB_UMOCKDEV_MTK_FULL_SPEED_MPS
						    : UB_UMOCKDEV_MTK_HIGH_SPEED_MPS;
	if (self->n_plugs == 0)
		self->first_plug_time = now;
	self->plug_bytes = 0;
	self->n_plugs++;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	g_debug("%s: plugged in as %04x:%04x", self->name, UB_UMOCKDEV_MTK_VID, pid);
	return TRUE;
}

/* the phone leaves the bus; with @drain its last answers reach the host first */
static void
ub_umockdev_mtk_unplug(UbUmockdevMtk *self, gboolean drain)
{
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbUmockdevSim) usb_sim = NULL;

	g_mutex_lock(&self->mutex);
	dev = g_steal_pointer(&self->dev);
	usb_sim = g_steal_pointer(&self->usb_sim);
	g_mutex_unlock(&self->mutex);
	if (dev == NULL)
		return;
	if (!drain)
		ub_umockdev_sim_unplug(usb_sim);
	ub_transport_close(dev);
	g_mutex_lock(&self->mutex);
	g_ptr_array_add(self->old, g_steal_pointer(&dev));
	g_ptr_array_add(self->old, g_steal_pointer(&usb_sim));
	g_mutex_unlock(&self->mutex);
}

static guint16
ub_umockdev_mtk_pid_for_mode(const gchar *mode)
{
	if (g_strcmp0(mode, "preloader") == 0)
		return UB_UMOCKDEV_MTK_PID_PRELOADER;
	if (g_strcmp0(mode, "da") == 0)
		return UB_UMOCKDEV_MTK_PID_DA;
	return UB_UMOCKDEV_MTK_PID_BROM;
}

static gboolean
ub_umockdev_mtk_get_cable_pulled(UbUmockdevMtk *self)
{
	gboolean pulled;
	g_mutex_lock(&self->mutex);
	pulled = self->cable_pulled;
	g_mutex_unlock(&self->mutex);
	return pulled;
}

/* one session per plug, until the phone leaves for good */
static gpointer
ub_umockdev_mtk_serve_thread_cb(gpointer user_data)
{
	UbUmockdevMtk *self = UB_UMOCKDEV_MTK(user_data);

	for (;;) {
		g_autoptr(GError) error_local = NULL;
		const gchar *mode;
		gboolean drain;
		gboolean ok = ub_sim_personality_serve(UB_SIM_PERSONALITY(self->sim),
						       UB_TRANSPORT(self),
						       self->cancellable,
						       &error_local);
		if (!ok && !g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_debug("%s: session failed: %s", self->name, error_local->message);
			g_mutex_lock(&self->mutex);
			g_free(self->serve_error);
			self->serve_error = g_strdup(error_local->message);
			g_mutex_unlock(&self->mutex);
		}
		mode = ub_sim_mtk_get_session_mode(self->sim);
		/* answers are owed after the speed switch, a shutdown or a reset the
		 * host asked for; a preloader nobody talked to just boots on */
		g_mutex_lock(&self->mutex);
		drain = self->plug_bytes > 0;
		g_mutex_unlock(&self->mutex);
		ub_umockdev_mtk_unplug(self, drain);
		if (!ok || g_cancellable_is_cancelled(self->cancellable) ||
		    ub_umockdev_mtk_get_cable_pulled(self) || g_strcmp0(mode, "da") != 0)
			break;

		/* SWITCH_USB_SPEED: back as 0e8d:2001 after a moment */
		g_usleep(UB_UMOCKDEV_MTK_REENUMERATE_MS * G_TIME_SPAN_MILLISECOND);
		if (g_cancellable_is_cancelled(self->cancellable) ||
		    ub_umockdev_mtk_get_cable_pulled(self))
			break;
		if (!ub_umockdev_mtk_plug(self, ub_umockdev_mtk_pid_for_mode(mode), &error_local)) {
			g_mutex_lock(&self->mutex);
			g_free(self->serve_error);
			self->serve_error = g_strdup(error_local->message);
			g_mutex_unlock(&self->mutex);
			break;
		}
	}
	g_mutex_lock(&self->mutex);
	self->gone = TRUE;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	g_debug("%s: gone from the bus", self->name);
	return NULL;
}

/**
 * ub_umockdev_mtk_start:
 * @self: a #UbUmockdevMtk
 * @error: (nullable): return location for a #GError
 *
 * Plugs the phone in, in the mode its personality presents (BootROM or
 * preloader), and starts serving it.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_umockdev_mtk_start(UbUmockdevMtk *self, GError **error)
{
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), FALSE);
	g_return_val_if_fail(self->thread == NULL, FALSE);
	if (!ub_umockdev_mtk_plug(self,
				  ub_umockdev_mtk_pid_for_mode(ub_sim_mtk_get_session_mode(self->sim)),
				  error))
		return FALSE;
	self->thread = g_thread_new("ub-umockdev-mtk", ub_umockdev_mtk_serve_thread_cb, self);
	return TRUE;
}

/**
 * ub_umockdev_mtk_pull_cable:
 * @self: a #UbUmockdevMtk
 *
 * Surprise removal: the phone is gone at once, answers in flight are lost, and
 * it does not come back. Thread-safe.
 */
void
ub_umockdev_mtk_pull_cable(UbUmockdevMtk *self)
{
	g_return_if_fail(UB_IS_UMOCKDEV_MTK(self));
	g_mutex_lock(&self->mutex);
	self->cable_pulled = TRUE;
	g_mutex_unlock(&self->mutex);
	/* the device end then sees DEVICE_GONE and the session ends */
	ub_umockdev_mtk_unplug(self, FALSE);
}

/**
 * ub_umockdev_mtk_stop:
 * @self: a #UbUmockdevMtk
 *
 * Stops serving and unplugs the phone. Safe to call more than once.
 */
void
ub_umockdev_mtk_stop(UbUmockdevMtk *self)
{
	g_return_if_fail(UB_IS_UMOCKDEV_MTK(self));
	g_cancellable_cancel(self->cancellable);
	ub_umockdev_mtk_pull_cable(self);
	if (self->thread != NULL)
		g_thread_join(g_steal_pointer(&self->thread));
}

/**
 * ub_umockdev_mtk_wait_gone:
 * @self: a #UbUmockdevMtk
 * @timeout_ms: how long to wait
 *
 * Returns: %TRUE once the phone left the bus for good
 */
gboolean
ub_umockdev_mtk_wait_gone(UbUmockdevMtk *self, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	gboolean gone;
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), FALSE);
	g_mutex_lock(&self->mutex);
	while (!self->gone && g_cond_wait_until(&self->cond, &self->mutex, deadline))
		;
	gone = self->gone;
	g_mutex_unlock(&self->mutex);
	return gone;
}

/**
 * ub_umockdev_mtk_is_gone:
 * @self: a #UbUmockdevMtk
 *
 * Returns: %TRUE when the phone left the bus for good (booted on, reset, shut down, pulled)
 */
gboolean
ub_umockdev_mtk_is_gone(UbUmockdevMtk *self)
{
	return ub_umockdev_mtk_wait_gone(self, 0);
}

/**
 * ub_umockdev_mtk_get_plug_count:
 * @self: a #UbUmockdevMtk
 *
 * Returns: how often the phone arrived on the bus (2 after the speed switch)
 */
guint
ub_umockdev_mtk_get_plug_count(UbUmockdevMtk *self)
{
	guint n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), 0);
	g_mutex_lock(&self->mutex);
	n = self->n_plugs;
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_umockdev_mtk_get_pid:
 * @self: a #UbUmockdevMtk
 *
 * Returns: idProduct of the latest plug, 0 before the first
 */
guint16
ub_umockdev_mtk_get_pid(UbUmockdevMtk *self)
{
	guint16 pid;
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), 0);
	g_mutex_lock(&self->mutex);
	pid = self->pid;
	g_mutex_unlock(&self->mutex);
	return pid;
}

/**
 * ub_umockdev_mtk_get_first_byte_latency:
 * @self: a #UbUmockdevMtk
 *
 * Returns: microseconds from the first arrival on the bus to the first byte
 *   the phone received (the host's first handshake byte), -1 if none came
 */
gint64
ub_umockdev_mtk_get_first_byte_latency(UbUmockdevMtk *self)
{
	gint64 latency = -1;
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), -1);
	g_mutex_lock(&self->mutex);
	if (self->first_byte_time > 0)
		latency = self->first_byte_time - self->first_plug_time;
	g_mutex_unlock(&self->mutex);
	return latency;
}

/**
 * ub_umockdev_mtk_get_bytes_received:
 * @self: a #UbUmockdevMtk
 *
 * Returns: host-to-phone bytes the phone read, over all plugs
 */
guint64
ub_umockdev_mtk_get_bytes_received(UbUmockdevMtk *self)
{
	guint64 n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), 0);
	g_mutex_lock(&self->mutex);
	n = self->bytes_received;
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_umockdev_mtk_get_bytes_sent:
 * @self: a #UbUmockdevMtk
 *
 * Returns: phone-to-host bytes, over all plugs
 */
guint64
ub_umockdev_mtk_get_bytes_sent(UbUmockdevMtk *self)
{
	guint64 n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), 0);
	g_mutex_lock(&self->mutex);
	n = self->bytes_sent;
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_umockdev_mtk_get_serve_error:
 * @self: a #UbUmockdevMtk
 *
 * Returns: (transfer full) (nullable): why the last failed session failed
 */
gchar *
ub_umockdev_mtk_get_serve_error(UbUmockdevMtk *self)
{
	gchar *msg;
	g_return_val_if_fail(UB_IS_UMOCKDEV_MTK(self), NULL);
	g_mutex_lock(&self->mutex);
	msg = g_strdup(self->serve_error);
	g_mutex_unlock(&self->mutex);
	return msg;
}

/* transport: the device end of the current plug */

static UbTransport *
ub_umockdev_mtk_get_dev(UbUmockdevMtk *self, GError **error)
{
	UbTransport *dev = NULL;
	g_mutex_lock(&self->mutex);
	if (self->dev != NULL)
		dev = g_object_ref(self->dev);
	g_mutex_unlock(&self->mutex);
	if (dev == NULL)
		g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: not on the bus", self->name);
	return dev;
}

static gssize
ub_umockdev_mtk_read(UbTransport *transport,
		     guint8 *buf,
		     gsize bufsz,
		     guint timeout_ms,
		     GCancellable *cancellable,
		     GError **error)
{
	UbUmockdevMtk *self = UB_UMOCKDEV_MTK(transport);
	g_autoptr(UbTransport) dev = ub_umockdev_mtk_get_dev(self, error);
	gssize n;

	if (dev == NULL)
		return -1;
	n = ub_transport_read(dev, buf, bufsz, timeout_ms, cancellable, error);
	if (n > 0) {
		g_mutex_lock(&self->mutex);
		if (self->first_byte_time == 0)
			self->first_byte_time = g_get_monotonic_time();
		self->bytes_received += (guint64)n;
		self->plug_bytes += (guint64)n;
		g_mutex_unlock(&self->mutex);
	}
	return n;
}

static gboolean
ub_umockdev_mtk_write(UbTransport *transport,
		      const guint8 *buf,
		      gsize bufsz,
		      UbTransportWriteFlags flags,
		      guint timeout_ms,
		      GCancellable *cancellable,
		      GError **error)
{
	UbUmockdevMtk *self = UB_UMOCKDEV_MTK(transport);
	g_autoptr(UbTransport) dev = ub_umockdev_mtk_get_dev(self, error);

	if (dev == NULL)
		return FALSE;
	if (!ub_transport_write(dev, buf, bufsz, flags, timeout_ms, cancellable, error))
		return FALSE;
	g_mutex_lock(&self->mutex);
	self->bytes_sent += bufsz;
	g_mutex_unlock(&self->mutex);
	return TRUE;
}

static gsize
ub_umockdev_mtk_get_max_packet_size(UbTransport *transport)
{
	UbUmockdevMtk *self = UB_UMOCKDEV_MTK(transport);
	gsize mps;
	g_mutex_lock(&self->mutex);
	mps = self->mps;
	g_mutex_unlock(&self->mutex);
	return mps;
}

static const gchar *
ub_umockdev_mtk_get_name(UbTransport *transport)
{
	UbUmockdevMtk *self = UB_UMOCKDEV_MTK(transport);
	return self->name;
}

/* the phone's side hangs up: the device leaves the bus */
static void
ub_umockdev_mtk_close(UbTransport *transport)
{
	ub_umockdev_mtk_unplug(UB_UMOCKDEV_MTK(transport), TRUE);
}

static void
ub_umockdev_mtk_iface_init(UbTransportInterface *iface)
{
	iface->read = ub_umockdev_mtk_read;
	iface->write = ub_umockdev_mtk_write;
	iface->get_max_packet_size = ub_umockdev_mtk_get_max_packet_size;
	iface->get_name = ub_umockdev_mtk_get_name;
	iface->close = ub_umockdev_mtk_close;
}

static void
ub_umockdev_mtk_finalize(GObject *object)
{
	UbUmockdevMtk *self = UB_UMOCKDEV_MTK(object);
	ub_umockdev_mtk_stop(self);
	g_ptr_array_unref(self->old);
	g_object_unref(self->cancellable);
	g_object_unref(self->sim);
	g_object_unref(self->testbed);
	g_mutex_clear(&self->mutex);
	g_cond_clear(&self->cond);
	g_free(self->path);
	g_free(self->name);
	g_free(self->serve_error);
	G_OBJECT_CLASS(ub_umockdev_mtk_parent_class)->finalize(object);
}

static void
ub_umockdev_mtk_class_init(UbUmockdevMtkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_umockdev_mtk_finalize;
}

static void
ub_umockdev_mtk_init(UbUmockdevMtk *self)
{
	g_mutex_init(&self->mutex);
	g_cond_init(&self->cond);
	self->old = g_ptr_array_new_with_free_func(g_object_unref);
	self->cancellable = g_cancellable_new();
	self->mps = UB_UMOCKDEV_MTK_HIGH_SPEED_MPS;
}

/**
 * ub_umockdev_mtk_new:
 * @testbed: the test bed, which must exist before libusb is initialised
 * @path: the port path, e.g. "1-3"
 * @sim: the phone, configured (BootROM or preloader, speed, window)
 *
 * Returns: (transfer full): the phone, not plugged in until ub_umockdev_mtk_start()
 */
UbUmockdevMtk *
ub_umockdev_mtk_new(UMockdevTestbed *testbed, const gchar *path, UbSimMtk *sim)
{
	UbUmockdevMtk *self;
	g_return_val_if_fail(UMOCKDEV_IS_TESTBED(testbed), NULL);
	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(UB_IS_SIM_MTK(sim), NULL);
	self = g_object_new(UB_TYPE_UMOCKDEV_MTK, NULL);
	self->testbed = g_object_ref(testbed);
	self->path = g_strdup(path);
	self->name = g_strdup_printf("umockdev MediaTek phone at %s", path);
	self->sim = g_object_ref(sim);
	return self;
}
