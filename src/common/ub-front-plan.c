/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "edl/ub-edl-device.h"
#include "ub-front-plan.h"

/* the plans behind Read back and Format, built once for the GUI and the CLI:
 * rows are checked against the phone before anything is read or erased */

void
ub_front_calibration_free(UbFrontCalibration *cal)
{
	if (cal == NULL)
		return;
	g_free(cal->name);
	g_free(cal->region);
	g_free(cal->reason);
	g_free(cal);
}

/**
 * ub_front_plan_parse_size:
 * @text: "4096", "0x1000", "4K", "0x10M", "2 GiB"
 * @value: (out): bytes
 * @error: (nullable): return location for a #GError
 *
 * Parses a size or address as a user types it: decimal or 0x hex, with an
 * optional K, M or G suffix (powers of 1024, "KiB"/"KB" accepted too).
 *
 * Returns: %TRUE if @text is a number that fits 64 bits
 */
gboolean
ub_front_plan_parse_size(const gchar *text, guint64 *value, GError **error)
{
	g_autofree gchar *str = g_strstrip(g_strdup(text != NULL ? text : ""));
	const gchar *p = str;
	gchar *end = NULL;
	guint base = 10;
	guint64 mult = 1;
	guint64 num;

	if (g_ascii_strncasecmp(p, "0x", 2) == 0) {
		base = 16;
		p += 2;
	}
	if (!g_ascii_isxdigit(*p) || (base == 10 && !g_ascii_isdigit(*p))) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("'%s' is not a number"), str);
		return FALSE;
	}
	errno = 0;
	num = g_ascii_strtoull(p, &end, base);
	if (errno != 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("'%s' is too large"), str);
		return FALSE;
	}
	while (*end == ' ')
		end++;
	if (*end != '\0') {
		const gchar *rest = end + 1;
		switch (g_ascii_toupper(*end)) {
		case 'K':
			mult = 1024;
			break;
		case 'M':
			mult = 1024 * 1024;
			break;
		case 'G':
			mult = 1024 * 1024 * 1024;
			break;
		default:
			mult = 0;
			break;
		}
		if (g_ascii_strcasecmp(rest, "iB") != 0 && g_ascii_strcasecmp(rest, "B") != 0 &&
		    rest[0] != '\0')
			mult = 0;
		if (mult == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("'%s' is not a size: use a number, 0x hex, or K, M, G"),
				    str);
			return FALSE;
		}
	}
	if (!g_uint64_checked_mul(value, num, mult)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("'%s' is too large"), str);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_front_plan_default_output_name:
 * @row: a read back row
 *
 * Returns: (transfer full): NAME.img, or REGION-0xSTART.bin for a range
 */
gchar *
ub_front_plan_default_output_name(const UbFrontReadbackRow *row)
{
	g_autofree gchar *base = NULL;
	if (row->name != NULL)
		base = g_strdup_printf("%s.img", row->name);
	else
		base = g_strdup_printf("%s-0x%" G_GINT64_MODIFIER "x.bin",
				       row->region != NULL ? row->region : "region",
				       row->start);
	/* a file name, never a path */
	g_strdelimit(base, "/\\", '_');
	if (base[0] == '.')
		base[0] = '_';
	return g_steal_pointer(&base);
}

/* [start, start+length) inside a thing of @size bytes; length 0: to the end */
static gboolean
ub_front_plan_check_range(const gchar *what,
			  guint64 size,
			  guint64 start,
			  guint64 length,
			  GError **error)
{
	if (start >= size || length > size - start) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    _("bytes 0x%llx+0x%llx are outside %s (0x%llx bytes)"),
			    (unsigned long long)start,
			    (unsigned long long)length,
			    what,
			    (unsigned long long)size);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_front_plan_check_row(UbDevice *device, const UbFrontReadbackRow *row, GError **error)
{
	GPtrArray *partitions = device != NULL ? ub_device_get_partitions(device) : NULL;

	if ((row->name == NULL) == (row->region == NULL)) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("a row names either a partition or a region"));
		return FALSE;
	}
	if (row->name != NULL) {
		UbPartition *part;
		g_autofree gchar *what = NULL;
		if (partitions == NULL || partitions->len == 0)
			return TRUE;
		part = ub_partition_array_find(partitions, row->name);
		if (part == NULL) {
			g_autofree gchar *name_a = g_strdup_printf("%s_a", row->name);
			/* an A/B base name: the executor picks the current slot */
			if (ub_partition_array_find(partitions, name_a) != NULL)
				return TRUE;
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    _("the phone has no partition called '%s'"),
				    row->name);
			return FALSE;
		}
		if (ub_partition_get_size(part) == 0)
			return TRUE;
		what = g_strdup_printf(_("partition '%s'"), row->name);
		return ub_front_plan_check_range(what,
						 ub_partition_get_size(part),
						 row->start,
						 row->length,
						 error);
	}
	if (device != NULL && ub_device_get_regions(device)->len > 0) {
		const UbDeviceRegion *region = ub_device_find_region(device, row->region);
		g_autofree gchar *what = NULL;
		if (region == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    _("the phone has no region called '%s'"),
				    row->region);
			return FALSE;
		}
		what = g_strdup_printf(_("region '%s'"), row->region);
		return ub_front_plan_check_range(what, region->size, row->start, row->length, error);
	}
	return TRUE;
}

/**
 * ub_front_plan_readback:
 * @device: (nullable): the phone, identified, to check the rows against
 * @rows: (array length=n_rows): what to read
 * @n_rows: how many rows
 * @output_dir: (nullable): the folder relative outputs go into (created
 *   here); %NULL: outputs are taken as given
 * @error: (nullable): return location for a #GError
 *
 * Builds a Read back plan. Rows naming the same thing twice, two rows
 * reading into one file, or a range outside the phone's partition or region
 * are refused before anything is read.
 *
 * Returns: (transfer full): a plan, or %NULL
 */
UbPlan *
ub_front_plan_readback(UbDevice *device,
		       const UbFrontReadbackRow *rows,
		       guint n_rows,
		       const gchar *output_dir,
		       GError **error)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_READBACK);
	g_autoptr(GHashTable) targets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (n_rows == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("nothing to read back"));
		return NULL;
	}
	for (guint i = 0; i < n_rows; i++) {
		const UbFrontReadbackRow *row = &rows[i];
		g_autofree gchar *target = NULL;
		g_autofree gchar *path = NULL;
		g_autofree gchar *basename = NULL;
		UbPlanOp *op;

		if (!ub_front_plan_check_row(device, row, error))
			return NULL;
		target = g_strdup_printf("%s:%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
					 row->name != NULL ? "partition" : "region",
					 row->name != NULL ? row->name : row->region,
					 row->start,
					 row->length);
		if (!g_hash_table_add(targets, g_steal_pointer(&target))) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s is read back twice"),
				    row->name != NULL ? row->name : row->region);
			return NULL;
		}
		basename = row->output != NULL ? g_strdup(row->output)
					       : ub_front_plan_default_output_name(row);
		if (output_dir != NULL && !g_path_is_absolute(basename))
			path = g_build_filename(output_dir, basename, NULL);
		else
			path = g_strdup(basename);
		if (g_hash_table_contains(paths, path)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("two rows read into %s"),
				    path);
			return NULL;
		}
		g_hash_table_add(paths, g_strdup(path));
		op = ub_plan_add_op(plan,
				    UB_PLAN_OP_READ,
				    row->name,
				    row->name != NULL ? NULL : row->region,
				    row->start,
				    row->length,
				    path);
		if (row->name == NULL)
			op->label = g_path_get_basename(path);
	}
	if (output_dir != NULL && g_mkdir_with_parents(output_dir, 0755) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PERMISSION_DENIED,
			    _("cannot create %s: %s"),
			    output_dir,
			    g_strerror(errno));
		return NULL;
	}
	return g_steal_pointer(&plan);
}

static GPtrArray *
ub_front_plan_get_partitions(UbDevice *device, GError **error)
{
	GPtrArray *partitions = ub_device_get_partitions(device);
	if (partitions == NULL || partitions->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the phone's partition table is not known yet: connect it and "
				    "let it be identified first");
		return NULL;
	}
	return partitions;
}

/**
 * ub_front_plan_readback_all:
 * @device: the phone, identified
 * @output_dir: the folder
 * @error: (nullable): return location for a #GError
 *
 * Every partition of the phone into @output_dir as NAME.img (logical
 * partitions inside super are part of the super image and skipped). On a
 * Qualcomm EDL phone the engine reads every LUN instead, tables included,
 * as a flat build (rawprogram0.xml and the images) that can be flashed back.
 *
 * Returns: (transfer full): a plan, or %NULL
 */
UbPlan *
ub_front_plan_readback_all(UbDevice *device, const gchar *output_dir, GError **error)
{
	GPtrArray *partitions;
	g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(UbFrontReadbackRow));

	g_return_val_if_fail(UB_IS_DEVICE(device), NULL);
	g_return_val_if_fail(output_dir != NULL, NULL);

	if (UB_IS_EDL_DEVICE(device)) {
		g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_READBACK);
		UbPlanOp *op = ub_plan_add_op(plan, UB_PLAN_OP_READ, NULL, NULL, 0, 0, output_dir);
		op->flags |= UB_PLAN_OP_FLAG_FLAT_BUILD;
		op->label = g_strdup("rawprogram0.xml");
		return g_steal_pointer(&plan);
	}
	partitions = ub_front_plan_get_partitions(device, error);
	if (partitions == NULL)
		return NULL;
	for (guint i = 0; i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		UbFrontReadbackRow row = {.name = ub_partition_get_name(part)};
		if (ub_partition_get_is_logical(part))
			continue;
		g_array_append_val(rows, row);
	}
	return ub_front_plan_readback(device,
				      (const UbFrontReadbackRow *)rows->data,
				      rows->len,
				      output_dir,
				      error);
}

/* the user area a MediaTek "format whole flash except bootloader" erases */
static const gchar *
ub_front_plan_mtk_user_region(UbDevice *device)
{
	if (ub_device_find_region(device, "user") != NULL)
		return "user";
	if (ub_device_find_region(device, "lun2") != NULL)
		return "lun2";
	return NULL;
}

static UbPlan *
ub_front_plan_format_mtk(UbDevice *device, gboolean whole_flash, GError **error)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	const gchar *user = ub_front_plan_mtk_user_region(device);
	GPtrArray *regions = ub_device_get_regions(device);
	UbPlanOp *op;

	if (user == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "this phone reports no user area (user or lun2) to format");
		return NULL;
	}
	/* whole flash: the boot areas (preloader) too, never the RPMB */
	for (guint i = 0; whole_flash && i < regions->len; i++) {
		UbDeviceRegion *region = g_ptr_array_index(regions, i);
		if (g_strcmp0(region->name, user) == 0 || g_strcmp0(region->name, "rpmb") == 0)
			continue;
		op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, region->name, 0, 0, NULL);
		op->label = g_strdup(region->name);
	}
	op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, user, 0, 0, NULL);
	op->flags |= UB_PLAN_OP_FLAG_KEEP_CALIBRATION;
	op->label = g_strdup(user);
	return g_steal_pointer(&plan);
}

static UbPlan *
ub_front_plan_format_partitions(UbDevice *device,
				gboolean whole_flash,
				gboolean keep_calibration,
				GError **error)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	GPtrArray *partitions = ub_front_plan_get_partitions(device, error);

	if (partitions == NULL)
		return NULL;
	for (guint i = 0; i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		const gchar *name = ub_partition_get_name(part);
		/* logical partitions go with super */
		if (ub_partition_get_is_logical(part))
			continue;
		if (!whole_flash && ub_partition_name_is_bootloader(name))
			continue;
		if (keep_calibration && ub_partition_is_calibration(part))
			continue;
		ub_plan_add_erase(plan, name);
	}
	if (ub_plan_get_ops(plan)->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "nothing to format on this phone");
		return NULL;
	}
	return g_steal_pointer(&plan);
}

/**
 * ub_front_plan_format_auto:
 * @device: the phone, identified
 * @whole_flash: include the boot chain (preloader, xbl, abl...)
 * @keep_calibration: leave the calibration partitions alone
 * @error: (nullable): return location for a #GError
 *
 * "Format whole flash except bootloader" (or "whole flash"): on MediaTek an
 * erase of the user area that skips calibration partitions and the tables
 * unless @keep_calibration is off (plus the boot areas for @whole_flash); on
 * Qualcomm EDL and fastboot an erase of every partition except the boot
 * chain and, with @keep_calibration, the calibration ones. Calibration data
 * that is erased is backed up first by the executor.
 *
 * Returns: (transfer full): a plan, or %NULL
 */
UbPlan *
ub_front_plan_format_auto(UbDevice *device,
			  gboolean whole_flash,
			  gboolean keep_calibration,
			  GError **error)
{
	g_autoptr(UbPlan) plan = NULL;

	g_return_val_if_fail(UB_IS_DEVICE(device), NULL);

	switch (ub_device_get_protocol(device)) {
	case UB_PROTOCOL_MTK:
		plan = ub_front_plan_format_mtk(device, whole_flash, error);
		break;
	case UB_PROTOCOL_EDL:
	case UB_PROTOCOL_FASTBOOT:
		plan = ub_front_plan_format_partitions(device, whole_flash, keep_calibration, error);
		break;
	case UB_PROTOCOL_UNKNOWN:
	case UB_PROTOCOL_LAST:
	default:
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "this phone cannot be formatted");
		break;
	}
	if (plan == NULL)
		return NULL;
	ub_plan_set_allow_calibration(plan, !keep_calibration);
	return g_steal_pointer(&plan);
}

/**
 * ub_front_plan_format_range:
 * @device: (nullable): the phone, identified, to check the range against
 * @region: the region ("user", "lun0")
 * @start: byte offset
 * @length: bytes, 0 for "to the end of the region"
 * @keep_calibration: refuse (at preflight) a range that covers calibration
 *   partitions; off: they are backed up and erased
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): a plan erasing the range, or %NULL
 */
UbPlan *
ub_front_plan_format_range(UbDevice *device,
			   const gchar *region,
			   guint64 start,
			   guint64 length,
			   gboolean keep_calibration,
			   GError **error)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	UbFrontReadbackRow row = {.region = region, .start = start, .length = length};
	UbPlanOp *op;

	g_return_val_if_fail(region != NULL, NULL);

	if (device != NULL && ub_device_get_regions(device)->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "this phone does not report its storage regions: format "
				    "partitions by name instead");
		return NULL;
	}
	if (!ub_front_plan_check_row(device, &row, error))
		return NULL;
	op = ub_plan_add_op(plan, UB_PLAN_OP_ERASE, NULL, region, start, length, NULL);
	op->label = g_strdup(region);
	ub_plan_set_allow_calibration(plan, !keep_calibration);
	return g_steal_pointer(&plan);
}

static gint
ub_front_calibration_cmp(gconstpointer a, gconstpointer b)
{
	const UbFrontCalibration *ca = *(const UbFrontCalibration *const *)a;
	const UbFrontCalibration *cb = *(const UbFrontCalibration *const *)b;
	return g_strcmp0(ca->name, cb->name);
}

/**
 * ub_front_plan_list_calibration:
 * @device: (nullable): the phone
 *
 * Returns: (transfer full) (element-type UbFrontCalibration): the phone's
 *   calibration partitions by name, empty while its table is not known
 */
GPtrArray *
ub_front_plan_list_calibration(UbDevice *device)
{
	GPtrArray *result = g_ptr_array_new_with_free_func((GDestroyNotify)ub_front_calibration_free);
	GPtrArray *partitions = device != NULL ? ub_device_get_partitions(device) : NULL;

	for (guint i = 0; partitions != NULL && i < partitions->len; i++) {
		UbPartition *part = g_ptr_array_index(partitions, i);
		const gchar *reason = ub_package_calibration_reason(ub_partition_get_name(part));
		UbFrontCalibration *cal;
		if (reason == NULL)
			continue;
		cal = g_new0(UbFrontCalibration, 1);
		cal->name = g_strdup(ub_partition_get_name(part));
		cal->region = g_strdup(ub_partition_get_region(part));
		cal->size = ub_partition_get_size(part);
		cal->reason = g_strdup(reason);
		g_ptr_array_add(result, cal);
	}
	g_ptr_array_sort(result, ub_front_calibration_cmp);
	return result;
}
