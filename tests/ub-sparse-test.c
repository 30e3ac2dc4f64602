/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "formats/ub-sparse-image.h"
#include "formats/ub-sparse-reader.h"
#include "formats/ub-sparse-splitter.h"
#include "formats/ub-sparse-writer.h"
#include "ub-crc.h"
#include "ub-error.h"
#include "ub-mem.h"

#define BS 4096

/* a sparse file under construction, with the raw image it stands for */
typedef struct {
	GByteArray *file;
	GByteArray *raw;
	guint32 blk_sz;
	guint32 n_chunks;
	guint16 file_hdr_sz;
	guint16 chunk_hdr_sz;
} UbTestSparse;

static void
ub_test_put_u16(GByteArray *buf, guint16 val)
{
	guint16 tmp = GUINT16_TO_LE(val);
	g_byte_array_append(buf, (const guint8 *)&tmp, sizeof(tmp));
}

static void
ub_test_put_u32(GByteArray *buf, guint32 val)
{
	guint32 tmp = GUINT32_TO_LE(val);
	g_byte_array_append(buf, (const guint8 *)&tmp, sizeof(tmp));
}

static void
ub_test_sparse_init(UbTestSparse *ts, guint32 blk_sz, guint16 file_hdr_sz, guint16 chunk_hdr_sz)
{
	guint8 zero[64] = {0};
	ts->file = g_byte_array_new();
	ts->raw = g_byte_array_new();
	ts->blk_sz = blk_sz;
	ts->n_chunks = 0;
	ts->file_hdr_sz = file_hdr_sz;
	ts->chunk_hdr_sz = chunk_hdr_sz;
	ub_test_put_u32(ts->file, UB_SPARSE_MAGIC);
	ub_test_put_u16(ts->file, 1);
	ub_test_put_u16(ts->file, 0);
	ub_test_put_u16(ts->file, file_hdr_sz);
	ub_test_put_u16(ts->file, chunk_hdr_sz);
	ub_test_put_u32(ts->file, blk_sz);
	ub_test_put_u32(ts->file, 0); /* total_blks, set by finish */
	ub_test_put_u32(ts->file, 0); /* total_chunks, set by finish */
	ub_test_put_u32(ts->file, 0);
	g_byte_array_append(ts->file, zero, file_hdr_sz - UB_SPARSE_HEADER_SIZE);
}

static void
ub_test_sparse_chunk(UbTestSparse *ts, guint16 type, guint32 chunk_sz, guint32 data_sz)
{
	guint8 zero[64] = {0};
	ub_test_put_u16(ts->file, type);
	ub_test_put_u16(ts->file, 0);
	ub_test_put_u32(ts->file, chunk_sz);
	ub_test_put_u32(ts->file, ts->chunk_hdr_sz + data_sz);
	g_byte_array_append(ts->file, zero, ts->chunk_hdr_sz - UB_SPARSE_CHUNK_HEADER_SIZE);
	ts->n_chunks++;
}

static void
ub_test_sparse_raw(UbTestSparse *ts, guint32 n_blocks, guint8 seed)
{
	gsize len = (gsize)n_blocks * ts->blk_sz;
	g_autofree guint8 *data = g_malloc(len);
	for (gsize i = 0; i < len; i++)
		data[i] = (guint8)(i * 7 + seed + i / 251);
	ub_test_sparse_chunk(ts, UB_SPARSE_CHUNK_TYPE_RAW, n_blocks, len);
	g_byte_array_append(ts->file, data, len);
	g_byte_array_append(ts->raw, data, len);
}

static void
ub_test_sparse_fill(UbTestSparse *ts, guint32 n_blocks, guint32 fill)
{
	ub_test_sparse_chunk(ts, UB_SPARSE_CHUNK_TYPE_FILL, n_blocks, 4);
	ub_test_put_u32(ts->file, fill);
	for (gsize i = 0; i < (gsize)n_blocks * ts->blk_sz / 4; i++)
		ub_test_put_u32(ts->raw, fill);
}

static void
ub_test_sparse_dont_care(UbTestSparse *ts, guint32 n_blocks)
{
	g_autofree guint8 *zero = g_malloc0((gsize)n_blocks * ts->blk_sz);
	ub_test_sparse_chunk(ts, UB_SPARSE_CHUNK_TYPE_DONT_CARE, n_blocks, 0);
	g_byte_array_append(ts->raw, zero, (gsize)n_blocks * ts->blk_sz);
}

static void
ub_test_sparse_crc(UbTestSparse *ts, guint32 delta)
{
	ub_test_sparse_chunk(ts, UB_SPARSE_CHUNK_TYPE_CRC32, 0, 4);
	ub_test_put_u32(ts->file, ub_crc32(ts->raw->data, ts->raw->len) ^ delta);
}

static void
ub_test_sparse_finish(UbTestSparse *ts)
{
	ub_mem_write_u32_le(ts->file->data, 16, ts->raw->len / ts->blk_sz);
	ub_mem_write_u32_le(ts->file->data, 20, ts->n_chunks);
}

static void
ub_test_sparse_clear(UbTestSparse *ts)
{
	g_byte_array_unref(ts->file);
	g_byte_array_unref(ts->raw);
}

/* RAW 2, FILL 3 (0xaabbccdd), DONT_CARE 4, CRC, RAW 1, FILL 1 zero, CRC */
static void
ub_test_sparse_standard(UbTestSparse *ts, guint16 file_hdr_sz, guint16 chunk_hdr_sz)
{
	ub_test_sparse_init(ts, BS, file_hdr_sz, chunk_hdr_sz);
	ub_test_sparse_raw(ts, 2, 1);
	ub_test_sparse_fill(ts, 3, 0xaabbccdd);
	ub_test_sparse_dont_care(ts, 4);
	ub_test_sparse_crc(ts, 0);
	ub_test_sparse_raw(ts, 1, 9);
	ub_test_sparse_fill(ts, 1, 0);
	ub_test_sparse_crc(ts, 0);
	ub_test_sparse_finish(ts);
}

/* reads a stream to its end in odd-sized pieces */
static GByteArray *
ub_test_drain(GInputStream *stream, gsize piece, GError **error)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	g_autofree guint8 *buf = g_malloc(piece);
	for (;;) {
		gssize rc = g_input_stream_read(stream, buf, piece, NULL, error);
		if (rc < 0)
			return NULL;
		if (rc == 0)
			break;
		g_byte_array_append(out, buf, rc);
	}
	return g_steal_pointer(&out);
}

static GByteArray *
ub_test_expand(const guint8 *buf, gsize bufsz, UbSparseParseFlags flags, GError **error)
{
	g_autoptr(GBytes) blob = g_bytes_new(buf, bufsz);
	g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes(blob);
	g_autoptr(UbSparseReader) reader = ub_sparse_reader_new(mem, flags, NULL, error);
	if (reader == NULL)
		return NULL;
	return ub_test_drain(G_INPUT_STREAM(reader), 4093, error);
}

static void
ub_sparse_header_func(void)
{
	UbTestSparse ts = {0};
	UbSparseHeader hdr = {0};
	guint8 buf[UB_SPARSE_HEADER_SIZE] = {0};
	g_autoptr(GError) error = NULL;

	ub_test_sparse_standard(&ts, 28, 12);
	g_assert_true(ub_sparse_is_sparse(ts.file->data, ts.file->len));
	g_assert_false(ub_sparse_is_sparse(ts.file->data, 3));
	g_assert_true(ub_sparse_header_parse(ts.file->data, ts.file->len, &hdr, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(hdr.major_version, ==, 1);
	g_assert_cmpuint(hdr.minor_version, ==, 0);
	g_assert_cmpuint(hdr.file_hdr_sz, ==, 28);
	g_assert_cmpuint(hdr.chunk_hdr_sz, ==, 12);
	g_assert_cmpuint(hdr.blk_sz, ==, 4096);
	g_assert_cmpuint(hdr.total_blks, ==, 11);
	g_assert_cmpuint(hdr.total_chunks, ==, 7);

	/* write and parse back */
	ub_sparse_header_write(&hdr, buf);
	g_assert_cmpmem(buf, sizeof(buf), ts.file->data, UB_SPARSE_HEADER_SIZE);

	/* truncated */
	g_assert_false(ub_sparse_header_parse(ts.file->data, 27, &hdr, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_clear_error(&error);

	/* each field out of range */
	{
		struct {
			gsize offset;
			guint32 val;
			gsize width;
			gint code;
		} cases[] = {
		    {0, 0xed26ff3b, 4, UB_ERROR_INVALID_DATA}, /* magic */
		    {4, 2, 2, UB_ERROR_NOT_SUPPORTED},	       /* major */
		    {8, 27, 2, UB_ERROR_INVALID_DATA},	       /* file_hdr_sz */
		    {10, 11, 2, UB_ERROR_INVALID_DATA},	       /* chunk_hdr_sz */
		    {12, 0, 4, UB_ERROR_INVALID_DATA},	       /* blk_sz */
		    {12, 4098, 4, UB_ERROR_INVALID_DATA},      /* blk_sz % 4 */
		    {16, 0, 4, UB_ERROR_INVALID_DATA},	       /* total_blks */
		};
		for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
			guint8 tmp[UB_SPARSE_HEADER_SIZE];
			memcpy(tmp, ts.file->data, sizeof(tmp));
			if (cases[i].width == 4)
				ub_mem_write_u32_le(tmp, cases[i].offset, cases[i].val);
			else
				ub_mem_write_u16_le(tmp, cases[i].offset, (guint16)cases[i].val);
			g_assert_false(ub_sparse_header_parse(tmp, sizeof(tmp), &hdr, &error));
			g_assert_error(error, UB_ERROR, cases[i].code);
			g_clear_error(&error);
		}
	}

	/* a higher minor version is accepted */
	{
		guint8 tmp[UB_SPARSE_HEADER_SIZE];
		memcpy(tmp, ts.file->data, sizeof(tmp));
		tmp[6] = 5;
		g_assert_true(ub_sparse_header_parse(tmp, sizeof(tmp), &hdr, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(hdr.minor_version, ==, 5);
	}
	ub_test_sparse_clear(&ts);
}

static void
ub_sparse_chunk_header_func(void)
{
	UbSparseHeader hdr = {.major_version = 1,
			      .file_hdr_sz = 28,
			      .chunk_hdr_sz = 12,
			      .blk_sz = BS,
			      .total_blks = 10,
			      .total_chunks = 1};
	struct {
		guint16 type;
		guint32 chunk_sz;
		guint32 total_sz;
		gboolean ok;
	} cases[] = {
	    {UB_SPARSE_CHUNK_TYPE_RAW, 2, 12 + 2 * BS, TRUE},
	    {UB_SPARSE_CHUNK_TYPE_RAW, 2, 12 + 2 * BS - 1, FALSE},
	    {UB_SPARSE_CHUNK_TYPE_RAW, 0, 12, TRUE},
	    {UB_SPARSE_CHUNK_TYPE_FILL, 7, 16, TRUE},
	    {UB_SPARSE_CHUNK_TYPE_FILL, 7, 20, FALSE},
	    {UB_SPARSE_CHUNK_TYPE_DONT_CARE, 9, 12, TRUE},
	    {UB_SPARSE_CHUNK_TYPE_DONT_CARE, 9, 16, FALSE},
	    {UB_SPARSE_CHUNK_TYPE_CRC32, 0, 16, TRUE},
	    {UB_SPARSE_CHUNK_TYPE_CRC32, 0, 12, FALSE},
	    {0xcac5, 1, 12, FALSE},
	    {0x0000, 1, 12, FALSE},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		UbSparseChunkHeader chk = {.chunk_type = cases[i].type,
					   .chunk_sz = cases[i].chunk_sz,
					   .total_sz = cases[i].total_sz};
		UbSparseChunkHeader out = {0};
		guint8 buf[4 + UB_SPARSE_CHUNK_HEADER_SIZE] = {0};
		g_autoptr(GError) error = NULL;
		ub_sparse_chunk_header_write(&chk, buf + 4);
		g_assert_cmpint(ub_sparse_chunk_header_parse(buf, sizeof(buf), 4, &hdr, &out, &error),
				==,
				cases[i].ok);
		if (cases[i].ok) {
			g_assert_no_error(error);
			g_assert_cmpuint(out.chunk_type, ==, cases[i].type);
			g_assert_cmpuint(out.chunk_sz, ==, cases[i].chunk_sz);
			g_assert_cmpuint(out.total_sz, ==, cases[i].total_sz);
		} else {
			g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		}
		/* truncated: one byte short, or the offset past the end */
		g_clear_error(&error);
		g_assert_false(ub_sparse_chunk_header_parse(buf, sizeof(buf) - 1, 4, &hdr, &out, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		g_assert_false(ub_sparse_chunk_header_parse(buf, sizeof(buf), 100, &hdr, &out, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
}

static void
ub_sparse_crc_repeat_func(void)
{
	guint32 patterns[] = {0, 0xaabbccdd, 0xffffffff, 1};
	guint64 counts[] = {0, 1, 2, 3, 1000, 1025, 4096, 16384, 16385, 100001};
	for (guint i = 0; i < G_N_ELEMENTS(patterns); i++) {
		for (guint j = 0; j < G_N_ELEMENTS(counts); j++) {
			g_autoptr(GByteArray) buf = g_byte_array_new();
			guint32 expected;
			g_byte_array_append(buf, (const guint8 *)"prefix", 6);
			for (guint64 k = 0; k < counts[j]; k++)
				ub_test_put_u32(buf, patterns[i]);
			expected = ub_crc32(buf->data, buf->len);
			g_assert_cmphex(ub_sparse_crc32_repeat(ub_crc32((const guint8 *)"prefix", 6),
							       patterns[i],
							       counts[j]),
					==,
					expected);
		}
	}
}

static void
ub_sparse_parse_func(void)
{
	UbTestSparse ts = {0};
	const UbSparseChunk *chk;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSparseImage) img = NULL;

	ub_test_sparse_standard(&ts, 28, 12);
	img = ub_sparse_image_parse(ts.file->data,
				    ts.file->len,
				    UB_SPARSE_PARSE_FLAG_VERIFY_CRC,
				    &error);
	g_assert_no_error(error);
	g_assert_nonnull(img);
	g_assert_cmpuint(ub_sparse_image_get_block_size(img), ==, BS);
	g_assert_cmpuint(ub_sparse_image_get_total_blocks(img), ==, 11);
	g_assert_cmpuint(ub_sparse_image_get_size(img), ==, 11 * BS);
	g_assert_cmpuint(ub_sparse_image_get_data_size(img), ==, 7 * BS);
	/* the CRC chunks are checked, not listed */
	g_assert_cmpuint(ub_sparse_image_get_n_chunks(img), ==, 5);
	chk = ub_sparse_image_get_chunk(img, 0);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_RAW);
	g_assert_cmpuint(chk->block, ==, 0);
	g_assert_cmpuint(chk->n_blocks, ==, 2);
	g_assert_cmpuint(chk->src_offset, ==, 28 + 12);
	g_assert_cmpuint(chk->src_size, ==, 2 * BS);
	chk = ub_sparse_image_get_chunk(img, 1);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_FILL);
	g_assert_cmpuint(chk->block, ==, 2);
	g_assert_cmpuint(chk->n_blocks, ==, 3);
	g_assert_cmphex(chk->fill, ==, 0xaabbccdd);
	chk = ub_sparse_image_get_chunk(img, 2);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_DONT_CARE);
	g_assert_cmpuint(chk->block, ==, 5);
	g_assert_cmpuint(chk->n_blocks, ==, 4);
	chk = ub_sparse_image_get_chunk(img, 3);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_RAW);
	g_assert_cmpuint(chk->block, ==, 9);
	g_assert_cmpuint(chk->src_offset, ==, 28 + 12 + 2 * BS + 16 + 12 + 16 + 12);
	chk = ub_sparse_image_get_chunk(img, 4);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_FILL);
	g_assert_cmphex(chk->fill, ==, 0);
	g_assert_null(ub_sparse_image_get_chunk(img, 5));
	/* what the writer would produce: header, 5 chunks, data */
	g_assert_cmpuint(ub_sparse_image_get_encoded_size(img, FALSE),
			 ==,
			 28 + 5 * 12 + 3 * BS + 4 + 4);
	g_assert_cmpuint(ub_sparse_image_get_encoded_size(img, TRUE),
			 ==,
			 28 + 6 * 12 + 3 * BS + 4 + 4 + 4);

	/* bytes after the last chunk are ignored, like libsparse */
	{
		g_autoptr(GByteArray) tmp = g_byte_array_new();
		g_autoptr(UbSparseImage) img2 = NULL;
		g_byte_array_append(tmp, ts.file->data, ts.file->len);
		g_byte_array_append(tmp, (const guint8 *)"garbage", 7);
		img2 = ub_sparse_image_parse(tmp->data, tmp->len, UB_SPARSE_PARSE_FLAG_NONE, &error);
		g_assert_no_error(error);
		g_assert_nonnull(img2);
	}
	ub_test_sparse_clear(&ts);
}

static void
ub_sparse_parse_big_headers_func(void)
{
	UbTestSparse ts = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSparseImage) img = NULL;
	g_autoptr(GByteArray) raw = NULL;

	/* longer headers than we know: the extra bytes are skipped */
	ub_test_sparse_standard(&ts, 40, 20);
	img = ub_sparse_image_parse(ts.file->data,
				    ts.file->len,
				    UB_SPARSE_PARSE_FLAG_VERIFY_CRC,
				    &error);
	g_assert_no_error(error);
	g_assert_nonnull(img);
	g_assert_cmpuint(ub_sparse_image_get_chunk(img, 0)->src_offset, ==, 40 + 20);
	raw = ub_test_expand(ts.file->data, ts.file->len, UB_SPARSE_PARSE_FLAG_VERIFY_CRC, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(raw->data, raw->len, ts.raw->data, ts.raw->len);
	ub_test_sparse_clear(&ts);
}

static void
ub_sparse_reject_func(void)
{
	UbTestSparse ts = {0};
	g_autoptr(GError) error = NULL;

	ub_test_sparse_standard(&ts, 28, 12);

	/* every truncation is rejected, by the parser and by the stream reader */
	for (gsize len = 0; len < ts.file->len; len += (len < 64 ? 1 : 509)) {
		g_autoptr(UbSparseImage) img = NULL;
		g_autoptr(GByteArray) raw = NULL;
		img = ub_sparse_image_parse(ts.file->data, len, UB_SPARSE_PARSE_FLAG_NONE, &error);
		g_assert_null(img);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		raw = ub_test_expand(ts.file->data, len, UB_SPARSE_PARSE_FLAG_NONE, &error);
		g_assert_null(raw);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
	}

	/* a wrong CRC32 chunk: only when asked to check */
	{
		UbTestSparse bad = {0};
		g_autoptr(UbSparseImage) img = NULL;
		g_autoptr(UbSparseImage) img2 = NULL;
		g_autoptr(GByteArray) raw = NULL;
		ub_test_sparse_init(&bad, BS, 28, 12);
		ub_test_sparse_raw(&bad, 1, 3);
		ub_test_sparse_fill(&bad, 2, 0x12345678);
		ub_test_sparse_crc(&bad, 1);
		ub_test_sparse_finish(&bad);
		img = ub_sparse_image_parse(bad.file->data,
					    bad.file->len,
					    UB_SPARSE_PARSE_FLAG_VERIFY_CRC,
					    &error);
		g_assert_null(img);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_nonnull(strstr(error->message, "CRC32"));
		g_clear_error(&error);
		raw = ub_test_expand(bad.file->data,
				     bad.file->len,
				     UB_SPARSE_PARSE_FLAG_VERIFY_CRC,
				     &error);
		g_assert_null(raw);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		img2 = ub_sparse_image_parse(bad.file->data,
					     bad.file->len,
					     UB_SPARSE_PARSE_FLAG_NONE,
					     &error);
		g_assert_no_error(error);
		g_assert_nonnull(img2);
		ub_test_sparse_clear(&bad);
	}

	/* chunks covering fewer or more blocks than total_blks */
	{
		guint32 totals[] = {10, 12};
		for (guint i = 0; i < G_N_ELEMENTS(totals); i++) {
			g_autoptr(UbSparseImage) img = NULL;
			g_autoptr(GByteArray) raw = NULL;
			ub_mem_write_u32_le(ts.file->data, 16, totals[i]);
			img = ub_sparse_image_parse(ts.file->data,
						    ts.file->len,
						    UB_SPARSE_PARSE_FLAG_NONE,
						    &error);
			g_assert_null(img);
			g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
			g_clear_error(&error);
			raw = ub_test_expand(ts.file->data,
					     ts.file->len,
					     UB_SPARSE_PARSE_FLAG_NONE,
					     &error);
			g_assert_null(raw);
			g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
			g_clear_error(&error);
		}
		ub_mem_write_u32_le(ts.file->data, 16, 11);
	}

	/* total_chunks larger than the file: the count is not trusted */
	{
		g_autoptr(UbSparseImage) img = NULL;
		ub_mem_write_u32_le(ts.file->data, 20, G_MAXUINT32);
		img = ub_sparse_image_parse(ts.file->data,
					    ts.file->len,
					    UB_SPARSE_PARSE_FLAG_NONE,
					    &error);
		g_assert_null(img);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		ub_mem_write_u32_le(ts.file->data, 20, 7);
	}

	/* garbage */
	{
		guint8 junk[8192];
		g_autoptr(UbSparseImage) img = NULL;
		g_autoptr(GByteArray) raw = NULL;
		for (gsize i = 0; i < sizeof(junk); i++)
			junk[i] = (guint8)(i * 131 + 17);
		img = ub_sparse_image_parse(junk, sizeof(junk), UB_SPARSE_PARSE_FLAG_NONE, &error);
		g_assert_null(img);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		raw = ub_test_expand(junk, sizeof(junk), UB_SPARSE_PARSE_FLAG_NONE, &error);
		g_assert_null(raw);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
	ub_test_sparse_clear(&ts);
}

static void
ub_sparse_reader_func(void)
{
	UbTestSparse ts = {0};
	gsize pieces[] = {1, 3, 7, 4096, 65536};

	ub_test_sparse_standard(&ts, 28, 12);
	for (guint i = 0; i < G_N_ELEMENTS(pieces); i++) {
		g_autoptr(GBytes) blob = g_bytes_new(ts.file->data, ts.file->len);
		g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes(blob);
		g_autoptr(GError) error = NULL;
		g_autoptr(UbSparseReader) reader = NULL;
		g_autoptr(GByteArray) raw = NULL;
		reader = ub_sparse_reader_new(mem, UB_SPARSE_PARSE_FLAG_VERIFY_CRC, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(ub_sparse_reader_get_size(reader), ==, 11 * BS);
		g_assert_cmpuint(ub_sparse_reader_get_header(reader)->total_chunks, ==, 7);
		raw = ub_test_drain(G_INPUT_STREAM(reader), pieces[i], &error);
		g_assert_no_error(error);
		g_assert_cmpmem(raw->data, raw->len, ts.raw->data, ts.raw->len);
		/* the fill pattern is little-endian, word-aligned from the chunk start */
		g_assert_cmphex(raw->data[2 * BS], ==, 0xdd);
		g_assert_cmphex(raw->data[2 * BS + 3], ==, 0xaa);
		g_assert_true(g_input_stream_close(G_INPUT_STREAM(reader), NULL, &error));
		g_assert_no_error(error);
		g_assert_true(g_input_stream_is_closed(mem));
	}

	/* errors stick: a second read fails the same way */
	{
		g_autoptr(GBytes) blob = g_bytes_new(ts.file->data, ts.file->len - 100);
		g_autoptr(GInputStream) mem = g_memory_input_stream_new_from_bytes(blob);
		g_autoptr(GError) error = NULL;
		g_autoptr(GError) error2 = NULL;
		g_autoptr(UbSparseReader) reader = NULL;
		g_autoptr(GByteArray) raw = NULL;
		guint8 buf[16];
		reader = ub_sparse_reader_new(mem, UB_SPARSE_PARSE_FLAG_NONE, NULL, &error);
		g_assert_no_error(error);
		raw = ub_test_drain(G_INPUT_STREAM(reader), 4096, &error);
		g_assert_null(raw);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_cmpint(g_input_stream_read(G_INPUT_STREAM(reader), buf, sizeof(buf), NULL, &error2),
				==,
				-1);
		g_assert_error(error2, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
	ub_test_sparse_clear(&ts);
}

static void
ub_sparse_scan_func(void)
{
	UbTestSparse ts = {0};
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GInputStream) mem = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSparseImage) img = NULL;
	g_autoptr(UbSparseImage) scanned = NULL;

	ub_test_sparse_standard(&ts, 28, 12);
	blob = g_bytes_new(ts.file->data, ts.file->len);
	mem = g_memory_input_stream_new_from_bytes(blob);
	img = ub_sparse_image_parse(ts.file->data, ts.file->len, UB_SPARSE_PARSE_FLAG_NONE, &error);
	g_assert_no_error(error);
	scanned = ub_sparse_reader_scan(mem, UB_SPARSE_PARSE_FLAG_VERIFY_CRC, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(scanned);
	/* the scan leaves the stream open and matches the buffer parser run for run */
	g_assert_false(g_input_stream_is_closed(mem));
	g_assert_cmpuint(ub_sparse_image_get_n_chunks(scanned), ==, ub_sparse_image_get_n_chunks(img));
	for (guint i = 0; i < ub_sparse_image_get_n_chunks(img); i++) {
		const UbSparseChunk *a = ub_sparse_image_get_chunk(img, i);
		const UbSparseChunk *b = ub_sparse_image_get_chunk(scanned, i);
		g_assert_cmpmem(a, sizeof(*a), b, sizeof(*b));
	}
	ub_test_sparse_clear(&ts);
}

/* blocks: random x3, zero x2, fill x2, random x1, zero x1, then a 1000-byte tail */
static GByteArray *
ub_test_make_raw(void)
{
	GByteArray *raw = g_byte_array_new();
	guint32 state = 12345;
	for (guint b = 0; b < 9; b++) {
		for (guint w = 0; w < BS / 4; w++) {
			guint32 val = 0;
			if (b < 3 || b == 7) {
				state = state * 1103515245 + 12345;
				val = state;
			} else if (b == 5 || b == 6) {
				val = 0x5a5aa5a5;
			}
			ub_test_put_u32(raw, val);
		}
	}
	for (guint i = 0; i < 1000; i++) {
		guint8 c = (guint8)(i + 1);
		g_byte_array_append(raw, &c, 1);
	}
	return raw;
}

static GByteArray *
ub_test_encode(GByteArray *raw,
	       UbSparseWriterFlags flags,
	       UbSparseImage **layout_out,
	       GError **error)
{
	g_autoptr(GBytes) blob = g_bytes_new(raw->data, raw->len);
	g_autoptr(GInputStream) pass1 = g_memory_input_stream_new_from_bytes(blob);
	g_autoptr(GInputStream) pass2 = g_memory_input_stream_new_from_bytes(blob);
	g_autoptr(UbSparseImage) layout = NULL;
	g_autoptr(UbSparseWriter) writer = NULL;
	g_autoptr(GByteArray) out = NULL;

	layout = ub_sparse_writer_scan_raw(pass1, BS, flags, NULL, error);
	if (layout == NULL)
		return NULL;
	writer = ub_sparse_writer_new(layout, pass2, flags, error);
	if (writer == NULL)
		return NULL;
	out = ub_test_drain(G_INPUT_STREAM(writer), 1000, error);
	if (out == NULL)
		return NULL;
	g_assert_cmpuint(out->len, ==, ub_sparse_writer_get_size(writer));
	if (layout_out != NULL)
		*layout_out = g_steal_pointer(&layout);
	return g_steal_pointer(&out);
}

static void
ub_sparse_writer_func(void)
{
	g_autoptr(GByteArray) raw = ub_test_make_raw();
	g_autoptr(GByteArray) expected = g_byte_array_new();
	g_autoptr(GError) error = NULL;
	guint8 zero[BS] = {0};

	/* the image is the raw size rounded up to a block, padded with zeros */
	g_byte_array_append(expected, raw->data, raw->len);
	g_byte_array_append(expected, zero, 10 * BS - raw->len);

	/* like img2simg: zero blocks are FILL 0 */
	{
		g_autoptr(UbSparseImage) layout = NULL;
		g_autoptr(GByteArray) file = ub_test_encode(raw, 0, &layout, &error);
		g_autoptr(GByteArray) decoded = NULL;
		const UbSparseChunk *chk;
		g_assert_no_error(error);
		g_assert_cmpuint(ub_sparse_image_get_total_blocks(layout), ==, 10);
		g_assert_cmpuint(ub_sparse_image_get_n_chunks(layout), ==, 6);
		chk = ub_sparse_image_get_chunk(layout, 0);
		g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_RAW);
		g_assert_cmpuint(chk->n_blocks, ==, 3);
		g_assert_cmpuint(chk->src_offset, ==, 0);
		chk = ub_sparse_image_get_chunk(layout, 1);
		g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_FILL);
		g_assert_cmpuint(chk->n_blocks, ==, 2);
		g_assert_cmphex(chk->fill, ==, 0);
		chk = ub_sparse_image_get_chunk(layout, 2);
		g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_FILL);
		g_assert_cmphex(chk->fill, ==, 0x5a5aa5a5);
		chk = ub_sparse_image_get_chunk(layout, 4);
		g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_FILL);
		g_assert_cmpuint(chk->block, ==, 8);
		/* the partial tail block is RAW with 1000 bytes of data */
		chk = ub_sparse_image_get_chunk(layout, 5);
		g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_RAW);
		g_assert_cmpuint(chk->block, ==, 9);
		g_assert_cmpuint(chk->src_offset, ==, 9 * BS);
		g_assert_cmpuint(chk->src_size, ==, 1000);
		g_assert_cmpuint(file->len, ==, 28 + 6 * 12 + 5 * BS + 3 * 4);
		decoded = ub_test_expand(file->data, file->len, UB_SPARSE_PARSE_FLAG_NONE, &error);
		g_assert_no_error(error);
		g_assert_cmpmem(decoded->data, decoded->len, expected->data, expected->len);
	}

	/* zero blocks left out, a CRC32 chunk at the end that the reader checks */
	{
		g_autoptr(UbSparseImage) layout = NULL;
		g_autoptr(UbSparseImage) parsed = NULL;
		g_autoptr(GByteArray) file = NULL;
		g_autoptr(GByteArray) decoded = NULL;
		file = ub_test_encode(raw,
				      UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE | UB_SPARSE_WRITER_FLAG_CRC,
				      &layout,
				      &error);
		g_assert_no_error(error);
		g_assert_cmpint(ub_sparse_image_get_chunk(layout, 1)->type,
				==,
				UB_SPARSE_CHUNK_TYPE_DONT_CARE);
		g_assert_cmpint(ub_sparse_image_get_chunk(layout, 4)->type,
				==,
				UB_SPARSE_CHUNK_TYPE_DONT_CARE);
		parsed = ub_sparse_image_parse(file->data,
					       file->len,
					       UB_SPARSE_PARSE_FLAG_VERIFY_CRC,
					       &error);
		g_assert_no_error(error);
		g_assert_nonnull(parsed);
		decoded =
		    ub_test_expand(file->data, file->len, UB_SPARSE_PARSE_FLAG_VERIFY_CRC, &error);
		g_assert_no_error(error);
		g_assert_cmpmem(decoded->data, decoded->len, expected->data, expected->len);
		/* flip one data bit: the CRC catches it */
		file->data[28 + 12 + 100] ^= 0x01;
		g_clear_pointer(&decoded, g_byte_array_unref);
		decoded =
		    ub_test_expand(file->data, file->len, UB_SPARSE_PARSE_FLAG_VERIFY_CRC, &error);
		g_assert_null(decoded);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
	}

	/* sparse -> layout -> sparse gives the same bytes back */
	{
		g_autoptr(GByteArray) file = ub_test_encode(raw, 0, NULL, &error);
		g_autoptr(GBytes) blob = g_bytes_new(file->data, file->len);
		g_autoptr(GInputStream) pass1 = g_memory_input_stream_new_from_bytes(blob);
		g_autoptr(GInputStream) pass2 = g_memory_input_stream_new_from_bytes(blob);
		g_autoptr(UbSparseImage) layout = NULL;
		g_autoptr(UbSparseWriter) writer = NULL;
		g_autoptr(GByteArray) again = NULL;
		layout = ub_sparse_reader_scan(pass1, UB_SPARSE_PARSE_FLAG_NONE, NULL, &error);
		g_assert_no_error(error);
		writer = ub_sparse_writer_new(layout, pass2, 0, &error);
		g_assert_no_error(error);
		again = ub_test_drain(G_INPUT_STREAM(writer), 777, &error);
		g_assert_no_error(error);
		g_assert_cmpmem(again->data, again->len, file->data, file->len);
	}

	/* an empty image and a bad block size are refused */
	{
		g_autoptr(GByteArray) empty = g_byte_array_new();
		g_autoptr(GByteArray) file = ub_test_encode(empty, 0, NULL, &error);
		g_autoptr(GInputStream) mem = g_memory_input_stream_new();
		g_autoptr(UbSparseImage) layout = NULL;
		g_assert_null(file);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		layout = ub_sparse_writer_scan_raw(mem, 4098, 0, NULL, &error);
		g_assert_null(layout);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	}
}

/* applies a sparse file onto an image the way a device does: DONT_CARE leaves blocks */
static void
ub_test_apply(GByteArray *image, GByteArray *file, GByteArray *written)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSparseImage) img = NULL;
	guint32 blk_sz;

	img = ub_sparse_image_parse(file->data, file->len, UB_SPARSE_PARSE_FLAG_NONE, &error);
	g_assert_no_error(error);
	g_assert_nonnull(img);
	blk_sz = ub_sparse_image_get_block_size(img);
	g_assert_cmpuint(ub_sparse_image_get_size(img), ==, image->len);
	for (guint i = 0; i < ub_sparse_image_get_n_chunks(img); i++) {
		const UbSparseChunk *chk = ub_sparse_image_get_chunk(img, i);
		guint8 *dst = image->data + chk->block * blk_sz;
		gsize len = chk->n_blocks * blk_sz;
		if (chk->type == UB_SPARSE_CHUNK_TYPE_DONT_CARE)
			continue;
		/* no block is written by two pieces */
		for (guint64 b = chk->block; b < chk->block + chk->n_blocks; b++) {
			g_assert_cmpuint(written->data[b], ==, 0);
			written->data[b] = 1;
		}
		if (chk->type == UB_SPARSE_CHUNK_TYPE_RAW) {
			memcpy(dst, file->data + chk->src_offset, len);
		} else {
			guint32 le = GUINT32_TO_LE(chk->fill);
			for (gsize j = 0; j < len; j += 4)
				memcpy(dst + j, &le, 4);
		}
	}
}

static void
ub_sparse_split_func(void)
{
	g_autoptr(GByteArray) raw = g_byte_array_new();
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GInputStream) scan = NULL;
	g_autoptr(UbSparseImage) layout = NULL;
	g_autoptr(GError) error = NULL;
	guint64 max_sizes[] = {ub_sparse_splitter_get_min_max_size(BS), 50000, 100 * 1024, 1 << 20};
	guint32 state = 99;

	/* 200 blocks: runs of random data, zeros and fills of varied lengths */
	for (guint b = 0; b < 200; b++) {
		guint kind = (b / 7) % 4;
		for (guint w = 0; w < BS / 4; w++) {
			state = state * 1103515245 + 12345;
			ub_test_put_u32(raw,
					kind == 0 || kind == 2 ? state
					: kind == 1	       ? 0
							       : 0x01020304 + b / 20);
		}
	}
	blob = g_bytes_new(raw->data, raw->len);
	scan = g_memory_input_stream_new_from_bytes(blob);
	layout = ub_sparse_writer_scan_raw(scan, BS, UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE, NULL, &error);
	g_assert_no_error(error);

	for (guint m = 0; m < G_N_ELEMENTS(max_sizes); m++) {
		g_autoptr(UbSparseSplitter) splitter = NULL;
		g_autoptr(GByteArray) image = g_byte_array_new();
		g_autoptr(GByteArray) written = g_byte_array_new();
		guint n;

		splitter = ub_sparse_splitter_new(layout, max_sizes[m], &error);
		g_assert_no_error(error);
		n = ub_sparse_splitter_get_n_pieces(splitter);
		g_assert_cmpuint(n, >=, 1);
		if (max_sizes[m] < ub_sparse_image_get_encoded_size(layout, FALSE))
			g_assert_cmpuint(n, >, 1);
		g_byte_array_set_size(image, raw->len);
		memset(image->data, 0, image->len);
		g_byte_array_set_size(written, 200);
		memset(written->data, 0, written->len);
		for (guint k = 0; k < n; k++) {
			g_autoptr(GInputStream) src = g_memory_input_stream_new_from_bytes(blob);
			g_autoptr(GInputStream) piece = NULL;
			g_autoptr(GByteArray) file = NULL;
			piece = ub_sparse_splitter_open_piece(splitter, k, src, &error);
			g_assert_no_error(error);
			file = ub_test_drain(piece, 5000, &error);
			g_assert_no_error(error);
			/* each piece is a complete sparse file of the whole image, within the limit */
			g_assert_cmpuint(file->len, ==, ub_sparse_splitter_get_piece_size(splitter, k));
			g_assert_cmpuint(file->len, <=, max_sizes[m]);
			ub_test_apply(image, file, written);
		}
		g_assert_null(ub_sparse_splitter_get_piece(splitter, n));
		/* together the pieces write exactly the non-DONT_CARE blocks, with the right data */
		for (guint b = 0; b < 200; b++) {
			gboolean zero = (b / 7) % 4 == 1;
			g_assert_cmpuint(written->data[b], ==, zero ? 0 : 1);
		}
		g_assert_cmpmem(image->data, image->len, raw->data, raw->len);
	}

	/* too small a limit is refused */
	{
		g_autoptr(UbSparseSplitter) splitter =
		    ub_sparse_splitter_new(layout, ub_sparse_splitter_get_min_max_size(BS) - 1, &error);
		g_assert_null(splitter);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
		g_clear_error(&error);
	}
	/* a limit above the whole file: one piece, the file itself */
	{
		g_autoptr(UbSparseSplitter) splitter = ub_sparse_splitter_new(layout, 1 << 24, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(ub_sparse_splitter_get_n_pieces(splitter), ==, 1);
		g_assert_cmpuint(ub_sparse_splitter_get_piece_size(splitter, 0),
				 ==,
				 ub_sparse_image_get_encoded_size(layout, FALSE));
	}
}

/* the libsparse rules on a hand-made layout, counted by hand */
static void
ub_sparse_split_rules_func(void)
{
	g_autoptr(UbSparseImage) layout = ub_sparse_image_new(BS);
	g_autoptr(UbSparseSplitter) splitter = NULL;
	g_autoptr(GError) error = NULL;
	guint64 max_size = 100 * BS; /* budget: 409600 - 56 = 409544 */
	UbSparseImage *piece;
	const UbSparseChunk *chk;

	/* RAW 150 blocks at 0, DONT_CARE 10, FILL 5, RAW 20 */
	g_assert_true(ub_sparse_image_add_raw(layout, 150, 0, 150 * BS, &error));
	g_assert_true(ub_sparse_image_add_dont_care(layout, 10, &error));
	g_assert_true(ub_sparse_image_add_fill(layout, 5, 7, &error));
	g_assert_true(ub_sparse_image_add_raw(layout, 20, 150 * BS, 20 * BS, &error));
	g_assert_no_error(error);
	splitter = ub_sparse_splitter_new(layout, max_size, &error);
	g_assert_no_error(error);

	/* piece 0: the first run does not fit; the room after its header, 409532 bytes, is
	 * cut down to 99 blocks */
	piece = ub_sparse_splitter_get_piece(splitter, 0);
	chk = ub_sparse_image_get_chunk(piece, 0);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_RAW);
	g_assert_cmpuint(chk->n_blocks, ==, 99);
	chk = ub_sparse_image_get_chunk(piece, 1);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_DONT_CARE);
	g_assert_cmpuint(chk->block, ==, 99);
	g_assert_cmpuint(chk->n_blocks, ==, 185 - 99);

	/* piece 1: gap skip + RAW 51 (208920), gap skip + FILL (28), RAW 20 (81932): 290880
	 * fits the budget, so everything left goes and there is no third piece */
	piece = ub_sparse_splitter_get_piece(splitter, 1);
	g_assert_cmpuint(ub_sparse_image_get_n_chunks(piece), ==, 5);
	chk = ub_sparse_image_get_chunk(piece, 0);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_DONT_CARE);
	g_assert_cmpuint(chk->n_blocks, ==, 99);
	chk = ub_sparse_image_get_chunk(piece, 1);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_RAW);
	g_assert_cmpuint(chk->n_blocks, ==, 51);
	g_assert_cmpuint(chk->src_offset, ==, 99 * BS);
	chk = ub_sparse_image_get_chunk(piece, 3);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_FILL);
	chk = ub_sparse_image_get_chunk(piece, 4);
	g_assert_cmpint(chk->type, ==, UB_SPARSE_CHUNK_TYPE_RAW);
	g_assert_cmpuint(chk->n_blocks, ==, 20);
	g_assert_cmpuint(ub_sparse_splitter_get_n_pieces(splitter), ==, 2);

	/* RAW 90, DONT_CARE 1, RAW 30: after RAW 90 (368652) the room left behind the next
	 * header is 40880, not more than 1/8 of the budget (51193): no cut, next piece */
	{
		g_autoptr(UbSparseImage) l2 = ub_sparse_image_new(BS);
		g_autoptr(UbSparseSplitter) s2 = NULL;
		g_assert_true(ub_sparse_image_add_raw(l2, 90, 0, 90 * BS, &error));
		g_assert_true(ub_sparse_image_add_dont_care(l2, 1, &error));
		g_assert_true(ub_sparse_image_add_raw(l2, 30, 1 << 20, 30 * BS, &error));
		s2 = ub_sparse_splitter_new(l2, max_size, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(ub_sparse_splitter_get_n_pieces(s2), ==, 2);
		piece = ub_sparse_splitter_get_piece(s2, 0);
		g_assert_cmpuint(ub_sparse_image_get_n_chunks(piece), ==, 2);
		g_assert_cmpuint(ub_sparse_image_get_chunk(piece, 0)->n_blocks, ==, 90);
		piece = ub_sparse_splitter_get_piece(s2, 1);
		g_assert_cmpuint(ub_sparse_image_get_chunk(piece, 1)->n_blocks, ==, 30);
		g_assert_cmpuint(ub_sparse_image_get_chunk(piece, 1)->src_offset, ==, 1 << 20);
	}

	/* RAW 50, DONT_CARE 1, RAW 100: room 204720 is more than 1/8: cut at 49 blocks */
	{
		g_autoptr(UbSparseImage) l3 = ub_sparse_image_new(BS);
		g_autoptr(UbSparseSplitter) s3 = NULL;
		g_assert_true(ub_sparse_image_add_raw(l3, 50, 0, 50 * BS, &error));
		g_assert_true(ub_sparse_image_add_dont_care(l3, 1, &error));
		g_assert_true(ub_sparse_image_add_raw(l3, 100, 1 << 20, 100 * BS, &error));
		s3 = ub_sparse_splitter_new(l3, max_size, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(ub_sparse_splitter_get_n_pieces(s3), ==, 2);
		piece = ub_sparse_splitter_get_piece(s3, 0);
		g_assert_cmpuint(ub_sparse_image_get_chunk(piece, 2)->n_blocks, ==, 49);
		piece = ub_sparse_splitter_get_piece(s3, 1);
		chk = ub_sparse_image_get_chunk(piece, 1);
		g_assert_cmpuint(chk->block, ==, 100);
		g_assert_cmpuint(chk->n_blocks, ==, 51);
		g_assert_cmpuint(chk->src_offset, ==, (1 << 20) + 49 * BS);
	}

	/* libsparse's extra piece: a run that only fits once its gap header is left out still
	 * ends the piece, and the next piece has no data at all */
	{
		g_autoptr(UbSparseImage) l4 = ub_sparse_image_new(BS);
		g_autoptr(UbSparseSplitter) s4 = NULL;
		g_assert_true(ub_sparse_image_add_dont_care(l4, 1, &error));
		g_assert_true(ub_sparse_image_add_raw(l4, 10, 0, 10 * BS, &error));
		s4 = ub_sparse_splitter_new(l4, UB_SPARSE_SPLIT_OVERHEAD + 10 * BS + 20, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(ub_sparse_splitter_get_n_pieces(s4), ==, 2);
		g_assert_cmpuint(ub_sparse_splitter_get_piece_size(s4, 0), ==, 28 + 24 + 10 * BS);
		piece = ub_sparse_splitter_get_piece(s4, 1);
		g_assert_cmpuint(ub_sparse_image_get_n_chunks(piece), ==, 1);
		g_assert_cmpint(ub_sparse_image_get_chunk(piece, 0)->type,
				==,
				UB_SPARSE_CHUNK_TYPE_DONT_CARE);
		g_assert_cmpuint(ub_sparse_image_get_chunk(piece, 0)->n_blocks, ==, 11);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/sparse/header", ub_sparse_header_func);
	g_test_add_func("/ub/formats/sparse/chunk-header", ub_sparse_chunk_header_func);
	g_test_add_func("/ub/formats/sparse/crc-repeat", ub_sparse_crc_repeat_func);
	g_test_add_func("/ub/formats/sparse/parse", ub_sparse_parse_func);
	g_test_add_func("/ub/formats/sparse/parse-big-headers", ub_sparse_parse_big_headers_func);
	g_test_add_func("/ub/formats/sparse/reject", ub_sparse_reject_func);
	g_test_add_func("/ub/formats/sparse/reader", ub_sparse_reader_func);
	g_test_add_func("/ub/formats/sparse/scan", ub_sparse_scan_func);
	g_test_add_func("/ub/formats/sparse/writer", ub_sparse_writer_func);
	g_test_add_func("/ub/formats/sparse/split", ub_sparse_split_func);
	g_test_add_func("/ub/formats/sparse/split-rules", ub_sparse_split_rules_func);
	return g_test_run();
}
