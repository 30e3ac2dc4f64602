/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-umockdev-transport.h"

/*
 * How it works: the simulator calls our OUT function on umockdev's handler
 * thread for every OUT transfer the host submits; it lands in a queue that
 * read() takes from, one transfer at a time. The OUT function never blocks: a
 * blocked handler thread would hold the host inside its SUBMITURB ioctl, where
 * no libusb timeout reaches it. The queue is bounded by the protocols instead
 * (a fastboot host sends at most max-download-size, then waits for a reply).
 *
 * write() queues one IN transfer with ub_umockdev_sim_push_in(). After
 * UB_UMOCKDEV_TRANSPORT_IN_HIGH_WATER bytes it waits until the host has taken
 * them (an IN URB waiting for data means everything before it was consumed),
 * like a device whose buffer is full; the wait honours the timeout, so a host
 * that stops reading makes the device side time out as on real hardware.
 *
 * The queue lives in a refcounted block that the simulator also keeps (as
 * object data), so a late OUT callback never sees freed memory.
 */

#define UB_UMOCKDEV_TRANSPORT_MAX_PACKET_SIZE 512
/* how long closing waits for the host to read the last answers */
#define UB_UMOCKDEV_TRANSPORT_CLOSE_DRAIN_MS 500

typedef struct {
	GMutex mutex;
	GCond cond;
	GQueue transfers; /* of GBytes, host to device; empty ones are ZLPs */
	gsize offset;	  /* bytes of the head transfer already read */
	gboolean closed;
	guint64 bytes_received;
	guint transfers_received;
	guint64 bytes_sent;
} UbUmockdevTransportShared;

struct _UbUmockdevTransport {
	GObject parent_instance;
	UbUmockdevSim *sim;
	UbUmockdevTransportShared *shared;
	gsize in_unacked; /* IN bytes queued since the host was last seen waiting */
	gchar *name;
};

static void
ub_umockdev_transport_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbUmockdevTransport,
			ub_umockdev_transport,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_umockdev_transport_iface_init))

static void
ub_umockdev_transport_shared_clear(gpointer data)
{
	UbUmockdevTransportShared *shared = data;
	g_queue_clear_full(&shared->transfers, (GDestroyNotify)g_bytes_unref);
	g_mutex_clear(&shared->mutex);
	g_cond_clear(&shared->cond);
}

static void
ub_umockdev_transport_shared_unref(gpointer data)
{
	g_atomic_rc_box_release_full(data, ub_umockdev_transport_shared_clear);
}

/* umockdev's handler thread: one OUT transfer, NULL/0 for a ZLP */
static void
ub_umockdev_transport_out_cb(UbUmockdevSim *sim,
			     guint8 endpoint,
			     const guint8 *buf,
			     gsize bufsz,
			     gpointer user_data)
{
	UbUmockdevTransportShared *shared = user_data;
	g_mutex_lock(&shared->mutex);
	if (!shared->closed) {
		g_queue_push_tail(&shared->transfers, g_bytes_new(buf, bufsz));
		shared->bytes_received += bufsz;
		shared->transfers_received++;
		g_cond_broadcast(&shared->cond);
	}
	g_mutex_unlock(&shared->mutex);
}

/* runs in the thread that cancels */
static void
ub_umockdev_transport_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	UbUmockdevTransportShared *shared = user_data;
	g_mutex_lock(&shared->mutex);
	g_cond_broadcast(&shared->cond);
	g_mutex_unlock(&shared->mutex);
}

static void
ub_umockdev_transport_set_gone(UbUmockdevTransport *self, GError **error)
{
	g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: unplugged", self->name);
}

static gint64
ub_umockdev_transport_deadline(guint timeout_ms)
{
	if (timeout_ms == 0)
		return G_MAXINT64;
	return g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
}

static gssize
ub_umockdev_transport_read(UbTransport *transport,
			   guint8 *buf,
			   gsize bufsz,
			   guint timeout_ms,
			   GCancellable *cancellable,
			   GError **error)
{
	UbUmockdevTransport *self = UB_UMOCKDEV_TRANSPORT(transport);
	UbUmockdevTransportShared *shared = self->shared;
	gint64 deadline = ub_umockdev_transport_deadline(timeout_ms);
	gulong handler_id = 0;
	gssize ret = -1;

	if (cancellable != NULL) {
		handler_id = g_cancellable_connect(cancellable,
						   G_CALLBACK(ub_umockdev_transport_cancelled_cb),
						   shared,
						   NULL);
	}
	g_mutex_lock(&shared->mutex);
	for (;;) {
		GBytes *head = g_queue_peek_head(&shared->transfers);
		if (head != NULL) {
			gsize headsz = 0;
			const guint8 *data = g_bytes_get_data(head, &headsz);
			gsize n = MIN(bufsz, headsz - shared->offset);
			if (n > 0)
				memcpy(buf, data + shared->offset, n);
			shared->offset += n;
			if (shared->offset == headsz) {
				g_bytes_unref(g_queue_pop_head(&shared->transfers));
				shared->offset = 0;
			}
			ret = (gssize)n;
			break;
		}
		if (shared->closed) {
			ub_umockdev_transport_set_gone(self, error);
			break;
		}
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			break;
		if (deadline == G_MAXINT64) {
			g_cond_wait(&shared->cond, &shared->mutex);
		} else if (!g_cond_wait_until(&shared->cond, &shared->mutex, deadline) &&
			   g_get_monotonic_time() >= deadline) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_TIMED_OUT,
				    "%s: timed out waiting for the host",
				    self->name);
			break;
		}
	}
	g_mutex_unlock(&shared->mutex);

	/* never with the mutex held: it waits for a running callback */
	if (handler_id != 0)
		g_cancellable_disconnect(cancellable, handler_id);
	return ret;
}

static gboolean
ub_umockdev_transport_is_closed(UbUmockdevTransport *self)
{
	gboolean closed;
	g_mutex_lock(&self->shared->mutex);
	closed = self->shared->closed;
	g_mutex_unlock(&self->shared->mutex);
	return closed;
}

/* waits until the host took what was queued, like a device with a full buffer */
static gboolean
ub_umockdev_transport_wait_in_drained(UbUmockdevTransport *self,
				      gint64 deadline,
				      GCancellable *cancellable,
				      GError **error)
{
	while (ub_umockdev_sim_get_pending_in(self->sim) == 0) {
		if (ub_umockdev_transport_is_closed(self)) {
			ub_umockdev_transport_set_gone(self, error);
			return FALSE;
		}
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		if (g_get_monotonic_time() >= deadline) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_TIMED_OUT,
				    "%s: timed out waiting for the host to read",
				    self->name);
			return FALSE;
		}
		g_usleep(200);
	}
	self->in_unacked = 0;
	return TRUE;
}

static gboolean
ub_umockdev_transport_write(UbTransport *transport,
			    const guint8 *buf,
			    gsize bufsz,
			    UbTransportWriteFlags flags,
			    guint timeout_ms,
			    GCancellable *cancellable,
			    GError **error)
{
	UbUmockdevTransport *self = UB_UMOCKDEV_TRANSPORT(transport);
	gint64 deadline = ub_umockdev_transport_deadline(timeout_ms);

	if (ub_umockdev_transport_is_closed(self)) {
		ub_umockdev_transport_set_gone(self, error);
		return FALSE;
	}
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return FALSE;
	if (ub_umockdev_sim_get_pending_in(self->sim) > 0)
		self->in_unacked = 0;
	if (self->in_unacked >= UB_UMOCKDEV_TRANSPORT_IN_HIGH_WATER &&
	    !ub_umockdev_transport_wait_in_drained(self, deadline, cancellable, error))
		return FALSE;

	/* one IN transfer; a zero-length write is a ZLP */
	ub_umockdev_sim_push_in(self->sim, bufsz > 0 ? buf : NULL, bufsz);
	self->in_unacked += bufsz;
	g_mutex_lock(&self->shared->mutex);
	self->shared->bytes_sent += bufsz;
	g_mutex_unlock(&self->shared->mutex);
	if ((flags & UB_TRANSPORT_WRITE_FLAG_ZLP) > 0 && bufsz > 0 &&
	    bufsz % UB_UMOCKDEV_TRANSPORT_MAX_PACKET_SIZE == 0)
		ub_umockdev_sim_push_in(self->sim, NULL, 0);
	return TRUE;
}

static gsize
ub_umockdev_transport_get_max_packet_size(UbTransport *transport)
{
	return UB_UMOCKDEV_TRANSPORT_MAX_PACKET_SIZE;
}

static const gchar *
ub_umockdev_transport_get_name(UbTransport *transport)
{
	UbUmockdevTransport *self = UB_UMOCKDEV_TRANSPORT(transport);
	return self->name;
}

/* the phone goes away: the host sees LIBUSB_ERROR_NO_DEVICE and the "remove"
 * uevent, a blocked read on this end fails with DEVICE_GONE */
static void
ub_umockdev_transport_close(UbTransport *transport)
{
	UbUmockdevTransport *self = UB_UMOCKDEV_TRANSPORT(transport);
	UbUmockdevTransportShared *shared = self->shared;
	gboolean was_closed;

	/* a phone that answers and then resets (Firehose <power>, fastboot
	 * reboot) finishes sending its answer first: give the host a moment to
	 * read what is queued, as a real device completes its last transfer */
	for (guint i = 0; i < UB_UMOCKDEV_TRANSPORT_CLOSE_DRAIN_MS / 5; i++) {
		if (ub_umockdev_sim_get_queued_in(self->sim) == 0)
			break;
		g_usleep(5 * G_TIME_SPAN_MILLISECOND);
	}

	g_mutex_lock(&shared->mutex);
	was_closed = shared->closed;
	shared->closed = TRUE;
	g_queue_clear_full(&shared->transfers, (GDestroyNotify)g_bytes_unref);
	shared->offset = 0;
	g_cond_broadcast(&shared->cond);
	g_mutex_unlock(&shared->mutex);
	if (!was_closed)
		ub_umockdev_sim_unplug(self->sim);
}

/**
 * ub_umockdev_transport_get_bytes_received:
 * @self: a #UbUmockdevTransport
 *
 * Returns: bytes of all OUT transfers the host sent so far, read or not
 */
guint64
ub_umockdev_transport_get_bytes_received(UbUmockdevTransport *self)
{
	guint64 n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_TRANSPORT(self), 0);
	g_mutex_lock(&self->shared->mutex);
	n = self->shared->bytes_received;
	g_mutex_unlock(&self->shared->mutex);
	return n;
}

/**
 * ub_umockdev_transport_get_transfers_received:
 * @self: a #UbUmockdevTransport
 *
 * Returns: how many OUT transfers (ZLPs included) the host sent so far
 */
guint
ub_umockdev_transport_get_transfers_received(UbUmockdevTransport *self)
{
	guint n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_TRANSPORT(self), 0);
	g_mutex_lock(&self->shared->mutex);
	n = self->shared->transfers_received;
	g_mutex_unlock(&self->shared->mutex);
	return n;
}

/**
 * ub_umockdev_transport_get_bytes_sent:
 * @self: a #UbUmockdevTransport
 *
 * Returns: bytes written to the host so far (IN transfers)
 */
guint64
ub_umockdev_transport_get_bytes_sent(UbUmockdevTransport *self)
{
	guint64 n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_TRANSPORT(self), 0);
	g_mutex_lock(&self->shared->mutex);
	n = self->shared->bytes_sent;
	g_mutex_unlock(&self->shared->mutex);
	return n;
}

static void
ub_umockdev_transport_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_umockdev_transport_write;
	iface->read = ub_umockdev_transport_read;
	iface->get_max_packet_size = ub_umockdev_transport_get_max_packet_size;
	iface->get_name = ub_umockdev_transport_get_name;
	iface->close = ub_umockdev_transport_close;
}

static void
ub_umockdev_transport_finalize(GObject *object)
{
	UbUmockdevTransport *self = UB_UMOCKDEV_TRANSPORT(object);
	ub_umockdev_transport_shared_unref(self->shared);
	g_object_unref(self->sim);
	g_free(self->name);
	G_OBJECT_CLASS(ub_umockdev_transport_parent_class)->finalize(object);
}

static void
ub_umockdev_transport_class_init(UbUmockdevTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_umockdev_transport_finalize;
}

static void
ub_umockdev_transport_init(UbUmockdevTransport *self)
{
	self->shared = g_atomic_rc_box_new0(UbUmockdevTransportShared);
	g_mutex_init(&self->shared->mutex);
	g_cond_init(&self->shared->cond);
}

/**
 * ub_umockdev_transport_new:
 * @sim: a simulated device that is not plugged in yet
 *
 * Takes over the OUT function of @sim. Plug @sim in afterwards.
 *
 * Returns: (transfer full): the device end of @sim's bulk pipe
 */
UbTransport *
ub_umockdev_transport_new(UbUmockdevSim *sim)
{
	UbUmockdevTransport *self;
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(sim), NULL);
	g_return_val_if_fail(ub_umockdev_sim_get_devnode(sim) == NULL, NULL);

	self = g_object_new(UB_TYPE_UMOCKDEV_TRANSPORT, NULL);
	self->sim = g_object_ref(sim);
	self->name = g_strdup_printf("umockdev:%p device", (gpointer)sim);
	g_object_set_data_full(G_OBJECT(sim),
			       "ub-umockdev-transport-shared",
			       g_atomic_rc_box_acquire(self->shared),
			       ub_umockdev_transport_shared_unref);
	ub_umockdev_sim_set_out_func(sim, ub_umockdev_transport_out_cb, self->shared);
	return UB_TRANSPORT(self);
}

/**
 * ub_umockdev_transport_new_fastboot_sim:
 * @path: the port path, e.g. "1-4"
 * @vid: idVendor, e.g. 0x18d1
 * @pid: idProduct, e.g. 0x4ee0
 * @serial: (nullable): iSerialNumber
 *
 * A device with the descriptors of an Android bootloader: one interface of
 * class ff, subclass 42, protocol 03 with bulk IN 0x81 and bulk OUT 0x01 of
 * 512 bytes (high speed), as AOSP fastboot and the device table expect.
 *
 * Returns: (transfer full): a #UbUmockdevSim, not plugged in
 */
UbUmockdevSim *
ub_umockdev_transport_new_fastboot_sim(const gchar *path,
				       guint16 vid,
				       guint16 pid,
				       const gchar *serial)
{
	/* clang-format off */
	const guint8 config[32] = {
	    9, 2, 32, 0, 1, 1, 0, 0x80, 0xfa,	/* configuration 1, bus powered, 500 mA */
	    9, 4, 0, 0, 2, 0xff, 0x42, 0x03, 0,	/* interface 0: fastboot */
	    7, 5, 0x81, 2, 0x00, 0x02, 0,	/* bulk IN, 512 */
	    7, 5, 0x01, 2, 0x00, 0x02, 1,	/* bulk OUT, 512 */
	};
	/* clang-format on */
	UbUmockdevSim *sim = ub_umockdev_sim_new(path, vid, pid);
	ub_umockdev_sim_set_strings(sim, "Google", "Android", serial);
	ub_umockdev_sim_set_config_descriptor(sim, config, sizeof(config));
	return sim;
}
