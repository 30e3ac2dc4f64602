/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "edl/ub-sahara-proto.h"
#include "ub-error.h"
#include "ub-mem.h"

/* ELF program header types and sizes */
#define UB_SAHARA_ELF_PT_LOAD	    1
#define UB_SAHARA_ELF32_EHDR_SIZE   52
#define UB_SAHARA_ELF64_EHDR_SIZE   64
#define UB_SAHARA_ELF32_PHDR_SIZE   32
#define UB_SAHARA_ELF64_PHDR_SIZE   56
/* a PBL refuses more (SAHARA_STATUS "unsupported number of program headers") */
#define UB_SAHARA_ELF_MAX_PHDRS	    128

static const gchar *ub_sahara_cmd_names[] = {
    [UB_SAHARA_CMD_HELLO] = "HELLO",
    [UB_SAHARA_CMD_HELLO_RESP] = "HELLO_RESP",
    [UB_SAHARA_CMD_READ_DATA] = "READ_DATA",
    [UB_SAHARA_CMD_END_OF_IMAGE] = "END_OF_IMAGE",
    [UB_SAHARA_CMD_DONE] = "DONE",
    [UB_SAHARA_CMD_DONE_RESP] = "DONE_RESP",
    [UB_SAHARA_CMD_RESET] = "RESET",
    [UB_SAHARA_CMD_RESET_RESP] = "RESET_RESP",
    [UB_SAHARA_CMD_MEMORY_DEBUG] = "MEMORY_DEBUG",
    [UB_SAHARA_CMD_MEMORY_READ] = "MEMORY_READ",
    [UB_SAHARA_CMD_CMD_READY] = "CMD_READY",
    [UB_SAHARA_CMD_SWITCH_MODE] = "SWITCH_MODE",
    [UB_SAHARA_CMD_EXECUTE] = "EXECUTE",
    [UB_SAHARA_CMD_EXECUTE_RESP] = "EXECUTE_RESP",
    [UB_SAHARA_CMD_EXECUTE_DATA] = "EXECUTE_DATA",
    [UB_SAHARA_CMD_MEMORY_DEBUG64] = "MEMORY_DEBUG64",
    [UB_SAHARA_CMD_MEMORY_READ64] = "MEMORY_READ64",
    [UB_SAHARA_CMD_READ_DATA64] = "READ_DATA64",
    [UB_SAHARA_CMD_RESET_STATE_MACHINE] = "RESET_STATE_MACHINE",
};

/* the canonical table (openpst; edl.md a.2), not bkerler's shifted one */
static const gchar *ub_sahara_status_texts[] = {
    "success",
    "invalid command",
    "protocol mismatch",
    "invalid target protocol",
    "invalid host protocol",
    "invalid packet size",
    "unexpected image id",
    "invalid header size",
    "invalid data size",
    "invalid image type",
    "invalid tx length",
    "invalid rx length",
    "general tx/rx error",
    "read data error",
    "unsupported number of program headers",
    "invalid program header size",
    "multiple shared segments",
    "uninitialized program header location",
    "invalid destination address",
    "invalid image header data size",
    "invalid ELF header",
    "unknown host error",
    "receive timeout",
    "transmit timeout",
    "invalid host mode",
    "invalid memory read",
    "invalid data size request",
    "memory debug not supported",
    "invalid mode switch",
    "command execution failure",
    "invalid parameter for command execution",
    "unsupported client command",
    "invalid client command for execute data",
    "hash table authentication failure",
    "hash verification failure",
    "hash table not found",
    "target initialization failure",
    "image authentication failure",
    "invalid image hash table size",
    "enumeration failure",
    "hardware bulk transfer error",
};

/**
 * ub_sahara_packet_length_for_cmd:
 * @cmd: a #UbSaharaCmd
 *
 * Returns: the fixed length of a packet of @cmd, 0 when @cmd is unknown
 */
gsize
ub_sahara_packet_length_for_cmd(guint32 cmd)
{
	switch (cmd) {
	case UB_SAHARA_CMD_HELLO:
	case UB_SAHARA_CMD_HELLO_RESP:
		return UB_SAHARA_HELLO_LEN;
	case UB_SAHARA_CMD_READ_DATA:
		return 0x14;
	case UB_SAHARA_CMD_END_OF_IMAGE:
	case UB_SAHARA_CMD_MEMORY_DEBUG:
	case UB_SAHARA_CMD_MEMORY_READ:
	case UB_SAHARA_CMD_EXECUTE_RESP:
		return 0x10;
	case UB_SAHARA_CMD_DONE:
	case UB_SAHARA_CMD_RESET:
	case UB_SAHARA_CMD_RESET_RESP:
	case UB_SAHARA_CMD_CMD_READY:
	case UB_SAHARA_CMD_RESET_STATE_MACHINE:
		return 0x08;
	case UB_SAHARA_CMD_DONE_RESP:
	case UB_SAHARA_CMD_SWITCH_MODE:
	case UB_SAHARA_CMD_EXECUTE:
	case UB_SAHARA_CMD_EXECUTE_DATA:
		return 0x0c;
	case UB_SAHARA_CMD_MEMORY_DEBUG64:
	case UB_SAHARA_CMD_MEMORY_READ64:
		return 0x18;
	case UB_SAHARA_CMD_READ_DATA64:
		return 0x20;
	default:
		return 0;
	}
}

/**
 * ub_sahara_cmd_to_string:
 * @cmd: a #UbSaharaCmd
 *
 * Returns: the command's name ("HELLO"), "unknown" for anything else
 */
const gchar *
ub_sahara_cmd_to_string(guint32 cmd)
{
	if (cmd < G_N_ELEMENTS(ub_sahara_cmd_names) && ub_sahara_cmd_names[cmd] != NULL)
		return ub_sahara_cmd_names[cmd];
	return "unknown";
}

/**
 * ub_sahara_status_to_string:
 * @status: an END_OF_IMAGE status
 *
 * Returns: a readable reason, "unknown status 0x29" for codes past the table
 */
const gchar *
ub_sahara_status_to_string(guint32 status)
{
	g_autofree gchar *tmp = NULL;

	if (status < G_N_ELEMENTS(ub_sahara_status_texts))
		return ub_sahara_status_texts[status];
	tmp = g_strdup_printf("unknown status 0x%x", status);
	return g_intern_string(tmp);
}

/**
 * ub_sahara_packet_parse:
 * @buf: one received transfer
 * @bufsz: its size
 * @pkt: (out): the decoded packet
 * @error: (nullable): return location for a #GError
 *
 * Decodes one Sahara packet. The length field must equal @bufsz (one packet
 * per transfer) and the fixed length of the command; CMD_READY may carry one
 * extra word.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sahara_packet_parse(const guint8 *buf, gsize bufsz, UbSaharaPacket *pkt, GError **error)
{
	gsize expected;
	guint32 cmd;
	guint32 length;

	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(pkt != NULL, FALSE);

	memset(pkt, 0, sizeof(*pkt));
	if (bufsz < 8) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "Sahara packet of %" G_GSIZE_FORMAT " bytes is shorter than its header",
			    bufsz);
		return FALSE;
	}
	cmd = ub_mem_read_u32_le(buf, 0);
	length = ub_mem_read_u32_le(buf, 4);
	expected = ub_sahara_packet_length_for_cmd(cmd);
	if (expected == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "unknown Sahara command 0x%x",
			    cmd);
		return FALSE;
	}
	if (length != bufsz) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "Sahara %s length field is 0x%x but %" G_GSIZE_FORMAT " bytes arrived",
			    ub_sahara_cmd_to_string(cmd),
			    length,
			    bufsz);
		return FALSE;
	}
	if (length != expected && !(cmd == UB_SAHARA_CMD_CMD_READY && length == 0x0c)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "Sahara %s has length 0x%x, expected 0x%x",
			    ub_sahara_cmd_to_string(cmd),
			    length,
			    (guint)expected);
		return FALSE;
	}
	pkt->cmd = cmd;
	pkt->length = length;
	switch (cmd) {
	case UB_SAHARA_CMD_HELLO:
	case UB_SAHARA_CMD_HELLO_RESP:
		pkt->version = ub_mem_read_u32_le(buf, 8);
		pkt->version_compatible = ub_mem_read_u32_le(buf, 12);
		pkt->max_len = ub_mem_read_u32_le(buf, 16);
		pkt->mode = ub_mem_read_u32_le(buf, 20);
		break;
	case UB_SAHARA_CMD_READ_DATA:
		pkt->image_id = ub_mem_read_u32_le(buf, 8);
		pkt->offset = ub_mem_read_u32_le(buf, 12);
		pkt->data_len = ub_mem_read_u32_le(buf, 16);
		break;
	case UB_SAHARA_CMD_READ_DATA64:
		pkt->image_id = ub_mem_read_u64_le(buf, 8);
		pkt->offset = ub_mem_read_u64_le(buf, 16);
		pkt->data_len = ub_mem_read_u64_le(buf, 24);
		break;
	case UB_SAHARA_CMD_END_OF_IMAGE:
		pkt->image_id = ub_mem_read_u32_le(buf, 8);
		pkt->status = ub_mem_read_u32_le(buf, 12);
		break;
	case UB_SAHARA_CMD_DONE_RESP:
		pkt->status = ub_mem_read_u32_le(buf, 8);
		break;
	case UB_SAHARA_CMD_MEMORY_DEBUG:
	case UB_SAHARA_CMD_MEMORY_READ:
		pkt->offset = ub_mem_read_u32_le(buf, 8);
		pkt->data_len = ub_mem_read_u32_le(buf, 12);
		break;
	case UB_SAHARA_CMD_MEMORY_DEBUG64:
	case UB_SAHARA_CMD_MEMORY_READ64:
		pkt->offset = ub_mem_read_u64_le(buf, 8);
		pkt->data_len = ub_mem_read_u64_le(buf, 16);
		break;
	case UB_SAHARA_CMD_SWITCH_MODE:
		pkt->mode = ub_mem_read_u32_le(buf, 8);
		break;
	case UB_SAHARA_CMD_EXECUTE:
	case UB_SAHARA_CMD_EXECUTE_DATA:
		pkt->client_cmd = ub_mem_read_u32_le(buf, 8);
		break;
	case UB_SAHARA_CMD_EXECUTE_RESP:
		pkt->client_cmd = ub_mem_read_u32_le(buf, 8);
		pkt->data_len = ub_mem_read_u32_le(buf, 12);
		break;
	default:
		/* header-only packets: DONE, RESET, RESET_RESP, CMD_READY, ... */
		break;
	}
	return TRUE;
}

/**
 * ub_sahara_packet_build:
 * @pkt: the packet; @pkt->cmd selects the layout, @pkt->length is ignored
 * @buf: (out caller-allocates): where to write
 * @bufsz: size of @buf, at least the command's length
 *
 * Encodes one packet with the fixed length of its command. Values that do not
 * fit a 32-bit field are truncated, as a device would.
 *
 * Returns: bytes written, 0 for an unknown command or a short buffer
 */
gsize
ub_sahara_packet_build(const UbSaharaPacket *pkt, guint8 *buf, gsize bufsz)
{
	gsize len;

	g_return_val_if_fail(pkt != NULL, 0);
	g_return_val_if_fail(buf != NULL, 0);

	len = ub_sahara_packet_length_for_cmd(pkt->cmd);
	if (len == 0 || bufsz < len)
		return 0;
	memset(buf, 0, len);
	ub_mem_write_u32_le(buf, 0, pkt->cmd);
	ub_mem_write_u32_le(buf, 4, (guint32)len);
	switch (pkt->cmd) {
	case UB_SAHARA_CMD_HELLO:
	case UB_SAHARA_CMD_HELLO_RESP:
		ub_mem_write_u32_le(buf, 8, pkt->version);
		ub_mem_write_u32_le(buf, 12, pkt->version_compatible);
		ub_mem_write_u32_le(buf, 16, pkt->max_len);
		ub_mem_write_u32_le(buf, 20, pkt->mode);
		break;
	case UB_SAHARA_CMD_READ_DATA:
		ub_mem_write_u32_le(buf, 8, (guint32)pkt->image_id);
		ub_mem_write_u32_le(buf, 12, (guint32)pkt->offset);
		ub_mem_write_u32_le(buf, 16, (guint32)pkt->data_len);
		break;
	case UB_SAHARA_CMD_READ_DATA64:
		ub_mem_write_u64_le(buf, 8, pkt->image_id);
		ub_mem_write_u64_le(buf, 16, pkt->offset);
		ub_mem_write_u64_le(buf, 24, pkt->data_len);
		break;
	case UB_SAHARA_CMD_END_OF_IMAGE:
		ub_mem_write_u32_le(buf, 8, (guint32)pkt->image_id);
		ub_mem_write_u32_le(buf, 12, pkt->status);
		break;
	case UB_SAHARA_CMD_DONE_RESP:
		ub_mem_write_u32_le(buf, 8, pkt->status);
		break;
	case UB_SAHARA_CMD_MEMORY_DEBUG:
	case UB_SAHARA_CMD_MEMORY_READ:
		ub_mem_write_u32_le(buf, 8, (guint32)pkt->offset);
		ub_mem_write_u32_le(buf, 12, (guint32)pkt->data_len);
		break;
	case UB_SAHARA_CMD_MEMORY_DEBUG64:
	case UB_SAHARA_CMD_MEMORY_READ64:
		ub_mem_write_u64_le(buf, 8, pkt->offset);
		ub_mem_write_u64_le(buf, 16, pkt->data_len);
		break;
	case UB_SAHARA_CMD_SWITCH_MODE:
		ub_mem_write_u32_le(buf, 8, pkt->mode);
		break;
	case UB_SAHARA_CMD_EXECUTE:
	case UB_SAHARA_CMD_EXECUTE_DATA:
		ub_mem_write_u32_le(buf, 8, pkt->client_cmd);
		break;
	case UB_SAHARA_CMD_EXECUTE_RESP:
		ub_mem_write_u32_le(buf, 8, pkt->client_cmd);
		ub_mem_write_u32_le(buf, 12, (guint32)pkt->data_len);
		break;
	default:
		break;
	}
	return len;
}

/**
 * ub_sahara_chip_info_clear:
 * @info: a #UbSaharaChipInfo
 *
 * Frees what @info owns and zeroes it.
 */
void
ub_sahara_chip_info_clear(UbSaharaChipInfo *info)
{
	g_return_if_fail(info != NULL);
	g_free(info->pk_hash);
	memset(info, 0, sizeof(*info));
}

/**
 * ub_sahara_chip_info_set_hwid:
 * @info: a #UbSaharaChipInfo
 * @buf: the EXECUTE_DATA payload of MSM_HW_ID_READ
 * @bufsz: its size, 8
 * @error: (nullable): return location for a #GError
 *
 * Splits the MSM HW ID into MSM, OEM and model ids.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sahara_chip_info_set_hwid(UbSaharaChipInfo *info, const guint8 *buf, gsize bufsz, GError **error)
{
	g_return_val_if_fail(info != NULL, FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);

	if (bufsz != 8) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "MSM HW ID reply has %" G_GSIZE_FORMAT " bytes, expected 8",
			    bufsz);
		return FALSE;
	}
	info->hwid = ub_mem_read_u64_le(buf, 0);
	info->msm_id = (guint32)(info->hwid >> 32);
	info->oem_id = (guint16)((info->hwid >> 16) & 0xffff);
	info->model_id = (guint16)(info->hwid & 0xffff);
	info->has_hwid = TRUE;
	return TRUE;
}

/* whether @buf[0..n) is @len bytes repeated (the last copy may be cut short) */
static gboolean
ub_sahara_proto_is_repeated(const guint8 *buf, gsize n, gsize len)
{
	for (gsize i = len; i < n; i++) {
		if (buf[i] != buf[i % len])
			return FALSE;
	}
	return TRUE;
}

/**
 * ub_sahara_chip_info_set_pk_hash:
 * @info: a #UbSaharaChipInfo
 * @buf: the EXECUTE_DATA payload of OEM_PK_HASH_READ
 * @bufsz: its size
 * @error: (nullable): return location for a #GError
 *
 * Stores the OEM public key hash as hex: a SHA-256 (32 bytes) or SHA-384 (48
 * bytes) hash that devices repeat once per root certificate and pad with
 * zeros; both are trimmed as qdl does.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sahara_chip_info_set_pk_hash(UbSaharaChipInfo *info,
				const guint8 *buf,
				gsize bufsz,
				GError **error)
{
	const gsize hash_lens[] = {32, 48};
	gsize n = bufsz;
	gsize len = 0;
	GString *str;

	g_return_val_if_fail(info != NULL, FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);

	if (bufsz < 32) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "OEM PK hash reply has %" G_GSIZE_FORMAT " bytes, expected at least 32",
			    bufsz);
		return FALSE;
	}

	/* zero padding after the last copy */
	while (n > 0 && buf[n - 1] == 0x00)
		n--;
	for (guint i = 0; i < G_N_ELEMENTS(hash_lens); i++) {
		if (bufsz >= hash_lens[i] && ub_sahara_proto_is_repeated(buf, n, hash_lens[i])) {
			len = hash_lens[i];
			break;
		}
	}
	/* not a repeated SHA-256/384: keep everything that is not padding */
	if (len == 0)
		len = n;

	str = g_string_sized_new(len * 2);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(str, "%02x", buf[i]);
	g_free(info->pk_hash);
	info->pk_hash = g_string_free(str, FALSE);
	return TRUE;
}

/**
 * ub_sahara_chip_info_set_v3:
 * @info: a #UbSaharaChipInfo
 * @buf: the EXECUTE_DATA payload of CHIP_ID_V3_READ
 * @bufsz: its size, at least 44
 * @error: (nullable): return location for a #GError
 *
 * Decodes the Sahara v3 chip identity: chip id @0, MSM_ID @36, OEM_ID @40,
 * MODEL_ID @42, and the alternative OEM_ID @44 when the one @40 is 0.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sahara_chip_info_set_v3(UbSaharaChipInfo *info, const guint8 *buf, gsize bufsz, GError **error)
{
	guint16 oem_id;

	g_return_val_if_fail(info != NULL, FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);

	if (bufsz < 44) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "chip id v3 reply has %" G_GSIZE_FORMAT " bytes, expected at least 44",
			    bufsz);
		return FALSE;
	}
	info->chip_id_v3 = ub_mem_read_u32_le(buf, 0);
	info->msm_id = ub_mem_read_u32_le(buf, 36);
	oem_id = ub_mem_read_u16_le(buf, 40);
	if (oem_id == 0 && bufsz >= 46)
		oem_id = ub_mem_read_u16_le(buf, 44);
	info->oem_id = oem_id;
	info->model_id = ub_mem_read_u16_le(buf, 42);
	info->hwid = ((guint64)info->msm_id << 32) | ((guint64)info->oem_id << 16) |
		     (guint64)info->model_id;
	info->has_hwid = TRUE;
	return TRUE;
}

typedef struct {
	gboolean is_64;
	guint64 phoff;
	guint phnum;
	guint phentsize;
} UbSaharaElfHeader;

static gboolean
ub_sahara_elf_parse_header(const guint8 *buf, gsize bufsz, UbSaharaElfHeader *hdr, GError **error)
{
	const guint8 magic[] = {0x7f, 'E', 'L', 'F'};
	guint ehsize;

	if (bufsz < 16 || memcmp(buf, magic, sizeof(magic)) != 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "programmer is not an ELF file");
		return FALSE;
	}
	if (buf[4] != 1 && buf[4] != 2) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "programmer has unknown ELF class %u",
			    buf[4]);
		return FALSE;
	}
	if (buf[5] != 1) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "programmer is not a little-endian ELF file");
		return FALSE;
	}
	if (buf[6] != 1) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "programmer has unknown ELF version %u",
			    buf[6]);
		return FALSE;
	}
	hdr->is_64 = buf[4] == 2;
	ehsize = hdr->is_64 ? UB_SAHARA_ELF64_EHDR_SIZE : UB_SAHARA_ELF32_EHDR_SIZE;
	if (bufsz < ehsize) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "ELF header needs %u bytes, only %" G_GSIZE_FORMAT " available",
			    ehsize,
			    bufsz);
		return FALSE;
	}
	if (hdr->is_64) {
		hdr->phoff = ub_mem_read_u64_le(buf, 32);
		hdr->phentsize = ub_mem_read_u16_le(buf, 54);
		hdr->phnum = ub_mem_read_u16_le(buf, 56);
	} else {
		hdr->phoff = ub_mem_read_u32_le(buf, 28);
		hdr->phentsize = ub_mem_read_u16_le(buf, 42);
		hdr->phnum = ub_mem_read_u16_le(buf, 44);
	}
	if (hdr->phentsize !=
	    (hdr->is_64 ? UB_SAHARA_ELF64_PHDR_SIZE : UB_SAHARA_ELF32_PHDR_SIZE)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "ELF program header size %u is invalid",
			    hdr->phentsize);
		return FALSE;
	}
	if (hdr->phnum == 0 || hdr->phnum > UB_SAHARA_ELF_MAX_PHDRS) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "ELF has %u program headers, expected 1 to %u",
			    hdr->phnum,
			    (guint)UB_SAHARA_ELF_MAX_PHDRS);
		return FALSE;
	}
	if (hdr->phoff < ehsize || hdr->phoff > bufsz ||
	    (guint64)hdr->phnum * hdr->phentsize > bufsz - hdr->phoff) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "ELF program header table at 0x%" G_GINT64_MODIFIER
			    "x (%u entries) is outside the %" G_GSIZE_FORMAT " bytes available",
			    hdr->phoff,
			    hdr->phnum,
			    bufsz);
		return FALSE;
	}
	return TRUE;
}

static void
ub_sahara_elf_read_phdr(const guint8 *buf,
			const UbSaharaElfHeader *hdr,
			guint idx,
			guint32 *type,
			guint64 *offset,
			guint64 *filesz)
{
	gsize off = (gsize)hdr->phoff + (gsize)idx * hdr->phentsize;

	*type = ub_mem_read_u32_le(buf, off);
	if (hdr->is_64) {
		*offset = ub_mem_read_u64_le(buf, off + 8);
		*filesz = ub_mem_read_u64_le(buf, off + 32);
	} else {
		*offset = ub_mem_read_u32_le(buf, off + 4);
		*filesz = ub_mem_read_u32_le(buf, off + 16);
	}
}

/**
 * ub_sahara_elf_check:
 * @buf: the start of the programmer: ELF header and program header table
 * @bufsz: size of @buf
 * @info: (out) (optional): what a PBL would load
 * @error: (nullable): return location for a #GError
 *
 * Checks a programmer the way a PBL does before loading it: ELF32 or ELF64
 * little endian, a program header table inside @buf, at least one PT_LOAD
 * segment with data, no segment past 4 GiB of file.
 *
 * Returns: %TRUE when a PBL would load it
 */
gboolean
ub_sahara_elf_check(const guint8 *buf, gsize bufsz, UbSaharaElfInfo *info, GError **error)
{
	UbSaharaElfHeader hdr = {0};
	guint n_segments = 0;
	guint64 image_size;

	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);

	if (!ub_sahara_elf_parse_header(buf, bufsz, &hdr, error))
		return FALSE;
	image_size = hdr.phoff + (guint64)hdr.phnum * hdr.phentsize;
	for (guint i = 0; i < hdr.phnum; i++) {
		guint32 type;
		guint64 offset;
		guint64 filesz;

		ub_sahara_elf_read_phdr(buf, &hdr, i, &type, &offset, &filesz);
		if (type != UB_SAHARA_ELF_PT_LOAD || filesz == 0)
			continue;
		if (offset > G_MAXUINT32 || filesz > G_MAXUINT32 - offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "ELF segment %u (0x%" G_GINT64_MODIFIER
				    "x bytes at 0x%" G_GINT64_MODIFIER "x) is out of range",
				    i,
				    filesz,
				    offset);
			return FALSE;
		}
		image_size = MAX(image_size, offset + filesz);
		n_segments++;
	}
	if (n_segments == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "ELF has no loadable segment");
		return FALSE;
	}
	if (info != NULL) {
		info->is_64 = hdr.is_64;
		info->n_segments = n_segments;
		info->image_size = image_size;
	}
	return TRUE;
}

/**
 * ub_sahara_elf_get_segment:
 * @buf: the start of the programmer, as for ub_sahara_elf_check()
 * @bufsz: size of @buf
 * @idx: the loadable segment wanted, counting from 0
 * @offset: (out): its offset in the file
 * @size: (out): its size in the file
 * @error: (nullable): return location for a #GError
 *
 * Finds the @idx-th PT_LOAD segment with data, the order a PBL reads them.
 *
 * Returns: %TRUE for success, %FALSE with UB_ERROR_NOT_FOUND past the last one
 */
gboolean
ub_sahara_elf_get_segment(const guint8 *buf,
			  gsize bufsz,
			  guint idx,
			  guint64 *offset,
			  guint64 *size,
			  GError **error)
{
	UbSaharaElfHeader hdr = {0};
	guint n = 0;

	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(offset != NULL, FALSE);
	g_return_val_if_fail(size != NULL, FALSE);

	if (!ub_sahara_elf_check(buf, bufsz, NULL, error))
		return FALSE;
	if (!ub_sahara_elf_parse_header(buf, bufsz, &hdr, error))
		return FALSE;
	for (guint i = 0; i < hdr.phnum; i++) {
		guint32 type;
		guint64 seg_offset;
		guint64 filesz;

		ub_sahara_elf_read_phdr(buf, &hdr, i, &type, &seg_offset, &filesz);
		if (type != UB_SAHARA_ELF_PT_LOAD || filesz == 0)
			continue;
		if (n++ == idx) {
			*offset = seg_offset;
			*size = filesz;
			return TRUE;
		}
	}
	g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "ELF has no loadable segment %u", idx);
	return FALSE;
}

/**
 * ub_sahara_elf_get_phdrs_end:
 * @buf: the ELF header, at least 64 bytes or the whole ELF32 header
 * @bufsz: size of @buf
 * @end: (out): the offset just after the program header table
 * @error: (nullable): return location for a #GError
 *
 * Tells how much of the file a PBL reads before the segments (header and
 * program header table) from the ELF header alone.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sahara_elf_get_phdrs_end(const guint8 *buf, gsize bufsz, guint64 *end, GError **error)
{
	UbSaharaElfHeader hdr = {0};
	guint ehsize;

	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(end != NULL, FALSE);

	if (bufsz < 16 || memcmp(buf, "\177ELF", 4) != 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "programmer is not an ELF file");
		return FALSE;
	}
	ehsize = buf[4] == 2 ? UB_SAHARA_ELF64_EHDR_SIZE : UB_SAHARA_ELF32_EHDR_SIZE;
	if (bufsz < ehsize) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "ELF header needs %u bytes, only %" G_GSIZE_FORMAT " available",
			    ehsize,
			    bufsz);
		return FALSE;
	}
	/* only the header is read: let the table lie beyond @bufsz */
	if (!ub_sahara_elf_parse_header(buf, G_MAXUINT32, &hdr, error))
		return FALSE;
	*end = hdr.phoff + (guint64)hdr.phnum * hdr.phentsize;
	return TRUE;
}
