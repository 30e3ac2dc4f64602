/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "edl/ub-edl-device.h"
#include "edl/ub-sahara.h"
#include "formats/ub-gpt.h"
#include "formats/ub-package-flat-build.h"
#include "formats/ub-package-plan.h"
#include "formats/ub-qcom-expr.h"
#include "formats/ub-rawprogram.h"
#include "formats/ub-sparse-writer.h"
#include "sim/ub-sim-edl.h"
#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-storage.h"
#include "ub-core.h"
#include "ub-mem.h"
#include "ub-memory-transport.h"
#include "ub-plan-executor.h"

#define KiB 1024
#define MiB (1024 * 1024)

#define TEST_SERIAL 0x1234abcdu
#define TEST_HWID   G_GUINT64_CONSTANT(0x000a50e100720000)
#define TEST_PKHASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* set when a check needed sgdisk and it was not there: main() then exits 77 */
static gboolean sgdisk_missing = FALSE;

/* a simulated 9008 phone in this process, and the engine talking to it */
typedef struct {
	gchar *tmpdir;
	gchar *programmer;
	UbSimStorage *storage;
	UbSimPhone *phone;
	UbTransport *host;
	UbTransport *dev;
	UbDevice *device;
} Fixture;

/* a tiny ELF64 programmer: header, two program headers, two PT_LOAD segments */
static gchar *
write_programmer(const gchar *dir)
{
	const gsize seg_off[] = {0x1000, 0x2000};
	const gsize seg_len[] = {0x800, 0x1234};
	gsize size = 0x2000 + 0x1234;
	g_autofree guint8 *buf = g_malloc0(size);
	g_autoptr(GError) error = NULL;
	gchar *fn = g_build_filename(dir, "prog_firehose_ddr.elf", NULL);

	memcpy(buf, "\x7f" "ELF", 4);
	buf[4] = 2; /* ELFCLASS64 */
	buf[5] = 1; /* little endian */
	buf[6] = 1; /* EV_CURRENT */
	ub_mem_write_u16_le(buf, 16, 2);      /* ET_EXEC */
	ub_mem_write_u16_le(buf, 18, 0xb7);   /* EM_AARCH64 */
	ub_mem_write_u32_le(buf, 20, 1);      /* e_version */
	ub_mem_write_u64_le(buf, 24, 0x14680000); /* e_entry */
	ub_mem_write_u64_le(buf, 32, 64);     /* e_phoff */
	ub_mem_write_u16_le(buf, 52, 64);     /* e_ehsize */
	ub_mem_write_u16_le(buf, 54, 56);     /* e_phentsize */
	ub_mem_write_u16_le(buf, 56, 2);      /* e_phnum */
	for (guint i = 0; i < 2; i++) {
		gsize ph = 64 + i * 56;
		ub_mem_write_u32_le(buf, ph + 0, 1); /* PT_LOAD */
		ub_mem_write_u32_le(buf, ph + 4, 5); /* R+X */
		ub_mem_write_u64_le(buf, ph + 8, seg_off[i]);
		ub_mem_write_u64_le(buf, ph + 16, 0x14680000 + seg_off[i]);
		ub_mem_write_u64_le(buf, ph + 24, 0x14680000 + seg_off[i]);
		ub_mem_write_u64_le(buf, ph + 32, seg_len[i]);
		ub_mem_write_u64_le(buf, ph + 40, seg_len[i]);
		ub_mem_write_u64_le(buf, ph + 48, 0x1000);
		for (gsize j = 0; j < seg_len[i]; j++)
			buf[seg_off[i] + j] = (guint8)(j * 7 + i);
	}
	g_assert_true(g_file_set_contents(fn, (const gchar *)buf, (gssize)size, &error));
	g_assert_no_error(error);
	return fn;
}

static GBytes *
make_pattern(gsize size, guint32 seed)
{
	guint8 *buf = g_malloc(size);
	guint32 x = seed;
	for (gsize i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (guint8)(x >> 16);
	}
	return g_bytes_new_take(buf, size);
}

/* wMaxPacketSize of the next fixture's pipe; 0: USB 2.0's 512 */
static guint fixture_packet_size = 0;

/* @layout: "gpt" keeps the storage's A/B table on eMMC; "qcom" is the EDL
 * phone's own (UFS: six LUNs, xbl_a on LUN 1 and xbl_b on LUN 2) */
static void
fixture_start_full(Fixture *fx,
		   const gchar *geometry,
		   guint sahara_version,
		   const gchar *layout,
		   const gchar *faults)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) sim_faults = ub_sim_faults_new_from_string(faults, &error);
	UbSimEdl *sim;

	fx->tmpdir = g_dir_make_tmp("ub-edl-device-XXXXXX", &error);
	g_assert_no_error(error);
	fx->programmer = write_programmer(fx->tmpdir);
	{
		g_autofree gchar *storage_dir = g_build_filename(fx->tmpdir, "phone", NULL);
		fx->storage = ub_sim_storage_open(storage_dir, geometry, &error);
	}
	g_assert_no_error(error);
	g_setenv("UB_SIM_LAYOUT", layout, TRUE);
	g_assert_no_error(error);
	fx->phone = ub_sim_phone_new("edl", fx->storage, sim_faults, &error);
	g_assert_no_error(error);
	sim = UB_SIM_EDL(ub_sim_phone_get_personality(fx->phone));
	ub_sim_edl_set_sahara_version(sim, sahara_version);
	ub_sim_edl_set_serial(sim, TEST_SERIAL);
	ub_sim_edl_set_hwid(sim, TEST_HWID);
	g_assert_true(ub_sim_edl_set_pk_hash(sim, TEST_PKHASH, &error));
	g_assert_no_error(error);
	ub_memory_transport_new_pair(fixture_packet_size > 0 ? fixture_packet_size
							     : UB_SIM_PHONE_MAX_PACKET_SIZE,
				     &fx->host,
				     &fx->dev);
	g_assert_true(ub_sim_phone_start(fx->phone, fx->dev, &error));
	g_assert_no_error(error);
	fx->device = ub_edl_device_new(fx->host);
	ub_device_set_simulated(fx->device, TRUE);
}

static void
fixture_start(Fixture *fx, const gchar *geometry, guint sahara_version)
{
	gboolean ufs = g_str_has_prefix(geometry, "ufs");
	fixture_start_full(fx, geometry, sahara_version, ufs ? "qcom" : "gpt", NULL);
}

static void
fixture_set_programmer(Fixture *fx)
{
	g_autoptr(GFile) file = g_file_new_for_path(fx->programmer);
	ub_edl_device_set_programmer(UB_EDL_DEVICE(fx->device), file);
}

static void
fixture_open(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	fixture_set_programmer(fx);
	g_assert_true(ub_device_open(fx->device, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpfloat(ub_progress_get_fraction(progress), >, 0.99);
	g_assert_true(ub_device_identify(fx->device, NULL, &error));
	g_assert_no_error(error);
}

static void
fixture_stop(Fixture *fx)
{
	if (fx->host != NULL)
		ub_transport_close(fx->host);
	if (fx->phone != NULL)
		ub_sim_phone_stop(fx->phone);
	g_clear_object(&fx->device);
	g_clear_object(&fx->phone);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	g_clear_object(&fx->storage);
	if (fx->tmpdir != NULL) {
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
		g_assert_cmpint(system(cmd), ==, 0);
	}
	g_free(fx->tmpdir);
	g_free(fx->programmer);
}

static UbPartition *
sim_partition(Fixture *fx, const gchar *name)
{
	g_autoptr(GError) error = NULL;
	UbPartition *part = ub_sim_storage_find_partition(fx->storage, name, &error);
	g_assert_no_error(error);
	g_assert_nonnull(part);
	return part;
}

static GBytes *
sim_read(Fixture *fx, const gchar *region, guint64 offset, gsize size)
{
	g_autoptr(GError) error = NULL;
	guint8 *buf = g_malloc(size);
	g_assert_true(ub_sim_storage_read(fx->storage, region, offset, buf, size, &error));
	g_assert_no_error(error);
	return g_bytes_new_take(buf, size);
}

static gboolean
dev_write(Fixture *fx, const UbDeviceLocation *loc, GBytes *blob, GError **error)
{
	g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes(blob);
	g_autoptr(UbProgress) progress = ub_progress_new();
	return ub_device_write(fx->device,
			       loc,
			       stream,
			       g_bytes_get_size(blob),
			       progress,
			       NULL,
			       error);
}

static GBytes *
dev_read(Fixture *fx, const UbDeviceLocation *loc, GError **error)
{
	g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable();
	g_autoptr(UbProgress) progress = ub_progress_new();
	if (!ub_device_read(fx->device, loc, stream, progress, NULL, error))
		return NULL;
	g_assert_true(g_output_stream_close(stream, NULL, NULL));
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(stream));
}

static void
assert_bytes_equal(GBytes *a, GBytes *b)
{
	g_assert_cmpmem(g_bytes_get_data(a, NULL),
			g_bytes_get_size(a),
			g_bytes_get_data(b, NULL),
			g_bytes_get_size(b));
}

static gboolean
bytes_are(GBytes *blob, guint8 value)
{
	gsize size = 0;
	const guint8 *buf = g_bytes_get_data(blob, &size);
	for (gsize i = 0; i < size; i++) {
		if (buf[i] != value)
			return FALSE;
	}
	return TRUE;
}

/* the primary GPT of @region as the storage holds it, %NULL when none is valid */
static UbGpt *
sim_gpt(Fixture *fx, const gchar *region)
{
	guint32 ss = ub_sim_storage_get_sector_size(fx->storage);
	g_autoptr(GBytes) head = sim_read(fx, region, 0, 64 * ss);
	return ub_gpt_parse(g_bytes_get_data(head, NULL), 64 * ss, ss, NULL);
}

/* the engine's partitions equal what the GPTs on the simulated storage say */
static void
check_partitions(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) parts = ub_device_list_partitions(fx->device, NULL, &error);
	g_auto(GStrv) names = ub_sim_storage_get_region_names(fx->storage);
	guint n_want = 0;
	g_assert_no_error(error);
	g_assert_nonnull(parts);
	for (guint r = 0; names[r] != NULL; r++) {
		g_autoptr(UbGpt) gpt = sim_gpt(fx, names[r]);
		g_autoptr(GPtrArray) want = NULL;
		if (gpt == NULL)
			continue;
		want = ub_gpt_get_partitions(gpt, names[r]);
		for (guint i = 0; i < want->len; i++) {
			UbPartition *w = g_ptr_array_index(want, i);
			gboolean found = FALSE;
			for (guint j = 0; j < parts->len; j++) {
				UbPartition *got = g_ptr_array_index(parts, j);
				if (g_strcmp0(ub_partition_get_name(got), ub_partition_get_name(w)) != 0 ||
				    g_strcmp0(ub_partition_get_region(got), names[r]) != 0)
					continue;
				g_assert_cmpuint(ub_partition_get_offset(got), ==, ub_partition_get_offset(w));
				g_assert_cmpuint(ub_partition_get_size(got), ==, ub_partition_get_size(w));
				found = TRUE;
			}
			g_assert_true(found);
			n_want++;
		}
	}
	g_assert_cmpuint(parts->len, ==, n_want);
	g_assert_cmpuint(parts->len, >, 10);
}

static void
test_open_emmc(void)
{
	Fixture fx = {0};
	GHashTable *extra;
	GPtrArray *regions;
	const UbDeviceRegion *user;
	const UbSaharaChipInfo *info;
	g_autofree gchar *msm = g_strdup_printf("0x%08x", (guint32)(TEST_HWID >> 32));

	fixture_start(&fx, "emmc:32M", 2);
	fixture_open(&fx);

	/* chip identity from Sahara command mode */
	info = ub_edl_device_get_chip_info(UB_EDL_DEVICE(fx.device));
	g_assert_cmpuint(info->sahara_version, ==, 2);
	g_assert_true(info->has_hwid);
	g_assert_cmpuint(info->msm_id, ==, (guint32)(TEST_HWID >> 32));
	g_assert_cmpstr(ub_device_get_serial(fx.device), ==, "0x1234abcd");
	extra = ub_device_get_extra(fx.device);
	g_assert_cmpstr(g_hash_table_lookup(extra, "sahara-version"), ==, "2");
	g_assert_cmpstr(g_hash_table_lookup(extra, "msm-id"), ==, msm);
	g_assert_cmpstr(g_hash_table_lookup(extra, "oem-id"), ==, "0x0072");
	g_assert_cmpstr(g_hash_table_lookup(extra, "model-id"), ==, "0x0000");
	g_assert_cmpstr(g_hash_table_lookup(extra, "pk-hash"), ==, TEST_PKHASH);
	if (ub_edl_chip_name(info->msm_id) != NULL)
		g_assert_cmpstr(ub_device_get_chip(fx.device), ==, ub_edl_chip_name(info->msm_id));
	else
		g_assert_nonnull(strstr(ub_device_get_chip(fx.device), msm));

	/* storage: the memory name found by trying ufs then emmc */
	g_assert_cmpstr(g_hash_table_lookup(extra, "memory-name"), !=, NULL);
	g_assert_cmpint(g_ascii_strcasecmp(g_hash_table_lookup(extra, "memory-name"), "emmc"), ==, 0);
	g_assert_cmpuint(ub_device_get_sector_size(fx.device), ==, 512);
	regions = ub_device_get_regions(fx.device);
	g_assert_cmpuint(regions->len, >=, 3);
	user = ub_device_find_region(fx.device, "user");
	g_assert_nonnull(user);
	g_assert_cmpuint(user->size, ==, 32 * MiB);
	g_assert_cmpuint(user->sector_size, ==, 512);
	g_assert_nonnull(ub_device_find_region(fx.device, "boot1"));
	g_assert_nonnull(ub_device_find_region(fx.device, "boot2"));
	g_assert_cmpuint(ub_device_find_region(fx.device, "boot1")->size, ==, UB_SIM_STORAGE_BOOT_SIZE);

	/* partitions from the GPT, and the slot from its attribute bits */
	check_partitions(&fx);
	g_assert_cmpstr(g_hash_table_lookup(extra, "current-slot"), ==, "a");
	g_assert_cmpstr(g_hash_table_lookup(extra, "slot-count"), ==, "2");
	g_assert_nonnull(g_hash_table_lookup(extra, "max-payload"));
	fixture_stop(&fx);
}

/* USB 3 (1024-byte packets): 4 MiB is asked for; a programmer that takes
 * 1 MiB NAKs and 1 MiB is used, one that takes 8 MiB gets 4 */
static void
test_payload_superspeed(void)
{
	const guint32 maxes[] = {1024 * 1024, 8 * 1024 * 1024};
	const guint32 want[] = {1024 * 1024, 4 * 1024 * 1024};
	for (guint i = 0; i < G_N_ELEMENTS(maxes); i++) {
		Fixture fx = {0};
		GHashTable *extra;
		g_autofree gchar *expect = g_strdup_printf("%u", want[i]);
		fixture_packet_size = 1024;
		fixture_start(&fx, "emmc:32M", 2);
		fixture_packet_size = 0;
		ub_sim_edl_set_max_payload(UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone)),
					   maxes[i]);
		fixture_open(&fx);
		extra = ub_device_get_extra(fx.device);
		g_assert_cmpstr(g_hash_table_lookup(extra, "max-payload"), ==, expect);
		fixture_stop(&fx);
	}
}

static void
test_identity_versions(void)
{
	for (guint version = 1; version <= 3; version++) {
		Fixture fx = {0};
		g_autoptr(GError) error = NULL;
		g_autoptr(UbProgress) progress = ub_progress_new();
		g_autofree gchar *vstr = g_strdup_printf("%u", version);
		const UbSaharaChipInfo *info;
		GHashTable *extra;

		fixture_start(&fx, "emmc:16M", version);
		ub_edl_device_set_identify_only(UB_EDL_DEVICE(fx.device), TRUE);
		g_assert_true(ub_device_open(fx.device, progress, NULL, &error));
		g_assert_no_error(error);
		info = ub_edl_device_get_chip_info(UB_EDL_DEVICE(fx.device));
		extra = ub_device_get_extra(fx.device);
		g_test_message("sahara v%u: serial %s chip %s pk %s",
			       version,
			       ub_device_get_serial(fx.device),
			       ub_device_get_chip(fx.device),
			       (const gchar *)g_hash_table_lookup(extra, "pk-hash"));
		g_assert_cmpuint(info->sahara_version, ==, version);
		g_assert_cmpstr(g_hash_table_lookup(extra, "sahara-version"), ==, vstr);
		/* identify-only never starts Firehose */
		g_assert_null(ub_edl_device_get_firehose(UB_EDL_DEVICE(fx.device)));
		g_assert_false(ub_sim_edl_get_firehose_running(
		    UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone))));
		if (version == 1) {
			/* Sahara 1 has no command mode (edl.md a.2): nothing to tell */
			g_assert_false(info->has_hwid);
			g_assert_false(info->has_serial);
			g_assert_null(ub_device_get_chip(fx.device));
		} else {
			g_assert_true(info->has_hwid);
			g_assert_cmpuint(info->msm_id, ==, (guint32)(TEST_HWID >> 32));
			g_assert_nonnull(ub_device_get_chip(fx.device));
			if (info->has_serial)
				g_assert_cmpstr(ub_device_get_serial(fx.device), ==, "0x1234abcd");
		}
		if (version == 2) {
			g_assert_true(info->has_serial);
			g_assert_cmpstr(g_hash_table_lookup(extra, "pk-hash"), ==, TEST_PKHASH);
		}
		fixture_stop(&fx);

		/* and every version loads the programmer */
		fixture_start(&fx, "emmc:16M", version);
		fixture_open(&fx);
		g_assert_true(ub_sim_edl_get_firehose_running(
		    UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone))));
		g_assert_nonnull(ub_device_find_region(fx.device, "user"));
		fixture_stop(&fx);
	}
}

static void
test_no_programmer(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();

	fixture_start(&fx, "emmc:16M", 2);
	g_assert_false(ub_device_open(fx.device, progress, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "needs its Firehose programmer"));
	g_assert_nonnull(strstr(error->message, "--loader"));
	/* the identity was still read */
	g_assert_nonnull(g_hash_table_lookup(ub_device_get_extra(fx.device), "msm-id"));
	fixture_stop(&fx);
}

static void
test_wrong_memory(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();

	fixture_start(&fx, "emmc:16M", 2);
	fixture_set_programmer(&fx);
	ub_edl_device_set_memory_name(UB_EDL_DEVICE(fx.device), "ufs");
	g_assert_false(ub_device_open(fx.device, progress, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "mmc"));
	fixture_stop(&fx);
}

/* a physical partition the programmer cannot open is left out, not fatal */
static void
test_storage_nak(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	gboolean skipped = FALSE;

	/* commands: configure ufs (NAK), configure emmc, getstorageinfo 0, 1, 2 */
	fixture_start_full(&fx, "emmc:16M", 2, "gpt", "nak=5");
	fixture_set_programmer(&fx);
	g_assert_true(ub_device_open(fx.device, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_nonnull(ub_device_find_region(fx.device, "user"));
	g_assert_nonnull(ub_device_find_region(fx.device, "boot1"));
	skipped = ub_device_find_region(fx.device, "boot2") == NULL;
	g_test_message("boot2 %s", skipped ? "skipped" : "present");
	g_assert_true(skipped);
	g_assert_nonnull(ub_device_find_region(fx.device, "rpmb"));
	check_partitions(&fx);
	fixture_stop(&fx);
}

static void
test_open_ufs(void)
{
	Fixture fx = {0};
	GPtrArray *regions;

	fixture_start(&fx, "ufs:6:8M", 2);
	fixture_open(&fx);
	g_assert_cmpuint(ub_device_get_sector_size(fx.device), ==, 4096);
	g_assert_cmpint(g_ascii_strcasecmp(
			    g_hash_table_lookup(ub_device_get_extra(fx.device), "memory-name"),
			    "ufs"),
			==,
			0);
	regions = ub_device_get_regions(fx.device);
	g_assert_cmpuint(regions->len, ==, 6);
	for (guint i = 0; i < 6; i++) {
		g_autofree gchar *name = g_strdup_printf("lun%u", i);
		const UbDeviceRegion *region = ub_device_find_region(fx.device, name);
		g_assert_nonnull(region);
		g_assert_cmpuint(region->sector_size, ==, 4096);
		g_assert_cmpuint(region->size, ==, ub_sim_storage_get_region_size(fx.storage, name));
	}
	/* a GPT on every LUN: partitions from all of them */
	check_partitions(&fx);
	{
		g_autoptr(UbPartition) boot = sim_partition(&fx, "boot_a");
		g_assert_cmpstr(ub_partition_get_region(boot), ==, "lun4");
	}
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(fx.device), "current-slot"), ==, "a");
	fixture_stop(&fx);
}

static void
rw_checks(const gchar *geometry)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPartition) part = NULL;
	g_autoptr(GBytes) data = NULL;
	g_autoptr(GBytes) back = NULL;
	g_autoptr(GBytes) raw = NULL;
	const gchar *region;
	guint32 ss;
	guint64 size;

	fixture_start(&fx, geometry, 2);
	fixture_open(&fx);
	ss = ub_device_get_sector_size(fx.device);
	part = sim_partition(&fx, "modem_a");
	region = ub_partition_get_region(part);
	size = ub_partition_get_size(part);
	g_assert_cmpuint(size, >=, 16 * KiB);

	/* by name: a partial last sector is padded with zeros */
	data = make_pattern(size - ss / 2, 1);
	{
		UbDeviceLocation loc = {.partition = "modem_a"};
		g_assert_true(dev_write(&fx, &loc, data, &error));
		g_assert_no_error(error);
		back = dev_read(&fx, &loc, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(g_bytes_get_size(back), ==, size);
		g_assert_cmpmem(g_bytes_get_data(back, NULL),
				g_bytes_get_size(data),
				g_bytes_get_data(data, NULL),
				g_bytes_get_size(data));
		raw = sim_read(&fx, region, ub_partition_get_offset(part), g_bytes_get_size(data));
		assert_bytes_equal(raw, data);
		g_clear_pointer(&raw, g_bytes_unref);
		raw = sim_read(&fx, region, ub_partition_get_offset(part) + size - ss / 2, ss / 2);
		g_assert_true(bytes_are(raw, 0));
		g_clear_pointer(&raw, g_bytes_unref);
		g_clear_pointer(&back, g_bytes_unref);
	}

	/* by name with an offset inside the partition */
	{
		g_autoptr(GBytes) piece = make_pattern(2 * ss, 2);
		UbDeviceLocation loc = {.partition = "modem_a", .offset = 3 * ss, .length = 2 * ss};
		g_assert_true(dev_write(&fx, &loc, piece, &error));
		g_assert_no_error(error);
		back = dev_read(&fx, &loc, &error);
		g_assert_no_error(error);
		assert_bytes_equal(back, piece);
		raw = sim_read(&fx, region, ub_partition_get_offset(part) + 3 * ss, 2 * ss);
		assert_bytes_equal(raw, piece);
		g_clear_pointer(&raw, g_bytes_unref);
		g_clear_pointer(&back, g_bytes_unref);
	}

	/* by region + offset: lands at those bytes of the LUN */
	{
		g_autoptr(GBytes) piece = make_pattern(4 * ss, 3);
		guint64 offset = ub_partition_get_offset(part) + 8 * ss;
		UbDeviceLocation loc = {.region = region, .offset = offset, .length = 4 * ss};
		g_assert_true(dev_write(&fx, &loc, piece, &error));
		g_assert_no_error(error);
		raw = sim_read(&fx, region, offset, 4 * ss);
		assert_bytes_equal(raw, piece);
		g_clear_pointer(&raw, g_bytes_unref);
		back = dev_read(&fx, &loc, &error);
		g_assert_no_error(error);
		assert_bytes_equal(back, piece);
		g_clear_pointer(&back, g_bytes_unref);
	}

	/* erase by name: the whole partition, nothing around it */
	{
		UbDeviceLocation loc = {.partition = "modem_a"};
		g_autoptr(UbPartition) next = sim_partition(&fx, "modem_b");
		g_autoptr(GBytes) next_data = make_pattern(ss, 4);
		UbDeviceLocation next_loc = {.partition = "modem_b", .length = ss};
		g_assert_true(dev_write(&fx, &next_loc, next_data, &error));
		g_assert_no_error(error);
		g_assert_true(ub_device_erase(fx.device, &loc, NULL, NULL, &error));
		g_assert_no_error(error);
		raw = sim_read(&fx, region, ub_partition_get_offset(part), size);
		g_assert_true(bytes_are(raw, 0));
		g_clear_pointer(&raw, g_bytes_unref);
		raw = sim_read(&fx, region, ub_partition_get_offset(next), ss);
		assert_bytes_equal(raw, next_data);
		g_clear_pointer(&raw, g_bytes_unref);
	}

	/* erase by region range */
	{
		guint64 offset = ub_partition_get_offset(part);
		UbDeviceLocation loc = {.region = region, .offset = offset, .length = 2 * ss};
		g_autoptr(GBytes) piece = make_pattern(4 * ss, 5);
		UbDeviceLocation wloc = {.region = region, .offset = offset};
		g_autoptr(GBytes) head = NULL;
		g_assert_true(dev_write(&fx, &wloc, piece, &error));
		g_assert_no_error(error);
		g_assert_true(ub_device_erase(fx.device, &loc, NULL, NULL, &error));
		g_assert_no_error(error);
		raw = sim_read(&fx, region, offset, 4 * ss);
		head = g_bytes_new_from_bytes(raw, 0, 2 * ss);
		g_assert_true(bytes_are(head, 0));
		g_assert_cmpmem((const guint8 *)g_bytes_get_data(raw, NULL) + 2 * ss,
				2 * ss,
				(const guint8 *)g_bytes_get_data(piece, NULL) + 2 * ss,
				2 * ss);
		g_clear_pointer(&raw, g_bytes_unref);
	}

	/* refused before anything is sent */
	{
		guint n_before = ub_sim_edl_get_program_count(
		    UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone)));
		UbDeviceLocation odd = {.partition = "modem_a", .offset = ss / 2};
		UbDeviceLocation odd_len = {.region = region, .offset = 0, .length = ss + 1};
		UbDeviceLocation past = {.partition = "modem_a", .offset = size - ss, .length = 2 * ss};
		UbDeviceLocation big = {.partition = "modem_a"};
		UbDeviceLocation unknown = {.partition = "nosuchpart"};
		UbDeviceLocation no_region = {.region = "boot7"};
		g_autoptr(GBytes) small = make_pattern(ss, 6);
		g_autoptr(GBytes) too_big = make_pattern(size + ss, 7);
		g_autoptr(GBytes) nothing = NULL;

		g_assert_false(dev_write(&fx, &odd, small, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_nonnull(strstr(error->message, "sectors"));
		g_clear_error(&error);
		nothing = dev_read(&fx, &odd_len, &error);
		g_assert_null(nothing);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		g_assert_false(ub_device_erase(fx.device, &past, NULL, NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_nonnull(strstr(error->message, "past the end"));
		g_clear_error(&error);
		g_assert_false(dev_write(&fx, &big, too_big, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_nonnull(strstr(error->message, "larger than"));
		g_clear_error(&error);
		g_assert_false(dev_write(&fx, &unknown, small, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_clear_error(&error);
		g_assert_false(dev_write(&fx, &no_region, small, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_clear_error(&error);
		g_assert_cmpuint(ub_sim_edl_get_program_count(
				     UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone))),
				 ==,
				 n_before);
	}

	/* the variables plans use */
	{
		g_autofree gchar *psize = ub_device_get_var(fx.device, "partition-size:modem_a", NULL, &error);
		g_autofree gchar *expect = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", size);
		g_autofree gchar *slot = NULL;
		g_autofree gchar *count = NULL;
		g_autofree gchar *bogus = NULL;
		g_assert_no_error(error);
		g_assert_cmpstr(psize, ==, expect);
		slot = ub_device_get_var(fx.device, "current-slot", NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(slot, ==, "a");
		count = ub_device_get_var(fx.device, "slot-count", NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(count, ==, "2");
		bogus = ub_device_get_var(fx.device, "product", NULL, &error);
		g_assert_null(bogus);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
		g_clear_error(&error);
	}
	fixture_stop(&fx);
}

static void
test_rw_emmc(void)
{
	rw_checks("emmc:32M");
}

static void
test_rw_ufs(void)
{
	rw_checks("ufs:6:8M");
}

/* a sparse image: RAW, DONT_CARE, FILL, RAW, DONT_CARE blocks of 4096 bytes */
static void
sparse_checks(const gchar *geometry)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPartition) part = NULL;
	g_autoptr(UbSparseImage) layout = ub_sparse_image_new(4096);
	g_autoptr(GBytes) src = make_pattern(3 * 4096, 11);
	g_autoptr(GBytes) before = NULL;
	g_autoptr(GBytes) after = NULL;
	g_autoptr(GBytes) sparse_file = NULL;
	g_autoptr(GInputStream) src_stream = NULL;
	g_autoptr(UbSparseWriter) writer = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	const gchar *region;
	const guint8 *a;
	const guint8 *b;
	const guint8 *s;
	guint64 base;

	fixture_start(&fx, geometry, 2);
	fixture_open(&fx);
	part = sim_partition(&fx, "modem_b");
	region = ub_partition_get_region(part);
	base = ub_partition_get_offset(part);
	g_assert_cmpuint(ub_partition_get_size(part), >=, 8 * 4096);

	/* the partition holds a known pattern that DONT_CARE must leave alone */
	before = make_pattern(8 * 4096, 12);
	g_assert_true(ub_sim_storage_write(fx.storage,
					   region,
					   base,
					   g_bytes_get_data(before, NULL),
					   g_bytes_get_size(before),
					   &error));
	g_assert_no_error(error);

	g_assert_true(ub_sparse_image_add_raw(layout, 2, 0, 2 * 4096, &error));
	g_assert_true(ub_sparse_image_add_dont_care(layout, 2, &error));
	g_assert_true(ub_sparse_image_add_fill(layout, 2, 0xdeadbeef, &error));
	g_assert_true(ub_sparse_image_add_raw(layout, 1, 2 * 4096, 4096, &error));
	g_assert_true(ub_sparse_image_add_dont_care(layout, 1, &error));
	g_assert_no_error(error);
	src_stream = g_memory_input_stream_new_from_bytes(src);
	writer = ub_sparse_writer_new(layout, src_stream, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_output_stream_splice(out,
					       G_INPUT_STREAM(writer),
					       G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
					       NULL,
					       &error),
			>,
			0);
	g_assert_no_error(error);
	sparse_file = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));

	{
		guint n_before = ub_sim_edl_get_program_count(
		    UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone)));
		UbDeviceLocation loc = {.partition = "modem_b"};
		g_assert_true(dev_write(&fx, &loc, sparse_file, &error));
		g_assert_no_error(error);
		/* one program per RAW and FILL chunk, none for DONT_CARE */
		g_assert_cmpuint(ub_sim_edl_get_program_count(
				     UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone))) -
				     n_before,
				 ==,
				 3);
	}
	after = sim_read(&fx, region, base, 8 * 4096);
	a = g_bytes_get_data(after, NULL);
	b = g_bytes_get_data(before, NULL);
	s = g_bytes_get_data(src, NULL);
	g_assert_cmpmem(a, 2 * 4096, s, 2 * 4096);		      /* RAW */
	g_assert_cmpmem(a + 2 * 4096, 2 * 4096, b + 2 * 4096, 2 * 4096); /* DONT_CARE */
	for (guint i = 0; i < 2 * 4096; i += 4)
		g_assert_cmpuint(ub_mem_read_u32_le(a, 4 * 4096 + i), ==, 0xdeadbeef); /* FILL */
	g_assert_cmpmem(a + 6 * 4096, 4096, s + 2 * 4096, 4096);	/* RAW */
	g_assert_cmpmem(a + 7 * 4096, 4096, b + 7 * 4096, 4096); /* DONT_CARE */

	/* the same through a stream that cannot seek (the sparse magic is peeked) */
	{
		g_autoptr(GBytes) again = make_pattern(8 * 4096, 13);
		g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes(sparse_file);
		g_autoptr(GInputStream) conv = NULL;
		UbDeviceLocation loc = {.partition = "modem_b"};
		g_autoptr(GBytes) after2 = NULL;
		g_assert_true(ub_sim_storage_write(fx.storage,
						   region,
						   base,
						   g_bytes_get_data(again, NULL),
						   g_bytes_get_size(again),
						   &error));
		g_assert_no_error(error);
		conv = G_INPUT_STREAM(g_buffered_input_stream_new(mem));
		g_assert_true(ub_device_write(fx.device,
					      &loc,
					      conv,
					      g_bytes_get_size(sparse_file),
					      NULL,
					      NULL,
					      &error));
		g_assert_no_error(error);
		after2 = sim_read(&fx, region, base, 8 * 4096);
		g_assert_cmpmem(g_bytes_get_data(after2, NULL), 2 * 4096, s, 2 * 4096);
		g_assert_cmpmem((const guint8 *)g_bytes_get_data(after2, NULL) + 2 * 4096,
				2 * 4096,
				(const guint8 *)g_bytes_get_data(again, NULL) + 2 * 4096,
				2 * 4096);
	}
	fixture_stop(&fx);
}

static void
test_sparse_emmc(void)
{
	sparse_checks("emmc:32M");
}

static void
test_sparse_ufs(void)
{
	sparse_checks("ufs:6:8M");
}

/* the storage's own view of @region: parsed, validated, both copies agree */
static UbGpt *
check_sim_gpt(Fixture *fx, const gchar *region)
{
	g_autoptr(GError) error = NULL;
	guint32 ss = ub_sim_storage_get_sector_size(fx->storage);
	guint64 size = ub_sim_storage_get_region_size(fx->storage, region);
	g_autoptr(GBytes) tail = sim_read(fx, region, size - 33 * ss, 33 * ss);
	g_autoptr(UbGpt) primary = sim_gpt(fx, region);
	g_autoptr(UbGpt) backup = NULL;
	g_assert_nonnull(primary);
	backup = ub_gpt_parse_backup(g_bytes_get_data(tail, NULL), 33 * ss, ss, &error);
	g_assert_no_error(error);
	g_assert_nonnull(backup);
	g_assert_true(ub_gpt_validate(primary, size / ss, &error));
	g_assert_no_error(error);
	g_assert_true(ub_gpt_check_pair(primary, backup, size / ss, &error));
	g_assert_no_error(error);
	/* the backup entries carry the same slot bits */
	for (guint i = 0; i < ub_gpt_get_entries(primary)->len; i++) {
		const UbGptEntry *p = g_ptr_array_index(ub_gpt_get_entries(primary), i);
		const UbGptEntry *q = ub_gpt_find_entry(backup, p->name);
		g_assert_nonnull(q);
		g_assert_cmpuint(p->attributes, ==, q->attributes);
		g_assert_cmpstr(p->type_guid, ==, q->type_guid);
	}
	return g_steal_pointer(&primary);
}

static gchar *
find_sgdisk(void)
{
	const gchar *dirs[] = {"/usr/sbin", "/sbin", "/usr/bin"};
	gchar *path = g_find_program_in_path("sgdisk");
	if (path != NULL)
		return path;
	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree gchar *fn = g_build_filename(dirs[i], "sgdisk", NULL);
		if (g_file_test(fn, G_FILE_TEST_IS_EXECUTABLE))
			return g_steal_pointer(&fn);
	}
	return NULL;
}

/* Debian's sgdisk reads the LUN file as a 512-byte-sector disk */
static void
check_sgdisk(Fixture *fx, const gchar *region)
{
	g_autofree gchar *sgdisk = find_sgdisk();
	g_autofree gchar *fn = ub_sim_storage_get_region_path(fx->storage, region);
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr(GError) error = NULL;
	gint status = 0;
	const gchar *argv[] = {NULL, "-v", fn, NULL};

	if (sgdisk == NULL) {
		g_test_message("sgdisk not found (Debian package gdisk)");
		sgdisk_missing = TRUE;
		return;
	}
	argv[0] = sgdisk;
	g_assert_true(g_spawn_sync(NULL,
				   (gchar **)argv,
				   NULL,
				   G_SPAWN_DEFAULT,
				   NULL,
				   NULL,
				   &out,
				   &err,
				   &status,
				   &error));
	g_assert_no_error(error);
	g_test_message("sgdisk -v %s: %s%s", region, out, err);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	g_assert_nonnull(strstr(out, "No problems found"));
}

static const UbGptEntry *
find_entry_any(GPtrArray *gpts, const gchar *name, guint *idx)
{
	for (guint i = 0; i < gpts->len; i++) {
		const UbGptEntry *entry = ub_gpt_find_entry(g_ptr_array_index(gpts, i), name);
		if (entry != NULL) {
			if (idx != NULL)
				*idx = i;
			return entry;
		}
	}
	return NULL;
}

static void
switch_slot(Fixture *fx, const gchar *slot, const gchar *other)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *current = NULL;
	g_auto(GStrv) names = ub_sim_storage_get_region_names(fx->storage);
	g_autoptr(GPtrArray) gpts = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) gpt_regions = g_ptr_array_new();
	g_autofree gchar *suffix = g_strdup_printf("_%s", slot);
	guint n_pairs = 0;
	guint n_cross = 0;

	g_assert_true(ub_device_set_active(fx->device, slot, NULL, &error));
	g_assert_no_error(error);
	current = ub_device_get_var(fx->device, "current-slot", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(current, ==, slot);
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(fx->device), "current-slot"), ==, slot);

	/* every table valid in both copies */
	for (guint r = 0; names[r] != NULL; r++) {
		g_autoptr(UbGpt) probe = sim_gpt(fx, names[r]);
		if (probe == NULL)
			continue;
		g_ptr_array_add(gpts, check_sim_gpt(fx, names[r]));
		g_ptr_array_add(gpt_regions, names[r]);
		if (ub_sim_storage_get_sector_size(fx->storage) == 512)
			check_sgdisk(fx, names[r]);
	}

	/* every pair, also across LUNs: @slot active with priority 3, the other not */
	for (guint i = 0; i < gpts->len; i++) {
		GPtrArray *entries = ub_gpt_get_entries(g_ptr_array_index(gpts, i));
		for (guint j = 0; j < entries->len; j++) {
			const UbGptEntry *on = g_ptr_array_index(entries, j);
			g_autofree gchar *base = NULL;
			g_autofree gchar *off_name = NULL;
			const UbGptEntry *off;
			guint off_idx = 0;
			if (!g_str_has_suffix(on->name, suffix) || strlen(on->name) < 3)
				continue;
			base = g_strndup(on->name, strlen(on->name) - 2);
			off_name = g_strdup_printf("%s_%s", base, other);
			off = find_entry_any(gpts, off_name, &off_idx);
			if (off == NULL)
				continue;
			g_assert_true(ub_gpt_entry_get_ab_active(on));
			g_assert_cmpuint(ub_gpt_entry_get_ab_priority(on), ==, 3);
			g_assert_false(ub_gpt_entry_get_ab_unbootable(on));
			g_assert_false(ub_gpt_entry_get_ab_active(off));
			n_pairs++;
			if (off_idx != i) {
				/* UFS boots from the LUN of the active xbl */
				if (g_strcmp0(base, "xbl") == 0) {
					guint64 lun = 0;
					g_assert_true(g_ascii_string_to_unsigned(
					    (const gchar *)g_ptr_array_index(gpt_regions, i) + 3,
					    10,
					    0,
					    64,
					    &lun,
					    NULL));
					g_assert_cmpint(ub_sim_edl_get_bootable_lun(UB_SIM_EDL(
							    ub_sim_phone_get_personality(fx->phone))),
							==,
							(gint)lun);
				}
				n_cross++;
			}
		}
	}
	g_test_message("slot %s: %u pairs, %u across LUNs", slot, n_pairs, n_cross);
	g_assert_cmpuint(n_pairs, >=, 4);
	if (ub_sim_storage_get_sector_size(fx->storage) == 4096)
		g_assert_cmpuint(n_cross, >=, 2);
}

static void
slot_checks(const gchar *geometry)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;

	fixture_start(&fx, geometry, 2);
	fixture_open(&fx);
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(fx.device), "current-slot"), ==, "a");
	switch_slot(&fx, "b", "a");

	g_assert_false(ub_device_set_active(fx.device, "c", NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* a new session reads the slot from the storage, then switches back */
	{
		g_autoptr(UbProgress) progress = ub_progress_new();
		g_autoptr(GFile) prog = g_file_new_for_path(fx.programmer);
		ub_transport_close(fx.host);
		ub_sim_phone_stop(fx.phone);
		g_clear_object(&fx.device);
		g_clear_object(&fx.host);
		g_clear_object(&fx.dev);
		ub_memory_transport_new_pair(UB_SIM_PHONE_MAX_PACKET_SIZE, &fx.host, &fx.dev);
		g_assert_true(ub_sim_phone_start(fx.phone, fx.dev, &error));
		g_assert_no_error(error);
		fx.device = ub_edl_device_new(fx.host);
		ub_edl_device_set_programmer(UB_EDL_DEVICE(fx.device), prog);
		/* the programmer still runs and says nothing: no HELLO, a <nop> finds it */
		ub_edl_device_set_hello_timeout(UB_EDL_DEVICE(fx.device), 300);
		g_assert_true(ub_device_open(fx.device, progress, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(fx.device), "current-slot"), ==, "b");
	}
	switch_slot(&fx, "a", "b");
	fixture_stop(&fx);
}

static void
test_slots_emmc(void)
{
	slot_checks("emmc:32M");
}

static void
test_slots_ufs(void)
{
	slot_checks("ufs:6:8M");
}

static void
test_commands(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *reply = NULL;
	UbSimEdl *sim;
	g_autoptr(GBytes) sector = NULL;
	g_autoptr(GBytes) raw = NULL;
	guint64 user_sectors;

	fixture_start(&fx, "emmc:16M", 2);
	fixture_open(&fx);
	sim = UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone));

	g_assert_true(ub_device_command(fx.device, "nop", &reply, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_nonnull(strstr(reply, "ACK"));
	g_clear_pointer(&reply, g_free);
	g_assert_true(ub_device_command(fx.device,
					"setbootablestoragedrive value=\"1\"",
					NULL,
					NULL,
					NULL,
					&error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_sim_edl_get_bootable_lun(sim), ==, 1);
	g_assert_true(ub_device_command(fx.device,
					"<setbootablestoragedrive value=\"2\"/>",
					NULL,
					NULL,
					NULL,
					&error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_sim_edl_get_bootable_lun(sim), ==, 2);

	/* a patch with expressions goes through untouched: the phone evaluates them */
	user_sectors = ub_sim_storage_get_region_size(fx.storage, "user") / 512;
	g_assert_true(ub_device_command(
	    fx.device,
	    "patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"8\" filename=\"DISK\" "
	    "physical_partition_number=\"0\" size_in_bytes=\"8\" start_sector=\"NUM_DISK_SECTORS-40.\" "
	    "value=\"NUM_DISK_SECTORS-1.\" what=\"test\"",
	    NULL,
	    NULL,
	    NULL,
	    &error));
	g_assert_no_error(error);
	raw = sim_read(&fx, "user", (user_sectors - 40) * 512, 512);
	g_assert_cmpuint(ub_mem_read_u64_le(g_bytes_get_data(raw, NULL), 8), ==, user_sectors - 1);

	/* raw data commands are not commands */
	g_assert_false(ub_device_command(fx.device, "program SECTOR_SIZE_IN_BYTES=\"512\"", NULL, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);
	g_assert_false(ub_device_command(fx.device, "bad tag!", NULL, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* an unknown tag is the programmer's NAK */
	g_assert_false(ub_device_command(fx.device, "frobnicate", NULL, NULL, NULL, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);

	/* digests where the programmer has them */
	if (ub_edl_device_can_digest(UB_EDL_DEVICE(fx.device))) {
		g_autoptr(UbPartition) part = sim_partition(&fx, "abl_a");
		g_autofree gchar *hex = ub_device_get_var(fx.device, "sha256:abl_a", NULL, &error);
		g_autofree gchar *want = NULL;
		g_autofree gchar *range = NULL;
		g_autofree gchar *hex2 = NULL;
		g_assert_no_error(error);
		sector = sim_read(&fx,
				  ub_partition_get_region(part),
				  ub_partition_get_offset(part),
				  ub_partition_get_size(part));
		want = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, sector);
		g_assert_cmpstr(hex, ==, want);
		range = g_strdup_printf("sha256:user:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
					ub_partition_get_offset(part),
					ub_partition_get_size(part));
		hex2 = ub_device_get_var(fx.device, range, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(hex2, ==, want);
	} else {
		g_test_message("the simulated programmer has no getsha256digest");
	}

	/* reboots: only what a programmer can do */
	g_assert_false(ub_device_reboot(fx.device, UB_REBOOT_MODE_BOOTLOADER, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);
	g_assert_true(ub_device_reboot(fx.device, UB_REBOOT_MODE_SYSTEM, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_sim_edl_get_power_value(sim), ==, "reset");
	/* the session is over */
	g_assert_false(ub_device_command(fx.device, "nop", NULL, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG);
	fixture_stop(&fx);
}

static void
test_reboot_edl(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	fixture_start(&fx, "emmc:16M", 2);
	fixture_open(&fx);
	g_assert_true(ub_device_reboot(fx.device, UB_REBOOT_MODE_EDL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_sim_edl_get_power_value(UB_SIM_EDL(ub_sim_phone_get_personality(fx.phone))),
			==,
			"reset_to_edl");
	fixture_stop(&fx);
}

/* every region's bytes */
static GPtrArray *
snapshot(Fixture *fx)
{
	g_autoptr(GPtrArray) snap = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_auto(GStrv) names = ub_sim_storage_get_region_names(fx->storage);
	for (guint i = 0; names[i] != NULL; i++)
		g_ptr_array_add(snap,
				sim_read(fx,
					 names[i],
					 0,
					 ub_sim_storage_get_region_size(fx->storage, names[i])));
	return g_steal_pointer(&snap);
}

static void
assert_snapshot(Fixture *fx, GPtrArray *snap)
{
	g_autoptr(GPtrArray) now = snapshot(fx);
	g_auto(GStrv) names = ub_sim_storage_get_region_names(fx->storage);
	g_assert_cmpuint(now->len, ==, snap->len);
	for (guint i = 0; i < now->len; i++) {
		GBytes *a = g_ptr_array_index(now, i);
		GBytes *b = g_ptr_array_index(snap, i);
		if (!g_bytes_equal(a, b)) {
			const guint8 *pa = g_bytes_get_data(a, NULL);
			const guint8 *pb = g_bytes_get_data(b, NULL);
			gsize j = 0;
			while (j < g_bytes_get_size(a) && pa[j] == pb[j])
				j++;
			g_error("%s differs at byte 0x%" G_GSIZE_MODIFIER "x", names[i], j);
		}
	}
}

/* damages every partition and both GPTs of every LUN with a table */
static void
damage(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) parts = ub_sim_storage_get_partitions(fx->storage);
	g_auto(GStrv) names = ub_sim_storage_get_region_names(fx->storage);
	g_autoptr(GBytes) junk = make_pattern(8 * KiB, 99);
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		gsize n = (gsize)MIN(ub_partition_get_size(part), 8 * KiB);
		if (n == 0)
			continue;
		g_assert_true(ub_sim_storage_write(fx->storage,
						   ub_partition_get_region(part),
						   ub_partition_get_offset(part),
						   g_bytes_get_data(junk, NULL),
						   n,
						   &error));
		g_assert_no_error(error);
	}
	for (guint i = 0; names[i] != NULL; i++) {
		guint64 size = ub_sim_storage_get_region_size(fx->storage, names[i]);
		guint32 ss = ub_sim_storage_get_sector_size(fx->storage);
		g_autoptr(UbGpt) gpt = sim_gpt(fx, names[i]);
		if (gpt == NULL)
			continue;
		g_assert_true(ub_sim_storage_write(fx->storage,
						   names[i],
						   ss,
						   g_bytes_get_data(junk, NULL),
						   ss,
						   &error));
		g_assert_true(ub_sim_storage_write(fx->storage,
						   names[i],
						   size - ss,
						   g_bytes_get_data(junk, NULL),
						   ss,
						   &error));
		g_assert_no_error(error);
	}
}

/* reopens the engine on a new session (the programmer is still running) */
static void
reconnect(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	ub_transport_close(fx->host);
	ub_sim_phone_stop(fx->phone);
	g_clear_object(&fx->device);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	ub_memory_transport_new_pair(UB_SIM_PHONE_MAX_PACKET_SIZE, &fx->host, &fx->dev);
	g_assert_true(ub_sim_phone_start(fx->phone, fx->dev, &error));
	g_assert_no_error(error);
	fx->device = ub_edl_device_new(fx->host);
	fixture_set_programmer(fx);
	ub_edl_device_set_hello_timeout(UB_EDL_DEVICE(fx->device), 300);
	g_assert_true(ub_device_open(fx->device, progress, NULL, &error));
	g_assert_no_error(error);
}

/* flashes the rawprogram entries of @dir without the package model or plans */
static void
flash_entries_directly(Fixture *fx, const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const gchar *name;
	guint n_files = 0;
	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *fn = NULL;
		g_autofree gchar *xml = NULL;
		gsize xmlsz = 0;
		g_autoptr(UbRawprogram) rp = NULL;
		GPtrArray *entries;
		if (!g_str_has_prefix(name, "rawprogram"))
			continue;
		fn = g_build_filename(dir, name, NULL);
		g_assert_true(g_file_get_contents(fn, &xml, &xmlsz, &error));
		rp = ub_rawprogram_parse((const guint8 *)xml, xmlsz, &error);
		g_assert_no_error(error);
		entries = ub_rawprogram_get_entries(rp);
		for (guint i = 0; i < entries->len; i++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, i);
			g_autofree gchar *region =
			    ub_package_flat_build_region_name(entry->sector_size,
							      entry->physical_partition_number);
			const UbDeviceRegion *reg = ub_device_find_region(fx->device, region);
			UbQcomExprContext ctx = {0};
			g_autofree gchar *img = g_build_filename(dir, entry->filename, NULL);
			g_autoptr(GFile) file = g_file_new_for_path(img);
			g_autoptr(GFileInputStream) in = NULL;
			g_autoptr(GFileInfo) info = NULL;
			UbDeviceLocation loc = {.region = region};
			guint64 start = 0;
			g_assert_nonnull(reg);
			ctx.num_disk_sectors = reg->size / entry->sector_size;
			ctx.num_disk_sectors_known = TRUE;
			g_assert_true(ub_qcom_expr_eval(entry->start_sector, &ctx, &start, &error));
			g_assert_no_error(error);
			in = g_file_read(file, NULL, &error);
			g_assert_no_error(error);
			info = g_file_query_info(file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, &error);
			g_assert_no_error(error);
			g_assert_cmpuint(g_file_info_get_size(info),
					 ==,
					 entry->num_partition_sectors_value * entry->sector_size);
			loc.offset = start * entry->sector_size;
			loc.length = entry->num_partition_sectors_value * entry->sector_size;
			g_assert_true(ub_device_write(fx->device,
						      &loc,
						      G_INPUT_STREAM(in),
						      (guint64)g_file_info_get_size(info),
						      NULL,
						      NULL,
						      &error));
			g_assert_no_error(error);
		}
		n_files++;
	}
	g_assert_cmpuint(n_files, >, 0);
}

static void
flat_build_checks(const gchar *geometry, const gchar *main_xml)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) before = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autofree gchar *dir = NULL;
	g_autofree gchar *xml_path = NULL;

	fixture_start(&fx, geometry, 2);
	fixture_open(&fx);
	/* some content to find again */
	{
		g_autoptr(GBytes) data = make_pattern(16 * KiB, 21);
		UbDeviceLocation loc = {.partition = "modem_a"};
		g_assert_true(dev_write(&fx, &loc, data, &error));
		g_assert_no_error(error);
	}
	before = snapshot(&fx);

	dir = g_build_filename(fx.tmpdir, "readback", NULL);
	g_assert_true(ub_edl_device_read_flat_build(UB_EDL_DEVICE(fx.device), dir, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpfloat(ub_progress_get_fraction(progress), >, 0.99);
	xml_path = g_build_filename(dir, main_xml, NULL);
	g_assert_true(g_file_test(xml_path, G_FILE_TEST_EXISTS));
	{
		g_autoptr(UbPartition) boot = sim_partition(&fx, "boot_a");
		g_autofree gchar *img = g_build_filename(dir, "boot_a.img", NULL);
		g_autofree gchar *contents = NULL;
		gsize len = 0;
		g_assert_true(g_file_get_contents(img, &contents, &len, &error));
		g_assert_cmpuint(len, ==, ub_partition_get_size(boot));
	}
	/* nothing changed on the phone by reading */
	assert_snapshot(&fx, before);

	/* damaged, then restored from the rawprogram entries alone */
	damage(&fx);
	reconnect(&fx);
	flash_entries_directly(&fx, dir);
	assert_snapshot(&fx, before);

	/* damaged, then restored the way unbrick-cli download does it */
	damage(&fx);
	reconnect(&fx);
	{
		UbPackageOptions options = {0};
		UbPackagePlanOptions plan_options = {0};
		g_autoptr(UbPackage) pkg = NULL;
		g_autoptr(UbPlan) plan = NULL;
		g_autofree gchar *backups = g_build_filename(fx.tmpdir, "backups", NULL);
		g_autoptr(UbProgress) progress2 = ub_progress_new();
		pkg = ub_package_open(xml_path, &options, NULL, &error);
		g_assert_no_error(error);
		g_assert_nonnull(pkg);
		plan = ub_package_plan_to_plan(pkg, "flat-build", &plan_options, &error);
		g_assert_no_error(error);
		g_assert_nonnull(plan);
		ub_plan_set_allow_calibration(plan, TRUE);
		ub_plan_set_backup_dir(plan, backups);
		g_assert_true(ub_plan_execute(plan, fx.device, progress2, NULL, &error));
		g_assert_no_error(error);
	}
	assert_snapshot(&fx, before);
	fixture_stop(&fx);
}

static void
test_flat_build_emmc(void)
{
	flat_build_checks("emmc:16M", "rawprogram0.xml");
}

static void
test_flat_build_ufs(void)
{
	flat_build_checks("ufs:6:8M", "rawprogram0.xml");
}

int
main(int argc, char **argv)
{
	int ret;
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/edl/device/open/emmc", test_open_emmc);
	g_test_add_func("/ub/edl/device/open/ufs", test_open_ufs);
	g_test_add_func("/ub/edl/device/open/identity-versions", test_identity_versions);
	g_test_add_func("/ub/edl/device/open/no-programmer", test_no_programmer);
	g_test_add_func("/ub/edl/device/open/payload-superspeed", test_payload_superspeed);
	g_test_add_func("/ub/edl/device/open/wrong-memory", test_wrong_memory);
	g_test_add_func("/ub/edl/device/open/storage-nak", test_storage_nak);
	g_test_add_func("/ub/edl/device/rw/emmc", test_rw_emmc);
	g_test_add_func("/ub/edl/device/rw/ufs", test_rw_ufs);
	g_test_add_func("/ub/edl/device/sparse/emmc", test_sparse_emmc);
	g_test_add_func("/ub/edl/device/sparse/ufs", test_sparse_ufs);
	g_test_add_func("/ub/edl/device/slots/emmc", test_slots_emmc);
	g_test_add_func("/ub/edl/device/slots/ufs", test_slots_ufs);
	g_test_add_func("/ub/edl/device/commands/all", test_commands);
	g_test_add_func("/ub/edl/device/commands/reboot-edl", test_reboot_edl);
	g_test_add_func("/ub/edl/device/flat-build/emmc", test_flat_build_emmc);
	g_test_add_func("/ub/edl/device/flat-build/ufs", test_flat_build_ufs);
	ret = g_test_run();
	if (ret == 0 && sgdisk_missing)
		return 77;
	return ret;
}
