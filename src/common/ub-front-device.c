/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-scatter.h"
#include "mtk/ub-mtk-device.h"
#include "ub-front-device.h"

/* what a device needs before it is opened, once for both front-ends: the
 * Download Agent, auth file and package preloader of a MediaTek phone, the
 * Firehose programmer and memory type of a Qualcomm EDL phone */

/**
 * ub_front_device_get_kind:
 * @device: a device
 *
 * Returns: "fastboot", "edl", "mtk", or %NULL
 */
const gchar *
ub_front_device_get_kind(UbDevice *device)
{
	g_return_val_if_fail(UB_IS_DEVICE(device), NULL);
	switch (ub_device_get_protocol(device)) {
	case UB_PROTOCOL_EDL:
		return "edl";
	case UB_PROTOCOL_MTK:
		return "mtk";
	case UB_PROTOCOL_FASTBOOT:
		return "fastboot";
	case UB_PROTOCOL_UNKNOWN:
	case UB_PROTOCOL_LAST:
	default:
		return NULL;
	}
}

/**
 * ub_front_package_get_kind:
 * @package: a package
 *
 * Returns: the kind of phone that flashes @package: "fastboot", "edl", "mtk", or %NULL
 */
const gchar *
ub_front_package_get_kind(UbPackage *package)
{
	g_return_val_if_fail(UB_IS_PACKAGE(package), NULL);
	switch (ub_package_get_format(package)) {
	case UB_PACKAGE_FORMAT_MTK_SCATTER:
		return "mtk";
	case UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD:
		return "edl";
	case UB_PACKAGE_FORMAT_FASTBOOT_ROM:
	case UB_PACKAGE_FORMAT_GOOGLE_FACTORY:
		return "fastboot";
	case UB_PACKAGE_FORMAT_UNKNOWN:
	case UB_PACKAGE_FORMAT_LAST:
	default:
		return NULL;
	}
}

/**
 * ub_front_device_use_package_preloader:
 * @device: a device, not yet opened
 * @package: the package to flash
 *
 * As SP Flash Tool: a MediaTek phone started from BootROM takes its DRAM
 * settings from the package's preloader (a folder package or a scatter file
 * next to its images; an archive has none on disk). Nothing for other phones.
 */
void
ub_front_device_use_package_preloader(UbDevice *device, UbPackage *package)
{
	GPtrArray *parts;
	const gchar *path;
	g_autofree gchar *root = NULL;

	g_return_if_fail(UB_IS_DEVICE(device));
	g_return_if_fail(UB_IS_PACKAGE(package));

	path = ub_package_get_path(package);
	if (!UB_IS_MTK_DEVICE(device) || path == NULL)
		return;
	if (g_file_test(path, G_FILE_TEST_IS_DIR))
		root = g_strdup(path);
	else if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && !g_str_has_suffix(path, ".zip") &&
		 !g_str_has_suffix(path, ".tgz") && !g_str_has_suffix(path, ".tar.gz") &&
		 !g_str_has_suffix(path, ".7z"))
		root = g_path_get_dirname(path);
	parts = ub_package_get_partitions(package);
	for (guint i = 0; root != NULL && i < parts->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(parts, i);
		g_autofree gchar *file = NULL;
		g_autoptr(GFile) preloader = NULL;
		if (part->file == NULL || g_strcmp0(part->operation, "BOOTLOADERS") != 0 ||
		    !ub_scatter_region_is_boot(part->region))
			continue;
		file = g_build_filename(root, part->file, NULL);
		if (!g_file_test(file, G_FILE_TEST_IS_REGULAR))
			continue;
		preloader = g_file_new_for_path(file);
		ub_mtk_device_set_preloader(UB_MTK_DEVICE(device), preloader);
		return;
	}
}

/* a file the user chose: NULL (none) or an existing regular file */
static gboolean
ub_front_device_file_is_usable(GFile *file)
{
	g_autofree gchar *path = NULL;
	if (file == NULL)
		return TRUE;
	path = g_file_get_path(file);
	return path != NULL && g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

/**
 * ub_front_device_prepare:
 * @device: a device, not yet opened (or opened for identification only)
 * @package: (nullable): the package the job uses
 * @loader: (nullable): the Download Agent (MediaTek) or Firehose programmer
 *   (Qualcomm EDL) the user chose
 * @auth: (nullable): the authentication file (MediaTek secure boot)
 * @needs_storage: the job reads or writes storage, not only identifies
 * @error: (nullable): return location for a #GError
 *
 * Applies the files to the device before ub_device_open(): without @loader a
 * MediaTek or EDL phone is identified only, and a job that needs storage
 * fails here with an error naming the file it needs. A fastboot phone needs
 * neither file and ignores them. With @package, a
 * MediaTek phone gets the package's preloader (DRAM settings) and an EDL
 * phone the package's memory type.
 *
 * Returns: %TRUE if the device may be opened
 */
gboolean
ub_front_device_prepare(UbDevice *device,
			UbPackage *package,
			GFile *loader,
			GFile *auth,
			gboolean needs_storage,
			GError **error)
{
	g_return_val_if_fail(UB_IS_DEVICE(device), FALSE);
	g_return_val_if_fail(package == NULL || UB_IS_PACKAGE(package), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!ub_front_device_file_is_usable(loader)) {
		g_autofree gchar *name = g_file_get_parse_name(loader);
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, _("the loader %s does not exist"), name);
		return FALSE;
	}
	if (!ub_front_device_file_is_usable(auth)) {
		g_autofree gchar *name = g_file_get_parse_name(auth);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    _("the authentication file %s does not exist"),
			    name);
		return FALSE;
	}

	/* MediaTek: DA, auth, preloader */
	if (UB_IS_MTK_DEVICE(device)) {
		UbMtkDevice *mtk = UB_MTK_DEVICE(device);
		if (auth != NULL)
			ub_mtk_device_set_auth_file(mtk, auth);
		if (package != NULL)
			ub_front_device_use_package_preloader(device, package);
		if (loader != NULL) {
			ub_mtk_device_set_identify_only(mtk, FALSE);
			ub_mtk_device_set_da_file(mtk, loader);
			return TRUE;
		}
		if (!needs_storage) {
			ub_mtk_device_set_identify_only(mtk, TRUE);
			return TRUE;
		}
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("this is a MediaTek phone in BootROM/preloader mode; its storage "
				    "is reached through a Download Agent: choose MTK_AllInOne_DA.bin "
				    "(it comes with SP Flash Tool and with many firmware packages, "
				    "next to the scatter file)"));
		return FALSE;
	}

	/* Qualcomm EDL: programmer, memory type */
	if (UB_IS_EDL_DEVICE(device)) {
		UbEdlDevice *edl = UB_EDL_DEVICE(device);
		if (package != NULL && ub_package_get_storage(package) != NULL &&
		    ub_package_get_format(package) == UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD)
			ub_edl_device_set_memory_name(edl, ub_package_get_storage(package));
		if (loader != NULL) {
			ub_edl_device_set_identify_only(edl, FALSE);
			ub_edl_device_set_programmer(edl, loader);
			return TRUE;
		}
		if (!needs_storage) {
			ub_edl_device_set_identify_only(edl, TRUE);
			return TRUE;
		}
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("this phone is in Qualcomm EDL (9008) mode and is flashed through "
				    "its Firehose programmer: choose prog_firehose_*.elf (or *.mbn); "
				    "it comes with the phone's firmware package, next to "
				    "rawprogram0.xml, or from the phone maker"));
		return FALSE;
	}

	/* fastboot needs no files: what was chosen for another phone is not used
	 * (the CLI refuses such options itself, naming them) */
	if (loader != NULL || auth != NULL) {
		g_debug("ignoring the loader and auth file for a %s phone",
			ub_protocol_to_string(ub_device_get_protocol(device)));
	}
	return TRUE;
}

/**
 * ub_front_json_add_device:
 * @b: a builder inside an object
 * @device: the phone
 *
 * Adds "device": {protocol, mode, simulated, chip, product, serial, storage,
 * sector size and the engine's extras}: the same object in the CLI's --json
 * output and the GUI's job reports.
 */
void
ub_front_json_add_device(JsonBuilder *b, UbDevice *device)
{
	GHashTableIter iter;
	gpointer key;
	gpointer value;
	json_builder_set_member_name(b, "device");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "protocol");
	json_builder_add_string_value(b, ub_protocol_to_string(ub_device_get_protocol(device)));
	json_builder_set_member_name(b, "mode");
	json_builder_add_string_value(b, ub_device_mode_to_string(ub_device_get_mode(device)));
	json_builder_set_member_name(b, "simulated");
	json_builder_add_boolean_value(b, ub_device_get_simulated(device));
	json_builder_set_member_name(b, "chip");
	json_builder_add_string_value(b, ub_device_get_chip(device));
	json_builder_set_member_name(b, "product");
	json_builder_add_string_value(b, ub_device_get_product(device));
	json_builder_set_member_name(b, "serial");
	json_builder_add_string_value(b, ub_device_get_serial(device));
	json_builder_set_member_name(b, "storage-type");
	json_builder_add_string_value(b, ub_device_get_storage_type(device));
	json_builder_set_member_name(b, "storage-size");
	json_builder_add_int_value(b, (gint64)ub_device_get_storage_size(device));
	json_builder_set_member_name(b, "sector-size");
	json_builder_add_int_value(b, ub_device_get_sector_size(device));
	g_hash_table_iter_init(&iter, ub_device_get_extra(device));
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		json_builder_set_member_name(b, key);
		json_builder_add_string_value(b, value);
	}
	json_builder_end_object(b);
}
