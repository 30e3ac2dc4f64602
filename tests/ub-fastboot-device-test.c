/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fastboot/ub-fastboot-common.h"
#include "fastboot/ub-fastboot-device.h"
#include "fastboot/ub-fastboot-wire.h"
#include "ub-core.h"
#include "ub-memory-transport.h"
#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-storage.h"
#include "ub-tcp-transport.h"

#define MiB (1024 * 1024)

/* the engine against the simulated bootloader, through the memory pipe */
typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	GCancellable *sim_cancel;
	gboolean sim_ret;
	GError *sim_error;
	UbDevice *device;
} Fixture;

static gpointer
sim_thread_cb(gpointer data)
{
	Fixture *fx = data;
	fx->sim_ret = ub_sim_personality_serve(fx->sim, fx->dev, fx->sim_cancel, &fx->sim_error);
	return NULL;
}

static void
fixture_start_full(Fixture *fx, guint32 max_download_size, gboolean tcp, const gchar *faults)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) sim_faults = NULL;

	fx->tmpdir = g_dir_make_tmp("ub-fastboot-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, "emmc:4G", &error);
	g_assert_no_error(error);
	g_assert_nonnull(fx->storage);
	sim_faults = ub_sim_faults_new_from_string(faults, &error);
	g_assert_no_error(error);
	fx->sim = ub_sim_fastboot_new(fx->storage, sim_faults);
	ub_sim_fastboot_set_max_download_size(UB_SIM_FASTBOOT(fx->sim), max_download_size);
	ub_sim_fastboot_set_tcp(UB_SIM_FASTBOOT(fx->sim), tcp);
	ub_memory_transport_new_pair(512, &fx->host, &fx->dev);
	fx->sim_cancel = g_cancellable_new();
	fx->thread = g_thread_new("sim", sim_thread_cb, fx);
	fx->device = ub_fastboot_device_new(fx->host, tcp);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(fx->device), 5000);
}

static void
fixture_start(Fixture *fx)
{
	fixture_start_full(fx, 16 * MiB, FALSE, NULL);
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
	g_cancellable_cancel(fx->sim_cancel);
	ub_transport_close(fx->host);
	if (fx->thread != NULL)
		g_thread_join(fx->thread);
	g_clear_error(&fx->sim_error);
	g_clear_object(&fx->device);
	g_clear_object(&fx->sim);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	g_clear_object(&fx->sim_cancel);
	g_clear_object(&fx->storage);
	if (fx->tmpdir != NULL) {
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
		g_assert_cmpint(system(cmd), ==, 0);
		g_free(fx->tmpdir);
	}
}

static guint64
fixture_partition_size(Fixture *fx, const gchar *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPartition) part = ub_sim_storage_find_partition(fx->storage, name, &error);
	g_assert_no_error(error);
	return ub_partition_get_size(part);
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

static gboolean
write_blob(Fixture *fx, const gchar *part, GBytes *blob, GError **error)
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
read_range(Fixture *fx, const gchar *part, guint64 offset, guint64 length, GError **error)
{
	UbDeviceLocation loc = {.partition = part, .offset = offset, .length = length};
	g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable();
	if (!ub_device_read(fx->device, &loc, stream, NULL, NULL, error))
		return NULL;
	g_assert_true(g_output_stream_close(stream, NULL, NULL));
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(stream));
}

static void
test_identify(void)
{
	Fixture fx = {0};
	GHashTable *extra;
	fixture_start(&fx);
	fixture_open(&fx);
	g_assert_cmpstr(ub_device_get_chip(fx.device), ==, "unbrick_sim");
	g_assert_cmpstr(ub_device_get_product(fx.device), ==, "unbrick_sim");
	g_assert_cmpstr(ub_device_get_serial(fx.device), ==, "UBSIM0001");
	g_assert_cmpint(ub_device_get_mode(fx.device), ==, UB_DEVICE_MODE_FASTBOOT);
	extra = ub_device_get_extra(fx.device);
	g_assert_cmpstr(g_hash_table_lookup(extra, "current-slot"), ==, "a");
	g_assert_cmpstr(g_hash_table_lookup(extra, "slot-count"), ==, "2");
	g_assert_cmpstr(g_hash_table_lookup(extra, "unlocked"), ==, "yes");
	g_assert_cmpstr(g_hash_table_lookup(extra, "secure"), ==, "yes");
	g_assert_cmpstr(g_hash_table_lookup(extra, "is-userspace"), ==, "no");
	g_assert_cmpstr(g_hash_table_lookup(extra, "version-bootloader"), ==, "unbrick-sim-1.0");
	g_assert_cmpuint(ub_fastboot_device_get_max_download_size(UB_FASTBOOT_DEVICE(fx.device)),
			 ==,
			 16 * MiB);
	fixture_stop(&fx);
}

static void
test_getvar_all(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(GPtrArray) lines = NULL;
	g_autoptr(GPtrArray) sim_parts = NULL;
	g_autofree gchar *value = NULL;
	UbPartition *boot_a;
	UbPartition *userdata;

	fixture_start(&fx);
	fixture_open(&fx);

	value = ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(fx.device), "product", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(value, ==, "unbrick_sim");

	lines = ub_fastboot_device_getvar_all(UB_FASTBOOT_DEVICE(fx.device), NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(lines);
	g_assert_true(
	    g_ptr_array_find_with_equal_func(lines, "has-slot:boot:yes", g_str_equal, NULL));
	g_assert_true(
	    g_ptr_array_find_with_equal_func(lines, "product:unbrick_sim", g_str_equal, NULL));

	parts = ub_device_list_partitions(fx.device, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(parts);
	sim_parts = ub_sim_storage_get_partitions(fx.storage);
	g_assert_cmpuint(parts->len, ==, sim_parts->len);
	boot_a = ub_partition_array_find(parts, "boot_a");
	g_assert_nonnull(boot_a);
	g_assert_cmpuint(ub_partition_get_size(boot_a), ==, fixture_partition_size(&fx, "boot_a"));
	g_assert_cmpuint(ub_partition_get_size(boot_a), >, 0);
	userdata = ub_partition_array_find(parts, "userdata");
	g_assert_nonnull(userdata);
	g_assert_cmpuint(ub_partition_get_size(userdata),
			 ==,
			 fixture_partition_size(&fx, "userdata"));
	g_assert_null(ub_partition_array_find(parts, "boot"));
	fixture_stop(&fx);
}

static void
test_flash_fetch(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = make_pattern(MiB + 4096 + 123, 1);
	g_autoptr(GBytes) back = NULL;
	g_autoptr(GBytes) whole = NULL;
	g_autoptr(GBytes) head = NULL;
	g_autofree guint8 *stored = g_malloc(g_bytes_get_size(blob));
	guint64 psize;

	fixture_start(&fx);
	fixture_open(&fx);
	psize = fixture_partition_size(&fx, "boot_a");

	g_assert_true(write_blob(&fx, "boot_a", blob, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 1);

	/* what the storage holds */
	g_assert_true(ub_sim_storage_read_partition(fx.storage,
						    "boot_a",
						    0,
						    stored,
						    g_bytes_get_size(blob),
						    &error));
	g_assert_no_error(error);
	g_assert_cmpmem(stored,
			g_bytes_get_size(blob),
			g_bytes_get_data(blob, NULL),
			g_bytes_get_size(blob));

	/* a range read back */
	back = read_range(&fx, "boot_a", 0, g_bytes_get_size(blob), &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(back, blob));

	/* the whole partition */
	whole = read_range(&fx, "boot_a", 0, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(whole), ==, psize);
	head = g_bytes_new_from_bytes(whole, 0, g_bytes_get_size(blob));
	g_assert_true(g_bytes_equal(head, blob));
	fixture_stop(&fx);
}

static void
test_fetch_chunked(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = make_pattern(3 * MiB + 5, 7);
	g_autoptr(GBytes) back = NULL;
	guint count;

	/* max-fetch-size follows max-download-size: 1 MiB forces 4 pieces */
	fixture_start_full(&fx, 1 * MiB, FALSE, NULL);
	g_assert_true(ub_sim_storage_write_partition(fx.storage,
						     "boot_a",
						     4096,
						     g_bytes_get_data(blob, NULL),
						     g_bytes_get_size(blob),
						     &error));
	g_assert_no_error(error);
	fixture_open(&fx);
	count = ub_sim_personality_get_command_count(fx.sim);
	back = read_range(&fx, "boot_a", 4096, g_bytes_get_size(blob), &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(back, blob));
	/* partition-size, then 4 fetches */
	g_assert_cmpuint(ub_sim_personality_get_command_count(fx.sim), ==, count + 5);
	fixture_stop(&fx);
}

static void
test_erase(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = make_pattern(64 * 1024, 3);
	g_autoptr(GBytes) back = NULL;
	g_autofree guint8 *zeros = g_malloc0(64 * 1024);
	UbDeviceLocation loc = {.partition = "dtbo_b"};

	fixture_start(&fx);
	fixture_open(&fx);
	g_assert_true(write_blob(&fx, "dtbo_b", blob, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_erase(fx.device, &loc, NULL, NULL, &error));
	g_assert_no_error(error);
	back = read_range(&fx, "dtbo_b", 0, 64 * 1024, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(back, NULL), g_bytes_get_size(back), zeros, 64 * 1024);
	fixture_stop(&fx);
}

static void
test_fail_mapping(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = make_pattern(4096, 4);
	UbDeviceLocation loc_boot = {.partition = "boot"};
	UbDeviceLocation loc_none = {.partition = "nosuchpart"};

	fixture_start(&fx);
	fixture_open(&fx);

	/* the device's own words for a slotless name on an A/B phone */
	g_assert_false(ub_device_erase(fx.device, &loc_boot, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "remote: 'Partition table doesn't exist'"));
	g_assert_nonnull(strstr(error->message, "NAME_a or NAME_b"));
	g_clear_error(&error);

	/* the same after a download, through the raw command */
	{
		g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes(blob);
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
		g_assert_nonnull(strstr(error->message, "Partition table doesn't exist"));
		g_clear_error(&error);
	}

	/* write() knows before sending anything */
	g_assert_false(write_blob(&fx, "boot", blob, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "boot_a or boot_b"));
	g_clear_error(&error);
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 1);

	/* a partition that does not exist at all */
	g_assert_false(ub_device_erase(fx.device, &loc_none, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "remote: 'Partition not found'"));
	g_clear_error(&error);

	/* unknown variable */
	g_assert_null(
	    ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(fx.device), "nope", NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "Unknown variable"));
	g_clear_error(&error);
	fixture_stop(&fx);
}

static void
test_fail_locked(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = make_pattern(4096, 5);
	UbDeviceLocation loc = {.partition = "boot_a"};

	fixture_start(&fx);
	ub_sim_fastboot_set_unlocked(UB_SIM_FASTBOOT(fx.sim), FALSE);
	fixture_open(&fx);
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(fx.device), "unlocked"), ==, "no");
	g_assert_false(write_blob(&fx, "boot_a", blob, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "unlock it first"));
	g_clear_error(&error);
	g_assert_false(ub_device_erase(fx.device, &loc, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "Lock State"));
	g_assert_nonnull(strstr(error->message, "unlock it first"));
	fixture_stop(&fx);
}

static void
test_oversize(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GBytes) big = make_pattern(2 * MiB, 6);
	g_autofree guint8 *before = NULL;
	g_autofree guint8 *after = NULL;
	guint64 psize;

	fixture_start_full(&fx, 1 * MiB, FALSE, NULL);
	fixture_open(&fx);

	/* larger than the partition: refused before any byte is sent */
	psize = fixture_partition_size(&fx, "vbmeta_a");
	blob = make_pattern(psize + 512, 8);
	before = g_malloc(psize);
	after = g_malloc(psize);
	g_assert_true(
	    ub_sim_storage_read_partition(fx.storage, "vbmeta_a", 0, before, psize, &error));
	g_assert_no_error(error);
	g_assert_false(write_blob(&fx, "vbmeta_a", blob, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "larger than partition vbmeta_a"));
	g_clear_error(&error);
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	g_assert_true(
	    ub_sim_storage_read_partition(fx.storage, "vbmeta_a", 0, after, psize, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(before, psize, after, psize);

	/* larger than max-download-size: split into sparse pieces (ub-fastboot-split-test.c) */
	g_assert_true(write_blob(&fx, "super", big, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), >=, 2);
	fixture_stop(&fx);
}

static void
test_command_length(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cmd64 = g_strnfill(64, 'x');
	g_autofree gchar *cmd65 = g_strnfill(65, 'x');
	guint count;

	fixture_start(&fx);
	fixture_open(&fx);
	count = ub_sim_personality_get_command_count(fx.sim);

	g_assert_false(
	    ub_fastboot_device_command(UB_FASTBOOT_DEVICE(fx.device), cmd65, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_fastboot_device_command(UB_FASTBOOT_DEVICE(fx.device),
						  "getvar:a\nb",
						  NULL,
						  NULL,
						  &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	/* nothing reached the device */
	g_assert_cmpuint(ub_sim_personality_get_command_count(fx.sim), ==, count);

	/* 64 bytes go out; the device does not know the command */
	g_assert_false(
	    ub_fastboot_device_command(UB_FASTBOOT_DEVICE(fx.device), cmd64, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "Unrecognized command"));
	g_clear_error(&error);
	g_assert_cmpuint(ub_sim_personality_get_command_count(fx.sim), ==, count + 1);
	fixture_stop(&fx);
}

static void
test_nak_fault(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *v1 = NULL;
	g_autofree gchar *v2 = NULL;
	g_autofree gchar *v3 = NULL;

	fixture_start_full(&fx, 16 * MiB, FALSE, "nak=2");
	v1 = ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(fx.device), "product", NULL, &error);
	g_assert_no_error(error);
	v2 = ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(fx.device), "product", NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_null(v2);
	g_clear_error(&error);
	v3 = ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(fx.device), "product", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(v3, ==, "unbrick_sim");
	fixture_stop(&fx);
}

static void
test_reboot(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	fixture_start(&fx);
	fixture_open(&fx);
	g_assert_true(ub_device_reboot(fx.device, UB_REBOOT_MODE_BOOTLOADER, NULL, &error));
	g_assert_no_error(error);
	g_thread_join(g_steal_pointer(&fx.thread));
	g_assert_no_error(fx.sim_error);
	g_assert_true(fx.sim_ret);
	g_assert_cmpstr(ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(fx.sim)),
			==,
			"bootloader");
	fixture_stop(&fx);
}

/* a scripted device: answers each command with the next canned packets */
typedef struct {
	UbTransport *dev;
	GPtrArray *replies; /* of GPtrArray of GBytes; NULL entry = stay silent */
	guint delay_ms;	    /* between packets of one answer */
} Script;

static gpointer
script_thread_cb(gpointer data)
{
	Script *sc = data;
	for (guint i = 0; i < sc->replies->len; i++) {
		guint8 buf[512];
		GPtrArray *packets = g_ptr_array_index(sc->replies, i);
		g_autoptr(GError) error = NULL;
		if (ub_transport_read(sc->dev, buf, sizeof(buf), 0, NULL, &error) < 0)
			return NULL;
		for (guint j = 0; packets != NULL && j < packets->len; j++) {
			GBytes *pkt = g_ptr_array_index(packets, j);
			if (j > 0 && sc->delay_ms > 0)
				g_usleep(sc->delay_ms * 1000);
			if (!ub_transport_write(sc->dev,
						g_bytes_get_data(pkt, NULL),
						g_bytes_get_size(pkt),
						UB_TRANSPORT_WRITE_FLAG_NONE,
						0,
						NULL,
						&error))
				return NULL;
		}
	}
	return NULL;
}

static GPtrArray *
packets_new(const gchar *first, ...)
{
	GPtrArray *packets = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	va_list args;
	va_start(args, first);
	for (const gchar *p = first; p != NULL; p = va_arg(args, const gchar *))
		g_ptr_array_add(packets, g_bytes_new(p, strlen(p)));
	va_end(args);
	return packets;
}

static void
test_malformed(void)
{
	const gchar *cases[] = {
	    "XXXXhello", /* unknown status */
	    "OK",	 /* too short */
	    "DATA1234",	 /* DATA with 4 digits */
	    "DATA1234567g",
	    NULL,
	};
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(GPtrArray) replies =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autofree gchar *huge = NULL;
	Script sc = {0};
	GThread *thread;

	ub_memory_transport_new_pair(512, &host, &dev);
	device = ub_fastboot_device_new(host, FALSE);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(device), 2000);
	for (guint i = 0; cases[i] != NULL; i++)
		g_ptr_array_add(replies, packets_new(cases[i], NULL));
	g_ptr_array_add(replies, packets_new("OKAY", NULL));	     /* DATA expected, OKAY given */
	g_ptr_array_add(replies, packets_new("DATA00000010", NULL)); /* 16 asked, 8 wanted */
	/* last: a USB read would overflow, the memory pipe keeps the rest */
	huge = g_strdup_printf("OKAY%0300d", 0);
	g_ptr_array_add(replies, packets_new(huge, NULL));
	sc.dev = dev;
	sc.replies = replies;
	thread = g_thread_new("script", script_thread_cb, &sc);

	for (guint i = 0; i < 4; i++) {
		g_autoptr(GError) error = NULL;
		gboolean ok = ub_fastboot_device_command(UB_FASTBOOT_DEVICE(device),
							 "getvar:x",
							 NULL,
							 NULL,
							 &error);
		g_assert_false(ok);
		g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
		g_debug("case %u: %s", i, error->message);
	}
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GInputStream) stream =
		    g_memory_input_stream_new_from_data("12345678", 8, NULL);
		g_assert_false(ub_fastboot_device_download(UB_FASTBOOT_DEVICE(device),
							   stream,
							   8,
							   NULL,
							   NULL,
							   &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
		g_debug("download case %u: %s", i, error->message);
	}
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(ub_fastboot_device_command(UB_FASTBOOT_DEVICE(device),
							  "getvar:x",
							  NULL,
							  NULL,
							  &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
		g_assert_nonnull(strstr(error->message, "longer than 256"));
	}
	ub_transport_close(host);
	g_thread_join(thread);
}

static void
test_timeout(void)
{
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(GPtrArray) replies = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = NULL;
	Script sc = {0};
	GThread *thread;
	gint64 start;
	gint64 elapsed;

	ub_memory_transport_new_pair(512, &host, &dev);
	device = ub_fastboot_device_new(host, FALSE);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(device), 200);
	g_ptr_array_add(replies, NULL); /* read the command, say nothing */
	sc.dev = dev;
	sc.replies = replies;
	thread = g_thread_new("script", script_thread_cb, &sc);

	start = g_get_monotonic_time();
	value = ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(device), "product", NULL, &error);
	elapsed = g_get_monotonic_time() - start;
	g_assert_null(value);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_nonnull(strstr(error->message, "getvar:product"));
	g_assert_cmpint(elapsed, >=, 190 * 1000);
	g_assert_cmpint(elapsed, <, 1000 * 1000);
	ub_transport_close(host);
	g_thread_join(thread);
}

static void
log_cb(UbProgress *progress, const gchar *msg, gpointer user_data)
{
	GPtrArray *logs = user_data;
	g_ptr_array_add(logs, g_strdup(msg));
}

static void
test_info_resets_watchdog(void)
{
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(GPtrArray) replies =
	    g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
	UbDeviceLocation loc = {.partition = "cache"};
	Script sc = {0};
	GThread *thread;
	gint64 start;
	gint64 elapsed;

	ub_memory_transport_new_pair(512, &host, &dev);
	device = ub_fastboot_device_new(host, FALSE);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(device), 300);
	g_signal_connect(progress, "log", G_CALLBACK(log_cb), logs);
	/* partition-size:cache, then erase:cache with a slow but talkative device */
	g_ptr_array_add(replies, packets_new("OKAY0x1000", NULL));
	g_ptr_array_add(replies,
			packets_new("INFOerasing", "INFO25%", "INFO50%", "INFO75%", "OKAY", NULL));
	sc.dev = dev;
	sc.replies = replies;
	sc.delay_ms = 100;
	thread = g_thread_new("script", script_thread_cb, &sc);

	start = g_get_monotonic_time();
	g_assert_true(ub_device_erase(device, &loc, progress, NULL, &error));
	g_assert_no_error(error);
	elapsed = g_get_monotonic_time() - start;
	/* longer than the watchdog, but it never fired */
	g_assert_cmpint(elapsed, >, 350 * 1000);
	g_assert_cmpuint(logs->len, ==, 4);
	g_assert_cmpstr(g_ptr_array_index(logs, 0), ==, "(bootloader) erasing");
	ub_transport_close(host);
	g_thread_join(thread);
}

/* an endless image that tells how far it has been read */
#define UB_TYPE_TEST_STREAM (ub_test_stream_get_type())
G_DECLARE_FINAL_TYPE(UbTestStream, ub_test_stream, UB, TEST_STREAM, GInputStream)
struct _UbTestStream {
	GInputStream parent_instance;
	gint pos; /* atomic */
};
G_DEFINE_TYPE(UbTestStream, ub_test_stream, G_TYPE_INPUT_STREAM)

static gssize
ub_test_stream_read(GInputStream *stream,
		    void *buffer,
		    gsize count,
		    GCancellable *cancellable,
		    GError **error)
{
	UbTestStream *self = UB_TEST_STREAM(stream);
	memset(buffer, 0x5a, count);
	g_atomic_int_add(&self->pos, (gint)count);
	return (gssize)count;
}

static void
ub_test_stream_init(UbTestStream *self)
{
}

static void
ub_test_stream_class_init(UbTestStreamClass *klass)
{
	G_INPUT_STREAM_CLASS(klass)->read_fn = ub_test_stream_read;
}

typedef struct {
	UbTestStream *stream;
	GCancellable *cancellable;
	gint64 cancelled_at;
} CancelHelper;

static gpointer
cancel_thread_cb(gpointer data)
{
	CancelHelper *helper = data;
	while (g_atomic_int_get(&helper->stream->pos) < 16 * MiB)
		g_usleep(500);
	helper->cancelled_at = g_get_monotonic_time();
	g_cancellable_cancel(helper->cancellable);
	return NULL;
}

static void
test_cancel_download(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTestStream) stream = g_object_new(UB_TYPE_TEST_STREAM, NULL);
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	UbDeviceLocation loc = {.partition = "super"};
	CancelHelper helper = {.stream = stream, .cancellable = cancellable};
	GThread *thread;
	gint64 returned_at;
	gboolean ok;

	fixture_start_full(&fx, 128 * MiB, FALSE, NULL);
	fixture_open(&fx);
	thread = g_thread_new("cancel", cancel_thread_cb, &helper);
	ok = ub_device_write(fx.device,
			     &loc,
			     G_INPUT_STREAM(stream),
			     96 * MiB,
			     NULL,
			     cancellable,
			     &error);
	returned_at = g_get_monotonic_time();
	g_thread_join(thread);
	g_assert_false(ok);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(returned_at - helper.cancelled_at, <, G_USEC_PER_SEC);
	g_assert_cmpint(g_atomic_int_get(&stream->pos), <, 96 * MiB);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	fixture_stop(&fx);
}

static void
test_tcp_memory(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = make_pattern(2 * MiB + 77, 9);
	g_autoptr(GBytes) back = NULL;

	fixture_start_full(&fx, 16 * MiB, TRUE, NULL);
	fixture_open(&fx);
	g_assert_cmpstr(ub_device_get_chip(fx.device), ==, "unbrick_sim");
	g_assert_true(write_blob(&fx, "boot_b", blob, &error));
	g_assert_no_error(error);
	back = read_range(&fx, "boot_b", 0, g_bytes_get_size(blob), &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(back, blob));
	fixture_stop(&fx);
}

/* the same over a real socket, through the TCP transport */
typedef struct {
	GSocketListener *listener;
	UbSimPersonality *sim;
	gboolean ret;
	GError *error;
} TcpServer;

static gpointer
tcp_server_thread_cb(gpointer data)
{
	TcpServer *srv = data;
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(UbTransport) transport = NULL;
	conn = g_socket_listener_accept(srv->listener, NULL, NULL, &srv->error);
	if (conn == NULL)
		return NULL;
	transport = ub_tcp_transport_new_for_connection(conn);
	srv->ret = ub_sim_personality_serve(srv->sim, transport, NULL, &srv->error);
	return NULL;
}

static void
test_tcp_socket(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-fastboot-XXXXXX", NULL);
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(tmpdir, "emmc:4G", &error);
	g_autoptr(UbSimPersonality) sim = NULL;
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) effective = NULL;
	g_autoptr(UbTransport) transport = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(GBytes) blob = make_pattern(3 * MiB + 1, 10);
	g_autoptr(GInputStream) istream = g_memory_input_stream_new_from_bytes(blob);
	g_autoptr(GOutputStream) ostream = g_memory_output_stream_new_resizable();
	g_autoptr(GBytes) back = NULL;
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	UbDeviceLocation loc = {.partition = "boot_a"};
	UbDeviceLocation loc_read = {.partition = "boot_a", .length = 3 * MiB + 1};
	TcpServer srv = {0};
	GThread *thread;
	guint16 port;

	g_assert_no_error(error);
	sim = ub_sim_fastboot_new(storage, NULL);
	ub_sim_fastboot_set_tcp(UB_SIM_FASTBOOT(sim), TRUE);
	g_assert_true(g_socket_listener_add_address(listener,
						    addr,
						    G_SOCKET_TYPE_STREAM,
						    G_SOCKET_PROTOCOL_TCP,
						    NULL,
						    &effective,
						    &error));
	g_assert_no_error(error);
	port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	srv.listener = listener;
	srv.sim = sim;
	thread = g_thread_new("tcp-sim", tcp_server_thread_cb, &srv);

	transport = ub_tcp_transport_new_connect("127.0.0.1", port, 5000, NULL, &error);
	g_assert_no_error(error);
	device = ub_fastboot_device_new(transport, TRUE);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(device), 5000);
	g_assert_true(ub_device_open(device, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_identify(device, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_device_get_serial(device), ==, "UBSIM0001");
	g_assert_true(ub_device_write(device, &loc, istream, 3 * MiB + 1, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_read(device, &loc_read, ostream, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(ostream, NULL, NULL));
	back = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(ostream));
	g_assert_true(g_bytes_equal(back, blob));
	g_assert_true(ub_device_reboot(device, UB_REBOOT_MODE_SYSTEM, NULL, &error));
	g_assert_no_error(error);
	g_thread_join(thread);
	g_assert_no_error(srv.error);
	g_assert_true(srv.ret);
	g_assert_cmpstr(ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(sim)), ==, "system");
	ub_device_close(device);
	g_assert_cmpint(system(cmd), ==, 0);
}

/* pure helpers */
static void
test_response_parse(void)
{
	UbFastbootResponseKind kind = UB_FASTBOOT_RESPONSE_LAST;
	guint32 size = 0;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *text2 = NULL;
	const guint8 ctl[] = {'I', 'N', 'F', 'O', 'a', 0x01, 'b', '\n', 0, 'z'};

	g_assert_true(ub_fastboot_response_parse((const guint8 *)"DATA0000abcd",
						 12,
						 &kind,
						 NULL,
						 &size,
						 &error));
	g_assert_no_error(error);
	g_assert_cmpint(kind, ==, UB_FASTBOOT_RESPONSE_DATA);
	g_assert_cmpuint(size, ==, 0xabcd);
	g_assert_true(ub_fastboot_response_parse(ctl, sizeof(ctl), &kind, &text, NULL, &error));
	g_assert_cmpint(kind, ==, UB_FASTBOOT_RESPONSE_INFO);
	g_assert_cmpstr(text, ==, "a?b");
	g_assert_true(
	    ub_fastboot_response_parse((const guint8 *)"TEXTraw", 7, &kind, &text2, NULL, &error));
	g_assert_cmpint(kind, ==, UB_FASTBOOT_RESPONSE_TEXT);
	g_assert_false(ub_fastboot_response_parse((const guint8 *)"DATA-0000001",
						  12,
						  &kind,
						  NULL,
						  &size,
						  &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
}

static void
test_parse_size(void)
{
	guint64 v = 0;
	g_assert_true(ub_fastboot_parse_size(" 0x10000000", FALSE, &v, NULL));
	g_assert_cmpuint(v, ==, 0x10000000);
	g_assert_true(ub_fastboot_parse_size("536870912", FALSE, &v, NULL));
	g_assert_cmpuint(v, ==, 536870912);
	g_assert_true(ub_fastboot_parse_size("4000", TRUE, &v, NULL));
	g_assert_cmpuint(v, ==, 0x4000);
	g_assert_false(ub_fastboot_parse_size("", FALSE, &v, NULL));
	g_assert_false(ub_fastboot_parse_size("-1", FALSE, &v, NULL));
	g_assert_false(ub_fastboot_parse_size("0x", FALSE, &v, NULL));
	g_assert_false(ub_fastboot_parse_size("0x1ffffffffffffffff", FALSE, &v, NULL));
	g_assert_false(ub_fastboot_parse_size("12abc", FALSE, &v, NULL));
}

static void
test_var_lines(void)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) parts = NULL;
	UbPartition *p;
	g_ptr_array_add(lines, g_strdup("partition-size:userdata: 0x500000000"));
	g_ptr_array_add(lines, g_strdup("partition-size:system_a:0x1000"));
	g_ptr_array_add(lines, g_strdup("is-logical:system_a:yes"));
	g_ptr_array_add(lines, g_strdup("partition-size:bad name:0x1000"));
	g_ptr_array_add(lines, g_strdup("partition-size:noval"));
	g_ptr_array_add(lines, g_strdup("garbage"));
	g_ptr_array_add(lines, g_strdup("partition-size:junk:zz"));
	g_ptr_array_add(lines, g_strdup("version-bootloader:a:b"));
	parts = ub_fastboot_var_lines_to_partitions(lines);
	g_assert_cmpuint(parts->len, ==, 3);
	p = ub_partition_array_find(parts, "userdata");
	g_assert_cmpuint(ub_partition_get_size(p), ==, 0x500000000);
	p = ub_partition_array_find(parts, "system_a");
	g_assert_true(ub_partition_get_is_logical(p));
	p = ub_partition_array_find(parts, "junk");
	g_assert_cmpuint(ub_partition_get_size(p), ==, 0);
	{
		g_autoptr(GHashTable) vars = ub_fastboot_var_lines_to_hash(lines);
		g_assert_cmpstr(g_hash_table_lookup(vars, "version-bootloader"), ==, "a:b");
	}
}

static void
test_advice(void)
{
	g_assert_nonnull(ub_fastboot_fail_advice("Partition table doesn't exist"));
	g_assert_nonnull(ub_fastboot_fail_advice("flash write failure"));
	g_assert_nonnull(ub_fastboot_fail_advice("Flashing is not allowed in Lock State"));
	g_assert_nonnull(ub_fastboot_fail_advice("not allowed in locked state"));
	g_assert_nonnull(ub_fastboot_fail_advice("size too large"));
	g_assert_nonnull(ub_fastboot_fail_advice("data too large"));
	g_assert_nonnull(strstr(ub_fastboot_fail_advice("Anti-rollback check failed"), "anti-rollback"));
	g_assert_nonnull(strstr(ub_fastboot_fail_advice("Failed to write partition table"), "super"));
	g_assert_nonnull(strstr(ub_fastboot_fail_advice("get_unlock_ability: 0"), "OEM unlocking"));
	g_assert_nonnull(
	    strstr(ub_fastboot_fail_advice("Cannot resize while a snapshot merge is in progress"),
		   "snapshot-update cancel"));
	g_assert_null(ub_fastboot_fail_advice("something else"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/fastboot/device/response-parse", test_response_parse);
	g_test_add_func("/ub/fastboot/device/parse-size", test_parse_size);
	g_test_add_func("/ub/fastboot/device/var-lines", test_var_lines);
	g_test_add_func("/ub/fastboot/device/advice", test_advice);
	g_test_add_func("/ub/fastboot/device/identify", test_identify);
	g_test_add_func("/ub/fastboot/device/getvar-all", test_getvar_all);
	g_test_add_func("/ub/fastboot/device/flash-fetch", test_flash_fetch);
	g_test_add_func("/ub/fastboot/device/fetch-chunked", test_fetch_chunked);
	g_test_add_func("/ub/fastboot/device/erase", test_erase);
	g_test_add_func("/ub/fastboot/device/fail-mapping", test_fail_mapping);
	g_test_add_func("/ub/fastboot/device/fail-locked", test_fail_locked);
	g_test_add_func("/ub/fastboot/device/oversize", test_oversize);
	g_test_add_func("/ub/fastboot/device/command-length", test_command_length);
	g_test_add_func("/ub/fastboot/device/nak-fault", test_nak_fault);
	g_test_add_func("/ub/fastboot/device/reboot", test_reboot);
	g_test_add_func("/ub/fastboot/device/malformed", test_malformed);
	g_test_add_func("/ub/fastboot/device/timeout", test_timeout);
	g_test_add_func("/ub/fastboot/device/info-resets-watchdog", test_info_resets_watchdog);
	g_test_add_func("/ub/fastboot/device/cancel-download", test_cancel_download);
	g_test_add_func("/ub/fastboot/device/tcp-memory", test_tcp_memory);
	g_test_add_func("/ub/fastboot/device/tcp-socket", test_tcp_socket);
	return g_test_run();
}
