/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fastboot/ub-fastboot-device.h"
#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-storage.h"
#include "ub-core.h"
#include "ub-device-spec.h"
#include "ub-umockdev-sim.h"
#include "ub-umockdev-transport.h"
#include "ub-usb-context.h"
#include "ub-usb-device-info.h"
#include "ub-usb-transport.h"

/*
 * The real USB path end to end without a phone: UbFastbootDevice over
 * UbUsbTransport (libusb, usbfs ioctls) into a umockdev test bed, where a
 * simulated device with fastboot descriptors hands every transfer to the
 * simulated bootloader through UbUmockdevTransport. Runs under umockdev-wrapper.
 */

#define MiB (1024 * 1024)
#define UB_TEST_VID 0x18d1
#define UB_TEST_PID 0x4ee0

static UMockdevTestbed *ub_test_testbed = NULL;

typedef struct {
	gchar *path;
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	UbUmockdevSim *usb_sim;
	UbTransport *dev; /* the device end */
	GThread *thread;
	GCancellable *sim_cancel;
	gboolean sim_ret;
	GError *sim_error;
	UbTransport *host;
	UbDevice *device;
} Fixture;

static gpointer
ub_test_sim_thread_cb(gpointer data)
{
	Fixture *fx = data;
	fx->sim_ret = ub_sim_personality_serve(fx->sim, fx->dev, fx->sim_cancel, &fx->sim_error);
	return NULL;
}

/* plugs a simulated bootloader in at @path; no host side yet */
static void
fixture_plug(Fixture *fx, const gchar *path, guint32 max_download_size)
{
	g_autoptr(GError) error = NULL;

	fx->path = g_strdup(path);
	fx->tmpdir = g_dir_make_tmp("ub-usb-fastboot-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, "emmc:64G", &error);
	g_assert_no_error(error);
	fx->sim = ub_sim_fastboot_new(fx->storage, NULL);
	ub_sim_fastboot_set_max_download_size(UB_SIM_FASTBOOT(fx->sim), max_download_size);
	fx->usb_sim =
	    ub_umockdev_transport_new_fastboot_sim(path, UB_TEST_VID, UB_TEST_PID, "UBSIM0001");
	fx->dev = ub_umockdev_transport_new(fx->usb_sim);
	g_assert_true(ub_umockdev_sim_plug(fx->usb_sim, ub_test_testbed, &error));
	g_assert_no_error(error);
	fx->sim_cancel = g_cancellable_new();
	fx->thread = g_thread_new("sim", ub_test_sim_thread_cb, fx);
}

/* and the engine over libusb, found by its port path */
static void
fixture_start(Fixture *fx, const gchar *path, guint32 max_download_size)
{
	g_autoptr(GError) error = NULL;
	fixture_plug(fx, path, max_download_size);
	fx->host = ub_usb_transport_new_for_path(path, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fx->host);
	fx->device = ub_fastboot_device_new(fx->host, FALSE);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(fx->device), 5000);
}

static void
fixture_open(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_assert_true(ub_device_open(fx->device, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_identify(fx->device, NULL, &error));
	g_assert_no_error(error);
}

static void
fixture_stop(Fixture *fx)
{
	/* unplugging ends the simulator's read with DEVICE_GONE */
	g_cancellable_cancel(fx->sim_cancel);
	ub_transport_close(fx->dev);
	if (fx->thread != NULL)
		g_thread_join(fx->thread);
	if (fx->device != NULL)
		ub_device_close(fx->device);
	g_clear_error(&fx->sim_error);
	g_clear_object(&fx->device);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	g_clear_object(&fx->usb_sim);
	g_clear_object(&fx->sim);
	g_clear_object(&fx->sim_cancel);
	g_clear_object(&fx->storage);
	if (fx->tmpdir != NULL) {
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
		g_assert_cmpint(system(cmd), ==, 0);
		g_free(fx->tmpdir);
	}
	g_free(fx->path);
}

static GBytes *
ub_test_make_pattern(gsize size, guint32 seed)
{
	guint8 *buf = g_malloc(size);
	guint32 x = seed;
	for (gsize i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (guint8)(x >> 16);
	}
	return g_bytes_new_take(buf, size);
}

static gboolean
ub_test_write_blob(Fixture *fx, const gchar *part, GBytes *blob, GError **error)
{
	UbDeviceLocation loc = {.partition = part};
	g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes(blob);
	g_autoptr(UbProgress) progress = ub_progress_new();
	return ub_device_write(fx->device,
			       &loc,
			       stream,
			       g_bytes_get_size(blob),
			       progress,
			       NULL,
			       error);
}

static GBytes *
ub_test_read_range(Fixture *fx, const gchar *part, guint64 length, GError **error)
{
	UbDeviceLocation loc = {.partition = part, .length = length};
	g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable();
	if (!ub_device_read(fx->device, &loc, stream, NULL, NULL, error))
		return NULL;
	g_assert_true(g_output_stream_close(stream, NULL, NULL));
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(stream));
}

static void
ub_test_assert_stored(Fixture *fx, const gchar *part, GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	gsize blobsz = g_bytes_get_size(blob);
	g_autofree guint8 *stored = g_malloc(blobsz);
	g_assert_true(ub_sim_storage_read_partition(fx->storage, part, 0, stored, blobsz, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(stored, blobsz, g_bytes_get_data(blob, NULL), blobsz);
}

/* first: "auto" needs to be the only phone on the bus */
static void
ub_test_device_spec(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDeviceSpec) spec_ids = NULL;
	g_autoptr(UbDeviceSpec) spec_auto = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbDevice) device_auto = NULL;
	g_autoptr(UbDevice) device_two = NULL;
	g_autoptr(UbUmockdevSim) edl = NULL;

	fixture_plug(&fx, "1-1", 16 * MiB);

	/* usb:VID:PID */
	spec_ids = ub_device_spec_parse("usb:18d1:4ee0", &error);
	g_assert_no_error(error);
	device = ub_device_spec_open(spec_ids, 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(UB_IS_FASTBOOT_DEVICE(device));
	g_assert_true(ub_device_open(device, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_identify(device, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_device_get_serial(device), ==, "UBSIM0001");
	g_assert_cmpstr(ub_transport_get_name(ub_device_get_transport(device)),
			==,
			"usb:1-1 18d1:4ee0");
	ub_device_close(device);

	/* auto: the only phone */
	spec_auto = ub_device_spec_parse("auto", &error);
	g_assert_no_error(error);
	device_auto = ub_device_spec_open(spec_auto, 1000, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(UB_IS_FASTBOOT_DEVICE(device_auto));
	g_assert_true(ub_device_open(device_auto, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_identify(device_auto, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_device_get_product(device_auto), ==, "unbrick_sim");
	g_assert_cmpint(ub_device_get_mode(device_auto), ==, UB_DEVICE_MODE_FASTBOOT);
	ub_device_close(device_auto);

	/* auto with a second phone (EDL) on the bus: the user has to choose */
	edl = ub_umockdev_sim_new("1-9", 0x05c6, 0x9008);
	ub_umockdev_sim_set_strings(edl, "Qualcomm CDMA Technologies MSM", "QUSB__BULK", NULL);
	g_assert_true(ub_umockdev_sim_plug(edl, ub_test_testbed, &error));
	g_assert_no_error(error);
	device_two = ub_device_spec_open(spec_auto, 1000, NULL, &error);
	g_assert_null(device_two);
	g_assert_error(error, UB_ERROR, UB_ERROR_BUSY);
	g_assert_nonnull(strstr(error->message, "choose one with --device"));
	g_assert_nonnull(strstr(error->message, "usb:1-1"));
	g_assert_nonnull(strstr(error->message, "usb:1-9"));
	ub_umockdev_sim_unplug(edl);
	fixture_stop(&fx);
}

static void
ub_test_identify(void)
{
	Fixture fx = {0};
	GHashTable *extra;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbContext) usb_ctx = NULL;
	g_autoptr(libusb_device) usb_device = NULL;
	g_autoptr(UbUsbDeviceInfo) info = NULL;
	UbUsbTransport *usb;

	fixture_start(&fx, "1-2", 16 * MiB);

	/* the descriptors are what a real bootloader reports */
	usb = UB_USB_TRANSPORT(fx.host);
	g_assert_cmpstr(ub_transport_get_name(fx.host), ==, "usb:1-2 18d1:4ee0");
	g_assert_cmpuint(ub_transport_get_max_packet_size(fx.host), ==, 512);
	g_assert_cmpint(ub_usb_transport_get_interface_number(usb), ==, 0);
	g_assert_cmphex(ub_usb_transport_get_ep_in(usb), ==, 0x81);
	g_assert_cmphex(ub_usb_transport_get_ep_out(usb), ==, 0x01);
	usb_ctx = ub_usb_context_acquire(&error);
	g_assert_no_error(error);
	usb_device = ub_usb_context_find_device_by_path(usb_ctx, "1-2", &error);
	g_assert_no_error(error);
	info = ub_usb_device_info_new_from_libusb(usb_device, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ub_usb_device_info_get_mode(info), ==, UB_DEVICE_MODE_FASTBOOT);

	fixture_open(&fx);
	g_assert_cmpstr(ub_device_get_product(fx.device), ==, "unbrick_sim");
	g_assert_cmpstr(ub_device_get_serial(fx.device), ==, "UBSIM0001");
	g_assert_cmpint(ub_device_get_mode(fx.device), ==, UB_DEVICE_MODE_FASTBOOT);
	g_assert_false(ub_device_get_simulated(fx.device));
	extra = ub_device_get_extra(fx.device);
	g_assert_cmpstr(g_hash_table_lookup(extra, "current-slot"), ==, "a");
	g_assert_cmpstr(g_hash_table_lookup(extra, "version-bootloader"), ==, "unbrick-sim-1.0");
	g_assert_cmpuint(ub_fastboot_device_get_max_download_size(UB_FASTBOOT_DEVICE(fx.device)),
			 ==,
			 16 * MiB);
	fixture_stop(&fx);
}

static void
ub_test_getvar_all(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) lines = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(GPtrArray) sim_parts = NULL;
	g_autoptr(UbPartition) sim_boot = NULL;
	UbPartition *boot_b;

	fixture_start(&fx, "1-3", 16 * MiB);
	fixture_open(&fx);
	lines = ub_fastboot_device_getvar_all(UB_FASTBOOT_DEVICE(fx.device), NULL, &error);
	g_assert_no_error(error);
	g_assert_true(
	    g_ptr_array_find_with_equal_func(lines, "has-slot:boot:yes", g_str_equal, NULL));
	g_assert_true(
	    g_ptr_array_find_with_equal_func(lines, "serialno:UBSIM0001", g_str_equal, NULL));

	parts = ub_device_list_partitions(fx.device, NULL, &error);
	g_assert_no_error(error);
	sim_parts = ub_sim_storage_get_partitions(fx.storage);
	g_assert_cmpuint(parts->len, ==, sim_parts->len);
	g_assert_cmpuint(parts->len, >, 10);
	boot_b = ub_partition_array_find(parts, "boot_b");
	g_assert_nonnull(boot_b);
	sim_boot = ub_sim_storage_find_partition(fx.storage, "boot_b", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_partition_get_size(boot_b), ==, ub_partition_get_size(sim_boot));
	g_assert_nonnull(ub_partition_array_find(parts, "userdata"));
	fixture_stop(&fx);
}

static void
ub_test_flash_fetch(void)
{
	Fixture fx = {0};
	gsize size = 8 * MiB + 4096 + 123;
	gint64 start;
	gdouble secs;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = ub_test_make_pattern(size, 1);
	g_autoptr(GBytes) back = NULL;

	fixture_start(&fx, "1-4", 16 * MiB);
	fixture_open(&fx);

	start = g_get_monotonic_time();
	g_assert_true(ub_test_write_blob(&fx, "boot_a", blob, &error));
	g_assert_no_error(error);
	secs = (gdouble)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_test_message("flash of %.1f MiB over umockdev libusb: %.3f s, %.1f MB/s",
		       (gdouble)size / MiB,
		       secs,
		       (gdouble)size / secs / 1e6);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 1);
	g_assert_cmpuint(ub_umockdev_transport_get_bytes_received(UB_UMOCKDEV_TRANSPORT(fx.dev)),
			 >,
			 size);
	ub_test_assert_stored(&fx, "boot_a", blob);

	/* and back over the IN endpoint; writing sent only short replies */
	g_assert_cmpuint(ub_umockdev_transport_get_bytes_sent(UB_UMOCKDEV_TRANSPORT(fx.dev)),
			 <,
			 64 * 1024);
	start = g_get_monotonic_time();
	back = ub_test_read_range(&fx, "boot_a", size, &error);
	g_assert_no_error(error);
	secs = (gdouble)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_test_message("fetch of %.1f MiB over umockdev libusb: %.3f s, %.1f MB/s",
		       (gdouble)size / MiB,
		       secs,
		       (gdouble)size / secs / 1e6);
	g_assert_nonnull(back);
	g_assert_true(g_bytes_equal(back, blob));
	fixture_stop(&fx);
}

static void
ub_test_slotless(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = ub_test_make_pattern(4096, 2);
	g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes(blob);

	fixture_start(&fx, "1-5", 16 * MiB);
	fixture_open(&fx);

	/* the engine knows before sending anything */
	g_assert_false(ub_test_write_blob(&fx, "boot", blob, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "boot_a or boot_b"));
	g_clear_error(&error);
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);

	/* and the bootloader's own words when asked anyway */
	g_assert_true(ub_fastboot_device_download(UB_FASTBOOT_DEVICE(fx.device),
						  stream,
						  4096,
						  NULL,
						  NULL,
						  &error));
	g_assert_no_error(error);
	g_assert_false(ub_fastboot_device_command(UB_FASTBOOT_DEVICE(fx.device),
						  "flash:boot",
						  NULL,
						  NULL,
						  &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "remote: 'Partition table doesn't exist'"));
	g_clear_error(&error);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);

	/* the session goes on */
	g_assert_true(ub_test_write_blob(&fx, "boot_b", blob, &error));
	g_assert_no_error(error);
	ub_test_assert_stored(&fx, "boot_b", blob);
	fixture_stop(&fx);
}

typedef struct {
	UbUmockdevSim *usb_sim;
	UbTransport *dev;
	guint64 unplug_after;
	gint64 unplugged_at;
} UbTestUnplug;

/* a slow device: accepts OUT transfers one by one, then is pulled out while
 * the host still has transfers in flight */
static gpointer
ub_test_unplug_thread_cb(gpointer user_data)
{
	UbTestUnplug *ctx = user_data;
	UbUmockdevTransport *dev = UB_UMOCKDEV_TRANSPORT(ctx->dev);
	gint64 give_up = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (ub_umockdev_transport_get_bytes_received(dev) < ctx->unplug_after &&
	       g_get_monotonic_time() < give_up) {
		if (!ub_umockdev_sim_complete_out(ctx->usb_sim))
			g_usleep(500);
	}
	/* let the host queue its next transfers behind the held one */
	for (guint i = 0; i < 200 && ub_umockdev_sim_get_out_in_flight(ctx->usb_sim) < 2; i++)
		g_usleep(1000);
	ctx->unplugged_at = g_get_monotonic_time();
	ub_transport_close(ctx->dev);
	return NULL;
}

static void
ub_test_unplug(void)
{
	Fixture fx = {0};
	gint64 end;
	gint64 start;
	GThread *thread;
	UbTestUnplug ctx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = ub_test_make_pattern(12 * MiB, 3);
	g_autoptr(UbTransport) again = NULL;

	fixture_start(&fx, "1-6", 16 * MiB);
	fixture_open(&fx);

	ctx.usb_sim = fx.usb_sim;
	ctx.dev = fx.dev;
	ctx.unplug_after = 2 * MiB;
	ub_umockdev_sim_set_hold_out(fx.usb_sim, TRUE);
	thread = g_thread_new("unplug", ub_test_unplug_thread_cb, &ctx);
	start = g_get_monotonic_time();
	g_assert_false(ub_test_write_blob(&fx, "boot_a", blob, &error));
	end = g_get_monotonic_time();
	g_thread_join(thread);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_test_message("unplug mid-download: %s", error->message);
	g_test_message("unplug noticed after %.1f ms",
		       (gdouble)(end - ctx.unplugged_at) / 1000);

	/* mid-download indeed, and noticed at once, not after a timeout */
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	g_assert_cmpuint(ub_umockdev_transport_get_bytes_received(UB_UMOCKDEV_TRANSPORT(fx.dev)),
			 <,
			 12 * MiB);
	g_assert_cmpint(ctx.unplugged_at, >, start);
	g_assert_cmpint(end - ctx.unplugged_at, <, G_USEC_PER_SEC);
	g_clear_error(&error);

	/* the simulator saw the host go away in the middle of the data */
	g_thread_join(fx.thread);
	fx.thread = NULL;
	g_assert_false(fx.sim_ret);
	g_assert_error(fx.sim_error, UB_ERROR, UB_ERROR_DEVICE_GONE);

	/* the engine keeps failing the same way, and the port is empty */
	g_assert_false(ub_device_identify(fx.device, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	again = ub_usb_transport_new_for_path("1-6", &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(again);
	fixture_stop(&fx);
}

static void
ub_test_job(void)
{
	Fixture fx = {0};
	gsize size = 3 * MiB + 5;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = ub_test_make_pattern(size, 4);
	g_autofree gchar *path = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(UbJob) job = NULL;

	fixture_start(&fx, "1-7", 16 * MiB);
	path = g_build_filename(fx.tmpdir, "boot.img", NULL);
	g_assert_true(
	    g_file_set_contents(path, g_bytes_get_data(blob, NULL), (gssize)size, &error));
	g_assert_no_error(error);

	/* the job opens and identifies the phone itself */
	ub_plan_add_write(plan, "boot_b", path);
	ub_plan_set_verify(plan, TRUE);
	job = ub_job_new(fx.device, plan);
	g_assert_true(ub_job_run_sync(job, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_job_get_state(job), ==, UB_JOB_STATE_SUCCEEDED);
	g_assert_cmpfloat(ub_job_get_fraction(job), ==, 1.0);
	g_assert_cmpuint(ub_job_get_bytes_done(job), >=, size);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 1);
	ub_test_assert_stored(&fx, "boot_b", blob);

	/* verification read it all back over the IN endpoint */
	g_assert_cmpuint(ub_umockdev_transport_get_bytes_sent(UB_UMOCKDEV_TRANSPORT(fx.dev)),
			 >=,
			 size);
	fixture_stop(&fx);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ub_test_testbed = umockdev_testbed_new();
	if (!ub_umockdev_sim_in_mock_environment(ub_test_testbed)) {
		g_printerr("needs umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)\n");
		g_object_unref(ub_test_testbed);
		return 77;
	}

	/* device-spec first: "auto" wants a bus with only its phone */
	g_test_add_func("/ub/usb/fastboot/umockdev/device-spec", ub_test_device_spec);
	g_test_add_func("/ub/usb/fastboot/umockdev/identify", ub_test_identify);
	g_test_add_func("/ub/usb/fastboot/umockdev/getvar-all", ub_test_getvar_all);
	g_test_add_func("/ub/usb/fastboot/umockdev/flash-fetch", ub_test_flash_fetch);
	g_test_add_func("/ub/usb/fastboot/umockdev/slotless", ub_test_slotless);
	g_test_add_func("/ub/usb/fastboot/umockdev/unplug", ub_test_unplug);
	g_test_add_func("/ub/usb/fastboot/umockdev/job", ub_test_job);
	{
		gint rc = g_test_run();
		g_object_unref(ub_test_testbed);
		return rc;
	}
}
