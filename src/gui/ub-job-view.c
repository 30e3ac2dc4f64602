/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-gui-utils.h"
#include "ub-job-view.h"

/**
 * UbJobView:
 *
 * Shows one #UbJob: a progress bar, the translated status with the step, the
 * bytes, rate and time left, a Stop button (action win.stop) and the phone's
 * log. It only listens to the job's notify:: signals, which #UbJob emits on the
 * main context, coalesced: nothing here is called from a worker thread.
 */

struct _UbJobView {
	GtkBox parent_instance;
	GtkLabel *status_label;
	GtkLabel *detail_label;
	GtkProgressBar *progress_bar;
	GtkTextView *log_view;

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
		return _("Read back");
	case UB_PLAN_KIND_FORMAT:
		/* TRANSLATORS: the job finished */
		return _("Erased");
	case UB_PLAN_KIND_LAST:
	default:
		return _("Finished");
	}
}

static void
ub_job_view_update(UbJobView *self)
{
	g_autofree gchar *status = NULL;
	g_autofree gchar *detail = NULL;
	gdouble fraction = 0;

	if (self->job == NULL) {
		gtk_label_set_text(self->status_label, _("Ready"));
		gtk_label_set_text(self->detail_label, "");
		gtk_progress_bar_set_fraction(self->progress_bar, 0);
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
	gtk_label_set_text(self->status_label, status);
	gtk_label_set_text(self->detail_label, detail);
	gtk_progress_bar_set_fraction(self->progress_bar, fraction);
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

static void
ub_job_view_dispose(GObject *object)
{
	UbJobView *self = UB_JOB_VIEW(object);
	ub_job_view_set_job(self, NULL);
	if (self->log != NULL && self->log_changed_id != 0)
		g_signal_handler_disconnect(self->log, self->log_changed_id);
	self->log_changed_id = 0;
	g_clear_object(&self->log);
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
	gtk_widget_class_bind_template_child(widget_class, UbJobView, detail_label);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, progress_bar);
	gtk_widget_class_bind_template_child(widget_class, UbJobView, log_view);
}
