/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "mtk/ub-mtk-proto.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the MediaTek codecs that read device bytes: XFlash header, data parameter
 * block (at offset 0 and after a header) and the preloader boot header */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guint32 type = 0;
	guint32 len = 0;
	guint32 storage = 0;
	guint32 section = 0;
	guint64 offset = 0;
	guint64 length = 0;
	gboolean odd_pending = FALSE;
	guint8 odd_byte = 0;
	guint16 sum = 0;

	if (ub_mtk_xflash_header_parse(data, size, &type, &len, NULL)) {
		g_assert_true(type == UB_MTK_XFLASH_TYPE_PROTOCOL || type == UB_MTK_XFLASH_TYPE_MESSAGE);
		g_assert_cmpuint(len, <=, UB_MTK_XFLASH_MAX_PAYLOAD);
	}
	if (ub_mtk_xflash_data_param_parse(data, size, &storage, &section, &offset, &length, NULL)) {
		guint8 buf[UB_MTK_XFLASH_DATA_PARAM_LEN] = {0};
		g_assert_cmpuint(offset + length, >=, offset);
		(void)ub_mtk_region_for_section((UbMtkStorage)storage, section);
		ub_mtk_xflash_data_param_build(buf, storage, section, offset, length);
		g_assert_true(ub_mtk_xflash_data_param_parse(buf, sizeof(buf), NULL, NULL, NULL, NULL, NULL));
	}
	if (size > UB_MTK_XFLASH_HEADER_LEN &&
	    ub_mtk_xflash_data_param_parse(data + UB_MTK_XFLASH_HEADER_LEN,
					   size - UB_MTK_XFLASH_HEADER_LEN,
					   NULL,
					   NULL,
					   &offset,
					   &length,
					   NULL))
		g_assert_cmpuint(offset + length, >=, offset);
	if (ub_mtk_preloader_boot_header_check(data, size, &offset, NULL))
		g_assert_cmpuint(offset, >=, 0x228);

	/* the streaming SEND_DA checksum agrees with the one-shot one */
	sum = ub_mtk_da_checksum_update(sum, data, size / 3, &odd_pending, &odd_byte);
	sum = ub_mtk_da_checksum_update(sum, data + size / 3, size - size / 3, &odd_pending, &odd_byte);
	g_assert_cmpuint(sum, ==, ub_mtk_da_checksum(data, size));
	(void)ub_mtk_xflash_checksum(data, size);
	return 0;
}
