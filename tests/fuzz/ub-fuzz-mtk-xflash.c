/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "mtk/ub-mtk-xflash.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* byte 0 picks the question (even: EMMC_INFO, odd: UFS_INFO), the rest is the DA's answer */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UbMtkXflashStorageInfo info = {0};
	g_autoptr(GError) error = NULL;
	guint32 ctrl;

	if (size == 0 || size > 64 * 1024)
		return 0;
	ctrl = data[0] % 2 == 0 ? UB_MTK_XFLASH_CTRL_GET_EMMC_INFO : UB_MTK_XFLASH_CTRL_GET_UFS_INFO;
	if (ub_mtk_xflash_storage_info_parse(ctrl, data + 1, size - 1, &info, &error)) {
		g_assert_no_error(error);
		/* a sector size the engine can use, a user area made of whole sectors */
		g_assert_cmpuint(info.block_size, >=, 512);
		g_assert_cmpuint(info.block_size & (info.block_size - 1), ==, 0);
		if (ctrl == UB_MTK_XFLASH_CTRL_GET_EMMC_INFO) {
			g_assert_cmpuint(info.storage, ==, UB_MTK_STORAGE_EMMC);
			g_assert_cmpuint(info.user_size, >, 0);
			g_assert_cmpuint(info.user_size % info.block_size, ==, 0);
		} else {
			g_assert_cmpuint(info.storage, ==, UB_MTK_STORAGE_UFS);
			g_assert_cmpuint(info.lu2_size, >, 0);
			g_assert_cmpuint(info.lu2_size % info.block_size, ==, 0);
		}
		if (info.cid != NULL)
			g_assert_cmpuint(strlen(info.cid), ==, 32);
		ub_mtk_xflash_storage_info_clear(&info);
		g_assert_null(info.cid);
	} else {
		g_assert_nonnull(error);
		/* a failed parse leaves nothing behind */
		g_assert_cmpuint(info.storage, ==, 0);
		g_assert_cmpuint(info.block_size, ==, 0);
		g_assert_null(info.cid);
	}
	return 0;
}
