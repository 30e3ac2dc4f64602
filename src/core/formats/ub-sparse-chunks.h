/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "formats/ub-sparse-image.h"

G_BEGIN_DECLS

/**
 * UbSparseChunksItem:
 * @index: the chunk's number in the file, CRC32 chunks included
 * @kind: RAW, FILL, DONT_CARE or CRC32
 * @offset: where the chunk starts in the expanded image, in bytes (for CRC32: where the
 *   next chunk starts)
 * @length: bytes of the expanded image the chunk covers (0 for CRC32)
 * @value: FILL: the fill word; CRC32: the stored checksum (both as little-endian words
 *   read from the file); 0 otherwise
 *
 * One chunk of an Android sparse file, as ub_sparse_chunks_walk() hands it over.
 */
typedef struct {
	guint32 index;
	UbSparseChunkType kind;
	guint64 offset;
	guint64 length;
	guint32 value;
} UbSparseChunksItem;

/**
 * UbSparseChunksFunc:
 * @hdr: the file header
 * @item: the chunk
 * @stream: for RAW chunks positioned at the data: the callback reads exactly
 *   @item->length bytes; for the other kinds, at the next chunk header (do not read)
 * @user_data: what was given to ub_sparse_chunks_walk()
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Called for every chunk in file order. An error stops the walk, prefixed with the chunk.
 *
 * Returns: %TRUE to go on
 */
typedef gboolean (*UbSparseChunksFunc)(const UbSparseHeader *hdr,
				       const UbSparseChunksItem *item,
				       GInputStream *stream,
				       gpointer user_data,
				       GCancellable *cancellable,
				       GError **error);

gboolean
ub_sparse_chunks_read_exact(GInputStream *stream,
			    guint8 *buf,
			    gsize bufsz,
			    GCancellable *cancellable,
			    GError **error);
gboolean
ub_sparse_chunks_skip_exact(GInputStream *stream,
			    guint64 count,
			    GCancellable *cancellable,
			    GError **error);
gboolean
ub_sparse_chunks_read_header(GInputStream *stream,
			     UbSparseHeader *hdr,
			     GCancellable *cancellable,
			     GError **error);
gboolean
ub_sparse_chunks_walk(GInputStream *stream,
		      const UbSparseHeader *hdr,
		      UbSparseChunksFunc func,
		      gpointer user_data,
		      guint64 *consumed,
		      GCancellable *cancellable,
		      GError **error);

G_END_DECLS
