/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-demo-images.h"
#include "ub-device-monitor.h"
#include "ub-device-row.h"
#include "ub-device-spec.h"
#include "ub-device-view.h"
#include "ub-gui-utils.h"
#include "ub-job-view.h"
#include "ub-sim-open.h"
#include "ub-window.h"

/**
 * UbWindow:
 *
 * The main window: phones on the left (USB phones from the #UbDeviceMonitor
 * and simulated phones), the selected phone on the right (#UbDeviceView) with
 * its job and log (#UbJobView).
 *
 * Work on a phone is a chain of async steps (open, identify job, make images,
 * download job) between ub_window_begin_work() and ub_window_end_work(), with
 * one #GCancellable owned by the row. Every callback here runs on the main
 * context: the monitor and #UbJob emit there, and GTask returns there.
 */

#define UB_WINDOW_OPEN_TIMEOUT_MS 3000

struct _UbWindow {
	GtkApplicationWindow parent_instance;
	GtkHeaderBar *header_bar;
	GtkListBox *device_list;
	GtkStack *main_stack;
	UbDeviceView *device_view;
	UbJobView *job_view;

	UbDeviceMonitor *monitor;
	guint busy_count;
	guint inhibit_cookie;
	gboolean close_pending;
};

G_DEFINE_TYPE(UbWindow, ub_window, GTK_TYPE_APPLICATION_WINDOW)

static UbDeviceRow *
ub_window_get_selected_row(UbWindow *self)
{
	GtkListBoxRow *row = gtk_list_box_get_selected_row(self->device_list);
	return row != NULL ? UB_DEVICE_ROW(row) : NULL;
}

static void
ub_window_set_action_enabled(UbWindow *self, const gchar *name, gboolean enabled)
{
	GAction *action = g_action_map_lookup_action(G_ACTION_MAP(self), name);
	g_simple_action_set_enabled(G_SIMPLE_ACTION(action), enabled);
}

static void
ub_window_update_actions(UbWindow *self)
{
	UbDeviceRow *row = ub_window_get_selected_row(self);
	UbDevice *device = row != NULL ? ub_device_row_get_device(row) : NULL;
	UbJob *job = row != NULL ? ub_device_row_get_job(row) : NULL;
	gboolean busy = row != NULL && ub_device_row_get_busy(row);
	gboolean idle =
	    row != NULL && !busy && !ub_device_row_get_gone(row) && !self->close_pending;
	gboolean cancelable =
	    job == NULL || ub_job_get_state(job) != UB_JOB_STATE_RUNNING || ub_job_get_cancelable(job);

	ub_window_set_action_enabled(self, "identify", idle);
	ub_window_set_action_enabled(self,
				     "flash-demo",
				     idle && device != NULL && ub_device_get_simulated(device));
	ub_window_set_action_enabled(self, "stop", busy && cancelable);
}

static void
ub_window_show_row(UbWindow *self, UbDeviceRow *row)
{
	if (row == NULL) {
		gtk_stack_set_visible_child_name(self->main_stack, "empty");
		gtk_header_bar_set_subtitle(self->header_bar, NULL);
		ub_job_view_set_job(self->job_view, NULL);
		ub_job_view_set_log(self->job_view, NULL);
		ub_window_update_actions(self);
		return;
	}
	ub_device_view_set_device(self->device_view,
				  ub_device_row_get_device(row),
				  ub_device_row_get_info(row),
				  ub_device_row_get_title(row),
				  ub_device_row_get_subtitle(row));
	ub_job_view_set_job(self->job_view, ub_device_row_get_job(row));
	ub_job_view_set_log(self->job_view, ub_device_row_get_log(row));
	gtk_header_bar_set_subtitle(self->header_bar, ub_device_row_get_title(row));
	gtk_stack_set_visible_child_name(self->main_stack, "device");
	ub_window_update_actions(self);
}

static void
ub_window_refresh_row(UbWindow *self, UbDeviceRow *row)
{
	ub_device_row_refresh(row);
	if (row == ub_window_get_selected_row(self))
		ub_window_show_row(self, row);
}

static void
ub_window_device_list_row_selected_cb(GtkListBox *list, GtkListBoxRow *row, UbWindow *self)
{
	ub_window_show_row(self, row != NULL ? UB_DEVICE_ROW(row) : NULL);
}

static void
ub_window_remove_row(UbWindow *self, UbDeviceRow *row)
{
	gboolean was_selected = row == ub_window_get_selected_row(self);
	gtk_widget_destroy(GTK_WIDGET(row));
	if (was_selected) {
		GtkListBoxRow *first = gtk_list_box_get_row_at_index(self->device_list, 0);
		gtk_list_box_select_row(self->device_list, first);
		ub_window_show_row(self, first != NULL ? UB_DEVICE_ROW(first) : NULL);
	}
}

/* work: begin, end, and one job */

static GCancellable *
ub_window_begin_work(UbWindow *self, UbDeviceRow *row)
{
	GCancellable *cancellable = ub_device_row_begin_work(row);
	if (self->busy_count++ == 0) {
		GtkApplication *app = gtk_window_get_application(GTK_WINDOW(self));
		if (app != NULL) {
			self->inhibit_cookie = gtk_application_inhibit(
			    app,
			    GTK_WINDOW(self),
			    GTK_APPLICATION_INHIBIT_SUSPEND | GTK_APPLICATION_INHIBIT_LOGOUT,
			    /* TRANSLATORS: why the session must not suspend or log out */
			    _("A phone is being flashed; interrupting could leave it unusable"));
		}
	}
	ub_window_update_actions(self);
	return cancellable;
}

static gboolean
ub_window_close_idle_cb(gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	gtk_widget_destroy(GTK_WIDGET(self));
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

static void
ub_window_end_work(UbWindow *self, UbDeviceRow *row, const GError *error)
{
	if (error != NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		ub_device_row_log(row, "%s", _("Stopped."));
	else if (error != NULL)
		/* TRANSLATORS: the technical error follows */
		ub_device_row_log(row, _("Failed: %s"), error->message);
	ub_device_row_end_work(row);
	g_return_if_fail(self->busy_count > 0);
	if (--self->busy_count == 0 && self->inhibit_cookie != 0) {
		GtkApplication *app = gtk_window_get_application(GTK_WINDOW(self));
		if (app != NULL)
			gtk_application_uninhibit(app, self->inhibit_cookie);
		self->inhibit_cookie = 0;
	}
	if (ub_device_row_get_gone(row))
		ub_window_remove_row(self, row);
	else
		ub_window_refresh_row(self, row);
	ub_window_update_actions(self);
	if (self->close_pending && self->busy_count == 0)
		g_idle_add(ub_window_close_idle_cb, g_object_ref(self));
}

static void
ub_window_job_notify_cancelable_cb(UbJob *job, GParamSpec *pspec, UbWindow *self)
{
	ub_window_update_actions(self);
}

static void
ub_window_job_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbJob *job = UB_JOB(source);
	g_autoptr(GTask) task = G_TASK(user_data);
	UbWindow *self = g_task_get_source_object(task);
	UbDeviceRow *row = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!ub_job_run_finish(job, res, &error)) {
		ub_window_refresh_row(self, row);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ub_window_refresh_row(self, row);
	g_task_return_boolean(task, TRUE);
}

/* runs @plan on the phone of @row as a UbJob shown in the job view */
static void
ub_window_run_job_async(UbWindow *self,
			UbDeviceRow *row,
			UbPlan *plan,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data)
{
	g_autoptr(UbJob) job = ub_job_new(ub_device_row_get_device(row), plan);
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, ub_window_run_job_async);
	g_task_set_task_data(task, g_object_ref(row), g_object_unref);
	ub_device_row_set_job(row, job);
	g_signal_connect_object(job,
				"notify::cancelable",
				G_CALLBACK(ub_window_job_notify_cancelable_cb),
				self,
				0);
	if (row == ub_window_get_selected_row(self))
		ub_job_view_set_job(self->job_view, job);
	ub_window_update_actions(self);
	ub_job_run_async(job, cancellable, ub_window_job_done_cb, task);
}

static gboolean
ub_window_run_job_finish(UbWindow *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

/* identify: open a USB phone in a thread if needed, then an identify job */

static void
ub_window_open_thread_cb(GTask *task,
			 gpointer source_object,
			 gpointer task_data,
			 GCancellable *cancellable)
{
	UbUsbDeviceInfo *info = UB_USB_DEVICE_INFO(task_data);
	UbDeviceSpec spec = {0};
	UbDevice *device;
	GError *error = NULL;

	if (ub_usb_device_info_get_port_path(info) == NULL) {
		g_task_return_new_error(task,
					UB_ERROR,
					UB_ERROR_NOT_FOUND,
					"the USB device %s has no port path",
					ub_usb_device_info_get_id(info));
		return;
	}
	spec.kind = UB_DEVICE_SPEC_KIND_USB_PATH;
	spec.path = (gchar *)ub_usb_device_info_get_port_path(info);
	device = ub_device_spec_open(&spec, UB_WINDOW_OPEN_TIMEOUT_MS, cancellable, &error);
	if (device == NULL) {
		g_task_return_error(task, error);
		return;
	}
	g_task_return_pointer(task, device, g_object_unref);
}

static void
ub_window_identify_job_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	g_autoptr(GError) error = NULL;
	if (!ub_window_run_job_finish(UB_WINDOW(source), res, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

static void
ub_window_identify_run(GTask *task)
{
	UbWindow *self = g_task_get_source_object(task);
	UbDeviceRow *row = g_task_get_task_data(task);
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	ub_window_run_job_async(self,
				row,
				plan,
				g_task_get_cancellable(task),
				ub_window_identify_job_done_cb,
				task);
}

static void
ub_window_identify_open_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	UbWindow *self = g_task_get_source_object(task);
	UbDeviceRow *row = g_task_get_task_data(task);
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(GError) error = NULL;

	device = g_task_propagate_pointer(G_TASK(res), &error);
	if (device == NULL) {
		g_prefix_error(&error, "failed to open the phone: ");
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ub_device_row_set_device(row, device);
	ub_window_refresh_row(self, row);
	ub_window_identify_run(g_steal_pointer(&task));
}

static void
ub_window_identify_async(UbWindow *self,
			 UbDeviceRow *row,
			 GCancellable *cancellable,
			 GAsyncReadyCallback callback,
			 gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, ub_window_identify_async);
	g_task_set_task_data(task, g_object_ref(row), g_object_unref);

	if (ub_device_row_get_device(row) == NULL) {
		UbUsbDeviceInfo *info = ub_device_row_get_info(row);
		g_autoptr(GTask) open_task =
		    g_task_new(self, cancellable, ub_window_identify_open_cb, task);
		g_task_set_task_data(open_task, g_object_ref(info), g_object_unref);
		/* TRANSLATORS: %s is a USB port such as 1-4.2 */
		ub_device_row_log(row,
				  _("Opening the phone on USB %s"),
				  ub_usb_device_info_get_port_path(info) != NULL
				      ? ub_usb_device_info_get_port_path(info)
				      : "?");
		g_task_run_in_thread(open_task, ub_window_open_thread_cb);
		return;
	}
	ub_window_identify_run(task);
}

static gboolean
ub_window_identify_finish(UbWindow *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

/* flash the demo images: identify if not done, make images, download job */

static void
ub_window_flash_demo_job_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	UbDeviceRow *row = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	if (!ub_window_run_job_finish(UB_WINDOW(source), res, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ub_device_row_log(row, "%s", _("The demo package was flashed and verified."));
	g_task_return_boolean(task, TRUE);
}

static void
ub_window_flash_demo_images_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	UbWindow *self = g_task_get_source_object(task);
	UbDeviceRow *row = g_task_get_task_data(task);
	GCancellable *cancellable = g_task_get_cancellable(task);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GError) error = NULL;

	plan = ub_demo_images_make_finish(res, &error);
	if (plan == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ub_device_row_log(row, "%s", _("Flashing the demo package (keep user data), then verifying it"));
	ub_window_run_job_async(self,
				row,
				plan,
				cancellable,
				ub_window_flash_demo_job_done_cb,
				g_steal_pointer(&task));
}

static void
ub_window_flash_demo_make_images(GTask *task)
{
	UbDeviceRow *row = g_task_get_task_data(task);
	ub_device_row_log(row, "%s", _("Generating the demo images"));
	ub_demo_images_make_async(g_task_get_cancellable(task),
				  ub_window_flash_demo_images_cb,
				  task);
}

static void
ub_window_flash_demo_identify_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	g_autoptr(GError) error = NULL;
	if (!ub_window_identify_finish(UB_WINDOW(source), res, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ub_window_flash_demo_make_images(g_steal_pointer(&task));
}

static void
ub_window_flash_demo_async(UbWindow *self,
			   UbDeviceRow *row,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	UbDevice *device = ub_device_row_get_device(row);
	g_autoptr(GPtrArray) parts = NULL;

	g_task_set_source_tag(task, ub_window_flash_demo_async);
	g_task_set_task_data(task, g_object_ref(row), g_object_unref);
	if (device == NULL || !ub_device_get_simulated(device)) {
		g_task_return_new_error(task,
					UB_ERROR,
					UB_ERROR_NOT_SUPPORTED,
					"the demo images are only for simulated phones");
		g_object_unref(task);
		return;
	}
	parts = ub_device_get_partitions(device);
	if (parts == NULL || parts->len == 0) {
		ub_device_row_log(row, "%s", _("Identifying the phone"));
		ub_window_identify_async(self,
					 row,
					 cancellable,
					 ub_window_flash_demo_identify_cb,
					 task);
		return;
	}
	ub_window_flash_demo_make_images(task);
}

static gboolean
ub_window_flash_demo_finish(UbWindow *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

/* actions */

static void
ub_window_identify_action_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(source);
	g_autoptr(UbDeviceRow) row = UB_DEVICE_ROW(user_data);
	g_autoptr(GError) error = NULL;

	if (ub_window_identify_finish(self, res, &error))
		ub_device_row_log(row, "%s", _("Identified."));
	ub_window_end_work(self, row, error);
	if (error != NULL && !self->close_pending)
		ub_gui_show_error(GTK_WINDOW(self), _("Could not identify the phone"), error);
}

static void
ub_window_identify_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	UbDeviceRow *row = ub_window_get_selected_row(self);
	GCancellable *cancellable;

	if (row == NULL || ub_device_row_get_busy(row))
		return;
	cancellable = ub_window_begin_work(self, row);
	ub_device_row_log(row, "%s", _("Identifying the phone"));
	ub_window_identify_async(self,
				 row,
				 cancellable,
				 ub_window_identify_action_done_cb,
				 g_object_ref(row));
}

static void
ub_window_flash_demo_action_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(source);
	g_autoptr(UbDeviceRow) row = UB_DEVICE_ROW(user_data);
	g_autoptr(GError) error = NULL;

	ub_window_flash_demo_finish(self, res, &error);
	ub_window_end_work(self, row, error);
	if (error != NULL && !self->close_pending)
		ub_gui_show_error(GTK_WINDOW(self), _("Flashing the demo images failed"), error);
}

static void
ub_window_flash_demo_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	UbDeviceRow *row = ub_window_get_selected_row(self);
	GCancellable *cancellable;

	if (row == NULL || ub_device_row_get_busy(row))
		return;
	cancellable = ub_window_begin_work(self, row);
	ub_window_flash_demo_async(self,
				   row,
				   cancellable,
				   ub_window_flash_demo_action_done_cb,
				   g_object_ref(row));
}

static void
ub_window_stop_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	UbDeviceRow *row = ub_window_get_selected_row(self);
	if (row != NULL)
		ub_device_row_cancel(row);
}

/* simulated phones and the demo */

static UbDeviceRow *
ub_window_add_sim_row(UbWindow *self, GError **error)
{
	g_autoptr(UbDevice) device = ub_sim_open_device("fastboot", NULL, error);
	UbDeviceRow *row;

	if (device == NULL)
		return NULL;
	row = ub_device_row_new_for_device(device);
	gtk_container_add(GTK_CONTAINER(self->device_list), GTK_WIDGET(row));
	gtk_list_box_select_row(self->device_list, GTK_LIST_BOX_ROW(row));
	ub_device_row_log(row, "%s", _("Started a simulated fastboot phone in this program"));
	return row;
}

/**
 * ub_window_add_sim:
 * @self: a #UbWindow
 * @error: (nullable): return location for a #GError
 *
 * Starts a simulated fastboot phone in this process, lists and selects it.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_window_add_sim(UbWindow *self, GError **error)
{
	g_return_val_if_fail(UB_IS_WINDOW(self), FALSE);
	return ub_window_add_sim_row(self, error) != NULL;
}

static void
ub_window_demo_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	UbWindow *self = UB_WINDOW(source);
	UbDeviceRow *row = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (ub_window_flash_demo_finish(self, res, &error))
		ub_device_row_log(row,
				  "%s",
				  _("Demo finished: the simulated phone was found, identified, "
				    "flashed and verified."));
	ub_window_end_work(self, row, error);
	if (error != NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

/**
 * ub_window_run_demo_async:
 * @self: a #UbWindow
 * @callback: called when the demo finished
 * @user_data: for @callback
 *
 * Adds a simulated phone, identifies it and flashes generated images to
 * the demo package (keep user data) with verification, as `unbrick-cli demo` does. Errors are
 * not shown: the caller decides.
 */
void
ub_window_run_demo_async(UbWindow *self, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);
	g_autoptr(GError) error = NULL;
	UbDeviceRow *row;
	GCancellable *cancellable;

	g_return_if_fail(UB_IS_WINDOW(self));
	g_task_set_source_tag(task, ub_window_run_demo_async);
	row = ub_window_add_sim_row(self, &error);
	if (row == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_set_task_data(task, g_object_ref(row), g_object_unref);
	cancellable = ub_window_begin_work(self, row);
	ub_device_row_log(row, "%s", _("Demo: identifying the simulated phone, then flashing it"));
	ub_window_flash_demo_async(self,
				   row,
				   cancellable,
				   ub_window_demo_done_cb,
				   g_steal_pointer(&task));
}

gboolean
ub_window_run_demo_finish(UbWindow *self, GAsyncResult *res, GError **error)
{
	g_return_val_if_fail(UB_IS_WINDOW(self), FALSE);
	g_return_val_if_fail(g_task_is_valid(res, self), FALSE);
	return g_task_propagate_boolean(G_TASK(res), error);
}

/**
 * ub_window_describe:
 * @self: a #UbWindow
 *
 * Returns: (transfer full): one line with what the window shows for the
 *   selected phone, for the smoke test and bug reports
 */
gchar *
ub_window_describe(UbWindow *self)
{
	UbDeviceRow *row;
	g_return_val_if_fail(UB_IS_WINDOW(self), NULL);
	row = ub_window_get_selected_row(self);
	if (row == NULL)
		return g_strdup("no phone selected");
	return g_strdup_printf("phone: %s (%s); job: %s; partitions: %u",
			       ub_device_row_get_title(row),
			       ub_device_row_get_subtitle(row),
			       ub_job_view_get_status_text(self->job_view),
			       ub_device_view_get_partition_count(self->device_view));
}

/* USB phones */

static UbDeviceRow *
ub_window_find_row_for_info(UbWindow *self, UbUsbDeviceInfo *info)
{
	g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(self->device_list));
	for (GList *l = children; l != NULL; l = l->next) {
		UbDeviceRow *row = UB_DEVICE_ROW(l->data);
		UbUsbDeviceInfo *row_info = ub_device_row_get_info(row);
		if (row_info != NULL && (row_info == info || ub_usb_device_info_equal(row_info, info)))
			return row;
	}
	return NULL;
}

static void
ub_window_device_added_cb(UbDeviceMonitor *monitor, UbUsbDeviceInfo *info, UbWindow *self)
{
	UbDeviceRow *row;
	g_autofree gchar *str = ub_usb_device_info_to_string(info);

	g_debug("device added: %s", str);
	if (ub_window_find_row_for_info(self, info) != NULL)
		return;
	row = ub_device_row_new_for_info(info);
	gtk_container_add(GTK_CONTAINER(self->device_list), GTK_WIDGET(row));
	/* TRANSLATORS: e.g. "Found Qualcomm EDL 9008 (USB 1-4.2, 05c6:9008)" */
	ub_device_row_log(row,
			  _("Found %s (%s)"),
			  ub_device_row_get_title(row),
			  ub_device_row_get_subtitle(row));
	if (ub_window_get_selected_row(self) == NULL)
		gtk_list_box_select_row(self->device_list, GTK_LIST_BOX_ROW(row));
}

static void
ub_window_device_removed_cb(UbDeviceMonitor *monitor, UbUsbDeviceInfo *info, UbWindow *self)
{
	UbDeviceRow *row = ub_window_find_row_for_info(self, info);
	if (row == NULL)
		return;
	if (ub_device_row_get_busy(row)) {
		/* the job fails on its own; the row goes when it has */
		ub_device_row_set_gone(row);
		ub_window_refresh_row(self, row);
		return;
	}
	ub_window_remove_row(self, row);
}

static void
ub_window_start_monitor(UbWindow *self)
{
	g_autoptr(GError) error = NULL;
	self->monitor = ub_device_monitor_new();
	g_signal_connect(self->monitor,
			 "device-added",
			 G_CALLBACK(ub_window_device_added_cb),
			 self);
	g_signal_connect(self->monitor,
			 "device-removed",
			 G_CALLBACK(ub_window_device_removed_cb),
			 self);
	if (!ub_device_monitor_start(self->monitor, &error))
		g_warning("USB phones will not be listed: %s", error->message);
}

/* closing */

static gboolean
ub_window_delete_event(GtkWidget *widget, GdkEventAny *event)
{
	UbWindow *self = UB_WINDOW(widget);
	g_autoptr(GList) children = NULL;

	if (self->busy_count == 0)
		return GTK_WIDGET_CLASS(ub_window_parent_class)->delete_event != NULL
			   ? GTK_WIDGET_CLASS(ub_window_parent_class)->delete_event(widget, event)
			   : GDK_EVENT_PROPAGATE;

	/* stop every job first: the engines leave the phones in a safe state,
	 * then ub_window_end_work() closes the window */
	self->close_pending = TRUE;
	children = gtk_container_get_children(GTK_CONTAINER(self->device_list));
	for (GList *l = children; l != NULL; l = l->next)
		ub_device_row_cancel(UB_DEVICE_ROW(l->data));
	gtk_header_bar_set_subtitle(self->header_bar, _("Stopping…"));
	ub_window_update_actions(self);
	return GDK_EVENT_STOP;
}

static void
ub_window_dispose(GObject *object)
{
	UbWindow *self = UB_WINDOW(object);
	if (self->monitor != NULL) {
		g_signal_handlers_disconnect_by_data(self->monitor, self);
		ub_device_monitor_stop(self->monitor);
		g_clear_object(&self->monitor);
	}
	G_OBJECT_CLASS(ub_window_parent_class)->dispose(object);
}

static const GActionEntry ub_window_actions[] = {
    {"identify", ub_window_identify_action_cb},
    {"flash-demo", ub_window_flash_demo_action_cb},
    {"stop", ub_window_stop_action_cb},
};

static void
ub_window_init(UbWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_action_map_add_action_entries(G_ACTION_MAP(self),
					ub_window_actions,
					G_N_ELEMENTS(ub_window_actions),
					self);
	ub_window_show_row(self, NULL);
	ub_window_start_monitor(self);
}

static void
ub_window_class_init(UbWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	object_class->dispose = ub_window_dispose;
	widget_class->delete_event = ub_window_delete_event;

	g_type_ensure(UB_TYPE_DEVICE_VIEW);
	g_type_ensure(UB_TYPE_JOB_VIEW);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-window.ui");
	gtk_widget_class_bind_template_child(widget_class, UbWindow, header_bar);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, device_list);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, main_stack);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, device_view);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, job_view);
	gtk_widget_class_bind_template_callback(widget_class,
						ub_window_device_list_row_selected_cb);
}

/**
 * ub_window_new:
 * @application: the application
 *
 * Returns: (transfer full): a new main window
 */
UbWindow *
ub_window_new(GtkApplication *application)
{
	return g_object_new(UB_TYPE_WINDOW, "application", application, NULL);
}
