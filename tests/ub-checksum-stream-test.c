/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

/* sha256("abc") */
#define UB_SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void
ub_checksum_output_func(void)
{
	g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable();
	g_autoptr(GOutputStream) out = ub_checksum_output_stream_new(mem);
	g_autoptr(GOutputStream) only = ub_checksum_output_stream_new(NULL);
	g_assert_true(g_output_stream_write_all(out, "a", 1, NULL, NULL, NULL));
	g_assert_true(g_output_stream_write_all(out, "bc", 2, NULL, NULL, NULL));
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	g_assert_cmpstr(ub_checksum_output_stream_get_sha256(UB_CHECKSUM_OUTPUT_STREAM(out)),
			==,
			UB_SHA256_ABC);
	/* the data went through to the base stream */
	g_assert_cmpuint(g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(mem)), ==, 3);
	g_assert_cmpmem(g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(mem)), 3, "abc", 3);
	g_assert_true(g_output_stream_write_all(only, "abc", 3, NULL, NULL, NULL));
	g_assert_cmpuint(ub_checksum_output_stream_get_bytes(UB_CHECKSUM_OUTPUT_STREAM(only)), ==, 3);
	g_assert_cmpstr(ub_checksum_output_stream_get_sha256(UB_CHECKSUM_OUTPUT_STREAM(only)),
			==,
			UB_SHA256_ABC);
}

static void
ub_compare_equal_func(void)
{
	g_autoptr(GInputStream) image = g_memory_input_stream_new_from_data("abcdef", 6, NULL);
	g_autoptr(GOutputStream) cmp = ub_compare_output_stream_new(image, "boot_a");
	g_autoptr(GError) error = NULL;
	g_assert_true(g_output_stream_write_all(cmp, "abc", 3, NULL, NULL, &error));
	g_assert_true(g_output_stream_write_all(cmp, "def", 3, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_compare_output_stream_get_bytes(UB_COMPARE_OUTPUT_STREAM(cmp)), ==, 6);
}

static void
ub_compare_differs_func(void)
{
	g_autoptr(GInputStream) image = g_memory_input_stream_new_from_data("abcdef", 6, NULL);
	g_autoptr(GOutputStream) cmp = ub_compare_output_stream_new(image, "boot_a");
	g_autoptr(GError) error = NULL;
	g_assert_true(g_output_stream_write_all(cmp, "abc", 3, NULL, NULL, &error));
	g_assert_false(g_output_stream_write_all(cmp, "dXf", 3, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	/* the message says where: byte 4 */
	g_assert_nonnull(strstr(error->message, "boot_a differs from the image at byte 0x4"));
	g_assert_nonnull(strstr(error->message, "wrote 0x65, read back 0x58"));
}

static void
ub_compare_too_long_func(void)
{
	g_autoptr(GInputStream) image = g_memory_input_stream_new_from_data("ab", 2, NULL);
	g_autoptr(GOutputStream) cmp = ub_compare_output_stream_new(image, "dtbo_a");
	g_autoptr(GError) error = NULL;
	g_assert_false(g_output_stream_write_all(cmp, "abc", 3, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "more data than the image holds"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/checksum-stream/output", ub_checksum_output_func);
	g_test_add_func("/ub/core/compare-stream/equal", ub_compare_equal_func);
	g_test_add_func("/ub/core/compare-stream/differs", ub_compare_differs_func);
	g_test_add_func("/ub/core/compare-stream/too-long", ub_compare_too_long_func);
	return g_test_run();
}
