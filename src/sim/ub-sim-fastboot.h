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

UbSimPersonality *ub_sim_fastboot_new(UbSimStorage *storage, UbSimFaults *faults);

void ub_sim_fastboot_set_tcp(UbSimFastboot *self, gboolean tcp);
void ub_sim_fastboot_set_max_download_size(UbSimFastboot *self, guint32 max_download_size);
void ub_sim_fastboot_set_unlocked(UbSimFastboot *self, gboolean unlocked);
const gchar *ub_sim_fastboot_get_reboot_target(UbSimFastboot *self);
guint ub_sim_fastboot_get_download_count(UbSimFastboot *self);
guint ub_sim_fastboot_get_flash_count(UbSimFastboot *self);

G_END_DECLS
