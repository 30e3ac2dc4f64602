/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-gui-utils.h"

/**
 * ub_gui_format_job_detail:
 * @job: a #UbJob
 *
 * Returns: (transfer full): bytes, rate and time left, e.g.
 *   "12.0 MiB of 24.0 MiB — 80.0 MiB/s — 44 s left", or an empty string
 */
gchar *
ub_gui_format_job_detail(UbJob *job)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
	guint64 done = ub_job_get_bytes_done(job);
	guint64 total = ub_job_get_bytes_total(job);
	gdouble rate = ub_job_get_rate(job);
	gint64 eta = ub_job_get_eta(job);
	UbJobState state = ub_job_get_state(job);

	if (total > 0 && state != UB_JOB_STATE_RUNNING && done != total) {
		/* finished: the total was an estimate (backups, skipped steps), the
		 * bytes moved are what happened */
		g_ptr_array_add(parts, ub_text_format_size(done));
	} else if (total > 0) {
		g_autofree gchar *done_str = ub_text_format_size(done);
		g_autofree gchar *total_str = ub_text_format_size(total);
		/* TRANSLATORS: bytes written so far, e.g. "12.0 MiB of 24.0 MiB" */
		g_ptr_array_add(parts, g_strdup_printf(_("%s of %s"), done_str, total_str));
	}
	if (state == UB_JOB_STATE_RUNNING && rate > 0) {
		g_autofree gchar *rate_str = ub_text_format_size((guint64)rate);
		/* TRANSLATORS: a transfer rate, e.g. "80.0 MiB/s" */
		g_ptr_array_add(parts, g_strdup_printf(_("%s/s"), rate_str));
	}
	if (state == UB_JOB_STATE_RUNNING && eta >= 0) {
		if (eta < 60) {
			/* TRANSLATORS: time left, e.g. "44 s left" */
			g_ptr_array_add(parts, g_strdup_printf(_("%u s left"), (guint)eta));
		} else if (eta < 3600) {
			/* TRANSLATORS: time left, e.g. "3 min 05 s left" */
			g_ptr_array_add(parts,
					g_strdup_printf(_("%u min %02u s left"),
							(guint)(eta / 60),
							(guint)(eta % 60)));
		} else {
			/* TRANSLATORS: time left, e.g. "1 h 05 min left" */
			g_ptr_array_add(parts,
					g_strdup_printf(_("%u h %02u min left"),
							(guint)(eta / 3600),
							(guint)(eta % 3600 / 60)));
		}
	}
	g_ptr_array_add(parts, NULL);
	return g_strjoinv(" — ", (gchar **)parts->pdata);
}

static void
ub_gui_error_dialog_response_cb(GtkDialog *dialog, gint response_id, gpointer user_data)
{
	gtk_widget_destroy(GTK_WIDGET(dialog));
}

/**
 * ub_gui_show_error:
 * @parent: (nullable): the window the dialog belongs to
 * @headline: a translated sentence saying what failed, e.g. "Flashing failed"
 * @error: the technical error
 *
 * Shows a non-blocking error dialog with @headline and the technical message.
 * Cancellation is never an error: for %G_IO_ERROR_CANCELLED nothing is shown.
 */
void
ub_gui_show_error(GtkWindow *parent, const gchar *headline, const GError *error)
{
	GtkWidget *dialog;

	g_return_if_fail(headline != NULL);
	g_return_if_fail(error != NULL);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_debug("not showing a cancelled job as an error: %s", error->message);
		return;
	}
	dialog = gtk_message_dialog_new(parent,
					GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
					GTK_MESSAGE_ERROR,
					GTK_BUTTONS_CLOSE,
					"%s",
					headline);
	/* the user reads what to do; the domain and code are for the debug log */
	g_debug("%s: %s (%s, %d)",
		headline,
		error->message,
		g_quark_to_string(error->domain),
		error->code);
	gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "%s", error->message);
	g_signal_connect(dialog, "response", G_CALLBACK(ub_gui_error_dialog_response_cb), NULL);
	gtk_widget_show(dialog);
}

static void
ub_gui_find_by_accessible_name_cb(GtkWidget *widget, gpointer user_data)
{
	gpointer *found = user_data;
	if (found[1] == NULL)
		found[1] = ub_gui_find_by_accessible_name(widget, found[0]);
}

/**
 * ub_gui_find_by_accessible_name:
 * @widget: where to look, with its children (internal ones too)
 * @name: an accessible name
 *
 * Returns: (transfer none) (nullable): the first visible widget with @name
 */
GtkWidget *
ub_gui_find_by_accessible_name(GtkWidget *widget, const gchar *name)
{
	AtkObject *accessible;
	gpointer found[2] = {(gpointer)name, NULL};

	g_return_val_if_fail(GTK_IS_WIDGET(widget), NULL);
	if (!gtk_widget_get_visible(widget))
		return NULL;
	accessible = gtk_widget_get_accessible(widget);
	if (accessible != NULL && g_strcmp0(atk_object_get_name(accessible), name) == 0)
		return widget;
	if (GTK_IS_CONTAINER(widget))
		gtk_container_forall(GTK_CONTAINER(widget), ub_gui_find_by_accessible_name_cb, found);
	return found[1];
}

/**
 * ub_gui_settings_new:
 *
 * The application's settings when its schema is installed (or found through
 * GSETTINGS_SCHEMA_DIR, as the uninstalled build sets it up in main()).
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL without a schema
 */
GSettings *
ub_gui_settings_new(void)
{
	GSettingsSchemaSource *source = g_settings_schema_source_get_default();
	g_autoptr(GSettingsSchema) schema = NULL;
	if (source == NULL)
		return NULL;
	schema = g_settings_schema_source_lookup(source, UB_APP_ID, TRUE);
	if (schema == NULL) {
		g_debug("no GSettings schema %s: settings are not kept", UB_APP_ID);
		return NULL;
	}
	return g_settings_new_full(schema, NULL, NULL);
}
