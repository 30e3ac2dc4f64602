/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "mtk/ub-mtk-proto.h"
#include "ub-error.h"
#include "ub-mem.h"
#include "ub-mtk-resources.h"

const guint8 ub_mtk_handshake[UB_MTK_HANDSHAKE_LEN] = {0xA0, 0x0A, 0x50, 0x05};

/* status texts: BROM/preloader (u16), SP Flash Tool's decimal codes and
 * the XFlash DA's 0xC00xxxxx codes (mtk.md a.3; mtkclient Library/error.py;
 * SP Flash Tool's ErrorLookup), each saying what to do where there is
 * something to do */
typedef struct {
	guint32 code;
	const gchar *text;
} UbMtkStatusText;

static const UbMtkStatusText ub_mtk_status_texts[] = {
    {0x0000, "OK"},
    {0x1D00, "address too high (above 0x80000000)"},
    {0x1D01, "address too high (above 0x40000000)"},
    {0x1D02, "invalid address"},
    {0x1D0C, "no authentication needed"},
    {0x1D0D,
     "this phone needs an authentication file (serial link authentication, SLA): "
     "give the OEM auth file with --auth"},
    {0x1D0E, "the Download Agent overlaps a protected memory range"},
    {0x1D0F, "invalid jump address for the Download Agent"},
    {0x7000, "Download Agent region includes a protected range"},
    {0x7001, "Download Agent regions overlap"},
    {0x7002, "Download Agent region overflows"},
    {0x7003, "invalid Download Agent load address: the DA file does not match this chip"},
    {0x7004, "invalid Download Agent length"},
    {0x7015,
     "Download Agent signature rejected (DA authentication, DAA): this phone needs the "
     "OEM-signed Download Agent for this model"},
    {0x7017,
     "DA authentication (DAA) security error: this phone only accepts the Download Agent "
     "signed by its manufacturer; use the OEM DA file for this model"},
    {0x7024,
     "DA authentication (DAA) signature verification failed: this phone only accepts the "
     "Download Agent signed by its manufacturer; use the OEM DA file for this model"},
    {2004,
     "S_BROM_DOWNLOAD_DA_FAIL: the phone rejected the Download Agent; check that the DA "
     "file matches the chip"},
    {2005,
     "S_BROM_CMD_STARTCMD_FAIL: the start handshake failed (possibly the target powered up "
     "too early): power the phone off, unplug it, then plug it in again holding the "
     "download key"},
    {3001,
     "S_DA_EXT_RAM_ERROR: DRAM initialisation failed; the preloader/EMI settings do not "
     "match this board"},
    {4001,
     "S_FT_DA_NO_RESPONSE: the Download Agent does not answer; stop ModemManager, use "
     "another cable or USB 2 port and try again"},
    {4008, "S_FT_DOWNLOAD_FAIL: download failed"},
    {4032,
     "S_FT_ENABLE_DRAM_FAIL: [EMI] enable DRAM failed; check that the firmware (preloader) "
     "matches this phone"},
    {5054, "S_DL_GET_DRAM_SETTING_FAIL: cannot get the DRAM (EMI) settings from the preloader"},
    {5069, "S_DL_PMT_ERR_NO_SPACE: the partition table does not fit the storage"},
    {0xC0010001, "DA error"},
    {0xC0010002, "DA abort"},
    {0xC0010003, "the Download Agent does not support this command"},
    {0xC0010004, "the Download Agent does not support this control code"},
    {0xC0010005, "DA protocol error"},
    {0xC0010006, "DA protocol buffer overflow"},
    {0xC0010007, "DA insufficient buffer"},
    {0xC001000B, "invalid DA stage"},
    {0xC001000C, "not implemented by the Download Agent"},
    {0xC0020003, "device not supported by this Download Agent"},
    {0xC0020004, "download forbidden by the phone's security policy"},
    {0xC0020005, "image too large for the partition"},
    {0xC0020006, "preloader verification failed"},
    {0xC0020007, "image verification failed"},
    {0xC002000C, "writing data is not allowed"},
    {0xC002000D, "formatting is not allowed"},
    {0xC002002D, "anti-rollback violation: the image is older than the phone allows"},
    {0xC002004C, "Download Agent anti-rollback error: use a newer DA file"},
    {0xC0020053, "Download Agent version anti-rollback error: the DA is too old for this phone"},
    {0xC0030001, "invalid scatter file"},
    {0xC0030002, "invalid DA file"},
    {0xC0030003, "DA selection error: the DA file has no entry for this chip"},
    {0xC0030004, "invalid preloader"},
    {0xC0030005, "invalid EMI header"},
    {0xC0030006, "storage type mismatch: the firmware is for another storage (eMMC/UFS)"},
    {0xC0030007, "invalid parameters"},
    {0xC0030008, "invalid GPT"},
    {0xC0030009, "invalid PMT (partition table)"},
    {0xC003000A,
     "the partition layout changed (PMT changed for the ROM): use Firmware Upgrade, or "
     "Format All + Download"},
    {0xC003000B, "invalid format parameters"},
    {0xC003000C, "unknown storage section"},
    {0xC003000E, "the partition table does not exist"},
    {0xC003000F, "the scatter file is for another chip"},
    {0xC0030010, "security certificate file not found"},
    {0xC0030011, "authentication file not found"},
    {0xC0030012,
     "this phone needs an authentication file (STATUS_SEC_AUTH_FILE_NEEDED): give the OEM "
     "auth file with --auth"},
    {0xC0030018, "invalid EMI (DRAM settings) length"},
    {0xC0040001, "unsupported operation"},
    {0xC0040003, "checksum error: the data was damaged on the way (cable, hub, port)"},
    {0xC0040006, "partition not found"},
    {0xC0040007, "reading the partition table failed"},
    {0xC0040009, "unknown storage type"},
    {0xC004000A, "DRAM test failed"},
    {0xC004000B, "the range exceeds the available storage"},
    {0xC0040030, "eMMC error"},
    {0xC0040050, "EMI setting version error"},
    {0xC0040060, "UFS error"},
    {0xC0050001, "device control exception"},
    {0xC0050005,
     "external RAM exception: DRAM is not initialised (the EMI settings were not sent or "
     "do not match this board)"},
    {0xC0050006, "USB speed switch exception"},
    {0xC0050007, "read data exception"},
    {0xC0050008, "write data exception"},
    {0xC0050009, "format exception"},
    {0xC0060001,
     "BROM start command failed: power the phone off, unplug it, then plug it in again "
     "holding the download key"},
    {0xC0060003, "BROM SEND_DA failed"},
    {0xC0060004, "BROM JUMP_DA failed"},
    {0xC0070002, "Download Agent not found for this chip"},
    {0xC0070004, "Download Agent hash mismatch (DA1 and DA2 are not from the same DA file)"},
    {UB_MTK_XFLASH_STATUS_CONTINUE, "continue"},
    {UB_MTK_XFLASH_STATUS_COMPLETE, "complete"},
};

/**
 * ub_mtk_status_to_string:
 * @status: a BROM, preloader or DA status code
 *
 * Returns: the text users read, with what to do where that is known; never %NULL
 */
const gchar *
ub_mtk_status_to_string(guint32 status)
{
	g_autofree gchar *tmp = NULL;
	for (guint i = 0; i < G_N_ELEMENTS(ub_mtk_status_texts); i++) {
		if (ub_mtk_status_texts[i].code == status)
			return ub_mtk_status_texts[i].text;
	}
	if (status >= 6000 && status < 7000) {
		tmp = g_strdup_printf("S_SECURITY error %u: the phone's security refused the "
				      "operation (signed images or an auth file may be needed)",
				      status);
		return g_intern_string(tmp);
	}
	tmp = g_strdup_printf("unknown status 0x%X", status);
	return g_intern_string(tmp);
}

/**
 * ub_mtk_status_is_ok:
 * @status: a status code
 *
 * Returns: %TRUE for success (0) or the informational "no auth needed" (0x1D0C)
 */
gboolean
ub_mtk_status_is_ok(guint32 status)
{
	return status == 0x0000 || status == 0x1D0C;
}

/**
 * ub_mtk_target_config_to_string:
 * @config: the GET_TARGET_CONFIG word
 *
 * Returns: (transfer full): e.g. "secure boot (SBC), DA authentication (DAA)",
 * or "no security" for 0
 */
gchar *
ub_mtk_target_config_to_string(guint32 config)
{
	struct {
		guint32 bit;
		const gchar *text;
	} bits[] = {
	    {UB_MTK_TARGET_CONFIG_SBC, "secure boot (SBC)"},
	    {UB_MTK_TARGET_CONFIG_SLA, "serial link authentication (SLA)"},
	    {UB_MTK_TARGET_CONFIG_DAA, "DA authentication (DAA)"},
	    {UB_MTK_TARGET_CONFIG_EPP, "EPP"},
	    {UB_MTK_TARGET_CONFIG_ROOT_CERT, "root certificate"},
	    {UB_MTK_TARGET_CONFIG_MEM_READ_AUTH, "memory read authentication"},
	    {UB_MTK_TARGET_CONFIG_MEM_WRITE_AUTH, "memory write authentication"},
	    {UB_MTK_TARGET_CONFIG_CMD_C8_BLOCKED, "command 0xC8 blocked"},
	};
	g_autoptr(GString) str = g_string_new(NULL);
	guint32 rest = config;

	for (guint i = 0; i < G_N_ELEMENTS(bits); i++) {
		if ((config & bits[i].bit) == 0)
			continue;
		if (str->len > 0)
			g_string_append(str, ", ");
		g_string_append(str, bits[i].text);
		rest &= ~bits[i].bit;
	}
	if (rest != 0) {
		if (str->len > 0)
			g_string_append(str, ", ");
		g_string_append_printf(str, "unknown flags 0x%X", rest);
	}
	if (str->len == 0)
		g_string_append(str, "no security");
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/**
 * ub_mtk_da_checksum_update:
 * @checksum: the value returned for the data so far (0 to start)
 * @buf: the next piece
 * @bufsz: its size
 * @odd_pending: (inout): whether the data so far has an odd length (FALSE to start)
 * @odd_byte: (inout): the last byte when @odd_pending
 *
 * The SEND_DA checksum: XOR of the little-endian 16-bit words; an odd last
 * byte is XORed alone. The returned value is always the checksum of all the
 * data fed so far, so the pieces may be of any length.
 *
 * Returns: the updated checksum
 */
guint16
ub_mtk_da_checksum_update(guint16 checksum,
			  const guint8 *buf,
			  gsize bufsz,
			  gboolean *odd_pending,
			  guint8 *odd_byte)
{
	gsize i = 0;

	g_return_val_if_fail(odd_pending != NULL, checksum);
	g_return_val_if_fail(odd_byte != NULL, checksum);
	if (bufsz == 0)
		return checksum;
	g_return_val_if_fail(buf != NULL, checksum);

	/* the previous piece ended on an odd byte: it was XORed alone, now it
	 * becomes the low half of a word */
	if (*odd_pending) {
		guint8 pair[2] = {*odd_byte, buf[0]};
		checksum ^= *odd_byte;
		checksum ^= ub_mem_read_u16_le(pair, 0);
		*odd_pending = FALSE;
		i = 1;
	}
	for (; i + 1 < bufsz; i += 2)
		checksum ^= ub_mem_read_u16_le(buf, i);
	if (i < bufsz) {
		checksum ^= buf[i];
		*odd_pending = TRUE;
		*odd_byte = buf[i];
	}
	return checksum;
}

/**
 * ub_mtk_da_checksum:
 * @buf: the data sent with SEND_DA
 * @bufsz: its size
 *
 * Returns: the 16-bit XOR checksum the BROM reports
 */
guint16
ub_mtk_da_checksum(const guint8 *buf, gsize bufsz)
{
	gboolean odd_pending = FALSE;
	guint8 odd_byte = 0;
	return ub_mtk_da_checksum_update(0, buf, bufsz, &odd_pending, &odd_byte);
}

/**
 * ub_mtk_xflash_header_build:
 * @buf: 12 bytes
 * @data_type: 1 protocol flow, 2 message
 * @length: the payload length
 *
 * Writes the little-endian XFlash frame header.
 */
void
ub_mtk_xflash_header_build(guint8 buf[UB_MTK_XFLASH_HEADER_LEN], guint32 data_type, guint32 length)
{
	ub_mem_write_u32_le(buf, 0, UB_MTK_XFLASH_MAGIC);
	ub_mem_write_u32_le(buf, 4, data_type);
	ub_mem_write_u32_le(buf, 8, length);
}

/**
 * ub_mtk_xflash_header_parse:
 * @buf: the received bytes
 * @bufsz: at least 12
 * @data_type: (out) (optional): 1 protocol flow, 2 message
 * @length: (out) (optional): the payload length, at most %UB_MTK_XFLASH_MAX_PAYLOAD
 * @error: (nullable): UB_ERROR_INVALID_DATA when short, UB_ERROR_PROTOCOL for a bad
 * magic, an unknown type or a length out of bounds
 *
 * Returns: %TRUE when the header is valid
 */
gboolean
ub_mtk_xflash_header_parse(const guint8 *buf,
			   gsize bufsz,
			   guint32 *data_type,
			   guint32 *length,
			   GError **error)
{
	guint32 magic;
	guint32 type_tmp;
	guint32 len_tmp;

	if (buf == NULL || bufsz < UB_MTK_XFLASH_HEADER_LEN) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "XFlash header has %" G_GSIZE_FORMAT " bytes, expected %d",
			    buf == NULL ? 0 : bufsz,
			    UB_MTK_XFLASH_HEADER_LEN);
		return FALSE;
	}
	magic = ub_mem_read_u32_le(buf, 0);
	type_tmp = ub_mem_read_u32_le(buf, 4);
	len_tmp = ub_mem_read_u32_le(buf, 8);
	if (magic != UB_MTK_XFLASH_MAGIC) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "XFlash frame has magic 0x%08X, expected 0x%08X",
			    magic,
			    UB_MTK_XFLASH_MAGIC);
		return FALSE;
	}
	if (type_tmp != UB_MTK_XFLASH_TYPE_PROTOCOL && type_tmp != UB_MTK_XFLASH_TYPE_MESSAGE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "XFlash frame has unknown data type %u",
			    type_tmp);
		return FALSE;
	}
	if (len_tmp > UB_MTK_XFLASH_MAX_PAYLOAD) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "XFlash frame announces %u bytes, more than the limit of %u",
			    len_tmp,
			    (guint)UB_MTK_XFLASH_MAX_PAYLOAD);
		return FALSE;
	}
	if (data_type != NULL)
		*data_type = type_tmp;
	if (length != NULL)
		*length = len_tmp;
	return TRUE;
}

/* region names: ours first, then the scatter spellings (mtk.md b.3) */
typedef struct {
	const gchar *name;
	UbMtkStorage storage;
	guint32 section;
} UbMtkRegionMap;

static const UbMtkRegionMap ub_mtk_region_map[] = {
    {"boot1", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT1},
    {"boot2", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT2},
    {"rpmb", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_RPMB},
    {"gp1", UB_MTK_STORAGE_EMMC, 4},
    {"gp2", UB_MTK_STORAGE_EMMC, 5},
    {"gp3", UB_MTK_STORAGE_EMMC, 6},
    {"gp4", UB_MTK_STORAGE_EMMC, 7},
    {"user", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_USER},
    {"boot1_boot2", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT1_BOOT2},
    {"lun0", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU0},
    {"lun1", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU1},
    {"lun2", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU2},
    {"rpmb", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_RPMB},
    /* scatter spellings */
    {"EMMC_BOOT1", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT1},
    {"EMMC_BOOT_1", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT1},
    {"BOOT_1", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT1},
    {"EMMC_BOOT2", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT2},
    {"EMMC_BOOT_2", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT2},
    {"BOOT_2", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT2},
    {"EMMC_RPMB", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_RPMB},
    {"EMMC_RPMP", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_RPMB},
    {"EMMC_GP1", UB_MTK_STORAGE_EMMC, 4},
    {"EMMC_GP_1", UB_MTK_STORAGE_EMMC, 4},
    {"EMMC_GP2", UB_MTK_STORAGE_EMMC, 5},
    {"EMMC_GP_2", UB_MTK_STORAGE_EMMC, 5},
    {"EMMC_GP3", UB_MTK_STORAGE_EMMC, 6},
    {"EMMC_GP_3", UB_MTK_STORAGE_EMMC, 6},
    {"EMMC_GP4", UB_MTK_STORAGE_EMMC, 7},
    {"EMMC_GP_4", UB_MTK_STORAGE_EMMC, 7},
    {"EMMC_USER", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_USER},
    {"USER", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_USER},
    {"EMMC_BOOT1_BOOT2", UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_BOOT1_BOOT2},
    {"UFS_LU0", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU0},
    {"UFS_LU1", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU1},
    {"UFS_LU2", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU2},
    {"UFS_RPMB", UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_RPMB},
};

/**
 * ub_mtk_section_for_region:
 * @storage: eMMC or UFS
 * @region: "boot1", "boot2", "rpmb", "user", "boot1_boot2" (eMMC), "lun0",
 * "lun1", "lun2", "rpmb" (UFS), or a scatter spelling (EMMC_USER, UFS_LU2 ...)
 * @section: (out): the XFlash section id
 * @error: (nullable): UB_ERROR_NOT_FOUND when the region does not exist on @storage
 *
 * Returns: %TRUE when mapped
 */
gboolean
ub_mtk_section_for_region(UbMtkStorage storage, const gchar *region, guint32 *section, GError **error)
{
	g_return_val_if_fail(section != NULL, FALSE);
	if (region != NULL) {
		for (guint i = 0; i < G_N_ELEMENTS(ub_mtk_region_map); i++) {
			if (ub_mtk_region_map[i].storage != storage)
				continue;
			if (g_ascii_strcasecmp(ub_mtk_region_map[i].name, region) != 0)
				continue;
			*section = ub_mtk_region_map[i].section;
			return TRUE;
		}
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_FOUND,
		    "no region %s on %s storage",
		    region != NULL ? region : "(none)",
		    storage == UB_MTK_STORAGE_UFS ? "UFS" : storage == UB_MTK_STORAGE_EMMC ? "eMMC" : "unknown");
	return FALSE;
}

/**
 * ub_mtk_region_for_section:
 * @storage: eMMC or UFS
 * @section: an XFlash section id
 *
 * Returns: (nullable): "boot1", "lun2" ..., %NULL for an unknown section
 */
const gchar *
ub_mtk_region_for_section(UbMtkStorage storage, guint32 section)
{
	/* the first rows of the map are our own names */
	for (guint i = 0; i < G_N_ELEMENTS(ub_mtk_region_map); i++) {
		if (g_ascii_isupper(ub_mtk_region_map[i].name[0]))
			break;
		if (ub_mtk_region_map[i].storage == storage && ub_mtk_region_map[i].section == section)
			return ub_mtk_region_map[i].name;
	}
	return NULL;
}

/**
 * ub_mtk_xflash_data_param_build:
 * @buf: 56 bytes
 * @storage: storage type id
 * @section: section id
 * @offset: byte offset inside the section
 * @length: byte count
 *
 * Writes the data parameter block of READ_DATA / WRITE_DATA / FORMAT: u32
 * storage, u32 section, u64 offset, u64 length, 8 x u32 NAND extension (zero).
 */
void
ub_mtk_xflash_data_param_build(guint8 buf[UB_MTK_XFLASH_DATA_PARAM_LEN],
			       guint32 storage,
			       guint32 section,
			       guint64 offset,
			       guint64 length)
{
	memset(buf, 0, UB_MTK_XFLASH_DATA_PARAM_LEN);
	ub_mem_write_u32_le(buf, 0, storage);
	ub_mem_write_u32_le(buf, 4, section);
	ub_mem_write_u64_le(buf, 8, offset);
	ub_mem_write_u64_le(buf, 16, length);
}

/**
 * ub_mtk_xflash_data_param_parse:
 * @buf: the received block
 * @bufsz: exactly 56
 * @storage: (out) (optional): storage type id
 * @section: (out) (optional): section id
 * @offset: (out) (optional): byte offset
 * @length: (out) (optional): byte count
 * @error: (nullable): UB_ERROR_INVALID_DATA for a wrong size or an offset +
 * length that overflows
 *
 * Returns: %TRUE when valid
 */
gboolean
ub_mtk_xflash_data_param_parse(const guint8 *buf,
			       gsize bufsz,
			       guint32 *storage,
			       guint32 *section,
			       guint64 *offset,
			       guint64 *length,
			       GError **error)
{
	guint64 off_tmp;
	guint64 len_tmp;

	if (buf == NULL || bufsz != UB_MTK_XFLASH_DATA_PARAM_LEN) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "XFlash data parameters have %" G_GSIZE_FORMAT " bytes, expected %d",
			    buf == NULL ? 0 : bufsz,
			    UB_MTK_XFLASH_DATA_PARAM_LEN);
		return FALSE;
	}
	off_tmp = ub_mem_read_u64_le(buf, 8);
	len_tmp = ub_mem_read_u64_le(buf, 16);
	if (len_tmp > G_MAXUINT64 - off_tmp) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "XFlash range 0x%" G_GINT64_MODIFIER "x + 0x%" G_GINT64_MODIFIER
			    "x overflows",
			    off_tmp,
			    len_tmp);
		return FALSE;
	}
	if (storage != NULL)
		*storage = ub_mem_read_u32_le(buf, 0);
	if (section != NULL)
		*section = ub_mem_read_u32_le(buf, 4);
	if (offset != NULL)
		*offset = off_tmp;
	if (length != NULL)
		*length = len_tmp;
	return TRUE;
}

/**
 * ub_mtk_xflash_checksum:
 * @buf: a chunk
 * @bufsz: its size
 *
 * Returns: the sum of the bytes, & 0xFFFF: the XFlash WRITE_DATA per-chunk
 *   checksum, and the legacy DA's per-packet one (ub-mtk-legacy.c)
 */
guint32
ub_mtk_xflash_checksum(const guint8 *buf, gsize bufsz)
{
	guint32 sum = 0;
	for (gsize i = 0; i < bufsz; i++)
		sum += buf[i];
	return sum & 0xFFFF;
}

/* chip table: data/mtk-chips.json compiled in, loaded once */

static gboolean
ub_mtk_chip_json_hex(JsonObject *obj, const gchar *member, guint64 max, guint64 *value)
{
	JsonNode *node = json_object_get_member(obj, member);
	const gchar *str;
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return FALSE;
	str = json_node_get_string(node);
	if (!g_str_has_prefix(str, "0x"))
		return FALSE;
	return g_ascii_string_to_unsigned(str + 2, 16, 0, max, value, NULL);
}

static const gchar *
ub_mtk_chip_json_str(JsonObject *obj, const gchar *member)
{
	JsonNode *node = json_object_get_member(obj, member);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

static GPtrArray *
ub_mtk_chip_table_load(void)
{
	g_autoptr(GPtrArray) table = g_ptr_array_new();
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;
	JsonNode *chips;
	JsonArray *arr;

	blob = g_resource_lookup_data(ub_mtk_get_resource(),
				      "/io/github/unbrick/Unbrick/mtk/mtk-chips.json",
				      G_RESOURCE_LOOKUP_FLAGS_NONE,
				      &error_local);
	if (blob == NULL) {
		g_warning("no MTK chip table: %s", error_local->message);
		return g_steal_pointer(&table);
	}
	if (!json_parser_load_from_data(parser,
					g_bytes_get_data(blob, NULL),
					(gssize)g_bytes_get_size(blob),
					&error_local)) {
		g_warning("MTK chip table: %s", error_local->message);
		return g_steal_pointer(&table);
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return g_steal_pointer(&table);
	chips = json_object_get_member(json_node_get_object(root), "chips");
	if (chips == NULL || !JSON_NODE_HOLDS_ARRAY(chips))
		return g_steal_pointer(&table);
	arr = json_node_get_array(chips);
	for (guint i = 0; i < json_array_get_length(arr); i++) {
		JsonNode *node = json_array_get_element(arr, i);
		JsonObject *obj;
		JsonNode *node_16bit;
		UbMtkChip *chip;
		guint64 hw_code = 0;
		guint64 da_code = 0;
		guint64 wdt_addr = 0;
		guint64 wdt_value = 0;
		guint64 da_addr = 0;
		const gchar *name;
		const gchar *platform;
		const gchar *da_protocol;

		if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
			continue;
		obj = json_node_get_object(node);
		name = ub_mtk_chip_json_str(obj, "name");
		platform = ub_mtk_chip_json_str(obj, "platform");
		if (name == NULL || platform == NULL ||
		    !ub_mtk_chip_json_hex(obj, "hw_code", G_MAXUINT16, &hw_code) ||
		    !ub_mtk_chip_json_hex(obj, "da_code", G_MAXUINT16, &da_code) ||
		    !ub_mtk_chip_json_hex(obj, "watchdog_addr", G_MAXUINT32, &wdt_addr) ||
		    !ub_mtk_chip_json_hex(obj, "watchdog_value", G_MAXUINT32, &wdt_value) ||
		    !ub_mtk_chip_json_hex(obj, "da_payload_addr", G_MAXUINT32, &da_addr)) {
			g_warning("MTK chip table: row %u is incomplete", i);
			continue;
		}
		node_16bit = json_object_get_member(obj, "watchdog_16bit");
		chip = g_new0(UbMtkChip, 1);
		chip->hw_code = (guint16)hw_code;
		chip->name = g_intern_string(name);
		chip->platform = g_intern_string(platform);
		chip->da_code = (guint16)da_code;
		chip->watchdog_addr = (guint32)wdt_addr;
		chip->watchdog_value = (guint32)wdt_value;
		chip->watchdog_16bit = node_16bit != NULL && JSON_NODE_HOLDS_VALUE(node_16bit) &&
				       json_node_get_value_type(node_16bit) == G_TYPE_BOOLEAN &&
				       json_node_get_boolean(node_16bit);
		chip->da_payload_addr = (guint32)da_addr;
		da_protocol = ub_mtk_chip_json_str(obj, "da_protocol");
		if (g_strcmp0(da_protocol, "legacy") == 0)
			chip->da_protocol = UB_MTK_DA_PROTOCOL_LEGACY;
		else if (g_strcmp0(da_protocol, "xml") == 0)
			chip->da_protocol = UB_MTK_DA_PROTOCOL_XML;
		else
			chip->da_protocol = UB_MTK_DA_PROTOCOL_XFLASH;
		chip->pmt_layout = g_strcmp0(ub_mtk_chip_json_str(obj, "partition_table"), "pmt") == 0;
		g_ptr_array_add(table, chip);
	}
	return g_steal_pointer(&table);
}

static GPtrArray *
ub_mtk_chip_table(void)
{
	static gsize table_init = 0;
	static GPtrArray *table = NULL;
	if (g_once_init_enter(&table_init)) {
		table = ub_mtk_chip_table_load();
		g_once_init_leave(&table_init, 1);
	}
	return table;
}

/**
 * ub_mtk_chip_is_pmt_era:
 * @chip: (nullable): a chip row
 *
 * Returns: whether the chip's stock DA is the legacy one and its phones keep
 *   the MBR/EBR + PMT layout: this tool then speaks the legacy DA protocol
 */
gboolean
ub_mtk_chip_is_pmt_era(const UbMtkChip *chip)
{
	return chip != NULL && chip->da_protocol == UB_MTK_DA_PROTOCOL_LEGACY && chip->pmt_layout;
}

/**
 * ub_mtk_chip_lookup:
 * @hw_code: the GET_HW_CODE value
 *
 * Returns: (nullable): the chip row, valid for the life of the process
 */
const UbMtkChip *
ub_mtk_chip_lookup(guint16 hw_code)
{
	GPtrArray *table = ub_mtk_chip_table();
	for (guint i = 0; i < table->len; i++) {
		const UbMtkChip *chip = g_ptr_array_index(table, i);
		if (chip->hw_code == hw_code)
			return chip;
	}
	return NULL;
}

/**
 * ub_mtk_chip_lookup_platform:
 * @platform: "MT6765" as a scatter file names it (case-insensitive)
 *
 * Returns: (nullable): the first chip row of that platform
 */
const UbMtkChip *
ub_mtk_chip_lookup_platform(const gchar *platform)
{
	GPtrArray *table = ub_mtk_chip_table();
	if (platform == NULL)
		return NULL;
	for (guint i = 0; i < table->len; i++) {
		const UbMtkChip *chip = g_ptr_array_index(table, i);
		if (g_ascii_strcasecmp(chip->platform, platform) == 0)
			return chip;
	}
	return NULL;
}

/**
 * ub_mtk_chip_lookup_da_code:
 * @da_code: the code a DA file entry carries, e.g. 0x6765
 *
 * Returns: (nullable): the first chip row with that DA code
 */
const UbMtkChip *
ub_mtk_chip_lookup_da_code(guint16 da_code)
{
	GPtrArray *table = ub_mtk_chip_table();
	for (guint i = 0; i < table->len; i++) {
		const UbMtkChip *chip = g_ptr_array_index(table, i);
		if (chip->da_code == da_code)
			return chip;
	}
	return NULL;
}

/*
 * Preloader boot header (mtk.md b.3; layout as U-Boot tools/mtk_image.h
 * gen_device_header / brom_layout_header and mtkclient's preloader_boot.py,
 * which reproduces a real MT6765 boot1 dump byte for byte). All little-endian.
 *
 *   0x000 char[12] "EMMC_BOOT" / "UFS_BOOT", NUL padded    boot identifier
 *   0x00C u32 bl_exist = 1
 *   0x010 u32 dev_rw_unit (0x200 eMMC, 0x1000 UFS)
 *   0x014 0xFF up to 0x200
 *   0x200 char[8] "BRLYT"                                 BootROM layout
 *   0x208 u32 version = 1
 *   0x20C u32 boot_region_addr (= where the preloader begins)
 *   0x210 u32 main_region_addr (= begin + region size, the boundary)
 *   0x214 descriptor 0 (of 8, 20 bytes each):
 *         u32 bl_exists_magic 0x42424242 ("BBBB")
 *         u8 bl_dev (5 eMMC boot, 0x0C UFS), u8 reserved, u16 bl_type 1 (ARM bootloader)
 *         u32 bl_begin_addr, u32 bl_boundary_addr, u32 bl_attribute = 1
 *   0x228 zero up to 0x2B4 (the unused descriptors), then 0xFF up to 0x400
 *   0x400 zero up to the preloader (0x800 eMMC; 0x1000 UFS: one 4 KiB unit)
 *
 * The UFS variant follows the same structure with 4 KiB units; it is not
 * verified against a dump (mtkclient refuses UFS), so the engine prefers the
 * DA's name-based download for UFS preloaders.
 */
#define UB_MTK_BOOT_BRLYT_OFFSET   0x200
#define UB_MTK_BOOT_BRLYT_DESC0	   0x14
#define UB_MTK_BOOT_DESC_END	   0xB4
#define UB_MTK_BOOT_BBBB	   0x42424242u
#define UB_MTK_BOOT_REGION_DEFAULT 0x40000u
#define UB_MTK_BOOT_PRELOADER_MAX  (16u * 1024 * 1024)
#define UB_MTK_BOOT_DEV_EMMC	   0x05
#define UB_MTK_BOOT_DEV_UFS	   0x0C
#define UB_MTK_BOOT_GFH_ARM_BL	   0x0001

/**
 * ub_mtk_preloader_boot_header_build:
 * @storage: eMMC or UFS
 * @preloader_size: the size of the preloader image that follows
 * @error: (nullable): UB_ERROR_NOT_SUPPORTED for other storage,
 * UB_ERROR_INVALID_DATA for an empty or too large preloader
 *
 * The region size is 256 KiB (what real preloaders declare) or the
 * preloader size rounded up to 256 KiB when larger.
 *
 * Returns: (transfer full): the header bytes (0x800 for eMMC, 0x1000 for UFS)
 */
GBytes *
ub_mtk_preloader_boot_header_build(UbMtkStorage storage, guint64 preloader_size, GError **error)
{
	const gchar *magic;
	guint32 rw_unit;
	guint32 hdrsz;
	guint8 dev;
	guint32 region;
	guint32 boundary;
	guint8 buf[0x1000] = {0};
	gsize brlyt = UB_MTK_BOOT_BRLYT_OFFSET;
	gsize desc = UB_MTK_BOOT_BRLYT_OFFSET + UB_MTK_BOOT_BRLYT_DESC0;

	switch (storage) {
	case UB_MTK_STORAGE_EMMC:
		magic = "EMMC_BOOT";
		rw_unit = 0x200;
		hdrsz = 0x800;
		dev = UB_MTK_BOOT_DEV_EMMC;
		break;
	case UB_MTK_STORAGE_UFS:
		magic = "UFS_BOOT";
		rw_unit = 0x1000;
		hdrsz = 0x1000;
		dev = UB_MTK_BOOT_DEV_UFS;
		break;
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "no preloader boot header for storage type 0x%X",
			    (guint)storage);
		return NULL;
	}
	if (preloader_size == 0 || preloader_size > UB_MTK_BOOT_PRELOADER_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "preloader of %" G_GUINT64_FORMAT " bytes does not fit a boot region",
			    preloader_size);
		return NULL;
	}
	region = UB_MTK_BOOT_REGION_DEFAULT;
	if (preloader_size > region)
		region = (guint32)((preloader_size + UB_MTK_BOOT_REGION_DEFAULT - 1) /
				   UB_MTK_BOOT_REGION_DEFAULT * UB_MTK_BOOT_REGION_DEFAULT);
	boundary = hdrsz + region;

	/* 0xFF up to BRLYT and after the descriptors, zeros elsewhere */
	memset(buf, 0xFF, UB_MTK_BOOT_BRLYT_OFFSET);
	memset(buf + brlyt + UB_MTK_BOOT_DESC_END, 0xFF, 0x200 - UB_MTK_BOOT_DESC_END);

	/* boot identifier */
	memset(buf, 0x00, 12);
	memcpy(buf, magic, strlen(magic));
	ub_mem_write_u32_le(buf, 0x0C, 1);
	ub_mem_write_u32_le(buf, 0x10, rw_unit);

	/* BRLYT */
	memcpy(buf + brlyt, "BRLYT", 5);
	ub_mem_write_u32_le(buf, brlyt + 0x08, 1);
	ub_mem_write_u32_le(buf, brlyt + 0x0C, hdrsz);
	ub_mem_write_u32_le(buf, brlyt + 0x10, boundary);
	ub_mem_write_u32_le(buf, desc + 0x00, UB_MTK_BOOT_BBBB);
	buf[desc + 0x04] = dev;
	buf[desc + 0x05] = 0;
	ub_mem_write_u16_le(buf, desc + 0x06, UB_MTK_BOOT_GFH_ARM_BL);
	ub_mem_write_u32_le(buf, desc + 0x08, hdrsz);
	ub_mem_write_u32_le(buf, desc + 0x0C, boundary);
	ub_mem_write_u32_le(buf, desc + 0x10, 1);
	return g_bytes_new(buf, hdrsz);
}

/**
 * ub_mtk_preloader_boot_header_check:
 * @buf: the start of a boot area (boot1, lun0 ...)
 * @bufsz: at least 0x228
 * @offset: (out) (optional): where the preloader starts
 * @error: (nullable): UB_ERROR_INVALID_DATA naming what is wrong
 *
 * Checks the boot identifier, the BRLYT magic, descriptor 0 ("BBBB", an
 * ARM bootloader) and that the preloader lies inside the boot region.
 *
 * Returns: %TRUE when the boot area has a valid header
 */
gboolean
ub_mtk_preloader_boot_header_check(const guint8 *buf, gsize bufsz, guint64 *offset, GError **error)
{
	gsize brlyt = UB_MTK_BOOT_BRLYT_OFFSET;
	gsize desc = UB_MTK_BOOT_BRLYT_OFFSET + UB_MTK_BOOT_BRLYT_DESC0;
	guint32 rw_unit;
	guint32 bl_exist;
	guint32 region_begin;
	guint32 begin;
	guint32 boundary;
	guint16 bl_type;
	gboolean is_emmc;
	gboolean is_ufs;

	if (buf == NULL || bufsz < desc + 0x14) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "boot area of %" G_GSIZE_FORMAT " bytes is too short for a boot header",
			    buf == NULL ? 0 : bufsz);
		return FALSE;
	}
	is_emmc = memcmp(buf, "EMMC_BOOT\0", 10) == 0;
	is_ufs = memcmp(buf, "UFS_BOOT\0", 9) == 0;
	if (!is_emmc && !is_ufs) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no EMMC_BOOT or UFS_BOOT identifier at the start of the boot area");
		return FALSE;
	}
	bl_exist = ub_mem_read_u32_le(buf, 0x0C);
	rw_unit = ub_mem_read_u32_le(buf, 0x10);
	if (bl_exist != 1) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "boot header says no bootloader exists (bl_exist %u)",
			    bl_exist);
		return FALSE;
	}
	if (rw_unit != (is_emmc ? 0x200u : 0x1000u)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "boot header has device unit 0x%X, expected 0x%X",
			    rw_unit,
			    is_emmc ? 0x200u : 0x1000u);
		return FALSE;
	}
	if (memcmp(buf + brlyt, "BRLYT\0", 6) != 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no BRLYT layout header at 0x200");
		return FALSE;
	}
	region_begin = ub_mem_read_u32_le(buf, brlyt + 0x0C);
	if (ub_mem_read_u32_le(buf, desc) != UB_MTK_BOOT_BBBB) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "BRLYT descriptor 0 has no bootloader magic");
		return FALSE;
	}
	bl_type = ub_mem_read_u16_le(buf, desc + 0x06);
	begin = ub_mem_read_u32_le(buf, desc + 0x08);
	boundary = ub_mem_read_u32_le(buf, desc + 0x0C);
	if (bl_type != UB_MTK_BOOT_GFH_ARM_BL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "BRLYT descriptor 0 has type 0x%X, not an ARM bootloader",
			    bl_type);
		return FALSE;
	}
	if (begin < desc + 0x14 || begin % rw_unit != 0 || begin != region_begin ||
	    boundary <= begin || boundary - begin > UB_MTK_BOOT_PRELOADER_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "BRLYT preloader region 0x%X..0x%X is invalid",
			    begin,
			    boundary);
		return FALSE;
	}
	if (offset != NULL)
		*offset = begin;
	return TRUE;
}
