/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "fastboot/ub-fastboot-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* everything a phone sends back: one response packet, and the same bytes as
 * "getvar all" lines (INFO partition-size:boot_a:0x4000000) */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UbFastbootResponseKind kind = UB_FASTBOOT_RESPONSE_LAST;
	g_autofree gchar *text = NULL;
	guint32 data_size = 0;
	g_autofree gchar *str = data != NULL ? g_strndup((const gchar *)data, size) : g_strdup("");
	g_auto(GStrv) lines = g_strsplit(str, "\n", -1);
	g_autoptr(GPtrArray) var_lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) vars = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	guint64 value = 0;

	if (ub_fastboot_response_parse(data, size, &kind, &text, &data_size, NULL)) {
		g_assert_cmpint(kind, <, UB_FASTBOOT_RESPONSE_LAST);
		if (kind == UB_FASTBOOT_RESPONSE_FAIL)
			(void)ub_fastboot_fail_advice(text);
	}
	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree gchar *name = NULL;
		g_autofree gchar *val = NULL;
		if (ub_fastboot_var_line_parse(lines[i], &name, &val, NULL))
			g_ptr_array_add(var_lines, g_strdup(lines[i]));
		/* a size parses only from something with a (hex) digit in it */
		if (ub_fastboot_parse_size(lines[i], TRUE, &value, NULL))
			g_assert_nonnull(strpbrk(lines[i], "0123456789abcdefABCDEF"));
		if (ub_fastboot_parse_size(lines[i], FALSE, &value, NULL))
			g_assert_nonnull(strpbrk(lines[i], "0123456789"));
		/* what is accepted as a command fits the bootloader's buffer */
		if (ub_fastboot_command_validate(lines[i], NULL))
			g_assert_cmpuint(strlen(lines[i]), <=, UB_FASTBOOT_COMMAND_MAX);
		/* an accepted name can never smuggle a ':' or a space into a command */
		if (ub_fastboot_partition_name_validate(lines[i], NULL))
			g_assert_null(strpbrk(lines[i], ": \t"));
	}
	vars = ub_fastboot_var_lines_to_hash(var_lines);
	parts = ub_fastboot_var_lines_to_partitions(var_lines);
	g_assert_nonnull(vars);
	g_assert_nonnull(parts);
	return 0;
}
