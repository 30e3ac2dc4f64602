/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <stdint.h>

#include "formats/ub-sparse-chunks.h"
#include "formats/ub-sparse-image.h"
#include "formats/ub-sparse-reader.h"
#include "formats/ub-sparse-splitter.h"
#include "formats/ub-sparse-writer.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* expanding is bounded: a valid header can declare terabytes of DONT_CARE */
#define UB_FUZZ_SPARSE_MAX_EXPAND (4 * 1024 * 1024)

static gboolean
ub_fuzz_sparse_drain(GInputStream *stream, guint64 *total)
{
	guint8 buf[4093]; /* odd, so reads end mid-word and mid-block */
	*total = 0;
	for (;;) {
		gssize rc = g_input_stream_read(stream, buf, sizeof(buf), NULL, NULL);
		if (rc < 0)
			return FALSE;
		if (rc == 0)
			return TRUE;
		*total += rc;
	}
}

/* adds up what the chunk walker hands over, reading the RAW data */
static gboolean
ub_fuzz_sparse_chunk_cb(const UbSparseHeader *hdr,
			const UbSparseChunksItem *item,
			GInputStream *stream,
			gpointer user_data,
			GCancellable *cancellable,
			GError **error)
{
	guint64 *total = (guint64 *)user_data;
	g_assert_cmpuint(item->offset, ==, *total);
	*total += item->length;
	if (item->kind == UB_SPARSE_CHUNK_TYPE_RAW)
		return ub_sparse_chunks_skip_exact(stream, item->length, cancellable, error);
	return TRUE;
}

/* the chunk walker accepts what the buffer parser accepts, and covers the image */
static void
ub_fuzz_sparse_walk(GBytes *blob, UbSparseImage *img)
{
	g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes(blob);
	UbSparseHeader hdr = {0};
	guint64 total = 0;
	gboolean ok = ub_sparse_chunks_read_header(mem, &hdr, NULL, NULL) &&
		      ub_sparse_chunks_walk(mem, &hdr, ub_fuzz_sparse_chunk_cb, &total, NULL, NULL, NULL);
	if (img != NULL)
		g_assert_true(ok);
	if (ok)
		g_assert_cmpuint(total, ==, (guint64)hdr.total_blks * hdr.blk_sz);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UbSparseParseFlags flags[] = {UB_SPARSE_PARSE_FLAG_NONE, UB_SPARSE_PARSE_FLAG_VERIFY_CRC};
	g_autoptr(GBytes) blob = g_bytes_new(data, size);

	for (guint i = 0; i < G_N_ELEMENTS(flags); i++) {
		g_autoptr(UbSparseImage) img = ub_sparse_image_parse(data, size, flags[i], NULL);
		g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes(blob);
		g_autoptr(UbSparseImage) scanned = ub_sparse_reader_scan(mem, flags[i], NULL, NULL);

		/* the buffer parser and the stream walker agree */
		g_assert_true((img == NULL) == (scanned == NULL));
		if (i == 0)
			ub_fuzz_sparse_walk(blob, img);
		if (img == NULL)
			continue;
		g_assert_cmpuint(ub_sparse_image_get_n_chunks(img), ==,
				 ub_sparse_image_get_n_chunks(scanned));
		g_assert_cmpuint(ub_sparse_image_get_size(img), ==, ub_sparse_image_get_size(scanned));
		if (ub_sparse_image_get_size(img) > UB_FUZZ_SPARSE_MAX_EXPAND)
			continue;

		/* a valid file expands to exactly its size */
		{
			g_autoptr(GInputStream) mem2 = g_memory_input_stream_new_from_bytes(blob);
			g_autoptr(UbSparseReader) reader = ub_sparse_reader_new(mem2, flags[i], NULL, NULL);
			guint64 total = 0;
			g_assert_nonnull(reader);
			g_assert_true(ub_fuzz_sparse_drain(G_INPUT_STREAM(reader), &total));
			g_assert_cmpuint(total, ==, ub_sparse_image_get_size(img));
		}

		/* re-encoding and splitting give files the parser accepts */
		if (i == 0) {
			g_autoptr(UbSparseSplitter) splitter = NULL;
			guint64 max_size =
			    ub_sparse_splitter_get_min_max_size(ub_sparse_image_get_block_size(img));
			splitter = ub_sparse_splitter_new(img, max_size, NULL);
			if (splitter == NULL)
				continue;
			for (guint k = 0; k < ub_sparse_splitter_get_n_pieces(splitter) && k < 8; k++) {
				g_autoptr(GInputStream) mem3 = g_memory_input_stream_new_from_bytes(blob);
				g_autoptr(GInputStream) piece =
				    ub_sparse_splitter_open_piece(splitter, k, mem3, NULL);
				guint64 total = 0;
				g_assert_nonnull(piece);
				g_assert_true(ub_fuzz_sparse_drain(piece, &total));
				g_assert_cmpuint(total, ==,
						 ub_sparse_splitter_get_piece_size(splitter, k));
				g_assert_cmpuint(total, <=, max_size);
			}
		}
	}
	return 0;
}
