/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-mtk.h"
#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-storage.h"
#include "ub-umockdev-mtk.h"
#include "ub-umockdev-sim.h"
#include "ub-umockdev-transport.h"

/*
 * Launcher mode: runs an unmodified program (the real unbrick-cli or the GUI)
 * against simulated phones on a fake USB bus. This process creates the umockdev
 * test bed, plugs the phones in, and spawns the command with the umockdev
 * preload; the child's usbfs ioctls come back over umockdev's sockets and are
 * answered here while the child runs, by the simulated bootloader.
 *
 * Usage: ub-umockdev-launcher [--storage DIR] [--geometry SPEC] [--fastboot PATH]
 *        [--no-fastboot] [--edl PATH] [--edl-phone PATH] [--mtk-phone PATH [--mtk-mode MODE]
 *        [--mtk-window MS] [--mtk-after TEXT] [--mtk-delay MS]] -- COMMAND [ARGS...]
 * --edl-phone plugs in a Qualcomm 9008 phone served by the simulator's "edl"
 * personality (Sahara, then Firehose on the storage), as a real one presents
 * itself: interface ff/ff/ff, bulk 0x81/0x01 of 512 bytes, the serial in iProduct.
 * --mtk-phone plugs in a simulated MediaTek phone (tests/ub-umockdev-mtk.c: CDC
 * ACM, preloader 0e8d:2000 by default, --mtk-mode brom for 0e8d:0003) once the
 * command wrote --mtk-after TEXT on stderr (relayed), --mtk-delay MS later; a
 * preloader leaves the bus after --mtk-window MS (2500) without a handshake.
 * At the end one line tells how long after the arrival the first byte came.
 * Exits with the command's exit code, 77 when umockdev cannot be used.
 */

#define UB_LAUNCHER_PRELOAD "libumockdev-preload.so.0"

typedef struct {
	UbSimPersonality *personality;
	UbTransport *device_end;
	GCancellable *cancellable;
} UbLauncherPhone;

/* serves one host session after another until the launcher stops */
static gpointer
ub_launcher_serve_thread_cb(gpointer user_data)
{
	UbLauncherPhone *phone = user_data;
	while (!g_cancellable_is_cancelled(phone->cancellable)) {
		g_autoptr(GError) error = NULL;
		if (ub_sim_personality_serve(phone->personality,
					     phone->device_end,
					     phone->cancellable,
					     &error))
			continue;
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
		    g_error_matches(error, UB_ERROR, UB_ERROR_DEVICE_GONE))
			break;
		/* e.g. a client killed mid-transfer: the next one starts afresh */
		g_printerr("ub-umockdev-launcher: simulated phone: %s\n", error->message);
	}
	return NULL;
}

static gchar *
ub_launcher_prepend_env(const gchar *name, const gchar *value, const gchar *separator)
{
	const gchar *old = g_getenv(name);
	if (old == NULL || old[0] == '\0')
		return g_strdup(value);
	return g_strdup_printf("%s%s%s", value, separator, old);
}

static gboolean
ub_launcher_preload_exists(void)
{
	/* the dynamic loader ignores a missing preload with a warning: the child
	 * would then see the real (empty) bus, so check first */
	const gchar *dirs[] = {"/usr/lib/x86_64-linux-gnu",
			       "/usr/lib/aarch64-linux-gnu",
			       "/usr/lib64",
			       "/usr/lib",
			       "/usr/local/lib",
			       NULL};
	for (guint i = 0; dirs[i] != NULL; i++) {
		g_autofree gchar *fn = g_build_filename(dirs[i], UB_LAUNCHER_PRELOAD, NULL);
		if (g_file_test(fn, G_FILE_TEST_EXISTS))
			return TRUE;
	}
	return FALSE;
}

/* as a Qualcomm phone in EDL presents itself */
static UbUmockdevSim *
ub_launcher_edl_sim_new(const gchar *path)
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
	ub_umockdev_sim_set_strings(sim,
				    "Qualcomm CDMA Technologies MSM",
				    "QUSB_BULK_CID:040E_SN:1234ABCD",
				    NULL);
	ub_umockdev_sim_set_config_descriptor(sim, config, sizeof(config));
	return sim;
}

/* --mtk-phone: the child's stderr, relayed line by line until TEXT shows */
typedef struct {
	GInputStream *stream;
	const gchar *text;
	GMutex mutex;
	GCond cond;
	gboolean seen;
	gboolean eof;
} UbLauncherRelay;

static gpointer
ub_launcher_relay_thread_cb(gpointer user_data)
{
	UbLauncherRelay *relay = user_data;
	g_autoptr(GDataInputStream) data = g_data_input_stream_new(relay->stream);
	for (;;) {
		gsize len = 0;
		g_autofree gchar *line = g_data_input_stream_read_line(data, &len, NULL, NULL);
		if (line == NULL)
			break;
		g_printerr("%s\n", line);
		if (strstr(line, relay->text) != NULL) {
			g_mutex_lock(&relay->mutex);
			relay->seen = TRUE;
			g_cond_broadcast(&relay->cond);
			g_mutex_unlock(&relay->mutex);
		}
	}
	g_mutex_lock(&relay->mutex);
	relay->eof = TRUE;
	g_cond_broadcast(&relay->cond);
	g_mutex_unlock(&relay->mutex);
	return NULL;
}

/* runs @command, plugging @mtk in when it is waiting for it; returns the wait status */
static gboolean
ub_launcher_run_with_mtk(gchar **command,
			 UbUmockdevMtk *mtk,
			 const gchar *after,
			 guint delay_ms,
			 gint *status,
			 GError **error)
{
	UbLauncherRelay relay = {.text = after};
	GThread *thread = NULL;
	GPid pid = 0;
	gint err_fd = -1;
	gboolean plugged;

	if (!g_spawn_async_with_pipes(NULL,
				      command,
				      NULL,
				      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
					  G_SPAWN_CHILD_INHERITS_STDIN,
				      NULL,
				      NULL,
				      &pid,
				      NULL,
				      NULL,
				      after != NULL ? &err_fd : NULL,
				      error))
		return FALSE;
	g_mutex_init(&relay.mutex);
	g_cond_init(&relay.cond);
	if (after != NULL) {
		gint64 deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
		relay.stream = g_unix_input_stream_new(err_fd, TRUE);
		thread = g_thread_new("relay", ub_launcher_relay_thread_cb, &relay);
		g_mutex_lock(&relay.mutex);
		while (!relay.seen && !relay.eof &&
		       g_cond_wait_until(&relay.cond, &relay.mutex, deadline))
			;
		g_mutex_unlock(&relay.mutex);
	}
	g_usleep((gulong)delay_ms * G_TIME_SPAN_MILLISECOND);
	plugged = ub_umockdev_mtk_start(mtk, error);
	if (!plugged)
		kill(pid, SIGTERM);
	if (waitpid(pid, status, 0) < 0)
		*status = 0xff00;
	g_spawn_close_pid(pid);
	if (thread != NULL)
		g_thread_join(thread);
	g_clear_object(&relay.stream);
	g_mutex_clear(&relay.mutex);
	g_cond_clear(&relay.cond);
	return plugged;
}

int
main(int argc, char **argv)
{
	gint status = 0;
	gint rc;
	GThread *thread = NULL;
	UbLauncherPhone phone = {0};
	g_autofree gchar *storage_dir = NULL;
	g_autofree gchar *tmpdir = NULL;
	g_autofree gchar *fastboot_path = NULL;
	g_autofree gchar *edl_path = NULL;
	g_autofree gchar *edl_phone_path = NULL;
	g_autofree gchar *mtk_path = NULL;
	g_autofree gchar *mtk_mode = NULL;
	g_autofree gchar *mtk_after = NULL;
	gint mtk_window = 2500;
	gint mtk_delay = 0;
	g_autofree gchar *geometry = NULL;
	gboolean no_fastboot = FALSE;
	g_autofree gchar *preload = NULL;
	g_autofree gchar *asan = NULL;
	g_autofree gchar *root_dir = NULL;
	g_auto(GStrv) command = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GOptionContext) context = g_option_context_new("-- COMMAND [ARGS...]");
	g_auto(GStrv) argv_orig = g_strdupv(argv);
	g_autoptr(UMockdevTestbed) testbed = NULL;
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbUmockdevSim) fastboot_sim = NULL;
	g_autoptr(UbUmockdevSim) edl_sim = NULL;
	g_autoptr(UbUmockdevSim) edl_phone_sim = NULL;
	g_autoptr(UbTransport) edl_phone_end = NULL;
	g_autoptr(UbSimPhone) edl_phone = NULL;
	g_autoptr(UbSimPhone) mtk_phone = NULL;
	g_autoptr(UbUmockdevMtk) mtk = NULL;
	const GOptionEntry entries[] = {
	    {"storage", 0, 0, G_OPTION_ARG_FILENAME, &storage_dir,
	     "Folder of the simulated phone's storage (kept between runs)", "DIR"},
	    {"geometry", 0, 0, G_OPTION_ARG_STRING, &geometry,
	     "Geometry of a new storage folder, e.g. emmc:8G or ufs:3:16M", "SPEC"},
	    {"fastboot", 0, 0, G_OPTION_ARG_STRING, &fastboot_path,
	     "Port path of the simulated fastboot phone 18d1:4ee0 (default 1-1)", "PATH"},
	    {"no-fastboot", 0, 0, G_OPTION_ARG_NONE, &no_fastboot,
	     "Plug in no fastboot phone", NULL},
	    {"edl-phone", 0, 0, G_OPTION_ARG_STRING, &edl_phone_path,
	     "Plug in a simulated Qualcomm 9008 phone that answers (Sahara, Firehose) at PATH",
	     "PATH"},
	    {"edl", 0, 0, G_OPTION_ARG_STRING, &edl_path,
	     "Also plug in a Qualcomm EDL device 05c6:9008 (that does not answer) at PATH",
	     "PATH"},
	    {"mtk-phone", 0, 0, G_OPTION_ARG_STRING, &mtk_path,
	     "Plug in a simulated MediaTek phone at PATH while the command runs", "PATH"},
	    {"mtk-mode", 0, 0, G_OPTION_ARG_STRING, &mtk_mode,
	     "preloader (0e8d:2000, default) or brom (0e8d:0003)", "MODE"},
	    {"mtk-window", 0, 0, G_OPTION_ARG_INT, &mtk_window,
	     "How long a preloader waits for the handshake before it boots on (2500)", "MS"},
	    {"mtk-after", 0, 0, G_OPTION_ARG_STRING, &mtk_after,
	     "Plug the MediaTek phone in once the command wrote TEXT on stderr", "TEXT"},
	    {"mtk-delay", 0, 0, G_OPTION_ARG_INT, &mtk_delay,
	     "Plug the MediaTek phone in MS ms later (after --mtk-after)", "MS"},
	    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &command, NULL, NULL},
	    {NULL}};

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("ub-umockdev-launcher: %s\n", error->message);
		return 2;
	}
	if (command == NULL || command[0] == NULL) {
		g_printerr("ub-umockdev-launcher: no command given\n");
		return 2;
	}
	if (!ub_launcher_preload_exists()) {
		g_printerr("ub-umockdev-launcher: %s is not installed\n", UB_LAUNCHER_PRELOAD);
		return 77;
	}
	if (fastboot_path == NULL)
		fastboot_path = g_strdup("1-1");

	/* as umockdev-wrapper does, for us and the child: the test bed's uevents
	 * go through libudev, which finds the fake /sys only through the preload;
	 * an ASan build must not insist on coming first */
	preload = g_strdup(g_getenv("LD_PRELOAD"));
	if (preload == NULL || strstr(preload, UB_LAUNCHER_PRELOAD) == NULL) {
		g_autofree gchar *preload_new =
		    ub_launcher_prepend_env("LD_PRELOAD", UB_LAUNCHER_PRELOAD, ":");
		asan = ub_launcher_prepend_env("ASAN_OPTIONS", "verify_asan_link_order=0", ":");
		g_setenv("LD_PRELOAD", preload_new, TRUE);
		g_setenv("ASAN_OPTIONS", asan, TRUE);
		execv("/proc/self/exe", argv_orig);
		g_printerr("ub-umockdev-launcher: cannot re-run under the preload: %s\n",
			   g_strerror(errno));
		return 1;
	}

	/* sets $UMOCKDEV_DIR in our environment, which the child inherits */
	testbed = umockdev_testbed_new();
	if (!ub_umockdev_sim_in_mock_environment(testbed)) {
		g_printerr("ub-umockdev-launcher: the umockdev preload is not active\n");
		return 77;
	}
	root_dir = umockdev_testbed_get_root_dir(testbed);
	g_setenv("UMOCKDEV_DIR", root_dir, TRUE);

	/* the phone's storage */
	if (storage_dir == NULL) {
		tmpdir = g_dir_make_tmp("ub-umockdev-launcher-XXXXXX", &error);
		if (tmpdir == NULL) {
			g_printerr("ub-umockdev-launcher: %s\n", error->message);
			return 1;
		}
	}
	storage = ub_sim_storage_open(storage_dir != NULL ? storage_dir : tmpdir, geometry, &error);
	if (storage == NULL) {
		g_printerr("ub-umockdev-launcher: %s\n", error->message);
		return 1;
	}

	/* the simulated bootloader on a fastboot USB device */
	if (!no_fastboot) {
		fastboot_sim = ub_umockdev_transport_new_fastboot_sim(fastboot_path,
								      0x18d1,
								      0x4ee0,
								      "UBSIM0001");
		phone.device_end = ub_umockdev_transport_new(fastboot_sim);
		phone.personality = ub_sim_fastboot_new(storage, NULL);
		phone.cancellable = g_cancellable_new();
		if (!ub_umockdev_sim_plug(fastboot_sim, testbed, &error)) {
			g_printerr("ub-umockdev-launcher: cannot plug %s: %s\n",
				   fastboot_path,
				   error->message);
			return 1;
		}
	}

	/* a simulated 9008 phone that answers: the "edl" personality */
	if (edl_phone_path != NULL) {
		edl_phone_sim = ub_launcher_edl_sim_new(edl_phone_path);
		edl_phone_end = ub_umockdev_transport_new(edl_phone_sim);
		edl_phone = ub_sim_phone_new("edl", storage, NULL, &error);
		if (edl_phone == NULL) {
			g_printerr("ub-umockdev-launcher: %s\n", error->message);
			return 1;
		}
		if (!ub_umockdev_sim_plug(edl_phone_sim, testbed, &error) ||
		    !ub_sim_phone_start(edl_phone, edl_phone_end, &error)) {
			g_printerr("ub-umockdev-launcher: cannot plug %s: %s\n",
				   edl_phone_path,
				   error->message);
			return 1;
		}
	}

	/* a second phone that only exists */
	if (edl_path != NULL) {
		edl_sim = ub_umockdev_sim_new(edl_path, 0x05c6, 0x9008);
		ub_umockdev_sim_set_strings(edl_sim,
					    "Qualcomm CDMA Technologies MSM",
					    "QUSB__BULK",
					    NULL);
		if (!ub_umockdev_sim_plug(edl_sim, testbed, &error)) {
			g_printerr("ub-umockdev-launcher: cannot plug %s: %s\n",
				   edl_path,
				   error->message);
			return 1;
		}
	}
	if (!no_fastboot)
		thread = g_thread_new("phone", ub_launcher_serve_thread_cb, &phone);

	/* a simulated MediaTek phone, plugged in while the command runs */
	if (mtk_path != NULL) {
		UbSimMtk *sim;
		mtk_phone = ub_sim_phone_new("mtk", storage, NULL, &error);
		if (mtk_phone == NULL) {
			g_printerr("ub-umockdev-launcher: %s\n", error->message);
			return 1;
		}
		sim = UB_SIM_MTK(ub_sim_phone_get_personality(mtk_phone));
		ub_sim_mtk_set_preloader_mode(sim, g_strcmp0(mtk_mode, "brom") != 0);
		ub_sim_mtk_set_handshake_window(sim, (guint)MAX(mtk_window, 0));
		mtk = ub_umockdev_mtk_new(testbed, mtk_path, sim);
	}

	/* the child inherits stdin, stdout and stderr; we serve while it runs */
	if (mtk != NULL) {
		if (!ub_launcher_run_with_mtk(command,
					      mtk,
					      mtk_after,
					      (guint)MAX(mtk_delay, 0),
					      &status,
					      &error)) {
			g_printerr("ub-umockdev-launcher: cannot run %s with the MediaTek phone: %s\n",
				   command[0],
				   error->message);
			rc = 1;
		} else if (WIFEXITED(status)) {
			rc = WEXITSTATUS(status);
		} else {
			g_printerr("ub-umockdev-launcher: %s was killed by signal %d\n",
				   command[0],
				   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
			rc = 1;
		}
	} else if (!g_spawn_sync(NULL,
			  command,
			  NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
			  NULL,
			  NULL,
			  NULL,
			  NULL,
			  &status,
			  &error)) {
		g_printerr("ub-umockdev-launcher: cannot run %s: %s\n", command[0], error->message);
		rc = 1;
	} else if (WIFEXITED(status)) {
		rc = WEXITSTATUS(status);
	} else {
		g_printerr("ub-umockdev-launcher: %s was killed by signal %d\n",
			   command[0],
			   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		rc = 1;
	}

	/* unplug: the simulated phone's read ends with DEVICE_GONE */
	if (thread != NULL) {
		g_cancellable_cancel(phone.cancellable);
		ub_transport_close(phone.device_end);
		g_thread_join(thread);
		g_object_unref(phone.personality);
		g_object_unref(phone.device_end);
		g_object_unref(phone.cancellable);
	}
	if (edl_phone != NULL) {
		/* a phone that ended its session (a reset) reports how it ended */
		g_autoptr(GError) error_phone = NULL;
		if (ub_sim_phone_is_running(edl_phone))
			ub_sim_phone_stop(edl_phone);
		else if (!ub_sim_phone_wait(edl_phone, &error_phone))
			g_printerr("ub-umockdev-launcher: simulated 9008 phone: %s\n",
				   error_phone->message);
	}
	if (edl_sim != NULL)
		ub_umockdev_sim_unplug(edl_sim);
	if (mtk != NULL) {
		gint64 latency = ub_umockdev_mtk_get_first_byte_latency(mtk);
		gboolean gone = ub_umockdev_mtk_is_gone(mtk);
		ub_umockdev_mtk_stop(mtk);
		if (latency >= 0)
			g_printerr("ub-umockdev-launcher: mtk phone: plugged %u time(s), first byte "
				   "%.3f ms after the arrival%s\n",
				   ub_umockdev_mtk_get_plug_count(mtk),
				   latency / 1000.0,
				   gone ? ", gone from the bus before the end" : "");
		else
			g_printerr("ub-umockdev-launcher: mtk phone: plugged %u time(s), no byte from "
				   "the host%s\n",
				   ub_umockdev_mtk_get_plug_count(mtk),
				   gone ? ", gone from the bus before the end" : "");
	}
	if (tmpdir != NULL) {
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			g_printerr("ub-umockdev-launcher: cannot remove %s\n", tmpdir);
	}
	return rc;
}
