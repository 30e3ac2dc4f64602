/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "formats/ub-sparse-chunks.h"
#include "ub-error.h"
#include "ub-mem.h"

/*
 * Walks an Android sparse file read from a stream, one pass, forward only, for the
 * engines that write it chunk by chunk (a program per RAW and FILL chunk at the
 * advancing offset). The walker checks the structure; what a chunk becomes on the
 * device is the callback's business.
 */

/**
 * ub_sparse_chunks_read_exact:
 * @stream: a #GInputStream
 * @buf: where to put the data
 * @bufsz: bytes to read
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Reads exactly @bufsz bytes; a stream that ends first is %UB_ERROR_INVALID_DATA.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_chunks_read_exact(GInputStream *stream,
			    guint8 *buf,
			    gsize bufsz,
			    GCancellable *cancellable,
			    GError **error)
{
	gsize got = 0;

	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (bufsz == 0)
		return TRUE;
	if (!g_input_stream_read_all(stream, buf, bufsz, &got, cancellable, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	if (got != bufsz) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the image ends early (%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes)",
			    got,
			    bufsz);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_sparse_chunks_skip_exact:
 * @stream: a #GInputStream
 * @count: bytes to skip
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Reads and drops exactly @count bytes, as ub_sparse_chunks_read_exact().
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_chunks_skip_exact(GInputStream *stream,
			    guint64 count,
			    GCancellable *cancellable,
			    GError **error)
{
	while (count > 0) {
		guint8 buf[256];
		gsize n = (gsize)MIN(count, (guint64)sizeof(buf));
		if (!ub_sparse_chunks_read_exact(stream, buf, n, cancellable, error))
			return FALSE;
		count -= n;
	}
	return TRUE;
}

/**
 * ub_sparse_chunks_read_header:
 * @stream: a #GInputStream positioned at the sparse magic
 * @hdr: (out): the file header
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Reads and checks the 28-byte file header; any extra header bytes are left for
 * ub_sparse_chunks_walk(), so a caller can refuse the image on its header alone.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_chunks_read_header(GInputStream *stream,
			     UbSparseHeader *hdr,
			     GCancellable *cancellable,
			     GError **error)
{
	guint8 buf[UB_SPARSE_HEADER_SIZE] = {0};

	g_return_val_if_fail(hdr != NULL, FALSE);

	if (!ub_sparse_chunks_read_exact(stream, buf, sizeof(buf), cancellable, error))
		return FALSE;
	return ub_sparse_header_parse(buf, sizeof(buf), hdr, error);
}

/* reads the next chunk header (and its extra bytes) and checks it against the image */
static gboolean
ub_sparse_chunks_read_chunk(GInputStream *stream,
			    const UbSparseHeader *hdr,
			    guint32 idx,
			    guint64 block,
			    UbSparseChunkHeader *chk,
			    GCancellable *cancellable,
			    GError **error)
{
	guint8 buf[UB_SPARSE_CHUNK_HEADER_SIZE] = {0};

	if (!ub_sparse_chunks_read_exact(stream, buf, sizeof(buf), cancellable, error))
		return FALSE;
	if (!ub_sparse_chunk_header_parse(buf, sizeof(buf), 0, hdr, chk, error)) {
		g_prefix_error(error, "sparse chunk %u: ", idx);
		return FALSE;
	}
	if (!ub_sparse_chunks_skip_exact(stream,
					 hdr->chunk_hdr_sz - UB_SPARSE_CHUNK_HEADER_SIZE,
					 cancellable,
					 error))
		return FALSE;
	if (chk->chunk_type != UB_SPARSE_CHUNK_TYPE_CRC32 &&
	    block + chk->chunk_sz > hdr->total_blks) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse chunk %u runs past the %u blocks of the image",
			    idx,
			    hdr->total_blks);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_sparse_chunks_walk:
 * @stream: a #GInputStream just after the 28-byte file header
 * @hdr: the header from ub_sparse_chunks_read_header()
 * @func: called for every chunk
 * @user_data: for @func
 * @consumed: (out) (optional): bytes of the sparse file used, header included
 * @cancellable: (nullable): a #GCancellable, checked before every chunk
 * @error: (nullable): optional return location for an error
 *
 * Skips the extra file header bytes, then reads every chunk header, checks it (type,
 * size, that it stays inside the image) and calls @func with the chunk's place in the
 * expanded image. FILL values and CRC32 words are read before @func is called; RAW data
 * is left for @func to read. The chunks must cover the image exactly.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sparse_chunks_walk(GInputStream *stream,
		      const UbSparseHeader *hdr,
		      UbSparseChunksFunc func,
		      gpointer user_data,
		      guint64 *consumed,
		      GCancellable *cancellable,
		      GError **error)
{
	guint64 block = 0;
	guint64 used;

	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);
	g_return_val_if_fail(hdr != NULL, FALSE);
	g_return_val_if_fail(func != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!ub_sparse_chunks_skip_exact(stream,
					 hdr->file_hdr_sz - UB_SPARSE_HEADER_SIZE,
					 cancellable,
					 error))
		return FALSE;
	used = hdr->file_hdr_sz;

	for (guint32 i = 0; i < hdr->total_chunks; i++) {
		UbSparseChunkHeader chk = {0};
		UbSparseChunksItem item = {
		    .index = i,
		    .offset = block * hdr->blk_sz,
		};

		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		if (!ub_sparse_chunks_read_chunk(stream, hdr, i, block, &chk, cancellable, error))
			return FALSE;
		used += chk.total_sz;
		item.kind = chk.chunk_type;
		switch (chk.chunk_type) {
		case UB_SPARSE_CHUNK_TYPE_RAW:
		case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
			item.length = (guint64)chk.chunk_sz * hdr->blk_sz;
			break;
		case UB_SPARSE_CHUNK_TYPE_FILL:
		case UB_SPARSE_CHUNK_TYPE_CRC32: {
			guint8 word[4] = {0};
			if (!ub_sparse_chunks_read_exact(stream, word, sizeof(word), cancellable, error))
				return FALSE;
			item.value = ub_mem_read_u32_le(word, 0);
			if (chk.chunk_type == UB_SPARSE_CHUNK_TYPE_FILL)
				item.length = (guint64)chk.chunk_sz * hdr->blk_sz;
			break;
		}
		default:
			/* the chunk header parser refuses these */
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "unknown sparse chunk type 0x%04x",
				    chk.chunk_type);
			return FALSE;
		}
		if (!func(hdr, &item, stream, user_data, cancellable, error)) {
			g_prefix_error(error, "sparse chunk %u: ", i);
			return FALSE;
		}
		if (chk.chunk_type != UB_SPARSE_CHUNK_TYPE_CRC32)
			block += chk.chunk_sz;
	}
	if (block != hdr->total_blks) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the sparse chunks cover %" G_GUINT64_FORMAT " of %u blocks",
			    block,
			    hdr->total_blks);
		return FALSE;
	}
	if (consumed != NULL)
		*consumed = used;
	return TRUE;
}
