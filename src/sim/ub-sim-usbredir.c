/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <usbredirparser.h>

#include "ub-sim-edl.h"
#include "ub-sim-fastboot.h"
#include "ub-sim-mtk.h"
#include "ub-sim-usbredir.h"

/*
 * How it works: QEMU's usb-redir device connects to us and we play the
 * "usb-host" side of the usbredir protocol, so the guest's xHCI sees a real
 * USB device with the phone's descriptors. All parser calls happen on one I/O
 * thread; the personality runs on the caller's thread and uses this object as
 * its device-end UbTransport:
 *
 *  - every OUT bulk packet (one guest URB) is one transfer for read(); a guest
 *    ZLP arrives as a packet of its own and reads as 0 bytes. Packets of exactly
 *    wMaxPacketSize are pieces of a transfer a client writes one packet at a
 *    time (Debian's qdl: one USBDEVFS_BULK per packet, then a ZLP): they are
 *    joined until a short packet or a ZLP ends the transfer, as the device
 *    sees them on the wire, and that ZLP is not delivered on its own (as in
 *    tests/ub-umockdev-sim.c). A larger packet ends the pieces before it;
 *  - write() queues one IN transfer (and a ZLP after whole packets when asked);
 *    the I/O thread hands it out to the guest's IN requests. A transfer of whole
 *    packets followed by its ZLP ends a larger request, as on the wire; a
 *    transfer that ends a request short completes it, like a short packet.
 *
 * When a session ends the phone leaves the bus (device_disconnect). It comes
 * back, with the descriptors of the mode its personality is in now, only where
 * a real phone would: 0e8d:2001 after the MediaTek speed switch, the bootloader
 * or fastbootd after a fastboot reboot into them. A phone that boots on (EDL
 * reset, MediaTek DA shutdown, a preloader nobody caught, fastboot reboot into
 * the system) or whose cable was pulled stays away until the cable is plugged
 * in again (ub_sim_usbredir_plug_cable()) or QEMU reconnects. Plugging the
 * cable in powers the phone on afresh: a MediaTek phone starts in its initial
 * mode (ub_sim_mtk_power_cycle()); other personalities start their next
 * session in the mode they are in. With ub_sim_usbredir_set_plug_on_request()
 * the phone starts with the cable out.
 *
 * For timing the catch of a short-lived mode (a preloader's 3 s window), each
 * plug logs the time it was sent to QEMU and the first data from the host
 * after it: "first data from the host N ms after the plug".
 */

/* the device side buffers this much before write() waits for the host */
#define UB_SIM_USBREDIR_IN_HIGH_WATER (8 * 1024 * 1024)
/* host-to-device data waiting for the phone: past this the socket is not read
 * until the phone caught up (constant memory, whatever the image size) */
#define UB_SIM_USBREDIR_OUT_HIGH_WATER (16 * 1024 * 1024)
/* how long a session's last answers may take to reach the host before unplug */
#define UB_SIM_USBREDIR_DRAIN_MS 1000
/* a phone that reboots is away this long */
#define UB_SIM_USBREDIR_REPLUG_MS 300
/* pending IN requests from the guest; more than enough for usbfs/xHCI */
#define UB_SIM_USBREDIR_MAX_PENDING 256

typedef struct {
	guint16 vid;
	guint16 pid;
	guint16 mps;
	gboolean full_speed;
	gboolean cdc; /* MediaTek CDC ACM: comm interface 0, data interface 1 */
	guint8 cls;   /* the vendor interface otherwise */
	guint8 subcls;
	guint8 proto;
	const gchar *manufacturer;
	const gchar *product;
	const gchar *serial;
} UbSimUsbredirIds;

typedef struct {
	guint64 id;
	guint32 len;
	guint8 ep;
} UbSimUsbredirRequest;

struct _UbSimUsbredir {
	GObject parent_instance;
	UbSimPhone *phone;
	gint fd;
	gint wake_fd;
	struct usbredirparser *parser; /* I/O thread only */
	GArray *pending;	       /* of UbSimUsbredirRequest; I/O thread only */
	GByteArray *out_pieces;	       /* whole packets of a transfer not ended yet; I/O thread */
	GByteArray *config;	       /* descriptors of the current plug; under the mutex */
	UbSimUsbredirIds ids;
	guint configuration;
	gchar *name;
	guint16 vendor_vid; /* ub_sim_usbredir_set_vendor_ids(); 0: not set */
	guint16 vendor_pid;
	gchar *vendor_product;

	GMutex mutex;
	GCond cond;
	gboolean hello;
	gboolean closed;       /* the connection to QEMU ended */
	gboolean stop;	       /* the I/O thread must end */
	gboolean plugged;      /* the guest sees the device */
	gboolean want_plug;    /* requests to the I/O thread */
	gboolean want_unplug;
	gboolean ack_pending;  /* device_disconnect sent, not acknowledged yet */
	gboolean cable_pulled; /* gone until the cable is plugged in again */
	gboolean plug_on_request; /* start with the cable out */
	gboolean plug_requested;  /* the cable was plugged in while the phone was away */
	gint64 plug_time;	  /* monotonic time of the last device_connect */
	gboolean out_seen;	  /* data from the host since the last plug; I/O thread */
	guint n_plugs;
	GQueue out;	  /* of GBytes, host to device; empty ones are ZLPs */
	gsize out_offset; /* into the head of @out */
	gsize out_queued; /* bytes in @out not read yet */
	GQueue in;	  /* of GBytes, device to host */
	gsize in_offset;
	gsize in_queued;
};

static void
ub_sim_usbredir_iface_init(UbTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbSimUsbredir,
			ub_sim_usbredir,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_TRANSPORT, ub_sim_usbredir_iface_init))

/* ---------------------------------------------------------------- descriptors */

/* the ids of the phone in the mode its personality is in now */
static void
ub_sim_usbredir_ids_for_phone(UbSimUsbredir *self, UbSimUsbredirIds *ids)
{
	UbSimPersonality *personality = ub_sim_phone_get_personality(self->phone);

	memset(ids, 0, sizeof(*ids));
	ids->mps = 512;
	if (UB_IS_SIM_MTK(personality)) {
		const gchar *mode = ub_sim_mtk_get_session_mode(UB_SIM_MTK(personality));
		ids->vid = 0x0e8d;
		ids->cdc = TRUE;
		ids->manufacturer = "MediaTek";
		if (g_strcmp0(mode, "da") == 0) {
			ids->pid = 0x2001;
			ids->product = "MT65xx DA";
		} else if (g_strcmp0(mode, "preloader") == 0) {
			ids->pid = 0x2000;
			ids->product = "MT65xx Preloader";
		} else {
			/* the BootROM is USB full speed */
			ids->pid = 0x0003;
			ids->product = "MT65xx Preloader";
			ids->full_speed = TRUE;
			ids->mps = 64;
		}
	} else if (UB_IS_SIM_EDL(personality)) {
		ids->vid = 0x05c6;
		ids->pid = 0x9008;
		ids->cls = 0xff;
		ids->subcls = 0xff;
		ids->proto = 0xff;
		ids->manufacturer = "Qualcomm CDMA Technologies MSM";
		ids->product = "QUSB__BULK";
	} else if (self->vendor_vid != 0) {
		/* a personality of the tests: a vendor-specific interface */
		ids->vid = self->vendor_vid;
		ids->pid = self->vendor_pid;
		ids->cls = 0xff;
		ids->subcls = 0xff;
		ids->proto = 0xff;
		ids->manufacturer = "Unbrick";
		ids->product = self->vendor_product;
	} else {
		/* fastboot, bootloader and fastbootd alike */
		ids->vid = 0x18d1;
		ids->pid = 0x4ee0;
		ids->cls = 0xff;
		ids->subcls = 0x42;
		ids->proto = 0x03;
		ids->manufacturer = "Google";
		ids->product = "Android";
		ids->serial = "UBSIM0001";
	}
}

static GByteArray *
ub_sim_usbredir_build_config(const UbSimUsbredirIds *ids)
{
	GByteArray *buf = g_byte_array_new();
	guint8 lo = ids->mps & 0xff;
	guint8 hi = ids->mps >> 8;
	if (ids->cdc) {
		/* the interrupt endpoint polls every 16 frames (FS) or 2^(5-1) microframes (HS) */
		guint8 interval = ids->full_speed ? 0x10 : 0x05;
		/* clang-format off */
		const guint8 desc[67] = {
		    9, 2, 67, 0, 2, 1, 0, 0x80, 0xfa,	/* configuration 1, 2 interfaces */
		    9, 4, 0, 0, 1, 0x02, 0x02, 0x01, 0,	/* interface 0: CDC comm, ACM, AT */
		    5, 0x24, 0x00, 0x10, 0x01,		/* CDC header 1.10 */
		    5, 0x24, 0x01, 0x00, 0x01,		/* call management, data interface 1 */
		    4, 0x24, 0x02, 0x02,		/* ACM: line coding and serial state */
		    5, 0x24, 0x06, 0x00, 0x01,		/* union: 0 controls 1 */
		    7, 5, 0x83, 3, 0x10, 0x00, interval, /* interrupt IN, 16 bytes */
		    9, 4, 1, 0, 2, 0x0a, 0x00, 0x00, 0,	/* interface 1: CDC data */
		    7, 5, 0x81, 2, lo, hi, 0,		/* bulk IN */
		    7, 5, 0x01, 2, lo, hi, 0,		/* bulk OUT */
		};
		/* clang-format on */
		g_byte_array_append(buf, desc, sizeof(desc));
	} else {
		/* clang-format off */
		const guint8 desc[32] = {
		    9, 2, 32, 0, 1, 1, 0, 0x80, 0xfa,	/* configuration 1, 500 mA */
		    9, 4, 0, 0, 2, ids->cls, ids->subcls, ids->proto, 0,
		    7, 5, 0x81, 2, lo, hi, 0,		/* bulk IN */
		    7, 5, 0x01, 2, lo, hi, 0,		/* bulk OUT */
		};
		/* clang-format on */
		g_byte_array_append(buf, desc, sizeof(desc));
	}
	return buf;
}

static GByteArray *
ub_sim_usbredir_build_device(const UbSimUsbredirIds *ids)
{
	GByteArray *buf = g_byte_array_new();
	/* clang-format off */
	const guint8 desc[18] = {
	    18, 1, 0x00, 0x02, 0, 0, 0, 64,	/* USB 2.0, class per interface, ep0 64 */
	    ids->vid & 0xff, ids->vid >> 8, ids->pid & 0xff, ids->pid >> 8,
	    0x00, 0x01,				/* bcdDevice */
	    1, 2, ids->serial != NULL ? 3 : 0, 1};
	/* clang-format on */
	g_byte_array_append(buf, desc, sizeof(desc));
	return buf;
}

static GByteArray *
ub_sim_usbredir_build_string(const UbSimUsbredirIds *ids, guint idx)
{
	const gchar *str = NULL;
	GByteArray *buf = g_byte_array_new();
	guint8 hdr[2] = {0, 3};

	if (idx == 0) {
		const guint8 langids[4] = {4, 3, 0x09, 0x04};
		g_byte_array_append(buf, langids, sizeof(langids));
		return buf;
	}
	if (idx == 1)
		str = ids->manufacturer;
	else if (idx == 2)
		str = ids->product;
	else if (idx == 3)
		str = ids->serial;
	if (str == NULL) {
		g_byte_array_unref(buf);
		return NULL;
	}
	hdr[0] = (guint8)(2 + 2 * strlen(str));
	g_byte_array_append(buf, hdr, sizeof(hdr));
	for (const gchar *p = str; *p != '\0'; p++) {
		guint8 ch[2] = {(guint8)*p, 0};
		g_byte_array_append(buf, ch, sizeof(ch));
	}
	return buf;
}

/* ---------------------------------------------------------------- I/O thread */

static void
ub_sim_usbredir_wake(UbSimUsbredir *self)
{
	guint64 one = 1;
	if (write(self->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		g_debug("eventfd: %s", g_strerror(errno));
}

static void
ub_sim_usbredir_log_cb(void *priv, int level, const char *msg)
{
	if (level <= usbredirparser_warning)
		g_warning("usbredir: %s", msg);
	else
		g_debug("usbredir: %s", msg);
}

static int
ub_sim_usbredir_read_cb(void *priv, uint8_t *data, int count)
{
	UbSimUsbredir *self = priv;
	gssize r = read(self->fd, data, (gsize)count);
	if (r == 0) {
		g_mutex_lock(&self->mutex);
		self->closed = TRUE;
		g_cond_broadcast(&self->cond);
		g_mutex_unlock(&self->mutex);
		return -1;
	}
	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	return (int)r;
}

static int
ub_sim_usbredir_write_cb(void *priv, uint8_t *data, int count)
{
	UbSimUsbredir *self = priv;
	gssize r = write(self->fd, data, (gsize)count);
	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	return (int)r;
}

/* sends interface_info, ep_info and device_connect; I/O thread */
static void
ub_sim_usbredir_do_plug(UbSimUsbredir *self)
{
	struct usb_redir_interface_info_header ii = {0};
	struct usb_redir_ep_info_header ei;
	struct usb_redir_device_connect_header dc = {0};
	UbSimUsbredirIds ids;
	guint8 data_if;

	ub_sim_usbredir_ids_for_phone(self, &ids);
	data_if = ids.cdc ? 1 : 0;
	if (ids.cdc) {
		ii.interface_count = 2;
		ii.interface[0] = 0;
		ii.interface_class[0] = 0x02;
		ii.interface_subclass[0] = 0x02;
		ii.interface_protocol[0] = 0x01;
		ii.interface[1] = 1;
		ii.interface_class[1] = 0x0a;
	} else {
		ii.interface_count = 1;
		ii.interface_class[0] = ids.cls;
		ii.interface_subclass[0] = ids.subcls;
		ii.interface_protocol[0] = ids.proto;
	}
	usbredirparser_send_interface_info(self->parser, &ii);

	/* index: (ep & 0x80) >> 3 | (ep & 0x0f) */
	memset(&ei, 0, sizeof(ei));
	for (guint i = 0; i < 32; i++)
		ei.type[i] = usb_redir_type_invalid;
	ei.type[0] = ei.type[16] = usb_redir_type_control;
	ei.max_packet_size[0] = ei.max_packet_size[16] = 64;
	ei.type[1] = usb_redir_type_bulk; /* 0x01 OUT */
	ei.max_packet_size[1] = ids.mps;
	ei.interface[1] = data_if;
	ei.type[17] = usb_redir_type_bulk; /* 0x81 IN */
	ei.max_packet_size[17] = ids.mps;
	ei.interface[17] = data_if;
	if (ids.cdc) {
		ei.type[19] = usb_redir_type_interrupt; /* 0x83 IN */
		ei.max_packet_size[19] = 16;
		ei.interval[19] = ids.full_speed ? 0x10 : 0x05;
		ei.interface[19] = 0;
	}
	usbredirparser_send_ep_info(self->parser, &ei);

	dc.speed = ids.full_speed ? usb_redir_speed_full : usb_redir_speed_high;
	dc.vendor_id = ids.vid;
	dc.product_id = ids.pid;
	dc.device_version_bcd = 0x0100;
	usbredirparser_send_device_connect(self->parser, &dc);

	g_mutex_lock(&self->mutex);
	g_clear_pointer(&self->config, g_byte_array_unref);
	self->config = ub_sim_usbredir_build_config(&ids);
	self->ids = ids;
	self->configuration = 0;
	g_clear_pointer(&self->out_pieces, g_byte_array_unref);
	self->plugged = TRUE;
	self->plug_requested = FALSE; /* answered by this plug */
	self->plug_time = g_get_monotonic_time();
	self->out_seen = FALSE;
	self->n_plugs++;
	g_free(self->name);
	self->name = g_strdup_printf("usbredir:%04x:%04x", ids.vid, ids.pid);
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	g_message("usbredir: plugged in as %04x:%04x (%s speed)",
		  ids.vid,
		  ids.pid,
		  ids.full_speed ? "full" : "high");
}

/* I/O thread */
static void
ub_sim_usbredir_do_unplug(UbSimUsbredir *self)
{
	usbredirparser_send_device_disconnect(self->parser);
	g_array_set_size(self->pending, 0);
	g_mutex_lock(&self->mutex);
	self->plugged = FALSE;
	self->ack_pending =
	    usbredirparser_peer_has_cap(self->parser, usb_redir_cap_device_disconnect_ack) != 0;
	/* data of the old plug is lost, as with a real unplug */
	g_queue_clear_full(&self->in, (GDestroyNotify)g_bytes_unref);
	self->in_offset = 0;
	self->in_queued = 0;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	g_message("usbredir: unplugged");
}

/* hands queued IN data to the guest's waiting requests; I/O thread */
static void
ub_sim_usbredir_pump(UbSimUsbredir *self)
{
	while (self->pending->len > 0) {
		UbSimUsbredirRequest r = g_array_index(self->pending, UbSimUsbredirRequest, 0);
		struct usb_redir_bulk_packet_header h = {0};
		g_autoptr(GByteArray) chunk = g_byte_array_new();
		GBytes *head;
		gsize headsz = 0;
		const guint8 *data;
		gsize n;

		g_mutex_lock(&self->mutex);
		head = g_queue_peek_head(&self->in);
		if (head == NULL) {
			g_mutex_unlock(&self->mutex);
			return;
		}
		data = g_bytes_get_data(head, &headsz);
		n = MIN((gsize)r.len, headsz - self->in_offset);
		g_byte_array_append(chunk, data + self->in_offset, (guint)n);
		self->in_offset += n;
		self->in_queued -= n;
		if (self->in_offset == headsz) {
			g_bytes_unref(g_queue_pop_head(&self->in));
			self->in_offset = 0;
			/* a ZLP after whole packets ends this same request when it had room */
			if (n > 0 && n < r.len && n % self->ids.mps == 0) {
				GBytes *next = g_queue_peek_head(&self->in);
				if (next != NULL && g_bytes_get_size(next) == 0)
					g_bytes_unref(g_queue_pop_head(&self->in));
			}
		}
		g_cond_broadcast(&self->cond);
		g_mutex_unlock(&self->mutex);

		g_array_remove_index(self->pending, 0);
		h.endpoint = r.ep;
		h.status = usb_redir_success;
		h.length = n & 0xffff;
		h.length_high = (guint16)(n >> 16);
		usbredirparser_send_bulk_packet(self->parser, r.id, &h, chunk->data, (int)n);
	}
}

static void
ub_sim_usbredir_hello_cb(void *priv, struct usb_redir_hello_header *hello)
{
	UbSimUsbredir *self = priv;
	g_message("usbredir: hello from \"%s\"", hello->version);
	g_mutex_lock(&self->mutex);
	self->hello = TRUE;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
}

static void
ub_sim_usbredir_disconnect_ack_cb(void *priv)
{
	UbSimUsbredir *self = priv;
	g_mutex_lock(&self->mutex);
	self->ack_pending = FALSE;
	g_mutex_unlock(&self->mutex);
}

static void
ub_sim_usbredir_reset_cb(void *priv)
{
	UbSimUsbredir *self = priv;
	self->configuration = 0;
}

static void
ub_sim_usbredir_set_config_cb(void *priv,
			      uint64_t id,
			      struct usb_redir_set_configuration_header *h)
{
	UbSimUsbredir *self = priv;
	struct usb_redir_configuration_status_header s = {0};
	self->configuration = h->configuration;
	s.status = h->configuration <= 1 ? usb_redir_success : usb_redir_inval;
	s.configuration = (uint8_t)self->configuration;
	usbredirparser_send_configuration_status(self->parser, id, &s);
}

static void
ub_sim_usbredir_get_config_cb(void *priv, uint64_t id)
{
	UbSimUsbredir *self = priv;
	struct usb_redir_configuration_status_header s = {0};
	s.status = usb_redir_success;
	s.configuration = (uint8_t)self->configuration;
	usbredirparser_send_configuration_status(self->parser, id, &s);
}

static void
ub_sim_usbredir_set_alt_cb(void *priv, uint64_t id, struct usb_redir_set_alt_setting_header *h)
{
	UbSimUsbredir *self = priv;
	struct usb_redir_alt_setting_status_header s = {0};
	s.status = h->alt == 0 ? usb_redir_success : usb_redir_inval;
	s.interface = h->interface;
	s.alt = 0;
	usbredirparser_send_alt_setting_status(self->parser, id, &s);
}

static void
ub_sim_usbredir_get_alt_cb(void *priv, uint64_t id, struct usb_redir_get_alt_setting_header *h)
{
	UbSimUsbredir *self = priv;
	struct usb_redir_alt_setting_status_header s = {0};
	s.status = usb_redir_success;
	s.interface = h->interface;
	s.alt = 0;
	usbredirparser_send_alt_setting_status(self->parser, id, &s);
}

/* cdc_acm polls the interrupt endpoint while the tty is open: it never fires */
static void
ub_sim_usbredir_start_intr_cb(void *priv,
			      uint64_t id,
			      struct usb_redir_start_interrupt_receiving_header *h)
{
	UbSimUsbredir *self = priv;
	struct usb_redir_interrupt_receiving_status_header s = {0};
	s.status = usb_redir_success;
	s.endpoint = h->endpoint;
	usbredirparser_send_interrupt_receiving_status(self->parser, id, &s);
}

static void
ub_sim_usbredir_stop_intr_cb(void *priv,
			     uint64_t id,
			     struct usb_redir_stop_interrupt_receiving_header *h)
{
	UbSimUsbredir *self = priv;
	struct usb_redir_interrupt_receiving_status_header s = {0};
	s.status = usb_redir_success;
	s.endpoint = h->endpoint;
	usbredirparser_send_interrupt_receiving_status(self->parser, id, &s);
}

/* the guest gave up on an IN request (a libusb timeout, a cancel) */
static void
ub_sim_usbredir_cancel_cb(void *priv, uint64_t id)
{
	UbSimUsbredir *self = priv;
	for (guint i = 0; i < self->pending->len; i++) {
		UbSimUsbredirRequest *r = &g_array_index(self->pending, UbSimUsbredirRequest, i);
		struct usb_redir_bulk_packet_header h = {0};
		if (r->id != id)
			continue;
		h.endpoint = r->ep;
		h.status = usb_redir_cancelled;
		g_array_remove_index(self->pending, i);
		usbredirparser_send_bulk_packet(self->parser, id, &h, NULL, 0);
		return;
	}
}

/* the standard requests QEMU passes through, and CDC's class requests */
static void
ub_sim_usbredir_control_cb(void *priv,
			   uint64_t id,
			   struct usb_redir_control_packet_header *h,
			   uint8_t *data,
			   int data_len)
{
	UbSimUsbredir *self = priv;
	g_autoptr(GByteArray) reply = NULL;
	gboolean in = (h->requesttype & 0x80) != 0;
	gboolean ok = TRUE;

	if (h->requesttype == 0x80 && h->request == 6) {
		guint type = h->value >> 8;
		guint idx = h->value & 0xff;
		if (type == 1) {
			reply = ub_sim_usbredir_build_device(&self->ids);
		} else if (type == 2) {
			g_mutex_lock(&self->mutex);
			reply = self->config != NULL ? g_byte_array_ref(self->config) : NULL;
			g_mutex_unlock(&self->mutex);
		} else if (type == 3) {
			reply = ub_sim_usbredir_build_string(&self->ids, idx);
		}
		/* device qualifier and others: stall, a high-speed-only device */
		ok = reply != NULL;
	} else if (h->requesttype == 0x80 && h->request == 0) {
		const guint8 status[2] = {0, 0};
		reply = g_byte_array_new();
		g_byte_array_append(reply, status, sizeof(status));
	} else if (h->requesttype == 0xa1 && h->request == 0x21) {
		/* CDC GET_LINE_CODING: 115200 8N1 */
		const guint8 coding[7] = {0x00, 0xc2, 0x01, 0x00, 0, 0, 8};
		reply = g_byte_array_new();
		g_byte_array_append(reply, coding, sizeof(coding));
	} else if (in) {
		ok = FALSE;
	}
	/* other OUT requests (SET_LINE_CODING, SET_CONTROL_LINE_STATE, ...) are accepted */

	if (data != NULL)
		usbredirparser_free_packet_data(self->parser, data);
	h->status = ok ? usb_redir_success : usb_redir_stall;
	if (in && ok) {
		guint n = MIN(reply->len, (guint)h->length);
		h->length = (uint16_t)n;
		usbredirparser_send_control_packet(self->parser, id, h, reply->data, (int)n);
		return;
	}
	if (in)
		h->length = 0;
	else if (!ok)
		h->length = 0;
	else
		h->length = (uint16_t)MAX(data_len, 0);
	usbredirparser_send_control_packet(self->parser, id, h, NULL, 0);
}

static void
ub_sim_usbredir_bulk_cb(void *priv,
			uint64_t id,
			struct usb_redir_bulk_packet_header *h,
			uint8_t *data,
			int data_len)
{
	UbSimUsbredir *self = priv;
	guint32 len = h->length | ((guint32)h->length_high << 16);
	gboolean plugged;

	g_mutex_lock(&self->mutex);
	plugged = self->plugged;
	g_mutex_unlock(&self->mutex);
	if (!plugged || (h->endpoint & 0x7f) != 0x01) {
		if (data != NULL)
			usbredirparser_free_packet_data(self->parser, data);
		h->status = plugged ? usb_redir_stall : usb_redir_ioerror;
		h->length = 0;
		h->length_high = 0;
		usbredirparser_send_bulk_packet(self->parser, id, h, NULL, 0);
		return;
	}
	if (h->endpoint & 0x80) {
		UbSimUsbredirRequest r = {.id = id, .len = len, .ep = h->endpoint};
		if (self->pending->len >= UB_SIM_USBREDIR_MAX_PENDING) {
			h->status = usb_redir_ioerror;
			h->length = 0;
			h->length_high = 0;
			usbredirparser_send_bulk_packet(self->parser, id, h, NULL, 0);
			return;
		}
		g_array_append_val(self->pending, r);
		ub_sim_usbredir_pump(self);
		return;
	}

	/* OUT: one guest URB is one transfer, an empty one a ZLP; pieces of exactly
	 * one packet wait for the short packet or ZLP that ends their transfer */
	len = data_len > 0 ? (guint32)data_len : 0;
	if (len > 0 && !self->out_seen) {
		self->out_seen = TRUE;
		g_message("usbredir: first data from the host %.1f ms after the plug (0x%02x, %u bytes)",
			  (gdouble)(g_get_monotonic_time() - self->plug_time) / 1000.0,
			  data[0],
			  len);
	}
	if (len == self->ids.mps) {
		if (self->out_pieces == NULL)
			self->out_pieces = g_byte_array_new();
		g_byte_array_append(self->out_pieces, data, len);
	} else {
		g_mutex_lock(&self->mutex);
		self->out_queued += len + (self->out_pieces != NULL ? self->out_pieces->len : 0);
		if (self->out_pieces != NULL && len < self->ids.mps) {
			g_byte_array_append(self->out_pieces, data, len);
			g_queue_push_tail(&self->out,
					  g_byte_array_free_to_bytes(g_steal_pointer(&self->out_pieces)));
		} else {
			if (self->out_pieces != NULL)
				g_queue_push_tail(
				    &self->out,
				    g_byte_array_free_to_bytes(g_steal_pointer(&self->out_pieces)));
			g_queue_push_tail(&self->out, g_bytes_new(data, len));
		}
		g_cond_broadcast(&self->cond);
		g_mutex_unlock(&self->mutex);
	}
	if (data != NULL)
		usbredirparser_free_packet_data(self->parser, data);
	h->status = usb_redir_success;
	usbredirparser_send_bulk_packet(self->parser, id, h, NULL, 0);
}

static gpointer
ub_sim_usbredir_io_thread_cb(gpointer user_data)
{
	UbSimUsbredir *self = user_data;

	for (;;) {
		struct pollfd fds[2] = {{0}};
		gboolean want_plug;
		gboolean want_unplug;

		fds[0].fd = self->fd;
		g_mutex_lock(&self->mutex);
		fds[0].events = self->out_queued <= UB_SIM_USBREDIR_OUT_HIGH_WATER ? POLLIN : 0;
		g_mutex_unlock(&self->mutex);
		if (usbredirparser_has_data_to_write(self->parser))
			fds[0].events |= POLLOUT;
		fds[1].fd = self->wake_fd;
		fds[1].events = POLLIN;
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			g_warning("usbredir: poll: %s", g_strerror(errno));
			break;
		}
		if (fds[1].revents & POLLIN) {
			guint64 cnt = 0;
			if (read(self->wake_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
				g_debug("eventfd: %s", g_strerror(errno));
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (usbredirparser_do_read(self->parser) != 0) {
				g_mutex_lock(&self->mutex);
				self->closed = TRUE;
				g_cond_broadcast(&self->cond);
				g_mutex_unlock(&self->mutex);
				break;
			}
		}

		/* requests from the serving thread */
		g_mutex_lock(&self->mutex);
		if (self->stop) {
			g_mutex_unlock(&self->mutex);
			break;
		}
		want_unplug = self->want_unplug && self->plugged;
		if (want_unplug)
			self->want_unplug = FALSE;
		want_plug = self->want_plug && !self->plugged && !self->ack_pending && self->hello;
		if (want_plug)
			self->want_plug = FALSE;
		g_mutex_unlock(&self->mutex);
		if (want_unplug)
			ub_sim_usbredir_do_unplug(self);
		if (want_plug)
			ub_sim_usbredir_do_plug(self);
		ub_sim_usbredir_pump(self);

		if (usbredirparser_has_data_to_write(self->parser) &&
		    usbredirparser_do_write(self->parser) < 0) {
			g_mutex_lock(&self->mutex);
			self->closed = TRUE;
			g_cond_broadcast(&self->cond);
			g_mutex_unlock(&self->mutex);
			break;
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------- transport */

static gint64
ub_sim_usbredir_deadline(guint timeout_ms)
{
	if (timeout_ms == 0)
		return G_MAXINT64;
	return g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
}

/* runs in the thread that cancels */
static void
ub_sim_usbredir_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	UbSimUsbredir *self = user_data;
	g_mutex_lock(&self->mutex);
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
}

/* waits on the condition with the mutex held; FALSE with @error when it must stop */
static gboolean
ub_sim_usbredir_wait_locked(UbSimUsbredir *self,
			    gint64 deadline,
			    GCancellable *cancellable,
			    GError **error)
{
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return FALSE;
	if (self->closed || !self->plugged) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_DEVICE_GONE,
			    "%s: unplugged",
			    self->name != NULL ? self->name : "usbredir");
		return FALSE;
	}
	if (deadline == G_MAXINT64) {
		g_cond_wait(&self->cond, &self->mutex);
		return TRUE;
	}
	if (!g_cond_wait_until(&self->cond, &self->mutex, deadline) &&
	    g_get_monotonic_time() >= deadline) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_TIMED_OUT, "timed out");
		return FALSE;
	}
	return TRUE;
}

static gssize
ub_sim_usbredir_read(UbTransport *transport,
		     guint8 *buf,
		     gsize bufsz,
		     guint timeout_ms,
		     GCancellable *cancellable,
		     GError **error)
{
	UbSimUsbredir *self = UB_SIM_USBREDIR(transport);
	gint64 deadline = ub_sim_usbredir_deadline(timeout_ms);
	gulong handler_id = 0;
	gssize ret = -1;

	if (cancellable != NULL)
		handler_id = g_cancellable_connect(cancellable,
						   G_CALLBACK(ub_sim_usbredir_cancelled_cb),
						   self,
						   NULL);
	g_mutex_lock(&self->mutex);
	for (;;) {
		GBytes *head = g_queue_peek_head(&self->out);
		if (head != NULL) {
			gsize headsz = 0;
			const guint8 *data = g_bytes_get_data(head, &headsz);
			gsize n = MIN(bufsz, headsz - self->out_offset);
			if (n > 0)
				memcpy(buf, data + self->out_offset, n);
			self->out_offset += n;
			/* the I/O thread stopped reading the socket: wake it once below */
			if (self->out_queued > UB_SIM_USBREDIR_OUT_HIGH_WATER &&
			    self->out_queued - n <= UB_SIM_USBREDIR_OUT_HIGH_WATER)
				ub_sim_usbredir_wake(self);
			self->out_queued -= n;
			if (self->out_offset == headsz) {
				g_bytes_unref(g_queue_pop_head(&self->out));
				self->out_offset = 0;
			}
			ret = (gssize)n;
			break;
		}
		if (!ub_sim_usbredir_wait_locked(self, deadline, cancellable, error))
			break;
	}
	g_mutex_unlock(&self->mutex);
	if (handler_id != 0)
		g_cancellable_disconnect(cancellable, handler_id);
	return ret;
}

static gboolean
ub_sim_usbredir_write(UbTransport *transport,
		      const guint8 *buf,
		      gsize bufsz,
		      UbTransportWriteFlags flags,
		      guint timeout_ms,
		      GCancellable *cancellable,
		      GError **error)
{
	UbSimUsbredir *self = UB_SIM_USBREDIR(transport);
	gulong handler_id = 0;
	gboolean ret = TRUE;

	if (cancellable != NULL)
		handler_id = g_cancellable_connect(cancellable,
						   G_CALLBACK(ub_sim_usbredir_cancelled_cb),
						   self,
						   NULL);
	g_mutex_lock(&self->mutex);
	/* a device whose buffer is full waits for the host; no progress times out */
	while (self->in_queued > UB_SIM_USBREDIR_IN_HIGH_WATER) {
		if (!ub_sim_usbredir_wait_locked(self,
						 ub_sim_usbredir_deadline(timeout_ms),
						 cancellable,
						 error)) {
			ret = FALSE;
			break;
		}
	}
	if (ret && (self->closed || !self->plugged)) {
		g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: unplugged", self->name);
		ret = FALSE;
	}
	if (ret) {
		g_queue_push_tail(&self->in, g_bytes_new(buf, bufsz));
		self->in_queued += bufsz;
		if ((flags & UB_TRANSPORT_WRITE_FLAG_ZLP) > 0 && bufsz > 0 &&
		    bufsz % self->ids.mps == 0)
			g_queue_push_tail(&self->in, g_bytes_new(NULL, 0));
	}
	g_mutex_unlock(&self->mutex);
	if (handler_id != 0)
		g_cancellable_disconnect(cancellable, handler_id);
	if (ret)
		ub_sim_usbredir_wake(self);
	return ret;
}

static gsize
ub_sim_usbredir_get_max_packet_size(UbTransport *transport)
{
	UbSimUsbredir *self = UB_SIM_USBREDIR(transport);
	gsize mps;
	g_mutex_lock(&self->mutex);
	mps = self->ids.mps;
	g_mutex_unlock(&self->mutex);
	return mps;
}

static const gchar *
ub_sim_usbredir_get_name(UbTransport *transport)
{
	UbSimUsbredir *self = UB_SIM_USBREDIR(transport);
	return self->name != NULL ? self->name : "usbredir";
}

/* a fault (disconnect-after) pulls the cable */
static void
ub_sim_usbredir_close(UbTransport *transport)
{
	ub_sim_usbredir_pull_cable(UB_SIM_USBREDIR(transport));
}

static void
ub_sim_usbredir_iface_init(UbTransportInterface *iface)
{
	iface->write = ub_sim_usbredir_write;
	iface->read = ub_sim_usbredir_read;
	iface->get_max_packet_size = ub_sim_usbredir_get_max_packet_size;
	iface->get_name = ub_sim_usbredir_get_name;
	iface->close = ub_sim_usbredir_close;
}

/* ---------------------------------------------------------------- sessions */

/* asks the I/O thread to plug in and waits until the guest can see it */
static gboolean
ub_sim_usbredir_plug(UbSimUsbredir *self, GCancellable *cancellable, GError **error)
{
	gboolean ok;
	g_mutex_lock(&self->mutex);
	g_queue_clear_full(&self->out, (GDestroyNotify)g_bytes_unref);
	self->out_offset = 0;
	self->out_queued = 0;
	/* a pull that found the phone away already must not unplug this plug */
	self->want_unplug = FALSE;
	self->want_plug = !self->cable_pulled;
	/* this plug answers any request to plug the cable in */
	self->plug_requested = FALSE;
	g_mutex_unlock(&self->mutex);
	ub_sim_usbredir_wake(self);
	g_mutex_lock(&self->mutex);
	while (!self->plugged && !self->closed && !self->cable_pulled &&
	       !g_cancellable_is_cancelled(cancellable))
		g_cond_wait(&self->cond, &self->mutex);
	ok = self->plugged;
	g_mutex_unlock(&self->mutex);
	if (!ok) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "not plugged in");
		return FALSE;
	}
	return TRUE;
}

/* the phone leaves the bus; with @drain its last answers reach the host first */
static void
ub_sim_usbredir_unplug(UbSimUsbredir *self, gboolean drain)
{
	gint64 deadline = g_get_monotonic_time() + UB_SIM_USBREDIR_DRAIN_MS * G_TIME_SPAN_MILLISECOND;
	g_mutex_lock(&self->mutex);
	while (drain && self->plugged && !self->closed && !g_queue_is_empty(&self->in)) {
		if (!g_cond_wait_until(&self->cond, &self->mutex, deadline))
			break;
	}
	self->want_plug = FALSE;
	self->want_unplug = TRUE;
	g_mutex_unlock(&self->mutex);
	ub_sim_usbredir_wake(self);
	g_mutex_lock(&self->mutex);
	while (self->plugged && !self->closed)
		g_cond_wait(&self->cond, &self->mutex);
	g_mutex_unlock(&self->mutex);
}

/**
 * ub_sim_usbredir_pull_cable:
 * @self: a #UbSimUsbredir
 *
 * Surprise removal: the device is gone at once, answers in flight are lost,
 * and it does not come back until ub_sim_usbredir_plug_cable(). Thread-safe.
 */
void
ub_sim_usbredir_pull_cable(UbSimUsbredir *self)
{
	g_return_if_fail(UB_IS_SIM_USBREDIR(self));
	g_mutex_lock(&self->mutex);
	self->cable_pulled = TRUE;
	self->plug_requested = FALSE;
	self->want_plug = FALSE;
	self->want_unplug = TRUE;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	if (self->wake_fd >= 0)
		ub_sim_usbredir_wake(self);
}

/**
 * ub_sim_usbredir_plug_cable:
 * @self: a #UbSimUsbredir
 *
 * Plugs the cable in: a phone that is off the bus (cable pulled, booted on,
 * or started with ub_sim_usbredir_set_plug_on_request()) is powered on
 * afresh and arrives in its initial mode (see ub_sim_mtk_power_cycle());
 * its storage is kept. A phone on the bus is not affected. Thread-safe.
 *
 * Returns: %TRUE when the phone was away and will arrive
 */
gboolean
ub_sim_usbredir_plug_cable(UbSimUsbredir *self)
{
	gboolean away;
	g_return_val_if_fail(UB_IS_SIM_USBREDIR(self), FALSE);
	g_mutex_lock(&self->mutex);
	away = self->cable_pulled || (!self->plugged && !self->want_plug);
	if (away) {
		self->plug_requested = TRUE;
		g_cond_broadcast(&self->cond);
	}
	g_mutex_unlock(&self->mutex);
	return away;
}

/**
 * ub_sim_usbredir_set_plug_on_request:
 * @self: a #UbSimUsbredir
 * @plug_on_request: %TRUE to start with the cable out
 *
 * With %TRUE, ub_sim_usbredir_serve() does not plug the phone in when QEMU
 * connects but waits for ub_sim_usbredir_plug_cable(). Set before serving.
 */
void
ub_sim_usbredir_set_plug_on_request(UbSimUsbredir *self, gboolean plug_on_request)
{
	g_return_if_fail(UB_IS_SIM_USBREDIR(self));
	g_return_if_fail(self->parser == NULL);
	self->plug_on_request = plug_on_request;
}

/**
 * ub_sim_usbredir_get_plug_count:
 * @self: a #UbSimUsbredir
 *
 * Returns: how often the device arrived on the guest's bus
 */
guint
ub_sim_usbredir_get_plug_count(UbSimUsbredir *self)
{
	guint n;
	g_return_val_if_fail(UB_IS_SIM_USBREDIR(self), 0);
	g_mutex_lock(&self->mutex);
	n = self->n_plugs;
	g_mutex_unlock(&self->mutex);
	return n;
}

/**
 * ub_sim_usbredir_set_vendor_ids:
 * @self: a #UbSimUsbredir
 * @vid: the USB vendor id
 * @pid: the USB product id
 * @product: the product string
 *
 * For a personality other than fastboot, EDL and MediaTek (a test's): the
 * device shows these ids and one vendor-specific interface (ff/ff/ff) with
 * bulk endpoints 0x01 and 0x81, instead of a fastboot interface. Call before
 * ub_sim_usbredir_serve().
 */
void
ub_sim_usbredir_set_vendor_ids(UbSimUsbredir *self,
			       guint16 vid,
			       guint16 pid,
			       const gchar *product)
{
	g_return_if_fail(UB_IS_SIM_USBREDIR(self));
	g_return_if_fail(vid != 0);
	g_return_if_fail(product != NULL);
	self->vendor_vid = vid;
	self->vendor_pid = pid;
	g_free(self->vendor_product);
	self->vendor_product = g_strdup(product);
	ub_sim_usbredir_ids_for_phone(self, &self->ids);
}

/* after a session: does the phone come back on the bus, as after a reboot into a USB mode? */
static gboolean
ub_sim_usbredir_comes_back(UbSimUsbredir *self)
{
	UbSimPersonality *personality = ub_sim_phone_get_personality(self->phone);
	if (UB_IS_SIM_MTK(personality))
		return g_strcmp0(ub_sim_mtk_get_session_mode(UB_SIM_MTK(personality)), "da") == 0;
	if (UB_IS_SIM_FASTBOOT(personality))
		return ub_sim_fastboot_reboot_comes_back(UB_SIM_FASTBOOT(personality));
	if (UB_IS_SIM_EDL(personality))
		return FALSE;
	/* other personalities (tests): back in their new mode */
	return TRUE;
}

/* QEMU went away or serving was cancelled */
static gboolean
ub_sim_usbredir_must_stop(UbSimUsbredir *self, GCancellable *cancellable)
{
	gboolean stop;
	g_mutex_lock(&self->mutex);
	stop = self->closed;
	g_mutex_unlock(&self->mutex);
	return stop || g_cancellable_is_cancelled(cancellable);
}

/* the phone is off the bus: waits until the cable is plugged in (TRUE) or serving ends */
static gboolean
ub_sim_usbredir_wait_for_cable(UbSimUsbredir *self, GCancellable *cancellable)
{
	gboolean ok;
	g_mutex_lock(&self->mutex);
	while (!self->plug_requested && !self->closed && !g_cancellable_is_cancelled(cancellable))
		g_cond_wait(&self->cond, &self->mutex);
	ok = self->plug_requested && !self->closed && !g_cancellable_is_cancelled(cancellable);
	if (ok)
		self->cable_pulled = FALSE;
	g_mutex_unlock(&self->mutex);
	return ok;
}

/* the cable was plugged in: the phone is powered on afresh */
static void
ub_sim_usbredir_power_on(UbSimUsbredir *self)
{
	UbSimPersonality *personality = ub_sim_phone_get_personality(self->phone);
	if (UB_IS_SIM_MTK(personality))
		ub_sim_mtk_power_cycle(UB_SIM_MTK(personality));
}

static gboolean
ub_sim_usbredir_cable_pulled(UbSimUsbredir *self)
{
	gboolean pulled;
	g_mutex_lock(&self->mutex);
	pulled = self->cable_pulled;
	g_mutex_unlock(&self->mutex);
	return pulled;
}

/* the serving loop: one personality session per plug */
static gboolean
ub_sim_usbredir_sessions(UbSimUsbredir *self, GCancellable *cancellable, GError **error)
{
	gboolean away = self->plug_on_request;

	/* QEMU's hello first: plugging needs its caps */
	g_mutex_lock(&self->mutex);
	while (!self->hello && !self->closed && !g_cancellable_is_cancelled(cancellable))
		g_cond_wait(&self->cond, &self->mutex);
	g_mutex_unlock(&self->mutex);

	while (!ub_sim_usbredir_must_stop(self, cancellable)) {
		g_autoptr(GError) error_local = NULL;

		/* off the bus: until the cable is plugged in, then a fresh power-on */
		if (away) {
			g_message("usbredir: the phone is off the bus until the cable is plugged in");
			if (!ub_sim_usbredir_wait_for_cable(self, cancellable))
				break;
			g_message("usbredir: the cable was plugged in");
			ub_sim_usbredir_power_on(self);
			away = FALSE;
		}
		if (!ub_sim_usbredir_plug(self, cancellable, &error_local)) {
			/* the cable was pulled before the phone arrived */
			g_debug("ignoring: %s", error_local->message);
			away = TRUE;
			continue;
		}
		if (!ub_sim_phone_serve(self->phone, UB_TRANSPORT(self), cancellable, &error_local)) {
			if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
				break;
			g_message("usbredir: session failed: %s", error_local->message);
		} else {
			g_message("usbredir: session ended");
		}
		if (ub_sim_usbredir_must_stop(self, cancellable))
			break;
		if (ub_sim_usbredir_cable_pulled(self)) {
			/* gone at once (the I/O thread unplugs it, if it did not yet) */
			ub_sim_usbredir_unplug(self, FALSE);
			away = TRUE;
			continue;
		}
		/* the phone reboots: away for a moment, back in its new mode or gone */
		ub_sim_usbredir_unplug(self, TRUE);
		if (!ub_sim_usbredir_comes_back(self)) {
			g_message("usbredir: the phone booted on and left the bus");
			away = TRUE;
			continue;
		}
		g_usleep(UB_SIM_USBREDIR_REPLUG_MS * G_TIME_SPAN_MILLISECOND);
	}

	/* serving ends when QEMU goes away or serving is cancelled */
	g_mutex_lock(&self->mutex);
	while (!self->closed && !g_cancellable_is_cancelled(cancellable))
		g_cond_wait(&self->cond, &self->mutex);
	g_mutex_unlock(&self->mutex);
	return TRUE;
}

/**
 * ub_sim_usbredir_serve:
 * @self: a #UbSimUsbredir
 * @fd: a connected socket to QEMU's usb-redir chardev; taken over
 * @cancellable: (nullable): stops serving
 * @error: (nullable): return location for a #GError
 *
 * Presents the phone as a USB device to the guest until QEMU disconnects,
 * @cancellable fires or the cable is pulled.
 *
 * Returns: %TRUE when serving ended normally
 */
gboolean
ub_sim_usbredir_serve(UbSimUsbredir *self, gint fd, GCancellable *cancellable, GError **error)
{
	uint32_t caps[USB_REDIR_CAPS_SIZE] = {0};
	GThread *thread;
	gulong handler_id = 0;
	gboolean ret;

	g_return_val_if_fail(UB_IS_SIM_USBREDIR(self), FALSE);
	g_return_val_if_fail(fd >= 0, FALSE);
	g_return_val_if_fail(self->parser == NULL, FALSE);

	self->fd = fd;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "fcntl: %s", g_strerror(errno));
		return FALSE;
	}
	self->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (self->wake_fd < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "eventfd: %s", g_strerror(errno));
		return FALSE;
	}
	self->parser = usbredirparser_create();
	self->parser->priv = self;
	self->parser->log_func = ub_sim_usbredir_log_cb;
	self->parser->read_func = ub_sim_usbredir_read_cb;
	self->parser->write_func = ub_sim_usbredir_write_cb;
	self->parser->hello_func = ub_sim_usbredir_hello_cb;
	self->parser->reset_func = ub_sim_usbredir_reset_cb;
	self->parser->set_configuration_func = ub_sim_usbredir_set_config_cb;
	self->parser->get_configuration_func = ub_sim_usbredir_get_config_cb;
	self->parser->set_alt_setting_func = ub_sim_usbredir_set_alt_cb;
	self->parser->get_alt_setting_func = ub_sim_usbredir_get_alt_cb;
	self->parser->start_interrupt_receiving_func = ub_sim_usbredir_start_intr_cb;
	self->parser->stop_interrupt_receiving_func = ub_sim_usbredir_stop_intr_cb;
	self->parser->cancel_data_packet_func = ub_sim_usbredir_cancel_cb;
	self->parser->device_disconnect_ack_func = ub_sim_usbredir_disconnect_ack_cb;
	self->parser->control_packet_func = ub_sim_usbredir_control_cb;
	self->parser->bulk_packet_func = ub_sim_usbredir_bulk_cb;
	usbredirparser_caps_set_cap(caps, usb_redir_cap_connect_device_version);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_ep_info_max_packet_size);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_64bits_ids);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_32bits_bulk_length);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_device_disconnect_ack);
	usbredirparser_init(self->parser,
			    "unbrick-sim " PACKAGE_VERSION,
			    caps,
			    USB_REDIR_CAPS_SIZE,
			    usbredirparser_fl_usb_host);

	thread = g_thread_new("ub-sim-usbredir", ub_sim_usbredir_io_thread_cb, self);
	/* the waits for QEMU wake up when serving is cancelled */
	if (cancellable != NULL)
		handler_id = g_cancellable_connect(cancellable,
						   G_CALLBACK(ub_sim_usbredir_cancelled_cb),
						   self,
						   NULL);
	ret = ub_sim_usbredir_sessions(self, cancellable, error);
	if (handler_id != 0)
		g_cancellable_disconnect(cancellable, handler_id);

	g_mutex_lock(&self->mutex);
	self->stop = TRUE;
	g_mutex_unlock(&self->mutex);
	ub_sim_usbredir_wake(self);
	g_thread_join(thread);
	usbredirparser_destroy(g_steal_pointer(&self->parser));
	return ret;
}

/* ---------------------------------------------------------------- object */

static void
ub_sim_usbredir_finalize(GObject *object)
{
	UbSimUsbredir *self = UB_SIM_USBREDIR(object);
	if (self->fd >= 0)
		close(self->fd);
	if (self->wake_fd >= 0)
		close(self->wake_fd);
	g_queue_clear_full(&self->out, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&self->in, (GDestroyNotify)g_bytes_unref);
	g_clear_pointer(&self->config, g_byte_array_unref);
	g_clear_pointer(&self->out_pieces, g_byte_array_unref);
	g_array_unref(self->pending);
	g_free(self->name);
	g_free(self->vendor_product);
	g_mutex_clear(&self->mutex);
	g_cond_clear(&self->cond);
	g_clear_object(&self->phone);
	G_OBJECT_CLASS(ub_sim_usbredir_parent_class)->finalize(object);
}

static void
ub_sim_usbredir_init(UbSimUsbredir *self)
{
	self->fd = -1;
	self->wake_fd = -1;
	self->pending = g_array_new(FALSE, FALSE, sizeof(UbSimUsbredirRequest));
	g_mutex_init(&self->mutex);
	g_cond_init(&self->cond);
	g_queue_init(&self->out);
	g_queue_init(&self->in);
}

static void
ub_sim_usbredir_class_init(UbSimUsbredirClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_sim_usbredir_finalize;
}

/**
 * ub_sim_usbredir_new:
 * @phone: the simulated phone to present
 *
 * Returns: (transfer full): a usbredir device for @phone; see ub_sim_usbredir_serve()
 */
UbSimUsbredir *
ub_sim_usbredir_new(UbSimPhone *phone)
{
	UbSimUsbredir *self;
	g_return_val_if_fail(UB_IS_SIM_PHONE(phone), NULL);
	self = g_object_new(UB_TYPE_SIM_USBREDIR, NULL);
	self->phone = g_object_ref(phone);
	ub_sim_usbredir_ids_for_phone(self, &self->ids);
	return self;
}
