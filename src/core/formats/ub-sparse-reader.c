/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-sparse-reader.h"
#include "ub-crc.h"
#include "ub-error.h"
#include "ub-mem.h"

/*
 * A GInputStream that expands an Android sparse file read from another stream into the
 * raw image (DONT_CARE as zeros), one pass, forward only, constant memory: it never holds
 * more than one chunk header. The base stream can be a file, an archive member or a pipe.
 * ub_sparse_reader_scan() walks the same way without expanding, for pre-flight checks and
 * for the splitter.
 */

#define UB_SPARSE_READER_SCAN_BUFSZ (256 * 1024)

struct _UbSparseReader {
	GInputStream parent_instance;
	GInputStream *base;
	gboolean close_base;
	UbSparseParseFlags flags;
	UbSparseHeader hdr;
	guint64 base_pos;   /* bytes consumed from base */
	guint32 chunk_idx;  /* chunk headers read */
	guint64 cur_block;  /* blocks covered by the chunks read */
	guint16 cur_type;   /* type of the chunk being expanded */
	guint64 remaining;  /* its output bytes not yet produced */
	guint8 fill[4];	    /* FILL pattern as stored */
	guint32 crc;	    /* CRC-32 of the output so far, when verifying */
	gboolean finished;  /* the last chunk was read and the total checked */
	GError *error;	    /* sticky: every read after a failure fails the same way */
};

G_DEFINE_TYPE(UbSparseReader, ub_sparse_reader, G_TYPE_INPUT_STREAM)

static gboolean
ub_sparse_reader_read_all(UbSparseReader *self,
			  guint8 *buf,
			  gsize bufsz,
			  GCancellable *cancellable,
			  GError **error)
{
	gsize done = 0;
	while (done < bufsz) {
		gssize rc =
		    g_input_stream_read(self->base, buf + done, bufsz - done, cancellable, error);
		if (rc < 0)
			return FALSE;
		if (rc == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "sparse file truncated at 0x%" G_GINT64_MODIFIER "x",
				    self->base_pos + done);
			return FALSE;
		}
		done += rc;
	}
	self->base_pos += done;
	return TRUE;
}

static gboolean
ub_sparse_reader_skip_all(UbSparseReader *self,
			  guint64 count,
			  GCancellable *cancellable,
			  GError **error)
{
	while (count > 0) {
		gsize n = MIN(count, (guint64)G_MAXSSIZE / 2);
		gssize rc = g_input_stream_skip(self->base, n, cancellable, error);
		if (rc < 0)
			return FALSE;
		if (rc == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "sparse file truncated at 0x%" G_GINT64_MODIFIER "x",
				    self->base_pos);
			return FALSE;
		}
		self->base_pos += rc;
		count -= rc;
	}
	return TRUE;
}

static gboolean
ub_sparse_reader_read_header(UbSparseReader *self, GCancellable *cancellable, GError **error)
{
	guint8 buf[UB_SPARSE_HEADER_SIZE] = {0};
	if (!ub_sparse_reader_read_all(self, buf, sizeof(buf), cancellable, error))
		return FALSE;
	if (!ub_sparse_header_parse(buf, sizeof(buf), &self->hdr, error))
		return FALSE;
	return ub_sparse_reader_skip_all(self,
					 self->hdr.file_hdr_sz - UB_SPARSE_HEADER_SIZE,
					 cancellable,
					 error);
}

/* reads chunk headers up to the next chunk with output (CRC32 chunks are checked on the
 * way); sets *done when all chunks were read */
static gboolean
ub_sparse_reader_next_chunk(UbSparseReader *self,
			    UbSparseChunk *out,
			    gboolean *done,
			    GCancellable *cancellable,
			    GError **error)
{
	*done = FALSE;
	while (self->chunk_idx < self->hdr.total_chunks) {
		guint8 buf[UB_SPARSE_CHUNK_HEADER_SIZE] = {0};
		guint8 val[4] = {0};
		UbSparseChunkHeader chk = {0};
		guint32 idx = self->chunk_idx;
		guint64 chunk_offset = self->base_pos;

		if (!ub_sparse_reader_read_all(self, buf, sizeof(buf), cancellable, error))
			return FALSE;
		if (!ub_sparse_chunk_header_parse(buf, sizeof(buf), 0, &self->hdr, &chk, error)) {
			g_prefix_error(error,
				       "chunk %u at 0x%" G_GINT64_MODIFIER "x: ",
				       idx,
				       chunk_offset);
			return FALSE;
		}
		if (!ub_sparse_reader_skip_all(self,
					       self->hdr.chunk_hdr_sz - UB_SPARSE_CHUNK_HEADER_SIZE,
					       cancellable,
					       error))
			return FALSE;
		self->chunk_idx++;
		if (chk.chunk_type == UB_SPARSE_CHUNK_TYPE_CRC32) {
			guint32 stored;
			if (!ub_sparse_reader_read_all(self, val, sizeof(val), cancellable, error))
				return FALSE;
			stored = ub_mem_read_u32_le(val, 0);
			if ((self->flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC) && stored != self->crc) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "chunk %u: CRC32 0x%08x does not match the data, "
					    "computed 0x%08x",
					    idx,
					    stored,
					    self->crc);
				return FALSE;
			}
			continue;
		}
		if (chk.chunk_sz > (guint64)self->hdr.total_blks - self->cur_block) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "chunk %u: %u blocks at block %" G_GUINT64_FORMAT
				    " run past total_blks %u",
				    idx,
				    chk.chunk_sz,
				    self->cur_block,
				    self->hdr.total_blks);
			return FALSE;
		}
		if (chk.chunk_type == UB_SPARSE_CHUNK_TYPE_FILL) {
			if (!ub_sparse_reader_read_all(self, val, sizeof(val), cancellable, error))
				return FALSE;
			memcpy(self->fill, val, sizeof(self->fill));
		} else {
			memset(self->fill, 0, sizeof(self->fill));
		}
		out->type = chk.chunk_type;
		out->block = self->cur_block;
		out->n_blocks = chk.chunk_sz;
		out->fill = ub_mem_read_u32_le(self->fill, 0);
		out->src_offset = chk.chunk_type == UB_SPARSE_CHUNK_TYPE_RAW ? self->base_pos : 0;
		out->src_size = chk.chunk_type == UB_SPARSE_CHUNK_TYPE_RAW
				    ? (guint64)chk.chunk_sz * self->hdr.blk_sz
				    : 0;
		self->cur_type = chk.chunk_type;
		self->cur_block += chk.chunk_sz;
		self->remaining = (guint64)chk.chunk_sz * self->hdr.blk_sz;
		if ((self->flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC) &&
		    chk.chunk_type != UB_SPARSE_CHUNK_TYPE_RAW) {
			self->crc = ub_sparse_crc32_repeat(self->crc, out->fill, self->remaining / 4);
		}
		return TRUE;
	}
	if (self->cur_block != self->hdr.total_blks) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "sparse chunks cover %" G_GUINT64_FORMAT " blocks, header says %u",
			    self->cur_block,
			    self->hdr.total_blks);
		return FALSE;
	}
	self->finished = TRUE;
	*done = TRUE;
	return TRUE;
}

static gssize
ub_sparse_reader_read_fn(GInputStream *stream,
			 void *buffer,
			 gsize count,
			 GCancellable *cancellable,
			 GError **error)
{
	UbSparseReader *self = UB_SPARSE_READER(stream);
	guint8 *buf = buffer;
	gsize n;

	if (self->error != NULL) {
		g_propagate_error(error, g_error_copy(self->error));
		return -1;
	}
	if (count == 0)
		return 0;
	while (self->remaining == 0) {
		UbSparseChunk chk = {0};
		gboolean done = FALSE;
		g_autoptr(GError) error_local = NULL;
		if (self->finished)
			return 0;
		if (!ub_sparse_reader_next_chunk(self, &chk, &done, cancellable, &error_local)) {
			/* a cancelled read can be retried; anything else sticks */
			if (!g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
				self->error = g_error_copy(error_local);
			g_propagate_error(error, g_steal_pointer(&error_local));
			return -1;
		}
		if (done)
			return 0;
	}
	n = MIN(count, self->remaining);
	switch (self->cur_type) {
	case UB_SPARSE_CHUNK_TYPE_RAW: {
		gssize rc = g_input_stream_read(self->base, buf, n, cancellable, error);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			g_set_error(&self->error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "sparse file truncated at 0x%" G_GINT64_MODIFIER "x",
				    self->base_pos);
			g_propagate_error(error, g_error_copy(self->error));
			return -1;
		}
		n = rc;
		self->base_pos += n;
		if (self->flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC)
			self->crc = ub_crc32_update(self->crc, buf, n);
		break;
	}
	case UB_SPARSE_CHUNK_TYPE_FILL: {
		/* chunks are whole blocks, blocks whole words: the phase follows remaining */
		guint phase = (4 - self->remaining % 4) % 4;
		for (gsize i = 0; i < n; i++)
			buf[i] = self->fill[(phase + i) % 4];
		break;
	}
	case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
	default:
		memset(buf, 0, n);
		break;
	}
	self->remaining -= n;
	return n;
}

static gboolean
ub_sparse_reader_close_fn(GInputStream *stream, GCancellable *cancellable, GError **error)
{
	UbSparseReader *self = UB_SPARSE_READER(stream);
	if (!self->close_base || self->base == NULL)
		return TRUE;
	return g_input_stream_close(self->base, cancellable, error);
}

/**
 * ub_sparse_reader_new:
 * @base: a stream positioned at the start of a sparse file
 * @flags: %UB_SPARSE_PARSE_FLAG_VERIFY_CRC to check CRC32 chunks while reading
 * @cancellable: (nullable): optional #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Reads and checks the file header, then returns a stream of the expanded image:
 * ub_sparse_reader_get_size() bytes, DONT_CARE runs as zeros. A read fails with
 * %UB_ERROR_INVALID_DATA at the first malformed chunk, a truncated file, chunks not adding
 * up to total_blks or a wrong CRC32 chunk. Closing it closes @base unless
 * ub_sparse_reader_set_close_base() said otherwise.
 *
 * Returns: (transfer full): a new #UbSparseReader, or %NULL on error
 */
UbSparseReader *
ub_sparse_reader_new(GInputStream *base,
		     UbSparseParseFlags flags,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(UbSparseReader) self = NULL;

	g_return_val_if_fail(G_IS_INPUT_STREAM(base), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	self = g_object_new(UB_TYPE_SPARSE_READER, NULL);
	self->base = g_object_ref(base);
	self->flags = flags;
	if (!ub_sparse_reader_read_header(self, cancellable, error)) {
		/* nothing to close yet: do not close a stream the caller still owns */
		self->close_base = FALSE;
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * ub_sparse_reader_set_close_base:
 * @self: a #UbSparseReader
 * @close_base: whether closing @self closes the base stream (default %TRUE)
 */
void
ub_sparse_reader_set_close_base(UbSparseReader *self, gboolean close_base)
{
	g_return_if_fail(UB_IS_SPARSE_READER(self));
	self->close_base = close_base;
}

/**
 * ub_sparse_reader_get_header:
 * @self: a #UbSparseReader
 *
 * Returns: (transfer none): the file header
 */
const UbSparseHeader *
ub_sparse_reader_get_header(UbSparseReader *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_READER(self), NULL);
	return &self->hdr;
}

/**
 * ub_sparse_reader_get_size:
 * @self: a #UbSparseReader
 *
 * Returns: the size of the expanded image in bytes
 */
guint64
ub_sparse_reader_get_size(UbSparseReader *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_READER(self), 0);
	return (guint64)self->hdr.total_blks * self->hdr.blk_sz;
}

static gboolean
ub_sparse_reader_scan_raw(UbSparseReader *self,
			  guint8 *buf,
			  GCancellable *cancellable,
			  GError **error)
{
	if ((self->flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC) == 0) {
		if (!ub_sparse_reader_skip_all(self, self->remaining, cancellable, error))
			return FALSE;
		self->remaining = 0;
		return TRUE;
	}
	while (self->remaining > 0) {
		gsize n = MIN(self->remaining, UB_SPARSE_READER_SCAN_BUFSZ);
		if (!ub_sparse_reader_read_all(self, buf, n, cancellable, error))
			return FALSE;
		self->crc = ub_crc32_update(self->crc, buf, n);
		self->remaining -= n;
	}
	return TRUE;
}

/**
 * ub_sparse_reader_scan:
 * @stream: a stream positioned at the start of a sparse file
 * @flags: %UB_SPARSE_PARSE_FLAG_VERIFY_CRC to check CRC32 chunks (reads all RAW data;
 *   without it RAW data is skipped)
 * @cancellable: (nullable): optional #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Validates a sparse file in one forward pass without expanding it (the pre-flight
 * check): header sane, every chunk well-formed and present, chunks adding up to
 * total_blks, CRC32 chunks right. @stream is consumed, not closed.
 *
 * Returns: (transfer full): the layout, RAW runs pointing at offsets in @stream, or %NULL
 */
UbSparseImage *
ub_sparse_reader_scan(GInputStream *stream,
		      UbSparseParseFlags flags,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(UbSparseReader) self = NULL;
	g_autoptr(UbSparseImage) layout = NULL;
	g_autofree guint8 *buf = NULL;

	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	self = ub_sparse_reader_new(stream, flags, cancellable, error);
	if (self == NULL)
		return NULL;
	self->close_base = FALSE;
	layout = ub_sparse_image_new(self->hdr.blk_sz);
	if (flags & UB_SPARSE_PARSE_FLAG_VERIFY_CRC)
		buf = g_malloc(UB_SPARSE_READER_SCAN_BUFSZ);
	for (;;) {
		UbSparseChunk chk = {0};
		gboolean done = FALSE;
		if (!ub_sparse_reader_next_chunk(self, &chk, &done, cancellable, error))
			return NULL;
		if (done)
			break;
		if (chk.type == UB_SPARSE_CHUNK_TYPE_RAW) {
			if (!ub_sparse_reader_scan_raw(self, buf, cancellable, error))
				return NULL;
		}
		self->remaining = 0;
		if (!ub_sparse_image_add_chunk(layout, &chk, error))
			return NULL;
	}
	return g_steal_pointer(&layout);
}

static void
ub_sparse_reader_finalize(GObject *object)
{
	UbSparseReader *self = UB_SPARSE_READER(object);
	g_clear_error(&self->error);
	G_OBJECT_CLASS(ub_sparse_reader_parent_class)->finalize(object);
}

static void
ub_sparse_reader_dispose(GObject *object)
{
	UbSparseReader *self = UB_SPARSE_READER(object);
	/* the parent's dispose closes the stream, which may close base: base goes after */
	G_OBJECT_CLASS(ub_sparse_reader_parent_class)->dispose(object);
	g_clear_object(&self->base);
}

static void
ub_sparse_reader_class_init(UbSparseReaderClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS(klass);
	object_class->dispose = ub_sparse_reader_dispose;
	object_class->finalize = ub_sparse_reader_finalize;
	stream_class->read_fn = ub_sparse_reader_read_fn;
	stream_class->close_fn = ub_sparse_reader_close_fn;
}

static void
ub_sparse_reader_init(UbSparseReader *self)
{
	self->close_base = TRUE;
}
