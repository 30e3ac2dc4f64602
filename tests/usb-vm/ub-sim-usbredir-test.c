/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <usbredirparser.h>

#include "sim/ub-sim-usbredir.h"
#include "ub-mtk-test-common.h"

/*
 * UbSimUsbredir without a VM: the test plays QEMU's side of the usbredir
 * protocol (libusbredirparser, guest role) over a socketpair, so descriptors,
 * bulk transfers both ways, ZLPs, cancellation, re-enumeration and unplug are
 * checked in milliseconds. The phone has a small test personality: it echoes
 * each transfer, answers "zlp:N" with N bytes ending with a ZLP, a ZLP from the
 * host with "ZLP", and ends the session ("reboots") on "reboot". The plug
 * tests use the simulated MediaTek phone: a preloader that boots on when
 * nobody talks to it, and a DA that the cable's power cycle must forget.
 */

#define UB_TEST_TIMEOUT_MS 3000

/* ---------------------------------------------------------------- personality */

#define UB_TYPE_SIM_REDIR_ECHO (ub_sim_redir_echo_get_type())
G_DECLARE_FINAL_TYPE(UbSimRedirEcho, ub_sim_redir_echo, UB, SIM_REDIR_ECHO, UbSimPersonality)

struct _UbSimRedirEcho {
	UbSimPersonality parent_instance;
};

G_DEFINE_TYPE(UbSimRedirEcho, ub_sim_redir_echo, UB_TYPE_SIM_PERSONALITY)

static gboolean
ub_sim_redir_echo_serve(UbSimPersonality *personality,
			UbTransport *transport,
			GCancellable *cancellable,
			GError **error)
{
	g_autofree guint8 *buf = g_malloc(1024 * 1024);
	for (;;) {
		g_autofree gchar *str = NULL;
		gssize n = ub_transport_read(transport, buf, 1024 * 1024, 0, cancellable, error);
		if (n < 0)
			return FALSE;
		if (n == 0) {
			if (!ub_transport_write(transport, (const guint8 *)"ZLP", 3, 0, 1000, cancellable, error))
				return FALSE;
			continue;
		}
		str = g_strndup((const gchar *)buf, (gsize)MIN(n, 32));
		if (g_strcmp0(str, "reboot") == 0)
			return TRUE;
		if (g_str_has_prefix(str, "zlp:")) {
			gsize len = (gsize)g_ascii_strtoull(str + 4, NULL, 10);
			g_autofree guint8 *data = g_malloc0(len);
			if (!ub_transport_write(transport,
						data,
						len,
						UB_TRANSPORT_WRITE_FLAG_ZLP,
						1000,
						cancellable,
						error))
				return FALSE;
			continue;
		}
		if (!ub_transport_write(transport, buf, (gsize)n, 0, 1000, cancellable, error))
			return FALSE;
	}
}

static void
ub_sim_redir_echo_init(UbSimRedirEcho *self)
{
}

static void
ub_sim_redir_echo_class_init(UbSimRedirEchoClass *klass)
{
	UB_SIM_PERSONALITY_CLASS(klass)->serve = ub_sim_redir_echo_serve;
}

/* ---------------------------------------------------------------- QEMU's side */

typedef struct {
	guint8 status;
	GBytes *data;
	guint8 endpoint;
	gboolean done;
} UbTestReply;

typedef struct {
	struct usbredirparser *parser;
	gint fd;
	guint connects;
	guint disconnects;
	struct usb_redir_device_connect_header connect;
	struct usb_redir_interface_info_header iface;
	struct usb_redir_ep_info_header ep;
	GHashTable *replies; /* id -> UbTestReply */
	guint64 next_id;
	gboolean peer_closed;
} UbTestPeer;

typedef struct {
	gchar *dir;
	UbSimPhone *phone;
	UbSimUsbredir *redir;
	GCancellable *cancellable;
	GThread *thread;
	gint sim_fd;
	gboolean serve_ok;
	UbTestPeer peer;
} Fixture;

static void
ub_test_reply_free(gpointer data)
{
	UbTestReply *r = data;
	if (r->data != NULL)
		g_bytes_unref(r->data);
	g_free(r);
}

static UbTestReply *
ub_test_peer_reply(UbTestPeer *peer, guint64 id)
{
	UbTestReply *r = g_hash_table_lookup(peer->replies, &id);
	if (r == NULL) {
		guint64 *key = g_new(guint64, 1);
		*key = id;
		r = g_new0(UbTestReply, 1);
		g_hash_table_insert(peer->replies, key, r);
	}
	return r;
}

static int
ub_test_peer_read_cb(void *priv, uint8_t *data, int count)
{
	UbTestPeer *peer = priv;
	gssize r = read(peer->fd, data, (gsize)count);
	if (r == 0) {
		peer->peer_closed = TRUE;
		return -1;
	}
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	return (int)r;
}

static int
ub_test_peer_write_cb(void *priv, uint8_t *data, int count)
{
	UbTestPeer *peer = priv;
	gssize r = write(peer->fd, data, (gsize)count);
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	return (int)r;
}

static void
ub_test_peer_log_cb(void *priv, int level, const char *msg)
{
	g_debug("peer: %s", msg);
}

static void
ub_test_peer_connect_cb(void *priv, struct usb_redir_device_connect_header *h)
{
	UbTestPeer *peer = priv;
	peer->connect = *h;
	peer->connects++;
}

static void
ub_test_peer_disconnect_cb(void *priv)
{
	UbTestPeer *peer = priv;
	/* the parser acknowledges it (usb_redir_cap_device_disconnect_ack) */
	peer->disconnects++;
}

static void
ub_test_peer_iface_cb(void *priv, struct usb_redir_interface_info_header *h)
{
	UbTestPeer *peer = priv;
	peer->iface = *h;
}

static void
ub_test_peer_ep_cb(void *priv, struct usb_redir_ep_info_header *h)
{
	UbTestPeer *peer = priv;
	peer->ep = *h;
}

static void
ub_test_peer_config_status_cb(void *priv,
			      uint64_t id,
			      struct usb_redir_configuration_status_header *h)
{
	UbTestPeer *peer = priv;
	UbTestReply *r = ub_test_peer_reply(peer, id);
	r->status = h->status;
	r->done = TRUE;
}

static void
ub_test_peer_control_cb(void *priv,
			uint64_t id,
			struct usb_redir_control_packet_header *h,
			uint8_t *data,
			int data_len)
{
	UbTestPeer *peer = priv;
	UbTestReply *r = ub_test_peer_reply(peer, id);
	r->status = h->status;
	r->data = g_bytes_new(data, data_len > 0 ? (gsize)data_len : 0);
	r->done = TRUE;
	if (data != NULL)
		usbredirparser_free_packet_data(peer->parser, data);
}

static void
ub_test_peer_bulk_cb(void *priv,
		     uint64_t id,
		     struct usb_redir_bulk_packet_header *h,
		     uint8_t *data,
		     int data_len)
{
	UbTestPeer *peer = priv;
	UbTestReply *r = ub_test_peer_reply(peer, id);
	r->status = h->status;
	r->endpoint = h->endpoint;
	r->data = g_bytes_new(data, data_len > 0 ? (gsize)data_len : 0);
	r->done = TRUE;
	if (data != NULL)
		usbredirparser_free_packet_data(peer->parser, data);
}

static void
ub_test_peer_init(UbTestPeer *peer, gint fd)
{
	uint32_t caps[USB_REDIR_CAPS_SIZE] = {0};
	peer->fd = fd;
	peer->next_id = 1;
	peer->replies = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, ub_test_reply_free);
	g_assert_cmpint(fcntl(fd, F_SETFL, O_NONBLOCK), ==, 0);
	peer->parser = usbredirparser_create();
	peer->parser->priv = peer;
	peer->parser->log_func = ub_test_peer_log_cb;
	peer->parser->read_func = ub_test_peer_read_cb;
	peer->parser->write_func = ub_test_peer_write_cb;
	peer->parser->device_connect_func = ub_test_peer_connect_cb;
	peer->parser->device_disconnect_func = ub_test_peer_disconnect_cb;
	peer->parser->interface_info_func = ub_test_peer_iface_cb;
	peer->parser->ep_info_func = ub_test_peer_ep_cb;
	peer->parser->configuration_status_func = ub_test_peer_config_status_cb;
	peer->parser->control_packet_func = ub_test_peer_control_cb;
	peer->parser->bulk_packet_func = ub_test_peer_bulk_cb;
	usbredirparser_caps_set_cap(caps, usb_redir_cap_connect_device_version);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_ep_info_max_packet_size);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_64bits_ids);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_32bits_bulk_length);
	usbredirparser_caps_set_cap(caps, usb_redir_cap_device_disconnect_ack);
	usbredirparser_init(peer->parser, "ub-sim-usbredir-test", caps, USB_REDIR_CAPS_SIZE, 0);
}

static void
ub_test_peer_clear(UbTestPeer *peer)
{
	if (peer->parser != NULL)
		usbredirparser_destroy(peer->parser);
	g_clear_pointer(&peer->replies, g_hash_table_unref);
	if (peer->fd >= 0)
		close(peer->fd);
}

/* runs the protocol for up to @timeout_ms or until @until(peer, data) holds */
static gboolean
ub_test_peer_run(UbTestPeer *peer,
		 gboolean (*until)(UbTestPeer *peer, gconstpointer data),
		 gconstpointer data,
		 guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	for (;;) {
		struct pollfd pfd = {.fd = peer->fd, .events = POLLIN};
		gint64 left;
		while (usbredirparser_has_data_to_write(peer->parser))
			g_assert_cmpint(usbredirparser_do_write(peer->parser), >=, 0);
		if (until != NULL && until(peer, data))
			return TRUE;
		left = (deadline - g_get_monotonic_time()) / 1000;
		if (left <= 0 || peer->peer_closed)
			return until == NULL;
		if (poll(&pfd, 1, (gint)MIN(left, 50)) > 0 && usbredirparser_do_read(peer->parser) != 0)
			peer->peer_closed = TRUE;
	}
}

static gboolean
ub_test_until_connects(UbTestPeer *peer, gconstpointer data)
{
	return peer->connects >= GPOINTER_TO_UINT(data);
}

static gboolean
ub_test_until_disconnects(UbTestPeer *peer, gconstpointer data)
{
	return peer->disconnects >= GPOINTER_TO_UINT(data);
}

static gboolean
ub_test_until_reply(UbTestPeer *peer, gconstpointer data)
{
	UbTestReply *r = g_hash_table_lookup(peer->replies, data);
	return r != NULL && r->done;
}

static UbTestReply *
ub_test_peer_wait(UbTestPeer *peer, guint64 id)
{
	g_assert_true(ub_test_peer_run(peer, ub_test_until_reply, &id, UB_TEST_TIMEOUT_MS));
	return g_hash_table_lookup(peer->replies, &id);
}

/* GET_DESCRIPTOR; returns the reply's data */
static GBytes *
ub_test_peer_get_descriptor(UbTestPeer *peer, guint8 type, guint8 idx, guint16 len)
{
	struct usb_redir_control_packet_header h = {
	    .endpoint = 0x80, .request = 6, .requesttype = 0x80, .value = (uint16_t)(type << 8 | idx), .length = len};
	guint64 id = peer->next_id++;
	UbTestReply *r;
	usbredirparser_send_control_packet(peer->parser, id, &h, NULL, 0);
	r = ub_test_peer_wait(peer, id);
	g_assert_cmpint(r->status, ==, usb_redir_success);
	return g_bytes_ref(r->data);
}

static guint64
ub_test_peer_bulk_out(UbTestPeer *peer, const void *data, gsize len)
{
	struct usb_redir_bulk_packet_header h = {
	    .endpoint = 0x01, .length = len & 0xffff, .length_high = (uint16_t)(len >> 16)};
	guint64 id = peer->next_id++;
	usbredirparser_send_bulk_packet(peer->parser, id, &h, (uint8_t *)data, (int)len);
	return id;
}

static guint64
ub_test_peer_bulk_in(UbTestPeer *peer, gsize len)
{
	struct usb_redir_bulk_packet_header h = {
	    .endpoint = 0x81, .length = len & 0xffff, .length_high = (uint16_t)(len >> 16)};
	guint64 id = peer->next_id++;
	usbredirparser_send_bulk_packet(peer->parser, id, &h, NULL, 0);
	return id;
}

/* an OUT transfer, then one IN request of @in_len: its data */
static GBytes *
ub_test_peer_transact(UbTestPeer *peer, const gchar *out, gsize in_len)
{
	UbTestReply *r = ub_test_peer_wait(peer, ub_test_peer_bulk_out(peer, out, strlen(out)));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	r = ub_test_peer_wait(peer, ub_test_peer_bulk_in(peer, in_len));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	return g_bytes_ref(r->data);
}

/* ---------------------------------------------------------------- fixture */

static gpointer
ub_test_serve_thread_cb(gpointer user_data)
{
	Fixture *fx = user_data;
	g_autoptr(GError) error = NULL;
	fx->serve_ok = ub_sim_usbredir_serve(fx->redir, fx->sim_fd, fx->cancellable, &error);
	g_assert_no_error(error);
	return NULL;
}

/* QEMU connects to @phone's usbredir device */
static void
fixture_start(Fixture *fx, UbSimPhone *phone, gboolean plug_on_request)
{
	gint fds[2] = {-1, -1};

	fx->phone = g_object_ref(phone);
	fx->redir = ub_sim_usbredir_new(fx->phone);
	ub_sim_usbredir_set_plug_on_request(fx->redir, plug_on_request);
	fx->cancellable = g_cancellable_new();
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
	fx->sim_fd = fds[0]; /* the serving object takes it over */
	ub_test_peer_init(&fx->peer, fds[1]);
	fx->thread = g_thread_new("serve", ub_test_serve_thread_cb, fx);
}

/* @data: NULL (the echo phone, plugged when QEMU connects), "echo-on-request"
 * or "preloader-on-request" (a MediaTek preloader with a 200 ms window; both
 * with the cable out until ub_sim_usbredir_plug_cable()) */
static void
fixture_setup(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbSimPhone) phone = NULL;
	gboolean mtk = g_strcmp0(data, "preloader-on-request") == 0;

	fx->dir = g_dir_make_tmp("ub-sim-usbredir-XXXXXX", &error);
	g_assert_no_error(error);
	storage = ub_sim_storage_open(fx->dir, mtk ? "emmc:256M" : "emmc:16M", &error);
	g_assert_no_error(error);
	phone = ub_sim_phone_new(mtk ? "mtk" : "redir-echo", storage, NULL, &error);
	g_assert_no_error(error);
	if (mtk) {
		UbSimMtk *sim = UB_SIM_MTK(ub_sim_phone_get_personality(phone));
		ub_sim_mtk_set_preloader_mode(sim, TRUE);
		ub_sim_mtk_set_handshake_window(sim, 200);
	}
	fixture_start(fx, phone, data != NULL);

	/* hello both ways, then the device arrives (or, with the cable out, does not) */
	if (data == NULL)
		g_assert_true(ub_test_peer_run(&fx->peer,
					       ub_test_until_connects,
					       GUINT_TO_POINTER(1),
					       UB_TEST_TIMEOUT_MS));
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
	g_autoptr(GDir) dir = NULL;
	const gchar *name;

	/* QEMU goes away: serving ends */
	close(fx->peer.fd);
	fx->peer.fd = -1;
	g_thread_join(fx->thread);
	g_assert_true(fx->serve_ok);
	ub_test_peer_clear(&fx->peer);
	g_clear_object(&fx->redir);
	g_clear_object(&fx->phone);
	g_clear_object(&fx->cancellable);
	if (fx->dir == NULL)
		return;
	dir = g_dir_open(fx->dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(fx->dir, name, NULL);
		(void)g_unlink(path);
	}
	(void)g_rmdir(fx->dir);
	g_free(fx->dir);
}

/* ---------------------------------------------------------------- tests */

static void
ub_test_enumerate(Fixture *fx, gconstpointer data)
{
	struct usb_redir_set_configuration_header sc = {.configuration = 1};
	g_autoptr(GBytes) dev = NULL;
	g_autoptr(GBytes) cfg = NULL;
	g_autoptr(GBytes) serial = NULL;
	const guint8 *d;
	gsize sz = 0;
	guint64 id;

	/* the ids and speed QEMU plugs into the guest's xHCI */
	g_assert_cmpint(fx->peer.connect.vendor_id, ==, 0x18d1);
	g_assert_cmpint(fx->peer.connect.product_id, ==, 0x4ee0);
	g_assert_cmpint(fx->peer.connect.speed, ==, usb_redir_speed_high);
	g_assert_cmpint(fx->peer.iface.interface_count, ==, 1);
	g_assert_cmpint(fx->peer.iface.interface_class[0], ==, 0xff);
	g_assert_cmpint(fx->peer.iface.interface_subclass[0], ==, 0x42);
	g_assert_cmpint(fx->peer.iface.interface_protocol[0], ==, 0x03);
	g_assert_cmpint(fx->peer.ep.type[1], ==, usb_redir_type_bulk);
	g_assert_cmpint(fx->peer.ep.type[17], ==, usb_redir_type_bulk);
	g_assert_cmpint(fx->peer.ep.max_packet_size[17], ==, 512);
	g_assert_cmpint(fx->peer.ep.type[2], ==, usb_redir_type_invalid);

	/* the descriptors the guest's usbcore reads */
	dev = ub_test_peer_get_descriptor(&fx->peer, 1, 0, 64);
	d = g_bytes_get_data(dev, &sz);
	g_assert_cmpuint(sz, ==, 18);
	g_assert_cmpint(d[8] | d[9] << 8, ==, 0x18d1);
	g_assert_cmpint(d[10] | d[11] << 8, ==, 0x4ee0);
	cfg = ub_test_peer_get_descriptor(&fx->peer, 2, 0, 255);
	d = g_bytes_get_data(cfg, &sz);
	g_assert_cmpuint(sz, ==, 32);
	g_assert_cmpint(d[9 + 5], ==, 0xff);
	g_assert_cmpint(d[18 + 2], ==, 0x81);
	g_assert_cmpint(d[18 + 4] | d[18 + 5] << 8, ==, 512);
	serial = ub_test_peer_get_descriptor(&fx->peer, 3, 3, 255);
	d = g_bytes_get_data(serial, &sz);
	g_assert_cmpuint(sz, ==, 2 + 2 * strlen("UBSIM0001"));
	g_assert_cmpint(d[2], ==, 'U');

	id = fx->peer.next_id++;
	usbredirparser_send_set_configuration(fx->peer.parser, id, &sc);
	g_assert_cmpint(ub_test_peer_wait(&fx->peer, id)->status, ==, usb_redir_success);
}

static void
ub_test_bulk(Fixture *fx, gconstpointer data)
{
	g_autoptr(GBytes) echo = ub_test_peer_transact(&fx->peer, "hello", 512);
	g_autoptr(GByteArray) big = g_byte_array_new();
	g_autoptr(GByteArray) got = g_byte_array_new();
	UbTestReply *r;

	g_assert_cmpmem(g_bytes_get_data(echo, NULL), g_bytes_get_size(echo), "hello", 5);

	/* 300000 bytes out in one transfer, back in 64 KiB requests */
	for (guint i = 0; i < 300000; i++) {
		guint8 b = (guint8)(i * 7 + 1);
		g_byte_array_append(big, &b, 1);
	}
	r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, big->data, big->len));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	while (got->len < big->len) {
		gsize sz = 0;
		const guint8 *d;
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 65536));
		g_assert_cmpint(r->status, ==, usb_redir_success);
		d = g_bytes_get_data(r->data, &sz);
		g_assert_cmpuint(sz, >, 0);
		g_byte_array_append(got, d, (guint)sz);
	}
	g_assert_cmpmem(got->data, got->len, big->data, big->len);
}

static void
ub_test_zlp(Fixture *fx, gconstpointer data)
{
	g_autoptr(GBytes) a = NULL;
	g_autoptr(GBytes) b = NULL;
	g_autoptr(GBytes) c = NULL;
	UbTestReply *r;
	guint64 id;

	/* a request larger than the transfer: its ZLP ends that same request */
	a = ub_test_peer_transact(&fx->peer, "zlp:1024", 4096);
	g_assert_cmpuint(g_bytes_get_size(a), ==, 1024);

	/* a request of exactly the transfer: the ZLP is the next request's */
	b = ub_test_peer_transact(&fx->peer, "zlp:1024", 1024);
	g_assert_cmpuint(g_bytes_get_size(b), ==, 1024);
	r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 512));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	g_assert_cmpuint(g_bytes_get_size(r->data), ==, 0);

	/* a ZLP from the host is a transfer of its own */
	r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, NULL, 0));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 512));
	g_assert_cmpmem(g_bytes_get_data(r->data, NULL), g_bytes_get_size(r->data), "ZLP", 3);

	/* a client writing one packet at a time (qdl): the ZLP after its last whole
	 * packet ends that transfer and is not a transfer of its own */
	{
		guint8 pkt[512];
		memset(pkt, 'p', sizeof(pkt));
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, pkt, sizeof(pkt)));
		g_assert_cmpint(r->status, ==, usb_redir_success);
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, NULL, 0));
		g_assert_cmpint(r->status, ==, usb_redir_success);
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 4096));
		g_assert_cmpuint(g_bytes_get_size(r->data), ==, 512);
		/* two whole packets and a short one: one transfer */
		for (guint i = 0; i < 2; i++) {
			r = ub_test_peer_wait(&fx->peer,
					      ub_test_peer_bulk_out(&fx->peer, pkt, sizeof(pkt)));
			g_assert_cmpint(r->status, ==, usb_redir_success);
		}
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, "tail", 4));
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 4096));
		g_assert_cmpuint(g_bytes_get_size(r->data), ==, 2 * 512 + 4);
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, "next", 4));
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 512));
		g_assert_cmpmem(g_bytes_get_data(r->data, NULL), g_bytes_get_size(r->data), "next", 4);
	}

	/* nothing more queued: an IN request waits until the guest cancels it */
	id = ub_test_peer_bulk_in(&fx->peer, 512);
	g_assert_false(ub_test_peer_run(&fx->peer, ub_test_until_reply, &id, 100));
	usbredirparser_send_cancel_data_packet(fx->peer.parser, id);
	r = ub_test_peer_wait(&fx->peer, id);
	g_assert_cmpint(r->status, ==, usb_redir_cancelled);

	/* and the pipe still works */
	c = ub_test_peer_transact(&fx->peer, "again", 512);
	g_assert_cmpuint(g_bytes_get_size(c), ==, 5);
}

static void
ub_test_reenumerate(Fixture *fx, gconstpointer data)
{
	UbTestReply *r;
	g_autoptr(GBytes) echo = NULL;

	/* the phone reboots: it leaves the bus and comes back */
	r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, "reboot", 6));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	g_assert_true(ub_test_peer_run(&fx->peer,
				       ub_test_until_connects,
				       GUINT_TO_POINTER(2),
				       UB_TEST_TIMEOUT_MS));
	g_assert_cmpuint(fx->peer.disconnects, ==, 1);
	g_assert_cmpuint(ub_sim_usbredir_get_plug_count(fx->redir), ==, 2);
	echo = ub_test_peer_transact(&fx->peer, "back", 512);
	g_assert_cmpmem(g_bytes_get_data(echo, NULL), g_bytes_get_size(echo), "back", 4);
}

static void
ub_test_unplug(Fixture *fx, gconstpointer data)
{
	guint64 id = ub_test_peer_bulk_in(&fx->peer, 512);
	g_assert_false(ub_test_peer_run(&fx->peer, ub_test_until_reply, &id, 50));

	/* the cable: gone at once, and it stays away */
	ub_sim_usbredir_pull_cable(fx->redir);
	g_assert_true(ub_test_peer_run(&fx->peer,
				       ub_test_until_disconnects,
				       GUINT_TO_POINTER(1),
				       UB_TEST_TIMEOUT_MS));
	g_assert_false(
	    ub_test_peer_run(&fx->peer, ub_test_until_connects, GUINT_TO_POINTER(2), 500));
	g_assert_cmpuint(ub_sim_usbredir_get_plug_count(fx->redir), ==, 1);
}

/* the cable was out: nothing arrives until it is plugged in; plugging in a
 * phone that is on the bus does nothing; a pulled cable plugged in again brings it back */
static void
ub_test_plug_on_request(Fixture *fx, gconstpointer data)
{
	g_autoptr(GBytes) echo = NULL;

	g_assert_false(
	    ub_test_peer_run(&fx->peer, ub_test_until_connects, GUINT_TO_POINTER(1), 300));
	g_assert_cmpuint(ub_sim_usbredir_get_plug_count(fx->redir), ==, 0);

	g_assert_true(ub_sim_usbredir_plug_cable(fx->redir));
	g_assert_true(ub_test_peer_run(&fx->peer,
				       ub_test_until_connects,
				       GUINT_TO_POINTER(1),
				       UB_TEST_TIMEOUT_MS));
	echo = ub_test_peer_transact(&fx->peer, "hello", 512);
	g_assert_cmpmem(g_bytes_get_data(echo, NULL), g_bytes_get_size(echo), "hello", 5);

	/* on the bus already: no second arrival */
	g_assert_false(ub_sim_usbredir_plug_cable(fx->redir));
	g_assert_false(
	    ub_test_peer_run(&fx->peer, ub_test_until_connects, GUINT_TO_POINTER(2), 300));

	/* pulled, then plugged in again */
	ub_sim_usbredir_pull_cable(fx->redir);
	g_assert_true(ub_test_peer_run(&fx->peer,
				       ub_test_until_disconnects,
				       GUINT_TO_POINTER(1),
				       UB_TEST_TIMEOUT_MS));
	g_assert_false(
	    ub_test_peer_run(&fx->peer, ub_test_until_connects, GUINT_TO_POINTER(2), 300));
	g_assert_true(ub_sim_usbredir_plug_cable(fx->redir));
	g_assert_true(ub_test_peer_run(&fx->peer,
				       ub_test_until_connects,
				       GUINT_TO_POINTER(2),
				       UB_TEST_TIMEOUT_MS));
	g_assert_cmpuint(ub_sim_usbredir_get_plug_count(fx->redir), ==, 2);
	g_clear_pointer(&echo, g_bytes_unref);
	echo = ub_test_peer_transact(&fx->peer, "again", 512);
	g_assert_cmpmem(g_bytes_get_data(echo, NULL), g_bytes_get_size(echo), "again", 5);
}

/* a preloader arrives, says READY and, with nobody handshaking, boots on */
static void
ub_test_preloader_arrives(Fixture *fx, guint n)
{
	g_autoptr(GBytes) ready = NULL;
	UbTestReply *r;

	g_assert_true(ub_sim_usbredir_plug_cable(fx->redir));
	g_assert_true(ub_test_peer_run(&fx->peer,
				       ub_test_until_connects,
				       GUINT_TO_POINTER(n),
				       UB_TEST_TIMEOUT_MS));
	g_assert_cmphex(fx->peer.connect.vendor_id, ==, 0x0e8d);
	g_assert_cmphex(fx->peer.connect.product_id, ==, 0x2000);
	r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 512));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	g_assert_cmpmem(g_bytes_get_data(r->data, NULL), 5, "READY", 5);
}

static void
ub_test_replug_after_boot_on(Fixture *fx, gconstpointer data)
{
	UbTestReply *r;
	guint8 byte = 0xa0;

	ub_test_preloader_arrives(fx, 1);
	/* the window passes: gone from the bus, and it stays away */
	g_assert_true(ub_test_peer_run(&fx->peer,
				       ub_test_until_disconnects,
				       GUINT_TO_POINTER(1),
				       UB_TEST_TIMEOUT_MS));
	g_assert_false(
	    ub_test_peer_run(&fx->peer, ub_test_until_connects, GUINT_TO_POINTER(2), 500));
	g_assert_cmpuint(ub_sim_usbredir_get_plug_count(fx->redir), ==, 1);

	/* plugged in again: a fresh preloader, which answers the handshake */
	ub_test_preloader_arrives(fx, 2);
	r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_out(&fx->peer, &byte, 1));
	g_assert_cmpint(r->status, ==, usb_redir_success);
	for (guint i = 0; i < 5; i++) {
		gsize sz = 0;
		const guint8 *d;
		r = ub_test_peer_wait(&fx->peer, ub_test_peer_bulk_in(&fx->peer, 512));
		g_assert_cmpint(r->status, ==, usb_redir_success);
		d = g_bytes_get_data(r->data, &sz);
		/* READY output queued before the byte came */
		if (sz == 1) {
			g_assert_cmphex(d[0], ==, 0x5f);
			return;
		}
	}
	g_assert_not_reached();
}

/* a DA that switched to 0e8d:2001 is gone after the cable's power cycle: the
 * phone arrives in its initial mode, the preloader at 0e8d:2000 */
static void
ub_test_power_cycle(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkTestPhone) tp = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	Fixture fx = {0};

	/* a preloader (the BootROM would need its EMI settings) whose DA asks for 2001 */
	tp = ub_mtk_test_phone_new("emmc:256M", NULL, TRUE, TRUE, &error);
	g_assert_no_error(error);
	g_assert_true(ub_device_open(tp->device, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(tp->n_reconnects, ==, 1);
	/* the host goes away while the DA runs at 2001: a replug would find the DA */
	ub_transport_close(ub_device_get_transport(tp->device));
	g_assert_true(ub_sim_phone_wait(tp->phone, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(tp->sim), ==, "da");

	fixture_start(&fx, tp->phone, TRUE);
	g_assert_true(ub_sim_usbredir_plug_cable(fx.redir));
	g_assert_true(ub_test_peer_run(&fx.peer,
				       ub_test_until_connects,
				       GUINT_TO_POINTER(1),
				       UB_TEST_TIMEOUT_MS));
	g_assert_cmphex(fx.peer.connect.vendor_id, ==, 0x0e8d);
	g_assert_cmphex(fx.peer.connect.product_id, ==, 0x2000);
	g_assert_cmpint(fx.peer.connect.speed, ==, usb_redir_speed_high);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(tp->sim), ==, "preloader");
	g_assert_false(ub_sim_mtk_get_da_running(tp->sim));
	fixture_teardown(&fx, NULL);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ub_sim_phone_register_kind("redir-echo", UB_TYPE_SIM_REDIR_ECHO);
	g_test_add("/ub/sim/usbredir/enumerate", Fixture, NULL, fixture_setup, ub_test_enumerate, fixture_teardown);
	g_test_add("/ub/sim/usbredir/bulk", Fixture, NULL, fixture_setup, ub_test_bulk, fixture_teardown);
	g_test_add("/ub/sim/usbredir/zlp", Fixture, NULL, fixture_setup, ub_test_zlp, fixture_teardown);
	g_test_add("/ub/sim/usbredir/reenumerate",
		   Fixture,
		   NULL,
		   fixture_setup,
		   ub_test_reenumerate,
		   fixture_teardown);
	g_test_add("/ub/sim/usbredir/unplug", Fixture, NULL, fixture_setup, ub_test_unplug, fixture_teardown);
	g_test_add("/ub/sim/usbredir/plug-on-request",
		   Fixture,
		   "echo-on-request",
		   fixture_setup,
		   ub_test_plug_on_request,
		   fixture_teardown);
	g_test_add("/ub/sim/usbredir/replug-after-boot-on",
		   Fixture,
		   "preloader-on-request",
		   fixture_setup,
		   ub_test_replug_after_boot_on,
		   fixture_teardown);
	g_test_add_func("/ub/sim/usbredir/power-cycle", ub_test_power_cycle);
	return g_test_run();
}
