/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "mtk/ub-mtk-device.h"
#include "sim/ub-sim-layouts.h"
#include "sim/ub-sim-mtk.h"
#include "sim/ub-sim-phone.h"
#include "ub-core.h"
#include "ub-device-spec.h"
#include "ub-edl-test-common.h"
#include "ub-plan-executor.h"
#include "ub-umockdev-mtk.h"
#include "ub-usb-transport.h"

/*
 * The MediaTek engine over the real libusb code path: a umockdev test bed
 * holds a simulated MediaTek phone with the CDC ACM descriptors of a real one
 * (BootROM 0e8d:0003 at full speed with 64-byte bulk packets, preloader
 * 0e8d:2000, DA 0e8d:2001 at high speed), opened as the CLI opens it
 * (ub_device_spec_open "usb:PATH", which also follows re-enumerations). The
 * BootROM is caught, identified, given the demo DA; the DA switches to high
 * speed, leaves the bus and comes back as 0e8d:2001 on a new address, where
 * the same XFlash session goes on and the demo scatter is flashed (Format All
 * + Download) and read back. A cable pulled mid-write ends the write with
 * DEVICE_GONE at once. Runs under umockdev-wrapper.
 */

#define MiB (1024 * 1024)

static UMockdevTestbed *ub_test_testbed = NULL;

typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPhone *phone; /* owns the personality and its faults */
	UbSimMtk *sim;
	UbUmockdevMtk *usb;
	UbDevice *device;
	GFile *da_file;
	GFile *preloader;
} Fixture;

static void
fixture_start(Fixture *fx, const gchar *path, gboolean preloader, gboolean full_speed, guint window_ms)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) da = NULL;
	g_autoptr(GBytes) pl = NULL;
	g_autofree gchar *da_fn = NULL;
	g_autofree gchar *pl_fn = NULL;
	g_autofree gchar *spec_str = g_strdup_printf("usb:%s", path);
	g_autoptr(UbDeviceSpec) spec = NULL;

	fx->tmpdir = g_dir_make_tmp("ub-usb-mtk-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, "emmc:64M", &error);
	g_assert_no_error(error);
	fx->phone = ub_sim_phone_new("mtk", fx->storage, NULL, &error);
	g_assert_no_error(error);
	fx->sim = UB_SIM_MTK(ub_sim_phone_get_personality(fx->phone));
	ub_sim_mtk_set_preloader_mode(fx->sim, preloader);
	ub_sim_mtk_set_full_speed(fx->sim, full_speed);
	if (window_ms > 0)
		ub_sim_mtk_set_handshake_window(fx->sim, window_ms);

	/* the demo DA in the real format, and the preloader whose EMI settings
	 * bring DRAM up when the DA is started by the BootROM */
	da = ub_demo_package_make_da(&error);
	g_assert_no_error(error);
	da_fn = g_build_filename(fx->tmpdir, UB_DEMO_MTK_DA_FILE, NULL);
	g_assert_true(g_file_set_contents(da_fn,
					  g_bytes_get_data(da, NULL),
					  (gssize)g_bytes_get_size(da),
					  &error));
	g_assert_no_error(error);
	fx->da_file = g_file_new_for_path(da_fn);
	pl = ub_demo_package_make_scatter_image("preloader");
	g_assert_nonnull(pl);
	pl_fn = g_build_filename(fx->tmpdir, "preloader_demo.bin", NULL);
	g_assert_true(g_file_set_contents(pl_fn,
					  g_bytes_get_data(pl, NULL),
					  (gssize)g_bytes_get_size(pl),
					  &error));
	g_assert_no_error(error);
	fx->preloader = g_file_new_for_path(pl_fn);

	/* the phone on the fake bus */
	fx->usb = ub_umockdev_mtk_new(ub_test_testbed, path, fx->sim);
	g_assert_true(ub_umockdev_mtk_start(fx->usb, &error));
	g_assert_no_error(error);

	/* the engine over libusb, found as the CLI finds it */
	spec = ub_device_spec_parse(spec_str, &error);
	g_assert_no_error(error);
	fx->device = ub_device_spec_open(spec, 5000, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(UB_IS_MTK_DEVICE(fx->device));
	ub_mtk_device_set_da_file(UB_MTK_DEVICE(fx->device), fx->da_file);
	if (!preloader)
		ub_mtk_device_set_preloader(UB_MTK_DEVICE(fx->device), fx->preloader);
}

static void
fixture_stop(Fixture *fx)
{
	if (fx->device != NULL)
		ub_device_close(fx->device);
	if (fx->usb != NULL)
		ub_umockdev_mtk_stop(fx->usb);
	g_clear_object(&fx->device);
	g_clear_object(&fx->usb);
	g_clear_object(&fx->phone);
	g_clear_object(&fx->storage);
	g_clear_object(&fx->da_file);
	g_clear_object(&fx->preloader);
	ub_edl_test_rmtree(fx->tmpdir);
	g_free(fx->tmpdir);
}

static const gchar *
ub_test_extra(UbDevice *device, const gchar *key)
{
	return g_hash_table_lookup(ub_device_get_extra(device), key);
}

/* BootROM at full speed: the CDC data interface, 64-byte packets, handshake and identity */
static void
ub_test_brom_identify(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	const UbMtkBromInfo *info;
	UbUsbTransport *usb;
	gboolean ret;

	fixture_start(&fx, "1-3", FALSE, TRUE, 0);
	usb = UB_USB_TRANSPORT(ub_device_get_transport(fx.device));
	g_assert_cmpint(ub_device_get_mode(fx.device), ==, UB_DEVICE_MODE_MTK_BROM);
	g_assert_cmpint(ub_usb_transport_get_interface_number(usb), ==, 1);
	g_assert_cmpuint(ub_transport_get_max_packet_size(UB_TRANSPORT(usb)), ==, 64);
	g_assert_cmphex(ub_usb_transport_get_ep_in(usb), ==, 0x81);
	g_assert_cmphex(ub_usb_transport_get_ep_out(usb), ==, 0x01);

	ub_mtk_device_set_identify_only(UB_MTK_DEVICE(fx.device), TRUE);
	ret = ub_device_open(fx.device, progress, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ret);
	info = ub_mtk_device_get_brom_info(UB_MTK_DEVICE(fx.device));
	g_assert_nonnull(info);
	g_assert_false(info->is_preloader);
	g_assert_cmphex(info->hw_code, ==, 0x0766);
	g_assert_cmpstr(ub_test_extra(fx.device, "connected-to"), ==, "brom");
	g_assert_cmpstr(ub_device_get_chip(fx.device), !=, NULL);
	g_test_message("chip %s, first handshake byte %.1f ms after the arrival",
		       ub_device_get_chip(fx.device),
		       ub_umockdev_mtk_get_first_byte_latency(fx.usb) / 1000.0);
	/* nothing re-enumerated: identification needs no DA */
	g_assert_cmpuint(ub_umockdev_mtk_get_plug_count(fx.usb), ==, 1);
	fixture_stop(&fx);
}

/* preloader 0e8d:2000: high speed, identified as a preloader */
static void
ub_test_preloader_identify(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	const UbMtkBromInfo *info;
	gboolean ret;

	fixture_start(&fx, "1-4", TRUE, FALSE, 0);
	g_assert_cmpint(ub_device_get_mode(fx.device), ==, UB_DEVICE_MODE_MTK_PRELOADER);
	g_assert_cmpuint(ub_transport_get_max_packet_size(ub_device_get_transport(fx.device)), ==, 512);
	ub_mtk_device_set_identify_only(UB_MTK_DEVICE(fx.device), TRUE);
	ret = ub_device_open(fx.device, progress, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ret);
	info = ub_mtk_device_get_brom_info(UB_MTK_DEVICE(fx.device));
	g_assert_true(info->is_preloader);
	g_assert_cmpstr(ub_test_extra(fx.device, "connected-to"), ==, "preloader");
	fixture_stop(&fx);
}

/* a preloader nobody talks to boots on: it leaves the bus after its window */
static void
ub_test_preloader_boots_on(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbContext) usb_ctx = NULL;
	g_autoptr(libusb_device) usb_device = NULL;
	gint64 start = g_get_monotonic_time();
	gdouble secs;

	fixture_start(&fx, "1-6", TRUE, FALSE, 300);
	/* the host has the port open but never sends the handshake */
	g_assert_true(ub_umockdev_mtk_wait_gone(fx.usb, 5000));
	secs = (g_get_monotonic_time() - start) / 1e6;
	g_test_message("the preloader left after %.2f s", secs);
	g_assert_cmpfloat(secs, >=, 0.3);
	g_assert_cmpfloat(secs, <, 3.0);
	g_assert_cmpint(ub_umockdev_mtk_get_first_byte_latency(fx.usb), ==, -1);
	/* the "READY" of its listen loop went out; the port is gone now */
	g_assert_cmpuint(ub_umockdev_mtk_get_bytes_sent(fx.usb), >=, 5);
	usb_ctx = ub_usb_context_acquire(&error);
	g_assert_no_error(error);
	usb_device = ub_usb_context_find_device_by_path(usb_ctx, "1-6", &error);
	g_assert_null(usb_device);
	g_assert_nonnull(error);
	fixture_stop(&fx);
}

/* the partitions the download wrote hold the demo images */
static void
ub_test_check_storage(UbSimStorage *storage)
{
	const gchar *const *rows = ub_demo_package_get_scatter_rows();
	for (guint i = 0; rows[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbPartition) part = NULL;
		g_autoptr(GBytes) want = NULL;
		g_autofree guint8 *have = NULL;
		/* the preloader lives in the boot areas, behind its boot header */
		if (g_strcmp0(rows[i], "preloader") == 0)
			continue;
		want = ub_demo_package_make_scatter_image(rows[i]);
		g_assert_nonnull(want);
		part = ub_sim_storage_find_partition(storage, rows[i], &error);
		g_assert_no_error(error);
		g_assert_nonnull(part);
		have = g_malloc(g_bytes_get_size(want));
		g_assert_true(ub_sim_storage_read(storage,
						  "user",
						  ub_partition_get_offset(part),
						  have,
						  g_bytes_get_size(want),
						  &error));
		g_assert_no_error(error);
		if (memcmp(have, g_bytes_get_data(want, NULL), g_bytes_get_size(want)) != 0)
			g_error("%s on the phone differs from the image", rows[i]);
	}
}

/* BootROM -> DA -> 0e8d:2001 -> the demo scatter flashed and read back */
static void
ub_test_download_readback(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GBytes) back = NULL;
	g_autoptr(GBytes) want = ub_demo_package_make_scatter_image("boot");
	g_autofree gchar *scatter = NULL;
	g_autofree gchar *backups = NULL;
	UbPackagePlanOptions options = {.verify = TRUE};
	UbDeviceLocation loc = {.partition = "boot"};
	UbUsbTransport *usb;
	gint64 start;
	gboolean ret;

	fixture_start(&fx, "1-5", FALSE, TRUE, 0);
	/* the phone's own older table, with calibration partitions */
	g_assert_true(ub_sim_layout_apply(fx.storage, "mtk", &error));
	g_assert_no_error(error);
	g_assert_true(ub_demo_package_write_scatter(fx.tmpdir, &error));
	g_assert_no_error(error);
	scatter = g_build_filename(fx.tmpdir, UB_DEMO_SCATTER_FILE, NULL);
	pkg = ub_package_open(scatter, NULL, NULL, &error);
	g_assert_no_error(error);
	plan = ub_package_plan_for_mode(pkg, "format-all-download", &options, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	ub_plan_set_allow_calibration(plan, TRUE);
	backups = g_build_filename(fx.tmpdir, "backups", NULL);
	ub_plan_set_backup_dir(plan, backups);

	/* the executor opens the phone: handshake, DA1, DA2, speed switch, GPT */
	start = g_get_monotonic_time();
	ret = ub_plan_execute(plan, fx.device, progress, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ret);
	g_test_message("BootROM + DA + re-enumeration + Format All + Download over umockdev "
		       "libusb: %.2f s",
		       (g_get_monotonic_time() - start) / 1e6);

	/* the phone came back as 0e8d:2001 at high speed, and the engine with it */
	g_assert_cmpuint(ub_umockdev_mtk_get_plug_count(fx.usb), ==, 2);
	g_assert_cmphex(ub_umockdev_mtk_get_pid(fx.usb), ==, 0x2001);
	g_assert_cmpint(ub_device_get_mode(fx.device), ==, UB_DEVICE_MODE_MTK_DA);
	g_assert_cmpstr(ub_test_extra(fx.device, "usb-speed"), ==, "high-speed");
	usb = UB_USB_TRANSPORT(ub_device_get_transport(fx.device));
	g_assert_cmpuint(ub_transport_get_max_packet_size(UB_TRANSPORT(usb)), ==, 512);
	g_assert_cmpint(ub_usb_transport_get_interface_number(usb), ==, 1);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(fx.sim), ==, "da");
	g_assert_true(ub_sim_mtk_get_da_running(fx.sim));
	g_assert_cmpuint(ub_sim_mtk_get_write_count(fx.sim), >, 0);
	ub_test_check_storage(fx.storage);

	/* read back by name over the 2001 device */
	loc.length = (g_bytes_get_size(want) + 511) / 512 * 512;
	g_assert_true(ub_device_read(fx.device, &loc, out, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	back = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
	g_assert_cmpuint(g_bytes_get_size(back), ==, loc.length);
	g_assert_cmpmem(g_bytes_get_data(back, NULL),
			g_bytes_get_size(want),
			g_bytes_get_data(want, NULL),
			g_bytes_get_size(want));
	fixture_stop(&fx);
}

typedef struct {
	UbUmockdevMtk *usb;
	guint64 after;
	gint64 pulled_at;
} UbTestPuller;

/* pulls the cable once the phone has received @after bytes */
static gpointer
ub_test_puller_thread_cb(gpointer user_data)
{
	UbTestPuller *puller = user_data;
	gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
	while (ub_umockdev_mtk_get_bytes_received(puller->usb) < puller->after &&
	       g_get_monotonic_time() < deadline)
		g_usleep(1000);
	puller->pulled_at = g_get_monotonic_time();
	ub_umockdev_mtk_pull_cable(puller->usb);
	return NULL;
}

/* the cable pulled in the middle of a write: DEVICE_GONE with a clear message, no hang */
static void
ub_test_unplug_mid_write(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GBytes) data = ub_edl_test_make_pattern(32 * MiB, 3);
	g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes(data);
	UbDeviceLocation loc = {.region = "user", .offset = 8 * MiB, .length = 32 * MiB};
	UbTestPuller puller = {0};
	GThread *thread;
	guint64 before;
	gdouble secs;
	gboolean ret;

	fixture_start(&fx, "1-7", TRUE, FALSE, 0);
	ret = ub_device_open(fx.device, progress, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ret);

	before = ub_umockdev_mtk_get_bytes_received(fx.usb);
	puller.usb = fx.usb;
	puller.after = before + 6 * MiB;
	thread = g_thread_new("puller", ub_test_puller_thread_cb, &puller);
	ret = ub_device_write(fx.device, &loc, in, 32 * MiB, NULL, NULL, &error);
	g_thread_join(thread);
	g_assert_false(ret);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	secs = (g_get_monotonic_time() - puller.pulled_at) / 1e6;
	g_test_message("%s (%.3f s after the cable was pulled)", error->message, secs);
	g_assert_nonnull(strstr(error->message, "disconnected"));
	g_assert_cmpfloat(secs, <, 2.0);
	/* the phone's serving thread notices the pull on its own schedule */
	g_assert_true(ub_umockdev_mtk_wait_gone(fx.usb, 2000));
	fixture_stop(&fx);
}

int
main(int argc, char **argv)
{
	gint rc;
	g_test_init(&argc, &argv, NULL);
	ub_test_testbed = umockdev_testbed_new();
	if (!ub_umockdev_sim_in_mock_environment(ub_test_testbed)) {
		g_printerr("needs umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)\n");
		g_object_unref(ub_test_testbed);
		return 77;
	}
	g_test_add_func("/ub/usb/mtk/umockdev/brom-identify", ub_test_brom_identify);
	g_test_add_func("/ub/usb/mtk/umockdev/preloader-identify", ub_test_preloader_identify);
	g_test_add_func("/ub/usb/mtk/umockdev/preloader-boots-on", ub_test_preloader_boots_on);
	g_test_add_func("/ub/usb/mtk/umockdev/download-readback", ub_test_download_readback);
	g_test_add_func("/ub/usb/mtk/umockdev/unplug-mid-write", ub_test_unplug_mid_write);
	rc = g_test_run();
	g_object_unref(ub_test_testbed);
	return rc;
}
