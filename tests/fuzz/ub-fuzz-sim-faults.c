/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "ub-sim-faults.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *str = data != NULL ? g_strndup((const gchar *)data, size) : g_strdup("");
	g_autoptr(UbSimFaults) faults = ub_sim_faults_new_from_string(str, NULL);
	if (faults != NULL) {
		/* what parses prints back to something that parses the same */
		g_autofree gchar *again = ub_sim_faults_to_string(faults);
		g_autoptr(UbSimFaults) faults2 = ub_sim_faults_new_from_string(again, NULL);
		g_assert_nonnull(faults2);
		g_assert_cmpuint(ub_sim_faults_get_nak(faults), ==, ub_sim_faults_get_nak(faults2));
		g_assert_cmpuint(ub_sim_faults_get_delay_ms(faults),
				 ==,
				 ub_sim_faults_get_delay_ms(faults2));
	}
	return 0;
}
