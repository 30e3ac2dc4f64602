/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ub-error.h"
#include "ub-fd-poll.h"
#include "ub-serial-transport.h"

struct _UbSerialTransport {
	GObject parent_instance;
	gint fd;
	gchar *path;
	gchar *name;
};

static void
ub_serial_transport_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbSerialTransport,
			ub_serial_transport,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_serial_transport_iface_init))

static gboolean
ub_serial_transport_baudrate_to_speed(guint baudrate, speed_t *speed, GError **error)
{
	switch (baudrate) {
	case 9600:
		*speed = B9600;
		return TRUE;
	case 19200:
		*speed = B19200;
		return TRUE;
	case 38400:
		*speed = B38400;
		return TRUE;
	case 57600:
		*speed = B57600;
		return TRUE;
	case 115200:
		*speed = B115200;
		return TRUE;
	case 230400:
		*speed = B230400;
		return TRUE;
	case 460800:
		*speed = B460800;
		return TRUE;
	case 921600:
		*speed = B921600;
		return TRUE;
	case 1500000:
		*speed = B1500000;
		return TRUE;
	case 3000000:
		*speed = B3000000;
		return TRUE;
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "baud rate %u is not supported",
			    baudrate);
		return FALSE;
	}
}

/* errno of a failed open() to UB_ERROR, with what the user can do about it */
static void
ub_serial_transport_set_open_error(GError **error, const gchar *path, gint errsv)
{
	switch (errsv) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "%s does not exist: is the phone connected?",
			    path);
		break;
	case EACCES:
	case EPERM:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PERMISSION_DENIED,
			    "no permission to open %s: the udev rule 71-unbrick.rules is "
			    "missing; install it with 'unbrick-cli udev-rules | sudo tee "
			    "/etc/udev/rules.d/71-unbrick.rules && sudo udevadm control "
			    "--reload' and replug the phone, or add yourself to the dialout "
			    "group",
			    path);
		break;
	case EBUSY:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_BUSY,
			    "%s is in use by another program (ModemManager?)",
			    path);
		break;
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot open %s: %s",
			    path,
			    g_strerror(errsv));
		break;
	}
}

static void
ub_serial_transport_set_io_error(UbSerialTransport *self, GError **error, gint errsv)
{
	if (errsv == EIO || errsv == ENXIO || errsv == ENODEV || errsv == EBADF) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_DEVICE_GONE,
			    "%s: device disconnected",
			    self->name);
		return;
	}
	g_set_error(error, UB_ERROR, UB_ERROR_IO, "%s: %s", self->name, g_strerror(errsv));
}

static gboolean
ub_serial_transport_check_open(UbSerialTransport *self, GError **error)
{
	if (self->fd < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: closed", self->name);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_serial_transport_write(UbTransport *transport,
			  const guint8 *buf,
			  gsize bufsz,
			  UbTransportWriteFlags flags,
			  guint timeout_ms,
			  GCancellable *cancellable,
			  GError **error)
{
	UbSerialTransport *self = UB_SERIAL_TRANSPORT(transport);
	gsize done = 0;
	gint64 deadline = ub_fd_poll_deadline(timeout_ms);

	if (!ub_serial_transport_check_open(self, error))
		return FALSE;

	/* a stream has no packets: UB_TRANSPORT_WRITE_FLAG_ZLP means nothing here */
	while (done < bufsz) {
		gssize n;
		gint revents =
		    ub_fd_poll_wait(self->fd, POLLOUT, deadline, NULL, self->name, cancellable, error);
		if (revents < 0)
			return FALSE;
		if ((revents & (POLLERR | POLLHUP | POLLNVAL)) > 0 && (revents & POLLOUT) == 0) {
			ub_serial_transport_set_io_error(self, error, EIO);
			return FALSE;
		}
		n = write(self->fd, buf + done, bufsz - done);
		if (n < 0) {
			gint errsv = errno;
			if (errsv == EAGAIN || errsv == EINTR)
				continue;
			ub_serial_transport_set_io_error(self, error, errsv);
			return FALSE;
		}
		done += (gsize)n;

		/* the timeout bounds the time without progress */
		deadline = ub_fd_poll_deadline(timeout_ms);
	}
	return TRUE;
}

static gssize
ub_serial_transport_read(UbTransport *transport,
			 guint8 *buf,
			 gsize bufsz,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 GError **error)
{
	UbSerialTransport *self = UB_SERIAL_TRANSPORT(transport);
	gint64 deadline = ub_fd_poll_deadline(timeout_ms);

	if (!ub_serial_transport_check_open(self, error))
		return -1;
	if (bufsz == 0)
		return 0;
	for (;;) {
		gssize n;
		gint revents =
		    ub_fd_poll_wait(self->fd, POLLIN, deadline, NULL, self->name, cancellable, error);
		if (revents < 0)
			return -1;
		if ((revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) == 0)
			continue;

		/* read even on POLLHUP: bytes sent before the hang-up come first */
		n = read(self->fd, buf, bufsz);
		if (n > 0)
			return n;
		if (n == 0) {
			ub_serial_transport_set_io_error(self, error, EIO);
			return -1;
		}
		if (errno == EAGAIN || errno == EINTR) {
			if ((revents & (POLLERR | POLLHUP | POLLNVAL)) > 0) {
				ub_serial_transport_set_io_error(self, error, EIO);
				return -1;
			}
			continue;
		}
		ub_serial_transport_set_io_error(self, error, errno);
		return -1;
	}
}

static gsize
ub_serial_transport_get_max_packet_size(UbTransport *transport)
{
	return 0;
}

static const gchar *
ub_serial_transport_get_name(UbTransport *transport)
{
	UbSerialTransport *self = UB_SERIAL_TRANSPORT(transport);
	return self->name;
}

static void
ub_serial_transport_close(UbTransport *transport)
{
	UbSerialTransport *self = UB_SERIAL_TRANSPORT(transport);
	if (self->fd >= 0) {
		close(self->fd);
		self->fd = -1;
	}
}

static void
ub_serial_transport_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_serial_transport_write;
	iface->read = ub_serial_transport_read;
	iface->get_max_packet_size = ub_serial_transport_get_max_packet_size;
	iface->get_name = ub_serial_transport_get_name;
	iface->close = ub_serial_transport_close;
}

static void
ub_serial_transport_finalize(GObject *object)
{
	UbSerialTransport *self = UB_SERIAL_TRANSPORT(object);
	ub_serial_transport_close(UB_TRANSPORT(self));
	g_free(self->path);
	g_free(self->name);
	G_OBJECT_CLASS(ub_serial_transport_parent_class)->finalize(object);
}

static void
ub_serial_transport_class_init(UbSerialTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_serial_transport_finalize;
}

static void
ub_serial_transport_init(UbSerialTransport *self)
{
	self->fd = -1;
}

/**
 * ub_serial_transport_get_path:
 * @self: a #UbSerialTransport
 *
 * Returns: the device node, e.g. "/dev/ttyUSB0"
 */
const gchar *
ub_serial_transport_get_path(UbSerialTransport *self)
{
	g_return_val_if_fail(UB_IS_SERIAL_TRANSPORT(self), NULL);
	return self->path;
}

/**
 * ub_serial_transport_new:
 * @path: a tty node: the Qualcomm 9008 shows up as /dev/ttyUSBn (qcserial),
 *   the MediaTek BootROM and preloader as /dev/ttyACMn (cdc_acm)
 * @baudrate: e.g. %UB_SERIAL_TRANSPORT_DEFAULT_BAUDRATE, or 0 for that default
 * @error: (nullable): return location for a #GError
 *
 * Opens the port exclusively in raw mode (cfmakeraw, no flow control). The
 * transport is a byte stream: get_max_packet_size() is 0, the ZLP flag is
 * ignored, and a read returns as soon as any bytes are there. Timeouts bound
 * the time without progress; 0 waits forever.
 *
 * Returns: (transfer full): a #UbTransport, or %NULL
 */
UbTransport *
ub_serial_transport_new(const gchar *path, guint baudrate, GError **error)
{
	speed_t speed = B115200;
	struct termios tio = {0};
	g_autoptr(UbSerialTransport) self = NULL;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (baudrate == 0)
		baudrate = UB_SERIAL_TRANSPORT_DEFAULT_BAUDRATE;
	if (!ub_serial_transport_baudrate_to_speed(baudrate, &speed, error))
		return NULL;

	self = g_object_new(UB_TYPE_SERIAL_TRANSPORT, NULL);
	self->path = g_strdup(path);
	self->name = g_strdup_printf("serial:%s", path);
	self->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (self->fd < 0) {
		ub_serial_transport_set_open_error(error, path, errno);
		return NULL;
	}
	if (tcgetattr(self->fd, &tio) != 0) {
		gint errsv = errno;
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s is not a serial port: %s",
			    path,
			    g_strerror(errsv));
		return NULL;
	}

	/* keep ModemManager and friends from opening the port behind our back */
	if (ioctl(self->fd, TIOCEXCL) != 0)
		g_debug("ignoring: TIOCEXCL on %s: %s", path, g_strerror(errno));

	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(CSTOPB | CRTSCTS);
	tio.c_iflag &= ~(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(self->fd, TCSANOW, &tio) != 0) {
		gint errsv = errno;
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot configure %s: %s",
			    path,
			    g_strerror(errsv));
		return NULL;
	}

	/* drop stale bytes from before we opened the port */
	if (tcflush(self->fd, TCIOFLUSH) != 0)
		g_debug("ignoring: tcflush on %s: %s", path, g_strerror(errno));
	return UB_TRANSPORT(g_steal_pointer(&self));
}
