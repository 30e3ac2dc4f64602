/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ub-gui-utils.h"
#include "ub-job-view.h"

/**
 * UbJobView:
 *
 * Shows one #UbJob: a status line with the step, the bytes, rate and time left
 * ("Writing system_a — 412.0 MiB of 2.1 GiB — 38.0 MiB/s — 44 s left"), a
 * progress bar, a Stop button (action win.stop), the summary of the last job,
 * and the phone's log with Copy log and Save log…. While the window waits for a
 * phone it shows what to do instead. It only listens to the job's notify::
 * signals, which #UbJob emits on the main context, coalesced: nothing here is
 * called from a worker thread.
 */

struct _UbJobView {
	GtkBox parent_instance;
	GtkLabel *status_label;
	GtkLabel *hint_label;
	GtkProgressBar *progress_bar;
	GtkRevealer *summary_revealer;
	GtkImage *summary_icon;
	GtkLabel *summary_label;
	GtkTextView *log_view;

	gchar *waiting; /* nullable: the instruction while waiting for the phone */
	guint pulse_id;

	UbJob *job; /* nullable */
	GtkTextBuffer *log; /* nullable */
	gulong log_changed_id;
};

G_DEFINE_TYPE(UbJobView, ub_job_view, GTK_TYPE_BOX)

static const gchar *
ub_job_view_succeeded_text(UbJob *job)
{
	UbPlan *plan = ub_job_get_plan(job);
	switch (ub_plan_get_kind(plan)) {
	case UB_PLAN_KIND_IDENTIFY:
		/* TRANSLATORS: the job finished */
		return _("Identified");
	case UB_PLAN_KIND_DOWNLOAD:
		/* TRANSLATORS: the job finished */
		return ub_plan_get_verify(plan) ? _("Flashed and verified") : _("Flashed");
	case UB_PLAN_KIND_READBACK:
		/* TRANSLATORS: the job finished */
		return C_("job finished", "Read back");
	case UB_PLAN_KIND_FORMAT:
		/* TRANSLATORS: the job finished */
		return _("Erased");
	case UB_PLAN_KIND_LAST:
	default:
		return _("Finished");
	}
}

static gboolean
ub_job_view_pulse_timeout_cb(gpointer user_data)
{
	UbJobView *self = UB_JOB_VIEW(user_data);
	gtk_progress_bar_pulse(self->progress_bar);
	return G_SOURCE_CONTINUE;
}

static void
ub_job_view_set_pulsing(UbJobView *self, gboolean pulsing)
{
	if (pulsing && self->pulse_id == 0) {
		self->pulse_id = g_timeout_add(150, ub_job_view_pulse_timeout_cb, self);
	} else if (!pulsing && self->pulse_id != 0) {
		g_source_remove(self->pulse_id);
		self->pulse_id = 0;
	}
}

static void
ub_job_view_update(UbJobView *self)
{
	g_autofree gchar *status = NULL;
	g_autofree gchar *detail = NULL;
	g_autofree gchar *line = NULL;
	g_autofree gchar *percent = NULL;
	gdouble fraction = 0;

	if (self->waiting != NULL) {
		ub_job_view_set_pulsing(self, TRUE);
		/* TRANSLATORS: the job starts when the phone is connected */
		gtk_label_set_text(self->status_label, _("Waiting for the phone"));
		gtk_label_set_text(self->hint_label, self->waiting);
		gtk_widget_show(GTK_WIDGET(self->hint_label));
		gtk_progress_bar_set_text(self->progress_bar, "");
		return;
	}
	ub_job_view_set_pulsing(self, FALSE);
	gtk_widget_hide(GTK_WIDGET(self->hint_label));
	if (self->job == NULL) {
		gtk_label_set_text(self->status_label, _("Ready"));
		gtk_progress_bar_set_fraction(self->progress_bar, 0);
		gtk_progress_bar_set_text(self->progress_bar, "");
		return;
	}
	switch (ub_job_get_state(self->job)) {
	case UB_JOB_STATE_READY:
		status = g_strdup(_("Starting"));
		break;
	case UB_JOB_STATE_RUNNING: {
		const gchar *step = ub_job_get_step_name(self->job);
		const gchar *text = ub_text_status_to_text(ub_job_get_status(self->job));
		/* TRANSLATORS: a status and what it acts on, e.g. "Writing boot_a" */
		status = step != NULL ? g_strdup_printf(_("%s %s"), text, step) : g_strdup(text);
		fraction = ub_job_get_fraction(self->job);
		break;
	}
	case UB_JOB_STATE_SUCCEEDED:
		status = g_strdup(ub_job_view_succeeded_text(self->job));
		fraction = 1;
		break;
	case UB_JOB_STATE_FAILED:
		/* TRANSLATORS: the job failed; the details are in a dialog and the log */
		status = g_strdup(_("Failed"));
		fraction = ub_job_get_fraction(self->job);
		break;
	case UB_JOB_STATE_CANCELLED:
		/* TRANSLATORS: the user stopped the job */
		status = g_strdup(_("Stopped"));
		fraction = ub_job_get_fraction(self->job);
		break;
	case UB_JOB_STATE_LAST:
	default:
		status = g_strdup("");
		break;
	}
	detail = ub_gui_format_job_detail(self->job);
	line = detail[0] != '\0' ? g_strdup_printf("%s — %s", status, detail) : g_strdup(status);
	gtk_label_set_text(self->status_label, line);
	gtk_progress_bar_set_fraction(self->progress_bar, CLAMP(fraction, 0, 1));
	/* TRANSLATORS: the progress bar's text, e.g. "38 %" */
	percent = g_strdup_printf(_("%.0f %%"), CLAMP(fraction, 0, 1) * 100);
	gtk_progress_bar_set_text(self->progress_bar, percent);
}

static void
ub_job_view_job_notify_cb(UbJob *job, GParamSpec *pspec, UbJobView *self)
{
	ub_job_view_update(self);
}

/**
 * ub_job_view_set_job:
 * @self: a #UbJobView
 * @job: (nullable): the job to show
 */
void
ub_job_view_set_job(UbJobView *self, UbJob *job)
{
	g_return_if_fail(UB_IS_JOB_VIEW(self));
	if (self->job == job)
		return;
	if (self->job != NULL)
		g_signal_handlers_disconnect_by_data(self->job, self);
	g_set_object(&self->job, job);
	if (job != NULL)
		g_signal_connect(job, "notify", G_CALLBACK(ub_job_view_job_notify_cb), self);
	ub_job_view_update(self);
}

/**
 * ub_job_view_set_waiting:
 * @self: a #UbJobView
 * @instruction: (nullable): what the user must do for the phone to appear,
 *   or %NULL when the window no longer waits
 *
 * Shows "Waiting for the phone" with @instruction and a pulsing bar.
 */
void
ub_job_view_set_waiting(UbJobView *self, const gchar *instruction)
{
	g_return_if_fail(UB_IS_JOB_VIEW(self));
	g_free(self->waiting);
	self->waiting = g_strdup(instruction);
	if (instruction != NULL)
		ub_job_view_set_summary(self, NULL, FALSE);
	ub_job_view_update(self);
}

/**
 * ub_job_view_set_summary:
 * @self: a #UbJobView
 * @summary: (nullable): what the last job did, several lines, or %NULL to hide it
 * @ok: whether the job succeeded
 */
void
ub_job_view_set_summary(UbJobView *self, const gchar *summary, gboolean ok)
{
	g_return_if_fail(UB_IS_JOB_VIEW(self));
	gtk_label_set_text(self->summary_label, summary != NULL ? summary : "");
	gtk_image_set_from_icon_name(self->summary_icon,
				     ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic",
				     GTK_ICON_SIZE_BUTTON);
	gtk_revealer_set_reveal_child(self->summary_revealer, summary != NULL);
}

/**
 * ub_job_view_get_summary:
 * @self: a #UbJobView
 *
 * Returns: the summary shown, or %NULL
 */
const gchar *
ub_job_view_get_summary(UbJobView *self)
{
	g_return_val_if_fail(UB_IS_JOB_VIEW(self), NULL);
	if (!gtk_revealer_get_reveal_child(self->summary_revealer))
		return NULL;
	return gtk_label_get_text(self->summary_label);
}

/**
 * ub_job_view_get_status_text:
 * @self: a #UbJobView
 *
 * Returns: the status line as shown
 */
const gchar *
ub_job_view_get_status_text(UbJobView *self)
{
	g_return_val_if_fail(UB_IS_JOB_VIEW(self), NULL);
	return gtk_label_get_text(self->status_label);
}

static void
ub_job_view_scroll_to_end(UbJobView *self)
{
	GtkTextIter iter;
	GtkTextMark *mark = gtk_text_buffer_get_mark(self->log, "ub-job-view-end");
	gtk_text_buffer_get_end_iter(self->log, &iter);
	if (mark == NULL)
		mark = gtk_text_buffer_create_mark(self->log, "ub-job-view-end", &iter, FALSE);
	else
		gtk_text_buffer_move_mark(self->log, mark, &iter);
	gtk_text_view_scroll_mark_onscreen(self->log_view, mark);
}

static void
ub_job_view_log_changed_cb(GtkTextBuffer *buffer, UbJobView *self)
{
	ub_job_view_scroll_to_end(self);
}

/**
 * ub_job_view_set_log:
 * @self: a #UbJobView
 * @log: (nullable): the log of the phone shown
 */
void
ub_job_view_set_log(UbJobView *self, GtkTextBuffer *log)
{
	g_return_if_fail(UB_IS_JOB_VIEW(self));
	if (self->log == log)
		return;
	if (self->log != NULL && self->log_changed_id != 0)
		g_signal_handler_disconnect(self->log, self->log_changed_id);
	self->log_changed_id = 0;
	g_set_object(&self->log, log);
	if (log == NULL) {
		g_autoptr(GtkTextBuffer) empty = gtk_text_buffer_new(NULL);
		gtk_text_view_set_buffer(self->log_view, empty);
		return;
	}
	gtk_text_view_set_buffer(self->log_view, log);
	self->log_changed_id = g_signal_connect_after(log,
						      "changed",
						      G_CALLBACK(ub_job_view_log_changed_cb),
						      self);
	ub_job_view_scroll_to_end(self);
}

static gchar *
ub_job_view_get_log_text(UbJobView *self)
{
	GtkTextBuffer *buffer = gtk_text_view_get_buffer(self->log_view);
	GtkTextIter start;
	GtkTextIter end;
	gtk_text_buffer_get_bounds(buffer, &start, &end);
	return gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
}

static void
ub_job_view_copy_clicked_cb(GtkButton *button, UbJobView *self)
{
	g_autofree gchar *text = ub_job_view_get_log_text(self);
	GtkClipboard *clipboard =
	    gtk_widget_get_clipboard(GTK_WIDGET(self), GDK_SELECTION_CLIPBOARD);
	gtk_clipboard_set_text(clipboard, text, -1);
}

static void
ub_job_view_save_response_cb(GtkNativeDialog *dialog, gint response, UbJobView *self)
{
	g_autoptr(GFile) file = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;

	if (response == GTK_RESPONSE_ACCEPT) {
		file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
		text = ub_job_view_get_log_text(self);
		if (!g_file_replace_contents(file,
					     text,
					     strlen(text),
					     NULL,
					     FALSE,
					     G_FILE_CREATE_NONE,
					     NULL,
					     NULL,
					     &error)) {
			GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
			ub_gui_show_error(GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					  _("Could not save the log"),
					  error);
		}
	}
	g_object_unref(dialog);
}

static void
ub_job_view_save_clicked_cb(GtkButton *button, UbJobView *self)
{
	GtkWidget *toplevel = gtk_widget_get_toplevel(GTK_WIDGET(self));
	GtkFileChooserNative *dialog;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *name = g_date_time_format(now, "unbrick-%Y-%m-%d-%H%M%S.log");

	dialog = gtk_file_chooser_native_new(_("Save Log"),
					     GTK_IS_WINDOW(toplevel) ? GTK_WINDOW(toplevel) : NULL,
					     GTK_FILE_CHOOSER_ACTION_SAVE,
					     _("_Save"),
					     _("_Cancel"));
	gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(dialog), TRUE);
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
	g_signal_connect(dialog, "response", G_CALLBACK(ub_job_view_save_response_cb), self);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void
ub_job_view_dispose(GObject *object)
{
	UbJobView *self = UB_JOB_VIEW(object);
	ub_job_view_set_job(self, NULL);
	if (self->log != NULL && self->log_changed_id != 0)
		g_signal_handler_disconnect(self->log, self->log_changed_id);
	self->log_changed_id = 0;
	g_clear_object(&self->log);
	ub_job_view_set_pulsing(self, FALSE);
	g_clear_pointer(&self->waiting, g_free);
	G_OBJECT_CLASS(ub_job_view_parent_class)->dispose(object);
}

static void
ub_job_view_init(UbJobView *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	ub_job_view_update(self);
}

static void
ub_job_view_class_init(UbJobViewClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	object_class->dispose = ub_job_view_dispose;

	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-job-view.ui");
	gtk_widget_class_bind_template_child(widget_class, UbJobView, status_label);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, hint_label);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, progress_bar);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, summary_revealer);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, summary_icon);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, summary_label);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, log_view);
	gtk_widget_class_bind_template_callback(widget_class, ub_job_view_copy_clicked_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_job_view_save_clicked_cb);
}
