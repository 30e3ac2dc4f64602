/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_TYPE_PACKAGE_SOURCE (ub_package_source_get_type())
G_DECLARE_INTERFACE(UbPackageSource, ub_package_source, UB, PACKAGE_SOURCE, GObject)

/**
 * UbPackageSourceInterface:
 * @list: every regular file, as relative paths with '/' separators
 * @query_size: the uncompressed size of @relpath, or FALSE with NOT_FOUND
 * @open: a stream of @relpath's content; from an archive it is decompressed on
 *   the fly, never extracted to disk
 * @get_name: for messages, e.g. "/home/u/rom.zip"
 *
 * Where a package's files come from: a folder or an archive (zip, tar.gz...),
 * possibly nested (an image-*.zip inside a factory .zip). Paths are always
 * relative to the package root; "..", absolute paths and links never resolve.
 */
struct _UbPackageSourceInterface {
	GTypeInterface g_iface;
	GPtrArray *(*list)(UbPackageSource *self, GCancellable *cancellable, GError **error);
	gboolean (*query_size)(UbPackageSource *self,
			       const gchar *relpath,
			       guint64 *size,
			       GCancellable *cancellable,
			       GError **error);
	GInputStream *(*open)(UbPackageSource *self,
			      const gchar *relpath,
			      GCancellable *cancellable,
			      GError **error);
	const gchar *(*get_name)(UbPackageSource *self);
};

GPtrArray *
ub_package_source_list(UbPackageSource *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_package_source_query_size(UbPackageSource *self,
			     const gchar *relpath,
			     guint64 *size,
			     GCancellable *cancellable,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
GInputStream *
ub_package_source_open(UbPackageSource *self,
		       const gchar *relpath,
		       GCancellable *cancellable,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *
ub_package_source_load(UbPackageSource *self,
		       const gchar *relpath,
		       gsize max_size,
		       GCancellable *cancellable,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *
ub_package_source_get_name(UbPackageSource *self);
gboolean
ub_package_source_path_is_safe(const gchar *relpath);

G_END_DECLS
