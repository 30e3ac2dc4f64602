/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-sim-edl.h"
#include "ub-sim-fastboot.h"
#include "ub-sim-mtk.h"
#include "ub-sim-personalities.h"
#include "ub-sim-phone.h"

/**
 * ub_sim_register_personalities:
 *
 * Registers every protocol personality the simulator has, once per process;
 * ub_sim_phone_new() calls it. Each personality adds one line here, e.g.
 * ub_sim_phone_register_kind("fastboot", UB_TYPE_SIM_FASTBOOT);
 */
void
ub_sim_register_personalities(void)
{
	/* personalities are added by their issues: fastboot, edl, mtk */
	ub_sim_phone_register_kind("fastboot", UB_TYPE_SIM_FASTBOOT);
	ub_sim_phone_register_kind("edl", UB_TYPE_SIM_EDL);
	ub_sim_phone_register_kind("mtk", UB_TYPE_SIM_MTK);
}
