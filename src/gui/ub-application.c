/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-application.h"
#include "ub-gui-utils.h"
#include "ub-window.h"

/**
 * UbApplication:
 *
 * The GtkApplication: app actions, keyboard shortcuts, the command line
 * (--sim KIND, --package PATH, --loader FILE, --demo, --quit-after-demo) and
 * the main window. The command line is handled in the
 * primary instance, so `unbrick --demo` started twice runs the demo in the
 * window already open, and its exit status still comes back to the caller.
 */

struct _UbApplication {
	GtkApplication parent_instance;
	GtkCssProvider *css_provider;
	gint exit_status;
};

G_DEFINE_TYPE(UbApplication, ub_application, GTK_TYPE_APPLICATION)

typedef struct {
	UbApplication *self;
	GApplicationCommandLine *cmdline;
	gboolean quit;
} UbApplicationDemo;

static void
ub_application_demo_free(UbApplicationDemo *demo)
{
	g_object_unref(demo->self);
	g_object_unref(demo->cmdline);
	g_free(demo);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbApplicationDemo, ub_application_demo_free)

static UbWindow *
ub_application_get_main_window(UbApplication *self)
{
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(self));
	if (window != NULL && UB_IS_WINDOW(window))
		return UB_WINDOW(window);
	return ub_window_new(GTK_APPLICATION(self));
}

static void
ub_application_activate(GApplication *application)
{
	UbApplication *self = UB_APPLICATION(application);
	gtk_window_present(GTK_WINDOW(ub_application_get_main_window(self)));
}

static void
ub_application_demo_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(UbApplicationDemo) demo = user_data;
	UbWindow *window = UB_WINDOW(source);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *summary = NULL;
	gboolean ok = ub_window_run_demo_finish(window, res, &error);

	summary = ub_window_describe(window);
	g_application_command_line_print(demo->cmdline, "%s\n", summary);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_application_command_line_printerr(demo->cmdline,
						    "%s\n",
						    _("The demo was stopped."));
	} else if (!ok) {
		g_application_command_line_printerr(demo->cmdline,
						    "%s: %s\n",
						    _("The demo failed"),
						    error->message);
	}
	demo->self->exit_status = ok ? EXIT_SUCCESS : EXIT_FAILURE;
	g_application_command_line_set_exit_status(demo->cmdline, demo->self->exit_status);
	if (demo->quit) {
		/* the result is the exit status: no dialog to wait for */
		g_application_release(G_APPLICATION(demo->self));
		g_application_quit(G_APPLICATION(demo->self));
		return;
	}
	g_application_release(G_APPLICATION(demo->self));
	if (!ok)
		ub_gui_show_error(GTK_WINDOW(window), _("The demo failed"), error);
}

static gint
ub_application_command_line(GApplication *application, GApplicationCommandLine *cmdline)
{
	UbApplication *self = UB_APPLICATION(application);
	GVariantDict *options = g_application_command_line_get_options_dict(cmdline);
	UbWindow *window = ub_application_get_main_window(self);
	UbApplicationDemo *demo;
	const gchar *env_quit = g_application_command_line_getenv(cmdline, "UB_GUI_DEMO_QUIT");
	g_autofree const gchar **sims = NULL;
	const gchar *package = NULL;
	const gchar *loader = NULL;
	g_autofree gchar *package_abs = NULL;
	g_autofree gchar *loader_abs = NULL;
	const gchar *cwd = g_application_command_line_get_cwd(cmdline);

	gtk_window_present(GTK_WINDOW(window));
	if (g_variant_dict_lookup(options, "sim", "^a&s", &sims)) {
		for (guint i = 0; sims[i] != NULL; i++) {
			g_autoptr(GError) error = NULL;
			if (!ub_window_add_sim(window, sims[i], &error)) {
				g_application_command_line_printerr(cmdline, "%s\n", error->message);
				return EXIT_FAILURE;
			}
		}
	}
	g_variant_dict_lookup(options, "package", "^&ay", &package);
	g_variant_dict_lookup(options, "loader", "^&ay", &loader);
	if (package != NULL)
		package_abs = g_canonicalize_filename(package, cwd);
	if (loader != NULL)
		loader_abs = g_canonicalize_filename(loader, cwd);
	if (package_abs != NULL || loader_abs != NULL)
		ub_window_load_package(window, package_abs, loader_abs);
	/* a simulated phone alone: its demo package, ready to press Download */
	if (package == NULL && sims != NULL && sims[0] != NULL &&
	    !g_variant_dict_contains(options, "demo"))
		ub_window_load_demo(window, sims[0]);
	if (!g_variant_dict_contains(options, "demo"))
		return EXIT_SUCCESS;

	/* the demo answers the command line that asked for it */
	demo = g_new0(UbApplicationDemo, 1);
	demo->self = g_object_ref(self);
	demo->cmdline = g_object_ref(cmdline);
	demo->quit = g_variant_dict_contains(options, "quit-after-demo") ||
		     g_strcmp0(env_quit, "1") == 0;
	g_application_hold(application);
	ub_window_run_demo_async(window, ub_application_demo_done_cb, demo);
	return EXIT_SUCCESS;
}

static gint
ub_application_handle_local_options(GApplication *application, GVariantDict *options)
{
	if (g_variant_dict_contains(options, "version")) {
		g_print("unbrick %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (g_variant_dict_contains(options, "quit-after-demo") &&
	    !g_variant_dict_contains(options, "demo")) {
		g_printerr("%s\n", _("--quit-after-demo needs --demo"));
		return EXIT_FAILURE;
	}
	return -1;
}

static void
ub_application_about_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbApplication *self = UB_APPLICATION(user_data);
	const gchar *authors[] = {"The Unbrick developers", NULL};
	gtk_show_about_dialog(gtk_application_get_active_window(GTK_APPLICATION(self)),
			      "program-name",
			      _("Unbrick"),
			      "version",
			      PACKAGE_VERSION,
			      "comments",
			      _("Flash, read back and repair phones over Qualcomm EDL, "
				"MediaTek BootROM and fastboot"),
			      "license-type",
			      GTK_LICENSE_GPL_2_0,
			      "authors",
			      authors,
			      "logo-icon-name",
			      "phone-symbolic",
			      "website",
			      "https://github.com/unbrick/unbrick",
			      NULL);
}

static void
ub_application_quit_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbApplication *self = UB_APPLICATION(user_data);
	/* closing asks running jobs to stop first, see ub_window_delete_event() */
	GList *windows = gtk_application_get_windows(GTK_APPLICATION(self));
	g_autoptr(GList) copy = g_list_copy(windows);
	for (GList *l = copy; l != NULL; l = l->next)
		gtk_window_close(GTK_WINDOW(l->data));
}

static const GActionEntry ub_application_actions[] = {
    {"about", ub_application_about_action_cb},
    {"quit", ub_application_quit_action_cb},
};

static void
ub_application_startup(GApplication *application)
{
	UbApplication *self = UB_APPLICATION(application);
	const struct {
		const gchar *action;
		const gchar *accels[3];
	} accels[] = {
	    {"app.quit", {"<Primary>q", NULL}},
	    {"win.stop", {"Escape", NULL}},
	    {"win.start", {"<Primary>Return", "<Primary>KP_Enter", NULL}},
	    {"win.open-package", {"<Primary>o", NULL}},
	    {"win.tab::download", {"<Primary>1", "<Primary>d", NULL}},
	    {"win.tab::readback", {"<Primary>2", "<Primary>r", NULL}},
	    {"win.tab::format", {"<Primary>3", "<Primary>f", NULL}},
	    {"win.show-help-overlay", {"<Primary>question", "F1", NULL}},
	};

	G_APPLICATION_CLASS(ub_application_parent_class)->startup(application);
	g_action_map_add_action_entries(G_ACTION_MAP(self),
					ub_application_actions,
					G_N_ELEMENTS(ub_application_actions),
					self);
	for (guint i = 0; i < G_N_ELEMENTS(accels); i++)
		gtk_application_set_accels_for_action(GTK_APPLICATION(self),
						      accels[i].action,
						      accels[i].accels);
	gtk_window_set_default_icon_name("phone-symbolic");

	/* GTK 3 does not load gtk/style.css from the resource base path itself */
	self->css_provider = gtk_css_provider_new();
	gtk_css_provider_load_from_resource(self->css_provider,
					    "/io/github/unbrick/Unbrick/style.css");
	gtk_style_context_add_provider_for_screen(gdk_screen_get_default(),
						  GTK_STYLE_PROVIDER(self->css_provider),
						  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/**
 * ub_application_get_exit_status:
 * @self: a #UbApplication
 *
 * Returns: what the process should exit with: 1 when a --demo failed
 */
gint
ub_application_get_exit_status(UbApplication *self)
{
	g_return_val_if_fail(UB_IS_APPLICATION(self), EXIT_FAILURE);
	return self->exit_status;
}

static void
ub_application_dispose(GObject *object)
{
	UbApplication *self = UB_APPLICATION(object);
	g_clear_object(&self->css_provider);
	G_OBJECT_CLASS(ub_application_parent_class)->dispose(object);
}

static void
ub_application_init(UbApplication *self)
{
	const GOptionEntry entries[] = {
	    {"sim", 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL,
	     N_("Add a simulated phone: fastboot, edl or mtk (repeat for more); alone, its demo "
		"package is loaded"),
	     N_("KIND")},
	    {"package", 0, 0, G_OPTION_ARG_FILENAME, NULL,
	     N_("Open a firmware package (scatter file, rawprogram0.xml, fastboot ROM folder or "
		"archive)"),
	     N_("PATH")},
	    {"loader", 0, 0, G_OPTION_ARG_FILENAME, NULL,
	     N_("The Download Agent (MediaTek) or Firehose programmer (Qualcomm EDL)"),
	     N_("FILE")},
	    {"demo", 0, 0, G_OPTION_ARG_NONE, NULL,
	     N_("Add a simulated fastboot phone, load its demo package and download it"), NULL},
	    {"quit-after-demo", 0, 0, G_OPTION_ARG_NONE, NULL,
	     N_("Quit when the demo is done, with exit status 0 if it succeeded"), NULL},
	    {"version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL},
	    {NULL}};
	g_application_add_main_option_entries(G_APPLICATION(self), entries);
}

static void
ub_application_class_init(UbApplicationClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GApplicationClass *application_class = G_APPLICATION_CLASS(klass);
	object_class->dispose = ub_application_dispose;
	application_class->activate = ub_application_activate;
	application_class->startup = ub_application_startup;
	application_class->command_line = ub_application_command_line;
	application_class->handle_local_options = ub_application_handle_local_options;
}

/**
 * ub_application_new:
 *
 * Returns: (transfer full): the application
 */
UbApplication *
ub_application_new(void)
{
	return g_object_new(UB_TYPE_APPLICATION,
			    "application-id",
			    UB_APP_ID,
			    "flags",
			    G_APPLICATION_HANDLES_COMMAND_LINE,
			    NULL);
}
