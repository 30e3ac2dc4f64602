/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-gpt.h"
#include "formats/ub-sparse-image.h"
#include "mtk/ub-mtk-da-file.h"
#include "mtk/ub-mtk-device.h"
#include "ub-core.h"
#include "ub-mem.h"
#include "ub-memory-transport.h"
#include "ub-sim-mtk.h"
#include "ub-sim-phone.h"
#include "ub-sim-storage.h"

/*
 * UbMtkDevice against the simulated MediaTek phone in this process: a DA file
 * in the real format built here (dummy DA1/DA2), a preloader carrying EMI
 * settings, eMMC and UFS storage, BootROM and preloader mode, the speed
 * switch to 0e8d:2001 followed through the reconnect hook.
 */

#define UB_MTK_TEST_DA1_ADDR 0x00201000 /* MT6765's in data/mtk-chips.json */
#define UB_MTK_TEST_DA2_ADDR 0x40000000

typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPhone *phone;
	UbSimMtk *sim;
	UbTransport *host;
	UbTransport *dev;
	UbDevice *device;
	guint n_reconnects;
} UbMtkTestPhone;

static GBytes *
ub_mtk_test_pattern(gsize size, guint32 seed)
{
	guint8 *buf = g_malloc(size);
	guint32 x = seed * 2654435761u + 1;
	for (gsize i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (guint8)x;
	}
	return g_bytes_new_take(buf, size);
}

static void
ub_mtk_test_rmtree(const gchar *path)
{
	g_autofree gchar *cmd = NULL;
	if (path == NULL)
		return;
	cmd = g_strdup_printf("rm -rf '%s'", path);
	g_assert_cmpint(system(cmd), ==, 0);
}

/* a DA file with one XFlash entry for @da_code */
static gchar *
ub_mtk_test_write_da(const gchar *dir, guint16 da_code)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GBytes) file = NULL;
	g_autoptr(GError) error = NULL;
	UbMtkDaEntry *entry = g_new0(UbMtkDaEntry, 1);
	gchar *fn = g_build_filename(dir, "MTK_AllInOne_DA.bin", NULL);

	entry->hw_code = da_code;
	entry->hw_sub_code = 0x8A00;
	entry->n_regions = 3;
	entry->regions[0].load_addr = 0x50000000;
	entry->regions[1].load_addr = UB_MTK_TEST_DA1_ADDR;
	entry->regions[1].sig_len = 0x100;
	entry->regions[2].load_addr = UB_MTK_TEST_DA2_ADDR;
	entry->regions[2].sig_len = 0x100;
	g_ptr_array_add(entries, entry);
	g_ptr_array_add(blobs, ub_mtk_test_pattern(0x40, 1));
	g_ptr_array_add(blobs, ub_mtk_test_pattern(0x3001, 2));
	g_ptr_array_add(blobs, ub_mtk_test_pattern(0x12345, 3));
	file = ub_mtk_da_file_build("MTK_AllInOne_DA_v3", entries, blobs, &error);
	g_assert_no_error(error);
	g_assert_true(g_file_set_contents(fn,
					  g_bytes_get_data(file, NULL),
					  (gssize)g_bytes_get_size(file),
					  &error));
	g_assert_no_error(error);
	return fn;
}

/* a bare preloader: GFH "MMM", some code, the EMI block */
static GBytes *
ub_mtk_test_preloader_image(void)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	g_autoptr(GBytes) code = ub_mtk_test_pattern(0x3000, 9);
	const guint8 gfh[] = {'M', 'M', 'M', 0x01, 0x38, 0x00, 0x00, 0x00, 'F', 'I', 'L', 'E',
			      '_', 'I', 'N', 'F', 'O'};
	const gchar emi[] = "MTK_BLOADER_INFO_v25\0\0\0\0simulated EMI settings";
	g_byte_array_append(buf, gfh, sizeof(gfh));
	g_byte_array_append(buf, g_bytes_get_data(code, NULL), (guint)g_bytes_get_size(code));
	g_byte_array_append(buf, (const guint8 *)emi, sizeof(emi));
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

/* the phone comes back on a new pipe after SWITCH_USB_SPEED */
static UbTransport *
ub_mtk_test_reconnect_cb(UbDevice *device,
			 UbDeviceMode mode,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 gpointer user_data,
			 GError **error)
{
	UbMtkTestPhone *self = user_data;
	UbTransport *host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(GError) error_local = NULL;

	g_assert_cmpint(mode, ==, UB_DEVICE_MODE_MTK_DA);
	if (!ub_sim_phone_wait(self->phone, &error_local))
		g_debug("previous session: %s", error_local->message);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(self->sim), ==, "da");
	ub_memory_transport_new_pair(512, &host, &dev);
	if (!ub_sim_phone_start(self->phone, dev, error)) {
		g_object_unref(host);
		return NULL;
	}
	g_set_object(&self->dev, dev);
	self->n_reconnects++;
	return host;
}

static UbMtkTestPhone *
ub_mtk_test_phone_new(const gchar *geometry,
		      gboolean preloader,
		      guint32 target_config,
		      gboolean full_speed,
		      guint16 da_code,
		      gboolean give_preloader)
{
	UbMtkTestPhone *self = g_new0(UbMtkTestPhone, 1);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) faults = NULL;
	g_autofree gchar *da = NULL;
	g_autoptr(GFile) da_file = NULL;

	self->tmpdir = g_dir_make_tmp("ub-mtk-phone-XXXXXX", &error);
	g_assert_no_error(error);
	self->storage = ub_sim_storage_open(self->tmpdir, geometry, &error);
	g_assert_no_error(error);
	faults = ub_sim_faults_new_from_string(NULL, &error);
	g_assert_no_error(error);
	self->phone = ub_sim_phone_new("mtk", self->storage, faults, &error);
	g_assert_no_error(error);
	self->sim = UB_SIM_MTK(ub_sim_phone_get_personality(self->phone));
	ub_sim_mtk_set_preloader_mode(self->sim, preloader);
	ub_sim_mtk_set_target_config(self->sim, target_config);
	ub_sim_mtk_set_full_speed(self->sim, full_speed);
	ub_memory_transport_new_pair(512, &self->host, &self->dev);
	g_assert_true(ub_sim_phone_start(self->phone, self->dev, &error));
	g_assert_no_error(error);

	self->device = ub_device_new_for_transport(self->host,
						   preloader ? UB_DEVICE_MODE_MTK_PRELOADER
							     : UB_DEVICE_MODE_MTK_BROM,
						   FALSE,
						   &error);
	g_assert_no_error(error);
	g_assert_true(UB_IS_MTK_DEVICE(self->device));
	ub_device_set_reconnect_func(self->device, ub_mtk_test_reconnect_cb, self, NULL);
	ub_mtk_device_set_timeout_limit(UB_MTK_DEVICE(self->device), 10000);
	da = ub_mtk_test_write_da(self->tmpdir, da_code);
	da_file = g_file_new_for_path(da);
	ub_mtk_device_set_da_file(UB_MTK_DEVICE(self->device), da_file);
	if (give_preloader) {
		g_autoptr(GBytes) image = ub_mtk_test_preloader_image();
		g_autofree gchar *fn = g_build_filename(self->tmpdir, "preloader_sim.bin", NULL);
		g_autoptr(GFile) file = g_file_new_for_path(fn);
		g_assert_true(g_file_set_contents(fn,
						  g_bytes_get_data(image, NULL),
						  (gssize)g_bytes_get_size(image),
						  &error));
		ub_mtk_device_set_preloader(UB_MTK_DEVICE(self->device), file);
	}
	return self;
}

static void
ub_mtk_test_phone_free(UbMtkTestPhone *self)
{
	if (self->device != NULL)
		ub_device_close(self->device);
	ub_transport_close(ub_device_get_transport(self->device));
	ub_sim_phone_stop(self->phone);
	g_clear_object(&self->device);
	g_clear_object(&self->phone);
	g_clear_object(&self->host);
	g_clear_object(&self->dev);
	g_clear_object(&self->storage);
	ub_mtk_test_rmtree(self->tmpdir);
	g_free(self->tmpdir);
	g_free(self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbMtkTestPhone, ub_mtk_test_phone_free)

static GBytes *
ub_mtk_test_read_loc(UbDevice *device, const UbDeviceLocation *loc, GError **error)
{
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	if (!ub_device_read(device, loc, out, NULL, NULL, error))
		return NULL;
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
}

static GBytes *
ub_mtk_test_storage_read(UbMtkTestPhone *self, const gchar *region, guint64 offset, gsize len)
{
	g_autofree guint8 *buf = g_malloc(len);
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_sim_storage_read(self->storage, region, offset, buf, len, &error));
	g_assert_no_error(error);
	return g_bytes_new_take(g_steal_pointer(&buf), len);
}

static void
ub_mtk_test_write_bytes(UbDevice *device, const UbDeviceLocation *loc, GBytes *data)
{
	g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes(data);
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_device_write(device, loc, in, g_bytes_get_size(data), NULL, NULL, &error));
	g_assert_no_error(error);
}

/* a GPT on the user region: a few partitions, 1 MiB aligned */
static void
ub_mtk_test_write_gpt(UbMtkTestPhone *self, const gchar *region, guint32 ss)
{
	const UbGptLayoutEntry layout[] = {
	    {"proinfo", 256 * 1024, NULL, 0, NULL},
	    {"nvram", 5 * 1024 * 1024, NULL, 0, NULL},
	    {"boot", 1024 * 1024, NULL, 0, NULL},
	    {"userdata", 0, NULL, 0, NULL},
	};
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_autoptr(GError) error = NULL;
	if (!ub_gpt_build(layout,
				   G_N_ELEMENTS(layout),
				   ss,
				   ub_sim_storage_get_region_size(self->storage, region),
				   NULL,
				   &primary,
				   &backup,
				   &error))
		g_error("%s", error->message);
	g_assert_true(ub_sim_storage_write_gpt(self->storage, region, primary, backup, &error));
	g_assert_no_error(error);
}

static UbPartition *
ub_mtk_test_find_part(GPtrArray *parts, const gchar *name)
{
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		if (g_strcmp0(ub_partition_get_name(part), name) == 0)
			return part;
	}
	return NULL;
}

/* a sparse image of 4 blocks of 4 KiB: RAW, DONT_CARE x2, FILL 0xdeadbeef */
static GBytes *
ub_mtk_test_sparse(GBytes *raw)
{
	guint8 hdr[28] = {0};
	guint8 chk[12] = {0};
	guint8 fill[4] = {0};
	g_autoptr(GByteArray) buf = g_byte_array_new();

	ub_mem_write_u32_le(hdr, 0, UB_SPARSE_MAGIC);
	ub_mem_write_u16_le(hdr, 4, 1);
	ub_mem_write_u16_le(hdr, 8, 28);
	ub_mem_write_u16_le(hdr, 10, 12);
	ub_mem_write_u32_le(hdr, 12, 4096);
	ub_mem_write_u32_le(hdr, 16, 4);
	ub_mem_write_u32_le(hdr, 20, 3);
	g_byte_array_append(buf, hdr, sizeof(hdr));
	ub_mem_write_u16_le(chk, 0, UB_SPARSE_CHUNK_TYPE_RAW);
	ub_mem_write_u32_le(chk, 4, 1);
	ub_mem_write_u32_le(chk, 8, 12 + 4096);
	g_byte_array_append(buf, chk, sizeof(chk));
	g_byte_array_append(buf, g_bytes_get_data(raw, NULL), 4096);
	ub_mem_write_u16_le(chk, 0, UB_SPARSE_CHUNK_TYPE_DONT_CARE);
	ub_mem_write_u32_le(chk, 4, 2);
	ub_mem_write_u32_le(chk, 8, 12);
	g_byte_array_append(buf, chk, sizeof(chk));
	ub_mem_write_u16_le(chk, 0, UB_SPARSE_CHUNK_TYPE_FILL);
	ub_mem_write_u32_le(chk, 4, 1);
	ub_mem_write_u32_le(chk, 8, 16);
	g_byte_array_append(buf, chk, sizeof(chk));
	ub_mem_write_u32_le(fill, 0, 0xdeadbeef);
	g_byte_array_append(buf, fill, sizeof(fill));
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

static void
ub_mtk_test_open(UbMtkTestPhone *phone)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_assert_true(ub_device_open(phone->device, progress, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_mtk_test_rw(UbMtkTestPhone *phone, const gchar *user, const gchar *boot1, const gchar *boot2)
{
	UbDevice *device = phone->device;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	UbPartition *nvram;
	UbPartition *boot;
	g_autoptr(GBytes) data = ub_mtk_test_pattern(3 * 1024 * 1024 + 1000, 11);
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GBytes) on_disk = NULL;
	UbDeviceLocation loc = {0};

	/* partitions of the user area's GPT */
	parts = ub_device_list_partitions(device, NULL, &error);
	g_assert_no_error(error);
	nvram = ub_mtk_test_find_part(parts, "nvram");
	boot = ub_mtk_test_find_part(parts, "boot");
	g_assert_nonnull(nvram);
	g_assert_nonnull(boot);
	g_assert_cmpstr(ub_partition_get_region(nvram), ==, user);
	g_assert_cmpuint(ub_partition_get_size(nvram), ==, 5 * 1024 * 1024);

	/* by name: more than one write packet (1 MiB), a short last one */
	loc.partition = "nvram";
	ub_mtk_test_write_bytes(device, &loc, data);
	on_disk = ub_mtk_test_storage_read(phone, user, ub_partition_get_offset(nvram), g_bytes_get_size(data));
	g_assert_true(g_bytes_equal(on_disk, data));
	loc.length = 3 * 1024 * 1024;
	got = ub_mtk_test_read_loc(device, &loc, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(got, NULL), 3 * 1024 * 1024, g_bytes_get_data(data, NULL), 3 * 1024 * 1024);
	g_clear_pointer(&got, g_bytes_unref);

	/* by region + offset + length */
	memset(&loc, 0, sizeof(loc));
	loc.region = user;
	loc.offset = ub_partition_get_offset(nvram) + 4096;
	loc.length = 8192;
	got = ub_mtk_test_read_loc(device, &loc, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(got, NULL), 8192, (const guint8 *)g_bytes_get_data(data, NULL) + 4096, 8192);
	g_clear_pointer(&got, g_bytes_unref);

	/* erase -> FORMAT: zeros (the simulated storage erases to zero) */
	memset(&loc, 0, sizeof(loc));
	loc.partition = "nvram";
	loc.offset = 1024 * 1024;
	loc.length = 1024 * 1024;
	g_assert_true(ub_device_erase(device, &loc, NULL, NULL, &error));
	g_assert_no_error(error);
	g_clear_pointer(&on_disk, g_bytes_unref);
	on_disk = ub_mtk_test_storage_read(phone, user, ub_partition_get_offset(nvram) + 1024 * 1024, 1024 * 1024);
	for (gsize i = 0; i < g_bytes_get_size(on_disk); i++)
		g_assert_cmpuint(((const guint8 *)g_bytes_get_data(on_disk, NULL))[i], ==, 0);
	g_clear_pointer(&on_disk, g_bytes_unref);
	on_disk = ub_mtk_test_storage_read(phone, user, ub_partition_get_offset(nvram), 4096);
	g_assert_cmpmem(g_bytes_get_data(on_disk, NULL), 4096, g_bytes_get_data(data, NULL), 4096);

	/* unaligned: refused before anything is sent */
	memset(&loc, 0, sizeof(loc));
	loc.region = user;
	loc.offset = 100;
	loc.length = 512;
	g_assert_null(ub_mtk_test_read_loc(device, &loc, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	memset(&loc, 0, sizeof(loc));
	loc.partition = "no-such-partition";
	g_assert_null(ub_mtk_test_read_loc(device, &loc, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* sparse: RAW and FILL written, DONT_CARE left as it was */
	{
		g_autoptr(GBytes) marker = NULL;
		g_autoptr(GBytes) raw = ub_mtk_test_pattern(4096, 12);
		g_autoptr(GBytes) sparse = ub_mtk_test_sparse(raw);
		guint8 *ones = g_malloc(4 * 4096);
		const guint8 *buf;
		memset(ones, 0x55, 4 * 4096);
		g_assert_true(ub_sim_storage_write(phone->storage,
						   user,
						   ub_partition_get_offset(boot),
						   ones,
						   4 * 4096,
						   &error));
		g_free(ones);
		memset(&loc, 0, sizeof(loc));
		loc.partition = "boot";
		ub_mtk_test_write_bytes(device, &loc, sparse);
		marker = ub_mtk_test_storage_read(phone, user, ub_partition_get_offset(boot), 4 * 4096);
		buf = g_bytes_get_data(marker, NULL);
		g_assert_cmpmem(buf, 4096, g_bytes_get_data(raw, NULL), 4096);
		for (gsize i = 4096; i < 3 * 4096; i++)
			g_assert_cmpuint(buf[i], ==, 0x55);
		for (gsize i = 3 * 4096; i < 4 * 4096; i += 4)
			g_assert_cmphex(ub_mem_read_u32_le(buf, i), ==, 0xdeadbeef);
	}

	/* the preloader: a boot header in front, in both boot areas */
	{
		g_autoptr(GBytes) pl = ub_mtk_test_preloader_image();
		const gchar *areas[] = {boot1, boot2};
		memset(&loc, 0, sizeof(loc));
		loc.partition = "preloader";
		ub_mtk_test_write_bytes(device, &loc, pl);
		for (guint i = 0; i < G_N_ELEMENTS(areas); i++) {
			g_autoptr(GBytes) area = ub_mtk_test_storage_read(phone, areas[i], 0, 0x2000 + g_bytes_get_size(pl));
			guint64 start = 0;
			g_assert_true(ub_mtk_preloader_boot_header_check(g_bytes_get_data(area, NULL),
									 g_bytes_get_size(area),
									 &start,
									 &error));
			g_assert_no_error(error);
			g_assert_cmpmem((const guint8 *)g_bytes_get_data(area, NULL) + start,
					g_bytes_get_size(pl),
					g_bytes_get_data(pl, NULL),
					g_bytes_get_size(pl));
		}
	}

	/* reboot: SHUTDOWN; the session is over */
	g_assert_true(ub_device_reboot(device, UB_REBOOT_MODE_SYSTEM, NULL, &error));
	g_assert_no_error(error);
	memset(&loc, 0, sizeof(loc));
	loc.partition = "nvram";
	g_assert_null(ub_mtk_test_read_loc(device, &loc, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG);
}

static void
ub_mtk_test_emmc_brom(void)
{
	g_autoptr(UbMtkTestPhone) phone =
	    ub_mtk_test_phone_new("emmc:256M", FALSE, 0, FALSE, 0x6765, TRUE);
	GHashTable *extra;
	GPtrArray *regions;

	ub_mtk_test_write_gpt(phone, "user", 512);
	ub_mtk_test_open(phone);
	g_assert_cmpint(ub_device_get_mode(phone->device), ==, UB_DEVICE_MODE_MTK_BROM);
	g_assert_nonnull(strstr(ub_device_get_chip(phone->device), "MT6765"));
	extra = ub_device_get_extra(phone->device);
	g_assert_cmpstr(g_hash_table_lookup(extra, "hw-code"), ==, "0x0766");
	g_assert_cmpstr(g_hash_table_lookup(extra, "secure-boot"), ==, "no");
	g_assert_cmpstr(g_hash_table_lookup(extra, "sla"), ==, "no");
	g_assert_cmpstr(g_hash_table_lookup(extra, "connected-to"), ==, "brom");
	g_assert_cmpstr(g_hash_table_lookup(extra, "da-connection-agent"), ==, "brom");
	g_assert_cmpstr(g_hash_table_lookup(extra, "write-packet-length"), ==, "1048576");
	g_assert_nonnull(g_hash_table_lookup(extra, "me-id"));
	g_assert_cmpstr(ub_device_get_storage_type(phone->device), ==, "emmc");
	regions = ub_device_get_regions(phone->device);
	g_assert_nonnull(ub_device_find_region(phone->device, "boot1"));
	g_assert_nonnull(ub_device_find_region(phone->device, "boot2"));
	g_assert_cmpuint(ub_device_find_region(phone->device, "user")->size,
			 ==,
			 ub_sim_storage_get_region_size(phone->storage, "user"));
	g_assert_cmpuint(regions->len, >=, 3);
	ub_mtk_test_rw(phone, "user", "boot1", "boot2");
}

static void
ub_mtk_test_ufs_preloader(void)
{
	g_autoptr(UbMtkTestPhone) phone = NULL;
	const gchar *geometry = "ufs-mtk:3:128M";

	/* MediaTek's UFS shape (small boot LUs lun0/lun1, lun2 main) when the simulator has it */
	UbSimStorageKind kind;
	guint n_luns = 0;
	guint64 size = 0;

	if (!ub_sim_storage_parse_geometry(geometry, &kind, &n_luns, &size, NULL))
		geometry = "ufs:3:128M";
	phone = ub_mtk_test_phone_new(geometry, TRUE, 0, FALSE, 0x6765, FALSE);
	GHashTable *extra;

	ub_mtk_test_write_gpt(phone, "lun2", 4096);
	ub_mtk_test_open(phone);
	g_assert_cmpint(ub_device_get_mode(phone->device), ==, UB_DEVICE_MODE_MTK_PRELOADER);
	extra = ub_device_get_extra(phone->device);
	g_assert_cmpstr(g_hash_table_lookup(extra, "connected-to"), ==, "preloader");
	g_assert_cmpstr(g_hash_table_lookup(extra, "da-connection-agent"), ==, "preloader");
	g_assert_cmpstr(ub_device_get_storage_type(phone->device), ==, "ufs");
	g_assert_nonnull(ub_device_find_region(phone->device, "lun0"));
	g_assert_nonnull(ub_device_find_region(phone->device, "lun1"));
	g_assert_cmpuint(ub_device_find_region(phone->device, "lun2")->sector_size, ==, 4096);
	ub_mtk_test_rw(phone, "lun2", "lun0", "lun1");
}

static void
ub_mtk_test_full_speed(void)
{
	g_autoptr(UbMtkTestPhone) phone =
	    ub_mtk_test_phone_new("emmc:64M", FALSE, 0, TRUE, 0x6765, TRUE);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) got = NULL;
	UbDeviceLocation loc = {.region = "user", .offset = 0, .length = 0x10000};

	ub_mtk_test_write_gpt(phone, "user", 512);
	ub_mtk_test_open(phone);
	/* the switch to 0e8d:2001 was followed in process */
	g_assert_cmpuint(phone->n_reconnects, ==, 1);
	g_assert_cmpint(ub_device_get_mode(phone->device), ==, UB_DEVICE_MODE_MTK_DA);
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(phone->device), "usb-speed"),
			==,
			"high-speed");
	got = ub_mtk_test_read_loc(phone->device, &loc, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(got), ==, 0x10000);
	/* the GPT came over the new connection */
	g_assert_cmpmem((const guint8 *)g_bytes_get_data(got, NULL) + 512, 8, "EFI PART", 8);
}

static void
ub_mtk_test_refusal(guint32 target_config, guint16 da_code, gboolean give_preloader, gint code, const gchar *needle)
{
	g_autoptr(UbMtkTestPhone) phone =
	    ub_mtk_test_phone_new("emmc:64M", FALSE, target_config, FALSE, da_code, give_preloader);
	g_autoptr(GError) error = NULL;

	g_assert_false(ub_device_open(phone->device, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, code);
	g_assert_nonnull(strstr(error->message, needle));
	/* refused before anything was written */
	g_assert_cmpuint(ub_sim_mtk_get_write_count(phone->sim), ==, 0);
}

static void
ub_mtk_test_sla(void)
{
	ub_mtk_test_refusal(UB_MTK_TARGET_CONFIG_SBC | UB_MTK_TARGET_CONFIG_SLA,
			    0x6765,
			    TRUE,
			    UB_ERROR_AUTH_REQUIRED,
			    "--auth");
}

static void
ub_mtk_test_no_entry(void)
{
	/* a DA file for MT6768 only */
	ub_mtk_test_refusal(0, 0x6768, TRUE, UB_ERROR_NOT_FOUND, "MT6768");
}

static void
ub_mtk_test_no_emi(void)
{
	ub_mtk_test_refusal(0, 0x6765, FALSE, UB_ERROR_INVALID_DATA, "--preloader");
}

static void
ub_mtk_test_identify_only(void)
{
	g_autoptr(UbMtkTestPhone) phone =
	    ub_mtk_test_phone_new("emmc:64M", TRUE, UB_MTK_TARGET_CONFIG_SBC | UB_MTK_TARGET_CONFIG_DAA, FALSE, 0x6765, FALSE);
	g_autoptr(GError) error = NULL;
	GHashTable *extra;

	ub_mtk_device_set_identify_only(UB_MTK_DEVICE(phone->device), TRUE);
	g_assert_true(ub_device_open(phone->device, NULL, NULL, &error));
	g_assert_no_error(error);
	extra = ub_device_get_extra(phone->device);
	g_assert_cmpstr(g_hash_table_lookup(extra, "secure-boot"), ==, "yes");
	g_assert_cmpstr(g_hash_table_lookup(extra, "daa"), ==, "yes");
	g_assert_cmpstr(g_hash_table_lookup(extra, "sla"), ==, "no");
	g_assert_cmpstr(g_hash_table_lookup(extra, "bl-version"), ==, "1");
	g_assert_nonnull(g_hash_table_lookup(extra, "soc-id"));
	g_assert_false(ub_sim_mtk_get_da_running(phone->sim));
}

static void
ub_mtk_test_preloader_emi(void)
{
	g_autoptr(GBytes) image = ub_mtk_test_preloader_image();
	g_autoptr(GBytes) emi = NULL;
	g_autoptr(GError) error = NULL;
	guint8 signed_pl[0x2000] = {0};
	const gchar block[] = "MTK_BLOADER_INFO_v36\0block";
	gsize part = 0x1800;

	/* a bare image: from the tag to the end */
	emi = ub_mtk_preloader_get_emi(g_bytes_get_data(image, NULL), g_bytes_get_size(image), &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(g_bytes_get_data(emi, NULL), "MTK_BLOADER_INFO_v25"));
	g_clear_pointer(&emi, g_bytes_unref);

	/* a signed image: the GFH says where the unsigned part ends, the u32 before it
	 * how long the EMI block is */
	memcpy(signed_pl + 0x100, "MMM\x01\x38\x00\x00\x00", 8);
	ub_mem_write_u32_le(signed_pl, 0x100 + 0x20, (guint32)(part + 0x200));
	ub_mem_write_u32_le(signed_pl, 0x100 + 0x2C, 0x200);
	memcpy(signed_pl + 0x100 + part - 4 - sizeof(block), block, sizeof(block));
	ub_mem_write_u32_le(signed_pl, 0x100 + part - 4, sizeof(block));
	/* a decoy tag elsewhere is not what is taken */
	memcpy(signed_pl + 0x400, "MTK_BLOADER_INFO_v11", 20);
	emi = ub_mtk_preloader_get_emi(signed_pl, sizeof(signed_pl), &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(emi, NULL), g_bytes_get_size(emi), block, sizeof(block));
	g_clear_pointer(&emi, g_bytes_unref);

	/* no settings at all */
	emi = ub_mtk_preloader_get_emi((const guint8 *)"MMM\x01nothing", 11, &error);
	g_assert_null(emi);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

int
main(int argc, char **argv)
{
	/* the simulated phone keeps the GPT the test writes */
	g_setenv("UB_SIM_LAYOUT", "gpt", TRUE);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/mtk/device/preloader-emi", ub_mtk_test_preloader_emi);
	g_test_add_func("/ub/mtk/device/emmc-brom", ub_mtk_test_emmc_brom);
	g_test_add_func("/ub/mtk/device/ufs-preloader", ub_mtk_test_ufs_preloader);
	g_test_add_func("/ub/mtk/device/full-speed", ub_mtk_test_full_speed);
	g_test_add_func("/ub/mtk/device/identify-only", ub_mtk_test_identify_only);
	g_test_add_func("/ub/mtk/device/refused/sla", ub_mtk_test_sla);
	g_test_add_func("/ub/mtk/device/refused/no-da-entry", ub_mtk_test_no_entry);
	g_test_add_func("/ub/mtk/device/refused/no-emi", ub_mtk_test_no_emi);
	return g_test_run();
}
