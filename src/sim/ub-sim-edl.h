/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-sim-personality.h"

G_BEGIN_DECLS

/*
 * The simulated Qualcomm phone in EDL (9008): a PBL speaking Sahara (version
 * 1, 2 or 3, with a configurable identity) that loads any ELF programmer,
 * checking the exchange byte for byte, then a Firehose programmer over the
 * phone's UbSimStorage (eMMC: 512-byte sectors, physical partitions 0 user,
 * 1 boot1, 2 boot2, 3 rpmb; UFS: 4096-byte sectors, LUN N = region "lunN").
 * It answers like a real programmer, with its log texts and NAKs (edl.md a.3,
 * a.6). The Firehose state survives a host disconnect (the next session finds
 * the programmer running, as on a real phone); <power> reset/off/reset_to_edl
 * ends the session and the next one starts with a new HELLO.
 */

#define UB_TYPE_SIM_EDL (ub_sim_edl_get_type())
G_DECLARE_FINAL_TYPE(UbSimEdl, ub_sim_edl, UB, SIM_EDL, UbSimPersonality)

/* environment read by ub_sim_edl_configure_from_env() (unbrick-sim sets them from its options) */
#define UB_SIM_EDL_ENV_SAHARA_VERSION "UB_SIM_EDL_SAHARA_VERSION" /* 1, 2 (default), 3 */
#define UB_SIM_EDL_ENV_SERIAL	      "UB_SIM_EDL_SERIAL"	  /* 0x1234abcd */
#define UB_SIM_EDL_ENV_HWID	      "UB_SIM_EDL_HWID"		  /* 0x000a50e100000000 */
#define UB_SIM_EDL_ENV_PK_HASH	      "UB_SIM_EDL_PK_HASH"	  /* 64 or 96 hex digits */
#define UB_SIM_EDL_ENV_MAX_PAYLOAD    "UB_SIM_EDL_MAX_PAYLOAD"	  /* bytes, default 1048576 */
#define UB_SIM_EDL_ENV_READ64	      "UB_SIM_EDL_READ64"	  /* 1: READ_DATA64 requests */

UbSimPersonality *
ub_sim_edl_new(UbSimStorage *storage, UbSimFaults *faults);
void
ub_sim_edl_set_sahara_version(UbSimEdl *self, guint version);
void
ub_sim_edl_set_serial(UbSimEdl *self, guint32 serial);
void
ub_sim_edl_set_hwid(UbSimEdl *self, guint64 hwid);
gboolean
ub_sim_edl_set_pk_hash(UbSimEdl *self, const gchar *hex, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_sim_edl_set_max_payload(UbSimEdl *self, guint32 max_payload);
void
ub_sim_edl_set_read64(UbSimEdl *self, gboolean read64);
gboolean
ub_sim_edl_configure_from_env(UbSimEdl *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* for tests: whether the programmer runs, and counters */
gboolean
ub_sim_edl_get_firehose_running(UbSimEdl *self);
guint
ub_sim_edl_get_program_count(UbSimEdl *self);
/* the last <power> value ("reset", "off", "reset_to_edl"), %NULL before any */
const gchar *
ub_sim_edl_get_power_value(UbSimEdl *self);
/* the LUN named by the last <setbootablestoragedrive>, -1 before any */
gint
ub_sim_edl_get_bootable_lun(UbSimEdl *self);

G_END_DECLS
