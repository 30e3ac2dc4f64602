/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-progress.h"

/*
 * A tree of weighted steps. A function that takes a UbProgress declares its
 * phases first (ub_progress_add_step), hands ub_progress_get_child() to each
 * sub-call and calls ub_progress_step_done() after it. Only the root emits
 * signals, always in the thread that changed it: UbJob marshals them.
 */

typedef struct {
	UbStatus status;
	guint weight;
	gchar *name;
} UbProgressStep;

struct _UbProgress {
	GObject parent_instance;
	UbProgress *parent; /* not owned */
	UbProgress *child;  /* owned */
	GArray *steps;	    /* of UbProgressStep */
	guint step_now;
	gdouble fraction; /* used when no steps are declared */
	guint64 leaf_bytes_done;
	/* root only */
	UbStatus status;
	gchar *step_name;
	guint64 bytes_done;
	guint64 bytes_total;
	gboolean cancelable;
};

enum { SIGNAL_CHANGED, SIGNAL_LOG, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = {0};

G_DEFINE_TYPE(UbProgress, ub_progress, G_TYPE_OBJECT)

const gchar *
ub_status_to_string(UbStatus status)
{
	switch (status) {
	case UB_STATUS_IDLE:
		return "idle";
	case UB_STATUS_WAITING_FOR_DEVICE:
		return "waiting-for-device";
	case UB_STATUS_CONNECTING:
		return "connecting";
	case UB_STATUS_IDENTIFYING:
		return "identifying";
	case UB_STATUS_CHECKING:
		return "checking";
	case UB_STATUS_BACKING_UP:
		return "backing-up";
	case UB_STATUS_READING:
		return "reading";
	case UB_STATUS_WRITING:
		return "writing";
	case UB_STATUS_ERASING:
		return "erasing";
	case UB_STATUS_VERIFYING:
		return "verifying";
	case UB_STATUS_REBOOTING:
		return "rebooting";
	case UB_STATUS_BUSY:
		return "busy";
	case UB_STATUS_LAST:
	default:
		return "unknown";
	}
}

static UbProgress *
ub_progress_get_root(UbProgress *self)
{
	while (self->parent != NULL)
		self = self->parent;
	return self;
}

static void
ub_progress_emit_changed(UbProgress *self)
{
	g_signal_emit(ub_progress_get_root(self), signals[SIGNAL_CHANGED], 0);
}

static void
ub_progress_step_free(UbProgressStep *step)
{
	g_free(step->name);
}

static void
ub_progress_activate_step(UbProgress *self)
{
	UbProgress *root = ub_progress_get_root(self);
	UbProgressStep *step;
	if (self->step_now >= self->steps->len)
		return;
	step = &g_array_index(self->steps, UbProgressStep, self->step_now);
	root->status = step->status;
	if (step->name != NULL) {
		g_free(root->step_name);
		root->step_name = g_strdup(step->name);
	}
}

/**
 * ub_progress_add_step:
 * @self: a #UbProgress
 * @status: the status while this step runs
 * @weight: relative cost of the step, e.g. bytes or a percentage
 * @name: (nullable): what is being worked on, e.g. a partition name
 *
 * Declares one phase. All steps are declared before the first is done.
 */
void
ub_progress_add_step(UbProgress *self, UbStatus status, guint weight, const gchar *name)
{
	UbProgressStep step = {.status = status, .weight = weight, .name = g_strdup(name)};
	g_return_if_fail(UB_IS_PROGRESS(self));
	g_array_append_val(self->steps, step);
	if (self->steps->len == 1)
		ub_progress_activate_step(self);
}

/**
 * ub_progress_set_steps:
 * @self: a #UbProgress
 * @steps: the number of equal steps, e.g. chunks
 *
 * Declares @steps steps of equal weight, keeping the current status.
 */
void
ub_progress_set_steps(UbProgress *self, guint steps)
{
	UbProgress *root;
	g_return_if_fail(UB_IS_PROGRESS(self));
	root = ub_progress_get_root(self);
	for (guint i = 0; i < steps; i++) {
		UbProgressStep step = {.status = root->status, .weight = 1, .name = NULL};
		g_array_append_val(self->steps, step);
	}
}

/**
 * ub_progress_get_child:
 * @self: a #UbProgress
 *
 * Returns: (transfer none): the progress of the current step, reset and empty
 */
UbProgress *
ub_progress_get_child(UbProgress *self)
{
	g_return_val_if_fail(UB_IS_PROGRESS(self), NULL);
	if (self->child != NULL) {
		self->child->parent = NULL;
		g_object_unref(self->child);
	}
	self->child = g_object_new(UB_TYPE_PROGRESS, NULL);
	self->child->parent = self;
	return self->child;
}

static gdouble
ub_progress_compute_fraction(UbProgress *self)
{
	guint64 total = 0;
	guint64 done = 0;
	if (self->steps->len == 0)
		return self->fraction;
	for (guint i = 0; i < self->steps->len; i++) {
		UbProgressStep *step = &g_array_index(self->steps, UbProgressStep, i);
		total += step->weight;
		if (i < self->step_now)
			done += step->weight;
	}
	if (total == 0)
		return self->step_now >= self->steps->len ? 1.0 : 0.0;
	if (self->step_now < self->steps->len && self->child != NULL) {
		UbProgressStep *step = &g_array_index(self->steps, UbProgressStep, self->step_now);
		return ((gdouble)done + step->weight * ub_progress_compute_fraction(self->child)) /
		       (gdouble)total;
	}
	return (gdouble)done / (gdouble)total;
}

/**
 * ub_progress_step_done:
 * @self: a #UbProgress
 *
 * Marks the current step as done and starts the next one.
 */
void
ub_progress_step_done(UbProgress *self)
{
	g_return_if_fail(UB_IS_PROGRESS(self));
	if (self->step_now >= self->steps->len) {
		g_critical("progress has only %u steps", self->steps->len);
		return;
	}
	if (self->child != NULL) {
		self->child->parent = NULL;
		g_clear_object(&self->child);
	}
	self->step_now++;
	ub_progress_activate_step(self);
	ub_progress_emit_changed(self);
}

/**
 * ub_progress_finished:
 * @self: a #UbProgress
 *
 * Marks every remaining step of @self as done.
 */
void
ub_progress_finished(UbProgress *self)
{
	g_return_if_fail(UB_IS_PROGRESS(self));
	if (self->child != NULL) {
		self->child->parent = NULL;
		g_clear_object(&self->child);
	}
	self->step_now = self->steps->len;
	self->fraction = 1.0;
	ub_progress_emit_changed(self);
}

/**
 * ub_progress_set_fraction:
 * @self: a #UbProgress without steps
 * @fraction: 0.0 to 1.0
 */
void
ub_progress_set_fraction(UbProgress *self, gdouble fraction)
{
	g_return_if_fail(UB_IS_PROGRESS(self));
	self->fraction = CLAMP(fraction, 0.0, 1.0);
	ub_progress_emit_changed(self);
}

/**
 * ub_progress_get_fraction:
 * @self: a #UbProgress
 *
 * Returns: how much of @self is done, 0.0 to 1.0, weighted through all children
 */
gdouble
ub_progress_get_fraction(UbProgress *self)
{
	g_return_val_if_fail(UB_IS_PROGRESS(self), 0.0);
	return CLAMP(ub_progress_compute_fraction(self), 0.0, 1.0);
}

/**
 * ub_progress_set_bytes:
 * @self: a leaf #UbProgress
 * @done: bytes of this step done
 * @total: bytes of this step
 *
 * Sets the fraction of a transfer and adds the new bytes to the root's counter.
 */
void
ub_progress_set_bytes(UbProgress *self, guint64 done, guint64 total)
{
	UbProgress *root;
	g_return_if_fail(UB_IS_PROGRESS(self));
	root = ub_progress_get_root(self);
	if (done > self->leaf_bytes_done)
		root->bytes_done += done - self->leaf_bytes_done;
	self->leaf_bytes_done = done;
	self->fraction = total > 0 ? CLAMP((gdouble)done / (gdouble)total, 0.0, 1.0) : 1.0;
	ub_progress_emit_changed(self);
}

void
ub_progress_set_bytes_total(UbProgress *self, guint64 total)
{
	g_return_if_fail(UB_IS_PROGRESS(self));
	ub_progress_get_root(self)->bytes_total = total;
	ub_progress_emit_changed(self);
}

guint64
ub_progress_get_bytes_done(UbProgress *self)
{
	g_return_val_if_fail(UB_IS_PROGRESS(self), 0);
	return ub_progress_get_root(self)->bytes_done;
}

guint64
ub_progress_get_bytes_total(UbProgress *self)
{
	g_return_val_if_fail(UB_IS_PROGRESS(self), 0);
	return ub_progress_get_root(self)->bytes_total;
}

void
ub_progress_set_status(UbProgress *self, UbStatus status)
{
	UbProgress *root;
	g_return_if_fail(UB_IS_PROGRESS(self));
	root = ub_progress_get_root(self);
	if (root->status == status)
		return;
	root->status = status;
	ub_progress_emit_changed(self);
}

UbStatus
ub_progress_get_status(UbProgress *self)
{
	g_return_val_if_fail(UB_IS_PROGRESS(self), UB_STATUS_IDLE);
	return ub_progress_get_root(self)->status;
}

const gchar *
ub_progress_get_step_name(UbProgress *self)
{
	g_return_val_if_fail(UB_IS_PROGRESS(self), NULL);
	return ub_progress_get_root(self)->step_name;
}

void
ub_progress_set_cancelable(UbProgress *self, gboolean cancelable)
{
	UbProgress *root;
	g_return_if_fail(UB_IS_PROGRESS(self));
	root = ub_progress_get_root(self);
	if (root->cancelable == cancelable)
		return;
	root->cancelable = cancelable;
	ub_progress_emit_changed(self);
}

gboolean
ub_progress_get_cancelable(UbProgress *self)
{
	g_return_val_if_fail(UB_IS_PROGRESS(self), FALSE);
	return ub_progress_get_root(self)->cancelable;
}

/**
 * ub_progress_log:
 * @self: a #UbProgress
 * @fmt: printf-style format, untranslated: a technical line for the log view
 *
 * Sends a line to the job's log; also logged at debug level.
 */
void
ub_progress_log(UbProgress *self, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	g_return_if_fail(UB_IS_PROGRESS(self));
	va_start(args, fmt);
	msg = g_strdup_vprintf(fmt, args);
	va_end(args);
	g_debug("%s", msg);
	g_signal_emit(ub_progress_get_root(self), signals[SIGNAL_LOG], 0, msg);
}

static void
ub_progress_finalize(GObject *object)
{
	UbProgress *self = UB_PROGRESS(object);
	if (self->child != NULL) {
		self->child->parent = NULL;
		g_object_unref(self->child);
	}
	g_array_unref(self->steps);
	g_free(self->step_name);
	G_OBJECT_CLASS(ub_progress_parent_class)->finalize(object);
}

static void
ub_progress_init(UbProgress *self)
{
	self->steps = g_array_new(FALSE, TRUE, sizeof(UbProgressStep));
	g_array_set_clear_func(self->steps, (GDestroyNotify)ub_progress_step_free);
	self->cancelable = TRUE;
}

static void
ub_progress_class_init(UbProgressClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_progress_finalize;
	/**
	 * UbProgress::changed:
	 *
	 * Emitted on the root, in the thread that made the change.
	 */
	signals[SIGNAL_CHANGED] = g_signal_new("changed",
					       G_TYPE_FROM_CLASS(klass),
					       G_SIGNAL_RUN_LAST,
					       0,
					       NULL,
					       NULL,
					       NULL,
					       G_TYPE_NONE,
					       0);
	/**
	 * UbProgress::log:
	 *
	 * Emitted on the root, in the thread that logged.
	 */
	signals[SIGNAL_LOG] = g_signal_new("log",
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
 * ub_progress_new:
 *
 * Returns: (transfer full): a root progress
 */
UbProgress *
ub_progress_new(void)
{
	return g_object_new(UB_TYPE_PROGRESS, NULL);
}
