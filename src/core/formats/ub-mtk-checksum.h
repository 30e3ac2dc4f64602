/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_TYPE_MTK_CHECKSUM (ub_mtk_checksum_get_type())
G_DECLARE_FINAL_TYPE(UbMtkChecksum, ub_mtk_checksum, UB, MTK_CHECKSUM, GObject)

/* real files are a few hundred bytes */
#define UB_MTK_CHECKSUM_MAX_SIZE (1024 * 1024)

/**
 * UbMtkChecksumEntry:
 * @name: the key as written: a partition name (or a file name)
 * @value: the 16-bit checksum
 * @value_str: the value as written ("0x886")
 * @line: 1-based line number
 *
 * One line of the [CheckSum] section.
 */
typedef struct {
	gchar *name;
	guint16 value;
	gchar *value_str;
	guint line;
} UbMtkChecksumEntry;

void
ub_mtk_checksum_entry_free(UbMtkChecksumEntry *entry);

UbMtkChecksum *
ub_mtk_checksum_parse(const guint8 *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;

const gchar *
ub_mtk_checksum_get_value(UbMtkChecksum *self, const gchar *section, const gchar *key);
GPtrArray *
ub_mtk_checksum_get_sections(UbMtkChecksum *self);
const gchar *
ub_mtk_checksum_get_version(UbMtkChecksum *self);
const gchar *
ub_mtk_checksum_get_tool(UbMtkChecksum *self);
const gchar *
ub_mtk_checksum_get_change_id(UbMtkChecksum *self);
gboolean
ub_mtk_checksum_get_enabled(UbMtkChecksum *self);
GPtrArray *
ub_mtk_checksum_get_entries(UbMtkChecksum *self);
const UbMtkChecksumEntry *
ub_mtk_checksum_find_entry(UbMtkChecksum *self, const gchar *name);
GPtrArray *
ub_mtk_checksum_get_warnings(UbMtkChecksum *self);

guint64
ub_mtk_checksum_update(guint64 state, const guint8 *buf, gsize bufsz);
guint16
ub_mtk_checksum_finish(guint64 state, guint64 total_size);
guint16
ub_mtk_checksum_compute(const guint8 *buf, gsize bufsz);
gboolean
ub_mtk_checksum_compute_stream(GInputStream *stream,
			       guint16 *checksum,
			       guint64 *size,
			       GCancellable *cancellable,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
