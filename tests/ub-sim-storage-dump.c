/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/ub-demo-package.h"
#include "sim/ub-sim-storage.h"

/*
 * Test helper for the GUI tests: looks into the storage folder of a simulated
 * phone (DIR/storage.ini + DIR/<region>.img) without starting the phone, and
 * prints what the demo packages would write, so a script can compare them.
 *   sha256 DIR NAME [LENGTH]      sha256 of the first LENGTH bytes of partition NAME
 *                                 (default: all of it), then its size
 *   demo KIND NAME                size and sha256 of the demo image for partition NAME
 *                                 (KIND fastboot, edl or mtk)
 *   erased DIR NAME               exit 0 when NAME reads as zeros (1 otherwise); holes are
 *                                 skipped, so a big erased partition costs nothing
 *   fill DIR NAME SEED [LENGTH]   write a pattern (from the byte SEED) to the first LENGTH
 *                                 bytes of NAME (default 64 KiB), e.g. calibration data
 *   list DIR                      NAME REGION OFFSET SIZE of each partition
 */

#define UB_DUMP_BUFSZ	    (4 * 1024 * 1024)
#define UB_DUMP_FILL_LENGTH (64 * 1024)

static UbSimStorage *
ub_dump_open(const gchar *dir, GError **error)
{
	g_autofree gchar *ini = g_build_filename(dir, "storage.ini", NULL);
	/* never create a phone where none is */
	if (!g_file_test(ini, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_NOT_FOUND,
			    "%s holds no simulated phone (no storage.ini)",
			    dir);
		return NULL;
	}
	return ub_sim_storage_open(dir, NULL, error);
}

static gboolean
ub_dump_sha256(const gchar *dir, const gchar *name, const gchar *length_str, GError **error)
{
	g_autoptr(UbSimStorage) storage = ub_dump_open(dir, error);
	g_autoptr(UbPartition) part = NULL;
	g_autoptr(GChecksum) csum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree guint8 *buf = NULL;
	guint64 length;

	if (storage == NULL)
		return FALSE;
	part = ub_sim_storage_find_partition(storage, name, error);
	if (part == NULL)
		return FALSE;
	length = ub_partition_get_size(part);
	if (length_str != NULL) {
		guint64 want = 0;
		if (!g_ascii_string_to_unsigned(length_str, 10, 0, G_MAXUINT64, &want, error))
			return FALSE;
		if (want > length) {
			g_set_error(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_ARGUMENT,
				    "%s is %" G_GUINT64_FORMAT " bytes, shorter than %" G_GUINT64_FORMAT,
				    name,
				    length,
				    want);
			return FALSE;
		}
		length = want;
	}
	buf = g_malloc(UB_DUMP_BUFSZ);
	for (guint64 done = 0; done < length;) {
		gsize chunk = (gsize)MIN(length - done, UB_DUMP_BUFSZ);
		if (!ub_sim_storage_read_partition(storage, name, done, buf, chunk, error))
			return FALSE;
		g_checksum_update(csum, buf, chunk);
		done += chunk;
	}
	g_print("%s %" G_GUINT64_FORMAT "\n", g_checksum_get_string(csum), ub_partition_get_size(part));
	return TRUE;
}

static gboolean
ub_dump_demo(const gchar *kind, const gchar *name, GError **error)
{
	g_autoptr(GBytes) blob = NULL;
	g_autofree gchar *csum = NULL;

	if (g_strcmp0(kind, "fastboot") == 0) {
		g_autofree gchar *file = g_strdup_printf("%s.img", name);
		blob = ub_demo_package_make_image(file);
	} else if (g_strcmp0(kind, "edl") == 0) {
		blob = ub_demo_package_make_flat_image(name);
	} else if (g_strcmp0(kind, "mtk") == 0) {
		blob = ub_demo_package_make_scatter_image(name);
	} else {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_ARGUMENT,
			    "unknown kind %s: use fastboot, edl or mtk",
			    kind);
		return FALSE;
	}
	if (blob == NULL) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_NOT_FOUND,
			    "the %s demo package has no image for %s",
			    kind,
			    name);
		return FALSE;
	}
	csum = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, blob);
	g_print("%" G_GSIZE_FORMAT " %s\n", g_bytes_get_size(blob), csum);
	return TRUE;
}

/* TRUE when [offset, offset + size) of the region file reads as zeros: only the
 * data extents (SEEK_DATA) are read */
static gboolean
ub_dump_range_is_zero(const gchar *path, guint64 offset, guint64 size, gboolean *zero, GError **error)
{
	g_autofree guint8 *buf = g_malloc(UB_DUMP_BUFSZ);
	guint64 end = offset + size;
	guint64 pos = offset;
	gint fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0) {
		g_set_error(error,
			    G_IO_ERROR,
			    g_io_error_from_errno(errno),
			    "cannot open %s: %s",
			    path,
			    g_strerror(errno));
		return FALSE;
	}
	*zero = TRUE;
	while (pos < end && *zero) {
		off_t data = lseek(fd, (off_t)pos, SEEK_DATA);
		off_t hole;
		if (data < 0 || (guint64)data >= end)
			break; /* ENXIO: only a hole is left */
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || (guint64)hole > end)
			hole = (off_t)end;
		for (guint64 p = (guint64)data; p < (guint64)hole && *zero;) {
			gsize chunk = (gsize)MIN((guint64)hole - p, UB_DUMP_BUFSZ);
			gssize n = pread(fd, buf, chunk, (off_t)p);
			if (n <= 0) {
				g_set_error(error,
					    G_IO_ERROR,
					    G_IO_ERROR_FAILED,
					    "cannot read %s at %" G_GUINT64_FORMAT,
					    path,
					    p);
				close(fd);
				return FALSE;
			}
			for (gssize i = 0; i < n; i++) {
				if (buf[i] != 0) {
					*zero = FALSE;
					break;
				}
			}
			p += (guint64)n;
		}
		pos = (guint64)hole;
	}
	close(fd);
	return TRUE;
}

static gboolean
ub_dump_erased(const gchar *dir, const gchar *name, gboolean *zero, GError **error)
{
	g_autoptr(UbSimStorage) storage = ub_dump_open(dir, error);
	g_autoptr(UbPartition) part = NULL;
	g_autofree gchar *path = NULL;

	if (storage == NULL)
		return FALSE;
	part = ub_sim_storage_find_partition(storage, name, error);
	if (part == NULL)
		return FALSE;
	path = ub_sim_storage_get_region_path(storage, ub_partition_get_region(part));
	return ub_dump_range_is_zero(path,
				     ub_partition_get_offset(part),
				     ub_partition_get_size(part),
				     zero,
				     error);
}

static gboolean
ub_dump_fill(const gchar *dir,
	     const gchar *name,
	     const gchar *seed_str,
	     const gchar *length_str,
	     GError **error)
{
	g_autoptr(UbSimStorage) storage = ub_dump_open(dir, error);
	g_autoptr(UbPartition) part = NULL;
	g_autofree guint8 *buf = NULL;
	guint64 seed = 0;
	guint64 length = UB_DUMP_FILL_LENGTH;

	if (storage == NULL)
		return FALSE;
	if (!g_ascii_string_to_unsigned(seed_str, 10, 0, 255, &seed, error))
		return FALSE;
	if (length_str != NULL &&
	    !g_ascii_string_to_unsigned(length_str, 10, 1, 64 * 1024 * 1024, &length, error))
		return FALSE;
	part = ub_sim_storage_find_partition(storage, name, error);
	if (part == NULL)
		return FALSE;
	length = MIN(length, ub_partition_get_size(part));
	buf = g_malloc(length);
	/* never zero, so that an erase is always seen */
	for (guint64 i = 0; i < length; i++)
		buf[i] = (guint8)(((seed + i * 7 + (i >> 9)) % 255) + 1);
	return ub_sim_storage_write_partition(storage, name, 0, buf, (gsize)length, error);
}

static gboolean
ub_dump_list(const gchar *dir, GError **error)
{
	g_autoptr(UbSimStorage) storage = ub_dump_open(dir, error);
	g_autoptr(GPtrArray) parts = NULL;

	if (storage == NULL)
		return FALSE;
	parts = ub_sim_storage_get_partitions(storage);
	for (guint i = 0; parts != NULL && i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		g_print("%s %s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
			ub_partition_get_name(part),
			ub_partition_get_region(part),
			ub_partition_get_offset(part),
			ub_partition_get_size(part));
	}
	return TRUE;
}

static gint
ub_dump_usage(void)
{
	g_printerr("usage: ub-sim-storage-dump sha256 DIR NAME [LENGTH]\n"
		   "       ub-sim-storage-dump demo fastboot|edl|mtk NAME\n"
		   "       ub-sim-storage-dump erased DIR NAME\n"
		   "       ub-sim-storage-dump fill DIR NAME SEED [LENGTH]\n"
		   "       ub-sim-storage-dump list DIR\n");
	return 2;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	const gchar *cmd = argc > 1 ? argv[1] : "";
	gboolean ok;

	if (g_strcmp0(cmd, "sha256") == 0 && (argc == 4 || argc == 5)) {
		ok = ub_dump_sha256(argv[2], argv[3], argc == 5 ? argv[4] : NULL, &error);
	} else if (g_strcmp0(cmd, "demo") == 0 && argc == 4) {
		ok = ub_dump_demo(argv[2], argv[3], &error);
	} else if (g_strcmp0(cmd, "erased") == 0 && argc == 4) {
		gboolean zero = FALSE;
		if (!ub_dump_erased(argv[2], argv[3], &zero, &error)) {
			g_printerr("ub-sim-storage-dump: %s\n", error->message);
			return 2;
		}
		g_print("%s\n", zero ? "erased" : "data");
		return zero ? EXIT_SUCCESS : EXIT_FAILURE;
	} else if (g_strcmp0(cmd, "fill") == 0 && (argc == 5 || argc == 6)) {
		ok = ub_dump_fill(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL, &error);
	} else if (g_strcmp0(cmd, "list") == 0 && argc == 3) {
		ok = ub_dump_list(argv[2], &error);
	} else {
		return ub_dump_usage();
	}
	if (!ok) {
		g_printerr("ub-sim-storage-dump: %s\n", error->message);
		return 2;
	}
	return EXIT_SUCCESS;
}
