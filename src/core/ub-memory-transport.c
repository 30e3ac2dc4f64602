/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-memory-transport.h"

/* a writer blocks while this much is queued and not yet read, so a fast
 * producer cannot grow the queue without bound */
#define UB_MEMORY_TRANSPORT_HIGH_WATER (8 * 1024 * 1024)

/* one direction of the pipe: a queue of transfers (GBytes, possibly empty) */
typedef struct {
	GQueue transfers;
	gsize offset; /* bytes of the head transfer already read */
	gsize queued; /* bytes queued, not yet read */
} UbMemoryTransportQueue;

/* shared by both ends; refcounted with g_atomic_rc_box */
typedef struct {
	GMutex mutex;
	GCond cond;
	UbMemoryTransportQueue queues[2]; /* [0]: host to device, [1]: device to host */
	gboolean closed[2];		  /* [0]: host end, [1]: device end */
	gsize max_packet_size;
} UbMemoryTransportShared;

struct _UbMemoryTransport {
	GObject parent_instance;
	UbMemoryTransportShared *shared;
	guint idx; /* 0: host end, 1: device end */
};

static void
ub_memory_transport_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbMemoryTransport,
			ub_memory_transport,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_memory_transport_iface_init))

static void
ub_memory_transport_shared_clear(gpointer data)
{
	UbMemoryTransportShared *shared = data;
	for (guint i = 0; i < 2; i++)
		g_queue_clear_full(&shared->queues[i].transfers, (GDestroyNotify)g_bytes_unref);
	g_mutex_clear(&shared->mutex);
	g_cond_clear(&shared->cond);
}

static void
ub_memory_transport_shared_unref(UbMemoryTransportShared *shared)
{
	g_atomic_rc_box_release_full(shared, ub_memory_transport_shared_clear);
}

/* wakes every waiter; runs in the thread that cancels */
static void
ub_memory_transport_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	UbMemoryTransportShared *shared = user_data;
	g_mutex_lock(&shared->mutex);
	g_cond_broadcast(&shared->cond);
	g_mutex_unlock(&shared->mutex);
}

/* waits on the condition with the mutex held; returns FALSE with @error set on
 * timeout or cancellation */
static gboolean
ub_memory_transport_wait(UbMemoryTransport *self,
			 gint64 deadline,
			 GCancellable *cancellable,
			 GError **error)
{
	UbMemoryTransportShared *shared = self->shared;
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return FALSE;
	if (deadline == G_MAXINT64) {
		g_cond_wait(&shared->cond, &shared->mutex);
		return TRUE;
	}
	if (!g_cond_wait_until(&shared->cond, &shared->mutex, deadline) &&
	    g_get_monotonic_time() >= deadline) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_TIMED_OUT,
			    "%s: timed out",
			    self->idx == 0 ? "memory:host" : "memory:device");
		return FALSE;
	}
	return TRUE;
}

static gint64
ub_memory_transport_deadline(guint timeout_ms)
{
	if (timeout_ms == 0)
		return G_MAXINT64;
	return g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
}

static void
ub_memory_transport_set_gone(UbMemoryTransport *self, GError **error)
{
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_DEVICE_GONE,
		    "%s: the other end was closed",
		    self->idx == 0 ? "memory:host" : "memory:device");
}

/* pushes one transfer with the mutex held, blocking while the queue is full */
static gboolean
ub_memory_transport_push_locked(UbMemoryTransport *self,
				GBytes *blob,
				gint64 deadline,
				GCancellable *cancellable,
				GError **error)
{
	UbMemoryTransportShared *shared = self->shared;
	UbMemoryTransportQueue *queue = &shared->queues[self->idx];
	for (;;) {
		if (shared->closed[0] || shared->closed[1]) {
			ub_memory_transport_set_gone(self, error);
			return FALSE;
		}
		if (queue->queued < UB_MEMORY_TRANSPORT_HIGH_WATER ||
		    g_queue_is_empty(&queue->transfers))
			break;
		if (!ub_memory_transport_wait(self, deadline, cancellable, error))
			return FALSE;
	}
	g_queue_push_tail(&queue->transfers, g_bytes_ref(blob));
	queue->queued += g_bytes_get_size(blob);
	g_cond_broadcast(&shared->cond);
	return TRUE;
}

static gboolean
ub_memory_transport_write(UbTransport *transport,
			  const guint8 *buf,
			  gsize bufsz,
			  UbTransportWriteFlags flags,
			  guint timeout_ms,
			  GCancellable *cancellable,
			  GError **error)
{
	UbMemoryTransport *self = UB_MEMORY_TRANSPORT(transport);
	UbMemoryTransportShared *shared = self->shared;
	gint64 deadline = ub_memory_transport_deadline(timeout_ms);
	gulong handler_id = 0;
	gboolean ret;
	g_autoptr(GBytes) blob = g_bytes_new(buf, bufsz);

	if (cancellable != NULL) {
		handler_id = g_cancellable_connect(cancellable,
						   G_CALLBACK(ub_memory_transport_cancelled_cb),
						   shared,
						   NULL);
	}
	g_mutex_lock(&shared->mutex);
	ret = ub_memory_transport_push_locked(self, blob, deadline, cancellable, error);

	/* like a USB host controller: a transfer that ends on a packet boundary
	 * is terminated by a zero-length packet, which the other end reads as 0 */
	if (ret && (flags & UB_TRANSPORT_WRITE_FLAG_ZLP) > 0 && bufsz > 0 &&
	    shared->max_packet_size > 0 && bufsz % shared->max_packet_size == 0) {
		g_autoptr(GBytes) zlp = g_bytes_new(NULL, 0);
		ret = ub_memory_transport_push_locked(self, zlp, deadline, cancellable, error);
	}
	g_mutex_unlock(&shared->mutex);

	/* never with the mutex held: it waits for a running callback */
	if (handler_id != 0)
		g_cancellable_disconnect(cancellable, handler_id);
	return ret;
}

static gssize
ub_memory_transport_read(UbTransport *transport,
			 guint8 *buf,
			 gsize bufsz,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 GError **error)
{
	UbMemoryTransport *self = UB_MEMORY_TRANSPORT(transport);
	UbMemoryTransportShared *shared = self->shared;
	UbMemoryTransportQueue *queue = &shared->queues[1 - self->idx];
	gint64 deadline = ub_memory_transport_deadline(timeout_ms);
	gulong handler_id = 0;
	gssize ret = -1;

	if (cancellable != NULL) {
		handler_id = g_cancellable_connect(cancellable,
						   G_CALLBACK(ub_memory_transport_cancelled_cb),
						   shared,
						   NULL);
	}
	g_mutex_lock(&shared->mutex);
	for (;;) {
		GBytes *blob;
		gsize blobsz;
		gsize n;

		/* data already sent before the other end closed can still be read */
		if (shared->closed[self->idx]) {
			ub_memory_transport_set_gone(self, error);
			break;
		}
		blob = g_queue_peek_head(&queue->transfers);
		if (blob == NULL) {
			if (shared->closed[1 - self->idx]) {
				ub_memory_transport_set_gone(self, error);
				break;
			}
			if (!ub_memory_transport_wait(self, deadline, cancellable, error))
				break;
			continue;
		}

		/* at most the rest of one transfer */
		blobsz = g_bytes_get_size(blob);
		n = MIN(bufsz, blobsz - queue->offset);
		if (n > 0) {
			const guint8 *data = g_bytes_get_data(blob, NULL);
			memcpy(buf, data + queue->offset, n);
		}
		queue->offset += n;
		queue->queued -= n;
		if (queue->offset == blobsz) {
			g_bytes_unref(g_queue_pop_head(&queue->transfers));
			queue->offset = 0;
		}
		g_cond_broadcast(&shared->cond);
		ret = (gssize)n;
		break;
	}
	g_mutex_unlock(&shared->mutex);
	if (handler_id != 0)
		g_cancellable_disconnect(cancellable, handler_id);
	return ret;
}

static gsize
ub_memory_transport_get_max_packet_size(UbTransport *transport)
{
	UbMemoryTransport *self = UB_MEMORY_TRANSPORT(transport);
	return self->shared->max_packet_size;
}

static const gchar *
ub_memory_transport_get_name(UbTransport *transport)
{
	UbMemoryTransport *self = UB_MEMORY_TRANSPORT(transport);
	return self->idx == 0 ? "memory:host" : "memory:device";
}

static void
ub_memory_transport_close(UbTransport *transport)
{
	UbMemoryTransport *self = UB_MEMORY_TRANSPORT(transport);
	UbMemoryTransportShared *shared = self->shared;
	if (shared == NULL)
		return;
	g_mutex_lock(&shared->mutex);
	shared->closed[self->idx] = TRUE;
	g_cond_broadcast(&shared->cond);
	g_mutex_unlock(&shared->mutex);
}

static void
ub_memory_transport_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_memory_transport_write;
	iface->read = ub_memory_transport_read;
	iface->get_max_packet_size = ub_memory_transport_get_max_packet_size;
	iface->get_name = ub_memory_transport_get_name;
	iface->close = ub_memory_transport_close;
}

static void
ub_memory_transport_finalize(GObject *object)
{
	UbMemoryTransport *self = UB_MEMORY_TRANSPORT(object);
	if (self->shared != NULL) {
		ub_memory_transport_close(UB_TRANSPORT(self));
		ub_memory_transport_shared_unref(self->shared);
	}
	G_OBJECT_CLASS(ub_memory_transport_parent_class)->finalize(object);
}

static void
ub_memory_transport_class_init(UbMemoryTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_memory_transport_finalize;
}

static void
ub_memory_transport_init(UbMemoryTransport *self)
{
}

/**
 * ub_memory_transport_new_pair:
 * @max_packet_size: what both ends report as wMaxPacketSize, e.g. 512; 0 makes
 *   the ZLP write flag a no-op
 * @host_end: (out) (transfer full): the end the engine uses
 * @device_end: (out) (transfer full): the end the simulated phone uses
 *
 * Creates a connected pair that behaves like a USB bulk pipe. Each end may be
 * used by its own thread. A timeout of 0 waits forever, as with libusb. A
 * writer blocks (honouring the timeout) while 8 MiB are queued and unread.
 * With %UB_TRANSPORT_WRITE_FLAG_ZLP a write whose length is a multiple of
 * @max_packet_size is followed by a zero-length transfer, as a host controller
 * would send it. Dropping the last reference to an end closes it.
 */
void
ub_memory_transport_new_pair(gsize max_packet_size,
			     UbTransport **host_end,
			     UbTransport **device_end)
{
	UbMemoryTransportShared *shared;
	UbMemoryTransport *host;
	UbMemoryTransport *device;

	g_return_if_fail(host_end != NULL);
	g_return_if_fail(device_end != NULL);

	shared = g_atomic_rc_box_new0(UbMemoryTransportShared);
	g_mutex_init(&shared->mutex);
	g_cond_init(&shared->cond);
	g_queue_init(&shared->queues[0].transfers);
	g_queue_init(&shared->queues[1].transfers);
	shared->max_packet_size = max_packet_size;

	host = g_object_new(UB_TYPE_MEMORY_TRANSPORT, NULL);
	host->shared = shared;
	host->idx = 0;
	device = g_object_new(UB_TYPE_MEMORY_TRANSPORT, NULL);
	device->shared = g_atomic_rc_box_acquire(shared);
	device->idx = 1;
	*host_end = UB_TRANSPORT(host);
	*device_end = UB_TRANSPORT(device);
}
