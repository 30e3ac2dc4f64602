/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>

#include "ub-error.h"
#include "ub-package-source-archive.h"

/*
 * A package still in its archive. Nothing is extracted: every open() reads the
 * archive again from the start and hands out a stream that decompresses the
 * one entry on the fly, so memory stays constant whatever the image size.
 *
 * The archive itself comes from a GInputStream: a file, a GBytes, or an entry
 * of another source (image-*.zip inside a factory .zip). A seekable stream lets
 * libarchive read a zip's central directory; a nested one is read as a stream.
 *
 * Entries that could escape the package (absolute paths, "..", links, devices)
 * never resolve: they are skipped and reported by get_warnings().
 */

#define UB_PACKAGE_SOURCE_ARCHIVE_BUFSZ		  (128 * 1024)
#define UB_PACKAGE_SOURCE_ARCHIVE_MAX_SIZE	  (128ull * 1024 * 1024 * 1024)
#define UB_PACKAGE_SOURCE_ARCHIVE_RATIO_FLOOR	  (1024ull * 1024 * 1024)
#define UB_PACKAGE_SOURCE_ARCHIVE_MAX_RATIO	  100
#define UB_PACKAGE_SOURCE_ARCHIVE_MAX_ENTRY_RATIO 4096
#define UB_PACKAGE_SOURCE_ARCHIVE_MAX_ENTRIES	  100000

typedef struct {
	gchar *path;   /* as listed: normalized, top folder stripped */
	guint64 size;  /* uncompressed */
	guint64 index; /* header number in the archive */
} UbPackageSourceArchiveEntry;

struct _UbPackageSourceArchive {
	GObject parent_instance;
	gchar *name;
	gchar *path;		 /* nullable: a file on disk */
	GBytes *blob;		 /* nullable: in memory */
	UbPackageSource *parent; /* nullable: an entry of another source */
	gchar *parent_relpath;
	guint64 archive_size; /* compressed, for the ratio check */
	UbPackageSourceArchiveLimits limits;
	GMutex mutex; /* the listing is made once, from whichever thread asks first */
	gboolean listed;
	GPtrArray *entries; /* of UbPackageSourceArchiveEntry, sorted by path */
	GHashTable *entries_by_path;
	GPtrArray *warnings;
	gchar *top_folder;
};

static void
ub_package_source_archive_iface_init(UbPackageSourceInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbPackageSourceArchive,
			ub_package_source_archive,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_PACKAGE_SOURCE,
					      ub_package_source_archive_iface_init))

static void
ub_package_source_archive_entry_free(UbPackageSourceArchiveEntry *entry)
{
	g_free(entry->path);
	g_free(entry);
}

/* reader: one pass over the archive with libarchive, fed from a GInputStream */

typedef struct {
	struct archive *a;
	GInputStream *stream;
	GCancellable *cancellable; /* of the call in progress, borrowed */
	GError *error;		   /* the first error of a callback */
	guint8 *buf;
	guint64 index; /* headers read so far */
} UbPackageSourceArchiveReader;

static void
ub_package_source_archive_reader_free(UbPackageSourceArchiveReader *reader)
{
	if (reader->a != NULL)
		archive_read_free(reader->a);
	if (reader->stream != NULL)
		g_input_stream_close(reader->stream, NULL, NULL);
	g_clear_object(&reader->stream);
	g_clear_error(&reader->error);
	g_free(reader->buf);
	g_free(reader);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbPackageSourceArchiveReader, ub_package_source_archive_reader_free)

static la_ssize_t
ub_package_source_archive_reader_read_cb(struct archive *a, void *user_data, const void **buffer)
{
	UbPackageSourceArchiveReader *reader = user_data;
	g_autoptr(GError) error_local = NULL;
	gssize n = g_input_stream_read(reader->stream,
				       reader->buf,
				       UB_PACKAGE_SOURCE_ARCHIVE_BUFSZ,
				       reader->cancellable,
				       &error_local);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", error_local->message);
		if (reader->error == NULL)
			reader->error = g_steal_pointer(&error_local);
		return -1;
	}
	*buffer = reader->buf;
	return n;
}

static la_int64_t
ub_package_source_archive_reader_seek_cb(struct archive *a,
					 void *user_data,
					 la_int64_t offset,
					 int whence)
{
	UbPackageSourceArchiveReader *reader = user_data;
	g_autoptr(GError) error_local = NULL;
	GSeekType type;
	switch (whence) {
	case SEEK_SET:
		type = G_SEEK_SET;
		break;
	case SEEK_CUR:
		type = G_SEEK_CUR;
		break;
	case SEEK_END:
		type = G_SEEK_END;
		break;
	default:
		return ARCHIVE_FATAL;
	}
	if (!g_seekable_seek(G_SEEKABLE(reader->stream),
			     offset,
			     type,
			     reader->cancellable,
			     &error_local)) {
		archive_set_error(a, EIO, "%s", error_local->message);
		if (reader->error == NULL)
			reader->error = g_steal_pointer(&error_local);
		return ARCHIVE_FATAL;
	}
	return g_seekable_tell(G_SEEKABLE(reader->stream));
}

static la_int64_t
ub_package_source_archive_reader_skip_cb(struct archive *a, void *user_data, la_int64_t request)
{
	UbPackageSourceArchiveReader *reader = user_data;
	goffset before = g_seekable_tell(G_SEEKABLE(reader->stream));
	/* libarchive reads instead when we skip nothing */
	if (request <= 0 ||
	    !g_seekable_seek(G_SEEKABLE(reader->stream), request, G_SEEK_CUR, NULL, NULL))
		return 0;
	return g_seekable_tell(G_SEEKABLE(reader->stream)) - before;
}

/* the first error of a pass: ours from a callback (cancelled, I/O) or libarchive's */
static void
ub_package_source_archive_reader_error(UbPackageSourceArchiveReader *reader, GError **error)
{
	g_autofree gchar *msg = NULL;
	if (reader->error != NULL) {
		g_propagate_error(error, g_steal_pointer(&reader->error));
		ub_error_convert(error);
		return;
	}
	/* libarchive ends some messages with a newline */
	msg = g_strdup(archive_error_string(reader->a));
	g_set_error_literal(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    msg != NULL ? g_strstrip(msg) : "the archive is damaged");
}

static GInputStream *
ub_package_source_archive_open_raw(UbPackageSourceArchive *self,
				   GCancellable *cancellable,
				   GError **error)
{
	if (self->blob != NULL)
		return g_memory_input_stream_new_from_bytes(self->blob);
	if (self->parent != NULL)
		return ub_package_source_open(self->parent, self->parent_relpath, cancellable, error);
	{
		g_autoptr(GFile) file = g_file_new_for_path(self->path);
		GFileInputStream *stream = g_file_read(file, cancellable, error);
		if (stream == NULL) {
			ub_error_convert(error);
			return NULL;
		}
		return G_INPUT_STREAM(stream);
	}
}

static UbPackageSourceArchiveReader *
ub_package_source_archive_reader_new(UbPackageSourceArchive *self,
				     GCancellable *cancellable,
				     GError **error)
{
	g_autoptr(UbPackageSourceArchiveReader) reader = g_new0(UbPackageSourceArchiveReader, 1);
	gint rc;

	reader->stream = ub_package_source_archive_open_raw(self, cancellable, error);
	if (reader->stream == NULL)
		return NULL;
	reader->buf = g_malloc(UB_PACKAGE_SOURCE_ARCHIVE_BUFSZ);
	reader->a = archive_read_new();
	if (reader->a == NULL) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INTERNAL, "out of memory");
		return NULL;
	}

	/* only what firmware comes in, and only filters built into the library:
	 * never the external-program fallbacks */
	archive_read_support_format_zip(reader->a);
	archive_read_support_format_tar(reader->a);
	archive_read_support_filter_gzip(reader->a);
	archive_read_support_filter_bzip2(reader->a);
	archive_read_support_filter_xz(reader->a);
	archive_read_support_filter_zstd(reader->a);

	archive_read_set_callback_data(reader->a, reader);
	archive_read_set_read_callback(reader->a, ub_package_source_archive_reader_read_cb);
	if (G_IS_SEEKABLE(reader->stream) && g_seekable_can_seek(G_SEEKABLE(reader->stream))) {
		archive_read_set_seek_callback(reader->a,
					       ub_package_source_archive_reader_seek_cb);
		archive_read_set_skip_callback(reader->a,
					       ub_package_source_archive_reader_skip_cb);
	}
	reader->cancellable = cancellable;
	rc = archive_read_open1(reader->a);
	reader->cancellable = NULL;
	if (rc != ARCHIVE_OK) {
		ub_package_source_archive_reader_error(reader, error);
		return NULL;
	}
	return g_steal_pointer(&reader);
}

/* the next header, or NULL in @entry at the end */
static gboolean
ub_package_source_archive_reader_next(UbPackageSourceArchiveReader *reader,
				      struct archive_entry **entry,
				      GCancellable *cancellable,
				      GError **error)
{
	gint rc;
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return FALSE;
	reader->cancellable = cancellable;
	rc = archive_read_next_header(reader->a, entry);
	reader->cancellable = NULL;
	if (rc == ARCHIVE_EOF) {
		*entry = NULL;
		return TRUE;
	}
	/* WARN: e.g. a name not in the locale's charset; the entry is still usable */
	if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
		ub_package_source_archive_reader_error(reader, error);
		return FALSE;
	}
	reader->index++;
	return TRUE;
}

/* the stream handed out by open() */

#define UB_TYPE_PACKAGE_SOURCE_ARCHIVE_STREAM (ub_package_source_archive_stream_get_type())
G_DECLARE_FINAL_TYPE(UbPackageSourceArchiveStream,
		     ub_package_source_archive_stream,
		     UB,
		     PACKAGE_SOURCE_ARCHIVE_STREAM,
		     GInputStream)

struct _UbPackageSourceArchiveStream {
	GInputStream parent_instance;
	UbPackageSourceArchiveReader *reader;
	gchar *relpath;
	guint64 size; /* what the listing announced */
	guint64 done;
	guint64 consumed_start; /* compressed bytes read before this entry */
	UbPackageSourceArchiveLimits limits;
};

G_DEFINE_FINAL_TYPE(UbPackageSourceArchiveStream,
		    ub_package_source_archive_stream,
		    G_TYPE_INPUT_STREAM)

static gboolean
ub_package_source_archive_check_entry_ratio(UbPackageSourceArchiveReader *reader,
					    const UbPackageSourceArchiveLimits *limits,
					    const gchar *relpath,
					    guint64 done,
					    guint64 consumed_start,
					    GError **error)
{
	guint64 consumed;
	la_int64_t pos;
	if (done <= limits->ratio_floor)
		return TRUE;
	pos = archive_filter_bytes(reader->a, -1);
	consumed = pos > 0 && (guint64)pos > consumed_start ? (guint64)pos - consumed_start : 0;
	if (consumed == 0 || done / consumed > limits->max_entry_ratio) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s expands more than %" G_GUINT64_FORMAT
			    " times (%" G_GUINT64_FORMAT " bytes from %" G_GUINT64_FORMAT
			    "): refusing a likely decompression bomb",
			    relpath,
			    limits->max_entry_ratio,
			    done,
			    consumed);
		return FALSE;
	}
	return TRUE;
}

static gssize
ub_package_source_archive_stream_read(GInputStream *stream,
				      void *buffer,
				      gsize count,
				      GCancellable *cancellable,
				      GError **error)
{
	UbPackageSourceArchiveStream *self = UB_PACKAGE_SOURCE_ARCHIVE_STREAM(stream);
	la_ssize_t n;

	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return -1;
	self->reader->cancellable = cancellable;
	n = archive_read_data(self->reader->a, buffer, MIN(count, G_MAXSSIZE));
	self->reader->cancellable = NULL;
	if (n < 0) {
		ub_package_source_archive_reader_error(self->reader, error);
		g_prefix_error(error, "failed to decompress %s: ", self->relpath);
		return -1;
	}
	if (n == 0) {
		if (self->done != self->size) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s ends after %" G_GUINT64_FORMAT
				    " bytes but the archive says %" G_GUINT64_FORMAT,
				    self->relpath,
				    self->done,
				    self->size);
			return -1;
		}
		return 0;
	}
	/* a header that lies is caught before the extra data goes anywhere */
	if ((guint64)n > self->size - self->done) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s holds more than the %" G_GUINT64_FORMAT
			    " bytes the archive says: the archive is damaged or forged",
			    self->relpath,
			    self->size);
		return -1;
	}
	self->done += (guint64)n;
	if (!ub_package_source_archive_check_entry_ratio(self->reader,
							 &self->limits,
							 self->relpath,
							 self->done,
							 self->consumed_start,
							 error))
		return -1;
	return n;
}

static gboolean
ub_package_source_archive_stream_close(GInputStream *stream,
				       GCancellable *cancellable,
				       GError **error)
{
	UbPackageSourceArchiveStream *self = UB_PACKAGE_SOURCE_ARCHIVE_STREAM(stream);
	g_clear_pointer(&self->reader, ub_package_source_archive_reader_free);
	return TRUE;
}

static void
ub_package_source_archive_stream_finalize(GObject *object)
{
	UbPackageSourceArchiveStream *self = UB_PACKAGE_SOURCE_ARCHIVE_STREAM(object);
	g_clear_pointer(&self->reader, ub_package_source_archive_reader_free);
	g_free(self->relpath);
	G_OBJECT_CLASS(ub_package_source_archive_stream_parent_class)->finalize(object);
}

static void
ub_package_source_archive_stream_init(UbPackageSourceArchiveStream *self)
{
}

static void
ub_package_source_archive_stream_class_init(UbPackageSourceArchiveStreamClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS(klass);
	object_class->finalize = ub_package_source_archive_stream_finalize;
	stream_class->read_fn = ub_package_source_archive_stream_read;
	stream_class->close_fn = ub_package_source_archive_stream_close;
}

/* listing */

static void
ub_package_source_archive_add_warning(UbPackageSourceArchive *self, const gchar *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void
ub_package_source_archive_add_warning(UbPackageSourceArchive *self, const gchar *fmt, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	va_start(args, fmt);
	msg = g_strdup_vprintf(fmt, args);
	va_end(args);
	g_debug("%s: %s", self->name, msg);
	g_ptr_array_add(self->warnings, g_strdup_printf("%s: %s", self->name, msg));
}

/* a name from the archive as a package path, or NULL with @reason */
static gchar *
ub_package_source_archive_normalize(const gchar *raw, const gchar **reason)
{
	g_autofree gchar *tmp = NULL;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GString) str = g_string_new(NULL);

	*reason = NULL;
	if (raw == NULL || raw[0] == '\0') {
		*reason = "it has no name";
		return NULL;
	}
	if (!g_utf8_validate(raw, -1, NULL)) {
		*reason = "its name is not UTF-8";
		return NULL;
	}
	/* zips made on Windows sometimes use backslashes */
	tmp = g_strdelimit(g_strdup(raw), "\\", '/');
	if (tmp[0] == '/' || (g_ascii_isalpha(tmp[0]) && tmp[1] == ':')) {
		*reason = "it is an absolute path";
		return NULL;
	}
	parts = g_strsplit(tmp, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_strcmp0(parts[i], ".") == 0)
			continue;
		if (g_strcmp0(parts[i], "..") == 0) {
			*reason = "its path leaves the archive (\"..\")";
			return NULL;
		}
		if (str->len > 0)
			g_string_append_c(str, '/');
		g_string_append(str, parts[i]);
	}
	if (str->len == 0)
		return NULL; /* "./": the root itself */
	if (!ub_package_source_path_is_safe(str->str)) {
		*reason = "its name has control characters";
		return NULL;
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static gboolean
ub_package_source_archive_check_total(UbPackageSourceArchive *self,
				      const gchar *relpath,
				      guint64 total,
				      GError **error)
{
	const UbPackageSourceArchiveLimits *limits = &self->limits;
	if (total > limits->max_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s: the content would be more than %" G_GUINT64_FORMAT
			    " bytes uncompressed (at %s): refusing a likely decompression bomb",
			    self->name,
			    limits->max_size,
			    relpath);
		return FALSE;
	}
	if (total > limits->ratio_floor && self->archive_size > 0 &&
	    total / self->archive_size > limits->max_ratio) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s: %" G_GUINT64_FORMAT " bytes would expand to more than %" G_GUINT64_FORMAT
			    " times that (at %s): refusing a likely decompression bomb",
			    self->name,
			    self->archive_size,
			    limits->max_ratio,
			    relpath);
		return FALSE;
	}
	return TRUE;
}

/* an entry with no size in its header (zip data descriptor, read as a stream):
 * read it through to learn the size, within the limits */
static gboolean
ub_package_source_archive_measure(UbPackageSourceArchive *self,
				  UbPackageSourceArchiveReader *reader,
				  const gchar *relpath,
				  guint64 total,
				  guint64 *size,
				  GCancellable *cancellable,
				  GError **error)
{
	g_autofree guint8 *buf = g_malloc(UB_PACKAGE_SOURCE_ARCHIVE_BUFSZ);
	la_int64_t pos = archive_filter_bytes(reader->a, -1);
	guint64 consumed_start = pos > 0 ? (guint64)pos : 0;
	guint64 done = 0;
	g_debug("%s: %s has no size in its header, reading it through", self->name, relpath);
	while (TRUE) {
		la_ssize_t n;
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		reader->cancellable = cancellable;
		n = archive_read_data(reader->a, buf, UB_PACKAGE_SOURCE_ARCHIVE_BUFSZ);
		reader->cancellable = NULL;
		if (n < 0) {
			ub_package_source_archive_reader_error(reader, error);
			g_prefix_error(error, "failed to decompress %s: ", relpath);
			return FALSE;
		}
		if (n == 0)
			break;
		done += (guint64)n;
		if (!ub_package_source_archive_check_total(self, relpath, total + done, error))
			return FALSE;
		if (!ub_package_source_archive_check_entry_ratio(reader,
								 &self->limits,
								 relpath,
								 done,
								 consumed_start,
								 error))
			return FALSE;
	}
	*size = done;
	return TRUE;
}

static gint
ub_package_source_archive_entry_cmp(gconstpointer a, gconstpointer b)
{
	const UbPackageSourceArchiveEntry *ea = *(UbPackageSourceArchiveEntry *const *)a;
	const UbPackageSourceArchiveEntry *eb = *(UbPackageSourceArchiveEntry *const *)b;
	return g_strcmp0(ea->path, eb->path);
}

/* "cereus_global_images_V12/..." for every entry: strip it */
static void
ub_package_source_archive_strip_top_folder(UbPackageSourceArchive *self, GPtrArray *entries)
{
	g_autofree gchar *top = NULL;
	gsize toplen;
	for (guint i = 0; i < entries->len; i++) {
		UbPackageSourceArchiveEntry *entry = g_ptr_array_index(entries, i);
		const gchar *slash = strchr(entry->path, '/');
		if (slash == NULL)
			return;
		if (top == NULL)
			top = g_strndup(entry->path, (gsize)(slash - entry->path) + 1);
		else if (!g_str_has_prefix(entry->path, top))
			return;
	}
	if (top == NULL)
		return;
	toplen = strlen(top);
	for (guint i = 0; i < entries->len; i++) {
		UbPackageSourceArchiveEntry *entry = g_ptr_array_index(entries, i);
		gchar *tmp = g_strdup(entry->path + toplen);
		g_free(entry->path);
		entry->path = tmp;
	}
	top[toplen - 1] = '\0';
	self->top_folder = g_steal_pointer(&top);
}

static gboolean
ub_package_source_archive_scan(UbPackageSourceArchive *self,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(UbPackageSourceArchiveReader) reader = NULL;
	g_autoptr(GPtrArray) entries =
	    g_ptr_array_new_with_free_func((GDestroyNotify)ub_package_source_archive_entry_free);
	g_autoptr(GHashTable) by_path = g_hash_table_new(g_str_hash, g_str_equal);
	guint64 total = 0;

	reader = ub_package_source_archive_reader_new(self, cancellable, error);
	if (reader == NULL)
		return FALSE;
	while (TRUE) {
		struct archive_entry *ae = NULL;
		const gchar *raw;
		const gchar *reason = NULL;
		const gchar *what;
		g_autofree gchar *relpath = NULL;
		guint64 size = 0;
		gboolean skip = FALSE;

		if (!ub_package_source_archive_reader_next(reader, &ae, cancellable, error))
			return FALSE;
		if (ae == NULL)
			break;
		if (reader->index > UB_PACKAGE_SOURCE_ARCHIVE_MAX_ENTRIES) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s has more than %u entries",
				    self->name,
				    (guint)UB_PACKAGE_SOURCE_ARCHIVE_MAX_ENTRIES);
			return FALSE;
		}
		raw = archive_entry_pathname_utf8(ae);
		if (raw == NULL)
			raw = archive_entry_pathname(ae);
		relpath = ub_package_source_archive_normalize(raw, &reason);
		what = relpath != NULL ? relpath : (raw != NULL ? raw : "");

		/* what never becomes a package file, with the reason for the user */
		if (archive_entry_filetype(ae) == AE_IFDIR) {
			skip = TRUE;
		} else if (relpath == NULL && reason == NULL) {
			skip = TRUE;
		} else if (relpath == NULL) {
			ub_package_source_archive_add_warning(self,
							      "skipped \"%s\": %s",
							      raw != NULL ? raw : "",
							      reason);
			skip = TRUE;
		} else if (g_str_has_prefix(relpath, "__MACOSX/")) {
			/* resource forks from the macOS archiver */
			skip = TRUE;
		} else if (archive_entry_hardlink(ae) != NULL) {
			ub_package_source_archive_add_warning(self,
							      "skipped \"%s\": it is a hard link",
							      relpath);
			skip = TRUE;
		} else if (archive_entry_filetype(ae) == AE_IFLNK) {
			ub_package_source_archive_add_warning(self,
							      "skipped \"%s\": it is a symbolic link",
							      relpath);
			skip = TRUE;
		} else if (archive_entry_filetype(ae) != AE_IFREG) {
			ub_package_source_archive_add_warning(self,
							      "skipped \"%s\": it is not a regular file",
							      relpath);
			skip = TRUE;
		} else if (archive_entry_is_encrypted(ae)) {
			ub_package_source_archive_add_warning(self,
							      "skipped \"%s\": it is encrypted",
							      relpath);
			skip = TRUE;
		}

		if (!archive_entry_size_is_set(ae)) {
			/* the data has to be read to know the size; skipped entries too,
			 * they count against the limits */
			if (!ub_package_source_archive_measure(self,
							       reader,
							       what,
							       total,
							       &size,
							       cancellable,
							       error))
				return FALSE;
		} else {
			la_int64_t sz = archive_entry_size(ae);
			size = sz > 0 ? (guint64)sz : 0;
			if (!ub_package_source_archive_check_total(self,
								   what,
								   total + size,
								   error))
				return FALSE;
			reader->cancellable = cancellable;
			if (archive_read_data_skip(reader->a) != ARCHIVE_OK) {
				reader->cancellable = NULL;
				ub_package_source_archive_reader_error(reader, error);
				return FALSE;
			}
			reader->cancellable = NULL;
		}
		total += size;
		if (!ub_package_source_archive_check_total(self,
							   what,
							   total,
							   error))
			return FALSE;
		if (!skip) {
			UbPackageSourceArchiveEntry *entry = g_new0(UbPackageSourceArchiveEntry, 1);
			entry->path = g_steal_pointer(&relpath);
			entry->size = size;
			entry->index = reader->index;
			g_ptr_array_add(entries, entry);
		}
	}

	ub_package_source_archive_strip_top_folder(self, entries);

	/* a name twice (tar --append): the last copy wins, as when extracting */
	for (guint i = 0; i < entries->len; i++) {
		UbPackageSourceArchiveEntry *entry = g_ptr_array_index(entries, i);
		UbPackageSourceArchiveEntry *prev = g_hash_table_lookup(by_path, entry->path);
		if (prev != NULL) {
			ub_package_source_archive_add_warning(self,
							      "\"%s\" is in the archive more than "
							      "once: using the last copy",
							      entry->path);
			prev->size = entry->size;
			prev->index = entry->index;
			g_ptr_array_remove_index(entries, i);
			i--;
			continue;
		}
		g_hash_table_insert(by_path, entry->path, entry);
	}
	g_ptr_array_sort(entries, ub_package_source_archive_entry_cmp);

	self->entries = g_steal_pointer(&entries);
	self->entries_by_path = g_steal_pointer(&by_path);
	return TRUE;
}

static gboolean
ub_package_source_archive_ensure_listed(UbPackageSourceArchive *self,
					GCancellable *cancellable,
					GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->mutex);
	if (self->listed)
		return TRUE;
	g_ptr_array_set_size(self->warnings, 0);
	g_clear_pointer(&self->top_folder, g_free);
	if (!ub_package_source_archive_scan(self, cancellable, error))
		return FALSE;
	self->listed = TRUE;
	return TRUE;
}

static UbPackageSourceArchiveEntry *
ub_package_source_archive_lookup(UbPackageSourceArchive *self, const gchar *relpath, GError **error)
{
	UbPackageSourceArchiveEntry *entry = g_hash_table_lookup(self->entries_by_path, relpath);
	if (entry == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "%s is missing from %s",
			    relpath,
			    self->name);
		return NULL;
	}
	return entry;
}

/* UbPackageSource */

static GPtrArray *
ub_package_source_archive_list(UbPackageSource *source, GCancellable *cancellable, GError **error)
{
	UbPackageSourceArchive *self = UB_PACKAGE_SOURCE_ARCHIVE(source);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	if (!ub_package_source_archive_ensure_listed(self, cancellable, error))
		return NULL;
	for (guint i = 0; i < self->entries->len; i++) {
		UbPackageSourceArchiveEntry *entry = g_ptr_array_index(self->entries, i);
		g_ptr_array_add(files, g_strdup(entry->path));
	}
	return g_steal_pointer(&files);
}

static gboolean
ub_package_source_archive_query_size(UbPackageSource *source,
				     const gchar *relpath,
				     guint64 *size,
				     GCancellable *cancellable,
				     GError **error)
{
	UbPackageSourceArchive *self = UB_PACKAGE_SOURCE_ARCHIVE(source);
	UbPackageSourceArchiveEntry *entry;
	if (!ub_package_source_archive_ensure_listed(self, cancellable, error))
		return FALSE;
	entry = ub_package_source_archive_lookup(self, relpath, error);
	if (entry == NULL)
		return FALSE;
	if (size != NULL)
		*size = entry->size;
	return TRUE;
}

static GInputStream *
ub_package_source_archive_open(UbPackageSource *source,
			       const gchar *relpath,
			       GCancellable *cancellable,
			       GError **error)
{
	UbPackageSourceArchive *self = UB_PACKAGE_SOURCE_ARCHIVE(source);
	UbPackageSourceArchiveEntry *entry;
	g_autoptr(UbPackageSourceArchiveReader) reader = NULL;
	UbPackageSourceArchiveStream *stream;
	la_int64_t pos;

	if (!ub_package_source_archive_ensure_listed(self, cancellable, error))
		return NULL;
	entry = ub_package_source_archive_lookup(self, relpath, error);
	if (entry == NULL)
		return NULL;

	/* read the headers again up to the entry; earlier data is skipped */
	reader = ub_package_source_archive_reader_new(self, cancellable, error);
	if (reader == NULL)
		return NULL;
	while (reader->index < entry->index) {
		struct archive_entry *ae = NULL;
		if (!ub_package_source_archive_reader_next(reader, &ae, cancellable, error))
			return NULL;
		if (ae == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s changed since it was listed: %s is gone",
				    self->name,
				    relpath);
			return NULL;
		}
		if (reader->index == entry->index)
			break;
		reader->cancellable = cancellable;
		if (archive_read_data_skip(reader->a) != ARCHIVE_OK) {
			reader->cancellable = NULL;
			ub_package_source_archive_reader_error(reader, error);
			return NULL;
		}
		reader->cancellable = NULL;
	}

	stream = g_object_new(UB_TYPE_PACKAGE_SOURCE_ARCHIVE_STREAM, NULL);
	pos = archive_filter_bytes(reader->a, -1);
	stream->consumed_start = pos > 0 ? (guint64)pos : 0;
	stream->reader = g_steal_pointer(&reader);
	stream->relpath = g_strdup(relpath);
	stream->size = entry->size;
	stream->limits = self->limits;
	return G_INPUT_STREAM(stream);
}

static const gchar *
ub_package_source_archive_get_name(UbPackageSource *source)
{
	return UB_PACKAGE_SOURCE_ARCHIVE(source)->name;
}

/* public API */

/**
 * ub_package_source_archive_get_limits:
 * @self: a #UbPackageSourceArchive
 * @limits: (out caller-allocates): the decompression bomb limits in use
 */
void
ub_package_source_archive_get_limits(UbPackageSourceArchive *self,
				     UbPackageSourceArchiveLimits *limits)
{
	g_return_if_fail(UB_IS_PACKAGE_SOURCE_ARCHIVE(self));
	g_return_if_fail(limits != NULL);
	*limits = self->limits;
}

/**
 * ub_package_source_archive_set_limits:
 * @self: a #UbPackageSourceArchive
 * @limits: decompression bomb limits, see #UbPackageSourceArchiveLimits
 *
 * Replaces the limits; an existing listing is dropped and made again with them.
 */
void
ub_package_source_archive_set_limits(UbPackageSourceArchive *self,
				     const UbPackageSourceArchiveLimits *limits)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_return_if_fail(UB_IS_PACKAGE_SOURCE_ARCHIVE(self));
	g_return_if_fail(limits != NULL);
	locker = g_mutex_locker_new(&self->mutex);
	self->limits = *limits;
	self->listed = FALSE;
	g_clear_pointer(&self->entries, g_ptr_array_unref);
	g_clear_pointer(&self->entries_by_path, g_hash_table_unref);
}

/**
 * ub_package_source_archive_get_warnings:
 * @self: a #UbPackageSourceArchive
 *
 * What the listing skipped and why: links, absolute paths, "..", encrypted or
 * duplicate entries. Empty until the archive was listed (any list, query_size
 * or open call).
 *
 * Returns: (transfer none) (element-type utf8): messages naming the archive
 */
GPtrArray *
ub_package_source_archive_get_warnings(UbPackageSourceArchive *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE_SOURCE_ARCHIVE(self), NULL);
	return self->warnings;
}

/**
 * ub_package_source_archive_get_top_folder:
 * @self: a #UbPackageSourceArchive
 *
 * Returns: (nullable): the single top folder every entry was in, stripped from
 * the listed paths, or %NULL
 */
const gchar *
ub_package_source_archive_get_top_folder(UbPackageSourceArchive *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE_SOURCE_ARCHIVE(self), NULL);
	return self->top_folder;
}

/* reads the first header so that a file that is no archive fails at once */
static gboolean
ub_package_source_archive_probe(UbPackageSourceArchive *self, GError **error)
{
	struct archive_entry *ae = NULL;
	g_autoptr(UbPackageSourceArchiveReader) reader = NULL;
	reader = ub_package_source_archive_reader_new(self, NULL, error);
	if (reader == NULL ||
	    !ub_package_source_archive_reader_next(reader, &ae, NULL, error)) {
		g_prefix_error(error, "%s is not a readable zip or tar archive: ", self->name);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_package_source_archive_new:
 * @path: a .zip, .tar, .tgz, .tar.gz, .tar.xz or .tar.bz2 file
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): a source reading the archive in place
 */
UbPackageSource *
ub_package_source_archive_new(const gchar *path, GError **error)
{
	g_autoptr(UbPackageSourceArchive) self = NULL;
	g_autoptr(GFile) file = NULL;
	g_autoptr(GFileInfo) info = NULL;

	g_return_val_if_fail(path != NULL, NULL);
	file = g_file_new_for_path(path);
	info = g_file_query_info(file,
				 G_FILE_ATTRIBUTE_STANDARD_SIZE,
				 G_FILE_QUERY_INFO_NONE,
				 NULL,
				 error);
	if (info == NULL) {
		ub_error_convert(error);
		return NULL;
	}
	self = g_object_new(UB_TYPE_PACKAGE_SOURCE_ARCHIVE, NULL);
	self->path = g_strdup(path);
	self->name = g_strdup(path);
	self->archive_size = (guint64)g_file_info_get_size(info);
	if (!ub_package_source_archive_probe(self, error))
		return NULL;
	return UB_PACKAGE_SOURCE(g_steal_pointer(&self));
}

/**
 * ub_package_source_archive_new_for_source:
 * @parent: the source holding the archive
 * @relpath: the archive's path in @parent, e.g. "image-cheetah-tq3a.230805.001.zip"
 * @error: (nullable): return location for a #GError
 *
 * An archive inside another package; every open() streams through @parent.
 *
 * Returns: (transfer full): a source reading the nested archive
 */
UbPackageSource *
ub_package_source_archive_new_for_source(UbPackageSource *parent,
					 const gchar *relpath,
					 GError **error)
{
	g_autoptr(UbPackageSourceArchive) self = NULL;
	guint64 size = 0;

	g_return_val_if_fail(UB_IS_PACKAGE_SOURCE(parent), NULL);
	g_return_val_if_fail(relpath != NULL, NULL);
	if (!ub_package_source_query_size(parent, relpath, &size, NULL, error))
		return NULL;
	self = g_object_new(UB_TYPE_PACKAGE_SOURCE_ARCHIVE, NULL);
	self->parent = g_object_ref(parent);
	self->parent_relpath = g_strdup(relpath);
	self->name = g_strdup_printf("%s/%s", ub_package_source_get_name(parent), relpath);
	self->archive_size = size;
	if (!ub_package_source_archive_probe(self, error))
		return NULL;
	return UB_PACKAGE_SOURCE(g_steal_pointer(&self));
}

/**
 * ub_package_source_archive_new_for_bytes:
 * @blob: the whole archive
 * @name: for messages
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): a source reading the archive from memory
 */
UbPackageSource *
ub_package_source_archive_new_for_bytes(GBytes *blob, const gchar *name, GError **error)
{
	g_autoptr(UbPackageSourceArchive) self = NULL;

	g_return_val_if_fail(blob != NULL, NULL);
	g_return_val_if_fail(name != NULL, NULL);
	self = g_object_new(UB_TYPE_PACKAGE_SOURCE_ARCHIVE, NULL);
	self->blob = g_bytes_ref(blob);
	self->name = g_strdup(name);
	self->archive_size = g_bytes_get_size(blob);
	if (!ub_package_source_archive_probe(self, error))
		return NULL;
	return UB_PACKAGE_SOURCE(g_steal_pointer(&self));
}

static void
ub_package_source_archive_finalize(GObject *object)
{
	UbPackageSourceArchive *self = UB_PACKAGE_SOURCE_ARCHIVE(object);
	g_free(self->name);
	g_free(self->path);
	g_clear_pointer(&self->blob, g_bytes_unref);
	g_clear_object(&self->parent);
	g_free(self->parent_relpath);
	g_clear_pointer(&self->entries, g_ptr_array_unref);
	g_clear_pointer(&self->entries_by_path, g_hash_table_unref);
	g_ptr_array_unref(self->warnings);
	g_free(self->top_folder);
	g_mutex_clear(&self->mutex);
	G_OBJECT_CLASS(ub_package_source_archive_parent_class)->finalize(object);
}

static void
ub_package_source_archive_init(UbPackageSourceArchive *self)
{
	g_mutex_init(&self->mutex);
	self->warnings = g_ptr_array_new_with_free_func(g_free);
	self->limits.max_size = UB_PACKAGE_SOURCE_ARCHIVE_MAX_SIZE;
	self->limits.ratio_floor = UB_PACKAGE_SOURCE_ARCHIVE_RATIO_FLOOR;
	self->limits.max_ratio = UB_PACKAGE_SOURCE_ARCHIVE_MAX_RATIO;
	self->limits.max_entry_ratio = UB_PACKAGE_SOURCE_ARCHIVE_MAX_ENTRY_RATIO;
}

static void
ub_package_source_archive_class_init(UbPackageSourceArchiveClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_package_source_archive_finalize;
}

static void
ub_package_source_archive_iface_init(UbPackageSourceInterface *iface)
{
	iface->list = ub_package_source_archive_list;
	iface->query_size = ub_package_source_archive_query_size;
	iface->open = ub_package_source_archive_open;
	iface->get_name = ub_package_source_archive_get_name;
}
