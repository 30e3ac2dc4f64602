/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-mtk-checksum.h"
#include "ub-package-flat-build.h"
#include "ub-package-plan.h"
#include "ub-package-scatter.h"
#include "ub-package-source.h"
#include "ub-rawprogram.h"
#include "ub-scatter.h"

/*
 * A package's plan (what its flash script or table says) as a UbPlan the
 * executor runs: images streamed from the package, the product and
 * anti-rollback checks first, locking only with consent. The modes are the
 * names the user sees: clean-all, keep-data, clean-all-lock.
 *
 * A Qualcomm flat build becomes ops on regions (LUNs): one WRITE or ERASE per
 * rawprogram entry at its sector range (a start such as NUM_DISK_SECTORS-5.
 * stays an expression the executor evaluates against the phone's LUN size),
 * then every DISK patch and the setbootablestoragedrive step as raw Firehose
 * commands, in qdl's order: programs, patches, bootable LUN. Modes: flat-build
 * (everything) and selected (only the labels asked for).
 */

static gboolean
ub_package_plan_name_is_data(const gchar *name)
{
	return g_strcmp0(name, "userdata") == 0 || g_strcmp0(name, "metadata") == 0 ||
	       g_strcmp0(name, "data") == 0;
}

/* "if getvar:crc=1" -> "getvar:crc=1" */
static const gchar *
ub_package_plan_condition(const UbPackageStep *step)
{
	if (step->arg != NULL && g_str_has_prefix(step->arg, "if "))
		return step->arg + 3;
	return NULL;
}

static UbRebootMode
ub_package_plan_reboot_mode(const gchar *value, gboolean *ok)
{
	*ok = TRUE;
	if (value == NULL || value[0] == '\0' || g_strcmp0(value, "system") == 0)
		return UB_REBOOT_MODE_SYSTEM;
	if (g_strcmp0(value, "bootloader") == 0)
		return UB_REBOOT_MODE_BOOTLOADER;
	if (g_strcmp0(value, "fastboot") == 0 || g_strcmp0(value, "fastbootd") == 0)
		return UB_REBOOT_MODE_FASTBOOTD;
	if (g_strcmp0(value, "recovery") == 0)
		return UB_REBOOT_MODE_RECOVERY;
	if (g_strcmp0(value, "edl") == 0)
		return UB_REBOOT_MODE_EDL;
	*ok = FALSE;
	return UB_REBOOT_MODE_LAST;
}

static gboolean
ub_package_plan_add_step(UbPlan *plan,
			 UbPackage *package,
			 const UbPackageStep *step,
			 const UbPackagePlanOptions *options,
			 gboolean *wipes,
			 GError **error)
{
	UbPlanOp *op = NULL;
	gboolean is_data = ub_package_plan_name_is_data(step->partition);

	switch (step->kind) {
	case UB_PACKAGE_STEP_FLASH:
		if (is_data && options->data == UB_PACKAGE_DATA_KEEP)
			return TRUE;
		op = ub_plan_add_op(plan, UB_PLAN_OP_WRITE, step->partition, NULL, 0, 0, NULL);
		ub_plan_op_set_package_file(op, package, step->file);
		/* the package's own slot wins; "boot_ab" is left to the bootloader */
		if (step->value != NULL)
			op->slot = g_strdup(step->value);
		else if (!g_str_has_suffix(step->partition, "_ab"))
			op->slot = g_strdup(options->slot);
		break;
	case UB_PACKAGE_STEP_ERASE:
		if (is_data && options->data == UB_PACKAGE_DATA_KEEP)
			return TRUE;
		op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, step->partition, NULL, 0, 0, NULL);
		op->value = g_strdup(step->value);
		op->slot = g_strdup(options->slot);
		break;
	case UB_PACKAGE_STEP_SET_ACTIVE:
		op = ub_plan_add_simple(plan, UB_PLAN_OP_SET_ACTIVE, step->value);
		break;
	case UB_PACKAGE_STEP_REBOOT: {
		gboolean ok = FALSE;
		UbRebootMode mode = ub_package_plan_reboot_mode(step->value, &ok);
		if (!ok) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "%s: cannot reboot into '%s'",
				    step->line != NULL ? step->line : "plan",
				    step->value);
			return FALSE;
		}
		op = ub_plan_add_reboot(plan, mode);
		break;
	}
	case UB_PACKAGE_STEP_OEM:
	case UB_PACKAGE_STEP_FLASHING: {
		const gchar *verb = step->kind == UB_PACKAGE_STEP_OEM ? "oem" : "flashing";
		g_autofree gchar *command = g_strdup_printf("%s %s", verb, step->value);
		op = ub_plan_add_simple(plan, UB_PLAN_OP_COMMAND, command);
		break;
	}
	case UB_PACKAGE_STEP_REQUIRE_VAR:
		op = ub_plan_add_simple(plan, UB_PLAN_OP_REQUIRE_VAR, step->value);
		op->variable = g_strdup(step->arg != NULL && !g_str_has_prefix(step->arg, "if ")
					    ? step->arg
					    : "product");
		break;
	case UB_PACKAGE_STEP_CHECK_ANTI:
		op = ub_plan_add_simple(plan, UB_PLAN_OP_CHECK_ANTI, step->value);
		break;
	case UB_PACKAGE_STEP_UPDATE_SUPER:
		op = ub_plan_add_op(plan, UB_PLAN_OP_UPDATE_SUPER, step->partition, NULL, 0, 0, NULL);
		ub_plan_op_set_package_file(op, package, step->file);
		if (g_strcmp0(step->value, "wipe") == 0 && options->data != UB_PACKAGE_DATA_KEEP)
			op->value = g_strdup("wipe");
		break;
	case UB_PACKAGE_STEP_FORMAT:
	case UB_PACKAGE_STEP_PATCH:
	case UB_PACKAGE_STEP_SET_BOOTABLE:
	case UB_PACKAGE_STEP_LAST:
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s: a %s step cannot run as a fastboot plan",
			    step->line != NULL ? step->line : "plan",
			    ub_package_step_kind_to_string(step->kind));
		return FALSE;
	}
	if (is_data && (step->kind == UB_PACKAGE_STEP_FLASH || step->kind == UB_PACKAGE_STEP_ERASE))
		*wipes = TRUE;
	if (step->kind != UB_PACKAGE_STEP_REQUIRE_VAR) {
		const gchar *condition = ub_package_plan_condition(step);
		op->condition = g_strdup(condition);
	}
	op->origin = g_strdup(step->line);
	return TRUE;
}

/* android-info.txt's product/board requirement when the plan has no check of its own */
static void
ub_package_plan_add_requirements(UbPlan *plan, UbPackage *package, const UbPackagePlan *pplan)
{
	GHashTable *reqs = ub_package_get_requirements(package);
	const gchar *product;
	UbPlanOp *op;
	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		if (step->kind == UB_PACKAGE_STEP_REQUIRE_VAR)
			return;
	}
	product = reqs != NULL ? g_hash_table_lookup(reqs, "product") : NULL;
	if (product == NULL)
		return;
	op = ub_plan_add_simple(plan, UB_PLAN_OP_REQUIRE_VAR, product);
	op->variable = g_strdup("product");
	op->origin = g_strdup("android-info.txt");
}

/* a step's attributes back into an entry: the flat build keeps them as XML */
static UbRawprogramEntry *
ub_package_plan_parse_entry(const UbPackageStep *step, const gchar *element, GError **error)
{
	g_autofree gchar *xml = g_strdup_printf("<data><%s %s/></data>",
						element,
						step->arg != NULL ? step->arg : "");
	g_autoptr(UbRawprogram) rawprogram = NULL;
	GPtrArray *entries;

	rawprogram = ub_rawprogram_parse((const guint8 *)xml, strlen(xml), error);
	if (rawprogram == NULL)
		return NULL;
	entries = ub_rawprogram_get_entries(rawprogram);
	if (entries->len != 1) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "expected one <%s> entry, got %u",
			    element,
			    entries->len);
		return NULL;
	}
	return g_ptr_array_steal_index(entries, 0);
}

static gboolean
ub_package_plan_sectors_to_bytes(guint64 sectors, guint32 sector_size, guint64 *bytes, GError **error)
{
	if (!g_uint64_checked_mul(bytes, sectors, sector_size)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%" G_GUINT64_FORMAT " sectors of %u bytes do not fit in 64 bits",
			    sectors,
			    sector_size);
		return FALSE;
	}
	return TRUE;
}

/* one program or erase entry as an op on its LUN */
static gboolean
ub_package_plan_add_flat_entry(UbPlan *plan,
			       UbPackage *package,
			       const UbPackageStep *step,
			       GError **error)
{
	gboolean is_program = step->kind == UB_PACKAGE_STEP_FLASH;
	const gchar *element = is_program ? "program"
			       : g_strcmp0(step->value, "zeroout") == 0 ? "zeroout"
									 : "erase";
	g_autoptr(UbRawprogramEntry) entry = ub_package_plan_parse_entry(step, element, error);
	g_autofree gchar *region = NULL;
	UbPlanOp *op;

	if (entry == NULL)
		return FALSE;
	if (entry->sector_size == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "SECTOR_SIZE_IN_BYTES is missing or 0");
		return FALSE;
	}
	region = ub_package_flat_build_region_name(entry->sector_size,
						   entry->physical_partition_number);
	op = ub_plan_add_op(plan,
			    is_program ? UB_PLAN_OP_WRITE : UB_PLAN_OP_ERASE,
			    NULL,
			    region,
			    0,
			    0,
			    NULL);
	op->label = g_strdup(entry->label != NULL && entry->label[0] != '\0' ? entry->label
									     : step->partition);
	op->sector_size = entry->sector_size;
	op->origin = g_strdup(step->line);

	/* start: a sector number, or an expression only the phone can resolve;
	 * an erase without one starts at the beginning of the LUN */
	if (entry->start_sector != NULL && entry->start_sector_is_constant) {
		if (!ub_package_plan_sectors_to_bytes(entry->start_sector_value,
						      entry->sector_size,
						      &op->offset,
						      error))
			return FALSE;
	} else if (entry->start_sector != NULL) {
		op->start_expr = g_strdup(entry->start_sector);
	}

	/* length: 0 is "grow" for a program, "to the end of the LUN" for an erase */
	if (entry->num_partition_sectors != NULL && !entry->num_partition_sectors_is_constant) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the size of '%s' is the expression %s; give it as a number of sectors",
			    op->label != NULL ? op->label : element,
			    entry->num_partition_sectors);
		return FALSE;
	}
	if (!ub_package_plan_sectors_to_bytes(entry->num_partition_sectors_value,
					      entry->sector_size,
					      &op->length,
					      error))
		return FALSE;
	if (is_program) {
		ub_plan_op_set_package_file(op, package, step->file);
		if (!ub_package_plan_sectors_to_bytes(entry->file_sector_offset,
						      entry->sector_size,
						      &op->file_offset,
						      error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
ub_package_plan_label_is_gpt(const gchar *label)
{
	return g_strcmp0(label, "PrimaryGPT") == 0 || g_strcmp0(label, "BackupGPT") == 0;
}

static gboolean
ub_package_plan_step_is_entry(const UbPackageStep *step)
{
	return step->kind == UB_PACKAGE_STEP_FLASH || step->kind == UB_PACKAGE_STEP_ERASE;
}

/* --only: every label must name an entry, and whether a GPT is among them */
static gboolean
ub_package_plan_check_only(const UbPackagePlan *pplan,
			   const gchar *const *only,
			   gboolean *has_gpt,
			   GError **error)
{
	*has_gpt = FALSE;
	if (only[0] == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no labels selected: name the entries to flash");
		return FALSE;
	}
	for (guint i = 0; only[i] != NULL; i++) {
		gboolean found = FALSE;
		for (guint j = 0; j < pplan->steps->len && !found; j++) {
			const UbPackageStep *step = g_ptr_array_index(pplan->steps, j);
			found = ub_package_plan_step_is_entry(step) &&
				g_strcmp0(step->partition, only[i]) == 0;
		}
		if (!found) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the flat build has no entry labelled '%s' to flash",
				    only[i]);
			return FALSE;
		}
		if (ub_package_plan_label_is_gpt(only[i]))
			*has_gpt = TRUE;
	}
	return TRUE;
}

static UbPlan *
ub_package_plan_flat_build(UbPackage *package,
			   const UbPackagePlan *pplan,
			   const UbPackagePlanOptions *options,
			   GError **error)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	const gchar *const *only = options->only_labels;
	gboolean keep_table_steps = TRUE;

	ub_plan_set_verify(plan, options->verify);
	ub_plan_set_allow_lock(plan, options->allow_lock);
	if (only != NULL) {
		gboolean has_gpt = FALSE;
		g_autofree gchar *labels = g_strjoinv(", ", (gchar **)only);
		if (!ub_package_plan_check_only(pplan, only, &has_gpt, error))
			return NULL;
		keep_table_steps = has_gpt;
		ub_plan_add_note(plan, "flashing only %s%s", labels,
				 has_gpt ? "; a partition table is among them, so the patches "
					   "and the bootable LUN step run too"
					 : "; no partition table is among them, so the patches "
					   "and the bootable LUN step are left out");
	}

	/* programs and erases, in the build's order */
	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		if (!ub_package_plan_step_is_entry(step))
			continue;
		if (only != NULL && !g_strv_contains(only, step->partition))
			continue;
		if (!ub_package_plan_add_flat_entry(plan, package, step, error)) {
			g_prefix_error(error, "%s: ", step->line != NULL ? step->line : "flat build");
			return NULL;
		}
	}
	if (!keep_table_steps)
		return g_steal_pointer(&plan);

	/* then the patches, then the LUN the boot ROM loads from */
	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		g_autofree gchar *command = NULL;
		UbPlanOp *op;
		if (step->kind != UB_PACKAGE_STEP_PATCH)
			continue;
		command = g_strdup_printf("patch %s", step->arg != NULL ? step->arg : "");
		op = ub_plan_add_simple(plan, UB_PLAN_OP_COMMAND, command);
		op->origin = g_strdup(step->line);
	}
	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		g_autofree gchar *command = NULL;
		UbPlanOp *op;
		if (step->kind != UB_PACKAGE_STEP_SET_BOOTABLE)
			continue;
		command = g_strdup_printf("setbootablestoragedrive value=\"%s\"",
					  step->value != NULL ? step->value : "0");
		op = ub_plan_add_simple(plan, UB_PLAN_OP_COMMAND, command);
		op->origin = g_strdup("bootable LUN");
	}
	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		if (ub_package_plan_step_is_entry(step) || step->kind == UB_PACKAGE_STEP_PATCH ||
		    step->kind == UB_PACKAGE_STEP_SET_BOOTABLE)
			continue;
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s: a %s step cannot run in a flat build",
			    step->line != NULL ? step->line : "plan",
			    ub_package_step_kind_to_string(step->kind));
		return NULL;
	}
	return g_steal_pointer(&plan);
}

/*
 * MediaTek scatter packages (mtk.md b.3-b.5): SP Flash Tool's three modes.
 * Rows are written where the scatter puts them, physical_start_addr in their
 * region (EMMC_USER -> "user", UFS_LU2 -> "lun2"), with partition_size as the
 * limit when boundary_check says so; the preloader row goes to the engine's
 * "preloader", which adds the boot header and writes both boot areas; rows
 * at an end-relative pseudo address are placed from the phone's table.
 * Sparse images go as they are: the engine expands them.
 *
 * Download Only checks first that the phone's table is the scatter's
 * (CHECK_LAYOUT). Firmware Upgrade backs up every calibration partition the
 * phone has (and the scatter's PROTECTED and BINREGION rows), writes the
 * scatter's table, formats and downloads, then restores the backups where
 * the new table puts them and compares them. Format All + Download backs the
 * calibration partitions up, erases every row (refused unless the user
 * allowed changing calibration data), writes the table and downloads.
 * Checksum.ini beside the scatter is checked before anything is written.
 */

typedef struct {
	UbScatter *scatter;	 /* nullable */
	UbScatterLayout *layout; /* nullable, owned by @scatter */
	GHashTable *recs;	 /* lower-case name -> UbScatterPartition, owned by @scatter */
	UbMtkChecksum *checksum; /* nullable */
	gchar *checksum_path;	 /* nullable */
	gchar *dirname;		 /* "" or "dir/" */
} UbPackagePlanScatter;

static void
ub_package_plan_scatter_free(UbPackagePlanScatter *info)
{
	g_clear_object(&info->scatter);
	g_hash_table_unref(info->recs);
	g_clear_object(&info->checksum);
	g_free(info->checksum_path);
	g_free(info->dirname);
	g_free(info);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbPackagePlanScatter, ub_package_plan_scatter_free)

static gboolean
ub_package_plan_name_is_scatter(const gchar *rel)
{
	const gchar *slash = strrchr(rel, '/');
	g_autofree gchar *lower = g_ascii_strdown(slash != NULL ? slash + 1 : rel, -1);
	return strstr(lower, "scatter") != NULL &&
	       (g_str_has_suffix(lower, ".txt") || g_str_has_suffix(lower, ".xml"));
}

/* the scatter file the package was read from: the file the user picked, or
 * the shallowest *scatter*.txt / .xml whose folder holds the images */
static gchar *
ub_package_plan_find_scatter(UbPackage *package)
{
	const gchar *path = ub_package_get_path(package);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_autofree gchar *picked = NULL;
	const gchar *best = NULL;
	guint best_depth = G_MAXUINT;

	files = ub_package_source_list(ub_package_get_source(package), NULL, &error_local);
	if (files == NULL) {
		g_debug("ignoring: %s", error_local->message);
		return NULL;
	}
	if (path != NULL && g_file_test(path, G_FILE_TEST_IS_REGULAR))
		picked = g_path_get_basename(path);
	for (guint i = 0; i < files->len; i++) {
		const gchar *rel = g_ptr_array_index(files, i);
		guint depth = 0;
		if (picked != NULL && g_strcmp0(rel, picked) == 0)
			return g_strdup(rel);
		if (!ub_package_plan_name_is_scatter(rel))
			continue;
		for (const gchar *p = rel; *p != '\0'; p++)
			depth += *p == '/';
		if (depth < best_depth) {
			best = rel;
			best_depth = depth;
		}
	}
	return g_strdup(best);
}

/* what UbPackagePartition does not keep: boundary_check, combo_partsize_check,
 * block_size, skip_pmt_operate, and Checksum.ini; none of it is fatal */
static UbPackagePlanScatter *
ub_package_plan_scatter_load(UbPackage *package)
{
	const gchar *names[] = {"Checksum.ini", "checksum.ini", "CheckSum.ini"};
	UbPackagePlanScatter *info = g_new0(UbPackagePlanScatter, 1);
	g_autofree gchar *rel = ub_package_plan_find_scatter(package);
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GError) error_local = NULL;
	const gchar *slash;

	info->recs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (rel == NULL) {
		info->dirname = g_strdup("");
		return info;
	}
	slash = strrchr(rel, '/');
	info->dirname = slash != NULL ? g_strndup(rel, slash - rel + 1) : g_strdup("");
	blob = ub_package_load_file(package, rel, UB_SCATTER_MAX_SIZE, NULL, &error_local);
	if (blob != NULL)
		info->scatter = ub_scatter_parse(g_bytes_get_data(blob, NULL),
						 g_bytes_get_size(blob),
						 &error_local);
	if (info->scatter == NULL) {
		g_debug("ignoring: %s", error_local->message);
		return info;
	}
	if (ub_package_get_storage(package) != NULL)
		info->layout = ub_scatter_find_layout(info->scatter, ub_package_get_storage(package));
	if (info->layout == NULL && ub_scatter_get_layouts(info->scatter)->len > 0)
		info->layout = g_ptr_array_index(ub_scatter_get_layouts(info->scatter), 0);
	for (guint i = 0; info->layout != NULL && i < info->layout->partitions->len; i++) {
		UbScatterPartition *rec = g_ptr_array_index(info->layout->partitions, i);
		g_autofree gchar *key = g_ascii_strdown(rec->name, -1);
		if (!g_hash_table_contains(info->recs, key))
			g_hash_table_insert(info->recs, g_steal_pointer(&key), rec);
	}

	/* Checksum.ini beside the scatter (b.5) */
	for (guint i = 0; i < G_N_ELEMENTS(names) && info->checksum == NULL; i++) {
		g_autofree gchar *path = g_strconcat(info->dirname, names[i], NULL);
		g_autoptr(GBytes) ini = NULL;
		g_autoptr(GError) error_ini = NULL;
		ini = ub_package_load_file(package, path, UB_MTK_CHECKSUM_MAX_SIZE, NULL, &error_ini);
		if (ini == NULL)
			continue;
		info->checksum = ub_mtk_checksum_parse(g_bytes_get_data(ini, NULL),
						       g_bytes_get_size(ini),
						       &error_ini);
		if (info->checksum == NULL) {
			g_debug("ignoring %s: %s", path, error_ini->message);
			continue;
		}
		info->checksum_path = g_steal_pointer(&path);
	}
	return info;
}

static const UbScatterPartition *
ub_package_plan_scatter_rec(UbPackagePlanScatter *info, const gchar *name)
{
	g_autofree gchar *key = g_ascii_strdown(name, -1);
	return g_hash_table_lookup(info->recs, key);
}

/* a scatter region as the engine names it (mtk.md b.3, the region rules of
 * the issue: eMMC boot1 boot2 rpmb user, UFS lun0 lun1 lun2) */
static const gchar *
ub_package_plan_mtk_region(const gchar *region)
{
	const gchar *canonical = ub_scatter_region_normalize(region);
	const struct {
		const gchar *scatter;
		const gchar *device;
	} map[] = {
	    {"EMMC_USER", "user"},
	    {"EMMC_BOOT1_BOOT2", "boot1"},
	    {"EMMC_BOOT1", "boot1"},
	    {"EMMC_BOOT2", "boot2"},
	    {"EMMC_RPMB", "rpmb"},
	    {"EMMC_GP1", "gp1"},
	    {"EMMC_GP2", "gp2"},
	    {"EMMC_GP3", "gp3"},
	    {"EMMC_GP4", "gp4"},
	    {"UFS_LU0_LU1", "lun0"},
	    {"UFS_LU0", "lun0"},
	    {"UFS_LU1", "lun1"},
	    {"UFS_LU2", "lun2"},
	};
	for (guint i = 0; canonical != NULL && i < G_N_ELEMENTS(map); i++) {
		if (g_strcmp0(canonical, map[i].scatter) == 0)
			return map[i].device;
	}
	return NULL;
}

/* "0xFFFF0080" -> 0xFFFF0080; 0 when the row is not at a pseudo address */
static guint64
ub_package_plan_pseudo(const UbPackagePartition *part)
{
	guint64 value = 0;
	const gchar *str = part->start_expr;
	if (str == NULL)
		return 0;
	if (g_str_has_prefix(str, "0x") || g_str_has_prefix(str, "0X"))
		str += 2;
	if (!g_ascii_string_to_unsigned(str, 16, 0, G_MAXUINT64, &value, NULL))
		return 0;
	if (value < UB_SCATTER_PSEUDO_MIN || value > UB_SCATTER_PSEUDO_MAX)
		return 0;
	return value;
}

static gboolean
ub_package_plan_name_is_gpt(const gchar *name)
{
	return g_ascii_strcasecmp(name, "pgpt") == 0 || g_ascii_strcasecmp(name, "sgpt") == 0;
}

/* an MBR/EBR (PMT) era layout: the user area starts with the MBR image */
static gboolean
ub_package_plan_scatter_is_pmt_era(GPtrArray *parts)
{
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(parts, i);
		if (g_ascii_strcasecmp(part->name, "MBR") == 0 && part->region != NULL &&
		    !ub_scatter_region_is_boot(part->region))
			return TRUE;
	}
	return FALSE;
}

/* the user-area rows of the scatter: what the phone's table must be; an
 * MBR/EBR era layout keeps its rows without a size (the last ones of a brace
 * file, FAT of size 0: "the rest"), which reach the next row */
static void
ub_package_plan_scatter_layout(UbPlan *plan, UbPackage *package, UbPackagePlanScatter *info)
{
	GPtrArray *parts = ub_package_get_partitions(package);
	gboolean pmt_era = ub_package_plan_scatter_is_pmt_era(parts);
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(parts, i);
		const gchar *region = ub_package_plan_mtk_region(part->region);
		const UbScatterPartition *rec = ub_package_plan_scatter_rec(info, part->name);
		guint64 pseudo = ub_package_plan_pseudo(part);
		gboolean sized = part->size != UB_PACKAGE_UNKNOWN && part->size != 0;
		if (region == NULL || ub_scatter_region_is_boot(part->region) ||
		    g_strcmp0(region, "rpmb") == 0 || (!sized && !pmt_era))
			continue;
		if (!sized) {
			if (pseudo == 0 && part->start == UB_PACKAGE_UNKNOWN)
				continue;
			ub_plan_add_layout_row(plan,
					       part->name,
					       region,
					       pseudo != 0 ? 0 : part->start,
					       0,
					       pseudo,
					       FALSE);
			continue;
		}
		/* the backup GPT's own row: the tail the other pseudo addresses count from */
		if (pseudo == UB_SCATTER_PSEUDO_MIN) {
			ub_plan_add_layout_row(plan, part->name, region, 0, part->size, pseudo, FALSE);
			continue;
		}
		if (ub_package_plan_name_is_gpt(part->name))
			continue;
		if (pseudo == 0 && part->start == UB_PACKAGE_UNKNOWN)
			continue;
		ub_plan_add_layout_row(plan,
				       part->name,
				       region,
				       pseudo != 0 ? 0 : part->start,
				       part->size,
				       pseudo,
				       rec != NULL && rec->combo_partsize_check);
	}
}

/* one FLASH or FORMAT step of the package plan as an op on the engine */
static gboolean
ub_package_plan_scatter_step(UbPlan *plan,
			     UbPackage *package,
			     UbPackagePlanScatter *info,
			     const UbPackageStep *step,
			     GError **error)
{
	UbPackagePartition *part = ub_package_find_partition(package, step->partition);
	const UbScatterPartition *rec = ub_package_plan_scatter_rec(info, step->partition);
	gboolean is_write = step->kind == UB_PACKAGE_STEP_FLASH;
	UbPlanOpKind kind = is_write ? UB_PLAN_OP_WRITE : UB_PLAN_OP_ERASE;
	gboolean boundary = rec == NULL || rec->boundary_check;
	const gchar *region;
	guint64 pseudo;
	guint64 size;
	UbPlanOp *op;

	if (part == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INTERNAL,
			    "%s: no row %s",
			    step->line != NULL ? step->line : "scatter",
			    step->partition);
		return FALSE;
	}
	region = ub_package_plan_mtk_region(part->region);
	pseudo = ub_package_plan_pseudo(part);
	size = part->size != UB_PACKAGE_UNKNOWN ? part->size : 0;

	if (is_write && g_strcmp0(part->operation, "BOOTLOADERS") == 0 &&
	    ub_scatter_region_is_boot(part->region)) {
		/* the engine adds the boot header and writes both boot areas (b.3);
		 * an MBR/EBR era scatter's preloader row is the 0xC00000 window of
		 * its flat address space, not the phone's boot area */
		GPtrArray *parts = ub_package_get_partitions(package);
		gboolean window = boundary && !ub_package_plan_scatter_is_pmt_era(parts);
		op = ub_plan_add_op(plan, kind, "preloader", NULL, 0, window ? size : 0, NULL);
		op->flags |= UB_PLAN_OP_FLAG_ENGINE_NAME;
	} else if (region != NULL && pseudo != 0 && size != 0) {
		op = ub_plan_add_op(plan, kind, NULL, region, pseudo, size, NULL);
		op->flags |= UB_PLAN_OP_FLAG_PSEUDO;
	} else if (region != NULL && part->start != UB_PACKAGE_UNKNOWN && (is_write || size != 0)) {
		op = ub_plan_add_op(plan,
				    kind,
				    NULL,
				    region,
				    part->start,
				    is_write && !boundary ? 0 : size,
				    NULL);
		if (is_write && g_ascii_strcasecmp(part->name, "pgpt") == 0)
			op->flags |= UB_PLAN_OP_FLAG_TABLE;
	} else {
		/* no place the scatter states: the phone's table has it */
		op = ub_plan_add_op(plan, kind, part->name, NULL, 0, 0, NULL);
	}
	op->label = g_strdup(part->name);
	op->origin = g_strdup(step->line);
	if (is_write)
		ub_plan_op_set_package_file(op, package, part->file);
	return TRUE;
}

/* --only: names of downloadable rows */
static gboolean
ub_package_plan_scatter_check_only(UbPackage *package,
				   const UbPackagePlan *pplan,
				   const gchar *const *only,
				   GError **error)
{
	if (only[0] == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no partitions selected: name the partitions to download");
		return FALSE;
	}
	for (guint i = 0; only[i] != NULL; i++) {
		gboolean found = FALSE;
		for (guint j = 0; j < pplan->steps->len && !found; j++) {
			const UbPackageStep *step = g_ptr_array_index(pplan->steps, j);
			found = step->kind == UB_PACKAGE_STEP_FLASH &&
				g_ascii_strcasecmp(step->partition, only[i]) == 0;
		}
		if (!found) {
			g_autoptr(GString) names = g_string_new(NULL);
			for (guint j = 0; j < pplan->steps->len; j++) {
				const UbPackageStep *step = g_ptr_array_index(pplan->steps, j);
				if (step->kind != UB_PACKAGE_STEP_FLASH)
					continue;
				g_string_append_printf(names,
						       "%s%s",
						       names->len > 0 ? ", " : "",
						       step->partition);
			}
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the scatter has no partition '%s' to download in %s mode (it "
				    "downloads: %s)",
				    only[i],
				    pplan->id,
				    names->len > 0 ? names->str : "nothing");
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
ub_package_plan_scatter_selected(const UbPackageStep *step, const gchar *const *only)
{
	if (only == NULL || step->kind != UB_PACKAGE_STEP_FLASH)
		return TRUE;
	for (guint i = 0; only[i] != NULL; i++) {
		if (g_ascii_strcasecmp(step->partition, only[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Checksum.ini lines for the images the plan writes, each file once */
static void
ub_package_plan_scatter_checksums(UbPlan *plan, UbPackage *package, UbPackagePlanScatter *info)
{
	GPtrArray *entries;
	GPtrArray *ops = ub_plan_get_ops(plan);
	g_autoptr(GPtrArray) checks = g_ptr_array_new();
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (info->checksum == NULL)
		return;
	if (!ub_mtk_checksum_get_enabled(info->checksum)) {
		ub_plan_add_note(plan, "%s: CHECKSUM_SWITCH=0, checksums are not verified",
				 info->checksum_path);
		return;
	}
	entries = ub_mtk_checksum_get_entries(info->checksum);
	for (guint i = 0; i < entries->len; i++) {
		UbMtkChecksumEntry *entry = g_ptr_array_index(entries, i);
		UbPackagePartition *part = ub_package_find_partition(package, entry->name);
		const gchar *file = NULL;
		gboolean written = FALSE;
		g_autofree gchar *key = NULL;
		UbPlanOp *op;

		if (part != NULL) {
			file = part->file;
		} else {
			g_autofree gchar *path = g_strconcat(info->dirname, entry->name, NULL);
			GPtrArray *parts = ub_package_get_partitions(package);
			for (guint j = 0; j < parts->len && file == NULL; j++) {
				UbPackagePartition *tmp = g_ptr_array_index(parts, j);
				if (g_strcmp0(tmp->file, path) == 0)
					file = tmp->file;
			}
		}
		if (file == NULL)
			continue;
		for (guint j = 0; j < ops->len && !written; j++) {
			UbPlanOp *tmp = g_ptr_array_index(ops, j);
			written = tmp->kind == UB_PLAN_OP_WRITE && g_strcmp0(tmp->file, file) == 0;
		}
		if (!written)
			continue;
		key = g_strdup_printf("%s\n%04x", file, entry->value);
		if (g_hash_table_contains(seen, key))
			continue;
		g_hash_table_add(seen, g_steal_pointer(&key));
		op = g_new0(UbPlanOp, 1);
		op->kind = UB_PLAN_OP_CHECK_SUM;
		op->value = g_strdup_printf("0x%04x", entry->value);
		op->origin = g_strdup_printf("%s:%u", info->checksum_path, entry->line);
		ub_plan_op_set_package_file(op, package, file);
		g_ptr_array_add(checks, op);
	}
	/* before every other step */
	for (guint i = checks->len; i > 0; i--)
		g_ptr_array_insert(ops, 0, g_ptr_array_index(checks, i - 1));
}

static UbPlan *
ub_package_plan_scatter(UbPackage *package,
			const UbPackagePlan *pplan,
			const UbPackagePlanOptions *options,
			GError **error)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(UbPackagePlanScatter) info = ub_package_plan_scatter_load(package);
	g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func(g_free);
	const gchar *const *only = options->only_labels;
	gboolean upgrade = g_strcmp0(pplan->id, UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE) == 0;
	gboolean format_all = g_strcmp0(pplan->id, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD) == 0;
	gboolean table_in_package = FALSE;
	gboolean layout_written = FALSE;
	GPtrArray *layout;
	UbPlanOp *op;

	ub_plan_set_verify(plan, options->verify);
	ub_plan_set_allow_lock(plan, options->allow_lock);
	if (only != NULL && !ub_package_plan_scatter_check_only(package, pplan, only, error))
		return NULL;
	if (only != NULL) {
		g_autofree gchar *names = g_strjoinv(", ", (gchar **)only);
		ub_plan_add_note(plan, "downloading only %s", names);
	}
	if (info->layout != NULL)
		ub_plan_set_layout_block_size(plan, info->layout->block_size);
	ub_package_plan_scatter_layout(plan, package, info);
	layout = ub_plan_get_layout(plan);
	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		gboolean known = FALSE;
		for (guint j = 0; j < regions->len && !known; j++)
			known = g_strcmp0(g_ptr_array_index(regions, j), row->region) == 0;
		if (!known)
			g_ptr_array_add(regions, g_strdup(row->region));
	}
	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		if (step->kind == UB_PACKAGE_STEP_FLASH && ub_package_plan_name_is_gpt(step->partition) &&
		    ub_package_plan_scatter_selected(step, only))
			table_in_package = TRUE;
	}
	if (info->scatter != NULL &&
	    g_strcmp0(ub_scatter_get_general(info->scatter, "skip_pmt_operate"), "true") == 0) {
		ub_plan_add_note(plan, "the scatter says skip_pmt_operate: the phone's partition "
				       "table is not rewritten");
		table_in_package = TRUE;
	}

	/* Download Only: the phone's layout must be the scatter's */
	if (!upgrade && !format_all && layout->len > 0)
		ub_plan_add_simple(plan, UB_PLAN_OP_CHECK_LAYOUT, NULL)->origin = g_strdup(pplan->id);

	/* calibration data first: kept through Firmware Upgrade, backed up anyway
	 * before Format All erases it */
	if (upgrade || format_all) {
		op = ub_plan_add_op(plan, UB_PLAN_OP_BACKUP, NULL, NULL, 0, 0, NULL);
		if (upgrade)
			op->flags |= UB_PLAN_OP_FLAG_RESTORE;
	}
	if (upgrade) {
		GPtrArray *parts = ub_package_get_partitions(package);
		for (guint i = 0; i < parts->len; i++) {
			UbPackagePartition *part = g_ptr_array_index(parts, i);
			if (!part->calibration && g_strcmp0(part->operation, "PROTECTED") != 0 &&
			    g_strcmp0(part->operation, "BINREGION") != 0)
				continue;
			op = ub_plan_add_op(plan, UB_PLAN_OP_BACKUP, part->name, NULL, 0, 0, NULL);
			op->flags |= UB_PLAN_OP_FLAG_RESTORE;
		}
		ub_plan_add_note(plan,
				 "Firmware Upgrade: the phone's calibration partitions are backed "
				 "up, then written back where the new partition table puts them and "
				 "compared byte for byte");
	}

	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		if (step->kind != UB_PACKAGE_STEP_FLASH && step->kind != UB_PACKAGE_STEP_FORMAT) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "%s: a %s step cannot run in a scatter download",
				    step->line != NULL ? step->line : "plan",
				    ub_package_step_kind_to_string(step->kind));
			return NULL;
		}
		/* the new table: before Firmware Upgrade formats, after Format All did */
		if ((upgrade || (format_all && step->kind == UB_PACKAGE_STEP_FLASH)) &&
		    !layout_written && !table_in_package) {
			for (guint j = 0; j < regions->len; j++) {
				op = ub_plan_add_op(plan,
						    UB_PLAN_OP_WRITE_LAYOUT,
						    NULL,
						    g_ptr_array_index(regions, j),
						    0,
						    0,
						    NULL);
				op->origin = g_strdup(pplan->id);
			}
			layout_written = TRUE;
		}
		if (!ub_package_plan_scatter_selected(step, only))
			continue;
		if (!ub_package_plan_scatter_step(plan, package, info, step, error))
			return NULL;
	}
	if (upgrade)
		ub_plan_add_op(plan, UB_PLAN_OP_RESTORE, NULL, NULL, 0, 0, NULL);
	ub_package_plan_scatter_checksums(plan, package, info);
	return g_steal_pointer(&plan);
}

/**
 * ub_package_plan_to_plan:
 * @package: a #UbPackage
 * @plan_id: one of its plans ("flash_all_except_storage", "flash-all")
 * @options: (nullable): slot, consent, verification, user data
 * @error: (nullable): return location for a #GError
 *
 * Turns a package plan into a #UbPlan whose images stream from the package.
 * A product requirement of android-info.txt becomes a check when the script
 * has none; the executor runs the checks before anything is written.
 *
 * Returns: (transfer full): a download plan, or %NULL
 */
UbPlan *
ub_package_plan_to_plan(UbPackage *package,
			const gchar *plan_id,
			const UbPackagePlanOptions *options,
			GError **error)
{
	UbPackagePlanOptions defaults = {.verify = TRUE};
	UbPackagePlan *pplan;
	g_autoptr(UbPlan) plan = NULL;
	gboolean wipes = FALSE;

	g_return_val_if_fail(UB_IS_PACKAGE(package), NULL);
	g_return_val_if_fail(plan_id != NULL, NULL);
	if (options == NULL)
		options = &defaults;
	if (options->slot != NULL && g_strcmp0(options->slot, "a") != 0 &&
	    g_strcmp0(options->slot, "b") != 0 && g_strcmp0(options->slot, "all") != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the slot is a, b or all, not '%s'",
			    options->slot);
		return NULL;
	}
	pplan = ub_package_find_plan(package, plan_id);
	if (pplan == NULL) {
		GPtrArray *plans = ub_package_get_plans(package);
		g_autoptr(GString) ids = g_string_new(NULL);
		for (guint i = 0; i < plans->len; i++) {
			UbPackagePlan *p = g_ptr_array_index(plans, i);
			g_string_append_printf(ids, "%s%s", i > 0 ? ", " : "", p->id);
		}
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "the package has no plan '%s' (it has: %s)",
			    plan_id,
			    ids->len > 0 ? ids->str : "none");
		return NULL;
	}

	if (ub_package_get_format(package) == UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD) {
		plan = ub_package_plan_flat_build(package, pplan, options, error);
		if (plan == NULL)
			g_prefix_error(error, "cannot run plan %s: ", plan_id);
		return g_steal_pointer(&plan);
	}
	if (ub_package_get_format(package) == UB_PACKAGE_FORMAT_MTK_SCATTER) {
		plan = ub_package_plan_scatter(package, pplan, options, error);
		if (plan == NULL)
			g_prefix_error(error, "cannot run plan %s: ", plan_id);
		return g_steal_pointer(&plan);
	}
	if (options->only_labels != NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "selecting entries by label is for Qualcomm flat builds");
		return NULL;
	}
	plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	ub_plan_set_verify(plan, options->verify);
	ub_plan_set_allow_lock(plan, options->allow_lock);
	ub_package_plan_add_requirements(plan, package, pplan);
	for (guint i = 0; i < pplan->steps->len; i++) {
		const UbPackageStep *step = g_ptr_array_index(pplan->steps, i);
		if (!ub_package_plan_add_step(plan, package, step, options, &wipes, error)) {
			g_prefix_error(error, "cannot run plan %s: ", plan_id);
			return NULL;
		}
	}
	/* clean all with a package whose script keeps data: wipe as fastboot -w does,
	 * before a final reboot */
	if (options->data == UB_PACKAGE_DATA_WIPE && !wipes) {
		GPtrArray *ops = ub_plan_get_ops(plan);
		UbPlanOp *last = ops->len > 0 ? g_ptr_array_index(ops, ops->len - 1) : NULL;
		UbRebootMode mode = UB_REBOOT_MODE_LAST;
		UbPlanOp *op;
		if (last != NULL && last->kind == UB_PLAN_OP_REBOOT) {
			mode = last->reboot_mode;
			g_ptr_array_remove_index(ops, ops->len - 1);
		}
		op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, "userdata", NULL, 0, 0, NULL);
		op->value = g_strdup("format");
		op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, "metadata", NULL, 0, 0, NULL);
		op->value = g_strdup("format");
		if (mode != UB_REBOOT_MODE_LAST)
			ub_plan_add_reboot(plan, mode);
	}
	return g_steal_pointer(&plan);
}

/* a flat build is flashed whole or by label; the fastboot modes mean nothing to it */
static const gchar *
ub_package_plan_flat_build_id(UbPackage *package,
			      const gchar *mode,
			      UbPackageData *data,
			      GError **error)
{
	UbPackagePlan *pplan;
	if (g_strcmp0(mode, "clean-all") == 0 || g_strcmp0(mode, "keep-data") == 0 ||
	    g_strcmp0(mode, "clean-all-lock") == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s is a mode of fastboot packages; a Qualcomm flat build is flashed "
			    "whole (flat-build) or by label (selected)",
			    mode);
		return NULL;
	}
	if (g_strcmp0(mode, "flat-build") != 0 && g_strcmp0(mode, "selected") != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "unknown mode '%s' for a flat build: use flat-build or selected",
			    mode != NULL ? mode : "");
		return NULL;
	}
	pplan = ub_package_find_plan(package, "flat-build");
	if (pplan == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the flat build has no plan");
		return NULL;
	}
	if (data != NULL)
		*data = UB_PACKAGE_DATA_AS_PACKAGE;
	return pplan->id;
}

/* SP Flash Tool's modes are the plan ids */
static const gchar *
ub_package_plan_scatter_id(UbPackage *package,
			   const gchar *mode,
			   UbPackageData *data,
			   GError **error)
{
	UbPackagePlan *pplan;
	if (g_strcmp0(mode, UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY) != 0 &&
	    g_strcmp0(mode, UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE) != 0 &&
	    g_strcmp0(mode, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "unknown mode '%s' for a scatter package: use download-only, "
			    "firmware-upgrade or format-all-download",
			    mode != NULL ? mode : "");
		return NULL;
	}
	pplan = ub_package_find_plan(package, mode);
	if (pplan == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "the scatter has no %s plan", mode);
		return NULL;
	}
	if (data != NULL)
		*data = UB_PACKAGE_DATA_AS_PACKAGE;
	return pplan->id;
}

/**
 * ub_package_plan_id_for_mode:
 * @package: a #UbPackage
 * @mode: "clean-all", "keep-data" or "clean-all-lock"; for a flat build
 *   "flat-build" or "selected"
 * @data: (out) (optional): what happens to user data in that mode
 * @error: (nullable): return location for a #GError
 *
 * Xiaomi ROMs: clean-all = flash_all, keep-data = flash_all_except_storage,
 * clean-all-lock = flash_all_lock. Google factory images: flash-all with
 * user data wiped (fastboot -w) or kept.
 *
 * Returns: (nullable): the plan id, owned by @package
 */
const gchar *
ub_package_plan_id_for_mode(UbPackage *package,
			    const gchar *mode,
			    UbPackageData *data,
			    GError **error)
{
	const gchar *id = NULL;
	UbPackageData data_tmp = UB_PACKAGE_DATA_AS_PACKAGE;
	UbPackagePlan *pplan;

	g_return_val_if_fail(UB_IS_PACKAGE(package), NULL);
	if (ub_package_get_format(package) == UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD)
		return ub_package_plan_flat_build_id(package, mode, data, error);
	if (ub_package_get_format(package) == UB_PACKAGE_FORMAT_MTK_SCATTER)
		return ub_package_plan_scatter_id(package, mode, data, error);
	if (g_strcmp0(mode, "clean-all") != 0 && g_strcmp0(mode, "keep-data") != 0 &&
	    g_strcmp0(mode, "clean-all-lock") != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "unknown mode '%s': use clean-all, keep-data or clean-all-lock",
			    mode != NULL ? mode : "");
		return NULL;
	}
	switch (ub_package_get_format(package)) {
	case UB_PACKAGE_FORMAT_FASTBOOT_ROM:
		if (g_strcmp0(mode, "clean-all") == 0)
			id = "flash_all";
		else if (g_strcmp0(mode, "keep-data") == 0)
			id = "flash_all_except_storage";
		else
			id = "flash_all_lock";
		break;
	case UB_PACKAGE_FORMAT_GOOGLE_FACTORY:
		if (g_strcmp0(mode, "clean-all-lock") == 0) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_NOT_SUPPORTED,
					    "a factory image has no clean-all-lock mode: flash it "
					    "with clean-all, then lock with 'fastboot flashing lock' "
					    "once the phone boots");
			return NULL;
		}
		id = "flash-all";
		data_tmp = g_strcmp0(mode, "clean-all") == 0 ? UB_PACKAGE_DATA_WIPE
							     : UB_PACKAGE_DATA_KEEP;
		break;
	case UB_PACKAGE_FORMAT_UNKNOWN:
	case UB_PACKAGE_FORMAT_MTK_SCATTER:
	case UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD:
	case UB_PACKAGE_FORMAT_LAST:
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "modes are for fastboot packages; this is a %s package",
			    ub_package_format_to_string(ub_package_get_format(package)));
		return NULL;
	}
	pplan = ub_package_find_plan(package, id);
	if (pplan == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "the package has no %s script, so it cannot run in %s mode",
			    id,
			    mode);
		return NULL;
	}
	if (data != NULL)
		*data = data_tmp;
	return pplan->id;
}

/**
 * ub_package_plan_for_mode:
 * @package: a #UbPackage
 * @mode: "clean-all", "keep-data" or "clean-all-lock"; for a flat build
 *   "flat-build" (everything) or "selected" (@options' only_labels)
 * @options: (nullable): slot, consent, verification; @data is set by the mode
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the plan of ub_package_plan_to_plan() for @mode
 */
UbPlan *
ub_package_plan_for_mode(UbPackage *package,
			 const gchar *mode,
			 const UbPackagePlanOptions *options,
			 GError **error)
{
	UbPackagePlanOptions opts = {.verify = TRUE};
	const gchar *id;
	if (options != NULL)
		opts = *options;
	id = ub_package_plan_id_for_mode(package, mode, &opts.data, error);
	if (id == NULL)
		return NULL;
	if (ub_package_get_format(package) == UB_PACKAGE_FORMAT_MTK_SCATTER)
		return ub_package_plan_to_plan(package, id, &opts, error);
	if (g_strcmp0(mode, "selected") == 0 && opts.only_labels == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the selected mode needs the labels to flash");
		return NULL;
	}
	if (g_strcmp0(mode, "flat-build") == 0)
		opts.only_labels = NULL;
	return ub_package_plan_to_plan(package, id, &opts, error);
}
