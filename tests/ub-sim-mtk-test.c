/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mtk/ub-mtk-proto.h"
#include "sim/ub-sim-layouts.h"
#include "sim/ub-sim-mtk.h"
#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-storage.h"
#include "ub-core.h"
#include "ub-mem.h"
#include "ub-memory-transport.h"

/* the simulated MediaTek phone driven by hand, byte by byte and frame by frame */

#define TEST_DA_ADDR   0x201000u
#define TEST_WDT_ADDR  0x10007000u
#define TEST_WDT_VALUE 0x22000064u
#define TEST_TIMEOUT   5000

typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	gboolean sim_ret;
	GError *sim_error;
} Fixture;

static gpointer
sim_thread_cb(gpointer data)
{
	Fixture *fx = data;
	fx->sim_ret = ub_sim_personality_serve(fx->sim, fx->dev, NULL, &fx->sim_error);
	/* as UbSimPhone does: the host sees the phone go */
	ub_transport_close(fx->dev);
	return NULL;
}

static void
fixture_session(Fixture *fx)
{
	ub_memory_transport_new_pair(64, &fx->host, &fx->dev);
	fx->thread = g_thread_new("sim", sim_thread_cb, fx);
}

/* waits for the phone to end the session by itself */
static void
fixture_join(Fixture *fx)
{
	g_thread_join(fx->thread);
	fx->thread = NULL;
	g_assert_no_error(fx->sim_error);
	g_assert_true(fx->sim_ret);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
}

static void
fixture_end_session(Fixture *fx)
{
	ub_transport_close(fx->host);
	fixture_join(fx);
}

static void
fixture_start(Fixture *fx, const gchar *geometry, const gchar *faults)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) sim_faults = ub_sim_faults_new_from_string(faults, &error);
	g_assert_no_error(error);
	fx->tmpdir = g_dir_make_tmp("ub-sim-mtk-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, geometry, &error);
	g_assert_no_error(error);
	fx->sim = UB_SIM_PERSONALITY(ub_sim_mtk_new(fx->storage, sim_faults));
}

static void
fixture_stop(Fixture *fx)
{
	g_autofree gchar *cmd = NULL;
	if (fx->thread != NULL)
		fixture_end_session(fx);
	g_clear_object(&fx->sim);
	g_clear_object(&fx->storage);
	cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(fx->tmpdir);
}

/* host helpers: BROM side, big-endian */

static void
host_write(Fixture *fx, const guint8 *buf, gsize bufsz)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_write(fx->host, buf, bufsz, UB_TRANSPORT_WRITE_FLAG_NONE, TEST_TIMEOUT, NULL, &error));
	g_assert_no_error(error);
}

static void
host_read(Fixture *fx, guint8 *buf, gsize bufsz)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_read_exact(fx->host, buf, bufsz, TEST_TIMEOUT, NULL, &error));
	g_assert_no_error(error);
}

static guint8
host_byte(Fixture *fx, guint8 byte)
{
	guint8 reply = 0;
	host_write(fx, &byte, 1);
	host_read(fx, &reply, 1);
	return reply;
}

static void
host_handshake(Fixture *fx)
{
	for (guint i = 0; i < UB_MTK_HANDSHAKE_LEN; i++)
		g_assert_cmpuint(host_byte(fx, ub_mtk_handshake[i]), ==, (guint8)~ub_mtk_handshake[i]);
}

static void
host_cmd(Fixture *fx, guint8 cmd)
{
	g_assert_cmpuint(host_byte(fx, cmd), ==, cmd);
}

static void
host_echo_u32(Fixture *fx, guint32 value)
{
	guint8 buf[4] = {0};
	guint8 echo[4] = {0};
	ub_mem_write_u32_be(buf, 0, value);
	host_write(fx, buf, 4);
	host_read(fx, echo, 4);
	g_assert_cmpmem(buf, 4, echo, 4);
}

static guint16
host_u16(Fixture *fx)
{
	guint8 buf[2] = {0};
	host_read(fx, buf, 2);
	return ub_mem_read_u16_be(buf, 0);
}

static guint32
host_u32(Fixture *fx)
{
	guint8 buf[4] = {0};
	host_read(fx, buf, 4);
	return ub_mem_read_u32_be(buf, 0);
}

static void
host_disable_watchdog(Fixture *fx)
{
	host_cmd(fx, UB_MTK_BROM_CMD_WRITE32);
	host_echo_u32(fx, TEST_WDT_ADDR);
	host_echo_u32(fx, 1);
	g_assert_cmpuint(host_u16(fx), ==, 0);
	host_echo_u32(fx, TEST_WDT_VALUE);
	g_assert_cmpuint(host_u16(fx), ==, 0);
}

/* SEND_DA up to the first status; returns it */
static guint16
host_send_da_start(Fixture *fx, guint32 addr, guint32 len, guint32 sig_len)
{
	host_cmd(fx, UB_MTK_BROM_CMD_SEND_DA);
	host_echo_u32(fx, addr);
	host_echo_u32(fx, len);
	host_echo_u32(fx, sig_len);
	return host_u16(fx);
}

static void
host_send_da(Fixture *fx, gsize len)
{
	g_autofree guint8 *da = g_malloc(len);
	for (gsize i = 0; i < len; i++)
		da[i] = (guint8)(i * 13 + 7);
	g_assert_cmpuint(host_send_da_start(fx, TEST_DA_ADDR, (guint32)len, 0x100), ==, 0);
	host_write(fx, da, len);
	g_assert_cmpuint(host_u16(fx), ==, ub_mtk_da_checksum(da, len));
	g_assert_cmpuint(host_u16(fx), ==, 0);
}

static void
host_jump_da(Fixture *fx)
{
	guint8 sync = 0;
	host_cmd(fx, UB_MTK_BROM_CMD_JUMP_DA);
	host_echo_u32(fx, TEST_DA_ADDR);
	g_assert_cmpuint(host_u16(fx), ==, 0);
	host_read(fx, &sync, 1);
	g_assert_cmpuint(sync, ==, 0xC0);
}

/* host helpers: XFlash, little-endian frames */

static void
x_send(Fixture *fx, const guint8 *buf, gsize bufsz)
{
	guint8 hdr[UB_MTK_XFLASH_HEADER_LEN] = {0};
	ub_mtk_xflash_header_build(hdr, UB_MTK_XFLASH_TYPE_PROTOCOL, (guint32)bufsz);
	host_write(fx, hdr, sizeof(hdr));
	host_write(fx, buf, bufsz);
}

static void
x_send_u32(Fixture *fx, guint32 value)
{
	guint8 buf[4] = {0};
	ub_mem_write_u32_le(buf, 0, value);
	x_send(fx, buf, 4);
}

static GBytes *
x_read(Fixture *fx)
{
	guint8 hdr[UB_MTK_XFLASH_HEADER_LEN] = {0};
	guint32 len = 0;
	guint8 *buf;
	g_autoptr(GError) error = NULL;
	host_read(fx, hdr, sizeof(hdr));
	g_assert_true(ub_mtk_xflash_header_parse(hdr, sizeof(hdr), NULL, &len, &error));
	g_assert_no_error(error);
	buf = g_malloc(MAX(len, 1));
	if (len > 0)
		host_read(fx, buf, len);
	return g_bytes_new_take(buf, len);
}

static guint32
x_status(Fixture *fx)
{
	g_autoptr(GBytes) blob = x_read(fx);
	g_assert_cmpuint(g_bytes_get_size(blob), ==, 4);
	return ub_mem_read_u32_le(g_bytes_get_data(blob, NULL), 0);
}

static void
x_cmd(Fixture *fx, guint32 cmd, guint32 expected)
{
	x_send_u32(fx, cmd);
	g_assert_cmphex(x_status(fx), ==, expected);
}

static gchar *
x_devctrl_get_string(Fixture *fx, guint32 code)
{
	g_autoptr(GBytes) blob = NULL;
	x_cmd(fx, UB_MTK_XFLASH_CMD_DEVICE_CTRL, 0);
	x_cmd(fx, code, 0);
	blob = x_read(fx);
	g_assert_cmphex(x_status(fx), ==, 0);
	return g_strndup(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob));
}

static GBytes *
x_devctrl_get(Fixture *fx, guint32 code)
{
	g_autoptr(GBytes) blob = NULL;
	x_cmd(fx, UB_MTK_XFLASH_CMD_DEVICE_CTRL, 0);
	x_cmd(fx, code, 0);
	blob = x_read(fx);
	g_assert_cmphex(x_status(fx), ==, 0);
	return g_steal_pointer(&blob);
}

/* DA1 after 0xC0: sync, environment, hw init, "SYNC" */
static void
x_da1_setup(Fixture *fx)
{
	guint8 env[20] = {0};
	guint8 hw[4] = {0};
	x_send_u32(fx, UB_MTK_XFLASH_CMD_SYNC_SIGNAL);
	x_send_u32(fx, UB_MTK_XFLASH_CMD_SETUP_ENVIRONMENT);
	ub_mem_write_u32_le(env, 4, 2);
	ub_mem_write_u32_le(env, 8, 1);
	x_send(fx, env, sizeof(env));
	g_assert_cmphex(x_status(fx), ==, 0);
	x_send_u32(fx, UB_MTK_XFLASH_CMD_SETUP_HW_INIT_PARAMS);
	x_send(fx, hw, sizeof(hw));
	g_assert_cmphex(x_status(fx), ==, 0);
	g_assert_cmphex(x_status(fx), ==, UB_MTK_XFLASH_CMD_SYNC_SIGNAL);
}

static void
x_init_ext_ram(Fixture *fx)
{
	guint8 emi[256] = {0};
	memcpy(emi, "MTK_BLOADER_INFO_v", 18);
	x_cmd(fx, UB_MTK_XFLASH_CMD_INIT_EXT_RAM, 0);
	x_send_u32(fx, sizeof(emi));
	g_assert_cmphex(x_status(fx), ==, 0);
	x_send(fx, emi, sizeof(emi));
	g_assert_cmphex(x_status(fx), ==, 0);
}

/* BOOT_TO with a dummy DA2; returns the status after the data */
static guint32
x_boot_to(Fixture *fx)
{
	guint8 param[16] = {0};
	guint8 da2[4096] = {0};
	guint32 status;
	memset(da2, 0x2A, sizeof(da2));
	x_cmd(fx, UB_MTK_XFLASH_CMD_BOOT_TO, 0);
	ub_mem_write_u64_le(param, 0, 0x40000000);
	ub_mem_write_u64_le(param, 8, sizeof(da2));
	x_send(fx, param, sizeof(param));
	x_send(fx, da2, sizeof(da2));
	status = x_status(fx);
	if (status == 0)
		g_assert_cmphex(x_status(fx), ==, UB_MTK_XFLASH_CMD_SYNC_SIGNAL);
	return status;
}

/* from power-on to DA2, BootROM or preloader */
static void
host_bring_up(Fixture *fx)
{
	gboolean preloader = g_strcmp0(ub_sim_mtk_get_session_mode(UB_SIM_MTK(fx->sim)), "preloader") == 0;
	g_autofree gchar *agent = NULL;
	host_handshake(fx);
	if (!preloader)
		host_disable_watchdog(fx);
	host_send_da(fx, 3000);
	host_jump_da(fx);
	x_da1_setup(fx);
	agent = x_devctrl_get_string(fx, UB_MTK_XFLASH_CTRL_GET_CONNECTION_AGENT);
	g_assert_cmpstr(agent, ==, preloader ? "preloader" : "brom");
	if (!preloader)
		x_init_ext_ram(fx);
	g_assert_cmphex(x_boot_to(fx), ==, 0);
	g_assert_true(ub_sim_mtk_get_da_running(UB_SIM_MTK(fx->sim)));
}

/* the data parameter block; returns the status after it */
static guint32
x_data_cmd(Fixture *fx, guint32 cmd, guint32 storage, guint32 section, guint64 offset, guint64 length)
{
	guint8 param[UB_MTK_XFLASH_DATA_PARAM_LEN] = {0};
	x_cmd(fx, cmd, 0);
	ub_mtk_xflash_data_param_build(param, storage, section, offset, length);
	x_send(fx, param, sizeof(param));
	return x_status(fx);
}

static void
x_write(Fixture *fx, guint32 storage, guint32 section, guint64 offset, const guint8 *buf, gsize bufsz)
{
	gsize done = 0;
	g_assert_cmphex(x_data_cmd(fx, UB_MTK_XFLASH_CMD_WRITE_DATA, storage, section, offset, bufsz), ==, 0);
	while (done < bufsz) {
		gsize n = MIN(bufsz - done, (gsize)0x100000);
		x_send_u32(fx, 0);
		x_send_u32(fx, ub_mtk_xflash_checksum(buf + done, n));
		x_send(fx, buf + done, n);
		g_assert_cmphex(x_status(fx), ==, 0);
		done += n;
	}
	g_assert_cmphex(x_status(fx), ==, 0);
}

static guint8 *
x_read_data(Fixture *fx, guint32 storage, guint32 section, guint64 offset, gsize length)
{
	guint8 *buf = g_malloc(length);
	gsize done = 0;
	g_assert_cmphex(x_data_cmd(fx, UB_MTK_XFLASH_CMD_READ_DATA, storage, section, offset, length), ==, 0);
	while (done < length) {
		g_autoptr(GBytes) blob = x_read(fx);
		g_assert_cmpuint(g_bytes_get_size(blob), >, 4);
		g_assert_cmpuint(g_bytes_get_size(blob), <=, length - done);
		memcpy(buf + done, g_bytes_get_data(blob, NULL), g_bytes_get_size(blob));
		done += g_bytes_get_size(blob);
		x_send_u32(fx, 0);
		g_assert_cmphex(x_status(fx), ==, 0);
	}
	g_assert_cmphex(x_status(fx), ==, 0);
	return buf;
}

/* tests */

static void
ub_sim_mtk_handshake_func(void)
{
	Fixture fx = {0};
	fixture_start(&fx, "emmc:256M", NULL);
	fixture_session(&fx);
	/* a wrong byte is answered with byte + 1 and the index reset */
	g_assert_cmpuint(host_byte(&fx, 0x42), ==, 0x43);
	g_assert_cmpuint(host_byte(&fx, 0xA0), ==, 0x5F);
	g_assert_cmpuint(host_byte(&fx, 0x50), ==, 0x51);
	/* a repeated 0xA0 mid-sequence restarts at index 1 without a reply */
	g_assert_cmpuint(host_byte(&fx, 0xA0), ==, 0x5F);
	{
		guint8 a0 = 0xA0;
		guint8 reply = 0;
		g_autoptr(GError) error = NULL;
		host_write(&fx, &a0, 1);
		g_assert_cmpint(ub_transport_read(fx.host, &reply, 1, 100, NULL, &error), <, 0);
		g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	}
	g_assert_cmpuint(host_byte(&fx, 0x0A), ==, 0xF5);
	g_assert_cmpuint(host_byte(&fx, 0x50), ==, 0xAF);
	g_assert_cmpuint(host_byte(&fx, 0x05), ==, 0xFA);
	/* a BROM: GET_BL_VER echoed, no READY */
	g_assert_cmpuint(host_byte(&fx, UB_MTK_BROM_CMD_GET_BL_VER), ==, 0xFE);
	g_assert_cmpuint(host_byte(&fx, UB_MTK_BROM_CMD_GET_VERSION), ==, 0x05);
	fixture_stop(&fx);
}

static void
ub_sim_mtk_preloader_func(void)
{
	Fixture fx = {0};
	guint8 buf[5] = {0};
	gint64 start;
	fixture_start(&fx, "emmc:256M", NULL);
	ub_sim_mtk_set_preloader_mode(UB_SIM_MTK(fx.sim), TRUE);
	ub_sim_mtk_set_handshake_window(UB_SIM_MTK(fx.sim), 400);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(UB_SIM_MTK(fx.sim)), ==, "preloader");

	/* READY until somebody talks; then the window passes and the phone boots on */
	start = g_get_monotonic_time();
	fixture_session(&fx);
	host_read(&fx, buf, sizeof(buf));
	g_assert_cmpmem(buf, 5, "READY", 5);
	{
		guint8 tmp[64];
		g_autoptr(GError) error = NULL;
		while (ub_transport_read(fx.host, tmp, sizeof(tmp), TEST_TIMEOUT, NULL, &error) >= 0)
			;
		g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	}
	g_assert_cmpint(g_get_monotonic_time() - start, >=, 350 * G_TIME_SPAN_MILLISECOND);
	fixture_join(&fx);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(UB_SIM_MTK(fx.sim)), ==, "preloader");

	/* caught in time: a preloader answers GET_BL_VER with its version and has caps */
	ub_sim_mtk_set_handshake_window(UB_SIM_MTK(fx.sim), 3000);
	fixture_session(&fx);
	host_read(&fx, buf, sizeof(buf));
	g_assert_cmpmem(buf, 5, "READY", 5);
	{
		guint8 tmp[64];
		/* the host drops the stale READY output first */
		while (ub_transport_read(fx.host, tmp, sizeof(tmp), 50, NULL, NULL) > 0)
			;
	}
	host_handshake(&fx);
	{
		guint8 tmp[64];
		while (ub_transport_read(fx.host, tmp, sizeof(tmp), 50, NULL, NULL) > 0)
			;
	}
	g_assert_cmpuint(host_byte(&fx, UB_MTK_BROM_CMD_GET_BL_VER), ==, 0x01);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_PL_CAP);
	g_assert_cmpuint(host_u32(&fx), ==, 7);
	g_assert_cmpuint(host_u32(&fx), ==, 0);
	/* the preloader set DRAM up: no INIT_EXT_RAM, no watchdog needed */
	host_send_da(&fx, 1001);
	host_jump_da(&fx);
	x_da1_setup(&fx);
	{
		g_autofree gchar *agent = x_devctrl_get_string(&fx, UB_MTK_XFLASH_CTRL_GET_CONNECTION_AGENT);
		g_assert_cmpstr(agent, ==, "preloader");
	}
	g_assert_cmphex(x_boot_to(&fx), ==, 0);
	fixture_stop(&fx);
}

static void
ub_sim_mtk_identify_func(void)
{
	Fixture fx = {0};
	guint32 len;
	guint8 id[32] = {0};
	fixture_start(&fx, "emmc:256M", NULL);
	ub_sim_mtk_set_target_config(UB_SIM_MTK(fx.sim), 0x1);
	fixture_session(&fx);
	host_handshake(&fx);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_HW_CODE);
	g_assert_cmphex(host_u16(&fx), ==, 0x0766);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_HW_SW_VER);
	g_assert_cmphex(host_u16(&fx), ==, 0x8A00);
	g_assert_cmphex(host_u16(&fx), ==, 0xCA00);
	g_assert_cmphex(host_u16(&fx), ==, 0x0000);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_TARGET_CONFIG);
	g_assert_cmphex(host_u32(&fx), ==, 0x1);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_ME_ID);
	len = host_u32(&fx);
	g_assert_cmpuint(len, ==, 16);
	host_read(&fx, id, len);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_SOC_ID);
	len = host_u32(&fx);
	g_assert_cmpuint(len, ==, 32);
	host_read(&fx, id, len);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	/* READ32 of what was written, and a refused count */
	host_disable_watchdog(&fx);
	host_cmd(&fx, UB_MTK_BROM_CMD_READ32);
	host_echo_u32(&fx, TEST_WDT_ADDR);
	host_echo_u32(&fx, 1);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	g_assert_cmphex(host_u32(&fx), ==, TEST_WDT_VALUE);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	host_cmd(&fx, UB_MTK_BROM_CMD_READ32);
	host_echo_u32(&fx, TEST_WDT_ADDR);
	host_echo_u32(&fx, 0);
	g_assert_cmphex(host_u16(&fx), ==, 0x1D02);
	/* a BROM does not know GET_PL_CAP: the echo is all */
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_PL_CAP);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_HW_CODE);
	g_assert_cmphex(host_u16(&fx), ==, 0x0766);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	fixture_stop(&fx);
}

static void
ub_sim_mtk_send_da_func(void)
{
	Fixture fx = {0};
	guint8 junk[4] = {1, 2, 3, 4};
	fixture_start(&fx, "emmc:256M", NULL);
	fixture_session(&fx);
	host_handshake(&fx);
	host_disable_watchdog(&fx);
	/* the wrong load address and length */
	g_assert_cmphex(host_send_da_start(&fx, 0x200000, 100, 0), ==, 0x7003);
	g_assert_cmphex(host_send_da_start(&fx, TEST_DA_ADDR, 0, 0), ==, 0x7004);
	g_assert_cmphex(host_send_da_start(&fx, TEST_DA_ADDR, 10, 11), ==, 0x7004);
	/* JUMP_DA without a DA */
	host_cmd(&fx, UB_MTK_BROM_CMD_JUMP_DA);
	host_echo_u32(&fx, TEST_DA_ADDR);
	g_assert_cmphex(host_u16(&fx), ==, 0x1D0F);
	/* an odd length: the checksum XORs the last byte alone */
	g_assert_cmphex(host_send_da_start(&fx, TEST_DA_ADDR, 3, 0), ==, 0);
	host_write(&fx, junk, 3);
	g_assert_cmphex(host_u16(&fx), ==, 0x0201 ^ 0x03);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	/* the jump to another address is refused */
	host_cmd(&fx, UB_MTK_BROM_CMD_JUMP_DA);
	host_echo_u32(&fx, 0x40000000);
	g_assert_cmphex(host_u16(&fx), ==, 0x1D0F);
	g_assert_false(ub_sim_mtk_get_da_running(UB_SIM_MTK(fx.sim)));
	host_jump_da(&fx);
	g_assert_true(ub_sim_mtk_get_da_running(UB_SIM_MTK(fx.sim)));
	fixture_stop(&fx);
}

static void
ub_sim_mtk_watchdog_func(void)
{
	Fixture fx = {0};
	guint8 byte = 0;
	g_autoptr(GError) error = NULL;
	fixture_start(&fx, "emmc:256M", NULL);
	fixture_session(&fx);
	host_handshake(&fx);
	/* the watchdog still runs: the BROM resets while the DA is coming */
	host_cmd(&fx, UB_MTK_BROM_CMD_SEND_DA);
	host_echo_u32(&fx, TEST_DA_ADDR);
	host_echo_u32(&fx, 100);
	host_echo_u32(&fx, 0);
	g_assert_cmpint(ub_transport_read(fx.host, &byte, 1, TEST_TIMEOUT, NULL, &error), <, 0);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	fixture_join(&fx);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(UB_SIM_MTK(fx.sim)), ==, "brom");
	fixture_stop(&fx);
}

static void
ub_sim_mtk_sla_func(void)
{
	Fixture fx = {0};
	guint8 auth[33] = {0};
	fixture_start(&fx, "emmc:256M", NULL);
	ub_sim_mtk_set_target_config(UB_SIM_MTK(fx.sim), 0x7);
	fixture_session(&fx);
	host_handshake(&fx);
	host_disable_watchdog(&fx);
	g_assert_cmphex(host_send_da_start(&fx, TEST_DA_ADDR, 100, 0), ==, 0x1D0D);
	/* an empty auth file is refused, a real one accepted */
	host_cmd(&fx, UB_MTK_BROM_CMD_SEND_AUTH);
	host_echo_u32(&fx, 0);
	g_assert_cmphex(host_u16(&fx), ==, 0x7004);
	memset(auth, 0x41, sizeof(auth));
	host_cmd(&fx, UB_MTK_BROM_CMD_SEND_AUTH);
	host_echo_u32(&fx, sizeof(auth));
	g_assert_cmphex(host_u16(&fx), ==, 0);
	host_write(&fx, auth, sizeof(auth));
	g_assert_cmphex(host_u16(&fx), ==, ub_mtk_da_checksum(auth, sizeof(auth)));
	g_assert_cmphex(host_u16(&fx), ==, 0);
	/* DAA: a DA without a signature fails after the upload */
	g_assert_cmphex(host_send_da_start(&fx, TEST_DA_ADDR, 4, 0), ==, 0);
	host_write(&fx, auth, 4);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	g_assert_cmphex(host_u16(&fx), ==, 0x7024);
	host_send_da(&fx, 600);
	host_jump_da(&fx);
	fixture_stop(&fx);
}

static void
ub_sim_mtk_da_func(void)
{
	Fixture fx = {0};
	g_autoptr(GBytes) info = NULL;
	g_autoptr(GBytes) plen = NULL;
	g_autoptr(GBytes) chip = NULL;
	g_autofree guint8 *data = g_malloc(0x180000);
	g_autofree guint8 *back = NULL;
	g_autofree gchar *speed = NULL;
	guint8 zero[512] = {0};
	guint8 bad[UB_MTK_XFLASH_HEADER_LEN] = {0};
	const guint8 *buf;

	fixture_start(&fx, "emmc:256M", NULL);
	fixture_session(&fx);
	host_handshake(&fx);
	host_disable_watchdog(&fx);
	host_send_da(&fx, 3000);
	host_jump_da(&fx);
	x_da1_setup(&fx);
	/* DA1 knows no flash commands */
	x_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 0xC0010003);
	/* from the BROM DA2 needs DRAM: INIT_EXT_RAM first */
	g_assert_cmphex(x_boot_to(&fx), ==, 0xC0050005);
	x_cmd(&fx, UB_MTK_XFLASH_CMD_INIT_EXT_RAM, 0);
	x_send_u32(&fx, 0);
	g_assert_cmphex(x_status(&fx), ==, 0xC0030018);
	x_init_ext_ram(&fx);
	g_assert_cmphex(x_boot_to(&fx), ==, 0);

	/* getters */
	info = x_devctrl_get(&fx, UB_MTK_XFLASH_CTRL_GET_EMMC_INFO);
	buf = g_bytes_get_data(info, NULL);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 0), ==, 1);
	g_assert_cmpuint(ub_mem_read_u64_le(buf, 8), ==, 4 * 1024 * 1024);
	g_assert_cmpuint(ub_mem_read_u64_le(buf, 64), ==, 256 * 1024 * 1024);
	g_clear_pointer(&info, g_bytes_unref);
	info = x_devctrl_get(&fx, UB_MTK_XFLASH_CTRL_GET_UFS_INFO);
	g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(info, NULL), 0), ==, 0);
	plen = x_devctrl_get(&fx, UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH);
	g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(plen, NULL), 0), ==, 0x100000);
	g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(plen, NULL), 4), ==, 0x100000);
	chip = x_devctrl_get(&fx, UB_MTK_XFLASH_CTRL_GET_CHIP_ID);
	g_assert_cmphex(ub_mem_read_u16_le(g_bytes_get_data(chip, NULL), 0), ==, 0x6765);
	speed = x_devctrl_get_string(&fx, UB_MTK_XFLASH_CTRL_GET_USB_SPEED);
	g_assert_cmpstr(speed, ==, "high-speed");
	/* an unknown control code, an unknown command, a bad magic, a command of 8 bytes */
	x_cmd(&fx, UB_MTK_XFLASH_CMD_DEVICE_CTRL, 0);
	x_cmd(&fx, 0x04FFFF, 0xC0010004);
	x_cmd(&fx, 0x0100FF, 0xC0010003);
	ub_mem_write_u32_le(bad, 0, 0xFEEEEEEE);
	host_write(&fx, bad, sizeof(bad));
	g_assert_cmphex(x_status(&fx), ==, 0xC0010005);
	x_send(&fx, zero, 8);
	g_assert_cmphex(x_status(&fx), ==, 0xC0010005);

	/* round trip with checksum checking, across two chunks, to boot1+boot2 too */
	for (guint i = 0; i < 0x180000; i++)
		data[i] = (guint8)(i * 31 + (i >> 9));
	x_cmd(&fx, UB_MTK_XFLASH_CMD_DEVICE_CTRL, 0);
	x_cmd(&fx, UB_MTK_XFLASH_CTRL_SET_CHECKSUM_LEVEL, 0);
	x_send_u32(&fx, 1);
	g_assert_cmphex(x_status(&fx), ==, 0);
	x_write(&fx, 1, 8, 0x100000, data, 0x180000);
	back = x_read_data(&fx, 1, 8, 0x100000, 0x180000);
	g_assert_cmpmem(back, 0x180000, data, 0x180000);
	g_clear_pointer(&back, g_free);
	x_write(&fx, 1, UB_MTK_SECTION_EMMC_BOOT1_BOOT2, 0, data, 4096);
	back = x_read_data(&fx, 1, UB_MTK_SECTION_EMMC_BOOT2, 0, 4096);
	g_assert_cmpmem(back, 4096, data, 4096);
	g_clear_pointer(&back, g_free);
	g_assert_cmpuint(ub_sim_mtk_get_write_count(UB_SIM_MTK(fx.sim)), ==, 2);

	/* a chunk with a wrong checksum */
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_WRITE_DATA, 1, 8, 0, 512), ==, 0);
	x_send_u32(&fx, 0);
	x_send_u32(&fx, 0x1234);
	x_send(&fx, data, 512);
	g_assert_cmphex(x_status(&fx), ==, 0xC0040003);

	/* refusals: alignment, range, section, storage type */
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 1, 8, 100, 512), ==, 0xC0030007);
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 1, 8, 0, 500), ==, 0xC0030007);
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 1, 8, 0, 0), ==, 0xC0030007);
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 1, 8, 256 * 1024 * 1024 - 512, 1024),
			==,
			0xC004000B);
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_WRITE_DATA, 1, 1, 4 * 1024 * 1024, 512),
			==,
			0xC004000B);
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 1, 9, 0, 512), ==, 0xC003000C);
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 0x30, 3, 0, 512), ==, 0xC0030006);

	/* format with progress, then the range reads as zeros */
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_FORMAT, 1, 8, 0x100000, 0x80000), ==, 0);
	for (guint step = 1; step <= 4; step++) {
		g_assert_cmphex(x_status(&fx), ==, UB_MTK_XFLASH_STATUS_CONTINUE);
		g_assert_cmpuint(x_status(&fx), ==, step * 25);
		x_send_u32(&fx, 0);
	}
	g_assert_cmphex(x_status(&fx), ==, UB_MTK_XFLASH_STATUS_COMPLETE);
	back = x_read_data(&fx, 1, 8, 0x100000, 0x80000);
	for (guint i = 0; i < 0x80000; i++)
		g_assert_cmpuint(back[i], ==, 0);
	g_clear_pointer(&back, g_free);
	back = x_read_data(&fx, 1, 8, 0x180000, 512);
	g_assert_cmpmem(back, 512, data + 0x80000, 512);

	/* shutdown: the session ends and the next phone is fresh */
	{
		guint8 param[32] = {0};
		x_cmd(&fx, UB_MTK_XFLASH_CMD_SHUTDOWN, 0);
		x_send(&fx, param, sizeof(param));
		g_assert_cmphex(x_status(&fx), ==, 0);
	}
	fixture_join(&fx);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(UB_SIM_MTK(fx.sim)), ==, "brom");
	fixture_stop(&fx);
}

static void
ub_sim_mtk_switch_func(void)
{
	g_autofree gchar *tmpdir = NULL;
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbTransport) host2 = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *speed = NULL;
	g_autofree gchar *cmd = NULL;
	g_autofree guint8 *back = NULL;
	guint8 data[1024] = {0};
	Fixture fx = {0};

	tmpdir = g_dir_make_tmp("ub-sim-mtk-XXXXXX", &error);
	g_assert_no_error(error);
	storage = ub_sim_storage_open(tmpdir, "emmc:256M", &error);
	g_assert_no_error(error);
	phone = ub_sim_phone_new("mtk", storage, NULL, &error);
	g_assert_no_error(error);
	fx.sim = ub_sim_phone_get_personality(phone);
	ub_sim_mtk_set_full_speed(UB_SIM_MTK(fx.sim), TRUE);
	ub_memory_transport_new_pair(64, &fx.host, &fx.dev);
	g_assert_true(ub_sim_phone_start(phone, fx.dev, &error));
	g_assert_no_error(error);

	host_bring_up(&fx);
	speed = x_devctrl_get_string(&fx, UB_MTK_XFLASH_CTRL_GET_USB_SPEED);
	g_assert_cmpstr(speed, ==, "full-speed");
	memset(data, 0x77, sizeof(data));
	x_write(&fx, 1, 8, 0x200000, data, sizeof(data));
	/* a wrong id is refused; the right one ends the session */
	x_cmd(&fx, UB_MTK_XFLASH_CMD_SWITCH_USB_SPEED, 0);
	x_send_u32(&fx, 0x0E8D2000);
	g_assert_cmphex(x_status(&fx), ==, 0xC0030007);
	x_cmd(&fx, UB_MTK_XFLASH_CMD_SWITCH_USB_SPEED, 0);
	x_send_u32(&fx, 0x0E8D2001);
	g_assert_cmphex(x_status(&fx), ==, 0);

	/* back as 0e8d:2001: no handshake, the DA remembers everything */
	host2 = ub_sim_phone_wait_reconnect(phone, TEST_TIMEOUT, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(host2);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(UB_SIM_MTK(fx.sim)), ==, "da");
	g_assert_cmpuint(ub_transport_get_max_packet_size(host2), ==, 512);
	g_clear_object(&fx.host);
	g_clear_object(&fx.dev);
	fx.host = g_object_ref(host2);
	g_clear_pointer(&speed, g_free);
	speed = x_devctrl_get_string(&fx, UB_MTK_XFLASH_CTRL_GET_USB_SPEED);
	g_assert_cmpstr(speed, ==, "high-speed");
	back = x_read_data(&fx, 1, 8, 0x200000, sizeof(data));
	g_assert_cmpmem(back, sizeof(data), data, sizeof(data));
	g_clear_object(&fx.host);

	/* pulled out in DA mode the DA is still there; a shutdown ends it */
	ub_sim_phone_stop(phone);
	cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	g_assert_cmpint(system(cmd), ==, 0);
}

static void
ub_sim_mtk_faults_func(void)
{
	Fixture fx = {0};
	g_autofree guint8 *data = g_malloc(0x200000);
	guint8 byte = 0;

	/* commands: 1 WRITE32, 2 SEND_DA, 3 JUMP_DA, XFlash: 4 SETUP_ENVIRONMENT,
	 * 5 SETUP_HW_INIT_PARAMS, 6 DEVICE_CTRL, 7 INIT_EXT_RAM, 8 BOOT_TO, 9 READ_DATA */
	fixture_start(&fx, "emmc:256M", "nak=9");
	fixture_session(&fx);
	host_bring_up(&fx);
	memset(data, 0x5A, 0x200000);
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 1, 8, 0, 0x200000), ==, 0);
	{
		g_autoptr(GBytes) blob = x_read(&fx);
		g_assert_cmpuint(g_bytes_get_size(blob), ==, 0x100000);
	}
	x_send_u32(&fx, 0);
	g_assert_cmphex(x_status(&fx), ==, 0);
	/* the non-zero status mid-read */
	g_assert_cmphex(x_status(&fx), ==, 0xC0050007);
	fixture_stop(&fx);

	/* a wrong echo at the second BROM command */
	fixture_start(&fx, "emmc:256M", "nak=2");
	fixture_session(&fx);
	host_handshake(&fx);
	host_cmd(&fx, UB_MTK_BROM_CMD_GET_HW_CODE);
	g_assert_cmphex(host_u16(&fx), ==, 0x0766);
	g_assert_cmphex(host_u16(&fx), ==, 0);
	byte = host_byte(&fx, UB_MTK_BROM_CMD_GET_HW_CODE);
	g_assert_cmphex(byte, ==, UB_MTK_BROM_CMD_GET_HW_CODE + 1);
	fixture_stop(&fx);
}

static void
ub_sim_mtk_ufs_func(void)
{
	Fixture fx = {0};
	g_autoptr(GBytes) info = NULL;
	g_autoptr(GBytes) plinfo = NULL;
	g_autofree guint8 *back = NULL;
	g_autoptr(GError) error = NULL;
	guint8 data[8192] = {0};
	const guint8 *buf;

	/* MediaTek UFS needs the two boot LUs and the user LU */
	{
		UbSimStorageKind kind = UB_SIM_STORAGE_KIND_EMMC;
		guint n_luns = 0;
		guint64 size = 0;
		g_assert_false(ub_sim_storage_parse_geometry("ufs-mtk:2:64M", &kind, &n_luns, &size, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		g_assert_true(ub_sim_storage_parse_geometry("ufs-mtk:4:64M", &kind, &n_luns, &size, &error));
		g_assert_no_error(error);
		g_assert_cmpint(kind, ==, UB_SIM_STORAGE_KIND_UFS);
		g_assert_cmpuint(n_luns, ==, 4);
	}
	fixture_start(&fx, "ufs-mtk:3:128M", NULL);
	{
		g_autofree gchar *geometry = ub_sim_storage_get_geometry(fx.storage);
		g_assert_cmpstr(geometry, ==, "ufs-mtk:3:134217728");
	}
	g_assert_cmpuint(ub_sim_storage_get_region_size(fx.storage, "lun0"), ==, 4 * 1024 * 1024);
	g_assert_cmpuint(ub_sim_storage_get_region_size(fx.storage, "lun1"), ==, 4 * 1024 * 1024);
	g_assert_cmpuint(ub_sim_storage_get_region_size(fx.storage, "lun2"), ==, 128 * 1024 * 1024);
	/* the mtk layout in lun2, calibration partitions included */
	{
		g_autoptr(UbPartition) part = ub_sim_storage_find_partition(fx.storage, "nvram", &error);
		g_assert_no_error(error);
		g_assert_cmpstr(ub_partition_get_region(part), ==, "lun2");
	}
	{
		g_autofree gchar *layout = ub_sim_layout_get_applied(fx.storage);
		g_assert_cmpstr(layout, ==, "mtk");
	}
	fixture_session(&fx);
	host_bring_up(&fx);
	info = x_devctrl_get(&fx, UB_MTK_XFLASH_CTRL_GET_UFS_INFO);
	buf = g_bytes_get_data(info, NULL);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 0), ==, 1);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 4), ==, 4096);
	g_assert_cmpuint(ub_mem_read_u64_le(buf, 8), ==, 128 * 1024 * 1024);
	g_assert_cmpuint(ub_mem_read_u64_le(buf, 24), ==, 4 * 1024 * 1024);
	plinfo = x_devctrl_get(&fx, UB_MTK_XFLASH_CTRL_GET_EMMC_INFO);
	g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(plinfo, NULL), 0), ==, 0);
	memset(data, 0x3C, sizeof(data));
	x_write(&fx, UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU0, 0, data, sizeof(data));
	back = x_read_data(&fx, UB_MTK_STORAGE_UFS, UB_MTK_SECTION_UFS_LU0, 0, sizeof(data));
	g_assert_cmpmem(back, sizeof(data), data, sizeof(data));
	/* eMMC ids on a UFS phone */
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 1, 8, 0, 512), ==, 0xC0030006);
	/* UFS has no rpmb region in the simulator */
	g_assert_cmphex(x_data_cmd(&fx, UB_MTK_XFLASH_CMD_READ_DATA, 0x30, 4, 0, 512), ==, 0xC003000C);
	fixture_stop(&fx);
}

static void
ub_sim_mtk_env_func(void)
{
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-sim-mtk-XXXXXX", NULL);
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(tmpdir, "emmc:64M", NULL);
	g_autoptr(UbSimMtk) sim = ub_sim_mtk_new(storage, NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

	g_setenv(UB_SIM_MTK_ENV_MODE, "preloader", TRUE);
	g_setenv(UB_SIM_MTK_ENV_HW_CODE, "0x0707", TRUE);
	g_assert_true(ub_sim_mtk_configure_from_env(sim, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_sim_mtk_get_session_mode(sim), ==, "preloader");
	g_setenv(UB_SIM_MTK_ENV_MODE, "meta", TRUE);
	g_assert_false(ub_sim_mtk_configure_from_env(sim, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_unsetenv(UB_SIM_MTK_ENV_MODE);
	g_setenv(UB_SIM_MTK_ENV_HW_CODE, "0xBEEF", TRUE);
	g_assert_false(ub_sim_mtk_configure_from_env(sim, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_unsetenv(UB_SIM_MTK_ENV_HW_CODE);
	g_assert_cmpint(system(cmd), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/sim/mtk/handshake", ub_sim_mtk_handshake_func);
	g_test_add_func("/ub/sim/mtk/preloader", ub_sim_mtk_preloader_func);
	g_test_add_func("/ub/sim/mtk/identify", ub_sim_mtk_identify_func);
	g_test_add_func("/ub/sim/mtk/send-da", ub_sim_mtk_send_da_func);
	g_test_add_func("/ub/sim/mtk/watchdog", ub_sim_mtk_watchdog_func);
	g_test_add_func("/ub/sim/mtk/sla", ub_sim_mtk_sla_func);
	g_test_add_func("/ub/sim/mtk/da", ub_sim_mtk_da_func);
	g_test_add_func("/ub/sim/mtk/switch", ub_sim_mtk_switch_func);
	g_test_add_func("/ub/sim/mtk/faults", ub_sim_mtk_faults_func);
	g_test_add_func("/ub/sim/mtk/ufs", ub_sim_mtk_ufs_func);
	g_test_add_func("/ub/sim/mtk/env", ub_sim_mtk_env_func);
	return g_test_run();
}
