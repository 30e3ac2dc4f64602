/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ub-application.h"

/* run from the build folder (make demo, the tests): the schema compiled
 * there, unless the caller chose one; an installed unbrick uses the system's */
static void
ub_main_use_build_schema(void)
{
	g_autofree gchar *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree gchar *dir = NULL;
	g_autofree gchar *compiled = NULL;
	if (g_getenv("GSETTINGS_SCHEMA_DIR") != NULL || exe == NULL)
		return;
	dir = g_path_get_dirname(exe);
	compiled = g_build_filename(UB_BUILD_SCHEMA_DIR, "gschemas.compiled", NULL);
	if (g_strcmp0(dir, UB_BUILD_GUI_DIR) == 0 && g_file_test(compiled, G_FILE_TEST_EXISTS))
		g_setenv("GSETTINGS_SCHEMA_DIR", UB_BUILD_SCHEMA_DIR, TRUE);
}

int
main(int argc, char **argv)
{
	g_autoptr(UbApplication) app = NULL;
	gint rc;

	ub_main_use_build_schema();
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
