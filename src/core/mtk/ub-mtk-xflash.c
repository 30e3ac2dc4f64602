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
#include "ub-mtk-xflash.h"
#include "ub-read-ahead.h"

/* timeouts: a command is answered at once; flash work takes longer */
#define UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS 5000
#define UB_MTK_XFLASH_START_TIMEOUT_MS	 5000
#define UB_MTK_XFLASH_DRAM_TIMEOUT_MS	 20000
#define UB_MTK_XFLASH_BOOT_TIMEOUT_MS	 20000
#define UB_MTK_XFLASH_CHUNK_TIMEOUT_MS	 30000
#define UB_MTK_XFLASH_FINAL_TIMEOUT_MS	 120000
#define UB_MTK_XFLASH_FORMAT_TIMEOUT_MS 120000
/* DA2 goes out in transfers of this size (a multiple of any wMaxPacketSize) */
#define UB_MTK_XFLASH_BOOT_CHUNK (1024 * 1024)
/* chunks being read ahead while one is on the wire */
#define UB_MTK_XFLASH_READ_AHEAD 3
/* a stream read asks for at least this much */
#define UB_MTK_XFLASH_STREAM_READ_MIN 4096
/* what a 4-byte status of mtkclient's DA may carry instead of 0 */
#define UB_MTK_XFLASH_STATUS_MAGIC_OK 0xFEEEEEEFu
/* SETUP_ENVIRONMENT: log level, log channel (2 USB), system OS (1 Linux) */
#define UB_MTK_XFLASH_LOG_LEVEL	     2
#define UB_MTK_XFLASH_LOG_CHANNEL_USB 2
#define UB_MTK_XFLASH_SYSTEM_OS_LINUX 1
/* SWITCH_USB_SPEED: the id the DA comes back with */
#define UB_MTK_XFLASH_HIGH_SPEED_ID 0x0E8D2001u
/* EMMC_INFO: u32 type, u32 block size, 8 x u64 sizes, 16-byte CID, u64 firmware version */
#define UB_MTK_XFLASH_EMMC_INFO_MIN 72
#define UB_MTK_XFLASH_EMMC_CID_OFF  72
/* UFS_INFO: u32 type, u32 block size, 3 x u64 sizes, then the CID */
#define UB_MTK_XFLASH_UFS_INFO_MIN 32
#define UB_MTK_XFLASH_UFS_CID_OFF  32
#define UB_MTK_XFLASH_CID_LEN	   16

struct _UbMtkXflash {
	GObject parent_instance;
	UbTransport *transport;
	UbProgress *progress;
	GByteArray *pending; /* bytes read, not yet parsed: frames arrive split or glued */
	gsize consumed;	     /* bytes at the front of @pending of the frame last returned */
	gchar *connection_agent;
	guint32 write_packet_length; /* 0 until negotiated */
	guint32 read_packet_length;
	guint timeout_limit_ms;
};

G_DEFINE_TYPE(UbMtkXflash, ub_mtk_xflash, G_TYPE_OBJECT)

static void
ub_mtk_xflash_init(UbMtkXflash *self)
{
	self->pending = g_byte_array_new();
}

static void
ub_mtk_xflash_finalize(GObject *object)
{
	UbMtkXflash *self = UB_MTK_XFLASH(object);
	g_clear_object(&self->transport);
	g_clear_object(&self->progress);
	g_byte_array_unref(self->pending);
	g_free(self->connection_agent);
	G_OBJECT_CLASS(ub_mtk_xflash_parent_class)->finalize(object);
}

static void
ub_mtk_xflash_class_init(UbMtkXflashClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_mtk_xflash_finalize;
}

/**
 * ub_mtk_xflash_new:
 * @transport: the pipe to a phone whose DA1 was just started with JUMP_DA
 *
 * Returns: (transfer full): a new #UbMtkXflash
 */
UbMtkXflash *
ub_mtk_xflash_new(UbTransport *transport)
{
	UbMtkXflash *self;
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), NULL);
	self = g_object_new(UB_TYPE_MTK_XFLASH, NULL);
	self->transport = g_object_ref(transport);
	return self;
}

void
ub_mtk_xflash_set_transport(UbMtkXflash *self, UbTransport *transport)
{
	g_return_if_fail(UB_IS_MTK_XFLASH(self));
	g_return_if_fail(UB_IS_TRANSPORT(transport));
	g_set_object(&self->transport, transport);
	/* nothing read on the old connection belongs to the new one */
	g_byte_array_set_size(self->pending, 0);
	self->consumed = 0;
}

void
ub_mtk_xflash_set_progress(UbMtkXflash *self, UbProgress *progress)
{
	g_return_if_fail(UB_IS_MTK_XFLASH(self));
	g_set_object(&self->progress, progress);
}

/**
 * ub_mtk_xflash_set_timeout_limit:
 * @self: a #UbMtkXflash
 * @limit_ms: the longest any single wait may take, or 0 for the protocol's own
 *   timeouts (up to 120 s for a format)
 *
 * For tests of lost answers.
 */
void
ub_mtk_xflash_set_timeout_limit(UbMtkXflash *self, guint limit_ms)
{
	g_return_if_fail(UB_IS_MTK_XFLASH(self));
	self->timeout_limit_ms = limit_ms;
}

const gchar *
ub_mtk_xflash_get_connection_agent(UbMtkXflash *self)
{
	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), NULL);
	return self->connection_agent;
}

static guint
ub_mtk_xflash_timeout(UbMtkXflash *self, guint timeout_ms)
{
	if (self->timeout_limit_ms > 0 && timeout_ms > self->timeout_limit_ms)
		return self->timeout_limit_ms;
	return timeout_ms;
}

void
ub_mtk_xflash_storage_info_clear(UbMtkXflashStorageInfo *info)
{
	if (info == NULL)
		return;
	g_free(info->cid);
	memset(info, 0, sizeof(*info));
}

static gchar *
ub_mtk_xflash_hex(const guint8 *buf, gsize bufsz)
{
	GString *str = g_string_sized_new(bufsz * 2 + 1);
	for (gsize i = 0; i < bufsz; i++)
		g_string_append_printf(str, "%02x", buf[i]);
	return g_string_free(str, FALSE);
}

/* a sector size the DA reports: 0 means the storage's usual one */
static gboolean
ub_mtk_xflash_check_block_size(guint32 *block_size, guint32 fallback, GError **error)
{
	if (*block_size == 0) {
		*block_size = fallback;
		return TRUE;
	}
	if (*block_size < 512 || *block_size > 65536 || (*block_size & (*block_size - 1)) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the DA reports a block size of %u bytes",
			    *block_size);
		return FALSE;
	}
	return TRUE;
}

/* the start of EMMC_INFO and UFS_INFO: long enough, and a storage there (type not 0) */
static gboolean
ub_mtk_xflash_info_check_head(const guint8 *buf,
			      gsize bufsz,
			      gsize min,
			      const gchar *what,
			      GError **error)
{
	if (bufsz < min) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the %s information is %" G_GSIZE_FORMAT " bytes, at least %u expected",
			    what,
			    bufsz,
			    (guint)min);
		return FALSE;
	}
	if (ub_mem_read_u32_le(buf, 0) == 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "the DA reports no %s", what);
		return FALSE;
	}
	return TRUE;
}

/* the block size, the user area in whole blocks, and the CID when the answer has it */
static gboolean
ub_mtk_xflash_info_check_tail(UbMtkXflashStorageInfo *tmp,
			      const guint8 *buf,
			      gsize bufsz,
			      guint32 default_block_size,
			      guint64 user_size,
			      const gchar *user_what,
			      gsize cid_off,
			      GError **error)
{
	if (!ub_mtk_xflash_check_block_size(&tmp->block_size, default_block_size, error))
		return FALSE;
	if (user_size == 0 || user_size % tmp->block_size != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the DA reports a %s of 0x%" G_GINT64_MODIFIER "x bytes with %u-byte blocks",
			    user_what,
			    user_size,
			    tmp->block_size);
		return FALSE;
	}
	if (bufsz >= cid_off + UB_MTK_XFLASH_CID_LEN)
		tmp->cid = ub_mtk_xflash_hex(buf + cid_off, UB_MTK_XFLASH_CID_LEN);
	return TRUE;
}

/**
 * ub_mtk_xflash_storage_info_parse:
 * @ctrl: UB_MTK_XFLASH_CTRL_GET_EMMC_INFO or UB_MTK_XFLASH_CTRL_GET_UFS_INFO
 * @buf: the DA's answer
 * @bufsz: its size
 * @info: (out caller-allocates): filled on success, left zeroed on failure
 * @error: (nullable): return location for a #GError
 *
 * EMMC_INFO: u32 type (0: no eMMC), u32 block size, u64 boot1, boot2, rpmb,
 * gp1..gp4 and user sizes, then 16 bytes of CID and a u64 firmware version.
 * UFS_INFO: u32 type (0: no UFS), u32 block size, then the sizes of LU2, LU1
 * and LU0 in that order (the order mtkclient reads them in), then the CID.
 * Little-endian.
 *
 * Returns: %TRUE if the storage is there and the sizes make sense
 */
gboolean
ub_mtk_xflash_storage_info_parse(guint32 ctrl,
				 const guint8 *buf,
				 gsize bufsz,
				 UbMtkXflashStorageInfo *info,
				 GError **error)
{
	UbMtkXflashStorageInfo tmp = {0};

	g_return_val_if_fail(info != NULL, FALSE);
	memset(info, 0, sizeof(*info));
	if (buf == NULL)
		bufsz = 0;

	if (ctrl == UB_MTK_XFLASH_CTRL_GET_EMMC_INFO) {
		if (!ub_mtk_xflash_info_check_head(buf, bufsz, UB_MTK_XFLASH_EMMC_INFO_MIN, "eMMC", error))
			return FALSE;
		tmp.storage = UB_MTK_STORAGE_EMMC;
		tmp.block_size = ub_mem_read_u32_le(buf, 4);
		tmp.boot1_size = ub_mem_read_u64_le(buf, 8);
		tmp.boot2_size = ub_mem_read_u64_le(buf, 16);
		tmp.rpmb_size = ub_mem_read_u64_le(buf, 24);
		/* gp1..gp4 at 32..63: not offered as regions */
		tmp.user_size = ub_mem_read_u64_le(buf, 64);
		if (!ub_mtk_xflash_info_check_tail(&tmp,
						   buf,
						   bufsz,
						   512,
						   tmp.user_size,
						   "user area",
						   UB_MTK_XFLASH_EMMC_CID_OFF,
						   error))
			return FALSE;
	} else if (ctrl == UB_MTK_XFLASH_CTRL_GET_UFS_INFO) {
		if (!ub_mtk_xflash_info_check_head(buf, bufsz, UB_MTK_XFLASH_UFS_INFO_MIN, "UFS", error))
			return FALSE;
		tmp.storage = UB_MTK_STORAGE_UFS;
		tmp.block_size = ub_mem_read_u32_le(buf, 4);
		tmp.lu2_size = ub_mem_read_u64_le(buf, 8);
		tmp.lu1_size = ub_mem_read_u64_le(buf, 16);
		tmp.lu0_size = ub_mem_read_u64_le(buf, 24);
		if (!ub_mtk_xflash_info_check_tail(&tmp,
						   buf,
						   bufsz,
						   4096,
						   tmp.lu2_size,
						   "user LU",
						   UB_MTK_XFLASH_UFS_CID_OFF,
						   error))
			return FALSE;
	} else {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "0x%06x is not a storage information request",
			    ctrl);
		return FALSE;
	}
	*info = tmp;
	return TRUE;
}

/* frames */

static void
ub_mtk_xflash_drop_consumed(UbMtkXflash *self)
{
	if (self->consumed == 0)
		return;
	g_byte_array_remove_range(self->pending, 0, (guint)self->consumed);
	self->consumed = 0;
}

/* reads until @pending holds @want bytes; USB reads never ask past what is owed */
static gboolean
ub_mtk_xflash_fill(UbMtkXflash *self,
		   gsize want,
		   gint64 deadline,
		   GCancellable *cancellable,
		   GError **error)
{
	gsize mps = ub_transport_get_max_packet_size(self->transport);

	while (self->pending->len < want) {
		gsize old = self->pending->len;
		gsize chunk = want - old;
		gint64 now = g_get_monotonic_time();
		gssize n;

		if (now >= deadline) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_TIMED_OUT,
					    "no answer from the DA");
			return FALSE;
		}
		/* whole packets on USB (a short packet ends the transfer); on a stream
		 * whatever is there */
		if (mps > 0)
			chunk = (chunk + mps - 1) / mps * mps;
		else
			chunk = MAX(chunk, (gsize)UB_MTK_XFLASH_STREAM_READ_MIN);
		g_byte_array_set_size(self->pending, (guint)(old + chunk));
		n = ub_transport_read(self->transport,
				      self->pending->data + old,
				      chunk,
				      (guint)MAX((deadline - now) / G_TIME_SPAN_MILLISECOND, 1),
				      cancellable,
				      error);
		g_byte_array_set_size(self->pending, (guint)(old + MAX(n, 0)));
		if (n < 0) {
			if (error != NULL && *error != NULL &&
			    g_error_matches(*error, UB_ERROR, UB_ERROR_TIMED_OUT)) {
				g_clear_error(error);
				g_set_error_literal(error,
						    UB_ERROR,
						    UB_ERROR_TIMED_OUT,
						    "no answer from the DA");
			}
			return FALSE;
		}
	}
	return TRUE;
}

/* "00 00 00 00 EF EE" */
static gchar *
ub_mtk_xflash_hex_bytes(const guint8 *buf, gsize bufsz)
{
	GString *str = g_string_new(NULL);
	for (gsize i = 0; i < bufsz; i++)
		g_string_append_printf(str, i == 0 ? "%02X" : " %02X", buf[i]);
	return g_string_free(str, FALSE);
}

/* the DA's log: text, maybe after a u32 priority, NUL-terminated */
static void
ub_mtk_xflash_handle_message(UbMtkXflash *self, const guint8 *buf, gsize bufsz)
{
	g_autofree gchar *text = NULL;
	gsize len;

	if (bufsz >= 4 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0 && buf[0] < 0x20) {
		buf += 4;
		bufsz -= 4;
	}
	len = 0;
	while (len < bufsz && buf[len] != '\0')
		len++;
	text = g_utf8_make_valid((const gchar *)buf, (gssize)len);
	g_strchomp(text);
	if (text[0] == '\0')
		return;
	if (self->progress != NULL)
		ub_progress_log(self->progress, "DA: %s", text);
	else
		g_debug("DA: %s", text);
}

/*
 * The next protocol frame; DA log messages on the way go to the progress log.
 * @payload points into @pending and stays valid until the next read.
 */
static gboolean
ub_mtk_xflash_read_frame(UbMtkXflash *self,
			 const guint8 **payload,
			 gsize *length,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 GError **error)
{
	gint64 deadline = g_get_monotonic_time() +
			  (gint64)ub_mtk_xflash_timeout(self, timeout_ms) * G_TIME_SPAN_MILLISECOND;

	for (;;) {
		guint32 data_type = 0;
		guint32 len = 0;

		ub_mtk_xflash_drop_consumed(self);
		if (!ub_mtk_xflash_fill(self, UB_MTK_XFLASH_HEADER_LEN, deadline, cancellable, error))
			return FALSE;
		/* no magic where a frame starts: a frame (often the DA's status) was
		 * lost or cut short and what follows is out of step */
		if (ub_mem_read_u32_le(self->pending->data, 0) != UB_MTK_XFLASH_MAGIC) {
			g_autofree gchar *hex =
			    ub_mtk_xflash_hex_bytes(self->pending->data, UB_MTK_XFLASH_HEADER_LEN);
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the phone's answer is missing or the data stream lost step: "
				    "where a frame should start the DA sent %s instead of "
				    "EF EE EE FE (a status or a frame header was lost on the "
				    "way). The operation cannot go on safely: unplug the phone, "
				    "power it off, connect it again and repeat it; if this "
				    "happens again, use another cable and a USB port on the "
				    "computer itself (no hub)",
				    hex);
			return FALSE;
		}
		if (!ub_mtk_xflash_header_parse(self->pending->data,
						self->pending->len,
						&data_type,
						&len,
						error)) {
			g_prefix_error(error, "the DA sent a bad frame: ");
			return FALSE;
		}
		if (!ub_mtk_xflash_fill(self,
					UB_MTK_XFLASH_HEADER_LEN + (gsize)len,
					deadline,
					cancellable,
					error))
			return FALSE;
		self->consumed = UB_MTK_XFLASH_HEADER_LEN + (gsize)len;
		if (data_type == UB_MTK_XFLASH_TYPE_MESSAGE) {
			ub_mtk_xflash_handle_message(self,
						     self->pending->data + UB_MTK_XFLASH_HEADER_LEN,
						     len);
			continue;
		}
		if (data_type != UB_MTK_XFLASH_TYPE_PROTOCOL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the DA sent a frame of unknown type %u",
				    data_type);
			return FALSE;
		}
		*payload = self->pending->data + UB_MTK_XFLASH_HEADER_LEN;
		*length = len;
		return TRUE;
	}
}

/* a status frame: u16 or u32, 0 (or the frame magic) for success */
static gboolean
ub_mtk_xflash_read_status(UbMtkXflash *self,
			  guint32 *status,
			  guint timeout_ms,
			  GCancellable *cancellable,
			  GError **error)
{
	const guint8 *buf = NULL;
	gsize len = 0;

	if (!ub_mtk_xflash_read_frame(self, &buf, &len, timeout_ms, cancellable, error))
		return FALSE;
	if (len == 2) {
		*status = ub_mem_read_u16_le(buf, 0);
		return TRUE;
	}
	if (len == 4) {
		*status = ub_mem_read_u32_le(buf, 0);
		if (*status == UB_MTK_XFLASH_STATUS_MAGIC_OK)
			*status = 0;
		return TRUE;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_PROTOCOL,
		    "the DA sent %" G_GSIZE_FORMAT " bytes where a status was expected",
		    len);
	return FALSE;
}

/* what to do after each XFlash status (mtk.md a.3); the meaning comes from
 * ub_mtk_status_to_string(), whose text already says what to do for the
 * entries without advice here */
typedef struct {
	guint32 status;
	const gchar *advice;
} UbMtkXflashAdvice;

#define UB_MTK_XFLASH_ADVICE_RECONNECT                                                             \
	"unplug the phone, power it off, connect it again and repeat the operation"
#define UB_MTK_XFLASH_ADVICE_DA_FILE                                                               \
	"use the DA file (MTK_AllInOne_DA.bin) that came with this phone's firmware, or a newer one"
#define UB_MTK_XFLASH_ADVICE_PRELOADER                                                             \
	"give the preloader of this phone's own firmware with --preloader, and the DA file of the "  \
	"same firmware"
#define UB_MTK_XFLASH_ADVICE_SIGNED                                                                \
	"this phone only accepts images signed by its manufacturer: flash the official firmware "   \
	"for this exact model"
#define UB_MTK_XFLASH_ADVICE_TABLE                                                                 \
	"the firmware's partition table is damaged: use Format All + Download with this phone's "   \
	"firmware"
#define UB_MTK_XFLASH_ADVICE_STORAGE                                                               \
	"retry once after reconnecting the phone; if it fails at the same place again, the "        \
	"phone's storage may be worn out or damaged: read back what you need first"

static const UbMtkXflashAdvice ub_mtk_xflash_advice[] = {
    {0xC0010001, "an unspecified failure inside the Download Agent; " UB_MTK_XFLASH_ADVICE_RECONNECT
		 "; if it fails at the same step again, " UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0010002, "the Download Agent stopped the operation; " UB_MTK_XFLASH_ADVICE_RECONNECT},
    {0xC0010003, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0010004, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0010005,
     "the phone and this tool are out of step; " UB_MTK_XFLASH_ADVICE_RECONNECT
     ", with another cable and a USB port on the computer itself (no hub)"},
    {0xC0010006, UB_MTK_XFLASH_ADVICE_RECONNECT "; if it happens again, " UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0010007, UB_MTK_XFLASH_ADVICE_RECONNECT "; if it happens again, " UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC001000B,
     "the command came before the Download Agent was ready; " UB_MTK_XFLASH_ADVICE_RECONNECT},
    {0xC001000C, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0020003, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0020004, UB_MTK_XFLASH_ADVICE_SIGNED " and its manufacturer's DA file"},
    {0xC0020005, "check that the firmware is for this model: its image is larger than the partition"},
    {0xC0020006, UB_MTK_XFLASH_ADVICE_SIGNED},
    {0xC0020007, UB_MTK_XFLASH_ADVICE_SIGNED},
    {0xC002000C, UB_MTK_XFLASH_ADVICE_SIGNED " and its manufacturer's DA file"},
    {0xC002000D, UB_MTK_XFLASH_ADVICE_SIGNED " and its manufacturer's DA file"},
    {0xC002002D, "flash a firmware version at least as new as the one on the phone"},
    {0xC002004C, NULL},
    {0xC0020053, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0030001, "use the scatter file of this phone's firmware"},
    {0xC0030002, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0030003, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0030004, UB_MTK_XFLASH_ADVICE_PRELOADER},
    {0xC0030005, UB_MTK_XFLASH_ADVICE_PRELOADER},
    {0xC0030006, "use the firmware (scatter) for this phone's storage type, shown by 'info'"},
    {0xC0030007,
     "check the region, start address and length (multiples of 512 inside the region); if they "
     "are right, " UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0030008, UB_MTK_XFLASH_ADVICE_TABLE},
    {0xC0030009, UB_MTK_XFLASH_ADVICE_TABLE},
    {0xC003000A, NULL},
    {0xC003000B, "check the begin address and length of the format (multiples of 512 inside the region)"},
    {0xC003000C,
     "use a region this phone's storage has (eMMC: boot1, boot2, rpmb, user; UFS: lun0, lun1, "
     "lun2)"},
    {0xC003000E,
     "the phone's storage has no partition table: use Firmware Upgrade or Format All + Download"},
    {0xC003000F, "use the firmware for this phone's chip, shown by 'info'"},
    {0xC0030010, "give the certificate file with --cert"},
    {0xC0030011, "give the authentication file with --auth"},
    {0xC0030012, NULL},
    {0xC0030018, UB_MTK_XFLASH_ADVICE_PRELOADER},
    {0xC0040001, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0040003, UB_MTK_XFLASH_ADVICE_RECONNECT},
    {0xC0040006,
     "the phone's partition table has no such partition: check the name, or use Firmware Upgrade"},
    {0xC0040007, UB_MTK_XFLASH_ADVICE_STORAGE},
    {0xC0040009, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC004000A,
     "the DRAM settings do not match this board or its RAM is faulty; " UB_MTK_XFLASH_ADVICE_PRELOADER},
    {0xC004000B, "check the start address and length against the region sizes shown by 'info'"},
    {0xC0040030, UB_MTK_XFLASH_ADVICE_STORAGE},
    {0xC0040050, UB_MTK_XFLASH_ADVICE_PRELOADER},
    {0xC0040060, UB_MTK_XFLASH_ADVICE_STORAGE},
    {0xC0050001, UB_MTK_XFLASH_ADVICE_RECONNECT},
    {0xC0050005, UB_MTK_XFLASH_ADVICE_PRELOADER},
    {0xC0050006,
     "power the phone off, unplug it, plug it straight into a USB 2 port of the computer (no "
     "hub) and repeat the operation"},
    {0xC0050007, "the phone could not read its storage there; " UB_MTK_XFLASH_ADVICE_STORAGE},
    {0xC0050008, "the phone could not write its storage there; " UB_MTK_XFLASH_ADVICE_STORAGE},
    {0xC0050009, "the phone could not erase its storage there; " UB_MTK_XFLASH_ADVICE_STORAGE},
    {0xC0060001, NULL},
    {0xC0060003, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0060004, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0070002, UB_MTK_XFLASH_ADVICE_DA_FILE},
    {0xC0070004, UB_MTK_XFLASH_ADVICE_DA_FILE},
};

/**
 * ub_mtk_xflash_status_advice:
 * @status: an XFlash status code
 *
 * Returns: (nullable): what the user can do about @status, %NULL when the
 *   status text of ub_mtk_status_to_string() already says it
 */
const gchar *
ub_mtk_xflash_status_advice(guint32 status)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_mtk_xflash_advice); i++) {
		if (ub_mtk_xflash_advice[i].status == status)
			return ub_mtk_xflash_advice[i].advice;
	}
	/* a code nobody documented */
	return UB_MTK_XFLASH_ADVICE_RECONNECT "; if it happens again, " UB_MTK_XFLASH_ADVICE_DA_FILE;
}

static void
ub_mtk_xflash_set_status_error(guint32 status, const gchar *what, GError **error)
{
	UbError code = UB_ERROR_REFUSED;
	const gchar *advice = ub_mtk_xflash_status_advice(status);
	if (status == 0x1D0D || status == 0xC0030012)
		code = UB_ERROR_AUTH_REQUIRED;
	g_set_error(error,
		    UB_ERROR,
		    code,
		    "the DA refused %s (status 0x%08X): %s%s%s",
		    what,
		    status,
		    ub_mtk_status_to_string(status),
		    advice != NULL ? "; " : "",
		    advice != NULL ? advice : "");
}

/* reads a status; anything but success is an error naming @what */
static gboolean
ub_mtk_xflash_check_status(UbMtkXflash *self,
			   const gchar *what,
			   guint timeout_ms,
			   GCancellable *cancellable,
			   GError **error)
{
	guint32 status = 0;
	if (!ub_mtk_xflash_read_status(self, &status, timeout_ms, cancellable, error)) {
		g_prefix_error(error, "failed to get the status of %s: ", what);
		return FALSE;
	}
	if (status != 0) {
		ub_mtk_xflash_set_status_error(status, what, error);
		return FALSE;
	}
	return TRUE;
}

/* one frame: the header and the payload, each a single transfer (as mtkclient) */
static gboolean
ub_mtk_xflash_send(UbMtkXflash *self,
		   const guint8 *buf,
		   gsize bufsz,
		   GCancellable *cancellable,
		   GError **error)
{
	guint8 hdr[UB_MTK_XFLASH_HEADER_LEN] = {0};
	guint timeout_ms = ub_mtk_xflash_timeout(self, UB_MTK_XFLASH_CHUNK_TIMEOUT_MS);

	ub_mtk_xflash_header_build(hdr, UB_MTK_XFLASH_TYPE_PROTOCOL, (guint32)bufsz);
	if (!ub_transport_write(self->transport,
				hdr,
				sizeof(hdr),
				UB_TRANSPORT_WRITE_FLAG_NONE,
				timeout_ms,
				cancellable,
				error))
		return FALSE;
	if (bufsz == 0)
		return TRUE;
	return ub_transport_write(self->transport,
				  buf,
				  bufsz,
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  timeout_ms,
				  cancellable,
				  error);
}

static gboolean
ub_mtk_xflash_send_u32(UbMtkXflash *self, guint32 value, GCancellable *cancellable, GError **error)
{
	guint8 buf[4] = {0};
	ub_mem_write_u32_le(buf, 0, value);
	return ub_mtk_xflash_send(self, buf, sizeof(buf), cancellable, error);
}

/* a command id, then its status */
static gboolean
ub_mtk_xflash_command(UbMtkXflash *self,
		      guint32 cmd,
		      const gchar *what,
		      GCancellable *cancellable,
		      GError **error)
{
	if (!ub_mtk_xflash_send_u32(self, cmd, cancellable, error)) {
		g_prefix_error(error, "failed to send %s: ", what);
		return FALSE;
	}
	return ub_mtk_xflash_check_status(self,
					  what,
					  UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
					  cancellable,
					  error);
}

/* a parameter packet, then its status */
static gboolean
ub_mtk_xflash_send_param(UbMtkXflash *self,
			 const guint8 *buf,
			 gsize bufsz,
			 const gchar *what,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 GError **error)
{
	if (!ub_mtk_xflash_send(self, buf, bufsz, cancellable, error)) {
		g_prefix_error(error, "failed to send the parameters of %s: ", what);
		return FALSE;
	}
	return ub_mtk_xflash_check_status(self, what, timeout_ms, cancellable, error);
}

/* the host's ack: a u32 0 */
static gboolean
ub_mtk_xflash_ack(UbMtkXflash *self, GCancellable *cancellable, GError **error)
{
	return ub_mtk_xflash_send_u32(self, 0, cancellable, error);
}

static const gchar *
ub_mtk_xflash_ctrl_name(guint32 ctrl)
{
	switch (ctrl) {
	case UB_MTK_XFLASH_CTRL_SET_CHECKSUM_LEVEL:
		return "SET_CHECKSUM_LEVEL";
	case UB_MTK_XFLASH_CTRL_SET_RESET_KEY:
		return "SET_RESET_KEY";
	case UB_MTK_XFLASH_CTRL_GET_EMMC_INFO:
		return "GET_EMMC_INFO";
	case UB_MTK_XFLASH_CTRL_GET_UFS_INFO:
		return "GET_UFS_INFO";
	case UB_MTK_XFLASH_CTRL_GET_DA_VERSION:
		return "GET_DA_VERSION";
	case UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH:
		return "GET_PACKET_LENGTH";
	case UB_MTK_XFLASH_CTRL_GET_CONNECTION_AGENT:
		return "GET_CONNECTION_AGENT";
	case UB_MTK_XFLASH_CTRL_GET_USB_SPEED:
		return "GET_USB_SPEED";
	case UB_MTK_XFLASH_CTRL_GET_RAM_INFO:
		return "GET_RAM_INFO";
	case UB_MTK_XFLASH_CTRL_GET_CHIP_ID:
		return "GET_CHIP_ID";
	case UB_MTK_XFLASH_CTRL_CC_OPTIONAL_DOWNLOAD_ACT:
		return "CC_OPTIONAL_DOWNLOAD_ACT";
	default:
		return "DEVICE_CTRL";
	}
}

/* DEVICE_CTRL -> status, code -> status */
static gboolean
ub_mtk_xflash_devctrl_start(UbMtkXflash *self,
			    guint32 ctrl,
			    GCancellable *cancellable,
			    GError **error)
{
	const gchar *name = ub_mtk_xflash_ctrl_name(ctrl);
	if (!ub_mtk_xflash_command(self,
				   UB_MTK_XFLASH_CMD_DEVICE_CTRL,
				   "DEVICE_CTRL",
				   cancellable,
				   error))
		return FALSE;
	return ub_mtk_xflash_command(self, ctrl, name, cancellable, error);
}

/* a getter: the DA answers a result packet and a status */
static GBytes *
ub_mtk_xflash_devctrl_get(UbMtkXflash *self,
			  guint32 ctrl,
			  GCancellable *cancellable,
			  GError **error)
{
	const gchar *name = ub_mtk_xflash_ctrl_name(ctrl);
	const guint8 *buf = NULL;
	gsize len = 0;
	g_autoptr(GBytes) blob = NULL;

	if (!ub_mtk_xflash_devctrl_start(self, ctrl, cancellable, error))
		return NULL;
	if (!ub_mtk_xflash_read_frame(self,
				      &buf,
				      &len,
				      UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
				      cancellable,
				      error)) {
		g_prefix_error(error, "failed to read the answer to %s: ", name);
		return NULL;
	}
	blob = g_bytes_new(buf, len);
	if (!ub_mtk_xflash_check_status(self,
					name,
					UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
					cancellable,
					error))
		return NULL;
	return g_steal_pointer(&blob);
}

/* a NUL-padded text answer */
static gchar *
ub_mtk_xflash_devctrl_get_string(UbMtkXflash *self,
				 guint32 ctrl,
				 GCancellable *cancellable,
				 GError **error)
{
	g_autoptr(GBytes) blob = ub_mtk_xflash_devctrl_get(self, ctrl, cancellable, error);
	const gchar *buf;
	gsize bufsz = 0;
	gsize len = 0;
	g_autofree gchar *text = NULL;

	if (blob == NULL)
		return NULL;
	buf = g_bytes_get_data(blob, &bufsz);
	while (len < bufsz && buf[len] != '\0')
		len++;
	text = g_utf8_make_valid(buf != NULL ? buf : "", (gssize)len);
	return g_strstrip(g_steal_pointer(&text));
}

/* bring-up */

/* DA1's first word: one raw byte 0xC0 */
static gboolean
ub_mtk_xflash_wait_start(UbMtkXflash *self, GCancellable *cancellable, GError **error)
{
	gint64 deadline = g_get_monotonic_time() +
			  (gint64)ub_mtk_xflash_timeout(self, UB_MTK_XFLASH_START_TIMEOUT_MS) *
			      G_TIME_SPAN_MILLISECOND;
	guint8 byte;

	ub_mtk_xflash_drop_consumed(self);
	if (!ub_mtk_xflash_fill(self, 1, deadline, cancellable, error)) {
		g_prefix_error(error, "the DA did not start after JUMP_DA: ");
		return FALSE;
	}
	byte = self->pending->data[0];
	if (byte != 0xC0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the DA did not start: it sent 0x%02x instead of its sync byte 0xc0 "
			    "(is this an XFlash DA for this chip?)",
			    byte);
		return FALSE;
	}
	self->consumed = 1;
	ub_mtk_xflash_drop_consumed(self);
	return TRUE;
}

/* the DA's "SYNC" packet after SETUP_HW_INIT_PARAMS and after DA2 starts */
static gboolean
ub_mtk_xflash_wait_sync(UbMtkXflash *self,
			const gchar *when,
			guint timeout_ms,
			gboolean zero_ok,
			GCancellable *cancellable,
			GError **error)
{
	guint32 value = 0;
	if (!ub_mtk_xflash_read_status(self, &value, timeout_ms, cancellable, error)) {
		g_prefix_error(error, "no sync from the DA %s: ", when);
		return FALSE;
	}
	if (value == UB_MTK_XFLASH_CMD_SYNC_SIGNAL || (zero_ok && value == 0))
		return TRUE;
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_PROTOCOL,
		    "the DA answered %s with %s instead of its sync",
		    when,
		    ub_mtk_status_to_string(value));
	return FALSE;
}

static gboolean
ub_mtk_xflash_init_ext_ram(UbMtkXflash *self, GBytes *emi, GCancellable *cancellable, GError **error)
{
	gsize emisz = 0;
	const guint8 *emibuf = g_bytes_get_data(emi, &emisz);

	if (emisz == 0 || emisz > UB_MTK_XFLASH_MAX_PAYLOAD) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the EMI settings are %" G_GSIZE_FORMAT " bytes",
			    emisz);
		return FALSE;
	}
	if (!ub_mtk_xflash_command(self,
				   UB_MTK_XFLASH_CMD_INIT_EXT_RAM,
				   "INIT_EXT_RAM",
				   cancellable,
				   error))
		return FALSE;
	if (!ub_mtk_xflash_send_u32(self, (guint32)emisz, cancellable, error))
		return FALSE;
	if (!ub_mtk_xflash_check_status(self,
					"the length of the EMI settings",
					UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
					cancellable,
					error))
		return FALSE;
	return ub_mtk_xflash_send_param(self,
					emibuf,
					emisz,
					"the EMI (DRAM) settings",
					UB_MTK_XFLASH_DRAM_TIMEOUT_MS,
					cancellable,
					error);
}

/* one frame of @size bytes from @stream, in transfers of up to @chunk_size */
static gboolean
ub_mtk_xflash_send_stream(UbMtkXflash *self,
			  GInputStream *stream,
			  guint64 size,
			  gsize chunk_size,
			  UbProgress *progress,
			  GCancellable *cancellable,
			  GError **error)
{
	guint8 hdr[UB_MTK_XFLASH_HEADER_LEN] = {0};
	g_autoptr(UbReadAhead) reader =
	    ub_read_ahead_new(stream, size, size, chunk_size, UB_MTK_XFLASH_READ_AHEAD);
	g_autoptr(GError) error_local = NULL;
	guint timeout_ms = ub_mtk_xflash_timeout(self, UB_MTK_XFLASH_CHUNK_TIMEOUT_MS);
	guint64 done = 0;

	ub_mtk_xflash_header_build(hdr, UB_MTK_XFLASH_TYPE_PROTOCOL, (guint32)size);
	if (!ub_transport_write(self->transport,
				hdr,
				sizeof(hdr),
				UB_TRANSPORT_WRITE_FLAG_NONE,
				timeout_ms,
				cancellable,
				error))
		return FALSE;
	for (;;) {
		const guint8 *data = NULL;
		gsize len = 0;
		UbReadAheadBuffer *buffer =
		    ub_read_ahead_next(reader, &data, &len, cancellable, &error_local);
		if (buffer == NULL)
			break;
		if (!ub_transport_write(self->transport,
					data,
					len,
					UB_TRANSPORT_WRITE_FLAG_NONE,
					timeout_ms,
					cancellable,
					error))
			return FALSE;
		ub_read_ahead_release(reader, buffer);
		done += len;
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, size);
	}
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_mtk_xflash_boot_to(UbMtkXflash *self,
		      guint64 addr,
		      GInputStream *da2,
		      guint64 da2_size,
		      GCancellable *cancellable,
		      GError **error)
{
	guint8 param[16] = {0};
	g_autoptr(UbProgress) progress = ub_progress_new();

	if (da2_size == 0 || da2_size > UB_MTK_XFLASH_MAX_PAYLOAD) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "DA2 is %" G_GUINT64_FORMAT " bytes",
			    da2_size);
		return FALSE;
	}
	if (!ub_mtk_xflash_command(self, UB_MTK_XFLASH_CMD_BOOT_TO, "BOOT_TO", cancellable, error))
		return FALSE;
	ub_mem_write_u64_le(param, 0, addr);
	ub_mem_write_u64_le(param, 8, da2_size);
	if (!ub_mtk_xflash_send(self, param, sizeof(param), cancellable, error)) {
		g_prefix_error(error, "failed to send the address of DA2: ");
		return FALSE;
	}
	if (!ub_mtk_xflash_send_stream(self,
				       da2,
				       da2_size,
				       UB_MTK_XFLASH_BOOT_CHUNK,
				       progress,
				       cancellable,
				       error)) {
		g_prefix_error(error, "failed to send DA2: ");
		return FALSE;
	}
	if (!ub_mtk_xflash_check_status(self,
					"DA2",
					UB_MTK_XFLASH_BOOT_TIMEOUT_MS,
					cancellable,
					error))
		return FALSE;
	return ub_mtk_xflash_wait_sync(self,
				       "after starting DA2 (DRAM not working?)",
				       UB_MTK_XFLASH_BOOT_TIMEOUT_MS,
				       TRUE,
				       cancellable,
				       error);
}

gboolean
ub_mtk_xflash_boot(UbMtkXflash *self,
		   GBytes *emi,
		   guint64 da2_addr,
		   GInputStream *da2,
		   guint64 da2_size,
		   GCancellable *cancellable,
		   GError **error)
{
	guint8 env[20] = {0};
	guint8 hw[4] = {0};
	g_autofree gchar *agent = NULL;

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);
	g_return_val_if_fail(G_IS_INPUT_STREAM(da2), FALSE);

	if (!ub_mtk_xflash_wait_start(self, cancellable, error))
		return FALSE;
	if (!ub_mtk_xflash_send_u32(self, UB_MTK_XFLASH_CMD_SYNC_SIGNAL, cancellable, error)) {
		g_prefix_error(error, "failed to send the sync: ");
		return FALSE;
	}
	if (!ub_mtk_xflash_send_u32(self, UB_MTK_XFLASH_CMD_SETUP_ENVIRONMENT, cancellable, error))
		return FALSE;
	ub_mem_write_u32_le(env, 0, UB_MTK_XFLASH_LOG_LEVEL);
	ub_mem_write_u32_le(env, 4, UB_MTK_XFLASH_LOG_CHANNEL_USB);
	ub_mem_write_u32_le(env, 8, UB_MTK_XFLASH_SYSTEM_OS_LINUX);
	if (!ub_mtk_xflash_send_param(self,
				      env,
				      sizeof(env),
				      "SETUP_ENVIRONMENT",
				      UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
				      cancellable,
				      error))
		return FALSE;
	if (!ub_mtk_xflash_send_u32(self,
				    UB_MTK_XFLASH_CMD_SETUP_HW_INIT_PARAMS,
				    cancellable,
				    error))
		return FALSE;
	if (!ub_mtk_xflash_send_param(self,
				      hw,
				      sizeof(hw),
				      "SETUP_HW_INIT_PARAMS",
				      UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
				      cancellable,
				      error))
		return FALSE;
	if (!ub_mtk_xflash_wait_sync(self,
				     "after SETUP_HW_INIT_PARAMS",
				     UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
				     FALSE,
				     cancellable,
				     error))
		return FALSE;

	agent = ub_mtk_xflash_devctrl_get_string(self,
						 UB_MTK_XFLASH_CTRL_GET_CONNECTION_AGENT,
						 cancellable,
						 error);
	if (agent == NULL)
		return FALSE;
	g_free(self->connection_agent);
	self->connection_agent = g_strdup(agent);
	if (self->progress != NULL)
		ub_progress_log(self->progress, "the DA was started by the %s", agent);
	if (g_strcmp0(agent, "brom") == 0) {
		if (emi == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "the phone was caught in BootROM mode, so the DA must set up "
					    "its DRAM with the EMI settings of this phone's preloader: "
					    "give the preloader of its firmware with --preloader FILE");
			return FALSE;
		}
		if (!ub_mtk_xflash_init_ext_ram(self, emi, cancellable, error)) {
			g_prefix_error(error,
				       "failed to set up DRAM (does the preloader match this "
				       "phone?): ");
			return FALSE;
		}
	} else if (g_strcmp0(agent, "preloader") != 0) {
		g_debug("unknown connection agent '%s', assuming DRAM is up", agent);
	}
	return ub_mtk_xflash_boot_to(self, da2_addr, da2, da2_size, cancellable, error);
}

/* getters */

gboolean
ub_mtk_xflash_get_storage_info(UbMtkXflash *self,
			       UbMtkXflashStorageInfo *info,
			       GCancellable *cancellable,
			       GError **error)
{
	const guint32 ctrls[] = {UB_MTK_XFLASH_CTRL_GET_EMMC_INFO, UB_MTK_XFLASH_CTRL_GET_UFS_INFO};
	g_autoptr(GString) why = g_string_new(NULL);

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);
	g_return_val_if_fail(info != NULL, FALSE);

	for (guint i = 0; i < G_N_ELEMENTS(ctrls); i++) {
		g_autoptr(GError) error_local = NULL;
		g_autoptr(GBytes) blob = ub_mtk_xflash_devctrl_get(self, ctrls[i], cancellable, &error_local);
		if (blob == NULL) {
			/* a DA without that storage may refuse the question */
			if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_REFUSED)) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
		} else if (ub_mtk_xflash_storage_info_parse(ctrls[i],
							    g_bytes_get_data(blob, NULL),
							    g_bytes_get_size(blob),
							    info,
							    &error_local)) {
			return TRUE;
		} else if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		if (why->len > 0)
			g_string_append(why, "; ");
		g_string_append(why, error_local->message);
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_SUPPORTED,
		    "the DA reports neither eMMC nor UFS storage (%s)",
		    why->str);
	return FALSE;
}

gboolean
ub_mtk_xflash_negotiate_packet_length(UbMtkXflash *self,
				      guint32 *write_len,
				      guint32 *read_len,
				      GCancellable *cancellable,
				      GError **error)
{
	g_autoptr(GBytes) blob = NULL;
	const guint8 *buf;
	gsize bufsz = 0;
	guint32 wlen;
	guint32 rlen;

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);

	blob = ub_mtk_xflash_devctrl_get(self, UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH, cancellable, error);
	if (blob == NULL)
		return FALSE;
	buf = g_bytes_get_data(blob, &bufsz);
	if (bufsz < 8) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the packet lengths are %" G_GSIZE_FORMAT " bytes, 8 expected",
			    bufsz);
		return FALSE;
	}
	wlen = ub_mem_read_u32_le(buf, 0);
	rlen = ub_mem_read_u32_le(buf, 4);
	if (wlen < 512 || rlen == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the DA reports packet lengths of %u (write) and %u (read) bytes",
			    wlen,
			    rlen);
		return FALSE;
	}
	/* whole sectors per packet, and no more than a frame can carry */
	wlen = MIN(wlen, (guint32)UB_MTK_XFLASH_MAX_PAYLOAD);
	wlen -= wlen % 512;
	rlen = MIN(rlen, (guint32)UB_MTK_XFLASH_MAX_PAYLOAD);
	self->write_packet_length = wlen;
	self->read_packet_length = rlen;
	g_debug("packet lengths: write %u, read %u", wlen, rlen);
	if (write_len != NULL)
		*write_len = wlen;
	if (read_len != NULL)
		*read_len = rlen;
	return TRUE;
}

gchar *
ub_mtk_xflash_get_usb_speed(UbMtkXflash *self, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), NULL);
	return ub_mtk_xflash_devctrl_get_string(self,
						UB_MTK_XFLASH_CTRL_GET_USB_SPEED,
						cancellable,
						error);
}

/**
 * ub_mtk_xflash_get_da_version:
 * @self: a #UbMtkXflash
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the DA's version string (GET_DA_VERSION)
 */
gchar *
ub_mtk_xflash_get_da_version(UbMtkXflash *self, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), NULL);
	return ub_mtk_xflash_devctrl_get_string(self,
						UB_MTK_XFLASH_CTRL_GET_DA_VERSION,
						cancellable,
						error);
}

gboolean
ub_mtk_xflash_switch_usb_speed(UbMtkXflash *self, GCancellable *cancellable, GError **error)
{
	guint8 param[4] = {0};

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);
	if (!ub_mtk_xflash_command(self,
				   UB_MTK_XFLASH_CMD_SWITCH_USB_SPEED,
				   "SWITCH_USB_SPEED",
				   cancellable,
				   error))
		return FALSE;
	ub_mem_write_u32_le(param, 0, UB_MTK_XFLASH_HIGH_SPEED_ID);
	return ub_mtk_xflash_send_param(self,
					param,
					sizeof(param),
					"SWITCH_USB_SPEED",
					UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
					cancellable,
					error);
}

gboolean
ub_mtk_xflash_get_chip_id(UbMtkXflash *self, guint16 chip_id[5], GCancellable *cancellable, GError **error)
{
	g_autoptr(GBytes) blob = NULL;
	const guint8 *buf;
	gsize bufsz = 0;

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);
	g_return_val_if_fail(chip_id != NULL, FALSE);

	blob = ub_mtk_xflash_devctrl_get(self, UB_MTK_XFLASH_CTRL_GET_CHIP_ID, cancellable, error);
	if (blob == NULL)
		return FALSE;
	buf = g_bytes_get_data(blob, &bufsz);
	if (bufsz < 10) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the chip id is %" G_GSIZE_FORMAT " bytes, 10 expected",
			    bufsz);
		return FALSE;
	}
	for (guint i = 0; i < 5; i++)
		chip_id[i] = ub_mem_read_u16_le(buf, i * 2);
	return TRUE;
}

/* data */

static gboolean
ub_mtk_xflash_check_range(guint64 offset, guint64 length, gboolean allow_empty, GError **error)
{
	if (offset % 512 != 0 || length % 512 != 0 || (!allow_empty && length == 0) ||
	    offset + length < offset) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "offset 0x%" G_GINT64_MODIFIER "x and length 0x%" G_GINT64_MODIFIER
			    "x must be non-empty multiples of 512 bytes",
			    offset,
			    length);
		return FALSE;
	}
	return TRUE;
}

/* a command with a data parameter block: command -> status, block -> status */
static gboolean
ub_mtk_xflash_data_command(UbMtkXflash *self,
			   guint32 cmd,
			   const gchar *what,
			   guint32 storage,
			   guint32 section,
			   guint64 offset,
			   guint64 length,
			   GCancellable *cancellable,
			   GError **error)
{
	guint8 param[UB_MTK_XFLASH_DATA_PARAM_LEN] = {0};

	if (!ub_mtk_xflash_command(self, cmd, what, cancellable, error))
		return FALSE;
	ub_mtk_xflash_data_param_build(param, storage, section, offset, length);
	return ub_mtk_xflash_send_param(self,
					param,
					sizeof(param),
					what,
					UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
					cancellable,
					error);
}

gboolean
ub_mtk_xflash_read(UbMtkXflash *self,
		   guint32 storage,
		   guint32 section,
		   guint64 offset,
		   guint64 length,
		   GOutputStream *stream,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	guint64 done = 0;

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);
	g_return_val_if_fail(G_IS_OUTPUT_STREAM(stream), FALSE);

	if (!ub_mtk_xflash_check_range(offset, length, FALSE, error))
		return FALSE;
	if (!ub_mtk_xflash_data_command(self,
					UB_MTK_XFLASH_CMD_READ_DATA,
					"READ_DATA",
					storage,
					section,
					offset,
					length,
					cancellable,
					error))
		return FALSE;
	if (progress != NULL)
		ub_progress_set_bytes(progress, 0, length);
	while (done < length) {
		const guint8 *buf = NULL;
		gsize len = 0;
		guint32 status = 0;

		if (!ub_mtk_xflash_read_frame(self,
					      &buf,
					      &len,
					      UB_MTK_XFLASH_CHUNK_TIMEOUT_MS,
					      cancellable,
					      error)) {
			g_prefix_error(error,
				       "failed to read data at byte %" G_GUINT64_FORMAT ": ",
				       done);
			return FALSE;
		}
		/* a status where data was due: the DA gave up */
		if (len == 2 || len == 4) {
			status = len == 2 ? ub_mem_read_u16_le(buf, 0) : ub_mem_read_u32_le(buf, 0);
			if (status == 0)
				continue;
			ub_mtk_xflash_set_status_error(status, "to go on reading", error);
			g_prefix_error(error, "at byte %" G_GUINT64_FORMAT ": ", done);
			return FALSE;
		}
		if (len == 0 || len > length - done) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the DA sent %" G_GSIZE_FORMAT " bytes with %" G_GUINT64_FORMAT
				    " of %" G_GUINT64_FORMAT " left to read",
				    len,
				    length - done,
				    length);
			return FALSE;
		}
		if (!g_output_stream_write_all(stream, buf, len, NULL, cancellable, error)) {
			ub_error_convert(error);
			g_prefix_error(error, "failed to write the data read: ");
			return FALSE;
		}
		done += len;
		if (!ub_mtk_xflash_ack(self, cancellable, error)) {
			g_prefix_error(error, "failed to acknowledge data: ");
			return FALSE;
		}
		if (!ub_mtk_xflash_check_status(self,
						"the acknowledged data",
						UB_MTK_XFLASH_CHUNK_TIMEOUT_MS,
						cancellable,
						error))
			return FALSE;
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, length);
	}
	return ub_mtk_xflash_check_status(self,
					  "READ_DATA",
					  UB_MTK_XFLASH_FINAL_TIMEOUT_MS,
					  cancellable,
					  error);
}

/* after a WRITE_DATA: CC_OPTIONAL_DOWNLOAD_ACT, which has no parameter or answer */
static gboolean
ub_mtk_xflash_download_act(UbMtkXflash *self, GCancellable *cancellable, GError **error)
{
	return ub_mtk_xflash_devctrl_start(self,
					   UB_MTK_XFLASH_CTRL_CC_OPTIONAL_DOWNLOAD_ACT,
					   cancellable,
					   error);
}

gboolean
ub_mtk_xflash_write(UbMtkXflash *self,
		    guint32 storage,
		    guint32 section,
		    guint64 offset,
		    GInputStream *stream,
		    guint64 size,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	g_autoptr(UbReadAhead) reader = NULL;
	g_autoptr(GError) error_local = NULL;
	guint64 padded;
	guint64 done = 0;
	gsize chunk_size;

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);
	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);

	padded = (size + 511) / 512 * 512;
	if (!ub_mtk_xflash_check_range(offset, padded, FALSE, error))
		return FALSE;
	if (self->write_packet_length == 0 &&
	    !ub_mtk_xflash_negotiate_packet_length(self, NULL, NULL, cancellable, error))
		return FALSE;
	if (!ub_mtk_xflash_data_command(self,
					UB_MTK_XFLASH_CMD_WRITE_DATA,
					"WRITE_DATA",
					storage,
					section,
					offset,
					padded,
					cancellable,
					error))
		return FALSE;

	/* one data packet per write packet length: a single transfer each */
	chunk_size = self->write_packet_length;
	reader = ub_read_ahead_new(stream, size, padded, chunk_size, UB_MTK_XFLASH_READ_AHEAD);
	if (progress != NULL)
		ub_progress_set_bytes(progress, 0, padded);
	for (;;) {
		const guint8 *data = NULL;
		gsize len = 0;
		UbReadAheadBuffer *buffer =
		    ub_read_ahead_next(reader, &data, &len, cancellable, &error_local);

		if (buffer == NULL)
			break;
		if (!ub_mtk_xflash_ack(self, cancellable, error) ||
		    !ub_mtk_xflash_send_u32(self,
					    ub_mtk_xflash_checksum(data, len),
					    cancellable,
					    error) ||
		    !ub_mtk_xflash_send(self, data, len, cancellable, error)) {
			g_prefix_error(error,
				       "failed to send data at byte %" G_GUINT64_FORMAT ": ",
				       done);
			return FALSE;
		}
		ub_read_ahead_release(reader, buffer);
		if (!ub_mtk_xflash_check_status(self,
						"the data",
						UB_MTK_XFLASH_CHUNK_TIMEOUT_MS,
						cancellable,
						error)) {
			g_prefix_error(error, "at byte %" G_GUINT64_FORMAT ": ", done);
			return FALSE;
		}
		done += len;
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, padded);
	}
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (!ub_mtk_xflash_check_status(self,
					"WRITE_DATA",
					UB_MTK_XFLASH_FINAL_TIMEOUT_MS,
					cancellable,
					error))
		return FALSE;
	return ub_mtk_xflash_download_act(self, cancellable, error);
}

gboolean
ub_mtk_xflash_format(UbMtkXflash *self,
		     guint32 storage,
		     guint32 section,
		     guint64 offset,
		     guint64 length,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);

	if (!ub_mtk_xflash_check_range(offset, length, FALSE, error))
		return FALSE;
	if (!ub_mtk_xflash_data_command(self,
					UB_MTK_XFLASH_CMD_FORMAT,
					"FORMAT",
					storage,
					section,
					offset,
					length,
					cancellable,
					error))
		return FALSE;
	for (;;) {
		guint32 status = 0;
		guint32 value = 0;

		if (!ub_mtk_xflash_read_status(self,
					       &status,
					       UB_MTK_XFLASH_FORMAT_TIMEOUT_MS,
					       cancellable,
					       error)) {
			g_prefix_error(error, "failed to follow the format: ");
			return FALSE;
		}
		if (status == UB_MTK_XFLASH_STATUS_COMPLETE)
			break;
		if (status != UB_MTK_XFLASH_STATUS_CONTINUE) {
			ub_mtk_xflash_set_status_error(status, "FORMAT", error);
			return FALSE;
		}
		/* a progress report (percent) the host acknowledges */
		if (!ub_mtk_xflash_read_status(self,
					       &value,
					       UB_MTK_XFLASH_FORMAT_TIMEOUT_MS,
					       cancellable,
					       error)) {
			g_prefix_error(error, "failed to read the format progress: ");
			return FALSE;
		}
		if (progress != NULL && value <= 100)
			ub_progress_set_bytes(progress, length / 100 * value, length);
		if (!ub_mtk_xflash_ack(self, cancellable, error)) {
			g_prefix_error(error, "failed to acknowledge the format progress: ");
			return FALSE;
		}
	}
	if (progress != NULL)
		ub_progress_set_bytes(progress, length, length);
	return TRUE;
}

gboolean
ub_mtk_xflash_shutdown(UbMtkXflash *self, guint32 bootmode, GCancellable *cancellable, GError **error)
{
	guint8 param[32] = {0};

	g_return_val_if_fail(UB_IS_MTK_XFLASH(self), FALSE);
	if (!ub_mtk_xflash_command(self, UB_MTK_XFLASH_CMD_SHUTDOWN, "SHUTDOWN", cancellable, error))
		return FALSE;
	/* has_flags, enable_wdt, async, bootmode, dl_bit, dont_reset_rtc, leave_usb, 0 */
	ub_mem_write_u32_le(param, 0, bootmode != 0 ? 1 : 0);
	ub_mem_write_u32_le(param, 12, bootmode);
	return ub_mtk_xflash_send_param(self,
					param,
					sizeof(param),
					"SHUTDOWN",
					UB_MTK_XFLASH_DEFAULT_TIMEOUT_MS,
					cancellable,
					error);
}
