/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbMtk"

#include <string.h>

#include "ub-error.h"
#include "ub-mem.h"
#include "ub-mtk-brom.h"

/* the whole handshake, when the caller does not say */
#define UB_MTK_BROM_HANDSHAKE_TIMEOUT_MS_DEFAULT 5000
/* the answer to each of 0A 50 05 (mtk.md a.2: mtkclient waits ~500 ms per byte) */
#define UB_MTK_BROM_HANDSHAKE_BYTE_MS 500
/* the answer to the first 0xA0: a preloader may eat it and then gives the rest
 * of the sequence only ~300 ms, so a resent 0xA0 must land inside that window */
#define UB_MTK_BROM_HANDSHAKE_FIRST_MS 200
/* silence that ends the draining of stale bytes after a wrong answer */
#define UB_MTK_BROM_DRAIN_MS 50
/* at most this much is thrown away by one drain (a preloader repeating "READY") */
#define UB_MTK_BROM_DRAIN_MAX 4096
/* what a drain keeps to recognise the sender */
#define UB_MTK_BROM_SEEN_MAX 16
/* each echo, result and status of a command */
#define UB_MTK_BROM_CMD_TIMEOUT_MS 2000
/* commands old chips may not know (GET_ME_ID, GET_SOC_ID): refused quickly */
#define UB_MTK_BROM_OPTIONAL_TIMEOUT_MS 500
/* writes: the time without progress */
#define UB_MTK_BROM_WRITE_TIMEOUT_MS 5000
/* the checksum and status after an upload: the BROM verifies the signature first */
#define UB_MTK_BROM_UPLOAD_TIMEOUT_MS 10000
/* one write of an upload: the transport splits it into packets itself */
#define UB_MTK_BROM_UPLOAD_CHUNK (64 * 1024)
/* ME_ID is 16 bytes, SOC_ID 32: a longer length means we are out of step */
#define UB_MTK_BROM_ID_MAX 256
/* values a READ32/WRITE32 carries at once */
#define UB_MTK_BROM_RW_MAX 0x10000

#define UB_MTK_BROM_ADVICE                                                                         \
	"check the cable and plug it straight into a USB port of the computer (no hub); "          \
	"stop ModemManager or install a udev rule that sets ENV{ID_MM_DEVICE_IGNORE}=\"1\" for "   \
	"0e8d devices (it probes new serial ports and garbles the handshake); remove brltty, "     \
	"which grabs such ports on some distributions; then power the phone off, hold Volume "     \
	"Down and plug it in"

struct _UbMtkBrom {
	GObject parent_instance;
	UbTransport *transport;
	guint handshake_timeout_ms;
	guint timeout_limit_ms; /* 0: the protocol's own timeouts */
	gboolean is_preloader; /* from GET_BL_VER in identify */
};

G_DEFINE_TYPE(UbMtkBrom, ub_mtk_brom, G_TYPE_OBJECT)

static const gchar *
ub_mtk_brom_cmd_to_string(guint8 cmd)
{
	switch (cmd) {
	case UB_MTK_BROM_CMD_GET_BL_VER:
		return "GET_BL_VER";
	case UB_MTK_BROM_CMD_GET_VERSION:
		return "GET_VERSION";
	case UB_MTK_BROM_CMD_GET_HW_CODE:
		return "GET_HW_CODE";
	case UB_MTK_BROM_CMD_GET_HW_SW_VER:
		return "GET_HW_SW_VER";
	case UB_MTK_BROM_CMD_GET_PL_CAP:
		return "GET_PL_CAP";
	case UB_MTK_BROM_CMD_GET_TARGET_CONFIG:
		return "GET_TARGET_CONFIG";
	case UB_MTK_BROM_CMD_READ16:
		return "READ16";
	case UB_MTK_BROM_CMD_READ32:
		return "READ32";
	case UB_MTK_BROM_CMD_WRITE16:
		return "WRITE16";
	case UB_MTK_BROM_CMD_WRITE32:
		return "WRITE32";
	case UB_MTK_BROM_CMD_JUMP_DA:
		return "JUMP_DA";
	case UB_MTK_BROM_CMD_SEND_DA:
		return "SEND_DA";
	case UB_MTK_BROM_CMD_JUMP_DA64:
		return "JUMP_DA64";
	case UB_MTK_BROM_CMD_SEND_CERT:
		return "SEND_CERT";
	case UB_MTK_BROM_CMD_GET_ME_ID:
		return "GET_ME_ID";
	case UB_MTK_BROM_CMD_SEND_AUTH:
		return "SEND_AUTH";
	case UB_MTK_BROM_CMD_GET_SOC_ID:
		return "GET_SOC_ID";
	default:
		return "unknown command";
	}
}

/* the low-level pieces: every multi-byte field is big-endian */

/* a wait, capped by the limit tests set */
static guint
ub_mtk_brom_timeout(UbMtkBrom *self, guint timeout_ms)
{
	if (self->timeout_limit_ms > 0 && timeout_ms > self->timeout_limit_ms)
		return self->timeout_limit_ms;
	return timeout_ms;
}

static gboolean
ub_mtk_brom_write(UbMtkBrom *self,
		  const guint8 *buf,
		  gsize bufsz,
		  GCancellable *cancellable,
		  GError **error)
{
	return ub_transport_write(self->transport,
				  buf,
				  bufsz,
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  ub_mtk_brom_timeout(self, UB_MTK_BROM_WRITE_TIMEOUT_MS),
				  cancellable,
				  error);
}

/* exactly @bufsz bytes: a tty may hand them over in pieces, USB in one packet */
static gboolean
ub_mtk_brom_read(UbMtkBrom *self,
		 guint8 *buf,
		 gsize bufsz,
		 guint timeout_ms,
		 GCancellable *cancellable,
		 GError **error)
{
	if (!ub_transport_read_exact(self->transport,
				     buf,
				     bufsz,
				     ub_mtk_brom_timeout(self, timeout_ms),
				     cancellable,
				     error)) {
		/* say what it means before the transport's details */
		if (error != NULL && g_error_matches(*error, UB_ERROR, UB_ERROR_TIMED_OUT))
			g_prefix_error(error, "the phone did not answer: ");
		return FALSE;
	}
	return TRUE;
}

/* throws away whatever arrives until @silence_ms pass without a byte; the
 * first bytes are kept in @seen when given */
static gboolean
ub_mtk_brom_drain_seen(UbMtkBrom *self,
		       guint silence_ms,
		       GByteArray *seen,
		       GCancellable *cancellable,
		       GError **error)
{
	gsize total = 0;
	while (total < UB_MTK_BROM_DRAIN_MAX) {
		guint8 buf[64];
		g_autoptr(GError) error_local = NULL;
		gssize n = ub_transport_read(self->transport,
					     buf,
					     sizeof(buf),
					     silence_ms,
					     cancellable,
					     &error_local);
		if (n < 0) {
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT))
				return TRUE;
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		if (seen != NULL && seen->len < UB_MTK_BROM_SEEN_MAX)
			g_byte_array_append(seen,
					    buf,
					    (guint)MIN((gsize)n, UB_MTK_BROM_SEEN_MAX - seen->len));
		total += (gsize)n;
	}
	return TRUE;
}

static gboolean
ub_mtk_brom_drain(UbMtkBrom *self, guint silence_ms, GCancellable *cancellable, GError **error)
{
	return ub_mtk_brom_drain_seen(self, silence_ms, NULL, cancellable, error);
}

/* sends a command byte and checks the echo */
static gboolean
ub_mtk_brom_send_cmd(UbMtkBrom *self,
		     guint8 cmd,
		     guint timeout_ms,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 echo = 0;
	if (!ub_mtk_brom_write(self, &cmd, 1, cancellable, error) ||
	    !ub_mtk_brom_read(self, &echo, 1, timeout_ms, cancellable, error)) {
		g_prefix_error(error, "%s: ", ub_mtk_brom_cmd_to_string(cmd));
		return FALSE;
	}
	if (echo != cmd) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "%s: sent command 0x%02X, the phone echoed 0x%02X",
			    ub_mtk_brom_cmd_to_string(cmd),
			    cmd,
			    echo);
		return FALSE;
	}
	return TRUE;
}

/* "10 00 70 00" */
static gchar *
ub_mtk_brom_hex_bytes(const guint8 *buf, gsize bufsz)
{
	GString *str = g_string_new(NULL);
	for (gsize i = 0; i < bufsz; i++)
		g_string_append_printf(str, i == 0 ? "%02X" : " %02X", buf[i]);
	return g_string_free(str, FALSE);
}

/* writes a parameter and checks its echo */
static gboolean
ub_mtk_brom_echo(UbMtkBrom *self,
		 guint8 cmd,
		 const gchar *what,
		 const guint8 *buf,
		 gsize bufsz,
		 GCancellable *cancellable,
		 GError **error)
{
	guint8 echo[4] = {0};
	g_return_val_if_fail(bufsz <= sizeof(echo), FALSE);
	if (!ub_mtk_brom_write(self, buf, bufsz, cancellable, error) ||
	    !ub_mtk_brom_read(self, echo, bufsz, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error)) {
		g_prefix_error(error, "%s %s: ", ub_mtk_brom_cmd_to_string(cmd), what);
		return FALSE;
	}
	if (memcmp(buf, echo, bufsz) != 0) {
		g_autofree gchar *sent = ub_mtk_brom_hex_bytes(buf, bufsz);
		g_autofree gchar *got = ub_mtk_brom_hex_bytes(echo, bufsz);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "%s %s: sent %s, the phone echoed %s",
			    ub_mtk_brom_cmd_to_string(cmd),
			    what,
			    sent,
			    got);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_mtk_brom_echo_u32(UbMtkBrom *self,
		     guint8 cmd,
		     const gchar *what,
		     guint32 value,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 buf[4];
	ub_mem_write_u32_be(buf, 0, value);
	return ub_mtk_brom_echo(self, cmd, what, buf, sizeof(buf), cancellable, error);
}

static gboolean
ub_mtk_brom_echo_u16(UbMtkBrom *self,
		     guint8 cmd,
		     const gchar *what,
		     guint16 value,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 buf[2];
	ub_mem_write_u16_be(buf, 0, value);
	return ub_mtk_brom_echo(self, cmd, what, buf, sizeof(buf), cancellable, error);
}

static gboolean
ub_mtk_brom_read_u16(UbMtkBrom *self,
		     guint8 cmd,
		     const gchar *what,
		     guint timeout_ms,
		     guint16 *value,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 buf[2] = {0};
	if (!ub_mtk_brom_read(self, buf, sizeof(buf), timeout_ms, cancellable, error)) {
		g_prefix_error(error, "%s %s: ", ub_mtk_brom_cmd_to_string(cmd), what);
		return FALSE;
	}
	*value = ub_mem_read_u16_be(buf, 0);
	return TRUE;
}

static gboolean
ub_mtk_brom_read_u32(UbMtkBrom *self,
		     guint8 cmd,
		     const gchar *what,
		     guint timeout_ms,
		     guint32 *value,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 buf[4] = {0};
	if (!ub_mtk_brom_read(self, buf, sizeof(buf), timeout_ms, cancellable, error)) {
		g_prefix_error(error, "%s %s: ", ub_mtk_brom_cmd_to_string(cmd), what);
		return FALSE;
	}
	*value = ub_mem_read_u32_be(buf, 0);
	return TRUE;
}

/* a status word: refusals decoded for the user */
static gboolean
ub_mtk_brom_check_status(guint8 cmd, guint16 status, GError **error)
{
	gint code = UB_ERROR_REFUSED;
	if (ub_mtk_status_is_ok(status))
		return TRUE;
	/* SLA (0x1D0D) and DA authentication (0x7015, 0x7017, 0x7024) want files from the OEM */
	if (status == 0x1D0D || status == 0x7015 || status == 0x7017 || status == 0x7024)
		code = UB_ERROR_AUTH_REQUIRED;
	g_set_error(error,
		    UB_ERROR,
		    code,
		    "%s refused (status 0x%04X): %s",
		    ub_mtk_brom_cmd_to_string(cmd),
		    status,
		    ub_mtk_status_to_string(status));
	return FALSE;
}

static gboolean
ub_mtk_brom_read_status(UbMtkBrom *self,
			guint8 cmd,
			guint timeout_ms,
			GCancellable *cancellable,
			GError **error)
{
	guint16 status = 0;
	if (!ub_mtk_brom_read_u16(self, cmd, "status", timeout_ms, &status, cancellable, error))
		return FALSE;
	return ub_mtk_brom_check_status(cmd, status, error);
}

/**
 * ub_mtk_brom_new:
 * @transport: the port of a phone in BootROM or preloader mode
 *
 * Returns: (transfer full): a new #UbMtkBrom
 */
UbMtkBrom *
ub_mtk_brom_new(UbTransport *transport)
{
	UbMtkBrom *self;
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), NULL);
	self = g_object_new(UB_TYPE_MTK_BROM, NULL);
	self->transport = g_object_ref(transport);
	return self;
}

void
ub_mtk_brom_set_handshake_timeout(UbMtkBrom *self, guint timeout_ms)
{
	g_return_if_fail(UB_IS_MTK_BROM(self));
	self->handshake_timeout_ms = timeout_ms;
}

/**
 * ub_mtk_brom_set_timeout_limit:
 * @self: a #UbMtkBrom
 * @limit_ms: the longest any single wait may take, or 0 for the protocol's own
 *   timeouts (2 s for an answer, 10 s for the checksum after an upload)
 *
 * For tests of lost answers; the handshake keeps its own budget.
 */
void
ub_mtk_brom_set_timeout_limit(UbMtkBrom *self, guint limit_ms)
{
	g_return_if_fail(UB_IS_MTK_BROM(self));
	self->timeout_limit_ms = limit_ms;
}

void
ub_mtk_brom_info_clear(UbMtkBromInfo *info)
{
	if (info == NULL)
		return;
	g_clear_pointer(&info->me_id, g_free);
	g_clear_pointer(&info->soc_id, g_free);
	memset(info, 0, sizeof(*info));
}

/* "READY" output of a listening preloader: never an answer to the handshake
 * (the answers are 5F F5 AF FA, or A1 0B 51 06 for a wrong byte) */
static gboolean
ub_mtk_brom_is_ready_noise(guint8 byte)
{
	return byte == 'R' || byte == 'E' || byte == 'A' || byte == 'D' || byte == 'Y';
}

/* EF EE EE FE: the start of an XFlash frame (little-endian magic) */
static gboolean
ub_mtk_brom_is_xflash_frame(GByteArray *seen)
{
	return seen->len >= 4 && ub_mem_read_u32_le(seen->data, 0) == UB_MTK_XFLASH_MAGIC;
}

typedef enum {
	UB_MTK_BROM_ANSWER_OK,
	UB_MTK_BROM_ANSWER_WRONG,
	UB_MTK_BROM_ANSWER_MISSING,
} UbMtkBromAnswer;

/* sends one handshake byte and waits for its complement; FALSE only for
 * errors that end the handshake (cancelled, device gone) */
static gboolean
ub_mtk_brom_handshake_byte(UbMtkBrom *self,
			   guint idx,
			   gint64 deadline,
			   UbMtkBromAnswer *answer,
			   guint8 *got,
			   GCancellable *cancellable,
			   GError **error)
{
	guint8 byte = ub_mtk_handshake[idx];
	guint8 want = (guint8)~byte;
	guint wait_ms = idx == 0 ? UB_MTK_BROM_HANDSHAKE_FIRST_MS : UB_MTK_BROM_HANDSHAKE_BYTE_MS;
	gint64 byte_deadline =
	    MIN(deadline, g_get_monotonic_time() + (gint64)wait_ms * G_TIME_SPAN_MILLISECOND);
	g_autoptr(GError) error_local = NULL;

	*answer = UB_MTK_BROM_ANSWER_MISSING;
	if (!ub_transport_write(self->transport,
				&byte,
				1,
				UB_TRANSPORT_WRITE_FLAG_NONE,
				wait_ms,
				cancellable,
				&error_local)) {
		/* a port that takes nothing is a phone that does not listen yet */
		if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT))
			return TRUE;
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	for (;;) {
		gint64 now = g_get_monotonic_time();
		gssize n;
		guint8 c = 0;

		if (now >= byte_deadline)
			return TRUE;
		n = ub_transport_read(
		    self->transport,
		    &c,
		    1,
		    (guint)MAX((byte_deadline - now) / G_TIME_SPAN_MILLISECOND, 1),
		    cancellable,
		    &error_local);
		if (n < 0) {
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT))
				return TRUE;
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		/* a zero-length packet or the preloader's "READY": keep waiting */
		if (n == 0 || ub_mtk_brom_is_ready_noise(c))
			continue;
		*got = c;
		*answer = c == want ? UB_MTK_BROM_ANSWER_OK : UB_MTK_BROM_ANSWER_WRONG;
		return TRUE;
	}
}

gboolean
ub_mtk_brom_handshake(UbMtkBrom *self, GCancellable *cancellable, GError **error)
{
	guint budget_ms = self->handshake_timeout_ms > 0 ? self->handshake_timeout_ms
							 : UB_MTK_BROM_HANDSHAKE_TIMEOUT_MS_DEFAULT;
	gint64 deadline = g_get_monotonic_time() + (gint64)budget_ms * G_TIME_SPAN_MILLISECOND;
	g_autoptr(GString) wrong = g_string_new(NULL);
	g_autoptr(GByteArray) seen = g_byte_array_new();
	guint n_attempts = 0;
	guint n_missing = 0;
	guint idx = 0;

	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);

	while (idx < UB_MTK_HANDSHAKE_LEN) {
		UbMtkBromAnswer answer = UB_MTK_BROM_ANSWER_MISSING;
		guint8 got = 0;

		if (g_get_monotonic_time() >= deadline) {
			g_autofree gchar *what = NULL;
			if (wrong->len > 0)
				what = g_strdup_printf("wrong answers:%s", wrong->str);
			else
				what = g_strdup("the phone never answered");
			g_set_error(
			    error,
			    UB_ERROR,
			    UB_ERROR_TIMED_OUT,
			    "no MediaTek handshake on %s within %u ms after %u attempts (%s): %s",
			    ub_transport_get_name(self->transport),
			    budget_ms,
			    n_attempts,
			    what,
			    UB_MTK_BROM_ADVICE);
			return FALSE;
		}
		if (idx == 0)
			n_attempts++;
		if (!ub_mtk_brom_handshake_byte(self,
						idx,
						deadline,
						&answer,
						&got,
						cancellable,
						error)) {
			g_prefix_error(error, "MediaTek handshake failed: ");
			return FALSE;
		}
		switch (answer) {
		case UB_MTK_BROM_ANSWER_OK:
			idx++;
			break;
		case UB_MTK_BROM_ANSWER_WRONG:
			/* start over once the device has said all it had to say */
			g_debug("handshake byte 0x%02X answered 0x%02X, starting over",
				ub_mtk_handshake[idx],
				got);
			if (wrong->len < 48)
				g_string_append_printf(wrong, " %02X", got);
			idx = 0;
			g_byte_array_set_size(seen, 0);
			g_byte_array_append(seen, &got, 1);
			if (!ub_mtk_brom_drain_seen(self,
						    UB_MTK_BROM_DRAIN_MS,
						    seen,
						    cancellable,
						    error)) {
				g_prefix_error(error, "MediaTek handshake failed: ");
				return FALSE;
			}
			/* a DA does not handshake: it answers with a framed status */
			if (ub_mtk_brom_is_xflash_frame(seen)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_NEEDS_REPLUG,
					    "the phone on %s is still running the Download Agent of "
					    "an earlier connection: it answers with Download Agent "
					    "frames instead of the start handshake. Unplug it and "
					    "power it off (hold Power for 10 s if the screen stays "
					    "on), then connect it again in BootROM or preloader "
					    "mode",
					    ub_transport_get_name(self->transport));
				return FALSE;
			}
			break;
		case UB_MTK_BROM_ANSWER_MISSING:
			/* a preloader may swallow a 0xA0: resend from the start */
			g_debug("no answer to handshake byte 0x%02X, starting over",
				ub_mtk_handshake[idx]);
			n_missing++;
			idx = 0;
			break;
		default:
			g_assert_not_reached();
		}
	}
	g_debug("handshake done after %u attempts (%u without answer)", n_attempts, n_missing);
	return TRUE;
}

/* a command that may not exist on this chip: TRUE with *@value NULL when refused */
static gboolean
ub_mtk_brom_get_id(UbMtkBrom *self,
		   guint8 cmd,
		   gchar **value,
		   GCancellable *cancellable,
		   GError **error)
{
	guint32 len = 0;
	guint16 status = 0;
	g_autofree guint8 *buf = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GString) hex = g_string_new(NULL);

	*value = NULL;
	if (!ub_mtk_brom_send_cmd(self,
				  cmd,
				  UB_MTK_BROM_OPTIONAL_TIMEOUT_MS,
				  cancellable,
				  &error_local)) {
		if (g_error_matches(error_local, UB_ERROR, UB_ERROR_PROTOCOL) ||
		    g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
			g_debug("ignoring: %s", error_local->message);
			return ub_mtk_brom_drain(self, UB_MTK_BROM_DRAIN_MS, cancellable, error);
		}
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (!ub_mtk_brom_read_u32(self,
				  cmd,
				  "length",
				  UB_MTK_BROM_CMD_TIMEOUT_MS,
				  &len,
				  cancellable,
				  error))
		return FALSE;
	if (len > UB_MTK_BROM_ID_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "%s: impossible length %u",
			    ub_mtk_brom_cmd_to_string(cmd),
			    len);
		return FALSE;
	}
	buf = g_malloc0(MAX(len, 1));
	if (len > 0 &&
	    !ub_mtk_brom_read(self, buf, len, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error)) {
		g_prefix_error(error, "%s: ", ub_mtk_brom_cmd_to_string(cmd));
		return FALSE;
	}
	if (!ub_mtk_brom_read_u16(self,
				  cmd,
				  "status",
				  UB_MTK_BROM_CMD_TIMEOUT_MS,
				  &status,
				  cancellable,
				  error))
		return FALSE;
	if (!ub_mtk_status_is_ok(status)) {
		g_debug("ignoring: %s refused with status 0x%04X",
			ub_mtk_brom_cmd_to_string(cmd),
			status);
		return TRUE;
	}
	for (guint i = 0; i < len; i++)
		g_string_append_printf(hex, "%02X", buf[i]);
	*value = g_string_free(g_steal_pointer(&hex), FALSE);
	return TRUE;
}

/* a command whose answer is @n_words big-endian u16 words and a status */
static gboolean
ub_mtk_brom_query_words(UbMtkBrom *self,
			guint8 cmd,
			guint16 *words,
			guint n_words,
			GCancellable *cancellable,
			GError **error)
{
	g_autofree guint8 *buf = g_malloc0((gsize)n_words * 2);
	if (!ub_mtk_brom_send_cmd(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error))
		return FALSE;
	if (!ub_mtk_brom_read(self,
			      buf,
			      (gsize)n_words * 2,
			      UB_MTK_BROM_CMD_TIMEOUT_MS,
			      cancellable,
			      error)) {
		g_prefix_error(error, "%s: ", ub_mtk_brom_cmd_to_string(cmd));
		return FALSE;
	}
	for (guint i = 0; i < n_words; i++)
		words[i] = ub_mem_read_u16_be(buf, (gsize)i * 2);
	return ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error);
}

/* a command of one byte answered by one byte, neither echoed */
static gboolean
ub_mtk_brom_query_byte(UbMtkBrom *self,
		       guint8 cmd,
		       guint8 *value,
		       GCancellable *cancellable,
		       GError **error)
{
	if (!ub_mtk_brom_write(self, &cmd, 1, cancellable, error) ||
	    !ub_mtk_brom_read(self, value, 1, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error)) {
		g_prefix_error(error, "%s: ", ub_mtk_brom_cmd_to_string(cmd));
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_mtk_brom_identify(UbMtkBrom *self,
		     UbMtkBromInfo *info,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 byte = 0;
	guint16 words[3] = {0};

	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(info != NULL, FALSE);

	ub_mtk_brom_info_clear(info);

	/* GET_BL_VER: a BROM does not know it and echoes it; a preloader answers its version */
	if (!ub_mtk_brom_query_byte(self, UB_MTK_BROM_CMD_GET_BL_VER, &byte, cancellable, error))
		return FALSE;
	info->is_preloader = byte != UB_MTK_BROM_CMD_GET_BL_VER;
	info->bl_version = info->is_preloader ? byte : 0;
	self->is_preloader = info->is_preloader;
	if (!ub_mtk_brom_query_byte(self,
				    UB_MTK_BROM_CMD_GET_VERSION,
				    &info->brom_version,
				    cancellable,
				    error))
		return FALSE;

	/* the second word of GET_HW_CODE is a status (mtkclient calls it hwver) */
	if (!ub_mtk_brom_query_words(self,
				     UB_MTK_BROM_CMD_GET_HW_CODE,
				     words,
				     1,
				     cancellable,
				     error))
		return FALSE;
	info->hw_code = words[0];
	if (!ub_mtk_brom_query_words(self,
				     UB_MTK_BROM_CMD_GET_HW_SW_VER,
				     words,
				     3,
				     cancellable,
				     error))
		return FALSE;
	info->hw_sub_code = words[0];
	info->hw_version = words[1];
	info->sw_version = words[2];
	if (!ub_mtk_brom_query_words(self,
				     UB_MTK_BROM_CMD_GET_TARGET_CONFIG,
				     words,
				     2,
				     cancellable,
				     error))
		return FALSE;
	info->target_config = ((guint32)words[0] << 16) | words[1];

	/* GET_PL_CAP: two capability words and no status, preloader only */
	if (info->is_preloader) {
		guint8 cmd = UB_MTK_BROM_CMD_GET_PL_CAP;
		guint8 caps[8] = {0};
		if (!ub_mtk_brom_send_cmd(self,
					  cmd,
					  UB_MTK_BROM_CMD_TIMEOUT_MS,
					  cancellable,
					  error))
			return FALSE;
		if (!ub_mtk_brom_read(self,
				      caps,
				      sizeof(caps),
				      UB_MTK_BROM_CMD_TIMEOUT_MS,
				      cancellable,
				      error)) {
			g_prefix_error(error, "GET_PL_CAP: ");
			return FALSE;
		}
		info->pl_cap = ub_mem_read_u32_be(caps, 0);
	}

	/* the ids last: a chip that does not know them may leave us out of step
	 * (a preloader says in its caps whether it has them: bit 1 ME_ID, bit 2 SOC_ID) */
	if (!info->is_preloader || (info->pl_cap & (1u << 1)) > 0) {
		if (!ub_mtk_brom_get_id(self,
					UB_MTK_BROM_CMD_GET_ME_ID,
					&info->me_id,
					cancellable,
					error))
			return FALSE;
	}
	if (!info->is_preloader || (info->pl_cap & (1u << 2)) > 0) {
		if (!ub_mtk_brom_get_id(self,
					UB_MTK_BROM_CMD_GET_SOC_ID,
					&info->soc_id,
					cancellable,
					error))
			return FALSE;
	}
	g_debug("%s: hw code 0x%04x sub 0x%04x hw 0x%04x sw 0x%04x config 0x%x",
		info->is_preloader ? "preloader" : "BROM",
		info->hw_code,
		info->hw_sub_code,
		info->hw_version,
		info->sw_version,
		info->target_config);
	return TRUE;
}

static gboolean
ub_mtk_brom_check_count(guint8 cmd, guint32 count, GError **error)
{
	if (count == 0 || count > UB_MTK_BROM_RW_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INTERNAL,
			    "%s of %u values",
			    ub_mtk_brom_cmd_to_string(cmd),
			    count);
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_mtk_brom_read32(UbMtkBrom *self,
		   guint32 addr,
		   guint32 count,
		   guint32 *values,
		   GCancellable *cancellable,
		   GError **error)
{
	guint8 cmd = UB_MTK_BROM_CMD_READ32;
	g_autofree guint8 *buf = NULL;

	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(values != NULL, FALSE);
	if (!ub_mtk_brom_check_count(cmd, count, error))
		return FALSE;

	if (!ub_mtk_brom_send_cmd(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "address", addr, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "count", count, cancellable, error) ||
	    !ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error))
		return FALSE;
	buf = g_malloc((gsize)count * 4);
	if (!ub_mtk_brom_read(self,
			      buf,
			      (gsize)count * 4,
			      UB_MTK_BROM_CMD_TIMEOUT_MS,
			      cancellable,
			      error)) {
		g_prefix_error(error, "READ32 values: ");
		return FALSE;
	}
	for (guint32 i = 0; i < count; i++)
		values[i] = ub_mem_read_u32_be(buf, (gsize)i * 4);
	return ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error);
}

/* WRITE32 and WRITE16: address and count echoed, status, each value echoed, status */
static gboolean
ub_mtk_brom_write_values(UbMtkBrom *self,
			 guint8 cmd,
			 guint32 addr,
			 const guint32 *values32,
			 const guint16 *values16,
			 guint32 count,
			 GCancellable *cancellable,
			 GError **error)
{
	if (!ub_mtk_brom_check_count(cmd, count, error))
		return FALSE;
	if (!ub_mtk_brom_send_cmd(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "address", addr, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "count", count, cancellable, error) ||
	    !ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error))
		return FALSE;
	for (guint32 i = 0; i < count; i++) {
		gboolean ok = values32 != NULL
				  ? ub_mtk_brom_echo_u32(self, cmd, "value", values32[i], cancellable, error)
				  : ub_mtk_brom_echo_u16(self, cmd, "value", values16[i], cancellable, error);
		if (!ok)
			return FALSE;
	}
	return ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error);
}

gboolean
ub_mtk_brom_write32(UbMtkBrom *self,
		    guint32 addr,
		    const guint32 *values,
		    guint32 count,
		    GCancellable *cancellable,
		    GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(values != NULL, FALSE);
	return ub_mtk_brom_write_values(self,
					UB_MTK_BROM_CMD_WRITE32,
					addr,
					values,
					NULL,
					count,
					cancellable,
					error);
}

gboolean
ub_mtk_brom_write16(UbMtkBrom *self,
		    guint32 addr,
		    const guint16 *values,
		    guint32 count,
		    GCancellable *cancellable,
		    GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(values != NULL, FALSE);
	return ub_mtk_brom_write_values(self,
					UB_MTK_BROM_CMD_WRITE16,
					addr,
					NULL,
					values,
					count,
					cancellable,
					error);
}

gboolean
ub_mtk_brom_disable_watchdog(UbMtkBrom *self,
			     const UbMtkChip *chip,
			     GCancellable *cancellable,
			     GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(chip != NULL, FALSE);

	if (self->is_preloader) {
		g_debug("the preloader has handled the watchdog");
		return TRUE;
	}
	if (chip->watchdog_addr == 0) {
		g_debug("no watchdog known for %s", chip->name);
		return TRUE;
	}
	if (chip->watchdog_16bit) {
		guint16 value = (guint16)chip->watchdog_value;
		if (!ub_mtk_brom_write16(self,
					 chip->watchdog_addr,
					 &value,
					 1,
					 cancellable,
					 error)) {
			g_prefix_error(error, "failed to disable the watchdog: ");
			return FALSE;
		}
		return TRUE;
	}
	if (!ub_mtk_brom_write32(self,
				 chip->watchdog_addr,
				 &chip->watchdog_value,
				 1,
				 cancellable,
				 error)) {
		g_prefix_error(error, "failed to disable the watchdog: ");
		return FALSE;
	}
	return TRUE;
}

/*
 * Streams @length bytes of @stream (plus one 0x00 when odd), then reads the
 * device's checksum and status. The data goes out in writes of 64 KiB, which
 * the transport splits into packets: no zero-length packets. MediaTek's own
 * tools (fbtool, SP Flash Tool on Linux) write the whole blob to the cdc_acm
 * tty, which sends none either, and the BROM counts bytes against the length
 * it was given; mtkclient's ZLP every 0x2000 bytes only belongs to its
 * packet-by-packet writes.
 */
static gboolean
ub_mtk_brom_upload(UbMtkBrom *self,
		   guint8 cmd,
		   GInputStream *stream,
		   guint32 length,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	gsize padded = (gsize)length + (length & 1);
	gsize done = 0;
	gboolean odd_pending = FALSE;
	guint8 odd_byte = 0;
	guint16 ours = 0;
	guint16 theirs = 0;
	g_autofree guint8 *buf = g_malloc(UB_MTK_BROM_UPLOAD_CHUNK);

	while (done < padded) {
		gsize chunk = MIN((gsize)UB_MTK_BROM_UPLOAD_CHUNK, padded - done);
		gsize want = MIN(chunk, (gsize)length - MIN(done, (gsize)length));
		gsize got = 0;

		if (want > 0 &&
		    !g_input_stream_read_all(stream, buf, want, &got, cancellable, error)) {
			g_prefix_error(error,
				       "failed to read the data for %s: ",
				       ub_mtk_brom_cmd_to_string(cmd));
			return FALSE;
		}
		if (got != want) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the data for %s ended after %" G_GSIZE_FORMAT " of %u bytes",
				    ub_mtk_brom_cmd_to_string(cmd),
				    done + got,
				    length);
			return FALSE;
		}
		/* the padding byte of an odd length */
		if (want < chunk)
			memset(buf + want, 0, chunk - want);
		ours = ub_mtk_da_checksum_update(ours, buf, chunk, &odd_pending, &odd_byte);
		if (!ub_mtk_brom_write(self, buf, chunk, cancellable, error)) {
			g_prefix_error(error,
				       "%s: failed after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
				       " bytes: ",
				       ub_mtk_brom_cmd_to_string(cmd),
				       done,
				       padded);
			return FALSE;
		}
		done += chunk;
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, padded);
	}
	if (!ub_mtk_brom_read_u16(self,
				  cmd,
				  "checksum",
				  UB_MTK_BROM_UPLOAD_TIMEOUT_MS,
				  &theirs,
				  cancellable,
				  error))
		return FALSE;
	if (theirs != ours) {
		/* the status still follows the checksum: take it so the stream stays in
		 * step for whatever the caller does next (its text adds nothing here) */
		guint16 status_ignored = 0;
		if (!ub_mtk_brom_read_u16(self,
					  cmd,
					  "status",
					  1000,
					  &status_ignored,
					  cancellable,
					  NULL))
			g_debug("%s: no status after a checksum mismatch",
				ub_mtk_brom_cmd_to_string(cmd));
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "%s: the phone received data with checksum 0x%04X, we sent 0x%04X: the "
			    "data was "
			    "damaged on the way; check the cable and the port",
			    ub_mtk_brom_cmd_to_string(cmd),
			    theirs,
			    ours);
		return FALSE;
	}
	return ub_mtk_brom_read_status(self,
				       cmd,
				       UB_MTK_BROM_UPLOAD_TIMEOUT_MS,
				       cancellable,
				       error);
}

/* SEND_AUTH / SEND_CERT: length echoed, status, data, checksum, status */
static gboolean
ub_mtk_brom_send_file(UbMtkBrom *self,
		      guint8 cmd,
		      GBytes *blob,
		      GCancellable *cancellable,
		      GError **error)
{
	gsize bufsz = g_bytes_get_size(blob);
	g_autoptr(GInputStream) stream = NULL;

	if (bufsz == 0 || bufsz >= G_MAXUINT32) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s: a file of %" G_GSIZE_FORMAT " bytes cannot be sent",
			    ub_mtk_brom_cmd_to_string(cmd),
			    bufsz);
		return FALSE;
	}
	stream = g_memory_input_stream_new_from_bytes(blob);
	if (!ub_mtk_brom_send_cmd(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self,
				  cmd,
				  "length",
				  (guint32)(bufsz + (bufsz & 1)),
				  cancellable,
				  error) ||
	    !ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error))
		return FALSE;
	return ub_mtk_brom_upload(self, cmd, stream, (guint32)bufsz, NULL, cancellable, error);
}

gboolean
ub_mtk_brom_send_auth(UbMtkBrom *self, GBytes *auth, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(auth != NULL, FALSE);
	if (!ub_mtk_brom_send_file(self, UB_MTK_BROM_CMD_SEND_AUTH, auth, cancellable, error)) {
		g_prefix_error(error, "failed to send the authentication file: ");
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_mtk_brom_send_cert(UbMtkBrom *self, GBytes *cert, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(cert != NULL, FALSE);
	if (!ub_mtk_brom_send_file(self, UB_MTK_BROM_CMD_SEND_CERT, cert, cancellable, error)) {
		g_prefix_error(error, "failed to send the certificate: ");
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_mtk_brom_send_da(UbMtkBrom *self,
		    guint32 load_addr,
		    GInputStream *stream,
		    guint32 length,
		    guint32 sig_len,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	guint8 cmd = UB_MTK_BROM_CMD_SEND_DA;

	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);
	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);

	if (length == 0 || length == G_MAXUINT32 || sig_len > length) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "cannot send a Download Agent of %u bytes with a %u-byte signature",
			    length,
			    sig_len);
		return FALSE;
	}
	if (!ub_mtk_brom_send_cmd(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "load address", load_addr, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "length", length + (length & 1), cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "signature length", sig_len, cancellable, error) ||
	    !ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_brom_upload(self, cmd, stream, length, progress, cancellable, error)) {
		g_prefix_error(error, "failed to send the Download Agent: ");
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_mtk_brom_jump_da(UbMtkBrom *self, guint32 addr, GCancellable *cancellable, GError **error)
{
	guint8 cmd = UB_MTK_BROM_CMD_JUMP_DA;

	g_return_val_if_fail(UB_IS_MTK_BROM(self), FALSE);

	if (!ub_mtk_brom_send_cmd(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_brom_echo_u32(self, cmd, "address", addr, cancellable, error) ||
	    !ub_mtk_brom_read_status(self, cmd, UB_MTK_BROM_CMD_TIMEOUT_MS, cancellable, error)) {
		g_prefix_error(error, "failed to start the Download Agent: ");
		return FALSE;
	}
	return TRUE;
}

static void
ub_mtk_brom_finalize(GObject *object)
{
	UbMtkBrom *self = UB_MTK_BROM(object);
	g_clear_object(&self->transport);
	G_OBJECT_CLASS(ub_mtk_brom_parent_class)->finalize(object);
}

static void
ub_mtk_brom_class_init(UbMtkBromClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_mtk_brom_finalize;
}

static void
ub_mtk_brom_init(UbMtkBrom *self)
{
	self->handshake_timeout_ms = UB_MTK_BROM_HANDSHAKE_TIMEOUT_MS_DEFAULT;
}
