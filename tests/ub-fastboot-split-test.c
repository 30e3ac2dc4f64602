/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fastboot/ub-fastboot-device.h"
#include "formats/ub-sparse-writer.h"
#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-fault-transport.h"
#include "sim/ub-sim-open.h"
#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-storage.h"
#include "sim/ub-sim-super.h"
#include "ub-core.h"
#include "ub-memory-transport.h"

/*
 * The fastboot engine's big images (split into sparse pieces of at most
 * max-download-size), its commands, and its switch between the bootloader and
 * fastbootd, all against the simulated phone.
 */

#define KiB 1024
#define MiB (1024 * 1024)

typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	GCancellable *sim_cancel;
	GError *sim_error;
	UbDevice *device;
} Fixture;

static gpointer
sim_thread_cb(gpointer data)
{
	Fixture *fx = data;
	if (!ub_sim_personality_serve(fx->sim, fx->dev, fx->sim_cancel, &fx->sim_error))
		g_debug("sim stopped: %s", fx->sim_error->message);
	return NULL;
}

static void
fixture_start(Fixture *fx, guint32 max_download_size, const gchar *faults)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) sim_faults = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	UbTransport *dev = NULL;

	fx->tmpdir = g_dir_make_tmp("ub-fastboot-split-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, "emmc:4G", &error);
	g_assert_no_error(error);
	sim_faults = ub_sim_faults_new_from_string(faults, &error);
	g_assert_no_error(error);
	fx->sim = ub_sim_fastboot_new(fx->storage, sim_faults);
	ub_sim_fastboot_set_max_download_size(UB_SIM_FASTBOOT(fx->sim), max_download_size);
	ub_memory_transport_new_pair(512, &fx->host, &dev);
	/* the phone unplugs itself (disconnect-after) in the fault transport */
	fx->dev = faults != NULL ? ub_sim_fault_transport_new(dev, sim_faults) : g_object_ref(dev);
	g_object_unref(dev);
	fx->sim_cancel = g_cancellable_new();
	fx->thread = g_thread_new("sim", sim_thread_cb, fx);
	fx->device = ub_fastboot_device_new(fx->host, FALSE);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(fx->device), 5000);
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

/* random data with a zero run and a uniform run, so the scan makes RAW, FILL and zeros */
static GBytes *
make_image(gsize size, guint32 seed)
{
	guint8 *buf = g_malloc(size);
	guint32 x = seed;
	for (gsize i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (guint8)(x >> 16);
	}
	if (size >= 2 * MiB) {
		memset(buf + 256 * KiB, 0, 512 * KiB);
		memset(buf + 1536 * KiB, 0xab, 128 * KiB);
	}
	return g_bytes_new_take(buf, size);
}

static gboolean
write_bytes(UbDevice *device,
	    const gchar *part,
	    GBytes *blob,
	    GCancellable *cancellable,
	    UbProgress *progress,
	    GError **error)
{
	UbDeviceLocation loc = {.partition = part};
	g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes(blob);
	return ub_device_write(device,
			       &loc,
			       stream,
			       g_bytes_get_size(blob),
			       progress,
			       cancellable,
			       error);
}

static void
assert_partition_equals(Fixture *fx, const gchar *part, const guint8 *expected, gsize size)
{
	g_autoptr(GError) error = NULL;
	g_autofree guint8 *got = g_malloc(size);
	g_assert_true(ub_sim_storage_read_partition(fx->storage, part, 0, got, size, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(got, size, expected, size);
}

/* a raw image of 3x max-download-size goes as sparse pieces and arrives intact */
static void
test_split_raw(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) image = make_image(3 * MiB + 5000, 1);
	g_autoptr(UbProgress) progress = ub_progress_new();

	fixture_start(&fx, 1 * MiB, NULL);
	g_assert_true(write_bytes(fx.device, "super", image, NULL, progress, &error));
	g_assert_no_error(error);
	/* at least 3 pieces, each accepted by a device that refuses more than 1 MiB */
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), >=, 3);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)),
			 ==,
			 ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)));
	assert_partition_equals(&fx,
				"super",
				g_bytes_get_data(image, NULL),
				g_bytes_get_size(image));
	g_assert_cmpfloat(ub_progress_get_fraction(progress), ==, 1.0);
	fixture_stop(&fx);
}

/* a sparse image stays sparse: its DONT_CARE blocks keep what the partition held */
static void
test_split_sparse(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) image = make_image(4 * MiB, 2);
	g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes(image);
	g_autoptr(GInputStream) raw2 = g_memory_input_stream_new_from_bytes(image);
	g_autoptr(UbSparseImage) layout = NULL;
	g_autoptr(UbSparseWriter) writer = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GBytes) sparse = NULL;
	g_autofree guint8 *before = g_malloc(4 * MiB);
	g_autofree guint8 *expected = g_malloc(4 * MiB);
	const guint8 *data = g_bytes_get_data(image, NULL);

	layout = ub_sparse_writer_scan_raw(raw,
					   4096,
					   UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE,
					   NULL,
					   &error);
	g_assert_no_error(error);
	writer = ub_sparse_writer_new(layout, raw2, UB_SPARSE_WRITER_FLAG_CRC, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_output_stream_splice(out,
					       G_INPUT_STREAM(writer),
					       G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
						   G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
					       NULL,
					       &error),
			>,
			3 * MiB);
	g_assert_no_error(error);
	sparse = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));

	fixture_start(&fx, 1 * MiB, NULL);
	/* what was there before: the zero run of the image must keep it */
	memset(before, 0x77, 4 * MiB);
	g_assert_true(ub_sim_storage_write_partition(fx.storage, "super", 0, before, 4 * MiB, &error));
	g_assert_no_error(error);
	memcpy(expected, data, 4 * MiB);
	memset(expected + 256 * KiB, 0x77, 512 * KiB);

	g_assert_true(write_bytes(fx.device, "super", sparse, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), >=, 3);
	assert_partition_equals(&fx, "super", expected, 4 * MiB);
	fixture_stop(&fx);
}

/* ub_fastboot_device_flash(): a source that is opened again rather than seeked */
typedef struct {
	GBytes *image;
	guint opened;
} OpenCounter;

static GInputStream *
open_counter_cb(gpointer user_data, GCancellable *cancellable, GError **error)
{
	OpenCounter *oc = user_data;
	oc->opened++;
	return g_memory_input_stream_new_from_bytes(oc->image);
}

static void
test_split_open_func(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) image = make_image(3 * MiB, 3);
	OpenCounter oc = {.image = image};

	fixture_start(&fx, 1 * MiB, NULL);
	g_assert_true(ub_fastboot_device_flash(UB_FASTBOOT_DEVICE(fx.device),
					       "super",
					       open_counter_cb,
					       &oc,
					       g_bytes_get_size(image),
					       NULL,
					       NULL,
					       &error));
	g_assert_no_error(error);
	/* probe + scan + one per piece */
	g_assert_cmpuint(oc.opened,
			 ==,
			 2 + ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)));
	assert_partition_equals(&fx, "super", g_bytes_get_data(image, NULL), 3 * MiB);
	fixture_stop(&fx);
}

/* a stream that can be read only once cannot be split: refused before any download */
static void
test_split_unseekable(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) image = make_image(3 * MiB, 4);
	g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes(image);
	g_autoptr(GInputStream) conv = NULL;
	g_autoptr(GCharsetConverter) identity = NULL;
	UbDeviceLocation loc = {.partition = "super"};

	/* a converter stream does not seek */
	identity = g_charset_converter_new("ISO-8859-1", "ISO-8859-1", &error);
	g_assert_no_error(error);
	conv = g_converter_input_stream_new(mem, G_CONVERTER(identity));
	g_assert_false(G_IS_SEEKABLE(conv) && g_seekable_can_seek(G_SEEKABLE(conv)));

	fixture_start(&fx, 1 * MiB, NULL);
	g_assert_false(
	    ub_device_write(fx.device, &loc, conv, g_bytes_get_size(image), NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_nonnull(strstr(error->message, "max-download-size"));
	g_assert_cmpuint(ub_sim_fastboot_get_download_count(UB_SIM_FASTBOOT(fx.sim)), ==, 0);
	fixture_stop(&fx);
}

static void
cancel_half_cb(UbProgress *progress, gpointer user_data)
{
	if (ub_progress_get_fraction(progress) > 0.5)
		g_cancellable_cancel(G_CANCELLABLE(user_data));
}

/* cancelled in the middle of a piece: cancelled, and not every piece was flashed */
static void
test_split_cancel(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) image = make_image(4 * MiB, 5);
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GCancellable) cancellable = g_cancellable_new();

	fixture_start(&fx, 1 * MiB, NULL);
	g_signal_connect(progress, "changed", G_CALLBACK(cancel_half_cb), cancellable);
	g_assert_false(write_bytes(fx.device, "super", image, cancellable, progress, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), >=, 1);
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), <, 4);
	g_assert_cmpfloat(ub_progress_get_fraction(progress), <, 1.0);
	fixture_stop(&fx);
}

/* the phone unplugged during the second piece: an error, never success */
static void
test_split_disconnect(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) image = make_image(4 * MiB, 6);

	fixture_start(&fx, 1 * MiB, "disconnect-after=1536K");
	g_assert_false(write_bytes(fx.device, "super", image, NULL, NULL, &error));
	g_assert_nonnull(error);
	g_test_message("disconnect: %s", error->message);
	g_assert_true(g_error_matches(error, UB_ERROR, UB_ERROR_DEVICE_GONE) ||
		      g_error_matches(error, UB_ERROR, UB_ERROR_TIMED_OUT));
	g_assert_nonnull(strstr(error->message, "piece 2 of"));
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 1);
	fixture_stop(&fx);
}

static void
remove_tmpdir(gpointer data)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", (const gchar *)data);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(data);
}

/* the in-process phone as `--device sim:fastboot:DIR` opens it, reconnect hook included */
static UbDevice *
open_sim_device(const gchar *layout)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(UbDevice) device = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("ub-fastboot-sim-XXXXXX", &error);

	g_assert_no_error(error);
	g_setenv(UB_SIM_FASTBOOT_ENV_LAYOUT, layout, TRUE);
	g_setenv(UB_SIM_FASTBOOT_ENV_MAX_DOWNLOAD_SIZE, "1M", TRUE);
	device = ub_sim_open_device("fastboot", dir, &error);
	g_unsetenv(UB_SIM_FASTBOOT_ENV_LAYOUT);
	g_unsetenv(UB_SIM_FASTBOOT_ENV_MAX_DOWNLOAD_SIZE);
	g_assert_no_error(error);
	g_object_set_data_full(G_OBJECT(device), "test-dir", g_steal_pointer(&dir), remove_tmpdir);
	ub_fastboot_device_set_timeout(UB_FASTBOOT_DEVICE(device), 5000);
	ub_fastboot_device_set_reconnect_timeout(UB_FASTBOOT_DEVICE(device), 5000);
	g_assert_true(ub_device_open(device, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_identify(device, NULL, &error));
	g_assert_no_error(error);
	return g_steal_pointer(&device);
}

static UbSimPhone *
sim_phone(UbDevice *device)
{
	return g_object_get_data(G_OBJECT(device), "ub-sim-phone");
}

/* the phone left for good (system, EDL): its session ends with no way back */
static void
assert_phone_gone(UbDevice *device, const gchar *target)
{
	g_autoptr(GError) error = NULL;
	UbSimPhone *phone = sim_phone(device);
	UbSimFastboot *sim = UB_SIM_FASTBOOT(ub_sim_phone_get_personality(phone));
	g_autoptr(UbTransport) next = ub_sim_phone_wait_reconnect(phone, 5000, NULL, &error);
	g_assert_null(next);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_cmpstr(ub_sim_fastboot_get_reboot_target(sim), ==, target);
}

/* every command of the bootloader, against the simulated phone */
static void
test_commands(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = open_sim_device("pixel");
	g_autoptr(GBytes) boot = make_image(64 * KiB, 7);
	g_autoptr(GInputStream) boot_stream = g_memory_input_stream_new_from_bytes(boot);
	g_autofree gchar *reply = NULL;
	g_autofree gchar *product = NULL;
	UbSimFastboot *sim = UB_SIM_FASTBOOT(ub_sim_phone_get_personality(sim_phone(device)));

	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(device), "fastboot-mode"),
			==,
			"bootloader");

	/* get_var */
	product = ub_device_get_var(device, "product", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(product, ==, ub_device_get_product(device));

	/* set_active: validated before anything is sent */
	g_assert_false(ub_device_set_active(device, "c", NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_true(ub_device_set_active(device, "b", NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_sim_fastboot_get_current_slot(sim), ==, 'b');
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(device), "current-slot"), ==, "b");
	g_assert_true(ub_device_set_active(device, "_a", NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_sim_fastboot_get_current_slot(sim), ==, 'a');

	/* INFO-only answers come back as the reply */
	g_assert_true(
	    ub_device_command(device, "flashing get_unlock_ability", &reply, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(reply, ==, "get_unlock_ability: 1");
	g_clear_pointer(&reply, g_free);

	/* lock, then a locked phone refuses with advice, then unlock again */
	g_assert_true(ub_device_command(device, "flashing lock", NULL, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_false(ub_sim_fastboot_get_unlocked(sim));
	g_assert_false(write_bytes(device, "boot_a", boot, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "unlock"));
	g_clear_error(&error);
	g_assert_true(ub_device_command(device, "flashing unlock", NULL, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_fastboot_get_unlocked(sim));

	/* an oem command the bootloader does not have */
	g_assert_false(ub_device_command(device, "oem frobnicate", NULL, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);

	/* boot: a payload, then the phone leaves */
	g_assert_true(ub_device_command_with_data(device,
						  "boot",
						  boot_stream,
						  g_bytes_get_size(boot),
						  NULL,
						  NULL,
						  &error));
	g_assert_no_error(error);
	assert_phone_gone(device, "system");
}

/* the ways out: continue, reboot-edl, oem edl each end the session with success */
static void
test_commands_leaving(void)
{
	const gchar *commands[] = {"continue", "reboot-edl", "oem edl"};
	const gchar *targets[] = {"system", "edl", "edl"};
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbDevice) device = open_sim_device("pixel");
		g_assert_true(ub_device_command(device, commands[i], NULL, NULL, NULL, &error));
		g_assert_no_error(error);
		assert_phone_gone(device, targets[i]);
	}
}

/* a logical partition from the bootloader: off to fastbootd, resized, flashed, back */
static void
test_logical_switch(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = open_sim_device("pixel");
	g_autoptr(GBytes) image = make_image(3 * MiB, 8);
	g_autoptr(GBytes) boot = make_image(64 * KiB, 9);
	g_autoptr(UbSimSuper) super = NULL;
	g_autofree guint8 *got = g_malloc(3 * MiB);
	UbSimPhone *phone = sim_phone(device);
	UbSimFastboot *sim;

	g_assert_cmpint(ub_device_get_mode(device), ==, UB_DEVICE_MODE_FASTBOOT);
	g_assert_true(write_bytes(device, "system_a", image, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_device_get_mode(device), ==, UB_DEVICE_MODE_FASTBOOTD);
	g_assert_cmpstr(g_hash_table_lookup(ub_device_get_extra(device), "fastboot-mode"),
			==,
			"fastbootd");
	sim = UB_SIM_FASTBOOT(ub_sim_phone_get_personality(phone));
	g_assert_true(ub_sim_fastboot_get_userspace(sim));

	/* resized to the image, and the data is in super */
	super = ub_sim_super_load(ub_sim_phone_get_storage(phone), "super", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_sim_super_get_partition_size(super, "system_a"), ==, 3 * MiB);
	g_assert_true(ub_sim_super_read(super, "system_a", 0, got, 3 * MiB, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(got, 3 * MiB, g_bytes_get_data(image, NULL), 3 * MiB);

	/* fastbootd-only commands run here */
	g_assert_true(ub_device_command(device,
					"create-logical-partition:ubtest_a:4096",
					NULL,
					NULL,
					NULL,
					&error));
	g_assert_no_error(error);
	g_assert_true(ub_device_command(device,
					"resize-logical-partition:ubtest_a:8192",
					NULL,
					NULL,
					NULL,
					&error));
	g_assert_no_error(error);
	g_assert_true(
	    ub_device_command(device, "delete-logical-partition:ubtest_a", NULL, NULL, NULL, &error));
	g_assert_no_error(error);

	/* a bootloader-only command brings it back to the bootloader */
	g_assert_true(ub_device_command(device, "flashing unlock", NULL, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_device_get_mode(device), ==, UB_DEVICE_MODE_FASTBOOT);
	g_assert_false(ub_sim_fastboot_get_userspace(sim));

	/* and a plain reboot-fastboot is followed lazily, by the next command */
	g_assert_true(ub_device_reboot(device, UB_REBOOT_MODE_FASTBOOTD, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(write_bytes(device, "boot_a", boot, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ub_device_get_mode(device), ==, UB_DEVICE_MODE_FASTBOOTD);
}

/* no reconnect hook: the switch asks the user to start again, nothing hangs */
static void
test_logical_no_reconnect(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = open_sim_device("pixel");
	g_autoptr(GBytes) image = make_image(64 * KiB, 10);

	ub_device_set_reconnect_func(device, NULL, NULL, NULL);
	g_assert_false(write_bytes(device, "system_a", image, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG);
	g_assert_nonnull(strstr(error->message, "fastbootd"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/fastboot/split/raw", test_split_raw);
	g_test_add_func("/ub/fastboot/split/sparse", test_split_sparse);
	g_test_add_func("/ub/fastboot/split/open-func", test_split_open_func);
	g_test_add_func("/ub/fastboot/split/unseekable", test_split_unseekable);
	g_test_add_func("/ub/fastboot/split/cancel", test_split_cancel);
	g_test_add_func("/ub/fastboot/split/disconnect", test_split_disconnect);
	g_test_add_func("/ub/fastboot/split/commands", test_commands);
	g_test_add_func("/ub/fastboot/split/commands-leaving", test_commands_leaving);
	g_test_add_func("/ub/fastboot/split/logical-switch", test_logical_switch);
	g_test_add_func("/ub/fastboot/split/logical-no-reconnect", test_logical_no_reconnect);
	return g_test_run();
}
