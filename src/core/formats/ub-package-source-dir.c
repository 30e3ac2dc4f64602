/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-error.h"
#include "ub-package-source-dir.h"

/* a package unpacked in a folder; symlinks are not followed out of it */

#define UB_PACKAGE_SOURCE_DIR_MAX_DEPTH 8

struct _UbPackageSourceDir {
	GObject parent_instance;
	gchar *path;
};

static void
ub_package_source_dir_iface_init(UbPackageSourceInterface *iface);

G_DEFINE_TYPE_WITH_CODE(UbPackageSourceDir,
			ub_package_source_dir,
			G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(UB_TYPE_PACKAGE_SOURCE, ub_package_source_dir_iface_init))

static gboolean
ub_package_source_dir_list_dir(UbPackageSourceDir *self,
			       const gchar *relpath,
			       guint depth,
			       GPtrArray *files,
			       GError **error)
{
	g_autofree gchar *dirpath = relpath != NULL ? g_build_filename(self->path, relpath, NULL)
						    : g_strdup(self->path);
	g_autoptr(GDir) dir = g_dir_open(dirpath, 0, error);
	const gchar *name;
	if (dir == NULL) {
		ub_error_convert(error);
		return FALSE;
	}
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = relpath != NULL ? g_strdup_printf("%s/%s", relpath, name)
							  : g_strdup(name);
		g_autofree gchar *full = g_build_filename(self->path, child, NULL);
		GStatBuf st = {0};
		if (g_lstat(full, &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < UB_PACKAGE_SOURCE_DIR_MAX_DEPTH &&
			    !ub_package_source_dir_list_dir(self, child, depth + 1, files, error))
				return FALSE;
		} else if (S_ISREG(st.st_mode)) {
			g_ptr_array_add(files, g_steal_pointer(&child));
		}
	}
	return TRUE;
}

static gint
ub_package_source_dir_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar **)a, *(const gchar **)b);
}

static GPtrArray *
ub_package_source_dir_list(UbPackageSource *source, GCancellable *cancellable, GError **error)
{
	UbPackageSourceDir *self = UB_PACKAGE_SOURCE_DIR(source);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	if (!ub_package_source_dir_list_dir(self, NULL, 0, files, error))
		return NULL;
	g_ptr_array_sort(files, ub_package_source_dir_cmp);
	return g_steal_pointer(&files);
}

static gboolean
ub_package_source_dir_stat(UbPackageSourceDir *self, const gchar *relpath, GStatBuf *st, GError **error)
{
	g_autofree gchar *full = g_build_filename(self->path, relpath, NULL);
	if (g_stat(full, st) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "%s is missing from %s",
			    relpath,
			    self->path);
		return FALSE;
	}
	if (!S_ISREG(st->st_mode)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s in %s is not a regular file",
			    relpath,
			    self->path);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_package_source_dir_query_size(UbPackageSource *source,
				 const gchar *relpath,
				 guint64 *size,
				 GCancellable *cancellable,
				 GError **error)
{
	GStatBuf st = {0};
	if (!ub_package_source_dir_stat(UB_PACKAGE_SOURCE_DIR(source), relpath, &st, error))
		return FALSE;
	if (size != NULL)
		*size = (guint64)st.st_size;
	return TRUE;
}

static GInputStream *
ub_package_source_dir_open(UbPackageSource *source,
			   const gchar *relpath,
			   GCancellable *cancellable,
			   GError **error)
{
	UbPackageSourceDir *self = UB_PACKAGE_SOURCE_DIR(source);
	g_autofree gchar *full = g_build_filename(self->path, relpath, NULL);
	g_autoptr(GFile) file = g_file_new_for_path(full);
	GStatBuf st = {0};
	GFileInputStream *stream;
	if (!ub_package_source_dir_stat(self, relpath, &st, error))
		return NULL;
	stream = g_file_read(file, cancellable, error);
	if (stream == NULL) {
		ub_error_convert(error);
		return NULL;
	}
	return G_INPUT_STREAM(stream);
}

static const gchar *
ub_package_source_dir_get_name(UbPackageSource *source)
{
	return UB_PACKAGE_SOURCE_DIR(source)->path;
}

static void
ub_package_source_dir_iface_init(UbPackageSourceInterface *iface)
{
	iface->list = ub_package_source_dir_list;
	iface->query_size = ub_package_source_dir_query_size;
	iface->open = ub_package_source_dir_open;
	iface->get_name = ub_package_source_dir_get_name;
}

static void
ub_package_source_dir_finalize(GObject *object)
{
	g_free(UB_PACKAGE_SOURCE_DIR(object)->path);
	G_OBJECT_CLASS(ub_package_source_dir_parent_class)->finalize(object);
}

static void
ub_package_source_dir_init(UbPackageSourceDir *self)
{
}

static void
ub_package_source_dir_class_init(UbPackageSourceDirClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_package_source_dir_finalize;
}

/**
 * ub_package_source_dir_new:
 * @path: a folder
 *
 * Returns: (transfer full): a source reading files below @path
 */
UbPackageSource *
ub_package_source_dir_new(const gchar *path)
{
	UbPackageSourceDir *self = g_object_new(UB_TYPE_PACKAGE_SOURCE_DIR, NULL);
	self->path = g_strdup(path);
	return UB_PACKAGE_SOURCE(self);
}
