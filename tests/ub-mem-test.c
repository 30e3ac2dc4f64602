/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-mem.h"

/* 0x01..0x0a, so every byte position is distinguishable */
static const guint8 ub_mem_test_buf[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static void
ub_mem_read_func(void)
{
	/* unaligned offset 1, both byte orders */
	g_assert_cmphex(ub_mem_read_u16_le(ub_mem_test_buf, 1), ==, 0x0302);
	g_assert_cmphex(ub_mem_read_u16_be(ub_mem_test_buf, 1), ==, 0x0203);
	g_assert_cmphex(ub_mem_read_u32_le(ub_mem_test_buf, 1), ==, 0x05040302);
	g_assert_cmphex(ub_mem_read_u32_be(ub_mem_test_buf, 1), ==, 0x02030405);
	g_assert_cmphex(ub_mem_read_u64_le(ub_mem_test_buf, 1), ==, G_GUINT64_CONSTANT(0x0908070605040302));
	g_assert_cmphex(ub_mem_read_u64_be(ub_mem_test_buf, 1), ==, G_GUINT64_CONSTANT(0x0203040506070809));
	/* the last value that fits */
	g_assert_cmphex(ub_mem_read_u16_le(ub_mem_test_buf, 8), ==, 0x0a09);
	g_assert_cmphex(ub_mem_read_u64_be(ub_mem_test_buf, 2), ==, G_GUINT64_CONSTANT(0x030405060708090a));
}

static void
ub_mem_write_func(void)
{
	guint8 buf[10];

	memset(buf, 0xee, sizeof(buf));
	ub_mem_write_u16_le(buf, 1, 0x0102);
	g_assert_cmpmem(buf, 4, ((const guint8[]){0xee, 0x02, 0x01, 0xee}), 4);
	memset(buf, 0xee, sizeof(buf));
	ub_mem_write_u16_be(buf, 1, 0x0102);
	g_assert_cmpmem(buf, 4, ((const guint8[]){0xee, 0x01, 0x02, 0xee}), 4);
	memset(buf, 0xee, sizeof(buf));
	ub_mem_write_u32_le(buf, 1, 0x01020304);
	g_assert_cmpmem(buf, 6, ((const guint8[]){0xee, 4, 3, 2, 1, 0xee}), 6);
	memset(buf, 0xee, sizeof(buf));
	ub_mem_write_u32_be(buf, 1, 0x01020304);
	g_assert_cmpmem(buf, 6, ((const guint8[]){0xee, 1, 2, 3, 4, 0xee}), 6);
	memset(buf, 0xee, sizeof(buf));
	ub_mem_write_u64_le(buf, 1, G_GUINT64_CONSTANT(0x0102030405060708));
	g_assert_cmpmem(buf, 10, ((const guint8[]){0xee, 8, 7, 6, 5, 4, 3, 2, 1, 0xee}), 10);
	memset(buf, 0xee, sizeof(buf));
	ub_mem_write_u64_be(buf, 1, G_GUINT64_CONSTANT(0x0102030405060708));
	g_assert_cmpmem(buf, 10, ((const guint8[]){0xee, 1, 2, 3, 4, 5, 6, 7, 8, 0xee}), 10);

	/* round trips */
	ub_mem_write_u64_le(buf, 2, G_MAXUINT64 - 1);
	g_assert_cmphex(ub_mem_read_u64_le(buf, 2), ==, G_MAXUINT64 - 1);
	ub_mem_write_u32_be(buf, 3, 0xdeadbeef);
	g_assert_cmphex(ub_mem_read_u32_be(buf, 3), ==, 0xdeadbeef);
}

static void
ub_mem_read_safe_func(void)
{
	g_autoptr(GError) error = NULL;
	guint16 v16 = 0;
	guint32 v32 = 0;
	guint64 v64 = 0;

	/* in bounds, up to the last byte */
	g_assert_true(ub_mem_read_u16_le_safe(ub_mem_test_buf, 10, 8, &v16, &error));
	g_assert_no_error(error);
	g_assert_cmphex(v16, ==, 0x0a09);
	g_assert_true(ub_mem_read_u16_be_safe(ub_mem_test_buf, 10, 8, &v16, &error));
	g_assert_cmphex(v16, ==, 0x090a);
	g_assert_true(ub_mem_read_u32_le_safe(ub_mem_test_buf, 10, 6, &v32, &error));
	g_assert_cmphex(v32, ==, 0x0a090807);
	g_assert_true(ub_mem_read_u32_be_safe(ub_mem_test_buf, 10, 6, &v32, &error));
	g_assert_cmphex(v32, ==, 0x0708090a);
	g_assert_true(ub_mem_read_u64_le_safe(ub_mem_test_buf, 10, 2, &v64, &error));
	g_assert_cmphex(v64, ==, G_GUINT64_CONSTANT(0x0a09080706050403));
	g_assert_true(ub_mem_read_u64_be_safe(ub_mem_test_buf, 10, 2, &v64, &error));
	g_assert_cmphex(v64, ==, G_GUINT64_CONSTANT(0x030405060708090a));
	g_assert_no_error(error);
	/* the value is optional: a pure bounds check */
	g_assert_true(ub_mem_read_u64_le_safe(ub_mem_test_buf, 10, 0, NULL, &error));
	g_assert_no_error(error);

	/* one byte past the end: an error, and the output is untouched */
	v16 = 0x1234;
	g_assert_false(ub_mem_read_u16_le_safe(ub_mem_test_buf, 10, 9, &v16, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message,
			==,
			"reading 2 bytes at offset 0x9 goes past the end of the 10-byte buffer");
	g_assert_cmphex(v16, ==, 0x1234);
	g_clear_error(&error);
	g_assert_false(ub_mem_read_u16_be_safe(ub_mem_test_buf, 10, 9, &v16, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	v32 = 0x1234;
	g_assert_false(ub_mem_read_u32_le_safe(ub_mem_test_buf, 10, 7, &v32, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_read_u32_be_safe(ub_mem_test_buf, 10, 7, &v32, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_cmphex(v32, ==, 0x1234);
	v64 = 0x1234;
	g_assert_false(ub_mem_read_u64_le_safe(ub_mem_test_buf, 10, 3, &v64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_read_u64_be_safe(ub_mem_test_buf, 10, 3, &v64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_cmphex(v64, ==, 0x1234);

	/* an offset past the end, an empty buffer, and offsets that would wrap */
	g_assert_false(ub_mem_read_u16_le_safe(ub_mem_test_buf, 10, 11, &v16, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_read_u32_le_safe(NULL, 0, 0, &v32, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_read_u64_le_safe(ub_mem_test_buf, 10, G_MAXSIZE - 3, &v64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_read_u64_be_safe(ub_mem_test_buf, 10, G_MAXSIZE, &v64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_cmphex(v64, ==, 0x1234);
}

static void
ub_mem_write_safe_func(void)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[10];
	guint8 zero[10] = {0};

	/* in bounds, up to the last byte */
	memset(buf, 0, sizeof(buf));
	g_assert_true(ub_mem_write_u16_le_safe(buf, 10, 8, 0x0102, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(buf + 8, 2, ((const guint8[]){2, 1}), 2);
	g_assert_true(ub_mem_write_u16_be_safe(buf, 10, 8, 0x0102, &error));
	g_assert_cmpmem(buf + 8, 2, ((const guint8[]){1, 2}), 2);
	g_assert_true(ub_mem_write_u32_le_safe(buf, 10, 6, 0x01020304, &error));
	g_assert_cmpmem(buf + 6, 4, ((const guint8[]){4, 3, 2, 1}), 4);
	g_assert_true(ub_mem_write_u32_be_safe(buf, 10, 6, 0x01020304, &error));
	g_assert_cmpmem(buf + 6, 4, ((const guint8[]){1, 2, 3, 4}), 4);
	g_assert_true(ub_mem_write_u64_le_safe(buf, 10, 2, G_GUINT64_CONSTANT(0x0102030405060708), &error));
	g_assert_cmpmem(buf + 2, 8, ((const guint8[]){8, 7, 6, 5, 4, 3, 2, 1}), 8);
	g_assert_true(ub_mem_write_u64_be_safe(buf, 10, 2, G_GUINT64_CONSTANT(0x0102030405060708), &error));
	g_assert_cmpmem(buf + 2, 8, ((const guint8[]){1, 2, 3, 4, 5, 6, 7, 8}), 8);
	g_assert_no_error(error);

	/* past the end: an error and not one byte written */
	memset(buf, 0, sizeof(buf));
	g_assert_false(ub_mem_write_u16_le_safe(buf, 10, 9, 0xffff, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message,
			==,
			"writing 2 bytes at offset 0x9 goes past the end of the 10-byte buffer");
	g_clear_error(&error);
	g_assert_false(ub_mem_write_u16_be_safe(buf, 10, 9, 0xffff, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_write_u32_le_safe(buf, 10, 7, G_MAXUINT32, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_write_u32_be_safe(buf, 10, 7, G_MAXUINT32, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_write_u64_le_safe(buf, 10, 3, G_MAXUINT64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_write_u64_be_safe(buf, 10, 3, G_MAXUINT64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_write_u64_le_safe(buf, 10, G_MAXSIZE - 3, G_MAXUINT64, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_cmpmem(buf, sizeof(buf), zero, sizeof(zero));
}

static void
ub_mem_memcpy_safe_func(void)
{
	g_autoptr(GError) error = NULL;
	guint8 dst[6];
	guint8 zero[6] = {0};

	/* a copy between offsets, up to the last byte of both */
	memset(dst, 0, sizeof(dst));
	g_assert_true(ub_mem_memcpy_safe(dst, sizeof(dst), 2, ub_mem_test_buf, 10, 6, 4, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(dst, 6, ((const guint8[]){0, 0, 7, 8, 9, 10}), 6);
	/* nothing to copy is fine, even at the very end */
	g_assert_true(ub_mem_memcpy_safe(dst, sizeof(dst), 6, ub_mem_test_buf, 10, 10, 0, &error));
	g_assert_no_error(error);
	/* overlapping ranges in one buffer */
	g_assert_true(ub_mem_memcpy_safe(dst, sizeof(dst), 0, dst, sizeof(dst), 2, 4, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(dst, 6, ((const guint8[]){7, 8, 9, 10, 9, 10}), 6);

	/* the source runs out: nothing is copied */
	memset(dst, 0, sizeof(dst));
	g_assert_false(ub_mem_memcpy_safe(dst, sizeof(dst), 0, ub_mem_test_buf, 10, 7, 4, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message,
			==,
			"reading 4 bytes at offset 0x7 goes past the end of the 10-byte buffer");
	g_clear_error(&error);
	/* the destination runs out */
	g_assert_false(ub_mem_memcpy_safe(dst, sizeof(dst), 3, ub_mem_test_buf, 10, 0, 4, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message,
			==,
			"writing 4 bytes at offset 0x3 goes past the end of the 6-byte buffer");
	g_clear_error(&error);
	/* offsets past the end, and ones that would wrap around */
	g_assert_false(ub_mem_memcpy_safe(dst, sizeof(dst), 7, ub_mem_test_buf, 10, 0, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_memcpy_safe(dst, sizeof(dst), 0, ub_mem_test_buf, 10, 11, 0, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(
	    ub_mem_memcpy_safe(dst, sizeof(dst), 0, ub_mem_test_buf, 10, G_MAXSIZE - 1, 4, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(
	    ub_mem_memcpy_safe(dst, sizeof(dst), G_MAXSIZE - 1, ub_mem_test_buf, 10, 0, 4, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(ub_mem_memcpy_safe(dst, sizeof(dst), 0, ub_mem_test_buf, 10, 0, G_MAXSIZE, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_cmpmem(dst, sizeof(dst), zero, sizeof(zero));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/mem/read", ub_mem_read_func);
	g_test_add_func("/ub/core/mem/write", ub_mem_write_func);
	g_test_add_func("/ub/core/mem/read-safe", ub_mem_read_safe_func);
	g_test_add_func("/ub/core/mem/write-safe", ub_mem_write_safe_func);
	g_test_add_func("/ub/core/mem/memcpy-safe", ub_mem_memcpy_safe_func);
	return g_test_run();
}
