/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mtk/ub-mtk-proto.h"
#include "ub-error.h"
#include "ub-mem.h"

static void
ub_mtk_proto_handshake_func(void)
{
	const guint8 expected[] = {0xA0, 0x0A, 0x50, 0x05};
	g_assert_cmpmem(ub_mtk_handshake, UB_MTK_HANDSHAKE_LEN, expected, sizeof(expected));
	/* the device answers the complement: 5F F5 AF FA */
	g_assert_cmpuint((guint8)~ub_mtk_handshake[0], ==, 0x5F);
	g_assert_cmpuint((guint8)~ub_mtk_handshake[3], ==, 0xFA);
}

static void
ub_mtk_proto_status_func(void)
{
	g_assert_true(ub_mtk_status_is_ok(0));
	g_assert_true(ub_mtk_status_is_ok(0x1D0C));
	g_assert_false(ub_mtk_status_is_ok(0x1D0D));
	g_assert_false(ub_mtk_status_is_ok(0xC0010003));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0x1D0D), "authentication file"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0x1D0D), "--auth"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0x7017), "OEM"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0x7024), "signed by its manufacturer"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0xC003000A), "Firmware Upgrade"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0xC003000A), "Format All + Download"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0xC0030012), "authentication file"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(2004), "S_BROM_DOWNLOAD_DA_FAIL"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(2005), "powered up too early"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(4032), "DRAM"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(4001), "ModemManager"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(0xC0010003), "command"));
	g_assert_nonnull(strstr(ub_mtk_status_to_string(6013), "S_SECURITY"));
	/* unknown codes are named, interned: the same pointer each time */
	g_assert_cmpstr(ub_mtk_status_to_string(0x12345678), ==, "unknown status 0x12345678");
	g_assert_true(ub_mtk_status_to_string(0x12345678) == ub_mtk_status_to_string(0x12345678));
}

static void
ub_mtk_proto_target_config_func(void)
{
	g_autofree gchar *none = ub_mtk_target_config_to_string(0);
	g_autofree gchar *sbc = ub_mtk_target_config_to_string(0x1);
	g_autofree gchar *all = ub_mtk_target_config_to_string(0x7);
	g_autofree gchar *odd = ub_mtk_target_config_to_string(0x102);
	g_assert_cmpstr(none, ==, "no security");
	g_assert_cmpstr(sbc, ==, "secure boot (SBC)");
	g_assert_cmpstr(all,
			==,
			"secure boot (SBC), serial link authentication (SLA), "
			"DA authentication (DAA)");
	g_assert_cmpstr(odd, ==, "serial link authentication (SLA), unknown flags 0x100");
}

static void
ub_mtk_proto_da_checksum_func(void)
{
	const guint8 even[] = {0x01, 0x02, 0x03, 0x04};
	const guint8 odd[] = {0x01, 0x02, 0x03, 0x04, 0xAA};
	g_autofree guint8 *big = g_malloc(4099);

	/* 0x0201 ^ 0x0403 = 0x0602; an odd last byte XORed alone */
	g_assert_cmpuint(ub_mtk_da_checksum(even, sizeof(even)), ==, 0x0602);
	g_assert_cmpuint(ub_mtk_da_checksum(odd, sizeof(odd)), ==, 0x06A8);
	g_assert_cmpuint(ub_mtk_da_checksum(NULL, 0), ==, 0);

	/* streaming in uneven pieces gives the one-shot value */
	for (guint i = 0; i < 4099; i++)
		big[i] = (guint8)(i * 7 + 3);
	for (gsize piece = 1; piece < 9; piece++) {
		guint16 sum = 0;
		gboolean odd_pending = FALSE;
		guint8 odd_byte = 0;
		for (gsize off = 0; off < 4099; off += piece) {
			gsize n = MIN(piece, 4099 - off);
			sum = ub_mtk_da_checksum_update(sum, big + off, n, &odd_pending, &odd_byte);
			/* after each piece the value is the checksum of the data so far */
			g_assert_cmpuint(sum, ==, ub_mtk_da_checksum(big, off + n));
		}
		g_assert_cmpuint(sum, ==, ub_mtk_da_checksum(big, 4099));
	}
}

/* the trace of https://github.com/bkerler/mtkclient/issues/35 */
static void
ub_mtk_proto_xflash_header_func(void)
{
	const guint8 trace[] = {0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00};
	const guint8 cmd[] = {0x09, 0x00, 0x01, 0x00};
	guint8 buf[UB_MTK_XFLASH_HEADER_LEN] = {0};
	guint8 bad[UB_MTK_XFLASH_HEADER_LEN] = {0};
	guint32 type = 0;
	guint32 len = 0;
	g_autoptr(GError) error = NULL;

	g_assert_true(ub_mtk_xflash_header_parse(trace, sizeof(trace), &type, &len, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(type, ==, UB_MTK_XFLASH_TYPE_PROTOCOL);
	g_assert_cmpuint(len, ==, 4);
	g_assert_cmpuint(ub_mem_read_u32_le(cmd, 0), ==, UB_MTK_XFLASH_CMD_DEVICE_CTRL);
	ub_mtk_xflash_header_build(buf, UB_MTK_XFLASH_TYPE_PROTOCOL, 4);
	g_assert_cmpmem(buf, sizeof(buf), trace, sizeof(trace));

	/* short */
	g_assert_false(ub_mtk_xflash_header_parse(trace, 11, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	/* bad magic */
	memcpy(bad, trace, sizeof(bad));
	bad[0] = 0xee;
	g_assert_false(ub_mtk_xflash_header_parse(bad, sizeof(bad), NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);
	/* unknown type */
	ub_mtk_xflash_header_build(bad, 3, 4);
	g_assert_false(ub_mtk_xflash_header_parse(bad, sizeof(bad), NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
	g_clear_error(&error);
	/* message type is fine, length at the limit fine, one more is not */
	ub_mtk_xflash_header_build(bad, UB_MTK_XFLASH_TYPE_MESSAGE, UB_MTK_XFLASH_MAX_PAYLOAD);
	g_assert_true(ub_mtk_xflash_header_parse(bad, sizeof(bad), &type, &len, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(len, ==, UB_MTK_XFLASH_MAX_PAYLOAD);
	ub_mtk_xflash_header_build(bad, UB_MTK_XFLASH_TYPE_PROTOCOL, 0xFFFFFFFF);
	g_assert_false(ub_mtk_xflash_header_parse(bad, sizeof(bad), NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_PROTOCOL);
}

static void
ub_mtk_proto_data_param_func(void)
{
	guint8 buf[UB_MTK_XFLASH_DATA_PARAM_LEN] = {0};
	guint32 storage = 0;
	guint32 section = 0;
	guint64 offset = 0;
	guint64 length = 0;
	g_autoptr(GError) error = NULL;

	ub_mtk_xflash_data_param_build(buf, UB_MTK_STORAGE_EMMC, UB_MTK_SECTION_EMMC_USER, 0x8000, 0x200000);
	/* the bytes: LE u32 1, u32 8, u64 0x8000, u64 0x200000, zeros */
	g_assert_cmpuint(buf[0], ==, 0x01);
	g_assert_cmpuint(buf[4], ==, 0x08);
	g_assert_cmpuint(buf[9], ==, 0x80);
	g_assert_cmpuint(buf[18], ==, 0x20);
	for (guint i = 24; i < sizeof(buf); i++)
		g_assert_cmpuint(buf[i], ==, 0);
	g_assert_true(ub_mtk_xflash_data_param_parse(buf, sizeof(buf), &storage, &section, &offset, &length, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(storage, ==, 1);
	g_assert_cmpuint(section, ==, 8);
	g_assert_cmpuint(offset, ==, 0x8000);
	g_assert_cmpuint(length, ==, 0x200000);

	/* wrong sizes and an overflowing range */
	g_assert_false(ub_mtk_xflash_data_param_parse(buf, 55, NULL, NULL, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mtk_xflash_data_param_parse(NULL, 0, NULL, NULL, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	ub_mtk_xflash_data_param_build(buf, 1, 8, G_MAXUINT64 - 10, 11);
	g_assert_false(ub_mtk_xflash_data_param_parse(buf, sizeof(buf), NULL, NULL, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

static void
ub_mtk_proto_xflash_checksum_func(void)
{
	g_autofree guint8 *buf = g_malloc(1024);
	const guint8 small[] = {0xFF, 0xFF, 0x02};
	memset(buf, 0xFF, 1024);
	g_assert_cmpuint(ub_mtk_xflash_checksum(small, sizeof(small)), ==, 0x200);
	/* 1024 * 255 = 0x3FC00, kept in 16 bits */
	g_assert_cmpuint(ub_mtk_xflash_checksum(buf, 1024), ==, 0xFC00);
	g_assert_cmpuint(ub_mtk_xflash_checksum(NULL, 0), ==, 0);
}

static void
ub_mtk_proto_sections_func(void)
{
	struct {
		UbMtkStorage storage;
		const gchar *region;
		guint32 section;
	} rows[] = {
	    {UB_MTK_STORAGE_EMMC, "boot1", 1},
	    {UB_MTK_STORAGE_EMMC, "boot2", 2},
	    {UB_MTK_STORAGE_EMMC, "rpmb", 3},
	    {UB_MTK_STORAGE_EMMC, "user", 8},
	    {UB_MTK_STORAGE_EMMC, "boot1_boot2", 10},
	    {UB_MTK_STORAGE_UFS, "lun0", 1},
	    {UB_MTK_STORAGE_UFS, "lun1", 2},
	    {UB_MTK_STORAGE_UFS, "lun2", 3},
	    {UB_MTK_STORAGE_UFS, "rpmb", 4},
	};
	guint32 section = 0;
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_assert_true(ub_mtk_section_for_region(rows[i].storage, rows[i].region, &section, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(section, ==, rows[i].section);
		g_assert_cmpstr(ub_mtk_region_for_section(rows[i].storage, rows[i].section), ==, rows[i].region);
	}
	/* scatter spellings */
	g_assert_true(ub_mtk_section_for_region(UB_MTK_STORAGE_EMMC, "EMMC_USER", &section, NULL));
	g_assert_cmpuint(section, ==, 8);
	g_assert_true(ub_mtk_section_for_region(UB_MTK_STORAGE_UFS, "UFS_LU2", &section, NULL));
	g_assert_cmpuint(section, ==, 3);
	g_assert_true(ub_mtk_section_for_region(UB_MTK_STORAGE_EMMC, "EMMC_BOOT_1", &section, NULL));
	g_assert_cmpuint(section, ==, 1);
	/* the region must exist on that storage */
	g_assert_false(ub_mtk_section_for_region(UB_MTK_STORAGE_UFS, "user", &section, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(ub_mtk_section_for_region(UB_MTK_STORAGE_EMMC, "lun2", &section, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(ub_mtk_section_for_region(UB_MTK_STORAGE_EMMC, NULL, &section, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(ub_mtk_region_for_section(UB_MTK_STORAGE_EMMC, 9));
	g_assert_null(ub_mtk_region_for_section(UB_MTK_STORAGE_UFS, 8));
}

static void
ub_mtk_proto_chips_func(void)
{
	const UbMtkChip *chip = ub_mtk_chip_lookup(0x0766);
	g_assert_nonnull(chip);
	g_assert_cmpstr(chip->platform, ==, "MT6765");
	g_assert_nonnull(strstr(chip->name, "MT6765"));
	g_assert_cmpuint(chip->da_code, ==, 0x6765);
	g_assert_cmpuint(chip->watchdog_addr, ==, 0x10007000);
	g_assert_cmpuint(chip->watchdog_value, ==, 0x22000064);
	g_assert_false(chip->watchdog_16bit);
	g_assert_cmpuint(chip->da_payload_addr, ==, 0x201000);

	/* BROM code != DA code */
	chip = ub_mtk_chip_lookup(0x0707);
	g_assert_nonnull(chip);
	g_assert_cmpuint(chip->da_code, ==, 0x6768);
	chip = ub_mtk_chip_lookup(0x0321);
	g_assert_nonnull(chip);
	g_assert_cmpuint(chip->watchdog_addr, ==, 0x10212000);
	g_assert_cmpuint(chip->watchdog_value, ==, 0x22000000);
	/* old chips: 16-bit watchdog write */
	chip = ub_mtk_chip_lookup(0x6261);
	g_assert_nonnull(chip);
	g_assert_true(chip->watchdog_16bit);
	g_assert_cmpuint(chip->watchdog_value, ==, 0x2200);

	chip = ub_mtk_chip_lookup_platform("mt6580");
	g_assert_nonnull(chip);
	g_assert_cmpuint(chip->hw_code, ==, 0x6580);
	g_assert_null(ub_mtk_chip_lookup(0xBEEF));
	g_assert_null(ub_mtk_chip_lookup_platform("MT9999"));
	g_assert_null(ub_mtk_chip_lookup_platform(NULL));
	/* 30+ chips, each with what the engine needs */
	for (guint code = 0; code <= 0xFFFF; code++) {
		chip = ub_mtk_chip_lookup((guint16)code);
		if (chip == NULL)
			continue;
		g_assert_true(g_str_has_prefix(chip->platform, "MT"));
		g_assert_cmpuint(chip->da_payload_addr, !=, 0);
	}
	g_assert_nonnull(ub_mtk_chip_lookup(0x0699));
	g_assert_nonnull(ub_mtk_chip_lookup(0x0717));
	g_assert_nonnull(ub_mtk_chip_lookup(0x0989));
}

static void
ub_mtk_proto_chip_count_func(void)
{
	guint n = 0;
	for (guint code = 0; code <= 0xFFFF; code++) {
		if (ub_mtk_chip_lookup((guint16)code) != NULL)
			n++;
	}
	g_assert_cmpuint(n, >=, 30);
}

static void
ub_mtk_proto_boot_header_emmc_func(void)
{
	g_autoptr(GBytes) hdr = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree guint8 *buf = NULL;
	const guint8 *data;
	gsize sz = 0;
	guint64 offset = 0;

	hdr = ub_mtk_preloader_boot_header_build(UB_MTK_STORAGE_EMMC, 0x3A000, &error);
	g_assert_no_error(error);
	g_assert_nonnull(hdr);
	data = g_bytes_get_data(hdr, &sz);
	g_assert_cmpuint(sz, ==, 0x800);
	/* the fields of a real MT6765 boot1 (mtk.md b.3) */
	g_assert_cmpmem(data, 12, "EMMC_BOOT\0\0\0", 12);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x0C), ==, 1);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x10), ==, 0x200);
	g_assert_cmpuint(data[0x14], ==, 0xFF);
	g_assert_cmpuint(data[0x1FF], ==, 0xFF);
	g_assert_cmpmem(data + 0x200, 8, "BRLYT\0\0\0", 8);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x208), ==, 1);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x20C), ==, 0x800);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x210), ==, 0x40800);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x214), ==, 0x42424242);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x218), ==, 0x00010005);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x21C), ==, 0x800);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x220), ==, 0x40800);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x224), ==, 1);
	g_assert_cmpuint(data[0x228], ==, 0x00);
	g_assert_cmpuint(data[0x2B4], ==, 0xFF);
	g_assert_cmpuint(data[0x3FF], ==, 0xFF);
	g_assert_cmpuint(data[0x400], ==, 0x00);
	g_assert_cmpuint(data[0x7FF], ==, 0x00);

	g_assert_true(ub_mtk_preloader_boot_header_check(data, sz, &offset, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(offset, ==, 0x800);

	/* damaged copies are refused */
	buf = g_memdup2(data, sz);
	buf[0x200] = 'X';
	g_assert_false(ub_mtk_preloader_boot_header_check(buf, sz, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	memcpy(buf, data, sz);
	ub_mem_write_u32_le(buf, 0x214, 0);
	g_assert_false(ub_mtk_preloader_boot_header_check(buf, sz, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	memcpy(buf, data, sz);
	ub_mem_write_u32_le(buf, 0x21C, 0x10);
	g_assert_false(ub_mtk_preloader_boot_header_check(buf, sz, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	memcpy(buf, data, sz);
	ub_mem_write_u32_le(buf, 0x220, 0x800);
	g_assert_false(ub_mtk_preloader_boot_header_check(buf, sz, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	memcpy(buf, data, sz);
	ub_mem_write_u32_le(buf, 0x10, 0x1000);
	g_assert_false(ub_mtk_preloader_boot_header_check(buf, sz, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	/* a bare preloader (GFH "MMM\x01") at offset 0 is what bricks to BROM */
	memset(buf, 0, sz);
	memcpy(buf, "MMM\x01", 4);
	g_assert_false(ub_mtk_preloader_boot_header_check(buf, sz, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mtk_preloader_boot_header_check(data, 0x227, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
}

static void
ub_mtk_proto_boot_header_ufs_func(void)
{
	g_autoptr(GBytes) hdr = NULL;
	g_autoptr(GBytes) big = NULL;
	g_autoptr(GError) error = NULL;
	const guint8 *data;
	gsize sz = 0;
	guint64 offset = 0;

	hdr = ub_mtk_preloader_boot_header_build(UB_MTK_STORAGE_UFS, 0x40000, &error);
	g_assert_no_error(error);
	data = g_bytes_get_data(hdr, &sz);
	g_assert_cmpuint(sz, ==, 0x1000);
	g_assert_cmpmem(data, 9, "UFS_BOOT\0", 9);
	g_assert_cmpuint(ub_mem_read_u32_le(data, 0x10), ==, 0x1000);
	g_assert_cmpuint(data[0x218], ==, 0x0C);
	g_assert_true(ub_mtk_preloader_boot_header_check(data, sz, &offset, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(offset, ==, 0x1000);

	/* a larger preloader gets a larger region */
	big = ub_mtk_preloader_boot_header_build(UB_MTK_STORAGE_EMMC, 0x50000, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_mem_read_u32_le(g_bytes_get_data(big, NULL), 0x220), ==, 0x800 + 0x80000);

	/* refusals */
	g_assert_null(ub_mtk_preloader_boot_header_build(UB_MTK_STORAGE_EMMC, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_null(ub_mtk_preloader_boot_header_build(UB_MTK_STORAGE_EMMC, G_MAXUINT64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_null(ub_mtk_preloader_boot_header_build((UbMtkStorage)0x10, 0x1000, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/mtk/proto/handshake", ub_mtk_proto_handshake_func);
	g_test_add_func("/ub/mtk/proto/status", ub_mtk_proto_status_func);
	g_test_add_func("/ub/mtk/proto/target-config", ub_mtk_proto_target_config_func);
	g_test_add_func("/ub/mtk/proto/da-checksum", ub_mtk_proto_da_checksum_func);
	g_test_add_func("/ub/mtk/proto/xflash-header", ub_mtk_proto_xflash_header_func);
	g_test_add_func("/ub/mtk/proto/data-param", ub_mtk_proto_data_param_func);
	g_test_add_func("/ub/mtk/proto/xflash-checksum", ub_mtk_proto_xflash_checksum_func);
	g_test_add_func("/ub/mtk/proto/sections", ub_mtk_proto_sections_func);
	g_test_add_func("/ub/mtk/proto/chips", ub_mtk_proto_chips_func);
	g_test_add_func("/ub/mtk/proto/chip-count", ub_mtk_proto_chip_count_func);
	g_test_add_func("/ub/mtk/proto/boot-header-emmc", ub_mtk_proto_boot_header_emmc_func);
	g_test_add_func("/ub/mtk/proto/boot-header-ufs", ub_mtk_proto_boot_header_ufs_func);
	return g_test_run();
}
