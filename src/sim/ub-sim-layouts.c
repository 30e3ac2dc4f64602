/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "formats/ub-gpt.h"
#include "ub-sim-layouts.h"
#include "ub-sim-super.h"

/*
 * Built-in partition layouts of the simulated fastboot phone.
 *
 * "gpt" is no layout of its own: the partitions are whatever GPT the storage
 * holds (ub_sim_storage_open() writes its default A/B table into a new folder).
 * "pixel" and "xiaomi" replace the main region's GPT with a fixed table:
 *
 * - pixel: A/B with dynamic partitions. Physical boot, init_boot, vendor_boot,
 *   dtbo, vbmeta*, abl, xbl, modem per slot; misc, metadata, super, userdata.
 *   super holds the logical system, vendor and product of both slots
 *   (ub-sim-super.c), so "system_a" exists only in fastbootd.
 * - xiaomi: an A/B Xiaomi of the Android One era (jasmine-like): physical
 *   system_a/b and vendor_a/b, per-slot firmware, and slotless legacy
 *   partitions such as cust, persist, logfs, storsec. The bootloader also
 *   knows Xiaomi's pseudo-partitions (crclist, sparsecrclist) and "_ab" names.
 *
 * GUIDs are derived from the layout and partition names, so two phones given
 * the same layout have byte-identical storage. Sizes are nominal for a 4 GiB
 * user area and scaled down for smaller ones; userdata takes the rest.
 * Applying a layout records it in DIR/layout.ini; a folder that already has it
 * is left alone, one with another layout gets its table rewritten (partition
 * data outside the GPT areas is not touched).
 */

#define KiB (G_GUINT64_CONSTANT(1024))
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define UB_SIM_LAYOUT_NOMINAL (4 * GiB)

/* slot A active, successful, priority 3, 6 retries left; slot B bootable, priority 1 */
#define UB_SIM_LAYOUT_SLOT_A (G_GUINT64_CONSTANT(0x77) << 48)
#define UB_SIM_LAYOUT_SLOT_B (G_GUINT64_CONSTANT(0x39) << 48)

#define UB_SIM_LAYOUT_TYPE_BOOT "20117f86-e985-4357-b9ee-374bc1d8487d"
#define UB_SIM_LAYOUT_TYPE_SUPER "89a12de1-5e41-4cb3-8b4c-b1441eb5da38"
#define UB_SIM_LAYOUT_TYPE_USERDATA "1b81e7e6-f50d-419b-a739-2aeef8da3335"

typedef struct {
	const gchar *name;
	guint64 size;
	gboolean slotted;
	const gchar *type_guid;
} UbSimLayoutPart;

typedef struct {
	const gchar *name;
	guint64 size; /* per slot: _a gets this, _b the second value */
	guint64 size_b;
} UbSimLayoutLogical;

static const UbSimLayoutPart ub_sim_layout_pixel[] = {
    {"xbl", 4 * MiB, TRUE, NULL},
    {"abl", 2 * MiB, TRUE, NULL},
    {"modem", 64 * MiB, TRUE, NULL},
    {"boot", 64 * MiB, TRUE, UB_SIM_LAYOUT_TYPE_BOOT},
    {"init_boot", 8 * MiB, TRUE, NULL},
    {"vendor_boot", 64 * MiB, TRUE, NULL},
    {"dtbo", 16 * MiB, TRUE, NULL},
    {"vbmeta", 64 * KiB, TRUE, NULL},
    {"vbmeta_system", 64 * KiB, TRUE, NULL},
    {"vbmeta_vendor", 64 * KiB, TRUE, NULL},
    {"misc", 1 * MiB, FALSE, NULL},
    {"frp", 512 * KiB, FALSE, NULL},
    {"devinfo", 4 * KiB, FALSE, NULL},
    {"persist", 32 * MiB, FALSE, NULL},
    {"metadata", 16 * MiB, FALSE, NULL},
    {"super", 2 * GiB, FALSE, UB_SIM_LAYOUT_TYPE_SUPER},
    {"userdata", 0, FALSE, UB_SIM_LAYOUT_TYPE_USERDATA},
};

static const UbSimLayoutLogical ub_sim_layout_pixel_logical[] = {
    {"system", 512 * MiB, 64 * MiB},
    {"vendor", 256 * MiB, 0},
    {"product", 256 * MiB, 0},
};

static const UbSimLayoutPart ub_sim_layout_xiaomi[] = {
    {"xbl", 4 * MiB, TRUE, NULL},
    {"abl", 2 * MiB, TRUE, NULL},
    {"tz", 4 * MiB, TRUE, NULL},
    {"modem", 128 * MiB, TRUE, NULL},
    {"dsp", 32 * MiB, TRUE, NULL},
    {"boot", 64 * MiB, TRUE, UB_SIM_LAYOUT_TYPE_BOOT},
    {"dtbo", 16 * MiB, TRUE, NULL},
    {"vbmeta", 64 * KiB, TRUE, NULL},
    {"system", 512 * MiB, TRUE, NULL},
    {"vendor", 256 * MiB, TRUE, NULL},
    {"misc", 1 * MiB, FALSE, NULL},
    {"devinfo", 4 * KiB, FALSE, NULL},
    {"frp", 512 * KiB, FALSE, NULL},
    {"persist", 32 * MiB, FALSE, NULL},
    {"storsec", 128 * KiB, FALSE, NULL},
    {"logfs", 8 * MiB, FALSE, NULL},
    {"cust", 128 * MiB, FALSE, NULL},
    {"metadata", 16 * MiB, FALSE, NULL},
    {"userdata", 0, FALSE, UB_SIM_LAYOUT_TYPE_USERDATA},
};

/*
 * qcom: what a Qualcomm phone in EDL holds, calibration partitions included
 * (modemst1, modemst2, fsg, fsc, persist) so that backups can be tested.
 * UFS: one GPT per LUN; eMMC: one GPT in the user area. Sizes are nominal and
 * scaled down to fit small test storage; the last entry of each table takes
 * the rest. Slot a is active on every _a partition.
 */
static const UbSimLayoutPart ub_sim_layout_qcom_lun0[] = {
    {"ssd", 8 * KiB, FALSE, NULL},
    {"persist", 32 * MiB, FALSE, NULL},
    {"misc", 1 * MiB, FALSE, NULL},
    {"keystore", 512 * KiB, FALSE, NULL},
    {"frp", 512 * KiB, FALSE, NULL},
    {"devinfo", 4 * KiB, FALSE, NULL},
    {"metadata", 16 * MiB, FALSE, NULL},
    {"userdata", 0, FALSE, UB_SIM_LAYOUT_TYPE_USERDATA},
};

static const UbSimLayoutPart ub_sim_layout_qcom_lun1[] = {
    {"xbl_a", 3 * MiB, FALSE, NULL},
    {"xbl_config_a", 128 * KiB, FALSE, NULL},
};

static const UbSimLayoutPart ub_sim_layout_qcom_lun2[] = {
    {"xbl_b", 3 * MiB, FALSE, NULL},
    {"xbl_config_b", 128 * KiB, FALSE, NULL},
};

static const UbSimLayoutPart ub_sim_layout_qcom_lun3[] = {
    {"ALIGN_TO_128K_1", 104 * KiB, FALSE, NULL},
    {"cdt", 128 * KiB, FALSE, NULL},
    {"ddr", 1 * MiB, FALSE, NULL},
};

static const UbSimLayoutPart ub_sim_layout_qcom_lun4[] = {
    {"aop", 512 * KiB, TRUE, NULL},
    {"tz", 4 * MiB, TRUE, NULL},
    {"hyp", 8 * MiB, TRUE, NULL},
    {"modem", 128 * MiB, TRUE, NULL},
    {"abl", 1 * MiB, TRUE, NULL},
    {"boot", 64 * MiB, TRUE, UB_SIM_LAYOUT_TYPE_BOOT},
    {"dtbo", 16 * MiB, TRUE, NULL},
    {"vbmeta", 64 * KiB, TRUE, NULL},
    {"modemst1", 2 * MiB, FALSE, NULL},
    {"modemst2", 2 * MiB, FALSE, NULL},
    {"fsg", 2 * MiB, FALSE, NULL},
    {"fsc", 128 * KiB, FALSE, NULL},
    {"devcfg", 128 * KiB, TRUE, NULL},
};

static const UbSimLayoutPart ub_sim_layout_qcom_lun5[] = {
    {"ALIGN_TO_128K_2", 104 * KiB, FALSE, NULL},
    {"modemst1_bak", 128 * KiB, FALSE, NULL},
};

static const UbSimLayoutPart ub_sim_layout_qcom_emmc[] = {
    {"sbl1", 512 * KiB, FALSE, NULL},
    {"aboot", 1 * MiB, FALSE, NULL},
    {"rpm", 512 * KiB, FALSE, NULL},
    {"tz", 1 * MiB, FALSE, NULL},
    {"boot", 32 * MiB, FALSE, UB_SIM_LAYOUT_TYPE_BOOT},
    {"modem", 64 * MiB, FALSE, NULL},
    {"modemst1", 1536 * KiB, FALSE, NULL},
    {"modemst2", 1536 * KiB, FALSE, NULL},
    {"fsg", 1536 * KiB, FALSE, NULL},
    {"fsc", 1 * KiB, FALSE, NULL},
    {"persist", 32 * MiB, FALSE, NULL},
    {"misc", 1 * MiB, FALSE, NULL},
    {"system", 512 * MiB, FALSE, NULL},
    {"userdata", 0, FALSE, UB_SIM_LAYOUT_TYPE_USERDATA},
};

/*
 * mtk: a MediaTek phone (MT6765-like, as the k65v1_64_bsp scatter lays it out)
 * in the user area (eMMC) or lun2 (UFS); the preloader lives in boot1/boot2
 * (lun0/lun1) outside any GPT. Calibration partitions (proinfo, nvram,
 * nvdata, nvcfg, protect1/2, persist) are there so that Firmware Upgrade
 * and backups can be tested. Sizes are nominal and scaled down to fit.
 */
static const UbSimLayoutPart ub_sim_layout_mtk[] = {
    {"boot_para", 1 * MiB, FALSE, NULL},
    {"recovery", 32 * MiB, FALSE, NULL},
    {"para", 512 * KiB, FALSE, NULL},
    {"expdb", 20 * MiB, FALSE, NULL},
    {"frp", 1 * MiB, FALSE, NULL},
    {"nvcfg", 32 * MiB, FALSE, NULL},
    {"nvdata", 64 * MiB, FALSE, NULL},
    {"metadata", 32 * MiB, FALSE, NULL},
    {"persist", 48 * MiB, FALSE, NULL},
    {"protect1", 8 * MiB, FALSE, NULL},
    {"protect2", 8 * MiB, FALSE, NULL},
    {"seccfg", 8 * MiB, FALSE, NULL},
    {"sec1", 2 * MiB, FALSE, NULL},
    {"proinfo", 3 * MiB, FALSE, NULL},
    {"md1img", 100 * MiB, FALSE, NULL},
    {"spmfw", 1 * MiB, FALSE, NULL},
    {"nvram", 64 * MiB, FALSE, NULL},
    {"lk", 1 * MiB, FALSE, NULL},
    {"lk2", 1 * MiB, FALSE, NULL},
    {"boot", 32 * MiB, FALSE, UB_SIM_LAYOUT_TYPE_BOOT},
    {"logo", 8 * MiB, FALSE, NULL},
    {"dtbo", 8 * MiB, FALSE, NULL},
    {"tee1", 5 * MiB, FALSE, NULL},
    {"tee2", 5 * MiB, FALSE, NULL},
    {"super", 4 * GiB, FALSE, UB_SIM_LAYOUT_TYPE_SUPER},
    {"vbmeta", 8 * MiB, FALSE, NULL},
    {"cache", 432 * MiB, FALSE, NULL},
    {"userdata", 0, FALSE, UB_SIM_LAYOUT_TYPE_USERDATA},
};

static const gchar *const ub_sim_layout_names[] = {"gpt", "pixel", "xiaomi", "qcom", "mtk", NULL};

/**
 * ub_sim_layout_get_names:
 *
 * Returns: (transfer none): "gpt", "pixel", "xiaomi", "qcom", "mtk"
 */
const gchar *const *
ub_sim_layout_get_names(void)
{
	return ub_sim_layout_names;
}

gboolean
ub_sim_layout_check_name(const gchar *name, GError **error)
{
	if (name != NULL && g_strv_contains(ub_sim_layout_names, name))
		return TRUE;
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_FOUND,
		    "unknown layout '%s', expected gpt, pixel, xiaomi, qcom or mtk",
		    name != NULL ? name : "");
	return FALSE;
}

/**
 * ub_sim_layout_get_applied:
 * @storage: the phone's storage
 *
 * Returns: (transfer full): the layout recorded in DIR/layout.ini, "gpt" if none
 */
gchar *
ub_sim_layout_get_applied(UbSimStorage *storage)
{
	g_autofree gchar *fn =
	    g_build_filename(ub_sim_storage_get_dir(storage), UB_SIM_LAYOUT_SIDECAR, NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	gchar *name;
	if (!g_key_file_load_from_file(kf, fn, G_KEY_FILE_NONE, NULL))
		return g_strdup("gpt");
	name = g_key_file_get_string(kf, "phone", "layout", NULL);
	return name != NULL ? name : g_strdup("gpt");
}

/* a GUID that only depends on @what */
static gchar *
ub_sim_layout_guid(const gchar *layout, const gchar *what)
{
	g_autofree gchar *key = g_strdup_printf("unbrick-sim:%s:%s", layout, what);
	g_autofree gchar *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
	/* version 4 and variant bits, as if random */
	return g_strdup_printf("%.8s-%.4s-4%.3s-8%.3s-%.12s", h, h + 8, h + 12, h + 15, h + 18);
}

/* the region that holds the GPT with the operating system: the biggest */
static gchar *
ub_sim_layout_main_region(UbSimStorage *storage)
{
	g_auto(GStrv) regions = ub_sim_storage_get_region_names(storage);
	const gchar *best = NULL;
	for (guint i = 0; regions[i] != NULL; i++) {
		if (best == NULL || ub_sim_storage_get_region_size(storage, regions[i]) >
					ub_sim_storage_get_region_size(storage, best))
			best = regions[i];
	}
	return g_strdup(best);
}

/*
 * The GPT entries of @parts at their nominal sizes, slotted ones twice (_a, _b), with GUIDs
 * derived from @layout_name; the slot attributes go on every slotted partition, or only on
 * @slot_part. Names and GUIDs stay in @strings.
 */
static GArray *
ub_sim_layout_expand(const gchar *layout_name,
		     const UbSimLayoutPart *parts,
		     guint n_parts,
		     const gchar *slot_part,
		     GPtrArray *strings)
{
	g_autoptr(GArray) entries = g_array_new(FALSE, TRUE, sizeof(UbGptLayoutEntry));

	for (guint i = 0; i < n_parts; i++) {
		for (guint s = 0; s < (parts[i].slotted ? 2u : 1u); s++) {
			UbGptLayoutEntry e = {0};
			gchar *name = parts[i].slotted
					  ? g_strdup_printf("%s_%c", parts[i].name, "ab"[s])
					  : g_strdup(parts[i].name);
			gchar *guid = ub_sim_layout_guid(layout_name, name);
			g_ptr_array_add(strings, name);
			g_ptr_array_add(strings, guid);
			e.name = name;
			e.unique_guid = guid;
			e.type_guid = parts[i].type_guid;
			e.size = parts[i].size;
			if (parts[i].slotted &&
			    (slot_part == NULL || g_strcmp0(parts[i].name, slot_part) == 0))
				e.attributes = s == 0 ? UB_SIM_LAYOUT_SLOT_A : UB_SIM_LAYOUT_SLOT_B;
			g_array_append_val(entries, e);
		}
	}
	return g_steal_pointer(&entries);
}

/* builds the table of @entries and writes both copies to @region */
static gboolean
ub_sim_layout_write_entries(UbSimStorage *storage,
			    const gchar *region,
			    GArray *entries,
			    const gchar *disk_guid,
			    const gchar *what,
			    GError **error)
{
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;

	if (!ub_gpt_build((const UbGptLayoutEntry *)entries->data,
			  entries->len,
			  ub_sim_storage_get_sector_size(storage),
			  ub_sim_storage_get_region_size(storage, region),
			  disk_guid,
			  &primary,
			  &backup,
			  error)) {
		g_prefix_error(error, "failed to build %s: ", what);
		return FALSE;
	}
	return ub_sim_storage_write_gpt(storage, region, primary, backup, error);
}

static gboolean
ub_sim_layout_write_gpt(UbSimStorage *storage,
			const gchar *layout_name,
			const UbSimLayoutPart *parts,
			guint n_parts,
			GError **error)
{
	g_autofree gchar *region = ub_sim_layout_main_region(storage);
	guint64 region_size = ub_sim_storage_get_region_size(storage, region);
	g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) entries = ub_sim_layout_expand(layout_name, parts, n_parts, "boot", strings);
	g_autofree gchar *disk_guid = ub_sim_layout_guid(layout_name, "disk");
	g_autofree gchar *what = g_strdup_printf("the %s layout", layout_name);

	/* scaled down when the user area is smaller than nominal */
	for (guint i = 0; i < entries->len; i++) {
		UbGptLayoutEntry *e = &g_array_index(entries, UbGptLayoutEntry, i);
		if (e->size > 0 && region_size < UB_SIM_LAYOUT_NOMINAL)
			e->size = MAX((e->size / 4096) * (region_size / 4096) /
					  (UB_SIM_LAYOUT_NOMINAL / 4096),
				      1) *
				  4096;
	}
	return ub_sim_layout_write_entries(storage, region, entries, disk_guid, what, error);
}

/* one table of the qcom layout in @region, scaled to fit when the region is small */
static gboolean
ub_sim_layout_write_region(UbSimStorage *storage,
			   const gchar *layout_name,
			   const gchar *region,
			   const UbSimLayoutPart *parts,
			   guint n_parts,
			   GError **error)
{
	guint64 region_size = ub_sim_storage_get_region_size(storage, region);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) entries = ub_sim_layout_expand(layout_name, parts, n_parts, NULL, strings);
	g_autofree gchar *disk_guid = ub_sim_layout_guid(layout_name, region);
	g_autofree gchar *what = g_strdup_printf("the %s layout of %s", layout_name, region);
	guint64 total = 0;
	guint64 room;

	/* both GPT copies plus alignment, and a quarter left for the last entry */
	for (guint i = 0; i < entries->len; i++)
		total += g_array_index(entries, UbGptLayoutEntry, i).size;
	room = region_size > 256 * KiB
		   ? (region_size - 256 * KiB - entries->len * 4 * KiB) / 4 * 3
		   : 0;
	for (guint i = 0; i < entries->len; i++) {
		UbGptLayoutEntry *e = &g_array_index(entries, UbGptLayoutEntry, i);
		if (e->size > 0 && total > room)
			e->size = (guint64)((gdouble)e->size * (gdouble)room / (gdouble)total);
		if (e->size > 0)
			e->size = MAX(e->size / 4096 * 4096, MAX(4096, sector_size));
	}
	return ub_sim_layout_write_entries(storage, region, entries, disk_guid, what, error);
}

static gboolean
ub_sim_layout_write_qcom(UbSimStorage *storage, GError **error)
{
	struct {
		const gchar *region;
		const UbSimLayoutPart *parts;
		guint n_parts;
	} tables[] = {
	    {"user", ub_sim_layout_qcom_emmc, G_N_ELEMENTS(ub_sim_layout_qcom_emmc)},
	    {"lun0", ub_sim_layout_qcom_lun0, G_N_ELEMENTS(ub_sim_layout_qcom_lun0)},
	    {"lun1", ub_sim_layout_qcom_lun1, G_N_ELEMENTS(ub_sim_layout_qcom_lun1)},
	    {"lun2", ub_sim_layout_qcom_lun2, G_N_ELEMENTS(ub_sim_layout_qcom_lun2)},
	    {"lun3", ub_sim_layout_qcom_lun3, G_N_ELEMENTS(ub_sim_layout_qcom_lun3)},
	    {"lun4", ub_sim_layout_qcom_lun4, G_N_ELEMENTS(ub_sim_layout_qcom_lun4)},
	    {"lun5", ub_sim_layout_qcom_lun5, G_N_ELEMENTS(ub_sim_layout_qcom_lun5)},
	};
	/* the LUNs a small test storage lacks are skipped */
	for (guint i = 0; i < G_N_ELEMENTS(tables); i++) {
		if (!ub_sim_storage_has_region(storage, tables[i].region))
			continue;
		if (!ub_sim_layout_write_region(storage,
						"qcom",
						tables[i].region,
						tables[i].parts,
						tables[i].n_parts,
						error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
ub_sim_layout_create_logical(UbSimStorage *storage,
			     const UbSimLayoutLogical *logical,
			     guint n_logical,
			     GError **error)
{
	g_autoptr(UbSimSuper) super = NULL;
	g_autofree gchar *fn =
	    g_build_filename(ub_sim_storage_get_dir(storage), UB_SIM_SUPER_SIDECAR, NULL);
	guint64 super_size = 0;

	/* a fresh table, not merged with an older phone's */
	(void)g_remove(fn);
	super = ub_sim_super_load(storage, "super", error);
	if (super == NULL)
		return FALSE;
	{
		g_autoptr(UbPartition) part = ub_sim_storage_find_partition(storage, "super", error);
		if (part == NULL)
			return FALSE;
		super_size = ub_partition_get_size(part);
	}
	for (guint i = 0; i < n_logical; i++) {
		for (guint s = 0; s < 2; s++) {
			g_autofree gchar *name = g_strdup_printf("%s_%c", logical[i].name, "ab"[s]);
			guint64 size = s == 0 ? logical[i].size : logical[i].size_b;
			/* scaled like super itself */
			if (super_size < 2 * GiB)
				size = size / 4096 * (super_size / 4096) / (2 * GiB / 4096) * 4096;
			if (!ub_sim_super_create_partition(super, name, size, error))
				return FALSE;
		}
	}
	return ub_sim_super_save(super, error);
}

/**
 * ub_sim_layout_apply:
 * @storage: the phone's storage
 * @name: "gpt", "pixel", "xiaomi", "qcom" or "mtk"
 * @error: (nullable): return location for a #GError
 *
 * Gives the phone a built-in layout (see the top of ub-sim-layouts.c). "gpt"
 * keeps the table on the storage. Nothing is written when @storage already
 * has @name.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_layout_apply(UbSimStorage *storage, const gchar *name, GError **error)
{
	g_autofree gchar *applied = NULL;
	g_autofree gchar *fn = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();

	g_return_val_if_fail(UB_IS_SIM_STORAGE(storage), FALSE);
	if (!ub_sim_layout_check_name(name, error))
		return FALSE;
	applied = ub_sim_layout_get_applied(storage);
	fn = g_build_filename(ub_sim_storage_get_dir(storage), UB_SIM_LAYOUT_SIDECAR, NULL);
	/* "gpt" is also what get_applied() says when nothing was recorded yet */
	if (g_strcmp0(applied, name) == 0 && g_file_test(fn, G_FILE_TEST_EXISTS))
		return TRUE;
	if (g_strcmp0(name, "gpt") == 0) {
		/* nothing to write: only recorded, so no default layout follows */
	} else if (g_strcmp0(name, "pixel") == 0) {
		if (!ub_sim_layout_write_gpt(storage,
					     name,
					     ub_sim_layout_pixel,
					     G_N_ELEMENTS(ub_sim_layout_pixel),
					     error))
			return FALSE;
		if (!ub_sim_layout_create_logical(storage,
						  ub_sim_layout_pixel_logical,
						  G_N_ELEMENTS(ub_sim_layout_pixel_logical),
						  error))
			return FALSE;
	} else if (g_strcmp0(name, "qcom") == 0) {
		if (!ub_sim_layout_write_qcom(storage, error))
			return FALSE;
	} else if (g_strcmp0(name, "mtk") == 0) {
		g_autofree gchar *region = ub_sim_layout_main_region(storage);
		if (!ub_sim_layout_write_region(storage,
						name,
						region,
						ub_sim_layout_mtk,
						G_N_ELEMENTS(ub_sim_layout_mtk),
						error))
			return FALSE;
	} else {
		g_autofree gchar *lp = g_build_filename(ub_sim_storage_get_dir(storage),
						       UB_SIM_SUPER_SIDECAR,
						       NULL);
		if (!ub_sim_layout_write_gpt(storage,
					     name,
					     ub_sim_layout_xiaomi,
					     G_N_ELEMENTS(ub_sim_layout_xiaomi),
					     error))
			return FALSE;
		(void)g_remove(lp);
	}
	g_key_file_set_string(kf, "phone", "layout", name);
	return g_key_file_save_to_file(kf, fn, error);
}

/**
 * ub_sim_layout_apply_default:
 * @storage: a #UbSimStorage
 * @fallback: the layout when $UB_SIM_LAYOUT is unset or empty
 * @error: (nullable): return location for a #GError
 *
 * Gives a new storage folder (one without the sidecar yet) the layout named by
 * $UB_SIM_LAYOUT, or @fallback; a folder that has a layout keeps it.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_layout_apply_default(UbSimStorage *storage, const gchar *fallback, GError **error)
{
	g_autofree gchar *fn = NULL;
	const gchar *layout = g_getenv("UB_SIM_LAYOUT");

	g_return_val_if_fail(UB_IS_SIM_STORAGE(storage), FALSE);
	g_return_val_if_fail(fallback != NULL, FALSE);

	fn = g_build_filename(ub_sim_storage_get_dir(storage), UB_SIM_LAYOUT_SIDECAR, NULL);
	if (g_file_test(fn, G_FILE_TEST_EXISTS))
		return TRUE;
	if (layout == NULL || layout[0] == '\0')
		layout = fallback;
	return ub_sim_layout_apply(storage, layout, error);
}
