/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-package-plan.h"
#include "ub-core.h"
#include "ub-edl-test-common.h"
#include "ub-plan-executor.h"
#include "ub-umockdev-sim.h"
#include "ub-umockdev-transport.h"
#include "ub-usb-context.h"
#include "ub-usb-device-info.h"
#include "ub-usb-transport.h"

/*
 * The EDL engine over the real libusb code path: a umockdev test bed holds a
 * Qualcomm 9008 device (05c6:9008, interface ff/ff/ff, bulk 0x81/0x01 of 512
 * bytes, the serial inside iProduct) whose transfers go to the simulated
 * phone. Sahara uploads the programmer, Firehose configures, a flat build is
 * downloaded and read back, and every OUT transfer is checked against the
 * wire rules of edl.md: no ZLP during Sahara, no Firehose XML of a multiple
 * of 512 bytes, a ZLP after every raw transfer that is. Runs under
 * umockdev-wrapper.
 */

#define MiB (1024 * 1024)

static UMockdevTestbed *ub_test_testbed = NULL;

typedef struct {
	gchar *dir; /* the build and the programmer */
	UbEdlTestBuild *build;
	gchar *programmer;
	gchar *storage_dir;
	UbSimStorage *storage;
	UbSimPhone *phone;
	UbUmockdevSim *usb_sim;
	UbTransport *dev;
	UbTransport *host;
	UbDevice *device;
} Fixture;

static UbUmockdevSim *
ub_test_edl_sim_new(const gchar *path, const gchar *product)
{
	/* clang-format off */
	const guint8 config[32] = {
	    9, 2, 32, 0, 1, 1, 0, 0x80, 0x01,	/* configuration 1, bus powered, 2 mA */
	    9, 4, 0, 0, 2, 0xff, 0xff, 0xff, 0,	/* interface 0: vendor specific, Sahara */
	    7, 5, 0x81, 2, 0x00, 0x02, 0,	/* bulk IN, 512 */
	    7, 5, 0x01, 2, 0x00, 0x02, 0,	/* bulk OUT, 512 */
	};
	/* clang-format on */
	UbUmockdevSim *sim = ub_umockdev_sim_new(path, 0x05c6, 0x9008);
	ub_umockdev_sim_set_strings(sim, "Qualcomm CDMA Technologies MSM", product, NULL);
	ub_umockdev_sim_set_config_descriptor(sim, config, sizeof(config));
	return sim;
}

static void
fixture_start(Fixture *fx, const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GFile) file = NULL;

	fx->dir = g_dir_make_tmp("ub-usb-edl-XXXXXX", &error);
	g_assert_no_error(error);
	ub_edl_test_write_small_build(fx->dir);
	fx->programmer = ub_edl_test_write_programmer(fx->dir, &error);
	g_assert_no_error(error);
	fx->storage_dir = g_dir_make_tmp("ub-usb-edl-storage-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->storage_dir, "emmc:1G", &error);
	g_assert_no_error(error);
	fx->build = ub_edl_test_build_new(fx->dir, &error);
	g_assert_no_error(error);
	g_assert_true(ub_edl_test_build_generate(fx->build, fx->storage, 3 * MiB, &error));
	g_assert_no_error(error);

	/* the phone on the fake bus */
	fx->phone = ub_sim_phone_new("edl", fx->storage, NULL, &error);
	g_assert_no_error(error);
	fx->usb_sim = ub_test_edl_sim_new(path, "QUSB_BULK_CID:040E_SN:1234ABCD");
	fx->dev = ub_umockdev_transport_new(fx->usb_sim);
	ub_umockdev_sim_set_record_out(fx->usb_sim, TRUE);
	g_assert_true(ub_umockdev_sim_plug(fx->usb_sim, ub_test_testbed, &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_phone_start(fx->phone, fx->dev, &error));
	g_assert_no_error(error);

	/* the engine over libusb */
	fx->host = ub_usb_transport_new_for_path(path, &error);
	g_assert_no_error(error);
	fx->device = ub_device_new_for_transport(fx->host, UB_DEVICE_MODE_EDL, FALSE, &error);
	g_assert_no_error(error);
	file = g_file_new_for_path(fx->programmer);
	ub_edl_device_set_programmer(UB_EDL_DEVICE(fx->device), file);
	ub_edl_device_set_memory_name(UB_EDL_DEVICE(fx->device), "emmc");
}

static void
fixture_stop(Fixture *fx)
{
	if (fx->device != NULL)
		ub_device_close(fx->device);
	if (fx->phone != NULL)
		ub_sim_phone_stop(fx->phone);
	if (fx->dev != NULL)
		ub_transport_close(fx->dev);
	g_clear_object(&fx->device);
	g_clear_object(&fx->host);
	g_clear_object(&fx->phone);
	g_clear_object(&fx->dev);
	g_clear_object(&fx->usb_sim);
	g_clear_object(&fx->storage);
	g_clear_object(&fx->build);
	ub_edl_test_rmtree(fx->storage_dir);
	ub_edl_test_rmtree(fx->dir);
	g_free(fx->storage_dir);
	g_free(fx->dir);
	g_free(fx->programmer);
}

static gboolean
ub_test_is_xml(const UbUmockdevSimOutRecord *rec)
{
	return rec->length >= 5 && memcmp(rec->head, "<?xml", 5) == 0;
}

/* edl.md a.1: the zero-length packet rules, on what went over the wire */
static void
ub_test_check_wire(GArray *records)
{
	guint first_xml = records->len;
	guint n_xml = 0;
	guint n_zlp = 0;
	guint n_raw_512 = 0;

	for (guint i = 0; i < records->len; i++) {
		if (ub_test_is_xml(&g_array_index(records, UbUmockdevSimOutRecord, i))) {
			first_xml = i;
			break;
		}
	}
	g_assert_cmpuint(first_xml, >, 0);
	g_assert_cmpuint(first_xml, <, records->len);

	/* Sahara: one packet per transfer and never a ZLP, also after image data */
	for (guint i = 0; i < first_xml; i++) {
		UbUmockdevSimOutRecord *rec = &g_array_index(records, UbUmockdevSimOutRecord, i);
		g_assert_cmpuint(rec->length, >, 0);
	}

	/* Firehose */
	for (guint i = first_xml; i < records->len; i++) {
		UbUmockdevSimOutRecord *rec = &g_array_index(records, UbUmockdevSimOutRecord, i);
		UbUmockdevSimOutRecord *prev =
		    i > 0 ? &g_array_index(records, UbUmockdevSimOutRecord, i - 1) : NULL;
		UbUmockdevSimOutRecord *next =
		    i + 1 < records->len ? &g_array_index(records, UbUmockdevSimOutRecord, i + 1)
					 : NULL;
		if (rec->length == 0) {
			/* a ZLP only ends a transfer that is a multiple of 512 */
			n_zlp++;
			g_assert_nonnull(prev);
			g_assert_cmpuint(prev->length, >, 0);
			g_assert_cmpuint(prev->length % 512, ==, 0);
			continue;
		}
		if (ub_test_is_xml(rec)) {
			n_xml++;
			if (rec->length % 512 == 0)
				g_test_message("XML command of %u bytes", rec->length);
			g_assert_cmpuint(rec->length % 512, !=, 0);
			continue;
		}
		/* raw data: whole sectors, and a multiple of 512 ends with a ZLP */
		if (rec->length % 512 == 0) {
			n_raw_512++;
			g_assert_nonnull(next);
			g_assert_cmpuint(next->length, ==, 0);
		}
	}
	g_test_message("%u OUT transfers: %u Sahara, %u XML, %u raw of a multiple of 512, %u ZLPs",
		       records->len,
		       first_xml,
		       n_xml,
		       n_raw_512,
		       n_zlp);
	g_assert_cmpuint(n_xml, >, 5);
	g_assert_cmpuint(n_raw_512, >, 3);
	g_assert_cmpuint(n_zlp, ==, n_raw_512);
}

static void
ub_test_identify(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbUsbContext) usb_ctx = NULL;
	g_autoptr(libusb_device) usb_device = NULL;
	g_autoptr(UbUsbDeviceInfo) info = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GPtrArray) parts = NULL;
	const UbSaharaChipInfo *chip;
	gboolean ret;
	UbUsbTransport *usb;

	fixture_start(&fx, "1-2");
	usb = UB_USB_TRANSPORT(fx.host);
	g_assert_cmpuint(ub_transport_get_max_packet_size(fx.host), ==, 512);
	g_assert_cmphex(ub_usb_transport_get_ep_in(usb), ==, 0x81);
	g_assert_cmphex(ub_usb_transport_get_ep_out(usb), ==, 0x01);
	usb_ctx = ub_usb_context_acquire(&error);
	g_assert_no_error(error);
	usb_device = ub_usb_context_find_device_by_path(usb_ctx, "1-2", &error);
	g_assert_no_error(error);
	info = ub_usb_device_info_new_from_libusb(usb_device, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ub_usb_device_info_get_mode(info), ==, UB_DEVICE_MODE_EDL);

	ret = ub_device_open(fx.device, progress, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ret);
	chip = ub_edl_device_get_chip_info(UB_EDL_DEVICE(fx.device));
	g_assert_nonnull(chip);
	g_assert_nonnull(ub_edl_device_get_firehose(UB_EDL_DEVICE(fx.device)));
	g_test_message("serial %s", ub_device_get_serial(fx.device));
	parts = ub_device_list_partitions(fx.device, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(parts);
	fixture_stop(&fx);
}

static void
ub_test_download_readback(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GArray) records = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GBytes) back = NULL;
	g_autoptr(GBytes) want = NULL;
	g_autofree gchar *xml = NULL;
	g_autofree gchar *boot_fn = NULL;
	gchar *boot = NULL;
	gsize boot_size = 0;
	UbPackageOptions options = {.storage = "emmc"};
	UbPackagePlanOptions plan_options = {0};
	UbDeviceLocation loc = {.partition = "boot"};
	gint64 start;
	gboolean ret;

	fixture_start(&fx, "1-3");
	xml = g_build_filename(fx.dir, "rawprogram0.xml", NULL);
	options.disk_size = ub_sim_storage_get_region_size(fx.storage, "user");
	pkg = ub_package_open(xml, &options, NULL, &error);
	g_assert_no_error(error);
	plan = ub_package_plan_to_plan(pkg, "flat-build", &plan_options, &error);
	g_assert_no_error(error);

	/* the executor opens the phone: Sahara, configure, GPTs */
	start = g_get_monotonic_time();
	ret = ub_plan_execute(plan, fx.device, progress, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(ret);
	g_test_message("Sahara + Firehose + download over umockdev libusb: %.2f s",
		       (g_get_monotonic_time() - start) / 1e6);
	g_assert_true(ub_edl_test_build_check_storage(fx.build, fx.storage, &error));
	g_assert_no_error(error);
	g_assert_true(ub_edl_test_check_gpt(fx.storage, "user", &error));
	g_assert_no_error(error);

	/* read back by name, from the GPT the download wrote */
	boot_fn = g_build_filename(fx.dir, "boot.img", NULL);
	g_assert_true(g_file_get_contents(boot_fn, &boot, &boot_size, &error));
	g_assert_no_error(error);
	want = g_bytes_new_take(boot, boot_size);
	loc.length = (boot_size + 511) / 512 * 512;
	g_assert_true(ub_device_read(fx.device, &loc, out, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	back = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
	g_assert_cmpuint(g_bytes_get_size(back), ==, loc.length);
	g_assert_cmpmem(g_bytes_get_data(back, NULL), boot_size, g_bytes_get_data(want, NULL), boot_size);

	records = ub_umockdev_sim_steal_out_lengths(fx.usb_sim);
	g_assert_nonnull(records);
	ub_test_check_wire(records);
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
	g_test_add_func("/ub/usb/edl/umockdev/identify", ub_test_identify);
	g_test_add_func("/ub/usb/edl/umockdev/download-readback", ub_test_download_readback);
	rc = g_test_run();
	g_object_unref(ub_test_testbed);
	return rc;
}
