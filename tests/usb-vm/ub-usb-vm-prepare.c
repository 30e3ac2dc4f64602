/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include "sim/ub-sim-demo.h"

/*
 * usb-vm helper: puts a simulated phone's storage folder into the state the
 * demos start from (for mtk: the older layout of the demo scatter and calibration
 * data of its own), before unbrick-sim serves it to the guest.
 *   ub-usb-vm-prepare KIND DIR
 */
int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;

	setlocale(LC_ALL, "");
	if (argc != 3) {
		g_printerr("usage: %s fastboot|edl|mtk DIR\n", argv[0]);
		return EXIT_FAILURE;
	}
	if (!ub_sim_demo_prepare(argv[1], argv[2], &error)) {
		g_printerr("%s\n", error->message);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
