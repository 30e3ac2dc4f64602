/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-usb-context.h"
#include "ub-usb-transport.h"

/* how often a blocked call looks at its cancellable and deadline */
#define UB_USB_TRANSPORT_POLL_US 50000

struct _UbUsbTransport {
	GObject parent_instance;
	UbUsbContext *usb_ctx;	      /* owned reference: the context of device */
	libusb_context *ctx;	      /* of usb_ctx */
	libusb_device *device;	      /* owned reference */
	libusb_device_handle *handle; /* NULL once closed */
	gint interface_number;
	guint8 alt_setting;
	guint8 ep_in;
	guint8 ep_out;
	gsize max_packet_size_in;
	gsize max_packet_size_out;
	guint16 vid;
	guint16 pid;
	gchar *path;
	gchar *name;
	GByteArray *rx_pending; /* rest of a transfer read through the bounce buffer */
};

static void
ub_usb_transport_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbUsbTransport,
			ub_usb_transport,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_usb_transport_iface_init))

/* one libusb transfer of a run; in_flight and *completed are written by the
 * callback, which runs in whichever thread handles libusb events */
typedef struct {
	struct libusb_transfer *transfer;
	gint in_flight;
	gboolean busy; /* submitted and not yet accounted for, owned by the caller */
	gint *completed;
} UbUsbTransportSlot;

static void LIBUSB_CALL
ub_usb_transport_transfer_cb(struct libusb_transfer *transfer)
{
	UbUsbTransportSlot *slot = transfer->user_data;
	gint *completed = slot->completed;
	g_atomic_int_set(&slot->in_flight, 0);
	g_atomic_int_set(completed, 1);
}

static gint
ub_usb_transport_status_to_rc(enum libusb_transfer_status status)
{
	switch (status) {
	case LIBUSB_TRANSFER_COMPLETED:
		return LIBUSB_SUCCESS;
	case LIBUSB_TRANSFER_TIMED_OUT:
		return LIBUSB_ERROR_TIMEOUT;
	case LIBUSB_TRANSFER_STALL:
		return LIBUSB_ERROR_PIPE;
	case LIBUSB_TRANSFER_NO_DEVICE:
		return LIBUSB_ERROR_NO_DEVICE;
	case LIBUSB_TRANSFER_OVERFLOW:
		return LIBUSB_ERROR_OVERFLOW;
	case LIBUSB_TRANSFER_CANCELLED:
		return LIBUSB_ERROR_INTERRUPTED;
	case LIBUSB_TRANSFER_ERROR:
	default:
		return LIBUSB_ERROR_IO;
	}
}

static gint64
ub_usb_transport_deadline(guint timeout_ms)
{
	if (timeout_ms == 0)
		return G_MAXINT64;
	return g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
}

static gboolean
ub_usb_transport_check_open(UbUsbTransport *self, GError **error)
{
	if (self->handle == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: closed", self->name);
		return FALSE;
	}
	return TRUE;
}

/*
 * Moves @bufsz bytes through @endpoint as transfers of at most
 * UB_USB_TRANSPORT_CHUNK_SIZE, with up to @n_parallel of them in flight, and a
 * zero-length transfer at the end if @zlp. Events are handled on the calling
 * thread in short slices, so cancellation is noticed within ~50 ms; on
 * cancellation, timeout or failure every transfer still in flight is cancelled
 * and reaped before returning. @timeout_ms bounds the time without progress.
 * *@actual is the number of bytes transferred, also on failure.
 */
static gboolean
ub_usb_transport_run(UbUsbTransport *self,
		     guint8 endpoint,
		     guint8 *buf,
		     gsize bufsz,
		     gboolean zlp,
		     guint n_parallel,
		     guint timeout_ms,
		     GCancellable *cancellable,
		     gsize *actual,
		     GError **error)
{
	UbUsbTransportSlot slots[UB_USB_TRANSPORT_IN_FLIGHT] = {0};
	gboolean is_in = (endpoint & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN;
	gint completed = 0;
	gsize submitted = 0;
	guint n_busy = 0;
	gboolean cancelling = FALSE;
	gint64 deadline = ub_usb_transport_deadline(timeout_ms);
	g_autoptr(GError) error_local = NULL;

	n_parallel = CLAMP(n_parallel, 1, UB_USB_TRANSPORT_IN_FLIGHT);
	*actual = 0;
	for (guint i = 0; i < n_parallel; i++) {
		slots[i].transfer = libusb_alloc_transfer(0);
		slots[i].completed = &completed;
	}

	for (;;) {
		/* account for finished transfers; reset the flag first so that a
		 * completion after the scan still wakes the event loop below */
		g_atomic_int_set(&completed, 0);
		for (guint i = 0; i < n_parallel; i++) {
			struct libusb_transfer *transfer = slots[i].transfer;
			if (!slots[i].busy || g_atomic_int_get(&slots[i].in_flight) != 0)
				continue;
			slots[i].busy = FALSE;
			n_busy--;
			*actual += (gsize)transfer->actual_length;
			if (transfer->status == LIBUSB_TRANSFER_COMPLETED) {
				deadline = ub_usb_transport_deadline(timeout_ms);
				if (!is_in && transfer->actual_length != transfer->length &&
				    error_local == NULL) {
					g_set_error(&error_local,
						    UB_ERROR,
						    UB_ERROR_IO,
						    "%s: short write to 0x%02x: %d of %d bytes",
						    self->name,
						    endpoint,
						    transfer->actual_length,
						    transfer->length);
				}
				continue;
			}
			if (error_local == NULL) {
				ub_usb_context_set_error(
				    &error_local,
				    ub_usb_transport_status_to_rc(transfer->status),
				    "%s: bulk %s 0x%02x failed",
				    self->name,
				    is_in ? "read from" : "write to",
				    endpoint);
			}
		}

		/* keep the pipe full */
		for (guint i = 0; i < n_parallel && error_local == NULL; i++) {
			gsize len;
			gint rc;
			if (slots[i].busy)
				continue;
			if (submitted < bufsz) {
				len = MIN(bufsz - submitted, UB_USB_TRANSPORT_CHUNK_SIZE);
			} else if (zlp) {
				len = 0;
				zlp = FALSE;
			} else {
				break;
			}
			libusb_fill_bulk_transfer(slots[i].transfer,
						  self->handle,
						  endpoint,
						  buf + submitted,
						  (gint)len,
						  ub_usb_transport_transfer_cb,
						  &slots[i],
						  0);
			g_atomic_int_set(&slots[i].in_flight, 1);
			rc = libusb_submit_transfer(slots[i].transfer);
			if (rc != LIBUSB_SUCCESS) {
				g_atomic_int_set(&slots[i].in_flight, 0);
				ub_usb_context_set_error(&error_local,
							 rc,
							 "%s: cannot submit a transfer to 0x%02x",
							 self->name,
							 endpoint);
				break;
			}
			slots[i].busy = TRUE;
			n_busy++;
			submitted += len;

			/* an IN transfer ends at the device's short packet: never
			 * queue a second one behind it */
			if (is_in)
				submitted = bufsz;
		}
		if (n_busy == 0)
			break;

		if (error_local == NULL) {
			if (g_cancellable_set_error_if_cancelled(cancellable, &error_local)) {
				/* reported below */
			} else if (g_get_monotonic_time() >= deadline) {
				g_set_error(&error_local,
					    UB_ERROR,
					    UB_ERROR_TIMED_OUT,
					    "%s: bulk %s 0x%02x timed out after %u ms",
					    self->name,
					    is_in ? "read from" : "write to",
					    endpoint,
					    timeout_ms);
			}
		}
		if (error_local != NULL && !cancelling) {
			cancelling = TRUE;
			for (guint i = 0; i < n_parallel; i++) {
				if (slots[i].busy)
					libusb_cancel_transfer(slots[i].transfer);
			}
		}

		/* wait for a completion, or the next look at cancellable and deadline */
		{
			struct timeval tv = {.tv_sec = 0, .tv_usec = UB_USB_TRANSPORT_POLL_US};
			gint rc =
			    libusb_handle_events_timeout_completed(self->ctx, &tv, &completed);
			if (rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_INTERRUPTED)
				g_debug("ignoring: handling events: %s", libusb_strerror(rc));
		}
	}

	for (guint i = 0; i < n_parallel; i++)
		libusb_free_transfer(slots[i].transfer);
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_usb_transport_write(UbTransport *transport,
		       const guint8 *buf,
		       gsize bufsz,
		       UbTransportWriteFlags flags,
		       guint timeout_ms,
		       GCancellable *cancellable,
		       GError **error)
{
	UbUsbTransport *self = UB_USB_TRANSPORT(transport);
	gsize actual = 0;
	gboolean zlp = FALSE;

	if (!ub_usb_transport_check_open(self, error))
		return FALSE;

	/* a zero-length write is a ZLP; the flag adds one where the receiver
	 * could not otherwise tell that the transfer ended */
	if (bufsz == 0) {
		zlp = TRUE;
	} else if ((flags & UB_TRANSPORT_WRITE_FLAG_ZLP) > 0 && self->max_packet_size_out > 0 &&
		   bufsz % self->max_packet_size_out == 0) {
		zlp = TRUE;
	}

	/* libusb does not write to an OUT buffer */
	return ub_usb_transport_run(self,
				    self->ep_out,
				    (guint8 *)buf,
				    bufsz,
				    zlp,
				    UB_USB_TRANSPORT_IN_FLIGHT,
				    timeout_ms,
				    cancellable,
				    &actual,
				    error);
}

static gssize
ub_usb_transport_read(UbTransport *transport,
		      guint8 *buf,
		      gsize bufsz,
		      guint timeout_ms,
		      GCancellable *cancellable,
		      GError **error)
{
	UbUsbTransport *self = UB_USB_TRANSPORT(transport);
	gsize len;
	gsize actual = 0;
	gsize mps = self->max_packet_size_in;
	g_autofree guint8 *bounce = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!ub_usb_transport_check_open(self, error))
		return -1;

	/* the rest of the previous transfer comes first */
	if (self->rx_pending->len > 0) {
		gsize n = MIN(bufsz, self->rx_pending->len);
		memcpy(buf, self->rx_pending->data, n);
		g_byte_array_remove_range(self->rx_pending, 0, n);
		return (gssize)n;
	}
	if (bufsz == 0)
		return 0;

	/* a request that is not a multiple of wMaxPacketSize could overflow when
	 * the device sends a full packet: read whole packets into a bounce buffer
	 * and keep what does not fit for the next read */
	len = MIN(bufsz, UB_USB_TRANSPORT_CHUNK_SIZE);
	if (mps > 0 && len % mps != 0) {
		gsize bouncesz = (len / mps + 1) * mps;
		bounce = g_malloc(bouncesz);
		if (!ub_usb_transport_run(self,
					  self->ep_in,
					  bounce,
					  bouncesz,
					  FALSE,
					  1,
					  timeout_ms,
					  cancellable,
					  &actual,
					  &error_local) &&
		    actual == 0) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return -1;
		}
		memcpy(buf, bounce, MIN(actual, len));
		if (actual > len)
			g_byte_array_append(self->rx_pending, bounce + len, actual - len);
		return (gssize)MIN(actual, len);
	}

	/* data that arrived before a cancel or timeout is not thrown away */
	if (!ub_usb_transport_run(self,
				  self->ep_in,
				  buf,
				  len,
				  FALSE,
				  1,
				  timeout_ms,
				  cancellable,
				  &actual,
				  &error_local) &&
	    actual == 0) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return -1;
	}
	return (gssize)actual;
}

static gsize
ub_usb_transport_get_max_packet_size(UbTransport *transport)
{
	UbUsbTransport *self = UB_USB_TRANSPORT(transport);
	return self->max_packet_size_out;
}

static const gchar *
ub_usb_transport_get_name(UbTransport *transport)
{
	UbUsbTransport *self = UB_USB_TRANSPORT(transport);
	return self->name;
}

static void
ub_usb_transport_close(UbTransport *transport)
{
	UbUsbTransport *self = UB_USB_TRANSPORT(transport);
	gint rc;
	if (self->handle == NULL)
		return;

	/* fails when the device is gone, which is fine; with auto-detach
	 * the kernel driver is bound again */
	rc = libusb_release_interface(self->handle, self->interface_number);
	if (rc != LIBUSB_SUCCESS)
		g_debug("ignoring: releasing interface: %s", libusb_strerror(rc));
	libusb_close(self->handle);
	self->handle = NULL;
}

static void
ub_usb_transport_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_usb_transport_write;
	iface->read = ub_usb_transport_read;
	iface->get_max_packet_size = ub_usb_transport_get_max_packet_size;
	iface->get_name = ub_usb_transport_get_name;
	iface->close = ub_usb_transport_close;
}

static void
ub_usb_transport_finalize(GObject *object)
{
	UbUsbTransport *self = UB_USB_TRANSPORT(object);
	ub_usb_transport_close(UB_TRANSPORT(self));
	if (self->device != NULL)
		libusb_unref_device(self->device);
	/* last: the device and handle belong to it */
	if (self->usb_ctx != NULL)
		ub_usb_context_unref(self->usb_ctx);
	g_byte_array_unref(self->rx_pending);
	g_free(self->path);
	g_free(self->name);
	G_OBJECT_CLASS(ub_usb_transport_parent_class)->finalize(object);
}

static void
ub_usb_transport_class_init(UbUsbTransportClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_usb_transport_finalize;
}

static void
ub_usb_transport_init(UbUsbTransport *self)
{
	self->interface_number = -1;
	self->rx_pending = g_byte_array_new();
}

/* picks the first interface (or @interface_number) with a bulk IN and a bulk OUT
 * endpoint: the addresses differ between controllers and firmware */
static gboolean
ub_usb_transport_find_endpoints(UbUsbTransport *self,
				const struct libusb_config_descriptor *config,
				gint interface_number,
				GError **error)
{
	for (guint i = 0; i < config->bNumInterfaces; i++) {
		const struct libusb_interface *iface = &config->interface[i];
		for (gint a = 0; a < iface->num_altsetting; a++) {
			const struct libusb_interface_descriptor *alt = &iface->altsetting[a];
			const struct libusb_endpoint_descriptor *ep_in = NULL;
			const struct libusb_endpoint_descriptor *ep_out = NULL;
			if (interface_number >= 0 && alt->bInterfaceNumber != interface_number)
				continue;
			for (guint e = 0; e < alt->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
				if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) !=
				    LIBUSB_TRANSFER_TYPE_BULK)
					continue;
				if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) ==
				    LIBUSB_ENDPOINT_IN) {
					if (ep_in == NULL)
						ep_in = ep;
				} else if (ep_out == NULL) {
					ep_out = ep;
				}
			}
			if (ep_in == NULL || ep_out == NULL)
				continue;
			self->interface_number = alt->bInterfaceNumber;
			self->alt_setting = alt->bAlternateSetting;
			self->ep_in = ep_in->bEndpointAddress;
			self->ep_out = ep_out->bEndpointAddress;
			self->max_packet_size_in = ep_in->wMaxPacketSize & 0x7ff;
			self->max_packet_size_out = ep_out->wMaxPacketSize & 0x7ff;
			return TRUE;
		}
	}
	if (interface_number >= 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s: interface %d has no bulk IN and bulk OUT endpoint",
			    self->name,
			    interface_number);
		return FALSE;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_SUPPORTED,
		    "%s: no interface has a bulk IN and a bulk OUT endpoint",
		    self->name);
	return FALSE;
}

/**
 * ub_usb_transport_new_full:
 * @usb_ctx: the context @dev was listed through
 * @dev: a device of @usb_ctx
 * @interface_number: the interface to claim, or -1 for the first one with a
 *   bulk IN and a bulk OUT endpoint
 * @error: (nullable): return location for a #GError
 *
 * Opens and claims the interface, detaching a kernel driver (qcserial binds
 * 05c6:9008, cdc_acm binds MediaTek ports) for as long as it is claimed. The
 * transport handles the events of @usb_ctx and keeps a reference to it.
 *
 * Writes are split into transfers of %UB_USB_TRANSPORT_CHUNK_SIZE with up to
 * %UB_USB_TRANSPORT_IN_FLIGHT of them in flight; a read is one transfer of at
 * most %UB_USB_TRANSPORT_CHUNK_SIZE. Timeouts bound the time without progress;
 * 0 waits forever. A blocked call notices cancellation within ~50 ms.
 *
 * Returns: (transfer full): a #UbTransport, or %NULL
 */
UbTransport *
ub_usb_transport_new_full(UbUsbContext *usb_ctx,
			  libusb_device *dev,
			  gint interface_number,
			  GError **error)
{
	struct libusb_device_descriptor desc = {0};
	struct libusb_config_descriptor *config = NULL;
	gboolean ret;
	gint rc;
	g_autoptr(UbUsbTransport) self = NULL;

	g_return_val_if_fail(usb_ctx != NULL, NULL);
	g_return_val_if_fail(dev != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	self = g_object_new(UB_TYPE_USB_TRANSPORT, NULL);
	self->usb_ctx = ub_usb_context_ref(usb_ctx);
	self->ctx = ub_usb_context_get_libusb(usb_ctx);
	self->device = libusb_ref_device(dev);
	rc = libusb_get_device_descriptor(dev, &desc);
	if (rc != LIBUSB_SUCCESS) {
		ub_usb_context_set_error(error, rc, "cannot read the device descriptor");
		return NULL;
	}
	self->vid = desc.idVendor;
	self->pid = desc.idProduct;
	self->path = ub_usb_context_get_device_path(dev);
	self->name = g_strdup_printf("usb:%s %04x:%04x", self->path, self->vid, self->pid);

	rc = libusb_get_active_config_descriptor(dev, &config);
	if (rc == LIBUSB_ERROR_NOT_FOUND)
		rc = libusb_get_config_descriptor(dev, 0, &config);
	if (rc != LIBUSB_SUCCESS) {
		ub_usb_context_set_error(error,
					 rc,
					 "%s: cannot read the configuration descriptor",
					 self->name);
		return NULL;
	}
	ret = ub_usb_transport_find_endpoints(self, config, interface_number, error);
	libusb_free_config_descriptor(config);
	if (!ret)
		return NULL;

	rc = libusb_open(dev, &self->handle);
	if (rc != LIBUSB_SUCCESS) {
		self->handle = NULL;
		ub_usb_context_set_error(error, rc, "cannot open %s", self->name);
		return NULL;
	}
	rc = libusb_set_auto_detach_kernel_driver(self->handle, 1);
	if (rc != LIBUSB_SUCCESS)
		g_debug("ignoring: auto-detach: %s", libusb_strerror(rc));
	rc = libusb_claim_interface(self->handle, self->interface_number);
	if (rc != LIBUSB_SUCCESS) {
		ub_usb_context_set_error(error,
					 rc,
					 "cannot claim interface %d of %s",
					 self->interface_number,
					 self->name);
		libusb_close(self->handle);
		self->handle = NULL;
		return NULL;
	}
	if (self->alt_setting != 0) {
		rc = libusb_set_interface_alt_setting(self->handle,
						      self->interface_number,
						      self->alt_setting);
		if (rc != LIBUSB_SUCCESS) {
			ub_usb_context_set_error(error,
						 rc,
						 "cannot select alternate setting %u of %s",
						 self->alt_setting,
						 self->name);
			return NULL;
		}
	}
	g_debug("%s: interface %d, bulk IN 0x%02x, OUT 0x%02x, wMaxPacketSize %" G_GSIZE_FORMAT,
		self->name,
		self->interface_number,
		self->ep_in,
		self->ep_out,
		self->max_packet_size_out);
	return UB_TRANSPORT(g_steal_pointer(&self));
}

/**
 * ub_usb_transport_new_for_device:
 * @dev: a device listed through a #UbUsbContext that is still alive, e.g. from
 *   ub_usb_context_find_device_by_path()
 * @interface_number: the interface to claim, or -1 for the first one with a
 *   bulk IN and a bulk OUT endpoint
 * @error: (nullable): return location for a #GError
 *
 * ub_usb_transport_new_full() with the context @dev belongs to, looked up
 * with ub_usb_context_find_for_device().
 *
 * Returns: (transfer full): a #UbTransport, or %NULL
 */
UbTransport *
ub_usb_transport_new_for_device(libusb_device *dev, gint interface_number, GError **error)
{
	g_autoptr(UbUsbContext) usb_ctx = NULL;

	g_return_val_if_fail(dev != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	usb_ctx = ub_usb_context_find_for_device(dev);
	if (usb_ctx == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INTERNAL,
				    "the USB device belongs to no libusb context of unbrick");
		return NULL;
	}
	return ub_usb_transport_new_full(usb_ctx, dev, interface_number, error);
}

/**
 * ub_usb_transport_new_for_vid_pid:
 * @vid: vendor ID, e.g. 0x05c6
 * @pid: product ID, e.g. 0x9008
 * @error: (nullable): return location for a #GError
 *
 * Opens the first device with these IDs, as the bus is now (through a
 * context of ub_usb_context_acquire()).
 *
 * Returns: (transfer full): a #UbTransport, or %NULL
 */
UbTransport *
ub_usb_transport_new_for_vid_pid(guint16 vid, guint16 pid, GError **error)
{
	g_autoptr(UbUsbContext) usb_ctx = ub_usb_context_acquire(error);
	g_autoptr(libusb_device) dev = NULL;
	if (usb_ctx == NULL)
		return NULL;
	dev = ub_usb_context_find_device_by_vid_pid(usb_ctx, vid, pid, error);
	if (dev == NULL)
		return NULL;
	return ub_usb_transport_new_full(usb_ctx, dev, -1, error);
}

/**
 * ub_usb_transport_new_for_path:
 * @path: "BUS-PORT[.PORT...]", e.g. "1-4.2"
 * @error: (nullable): return location for a #GError
 *
 * Opens the device at @path, as the bus is now.
 *
 * Returns: (transfer full): a #UbTransport, or %NULL
 */
UbTransport *
ub_usb_transport_new_for_path(const gchar *path, GError **error)
{
	g_autoptr(UbUsbContext) usb_ctx = ub_usb_context_acquire(error);
	g_autoptr(libusb_device) dev = NULL;
	if (usb_ctx == NULL)
		return NULL;
	dev = ub_usb_context_find_device_by_path(usb_ctx, path, error);
	if (dev == NULL)
		return NULL;
	return ub_usb_transport_new_full(usb_ctx, dev, -1, error);
}

/**
 * ub_usb_transport_new_for_serial:
 * @serial: the device's serial number string
 * @error: (nullable): return location for a #GError
 *
 * Opens the device with this serial number, as the bus is now.
 *
 * Returns: (transfer full): a #UbTransport, or %NULL
 */
UbTransport *
ub_usb_transport_new_for_serial(const gchar *serial, GError **error)
{
	g_autoptr(UbUsbContext) usb_ctx = ub_usb_context_acquire(error);
	g_autoptr(libusb_device) dev = NULL;
	if (usb_ctx == NULL)
		return NULL;
	dev = ub_usb_context_find_device_by_serial(usb_ctx, serial, error);
	if (dev == NULL)
		return NULL;
	return ub_usb_transport_new_full(usb_ctx, dev, -1, error);
}

guint16
ub_usb_transport_get_vid(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), 0);
	return self->vid;
}

guint16
ub_usb_transport_get_pid(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), 0);
	return self->pid;
}

/**
 * ub_usb_transport_get_path:
 * @self: a #UbUsbTransport
 *
 * Returns: the "BUS-PORT" path, e.g. "1-4.2"
 */
const gchar *
ub_usb_transport_get_path(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), NULL);
	return self->path;
}

gint
ub_usb_transport_get_interface_number(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), -1);
	return self->interface_number;
}

guint8
ub_usb_transport_get_ep_in(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), 0);
	return self->ep_in;
}

guint8
ub_usb_transport_get_ep_out(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), 0);
	return self->ep_out;
}

/**
 * ub_usb_transport_get_context:
 * @self: a #UbUsbTransport
 *
 * Returns: (transfer none): the context whose events the transport handles
 */
UbUsbContext *
ub_usb_transport_get_context(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), NULL);
	return self->usb_ctx;
}

/**
 * ub_usb_transport_get_handle:
 * @self: a #UbUsbTransport
 *
 * For control transfers an engine needs (e.g. CDC SET_LINE_CODING).
 *
 * Returns: (transfer none) (nullable): the open handle, or %NULL once closed
 */
libusb_device_handle *
ub_usb_transport_get_handle(UbUsbTransport *self)
{
	g_return_val_if_fail(UB_IS_USB_TRANSPORT(self), NULL);
	return self->handle;
}
