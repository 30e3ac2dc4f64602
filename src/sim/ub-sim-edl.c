/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "edl/ub-firehose-xml.h"
#include "edl/ub-sahara-proto.h"
#include "formats/ub-qcom-expr.h"
#include "formats/ub-qcom-patch.h"
#include "ub-mem.h"
#include "ub-sim-edl.h"
#include "ub-sim-layouts.h"

/*
 * The simulated 9008 phone (reference: edl.md a.2, a.3, a.6).
 *
 * PBL: one HELLO per session (a session is one host connection: a new memory
 * pair, TCP connection or pty client is a replug). HELLO_RESP is checked for
 * version and mode; mode 3 enters command mode (CMD_READY, EXECUTE,
 * EXECUTE_DATA, SWITCH_MODE), mode 0 loads the programmer: the ELF header,
 * then the program headers, then every PT_LOAD segment in pieces (4 KiB
 * first, then up to 256 KiB), each reply checked to be exactly the length
 * asked. Any error is an END_OF_IMAGE with the PBL's status, after which the
 * PBL is dead until the next session, as on a real phone. After END_OF_IMAGE
 * status 0 and DONE, DONE_RESP 1 starts the programmer.
 *
 * Programmer: startup logs, then one XML document per command. Its state
 * (running, configured, payload size) survives the end of a session, so the
 * next host finds it running without a HELLO; <power> ends that and the next
 * session is a PBL again. Raw data of <program> must come in whole sectors
 * no larger than the negotiated payload; anything else is the programmer's
 * "Read non multiple sector size value from USB" and raw mode is left, so the
 * rest of the host's data becomes garbage commands (the desync of a real
 * phone). On USB-like transports every transfer must be one whole document;
 * on streams (TCP, pty) documents are framed on `</data>`.
 *
 * Faults: every Firehose command is counted (Sahara packets are not); the
 * K-th gets a NAK with "ERROR: simulated failure".
 */

/* sahara */
#define UB_SIM_EDL_HELLO_MAX_LEN   0x400
#define UB_SIM_EDL_FIRST_PIECE	   0x1000
#define UB_SIM_EDL_PIECE	   0x40000
#define UB_SIM_EDL_MAX_IMAGE	   (64 * 1024 * 1024)
#define UB_SIM_EDL_ELF32_EHDR_SIZE 0x34
#define UB_SIM_EDL_ELF64_EHDR_SIZE 0x40
/* firehose */
#define UB_SIM_EDL_DEFAULT_PAYLOAD (1024 * 1024)
#define UB_SIM_EDL_WRITE_TIMEOUT   30000
#define UB_SIM_EDL_MAX_PATCH_SPAN  (64 * 1024 * 1024)
#define UB_SIM_EDL_DEFAULT_SERIAL  0x1234abcd
#define UB_SIM_EDL_DEFAULT_HWID	   G_GUINT64_CONSTANT(0x000a50e100510001)
#define UB_SIM_EDL_TARGET_NAME	   "8953"
#define UB_SIM_EDL_BUILD_DATE	   "INFO: Binary build date: Mar 11 2024 @ 10:12:08"

static const gchar *ub_sim_edl_functions[] = {
    "program",
    "read",
    "nop",
    "patch",
    "configure",
    "setbootablestoragedrive",
    "erase",
    "power",
    "firmwarewrite",
    "getstorageinfo",
    "benchmark",
    "emmc",
    "ufs",
    "fixgpt",
    "getsha256digest",
    "peek",
};

struct _UbSimEdl {
	UbSimPersonality parent_instance;
	/* configuration */
	guint sahara_version;
	guint32 serial;
	guint64 hwid;
	GByteArray *pk_hash;
	guint32 max_payload;
	gboolean read64;
	GError *env_error;
	/* programmer state, kept across sessions */
	gboolean firehose_running;
	gboolean configured;
	guint32 payload_to_target;
	guint program_count;
	gchar *power_value;
	gint bootable_lun;
	/* session */
	UbTransport *transport;
	GCancellable *cancellable;
	gboolean stream;
	gsize mps;
	UbFirehoseFramer *framer;
	gboolean session_end;
};

G_DEFINE_TYPE(UbSimEdl, ub_sim_edl, UB_TYPE_SIM_PERSONALITY)

/* what the Sahara part of a session ends with */
typedef enum {
	UB_SIM_EDL_SAHARA_FIREHOSE,
	UB_SIM_EDL_SAHARA_END,
} UbSimEdlSaharaResult;

static UbSimStorage *
ub_sim_edl_get_storage(UbSimEdl *self)
{
	return ub_sim_personality_get_storage(UB_SIM_PERSONALITY(self));
}

static gboolean
ub_sim_edl_is_ufs(UbSimEdl *self)
{
	return ub_sim_storage_get_kind(ub_sim_edl_get_storage(self)) == UB_SIM_STORAGE_KIND_UFS;
}

static gboolean
ub_sim_edl_write(UbSimEdl *self, const guint8 *buf, gsize bufsz, GError **error)
{
	/* a transfer ending on a packet boundary needs a zero-length packet */
	return ub_transport_write(self->transport,
				  buf,
				  bufsz,
				  UB_TRANSPORT_WRITE_FLAG_ZLP,
				  UB_SIM_EDL_WRITE_TIMEOUT,
				  self->cancellable,
				  error);
}

/* ---------------------------------------------------------------- sahara */

static gboolean
ub_sim_edl_sahara_send(UbSimEdl *self, const UbSaharaPacket *pkt, GError **error)
{
	guint8 buf[0x40];
	gsize n = ub_sahara_packet_build(pkt, buf, sizeof(buf));
	g_debug("sim < sahara %s", ub_sahara_cmd_to_string(pkt->cmd));
	return ub_sim_edl_write(self, buf, n, error);
}

static gboolean
ub_sim_edl_sahara_hello(UbSimEdl *self, guint32 mode, GError **error)
{
	UbSaharaPacket pkt = {
	    .cmd = UB_SAHARA_CMD_HELLO,
	    .version = self->sahara_version,
	    .version_compatible = 1,
	    .max_len = UB_SIM_EDL_HELLO_MAX_LEN,
	    .mode = mode,
	};
	return ub_sim_edl_sahara_send(self, &pkt, error);
}

static gboolean
ub_sim_edl_sahara_eoi(UbSimEdl *self, guint32 status, GError **error)
{
	UbSaharaPacket pkt = {
	    .cmd = UB_SAHARA_CMD_END_OF_IMAGE,
	    .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE,
	    .status = status,
	};
	if (status != UB_SAHARA_STATUS_SUCCESS)
		g_debug("sim: sahara END_OF_IMAGE %s", ub_sahara_status_to_string(status));
	return ub_sim_edl_sahara_send(self, &pkt, error);
}

/* one host packet: raw bytes in @buf, FALSE on a transport error;
 * *n = bytes of the packet (stream: as its length field says, capped) */
static gboolean
ub_sim_edl_sahara_read(UbSimEdl *self, guint8 *buf, gsize bufsz, gsize *n, GError **error)
{
	if (!self->stream) {
		gssize ret = ub_transport_read(self->transport, buf, bufsz, 0, self->cancellable, error);
		if (ret < 0)
			return FALSE;
		*n = (gsize)ret;
		return TRUE;
	}
	/* a stream: the header says how much follows */
	if (!ub_transport_read_exact(self->transport, buf, 8, 0, self->cancellable, error))
		return FALSE;
	*n = ub_mem_read_u32_le(buf, 4);
	if (*n < 8 || *n > MIN(bufsz, (gsize)UB_SIM_EDL_HELLO_MAX_LEN)) {
		/* the rest cannot be framed; what was read is the packet */
		*n = 8;
		return TRUE;
	}
	return ub_transport_read_exact(self->transport, buf + 8, *n - 8, 0, self->cancellable, error);
}

/* reads one packet and decodes it; *status is the END_OF_IMAGE status when it is invalid */
static gboolean
ub_sim_edl_sahara_next(UbSimEdl *self, UbSaharaPacket *pkt, guint32 *status, GError **error)
{
	guint8 buf[4096];
	gsize n = 0;
	g_autoptr(GError) error_local = NULL;

	*status = UB_SAHARA_STATUS_SUCCESS;
	if (!ub_sim_edl_sahara_read(self, buf, sizeof(buf), &n, error))
		return FALSE;
	if (!ub_sahara_packet_parse(buf, n, pkt, &error_local)) {
		g_debug("sim: sahara: %s", error_local->message);
		if (n >= 8 && ub_sahara_packet_length_for_cmd(ub_mem_read_u32_le(buf, 0)) == 0)
			*status = 0x01; /* invalid command */
		else
			*status = 0x05; /* invalid packet size */
		return TRUE;
	}
	/* a version 1 PBL knows nothing past RESET_RESP */
	if (self->sahara_version < 2 && pkt->cmd > UB_SAHARA_CMD_RESET_RESP)
		*status = 0x01;
	g_debug("sim > sahara %s", ub_sahara_cmd_to_string(pkt->cmd));
	return TRUE;
}

/* the host's reply to a READ_DATA: exactly @len bytes; *status 0x0a/0x0b otherwise */
static gboolean
ub_sim_edl_sahara_read_reply(UbSimEdl *self,
			     guint8 *buf,
			     gsize len,
			     guint32 *status,
			     GError **error)
{
	gsize total = 0;
	g_autofree guint8 *tmp = NULL;
	gsize tmpsz;

	*status = UB_SAHARA_STATUS_SUCCESS;
	if (self->stream)
		return ub_transport_read_exact(self->transport, buf, len, 0, self->cancellable, error);

	/* USB: a transfer ends with a short packet; longer or shorter than asked is an error */
	tmpsz = len + MAX(self->mps, (gsize)512);
	tmp = g_malloc(tmpsz);
	for (;;) {
		gssize n = ub_transport_read(self->transport,
					     tmp + total,
					     tmpsz - total,
					     0,
					     self->cancellable,
					     error);
		if (n < 0)
			return FALSE;
		total += (gsize)n;
		if (total > len) {
			*status = 0x0a; /* invalid tx length: the host sent too much */
			return TRUE;
		}
		if (total == len)
			break;
		if (n == 0 || self->mps == 0 || (gsize)n % self->mps != 0) {
			*status = 0x0b; /* invalid rx length: the transfer ended short */
			return TRUE;
		}
	}
	memcpy(buf, tmp, len);
	return TRUE;
}

/* asks for @len bytes at @offset of the programmer and stores them in @image */
static gboolean
ub_sim_edl_sahara_request(UbSimEdl *self,
			  GByteArray *image,
			  guint64 offset,
			  gsize len,
			  guint32 *status,
			  GError **error)
{
	UbSaharaPacket pkt = {
	    .cmd = self->read64 ? UB_SAHARA_CMD_READ_DATA64 : UB_SAHARA_CMD_READ_DATA,
	    .image_id = UB_SAHARA_IMAGE_ID_FIREHOSE,
	    .offset = offset,
	    .data_len = len,
	};
	if (offset + len > image->len)
		g_byte_array_set_size(image, (guint)(offset + len));
	if (!ub_sim_edl_sahara_send(self, &pkt, error))
		return FALSE;
	return ub_sim_edl_sahara_read_reply(self, image->data + offset, len, status, error);
}

/* loads the programmer; *status is the END_OF_IMAGE status */
static gboolean
ub_sim_edl_sahara_load(UbSimEdl *self, guint32 *status, GError **error)
{
	g_autoptr(GByteArray) image = g_byte_array_new();
	g_autoptr(GError) error_local = NULL;
	UbSaharaElfInfo info = {0};
	guint64 phdrs_end = 0;
	gsize ehsize = UB_SIM_EDL_ELF32_EHDR_SIZE;
	guint phentsize;
	guint phnum;

	/* the ELF header: the 32-bit part first, the rest when it is ELF64 */
	if (!ub_sim_edl_sahara_request(self, image, 0, ehsize, status, error) ||
	    *status != UB_SAHARA_STATUS_SUCCESS)
		return *status != UB_SAHARA_STATUS_SUCCESS;
	if (memcmp(image->data, "\177ELF", 4) != 0 || (image->data[4] != 1 && image->data[4] != 2)) {
		*status = 0x14; /* invalid ELF header */
		return TRUE;
	}
	if (image->data[4] == 2) {
		ehsize = UB_SIM_EDL_ELF64_EHDR_SIZE;
		if (!ub_sim_edl_sahara_request(self,
					       image,
					       UB_SIM_EDL_ELF32_EHDR_SIZE,
					       ehsize - UB_SIM_EDL_ELF32_EHDR_SIZE,
					       status,
					       error) ||
		    *status != UB_SAHARA_STATUS_SUCCESS)
			return *status != UB_SAHARA_STATUS_SUCCESS;
	}
	phentsize = ub_mem_read_u16_le(image->data, ehsize == 0x40 ? 54 : 42);
	phnum = ub_mem_read_u16_le(image->data, ehsize == 0x40 ? 56 : 44);
	if (phnum == 0 || phnum > 128) {
		*status = 0x0e; /* unsupported number of program headers */
		return TRUE;
	}
	if (phentsize != (ehsize == 0x40 ? 56u : 32u)) {
		*status = 0x0f; /* invalid program header size */
		return TRUE;
	}
	if (!ub_sahara_elf_get_phdrs_end(image->data, image->len, &phdrs_end, &error_local) ||
	    phdrs_end > UB_SIM_EDL_MAX_IMAGE) {
		g_debug("sim: %s", error_local != NULL ? error_local->message : "phdrs too far");
		*status = 0x14;
		return TRUE;
	}

	/* the program headers */
	{
		guint64 phoff = phdrs_end - (guint64)phnum * phentsize;
		if (!ub_sim_edl_sahara_request(self,
					       image,
					       phoff,
					       (gsize)(phdrs_end - phoff),
					       status,
					       error) ||
		    *status != UB_SAHARA_STATUS_SUCCESS)
			return *status != UB_SAHARA_STATUS_SUCCESS;
	}
	if (!ub_sahara_elf_check(image->data, image->len, &info, &error_local)) {
		g_debug("sim: %s", error_local->message);
		*status = 0x14;
		return TRUE;
	}
	if (info.image_size > UB_SIM_EDL_MAX_IMAGE) {
		*status = 0x08; /* invalid data size */
		return TRUE;
	}

	/* the segments, in pieces like a PBL */
	for (guint i = 0; i < info.n_segments; i++) {
		guint64 offset = 0;
		guint64 size = 0;
		guint64 done = 0;
		if (!ub_sahara_elf_get_segment(image->data,
					       image->len,
					       i,
					       &offset,
					       &size,
					       error))
			return FALSE;
		while (done < size) {
			gsize piece = done == 0 ? UB_SIM_EDL_FIRST_PIECE : UB_SIM_EDL_PIECE;
			piece = (gsize)MIN((guint64)piece, size - done);
			if (!ub_sim_edl_sahara_request(self,
						       image,
						       offset + done,
						       piece,
						       status,
						       error) ||
			    *status != UB_SAHARA_STATUS_SUCCESS)
				return *status != UB_SAHARA_STATUS_SUCCESS;
			done += piece;
		}
	}
	g_debug("sim: programmer loaded, %u segments, %" G_GUINT64_FORMAT " bytes",
		info.n_segments,
		info.image_size);
	*status = UB_SAHARA_STATUS_SUCCESS;
	return TRUE;
}

/* the reply data of one EXECUTE item, or %NULL when this PBL refuses it */
static GBytes *
ub_sim_edl_sahara_exec_data(UbSimEdl *self, guint32 client_cmd)
{
	switch (client_cmd) {
	case UB_SAHARA_EXEC_SERIAL_NUM_READ: {
		guint8 buf[4];
		ub_mem_write_u32_le(buf, 0, self->serial);
		return g_bytes_new(buf, sizeof(buf));
	}
	case UB_SAHARA_EXEC_MSM_HW_ID_READ: {
		guint8 buf[8];
		if (self->sahara_version >= 3)
			return NULL;
		ub_mem_write_u64_le(buf, 0, self->hwid);
		return g_bytes_new(buf, sizeof(buf));
	}
	case UB_SAHARA_EXEC_OEM_PK_HASH_READ: {
		/* once per root certificate, zero padded, as devices do */
		guint8 buf[128] = {0};
		gsize hlen = self->pk_hash->len;
		if (self->sahara_version >= 3)
			return NULL;
		memcpy(buf, self->pk_hash->data, hlen);
		memcpy(buf + hlen, self->pk_hash->data, hlen);
		return g_bytes_new(buf, hlen == 32 ? 96 : 128);
	}
	case UB_SAHARA_EXEC_CHIP_ID_V3_READ: {
		guint8 buf[64] = {0};
		if (self->sahara_version < 3)
			return NULL;
		ub_mem_write_u32_le(buf, 0, self->serial);
		ub_mem_write_u32_le(buf, 36, (guint32)(self->hwid >> 32));
		/* OEM id in the alternative place, @40 left 0 */
		ub_mem_write_u16_le(buf, 40, 0);
		ub_mem_write_u16_le(buf, 42, (guint16)(self->hwid & 0xffff));
		ub_mem_write_u16_le(buf, 44, (guint16)((self->hwid >> 16) & 0xffff));
		return g_bytes_new(buf, 48);
	}
	default:
		return NULL;
	}
}

/* the PBL after a failure: mute until the next session, except for RESET */
static gboolean
ub_sim_edl_sahara_dead(UbSimEdl *self, GError **error)
{
	for (;;) {
		guint8 buf[65536];
		UbSaharaPacket pkt = {0};
		gssize n = ub_transport_read(self->transport, buf, sizeof(buf), 0, self->cancellable, error);
		if (n < 0)
			return FALSE;
		if (!self->stream && ub_sahara_packet_parse(buf, (gsize)n, &pkt, NULL) &&
		    pkt.cmd == UB_SAHARA_CMD_RESET) {
			UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_RESET_RESP};
			return ub_sim_edl_sahara_send(self, &resp, error);
		}
		g_debug("sim: dead PBL ignores %" G_GSSIZE_FORMAT " bytes", n);
	}
}

typedef enum {
	UB_SIM_EDL_SAHARA_STATE_HELLO_RESP,
	UB_SIM_EDL_SAHARA_STATE_COMMAND,
	UB_SIM_EDL_SAHARA_STATE_EXECUTE_DATA,
	UB_SIM_EDL_SAHARA_STATE_DONE,
} UbSimEdlSaharaState;

/* a failure: END_OF_IMAGE with @status, then the PBL is dead */
static gboolean
ub_sim_edl_sahara_fail(UbSimEdl *self, guint32 status, GError **error)
{
	if (!ub_sim_edl_sahara_eoi(self, status, error))
		return FALSE;
	return ub_sim_edl_sahara_dead(self, error);
}

static gboolean
ub_sim_edl_sahara(UbSimEdl *self, UbSimEdlSaharaResult *result, GError **error)
{
	UbSimEdlSaharaState state = UB_SIM_EDL_SAHARA_STATE_HELLO_RESP;
	guint32 hello_mode = UB_SAHARA_MODE_IMAGE_TX_PENDING;
	guint32 exec_cmd = 0;
	g_autoptr(GBytes) exec_data = NULL;

	*result = UB_SIM_EDL_SAHARA_END;
	if (!ub_sim_edl_sahara_hello(self, hello_mode, error))
		return FALSE;
	for (;;) {
		UbSaharaPacket pkt = {0};
		guint32 status = 0;

		if (!ub_sim_edl_sahara_next(self, &pkt, &status, error))
			return FALSE;
		if (status != UB_SAHARA_STATUS_SUCCESS)
			return ub_sim_edl_sahara_fail(self, status, error);

		/* RESET is understood in every state */
		if (pkt.cmd == UB_SAHARA_CMD_RESET) {
			UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_RESET_RESP};
			return ub_sim_edl_sahara_send(self, &resp, error);
		}
		switch (state) {
		case UB_SIM_EDL_SAHARA_STATE_HELLO_RESP:
			if (pkt.cmd != UB_SAHARA_CMD_HELLO_RESP)
				return ub_sim_edl_sahara_fail(self, 0x01, error);
			/* the host must understand us and we must understand it */
			if (pkt.version < 1 || pkt.version_compatible > self->sahara_version)
				return ub_sim_edl_sahara_fail(self, 0x02, error);
			if (pkt.max_len != 0) /* the host's status */
				return ub_sim_edl_sahara_fail(self, 0x04, error);
			if (pkt.mode == UB_SAHARA_MODE_COMMAND && self->sahara_version >= 2) {
				UbSaharaPacket ready = {.cmd = UB_SAHARA_CMD_CMD_READY};
				if (!ub_sim_edl_sahara_send(self, &ready, error))
					return FALSE;
				state = UB_SIM_EDL_SAHARA_STATE_COMMAND;
				break;
			}
			if (pkt.mode != UB_SAHARA_MODE_IMAGE_TX_PENDING || pkt.mode != hello_mode)
				return ub_sim_edl_sahara_fail(self, 0x18, error);
			if (!ub_sim_edl_sahara_load(self, &status, error))
				return FALSE;
			if (status != UB_SAHARA_STATUS_SUCCESS)
				return ub_sim_edl_sahara_fail(self, status, error);
			if (!ub_sim_edl_sahara_eoi(self, UB_SAHARA_STATUS_SUCCESS, error))
				return FALSE;
			state = UB_SIM_EDL_SAHARA_STATE_DONE;
			break;
		case UB_SIM_EDL_SAHARA_STATE_COMMAND:
			if (pkt.cmd == UB_SAHARA_CMD_EXECUTE) {
				UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_EXECUTE_RESP};
				g_clear_pointer(&exec_data, g_bytes_unref);
				exec_data = ub_sim_edl_sahara_exec_data(self, pkt.client_cmd);
				if (exec_data == NULL) {
					/* refused, but command mode goes on */
					if (!ub_sim_edl_sahara_eoi(self, 0x01, error))
						return FALSE;
					break;
				}
				exec_cmd = pkt.client_cmd;
				resp.client_cmd = exec_cmd;
				resp.data_len = g_bytes_get_size(exec_data);
				if (!ub_sim_edl_sahara_send(self, &resp, error))
					return FALSE;
				state = UB_SIM_EDL_SAHARA_STATE_EXECUTE_DATA;
				break;
			}
			if (pkt.cmd == UB_SAHARA_CMD_SWITCH_MODE) {
				if (pkt.mode != UB_SAHARA_MODE_IMAGE_TX_PENDING &&
				    pkt.mode != UB_SAHARA_MODE_COMMAND)
					return ub_sim_edl_sahara_fail(self, 0x1c, error);
				hello_mode = pkt.mode;
				if (!ub_sim_edl_sahara_hello(self, hello_mode, error))
					return FALSE;
				state = UB_SIM_EDL_SAHARA_STATE_HELLO_RESP;
				break;
			}
			return ub_sim_edl_sahara_fail(self, 0x01, error);
		case UB_SIM_EDL_SAHARA_STATE_EXECUTE_DATA:
			if (pkt.cmd != UB_SAHARA_CMD_EXECUTE_DATA || pkt.client_cmd != exec_cmd)
				return ub_sim_edl_sahara_fail(self, 0x20, error);
			if (!ub_sim_edl_write(self,
					      g_bytes_get_data(exec_data, NULL),
					      g_bytes_get_size(exec_data),
					      error))
				return FALSE;
			state = UB_SIM_EDL_SAHARA_STATE_COMMAND;
			break;
		case UB_SIM_EDL_SAHARA_STATE_DONE:
			if (pkt.cmd != UB_SAHARA_CMD_DONE)
				return ub_sim_edl_sahara_fail(self, 0x01, error);
			{
				UbSaharaPacket resp = {.cmd = UB_SAHARA_CMD_DONE_RESP, .status = 1};
				if (!ub_sim_edl_sahara_send(self, &resp, error))
					return FALSE;
			}
			*result = UB_SIM_EDL_SAHARA_FIREHOSE;
			return TRUE;
		default:
			g_assert_not_reached();
		}
	}
}

/* ---------------------------------------------------------------- firehose */

static gboolean
ub_sim_edl_fh_send(UbSimEdl *self, const gchar *tag, GPtrArray *names, GPtrArray *values, GError **error)
{
	gsize len = 0;
	g_autofree gchar *doc = NULL;

	g_ptr_array_add(names, NULL);
	g_ptr_array_add(values, NULL);
	doc = ub_firehose_xml_build(tag,
				    (const gchar *const *)names->pdata,
				    (const gchar *const *)values->pdata,
				    &len);
	g_ptr_array_remove_index(names, names->len - 1);
	g_ptr_array_remove_index(values, values->len - 1);
	g_debug("sim < %s", doc);
	return ub_sim_edl_write(self, (const guint8 *)doc, len, error);
}

static gboolean
ub_sim_edl_fh_log(UbSimEdl *self, const gchar *text, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GPtrArray) values = g_ptr_array_new();
	g_ptr_array_add(names, (gpointer) "value");
	g_ptr_array_add(values, (gpointer)text);
	return ub_sim_edl_fh_send(self, "log", names, values, error);
}

G_GNUC_PRINTF(3, 4)
static gboolean
ub_sim_edl_fh_logf(UbSimEdl *self, GError **error, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *text = NULL;
	va_start(args, fmt);
	text = g_strdup_vprintf(fmt, args);
	va_end(args);
	return ub_sim_edl_fh_log(self, text, error);
}

/* a response; @rawmode NULL for none; extra attributes as name, value, ..., NULL */
G_GNUC_NULL_TERMINATED
static gboolean
ub_sim_edl_fh_respond(UbSimEdl *self, gboolean ack, const gchar *rawmode, GError **error, ...)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;
	va_list args;

	g_ptr_array_add(names, (gpointer) "value");
	g_ptr_array_add(values, g_strdup(ack ? "ACK" : "NAK"));
	if (rawmode != NULL) {
		g_ptr_array_add(names, (gpointer) "rawmode");
		g_ptr_array_add(values, g_strdup(rawmode));
	}
	va_start(args, error);
	while ((name = va_arg(args, const gchar *)) != NULL) {
		g_ptr_array_add(names, (gpointer)name);
		g_ptr_array_add(values, g_strdup(va_arg(args, const gchar *)));
	}
	va_end(args);
	/* the free func must not see the NULL terminator */
	g_ptr_array_set_free_func(values, NULL);
	{
		gboolean ret = ub_sim_edl_fh_send(self, "response", names, values, error);
		for (guint i = 0; i < values->len; i++)
			g_free(g_ptr_array_index(values, i));
		return ret;
	}
}

/* a NAK with a log saying why */
static gboolean
ub_sim_edl_fh_nak(UbSimEdl *self, const gchar *text, GError **error)
{
	if (!ub_sim_edl_fh_log(self, text, error))
		return FALSE;
	return ub_sim_edl_fh_respond(self, FALSE, NULL, error, NULL);
}

static gboolean
ub_sim_edl_fh_banners(UbSimEdl *self, GError **error)
{
	if (!ub_sim_edl_fh_log(self, UB_SIM_EDL_BUILD_DATE, error))
		return FALSE;
	if (!ub_sim_edl_fh_logf(self, error, "INFO: Chip serial num: %u (0x%x)", self->serial, self->serial))
		return FALSE;
	if (!ub_sim_edl_fh_logf(self, error, "INFO: Supported Functions (%u):",
				(guint)G_N_ELEMENTS(ub_sim_edl_functions)))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(ub_sim_edl_functions); i++) {
		if (!ub_sim_edl_fh_logf(self, error, "INFO: %s", ub_sim_edl_functions[i]))
			return FALSE;
	}
	return ub_sim_edl_fh_logf(self,
				  error,
				  "INFO: End of supported functions %u",
				  (guint)G_N_ELEMENTS(ub_sim_edl_functions));
}

/* the next command document; %NULL with *gone at a clean end of the session */
static gchar *
ub_sim_edl_fh_next(UbSimEdl *self, gsize *len, gboolean *gone, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	*gone = FALSE;
	for (;;) {
		guint8 buf[8192];
		gssize n;
		gchar *doc;

		if (self->stream) {
			doc = ub_firehose_framer_pop(self->framer, len);
			if (doc != NULL)
				return doc;
		}
		n = ub_transport_read(self->transport, buf, sizeof(buf), 0, self->cancellable, &error_local);
		if (n < 0) {
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE)) {
				*gone = TRUE;
				return NULL;
			}
			g_propagate_error(error, g_steal_pointer(&error_local));
			return NULL;
		}
		/* zero-length packets after a command of a packet-size multiple */
		if (n == 0)
			continue;
		if (!self->stream) {
			/* USB: one transfer, one document */
			*len = (gsize)n;
			return g_strndup((const gchar *)buf, (gsize)n);
		}
		if (!ub_firehose_framer_push(self->framer, buf, (gsize)n, &error_local)) {
			/* garbage: forget it, the host gets a NAK for it */
			g_debug("sim: %s", error_local->message);
			g_clear_error(&error_local);
			ub_firehose_framer_free(self->framer);
			self->framer = ub_firehose_framer_new();
			*len = 0;
			return g_strdup("");
		}
	}
}

/* the region of a physical partition number, %NULL when it does not exist */
static gchar *
ub_sim_edl_fh_region(UbSimEdl *self, guint64 lun)
{
	const gchar *emmc[] = {"user", "boot1", "boot2", "rpmb"};
	g_autofree gchar *region = NULL;

	if (ub_sim_edl_is_ufs(self)) {
		if (lun > 255)
			return NULL;
		region = g_strdup_printf("lun%u", (guint)lun);
	} else {
		if (lun >= G_N_ELEMENTS(emmc))
			return NULL;
		region = g_strdup(emmc[lun]);
	}
	if (!ub_sim_storage_has_region(ub_sim_edl_get_storage(self), region))
		return NULL;
	return g_steal_pointer(&region);
}

typedef struct {
	gchar *region;
	guint64 lun;
	guint64 disk_sectors;
	guint64 start;
	guint64 count;
	gboolean has_range;
} UbSimEdlRange;

static void
ub_sim_edl_range_clear(UbSimEdlRange *range)
{
	g_clear_pointer(&range->region, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UbSimEdlRange, ub_sim_edl_range_clear)

/* SECTOR_SIZE_IN_BYTES, physical_partition_number, start_sector and
 * num_partition_sectors as a programmer checks them; on FALSE the NAK is sent
 * and *sent is TRUE (a transport error leaves it FALSE) */
static gboolean
ub_sim_edl_fh_range(UbSimEdl *self,
		    const UbFirehoseElement *el,
		    gboolean range_optional,
		    UbSimEdlRange *range,
		    gboolean *sent,
		    GError **error)
{
	UbSimStorage *storage = ub_sim_edl_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	const gchar *ss = ub_firehose_element_get(el, "SECTOR_SIZE_IN_BYTES");
	const gchar *start = ub_firehose_element_get(el, "start_sector");
	guint64 val = 0;
	g_autofree gchar *msg = NULL;

	*sent = TRUE;
	if (ss != NULL) {
		if (!ub_firehose_element_get_u64(el, "SECTOR_SIZE_IN_BYTES", &val) ||
		    val != sector_size) {
			msg = g_strdup_printf("ERROR: Attribute 'SECTOR_SIZE_IN_BYTES'=%s must be "
					      "equal to disk sector size %u",
					      ss,
					      sector_size);
			if (!ub_sim_edl_fh_nak(self, msg, error))
				*sent = FALSE;
			return FALSE;
		}
	} else if (!range_optional) {
		if (!ub_sim_edl_fh_nak(self, "ERROR: Attribute 'SECTOR_SIZE_IN_BYTES' not found", error))
			*sent = FALSE;
		return FALSE;
	}
	range->lun = 0;
	if (ub_firehose_element_get(el, "physical_partition_number") != NULL &&
	    !ub_firehose_element_get_u64(el, "physical_partition_number", &range->lun)) {
		if (!ub_sim_edl_fh_nak(self, "ERROR: Invalid physical_partition_number", error))
			*sent = FALSE;
		return FALSE;
	}
	range->region = ub_sim_edl_fh_region(self, range->lun);
	if (range->region == NULL) {
		msg = g_strdup_printf("ERROR: Failed to open device, type:%s, slot:0, lun:%" G_GUINT64_FORMAT
				      " error:3",
				      ub_sim_edl_is_ufs(self) ? "UFS" : "eMMC",
				      range->lun);
		if (!ub_sim_edl_fh_nak(self, msg, error))
			*sent = FALSE;
		return FALSE;
	}
	range->disk_sectors = ub_sim_storage_get_region_size(storage, range->region) / sector_size;
	if (range_optional && start == NULL &&
	    ub_firehose_element_get(el, "num_partition_sectors") == NULL) {
		range->start = 0;
		range->count = range->disk_sectors;
		return TRUE;
	}
	if (start == NULL || ub_firehose_element_get(el, "num_partition_sectors") == NULL) {
		msg = g_strdup_printf("ERROR: Attribute '%s' not found",
				      start == NULL ? "start_sector" : "num_partition_sectors");
		if (!ub_sim_edl_fh_nak(self, msg, error))
			*sent = FALSE;
		return FALSE;
	}
	{
		UbQcomExprContext ctx = {.num_disk_sectors = range->disk_sectors,
					 .num_disk_sectors_known = TRUE};
		g_autoptr(GError) error_local = NULL;
		if (!ub_qcom_expr_eval(start, &ctx, &range->start, &error_local)) {
			msg = g_strdup_printf("ERROR: Invalid start_sector '%s': %s",
					      start,
					      error_local->message);
			if (!ub_sim_edl_fh_nak(self, msg, error))
				*sent = FALSE;
			return FALSE;
		}
		if (!ub_qcom_expr_eval(ub_firehose_element_get(el, "num_partition_sectors"),
				       &ctx,
				       &range->count,
				       &error_local)) {
			msg = g_strdup_printf("ERROR: Invalid num_partition_sectors '%s'",
					      ub_firehose_element_get(el, "num_partition_sectors"));
			if (!ub_sim_edl_fh_nak(self, msg, error))
				*sent = FALSE;
			return FALSE;
		}
	}
	range->has_range = TRUE;
	if (range->start > range->disk_sectors || range->count > range->disk_sectors - range->start) {
		msg = g_strdup_printf("ERROR: range out of bounds: lun=%" G_GUINT64_FORMAT
				      ", start_sector=%" G_GUINT64_FORMAT
				      ", num_sectors=%" G_GUINT64_FORMAT
				      ", total_sectors=%" G_GUINT64_FORMAT,
				      range->lun,
				      range->start,
				      range->count,
				      range->disk_sectors);
		if (!ub_sim_edl_fh_nak(self, msg, error))
			*sent = FALSE;
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_sim_edl_fh_configure(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	const gchar *memory = ub_firehose_element_get(el, "MemoryName");
	const gchar *memory_name = ub_sim_edl_is_ufs(self) ? "UFS" : "eMMC";
	guint64 payload = self->max_payload;
	g_autofree gchar *max_str = g_strdup_printf("%u", self->max_payload);
	g_autofree gchar *payload_str = NULL;

	if (memory != NULL) {
		if (g_ascii_strcasecmp(memory, "emmc") == 0 && ub_sim_edl_is_ufs(self))
			return ub_sim_edl_fh_nak(self, "ERROR: Failed to open the SDCC Device slot 0 partition 0", error);
		if (g_ascii_strcasecmp(memory, "ufs") == 0 && !ub_sim_edl_is_ufs(self))
			return ub_sim_edl_fh_nak(
			    self,
			    "ERROR: Failed to initialize (open whole lun) UFS Device slot 0 partition 0",
			    error);
		if (g_ascii_strcasecmp(memory, "emmc") != 0 && g_ascii_strcasecmp(memory, "ufs") != 0) {
			g_autofree gchar *msg =
			    g_strdup_printf("ERROR: Not support configure MemoryName %s", memory);
			return ub_sim_edl_fh_nak(self, msg, error);
		}
	}
	if (ub_firehose_element_get(el, "MaxPayloadSizeToTargetInBytes") != NULL &&
	    !ub_firehose_element_get_u64(el, "MaxPayloadSizeToTargetInBytes", &payload)) {
		return ub_sim_edl_fh_nak(self, "ERROR: Invalid MaxPayloadSizeToTargetInBytes", error);
	}
	if (payload > self->max_payload) {
		if (!ub_sim_edl_fh_log(self, "ERROR: Host's payload to target size is too large", error))
			return FALSE;
		return ub_sim_edl_fh_respond(self,
					     FALSE,
					     NULL,
					     error,
					     "MemoryName",
					     memory_name,
					     "MaxPayloadSizeFromTargetInBytes",
					     max_str,
					     "MaxPayloadSizeToTargetInBytes",
					     max_str,
					     "MaxPayloadSizeToTargetInBytesSupported",
					     max_str,
					     "MaxXMLSizeInBytes",
					     "4096",
					     "Version",
					     "1",
					     "TargetName",
					     UB_SIM_EDL_TARGET_NAME,
					     NULL);
	}
	if (payload < ub_sim_storage_get_sector_size(ub_sim_edl_get_storage(self))) {
		g_autofree gchar *msg =
		    g_strdup_printf("ERROR: MaxPayloadSizeToTargetInBytes %" G_GUINT64_FORMAT
				    " is smaller than a sector",
				    payload);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	self->payload_to_target = (guint32)payload;
	self->configured = TRUE;
	payload_str = g_strdup_printf("%u", self->payload_to_target);
	return ub_sim_edl_fh_respond(self,
				     TRUE,
				     NULL,
				     error,
				     "MemoryName",
				     memory_name,
				     "MinVersionSupported",
				     "1",
				     "Version",
				     "1",
				     "MaxPayloadSizeToTargetInBytes",
				     payload_str,
				     "MaxPayloadSizeToTargetInBytesSupported",
				     max_str,
				     "MaxPayloadSizeFromTargetInBytes",
				     max_str,
				     "MaxXMLSizeInBytes",
				     "4096",
				     "TargetName",
				     UB_SIM_EDL_TARGET_NAME,
				     NULL);
}

/* one piece of raw data from the host: what the framer kept, else one read */
static gssize
ub_sim_edl_fh_read_raw(UbSimEdl *self, guint8 *buf, gsize bufsz, GError **error)
{
	gsize n = ub_firehose_framer_take_raw(self->framer, buf, bufsz);
	if (n > 0)
		return (gssize)n;
	return ub_transport_read(self->transport, buf, bufsz, 0, self->cancellable, error);
}

static gboolean
ub_sim_edl_fh_program(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	UbSimStorage *storage = ub_sim_edl_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	g_auto(UbSimEdlRange) range = {0};
	gboolean sent = FALSE;
	guint64 remaining;
	guint64 offset;
	gsize piece_max = self->payload_to_target / sector_size * sector_size;
	g_autofree guint8 *buf = NULL;
	gsize pending = 0;

	if (!ub_sim_edl_fh_range(self, el, FALSE, &range, &sent, error))
		return sent;
	if (range.count == 0)
		return ub_sim_edl_fh_nak(self, "ERROR: num_partition_sectors is 0", error);
	if (!ub_sim_edl_fh_respond(self, TRUE, "true", error, NULL))
		return FALSE;

	remaining = range.count * sector_size;
	offset = range.start * sector_size;
	buf = g_malloc(piece_max + 1);
	while (remaining > 0) {
		gsize want = (gsize)MIN((guint64)piece_max, remaining);
		gssize n;

		if (self->stream) {
			/* a stream: any split; whole sectors are written as they complete */
			n = ub_sim_edl_fh_read_raw(self, buf + pending, want - pending, error);
			if (n < 0)
				return FALSE;
			pending += (gsize)n;
			if (pending < want && pending % sector_size != 0)
				continue;
			n = (gssize)(pending / sector_size * sector_size);
			if (n == 0)
				continue;
		} else {
			/* USB: every transfer whole sectors, at most the negotiated payload */
			n = ub_sim_edl_fh_read_raw(self, buf, want + 1, error);
			if (n < 0)
				return FALSE;
			if (n == 0)
				continue; /* a ZLP */
			if ((gsize)n > want || (gsize)n % sector_size != 0) {
				g_autofree gchar *msg = NULL;
				if ((gsize)n % sector_size != 0)
					msg = g_strdup_printf("ERROR: Read non multiple sector size "
							      "value from USB %" G_GSSIZE_FORMAT
							      " sectsize%u",
							      n,
							      sector_size);
				else
					msg = g_strdup_printf("ERROR: Received more than %" G_GSIZE_FORMAT
							      " bytes in one USB transfer",
							      want);
				if (!ub_sim_edl_fh_log(self, msg, error))
					return FALSE;
				return ub_sim_edl_fh_respond(self, FALSE, "false", error, NULL);
			}
		}
		if (!ub_sim_storage_write(storage, range.region, offset, buf, (gsize)n, error))
			return FALSE;
		offset += (guint64)n;
		remaining -= (guint64)n;
		if (self->stream) {
			memmove(buf, buf + n, pending - (gsize)n);
			pending -= (gsize)n;
		}
	}
	self->program_count++;
	if (!ub_sim_edl_fh_logf(self,
				error,
				"INFO: Finished programming start_sector %" G_GUINT64_FORMAT
				" and TotalSectorsToProgram %" G_GUINT64_FORMAT,
				range.start + range.count,
				range.count))
		return FALSE;
	return ub_sim_edl_fh_respond(self, TRUE, "false", error, NULL);
}

static gboolean
ub_sim_edl_fh_read(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	UbSimStorage *storage = ub_sim_edl_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	g_auto(UbSimEdlRange) range = {0};
	gboolean sent = FALSE;
	guint64 remaining;
	guint64 offset;
	gsize piece_max = self->max_payload / sector_size * sector_size;
	g_autofree guint8 *buf = NULL;

	if (!ub_sim_edl_fh_range(self, el, FALSE, &range, &sent, error))
		return sent;
	if (range.count == 0)
		return ub_sim_edl_fh_nak(self, "ERROR: num_partition_sectors is 0", error);
	if (!ub_sim_edl_fh_respond(self, TRUE, "true", error, NULL))
		return FALSE;
	remaining = range.count * sector_size;
	offset = range.start * sector_size;
	buf = g_malloc(piece_max);
	while (remaining > 0) {
		gsize n = (gsize)MIN((guint64)piece_max, remaining);
		if (!ub_sim_storage_read(storage, range.region, offset, buf, n, error))
			return FALSE;
		if (!ub_sim_edl_write(self, buf, n, error))
			return FALSE;
		offset += n;
		remaining -= n;
	}
	if (!ub_sim_edl_fh_logf(self,
				error,
				"INFO: Finished sector address %" G_GUINT64_FORMAT,
				range.start + range.count))
		return FALSE;
	return ub_sim_edl_fh_respond(self, TRUE, "false", error, NULL);
}

static gboolean
ub_sim_edl_fh_erase(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	UbSimStorage *storage = ub_sim_edl_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	g_auto(UbSimEdlRange) range = {0};
	gboolean sent = FALSE;
	g_autoptr(GError) error_local = NULL;

	if (!ub_sim_edl_fh_range(self, el, TRUE, &range, &sent, error))
		return sent;
	if (!ub_sim_storage_erase(storage,
				  range.region,
				  range.start * sector_size,
				  range.count * sector_size,
				  &error_local)) {
		g_autofree gchar *msg = g_strdup_printf("ERROR: Failed to erase: %s", error_local->message);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	if (!ub_sim_edl_fh_logf(self,
				error,
				"INFO: Erased %" G_GUINT64_FORMAT " sectors from %" G_GUINT64_FORMAT,
				range.count,
				range.start))
		return FALSE;
	return ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL);
}

typedef struct {
	guint64 lo;
	guint64 hi;
} UbSimEdlSpan;

/* the first pass of a patch: which sectors CRC32() reads */
static gboolean
ub_sim_edl_patch_probe_cb(guint64 start_sector, guint64 len, guint32 *crc, gpointer user_data, GError **error)
{
	UbSimEdlSpan *span = user_data;
	guint64 sectors = (len + 511) / 512 + 1;
	span->lo = MIN(span->lo, start_sector);
	span->hi = MAX(span->hi, start_sector + sectors);
	*crc = 0;
	return TRUE;
}

static gboolean
ub_sim_edl_fh_patch(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	UbSimStorage *storage = ub_sim_edl_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	g_auto(UbSimEdlRange) range = {0};
	gboolean sent = FALSE;
	const gchar *filename = ub_firehose_element_get(el, "filename");
	const gchar *value = ub_firehose_element_get(el, "value");
	guint64 byte_offset = 0;
	guint64 size_in_bytes = 0;
	g_autoptr(UbQcomPatchEntry) entry = NULL;
	g_autoptr(GError) error_local = NULL;
	UbSimEdlSpan span = {G_MAXUINT64, 0};
	g_autofree guint8 *buf = NULL;
	gsize bufsz;

	if (filename != NULL && g_strcmp0(filename, UB_QCOM_PATCH_DISK) != 0) {
		/* a patch of a host file: nothing to do here */
		if (!ub_sim_edl_fh_logf(self, error, "INFO: Ignoring patch for file %s", filename))
			return FALSE;
		return ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL);
	}
	if (!ub_firehose_element_get_u64(el, "byte_offset", &byte_offset) ||
	    !ub_firehose_element_get_u64(el, "size_in_bytes", &size_in_bytes) ||
	    size_in_bytes == 0 || size_in_bytes > 8 || value == NULL ||
	    ub_firehose_element_get(el, "start_sector") == NULL)
		return ub_sim_edl_fh_nak(self, "ERROR: Invalid patch attributes", error);
	/* the range check, with the one sector patched */
	{
		const gchar *names[] = {"num_partition_sectors", NULL};
		const gchar *values[] = {"1", NULL};
		g_autoptr(UbFirehoseElement) el2 = g_new0(UbFirehoseElement, 1);
		guint n = g_strv_length(el->names);
		el2->tag = g_strdup(el->tag);
		el2->names = g_new0(gchar *, n + 2);
		el2->values = g_new0(gchar *, n + 2);
		for (guint i = 0; i < n; i++) {
			el2->names[i] = g_strdup(el->names[i]);
			el2->values[i] = g_strdup(el->values[i]);
		}
		el2->names[n] = g_strdup(names[0]);
		el2->values[n] = g_strdup(values[0]);
		if (!ub_sim_edl_fh_range(self, el2, FALSE, &range, &sent, error))
			return sent;
	}
	entry = g_new0(UbQcomPatchEntry, 1);
	entry->sector_size = sector_size;
	entry->physical_partition_number = (guint)range.lun;
	entry->filename = g_strdup(UB_QCOM_PATCH_DISK);
	entry->start_sector = g_strdup(ub_firehose_element_get(el, "start_sector"));
	entry->byte_offset = byte_offset;
	entry->size_in_bytes = (guint)size_in_bytes;
	entry->value = g_strdup(value);
	entry->what = g_strdup(ub_firehose_element_get(el, "what"));
	entry->names = g_strdupv(el->names);
	entry->values = g_strdupv(el->values);

	/* which sectors the patch touches: its own and those CRC32() reads */
	{
		UbQcomExprContext ctx = {.num_disk_sectors = range.disk_sectors,
					 .num_disk_sectors_known = TRUE,
					 .crc32_func = ub_sim_edl_patch_probe_cb,
					 .user_data = &span};
		guint64 val = 0;
		guint64 first = range.start + byte_offset / sector_size;
		guint64 last = range.start + (byte_offset + size_in_bytes - 1) / sector_size;
		if (!ub_qcom_expr_eval(value, &ctx, &val, &error_local)) {
			g_autofree gchar *msg =
			    g_strdup_printf("ERROR: Invalid patch value '%s': %s", value, error_local->message);
			return ub_sim_edl_fh_nak(self, msg, error);
		}
		/* the probe counted 512-byte sectors: widen for bigger ones */
		span.lo = MIN(span.lo, first);
		span.hi = MAX(span.hi, last + 1);
		span.hi = MIN(span.hi, range.disk_sectors);
		if (span.hi <= span.lo || (span.hi - span.lo) * sector_size > UB_SIM_EDL_MAX_PATCH_SPAN)
			return ub_sim_edl_fh_nak(self, "ERROR: Patch spans too much of the disk", error);
	}
	bufsz = (gsize)((span.hi - span.lo) * sector_size);
	buf = g_malloc0(bufsz);
	if (!ub_sim_storage_read(storage, range.region, span.lo * sector_size, buf, bufsz, error))
		return FALSE;
	if (!ub_qcom_patch_entry_apply(entry, buf, bufsz, span.lo, range.disk_sectors, &error_local)) {
		g_autofree gchar *msg = g_strdup_printf("ERROR: Failed to apply patch: %s", error_local->message);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	/* only the patched sectors go back */
	{
		guint64 first = range.start + byte_offset / sector_size;
		guint64 last = range.start + (byte_offset + size_in_bytes - 1) / sector_size;
		if (!ub_sim_storage_write(storage,
					  range.region,
					  first * sector_size,
					  buf + (first - span.lo) * sector_size,
					  (gsize)((last - first + 1) * sector_size),
					  error))
			return FALSE;
	}
	return ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL);
}

static gboolean
ub_sim_edl_fh_getstorageinfo(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	UbSimStorage *storage = ub_sim_edl_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	guint64 lun = 0;
	g_autofree gchar *region = NULL;
	g_auto(GStrv) regions = ub_sim_storage_get_region_names(storage);
	guint64 blocks;
	gboolean ufs = ub_sim_edl_is_ufs(self);

	if (ub_firehose_element_get(el, "physical_partition_number") != NULL &&
	    !ub_firehose_element_get_u64(el, "physical_partition_number", &lun))
		return ub_sim_edl_fh_nak(self, "ERROR: Invalid physical_partition_number", error);
	region = ub_sim_edl_fh_region(self, lun);
	if (region == NULL) {
		g_autofree gchar *msg =
		    g_strdup_printf("ERROR: Failed to open device, type:%s, slot:0, lun:%" G_GUINT64_FORMAT
				    " error:3",
				    ufs ? "UFS" : "eMMC",
				    lun);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	blocks = ub_sim_storage_get_region_size(storage, region) / sector_size;
	if (!ub_sim_edl_fh_logf(self, error, "INFO: Device Total Logical Blocks: 0x%" G_GINT64_MODIFIER "x", blocks))
		return FALSE;
	if (!ub_sim_edl_fh_logf(self, error, "INFO: Device Block Size in Bytes: 0x%x", sector_size))
		return FALSE;
	if (!ub_sim_edl_fh_logf(self,
				error,
				"INFO: Device Total Physical Partitions: 0x%x",
				g_strv_length(regions)))
		return FALSE;
	if (!ub_sim_edl_fh_logf(self,
				error,
				"INFO: {\"storage_info\": {\"total_blocks\":%" G_GUINT64_FORMAT
				", \"block_size\":%u, \"page_size\":%u, \"num_physical\":%u, "
				"\"mem_type\":\"%s\", \"prod_name\":\"%s\"}}",
				blocks,
				sector_size,
				sector_size,
				g_strv_length(regions),
				ufs ? "UFS" : "eMMC",
				ufs ? "SIMUFS-9008" : "SIMMC-9008"))
		return FALSE;
	if (!ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL))
		return FALSE;
	/* this programmer logs after its answer too: clients must drain */
	return ub_sim_edl_fh_logf(self, error, "INFO: Device Serial Number: 0x%x", self->serial);
}

static gboolean
ub_sim_edl_fh_getsha256digest(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	UbSimStorage *storage = ub_sim_edl_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	g_auto(UbSimEdlRange) range = {0};
	gboolean sent = FALSE;
	g_autoptr(GChecksum) checksum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree guint8 *buf = g_malloc(1024 * 1024);
	guint64 remaining;
	guint64 offset;

	if (!ub_sim_edl_fh_range(self, el, FALSE, &range, &sent, error))
		return sent;
	remaining = range.count * sector_size;
	offset = range.start * sector_size;
	while (remaining > 0) {
		gsize n = (gsize)MIN((guint64)(1024 * 1024), remaining);
		if (!ub_sim_storage_read(storage, range.region, offset, buf, n, error))
			return FALSE;
		g_checksum_update(checksum, buf, n);
		offset += n;
		remaining -= n;
	}
	if (!ub_sim_edl_fh_logf(self, error, "INFO: Digest %s", g_checksum_get_string(checksum)))
		return FALSE;
	return ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL);
}

static gboolean
ub_sim_edl_fh_peek(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	guint64 address = 0;
	guint64 size = 0;
	g_autoptr(GString) str = g_string_new(NULL);

	if (!ub_firehose_element_get_u64(el, "address64", &address) ||
	    (!ub_firehose_element_get_u64(el, "size_in_bytes", &size) &&
	     !ub_firehose_element_get_u64(el, "SizeInBytes", &size)) ||
	    size == 0 || size > 4096)
		return ub_sim_edl_fh_nak(self, "ERROR: Invalid peek attributes", error);
	/* the simulated memory reads as its address bytes */
	for (guint64 i = 0; i < size; i++) {
		if (i % 16 == 0) {
			if (str->len > 0) {
				if (!ub_sim_edl_fh_log(self, str->str, error))
					return FALSE;
				g_string_truncate(str, 0);
			}
			g_string_append_printf(str, "INFO: 0x%" G_GINT64_MODIFIER "x:", address + i);
		}
		g_string_append_printf(str, " %02x", (guint)((address + i) & 0xff));
	}
	if (!ub_sim_edl_fh_log(self, str->str, error))
		return FALSE;
	return ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL);
}

static gboolean
ub_sim_edl_fh_setbootable(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	guint64 lun = 0;
	g_autofree gchar *region = NULL;

	if (!ub_firehose_element_get_u64(el, "value", &lun))
		return ub_sim_edl_fh_nak(self, "ERROR: Invalid value for setbootablestoragedrive", error);
	region = ub_sim_edl_fh_region(self, lun);
	if (region == NULL) {
		g_autofree gchar *msg =
		    g_strdup_printf("ERROR: Failed to set bootable drive %" G_GUINT64_FORMAT, lun);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	self->bootable_lun = (gint)lun;
	if (!ub_sim_edl_fh_logf(self, error, "INFO: Set bootable drive to %" G_GUINT64_FORMAT, lun))
		return FALSE;
	return ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL);
}

static gboolean
ub_sim_edl_fh_power(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	const gchar *value = ub_firehose_element_get(el, "value");
	const gchar *known[] = {"reset", "off", "reset_to_edl", "edl", NULL};

	if (value == NULL || !g_strv_contains(known, value)) {
		g_autofree gchar *msg =
		    g_strdup_printf("ERROR: Unknown power value '%s'", value != NULL ? value : "");
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	if (!ub_sim_edl_fh_logf(self, error, "INFO: Power %s requested", value))
		return FALSE;
	if (!ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL))
		return FALSE;
	g_free(self->power_value);
	self->power_value = g_strdup(value);
	/* the programmer is gone; whatever comes next starts at the PBL */
	self->firehose_running = FALSE;
	self->configured = FALSE;
	self->session_end = TRUE;
	return TRUE;
}

static gboolean
ub_sim_edl_is_function(const gchar *tag)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_sim_edl_functions); i++) {
		if (g_strcmp0(ub_sim_edl_functions[i], tag) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
ub_sim_edl_fh_dispatch(UbSimEdl *self, const UbFirehoseElement *el, GError **error)
{
	const gchar *tag = el->tag;

	if (g_strcmp0(tag, "nop") == 0) {
		if (!ub_sim_edl_fh_respond(self, TRUE, NULL, error, NULL))
			return FALSE;
		/* a log after the answer: clients must keep reading */
		return ub_sim_edl_fh_log(self, UB_SIM_EDL_BUILD_DATE, error);
	}
	if (g_strcmp0(tag, "configure") == 0)
		return ub_sim_edl_fh_configure(self, el, error);
	if (g_strcmp0(tag, "power") == 0)
		return ub_sim_edl_fh_power(self, el, error);
	if (!ub_sim_edl_is_function(tag) || g_strcmp0(tag, "emmc") == 0 ||
	    g_strcmp0(tag, "ufs") == 0 || g_strcmp0(tag, "benchmark") == 0 ||
	    g_strcmp0(tag, "firmwarewrite") == 0 || g_strcmp0(tag, "fixgpt") == 0) {
		g_autofree gchar *msg = g_strdup_printf("ERROR: Unrecognized tag '%s'", tag);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	if (!self->configured) {
		g_autofree gchar *msg =
		    g_strdup_printf("ERROR: Storage not initialized, send <configure> before <%s>", tag);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
	if (g_strcmp0(tag, "program") == 0)
		return ub_sim_edl_fh_program(self, el, error);
	if (g_strcmp0(tag, "read") == 0)
		return ub_sim_edl_fh_read(self, el, error);
	if (g_strcmp0(tag, "erase") == 0)
		return ub_sim_edl_fh_erase(self, el, error);
	if (g_strcmp0(tag, "patch") == 0)
		return ub_sim_edl_fh_patch(self, el, error);
	if (g_strcmp0(tag, "getstorageinfo") == 0)
		return ub_sim_edl_fh_getstorageinfo(self, el, error);
	if (g_strcmp0(tag, "getsha256digest") == 0)
		return ub_sim_edl_fh_getsha256digest(self, el, error);
	if (g_strcmp0(tag, "peek") == 0)
		return ub_sim_edl_fh_peek(self, el, error);
	if (g_strcmp0(tag, "setbootablestoragedrive") == 0)
		return ub_sim_edl_fh_setbootable(self, el, error);
	{
		g_autofree gchar *msg = g_strdup_printf("ERROR: Unrecognized tag '%s'", tag);
		return ub_sim_edl_fh_nak(self, msg, error);
	}
}

static gboolean
ub_sim_edl_firehose(UbSimEdl *self, GError **error)
{
	for (;;) {
		gsize len = 0;
		gboolean gone = FALSE;
		g_autofree gchar *doc = ub_sim_edl_fh_next(self, &len, &gone, error);
		g_autoptr(UbFirehoseElement) el = NULL;
		g_autoptr(GError) error_local = NULL;
		gboolean nak;

		if (doc == NULL)
			return gone;
		nak = ub_sim_personality_count_command(UB_SIM_PERSONALITY(self));
		el = ub_firehose_xml_parse(doc, len, &error_local);
		if (el == NULL) {
			g_debug("sim: bad XML: %s", error_local->message);
			if (!ub_sim_edl_fh_nak(self, "ERROR: XML not formed correctly", error))
				return FALSE;
			continue;
		}
		g_debug("sim > %s", doc);
		if (nak) {
			if (!ub_sim_edl_fh_nak(self, "ERROR: simulated failure", error))
				return FALSE;
			continue;
		}
		if (!ub_sim_edl_fh_dispatch(self, el, error))
			return FALSE;
		if (self->session_end)
			return TRUE;
	}
}

/* ---------------------------------------------------------------- session */

static gboolean
ub_sim_edl_serve(UbSimPersonality *personality,
		 UbTransport *transport,
		 GCancellable *cancellable,
		 GError **error)
{
	UbSimEdl *self = UB_SIM_EDL(personality);
	g_autoptr(GError) error_local = NULL;
	gboolean ret = FALSE;

	if (self->env_error != NULL) {
		g_propagate_error(error, g_error_copy(self->env_error));
		return FALSE;
	}
	self->transport = transport;
	self->cancellable = cancellable;
	self->mps = ub_transport_get_max_packet_size(transport);
	self->stream = self->mps == 0;
	self->session_end = FALSE;
	g_clear_pointer(&self->framer, ub_firehose_framer_free);
	self->framer = ub_firehose_framer_new();

	if (!self->firehose_running) {
		UbSimEdlSaharaResult result = UB_SIM_EDL_SAHARA_END;
		if (ub_sim_edl_sahara(self, &result, &error_local) &&
		    result == UB_SIM_EDL_SAHARA_FIREHOSE) {
			self->firehose_running = TRUE;
			self->configured = FALSE;
			(void)ub_sim_edl_fh_banners(self, &error_local);
		}
	}
	if (error_local == NULL && self->firehose_running && !self->session_end)
		ret = ub_sim_edl_firehose(self, &error_local);
	else if (error_local == NULL)
		ret = TRUE;

	if (error_local != NULL) {
		/* the host went away: a clean end of the session */
		if (g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE)) {
			g_debug("sim: host disconnected: %s", error_local->message);
			ret = TRUE;
		} else {
			g_propagate_error(error, g_steal_pointer(&error_local));
			ret = FALSE;
		}
	}
	self->transport = NULL;
	self->cancellable = NULL;
	return ret;
}

/* ---------------------------------------------------------------- object */

/**
 * ub_sim_edl_new:
 * @storage: the phone's storage
 * @faults: (nullable): faults to inject
 *
 * Returns: (transfer full): a simulated 9008 phone, configured from the environment
 */
UbSimPersonality *
ub_sim_edl_new(UbSimStorage *storage, UbSimFaults *faults)
{
	return g_object_new(UB_TYPE_SIM_EDL, "storage", storage, "faults", faults, NULL);
}

void
ub_sim_edl_set_sahara_version(UbSimEdl *self, guint version)
{
	g_return_if_fail(UB_IS_SIM_EDL(self));
	g_return_if_fail(version >= 1 && version <= 3);
	self->sahara_version = version;
}

void
ub_sim_edl_set_serial(UbSimEdl *self, guint32 serial)
{
	g_return_if_fail(UB_IS_SIM_EDL(self));
	self->serial = serial;
}

void
ub_sim_edl_set_hwid(UbSimEdl *self, guint64 hwid)
{
	g_return_if_fail(UB_IS_SIM_EDL(self));
	self->hwid = hwid;
}

/**
 * ub_sim_edl_set_pk_hash:
 * @self: a #UbSimEdl
 * @hex: a SHA-256 or SHA-384 in hex (64 or 96 digits)
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE when @hex is a hash
 */
gboolean
ub_sim_edl_set_pk_hash(UbSimEdl *self, const gchar *hex, GError **error)
{
	gsize len;
	g_autoptr(GByteArray) hash = g_byte_array_new();

	g_return_val_if_fail(UB_IS_SIM_EDL(self), FALSE);
	g_return_val_if_fail(hex != NULL, FALSE);
	len = strlen(hex);
	if (len != 64 && len != 96) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid PK hash '%s', expected 64 or 96 hex digits",
			    hex);
		return FALSE;
	}
	for (gsize i = 0; i < len; i += 2) {
		gint hi = g_ascii_xdigit_value(hex[i]);
		gint lo = g_ascii_xdigit_value(hex[i + 1]);
		guint8 b;
		if (hi < 0 || lo < 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid PK hash '%s', expected 64 or 96 hex digits",
				    hex);
			return FALSE;
		}
		b = (guint8)(hi << 4 | lo);
		g_byte_array_append(hash, &b, 1);
	}
	g_byte_array_unref(self->pk_hash);
	self->pk_hash = g_steal_pointer(&hash);
	return TRUE;
}

void
ub_sim_edl_set_max_payload(UbSimEdl *self, guint32 max_payload)
{
	g_return_if_fail(UB_IS_SIM_EDL(self));
	g_return_if_fail(max_payload >= 4096);
	self->max_payload = max_payload;
}

void
ub_sim_edl_set_read64(UbSimEdl *self, gboolean read64)
{
	g_return_if_fail(UB_IS_SIM_EDL(self));
	self->read64 = read64;
}

/**
 * ub_sim_edl_configure_from_env:
 * @self: a #UbSimEdl
 * @error: (nullable): return location for a #GError
 *
 * Applies UB_SIM_EDL_SAHARA_VERSION, UB_SIM_EDL_SERIAL, UB_SIM_EDL_HWID,
 * UB_SIM_EDL_PK_HASH, UB_SIM_EDL_MAX_PAYLOAD and UB_SIM_EDL_READ64 where set.
 * A new phone already did this when it was created.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_edl_configure_from_env(UbSimEdl *self, GError **error)
{
	const gchar *str;
	guint64 val = 0;

	g_return_val_if_fail(UB_IS_SIM_EDL(self), FALSE);
	str = ub_sim_personality_getenv(UB_SIM_EDL_ENV_SAHARA_VERSION);
	if (str != NULL) {
		if (!ub_sim_personality_parse_u64(UB_SIM_EDL_ENV_SAHARA_VERSION, str, 3, &val, error))
			return FALSE;
		if (val < 1) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid %s '%s', expected 1, 2 or 3",
				    UB_SIM_EDL_ENV_SAHARA_VERSION,
				    str);
			return FALSE;
		}
		self->sahara_version = (guint)val;
	}
	str = ub_sim_personality_getenv(UB_SIM_EDL_ENV_SERIAL);
	if (str != NULL) {
		if (!ub_sim_personality_parse_u64(UB_SIM_EDL_ENV_SERIAL, str, G_MAXUINT32, &val, error))
			return FALSE;
		self->serial = (guint32)val;
	}
	str = ub_sim_personality_getenv(UB_SIM_EDL_ENV_HWID);
	if (str != NULL) {
		if (!ub_sim_personality_parse_u64(UB_SIM_EDL_ENV_HWID, str, G_MAXUINT64, &val, error))
			return FALSE;
		self->hwid = val;
	}
	str = ub_sim_personality_getenv(UB_SIM_EDL_ENV_PK_HASH);
	if (str != NULL && !ub_sim_edl_set_pk_hash(self, str, error))
		return FALSE;
	str = ub_sim_personality_getenv(UB_SIM_EDL_ENV_MAX_PAYLOAD);
	if (str != NULL) {
		if (!ub_sim_personality_parse_u64(UB_SIM_EDL_ENV_MAX_PAYLOAD, str, 64 * 1024 * 1024, &val, error))
			return FALSE;
		if (val < 4096) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid %s '%s', expected at least 4096",
				    UB_SIM_EDL_ENV_MAX_PAYLOAD,
				    str);
			return FALSE;
		}
		self->max_payload = (guint32)val;
	}
	ub_sim_personality_getenv_flag(UB_SIM_EDL_ENV_READ64, &self->read64);
	return TRUE;
}

gboolean
ub_sim_edl_get_firehose_running(UbSimEdl *self)
{
	g_return_val_if_fail(UB_IS_SIM_EDL(self), FALSE);
	return self->firehose_running;
}

guint
ub_sim_edl_get_program_count(UbSimEdl *self)
{
	g_return_val_if_fail(UB_IS_SIM_EDL(self), 0);
	return self->program_count;
}

const gchar *
ub_sim_edl_get_power_value(UbSimEdl *self)
{
	g_return_val_if_fail(UB_IS_SIM_EDL(self), NULL);
	return self->power_value;
}

gint
ub_sim_edl_get_bootable_lun(UbSimEdl *self)
{
	g_return_val_if_fail(UB_IS_SIM_EDL(self), -1);
	return self->bootable_lun;
}

static void
ub_sim_edl_constructed(GObject *object)
{
	UbSimEdl *self = UB_SIM_EDL(object);
	UbSimStorage *storage;
	g_autoptr(GError) error_local = NULL;

	G_OBJECT_CLASS(ub_sim_edl_parent_class)->constructed(object);

	/* the in-process phone has no other place to read its settings */
	if (!ub_sim_edl_configure_from_env(self, &error_local)) {
		self->env_error = g_steal_pointer(&error_local);
		return;
	}
	/* a new storage folder gets a Qualcomm layout, with calibration partitions */
	storage = ub_sim_edl_get_storage(self);
	if (storage != NULL && !ub_sim_layout_apply_default(storage, "qcom", &error_local))
		self->env_error = g_steal_pointer(&error_local);
}

static void
ub_sim_edl_finalize(GObject *object)
{
	UbSimEdl *self = UB_SIM_EDL(object);
	g_byte_array_unref(self->pk_hash);
	g_clear_error(&self->env_error);
	g_free(self->power_value);
	g_clear_pointer(&self->framer, ub_firehose_framer_free);
	G_OBJECT_CLASS(ub_sim_edl_parent_class)->finalize(object);
}

static void
ub_sim_edl_init(UbSimEdl *self)
{
	/* the SHA-256 of "unbrick-sim" */
	const gchar *pk_hash = "8c5b1a55b0d3c4b0e3c7f6a2d97f4e1ad1c1a3f0b5e6d7c8a9b0c1d2e3f40516";
	self->sahara_version = 2;
	self->serial = UB_SIM_EDL_DEFAULT_SERIAL;
	self->hwid = UB_SIM_EDL_DEFAULT_HWID;
	self->pk_hash = g_byte_array_new();
	if (!ub_sim_edl_set_pk_hash(self, pk_hash, NULL))
		g_assert_not_reached();
	self->max_payload = UB_SIM_EDL_DEFAULT_PAYLOAD;
	self->payload_to_target = UB_SIM_EDL_DEFAULT_PAYLOAD;
	self->bootable_lun = -1;
}

static void
ub_sim_edl_class_init(UbSimEdlClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	UbSimPersonalityClass *personality_class = UB_SIM_PERSONALITY_CLASS(klass);
	object_class->constructed = ub_sim_edl_constructed;
	object_class->finalize = ub_sim_edl_finalize;
	personality_class->serve = ub_sim_edl_serve;
}
