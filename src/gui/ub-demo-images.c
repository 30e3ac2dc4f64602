/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>

#include "ub-demo-images.h"

/* the images `unbrick-cli demo` writes, made in a thread (24 MiB are too many
 * to fill on the main loop) in the same cache folder */

#define UB_DEMO_IMAGES_BOOT_SIZE (24 * 1024 * 1024 + 123)
#define UB_DEMO_IMAGES_DTBO_SIZE (2 * 1024 * 1024)

static gboolean
ub_demo_images_make_one(const gchar *path, gsize size, guint8 seed, GError **error)
{
	g_autofree guint8 *buf = g_malloc(size);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)((i * 2654435761u) >> 24) ^ seed;
	if (!g_file_set_contents(path, (const gchar *)buf, size, error)) {
		ub_error_convert(error);
		g_prefix_error(error, "failed to write %s: ", path);
		return FALSE;
	}
	return TRUE;
}

static void
ub_demo_images_thread_cb(GTask *task,
			 gpointer source_object,
			 gpointer task_data,
			 GCancellable *cancellable)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autofree gchar *dir = g_build_filename(g_get_user_cache_dir(), "unbrick", "demo", NULL);
	g_autofree gchar *boot = g_build_filename(dir, "boot.img", NULL);
	g_autofree gchar *dtbo = g_build_filename(dir, "dtbo.img", NULL);

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_task_return_new_error(task,
					UB_ERROR,
					UB_ERROR_IO,
					"cannot create %s: %s",
					dir,
					g_strerror(errno));
		return;
	}
	if (!ub_demo_images_make_one(boot, UB_DEMO_IMAGES_BOOT_SIZE, 0x42, &error) ||
	    g_cancellable_set_error_if_cancelled(cancellable, &error) ||
	    !ub_demo_images_make_one(dtbo, UB_DEMO_IMAGES_DTBO_SIZE, 0x17, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ub_plan_add_write(plan, "boot_a", boot);
	ub_plan_add_write(plan, "dtbo_a", dtbo);
	ub_plan_set_verify(plan, TRUE);
	g_task_return_pointer(task, g_steal_pointer(&plan), g_object_unref);
}

/**
 * ub_demo_images_make_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when done
 * @user_data: for @callback
 *
 * Writes the demo's boot and dtbo images into the user's cache folder.
 */
void
ub_demo_images_make_async(GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, ub_demo_images_make_async);
	g_task_run_in_thread(task, ub_demo_images_thread_cb);
}

/**
 * ub_demo_images_make_finish:
 * @res: the result
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): a download plan writing the images to boot_a and
 *   dtbo_a with verification, or %NULL
 */
UbPlan *
ub_demo_images_make_finish(GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(res), error);
}
