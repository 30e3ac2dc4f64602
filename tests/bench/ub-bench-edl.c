/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edl/ub-edl-device.h"
#include "sim/ub-sim-fd-transport.h"
#include "ub-core.h"
#include "ub-edl-test-common.h"
#include "ub-serial-transport.h"
#include "ub-umockdev-sim.h"
#include "ub-umockdev-transport.h"
#include "ub-usb-transport.h"

/*
 * EDL throughput: the engine writes and reads back SIZE MiB (default 1024) of
 * the simulated 9008 phone's user area through
 *   usb:    the real libusb code path into a umockdev test bed (run under
 *           umockdev-wrapper),
 *   pty:    a pty pair, the serial path (/dev/ttyUSBn),
 * and prints MB/s and CPU seconds per GiB (this process: engine and
 * simulator together). launch -- CMD... serves the simulated phone on a fake
 * bus at 1-1 while CMD runs under the umockdev preload (Debian's qdl), and
 * prints the CPU seconds of CMD. programmer DIR writes the generated ELF
 * programmer into DIR and prints its path.
 */

#define MiB (1024 * 1024)

static gdouble
ub_bench_cpu_seconds(gint who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static UbUmockdevSim *
ub_bench_edl_usb_sim_new(const gchar *path)
{
	/* clang-format off */
	const guint8 config[32] = {
	    9, 2, 32, 0, 1, 1, 0, 0x80, 0x01,
	    9, 4, 0, 0, 2, 0xff, 0xff, 0xff, 0,
	    7, 5, 0x81, 2, 0x00, 0x02, 0,
	    7, 5, 0x01, 2, 0x00, 0x02, 0,
	};
	/* clang-format on */
	UbUmockdevSim *sim = ub_umockdev_sim_new(path, 0x05c6, 0x9008);
	ub_umockdev_sim_set_strings(sim,
				    "Qualcomm CDMA Technologies MSM",
				    "QUSB_BULK_CID:040E_SN:1234ABCD",
				    NULL);
	ub_umockdev_sim_set_config_descriptor(sim, config, sizeof(config));
	return sim;
}

/* write and read back @size bytes at 64 MiB of the user area */
static gboolean
ub_bench_run(const gchar *what, UbDevice *device, const gchar *programmer, guint64 size, GError **error)
{
	g_autoptr(GFile) prog = g_file_new_for_path(programmer);
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GOutputStream) out = NULL;
	g_autoptr(GBytes) chunk = ub_edl_test_make_pattern(64 * MiB, 7);
	g_autofree gchar *src = g_strdup("/tmp/ub-bench-edl-XXXXXX");
	UbDeviceLocation loc = {.region = "user", .offset = 64 * MiB, .length = size};
	gint fd;
	gint64 t0;
	gdouble c0;
	gdouble secs;
	gdouble cpu;

	ub_edl_device_set_programmer(UB_EDL_DEVICE(device), prog);
	ub_edl_device_set_memory_name(UB_EDL_DEVICE(device), "emmc");
	if (!ub_device_open(device, progress, NULL, error))
		return FALSE;

	/* the source: a file of random data, so the page cache serves it */
	fd = g_mkstemp(src);
	for (guint64 done = 0; done < size; done += 64 * MiB) {
		gsize n = MIN(64 * MiB, size - done);
		if (write(fd, g_bytes_get_data(chunk, NULL), n) != (gssize)n) {
			g_set_error(error, UB_ERROR, UB_ERROR_IO, "cannot write %s", src);
			return FALSE;
		}
	}
	lseek(fd, 0, SEEK_SET);
	in = g_unix_input_stream_new(fd, TRUE);
	g_unlink(src);

	t0 = g_get_monotonic_time();
	c0 = ub_bench_cpu_seconds(RUSAGE_SELF);
	if (!ub_device_write(device, &loc, in, size, progress, NULL, error))
		return FALSE;
	secs = (g_get_monotonic_time() - t0) / 1e6;
	cpu = ub_bench_cpu_seconds(RUSAGE_SELF) - c0;
	g_print("%s write: %.0f MiB in %.2f s = %.1f MB/s, %.2f CPU s/GiB\n",
		what,
		(gdouble)size / MiB,
		secs,
		size / secs / 1e6,
		cpu * (1024.0 * MiB) / size);

	out = g_unix_output_stream_new(open("/dev/null", O_WRONLY | O_CLOEXEC), TRUE);
	t0 = g_get_monotonic_time();
	c0 = ub_bench_cpu_seconds(RUSAGE_SELF);
	if (!ub_device_read(device, &loc, out, progress, NULL, error))
		return FALSE;
	secs = (g_get_monotonic_time() - t0) / 1e6;
	cpu = ub_bench_cpu_seconds(RUSAGE_SELF) - c0;
	g_print("%s read:  %.0f MiB in %.2f s = %.1f MB/s, %.2f CPU s/GiB\n",
		what,
		(gdouble)size / MiB,
		secs,
		size / secs / 1e6,
		cpu * (1024.0 * MiB) / size);
	return TRUE;
}

int
main(int argc, char **argv)
{
	const gchar *mode = argc > 1 ? argv[1] : "usb";
	guint64 size = (argc > 2 && g_strcmp0(argv[2], "--") != 0 ? g_ascii_strtoull(argv[2], NULL, 10) : 1024) * MiB;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-bench-edl-XXXXXX", NULL);
	g_autofree gchar *storage_dir = g_build_filename(tmpdir, "phone", NULL);
	g_autofree gchar *programmer = ub_edl_test_write_programmer(tmpdir, &error);
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(storage_dir, "emmc:8G", &error);
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbUmockdevSim) usb_sim = NULL;
	g_autoptr(UMockdevTestbed) testbed = NULL;
	gint rc = 0;

	if (storage == NULL) {
		g_printerr("%s\n", error->message);
		return 1;
	}
	if (g_strcmp0(mode, "programmer") == 0) {
		g_autofree gchar *fn = NULL;
		if (argc < 3) {
			g_printerr("usage: ub-bench-edl programmer DIR\n");
			return 2;
		}
		fn = ub_edl_test_write_programmer(argv[2], &error);
		ub_edl_test_rmtree(tmpdir);
		if (fn == NULL) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		g_print("%s\n", fn);
		return 0;
	}
	phone = ub_sim_phone_new("edl", storage, NULL, &error);
	if (phone == NULL) {
		g_printerr("%s\n", error->message);
		return 1;
	}

	if (g_strcmp0(mode, "usb") == 0 || g_strcmp0(mode, "launch") == 0) {
		testbed = umockdev_testbed_new();
		if (!ub_umockdev_sim_in_mock_environment(testbed)) {
			g_printerr("run under umockdev-wrapper\n");
			return 77;
		}
		usb_sim = ub_bench_edl_usb_sim_new("1-1");
		dev = ub_umockdev_transport_new(usb_sim);
		if (!ub_umockdev_sim_plug(usb_sim, testbed, &error) ||
		    !ub_sim_phone_start(phone, dev, &error)) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		if (g_strcmp0(mode, "launch") == 0) {
			/* argv: launch -- CMD ARGS...; the child inherits UMOCKDEV_DIR */
			gchar **cmd = argv + 2;
			gint status = 0;
			gdouble c0 = ub_bench_cpu_seconds(RUSAGE_CHILDREN);
			gdouble s0 = ub_bench_cpu_seconds(RUSAGE_SELF);
			gint64 t0 = g_get_monotonic_time();
			g_autofree gchar *root = umockdev_testbed_get_root_dir(testbed);
			if (*cmd != NULL && g_strcmp0(*cmd, "--") == 0)
				cmd++;
			g_setenv("UMOCKDEV_DIR", root, TRUE);
			if (!g_spawn_sync(NULL, cmd, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
					  NULL, NULL, NULL, NULL, &status, &error)) {
				g_printerr("%s\n", error->message);
				return 1;
			}
			g_print("launch: %s exited %d after %.2f s, its CPU %.2f s, simulator CPU %.2f s\n",
				cmd[0],
				WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				(g_get_monotonic_time() - t0) / 1e6,
				ub_bench_cpu_seconds(RUSAGE_CHILDREN) - c0,
				ub_bench_cpu_seconds(RUSAGE_SELF) - s0);
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		} else {
			host = ub_usb_transport_new_for_path("1-1", &error);
			if (host == NULL) {
				g_printerr("%s\n", error->message);
				return 1;
			}
			device = ub_device_new_for_transport(host, UB_DEVICE_MODE_EDL, FALSE, &error);
			if (device == NULL || !ub_bench_run("umockdev usb", device, programmer, size, &error)) {
				g_printerr("usb: %s\n", error->message);
				rc = 1;
			}
		}
	} else if (g_strcmp0(mode, "pty") == 0) {
		gint master = -1;
		gint slave = -1;
		if (openpty(&master, &slave, NULL, NULL, NULL) != 0) {
			g_printerr("openpty failed\n");
			return 1;
		}
		/* the host end first: opening it flushes the line, and the phone's
		 * HELLO must come after that */
		host = ub_serial_transport_new(ttyname(slave), UB_SERIAL_TRANSPORT_DEFAULT_BAUDRATE, &error);
		if (host == NULL) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		dev = ub_sim_fd_transport_new(master, "pty master");
		if (!ub_sim_phone_start(phone, dev, &error)) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		device = ub_device_new_for_transport(host, UB_DEVICE_MODE_EDL, FALSE, &error);
		if (device == NULL || !ub_bench_run("pty", device, programmer, size, &error)) {
			g_printerr("pty: %s\n", error->message);
			rc = 1;
		}
		close(slave);
	} else {
		g_printerr("usage: ub-bench-edl usb|pty [MIB] | launch -- CMD... | programmer DIR\n");
		return 2;
	}
	if (device != NULL)
		ub_device_close(device);
	ub_sim_phone_stop(phone);
	if (usb_sim != NULL)
		ub_umockdev_sim_unplug(usb_sim);
	ub_edl_test_rmtree(tmpdir);
	return rc;
}
