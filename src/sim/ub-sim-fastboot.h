/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-sim-personality.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_FASTBOOT (ub_sim_fastboot_get_type())
G_DECLARE_FINAL_TYPE(UbSimFastboot, ub_sim_fastboot, UB, SIM_FASTBOOT, UbSimPersonality)

/* the bootloader's download buffer unless configured smaller: 256 MiB */
#define UB_SIM_FASTBOOT_MAX_DOWNLOAD_SIZE_DEFAULT 0x10000000

/* environment read by ub_sim_fastboot_configure_from_env() (the in-process phone) */
#define UB_SIM_FASTBOOT_ENV_LAYOUT	      "UB_SIM_LAYOUT"		 /* gpt, pixel, xiaomi */
#define UB_SIM_FASTBOOT_ENV_MAX_DOWNLOAD_SIZE "UB_SIM_MAX_DOWNLOAD_SIZE" /* bytes, 0x.. or 4M */
#define UB_SIM_FASTBOOT_ENV_NO_TEXT	      "UB_SIM_NO_TEXT"		 /* 1: INFO, never TEXT */
#define UB_SIM_FASTBOOT_ENV_LOCKED	      "UB_SIM_LOCKED"		 /* 1: a locked phone */
#define UB_SIM_FASTBOOT_ENV_PRODUCT	      "UB_SIM_PRODUCT"		 /* getvar product */
#define UB_SIM_FASTBOOT_ENV_MODE	      "UB_SIM_MODE" /* bootloader, fastbootd */

UbSimPersonality *
ub_sim_fastboot_new(UbSimStorage *storage, UbSimFaults *faults);

void
ub_sim_fastboot_set_tcp(UbSimFastboot *self, gboolean tcp);
void
ub_sim_fastboot_set_max_download_size(UbSimFastboot *self, guint32 max_download_size);
void
ub_sim_fastboot_set_unlocked(UbSimFastboot *self, gboolean unlocked);
gboolean
ub_sim_fastboot_get_unlocked(UbSimFastboot *self);
void
ub_sim_fastboot_set_secure(UbSimFastboot *self, gboolean secure);
void
ub_sim_fastboot_set_text(UbSimFastboot *self, gboolean text);
void
ub_sim_fastboot_set_product(UbSimFastboot *self, const gchar *product);
void
ub_sim_fastboot_set_userspace(UbSimFastboot *self, gboolean userspace);
gboolean
ub_sim_fastboot_get_userspace(UbSimFastboot *self);
gboolean
ub_sim_fastboot_set_layout(UbSimFastboot *self, const gchar *layout, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
const gchar *
ub_sim_fastboot_get_layout(UbSimFastboot *self);
gboolean
ub_sim_fastboot_configure_from_env(UbSimFastboot *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar
ub_sim_fastboot_get_current_slot(UbSimFastboot *self);
const gchar *
ub_sim_fastboot_get_reboot_target(UbSimFastboot *self);
gboolean
ub_sim_fastboot_reboot_comes_back(UbSimFastboot *self);
guint
ub_sim_fastboot_get_download_count(UbSimFastboot *self);
guint
ub_sim_fastboot_get_flash_count(UbSimFastboot *self);

G_END_DECLS
