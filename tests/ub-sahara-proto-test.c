/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "edl/ub-sahara-proto.h"
#include "ub-error.h"
#include "ub-mem.h"

/* the HELLO of https://github.com/bkerler/edl/issues/104 */
static const guint8 ub_sahara_proto_test_hello[UB_SAHARA_HELLO_LEN] = {
    0x01, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void
ub_sahara_proto_hello_func(void)
{
	UbSaharaPacket pkt = {0};
	guint8 buf[UB_SAHARA_MAX_PACKET_LEN] = {0};
	g_autoptr(GError) error = NULL;

	g_assert_true(ub_sahara_packet_parse(ub_sahara_proto_test_hello,
					     sizeof(ub_sahara_proto_test_hello),
					     &pkt,
					     &error));
	g_assert_no_error(error);
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_HELLO);
	g_assert_cmpuint(pkt.length, ==, 0x30);
	g_assert_cmpuint(pkt.version, ==, 2);
	g_assert_cmpuint(pkt.version_compatible, ==, 1);
	g_assert_cmpuint(pkt.max_len, ==, 0x400);
	g_assert_cmpuint(pkt.mode, ==, UB_SAHARA_MODE_IMAGE_TX_PENDING);

	/* building it again gives the same bytes */
	g_assert_cmpuint(ub_sahara_packet_build(&pkt, buf, sizeof(buf)), ==, 0x30);
	g_assert_cmpmem(buf, sizeof(buf), ub_sahara_proto_test_hello, sizeof(buf));
}

static void
ub_sahara_proto_hello_resp_func(void)
{
	UbSaharaPacket pkt = {.cmd = UB_SAHARA_CMD_HELLO_RESP,
			      .length = 0x999,
			      .version = 2,
			      .version_compatible = 1,
			      .max_len = 0,
			      .mode = UB_SAHARA_MODE_COMMAND};
	UbSaharaPacket back = {0};
	guint8 buf[UB_SAHARA_MAX_PACKET_LEN];
	const guint8 expected[24] = {0x02, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00,
				     0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
				     0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00};

	memset(buf, 0xaa, sizeof(buf));
	g_assert_cmpuint(ub_sahara_packet_build(&pkt, buf, sizeof(buf)), ==, 0x30);
	g_assert_cmpmem(buf, 24, expected, 24);
	/* reserved words are zero */
	for (guint i = 24; i < 0x30; i++)
		g_assert_cmpuint(buf[i], ==, 0);
	g_assert_true(ub_sahara_packet_parse(buf, 0x30, &back, NULL));
	g_assert_cmpuint(back.mode, ==, UB_SAHARA_MODE_COMMAND);
	g_assert_cmpuint(back.max_len, ==, 0);

	/* too small a buffer: nothing written */
	g_assert_cmpuint(ub_sahara_packet_build(&pkt, buf, 0x2f), ==, 0);
}

static void
ub_sahara_proto_read_data_func(void)
{
	const guint8 rd[] = {0x03, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x0d, 0x00,
			     0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00};
	guint8 rd64[0x20] = {0};
	UbSaharaPacket pkt = {0};
	guint8 buf[UB_SAHARA_MAX_PACKET_LEN];

	g_assert_true(ub_sahara_packet_parse(rd, sizeof(rd), &pkt, NULL));
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_READ_DATA);
	g_assert_cmpuint(pkt.image_id, ==, UB_SAHARA_IMAGE_ID_FIREHOSE);
	g_assert_cmpuint(pkt.offset, ==, 0x1000);
	g_assert_cmpuint(pkt.data_len, ==, 0x34);

	ub_mem_write_u32_le(rd64, 0, UB_SAHARA_CMD_READ_DATA64);
	ub_mem_write_u32_le(rd64, 4, 0x20);
	ub_mem_write_u64_le(rd64, 8, 13);
	ub_mem_write_u64_le(rd64, 16, G_GUINT64_CONSTANT(0x123456789));
	ub_mem_write_u64_le(rd64, 24, 0x40000);
	g_assert_true(ub_sahara_packet_parse(rd64, sizeof(rd64), &pkt, NULL));
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_READ_DATA64);
	g_assert_cmpuint(pkt.offset, ==, G_GUINT64_CONSTANT(0x123456789));
	g_assert_cmpuint(pkt.data_len, ==, 0x40000);

	/* READ_DATA64 does not fit UB_SAHARA_MAX_PACKET_LEN, but builds into 0x20 */
	g_assert_cmpuint(ub_sahara_packet_build(&pkt, buf, sizeof(buf)), ==, 0x20);
	g_assert_cmpmem(buf, 0x20, rd64, 0x20);
}

static void
ub_sahara_proto_others_func(void)
{
	struct {
		UbSaharaPacket pkt;
		gsize len;
	} cases[] = {
	    {{.cmd = UB_SAHARA_CMD_END_OF_IMAGE, .image_id = 13, .status = 0x14}, 0x10},
	    {{.cmd = UB_SAHARA_CMD_DONE}, 0x08},
	    {{.cmd = UB_SAHARA_CMD_DONE_RESP, .status = 1}, 0x0c},
	    {{.cmd = UB_SAHARA_CMD_RESET}, 0x08},
	    {{.cmd = UB_SAHARA_CMD_RESET_RESP}, 0x08},
	    {{.cmd = UB_SAHARA_CMD_CMD_READY}, 0x08},
	    {{.cmd = UB_SAHARA_CMD_SWITCH_MODE, .mode = 0}, 0x0c},
	    {{.cmd = UB_SAHARA_CMD_EXECUTE, .client_cmd = 0x02}, 0x0c},
	    {{.cmd = UB_SAHARA_CMD_EXECUTE_RESP, .client_cmd = 0x03, .data_len = 96}, 0x10},
	    {{.cmd = UB_SAHARA_CMD_EXECUTE_DATA, .client_cmd = 0x0a}, 0x0c},
	    {{.cmd = UB_SAHARA_CMD_MEMORY_READ64,
	      .offset = G_GUINT64_CONSTANT(0x80000000),
	      .data_len = 0x1000},
	     0x18},
	    {{.cmd = UB_SAHARA_CMD_MEMORY_DEBUG, .offset = 0x1000, .data_len = 0x40}, 0x10},
	    {{.cmd = UB_SAHARA_CMD_RESET_STATE_MACHINE}, 0x08},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		guint8 buf[0x20];
		UbSaharaPacket back = {0};
		g_autoptr(GError) error = NULL;
		gsize n = ub_sahara_packet_build(&cases[i].pkt, buf, sizeof(buf));

		g_assert_cmpuint(n, ==, cases[i].len);
		g_assert_cmpuint(ub_sahara_packet_length_for_cmd(cases[i].pkt.cmd), ==, n);
		g_assert_true(ub_sahara_packet_parse(buf, n, &back, &error));
		g_assert_no_error(error);
		back.length = 0;
		g_assert_cmpmem(&back, sizeof(back), &cases[i].pkt, sizeof(back));
		/* one byte more or less is refused */
		g_assert_false(ub_sahara_packet_parse(buf, n - 1, &back, NULL));
		buf[n] = 0;
		g_assert_false(ub_sahara_packet_parse(buf, n + 1, &back, NULL));
	}
}

static void
ub_sahara_proto_bad_func(void)
{
	guint8 buf[0x40] = {0};
	UbSaharaPacket pkt = {0};
	g_autoptr(GError) error = NULL;

	/* shorter than a header */
	g_assert_false(ub_sahara_packet_parse(buf, 7, &pkt, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);
	g_assert_false(ub_sahara_packet_parse(NULL, 0, &pkt, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);

	/* unknown command */
	ub_mem_write_u32_le(buf, 0, 0x14);
	ub_mem_write_u32_le(buf, 4, 8);
	g_assert_false(ub_sahara_packet_parse(buf, 8, &pkt, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_assert_nonnull(strstr(error->message, "0x14"));
	g_clear_error(&error);
	ub_mem_write_u32_le(buf, 0, 0);
	g_assert_false(ub_sahara_packet_parse(buf, 8, &pkt, NULL));
	ub_mem_write_u32_le(buf, 0, G_MAXUINT32);
	g_assert_false(ub_sahara_packet_parse(buf, 8, &pkt, NULL));

	/* length field disagrees with the transfer */
	memcpy(buf, ub_sahara_proto_test_hello, sizeof(ub_sahara_proto_test_hello));
	g_assert_false(ub_sahara_packet_parse(buf, 0x2c, &pkt, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);
	/* length field agrees with the transfer but not with the command */
	ub_mem_write_u32_le(buf, 4, 0x34);
	g_assert_false(ub_sahara_packet_parse(buf, 0x34, &pkt, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);
	/* a huge length field */
	ub_mem_write_u32_le(buf, 4, G_MAXUINT32);
	g_assert_false(ub_sahara_packet_parse(buf, 0x30, &pkt, NULL));
	/* parse clears the packet on failure */
	g_assert_cmpuint(pkt.cmd, ==, 0);

	/* CMD_READY with the extra word openpst shows */
	ub_mem_write_u32_le(buf, 0, UB_SAHARA_CMD_CMD_READY);
	ub_mem_write_u32_le(buf, 4, 0x0c);
	g_assert_true(ub_sahara_packet_parse(buf, 0x0c, &pkt, NULL));
	g_assert_cmpuint(pkt.cmd, ==, UB_SAHARA_CMD_CMD_READY);
	ub_mem_write_u32_le(buf, 4, 0x10);
	g_assert_false(ub_sahara_packet_parse(buf, 0x10, &pkt, NULL));

	/* building an unknown command writes nothing */
	pkt.cmd = 0x99;
	g_assert_cmpuint(ub_sahara_packet_build(&pkt, buf, sizeof(buf)), ==, 0);
}

static void
ub_sahara_proto_strings_func(void)
{
	/* the canonical table, not bkerler's shifted one */
	g_assert_cmpstr(ub_sahara_status_to_string(0x00), ==, "success");
	g_assert_cmpstr(ub_sahara_status_to_string(0x01), ==, "invalid command");
	g_assert_cmpstr(ub_sahara_status_to_string(0x05), ==, "invalid packet size");
	g_assert_cmpstr(ub_sahara_status_to_string(0x0a), ==, "invalid tx length");
	g_assert_cmpstr(ub_sahara_status_to_string(0x0b), ==, "invalid rx length");
	g_assert_cmpstr(ub_sahara_status_to_string(0x14), ==, "invalid ELF header");
	g_assert_cmpstr(ub_sahara_status_to_string(0x25), ==, "image authentication failure");
	g_assert_cmpstr(ub_sahara_status_to_string(0x28), ==, "hardware bulk transfer error");
	g_assert_cmpstr(ub_sahara_status_to_string(0x29), ==, "unknown status 0x29");
	g_assert_cmpstr(ub_sahara_status_to_string(G_MAXUINT32), ==, "unknown status 0xffffffff");
	/* interned: the same pointer twice */
	g_assert_true(ub_sahara_status_to_string(0x30) == ub_sahara_status_to_string(0x30));

	g_assert_cmpstr(ub_sahara_cmd_to_string(UB_SAHARA_CMD_HELLO), ==, "HELLO");
	g_assert_cmpstr(ub_sahara_cmd_to_string(UB_SAHARA_CMD_READ_DATA64), ==, "READ_DATA64");
	g_assert_cmpstr(ub_sahara_cmd_to_string(UB_SAHARA_CMD_RESET_STATE_MACHINE),
			==,
			"RESET_STATE_MACHINE");
	g_assert_cmpstr(ub_sahara_cmd_to_string(0), ==, "unknown");
	g_assert_cmpstr(ub_sahara_cmd_to_string(0x14), ==, "unknown");
}

static void
ub_sahara_proto_chip_info_func(void)
{
	UbSaharaChipInfo info = {0};
	/* msm 0x009600e1 (MSM8996), oem 0x0051, model 0x0001 */
	const guint8 hwid[] = {0x01, 0x00, 0x51, 0x00, 0xe1, 0x00, 0x96, 0x00};
	guint8 v3[48] = {0};
	g_autoptr(GError) error = NULL;

	g_assert_true(ub_sahara_chip_info_set_hwid(&info, hwid, sizeof(hwid), &error));
	g_assert_no_error(error);
	g_assert_true(info.has_hwid);
	g_assert_cmphex(info.hwid, ==, G_GUINT64_CONSTANT(0x009600e100510001));
	g_assert_cmphex(info.msm_id, ==, 0x009600e1);
	g_assert_cmphex(info.oem_id, ==, 0x0051);
	g_assert_cmphex(info.model_id, ==, 0x0001);
	g_assert_false(ub_sahara_chip_info_set_hwid(&info, hwid, 7, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);
	ub_sahara_chip_info_clear(&info);
	g_assert_false(info.has_hwid);

	/* v3: chip id @0, msm @36, oem @40 (0: use @44), model @42 */
	ub_mem_write_u32_le(v3, 0, 0xdeadbeef);
	ub_mem_write_u32_le(v3, 36, 0x001cb0e1);
	ub_mem_write_u16_le(v3, 40, 0x0000);
	ub_mem_write_u16_le(v3, 42, 0x1234);
	ub_mem_write_u16_le(v3, 44, 0x0072);
	g_assert_true(ub_sahara_chip_info_set_v3(&info, v3, sizeof(v3), &error));
	g_assert_no_error(error);
	g_assert_cmphex(info.chip_id_v3, ==, 0xdeadbeef);
	g_assert_cmphex(info.msm_id, ==, 0x001cb0e1);
	g_assert_cmphex(info.oem_id, ==, 0x0072);
	g_assert_cmphex(info.model_id, ==, 0x1234);
	g_assert_cmphex(info.hwid, ==, G_GUINT64_CONSTANT(0x001cb0e100721234));
	g_assert_true(info.has_hwid);
	/* 44 bytes: no alternative OEM id to fall back to */
	g_assert_true(ub_sahara_chip_info_set_v3(&info, v3, 44, NULL));
	g_assert_cmphex(info.oem_id, ==, 0);
	ub_mem_write_u16_le(v3, 40, 0x0051);
	g_assert_true(ub_sahara_chip_info_set_v3(&info, v3, sizeof(v3), NULL));
	g_assert_cmphex(info.oem_id, ==, 0x0051);
	g_assert_false(ub_sahara_chip_info_set_v3(&info, v3, 43, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	ub_sahara_chip_info_clear(&info);
}

static void
ub_sahara_proto_pk_hash_func(void)
{
	UbSaharaChipInfo info = {0};
	guint8 hash[48];
	guint8 buf[128] = {0};
	g_autofree gchar *hex32 = NULL;
	g_autofree gchar *hex48 = NULL;
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < sizeof(hash); i++)
		hash[i] = (guint8)(0xa0 + i);
	hex32 = g_strdup("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
	hex48 = g_strdup_printf("%s%s", hex32, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");

	/* exactly one SHA-256 */
	g_assert_true(ub_sahara_chip_info_set_pk_hash(&info, hash, 32, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(info.pk_hash, ==, hex32);
	/* SHA-256 repeated three times and zero padded to 128 bytes */
	memcpy(buf, hash, 32);
	memcpy(buf + 32, hash, 32);
	memcpy(buf + 64, hash, 32);
	g_assert_true(ub_sahara_chip_info_set_pk_hash(&info, buf, sizeof(buf), NULL));
	g_assert_cmpstr(info.pk_hash, ==, hex32);
	/* SHA-384 repeated twice */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, hash, 48);
	memcpy(buf + 48, hash, 48);
	g_assert_true(ub_sahara_chip_info_set_pk_hash(&info, buf, 96, NULL));
	g_assert_cmpstr(info.pk_hash, ==, hex48);
	/* SHA-384 zero padded */
	g_assert_true(ub_sahara_chip_info_set_pk_hash(&info, buf, 64, NULL));
	g_assert_cmpstr(info.pk_hash, ==, hex48);
	/* a SHA-256 whose last byte is 0 keeps its 32 bytes */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, hash, 31);
	g_assert_true(ub_sahara_chip_info_set_pk_hash(&info, buf, 64, NULL));
	g_assert_cmpuint(strlen(info.pk_hash), ==, 64);
	g_assert_true(g_str_has_suffix(info.pk_hash, "be00"));
	/* too short */
	g_assert_false(ub_sahara_chip_info_set_pk_hash(&info, hash, 31, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	ub_sahara_chip_info_clear(&info);
	g_assert_null(info.pk_hash);
}

/* a small ELF: header, @n_phdrs program headers, segments of 100 and 5000 bytes */
static GByteArray *
ub_sahara_proto_test_elf(gboolean is_64)
{
	GByteArray *elf = g_byte_array_new();
	guint ehsize = is_64 ? 64 : 52;
	guint phentsize = is_64 ? 56 : 32;
	guint phnum = 3;
	gsize seg0 = 0x1000;
	gsize seg1 = 0x2000;

	g_byte_array_set_size(elf, (guint)(seg1 + 5000));
	memset(elf->data, 0, elf->len);
	memcpy(elf->data, "\177ELF", 4);
	elf->data[4] = is_64 ? 2 : 1;
	elf->data[5] = 1;
	elf->data[6] = 1;
	if (is_64) {
		ub_mem_write_u64_le(elf->data, 32, ehsize);
		ub_mem_write_u16_le(elf->data, 52, (guint16)ehsize);
		ub_mem_write_u16_le(elf->data, 54, (guint16)phentsize);
		ub_mem_write_u16_le(elf->data, 56, (guint16)phnum);
	} else {
		ub_mem_write_u32_le(elf->data, 28, ehsize);
		ub_mem_write_u16_le(elf->data, 40, (guint16)ehsize);
		ub_mem_write_u16_le(elf->data, 42, (guint16)phentsize);
		ub_mem_write_u16_le(elf->data, 44, (guint16)phnum);
	}
	for (guint i = 0; i < phnum; i++) {
		gsize off = ehsize + i * phentsize;
		/* phdr 0 is a PT_NULL (the hash segment on real programmers) */
		guint32 type = i == 0 ? 0 : 1;
		guint64 offset = i == 1 ? seg0 : seg1;
		guint64 filesz = i == 1 ? 100 : 5000;
		if (i == 0) {
			offset = 0;
			filesz = 0x9000;
		}
		ub_mem_write_u32_le(elf->data, off, type);
		if (is_64) {
			ub_mem_write_u64_le(elf->data, off + 8, offset);
			ub_mem_write_u64_le(elf->data, off + 32, filesz);
		} else {
			ub_mem_write_u32_le(elf->data, off + 4, (guint32)offset);
			ub_mem_write_u32_le(elf->data, off + 16, (guint32)filesz);
		}
	}
	return elf;
}

static void
ub_sahara_proto_elf_func(void)
{
	for (guint k = 0; k < 2; k++) {
		gboolean is_64 = k == 1;
		g_autoptr(GByteArray) elf = ub_sahara_proto_test_elf(is_64);
		UbSaharaElfInfo info = {0};
		g_autoptr(GError) error = NULL;
		guint64 offset = 0;
		guint64 size = 0;
		guint64 end = 0;
		guint hdr_len = is_64 ? 64 + 3 * 56 : 52 + 3 * 32;

		g_assert_true(ub_sahara_elf_check(elf->data, elf->len, &info, &error));
		g_assert_no_error(error);
		g_assert_cmpint(info.is_64, ==, is_64);
		g_assert_cmpuint(info.n_segments, ==, 2);
		g_assert_cmpuint(info.image_size, ==, 0x2000 + 5000);
		/* the header and the table are enough */
		g_assert_true(ub_sahara_elf_check(elf->data, hdr_len, &info, NULL));
		g_assert_false(ub_sahara_elf_check(elf->data, hdr_len - 1, &info, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);

		g_assert_true(ub_sahara_elf_get_phdrs_end(elf->data, is_64 ? 64 : 52, &end, NULL));
		g_assert_cmpuint(end, ==, hdr_len);
		g_assert_false(ub_sahara_elf_get_phdrs_end(elf->data, 51, &end, NULL));

		g_assert_true(ub_sahara_elf_get_segment(elf->data, hdr_len, 0, &offset, &size, NULL));
		g_assert_cmpuint(offset, ==, 0x1000);
		g_assert_cmpuint(size, ==, 100);
		g_assert_true(ub_sahara_elf_get_segment(elf->data, hdr_len, 1, &offset, &size, NULL));
		g_assert_cmpuint(offset, ==, 0x2000);
		g_assert_cmpuint(size, ==, 5000);
		g_assert_false(ub_sahara_elf_get_segment(elf->data, hdr_len, 2, &offset, &size, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_clear_error(&error);

		/* big endian */
		elf->data[5] = 2;
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, NULL));
		elf->data[5] = 1;
		/* bad class */
		elf->data[4] = 3;
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, NULL));
		elf->data[4] = is_64 ? 2 : 1;
		/* wrong program header size */
		ub_mem_write_u16_le(elf->data, is_64 ? 54 : 42, 40);
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, NULL));
		ub_mem_write_u16_le(elf->data, is_64 ? 54 : 42, is_64 ? 56 : 32);
		/* no program headers, too many */
		ub_mem_write_u16_le(elf->data, is_64 ? 56 : 44, 0);
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, NULL));
		ub_mem_write_u16_le(elf->data, is_64 ? 56 : 44, 0xffff);
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, NULL));
		ub_mem_write_u16_le(elf->data, is_64 ? 56 : 44, 3);
		/* table offset out of the buffer, and one that overflows */
		if (is_64)
			ub_mem_write_u64_le(elf->data, 32, G_MAXUINT64 - 8);
		else
			ub_mem_write_u32_le(elf->data, 28, G_MAXUINT32 - 8);
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, NULL));
		if (is_64)
			ub_mem_write_u64_le(elf->data, 32, 64);
		else
			ub_mem_write_u32_le(elf->data, 28, 52);
		g_assert_true(ub_sahara_elf_check(elf->data, elf->len, NULL, NULL));
		/* a segment past 4 GiB */
		if (is_64)
			ub_mem_write_u64_le(elf->data, 64 + 56 + 8, G_GUINT64_CONSTANT(0xfffffff0));
		else
			ub_mem_write_u32_le(elf->data, 52 + 32 + 4, 0xfffffff0);
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		/* no PT_LOAD at all */
		ub_mem_write_u32_le(elf->data, is_64 ? 64 + 56 : 52 + 32, 0);
		ub_mem_write_u32_le(elf->data, is_64 ? 64 + 112 : 52 + 64, 0);
		g_assert_false(ub_sahara_elf_check(elf->data, elf->len, NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
}

static void
ub_sahara_proto_not_elf_func(void)
{
	const gchar *mbn = "\x00\x00\x00\x00\x03\x00\x00\x00 an old MBN header, not an ELF";
	g_autoptr(GError) error = NULL;

	g_assert_false(ub_sahara_elf_check((const guint8 *)mbn, 40, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message, ==, "programmer is not an ELF file");
	g_clear_error(&error);
	g_assert_false(ub_sahara_elf_check(NULL, 0, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	/* just the magic */
	g_assert_false(ub_sahara_elf_check((const guint8 *)"\177ELF\001\001\001", 16, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/edl/sahara-proto/hello", ub_sahara_proto_hello_func);
	g_test_add_func("/ub/edl/sahara-proto/hello-resp", ub_sahara_proto_hello_resp_func);
	g_test_add_func("/ub/edl/sahara-proto/read-data", ub_sahara_proto_read_data_func);
	g_test_add_func("/ub/edl/sahara-proto/others", ub_sahara_proto_others_func);
	g_test_add_func("/ub/edl/sahara-proto/bad", ub_sahara_proto_bad_func);
	g_test_add_func("/ub/edl/sahara-proto/strings", ub_sahara_proto_strings_func);
	g_test_add_func("/ub/edl/sahara-proto/chip-info", ub_sahara_proto_chip_info_func);
	g_test_add_func("/ub/edl/sahara-proto/pk-hash", ub_sahara_proto_pk_hash_func);
	g_test_add_func("/ub/edl/sahara-proto/elf", ub_sahara_proto_elf_func);
	g_test_add_func("/ub/edl/sahara-proto/not-elf", ub_sahara_proto_not_elf_func);
	return g_test_run();
}
