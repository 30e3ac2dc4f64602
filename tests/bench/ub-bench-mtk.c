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
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "formats/ub-demo-package.h"
#include "mtk/ub-mtk-device.h"
#include "sim/ub-sim-fd-transport.h"
#include "sim/ub-sim-mtk.h"
#include "sim/ub-sim-phone.h"
#include "ub-core.h"
#include "ub-edl-test-common.h"
#include "ub-serial-transport.h"
#include "ub-umockdev-mtk.h"

/*
 * MediaTek throughput: the engine writes and reads back SIZE MiB (default
 * 1024) of the simulated phone's user area through the XFlash DA, over
 *   usb:  the real libusb code path into a umockdev test bed (run under
 *         umockdev-wrapper): a BootROM at full speed, the DA uploaded, the
 *         switch to high speed and the re-enumeration as 0e8d:2001 followed,
 *   pty:  a pty pair, the serial path (/dev/ttyACMn), a preloader,
 * and prints MB/s and CPU seconds per GiB (this process: engine and
 * simulator together), and how many bytes went per OUT transfer on USB.
 */

#define MiB (1024 * 1024)

static gdouble
ub_bench_cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static GFile *
ub_bench_write_file(const gchar *dir, const gchar *name, GBytes *blob, GError **error)
{
	g_autofree gchar *fn = g_build_filename(dir, name, NULL);
	if (!g_file_set_contents(fn, g_bytes_get_data(blob, NULL), (gssize)g_bytes_get_size(blob), error))
		return NULL;
	return g_file_new_for_path(fn);
}

/* write and read back @size bytes at 16 MiB of the user area */
static gboolean
ub_bench_run(const gchar *what, UbDevice *device, const gchar *tmpdir, guint64 size, GError **error)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GOutputStream) out = NULL;
	g_autoptr(GBytes) chunk = ub_edl_test_make_pattern(64 * MiB, 7);
	g_autofree gchar *src = g_build_filename(tmpdir, "source-XXXXXX", NULL);
	UbDeviceLocation loc = {.region = "user", .offset = 16 * MiB, .length = size};
	gint64 t0;
	gdouble c0;
	gdouble secs;
	gdouble cpu;
	gint fd;

	t0 = g_get_monotonic_time();
	if (!ub_device_open(device, progress, NULL, error))
		return FALSE;
	g_print("%s open (handshake, DA, %s): %.2f s, usb-speed %s\n",
		what,
		ub_device_get_mode(device) == UB_DEVICE_MODE_MTK_DA ? "re-enumeration as 0e8d:2001"
								      : "no speed switch",
		(g_get_monotonic_time() - t0) / 1e6,
		(const gchar *)g_hash_table_lookup(ub_device_get_extra(device), "usb-speed"));

	/* the source: a file of pattern data, so the page cache serves it */
	fd = g_mkstemp(src);
	if (fd < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "cannot create %s", src);
		return FALSE;
	}
	for (guint64 done = 0; done < size; done += 64 * MiB) {
		gsize n = MIN(64 * MiB, size - done);
		if (write(fd, g_bytes_get_data(chunk, NULL), n) != (gssize)n) {
			close(fd);
			g_set_error(error, UB_ERROR, UB_ERROR_IO, "cannot write %s", src);
			return FALSE;
		}
	}
	lseek(fd, 0, SEEK_SET);
	in = g_unix_input_stream_new(fd, TRUE);
	g_unlink(src);

	t0 = g_get_monotonic_time();
	c0 = ub_bench_cpu_seconds();
	if (!ub_device_write(device, &loc, in, size, progress, NULL, error))
		return FALSE;
	secs = (g_get_monotonic_time() - t0) / 1e6;
	cpu = ub_bench_cpu_seconds() - c0;
	g_print("%s write: %.0f MiB in %.2f s = %.1f MB/s, %.2f CPU s/GiB\n",
		what,
		(gdouble)size / MiB,
		secs,
		size / secs / 1e6,
		cpu * (1024.0 * MiB) / size);

	out = g_unix_output_stream_new(open("/dev/null", O_WRONLY | O_CLOEXEC), TRUE);
	t0 = g_get_monotonic_time();
	c0 = ub_bench_cpu_seconds();
	if (!ub_device_read(device, &loc, out, progress, NULL, error))
		return FALSE;
	secs = (g_get_monotonic_time() - t0) / 1e6;
	cpu = ub_bench_cpu_seconds() - c0;
	g_print("%s read:  %.0f MiB in %.2f s = %.1f MB/s, %.2f CPU s/GiB\n",
		what,
		(gdouble)size / MiB,
		secs,
		size / secs / 1e6,
		cpu * (1024.0 * MiB) / size);
	return TRUE;
}

static gint
ub_bench_usb(UbSimPhone *phone, GFile *da, GFile *preloader, const gchar *tmpdir, guint64 size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UMockdevTestbed) testbed = umockdev_testbed_new();
	g_autoptr(UbUmockdevMtk) usb = NULL;
	g_autoptr(UbDeviceSpec) spec = NULL;
	g_autoptr(UbDevice) device = NULL;
	UbSimMtk *sim = UB_SIM_MTK(ub_sim_phone_get_personality(phone));
	guint64 rx0;
	gint rc = 0;

	if (!ub_umockdev_sim_in_mock_environment(testbed)) {
		g_printerr("run under umockdev-wrapper\n");
		return 77;
	}
	ub_sim_mtk_set_preloader_mode(sim, FALSE);
	ub_sim_mtk_set_full_speed(sim, TRUE);
	usb = ub_umockdev_mtk_new(testbed, "1-1", sim);
	if (!ub_umockdev_mtk_start(usb, &error)) {
		g_printerr("%s\n", error->message);
		return 1;
	}
	spec = ub_device_spec_parse("usb:1-1", &error);
	if (spec != NULL)
		device = ub_device_spec_open(spec, 5000, NULL, &error);
	if (device == NULL) {
		g_printerr("usb: %s\n", error->message);
		return 1;
	}
	ub_mtk_device_set_da_file(UB_MTK_DEVICE(device), da);
	ub_mtk_device_set_preloader(UB_MTK_DEVICE(device), preloader);
	rx0 = ub_umockdev_mtk_get_bytes_received(usb);
	if (!ub_bench_run("umockdev usb", device, tmpdir, size, &error)) {
		g_printerr("usb: %s\n", error->message);
		rc = 1;
	} else {
		g_print("umockdev usb: %u plugs, now %04x:%04x; %.1f MiB received by the phone in all\n",
			ub_umockdev_mtk_get_plug_count(usb),
			0x0e8du,
			ub_umockdev_mtk_get_pid(usb),
			(ub_umockdev_mtk_get_bytes_received(usb) - rx0) / (gdouble)MiB);
	}
	ub_device_close(device);
	ub_umockdev_mtk_stop(usb);
	return rc;
}

static gint
ub_bench_pty(UbSimPhone *phone, GFile *da, const gchar *tmpdir, guint64 size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(UbDevice) device = NULL;
	UbSimMtk *sim = UB_SIM_MTK(ub_sim_phone_get_personality(phone));
	gint master = -1;
	gint slave = -1;
	gint rc = 0;

	/* a preloader: a BootROM's DA would switch USB speed, which a tty cannot follow */
	ub_sim_mtk_set_preloader_mode(sim, TRUE);
	ub_sim_mtk_set_full_speed(sim, FALSE);
	if (openpty(&master, &slave, NULL, NULL, NULL) != 0) {
		g_printerr("openpty failed\n");
		return 1;
	}
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
	device = ub_device_new_for_transport(host, UB_DEVICE_MODE_MTK_PRELOADER, FALSE, &error);
	if (device != NULL)
		ub_mtk_device_set_da_file(UB_MTK_DEVICE(device), da);
	if (device == NULL || !ub_bench_run("pty", device, tmpdir, size, &error)) {
		g_printerr("pty: %s\n", error->message);
		rc = 1;
	}
	if (device != NULL)
		ub_device_close(device);
	ub_sim_phone_stop(phone);
	close(slave);
	return rc;
}

int
main(int argc, char **argv)
{
	const gchar *mode = argc > 1 ? argv[1] : "usb";
	guint64 size = (argc > 2 ? g_ascii_strtoull(argv[2], NULL, 10) : 1024) * MiB;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-bench-mtk-XXXXXX", NULL);
	g_autofree gchar *storage_dir = g_build_filename(tmpdir, "phone", NULL);
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(GBytes) da_blob = NULL;
	g_autoptr(GBytes) pl_blob = ub_demo_package_make_scatter_image("preloader");
	g_autoptr(GFile) da = NULL;
	g_autoptr(GFile) preloader = NULL;
	gint rc;

	if (tmpdir == NULL || size == 0) {
		g_printerr("usage: ub-bench-mtk usb|pty [MIB]\n");
		return 2;
	}
	storage = ub_sim_storage_open(storage_dir, "emmc:4G", &error);
	if (storage != NULL)
		phone = ub_sim_phone_new("mtk", storage, NULL, &error);
	if (phone != NULL)
		da_blob = ub_demo_package_make_da(&error);
	if (da_blob != NULL)
		da = ub_bench_write_file(tmpdir, UB_DEMO_MTK_DA_FILE, da_blob, &error);
	if (da != NULL)
		preloader = ub_bench_write_file(tmpdir, "preloader_demo.bin", pl_blob, &error);
	if (preloader == NULL) {
		g_printerr("%s\n", error->message);
		ub_edl_test_rmtree(tmpdir);
		return 1;
	}
	if (g_strcmp0(mode, "usb") == 0) {
		rc = ub_bench_usb(phone, da, preloader, tmpdir, size);
	} else if (g_strcmp0(mode, "pty") == 0) {
		rc = ub_bench_pty(phone, da, tmpdir, size);
	} else {
		g_printerr("usage: ub-bench-mtk usb|pty [MIB]\n");
		rc = 2;
	}
	ub_edl_test_rmtree(tmpdir);
	return rc;
}
