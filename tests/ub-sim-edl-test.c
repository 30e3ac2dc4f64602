/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "edl/ub-firehose-xml.h"
#include "edl/ub-sahara-proto.h"
#include "formats/ub-gpt.h"
#include "sim/ub-sim-edl.h"
#include "sim/ub-sim-storage.h"
#include "ub-core.h"
#include "ub-crc.h"
#include "ub-mem.h"
#include "ub-memory-transport.h"

/* the simulated 9008 phone driven by hand, packet by packet, as a host would */
typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPersonality *sim;
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	gsize mps;
	gboolean stream;
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

/* a new session: a new pair, as after a replug */
static void
fixture_session(Fixture *fx)
{
	ub_memory_transport_new_pair(fx->mps, &fx->host, &fx->dev);
	fx->thread = g_thread_new("sim", sim_thread_cb, fx);
}

static void
fixture_end_session(Fixture *fx)
{
	ub_transport_close(fx->host);
	g_thread_join(fx->thread);
	fx->thread = NULL;
	g_assert_no_error(fx->sim_error);
	g_assert_true(fx->sim_ret);
	g_clear_object(&fx->host);
	g_clear_object(&fx->dev);
}

static void
fixture_start(Fixture *fx, const gchar *geometry, guint version, const gchar *faults)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) sim_faults = ub_sim_faults_new_from_string(faults, &error);
	g_assert_no_error(error);
	fx->mps = fx->stream ? 0 : 512;
	fx->tmpdir = g_dir_make_tmp("ub-sim-edl-XXXXXX", &error);
	g_assert_no_error(error);
	fx->storage = ub_sim_storage_open(fx->tmpdir, geometry, &error);
	g_assert_no_error(error);
	fx->sim = ub_sim_edl_new(fx->storage, sim_faults);
	ub_sim_edl_set_sahara_version(UB_SIM_EDL(fx->sim), version);
	ub_sim_edl_set_serial(UB_SIM_EDL(fx->sim), 0xcafe1234);
	ub_sim_edl_set_hwid(UB_SIM_EDL(fx->sim), G_GUINT64_CONSTANT(0x001b80e100720023));
	fixture_session(fx);
}

static void
fixture_stop(Fixture *fx)
{
	if (fx->thread != NULL)
		fixture_end_session(fx);
	g_clear_object(&fx->sim);
	g_clear_object(&fx->storage);
	{
		g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", fx->tmpdir);
		g_assert_cmpint(system(cmd), ==, 0);
	}
	g_free(fx->tmpdir);
}

/* ------------------------------------------------------------ sahara host */

static void
host_write(Fixture *fx, const guint8 *buf, gsize bufsz)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_write(fx->host,
					 buf,
					 bufsz,
					 UB_TRANSPORT_WRITE_FLAG_NONE,
					 2000,
					 NULL,
					 &error));
	g_assert_no_error(error);
}

static void
host_send(Fixture *fx, const UbSaharaPacket *pkt)
{
	guint8 buf[0x40];
	gsize n = ub_sahara_packet_build(pkt, buf, sizeof(buf));
	g_assert_cmpuint(n, >, 0);
	host_write(fx, buf, n);
}

static gsize
host_read(Fixture *fx, guint8 *buf, gsize bufsz)
{
	g_autoptr(GError) error = NULL;
	gssize n;
	do {
		n = ub_transport_read(fx->host, buf, bufsz, 5000, NULL, &error);
		g_assert_no_error(error);
	} while (n == 0);
	return (gsize)n;
}

static void
host_recv(Fixture *fx, UbSaharaPacket *pkt)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[4096];
	gsize n = host_read(fx, buf, sizeof(buf));
	g_assert_true(ub_sahara_packet_parse(buf, n, pkt, &error));
	g_assert_no_error(error);
}

/* the phone says nothing within 200 ms */
static void
host_assert_silent(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[64];
	gssize n = ub_transport_read(fx->host, buf, sizeof(buf), 200, NULL, &error);
	g_assert_cmpint(n, ==, -1);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
}

static void
host_expect_eoi(Fixture *fx, guint32 status)
{
	UbSaharaPacket pkt = {0};
	host_recv(fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_END_OF_IMAGE);
	g_assert_cmpuint(pkt.image_id, ==, UB_SAHARA_IMAGE_ID_FIREHOSE);
	g_assert_cmphex(pkt.status, ==, status);
}

static void
host_hello(Fixture *fx, guint32 version, guint32 mode)
{
	UbSaharaPacket pkt = {0};
	UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_HELLO_RESP, .version = 2, .version_compatible = 1};
	host_recv(fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_HELLO);
	g_assert_cmpuint(pkt.version, ==, version);
	resp.mode = mode;
	host_send(fx, &resp);
}

/* a programmer: PT_NULL hash segment, then PT_LOADs of 100 and @big bytes */
static GByteArray *
test_elf(gboolean is_64, gsize big)
{
	GByteArray *elf = g_byte_array_new();
	guint ehsize = is_64 ? 64 : 52;
	guint phentsize = is_64 ? 56 : 32;
	const guint64 offsets[] = {0x1000, 0x2000, 0x3000};
	const guint64 sizes[] = {0x800, 100, big};
	const guint32 types[] = {0, 1, 1};

	g_byte_array_set_size(elf, (guint)(0x3000 + big));
	for (guint i = 0; i < elf->len; i++)
		elf->data[i] = (guint8)(i * 7 + 3);
	memset(elf->data, 0, ehsize + 3 * phentsize);
	memcpy(elf->data, "\177ELF", 4);
	elf->data[4] = is_64 ? 2 : 1;
	elf->data[5] = 1;
	elf->data[6] = 1;
	if (is_64) {
		ub_mem_write_u64_le(elf->data, 32, ehsize);
		ub_mem_write_u16_le(elf->data, 52, (guint16)ehsize);
		ub_mem_write_u16_le(elf->data, 54, (guint16)phentsize);
		ub_mem_write_u16_le(elf->data, 56, 3);
	} else {
		ub_mem_write_u32_le(elf->data, 28, ehsize);
		ub_mem_write_u16_le(elf->data, 40, (guint16)ehsize);
		ub_mem_write_u16_le(elf->data, 42, (guint16)phentsize);
		ub_mem_write_u16_le(elf->data, 44, 3);
	}
	for (guint i = 0; i < 3; i++) {
		gsize off = ehsize + i * phentsize;
		ub_mem_write_u32_le(elf->data, off, types[i]);
		if (is_64) {
			ub_mem_write_u64_le(elf->data, off + 8, offsets[i]);
			ub_mem_write_u64_le(elf->data, off + 32, sizes[i]);
		} else {
			ub_mem_write_u32_le(elf->data, off + 4, (guint32)offsets[i]);
			ub_mem_write_u32_le(elf->data, off + 16, (guint32)sizes[i]);
		}
	}
	return elf;
}

/* serves READ_DATA(64) until END_OF_IMAGE; returns the requests as "offset+len" */
static GPtrArray *
host_serve_image(Fixture *fx, GByteArray *elf, guint32 expect_cmd, guint32 *status)
{
	GPtrArray *requests = g_ptr_array_new_with_free_func(g_free);
	for (;;) {
		UbSaharaPacket pkt = {0};
		host_recv(fx, &pkt);
		if (pkt.cmd == UB_SAHARA_CMD_END_OF_IMAGE) {
			*status = pkt.status;
			return requests;
		}
		g_assert_cmpuint(pkt.cmd, ==, expect_cmd);
		g_assert_cmpuint(pkt.image_id, ==, UB_SAHARA_IMAGE_ID_FIREHOSE);
		g_assert_cmpuint(pkt.offset + pkt.data_len, <=, elf->len);
		g_ptr_array_add(requests,
				g_strdup_printf("%" G_GINT64_MODIFIER "x+%" G_GINT64_MODIFIER "x",
						pkt.offset,
						pkt.data_len));
		host_write(fx, elf->data + pkt.offset, (gsize)pkt.data_len);
	}
}

/* ---------------------------------------------------------- firehose host */

static void
host_xml(Fixture *fx, const gchar *tag, const gchar *attrs)
{
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	g_autofree gchar *doc = ub_firehose_xml_build_raw(tag, attrs, &len, &error);
	g_assert_no_error(error);
	host_write(fx, (const guint8 *)doc, len);
}

static UbFirehoseElement *
host_doc(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	g_autofree guint8 *buf = g_malloc(8192);
	gsize n = host_read(fx, buf, 8192);
	UbFirehoseElement *el = ub_firehose_xml_parse((const gchar *)buf, n, &error);
	g_assert_no_error(error);
	/* never a multiple of 512: no zero-length packet needed */
	g_assert_cmpuint(n % 512, !=, 0);
	return el;
}

/* reads up to the response; the logs before it are appended to @logs */
static UbFirehoseElement *
host_response(Fixture *fx, GPtrArray *logs)
{
	for (;;) {
		g_autoptr(UbFirehoseElement) el = host_doc(fx);
		if (g_strcmp0(el->tag, "log") == 0) {
			if (logs != NULL)
				g_ptr_array_add(logs, g_strdup(ub_firehose_element_get(el, "value")));
			continue;
		}
		g_assert_cmpstr(el->tag, ==, "response");
		return g_steal_pointer(&el);
	}
}

static void
host_expect(Fixture *fx, const gchar *value, const gchar *log)
{
	g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(UbFirehoseElement) el = host_response(fx, logs);
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, value);
	if (log != NULL) {
		g_assert_cmpuint(logs->len, >=, 1);
		g_assert_cmpstr(g_ptr_array_index(logs, logs->len - 1), ==, log);
	}
}

static void
host_upload(Fixture *fx)
{
	g_autoptr(GByteArray) elf = test_elf(FALSE, 10000);
	g_autoptr(GPtrArray) requests = NULL;
	UbSaharaPacket pkt = {0};
	UbSaharaPacket done = {.cmd = UB_SAHARA_CMD_DONE};
	guint32 status = 0xff;

	host_hello(fx, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	requests = host_serve_image(fx, elf, UB_SAHARA_CMD_READ_DATA, &status);
	g_assert_cmphex(status, ==, 0);
	host_send(fx, &done);
	host_recv(fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_DONE_RESP);
	g_assert_cmpuint(pkt.status, ==, 1);
	/* the banners, up to the end of the function list */
	for (;;) {
		g_autoptr(UbFirehoseElement) el = host_doc(fx);
		g_assert_cmpstr(el->tag, ==, "log");
		if (g_str_has_prefix(ub_firehose_element_get(el, "value"),
				     "INFO: End of supported functions"))
			break;
	}
}

static void
host_configure(Fixture *fx, const gchar *memory)
{
	g_autofree gchar *attrs =
	    g_strdup_printf("MemoryName=\"%s\" MaxPayloadSizeToTargetInBytes=\"1048576\" "
			    "Verbose=\"0\" ZlpAwareHost=\"1\" SkipStorageInit=\"0\"",
			    memory);
	host_xml(fx, "configure", attrs);
	host_expect(fx, "ACK", NULL);
}

/* ------------------------------------------------------------------ tests */

static void
ub_sim_edl_hello_func(void)
{
	/* the HELLO of https://github.com/bkerler/edl/issues/104 */
	const guint8 hello_v2[24] = {0x01, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00,
				     0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
				     0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	for (guint version = 1; version <= 3; version++) {
		Fixture fx = {0};
		guint8 buf[4096];
		gsize n;

		fixture_start(&fx, "emmc:64M", version, NULL);
		n = host_read(&fx, buf, sizeof(buf));
		g_assert_cmpuint(n, ==, 0x30);
		g_assert_cmpuint(ub_mem_read_u32_le(buf, 8), ==, version);
		g_assert_cmpuint(ub_mem_read_u32_le(buf, 12), ==, 1);
		g_assert_cmpuint(ub_mem_read_u32_le(buf, 16), ==, 0x400);
		g_assert_cmpuint(ub_mem_read_u32_le(buf, 20), ==, 0);
		for (guint i = 24; i < 0x30; i++)
			g_assert_cmpuint(buf[i], ==, 0);
		if (version == 2)
			g_assert_cmpmem(buf, 24, hello_v2, 24);
		/* once per session */
		host_assert_silent(&fx);
		fixture_stop(&fx);
	}
}

static void
host_execute(Fixture *fx, guint32 client_cmd, UbSaharaChipInfo *info)
{
	UbSaharaPacket exec = {.cmd = UB_SAHARA_CMD_EXECUTE, .client_cmd = client_cmd};
	UbSaharaPacket data = {.cmd = UB_SAHARA_CMD_EXECUTE_DATA, .client_cmd = client_cmd};
	UbSaharaPacket pkt = {0};
	guint8 buf[4096];
	gsize n;
	g_autoptr(GError) error = NULL;

	host_send(fx, &exec);
	host_recv(fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_EXECUTE_RESP);
	g_assert_cmpuint(pkt.client_cmd, ==, client_cmd);
	host_send(fx, &data);
	n = host_read(fx, buf, sizeof(buf));
	g_assert_cmpuint(n, ==, pkt.data_len);
	switch (client_cmd) {
	case UB_SAHARA_EXEC_SERIAL_NUM_READ:
		g_assert_cmpuint(n, ==, 4);
		info->serial = ub_mem_read_u32_le(buf, 0);
		info->has_serial = TRUE;
		break;
	case UB_SAHARA_EXEC_MSM_HW_ID_READ:
		g_assert_true(ub_sahara_chip_info_set_hwid(info, buf, n, &error));
		break;
	case UB_SAHARA_EXEC_OEM_PK_HASH_READ:
		g_assert_true(ub_sahara_chip_info_set_pk_hash(info, buf, n, &error));
		break;
	case UB_SAHARA_EXEC_CHIP_ID_V3_READ:
		g_assert_true(ub_sahara_chip_info_set_v3(info, buf, n, &error));
		break;
	default:
		g_assert_not_reached();
	}
	g_assert_no_error(error);
}

static void
host_execute_refused(Fixture *fx, guint32 client_cmd)
{
	UbSaharaPacket exec = {.cmd = UB_SAHARA_CMD_EXECUTE, .client_cmd = client_cmd};
	host_send(fx, &exec);
	host_expect_eoi(fx, 0x01);
}

static void
ub_sim_edl_command_mode_v2_func(void)
{
	Fixture fx = {0};
	UbSaharaChipInfo info = {0};
	UbSaharaPacket pkt = {0};
	UbSaharaPacket sw = {.cmd = UB_SAHARA_CMD_SWITCH_MODE, .mode = 0};
	g_autoptr(GError) error = NULL;

	fixture_start(&fx, "emmc:64M", 2, NULL);
	g_assert_true(ub_sim_edl_set_pk_hash(
	    UB_SIM_EDL(fx.sim),
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddee01",
	    &error));
	host_hello(&fx, 2, UB_SAHARA_MODE_COMMAND);
	host_recv(&fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_CMD_READY);
	host_execute(&fx, UB_SAHARA_EXEC_SERIAL_NUM_READ, &info);
	g_assert_cmphex(info.serial, ==, 0xcafe1234);
	host_execute(&fx, UB_SAHARA_EXEC_MSM_HW_ID_READ, &info);
	g_assert_cmphex(info.msm_id, ==, 0x001b80e1);
	g_assert_cmphex(info.oem_id, ==, 0x0072);
	g_assert_cmphex(info.model_id, ==, 0x0023);
	host_execute(&fx, UB_SAHARA_EXEC_OEM_PK_HASH_READ, &info);
	g_assert_cmpstr(info.pk_hash, ==, "00112233445566778899aabbccddeeff00112233445566778899aabbccddee01");
	/* the v3 item is not known to a v2 PBL; command mode goes on */
	host_execute_refused(&fx, UB_SAHARA_EXEC_CHIP_ID_V3_READ);
	host_execute(&fx, UB_SAHARA_EXEC_SERIAL_NUM_READ, &info);
	/* back to image transfer: a new HELLO */
	host_send(&fx, &sw);
	host_hello(&fx, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	host_recv(&fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_READ_DATA);
	g_assert_cmpuint(pkt.offset, ==, 0);
	g_assert_cmpuint(pkt.data_len, ==, 0x34);
	ub_sahara_chip_info_clear(&info);
	fixture_stop(&fx);
}

static void
ub_sim_edl_command_mode_v3_func(void)
{
	Fixture fx = {0};
	UbSaharaChipInfo info = {0};
	UbSaharaPacket pkt = {0};
	UbSaharaPacket reset = {.cmd = UB_SAHARA_CMD_RESET};

	fixture_start(&fx, "emmc:64M", 3, NULL);
	host_hello(&fx, 3, UB_SAHARA_MODE_COMMAND);
	host_recv(&fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_CMD_READY);
	host_execute_refused(&fx, UB_SAHARA_EXEC_MSM_HW_ID_READ);
	host_execute_refused(&fx, UB_SAHARA_EXEC_OEM_PK_HASH_READ);
	host_execute(&fx, UB_SAHARA_EXEC_CHIP_ID_V3_READ, &info);
	g_assert_cmphex(info.msm_id, ==, 0x001b80e1);
	/* @40 is 0 on this phone: the OEM id comes from @44 */
	g_assert_cmphex(info.oem_id, ==, 0x0072);
	g_assert_cmphex(info.model_id, ==, 0x0023);
	host_execute(&fx, UB_SAHARA_EXEC_SERIAL_NUM_READ, &info);
	g_assert_cmphex(info.serial, ==, 0xcafe1234);
	/* RESET ends the session */
	host_send(&fx, &reset);
	host_recv(&fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_RESET_RESP);
	g_thread_join(fx.thread);
	fx.thread = NULL;
	g_assert_true(fx.sim_ret);
	g_clear_object(&fx.host);
	g_clear_object(&fx.dev);
	/* the next session starts with a HELLO */
	fixture_session(&fx);
	host_hello(&fx, 3, UB_SAHARA_MODE_IMAGE_TX_PENDING);
	ub_sahara_chip_info_clear(&info);
	fixture_stop(&fx);
}

static void
ub_sim_edl_command_mode_v1_func(void)
{
	Fixture fx = {0};
	UbSaharaPacket pkt = {0};
	UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_HELLO_RESP, .version = 2, .version_compatible = 1};
	UbSaharaPacket reset = {.cmd = UB_SAHARA_CMD_RESET};

	fixture_start(&fx, "emmc:64M", 1, NULL);
	/* a version 1 PBL has no command mode */
	host_hello(&fx, 1, UB_SAHARA_MODE_COMMAND);
	host_expect_eoi(&fx, 0x18);
	/* dead: another HELLO_RESP gets nothing */
	host_send(&fx, &resp);
	host_assert_silent(&fx);
	/* but RESET is answered */
	host_send(&fx, &reset);
	host_recv(&fx, &pkt);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_RESET_RESP);
	fixture_stop(&fx);
}

static void
ub_sim_edl_hello_resp_bad_func(void)
{
	Fixture fx = {0};
	UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_HELLO_RESP, .version = 2, .version_compatible = 3};
	guint8 buf[0x30] = {0};

	/* the host needs a newer protocol than the PBL speaks */
	fixture_start(&fx, "emmc:64M", 2, NULL);
	host_read(&fx, buf, sizeof(buf));
	host_send(&fx, &resp);
	host_expect_eoi(&fx, 0x02);
	fixture_end_session(&fx);

	/* a HELLO_RESP that is too short */
	fixture_session(&fx);
	host_read(&fx, buf, sizeof(buf));
	ub_mem_write_u32_le(buf, 0, UB_SAHARA_CMD_HELLO_RESP);
	ub_mem_write_u32_le(buf, 4, 0x2c);
	host_write(&fx, buf, 0x2c);
	host_expect_eoi(&fx, 0x05);
	fixture_end_session(&fx);

	/* an unknown command */
	fixture_session(&fx);
	host_read(&fx, buf, sizeof(buf));
	ub_mem_write_u32_le(buf, 0, 0x55);
	ub_mem_write_u32_le(buf, 4, 8);
	host_write(&fx, buf, 8);
	host_expect_eoi(&fx, 0x01);
	fixture_stop(&fx);
}

static void
ub_sim_edl_upload_func(void)
{
	for (guint k = 0; k < 2; k++) {
		gboolean is_64 = k == 1;
		Fixture fx = {0};
		g_autoptr(GByteArray) elf = test_elf(is_64, 300000);
		g_autoptr(GPtrArray) requests = NULL;
		g_autofree gchar *joined = NULL;
		guint32 status = 0xff;
		UbSaharaPacket done = {.cmd = UB_SAHARA_CMD_DONE};
		UbSaharaPacket pkt = {0};
		g_autoptr(UbFirehoseElement) first = NULL;
		const gchar *expected32 =
		    "0+34 34+60 2000+64 3000+1000 4000+40000 44000+83e0";
		const gchar *expected64 =
		    "0+34 34+c 40+a8 2000+64 3000+1000 4000+40000 44000+83e0";

		fixture_start(&fx, "emmc:64M", 2, NULL);
		ub_sim_edl_set_read64(UB_SIM_EDL(fx.sim), is_64);
		host_hello(&fx, 2, UB_SAHARA_MODE_IMAGE_TX_PENDING);
		requests = host_serve_image(&fx,
					    elf,
					    is_64 ? UB_SAHARA_CMD_READ_DATA64 : UB_SAHARA_CMD_READ_DATA,
					    &status);
		g_assert_cmphex(status, ==, 0);
		g_ptr_array_add(requests, NULL);
		joined = g_strjoinv(" ", (gchar **)requests->pdata);
		/* header, program headers, then segments: 4 KiB first, then 256 KiB */
		g_assert_cmpstr(joined, ==, is_64 ? expected64 : expected32);
		g_assert_false(ub_sim_edl_get_firehose_running(UB_SIM_EDL(fx.sim)));
		host_send(&fx, &done);
		host_recv(&fx, &pkt);
		g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_DONE_RESP);
		g_assert_cmpuint(pkt.status, ==, 1);
		first = host_doc(&fx);
		g_assert_cmpstr(first->tag, ==, "log");
		g_assert_true(g_str_has_prefix(ub_firehose_element_get(first, "value"),
					       "INFO: Binary build date: "));
		fixture_stop(&fx);
	}
}

static void
ub_sim_edl_upload_bad_func(void)
{
	Fixture fx = {0};
	UbSaharaPacket pkt = {0};
	g_autoptr(GByteArray) elf = test_elf(FALSE, 100);
	guint8 junk[0x34];

	/* one byte short */
	fixture_start(&fx, "emmc:64M", 2, NULL);
	host_hello(&fx, 2, 0);
	host_recv(&fx, &pkt);
	g_assert_cmpuint(pkt.data_len, ==, 0x34);
	host_write(&fx, elf->data, 0x33);
	host_expect_eoi(&fx, 0x0b);
	/* the PBL is dead until the next session */
	host_write(&fx, elf->data, 0x34);
	host_assert_silent(&fx);
	fixture_end_session(&fx);

	/* one byte too many */
	fixture_session(&fx);
	host_hello(&fx, 2, 0);
	host_recv(&fx, &pkt);
	host_write(&fx, elf->data, 0x35);
	host_expect_eoi(&fx, 0x0a);
	fixture_end_session(&fx);

	/* not an ELF */
	fixture_session(&fx);
	host_hello(&fx, 2, 0);
	host_recv(&fx, &pkt);
	memset(junk, 0x5a, sizeof(junk));
	host_write(&fx, junk, sizeof(junk));
	host_expect_eoi(&fx, 0x14);
	fixture_end_session(&fx);

	/* something else than DONE after the image */
	fixture_session(&fx);
	host_hello(&fx, 2, 0);
	{
		guint32 status = 0xff;
		g_autoptr(GPtrArray) requests =
		    host_serve_image(&fx, elf, UB_SAHARA_CMD_READ_DATA, &status);
		UbSaharaPacket sw = {.cmd = UB_SAHARA_CMD_SWITCH_MODE, .mode = 0};
		g_assert_cmphex(status, ==, 0);
		host_send(&fx, &sw);
		host_expect_eoi(&fx, 0x01);
	}
	fixture_stop(&fx);
}

static void
ub_sim_edl_configure_func(void)
{
	Fixture fx = {0};
	g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(UbFirehoseElement) el = NULL;

	fixture_start(&fx, "emmc:64M", 2, NULL);
	ub_sim_edl_set_max_payload(UB_SIM_EDL(fx.sim), 65536);
	host_upload(&fx);

	/* before <configure> */
	host_xml(&fx, "read", "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"1\" "
			      "physical_partition_number=\"0\" start_sector=\"0\"");
	host_expect(&fx, "NAK", "ERROR: Storage not initialized, send <configure> before <read>");

	/* the wrong storage */
	host_xml(&fx, "configure", "MemoryName=\"ufs\" MaxPayloadSizeToTargetInBytes=\"65536\"");
	host_expect(&fx, "NAK", "ERROR: Failed to initialize (open whole lun) UFS Device slot 0 partition 0");

	/* too much: NAK with the maximum */
	host_xml(&fx, "configure", "MemoryName=\"emmc\" MaxPayloadSizeToTargetInBytes=\"1048576\"");
	el = host_response(&fx, logs);
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "NAK");
	g_assert_cmpstr(ub_firehose_element_get(el, "MaxPayloadSizeToTargetInBytes"), ==, "65536");
	g_assert_cmpstr(g_ptr_array_index(logs, logs->len - 1),
			==,
			"ERROR: Host's payload to target size is too large");
	g_clear_pointer(&el, ub_firehose_element_free);

	/* renegotiated */
	host_xml(&fx, "configure", "MemoryName=\"eMMC\" MaxPayloadSizeToTargetInBytes=\"65536\"");
	el = host_response(&fx, NULL);
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "ACK");
	g_assert_cmpstr(ub_firehose_element_get(el, "MemoryName"), ==, "eMMC");
	g_assert_cmpstr(ub_firehose_element_get(el, "MaxPayloadSizeToTargetInBytes"), ==, "65536");
	g_assert_cmpstr(ub_firehose_element_get(el, "MaxPayloadSizeToTargetInBytesSupported"), ==, "65536");
	g_assert_nonnull(ub_firehose_element_get(el, "MaxPayloadSizeFromTargetInBytes"));
	g_assert_cmpstr(ub_firehose_element_get(el, "MaxXMLSizeInBytes"), ==, "4096");
	g_assert_nonnull(ub_firehose_element_get(el, "TargetName"));
	g_assert_nonnull(ub_firehose_element_get(el, "Version"));

	/* unknown tags and broken XML */
	host_xml(&fx, "foo", "");
	host_expect(&fx, "NAK", "ERROR: Unrecognized tag 'foo'");
	host_write(&fx, (const guint8 *)"<data><nop></data>", 18);
	host_expect(&fx, "NAK", "ERROR: XML not formed correctly");
	host_write(&fx, (const guint8 *)"<data><nop /><nop /></data>", 27);
	host_expect(&fx, "NAK", "ERROR: XML not formed correctly");
	fixture_stop(&fx);
}

static void
host_program(Fixture *fx, const gchar *attrs, const guint8 *data, gsize len, gsize piece)
{
	host_xml(fx, "program", attrs);
	{
		g_autoptr(UbFirehoseElement) el = host_response(fx, NULL);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "ACK");
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "true");
	}
	for (gsize off = 0; off < len; off += piece) {
		g_autoptr(GError) error = NULL;
		g_assert_true(ub_transport_write(fx->host,
						 data + off,
						 MIN(piece, len - off),
						 UB_TRANSPORT_WRITE_FLAG_ZLP,
						 2000,
						 NULL,
						 &error));
		g_assert_no_error(error);
	}
	{
		g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(UbFirehoseElement) el = host_response(fx, logs);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "ACK");
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "false");
		/* a log before the final ACK */
		g_assert_cmpuint(logs->len, >=, 1);
	}
}

static GByteArray *
host_read_back(Fixture *fx, const gchar *attrs, gsize len)
{
	GByteArray *data = g_byte_array_new();
	host_xml(fx, "read", attrs);
	{
		g_autoptr(UbFirehoseElement) el = host_response(fx, NULL);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "ACK");
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "true");
	}
	while (data->len < len) {
		guint8 buf[65536];
		g_autoptr(GError) error = NULL;
		gssize n = ub_transport_read(fx->host, buf, sizeof(buf), 2000, NULL, &error);
		g_assert_no_error(error);
		g_byte_array_append(data, buf, (guint)n);
	}
	g_assert_cmpuint(data->len, ==, len);
	{
		g_autoptr(UbFirehoseElement) el = host_response(fx, NULL);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "ACK");
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "false");
	}
	return data;
}

static void
ub_sim_edl_program_read_func(void)
{
	Fixture fx = {0};
	guint8 data[64 * 512];
	guint8 disk[512];
	g_autoptr(GByteArray) back = NULL;
	guint64 user_sectors;
	g_autoptr(GError) error = NULL;

	fixture_start(&fx, "emmc:64M", 2, NULL);
	host_upload(&fx);
	host_configure(&fx, "emmc");
	user_sectors = ub_sim_storage_get_region_size(fx.storage, "user") / 512;
	for (guint i = 0; i < sizeof(data); i++)
		data[i] = (guint8)(i ^ (i >> 9));

	/* the last 64 sectors minus 40, by expression, in 8 KiB pieces */
	host_program(&fx,
		     "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"64\" "
		     "physical_partition_number=\"0\" start_sector=\"NUM_DISK_SECTORS-104.\" "
		     "filename=\"x.bin\" label=\"x\"",
		     data,
		     sizeof(data),
		     8192);
	g_assert_cmpuint(ub_sim_edl_get_program_count(UB_SIM_EDL(fx.sim)), ==, 1);
	g_assert_true(ub_sim_storage_read(fx.storage, "user", (user_sectors - 104) * 512 + 512 * 5,
					  disk, sizeof(disk), &error));
	g_assert_no_error(error);
	g_assert_cmpmem(disk, sizeof(disk), data + 512 * 5, 512);

	back = host_read_back(&fx,
			      "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"64\" "
			      "physical_partition_number=\"0\" start_sector=\"NUM_DISK_SECTORS-104\"",
			      sizeof(data));
	g_assert_cmpmem(back->data, back->len, data, sizeof(data));

	/* boot1 is physical partition 1 */
	host_program(&fx,
		     "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"2\" "
		     "physical_partition_number=\"1\" start_sector=\"0\"",
		     data,
		     1024,
		     1024);
	g_assert_true(ub_sim_storage_read(fx.storage, "boot1", 512, disk, sizeof(disk), &error));
	g_assert_cmpmem(disk, sizeof(disk), data + 512, 512);

	/* sha256 over what was written */
	{
		g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(UbFirehoseElement) el = NULL;
		g_autofree gchar *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, 1024);
		g_autofree gchar *want = g_strdup_printf("INFO: Digest %s", sha);
		host_xml(&fx,
			 "getsha256digest",
			 "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"2\" "
			 "physical_partition_number=\"1\" start_sector=\"0\"");
		el = host_response(&fx, logs);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "ACK");
		g_assert_cmpstr(g_ptr_array_index(logs, logs->len - 1), ==, want);
	}

	/* erase */
	host_xml(&fx,
		 "erase",
		 "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"2\" "
		 "physical_partition_number=\"1\" start_sector=\"0\"");
	host_expect(&fx, "ACK", NULL);
	g_assert_true(ub_sim_storage_read(fx.storage, "boot1", 512, disk, sizeof(disk), &error));
	for (guint i = 0; i < sizeof(disk); i++)
		g_assert_cmpuint(disk[i], ==, 0);
	fixture_stop(&fx);
}

static void
ub_sim_edl_patch_func(void)
{
	Fixture fx = {0};
	guint8 data[2 * 512];
	guint8 disk[512];
	g_autoptr(GError) error = NULL;
	guint64 user_sectors;

	fixture_start(&fx, "emmc:64M", 2, NULL);
	host_upload(&fx);
	host_configure(&fx, "emmc");
	user_sectors = ub_sim_storage_get_region_size(fx.storage, "user") / 512;
	for (guint i = 0; i < sizeof(data); i++)
		data[i] = (guint8)(i * 13);
	host_program(&fx,
		     "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"2\" "
		     "physical_partition_number=\"0\" start_sector=\"100\"",
		     data,
		     sizeof(data),
		     sizeof(data));

	/* a CRC of those two sectors, written at NUM_DISK_SECTORS-1 + 88 */
	host_xml(&fx,
		 "patch",
		 "SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"88\" filename=\"DISK\" "
		 "physical_partition_number=\"0\" size_in_bytes=\"4\" "
		 "start_sector=\"NUM_DISK_SECTORS-1.\" value=\"CRC32(100,1024)\" what=\"crc\"");
	host_expect(&fx, "ACK", NULL);
	g_assert_true(ub_sim_storage_read(fx.storage, "user", (user_sectors - 1) * 512, disk, 512, &error));
	g_assert_no_error(error);
	g_assert_cmphex(ub_mem_read_u32_le(disk, 88), ==, ub_crc32(data, sizeof(data)));

	/* a plain value, 8 bytes, and a host-file patch that is ignored */
	host_xml(&fx,
		 "patch",
		 "SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"DISK\" "
		 "physical_partition_number=\"0\" size_in_bytes=\"8\" "
		 "start_sector=\"100\" value=\"NUM_DISK_SECTORS-34.\" what=\"last lba\"");
	host_expect(&fx, "ACK", NULL);
	g_assert_true(ub_sim_storage_read(fx.storage, "user", 100 * 512, disk, 512, &error));
	g_assert_cmpuint(ub_mem_read_u64_le(disk, 0), ==, user_sectors - 34);
	g_assert_cmpmem(disk + 8, 504, data + 8, 504);
	host_xml(&fx,
		 "patch",
		 "SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"0\" filename=\"gpt_main0.bin\" "
		 "physical_partition_number=\"0\" size_in_bytes=\"8\" start_sector=\"100\" value=\"0\"");
	host_expect(&fx, "ACK", NULL);
	g_assert_true(ub_sim_storage_read(fx.storage, "user", 100 * 512, disk, 512, &error));
	g_assert_cmpuint(ub_mem_read_u64_le(disk, 0), ==, user_sectors - 34);
	fixture_stop(&fx);
}

static void
ub_sim_edl_refusals_func(void)
{
	Fixture fx = {0};
	guint8 data[4 * 512] = {0};

	fixture_start(&fx, "emmc:64M", 2, NULL);
	host_upload(&fx);
	host_configure(&fx, "emmc");

	/* a UFS flat build on an eMMC phone */
	host_xml(&fx,
		 "program",
		 "SECTOR_SIZE_IN_BYTES=\"4096\" num_partition_sectors=\"1\" "
		 "physical_partition_number=\"0\" start_sector=\"0\"");
	host_expect(&fx, "NAK", "ERROR: Attribute 'SECTOR_SIZE_IN_BYTES'=4096 must be equal to disk sector size 512");

	/* past the last physical partition */
	host_xml(&fx,
		 "read",
		 "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"1\" "
		 "physical_partition_number=\"6\" start_sector=\"0\"");
	host_expect(&fx, "NAK", "ERROR: Failed to open device, type:eMMC, slot:0, lun:6 error:3");

	/* past the end of the disk */
	host_xml(&fx,
		 "program",
		 "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"2\" "
		 "physical_partition_number=\"0\" start_sector=\"NUM_DISK_SECTORS-1\"");
	{
		g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(UbFirehoseElement) el = host_response(&fx, logs);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "NAK");
		g_assert_null(ub_firehose_element_get(el, "rawmode"));
		g_assert_true(g_str_has_prefix(g_ptr_array_index(logs, logs->len - 1),
					       "ERROR: range out of bounds: lun=0, start_sector="));
	}

	/* raw data that is not whole sectors: the programmer's error, then a desync */
	host_xml(&fx,
		 "program",
		 "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"4\" "
		 "physical_partition_number=\"0\" start_sector=\"10\"");
	{
		g_autoptr(UbFirehoseElement) el = host_response(&fx, NULL);
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "true");
	}
	host_write(&fx, data, 700);
	{
		g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(UbFirehoseElement) el = host_response(&fx, logs);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "NAK");
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "false");
		g_assert_cmpstr(g_ptr_array_index(logs, logs->len - 1),
				==,
				"ERROR: Read non multiple sector size value from USB 700 sectsize512");
	}
	/* the rest of the host's data now arrives as commands */
	host_write(&fx, data + 700, sizeof(data) - 700);
	host_expect(&fx, "NAK", "ERROR: XML not formed correctly");
	g_assert_cmpuint(ub_sim_edl_get_program_count(UB_SIM_EDL(fx.sim)), ==, 0);

	/* a piece larger than the negotiated payload */
	ub_sim_edl_set_max_payload(UB_SIM_EDL(fx.sim), 4096);
	host_xml(&fx, "configure", "MemoryName=\"emmc\" MaxPayloadSizeToTargetInBytes=\"4096\"");
	host_expect(&fx, "ACK", NULL);
	{
		g_autofree guint8 *big = g_malloc0(16 * 512);
		host_xml(&fx,
			 "program",
			 "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"16\" "
			 "physical_partition_number=\"0\" start_sector=\"10\"");
		g_autoptr(UbFirehoseElement) el = host_response(&fx, NULL);
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "true");
		host_write(&fx, big, 16 * 512);
	}
	{
		g_autoptr(UbFirehoseElement) el = host_response(&fx, NULL);
		g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "NAK");
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "false");
	}
	fixture_stop(&fx);
}

static void
ub_sim_edl_ufs_func(void)
{
	Fixture fx = {0};
	g_autoptr(GPtrArray) logs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(UbFirehoseElement) el = NULL;
	g_autoptr(UbFirehoseElement) after = NULL;
	guint64 lun4_blocks;
	g_autofree gchar *want = NULL;

	fixture_start(&fx, "ufs:6:16M", 2, NULL);
	host_upload(&fx);
	/* an eMMC configure on a UFS phone */
	host_xml(&fx, "configure", "MemoryName=\"eMMC\" MaxPayloadSizeToTargetInBytes=\"1048576\"");
	host_expect(&fx, "NAK", "ERROR: Failed to open the SDCC Device slot 0 partition 0");
	host_configure(&fx, "ufs");

	host_xml(&fx, "getstorageinfo", "physical_partition_number=\"4\"");
	el = host_response(&fx, logs);
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "ACK");
	lun4_blocks = ub_sim_storage_get_region_size(fx.storage, "lun4") / 4096;
	want = g_strdup_printf("INFO: {\"storage_info\": {\"total_blocks\":%" G_GUINT64_FORMAT
			       ", \"block_size\":4096, \"page_size\":4096, \"num_physical\":6, "
			       "\"mem_type\":\"UFS\", \"prod_name\":\"SIMUFS-9008\"}}",
			       lun4_blocks);
	g_assert_cmpstr(g_ptr_array_index(logs, logs->len - 1), ==, want);
	/* a log after the response */
	after = host_doc(&fx);
	g_assert_cmpstr(after->tag, ==, "log");

	host_xml(&fx, "getstorageinfo", "physical_partition_number=\"6\"");
	host_expect(&fx, "NAK", "ERROR: Failed to open device, type:UFS, slot:0, lun:6 error:3");

	/* the qcom layout: calibration partitions on LUN 4, slot a active */
	{
		g_autoptr(UbPartition) part = NULL;
		g_autoptr(GError) error = NULL;
		part = ub_sim_storage_find_partition(fx.storage, "modemst1", &error);
		g_assert_no_error(error);
		g_assert_nonnull(part);
		g_clear_object(&part);
		part = ub_sim_storage_find_partition(fx.storage, "xbl_b", &error);
		g_assert_no_error(error);
		g_clear_object(&part);
		part = ub_sim_storage_find_partition(fx.storage, "fsg", &error);
		g_assert_no_error(error);
	}
	/* the boot LUNs: the storage lists xbl_a too, and their GPT is valid */
	{
		g_autofree guint8 *buf = g_malloc(6 * 4096);
		g_autoptr(GError) error = NULL;
		g_autoptr(UbGpt) gpt = NULL;
		const UbGptEntry *entry;
		g_assert_true(ub_sim_storage_read(fx.storage, "lun1", 0, buf, 6 * 4096, &error));
		gpt = ub_gpt_parse(buf, 6 * 4096, 4096, &error);
		g_assert_no_error(error);
		g_assert_nonnull(ub_gpt_find_entry(gpt, "xbl_a"));
		g_assert_true(ub_gpt_validate(gpt,
					      ub_sim_storage_get_region_size(fx.storage, "lun1") / 4096,
					      &error));
		g_assert_cmpuint(ub_sim_storage_get_region_size(fx.storage, "lun1"),
				 ==,
				 MIN((guint64)16 * 1024 * 1024, (guint64)UB_SIM_STORAGE_UFS_BOOT_LUN_SIZE));
		g_assert_no_error(error);
		/* slot a active, b not */
		g_assert_true(ub_sim_storage_read(fx.storage, "lun4", 0, buf, 6 * 4096, &error));
		g_clear_object(&gpt);
		gpt = ub_gpt_parse(buf, 6 * 4096, 4096, &error);
		g_assert_no_error(error);
		entry = ub_gpt_find_entry(gpt, "boot_a");
		g_assert_nonnull(entry);
		g_assert_true(ub_gpt_entry_get_ab_active(entry));
		entry = ub_gpt_find_entry(gpt, "boot_b");
		g_assert_nonnull(entry);
		g_assert_false(ub_gpt_entry_get_ab_active(entry));
		g_assert_nonnull(ub_gpt_find_entry(gpt, "modemst2"));
		g_assert_nonnull(ub_gpt_find_entry(gpt, "fsc"));
	}

	host_xml(&fx, "setbootablestoragedrive", "value=\"1\"");
	host_expect(&fx, "ACK", NULL);
	g_assert_cmpint(ub_sim_edl_get_bootable_lun(UB_SIM_EDL(fx.sim)), ==, 1);
	host_xml(&fx, "setbootablestoragedrive", "value=\"9\"");
	host_expect(&fx, "NAK", NULL);
	fixture_stop(&fx);
}

static void
ub_sim_edl_sessions_func(void)
{
	Fixture fx = {0};
	guint8 buf[0x30];

	fixture_start(&fx, "emmc:64M", 2, NULL);
	host_upload(&fx);
	host_configure(&fx, "emmc");
	fixture_end_session(&fx);
	g_assert_true(ub_sim_edl_get_firehose_running(UB_SIM_EDL(fx.sim)));

	/* the programmer is still running: no HELLO, XML at once */
	fixture_session(&fx);
	host_xml(&fx, "nop", "value=\"ping\"");
	host_expect(&fx, "ACK", NULL);
	{
		/* nop logs after its answer */
		g_autoptr(UbFirehoseElement) el = host_doc(&fx);
		g_assert_cmpstr(el->tag, ==, "log");
	}
	host_xml(&fx, "power", "value=\"reset\" DelayInSeconds=\"10\"");
	host_expect(&fx, "ACK", NULL);
	g_thread_join(fx.thread);
	fx.thread = NULL;
	g_assert_true(fx.sim_ret);
	g_assert_cmpstr(ub_sim_edl_get_power_value(UB_SIM_EDL(fx.sim)), ==, "reset");
	g_assert_false(ub_sim_edl_get_firehose_running(UB_SIM_EDL(fx.sim)));
	g_clear_object(&fx.host);
	g_clear_object(&fx.dev);

	/* after the reset: the PBL again */
	fixture_session(&fx);
	g_assert_cmpuint(host_read(&fx, buf, sizeof(buf)), ==, 0x30);
	g_assert_cmpuint(ub_mem_read_u32_le(buf, 0), ==, UB_SAHARA_CMD_HELLO);
	fixture_stop(&fx);
}

static void
ub_sim_edl_faults_func(void)
{
	Fixture fx = {0};

	/* the third Firehose command fails */
	fixture_start(&fx, "emmc:64M", 2, "nak=3");
	host_upload(&fx);
	host_configure(&fx, "emmc");
	host_xml(&fx, "nop", "");
	host_expect(&fx, "ACK", NULL);
	ub_firehose_element_free(host_doc(&fx));
	host_xml(&fx, "nop", "");
	host_expect(&fx, "NAK", "ERROR: simulated failure");
	host_xml(&fx, "nop", "");
	host_expect(&fx, "ACK", NULL);
	fixture_stop(&fx);
}

/* a stream (TCP, pty): documents split and glued */
static void
ub_sim_edl_stream_func(void)
{
	Fixture fx = {.stream = TRUE};
	const gchar *two = "<?xml version=\"1.0\" ?><data><nop /></data>"
			   "<?xml version=\"1.0\" ?><data><nop /></data>";
	guint8 data[3 * 512];
	guint8 disk[3 * 512];
	g_autoptr(GError) error = NULL;
	g_autofree gchar *prog = NULL;
	gsize len = 0;

	fixture_start(&fx, "emmc:64M", 2, NULL);
	host_upload(&fx);
	host_configure(&fx, "emmc");
	host_write(&fx, (const guint8 *)two, 20);
	host_write(&fx, (const guint8 *)two + 20, strlen(two) - 20);
	for (guint i = 0; i < 2; i++) {
		host_expect(&fx, "ACK", NULL);
		ub_firehose_element_free(host_doc(&fx));
	}
	/* a program with its data glued on and split in odd places */
	for (guint i = 0; i < sizeof(data); i++)
		data[i] = (guint8)(i * 3);
	prog = ub_firehose_xml_build_raw("program",
					 "SECTOR_SIZE_IN_BYTES=\"512\" num_partition_sectors=\"3\" "
					 "physical_partition_number=\"0\" start_sector=\"7\"",
					 &len,
					 &error);
	{
		g_autoptr(GByteArray) all = g_byte_array_new();
		g_byte_array_append(all, (const guint8 *)prog, (guint)len);
		g_byte_array_append(all, data, sizeof(data));
		host_write(&fx, all->data, len + 100);
		host_write(&fx, all->data + len + 100, 333);
		host_write(&fx, all->data + len + 433, all->len - len - 433);
	}
	{
		g_autoptr(UbFirehoseElement) el = host_response(&fx, NULL);
		g_assert_cmpstr(ub_firehose_element_get(el, "rawmode"), ==, "true");
	}
	host_expect(&fx, "ACK", NULL);
	g_assert_true(ub_sim_storage_read(fx.storage, "user", 7 * 512, disk, sizeof(disk), &error));
	g_assert_no_error(error);
	g_assert_cmpmem(disk, sizeof(disk), data, sizeof(data));
	fixture_stop(&fx);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/sim/edl/hello", ub_sim_edl_hello_func);
	g_test_add_func("/ub/sim/edl/command-mode-v1", ub_sim_edl_command_mode_v1_func);
	g_test_add_func("/ub/sim/edl/command-mode-v2", ub_sim_edl_command_mode_v2_func);
	g_test_add_func("/ub/sim/edl/command-mode-v3", ub_sim_edl_command_mode_v3_func);
	g_test_add_func("/ub/sim/edl/hello-resp-bad", ub_sim_edl_hello_resp_bad_func);
	g_test_add_func("/ub/sim/edl/upload", ub_sim_edl_upload_func);
	g_test_add_func("/ub/sim/edl/upload-bad", ub_sim_edl_upload_bad_func);
	g_test_add_func("/ub/sim/edl/configure", ub_sim_edl_configure_func);
	g_test_add_func("/ub/sim/edl/program-read", ub_sim_edl_program_read_func);
	g_test_add_func("/ub/sim/edl/patch", ub_sim_edl_patch_func);
	g_test_add_func("/ub/sim/edl/refusals", ub_sim_edl_refusals_func);
	g_test_add_func("/ub/sim/edl/ufs", ub_sim_edl_ufs_func);
	g_test_add_func("/ub/sim/edl/sessions", ub_sim_edl_sessions_func);
	g_test_add_func("/ub/sim/edl/faults", ub_sim_edl_faults_func);
	g_test_add_func("/ub/sim/edl/stream", ub_sim_edl_stream_func);
	return g_test_run();
}
