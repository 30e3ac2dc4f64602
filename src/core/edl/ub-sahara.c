/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbEdl"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ub-edl-resources.h"
#include "ub-error.h"
#include "ub-mem.h"
#include "ub-sahara.h"

/* every packet once the exchange runs (edl.md a.5: qdl reads Sahara with 1 s) */
#define UB_SAHARA_PACKET_TIMEOUT_MS 1000
/* writing a packet or a piece of the programmer */
#define UB_SAHARA_WRITE_TIMEOUT_MS 5000
/* the first HELLO: the phone sends it once, right after it enumerates */
#define UB_SAHARA_HELLO_TIMEOUT_MS_DEFAULT 5000
/* silence after which the HELLO is taken as lost (a serial port flushed on
 * open, a Windows QDLoader driver): the host answers it anyway, as qdl does */
#define UB_SAHARA_HELLO_NUDGE_MS 1000
/* silence that ends the answers of a running programmer to the probes */
#define UB_SAHARA_PROBE_DRAIN_MS 300
/* stream transports are read in pieces this large */
#define UB_SAHARA_STREAM_READ_SIZE 4096
/* the largest answer to an EXECUTE we accept (PK hashes are at most a few hundred bytes) */
#define UB_SAHARA_EXEC_DATA_MAX 4096
/* the largest piece of the programmer one READ_DATA may ask for */
#define UB_SAHARA_READ_DATA_MAX (16 * 1024 * 1024)
/* what HELLO_RESP announces, as qdl does for every device version (v3 included) */
#define UB_SAHARA_HOST_VERSION 2
#define UB_SAHARA_HOST_VERSION_COMPATIBLE 1

#define UB_SAHARA_ADVICE_REPLUG                                                                    \
	"turn the phone off (hold power for about 10 s or disconnect the battery) and enter "      \
	"EDL again: Sahara says HELLO only once after power-up"

struct _UbSahara {
	GObject parent_instance;
	UbTransport *transport;
	guint hello_timeout_ms;
	GByteArray *pending; /* bytes read past the last packet */
	gboolean have_hello;
	gboolean firehose_running;
	gboolean in_command_mode; /* the lost-HELLO nudge put the phone in command mode */
	UbSaharaPacket hello;
};

G_DEFINE_TYPE(UbSahara, ub_sahara, G_TYPE_OBJECT)

/* turns a transport failure in the middle of the exchange into what the user must do */
static void
ub_sahara_convert_error(GError **error, const gchar *what)
{
	if (error == NULL || *error == NULL)
		return;
	if (g_error_matches(*error, UB_ERROR, UB_ERROR_TIMED_OUT)) {
		g_autofree gchar *msg = g_strdup((*error)->message);
		g_clear_error(error);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NEEDS_REPLUG,
			    "the phone stopped answering while %s (%s): %s",
			    what,
			    msg,
			    UB_SAHARA_ADVICE_REPLUG);
		return;
	}
	g_prefix_error(error, "failed while %s: ", what);
}

/* reads more bytes into the pending buffer: one transfer on USB (a buffer of
 * the max packet size), whatever is there on a stream */
static gboolean
ub_sahara_fill(UbSahara *self, gint64 deadline, GCancellable *cancellable, GError **error)
{
	gsize mps = ub_transport_get_max_packet_size(self->transport);
	gsize bufsz = mps > 0 ? MAX(mps, (gsize)UB_SAHARA_MAX_PACKET_LEN) : UB_SAHARA_STREAM_READ_SIZE;
	g_autofree guint8 *buf = g_malloc(bufsz);

	for (;;) {
		gint64 now = g_get_monotonic_time();
		guint timeout_ms;
		gssize n;

		if (now >= deadline) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_TIMED_OUT,
					    "no packet from the phone");
			return FALSE;
		}
		timeout_ms = (guint)MAX((deadline - now) / G_TIME_SPAN_MILLISECOND, 1);
		n = ub_transport_read(self->transport, buf, bufsz, timeout_ms, cancellable, error);
		if (n < 0)
			return FALSE;
		/* a zero-length packet carries nothing */
		if (n == 0)
			continue;
		g_byte_array_append(self->pending, buf, (guint)n);
		return TRUE;
	}
}

/* whether the bytes so far can be the start of `<?xml` (TRUE when there are none) */
static gboolean
ub_sahara_pending_may_be_xml(UbSahara *self)
{
	static const gchar xml_start[] = "<?xml";
	gsize n = MIN(self->pending->len, strlen(xml_start));
	if (n == 0)
		return TRUE;
	return memcmp(self->pending->data, xml_start, n) == 0;
}

/* reads exactly one packet: by its length field, from as many reads as it takes */
static gboolean
ub_sahara_read_packet(UbSahara *self,
		      UbSaharaPacket *pkt,
		      guint timeout_ms,
		      GCancellable *cancellable,
		      GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	guint32 length;

	while (self->pending->len < 8) {
		if (!ub_sahara_fill(self, deadline, cancellable, error))
			return FALSE;
	}
	length = ub_mem_read_u32_le(self->pending->data, 4);
	if (memcmp(self->pending->data, "<?xml", 5) == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the phone sent Firehose XML where a Sahara packet belongs: "
				    "a programmer is already running");
		return FALSE;
	}
	if (length < 8 || length > UB_SAHARA_MAX_PACKET_LEN) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "Sahara packet 0x%x has an impossible length 0x%x",
			    ub_mem_read_u32_le(self->pending->data, 0),
			    length);
		return FALSE;
	}
	while (self->pending->len < length) {
		if (!ub_sahara_fill(self, deadline, cancellable, error))
			return FALSE;
	}
	if (!ub_sahara_packet_parse(self->pending->data, length, pkt, error))
		return FALSE;
	g_byte_array_remove_range(self->pending, 0, length);
	g_debug("got %s", ub_sahara_cmd_to_string(pkt->cmd));
	return TRUE;
}

/* reads @bufsz raw bytes (EXECUTE_DATA answers), pending bytes first */
static gboolean
ub_sahara_read_raw(UbSahara *self,
		   guint8 *buf,
		   gsize bufsz,
		   guint timeout_ms,
		   GCancellable *cancellable,
		   GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	while (self->pending->len < bufsz) {
		if (!ub_sahara_fill(self, deadline, cancellable, error))
			return FALSE;
	}
	memcpy(buf, self->pending->data, bufsz);
	g_byte_array_remove_range(self->pending, 0, (guint)bufsz);
	return TRUE;
}

static gboolean
ub_sahara_write_packet(UbSahara *self,
		       const UbSaharaPacket *pkt,
		       GCancellable *cancellable,
		       GError **error)
{
	guint8 buf[UB_SAHARA_MAX_PACKET_LEN] = {0};
	gsize len = ub_sahara_packet_build(pkt, buf, sizeof(buf));
	if (len == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INTERNAL,
			    "cannot encode Sahara command 0x%x",
			    pkt->cmd);
		return FALSE;
	}
	g_debug("sending %s", ub_sahara_cmd_to_string(pkt->cmd));
	/* no ZLP: no Sahara packet is a multiple of a USB packet, and none after data */
	return ub_transport_write(self->transport,
				  buf,
				  len,
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  UB_SAHARA_WRITE_TIMEOUT_MS,
				  cancellable,
				  error);
}

/* HELLO_RESP with our version, asking for @mode */
static gboolean
ub_sahara_write_hello_resp(UbSahara *self,
			   guint32 mode,
			   GCancellable *cancellable,
			   GError **error)
{
	UbSaharaPacket st = {
	    .cmd = UB_SAHARA_CMD_HELLO_RESP,
	    .version = UB_SAHARA_HOST_VERSION,
	    .version_compatible = UB_SAHARA_HOST_VERSION_COMPATIBLE,
	    .max_len = UB_SAHARA_STATUS_SUCCESS,
	    .mode = mode,
	};
	return ub_sahara_write_packet(self, &st, cancellable, error);
}

static gboolean
ub_sahara_send_hello_resp(UbSahara *self, guint32 mode, GCancellable *cancellable, GError **error)
{
	if (!self->have_hello) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INTERNAL,
				    "HELLO_RESP without a HELLO");
		return FALSE;
	}
	/* answered: a new HELLO must come before the next HELLO_RESP */
	self->have_hello = FALSE;
	return ub_sahara_write_hello_resp(self, mode, cancellable, error);
}

/* the packet was not what the flow expects; END_OF_IMAGE carries a reason */
static void
ub_sahara_set_unexpected(const UbSaharaPacket *pkt, const gchar *expected, GError **error)
{
	if (pkt->cmd == UB_SAHARA_CMD_END_OF_IMAGE && pkt->status != UB_SAHARA_STATUS_SUCCESS) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "expected %s, the phone answered: %s (status 0x%02x)",
			    expected,
			    ub_sahara_status_to_string(pkt->status),
			    pkt->status);
		return;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_PROTOCOL,
		    "expected %s, got %s",
		    expected,
		    ub_sahara_cmd_to_string(pkt->cmd));
}

static void
ub_sahara_init(UbSahara *self)
{
	self->hello_timeout_ms = UB_SAHARA_HELLO_TIMEOUT_MS_DEFAULT;
	self->pending = g_byte_array_new();
}

static void
ub_sahara_finalize(GObject *object)
{
	UbSahara *self = UB_SAHARA(object);
	g_clear_object(&self->transport);
	g_byte_array_unref(self->pending);
	G_OBJECT_CLASS(ub_sahara_parent_class)->finalize(object);
}

static void
ub_sahara_class_init(UbSaharaClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_sahara_finalize;
}

/**
 * ub_sahara_new:
 * @transport: the pipe to a phone in EDL mode
 *
 * Returns: (transfer full): a new #UbSahara
 */
UbSahara *
ub_sahara_new(UbTransport *transport)
{
	UbSahara *self;
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), NULL);
	self = g_object_new(UB_TYPE_SAHARA, NULL);
	self->transport = g_object_ref(transport);
	return self;
}

void
ub_sahara_set_hello_timeout(UbSahara *self, guint timeout_ms)
{
	g_return_if_fail(UB_IS_SAHARA(self));
	self->hello_timeout_ms = MAX(timeout_ms, 1);
}

guint32
ub_sahara_get_device_version(UbSahara *self)
{
	g_return_val_if_fail(UB_IS_SAHARA(self), 0);
	return self->hello.version;
}

/* the HELLO went missing: answer it with command mode, which a PBL that sent
 * one accepts (CMD_READY) and a running programmer answers with XML */
static gboolean
ub_sahara_nudge(UbSahara *self, gint64 deadline, GCancellable *cancellable, GError **error)
{
	UbSaharaPacket pkt = {0};
	g_autoptr(GError) error_local = NULL;
	gint64 now = g_get_monotonic_time();
	guint timeout_ms = (guint)MAX((deadline - now) / G_TIME_SPAN_MILLISECOND,
				      UB_SAHARA_PACKET_TIMEOUT_MS);

	g_debug("no HELLO after %u ms: answering it unasked", (guint)UB_SAHARA_HELLO_NUDGE_MS);
	if (!ub_sahara_write_hello_resp(self, UB_SAHARA_MODE_COMMAND, cancellable, &error_local)) {
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "failed to wait for HELLO: ");
		return FALSE;
	}
	/* the first bytes tell a programmer's XML from a Sahara packet */
	if (!ub_sahara_fill(self,
			    g_get_monotonic_time() +
				(gint64)UB_SAHARA_HELLO_NUDGE_MS * G_TIME_SPAN_MILLISECOND,
			    cancellable,
			    &error_local)) {
		static const gchar nop[] = "<?xml version=\"1.0\" ?><data><nop /></data>";
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "failed to wait for HELLO: ");
			return FALSE;
		}
		g_clear_error(&error_local);
		/* a programmer left running on a byte stream still waits for the
		 * end of a document: a <nop> completes it and gets an answer */
		g_debug("no answer either: asking a programmer that may be running");
		if (!ub_transport_write(self->transport,
					(const guint8 *)nop,
					strlen(nop),
					UB_TRANSPORT_WRITE_FLAG_NONE,
					UB_SAHARA_WRITE_TIMEOUT_MS,
					cancellable,
					error)) {
			g_prefix_error(error, "failed to wait for HELLO: ");
			return FALSE;
		}
	}
	while (error_local == NULL && self->pending->len < 5 && ub_sahara_pending_may_be_xml(self)) {
		if (!ub_sahara_fill(self,
				    g_get_monotonic_time() +
					(gint64)timeout_ms * G_TIME_SPAN_MILLISECOND,
				    cancellable,
				    &error_local))
			break;
	}
	if (self->pending->len >= 5 && ub_sahara_pending_may_be_xml(self)) {
		/* its answers to our probes are not for the next command */
		g_debug("a Firehose programmer is already running");
		while (ub_sahara_fill(self,
				      g_get_monotonic_time() +
					  (gint64)UB_SAHARA_PROBE_DRAIN_MS * G_TIME_SPAN_MILLISECOND,
				      cancellable,
				      NULL)) {
		}
		g_byte_array_set_size(self->pending, 0);
		self->firehose_running = TRUE;
		return TRUE;
	}
	if (error_local == NULL &&
	    ub_sahara_read_packet(self, &pkt, timeout_ms, cancellable, &error_local) &&
	    pkt.cmd == UB_SAHARA_CMD_CMD_READY) {
		/* the version is unknown: treated as 2 until SWITCH_MODE brings a HELLO */
		self->hello.cmd = UB_SAHARA_CMD_HELLO;
		self->hello.version = UB_SAHARA_HOST_VERSION;
		self->hello.version_compatible = UB_SAHARA_HOST_VERSION_COMPATIBLE;
		self->hello.mode = UB_SAHARA_MODE_COMMAND;
		self->in_command_mode = TRUE;
		return TRUE;
	}
	if (error_local == NULL && pkt.cmd == UB_SAHARA_CMD_END_OF_IMAGE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NEEDS_REPLUG,
			    "the phone's HELLO was lost and it refused the late answer: %s "
			    "(status 0x%02x): %s",
			    ub_sahara_status_to_string(pkt.status),
			    pkt.status,
			    UB_SAHARA_ADVICE_REPLUG);
		return FALSE;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NEEDS_REPLUG,
		    "the phone did not say HELLO within %u ms%s%s: %s",
		    self->hello_timeout_ms,
		    error_local != NULL ? " and did not answer: " : "",
		    error_local != NULL ? error_local->message : "",
		    UB_SAHARA_ADVICE_REPLUG);
	return FALSE;
}

/**
 * ub_sahara_wait_hello:
 * @self: a #UbSahara
 * @firehose_running: (out) (optional): set when a Firehose programmer answers instead
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Waits for the device's HELLO; see the header.
 *
 * Returns: %TRUE when HELLO came or a programmer is already running
 */
gboolean
ub_sahara_wait_hello(UbSahara *self,
		     gboolean *firehose_running,
		     GCancellable *cancellable,
		     GError **error)
{
	gint64 deadline;
	UbSaharaPacket pkt = {0};
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(UB_IS_SAHARA(self), FALSE);

	if (firehose_running != NULL)
		*firehose_running = FALSE;
	if (self->have_hello || self->in_command_mode)
		return TRUE;

	/* the first bytes tell Sahara from a Firehose programmer left running */
	deadline = g_get_monotonic_time() + (gint64)self->hello_timeout_ms * G_TIME_SPAN_MILLISECOND;
	while (self->pending->len < 5 && ub_sahara_pending_may_be_xml(self)) {
		gint64 nudge = g_get_monotonic_time() +
			       (gint64)UB_SAHARA_HELLO_NUDGE_MS * G_TIME_SPAN_MILLISECOND;
		gboolean may_nudge = self->pending->len == 0 && nudge < deadline;
		if (!ub_sahara_fill(self, may_nudge ? nudge : deadline, cancellable, &error_local)) {
			if (may_nudge && g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
				if (!ub_sahara_nudge(self, deadline, cancellable, error))
					return FALSE;
				if (firehose_running != NULL)
					*firehose_running = self->firehose_running;
				return TRUE;
			}
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_NEEDS_REPLUG,
					    "the phone did not say HELLO within %u ms: %s",
					    self->hello_timeout_ms,
					    UB_SAHARA_ADVICE_REPLUG);
				return FALSE;
			}
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "failed to wait for HELLO: ");
			return FALSE;
		}
	}
	if (ub_sahara_pending_may_be_xml(self)) {
		g_debug("a Firehose programmer is already running");
		self->firehose_running = TRUE;
		if (firehose_running != NULL)
			*firehose_running = TRUE;
		return TRUE;
	}

	/* the rest of the packet */
	{
		gint64 now = g_get_monotonic_time();
		guint timeout_ms = (guint)MAX((deadline - now) / G_TIME_SPAN_MILLISECOND,
					      UB_SAHARA_PACKET_TIMEOUT_MS);
		if (!ub_sahara_read_packet(self, &pkt, timeout_ms, cancellable, &error_local)) {
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT) ||
			    g_error_matches(error_local, UB_ERROR, UB_ERROR_PROTOCOL)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_NEEDS_REPLUG,
					    "the phone did not send a valid HELLO (%s): %s",
					    error_local->message,
					    UB_SAHARA_ADVICE_REPLUG);
				return FALSE;
			}
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "failed to wait for HELLO: ");
			return FALSE;
		}
	}
	if (pkt.cmd != UB_SAHARA_CMD_HELLO) {
		/* a session someone else started, or one of ours that failed */
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NEEDS_REPLUG,
			    "the phone sent %s instead of HELLO, so it is in the middle of an "
			    "earlier session: %s",
			    ub_sahara_cmd_to_string(pkt.cmd),
			    UB_SAHARA_ADVICE_REPLUG);
		return FALSE;
	}
	g_debug("HELLO: version %u (compatible %u), max packet 0x%x, mode %u",
		pkt.version,
		pkt.version_compatible,
		pkt.max_len,
		pkt.mode);
	self->hello = pkt;
	self->have_hello = TRUE;
	self->in_command_mode = FALSE;
	return TRUE;
}

/* waits for HELLO unless it came already; a running programmer is an error here */
static gboolean
ub_sahara_ensure_hello(UbSahara *self, GCancellable *cancellable, GError **error)
{
	gboolean firehose_running = FALSE;
	if (self->firehose_running) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "a Firehose programmer is already running: Sahara is over until "
				    "the phone restarts");
		return FALSE;
	}
	if (!ub_sahara_wait_hello(self, &firehose_running, cancellable, error))
		return FALSE;
	if (firehose_running) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "a Firehose programmer is already running: Sahara is over until "
				    "the phone restarts");
		return FALSE;
	}
	if (self->hello.mode == UB_SAHARA_MODE_MEMORY_DEBUG) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "the phone is in crash-dump mode (memory debug), not in EDL: "
				    "turn it off and enter EDL again");
		return FALSE;
	}
	return TRUE;
}

/*
 * One EXECUTE item: EXECUTE, EXECUTE_RESP (or END_OF_IMAGE 0x01 = refused:
 * returns TRUE with *@blob NULL), EXECUTE_DATA, the raw answer.
 */
static gboolean
ub_sahara_execute(UbSahara *self,
		  guint32 client_cmd,
		  GBytes **blob,
		  GCancellable *cancellable,
		  GError **error)
{
	UbSaharaPacket st = {.cmd = UB_SAHARA_CMD_EXECUTE, .client_cmd = client_cmd};
	UbSaharaPacket st_resp = {0};
	g_autofree guint8 *buf = NULL;

	*blob = NULL;
	if (!ub_sahara_write_packet(self, &st, cancellable, error))
		return FALSE;
	if (!ub_sahara_read_packet(self, &st_resp, UB_SAHARA_PACKET_TIMEOUT_MS, cancellable, error))
		return FALSE;
	if (st_resp.cmd == UB_SAHARA_CMD_END_OF_IMAGE) {
		g_debug("EXECUTE 0x%02x refused: %s (0x%02x)",
			client_cmd,
			ub_sahara_status_to_string(st_resp.status),
			st_resp.status);
		return TRUE;
	}
	if (st_resp.cmd != UB_SAHARA_CMD_EXECUTE_RESP) {
		ub_sahara_set_unexpected(&st_resp, "EXECUTE_RESP", error);
		return FALSE;
	}
	if (st_resp.client_cmd != client_cmd) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "EXECUTE_RESP for command 0x%x, asked 0x%x",
			    st_resp.client_cmd,
			    client_cmd);
		return FALSE;
	}
	if (st_resp.data_len > UB_SAHARA_EXEC_DATA_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "EXECUTE 0x%x announces %" G_GUINT64_FORMAT " bytes, more than %u",
			    client_cmd,
			    st_resp.data_len,
			    (guint)UB_SAHARA_EXEC_DATA_MAX);
		return FALSE;
	}
	st.cmd = UB_SAHARA_CMD_EXECUTE_DATA;
	if (!ub_sahara_write_packet(self, &st, cancellable, error))
		return FALSE;
	buf = g_malloc0(MAX(st_resp.data_len, 1));
	if (!ub_sahara_read_raw(self,
				buf,
				(gsize)st_resp.data_len,
				UB_SAHARA_PACKET_TIMEOUT_MS,
				cancellable,
				error))
		return FALSE;
	*blob = g_bytes_new_take(g_steal_pointer(&buf), (gsize)st_resp.data_len);
	return TRUE;
}

static gboolean
ub_sahara_read_chip_info_items(UbSahara *self,
			       UbSaharaChipInfo *info,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(GBytes) serial = NULL;
	g_autoptr(GBytes) ident = NULL;
	g_autoptr(GBytes) pk_hash = NULL;
	g_autoptr(GError) error_local = NULL;
	gboolean v3 = self->hello.version >= 3;
	const guint8 *buf;
	gsize bufsz = 0;

	/* serial number: every version */
	if (!ub_sahara_execute(self, UB_SAHARA_EXEC_SERIAL_NUM_READ, &serial, cancellable, error))
		return FALSE;
	if (serial != NULL) {
		buf = g_bytes_get_data(serial, &bufsz);
		if (ub_mem_read_u32_le_safe(buf, bufsz, 0, &info->serial, &error_local))
			info->has_serial = TRUE;
		else
			g_debug("ignoring serial number: %s", error_local->message);
		g_clear_error(&error_local);
	}

	/* identity: MSM HW ID up to v2, the chip id block on v3 */
	if (!ub_sahara_execute(self,
			       v3 ? UB_SAHARA_EXEC_CHIP_ID_V3_READ : UB_SAHARA_EXEC_MSM_HW_ID_READ,
			       &ident,
			       cancellable,
			       error))
		return FALSE;
	/* after a lost HELLO the version is unknown: a v3 phone refuses the HW ID */
	if (ident == NULL && !v3 && self->in_command_mode) {
		if (!ub_sahara_execute(self,
				       UB_SAHARA_EXEC_CHIP_ID_V3_READ,
				       &ident,
				       cancellable,
				       error))
			return FALSE;
		v3 = ident != NULL;
	}
	if (ident != NULL) {
		gboolean ok;
		buf = g_bytes_get_data(ident, &bufsz);
		if (v3)
			ok = ub_sahara_chip_info_set_v3(info, buf, bufsz, &error_local);
		else
			ok = ub_sahara_chip_info_set_hwid(info, buf, bufsz, &error_local);
		if (!ok)
			g_debug("ignoring chip identity: %s", error_local->message);
		g_clear_error(&error_local);
	}

	/* PK hash: v3 devices often refuse it */
	if (!ub_sahara_execute(self, UB_SAHARA_EXEC_OEM_PK_HASH_READ, &pk_hash, cancellable, error))
		return FALSE;
	if (pk_hash != NULL) {
		buf = g_bytes_get_data(pk_hash, &bufsz);
		if (!ub_sahara_chip_info_set_pk_hash(info, buf, bufsz, &error_local))
			g_debug("ignoring PK hash: %s", error_local->message);
		g_clear_error(&error_local);
	}
	return TRUE;
}

/**
 * ub_sahara_read_chip_info:
 * @self: a #UbSahara
 * @info: (out caller-allocates): filled with what the phone tells
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Command mode; see the header. v1 devices have none: @info then only holds
 * the Sahara version and the HELLO stays unanswered for the upload.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sahara_read_chip_info(UbSahara *self,
			 UbSaharaChipInfo *info,
			 GCancellable *cancellable,
			 GError **error)
{
	UbSaharaPacket pkt = {0};
	UbSaharaPacket st = {.cmd = UB_SAHARA_CMD_SWITCH_MODE, .mode = UB_SAHARA_MODE_IMAGE_TX_PENDING};
	gboolean firehose_running = FALSE;

	g_return_val_if_fail(UB_IS_SAHARA(self), FALSE);
	g_return_val_if_fail(info != NULL, FALSE);

	if (!ub_sahara_ensure_hello(self, cancellable, error))
		return FALSE;
	info->sahara_version = self->hello.version;
	if (self->hello.version < 2) {
		g_debug("Sahara v%u has no command mode", self->hello.version);
		return TRUE;
	}

	/* command mode, unless the lost-HELLO nudge asked for it already */
	if (self->in_command_mode) {
		pkt.cmd = UB_SAHARA_CMD_CMD_READY;
	} else {
		if (!ub_sahara_send_hello_resp(self, UB_SAHARA_MODE_COMMAND, cancellable, error)) {
			ub_sahara_convert_error(error, "asking for command mode");
			return FALSE;
		}
		if (!ub_sahara_read_packet(self,
					   &pkt,
					   UB_SAHARA_PACKET_TIMEOUT_MS,
					   cancellable,
					   error)) {
			ub_sahara_convert_error(error, "asking for command mode");
			return FALSE;
		}
	}
	if (pkt.cmd != UB_SAHARA_CMD_CMD_READY) {
		ub_sahara_set_unexpected(&pkt, "CMD_READY", error);
		g_prefix_error(error, "the phone refused command mode: ");
		return FALSE;
	}
	if (!ub_sahara_read_chip_info_items(self, info, cancellable, error)) {
		ub_sahara_convert_error(error, "reading the chip identity");
		return FALSE;
	}

	/* back to image transfer: the phone says HELLO again, ready for the upload */
	if (!ub_sahara_write_packet(self, &st, cancellable, error)) {
		ub_sahara_convert_error(error, "leaving command mode");
		return FALSE;
	}
	self->in_command_mode = FALSE;
	if (!ub_sahara_wait_hello(self, &firehose_running, cancellable, error))
		return FALSE;
	if (firehose_running) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the phone answered SWITCH_MODE with Firehose output");
		return FALSE;
	}
	return TRUE;
}

/* the error of an END_OF_IMAGE with a non-zero status, with advice */
static void
ub_sahara_set_image_error(guint32 status, GError **error)
{
	const gchar *reason = ub_sahara_status_to_string(status);
	if (status == 0x21 || status == 0x22 || status == 0x25) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "the phone refused the programmer: %s (status 0x%02x): the programmer "
			    "is not signed for this phone: use the programmer for this exact model",
			    reason,
			    status);
		return;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NEEDS_REPLUG,
		    "the phone stopped loading the programmer: %s (status 0x%02x): %s",
		    reason,
		    status,
		    UB_SAHARA_ADVICE_REPLUG);
}

/* answers one READ_DATA(64) with exactly the bytes asked */
static gboolean
ub_sahara_serve(UbSahara *self,
		const UbSaharaPacket *pkt,
		GInputStream *stream,
		guint64 size,
		GByteArray *buf,
		GCancellable *cancellable,
		GError **error)
{
	gsize got = 0;

	if (pkt->image_id != UB_SAHARA_IMAGE_ID_FIREHOSE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the phone asks for image %" G_GUINT64_FORMAT
			    ", only the Firehose programmer (image %u) can be served",
			    pkt->image_id,
			    (guint)UB_SAHARA_IMAGE_ID_FIREHOSE);
		return FALSE;
	}
	if (pkt->data_len == 0 || pkt->data_len > UB_SAHARA_READ_DATA_MAX ||
	    pkt->offset > size || pkt->data_len > size - pkt->offset) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the phone asks for %" G_GUINT64_FORMAT " bytes at offset %" G_GUINT64_FORMAT
			    " of a %" G_GUINT64_FORMAT "-byte programmer: the file is not a "
			    "programmer for this phone, or it is truncated",
			    pkt->data_len,
			    pkt->offset,
			    size);
		return FALSE;
	}
	if (!g_seekable_seek(G_SEEKABLE(stream),
			     (goffset)pkt->offset,
			     G_SEEK_SET,
			     cancellable,
			     error)) {
		g_prefix_error(error, "failed to seek in the programmer: ");
		return FALSE;
	}
	g_byte_array_set_size(buf, (guint)pkt->data_len);
	if (!g_input_stream_read_all(stream, buf->data, buf->len, &got, cancellable, error)) {
		g_prefix_error(error, "failed to read the programmer: ");
		return FALSE;
	}
	if (got != buf->len) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "the programmer file shrank while being read");
		return FALSE;
	}
	/* raw bytes, no header and never a ZLP after them (edl.md a.1, qdl #320) */
	if (!ub_transport_write(self->transport,
				buf->data,
				buf->len,
				UB_TRANSPORT_WRITE_FLAG_NONE,
				UB_SAHARA_WRITE_TIMEOUT_MS,
				cancellable,
				error)) {
		g_prefix_error(error,
			       "failed to send programmer bytes at %" G_GUINT64_FORMAT ": ",
			       pkt->offset);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_sahara_upload_loop(UbSahara *self,
		      GInputStream *stream,
		      guint64 size,
		      UbProgress *progress,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint64 served = 0;

	for (;;) {
		UbSaharaPacket pkt = {0};
		UbSaharaPacket st = {.cmd = UB_SAHARA_CMD_DONE};

		if (!ub_sahara_read_packet(self,
					   &pkt,
					   UB_SAHARA_PACKET_TIMEOUT_MS,
					   cancellable,
					   error)) {
			ub_sahara_convert_error(error, "loading the programmer");
			return FALSE;
		}
		switch (pkt.cmd) {
		case UB_SAHARA_CMD_READ_DATA:
		case UB_SAHARA_CMD_READ_DATA64:
			if (!ub_sahara_serve(self, &pkt, stream, size, buf, cancellable, error)) {
				if (error != NULL && *error != NULL &&
				    !g_error_matches(*error, UB_ERROR, UB_ERROR_INVALID_DATA))
					ub_sahara_convert_error(error, "loading the programmer");
				return FALSE;
			}
			served = MIN(served + pkt.data_len, size);
			if (progress != NULL)
				ub_progress_set_bytes(progress, served, size);
			break;
		case UB_SAHARA_CMD_END_OF_IMAGE:
			if (pkt.status != UB_SAHARA_STATUS_SUCCESS) {
				ub_sahara_set_image_error(pkt.status, error);
				return FALSE;
			}
			if (!ub_sahara_write_packet(self, &st, cancellable, error)) {
				ub_sahara_convert_error(error, "finishing the upload");
				return FALSE;
			}
			if (!ub_sahara_read_packet(self,
						   &pkt,
						   UB_SAHARA_PACKET_TIMEOUT_MS,
						   cancellable,
						   error)) {
				/* DONE_RESP lost, but the programmer already talks: it runs */
				if (self->pending->len >= 5 &&
				    memcmp(self->pending->data, "<?xml", 5) == 0) {
					g_debug("no DONE_RESP, but the programmer is talking");
					g_clear_error(error);
					if (progress != NULL)
						ub_progress_set_bytes(progress, size, size);
					return TRUE;
				}
				ub_sahara_convert_error(error, "finishing the upload");
				return FALSE;
			}
			if (pkt.cmd != UB_SAHARA_CMD_DONE_RESP) {
				ub_sahara_set_unexpected(&pkt, "DONE_RESP", error);
				return FALSE;
			}
			/* 0 = more images pending; MSM8916 says so after its only image, and
			 * image 13 is the only one we serve, so it is complete either way */
			if (pkt.status == UB_SAHARA_MODE_IMAGE_TX_PENDING)
				g_debug("DONE_RESP says more images pending: ignored, as qdl does");
			if (progress != NULL)
				ub_progress_set_bytes(progress, size, size);
			return TRUE;
		case UB_SAHARA_CMD_HELLO:
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NEEDS_REPLUG,
				    "the phone restarted Sahara while loading the programmer: %s",
				    UB_SAHARA_ADVICE_REPLUG);
			return FALSE;
		default:
			ub_sahara_set_unexpected(&pkt, "READ_DATA or END_OF_IMAGE", error);
			return FALSE;
		}
	}
}

/**
 * ub_sahara_upload:
 * @self: a #UbSahara
 * @programmer: the Firehose programmer (ELF or MBN)
 * @progress: (nullable): gets bytes served of the file size
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Image transfer; see the header.
 *
 * Returns: %TRUE when the programmer runs
 */
gboolean
ub_sahara_upload(UbSahara *self,
		 GFile *programmer,
		 UbProgress *progress,
		 GCancellable *cancellable,
		 GError **error)
{
	g_autoptr(GFileInfo) info = NULL;
	g_autoptr(GFileInputStream) stream = NULL;
	guint64 size;

	g_return_val_if_fail(UB_IS_SAHARA(self), FALSE);
	g_return_val_if_fail(G_IS_FILE(programmer), FALSE);

	info = g_file_query_info(programmer,
				 G_FILE_ATTRIBUTE_STANDARD_SIZE,
				 G_FILE_QUERY_INFO_NONE,
				 cancellable,
				 error);
	if (info == NULL) {
		g_prefix_error(error, "failed to open the programmer: ");
		return FALSE;
	}
	size = (guint64)g_file_info_get_size(info);
	if (size == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the programmer file is empty");
		return FALSE;
	}
	stream = g_file_read(programmer, cancellable, error);
	if (stream == NULL) {
		g_prefix_error(error, "failed to open the programmer: ");
		return FALSE;
	}
	if (!ub_sahara_ensure_hello(self, cancellable, error))
		return FALSE;
	if (self->in_command_mode) {
		UbSaharaPacket st = {.cmd = UB_SAHARA_CMD_SWITCH_MODE,
				     .mode = UB_SAHARA_MODE_IMAGE_TX_PENDING};
		gboolean firehose_running = FALSE;
		if (!ub_sahara_write_packet(self, &st, cancellable, error)) {
			ub_sahara_convert_error(error, "leaving command mode");
			return FALSE;
		}
		self->in_command_mode = FALSE;
		if (!ub_sahara_wait_hello(self, &firehose_running, cancellable, error))
			return FALSE;
	}
	if (progress != NULL)
		ub_progress_set_bytes(progress, 0, size);
	if (!ub_sahara_send_hello_resp(self, UB_SAHARA_MODE_IMAGE_TX_PENDING, cancellable, error)) {
		ub_sahara_convert_error(error, "answering HELLO");
		return FALSE;
	}
	return ub_sahara_upload_loop(self, G_INPUT_STREAM(stream), size, progress, cancellable, error);
}

/**
 * ub_sahara_reset:
 * @self: a #UbSahara
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * RESET, then waits for RESET_RESP.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sahara_reset(UbSahara *self, GCancellable *cancellable, GError **error)
{
	UbSaharaPacket st = {.cmd = UB_SAHARA_CMD_RESET};
	UbSaharaPacket pkt = {0};

	g_return_val_if_fail(UB_IS_SAHARA(self), FALSE);

	if (!ub_sahara_write_packet(self, &st, cancellable, error) ||
	    !ub_sahara_read_packet(self, &pkt, UB_SAHARA_PACKET_TIMEOUT_MS, cancellable, error)) {
		ub_sahara_convert_error(error, "resetting the phone");
		return FALSE;
	}
	if (pkt.cmd != UB_SAHARA_CMD_RESET_RESP) {
		ub_sahara_set_unexpected(&pkt, "RESET_RESP", error);
		return FALSE;
	}
	self->have_hello = FALSE;
	return TRUE;
}

/**
 * ub_sahara_steal_pending:
 * @self: a #UbSahara
 *
 * Returns: (transfer full) (nullable): the bytes read past the last packet,
 * %NULL when there are none
 */
GBytes *
ub_sahara_steal_pending(UbSahara *self)
{
	GBytes *blob;
	g_return_val_if_fail(UB_IS_SAHARA(self), NULL);
	if (self->pending->len == 0)
		return NULL;
	blob = g_bytes_new(self->pending->data, self->pending->len);
	g_byte_array_set_size(self->pending, 0);
	return blob;
}

/* the chip table: data/edl-chips.json compiled in; msm id -> name, loaded once */
static GHashTable *
ub_edl_chip_table_load(void)
{
	g_autoptr(GHashTable) table = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GList) members = NULL;
	JsonNode *root;
	JsonObject *obj;
	JsonNode *chips;

	blob = g_resource_lookup_data(ub_edl_get_resource(),
				      "/io/github/unbrick/Unbrick/edl/edl-chips.json",
				      G_RESOURCE_LOOKUP_FLAGS_NONE,
				      &error_local);
	if (blob == NULL) {
		g_warning("no chip table: %s", error_local->message);
		return g_steal_pointer(&table);
	}
	if (!json_parser_load_from_data(parser,
					g_bytes_get_data(blob, NULL),
					(gssize)g_bytes_get_size(blob),
					&error_local)) {
		g_warning("chip table: %s", error_local->message);
		return g_steal_pointer(&table);
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return g_steal_pointer(&table);
	obj = json_node_get_object(root);
	chips = json_object_get_member(obj, "chips");
	if (chips == NULL || !JSON_NODE_HOLDS_OBJECT(chips))
		return g_steal_pointer(&table);
	members = json_object_get_members(json_node_get_object(chips));
	for (GList *l = members; l != NULL; l = l->next) {
		const gchar *key = l->data;
		JsonNode *node = json_object_get_member(json_node_get_object(chips), key);
		guint64 id = 0;
		if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
		    json_node_get_value_type(node) != G_TYPE_STRING)
			continue;
		if (!g_str_has_prefix(key, "0x") ||
		    !g_ascii_string_to_unsigned(key + 2, 16, 0, G_MAXUINT32, &id, NULL))
			continue;
		g_hash_table_insert(table,
				    GUINT_TO_POINTER((guint)id),
				    g_strdup(json_node_get_string(node)));
	}
	return g_steal_pointer(&table);
}

/**
 * ub_edl_chip_name:
 * @msm_id: the MSM id from Sahara command mode
 *
 * Looks the SoC up in data/edl-chips.json; the JTAG version nibble (bits
 * 28-31) is ignored when the exact id is not listed.
 *
 * Returns: (nullable): "SM8150 (Snapdragon 855)", or %NULL when unknown
 */
const gchar *
ub_edl_chip_name(guint32 msm_id)
{
	static gsize table_init = 0;
	static GHashTable *table = NULL;
	const gchar *name;

	if (g_once_init_enter(&table_init)) {
		table = ub_edl_chip_table_load();
		g_once_init_leave(&table_init, 1);
	}
	name = g_hash_table_lookup(table, GUINT_TO_POINTER((guint)msm_id));
	if (name == NULL)
		name = g_hash_table_lookup(table, GUINT_TO_POINTER((guint)(msm_id & 0x0fffffff)));
	return name;
}
