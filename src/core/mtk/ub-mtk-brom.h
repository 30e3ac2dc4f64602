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
 * The host side of the MediaTek BootROM / preloader command protocol over a
 * UbTransport (libusb with cdc_acm detached, or /dev/ttyACMn). Big-endian;
 * every command byte and parameter echoed and checked; every status decoded
 * with ub_mtk_status_to_string(). Blocking, for worker threads.
 */

#define UB_TYPE_MTK_BROM (ub_mtk_brom_get_type())
G_DECLARE_FINAL_TYPE(UbMtkBrom, ub_mtk_brom, UB, MTK_BROM, GObject)

/**
 * UbMtkBromInfo:
 * @is_preloader: the preloader answered GET_BL_VER (BROM echoes 0xFE)
 * @bl_version: preloader version (0 on BROM)
 * @brom_version: GET_VERSION
 * @hw_code, @hw_sub_code, @hw_version, @sw_version: chip identity
 * @target_config: GET_TARGET_CONFIG bits (SBC, SLA, DAA...)
 * @pl_cap: preloader capabilities (GET_PL_CAP), 0 on BROM
 * @me_id: (nullable): GET_ME_ID as hex
 * @soc_id: (nullable): GET_SOC_ID as hex
 */
typedef struct {
	gboolean is_preloader;
	guint8 bl_version;
	guint8 brom_version;
	guint16 hw_code;
	guint16 hw_sub_code;
	guint16 hw_version;
	guint16 sw_version;
	guint32 target_config;
	guint32 pl_cap;
	gchar *me_id;
	gchar *soc_id;
} UbMtkBromInfo;

void
ub_mtk_brom_info_clear(UbMtkBromInfo *info);

UbMtkBrom *
ub_mtk_brom_new(UbTransport *transport);
/* the budget of the whole handshake (default 5000 ms) */
void
ub_mtk_brom_set_handshake_timeout(UbMtkBrom *self, guint timeout_ms);
/* caps every other wait (tests of lost answers); 0 for the protocol's own */
void
ub_mtk_brom_set_timeout_limit(UbMtkBrom *self, guint limit_ms);

/*
 * A0 0A 50 05, one byte at a time, each answered by its complement; stale
 * "READY" bytes are skipped; a wrong or missing answer starts over from 0xA0
 * (a preloader may swallow the first 0xA0). Fails after the budget with
 * UB_ERROR_TIMED_OUT and the advice users need (cable and port, ModemManager,
 * brltty, hold Volume Down while plugging the powered-off phone in).
 */
gboolean
ub_mtk_brom_handshake(UbMtkBrom *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* GET_BL_VER, GET_VERSION, GET_HW_CODE, GET_HW_SW_VER, GET_TARGET_CONFIG, and on
 * a preloader GET_PL_CAP; ME_ID / SOC_ID where answered */
gboolean
ub_mtk_brom_identify(UbMtkBrom *self, UbMtkBromInfo *info, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_brom_read32(UbMtkBrom *self,
		   guint32 addr,
		   guint32 count,
		   guint32 *values,
		   GCancellable *cancellable,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_brom_write32(UbMtkBrom *self,
		    guint32 addr,
		    const guint32 *values,
		    guint32 count,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_brom_write16(UbMtkBrom *self,
		    guint32 addr,
		    const guint16 *values,
		    guint32 count,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the watchdog write of the chip table (BROM only; a preloader has done it) */
gboolean
ub_mtk_brom_disable_watchdog(UbMtkBrom *self,
			     const UbMtkChip *chip,
			     GCancellable *cancellable,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* SEND_CERT / SEND_AUTH with the user's file: length echoed, data, checksum + status */
gboolean
ub_mtk_brom_send_auth(UbMtkBrom *self, GBytes *auth, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_brom_send_cert(UbMtkBrom *self, GBytes *cert, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/*
 * SEND_DA: load address, length (padded to even, signature included) and
 * signature length, each echoed; status (0x1D0D: needs authentication); the
 * data streamed in large writes; then the device's 16-bit XOR checksum,
 * compared with ours (a mismatch fails hard), and status.
 */
gboolean
ub_mtk_brom_send_da(UbMtkBrom *self,
		    guint32 load_addr,
		    GInputStream *stream,
		    guint32 length,
		    guint32 sig_len,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mtk_brom_jump_da(UbMtkBrom *self, guint32 addr, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
