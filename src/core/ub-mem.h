/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* unchecked: for callers that already checked that offset + width fits */
guint16
ub_mem_read_u16_le(const guint8 *buf, gsize offset);
guint16
ub_mem_read_u16_be(const guint8 *buf, gsize offset);
guint32
ub_mem_read_u32_le(const guint8 *buf, gsize offset);
guint32
ub_mem_read_u32_be(const guint8 *buf, gsize offset);
guint64
ub_mem_read_u64_le(const guint8 *buf, gsize offset);
guint64
ub_mem_read_u64_be(const guint8 *buf, gsize offset);
void
ub_mem_write_u16_le(guint8 *buf, gsize offset, guint16 value);
void
ub_mem_write_u16_be(guint8 *buf, gsize offset, guint16 value);
void
ub_mem_write_u32_le(guint8 *buf, gsize offset, guint32 value);
void
ub_mem_write_u32_be(guint8 *buf, gsize offset, guint32 value);
void
ub_mem_write_u64_le(guint8 *buf, gsize offset, guint64 value);
void
ub_mem_write_u64_be(guint8 *buf, gsize offset, guint64 value);

/* bounds-checked: UB_ERROR_INVALID_DATA when the value does not fit in the buffer */
gboolean
ub_mem_read_u16_le_safe(const guint8 *buf,
			gsize bufsz,
			gsize offset,
			guint16 *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_read_u16_be_safe(const guint8 *buf,
			gsize bufsz,
			gsize offset,
			guint16 *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_read_u32_le_safe(const guint8 *buf,
			gsize bufsz,
			gsize offset,
			guint32 *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_read_u32_be_safe(const guint8 *buf,
			gsize bufsz,
			gsize offset,
			guint32 *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_read_u64_le_safe(const guint8 *buf,
			gsize bufsz,
			gsize offset,
			guint64 *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_read_u64_be_safe(const guint8 *buf,
			gsize bufsz,
			gsize offset,
			guint64 *value,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_write_u16_le_safe(guint8 *buf,
			 gsize bufsz,
			 gsize offset,
			 guint16 value,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_write_u16_be_safe(guint8 *buf,
			 gsize bufsz,
			 gsize offset,
			 guint16 value,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_write_u32_le_safe(guint8 *buf,
			 gsize bufsz,
			 gsize offset,
			 guint32 value,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_write_u32_be_safe(guint8 *buf,
			 gsize bufsz,
			 gsize offset,
			 guint32 value,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_write_u64_le_safe(guint8 *buf,
			 gsize bufsz,
			 gsize offset,
			 guint64 value,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_write_u64_be_safe(guint8 *buf,
			 gsize bufsz,
			 gsize offset,
			 guint64 value,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_mem_memcpy_safe(guint8 *dst,
		   gsize dstsz,
		   gsize dst_offset,
		   const guint8 *src,
		   gsize srcsz,
		   gsize src_offset,
		   gsize n,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
