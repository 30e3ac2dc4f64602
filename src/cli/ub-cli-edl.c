/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "edl/ub-edl-device.h"
#include "edl/ub-sahara.h"
#include "formats/ub-demo-package.h"
#include "formats/ub-package-flat-build.h"
#include "formats/ub-package-plan.h"
#include "formats/ub-package.h"
#include "ub-backup.h"
#include "ub-cli.h"
#include "ub-front-device.h"
#include "ub-sim-demo.h"
#include "ub-front-plan.h"
#include "ub-sim-open.h"
#include "ub-sim-storage.h"
#include "ub-text.h"

/* Qualcomm EDL: flat builds, read back and format by LUN and sectors, slots,
 * calibration backups, and the EDL demo */

UbCliEdlOptions ub_cli_edl_options = {.lun = -1};

const GOptionEntry ub_cli_range_entries[] = {
    {"partition", 0, 0, G_OPTION_ARG_STRING, &ub_cli_edl_options.partition,
     N_("The partition to act on, on any LUN"), N_("NAME")},
    {"lun", 0, 0, G_OPTION_ARG_INT, &ub_cli_edl_options.lun,
     N_("The LUN (UFS) or physical partition (eMMC: 0 user, 1 boot1, 2 boot2) to act on"),
     N_("N")},
    {"start", 0, 0, G_OPTION_ARG_STRING, &ub_cli_edl_options.start,
     N_("With --lun: the first sector"), N_("SECTOR")},
    {"count", 0, 0, G_OPTION_ARG_STRING, &ub_cli_edl_options.count,
     N_("With --lun: the number of sectors (default: to the end of the LUN)"), N_("N")},
    {"all", 0, 0, G_OPTION_ARG_FILENAME, &ub_cli_edl_options.all,
     N_("Read back everything into a flat build (rawprogram*.xml and images) that can be "
	"flashed back"),
     N_("DIR")},
    {NULL}};

const GOptionEntry ub_cli_only_entries[] = {
    {"only", 0, 0, G_OPTION_ARG_STRING, &ub_cli_edl_options.only,
     N_("Flat builds: flash only the entries with these labels (comma-separated)"),
     N_("LABEL,…")},
    {NULL}};

const GOptionEntry ub_cli_slot_entries[] = {
    {"set", 0, 0, G_OPTION_ARG_STRING, &ub_cli_edl_options.set,
     N_("Make this slot active: a or b"), N_("SLOT")},
    {NULL}};

const GOptionEntry ub_cli_demo_entries[] = {
    {"kind", 0, 0, G_OPTION_ARG_STRING, &ub_cli_edl_options.kind,
     N_("Which demo: fastboot (default), edl or mtk"), N_("KIND")},
    {NULL}};

void
ub_cli_edl_options_free(void)
{
	g_free(ub_cli_edl_options.only);
	g_free(ub_cli_edl_options.partition);
	g_free(ub_cli_edl_options.start);
	g_free(ub_cli_edl_options.count);
	g_free(ub_cli_edl_options.all);
	g_free(ub_cli_edl_options.set);
	g_free(ub_cli_edl_options.kind);
}

/* whether readback/format were given a range rather than PARTITION arguments */
gboolean
ub_cli_edl_wants_range(void)
{
	return ub_cli_edl_options.partition != NULL || ub_cli_edl_options.lun >= 0 ||
	       ub_cli_edl_options.all != NULL || ub_cli_edl_options.start != NULL ||
	       ub_cli_edl_options.count != NULL;
}

/* --lun N: "lunN" when the phone has it (UFS), else the eMMC name */
static const UbDeviceRegion *
ub_cli_edl_find_lun(UbDevice *device, guint lun, GError **error)
{
	g_autofree gchar *ufs = ub_package_flat_build_region_name(4096, lun);
	g_autofree gchar *emmc = ub_package_flat_build_region_name(512, lun);
	const UbDeviceRegion *region = ub_device_find_region(device, ufs);
	if (region == NULL)
		region = ub_device_find_region(device, emmc);
	if (region == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    _("this phone has no LUN %u (it reports %u)"),
			    lun,
			    ub_device_get_regions(device)->len);
		return NULL;
	}
	return region;
}

/* --lun/--start/--count as a region and a byte range of it */
static gboolean
ub_cli_edl_range(UbDevice *device,
		 const gchar **region_name,
		 guint64 *offset,
		 guint64 *length,
		 GError **error)
{
	const UbDeviceRegion *region;
	guint64 start = 0;
	guint64 count = 0;
	region = ub_cli_edl_find_lun(device, (guint)ub_cli_edl_options.lun, error);
	if (region == NULL)
		return FALSE;
	if (ub_cli_edl_options.start != NULL &&
	    !ub_cli_parse_u64("--start", _("a number"), ub_cli_edl_options.start, &start, error))
		return FALSE;
	if (ub_cli_edl_options.count != NULL &&
	    !ub_cli_parse_u64("--count", _("a number"), ub_cli_edl_options.count, &count, error))
		return FALSE;
	if (ub_cli_edl_options.count != NULL && count == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("--count must not be 0"));
		return FALSE;
	}
	if (!g_uint64_checked_mul(offset, start, region->sector_size) ||
	    !g_uint64_checked_mul(length, count, region->sector_size)) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("sector out of range"));
		return FALSE;
	}
	*region_name = region->name;
	return TRUE;
}

static gboolean
ub_cli_edl_check_range_options(gboolean for_format, GError **error)
{
	guint n = 0;
	if (ub_cli_edl_options.partition != NULL)
		n++;
	if (ub_cli_edl_options.lun >= 0)
		n++;
	if (ub_cli_edl_options.all != NULL)
		n++;
	if (n != 1) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    for_format ? _("give one of --partition NAME or --lun N --start "
						 "SECTOR --count N")
					       : _("give one of --partition NAME, --lun N --start "
						 "SECTOR --count N or --all DIR"));
		return FALSE;
	}
	if (for_format && ub_cli_edl_options.all != NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("--all is for readback"));
		return FALSE;
	}
	if (ub_cli_edl_options.lun < 0 &&
	    (ub_cli_edl_options.start != NULL || ub_cli_edl_options.count != NULL)) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("--start and --count go with --lun"));
		return FALSE;
	}
	return TRUE;
}

/* `readback (--partition NAME | --lun N --start S --count N | --all DIR) -o PATH` */
gint
ub_cli_edl_readback(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) plan = NULL;
	const gchar *output = ub_cli_plan_options.output;
	UbFrontReadbackRow row = {.output = output};

	if (argc > 0) {
		g_printerr("%s\n", _("Give either PARTITION arguments or --partition/--lun/--all."));
		return UB_CLI_EXIT_USAGE;
	}
	if (!ub_cli_edl_check_range_options(FALSE, &error)) {
		g_printerr("%s\n", error->message);
		return UB_CLI_EXIT_USAGE;
	}
	if (ub_cli_edl_options.all == NULL && output == NULL) {
		g_printerr("%s\n", _("Name the file to read into with -o PATH."));
		return UB_CLI_EXIT_USAGE;
	}
	device = ub_cli_open_identified(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);

	/* everything, as a flat build this tool flashes back */
	if (ub_cli_edl_options.all != NULL) {
		if (!UB_IS_EDL_DEVICE(device)) {
			g_set_error_literal(&error,
					    UB_ERROR,
					    UB_ERROR_NOT_SUPPORTED,
					    _("--all reads a Qualcomm EDL phone into a flat build; "
					    "name the partitions to read on this phone"));
			return ub_cli_fail(cli, error);
		}
		plan = ub_front_plan_readback_all(device, ub_cli_edl_options.all, &error);
		if (plan == NULL)
			return ub_cli_fail(cli, error);
		if (!cli->quiet && !cli->json)
			g_print("%s %s\n", _("Reading back everything into"), ub_cli_edl_options.all);
		if (!ub_cli_run_plan(cli, device, plan, &error))
			return ub_cli_fail(cli, error);
		if (!cli->quiet && !cli->json)
			g_print(_("Done. Flash it back with: unbrick-cli download %s/rawprogram0.xml\n"),
				ub_cli_edl_options.all);
		ub_device_close(device);
		return UB_CLI_EXIT_OK;
	}
	if (ub_cli_edl_options.partition != NULL) {
		row.name = ub_cli_edl_options.partition;
	} else if (!ub_cli_edl_range(device, &row.region, &row.start, &row.length, &error)) {
		return ub_cli_fail(cli, error);
	}
	/* checked against the phone's table and LUNs, as the GUI does */
	plan = ub_front_plan_readback(device, &row, 1, NULL, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	return ub_cli_finish_plan(cli, device, plan);
}

/* `format (--partition NAME | --lun N --start S --count N)` */
gint
ub_cli_edl_format(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);

	if (argc > 0) {
		g_printerr("%s\n", _("Give either PARTITION arguments or --partition/--lun."));
		return UB_CLI_EXIT_USAGE;
	}
	if (!ub_cli_edl_check_range_options(TRUE, &error)) {
		g_printerr("%s\n", error->message);
		return UB_CLI_EXIT_USAGE;
	}
	ub_plan_set_allow_calibration(plan, ub_cli_plan_options.allow_calibration);
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	if (ub_cli_edl_options.partition != NULL) {
		ub_plan_add_erase(plan, ub_cli_edl_options.partition);
		if (!ub_plan_preflight(plan, NULL, &error))
			return ub_cli_fail(cli, error);
	}
	device = ub_cli_open_identified(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	if (ub_cli_edl_options.partition == NULL) {
		const gchar *region = NULL;
		guint64 offset = 0;
		guint64 length = 0;
		if (!ub_cli_edl_range(device, &region, &offset, &length, &error))
			return ub_cli_fail(cli, error);
		/* the range checked against the LUN, as the GUI's Format tab does */
		g_clear_object(&plan);
		plan = ub_front_plan_format_range(device,
						  region,
						  offset,
						  length,
						  !ub_cli_plan_options.allow_calibration,
						  &error);
		if (plan == NULL)
			return ub_cli_fail(cli, error);
		ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	}
	return ub_cli_finish_plan(cli, device, plan);
}

/* `download rawprogram0.xml [--only a,b] [--storage ufs]` */
gint
ub_cli_edl_download_flat_build(UbCli *cli, UbPackage *package)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_auto(GStrv) only = NULL;
	UbPackagePlanOptions options = {.verify = !ub_cli_plan_options.no_verify};
	GPtrArray *warnings = ub_package_get_warnings(package);

	if (ub_cli_plan_options.mode != NULL) {
		g_printerr("%s\n", _("--mode is for fastboot packages; use --only to flash part of "
				     "a flat build."));
		return UB_CLI_EXIT_USAGE;
	}
	if (ub_cli_edl_options.only != NULL) {
		only = g_strsplit(ub_cli_edl_options.only, ",", -1);
		for (guint i = 0; only[i] != NULL; i++)
			g_strstrip(only[i]);
		options.only_labels = (const gchar *const *)only;
	}
	plan = ub_package_plan_for_mode(package,
					only != NULL ? "selected" : "flat-build",
					&options,
					&error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	ub_plan_set_allow_calibration(plan, ub_cli_plan_options.allow_calibration);
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	if (ub_cli_plan_options.reboot)
		ub_plan_add_reboot(plan, UB_REBOOT_MODE_SYSTEM);
	if (!cli->json && !cli->quiet) {
		g_print("%s %s, %s %s, %u %s\n",
			_("Package:"),
			ub_package_format_to_string(ub_package_get_format(package)),
			_("storage"),
			ub_package_get_storage(package) != NULL ? ub_package_get_storage(package)
								: "?",
			ub_plan_get_ops(plan)->len,
			_("steps"));
		if (warnings->len > 0)
			g_print(ngettext("%u warning about the package; 'unbrick-cli inspect' lists it\n",
					 "%u warnings about the package; 'unbrick-cli inspect' lists them\n",
					 warnings->len),
				warnings->len);
	}
	/* files and consent are checked before the phone is even looked for */
	if (!ub_plan_preflight(plan, NULL, &error))
		return ub_cli_fail(cli, error);
	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	if (UB_IS_EDL_DEVICE(device) && cli->storage == NULL &&
	    ub_package_get_storage(package) != NULL)
		ub_edl_device_set_memory_name(UB_EDL_DEVICE(device), ub_package_get_storage(package));
	return ub_cli_finish_plan(cli, device, plan);
}

static gchar *
ub_cli_edl_region_to_text(const UbDeviceRegion *region)
{
	g_autofree gchar *size = ub_text_format_size(region->size);
	/* TRANSLATORS: a storage region: name, size, number of sectors, sector size */
	return g_strdup_printf(_("%-6s %10s  %llu sectors of %u bytes"),
			       region->name,
			       size,
			       (unsigned long long)(region->sector_size != 0
							? region->size / region->sector_size
							: 0),
			       region->sector_size);
}

static void
ub_cli_edl_json_add_chip(JsonBuilder *b, const UbSaharaChipInfo *info)
{
	json_builder_set_member_name(b, "sahara");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, info->sahara_version);
	if (info->has_serial) {
		g_autofree gchar *serial = g_strdup_printf("0x%08x", info->serial);
		json_builder_set_member_name(b, "serial");
		json_builder_add_string_value(b, serial);
	}
	if (info->has_hwid) {
		g_autofree gchar *hwid = g_strdup_printf("0x%016" G_GINT64_MODIFIER "x", info->hwid);
		g_autofree gchar *msm = g_strdup_printf("0x%08x", info->msm_id);
		json_builder_set_member_name(b, "hwid");
		json_builder_add_string_value(b, hwid);
		json_builder_set_member_name(b, "msm-id");
		json_builder_add_string_value(b, msm);
		json_builder_set_member_name(b, "soc");
		if (ub_edl_chip_name(info->msm_id) != NULL)
			json_builder_add_string_value(b, ub_edl_chip_name(info->msm_id));
		else
			json_builder_add_null_value(b);
	}
	if (info->pk_hash != NULL) {
		json_builder_set_member_name(b, "pk-hash");
		json_builder_add_string_value(b, info->pk_hash);
	}
	json_builder_end_object(b);
}

/**
 * ub_cli_edl_print_info:
 * @cli: the CLI
 * @device: an identified #UbEdlDevice
 *
 * The Sahara identity, then (with a programmer) the storage: LUNs with
 * sizes and the partitions of each.
 */
void
ub_cli_edl_print_info(UbCli *cli, UbDevice *device)
{
	const UbSaharaChipInfo *info = ub_edl_device_get_chip_info(UB_EDL_DEVICE(device));
	GPtrArray *regions = ub_device_get_regions(device);
	g_autoptr(GPtrArray) parts = ub_device_get_partitions(device);

	if (cli->json) {
		g_autoptr(JsonBuilder) b = ub_cli_json_new_ok();
		ub_front_json_add_device(b, device);
		if (info != NULL)
			ub_cli_edl_json_add_chip(b, info);
		json_builder_set_member_name(b, "luns");
		json_builder_begin_array(b);
		for (guint i = 0; i < regions->len; i++) {
			const UbDeviceRegion *region = g_ptr_array_index(regions, i);
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "name");
			json_builder_add_string_value(b, region->name);
			json_builder_set_member_name(b, "size");
			json_builder_add_int_value(b, (gint64)region->size);
			json_builder_set_member_name(b, "sector-size");
			json_builder_add_int_value(b, region->sector_size);
			ub_cli_json_add_partitions(b, parts, region->name);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		ub_cli_print_json(b);
		return;
	}
	ub_cli_print_device(device);
	if (info != NULL) {
		g_print("%s %u\n", _("Sahara version:"), info->sahara_version);
		if (info->has_serial)
			g_print("%s 0x%08x\n", _("Chip serial:"), info->serial);
		if (info->has_hwid) {
			const gchar *soc = ub_edl_chip_name(info->msm_id);
			g_print("%s 0x%016" G_GINT64_MODIFIER "x (%s)\n",
				_("HW ID:"),
				info->hwid,
				soc != NULL ? soc : _("unknown SoC"));
		}
		if (info->pk_hash != NULL)
			g_print("%s %s\n", _("PK hash:"), info->pk_hash);
	}
	if (regions->len == 0) {
		if (cli->loader == NULL)
			g_print("%s\n",
				_("Give the Firehose programmer with --loader to see the storage "
				  "and partitions."));
		return;
	}
	for (guint i = 0; i < regions->len; i++) {
		const UbDeviceRegion *region = g_ptr_array_index(regions, i);
		g_autofree gchar *text = ub_cli_edl_region_to_text(region);
		g_autoptr(GPtrArray) lun_parts = g_ptr_array_new_with_free_func(g_object_unref);
		g_print("\n%s %s\n", _("LUN"), text);
		for (guint j = 0; parts != NULL && j < parts->len; j++) {
			UbPartition *p = g_ptr_array_index(parts, j);
			if (g_strcmp0(ub_partition_get_region(p), region->name) == 0)
				g_ptr_array_add(lun_parts, g_object_ref(p));
		}
		if (lun_parts->len > 0)
			ub_cli_print_partitions(lun_parts);
		else
			g_print("  %s\n", _("(no partition table)"));
	}
}

/* `edl slot [--set a|b]` */
static gint
ub_cli_edl_slot(UbCli *cli)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autofree gchar *current = NULL;
	const gchar *set = ub_cli_edl_options.set;

	if (set != NULL && g_strcmp0(set, "a") != 0 && g_strcmp0(set, "b") != 0) {
		g_printerr("%s\n", _("--set takes a or b."));
		return UB_CLI_EXIT_USAGE;
	}
	device = ub_cli_open_identified(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	current = ub_device_get_var(device, "current-slot", cli->cancellable, &error);
	if (current == NULL)
		return ub_cli_fail(cli, error);
	if (set != NULL) {
		g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
		ub_plan_add_simple(plan, UB_PLAN_OP_SET_ACTIVE, set);
		if (!ub_cli_run_plan(cli, device, plan, &error))
			return ub_cli_fail(cli, error);
		g_free(current);
		current = ub_device_get_var(device, "current-slot", cli->cancellable, &error);
		if (current == NULL)
			return ub_cli_fail(cli, error);
		if (g_strcmp0(current, set) != 0) {
			g_set_error(&error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    _("slot %s was set but the phone reports slot %s"),
				    set,
				    current);
			return ub_cli_fail(cli, error);
		}
	}
	if (cli->json) {
		g_autoptr(JsonBuilder) b = ub_cli_json_new_ok();
		json_builder_set_member_name(b, "current-slot");
		json_builder_add_string_value(b, current);
		json_builder_end_object(b);
		ub_cli_print_json(b);
	} else {
		g_print("%s %s\n", _("Current slot:"), current);
	}
	ub_device_close(device);
	return UB_CLI_EXIT_OK;
}

/* `edl SUBCOMMAND` */
gint
ub_cli_cmd_edl(UbCli *cli, gint argc, gchar **argv)
{
	if (argc >= 1 && g_strcmp0(argv[0], "slot") == 0 && argc == 1)
		return ub_cli_edl_slot(cli);
	g_printerr("%s\n", _("Usage: unbrick-cli edl slot --device SPEC --loader PROG [--set a|b]"));
	return UB_CLI_EXIT_USAGE;
}

static gint
ub_cli_backups_list(UbCli *cli)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) backups = ub_backup_list(NULL, &error);
	g_autofree gchar *root = ub_backup_get_default_root();
	if (backups == NULL)
		return ub_cli_fail(cli, error);
	if (cli->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "backups");
		json_builder_begin_array(b);
		for (guint i = 0; i < backups->len; i++) {
			UbBackup *backup = g_ptr_array_index(backups, i);
			GPtrArray *items = ub_backup_get_items(backup);
			g_autofree gchar *time = g_date_time_format_iso8601(ub_backup_get_time(backup));
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "dir");
			json_builder_add_string_value(b, ub_backup_get_dir(backup));
			json_builder_set_member_name(b, "time");
			json_builder_add_string_value(b, time);
			json_builder_set_member_name(b, "serial");
			json_builder_add_string_value(b, ub_backup_get_serial(backup));
			json_builder_set_member_name(b, "chip");
			json_builder_add_string_value(b, ub_backup_get_chip(backup));
			json_builder_set_member_name(b, "protocol");
			json_builder_add_string_value(b, ub_backup_get_protocol(backup));
			json_builder_set_member_name(b, "images");
			json_builder_begin_array(b);
			for (guint j = 0; j < items->len; j++) {
				UbBackupItem *item = g_ptr_array_index(items, j);
				json_builder_begin_object(b);
				json_builder_set_member_name(b, "partition");
				json_builder_add_string_value(b, item->partition);
				json_builder_set_member_name(b, "region");
				json_builder_add_string_value(b, item->region);
				json_builder_set_member_name(b, "offset");
				json_builder_add_int_value(b, (gint64)item->offset);
				json_builder_set_member_name(b, "size");
				json_builder_add_int_value(b, (gint64)item->size);
				json_builder_set_member_name(b, "sha256");
				json_builder_add_string_value(b, item->sha256);
				json_builder_set_member_name(b, "file");
				json_builder_add_string_value(b, item->file);
				json_builder_end_object(b);
			}
			json_builder_end_array(b);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		ub_cli_print_json(b);
		return UB_CLI_EXIT_OK;
	}
	if (backups->len == 0) {
		g_print(_("No backups in %s.\n"), root);
		return UB_CLI_EXIT_OK;
	}
	for (guint i = 0; i < backups->len; i++) {
		UbBackup *backup = g_ptr_array_index(backups, i);
		GPtrArray *items = ub_backup_get_items(backup);
		g_autoptr(GDateTime) local = g_date_time_to_local(ub_backup_get_time(backup));
		g_autofree gchar *time = g_date_time_format(local, "%Y-%m-%d %H:%M:%S");
		g_autoptr(GString) names = g_string_new(NULL);
		for (guint j = 0; j < items->len; j++) {
			UbBackupItem *item = g_ptr_array_index(items, j);
			g_string_append_printf(names,
					       "%s%s",
					       j > 0 ? ", " : "",
					       item->partition != NULL ? item->partition : item->file);
		}
		g_print("%s  %s %s, %s %s\n  %s: %s\n",
			time,
			_("serial"),
			ub_backup_get_serial(backup) != NULL ? ub_backup_get_serial(backup) : "?",
			_("chip"),
			ub_backup_get_chip(backup) != NULL ? ub_backup_get_chip(backup) : "?",
			ub_backup_get_dir(backup),
			names->str);
	}
	return UB_CLI_EXIT_OK;
}

static gint
ub_cli_backups_restore(UbCli *cli, const gchar *dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbBackup) backup = ub_backup_load(dir, &error);
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	GPtrArray *notes;

	if (backup == NULL)
		return ub_cli_fail(cli, error);
	/* a damaged image is never written to the phone */
	if (!ub_backup_verify(backup, cli->cancellable, &error))
		return ub_cli_fail(cli, error);
	if (!cli->json && !cli->quiet)
		g_print(_("Restoring %u image(s) from %s (serial %s)\n"),
			ub_backup_get_items(backup)->len,
			dir,
			ub_backup_get_serial(backup) != NULL ? ub_backup_get_serial(backup) : "?");
	device = ub_cli_open_identified(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	if (ub_backup_get_serial(backup) != NULL && ub_device_get_serial(device) != NULL &&
	    g_strcmp0(ub_backup_get_serial(backup), ub_device_get_serial(device)) != 0) {
		g_set_error(&error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    _("this backup is of the phone with serial %s, this phone's serial is %s: "
			    "calibration data belongs to one phone"),
			    ub_backup_get_serial(backup),
			    ub_device_get_serial(device));
		return ub_cli_fail(cli, error);
	}
	parts = ub_device_get_partitions(device);
	plan = ub_backup_to_restore_plan(backup, parts, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	notes = ub_plan_get_notes(plan);
	for (guint i = 0; i < notes->len && !cli->json && !cli->quiet; i++)
		g_print("  %s\n", (const gchar *)g_ptr_array_index(notes, i));
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	return ub_cli_finish_plan(cli, device, plan);
}

/* `backups list`, `backups restore DIR` */
gint
ub_cli_cmd_backups(UbCli *cli, gint argc, gchar **argv)
{
	if (argc == 1 && g_strcmp0(argv[0], "list") == 0)
		return ub_cli_backups_list(cli);
	if (argc == 2 && g_strcmp0(argv[0], "restore") == 0)
		return ub_cli_backups_restore(cli, argv[1]);
	g_printerr("%s\n",
		   _("Usage: unbrick-cli backups list | unbrick-cli backups restore DIR --device SPEC "
		     "[--loader PROG]"));
	return UB_CLI_EXIT_USAGE;
}

/* the partitions of the demo flat build, read back through the engine and
 * compared with what the package holds */
static gboolean
ub_cli_edl_demo_check(UbCli *cli, UbDevice *device, const gchar *dir, GError **error)
{
	const gchar *const *labels = ub_demo_package_get_flat_build_labels();
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_READBACK);
	g_autofree gchar *outdir = g_build_filename(dir, "readback", NULL);

	if (g_mkdir_with_parents(outdir, 0700) != 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, _("cannot create %s"), outdir);
		return FALSE;
	}
	for (guint i = 0; labels[i] != NULL; i++) {
		g_autofree gchar *name = g_strdup_printf("%s.img", labels[i]);
		g_autofree gchar *path = g_build_filename(outdir, name, NULL);
		ub_plan_add_read(plan, labels[i], path);
	}
	if (!ub_cli_run_plan(cli, device, plan, error))
		return FALSE;
	for (guint i = 0; labels[i] != NULL; i++) {
		g_autofree gchar *name = g_strdup_printf("%s.img", labels[i]);
		g_autofree gchar *path = g_build_filename(outdir, name, NULL);
		g_autoptr(GBytes) want = ub_demo_package_make_flat_image(labels[i]);
		g_autofree gchar *got = NULL;
		g_autofree gchar *sum1 = NULL;
		g_autofree gchar *sum2 = NULL;
		gsize len = 0;
		if (!g_file_get_contents(path, &got, &len, error))
			return FALSE;
		if (len < g_bytes_get_size(want)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s read back %zu bytes, fewer than its image"),
				    labels[i],
				    len);
			return FALSE;
		}
		sum1 = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, want);
		sum2 = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
						   (const guint8 *)got,
						   g_bytes_get_size(want));
		g_print("  %.16s…  %-12s %.16s…  %s\n", sum1, labels[i], sum2, _("on the phone"));
		if (g_strcmp0(sum1, sum2) != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s on the phone differs from the package"),
				    labels[i]);
			return FALSE;
		}
	}
	return TRUE;
}

/* the demo phone's storage folder: files only */
static void
ub_cli_edl_remove_dir(const gchar *dir)
{
	g_autoptr(GDir) gdir = g_dir_open(dir, 0, NULL);
	const gchar *name;
	while (gdir != NULL && (name = g_dir_read_name(gdir)) != NULL) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		if (g_unlink(path) != 0)
			g_debug("ignoring: cannot remove %s", path);
	}
	if (g_rmdir(dir) != 0)
		g_debug("ignoring: cannot remove %s", dir);
}

/* a fresh UFS phone with three LUNs and no partition tables, as the window's */
static UbDevice *
ub_cli_edl_demo_open(GError **error)
{
	g_autofree gchar *dir = g_dir_make_tmp("unbrick-edl-demo-XXXXXX", error);
	g_autoptr(UbDevice) device = NULL;
	if (dir == NULL)
		return NULL;
	device = ub_sim_open_demo_device("edl", dir, error);
	/* the phone keeps its files open */
	ub_cli_edl_remove_dir(dir);
	return g_steal_pointer(&device);
}

/**
 * ub_cli_edl_demo:
 * @cli: the CLI
 *
 * `unbrick-cli demo --kind edl`: a generated UFS flat build flashed into the
 * simulated 9008 phone in this process through Sahara and Firehose, read back
 * and compared, plus the calibration refusal.
 */
gint
ub_cli_edl_demo(UbCli *cli)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) identify = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbPlan) unsafe = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(GFile) programmer = NULL;
	g_autofree gchar *dir = ub_demo_package_get_flat_build_dir();
	g_autofree gchar *rawprogram = g_build_filename(dir, UB_DEMO_FLAT_BUILD_RAWPROGRAM, NULL);
	g_autofree gchar *prog_path = g_build_filename(dir, UB_DEMO_FLAT_BUILD_PROGRAMMER, NULL);
	UbPackagePlanOptions options = {.verify = TRUE};

	g_print("== %s %s\n", _("Writing a demo UFS flat build (rawprogram/patch, QFIL style) to"), dir);
	if (!ub_demo_package_write_flat_build(dir, &error))
		return ub_cli_fail(cli, error);
	package = ub_package_open(rawprogram, NULL, cli->cancellable, &error);
	if (package == NULL)
		return ub_cli_fail(cli, error);
	g_print("  %s, %s %s, %u %s\n",
		ub_package_format_to_string(ub_package_get_format(package)),
		_("storage"),
		ub_package_get_storage(package),
		ub_package_get_partitions(package)->len,
		_("entries"));

	g_print("== %s\n", _("Starting a simulated Qualcomm phone in EDL (9008) mode in this process"));
	device = ub_cli_edl_demo_open(&error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	programmer = g_file_new_for_path(prog_path);
	ub_edl_device_set_programmer(UB_EDL_DEVICE(device), programmer);
	ub_edl_device_set_memory_name(UB_EDL_DEVICE(device), "ufs");

	g_print("== %s %s\n", _("Identifying it and uploading the programmer"), UB_DEMO_FLAT_BUILD_PROGRAMMER);
	if (!ub_cli_run_plan(cli, device, identify, &error))
		return ub_cli_fail(cli, error);
	ub_cli_edl_print_info(cli, device);

	g_print("== %s\n", _("Flashing the flat build: every LUN, then the patches, then the boot LUN"));
	plan = ub_package_plan_for_mode(package, "flat-build", &options, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	if (!ub_cli_run_plan(cli, device, plan, &error))
		return ub_cli_fail(cli, error);

	g_print("== %s\n", _("Trying to erase the calibration partition modemst1 without consent"));
	ub_plan_add_erase(unsafe, "modemst1");
	if (ub_cli_run_plan(cli, device, unsafe, &error)) {
		g_set_error_literal(&error, UB_ERROR, UB_ERROR_INTERNAL, "modemst1 was erased!");
		return ub_cli_fail(cli, error);
	}
	if (!g_error_matches(error, UB_ERROR, UB_ERROR_REFUSED))
		return ub_cli_fail(cli, error);
	g_print("  %s %s\n", _("Refused, as it must be:"), error->message);
	g_clear_error(&error);

	g_print("== %s\n", _("Reading every partition back and comparing it with the package"));
	if (!ub_cli_edl_demo_check(cli, device, dir, &error))
		return ub_cli_fail(cli, error);
	{
		g_autoptr(GPtrArray) parts = ub_device_get_partitions(device);
		g_print("  %s %u\n",
			_("partitions the phone now reports:"),
			parts != NULL ? parts->len : 0);
	}
	ub_device_close(device);
	g_print("== %s\n",
		_("Demo finished: the simulated 9008 phone was identified over Sahara, flashed "
		  "from a flat build over Firehose and verified."));
	return UB_CLI_EXIT_OK;
}
