/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mtk/ub-mtk-brom.h"
#include "mtk/ub-mtk-device.h"
#include "mtk/ub-mtk-legacy.h"
#include "mtk/ub-mtk-proto.h"
#include "ub-error.h"
#include "ub-memory-transport.h"
#include "ub-mtk-test-common.h"
#include "ub-partition.h"
#include "ub-sim-mtk.h"
#include "ub-sim-phone.h"
#include "ub-sim-storage.h"

/* the PMT codec: entries round trip, a torn table is refused */
static void
ub_mtk_legacy_pmt_func(void)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) back = NULL;
	g_autoptr(GBytes) pmt = NULL;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(parts, ub_partition_new("NVRAM", "user", 0x800000, 0x500000));
	g_ptr_array_add(parts, ub_partition_new("ANDROID", "user", 0x4000000, 0x40000000));
	pmt = ub_mtk_pmt_build(parts, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(pmt), ==, 2 * UB_MTK_PMT_ENTRY_LEN);
	back = ub_mtk_pmt_parse(g_bytes_get_data(pmt, NULL), g_bytes_get_size(pmt), "user", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->len, ==, 2);
	g_assert_cmpstr(ub_partition_get_name(g_ptr_array_index(back, 1)), ==, "ANDROID");
	g_assert_cmpuint(ub_partition_get_offset(g_ptr_array_index(back, 1)), ==, 0x4000000);
	g_assert_cmpuint(ub_partition_get_size(g_ptr_array_index(back, 0)), ==, 0x500000);
	g_assert_null(ub_mtk_pmt_parse(g_bytes_get_data(pmt, NULL), 95, "user", &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpuint((guint16)ub_mtk_xflash_checksum((const guint8 *)"\xff\xff\x02", 3), ==, 0x200);
}

/* BROM -> DA1 -> legacy DA on a simulated MT6572: write, read back, format, PMT */
static void
ub_mtk_legacy_session_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-mtk-legacy-XXXXXX", &error);
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(UbMtkLegacy) legacy = NULL;
	UbMtkBromInfo info = {0};
	g_autoptr(GBytes) da1 = NULL;
	g_autoptr(GBytes) da2 = NULL;
	g_autoptr(GInputStream) da1_in = NULL;
	g_autoptr(GInputStream) img_in = NULL;
	g_autoptr(GOutputStream) out = NULL;
	g_autoptr(GBytes) readback = NULL;
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) pmt = NULL;
	g_autofree guint8 *img = g_malloc(0x180000 + 100);
	guint8 sector[512];
	UbSimMtk *sim;
	gsize imgsz = 0x180000 + 100;
	guint32 da_addr;

	g_assert_no_error(error);
	storage = ub_sim_storage_open(tmpdir, "emmc:1G", &error);
	g_assert_no_error(error);
	phone = ub_sim_phone_new("mtk", storage, NULL, &error);
	g_assert_no_error(error);
	sim = UB_SIM_MTK(ub_sim_phone_get_personality(phone));
	ub_sim_mtk_set_preloader_mode(sim, TRUE);
	ub_sim_mtk_set_hw_code(sim, 0x6572);
	ub_memory_transport_new_pair(512, &host, &dev);
	g_assert_true(ub_sim_phone_start(phone, dev, &error));
	g_assert_no_error(error);

	/* the preloader takes DA1 */
	brom = ub_mtk_brom_new(host);
	g_assert_true(ub_mtk_brom_handshake(brom, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_mtk_brom_identify(brom, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmphex(info.hw_code, ==, 0x6572);
	da_addr = ub_mtk_chip_lookup(0x6572)->da_payload_addr;
	{
		g_autofree guint8 *buf = g_malloc0(0x3000);
		memset(buf, 0x11, 0x3000);
		da1 = g_bytes_new_take(g_steal_pointer(&buf), 0x3000);
	}
	da1_in = g_memory_input_stream_new_from_bytes(da1);
	g_assert_true(ub_mtk_brom_send_da(brom, da_addr, da1_in, 0x3000, 0x100, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_mtk_brom_jump_da(brom, da_addr, NULL, &error));
	g_assert_no_error(error);

	/* the legacy DA: sync, config, DA2 in 4 KiB packets, eMMC report */
	legacy = ub_mtk_legacy_new(host);
	{
		/* three 4 KiB packets, the last one short */
		g_autofree guint8 *buf = g_malloc0(0x2800);
		da2 = g_bytes_new_take(g_steal_pointer(&buf), 0x2800);
	}
	g_assert_true(ub_mtk_legacy_boot(legacy, TRUE, NULL, 0x80000000, da2, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_mtk_legacy_get_info(legacy)->user_size, ==,
			 ub_sim_storage_get_region_size(storage, "user"));
	g_assert_cmpuint(ub_mtk_legacy_get_info(legacy)->block_size, ==, 512);

	/* a write of two packets and a tail, padded to 512 */
	for (gsize i = 0; i < imgsz; i++)
		img[i] = (guint8)(i * 7 + (i >> 12));
	img_in = g_memory_input_stream_new_from_data(img, imgsz, NULL);
	g_assert_true(ub_mtk_legacy_write(legacy,
					  UB_MTK_LEGACY_PART_USER,
					  0x100000,
					  img_in,
					  imgsz,
					  NULL,
					  NULL,
					  &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_mtk_get_write_count(sim), ==, 2);
	out = g_memory_output_stream_new_resizable();
	g_assert_true(ub_mtk_legacy_read(legacy,
					 UB_MTK_LEGACY_PART_USER,
					 0x100000,
					 imgsz,
					 out,
					 NULL,
					 NULL,
					 &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	readback = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
	g_assert_cmpmem(g_bytes_get_data(readback, NULL), g_bytes_get_size(readback), img, imgsz);

	/* outside the storage: the DA's NACK and code */
	g_assert_false(ub_mtk_legacy_format(legacy,
					    UB_MTK_LEGACY_PART_USER,
					    ub_sim_storage_get_region_size(storage, "user"),
					    0x1000,
					    NULL,
					    NULL,
					    &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_assert_nonnull(strstr(error->message, "outside the storage"));
	g_clear_error(&error);

	/* a format clears the range */
	g_assert_true(ub_mtk_legacy_format(legacy, UB_MTK_LEGACY_PART_USER, 0x100000, 0x1000, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_storage_read(storage, "user", 0x100000, sector, sizeof(sector), &error));
	g_assert_no_error(error);
	for (guint i = 0; i < sizeof(sector); i++)
		g_assert_true(sector[i] == 0x00 || sector[i] == 0xFF);

	/* the PMT: none, then the one written */
	pmt = ub_mtk_legacy_read_pmt(legacy, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pmt->len, ==, 0);
	g_clear_pointer(&pmt, g_ptr_array_unref);
	g_ptr_array_add(parts, ub_partition_new("PRO_INFO", "user", 0x200000, 0x300000));
	g_ptr_array_add(parts, ub_partition_new("NVRAM", "user", 0x500000, 0x500000));
	g_assert_true(ub_mtk_legacy_write_pmt(legacy, parts, NULL, &error));
	g_assert_no_error(error);
	pmt = ub_mtk_legacy_read_pmt(legacy, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pmt->len, ==, 2);
	g_assert_cmpstr(ub_partition_get_name(g_ptr_array_index(pmt, 1)), ==, "NVRAM");
	g_assert_cmpuint(ub_partition_get_offset(g_ptr_array_index(pmt, 1)), ==, 0x500000);

	g_assert_true(ub_mtk_legacy_finish(legacy, 0, NULL, &error));
	g_assert_no_error(error);
	ub_mtk_brom_info_clear(&info);
	ub_transport_close(host);
	ub_sim_phone_stop(phone);
	{
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
		g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
	}
}

static GBytes *
ub_mtk_legacy_pattern(gsize size, guint8 seed)
{
	guint8 *buf = g_malloc(size);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(i * 13 + seed + (i >> 9));
	return g_bytes_new_take(buf, size);
}

static void
ub_mtk_legacy_device_write(UbDevice *device, const UbDeviceLocation *loc, GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes(blob);
	g_assert_true(ub_device_write(device, loc, in, g_bytes_get_size(blob), NULL, NULL, &error));
	g_assert_no_error(error);
}

static GBytes *
ub_mtk_legacy_device_read(UbDevice *device, const UbDeviceLocation *loc)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_assert_true(ub_device_read(device, loc, out, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
}

/*
 * The engine on an MT6572 (MBR/EBR + PMT era): open() boots the legacy DA,
 * the regions come from its eMMC report, the partitions from the PMT the
 * device writes, read/write/erase by partition name and by region go through
 * the legacy DA, and the PMT is still there after the phone restarted.
 */
static void
ub_mtk_legacy_device_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkTestPhone) phone = ub_mtk_test_phone_new("emmc:2G", NULL, TRUE, FALSE, &error);
	g_autoptr(GPtrArray) table = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(GBytes) img = ub_mtk_legacy_pattern(0x120000 + 512, 3);
	g_autoptr(GBytes) back = NULL;
	g_autoptr(GBytes) head = NULL;
	UbDeviceLocation android = {.partition = "android"};
	UbDeviceLocation missing = {.partition = "super"};
	UbDeviceLocation user_head = {.region = "user", .offset = 0, .length = 0x1000};
	UbDeviceLocation nvram = {.partition = "NVRAM"};
	guint8 sector[512];
	UbDevice *device;

	g_assert_no_error(error);
	g_assert_true(ub_mtk_test_phone_set_legacy(phone, 0x6572, &error));
	g_assert_no_error(error);
	device = phone->device;
	ub_mtk_device_set_timeout_limit(UB_MTK_DEVICE(device), 20000);
	g_assert_true(ub_device_open(device, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(device), "da-protocol"), ==, "legacy");
	g_assert_cmpstr(ub_device_get_storage_type(device), ==, "emmc");
	g_assert_nonnull(ub_device_find_region(device, "boot1"));
	g_assert_cmpuint(ub_device_find_region(device, "user")->size,
			 ==,
			 ub_sim_storage_get_region_size(phone->storage, "user"));

	/* a blank phone: no PMT, no partitions */
	parts = ub_device_list_partitions(device, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(parts->len, ==, 0);
	g_clear_pointer(&parts, g_ptr_array_unref);

	/* the device writes its own table */
	g_ptr_array_add(table, ub_partition_new("MBR", "user", 0, 0x80000));
	g_ptr_array_add(table, ub_partition_new("NVRAM", "user", 0x100000, 0x100000));
	g_ptr_array_add(table, ub_partition_new("ANDROID", "user", 0x400000, 0x200000));
	g_assert_true(ub_device_write_partition_table(device, "user", table, NULL, NULL, &error));
	g_assert_no_error(error);
	parts = ub_device_list_partitions(device, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(parts->len, ==, 3);
	g_clear_pointer(&parts, g_ptr_array_unref);

	/* by name (case as the scatter has it or not), through the legacy DA */
	ub_mtk_legacy_device_write(device, &android, img);
	{
		g_autofree guint8 *buf = g_malloc(g_bytes_get_size(img));
		g_assert_true(ub_sim_storage_read(phone->storage,
						  "user",
						  0x400000,
						  buf,
						  g_bytes_get_size(img),
						  &error));
		g_assert_no_error(error);
		g_assert_cmpmem(buf, g_bytes_get_size(img), g_bytes_get_data(img, NULL), g_bytes_get_size(img));
	}
	android.length = g_bytes_get_size(img);
	back = ub_mtk_legacy_device_read(device, &android);
	g_assert_true(g_bytes_equal(back, img));
	g_assert_false(ub_device_write(device, &missing, NULL, 0, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "in the PMT of the user area"));
	g_clear_error(&error);

	/* by region: an MBR image at the start of the user area */
	{
		g_autoptr(GBytes) mbr = ub_mtk_legacy_pattern(0x1000, 9);
		ub_mtk_legacy_device_write(device, &user_head, mbr);
		head = ub_mtk_legacy_device_read(device, &user_head);
		g_assert_true(g_bytes_equal(head, mbr));
	}

	/* erase by name */
	{
		g_autoptr(GBytes) cal = ub_mtk_legacy_pattern(0x1000, 21);
		nvram.length = 0x1000;
		ub_mtk_legacy_device_write(device, &nvram, cal);
		nvram.length = 0;
		g_assert_true(ub_device_erase(device, &nvram, NULL, NULL, &error));
		g_assert_no_error(error);
		g_assert_true(ub_sim_storage_read(phone->storage, "user", 0x100000, sector, sizeof(sector), &error));
		g_assert_no_error(error);
		for (guint i = 0; i < sizeof(sector); i++)
			g_assert_true(sector[i] == 0x00 || sector[i] == 0xFF);
	}

	/* the phone restarts: the PMT is on its storage */
	g_assert_true(ub_device_reboot(device, UB_REBOOT_MODE_SYSTEM, NULL, &error));
	g_assert_no_error(error);
	ub_device_close(device);
	ub_transport_close(ub_device_get_transport(device));
	g_assert_true(ub_sim_phone_wait(phone->phone, &error));
	g_assert_no_error(error);
	{
		g_autoptr(UbTransport) host = NULL;
		g_autoptr(UbTransport) dev = NULL;
		g_autoptr(UbDevice) again = NULL;
		g_autofree gchar *da_fn =
		    g_build_filename(phone->tmpdir, "MTK_AllInOne_DA_legacy.bin", NULL);
		g_autoptr(GFile) da_file = g_file_new_for_path(da_fn);
		ub_memory_transport_new_pair(512, &host, &dev);
		g_assert_true(ub_sim_phone_start(phone->phone, dev, &error));
		g_assert_no_error(error);
		again = ub_device_new_for_transport(host, UB_DEVICE_MODE_MTK_PRELOADER, FALSE, &error);
		g_assert_no_error(error);
		ub_mtk_device_set_da_file(UB_MTK_DEVICE(again), da_file);
		ub_mtk_device_set_timeout_limit(UB_MTK_DEVICE(again), 20000);
		g_assert_true(ub_device_open(again, NULL, NULL, &error));
		g_assert_no_error(error);
		parts = ub_device_list_partitions(again, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(parts->len, ==, 3);
		g_assert_cmpuint(ub_partition_get_offset(ub_partition_array_find(parts, "ANDROID")),
				 ==,
				 0x400000);
		android.length = g_bytes_get_size(img);
		g_clear_pointer(&back, g_bytes_unref);
		back = ub_mtk_legacy_device_read(again, &android);
		g_assert_true(g_bytes_equal(back, img));
		ub_device_close(again);
		ub_transport_close(host);
		g_set_object(&phone->dev, dev);
	}
}

/* an era phone whose DA file has no legacy entry: told before the DA is sent */
static void
ub_mtk_legacy_no_entry_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkTestPhone) phone = ub_mtk_test_phone_new("emmc:2G", NULL, TRUE, FALSE, &error);
	g_assert_no_error(error);
	ub_sim_mtk_set_hw_code(phone->sim, 0x6582);
	g_assert_false(ub_device_open(phone->device, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_nonnull(strstr(error->message, "is of the MBR/EBR (PMT) era"));
	g_assert_nonnull(strstr(error->message, "no legacy entry"));
	g_assert_true(g_str_has_suffix(error->message, "nothing was written"));
	g_assert_false(ub_sim_mtk_get_da_running(phone->sim));
	g_assert_cmpuint(ub_sim_mtk_get_write_count(phone->sim), ==, 0);
}

/* an XFlash phone whose user area starts with an MBR: its table is refused */
static void
ub_mtk_legacy_xflash_mbr_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbMtkTestPhone) phone = ub_mtk_test_phone_new("emmc:2G", NULL, TRUE, FALSE, &error);
	g_autoptr(GPtrArray) parts = NULL;
	guint8 mbr[512] = {0};

	g_assert_no_error(error);
	mbr[446 + 4] = 0x83;
	mbr[446 + 8] = 0x01;
	mbr[446 + 12] = 0x10;
	mbr[510] = 0x55;
	mbr[511] = 0xAA;
	g_assert_true(ub_sim_storage_erase(phone->storage, "user", 0, 0x8000, &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_storage_write(phone->storage, "user", 0, mbr, sizeof(mbr), &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_open(phone->device, NULL, NULL, &error));
	g_assert_no_error(error);
	parts = ub_device_list_partitions(phone->device, NULL, &error);
	g_assert_null(parts);
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "of the MBR/EBR (PMT) era"));
	g_assert_nonnull(strstr(error->message, "legacy Download Agent protocol"));
	g_assert_true(g_str_has_suffix(error->message, "nothing was written"));
	g_clear_error(&error);
	/* and its DA keeps a GPT the host builds */
	{
		g_autoptr(GPtrArray) table = g_ptr_array_new_with_free_func(g_object_unref);
		g_ptr_array_add(table, ub_partition_new("NVRAM", "user", 0x100000, 0x100000));
		g_assert_false(
		    ub_device_write_partition_table(phone->device, "user", table, NULL, NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	}
	g_assert_cmpuint(ub_sim_mtk_get_write_count(phone->sim), ==, 0);
}

/* the chip table says which chips take the legacy DA with a PMT */
static void
ub_mtk_legacy_chips_func(void)
{
	g_assert_true(ub_mtk_chip_is_pmt_era(ub_mtk_chip_lookup(0x6572)));
	g_assert_true(ub_mtk_chip_is_pmt_era(ub_mtk_chip_lookup_platform("MT6582")));
	g_assert_cmpint(ub_mtk_chip_lookup_platform("MT6582")->da_protocol, ==, UB_MTK_DA_PROTOCOL_LEGACY);
	/* a legacy DA, but GPT-era phones this tool drives with XFlash */
	g_assert_cmpint(ub_mtk_chip_lookup_platform("MT6735")->da_protocol, ==, UB_MTK_DA_PROTOCOL_LEGACY);
	g_assert_false(ub_mtk_chip_is_pmt_era(ub_mtk_chip_lookup_platform("MT6735")));
	g_assert_false(ub_mtk_chip_is_pmt_era(ub_mtk_chip_lookup_platform("MT6765")));
	g_assert_false(ub_mtk_chip_is_pmt_era(NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/mtk/legacy/pmt", ub_mtk_legacy_pmt_func);
	g_test_add_func("/ub/mtk/legacy/session", ub_mtk_legacy_session_func);
	g_test_add_func("/ub/mtk/legacy/device", ub_mtk_legacy_device_func);
	g_test_add_func("/ub/mtk/legacy/no-entry", ub_mtk_legacy_no_entry_func);
	g_test_add_func("/ub/mtk/legacy/chips", ub_mtk_legacy_chips_func);
	g_test_add_func("/ub/mtk/legacy/xflash-mbr", ub_mtk_legacy_xflash_mbr_func);
	return g_test_run();
}
