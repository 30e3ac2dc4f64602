/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Sahara packets (the Qualcomm PBL protocol that uploads the Firehose
 * programmer), pure encoding and decoding shared by the engine and the
 * simulated 9008 phone. Every packet is `u32 cmd, u32 length` + body, little
 * endian; length is the whole packet. See reference/edl.md a.2.
 */

typedef enum {
	UB_SAHARA_CMD_HELLO = 0x01,
	UB_SAHARA_CMD_HELLO_RESP = 0x02,
	UB_SAHARA_CMD_READ_DATA = 0x03,
	UB_SAHARA_CMD_END_OF_IMAGE = 0x04,
	UB_SAHARA_CMD_DONE = 0x05,
	UB_SAHARA_CMD_DONE_RESP = 0x06,
	UB_SAHARA_CMD_RESET = 0x07,
	UB_SAHARA_CMD_RESET_RESP = 0x08,
	UB_SAHARA_CMD_MEMORY_DEBUG = 0x09,
	UB_SAHARA_CMD_MEMORY_READ = 0x0a,
	UB_SAHARA_CMD_CMD_READY = 0x0b,
	UB_SAHARA_CMD_SWITCH_MODE = 0x0c,
	UB_SAHARA_CMD_EXECUTE = 0x0d,
	UB_SAHARA_CMD_EXECUTE_RESP = 0x0e,
	UB_SAHARA_CMD_EXECUTE_DATA = 0x0f,
	UB_SAHARA_CMD_MEMORY_DEBUG64 = 0x10,
	UB_SAHARA_CMD_MEMORY_READ64 = 0x11,
	UB_SAHARA_CMD_READ_DATA64 = 0x12,
	UB_SAHARA_CMD_RESET_STATE_MACHINE = 0x13,
} UbSaharaCmd;

typedef enum {
	UB_SAHARA_MODE_IMAGE_TX_PENDING = 0,
	UB_SAHARA_MODE_IMAGE_TX_COMPLETE = 1,
	UB_SAHARA_MODE_MEMORY_DEBUG = 2,
	UB_SAHARA_MODE_COMMAND = 3,
} UbSaharaMode;

typedef enum {
	UB_SAHARA_EXEC_NOP = 0x00,
	UB_SAHARA_EXEC_SERIAL_NUM_READ = 0x01,
	UB_SAHARA_EXEC_MSM_HW_ID_READ = 0x02,
	UB_SAHARA_EXEC_OEM_PK_HASH_READ = 0x03,
	UB_SAHARA_EXEC_SBL_SW_VERSION = 0x07,
	UB_SAHARA_EXEC_CMD_ID_LIST = 0x08,
	UB_SAHARA_EXEC_CHIP_ID_V3_READ = 0x0a,
} UbSaharaExecCmd;

/* the Firehose programmer's image id (SAHARA_ID_EHOSTDL_IMG) */
#define UB_SAHARA_IMAGE_ID_FIREHOSE 13
/* HELLO and HELLO_RESP are 0x30 bytes */
#define UB_SAHARA_HELLO_LEN 0x30
/* the largest packet either side sends (HELLO); raw image data is not a packet */
#define UB_SAHARA_MAX_PACKET_LEN 0x30
/* status 0 = success; the rest are ub_sahara_status_to_string() */
#define UB_SAHARA_STATUS_SUCCESS 0x00

/**
 * UbSaharaPacket:
 * @cmd: a #UbSaharaCmd
 * @length: the length field as received (set by the builder)
 * @version: HELLO/HELLO_RESP: protocol version
 * @version_compatible: HELLO/HELLO_RESP: oldest version understood
 * @max_len: HELLO: max command packet length; HELLO_RESP: status
 * @mode: HELLO/HELLO_RESP/SWITCH_MODE: a #UbSaharaMode
 * @image_id: READ_DATA(64)/END_OF_IMAGE: image id
 * @offset: READ_DATA(64): offset in the image; MEMORY_READ(64)/MEMORY_DEBUG(64): address
 * @data_len: READ_DATA(64): bytes asked; EXECUTE_RESP: bytes that follow;
 *   MEMORY_READ(64)/MEMORY_DEBUG(64): length
 * @status: END_OF_IMAGE: status; DONE_RESP: image_tx_status (1 complete, 0 more)
 * @client_cmd: EXECUTE/EXECUTE_RESP/EXECUTE_DATA: a #UbSaharaExecCmd
 *
 * A decoded packet; fields not used by @cmd are 0.
 */
typedef struct {
	guint32 cmd;
	guint32 length;
	guint32 version;
	guint32 version_compatible;
	guint32 max_len;
	guint32 mode;
	guint64 image_id;
	guint64 offset;
	guint64 data_len;
	guint32 status;
	guint32 client_cmd;
} UbSaharaPacket;

/* decodes one packet; the length field must equal @bufsz and the fixed size
 * of @cmd (CMD_READY may be 8 or 12 bytes); unknown commands are errors */
gboolean
ub_sahara_packet_parse(const guint8 *buf, gsize bufsz, UbSaharaPacket *pkt, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* encodes @pkt->cmd with its fixed length (HELLO_RESP reserved words zero);
 * returns the number of bytes written to @buf (at most UB_SAHARA_MAX_PACKET_LEN) */
gsize
ub_sahara_packet_build(const UbSaharaPacket *pkt, guint8 *buf, gsize bufsz);
/* the fixed length of a packet, 0 for an unknown command */
gsize
ub_sahara_packet_length_for_cmd(guint32 cmd);
const gchar *
ub_sahara_cmd_to_string(guint32 cmd);
/* "image authentication failure" ... "unknown status 0x29" (never NULL, static or interned) */
const gchar *
ub_sahara_status_to_string(guint32 status);

/**
 * UbSaharaChipInfo:
 * @sahara_version: the version the HELLO announced
 * @serial: chip serial number (EXEC 0x01, or 0x0a on v3)
 * @has_serial: whether @serial was read
 * @hwid: MSM HW ID (EXEC 0x02): msm_id << 32 | oem_id << 16 | model_id
 * @msm_id: the SoC's JTAG/MSM id, looked up in data/edl-chips.json
 * @oem_id: OEM id
 * @model_id: model id
 * @has_hwid: whether @hwid/@msm_id were read
 * @pk_hash: (nullable): OEM public key hash, hex, repeats and zero padding trimmed
 * @chip_id_v3: v3: chip-id-v3 word
 *
 * What Sahara command mode tells about the chip.
 */
typedef struct {
	guint32 sahara_version;
	guint32 serial;
	gboolean has_serial;
	guint64 hwid;
	guint32 msm_id;
	guint16 oem_id;
	guint16 model_id;
	gboolean has_hwid;
	gchar *pk_hash;
	guint32 chip_id_v3;
} UbSaharaChipInfo;

void
ub_sahara_chip_info_clear(UbSaharaChipInfo *info);
/* EXEC 0x02 reply (8 bytes LE) */
gboolean
ub_sahara_chip_info_set_hwid(UbSaharaChipInfo *info, const guint8 *buf, gsize bufsz, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* EXEC 0x03 reply (32 or 48 bytes, possibly repeated and zero padded) */
gboolean
ub_sahara_chip_info_set_pk_hash(UbSaharaChipInfo *info,
				const guint8 *buf,
				gsize bufsz,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* EXEC 0x0a reply (>= 44 bytes: chip id @0, MSM_ID @36, OEM_ID @40, MODEL_ID @42,
 * alternative OEM_ID @44 when @40 is 0) */
gboolean
ub_sahara_chip_info_set_v3(UbSaharaChipInfo *info, const guint8 *buf, gsize bufsz, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * UbSaharaElfInfo:
 * @is_64: ELFCLASS64
 * @n_segments: loadable segments
 * @image_size: bytes a PBL reads: up to the end of the furthest segment
 *
 * What the simulated PBL (and the engine's preflight) learn from a programmer.
 */
typedef struct {
	gboolean is_64;
	guint n_segments;
	guint64 image_size;
} UbSaharaElfInfo;

/* checks a programmer's ELF header and program headers (@buf holds at least the
 * header and the program header table); MBN files with an ELF inside are fine */
gboolean
ub_sahara_elf_check(const guint8 *buf, gsize bufsz, UbSaharaElfInfo *info, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* the @idx-th PT_LOAD segment with data (the order a PBL loads them);
 * UB_ERROR_NOT_FOUND past the last */
gboolean
ub_sahara_elf_get_segment(const guint8 *buf,
			  gsize bufsz,
			  guint idx,
			  guint64 *offset,
			  guint64 *size,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* from the ELF header alone (>= 52 or 64 bytes): the end of the program header table */
gboolean
ub_sahara_elf_get_phdrs_end(const guint8 *buf, gsize bufsz, guint64 *end, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
