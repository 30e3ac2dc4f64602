/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-mtk-proto.h"
#include "ub-progress.h"
#include "ub-transport.h"

G_BEGIN_DECLS

/*
 * The host side of the XFlash ("V5") Download Agent protocol (mtk.md a.6)
 * over a UbTransport: 0xFEEEEEEF frames, a status after each step, logs
 * (message frames) passed to the progress log. Blocking, for worker threads.
 * Large writes: every data packet goes out as one transfer of up to the DA's
 * write packet length (never 512 bytes at a time), the next chunk read from
 * the stream while the previous one is on the wire (src/core/ub-read-ahead.h).
 */

#define UB_TYPE_MTK_XFLASH (ub_mtk_xflash_get_type())
G_DECLARE_FINAL_TYPE(UbMtkXflash, ub_mtk_xflash, UB, MTK_XFLASH, GObject)

/**
 * UbMtkXflashStorageInfo:
 * @storage: UB_MTK_STORAGE_EMMC or UB_MTK_STORAGE_UFS
 * @block_size: bytes per sector (512 eMMC, 4096 UFS)
 * @boot1_size, @boot2_size, @rpmb_size, @user_size: eMMC sizes (bytes)
 * @lu0_size, @lu1_size, @lu2_size: UFS sizes (bytes)
 * @cid: (nullable): eMMC CID / UFS product id, hex
 */
typedef struct {
	guint32 storage;
	guint32 block_size;
	guint64 boot1_size;
	guint64 boot2_size;
	guint64 rpmb_size;
	guint64 user_size;
	guint64 lu0_size;
	guint64 lu1_size;
	guint64 lu2_size;
	gchar *cid;
} UbMtkXflashStorageInfo;

void
ub_mtk_xflash_storage_info_clear(UbMtkXflashStorageInfo *info);
/* pure: the EMMC_INFO / UFS_INFO payloads (layouts as mtkclient's xflash_lib) */
gboolean
ub_mtk_xflash_storage_info_parse(guint32 ctrl,
				 const guint8 *buf,
				 gsize bufsz,
				 UbMtkXflashStorageInfo *info,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

UbMtkXflash *
ub_mtk_xflash_new(UbTransport *transport);
/* after a USB re-enumeration (0e8d:2001) the DA keeps its state: new transport, same session */
void
ub_mtk_xflash_set_transport(UbMtkXflash *self, UbTransport *transport);
void
ub_mtk_xflash_set_progress(UbMtkXflash *self, UbProgress *progress);
/* the longest any single wait may take (tests), 0 for the protocol's own timeouts */
void
ub_mtk_xflash_set_timeout_limit(UbMtkXflash *self, guint limit_ms);
/* what the user can do after a DA status; NULL when its status text says it */
const gchar *
ub_mtk_xflash_status_advice(guint32 status);

/*
 * Bring-up after JUMP_DA (DA1): the 0xC0 sync byte, SYNC_SIGNAL,
 * SETUP_ENVIRONMENT (log level, USB log channel, Linux), SETUP_HW_INIT_PARAMS;
 * CONNECTION_AGENT: from "brom" INIT_EXT_RAM with the EMI settings @emi
 * (from the preloader; NULL when connected through the preloader: DRAM is up,
 * and an error naming the missing preloader otherwise); then BOOT_TO DA2
 * (@da2: the region without its signature) at @da2_addr; then the DA2 sync.
 */
gboolean
ub_mtk_xflash_boot(UbMtkXflash *self,
		   GBytes *emi,
		   guint64 da2_addr,
		   GInputStream *da2,
		   guint64 da2_size,
		   GCancellable *cancellable,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* "brom" or "preloader" (after ub_mtk_xflash_boot) */
const gchar *
ub_mtk_xflash_get_connection_agent(UbMtkXflash *self);
gboolean
ub_mtk_xflash_get_storage_info(UbMtkXflash *self,
			       UbMtkXflashStorageInfo *info,
			       GCancellable *cancellable,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* GET_PACKET_LENGTH: adopted for the following reads and writes */
gboolean
ub_mtk_xflash_negotiate_packet_length(UbMtkXflash *self,
				      guint32 *write_len,
				      guint32 *read_len,
				      GCancellable *cancellable,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* GET_USB_SPEED: "full-speed", "high-speed" or "hyper-speed" (free it) */
gchar *
ub_mtk_xflash_get_usb_speed(UbMtkXflash *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* SWITCH_USB_SPEED with 0x0E8D2001: the phone drops off the bus and comes back
 * as 0e8d:2001; the caller reconnects and calls ub_mtk_xflash_set_transport() */
gboolean
ub_mtk_xflash_switch_usb_speed(UbMtkXflash *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* GET_DA_VERSION (free it) */
gchar *
ub_mtk_xflash_get_da_version(UbMtkXflash *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* CHIP_ID: 5 x u16 (hw_code, hw_sub_code, hw_ver, sw_ver, chip_evolution) */
gboolean
ub_mtk_xflash_get_chip_id(UbMtkXflash *self, guint16 chip_id[5], GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* READ_DATA: @length bytes at @offset of @section into @stream (multiples of 512) */
gboolean
ub_mtk_xflash_read(UbMtkXflash *self,
		   guint32 storage,
		   guint32 section,
		   guint64 offset,
		   guint64 length,
		   GOutputStream *stream,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* WRITE_DATA: @size bytes from @stream (zero-padded to 512) at @offset of @section,
 * per chunk u32 0, u32 checksum, data, then the DA's status */
gboolean
ub_mtk_xflash_write(UbMtkXflash *self,
		    guint32 storage,
		    guint32 section,
		    guint64 offset,
		    GInputStream *stream,
		    guint64 size,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* FORMAT of a range, following CONTINUE progress reports until COMPLETE */
gboolean
ub_mtk_xflash_format(UbMtkXflash *self,
		     guint32 storage,
		     guint32 section,
		     guint64 offset,
		     guint64 length,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* SHUTDOWN: @bootmode 0 power off, 1 boot to system, 2 fastboot */
gboolean
ub_mtk_xflash_shutdown(UbMtkXflash *self, guint32 bootmode, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
