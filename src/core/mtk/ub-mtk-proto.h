/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * MediaTek protocol constants and pure codecs shared by the engine and the
 * simulated MTK phone (reference/mtk.md a.2, a.3, a.6, b.3). Byte order
 * differs per layer: BROM/preloader commands are BIG-endian, XFlash framing
 * and the DA file are LITTLE-endian.
 */

/* the start handshake: each byte answered by its complement */
#define UB_MTK_HANDSHAKE_LEN 4
extern const guint8 ub_mtk_handshake[UB_MTK_HANDSHAKE_LEN]; /* A0 0A 50 05 */

typedef enum {
	UB_MTK_BROM_CMD_GET_BL_VER = 0xFE,
	UB_MTK_BROM_CMD_GET_VERSION = 0xFF,
	UB_MTK_BROM_CMD_GET_HW_CODE = 0xFD,
	UB_MTK_BROM_CMD_GET_HW_SW_VER = 0xFC,
	UB_MTK_BROM_CMD_GET_PL_CAP = 0xFB,
	UB_MTK_BROM_CMD_GET_TARGET_CONFIG = 0xD8,
	UB_MTK_BROM_CMD_READ16 = 0xD0,
	UB_MTK_BROM_CMD_READ32 = 0xD1,
	UB_MTK_BROM_CMD_WRITE16 = 0xD2,
	UB_MTK_BROM_CMD_WRITE32 = 0xD4,
	UB_MTK_BROM_CMD_JUMP_DA = 0xD5,
	UB_MTK_BROM_CMD_SEND_DA = 0xD7,
	UB_MTK_BROM_CMD_JUMP_DA64 = 0xDE,
	UB_MTK_BROM_CMD_SEND_CERT = 0xE0,
	UB_MTK_BROM_CMD_GET_ME_ID = 0xE1,
	UB_MTK_BROM_CMD_SEND_AUTH = 0xE2,
	UB_MTK_BROM_CMD_GET_SOC_ID = 0xE7,
} UbMtkBromCmd;

/* GET_TARGET_CONFIG bits */
#define UB_MTK_TARGET_CONFIG_SBC	     0x01
#define UB_MTK_TARGET_CONFIG_SLA	     0x02
#define UB_MTK_TARGET_CONFIG_DAA	     0x04
#define UB_MTK_TARGET_CONFIG_EPP	     0x08
#define UB_MTK_TARGET_CONFIG_ROOT_CERT	     0x10
#define UB_MTK_TARGET_CONFIG_MEM_READ_AUTH  0x20
#define UB_MTK_TARGET_CONFIG_MEM_WRITE_AUTH 0x40
#define UB_MTK_TARGET_CONFIG_CMD_C8_BLOCKED 0x80

/* "secure boot, SLA, DAA" for the user; never NULL (free it) */
gchar *
ub_mtk_target_config_to_string(guint32 config);

/* BROM/preloader/DA status codes (mtk.md a.3 table): the text users read,
 * with what to do ("0x1D0D: this phone needs an authentication file (SLA):
 * give it with --auth"); never NULL (static or interned) */
const gchar *
ub_mtk_status_to_string(guint32 status);
/* whether @status is success (0) or an informational code (0x1D0C) */
gboolean
ub_mtk_status_is_ok(guint32 status);

/* SEND_DA checksum: XOR of all little-endian 16-bit words (an odd last byte
 * XORed alone); feed the data in any number of pieces */
guint16
ub_mtk_da_checksum_update(guint16 checksum, const guint8 *buf, gsize bufsz, gboolean *odd_pending, guint8 *odd_byte);
guint16
ub_mtk_da_checksum(const guint8 *buf, gsize bufsz);

/*
 * XFlash (DA "V5") framing: u32 magic 0xFEEEEEEF, u32 data type (1 protocol
 * flow, 2 message/log), u32 payload length, payload. Little-endian.
 */
#define UB_MTK_XFLASH_MAGIC	       0xFEEEEEEFu
#define UB_MTK_XFLASH_HEADER_LEN      12
#define UB_MTK_XFLASH_TYPE_PROTOCOL   1
#define UB_MTK_XFLASH_TYPE_MESSAGE    2
/* the longest payload either side accepts in one frame (64 MiB) */
#define UB_MTK_XFLASH_MAX_PAYLOAD     (64 * 1024 * 1024)

void
ub_mtk_xflash_header_build(guint8 buf[UB_MTK_XFLASH_HEADER_LEN], guint32 data_type, guint32 length);
gboolean
ub_mtk_xflash_header_parse(const guint8 *buf,
			   gsize bufsz,
			   guint32 *data_type,
			   guint32 *length,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

typedef enum {
	UB_MTK_XFLASH_CMD_DOWNLOAD = 0x010001,
	UB_MTK_XFLASH_CMD_UPLOAD = 0x010002,
	UB_MTK_XFLASH_CMD_FORMAT = 0x010003,
	UB_MTK_XFLASH_CMD_WRITE_DATA = 0x010004,
	UB_MTK_XFLASH_CMD_READ_DATA = 0x010005,
	UB_MTK_XFLASH_CMD_FORMAT_PARTITION = 0x010006,
	UB_MTK_XFLASH_CMD_SHUTDOWN = 0x010007,
	UB_MTK_XFLASH_CMD_BOOT_TO = 0x010008,
	UB_MTK_XFLASH_CMD_DEVICE_CTRL = 0x010009,
	UB_MTK_XFLASH_CMD_INIT_EXT_RAM = 0x01000A,
	UB_MTK_XFLASH_CMD_SWITCH_USB_SPEED = 0x01000B,
	UB_MTK_XFLASH_CMD_SETUP_ENVIRONMENT = 0x010100,
	UB_MTK_XFLASH_CMD_SETUP_HW_INIT_PARAMS = 0x010101,
	UB_MTK_XFLASH_CMD_SYNC_SIGNAL = 0x434E5953,
} UbMtkXflashCmd;

typedef enum {
	UB_MTK_XFLASH_CTRL_SET_CHECKSUM_LEVEL = 0x020003,
	UB_MTK_XFLASH_CTRL_SET_RESET_KEY = 0x020004,
	UB_MTK_XFLASH_CTRL_GET_EMMC_INFO = 0x040001,
	UB_MTK_XFLASH_CTRL_GET_UFS_INFO = 0x040004,
	UB_MTK_XFLASH_CTRL_GET_DA_VERSION = 0x040005,
	UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH = 0x040007,
	UB_MTK_XFLASH_CTRL_GET_CONNECTION_AGENT = 0x04000A,
	UB_MTK_XFLASH_CTRL_GET_USB_SPEED = 0x04000B,
	UB_MTK_XFLASH_CTRL_GET_RAM_INFO = 0x04000C,
	UB_MTK_XFLASH_CTRL_GET_CHIP_ID = 0x04000D,
	UB_MTK_XFLASH_CTRL_CC_OPTIONAL_DOWNLOAD_ACT = 0x800005,
} UbMtkXflashCtrl;

/* XFlash status codes of note */
#define UB_MTK_XFLASH_STATUS_CONTINUE 0x40040004u
#define UB_MTK_XFLASH_STATUS_COMPLETE 0x40040005u

typedef enum {
	UB_MTK_STORAGE_EMMC = 0x01,
	UB_MTK_STORAGE_UFS = 0x30,
} UbMtkStorage;

/* XFlash section ("partition type") ids: eMMC boot1 1, boot2 2, rpmb 3,
 * gp1..4 4..7, user 8, boot1+boot2 10; UFS lu0 1, lu1 2, lu2 (user) 3, rpmb 4 */
typedef enum {
	UB_MTK_SECTION_EMMC_BOOT1 = 1,
	UB_MTK_SECTION_EMMC_BOOT2 = 2,
	UB_MTK_SECTION_EMMC_RPMB = 3,
	UB_MTK_SECTION_EMMC_USER = 8,
	UB_MTK_SECTION_EMMC_BOOT1_BOOT2 = 10,
	UB_MTK_SECTION_UFS_LU0 = 1,
	UB_MTK_SECTION_UFS_LU1 = 2,
	UB_MTK_SECTION_UFS_LU2 = 3,
	UB_MTK_SECTION_UFS_RPMB = 4,
} UbMtkSection;

/*
 * Region names, one vocabulary for the whole tool (UbDeviceRegion, UbSimStorage,
 * plans, Qualcomm too): eMMC "boot1", "boot2", "rpmb", "user"; UFS "lun0",
 * "lun1", "lun2" (on MediaTek lun0/lun1 hold the preloader, lun2 is the user
 * area). Scatter regions map onto them (EMMC_BOOT1_BOOT2 -> boot1 and boot2,
 * EMMC_USER -> user, UFS_LU0_LU1 -> lun0 and lun1, UFS_LU2 -> lun2).
 */
gboolean
ub_mtk_section_for_region(UbMtkStorage storage, const gchar *region, guint32 *section, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
const gchar *
ub_mtk_region_for_section(UbMtkStorage storage, guint32 section);

/* the 56-byte data parameter block of READ_DATA / WRITE_DATA / FORMAT */
#define UB_MTK_XFLASH_DATA_PARAM_LEN 56
void
ub_mtk_xflash_data_param_build(guint8 buf[UB_MTK_XFLASH_DATA_PARAM_LEN],
			       guint32 storage,
			       guint32 section,
			       guint64 offset,
			       guint64 length);
gboolean
ub_mtk_xflash_data_param_parse(const guint8 *buf,
			       gsize bufsz,
			       guint32 *storage,
			       guint32 *section,
			       guint64 *offset,
			       guint64 *length,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* XFlash per-chunk checksum: sum of the bytes, & 0xFFFF */
guint32
ub_mtk_xflash_checksum(const guint8 *buf, gsize bufsz);

typedef enum {
	UB_MTK_DA_PROTOCOL_XFLASH,
	UB_MTK_DA_PROTOCOL_LEGACY,
	UB_MTK_DA_PROTOCOL_XML,
} UbMtkDaProtocol;

/**
 * UbMtkChip:
 * @hw_code: the BROM/preloader hardware code (GET_HW_CODE), e.g. 0x0766
 * @name: "MT6765 (Helio P35)"
 * @platform: "MT6765", as scatter files name it
 * @da_code: the code the DA file uses for this chip, e.g. 0x6765
 * @watchdog_addr: the watchdog register, 0 when none is known
 * @watchdog_value: what disables it
 * @watchdog_16bit: a 16-bit write (old chips)
 * @da_payload_addr: where DA1 is loaded when the DA file does not say
 * @da_protocol: the DA flavour the chip's stock DA speaks
 * @pmt_layout: a phone of the MBR/EBR (PMT) era: its user area starts with an
 *   MBR, MediaTek's PMT holds the table ("partition_table": "pmt")
 *
 * One row of data/mtk-chips.json (compiled in as a GResource).
 */
typedef struct {
	guint16 hw_code;
	const gchar *name;
	const gchar *platform;
	guint16 da_code;
	guint32 watchdog_addr;
	guint32 watchdog_value;
	gboolean watchdog_16bit;
	guint32 da_payload_addr;
	UbMtkDaProtocol da_protocol;
	gboolean pmt_layout;
} UbMtkChip;

/* a chip whose phones this tool drives with the legacy DA (MBR/EBR + PMT) */
gboolean
ub_mtk_chip_is_pmt_era(const UbMtkChip *chip);

/*
 * What the engine and the packages say about phones of the MBR/EBR (PMT) era
 * when they cannot go on (no legacy entry in the DA file, a scatter of that
 * era on a GPT phone ...)
 */
#define UB_MTK_PMT_ERA_ADVICE                                                                      \
	"such phones take the legacy Download Agent protocol; flash them with a DA file that "     \
	"has a legacy entry for the chip (SP Flash Tool v5's MTK_AllInOne_DA.bin) or with SP "     \
	"Flash Tool v5; nothing was written"


/* (nullable) the chip for a BROM hw code; the table lives as long as the process */
const UbMtkChip *
ub_mtk_chip_lookup(guint16 hw_code);
const UbMtkChip *
ub_mtk_chip_lookup_platform(const gchar *platform);
/* (nullable) the chip whose DA file code is @da_code (MTK_AllInOne_DA.bin entries) */
const UbMtkChip *
ub_mtk_chip_lookup_da_code(guint16 da_code);

/*
 * The boot header a raw write of the preloader needs in front of it
 * (mtk.md b.3): eMMC "EMMC_BOOT" at 0 + "BRLYT" at 0x200, preloader at 0x800;
 * UFS "UFS_BOOT" with 4 KiB units. Returns the header bytes to write before
 * the preloader image (whose size is @preloader_size).
 */
GBytes *
ub_mtk_preloader_boot_header_build(UbMtkStorage storage, guint64 preloader_size, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* checks a boot area starts with a valid header; @offset gets where the preloader starts */
gboolean
ub_mtk_preloader_boot_header_check(const guint8 *buf, gsize bufsz, guint64 *offset, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
