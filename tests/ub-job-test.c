/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-test-device.h"

typedef struct {
	GMainLoop *loop;
	GAsyncResult *res;
	GThread *main_thread;
	guint notify_wrong_thread;
	guint notify_fraction;
	GPtrArray *logs;
	gdouble last_fraction;
	gboolean fraction_went_back;
	gint64 cancelled_at;
	gint64 finished_at;
	GCancellable *cancellable;
} UbJobHelper;

static void
ub_job_helper_clear(UbJobHelper *h)
{
	g_clear_pointer(&h->loop, g_main_loop_unref);
	g_clear_object(&h->res);
	g_clear_pointer(&h->logs, g_ptr_array_unref);
	g_clear_object(&h->cancellable);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UbJobHelper, ub_job_helper_clear)

static void
ub_job_notify_cb(GObject *obj, GParamSpec *pspec, UbJobHelper *h)
{
	if (g_thread_self() != h->main_thread)
		h->notify_wrong_thread++;
	if (g_strcmp0(pspec->name, "fraction") == 0) {
		gdouble f = ub_job_get_fraction(UB_JOB(obj));
		h->notify_fraction++;
		if (f + 1e-9 < h->last_fraction)
			h->fraction_went_back = TRUE;
		h->last_fraction = f;
	}
}

static void
ub_job_log_cb(UbJob *job, const gchar *msg, UbJobHelper *h)
{
	if (g_thread_self() != h->main_thread)
		h->notify_wrong_thread++;
	g_ptr_array_add(h->logs, g_strdup(msg));
}

static void
ub_job_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbJobHelper *h = user_data;
	h->finished_at = g_get_monotonic_time();
	h->res = g_object_ref(res);
	g_main_loop_quit(h->loop);
}

static gboolean
ub_job_cancel_timeout_cb(gpointer user_data)
{
	UbJobHelper *h = user_data;
	h->cancelled_at = g_get_monotonic_time();
	g_cancellable_cancel(h->cancellable);
	return G_SOURCE_REMOVE;
}

static gchar *
ub_job_make_image(const gchar *dir, gsize size)
{
	gchar *path = g_build_filename(dir, "image.bin", NULL);
	g_autofree guint8 *buf = g_malloc(size);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(i ^ (i >> 8));
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, NULL));
	return path;
}

static void
ub_job_helper_init(UbJobHelper *h, UbJob *job)
{
	h->loop = g_main_loop_new(NULL, FALSE);
	h->main_thread = g_thread_self();
	h->logs = g_ptr_array_new_with_free_func(g_free);
	g_signal_connect(job, "notify", G_CALLBACK(ub_job_notify_cb), h);
	g_signal_connect(job, "log-message", G_CALLBACK(ub_job_log_cb), h);
}

static void
ub_job_marshal_func(void)
{
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-job-XXXXXX", NULL);
	g_autofree gchar *img = ub_job_make_image(tmpdir, 8 * 1024 * 1024);
	g_autoptr(UbTestDevice) device = ub_test_device_new();
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(UbJob) job = NULL;
	g_auto(UbJobHelper) h = {0};
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();
	gdouble seconds;

	ub_test_device_add_partition(device, "system_a", 8 * 1024 * 1024, 0);
	/* 128 chunks of 64 KiB, 4 ms each: about half a second of engine time */
	ub_test_device_set_chunk_delay(device, 4000);
	ub_plan_add_write(plan, "system_a", img);
	ub_plan_set_verify(plan, TRUE);
	job = ub_job_new(UB_DEVICE(device), plan);
	ub_job_helper_init(&h, job);
	ub_job_run_async(job, NULL, ub_job_done_cb, &h);
	g_main_loop_run(h.loop);
	seconds = (g_get_monotonic_time() - start) / (gdouble)G_USEC_PER_SEC;

	g_assert_true(ub_job_run_finish(job, h.res, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_job_get_state(job), ==, UB_JOB_STATE_SUCCEEDED);
	/* every signal arrived on this thread */
	g_assert_cmpuint(h.notify_wrong_thread, ==, 0);
	/* final state delivered before the callback */
	g_assert_cmpfloat_with_epsilon(ub_job_get_fraction(job), 1.0, 1e-6);
	g_assert_cmpuint(ub_job_get_bytes_done(job), ==, 2 * 8 * 1024 * 1024);
	g_assert_false(h.fraction_went_back);
	/* coalesced: ~10 updates a second, not one per chunk (256 chunk reports) */
	g_test_message("%u updates in %.2f s", ub_job_get_update_count(job), seconds);
	g_assert_cmpuint(ub_job_get_update_count(job), <=, (guint)(seconds * 10) + 3);
	g_assert_cmpuint(h.notify_fraction, >=, 2);
	g_assert_cmpfloat(ub_job_get_rate(job), >, 0.0);
	/* log lines from the engine and executor arrived in order */
	g_assert_cmpuint(h.logs->len, >=, 3);
	g_assert_nonnull(strstr(g_ptr_array_index(h.logs, 0), "TEST0001"));
	g_assert_true(g_str_has_prefix(g_ptr_array_index(h.logs, 1), "wrote system_a"));
	g_assert_true(g_str_has_prefix(g_ptr_array_index(h.logs, 2), "verified system_a"));
	g_assert_cmpint(g_unlink(img), ==, 0);
	g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
}

static void
ub_job_cancel_func(void)
{
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-job-XXXXXX", NULL);
	g_autofree gchar *img = ub_job_make_image(tmpdir, 32 * 1024 * 1024);
	g_autoptr(UbTestDevice) device = ub_test_device_new();
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(UbJob) job = NULL;
	g_auto(UbJobHelper) h = {0};
	g_autoptr(GError) error = NULL;

	ub_test_device_add_partition(device, "system_a", 32 * 1024 * 1024, 0);
	/* 512 chunks of 20 ms: 10 s if nobody cancels */
	ub_test_device_set_chunk_delay(device, 20000);
	ub_plan_add_write(plan, "system_a", img);
	job = ub_job_new(UB_DEVICE(device), plan);
	ub_job_helper_init(&h, job);
	h.cancellable = g_cancellable_new();
	g_timeout_add(300, ub_job_cancel_timeout_cb, &h);
	ub_job_run_async(job, h.cancellable, ub_job_done_cb, &h);
	g_main_loop_run(h.loop);

	g_assert_false(ub_job_run_finish(job, h.res, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	/* "cancelled", nothing else */
	g_assert_cmpstr(error->message, ==, "cancelled");
	g_assert_cmpint(ub_job_get_state(job), ==, UB_JOB_STATE_CANCELLED);
	g_assert_cmpint(h.cancelled_at, >, 0);
	g_test_message("cancelled after %" G_GINT64_FORMAT " ms",
		       (h.finished_at - h.cancelled_at) / 1000);
	g_assert_cmpint(h.finished_at - h.cancelled_at, <, G_USEC_PER_SEC);
	/* it was really mid-transfer */
	g_assert_cmpuint(ub_job_get_bytes_done(job), >, 0);
	g_assert_cmpuint(ub_job_get_bytes_done(job), <, 32 * 1024 * 1024);
	g_assert_cmpint(g_unlink(img), ==, 0);
	g_assert_cmpint(g_rmdir(tmpdir), ==, 0);
}

static void
ub_job_failure_func(void)
{
	g_autoptr(UbTestDevice) device = ub_test_device_new();
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(UbJob) job = NULL;
	g_autoptr(GError) error = NULL;
	ub_test_device_add_partition(device, "persist", 4096, 0);
	ub_plan_add_erase(plan, "persist");
	job = ub_job_new(UB_DEVICE(device), plan);
	g_assert_false(ub_job_run_sync(job, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_cmpint(ub_job_get_state(job), ==, UB_JOB_STATE_FAILED);
	g_assert_cmpuint(ub_test_device_get_erases(device), ==, 0);
}

static void
ub_job_strings_func(void)
{
	for (guint i = 0; i < UB_JOB_STATE_LAST; i++)
		g_assert_cmpstr(ub_job_state_to_string(i), !=, "unknown");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/job/marshal", ub_job_marshal_func);
	g_test_add_func("/ub/core/job/cancel", ub_job_cancel_func);
	g_test_add_func("/ub/core/job/failure", ub_job_failure_func);
	g_test_add_func("/ub/core/job/strings", ub_job_strings_func);
	return g_test_run();
}
