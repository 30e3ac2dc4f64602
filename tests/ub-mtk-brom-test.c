/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "mtk/ub-mtk-brom.h"
#include "ub-error.h"
#include "ub-mem.h"
#include "ub-memory-transport.h"
#include "ub-sim-fd-transport.h"

/*
 * UbMtkBrom against a scripted phone: a thread on the device end of the
 * in-memory USB pair (full speed, 64-byte packets) or of a socketpair (a tty:
 * reads return what is there) plays the BROM or preloader and asserts every
 * byte the host sends. All fields are big-endian.
 */

#define UB_BROM_TEST_TIMEOUT_MS 5000

typedef struct UbBromTestFixture UbBromTestFixture;
typedef void (*UbBromTestScript)(UbBromTestFixture *fx);

struct UbBromTestFixture {
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	UbBromTestScript script;
	GBytes *data;	    /* what an upload carries */
	guint16 status;	    /* the status some scripts answer */
	gboolean bad_sum;   /* answer a wrong checksum */
	GByteArray *seen;   /* bytes the device received during the handshake */
	gsize max_transfer; /* the largest transfer seen during an upload */
	gboolean split;	    /* write answers one byte at a time (tty) */
};

static gpointer
ub_brom_test_thread_cb(gpointer data)
{
	UbBromTestFixture *fx = data;
	fx->script(fx);
	return NULL;
}

static void
ub_brom_test_start(UbBromTestFixture *fx, gboolean stream, UbBromTestScript script)
{
	if (stream) {
		int fds[2] = {-1, -1};
		g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
		fx->host = ub_sim_fd_transport_new(fds[0], "stream:host");
		fx->dev = ub_sim_fd_transport_new(fds[1], "stream:dev");
		fx->split = TRUE;
	} else {
		ub_memory_transport_new_pair(64, &fx->host, &fx->dev);
	}
	fx->seen = g_byte_array_new();
	fx->script = script;
	fx->thread = g_thread_new("ub-brom-test-dev", ub_brom_test_thread_cb, fx);
}

static void
ub_brom_test_finish(UbBromTestFixture *fx)
{
	/* the host end goes first: a script blocked on a read sees DEVICE_GONE */
	ub_transport_close(fx->host);
	g_thread_join(fx->thread);
	ub_transport_close(fx->dev);
}

/* the rest once the test has looked at what the device saw */
static void
ub_brom_test_clear(UbBromTestFixture *fx)
{
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
	g_clear_pointer(&fx->seen, g_byte_array_unref);
	g_clear_pointer(&fx->data, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UbBromTestFixture, ub_brom_test_clear)

/* the device side */

static void
ub_brom_test_dev_send(UbBromTestFixture *fx, const guint8 *buf, gsize bufsz)
{
	g_autoptr(GError) error = NULL;
	if (fx->split) {
		for (gsize i = 0; i < bufsz; i++) {
			g_assert_true(ub_transport_write(fx->dev,
							 buf + i,
							 1,
							 0,
							 UB_BROM_TEST_TIMEOUT_MS,
							 NULL,
							 &error));
			g_assert_no_error(error);
			g_usleep(1000);
		}
		return;
	}
	g_assert_true(
	    ub_transport_write(fx->dev, buf, bufsz, 0, UB_BROM_TEST_TIMEOUT_MS, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_brom_test_dev_u8(UbBromTestFixture *fx, guint8 value)
{
	ub_brom_test_dev_send(fx, &value, 1);
}

static void
ub_brom_test_dev_u16(UbBromTestFixture *fx, guint16 value)
{
	guint8 buf[2];
	ub_mem_write_u16_be(buf, 0, value);
	ub_brom_test_dev_send(fx, buf, sizeof(buf));
}

static void
ub_brom_test_dev_u32(UbBromTestFixture *fx, guint32 value)
{
	guint8 buf[4];
	ub_mem_write_u32_be(buf, 0, value);
	ub_brom_test_dev_send(fx, buf, sizeof(buf));
}

static void
ub_brom_test_dev_read(UbBromTestFixture *fx, guint8 *buf, gsize bufsz)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(
	    ub_transport_read_exact(fx->dev, buf, bufsz, UB_BROM_TEST_TIMEOUT_MS, NULL, &error));
	g_assert_no_error(error);
}

/* the host sent @cmd: echo it */
static void
ub_brom_test_dev_cmd(UbBromTestFixture *fx, guint8 cmd)
{
	guint8 got = 0;
	ub_brom_test_dev_read(fx, &got, 1);
	g_assert_cmphex(got, ==, cmd);
	ub_brom_test_dev_u8(fx, got);
}

/* the host sent @value as four big-endian bytes: echo them */
static void
ub_brom_test_dev_param32(UbBromTestFixture *fx, guint32 value)
{
	guint8 buf[4] = {0};
	ub_brom_test_dev_read(fx, buf, sizeof(buf));
	g_assert_cmphex(ub_mem_read_u32_be(buf, 0), ==, value);
	ub_brom_test_dev_send(fx, buf, sizeof(buf));
}

static void
ub_brom_test_dev_param16(UbBromTestFixture *fx, guint16 value)
{
	guint8 buf[2] = {0};
	ub_brom_test_dev_read(fx, buf, sizeof(buf));
	g_assert_cmphex(ub_mem_read_u16_be(buf, 0), ==, value);
	ub_brom_test_dev_send(fx, buf, sizeof(buf));
}

/* nothing more comes from the host until it closes */
static void
ub_brom_test_dev_expect_end(UbBromTestFixture *fx)
{
	guint8 buf[64];
	g_autoptr(GError) error = NULL;
	gssize n =
	    ub_transport_read(fx->dev, buf, sizeof(buf), UB_BROM_TEST_TIMEOUT_MS, NULL, &error);
	if (n >= 0)
		g_error("the host sent %" G_GSSIZE_FORMAT " more bytes, first 0x%02X",
			n,
			n > 0 ? buf[0] : 0);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
}

/* one handshake byte: records it and answers with its complement */
static guint8
ub_brom_test_dev_hs_read(UbBromTestFixture *fx)
{
	guint8 c = 0;
	ub_brom_test_dev_read(fx, &c, 1);
	g_byte_array_append(fx->seen, &c, 1);
	return c;
}

static void
ub_brom_test_dev_handshake(UbBromTestFixture *fx)
{
	for (guint i = 0; i < UB_MTK_HANDSHAKE_LEN; i++) {
		guint8 c = ub_brom_test_dev_hs_read(fx);
		g_assert_cmphex(c, ==, ub_mtk_handshake[i]);
		ub_brom_test_dev_u8(fx, (guint8)~c);
	}
}

static void
ub_brom_test_assert_seen(UbBromTestFixture *fx, const guint8 *want, gsize wantsz)
{
	g_assert_cmpmem(fx->seen->data, fx->seen->len, want, wantsz);
}

/* handshakes */

static void
ub_brom_test_script_ready_noise(UbBromTestFixture *fx)
{
	/* a preloader says READY before and between the answers */
	ub_brom_test_dev_send(fx, (const guint8 *)"READY", 5);
	for (guint i = 0; i < UB_MTK_HANDSHAKE_LEN; i++) {
		guint8 c = ub_brom_test_dev_hs_read(fx);
		g_assert_cmphex(c, ==, ub_mtk_handshake[i]);
		ub_brom_test_dev_send(fx, (const guint8 *)"READY", 5);
		ub_brom_test_dev_u8(fx, (guint8)~c);
	}
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_handshake_noise(gconstpointer user_data)
{
	g_auto(UbBromTestFixture) fx = {0};
	gboolean stream = GPOINTER_TO_INT(user_data);
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;

	ub_brom_test_start(&fx, stream, ub_brom_test_script_ready_noise);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_handshake(brom, NULL, &error));
	g_assert_no_error(error);
	ub_brom_test_finish(&fx);
	ub_brom_test_assert_seen(&fx, ub_mtk_handshake, UB_MTK_HANDSHAKE_LEN);
}

static void
ub_brom_test_script_swallowed(UbBromTestFixture *fx)
{
	/* the listening preloader eats the first 0xA0 without a word */
	g_assert_cmphex(ub_brom_test_dev_hs_read(fx), ==, 0xA0);
	ub_brom_test_dev_handshake(fx);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_handshake_swallowed(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	static const guint8 want[] = {0xA0, 0xA0, 0x0A, 0x50, 0x05};
	gint64 start = g_get_monotonic_time();

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_swallowed);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_handshake(brom, NULL, &error));
	g_assert_no_error(error);
	/* resent well before the 500 ms a later byte gets (the preloader allows ~300 ms) */
	g_assert_cmpint(g_get_monotonic_time() - start, <, 450 * G_TIME_SPAN_MILLISECOND);
	ub_brom_test_finish(&fx);
	ub_brom_test_assert_seen(&fx, want, sizeof(want));
}

static void
ub_brom_test_script_wrong(UbBromTestFixture *fx)
{
	/* a wrong answer to 0x0A (and trailing garbage): the host must start over */
	g_assert_cmphex(ub_brom_test_dev_hs_read(fx), ==, 0xA0);
	ub_brom_test_dev_u8(fx, 0x5F);
	g_assert_cmphex(ub_brom_test_dev_hs_read(fx), ==, 0x0A);
	ub_brom_test_dev_send(fx, (const guint8 *)"\x0B\x77\x88", 3);
	ub_brom_test_dev_handshake(fx);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_handshake_wrong(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	static const guint8 want[] = {0xA0, 0x0A, 0xA0, 0x0A, 0x50, 0x05};

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_wrong);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_handshake(brom, NULL, &error));
	g_assert_no_error(error);
	ub_brom_test_finish(&fx);
	ub_brom_test_assert_seen(&fx, want, sizeof(want));
}

static void
ub_brom_test_script_silent(UbBromTestFixture *fx)
{
	/* reads everything, answers nothing */
	for (;;) {
		guint8 buf[64];
		g_autoptr(GError) error = NULL;
		gssize n = ub_transport_read(fx->dev,
					     buf,
					     sizeof(buf),
					     UB_BROM_TEST_TIMEOUT_MS,
					     NULL,
					     &error);
		if (n < 0) {
			g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
			return;
		}
		g_byte_array_append(fx->seen, buf, (guint)n);
	}
}

static void
ub_brom_test_handshake_timeout(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();
	gint64 elapsed;

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_silent);
	brom = ub_mtk_brom_new(fx.host);
	ub_mtk_brom_set_handshake_timeout(brom, 700);
	g_assert_false(ub_mtk_brom_handshake(brom, NULL, &error));
	elapsed = g_get_monotonic_time() - start;
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_nonnull(strstr(error->message, "the phone never answered"));
	g_assert_nonnull(strstr(error->message, "cable"));
	g_assert_nonnull(strstr(error->message, "ModemManager"));
	g_assert_nonnull(strstr(error->message, "ID_MM_DEVICE_IGNORE"));
	g_assert_nonnull(strstr(error->message, "brltty"));
	g_assert_nonnull(strstr(error->message, "Volume Down"));
	/* the budget holds, and each unanswered 0xA0 was sent again */
	g_assert_cmpint(elapsed, >=, 700 * G_TIME_SPAN_MILLISECOND);
	g_assert_cmpint(elapsed, <, 1500 * G_TIME_SPAN_MILLISECOND);
	ub_brom_test_finish(&fx);
	g_assert_cmpuint(fx.seen->len, >=, 3);
	for (guint i = 0; i < fx.seen->len; i++)
		g_assert_cmphex(fx.seen->data[i], ==, 0xA0);
}

/* a device that only ever answers garbage: the error says what it said */
static void
ub_brom_test_script_garbage(UbBromTestFixture *fx)
{
	for (;;) {
		guint8 c;
		g_autoptr(GError) error = NULL;
		gssize n = ub_transport_read(fx->dev, &c, 1, UB_BROM_TEST_TIMEOUT_MS, NULL, &error);
		if (n < 0)
			return;
		if (!ub_transport_write(fx->dev, (const guint8 *)"\x12", 1, 0, 1000, NULL, NULL))
			return;
	}
}

static void
ub_brom_test_handshake_garbage(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_garbage);
	brom = ub_mtk_brom_new(fx.host);
	ub_mtk_brom_set_handshake_timeout(brom, 400);
	g_assert_false(ub_mtk_brom_handshake(brom, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_nonnull(strstr(error->message, "wrong answers: 12"));
	ub_brom_test_finish(&fx);
}

/* identify */

static void
ub_brom_test_script_identify_brom(UbBromTestFixture *fx)
{
	guint8 c = 0;
	guint8 id[32];

	ub_brom_test_dev_handshake(fx);
	/* GET_BL_VER: a BROM echoes it */
	ub_brom_test_dev_read(fx, &c, 1);
	g_assert_cmphex(c, ==, 0xFE);
	ub_brom_test_dev_u8(fx, 0xFE);
	/* GET_VERSION: one byte, no echo */
	ub_brom_test_dev_read(fx, &c, 1);
	g_assert_cmphex(c, ==, 0xFF);
	ub_brom_test_dev_u8(fx, 0x05);
	ub_brom_test_dev_cmd(fx, 0xFD);
	ub_brom_test_dev_u16(fx, 0x0766);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_cmd(fx, 0xFC);
	ub_brom_test_dev_u16(fx, 0x8A00);
	ub_brom_test_dev_u16(fx, 0xCA00);
	ub_brom_test_dev_u16(fx, 0x0001);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_cmd(fx, 0xD8);
	ub_brom_test_dev_u32(fx, 0x00000005);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* GET_ME_ID: 16 bytes */
	for (guint i = 0; i < sizeof(id); i++)
		id[i] = (guint8)(0xA0 + i);
	ub_brom_test_dev_cmd(fx, 0xE1);
	ub_brom_test_dev_u32(fx, 16);
	ub_brom_test_dev_send(fx, id, 16);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* GET_SOC_ID: 32 bytes */
	ub_brom_test_dev_cmd(fx, 0xE7);
	ub_brom_test_dev_u32(fx, 32);
	ub_brom_test_dev_send(fx, id, 32);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_identify_brom(gconstpointer user_data)
{
	g_auto(UbBromTestFixture) fx = {0};
	gboolean stream = GPOINTER_TO_INT(user_data);
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	UbMtkBromInfo info = {0};

	ub_brom_test_start(&fx, stream, ub_brom_test_script_identify_brom);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_handshake(brom, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_mtk_brom_identify(brom, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_false(info.is_preloader);
	g_assert_cmpuint(info.bl_version, ==, 0);
	g_assert_cmpuint(info.brom_version, ==, 5);
	g_assert_cmphex(info.hw_code, ==, 0x0766);
	g_assert_cmphex(info.hw_sub_code, ==, 0x8A00);
	g_assert_cmphex(info.hw_version, ==, 0xCA00);
	g_assert_cmphex(info.sw_version, ==, 0x0001);
	g_assert_cmphex(info.target_config, ==, 0x5);
	g_assert_cmphex(info.pl_cap, ==, 0);
	g_assert_cmpstr(info.me_id, ==, "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
	g_assert_cmpstr(info.soc_id,
			==,
			"A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF");
	ub_brom_test_finish(&fx);
	ub_mtk_brom_info_clear(&info);
	g_assert_null(info.me_id);
}

static void
ub_brom_test_script_identify_preloader(UbBromTestFixture *fx)
{
	guint8 c = 0;
	guint8 id[16] = {0x11, 0x22};

	ub_brom_test_dev_handshake(fx);
	/* GET_BL_VER: the preloader answers its version */
	ub_brom_test_dev_read(fx, &c, 1);
	g_assert_cmphex(c, ==, 0xFE);
	ub_brom_test_dev_u8(fx, 0x02);
	ub_brom_test_dev_read(fx, &c, 1);
	g_assert_cmphex(c, ==, 0xFF);
	ub_brom_test_dev_u8(fx, 0xFF);
	ub_brom_test_dev_cmd(fx, 0xFD);
	ub_brom_test_dev_u16(fx, 0x0707);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_cmd(fx, 0xFC);
	ub_brom_test_dev_u16(fx, 0x8A00);
	ub_brom_test_dev_u16(fx, 0xCA00);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_cmd(fx, 0xD8);
	ub_brom_test_dev_u32(fx, 0x00000001);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* GET_PL_CAP: XFlash and ME_ID, no SOC_ID */
	ub_brom_test_dev_cmd(fx, 0xFB);
	ub_brom_test_dev_u32(fx, 0x00000003);
	ub_brom_test_dev_u32(fx, 0x00000000);
	ub_brom_test_dev_cmd(fx, 0xE1);
	ub_brom_test_dev_u32(fx, 16);
	ub_brom_test_dev_send(fx, id, 16);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* no GET_SOC_ID: the caps said so */
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_identify_preloader(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	UbMtkBromInfo info = {0};
	UbMtkChip chip = {.name = "MT6768",
			  .watchdog_addr = 0x10007000,
			  .watchdog_value = 0x22000064};

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_identify_preloader);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_handshake(brom, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_mtk_brom_identify(brom, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(info.is_preloader);
	g_assert_cmpuint(info.bl_version, ==, 2);
	g_assert_cmphex(info.hw_code, ==, 0x0707);
	g_assert_cmphex(info.pl_cap, ==, 3);
	g_assert_cmphex(info.target_config, ==, 1);
	g_assert_cmpstr(info.me_id, ==, "11220000000000000000000000000000");
	g_assert_null(info.soc_id);
	/* the preloader has dealt with the watchdog: nothing is sent */
	g_assert_true(ub_mtk_brom_disable_watchdog(brom, &chip, NULL, &error));
	g_assert_no_error(error);
	ub_brom_test_finish(&fx);
	ub_mtk_brom_info_clear(&info);
}

static void
ub_brom_test_script_identify_refused(UbBromTestFixture *fx)
{
	guint8 c = 0;
	guint8 id[32] = {0};

	ub_brom_test_dev_read(fx, &c, 1);
	ub_brom_test_dev_u8(fx, 0xFE);
	ub_brom_test_dev_read(fx, &c, 1);
	ub_brom_test_dev_u8(fx, 0x01);
	ub_brom_test_dev_cmd(fx, 0xFD);
	ub_brom_test_dev_u16(fx, 0x6580);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_cmd(fx, 0xFC);
	ub_brom_test_dev_u16(fx, 0x8A00);
	ub_brom_test_dev_u16(fx, 0xCA00);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_cmd(fx, 0xD8);
	ub_brom_test_dev_u32(fx, 0x00000000);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* an old BROM that does not know GET_ME_ID answers something else */
	ub_brom_test_dev_read(fx, &c, 1);
	g_assert_cmphex(c, ==, 0xE1);
	ub_brom_test_dev_u8(fx, 0x00);
	/* GET_SOC_ID refused with a status */
	ub_brom_test_dev_cmd(fx, 0xE7);
	ub_brom_test_dev_u32(fx, 32);
	ub_brom_test_dev_send(fx, id, 32);
	ub_brom_test_dev_u16(fx, 0x1D02);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_identify_refused(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	UbMtkBromInfo info = {0};

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_identify_refused);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_identify(brom, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmphex(info.hw_code, ==, 0x6580);
	g_assert_null(info.me_id);
	g_assert_null(info.soc_id);
	ub_brom_test_finish(&fx);
	ub_mtk_brom_info_clear(&info);
}

static void
ub_brom_test_script_hw_code_status(UbBromTestFixture *fx)
{
	guint8 c = 0;
	ub_brom_test_dev_read(fx, &c, 1);
	ub_brom_test_dev_u8(fx, 0xFE);
	ub_brom_test_dev_read(fx, &c, 1);
	ub_brom_test_dev_u8(fx, 0x01);
	ub_brom_test_dev_cmd(fx, 0xFD);
	ub_brom_test_dev_u16(fx, 0x0766);
	ub_brom_test_dev_u16(fx, 0x1D02);
	ub_brom_test_dev_expect_end(fx);
}

/* the second word of GET_HW_CODE is a status, and it is checked */
static void
ub_brom_test_hw_code_status(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	UbMtkBromInfo info = {0};

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_hw_code_status);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_false(ub_mtk_brom_identify(brom, &info, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_cmpstr(error->message, ==, "GET_HW_CODE refused (status 0x1D02): invalid address");
	ub_brom_test_finish(&fx);
	ub_mtk_brom_info_clear(&info);
}

/* memory access */

static void
ub_brom_test_script_rw(UbBromTestFixture *fx)
{
	/* READ32 of two words */
	ub_brom_test_dev_cmd(fx, 0xD1);
	ub_brom_test_dev_param32(fx, 0x10007000);
	ub_brom_test_dev_param32(fx, 2);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_u32(fx, 0x22000064);
	ub_brom_test_dev_u32(fx, 0xDEADBEEF);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* WRITE32 of two words, each echoed */
	ub_brom_test_dev_cmd(fx, 0xD4);
	ub_brom_test_dev_param32(fx, 0x10001000);
	ub_brom_test_dev_param32(fx, 2);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_param32(fx, 0x01020304);
	ub_brom_test_dev_param32(fx, 0xA0B0C0D0);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* disable_watchdog, 32-bit chip */
	ub_brom_test_dev_cmd(fx, 0xD4);
	ub_brom_test_dev_param32(fx, 0x10007000);
	ub_brom_test_dev_param32(fx, 1);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_param32(fx, 0x22000064);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* disable_watchdog, 16-bit chip */
	ub_brom_test_dev_cmd(fx, 0xD2);
	ub_brom_test_dev_param32(fx, 0xA0030000);
	ub_brom_test_dev_param32(fx, 1);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_param16(fx, 0x2200);
	ub_brom_test_dev_u16(fx, 0x0000);
	/* a refused WRITE32: the address status */
	ub_brom_test_dev_cmd(fx, 0xD4);
	ub_brom_test_dev_param32(fx, 0x00000004);
	ub_brom_test_dev_param32(fx, 1);
	ub_brom_test_dev_u16(fx, 0x1D02);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_rw(gconstpointer user_data)
{
	g_auto(UbBromTestFixture) fx = {0};
	gboolean stream = GPOINTER_TO_INT(user_data);
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	guint32 values[2] = {0};
	const guint32 out[2] = {0x01020304, 0xA0B0C0D0};
	const guint32 one = 1;
	UbMtkChip chip32 = {.name = "MT6765",
			    .watchdog_addr = 0x10007000,
			    .watchdog_value = 0x22000064};
	UbMtkChip chip16 = {.name = "MT6261",
			    .watchdog_addr = 0xA0030000,
			    .watchdog_value = 0x2200,
			    .watchdog_16bit = TRUE};
	UbMtkChip chip_none = {.name = "MT9999"};

	ub_brom_test_start(&fx, stream, ub_brom_test_script_rw);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_read32(brom, 0x10007000, 2, values, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmphex(values[0], ==, 0x22000064);
	g_assert_cmphex(values[1], ==, 0xDEADBEEF);
	g_assert_true(ub_mtk_brom_write32(brom, 0x10001000, out, 2, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_mtk_brom_disable_watchdog(brom, &chip32, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_mtk_brom_disable_watchdog(brom, &chip16, NULL, &error));
	g_assert_no_error(error);
	/* no watchdog known: nothing on the wire */
	g_assert_true(ub_mtk_brom_disable_watchdog(brom, &chip_none, NULL, &error));
	g_assert_no_error(error);
	g_assert_false(ub_mtk_brom_write32(brom, 0x4, &one, 1, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_cmpstr(error->message, ==, "WRITE32 refused (status 0x1D02): invalid address");
	ub_brom_test_finish(&fx);
}

/* echo mismatches name the command and the bytes */

static void
ub_brom_test_script_echo_mismatch(UbBromTestFixture *fx)
{
	guint8 buf[4] = {0};
	/* WRITE32 whose address comes back with a bit flipped */
	ub_brom_test_dev_cmd(fx, 0xD4);
	ub_brom_test_dev_read(fx, buf, 4);
	buf[3] ^= 0x01;
	ub_brom_test_dev_send(fx, buf, 4);
	/* JUMP_DA answered with another command byte */
	ub_brom_test_dev_read(fx, buf, 1);
	g_assert_cmphex(buf[0], ==, 0xD5);
	ub_brom_test_dev_u8(fx, 0x00);
	/* WRITE16 whose value echo is wrong */
	ub_brom_test_dev_cmd(fx, 0xD2);
	ub_brom_test_dev_param32(fx, 0xA0030000);
	ub_brom_test_dev_param32(fx, 1);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_read(fx, buf, 2);
	ub_brom_test_dev_send(fx, (const guint8 *)"\x22\x01", 2);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_echo_mismatch(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	const guint32 value = 0x22000064;
	const guint16 value16 = 0x2200;

	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_echo_mismatch);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_false(ub_mtk_brom_write32(brom, 0x10007000, &value, 1, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_assert_cmpstr(error->message,
			==,
			"WRITE32 address: sent 10 00 70 00, the phone echoed 10 00 70 01");
	g_clear_error(&error);
	g_assert_false(ub_mtk_brom_jump_da(brom, 0x200000, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_assert_cmpstr(error->message,
			==,
			"failed to start the Download Agent: JUMP_DA: sent command 0xD5, the phone "
			"echoed 0x00");
	g_clear_error(&error);
	g_assert_false(ub_mtk_brom_write16(brom, 0xA0030000, &value16, 1, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_assert_cmpstr(error->message, ==, "WRITE16 value: sent 22 00, the phone echoed 22 01");
	ub_brom_test_finish(&fx);
}

/* uploads */

static GBytes *
ub_brom_test_payload(gsize size)
{
	guint8 *buf = g_malloc(size);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(i * 31 + (i >> 9) + 7);
	return g_bytes_new_take(buf, size);
}

/* reads an upload of @padded bytes, checks it against fx->data plus padding,
 * answers the checksum (wrong when asked) and a status */
static void
ub_brom_test_dev_upload(UbBromTestFixture *fx, gsize padded)
{
	g_autofree guint8 *buf = g_malloc0(padded);
	g_autofree guint8 *want = g_malloc0(padded);
	gsize datasz = 0;
	const guint8 *data = g_bytes_get_data(fx->data, &datasz);
	gsize done = 0;
	guint16 sum;

	/* whole transfers: the host writes big pieces, not one packet at a time */
	while (done < padded) {
		g_autoptr(GError) error = NULL;
		gssize n = ub_transport_read(fx->dev,
					     buf + done,
					     padded - done,
					     UB_BROM_TEST_TIMEOUT_MS,
					     NULL,
					     &error);
		g_assert_no_error(error);
		g_assert_cmpint(n, >, 0);
		fx->max_transfer = MAX(fx->max_transfer, (gsize)n);
		done += (gsize)n;
	}
	memcpy(want, data, datasz);
	g_assert_cmpmem(buf, padded, want, padded);
	sum = ub_mtk_da_checksum(buf, padded);
	ub_brom_test_dev_u16(fx, fx->bad_sum ? sum ^ 0x0100 : sum);
	ub_brom_test_dev_u16(fx, fx->status);
}

static void
ub_brom_test_script_send_da(UbBromTestFixture *fx)
{
	gsize datasz = g_bytes_get_size(fx->data);
	gsize padded = datasz + (datasz & 1);

	ub_brom_test_dev_cmd(fx, 0xD7);
	ub_brom_test_dev_param32(fx, 0x00200000);
	ub_brom_test_dev_param32(fx, (guint32)padded);
	ub_brom_test_dev_param32(fx, 0x100);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_upload(fx, padded);
	if (fx->bad_sum || fx->status != 0) {
		ub_brom_test_dev_expect_end(fx);
		return;
	}
	ub_brom_test_dev_cmd(fx, 0xD5);
	ub_brom_test_dev_param32(fx, 0x00200000);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_send_da_run(gsize size, gboolean bad_sum, gboolean stream)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) input = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	gsize padded = size + (size & 1);
	gboolean ret;

	fx.data = ub_brom_test_payload(size);
	fx.bad_sum = bad_sum;
	input = g_memory_input_stream_new_from_bytes(fx.data);
	ub_brom_test_start(&fx, stream, ub_brom_test_script_send_da);
	brom = ub_mtk_brom_new(fx.host);
	ret = ub_mtk_brom_send_da(brom,
				  0x200000,
				  input,
				  (guint32)size,
				  0x100,
				  progress,
				  NULL,
				  &error);
	if (bad_sum) {
		g_assert_false(ret);
		g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
		g_assert_nonnull(strstr(error->message, "checksum"));
		g_assert_nonnull(strstr(error->message, "cable"));
	} else {
		g_assert_no_error(error);
		g_assert_true(ret);
		g_assert_cmpuint(ub_progress_get_bytes_done(progress), ==, padded);
		g_assert_true(ub_mtk_brom_jump_da(brom, 0x200000, NULL, &error));
		g_assert_no_error(error);
	}
	ub_brom_test_finish(&fx);
	/* the data went out in large writes: 64 KiB ones on USB, not 64-byte packets */
	if (!stream)
		g_assert_cmpuint(fx.max_transfer, ==, MIN(padded, (gsize)64 * 1024));
}

static void
ub_brom_test_send_da(void)
{
	/* odd: one padding byte; over 64 KiB: several writes */
	ub_brom_test_send_da_run(0x23457, FALSE, FALSE);
	ub_brom_test_send_da_run(0x1000, FALSE, FALSE);
	ub_brom_test_send_da_run(0x3001, FALSE, TRUE);
}

static void
ub_brom_test_send_da_bad_checksum(void)
{
	ub_brom_test_send_da_run(0x3001, TRUE, FALSE);
}

static void
ub_brom_test_script_send_da_sla(UbBromTestFixture *fx)
{
	ub_brom_test_dev_cmd(fx, 0xD7);
	ub_brom_test_dev_param32(fx, 0x00200000);
	ub_brom_test_dev_param32(fx, 0x1000);
	ub_brom_test_dev_param32(fx, 0x100);
	ub_brom_test_dev_u16(fx, 0x1D0D);
	/* no data may follow */
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_send_da_auth_required(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) input = NULL;

	fx.data = ub_brom_test_payload(0x1000);
	input = g_memory_input_stream_new_from_bytes(fx.data);
	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_send_da_sla);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_false(
	    ub_mtk_brom_send_da(brom, 0x200000, input, 0x1000, 0x100, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_AUTH_REQUIRED);
	g_assert_nonnull(strstr(error->message, "status 0x1D0D"));
	g_assert_nonnull(strstr(error->message, "authentication file"));
	g_assert_nonnull(strstr(error->message, "--auth"));
	ub_brom_test_finish(&fx);
}

static void
ub_brom_test_script_send_auth(UbBromTestFixture *fx)
{
	gsize datasz = g_bytes_get_size(fx->data);
	gsize padded = datasz + (datasz & 1);

	ub_brom_test_dev_cmd(fx, 0xE2);
	ub_brom_test_dev_param32(fx, (guint32)padded);
	ub_brom_test_dev_u16(fx, 0x0000);
	ub_brom_test_dev_upload(fx, padded);
	ub_brom_test_dev_cmd(fx, 0xE0);
	ub_brom_test_dev_param32(fx, (guint32)padded);
	ub_brom_test_dev_u16(fx, 0x0000);
	fx->status = 0x7017;
	ub_brom_test_dev_upload(fx, padded);
	ub_brom_test_dev_expect_end(fx);
}

static void
ub_brom_test_send_auth(void)
{
	g_auto(UbBromTestFixture) fx = {0};
	g_autoptr(UbMtkBrom) brom = NULL;
	g_autoptr(GError) error = NULL;

	fx.data = ub_brom_test_payload(0x8C1);
	ub_brom_test_start(&fx, FALSE, ub_brom_test_script_send_auth);
	brom = ub_mtk_brom_new(fx.host);
	g_assert_true(ub_mtk_brom_send_auth(brom, fx.data, NULL, &error));
	g_assert_no_error(error);
	/* a certificate the phone does not like */
	g_assert_false(ub_mtk_brom_send_cert(brom, fx.data, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_AUTH_REQUIRED);
	g_assert_nonnull(
	    strstr(error->message,
		   "failed to send the certificate: SEND_CERT refused (status 0x7017)"));
	ub_brom_test_finish(&fx);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/ub/mtk/brom/handshake/ready-noise",
			     GINT_TO_POINTER(FALSE),
			     ub_brom_test_handshake_noise);
	g_test_add_data_func("/ub/mtk/brom/handshake/ready-noise-tty",
			     GINT_TO_POINTER(TRUE),
			     ub_brom_test_handshake_noise);
	g_test_add_func("/ub/mtk/brom/handshake/swallowed-a0", ub_brom_test_handshake_swallowed);
	g_test_add_func("/ub/mtk/brom/handshake/wrong-answer", ub_brom_test_handshake_wrong);
	g_test_add_func("/ub/mtk/brom/handshake/timeout", ub_brom_test_handshake_timeout);
	g_test_add_func("/ub/mtk/brom/handshake/garbage", ub_brom_test_handshake_garbage);
	g_test_add_data_func("/ub/mtk/brom/identify/brom",
			     GINT_TO_POINTER(FALSE),
			     ub_brom_test_identify_brom);
	g_test_add_data_func("/ub/mtk/brom/identify/brom-tty",
			     GINT_TO_POINTER(TRUE),
			     ub_brom_test_identify_brom);
	g_test_add_func("/ub/mtk/brom/identify/preloader", ub_brom_test_identify_preloader);
	g_test_add_func("/ub/mtk/brom/identify/ids-refused", ub_brom_test_identify_refused);
	g_test_add_func("/ub/mtk/brom/identify/hw-code-status", ub_brom_test_hw_code_status);
	g_test_add_data_func("/ub/mtk/brom/memory/read-write",
			     GINT_TO_POINTER(FALSE),
			     ub_brom_test_rw);
	g_test_add_data_func("/ub/mtk/brom/memory/read-write-tty",
			     GINT_TO_POINTER(TRUE),
			     ub_brom_test_rw);
	g_test_add_func("/ub/mtk/brom/echo-mismatch", ub_brom_test_echo_mismatch);
	g_test_add_func("/ub/mtk/brom/send-da/ok", ub_brom_test_send_da);
	g_test_add_func("/ub/mtk/brom/send-da/bad-checksum", ub_brom_test_send_da_bad_checksum);
	g_test_add_func("/ub/mtk/brom/send-da/auth-required", ub_brom_test_send_da_auth_required);
	g_test_add_func("/ub/mtk/brom/send-auth", ub_brom_test_send_auth);
	return g_test_run();
}
