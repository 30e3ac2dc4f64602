/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-device.h"
#include "ub-plan.h"

G_BEGIN_DECLS

typedef enum {
	UB_JOB_STATE_READY,
	UB_JOB_STATE_RUNNING,
	UB_JOB_STATE_SUCCEEDED,
	UB_JOB_STATE_FAILED,
	UB_JOB_STATE_CANCELLED,
	UB_JOB_STATE_LAST
} UbJobState;

const gchar *
ub_job_state_to_string(UbJobState state);

#define UB_TYPE_JOB (ub_job_get_type())
G_DECLARE_FINAL_TYPE(UbJob, ub_job, UB, JOB, GObject)

/**
 * UbJob:
 *
 * Runs a #UbPlan on a #UbDevice in a worker thread. Every property
 * notification and every #UbJob::log-message is emitted on the #GMainContext
 * that was thread-default when ub_job_run_async() was called, coalesced to at
 * most about ten updates a second; nothing is ever emitted from the worker.
 */
UbJob *
ub_job_new(UbDevice *device, UbPlan *plan);
void
ub_job_run_async(UbJob *self,
		 GCancellable *cancellable,
		 GAsyncReadyCallback callback,
		 gpointer user_data);
gboolean
ub_job_run_finish(UbJob *self, GAsyncResult *res, GError **error);
gboolean
ub_job_run_sync(UbJob *self, GCancellable *cancellable, GError **error);

UbDevice *
ub_job_get_device(UbJob *self);
UbPlan *
ub_job_get_plan(UbJob *self);
UbJobState
ub_job_get_state(UbJob *self);
gdouble
ub_job_get_fraction(UbJob *self);
UbStatus
ub_job_get_status(UbJob *self);
const gchar *
ub_job_get_step_name(UbJob *self);
guint64
ub_job_get_bytes_done(UbJob *self);
guint64
ub_job_get_bytes_total(UbJob *self);
gdouble
ub_job_get_rate(UbJob *self);
gint64
ub_job_get_eta(UbJob *self);
gboolean
ub_job_get_cancelable(UbJob *self);
guint
ub_job_get_update_count(UbJob *self);

G_END_DECLS
