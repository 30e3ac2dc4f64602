/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-core.h"
#include "ub-memory-transport.h"
#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-storage.h"

/* the simulated bootloader driven by hand, byte for byte, as a host would */
typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	gboolean tcp;
	gboolean sim_ret;
	GError *sim_error;
} Fixture;

static gpointer
sim_thread_cb(gpointer data)
{
	Fixture *fx = data;
	fx->sim_ret = ub_sim_personality_serve(fx->sim, fx->dev, NULL, &fx->sim_error);
	return NULL;
}

static void
fixture_start(Fixture *fx, gboolean tcp, const gchar *faults)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) sim_faults = ub_sim_faults_new_from_string(faults, &error);
	g_assert_no_error(error);
	fx->tmpdir = g_dir_make_tmp("ub-sim-fastboot-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, "emmc:4G", &error);
	g_assert_no_error(error);
	fx->sim = ub_sim_fastboot_new(fx->storage, sim_faults);
	ub_sim_fastboot_set_max_download_size(UB_SIM_FASTBOOT(fx->sim), 1024 * 1024);
	ub_sim_fastboot_set_tcp(UB_SIM_FASTBOOT(fx->sim), tcp);
	fx->tcp = tcp;
	ub_memory_transport_new_pair(512, &fx->host, &fx->dev);
	fx->thread = g_thread_new("sim", sim_thread_cb, fx);
	if (tcp) {
		guint8 buf[4] = {0};
		g_assert_true(ub_transport_write(fx->host,
						 (const guint8 *)"FB01",
						 4,
						 UB_TRANSPORT_WRITE_FLAG_NONE,
						 1000,
						 NULL,
						 &error));
		g_assert_true(ub_transport_read_exact(fx->host, buf, 4, 1000, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpmem(buf, 4, "FB01", 4);
	}
}

static void
fixture_stop(Fixture *fx)
{
	ub_transport_close(fx->host);
	if (fx->thread != NULL)
		g_thread_join(fx->thread);
	g_clear_error(&fx->sim_error);
	g_clear_object(&fx->sim);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	g_clear_object(&fx->storage);
	{
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
		g_assert_cmpint(system(cmd), ==, 0);
	}
	g_free(fx->tmpdir);
}

static void
host_send_raw(Fixture *fx, const guint8 *buf, gsize bufsz)
{
	g_autoptr(GError) error = NULL;
	if (fx->tcp) {
		guint8 hdr[8];
		for (guint i = 0; i < 8; i++)
			hdr[i] = (guint8)(((guint64)bufsz >> (56 - 8 * i)) & 0xff);
		g_assert_true(ub_transport_write(fx->host,
						 hdr,
						 8,
						 UB_TRANSPORT_WRITE_FLAG_NONE,
						 1000,
						 NULL,
						 &error));
	}
	g_assert_true(ub_transport_write(fx->host,
					 buf,
					 bufsz,
					 UB_TRANSPORT_WRITE_FLAG_NONE,
					 1000,
					 NULL,
					 &error));
	g_assert_no_error(error);
}

static void
host_send(Fixture *fx, const gchar *cmd)
{
	host_send_raw(fx, (const guint8 *)cmd, strlen(cmd));
}

static gchar *
host_recv(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[512] = {0};
	gssize n;
	if (fx->tcp) {
		guint8 hdr[8];
		guint64 len = 0;
		g_assert_true(ub_transport_read_exact(fx->host, hdr, 8, 2000, NULL, &error));
		g_assert_no_error(error);
		for (guint i = 0; i < 8; i++)
			len = (len << 8) | hdr[i];
		g_assert_cmpuint(len, <=, 256);
		g_assert_true(ub_transport_read_exact(fx->host, buf, len, 2000, NULL, &error));
		g_assert_no_error(error);
		return g_strndup((const gchar *)buf, len);
	}
	n = ub_transport_read(fx->host, buf, sizeof(buf), 2000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, <=, 256);
	return g_strndup((const gchar *)buf, n);
}

static void
assert_reply(Fixture *fx, const gchar *cmd, const gchar *expected)
{
	g_autofree gchar *reply = NULL;
	host_send(fx, cmd);
	reply = host_recv(fx);
	g_assert_cmpstr(reply, ==, expected);
}

static void
test_getvar(void)
{
	Fixture fx = {0};
	g_autofree gchar *psize = NULL;
	g_autoptr(UbPartition) part = NULL;
	gboolean saw_size = FALSE;
	guint n_info = 0;

	fixture_start(&fx, FALSE, NULL);
	assert_reply(&fx, "getvar:product", "OKAYunbrick_sim");
	assert_reply(&fx, "getvar:serialno", "OKAYUBSIM0001");
	assert_reply(&fx, "getvar:max-download-size", "OKAY0x00100000");
	assert_reply(&fx, "getvar:is-userspace", "OKAYno");
	assert_reply(&fx, "getvar:current-slot", "OKAYa");
	assert_reply(&fx, "getvar:slot-count", "OKAY2");
	assert_reply(&fx, "getvar:unlocked", "OKAYyes");
	assert_reply(&fx, "getvar:has-slot:boot", "OKAYyes");
	assert_reply(&fx, "getvar:has-slot:misc", "OKAYno");
	assert_reply(&fx, "getvar:partition-type:boot_a", "OKAYraw");
	assert_reply(&fx, "getvar:partition-type:userdata", "OKAYf2fs");
	assert_reply(&fx, "getvar:partition-size:boot", "FAILUnknown variable");
	assert_reply(&fx, "getvar:nonexistent", "FAILUnknown variable");
	part = ub_sim_storage_find_partition(fx.storage, "boot_a", NULL);
	psize = g_strdup_printf("OKAY0x%016" G_GINT64_MODIFIER "x", ub_partition_get_size(part));
	assert_reply(&fx, "getvar:partition-size:boot_a", psize);
	assert_reply(&fx, "set_active:b", "OKAY");
	assert_reply(&fx, "getvar:current-slot", "OKAYb");
	assert_reply(&fx, "set_active:c", "FAILInvalid slot");

	/* getvar all: INFO lines, then OKAY */
	host_send(&fx, "getvar:all");
	for (;;) {
		g_autofree gchar *reply = host_recv(&fx);
		if (g_str_has_prefix(reply, "OKAY"))
			break;
		g_assert_true(g_str_has_prefix(reply, "INFO"));
		if (g_str_has_prefix(reply, "INFOpartition-size:boot_a:"))
			saw_size = TRUE;
		n_info++;
	}
	g_assert_true(saw_size);
	g_assert_cmpuint(n_info, >, 20);
	fixture_stop(&fx);
}

static void
test_refusals(void)
{
	Fixture fx = {0};
	g_autofree gchar *long_cmd =
	    g_strdup_printf("getvar:%s",
			    "0123456789012345678901234567890123456789012345678901234567890");
	fixture_start(&fx, FALSE, NULL);
	assert_reply(&fx, "frobnicate", "FAILUnrecognized command frobnicate");
	assert_reply(&fx, "oem unlock-go", "FAILUnrecognized command oem unlock-go");
	g_assert_cmpuint(strlen(long_cmd), >, 64);
	assert_reply(&fx, long_cmd, "FAILCommand too long");
	assert_reply(&fx, "getvar:a\tb", "FAILCommand contains control character");
	assert_reply(&fx, "download:1234567", "FAILInvalid size (length of size != 8)");
	assert_reply(&fx, "download:00000000", "FAILInvalid size");
	assert_reply(&fx, "download:0000000g", "FAILInvalid size");
	assert_reply(&fx,
		     "download:00100001",
		     "FAILRequested download size is more than max allowed");
	assert_reply(&fx, "flash:boot_a", "FAILNo data downloaded");
	assert_reply(&fx, "flash:boot", "FAILPartition table doesn't exist");
	assert_reply(&fx, "flash:system", "FAILPartition not found");
	assert_reply(&fx, "erase:boot", "FAILPartition table doesn't exist");
	assert_reply(&fx, "fetch:boot", "FAILPartition table doesn't exist");
	assert_reply(&fx, "fetch:boot_a:0x100000000", "FAILOffset overflows");
	assert_reply(&fx,
		     "fetch:boot_a:0:0x100001",
		     "FAILFetch size is larger than max-fetch-size");
	/* still serving */
	assert_reply(&fx, "getvar:product", "OKAYunbrick_sim");
	fixture_stop(&fx);
}

static void
test_locked(void)
{
	Fixture fx = {0};
	fixture_start(&fx, FALSE, NULL);
	ub_sim_fastboot_set_unlocked(UB_SIM_FASTBOOT(fx.sim), FALSE);
	assert_reply(&fx, "getvar:unlocked", "OKAYno");
	assert_reply(&fx, "download:00001000", "FAILDownload is not allowed on locked devices");
	assert_reply(&fx, "flash:boot_a", "FAILFlashing is not allowed in Lock State");
	assert_reply(&fx, "erase:boot_a", "FAILErase is not allowed in Lock State");
	assert_reply(&fx, "fetch:boot_a", "FAILFetch is not allowed on locked devices");
	fixture_stop(&fx);
}

/* the download arrives in odd pieces; flash then fetch gives it back */
static void
run_download_flash_fetch(gboolean tcp)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	gsize size = 300000;
	g_autofree guint8 *data = g_malloc(size);
	g_autofree guint8 *back = g_malloc(size);
	g_autofree gchar *reply = NULL;
	g_autofree gchar *big = NULL;
	gsize pieces[] = {1, 511, 512, 65536, 0};
	gsize done = 0;
	gsize got = 0;
	g_autoptr(UbPartition) part = NULL;
	guint64 psize;

	for (gsize i = 0; i < size; i++)
		data[i] = (guint8)(i * 7 + 3);
	fixture_start(&fx, tcp, NULL);
	assert_reply(&fx, "download:000493e0", "DATA000493e0");
	for (guint i = 0; done < size; i++) {
		gsize chunk = i < G_N_ELEMENTS(pieces) && pieces[i] != 0 ? pieces[i] : size - done;
		chunk = MIN(chunk, size - done);
		host_send_raw(&fx, data + done, chunk);
		done += chunk;
	}
	reply = host_recv(&fx);
	g_assert_cmpstr(reply, ==, "OKAY");
	assert_reply(&fx, "flash:dtbo_a", "OKAY");
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 1);
	g_assert_true(ub_sim_storage_read_partition(fx.storage, "dtbo_a", 0, back, size, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(back, size, data, size);

	/* fetch a range, read as a byte stream */
	memset(back, 0, size);
	assert_reply(&fx, "fetch:dtbo_a:0x10:0x1000", "DATA00001000");
	while (got < 0x1000) {
		guint8 buf[8192];
		gssize n;
		if (tcp) {
			guint8 hdr[8];
			guint64 len = 0;
			g_assert_true(ub_transport_read_exact(fx.host, hdr, 8, 2000, NULL, &error));
			for (guint i = 0; i < 8; i++)
				len = (len << 8) | hdr[i];
			g_assert_cmpuint(got + len, <=, 0x1000);
			g_assert_true(
			    ub_transport_read_exact(fx.host, back + got, len, 2000, NULL, &error));
			got += len;
			continue;
		}
		n = ub_transport_read(fx.host, buf, sizeof(buf), 2000, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(got + n, <=, 0x1000);
		memcpy(back + got, buf, n);
		got += n;
	}
	g_assert_cmpmem(back, 0x1000, data + 0x10, 0x1000);
	g_free(reply);
	reply = host_recv(&fx);
	g_assert_cmpstr(reply, ==, "OKAY");

	/* an image larger than the partition */
	part = ub_sim_storage_find_partition(fx.storage, "vbmeta_a", NULL);
	psize = ub_partition_get_size(part);
	g_assert_cmpuint(psize, <, size);
	assert_reply(&fx, "flash:vbmeta_a", "FAILsize too large");

	/* erase gives zeros */
	assert_reply(&fx, "erase:dtbo_a", "OKAY");
	g_assert_true(ub_sim_storage_read_partition(fx.storage, "dtbo_a", 0, back, size, &error));
	for (gsize i = 0; i < size; i++)
		g_assert_cmpuint(back[i], ==, 0);

	/* over TCP a too long command frame is refused and skipped */
	if (tcp) {
		big = g_strnfill(5000, 'x');
		assert_reply(&fx, big, "FAILCommand too long");
		assert_reply(&fx, "getvar:product", "OKAYunbrick_sim");
	}

	/* reboot: OKAY, then serve() ends with TRUE */
	assert_reply(&fx, "reboot-recovery", "OKAY");
	g_thread_join(g_steal_pointer(&fx.thread));
	g_assert_no_error(fx.sim_error);
	g_assert_true(fx.sim_ret);
	g_assert_cmpstr(ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(fx.sim)), ==, "recovery");
	fixture_stop(&fx);
}

static void
test_data_usb(void)
{
	run_download_flash_fetch(FALSE);
}

static void
test_data_tcp(void)
{
	run_download_flash_fetch(TRUE);
}

static void
test_nak(void)
{
	Fixture fx = {0};
	fixture_start(&fx, FALSE, "nak=3");
	assert_reply(&fx, "getvar:product", "OKAYunbrick_sim");
	assert_reply(&fx, "getvar:product", "OKAYunbrick_sim");
	assert_reply(&fx, "getvar:product", "FAILsimulated failure");
	assert_reply(&fx, "getvar:product", "OKAYunbrick_sim");
	g_assert_cmpuint(ub_sim_personality_get_command_count(fx.sim), ==, 4);
	fixture_stop(&fx);
}

static void
test_disconnect(void)
{
	Fixture fx = {0};
	fixture_start(&fx, FALSE, NULL);
	assert_reply(&fx, "download:00001000", "DATA00001000");
	/* the host goes away mid-download */
	ub_transport_close(fx.host);
	g_thread_join(g_steal_pointer(&fx.thread));
	g_assert_false(fx.sim_ret);
	g_assert_error(fx.sim_error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_null(ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(fx.sim)));
	fixture_stop(&fx);

	/* between commands it is a clean end, not a reboot */
	fixture_start(&fx, FALSE, NULL);
	assert_reply(&fx, "getvar:product", "OKAYunbrick_sim");
	ub_transport_close(fx.host);
	g_thread_join(g_steal_pointer(&fx.thread));
	g_assert_no_error(fx.sim_error);
	g_assert_true(fx.sim_ret);
	g_assert_null(ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(fx.sim)));
	fixture_stop(&fx);
}

static void
test_bad_handshake(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	fx.tmpdir = g_dir_make_tmp("ub-sim-fastboot-XXXXXX", NULL);
	fx.storage = ub_sim_storage_open(fx.tmpdir, "emmc:4G", &error);
	g_assert_no_error(error);
	fx.sim = ub_sim_fastboot_new(fx.storage, NULL);
	ub_sim_fastboot_set_tcp(UB_SIM_FASTBOOT(fx.sim), TRUE);
	ub_memory_transport_new_pair(512, &fx.host, &fx.dev);
	fx.thread = g_thread_new("sim", sim_thread_cb, &fx);
	g_assert_true(ub_transport_write(fx.host,
					 (const guint8 *)"GET ",
					 4,
					 UB_TRANSPORT_WRITE_FLAG_NONE,
					 1000,
					 NULL,
					 &error));
	g_thread_join(g_steal_pointer(&fx.thread));
	g_assert_false(fx.sim_ret);
	g_assert_error(fx.sim_error, UB_ERROR, UB_ERROR_PROTOCOL);
	fixture_stop(&fx);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/sim/fastboot/getvar", test_getvar);
	g_test_add_func("/ub/sim/fastboot/refusals", test_refusals);
	g_test_add_func("/ub/sim/fastboot/locked", test_locked);
	g_test_add_func("/ub/sim/fastboot/data-usb", test_data_usb);
	g_test_add_func("/ub/sim/fastboot/data-tcp", test_data_tcp);
	g_test_add_func("/ub/sim/fastboot/nak", test_nak);
	g_test_add_func("/ub/sim/fastboot/disconnect", test_disconnect);
	g_test_add_func("/ub/sim/fastboot/bad-handshake", test_bad_handshake);
	return g_test_run();
}
