/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ub-fd-poll.h"
#include "ub-sim-fd-transport.h"

/* the device side of a byte stream: an accepted TCP socket or a pty master */
struct _UbSimFdTransport {
	GObject parent_instance;
	gint fd; /* owned */
	gchar *name;
	gint closed; /* atomic */
};

static void
ub_sim_fd_transport_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbSimFdTransport,
			ub_sim_fd_transport,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_sim_fd_transport_iface_init))

static void
ub_sim_fd_transport_set_gone(UbSimFdTransport *self, const gchar *why, GError **error)
{
	g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: %s", self->name, why);
}

static gboolean
ub_sim_fd_transport_write(UbTransport *transport,
			  const guint8 *buf,
			  gsize bufsz,
			  UbTransportWriteFlags flags,
			  guint timeout_ms,
			  GCancellable *cancellable,
			  GError **error)
{
	UbSimFdTransport *self = UB_SIM_FD_TRANSPORT(transport);
	gint64 deadline = ub_fd_poll_deadline(timeout_ms);
	gsize done = 0;

	while (done < bufsz) {
		gssize n;
		if (ub_fd_poll_wait(self->fd,
				    POLLOUT,
				    deadline,
				    &self->closed,
				    self->name,
				    cancellable,
				    error) < 0)
			return FALSE;
		n = send(self->fd, buf + done, bufsz - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == ENOTSOCK)
			n = write(self->fd, buf + done, bufsz - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET || errno == EIO)) {
			ub_sim_fd_transport_set_gone(self, g_strerror(errno), error);
			return FALSE;
		}
		if (n < 0) {
			g_set_error(error, UB_ERROR, UB_ERROR_IO, "%s: write: %s", self->name, g_strerror(errno));
			return FALSE;
		}
		done += (gsize)n;
	}
	return TRUE;
}

static gssize
ub_sim_fd_transport_read(UbTransport *transport,
			 guint8 *buf,
			 gsize bufsz,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 GError **error)
{
	UbSimFdTransport *self = UB_SIM_FD_TRANSPORT(transport);
	gint64 deadline = ub_fd_poll_deadline(timeout_ms);

	for (;;) {
		gssize n;
		if (ub_fd_poll_wait(self->fd,
				    POLLIN,
				    deadline,
				    &self->closed,
				    self->name,
				    cancellable,
				    error) < 0)
			return -1;
		n = read(self->fd, buf, bufsz);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* a pty master reads EIO once the last slave fd is closed */
		if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EIO))) {
			ub_sim_fd_transport_set_gone(self, "the host closed the connection", error);
			return -1;
		}
		if (n < 0) {
			g_set_error(error, UB_ERROR, UB_ERROR_IO, "%s: read: %s", self->name, g_strerror(errno));
			return -1;
		}
		return n;
	}
}

static gsize
ub_sim_fd_transport_get_max_packet_size(UbTransport *transport)
{
	return 0;
}

static const gchar *
ub_sim_fd_transport_get_name(UbTransport *transport)
{
	UbSimFdTransport *self = UB_SIM_FD_TRANSPORT(transport);
	return self->name;
}

static void
ub_sim_fd_transport_close(UbTransport *transport)
{
	UbSimFdTransport *self = UB_SIM_FD_TRANSPORT(transport);
	if (g_atomic_int_exchange(&self->closed, TRUE))
		return;
	/* the peer sees EOF now; the fd itself goes in finalize, when no call can use it */
	if (shutdown(self->fd, SHUT_RDWR) != 0 && errno != ENOTSOCK)
		g_debug("%s: shutdown: %s", self->name, g_strerror(errno));
}

static void
ub_sim_fd_transport_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_sim_fd_transport_write;
	iface->read = ub_sim_fd_transport_read;
	iface->get_max_packet_size = ub_sim_fd_transport_get_max_packet_size;
	iface->get_name = ub_sim_fd_transport_get_name;
	iface->close = ub_sim_fd_transport_close;
}

static void
ub_sim_fd_transport_finalize(GObject *object)
{
	UbSimFdTransport *self = UB_SIM_FD_TRANSPORT(object);
	if (self->fd >= 0)
		close(self->fd);
	g_free(self->name);
	G_OBJECT_CLASS(ub_sim_fd_transport_parent_class)->finalize(object);
}

static void
ub_sim_fd_transport_init(UbSimFdTransport *self)
{
	self->fd = -1;
}

static void
ub_sim_fd_transport_class_init(UbSimFdTransportClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_sim_fd_transport_finalize;
}

/**
 * ub_sim_fd_transport_new:
 * @fd: a connected stream socket or a pty master; the transport owns it
 * @name: a name for logs, e.g. "tcp:127.0.0.1:40000"
 *
 * Returns: (transfer full): a byte-stream #UbTransport (max packet size 0)
 */
UbTransport *
ub_sim_fd_transport_new(gint fd, const gchar *name)
{
	UbSimFdTransport *self;
	g_return_val_if_fail(fd >= 0, NULL);
	self = g_object_new(UB_TYPE_SIM_FD_TRANSPORT, NULL);
	self->fd = fd;
	self->name = g_strdup(name);
	return UB_TRANSPORT(self);
}
