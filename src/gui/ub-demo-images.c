/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-demo-images.h"

#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"

/* the package `unbrick-cli demo` flashes: a small MiFlash-style fastboot ROM
 * written in a thread (megabytes are too many to fill on the main loop) into
 * the same cache folder, opened as any package, its keep-data plan */

static void
ub_demo_images_thread_cb(GTask *task,
			 gpointer source_object,
			 gpointer task_data,
			 GCancellable *cancellable)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autofree gchar *dir = ub_demo_package_get_dir();
	UbPackagePlanOptions options = {.verify = TRUE};

	if (!ub_demo_package_write(dir, NULL, &error) ||
	    g_cancellable_set_error_if_cancelled(cancellable, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	package = ub_package_open(dir, NULL, cancellable, &error);
	if (package == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	plan = ub_package_plan_for_mode(package, "keep-data", &options, &error);
	if (plan == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&plan), g_object_unref);
}

/**
 * ub_demo_images_make_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when done
 * @user_data: for @callback
 *
 * Writes the demo fastboot package into the user's cache folder.
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
 * Returns: (transfer full): the demo package's keep-data plan (boot, dtbo and
 *   vbmeta of the current slot, verified), or %NULL
 */
UbPlan *
ub_demo_images_make_finish(GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(res, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(res), error);
}
