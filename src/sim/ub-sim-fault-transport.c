/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-sim-fault-transport.h"

/* how often a delay checks for cancellation */
#define UB_SIM_FAULT_TRANSPORT_DELAY_STEP_MS 10

struct _UbSimFaultTransport {
	GObject parent_instance;
	UbTransport *inner; /* the device end of the real pipe */
	UbSimFaults *faults;
	gchar *name;
	GMutex mutex; /* protects the counters, read by tests from other threads */
	guint transfers_sent;
	guint64 bytes_received;
	gboolean disconnected;
};

static void
ub_sim_fault_transport_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbSimFaultTransport,
			ub_sim_fault_transport,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_sim_fault_transport_iface_init))

static gboolean
ub_sim_fault_transport_delay(UbSimFaultTransport *self, GCancellable *cancellable, GError **error)
{
	guint delay_ms = ub_sim_faults_get_delay_ms(self->faults);
	for (guint done = 0; done < delay_ms; done += UB_SIM_FAULT_TRANSPORT_DELAY_STEP_MS) {
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		g_usleep(MIN(delay_ms - done, UB_SIM_FAULT_TRANSPORT_DELAY_STEP_MS) *
			 G_TIME_SPAN_MILLISECOND);
	}
	return TRUE;
}

static gboolean
ub_sim_fault_transport_write(UbTransport *transport,
			     const guint8 *buf,
			     gsize bufsz,
			     UbTransportWriteFlags flags,
			     guint timeout_ms,
			     GCancellable *cancellable,
			     GError **error)
{
	UbSimFaultTransport *self = UB_SIM_FAULT_TRANSPORT(transport);
	g_autofree guint8 *copy = NULL;
	guint idx;

	if (!ub_sim_fault_transport_delay(self, cancellable, error))
		return FALSE;
	g_mutex_lock(&self->mutex);
	idx = ++self->transfers_sent;
	g_mutex_unlock(&self->mutex);

	if (idx == ub_sim_faults_get_drop(self->faults)) {
		g_debug("fault: dropping device-to-host transfer %u (%" G_GSIZE_FORMAT " bytes)",
			idx,
			bufsz);
		return TRUE;
	}
	if (idx == ub_sim_faults_get_corrupt(self->faults) && bufsz > 0) {
		/* one flipped byte in the middle, like a bit error that slipped through */
		copy = g_memdup2(buf, bufsz);
		copy[bufsz / 2] ^= 0xff;
		g_debug("fault: corrupting byte %" G_GSIZE_FORMAT " of device-to-host transfer %u",
			bufsz / 2,
			idx);
		buf = copy;
	}
	return ub_transport_write(self->inner, buf, bufsz, flags, timeout_ms, cancellable, error);
}

static void
ub_sim_fault_transport_unplug(UbSimFaultTransport *self)
{
	g_debug("fault: disconnecting after %" G_GUINT64_FORMAT " bytes from the host",
		ub_sim_faults_get_disconnect_after(self->faults));
	self->disconnected = TRUE;
	ub_transport_close(self->inner);
}

static gssize
ub_sim_fault_transport_read(UbTransport *transport,
			    guint8 *buf,
			    gsize bufsz,
			    guint timeout_ms,
			    GCancellable *cancellable,
			    GError **error)
{
	UbSimFaultTransport *self = UB_SIM_FAULT_TRANSPORT(transport);
	guint64 limit = ub_sim_faults_get_disconnect_after(self->faults);
	gssize n;
	g_autoptr(GMutexLocker) locker = NULL;

	if (self->disconnected) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_DEVICE_GONE,
			    "%s: simulated disconnect after %" G_GUINT64_FORMAT " bytes",
			    self->name,
			    limit);
		return -1;
	}
	n = ub_transport_read(self->inner, buf, bufsz, timeout_ms, cancellable, error);
	if (n <= 0)
		return n;

	locker = g_mutex_locker_new(&self->mutex);
	if (limit > 0 && self->bytes_received + (guint64)n >= limit) {
		/* the cable is pulled: what was past the limit never arrived */
		n = (gssize)(limit - self->bytes_received);
		self->bytes_received = limit;
		ub_sim_fault_transport_unplug(self);
		return n;
	}
	self->bytes_received += (guint64)n;
	return n;
}

static gsize
ub_sim_fault_transport_get_max_packet_size(UbTransport *transport)
{
	UbSimFaultTransport *self = UB_SIM_FAULT_TRANSPORT(transport);
	return ub_transport_get_max_packet_size(self->inner);
}

static const gchar *
ub_sim_fault_transport_get_name(UbTransport *transport)
{
	UbSimFaultTransport *self = UB_SIM_FAULT_TRANSPORT(transport);
	return self->name;
}

static void
ub_sim_fault_transport_close(UbTransport *transport)
{
	UbSimFaultTransport *self = UB_SIM_FAULT_TRANSPORT(transport);
	ub_transport_close(self->inner);
}

static void
ub_sim_fault_transport_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_sim_fault_transport_write;
	iface->read = ub_sim_fault_transport_read;
	iface->get_max_packet_size = ub_sim_fault_transport_get_max_packet_size;
	iface->get_name = ub_sim_fault_transport_get_name;
	iface->close = ub_sim_fault_transport_close;
}

/**
 * ub_sim_fault_transport_get_inner:
 * @self: a #UbSimFaultTransport
 *
 * Returns: (transfer none): the wrapped transport
 */
UbTransport *
ub_sim_fault_transport_get_inner(UbSimFaultTransport *self)
{
	g_return_val_if_fail(UB_IS_SIM_FAULT_TRANSPORT(self), NULL);
	return self->inner;
}

/**
 * ub_sim_fault_transport_get_transfers_sent:
 * @self: a #UbSimFaultTransport
 *
 * Returns: device-to-host transfers attempted so far, dropped ones included
 */
guint
ub_sim_fault_transport_get_transfers_sent(UbSimFaultTransport *self)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_return_val_if_fail(UB_IS_SIM_FAULT_TRANSPORT(self), 0);
	locker = g_mutex_locker_new(&self->mutex);
	return self->transfers_sent;
}

/**
 * ub_sim_fault_transport_get_bytes_received:
 * @self: a #UbSimFaultTransport
 *
 * Returns: bytes delivered from the host so far
 */
guint64
ub_sim_fault_transport_get_bytes_received(UbSimFaultTransport *self)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_return_val_if_fail(UB_IS_SIM_FAULT_TRANSPORT(self), 0);
	locker = g_mutex_locker_new(&self->mutex);
	return self->bytes_received;
}

static void
ub_sim_fault_transport_finalize(GObject *object)
{
	UbSimFaultTransport *self = UB_SIM_FAULT_TRANSPORT(object);
	g_object_unref(self->inner);
	g_object_unref(self->faults);
	g_free(self->name);
	g_mutex_clear(&self->mutex);
	G_OBJECT_CLASS(ub_sim_fault_transport_parent_class)->finalize(object);
}

static void
ub_sim_fault_transport_init(UbSimFaultTransport *self)
{
	g_mutex_init(&self->mutex);
}

static void
ub_sim_fault_transport_class_init(UbSimFaultTransportClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_sim_fault_transport_finalize;
}

/**
 * ub_sim_fault_transport_new:
 * @inner: the device side of a transport
 * @faults: (nullable): faults to inject, %NULL for none
 *
 * Wraps @inner and applies the delay, drop, corrupt and disconnect-after faults
 * of @faults. Counters start at zero for each wrapper, i.e. per connection.
 *
 * Returns: (transfer full): a #UbTransport
 */
UbTransport *
ub_sim_fault_transport_new(UbTransport *inner, UbSimFaults *faults)
{
	UbSimFaultTransport *self;
	g_return_val_if_fail(UB_IS_TRANSPORT(inner), NULL);
	g_return_val_if_fail(faults == NULL || UB_IS_SIM_FAULTS(faults), NULL);
	self = g_object_new(UB_TYPE_SIM_FAULT_TRANSPORT, NULL);
	self->inner = g_object_ref(inner);
	self->faults = faults != NULL ? g_object_ref(faults) : ub_sim_faults_new();
	self->name = g_strdup_printf("fault:%s", ub_transport_get_name(inner));
	return UB_TRANSPORT(self);
}
