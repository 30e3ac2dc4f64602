/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-sparse-image.h"
#include "ub-crc.h"
#include "ub-error.h"
#include "ub-mem.h"

/*
 * The layout of an Android sparse image: block size, and the runs (RAW, FILL, DONT_CARE)
 * covering the expanded image in order. Built by the pure buffer parser below, by the
 * streaming reader (ub_sparse_reader_scan()) and by the raw scanner
 * (ub_sparse_writer_scan_raw()); rendered by UbSparseWriter and cut by UbSparseSplitter.
 * Memory is one UbSparseChunk per run, never the image data.
 */

struct _UbSparseImage {
	GObject parent_instance;
	guint32 blk_sz;
	guint64 total_blks;
	GArray *chunks; /* of UbSparseChunk */
};

G_DEFINE_TYPE(UbSparseImage, ub_sparse_image, G_TYPE_OBJECT)

/* the largest RAW chunk whose total_sz still fits in 32 bits */
static guint64
ub_sparse_image_max_raw_blocks(guint32 blk_sz)
{
	return (G_MAXUINT32 - UB_SPARSE_CHUNK_HEADER_SIZE) / blk_sz;
}

/**
 * ub_sparse_chunk_type_to_string:
 * @type: a chunk type
 *
 * Returns: "raw", "fill", "dont-care", "crc32" or "unknown"
 */
const gchar *
ub_sparse_chunk_type_to_string(UbSparseChunkType type)
{
	switch (type) {
	case UB_SPARSE_CHUNK_TYPE_RAW:
		return "raw";
	case UB_SPARSE_CHUNK_TYPE_FILL:
		return "fill";
	case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
		return "dont-care";
	case UB_SPARSE_CHUNK_TYPE_CRC32:
		return "crc32";
	default:
		return "unknown";
	}
}

/**
 * ub_sparse_is_sparse:
 * @buf: the first bytes of a file
 * @bufsz: size of @buf
 *
 * Returns: %TRUE if @buf starts with the sparse magic
 */
gboolean
ub_sparse_is_sparse(const guint8 *buf, gsize bufsz)
{
	if (buf == NULL || bufsz < 4)
		return FALSE;
	return ub_mem_read_u32_le(buf, 0) == UB_SPARSE_MAGIC;
}

/**
 * ub_sparse_header_parse:
 * @buf: at least 28 bytes
 * @bufsz: size of @buf
 * @hdr: (out): the header
 * @error: (nullable): optional return location for an error
 *
 * Parses and checks the file header the way libsparse does, plus a non-zero block size
 * that is a multiple of 4.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_header_parse(const guint8 *buf, gsize bufsz, UbSparseHeader *hdr, GError **error)
{
	UbSparseHeader tmp = {0};

	g_return_val_if_fail(hdr != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (buf == NULL || bufsz < UB_SPARSE_HEADER_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse header truncated: %" G_GSIZE_FORMAT " of %u bytes",
			    buf == NULL ? 0 : bufsz,
			    (guint)UB_SPARSE_HEADER_SIZE);
		return FALSE;
	}
	if (ub_mem_read_u32_le(buf, 0) != UB_SPARSE_MAGIC) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "not a sparse image: magic 0x%08x, expected 0x%08x",
			    ub_mem_read_u32_le(buf, 0),
			    UB_SPARSE_MAGIC);
		return FALSE;
	}
	tmp.major_version = ub_mem_read_u16_le(buf, 4);
	tmp.minor_version = ub_mem_read_u16_le(buf, 6);
	tmp.file_hdr_sz = ub_mem_read_u16_le(buf, 8);
	tmp.chunk_hdr_sz = ub_mem_read_u16_le(buf, 10);
	tmp.blk_sz = ub_mem_read_u32_le(buf, 12);
	tmp.total_blks = ub_mem_read_u32_le(buf, 16);
	tmp.total_chunks = ub_mem_read_u32_le(buf, 20);
	tmp.image_checksum = ub_mem_read_u32_le(buf, 24);
	if (tmp.major_version != UB_SPARSE_MAJOR_VERSION) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "sparse major version %u is not supported",
			    tmp.major_version);
		return FALSE;
	}
	if (tmp.file_hdr_sz < UB_SPARSE_HEADER_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse file header size %u is below %u",
			    tmp.file_hdr_sz,
			    (guint)UB_SPARSE_HEADER_SIZE);
		return FALSE;
	}
	if (tmp.chunk_hdr_sz < UB_SPARSE_CHUNK_HEADER_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse chunk header size %u is below %u",
			    tmp.chunk_hdr_sz,
			    (guint)UB_SPARSE_CHUNK_HEADER_SIZE);
		return FALSE;
	}
	if (tmp.blk_sz == 0 || tmp.blk_sz % 4 != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse block size %u is not a non-zero multiple of 4",
			    tmp.blk_sz);
		return FALSE;
	}
	if (tmp.total_blks == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "sparse image has no blocks");
		return FALSE;
	}
	*hdr = tmp;
	return TRUE;
}

/**
 * ub_sparse_header_write:
 * @hdr: the header
 * @buf: 28 bytes to write to
 *
 * Writes the magic and @hdr.
 */
void
ub_sparse_header_write(const UbSparseHeader *hdr, guint8 *buf)
{
	g_return_if_fail(hdr != NULL);
	g_return_if_fail(buf != NULL);
	ub_mem_write_u32_le(buf, 0, UB_SPARSE_MAGIC);
	ub_mem_write_u16_le(buf, 4, hdr->major_version);
	ub_mem_write_u16_le(buf, 6, hdr->minor_version);
	ub_mem_write_u16_le(buf, 8, hdr->file_hdr_sz);
	ub_mem_write_u16_le(buf, 10, hdr->chunk_hdr_sz);
	ub_mem_write_u32_le(buf, 12, hdr->blk_sz);
	ub_mem_write_u32_le(buf, 16, hdr->total_blks);
	ub_mem_write_u32_le(buf, 20, hdr->total_chunks);
	ub_mem_write_u32_le(buf, 24, hdr->image_checksum);
}

/**
 * ub_sparse_chunk_header_parse:
 * @buf: data
 * @bufsz: size of @buf
 * @offset: where the chunk header starts in @buf
 * @hdr: the file header (block size, chunk header size)
 * @chk: (out): the chunk header
 * @error: (nullable): optional return location for an error
 *
 * Parses one chunk header and checks @total_sz against the type: RAW carries
 * chunk_sz * blk_sz bytes, FILL and CRC32 4 bytes, DONT_CARE none. Unknown types are
 * rejected (libsparse cannot skip them either).
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_chunk_header_parse(const guint8 *buf,
			     gsize bufsz,
			     gsize offset,
			     const UbSparseHeader *hdr,
			     UbSparseChunkHeader *chk,
			     GError **error)
{
	UbSparseChunkHeader tmp = {0};
	guint64 expected = 0;

	g_return_val_if_fail(hdr != NULL, FALSE);
	g_return_val_if_fail(chk != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (buf == NULL || offset > bufsz || bufsz - offset < UB_SPARSE_CHUNK_HEADER_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse chunk header at 0x%" G_GINT64_MODIFIER "x truncated",
			    (guint64)offset);
		return FALSE;
	}
	tmp.chunk_type = ub_mem_read_u16_le(buf, offset);
	tmp.chunk_sz = ub_mem_read_u32_le(buf, offset + 4);
	tmp.total_sz = ub_mem_read_u32_le(buf, offset + 8);
	switch (tmp.chunk_type) {
	case UB_SPARSE_CHUNK_TYPE_RAW:
		expected = (guint64)hdr->chunk_hdr_sz + (guint64)tmp.chunk_sz * hdr->blk_sz;
		break;
	case UB_SPARSE_CHUNK_TYPE_FILL:
	case UB_SPARSE_CHUNK_TYPE_CRC32:
		expected = (guint64)hdr->chunk_hdr_sz + 4;
		break;
	case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
		expected = hdr->chunk_hdr_sz;
		break;
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "unknown sparse chunk type 0x%04x",
			    tmp.chunk_type);
		return FALSE;
	}
	if (tmp.total_sz != expected) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse %s chunk of %u blocks has total size %u, expected %" G_GUINT64_FORMAT,
			    ub_sparse_chunk_type_to_string(tmp.chunk_type),
			    tmp.chunk_sz,
			    tmp.total_sz,
			    expected);
		return FALSE;
	}
	*chk = tmp;
	return TRUE;
}

/**
 * ub_sparse_chunk_header_write:
 * @chk: the chunk header
 * @buf: 12 bytes to write to
 *
 * Writes @chk with a zero reserved field.
 */
void
ub_sparse_chunk_header_write(const UbSparseChunkHeader *chk, guint8 *buf)
{
	g_return_if_fail(chk != NULL);
	g_return_if_fail(buf != NULL);
	ub_mem_write_u16_le(buf, 0, chk->chunk_type);
	ub_mem_write_u16_le(buf, 2, 0);
	ub_mem_write_u32_le(buf, 4, chk->chunk_sz);
	ub_mem_write_u32_le(buf, 8, chk->total_sz);
}

/* CRC-32 of a repeated word without touching every byte: processing a fixed word is an
 * affine map of the (inverted) CRC register, reg -> M * reg ^ c over GF(2), so n
 * repetitions are that map raised to the power n by squaring */
typedef struct {
	guint32 mat[32]; /* mat[i] = image of bit i */
	guint32 c;
} UbSparseCrcAffine;

static guint32
ub_sparse_crc_mat_times(const guint32 *mat, guint32 vec)
{
	guint32 sum = 0;
	for (guint i = 0; vec != 0; i++, vec >>= 1) {
		if (vec & 1)
			sum ^= mat[i];
	}
	return sum;
}

/* dst = a after b (apply b first) */
static void
ub_sparse_crc_affine_compose(UbSparseCrcAffine *dst,
			     const UbSparseCrcAffine *a,
			     const UbSparseCrcAffine *b)
{
	UbSparseCrcAffine tmp = {0};
	for (guint i = 0; i < 32; i++)
		tmp.mat[i] = ub_sparse_crc_mat_times(a->mat, b->mat[i]);
	tmp.c = ub_sparse_crc_mat_times(a->mat, b->c) ^ a->c;
	*dst = tmp;
}

/* the register after processing buf, starting from register reg */
static guint32
ub_sparse_crc_reg_update(guint32 reg, const guint8 *buf, gsize bufsz)
{
	return ~ub_crc32_update(~reg, buf, bufsz);
}

/**
 * ub_sparse_crc32_repeat:
 * @crc: a CRC-32 so far (as ub_crc32_update() returns it), 0 to start
 * @pattern: a 32-bit word, stored little-endian
 * @count: how many times the 4 bytes repeat
 *
 * Extends @crc over @count copies of @pattern in O(log @count), for FILL and
 * DONT_CARE (pattern 0) chunks.
 *
 * Returns: the CRC-32 of the data so far followed by the repeated word
 */
guint32
ub_sparse_crc32_repeat(guint32 crc, guint32 pattern, guint64 count)
{
	UbSparseCrcAffine base = {0};
	UbSparseCrcAffine acc = {0};
	guint8 word[4] = {0};

	if (count == 0)
		return crc;
	ub_mem_write_u32_le(word, 0, pattern);
	/* short runs (one block, typically) are cheaper byte by byte than by matrices */
	if (count <= 16384) {
		guint8 buf[4096];
		for (gsize i = 0; i < sizeof(buf); i += 4)
			memcpy(buf + i, word, 4);
		while (count > 0) {
			guint64 n = MIN(count, sizeof(buf) / 4);
			crc = ub_crc32_update(crc, buf, n * 4);
			count -= n;
		}
		return crc;
	}
	for (guint i = 0; i < 32; i++) {
		guint8 zero[4] = {0};
		base.mat[i] = ub_sparse_crc_reg_update((guint32)1 << i, zero, sizeof(zero));
		acc.mat[i] = (guint32)1 << i;
	}
	base.c = ub_sparse_crc_reg_update(0, word, sizeof(word));
	while (count != 0) {
		if (count & 1)
			ub_sparse_crc_affine_compose(&acc, &base, &acc);
		count >>= 1;
		if (count != 0)
			ub_sparse_crc_affine_compose(&base, &base, &base);
	}
	return ~(ub_sparse_crc_mat_times(acc.mat, ~crc) ^ acc.c);
}

/**
 * ub_sparse_image_new:
 * @blk_sz: block size, a non-zero multiple of 4
 *
 * Creates an empty layout to append runs to.
 *
 * Returns: (transfer full): a new #UbSparseImage
 */
UbSparseImage *
ub_sparse_image_new(guint32 blk_sz)
{
	UbSparseImage *self;
	g_return_val_if_fail(blk_sz != 0 && blk_sz % 4 == 0, NULL);
	self = g_object_new(UB_TYPE_SPARSE_IMAGE, NULL);
	self->blk_sz = blk_sz;
	return self;
}

static UbSparseChunk *
ub_sparse_image_get_last(UbSparseImage *self)
{
	if (self->chunks->len == 0)
		return NULL;
	return &g_array_index(self->chunks, UbSparseChunk, self->chunks->len - 1);
}

static gboolean
ub_sparse_image_grow(UbSparseImage *self, guint64 n_blocks, GError **error)
{
	if (n_blocks > G_MAXUINT64 / self->blk_sz - self->total_blks) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "sparse image size overflows 64 bits");
		return FALSE;
	}
	self->total_blks += n_blocks;
	return TRUE;
}

/**
 * ub_sparse_image_add_raw:
 * @self: a #UbSparseImage
 * @n_blocks: output blocks
 * @src_offset: where the data starts in the source
 * @src_size: bytes of data, at most @n_blocks * block size; fewer only for a partial last
 *   block (padded with zeros when written)
 * @error: (nullable): optional return location for an error
 *
 * Appends a RAW run, merged with the previous one when the data continues it (as
 * libsparse merges adjacent file-backed blocks).
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_image_add_raw(UbSparseImage *self,
			guint64 n_blocks,
			guint64 src_offset,
			guint64 src_size,
			GError **error)
{
	UbSparseChunk *last;
	UbSparseChunk chk = {0};

	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), FALSE);
	if (n_blocks == 0)
		return TRUE;
	if (n_blocks > G_MAXUINT64 / self->blk_sz) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "sparse image size overflows 64 bits");
		return FALSE;
	}
	if (src_size > n_blocks * self->blk_sz || src_size <= (n_blocks - 1) * self->blk_sz) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "raw run of %" G_GUINT64_FORMAT " blocks cannot hold %" G_GUINT64_FORMAT
			    " bytes",
			    n_blocks,
			    src_size);
		return FALSE;
	}
	last = ub_sparse_image_get_last(self);
	if (last != NULL && last->type == UB_SPARSE_CHUNK_TYPE_RAW &&
	    last->src_size == last->n_blocks * self->blk_sz &&
	    last->src_offset + last->src_size == src_offset) {
		if (!ub_sparse_image_grow(self, n_blocks, error))
			return FALSE;
		last->n_blocks += n_blocks;
		last->src_size += src_size;
		return TRUE;
	}
	chk.type = UB_SPARSE_CHUNK_TYPE_RAW;
	chk.block = self->total_blks;
	chk.n_blocks = n_blocks;
	chk.src_offset = src_offset;
	chk.src_size = src_size;
	if (!ub_sparse_image_grow(self, n_blocks, error))
		return FALSE;
	g_array_append_val(self->chunks, chk);
	return TRUE;
}

/**
 * ub_sparse_image_add_fill:
 * @self: a #UbSparseImage
 * @n_blocks: output blocks
 * @fill: the 32-bit fill word
 * @error: (nullable): optional return location for an error
 *
 * Appends a FILL run, merged with a previous FILL of the same value.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_image_add_fill(UbSparseImage *self, guint64 n_blocks, guint32 fill, GError **error)
{
	UbSparseChunk *last;
	UbSparseChunk chk = {0};

	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), FALSE);
	if (n_blocks == 0)
		return TRUE;
	if (!ub_sparse_image_grow(self, n_blocks, error))
		return FALSE;
	last = ub_sparse_image_get_last(self);
	if (last != NULL && last->type == UB_SPARSE_CHUNK_TYPE_FILL && last->fill == fill) {
		last->n_blocks += n_blocks;
		return TRUE;
	}
	chk.type = UB_SPARSE_CHUNK_TYPE_FILL;
	chk.block = self->total_blks - n_blocks;
	chk.n_blocks = n_blocks;
	chk.fill = fill;
	g_array_append_val(self->chunks, chk);
	return TRUE;
}

/**
 * ub_sparse_image_add_dont_care:
 * @self: a #UbSparseImage
 * @n_blocks: output blocks
 * @error: (nullable): optional return location for an error
 *
 * Appends a DONT_CARE run (blocks the device leaves as they are), merged with a previous
 * one.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_image_add_dont_care(UbSparseImage *self, guint64 n_blocks, GError **error)
{
	UbSparseChunk *last;
	UbSparseChunk chk = {0};

	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), FALSE);
	if (n_blocks == 0)
		return TRUE;
	if (!ub_sparse_image_grow(self, n_blocks, error))
		return FALSE;
	last = ub_sparse_image_get_last(self);
	if (last != NULL && last->type == UB_SPARSE_CHUNK_TYPE_DONT_CARE) {
		last->n_blocks += n_blocks;
		return TRUE;
	}
	chk.type = UB_SPARSE_CHUNK_TYPE_DONT_CARE;
	chk.block = self->total_blks - n_blocks;
	chk.n_blocks = n_blocks;
	g_array_append_val(self->chunks, chk);
	return TRUE;
}

/**
 * ub_sparse_image_add_chunk:
 * @self: a #UbSparseImage
 * @chk: a run; @chk->block is ignored (runs are appended)
 * @error: (nullable): optional return location for an error
 *
 * Appends a copy of @chk.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_image_add_chunk(UbSparseImage *self, const UbSparseChunk *chk, GError **error)
{
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), FALSE);
	g_return_val_if_fail(chk != NULL, FALSE);
	switch (chk->type) {
	case UB_SPARSE_CHUNK_TYPE_RAW:
		return ub_sparse_image_add_raw(self,
					       chk->n_blocks,
					       chk->src_offset,
					       chk->src_size,
					       error);
	case UB_SPARSE_CHUNK_TYPE_FILL:
		return ub_sparse_image_add_fill(self, chk->n_blocks, chk->fill, error);
	case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
		return ub_sparse_image_add_dont_care(self, chk->n_blocks, error);
	case UB_SPARSE_CHUNK_TYPE_CRC32:
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INTERNAL,
			    "cannot add a %s run",
			    ub_sparse_chunk_type_to_string(chk->type));
		return FALSE;
	}
}

/**
 * ub_sparse_image_parse:
 * @buf: a whole sparse file
 * @bufsz: size of @buf
 * @flags: %UB_SPARSE_PARSE_FLAG_VERIFY_CRC to check CRC32 chunks
 * @error: (nullable): optional return location for an error
 *
 * Parses a sparse file held in memory. Every chunk header is checked, the chunks must add
 * up to total_blks exactly, the data of every chunk must be inside @buf. Bytes after the
 * last chunk are ignored, as libsparse does. RAW runs point into @buf (src_offset).
 *
 * Returns: (transfer full): the layout, or %NULL on error
 */
UbSparseImage *
ub_sparse_image_parse(const guint8 *buf, gsize bufsz, UbSparseParseFlags flags, GError **error)
{
	UbSparseHeader hdr = {0};
	gsize offset;
	guint32 crc = 0;
	g_autoptr(UbSparseImage) self = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!ub_sparse_header_parse(buf, bufsz, &hdr, error))
		return NULL;
	if (hdr.file_hdr_sz > bufsz) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse file header of %u bytes truncated",
			    hdr.file_hdr_sz);
		return NULL;
	}
	self = ub_sparse_image_new(hdr.blk_sz);
	offset = hdr.file_hdr_sz;
	for (guint32 i = 0; i < hdr.total_chunks; i++) {
		UbSparseChunkHeader chk = {0};
		gsize data_offset;
		gsize data_size;

		if (!ub_sparse_chunk_header_parse(buf, bufsz, offset, &hdr, &chk, error)) {
			g_prefix_error(error, "chunk %u: ", i);
			return NULL;
		}
		/* the extra header bytes are inside total_sz, checked above */
		if (chk.total_sz > bufsz - offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "chunk %u: %u bytes at 0x%" G_GINT64_MODIFIER
				    "x run past the end of the file",
				    i,
				    chk.total_sz,
				    (guint64)offset);
			return NULL;
		}
		data_offset = offset + hdr.chunk_hdr_sz;
		data_size = chk.total_sz - hdr.chunk_hdr_sz;
		if (chk.chunk_type != UB_SPARSE_CHUNK_TYPE_CRC32 &&
		    chk.chunk_sz > (guint64)hdr.total_blks - self->total_blks) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "chunk %u: %u blocks at block %" G_GUINT64_FORMAT
				    " run past total_blks %u",
				    i,
				    chk.chunk_sz,
				    self->total_blks,
				    hdr.total_blks);
			return NULL;
		}
		switch (chk.chunk_type) {
		case UB_SPARSE_CHUNK_TYPE_RAW:
			if (flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC)
				crc = ub_crc32_update(crc, buf + data_offset, data_size);
			if (!ub_sparse_image_add_raw(self,
						     chk.chunk_sz,
						     data_offset,
						     data_size,
						     error))
				return NULL;
			break;
		case UB_SPARSE_CHUNK_TYPE_FILL: {
			guint32 fill = ub_mem_read_u32_le(buf, data_offset);
			if (flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC) {
				crc = ub_sparse_crc32_repeat(crc,
							     fill,
							     (guint64)chk.chunk_sz * hdr.blk_sz / 4);
			}
			if (!ub_sparse_image_add_fill(self, chk.chunk_sz, fill, error))
				return NULL;
			break;
		}
		case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
			if (flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC)
				crc = ub_sparse_crc32_repeat(crc,
							     0,
							     (guint64)chk.chunk_sz * hdr.blk_sz / 4);
			if (!ub_sparse_image_add_dont_care(self, chk.chunk_sz, error))
				return NULL;
			break;
		case UB_SPARSE_CHUNK_TYPE_CRC32: {
			guint32 stored = ub_mem_read_u32_le(buf, data_offset);
			if ((flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC) && stored != crc) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "chunk %u: CRC32 0x%08x does not match the data, "
					    "computed 0x%08x",
					    i,
					    stored,
					    crc);
				return NULL;
			}
			break;
		}
		default:
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INTERNAL,
				    "chunk %u: unhandled type 0x%04x",
				    i,
				    chk.chunk_type);
			return NULL;
		}
		offset += chk.total_sz;
	}
	if (self->total_blks != hdr.total_blks) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse chunks cover %" G_GUINT64_FORMAT " blocks, header says %u",
			    self->total_blks,
			    hdr.total_blks);
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * ub_sparse_image_get_block_size:
 * @self: a #UbSparseImage
 *
 * Returns: the block size in bytes
 */
guint32
ub_sparse_image_get_block_size(UbSparseImage *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), 0);
	return self->blk_sz;
}

/**
 * ub_sparse_image_get_total_blocks:
 * @self: a #UbSparseImage
 *
 * Returns: blocks in the expanded image
 */
guint64
ub_sparse_image_get_total_blocks(UbSparseImage *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), 0);
	return self->total_blks;
}

/**
 * ub_sparse_image_get_size:
 * @self: a #UbSparseImage
 *
 * Returns: bytes in the expanded image (total blocks * block size)
 */
guint64
ub_sparse_image_get_size(UbSparseImage *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), 0);
	return self->total_blks * self->blk_sz;
}

/**
 * ub_sparse_image_get_n_chunks:
 * @self: a #UbSparseImage
 *
 * Returns: the number of runs
 */
guint
ub_sparse_image_get_n_chunks(UbSparseImage *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), 0);
	return self->chunks->len;
}

/**
 * ub_sparse_image_get_chunk:
 * @self: a #UbSparseImage
 * @idx: index of the run
 *
 * Returns: (transfer none): the run, or %NULL when @idx is out of range
 */
const UbSparseChunk *
ub_sparse_image_get_chunk(UbSparseImage *self, guint idx)
{
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), NULL);
	if (idx >= self->chunks->len)
		return NULL;
	return &g_array_index(self->chunks, UbSparseChunk, idx);
}

/* the number of chunks a run is written as: RAW runs too big for 32-bit total_sz split */
static guint64
ub_sparse_image_chunk_count(UbSparseImage *self, const UbSparseChunk *chk)
{
	guint64 max_raw = ub_sparse_image_max_raw_blocks(self->blk_sz);
	if (chk->type != UB_SPARSE_CHUNK_TYPE_RAW)
		return 1;
	return (chk->n_blocks + max_raw - 1) / max_raw;
}

/**
 * ub_sparse_image_get_encoded_size:
 * @self: a #UbSparseImage
 * @with_crc: count a trailing CRC32 chunk
 *
 * Returns: the size in bytes of the sparse file UbSparseWriter writes for this layout
 */
guint64
ub_sparse_image_get_encoded_size(UbSparseImage *self, gboolean with_crc)
{
	guint64 size = UB_SPARSE_HEADER_SIZE;
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), 0);
	for (guint i = 0; i < self->chunks->len; i++) {
		const UbSparseChunk *chk = &g_array_index(self->chunks, UbSparseChunk, i);
		size += ub_sparse_image_chunk_count(self, chk) * UB_SPARSE_CHUNK_HEADER_SIZE;
		if (chk->type == UB_SPARSE_CHUNK_TYPE_RAW)
			size += chk->n_blocks * self->blk_sz;
		else if (chk->type == UB_SPARSE_CHUNK_TYPE_FILL)
			size += 4;
	}
	if (with_crc)
		size += UB_SPARSE_CHUNK_HEADER_SIZE + 4;
	return size;
}

/**
 * ub_sparse_image_get_data_size:
 * @self: a #UbSparseImage
 *
 * Returns: bytes the device writes (RAW and FILL runs; DONT_CARE runs are skipped)
 */
guint64
ub_sparse_image_get_data_size(UbSparseImage *self)
{
	guint64 size = 0;
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), 0);
	for (guint i = 0; i < self->chunks->len; i++) {
		const UbSparseChunk *chk = &g_array_index(self->chunks, UbSparseChunk, i);
		if (chk->type != UB_SPARSE_CHUNK_TYPE_DONT_CARE)
			size += chk->n_blocks * self->blk_sz;
	}
	return size;
}

/**
 * ub_sparse_image_check_encodable:
 * @self: a #UbSparseImage
 * @error: (nullable): optional return location for an error
 *
 * Checks that the layout fits the 32-bit fields of the format.
 *
 * Returns: %TRUE if UbSparseWriter can write it
 */
gboolean
ub_sparse_image_check_encodable(UbSparseImage *self, GError **error)
{
	guint64 n_chunks = 0;
	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(self), FALSE);
	if (self->total_blks == 0 || self->total_blks > G_MAXUINT32) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%" G_GUINT64_FORMAT " blocks of %u bytes cannot be a sparse image",
			    self->total_blks,
			    self->blk_sz);
		return FALSE;
	}
	for (guint i = 0; i < self->chunks->len; i++) {
		const UbSparseChunk *chk = &g_array_index(self->chunks, UbSparseChunk, i);
		n_chunks += ub_sparse_image_chunk_count(self, chk);
	}
	/* one more for an optional CRC32 chunk */
	if (n_chunks + 1 > G_MAXUINT32) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%" G_GUINT64_FORMAT " chunks do not fit a sparse header",
			    n_chunks);
		return FALSE;
	}
	return TRUE;
}

static void
ub_sparse_image_finalize(GObject *object)
{
	UbSparseImage *self = UB_SPARSE_IMAGE(object);
	g_array_unref(self->chunks);
	G_OBJECT_CLASS(ub_sparse_image_parent_class)->finalize(object);
}

static void
ub_sparse_image_class_init(UbSparseImageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_sparse_image_finalize;
}

static void
ub_sparse_image_init(UbSparseImage *self)
{
	self->blk_sz = UB_SPARSE_DEFAULT_BLOCK_SIZE;
	self->chunks = g_array_new(FALSE, TRUE, sizeof(UbSparseChunk));
}
