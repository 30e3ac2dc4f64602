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
#include "ub-mtk-legacy.h"
#include "ub-mtk-proto.h"
#include "ub-partition.h"

/* host side of the legacy DA protocol (mtk.md a.5); the wire is in the header */

#define UB_MTK_LEGACY_TIMEOUT_MS	5000
#define UB_MTK_LEGACY_FLASH_TIMEOUT_MS	60000
#define UB_MTK_LEGACY_NAND_ACCCON	0x7007FFFFu
#define UB_MTK_LEGACY_EXT_CLOCK		0x02

struct _UbMtkLegacy {
	GObject parent_instance;
	UbTransport *transport;
	UbMtkLegacyInfo info;
	guint timeout_limit_ms;
};

G_DEFINE_TYPE(UbMtkLegacy, ub_mtk_legacy, G_TYPE_OBJECT)

/* PMT */

/**
 * ub_mtk_pmt_parse:
 * @buf: the PMT as READ_PMT returns it
 * @bufsz: its size, a multiple of %UB_MTK_PMT_ENTRY_LEN
 * @region: the region the partitions are in ("user")
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer container) (element-type UbPartition): the used entries
 */
GPtrArray *
ub_mtk_pmt_parse(const guint8 *buf, gsize bufsz, const gchar *region, GError **error)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	if (bufsz % UB_MTK_PMT_ENTRY_LEN != 0 || bufsz / UB_MTK_PMT_ENTRY_LEN > UB_MTK_PMT_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "a PMT of %" G_GSIZE_FORMAT " bytes is not whole entries",
			    bufsz);
		return NULL;
	}
	for (gsize off = 0; off < bufsz; off += UB_MTK_PMT_ENTRY_LEN) {
		const guint8 *entry = buf + off;
		g_autofree gchar *name = NULL;
		guint64 size = ub_mem_read_u64_le(entry, 64);
		guint64 offset = ub_mem_read_u64_le(entry, 80);
		if (entry[0] == '\0')
			continue;
		if (memchr(entry, '\0', 64) == NULL || size == 0 || offset + size < offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "PMT entry %" G_GSIZE_FORMAT " is not valid",
				    off / UB_MTK_PMT_ENTRY_LEN);
			return NULL;
		}
		name = g_strndup((const gchar *)entry, 64);
		if (!g_utf8_validate(name, -1, NULL)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "PMT entry %" G_GSIZE_FORMAT " has no readable name",
				    off / UB_MTK_PMT_ENTRY_LEN);
			return NULL;
		}
		g_ptr_array_add(parts, ub_partition_new(name, region, offset, size));
	}
	return g_steal_pointer(&parts);
}

/**
 * ub_mtk_pmt_build:
 * @partitions: (element-type UbPartition): the table
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the PMT bytes
 */
GBytes *
ub_mtk_pmt_build(GPtrArray *partitions, GError **error)
{
	g_autofree guint8 *buf = NULL;
	gsize bufsz;
	if (partitions->len > UB_MTK_PMT_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "a PMT holds at most %u partitions, not %u",
			    (guint)UB_MTK_PMT_MAX,
			    partitions->len);
		return NULL;
	}
	bufsz = (gsize)partitions->len * UB_MTK_PMT_ENTRY_LEN;
	buf = g_malloc0(MAX(bufsz, 1));
	for (guint i = 0; i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		guint8 *entry = buf + (gsize)i * UB_MTK_PMT_ENTRY_LEN;
		const gchar *name = ub_partition_get_name(part);
		if (strlen(name) >= 64 || name[0] == '\0') {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partition name '%s' does not fit a PMT entry",
				    name);
			return NULL;
		}
		memcpy(entry, name, strlen(name));
		ub_mem_write_u64_le(entry, 64, ub_partition_get_size(part));
		ub_mem_write_u64_le(entry, 72, i);
		ub_mem_write_u64_le(entry, 80, ub_partition_get_offset(part));
	}
	return g_bytes_new_take(g_steal_pointer(&buf), bufsz);
}

/* wire */

static guint
ub_mtk_legacy_timeout(UbMtkLegacy *self, guint timeout_ms)
{
	if (self->timeout_limit_ms != 0)
		return MIN(timeout_ms, self->timeout_limit_ms);
	return timeout_ms;
}

static gboolean
ub_mtk_legacy_send(UbMtkLegacy *self,
		   const guint8 *buf,
		   gsize bufsz,
		   GCancellable *cancellable,
		   GError **error)
{
	return ub_transport_write(self->transport,
				  buf,
				  bufsz,
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  ub_mtk_legacy_timeout(self, UB_MTK_LEGACY_TIMEOUT_MS),
				  cancellable,
				  error);
}

static gboolean
ub_mtk_legacy_send_byte(UbMtkLegacy *self, guint8 value, GCancellable *cancellable, GError **error)
{
	return ub_mtk_legacy_send(self, &value, 1, cancellable, error);
}

static gboolean
ub_mtk_legacy_recv(UbMtkLegacy *self,
		   guint8 *buf,
		   gsize bufsz,
		   guint timeout_ms,
		   GCancellable *cancellable,
		   GError **error)
{
	return ub_transport_read_exact(self->transport,
				       buf,
				       bufsz,
				       ub_mtk_legacy_timeout(self, timeout_ms),
				       cancellable,
				       error);
}

/* one reply byte: ACK (or CONT when @want says so); NACK carries a u32 code */
static gboolean
ub_mtk_legacy_expect(UbMtkLegacy *self,
		     guint8 want,
		     const gchar *what,
		     guint timeout_ms,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 reply = 0;
	if (!ub_mtk_legacy_recv(self, &reply, 1, timeout_ms, cancellable, error)) {
		g_prefix_error(error, "no answer to %s: ", what);
		return FALSE;
	}
	if (reply == want)
		return TRUE;
	if (reply == UB_MTK_LEGACY_NACK) {
		guint8 code[4] = {0};
		guint32 value = 0;
		if (ub_mtk_legacy_recv(self, code, 4, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, NULL))
			value = ub_mem_read_u32_be(code, 0);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the Download Agent refused %s (error %u%s)",
			    what,
			    value,
			    value == UB_MTK_LEGACY_ERR_RANGE      ? ": outside the storage"
			    : value == UB_MTK_LEGACY_ERR_CHECKSUM ? ": checksum mismatch on USB"
								  : "");
		return FALSE;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_PROTOCOL,
		    "unexpected answer 0x%02x to %s (expected 0x%02x)",
		    reply,
		    what,
		    want);
	return FALSE;
}

/**
 * ub_mtk_legacy_new:
 * @transport: the port after JUMP_DA
 *
 * Returns: (transfer full): a legacy DA client
 */
UbMtkLegacy *
ub_mtk_legacy_new(UbTransport *transport)
{
	UbMtkLegacy *self = g_object_new(UB_TYPE_MTK_LEGACY, NULL);
	self->transport = g_object_ref(transport);
	return self;
}

void
ub_mtk_legacy_set_timeout_limit(UbMtkLegacy *self, guint limit_ms)
{
	g_return_if_fail(UB_IS_MTK_LEGACY(self));
	self->timeout_limit_ms = limit_ms;
}

const UbMtkLegacyInfo *
ub_mtk_legacy_get_info(UbMtkLegacy *self)
{
	g_return_val_if_fail(UB_IS_MTK_LEGACY(self), NULL);
	return &self->info;
}

/**
 * ub_mtk_legacy_boot:
 * @self: a #UbMtkLegacy
 * @from_preloader: DRAM is already up (DA sent by the preloader)
 * @emi: (nullable): the preloader's EMI settings, for a DA started by BootROM
 * @da2_addr: where DA2 goes
 * @da2: DA2 without its signature
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * DA1 sync, the version and config exchange, DRAM, DA2 in 4 KiB packets,
 * the eMMC report.
 *
 * Returns: %TRUE when DA2 runs
 */
gboolean
ub_mtk_legacy_boot(UbMtkLegacy *self,
		   gboolean from_preloader,
		   GBytes *emi,
		   guint32 da2_addr,
		   GBytes *da2,
		   GCancellable *cancellable,
		   GError **error)
{
	guint8 sync = 0;
	guint8 head[6] = {0};
	guint8 tail[20] = {0};
	guint8 ver[3] = {0};
	guint8 config[UB_MTK_LEGACY_CONFIG_LEN] = {0};
	guint8 word[4] = {0};
	guint8 params[12] = {0};
	guint8 report[UB_MTK_LEGACY_EMMC_INFO_LEN] = {0};
	guint32 result;
	guint16 n_ids;
	const guint8 *data;
	gsize datasz = 0;

	g_return_val_if_fail(UB_IS_MTK_LEGACY(self), FALSE);
	g_return_val_if_fail(da2 != NULL, FALSE);

	/* 1: sync and the flash ids */
	if (!ub_mtk_legacy_recv(self, &sync, 1, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error)) {
		g_prefix_error(error, "the Download Agent did not start: ");
		return FALSE;
	}
	if (sync != UB_MTK_LEGACY_SYNC) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the Download Agent sent 0x%02x instead of its sync byte 0xc0: it is "
			    "not a legacy DA",
			    sync);
		return FALSE;
	}
	if (!ub_mtk_legacy_recv(self, head, sizeof(head), UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
		return FALSE;
	n_ids = ub_mem_read_u16_be(head, 4);
	if (n_ids > 16) {
		g_set_error(error, UB_ERROR, UB_ERROR_PROTOCOL, "%u NAND ids is not believable", n_ids);
		return FALSE;
	}
	for (guint i = 0; i < n_ids; i++) {
		guint8 id[2];
		if (!ub_mtk_legacy_recv(self, id, 2, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
			return FALSE;
	}
	if (!ub_mtk_legacy_recv(self, tail, sizeof(tail), UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
		return FALSE;

	/* 2: versions */
	if (!ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_ACK, cancellable, error) ||
	    !ub_mtk_legacy_recv(self, ver, sizeof(ver), UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
		return FALSE;
	self->info.da_major = ver[0];
	self->info.da_minor = ver[1];
	self->info.bbchip = ver[2];

	/* 3: config */
	config[0] = 0xFF;
	config[1] = from_preloader ? 0x01 : 0xFE;
	ub_mem_write_u16_be(config, 2, 0x0008);
	ub_mem_write_u32_be(config, 4, UB_MTK_LEGACY_NAND_ACCCON);
	config[15] = UB_MTK_LEGACY_EXT_CLOCK;
	if (!ub_mtk_legacy_send(self, config, sizeof(config), cancellable, error) ||
	    !ub_mtk_legacy_recv(self, word, 4, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
		return FALSE;
	result = ub_mem_read_u32_be(word, 0);

	/* 4: DRAM */
	if (result == UB_MTK_LEGACY_DRAM_NEEDED) {
		guint8 len[4] = {0};
		if (emi == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "the Download Agent needs the phone's DRAM settings: give "
					    "the firmware's preloader with --preloader");
			return FALSE;
		}
		ub_mem_write_u32_be(len, 0, (guint32)g_bytes_get_size(emi));
		if (!ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_CMD_ENABLE_DRAM, cancellable, error) ||
		    !ub_mtk_legacy_send(self, len, 4, cancellable, error) ||
		    !ub_mtk_legacy_send(self,
					g_bytes_get_data(emi, NULL),
					g_bytes_get_size(emi),
					cancellable,
					error) ||
		    !ub_mtk_legacy_recv(self, word, 4, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
			return FALSE;
		result = ub_mem_read_u32_be(word, 0);
	}
	if (result != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the Download Agent failed to set up the phone (error 0x%x)%s",
			    result,
			    result == UB_MTK_LEGACY_DRAM_NEEDED
				? ""
				: "; if it is a DRAM error, the preloader does not match the board");
		return FALSE;
	}

	/* 5: DA2 */
	data = g_bytes_get_data(da2, &datasz);
	ub_mem_write_u32_be(params, 0, da2_addr);
	ub_mem_write_u32_be(params, 4, (guint32)datasz);
	ub_mem_write_u32_be(params, 8, UB_MTK_LEGACY_DA2_PACKET);
	if (!ub_mtk_legacy_send(self, params, sizeof(params), cancellable, error) ||
	    !ub_mtk_legacy_expect(self,
				  UB_MTK_LEGACY_ACK,
				  "the DA2 upload",
				  UB_MTK_LEGACY_TIMEOUT_MS,
				  cancellable,
				  error))
		return FALSE;
	for (gsize off = 0; off < datasz; off += UB_MTK_LEGACY_DA2_PACKET) {
		gsize n = MIN(datasz - off, UB_MTK_LEGACY_DA2_PACKET);
		if (!ub_mtk_legacy_send(self, data + off, n, cancellable, error) ||
		    !ub_mtk_legacy_expect(self,
					  UB_MTK_LEGACY_ACK,
					  "a DA2 packet",
					  UB_MTK_LEGACY_TIMEOUT_MS,
					  cancellable,
					  error))
			return FALSE;
	}
	if (!ub_mtk_legacy_expect(self,
				  UB_MTK_LEGACY_ACK,
				  "the end of DA2",
				  UB_MTK_LEGACY_TIMEOUT_MS,
				  cancellable,
				  error) ||
	    !ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_ACK, cancellable, error))
		return FALSE;

	/* 6: storage */
	if (!ub_mtk_legacy_recv(self, report, sizeof(report), UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_legacy_expect(self,
				  UB_MTK_LEGACY_ACK,
				  "the storage report",
				  UB_MTK_LEGACY_TIMEOUT_MS,
				  cancellable,
				  error))
		return FALSE;
	if (ub_mem_read_u32_be(report, 0) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the Download Agent found no eMMC (error 0x%x)",
			    ub_mem_read_u32_be(report, 0));
		return FALSE;
	}
	self->info.block_size = ub_mem_read_u32_be(report, 4);
	self->info.boot1_size = ub_mem_read_u64_be(report, 8);
	self->info.boot2_size = ub_mem_read_u64_be(report, 16);
	self->info.rpmb_size = ub_mem_read_u64_be(report, 24);
	self->info.user_size = ub_mem_read_u64_be(report, 64);
	memcpy(self->info.cid, report + 72, sizeof(self->info.cid));
	g_debug("legacy DA %u.%u, user %" G_GUINT64_FORMAT " bytes",
		self->info.da_major,
		self->info.da_minor,
		self->info.user_size);
	return TRUE;
}

/* u8 storage, u8 part, u64 addr, u64 len */
static void
ub_mtk_legacy_range_param(guint8 buf[18], guint8 part, guint64 addr, guint64 length)
{
	buf[0] = UB_MTK_LEGACY_STORAGE_EMMC;
	buf[1] = part;
	ub_mem_write_u64_be(buf, 2, addr);
	ub_mem_write_u64_be(buf, 10, length);
}

/**
 * ub_mtk_legacy_write:
 * @self: a #UbMtkLegacy
 * @part: %UB_MTK_LEGACY_PART_USER, _BOOT1, _BOOT2
 * @addr: byte offset in @part, a multiple of 512
 * @stream: the data
 * @length: bytes taken from @stream; the last packet is padded to 512
 * @progress: (nullable): bytes are reported here
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * SDMMC_WRITE_DATA in 1 MiB packets, each with its byte sum.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_mtk_legacy_write(UbMtkLegacy *self,
		    guint8 part,
		    guint64 addr,
		    GInputStream *stream,
		    guint64 length,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	guint64 padded = (length + 511) / 512 * 512;
	guint8 cmd[1 + 18 + 4] = {UB_MTK_LEGACY_CMD_WRITE};
	g_autofree guint8 *buf = g_malloc(UB_MTK_LEGACY_PACKET);
	guint64 done = 0;

	g_return_val_if_fail(UB_IS_MTK_LEGACY(self), FALSE);
	ub_mtk_legacy_range_param(cmd + 1, part, addr, padded);
	ub_mem_write_u32_be(cmd, 19, UB_MTK_LEGACY_PACKET);
	if (!ub_mtk_legacy_send(self, cmd, sizeof(cmd), cancellable, error) ||
	    !ub_mtk_legacy_expect(self,
				  UB_MTK_LEGACY_ACK,
				  "the write",
				  UB_MTK_LEGACY_TIMEOUT_MS,
				  cancellable,
				  error))
		return FALSE;
	while (done < padded) {
		gsize n = (gsize)MIN(padded - done, UB_MTK_LEGACY_PACKET);
		gsize want = (gsize)MIN(n, length > done ? length - done : 0);
		gsize got = 0;
		guint8 sum[2] = {0};
		if (want > 0 &&
		    !g_input_stream_read_all(stream, buf, want, &got, cancellable, error)) {
			ub_error_convert(error);
			return FALSE;
		}
		if (got != want) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_IO,
				    "the image ended after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
				    " bytes",
				    done + got,
				    length);
			return FALSE;
		}
		memset(buf + got, 0, n - got);
		ub_mem_write_u16_be(sum, 0, (guint16)ub_mtk_xflash_checksum(buf, n));
		if (!ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_ACK, cancellable, error) ||
		    !ub_mtk_legacy_send(self, buf, n, cancellable, error) ||
		    !ub_mtk_legacy_send(self, sum, 2, cancellable, error) ||
		    !ub_mtk_legacy_expect(self,
					  UB_MTK_LEGACY_CONT,
					  "a write packet",
					  UB_MTK_LEGACY_FLASH_TIMEOUT_MS,
					  cancellable,
					  error))
			return FALSE;
		done += n;
		if (progress != NULL)
			ub_progress_set_bytes(progress, MIN(done, length), length);
	}
	return ub_mtk_legacy_expect(self,
				    UB_MTK_LEGACY_ACK,
				    "the end of the write",
				    UB_MTK_LEGACY_FLASH_TIMEOUT_MS,
				    cancellable,
				    error);
}

/**
 * ub_mtk_legacy_read:
 * @self: a #UbMtkLegacy
 * @part: the eMMC part
 * @addr: byte offset
 * @length: bytes
 * @stream: where they go
 * @progress: (nullable): bytes are reported here
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * READ_CMD: packets of the DA's size, each checked against its byte sum.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_mtk_legacy_read(UbMtkLegacy *self,
		   guint8 part,
		   guint64 addr,
		   guint64 length,
		   GOutputStream *stream,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	guint8 cmd[1 + 1 + 18] = {UB_MTK_LEGACY_CMD_READ, UB_MTK_LEGACY_HOST_OS_LINUX};
	guint8 word[4] = {0};
	g_autofree guint8 *buf = NULL;
	guint32 packet;
	guint64 done = 0;

	g_return_val_if_fail(UB_IS_MTK_LEGACY(self), FALSE);
	ub_mtk_legacy_range_param(cmd + 2, part, addr, length);
	if (!ub_mtk_legacy_send(self, cmd, sizeof(cmd), cancellable, error) ||
	    !ub_mtk_legacy_expect(self,
				  UB_MTK_LEGACY_ACK,
				  "the read",
				  UB_MTK_LEGACY_TIMEOUT_MS,
				  cancellable,
				  error) ||
	    !ub_mtk_legacy_recv(self, word, 4, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
		return FALSE;
	packet = ub_mem_read_u32_be(word, 0);
	if (packet == 0 || packet > 16 * UB_MTK_LEGACY_PACKET) {
		g_set_error(error, UB_ERROR, UB_ERROR_PROTOCOL, "read packets of %u bytes", packet);
		return FALSE;
	}
	buf = g_malloc(packet);
	while (done < length) {
		gsize n = (gsize)MIN(length - done, packet);
		guint8 sum[2] = {0};
		if (!ub_mtk_legacy_recv(self, buf, n, UB_MTK_LEGACY_FLASH_TIMEOUT_MS, cancellable, error) ||
		    !ub_mtk_legacy_recv(self, sum, 2, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
			return FALSE;
		if (ub_mem_read_u16_be(sum, 0) != (guint16)ub_mtk_xflash_checksum(buf, n)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "read packet at +0x%" G_GINT64_MODIFIER "x: checksum 0x%04x, "
				    "the data sums to 0x%04x",
				    done,
				    ub_mem_read_u16_be(sum, 0),
				    (guint16)ub_mtk_xflash_checksum(buf, n));
			return FALSE;
		}
		if (!g_output_stream_write_all(stream, buf, n, NULL, cancellable, error)) {
			ub_error_convert(error);
			return FALSE;
		}
		if (!ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_ACK, cancellable, error))
			return FALSE;
		done += n;
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, length);
	}
	return TRUE;
}

/**
 * ub_mtk_legacy_format:
 * @self: a #UbMtkLegacy
 * @part: the eMMC part
 * @addr: byte offset
 * @length: bytes
 * @progress: (nullable): the DA's percentages
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ub_mtk_legacy_format(UbMtkLegacy *self,
		     guint8 part,
		     guint64 addr,
		     guint64 length,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	guint8 cmd[1 + 18] = {UB_MTK_LEGACY_CMD_FORMAT};
	guint8 pct = 0;

	g_return_val_if_fail(UB_IS_MTK_LEGACY(self), FALSE);
	ub_mtk_legacy_range_param(cmd + 1, part, addr, length);
	if (!ub_mtk_legacy_send(self, cmd, sizeof(cmd), cancellable, error) ||
	    !ub_mtk_legacy_expect(self,
				  UB_MTK_LEGACY_ACK,
				  "the format",
				  UB_MTK_LEGACY_TIMEOUT_MS,
				  cancellable,
				  error))
		return FALSE;
	while (pct < 100) {
		if (!ub_mtk_legacy_recv(self, &pct, 1, UB_MTK_LEGACY_FLASH_TIMEOUT_MS, cancellable, error))
			return FALSE;
		if (pct > 100) {
			g_set_error(error, UB_ERROR, UB_ERROR_PROTOCOL, "format progress %u%%", pct);
			return FALSE;
		}
		if (progress != NULL)
			ub_progress_set_bytes(progress, pct, 100);
		if (!ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_ACK, cancellable, error))
			return FALSE;
	}
	return ub_mtk_legacy_expect(self,
				    UB_MTK_LEGACY_ACK,
				    "the end of the format",
				    UB_MTK_LEGACY_FLASH_TIMEOUT_MS,
				    cancellable,
				    error);
}

/**
 * ub_mtk_legacy_read_pmt:
 * @self: a #UbMtkLegacy
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer container) (element-type UbPartition): the phone's PMT
 */
GPtrArray *
ub_mtk_legacy_read_pmt(UbMtkLegacy *self, GCancellable *cancellable, GError **error)
{
	guint8 word[4] = {0};
	guint8 sum[2] = {0};
	g_autofree guint8 *buf = NULL;
	guint32 len;

	g_return_val_if_fail(UB_IS_MTK_LEGACY(self), NULL);
	if (!ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_CMD_READ_PMT, cancellable, error) ||
	    !ub_mtk_legacy_expect(self,
				  UB_MTK_LEGACY_ACK,
				  "READ_PMT",
				  UB_MTK_LEGACY_TIMEOUT_MS,
				  cancellable,
				  error) ||
	    !ub_mtk_legacy_recv(self, word, 4, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
		return NULL;
	len = ub_mem_read_u32_be(word, 0);
	if (len > UB_MTK_PMT_MAX * UB_MTK_PMT_ENTRY_LEN) {
		g_set_error(error, UB_ERROR, UB_ERROR_PROTOCOL, "a PMT of %u bytes", len);
		return NULL;
	}
	buf = g_malloc(MAX(len, 1));
	if (!ub_mtk_legacy_recv(self, buf, len, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error) ||
	    !ub_mtk_legacy_recv(self, sum, 2, UB_MTK_LEGACY_TIMEOUT_MS, cancellable, error))
		return NULL;
	if (ub_mem_read_u16_be(sum, 0) != (guint16)ub_mtk_xflash_checksum(buf, len)) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_PROTOCOL, "the PMT arrived damaged");
		return NULL;
	}
	if (!ub_mtk_legacy_send_byte(self, UB_MTK_LEGACY_ACK, cancellable, error))
		return NULL;
	return ub_mtk_pmt_parse(buf, len, "user", error);
}

/**
 * ub_mtk_legacy_write_pmt:
 * @self: a #UbMtkLegacy
 * @partitions: (element-type UbPartition): the new table
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE when the DA took it
 */
gboolean
ub_mtk_legacy_write_pmt(UbMtkLegacy *self,
			GPtrArray *partitions,
			GCancellable *cancellable,
			GError **error)
{
	g_autoptr(GBytes) pmt = ub_mtk_pmt_build(partitions, error);
	guint8 cmd[5] = {UB_MTK_LEGACY_CMD_WRITE_PMT};
	guint8 sum[2] = {0};
	const guint8 *data;
	gsize datasz = 0;

	if (pmt == NULL)
		return FALSE;
	data = g_bytes_get_data(pmt, &datasz);
	ub_mem_write_u32_be(cmd, 1, (guint32)datasz);
	ub_mem_write_u16_be(sum, 0, (guint16)ub_mtk_xflash_checksum(data, datasz));
	return ub_mtk_legacy_send(self, cmd, sizeof(cmd), cancellable, error) &&
	       ub_mtk_legacy_expect(self,
				    UB_MTK_LEGACY_ACK,
				    "WRITE_PMT",
				    UB_MTK_LEGACY_TIMEOUT_MS,
				    cancellable,
				    error) &&
	       ub_mtk_legacy_send(self, data, datasz, cancellable, error) &&
	       ub_mtk_legacy_send(self, sum, 2, cancellable, error) &&
	       ub_mtk_legacy_expect(self,
				    UB_MTK_LEGACY_ACK,
				    "the new PMT",
				    UB_MTK_LEGACY_FLASH_TIMEOUT_MS,
				    cancellable,
				    error);
}

/**
 * ub_mtk_legacy_finish:
 * @self: a #UbMtkLegacy
 * @mode: 0 power off, 1 reboot
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE when the DA acknowledged
 */
gboolean
ub_mtk_legacy_finish(UbMtkLegacy *self, guint32 mode, GCancellable *cancellable, GError **error)
{
	guint8 cmd[5] = {UB_MTK_LEGACY_CMD_FINISH};
	ub_mem_write_u32_be(cmd, 1, mode);
	return ub_mtk_legacy_send(self, cmd, sizeof(cmd), cancellable, error) &&
	       ub_mtk_legacy_expect(self,
				    UB_MTK_LEGACY_ACK,
				    "FINISH",
				    UB_MTK_LEGACY_TIMEOUT_MS,
				    cancellable,
				    error);
}

static void
ub_mtk_legacy_finalize(GObject *object)
{
	UbMtkLegacy *self = UB_MTK_LEGACY(object);
	g_clear_object(&self->transport);
	G_OBJECT_CLASS(ub_mtk_legacy_parent_class)->finalize(object);
}

static void
ub_mtk_legacy_init(UbMtkLegacy *self)
{
}

static void
ub_mtk_legacy_class_init(UbMtkLegacyClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_mtk_legacy_finalize;
}
