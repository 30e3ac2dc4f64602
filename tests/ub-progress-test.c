/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

static void
ub_progress_changed_cb(UbProgress *progress, guint *count)
{
	(*count)++;
}

static void
ub_progress_log_cb(UbProgress *progress, const gchar *msg, GPtrArray *lines)
{
	g_ptr_array_add(lines, g_strdup(msg));
}

static void
ub_progress_weighted_func(void)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	UbProgress *child;
	guint changed = 0;

	g_signal_connect(progress, "changed", G_CALLBACK(ub_progress_changed_cb), &changed);
	ub_progress_add_step(progress, UB_STATUS_CONNECTING, 10, NULL);
	ub_progress_add_step(progress, UB_STATUS_WRITING, 90, "boot_a");
	g_assert_cmpint(ub_progress_get_status(progress), ==, UB_STATUS_CONNECTING);
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 0.0, 1e-9);

	ub_progress_step_done(progress);
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 0.1, 1e-9);
	g_assert_cmpint(ub_progress_get_status(progress), ==, UB_STATUS_WRITING);
	g_assert_cmpstr(ub_progress_get_step_name(progress), ==, "boot_a");

	/* half of the 90 % step */
	child = ub_progress_get_child(progress);
	ub_progress_set_bytes(child, 512, 1024);
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 0.55, 1e-9);
	g_assert_cmpuint(ub_progress_get_bytes_done(progress), ==, 512);
	ub_progress_set_bytes(child, 1024, 1024);
	g_assert_cmpuint(ub_progress_get_bytes_done(progress), ==, 1024);
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 1.0, 1e-9);

	ub_progress_step_done(progress);
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 1.0, 1e-9);
	/* one signal per change, all on the root */
	g_assert_cmpuint(changed, ==, 4);
}

static void
ub_progress_nested_func(void)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	UbProgress *child;
	UbProgress *grandchild;

	ub_progress_set_steps(progress, 4);
	ub_progress_step_done(progress);
	child = ub_progress_get_child(progress);
	ub_progress_add_step(child, UB_STATUS_ERASING, 1, "userdata");
	ub_progress_add_step(child, UB_STATUS_WRITING, 3, "userdata");
	g_assert_cmpint(ub_progress_get_status(progress), ==, UB_STATUS_ERASING);
	ub_progress_step_done(child);
	grandchild = ub_progress_get_child(child);
	ub_progress_set_fraction(grandchild, 0.5);
	/* 1/4 + 1/4 * (1/4 + 3/4 * 1/2) */
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress),
				       0.25 + 0.25 * (0.25 + 0.375),
				       1e-9);
	ub_progress_finished(child);
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 0.5, 1e-9);
	ub_progress_finished(progress);
	g_assert_cmpfloat_with_epsilon(ub_progress_get_fraction(progress), 1.0, 1e-9);
}

static void
ub_progress_bytes_across_children_func(void)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	ub_progress_set_steps(progress, 2);
	ub_progress_set_bytes_total(progress, 3000);
	ub_progress_set_bytes(ub_progress_get_child(progress), 1000, 1000);
	ub_progress_step_done(progress);
	ub_progress_set_bytes(ub_progress_get_child(progress), 500, 2000);
	ub_progress_set_bytes(ub_progress_get_child(progress), 0, 2000); /* a new child starts at 0 */
	ub_progress_set_bytes(ub_progress_get_child(progress), 2000, 2000);
	/* a fresh child for a retried step counts its bytes again only beyond
	 * what it had: 1000 + 500 + 2000 */
	g_assert_cmpuint(ub_progress_get_bytes_done(progress), ==, 3500);
	g_assert_cmpuint(ub_progress_get_bytes_total(progress), ==, 3000);
}

static void
ub_progress_log_func(void)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	UbProgress *child;
	g_signal_connect(progress, "log", G_CALLBACK(ub_progress_log_cb), lines);
	ub_progress_set_steps(progress, 1);
	child = ub_progress_get_child(progress);
	ub_progress_log(child, "INFO %s", "erasing");
	g_assert_cmpuint(lines->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(lines, 0), ==, "INFO erasing");
}

static void
ub_progress_cancelable_func(void)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	UbProgress *child;
	g_assert_true(ub_progress_get_cancelable(progress));
	ub_progress_set_steps(progress, 1);
	child = ub_progress_get_child(progress);
	ub_progress_set_cancelable(child, FALSE);
	g_assert_false(ub_progress_get_cancelable(progress));
	ub_progress_set_cancelable(child, TRUE);
	g_assert_true(ub_progress_get_cancelable(progress));
}

static void
ub_progress_status_strings_func(void)
{
	for (guint i = 0; i < UB_STATUS_LAST; i++)
		g_assert_cmpstr(ub_status_to_string(i), !=, "unknown");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/progress/weighted", ub_progress_weighted_func);
	g_test_add_func("/ub/core/progress/nested", ub_progress_nested_func);
	g_test_add_func("/ub/core/progress/bytes", ub_progress_bytes_across_children_func);
	g_test_add_func("/ub/core/progress/log", ub_progress_log_func);
	g_test_add_func("/ub/core/progress/cancelable", ub_progress_cancelable_func);
	g_test_add_func("/ub/core/progress/status-strings", ub_progress_status_strings_func);
	return g_test_run();
}
