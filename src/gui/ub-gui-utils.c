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
 *   "12.0 MiB of 24.0 MiB — 80.0 MiB/s — 0:01 left", or an empty string
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

	if (total > 0) {
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
		/* TRANSLATORS: time left as minutes:seconds */
		g_ptr_array_add(parts,
				g_strdup_printf(_("%u:%02u left"),
						(guint)(eta / 60),
						(guint)(eta % 60)));
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
	gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog),
						 "%s (%s, %d)",
						 error->message,
						 g_quark_to_string(error->domain),
						 error->code);
	g_signal_connect(dialog, "response", G_CALLBACK(ub_gui_error_dialog_response_cb), NULL);
	gtk_widget_show(dialog);
}
