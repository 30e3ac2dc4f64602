/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-estimator.h"

/*
 * Rate and time left from (time, bytes) samples over a sliding window, so a
 * stall shows as a falling rate instead of a frozen one. Time is passed in,
 * never read here, so tests run in virtual time.
 */

#define UB_ESTIMATOR_WINDOW_US (5 * G_USEC_PER_SEC)
#define UB_ESTIMATOR_MAX_SAMPLES 64

typedef struct {
	gint64 time_us;
	guint64 bytes;
} UbEstimatorSample;

struct _UbEstimator {
	GObject parent_instance;
	UbEstimatorSample samples[UB_ESTIMATOR_MAX_SAMPLES];
	guint n_samples;
	guint64 bytes_total;
};

G_DEFINE_TYPE(UbEstimator, ub_estimator, G_TYPE_OBJECT)

/**
 * ub_estimator_add_sample:
 * @self: a #UbEstimator
 * @time_us: monotonic time of the sample
 * @bytes_done: bytes done so far
 * @bytes_total: bytes to do in all
 *
 * Adds a sample; samples older than the window are dropped. A sample with fewer
 * bytes than the last (a new transfer) starts over.
 */
void
ub_estimator_add_sample(UbEstimator *self, gint64 time_us, guint64 bytes_done, guint64 bytes_total)
{
	guint first = 0;
	g_return_if_fail(UB_IS_ESTIMATOR(self));
	if (self->n_samples > 0) {
		UbEstimatorSample *last = &self->samples[self->n_samples - 1];
		if (bytes_done < last->bytes || time_us < last->time_us)
			self->n_samples = 0;
	}
	self->bytes_total = bytes_total;
	/* keep the window, always keeping at least one older sample */
	while (first + 1 < self->n_samples &&
	       time_us - self->samples[first + 1].time_us >= UB_ESTIMATOR_WINDOW_US)
		first++;
	if (self->n_samples - first >= UB_ESTIMATOR_MAX_SAMPLES)
		first++;
	if (first > 0) {
		memmove(self->samples,
			self->samples + first,
			(self->n_samples - first) * sizeof(UbEstimatorSample));
		self->n_samples -= first;
	}
	self->samples[self->n_samples].time_us = time_us;
	self->samples[self->n_samples].bytes = bytes_done;
	self->n_samples++;
}

/**
 * ub_estimator_get_rate:
 * @self: a #UbEstimator
 *
 * Returns: bytes per second over the window, or 0 if unknown
 */
gdouble
ub_estimator_get_rate(UbEstimator *self)
{
	UbEstimatorSample *a;
	UbEstimatorSample *b;
	g_return_val_if_fail(UB_IS_ESTIMATOR(self), 0.0);
	if (self->n_samples < 2)
		return 0.0;
	a = &self->samples[0];
	b = &self->samples[self->n_samples - 1];
	if (b->time_us <= a->time_us)
		return 0.0;
	return (gdouble)(b->bytes - a->bytes) * G_USEC_PER_SEC / (gdouble)(b->time_us - a->time_us);
}

/**
 * ub_estimator_get_eta_seconds:
 * @self: a #UbEstimator
 *
 * Returns: seconds left, or -1 if unknown
 */
gint64
ub_estimator_get_eta_seconds(UbEstimator *self)
{
	gdouble rate;
	guint64 done;
	g_return_val_if_fail(UB_IS_ESTIMATOR(self), -1);
	rate = ub_estimator_get_rate(self);
	if (rate <= 0.0 || self->n_samples == 0)
		return -1;
	done = self->samples[self->n_samples - 1].bytes;
	if (done >= self->bytes_total)
		return 0;
	return (gint64)((gdouble)(self->bytes_total - done) / rate + 0.5);
}

void
ub_estimator_reset(UbEstimator *self)
{
	g_return_if_fail(UB_IS_ESTIMATOR(self));
	self->n_samples = 0;
}

static void
ub_estimator_init(UbEstimator *self)
{
}

static void
ub_estimator_class_init(UbEstimatorClass *klass)
{
}

UbEstimator *
ub_estimator_new(void)
{
	return g_object_new(UB_TYPE_ESTIMATOR, NULL);
}
