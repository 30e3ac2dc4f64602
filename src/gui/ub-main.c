/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ub-application.h"

int
main(int argc, char **argv)
{
	g_autoptr(UbApplication) app = NULL;
	gint rc;

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, UB_LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	g_set_application_name(_("Unbrick"));

	app = ub_application_new();
	rc = g_application_run(G_APPLICATION(app), argc, argv);
	/* a --demo run in this process reports through the exit status */
	return rc != EXIT_SUCCESS ? rc : ub_application_get_exit_status(app);
}
