/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "formats/ub-demo-package.h"
#include "ub-package-bar.h"

/**
 * UbPackageBar:
 *
 * The package row: opens packages on a worker thread (a GTask; the result is
 * handed back on the main context), picks the programmer or Download Agent
 * the package folder names, and remembers recent packages when the GSettings
 * schema is installed.
 */

#define UB_PACKAGE_BAR_SCHEMA_ID  "io.github.unbrick.Unbrick"
#define UB_PACKAGE_BAR_MAX_RECENT 10

struct _UbPackageBar {
	GtkBox parent_instance;
	GtkButton *package_button;
	GtkLabel *package_label;
	GtkMenuButton *recent_button;
	GtkSpinner *spinner;
	GtkImage *summary_image;
	GtkLabel *summary_label;
	GtkLabel *loader_title;
	GtkButton *loader_button;
	GtkLabel *loader_label;
	GtkBox *auth_box;
	GtkButton *auth_button;
	GtkLabel *auth_label;
	GtkButton *auth_clear_button;

	GSettings *settings; /* nullable: no schema installed */
	UbPackage *package;  /* nullable */
	GFile *loader;	     /* nullable */
	GFile *auth;	     /* nullable */
	gchar *device_kind;  /* nullable */
	gchar *path;	     /* nullable: what is loaded or loading */
	GCancellable *cancellable;
	gboolean loading;
};

enum { SIGNAL_PACKAGE_CHANGED, SIGNAL_FILES_CHANGED, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(UbPackageBar, ub_package_bar, GTK_TYPE_BOX)

typedef struct {
	gchar *path;	    /* nullable for a demo */
	gchar *demo_kind;   /* nullable */
	UbPackage *package; /* result */
	gchar *loader;	    /* result, nullable: found beside the package */
} UbPackageBarLoad;

static void
ub_package_bar_load_free(UbPackageBarLoad *load)
{
	g_free(load->path);
	g_free(load->demo_kind);
	g_clear_object(&load->package);
	g_free(load->loader);
	g_free(load);
}

static void
ub_package_bar_set_accessible_name(GtkWidget *widget, const gchar *name)
{
	AtkObject *acc = gtk_widget_get_accessible(widget);
	if (acc != NULL)
		atk_object_set_name(acc, name);
}

static const gchar *
ub_package_bar_format_to_text(UbPackageFormat format)
{
	switch (format) {
	case UB_PACKAGE_FORMAT_MTK_SCATTER:
		return _("MediaTek scatter");
	case UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD:
		return _("Qualcomm flat build");
	case UB_PACKAGE_FORMAT_FASTBOOT_ROM:
		return _("Fastboot ROM");
	case UB_PACKAGE_FORMAT_GOOGLE_FACTORY:
		return _("Factory image");
	case UB_PACKAGE_FORMAT_UNKNOWN:
	case UB_PACKAGE_FORMAT_LAST:
	default:
		return _("Package");
	}
}

/* "mtk", "edl", "fastboot": what the package or else the phone needs */
static const gchar *
ub_package_bar_get_kind(UbPackageBar *self)
{
	if (self->package != NULL) {
		switch (ub_package_get_format(self->package)) {
		case UB_PACKAGE_FORMAT_MTK_SCATTER:
			return "mtk";
		case UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD:
			return "edl";
		case UB_PACKAGE_FORMAT_FASTBOOT_ROM:
		case UB_PACKAGE_FORMAT_GOOGLE_FACTORY:
			return "fastboot";
		case UB_PACKAGE_FORMAT_UNKNOWN:
		case UB_PACKAGE_FORMAT_LAST:
		default:
			break;
		}
	}
	return self->device_kind;
}

/* settings */

static GSettings *
ub_package_bar_settings_new(void)
{
	GSettingsSchemaSource *source = g_settings_schema_source_get_default();
	g_autoptr(GSettingsSchema) schema = NULL;
	if (source == NULL)
		return NULL;
	schema = g_settings_schema_source_lookup(source, UB_PACKAGE_BAR_SCHEMA_ID, TRUE);
	if (schema == NULL || !g_settings_schema_has_key(schema, "recent-packages")) {
		g_debug("no GSettings schema %s: recent files are not remembered",
			UB_PACKAGE_BAR_SCHEMA_ID);
		return NULL;
	}
	return g_settings_new_full(schema, NULL, NULL);
}

static gboolean
ub_package_bar_has_key(UbPackageBar *self, const gchar *key)
{
	g_autoptr(GSettingsSchema) schema = NULL;
	if (self->settings == NULL)
		return FALSE;
	g_object_get(self->settings, "settings-schema", &schema, NULL);
	return schema != NULL && g_settings_schema_has_key(schema, key);
}

static void
ub_package_bar_add_recent(UbPackageBar *self, const gchar *key, const gchar *path)
{
	g_auto(GStrv) old = NULL;
	g_autoptr(GPtrArray) list = g_ptr_array_new();
	if (path == NULL || !ub_package_bar_has_key(self, key))
		return;
	old = g_settings_get_strv(self->settings, key);
	g_ptr_array_add(list, (gpointer)path);
	for (guint i = 0; old[i] != NULL && list->len < UB_PACKAGE_BAR_MAX_RECENT; i++) {
		if (g_strcmp0(old[i], path) != 0)
			g_ptr_array_add(list, old[i]);
	}
	g_ptr_array_add(list, NULL);
	g_settings_set_strv(self->settings, key, (const gchar *const *)list->pdata);
}

/* display */

static void
ub_package_bar_refresh_files(UbPackageBar *self)
{
	const gchar *kind = ub_package_bar_get_kind(self);
	gboolean mtk = g_strcmp0(kind, "mtk") == 0;
	gboolean edl = g_strcmp0(kind, "edl") == 0;
	const gchar *title = mtk ? _("Download _Agent") : _("P_rogrammer");

	gtk_label_set_text_with_mnemonic(self->loader_title, title);
	ub_package_bar_set_accessible_name(GTK_WIDGET(self->loader_button),
					   mtk ? _("Download Agent") : _("Programmer"));
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->loader_button),
				    mtk ? _("The Download Agent SP Flash Tool uses for this chip "
					    "(MTK_AllInOne_DA.bin or the one beside the scatter)")
					: _("The Firehose programmer for this chip "
					    "(prog_firehose_*.elf or *.mbn, beside rawprogram0.xml)"));
	gtk_widget_set_visible(GTK_WIDGET(self->loader_title), mtk || edl);
	gtk_widget_set_visible(GTK_WIDGET(self->loader_button), mtk || edl);
	gtk_widget_set_visible(GTK_WIDGET(self->auth_box), mtk);
	if (self->loader != NULL) {
		g_autofree gchar *name = g_file_get_basename(self->loader);
		g_autofree gchar *path = g_file_get_path(self->loader);
		gtk_label_set_text(self->loader_label, name);
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->loader_label), path);
	} else {
		gtk_label_set_text(self->loader_label, _("(None)"));
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->loader_label), NULL);
	}
	if (self->auth != NULL) {
		g_autofree gchar *name = g_file_get_basename(self->auth);
		gtk_label_set_text(self->auth_label, name);
	} else {
		gtk_label_set_text(self->auth_label, _("(None)"));
	}
	gtk_widget_set_sensitive(GTK_WIDGET(self->auth_clear_button), self->auth != NULL);
}

static void
ub_package_bar_refresh(UbPackageBar *self, const GError *error)
{
	g_autofree gchar *summary = NULL;
	g_autofree gchar *tooltip = NULL;
	const gchar *icon = NULL;

	if (self->path != NULL) {
		g_autofree gchar *name = g_path_get_basename(self->path);
		gtk_label_set_text(self->package_label, name);
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->package_label), self->path);
	} else {
		gtk_label_set_text(self->package_label, _("Open a package…"));
		gtk_widget_set_tooltip_text(GTK_WIDGET(self->package_label), NULL);
	}
	gtk_widget_set_visible(GTK_WIDGET(self->spinner), self->loading);
	if (self->loading)
		gtk_spinner_start(self->spinner);
	else
		gtk_spinner_stop(self->spinner);

	if (self->loading) {
		summary = g_strdup(_("Loading…"));
	} else if (error != NULL) {
		icon = "dialog-error-symbolic";
		/* TRANSLATORS: the package could not be opened, %s is why */
		summary = g_strdup_printf(_("Cannot open it: %s"), error->message);
		tooltip = g_strdup(error->message);
	} else if (self->package != NULL) {
		GPtrArray *warnings = ub_package_get_warnings(self->package);
		GPtrArray *parts = ub_package_get_partitions(self->package);
		GString *str = g_string_new(
		    ub_package_bar_format_to_text(ub_package_get_format(self->package)));
		if (ub_package_get_platform(self->package) != NULL)
			/* TRANSLATORS: "MediaTek scatter for MT6765" */
			g_string_append_printf(str,
					       _(" for %s"),
					       ub_package_get_platform(self->package));
		else if (ub_package_get_product(self->package) != NULL)
			g_string_append_printf(str,
					       _(" for %s"),
					       ub_package_get_product(self->package));
		if (ub_package_get_storage(self->package) != NULL) {
			g_autofree gchar *storage = NULL;
			if (g_ascii_strcasecmp(ub_package_get_storage(self->package), "emmc") == 0)
				storage = g_strdup("eMMC");
			else
				storage = g_ascii_strup(ub_package_get_storage(self->package), -1);
			g_string_append_printf(str, ", %s", storage);
		}
		g_string_append(str, ", ");
		g_string_append_printf(str,
				       ngettext("%u partition", "%u partitions", parts->len),
				       parts->len);
		if (warnings->len > 0) {
			GString *tip = g_string_new(NULL);
			icon = "dialog-warning-symbolic";
			g_string_append(str, " — ");
			g_string_append_printf(str,
					       ngettext("%u warning", "%u warnings", warnings->len),
					       warnings->len);
			for (guint i = 0; i < warnings->len; i++) {
				if (i > 0)
					g_string_append_c(tip, '\n');
				g_string_append_printf(tip,
						       "• %s",
						       (const gchar *)g_ptr_array_index(warnings, i));
			}
			tooltip = g_string_free(tip, FALSE);
		}
		summary = g_string_free(str, FALSE);
	} else {
		summary = g_strdup(_("A scatter file, rawprogram0.xml, a fastboot ROM folder or "
				     "an archive of one"));
	}
	gtk_label_set_text(self->summary_label, summary);
	gtk_widget_set_tooltip_text(GTK_WIDGET(self->summary_label),
				    tooltip != NULL ? tooltip : summary);
	if (icon != NULL)
		gtk_image_set_from_icon_name(self->summary_image, icon, GTK_ICON_SIZE_MENU);
	gtk_widget_set_visible(GTK_WIDGET(self->summary_image), icon != NULL);
	if (self->package == NULL && !self->loading && error == NULL)
		gtk_style_context_add_class(
		    gtk_widget_get_style_context(GTK_WIDGET(self->summary_label)),
		    "dim-label");
	else
		gtk_style_context_remove_class(
		    gtk_widget_get_style_context(GTK_WIDGET(self->summary_label)),
		    "dim-label");
	ub_package_bar_refresh_files(self);
}

/* loading, on a worker thread */

static gchar *
ub_package_bar_find_loader(const gchar *dir, UbPackageFormat format)
{
	const gchar *flat[] = {"prog_firehose_*.elf", "prog_firehose_*.mbn", "prog_*.elf",
			       "prog_*.mbn", "*firehose*.elf", "*firehose*.mbn", NULL};
	const gchar *scatter[] = {"MTK_AllInOne_DA*.bin", "*_DA*.bin", "DA_*.bin", "*DA*.bin",
				  NULL};
	const gchar *const *patterns = NULL;
	g_autoptr(GDir) gdir = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;

	if (format == UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD)
		patterns = flat;
	else if (format == UB_PACKAGE_FORMAT_MTK_SCATTER)
		patterns = scatter;
	else
		return NULL;
	gdir = g_dir_open(dir, 0, NULL);
	if (gdir == NULL)
		return NULL;
	while ((name = g_dir_read_name(gdir)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	/* the first pattern that matches wins: the most specific */
	for (guint p = 0; patterns[p] != NULL; p++) {
		g_autoptr(GPatternSpec) spec = g_pattern_spec_new(patterns[p]);
		for (guint i = 0; i < names->len; i++) {
			const gchar *n = g_ptr_array_index(names, i);
			g_autofree gchar *path = NULL;
			if (!g_pattern_spec_match_string(spec, n))
				continue;
			path = g_build_filename(dir, n, NULL);
			if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
				return g_steal_pointer(&path);
		}
	}
	return NULL;
}

static gboolean
ub_package_bar_write_demo(UbPackageBarLoad *load, GError **error)
{
	g_autofree gchar *dir = NULL;
	if (g_strcmp0(load->demo_kind, "mtk") == 0) {
		dir = ub_demo_package_get_scatter_dir();
		if (!ub_demo_package_write_scatter(dir, error))
			return FALSE;
		load->path = g_build_filename(dir, UB_DEMO_SCATTER_FILE, NULL);
		load->loader = g_build_filename(dir, UB_DEMO_MTK_DA_FILE, NULL);
		return TRUE;
	}
	if (g_strcmp0(load->demo_kind, "edl") == 0) {
		dir = ub_demo_package_get_flat_build_dir();
		if (!ub_demo_package_write_flat_build(dir, error))
			return FALSE;
		load->path = g_build_filename(dir, UB_DEMO_FLAT_BUILD_RAWPROGRAM, NULL);
		load->loader = g_build_filename(dir, UB_DEMO_FLAT_BUILD_PROGRAMMER, NULL);
		return TRUE;
	}
	dir = ub_demo_package_get_dir();
	if (!ub_demo_package_write(dir, NULL, error))
		return FALSE;
	load->path = g_steal_pointer(&dir);
	return TRUE;
}

static void
ub_package_bar_load_thread_cb(GTask *task,
			      gpointer source_object,
			      gpointer task_data,
			      GCancellable *cancellable)
{
	UbPackageBarLoad *load = task_data;
	g_autoptr(GError) error = NULL;

	if (load->demo_kind != NULL && !ub_package_bar_write_demo(load, &error)) {
		g_prefix_error(&error, "failed to write the demo package: ");
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	load->package = ub_package_open(load->path, NULL, cancellable, &error);
	if (load->package == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (load->loader == NULL) {
		g_autofree gchar *dir = g_file_test(load->path, G_FILE_TEST_IS_DIR)
					    ? g_strdup(load->path)
					    : g_path_get_dirname(load->path);
		load->loader =
		    ub_package_bar_find_loader(dir, ub_package_get_format(load->package));
	}
	g_task_return_boolean(task, TRUE);
}

static void
ub_package_bar_load_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbPackageBar *self = UB_PACKAGE_BAR(source);
	UbPackageBarLoad *load = g_task_get_task_data(G_TASK(res));
	g_autoptr(GError) error = NULL;

	if (!g_task_propagate_boolean(G_TASK(res), &error)) {
		/* a newer load replaced this one: it owns the bar now */
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		self->loading = FALSE;
		g_clear_object(&self->cancellable);
		g_debug("failed to open %s: %s",
			  load->path != NULL ? load->path : "the package",
			  error->message);
		ub_package_bar_refresh(self, error);
		g_signal_emit(self, signals[SIGNAL_PACKAGE_CHANGED], 0);
		return;
	}
	self->loading = FALSE;
	g_clear_object(&self->cancellable);
	g_free(self->path);
	self->path = g_strdup(load->path);
	g_set_object(&self->package, load->package);
	if (load->demo_kind == NULL)
		ub_package_bar_add_recent(self, "recent-packages", load->path);
	if (load->loader != NULL) {
		g_autoptr(GFile) loader = g_file_new_for_path(load->loader);
		ub_package_bar_set_loader(self, loader);
	}
	ub_package_bar_refresh(self, NULL);
	g_signal_emit(self, signals[SIGNAL_PACKAGE_CHANGED], 0);
}

static void
ub_package_bar_start_load(UbPackageBar *self, UbPackageBarLoad *load)
{
	g_autoptr(GTask) task = NULL;
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	task = g_task_new(self, self->cancellable, ub_package_bar_load_done_cb, NULL);
	g_task_set_source_tag(task, ub_package_bar_start_load);
	g_task_set_task_data(task, load, (GDestroyNotify)ub_package_bar_load_free);
	g_task_set_return_on_cancel(task, FALSE);

	/* the old package goes at once: nothing is flashed from it any more */
	self->loading = TRUE;
	g_clear_object(&self->package);
	g_free(self->path);
	self->path = g_strdup(load->path);
	ub_package_bar_refresh(self, NULL);
	g_signal_emit(self, signals[SIGNAL_PACKAGE_CHANGED], 0);
	g_task_run_in_thread(task, ub_package_bar_load_thread_cb);
}

void
ub_package_bar_load(UbPackageBar *self, const gchar *path)
{
	UbPackageBarLoad *load;
	g_return_if_fail(UB_IS_PACKAGE_BAR(self));
	g_return_if_fail(path != NULL);
	load = g_new0(UbPackageBarLoad, 1);
	load->path = g_strdup(path);
	ub_package_bar_start_load(self, load);
}

void
ub_package_bar_load_demo(UbPackageBar *self, const gchar *kind)
{
	UbPackageBarLoad *load;
	g_return_if_fail(UB_IS_PACKAGE_BAR(self));
	load = g_new0(UbPackageBarLoad, 1);
	load->demo_kind = g_strdup(kind != NULL ? kind : "fastboot");
	ub_package_bar_start_load(self, load);
}

/* choosers */

static void
ub_package_bar_package_response_cb(GtkDialog *dialog, gint response, UbPackageBar *self)
{
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autofree gchar *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
		if (path != NULL)
			ub_package_bar_load(self, path);
	}
	gtk_widget_destroy(GTK_WIDGET(dialog));
	g_object_unref(self);
}

static GtkWidget *
ub_package_bar_chooser_new(UbPackageBar *self,
			   const gchar *title,
			   GtkFileChooserAction action,
			   const gchar *accept)
{
	GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
	GtkWidget *dialog =
	    gtk_file_chooser_dialog_new(title,
					GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					action,
					_("_Cancel"),
					GTK_RESPONSE_CANCEL,
					accept,
					GTK_RESPONSE_ACCEPT,
					NULL);
	gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
	gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT);
	return dialog;
}

static void
ub_package_bar_add_filter(GtkWidget *dialog, const gchar *name, const gchar *const *patterns)
{
	GtkFileFilter *filter = gtk_file_filter_new();
	gtk_file_filter_set_name(filter, name);
	for (guint i = 0; patterns[i] != NULL; i++)
		gtk_file_filter_add_pattern(filter, patterns[i]);
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
}

static void
ub_package_bar_open_chooser(UbPackageBar *self, gboolean folder)
{
	const gchar *packages[] = {"*_scatter.txt", "*scatter*.txt", "rawprogram*.xml",
				   "flash_all*.sh", "flash-all*.sh", "*.bat", "*.zip", "*.tgz",
				   "*.tar.gz", "*.7z", "*.tar", NULL};
	const gchar *all[] = {"*", NULL};
	GtkWidget *dialog;

	if (folder) {
		dialog = ub_package_bar_chooser_new(self,
						    _("Open Fastboot ROM Folder"),
						    GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
						    _("_Open"));
	} else {
		dialog = ub_package_bar_chooser_new(self,
						    _("Open Firmware Package"),
						    GTK_FILE_CHOOSER_ACTION_OPEN,
						    _("_Open"));
		ub_package_bar_add_filter(dialog, _("Firmware packages"), packages);
		ub_package_bar_add_filter(dialog, _("All files"), all);
	}
	if (self->path != NULL) {
		g_autofree gchar *dir = g_path_get_dirname(self->path);
		gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(dialog), dir);
	}
	g_signal_connect(dialog,
			 "response",
			 G_CALLBACK(ub_package_bar_package_response_cb),
			 g_object_ref(self));
	gtk_widget_show(dialog);
}

void
ub_package_bar_choose_package(UbPackageBar *self)
{
	g_return_if_fail(UB_IS_PACKAGE_BAR(self));
	ub_package_bar_open_chooser(self, FALSE);
}

static void
ub_package_bar_package_clicked_cb(UbPackageBar *self)
{
	ub_package_bar_open_chooser(self, FALSE);
}

static void
ub_package_bar_loader_response_cb(GtkDialog *dialog, gint response, UbPackageBar *self)
{
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		g_autofree gchar *path = g_file_get_path(file);
		ub_package_bar_set_loader(self, file);
		ub_package_bar_add_recent(self, "recent-loaders", path);
	}
	gtk_widget_destroy(GTK_WIDGET(dialog));
	g_object_unref(self);
}

static void
ub_package_bar_loader_clicked_cb(UbPackageBar *self)
{
	gboolean mtk = g_strcmp0(ub_package_bar_get_kind(self), "mtk") == 0;
	const gchar *das[] = {"*.bin", NULL};
	const gchar *progs[] = {"*.elf", "*.mbn", "*.melf", NULL};
	const gchar *all[] = {"*", NULL};
	GtkWidget *dialog = ub_package_bar_chooser_new(self,
						       mtk ? _("Choose the Download Agent")
							   : _("Choose the Firehose Programmer"),
						       GTK_FILE_CHOOSER_ACTION_OPEN,
						       _("_Use"));
	ub_package_bar_add_filter(dialog,
				  mtk ? _("Download Agents") : _("Programmers"),
				  mtk ? das : progs);
	ub_package_bar_add_filter(dialog, _("All files"), all);
	if (self->loader != NULL)
		gtk_file_chooser_set_file(GTK_FILE_CHOOSER(dialog), self->loader, NULL);
	else if (self->path != NULL) {
		g_autofree gchar *dir = g_file_test(self->path, G_FILE_TEST_IS_DIR)
					    ? g_strdup(self->path)
					    : g_path_get_dirname(self->path);
		gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(dialog), dir);
	}
	g_signal_connect(dialog,
			 "response",
			 G_CALLBACK(ub_package_bar_loader_response_cb),
			 g_object_ref(self));
	gtk_widget_show(dialog);
}

static void
ub_package_bar_auth_response_cb(GtkDialog *dialog, gint response, UbPackageBar *self)
{
	if (response == GTK_RESPONSE_ACCEPT) {
		g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		g_autofree gchar *path = g_file_get_path(file);
		ub_package_bar_set_auth(self, file);
		ub_package_bar_add_recent(self, "recent-auth-files", path);
	}
	gtk_widget_destroy(GTK_WIDGET(dialog));
	g_object_unref(self);
}

static void
ub_package_bar_auth_clicked_cb(UbPackageBar *self)
{
	const gchar *auths[] = {"*.auth", NULL};
	const gchar *all[] = {"*", NULL};
	GtkWidget *dialog = ub_package_bar_chooser_new(self,
						       _("Choose the Authentication File"),
						       GTK_FILE_CHOOSER_ACTION_OPEN,
						       _("_Use"));
	ub_package_bar_add_filter(dialog, _("Authentication files"), auths);
	ub_package_bar_add_filter(dialog, _("All files"), all);
	g_signal_connect(dialog,
			 "response",
			 G_CALLBACK(ub_package_bar_auth_response_cb),
			 g_object_ref(self));
	gtk_widget_show(dialog);
}

static void
ub_package_bar_auth_clear_cb(UbPackageBar *self)
{
	ub_package_bar_set_auth(self, NULL);
}

/* the menu: recent packages, a folder, the demo */

static void
ub_package_bar_recent_activate_cb(GtkMenuItem *item, UbPackageBar *self)
{
	const gchar *path = g_object_get_data(G_OBJECT(item), "ub-path");
	if (path != NULL)
		ub_package_bar_load(self, path);
}

static void
ub_package_bar_folder_activate_cb(GtkMenuItem *item, UbPackageBar *self)
{
	ub_package_bar_open_chooser(self, TRUE);
}

static void
ub_package_bar_demo_activate_cb(GtkMenuItem *item, UbPackageBar *self)
{
	ub_package_bar_load_demo(self, self->device_kind);
}

static GtkWidget *
ub_package_bar_menu_item(const gchar *mnemonic, const gchar *accessible)
{
	GtkWidget *item = gtk_menu_item_new_with_mnemonic(mnemonic);
	ub_package_bar_set_accessible_name(item, accessible);
	gtk_widget_show(item);
	return item;
}

static void
ub_package_bar_rebuild_menu(UbPackageBar *self)
{
	GtkWidget *menu = gtk_menu_new();
	GtkWidget *item;
	g_auto(GStrv) recent = NULL;
	guint n = 0;

	if (ub_package_bar_has_key(self, "recent-packages"))
		recent = g_settings_get_strv(self->settings, "recent-packages");
	for (guint i = 0; recent != NULL && recent[i] != NULL; i++) {
		g_autofree gchar *name = g_path_get_basename(recent[i]);
		item = gtk_menu_item_new_with_label(name);
		gtk_widget_set_tooltip_text(item, recent[i]);
		g_object_set_data_full(G_OBJECT(item), "ub-path", g_strdup(recent[i]), g_free);
		g_signal_connect(item,
				 "activate",
				 G_CALLBACK(ub_package_bar_recent_activate_cb),
				 self);
		gtk_widget_show(item);
		gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
		n++;
	}
	if (n == 0) {
		item = gtk_menu_item_new_with_label(_("No recent packages"));
		gtk_widget_set_sensitive(item, FALSE);
		gtk_widget_show(item);
		gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
	}
	item = gtk_separator_menu_item_new();
	gtk_widget_show(item);
	gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
	item = ub_package_bar_menu_item(_("Open _Folder…"), _("Open folder"));
	g_signal_connect(item, "activate", G_CALLBACK(ub_package_bar_folder_activate_cb), self);
	gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
	item = ub_package_bar_menu_item(_("Open _Demo Package"), _("Open demo package"));
	g_signal_connect(item, "activate", G_CALLBACK(ub_package_bar_demo_activate_cb), self);
	gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
	gtk_menu_button_set_popup(self->recent_button, menu);
}

static void
ub_package_bar_settings_changed_cb(GSettings *settings, const gchar *key, UbPackageBar *self)
{
	if (g_strcmp0(key, "recent-packages") == 0)
		ub_package_bar_rebuild_menu(self);
}

/* public API */

UbPackage *
ub_package_bar_get_package(UbPackageBar *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE_BAR(self), NULL);
	return self->loading ? NULL : self->package;
}

gboolean
ub_package_bar_get_loading(UbPackageBar *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE_BAR(self), FALSE);
	return self->loading;
}

GFile *
ub_package_bar_get_loader(UbPackageBar *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE_BAR(self), NULL);
	return self->loader;
}

void
ub_package_bar_set_loader(UbPackageBar *self, GFile *file)
{
	g_return_if_fail(UB_IS_PACKAGE_BAR(self));
	if (self->loader == file || (self->loader != NULL && file != NULL &&
				     g_file_equal(self->loader, file)))
		return;
	g_set_object(&self->loader, file);
	ub_package_bar_refresh_files(self);
	g_signal_emit(self, signals[SIGNAL_FILES_CHANGED], 0);
}

GFile *
ub_package_bar_get_auth(UbPackageBar *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE_BAR(self), NULL);
	return self->auth;
}

void
ub_package_bar_set_auth(UbPackageBar *self, GFile *file)
{
	g_return_if_fail(UB_IS_PACKAGE_BAR(self));
	if (self->auth == file)
		return;
	g_set_object(&self->auth, file);
	ub_package_bar_refresh_files(self);
	g_signal_emit(self, signals[SIGNAL_FILES_CHANGED], 0);
}

void
ub_package_bar_set_device_kind(UbPackageBar *self, const gchar *kind)
{
	g_return_if_fail(UB_IS_PACKAGE_BAR(self));
	g_free(self->device_kind);
	self->device_kind = g_strdup(kind);
	ub_package_bar_refresh_files(self);
}

static void
ub_package_bar_dispose(GObject *object)
{
	UbPackageBar *self = UB_PACKAGE_BAR(object);
	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->settings != NULL)
		g_signal_handlers_disconnect_by_data(self->settings, self);
	g_clear_object(&self->settings);
	g_clear_object(&self->package);
	g_clear_object(&self->loader);
	g_clear_object(&self->auth);
	G_OBJECT_CLASS(ub_package_bar_parent_class)->dispose(object);
}

static void
ub_package_bar_finalize(GObject *object)
{
	UbPackageBar *self = UB_PACKAGE_BAR(object);
	g_free(self->device_kind);
	g_free(self->path);
	G_OBJECT_CLASS(ub_package_bar_parent_class)->finalize(object);
}

static void
ub_package_bar_init(UbPackageBar *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->settings = ub_package_bar_settings_new();
	if (self->settings != NULL)
		g_signal_connect(self->settings,
				 "changed",
				 G_CALLBACK(ub_package_bar_settings_changed_cb),
				 self);
	ub_package_bar_rebuild_menu(self);
	ub_package_bar_refresh(self, NULL);
}

static void
ub_package_bar_class_init(UbPackageBarClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ub_package_bar_dispose;
	object_class->finalize = ub_package_bar_finalize;
	signals[SIGNAL_PACKAGE_CHANGED] = g_signal_new("package-changed",
						       G_TYPE_FROM_CLASS(klass),
						       G_SIGNAL_RUN_LAST,
						       0,
						       NULL,
						       NULL,
						       NULL,
						       G_TYPE_NONE,
						       0);
	signals[SIGNAL_FILES_CHANGED] = g_signal_new("files-changed",
						     G_TYPE_FROM_CLASS(klass),
						     G_SIGNAL_RUN_LAST,
						     0,
						     NULL,
						     NULL,
						     NULL,
						     G_TYPE_NONE,
						     0);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-package-bar.ui");
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, package_button);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, package_label);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, recent_button);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, spinner);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, summary_image);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, summary_label);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, loader_title);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, loader_button);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, loader_label);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, auth_box);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, auth_button);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, auth_label);
	gtk_widget_class_bind_template_child(widget_class, UbPackageBar, auth_clear_button);
	gtk_widget_class_bind_template_callback(widget_class, ub_package_bar_package_clicked_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_package_bar_loader_clicked_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_package_bar_auth_clicked_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_package_bar_auth_clear_cb);
}
