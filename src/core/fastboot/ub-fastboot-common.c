/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-fastboot-common.h"
#include "ub-partition.h"

const gchar *
ub_fastboot_response_kind_to_string(UbFastbootResponseKind kind)
{
	switch (kind) {
	case UB_FASTBOOT_RESPONSE_OKAY:
		return "OKAY";
	case UB_FASTBOOT_RESPONSE_FAIL:
		return "FAIL";
	case UB_FASTBOOT_RESPONSE_DATA:
		return "DATA";
	case UB_FASTBOOT_RESPONSE_INFO:
		return "INFO";
	case UB_FASTBOOT_RESPONSE_TEXT:
		return "TEXT";
	case UB_FASTBOOT_RESPONSE_LAST:
	default:
		return "unknown";
	}
}

/* device text ends at the first NUL (some bootloaders pad), loses trailing line
 * ends, and never carries control characters or invalid UTF-8 into our logs */
static gchar *
ub_fastboot_text_sanitize(const guint8 *buf, gsize bufsz)
{
	g_autofree gchar *tmp = NULL;
	gsize len = 0;
	while (len < bufsz && buf[len] != '\0')
		len++;
	tmp = g_strndup((const gchar *)buf, len);
	for (gsize i = 0; i < len; i++) {
		if ((guint8)tmp[i] < 0x20 || (guint8)tmp[i] == 0x7f)
			tmp[i] = (tmp[i] == '\r' || tmp[i] == '\n') ? ' ' : '?';
	}
	g_strchomp(tmp);
	return g_utf8_make_valid(tmp, -1);
}

/**
 * ub_fastboot_response_parse:
 * @buf: one response packet as read from the device
 * @bufsz: its size
 * @kind: (out): the status
 * @text: (out) (optional): the payload as sanitized text
 * @data_size: (out) (optional): the size announced by a DATA response
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if @buf is a well-formed response
 */
gboolean
ub_fastboot_response_parse(const guint8 *buf,
			   gsize bufsz,
			   UbFastbootResponseKind *kind,
			   gchar **text,
			   guint32 *data_size,
			   GError **error)
{
	static const gchar *codes[] = {"OKAY", "FAIL", "DATA", "INFO", "TEXT"};
	UbFastbootResponseKind kind_tmp = UB_FASTBOOT_RESPONSE_LAST;
	g_autofree gchar *payload = NULL;

	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(kind != NULL, FALSE);

	if (bufsz < 4) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "response of %" G_GSIZE_FORMAT " bytes is too short",
			    bufsz);
		return FALSE;
	}
	if (bufsz > UB_FASTBOOT_RESPONSE_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "response of %" G_GSIZE_FORMAT " bytes is longer than %u",
			    bufsz,
			    (guint)UB_FASTBOOT_RESPONSE_MAX);
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(codes); i++) {
		if (memcmp(buf, codes[i], 4) == 0) {
			kind_tmp = (UbFastbootResponseKind)i;
			break;
		}
	}
	if (kind_tmp == UB_FASTBOOT_RESPONSE_LAST) {
		g_autofree gchar *code = ub_fastboot_text_sanitize(buf, 4);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "device sent unknown status code '%s'",
			    code);
		return FALSE;
	}
	payload = ub_fastboot_text_sanitize(buf + 4, bufsz - 4);
	if (kind_tmp == UB_FASTBOOT_RESPONSE_DATA) {
		guint64 sz = 0;
		gsize len = strlen(payload);
		gboolean ok = len == 8;
		for (gsize i = 0; ok && i < len; i++)
			ok = g_ascii_isxdigit(payload[i]);
		if (ok)
			sz = g_ascii_strtoull(payload, NULL, 16);
		if (!ok || sz > G_MAXUINT32) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "malformed DATA response '%s': expected 8 hex digits",
				    payload);
			return FALSE;
		}
		if (data_size != NULL)
			*data_size = (guint32)sz;
	}
	*kind = kind_tmp;
	if (text != NULL)
		*text = g_steal_pointer(&payload);
	return TRUE;
}

/**
 * ub_fastboot_command_validate:
 * @command: a command about to be sent
 * @error: (nullable): return location for a #GError
 *
 * Commands go in one packet of at most 64 bytes, printable ASCII only.
 *
 * Returns: %TRUE if @command can be sent to any bootloader
 */
gboolean
ub_fastboot_command_validate(const gchar *command, GError **error)
{
	gsize len = strlen(command);
	if (len == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "empty command");
		return FALSE;
	}
	if (len > UB_FASTBOOT_COMMAND_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "command of %" G_GSIZE_FORMAT " bytes is longer than the %u bytes "
			    "bootloaders accept",
			    len,
			    (guint)UB_FASTBOOT_COMMAND_MAX);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		if (command[i] < 0x20 || command[i] > 0x7e) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "command contains a non-printable byte 0x%02x",
				    (guint)(guint8)command[i]);
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ub_fastboot_partition_name_validate:
 * @name: a partition name
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if @name can be put in a command (no separators, no spaces)
 */
gboolean
ub_fastboot_partition_name_validate(const gchar *name, GError **error)
{
	if (name == NULL || name[0] == '\0') {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "no partition name");
		return FALSE;
	}
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.') {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "partition name '%s' contains an invalid character",
				    name);
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ub_fastboot_parse_size:
 * @str: a variable value, e.g. " 0x10000000" or "536870912"
 * @implicit_hex: %TRUE if a value without "0x" is hex anyway (partition-size)
 * @value: (out): the number
 * @error: (nullable): return location for a #GError
 *
 * Leading and trailing whitespace is ignored; a leading zero does not mean
 * octal (unlike the AOSP client).
 *
 * Returns: %TRUE if @str is a number
 */
gboolean
ub_fastboot_parse_size(const gchar *str, gboolean implicit_hex, guint64 *value, GError **error)
{
	g_autofree gchar *tmp = g_strstrip(g_strdup(str));
	const gchar *digits = tmp;
	guint base = implicit_hex ? 16 : 10;
	g_autoptr(GError) error_local = NULL;

	if (g_ascii_strncasecmp(tmp, "0x", 2) == 0) {
		digits = tmp + 2;
		base = 16;
	}
	/* g_ascii_string_to_unsigned() accepts a sign, we do not */
	if (digits[0] == '\0' || !g_ascii_isxdigit(digits[0]) ||
	    !g_ascii_string_to_unsigned(digits, base, 0, G_MAXUINT64, value, &error_local)) {
		g_set_error(error, UB_ERROR, UB_ERROR_PROTOCOL, "invalid number '%s'", tmp);
		return FALSE;
	}
	return TRUE;
}

/* variables whose name carries an argument: "partition-size:boot_a:0x4000000" */
static const gchar *ub_fastboot_vars_with_arg[] = {
    "partition-size",
    "partition-type",
    "is-logical",
    "has-slot",
    "slot-successful",
    "slot-unbootable",
    "slot-retry-count",
    NULL,
};

/**
 * ub_fastboot_var_line_parse:
 * @line: one INFO line of "getvar all"
 * @name: (out): the variable with its argument, e.g. "partition-size:boot_a"
 * @value: (out): the value without surrounding whitespace
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if @line is "name:value" or "name:arg:value"
 */
gboolean
ub_fastboot_var_line_parse(const gchar *line, gchar **name, gchar **value, GError **error)
{
	const gchar *colon = strchr(line, ':');
	g_autofree gchar *key = NULL;

	if (colon == NULL || colon == line) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "variable line '%s' has no name",
			    line);
		return FALSE;
	}
	key = g_strstrip(g_strndup(line, colon - line));
	if (g_strv_contains(ub_fastboot_vars_with_arg, key)) {
		const gchar *arg = colon + 1;
		const gchar *colon2 = strchr(arg, ':');
		g_autofree gchar *arg_str = NULL;
		if (colon2 == NULL || colon2 == arg) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "variable line '%s' has no argument",
				    line);
			return FALSE;
		}
		arg_str = g_strstrip(g_strndup(arg, colon2 - arg));
		*name = g_strdup_printf("%s:%s", key, arg_str);
		*value = g_strstrip(g_strdup(colon2 + 1));
		return TRUE;
	}
	*name = g_steal_pointer(&key);
	*value = g_strstrip(g_strdup(colon + 1));
	return TRUE;
}

/**
 * ub_fastboot_var_lines_to_hash:
 * @lines: (element-type utf8): the INFO lines of "getvar all"
 *
 * Malformed lines are skipped; a later duplicate wins.
 *
 * Returns: (transfer full): name -> value
 */
GHashTable *
ub_fastboot_var_lines_to_hash(GPtrArray *lines)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (guint i = 0; i < lines->len; i++) {
		gchar *name = NULL;
		gchar *value = NULL;
		g_autoptr(GError) error_local = NULL;
		if (!ub_fastboot_var_line_parse(g_ptr_array_index(lines, i),
						&name,
						&value,
						&error_local)) {
			g_debug("ignoring: %s", error_local->message);
			continue;
		}
		g_hash_table_insert(vars, name, value);
	}
	return vars;
}

/**
 * ub_fastboot_var_lines_to_partitions:
 * @lines: (element-type utf8): the INFO lines of "getvar all"
 *
 * Builds the partition list from partition-size:NAME (and is-logical:NAME),
 * in the order the device reported them. Sizes that do not parse become 0.
 *
 * Returns: (transfer container) (element-type UbPartition): partitions
 */
GPtrArray *
ub_fastboot_var_lines_to_partitions(GPtrArray *lines)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GHashTable) vars = ub_fastboot_var_lines_to_hash(lines);

	for (guint i = 0; i < lines->len; i++) {
		g_autofree gchar *name = NULL;
		g_autofree gchar *value = NULL;
		g_autofree gchar *key_logical = NULL;
		const gchar *pname;
		const gchar *logical;
		guint64 size = 0;
		UbPartition *part;
		g_autoptr(GError) error_local = NULL;

		if (!ub_fastboot_var_line_parse(g_ptr_array_index(lines, i), &name, &value, NULL))
			continue;
		if (!g_str_has_prefix(name, "partition-size:"))
			continue;
		pname = name + strlen("partition-size:");
		if (!ub_fastboot_partition_name_validate(pname, &error_local)) {
			g_debug("ignoring: %s", error_local->message);
			continue;
		}
		if (ub_partition_array_find(parts, pname) != NULL)
			continue;
		if (!ub_fastboot_parse_size(value, TRUE, &size, &error_local)) {
			g_debug("ignoring size of %s: %s", pname, error_local->message);
			size = 0;
		}
		part = ub_partition_new(pname, NULL, 0, size);
		key_logical = g_strdup_printf("is-logical:%s", pname);
		logical = g_hash_table_lookup(vars, key_logical);
		ub_partition_set_is_logical(part, g_strcmp0(logical, "yes") == 0);
		g_ptr_array_add(parts, part);
	}
	return g_steal_pointer(&parts);
}

typedef struct {
	const gchar *needle; /* lower case */
	const gchar *advice;
} UbFastbootAdvice;

static const UbFastbootAdvice ub_fastboot_advice[] = {
    {"partition table doesn't exist",
     "this name does not exist on the device; on A/B phones most partitions exist only "
     "per slot: flash NAME_a or NAME_b"},
    {"partition not found",
     "dynamic partitions (system, vendor, product...) exist only in fastbootd: reboot to "
     "fastbootd first, or check the partition name"},
    {"no such partition", "check the partition name; on A/B phones use NAME_a or NAME_b"},
    {"could not find partition",
     "super has no such logical partition: flash the whole package (it updates super first) "
     "or create the partition"},
    {"partition doesn't exist",
     "dynamic partitions exist only in fastbootd: reboot to fastbootd first"},
    {"flash write failure",
     "the device failed to write its storage: retry with another cable and USB port; if it "
     "repeats, the storage may be worn or write-protected"},
    {"not allowed in locked state", "the bootloader is locked: unlock it first"},
    {"not allowed in lock state", "the bootloader is locked: unlock it first"},
    {"not allowed on locked devices", "the bootloader is locked: unlock it first"},
    {"not supported in locked device", "the bootloader is locked: unlock it first"},
    {"critical partitions", "critical partitions need 'flashing unlock_critical' first"},
    {"size too large",
     "the image is larger than the partition or the download buffer: check the image is "
     "meant for this partition"},
    {"data too large",
     "the image is larger than the device's download buffer (max-download-size): it must "
     "be sent as sparse pieces"},
    {"more than max allowed",
     "the image is larger than the device's download buffer (max-download-size): it must "
     "be sent as sparse pieces"},
    {"exceeds partition size", "the image is larger than the partition"},
    {"anti-rollback",
     "the phone refuses an older firmware than the one it runs (anti-rollback): use a "
     "package with the same or a newer anti-rollback index; never force it, that bricks "
     "the phone"},
    {"antirollback",
     "the phone refuses an older firmware than the one it runs (anti-rollback): use a "
     "package with the same or a newer anti-rollback index"},
    {"rollback",
     "the phone refuses an older firmware than the one it runs (rollback protection): use "
     "a newer package"},
    {"failed to write partition table",
     "super has no room for the new sizes: delete unused logical partitions or wipe super "
     "(update-super with wipe)"},
    {"not enough space",
     "super has no room for this image: delete unused logical partitions or wipe super"},
    {"snapshot",
     "an update is still being merged: boot Android to let it finish, or cancel it with "
     "'snapshot-update cancel' in fastbootd"},
    {"get_unlock_ability: 0",
     "unlocking is not allowed: enable OEM unlocking in the phone's developer options"},
    {"unlock is not allowed",
     "unlocking is not allowed: enable OEM unlocking in the phone's developer options"},
    {"not allowed in fastbootd", "reboot to the bootloader first"},
    {"unrecognized command", "this bootloader does not support the command"},
    {"unknown command", "this bootloader does not support the command"},
};

/**
 * ub_fastboot_fail_advice:
 * @remote: the text of a FAIL response
 *
 * Returns: (nullable): what the user can do about a known refusal
 */
const gchar *
ub_fastboot_fail_advice(const gchar *remote)
{
	g_autofree gchar *lower = NULL;
	if (remote == NULL)
		return NULL;
	lower = g_ascii_strdown(remote, -1);
	for (guint i = 0; i < G_N_ELEMENTS(ub_fastboot_advice); i++) {
		if (strstr(lower, ub_fastboot_advice[i].needle) != NULL)
			return ub_fastboot_advice[i].advice;
	}
	return NULL;
}

/**
 * ub_fastboot_set_fail_error:
 * @error: (nullable): return location for a #GError
 * @remote: the text of a FAIL response
 *
 * Sets %UB_ERROR_REFUSED with the device's words and, for known texts, advice.
 */
void
ub_fastboot_set_fail_error(GError **error, const gchar *remote)
{
	const gchar *advice = ub_fastboot_fail_advice(remote);
	if (advice != NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "remote: '%s' (%s)", remote, advice);
		return;
	}
	g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "remote: '%s'", remote);
}
