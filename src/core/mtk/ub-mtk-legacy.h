/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-progress.h"
#include "ub-transport.h"

G_BEGIN_DECLS

/*
 * The legacy Download Agent protocol of the MBR/EBR (PMT) era phones (MT6589,
 * MT6572, MT6582 ...): mtk.md a.5. Single reply bytes, big-endian fields.
 *
 * Bring-up after JUMP_DA (the field order of a.5; the widths are the ones
 * this client and the simulated phone agree on):
 *   DA -> C0, u32 nand_ret, u16 nand id count + ids, u32 emmc_ret, 16-byte CID
 *   host -> 5A; DA -> u8 major, u8 minor, u8 bbchip
 *   host -> config (17 bytes: u8 brom ver, u8 bl ver, u16 0x0008 nor chip
 *           select, u32 nand acccon 0x7007FFFF, u8 bmt, u32 bmt size,
 *           u8 force charge, u8 reset key, u8 ext clock 0x02, u8 msdc boot ch)
 *   DA -> u32 result (0xBC3: DRAM needed: host E8, u32 len, EMI -> u32 result)
 *   host -> u32 DA2 addr, u32 len, u32 packet (0x1000) -> DA 5A; each packet
 *           acked 5A; DA 5A at the end; host 5A
 *   DA -> eMMC report (0x5C bytes: u32 ret, u32 block size, u64 boot1, boot2,
 *         rpmb, gp1..gp4, user, 16-byte CID, u32 fw) then 5A
 * Commands (one byte; NACK A5 is followed by a u32 error code):
 *   62 WRITE: u8 storage, u8 part, u64 addr, u64 len, u32 packet -> 5A; per
 *      packet host 5A, data, u16 byte sum -> DA 69 (CONT); DA 5A at the end
 *   D6 READ: u8 host os, u8 storage, u8 part, u64 addr, u64 len -> 5A, u32
 *      packet; per packet DA data + u16 byte sum, host 5A
 *   D4 FORMAT: u8 storage, u8 part, u64 addr, u64 len -> 5A; u8 percent
 *      reports each acked 5A until 100; DA 5A
 *   A5 READ_PMT: -> 5A, u32 len, PMT, u16 sum; host 5A
 *   A6 WRITE_PMT: u32 len -> 5A; PMT, u16 sum -> 5A
 *   D9 FINISH: u32 mode -> 5A, the DA is gone
 */

#define UB_MTK_LEGACY_ACK      0x5A
#define UB_MTK_LEGACY_NACK     0xA5
#define UB_MTK_LEGACY_CONT     0x69
#define UB_MTK_LEGACY_STOP     0x96
#define UB_MTK_LEGACY_SYNC     0xC0

#define UB_MTK_LEGACY_CMD_WRITE	    0x62
#define UB_MTK_LEGACY_CMD_READ	    0xD6
#define UB_MTK_LEGACY_CMD_FORMAT    0xD4
#define UB_MTK_LEGACY_CMD_READ_PMT  0xA5
#define UB_MTK_LEGACY_CMD_WRITE_PMT 0xA6
#define UB_MTK_LEGACY_CMD_FINISH    0xD9
#define UB_MTK_LEGACY_CMD_ENABLE_DRAM 0xE8

#define UB_MTK_LEGACY_STORAGE_EMMC 2
#define UB_MTK_LEGACY_PART_BOOT1   1
#define UB_MTK_LEGACY_PART_BOOT2   2
#define UB_MTK_LEGACY_PART_USER	   8

#define UB_MTK_LEGACY_HOST_OS_LINUX 0x0C
#define UB_MTK_LEGACY_CONFIG_LEN    17
#define UB_MTK_LEGACY_EMMC_INFO_LEN 0x5C
#define UB_MTK_LEGACY_DA2_PACKET    0x1000
#define UB_MTK_LEGACY_PACKET	    0x100000
#define UB_MTK_LEGACY_DRAM_NEEDED   0xBC3
/* DA error codes after a NACK */
#define UB_MTK_LEGACY_ERR_RANGE	   3004
#define UB_MTK_LEGACY_ERR_CHECKSUM 3012

/* MediaTek's partition table (mtk.md a.8): entries of 96 bytes, name[64],
 * u64 size, u64 part id, u64 offset, u64 mask flags (little-endian, as the
 * ARM DA keeps it in memory) */
#define UB_MTK_PMT_ENTRY_LEN 96
#define UB_MTK_PMT_MAX	     128

GPtrArray *
ub_mtk_pmt_parse(const guint8 *buf, gsize bufsz, const gchar *region, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
GBytes *
ub_mtk_pmt_build(GPtrArray *partitions, GError **error) G_GNUC_WARN_UNUSED_RESULT;


typedef struct {
	guint8 da_major;
	guint8 da_minor;
	guint8 bbchip;
	guint32 block_size;
	guint64 boot1_size;
	guint64 boot2_size;
	guint64 rpmb_size;
	guint64 user_size;
	guint8 cid[16];
} UbMtkLegacyInfo;

#define UB_TYPE_MTK_LEGACY (ub_mtk_legacy_get_type())
G_DECLARE_FINAL_TYPE(UbMtkLegacy, ub_mtk_legacy, UB, MTK_LEGACY, GObject)

UbMtkLegacy *
ub_mtk_legacy_new(UbTransport *transport);
void
ub_mtk_legacy_set_timeout_limit(UbMtkLegacy *self, guint limit_ms);
const UbMtkLegacyInfo *
ub_mtk_legacy_get_info(UbMtkLegacy *self);

gboolean
ub_mtk_legacy_boot(UbMtkLegacy *self,
		   gboolean from_preloader,
		   GBytes *emi,
		   guint32 da2_addr,
		   GBytes *da2,
		   GCancellable *cancellable,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_legacy_write(UbMtkLegacy *self,
		    guint8 part,
		    guint64 addr,
		    GInputStream *stream,
		    guint64 length,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_legacy_read(UbMtkLegacy *self,
		   guint8 part,
		   guint64 addr,
		   guint64 length,
		   GOutputStream *stream,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_legacy_format(UbMtkLegacy *self,
		     guint8 part,
		     guint64 addr,
		     guint64 length,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
ub_mtk_legacy_read_pmt(UbMtkLegacy *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_legacy_write_pmt(UbMtkLegacy *self,
			GPtrArray *partitions,
			GCancellable *cancellable,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_legacy_finish(UbMtkLegacy *self, guint32 mode, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
