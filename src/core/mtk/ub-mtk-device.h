/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-device.h"
#include "ub-mtk-brom.h"
#include "ub-mtk-xflash.h"

G_BEGIN_DECLS

/*
 * A MediaTek phone in BootROM (0e8d:0003) or preloader (0e8d:2000) mode as a
 * UbDevice. open(): handshake, identify (chip from data/mtk-chips.json,
 * secure boot / SLA / DAA shown as extras), watchdog off (BROM), SEND_AUTH /
 * SEND_CERT when the user gave files, DA entry picked from the DA file, DA1
 * sent and started, XFlash bring-up (EMI from the preloader when started from
 * BROM), DA2, storage info -> device regions ("boot1", "boot2", "user" /
 * "lun0", "lun1", "lun2"), packet lengths, the USB speed switch to 0e8d:2001
 * when the DA runs at full speed (through ub_device_reconnect()), then the
 * GPT of the user area -> list_partitions().
 *
 * Chips of the MBR/EBR (PMT) era (ub_mtk_chip_is_pmt_era(): MT6572, MT6582 ...)
 * take the legacy DA instead (ub-mtk-legacy.h) when the DA file has an entry
 * for them (otherwise open() refuses before DA1 is sent): regions boot1, boot2
 * and user from its eMMC report, MediaTek's PMT as the partition table
 * (list_partitions(), names resolved case-insensitively),
 * write_partition_table() writes a new PMT, no USB speed switch.
 *
 * read/write/erase: by partition name or region + byte offset + length
 * (multiples of 512); write() un-sparses Android sparse images on the host,
 * skipping DONT_CARE (several WRITE_DATA ranges); a write of the preloader
 * (partition "preloader", or the boot1/lun0 region at offset 0 with an image
 * that starts with the preloader's GFH "MMM") gets the boot header it needs
 * and goes to both boot areas. reboot(): SHUTDOWN (SYSTEM, POWER_OFF,
 * BOOTLOADER = fastboot).
 */

#define UB_TYPE_MTK_DEVICE (ub_mtk_device_get_type())
G_DECLARE_FINAL_TYPE(UbMtkDevice, ub_mtk_device, UB, MTK_DEVICE, UbDevice)

UbDevice *
ub_mtk_device_new(UbTransport *transport, UbDeviceMode mode);
/* MTK_AllInOne_DA.bin; without it open() stops after identification with
 * UB_ERROR_INVALID_DATA "... needs its Download Agent: --da MTK_AllInOne_DA.bin"
 * unless identify_only */
void
ub_mtk_device_set_da_file(UbMtkDevice *self, GFile *da_file);
/* the preloader image, for the EMI (DRAM) settings when starting from BROM */
void
ub_mtk_device_set_preloader(UbMtkDevice *self, GFile *preloader);
void
ub_mtk_device_set_auth_file(UbMtkDevice *self, GFile *auth);
void
ub_mtk_device_set_cert_file(UbMtkDevice *self, GFile *cert);
void
ub_mtk_device_set_identify_only(UbMtkDevice *self, gboolean identify_only);
/* the longest any DA wait may take (tests), 0 for the protocol's own timeouts */
void
ub_mtk_device_set_timeout_limit(UbMtkDevice *self, guint limit_ms);
const UbMtkBromInfo *
ub_mtk_device_get_brom_info(UbMtkDevice *self);

/* pure, for the preloader: the EMI settings blob inside a preloader image
 * ("MTK_BLOADER_INFO_v" block, mtk.md a.4) */
GBytes *
ub_mtk_preloader_get_emi(const guint8 *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
