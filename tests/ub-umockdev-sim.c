/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ub-umockdev-sim.h"

/*
 * How it works: umockdev's preload sends every ioctl on our /dev/bus/usb node
 * to the "handle-ioctl" signal on a umockdev worker thread. Following umockdev's
 * own pcap replayer, a SUBMITURB resolves the client's struct usbdevfs_urb and
 * its buffer; an OUT URB is consumed at once, an IN URB waits until the device
 * side has data (ub_umockdev_sim_push_in). REAPURBNDELAY hands completed URBs
 * back (umockdev copies urb and buffer into the client), DISCARDURB completes a
 * waiting URB with -ENOENT (timeouts, cancellation).
 *
 * Simplification: each pushed IN transfer ends the URB it completes, as if it
 * ended with a short packet or a ZLP, even when its length is a multiple of
 * wMaxPacketSize; a transfer longer than the URB continues in the next URB.
 *
 * Programs that talk usbfs directly (Debian's qdl) are served too: read() of
 * the node returns the device and configuration descriptors as the kernel's
 * usbdev_read() does, and the synchronous USBDEVFS_BULK ioctl works in both
 * directions, IN with its timeout. There the device sees USB packets rather
 * than ioctls, as on the wire: OUT pieces of whole packets are joined until a
 * short packet or a ZLP ends the transfer (the ZLP is not delivered on its
 * own then), and an IN ZLP that follows a transfer of whole packets ends that
 * same read when the host's buffer was larger.
 */

/* wMaxPacketSize of the bulk endpoints, high speed */
#define UB_UMOCKDEV_SIM_MAX_PACKET_SIZE 512

typedef struct {
	UMockdevIoctlData *urb;	     /* the client's struct usbdevfs_urb (or _bulktransfer) */
	UMockdevIoctlData *buf;	     /* its buffer, NULL when empty */
	UMockdevIoctlClient *client; /* one per open fd: only it may reap the URB */
	gulong client_addr;
	gboolean bulk;	  /* a synchronous USBDEVFS_BULK IN: completes the ioctl itself */
	guint bulk_len;	  /* its buffer size */
	guint64 serial;	  /* finds it again from its timeout */
	GSource *timeout; /* NULL for none */
	gint result;	  /* bytes, or -1 with @result_errno */
	gint result_errno;
} UbUmockdevSimUrb;

typedef struct {
	GWeakRef sim;
	guint64 serial;
} UbUmockdevSimTimeout;

struct _UbUmockdevSim {
	GObject parent_instance;
	gchar *path; /* "1-4.2" */
	guint bus;
	guint devnum;
	guint16 vid;
	guint16 pid;
	gchar *manufacturer;
	gchar *product;
	gchar *serial;
	guint8 ep_in;
	guint8 ep_out;
	GByteArray *config; /* NULL: the default one */
	UMockdevTestbed *testbed;
	UMockdevIoctlBase *handler;
	gchar *sysfs_path;
	gchar *devnode;
	UbUmockdevSimOutFunc out_func;
	gpointer out_func_data;
	GArray *out_lengths; /* of UbUmockdevSimOutRecord, one per OUT transfer, when recording */
	GMutex mutex;
	GQueue pending_in; /* of UbUmockdevSimUrb */
	GQueue done;	   /* of UbUmockdevSimUrb, to be reaped */
	GQueue held_out;   /* of UbUmockdevSimUrb: OUT URBs not yet accepted */
	gboolean hold_out;
	guint max_out_in_flight;
	GQueue in_data;	 /* of GBytes: device -> host transfers */
	gsize in_offset; /* into the head of in_data */
	gboolean unplugged;
	GQueue bulk_done;	  /* of UbUmockdevSimUrb: USBDEVFS_BULK INs to complete */
	GByteArray *bulk_out_acc; /* USBDEVFS_BULK OUT packets of a transfer not ended yet */
	guint64 bulk_serial;
};

G_DEFINE_TYPE(UbUmockdevSim, ub_umockdev_sim, G_TYPE_OBJECT)

/* device numbers must be unique on the bus; hubs and devices share them */
static gint ub_umockdev_sim_devnum = 1;

static void
ub_umockdev_sim_urb_free(UbUmockdevSimUrb *u)
{
	if (u->timeout != NULL) {
		g_source_destroy(u->timeout);
		g_source_unref(u->timeout);
	}
	if (u->urb != NULL)
		umockdev_ioctl_data_unref(u->urb);
	if (u->buf != NULL)
		umockdev_ioctl_data_unref(u->buf);
	if (u->client != NULL)
		g_object_unref(u->client);
	g_free(u);
}

static struct usbdevfs_urb *
ub_umockdev_sim_urb_get(UbUmockdevSimUrb *u)
{
	return (struct usbdevfs_urb *)(gpointer)u->urb->data;
}

static GByteArray *
ub_umockdev_sim_device_descriptor(UbUmockdevSim *self,
				  guint8 dev_class,
				  guint16 vid,
				  guint16 pid,
				  gboolean strings)
{
	GByteArray *buf = g_byte_array_new();
	/* clang-format off */
	const guint8 desc[18] = {
	    18, 1, 0x00, 0x02,			/* DEVICE, USB 2.0 */
	    dev_class, 0, 0, 64,		/* class, max packet size 0 */
	    vid & 0xff, vid >> 8, pid & 0xff, pid >> 8,
	    0x00, 0x01,				/* bcdDevice */
	    strings ? 1 : 0,			/* iManufacturer */
	    strings ? 2 : 0,			/* iProduct */
	    strings && self->serial != NULL ? 3 : 0, /* iSerialNumber */
	    1};
	/* clang-format on */
	g_byte_array_append(buf, desc, sizeof(desc));
	return buf;
}

static GByteArray *
ub_umockdev_sim_default_config(UbUmockdevSim *self)
{
	GByteArray *buf = g_byte_array_new();
	/* clang-format off */
	const guint8 desc[32] = {
	    9, 2, 32, 0, 1, 1, 0, 0x80, 0xfa,		  /* configuration 1, 500 mA */
	    9, 4, 0, 0, 2, 0xff, 0xff, 0xff, 0,		  /* vendor interface 0 */
	    7, 5, self->ep_in, 2, 0x00, 0x02, 0,	  /* bulk IN, 512 */
	    7, 5, self->ep_out, 2, 0x00, 0x02, 0,	  /* bulk OUT, 512 */
	};
	/* clang-format on */
	g_byte_array_append(buf, desc, sizeof(desc));
	return buf;
}

static GByteArray *
ub_umockdev_sim_get_config(UbUmockdevSim *self)
{
	if (self->config != NULL)
		return g_byte_array_ref(self->config);
	return ub_umockdev_sim_default_config(self);
}

/* the 16-bit string descriptor for @idx, or NULL */
static GByteArray *
ub_umockdev_sim_string_descriptor(UbUmockdevSim *self, guint idx)
{
	const gchar *str = NULL;
	GByteArray *buf;
	guint8 hdr[2] = {0, 3};
	if (idx == 0) {
		const guint8 langids[4] = {4, 3, 0x09, 0x04};
		buf = g_byte_array_new();
		g_byte_array_append(buf, langids, sizeof(langids));
		return buf;
	}
	if (idx == 1)
		str = self->manufacturer;
	else if (idx == 2)
		str = self->product;
	else if (idx == 3)
		str = self->serial;
	if (str == NULL)
		return NULL;
	buf = g_byte_array_new();
	hdr[0] = (guint8)(2 + 2 * strlen(str));
	g_byte_array_append(buf, hdr, sizeof(hdr));
	for (const gchar *p = str; *p != '\0'; p++) {
		guint8 ch[2] = {(guint8)*p, 0};
		g_byte_array_append(buf, ch, sizeof(ch));
	}
	return buf;
}

/* standard control requests; returns FALSE to stall */
static gboolean
ub_umockdev_sim_control(UbUmockdevSim *self, struct usbdevfs_urb *urb, guint8 *buf)
{
	guint16 wlength;
	g_autoptr(GByteArray) reply = NULL;
	if (buf == NULL || urb->buffer_length < 8)
		return FALSE;
	wlength = (guint16)(buf[6] | (buf[7] << 8));
	urb->actual_length = 0;
	if (buf[0] == 0x80 && buf[1] == 6) {
		if (buf[3] == 1)
			reply =
			    ub_umockdev_sim_device_descriptor(self, 0, self->vid, self->pid, TRUE);
		else if (buf[3] == 2)
			reply = ub_umockdev_sim_get_config(self);
		else if (buf[3] == 3)
			reply = ub_umockdev_sim_string_descriptor(self, buf[2]);
		if (reply == NULL)
			return FALSE;
		urb->actual_length =
		    (gint)MIN(MIN(reply->len, wlength), (guint)urb->buffer_length - 8);
		memcpy(buf + 8, reply->data, (gsize)urb->actual_length);
		return TRUE;
	}

	/* SET_CONFIGURATION, SET_INTERFACE, class requests such as CDC's
	 * SET_LINE_CODING: accepted and ignored */
	return (buf[0] & 0x80) == 0;
}

/* moves device data into waiting IN URBs; called with the mutex held */
static void
ub_umockdev_sim_pump_locked(UbUmockdevSim *self)
{
	while (!g_queue_is_empty(&self->pending_in) && !g_queue_is_empty(&self->in_data)) {
		UbUmockdevSimUrb *u = g_queue_pop_head(&self->pending_in);
		struct usbdevfs_urb *urb = ub_umockdev_sim_urb_get(u);
		GBytes *blob = g_queue_peek_head(&self->in_data);
		gsize blobsz = 0;
		const guint8 *data = g_bytes_get_data(blob, &blobsz);
		gsize bufsz = u->bulk ? u->bulk_len : (gsize)urb->buffer_length;
		gsize n = MIN(bufsz, blobsz - self->in_offset);
		if (n > 0)
			memcpy(u->buf->data, data + self->in_offset, n);
		self->in_offset += n;
		if (self->in_offset == blobsz) {
			g_bytes_unref(g_queue_pop_head(&self->in_data));
			self->in_offset = 0;
			/* usbfs: a ZLP after whole packets ends this same read when
			 * the buffer had room for more */
			if (u->bulk && n > 0 && n < bufsz && n % UB_UMOCKDEV_SIM_MAX_PACKET_SIZE == 0) {
				GBytes *next = g_queue_peek_head(&self->in_data);
				if (next != NULL && g_bytes_get_size(next) == 0)
					g_bytes_unref(g_queue_pop_head(&self->in_data));
			}
		}
		if (u->bulk) {
			u->result = (gint)n;
			g_queue_push_tail(&self->bulk_done, u);
			continue;
		}
		urb->actual_length = (gint)n;
		urb->status = 0;
		g_queue_push_tail(&self->done, u);
	}
}

/* completes the USBDEVFS_BULK INs the pump finished; called without the mutex */
static void
ub_umockdev_sim_complete_bulks(UbUmockdevSim *self)
{
	for (;;) {
		UbUmockdevSimUrb *u;
		g_mutex_lock(&self->mutex);
		u = g_queue_pop_head(&self->bulk_done);
		g_mutex_unlock(&self->mutex);
		if (u == NULL)
			return;
		/* umockdev copies the changed buffer back into the client */
		umockdev_ioctl_client_complete(u->client, u->result, u->result_errno);
		ub_umockdev_sim_urb_free(u);
	}
}

/* the device consumes one OUT URB; no lock is held around the callback */
static void
ub_umockdev_sim_accept_out(UbUmockdevSim *self, UbUmockdevSimUrb *u)
{
	struct usbdevfs_urb *urb = ub_umockdev_sim_urb_get(u);
	gboolean zlp_after = (urb->flags & USBDEVFS_URB_ZERO_PACKET) > 0 &&
			     urb->buffer_length > 0 && urb->buffer_length % 512 == 0;
	guint8 ep = urb->endpoint;

	g_mutex_lock(&self->mutex);
	if (self->out_lengths != NULL) {
		UbUmockdevSimOutRecord rec = {.length = (guint32)urb->buffer_length};
		UbUmockdevSimOutRecord zlp = {0};
		if (u->buf != NULL)
			memcpy(rec.head, u->buf->data, MIN(sizeof(rec.head), (gsize)urb->buffer_length));
		g_array_append_val(self->out_lengths, rec);
		if (zlp_after)
			g_array_append_val(self->out_lengths, zlp);
	}
	g_mutex_unlock(&self->mutex);
	if (self->out_func != NULL) {
		self->out_func(self,
			       ep,
			       u->buf != NULL ? u->buf->data : NULL,
			       (gsize)urb->buffer_length,
			       self->out_func_data);
		if (zlp_after)
			self->out_func(self, ep, NULL, 0, self->out_func_data);
	}
	urb->actual_length = urb->buffer_length;
	urb->status = 0;
	g_mutex_lock(&self->mutex);
	g_queue_push_tail(&self->done, u);
	g_mutex_unlock(&self->mutex);
}

static gboolean
ub_umockdev_sim_submit(UbUmockdevSim *self, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	struct usbdevfs_urb *urb;
	UbUmockdevSimUrb *u;
	g_autoptr(GError) error = NULL;
	UMockdevIoctlData *data = umockdev_ioctl_data_resolve(arg, 0, sizeof(*urb), &error);

	if (data == NULL) {
		g_warning("cannot resolve URB: %s", error->message);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return TRUE;
	}
	urb = (struct usbdevfs_urb *)(gpointer)data->data;
	u = g_new0(UbUmockdevSimUrb, 1);
	u->urb = data;
	u->client = g_object_ref(client);
	u->client_addr = data->client_addr;
	if (urb->buffer_length > 0) {
		u->buf = umockdev_ioctl_data_resolve(data,
						     offsetof(struct usbdevfs_urb, buffer),
						     (gsize)urb->buffer_length,
						     &error);
		if (u->buf == NULL) {
			g_warning("cannot resolve URB buffer: %s", error->message);
			ub_umockdev_sim_urb_free(u);
			umockdev_ioctl_client_complete(client, -1, EFAULT);
			return TRUE;
		}
	}

	if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
		urb->status =
		    ub_umockdev_sim_control(self, urb, u->buf ? u->buf->data : NULL) ? 0 : -EPIPE;
		g_mutex_lock(&self->mutex);
		g_queue_push_tail(&self->done, u);
		g_mutex_unlock(&self->mutex);
	} else if (urb->type == USBDEVFS_URB_TYPE_BULK && (urb->endpoint & 0x80) == 0) {
		g_mutex_lock(&self->mutex);
		if (self->hold_out) {
			/* the device is slow: the URB stays in flight until the test
			 * calls ub_umockdev_sim_complete_out() */
			g_queue_push_tail(&self->held_out, u);
			self->max_out_in_flight =
			    MAX(self->max_out_in_flight, g_queue_get_length(&self->held_out));
			g_mutex_unlock(&self->mutex);
		} else {
			g_mutex_unlock(&self->mutex);
			ub_umockdev_sim_accept_out(self, u);
		}
	} else if (urb->type == USBDEVFS_URB_TYPE_BULK) {
		g_mutex_lock(&self->mutex);
		g_queue_push_tail(&self->pending_in, u);
		ub_umockdev_sim_pump_locked(self);
		g_mutex_unlock(&self->mutex);
	} else {
		ub_umockdev_sim_urb_free(u);
		umockdev_ioctl_client_complete(client, -1, EINVAL);
		return TRUE;
	}
	umockdev_ioctl_client_complete(client, 0, 0);
	return TRUE;
}

static gboolean
ub_umockdev_sim_discard(UbUmockdevSim *self, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	/* the argument is the client's URB pointer itself */
	gulong addr = 0;
	memcpy(&addr, arg->data, MIN(sizeof(addr), (gsize)MAX(arg->data_len, 0)));
	g_mutex_lock(&self->mutex);
	for (guint i = 0; i < 2; i++) {
		GQueue *queue = i == 0 ? &self->pending_in : &self->held_out;
		for (GList *l = queue->head; l != NULL; l = l->next) {
			UbUmockdevSimUrb *u = l->data;
			struct usbdevfs_urb *urb;
			if (u->client_addr != addr)
				continue;
			g_queue_delete_link(queue, l);
			urb = ub_umockdev_sim_urb_get(u);
			urb->status = -ENOENT;
			urb->actual_length = 0;
			g_queue_push_tail(&self->done, u);
			g_mutex_unlock(&self->mutex);
			umockdev_ioctl_client_complete(client, 0, 0);
			return TRUE;
		}
	}
	g_mutex_unlock(&self->mutex);

	/* already completed */
	umockdev_ioctl_client_complete(client, -1, EINVAL);
	return TRUE;
}

static gboolean
ub_umockdev_sim_reap(UbUmockdevSim *self, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	UbUmockdevSimUrb *u = NULL;
	gboolean unplugged;
	g_autoptr(GError) error = NULL;
	UMockdevIoctlData *data;

	g_mutex_lock(&self->mutex);
	for (GList *l = self->done.head; l != NULL; l = l->next) {
		UbUmockdevSimUrb *tmp = l->data;
		if (tmp->client == client) {
			u = tmp;
			g_queue_delete_link(&self->done, l);
			break;
		}
	}
	unplugged = self->unplugged;
	g_mutex_unlock(&self->mutex);
	if (u == NULL) {
		umockdev_ioctl_client_complete(client, -1, unplugged ? ENODEV : EAGAIN);
		return TRUE;
	}

	/* point the client's argument at its URB: umockdev writes the URB and
	 * its buffer back into the client */
	data = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), &error);
	if (data == NULL) {
		g_warning("cannot resolve reap argument: %s", error->message);
		ub_umockdev_sim_urb_free(u);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return TRUE;
	}
	umockdev_ioctl_data_set_ptr(data, 0, u->urb);
	umockdev_ioctl_client_complete(client, 0, 0);
	umockdev_ioctl_data_unref(data);
	ub_umockdev_sim_urb_free(u);
	return TRUE;
}

static void
ub_umockdev_sim_timeout_free(gpointer data)
{
	UbUmockdevSimTimeout *t = data;
	g_weak_ref_clear(&t->sim);
	g_free(t);
}

/* umockdev's worker thread: a USBDEVFS_BULK IN got no data in time */
static gboolean
ub_umockdev_sim_bulk_timeout_cb(gpointer user_data)
{
	UbUmockdevSimTimeout *t = user_data;
	g_autoptr(UbUmockdevSim) self = g_weak_ref_get(&t->sim);
	if (self == NULL)
		return G_SOURCE_REMOVE;
	g_mutex_lock(&self->mutex);
	for (GList *l = self->pending_in.head; l != NULL; l = l->next) {
		UbUmockdevSimUrb *u = l->data;
		if (!u->bulk || u->serial != t->serial)
			continue;
		g_queue_delete_link(&self->pending_in, l);
		u->result = -1;
		u->result_errno = ETIMEDOUT;
		g_queue_push_tail(&self->bulk_done, u);
		break;
	}
	g_mutex_unlock(&self->mutex);
	ub_umockdev_sim_complete_bulks(self);
	return G_SOURCE_REMOVE;
}

/* USBDEVFS_BULK OUT: whole packets wait for the short packet (or ZLP) that
 * ends the transfer, as the device would see them on the wire */
static void
ub_umockdev_sim_bulk_out(UbUmockdevSim *self, guint8 ep, const guint8 *buf, gsize bufsz)
{
	g_autoptr(GByteArray) transfer = NULL;

	g_mutex_lock(&self->mutex);
	if (self->out_lengths != NULL) {
		UbUmockdevSimOutRecord rec = {.length = (guint32)bufsz};
		if (buf != NULL)
			memcpy(rec.head, buf, MIN(sizeof(rec.head), bufsz));
		g_array_append_val(self->out_lengths, rec);
	}
	if (bufsz > 0 && bufsz % UB_UMOCKDEV_SIM_MAX_PACKET_SIZE == 0) {
		if (self->bulk_out_acc == NULL)
			self->bulk_out_acc = g_byte_array_new();
		g_byte_array_append(self->bulk_out_acc, buf, (guint)bufsz);
		g_mutex_unlock(&self->mutex);
		return;
	}
	transfer = g_steal_pointer(&self->bulk_out_acc);
	g_mutex_unlock(&self->mutex);
	if (transfer != NULL && bufsz > 0)
		g_byte_array_append(transfer, buf, (guint)bufsz);
	if (self->out_func == NULL)
		return;
	if (transfer != NULL)
		self->out_func(self, ep, transfer->data, transfer->len, self->out_func_data);
	else
		self->out_func(self, ep, bufsz > 0 ? buf : NULL, bufsz, self->out_func_data);
}

/* the synchronous USBDEVFS_BULK of programs that do not use libusb */
static gboolean
ub_umockdev_sim_bulk(UbUmockdevSim *self, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	struct usbdevfs_bulktransfer *bulk;
	UbUmockdevSimUrb *u;
	guint timeout_ms;
	g_autoptr(GError) error = NULL;
	UMockdevIoctlData *data = umockdev_ioctl_data_resolve(arg, 0, sizeof(*bulk), &error);

	if (data == NULL) {
		g_warning("cannot resolve bulk transfer: %s", error->message);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return TRUE;
	}
	bulk = (struct usbdevfs_bulktransfer *)(gpointer)data->data;
	u = g_new0(UbUmockdevSimUrb, 1);
	u->urb = data;
	u->client = g_object_ref(client);
	u->bulk = TRUE;
	u->bulk_len = bulk->len;
	timeout_ms = bulk->timeout;
	if ((bulk->ep & 0x7f) != (self->ep_in & 0x7f) && (bulk->ep & 0x7f) != (self->ep_out & 0x7f)) {
		ub_umockdev_sim_urb_free(u);
		umockdev_ioctl_client_complete(client, -1, ENOENT);
		return TRUE;
	}
	if (bulk->len > 0) {
		u->buf = umockdev_ioctl_data_resolve(data,
						     offsetof(struct usbdevfs_bulktransfer, data),
						     bulk->len,
						     &error);
		if (u->buf == NULL) {
			g_warning("cannot resolve bulk buffer: %s", error != NULL ? error->message : "NULL");
			ub_umockdev_sim_urb_free(u);
			umockdev_ioctl_client_complete(client, -1, EFAULT);
			return TRUE;
		}
	}

	/* OUT: the device takes it at once */
	if ((bulk->ep & 0x80) == 0) {
		guint len = u->bulk_len;
		ub_umockdev_sim_bulk_out(self,
					 (guint8)bulk->ep,
					 u->buf != NULL ? u->buf->data : NULL,
					 len);
		ub_umockdev_sim_urb_free(u);
		umockdev_ioctl_client_complete(client, (glong)len, 0);
		return TRUE;
	}

	/* IN: waits for device data, at most the timeout (0 waits for ever) */
	if (u->bulk_len == 0) {
		ub_umockdev_sim_urb_free(u);
		umockdev_ioctl_client_complete(client, 0, 0);
		return TRUE;
	}
	g_mutex_lock(&self->mutex);
	u->serial = ++self->bulk_serial;
	if (timeout_ms > 0) {
		UbUmockdevSimTimeout *t = g_new0(UbUmockdevSimTimeout, 1);
		g_weak_ref_init(&t->sim, self);
		t->serial = u->serial;
		u->timeout = g_timeout_source_new(timeout_ms);
		g_source_set_callback(u->timeout,
				      ub_umockdev_sim_bulk_timeout_cb,
				      t,
				      ub_umockdev_sim_timeout_free);
		/* umockdev's worker context, the thread default here */
		g_source_attach(u->timeout, g_main_context_get_thread_default());
	}
	g_queue_push_tail(&self->pending_in, u);
	ub_umockdev_sim_pump_locked(self);
	g_mutex_unlock(&self->mutex);
	ub_umockdev_sim_complete_bulks(self);
	return TRUE;
}

/* read() of the node: the descriptors, as the kernel's usbdev_read() serves them */
static gboolean
ub_umockdev_sim_handle_read_cb(UMockdevIoctlBase *handler,
			       UMockdevIoctlClient *client,
			       gpointer user_data)
{
	UbUmockdevSim *self = UB_UMOCKDEV_SIM(user_data);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	g_autoptr(GByteArray) descs = NULL;
	g_autoptr(GByteArray) config = NULL;
	gsize pos = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(client), "ub-umockdev-sim-pos"));
	gsize n = 0;
	gboolean unplugged;

	g_mutex_lock(&self->mutex);
	unplugged = self->unplugged;
	g_mutex_unlock(&self->mutex);
	if (unplugged) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}
	descs = ub_umockdev_sim_device_descriptor(self, 0, self->vid, self->pid, TRUE);
	config = ub_umockdev_sim_get_config(self);
	g_byte_array_append(descs, config->data, config->len);
	if (pos < descs->len && arg->data_len > 0) {
		n = MIN((gsize)arg->data_len, descs->len - pos);
		memcpy(arg->data, descs->data + pos, n);
	}
	/* one client per open file: its position */
	g_object_set_data(G_OBJECT(client), "ub-umockdev-sim-pos", GSIZE_TO_POINTER(pos + n));
	umockdev_ioctl_client_complete(client, (glong)n, 0);
	return TRUE;
}

/* write() of a usbfs node fails, as in the kernel */
static gboolean
ub_umockdev_sim_handle_write_cb(UMockdevIoctlBase *handler,
				UMockdevIoctlClient *client,
				gpointer user_data)
{
	umockdev_ioctl_client_complete(client, -1, EINVAL);
	return TRUE;
}

static gboolean
ub_umockdev_sim_handle_ioctl_cb(UMockdevIoctlBase *handler,
				UMockdevIoctlClient *client,
				gpointer user_data)
{
	UbUmockdevSim *self = UB_UMOCKDEV_SIM(user_data);
	gulong request = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gboolean unplugged;

	g_mutex_lock(&self->mutex);
	unplugged = self->unplugged;
	g_mutex_unlock(&self->mutex);
	if (unplugged && request != USBDEVFS_REAPURB && request != USBDEVFS_REAPURBNDELAY &&
	    request != USBDEVFS_DISCARDURB) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}

	switch (request) {
	case USBDEVFS_GET_CAPABILITIES: {
		g_autoptr(GError) error = NULL;
		guint32 caps = USBDEVFS_CAP_BULK_SCATTER_GATHER | USBDEVFS_CAP_BULK_CONTINUATION |
			       USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
			       USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
		UMockdevIoctlData *data = umockdev_ioctl_data_resolve(arg, 0, sizeof(caps), &error);
		if (data == NULL) {
			umockdev_ioctl_client_complete(client, -1, EFAULT);
			return TRUE;
		}
		memcpy(data->data, &caps, sizeof(caps));
		umockdev_ioctl_data_unref(data);
		umockdev_ioctl_client_complete(client, 0, 0);
		return TRUE;
	}
	case USBDEVFS_GETDRIVER:
	case USBDEVFS_IOCTL:
		/* no kernel driver is bound */
		umockdev_ioctl_client_complete(client, -1, ENODATA);
		return TRUE;
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_SETINTERFACE:
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
	case USBDEVFS_DISCONNECT_CLAIM:
		umockdev_ioctl_client_complete(client, 0, 0);
		return TRUE;
	case USBDEVFS_SUBMITURB:
		return ub_umockdev_sim_submit(self, client, arg);
	case USBDEVFS_DISCARDURB:
		return ub_umockdev_sim_discard(self, client, arg);
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		return ub_umockdev_sim_reap(self, client, arg);
	case USBDEVFS_BULK:
		return ub_umockdev_sim_bulk(self, client, arg);
	default:
		g_debug("sim: unhandled ioctl 0x%lx", request);
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		return TRUE;
	}
}

static gchar *
ub_umockdev_sim_hex(GByteArray *dev, GByteArray *config)
{
	GString *str = g_string_new(NULL);
	for (guint i = 0; i < dev->len; i++)
		g_string_append_printf(str, "%02x", dev->data[i]);
	for (guint i = 0; i < config->len; i++)
		g_string_append_printf(str, "%02x", config->data[i]);
	return g_string_free(str, FALSE);
}

/* the sysfs directory of a "BUS-PORT.PORT" path, "usbBUS" for the root hub */
static gchar *
ub_umockdev_sim_sysfs_dir(guint bus, gchar **ports, guint n_ports)
{
	GString *str = g_string_new(NULL);
	g_string_append_printf(str, "/sys/devices/pci0000:00/0000:00:14.0/usb%u", bus);
	for (guint i = 1; i <= n_ports; i++) {
		g_autofree gchar *joined = NULL;
		gchar *saved = ports[i];
		ports[i] = NULL;
		joined = g_strjoinv(".", ports);
		ports[i] = saved;
		g_string_append_printf(str, "/%u-%s", bus, joined);
	}
	return g_string_free(str, FALSE);
}

static gboolean
ub_umockdev_sim_add(UMockdevTestbed *testbed,
		    const gchar *sysfs_dir,
		    guint bus,
		    guint devnum,
		    GByteArray *dev_desc,
		    GByteArray *config,
		    const gchar *extra,
		    GError **error)
{
	g_autofree gchar *hex = ub_umockdev_sim_hex(dev_desc, config);
	g_autofree gchar *record = NULL;
	const guint8 *d = dev_desc->data;

	record = g_strdup_printf("P: %s\n"
				 "N: bus/usb/%03u/%03u\n"
				 "E: SUBSYSTEM=usb\n"
				 "E: DEVTYPE=usb_device\n"
				 "E: DRIVER=usb\n"
				 "E: BUSNUM=%03u\n"
				 "E: DEVNUM=%03u\n"
				 "E: PRODUCT=%x/%x/100\n"
				 "E: DEVNAME=/dev/bus/usb/%03u/%03u\n"
				 "A: idVendor=%02x%02x\n"
				 "A: idProduct=%02x%02x\n"
				 "A: busnum=%u\n"
				 "A: devnum=%u\n"
				 "A: speed=480\n"
				 "A: bConfigurationValue=1\n"
				 "A: bNumConfigurations=1\n"
				 "%s"
				 "H: descriptors=%s\n",
				 sysfs_dir + strlen("/sys"),
				 bus,
				 devnum,
				 bus,
				 devnum,
				 (guint)(d[8] | d[9] << 8),
				 (guint)(d[10] | d[11] << 8),
				 bus,
				 devnum,
				 d[9],
				 d[8],
				 d[11],
				 d[10],
				 bus,
				 devnum,
				 extra,
				 hex);
	return umockdev_testbed_add_from_string(testbed, record, error);
}

/* adds the root hub and intermediate hubs of the path if missing, so libusb
 * finds the parents and libusb_get_port_numbers() returns the whole path */
static gboolean
ub_umockdev_sim_add_hubs(UbUmockdevSim *self, gchar **ports, guint n_ports, GError **error)
{
	g_autofree gchar *sys_dir = umockdev_testbed_get_sys_dir(self->testbed);
	/* clang-format off */
	const guint8 hub_config[25] = {
	    9, 2, 25, 0, 1, 1, 0, 0xe0, 0,	/* configuration 1, self-powered */
	    9, 4, 0, 0, 1, 9, 0, 0, 0,		/* hub interface */
	    7, 5, 0x81, 3, 4, 0, 12,		/* interrupt IN */
	};
	/* clang-format on */
	g_autoptr(GByteArray) config = g_byte_array_new();

	g_byte_array_append(config, hub_config, sizeof(hub_config));
	for (guint depth = 0; depth < n_ports; depth++) {
		g_autofree gchar *dir = ub_umockdev_sim_sysfs_dir(self->bus, ports, depth);
		g_autofree gchar *descs =
		    g_build_filename(sys_dir, dir + strlen("/sys"), "descriptors", NULL);
		g_autoptr(GByteArray) dev_desc = NULL;
		guint devnum;
		if (g_file_test(descs, G_FILE_TEST_EXISTS))
			continue;
		if (depth == 0) {
			devnum = 1;
			dev_desc =
			    ub_umockdev_sim_device_descriptor(self, 9, 0x1d6b, 0x0002, FALSE);
		} else {
			devnum = (guint)g_atomic_int_add(&ub_umockdev_sim_devnum, 1) + 1;
			dev_desc =
			    ub_umockdev_sim_device_descriptor(self, 9, 0x05e3, 0x0610, FALSE);
		}
		if (!ub_umockdev_sim_add(self->testbed,
					 dir,
					 self->bus,
					 devnum,
					 dev_desc,
					 config,
					 "",
					 error))
			return FALSE;
	}
	return TRUE;
}

/**
 * ub_umockdev_sim_plug:
 * @self: a #UbUmockdevSim
 * @testbed: the test bed, which must exist before libusb is initialised
 * @error: (nullable): return location for a #GError
 *
 * Adds the device (and any hub on its path) to @testbed, which sends the "add"
 * uevent a libusb hotplug callback sees, and starts answering usbfs ioctls.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_umockdev_sim_plug(UbUmockdevSim *self, UMockdevTestbed *testbed, GError **error)
{
	g_auto(GStrv) parts = NULL;
	g_auto(GStrv) ports = NULL;
	g_autoptr(GByteArray) dev_desc = NULL;
	g_autoptr(GByteArray) config = NULL;
	g_autoptr(GString) extra = g_string_new(NULL);
	guint n_ports;

	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), FALSE);
	g_return_val_if_fail(self->testbed == NULL, FALSE);

	parts = g_strsplit(self->path, "-", 2);
	if (g_strv_length(parts) != 2) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "bad path %s",
			    self->path);
		return FALSE;
	}
	self->bus = (guint)g_ascii_strtoull(parts[0], NULL, 10);
	ports = g_strsplit(parts[1], ".", -1);
	n_ports = g_strv_length(ports);
	self->testbed = g_object_ref(testbed);
	if (!ub_umockdev_sim_add_hubs(self, ports, n_ports, error))
		return FALSE;

	self->devnum = (guint)g_atomic_int_add(&ub_umockdev_sim_devnum, 1) + 1;
	self->sysfs_path = ub_umockdev_sim_sysfs_dir(self->bus, ports, n_ports);
	self->devnode = g_strdup_printf("/dev/bus/usb/%03u/%03u", self->bus, self->devnum);
	dev_desc = ub_umockdev_sim_device_descriptor(self, 0, self->vid, self->pid, TRUE);
	config = ub_umockdev_sim_get_config(self);
	if (self->manufacturer != NULL)
		g_string_append_printf(extra, "A: manufacturer=%s\n", self->manufacturer);
	if (self->product != NULL)
		g_string_append_printf(extra, "A: product=%s\n", self->product);
	if (self->serial != NULL)
		g_string_append_printf(extra, "A: serial=%s\n", self->serial);
	/* the handler first: the "add" uevent lets a waiting host open the node at once */
	self->handler = umockdev_ioctl_base_new();
	g_signal_connect(self->handler,
			 "handle-ioctl",
			 G_CALLBACK(ub_umockdev_sim_handle_ioctl_cb),
			 self);
	g_signal_connect(self->handler,
			 "handle-read",
			 G_CALLBACK(ub_umockdev_sim_handle_read_cb),
			 self);
	g_signal_connect(self->handler,
			 "handle-write",
			 G_CALLBACK(ub_umockdev_sim_handle_write_cb),
			 self);
	if (!umockdev_testbed_attach_ioctl(testbed, self->devnode, self->handler, error))
		return FALSE;
	return ub_umockdev_sim_add(testbed,
				   self->sysfs_path,
				   self->bus,
				   self->devnum,
				   dev_desc,
				   config,
				   extra->str,
				   error);
}

/**
 * ub_umockdev_sim_push_in:
 * @self: a #UbUmockdevSim
 * @buf: (nullable): data
 * @bufsz: its size; 0 sends a zero-length packet
 *
 * Queues one device-to-host transfer on the bulk IN endpoint. Thread-safe.
 */
void
ub_umockdev_sim_push_in(UbUmockdevSim *self, const guint8 *buf, gsize bufsz)
{
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));
	g_mutex_lock(&self->mutex);
	g_queue_push_tail(&self->in_data, g_bytes_new(buf, bufsz));
	ub_umockdev_sim_pump_locked(self);
	g_mutex_unlock(&self->mutex);
	ub_umockdev_sim_complete_bulks(self);
}

/**
 * ub_umockdev_sim_unplug:
 * @self: a #UbUmockdevSim
 *
 * Surprise removal: waiting IN URBs fail with -ESHUTDOWN, later ioctls with
 * ENODEV (libusb reports LIBUSB_ERROR_NO_DEVICE), then the "remove" uevent is
 * sent and the device leaves sysfs.
 */
void
ub_umockdev_sim_unplug(UbUmockdevSim *self)
{
	UbUmockdevSimUrb *u;
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));

	g_mutex_lock(&self->mutex);
	if (self->unplugged || self->testbed == NULL) {
		g_mutex_unlock(&self->mutex);
		return;
	}
	self->unplugged = TRUE;
	while ((u = g_queue_pop_head(&self->pending_in)) != NULL ||
	       (u = g_queue_pop_head(&self->held_out)) != NULL) {
		struct usbdevfs_urb *urb;
		if (u->bulk) {
			u->result = -1;
			u->result_errno = ENODEV;
			g_queue_push_tail(&self->bulk_done, u);
			continue;
		}
		urb = ub_umockdev_sim_urb_get(u);
		urb->status = -ESHUTDOWN;
		urb->actual_length = 0;
		g_queue_push_tail(&self->done, u);
	}
	g_mutex_unlock(&self->mutex);
	ub_umockdev_sim_complete_bulks(self);
	umockdev_testbed_uevent(self->testbed, self->sysfs_path, "remove");
	umockdev_testbed_remove_device(self->testbed, self->sysfs_path);
}

/**
 * ub_umockdev_sim_get_pending_in:
 * @self: a #UbUmockdevSim
 *
 * Returns: how many IN URBs wait for device data, e.g. to know that the host
 *   is blocked in a read
 */
guint
ub_umockdev_sim_get_pending_in(UbUmockdevSim *self)
{
	guint n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), 0);
	g_mutex_lock(&self->mutex);
	n = g_queue_get_length(&self->pending_in);
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_umockdev_sim_get_queued_in:
 * @self: a #UbUmockdevSim
 *
 * Returns: how many device-to-host transfers wait for the host to read them
 */
guint
ub_umockdev_sim_get_queued_in(UbUmockdevSim *self)
{
	guint n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), 0);
	g_mutex_lock(&self->mutex);
	n = self->unplugged ? 0 : g_queue_get_length(&self->in_data);
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_umockdev_sim_get_sysfs_path:
 * @self: a #UbUmockdevSim
 *
 * Returns: e.g. "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4.2", once plugged
 */
const gchar *
ub_umockdev_sim_get_sysfs_path(UbUmockdevSim *self)
{
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), NULL);
	return self->sysfs_path;
}

/**
 * ub_umockdev_sim_get_devnode:
 * @self: a #UbUmockdevSim
 *
 * Returns: e.g. "/dev/bus/usb/001/005", once plugged
 */
const gchar *
ub_umockdev_sim_get_devnode(UbUmockdevSim *self)
{
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), NULL);
	return self->devnode;
}

/**
 * ub_umockdev_sim_set_strings:
 * @self: a #UbUmockdevSim
 * @manufacturer: (nullable): iManufacturer
 * @product: (nullable): iProduct
 * @serial: (nullable): iSerialNumber; %NULL for none
 *
 * Sets the string descriptors (also exported as sysfs attributes). Call before plugging.
 */
void
ub_umockdev_sim_set_strings(UbUmockdevSim *self,
			    const gchar *manufacturer,
			    const gchar *product,
			    const gchar *serial)
{
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));
	g_free(self->manufacturer);
	g_free(self->product);
	g_free(self->serial);
	self->manufacturer = g_strdup(manufacturer);
	self->product = g_strdup(product);
	self->serial = g_strdup(serial);
}

/**
 * ub_umockdev_sim_set_endpoints:
 * @self: a #UbUmockdevSim
 * @ep_in: bulk IN address of the default descriptor, e.g. 0x81
 * @ep_out: bulk OUT address, e.g. 0x01
 */
void
ub_umockdev_sim_set_endpoints(UbUmockdevSim *self, guint8 ep_in, guint8 ep_out)
{
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));
	self->ep_in = ep_in;
	self->ep_out = ep_out;
}

/**
 * ub_umockdev_sim_set_config_descriptor:
 * @self: a #UbUmockdevSim
 * @buf: a whole configuration descriptor (configuration, interfaces, endpoints)
 * @bufsz: its size
 *
 * Replaces the default vendor interface. Call before plugging.
 */
void
ub_umockdev_sim_set_config_descriptor(UbUmockdevSim *self, const guint8 *buf, gsize bufsz)
{
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));
	if (self->config != NULL)
		g_byte_array_unref(self->config);
	self->config = g_byte_array_new();
	g_byte_array_append(self->config, buf, (guint)bufsz);
}

/**
 * ub_umockdev_sim_set_record_out:
 * @self: a #UbUmockdevSim
 * @record: whether to record the length of every OUT transfer
 *
 * For tests of the wire rules (zero-length packets, message sizes): from now
 * on every OUT transfer's length and first bytes are kept, a ZLP as length 0.
 */
void
ub_umockdev_sim_set_record_out(UbUmockdevSim *self, gboolean record)
{
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));
	g_mutex_lock(&self->mutex);
	if (record && self->out_lengths == NULL)
		self->out_lengths = g_array_new(FALSE, FALSE, sizeof(UbUmockdevSimOutRecord));
	else if (!record)
		g_clear_pointer(&self->out_lengths, g_array_unref);
	g_mutex_unlock(&self->mutex);
}

/**
 * ub_umockdev_sim_steal_out_lengths:
 * @self: a #UbUmockdevSim
 *
 * Returns: (transfer full): the OUT transfers recorded since the last call
 *   (#UbUmockdevSimOutRecord each, length 0 for a ZLP), recording goes on;
 *   %NULL when not recording
 */
GArray *
ub_umockdev_sim_steal_out_lengths(UbUmockdevSim *self)
{
	GArray *lengths;
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), NULL);
	g_mutex_lock(&self->mutex);
	lengths = self->out_lengths;
	if (lengths != NULL)
		self->out_lengths = g_array_new(FALSE, FALSE, sizeof(UbUmockdevSimOutRecord));
	g_mutex_unlock(&self->mutex);
	return lengths;
}

/**
 * ub_umockdev_sim_set_out_func:
 * @self: a #UbUmockdevSim
 * @func: (nullable): the device side of OUT transfers
 * @user_data: for @func
 *
 * Without a function, OUT data is consumed and dropped. Call before plugging.
 */
void
ub_umockdev_sim_set_out_func(UbUmockdevSim *self, UbUmockdevSimOutFunc func, gpointer user_data)
{
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));
	self->out_func = func;
	self->out_func_data = user_data;
}

/**
 * ub_umockdev_sim_set_hold_out:
 * @self: a #UbUmockdevSim
 * @hold_out: %TRUE to keep OUT URBs in flight until ub_umockdev_sim_complete_out()
 *
 * Models a slow device, to see how many transfers the host keeps in flight,
 * or to make a write time out.
 */
void
ub_umockdev_sim_set_hold_out(UbUmockdevSim *self, gboolean hold_out)
{
	g_return_if_fail(UB_IS_UMOCKDEV_SIM(self));
	g_mutex_lock(&self->mutex);
	self->hold_out = hold_out;
	g_mutex_unlock(&self->mutex);
}

/**
 * ub_umockdev_sim_complete_out:
 * @self: a #UbUmockdevSim
 *
 * Accepts the oldest held OUT URB. Thread-safe.
 *
 * Returns: %FALSE if none was held
 */
gboolean
ub_umockdev_sim_complete_out(UbUmockdevSim *self)
{
	UbUmockdevSimUrb *u;
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), FALSE);
	g_mutex_lock(&self->mutex);
	u = g_queue_pop_head(&self->held_out);
	g_mutex_unlock(&self->mutex);
	if (u == NULL)
		return FALSE;
	ub_umockdev_sim_accept_out(self, u);
	return TRUE;
}

/**
 * ub_umockdev_sim_get_out_in_flight:
 * @self: a #UbUmockdevSim
 *
 * Returns: how many OUT URBs are held right now
 */
guint
ub_umockdev_sim_get_out_in_flight(UbUmockdevSim *self)
{
	guint n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), 0);
	g_mutex_lock(&self->mutex);
	n = g_queue_get_length(&self->held_out);
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_umockdev_sim_get_max_out_in_flight:
 * @self: a #UbUmockdevSim
 *
 * Returns: the most OUT URBs held at once while holding was on
 */
guint
ub_umockdev_sim_get_max_out_in_flight(UbUmockdevSim *self)
{
	guint n;
	g_return_val_if_fail(UB_IS_UMOCKDEV_SIM(self), 0);
	g_mutex_lock(&self->mutex);
	n = self->max_out_in_flight;
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_umockdev_sim_in_mock_environment:
 * @testbed: a test bed that was just created
 *
 * Returns: %TRUE when the umockdev preload is active; a test exits 77 otherwise
 */
gboolean
ub_umockdev_sim_in_mock_environment(UMockdevTestbed *testbed)
{
	/* stat("/sys") goes through the preload only once a test bed exists */
	return testbed != NULL && umockdev_in_mock_environment();
}

static void
ub_umockdev_sim_finalize(GObject *object)
{
	UbUmockdevSim *self = UB_UMOCKDEV_SIM(object);
	if (self->handler != NULL) {
		umockdev_testbed_detach_ioctl(self->testbed, self->devnode, NULL);
		g_object_unref(self->handler);
	}
	g_queue_clear_full(&self->pending_in, (GDestroyNotify)ub_umockdev_sim_urb_free);
	g_queue_clear_full(&self->done, (GDestroyNotify)ub_umockdev_sim_urb_free);
	g_queue_clear_full(&self->held_out, (GDestroyNotify)ub_umockdev_sim_urb_free);
	g_queue_clear_full(&self->in_data, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&self->bulk_done, (GDestroyNotify)ub_umockdev_sim_urb_free);
	if (self->bulk_out_acc != NULL)
		g_byte_array_unref(self->bulk_out_acc);
	g_mutex_clear(&self->mutex);
	if (self->out_lengths != NULL)
		g_array_unref(self->out_lengths);
	if (self->config != NULL)
		g_byte_array_unref(self->config);
	g_clear_object(&self->testbed);
	g_free(self->path);
	g_free(self->manufacturer);
	g_free(self->product);
	g_free(self->serial);
	g_free(self->sysfs_path);
	g_free(self->devnode);
	G_OBJECT_CLASS(ub_umockdev_sim_parent_class)->finalize(object);
}

static void
ub_umockdev_sim_class_init(UbUmockdevSimClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_umockdev_sim_finalize;
}

static void
ub_umockdev_sim_init(UbUmockdevSim *self)
{
	g_mutex_init(&self->mutex);
	self->ep_in = 0x81;
	self->ep_out = 0x01;
}

/**
 * ub_umockdev_sim_new:
 * @path: the sysfs-style port path, e.g. "1-4.2" (bus 1, hub on port 4, port 2)
 * @vid: idVendor
 * @pid: idProduct
 *
 * A device with one vendor interface, bulk IN 0x81 and OUT 0x01 of 512 bytes,
 * until changed with the setters; nothing happens until ub_umockdev_sim_plug().
 *
 * Returns: (transfer full): a #UbUmockdevSim
 */
UbUmockdevSim *
ub_umockdev_sim_new(const gchar *path, guint16 vid, guint16 pid)
{
	UbUmockdevSim *self = g_object_new(UB_TYPE_UMOCKDEV_SIM, NULL);
	self->path = g_strdup(path);
	self->vid = vid;
	self->pid = pid;
	return self;
}
