/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-device-monitor.h"
#include "ub-error.h"

#ifdef HAVE_UMOCKDEV
#include "ub-umockdev-testbed.h"
#endif

/* ---------------------------------------------------------------- pure tests */

static void
ub_usb_device_info_mode_func(void)
{
	g_autoptr(UbUsbDeviceInfo) edl = ub_usb_device_info_new(1, 5, 0x05c6, 0x9008);
	g_autoptr(UbUsbDeviceInfo) brom = ub_usb_device_info_new(1, 6, 0x0e8d, 0x0003);
	g_autoptr(UbUsbDeviceInfo) preloader = ub_usb_device_info_new(1, 7, 0x0e8d, 0x2000);
	g_autoptr(UbUsbDeviceInfo) da = ub_usb_device_info_new(1, 8, 0x0e8d, 0x2001);
	g_autoptr(UbUsbDeviceInfo) fastboot = ub_usb_device_info_new(2, 3, 0x1234, 0x5678);
	g_autoptr(UbUsbDeviceInfo) adb = ub_usb_device_info_new(2, 4, 0x1234, 0x5678);
	g_autoptr(UbUsbDeviceInfo) google = ub_usb_device_info_new(2, 5, 0x18d1, 0x4ee0);

	/* by VID:PID */
	g_assert_cmpint(ub_usb_device_info_get_mode(edl), ==, UB_DEVICE_MODE_EDL);
	g_assert_cmpint(ub_usb_device_info_get_protocol(edl), ==, UB_PROTOCOL_EDL);
	g_assert_cmpstr(ub_usb_device_info_get_name(edl), ==, "Qualcomm HS-USB QDLoader 9008");
	g_assert_true(ub_usb_device_info_is_known(edl));
	g_assert_cmpint(ub_usb_device_info_get_mode(brom), ==, UB_DEVICE_MODE_MTK_BROM);
	g_assert_cmpint(ub_usb_device_info_get_mode(preloader), ==, UB_DEVICE_MODE_MTK_PRELOADER);
	g_assert_cmpint(ub_usb_device_info_get_mode(da), ==, UB_DEVICE_MODE_MTK_DA);
	g_assert_cmpint(ub_usb_device_info_get_protocol(da), ==, UB_PROTOCOL_MTK);

	/* an interface that matches nothing does not change the VID:PID match */
	ub_usb_device_info_add_interface(edl, 0xff, 0x42, 0x03);
	g_assert_cmpint(ub_usb_device_info_get_mode(edl), ==, UB_DEVICE_MODE_EDL);

	/* fastboot is found by its interface on any vendor, whatever comes first */
	g_assert_cmpint(ub_usb_device_info_get_mode(fastboot), ==, UB_DEVICE_MODE_UNKNOWN);
	g_assert_false(ub_usb_device_info_is_known(fastboot));
	g_assert_null(ub_usb_device_info_get_name(fastboot));
	ub_usb_device_info_add_interface(fastboot, 0x08, 0x06, 0x50);
	g_assert_cmpint(ub_usb_device_info_get_mode(fastboot), ==, UB_DEVICE_MODE_UNKNOWN);
	ub_usb_device_info_add_interface(fastboot, 0xff, 0x42, 0x03);
	g_assert_cmpint(ub_usb_device_info_get_mode(fastboot), ==, UB_DEVICE_MODE_FASTBOOT);
	g_assert_cmpint(ub_usb_device_info_get_protocol(fastboot), ==, UB_PROTOCOL_FASTBOOT);
	g_assert_cmpstr(ub_usb_device_info_get_name(fastboot), ==, "Android Bootloader Interface");
	ub_usb_device_info_add_interface(google, 0xff, 0xff, 0xff);
	ub_usb_device_info_add_interface(google, 0xff, 0x42, 0x03);
	g_assert_cmpint(ub_usb_device_info_get_mode(google), ==, UB_DEVICE_MODE_FASTBOOT);

	/* adb (ff/42/01) is not a flashing mode */
	ub_usb_device_info_add_interface(adb, 0xff, 0x42, 0x01);
	g_assert_cmpint(ub_usb_device_info_get_mode(adb), ==, UB_DEVICE_MODE_UNKNOWN);
}

static void
ub_usb_device_info_id_func(void)
{
	g_autoptr(UbUsbDeviceInfo) info = ub_usb_device_info_new(3, 17, 0x05c6, 0x9008);
	g_autofree gchar *str = NULL;

	g_assert_cmpstr(ub_usb_device_info_get_id(info), ==, "usb:003:017");
	g_assert_null(ub_usb_device_info_get_port_path(info));
	ub_usb_device_info_set_port_path(info, "3-4.2");
	g_assert_cmpstr(ub_usb_device_info_get_id(info), ==, "usb:3-4.2");
	g_assert_cmpint(ub_usb_device_info_get_bus(info), ==, 3);
	g_assert_cmpint(ub_usb_device_info_get_address(info), ==, 17);
	g_assert_cmpint(ub_usb_device_info_get_vid(info), ==, 0x05c6);
	g_assert_cmpint(ub_usb_device_info_get_pid(info), ==, 0x9008);
	ub_usb_device_info_set_tty_path(info, "/dev/ttyUSB0");
	str = ub_usb_device_info_to_string(info);
	g_assert_cmpstr(str, ==, "usb:3-4.2 05c6:9008 edl tty=/dev/ttyUSB0");
}

static void
ub_usb_device_info_mkfile(const gchar *dir, const gchar *name, const gchar *contents)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *fn = g_build_filename(dir, name, NULL);
	g_autofree gchar *parent = g_path_get_dirname(fn);

	g_assert_cmpint(g_mkdir_with_parents(parent, 0700), ==, 0);
	g_assert_true(g_file_set_contents(fn, contents, -1, &error));
	g_assert_no_error(error);
}

static void
ub_usb_device_info_rmtree(const gchar *path)
{
	const gchar *name;
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			ub_usb_device_info_rmtree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void
ub_usb_device_info_sysfs_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *root = g_dir_make_tmp("ub-sysfs-XXXXXX", &error);
	g_autofree gchar *qc_dir = NULL;
	g_autofree gchar *acm_dir = NULL;
	g_autofree gchar *bare_dir = NULL;
	g_autofree gchar *missing_dir = NULL;
	g_autofree gchar *tty = NULL;
	g_autoptr(UbUsbDeviceInfo) qc = ub_usb_device_info_new(1, 9, 0x05c6, 0x9008);
	g_autoptr(UbUsbDeviceInfo) bare = ub_usb_device_info_new(1, 10, 0x05c6, 0x9008);

	g_assert_no_error(error);
	qc_dir = g_build_filename(root, "1-4.2", NULL);
	acm_dir = g_build_filename(root, "3-1", NULL);
	bare_dir = g_build_filename(root, "1-5", NULL);
	missing_dir = g_build_filename(root, "9-9", NULL);

	/* qcserial: a usb-serial port directory on the interface */
	ub_usb_device_info_mkfile(qc_dir, "serial", "_SN:ABCD1234\n");
	ub_usb_device_info_mkfile(qc_dir, "1-4.2:1.0/ttyUSB2/tty/ttyUSB2/dev", "188:2\n");
	ub_usb_device_info_mkfile(qc_dir, "1-4.2:1.0/ep_81/type", "Bulk\n");
	ub_usb_device_info_mkfile(qc_dir, "1-4.2.1/serial", "not this one\n");

	/* cdc_acm: tty/ttyACMn on the second interface */
	ub_usb_device_info_mkfile(acm_dir, "3-1:1.0/bInterfaceClass", "02\n");
	ub_usb_device_info_mkfile(acm_dir, "3-1:1.1/tty/ttyACM0/dev", "166:0\n");

	/* no driver bound */
	ub_usb_device_info_mkfile(bare_dir, "1-5:1.0/bInterfaceClass", "ff\n");

	tty = ub_usb_device_info_find_tty(qc_dir);
	g_assert_cmpstr(tty, ==, "/dev/ttyUSB2");
	g_clear_pointer(&tty, g_free);
	tty = ub_usb_device_info_find_tty(acm_dir);
	g_assert_cmpstr(tty, ==, "/dev/ttyACM0");
	g_clear_pointer(&tty, g_free);
	g_assert_null(ub_usb_device_info_find_tty(bare_dir));
	g_assert_null(ub_usb_device_info_find_tty(missing_dir));

	ub_usb_device_info_load_sysfs(qc, qc_dir);
	g_assert_cmpstr(ub_usb_device_info_get_serial(qc), ==, "_SN:ABCD1234");
	g_assert_cmpstr(ub_usb_device_info_get_tty_path(qc), ==, "/dev/ttyUSB2");

	/* sysfs missing altogether is not an error */
	ub_usb_device_info_load_sysfs(bare, missing_dir);
	g_assert_null(ub_usb_device_info_get_serial(bare));
	g_assert_null(ub_usb_device_info_get_tty_path(bare));

	ub_usb_device_info_rmtree(root);
}

static gboolean
ub_device_monitor_test_contains(GPtrArray *array, UbUsbDeviceInfo *info)
{
	for (guint i = 0; i < array->len; i++) {
		if (g_ptr_array_index(array, i) == info)
			return TRUE;
	}
	return FALSE;
}

static void
ub_device_monitor_diff_func(void)
{
	g_autoptr(UbUsbDeviceInfo) edl = ub_usb_device_info_new(1, 5, 0x05c6, 0x9008);
	g_autoptr(UbUsbDeviceInfo) fastboot = ub_usb_device_info_new(1, 6, 0x1234, 0x0001);
	g_autoptr(UbUsbDeviceInfo) fastboot_again = ub_usb_device_info_new(1, 6, 0x1234, 0x0001);
	g_autoptr(UbUsbDeviceInfo) brom = ub_usb_device_info_new(2, 5, 0x0e8d, 0x0003);
	g_autoptr(UbUsbDeviceInfo) reused = ub_usb_device_info_new(1, 5, 0x0e8d, 0x2000);
	g_autoptr(GPtrArray) old_devices = g_ptr_array_new();
	g_autoptr(GPtrArray) new_devices = g_ptr_array_new();
	g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_object_unref);

	/* same bus, address, VID and PID: the same device, as a new object */
	g_assert_true(ub_usb_device_info_equal(fastboot, fastboot_again));
	g_assert_false(ub_usb_device_info_equal(edl, brom));
	g_assert_false(ub_usb_device_info_equal(edl, reused));

	/* the EDL device leaves, BROM arrives, fastboot stays */
	g_ptr_array_add(old_devices, edl);
	g_ptr_array_add(old_devices, fastboot);
	g_ptr_array_add(new_devices, fastboot_again);
	g_ptr_array_add(new_devices, brom);
	ub_device_monitor_diff(old_devices, new_devices, added, removed);
	g_assert_cmpint(removed->len, ==, 1);
	g_assert_true(g_ptr_array_index(removed, 0) == edl);
	g_assert_cmpint(added->len, ==, 1);
	g_assert_true(g_ptr_array_index(added, 0) == brom);

	/* a re-enumeration that reuses the address under another PID is a
	 * removal plus an arrival */
	g_ptr_array_set_size(added, 0);
	g_ptr_array_set_size(removed, 0);
	g_ptr_array_set_size(new_devices, 0);
	g_ptr_array_add(new_devices, reused);
	g_ptr_array_add(new_devices, fastboot);
	ub_device_monitor_diff(old_devices, new_devices, added, removed);
	g_assert_cmpint(removed->len, ==, 1);
	g_assert_true(ub_device_monitor_test_contains(removed, edl));
	g_assert_cmpint(added->len, ==, 1);
	g_assert_true(ub_device_monitor_test_contains(added, reused));

	/* nothing changed */
	g_ptr_array_set_size(added, 0);
	g_ptr_array_set_size(removed, 0);
	ub_device_monitor_diff(old_devices, old_devices, added, removed);
	g_assert_cmpint(added->len, ==, 0);
	g_assert_cmpint(removed->len, ==, 0);
}

static void
ub_device_monitor_flags_func(void)
{
	guint any = UB_DEVICE_MODE_FLAGS_ANY;

	g_assert_cmpuint(any & UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_UNKNOWN), ==, 0);
	for (guint i = UB_DEVICE_MODE_UNKNOWN + 1; i < UB_DEVICE_MODE_LAST; i++)
		g_assert_cmpuint(any & UB_DEVICE_MODE_FLAG(i), !=, 0);
	g_assert_cmpuint(any >> UB_DEVICE_MODE_LAST, ==, 0);
}

static void
ub_device_monitor_stopped_func(void)
{
	g_autoptr(UbDeviceMonitor) monitor = ub_device_monitor_new();
	g_autoptr(GPtrArray) devices = ub_device_monitor_get_devices(monitor);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbDeviceInfo) info = NULL;

	/* stopping a stopped monitor is harmless, waiting on one fails */
	ub_device_monitor_stop(monitor);
	g_assert_cmpint(devices->len, ==, 0);
	info = ub_device_monitor_wait_for(monitor, UB_DEVICE_MODE_FLAGS_ANY, 10, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_null(info);
}

/* ------------------------------------------------------------ umockdev tests */

#ifdef HAVE_UMOCKDEV

/* what matters is a preloader's window (1-3 s): tens of ms on a quiet machine,
 * 235 ms seen once on a 2-core machine at load 4.5, so the bound has room */
#define UB_DEVICE_MONITOR_TEST_LATENCY_MAX_US (500 * G_TIME_SPAN_MILLISECOND)

typedef struct {
	GMainLoop *loop;
	GPtrArray *added;   /* element-type UbUsbDeviceInfo */
	GPtrArray *removed; /* element-type UbUsbDeviceInfo */
	gint64 added_time;
	gint64 removed_time;
	guint wait_added;
	guint wait_removed;
	gboolean timed_out;
} UbDeviceMonitorHelper;

static void
ub_device_monitor_helper_free(UbDeviceMonitorHelper *helper)
{
	g_main_loop_unref(helper->loop);
	g_ptr_array_unref(helper->added);
	g_ptr_array_unref(helper->removed);
	g_free(helper);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbDeviceMonitorHelper, ub_device_monitor_helper_free)

static void
ub_device_monitor_helper_check(UbDeviceMonitorHelper *helper)
{
	if (helper->added->len >= helper->wait_added &&
	    helper->removed->len >= helper->wait_removed)
		g_main_loop_quit(helper->loop);
}

static void
ub_device_monitor_helper_added_cb(UbDeviceMonitor *monitor,
				  UbUsbDeviceInfo *info,
				  UbDeviceMonitorHelper *helper)
{
	helper->added_time = g_get_monotonic_time();
	g_ptr_array_add(helper->added, g_object_ref(info));
	ub_device_monitor_helper_check(helper);
}

static void
ub_device_monitor_helper_removed_cb(UbDeviceMonitor *monitor,
				    UbUsbDeviceInfo *info,
				    UbDeviceMonitorHelper *helper)
{
	helper->removed_time = g_get_monotonic_time();
	g_ptr_array_add(helper->removed, g_object_ref(info));
	ub_device_monitor_helper_check(helper);
}

static UbDeviceMonitorHelper *
ub_device_monitor_helper_new(UbDeviceMonitor *monitor)
{
	UbDeviceMonitorHelper *helper = g_new0(UbDeviceMonitorHelper, 1);
	helper->loop = g_main_loop_new(NULL, FALSE);
	helper->added = g_ptr_array_new_with_free_func(g_object_unref);
	helper->removed = g_ptr_array_new_with_free_func(g_object_unref);
	g_signal_connect(monitor,
			 "device-added",
			 G_CALLBACK(ub_device_monitor_helper_added_cb),
			 helper);
	g_signal_connect(monitor,
			 "device-removed",
			 G_CALLBACK(ub_device_monitor_helper_removed_cb),
			 helper);
	return helper;
}

static gboolean
ub_device_monitor_helper_timeout_cb(gpointer user_data)
{
	UbDeviceMonitorHelper *helper = user_data;
	helper->timed_out = TRUE;
	g_main_loop_quit(helper->loop);
	return G_SOURCE_REMOVE;
}

/* run the main loop until that many devices were added and removed in all */
static void
ub_device_monitor_helper_wait(UbDeviceMonitorHelper *helper, guint n_added, guint n_removed)
{
	g_autoptr(GSource) source = g_timeout_source_new(2000);

	helper->wait_added = n_added;
	helper->wait_removed = n_removed;
	helper->timed_out = FALSE;
	if (helper->added->len >= n_added && helper->removed->len >= n_removed)
		return;
	g_source_set_callback(source, ub_device_monitor_helper_timeout_cb, helper, NULL);
	g_source_attach(source, NULL);
	g_main_loop_run(helper->loop);
	g_source_destroy(source);
	g_assert_false(helper->timed_out);
}

/* the mode comes from the environment, so no setenv() while threads run */
static gboolean
ub_device_monitor_test_is_polling(void)
{
	return g_strcmp0(g_getenv("UB_USB_POLL"), "1") == 0;
}

static UbDeviceMonitor *
ub_device_monitor_test_start(void)
{
	g_autoptr(UbDeviceMonitor) monitor = ub_device_monitor_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(ub_device_monitor_start(monitor, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_device_monitor_is_polling(monitor), ==, ub_device_monitor_test_is_polling());
	return g_steal_pointer(&monitor);
}

static void
ub_device_monitor_arrival_func(gconstpointer user_data)
{
	UMockdevTestbed *testbed = UMOCKDEV_TESTBED(user_data);
	gboolean poll = ub_device_monitor_test_is_polling();
	const gchar *kind = poll ? "poll" : "hotplug";
	gint64 start;
	gint64 plugged;
	UbUsbDeviceInfo *info;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDeviceMonitor) monitor = NULL;
	g_autoptr(UbDeviceMonitorHelper) helper = NULL;
	g_autoptr(GPtrArray) devices = NULL;
	g_autofree gchar *syspath = NULL;

	monitor = ub_device_monitor_test_start();
	helper = ub_device_monitor_helper_new(monitor);
	devices = ub_device_monitor_get_devices(monitor);
	g_assert_cmpint(devices->len, ==, 0);

	/* plug the phone in EDL mode */
	start = g_get_monotonic_time();
	syspath = ub_umockdev_testbed_add_usb(testbed,
					      1,
					      2,
					      1,
					      0x05c6,
					      0x9008,
					      0xff,
					      0xff,
					      0xff,
					      "_SN:ABCD1234",
					      &error);
	g_assert_no_error(error);
	g_assert_nonnull(syspath);
	plugged = g_get_monotonic_time();
	ub_device_monitor_helper_wait(helper, 1, 0);
	g_test_message("%s: arrival after %.1f ms (umockdev took %.1f ms to add it)",
		       kind,
		       (helper->added_time - plugged) / 1000.0,
		       (plugged - start) / 1000.0);
	g_assert_cmpint(helper->added_time - plugged, <, UB_DEVICE_MONITOR_TEST_LATENCY_MAX_US);
	g_assert_cmpint(helper->added->len, ==, 1);
	info = g_ptr_array_index(helper->added, 0);
	g_assert_cmpint(ub_usb_device_info_get_mode(info), ==, UB_DEVICE_MODE_EDL);
	g_assert_cmpint(ub_usb_device_info_get_protocol(info), ==, UB_PROTOCOL_EDL);
	g_assert_cmpint(ub_usb_device_info_get_vid(info), ==, 0x05c6);
	g_assert_cmpint(ub_usb_device_info_get_pid(info), ==, 0x9008);
	g_assert_cmpint(ub_usb_device_info_get_bus(info), ==, 1);
	g_assert_cmpint(ub_usb_device_info_get_address(info), ==, 2);
	g_assert_cmpstr(ub_usb_device_info_get_port_path(info), ==, "1-1");
	g_assert_cmpstr(ub_usb_device_info_get_id(info), ==, "usb:1-1");
	g_assert_cmpstr(ub_usb_device_info_get_serial(info), ==, "_SN:ABCD1234");
	g_assert_null(ub_usb_device_info_get_tty_path(info));
	g_assert_null(ub_usb_device_info_lookup_tty(info));
	g_clear_pointer(&devices, g_ptr_array_unref);
	devices = ub_device_monitor_get_devices(monitor);
	g_assert_cmpint(devices->len, ==, 1);
	g_assert_true(g_ptr_array_index(devices, 0) == info);

	/* unplug it */
	start = g_get_monotonic_time();
	ub_umockdev_testbed_remove(testbed, syspath);
	plugged = g_get_monotonic_time();
	ub_device_monitor_helper_wait(helper, 1, 1);
	g_test_message("%s: removal after %.1f ms (umockdev took %.1f ms to remove it)",
		       kind,
		       (helper->removed_time - plugged) / 1000.0,
		       (plugged - start) / 1000.0);
	g_assert_cmpint(helper->removed_time - plugged, <, UB_DEVICE_MONITOR_TEST_LATENCY_MAX_US);
	g_assert_cmpint(helper->removed->len, ==, 1);
	g_assert_true(g_ptr_array_index(helper->removed, 0) == info);
	g_clear_pointer(&devices, g_ptr_array_unref);
	devices = ub_device_monitor_get_devices(monitor);
	g_assert_cmpint(devices->len, ==, 0);
	g_assert_cmpint(helper->added->len, ==, 1);

	ub_device_monitor_stop(monitor);
}

static void
ub_device_monitor_fastboot_func(gconstpointer user_data)
{
	UMockdevTestbed *testbed = UMOCKDEV_TESTBED(user_data);
	UbUsbDeviceInfo *info;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDeviceMonitor) monitor = NULL;
	g_autoptr(UbDeviceMonitorHelper) helper = NULL;
	g_autofree gchar *syspath = NULL;
	g_autofree gchar *syspath_unknown = NULL;

	monitor = ub_device_monitor_test_start();
	helper = ub_device_monitor_helper_new(monitor);

	/* a vendor interface that is not fastboot is not reported */
	syspath_unknown = ub_umockdev_testbed_add_usb(testbed,
						      1,
						      3,
						      2,
						      0x1234,
						      0x0002,
						      0xff,
						      0xff,
						      0xff,
						      NULL,
						      &error);
	g_assert_no_error(error);

	/* fastboot on a vendor the table has never heard of */
	syspath = ub_umockdev_testbed_add_usb(testbed,
					      1,
					      4,
					      3,
					      0x1234,
					      0x0001,
					      0xff,
					      0x42,
					      0x03,
					      NULL,
					      &error);
	g_assert_no_error(error);
	ub_device_monitor_helper_wait(helper, 1, 0);
	g_assert_cmpint(helper->added->len, ==, 1);
	info = g_ptr_array_index(helper->added, 0);
	g_assert_cmpint(ub_usb_device_info_get_mode(info), ==, UB_DEVICE_MODE_FASTBOOT);
	g_assert_cmpint(ub_usb_device_info_get_protocol(info), ==, UB_PROTOCOL_FASTBOOT);
	g_assert_cmpint(ub_usb_device_info_get_vid(info), ==, 0x1234);
	g_assert_cmpstr(ub_usb_device_info_get_name(info), ==, "Android Bootloader Interface");
	g_assert_cmpstr(ub_usb_device_info_get_port_path(info), ==, "1-3");
	g_assert_null(ub_usb_device_info_get_serial(info));

	/* the unknown one leaving is not reported either */
	ub_umockdev_testbed_remove(testbed, syspath_unknown);
	ub_umockdev_testbed_remove(testbed, syspath);
	ub_device_monitor_helper_wait(helper, 1, 1);
	g_assert_cmpint(helper->removed->len, ==, 1);
	g_assert_true(g_ptr_array_index(helper->removed, 0) == info);
}

static UbUsbDeviceInfo *
ub_device_monitor_test_find(GPtrArray *devices, guint16 vid)
{
	for (guint i = 0; i < devices->len; i++) {
		UbUsbDeviceInfo *info = g_ptr_array_index(devices, i);
		if (ub_usb_device_info_get_vid(info) == vid)
			return info;
	}
	return NULL;
}

static void
ub_device_monitor_present_func(gconstpointer user_data)
{
	UMockdevTestbed *testbed = UMOCKDEV_TESTBED(user_data);
	UbUsbDeviceInfo *info;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDeviceMonitor) monitor = NULL;
	g_autoptr(UbDeviceMonitorHelper) helper = NULL;
	g_autoptr(GPtrArray) devices = NULL;
	g_autofree gchar *syspath_edl = NULL;
	g_autofree gchar *syspath_brom = NULL;
	g_autofree gchar *syspath_unknown = NULL;
	g_autofree gchar *tty_edl = NULL;
	g_autofree gchar *tty_brom = NULL;
	g_autofree gchar *tty = NULL;


	/* already plugged, with kernel serial drivers bound */
	syspath_edl = ub_umockdev_testbed_add_usb(testbed,
						  1,
						  2,
						  1,
						  0x05c6,
						  0x9008,
						  0xff,
						  0xff,
						  0xff,
						  NULL,
						  &error);
	g_assert_no_error(error);
	tty_edl = ub_umockdev_testbed_add_tty(testbed, syspath_edl, "ttyUSB0", &error);
	g_assert_no_error(error);
	syspath_brom = ub_umockdev_testbed_add_usb(testbed,
						   2,
						   5,
						   1,
						   0x0e8d,
						   0x0003,
						   0x02,
						   0x02,
						   0x01,
						   NULL,
						   &error);
	g_assert_no_error(error);
	tty_brom = ub_umockdev_testbed_add_tty(testbed, syspath_brom, "ttyACM0", &error);
	g_assert_no_error(error);
	syspath_unknown = ub_umockdev_testbed_add_usb(testbed,
						      1,
						      3,
						      2,
						      0x1234,
						      0x0002,
						      0x08,
						      0x06,
						      0x50,
						      NULL,
						      &error);
	g_assert_no_error(error);

	/* known at once after start, and reported as added */
	monitor = ub_device_monitor_test_start();
	helper = ub_device_monitor_helper_new(monitor);
	devices = ub_device_monitor_get_devices(monitor);
	g_assert_cmpint(devices->len, ==, 2);
	ub_device_monitor_helper_wait(helper, 2, 0);
	g_assert_cmpint(helper->added->len, ==, 2);
	g_assert_null(ub_device_monitor_test_find(helper->added, 0x1234));

	info = ub_device_monitor_test_find(helper->added, 0x05c6);
	g_assert_nonnull(info);
	g_assert_cmpint(ub_usb_device_info_get_mode(info), ==, UB_DEVICE_MODE_EDL);
	g_assert_cmpstr(ub_usb_device_info_get_tty_path(info), ==, "/dev/ttyUSB0");
	tty = ub_usb_device_info_lookup_tty(info);
	g_assert_cmpstr(tty, ==, "/dev/ttyUSB0");
	info = ub_device_monitor_test_find(helper->added, 0x0e8d);
	g_assert_nonnull(info);
	g_assert_cmpint(ub_usb_device_info_get_mode(info), ==, UB_DEVICE_MODE_MTK_BROM);
	g_assert_cmpstr(ub_usb_device_info_get_port_path(info), ==, "2-1");
	g_assert_cmpstr(ub_usb_device_info_get_tty_path(info), ==, "/dev/ttyACM0");

	/* unplug all, while the monitor still listens */
	ub_umockdev_testbed_remove(testbed, syspath_unknown);
	ub_umockdev_testbed_remove(testbed, syspath_edl);
	ub_umockdev_testbed_remove(testbed, syspath_brom);
	ub_device_monitor_helper_wait(helper, 2, 2);
	g_assert_cmpint(helper->removed->len, ==, 2);
}

typedef struct {
	UbDeviceMonitor *monitor;
	guint mode_flags;
	guint timeout_ms;
	GCancellable *cancellable;
	gint64 called;
	gint64 returned;
	GError *error;
} UbDeviceMonitorWaiter;

static gpointer
ub_device_monitor_waiter_thread_cb(gpointer user_data)
{
	UbDeviceMonitorWaiter *waiter = user_data;
	UbUsbDeviceInfo *info;

	waiter->called = g_get_monotonic_time();
	info = ub_device_monitor_wait_for(waiter->monitor,
					  waiter->mode_flags,
					  waiter->timeout_ms,
					  waiter->cancellable,
					  &waiter->error);
	waiter->returned = g_get_monotonic_time();
	return info;
}

static void
ub_device_monitor_wait_for_func(gconstpointer user_data)
{
	UMockdevTestbed *testbed = UMOCKDEV_TESTBED(user_data);
	gboolean poll = ub_device_monitor_test_is_polling();
	const gchar *kind = poll ? "poll" : "hotplug";
	gint64 plugged;
	GThread *thread;
	UbDeviceMonitorWaiter waiter = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDeviceMonitor) monitor = NULL;
	g_autoptr(UbUsbDeviceInfo) info = NULL;
	g_autoptr(UbUsbDeviceInfo) info_again = NULL;
	g_autoptr(UbDeviceMonitorHelper) helper = NULL;
	g_autofree gchar *syspath = NULL;

	monitor = ub_device_monitor_test_start();

	/* a worker waits for the preloader; the main context never runs */
	waiter.monitor = monitor;
	waiter.mode_flags = UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_MTK_PRELOADER) |
			    UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_MTK_BROM);
	waiter.timeout_ms = 2000;
	thread = g_thread_new("waiter", ub_device_monitor_waiter_thread_cb, &waiter);
	g_usleep(50 * G_TIME_SPAN_MILLISECOND);
	syspath = ub_umockdev_testbed_add_usb(testbed,
					      1,
					      7,
					      4,
					      0x0e8d,
					      0x2000,
					      0x02,
					      0x02,
					      0x01,
					      NULL,
					      &error);
	g_assert_no_error(error);
	plugged = g_get_monotonic_time();
	info = g_thread_join(thread);
	g_assert_no_error(waiter.error);
	g_assert_nonnull(info);
	g_assert_cmpint(ub_usb_device_info_get_mode(info), ==, UB_DEVICE_MODE_MTK_PRELOADER);
	g_test_message("%s: wait_for returned %.1f ms after the device was added, "
		       "%.1f ms after the call",
		       kind,
		       (waiter.returned - plugged) / 1000.0,
		       (waiter.returned - waiter.called) / 1000.0);
	g_assert_cmpint(waiter.returned - waiter.called, >=, 50 * G_TIME_SPAN_MILLISECOND);
	g_assert_cmpint(waiter.returned - plugged, <, UB_DEVICE_MONITOR_TEST_LATENCY_MAX_US);

	/* a device already present is returned at once */
	info_again = ub_device_monitor_wait_for(monitor,
						UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_MTK_PRELOADER),
						0,
						NULL,
						&error);
	g_assert_no_error(error);
	g_assert_true(info_again == info);

	/* nothing in fastboot mode turns up */
	g_assert_null(ub_device_monitor_wait_for(monitor,
						 UB_DEVICE_MODE_FLAG(UB_DEVICE_MODE_FASTBOOT),
						 30,
						 NULL,
						 &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);

	/* unplug, while the monitor still listens */
	helper = ub_device_monitor_helper_new(monitor);
	ub_umockdev_testbed_remove(testbed, syspath);
	ub_device_monitor_helper_wait(helper, 1, 1);
	g_assert_true(g_ptr_array_index(helper->removed, 0) == info);
}

static gpointer
ub_device_monitor_cancel_thread_cb(gpointer user_data)
{
	GCancellable *cancellable = G_CANCELLABLE(user_data);
	g_usleep(20 * G_TIME_SPAN_MILLISECOND);
	g_cancellable_cancel(cancellable);
	return NULL;
}

static void
ub_device_monitor_wait_for_cancel_func(gconstpointer user_data)
{
	gint64 start;
	GThread *thread;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDeviceMonitor) monitor = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(UbUsbDeviceInfo) info = NULL;

	monitor = ub_device_monitor_test_start();

	/* a long wait ends as soon as the job is cancelled */
	start = g_get_monotonic_time();
	thread = g_thread_new("cancel", ub_device_monitor_cancel_thread_cb, cancellable);
	info = ub_device_monitor_wait_for(monitor,
					  UB_DEVICE_MODE_FLAGS_ANY,
					  10000,
					  cancellable,
					  &error);
	g_thread_join(thread);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_null(info);
	g_assert_cmpint(g_get_monotonic_time() - start, <, G_TIME_SPAN_SECOND);

	/* already cancelled: no wait at all */
	g_clear_error(&error);
	info = ub_device_monitor_wait_for(monitor,
					  UB_DEVICE_MODE_FLAGS_ANY,
					  10000,
					  cancellable,
					  &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_null(info);
}

static gboolean
ub_device_monitor_test_under_umockdev(void)
{
	const gchar *preload = g_getenv("LD_PRELOAD");
	return preload != NULL && g_strstr_len(preload, -1, "umockdev") != NULL;
}

#endif

int
main(int argc, char **argv)
{
#ifdef HAVE_UMOCKDEV
	gint rc;
	UMockdevTestbed *testbed = NULL;
#endif

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/usb-device-info/mode", ub_usb_device_info_mode_func);
	g_test_add_func("/ub/core/usb-device-info/id", ub_usb_device_info_id_func);
	g_test_add_func("/ub/core/usb-device-info/sysfs", ub_usb_device_info_sysfs_func);
	g_test_add_func("/ub/core/device-monitor/diff", ub_device_monitor_diff_func);
	g_test_add_func("/ub/core/device-monitor/flags", ub_device_monitor_flags_func);
	g_test_add_func("/ub/core/device-monitor/stopped", ub_device_monitor_stopped_func);
#ifdef HAVE_UMOCKDEV
	/* only registered under umockdev-wrapper, so the plain run skips nothing */
	if (ub_device_monitor_test_under_umockdev()) {
		/* one testbed for the process: the shared libusb context listens to
		 * the uevents of the testbed that existed when it was created */
		testbed = umockdev_testbed_new();
		/* checks through the preload, so only after the testbed set $UMOCKDEV_DIR */
		g_assert_true(umockdev_in_mock_environment());
		g_test_add_data_func("/ub/core/device-monitor/umockdev/arrival",
				     testbed,
				     ub_device_monitor_arrival_func);
		g_test_add_data_func("/ub/core/device-monitor/umockdev/fastboot",
				     testbed,
				     ub_device_monitor_fastboot_func);
		g_test_add_data_func("/ub/core/device-monitor/umockdev/present",
				     testbed,
				     ub_device_monitor_present_func);
		g_test_add_data_func("/ub/core/device-monitor/umockdev/wait-for",
				     testbed,
				     ub_device_monitor_wait_for_func);
		g_test_add_data_func("/ub/core/device-monitor/umockdev/wait-for-cancel",
				     testbed,
				     ub_device_monitor_wait_for_cancel_func);
	}
	rc = g_test_run();
	g_clear_object(&testbed);
	return rc;
#else
	return g_test_run();
#endif
}
