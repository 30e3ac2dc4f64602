/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-mtk-checksum.h"
#include "ub-package-scatter.h"
#include "ub-scatter.h"

/*
 * Fills a UbPackage from a MediaTek scatter file. References are sections of
 * shared/reference/mtk.md: b.3 (fields, regions, pseudo addresses), b.4
 * (operation types and the three download modes of SP Flash Tool), b.5
 * (Checksum.ini).
 */

typedef struct {
	UbPackage *pkg;
	const gchar *relpath;
	gchar *dirname; /* "" or "dir/" */
	gchar *basename;
	UbScatter *scatter;
	UbScatterLayout *layout;
	gboolean linear_mode;
	guint64 user_base;
	/* parallel to the package rows this loader added */
	GPtrArray *rows;  /* of UbPackagePartition (owned by the package) */
	GPtrArray *recs;  /* of UbScatterPartition (owned by the scatter) */
	GPtrArray *files; /* of utf8 (package files) for the brace preloader search */
} UbPackageScatterHelper;

static void
ub_package_scatter_helper_free(UbPackageScatterHelper *helper)
{
	g_free(helper->dirname);
	g_free(helper->basename);
	if (helper->scatter != NULL)
		g_object_unref(helper->scatter);
	g_ptr_array_unref(helper->rows);
	g_ptr_array_unref(helper->recs);
	if (helper->files != NULL)
		g_ptr_array_unref(helper->files);
	g_free(helper);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbPackageScatterHelper, ub_package_scatter_helper_free)

static gchar *
ub_package_scatter_where(UbPackageScatterHelper *helper, guint line)
{
	return g_strdup_printf("%s:%u", helper->basename, line);
}

/* the region of a record; brace files have none: the preloader lives in boot1 of
 * the same-era V1.1.1 file, everything else in the user area */
static const gchar *
ub_package_scatter_region(UbPackageScatterHelper *helper, const UbScatterPartition *rec)
{
	const gchar *canonical;
	if (rec->region == NULL) {
		if (ub_scatter_get_kind(helper->scatter) == UB_SCATTER_KIND_BRACE)
			return rec->operation == UB_SCATTER_OPERATION_BOOTLOADERS ? "EMMC_BOOT1"
										  : "EMMC_USER";
		return NULL;
	}
	canonical = ub_scatter_region_normalize(rec->region);
	if (canonical == NULL) {
		ub_package_add_warning(helper->pkg,
				       "%s:%u: %s: unknown region %s, kept as written",
				       helper->basename,
				       rec->line,
				       rec->name,
				       rec->region);
		return rec->region;
	}
	return canonical;
}

/*
 * Old layouts (the V1.1.1 file, the brace format) give offsets in SP Flash
 * Tool's flat "linear" space that starts with the boot area (mtk.md b.1: the
 * 0xC00000 preloader area); their physical_start_addr is 0 everywhere or
 * absent. The offset inside the user area is then linear - the first user
 * partition's linear address (that partition is MBR, at user offset 0).
 */
static void
ub_package_scatter_detect_linear(UbPackageScatterHelper *helper)
{
	GPtrArray *parts = helper->layout->partitions;
	gboolean all_zero = TRUE;
	gboolean linear_nonzero = FALSE;
	guint64 base = G_MAXUINT64;

	for (guint i = 0; i < parts->len; i++) {
		UbScatterPartition *rec = g_ptr_array_index(parts, i);
		const gchar *region = ub_package_scatter_region(helper, rec);
		if (ub_scatter_region_is_boot(region) || ub_scatter_partition_is_pseudo(rec))
			continue;
		if (rec->has_physical_start_addr && rec->physical_start_addr != 0)
			all_zero = FALSE;
		if (rec->linear_start_addr != 0)
			linear_nonzero = TRUE;
		base = MIN(base, rec->linear_start_addr);
	}
	if (!all_zero || !linear_nonzero || base == G_MAXUINT64)
		return;
	helper->linear_mode = TRUE;
	helper->user_base = base;
	if (ub_scatter_get_kind(helper->scatter) != UB_SCATTER_KIND_BRACE) {
		ub_package_add_warning(helper->pkg,
				       "%s: physical_start_addr is 0 for every partition; user-area "
				       "offsets are linear_start_addr - 0x%" G_GINT64_MODIFIER "x",
				       helper->basename,
				       base);
	}
}

/* the brace format names no files: SP Flash Tool's names, as the same-era
 * V1.1.1 file spells them */
static const struct {
	const gchar *name;
	const gchar *file;
} ub_package_scatter_brace_files[] = {
    {"MBR", "MBR"},
    {"EBR1", "EBR1"},
    {"EBR2", "EBR2"},
    {"UBOOT", "lk.bin"},
    {"BOOTIMG", "boot.img"},
    {"RECOVERY", "recovery.img"},
    {"SEC_RO", "secro.img"},
    {"LOGO", "logo.bin"},
    {"ANDROID", "system.img"},
    {"CACHE", "cache.img"},
    {"USRDATA", "userdata.img"},
};

static gchar *
ub_package_scatter_brace_file(UbPackageScatterHelper *helper,
			      const UbScatterPartition *rec,
			      GCancellable *cancellable)
{
	if (rec->operation == UB_SCATTER_OPERATION_BOOTLOADERS) {
		/* preloader_<project>.bin: take it when there is exactly one */
		g_autoptr(GError) error_local = NULL;
		const gchar *found = NULL;
		guint n = 0;
		if (helper->files == NULL) {
			helper->files = ub_package_source_list(ub_package_get_source(helper->pkg),
							       cancellable,
							       &error_local);
			if (helper->files == NULL) {
				g_debug("ignoring: %s", error_local->message);
				helper->files = g_ptr_array_new_with_free_func(g_free);
			}
		}
		for (guint i = 0; i < helper->files->len; i++) {
			const gchar *fn = g_ptr_array_index(helper->files, i);
			const gchar *base;
			if (!g_str_has_prefix(fn, helper->dirname))
				continue;
			base = fn + strlen(helper->dirname);
			if (strchr(base, '/') != NULL)
				continue;
			if (g_ascii_strncasecmp(base, "preloader", 9) == 0 &&
			    g_str_has_suffix(base, ".bin")) {
				found = base;
				n++;
			}
		}
		if (n == 1)
			return g_strdup(found);
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS(ub_package_scatter_brace_files); i++) {
		if (g_ascii_strcasecmp(rec->name, ub_package_scatter_brace_files[i].name) == 0)
			return g_strdup(ub_package_scatter_brace_files[i].file);
	}
	return NULL;
}

static const gchar *
ub_package_scatter_slot(const gchar *name)
{
	if (g_str_has_suffix(name, "_a"))
		return "a";
	if (g_str_has_suffix(name, "_b"))
		return "b";
	return NULL;
}

static gboolean
ub_package_scatter_same_record(const UbScatterPartition *a, const UbScatterPartition *b)
{
	return a->linear_start_addr == b->linear_start_addr &&
	       a->physical_start_addr == b->physical_start_addr &&
	       a->partition_size == b->partition_size && a->is_download == b->is_download &&
	       a->operation == b->operation && g_strcmp0(a->file_name, b->file_name) == 0 &&
	       g_strcmp0(a->region, b->region) == 0;
}

static gboolean
ub_package_scatter_add_row(UbPackageScatterHelper *helper,
			   const UbScatterPartition *rec,
			   const UbPackageOptions *options,
			   GCancellable *cancellable,
			   GError **error)
{
	UbPackagePartition *part;
	const gchar *region = ub_package_scatter_region(helper, rec);
	g_autofree gchar *file = NULL;
	guint64 addr;

	/* duplicate records (mtk.md b.1): identical ones are dropped (the parser
	 * already warned), conflicting ones make no sense */
	if (rec->duplicate_of >= 0) {
		const UbScatterPartition *orig =
		    g_ptr_array_index(helper->layout->partitions, rec->duplicate_of);
		if (ub_package_scatter_same_record(orig, rec))
			return TRUE;
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s:%u: partition %s is listed twice with different values "
			    "(first on line %u)",
			    helper->basename,
			    rec->line,
			    rec->name,
			    orig->line);
		return FALSE;
	}

	part = ub_package_partition_new(rec->name);
	ub_package_add_partition(helper->pkg, part);
	g_ptr_array_add(helper->rows, part);
	g_ptr_array_add(helper->recs, (gpointer)rec);

	part->region = g_strdup(region);
	part->lun = ub_scatter_region_get_lun(region);
	part->operation = g_strdup(rec->operation != UB_SCATTER_OPERATION_UNKNOWN
				       ? ub_scatter_operation_to_string(rec->operation)
				       : rec->operation_type);
	part->slot = g_strdup(ub_package_scatter_slot(rec->name));
	part->calibration_reason = ub_package_calibration_reason(rec->name);
	part->calibration = part->calibration_reason != NULL;

	/* size */
	part->size = rec->has_partition_size ? rec->partition_size : UB_PACKAGE_UNKNOWN;

	/* start: the offset inside the region; pseudo addresses count from the end
	 * of the user area (b.3) and need the device's size */
	addr = rec->has_physical_start_addr ? rec->physical_start_addr : rec->linear_start_addr;
	if (ub_scatter_partition_is_pseudo(rec)) {
		const gchar *key = ub_scatter_partition_get_pseudo_key(rec);
		guint64 disk_size = options != NULL ? options->disk_size : 0;
		addr = g_strcmp0(key, "physical_start_addr") == 0 ? rec->physical_start_addr
								   : rec->linear_start_addr;
		part->start_expr = g_strdup(g_hash_table_lookup(rec->fields, key));
		part->start = ub_scatter_resolve_pseudo(addr,
							rec->has_partition_size ? rec->partition_size
										: 0,
							helper->layout->block_size,
							disk_size,
							ub_scatter_layout_get_tail(helper->layout));
		if (part->start == G_MAXUINT64) {
			part->start = UB_PACKAGE_UNKNOWN;
			if (disk_size != 0) {
				ub_package_add_warning(
				    helper->pkg,
				    "%s:%u: %s at %s does not fit a %" G_GUINT64_FORMAT
				    "-byte user area",
				    helper->basename,
				    rec->line,
				    rec->name,
				    part->start_expr,
				    disk_size);
			}
		}
	} else if (helper->linear_mode && !ub_scatter_region_is_boot(region)) {
		part->start = rec->linear_start_addr - helper->user_base;
	} else {
		part->start = addr;
	}

	/* the image, relative to the scatter's folder */
	if (ub_scatter_get_kind(helper->scatter) == UB_SCATTER_KIND_BRACE) {
		if (rec->is_download) {
			file = ub_package_scatter_brace_file(helper, rec, cancellable);
			if (file == NULL) {
				ub_package_add_warning(helper->pkg,
						       "%s:%u: no image is known for %s",
						       helper->basename,
						       rec->line,
						       rec->name);
			}
		}
	} else if (rec->file_name != NULL && rec->file_name[0] != '\0' &&
		   g_ascii_strcasecmp(rec->file_name, "NONE") != 0) {
		file = g_strdup(rec->file_name);
	}
	if (file != NULL) {
		g_autofree gchar *path = g_strconcat(helper->dirname, file, NULL);
		if (!ub_package_source_path_is_safe(file) || !ub_package_source_path_is_safe(path)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s:%u: file_name '%s' of %s leaves the package folder",
				    helper->basename,
				    rec->line,
				    file,
				    rec->name);
			return FALSE;
		}
		part->file = g_steal_pointer(&path);
	}
	if (rec->is_download && part->file == NULL &&
	    ub_scatter_get_kind(helper->scatter) != UB_SCATTER_KIND_BRACE) {
		ub_package_add_warning(helper->pkg,
				       "%s:%u: %s is marked is_download but names no file",
				       helper->basename,
				       rec->line,
				       rec->name);
	}
	part->download = rec->is_download && part->file != NULL;
	return TRUE;
}

/* plans: mtk.md b.4 table */

static gboolean
ub_package_scatter_op_writes(UbScatterOperation op)
{
	/* is_download rows of these types are written in every mode */
	return op == UB_SCATTER_OPERATION_BOOTLOADERS || op == UB_SCATTER_OPERATION_UPDATE ||
	       op == UB_SCATTER_OPERATION_NEEDRESIZE || op == UB_SCATTER_OPERATION_UNKNOWN;
}

static gboolean
ub_package_scatter_is_userdata(const gchar *name)
{
	return g_ascii_strcasecmp(name, "userdata") == 0 ||
	       g_ascii_strcasecmp(name, "USRDATA") == 0;
}

static void
ub_package_scatter_add_step(UbPackageScatterHelper *helper,
			    UbPackagePlan *plan,
			    UbPackageStepKind kind,
			    const UbPackagePartition *part,
			    const UbScatterPartition *rec)
{
	UbPackageStep *step =
	    ub_package_step_new(kind, part->name, kind == UB_PACKAGE_STEP_FLASH ? part->file : NULL);
	step->arg = g_strdup(part->region);
	step->line = ub_package_scatter_where(helper, rec->line);
	g_ptr_array_add(plan->steps, step);
	if (ub_package_scatter_is_userdata(part->name) || part->calibration)
		plan->destructive = TRUE;
}

/* "Download Only": every checked row with a file whose type is written (b.4:
 * BOOTLOADERS to boot1/boot2, UPDATE erase + write); INVISIBLE, PROTECTED,
 * BINREGION and RESERVED rows stay untouched. A FLASH step of the MTK engine
 * erases the partition range before writing it. SP Flash Tool refuses this
 * mode when the device's layout differs from the scatter (STATUS_LAYOUT_CHANGED):
 * that check needs a device and belongs to the engine. */
static UbPackagePlan *
ub_package_scatter_plan_download_only(UbPackageScatterHelper *helper)
{
	UbPackagePlan *plan =
	    ub_package_plan_new(UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY, "Download Only");
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		UbScatterPartition *rec = g_ptr_array_index(helper->recs, i);
		if (!part->download)
			continue;
		if (!ub_package_scatter_op_writes(rec->operation)) {
			ub_package_add_warning(helper->pkg,
					       "%s:%u: %s is marked is_download but operation_type "
					       "%s is never written",
					       helper->basename,
					       rec->line,
					       rec->name,
					       part->operation);
			continue;
		}
		ub_package_scatter_add_step(helper, plan, UB_PACKAGE_STEP_FLASH, part, rec);
	}
	return plan;
}

/* "Firmware Upgrade" (b.4, b.3 is_upgradable): read back the protected rows,
 * format, download, restore. Here: INVISIBLE rows are erased, UPDATE rows are
 * erased and written, BOOTLOADERS written, PROTECTED and BINREGION kept (the
 * engine backs them up and restores them if the layout changed), RESERVED
 * untouched. Rows with is_upgradable=false are not part of the upgrade and are
 * kept (userdata, cache, logo in the corpus). Calibration partitions are never
 * formatted in this mode, whatever their type says (nvdata is INVISIBLE in
 * older files). */
/* a row that holds a partition table: GPT (pgpt, sgpt) or the old MBR/EBR/PMT */
static gboolean
ub_package_scatter_row_is_table(const gchar *name)
{
	const gchar *tables[] = {"pgpt", "sgpt", "mbr", "ebr1", "ebr2", "pmt"};
	for (guint i = 0; name != NULL && i < G_N_ELEMENTS(tables); i++) {
		if (g_ascii_strcasecmp(name, tables[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

static UbPackagePlan *
ub_package_scatter_plan_firmware_upgrade(UbPackageScatterHelper *helper)
{
	UbPackagePlan *plan =
	    ub_package_plan_new(UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE, "Firmware Upgrade");

	/* format first, then download; the partition tables (pgpt, sgpt) are
	 * the new layout, written from the scatter: never erased here */
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		UbScatterPartition *rec = g_ptr_array_index(helper->recs, i);
		if (!rec->is_upgradable || part->calibration || part->download ||
		    ub_package_scatter_row_is_table(part->name))
			continue;
		if (rec->operation == UB_SCATTER_OPERATION_INVISIBLE ||
		    rec->operation == UB_SCATTER_OPERATION_UPDATE ||
		    rec->operation == UB_SCATTER_OPERATION_NEEDRESIZE)
			ub_package_scatter_add_step(helper, plan, UB_PACKAGE_STEP_FORMAT, part, rec);
	}
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		UbScatterPartition *rec = g_ptr_array_index(helper->recs, i);
		if (!rec->is_upgradable || !part->download)
			continue;
		if (!ub_package_scatter_op_writes(rec->operation))
			continue;
		ub_package_scatter_add_step(helper, plan, UB_PACKAGE_STEP_FLASH, part, rec);
	}
	return plan;
}

/* "Format All + Download" (b.4, a.9 "format whole flash except bootloader"):
 * every row but BOOTLOADERS and RESERVED is erased, PROTECTED and BINREGION
 * included (calibration is lost without a backup), then every checked row is
 * written, is_upgradable or not. */
static UbPackagePlan *
ub_package_scatter_plan_format_all_download(UbPackageScatterHelper *helper)
{
	UbPackagePlan *plan = ub_package_plan_new(UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD,
						  "Format All + Download");
	plan->destructive = TRUE;
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		UbScatterPartition *rec = g_ptr_array_index(helper->recs, i);
		if (rec->operation == UB_SCATTER_OPERATION_BOOTLOADERS ||
		    rec->operation == UB_SCATTER_OPERATION_RESERVED ||
		    rec->operation == UB_SCATTER_OPERATION_UNKNOWN ||
		    ub_scatter_region_is_boot(part->region))
			continue;
		ub_package_scatter_add_step(helper, plan, UB_PACKAGE_STEP_FORMAT, part, rec);
	}
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		UbScatterPartition *rec = g_ptr_array_index(helper->recs, i);
		if (!part->download || !ub_package_scatter_op_writes(rec->operation))
			continue;
		ub_package_scatter_add_step(helper, plan, UB_PACKAGE_STEP_FLASH, part, rec);
	}
	return plan;
}

/*
 * MBR/EBR (PMT) era layouts (MT6589, MT6572, MT6582 ... 2012-2015): the user
 * area starts with an MBR image and the EBR chain, the real table is MediaTek's
 * PMT (mtk.md a.8), and the phones only run the legacy Download Agent protocol
 * (mtk.md a.5): the engine speaks it when the DA file has a legacy entry.
 * Told as soon as the package is opened, before any phone is.
 */
static gboolean
ub_package_scatter_is_pmt_era(UbPackageScatterHelper *helper)
{
	const gchar *tables[] = {"mbr", "ebr1", "ebr2", "pmt"};
	if (ub_scatter_get_kind(helper->scatter) == UB_SCATTER_KIND_BRACE)
		return TRUE;
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		if (ub_scatter_region_is_boot(part->region))
			continue;
		for (guint j = 0; j < G_N_ELEMENTS(tables); j++) {
			if (g_ascii_strcasecmp(part->name, tables[j]) == 0)
				return TRUE;
		}
	}
	return FALSE;
}

/* Checksum.ini beside the scatter (b.5) */

static UbPackagePartition *
ub_package_scatter_find_row(UbPackageScatterHelper *helper, const gchar *key)
{
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		if (g_strcmp0(part->name, key) == 0)
			return part;
	}
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		if (g_ascii_strcasecmp(part->name, key) == 0)
			return part;
	}
	/* a file name instead of a partition name */
	for (guint i = 0; i < helper->rows->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(helper->rows, i);
		if (part->file != NULL &&
		    g_strcmp0(part->file + strlen(helper->dirname), key) == 0)
			return part;
	}
	return NULL;
}

static gboolean
ub_package_scatter_load_checksums(UbPackageScatterHelper *helper,
				  GCancellable *cancellable,
				  GError **error)
{
	const gchar *names[] = {"Checksum.ini", "checksum.ini", "CheckSum.ini"};
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(UbMtkChecksum) ini = NULL;
	g_autoptr(GHashTable) added = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree gchar *path = NULL;
	GPtrArray *entries;

	for (guint i = 0; i < G_N_ELEMENTS(names) && blob == NULL; i++) {
		g_autoptr(GError) error_local = NULL;
		g_free(path);
		path = g_strconcat(helper->dirname, names[i], NULL);
		blob = ub_package_source_load(ub_package_get_source(helper->pkg),
					      path,
					      UB_MTK_CHECKSUM_MAX_SIZE,
					      cancellable,
					      &error_local);
		if (blob == NULL) {
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_FOUND) ||
			    g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
				continue;
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "failed to read %s: ",
						   path);
			return FALSE;
		}
	}
	if (blob == NULL)
		return TRUE;

	ini = ub_mtk_checksum_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), error);
	if (ini == NULL) {
		g_prefix_error(error, "failed to parse %s: ", path);
		return FALSE;
	}
	for (guint i = 0; i < ub_mtk_checksum_get_warnings(ini)->len; i++) {
		ub_package_add_warning(helper->pkg,
				       "%s: %s",
				       path,
				       (const gchar *)g_ptr_array_index(
					   ub_mtk_checksum_get_warnings(ini),
					   i));
	}
	if (!ub_mtk_checksum_get_enabled(ini)) {
		ub_package_add_warning(helper->pkg,
				       "%s: CHECKSUM_SWITCH=0, checksums are not verified",
				       path);
		return TRUE;
	}
	entries = ub_mtk_checksum_get_entries(ini);
	for (guint i = 0; i < entries->len; i++) {
		UbMtkChecksumEntry *entry = g_ptr_array_index(entries, i);
		UbPackagePartition *part = ub_package_scatter_find_row(helper, entry->name);
		g_autofree gchar *origin = NULL;
		g_autofree gchar *id = NULL;

		if (part == NULL) {
			ub_package_add_warning(helper->pkg,
					       "%s:%u: %s matches no partition of the scatter",
					       path,
					       entry->line,
					       entry->name);
			continue;
		}
		if (part->file == NULL) {
			ub_package_add_warning(helper->pkg,
					       "%s:%u: %s has no image in the scatter",
					       path,
					       entry->line,
					       entry->name);
			continue;
		}
		/* lk and lk2 share lk.img: verify each file once per value */
		id = g_strdup_printf("%s\n%04x", part->file, entry->value);
		if (g_hash_table_contains(added, id))
			continue;
		g_hash_table_add(added, g_steal_pointer(&id));
		origin = g_strdup_printf("%s:%u", path, entry->line);
		ub_package_add_mtk_checksum(helper->pkg, part->file, entry->value, origin);
	}
	return TRUE;
}

static gchar *
ub_package_scatter_storage(UbPackageScatterHelper *helper, const UbScatterLayout *layout)
{
	const gchar *storage = layout->storage != NULL ? layout->storage : layout->storage_type;
	/* 2012-13 brace files are eMMC layouts (MT6589_Android_scatter_emmc.txt) */
	if (storage == NULL && ub_scatter_get_kind(helper->scatter) == UB_SCATTER_KIND_BRACE)
		return g_strdup("emmc");
	if (storage == NULL)
		return NULL;
	if (g_str_has_prefix(storage, "HW_STORAGE_"))
		storage += strlen("HW_STORAGE_");
	return g_ascii_strdown(storage, -1);
}

static UbScatterLayout *
ub_package_scatter_pick_layout(UbPackageScatterHelper *helper,
			       const UbPackageOptions *options,
			       GError **error)
{
	GPtrArray *layouts = ub_scatter_get_layouts(helper->scatter);
	UbScatterLayout *layout;
	g_autoptr(GString) names = g_string_new(NULL);

	for (guint i = 0; i < layouts->len; i++) {
		UbScatterLayout *tmp = g_ptr_array_index(layouts, i);
		g_autofree gchar *storage = ub_package_scatter_storage(helper, tmp);
		if (names->len > 0)
			g_string_append(names, ", ");
		g_string_append(names, storage != NULL ? storage : "unnamed");
	}
	if (options == NULL || options->storage == NULL) {
		layout = g_ptr_array_index(layouts, 0);
		if (layouts->len > 1) {
			g_autofree gchar *storage = ub_package_scatter_storage(helper, layout);
			ub_package_add_warning(helper->pkg,
					       "%s has layouts for %s; showing %s until the "
					       "device's storage is known",
					       helper->basename,
					       names->str,
					       storage != NULL ? storage : "the first");
		}
		return layout;
	}
	for (guint i = 0; i < layouts->len; i++) {
		UbScatterLayout *tmp = g_ptr_array_index(layouts, i);
		g_autofree gchar *storage = ub_package_scatter_storage(helper, tmp);
		if (g_strcmp0(tmp->storage_type, NULL) != 0 &&
		    g_ascii_strcasecmp(tmp->storage_type, options->storage) == 0)
			return tmp;
		if (storage != NULL && g_ascii_strcasecmp(storage, options->storage) == 0)
			return tmp;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_FOUND,
		    "%s has no %s layout (it has: %s)",
		    helper->basename,
		    options->storage,
		    names->str);
	return NULL;
}

/**
 * ub_package_load_scatter:
 * @pkg: the package to fill
 * @relpath: the scatter file inside the package source
 * @options: (nullable): storage to pick a V2.x block, disk size to resolve
 *   pseudo addresses
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): a #GError
 *
 * Reads a scatter file (and a Checksum.ini beside it) through the package
 * source and adds its partitions, the three SP Flash Tool plans, warnings and
 * checksums to @pkg.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_package_load_scatter(UbPackage *pkg,
			const gchar *relpath,
			const UbPackageOptions *options,
			GCancellable *cancellable,
			GError **error)
{
	g_autoptr(UbPackageScatterHelper) helper = g_new0(UbPackageScatterHelper, 1);
	g_autoptr(GBytes) blob = NULL;
	g_autofree gchar *storage = NULL;
	GPtrArray *warnings;
	const gchar *slash;

	g_return_val_if_fail(UB_IS_PACKAGE(pkg), FALSE);
	g_return_val_if_fail(relpath != NULL, FALSE);

	helper->pkg = pkg;
	helper->relpath = relpath;
	helper->rows = g_ptr_array_new();
	helper->recs = g_ptr_array_new();
	slash = strrchr(relpath, '/');
	helper->dirname = slash != NULL ? g_strndup(relpath, slash - relpath + 1) : g_strdup("");
	helper->basename = g_strdup(slash != NULL ? slash + 1 : relpath);

	blob = ub_package_source_load(ub_package_get_source(pkg),
				      relpath,
				      UB_SCATTER_MAX_SIZE,
				      cancellable,
				      error);
	if (blob == NULL)
		return FALSE;
	helper->scatter =
	    ub_scatter_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), error);
	if (helper->scatter == NULL) {
		g_prefix_error(error, "failed to parse %s: ", relpath);
		return FALSE;
	}
	warnings = ub_scatter_get_warnings(helper->scatter);
	for (guint i = 0; i < warnings->len; i++) {
		ub_package_add_warning(pkg,
				       "%s: %s",
				       helper->basename,
				       (const gchar *)g_ptr_array_index(warnings, i));
	}
	helper->layout = ub_package_scatter_pick_layout(helper, options, error);
	if (helper->layout == NULL)
		return FALSE;

	/* the package */
	ub_package_set_format(pkg, UB_PACKAGE_FORMAT_MTK_SCATTER);
	ub_package_set_platform(pkg, ub_scatter_get_platform(helper->scatter));
	ub_package_set_product(pkg, ub_scatter_get_project(helper->scatter));
	ub_package_set_version(pkg, ub_scatter_get_config_version(helper->scatter));
	storage = ub_package_scatter_storage(helper, helper->layout);
	if (storage != NULL && options != NULL && options->storage != NULL &&
	    g_ascii_strcasecmp(storage, options->storage) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s is a %s layout, not %s",
			    helper->basename,
			    storage,
			    options->storage);
		return FALSE;
	}
	ub_package_set_storage(pkg, storage);
	/* UFS uses 4 KiB sectors (mtk.md b.3 preloader notes), eMMC 512 bytes */
	ub_package_set_sector_size(pkg, g_strcmp0(storage, "ufs") == 0 ? 4096 : 512);

	ub_package_scatter_detect_linear(helper);
	for (guint i = 0; i < helper->layout->partitions->len; i++) {
		UbScatterPartition *rec = g_ptr_array_index(helper->layout->partitions, i);
		if (!ub_package_scatter_add_row(helper, rec, options, cancellable, error))
			return FALSE;
	}

	if (ub_package_scatter_is_pmt_era(helper)) {
		const gchar *platform = ub_scatter_get_platform(helper->scatter);
		ub_package_add_warning(pkg,
				       "%s is a scatter of the MBR/EBR (PMT) era (%s%sMT6589, MT6572 "
				       "...): such phones take the legacy Download Agent protocol; "
				       "give a DA file with a legacy entry for the chip (SP Flash "
				       "Tool v5's MTK_AllInOne_DA.bin)",
				       helper->basename,
				       platform != NULL ? platform : "",
				       platform != NULL ? "; like " : "");
	}

	/* the three SP Flash Tool modes */
	ub_package_add_plan(pkg, ub_package_scatter_plan_download_only(helper));
	ub_package_add_plan(pkg, ub_package_scatter_plan_firmware_upgrade(helper));
	ub_package_add_plan(pkg, ub_package_scatter_plan_format_all_download(helper));

	return ub_package_scatter_load_checksums(helper, cancellable, error);
}
