/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-estimator.h"
#include "ub-job.h"
#include "ub-plan-executor.h"

/*
 * The one place where worker threads meet front-ends. The worker only writes
 * the latest numbers into `pending` under the mutex and makes sure one flush
 * source is attached to the caller's context; the flush copies them out and
 * notifies. So however fast the engine reports, the UI sees at most ~10
 * updates a second, always on its own thread.
 */

#define UB_JOB_FLUSH_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

typedef struct {
	gdouble fraction;
	UbStatus status;
	gchar *step_name;
	guint64 bytes_done;
	guint64 bytes_total;
	gboolean cancelable;
} UbJobSnapshot;

struct _UbJob {
	GObject parent_instance;
	UbDevice *device;
	UbPlan *plan;
	GMainContext *context;

	GMutex mutex; /* protects everything below up to the public fields */
	UbJobSnapshot pending;
	GPtrArray *pending_logs;
	GSource *flush_source;
	gint64 last_flush_us;
	GCancellable *inner_cancellable;
	gboolean cancel_pending;

	/* public, only touched on the caller's context */
	UbJobSnapshot current;
	UbJobState state;
	gdouble rate;
	gint64 eta;
	guint update_count;
	UbEstimator *estimator;
	GCancellable *outer_cancellable;
	gulong outer_cancelled_id;
};

enum {
	PROP_0,
	PROP_STATE,
	PROP_FRACTION,
	PROP_STATUS,
	PROP_STEP_NAME,
	PROP_BYTES_DONE,
	PROP_BYTES_TOTAL,
	PROP_RATE,
	PROP_ETA,
	PROP_CANCELABLE,
	PROP_LAST
};
static GParamSpec *pspecs[PROP_LAST] = {NULL};

enum { SIGNAL_LOG_MESSAGE, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(UbJob, ub_job, G_TYPE_OBJECT)

const gchar *
ub_job_state_to_string(UbJobState state)
{
	switch (state) {
	case UB_JOB_STATE_READY:
		return "ready";
	case UB_JOB_STATE_RUNNING:
		return "running";
	case UB_JOB_STATE_SUCCEEDED:
		return "succeeded";
	case UB_JOB_STATE_FAILED:
		return "failed";
	case UB_JOB_STATE_CANCELLED:
		return "cancelled";
	case UB_JOB_STATE_LAST:
	default:
		return "unknown";
	}
}

/* caller's context */
static void
ub_job_flush(UbJob *self)
{
	UbJobSnapshot snap = {0};
	g_autoptr(GPtrArray) logs = NULL;
	gint64 now = g_get_monotonic_time();

	g_mutex_lock(&self->mutex);
	snap = self->pending;
	snap.step_name = g_strdup(self->pending.step_name);
	logs = g_steal_pointer(&self->pending_logs);
	self->pending_logs = g_ptr_array_new_with_free_func(g_free);
	if (self->flush_source != NULL) {
		g_source_destroy(self->flush_source);
		g_clear_pointer(&self->flush_source, g_source_unref);
	}
	self->last_flush_us = now;
	g_mutex_unlock(&self->mutex);

	/* log lines first: they happened before the state they led to */
	for (guint i = 0; i < logs->len; i++)
		g_signal_emit(self, signals[SIGNAL_LOG_MESSAGE], 0, g_ptr_array_index(logs, i));

	self->update_count++;
	g_object_freeze_notify(G_OBJECT(self));
	if (snap.fraction != self->current.fraction) {
		self->current.fraction = snap.fraction;
		g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_FRACTION]);
	}
	if (snap.status != self->current.status) {
		self->current.status = snap.status;
		g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_STATUS]);
	}
	if (g_strcmp0(snap.step_name, self->current.step_name) != 0) {
		g_free(self->current.step_name);
		self->current.step_name = g_steal_pointer(&snap.step_name);
		g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_STEP_NAME]);
	}
	if (snap.bytes_total != self->current.bytes_total) {
		self->current.bytes_total = snap.bytes_total;
		g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_BYTES_TOTAL]);
	}
	if (snap.bytes_done != self->current.bytes_done) {
		gdouble rate;
		gint64 eta;
		self->current.bytes_done = snap.bytes_done;
		g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_BYTES_DONE]);
		ub_estimator_add_sample(self->estimator, now, snap.bytes_done, snap.bytes_total);
		rate = ub_estimator_get_rate(self->estimator);
		eta = ub_estimator_get_eta_seconds(self->estimator);
		if (rate != self->rate) {
			self->rate = rate;
			g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_RATE]);
		}
		if (eta != self->eta) {
			self->eta = eta;
			g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_ETA]);
		}
	}
	if (snap.cancelable != self->current.cancelable) {
		self->current.cancelable = snap.cancelable;
		g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_CANCELABLE]);
	}
	g_object_thaw_notify(G_OBJECT(self));
	g_free(snap.step_name);
}

static gboolean
ub_job_flush_timeout_cb(gpointer user_data)
{
	ub_job_flush(UB_JOB(user_data));
	return G_SOURCE_REMOVE;
}

/* worker thread, mutex held */
static void
ub_job_schedule_flush_locked(UbJob *self)
{
	gint64 now;
	gint64 delay_us;
	if (self->flush_source != NULL)
		return;
	now = g_get_monotonic_time();
	delay_us = UB_JOB_FLUSH_INTERVAL_US - (now - self->last_flush_us);
	self->flush_source = g_timeout_source_new((guint)(CLAMP(delay_us, 0, UB_JOB_FLUSH_INTERVAL_US) / 1000));
	g_source_set_priority(self->flush_source, G_PRIORITY_DEFAULT);
	g_source_set_callback(self->flush_source,
			      ub_job_flush_timeout_cb,
			      g_object_ref(self),
			      g_object_unref);
	g_source_attach(self->flush_source, self->context);
}

/* worker thread */
static void
ub_job_progress_changed_cb(UbProgress *progress, UbJob *self)
{
	gboolean cancel_now = FALSE;
	g_mutex_lock(&self->mutex);
	self->pending.fraction = ub_progress_get_fraction(progress);
	self->pending.status = ub_progress_get_status(progress);
	if (g_strcmp0(self->pending.step_name, ub_progress_get_step_name(progress)) != 0) {
		g_free(self->pending.step_name);
		self->pending.step_name = g_strdup(ub_progress_get_step_name(progress));
	}
	self->pending.bytes_done = ub_progress_get_bytes_done(progress);
	self->pending.bytes_total = ub_progress_get_bytes_total(progress);
	self->pending.cancelable = ub_progress_get_cancelable(progress);
	if (self->pending.cancelable && self->cancel_pending) {
		self->cancel_pending = FALSE;
		cancel_now = TRUE;
	}
	ub_job_schedule_flush_locked(self);
	g_mutex_unlock(&self->mutex);
	if (cancel_now)
		g_cancellable_cancel(self->inner_cancellable);
}

/* worker thread */
static void
ub_job_progress_log_cb(UbProgress *progress, const gchar *message, UbJob *self)
{
	g_mutex_lock(&self->mutex);
	g_ptr_array_add(self->pending_logs, g_strdup(message));
	ub_job_schedule_flush_locked(self);
	g_mutex_unlock(&self->mutex);
}

/* any thread: phases that must not be interrupted defer the cancel */
static void
ub_job_outer_cancelled_cb(GCancellable *cancellable, UbJob *self)
{
	gboolean cancel_now;
	g_mutex_lock(&self->mutex);
	cancel_now = self->pending.cancelable;
	if (!cancel_now)
		self->cancel_pending = TRUE;
	g_mutex_unlock(&self->mutex);
	if (cancel_now)
		g_cancellable_cancel(self->inner_cancellable);
}

static void
ub_job_thread_cb(GTask *task, gpointer source_object, gpointer task_data, GCancellable *unused)
{
	UbJob *self = UB_JOB(source_object);
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GError) error = NULL;
	gboolean ok;

	g_signal_connect(progress, "changed", G_CALLBACK(ub_job_progress_changed_cb), self);
	g_signal_connect(progress, "log", G_CALLBACK(ub_job_progress_log_cb), self);
	ok = ub_plan_execute(self->plan, self->device, progress, self->inner_cancellable, &error);
	g_signal_handlers_disconnect_by_data(progress, self);

	if (!ok && g_cancellable_is_cancelled(self->inner_cancellable)) {
		/* whatever broke because of the cancel, the user asked for it */
		g_debug("cancelled: %s", error->message);
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
		return;
	}
	if (!ok) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

/* caller's context */
static void
ub_job_run_done_cb(GObject *source_object, GAsyncResult *res, gpointer user_data)
{
	UbJob *self = UB_JOB(source_object);
	g_autoptr(GTask) outer = G_TASK(user_data);
	g_autoptr(GError) error = NULL;

	if (self->outer_cancellable != NULL) {
		g_cancellable_disconnect(self->outer_cancellable, self->outer_cancelled_id);
		self->outer_cancelled_id = 0;
		g_clear_object(&self->outer_cancellable);
	}
	ub_job_flush(self);
	if (!g_task_propagate_boolean(G_TASK(res), &error)) {
		self->state = ub_error_is_cancelled(error) ? UB_JOB_STATE_CANCELLED
							   : UB_JOB_STATE_FAILED;
		g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_STATE]);
		g_task_return_error(outer, g_steal_pointer(&error));
		return;
	}
	self->state = UB_JOB_STATE_SUCCEEDED;
	g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_STATE]);
	g_task_return_boolean(outer, TRUE);
}

/**
 * ub_job_run_async:
 * @self: a #UbJob, run at most once
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the current thread-default context when done
 * @user_data: data for @callback
 *
 * Runs the plan in a worker thread. Cancelling @cancellable stops the job at
 * the next chunk (at once for interruptible phases) and it then fails with
 * %G_IO_ERROR_CANCELLED and the message "cancelled", nothing else.
 */
void
ub_job_run_async(UbJob *self,
		 GCancellable *cancellable,
		 GAsyncReadyCallback callback,
		 gpointer user_data)
{
	GTask *outer;
	g_autoptr(GTask) inner = NULL;

	g_return_if_fail(UB_IS_JOB(self));
	g_return_if_fail(self->state == UB_JOB_STATE_READY);

	outer = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(outer, ub_job_run_async);
	g_task_set_check_cancellable(outer, FALSE);
	self->context = g_main_context_ref_thread_default();
	self->state = UB_JOB_STATE_RUNNING;
	g_object_notify_by_pspec(G_OBJECT(self), pspecs[PROP_STATE]);
	if (cancellable != NULL) {
		self->outer_cancellable = g_object_ref(cancellable);
		self->outer_cancelled_id = g_cancellable_connect(cancellable,
								 G_CALLBACK(ub_job_outer_cancelled_cb),
								 self,
								 NULL);
	}
	inner = g_task_new(self, NULL, ub_job_run_done_cb, outer);
	g_task_set_return_on_cancel(inner, FALSE);
	g_task_run_in_thread(inner, ub_job_thread_cb);
}

/**
 * ub_job_run_finish:
 * @self: a #UbJob
 * @res: the result
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if the plan succeeded
 */
gboolean
ub_job_run_finish(UbJob *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, self), FALSE);
	return g_task_propagate_boolean(G_TASK(res), error);
}

typedef struct {
	GMainContext *context;
	GAsyncResult *res;
} UbJobSyncHelper;

static void
ub_job_run_sync_cb(GObject *source_object, GAsyncResult *res, gpointer user_data)
{
	UbJobSyncHelper *helper = user_data;
	helper->res = g_object_ref(res);
	g_main_context_wakeup(helper->context);
}

/**
 * ub_job_run_sync:
 * @self: a #UbJob
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Runs the job with a private main context; signals are emitted on this thread.
 *
 * Returns: %TRUE if the plan succeeded
 */
gboolean
ub_job_run_sync(UbJob *self, GCancellable *cancellable, GError **error)
{
	g_autoptr(GMainContext) context = g_main_context_new();
	UbJobSyncHelper helper = {.context = context, .res = NULL};
	gboolean ok;
	g_main_context_push_thread_default(context);
	ub_job_run_async(self, cancellable, ub_job_run_sync_cb, &helper);
	while (helper.res == NULL)
		g_main_context_iteration(context, TRUE);
	ok = ub_job_run_finish(self, helper.res, error);
	g_object_unref(helper.res);
	g_main_context_pop_thread_default(context);
	return ok;
}

UbDevice *
ub_job_get_device(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), NULL);
	return self->device;
}

UbPlan *
ub_job_get_plan(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), NULL);
	return self->plan;
}

UbJobState
ub_job_get_state(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), UB_JOB_STATE_LAST);
	return self->state;
}

gdouble
ub_job_get_fraction(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), 0.0);
	return self->current.fraction;
}

UbStatus
ub_job_get_status(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), UB_STATUS_IDLE);
	return self->current.status;
}

const gchar *
ub_job_get_step_name(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), NULL);
	return self->current.step_name;
}

guint64
ub_job_get_bytes_done(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), 0);
	return self->current.bytes_done;
}

guint64
ub_job_get_bytes_total(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), 0);
	return self->current.bytes_total;
}

gdouble
ub_job_get_rate(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), 0.0);
	return self->rate;
}

/**
 * ub_job_get_eta:
 * @self: a #UbJob
 *
 * Returns: seconds left, or -1 if unknown
 */
gint64
ub_job_get_eta(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), -1);
	return self->eta;
}

gboolean
ub_job_get_cancelable(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), FALSE);
	return self->current.cancelable;
}

/**
 * ub_job_get_update_count:
 * @self: a #UbJob
 *
 * Returns: how many coalesced updates were delivered (for tests and benchmarks)
 */
guint
ub_job_get_update_count(UbJob *self)
{
	g_return_val_if_fail(UB_IS_JOB(self), 0);
	return self->update_count;
}

static void
ub_job_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	UbJob *self = UB_JOB(object);
	switch (prop_id) {
	case PROP_STATE:
		g_value_set_int(value, self->state);
		break;
	case PROP_FRACTION:
		g_value_set_double(value, self->current.fraction);
		break;
	case PROP_STATUS:
		g_value_set_int(value, self->current.status);
		break;
	case PROP_STEP_NAME:
		g_value_set_string(value, self->current.step_name);
		break;
	case PROP_BYTES_DONE:
		g_value_set_uint64(value, self->current.bytes_done);
		break;
	case PROP_BYTES_TOTAL:
		g_value_set_uint64(value, self->current.bytes_total);
		break;
	case PROP_RATE:
		g_value_set_double(value, self->rate);
		break;
	case PROP_ETA:
		g_value_set_int64(value, self->eta);
		break;
	case PROP_CANCELABLE:
		g_value_set_boolean(value, self->current.cancelable);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_job_finalize(GObject *object)
{
	UbJob *self = UB_JOB(object);
	g_clear_object(&self->device);
	g_clear_object(&self->plan);
	if (self->flush_source != NULL) {
		g_source_destroy(self->flush_source);
		g_source_unref(self->flush_source);
	}
	g_clear_pointer(&self->context, g_main_context_unref);
	g_ptr_array_unref(self->pending_logs);
	g_free(self->pending.step_name);
	g_free(self->current.step_name);
	g_clear_object(&self->inner_cancellable);
	g_clear_object(&self->estimator);
	g_mutex_clear(&self->mutex);
	G_OBJECT_CLASS(ub_job_parent_class)->finalize(object);
}

static void
ub_job_init(UbJob *self)
{
	g_mutex_init(&self->mutex);
	self->pending_logs = g_ptr_array_new_with_free_func(g_free);
	self->pending.cancelable = TRUE;
	self->current.cancelable = TRUE;
	self->eta = -1;
	self->inner_cancellable = g_cancellable_new();
	self->estimator = ub_estimator_new();
}

static void
ub_job_class_init(UbJobClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
	object_class->get_property = ub_job_get_property;
	object_class->finalize = ub_job_finalize;

	pspecs[PROP_STATE] = g_param_spec_int("state", NULL, NULL, 0, UB_JOB_STATE_LAST, 0, flags);
	pspecs[PROP_FRACTION] = g_param_spec_double("fraction", NULL, NULL, 0.0, 1.0, 0.0, flags);
	pspecs[PROP_STATUS] = g_param_spec_int("status", NULL, NULL, 0, UB_STATUS_LAST, 0, flags);
	pspecs[PROP_STEP_NAME] = g_param_spec_string("step-name", NULL, NULL, NULL, flags);
	pspecs[PROP_BYTES_DONE] =
	    g_param_spec_uint64("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
	pspecs[PROP_BYTES_TOTAL] =
	    g_param_spec_uint64("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, flags);
	pspecs[PROP_RATE] = g_param_spec_double("rate", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, flags);
	pspecs[PROP_ETA] = g_param_spec_int64("eta", NULL, NULL, -1, G_MAXINT64, -1, flags);
	pspecs[PROP_CANCELABLE] = g_param_spec_boolean("cancelable", NULL, NULL, TRUE, flags);
	g_object_class_install_properties(object_class, PROP_LAST, pspecs);

	/**
	 * UbJob::log-message:
	 * @message: an untranslated technical line
	 *
	 * Emitted on the caller's context.
	 */
	signals[SIGNAL_LOG_MESSAGE] = g_signal_new("log-message",
						   G_TYPE_FROM_CLASS(klass),
						   G_SIGNAL_RUN_LAST,
						   0,
						   NULL,
						   NULL,
						   NULL,
						   G_TYPE_NONE,
						   1,
						   G_TYPE_STRING);
}

/**
 * ub_job_new:
 * @device: the device to act on
 * @plan: what to do
 *
 * Returns: (transfer full): a new #UbJob
 */
UbJob *
ub_job_new(UbDevice *device, UbPlan *plan)
{
	UbJob *self;
	g_return_val_if_fail(UB_IS_DEVICE(device), NULL);
	g_return_val_if_fail(UB_IS_PLAN(plan), NULL);
	self = g_object_new(UB_TYPE_JOB, NULL);
	self->device = g_object_ref(device);
	self->plan = g_object_ref(plan);
	return self;
}
