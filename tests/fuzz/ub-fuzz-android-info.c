/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "formats/ub-android-info.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbAndroidInfo) info = ub_android_info_parse(data, size, NULL);
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) cmds = NULL;
	guint version = 0;

	if (info != NULL) {
		GPtrArray *reqs = ub_android_info_get_requirements(info);
		for (guint i = 0; i < reqs->len; i++) {
			UbAndroidInfoRequirement *req = g_ptr_array_index(reqs, i);
			g_autofree gchar *value = ub_android_info_get_value(info, req->key);
			g_assert_cmpuint(req->values->len, >, 0);
		}
	}
	cmds = ub_fastboot_info_parse(data, size, &version, warnings, NULL);
	if (cmds != NULL) {
		g_assert_cmpuint(version, <=, UB_FASTBOOT_INFO_VERSION);
		for (guint i = 0; i < cmds->len; i++) {
			UbFastbootInfoCommand *cmd = g_ptr_array_index(cmds, i);
			if (cmd->op == UB_FASTBOOT_INFO_OP_FLASH) {
				g_assert_nonnull(cmd->image);
				g_assert_null(strchr(cmd->image, '/'));
			}
		}
	}
	return 0;
}
