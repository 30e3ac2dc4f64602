/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* pure helpers of the fastboot protocol: no I/O, every input is untrusted */

/* the longest command classic bootloaders (LK, ABL) accept */
#define UB_FASTBOOT_COMMAND_MAX 64
/* the longest response any device may send (FB_RESPONSE_SZ) */
#define UB_FASTBOOT_RESPONSE_MAX 256

typedef enum {
	UB_FASTBOOT_RESPONSE_OKAY,
	UB_FASTBOOT_RESPONSE_FAIL,
	UB_FASTBOOT_RESPONSE_DATA,
	UB_FASTBOOT_RESPONSE_INFO,
	UB_FASTBOOT_RESPONSE_TEXT,
	UB_FASTBOOT_RESPONSE_LAST
} UbFastbootResponseKind;

const gchar *ub_fastboot_response_kind_to_string(UbFastbootResponseKind kind);

gboolean ub_fastboot_response_parse(const guint8 *buf,
				    gsize bufsz,
				    UbFastbootResponseKind *kind,
				    gchar **text,
				    guint32 *data_size,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean ub_fastboot_command_validate(const gchar *command,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean ub_fastboot_partition_name_validate(const gchar *name,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean ub_fastboot_parse_size(const gchar *str,
				gboolean implicit_hex,
				guint64 *value,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean ub_fastboot_var_line_parse(const gchar *line, gchar **name, gchar **value, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
GHashTable *ub_fastboot_var_lines_to_hash(GPtrArray *lines);
GPtrArray *ub_fastboot_var_lines_to_partitions(GPtrArray *lines);

const gchar *ub_fastboot_fail_advice(const gchar *remote);
void ub_fastboot_set_fail_error(GError **error, const gchar *remote);

G_END_DECLS
