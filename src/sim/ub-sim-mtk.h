/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-sim-personality.h"

G_BEGIN_DECLS

/*
 * The simulated MediaTek phone: BootROM (0e8d:0003) or preloader (0e8d:2000)
 * speaking the start handshake (with the preloader's "READY" output, the
 * complement answers, "byte + 1" for a wrong byte and the silently swallowed
 * repeated 0xA0) and the big-endian command protocol with echoes, a chip
 * identity and target config, WRITE32 to the watchdog, SEND_DA checking the
 * XOR checksum and JUMP_DA, then an XFlash (V5) DA over the phone's
 * UbSimStorage (eMMC: boot1, boot2, user, rpmb; UFS "ufs-mtk" geometry: lun0
 * and lun1 boot LUs, lun2 user), with the real status codes. It is hostile:
 * wrong echoes, bad checksums, unaligned or out-of-range reads and writes,
 * frames with a bad magic, commands out of order get the codes a real phone
 * sends. SWITCH_USB_SPEED ends the session; the next session is the DA at
 * 0e8d:2001 with its state kept (no handshake). Only the XFlash (V5) DA is
 * simulated: whatever DA is uploaded, it answers with the 0xC0 sync byte.
 */

#define UB_TYPE_SIM_MTK (ub_sim_mtk_get_type())
G_DECLARE_FINAL_TYPE(UbSimMtk, ub_sim_mtk, UB, SIM_MTK, UbSimPersonality)

#define UB_SIM_MTK_ENV_MODE	     "UB_SIM_MTK_MODE"		/* brom (default) or preloader */
#define UB_SIM_MTK_ENV_HW_CODE	     "UB_SIM_MTK_HW_CODE"	/* 0x0766 (MT6765) default */
#define UB_SIM_MTK_ENV_TARGET_CONFIG "UB_SIM_MTK_TARGET_CONFIG" /* 0x0 default; 0x2 SLA... */
#define UB_SIM_MTK_ENV_FULL_SPEED    "UB_SIM_MTK_FULL_SPEED"	/* 1: the DA asks for the 2001 switch */

UbSimMtk *
ub_sim_mtk_new(UbSimStorage *storage, UbSimFaults *faults);
void
ub_sim_mtk_set_preloader_mode(UbSimMtk *self, gboolean preloader);
void
ub_sim_mtk_set_hw_code(UbSimMtk *self, guint16 hw_code);
void
ub_sim_mtk_set_target_config(UbSimMtk *self, guint32 config);
void
ub_sim_mtk_set_full_speed(UbSimMtk *self, gboolean full_speed);
/* how long a preloader waits for the handshake before it boots on (3000 ms) */
void
ub_sim_mtk_set_handshake_window(UbSimMtk *self, guint window_ms);
gboolean
ub_sim_mtk_configure_from_env(UbSimMtk *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* for tests */
gboolean
ub_sim_mtk_get_da_running(UbSimMtk *self);
guint
ub_sim_mtk_get_write_count(UbSimMtk *self);
/* the mode the next session presents: brom, preloader or da (after the 2001 switch) */
const gchar *
ub_sim_mtk_get_session_mode(UbSimMtk *self);
/* the phone lost power (cable out, battery out) and is switched on again: the
 * next session is its initial mode with nothing loaded; storage is kept */
void
ub_sim_mtk_power_cycle(UbSimMtk *self);

G_END_DECLS
