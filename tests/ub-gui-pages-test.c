/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "mtk/ub-mtk-device.h"
#include "ub-download-page.h"
#include "ub-format-page.h"
#include "ub-package-bar.h"
#include "ub-readback-page.h"
#include "ub-sim-open.h"

/*
 * The package bar and the Download / Read back / Format pages without the
 * window: each page built from the demo packages, rows, modes, selection and
 * the plan it hands to the window. Runs under Xvfb (xvfb-run -a).
 */

/* shared helpers */

static GtkWidget *
ub_gui_pages_test_find_cb_inner(GtkWidget *widget, const gchar *name);

static void
ub_gui_pages_test_find_cb(GtkWidget *widget, gpointer user_data)
{
	gpointer *data = user_data;
	if (data[1] != NULL)
		return;
	data[1] = ub_gui_pages_test_find_cb_inner(widget, data[0]);
}

/* a widget by its accessible name, internal children included */
static GtkWidget *
ub_gui_pages_test_find_cb_inner(GtkWidget *widget, const gchar *name)
{
	AtkObject *acc = gtk_widget_get_accessible(widget);
	gpointer data[2] = {(gpointer)name, NULL};
	if (acc != NULL && g_strcmp0(atk_object_get_name(acc), name) == 0)
		return widget;
	if (GTK_IS_CONTAINER(widget))
		gtk_container_forall(GTK_CONTAINER(widget), ub_gui_pages_test_find_cb, data);
	return data[1];
}

static GtkWidget *
ub_gui_pages_test_find(GtkWidget *root, const gchar *name)
{
	GtkWidget *widget = ub_gui_pages_test_find_cb_inner(root, name);
	if (widget == NULL)
		g_error("no widget named '%s'", name);
	return widget;
}

static gchar *
ub_gui_pages_test_tmpdir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("ub-gui-pages-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

static void
ub_gui_pages_test_rmdir(const gchar *dir)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(cmd), ==, 0);
}

/* kind: "fastboot", "edl", "mtk"; the demo package in @dir, opened */
static UbPackage *
ub_gui_pages_test_demo_package(const gchar *kind, const gchar *dir)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	UbPackage *package;
	if (g_strcmp0(kind, "mtk") == 0) {
		g_assert_true(ub_demo_package_write_scatter(dir, &error));
		path = g_build_filename(dir, UB_DEMO_SCATTER_FILE, NULL);
	} else if (g_strcmp0(kind, "edl") == 0) {
		g_assert_true(ub_demo_package_write_flat_build(dir, &error));
		path = g_build_filename(dir, UB_DEMO_FLAT_BUILD_RAWPROGRAM, NULL);
	} else {
		g_assert_true(ub_demo_package_write(dir, NULL, &error));
		path = g_strdup(dir);
	}
	g_assert_no_error(error);
	package = ub_package_open(path, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(package);
	return package;
}

static void
ub_gui_pages_test_flush(void)
{
	while (gtk_events_pending())
		gtk_main_iteration();
}

/* the WRITE ops of a plan, by partition or label */
static gboolean
ub_gui_pages_test_plan_writes(UbPlan *plan, const gchar *name)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (op->kind != UB_PLAN_OP_WRITE)
			continue;
		if (g_strcmp0(op->partition, name) == 0 || g_strcmp0(op->label, name) == 0)
			return TRUE;
	}
	return FALSE;
}

static UbPlanOp *
ub_gui_pages_test_plan_find_write(UbPlan *plan, const gchar *name)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (op->kind == UB_PLAN_OP_WRITE &&
		    (g_strcmp0(op->partition, name) == 0 || g_strcmp0(op->label, name) == 0))
			return op;
	}
	return NULL;
}

/* download */

static UbDownloadPage *
ub_gui_pages_test_download_page_new(GtkWidget **window)
{
	UbDownloadPage *page = g_object_new(UB_TYPE_DOWNLOAD_PAGE, NULL);
	*window = gtk_offscreen_window_new();
	gtk_container_add(GTK_CONTAINER(*window), GTK_WIDGET(page));
	gtk_widget_show_all(*window);
	return page;
}

static void
ub_gui_pages_test_download_scatter(void)
{
	g_autofree gchar *dir = ub_gui_pages_test_tmpdir();
	g_autoptr(UbPackage) package = ub_gui_pages_test_demo_package("mtk", dir);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbPlan) plan2 = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *const *rows = ub_demo_package_get_scatter_rows();
	const gchar *const *cal = ub_demo_package_get_scatter_calibration();
	GtkWidget *window = NULL;
	UbDownloadPage *page = ub_gui_pages_test_download_page_new(&window);

	g_assert_false(ub_download_page_get_ready(page));
	ub_download_page_set_package(page, package);
	ub_gui_pages_test_flush();
	g_assert_cmpstr(ub_download_page_get_mode(page), ==, "download-only");

	/* the rows with an image and the calibration rows; pgpt, cache: nothing to write */
	g_assert_cmpuint(ub_download_page_get_n_rows(page), ==, g_strv_length((gchar **)rows) + 6);
	for (guint i = 0; rows[i] != NULL; i++)
		g_assert_true(ub_download_page_get_row_selected(page, rows[i]));
	for (guint i = 0; cal[i] != NULL; i++) {
		g_assert_false(ub_download_page_get_row_selected(page, cal[i]));
		/* not even on request: nothing to write, and it is calibration data */
		ub_download_page_set_row_selected(page, cal[i], TRUE);
		g_assert_false(ub_download_page_get_row_selected(page, cal[i]));
		g_assert_true(g_str_has_prefix(ub_download_page_get_row_note(page, cal[i]),
					       "Calibration"));
	}
	g_assert_true(ub_download_page_get_ready(page));

	/* the package's plan: every row, verified */
	plan = ub_download_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	g_assert_true(ub_plan_get_verify(plan));
	g_assert_false(ub_plan_get_allow_calibration(plan));
	for (guint i = 0; rows[i] != NULL; i++)
		g_assert_true(ub_gui_pages_test_plan_writes(plan, rows[i]));
	for (guint i = 0; cal[i] != NULL; i++)
		g_assert_false(ub_gui_pages_test_plan_writes(plan, cal[i]));

	/* one row left out, no verify: only the ticked rows */
	ub_download_page_set_row_selected(page, "system", FALSE);
	gtk_toggle_button_set_active(
	    GTK_TOGGLE_BUTTON(ub_gui_pages_test_find(window, "Verify after write")),
	    FALSE);
	plan2 = ub_download_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_false(ub_plan_get_verify(plan2));
	g_assert_false(ub_gui_pages_test_plan_writes(plan2, "system"));
	g_assert_true(ub_gui_pages_test_plan_writes(plan2, "boot"));
	g_assert_true(ub_gui_pages_test_plan_writes(plan2, "lk"));

	/* Firmware Upgrade keeps calibration data, and says so */
	ub_download_page_set_mode(page, "firmware-upgrade");
	g_assert_cmpstr(ub_download_page_get_mode(page), ==, "firmware-upgrade");
	for (guint i = 0; cal[i] != NULL; i++) {
		g_assert_false(ub_download_page_get_row_selected(page, cal[i]));
		g_assert_cmpstr(ub_download_page_get_row_note(page, cal[i]),
				==,
				"Kept: backed up and restored");
	}
	/* a mode starts from its own defaults again */
	g_assert_true(ub_download_page_get_row_selected(page, "system"));
	ub_download_page_set_mode(page, "format-all-download");
	g_assert_cmpstr(ub_download_page_get_mode(page), ==, "format-all-download");

	gtk_widget_destroy(window);
	ub_gui_pages_test_rmdir(dir);
}

static void
ub_gui_pages_test_download_flat_build(void)
{
	g_autofree gchar *dir = ub_gui_pages_test_tmpdir();
	g_autoptr(UbPackage) package = ub_gui_pages_test_demo_package("edl", dir);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbPlan) plan2 = NULL;
	g_autoptr(GError) error = NULL;
	GtkWidget *window = NULL;
	UbDownloadPage *page = ub_gui_pages_test_download_page_new(&window);

	ub_download_page_set_package(page, package);
	g_assert_cmpstr(ub_download_page_get_mode(page), ==, "flat-build");
	/* 13 entries with an image and 4 calibration entries; userdata has no image */
	g_assert_cmpuint(ub_download_page_get_n_rows(page), ==, 17);
	g_assert_true(ub_download_page_get_row_selected(page, "xbl"));
	g_assert_false(ub_download_page_get_row_selected(page, "modemst1"));
	g_assert_false(ub_download_page_get_row_selected(page, "persist"));

	plan = ub_download_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_true(ub_gui_pages_test_plan_writes(plan, "boot_a"));
	g_assert_true(ub_gui_pages_test_plan_writes(plan, "PrimaryGPT"));
	g_assert_false(ub_gui_pages_test_plan_writes(plan, "modemst1"));

	/* unticking makes it a selection; the plan writes only the ticked labels */
	ub_download_page_set_row_selected(page, "boot_b", FALSE);
	ub_download_page_set_row_selected(page, "PrimaryGPT", FALSE);
	ub_download_page_set_row_selected(page, "BackupGPT", FALSE);
	g_assert_cmpstr(ub_download_page_get_mode(page), ==, "selected");
	plan2 = ub_download_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_false(ub_gui_pages_test_plan_writes(plan2, "boot_b"));
	g_assert_false(ub_gui_pages_test_plan_writes(plan2, "PrimaryGPT"));
	g_assert_true(ub_gui_pages_test_plan_writes(plan2, "boot_a"));
	g_assert_true(ub_gui_pages_test_plan_writes(plan2, "xbl"));

	/* Select all is the whole build again */
	gtk_button_clicked(GTK_BUTTON(ub_gui_pages_test_find(window, "Select all")));
	g_assert_cmpstr(ub_download_page_get_mode(page), ==, "flat-build");
	g_assert_true(ub_download_page_get_row_selected(page, "boot_b"));
	g_assert_false(ub_download_page_get_row_selected(page, "fsg"));

	gtk_widget_destroy(window);
	ub_gui_pages_test_rmdir(dir);
}

static void
ub_gui_pages_test_download_fastboot(void)
{
	g_autofree gchar *dir = ub_gui_pages_test_tmpdir();
	g_autoptr(UbPackage) package = ub_gui_pages_test_demo_package("fastboot", dir);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GError) error = NULL;
	GtkWidget *window = NULL;
	UbDownloadPage *page = ub_gui_pages_test_download_page_new(&window);

	ub_download_page_set_package(page, package);
	g_assert_cmpstr(ub_download_page_get_mode(page), ==, "keep-data");
	g_assert_cmpuint(ub_download_page_get_n_rows(page), ==, 4);
	/* keep-data's script leaves metadata alone */
	g_assert_false(ub_download_page_get_row_selected(page, "metadata"));
	g_assert_cmpstr(ub_download_page_get_row_note(page, "metadata"),
			==,
			"Not written in this mode");
	ub_download_page_set_mode(page, "clean-all");
	g_assert_true(ub_download_page_get_row_selected(page, "metadata"));

	ub_download_page_set_row_selected(page, "dtbo", FALSE);
	plan = ub_download_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_false(ub_gui_pages_test_plan_writes(plan, "dtbo"));
	g_assert_true(ub_gui_pages_test_plan_writes(plan, "boot"));
	g_assert_true(ub_gui_pages_test_plan_writes(plan, "metadata"));

	gtk_widget_destroy(window);
	ub_gui_pages_test_rmdir(dir);
}

static void
ub_gui_pages_test_download_select(void)
{
	g_autofree gchar *dir = ub_gui_pages_test_tmpdir();
	g_autoptr(UbPackage) package = ub_gui_pages_test_demo_package("mtk", dir);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GError) error = NULL;
	GtkWidget *window = NULL;
	UbDownloadPage *page = ub_gui_pages_test_download_page_new(&window);
	GtkWidget *download;
	guint started = 0;

	ub_download_page_set_package(page, package);
	download = ub_gui_pages_test_find(window, "Download");
	g_signal_connect_swapped(page, "start", G_CALLBACK(g_atomic_int_inc), &started);
	g_assert_true(gtk_widget_get_sensitive(download));
	gtk_button_clicked(GTK_BUTTON(download));
	g_assert_cmpuint(started, ==, 1);

	gtk_button_clicked(GTK_BUTTON(ub_gui_pages_test_find(window, "Select none")));
	g_assert_false(ub_download_page_get_row_selected(page, "boot"));
	g_assert_false(ub_download_page_get_ready(page));
	g_assert_false(gtk_widget_get_sensitive(download));
	g_assert_nonnull(gtk_widget_get_tooltip_text(download));
	plan = ub_download_page_build_plan(page, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(plan);
	g_clear_error(&error);

	/* a row's check button is named after its partition */
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(ub_gui_pages_test_find(window, "Write lk")),
				     TRUE);
	g_assert_true(ub_download_page_get_row_selected(page, "lk"));
	g_assert_true(ub_download_page_get_ready(page));

	gtk_button_clicked(GTK_BUTTON(ub_gui_pages_test_find(window, "Select all")));
	g_assert_true(ub_download_page_get_row_selected(page, "boot"));
	g_assert_true(ub_download_page_get_row_selected(page, "preloader"));
	g_assert_false(ub_download_page_get_row_selected(page, "nvram"));
	g_assert_true(ub_download_page_get_ready(page));

	gtk_widget_destroy(window);
	ub_gui_pages_test_rmdir(dir);
}

static void
ub_gui_pages_test_download_too_large(void)
{
	g_autofree gchar *dir = ub_gui_pages_test_tmpdir();
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(UbPackage) package2 = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *boot = g_build_filename(dir, "boot.img", NULL);
	g_autofree gchar *big_path = g_build_filename(dir, "big.img", NULL);
	g_autofree gchar *small_path = g_build_filename(dir, "small.img", NULL);
	g_autofree guint8 *buf = NULL;
	g_autoptr(GFile) small = g_file_new_for_path(small_path);
	g_autoptr(GFile) big = g_file_new_for_path(big_path);
	GtkWidget *window = NULL;
	UbDownloadPage *page = ub_gui_pages_test_download_page_new(&window);
	UbPackagePartition *part;
	UbPlanOp *op;

	/* boot.img one block larger than the boot partition */
	package = ub_gui_pages_test_demo_package("mtk", dir);
	part = ub_package_find_partition(package, "boot");
	g_assert_nonnull(part);
	buf = g_malloc0(part->size + 4096);
	g_assert_true(g_file_set_contents(boot, (const gchar *)buf, part->size + 4096, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_set_contents(small_path, (const gchar *)buf, 4096, &error));
	g_assert_true(g_file_set_contents(big_path, (const gchar *)buf, part->size + 1, &error));
	package2 = ub_package_open(ub_package_get_path(package), NULL, NULL, &error);
	g_assert_no_error(error);

	ub_download_page_set_package(page, package2);
	g_assert_true(g_str_has_prefix(ub_download_page_get_row_note(page, "boot"),
				       "Image larger than the partition"));
	g_assert_false(ub_download_page_get_ready(page));
	g_assert_true(g_str_has_prefix(
	    gtk_widget_get_tooltip_text(ub_gui_pages_test_find(window, "Download")),
	    "boot: Image larger"));
	plan = ub_download_page_build_plan(page, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(plan);
	g_clear_error(&error);

	/* unticked, it blocks nothing */
	ub_download_page_set_row_selected(page, "boot", FALSE);
	g_assert_true(ub_download_page_get_ready(page));

	/* another file for the row: checked the same way, then written instead */
	g_assert_true(ub_download_page_set_row_file(page, "boot", big));
	g_assert_true(ub_download_page_get_row_selected(page, "boot"));
	g_assert_false(ub_download_page_get_ready(page));
	g_assert_true(ub_download_page_set_row_file(page, "boot", small));
	g_assert_cmpstr(ub_download_page_get_row_note(page, "boot"), ==, "");
	g_assert_true(ub_download_page_get_ready(page));
	plan = ub_download_page_build_plan(page, &error);
	g_assert_no_error(error);
	op = ub_gui_pages_test_plan_find_write(plan, "boot");
	g_assert_nonnull(op);
	g_assert_cmpstr(op->path, ==, small_path);
	g_assert_null(op->package);

	/* a missing file */
	g_assert_cmpint(g_unlink(small_path), ==, 0);
	ub_download_page_set_package(page, package);
	g_assert_true(ub_download_page_set_row_file(page, "boot", small));
	g_assert_true(g_str_has_prefix(ub_download_page_get_row_note(page, "boot"),
				       "File missing"));
	g_assert_false(ub_download_page_get_ready(page));

	gtk_widget_destroy(window);
	ub_gui_pages_test_rmdir(dir);
}

/* the package bar: demos load on a thread, the loader comes with them */

static void
ub_gui_pages_test_package_changed_cb(UbPackageBar *bar, GMainLoop *loop)
{
	if (!ub_package_bar_get_loading(bar))
		g_main_loop_quit(loop);
}

static void
ub_gui_pages_test_package_bar_wait(UbPackageBar *bar)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	gulong id = g_signal_connect(bar,
				     "package-changed",
				     G_CALLBACK(ub_gui_pages_test_package_changed_cb),
				     loop);
	if (ub_package_bar_get_loading(bar))
		g_main_loop_run(loop);
	g_signal_handler_disconnect(bar, id);
}

static void
ub_gui_pages_test_package_bar(void)
{
	GtkWidget *window = gtk_offscreen_window_new();
	UbPackageBar *bar = g_object_new(UB_TYPE_PACKAGE_BAR, NULL);
	g_autofree gchar *missing = NULL;
	g_autofree gchar *loader = NULL;
	UbPackage *package;

	gtk_container_add(GTK_CONTAINER(window), GTK_WIDGET(bar));
	gtk_widget_show_all(window);
	g_assert_nonnull(ub_gui_pages_test_find(window, "Firmware package"));
	g_assert_nonnull(ub_gui_pages_test_find(window, "Recent packages"));

	/* the Qualcomm demo: the programmer beside rawprogram0.xml is picked */
	ub_package_bar_load_demo(bar, "edl");
	g_assert_true(ub_package_bar_get_loading(bar));
	g_assert_null(ub_package_bar_get_package(bar));
	ub_gui_pages_test_package_bar_wait(bar);
	package = ub_package_bar_get_package(bar);
	g_assert_nonnull(package);
	g_assert_cmpint(ub_package_get_format(package), ==, UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD);
	g_assert_nonnull(ub_package_bar_get_loader(bar));
	loader = g_file_get_basename(ub_package_bar_get_loader(bar));
	g_assert_cmpstr(loader, ==, UB_DEMO_FLAT_BUILD_PROGRAMMER);
	g_assert_nonnull(ub_gui_pages_test_find(window, "Programmer"));

	/* the MediaTek demo: its Download Agent, and the auth row */
	ub_package_bar_load_demo(bar, "mtk");
	ub_gui_pages_test_package_bar_wait(bar);
	package = ub_package_bar_get_package(bar);
	g_assert_nonnull(package);
	g_assert_cmpint(ub_package_get_format(package), ==, UB_PACKAGE_FORMAT_MTK_SCATTER);
	g_clear_pointer(&loader, g_free);
	loader = g_file_get_basename(ub_package_bar_get_loader(bar));
	g_assert_cmpstr(loader, ==, UB_DEMO_MTK_DA_FILE);
	g_assert_true(gtk_widget_get_visible(ub_gui_pages_test_find(window,
								    "Authentication file")));

	/* a package that is not there: no package, no crash */
	missing = g_build_filename(g_get_tmp_dir(), "ub-no-such-package", "rawprogram0.xml", NULL);
	ub_package_bar_load(bar, missing);
	ub_gui_pages_test_package_bar_wait(bar);
	g_assert_null(ub_package_bar_get_package(bar));
	g_assert_false(ub_package_bar_get_loading(bar));

	gtk_widget_destroy(window);
}

/* the Read back and Format pages against identified simulated phones */

static void
ub_gui_pages_test_write(const gchar *path, GBytes *blob)
{
	gsize size = 0;
	const gchar *data = g_bytes_get_data(blob, &size);
	g_assert_true(g_file_set_contents(path, data, (gssize)size, NULL));
}

/* kind: "fastboot", "edl", "mtk"; the simulated phone in @tmp, identified */
static UbDevice *
ub_gui_pages_test_open_phone(const gchar *kind, const gchar *tmp)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *phone = g_build_filename(tmp, "phone", NULL);
	g_autoptr(UbDevice) device = ub_sim_open_device(kind, phone, &error);
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbJob) job = NULL;
	g_assert_no_error(error);
	if (UB_IS_EDL_DEVICE(device)) {
		g_autofree gchar *path = g_build_filename(tmp, "prog.elf", NULL);
		g_autoptr(GFile) file = g_file_new_for_path(path);
		g_autoptr(GBytes) blob = ub_demo_package_make_programmer();
		ub_gui_pages_test_write(path, blob);
		ub_edl_device_set_programmer(UB_EDL_DEVICE(device), file);
	}
	if (UB_IS_MTK_DEVICE(device)) {
		g_autofree gchar *path = g_build_filename(tmp, "da.bin", NULL);
		g_autofree gchar *pl = g_build_filename(tmp, "preloader.bin", NULL);
		g_autoptr(GFile) file = g_file_new_for_path(path);
		g_autoptr(GFile) pl_file = g_file_new_for_path(pl);
		g_autoptr(GBytes) blob = ub_demo_package_make_da(&error);
		/* the DRAM settings a BootROM start needs */
		g_autoptr(GBytes) pl_blob = ub_demo_package_make_scatter_image("preloader");
		g_assert_no_error(error);
		ub_gui_pages_test_write(path, blob);
		ub_mtk_device_set_da_file(UB_MTK_DEVICE(device), file);
		ub_gui_pages_test_write(pl, pl_blob);
		ub_mtk_device_set_preloader(UB_MTK_DEVICE(device), pl_file);
	}
	job = ub_job_new(device, plan);
	ub_job_run_sync(job, NULL, &error);
	g_assert_no_error(error);
	return g_steal_pointer(&device);
}

static void
ub_gui_pages_test_readback(void)
{
	g_autofree gchar *tmp = ub_gui_pages_test_tmpdir();
	g_autofree gchar *out = g_build_filename(tmp, "out", NULL);
	g_autofree gchar *expect = g_build_filename(out, "boot_a.img", NULL);
	g_autoptr(UbDevice) device = ub_gui_pages_test_open_phone("fastboot", tmp);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
	GtkWidget *root;
	UbReadbackPage *page = g_object_new(UB_TYPE_READBACK_PAGE, NULL);
	GtkWidget *check;
	UbPlanOp *op;
	guint n_started = 0;

	root = GTK_WIDGET(page);
	gtk_container_add(GTK_CONTAINER(window), root);
	g_signal_connect_swapped(page, "start", G_CALLBACK(g_atomic_int_inc), &n_started);

	/* nothing to read yet; the phone's table enables its buttons */
	g_assert_false(ub_readback_page_get_ready(page));
	g_assert_false(
	    gtk_widget_get_sensitive(ub_gui_pages_test_find(root, "Add partitions from phone")));
	g_assert_false(
	    gtk_widget_get_sensitive(ub_gui_pages_test_find(root, "Read back everything")));
	ub_readback_page_set_device(page, device);
	g_assert_true(
	    gtk_widget_get_sensitive(ub_gui_pages_test_find(root, "Add partitions from phone")));
	g_assert_nonnull(ub_readback_page_get_output_dir(page));
	g_assert_nonnull(strstr(ub_readback_page_get_output_dir(page), "Unbrick"));

	/* a row, once */
	ub_readback_page_add_partition(page, "boot_a");
	ub_readback_page_add_partition(page, "boot_a");
	ub_readback_page_add_partition(page, "nvdata");
	ub_readback_page_set_output_dir(page, out);
	g_assert_cmpstr(ub_readback_page_get_output_dir(page), ==, out);
	g_assert_true(ub_readback_page_get_ready(page));
	check = ub_gui_pages_test_find(root, "Read back nvdata");
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(check), FALSE);
	plan = ub_readback_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_plan_get_ops(plan)->len, ==, 1);
	op = g_ptr_array_index(ub_plan_get_ops(plan), 0);
	g_assert_cmpint(op->kind, ==, UB_PLAN_OP_READ);
	g_assert_cmpstr(op->partition, ==, "boot_a");
	g_assert_cmpstr(op->path, ==, expect);
	g_clear_object(&plan);

	/* the plan runs, and the page follows the job */
	{
		g_autoptr(UbPlan) run = ub_readback_page_build_plan(page, &error);
		g_autoptr(UbJob) job = ub_job_new(device, run);
		ub_readback_page_set_job(page, job);
		g_assert_true(ub_job_run_sync(job, NULL, &error));
		g_assert_no_error(error);
		ub_gui_pages_test_flush();
		g_assert_true(g_file_test(expect, G_FILE_TEST_IS_REGULAR));
		ub_readback_page_set_job(page, NULL);
	}

	/* nothing checked: not ready, and no plan */
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(ub_gui_pages_test_find(root,
									      "Read back boot_a")),
				     FALSE);
	g_assert_false(ub_readback_page_get_ready(page));
	plan = ub_readback_page_build_plan(page, &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* Read back everything: every partition of the phone */
	gtk_button_clicked(GTK_BUTTON(ub_gui_pages_test_find(root, "Read back everything")));
	g_assert_cmpuint(n_started, ==, 1);
	plan = ub_readback_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_plan_get_ops(plan)->len, >, 2);

	gtk_widget_destroy(window);
	ub_gui_pages_test_rmdir(tmp);
}

static void
ub_gui_pages_test_format(gconstpointer user_data)
{
	const gchar *kind = user_data;
	g_autofree gchar *tmp = ub_gui_pages_test_tmpdir();
	g_autoptr(UbDevice) device = ub_gui_pages_test_open_phone(kind, tmp);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
	UbFormatPage *page = g_object_new(UB_TYPE_FORMAT_PAGE, NULL);
	GtkWidget *root = GTK_WIDGET(page);
	GtkWidget *keep;
	GtkWidget *list;
	g_autoptr(GList) rows = NULL;
	GPtrArray *parts;
	guint n_cal = 0;

	gtk_container_add(GTK_CONTAINER(window), root);
	ub_format_page_set_device(page, device);
	ub_format_page_set_backup_dir(page, tmp);

	/* the calibration list is the phone's */
	parts = ub_device_get_partitions(device);
	for (guint i = 0; i < parts->len; i++)
		n_cal += ub_partition_is_calibration(g_ptr_array_index(parts, i)) ? 1 : 0;
	g_assert_cmpuint(n_cal, >, 0);
	list = ub_gui_pages_test_find(root, "Calibration partitions");
	rows = gtk_container_get_children(GTK_CONTAINER(list));
	g_assert_cmpuint(g_list_length(rows), ==, n_cal);

	/* Auto keeping calibration (the default) */
	keep = ub_gui_pages_test_find(root, "Keep calibration data");
	g_assert_true(gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(keep)));
	g_assert_true(ub_format_page_get_ready(page));
	plan = ub_format_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_false(ub_plan_get_allow_calibration(plan));
	g_assert_cmpstr(ub_plan_get_backup_dir(plan), ==, tmp);
	for (guint i = 0; i < ub_plan_get_ops(plan)->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ub_plan_get_ops(plan), i);
		g_assert_cmpint(op->kind, ==, UB_PLAN_OP_ERASE);
		g_assert_false(op->partition != NULL &&
			       ub_partition_name_is_calibration(op->partition));
	}
	g_clear_object(&plan);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(keep), FALSE);
	plan = ub_format_page_build_plan(page, &error);
	g_assert_no_error(error);
	g_assert_true(ub_plan_get_allow_calibration(plan));
	g_clear_object(&plan);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(keep), TRUE);

	/* Manual: a range checked against the region before Format is possible;
	 * fastboot reports no regions, so only Auto */
	if (ub_device_get_regions(device)->len == 0) {
		g_assert_false(gtk_widget_get_sensitive(ub_gui_pages_test_find(root, "Manual")));
		gtk_widget_destroy(window);
		ub_gui_pages_test_rmdir(tmp);
		return;
	}
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(ub_gui_pages_test_find(root, "Manual")),
				     TRUE);
	gtk_entry_set_text(GTK_ENTRY(ub_gui_pages_test_find(root, "Begin")), "0x1000");
	gtk_entry_set_text(GTK_ENTRY(ub_gui_pages_test_find(root, "Length")), "4K");
	g_assert_true(ub_format_page_get_ready(page));
	plan = ub_format_page_build_plan(page, &error);
	g_assert_no_error(error);
	{
		UbPlanOp *op = g_ptr_array_index(ub_plan_get_ops(plan), 0);
		g_assert_cmpint(op->kind, ==, UB_PLAN_OP_ERASE);
		g_assert_nonnull(op->region);
		g_assert_cmpuint(op->offset, ==, 0x1000);
		g_assert_cmpuint(op->length, ==, 4096);
	}
	g_clear_object(&plan);
	gtk_entry_set_text(GTK_ENTRY(ub_gui_pages_test_find(root, "Length")), "4096G");
	g_assert_false(ub_format_page_get_ready(page));
	g_assert_false(gtk_widget_get_sensitive(ub_gui_pages_test_find(root, "Format")));
	gtk_entry_set_text(GTK_ENTRY(ub_gui_pages_test_find(root, "Length")), "junk");
	g_assert_false(ub_format_page_get_ready(page));
	plan = ub_format_page_build_plan(page, &error);
	g_assert_null(plan);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);

	gtk_widget_destroy(window);
	ub_gui_pages_test_rmdir(tmp);
}

int
main(int argc, char **argv)
{
	g_autofree gchar *cache = NULL;
	g_autoptr(GError) error = NULL;
	gint rc;

	/* demos are written to the cache: a private one; settings in memory */
	cache = g_dir_make_tmp("ub-gui-pages-cache-XXXXXX", &error);
	g_assert_no_error(error);
	g_setenv("XDG_CACHE_HOME", cache, TRUE);
	g_setenv("GSETTINGS_BACKEND", "memory", TRUE);
	g_setenv("GTK_THEME", "Adwaita", TRUE);
	gtk_test_init(&argc, &argv, NULL);

	/* download */
	g_test_add_func("/ub/gui/download-page/scatter", ub_gui_pages_test_download_scatter);
	g_test_add_func("/ub/gui/download-page/flat-build", ub_gui_pages_test_download_flat_build);
	g_test_add_func("/ub/gui/download-page/fastboot", ub_gui_pages_test_download_fastboot);
	g_test_add_func("/ub/gui/download-page/select", ub_gui_pages_test_download_select);
	g_test_add_func("/ub/gui/download-page/too-large", ub_gui_pages_test_download_too_large);
	g_test_add_func("/ub/gui/package-bar/demo", ub_gui_pages_test_package_bar);

	/* readback, format */
	g_test_add_func("/ub/gui/readback-page/rows", ub_gui_pages_test_readback);
	g_test_add_data_func("/ub/gui/format-page/edl", "edl", ub_gui_pages_test_format);
	g_test_add_data_func("/ub/gui/format-page/mtk", "mtk", ub_gui_pages_test_format);
	g_test_add_data_func("/ub/gui/format-page/fastboot", "fastboot", ub_gui_pages_test_format);

	rc = g_test_run();
	ub_gui_pages_test_rmdir(cache);
	return rc;
}
