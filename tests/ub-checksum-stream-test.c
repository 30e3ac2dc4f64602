/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

/* sha256("abc") */
#define UB_SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void
ub_checksum_input_func(void)
{
	g_autoptr(GInputStream) base = g_memory_input_stream_new_from_data("abc", 3, NULL);
	g_autoptr(GInputStream) in = ub_checksum_input_stream_new(base);
	guint8 buf[2] = {0};
	gsize n = 0;
	g_assert_true(g_input_stream_read_all(in, buf, 2, &n, NULL, NULL));
	g_assert_cmpuint(n, ==, 2);
	g_assert_true(g_input_stream_read_all(in, buf, 2, &n, NULL, NULL));
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(ub_checksum_input_stream_get_bytes(UB_CHECKSUM_INPUT_STREAM(in)), ==, 3);
	g_assert_cmpstr(ub_checksum_input_stream_get_sha256(UB_CHECKSUM_INPUT_STREAM(in)),
			==,
			UB_SHA256_ABC);
}

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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/checksum-stream/input", ub_checksum_input_func);
	g_test_add_func("/ub/core/checksum-stream/output", ub_checksum_output_func);
	return g_test_run();
}
