/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-android-info.h"
#include "ub-error.h"

/* both files are a few hundred bytes */
#define UB_ANDROID_INFO_MAX_SIZE (1024 * 1024)

struct _UbAndroidInfo {
	GObject parent_instance;
	GPtrArray *requirements; /* of UbAndroidInfoRequirement */
	GPtrArray *warnings;	 /* of gchar* */
};

G_DEFINE_TYPE(UbAndroidInfo, ub_android_info, G_TYPE_OBJECT)

void
ub_android_info_requirement_free(UbAndroidInfoRequirement *req)
{
	if (req == NULL)
		return;
	g_free(req->key);
	g_free(req->for_product);
	if (req->values != NULL)
		g_ptr_array_unref(req->values);
	g_free(req);
}

/* text checks shared by both files; returns the lines */
static gchar **
ub_android_info_split(const guint8 *buf, gsize bufsz, const gchar *what, GError **error)
{
	g_autofree gchar *text = NULL;

	if (bufsz > UB_ANDROID_INFO_MAX_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s is %" G_GSIZE_FORMAT " bytes, too large",
			    what,
			    bufsz);
		return NULL;
	}
	if (bufsz > 0 && memchr(buf, '\0', bufsz) != NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s contains NUL bytes", what);
		return NULL;
	}
	if (bufsz > 0 && !g_utf8_validate((const gchar *)buf, bufsz, NULL)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s is not UTF-8 text", what);
		return NULL;
	}
	text = bufsz > 0 ? g_strndup((const gchar *)buf, bufsz) : g_strdup("");
	return g_strsplit(text, "\n", -1);
}

/**
 * ub_android_info_parse:
 * @buf: the content of android-info.txt
 * @bufsz: size of @buf
 * @error: (nullable): optional return location for an error
 *
 * Reads "require KEY=V1|V2", "reject KEY=..." and
 * "require-for-product:NAME KEY=..." lines the way fastboot does; other lines
 * become warnings.
 *
 * Returns: (transfer full): the requirements, or %NULL on error
 **/
UbAndroidInfo *
ub_android_info_parse(const guint8 *buf, gsize bufsz, GError **error)
{
	g_autoptr(UbAndroidInfo) self = g_object_new(UB_TYPE_ANDROID_INFO, NULL);
	g_auto(GStrv) lines = NULL;

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);

	lines = ub_android_info_split(buf, bufsz, "android-info.txt", error);
	if (lines == NULL)
		return NULL;
	for (guint i = 0; lines[i] != NULL; i++) {
		g_autoptr(UbAndroidInfoRequirement) req = NULL;
		gchar *line = g_strstrip(lines[i]);
		gchar *rest;
		gchar *eq;
		g_auto(GStrv) values = NULL;

		if (line[0] == '\0' || line[0] == '#')
			continue;
		req = g_new0(UbAndroidInfoRequirement, 1);
		req->line = i + 1;
		req->values = g_ptr_array_new_with_free_func(g_free);
		if (g_str_has_prefix(line, "require-for-product:")) {
			gchar *name = line + strlen("require-for-product:");
			gchar *space = name;
			while (*space != '\0' && !g_ascii_isspace(*space))
				space++;
			if (*space == '\0' || space == name) {
				g_ptr_array_add(self->warnings,
						g_strdup_printf("android-info.txt:%u: cannot read: %s",
								i + 1,
								line));
				continue;
			}
			req->for_product = g_strndup(name, space - name);
			rest = space;
		} else if (g_str_has_prefix(line, "require") && g_ascii_isspace(line[7])) {
			rest = line + 7;
		} else if (g_str_has_prefix(line, "reject") && g_ascii_isspace(line[6])) {
			req->reject = TRUE;
			rest = line + 6;
		} else {
			g_ptr_array_add(self->warnings,
					g_strdup_printf("android-info.txt:%u: unknown line ignored: %s",
							i + 1,
							line));
			continue;
		}
		while (g_ascii_isspace(*rest))
			rest++;
		eq = strchr(rest, '=');
		if (eq == NULL || eq == rest) {
			g_ptr_array_add(self->warnings,
					g_strdup_printf("android-info.txt:%u: no KEY=VALUE: %s",
							i + 1,
							line));
			continue;
		}
		*eq = '\0';
		req->key = g_strstrip(g_strdup(rest));
		values = g_strsplit(eq + 1, "|", -1);
		for (guint j = 0; values[j] != NULL; j++) {
			gchar *value = g_strstrip(values[j]);
			if (value[0] == '\0')
				continue;
			g_ptr_array_add(req->values, g_strdup(value));
		}
		if (req->values->len == 0) {
			g_ptr_array_add(self->warnings,
					g_strdup_printf("android-info.txt:%u: %s has no value",
							i + 1,
							req->key));
			continue;
		}
		g_ptr_array_add(self->requirements, g_steal_pointer(&req));
	}
	return g_steal_pointer(&self);
}

/**
 * ub_android_info_get_requirements:
 * @self: a #UbAndroidInfo
 *
 * Returns: (transfer none) (element-type UbAndroidInfoRequirement): in file order
 **/
GPtrArray *
ub_android_info_get_requirements(UbAndroidInfo *self)
{
	g_return_val_if_fail(UB_IS_ANDROID_INFO(self), NULL);
	return self->requirements;
}

/**
 * ub_android_info_get_value:
 * @self: a #UbAndroidInfo
 * @key: a variable, e.g. "board"
 *
 * Returns: (transfer full) (nullable): the alternatives of the plain "require
 *   KEY=" line joined with '|', or %NULL
 **/
gchar *
ub_android_info_get_value(UbAndroidInfo *self, const gchar *key)
{
	g_return_val_if_fail(UB_IS_ANDROID_INFO(self), NULL);
	g_return_val_if_fail(key != NULL, NULL);
	for (guint i = 0; i < self->requirements->len; i++) {
		UbAndroidInfoRequirement *req = g_ptr_array_index(self->requirements, i);
		g_autoptr(GString) str = NULL;
		if (req->reject || req->for_product != NULL || g_strcmp0(req->key, key) != 0)
			continue;
		str = g_string_new(NULL);
		for (guint j = 0; j < req->values->len; j++) {
			if (j > 0)
				g_string_append_c(str, '|');
			g_string_append(str, g_ptr_array_index(req->values, j));
		}
		return g_string_free(g_steal_pointer(&str), FALSE);
	}
	return NULL;
}

/**
 * ub_android_info_get_warnings:
 * @self: a #UbAndroidInfo
 *
 * Returns: (transfer none) (element-type utf8): lines that were not understood
 **/
GPtrArray *
ub_android_info_get_warnings(UbAndroidInfo *self)
{
	g_return_val_if_fail(UB_IS_ANDROID_INFO(self), NULL);
	return self->warnings;
}

static void
ub_android_info_finalize(GObject *object)
{
	UbAndroidInfo *self = UB_ANDROID_INFO(object);
	g_ptr_array_unref(self->requirements);
	g_ptr_array_unref(self->warnings);
	G_OBJECT_CLASS(ub_android_info_parent_class)->finalize(object);
}

static void
ub_android_info_class_init(UbAndroidInfoClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_android_info_finalize;
}

static void
ub_android_info_init(UbAndroidInfo *self)
{
	self->requirements =
	    g_ptr_array_new_with_free_func((GDestroyNotify)ub_android_info_requirement_free);
	self->warnings = g_ptr_array_new_with_free_func(g_free);
}

/* fastboot-info.txt */

const gchar *
ub_fastboot_info_op_to_string(UbFastbootInfoOp op)
{
	switch (op) {
	case UB_FASTBOOT_INFO_OP_VERSION:
		return "version";
	case UB_FASTBOOT_INFO_OP_FLASH:
		return "flash";
	case UB_FASTBOOT_INFO_OP_ERASE:
		return "erase";
	case UB_FASTBOOT_INFO_OP_REBOOT:
		return "reboot";
	case UB_FASTBOOT_INFO_OP_UPDATE_SUPER:
		return "update-super";
	case UB_FASTBOOT_INFO_OP_LAST:
	default:
		return NULL;
	}
}

void
ub_fastboot_info_command_free(UbFastbootInfoCommand *cmd)
{
	if (cmd == NULL)
		return;
	g_free(cmd->partition);
	g_free(cmd->image);
	g_free(cmd->value);
	g_free(cmd);
}

static gboolean
ub_fastboot_info_name_is_valid(const gchar *name)
{
	if (name[0] == '\0' || name[0] == '-' || g_strcmp0(name, "..") == 0)
		return FALSE;
	for (guint i = 0; name[i] != '\0'; i++) {
		if (name[i] == '/' || name[i] == '\\' || g_ascii_iscntrl(name[i]))
			return FALSE;
	}
	return TRUE;
}

/* NULL with a reason in @why */
static UbFastbootInfoCommand *
ub_fastboot_info_parse_words(gchar **words, const gchar **why)
{
	g_autoptr(UbFastbootInfoCommand) cmd = g_new0(UbFastbootInfoCommand, 1);
	guint n = g_strv_length(words);
	guint i = 1;

	if (n == 0) {
		*why = "empty command";
		return NULL;
	}
	if (g_strcmp0(words[0], "if-wipe") == 0) {
		UbFastbootInfoCommand *inner;
		if (n < 2 || g_strcmp0(words[1], "if-wipe") == 0) {
			*why = "if-wipe without a command";
			return NULL;
		}
		inner = ub_fastboot_info_parse_words(words + 1, why);
		if (inner != NULL)
			inner->if_wipe = TRUE;
		return inner;
	}
	if (g_strcmp0(words[0], "version") == 0) {
		guint64 version = 0;
		if (n != 2 || !g_ascii_string_to_unsigned(words[1], 10, 0, G_MAXUINT32, &version, NULL)) {
			*why = "version needs one number";
			return NULL;
		}
		cmd->op = UB_FASTBOOT_INFO_OP_VERSION;
		cmd->value = g_strdup(words[1]);
	} else if (g_strcmp0(words[0], "flash") == 0) {
		cmd->op = UB_FASTBOOT_INFO_OP_FLASH;
		for (; i < n && g_str_has_prefix(words[i], "--"); i++) {
			if (g_strcmp0(words[i], "--apply-vbmeta") == 0) {
				cmd->apply_vbmeta = TRUE;
			} else if (g_strcmp0(words[i], "--slot-other") == 0) {
				cmd->slot_other = TRUE;
			} else {
				*why = "unknown flash option";
				return NULL;
			}
		}
		if (i >= n || n - i > 2) {
			*why = "flash needs a partition and at most one image";
			return NULL;
		}
		cmd->partition = g_strdup(words[i]);
		cmd->image = i + 1 < n ? g_strdup(words[i + 1])
				       : g_strdup_printf("%s.img", words[i]);
		if (!ub_fastboot_info_name_is_valid(cmd->partition) ||
		    !ub_fastboot_info_name_is_valid(cmd->image)) {
			*why = "partition or image name is not a plain name";
			return NULL;
		}
	} else if (g_strcmp0(words[0], "erase") == 0) {
		if (n != 2 || !ub_fastboot_info_name_is_valid(words[1])) {
			*why = "erase needs one partition";
			return NULL;
		}
		cmd->op = UB_FASTBOOT_INFO_OP_ERASE;
		cmd->partition = g_strdup(words[1]);
	} else if (g_strcmp0(words[0], "reboot") == 0) {
		const gchar *targets[] = {"bootloader", "fastboot", "recovery", NULL};
		if (n > 2 || (n == 2 && !g_strv_contains(targets, words[1]))) {
			*why = "reboot target must be bootloader, fastboot or recovery";
			return NULL;
		}
		cmd->op = UB_FASTBOOT_INFO_OP_REBOOT;
		cmd->value = g_strdup(n == 2 ? words[1] : "");
	} else if (g_strcmp0(words[0], "update-super") == 0) {
		if (n != 1) {
			*why = "update-super takes no argument";
			return NULL;
		}
		cmd->op = UB_FASTBOOT_INFO_OP_UPDATE_SUPER;
	} else {
		*why = "unknown command";
		return NULL;
	}
	return g_steal_pointer(&cmd);
}

/**
 * ub_fastboot_info_parse:
 * @buf: the content of fastboot-info.txt
 * @bufsz: size of @buf
 * @version: (out) (optional): the "version N" value, 0 when absent
 * @warnings: (nullable) (element-type utf8): where lines we skip are described
 * @error: (nullable): optional return location for an error
 *
 * Reads the task list fastboot's flashall/update runs. A version newer than
 * %UB_FASTBOOT_INFO_VERSION is refused, as fastboot does.
 *
 * Returns: (transfer container) (element-type UbFastbootInfoCommand): the
 *   commands in order, the version line included, or %NULL on error
 **/
GPtrArray *
ub_fastboot_info_parse(const guint8 *buf,
		       gsize bufsz,
		       guint *version,
		       GPtrArray *warnings,
		       GError **error)
{
	g_autoptr(GPtrArray) cmds =
	    g_ptr_array_new_with_free_func((GDestroyNotify)ub_fastboot_info_command_free);
	g_auto(GStrv) lines = NULL;
	guint index = 0;
	guint64 ver = 0;

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);

	lines = ub_android_info_split(buf, bufsz, "fastboot-info.txt", error);
	if (lines == NULL)
		return NULL;
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strstrip(lines[i]);
		g_auto(GStrv) words = NULL;
		const gchar *why = NULL;
		UbFastbootInfoCommand *cmd;

		if (line[0] == '\0' || line[0] == '#')
			continue;
		index++;
		g_strdelimit(line, "\t", ' ');
		words = g_strsplit(line, " ", -1);
		/* drop empty words from repeated spaces */
		{
			guint k = 0;
			for (guint j = 0; words[j] != NULL; j++) {
				if (words[j][0] == '\0') {
					g_free(words[j]);
					continue;
				}
				words[k++] = words[j];
			}
			words[k] = NULL;
		}
		cmd = ub_fastboot_info_parse_words(words, &why);
		if (cmd == NULL) {
			if (warnings != NULL) {
				g_ptr_array_add(warnings,
						g_strdup_printf("fastboot-info.txt:%u: %s, "
								"kept out of the plan: %s",
								i + 1,
								why,
								line));
			}
			continue;
		}
		cmd->index = index;
		cmd->line = i + 1;
		if (cmd->op == UB_FASTBOOT_INFO_OP_VERSION) {
			ver = g_ascii_strtoull(cmd->value, NULL, 10);
			if (ver > UB_FASTBOOT_INFO_VERSION) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_NOT_SUPPORTED,
					    "fastboot-info.txt version %" G_GUINT64_FORMAT
					    " is newer than the supported %u",
					    ver,
					    (guint)UB_FASTBOOT_INFO_VERSION);
				ub_fastboot_info_command_free(cmd);
				return NULL;
			}
		}
		g_ptr_array_add(cmds, cmd);
	}
	if (ver == 0 && warnings != NULL)
		g_ptr_array_add(warnings, g_strdup("fastboot-info.txt: no version line"));
	if (version != NULL)
		*version = (guint)ver;
	return g_steal_pointer(&cmds);
}
