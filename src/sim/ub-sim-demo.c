/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "formats/ub-package.h"
#include "ub-plan-executor.h"
#include "ub-sim-demo.h"
#include "ub-sim-layouts.h"
#include "ub-sim-open.h"
#include "ub-sim-storage.h"

/* the size of the demo MediaTek phone's eMMC user area */
#define UB_SIM_DEMO_MTK_SIZE (64 * 1024 * 1024)

/**
 * ub_sim_demo_make_calibration:
 * @name: a calibration partition of the demo scatter, e.g. "nvram"
 * @size: its size
 *
 * What the demo MediaTek phone's calibration partition @name holds: its own
 * "IMEI" and a pattern, so that a check can tell it survived a download.
 *
 * Returns: (transfer full): @size bytes
 */
GBytes *
ub_sim_demo_make_calibration(const gchar *name, gsize size)
{
	guint8 *buf = g_malloc(size);
	g_autofree gchar *tag = g_strdup_printf("%s of the demo phone: IMEI 356938035643809", name);
	guint seed = g_str_hash(name);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(((i + seed) * 2654435761u) >> 24);
	memcpy(buf, tag, MIN(strlen(tag), size));
	return g_bytes_new_take(buf, size);
}

/* the layout of the older release of the demo scatter, as a plan */
static UbPlan *
ub_sim_demo_old_layout(const gchar *dir, GError **error)
{
	g_autofree gchar *old_dir = g_build_filename(dir, "old", NULL);
	g_autofree gchar *old_path = g_build_filename(old_dir, UB_DEMO_SCATTER_FILE, NULL);
	g_autofree gchar *old_text = ub_demo_package_make_scatter(TRUE);
	g_autoptr(UbPackage) old = NULL;
	UbPackagePlanOptions options = {.verify = TRUE};
	UbPlan *layout = NULL;

	if (g_mkdir_with_parents(old_dir, 0700) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot create %s: %s",
			    old_dir,
			    g_strerror(errno));
		return NULL;
	}
	if (g_file_set_contents(old_path, old_text, -1, error)) {
		old = ub_package_open(old_path, NULL, NULL, error);
		if (old != NULL)
			layout = ub_package_plan_for_mode(old, "firmware-upgrade", &options, error);
	}
	if (g_unlink(old_path) != 0 || g_rmdir(old_dir) != 0)
		g_debug("ignoring: cannot remove %s", old_dir);
	return layout;
}

/* an eMMC phone as it left the factory with the older layout of the demo
 * package and calibration data of its own */
static gboolean
ub_sim_demo_prepare_mtk(const gchar *dir, GError **error)
{
	const gchar *const *calibration = ub_demo_package_get_scatter_calibration();
	g_autoptr(UbPlan) layout = NULL;
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;

	layout = ub_sim_demo_old_layout(dir, error);
	if (layout == NULL)
		return FALSE;
	storage = ub_sim_storage_open(dir, "emmc:64M", error);
	if (storage == NULL)
		return FALSE;
	/* the simulator's own layout first (it is then not written again), the
	 * demo's older one over it */
	if (!ub_sim_layout_apply(storage, "mtk", error))
		return FALSE;
	if (!ub_plan_build_layout_gpt(layout,
				      "user",
				      UB_SIM_DEMO_MTK_SIZE,
				      512,
				      &primary,
				      &backup,
				      error))
		return FALSE;
	if (!ub_sim_storage_write_gpt(storage, "user", primary, backup, error))
		return FALSE;
	for (guint i = 0; calibration[i] != NULL; i++) {
		g_autoptr(UbPartition) part =
		    ub_sim_storage_find_partition(storage, calibration[i], error);
		g_autoptr(GBytes) blob = NULL;
		if (part == NULL)
			return FALSE;
		blob = ub_sim_demo_make_calibration(calibration[i], ub_partition_get_size(part));
		if (!ub_sim_storage_write_partition(storage,
						    calibration[i],
						    0,
						    g_bytes_get_data(blob, NULL),
						    g_bytes_get_size(blob),
						    error))
			return FALSE;
	}
	return TRUE;
}

/* a UFS phone with the demo flat build's LUNs and no partition tables (both GPT
 * copies of every LUN wiped, as on a phone whose flash was erased): the flat
 * build brings the tables */
static gboolean
ub_sim_demo_prepare_edl(const gchar *dir, GError **error)
{
	g_autofree gchar *geometry =
	    g_strdup_printf("ufs:%u:64M", (guint)UB_DEMO_FLAT_BUILD_N_LUNS);
	g_autoptr(UbSimStorage) storage = ub_sim_storage_open(dir, geometry, error);
	g_auto(GStrv) regions = NULL;
	const guint64 span = 64 * 1024;

	if (storage == NULL || !ub_sim_layout_apply(storage, "gpt", error))
		return FALSE;
	regions = ub_sim_storage_get_region_names(storage);
	for (guint i = 0; regions[i] != NULL; i++) {
		guint64 size = ub_sim_storage_get_region_size(storage, regions[i]);
		if (size < 2 * span)
			continue;
		if (!ub_sim_storage_erase(storage, regions[i], 0, span, error) ||
		    !ub_sim_storage_erase(storage, regions[i], size - span, span, error))
			return FALSE;
	}
	return TRUE;
}

/**
 * ub_sim_demo_prepare:
 * @kind: fastboot, edl or mtk
 * @dir: an empty folder for the phone's storage
 * @error: (nullable): return location for a #GError
 *
 * Puts a simulated phone's storage into the state a user's phone is in before
 * the demo package is flashed. For "mtk": an eMMC phone with the older layout
 * of the demo scatter and calibration data of its own (nvram, nvdata, ...),
 * so that Firmware Upgrade of the demo package works and keeps that data. For
 * "edl": a UFS phone with the demo flat build's LUNs and no partition tables.
 * fastboot starts from the simulator's own layout: nothing to do.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_sim_demo_prepare(const gchar *kind, const gchar *dir, GError **error)
{
	g_return_val_if_fail(kind != NULL, FALSE);
	g_return_val_if_fail(dir != NULL, FALSE);
	if (g_strcmp0(kind, "mtk") == 0) {
		if (!ub_sim_demo_prepare_mtk(dir, error)) {
			g_prefix_error(error, "failed to prepare the demo MediaTek phone: ");
			return FALSE;
		}
	}
	if (g_strcmp0(kind, "edl") == 0) {
		if (!ub_sim_demo_prepare_edl(dir, error)) {
			g_prefix_error(error, "failed to prepare the demo Qualcomm phone: ");
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ub_sim_open_demo_device:
 * @kind: fastboot, edl or mtk
 * @dir: the phone's storage folder: a fresh one is prepared with
 *   ub_sim_demo_prepare(), one that already holds a storage is opened as it is
 * @error: (nullable): return location for a #GError
 *
 * Starts a simulated phone in the state a user's phone is in, as the demos
 * of the command line and of the window show it.
 *
 * Returns: (transfer full): a #UbDevice, not yet opened
 */
UbDevice *
ub_sim_open_demo_device(const gchar *kind, const gchar *dir, GError **error)
{
	g_autofree gchar *ini = NULL;

	g_return_val_if_fail(kind != NULL, NULL);
	g_return_val_if_fail(dir != NULL, NULL);
	ini = g_build_filename(dir, "storage.ini", NULL);
	if (!g_file_test(ini, G_FILE_TEST_EXISTS) && !ub_sim_demo_prepare(kind, dir, error))
		return NULL;
	return ub_sim_open_device(kind, dir, error);
}
