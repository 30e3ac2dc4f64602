/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "formats/ub-flash-script.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the same bytes as shell and as batch */
	const gchar *names[] = {"flash_all.sh", "flash_all.bat"};
	g_autoptr(UbFlashScript) sh = ub_flash_script_parse(data, size, names[0], NULL);
	g_autoptr(UbFlashScript) bat = ub_flash_script_parse(data, size, names[1], NULL);
	UbFlashScript *scripts[] = {sh, bat};

	if (sh == NULL || bat == NULL)
		return 0;
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		GPtrArray *steps = ub_flash_script_get_steps(scripts[i]);
		for (guint j = 0; j < steps->len; j++) {
			UbFlashScriptStep *step = g_ptr_array_index(steps, j);
			/* paths never leave the package */
			if (step->file != NULL) {
				g_auto(GStrv) parts = g_strsplit(step->file, "/", -1);
				g_assert_false(g_str_has_prefix(step->file, "/"));
				for (guint k = 0; parts[k] != NULL; k++)
					g_assert_cmpstr(parts[k], !=, "..");
			}
			g_assert_nonnull(ub_flash_script_op_to_string(step->op));
		}
	}
	g_free(ub_flash_script_diff(sh, bat));
	return 0;
}
