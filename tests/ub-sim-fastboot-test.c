/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-core.h"
#include "ub-mem.h"
#include "ub-memory-transport.h"
#include "formats/ub-sparse-image.h"
#include "sim/ub-sim-fastboot.h"
#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-super.h"
#include "ub-crc.h"
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
		ub_mem_write_u64_be(hdr, 0, bufsz);
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
		guint64 len;
		g_assert_true(ub_transport_read_exact(fx->host, hdr, 8, 2000, NULL, &error));
		g_assert_no_error(error);
		len = ub_mem_read_u64_be(hdr, 0);
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
	assert_reply(&fx, "set_active:c", "FAILInvalid Slot Suffix");
	assert_reply(&fx, "set_active", "FAILset_active _a or _b should be entered");
	assert_reply(&fx, "set_active:_a", "OKAY");
	assert_reply(&fx, "getvar:current-slot", "OKAYa");

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
			guint64 len;
			g_assert_true(ub_transport_read_exact(fx.host, hdr, 8, 2000, NULL, &error));
			len = ub_mem_read_u64_be(hdr, 0);
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

/* the session ends after a reboot; the next one starts on a new pair */
static void
fixture_reconnect(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_thread_join(g_steal_pointer(&fx->thread));
	g_assert_no_error(fx->sim_error);
	g_assert_true(fx->sim_ret);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	ub_memory_transport_new_pair(512, &fx->host, &fx->dev);
	fx->thread = g_thread_new("sim", sim_thread_cb, fx);
	g_assert_false(fx->tcp);
}

/* download:SIZE, the data, OKAY */
static void
host_download(Fixture *fx, const guint8 *data, gsize size)
{
	g_autofree gchar *cmd = g_strdup_printf("download:%08x", (guint)size);
	g_autofree gchar *data_reply = g_strdup_printf("DATA%08x", (guint)size);
	g_autofree gchar *reply = NULL;
	assert_reply(fx, cmd, data_reply);
	host_send_raw(fx, data, size);
	reply = host_recv(fx);
	g_assert_cmpstr(reply, ==, "OKAY");
}

static void
assert_partition_bytes(Fixture *fx, const gchar *name, guint64 offset, const guint8 *want, gsize n)
{
	g_autoptr(GError) error = NULL;
	g_autofree guint8 *buf = g_malloc(n);
	g_assert_true(ub_sim_storage_read_partition(fx->storage, name, offset, buf, n, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(buf, n, want, n);
}

/* a sparse file: 1 KiB blocks, total_blks as given, chunks appended by the caller */
static GByteArray *
sparse_new(guint32 total_blks, guint32 total_chunks)
{
	GByteArray *buf = g_byte_array_new();
	guint8 hdr[UB_SPARSE_HEADER_SIZE] = {0};
	ub_mem_write_u32_le(hdr, 0, UB_SPARSE_MAGIC);
	ub_mem_write_u16_le(hdr, 4, 1);
	ub_mem_write_u16_le(hdr, 8, UB_SPARSE_HEADER_SIZE);
	ub_mem_write_u16_le(hdr, 10, UB_SPARSE_CHUNK_HEADER_SIZE);
	ub_mem_write_u32_le(hdr, 12, 1024);
	ub_mem_write_u32_le(hdr, 16, total_blks);
	ub_mem_write_u32_le(hdr, 20, total_chunks);
	g_byte_array_append(buf, hdr, sizeof(hdr));
	return buf;
}

static void
sparse_chunk(GByteArray *buf, guint16 type, guint32 blocks, const guint8 *data, gsize datasz)
{
	guint8 chk[UB_SPARSE_CHUNK_HEADER_SIZE] = {0};
	ub_mem_write_u16_le(chk, 0, type);
	ub_mem_write_u32_le(chk, 4, blocks);
	ub_mem_write_u32_le(chk, 8, UB_SPARSE_CHUNK_HEADER_SIZE + datasz);
	g_byte_array_append(buf, chk, sizeof(chk));
	if (datasz > 0)
		g_byte_array_append(buf, data, datasz);
}

/* RAW written, FILL expanded, DONT_CARE left alone, CRC32 checked */
static void
test_sparse(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) one = NULL;
	g_autoptr(GByteArray) two = NULL;
	g_autoptr(GByteArray) bad = NULL;
	guint8 raw[1024];
	guint8 raw2[1024];
	guint8 fill[4] = {0x11, 0x22, 0x33, 0x44};
	guint8 fill_expanded[2048];
	guint8 old[1024];
	guint8 crc[4];
	guint32 crc_value;

	for (guint i = 0; i < sizeof(raw); i++) {
		raw[i] = (guint8)(i * 13 + 1);
		raw2[i] = (guint8)(i * 5 + 7);
	}
	for (guint i = 0; i < sizeof(fill_expanded); i++)
		fill_expanded[i] = fill[i % 4];
	memset(old, 0xaa, sizeof(old));
	fixture_start(&fx, FALSE, NULL);
	/* what the DONT_CARE blocks must keep */
	for (guint b = 0; b < 8; b++)
		g_assert_true(ub_sim_storage_write_partition(fx.storage,
							     "boot_a",
							     b * 1024,
							     old,
							     sizeof(old),
							     &error));

	/* piece 1 of a split image: RAW block 0, FILL blocks 1-2, CRC, DONT_CARE 3-7 */
	one = sparse_new(8, 4);
	sparse_chunk(one, UB_SPARSE_CHUNK_TYPE_RAW, 1, raw, sizeof(raw));
	sparse_chunk(one, UB_SPARSE_CHUNK_TYPE_FILL, 2, fill, sizeof(fill));
	crc_value = ub_crc32_update(0, raw, sizeof(raw));
	crc_value = ub_sparse_crc32_repeat(crc_value, ub_mem_read_u32_le(fill, 0), 512);
	ub_mem_write_u32_le(crc, 0, crc_value);
	sparse_chunk(one, UB_SPARSE_CHUNK_TYPE_CRC32, 0, crc, sizeof(crc));
	sparse_chunk(one, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 5, NULL, 0);
	host_download(&fx, one->data, one->len);
	assert_reply(&fx, "flash:boot_a", "OKAY");
	assert_partition_bytes(&fx, "boot_a", 0, raw, sizeof(raw));
	assert_partition_bytes(&fx, "boot_a", 1024, fill_expanded, sizeof(fill_expanded));
	for (guint b = 3; b < 8; b++)
		assert_partition_bytes(&fx, "boot_a", b * 1024, old, sizeof(old));

	/* piece 2: DONT_CARE 0-4, RAW block 5, DONT_CARE 6-7: only block 5 changes */
	two = sparse_new(8, 3);
	sparse_chunk(two, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 5, NULL, 0);
	sparse_chunk(two, UB_SPARSE_CHUNK_TYPE_RAW, 1, raw2, sizeof(raw2));
	sparse_chunk(two, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 2, NULL, 0);
	host_download(&fx, two->data, two->len);
	assert_reply(&fx, "flash:boot_a", "OKAY");
	assert_partition_bytes(&fx, "boot_a", 0, raw, sizeof(raw));
	assert_partition_bytes(&fx, "boot_a", 5 * 1024, raw2, sizeof(raw2));
	assert_partition_bytes(&fx, "boot_a", 4 * 1024, old, sizeof(old));
	assert_partition_bytes(&fx, "boot_a", 6 * 1024, old, sizeof(old));

	/* a wrong CRC32: refused, nothing written */
	bad = sparse_new(2, 2);
	sparse_chunk(bad, UB_SPARSE_CHUNK_TYPE_RAW, 1, raw2, sizeof(raw2));
	ub_mem_write_u32_le(crc, 0, 0xdeadbeef);
	sparse_chunk(bad, UB_SPARSE_CHUNK_TYPE_CRC32, 0, crc, sizeof(crc));
	g_byte_array_set_size(bad, bad->len);
	ub_mem_write_u32_le(bad->data, 16, 1);
	host_download(&fx, bad->data, bad->len);
	assert_reply(&fx, "flash:boot_b", "FAILInvalid sparse image");
	assert_reply(&fx, "flash:dtbo_a", "FAILInvalid sparse image");

	/* expanded larger than the partition */
	{
		g_autoptr(GByteArray) huge = sparse_new(0x7fffffff, 1);
		sparse_chunk(huge, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 0x7fffffff, NULL, 0);
		host_download(&fx, huge->data, huge->len);
		assert_reply(&fx, "flash:vbmeta_a", "FAILsize too large");
	}
	g_assert_cmpuint(ub_sim_fastboot_get_flash_count(UB_SIM_FASTBOOT(fx.sim)), ==, 2);
	fixture_stop(&fx);
}

/* bootloader <-> fastbootd, logical partitions in super (pixel layout) */
static void
test_fastbootd(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimSuper) super = NULL;
	g_autofree gchar *size_reply = NULL;
	guint8 data[8192];
	guint8 back[8192];
	guint8 lp[8192] = {0};

	for (guint i = 0; i < sizeof(data); i++)
		data[i] = (guint8)(i * 3 + 1);
	fixture_start(&fx, FALSE, NULL);
	g_assert_true(ub_sim_fastboot_set_layout(UB_SIM_FASTBOOT(fx.sim), "pixel", &error));
	g_assert_no_error(error);

	/* the bootloader does not see logical partitions */
	assert_reply(&fx, "getvar:is-userspace", "OKAYno");
	assert_reply(&fx, "getvar:has-slot:system", "OKAYno");
	assert_reply(&fx, "getvar:is-logical:boot_a", "OKAYno");
	assert_reply(&fx, "getvar:is-logical:system_a", "FAILUnknown variable");
	host_download(&fx, data, sizeof(data));
	assert_reply(&fx, "flash:system_a", "FAILPartition not found");
	assert_reply(&fx, "create-logical-partition:foo_a:4096",
		     "FAILUnrecognized command create-logical-partition");
	/* pixel has no Xiaomi quirks */
	assert_reply(&fx, "flash:boot_ab", "FAILPartition not found");
	assert_reply(&fx, "getvar:anti", "FAILUnknown variable");

	/* reboot-fastboot: the session ends, the next one is fastbootd */
	assert_reply(&fx, "reboot-fastboot", "OKAY");
	g_assert_cmpstr(ub_sim_fastboot_get_reboot_target(UB_SIM_FASTBOOT(fx.sim)), ==, "fastboot");
	fixture_reconnect(&fx);
	assert_reply(&fx, "getvar:is-userspace", "OKAYyes");
	assert_reply(&fx, "getvar:super-partition-name", "OKAYsuper");
	assert_reply(&fx, "getvar:has-slot:system", "OKAYyes");
	assert_reply(&fx, "getvar:is-logical:system_a", "OKAYyes");
	assert_reply(&fx, "getvar:is-logical:boot_a", "OKAYno");
	assert_reply(&fx, "getvar:is-logical:nope", "FAILUnknown partition");
	assert_reply(&fx, "getvar:snapshot-update-status", "OKAYnone");
	assert_reply(&fx, "oem device-info", "FAILUnrecognized command oem device-info");

	/* create, resize, flash, read back through super, delete */
	assert_reply(&fx, "create-logical-partition:foo_a:5000", "OKAYPartition created");
	assert_reply(&fx, "getvar:partition-size:foo_a", "OKAY0x0000000000002000");
	assert_reply(&fx, "create-logical-partition:foo_a:5000", "FAILlogical partition foo_a already exists");
	assert_reply(&fx, "resize-logical-partition:foo_a:4096", "OKAYPartition resized");
	host_download(&fx, data, sizeof(data));
	assert_reply(&fx, "flash:foo_a", "FAILValue too large for defined data type");
	assert_reply(&fx, "resize-logical-partition:foo_a:8192", "OKAYPartition resized");
	assert_reply(&fx, "flash:foo_a", "OKAYFlashing succeeded");
	super = ub_sim_super_load(fx.storage, "super", &error);
	g_assert_no_error(error);
	g_assert_true(ub_sim_super_read(super, "foo_a", 0, back, sizeof(back), &error));
	g_assert_no_error(error);
	g_assert_cmpmem(back, sizeof(back), data, sizeof(data));
	assert_reply(&fx, "erase:foo_a", "OKAYErasing succeeded");
	assert_reply(&fx, "erase:nope", "FAILPartition doesn't exist");
	assert_reply(&fx, "flash:nope", "FAILNo such file or directory");
	assert_reply(&fx, "delete-logical-partition:foo_a", "OKAYPartition deleted");
	assert_reply(&fx, "delete-logical-partition:foo_a", "FAILCould not find partition");
	assert_reply(&fx, "resize-logical-partition:foo_a", "FAILInvalid partition name and size");

	/* update-super from a minimal liblp metadata image: names only */
	ub_mem_write_u32_le(lp, 4096, 0x414c5030);
	ub_mem_write_u32_le(lp, 4096 + 8, 128);	     /* header_size */
	ub_mem_write_u32_le(lp, 4096 + 44, 2 * 52);  /* tables_size */
	ub_mem_write_u32_le(lp, 4096 + 80, 0);	     /* partitions: offset */
	ub_mem_write_u32_le(lp, 4096 + 84, 2);	     /* num_entries */
	ub_mem_write_u32_le(lp, 4096 + 88, 52);	     /* entry_size */
	memcpy(lp + 4096 + 128, "odm_a", 5);
	memcpy(lp + 4096 + 128 + 52, "system_a", 8);
	host_download(&fx, lp, sizeof(lp));
	assert_reply(&fx, "update-super:super:wipe", "OKAYSuccessfully flashed partition table");
	assert_reply(&fx, "getvar:partition-size:odm_a", "OKAY0x0000000000000000");
	assert_reply(&fx, "getvar:is-logical:vendor_a", "FAILUnknown partition");
	host_download(&fx, data, 100);
	assert_reply(&fx, "update-super:super",
		     "FAILData is not a valid logical partition metadata image");

	/* fastbootd's set_active and locked texts */
	assert_reply(&fx, "set_active:_b", "FAILBad slot suffix");
	assert_reply(&fx, "set_active:c", "FAILSlot out of range");
	assert_reply(&fx, "set_active:b", "OKAY");
	assert_reply(&fx, "getvar:current-slot", "OKAYb");
	ub_sim_fastboot_set_unlocked(UB_SIM_FASTBOOT(fx.sim), FALSE);
	assert_reply(&fx, "flash:boot_a", "FAILFlashing is not allowed on locked devices");
	assert_reply(&fx, "erase:boot_a", "FAILErase is not allowed on locked devices");
	assert_reply(&fx, "set_active:a", "FAILset_active command is not allowed on locked devices");
	assert_reply(&fx, "create-logical-partition:x:1", "FAILCommand not available on locked devices");
	ub_sim_fastboot_set_unlocked(UB_SIM_FASTBOOT(fx.sim), TRUE);

	/* and back */
	assert_reply(&fx, "reboot-bootloader", "OKAY");
	fixture_reconnect(&fx);
	assert_reply(&fx, "getvar:is-userspace", "OKAYno");
	/* the slot lives in the GPT, so it survives the reboot */
	assert_reply(&fx, "getvar:current-slot", "OKAYb");
	assert_reply(&fx, "reboot", "OKAY");
	g_assert_false(ub_sim_fastboot_reboot_comes_back(UB_SIM_FASTBOOT(fx.sim)));
	fixture_stop(&fx);
}

/* Xiaomi: _ab names write both slots, crclist is accepted, slotless names refused */
static void
test_xiaomi(void)
{
	Fixture fx = {0};
	g_autoptr(GError) error = NULL;
	guint8 data[4096];
	g_autofree gchar *reply = NULL;

	for (guint i = 0; i < sizeof(data); i++)
		data[i] = (guint8)(i * 11 + 5);
	fixture_start(&fx, FALSE, NULL);
	g_assert_true(ub_sim_fastboot_set_layout(UB_SIM_FASTBOOT(fx.sim), "xiaomi", &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_sim_fastboot_get_layout(UB_SIM_FASTBOOT(fx.sim)), ==, "xiaomi");
	assert_reply(&fx, "getvar:anti", "OKAY1");
	assert_reply(&fx, "getvar:has-slot:cust", "OKAYno");
	assert_reply(&fx, "getvar:has-slot:system", "OKAYyes");
	host_download(&fx, data, sizeof(data));
	assert_reply(&fx, "flash:system", "FAILPartition table doesn't exist");
	host_send(&fx, "flash:boot_ab");
	reply = host_recv(&fx);
	g_assert_cmpstr(reply, ==, "INFOPartition boot_a flashed successfully");
	g_free(reply);
	reply = host_recv(&fx);
	g_assert_cmpstr(reply, ==, "INFOPartition boot_b flashed successfully");
	g_free(reply);
	reply = host_recv(&fx);
	g_assert_cmpstr(reply, ==, "OKAY");
	assert_partition_bytes(&fx, "boot_a", 0, data, sizeof(data));
	assert_partition_bytes(&fx, "boot_b", 0, data, sizeof(data));
	assert_reply(&fx, "flash:cust", "OKAY");
	assert_reply(&fx, "flash:crclist", "OKAY");
	assert_reply(&fx, "erase:boot_ab", "OKAY");
	assert_reply(&fx, "flash:nothing_ab", "FAILPartition not found");
	fixture_stop(&fx);
}

/* TEXT responses, and INFO instead when switched off */
static void
test_text(void)
{
	Fixture fx = {0};
	g_autofree gchar *r1 = NULL;
	g_autofree gchar *r2 = NULL;
	fixture_start(&fx, FALSE, NULL);
	host_send(&fx, "oem device-info");
	r1 = host_recv(&fx);
	g_assert_true(g_str_has_prefix(r1, "TEXTVerity mode"));
	for (;;) {
		g_autofree gchar *r = host_recv(&fx);
		if (g_str_has_prefix(r, "OKAY"))
			break;
		g_assert_true(g_str_has_prefix(r, "TEXT"));
	}
	ub_sim_fastboot_set_text(UB_SIM_FASTBOOT(fx.sim), FALSE);
	host_send(&fx, "oem device-info");
	r2 = host_recv(&fx);
	g_assert_true(g_str_has_prefix(r2, "INFOVerity mode"));
	for (;;) {
		g_autofree gchar *r = host_recv(&fx);
		if (g_str_has_prefix(r, "OKAY"))
			break;
		g_assert_true(g_str_has_prefix(r, "INFO"));
	}
	/* flashing lock / unlock change what the phone allows */
	assert_reply(&fx, "flashing lock", "OKAY");
	assert_reply(&fx, "getvar:unlocked", "OKAYno");
	assert_reply(&fx, "set_active:b", "FAILSlot Change is not allowed in Lock State");
	assert_reply(&fx, "flashing unlock", "OKAY");
	assert_reply(&fx, "getvar:unlocked", "OKAYyes");
	fixture_stop(&fx);
}

/* the in-process phone re-enumerates on a new memory pair */
static void
test_reconnect(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) host2 = NULL;
	g_autoptr(UbTransport) host3 = NULL;
	Fixture fx = {0};

	g_setenv(UB_SIM_FASTBOOT_ENV_LAYOUT, "pixel", TRUE);
	g_setenv(UB_SIM_FASTBOOT_ENV_MAX_DOWNLOAD_SIZE, "4M", TRUE);
	phone = ub_sim_phone_new_in_process("fastboot", &host, &error);
	g_unsetenv(UB_SIM_FASTBOOT_ENV_LAYOUT);
	g_unsetenv(UB_SIM_FASTBOOT_ENV_MAX_DOWNLOAD_SIZE);
	g_assert_no_error(error);
	g_assert_nonnull(phone);

	/* still serving: nothing to reconnect to */
	host2 = ub_sim_phone_wait_reconnect(phone, 50, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_null(host2);
	g_clear_error(&error);

	fx.host = host;
	assert_reply(&fx, "getvar:max-download-size", "OKAY0x00400000");
	assert_reply(&fx, "reboot-fastboot", "OKAY");
	host2 = ub_sim_phone_wait_reconnect(phone, 2000, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(host2);
	g_assert_true(host2 != host);
	fx.host = host2;
	assert_reply(&fx, "getvar:is-userspace", "OKAYyes");
	assert_reply(&fx, "getvar:is-logical:system_a", "OKAYyes");
	assert_reply(&fx, "reboot", "OKAY");
	host3 = ub_sim_phone_wait_reconnect(phone, 2000, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_assert_null(host3);
	fx.host = NULL;
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
	g_test_add_func("/ub/sim/fastboot/sparse", test_sparse);
	g_test_add_func("/ub/sim/fastboot/fastbootd", test_fastbootd);
	g_test_add_func("/ub/sim/fastboot/xiaomi", test_xiaomi);
	g_test_add_func("/ub/sim/fastboot/text", test_text);
	g_test_add_func("/ub/sim/fastboot/reconnect", test_reconnect);
	return g_test_run();
}
