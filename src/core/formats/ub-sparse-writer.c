/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gfiledescriptorbased.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#endif

#include "formats/ub-sparse-writer.h"
#include "ub-crc.h"
#include "ub-error.h"
#include "ub-mem.h"

/*
 * Raw -> sparse in two forward passes, as img2simg does: ub_sparse_writer_scan_raw()
 * classifies every block (memory: one entry per run of RAW/FILL/DONT_CARE blocks, never
 * the data), then UbSparseWriter is a GInputStream producing the sparse file for a layout
 * by reading the RAW runs again from a second stream of the same source. The size of the
 * output is known before the first byte (ub_sparse_writer_get_size()), which a fastboot
 * "download:%08x" needs. The same writer renders the splitter's pieces.
 */

#define UB_SPARSE_WRITER_SCAN_BUFSZ (1024 * 1024)
/* bytes of a local file mapped at once by the scan, instead of read into the buffer */
#define UB_SPARSE_WRITER_SCAN_MAPSZ (8 * 1024 * 1024)

struct _UbSparseWriter {
	GInputStream parent_instance;
	UbSparseImage *layout;
	GInputStream *source;
	UbSparseWriterFlags flags;
	guint32 blk_sz;
	guint64 max_raw_blocks; /* per RAW chunk, so that total_sz fits 32 bits */
	guint64 size;		/* bytes of output */
	gboolean started;	/* header queued */
	gboolean finished;	/* everything queued */
	guint chunk_idx;	/* next layout run */
	guint8 small[32];	/* queued header bytes */
	gsize small_len;
	gsize small_pos;
	guint64 raw_blocks_left; /* of the RAW run being written, in further chunks */
	guint64 raw_src_left;	 /* source bytes of that run not yet queued */
	guint64 src_pos;	 /* bytes consumed from source */
	guint64 src_want;	 /* where the next data comes from */
	guint64 data_left;	 /* source bytes to copy in the current chunk */
	guint64 pad_left;	 /* zeros after them (partial last block) */
	guint32 crc;
	gboolean crc_queued;
	GError *error; /* sticky */
};

G_DEFINE_TYPE(UbSparseWriter, ub_sparse_writer, G_TYPE_INPUT_STREAM)

/* fills buf from the stream; fewer bytes only at the end of the stream */
static gboolean
ub_sparse_writer_read_full(GInputStream *stream,
			   guint8 *buf,
			   gsize bufsz,
			   gsize *done,
			   GCancellable *cancellable,
			   GError **error)
{
	*done = 0;
	while (*done < bufsz) {
		gssize rc = g_input_stream_read(stream, buf + *done, bufsz - *done, cancellable, error);
		if (rc < 0)
			return FALSE;
		if (rc == 0)
			break;
		*done += rc;
	}
	return TRUE;
}

/* every 32-bit word of the block equal to the first */
static gboolean
ub_sparse_writer_block_is_uniform(const guint8 *buf, gsize blk_sz)
{
	return memcmp(buf, buf + 4, blk_sz - 4) == 0;
}

/* for a file with holes: how many whole blocks from offset on are a hole (read as zeros,
 * so classified without reading), and how far the data after them goes; only for streams
 * on a file descriptor whose position is the stream position (local files) */
static void
ub_sparse_writer_find_hole(GInputStream *raw,
			   guint64 offset,
			   guint32 blk_sz,
			   guint64 *hole_blocks,
			   guint64 *data_len)
{
	*hole_blocks = 0;
	*data_len = G_MAXUINT64;
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
	if (G_IS_FILE_DESCRIPTOR_BASED(raw) && G_IS_SEEKABLE(raw) &&
	    g_seekable_can_seek(G_SEEKABLE(raw))) {
		gint fd = g_file_descriptor_based_get_fd(G_FILE_DESCRIPTOR_BASED(raw));
		struct stat st = {0};
		off_t data;
		off_t hole;
		guint64 data_start;

		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (guint64)st.st_size <= offset)
			return;
		data = lseek(fd, (off_t)offset, SEEK_DATA);
		if (data < 0 && errno != ENXIO)
			return;
		/* ENXIO: a hole up to the end of the file */
		data_start = data < 0 ? (guint64)st.st_size : (guint64)data;
		*hole_blocks = (data_start - offset) / blk_sz;
		hole = lseek(fd, (off_t)(offset + *hole_blocks * blk_sz), SEEK_HOLE);
		if (hole >= 0)
			*data_len = (guint64)hole - (offset + *hole_blocks * blk_sz);
		/* the stream reads from the fd position: put it where the caller goes on */
		(void)lseek(fd, (off_t)(offset + *hole_blocks * blk_sz), SEEK_SET);
	}
#endif
}

/* adds the blocks of buf (the last one may be partial), which starts at offset */
static gboolean
ub_sparse_writer_classify(UbSparseImage *layout,
			  const guint8 *buf,
			  gsize bufsz,
			  guint64 offset,
			  UbSparseWriterFlags flags,
			  GError **error)
{
	guint32 blk_sz = ub_sparse_image_get_block_size(layout);

	for (gsize pos = 0; pos < bufsz; pos += blk_sz) {
		const guint8 *blk = buf + pos;
		gsize n = MIN(blk_sz, bufsz - pos);
		gboolean ok;
		if (n == blk_sz && ub_sparse_writer_block_is_uniform(blk, blk_sz)) {
			guint32 fill = ub_mem_read_u32_le(blk, 0);
			if (fill == 0 && (flags & UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE))
				ok = ub_sparse_image_add_dont_care(layout, 1, error);
			else
				ok = ub_sparse_image_add_fill(layout, 1, fill, error);
		} else {
			ok = ub_sparse_image_add_raw(layout, 1, offset + pos, n, error);
		}
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/*
 * for a stream reading straight from a local regular file (its position is the file
 * position, which need not be its offset, and no buffer in between): classifies up to the next hole (at most
 * UB_SPARSE_WRITER_SCAN_MAPSZ) through a read-only mapping instead of reading it,
 * which saves copying every byte once (most blocks of a random image are told RAW by
 * their first two words), then leaves the stream position after what it looked at.
 * *mapped is FALSE when it cannot map or is at the end of the file (the caller reads
 * instead); otherwise *want and *done are the bytes asked for and found (fewer at the
 * end of the file).
 */
static gboolean
ub_sparse_writer_scan_mapped(GInputStream *raw,
			     UbSparseImage *layout,
			     guint64 *offset,
			     guint64 data_len,
			     UbSparseWriterFlags flags,
			     gsize *want,
			     gsize *done,
			     gboolean *mapped,
			     GError **error)
{
#ifdef G_OS_UNIX
	guint32 blk_sz = ub_sparse_image_get_block_size(layout);
	guint64 page = (guint64)sysconf(_SC_PAGESIZE);
	struct stat st = {0};
	gsize ask;
	gsize len;
	guint64 map_start;
	gsize map_len;
	off_t pos;
	gint fd;
	gpointer map;
	gboolean ok;

	*mapped = FALSE;
	if (!G_IS_FILE_DESCRIPTOR_BASED(raw) || page == 0 || page > G_MAXUINT32)
		return TRUE;
	fd = g_file_descriptor_based_get_fd(G_FILE_DESCRIPTOR_BASED(raw));
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return TRUE;
	/* the stream may start anywhere in the file (a view): offset is where it stands */
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0)
		return TRUE;

	/* whole blocks up to the next hole, as the read path asks for */
	ask = MAX(blk_sz, UB_SPARSE_WRITER_SCAN_MAPSZ / blk_sz * blk_sz);
	if (data_len < ask)
		ask = MAX(blk_sz, (data_len + blk_sz - 1) / blk_sz * blk_sz);
	/* never map past the end of the file (touching that page is SIGBUS); the read path
	 * finds the end, or data a size of zero does not tell */
	if (st.st_size <= pos)
		return TRUE;
	len = (gsize)MIN((guint64)ask, (guint64)(st.st_size - pos));

	map_start = (guint64)pos / page * page;
	map_len = (gsize)((guint64)pos - map_start) + len;
	map = mmap(NULL, map_len, PROT_READ, MAP_SHARED, fd, (off_t)map_start);
	if (map == MAP_FAILED)
		return TRUE;
	(void)madvise(map, map_len, MADV_SEQUENTIAL);
	ok = ub_sparse_writer_classify(layout,
				       (const guint8 *)map + ((guint64)pos - map_start),
				       len,
				       *offset,
				       flags,
				       error);
	(void)munmap(map, map_len);
	if (!ok)
		return FALSE;
	*want = ask;
	*done = len;
	*mapped = TRUE;
	*offset += len;
	/* the stream reads from the fd position: leave it where the read path would */
	(void)lseek(fd, pos + (off_t)len, SEEK_SET);
	return TRUE;
#else
	*mapped = FALSE;
	return TRUE;
#endif
}

/**
 * ub_sparse_writer_scan_raw:
 * @raw: a stream of the raw image, read to its end (not closed)
 * @blk_sz: block size, a non-zero multiple of 4, normally 4096
 * @flags: %UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE to leave zero blocks out
 * @cancellable: (nullable): optional #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Classifies the blocks of a raw image like libsparse: a block whose 32-bit words are all
 * equal is FILL (or DONT_CARE for zeros when asked), any other block RAW; a trailing
 * partial block is RAW and is padded with zeros when written, so the sparse image is the
 * raw size rounded up to a whole block (the 4096-alignment fix fastboot.md calls for).
 * Holes of a local file are found with SEEK_DATA/SEEK_HOLE and not read (they are zeros,
 * classified the same way), so a mostly-empty image scans in no time.
 *
 * Returns: (transfer full): the layout, RAW runs pointing at offsets in @raw, or %NULL
 */
UbSparseImage *
ub_sparse_writer_scan_raw(GInputStream *raw,
			  guint32 blk_sz,
			  UbSparseWriterFlags flags,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autoptr(UbSparseImage) layout = NULL;
	g_autofree guint8 *buf = NULL;
	gsize bufsz;
	guint64 offset = 0;

	g_return_val_if_fail(G_IS_INPUT_STREAM(raw), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (blk_sz == 0 || blk_sz % 4 != 0 || blk_sz > UB_SPARSE_WRITER_MAX_BLOCK_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "block size %u is not a multiple of 4 between 4 and %u",
			    blk_sz,
			    (guint)UB_SPARSE_WRITER_MAX_BLOCK_SIZE);
		return NULL;
	}
	layout = ub_sparse_image_new(blk_sz);
	bufsz = MAX(blk_sz, UB_SPARSE_WRITER_SCAN_BUFSZ / blk_sz * blk_sz);
	buf = g_malloc(bufsz);
	for (;;) {
		gsize done = 0;
		gsize want = bufsz;
		guint64 hole_blocks = 0;
		guint64 data_len = G_MAXUINT64;
		gboolean mapped = FALSE;

		ub_sparse_writer_find_hole(raw, offset, blk_sz, &hole_blocks, &data_len);
		if (hole_blocks > 0) {
			gboolean ok;
			if (flags & UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE)
				ok = ub_sparse_image_add_dont_care(layout, hole_blocks, error);
			else
				ok = ub_sparse_image_add_fill(layout, hole_blocks, 0, error);
			if (!ok)
				return NULL;
			offset += hole_blocks * blk_sz;
		}
		/* a local file is looked at in place, a window at a time: no copy */
		if (!ub_sparse_writer_scan_mapped(raw,
						  layout,
						  &offset,
						  data_len,
						  flags,
						  &want,
						  &done,
						  &mapped,
						  error))
			return NULL;
		if (mapped) {
			if (done < want)
				break;
			if (g_cancellable_set_error_if_cancelled(cancellable, error))
				return NULL;
			continue;
		}
		/* read up to the next hole only, in whole blocks */
		if (data_len < want)
			want = MAX(blk_sz, (data_len + blk_sz - 1) / blk_sz * blk_sz);
		if (!ub_sparse_writer_read_full(raw, buf, want, &done, cancellable, error)) {
			g_prefix_error(error,
				       "failed to read the raw image at 0x%" G_GINT64_MODIFIER "x: ",
				       offset);
			return NULL;
		}
		if (!ub_sparse_writer_classify(layout, buf, done, offset, flags, error))
			return NULL;
		offset += done;
		if (done < want)
			break;
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return NULL;
	}
	if (offset == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the raw image is empty");
		return NULL;
	}
	return g_steal_pointer(&layout);
}

static guint64
ub_sparse_writer_count_chunks(UbSparseWriter *self)
{
	guint64 n = 0;
	for (guint i = 0; i < ub_sparse_image_get_n_chunks(self->layout); i++) {
		const UbSparseChunk *chk = ub_sparse_image_get_chunk(self->layout, i);
		if (chk->type == UB_SPARSE_CHUNK_TYPE_RAW)
			n += (chk->n_blocks + self->max_raw_blocks - 1) / self->max_raw_blocks;
		else
			n++;
	}
	if (self->flags & UB_SPARSE_WRITER_FLAG_CRC)
		n++;
	return n;
}

static void
ub_sparse_writer_queue_chunk_header(UbSparseWriter *self,
				    UbSparseChunkType type,
				    guint64 n_blocks,
				    guint64 data_size)
{
	UbSparseChunkHeader chk = {
	    .chunk_type = type,
	    .chunk_sz = (guint32)n_blocks,
	    .total_sz = (guint32)(UB_SPARSE_CHUNK_HEADER_SIZE + data_size),
	};
	ub_sparse_chunk_header_write(&chk, self->small);
	self->small_len = UB_SPARSE_CHUNK_HEADER_SIZE;
	self->small_pos = 0;
}

static void
ub_sparse_writer_queue_u32(UbSparseWriter *self, guint32 val)
{
	ub_mem_write_u32_le(self->small, self->small_len, val);
	self->small_len += sizeof(val);
}

/* the next RAW chunk of the current run: header queued, data and padding pending */
static void
ub_sparse_writer_queue_raw_part(UbSparseWriter *self)
{
	guint64 n_blocks = MIN(self->raw_blocks_left, self->max_raw_blocks);
	guint64 bytes = n_blocks * self->blk_sz;
	ub_sparse_writer_queue_chunk_header(self, UB_SPARSE_CHUNK_TYPE_RAW, n_blocks, bytes);
	self->data_left = MIN(bytes, self->raw_src_left);
	self->pad_left = bytes - self->data_left;
	self->raw_src_left -= self->data_left;
	self->raw_blocks_left -= n_blocks;
}

/* queues what comes next once the pending bytes are out */
static gboolean
ub_sparse_writer_advance(UbSparseWriter *self, GError **error)
{
	const UbSparseChunk *chk;

	if (!self->started) {
		UbSparseHeader hdr = {
		    .major_version = UB_SPARSE_MAJOR_VERSION,
		    .minor_version = 0,
		    .file_hdr_sz = UB_SPARSE_HEADER_SIZE,
		    .chunk_hdr_sz = UB_SPARSE_CHUNK_HEADER_SIZE,
		    .blk_sz = self->blk_sz,
		    .total_blks = (guint32)ub_sparse_image_get_total_blocks(self->layout),
		    .total_chunks = (guint32)ub_sparse_writer_count_chunks(self),
		    .image_checksum = 0,
		};
		ub_sparse_header_write(&hdr, self->small);
		self->small_len = UB_SPARSE_HEADER_SIZE;
		self->small_pos = 0;
		self->started = TRUE;
		return TRUE;
	}
	if (self->raw_blocks_left > 0) {
		ub_sparse_writer_queue_raw_part(self);
		return TRUE;
	}
	chk = ub_sparse_image_get_chunk(self->layout, self->chunk_idx);
	if (chk == NULL) {
		if ((self->flags & UB_SPARSE_WRITER_FLAG_CRC) && !self->crc_queued) {
			ub_sparse_writer_queue_chunk_header(self, UB_SPARSE_CHUNK_TYPE_CRC32, 0, 4);
			ub_sparse_writer_queue_u32(self, self->crc);
			self->crc_queued = TRUE;
			return TRUE;
		}
		self->finished = TRUE;
		return TRUE;
	}
	self->chunk_idx++;
	switch (chk->type) {
	case UB_SPARSE_CHUNK_TYPE_RAW:
		if (chk->src_offset < self->src_want) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INTERNAL,
				    "raw run at source offset 0x%" G_GINT64_MODIFIER
				    "x goes backwards",
				    chk->src_offset);
			return FALSE;
		}
		self->src_want = chk->src_offset;
		self->raw_blocks_left = chk->n_blocks;
		self->raw_src_left = chk->src_size;
		ub_sparse_writer_queue_raw_part(self);
		break;
	case UB_SPARSE_CHUNK_TYPE_FILL:
		ub_sparse_writer_queue_chunk_header(self, UB_SPARSE_CHUNK_TYPE_FILL, chk->n_blocks, 4);
		ub_sparse_writer_queue_u32(self, chk->fill);
		if (self->flags & UB_SPARSE_WRITER_FLAG_CRC)
			self->crc = ub_sparse_crc32_repeat(self->crc,
							   chk->fill,
							   chk->n_blocks * self->blk_sz / 4);
		break;
	case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
		ub_sparse_writer_queue_chunk_header(self,
						    UB_SPARSE_CHUNK_TYPE_DONT_CARE,
						    chk->n_blocks,
						    0);
		if (self->flags & UB_SPARSE_WRITER_FLAG_CRC)
			self->crc =
			    ub_sparse_crc32_repeat(self->crc, 0, chk->n_blocks * self->blk_sz / 4);
		break;
	case UB_SPARSE_CHUNK_TYPE_CRC32:
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INTERNAL,
			    "cannot write a %s run",
			    ub_sparse_chunk_type_to_string(chk->type));
		return FALSE;
	}
	return TRUE;
}

static gssize
ub_sparse_writer_read_data(UbSparseWriter *self,
			   guint8 *buf,
			   gsize count,
			   GCancellable *cancellable,
			   GError **error)
{
	gssize rc;
	gsize n;

	/* forward only: skip to the run, cheap on files (lseek), read through elsewhere */
	while (self->src_pos < self->src_want) {
		rc = g_input_stream_skip(self->source,
					 MIN(self->src_want - self->src_pos, (guint64)G_MAXSSIZE / 2),
					 cancellable,
					 error);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "source ended at 0x%" G_GINT64_MODIFIER "x, before its data at 0x%"
				    G_GINT64_MODIFIER "x",
				    self->src_pos,
				    self->src_want);
			return -1;
		}
		self->src_pos += rc;
	}
	n = MIN(count, self->data_left);
	rc = g_input_stream_read(self->source, buf, n, cancellable, error);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "source ended at 0x%" G_GINT64_MODIFIER "x, in the middle of its data "
			    "(changed since it was scanned?)",
			    self->src_pos);
		return -1;
	}
	self->src_pos += rc;
	self->src_want = self->src_pos;
	self->data_left -= rc;
	if (self->flags & UB_SPARSE_WRITER_FLAG_CRC)
		self->crc = ub_crc32_update(self->crc, buf, rc);
	return rc;
}

static gssize
ub_sparse_writer_read_fn(GInputStream *stream,
			 void *buffer,
			 gsize count,
			 GCancellable *cancellable,
			 GError **error)
{
	UbSparseWriter *self = UB_SPARSE_WRITER(stream);
	guint8 *buf = buffer;
	g_autoptr(GError) error_local = NULL;
	gssize rc;

	if (self->error != NULL) {
		g_propagate_error(error, g_error_copy(self->error));
		return -1;
	}
	if (count == 0)
		return 0;
	while (self->small_pos == self->small_len && self->data_left == 0 && self->pad_left == 0) {
		if (self->finished)
			return 0;
		self->small_len = 0;
		self->small_pos = 0;
		if (!ub_sparse_writer_advance(self, &self->error)) {
			g_propagate_error(error, g_error_copy(self->error));
			return -1;
		}
	}
	if (self->small_pos < self->small_len) {
		gsize n = MIN(count, self->small_len - self->small_pos);
		memcpy(buf, self->small + self->small_pos, n);
		self->small_pos += n;
		return n;
	}
	if (self->data_left > 0) {
		rc = ub_sparse_writer_read_data(self, buf, count, cancellable, &error_local);
		if (rc < 0) {
			if (!g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
				self->error = g_error_copy(error_local);
			g_propagate_error(error, g_steal_pointer(&error_local));
		}
		return rc;
	}
	rc = MIN(count, self->pad_left);
	memset(buf, 0, rc);
	self->pad_left -= rc;
	if (self->flags & UB_SPARSE_WRITER_FLAG_CRC)
		self->crc = ub_crc32_update(self->crc, buf, rc);
	return rc;
}

static gboolean
ub_sparse_writer_close_fn(GInputStream *stream, GCancellable *cancellable, GError **error)
{
	UbSparseWriter *self = UB_SPARSE_WRITER(stream);
	if (self->source == NULL)
		return TRUE;
	return g_input_stream_close(self->source, cancellable, error);
}

/**
 * ub_sparse_writer_new:
 * @layout: what to write: a layout from ub_sparse_writer_scan_raw(), ub_sparse_reader_scan()
 *   or a piece from UbSparseSplitter
 * @source: a new stream of the source @layout was made from, at offset 0; only read
 *   forward, from RAW run to RAW run; closed with the writer
 * @flags: %UB_SPARSE_WRITER_FLAG_CRC for a trailing CRC32 chunk
 * @error: (nullable): optional return location for an error
 *
 * Returns a stream of the sparse file for @layout. Runs are written as they are (libsparse
 * writes one chunk per run too); a RAW run too big for a 32-bit chunk size is cut into
 * several chunks.
 *
 * Returns: (transfer full): a new #UbSparseWriter, or %NULL if @layout cannot be a sparse
 * file (more than 2^32 blocks or chunks)
 */
UbSparseWriter *
ub_sparse_writer_new(UbSparseImage *layout,
		     GInputStream *source,
		     UbSparseWriterFlags flags,
		     GError **error)
{
	g_autoptr(UbSparseWriter) self = NULL;

	g_return_val_if_fail(UB_IS_SPARSE_IMAGE(layout), NULL);
	g_return_val_if_fail(G_IS_INPUT_STREAM(source), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!ub_sparse_image_check_encodable(layout, error))
		return NULL;
	self = g_object_new(UB_TYPE_SPARSE_WRITER, NULL);
	self->layout = g_object_ref(layout);
	self->source = g_object_ref(source);
	self->flags = flags & UB_SPARSE_WRITER_FLAG_CRC;
	self->blk_sz = ub_sparse_image_get_block_size(layout);
	self->max_raw_blocks = (G_MAXUINT32 - UB_SPARSE_CHUNK_HEADER_SIZE) / self->blk_sz;
	self->size = ub_sparse_image_get_encoded_size(layout, flags & UB_SPARSE_WRITER_FLAG_CRC);
	return g_steal_pointer(&self);
}

/**
 * ub_sparse_writer_get_size:
 * @self: a #UbSparseWriter
 *
 * Returns: the number of bytes the stream produces
 */
guint64
ub_sparse_writer_get_size(UbSparseWriter *self)
{
	g_return_val_if_fail(UB_IS_SPARSE_WRITER(self), 0);
	return self->size;
}

static void
ub_sparse_writer_dispose(GObject *object)
{
	UbSparseWriter *self = UB_SPARSE_WRITER(object);
	/* the parent's dispose closes the stream, which closes source: source goes after */
	G_OBJECT_CLASS(ub_sparse_writer_parent_class)->dispose(object);
	g_clear_object(&self->source);
	g_clear_object(&self->layout);
}

static void
ub_sparse_writer_finalize(GObject *object)
{
	UbSparseWriter *self = UB_SPARSE_WRITER(object);
	g_clear_error(&self->error);
	G_OBJECT_CLASS(ub_sparse_writer_parent_class)->finalize(object);
}

static void
ub_sparse_writer_class_init(UbSparseWriterClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS(klass);
	object_class->dispose = ub_sparse_writer_dispose;
	object_class->finalize = ub_sparse_writer_finalize;
	stream_class->read_fn = ub_sparse_writer_read_fn;
	stream_class->close_fn = ub_sparse_writer_close_fn;
}

static void
ub_sparse_writer_init(UbSparseWriter *self)
{
	self->blk_sz = UB_SPARSE_DEFAULT_BLOCK_SIZE;
}
