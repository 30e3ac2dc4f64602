/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "ub-udev-rules.h"

/* writes the udev rules built from the device table to the file named on the
 * command line, or stdout */
int
main(int argc, char **argv)
{
	g_autofree gchar *text = ub_udev_rules_to_string();
	g_autoptr(GError) error = NULL;

	if (argc > 2) {
		g_printerr("usage: %s [OUTPUT]\n", argv[0]);
		return EXIT_FAILURE;
	}
	if (argc == 1) {
		g_print("%s", text);
		return EXIT_SUCCESS;
	}
	if (!g_file_set_contents(argv[1], text, -1, &error)) {
		g_printerr("%s\n", error->message);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
