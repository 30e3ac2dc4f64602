/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-qcom-expr.h"
#include "ub-error.h"

static guint64
ub_qcom_expr_test_eval_ok(const gchar *expr, guint64 n)
{
	UbQcomExprContext ctx = {.num_disk_sectors = n, .num_disk_sectors_known = TRUE};
	g_autoptr(GError) error = NULL;
	guint64 val = G_MAXUINT64;
	gboolean ret = ub_qcom_expr_eval(expr, &ctx, &val, &error);
	g_assert_no_error(error);
	g_assert_true(ret);
	return val;
}

static void
ub_qcom_expr_test_eval_fail(const gchar *expr, guint64 n, gint code)
{
	UbQcomExprContext ctx = {.num_disk_sectors = n, .num_disk_sectors_known = TRUE};
	g_autoptr(GError) error = NULL;
	guint64 val = 12345;
	g_assert_false(ub_qcom_expr_eval(expr, &ctx, &val, &error));
	g_assert_error(error, UB_ERROR, code);
	/* the output is left alone on failure */
	g_assert_cmpuint(val, ==, 12345);
}

static void
ub_qcom_expr_constants_func(void)
{
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("0", 0), ==, 0);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("34", 0), ==, 34);
	/* the Trace32 decimal marker: same value */
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("34.", 0), ==, 34);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("0x10", 0), ==, 16);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("0X1f", 0), ==, 31);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("0x10-10.", 0), ==, 6);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok(" 2 + 3 * 4 ", 0), ==, 14);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("(2+3)*4", 0), ==, 20);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("100/7", 0), ==, 14);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("10-3-2", 0), ==, 5);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("64/4/2", 0), ==, 8);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("18446744073709551615", 0), ==, G_MAXUINT64);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("0xffffffffffffffff", 0), ==, G_MAXUINT64);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("((((((((((1))))))))))", 0), ==, 1);
	/* no disk needed for constants, and a NULL context is fine */
	{
		guint64 val = 0;
		g_assert_true(ub_qcom_expr_eval("1024.", NULL, &val, NULL));
		g_assert_cmpuint(val, ==, 1024);
	}
}

static void
ub_qcom_expr_disk_func(void)
{
	/* the forms found in ptool output */
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("NUM_DISK_SECTORS-33.", 30777344), ==, 30777311);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("NUM_DISK_SECTORS-1", 1000), ==, 999);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("NUM_DISK_SECTORS-5.", 1000), ==, 995);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("(4096*NUM_DISK_SECTORS)-20480.", 1000),
			 ==,
			 4096 * 1000 - 20480);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("(512*NUM_DISK_SECTORS)-16896.", 1000),
			 ==,
			 512 * 1000 - 16896);
	g_assert_cmpuint(ub_qcom_expr_test_eval_ok("num_disk_sectors - 1", 10), ==, 9);

	/* the size is not known yet */
	{
		UbQcomExprContext ctx = {0};
		g_autoptr(GError) error = NULL;
		guint64 val = 0;
		g_assert_false(ub_qcom_expr_eval("NUM_DISK_SECTORS-33.", &ctx, &val, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_assert_nonnull(strstr(error->message, "NUM_DISK_SECTORS"));
	}
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(ub_qcom_expr_eval("NUM_DISK_SECTORS", NULL, NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	}
	/* a disk smaller than the GPT: negative, never wrapped */
	ub_qcom_expr_test_eval_fail("NUM_DISK_SECTORS-34.", 10, UB_ERROR_INVALID_DATA);
}

static void
ub_qcom_expr_invalid_func(void)
{
	const gchar *bad[] = {
	    "",
	    " ",
	    "1+",
	    "+1",
	    "-1",
	    "(1",
	    "1)",
	    "()",
	    "abc",
	    "1..",
	    "1.5",
	    "12a",
	    "0x",
	    "0xg",
	    "NUM_DISK_SECTORSX",
	    "NUM_DISK",
	    "1 2",
	    "1,2",
	    "CRC32",
	    "CRC32(1)",
	    "CRC32(1,2",
	    "CRC32 1,2)",
	    "1 % 2",
	    "((((((((((((((((((((1))))))))))))))))))))",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_debug("checking '%s'", bad[i]);
		ub_qcom_expr_test_eval_fail(bad[i], 100, UB_ERROR_INVALID_DATA);
		g_assert_false(ub_qcom_expr_check(bad[i], NULL, NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_false(ub_qcom_expr_is_constant(bad[i]));
	}
}

static void
ub_qcom_expr_overflow_func(void)
{
	ub_qcom_expr_test_eval_fail("18446744073709551616", 0, UB_ERROR_INVALID_DATA);
	ub_qcom_expr_test_eval_fail("0x10000000000000000", 0, UB_ERROR_INVALID_DATA);
	ub_qcom_expr_test_eval_fail("18446744073709551615+1", 0, UB_ERROR_INVALID_DATA);
	ub_qcom_expr_test_eval_fail("0xffffffffffffffff*2", 0, UB_ERROR_INVALID_DATA);
	ub_qcom_expr_test_eval_fail("4096*NUM_DISK_SECTORS", G_MAXUINT64 / 2, UB_ERROR_INVALID_DATA);
	ub_qcom_expr_test_eval_fail("1-2", 0, UB_ERROR_INVALID_DATA);
	ub_qcom_expr_test_eval_fail("1/0", 0, UB_ERROR_INVALID_DATA);
	ub_qcom_expr_test_eval_fail("1/(NUM_DISK_SECTORS-5)", 5, UB_ERROR_INVALID_DATA);

	/* too long */
	{
		g_autofree gchar *longexpr = g_strnfill(UB_QCOM_EXPR_MAX_LEN + 1, '1');
		g_autofree gchar *okexpr = g_strnfill(19, '1');
		ub_qcom_expr_test_eval_fail(longexpr, 0, UB_ERROR_INVALID_DATA);
		g_assert_cmpuint(ub_qcom_expr_test_eval_ok(okexpr, 0), ==, 1111111111111111111ULL);
	}
}

typedef struct {
	guint calls;
	guint64 start;
	guint64 len;
} UbQcomExprTestCrc;

static gboolean
ub_qcom_expr_test_crc_cb(guint64 start_sector,
			 guint64 len,
			 guint32 *crc,
			 gpointer user_data,
			 GError **error)
{
	UbQcomExprTestCrc *helper = user_data;
	helper->calls++;
	helper->start = start_sector;
	helper->len = len;
	if (len == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "empty range");
		return FALSE;
	}
	*crc = 0xdeadbeef;
	return TRUE;
}

static void
ub_qcom_expr_crc32_func(void)
{
	UbQcomExprTestCrc helper = {0};
	UbQcomExprContext ctx = {
	    .num_disk_sectors = 1000,
	    .num_disk_sectors_known = TRUE,
	    .crc32_func = ub_qcom_expr_test_crc_cb,
	    .user_data = &helper,
	};
	guint64 val = 0;
	gboolean uses_disk = FALSE;
	gboolean uses_crc = FALSE;
	g_autoptr(GError) error = NULL;

	g_assert_true(ub_qcom_expr_eval("CRC32(NUM_DISK_SECTORS-33.,4096)", &ctx, &val, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(val, ==, 0xdeadbeef);
	g_assert_cmpuint(helper.calls, ==, 1);
	g_assert_cmpuint(helper.start, ==, 967);
	g_assert_cmpuint(helper.len, ==, 4096);

	g_assert_true(ub_qcom_expr_eval(" crc32 ( 2 , 92 ) ", &ctx, &val, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(helper.start, ==, 2);
	g_assert_cmpuint(helper.len, ==, 92);

	/* the callback's error comes through with context */
	g_assert_false(ub_qcom_expr_eval("CRC32(1,0)", &ctx, &val, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "empty range"));
	g_clear_error(&error);

	/* no callback */
	g_assert_false(ub_qcom_expr_eval("CRC32(1,92)", NULL, &val, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);

	/* syntax check without evaluating */
	g_assert_true(ub_qcom_expr_check("CRC32(NUM_DISK_SECTORS-1.,92)", &uses_disk, &uses_crc, &error));
	g_assert_no_error(error);
	g_assert_true(uses_disk);
	g_assert_true(uses_crc);
	g_assert_true(ub_qcom_expr_check("NUM_DISK_SECTORS-5.", &uses_disk, &uses_crc, &error));
	g_assert_true(uses_disk);
	g_assert_false(uses_crc);
	g_assert_true(ub_qcom_expr_check("4096", &uses_disk, &uses_crc, &error));
	g_assert_false(uses_disk);
	g_assert_false(uses_crc);
	g_assert_true(ub_qcom_expr_is_constant("16384"));
	g_assert_true(ub_qcom_expr_is_constant("1/0")); /* syntax only: it fails on eval */
	g_assert_false(ub_qcom_expr_is_constant("NUM_DISK_SECTORS-33."));
	g_assert_false(ub_qcom_expr_is_constant("CRC32(2,4096)"));
	g_assert_cmpuint(helper.calls, ==, 3);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/qcom-expr/constants", ub_qcom_expr_constants_func);
	g_test_add_func("/ub/formats/qcom-expr/disk", ub_qcom_expr_disk_func);
	g_test_add_func("/ub/formats/qcom-expr/invalid", ub_qcom_expr_invalid_func);
	g_test_add_func("/ub/formats/qcom-expr/overflow", ub_qcom_expr_overflow_func);
	g_test_add_func("/ub/formats/qcom-expr/crc32", ub_qcom_expr_crc32_func);
	return g_test_run();
}
