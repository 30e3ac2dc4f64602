/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-package-fastboot.h"
#include "ub-package-flat-build.h"
#include "ub-package-scatter.h"
#include "ub-package-source-archive.h"
#include "ub-package-source-dir.h"
#include "ub-package.h"

/*
 * What the user picked, a file or a folder or an archive, to the right loader.
 * Users pick the scatter itself, the rawprogram0.xml, the ROM folder, the .zip
 * they downloaded or the flash_all.bat inside it: all of these must work.
 */

static const gchar *ub_package_archive_suffixes[] = {
    ".zip", ".tgz", ".tar.gz", ".tar", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", NULL,
};

static gboolean
ub_package_is_archive_name(const gchar *path)
{
	g_autofree gchar *lower = g_ascii_strdown(path, -1);
	for (guint i = 0; ub_package_archive_suffixes[i] != NULL; i++) {
		if (g_str_has_suffix(lower, ub_package_archive_suffixes[i]))
			return TRUE;
	}
	return FALSE;
}

static gboolean
ub_package_name_is_scatter(const gchar *basename)
{
	g_autofree gchar *lower = g_ascii_strdown(basename, -1);
	return strstr(lower, "scatter") != NULL &&
	       (g_str_has_suffix(lower, ".txt") || g_str_has_suffix(lower, ".xml"));
}

static gboolean
ub_package_name_is_rawprogram(const gchar *basename)
{
	g_autofree gchar *lower = g_ascii_strdown(basename, -1);
	return g_str_has_prefix(lower, "rawprogram") && g_str_has_suffix(lower, ".xml");
}

static gboolean
ub_package_name_is_flash_script(const gchar *basename)
{
	g_autofree gchar *lower = g_ascii_strdown(basename, -1);
	return (g_str_has_prefix(lower, "flash_all") || g_str_has_prefix(lower, "flash-all")) &&
	       (g_str_has_suffix(lower, ".sh") || g_str_has_suffix(lower, ".bat"));
}

static gboolean
ub_package_name_is_factory_zip(const gchar *basename)
{
	return g_str_has_prefix(basename, "image-") && g_str_has_suffix(basename, ".zip");
}

static gboolean
ub_package_name_is_google_script(const gchar *basename)
{
	return g_strcmp0(basename, "flash-all.sh") == 0 || g_strcmp0(basename, "flash-all.bat") == 0;
}

static gboolean
ub_package_name_is_android_info(const gchar *basename)
{
	return g_strcmp0(basename, "android-info.txt") == 0;
}

/* scatter files are often renamed (MT6765_k65v1_64_bsp.txt): look inside */
static UbPackageFormat
ub_package_sniff(UbPackageSource *source, const gchar *relpath, GCancellable *cancellable)
{
	g_autoptr(GInputStream) stream = ub_package_source_open(source, relpath, cancellable, NULL);
	gchar buf[4097] = {0};
	gsize got = 0;
	if (stream == NULL ||
	    !g_input_stream_read_all(stream, buf, sizeof(buf) - 1, &got, cancellable, NULL))
		return UB_PACKAGE_FORMAT_UNKNOWN;
	buf[got] = '\0';
	if (strstr(buf, "partition_index") != NULL || strstr(buf, "MTK_PLATFORM_CFG") != NULL ||
	    strstr(buf, "<scatter") != NULL || strstr(buf, "__NODL_") != NULL ||
	    (strstr(buf, "PRELOADER") != NULL && strstr(buf, "{") != NULL))
		return UB_PACKAGE_FORMAT_MTK_SCATTER;
	if (strstr(buf, "<program ") != NULL || strstr(buf, "<data>") != NULL)
		return UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD;
	return UB_PACKAGE_FORMAT_UNKNOWN;
}

/* the best candidate in a listing, shallowest first */
static const gchar *
ub_package_find(GPtrArray *files, gboolean (*match)(const gchar *), const gchar *prefer)
{
	const gchar *best = NULL;
	guint best_depth = G_MAXUINT;
	for (guint i = 0; i < files->len; i++) {
		const gchar *rel = g_ptr_array_index(files, i);
		const gchar *slash = strrchr(rel, '/');
		const gchar *base = slash != NULL ? slash + 1 : rel;
		guint depth = 0;
		if (!match(base))
			continue;
		for (const gchar *p = rel; *p != '\0'; p++)
			depth += *p == '/';
		if (prefer != NULL && g_strcmp0(base, prefer) == 0)
			depth = 0;
		if (depth < best_depth || (depth == best_depth && g_strcmp0(rel, best) < 0)) {
			best = rel;
			best_depth = depth;
		}
	}
	return best;
}

static gboolean
ub_package_load_from_listing(UbPackage *package,
			     const gchar *picked,
			     const UbPackageOptions *options,
			     GCancellable *cancellable,
			     GError **error)
{
	UbPackageSource *source = ub_package_get_source(package);
	g_autoptr(GPtrArray) files = ub_package_source_list(source, cancellable, error);
	const gchar *rel;

	if (files == NULL)
		return FALSE;

	/* a file the user picked decides the format, by name or by content */
	if (picked != NULL) {
		UbPackageFormat sniffed = ub_package_sniff(source, picked, cancellable);
		if (sniffed == UB_PACKAGE_FORMAT_MTK_SCATTER)
			return ub_package_load_scatter(package, picked, options, cancellable, error);
		if (sniffed == UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD)
			return ub_package_load_flat_build(package, picked, options, cancellable, error);
		if (ub_package_name_is_scatter(picked))
			return ub_package_load_scatter(package, picked, options, cancellable, error);
		if (ub_package_name_is_rawprogram(picked))
			return ub_package_load_flat_build(package, picked, options, cancellable, error);
		if (ub_package_name_is_flash_script(picked)) {
			if (ub_package_name_is_google_script(picked) &&
			    (ub_package_find(files, ub_package_name_is_factory_zip, NULL) != NULL ||
			     ub_package_find(files, ub_package_name_is_android_info, NULL) != NULL))
				return ub_package_load_google_factory(package,
								      picked,
								      options,
								      cancellable,
								      error);
			return ub_package_load_fastboot_rom(package, picked, options, cancellable, error);
		}
	}

	/* otherwise what the folder or archive holds, most specific first; a
	 * Google factory image has flash-all.sh (hyphen) and android-info.txt or
	 * the image-*.zip */
	rel = ub_package_find(files, ub_package_name_is_google_script, "flash-all.sh");
	if (rel != NULL && (ub_package_find(files, ub_package_name_is_factory_zip, NULL) != NULL ||
			    ub_package_find(files, ub_package_name_is_android_info, NULL) != NULL))
		return ub_package_load_google_factory(package, rel, options, cancellable, error);
	rel = ub_package_find(files, ub_package_name_is_flash_script, "flash_all.sh");
	if (rel != NULL)
		return ub_package_load_fastboot_rom(package, rel, options, cancellable, error);
	rel = ub_package_find(files, ub_package_name_is_rawprogram, "rawprogram0.xml");
	if (rel != NULL)
		return ub_package_load_flat_build(package, rel, options, cancellable, error);
	rel = ub_package_find(files, ub_package_name_is_scatter, NULL);
	if (rel != NULL)
		return ub_package_load_scatter(package, rel, options, cancellable, error);

	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_SUPPORTED,
		    "%s is not a firmware package Unbrick knows: expected a MediaTek scatter "
		    "file, a Qualcomm rawprogram*.xml, a fastboot ROM (flash_all.sh) or a "
		    "factory image (flash-all.sh with image-*.zip)",
		    ub_package_source_get_name(source));
	return FALSE;
}

/**
 * ub_package_open:
 * @path: a scatter file, a rawprogram*.xml, a flash script, a folder, or an archive
 * @options: (nullable): storage and disk size, when known
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Opens a firmware package the way users have it on disk. Reads only the
 * small files (tables, scripts); images are streamed later.
 *
 * Returns: (transfer full): the package
 */
UbPackage *
ub_package_open(const gchar *path,
		const UbPackageOptions *options,
		GCancellable *cancellable,
		GError **error)
{
	UbPackageOptions options_default = {NULL, 0};
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(UbPackage) package = NULL;
	g_autofree gchar *picked = NULL;

	if (options == NULL)
		options = &options_default;
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		source = ub_package_source_dir_new(path);
	} else if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "%s does not exist", path);
		return NULL;
	} else if (ub_package_is_archive_name(path)) {
		/* its errors name the archive already */
		source = ub_package_source_archive_new(path, error);
		if (source == NULL)
			return NULL;
	} else {
		/* a file inside an unpacked package: its folder is the package */
		g_autofree gchar *dir = g_path_get_dirname(path);
		source = ub_package_source_dir_new(dir);
		picked = g_path_get_basename(path);
	}
	package = ub_package_new(source);
	ub_package_set_path(package, path);
	if (!ub_package_load_from_listing(package, picked, options, cancellable, error)) {
		g_prefix_error(error, "failed to open %s: ", path);
		return NULL;
	}
	return g_steal_pointer(&package);
}
