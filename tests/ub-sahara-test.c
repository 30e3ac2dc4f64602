/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "edl/ub-sahara.h"
#include "ub-error.h"
#include "ub-memory-transport.h"
#include "ub-sim-fd-transport.h"

/*
 * UbSahara against a scripted phone: a thread on the device end of the
 * in-memory USB pair (or a socketpair for the stream cases) plays the PBL and
 * asserts every packet the host sends.
 */

#define UB_SAHARA_TEST_IMAGE_SIZE 10000

typedef void (*UbSaharaTestScript)(UbTransport *dev, gpointer user_data);

typedef struct {
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	UbSaharaTestScript script;
	gpointer user_data;
	GBytes *image;
	GFile *file;
	guint32 status; /* END_OF_IMAGE status some scripts send */
} UbSaharaTestFixture;

static gpointer
ub_sahara_test_thread_cb(gpointer data)
{
	UbSaharaTestFixture *fx = data;
	fx->script(fx->dev, fx->user_data);
	return NULL;
}

static void
ub_sahara_test_image(UbSaharaTestFixture *fx)
{
	g_autoptr(GFileIOStream) iostream = NULL;
	g_autoptr(GError) error = NULL;
	guint8 *buf = g_malloc(UB_SAHARA_TEST_IMAGE_SIZE);
	for (guint i = 0; i < UB_SAHARA_TEST_IMAGE_SIZE; i++)
		buf[i] = (guint8)(i * 7 + (i >> 8));
	fx->image = g_bytes_new_take(buf, UB_SAHARA_TEST_IMAGE_SIZE);
	fx->file = g_file_new_tmp("ub-sahara-test-XXXXXX.elf", &iostream, &error);
	g_assert_no_error(error);
	g_assert_true(g_file_replace_contents(fx->file,
					      g_bytes_get_data(fx->image, NULL),
					      g_bytes_get_size(fx->image),
					      NULL,
					      FALSE,
					      G_FILE_CREATE_NONE,
					      NULL,
					      NULL,
					      &error));
	g_assert_no_error(error);
}

static void
ub_sahara_test_start(UbSaharaTestFixture *fx,
		     gboolean stream,
		     UbSaharaTestScript script,
		     gpointer user_data)
{
	if (stream) {
		int fds[2] = {-1, -1};
		g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
		fx->host = ub_sim_fd_transport_new(fds[0], "stream:host");
		fx->dev = ub_sim_fd_transport_new(fds[1], "stream:dev");
	} else {
		ub_memory_transport_new_pair(512, &fx->host, &fx->dev);
	}
	ub_sahara_test_image(fx);
	fx->script = script;
	fx->user_data = user_data != NULL ? user_data : fx;
	fx->thread = g_thread_new("ub-sahara-test-dev", ub_sahara_test_thread_cb, fx);
}

static void
ub_sahara_test_finish(UbSaharaTestFixture *fx)
{
	/* the host end goes first: a script blocked on a read sees DEVICE_GONE */
	ub_transport_close(fx->host);
	g_thread_join(fx->thread);
	ub_transport_close(fx->dev);
	g_file_delete(fx->file, NULL, NULL);
	g_object_unref(fx->file);
	g_bytes_unref(fx->image);
	g_object_unref(fx->host);
	g_object_unref(fx->dev);
}

/* the device side */

static void
ub_sahara_test_dev_send(UbTransport *dev, const UbSaharaPacket *pkt)
{
	guint8 buf[UB_SAHARA_MAX_PACKET_LEN] = {0};
	gsize len = ub_sahara_packet_build(pkt, buf, sizeof(buf));
	g_autoptr(GError) error = NULL;
	g_assert_cmpuint(len, >, 0);
	g_assert_true(ub_transport_write(dev, buf, len, 0, 1000, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_sahara_test_dev_hello(UbTransport *dev, guint32 version, guint32 mode)
{
	UbSaharaPacket pkt = {.cmd = UB_SAHARA_CMD_HELLO,
			      .version = version,
			      .version_compatible = 1,
			      .max_len = 0x400,
			      .mode = mode};
	ub_sahara_test_dev_send(dev, &pkt);
}

/* reads one packet; on USB one transfer, never a ZLP */
static void
ub_sahara_test_dev_read(UbTransport *dev, UbSaharaPacket *pkt, guint8 *raw)
{
	guint8 buf[64] = {0};
	g_autoptr(GError) error = NULL;
	gssize n = ub_transport_read(dev, buf, sizeof(buf), 3000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >, 0);
	g_assert_true(ub_sahara_packet_parse(buf, (gsize)n, pkt, &error));
	g_assert_no_error(error);
	if (raw != NULL)
		memcpy(raw, buf, (gsize)n);
}

static void
ub_sahara_test_dev_expect(UbTransport *dev, guint32 cmd, UbSaharaPacket *pkt)
{
	UbSaharaPacket tmp = {0};
	ub_sahara_test_dev_read(dev, pkt != NULL ? pkt : &tmp, NULL);
	g_assert_cmpuint(pkt != NULL ? pkt->cmd : tmp.cmd, ==, cmd);
}

/* HELLO_RESP exactly as qdl sends it: version 2, compatible 1, status 0, zero reserved */
static void
ub_sahara_test_dev_expect_hello_resp(UbTransport *dev, guint32 mode)
{
	UbSaharaPacket pkt = {0};
	UbSaharaPacket expected = {.cmd = UB_SAHARA_CMD_HELLO_RESP,
				   .version = 2,
				   .version_compatible = 1,
				   .mode = mode};
	guint8 raw[64] = {0};
	guint8 want[UB_SAHARA_MAX_PACKET_LEN] = {0};
	g_assert_cmpuint(ub_sahara_packet_build(&expected, want, sizeof(want)), ==, 0x30);
	ub_sahara_test_dev_read(dev, &pkt, raw);
	g_assert_cmpmem(raw, 0x30, want, 0x30);
}

/* asks for @len bytes at @offset and checks them against the image */
static void
ub_sahara_test_dev_read_data(UbTransport *dev,
			     GBytes *image,
			     gboolean is_64,
			     guint64 offset,
			     guint64 len)
{
	UbSaharaPacket pkt = {.cmd = is_64 ? UB_SAHARA_CMD_READ_DATA64 : UB_SAHARA_CMD_READ_DATA,
			      .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE,
			      .offset = offset,
			      .data_len = len};
	g_autofree guint8 *buf = g_malloc0(len);
	g_autoptr(GError) error = NULL;
	gsize done = 0;

	ub_sahara_test_dev_send(dev, &pkt);
	/* one transfer per answer on USB; a stream may split it */
	while (done < len) {
		gssize n = ub_transport_read(dev, buf + done, len - done, 3000, NULL, &error);
		g_assert_no_error(error);
		/* no zero-length packet after Sahara image data */
		g_assert_cmpint(n, >, 0);
		done += (gsize)n;
	}
	g_assert_cmpmem(buf, len, (const guint8 *)g_bytes_get_data(image, NULL) + offset, len);
}

/* the PBL's reads as db410c does them: header, program headers, then 4 KiB pieces */
static void
ub_sahara_test_dev_serve_all(UbTransport *dev, GBytes *image, gboolean is_64)
{
	guint64 size = g_bytes_get_size(image);
	ub_sahara_test_dev_read_data(dev, image, FALSE, 0, 0x34);
	ub_sahara_test_dev_read_data(dev, image, FALSE, 0x34, 0x60);
	/* 512 bytes: a multiple of wMaxPacketSize, still no ZLP */
	ub_sahara_test_dev_read_data(dev, image, is_64, 0x94, 512);
	for (guint64 off = 0x94 + 512; off < size; off += 4096)
		ub_sahara_test_dev_read_data(dev, image, is_64, off, MIN(4096, size - off));
}

static void
ub_sahara_test_dev_finish_upload(UbTransport *dev, guint32 done_status)
{
	UbSaharaPacket eoi = {.cmd = UB_SAHARA_CMD_END_OF_IMAGE,
			      .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE,
			      .status = 0};
	UbSaharaPacket done_resp = {.cmd = UB_SAHARA_CMD_DONE_RESP, .status = done_status};
	ub_sahara_test_dev_send(dev, &eoi);
	ub_sahara_test_dev_expect(dev, UB_SAHARA_CMD_DONE, NULL);
	ub_sahara_test_dev_send(dev, &done_resp);
}

/* scripts */

static void
ub_sahara_test_upload_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaTestFixture *fx = user_data;
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_serve_all(dev, fx->image, TRUE);
	ub_sahara_test_dev_finish_upload(dev, 1);
}

static void
ub_sahara_upload_usb_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) pending = NULL;
	gboolean firehose_running = TRUE;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_upload_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_true(ub_sahara_wait_hello(sahara, &firehose_running, NULL, &error));
	g_assert_no_error(error);
	g_assert_false(firehose_running);
	g_assert_cmpuint(ub_sahara_get_device_version(sahara), ==, 2);
	g_assert_true(ub_sahara_upload(sahara, fx.file, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_progress_get_bytes_done(progress), ==, UB_SAHARA_TEST_IMAGE_SIZE);
	g_assert_cmpfloat(ub_progress_get_fraction(progress), ==, 1.0);
	pending = ub_sahara_steal_pending(sahara);
	g_assert_null(pending);
	ub_sahara_test_finish(&fx);
}

/* MSM8916 answers DONE with "more images pending" after its only image */
static void
ub_sahara_test_msm8916_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaTestFixture *fx = user_data;
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_serve_all(dev, fx->image, FALSE);
	ub_sahara_test_dev_finish_upload(dev, 0);
}

static void
ub_sahara_upload_msm8916_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_msm8916_script, NULL);
	sahara = ub_sahara_new(fx.host);
	/* upload without wait_hello: it waits itself */
	g_assert_true(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_no_error(error);
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_test_eoi_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaTestFixture *fx = user_data;
	UbSaharaPacket eoi = {.cmd = UB_SAHARA_CMD_END_OF_IMAGE,
			      .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE,
			      .status = fx->status};
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_read_data(dev, fx->image, FALSE, 0, 0x34);
	ub_sahara_test_dev_send(dev, &eoi);
}

static void
ub_sahara_test_eoi_status(guint32 status, GError **error)
{
	UbSaharaTestFixture fx = {.status = status};
	g_autoptr(UbSahara) sahara = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_eoi_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_false(ub_sahara_upload(sahara, fx.file, NULL, NULL, error));
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_upload_auth_failure_func(void)
{
	g_autoptr(GError) error = NULL;

	ub_sahara_test_eoi_status(0x25, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, ub_sahara_status_to_string(0x25)));
	g_assert_nonnull(strstr(error->message, "0x25"));
	g_assert_nonnull(strstr(error->message, "not signed for this phone"));
	g_assert_nonnull(strstr(error->message, "exact model"));
	g_clear_error(&error);

	ub_sahara_test_eoi_status(0x21, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_clear_error(&error);

	/* anything else: the phone needs a fresh start */
	ub_sahara_test_eoi_status(0x0d, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG);
	g_assert_nonnull(strstr(error->message, ub_sahara_status_to_string(0x0d)));
	g_assert_nonnull(strstr(error->message, "enter EDL again"));
	g_assert_null(strstr(error->message, "not signed"));
}

static void
ub_sahara_test_out_of_range_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaPacket pkt = {.cmd = UB_SAHARA_CMD_READ_DATA64,
			      .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE,
			      .offset = UB_SAHARA_TEST_IMAGE_SIZE - 100,
			      .data_len = 4096};
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_send(dev, &pkt);
}

static void
ub_sahara_upload_out_of_range_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_out_of_range_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_false(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "not a programmer for this phone"));
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_test_wrong_image_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaPacket pkt = {.cmd = UB_SAHARA_CMD_READ_DATA,
			      .image_id = 21,
			      .offset = 0,
			      .data_len = 0x34};
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_send(dev, &pkt);
}

static void
ub_sahara_upload_wrong_image_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_wrong_image_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_false(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_nonnull(strstr(error->message, "image 21"));
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_test_silent_script(UbTransport *dev, gpointer user_data)
{
	/* says nothing; waits for the host to give up and close */
	guint8 buf[64];
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(ub_transport_read(dev, buf, sizeof(buf), 5000, NULL, &error), <, 0);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
}

static void
ub_sahara_no_hello_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_silent_script, NULL);
	sahara = ub_sahara_new(fx.host);
	ub_sahara_set_hello_timeout(sahara, 200);
	start = g_get_monotonic_time();
	g_assert_false(ub_sahara_wait_hello(sahara, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG);
	g_assert_nonnull(strstr(error->message, "enter EDL again"));
	g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
	ub_sahara_test_finish(&fx);
}

/* a phone in the middle of an earlier session sends READ_DATA, not HELLO */
static void
ub_sahara_test_mid_session_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaPacket pkt = {.cmd = UB_SAHARA_CMD_READ_DATA,
			      .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE,
			      .offset = 0,
			      .data_len = 0x34};
	ub_sahara_test_dev_send(dev, &pkt);
}

static void
ub_sahara_mid_session_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_mid_session_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_false(ub_sahara_wait_hello(sahara, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG);
	g_assert_nonnull(strstr(error->message, "READ_DATA"));
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_test_disconnect_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaTestFixture *fx = user_data;
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_read_data(dev, fx->image, FALSE, 0, 0x34);
	/* unplugged */
	ub_transport_close(dev);
}

static void
ub_sahara_disconnect_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_disconnect_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_false(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_test_stall_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaTestFixture *fx = user_data;
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_read_data(dev, fx->image, FALSE, 0, 0x34);
	/* then nothing: wait for the host to give up */
	ub_sahara_test_silent_script(dev, NULL);
}

static void
ub_sahara_stall_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_stall_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_false(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG);
	g_assert_nonnull(strstr(error->message, "stopped answering"));
	g_assert_nonnull(strstr(error->message, "enter EDL again"));
	ub_sahara_test_finish(&fx);
}

#define UB_SAHARA_TEST_BANNER                                                                      \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" ?><data><log value=\"INFO: Binary build "    \
	"date: Jan 1 2026\" /></data>"

static void
ub_sahara_test_firehose_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_write(dev,
					 (const guint8 *)UB_SAHARA_TEST_BANNER,
					 strlen(UB_SAHARA_TEST_BANNER),
					 0,
					 1000,
					 NULL,
					 &error));
	g_assert_no_error(error);
}

static void
ub_sahara_firehose_running_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) pending = NULL;
	gboolean firehose_running = FALSE;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_firehose_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_true(ub_sahara_wait_hello(sahara, &firehose_running, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(firehose_running);
	/* the bytes read so far start the Firehose output */
	pending = ub_sahara_steal_pending(sahara);
	g_assert_nonnull(pending);
	g_assert_cmpuint(g_bytes_get_size(pending), >=, 5);
	g_assert_cmpmem(g_bytes_get_data(pending, NULL),
			g_bytes_get_size(pending),
			UB_SAHARA_TEST_BANNER,
			g_bytes_get_size(pending));
	/* no upload over a running programmer */
	g_assert_false(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	ub_sahara_test_finish(&fx);
}

/* one EXECUTE item: answers @data, or refuses with END_OF_IMAGE 0x01 when NULL */
static void
ub_sahara_test_dev_execute(UbTransport *dev,
			   guint32 client_cmd,
			   const guint8 *data,
			   gsize datasz)
{
	UbSaharaPacket pkt = {0};
	g_autoptr(GError) error = NULL;

	ub_sahara_test_dev_expect(dev, UB_SAHARA_CMD_EXECUTE, &pkt);
	g_assert_cmpuint(pkt.client_cmd, ==, client_cmd);
	if (data == NULL) {
		UbSaharaPacket eoi = {.cmd = UB_SAHARA_CMD_END_OF_IMAGE, .status = 0x01};
		ub_sahara_test_dev_send(dev, &eoi);
		return;
	}
	{
		UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_EXECUTE_RESP,
				       .client_cmd = client_cmd,
				       .data_len = datasz};
		ub_sahara_test_dev_send(dev, &resp);
	}
	ub_sahara_test_dev_expect(dev, UB_SAHARA_CMD_EXECUTE_DATA, &pkt);
	g_assert_cmpuint(pkt.client_cmd, ==, client_cmd);
	g_assert_true(ub_transport_write(dev, data, datasz, 0, 1000, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_sahara_test_chip_v2_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaTestFixture *fx = user_data;
	const guint8 serial[4] = {0x78, 0x56, 0x34, 0x12};
	/* msm 0x000a50e1, oem 0x0072, model 0x0001 */
	const guint8 hwid[8] = {0x01, 0x00, 0x72, 0x00, 0xe1, 0x50, 0x0a, 0x00};
	UbSaharaPacket pkt = {0};

	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_COMMAND);
	{
		UbSaharaPacket ready = {.cmd = UB_SAHARA_CMD_CMD_READY};
		ub_sahara_test_dev_send(dev, &ready);
	}
	ub_sahara_test_dev_execute(dev, UB_SAHARA_EXEC_SERIAL_NUM_READ, serial, sizeof(serial));
	ub_sahara_test_dev_execute(dev, UB_SAHARA_EXEC_MSM_HW_ID_READ, hwid, sizeof(hwid));
	/* the PK hash is refused: not an error */
	ub_sahara_test_dev_execute(dev, UB_SAHARA_EXEC_OEM_PK_HASH_READ, NULL, 0);
	ub_sahara_test_dev_expect(dev, UB_SAHARA_CMD_SWITCH_MODE, &pkt);
	g_assert_cmpuint(pkt.mode, ==, UB_SAHARA_MODE_IMAGE_TX_PENDING);

	/* a new HELLO: the upload follows in the same session */
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_serve_all(dev, fx->image, FALSE);
	ub_sahara_test_dev_finish_upload(dev, 1);
}

static void
ub_sahara_chip_info_v2_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;
	UbSaharaChipInfo info = {0};

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_chip_v2_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_true(ub_sahara_read_chip_info(sahara, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.sahara_version, ==, 2);
	g_assert_true(info.has_serial);
	g_assert_cmpuint(info.serial, ==, 0x12345678);
	g_assert_true(info.has_hwid);
	g_assert_cmpuint(info.msm_id, ==, 0x000a50e1);
	g_assert_cmpuint(info.oem_id, ==, 0x0072);
	g_assert_cmpuint(info.model_id, ==, 0x0001);
	g_assert_null(info.pk_hash);
	g_assert_cmpstr(ub_edl_chip_name(info.msm_id), ==, "SM8150 (Snapdragon 855)");
	g_assert_true(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_no_error(error);
	ub_sahara_chip_info_clear(&info);
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_test_chip_v3_script(UbTransport *dev, gpointer user_data)
{
	const guint8 serial[4] = {0xef, 0xbe, 0xad, 0xde};
	guint8 v3[48] = {0};
	guint8 pk_hash[32];
	UbSaharaPacket pkt = {0};

	/* chip id @0, MSM_ID @36 (0x001ca0e1), OEM_ID @40, MODEL_ID @42 */
	v3[0] = 0x42;
	v3[36] = 0xe1;
	v3[37] = 0xa0;
	v3[38] = 0x1c;
	v3[40] = 0x04;
	v3[42] = 0x07;
	for (guint i = 0; i < sizeof(pk_hash); i++)
		pk_hash[i] = (guint8)(0xa0 + i);

	ub_sahara_test_dev_hello(dev, 3, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	/* v3 devices get the same version-2 HELLO_RESP */
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_COMMAND);
	{
		UbSaharaPacket ready = {.cmd = UB_SAHARA_CMD_CMD_READY};
		ub_sahara_test_dev_send(dev, &ready);
	}
	ub_sahara_test_dev_execute(dev, UB_SAHARA_EXEC_SERIAL_NUM_READ, serial, sizeof(serial));
	ub_sahara_test_dev_execute(dev, UB_SAHARA_EXEC_CHIP_ID_V3_READ, v3, sizeof(v3));
	ub_sahara_test_dev_execute(dev, UB_SAHARA_EXEC_OEM_PK_HASH_READ, pk_hash, sizeof(pk_hash));
	ub_sahara_test_dev_expect(dev, UB_SAHARA_CMD_SWITCH_MODE, &pkt);
	ub_sahara_test_dev_hello(dev, 3, UB_SAHARA_MODE_IMAGE_TX_PENDING);
}

static void
ub_sahara_chip_info_v3_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;
	UbSaharaChipInfo info = {0};

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_chip_v3_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_true(ub_sahara_read_chip_info(sahara, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.sahara_version, ==, 3);
	g_assert_cmpuint(info.serial, ==, 0xdeadbeef);
	g_assert_true(info.has_hwid);
	g_assert_cmpuint(info.msm_id, ==, 0x001ca0e1);
	g_assert_cmpstr(ub_edl_chip_name(info.msm_id), ==, "SM8550 (Snapdragon 8 Gen 2)");
	g_assert_nonnull(info.pk_hash);
	g_assert_true(g_str_has_prefix(info.pk_hash, "a0a1a2a3"));
	g_assert_cmpuint(ub_sahara_get_device_version(sahara), ==, 3);
	ub_sahara_chip_info_clear(&info);
	ub_sahara_test_finish(&fx);
}

/* serial / TCP: packets split into pieces, and glued to each other */
static void
ub_sahara_test_dev_write_split(UbTransport *dev, const UbSaharaPacket *pkt)
{
	guint8 buf[UB_SAHARA_MAX_PACKET_LEN] = {0};
	gsize len = ub_sahara_packet_build(pkt, buf, sizeof(buf));
	g_autoptr(GError) error = NULL;
	for (gsize off = 0; off < len; off += 5) {
		g_assert_true(ub_transport_write(dev, buf + off, MIN(5, len - off), 0, 1000, NULL, &error));
		g_assert_no_error(error);
		g_usleep(2000);
	}
}

static void
ub_sahara_test_stream_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaTestFixture *fx = user_data;
	UbSaharaPacket hello = {.cmd = UB_SAHARA_CMD_HELLO, .version = 2, .version_compatible = 1};
	UbSaharaPacket eoi = {.cmd = UB_SAHARA_CMD_END_OF_IMAGE,
			      .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE};
	UbSaharaPacket done_resp = {.cmd = UB_SAHARA_CMD_DONE_RESP, .status = 1};
	guint8 glued[UB_SAHARA_MAX_PACKET_LEN + sizeof(UB_SAHARA_TEST_BANNER)] = {0};
	gsize len;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_dev_write_split(dev, &hello);
	ub_sahara_test_dev_expect_hello_resp(dev, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_serve_all(dev, fx->image, TRUE);
	ub_sahara_test_dev_write_split(dev, &eoi);
	ub_sahara_test_dev_expect(dev, UB_SAHARA_CMD_DONE, NULL);
	/* DONE_RESP and the programmer's first output in one piece */
	len = ub_sahara_packet_build(&done_resp, glued, sizeof(glued));
	memcpy(glued + len, UB_SAHARA_TEST_BANNER, strlen(UB_SAHARA_TEST_BANNER));
	len += strlen(UB_SAHARA_TEST_BANNER);
	g_assert_true(ub_transport_write(dev, glued, len, 0, 1000, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_sahara_stream_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) pending = NULL;
	gboolean firehose_running = TRUE;

	ub_sahara_test_start(&fx, TRUE, ub_sahara_test_stream_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_true(ub_sahara_wait_hello(sahara, &firehose_running, NULL, &error));
	g_assert_no_error(error);
	g_assert_false(firehose_running);
	g_assert_true(ub_sahara_upload(sahara, fx.file, NULL, NULL, &error));
	g_assert_no_error(error);
	/* whatever came glued after DONE_RESP is kept for Firehose (it may still be arriving) */
	pending = ub_sahara_steal_pending(sahara);
	if (pending != NULL) {
		g_assert_cmpuint(g_bytes_get_size(pending), <=, strlen(UB_SAHARA_TEST_BANNER));
		g_assert_cmpmem(g_bytes_get_data(pending, NULL),
				g_bytes_get_size(pending),
				UB_SAHARA_TEST_BANNER,
				g_bytes_get_size(pending));
	}
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_test_reset_script(UbTransport *dev, gpointer user_data)
{
	UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_RESET_RESP};
	ub_sahara_test_dev_hello(dev, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_test_dev_expect(dev, UB_SAHARA_CMD_RESET, NULL);
	ub_sahara_test_dev_send(dev, &resp);
}

static void
ub_sahara_reset_func(void)
{
	UbSaharaTestFixture fx = {0};
	g_autoptr(UbSahara) sahara = NULL;
	g_autoptr(GError) error = NULL;

	ub_sahara_test_start(&fx, FALSE, ub_sahara_test_reset_script, NULL);
	sahara = ub_sahara_new(fx.host);
	g_assert_true(ub_sahara_wait_hello(sahara, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_sahara_reset(sahara, NULL, &error));
	g_assert_no_error(error);
	ub_sahara_test_finish(&fx);
}

static void
ub_sahara_chip_name_func(void)
{
	g_assert_cmpstr(ub_edl_chip_name(0x000a50e1), ==, "SM8150 (Snapdragon 855)");
	g_assert_cmpstr(ub_edl_chip_name(0x007050e1), ==, "MSM8916 (Snapdragon 410)");
	g_assert_cmpstr(ub_edl_chip_name(0x009600e1), ==, "MSM8909 (Snapdragon 210)");
	/* the JTAG version nibble does not change the chip */
	g_assert_cmpstr(ub_edl_chip_name(0x100a50e1), ==, "SM8150 (Snapdragon 855)");
	g_assert_null(ub_edl_chip_name(0));
	g_assert_null(ub_edl_chip_name(0x00fff0e1));
}

/* the json file itself: every key a 32-bit hex id, every name set, 40 or more */
static void
ub_sahara_chip_table_func(void)
{
	g_autofree gchar *path = g_test_build_filename(G_TEST_DIST, "..", "data", "edl-chips.json", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *contents = NULL;
	g_autoptr(GRegex) regex = NULL;
	g_autoptr(GMatchInfo) match = NULL;
	guint n = 0;

	g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
	g_assert_no_error(error);
	regex = g_regex_new("\"(0x[0-9a-f]{8})\": \"([^\"]+)\"", 0, 0, &error);
	g_assert_no_error(error);
	g_regex_match(regex, contents, 0, &match);
	while (g_match_info_matches(match)) {
		g_autofree gchar *key = g_match_info_fetch(match, 1);
		g_autofree gchar *name = g_match_info_fetch(match, 2);
		guint64 id = g_ascii_strtoull(key + 2, NULL, 16);
		/* what is in the file is what the lookup returns */
		g_assert_cmpstr(ub_edl_chip_name((guint32)id), ==, name);
		n++;
		g_match_info_next(match, NULL);
	}
	g_assert_cmpuint(n, >=, 40);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/edl/sahara/upload-usb", ub_sahara_upload_usb_func);
	g_test_add_func("/ub/edl/sahara/upload-msm8916", ub_sahara_upload_msm8916_func);
	g_test_add_func("/ub/edl/sahara/auth-failure", ub_sahara_upload_auth_failure_func);
	g_test_add_func("/ub/edl/sahara/out-of-range", ub_sahara_upload_out_of_range_func);
	g_test_add_func("/ub/edl/sahara/wrong-image", ub_sahara_upload_wrong_image_func);
	g_test_add_func("/ub/edl/sahara/no-hello", ub_sahara_no_hello_func);
	g_test_add_func("/ub/edl/sahara/mid-session", ub_sahara_mid_session_func);
	g_test_add_func("/ub/edl/sahara/disconnect", ub_sahara_disconnect_func);
	g_test_add_func("/ub/edl/sahara/stall", ub_sahara_stall_func);
	g_test_add_func("/ub/edl/sahara/firehose-running", ub_sahara_firehose_running_func);
	g_test_add_func("/ub/edl/sahara/chip-info-v2", ub_sahara_chip_info_v2_func);
	g_test_add_func("/ub/edl/sahara/chip-info-v3", ub_sahara_chip_info_v3_func);
	g_test_add_func("/ub/edl/sahara/stream", ub_sahara_stream_func);
	g_test_add_func("/ub/edl/sahara/reset", ub_sahara_reset_func);
	g_test_add_func("/ub/edl/sahara/chip-name", ub_sahara_chip_name_func);
	g_test_add_func("/ub/edl/sahara/chip-table", ub_sahara_chip_table_func);
	return g_test_run();
}
