/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-package-flat-build.h"
#include "ub-qcom-expr.h"
#include "ub-qcom-patch.h"
#include "ub-rawprogram.h"

/*
 * A QFIL "flat build": rawprogram<N>.xml per physical partition (LUN) plus
 * patch<N>.xml, with the images beside them. The user points at one
 * rawprogram file; its numbered siblings of the same family (rawprogram0..5, or
 * rawprogram_unsparse0..N) in the same folder are loaded with it, in number
 * order, and patch<N>.xml for every file number and LUN seen.
 *
 * Sector size 512 means eMMC (physical partition 0 = the user area), 4096 UFS
 * (one region per LUN). options->disk_size is the size of physical partition 0
 * (the user area or LUN 0): it resolves NUM_DISK_SECTORS there; other LUNs keep
 * their expressions until a device tells their sizes.
 *
 * The plan follows qdl: every program/erase entry in file order, then the
 * "DISK" patches, then setbootablestoragedrive for the LUN holding xbl, xbl_a
 * or sbl1. Patches on image files (gpt_main0.bin) are not part of the plan:
 * QFIL and qdl skip them and the DISK twins do the same on the device.
 */

typedef struct {
	gchar *relpath;
	gchar *basename;
	gint number;
	UbRawprogram *rawprogram;
} UbFlatBuildFile;

static void
ub_flat_build_file_free(UbFlatBuildFile *file)
{
	g_free(file->relpath);
	g_free(file->basename);
	if (file->rawprogram != NULL)
		g_object_unref(file->rawprogram);
	g_free(file);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbFlatBuildFile, ub_flat_build_file_free)

/**
 * ub_package_flat_build_region_name:
 * @sector_size: SECTOR_SIZE_IN_BYTES of the entries
 * @physical_partition_number: the physical partition
 *
 * Returns: (transfer full): "user", "boot1", "boot2", "rpmb", "gp1".."gp4"
 *   for eMMC (512-byte sectors), "lunN" otherwise
 */
gchar *
ub_package_flat_build_region_name(guint32 sector_size, guint physical_partition_number)
{
	const gchar *emmc[] = {"user", "boot1", "boot2", "rpmb", "gp1", "gp2", "gp3", "gp4"};
	if (sector_size == 512 && physical_partition_number < G_N_ELEMENTS(emmc))
		return g_strdup(emmc[physical_partition_number]);
	return g_strdup_printf("lun%u", physical_partition_number);
}

/* "rawprogram_unsparse12.xml" -> prefix "rawprogram_unsparse", number 12 */
static gboolean
ub_flat_build_split_name(const gchar *basename, gchar **prefix, gint *number)
{
	g_autofree gchar *lower = g_ascii_strdown(basename, -1);
	gsize len = strlen(lower);
	gsize digits = 0;

	if (!g_str_has_suffix(lower, ".xml"))
		return FALSE;
	len -= 4;
	while (digits < len && g_ascii_isdigit(lower[len - digits - 1]))
		digits++;
	if (prefix != NULL)
		*prefix = g_strndup(lower, len - digits);
	*number = -1;
	if (digits > 0 && digits <= 3) {
		guint64 val = 0;
		g_autofree gchar *num = g_strndup(lower + len - digits, digits);
		if (g_ascii_string_to_unsigned(num, 10, 0, 999, &val, NULL))
			*number = (gint)val;
	}
	return TRUE;
}

static gchar *
ub_flat_build_dirname(const gchar *relpath)
{
	const gchar *slash = strrchr(relpath, '/');
	if (slash == NULL)
		return g_strdup("");
	return g_strndup(relpath, (gsize)(slash - relpath));
}

static const gchar *
ub_flat_build_basename(const gchar *relpath)
{
	const gchar *slash = strrchr(relpath, '/');
	return slash != NULL ? slash + 1 : relpath;
}

static gchar *
ub_flat_build_join(const gchar *dir, const gchar *name)
{
	if (dir[0] == '\0')
		return g_strdup(name);
	return g_strdup_printf("%s/%s", dir, name);
}

static gint
ub_flat_build_file_cmp(gconstpointer a, gconstpointer b)
{
	const UbFlatBuildFile *fa = *(const UbFlatBuildFile *const *)a;
	const UbFlatBuildFile *fb = *(const UbFlatBuildFile *const *)b;
	if (fa->number != fb->number)
		return fa->number < fb->number ? -1 : 1;
	return g_strcmp0(fa->basename, fb->basename);
}

/* the image a rawprogram names: beside it, else anywhere in the package (QFIL's
 * search path), else beside it so that the pre-flight names the missing file */
static gchar *
ub_flat_build_resolve_image(GPtrArray *listing,
			    const gchar *dir,
			    const gchar *filename,
			    GError **error)
{
	g_autofree gchar *name = g_strdelimit(g_strdup(filename), "\\", '/');
	g_autofree gchar *beside = ub_flat_build_join(dir, name);
	const gchar *base = ub_flat_build_basename(name);
	const gchar *found = NULL;
	guint n_found = 0;

	if (!ub_package_source_path_is_safe(beside)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "image path '%s' leaves the package",
			    filename);
		return NULL;
	}
	if (listing == NULL)
		return g_steal_pointer(&beside);
	for (guint i = 0; i < listing->len; i++) {
		const gchar *rel = g_ptr_array_index(listing, i);
		if (g_strcmp0(rel, beside) == 0)
			return g_steal_pointer(&beside);
	}
	for (guint i = 0; i < listing->len; i++) {
		const gchar *rel = g_ptr_array_index(listing, i);
		if (g_ascii_strcasecmp(ub_flat_build_basename(rel), base) == 0) {
			if (found == NULL)
				found = rel;
			n_found++;
		}
	}
	if (n_found == 1)
		return g_strdup(found);
	return g_steal_pointer(&beside);
}

/* the listing's spelling of @relpath (case-insensitive), or %NULL */
static const gchar *
ub_flat_build_find_file(GPtrArray *listing, const gchar *relpath)
{
	if (listing == NULL)
		return NULL;
	for (guint i = 0; i < listing->len; i++) {
		const gchar *rel = g_ptr_array_index(listing, i);
		if (g_ascii_strcasecmp(rel, relpath) == 0)
			return rel;
	}
	return NULL;
}

static GPtrArray *
ub_flat_build_find_family(UbPackage *pkg, GPtrArray *listing, const gchar *relpath)
{
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func((GDestroyNotify)ub_flat_build_file_free);
	g_autofree gchar *dir = ub_flat_build_dirname(relpath);
	g_autofree gchar *prefix = NULL;
	gint number = -1;
	UbFlatBuildFile *file;

	ub_flat_build_split_name(ub_flat_build_basename(relpath), &prefix, &number);
	file = g_new0(UbFlatBuildFile, 1);
	file->relpath = g_strdup(relpath);
	file->basename = g_strdup(ub_flat_build_basename(relpath));
	file->number = number;
	g_ptr_array_add(files, file);

	for (guint i = 0; listing != NULL && i < listing->len; i++) {
		const gchar *rel = g_ptr_array_index(listing, i);
		const gchar *base = ub_flat_build_basename(rel);
		g_autofree gchar *rel_dir = ub_flat_build_dirname(rel);
		g_autofree gchar *rel_prefix = NULL;
		g_autofree gchar *lower = g_ascii_strdown(base, -1);
		gint rel_number = -1;

		if (g_strcmp0(rel, relpath) == 0 || g_strcmp0(rel_dir, dir) != 0)
			continue;
		if (!g_str_has_prefix(lower, "rawprogram") ||
		    !ub_flat_build_split_name(base, &rel_prefix, &rel_number))
			continue;
		/* same family, numbered: part of this build */
		if (number >= 0 && rel_number >= 0 && g_strcmp0(rel_prefix, prefix) == 0) {
			file = g_new0(UbFlatBuildFile, 1);
			file->relpath = g_strdup(rel);
			file->basename = g_strdup(base);
			file->number = rel_number;
			g_ptr_array_add(files, file);
			continue;
		}
		ub_package_add_warning(pkg,
				       "%s is not loaded with %s: open it instead to flash with it",
				       base,
				       ub_flat_build_basename(relpath));
	}
	g_ptr_array_sort(files, ub_flat_build_file_cmp);
	return g_steal_pointer(&files);
}

/* NUM_DISK_SECTORS of one physical partition, if known */
static gboolean
ub_flat_build_disk_sectors(const UbPackageOptions *options,
			   guint32 sector_size,
			   guint lun,
			   guint64 *num_disk_sectors)
{
	if (options == NULL || options->disk_size == 0 || lun != 0)
		return FALSE;
	*num_disk_sectors = options->disk_size / sector_size;
	return TRUE;
}

static guint64
ub_flat_build_sectors_to_bytes(guint64 sectors, guint32 sector_size)
{
	guint64 bytes = 0;
	if (!g_uint64_checked_mul(&bytes, sectors, sector_size))
		return UB_PACKAGE_UNKNOWN;
	return bytes;
}

/* where a grow entry (num_partition_sectors="0") ends: the backup GPT of its LUN */
static guint64
ub_flat_build_grow_end(GPtrArray *files,
		       guint32 sector_size,
		       guint lun,
		       guint64 num_disk_sectors)
{
	guint64 backup_sectors = sector_size == 512 ? 33 : 5;
	for (guint i = 0; i < files->len; i++) {
		UbFlatBuildFile *file = g_ptr_array_index(files, i);
		GPtrArray *entries = ub_rawprogram_get_entries(file->rawprogram);
		for (guint j = 0; j < entries->len; j++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, j);
			if (entry->physical_partition_number == lun &&
			    g_strcmp0(entry->label, "BackupGPT") == 0 &&
			    entry->num_partition_sectors_is_constant)
				backup_sectors = entry->num_partition_sectors_value;
		}
	}
	if (backup_sectors > num_disk_sectors)
		return 0;
	return num_disk_sectors - backup_sectors;
}

static void
ub_flat_build_add_partition(UbPackage *pkg,
			    GPtrArray *files,
			    const UbRawprogramEntry *entry,
			    const UbPackageOptions *options,
			    const gchar *image)
{
	g_autoptr(UbPackagePartition) part = ub_package_partition_new(entry->label);
	guint32 ss = entry->sector_size;
	guint64 num_disk_sectors = 0;
	gboolean disk_known = ub_flat_build_disk_sectors(options,
							 ss,
							 entry->physical_partition_number,
							 &num_disk_sectors);
	guint64 start_sector = UB_PACKAGE_UNKNOWN;
	gsize label_len = strlen(entry->label);

	part->region = ub_package_flat_build_region_name(ss, entry->physical_partition_number);
	part->lun = (gint)entry->physical_partition_number;

	/* start: constant, or evaluated once the disk size is known */
	if (entry->start_sector_is_constant) {
		start_sector = entry->start_sector_value;
	} else {
		UbQcomExprContext ctx = {
		    .num_disk_sectors = num_disk_sectors,
		    .num_disk_sectors_known = disk_known,
		};
		g_autoptr(GError) error_local = NULL;
		guint64 val = 0;
		part->start_expr = g_strdup(entry->start_sector);
		if (disk_known) {
			if (ub_qcom_expr_eval(entry->start_sector, &ctx, &val, &error_local))
				start_sector = val;
			else
				ub_package_add_warning(pkg,
						       "%s: %s",
						       entry->label,
						       error_local->message);
		}
	}
	if (start_sector != UB_PACKAGE_UNKNOWN)
		part->start = ub_flat_build_sectors_to_bytes(start_sector, ss);

	/* size: 0 is "grow to the end of the LUN" */
	if (entry->num_partition_sectors_is_constant && entry->num_partition_sectors_value > 0) {
		part->size = ub_flat_build_sectors_to_bytes(entry->num_partition_sectors_value, ss);
	} else if (entry->num_partition_sectors_is_constant && disk_known &&
		   start_sector != UB_PACKAGE_UNKNOWN) {
		guint64 end = ub_flat_build_grow_end(files,
						     ss,
						     entry->physical_partition_number,
						     num_disk_sectors);
		part->size = end > start_sector
				 ? ub_flat_build_sectors_to_bytes(end - start_sector, ss)
				 : 0;
	}

	part->file = g_strdup(image);
	part->file_offset = ub_flat_build_sectors_to_bytes(entry->file_sector_offset, ss);
	part->download = image != NULL;
	part->operation = g_strdup(ub_rawprogram_kind_to_string(entry->kind));
	if (label_len > 2 && g_str_has_suffix(entry->label, "_a"))
		part->slot = g_strdup("a");
	else if (label_len > 2 && g_str_has_suffix(entry->label, "_b"))
		part->slot = g_strdup("b");
	part->sparse = entry->sparse;
	part->readback_verify = entry->readbackverify;
	ub_package_add_partition(pkg, g_steal_pointer(&part));
}

static gboolean
ub_flat_build_load_patches(UbPackage *pkg,
			   GPtrArray *listing,
			   const gchar *dir,
			   GArray *numbers,
			   UbPackagePlan *plan,
			   GCancellable *cancellable,
			   GError **error)
{
	for (guint i = 0; i < numbers->len; i++) {
		guint number = g_array_index(numbers, guint, i);
		g_autofree gchar *name = g_strdup_printf("patch%u.xml", number);
		g_autofree gchar *want = ub_flat_build_join(dir, name);
		const gchar *relpath = ub_flat_build_find_file(listing, want);
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(UbQcomPatch) patch = NULL;
		GPtrArray *entries;
		GPtrArray *ignored;

		if (relpath == NULL)
			continue;
		blob = ub_package_source_load(ub_package_get_source(pkg),
					      relpath,
					      UB_QCOM_PATCH_MAX_SIZE,
					      cancellable,
					      error);
		if (blob == NULL)
			return FALSE;
		patch = ub_qcom_patch_parse(g_bytes_get_data(blob, NULL),
					    g_bytes_get_size(blob),
					    error);
		if (patch == NULL) {
			g_prefix_error(error, "%s: ", relpath);
			return FALSE;
		}
		ignored = ub_qcom_patch_get_ignored(patch);
		for (guint j = 0; j < ignored->len; j++)
			ub_package_add_warning(pkg,
					       "%s: %s",
					       name,
					       (const gchar *)g_ptr_array_index(ignored, j));
		entries = ub_qcom_patch_get_entries(patch);
		for (guint j = 0; j < entries->len; j++) {
			UbQcomPatchEntry *entry = g_ptr_array_index(entries, j);
			UbPackageStep *step;
			if (!ub_qcom_patch_entry_is_disk(entry))
				continue;
			step = ub_package_step_new(UB_PACKAGE_STEP_PATCH, NULL, NULL);
			step->arg = ub_qcom_patch_entry_to_xml_attrs(entry);
			step->value = g_strdup_printf("%u", entry->physical_partition_number);
			step->line = g_strdup_printf("%s:%u", name, entry->line);
			g_ptr_array_add(plan->steps, step);
		}
	}
	return TRUE;
}

static void
ub_flat_build_add_number(GArray *numbers, guint number)
{
	for (guint i = 0; i < numbers->len; i++) {
		if (g_array_index(numbers, guint, i) == number)
			return;
	}
	g_array_append_val(numbers, number);
}

static gint
ub_flat_build_uint_cmp(gconstpointer a, gconstpointer b)
{
	guint ua = *(const guint *)a;
	guint ub = *(const guint *)b;
	return ua < ub ? -1 : (ua > ub ? 1 : 0);
}

/**
 * ub_package_load_flat_build:
 * @pkg: a #UbPackage with a source
 * @relpath: the rawprogram file the user picked, relative to the source
 * @options: (nullable): disk size for NUM_DISK_SECTORS
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Loads a Qualcomm flat build (rawprogram + patch files) into @pkg.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_package_load_flat_build(UbPackage *pkg,
			   const gchar *relpath,
			   const UbPackageOptions *options,
			   GCancellable *cancellable,
			   GError **error)
{
	UbPackageSource *source = ub_package_get_source(pkg);
	g_autoptr(GPtrArray) listing = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_autoptr(GArray) numbers = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GHashTable) labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *dir = ub_flat_build_dirname(relpath);
	UbPackagePlan *plan;
	guint32 sector_size = 0;
	gint bootable_lun = -1;
	gboolean destructive = FALSE;

	g_return_val_if_fail(UB_IS_PACKAGE(pkg), FALSE);
	g_return_val_if_fail(relpath != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* a source that cannot list still loads the one file */
	listing = ub_package_source_list(source, cancellable, &error_local);
	if (listing == NULL) {
		if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		g_debug("ignoring: %s", error_local->message);
	}
	files = ub_flat_build_find_family(pkg, listing, relpath);

	/* parse every rawprogram file */
	for (guint i = 0; i < files->len; i++) {
		UbFlatBuildFile *file = g_ptr_array_index(files, i);
		g_autoptr(GBytes) blob = NULL;
		GPtrArray *ignored;
		GPtrArray *entries;

		blob = ub_package_source_load(source,
					      file->relpath,
					      UB_RAWPROGRAM_MAX_SIZE,
					      cancellable,
					      error);
		if (blob == NULL)
			return FALSE;
		file->rawprogram = ub_rawprogram_parse(g_bytes_get_data(blob, NULL),
						       g_bytes_get_size(blob),
						       error);
		if (file->rawprogram == NULL) {
			g_prefix_error(error, "%s: ", file->relpath);
			return FALSE;
		}
		ignored = ub_rawprogram_get_ignored(file->rawprogram);
		for (guint j = 0; j < ignored->len; j++)
			ub_package_add_warning(pkg,
					       "%s: %s",
					       file->basename,
					       (const gchar *)g_ptr_array_index(ignored, j));
		entries = ub_rawprogram_get_entries(file->rawprogram);
		if (entries->len == 0)
			ub_package_add_warning(pkg, "%s has no entries", file->basename);
		if (file->number >= 0)
			ub_flat_build_add_number(numbers, (guint)file->number);
		for (guint j = 0; j < entries->len; j++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, j);
			ub_flat_build_add_number(numbers, entry->physical_partition_number);
			if (sector_size == 0) {
				sector_size = entry->sector_size;
			} else if (entry->sector_size != sector_size) {
				ub_package_add_warning(pkg,
						       "%s:%u: SECTOR_SIZE_IN_BYTES=%u differs from "
						       "%u in the rest of the build",
						       file->basename,
						       entry->line,
						       entry->sector_size,
						       sector_size);
			}
		}
	}
	g_array_sort(numbers, ub_flat_build_uint_cmp);

	ub_package_set_format(pkg, UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD);
	ub_package_set_platform(pkg, "qualcomm");
	if (sector_size != 0)
		ub_package_set_sector_size(pkg, sector_size);
	if (sector_size == 512)
		ub_package_set_storage(pkg, "emmc");
	else if (sector_size == 4096)
		ub_package_set_storage(pkg, "ufs");
	else if (sector_size != 0)
		ub_package_add_warning(pkg,
				       "sector size %u is neither eMMC (512) nor UFS (4096)",
				       sector_size);

	/* partitions and program steps, file by file in LUN order */
	plan = ub_package_plan_new("flat-build", "Qualcomm flat build (rawprogram and patch)");
	ub_package_add_plan(pkg, plan);
	for (guint i = 0; i < files->len; i++) {
		UbFlatBuildFile *file = g_ptr_array_index(files, i);
		GPtrArray *entries = ub_rawprogram_get_entries(file->rawprogram);
		g_autofree gchar *file_dir = ub_flat_build_dirname(file->relpath);

		for (guint j = 0; j < entries->len; j++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, j);
			g_autofree gchar *image = NULL;
			UbPackageStep *step;

			if (g_cancellable_set_error_if_cancelled(cancellable, error))
				return FALSE;
			if (entry->kind != UB_RAWPROGRAM_KIND_PROGRAM) {
				step = ub_package_step_new(UB_PACKAGE_STEP_ERASE, entry->label, NULL);
				step->arg = ub_rawprogram_entry_to_xml_attrs(entry);
				step->value = g_strdup(ub_rawprogram_kind_to_string(entry->kind));
				step->line = g_strdup_printf("%s:%u", file->basename, entry->line);
				g_ptr_array_add(plan->steps, step);
				destructive = TRUE;
				continue;
			}
			if (!ub_rawprogram_entry_is_placeholder(entry)) {
				image = ub_flat_build_resolve_image(listing,
								    file_dir,
								    entry->filename,
								    error);
				if (image == NULL) {
					g_prefix_error(error,
						       "%s:%u: ",
						       file->basename,
						       entry->line);
					return FALSE;
				}
			}

			/* the same label twice on one LUN is ambiguous for fastboot-style names */
			if (entry->label[0] != '\0') {
				g_autofree gchar *key =
				    g_strdup_printf("%u/%s", entry->physical_partition_number, entry->label);
				if (g_hash_table_contains(labels, key))
					ub_package_add_warning(pkg,
							       "%s:%u: partition '%s' appears more "
							       "than once on LUN %u",
							       file->basename,
							       entry->line,
							       entry->label,
							       entry->physical_partition_number);
				else
					g_hash_table_add(labels, g_steal_pointer(&key));
			}
			ub_flat_build_add_partition(pkg, files, entry, options, image);

			/* the LUN the boot ROM loads from */
			if (g_strcmp0(entry->label, "xbl") == 0 ||
			    g_strcmp0(entry->label, "xbl_a") == 0 ||
			    g_strcmp0(entry->label, "sbl1") == 0) {
				if (bootable_lun < 0)
					bootable_lun = (gint)entry->physical_partition_number;
				else if ((guint)bootable_lun != entry->physical_partition_number)
					ub_package_add_warning(pkg,
							       "boot loaders on LUN %d and %u: LUN "
							       "%d is made bootable",
							       bootable_lun,
							       entry->physical_partition_number,
							       bootable_lun);
			}
			if (image == NULL)
				continue;
			if (g_strcmp0(entry->label, "PrimaryGPT") == 0 ||
			    g_strcmp0(entry->label, "userdata") == 0)
				destructive = TRUE;
			step = ub_package_step_new(UB_PACKAGE_STEP_FLASH, entry->label, image);
			step->arg = ub_rawprogram_entry_to_xml_attrs(entry);
			step->value = g_strdup_printf("%u", entry->physical_partition_number);
			step->line = g_strdup_printf("%s:%u", file->basename, entry->line);
			g_ptr_array_add(plan->steps, step);
		}
	}

	/* then the patches, applied by the programmer */
	if (!ub_flat_build_load_patches(pkg, listing, dir, numbers, plan, cancellable, error))
		return FALSE;
	if (bootable_lun >= 0) {
		UbPackageStep *step = ub_package_step_new(UB_PACKAGE_STEP_SET_BOOTABLE, NULL, NULL);
		step->value = g_strdup_printf("%d", bootable_lun);
		g_ptr_array_add(plan->steps, step);
	} else {
		ub_package_add_warning(pkg,
				       "no xbl, xbl_a or sbl1 entry: the bootable LUN is left as it is");
	}
	plan->destructive = destructive;
	return TRUE;
}
