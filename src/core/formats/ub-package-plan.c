/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-package-flat-build.h"
#include "ub-package-plan.h"
#include "ub-rawprogram.h"

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
