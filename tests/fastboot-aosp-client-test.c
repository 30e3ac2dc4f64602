/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "ub-core.h"
#include "ub-tcp-transport.h"
#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-storage.h"

/*
 * An outside client against the simulated bootloader: Debian's AOSP fastboot
 * (package "fastboot", version 29) over TCP. Each fastboot invocation opens
 * its own connection, so the server accepts and serves in a loop.
 */

typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	GSocketListener *listener;
	GCancellable *cancellable;
	GThread *thread;
	guint16 port;
	gint connections; /* atomic */
} Server;

static Server srv = {0};

static gpointer
server_thread_cb(gpointer data)
{
	for (;;) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GSocketConnection) conn = NULL;
		g_autoptr(UbTransport) transport = NULL;
		conn = g_socket_listener_accept(srv.listener, NULL, srv.cancellable, &error);
		if (conn == NULL)
			return NULL;
		g_atomic_int_inc(&srv.connections);
		transport = ub_tcp_transport_new_for_connection(conn);
		if (!ub_sim_personality_serve(srv.sim, transport, srv.cancellable, &error))
			g_debug("connection ended: %s", error->message);
		ub_transport_close(transport);
	}
}

/* runs fastboot with a hard time limit; returns its exit status */
static gint
run_fastboot(gchar **output, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint status = -1;
	va_list args;

	g_ptr_array_add(argv, g_strdup("timeout"));
	g_ptr_array_add(argv, g_strdup("20"));
	g_ptr_array_add(argv, g_strdup("fastboot"));
	g_ptr_array_add(argv, g_strdup("-s"));
	g_ptr_array_add(argv, g_strdup_printf("tcp:127.0.0.1:%u", srv.port));
	va_start(args, output);
	for (const gchar *a = va_arg(args, const gchar *); a != NULL;
	     a = va_arg(args, const gchar *))
		g_ptr_array_add(argv, g_strdup(a));
	va_end(args);
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_sync(NULL,
				   (gchar **)argv->pdata,
				   NULL,
				   G_SPAWN_SEARCH_PATH,
				   NULL,
				   NULL,
				   &out,
				   &err,
				   &status,
				   &error));
	g_assert_no_error(error);
	*output = g_strdup_printf("%s%s", out, err);
	g_debug("fastboot said:\n%s", *output);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_getvar(void)
{
	g_autofree gchar *out = NULL;
	g_autofree gchar *out2 = NULL;
	g_autofree gchar *out3 = NULL;
	g_assert_cmpint(run_fastboot(&out, "getvar", "all", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "(bootloader) product:unbrick_sim"));
	g_assert_nonnull(strstr(out, "(bootloader) max-download-size:0x01000000"));
	g_assert_nonnull(strstr(out, "(bootloader) partition-size:boot_a: 0x"));
	g_assert_nonnull(strstr(out, "(bootloader) has-slot:boot:yes"));
	g_assert_nonnull(strstr(out, "all:"));
	g_assert_cmpint(run_fastboot(&out2, "getvar", "current-slot", NULL), ==, 0);
	g_assert_nonnull(strstr(out2, "current-slot: a"));
	/* exit 0 even on FAIL: we can only check the words */
	g_assert_cmpint(run_fastboot(&out3, "getvar", "nonexistent", NULL), ==, 0);
	g_assert_nonnull(strstr(out3, "Unknown variable"));
}

static GBytes *
write_image(const gchar *path, gsize size, guint32 seed)
{
	g_autoptr(GError) error = NULL;
	guint8 *buf = g_malloc(size);
	guint32 x = seed;
	for (gsize i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (guint8)(x >> 16);
	}
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, &error));
	g_assert_no_error(error);
	return g_bytes_new_take(buf, size);
}

static void
assert_partition_starts_with(const gchar *name, GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	gsize size = g_bytes_get_size(blob);
	g_autofree guint8 *buf = g_malloc(size);
	g_assert_true(ub_sim_storage_read_partition(srv.storage, name, 0, buf, size, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(buf, size, g_bytes_get_data(blob, NULL), size);
}

static void
test_flash_erase(void)
{
	g_autofree gchar *path = g_build_filename(srv.tmpdir, "boot.img", NULL);
	g_autofree gchar *path2 = g_build_filename(srv.tmpdir, "boot2.img", NULL);
	g_autofree gchar *out = NULL;
	g_autofree gchar *out2 = NULL;
	g_autofree gchar *out3 = NULL;
	g_autofree gchar *out4 = NULL;
	g_autoptr(GBytes) blob = write_image(path, 256 * 1024 + 100, 11);
	g_autoptr(GBytes) blob2 = write_image(path2, 128 * 1024, 12);
	g_autoptr(GBytes) zeros = g_bytes_new_take(g_malloc0(256 * 1024), 256 * 1024);
	guint flashes = ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(srv.sim));

	g_assert_cmpint(run_fastboot(&out, "flash", "boot_a", path, NULL), ==, 0);
	g_assert_nonnull(strstr(out, "Sending 'boot_a'"));
	g_assert_nonnull(strstr(out, "Writing 'boot_a'"));
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(srv.sim)),
			 ==,
			 flashes + 1);
	assert_partition_starts_with("boot_a", blob);

	/* a slotless name: the client asks has-slot and current-slot itself */
	g_assert_cmpint(run_fastboot(&out2, "flash", "dtbo", path2, NULL), ==, 0);
	g_assert_nonnull(strstr(out2, "'dtbo_a'"));
	assert_partition_starts_with("dtbo_a", blob2);

	g_assert_cmpint(run_fastboot(&out3, "erase", "boot_a", NULL), ==, 0);
	g_assert_nonnull(strstr(out3, "Erasing 'boot_a'"));
	assert_partition_starts_with("boot_a", zeros);

	/* a refusal reaches the user with the device's words */
	g_assert_cmpint(run_fastboot(&out4, "flash", "nosuchpart", path2, NULL), !=, 0);
	g_assert_nonnull(strstr(out4, "Partition not found"));
}

static void
test_reboot(void)
{
	g_autofree gchar *out = NULL;
	g_assert_cmpint(run_fastboot(&out, "reboot", NULL), ==, 0);
	/* the server thread may still be finishing serve() */
	for (guint i = 0; i < 200; i++) {
		if (ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(srv.sim)) != NULL)
			break;
		g_usleep(10000);
	}
	g_assert_cmpstr(ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(srv.sim)), ==, "system");
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInetAddress) lo = NULL;
	g_autoptr(GSocketAddress) addr = NULL;
	g_autoptr(GSocketAddress) effective = NULL;
	g_autofree gchar *fastboot = g_find_program_in_path("fastboot");
	g_autofree gchar *timeout = g_find_program_in_path("timeout");
	g_autofree gchar *cmd = NULL;
	gint rc;

	g_test_init(&argc, &argv, NULL);
	if (fastboot == NULL || timeout == NULL) {
		g_printerr("fastboot (Debian package 'fastboot') not found: skipping\n");
		return 77;
	}

	srv.tmpdir = g_dir_make_tmp("ub-fastboot-aosp-XXXXXX", &error);
	g_assert_no_error(error);
	srv.storage = ub_sim_storage_open(srv.tmpdir, "emmc:4G", &error);
	g_assert_no_error(error);
	srv.sim = ub_sim_fastboot_new(srv.storage, NULL);
	ub_sim_fastboot_set_tcp(UB_SIM_FASTBOOT(srv.sim), TRUE);
	ub_sim_fastboot_set_max_download_size(UB_SIM_FASTBOOT(srv.sim), 16 * 1024 * 1024);
	srv.listener = g_socket_listener_new();
	lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	addr = g_inet_socket_address_new(lo, 0);
	g_assert_true(g_socket_listener_add_address(srv.listener,
						    addr,
						    G_SOCKET_TYPE_STREAM,
						    G_SOCKET_PROTOCOL_TCP,
						    NULL,
						    &effective,
						    &error));
	g_assert_no_error(error);
	srv.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	srv.cancellable = g_cancellable_new();
	srv.thread = g_thread_new("aosp-sim", server_thread_cb, NULL);

	g_test_add_func("/ub/fastboot/aosp-client/getvar", test_getvar);
	g_test_add_func("/ub/fastboot/aosp-client/flash-erase", test_flash_erase);
	g_test_add_func("/ub/fastboot/aosp-client/reboot", test_reboot);
	rc = g_test_run();

	g_cancellable_cancel(srv.cancellable);
	g_socket_listener_close(srv.listener);
	g_thread_join(srv.thread);
	g_object_unref(srv.listener);
	g_object_unref(srv.cancellable);
	g_object_unref(srv.sim);
	g_object_unref(srv.storage);
	cmd = g_strdup_printf("rm -rf '%s'", srv.tmpdir);
	if (system(cmd) != 0)
		g_warning("failed to remove %s", srv.tmpdir);
	g_free(srv.tmpdir);
	return rc;
}
