/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

static void
ub_error_convert_gio_func(void)
{
	g_autoptr(GError) error = NULL;
	g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "slow");
	ub_error_convert(&error);
	g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
	g_assert_cmpstr(error->message, ==, "slow");
	g_clear_error(&error);

	g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "gone");
	ub_error_convert(&error);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);

	g_set_error_literal(&error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no file");
	ub_error_convert(&error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);

	g_set_error_literal(&error, G_FILE_ERROR, G_FILE_ERROR_ACCES, "denied");
	ub_error_convert(&error);
	g_assert_error(error, UB_ERROR, UB_ERROR_PERMISSION_DENIED);
	g_clear_error(&error);

	/* foreign domains become INTERNAL, keeping the message */
	g_set_error_literal(&error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "bad");
	ub_error_convert(&error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INTERNAL);
	g_assert_cmpstr(error->message, ==, "bad");
}

static void
ub_error_cancelled_func(void)
{
	g_autoptr(GError) error = NULL;
	g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
	ub_error_convert(&error);
	/* cancellation is never converted: front-ends stay quiet about it */
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_true(ub_error_is_cancelled(error));
	g_assert_false(ub_error_is_cancelled(NULL));

	/* converting NULL or an UB_ERROR is a no-op */
	ub_error_convert(NULL);
	g_clear_error(&error);
	g_set_error_literal(&error, UB_ERROR, UB_ERROR_REFUSED, "no");
	ub_error_convert(&error);
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
}

static void
ub_error_context_func(void)
{
	g_autoptr(GError) error = NULL;
	g_set_error_literal(&error, UB_ERROR, UB_ERROR_REFUSED, "remote: 'flash write failure'");
	g_prefix_error(&error, "failed to flash %s: ", "boot_a");
	g_assert_cmpstr(error->message, ==, "failed to flash boot_a: remote: 'flash write failure'");
}

static void
ub_error_strings_func(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < UB_ERROR_LAST; i++) {
		const gchar *str = ub_error_code_to_string(i);
		g_assert_cmpstr(str, !=, "unknown");
		/* every code has its own identifier for --json */
		g_assert_false(g_hash_table_contains(seen, str));
		g_hash_table_add(seen, (gpointer)str);
	}
	g_assert_cmpstr(ub_error_code_to_string(UB_ERROR_LAST), ==, "unknown");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/error/convert-gio", ub_error_convert_gio_func);
	g_test_add_func("/ub/core/error/cancelled", ub_error_cancelled_func);
	g_test_add_func("/ub/core/error/context", ub_error_context_func);
	g_test_add_func("/ub/core/error/strings", ub_error_strings_func);
	return g_test_run();
}
