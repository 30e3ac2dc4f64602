/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ub-backup.h"
#include "ub-device-monitor.h"
#include "ub-device-row.h"
#include "ub-device-spec.h"
#include "ub-device-view.h"
#include "ub-download-page.h"
#include "ub-format-page.h"
#include "ub-front-device.h"
#include "ub-gui-utils.h"
#include "ub-job-view.h"
#include "ub-package-bar.h"
#include "ub-readback-page.h"
#include "ub-sim-demo.h"
#include "ub-sim-open.h"
#include "ub-window.h"

/**
 * UbWindow:
 *
 * The main window: phones on the left (USB phones from the #UbDeviceMonitor
 * and simulated phones), on the right the selected phone's header
 * (#UbDeviceView), the package (#UbPackageBar), the Download / Read back /
 * Format tabs and the job (#UbJobView).
 *
 * This is the ONE place where the worker meets the UI: the pages only build a
 * #UbPlan when asked and show the #UbJob they are given. A page's "start"
 * comes here: without a phone of the right kind the window waits for one
 * (saying what to do), then opens it in a thread, applies the package bar's
 * loader and auth file (ub_front_device_prepare()), identifies it if needed,
 * asks the page for its plan and runs it as a #UbJob. Every callback here runs
 * on the main context: the monitor and #UbJob emit there, and GTask returns
 * there. One job per phone; a cancelled job never shows an error dialog.
 */

#define UB_WINDOW_OPEN_TIMEOUT_MS 3000
#define UB_WINDOW_LATENCY_PERIOD_MS 10

struct _UbWindow {
	GtkApplicationWindow parent_instance;
	GtkHeaderBar *header_bar;
	GtkListBox *device_list;
	GtkLabel *empty_hint_label;
	UbDeviceView *device_view;
	UbPackageBar *package_bar;
	GtkStack *page_stack;
	UbDownloadPage *download_page;
	UbReadbackPage *readback_page;
	UbFormatPage *format_page;
	UbJobView *job_view;

	GSettings *settings; /* nullable: no schema installed */
	UbDeviceMonitor *monitor;
	guint busy_count;
	guint inhibit_cookie;
	gboolean close_pending;
	guint n_sims;

	/* a page's start waiting for a phone */
	GtkWidget *pending_page; /* nullable */
	/* the page whose job runs: the others are insensitive once shown */
	GtkWidget *running_page; /* nullable, unowned */
	/* --demo: start the download once the demo package is loaded */
	GTask *demo_task; /* nullable */
	gboolean demo_start_pending;
	gboolean demo_stopped; /* ends when the work on the phone has stopped */
	/* --sim KIND: the Download mode to select once the demo package is loaded */
	gchar *demo_mode; /* nullable */

	/* UB_GUI_LATENCY_REPORT */
	gchar *latency_report; /* nullable */
	GArray *latency_samples; /* of gdouble, ms */
	guint latency_id;
	gint64 latency_expected;
};

G_DEFINE_TYPE(UbWindow, ub_window, GTK_TYPE_APPLICATION_WINDOW)

static void
ub_window_try_pending(UbWindow *self);

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

/* instructions */

static const gchar *
ub_window_kind_instruction(const gchar *kind)
{
	if (g_strcmp0(kind, "mtk") == 0)
		return _("Power the phone off, hold Volume Down and plug it in.");
	if (g_strcmp0(kind, "edl") == 0)
		return _("Put the phone into EDL mode (9008): power it off, hold Volume Up and "
			 "Volume Down and plug it in (some phones need `adb reboot edl` or the "
			 "test points).");
	if (g_strcmp0(kind, "fastboot") == 0)
		return _("Reboot the phone to the bootloader (Power + Volume Down) and plug it in.");
	return _("Connect a phone in MediaTek BootROM, Qualcomm EDL (9008) or fastboot mode, "
		 "or add a simulated phone with +.");
}

static const gchar *
ub_window_get_package_kind(UbWindow *self)
{
	UbPackage *package = ub_package_bar_get_package(self->package_bar);
	return package != NULL ? ub_front_package_get_kind(package) : NULL;
}

static void
ub_window_update_empty_hint(UbWindow *self)
{
	gtk_label_set_text(self->empty_hint_label,
			   ub_window_kind_instruction(ub_window_get_package_kind(self)));
}

/* actions and page sensitivity */

static GtkWidget *
ub_window_get_visible_page(UbWindow *self)
{
	return gtk_stack_get_visible_child(self->page_stack);
}

static void
ub_window_update_actions(UbWindow *self)
{
	UbDeviceRow *row = ub_window_get_selected_row(self);
	UbJob *job = row != NULL ? ub_device_row_get_job(row) : NULL;
	gboolean busy = row != NULL && ub_device_row_get_busy(row);
	gboolean cancelable =
	    job == NULL || ub_job_get_state(job) != UB_JOB_STATE_RUNNING || ub_job_get_cancelable(job);

	ub_window_set_action_enabled(self,
				     "stop",
				     self->pending_page != NULL || (busy && cancelable));
	ub_window_set_action_enabled(self, "start", !busy && !self->close_pending);
}

/* the selected phone */

static void
ub_window_pages_set_device(UbWindow *self, UbDevice *device)
{
	ub_download_page_set_device(self->download_page, device);
	ub_readback_page_set_device(self->readback_page, device);
	ub_format_page_set_device(self->format_page, device);
}

static void
ub_window_show_row(UbWindow *self, UbDeviceRow *row)
{
	if (row == NULL) {
		ub_device_view_set_device(self->device_view,
					  NULL,
					  NULL,
					  _("No phone selected"),
					  ub_window_kind_instruction(ub_window_get_package_kind(self)));
		gtk_header_bar_set_subtitle(self->header_bar, NULL);
		if (self->pending_page == NULL) {
			ub_job_view_set_job(self->job_view, NULL);
			ub_job_view_set_log(self->job_view, NULL);
		}
		ub_window_pages_set_device(self, NULL);
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
	ub_window_pages_set_device(self, ub_device_row_get_device(row));
	if (ub_device_row_get_device(row) != NULL)
		ub_package_bar_set_device_kind(self->package_bar, ub_device_row_get_kind(row));
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

/* main-loop latency while a job runs (UB_GUI_LATENCY_REPORT=FILE) */

static gboolean
ub_window_latency_timeout_cb(gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	gint64 now = g_get_monotonic_time();
	gdouble late_ms = MAX(now - self->latency_expected, 0) / 1000.0;
	g_array_append_val(self->latency_samples, late_ms);
	self->latency_expected = now + UB_WINDOW_LATENCY_PERIOD_MS * 1000;
	return G_SOURCE_CONTINUE;
}

static void
ub_window_latency_start(UbWindow *self)
{
	if (self->latency_report == NULL || self->latency_id != 0)
		return;
	g_array_set_size(self->latency_samples, 0);
	self->latency_expected = g_get_monotonic_time() + UB_WINDOW_LATENCY_PERIOD_MS * 1000;
	self->latency_id =
	    g_timeout_add(UB_WINDOW_LATENCY_PERIOD_MS, ub_window_latency_timeout_cb, self);
}

static gint
ub_window_latency_cmp(gconstpointer a, gconstpointer b)
{
	gdouble da = *(const gdouble *)a;
	gdouble db = *(const gdouble *)b;
	return da < db ? -1 : da > db ? 1 : 0;
}

static void
ub_window_latency_stop(UbWindow *self, const gchar *result)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	gdouble max_ms = 0;
	gdouble p99_ms = 0;
	guint n = self->latency_samples->len;

	if (self->latency_id == 0)
		return;
	g_source_remove(self->latency_id);
	self->latency_id = 0;
	if (n > 0) {
		g_array_sort(self->latency_samples, ub_window_latency_cmp);
		max_ms = g_array_index(self->latency_samples, gdouble, n - 1);
		p99_ms = g_array_index(self->latency_samples, gdouble, MIN(n - 1, (n * 99) / 100));
	}
	text = g_strdup_printf("{\"max_ms\": %.1f, \"p99_ms\": %.1f, \"samples\": %u, "
			       "\"period_ms\": %d, \"result\": \"%s\"}\n",
			       max_ms,
			       p99_ms,
			       n,
			       UB_WINDOW_LATENCY_PERIOD_MS,
			       result);
	g_debug("main-loop latency: %s", text);
	if (!g_file_set_contents(self->latency_report, text, -1, &error))
		g_warning("cannot write the latency report: %s", error->message);
}

/* work: begin, end */

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
	if (self->close_pending && self->busy_count == 0) {
		g_idle_add(ub_window_close_idle_cb, g_object_ref(self));
		return;
	}
	ub_window_try_pending(self);
}

/* one job on the phone of a row */

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

static void
ub_window_run_job_async(UbWindow *self,
			UbDeviceRow *row,
			UbJob *job,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, ub_window_run_job_async);
	g_task_set_task_data(task, g_object_ref(row), g_object_unref);
	ub_device_row_set_job(row, job);
	g_signal_connect_object(job,
				"notify::cancelable",
				G_CALLBACK(ub_window_job_notify_cancelable_cb),
				self,
				0);
	if (row == ub_window_get_selected_row(self)) {
		ub_job_view_set_summary(self->job_view, NULL, TRUE);
		ub_job_view_set_job(self->job_view, job);
	}
	ub_window_update_actions(self);
	ub_job_run_async(job, cancellable, ub_window_job_done_cb, task);
}

static gboolean
ub_window_run_job_finish(UbWindow *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

/* opening a USB phone in a thread */

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

/*
 * the chain for one piece of work on a row: open (thread) -> prepare (loader,
 * auth) -> identify job when needed -> the page's plan -> its job
 */

typedef struct {
	UbDeviceRow *row;
	GtkWidget *page; /* nullable: identify only */
	UbJob *job;	 /* nullable: the page's job */
	gchar *backup_dir;
	GDateTime *started;
} UbWindowWork;

static void
ub_window_work_free(UbWindowWork *work)
{
	g_object_unref(work->row);
	g_clear_object(&work->page);
	g_clear_object(&work->job);
	g_free(work->backup_dir);
	g_date_time_unref(work->started);
	g_free(work);
}

static gboolean
ub_window_work_needs_storage(UbWindowWork *work)
{
	return work->page != NULL;
}

static void
ub_window_work_run_page(GTask *task);

static void
ub_window_work_identify_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	UbWindow *self = g_task_get_source_object(task);
	UbWindowWork *work = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!ub_window_run_job_finish(self, res, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	/* identified with what storage access needs: the pages get the table */
	ub_device_row_set_identified(
	    work->row,
	    g_strcmp0(ub_device_row_get_kind(work->row), "fastboot") == 0 ||
		ub_package_bar_get_loader(self->package_bar) != NULL);
	ub_window_refresh_row(self, work->row);
	if (work->page == NULL) {
		ub_device_row_log(work->row, "%s", _("Identified."));
		g_task_return_boolean(task, TRUE);
		return;
	}
	ub_window_work_run_page(g_steal_pointer(&task));
}

static void
ub_window_work_identify(GTask *task)
{
	UbWindow *self = g_task_get_source_object(task);
	UbWindowWork *work = g_task_get_task_data(task);
	UbDevice *device = ub_device_row_get_device(work->row);
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbJob) job = ub_job_new(device, plan);
	ub_device_row_log(work->row, "%s", _("Identifying the phone"));
	ub_window_run_job_async(self,
				work->row,
				job,
				g_task_get_cancellable(task),
				ub_window_work_identify_done_cb,
				task);
}

static const gchar *
ub_window_page_get_name(UbWindow *self, GtkWidget *page)
{
	if (page == GTK_WIDGET(self->download_page))
		return "download";
	if (page == GTK_WIDGET(self->readback_page))
		return "readback";
	return "format";
}

static UbPlan *
ub_window_page_build_plan(UbWindow *self, GtkWidget *page, GError **error)
{
	if (page == GTK_WIDGET(self->download_page))
		return ub_download_page_build_plan(self->download_page, error);
	if (page == GTK_WIDGET(self->readback_page))
		return ub_readback_page_build_plan(self->readback_page, error);
	return ub_format_page_build_plan(self->format_page, error);
}

static void
ub_window_page_set_job(UbWindow *self, GtkWidget *page, UbJob *job)
{
	if (page == GTK_WIDGET(self->download_page))
		ub_download_page_set_job(self->download_page, job);
	else if (page == GTK_WIDGET(self->readback_page))
		ub_readback_page_set_job(self->readback_page, job);
	else
		ub_format_page_set_job(self->format_page, job);
}

/* the other pages cannot start while a page's job runs; a hidden page is made
 * insensitive when it is shown: restyling whole hidden pages as the job starts
 * blocked the main loop for 40-100 ms */
static void
ub_window_pages_update_sensitive(UbWindow *self)
{
	GtkWidget *pages[] = {GTK_WIDGET(self->download_page),
			      GTK_WIDGET(self->readback_page),
			      GTK_WIDGET(self->format_page)};
	GtkWidget *visible = gtk_stack_get_visible_child(self->page_stack);
	for (guint i = 0; i < G_N_ELEMENTS(pages); i++) {
		gboolean sensitive = self->running_page == NULL || pages[i] == self->running_page;
		if (sensitive || pages[i] == visible)
			gtk_widget_set_sensitive(pages[i], sensitive);
	}
}

static void
ub_window_page_stack_visible_child_cb(GtkStack *stack, GParamSpec *pspec, UbWindow *self)
{
	ub_window_pages_update_sensitive(self);
}

static void
ub_window_pages_set_running(UbWindow *self, GtkWidget *running_page)
{
	self->running_page = running_page;
	ub_window_pages_update_sensitive(self);
}

static void
ub_window_work_page_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	UbWindow *self = g_task_get_source_object(task);
	g_autoptr(GError) error = NULL;
	if (!ub_window_run_job_finish(self, res, &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_boolean(task, TRUE);
}

static void
ub_window_work_run_page(GTask *task)
{
	UbWindow *self = g_task_get_source_object(task);
	UbWindowWork *work = g_task_get_task_data(task);
	UbDevice *device = ub_device_row_get_device(work->row);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GError) error = NULL;

	/* the page knows the phone's table now */
	if (work->row == ub_window_get_selected_row(self))
		ub_window_pages_set_device(self, device);
	plan = ub_window_page_build_plan(self, work->page, &error);
	if (plan == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (ub_plan_get_kind(plan) != UB_PLAN_KIND_READBACK) {
		if (ub_plan_get_backup_dir(plan) == NULL) {
			work->backup_dir = ub_backup_new_dir(NULL, ub_device_get_serial(device));
			ub_plan_set_backup_dir(plan, work->backup_dir);
		} else {
			work->backup_dir = g_strdup(ub_plan_get_backup_dir(plan));
		}
	}
	work->job = ub_job_new(device, plan);
	ub_window_page_set_job(self, work->page, work->job);
	ub_window_pages_set_running(self, work->page);
	ub_window_latency_start(self);
	ub_window_run_job_async(self,
				work->row,
				work->job,
				g_task_get_cancellable(task),
				ub_window_work_page_done_cb,
				task);
}

static void
ub_window_work_prepare(GTask *task)
{
	UbWindow *self = g_task_get_source_object(task);
	UbWindowWork *work = g_task_get_task_data(task);
	UbDevice *device = ub_device_row_get_device(work->row);
	g_autoptr(GError) error = NULL;

	if (!ub_front_device_prepare(device,
				     ub_package_bar_get_package(self->package_bar),
				     ub_package_bar_get_loader(self->package_bar),
				     ub_package_bar_get_auth(self->package_bar),
				     ub_window_work_needs_storage(work),
				     &error)) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (!ub_device_row_get_identified(work->row)) {
		ub_window_work_identify(task);
		return;
	}
	ub_window_work_run_page(task);
}

static void
ub_window_work_open_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	UbWindow *self = g_task_get_source_object(task);
	UbWindowWork *work = g_task_get_task_data(task);
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(GError) error = NULL;

	device = g_task_propagate_pointer(G_TASK(res), &error);
	if (device == NULL) {
		g_prefix_error(&error, "failed to open the phone: ");
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	ub_device_row_set_device(work->row, device);
	ub_window_refresh_row(self, work->row);
	ub_window_work_prepare(g_steal_pointer(&task));
}

static void
ub_window_work_async(UbWindow *self,
		     UbDeviceRow *row,
		     GtkWidget *page,
		     GCancellable *cancellable,
		     GAsyncReadyCallback callback,
		     gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	UbWindowWork *work = g_new0(UbWindowWork, 1);

	work->row = g_object_ref(row);
	work->page = page != NULL ? g_object_ref(page) : NULL;
	work->started = g_date_time_new_now_local();
	g_task_set_source_tag(task, ub_window_work_async);
	g_task_set_task_data(task, work, (GDestroyNotify)ub_window_work_free);

	if (ub_device_row_get_device(row) == NULL) {
		UbUsbDeviceInfo *info = ub_device_row_get_info(row);
		g_autoptr(GTask) open_task = g_task_new(self, cancellable, ub_window_work_open_cb, task);
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
	ub_window_work_prepare(task);
}

/* the end of a page's job: summary, report */

static gchar *
ub_window_write_report(UbWindow *self, UbWindowWork *work, const GError *error)
{
	UbDevice *device = ub_device_row_get_device(work->row);
	UbPlan *plan = ub_job_get_plan(work->job);
	UbPackage *package = ub_package_bar_get_package(self->package_bar);
	GPtrArray *ops = ub_plan_get_ops(plan);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *started = g_date_time_format_iso8601(work->started);
	g_autofree gchar *finished = g_date_time_format_iso8601(now);
	g_autofree gchar *stamp = g_date_time_format(work->started, "%Y%m%d-%H%M%S");
	g_autofree gchar *phone = NULL;
	g_autofree gchar *basename = NULL;
	g_autofree gchar *dir = g_build_filename(g_get_user_data_dir(), "unbrick", "reports", NULL);
	g_autofree gchar *path = NULL;
	g_autoptr(GError) error_local = NULL;
	const gchar *name = ub_device_get_product(device);

	if (name == NULL)
		name = ub_device_get_chip(device);
	if (name == NULL)
		name = ub_device_row_get_kind(work->row);
	phone = g_strdup(name != NULL ? name : "phone");
	g_strdelimit(phone, "/\\: ", '_');
	basename = g_strdup_printf("%s-%s.json", stamp, phone);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "result");
	json_builder_add_string_value(b,
				      error == NULL ? "ok"
				      : g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
					  ? "cancelled"
					  : "failed");
	if (error != NULL) {
		json_builder_set_member_name(b, "error");
		json_builder_add_string_value(b, error->message);
	}
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, ub_plan_kind_to_string(ub_plan_get_kind(plan)));
	json_builder_set_member_name(b, "started");
	json_builder_add_string_value(b, started);
	json_builder_set_member_name(b, "finished");
	json_builder_add_string_value(b, finished);
	ub_front_json_add_device(b, device);
	if (package != NULL) {
		json_builder_set_member_name(b, "package");
		json_builder_add_string_value(b, ub_package_get_path(package));
	}
	json_builder_set_member_name(b, "verify");
	json_builder_add_boolean_value(b, ub_plan_get_verify(plan));
	if (work->backup_dir != NULL && g_file_test(work->backup_dir, G_FILE_TEST_IS_DIR)) {
		json_builder_set_member_name(b, "backup-dir");
		json_builder_add_string_value(b, work->backup_dir);
	}
	json_builder_set_member_name(b, "operations");
	json_builder_begin_array(b);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "op");
		json_builder_add_string_value(b, ub_plan_op_kind_to_string(op->kind));
		if (op->partition != NULL || op->label != NULL) {
			json_builder_set_member_name(b, "partition");
			json_builder_add_string_value(b,
						      op->partition != NULL ? op->partition
									    : op->label);
		}
		if (op->region != NULL) {
			json_builder_set_member_name(b, "region");
			json_builder_add_string_value(b, op->region);
			json_builder_set_member_name(b, "offset");
			json_builder_add_int_value(b, (gint64)op->offset);
			json_builder_set_member_name(b, "length");
			json_builder_add_int_value(b, (gint64)op->length);
		}
		if (op->path != NULL || op->file != NULL) {
			json_builder_set_member_name(b, "file");
			json_builder_add_string_value(b, op->path != NULL ? op->path : op->file);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	path = g_build_filename(dir, basename, NULL);
	if (g_mkdir_with_parents(dir, 0700) != 0 ||
	    !json_generator_to_file(gen, path, &error_local)) {
		g_warning("cannot write the report %s: %s",
			  path,
			  error_local != NULL ? error_local->message : g_strerror(errno));
		return NULL;
	}
	return g_steal_pointer(&path);
}

static gchar *
ub_window_join_names(GPtrArray *names)
{
	g_ptr_array_add(names, NULL);
	return g_strjoinv(", ", (gchar **)names->pdata);
}

static gchar *
ub_window_make_summary(UbWindow *self, UbWindowWork *work, const gchar *report)
{
	UbPlan *plan = ub_job_get_plan(work->job);
	GPtrArray *ops = ub_plan_get_ops(plan);
	g_autoptr(GString) str = g_string_new(NULL);
	g_autoptr(GPtrArray) written = g_ptr_array_new();
	g_autoptr(GPtrArray) read = g_ptr_array_new();
	g_autoptr(GPtrArray) erased = g_ptr_array_new();
	g_autofree gchar *read_dir = NULL;

	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		const gchar *name = op->label != NULL ? op->label : op->partition;
		if (name == NULL)
			name = op->region;
		if (name == NULL)
			continue;
		if (op->kind == UB_PLAN_OP_WRITE || op->kind == UB_PLAN_OP_UPDATE_SUPER)
			g_ptr_array_add(written, (gpointer)name);
		else if (op->kind == UB_PLAN_OP_READ) {
			g_ptr_array_add(read, (gpointer)name);
			if (read_dir == NULL && op->path != NULL)
				read_dir = g_path_get_dirname(op->path);
		} else if (op->kind == UB_PLAN_OP_ERASE)
			g_ptr_array_add(erased, (gpointer)name);
	}
	if (written->len > 0) {
		g_autofree gchar *names = ub_window_join_names(written);
		/* TRANSLATORS: followed by partition names */
		g_string_append_printf(str, "%s %s\n", _("Written:"), names);
		g_string_append_printf(str,
				       "%s %s\n",
				       /* TRANSLATORS: followed by yes or no */
				       _("Verified:"),
				       ub_plan_get_verify(plan) ? _("yes, every image read back "
								    "and compared")
								: _("no"));
	}
	if (erased->len > 0) {
		g_autofree gchar *names = ub_window_join_names(erased);
		g_string_append_printf(str, "%s %s\n", _("Erased:"), names);
	}
	if (read->len > 0) {
		g_autofree gchar *names = ub_window_join_names(read);
		g_string_append_printf(str, "%s %s\n", _("Read back:"), names);
		if (read_dir != NULL)
			g_string_append_printf(str, "%s %s\n", _("Into:"), read_dir);
	}
	if (work->backup_dir != NULL && g_file_test(work->backup_dir, G_FILE_TEST_IS_DIR)) {
		g_autoptr(UbBackup) backup = ub_backup_load(work->backup_dir, NULL);
		guint n = backup != NULL ? ub_backup_get_items(backup)->len : 0;
		g_string_append_printf(str,
				       /* TRANSLATORS: calibration backups, then the folder */
				       ngettext("Backed up: %u partition into %s\n",
						"Backed up: %u partitions into %s\n",
						n),
				       n,
				       work->backup_dir);
	}
	if (report != NULL)
		g_string_append_printf(str, "%s %s\n", _("Report:"), report);
	if (str->len > 0 && str->str[str->len - 1] == '\n')
		g_string_truncate(str, str->len - 1);
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static const gchar *
ub_window_page_failed_text(UbWindow *self, GtkWidget *page)
{
	if (page == GTK_WIDGET(self->download_page))
		return _("Download failed");
	if (page == GTK_WIDGET(self->readback_page))
		return _("Read back failed");
	return _("Format failed");
}

static void
ub_window_page_work_done(UbWindow *self, UbWindowWork *work, const GError *error)
{
	g_autofree gchar *report = NULL;
	g_autofree gchar *summary = NULL;
	gboolean cancelled = error != NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

	ub_window_latency_stop(self, error == NULL ? "ok" : cancelled ? "cancelled" : "failed");
	ub_window_page_set_job(self, work->page, NULL);
	ub_window_pages_set_running(self, NULL);
	if (work->job == NULL)
		return;
	report = ub_window_write_report(self, work, error);
	if (error == NULL) {
		summary = ub_window_make_summary(self, work, report);
		if (report != NULL)
			ub_device_row_log(work->row, _("Report written to %s"), report);
	} else if (cancelled) {
		summary = g_strdup_printf("%s\n%s %s",
					  _("Stopped: the phone was left in a safe state."),
					  _("Report:"),
					  report != NULL ? report : "—");
	} else {
		summary = g_strdup_printf("%s\n%s %s",
					  error->message,
					  _("Report:"),
					  report != NULL ? report : "—");
	}
	if (work->row == ub_window_get_selected_row(self))
		ub_job_view_set_summary(self->job_view, summary, error == NULL);
}

static void
ub_window_page_work_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(source);
	GTask *task = G_TASK(res);
	UbWindowWork *work = g_task_get_task_data(task);
	g_autoptr(UbDeviceRow) row = g_object_ref(work->row);
	g_autoptr(GtkWidget) page = g_object_ref(work->page);
	g_autoptr(GError) error = NULL;

	if (g_task_propagate_boolean(task, &error))
		ub_device_row_log(row, "%s", _("Done."));
	ub_window_page_work_done(self, work, error);
	ub_window_end_work(self, row, error);
	if (error != NULL && !self->close_pending && self->demo_task == NULL)
		ub_gui_show_error(GTK_WINDOW(self), ub_window_page_failed_text(self, page), error);
	if (self->demo_task != NULL && page == GTK_WIDGET(self->download_page)) {
		g_autoptr(GTask) demo = g_steal_pointer(&self->demo_task);
		if (error != NULL)
			g_task_return_error(demo, g_steal_pointer(&error));
		else
			g_task_return_boolean(demo, TRUE);
	}
}

/* waiting for a phone, then starting a page's work */

static const gchar *
ub_window_page_wanted_kind(UbWindow *self, GtkWidget *page)
{
	UbDeviceRow *selected = ub_window_get_selected_row(self);
	if (page == GTK_WIDGET(self->download_page))
		return ub_window_get_package_kind(self);
	if (selected != NULL && !ub_device_row_get_gone(selected))
		return ub_device_row_get_kind(selected);
	return ub_window_get_package_kind(self);
}

static gboolean
ub_window_row_matches(UbDeviceRow *row, const gchar *kind)
{
	if (ub_device_row_get_gone(row))
		return FALSE;
	return kind == NULL || g_strcmp0(ub_device_row_get_kind(row), kind) == 0;
}

static UbDeviceRow *
ub_window_find_row_for_kind(UbWindow *self, const gchar *kind)
{
	UbDeviceRow *selected = ub_window_get_selected_row(self);
	g_autoptr(GList) children = NULL;
	if (selected != NULL && ub_window_row_matches(selected, kind))
		return selected;
	children = gtk_container_get_children(GTK_CONTAINER(self->device_list));
	for (GList *l = children; l != NULL; l = l->next) {
		if (ub_window_row_matches(UB_DEVICE_ROW(l->data), kind))
			return UB_DEVICE_ROW(l->data);
	}
	return NULL;
}

static void
ub_window_set_pending(UbWindow *self, GtkWidget *page)
{
	g_set_object(&self->pending_page, page);
	if (page == NULL)
		ub_job_view_set_waiting(self->job_view, NULL);
	ub_window_update_actions(self);
}

static void
ub_window_try_pending(UbWindow *self)
{
	g_autoptr(GtkWidget) page = NULL;
	const gchar *kind;
	UbDeviceRow *row;
	GCancellable *cancellable;

	if (self->pending_page == NULL || self->close_pending)
		return;
	kind = ub_window_page_wanted_kind(self, self->pending_page);
	row = ub_window_find_row_for_kind(self, kind);
	if (row == NULL) {
		ub_job_view_set_waiting(self->job_view, ub_window_kind_instruction(kind));
		return;
	}
	/* an identify on the phone first: this starts when it ends */
	if (ub_device_row_get_busy(row))
		return;
	page = g_object_ref(self->pending_page);
	ub_window_set_pending(self, NULL);
	if (row != ub_window_get_selected_row(self))
		gtk_list_box_select_row(self->device_list, GTK_LIST_BOX_ROW(row));
	cancellable = ub_window_begin_work(self, row);
	/* TRANSLATORS: %s is the tab: download, readback or format */
	ub_device_row_log(row, _("Starting: %s"), ub_window_page_get_name(self, page));
	ub_window_work_async(self, row, page, cancellable, ub_window_page_work_done_cb, NULL);
}

static void
ub_window_page_start_cb(GtkWidget *page, UbWindow *self)
{
	UbDeviceRow *selected = ub_window_get_selected_row(self);

	if (selected != NULL && ub_device_row_get_busy(selected) &&
	    ub_device_row_get_job(selected) != NULL &&
	    ub_plan_get_kind(ub_job_get_plan(ub_device_row_get_job(selected))) !=
		UB_PLAN_KIND_IDENTIFY) {
		g_debug("a job already runs on the phone");
		return;
	}
	/* a download's plan needs no phone: say what is wrong before waiting */
	if (page == GTK_WIDGET(self->download_page)) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbPlan) plan = ub_download_page_build_plan(self->download_page, &error);
		if (plan == NULL) {
			ub_gui_show_error(GTK_WINDOW(self), _("Cannot start the download"), error);
			return;
		}
	}
	ub_window_set_pending(self, page);
	ub_window_try_pending(self);
}

/* identify on selection */

static void
ub_window_demo_return_stopped(UbWindow *self);

static void
ub_window_identify_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(source);
	GTask *task = G_TASK(res);
	UbWindowWork *work = g_task_get_task_data(task);
	g_autoptr(UbDeviceRow) row = g_object_ref(work->row);
	g_autoptr(GError) error = NULL;

	if (!g_task_propagate_boolean(task, &error))
		ub_device_row_set_identified(row, FALSE);
	ub_window_end_work(self, row, error);
	if (self->demo_stopped)
		ub_window_demo_return_stopped(self);
	/* the phone is shown as not identified; the log says why: no dialog for
	 * what the user did not ask for */
	if (error != NULL)
		g_debug("identify failed: %s", error->message);
}

static void
ub_window_maybe_identify(UbWindow *self, UbDeviceRow *row)
{
	const gchar *kind = ub_device_row_get_kind(row);
	GCancellable *cancellable;

	if (row == NULL || ub_device_row_get_busy(row) || ub_device_row_get_identified(row) ||
	    ub_device_row_get_gone(row) || self->close_pending)
		return;
	/* a MediaTek or EDL phone is identified with its loader, once: a
	 * BootROM handshake without the DA cannot be followed by another */
	if ((g_strcmp0(kind, "mtk") == 0 || g_strcmp0(kind, "edl") == 0) &&
	    ub_package_bar_get_loader(self->package_bar) == NULL)
		return;
	cancellable = ub_window_begin_work(self, row);
	ub_window_work_async(self, row, NULL, cancellable, ub_window_identify_done_cb, NULL);
}

static void
ub_window_device_list_row_selected_cb(GtkListBox *list, GtkListBoxRow *row, UbWindow *self)
{
	ub_window_show_row(self, row != NULL ? UB_DEVICE_ROW(row) : NULL);
	if (row != NULL)
		ub_window_maybe_identify(self, UB_DEVICE_ROW(row));
}

/* the package bar */

static void
ub_window_package_changed_cb(UbPackageBar *bar, UbWindow *self)
{
	UbPackage *package = ub_package_bar_get_package(bar);
	ub_download_page_set_package(self->download_page, package);
	if (package != NULL && self->demo_mode != NULL) {
		g_autofree gchar *mode = g_steal_pointer(&self->demo_mode);
		ub_download_page_set_mode(self->download_page, mode);
	}
	ub_window_update_empty_hint(self);
	if (ub_window_get_selected_row(self) == NULL)
		ub_window_show_row(self, NULL);
	if (package != NULL) {
		gtk_stack_set_visible_child(self->page_stack, GTK_WIDGET(self->download_page));
	}
	if (self->demo_start_pending && package != NULL) {
		self->demo_start_pending = FALSE;
		ub_window_page_start_cb(GTK_WIDGET(self->download_page), self);
	} else if (self->demo_start_pending && !ub_package_bar_get_loading(bar)) {
		g_autoptr(GTask) demo = g_steal_pointer(&self->demo_task);
		self->demo_start_pending = FALSE;
		if (demo != NULL)
			g_task_return_new_error(demo,
						UB_ERROR,
						UB_ERROR_INTERNAL,
						"the demo package could not be loaded");
	}
	/* the pending start may now know its kind of phone */
	ub_window_try_pending(self);
}

static void
ub_window_files_changed_cb(UbPackageBar *bar, UbWindow *self)
{
	UbDeviceRow *row = ub_window_get_selected_row(self);
	if (row != NULL)
		ub_window_maybe_identify(self, row);
}

/* rows */

static void
ub_window_add_row(UbWindow *self, UbDeviceRow *row)
{
	gtk_container_add(GTK_CONTAINER(self->device_list), GTK_WIDGET(row));
	if (ub_window_get_selected_row(self) == NULL ||
	    (self->pending_page != NULL &&
	     ub_window_row_matches(row,
				   ub_window_page_wanted_kind(self, self->pending_page))))
		gtk_list_box_select_row(self->device_list, GTK_LIST_BOX_ROW(row));
	ub_window_try_pending(self);
}

static UbDeviceRow *
ub_window_add_sim_row(UbWindow *self, const gchar *kind, GError **error)
{
	g_autoptr(UbDevice) device = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *dir = NULL;
	UbDeviceRow *row;

	if (g_strcmp0(kind, "fastboot") != 0 && g_strcmp0(kind, "edl") != 0 &&
	    g_strcmp0(kind, "mtk") != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "unknown simulated phone '%s': use fastboot, edl or mtk",
			    kind);
		return NULL;
	}
	/* the storage outlives the process: tests and users can look at it */
	name = g_strdup_printf("%s-%u", kind, ++self->n_sims);
	dir = g_build_filename(g_get_user_cache_dir(), "unbrick", "sim", name, NULL);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "cannot create %s: %s", dir, g_strerror(errno));
		return NULL;
	}
	/* in the state a user's phone is in: for MediaTek, the older layout of
	 * the demo package with calibration data of its own */
	device = ub_sim_open_demo_device(kind, dir, error);
	if (device == NULL)
		return NULL;
	row = ub_device_row_new_for_device(device);
	/* TRANSLATORS: %s is a folder */
	ub_device_row_log(row, _("Started a simulated phone in this program; its storage is in %s"), dir);
	ub_window_add_row(self, row);
	gtk_list_box_select_row(self->device_list, GTK_LIST_BOX_ROW(row));
	return row;
}

/**
 * ub_window_add_sim:
 * @self: a #UbWindow
 * @kind: "fastboot", "edl" or "mtk"
 * @error: (nullable): return location for a #GError
 *
 * Starts a simulated phone in this process, with its storage in
 * $XDG_CACHE_HOME/unbrick/sim/KIND-N, lists and selects it.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_window_add_sim(UbWindow *self, const gchar *kind, GError **error)
{
	g_return_val_if_fail(UB_IS_WINDOW(self), FALSE);
	return ub_window_add_sim_row(self, kind, error) != NULL;
}

/**
 * ub_window_load_package:
 * @self: a #UbWindow
 * @path: a package file or folder
 * @loader: (nullable): a DA or programmer file
 */
void
ub_window_load_package(UbWindow *self, const gchar *path, const gchar *loader)
{
	g_return_if_fail(UB_IS_WINDOW(self));
	if (path != NULL)
		ub_package_bar_load(self->package_bar, path);
	if (loader != NULL) {
		g_autoptr(GFile) file = g_file_new_for_commandline_arg(loader);
		ub_package_bar_set_loader(self->package_bar, file);
	}
}

/**
 * ub_window_load_demo:
 * @self: a #UbWindow
 * @kind: "fastboot", "edl" or "mtk"
 *
 * Loads the demo package of @kind (with its DA or programmer). For "mtk" it
 * selects Firmware Upgrade, what the simulated MediaTek phone (older layout)
 * needs, so the window is ready to press Download.
 */
void
ub_window_load_demo(UbWindow *self, const gchar *kind)
{
	g_return_if_fail(UB_IS_WINDOW(self));
	/* the simulated MediaTek phone has the older layout: ready to press
	 * Download with the mode that brings it to the package's */
	g_clear_pointer(&self->demo_mode, g_free);
	if (g_strcmp0(kind, "mtk") == 0)
		self->demo_mode = g_strdup("firmware-upgrade");
	ub_package_bar_load_demo(self->package_bar, kind);
}

/**
 * ub_window_run_demo_async:
 * @self: a #UbWindow
 * @callback: called when the demo finished
 * @user_data: for @callback
 *
 * Adds a simulated fastboot phone, loads its demo package and presses
 * Download, as a user would. Errors are not shown: the caller decides.
 */
void
ub_window_run_demo_async(UbWindow *self, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);
	g_autoptr(GError) error = NULL;

	g_return_if_fail(UB_IS_WINDOW(self));
	g_task_set_source_tag(task, ub_window_run_demo_async);
	if (self->demo_task != NULL) {
		g_task_return_new_error(task, UB_ERROR, UB_ERROR_BUSY, "a demo is running");
		return;
	}
	if (ub_window_add_sim_row(self, "fastboot", &error) == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	self->demo_task = g_steal_pointer(&task);
	self->demo_start_pending = TRUE;
	ub_package_bar_load_demo(self->package_bar, "fastboot");
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
	UbDevice *device;
	g_autoptr(GPtrArray) parts = NULL;
	g_return_val_if_fail(UB_IS_WINDOW(self), NULL);
	row = ub_window_get_selected_row(self);
	if (row == NULL)
		return g_strdup("no phone selected");
	device = ub_device_row_get_device(row);
	if (device != NULL)
		parts = ub_device_get_partitions(device);
	return g_strdup_printf("phone: %s (%s); job: %s; partitions: %u",
			       ub_device_row_get_title(row),
			       ub_device_row_get_subtitle(row),
			       ub_job_view_get_status_text(self->job_view),
			       parts != NULL ? parts->len : 0);
}

/* actions */

static void
ub_window_demo_return_stopped(UbWindow *self)
{
	g_autoptr(GTask) demo = g_steal_pointer(&self->demo_task);
	self->demo_stopped = FALSE;
	if (demo != NULL)
		g_task_return_new_error(demo, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the demo was stopped");
}

static void
ub_window_stop_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	UbDeviceRow *row = ub_window_get_selected_row(self);

	/* the demo has not pressed Download yet: it will not */
	if (self->demo_task != NULL && (self->demo_start_pending || self->pending_page != NULL)) {
		self->demo_start_pending = FALSE;
		self->demo_stopped = TRUE;
		if (row == NULL || !ub_device_row_get_busy(row))
			ub_window_demo_return_stopped(self);
	}
	if (self->pending_page != NULL) {
		ub_window_set_pending(self, NULL);
		if (row != NULL)
			ub_device_row_log(row, "%s", _("Stopped waiting for the phone."));
		ub_window_show_row(self, row);
	}
	if (row != NULL)
		ub_device_row_cancel(row);
}

static void
ub_window_start_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	GtkWidget *page = ub_window_get_visible_page(self);
	gboolean ready;

	if (page == GTK_WIDGET(self->download_page))
		ready = ub_download_page_get_ready(self->download_page);
	else if (page == GTK_WIDGET(self->readback_page))
		ready = ub_readback_page_get_ready(self->readback_page);
	else
		ready = ub_format_page_get_ready(self->format_page);
	if (!ready) {
		gtk_widget_error_bell(GTK_WIDGET(self));
		return;
	}
	/* Format asks for confirmation in its own dialog: press its button */
	if (page == GTK_WIDGET(self->format_page)) {
		GtkWidget *button = ub_gui_find_by_accessible_name(page, _("Format"));
		if (button != NULL && GTK_IS_BUTTON(button)) {
			gtk_widget_activate(button);
			return;
		}
	}
	ub_window_page_start_cb(page, self);
}

static void
ub_window_tab_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	gtk_stack_set_visible_child_name(self->page_stack, g_variant_get_string(parameter, NULL));
}

static void
ub_window_open_package_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	GtkWidget *button = ub_gui_find_by_accessible_name(GTK_WIDGET(self->package_bar),
							   _("Firmware package"));
	if (button != NULL)
		gtk_widget_activate(button);
}

static void
ub_window_add_sim_action_cb(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	UbWindow *self = UB_WINDOW(user_data);
	g_autoptr(GError) error = NULL;
	if (!ub_window_add_sim(self, g_variant_get_string(parameter, NULL), &error))
		ub_gui_show_error(GTK_WINDOW(self), _("Could not start a simulated phone"), error);
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
	/* TRANSLATORS: e.g. "Found Qualcomm EDL 9008 (USB 1-4.2, 05c6:9008)" */
	ub_device_row_log(row,
			  _("Found %s (%s)"),
			  ub_device_row_get_title(row),
			  ub_device_row_get_subtitle(row));
	/* a waiting job opens the phone at once: a MediaTek preloader is on
	 * the bus for less than 3 s */
	ub_window_add_row(self, row);
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

/* size and closing */

static void
ub_window_restore_size(UbWindow *self);

static void
ub_window_save_size(UbWindow *self)
{
	GdkWindow *gdk_window = gtk_widget_get_window(GTK_WIDGET(self));
	gboolean maximized;
	gint width = 0;
	gint height = 0;

	if (self->settings == NULL || gdk_window == NULL)
		return;
	maximized = (gdk_window_get_state(gdk_window) & GDK_WINDOW_STATE_MAXIMIZED) != 0;
	g_settings_set_boolean(self->settings, "window-maximized", maximized);
	if (maximized)
		return;
	gtk_window_get_size(GTK_WINDOW(self), &width, &height);
	g_settings_set_int(self->settings, "window-width", width);
	g_settings_set_int(self->settings, "window-height", height);
}

/* the size from GSettings (1280x800 by default), never larger than the screen */
static void
ub_window_restore_size(UbWindow *self)
{
	GdkDisplay *display = gdk_display_get_default();
	GdkMonitor *monitor = display != NULL ? gdk_display_get_primary_monitor(display) : NULL;
	gint width = 1280;
	gint height = 800;

	if (self->settings != NULL) {
		width = MAX(g_settings_get_int(self->settings, "window-width"), 640);
		height = MAX(g_settings_get_int(self->settings, "window-height"), 480);
		if (g_settings_get_boolean(self->settings, "window-maximized"))
			gtk_window_maximize(GTK_WINDOW(self));
	}
	if (monitor == NULL && display != NULL && gdk_display_get_n_monitors(display) > 0)
		monitor = gdk_display_get_monitor(display, 0);
	if (monitor != NULL) {
		GdkRectangle area = {0};
		gdk_monitor_get_workarea(monitor, &area);
		if (area.width > 0 && area.height > 0) {
			/* the default size is the content's: the header bar and the
			 * frame's borders come on top */
			GtkWidget *titlebar = gtk_window_get_titlebar(GTK_WINDOW(self));
			gint titlebar_height = 0;
			if (titlebar != NULL)
				gtk_widget_get_preferred_height(titlebar, NULL, &titlebar_height);
			width = MIN(width, area.width - 10);
			height = MIN(height, area.height - titlebar_height - 10);
		}
	}
	gtk_window_set_default_size(GTK_WINDOW(self), width, height);
}

static gboolean
ub_window_delete_event(GtkWidget *widget, GdkEventAny *event)
{
	UbWindow *self = UB_WINDOW(widget);
	g_autoptr(GList) children = NULL;

	if (!self->close_pending)
		ub_window_save_size(self);
	if (self->busy_count == 0)
		return GTK_WIDGET_CLASS(ub_window_parent_class)->delete_event != NULL
			   ? GTK_WIDGET_CLASS(ub_window_parent_class)->delete_event(widget, event)
			   : GDK_EVENT_PROPAGATE;

	/* stop every job first: the engines leave the phones in a safe state,
	 * then ub_window_end_work() closes the window */
	self->close_pending = TRUE;
	ub_window_set_pending(self, NULL);
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
	if (self->latency_id != 0) {
		g_source_remove(self->latency_id);
		self->latency_id = 0;
	}
	if (self->demo_task != NULL) {
		g_autoptr(GTask) demo = g_steal_pointer(&self->demo_task);
		g_task_return_new_error(demo, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the window closed");
	}
	g_clear_object(&self->pending_page);
	g_clear_object(&self->settings);
	G_OBJECT_CLASS(ub_window_parent_class)->dispose(object);
}

static void
ub_window_finalize(GObject *object)
{
	UbWindow *self = UB_WINDOW(object);
	g_free(self->latency_report);
	g_free(self->demo_mode);
	g_array_unref(self->latency_samples);
	G_OBJECT_CLASS(ub_window_parent_class)->finalize(object);
}

static const GActionEntry ub_window_actions[] = {
    {"stop", ub_window_stop_action_cb},
    {"start", ub_window_start_action_cb},
    {"tab", ub_window_tab_action_cb, "s"},
    {"open-package", ub_window_open_package_action_cb},
    {"add-sim", ub_window_add_sim_action_cb, "s"},
};

static void
ub_window_init(UbWindow *self)
{
	g_autoptr(GtkBuilder) builder = NULL;
	GtkShortcutsWindow *overlay;

	gtk_widget_init_template(GTK_WIDGET(self));
	g_action_map_add_action_entries(G_ACTION_MAP(self),
					ub_window_actions,
					G_N_ELEMENTS(ub_window_actions),
					self);
	builder = gtk_builder_new_from_resource("/io/github/unbrick/Unbrick/ub-shortcuts.ui");
	overlay = GTK_SHORTCUTS_WINDOW(gtk_builder_get_object(builder, "shortcuts"));
	gtk_application_window_set_help_overlay(GTK_APPLICATION_WINDOW(self), overlay);

	g_signal_connect_object(self->page_stack,
				"notify::visible-child",
				G_CALLBACK(ub_window_page_stack_visible_child_cb),
				self,
				0);
	self->latency_samples = g_array_new(FALSE, FALSE, sizeof(gdouble));
	self->latency_report = g_strdup(g_getenv("UB_GUI_LATENCY_REPORT"));
	self->settings = ub_gui_settings_new();
	ub_window_restore_size(self);
	ub_window_update_empty_hint(self);
	ub_window_show_row(self, NULL);
	ub_window_start_monitor(self);
}

static void
ub_window_class_init(UbWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	object_class->dispose = ub_window_dispose;
	object_class->finalize = ub_window_finalize;
	widget_class->delete_event = ub_window_delete_event;

	g_type_ensure(UB_TYPE_DEVICE_VIEW);
	g_type_ensure(UB_TYPE_JOB_VIEW);
	g_type_ensure(UB_TYPE_PACKAGE_BAR);
	g_type_ensure(UB_TYPE_DOWNLOAD_PAGE);
	g_type_ensure(UB_TYPE_READBACK_PAGE);
	g_type_ensure(UB_TYPE_FORMAT_PAGE);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/unbrick/Unbrick/ub-window.ui");
	gtk_widget_class_bind_template_child(widget_class, UbWindow, header_bar);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, device_list);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, empty_hint_label);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, device_view);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, package_bar);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, page_stack);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, download_page);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, readback_page);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, format_page);
	gtk_widget_class_bind_template_child(widget_class, UbWindow, job_view);
	gtk_widget_class_bind_template_callback(widget_class,
						ub_window_device_list_row_selected_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_window_page_start_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_window_package_changed_cb);
	gtk_widget_class_bind_template_callback(widget_class, ub_window_files_changed_cb);
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
