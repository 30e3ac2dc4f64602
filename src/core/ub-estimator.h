/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define UB_TYPE_ESTIMATOR (ub_estimator_get_type())
G_DECLARE_FINAL_TYPE(UbEstimator, ub_estimator, UB, ESTIMATOR, GObject)

UbEstimator *
ub_estimator_new(void);
void
ub_estimator_add_sample(UbEstimator *self, gint64 time_us, guint64 bytes_done, guint64 bytes_total);
gdouble
ub_estimator_get_rate(UbEstimator *self);
gint64
ub_estimator_get_eta_seconds(UbEstimator *self);
void
ub_estimator_reset(UbEstimator *self);

G_END_DECLS
