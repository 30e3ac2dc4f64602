/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* a flash_all*.sh / flash-all.bat read as data: it is never executed */

typedef enum {
	UB_FLASH_SCRIPT_SYNTAX_SH,  /* POSIX shell */
	UB_FLASH_SCRIPT_SYNTAX_BAT, /* Windows batch */
} UbFlashScriptSyntax;

typedef enum {
	UB_FLASH_SCRIPT_OP_FLASH,	    /* @partition, @file */
	UB_FLASH_SCRIPT_OP_ERASE,	    /* @partition */
	UB_FLASH_SCRIPT_OP_FORMAT,	    /* @partition, @value = "ext4"... or NULL */
	UB_FLASH_SCRIPT_OP_SET_ACTIVE,	    /* @value = slot */
	UB_FLASH_SCRIPT_OP_REBOOT,	    /* @value = "", "bootloader", "fastboot", "recovery" */
	UB_FLASH_SCRIPT_OP_OEM,		    /* @value = "lock", "edl"... */
	UB_FLASH_SCRIPT_OP_FLASHING,	    /* @value = "lock", "unlock"... */
	UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT, /* @value = product, @prefix_match */
	UB_FLASH_SCRIPT_OP_CHECK_ANTI,	    /* @value = package level, or @file holding it */
	UB_FLASH_SCRIPT_OP_UPDATE,	    /* @file = the update zip, @wipe for -w */
	UB_FLASH_SCRIPT_OP_LAST
} UbFlashScriptOp;

const gchar *
ub_flash_script_op_to_string(UbFlashScriptOp op);

/**
 * UbFlashScriptStep:
 * @op: what the line does
 * @partition: (nullable): the partition exactly as written ("boot_ab")
 * @base: (nullable): @partition without Xiaomi's "_ab" pseudo-suffix
 * @slot: (nullable): "ab" for the "_ab" suffix (every slot), or the --slot value
 * @file: (nullable): package-relative path with '/' ("images/boot.img")
 * @value: (nullable): op-specific value
 * @condition: (nullable): the step only runs when this holds: "getvar:crc=1",
 *   or the condition text when we cannot name it
 * @wipe: the command carries -w
 * @checked: a failure of this command aborts the script
 * @prefix_match: REQUIRE_PRODUCT: the grep has no '$' anchor, so "raphael"
 *   also accepts "raphaelin"
 * @options: options we keep but do not interpret ("--disable-verity")
 * @line: 1-based line number
 *
 * One fastboot command of a script.
 */
typedef struct {
	UbFlashScriptOp op;
	gchar *partition;
	gchar *base;
	gchar *slot;
	gchar *file;
	gchar *value;
	gchar *condition;
	gboolean wipe;
	gboolean checked;
	gboolean prefix_match;
	GPtrArray *options;
	guint line;
} UbFlashScriptStep;

void
ub_flash_script_step_free(UbFlashScriptStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbFlashScriptStep, ub_flash_script_step_free)

#define UB_TYPE_FLASH_SCRIPT (ub_flash_script_get_type())
G_DECLARE_FINAL_TYPE(UbFlashScript, ub_flash_script, UB, FLASH_SCRIPT, GObject)

UbFlashScript *
ub_flash_script_parse(const guint8 *buf, gsize bufsz, const gchar *name, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

const gchar *
ub_flash_script_get_name(UbFlashScript *self);
UbFlashScriptSyntax
ub_flash_script_get_syntax(UbFlashScript *self);
GPtrArray *
ub_flash_script_get_steps(UbFlashScript *self);
GPtrArray *
ub_flash_script_get_warnings(UbFlashScript *self);
const gchar *
ub_flash_script_get_product(UbFlashScript *self);
guint
ub_flash_script_get_product_checks(UbFlashScript *self);
gboolean
ub_flash_script_has_anti_check(UbFlashScript *self);
guint
ub_flash_script_get_command_count(UbFlashScript *self);
guint
ub_flash_script_get_commented_count(UbFlashScript *self);
guint
ub_flash_script_count_op(UbFlashScript *self, UbFlashScriptOp op);

gchar *
ub_flash_script_diff(UbFlashScript *a, UbFlashScript *b);

G_END_DECLS
