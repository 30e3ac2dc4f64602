/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define UB_TYPE_SPARSE_IMAGE (ub_sparse_image_get_type())
G_DECLARE_FINAL_TYPE(UbSparseImage, ub_sparse_image, UB, SPARSE_IMAGE, GObject)

/* Android sparse image format (AOSP libsparse sparse_format.h), all little-endian */
#define UB_SPARSE_MAGIC		      0xed26ff3au
#define UB_SPARSE_MAJOR_VERSION	      1
#define UB_SPARSE_HEADER_SIZE	      28
#define UB_SPARSE_CHUNK_HEADER_SIZE   12
#define UB_SPARSE_DEFAULT_BLOCK_SIZE  4096
/* what libsparse's resparse reserves per piece: file header, two chunk headers, a CRC */
#define UB_SPARSE_SPLIT_OVERHEAD      (UB_SPARSE_HEADER_SIZE + 2 * UB_SPARSE_CHUNK_HEADER_SIZE + 4)

typedef enum {
	UB_SPARSE_CHUNK_TYPE_RAW = 0xcac1,
	UB_SPARSE_CHUNK_TYPE_FILL = 0xcac2,
	UB_SPARSE_CHUNK_TYPE_DONT_CARE = 0xcac3,
	UB_SPARSE_CHUNK_TYPE_CRC32 = 0xcac4,
} UbSparseChunkType;

const gchar *
ub_sparse_chunk_type_to_string(UbSparseChunkType type);

/**
 * UbSparseParseFlags:
 * @UB_SPARSE_PARSE_FLAG_NONE: structure only
 * @UB_SPARSE_PARSE_FLAG_VERIFY_CRC: check every CRC32 chunk against the expanded data
 *
 * What the parsers and the streaming reader check beyond the structure.
 */
typedef enum {
	UB_SPARSE_PARSE_FLAG_NONE = 0,
	UB_SPARSE_PARSE_FLAG_VERIFY_CRC = 1 << 0,
} UbSparseParseFlags;

/**
 * UbSparseHeader:
 * @major_version: always 1 (higher is rejected)
 * @minor_version: 0 in practice (higher is accepted)
 * @file_hdr_sz: file header size, at least 28; extra bytes are skipped
 * @chunk_hdr_sz: chunk header size, at least 12; extra bytes are skipped
 * @blk_sz: block size, non-zero, a multiple of 4 (normally 4096)
 * @total_blks: blocks in the expanded image
 * @total_chunks: chunks in the file, CRC32 chunks included
 * @image_checksum: as stored; libsparse writes 0 and nobody checks it
 *
 * The 28-byte file header, magic left out.
 */
typedef struct {
	guint16 major_version;
	guint16 minor_version;
	guint16 file_hdr_sz;
	guint16 chunk_hdr_sz;
	guint32 blk_sz;
	guint32 total_blks;
	guint32 total_chunks;
	guint32 image_checksum;
} UbSparseHeader;

/**
 * UbSparseChunkHeader:
 * @chunk_type: a #UbSparseChunkType (unknown types are rejected by the parser)
 * @chunk_sz: output blocks
 * @total_sz: bytes in the file including the chunk header
 *
 * One 12-byte chunk header.
 */
typedef struct {
	guint16 chunk_type;
	guint32 chunk_sz;
	guint32 total_sz;
} UbSparseChunkHeader;

/**
 * UbSparseChunk:
 * @type: RAW, FILL or DONT_CARE (CRC32 chunks are checked, not listed)
 * @block: first output block
 * @n_blocks: output blocks
 * @fill: the fill value, as the little-endian word stored in the file
 * @src_offset: RAW only: where the data starts in the source stream (a sparse file, or the
 *   raw image the layout was scanned from)
 * @src_size: RAW only: bytes of data in the source; less than @n_blocks * block size only for
 *   the last, partial block of a raw image (the rest is written as zeros)
 *
 * One run of the expanded image. A layout is a list of these covering every block once,
 * in order.
 */
typedef struct {
	UbSparseChunkType type;
	guint64 block;
	guint64 n_blocks;
	guint32 fill;
	guint64 src_offset;
	guint64 src_size;
} UbSparseChunk;

gboolean
ub_sparse_is_sparse(const guint8 *buf, gsize bufsz);
gboolean
ub_sparse_header_parse(const guint8 *buf, gsize bufsz, UbSparseHeader *hdr, GError **error);
void
ub_sparse_header_write(const UbSparseHeader *hdr, guint8 *buf);
gboolean
ub_sparse_chunk_header_parse(const guint8 *buf,
			     gsize bufsz,
			     gsize offset,
			     const UbSparseHeader *hdr,
			     UbSparseChunkHeader *chk,
			     GError **error);
void
ub_sparse_chunk_header_write(const UbSparseChunkHeader *chk, guint8 *buf);

guint32
ub_sparse_crc32_repeat(guint32 crc, guint32 pattern, guint64 count);

UbSparseImage *
ub_sparse_image_new(guint32 blk_sz);
UbSparseImage *
ub_sparse_image_parse(const guint8 *buf, gsize bufsz, UbSparseParseFlags flags, GError **error);
gboolean
ub_sparse_image_add_raw(UbSparseImage *self,
			guint64 n_blocks,
			guint64 src_offset,
			guint64 src_size,
			GError **error);
gboolean
ub_sparse_image_add_fill(UbSparseImage *self, guint64 n_blocks, guint32 fill, GError **error);
gboolean
ub_sparse_image_add_dont_care(UbSparseImage *self, guint64 n_blocks, GError **error);
gboolean
ub_sparse_image_add_chunk(UbSparseImage *self, const UbSparseChunk *chk, GError **error);

guint32
ub_sparse_image_get_block_size(UbSparseImage *self);
guint64
ub_sparse_image_get_total_blocks(UbSparseImage *self);
guint64
ub_sparse_image_get_size(UbSparseImage *self);
guint
ub_sparse_image_get_n_chunks(UbSparseImage *self);
const UbSparseChunk *
ub_sparse_image_get_chunk(UbSparseImage *self, guint idx);
guint64
ub_sparse_image_get_encoded_size(UbSparseImage *self, gboolean with_crc);
guint64
ub_sparse_image_get_data_size(UbSparseImage *self);
gboolean
ub_sparse_image_check_encodable(UbSparseImage *self, GError **error);

G_END_DECLS
