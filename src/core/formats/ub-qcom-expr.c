/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-qcom-expr.h"

/*
 * The arithmetic of rawprogram/patch attributes (ptool output, evaluated by the
 * Firehose programmer):
 *
 *   expr   := term (('+' | '-') term)*
 *   term   := factor (('*' | '/') factor)*
 *   factor := NUMBER | "NUM_DISK_SECTORS" | "CRC32" '(' expr ',' expr ')' | '(' expr ')'
 *   NUMBER := decimal digits or 0x-hex digits, optionally followed by '.'
 *
 * The trailing '.' exists for Trace32, which reads undotted literals as hex
 * ("0x10-10=0, *but* 0x10-10.=6"); the programmer and every host tool read
 * undotted literals as decimal and files mix both forms ("NUM_DISK_SECTORS-1"
 * next to "NUM_DISK_SECTORS-1."), so both mean decimal here too.
 * Values are unsigned 64-bit; overflow, a negative result and division by zero
 * are errors, never wrapped.
 */

#define UB_QCOM_EXPR_MAX_DEPTH 16

typedef struct {
	const gchar *str;
	gsize pos;
	const UbQcomExprContext *ctx;
	gboolean dry; /* syntax only: NUM_DISK_SECTORS and CRC32 are not evaluated */
	gboolean uses_disk;
	gboolean uses_crc;
	guint depth;
} UbQcomExprParser;

static gboolean
ub_qcom_expr_parse_sum(UbQcomExprParser *p, guint64 *value, GError **error);

static void
ub_qcom_expr_skip_ws(UbQcomExprParser *p)
{
	while (p->str[p->pos] == ' ' || p->str[p->pos] == '\t')
		p->pos++;
}

static gboolean
ub_qcom_expr_fail(UbQcomExprParser *p, GError **error, const gchar *what)
{
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "invalid expression '%s': %s at position %" G_GSIZE_FORMAT,
		    p->str,
		    what,
		    p->pos);
	return FALSE;
}

static gboolean
ub_qcom_expr_overflow(UbQcomExprParser *p, GError **error, const gchar *what)
{
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "expression '%s' %s",
		    p->str,
		    what);
	return FALSE;
}

static gboolean
ub_qcom_expr_match_word(UbQcomExprParser *p, const gchar *word)
{
	gsize len = strlen(word);
	gchar next;
	if (g_ascii_strncasecmp(p->str + p->pos, word, len) != 0)
		return FALSE;
	next = p->str[p->pos + len];
	if (g_ascii_isalnum(next) || next == '_')
		return FALSE;
	p->pos += len;
	return TRUE;
}

static gboolean
ub_qcom_expr_parse_number(UbQcomExprParser *p, guint64 *value, GError **error)
{
	guint base = 10;
	guint64 val = 0;
	guint n = 0;

	if (p->str[p->pos] == '0' && (p->str[p->pos + 1] == 'x' || p->str[p->pos + 1] == 'X')) {
		base = 16;
		p->pos += 2;
	}
	for (;; n++) {
		gint digit = base == 16 ? g_ascii_xdigit_value(p->str[p->pos])
					: g_ascii_digit_value(p->str[p->pos]);
		if (digit < 0)
			break;
		if (!g_uint64_checked_mul(&val, val, base) ||
		    !g_uint64_checked_add(&val, val, (guint64)digit))
			return ub_qcom_expr_overflow(p, error, "has a number that overflows 64 bits");
		p->pos++;
	}
	if (n == 0)
		return ub_qcom_expr_fail(p, error, "expected digits");
	/* the Trace32 decimal marker */
	if (p->str[p->pos] == '.')
		p->pos++;
	if (g_ascii_isalnum(p->str[p->pos]) || p->str[p->pos] == '_')
		return ub_qcom_expr_fail(p, error, "unexpected character after a number");
	*value = val;
	return TRUE;
}

static gboolean
ub_qcom_expr_expect(UbQcomExprParser *p, gchar c, GError **error)
{
	g_autofree gchar *what = NULL;
	ub_qcom_expr_skip_ws(p);
	if (p->str[p->pos] == c) {
		p->pos++;
		return TRUE;
	}
	what = g_strdup_printf("expected '%c'", c);
	return ub_qcom_expr_fail(p, error, what);
}

static gboolean
ub_qcom_expr_parse_crc32(UbQcomExprParser *p, guint64 *value, GError **error)
{
	guint64 start = 0;
	guint64 len = 0;
	guint32 crc = 0;

	if (!ub_qcom_expr_expect(p, '(', error))
		return FALSE;
	if (!ub_qcom_expr_parse_sum(p, &start, error))
		return FALSE;
	if (!ub_qcom_expr_expect(p, ',', error))
		return FALSE;
	if (!ub_qcom_expr_parse_sum(p, &len, error))
		return FALSE;
	if (!ub_qcom_expr_expect(p, ')', error))
		return FALSE;
	p->uses_crc = TRUE;
	if (p->dry) {
		*value = 0;
		return TRUE;
	}
	if (p->ctx == NULL || p->ctx->crc32_func == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "expression '%s' needs CRC32 over data that is not available here",
			    p->str);
		return FALSE;
	}
	if (!p->ctx->crc32_func(start, len, &crc, p->ctx->user_data, error)) {
		g_prefix_error(error, "failed to evaluate '%s': ", p->str);
		return FALSE;
	}
	*value = crc;
	return TRUE;
}

static gboolean
ub_qcom_expr_parse_factor(UbQcomExprParser *p, guint64 *value, GError **error)
{
	gchar c;

	ub_qcom_expr_skip_ws(p);
	c = p->str[p->pos];
	if (g_ascii_isdigit(c))
		return ub_qcom_expr_parse_number(p, value, error);
	if (c == '(') {
		gboolean ret;
		if (p->depth >= UB_QCOM_EXPR_MAX_DEPTH)
			return ub_qcom_expr_fail(p, error, "too deeply nested");
		p->pos++;
		p->depth++;
		ret = ub_qcom_expr_parse_sum(p, value, error);
		p->depth--;
		if (!ret)
			return FALSE;
		return ub_qcom_expr_expect(p, ')', error);
	}
	if (ub_qcom_expr_match_word(p, "NUM_DISK_SECTORS")) {
		p->uses_disk = TRUE;
		if (p->dry) {
			*value = 0;
			return TRUE;
		}
		if (p->ctx == NULL || !p->ctx->num_disk_sectors_known) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "expression '%s' needs the disk size (NUM_DISK_SECTORS)",
				    p->str);
			return FALSE;
		}
		*value = p->ctx->num_disk_sectors;
		return TRUE;
	}
	if (ub_qcom_expr_match_word(p, "CRC32")) {
		gboolean ret;
		if (p->depth >= UB_QCOM_EXPR_MAX_DEPTH)
			return ub_qcom_expr_fail(p, error, "too deeply nested");
		p->depth++;
		ret = ub_qcom_expr_parse_crc32(p, value, error);
		p->depth--;
		return ret;
	}
	if (c == '\0')
		return ub_qcom_expr_fail(p, error, "unexpected end");
	return ub_qcom_expr_fail(p, error, "expected a number, NUM_DISK_SECTORS or CRC32");
}

static gboolean
ub_qcom_expr_parse_product(UbQcomExprParser *p, guint64 *value, GError **error)
{
	guint64 acc = 0;
	if (!ub_qcom_expr_parse_factor(p, &acc, error))
		return FALSE;
	for (;;) {
		gchar op;
		guint64 rhs = 0;
		ub_qcom_expr_skip_ws(p);
		op = p->str[p->pos];
		if (op != '*' && op != '/')
			break;
		p->pos++;
		if (!ub_qcom_expr_parse_factor(p, &rhs, error))
			return FALSE;
		if (p->dry)
			continue;
		if (op == '*') {
			if (!g_uint64_checked_mul(&acc, acc, rhs))
				return ub_qcom_expr_overflow(p, error, "overflows 64 bits");
		} else {
			if (rhs == 0)
				return ub_qcom_expr_overflow(p, error, "divides by zero");
			acc /= rhs;
		}
	}
	*value = acc;
	return TRUE;
}

static gboolean
ub_qcom_expr_parse_sum(UbQcomExprParser *p, guint64 *value, GError **error)
{
	guint64 acc = 0;
	if (!ub_qcom_expr_parse_product(p, &acc, error))
		return FALSE;
	for (;;) {
		gchar op;
		guint64 rhs = 0;
		ub_qcom_expr_skip_ws(p);
		op = p->str[p->pos];
		if (op != '+' && op != '-')
			break;
		p->pos++;
		if (!ub_qcom_expr_parse_product(p, &rhs, error))
			return FALSE;
		if (p->dry)
			continue;
		if (op == '+') {
			if (!g_uint64_checked_add(&acc, acc, rhs))
				return ub_qcom_expr_overflow(p, error, "overflows 64 bits");
		} else {
			if (rhs > acc) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "expression '%s' is negative (%" G_GUINT64_FORMAT
					    " - %" G_GUINT64_FORMAT ")",
					    p->str,
					    acc,
					    rhs);
				return FALSE;
			}
			acc -= rhs;
		}
	}
	*value = acc;
	return TRUE;
}

static gboolean
ub_qcom_expr_run(UbQcomExprParser *p, guint64 *value, GError **error)
{
	guint64 val = 0;
	gsize len = strnlen(p->str, UB_QCOM_EXPR_MAX_LEN + 1);

	if (len == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "empty expression");
		return FALSE;
	}
	if (len > UB_QCOM_EXPR_MAX_LEN) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "expression longer than %u characters",
			    (guint)UB_QCOM_EXPR_MAX_LEN);
		return FALSE;
	}
	if (!ub_qcom_expr_parse_sum(p, &val, error))
		return FALSE;
	ub_qcom_expr_skip_ws(p);
	if (p->str[p->pos] != '\0')
		return ub_qcom_expr_fail(p, error, "unexpected character");
	if (value != NULL)
		*value = val;
	return TRUE;
}

/**
 * ub_qcom_expr_eval:
 * @expr: an attribute value such as "NUM_DISK_SECTORS-33." or "CRC32(2,4096)"
 * @ctx: (nullable): disk size and CRC32 callback; %NULL: constants only
 * @value: (out) (optional): the result
 * @error: (nullable): return location for a #GError
 *
 * Evaluates a rawprogram/patch expression. Fails with %UB_ERROR_NOT_FOUND when
 * it needs NUM_DISK_SECTORS and the size is not known, %UB_ERROR_NOT_SUPPORTED
 * for CRC32 without a callback and %UB_ERROR_INVALID_DATA for a syntax error,
 * overflow, a negative result or division by zero.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_qcom_expr_eval(const gchar *expr, const UbQcomExprContext *ctx, guint64 *value, GError **error)
{
	UbQcomExprParser p = {.str = expr, .ctx = ctx};
	g_return_val_if_fail(expr != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return ub_qcom_expr_run(&p, value, error);
}

/**
 * ub_qcom_expr_check:
 * @expr: an attribute value
 * @uses_disk: (out) (optional): whether it refers to NUM_DISK_SECTORS
 * @uses_crc: (out) (optional): whether it uses CRC32(..)
 * @error: (nullable): return location for a #GError
 *
 * Checks the syntax of @expr without evaluating it.
 *
 * Returns: %TRUE if @expr is well-formed
 */
gboolean
ub_qcom_expr_check(const gchar *expr, gboolean *uses_disk, gboolean *uses_crc, GError **error)
{
	UbQcomExprParser p = {.str = expr, .dry = TRUE};
	g_return_val_if_fail(expr != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!ub_qcom_expr_run(&p, NULL, error))
		return FALSE;
	if (uses_disk != NULL)
		*uses_disk = p.uses_disk;
	if (uses_crc != NULL)
		*uses_crc = p.uses_crc;
	return TRUE;
}

/**
 * ub_qcom_expr_is_constant:
 * @expr: an attribute value
 *
 * Returns: %TRUE if @expr is well-formed and needs neither the disk size nor CRC32
 */
gboolean
ub_qcom_expr_is_constant(const gchar *expr)
{
	gboolean uses_disk = FALSE;
	gboolean uses_crc = FALSE;
	if (!ub_qcom_expr_check(expr, &uses_disk, &uses_crc, NULL))
		return FALSE;
	return !uses_disk && !uses_crc;
}
