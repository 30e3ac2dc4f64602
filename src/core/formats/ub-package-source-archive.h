/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-package-source.h"

G_BEGIN_DECLS

/* a .zip, .tar, .tgz/.tar.gz, .tar.xz or .tar.bz2, read with libarchive */
#define UB_TYPE_PACKAGE_SOURCE_ARCHIVE (ub_package_source_archive_get_type())
G_DECLARE_FINAL_TYPE(UbPackageSourceArchive,
		     ub_package_source_archive,
		     UB,
		     PACKAGE_SOURCE_ARCHIVE,
		     GObject)

/**
 * UbPackageSourceArchiveLimits:
 * @max_size: absolute cap on the uncompressed size of all entries together
 *   (default 128 GiB)
 * @ratio_floor: the two ratios are only checked above this many uncompressed
 *   bytes (default 1 GiB)
 * @max_ratio: all entries together against the archive's own size (default 100)
 * @max_entry_ratio: one entry's output against the compressed bytes read for
 *   it, checked while streaming (default 4096, above what deflate can reach)
 *
 * Decompression bomb limits. The sizes in headers are checked when the archive
 * is listed; while streaming, an entry may never produce more than its header
 * announced, so a lying header is caught after at most that many bytes.
 */
typedef struct {
	guint64 max_size;
	guint64 ratio_floor;
	guint64 max_ratio;
	guint64 max_entry_ratio;
} UbPackageSourceArchiveLimits;

UbPackageSource *
ub_package_source_archive_new(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbPackageSource *
ub_package_source_archive_new_for_source(UbPackageSource *parent,
					 const gchar *relpath,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbPackageSource *
ub_package_source_archive_new_for_bytes(GBytes *blob,
					const gchar *name,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_package_source_archive_get_limits(UbPackageSourceArchive *self,
				     UbPackageSourceArchiveLimits *limits);
void
ub_package_source_archive_set_limits(UbPackageSourceArchive *self,
				     const UbPackageSourceArchiveLimits *limits);
GPtrArray *
ub_package_source_archive_get_warnings(UbPackageSourceArchive *self);
const gchar *
ub_package_source_archive_get_top_folder(UbPackageSourceArchive *self);

G_END_DECLS
