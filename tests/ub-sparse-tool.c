/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "formats/ub-sparse-image.h"
#include "formats/ub-sparse-reader.h"
#include "formats/ub-sparse-splitter.h"
#include "formats/ub-sparse-writer.h"

/*
 * Test helper for sparse-aosp-test.sh: our streams over files, so that AOSP's
 * img2simg/simg2img/simg2simg can check them. Prints the peak RSS and the throughput
 * of each command on stderr.
 *   gen OUT SIZE SEED             deterministic raw image: random, zero and fill blocks
 *   encode [-z] [-c] IN OUT       raw -> sparse (-z zero blocks as DONT_CARE, -c CRC32)
 *   decode [-c] IN OUT            sparse -> raw, zero blocks left as holes (-c check CRC)
 *   split IN MAX PREFIX           raw or sparse -> PREFIX.0, PREFIX.1, ...
 *   info IN                       chunk count and sizes of a sparse file
 */

#define UB_TOOL_BUFSZ (1024 * 1024)

static void
ub_tool_report(const gchar *what, guint64 bytes, gint64 start_us)
{
	struct rusage ru = {0};
	gdouble secs = (g_get_monotonic_time() - start_us) / 1e6;
	getrusage(RUSAGE_SELF, &ru);
	g_printerr("%s: %" G_GUINT64_FORMAT " bytes in %.3f s (%.0f MiB/s), peak-rss-kib: %ld\n",
		   what,
		   bytes,
		   secs,
		   secs > 0 ? bytes / secs / (1024 * 1024) : 0.0,
		   ru.ru_maxrss);
}

static GInputStream *
ub_tool_open(const gchar *path, GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	return G_INPUT_STREAM(g_file_read(file, NULL, error));
}

static GOutputStream *
ub_tool_create(const gchar *path, GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	return G_OUTPUT_STREAM(
	    g_file_replace(file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error));
}

/* copies in to out; with holes, all-zero 4 KiB blocks are seeked over */
static gboolean
ub_tool_copy(GInputStream *in, GOutputStream *out, gboolean holes, guint64 *total, GError **error)
{
	g_autofree guint8 *buf = g_malloc(UB_TOOL_BUFSZ);
	static const guint8 zero[4096] = {0};
	*total = 0;
	for (;;) {
		gsize done = 0;
		if (!g_input_stream_read_all(in, buf, UB_TOOL_BUFSZ, &done, NULL, error))
			return FALSE;
		if (done == 0)
			break;
		if (!holes) {
			if (!g_output_stream_write_all(out, buf, done, NULL, NULL, error))
				return FALSE;
		}
		for (gsize pos = 0; holes && pos < done; pos += sizeof(zero)) {
			gsize n = MIN(sizeof(zero), done - pos);
			if (n == sizeof(zero) && memcmp(buf + pos, zero, n) == 0) {
				if (!g_seekable_seek(G_SEEKABLE(out), n, G_SEEK_CUR, NULL, error))
					return FALSE;
				continue;
			}
			if (!g_output_stream_write_all(out, buf + pos, n, NULL, NULL, error))
				return FALSE;
		}
		*total += done;
	}
	if (holes && !g_seekable_truncate(G_SEEKABLE(out), *total, NULL, error))
		return FALSE;
	return g_output_stream_close(out, NULL, error);
}

static gboolean
ub_tool_gen(const gchar *path, guint64 size, guint32 seed, GError **error)
{
	g_autoptr(GOutputStream) out = ub_tool_create(path, error);
	g_autofree guint32 *blk = g_new0(guint32, 1024);
	guint64 done = 0;
	guint32 state = seed;
	if (out == NULL)
		return FALSE;
	while (done < size) {
		gsize n = MIN(4096, size - done);
		guint kind;
		state = state * 1103515245 + 12345;
		kind = (state >> 16) % 5;
		for (guint i = 0; i < 1024; i++) {
			if (kind <= 1) {
				state = state * 1103515245 + 12345;
				blk[i] = state;
			} else if (kind == 2) {
				blk[i] = 0;
			} else {
				blk[i] = kind == 3 ? 0xdeadbeef : seed;
			}
		}
		if (!g_output_stream_write_all(out, blk, n, NULL, NULL, error))
			return FALSE;
		done += n;
	}
	return g_output_stream_close(out, NULL, error);
}

static gboolean
ub_tool_encode(const gchar *in_path, const gchar *out_path, UbSparseWriterFlags flags, GError **error)
{
	g_autoptr(GInputStream) pass1 = ub_tool_open(in_path, error);
	g_autoptr(GInputStream) pass2 = NULL;
	g_autoptr(UbSparseImage) layout = NULL;
	g_autoptr(UbSparseWriter) writer = NULL;
	g_autoptr(GOutputStream) out = NULL;
	gint64 start = g_get_monotonic_time();
	guint64 total = 0;

	if (pass1 == NULL)
		return FALSE;
	layout = ub_sparse_writer_scan_raw(pass1, UB_SPARSE_DEFAULT_BLOCK_SIZE, flags, NULL, error);
	if (layout == NULL)
		return FALSE;
	pass2 = ub_tool_open(in_path, error);
	if (pass2 == NULL)
		return FALSE;
	writer = ub_sparse_writer_new(layout, pass2, flags, error);
	if (writer == NULL)
		return FALSE;
	out = ub_tool_create(out_path, error);
	if (out == NULL)
		return FALSE;
	if (!ub_tool_copy(G_INPUT_STREAM(writer), out, FALSE, &total, error))
		return FALSE;
	g_print("runs: %u\n", ub_sparse_image_get_n_chunks(layout));
	ub_tool_report("encode", ub_sparse_image_get_size(layout), start);
	return TRUE;
}

static gboolean
ub_tool_decode(const gchar *in_path, const gchar *out_path, UbSparseParseFlags flags, GError **error)
{
	g_autoptr(GInputStream) in = ub_tool_open(in_path, error);
	g_autoptr(UbSparseReader) reader = NULL;
	g_autoptr(GOutputStream) out = NULL;
	gint64 start = g_get_monotonic_time();
	guint64 total = 0;

	if (in == NULL)
		return FALSE;
	reader = ub_sparse_reader_new(in, flags, NULL, error);
	if (reader == NULL)
		return FALSE;
	out = ub_tool_create(out_path, error);
	if (out == NULL)
		return FALSE;
	if (!ub_tool_copy(G_INPUT_STREAM(reader), out, TRUE, &total, error))
		return FALSE;
	ub_tool_report("decode", total, start);
	return TRUE;
}

static UbSparseImage *
ub_tool_scan(const gchar *path, GError **error)
{
	g_autoptr(GInputStream) in = ub_tool_open(path, error);
	guint8 magic[4] = {0};
	gsize done = 0;
	if (in == NULL)
		return NULL;
	if (!g_input_stream_read_all(in, magic, sizeof(magic), &done, NULL, error))
		return NULL;
	g_clear_object(&in);
	in = ub_tool_open(path, error);
	if (in == NULL)
		return NULL;
	if (ub_sparse_is_sparse(magic, done))
		return ub_sparse_reader_scan(in, UB_SPARSE_PARSE_FLAG_VERIFY_CRC, NULL, error);
	return ub_sparse_writer_scan_raw(in, UB_SPARSE_DEFAULT_BLOCK_SIZE, 0, NULL, error);
}

static gboolean
ub_tool_split(const gchar *in_path, guint64 max_size, const gchar *prefix, GError **error)
{
	g_autoptr(UbSparseImage) layout = ub_tool_scan(in_path, error);
	g_autoptr(UbSparseSplitter) splitter = NULL;
	gint64 start = g_get_monotonic_time();
	guint64 total = 0;

	if (layout == NULL)
		return FALSE;
	splitter = ub_sparse_splitter_new(layout, max_size, error);
	if (splitter == NULL)
		return FALSE;
	for (guint k = 0; k < ub_sparse_splitter_get_n_pieces(splitter); k++) {
		g_autofree gchar *path = g_strdup_printf("%s.%u", prefix, k);
		g_autoptr(GInputStream) src = ub_tool_open(in_path, error);
		g_autoptr(GInputStream) piece = NULL;
		g_autoptr(GOutputStream) out = NULL;
		guint64 n = 0;
		if (src == NULL)
			return FALSE;
		piece = ub_sparse_splitter_open_piece(splitter, k, src, error);
		if (piece == NULL)
			return FALSE;
		out = ub_tool_create(path, error);
		if (out == NULL)
			return FALSE;
		if (!ub_tool_copy(piece, out, FALSE, &n, error))
			return FALSE;
		if (n != ub_sparse_splitter_get_piece_size(splitter, k)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "piece %u size mismatch", k);
			return FALSE;
		}
		total += n;
	}
	g_print("pieces: %u\n", ub_sparse_splitter_get_n_pieces(splitter));
	ub_tool_report("split", total, start);
	return TRUE;
}

static gboolean
ub_tool_info(const gchar *in_path, GError **error)
{
	g_autoptr(UbSparseImage) layout = ub_tool_scan(in_path, error);
	if (layout == NULL)
		return FALSE;
	g_print("runs: %u\nsize: %" G_GUINT64_FORMAT "\ndata: %" G_GUINT64_FORMAT "\n",
		ub_sparse_image_get_n_chunks(layout),
		ub_sparse_image_get_size(layout),
		ub_sparse_image_get_data_size(layout));
	return TRUE;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	gboolean ok = FALSE;
	UbSparseWriterFlags wflags = 0;
	UbSparseParseFlags pflags = 0;
	g_autoptr(GPtrArray) args = g_ptr_array_new();

	for (gint i = 1; i < argc; i++) {
		if (g_strcmp0(argv[i], "-z") == 0)
			wflags |= UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE;
		else if (g_strcmp0(argv[i], "-c") == 0) {
			wflags |= UB_SPARSE_WRITER_FLAG_CRC;
			pflags |= UB_SPARSE_PARSE_FLAG_VERIFY_CRC;
		} else
			g_ptr_array_add(args, argv[i]);
	}
	if (args->len == 4 && g_strcmp0(args->pdata[0], "gen") == 0)
		ok = ub_tool_gen(args->pdata[1],
				 g_ascii_strtoull(args->pdata[2], NULL, 0),
				 (guint32)g_ascii_strtoull(args->pdata[3], NULL, 0),
				 &error);
	else if (args->len == 3 && g_strcmp0(args->pdata[0], "encode") == 0)
		ok = ub_tool_encode(args->pdata[1], args->pdata[2], wflags, &error);
	else if (args->len == 3 && g_strcmp0(args->pdata[0], "decode") == 0)
		ok = ub_tool_decode(args->pdata[1], args->pdata[2], pflags, &error);
	else if (args->len == 4 && g_strcmp0(args->pdata[0], "split") == 0)
		ok = ub_tool_split(args->pdata[1],
				   g_ascii_strtoull(args->pdata[2], NULL, 0),
				   args->pdata[3],
				   &error);
	else if (args->len == 2 && g_strcmp0(args->pdata[0], "info") == 0)
		ok = ub_tool_info(args->pdata[1], &error);
	else {
		g_printerr("usage: ub-sparse-tool gen|encode|decode|split|info ...\n");
		return 2;
	}
	if (!ok) {
		g_printerr("error: %s\n", error->message);
		return 1;
	}
	return 0;
}
