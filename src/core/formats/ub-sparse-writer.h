/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "formats/ub-sparse-image.h"

G_BEGIN_DECLS

#define UB_TYPE_SPARSE_WRITER (ub_sparse_writer_get_type())
G_DECLARE_FINAL_TYPE(UbSparseWriter, ub_sparse_writer, UB, SPARSE_WRITER, GInputStream)

/**
 * UbSparseWriterFlags:
 * @UB_SPARSE_WRITER_FLAG_NONE: what img2simg does: uniform blocks become FILL, others RAW
 * @UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE: scanning: all-zero blocks (and so holes)
 *   become DONT_CARE; the device then keeps whatever those blocks held
 * @UB_SPARSE_WRITER_FLAG_CRC: writing: end with a CRC32 chunk over the expanded image
 *
 * Options for scanning a raw image and for writing a sparse file.
 */
typedef enum {
	UB_SPARSE_WRITER_FLAG_NONE = 0,
	UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE = 1 << 0,
	UB_SPARSE_WRITER_FLAG_CRC = 1 << 1,
} UbSparseWriterFlags;

/* the largest block size the raw scanner accepts */
#define UB_SPARSE_WRITER_MAX_BLOCK_SIZE (16 * 1024 * 1024)

UbSparseImage *
ub_sparse_writer_scan_raw(GInputStream *raw,
			  guint32 blk_sz,
			  UbSparseWriterFlags flags,
			  GCancellable *cancellable,
			  GError **error);
UbSparseWriter *
ub_sparse_writer_new(UbSparseImage *layout,
		     GInputStream *source,
		     UbSparseWriterFlags flags,
		     GError **error);
guint64
ub_sparse_writer_get_size(UbSparseWriter *self);

G_END_DECLS
