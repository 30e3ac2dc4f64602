/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "formats/ub-sparse-splitter.h"
#include "formats/ub-sparse-writer.h"
#include "ub-error.h"

/*
 * Cuts a sparse layout into pieces of at most max_size bytes the way libsparse's
 * sparse_file_resparse() does (AOSP libsparse/sparse.cpp, move_chunks_up_to_len()), so
 * the piece count matches fastboot's and Xiaomi's "resparse count":
 *  - each piece reserves 28 + 2 * 12 + 4 bytes (header, trailing skip, CRC);
 *  - runs are taken in order, each costing its chunk (12 + data, FILL 16) plus a 12-byte
 *    skip header when it does not start where the previous one ended (counting from block
 *    0 in each piece);
 *  - the run that does not fit is cut at a block boundary when the room left after its
 *    header is more than 1/8 of the budget (or when the piece is still empty), otherwise
 *    it starts the next piece; a run that fits whole once its header is counted still
 *    ends the piece, and then libsparse emits one more piece with no data, kept here;
 *  - every piece is a complete sparse file of the whole image: DONT_CARE before, between
 *    and after its runs, so the pieces flash one after another.
 * The pieces are layouts (one entry per run); their bytes are produced on demand by
 * UbSparseWriter from a fresh stream of the source, so nothing is materialised.
 */

struct _UbSparseSplitter {
	GObject parent_instance;
	GPtrArray *pieces; /* of UbSparseImage */
};

G_DEFINE_TYPE(UbSparseSplitter, ub_sparse_splitter, G_TYPE_OBJECT)

/**
 * ub_sparse_splitter_get_min_max_size:
 * @blk_sz: block size
 *
 * Returns: the smallest piece size the splitter accepts: every piece can then hold at
 * least one block
 */
guint64
ub_sparse_splitter_get_min_max_size(guint32 blk_sz)
{
	return UB_SPARSE_SPLIT_OVERHEAD + UB_SPARSE_CHUNK_HEADER_SIZE + 8 * (guint64)blk_sz;
}

static guint64
ub_sparse_splitter_chunk_cost(const UbSparseChunk *chk, guint32 blk_sz)
{
	if (chk->type == UB_SPARSE_CHUNK_TYPE_RAW)
		return UB_SPARSE_CHUNK_HEADER_SIZE + chk->n_blocks * blk_sz;
	return UB_SPARSE_CHUNK_HEADER_SIZE + 4;
}

/* bytes of the run as libsparse counts them: the data of a RAW run, else whole blocks */
static guint64
ub_sparse_splitter_chunk_len(const UbSparseChunk *chk, guint32 blk_sz)
{
	if (chk->type == UB_SPARSE_CHUNK_TYPE_RAW)
		return chk->src_size;
	return chk->n_blocks * blk_sz;
}

static gboolean
ub_sparse_splitter_add_to_piece(UbSparseImage *piece, const UbSparseChunk *chk, GError **error)
{
	guint64 end = ub_sparse_image_get_total_blocks(piece);
	if (!ub_sparse_image_add_dont_care(piece, chk->block - end, error))
		return FALSE;
	return ub_sparse_image_add_chunk(piece, chk, error);
}

/**
 * ub_sparse_splitter_new:
 * @layout: the layout of the whole image (sparse or raw input)
 * @max_size: the largest piece in bytes, e.g. the device's max-download-size; at least
 *   ub_sparse_splitter_get_min_max_size() and at most 4 GiB - 1
 * @error: (nullable): optional return location for an error
 *
 * Plans the pieces. A layout that fits in @max_size still gives one piece (itself).
 *
 * Returns: (transfer full): a new #UbSparseSplitter, or %NULL on error
 */
UbSparseSplitter *
ub_sparse_splitter_new(UbSparseImage *layout, guint64 max_size, GError **error)
{
	g_autoptr(UbSparseSplitter) self = NULL;
	guint32 blk_sz;
	guint64 total_blks;
	gint64 len;
	guint idx = 0;
	gboolean have_rest = FALSE;
	gboolean more = TRUE;
	UbSparseChunk rest = {0};

	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(layout), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	blk_sz = ub_sparse_image_get_block_size(layout);
	total_blks = ub_sparse_image_get_total_blocks(layout);
	if (!ub_sparse_image_check_encodable(layout, error))
		return NULL;
	if (max_size < ub_sparse_splitter_get_min_max_size(blk_sz) || max_size > G_MAXUINT32) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "cannot split into pieces of %" G_GUINT64_FORMAT
			    " bytes: the size must be between %" G_GUINT64_FORMAT " and %u",
			    max_size,
			    ub_sparse_splitter_get_min_max_size(blk_sz),
			    G_MAXUINT32);
		return NULL;
	}
	len = (gint64)max_size - UB_SPARSE_SPLIT_OVERHEAD;

	self = g_object_new(UB_TYPE_SPARSE_SPLITTER, NULL);
	while (more) {
		g_autoptr(UbSparseImage) piece = ub_sparse_image_new(blk_sz);
		gint64 file_len = 0;
		guint64 last_block = 0;
		gboolean any = FALSE;

		more = FALSE;
		for (;;) {
			const UbSparseChunk *bb = NULL;
			gint64 count = 0;

			if (have_rest) {
				bb = &rest;
			} else {
				/* DONT_CARE runs are the gaps between libsparse's backed blocks */
				while (idx < ub_sparse_image_get_n_chunks(layout)) {
					bb = ub_sparse_image_get_chunk(layout, idx);
					if (bb->type != UB_SPARSE_CHUNK_TYPE_DONT_CARE)
						break;
					bb = NULL;
					idx++;
				}
			}
			if (bb == NULL)
				break;
			if (bb->block > last_block)
				count += UB_SPARSE_CHUNK_HEADER_SIZE;
			last_block = bb->block + bb->n_blocks;
			count += ub_sparse_splitter_chunk_cost(bb, blk_sz);
			if (file_len + count > len) {
				file_len += UB_SPARSE_CHUNK_HEADER_SIZE;
				if (!any || len - file_len > len / 8) {
					guint64 room = (guint64)(len - file_len) / blk_sz * blk_sz;
					UbSparseChunk head = *bb;
					if (ub_sparse_splitter_chunk_len(bb, blk_sz) > room) {
						/* cut at a block boundary; the rest starts the next piece */
						UbSparseChunk tail = *bb;
						head.n_blocks = room / blk_sz;
						tail.block += head.n_blocks;
						tail.n_blocks -= head.n_blocks;
						if (bb->type == UB_SPARSE_CHUNK_TYPE_RAW) {
							head.src_size = room;
							tail.src_offset += room;
							tail.src_size -= room;
						}
						if (!ub_sparse_splitter_add_to_piece(piece, &head, error))
							return NULL;
						rest = tail;
						if (!have_rest)
							idx++;
						have_rest = TRUE;
					} else {
						if (!ub_sparse_splitter_add_to_piece(piece, &head, error))
							return NULL;
						if (have_rest)
							have_rest = FALSE;
						else
							idx++;
					}
				}
				more = TRUE;
				break;
			}
			file_len += count;
			if (!ub_sparse_splitter_add_to_piece(piece, bb, error))
				return NULL;
			any = TRUE;
			if (have_rest)
				have_rest = FALSE;
			else
				idx++;
		}
		if (!ub_sparse_image_add_dont_care(piece,
						   total_blks - ub_sparse_image_get_total_blocks(piece),
						   error))
			return NULL;
		g_ptr_array_add(self->pieces, g_steal_pointer(&piece));
	}
	return g_steal_pointer(&self);
}

/**
 * ub_sparse_splitter_get_n_pieces:
 * @self: a #UbSparseSplitter
 *
 * Returns: the number of pieces, at least 1
 */
guint
ub_sparse_splitter_get_n_pieces(UbSparseSplitter *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_SPLITTER(self), 0);
	return self->pieces->len;
}

/**
 * ub_sparse_splitter_get_piece:
 * @self: a #UbSparseSplitter
 * @idx: piece index
 *
 * Returns: (transfer none): the layout of the piece (the whole image, DONT_CARE outside
 * its runs), or %NULL when @idx is out of range
 */
UbSparseImage *
ub_sparse_splitter_get_piece(UbSparseSplitter *self, guint idx)
{
	g_return_val_if_fail(UB_IS_SPARSE_SPLITTER(self), NULL);
	if (idx >= self->pieces->len)
		return NULL;
	return g_ptr_array_index(self->pieces, idx);
}

/**
 * ub_sparse_splitter_get_piece_size:
 * @self: a #UbSparseSplitter
 * @idx: piece index
 *
 * Returns: the size of the sparse file of the piece, what "download:%08x" announces
 */
guint64
ub_sparse_splitter_get_piece_size(UbSparseSplitter *self, guint idx)
{
	UbSparseImage *piece;
	g_return_val_if_fail(UB_IS_SPARSE_SPLITTER(self), 0);
	piece = ub_sparse_splitter_get_piece(self, idx);
	if (piece == NULL)
		return 0;
	return ub_sparse_image_get_encoded_size(piece, FALSE);
}

/**
 * ub_sparse_splitter_open_piece:
 * @self: a #UbSparseSplitter
 * @idx: piece index
 * @source: a new stream of the input the layout was scanned from, at offset 0 (it is read
 *   forward from the first RAW run of the piece, and closed with the returned stream)
 * @error: (nullable): optional return location for an error
 *
 * Returns: (transfer full): a stream of the piece as a sparse file,
 * ub_sparse_splitter_get_piece_size() bytes, or %NULL on error
 */
GInputStream *
ub_sparse_splitter_open_piece(UbSparseSplitter *self,
			      guint idx,
			      GInputStream *source,
			      GError **error)
{
	UbSparseImage *piece;
	g_return_val_if_fail(UB_IS_SPARSE_SPLITTER(self), NULL);
	g_return_val_if_fail(G_IS_INPUT_STREAM(source), NULL);
	piece = ub_sparse_splitter_get_piece(self, idx);
	if (piece == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "no piece %u of %u",
			    idx,
			    self->pieces->len);
		return NULL;
	}
	return G_INPUT_STREAM(ub_sparse_writer_new(piece, source, UB_SPARSE_WRITER_FLAG_NONE, error));
}

static void
ub_sparse_splitter_finalize(GObject *object)
{
	UbSparseSplitter *self = UB_SPARSE_SPLITTER(object);
	g_ptr_array_unref(self->pieces);
	G_OBJECT_CLASS(ub_sparse_splitter_parent_class)->finalize(object);
}

static void
ub_sparse_splitter_class_init(UbSparseSplitterClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_sparse_splitter_finalize;
}

static void
ub_sparse_splitter_init(UbSparseSplitter *self)
{
	self->pieces = g_ptr_array_new_with_free_func(g_object_unref);
}
