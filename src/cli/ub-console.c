/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "ub-console.h"
#include "ub-text.h"

/* renders a UbJob on stderr: a redrawn bar on a terminal, plain lines otherwise
 * (logs, CI); all callbacks run on the main context, UbJob guarantees it */

struct _UbConsole {
	GObject parent_instance;
	gboolean tty;
	gboolean quiet;
	gboolean bar_shown;
	UbJob *job;
	UbStatus last_status;
	gchar *last_step;
	gint last_decile;
};

G_DEFINE_TYPE(UbConsole, ub_console, G_TYPE_OBJECT)

static void
ub_console_draw(UbConsole *self)
{
	UbJob *job = self->job;
	gdouble fraction = ub_job_get_fraction(job);
	UbStatus status = ub_job_get_status(job);
	const gchar *step = ub_job_get_step_name(job);
	g_autoptr(GString) line = g_string_new(NULL);
	const guint width = 24;
	guint filled = (guint)(fraction * width + 0.5);
	gdouble rate = ub_job_get_rate(job);
	gint64 eta = ub_job_get_eta(job);

	if (self->quiet)
		return;
	if (!self->tty) {
		/* plain lines: on a new phase and every 10 % */
		gint decile = (gint)(fraction * 10);
		if (status == self->last_status && g_strcmp0(step, self->last_step) == 0 &&
		    decile == self->last_decile)
			return;
		self->last_status = status;
		g_free(self->last_step);
		self->last_step = g_strdup(step);
		self->last_decile = decile;
		g_printerr("%3.0f%% %s%s%s\n",
			   fraction * 100,
			   ub_text_status_to_text(status),
			   step != NULL ? " " : "",
			   step != NULL ? step : "");
		return;
	}
	g_string_append_c(line, '[');
	for (guint i = 0; i < width; i++)
		g_string_append(line, i < filled ? "#" : "-");
	g_string_append_printf(line,
			       "] %3.0f%%  %s%s%s",
			       fraction * 100,
			       ub_text_status_to_text(status),
			       step != NULL ? " " : "",
			       step != NULL ? step : "");
	if (rate > 0) {
		g_autofree gchar *speed = ub_text_format_size((guint64)rate);
		g_string_append_printf(line, "  %s/s", speed);
	}
	if (eta >= 0)
		g_string_append_printf(line,
				       "  %" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT,
				       eta / 60,
				       eta % 60);
	g_printerr("\r\033[K%s", line->str);
	self->bar_shown = TRUE;
}

static void
ub_console_notify_cb(UbJob *job, GParamSpec *pspec, UbConsole *self)
{
	ub_console_draw(self);
}

static void
ub_console_log_cb(UbJob *job, const gchar *message, UbConsole *self)
{
	if (self->quiet)
		return;
	if (self->bar_shown)
		g_printerr("\r\033[K");
	g_printerr("  %s\n", message);
	if (self->bar_shown)
		ub_console_draw(self);
}

/**
 * ub_console_watch_job:
 * @self: a #UbConsole
 * @job: a job about to run on this thread's context
 */
void
ub_console_watch_job(UbConsole *self, UbJob *job)
{
	g_set_object(&self->job, job);
	g_signal_connect(job, "notify::fraction", G_CALLBACK(ub_console_notify_cb), self);
	g_signal_connect(job, "notify::status", G_CALLBACK(ub_console_notify_cb), self);
	g_signal_connect(job, "notify::step-name", G_CALLBACK(ub_console_notify_cb), self);
	g_signal_connect(job, "log-message", G_CALLBACK(ub_console_log_cb), self);
}

/**
 * ub_console_finish:
 * @self: a #UbConsole
 *
 * Ends the bar line so the result prints on its own line.
 */
void
ub_console_finish(UbConsole *self)
{
	if (self->bar_shown)
		g_printerr("\n");
	self->bar_shown = FALSE;
	if (self->job != NULL)
		g_signal_handlers_disconnect_by_data(self->job, self);
}

static void
ub_console_finalize(GObject *object)
{
	UbConsole *self = UB_CONSOLE(object);
	if (self->job != NULL)
		g_signal_handlers_disconnect_by_data(self->job, self);
	g_clear_object(&self->job);
	g_free(self->last_step);
	G_OBJECT_CLASS(ub_console_parent_class)->finalize(object);
}

static void
ub_console_init(UbConsole *self)
{
	self->last_decile = -1;
	self->last_status = UB_STATUS_LAST;
}

static void
ub_console_class_init(UbConsoleClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_console_finalize;
}

UbConsole *
ub_console_new(gboolean quiet)
{
	UbConsole *self = g_object_new(UB_TYPE_CONSOLE, NULL);
	self->tty = isatty(STDERR_FILENO) && g_getenv("TERM") != NULL &&
		    g_strcmp0(g_getenv("TERM"), "dumb") != 0;
	self->quiet = quiet;
	return self;
}
