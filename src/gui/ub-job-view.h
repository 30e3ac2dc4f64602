/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"

G_BEGIN_DECLS

#define UB_TYPE_JOB_VIEW (ub_job_view_get_type())
G_DECLARE_FINAL_TYPE(UbJobView, ub_job_view, UB, JOB_VIEW, GtkBox)

void
ub_job_view_set_job(UbJobView *self, UbJob *job);
void
ub_job_view_set_log(UbJobView *self, GtkTextBuffer *log);
const gchar *
ub_job_view_get_status_text(UbJobView *self);
void
ub_job_view_set_waiting(UbJobView *self, const gchar *instruction);
void
ub_job_view_set_summary(UbJobView *self, const gchar *summary, gboolean ok);
const gchar *
ub_job_view_get_summary(UbJobView *self);

G_END_DECLS
