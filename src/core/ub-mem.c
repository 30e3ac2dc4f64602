/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-mem.h"

/* byte-order helpers for parsers and packet builders: memcpy, never a pointer
 * cast, so unaligned offsets are fine (STYLE.md rule 3) */

/* whether n bytes at offset lie inside a buffer of bufsz bytes, without overflow */
static gboolean
ub_mem_check_range(const gchar *what, gsize bufsz, gsize offset, gsize n, GError **error)
{
	if (offset > bufsz || n > bufsz - offset) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s %" G_GSIZE_FORMAT " bytes at offset 0x%" G_GSIZE_MODIFIER
			    "x goes past the end of the %" G_GSIZE_FORMAT "-byte buffer",
			    what,
			    n,
			    offset,
			    bufsz);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_mem_read_u16_le:
 * @buf: a buffer of at least @offset + 2 bytes
 * @offset: where the value starts
 *
 * Reads a little-endian 16-bit value; the caller checked the bounds.
 *
 * Returns: the value in host order
 */
guint16
ub_mem_read_u16_le(const guint8 *buf, gsize offset)
{
	guint16 tmp = 0;
	memcpy(&tmp, buf + offset, sizeof(tmp));
	return GUINT16_FROM_LE(tmp);
}

/**
 * ub_mem_read_u16_be:
 * @buf: a buffer of at least @offset + 2 bytes
 * @offset: where the value starts
 *
 * Reads a big-endian 16-bit value; the caller checked the bounds.
 *
 * Returns: the value in host order
 */
guint16
ub_mem_read_u16_be(const guint8 *buf, gsize offset)
{
	guint16 tmp = 0;
	memcpy(&tmp, buf + offset, sizeof(tmp));
	return GUINT16_FROM_BE(tmp);
}

/**
 * ub_mem_read_u32_le:
 * @buf: a buffer of at least @offset + 4 bytes
 * @offset: where the value starts
 *
 * Reads a little-endian 32-bit value; the caller checked the bounds.
 *
 * Returns: the value in host order
 */
guint32
ub_mem_read_u32_le(const guint8 *buf, gsize offset)
{
	guint32 tmp = 0;
	memcpy(&tmp, buf + offset, sizeof(tmp));
	return GUINT32_FROM_LE(tmp);
}

/**
 * ub_mem_read_u32_be:
 * @buf: a buffer of at least @offset + 4 bytes
 * @offset: where the value starts
 *
 * Reads a big-endian 32-bit value; the caller checked the bounds.
 *
 * Returns: the value in host order
 */
guint32
ub_mem_read_u32_be(const guint8 *buf, gsize offset)
{
	guint32 tmp = 0;
	memcpy(&tmp, buf + offset, sizeof(tmp));
	return GUINT32_FROM_BE(tmp);
}

/**
 * ub_mem_read_u64_le:
 * @buf: a buffer of at least @offset + 8 bytes
 * @offset: where the value starts
 *
 * Reads a little-endian 64-bit value; the caller checked the bounds.
 *
 * Returns: the value in host order
 */
guint64
ub_mem_read_u64_le(const guint8 *buf, gsize offset)
{
	guint64 tmp = 0;
	memcpy(&tmp, buf + offset, sizeof(tmp));
	return GUINT64_FROM_LE(tmp);
}

/**
 * ub_mem_read_u64_be:
 * @buf: a buffer of at least @offset + 8 bytes
 * @offset: where the value starts
 *
 * Reads a big-endian 64-bit value; the caller checked the bounds.
 *
 * Returns: the value in host order
 */
guint64
ub_mem_read_u64_be(const guint8 *buf, gsize offset)
{
	guint64 tmp = 0;
	memcpy(&tmp, buf + offset, sizeof(tmp));
	return GUINT64_FROM_BE(tmp);
}

/**
 * ub_mem_write_u16_le:
 * @buf: a buffer of at least @offset + 2 bytes
 * @offset: where the value starts
 * @value: the value in host order
 *
 * Writes a little-endian 16-bit value; the caller checked the bounds.
 */
void
ub_mem_write_u16_le(guint8 *buf, gsize offset, guint16 value)
{
	guint16 tmp = GUINT16_TO_LE(value);
	memcpy(buf + offset, &tmp, sizeof(tmp));
}

/**
 * ub_mem_write_u16_be:
 * @buf: a buffer of at least @offset + 2 bytes
 * @offset: where the value starts
 * @value: the value in host order
 *
 * Writes a big-endian 16-bit value; the caller checked the bounds.
 */
void
ub_mem_write_u16_be(guint8 *buf, gsize offset, guint16 value)
{
	guint16 tmp = GUINT16_TO_BE(value);
	memcpy(buf + offset, &tmp, sizeof(tmp));
}

/**
 * ub_mem_write_u32_le:
 * @buf: a buffer of at least @offset + 4 bytes
 * @offset: where the value starts
 * @value: the value in host order
 *
 * Writes a little-endian 32-bit value; the caller checked the bounds.
 */
void
ub_mem_write_u32_le(guint8 *buf, gsize offset, guint32 value)
{
	guint32 tmp = GUINT32_TO_LE(value);
	memcpy(buf + offset, &tmp, sizeof(tmp));
}

/**
 * ub_mem_write_u32_be:
 * @buf: a buffer of at least @offset + 4 bytes
 * @offset: where the value starts
 * @value: the value in host order
 *
 * Writes a big-endian 32-bit value; the caller checked the bounds.
 */
void
ub_mem_write_u32_be(guint8 *buf, gsize offset, guint32 value)
{
	guint32 tmp = GUINT32_TO_BE(value);
	memcpy(buf + offset, &tmp, sizeof(tmp));
}

/**
 * ub_mem_write_u64_le:
 * @buf: a buffer of at least @offset + 8 bytes
 * @offset: where the value starts
 * @value: the value in host order
 *
 * Writes a little-endian 64-bit value; the caller checked the bounds.
 */
void
ub_mem_write_u64_le(guint8 *buf, gsize offset, guint64 value)
{
	guint64 tmp = GUINT64_TO_LE(value);
	memcpy(buf + offset, &tmp, sizeof(tmp));
}

/**
 * ub_mem_write_u64_be:
 * @buf: a buffer of at least @offset + 8 bytes
 * @offset: where the value starts
 * @value: the value in host order
 *
 * Writes a big-endian 64-bit value; the caller checked the bounds.
 */
void
ub_mem_write_u64_be(guint8 *buf, gsize offset, guint64 value)
{
	guint64 tmp = GUINT64_TO_BE(value);
	memcpy(buf + offset, &tmp, sizeof(tmp));
}

/**
 * ub_mem_read_u16_le_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: (out) (optional): the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Reads a little-endian 16-bit value if it lies inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_read_u16_le_safe(const guint8 *buf,
                        gsize bufsz,
                        gsize offset,
                        guint16 *value,
                        GError **error)
{
	if (!ub_mem_check_range("reading", bufsz, offset, sizeof(guint16), error))
		return FALSE;
	if (value != NULL)
		*value = ub_mem_read_u16_le(buf, offset);
	return TRUE;
}

/**
 * ub_mem_read_u16_be_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: (out) (optional): the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Reads a big-endian 16-bit value if it lies inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_read_u16_be_safe(const guint8 *buf,
                        gsize bufsz,
                        gsize offset,
                        guint16 *value,
                        GError **error)
{
	if (!ub_mem_check_range("reading", bufsz, offset, sizeof(guint16), error))
		return FALSE;
	if (value != NULL)
		*value = ub_mem_read_u16_be(buf, offset);
	return TRUE;
}

/**
 * ub_mem_read_u32_le_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: (out) (optional): the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Reads a little-endian 32-bit value if it lies inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_read_u32_le_safe(const guint8 *buf,
                        gsize bufsz,
                        gsize offset,
                        guint32 *value,
                        GError **error)
{
	if (!ub_mem_check_range("reading", bufsz, offset, sizeof(guint32), error))
		return FALSE;
	if (value != NULL)
		*value = ub_mem_read_u32_le(buf, offset);
	return TRUE;
}

/**
 * ub_mem_read_u32_be_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: (out) (optional): the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Reads a big-endian 32-bit value if it lies inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_read_u32_be_safe(const guint8 *buf,
                        gsize bufsz,
                        gsize offset,
                        guint32 *value,
                        GError **error)
{
	if (!ub_mem_check_range("reading", bufsz, offset, sizeof(guint32), error))
		return FALSE;
	if (value != NULL)
		*value = ub_mem_read_u32_be(buf, offset);
	return TRUE;
}

/**
 * ub_mem_read_u64_le_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: (out) (optional): the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Reads a little-endian 64-bit value if it lies inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_read_u64_le_safe(const guint8 *buf,
                        gsize bufsz,
                        gsize offset,
                        guint64 *value,
                        GError **error)
{
	if (!ub_mem_check_range("reading", bufsz, offset, sizeof(guint64), error))
		return FALSE;
	if (value != NULL)
		*value = ub_mem_read_u64_le(buf, offset);
	return TRUE;
}

/**
 * ub_mem_read_u64_be_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: (out) (optional): the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Reads a big-endian 64-bit value if it lies inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_read_u64_be_safe(const guint8 *buf,
                        gsize bufsz,
                        gsize offset,
                        guint64 *value,
                        GError **error)
{
	if (!ub_mem_check_range("reading", bufsz, offset, sizeof(guint64), error))
		return FALSE;
	if (value != NULL)
		*value = ub_mem_read_u64_be(buf, offset);
	return TRUE;
}

/**
 * ub_mem_write_u16_le_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Writes a little-endian 16-bit value if it fits inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_write_u16_le_safe(guint8 *buf,
                         gsize bufsz,
                         gsize offset,
                         guint16 value,
                         GError **error)
{
	if (!ub_mem_check_range("writing", bufsz, offset, sizeof(guint16), error))
		return FALSE;
	ub_mem_write_u16_le(buf, offset, value);
	return TRUE;
}

/**
 * ub_mem_write_u16_be_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Writes a big-endian 16-bit value if it fits inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_write_u16_be_safe(guint8 *buf,
                         gsize bufsz,
                         gsize offset,
                         guint16 value,
                         GError **error)
{
	if (!ub_mem_check_range("writing", bufsz, offset, sizeof(guint16), error))
		return FALSE;
	ub_mem_write_u16_be(buf, offset, value);
	return TRUE;
}

/**
 * ub_mem_write_u32_le_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Writes a little-endian 32-bit value if it fits inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_write_u32_le_safe(guint8 *buf,
                         gsize bufsz,
                         gsize offset,
                         guint32 value,
                         GError **error)
{
	if (!ub_mem_check_range("writing", bufsz, offset, sizeof(guint32), error))
		return FALSE;
	ub_mem_write_u32_le(buf, offset, value);
	return TRUE;
}

/**
 * ub_mem_write_u32_be_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Writes a big-endian 32-bit value if it fits inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_write_u32_be_safe(guint8 *buf,
                         gsize bufsz,
                         gsize offset,
                         guint32 value,
                         GError **error)
{
	if (!ub_mem_check_range("writing", bufsz, offset, sizeof(guint32), error))
		return FALSE;
	ub_mem_write_u32_be(buf, offset, value);
	return TRUE;
}

/**
 * ub_mem_write_u64_le_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Writes a little-endian 64-bit value if it fits inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_write_u64_le_safe(guint8 *buf,
                         gsize bufsz,
                         gsize offset,
                         guint64 value,
                         GError **error)
{
	if (!ub_mem_check_range("writing", bufsz, offset, sizeof(guint64), error))
		return FALSE;
	ub_mem_write_u64_le(buf, offset, value);
	return TRUE;
}

/**
 * ub_mem_write_u64_be_safe:
 * @buf: a buffer
 * @bufsz: size of @buf
 * @offset: where the value starts
 * @value: the value in host order
 * @error: (nullable): return location for a #GError
 *
 * Writes a big-endian 64-bit value if it fits inside the buffer.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_write_u64_be_safe(guint8 *buf,
                         gsize bufsz,
                         gsize offset,
                         guint64 value,
                         GError **error)
{
	if (!ub_mem_check_range("writing", bufsz, offset, sizeof(guint64), error))
		return FALSE;
	ub_mem_write_u64_be(buf, offset, value);
	return TRUE;
}

/**
 * ub_mem_memcpy_safe:
 * @dst: destination buffer
 * @dstsz: size of @dst
 * @dst_offset: where to write in @dst
 * @src: source buffer
 * @srcsz: size of @src
 * @src_offset: where to read in @src
 * @n: bytes to copy
 * @error: (nullable): return location for a #GError
 *
 * Copies @n bytes if both ranges lie inside their buffers; nothing is copied otherwise.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_mem_memcpy_safe(guint8 *dst,
		   gsize dstsz,
		   gsize dst_offset,
		   const guint8 *src,
		   gsize srcsz,
		   gsize src_offset,
		   gsize n,
		   GError **error)
{
	if (!ub_mem_check_range("reading", srcsz, src_offset, n, error))
		return FALSE;
	if (!ub_mem_check_range("writing", dstsz, dst_offset, n, error))
		return FALSE;
	if (n > 0)
		memmove(dst + dst_offset, src + src_offset, n);
	return TRUE;
}
