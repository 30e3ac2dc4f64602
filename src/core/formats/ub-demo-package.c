/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ub-demo-package.h"
#include "ub-error.h"

/*
 * The demo's firmware: a small Xiaomi-style fastboot ROM (flash_all*.sh,
 * images/, misc.txt) for the simulated phone, written at demo time so the
 * demo runs the same package code as a real ROM: ub_package_open(), the
 * keep-data plan, the product and anti-rollback checks.
 */

typedef struct {
	const gchar *partition;
	const gchar *file;
	gsize size;
	guint8 seed;
} UbDemoPackageImage;

/* sizes chosen so the demo takes a second, with an odd size to catch padding bugs */
static const UbDemoPackageImage ub_demo_package_images[] = {
    {"boot", "boot.img", 4 * 1024 * 1024 + 123, 0x42},
    {"dtbo", "dtbo.img", 1024 * 1024, 0x17},
    {"vbmeta", "vbmeta.img", 4096, 0x5a},
    {"metadata", "metadata.img", 64 * 1024, 0x33},
};

/**
 * ub_demo_package_make_image:
 * @name: an image file name of the demo package ("boot.img")
 *
 * Returns: (transfer full) (nullable): its content, the same on every call
 */
GBytes *
ub_demo_package_make_image(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_package_images); i++) {
		const UbDemoPackageImage *img = &ub_demo_package_images[i];
		guint8 *buf;
		if (g_strcmp0(img->file, name) != 0)
			continue;
		buf = g_malloc(img->size);
		for (gsize j = 0; j < img->size; j++)
			buf[j] = (guint8)(((j * 2654435761u) >> 24) ^ img->seed);
		return g_bytes_new_take(buf, img->size);
	}
	return NULL;
}

/**
 * ub_demo_package_get_dir:
 *
 * Returns: (transfer full): where the demo writes its package: the user's cache
 */
gchar *
ub_demo_package_get_dir(void)
{
	return g_build_filename(g_get_user_cache_dir(), "unbrick", "demo", "demo_rom", NULL);
}

static gchar *
ub_demo_package_script(const gchar *product, gboolean wipe, gboolean lock)
{
	GString *str = g_string_new(NULL);
	g_string_append(str,
			"CURRENT_ANTI_VER=1\n"
			"ver=`fastboot $* getvar anti 2>&1 | grep -oP \"anti: \\K[0-9]+\"`\n"
			"if [ -z \"$ver\" ]; then ver=0; fi\n"
			"if [ $ver -gt $CURRENT_ANTI_VER ]; then echo \"current device "
			"antirollback version is greater then this pakcage\"; exit 1; fi\n");
	g_string_append_printf(str,
			       "fastboot $* getvar product 2>&1 | grep \"^product: *%s\"\n"
			       "if [ $? -ne 0  ] ; then echo \"Missmatching image and device\"; "
			       "exit 1; fi\n",
			       product);
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_package_images); i++) {
		const UbDemoPackageImage *img = &ub_demo_package_images[i];
		if (g_strcmp0(img->partition, "metadata") == 0 && !wipe)
			continue;
		g_string_append_printf(str,
				       "fastboot $* flash %s `dirname $0`/images/%s\n"
				       "if [ $? -ne 0 ] ; then echo \"Flash %s error\"; exit 1; fi\n",
				       img->partition,
				       img->file,
				       img->partition);
	}
	if (wipe)
		g_string_append(str,
				"fastboot $* erase userdata\n"
				"if [ $? -ne 0 ] ; then echo \"Erase userdata error\"; exit 1; fi\n");
	/* no reboot: the demo phone stays in fastboot mode to be checked */
	if (lock)
		g_string_append(str,
				"fastboot $* oem lock\n"
				"if [ $? -ne 0 ] ; then echo \"Oem lock error\"; exit 1; fi\n");
	return g_string_free(str, FALSE);
}

static gboolean
ub_demo_package_write_file(const gchar *dir,
			   const gchar *name,
			   const gchar *data,
			   gsize size,
			   GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	if (!g_file_set_contents(path, data, size, error)) {
		ub_error_convert(error);
		g_prefix_error(error, "failed to write %s: ", path);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_demo_package_write:
 * @dir: the package folder, created if needed
 * @product: (nullable): the product the scripts check; %NULL: the simulated phone's
 * @error: (nullable): return location for a #GError
 *
 * Writes flash_all.sh, flash_all_except_storage.sh, flash_all_lock.sh,
 * misc.txt and images/ for @product.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_demo_package_write(const gchar *dir, const gchar *product, GError **error)
{
	g_autofree gchar *images = g_build_filename(dir, "images", NULL);
	g_autofree gchar *misc = NULL;
	struct {
		const gchar *name;
		gboolean wipe;
		gboolean lock;
	} scripts[] = {
	    {"flash_all.sh", TRUE, FALSE},
	    {"flash_all_except_storage.sh", FALSE, FALSE},
	    {"flash_all_lock.sh", TRUE, TRUE},
	};

	if (product == NULL)
		product = UB_DEMO_PACKAGE_PRODUCT;
	if (g_mkdir_with_parents(images, 0700) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot create %s: %s",
			    images,
			    g_strerror(errno));
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(scripts); i++) {
		g_autofree gchar *text =
		    ub_demo_package_script(product, scripts[i].wipe, scripts[i].lock);
		if (!ub_demo_package_write_file(dir, scripts[i].name, text, strlen(text), error))
			return FALSE;
	}
	misc = g_strdup_printf("device=%s\nbuild_number=UNBRICK.DEMO.1\n", product);
	if (!ub_demo_package_write_file(dir, "misc.txt", misc, strlen(misc), error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_package_images); i++) {
		g_autoptr(GBytes) blob = ub_demo_package_make_image(ub_demo_package_images[i].file);
		if (!ub_demo_package_write_file(images,
						ub_demo_package_images[i].file,
						g_bytes_get_data(blob, NULL),
						g_bytes_get_size(blob),
						error))
			return FALSE;
	}
	return TRUE;
}
