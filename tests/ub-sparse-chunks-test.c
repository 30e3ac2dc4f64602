/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "formats/ub-sparse-chunks.h"
#include "ub-error.h"

#define BS 1024

/* a sparse file under construction */
typedef struct {
	GByteArray *file;
	guint32 n_blocks;
	guint32 n_chunks;
	guint16 file_hdr_sz;
	guint16 chunk_hdr_sz;
} UbTestChunks;

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
ub_test_chunks_init(UbTestChunks *tc, guint16 file_hdr_sz, guint16 chunk_hdr_sz)
{
	guint8 pad[64];
	memset(pad, 0xee, sizeof(pad));
	memset(tc, 0, sizeof(*tc));
	tc->file = g_byte_array_new();
	tc->file_hdr_sz = file_hdr_sz;
	tc->chunk_hdr_sz = chunk_hdr_sz;
	ub_test_put_u32(tc->file, UB_SPARSE_MAGIC);
	ub_test_put_u16(tc->file, 1);
	ub_test_put_u16(tc->file, 0);
	ub_test_put_u16(tc->file, file_hdr_sz);
	ub_test_put_u16(tc->file, chunk_hdr_sz);
	ub_test_put_u32(tc->file, BS);
	ub_test_put_u32(tc->file, 0); /* total_blks, set by finish */
	ub_test_put_u32(tc->file, 0); /* total_chunks, set by finish */
	ub_test_put_u32(tc->file, 0);
	g_byte_array_append(tc->file, pad, file_hdr_sz - UB_SPARSE_HEADER_SIZE);
}

static void
ub_test_chunks_add(UbTestChunks *tc, guint16 type, guint32 chunk_sz, guint32 data_sz)
{
	guint8 pad[64];
	memset(pad, 0xee, sizeof(pad));
	ub_test_put_u16(tc->file, type);
	ub_test_put_u16(tc->file, 0);
	ub_test_put_u32(tc->file, chunk_sz);
	ub_test_put_u32(tc->file, tc->chunk_hdr_sz + data_sz);
	g_byte_array_append(tc->file, pad, tc->chunk_hdr_sz - UB_SPARSE_CHUNK_HEADER_SIZE);
	tc->n_chunks++;
	if (type != UB_SPARSE_CHUNK_TYPE_CRC32)
		tc->n_blocks += chunk_sz;
}

static void
ub_test_chunks_raw(UbTestChunks *tc, guint32 n_blocks, guint8 seed)
{
	ub_test_chunks_add(tc, UB_SPARSE_CHUNK_TYPE_RAW, n_blocks, n_blocks * BS);
	for (guint i = 0; i < n_blocks * BS; i++) {
		guint8 b = (guint8)(seed + i * 7);
		g_byte_array_append(tc->file, &b, 1);
	}
}

static void
ub_test_chunks_word(UbTestChunks *tc, guint16 type, guint32 n_blocks, guint32 word)
{
	ub_test_chunks_add(tc, type, n_blocks, 4);
	ub_test_put_u32(tc->file, word);
}

/* sets the totals; @total_blks 0 means what the chunks cover */
static GBytes *
ub_test_chunks_finish(UbTestChunks *tc, guint32 total_blks)
{
	guint32 blks = GUINT32_TO_LE(total_blks != 0 ? total_blks : tc->n_blocks);
	guint32 chunks = GUINT32_TO_LE(tc->n_chunks);
	memcpy(tc->file->data + 16, &blks, 4);
	memcpy(tc->file->data + 20, &chunks, 4);
	return g_byte_array_free_to_bytes(g_steal_pointer(&tc->file));
}

/* what the callback saw, and the image it rebuilt */
typedef struct {
	GString *log;
	GByteArray *image;
	guint fail_at; /* G_MAXUINT: never */
	GCancellable *cancel_at_first;
} UbTestWalk;

static gboolean
ub_test_walk_cb(const UbSparseHeader *hdr,
		const UbSparseChunksItem *item,
		GInputStream *stream,
		gpointer user_data,
		GCancellable *cancellable,
		GError **error)
{
	UbTestWalk *tw = (UbTestWalk *)user_data;

	g_assert_cmpuint(hdr->blk_sz, ==, BS);
	g_string_append_printf(tw->log,
			       "%u:%s@%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT "=%08x;",
			       item->index,
			       ub_sparse_chunk_type_to_string(item->kind),
			       item->offset,
			       item->length,
			       item->value);
	if (tw->cancel_at_first != NULL)
		g_cancellable_cancel(tw->cancel_at_first);
	if (item->index == tw->fail_at) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_IO, "device said no");
		return FALSE;
	}
	/* the rebuilt image: RAW from the stream, FILL as the word, DONT_CARE as 0xdd */
	if (item->kind != UB_SPARSE_CHUNK_TYPE_CRC32)
		g_assert_cmpuint(item->offset, ==, tw->image->len);
	switch (item->kind) {
	case UB_SPARSE_CHUNK_TYPE_RAW: {
		g_autofree guint8 *buf = g_malloc(item->length);
		if (!ub_sparse_chunks_read_exact(stream, buf, item->length, cancellable, error))
			return FALSE;
		g_byte_array_append(tw->image, buf, item->length);
		break;
	}
	case UB_SPARSE_CHUNK_TYPE_FILL:
		for (guint64 i = 0; i < item->length / 4; i++) {
			guint32 le = GUINT32_TO_LE(item->value);
			g_byte_array_append(tw->image, (const guint8 *)&le, 4);
		}
		break;
	case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
		for (guint64 i = 0; i < item->length; i++) {
			guint8 b = 0xdd;
			g_byte_array_append(tw->image, &b, 1);
		}
		break;
	default:
		break;
	}
	return TRUE;
}

/* walks @blob; the log of chunks or NULL with @error set */
static gchar *
ub_test_walk(GBytes *blob,
	     guint fail_at,
	     gboolean cancel,
	     guint64 *consumed,
	     GByteArray **image,
	     GError **error)
{
	g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes(blob);
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GString) log = g_string_new(NULL);
	g_autoptr(GByteArray) img = g_byte_array_new();
	UbSparseHeader hdr = {0};
	UbTestWalk tw = {
	    .log = log,
	    .image = img,
	    .fail_at = fail_at,
	    .cancel_at_first = cancel ? cancellable : NULL,
	};

	if (!ub_sparse_chunks_read_header(stream, &hdr, cancellable, error))
		return NULL;
	if (!ub_sparse_chunks_walk(stream, &hdr, ub_test_walk_cb, &tw, consumed, cancellable, error))
		return NULL;
	if (image != NULL)
		*image = g_steal_pointer(&img);
	return g_string_free(g_steal_pointer(&log), FALSE);
}

static void
ub_sparse_chunks_every_kind_func(void)
{
	UbTestChunks tc = {0};
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GByteArray) image = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *log = NULL;
	guint64 consumed = 0;

	/* padded headers (as some vendor tools write) are skipped */
	ub_test_chunks_init(&tc, UB_SPARSE_HEADER_SIZE + 4, UB_SPARSE_CHUNK_HEADER_SIZE + 4);
	ub_test_chunks_raw(&tc, 2, 0x11);
	ub_test_chunks_word(&tc, UB_SPARSE_CHUNK_TYPE_FILL, 3, 0xa1b2c3d4);
	ub_test_chunks_add(&tc, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 4, 0);
	ub_test_chunks_word(&tc, UB_SPARSE_CHUNK_TYPE_CRC32, 0, 0xcafef00d);
	ub_test_chunks_raw(&tc, 1, 0x77);
	ub_test_chunks_add(&tc, UB_SPARSE_CHUNK_TYPE_RAW, 0, 0); /* empty RAW */
	blob = ub_test_chunks_finish(&tc, 0);

	log = ub_test_walk(blob, G_MAXUINT, FALSE, &consumed, &image, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(log,
			==,
			"0:raw@0+2048=00000000;"
			"1:fill@2048+3072=a1b2c3d4;"
			"2:dont-care@5120+4096=00000000;"
			"3:crc32@9216+0=cafef00d;"
			"4:raw@9216+1024=00000000;"
			"5:raw@10240+0=00000000;");
	g_assert_cmpuint(consumed, ==, g_bytes_get_size(blob));
	g_assert_cmpuint(image->len, ==, 10 * BS);
	/* the RAW data came through in order, after the padded headers */
	g_assert_cmpuint(image->data[0], ==, 0x11);
	g_assert_cmpuint(image->data[1], ==, 0x18);
	g_assert_cmpuint(image->data[2 * BS], ==, 0xd4);
	g_assert_cmpuint(image->data[2 * BS + 3], ==, 0xa1);
	g_assert_cmpuint(image->data[5 * BS], ==, 0xdd);
	g_assert_cmpuint(image->data[9 * BS], ==, 0x77);
	g_assert_cmpuint(image->data[9 * BS + 1], ==, 0x7e);
}

static void
ub_sparse_chunks_truncated_func(void)
{
	UbTestChunks tc = {0};
	g_autoptr(GBytes) blob = NULL;
	gsize full;

	ub_test_chunks_init(&tc, UB_SPARSE_HEADER_SIZE, UB_SPARSE_CHUNK_HEADER_SIZE);
	ub_test_chunks_raw(&tc, 1, 0x01);
	ub_test_chunks_word(&tc, UB_SPARSE_CHUNK_TYPE_FILL, 1, 0x12345678);
	ub_test_chunks_word(&tc, UB_SPARSE_CHUNK_TYPE_CRC32, 0, 0);
	blob = ub_test_chunks_finish(&tc, 0);
	full = g_bytes_get_size(blob);

	/* every cut is an error: in the header, a chunk header, the RAW data, a word */
	for (gsize cut = 0; cut < full; cut++) {
		g_autoptr(GBytes) part = g_bytes_new_from_bytes(blob, 0, cut);
		g_autoptr(GError) error = NULL;
		g_autofree gchar *log = ub_test_walk(part, G_MAXUINT, FALSE, NULL, NULL, &error);
		g_assert_null(log);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	}
}

static void
ub_sparse_chunks_bad_header_func(void)
{
	const struct {
		gsize offset;
		guint8 value;
		UbError code;
	} cases[] = {
	    {0, 0x00, UB_ERROR_INVALID_DATA},	  /* magic */
	    {4, 0x02, UB_ERROR_NOT_SUPPORTED},	  /* major version 2 */
	    {8, 0x10, UB_ERROR_INVALID_DATA},	  /* file header smaller than 28 */
	    {10, 0x08, UB_ERROR_INVALID_DATA},	  /* chunk header smaller than 12 */
	    {12 + 1, 0x00, UB_ERROR_INVALID_DATA}, /* block size 0 (was 0x400) */
	    {28, 0x00, UB_ERROR_INVALID_DATA},	  /* unknown chunk type 0xca00 */
	    {28 + 8, 0x00, UB_ERROR_INVALID_DATA}, /* RAW total_sz not matching chunk_sz */
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		UbTestChunks tc = {0};
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *log = NULL;
		guint8 *data;
		gsize datasz = 0;

		ub_test_chunks_init(&tc, UB_SPARSE_HEADER_SIZE, UB_SPARSE_CHUNK_HEADER_SIZE);
		ub_test_chunks_raw(&tc, 1, 0x01);
		blob = ub_test_chunks_finish(&tc, 0);
		data = g_bytes_unref_to_data(g_steal_pointer(&blob), &datasz);
		data[cases[i].offset] = cases[i].value;
		blob = g_bytes_new_take(data, datasz);
		log = ub_test_walk(blob, G_MAXUINT, FALSE, NULL, NULL, &error);
		g_assert_null(log);
		g_assert_error(error, UB_ERROR, (gint)cases[i].code);
	}
}

static void
ub_sparse_chunks_coverage_func(void)
{
	/* chunks that run past total_blks, and chunks that stop short of it */
	for (guint i = 0; i < 2; i++) {
		UbTestChunks tc = {0};
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *log = NULL;

		ub_test_chunks_init(&tc, UB_SPARSE_HEADER_SIZE, UB_SPARSE_CHUNK_HEADER_SIZE);
		ub_test_chunks_add(&tc, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 4, 0);
		blob = ub_test_chunks_finish(&tc, i == 0 ? 3 : 5);
		log = ub_test_walk(blob, G_MAXUINT, FALSE, NULL, NULL, &error);
		g_assert_null(log);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_nonnull(strstr(error->message, i == 0 ? "runs past" : "cover 4 of 5"));
	}
}

static void
ub_sparse_chunks_callback_error_func(void)
{
	UbTestChunks tc = {0};
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *log = NULL;

	ub_test_chunks_init(&tc, UB_SPARSE_HEADER_SIZE, UB_SPARSE_CHUNK_HEADER_SIZE);
	ub_test_chunks_raw(&tc, 1, 0x01);
	ub_test_chunks_word(&tc, UB_SPARSE_CHUNK_TYPE_FILL, 1, 0);
	blob = ub_test_chunks_finish(&tc, 0);

	/* the callback's error stops the walk and names the chunk */
	log = ub_test_walk(blob, 1, FALSE, NULL, NULL, &error);
	g_assert_null(log);
	g_assert_error(error, UB_ERROR, UB_ERROR_IO);
	g_assert_cmpstr(error->message, ==, "sparse chunk 1: device said no");
}

static void
ub_sparse_chunks_cancel_func(void)
{
	UbTestChunks tc = {0};
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *log = NULL;

	ub_test_chunks_init(&tc, UB_SPARSE_HEADER_SIZE, UB_SPARSE_CHUNK_HEADER_SIZE);
	ub_test_chunks_add(&tc, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 1, 0);
	ub_test_chunks_add(&tc, UB_SPARSE_CHUNK_TYPE_DONT_CARE, 1, 0);
	blob = ub_test_chunks_finish(&tc, 0);

	/* cancelled during the first chunk: the second is never handed over */
	log = ub_test_walk(blob, G_MAXUINT, TRUE, NULL, NULL, &error);
	g_assert_null(log);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/sparse-chunks/every-kind", ub_sparse_chunks_every_kind_func);
	g_test_add_func("/ub/formats/sparse-chunks/truncated", ub_sparse_chunks_truncated_func);
	g_test_add_func("/ub/formats/sparse-chunks/bad-header", ub_sparse_chunks_bad_header_func);
	g_test_add_func("/ub/formats/sparse-chunks/coverage", ub_sparse_chunks_coverage_func);
	g_test_add_func("/ub/formats/sparse-chunks/callback-error",
			ub_sparse_chunks_callback_error_func);
	g_test_add_func("/ub/formats/sparse-chunks/cancel", ub_sparse_chunks_cancel_func);
	return g_test_run();
}
