/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-package-source.h"

G_DEFINE_INTERFACE(UbPackageSource, ub_package_source, G_TYPE_OBJECT)

static void
ub_package_source_default_init(UbPackageSourceInterface *iface)
{
}

/**
 * ub_package_source_path_is_safe:
 * @relpath: a path from a package, script or archive
 *
 * Returns: %TRUE if @relpath stays inside the package: relative, no "..", no
 * empty or "." components, no backslashes, no control characters
 */
gboolean
ub_package_source_path_is_safe(const gchar *relpath)
{
	g_auto(GStrv) parts = NULL;
	if (relpath == NULL || relpath[0] == '\0' || relpath[0] == '/')
		return FALSE;
	for (const gchar *p = relpath; *p != '\0'; p++) {
		if ((guchar)*p < 0x20 || *p == '\\' || *p == 0x7f)
			return FALSE;
	}
	parts = g_strsplit(relpath, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_strcmp0(parts[i], ".") == 0 ||
		    g_strcmp0(parts[i], "..") == 0)
			return FALSE;
	}
	return TRUE;
}

static gboolean
ub_package_source_check_path(UbPackageSource *self, const gchar *relpath, GError **error)
{
	if (ub_package_source_path_is_safe(relpath))
		return TRUE;
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "refusing path '%s' in %s: it would leave the package",
		    relpath != NULL ? relpath : "(null)",
		    ub_package_source_get_name(self));
	return FALSE;
}

/**
 * ub_package_source_list:
 * @self: a #UbPackageSource
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer container) (element-type utf8): relative paths of all files
 */
GPtrArray *
ub_package_source_list(UbPackageSource *self, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(UB_IS_PACKAGE_SOURCE(self), NULL);
	return UB_PACKAGE_SOURCE_GET_IFACE(self)->list(self, cancellable, error);
}

gboolean
ub_package_source_query_size(UbPackageSource *self,
			     const gchar *relpath,
			     guint64 *size,
			     GCancellable *cancellable,
			     GError **error)
{
	g_return_val_if_fail(UB_IS_PACKAGE_SOURCE(self), FALSE);
	if (!ub_package_source_check_path(self, relpath, error))
		return FALSE;
	return UB_PACKAGE_SOURCE_GET_IFACE(self)->query_size(self, relpath, size, cancellable, error);
}

/**
 * ub_package_source_open:
 * @self: a #UbPackageSource
 * @relpath: a path inside the package
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): a stream of the file's content
 */
GInputStream *
ub_package_source_open(UbPackageSource *self,
		       const gchar *relpath,
		       GCancellable *cancellable,
		       GError **error)
{
	GInputStream *stream;
	g_return_val_if_fail(UB_IS_PACKAGE_SOURCE(self), NULL);
	if (!ub_package_source_check_path(self, relpath, error))
		return NULL;
	stream = UB_PACKAGE_SOURCE_GET_IFACE(self)->open(self, relpath, cancellable, error);
	if (stream == NULL)
		g_prefix_error(error, "cannot open %s: ", relpath);
	return stream;
}

/**
 * ub_package_source_load:
 * @self: a #UbPackageSource
 * @relpath: a path inside the package
 * @max_size: refuse files larger than this (scripts and tables are small)
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Reads a small file (scatter, XML, script) whole.
 *
 * Returns: (transfer full): the content
 */
GBytes *
ub_package_source_load(UbPackageSource *self,
		       const gchar *relpath,
		       gsize max_size,
		       GCancellable *cancellable,
		       GError **error)
{
	guint64 size = 0;
	g_autoptr(GInputStream) stream = NULL;
	g_autofree guint8 *buf = NULL;
	gsize got = 0;

	if (!ub_package_source_query_size(self, relpath, &size, cancellable, error))
		return NULL;
	if (size > max_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s is %" G_GUINT64_FORMAT " bytes, more than the %" G_GSIZE_FORMAT
			    " expected for this kind of file",
			    relpath,
			    size,
			    max_size);
		return NULL;
	}
	stream = ub_package_source_open(self, relpath, cancellable, error);
	if (stream == NULL)
		return NULL;
	/* one byte more than announced: a source that lies about sizes is caught */
	buf = g_malloc((gsize)size + 1);
	if (!g_input_stream_read_all(stream, buf, (gsize)size + 1, &got, cancellable, error)) {
		ub_error_convert(error);
		g_prefix_error(error, "cannot read %s: ", relpath);
		return NULL;
	}
	if (got != size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s: read %" G_GSIZE_FORMAT " bytes, expected %" G_GUINT64_FORMAT,
			    relpath,
			    got,
			    size);
		return NULL;
	}
	return g_bytes_new_take(g_steal_pointer(&buf), got);
}

const gchar *
ub_package_source_get_name(UbPackageSource *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE_SOURCE(self), NULL);
	return UB_PACKAGE_SOURCE_GET_IFACE(self)->get_name(self);
}
