/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "mtk/ub-mtk-xflash.h"
#include "ub-error.h"
#include "ub-mem.h"
#include "ub-memory-transport.h"
#include "ub-sim-fd-transport.h"

/*
 * UbMtkXflash against a scripted DA: a thread on the device end of the
 * in-memory USB pair (512-byte packets, one write = one transfer, every
 * transfer size recorded) or of a socketpair (a stream) plays the DA's side
 * and asserts every frame the host sends.
 */

#define UB_XF_TEST_BUF (8 * 1024 * 1024)

typedef struct _UbXfTest UbXfTest;
typedef void (*UbXfTestScript)(UbXfTest *t);

struct _UbXfTest {
	UbTransport *host;
	UbTransport *dev;
	gboolean stream;
	GThread *thread;
	UbXfTestScript script;
	UbMtkXflash *xflash;
	UbProgress *progress;
	GPtrArray *logs;
	GArray *transfers; /* guint32 sizes of the host's transfers (USB only) */
	GArray *fractions; /* bytes done seen by the progress */
	guint8 *buf;
	GBytes *data; /* what a write sends or a read returns */
	guint n_acks;
	guint32 chunk; /* packet length the script announces */
	guint32 refuse_with; /* the status a refusing script answers */
};

static gpointer
ub_xf_test_thread_cb(gpointer data)
{
	UbXfTest *t = data;
	t->script(t);
	return NULL;
}

static void
ub_xf_test_log_cb(UbProgress *progress, const gchar *msg, gpointer user_data)
{
	UbXfTest *t = user_data;
	g_ptr_array_add(t->logs, g_strdup(msg));
}

static void
ub_xf_test_changed_cb(UbProgress *progress, gpointer user_data)
{
	UbXfTest *t = user_data;
	guint64 done = ub_progress_get_bytes_done(progress);
	g_array_append_val(t->fractions, done);
}

static UbXfTest *
ub_xf_test_new(gboolean stream, UbXfTestScript script)
{
	UbXfTest *t = g_new0(UbXfTest, 1);
	if (stream) {
		int fds[2] = {-1, -1};
		g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
		t->host = ub_sim_fd_transport_new(fds[0], "stream:host");
		t->dev = ub_sim_fd_transport_new(fds[1], "stream:dev");
	} else {
		ub_memory_transport_new_pair(512, &t->host, &t->dev);
	}
	t->stream = stream;
	t->logs = g_ptr_array_new_with_free_func(g_free);
	t->transfers = g_array_new(FALSE, FALSE, sizeof(guint32));
	t->fractions = g_array_new(FALSE, FALSE, sizeof(guint64));
	t->buf = g_malloc(UB_XF_TEST_BUF);
	t->script = script;
	t->xflash = ub_mtk_xflash_new(t->host);
	t->progress = ub_progress_new();
	g_signal_connect(t->progress, "log", G_CALLBACK(ub_xf_test_log_cb), t);
	g_signal_connect(t->progress, "changed", G_CALLBACK(ub_xf_test_changed_cb), t);
	ub_mtk_xflash_set_progress(t->xflash, t->progress);
	ub_mtk_xflash_set_timeout_limit(t->xflash, 5000);
	return t;
}

static void
ub_xf_test_start(UbXfTest *t)
{
	t->thread = g_thread_new("ub-xflash-test-da", ub_xf_test_thread_cb, t);
}

static void
ub_xf_test_free(UbXfTest *t)
{
	/* the script has ended: closing lets nothing block */
	if (t->thread != NULL)
		g_thread_join(t->thread);
	ub_transport_close(t->host);
	ub_transport_close(t->dev);
	g_object_unref(t->xflash);
	g_object_unref(t->progress);
	g_object_unref(t->host);
	g_object_unref(t->dev);
	g_ptr_array_unref(t->logs);
	g_array_unref(t->transfers);
	g_array_unref(t->fractions);
	g_clear_pointer(&t->data, g_bytes_unref);
	g_free(t->buf);
	g_free(t);
}

static gboolean
ub_xf_test_logged(UbXfTest *t, const gchar *needle)
{
	for (guint i = 0; i < t->logs->len; i++) {
		if (strstr(g_ptr_array_index(t->logs, i), needle) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* the DA's side */

static void
ub_xf_da_read_exact(UbXfTest *t, guint8 *buf, gsize len)
{
	g_autoptr(GError) error = NULL;
	gsize got = 0;
	if (t->stream) {
		g_assert_true(ub_transport_read_exact(t->dev, buf, len, 5000, NULL, &error));
		g_assert_no_error(error);
		return;
	}
	/* USB: whole transfers, each recorded */
	while (got < len) {
		gssize n = ub_transport_read(t->dev, t->buf, UB_XF_TEST_BUF, 5000, NULL, &error);
		guint32 size;
		g_assert_no_error(error);
		g_assert_cmpint(n, >, 0);
		g_assert_cmpuint(got + (gsize)n, <=, len);
		memcpy(buf + got, t->buf, (gsize)n);
		size = (guint32)n;
		g_array_append_val(t->transfers, size);
		got += (gsize)n;
	}
}

/* one frame from the host: its payload (type 1) */
static GBytes *
ub_xf_da_recv(UbXfTest *t)
{
	guint8 hdr[UB_MTK_XFLASH_HEADER_LEN] = {0};
	guint32 type = 0;
	guint32 len = 0;
	g_autoptr(GError) error = NULL;
	guint8 *payload;

	ub_xf_da_read_exact(t, hdr, sizeof(hdr));
	g_assert_true(ub_mtk_xflash_header_parse(hdr, sizeof(hdr), &type, &len, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(type, ==, UB_MTK_XFLASH_TYPE_PROTOCOL);
	payload = g_malloc(MAX(len, 1));
	if (len > 0)
		ub_xf_da_read_exact(t, payload, len);
	return g_bytes_new_take(payload, len);
}

static void
ub_xf_da_expect_u32(UbXfTest *t, guint32 value)
{
	g_autoptr(GBytes) blob = ub_xf_da_recv(t);
	g_assert_cmpuint(g_bytes_get_size(blob), ==, 4);
	g_assert_cmphex(ub_mem_read_u32_le(g_bytes_get_data(blob, NULL), 0), ==, value);
}

static void
ub_xf_da_write(UbXfTest *t, const guint8 *buf, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_write(t->dev, buf, len, 0, 5000, NULL, &error));
	g_assert_no_error(error);
}

/* a frame: header and payload in one transfer (@glued) or two */
static void
ub_xf_da_send_frame(UbXfTest *t, guint32 type, const guint8 *buf, gsize len, gboolean glued)
{
	g_autofree guint8 *tmp = g_malloc(UB_MTK_XFLASH_HEADER_LEN + len);
	ub_mtk_xflash_header_build(tmp, type, (guint32)len);
	if (len > 0)
		memcpy(tmp + UB_MTK_XFLASH_HEADER_LEN, buf, len);
	if (glued) {
		ub_xf_da_write(t, tmp, UB_MTK_XFLASH_HEADER_LEN + len);
		return;
	}
	ub_xf_da_write(t, tmp, UB_MTK_XFLASH_HEADER_LEN);
	if (len > 0)
		ub_xf_da_write(t, buf, len);
}

static void
ub_xf_da_send_u32(UbXfTest *t, guint32 value, gboolean glued)
{
	guint8 buf[4] = {0};
	ub_mem_write_u32_le(buf, 0, value);
	ub_xf_da_send_frame(t, UB_MTK_XFLASH_TYPE_PROTOCOL, buf, sizeof(buf), glued);
}

static void
ub_xf_da_send_status16(UbXfTest *t, guint16 value)
{
	guint8 buf[2] = {0};
	ub_mem_write_u16_le(buf, 0, value);
	ub_xf_da_send_frame(t, UB_MTK_XFLASH_TYPE_PROTOCOL, buf, sizeof(buf), FALSE);
}

static void
ub_xf_da_send_message(UbXfTest *t, const gchar *text)
{
	ub_xf_da_send_frame(t,
			    UB_MTK_XFLASH_TYPE_MESSAGE,
			    (const guint8 *)text,
			    strlen(text) + 1,
			    TRUE);
}

/* a command: its id, then status 0 */
static void
ub_xf_da_expect_cmd(UbXfTest *t, guint32 cmd)
{
	ub_xf_da_expect_u32(t, cmd);
	ub_xf_da_send_u32(t, 0, TRUE);
}

/* DEVICE_CTRL getter: @answer then status */
static void
ub_xf_da_devctrl_get(UbXfTest *t, guint32 ctrl, const guint8 *answer, gsize len)
{
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_DEVICE_CTRL);
	ub_xf_da_expect_cmd(t, ctrl);
	ub_xf_da_send_frame(t, UB_MTK_XFLASH_TYPE_PROTOCOL, answer, len, FALSE);
	ub_xf_da_send_u32(t, 0, TRUE);
}

static GBytes *
ub_xf_test_pattern(gsize size, guint32 seed)
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

/* storage information */

static void
ub_xf_test_storage_info_parse(void)
{
	guint8 emmc[88] = {0};
	guint8 ufs[48] = {0};
	UbMtkXflashStorageInfo info = {0};
	g_autoptr(GError) error = NULL;

	ub_mem_write_u32_le(emmc, 0, 1);
	ub_mem_write_u32_le(emmc, 4, 512);
	ub_mem_write_u64_le(emmc, 8, 4 * 1024 * 1024);
	ub_mem_write_u64_le(emmc, 16, 4 * 1024 * 1024);
	ub_mem_write_u64_le(emmc, 24, 16 * 1024 * 1024);
	ub_mem_write_u64_le(emmc, 64, G_GUINT64_CONSTANT(64) * 1024 * 1024 * 1024);
	emmc[72] = 0x15;
	emmc[87] = 0xab;
	g_assert_true(ub_mtk_xflash_storage_info_parse(UB_MTK_XFLASH_CTRL_GET_EMMC_INFO,
						       emmc,
						       sizeof(emmc),
						       &info,
						       &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.storage, ==, UB_MTK_STORAGE_EMMC);
	g_assert_cmpuint(info.block_size, ==, 512);
	g_assert_cmpuint(info.boot1_size, ==, 4 * 1024 * 1024);
	g_assert_cmpuint(info.boot2_size, ==, 4 * 1024 * 1024);
	g_assert_cmpuint(info.rpmb_size, ==, 16 * 1024 * 1024);
	g_assert_cmpuint(info.user_size, ==, G_GUINT64_CONSTANT(64) * 1024 * 1024 * 1024);
	g_assert_cmpstr(info.cid, ==, "150000000000000000000000000000ab");
	ub_mtk_xflash_storage_info_clear(&info);
	g_assert_null(info.cid);

	/* UFS: LU2, LU1, LU0 in that order (mtkclient's reading) */
	ub_mem_write_u32_le(ufs, 0, 0x30);
	ub_mem_write_u32_le(ufs, 4, 4096);
	ub_mem_write_u64_le(ufs, 8, G_GUINT64_CONSTANT(128) * 1024 * 1024 * 1024);
	ub_mem_write_u64_le(ufs, 16, 8 * 1024 * 1024);
	ub_mem_write_u64_le(ufs, 24, 4 * 1024 * 1024);
	g_assert_true(ub_mtk_xflash_storage_info_parse(UB_MTK_XFLASH_CTRL_GET_UFS_INFO,
						       ufs,
						       sizeof(ufs),
						       &info,
						       &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.storage, ==, UB_MTK_STORAGE_UFS);
	g_assert_cmpuint(info.block_size, ==, 4096);
	g_assert_cmpuint(info.lu0_size, ==, 4 * 1024 * 1024);
	g_assert_cmpuint(info.lu1_size, ==, 8 * 1024 * 1024);
	g_assert_cmpuint(info.lu2_size, ==, G_GUINT64_CONSTANT(128) * 1024 * 1024 * 1024);
	g_assert_nonnull(info.cid);
	ub_mtk_xflash_storage_info_clear(&info);

	/* short, absent, odd block size, empty user area, wrong question */
	g_assert_false(ub_mtk_xflash_storage_info_parse(UB_MTK_XFLASH_CTRL_GET_EMMC_INFO,
							emmc,
							40,
							&info,
							&error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	ub_mem_write_u32_le(ufs, 0, 0);
	g_assert_false(ub_mtk_xflash_storage_info_parse(UB_MTK_XFLASH_CTRL_GET_UFS_INFO,
							ufs,
							sizeof(ufs),
							&info,
							&error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	ub_mem_write_u32_le(emmc, 4, 1000);
	g_assert_false(ub_mtk_xflash_storage_info_parse(UB_MTK_XFLASH_CTRL_GET_EMMC_INFO,
							emmc,
							sizeof(emmc),
							&info,
							&error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	ub_mem_write_u32_le(emmc, 4, 0); /* 0: the usual 512 */
	ub_mem_write_u64_le(emmc, 64, 0);
	g_assert_false(ub_mtk_xflash_storage_info_parse(UB_MTK_XFLASH_CTRL_GET_EMMC_INFO,
							emmc,
							sizeof(emmc),
							&info,
							&error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mtk_xflash_storage_info_parse(UB_MTK_XFLASH_CTRL_GET_CHIP_ID,
							emmc,
							sizeof(emmc),
							&info,
							&error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpuint(info.storage, ==, 0);
	g_assert_null(info.cid);
}

/* bring-up */

static const guint8 ub_xf_test_emi[] = "MTK_BLOADER_INFO_v25\0emi settings";

static void
ub_xf_test_script_boot_common(UbXfTest *t, const gchar *agent)
{
	const guint8 start = 0xC0;
	g_autoptr(GBytes) env = NULL;
	g_autoptr(GBytes) hw = NULL;
	const guint8 *buf;

	ub_xf_da_write(t, &start, 1);
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_SYNC_SIGNAL);
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_SETUP_ENVIRONMENT);
	env = ub_xf_da_recv(t);
	g_assert_cmpuint(g_bytes_get_size(env), ==, 20);
	buf = g_bytes_get_data(env, NULL);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 4), ==, 2); /* log channel USB */
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 8), ==, 1); /* Linux */
	ub_xf_da_send_status16(t, 0);
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_SETUP_HW_INIT_PARAMS);
	hw = ub_xf_da_recv(t);
	g_assert_cmpuint(g_bytes_get_size(hw), ==, 4);
	ub_xf_da_send_u32(t, 0, FALSE);
	ub_xf_da_send_message(t, "DA1 says hello");
	ub_xf_da_send_u32(t, UB_MTK_XFLASH_CMD_SYNC_SIGNAL, TRUE);
	ub_xf_da_devctrl_get(t,
			     UB_MTK_XFLASH_CTRL_GET_CONNECTION_AGENT,
			     (const guint8 *)agent,
			     strlen(agent) + 1);
}

static void
ub_xf_test_script_boot(UbXfTest *t)
{
	g_autoptr(GBytes) len = NULL;
	g_autoptr(GBytes) emi = NULL;
	g_autoptr(GBytes) param = NULL;
	g_autoptr(GBytes) da2 = NULL;

	ub_xf_test_script_boot_common(t, "brom");
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_INIT_EXT_RAM);
	ub_xf_da_expect_u32(t, sizeof(ub_xf_test_emi));
	ub_xf_da_send_u32(t, 0, TRUE);
	emi = ub_xf_da_recv(t);
	g_assert_cmpmem(g_bytes_get_data(emi, NULL),
			g_bytes_get_size(emi),
			ub_xf_test_emi,
			sizeof(ub_xf_test_emi));
	ub_xf_da_send_u32(t, 0, TRUE);
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_BOOT_TO);
	param = ub_xf_da_recv(t);
	g_assert_cmpuint(g_bytes_get_size(param), ==, 16);
	g_assert_cmphex(ub_mem_read_u64_le(g_bytes_get_data(param, NULL), 0), ==, 0x40000000);
	g_assert_cmpuint(ub_mem_read_u64_le(g_bytes_get_data(param, NULL), 8),
			 ==,
			 g_bytes_get_size(t->data));
	da2 = ub_xf_da_recv(t);
	g_assert_true(g_bytes_equal(da2, t->data));
	ub_xf_da_send_u32(t, 0, TRUE);
	ub_xf_da_send_message(t, "DA2 running");
	ub_xf_da_send_u32(t, UB_MTK_XFLASH_CMD_SYNC_SIGNAL, FALSE);
}

static void
ub_xf_test_boot_run(gboolean stream)
{
	UbXfTest *t = ub_xf_test_new(stream, ub_xf_test_script_boot);
	g_autoptr(GBytes) emi = g_bytes_new_static(ub_xf_test_emi, sizeof(ub_xf_test_emi));
	g_autoptr(GInputStream) da2 = NULL;
	g_autoptr(GError) error = NULL;

	/* DA2 larger than one boot transfer, not a whole number of packets */
	t->data = ub_xf_test_pattern(1024 * 1024 + 4321, 2);
	da2 = g_memory_input_stream_new_from_bytes(t->data);
	ub_xf_test_start(t);
	g_assert_true(ub_mtk_xflash_boot(t->xflash,
					 emi,
					 0x40000000,
					 da2,
					 g_bytes_get_size(t->data),
					 NULL,
					 &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_mtk_xflash_get_connection_agent(t->xflash), ==, "brom");
	g_assert_true(ub_xf_test_logged(t, "DA1 says hello"));
	g_assert_true(ub_xf_test_logged(t, "DA2 running"));
	if (!stream) {
		/* DA2 went out in 1 MiB transfers, never 512-byte ones */
		gboolean seen_mib = FALSE;
		for (guint i = 0; i < t->transfers->len; i++) {
			guint32 size = g_array_index(t->transfers, guint32, i);
			g_assert_cmpuint(size, !=, 512);
			if (size == 1024 * 1024)
				seen_mib = TRUE;
		}
		g_assert_true(seen_mib);
	}
	ub_xf_test_free(t);
}

static void
ub_xf_test_boot_usb(void)
{
	ub_xf_test_boot_run(FALSE);
}

static void
ub_xf_test_boot_stream(void)
{
	ub_xf_test_boot_run(TRUE);
}

static void
ub_xf_test_script_boot_no_emi(UbXfTest *t)
{
	ub_xf_test_script_boot_common(t, "brom");
}

static void
ub_xf_test_boot_no_emi(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_boot_no_emi);
	g_autoptr(GInputStream) da2 = NULL;
	g_autoptr(GError) error = NULL;

	t->data = ub_xf_test_pattern(4096, 3);
	da2 = g_memory_input_stream_new_from_bytes(t->data);
	ub_xf_test_start(t);
	g_assert_false(ub_mtk_xflash_boot(t->xflash, NULL, 0x40000000, da2, 4096, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "--preloader"));
	ub_xf_test_free(t);
}

static void
ub_xf_test_script_boot_preloader(UbXfTest *t)
{
	g_autoptr(GBytes) param = NULL;
	g_autoptr(GBytes) da2 = NULL;
	ub_xf_test_script_boot_common(t, "preloader");
	/* no INIT_EXT_RAM: DRAM is up */
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_BOOT_TO);
	param = ub_xf_da_recv(t);
	da2 = ub_xf_da_recv(t);
	g_assert_true(g_bytes_equal(da2, t->data));
	ub_xf_da_send_u32(t, 0, TRUE);
	ub_xf_da_send_u32(t, 0, TRUE);
}

static void
ub_xf_test_boot_preloader(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_boot_preloader);
	g_autoptr(GInputStream) da2 = NULL;
	g_autoptr(GError) error = NULL;

	t->data = ub_xf_test_pattern(10000, 4);
	da2 = g_memory_input_stream_new_from_bytes(t->data);
	ub_xf_test_start(t);
	g_assert_true(ub_mtk_xflash_boot(t->xflash, NULL, 0x40000000, da2, 10000, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_mtk_xflash_get_connection_agent(t->xflash), ==, "preloader");
	ub_xf_test_free(t);
}

static void
ub_xf_test_script_bad_start(UbXfTest *t)
{
	const guint8 junk[] = "READY";
	ub_xf_da_write(t, junk, 5);
}

static void
ub_xf_test_boot_bad_start(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_bad_start);
	g_autoptr(GInputStream) da2 = g_memory_input_stream_new();
	g_autoptr(GError) error = NULL;

	ub_xf_test_start(t);
	g_assert_false(ub_mtk_xflash_boot(t->xflash, NULL, 0, da2, 512, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_assert_nonnull(strstr(error->message, "0x52"));
	ub_xf_test_free(t);
}

/* getters, framing */

static void
ub_xf_test_script_getters(UbXfTest *t)
{
	guint8 emmc_refused[4] = {0};
	guint8 ufs[32] = {0};
	guint8 plen[8] = {0};
	guint8 chip[10] = {0};
	g_autoptr(GBytes) param = NULL;

	/* EMMC_INFO refused by a UFS-only DA: the host asks for UFS_INFO */
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_DEVICE_CTRL);
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CTRL_GET_EMMC_INFO);
	ub_mem_write_u32_le(emmc_refused, 0, 0xC0010004);
	ub_xf_da_send_frame(t, UB_MTK_XFLASH_TYPE_PROTOCOL, emmc_refused, 4, TRUE);
	ub_mem_write_u32_le(ufs, 0, 1);
	ub_mem_write_u32_le(ufs, 4, 4096);
	ub_mem_write_u64_le(ufs, 8, 256 * 1024 * 1024);
	ub_mem_write_u64_le(ufs, 16, 4 * 1024 * 1024);
	ub_mem_write_u64_le(ufs, 24, 4 * 1024 * 1024);
	ub_xf_da_send_message(t, "UFS ready");
	ub_xf_da_devctrl_get(t, UB_MTK_XFLASH_CTRL_GET_UFS_INFO, ufs, sizeof(ufs));

	/* two frames glued in one transfer, statuses as u16 */
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_DEVICE_CTRL);
	ub_xf_da_send_status16(t, 0);
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH);
	ub_xf_da_send_status16(t, 0);
	{
		guint8 glued[2 * UB_MTK_XFLASH_HEADER_LEN + 8 + 4] = {0};
		ub_mem_write_u32_le(plen, 0, 0x40000);
		ub_mem_write_u32_le(plen, 4, 0x10000);
		ub_mtk_xflash_header_build(glued, 1, 8);
		memcpy(glued + 12, plen, 8);
		ub_mtk_xflash_header_build(glued + 20, 1, 4);
		ub_mem_write_u32_le(glued, 32, UB_MTK_XFLASH_MAGIC); /* mtkclient's OK */
		ub_xf_da_write(t, glued, sizeof(glued));
	}

	ub_xf_da_devctrl_get(t, UB_MTK_XFLASH_CTRL_GET_USB_SPEED, (const guint8 *)"full-speed\0", 11);
	ub_xf_da_devctrl_get(t, UB_MTK_XFLASH_CTRL_GET_DA_VERSION, (const guint8 *)"V5.2\0\0\0", 7);
	for (guint i = 0; i < 5; i++)
		ub_mem_write_u16_le(chip, i * 2, (guint16)(0x766 + i));
	ub_xf_da_devctrl_get(t, UB_MTK_XFLASH_CTRL_GET_CHIP_ID, chip, sizeof(chip));

	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_SWITCH_USB_SPEED);
	ub_xf_da_expect_u32(t, 0x0E8D2001);
	ub_xf_da_send_u32(t, 0, TRUE);

	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_SHUTDOWN);
	param = ub_xf_da_recv(t);
	g_assert_cmpuint(g_bytes_get_size(param), ==, 32);
	g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(param, NULL), 0), ==, 1);
	g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(param, NULL), 12), ==, 2);
	ub_xf_da_send_u32(t, 0, TRUE);
}

static void
ub_xf_test_getters_run(gboolean stream)
{
	UbXfTest *t = ub_xf_test_new(stream, ub_xf_test_script_getters);
	UbMtkXflashStorageInfo info = {0};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *speed = NULL;
	g_autofree gchar *version = NULL;
	guint32 wlen = 0;
	guint32 rlen = 0;
	guint16 chip[5] = {0};

	ub_xf_test_start(t);
	g_assert_true(ub_mtk_xflash_get_storage_info(t->xflash, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.storage, ==, UB_MTK_STORAGE_UFS);
	g_assert_cmpuint(info.lu2_size, ==, 256 * 1024 * 1024);
	ub_mtk_xflash_storage_info_clear(&info);
	g_assert_true(ub_xf_test_logged(t, "UFS ready"));

	g_assert_true(ub_mtk_xflash_negotiate_packet_length(t->xflash, &wlen, &rlen, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(wlen, ==, 0x40000);
	g_assert_cmpuint(rlen, ==, 0x10000);

	speed = ub_mtk_xflash_get_usb_speed(t->xflash, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(speed, ==, "full-speed");
	version = ub_mtk_xflash_get_da_version(t->xflash, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(version, ==, "V5.2");
	g_assert_true(ub_mtk_xflash_get_chip_id(t->xflash, chip, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmphex(chip[0], ==, 0x766);
	g_assert_cmphex(chip[4], ==, 0x76a);
	g_assert_true(ub_mtk_xflash_switch_usb_speed(t->xflash, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_mtk_xflash_shutdown(t->xflash, 2, NULL, &error));
	g_assert_no_error(error);
	ub_xf_test_free(t);
}

static void
ub_xf_test_getters_usb(void)
{
	ub_xf_test_getters_run(FALSE);
}

static void
ub_xf_test_getters_stream(void)
{
	ub_xf_test_getters_run(TRUE);
}

/* WRITE_DATA */

static void
ub_xf_test_script_write(UbXfTest *t)
{
	guint8 plen[8] = {0};
	g_autoptr(GBytes) param = NULL;
	const guint8 *want = g_bytes_get_data(t->data, NULL);
	gsize size = g_bytes_get_size(t->data);
	gsize padded = (size + 511) / 512 * 512;
	guint32 storage = 0;
	guint32 section = 0;
	guint64 offset = 0;
	guint64 length = 0;
	gsize done = 0;

	ub_mem_write_u32_le(plen, 0, t->chunk);
	ub_mem_write_u32_le(plen, 4, 0x8000);
	ub_xf_da_devctrl_get(t, UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH, plen, sizeof(plen));
	g_array_set_size(t->transfers, 0);

	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_WRITE_DATA);
	param = ub_xf_da_recv(t);
	g_assert_true(ub_mtk_xflash_data_param_parse(g_bytes_get_data(param, NULL),
						     g_bytes_get_size(param),
						     &storage,
						     &section,
						     &offset,
						     &length,
						     NULL));
	g_assert_cmpuint(storage, ==, UB_MTK_STORAGE_EMMC);
	g_assert_cmpuint(section, ==, UB_MTK_SECTION_EMMC_USER);
	g_assert_cmpuint(offset, ==, 0x100000);
	g_assert_cmpuint(length, ==, padded);
	ub_xf_da_send_u32(t, 0, TRUE);
	while (done < padded) {
		gsize len = MIN(t->chunk, padded - done);
		g_autoptr(GBytes) zero = ub_xf_da_recv(t);
		g_autoptr(GBytes) sum = ub_xf_da_recv(t);
		g_autoptr(GBytes) data = ub_xf_da_recv(t);
		const guint8 *buf = g_bytes_get_data(data, NULL);
		g_assert_cmpuint(g_bytes_get_size(zero), ==, 4);
		g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(zero, NULL), 0), ==, 0);
		g_assert_cmpuint(g_bytes_get_size(data), ==, len);
		/* the checksum of the chunk as sent, zero padding included */
		g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(sum, NULL), 0),
				 ==,
				 ub_mtk_xflash_checksum(buf, len));
		for (gsize i = 0; i < len; i++) {
			guint8 expected = done + i < size ? want[done + i] : 0;
			if (buf[i] != expected)
				g_error("byte %" G_GSIZE_FORMAT " differs", done + i);
		}
		done += len;
		ub_xf_da_send_u32(t, 0, TRUE);
	}
	ub_xf_da_send_u32(t, 0, FALSE);
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_DEVICE_CTRL);
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CTRL_CC_OPTIONAL_DOWNLOAD_ACT);
}

static void
ub_xf_test_write(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_write);
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GError) error = NULL;
	guint32 wlen = 0;
	guint n_data = 0;
	guint64 last = 0;

	t->chunk = 0x20000;
	t->data = ub_xf_test_pattern(300000, 5);
	stream = g_memory_input_stream_new_from_bytes(t->data);
	ub_xf_test_start(t);
	g_assert_true(ub_mtk_xflash_negotiate_packet_length(t->xflash, &wlen, NULL, NULL, &error));
	g_assert_cmpuint(wlen, ==, 0x20000);
	g_assert_true(ub_mtk_xflash_write(t->xflash,
					  UB_MTK_STORAGE_EMMC,
					  UB_MTK_SECTION_EMMC_USER,
					  0x100000,
					  stream,
					  300000,
					  t->progress,
					  NULL,
					  &error));
	g_assert_no_error(error);
	g_thread_join(t->thread);
	t->thread = NULL;

	/* on the wire: headers (12), u32s (4), the 56-byte block, and data packets of
	 * the negotiated length (the last one short): nothing of 512 bytes */
	for (guint i = 0; i < t->transfers->len; i++) {
		guint32 size = g_array_index(t->transfers, guint32, i);
		g_assert_cmpuint(size, !=, 512);
		if (size == 12 || size == 4 || size == UB_MTK_XFLASH_DATA_PARAM_LEN)
			continue;
		n_data++;
		g_assert_true(size == 0x20000 || size == 300032 - 2 * 0x20000);
	}
	g_assert_cmpuint(n_data, ==, 3);
	/* progress in bytes, ending at the padded size */
	g_assert_cmpuint(t->fractions->len, >, 0);
	for (guint i = 0; i < t->fractions->len; i++) {
		guint64 done = g_array_index(t->fractions, guint64, i);
		g_assert_cmpuint(done, >=, last);
		last = done;
	}
	g_assert_cmpuint(last, ==, 300032);
	ub_xf_test_free(t);
}

static void
ub_xf_test_script_write_refused(UbXfTest *t)
{
	g_autoptr(GBytes) param = NULL;
	guint8 plen[8] = {0};
	ub_mem_write_u32_le(plen, 0, 0x100000);
	ub_mem_write_u32_le(plen, 4, 0x100000);
	ub_xf_da_devctrl_get(t, UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH, plen, sizeof(plen));
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_WRITE_DATA);
	param = ub_xf_da_recv(t);
	ub_xf_da_send_u32(t, 0xC0020004, TRUE);
	/* the host sends nothing more */
	{
		g_autoptr(GError) error = NULL;
		guint8 buf[64];
		gssize n = ub_transport_read(t->dev, buf, sizeof(buf), 300, NULL, &error);
		g_assert_cmpint(n, ==, -1);
		g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	}
}

static void
ub_xf_test_write_refused(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_write_refused);
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GError) error = NULL;

	t->data = ub_xf_test_pattern(4096, 6);
	stream = g_memory_input_stream_new_from_bytes(t->data);
	ub_xf_test_start(t);
	/* not negotiated yet: write asks for the packet length itself */
	g_assert_false(ub_mtk_xflash_write(t->xflash,
					   UB_MTK_STORAGE_EMMC,
					   UB_MTK_SECTION_EMMC_USER,
					   0,
					   stream,
					   4096,
					   NULL,
					   NULL,
					   &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "security policy"));
	ub_xf_test_free(t);
}

static void
ub_xf_test_write_unaligned(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, NULL);
	g_autoptr(GInputStream) stream = g_memory_input_stream_new();
	g_autoptr(GError) error = NULL;

	/* refused before anything is sent: no script runs */
	g_assert_false(ub_mtk_xflash_write(t->xflash, 1, 8, 100, stream, 512, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mtk_xflash_format(t->xflash, 1, 8, 0, 1000, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	ub_xf_test_free(t);
}

/* READ_DATA */

static void
ub_xf_test_script_read(UbXfTest *t)
{
	const guint8 *buf = g_bytes_get_data(t->data, NULL);
	gsize size = g_bytes_get_size(t->data);
	g_autoptr(GBytes) param = NULL;
	guint64 length = 0;
	gsize done = 0;
	guint i = 0;

	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_READ_DATA);
	param = ub_xf_da_recv(t);
	g_assert_true(ub_mtk_xflash_data_param_parse(g_bytes_get_data(param, NULL),
						     g_bytes_get_size(param),
						     NULL,
						     NULL,
						     NULL,
						     &length,
						     NULL));
	g_assert_cmpuint(length, ==, size);
	ub_xf_da_send_u32(t, 0, TRUE);
	while (done < size) {
		gsize len = MIN(0x8000, size - done);
		ub_xf_da_send_frame(t, UB_MTK_XFLASH_TYPE_PROTOCOL, buf + done, len, i++ % 2 == 0);
		if (i == 2)
			ub_xf_da_send_message(t, "reading");
		ub_xf_da_expect_u32(t, 0);
		t->n_acks++;
		ub_xf_da_send_u32(t, 0, TRUE);
		done += len;
	}
	ub_xf_da_send_u32(t, 0, FALSE);
}

static void
ub_xf_test_read_run(gboolean stream)
{
	UbXfTest *t = ub_xf_test_new(stream, ub_xf_test_script_read);
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GError) error = NULL;

	t->data = ub_xf_test_pattern(0x8000 * 3 + 0x1000, 7);
	ub_xf_test_start(t);
	g_assert_true(ub_mtk_xflash_read(t->xflash,
					 UB_MTK_STORAGE_UFS,
					 UB_MTK_SECTION_UFS_LU2,
					 0x2000,
					 g_bytes_get_size(t->data),
					 out,
					 t->progress,
					 NULL,
					 &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	got = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
	g_assert_true(g_bytes_equal(got, t->data));
	g_thread_join(t->thread);
	t->thread = NULL;
	/* one acknowledgement per data packet */
	g_assert_cmpuint(t->n_acks, ==, 4);
	g_assert_true(ub_xf_test_logged(t, "reading"));
	g_assert_cmpuint(ub_progress_get_bytes_done(t->progress), ==, g_bytes_get_size(t->data));
	ub_xf_test_free(t);
}

static void
ub_xf_test_read_usb(void)
{
	ub_xf_test_read_run(FALSE);
}

static void
ub_xf_test_read_stream(void)
{
	ub_xf_test_read_run(TRUE);
}

static void
ub_xf_test_script_read_error(UbXfTest *t)
{
	g_autoptr(GBytes) param = NULL;
	const guint8 *buf = g_bytes_get_data(t->data, NULL);
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_READ_DATA);
	param = ub_xf_da_recv(t);
	ub_xf_da_send_u32(t, 0, TRUE);
	ub_xf_da_send_frame(t, UB_MTK_XFLASH_TYPE_PROTOCOL, buf, 0x1000, FALSE);
	ub_xf_da_expect_u32(t, 0);
	ub_xf_da_send_u32(t, 0, TRUE);
	/* the storage fails mid-way */
	ub_xf_da_send_u32(t, 0xC0050007, TRUE);
}

static void
ub_xf_test_read_error(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_read_error);
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GError) error = NULL;

	t->data = ub_xf_test_pattern(0x2000, 8);
	ub_xf_test_start(t);
	g_assert_false(ub_mtk_xflash_read(t->xflash, 1, 8, 0, 0x2000, out, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "read data exception"));
	g_assert_nonnull(strstr(error->message, "4096"));
	ub_xf_test_free(t);
}

static void
ub_xf_test_script_bad_magic(UbXfTest *t)
{
	guint8 buf[16] = {0};
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_FORMAT);
	ub_mem_write_u32_le(buf, 0, 0xDEADBEEF);
	ub_mem_write_u32_le(buf, 4, 1);
	ub_mem_write_u32_le(buf, 8, 4);
	ub_xf_da_write(t, buf, sizeof(buf));
}

static void
ub_xf_test_bad_magic(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_bad_magic);
	g_autoptr(GError) error = NULL;

	ub_xf_test_start(t);
	g_assert_false(ub_mtk_xflash_format(t->xflash, 1, 8, 0, 4096, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	/* what came instead of the magic, and what to do */
	g_assert_nonnull(
	    strstr(error->message, "EF BE AD DE 01 00 00 00 04 00 00 00 instead of EF EE EE FE"));
	g_assert_nonnull(strstr(error->message, "unplug the phone"));
	ub_xf_test_free(t);
}

/* the header of the DA's status is lost: its payload (u32 0) comes first, then
 * the next frame */
static void
ub_xf_test_script_lost_status(UbXfTest *t)
{
	guint8 zero[4] = {0};
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_FORMAT);
	ub_xf_da_write(t, zero, sizeof(zero));
	ub_xf_da_send_u32(t, 0, TRUE);
}

static void
ub_xf_test_lost_status(void)
{
	UbXfTest *t = ub_xf_test_new(TRUE, ub_xf_test_script_lost_status);
	g_autoptr(GError) error = NULL;

	ub_xf_test_start(t);
	g_assert_false(ub_mtk_xflash_format(t->xflash, 1, 8, 0, 4096, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "failed to get the status of FORMAT"));
	g_assert_nonnull(
	    strstr(error->message, "the phone's answer is missing or the data stream lost step"));
	g_assert_nonnull(strstr(error->message, "sent 00 00 00 00 EF EE EE FE"));
	g_assert_nonnull(strstr(error->message, "unplug the phone, power it off"));
	/* not the codec's words */
	g_assert_null(strstr(error->message, "magic 0x"));
	ub_xf_test_free(t);
}

/* a refusal of FORMAT with t->refuse_with */
static void
ub_xf_test_script_refuse(UbXfTest *t)
{
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_FORMAT);
	ub_xf_da_send_u32(t, t->refuse_with, TRUE);
}

/* the words of an instruction */
static gboolean
ub_xf_test_says_what_to_do(const gchar *msg)
{
	const gchar *verbs[] = {"use ", "give ", "unplug ", "check ", "flash ", "retry ", "plug ",
				"power the phone off"};
	for (guint i = 0; i < G_N_ELEMENTS(verbs); i++) {
		if (strstr(msg, verbs[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* every DA status code (mtk.md a.3, mtkclient's error table): the code, its
 * meaning and what to do */
static void
ub_xf_test_status_texts(void)
{
	const guint32 codes[] = {
	    0xC0010001, 0xC0010002, 0xC0010003, 0xC0010004, 0xC0010005, 0xC0010006, 0xC0010007,
	    0xC001000B, 0xC001000C, 0xC0020003, 0xC0020004, 0xC0020005, 0xC0020006, 0xC0020007,
	    0xC002000C, 0xC002000D, 0xC002002D, 0xC002004C, 0xC0020053, 0xC0030001, 0xC0030002,
	    0xC0030003, 0xC0030004, 0xC0030005, 0xC0030006, 0xC0030007, 0xC0030008, 0xC0030009,
	    0xC003000A, 0xC003000B, 0xC003000C, 0xC003000E, 0xC003000F, 0xC0030010, 0xC0030011,
	    0xC0030012, 0xC0030018, 0xC0040001, 0xC0040003, 0xC0040006, 0xC0040007, 0xC0040009,
	    0xC004000A, 0xC004000B, 0xC0040030, 0xC0040050, 0xC0040060, 0xC0050001, 0xC0050005,
	    0xC0050006, 0xC0050007, 0xC0050008, 0xC0050009, 0xC0060001, 0xC0060003, 0xC0060004,
	    0xC0070002, 0xC0070004,
	    /* a code nobody documented */
	    0xC00F0042,
	};
	for (guint i = 0; i < G_N_ELEMENTS(codes); i++) {
		UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_refuse);
		g_autoptr(GError) error = NULL;
		g_autofree gchar *code = g_strdup_printf("(status 0x%08X)", codes[i]);
		const gchar *meaning = ub_mtk_status_to_string(codes[i]);

		t->refuse_with = codes[i];
		ub_xf_test_start(t);
		g_assert_false(ub_mtk_xflash_format(t->xflash, 1, 8, 0, 4096, NULL, NULL, &error));
		g_assert_nonnull(error);
		g_test_message("0x%08X: %s", codes[i], error->message);
		g_assert_true(g_error_matches(error, UB_ERROR, UB_ERROR_REFUSED) ||
			      g_error_matches(error, UB_ERROR, UB_ERROR_AUTH_REQUIRED));
		g_assert_nonnull(strstr(error->message, "the DA refused FORMAT"));
		g_assert_nonnull(strstr(error->message, code));
		g_assert_nonnull(strstr(error->message, meaning));
		g_assert_true(ub_xf_test_says_what_to_do(error->message));
		/* the bare words of the old messages are never all there is */
		g_assert_false(g_str_has_suffix(error->message, "DA error"));
		g_assert_false(g_str_has_suffix(error->message, "exception"));
		ub_xf_test_free(t);
	}
	/* documented codes have their own meaning, unknown ones say so */
	g_assert_null(strstr(ub_mtk_status_to_string(0xC0050008), "unknown"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0xC00F0042), "unknown"));
	g_assert_nonnull(ub_mtk_xflash_status_advice(0xC00F0042));
}

static void
ub_xf_test_script_silent(UbXfTest *t)
{
	ub_xf_da_expect_u32(t, UB_MTK_XFLASH_CMD_SHUTDOWN);
}

static void
ub_xf_test_timeout(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_silent);
	g_autoptr(GError) error = NULL;
	gint64 start;

	ub_mtk_xflash_set_timeout_limit(t->xflash, 200);
	ub_xf_test_start(t);
	start = g_get_monotonic_time();
	g_assert_false(ub_mtk_xflash_shutdown(t->xflash, 0, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
	ub_xf_test_free(t);
}

/* FORMAT */

static void
ub_xf_test_script_format(UbXfTest *t)
{
	g_autoptr(GBytes) param = NULL;
	guint64 offset = 0;
	guint64 length = 0;
	const guint32 steps[] = {30, 60, 100};

	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_FORMAT);
	param = ub_xf_da_recv(t);
	g_assert_true(ub_mtk_xflash_data_param_parse(g_bytes_get_data(param, NULL),
						     g_bytes_get_size(param),
						     NULL,
						     NULL,
						     &offset,
						     &length,
						     NULL));
	g_assert_cmpuint(offset, ==, 0x800000);
	g_assert_cmpuint(length, ==, 0x1000000);
	ub_xf_da_send_u32(t, 0, TRUE);
	for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
		ub_xf_da_send_u32(t, UB_MTK_XFLASH_STATUS_CONTINUE, TRUE);
		ub_xf_da_send_u32(t, steps[i], FALSE);
		ub_xf_da_expect_u32(t, 0);
		t->n_acks++;
	}
	ub_xf_da_send_u32(t, UB_MTK_XFLASH_STATUS_COMPLETE, TRUE);
}

static void
ub_xf_test_format(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_format);
	g_autoptr(GError) error = NULL;
	gboolean seen_60 = FALSE;

	ub_xf_test_start(t);
	g_assert_true(ub_mtk_xflash_format(t->xflash,
					   UB_MTK_STORAGE_EMMC,
					   UB_MTK_SECTION_EMMC_USER,
					   0x800000,
					   0x1000000,
					   t->progress,
					   NULL,
					   &error));
	g_assert_no_error(error);
	g_thread_join(t->thread);
	t->thread = NULL;
	g_assert_cmpuint(t->n_acks, ==, 3);
	for (guint i = 0; i < t->fractions->len; i++) {
		if (g_array_index(t->fractions, guint64, i) == 0x1000000 / 100 * 60)
			seen_60 = TRUE;
	}
	g_assert_true(seen_60);
	g_assert_cmpuint(ub_progress_get_bytes_done(t->progress), ==, 0x1000000);
	ub_xf_test_free(t);
}

static void
ub_xf_test_script_format_refused(UbXfTest *t)
{
	g_autoptr(GBytes) param = NULL;
	ub_xf_da_expect_cmd(t, UB_MTK_XFLASH_CMD_FORMAT);
	param = ub_xf_da_recv(t);
	ub_xf_da_send_u32(t, 0, TRUE);
	ub_xf_da_send_u32(t, UB_MTK_XFLASH_STATUS_CONTINUE, TRUE);
	ub_xf_da_send_u32(t, 10, TRUE);
	ub_xf_da_expect_u32(t, 0);
	ub_xf_da_send_u32(t, 0xC002000D, TRUE);
}

static void
ub_xf_test_format_refused(void)
{
	UbXfTest *t = ub_xf_test_new(FALSE, ub_xf_test_script_format_refused);
	g_autoptr(GError) error = NULL;

	ub_xf_test_start(t);
	g_assert_false(ub_mtk_xflash_format(t->xflash, 1, 8, 0, 4096, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "formatting is not allowed"));
	ub_xf_test_free(t);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/mtk/xflash/storage-info-parse", ub_xf_test_storage_info_parse);
	g_test_add_func("/ub/mtk/xflash/boot/usb", ub_xf_test_boot_usb);
	g_test_add_func("/ub/mtk/xflash/boot/stream", ub_xf_test_boot_stream);
	g_test_add_func("/ub/mtk/xflash/boot/no-emi", ub_xf_test_boot_no_emi);
	g_test_add_func("/ub/mtk/xflash/boot/preloader", ub_xf_test_boot_preloader);
	g_test_add_func("/ub/mtk/xflash/boot/bad-start", ub_xf_test_boot_bad_start);
	g_test_add_func("/ub/mtk/xflash/getters/usb", ub_xf_test_getters_usb);
	g_test_add_func("/ub/mtk/xflash/getters/stream", ub_xf_test_getters_stream);
	g_test_add_func("/ub/mtk/xflash/write", ub_xf_test_write);
	g_test_add_func("/ub/mtk/xflash/write/refused", ub_xf_test_write_refused);
	g_test_add_func("/ub/mtk/xflash/write/unaligned", ub_xf_test_write_unaligned);
	g_test_add_func("/ub/mtk/xflash/read/usb", ub_xf_test_read_usb);
	g_test_add_func("/ub/mtk/xflash/read/stream", ub_xf_test_read_stream);
	g_test_add_func("/ub/mtk/xflash/read/error", ub_xf_test_read_error);
	g_test_add_func("/ub/mtk/xflash/bad-magic", ub_xf_test_bad_magic);
	g_test_add_func("/ub/mtk/xflash/lost-status", ub_xf_test_lost_status);
	g_test_add_func("/ub/mtk/xflash/status-texts", ub_xf_test_status_texts);
	g_test_add_func("/ub/mtk/xflash/timeout", ub_xf_test_timeout);
	g_test_add_func("/ub/mtk/xflash/format", ub_xf_test_format);
	g_test_add_func("/ub/mtk/xflash/format/refused", ub_xf_test_format_refused);
	return g_test_run();
}
