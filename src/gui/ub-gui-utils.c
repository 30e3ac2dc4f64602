/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-gui-utils.h"

/* the engine reports enums and numbers only; this is where the GUI turns them
 * into translated text (the CLI has the same table in ub-console.c) */

/**
 * ub_gui_status_to_text:
 * @status: a #UbStatus
 *
 * Returns: the translated text for a status the engine reported
 */
const gchar *
ub_gui_status_to_text(UbStatus status)
{
	switch (status) {
	case UB_STATUS_IDLE:
		return _("Idle");
	case UB_STATUS_WAITING_FOR_DEVICE:
		/* TRANSLATORS: the phone is not connected yet */
		return _("Waiting for the phone");
	case UB_STATUS_CONNECTING:
		return _("Connecting");
	case UB_STATUS_IDENTIFYING:
		return _("Identifying");
	case UB_STATUS_CHECKING:
		return _("Checking");
	case UB_STATUS_BACKING_UP:
		return _("Backing up");
	case UB_STATUS_READING:
		return _("Reading");
	case UB_STATUS_WRITING:
		return _("Writing");
	case UB_STATUS_ERASING:
		return _("Erasing");
	case UB_STATUS_VERIFYING:
		return _("Verifying");
	case UB_STATUS_REBOOTING:
		return _("Rebooting");
	case UB_STATUS_BUSY:
	case UB_STATUS_LAST:
	default:
		return _("Working");
	}
}

/**
 * ub_gui_mode_to_text:
 * @mode: a #UbDeviceMode
 *
 * Returns: the translated name of the mode a phone is in, as vendor tools say it
 */
const gchar *
ub_gui_mode_to_text(UbDeviceMode mode)
{
	switch (mode) {
	case UB_DEVICE_MODE_EDL:
		/* TRANSLATORS: Qualcomm emergency download mode, USB id 05c6:9008 */
		return _("Qualcomm EDL 9008");
	case UB_DEVICE_MODE_MTK_BROM:
		return _("MediaTek BootROM");
	case UB_DEVICE_MODE_MTK_PRELOADER:
		return _("MediaTek preloader");
	case UB_DEVICE_MODE_MTK_DA:
		return _("MediaTek download agent");
	case UB_DEVICE_MODE_FASTBOOT:
		return _("Fastboot");
	case UB_DEVICE_MODE_FASTBOOTD:
		/* TRANSLATORS: fastboot in the recovery system */
		return _("Fastbootd");
	case UB_DEVICE_MODE_UNKNOWN:
	case UB_DEVICE_MODE_LAST:
	default:
		return _("Unknown mode");
	}
}

/**
 * ub_gui_protocol_to_text:
 * @protocol: a #UbProtocol
 *
 * Returns: the translated name of a flashing protocol
 */
const gchar *
ub_gui_protocol_to_text(UbProtocol protocol)
{
	switch (protocol) {
	case UB_PROTOCOL_EDL:
		/* TRANSLATORS: protocol name */
		return _("Qualcomm Sahara/Firehose");
	case UB_PROTOCOL_MTK:
		/* TRANSLATORS: protocol name */
		return _("MediaTek BootROM/DA");
	case UB_PROTOCOL_FASTBOOT:
		/* TRANSLATORS: protocol name */
		return _("Android fastboot");
	case UB_PROTOCOL_UNKNOWN:
	case UB_PROTOCOL_LAST:
	default:
		return _("Unknown");
	}
}

/**
 * ub_gui_format_size:
 * @bytes: a size
 *
 * Returns: (transfer full): e.g. "64.0 MiB"
 */
gchar *
ub_gui_format_size(guint64 bytes)
{
	return g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
}

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
		g_autofree gchar *done_str = ub_gui_format_size(done);
		g_autofree gchar *total_str = ub_gui_format_size(total);
		/* TRANSLATORS: bytes written so far, e.g. "12.0 MiB of 24.0 MiB" */
		g_ptr_array_add(parts, g_strdup_printf(_("%s of %s"), done_str, total_str));
	}
	if (state == UB_JOB_STATE_RUNNING && rate > 0) {
		g_autofree gchar *rate_str = ub_gui_format_size((guint64)rate);
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
