/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>

#include "formats/ub-package-source-archive.h"
#include "formats/ub-package-source-dir.h"
#include "ub-error.h"
#include "ub-mem.h"

/* every archive is made here at test time with libarchive's writer, except the
 * forged ones (a bomb, a lying header), which are assembled by hand */

typedef enum {
	UB_TEST_KIND_ZIP,
	UB_TEST_KIND_ZIP64,
	UB_TEST_KIND_TGZ,
	UB_TEST_KIND_TAR,
	UB_TEST_KIND_TXZ,
	UB_TEST_KIND_LAST
} UbTestKind;

static const gchar *
ub_test_kind_to_string(UbTestKind kind)
{
	switch (kind) {
	case UB_TEST_KIND_ZIP:
		return "zip";
	case UB_TEST_KIND_ZIP64:
		return "zip64";
	case UB_TEST_KIND_TGZ:
		return "tgz";
	case UB_TEST_KIND_TAR:
		return "tar";
	case UB_TEST_KIND_TXZ:
		return "txz";
	default:
		return NULL;
	}
}

typedef struct {
	const gchar *name;
	const gchar *data;    /* NULL: a directory, or a link when @link is set */
	const gchar *symlink; /* target of a symbolic link */
	const gchar *hardlink;
	GBytes *blob; /* binary data instead of @data */
} UbTestEntry;

static la_ssize_t
ub_test_write_cb(struct archive *a, void *user_data, const void *buf, size_t len)
{
	g_byte_array_append(user_data, buf, (guint)len);
	return (la_ssize_t)len;
}

static struct archive *
ub_test_writer_new(UbTestKind kind)
{
	struct archive *a = archive_write_new();
	/* no padding to 10 KiB blocks: like zip(1) and tar(1) | gzip output */
	g_assert_cmpint(archive_write_set_bytes_in_last_block(a, 1), ==, ARCHIVE_OK);
	switch (kind) {
	case UB_TEST_KIND_ZIP:
		g_assert_cmpint(archive_write_set_format_zip(a), ==, ARCHIVE_OK);
		break;
	case UB_TEST_KIND_ZIP64:
		g_assert_cmpint(archive_write_set_format_zip(a), ==, ARCHIVE_OK);
		g_assert_cmpint(archive_write_set_options(a, "zip:zip64"), ==, ARCHIVE_OK);
		break;
	case UB_TEST_KIND_TGZ:
		g_assert_cmpint(archive_write_set_format_pax_restricted(a), ==, ARCHIVE_OK);
		g_assert_cmpint(archive_write_add_filter_gzip(a), ==, ARCHIVE_OK);
		break;
	case UB_TEST_KIND_TAR:
		g_assert_cmpint(archive_write_set_format_pax_restricted(a), ==, ARCHIVE_OK);
		break;
	case UB_TEST_KIND_TXZ:
		g_assert_cmpint(archive_write_set_format_pax_restricted(a), ==, ARCHIVE_OK);
		g_assert_cmpint(archive_write_add_filter_xz(a), ==, ARCHIVE_OK);
		break;
	default:
		g_assert_not_reached();
	}
	return a;
}

static void
ub_test_write_entry(struct archive *a, const UbTestEntry *te)
{
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, te->name);
	archive_entry_set_mtime(ae, 1700000000, 0);
	if (te->symlink != NULL) {
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_perm(ae, 0777);
		archive_entry_set_symlink(ae, te->symlink);
	} else if (te->hardlink != NULL) {
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_hardlink(ae, te->hardlink);
		archive_entry_set_size(ae, 0);
	} else if (te->blob != NULL) {
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)g_bytes_get_size(te->blob));
	} else if (te->data == NULL) {
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_perm(ae, 0755);
	} else {
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)strlen(te->data));
	}
	g_assert_cmpint(archive_write_header(a, ae), ==, ARCHIVE_OK);
	if (te->blob != NULL) {
		gsize len = g_bytes_get_size(te->blob);
		g_assert_cmpint(archive_write_data(a, g_bytes_get_data(te->blob, NULL), len),
				==,
				(la_ssize_t)len);
	} else if (te->data != NULL && te->data[0] != '\0') {
		gsize len = strlen(te->data);
		g_assert_cmpint(archive_write_data(a, te->data, len), ==, (la_ssize_t)len);
	}
	archive_entry_free(ae);
}

static GBytes *
ub_test_archive_build(UbTestKind kind, const UbTestEntry *entries, guint n)
{
	GByteArray *buf = g_byte_array_new();
	struct archive *a = ub_test_writer_new(kind);
	g_assert_cmpint(archive_write_open(a, buf, NULL, ub_test_write_cb, NULL), ==, ARCHIVE_OK);
	for (guint i = 0; i < n; i++)
		ub_test_write_entry(a, &entries[i]);
	g_assert_cmpint(archive_write_close(a), ==, ARCHIVE_OK);
	archive_write_free(a);
	return g_byte_array_free_to_bytes(buf);
}

static UbPackageSource *
ub_test_source_new(GBytes *blob, const gchar *name)
{
	g_autoptr(GError) error = NULL;
	UbPackageSource *source = ub_package_source_archive_new_for_bytes(blob, name, &error);
	g_assert_no_error(error);
	g_assert_nonnull(source);
	return source;
}

static gchar *
ub_test_list_joined(UbPackageSource *source)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files = ub_package_source_list(source, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(files);
	g_ptr_array_add(files, NULL);
	return g_strjoinv(",", (gchar **)files->pdata);
}

static gchar *
ub_test_load_string(UbPackageSource *source, const gchar *relpath)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = ub_package_source_load(source, relpath, 1024 * 1024, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(blob);
	return g_strndup(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob));
}

static gboolean
ub_test_warnings_contain(UbPackageSource *source, const gchar *needle1, const gchar *needle2)
{
	GPtrArray *warnings = ub_package_source_archive_get_warnings(UB_PACKAGE_SOURCE_ARCHIVE(source));
	for (guint i = 0; i < warnings->len; i++) {
		const gchar *msg = g_ptr_array_index(warnings, i);
		if (strstr(msg, needle1) != NULL && strstr(msg, needle2) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* reads a stream to the end; the byte count is returned even on error */
static gboolean
ub_test_drain(GInputStream *stream, guint64 *total, GError **error)
{
	g_autofree guint8 *buf = g_malloc(1024 * 1024);
	*total = 0;
	while (TRUE) {
		gssize n = g_input_stream_read(stream, buf, 1024 * 1024, NULL, error);
		if (n < 0)
			return FALSE;
		if (n == 0)
			return TRUE;
		*total += (guint64)n;
	}
}

static void
ub_package_source_archive_list_func(void)
{
	g_autofree gchar *longname =
	    g_strdup_printf("rom_V1/images/%s.img", "a_very_long_name_that_needs_a_pax_header_"
						    "because_ustar_only_holds_one_hundred_bytes_"
						    "of_name_in_its_header_block_xxxxxxxx");
	const UbTestEntry entries[] = {
	    {"rom_V1/", NULL},
	    {"rom_V1/flash_all.sh", "fastboot flash boot images/boot.img\n"},
	    {"rom_V1/images/", NULL},
	    {"./rom_V1/images/boot.img", "ANDROID!boot"},
	    {"rom_V1/images/empty.img", ""},
	    {longname, "long"},
	    {"rom_V1/images/dup.img", "first"},
	    {"rom_V1/images/dup.img", "second"},
	};
	for (UbTestKind kind = 0; kind < UB_TEST_KIND_LAST; kind++) {
		g_autoptr(GBytes) blob = ub_test_archive_build(kind, entries, G_N_ELEMENTS(entries));
		g_autoptr(UbPackageSource) source = ub_test_source_new(blob, "rom.archive");
		g_autoptr(GError) error = NULL;
		g_autofree gchar *joined = NULL;
		g_autofree gchar *content = NULL;
		g_autofree gchar *dup = NULL;
		g_autofree gchar *expected = NULL;
		guint64 size = 0;

		g_test_message("%s: %" G_GSIZE_FORMAT " bytes",
			       ub_test_kind_to_string(kind),
			       g_bytes_get_size(blob));
		joined = ub_test_list_joined(source);
		expected = g_strdup_printf("flash_all.sh,images/%s,images/boot.img,"
					   "images/dup.img,images/empty.img",
					   longname + strlen("rom_V1/images/"));
		g_assert_cmpstr(joined, ==, expected);
		g_assert_cmpstr(ub_package_source_archive_get_top_folder(
				    UB_PACKAGE_SOURCE_ARCHIVE(source)),
				==,
				"rom_V1");
		g_assert_true(ub_package_source_query_size(source,
							   "images/boot.img",
							   &size,
							   NULL,
							   &error));
		g_assert_no_error(error);
		g_assert_cmpuint(size, ==, 12);
		content = ub_test_load_string(source, "images/boot.img");
		g_assert_cmpstr(content, ==, "ANDROID!boot");
		g_clear_pointer(&content, g_free);
		content = ub_test_load_string(source, "images/empty.img");
		g_assert_cmpstr(content, ==, "");
		g_clear_pointer(&content, g_free);
		content = ub_test_load_string(source, "flash_all.sh");
		g_assert_cmpstr(content, ==, "fastboot flash boot images/boot.img\n");
		dup = ub_test_load_string(source, "images/dup.img");
		g_assert_cmpstr(dup, ==, "second");
		g_assert_true(ub_test_warnings_contain(source, "images/dup.img", "more than once"));
		g_assert_cmpuint(
		    ub_package_source_archive_get_warnings(UB_PACKAGE_SOURCE_ARCHIVE(source))->len,
		    ==,
		    1);

		/* the top folder is not part of the paths */
		g_assert_false(ub_package_source_query_size(source,
							    "rom_V1/flash_all.sh",
							    &size,
							    NULL,
							    &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_assert_nonnull(strstr(error->message, "rom.archive"));
	}
}

static void
ub_package_source_archive_file_func(void)
{
	const UbTestEntry entries[] = {
	    {"scatter.txt", "- partition_index: SYS0\n"},
	    {"images/boot.img", "boot"},
	};
	g_autoptr(GBytes) blob = ub_test_archive_build(UB_TEST_KIND_ZIP, entries, 2);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-archive-XXXXXX", &error);
	g_autofree gchar *path = g_build_filename(tmpdir, "rom.zip", NULL);
	g_autofree gchar *joined = NULL;
	g_autofree gchar *content = NULL;
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(UbPackageSource) missing = NULL;

	g_assert_no_error(error);
	g_assert_true(g_file_set_contents(path,
					  g_bytes_get_data(blob, NULL),
					  (gssize)g_bytes_get_size(blob),
					  &error));
	source = ub_package_source_archive_new(path, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_package_source_get_name(source), ==, path);
	joined = ub_test_list_joined(source);
	g_assert_cmpstr(joined, ==, "images/boot.img,scatter.txt");
	g_assert_null(ub_package_source_archive_get_top_folder(UB_PACKAGE_SOURCE_ARCHIVE(source)));
	content = ub_test_load_string(source, "images/boot.img");
	g_assert_cmpstr(content, ==, "boot");
	g_unlink(path);

	/* the file is read again for each open: a vanished archive is a clear error */
	g_assert_null(ub_package_source_open(source, "scatter.txt", NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_clear_error(&error);
	missing = ub_package_source_archive_new(path, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(missing);
	g_rmdir(tmpdir);
}

static guint64
ub_test_rss_bytes(void)
{
	g_autofree gchar *status = NULL;
	const gchar *line;
	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
		return 0;
	line = strstr(status, "VmRSS:");
	if (line == NULL)
		return 0;
	return g_ascii_strtoull(line + 6, NULL, 10) * 1024;
}

#define UB_TEST_BIG_SIZE  (256u * 1024 * 1024)
#define UB_TEST_BIG_BLOCK 4096u

static void
ub_test_big_block(guint8 *buf, guint64 block)
{
	/* compressible but not constant, and every block distinct */
	memset(buf, (guint8)(block * 31), UB_TEST_BIG_BLOCK);
	memcpy(buf, &block, sizeof(block));
}

static void
ub_package_source_archive_stream_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmpdir = g_dir_make_tmp("ub-archive-XXXXXX", &error);
	g_autofree gchar *path = g_build_filename(tmpdir, "big.tgz", NULL);
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(GInputStream) stream = NULL;
	g_autofree guint8 *buf = g_malloc(1024 * 1024);
	g_autofree guint8 *expect = g_malloc(UB_TEST_BIG_BLOCK);
	g_autoptr(GTimer) timer = NULL;
	struct archive *a;
	struct archive_entry *ae;
	guint64 rss_before;
	guint64 rss_max = 0;
	guint64 done = 0;
	guint64 size = 0;
	gdouble secs;

	g_assert_no_error(error);

	/* a 256 MiB entry written block by block: never in memory whole */
	a = ub_test_writer_new(UB_TEST_KIND_TGZ);
	g_assert_cmpint(archive_write_set_options(a, "gzip:compression-level=1"), ==, ARCHIVE_OK);
	g_assert_cmpint(archive_write_open_filename(a, path), ==, ARCHIVE_OK);
	ae = archive_entry_new();
	archive_entry_set_pathname(ae, "super.img");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, UB_TEST_BIG_SIZE);
	g_assert_cmpint(archive_write_header(a, ae), ==, ARCHIVE_OK);
	archive_entry_free(ae);
	for (guint64 i = 0; i < UB_TEST_BIG_SIZE / UB_TEST_BIG_BLOCK; i++) {
		ub_test_big_block(expect, i);
		g_assert_cmpint(archive_write_data(a, expect, UB_TEST_BIG_BLOCK),
				==,
				UB_TEST_BIG_BLOCK);
	}
	g_assert_cmpint(archive_write_close(a), ==, ARCHIVE_OK);
	archive_write_free(a);

	source = ub_package_source_archive_new(path, &error);
	g_assert_no_error(error);
	g_assert_true(ub_package_source_query_size(source, "super.img", &size, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(size, ==, UB_TEST_BIG_SIZE);

	rss_before = ub_test_rss_bytes();
	timer = g_timer_new();
	stream = ub_package_source_open(source, "super.img", NULL, &error);
	g_assert_no_error(error);
	while (TRUE) {
		gsize got = 0;
		g_assert_true(
		    g_input_stream_read_all(stream, buf, 1024 * 1024, &got, NULL, &error));
		g_assert_no_error(error);
		for (gsize off = 0; off < got; off += UB_TEST_BIG_BLOCK) {
			ub_test_big_block(expect, (done + off) / UB_TEST_BIG_BLOCK);
			g_assert_cmpmem(buf + off, UB_TEST_BIG_BLOCK, expect, UB_TEST_BIG_BLOCK);
		}
		done += got;
		if (done % (16 * 1024 * 1024) == 0)
			rss_max = MAX(rss_max, ub_test_rss_bytes());
		if (got < 1024 * 1024)
			break;
	}
	secs = g_timer_elapsed(timer, NULL);
	g_assert_cmpuint(done, ==, UB_TEST_BIG_SIZE);
	g_assert_true(g_input_stream_close(stream, NULL, &error));
	g_assert_no_error(error);
	g_test_message("streamed %u MiB in %.2f s (%.0f MiB/s), RSS %" G_GUINT64_FORMAT
		       " KiB before, at most %" G_GUINT64_FORMAT " KiB while streaming",
		       UB_TEST_BIG_SIZE / (1024 * 1024),
		       secs,
		       (UB_TEST_BIG_SIZE / (1024.0 * 1024.0)) / secs,
		       rss_before / 1024,
		       rss_max / 1024);
	/* constant memory: a few buffers, nowhere near the 256 MiB entry */
	g_assert_cmpuint(rss_before, >, 0);
	g_assert_cmpuint(rss_max, <, rss_before + 32 * 1024 * 1024);

	g_unlink(path);
	g_rmdir(tmpdir);
}

/* zeroes the uncompressed size in every local header that has a data
 * descriptor, as Java's ZipOutputStream writes them: read as a stream (nested),
 * the size is only known after the data */
static GBytes *
ub_test_zip_strip_local_sizes(GBytes *blob)
{
	gsize bufsz = g_bytes_get_size(blob);
	g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(blob, NULL), bufsz);
	gsize eocd = 0;
	gsize cd;
	guint n;
	guint stripped = 0;
	for (gsize i = bufsz - 22; i > 0; i--) {
		if (ub_mem_read_u32_le(buf, i) == 0x06054b50) {
			eocd = i;
			break;
		}
	}
	g_assert_cmpuint(eocd, >, 0);
	n = ub_mem_read_u16_le(buf, eocd + 10);
	cd = ub_mem_read_u32_le(buf, eocd + 16);
	for (guint i = 0; i < n; i++) {
		gsize local;
		g_assert_cmpuint(cd + 46, <=, bufsz);
		g_assert_cmpuint(ub_mem_read_u32_le(buf, cd), ==, 0x02014b50);
		local = ub_mem_read_u32_le(buf, cd + 42);
		g_assert_cmpuint(local + 30, <=, bufsz);
		if (buf[local + 6] & 0x08) {
			ub_mem_write_u32_le(buf, local + 22, 0);
			stripped++;
		}
		cd += 46 + ub_mem_read_u16_le(buf, cd + 28) + ub_mem_read_u16_le(buf, cd + 30) +
		      ub_mem_read_u16_le(buf, cd + 32);
	}
	g_assert_cmpuint(stripped, ==, n);
	return g_bytes_new_take(g_steal_pointer(&buf), bufsz);
}

static void
ub_package_source_archive_nested_func(void)
{
	const UbTestEntry inner_entries[] = {
	    {"android-info.txt", "require board=cheetah\n"},
	    {"boot.img", "ANDROID!inner-boot"},
	    {"system.img", "system-image-data"},
	};
	g_autoptr(GBytes) inner_plain = ub_test_archive_build(UB_TEST_KIND_ZIP, inner_entries, 3);
	g_autoptr(GBytes) inner_java = ub_test_zip_strip_local_sizes(inner_plain);
	for (guint i = 0; i < 6; i++) {
		UbTestKind kind = i / 2 == 0 ? UB_TEST_KIND_ZIP
				  : i / 2 == 1 ? UB_TEST_KIND_ZIP64
					       : UB_TEST_KIND_TGZ;
		GBytes *inner = i % 2 == 0 ? inner_plain : inner_java;
		const UbTestEntry outer_entries[] = {
		    {"cheetah-tq3a/flash-all.sh", "fastboot update image-cheetah.zip\n"},
		    {"cheetah-tq3a/image-cheetah.zip", .blob = inner},
		};
		g_autoptr(GBytes) outer = ub_test_archive_build(kind, outer_entries, 2);
		g_autoptr(UbPackageSource) parent = NULL;
		g_autoptr(UbPackageSource) source = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *joined = NULL;
		g_autofree gchar *content = NULL;
		guint64 size = 0;

		parent = ub_test_source_new(outer, "/dl/cheetah-factory");
		source = ub_package_source_archive_new_for_source(parent, "image-cheetah.zip", &error);
		g_assert_no_error(error);
		g_assert_nonnull(source);
		g_assert_cmpstr(ub_package_source_get_name(source),
				==,
				"/dl/cheetah-factory/image-cheetah.zip");
		joined = ub_test_list_joined(source);
		g_assert_cmpstr(joined, ==, "android-info.txt,boot.img,system.img");
		g_assert_true(ub_package_source_query_size(source, "boot.img", &size, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(size, ==, 18);
		content = ub_test_load_string(source, "boot.img");
		g_assert_cmpstr(content, ==, "ANDROID!inner-boot");
		g_clear_pointer(&content, g_free);
		content = ub_test_load_string(source, "system.img");
		g_assert_cmpstr(content, ==, "system-image-data");

		/* a nested path that is no archive, and one that is missing */
		g_clear_object(&source);
		source = ub_package_source_archive_new_for_source(parent, "flash-all.sh", &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(source);
		g_clear_error(&error);
		source = ub_package_source_archive_new_for_source(parent, "image-x.zip", &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_assert_null(source);
	}
}

static void
ub_package_source_archive_unsafe_func(void)
{
	const UbTestEntry entries[] = {
	    {"../evil", "owned"},
	    {"images/../../evil2", "owned"},
	    {"/etc/evil3", "owned"},
	    {"images/link.img", NULL, "/etc/passwd"},
	    {"images/ok.img", "fine"},
	    {"flash.sh", "ok"},
	    {"images/hard.img", NULL, NULL, "images/ok.img"},
	};
	for (UbTestKind kind = 0; kind < UB_TEST_KIND_LAST; kind++) {
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(UbPackageSource) source = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *joined = NULL;
		g_autofree gchar *content = NULL;
		GPtrArray *warnings;
		guint n = G_N_ELEMENTS(entries);

		/* zip has no hard links */
		if (kind == UB_TEST_KIND_ZIP || kind == UB_TEST_KIND_ZIP64)
			n--;
		blob = ub_test_archive_build(kind, entries, n);
		source = ub_test_source_new(blob, "evil.archive");
		joined = ub_test_list_joined(source);
		g_assert_cmpstr(joined, ==, "flash.sh,images/ok.img");
		content = ub_test_load_string(source, "images/ok.img");
		g_assert_cmpstr(content, ==, "fine");

		warnings = ub_package_source_archive_get_warnings(UB_PACKAGE_SOURCE_ARCHIVE(source));
		for (guint i = 0; i < warnings->len; i++)
			g_test_message("%s", (const gchar *)g_ptr_array_index(warnings, i));
		g_assert_cmpuint(warnings->len, ==, n - 2);
		g_assert_true(ub_test_warnings_contain(source, "\"../evil\"", "leaves the archive"));
		g_assert_true(
		    ub_test_warnings_contain(source, "\"images/../../evil2\"", "leaves the archive"));
		g_assert_true(ub_test_warnings_contain(source, "\"/etc/evil3\"", "absolute path"));
		g_assert_true(ub_test_warnings_contain(source, "images/link.img", "symbolic link"));
		g_assert_true(ub_test_warnings_contain(source, "evil.archive", "symbolic link"));
		if (n == G_N_ELEMENTS(entries))
			g_assert_true(ub_test_warnings_contain(source, "images/hard.img", "hard link"));

		/* none of them resolves, whatever way they are asked for */
		g_assert_null(ub_package_source_open(source, "../evil", NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_clear_error(&error);
		g_assert_null(ub_package_source_open(source, "evil", NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_clear_error(&error);
		g_assert_null(ub_package_source_open(source, "etc/evil3", NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_clear_error(&error);
		g_assert_null(ub_package_source_open(source, "images/link.img", NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_clear_error(&error);
		g_assert_null(ub_package_source_open(source, "images/hard.img", NULL, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	}
}

/* a forged tar.gz: one ustar header announcing @size bytes of zeros, made of
 * concatenated gzip members (one per MiB, all identical), so a 1 GiB entry
 * costs ~1 MiB and no compression time */
static void
ub_test_ustar_octal(guint8 *field, gsize len, guint64 value)
{
	g_autofree gchar *str = g_strdup_printf("%0*" G_GINT64_MODIFIER "o", (gint)len - 1, value);
	g_assert_cmpuint(strlen(str), ==, len - 1);
	memcpy(field, str, len);
}

static GBytes *
ub_test_gzip(const guint8 *buf, gsize bufsz)
{
	g_autoptr(GZlibCompressor) compressor =
	    g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
	g_autoptr(GMemoryOutputStream) mem =
	    G_MEMORY_OUTPUT_STREAM(g_memory_output_stream_new_resizable());
	g_autoptr(GOutputStream) out =
	    g_converter_output_stream_new(G_OUTPUT_STREAM(mem), G_CONVERTER(compressor));
	g_autoptr(GError) error = NULL;
	g_assert_true(g_output_stream_write_all(out, buf, bufsz, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, &error));
	g_assert_no_error(error);
	return g_memory_output_stream_steal_as_bytes(mem);
}

static GBytes *
ub_test_tgz_bomb(guint64 mib)
{
	guint8 hdr[512] = {0};
	guint sum = 0;
	g_autofree guint8 *zeros = g_malloc0(1024 * 1024);
	g_autoptr(GBytes) hdr_gz = NULL;
	g_autoptr(GBytes) chunk_gz = NULL;
	g_autoptr(GBytes) trailer_gz = NULL;
	GByteArray *buf = g_byte_array_new();

	memcpy(hdr, "zeros.img", 9);
	ub_test_ustar_octal(hdr + 100, 8, 0644);
	ub_test_ustar_octal(hdr + 108, 8, 0);
	ub_test_ustar_octal(hdr + 116, 8, 0);
	ub_test_ustar_octal(hdr + 124, 12, mib * 1024 * 1024);
	ub_test_ustar_octal(hdr + 136, 12, 1700000000);
	hdr[156] = '0';
	memcpy(hdr + 257, "ustar", 6);
	memcpy(hdr + 263, "00", 2);
	memset(hdr + 148, ' ', 8);
	for (guint i = 0; i < sizeof(hdr); i++)
		sum += hdr[i];
	ub_test_ustar_octal(hdr + 148, 7, sum);

	hdr_gz = ub_test_gzip(hdr, sizeof(hdr));
	chunk_gz = ub_test_gzip(zeros, 1024 * 1024);
	trailer_gz = ub_test_gzip(zeros, 1024);
	g_byte_array_append(buf, g_bytes_get_data(hdr_gz, NULL), (guint)g_bytes_get_size(hdr_gz));
	for (guint64 i = 0; i < mib; i++) {
		g_byte_array_append(buf,
				    g_bytes_get_data(chunk_gz, NULL),
				    (guint)g_bytes_get_size(chunk_gz));
	}
	g_byte_array_append(buf,
			    g_bytes_get_data(trailer_gz, NULL),
			    (guint)g_bytes_get_size(trailer_gz));
	return g_byte_array_free_to_bytes(buf);
}

static void
ub_package_source_archive_bomb_func(void)
{
	g_autoptr(GBytes) blob = ub_test_tgz_bomb(1024);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(UbPackageSource) source = NULL;
	UbPackageSourceArchiveLimits limits = {0};
	guint64 done = 0;
	guint64 size = 0;

	g_test_message("1 GiB of zeros in %" G_GSIZE_FORMAT " bytes", g_bytes_get_size(blob));
	g_assert_cmpuint(g_bytes_get_size(blob), <, 2 * 1024 * 1024);

	source = ub_test_source_new(blob, "bomb.tgz");
	ub_package_source_archive_get_limits(UB_PACKAGE_SOURCE_ARCHIVE(source), &limits);
	g_assert_cmpuint(limits.max_size, ==, 128ull * 1024 * 1024 * 1024);
	g_assert_cmpuint(limits.ratio_floor, ==, 1024ull * 1024 * 1024);

	/* an absolute cap: refused from the header, before any decompression */
	limits.max_size = 64 * 1024 * 1024;
	ub_package_source_archive_set_limits(UB_PACKAGE_SOURCE_ARCHIVE(source), &limits);
	files = ub_package_source_list(source, NULL, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(files);
	g_assert_nonnull(strstr(error->message, "decompression bomb"));
	g_assert_nonnull(strstr(error->message, "zeros.img"));
	g_assert_nonnull(strstr(error->message, "bomb.tgz"));
	g_clear_error(&error);

	/* the ratio to the archive size (~1000 here) */
	limits.max_size = G_MAXUINT64;
	limits.ratio_floor = 16 * 1024 * 1024;
	limits.max_ratio = 100;
	ub_package_source_archive_set_limits(UB_PACKAGE_SOURCE_ARCHIVE(source), &limits);
	g_assert_false(ub_package_source_query_size(source, "zeros.img", &size, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "expand to more than 100 times"));
	g_clear_error(&error);

	/* the per-entry ratio is enforced while streaming, soon after the floor;
	 * a smaller bomb as listing a tgz inflates it whole */
	g_clear_object(&source);
	g_bytes_unref(blob);
	blob = ub_test_tgz_bomb(64);
	source = ub_test_source_new(blob, "bomb.tgz");
	limits.max_ratio = G_MAXUINT64;
	limits.max_entry_ratio = 100;
	ub_package_source_archive_set_limits(UB_PACKAGE_SOURCE_ARCHIVE(source), &limits);
	g_assert_true(ub_package_source_query_size(source, "zeros.img", &size, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(size, ==, 64 * 1024 * 1024);
	stream = ub_package_source_open(source, "zeros.img", NULL, &error);
	g_assert_no_error(error);
	g_assert_false(ub_test_drain(stream, &done, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "decompression bomb"));
	g_assert_nonnull(strstr(error->message, "zeros.img"));
	g_assert_cmpuint(done, >=, 16 * 1024 * 1024);
	g_assert_cmpuint(done, <, 20 * 1024 * 1024);
}

/* a zip whose headers give @fake as the uncompressed size */
static GBytes *
ub_test_zip_lying(gsize real, guint32 fake)
{
	g_autofree gchar *zeros = g_malloc(real + 1);
	UbTestEntry entries[] = {{"big.img", NULL}};
	g_autoptr(GBytes) blob = NULL;
	g_autofree guint8 *buf = NULL;
	gsize bufsz;
	gsize eocd = 0;
	guint32 cd;

	memset(zeros, 'z', real);
	zeros[real] = '\0';
	entries[0].data = zeros;
	blob = ub_test_archive_build(UB_TEST_KIND_ZIP, entries, 1);
	bufsz = g_bytes_get_size(blob);
	buf = g_memdup2(g_bytes_get_data(blob, NULL), bufsz);
	for (gsize i = bufsz - 22; i > 0; i--) {
		if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 5 && buf[i + 3] == 6) {
			eocd = i;
			break;
		}
	}
	g_assert_cmpuint(eocd, >, 0);
	cd = ub_mem_read_u32_le(buf, eocd + 16);
	g_assert_cmpuint(cd + 28, <, bufsz);
	g_assert_cmpmem(buf + cd, 4, "PK\001\002", 4);
	/* the real size is there before the lie */
	g_assert_cmpuint(ub_mem_read_u32_le(buf, cd + 24), ==, real);
	ub_mem_write_u32_le(buf, cd + 24, fake);
	/* the local header too when it has the size, and the data descriptor */
	if (ub_mem_read_u32_le(buf, 22) != 0)
		ub_mem_write_u32_le(buf, 22, fake);
	if (buf[6] & 0x08) {
		gsize dd = 30 + ub_mem_read_u16_le(buf, 26) + ub_mem_read_u16_le(buf, 28) +
			   ub_mem_read_u32_le(buf, cd + 20);
		if (ub_mem_read_u32_le(buf, dd) == 0x08074b50)
			dd += 4;
		g_assert_cmpuint(dd + 12, <=, bufsz);
		g_assert_cmpuint(ub_mem_read_u32_le(buf, dd + 8), ==, real);
		ub_mem_write_u32_le(buf, dd + 8, fake);
	}
	return g_bytes_new_take(g_steal_pointer(&buf), bufsz);
}

static void
ub_package_source_archive_lying_func(void)
{
	/* smaller than the truth: never more than the announced bytes come out */
	{
		g_autoptr(GBytes) blob = ub_test_zip_lying(1024 * 1024, 4096);
		g_autoptr(UbPackageSource) source = ub_test_source_new(blob, "lying.zip");
		g_autoptr(GInputStream) stream = NULL;
		g_autoptr(GError) error = NULL;
		guint64 size = 0;
		guint64 done = 0;
		g_assert_true(ub_package_source_query_size(source, "big.img", &size, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(size, ==, 4096);
		stream = ub_package_source_open(source, "big.img", NULL, &error);
		g_assert_no_error(error);
		g_assert_false(ub_test_drain(stream, &done, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_test_message("%s", error->message);
		g_assert_cmpuint(done, <=, 4096);
	}
	/* larger than the truth: the short entry is an error, not a silent EOF */
	{
		g_autoptr(GBytes) blob = ub_test_zip_lying(4096, 1024 * 1024);
		g_autoptr(UbPackageSource) source = ub_test_source_new(blob, "lying.zip");
		g_autoptr(GInputStream) stream = NULL;
		g_autoptr(GError) error = NULL;
		guint64 done = 0;
		stream = ub_package_source_open(source, "big.img", NULL, &error);
		g_assert_no_error(error);
		g_assert_false(ub_test_drain(stream, &done, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_test_message("%s", error->message);
		g_assert_cmpuint(done, <=, 4096);
	}
}

static void
ub_package_source_archive_corrupt_func(void)
{
	const UbTestEntry entries[] = {
	    {"a.img", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	    {"b.img", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
	};
	g_autoptr(GError) error = NULL;

	/* not an archive at all */
	{
		g_autoptr(GBytes) blob = g_bytes_new_static("this is a text file, not a zip\n", 31);
		g_autoptr(UbPackageSource) source =
		    ub_package_source_archive_new_for_bytes(blob, "notes.zip", &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(source);
		g_assert_nonnull(strstr(error->message, "notes.zip is not a readable zip or tar"));
		g_clear_error(&error);
	}

	/* a tgz cut in half */
	{
		g_autoptr(GBytes) full = ub_test_archive_build(UB_TEST_KIND_TGZ, entries, 2);
		g_autoptr(GBytes) blob = g_bytes_new_from_bytes(full, 0, g_bytes_get_size(full) / 2);
		g_autoptr(UbPackageSource) source =
		    ub_package_source_archive_new_for_bytes(blob, "cut.tgz", &error);
		g_autoptr(GPtrArray) files = NULL;
		if (source != NULL) {
			files = ub_package_source_list(source, NULL, &error);
			g_assert_null(files);
		}
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_test_message("%s", error->message);
		g_clear_error(&error);
	}

	/* a zip with a damaged byte in the compressed data: a CRC or inflate error */
	{
		g_autoptr(GBytes) good = ub_test_archive_build(UB_TEST_KIND_ZIP, entries, 2);
		gsize bufsz = g_bytes_get_size(good);
		g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(good, NULL), bufsz);
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(UbPackageSource) source = NULL;
		g_autoptr(GInputStream) stream = NULL;
		guint64 done = 0;
		/* local header 30 + name 5 + extra; the data follows, flip inside it */
		guint16 extra = ub_mem_read_u16_le(buf, 28);
		buf[30 + 5 + extra + 2] ^= 0x55;
		blob = g_bytes_new_take(g_steal_pointer(&buf), bufsz);
		source = ub_test_source_new(blob, "damaged.zip");
		stream = ub_package_source_open(source, "a.img", NULL, &error);
		g_assert_no_error(error);
		g_assert_false(ub_test_drain(stream, &done, &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_nonnull(strstr(error->message, "a.img"));
		g_test_message("%s", error->message);
		g_clear_error(&error);
	}
}

static void
ub_package_source_archive_cancel_func(void)
{
	const UbTestEntry entries[] = {{"a.img", "a"}};
	g_autoptr(GBytes) blob = ub_test_archive_build(UB_TEST_KIND_TGZ, entries, 1);
	g_autoptr(UbPackageSource) source = ub_test_source_new(blob, "a.tgz");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_cancellable_cancel(cancellable);
	files = ub_package_source_list(source, cancellable, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_null(files);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/package-source-archive/list", ub_package_source_archive_list_func);
	g_test_add_func("/ub/formats/package-source-archive/file", ub_package_source_archive_file_func);
	g_test_add_func("/ub/formats/package-source-archive/stream",
			ub_package_source_archive_stream_func);
	g_test_add_func("/ub/formats/package-source-archive/nested",
			ub_package_source_archive_nested_func);
	g_test_add_func("/ub/formats/package-source-archive/unsafe",
			ub_package_source_archive_unsafe_func);
	g_test_add_func("/ub/formats/package-source-archive/bomb", ub_package_source_archive_bomb_func);
	g_test_add_func("/ub/formats/package-source-archive/lying",
			ub_package_source_archive_lying_func);
	g_test_add_func("/ub/formats/package-source-archive/corrupt",
			ub_package_source_archive_corrupt_func);
	g_test_add_func("/ub/formats/package-source-archive/cancel",
			ub_package_source_archive_cancel_func);
	return g_test_run();
}
