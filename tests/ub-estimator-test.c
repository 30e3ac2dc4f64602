/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

static void
ub_estimator_rate_func(void)
{
	g_autoptr(UbEstimator) est = ub_estimator_new();
	g_assert_cmpfloat(ub_estimator_get_rate(est), ==, 0.0);
	g_assert_cmpint(ub_estimator_get_eta_seconds(est), ==, -1);
	/* 10 MB/s in virtual time */
	for (gint i = 0; i <= 10; i++)
		ub_estimator_add_sample(est, i * G_USEC_PER_SEC / 10, (guint64)i * 1000000, 100000000);
	g_assert_cmpfloat_with_epsilon(ub_estimator_get_rate(est), 10e6, 1.0);
	g_assert_cmpint(ub_estimator_get_eta_seconds(est), ==, 9);
}

static void
ub_estimator_window_func(void)
{
	g_autoptr(UbEstimator) est = ub_estimator_new();
	/* fast for 10 s, then a stall: the rate falls instead of staying frozen */
	for (gint i = 0; i <= 100; i++)
		ub_estimator_add_sample(est, i * G_USEC_PER_SEC / 10, (guint64)i * 1000000, 1000000000);
	g_assert_cmpfloat_with_epsilon(ub_estimator_get_rate(est), 10e6, 1.0);
	for (gint i = 101; i <= 200; i++)
		ub_estimator_add_sample(est, i * G_USEC_PER_SEC / 10, 100000000, 1000000000);
	g_assert_cmpfloat(ub_estimator_get_rate(est), <, 1e6);
	g_assert_cmpint(ub_estimator_get_eta_seconds(est), ==, -1);
}

static void
ub_estimator_restart_func(void)
{
	g_autoptr(UbEstimator) est = ub_estimator_new();
	ub_estimator_add_sample(est, 0, 0, 100);
	ub_estimator_add_sample(est, G_USEC_PER_SEC, 50, 100);
	g_assert_cmpint(ub_estimator_get_eta_seconds(est), ==, 1);
	/* fewer bytes than before: a new transfer, old samples dropped */
	ub_estimator_add_sample(est, 2 * G_USEC_PER_SEC, 10, 100);
	g_assert_cmpfloat(ub_estimator_get_rate(est), ==, 0.0);
	ub_estimator_add_sample(est, 3 * G_USEC_PER_SEC, 100, 100);
	g_assert_cmpint(ub_estimator_get_eta_seconds(est), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/estimator/rate", ub_estimator_rate_func);
	g_test_add_func("/ub/core/estimator/window", ub_estimator_window_func);
	g_test_add_func("/ub/core/estimator/restart", ub_estimator_restart_func);
	return g_test_run();
}
