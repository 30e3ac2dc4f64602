/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdlib.h>

#include "edl/ub-edl-device.h"
#include "mtk/ub-mtk-device.h"
#include "fastboot/ub-fastboot-device.h"
#include "formats/ub-gpt.h"
#include "formats/ub-package.h"
#include "ub-udev-rules.h"
#include "ub-cli.h"
#include "ub-front-device.h"
#include "ub-front-plan.h"
#include "ub-console.h"
#include "ub-text.h"
#include "ub-core.h"
#include "ub-device-monitor.h"
#include "ub-device-spec.h"
#include "ub-sim-open.h"
#include "ub-usb-device-info.h"

static gboolean
ub_cli_sigint_cb(gpointer user_data)
{
	UbCli *cli = user_data;
	g_cancellable_cancel(cli->cancellable);
	return G_SOURCE_CONTINUE;
}

gint
ub_cli_fail(UbCli *cli, GError *error)
{
	if (ub_error_is_cancelled(error)) {
		g_printerr("%s\n", _("Cancelled"));
		return UB_CLI_EXIT_CANCELLED;
	}
	if (cli->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonGenerator) gen = json_generator_new();
		g_autoptr(JsonNode) root = NULL;
		g_autofree gchar *str = NULL;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "result");
		json_builder_add_string_value(b, "failed");
		json_builder_set_member_name(b, "error");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "code");
		json_builder_add_string_value(
		    b,
		    error->domain == UB_ERROR ? ub_error_code_to_string(error->code) : "internal");
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, error->message);
		json_builder_end_object(b);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		json_generator_set_root(gen, root);
		json_generator_set_pretty(gen, TRUE);
		str = json_generator_to_data(gen, NULL);
		g_print("%s\n", str);
	}
	/* TRANSLATORS: followed by the technical reason */
	g_printerr("%s %s\n", _("Error:"), error->message);
	return UB_CLI_EXIT_FAILED;
}

void
ub_cli_print_json(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree gchar *str = NULL;
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	str = json_generator_to_data(gen, NULL);
	g_print("%s\n", str);
}

/**
 * ub_cli_device_prepare:
 * @cli: the CLI
 * @device: a device, not yet opened
 * @needs_programmer: the command talks to Firehose, not only to Sahara
 * @error: (nullable): return location for a #GError
 *
 * --loader and --storage: for a Qualcomm EDL phone the programmer and the
 * memory type, an error for any other phone.
 *
 * Returns: %TRUE if the device may be opened
 */
gboolean
ub_cli_device_prepare(UbCli *cli, UbDevice *device, gboolean needs_programmer, GError **error)
{
	const gchar *memories[] = {"ufs", "emmc", "nand", "spinor", "nvme", NULL};
	g_autoptr(GFile) programmer = NULL;

	if (!ub_cli_mtk_prepare(cli, device, needs_programmer, error))
		return FALSE;
	if (!UB_IS_EDL_DEVICE(device)) {
		if (cli->loader != NULL || cli->storage != NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s is for Qualcomm phones in EDL (9008) mode; this is a %s phone"),
				    cli->loader != NULL ? "--loader" : "--storage",
				    ub_protocol_to_string(ub_device_get_protocol(device)));
			return FALSE;
		}
		return TRUE;
	}
	if (cli->storage != NULL) {
		if (!g_strv_contains(memories, cli->storage)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("invalid --storage '%s': use ufs, emmc, nand, spinor or nvme"),
				    cli->storage);
			return FALSE;
		}
		ub_edl_device_set_memory_name(UB_EDL_DEVICE(device), cli->storage);
	}
	if (cli->loader != NULL) {
		if (!g_file_test(cli->loader, G_FILE_TEST_IS_REGULAR)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    _("the programmer %s does not exist"),
				    cli->loader);
			return FALSE;
		}
		programmer = g_file_new_for_path(cli->loader);
	} else if (needs_programmer) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("this phone is in Qualcomm EDL (9008) mode and is flashed through "
				    "its Firehose programmer: give it with --loader prog_firehose_*.elf "
				    "(or *.mbn); it comes with the phone's firmware package, next to "
				    "rawprogram0.xml, or from the phone maker"));
		return FALSE;
	}
	/* the programmer and identify-only as the GUI applies them */
	return ub_front_device_prepare(device, NULL, programmer, NULL, needs_programmer, error);
}

UbDevice *
ub_cli_open_device(UbCli *cli, GError **error)
{
	g_autoptr(UbDeviceSpec) spec = ub_device_spec_parse(cli->device, error);
	g_autoptr(UbDevice) device = NULL;
	if (spec == NULL)
		return NULL;
	if (spec->kind == UB_DEVICE_SPEC_KIND_WAIT && !cli->json)
		g_printerr("%s\n",
			   _("Waiting for a MediaTek phone: connect the powered-off phone now, "
			     "holding Volume Down if needed"));
	/* a serial port given with a Download Agent is a MediaTek phone */
	if (spec->kind == UB_DEVICE_SPEC_KIND_SERIAL && ub_cli_mtk_has_files())
		spec->serial_mode = UB_DEVICE_MODE_MTK_BROM;
	if (spec->kind == UB_DEVICE_SPEC_KIND_SIM)
		device = ub_sim_open_device(spec->sim_kind, spec->path, error);
	else
		device = ub_device_spec_open(spec, 5000, cli->cancellable, error);
	if (device == NULL)
		return NULL;
	if (!ub_cli_device_prepare(cli, device, !cli->identify_only, error))
		return NULL;
	return g_steal_pointer(&device);
}

static void
ub_cli_job_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	UbCli *cli = user_data;
	cli->res = g_object_ref(res);
	g_main_loop_quit(cli->loop);
}

gboolean
ub_cli_run_plan(UbCli *cli, UbDevice *device, UbPlan *plan, GError **error)
{
	g_autoptr(UbJob) job = ub_job_new(device, plan);
	g_autoptr(UbConsole) console = ub_console_new(cli->quiet || cli->json);
	gboolean ok;
	ub_console_watch_job(console, job);
	ub_job_run_async(job, cli->cancellable, ub_cli_job_done_cb, cli);
	g_main_loop_run(cli->loop);
	ub_console_finish(console);
	ok = ub_job_run_finish(job, cli->res, error);
	g_clear_object(&cli->res);
	return ok;
}

/* the phone, found and identified: its regions, LUNs and partitions known */
UbDevice *
ub_cli_open_identified(UbCli *cli, GError **error)
{
	g_autoptr(UbDevice) device = ub_cli_open_device(cli, error);
	g_autoptr(UbPlan) identify = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	if (device == NULL)
		return NULL;
	if (!ub_cli_run_plan(cli, device, identify, error))
		return NULL;
	return g_steal_pointer(&device);
}

/* an option's number, decimal or 0x hex; @what names it in the error ("a number of bytes") */
gboolean
ub_cli_parse_u64(const gchar *option,
		 const gchar *what,
		 const gchar *value,
		 guint64 *out,
		 GError **error)
{
	gchar *end = NULL;
	if (value == NULL || value[0] == '\0' || value[0] == '-') {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("%s needs a number"), option);
		return FALSE;
	}
	errno = 0;
	*out = g_ascii_strtoull(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0') {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    _("%s takes %s (decimal or 0x hex), not '%s'"),
			    option,
			    what,
			    value);
		return FALSE;
	}
	return TRUE;
}

/* a builder inside the answer object, "result": "ok" already set */
JsonBuilder *
ub_cli_json_new_ok(void)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "result");
	json_builder_add_string_value(b, "ok");
	return b;
}

/*
 * "partitions": [...]; with @region only those of @region, inside its object, so without
 * "region" and "logical" (EDL LUNs hold no logical partitions)
 */
void
ub_cli_json_add_partitions(JsonBuilder *b, GPtrArray *parts, const gchar *region)
{
	json_builder_set_member_name(b, "partitions");
	json_builder_begin_array(b);
	for (guint i = 0; parts != NULL && i < parts->len; i++) {
		UbPartition *p = g_ptr_array_index(parts, i);
		if (region != NULL && g_strcmp0(ub_partition_get_region(p), region) != 0)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, ub_partition_get_name(p));
		if (region == NULL) {
			json_builder_set_member_name(b, "region");
			json_builder_add_string_value(b, ub_partition_get_region(p));
		}
		json_builder_set_member_name(b, "offset");
		json_builder_add_int_value(b, (gint64)ub_partition_get_offset(p));
		json_builder_set_member_name(b, "size");
		json_builder_add_int_value(b, (gint64)ub_partition_get_size(p));
		json_builder_set_member_name(b, "calibration");
		json_builder_add_boolean_value(b, ub_partition_is_calibration(p));
		if (region == NULL) {
			json_builder_set_member_name(b, "logical");
			json_builder_add_boolean_value(b, ub_partition_get_is_logical(p));
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

void
ub_cli_print_partitions(GPtrArray *parts)
{
	if (parts == NULL || parts->len == 0) {
		g_print("%s\n", _("No partition table available in this mode."));
		return;
	}
	/* TRANSLATORS: table header; keep the columns short */
	g_print("  %-20s %-8s %14s %14s %10s\n",
		_("Name"),
		_("Region"),
		_("Begin"),
		_("End"),
		_("Size"));
	for (guint i = 0; i < parts->len; i++) {
		UbPartition *p = g_ptr_array_index(parts, i);
		g_autofree gchar *size = ub_text_format_size(ub_partition_get_size(p));
		g_print("  %-20s %-8s %#14" G_GINT64_MODIFIER "x %#14" G_GINT64_MODIFIER
			"x %10s%s\n",
			ub_partition_get_name(p),
			ub_partition_get_region(p) != NULL ? ub_partition_get_region(p) : "-",
			ub_partition_get_offset(p),
			ub_partition_get_end(p),
			size,
			/* TRANSLATORS: marks partitions holding IMEI/calibration data */
			ub_partition_is_calibration(p) ? _("  [calibration]") : "");
	}
}

void
ub_cli_print_device(UbDevice *device)
{
	g_autofree gchar *storage = NULL;
	if (ub_device_get_storage_size(device) > 0)
		storage = ub_text_format_size(ub_device_get_storage_size(device));
	g_print("%s %s%s\n",
		_("Protocol:"),
		ub_protocol_to_string(ub_device_get_protocol(device)),
		ub_device_get_simulated(device) ? _(" (simulated phone)") : "");
	g_print("%s %s\n", _("Mode:"), ub_device_mode_to_string(ub_device_get_mode(device)));
	if (ub_device_get_product(device) != NULL)
		g_print("%s %s\n", _("Product:"), ub_device_get_product(device));
	if (ub_device_get_chip(device) != NULL)
		g_print("%s %s\n", _("Chip:"), ub_device_get_chip(device));
	if (ub_device_get_serial(device) != NULL)
		g_print("%s %s\n", _("Serial:"), ub_device_get_serial(device));
	if (ub_device_get_storage_type(device) != NULL)
		g_print("%s %s%s%s\n",
			_("Storage:"),
			ub_device_get_storage_type(device),
			storage != NULL ? ", " : "",
			storage != NULL ? storage : "");
	if (ub_device_get_sector_size(device) > 0)
		g_print("%s %u\n", _("Sector size:"), ub_device_get_sector_size(device));
}

/* identify the phone and print what it is */
static gint
ub_cli_cmd_info(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(GPtrArray) parts = NULL;

	/* EDL without a programmer: what Sahara tells */
	cli->identify_only = TRUE;
	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	if (!ub_cli_run_plan(cli, device, plan, &error))
		return ub_cli_fail(cli, error);
	if (UB_IS_EDL_DEVICE(device)) {
		ub_cli_edl_print_info(cli, device);
		ub_device_close(device);
		return UB_CLI_EXIT_OK;
	}
	if (UB_IS_MTK_DEVICE(device) && !cli->json) {
		ub_cli_print_device(device);
		ub_cli_mtk_print_info(cli, device);
		parts = ub_device_get_partitions(device);
		if (parts != NULL && parts->len > 0)
			ub_cli_print_partitions(parts);
		ub_device_close(device);
		return UB_CLI_EXIT_OK;
	}
	parts = ub_device_get_partitions(device);
	if (cli->json) {
		g_autoptr(JsonBuilder) b = ub_cli_json_new_ok();
		ub_front_json_add_device(b, device);
		ub_cli_json_add_partitions(b, parts, NULL);
		json_builder_end_object(b);
		ub_cli_print_json(b);
	} else {
		ub_cli_print_device(device);
		ub_cli_print_partitions(parts);
	}
	ub_device_close(device);
	return UB_CLI_EXIT_OK;
}

static gboolean
ub_cli_split_assignment(const gchar *arg, gchar **name, gchar **path, GError **error)
{
	const gchar *eq = strchr(arg, '=');
	if (eq == NULL || eq == arg) {
		if (path == NULL || eq == arg) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("expected PARTITION=FILE, got '%s'"),
				    arg);
			return FALSE;
		}
		*name = g_strdup(arg);
		*path = NULL;
		return TRUE;
	}
	*name = g_strndup(arg, eq - arg);
	if (path != NULL)
		*path = g_strdup(eq + 1);
	return TRUE;
}

gint
ub_cli_finish_plan(UbCli *cli, UbDevice *device, UbPlan *plan)
{
	g_autoptr(GError) error = NULL;
	if (!ub_cli_run_plan(cli, device, plan, &error))
		return ub_cli_fail(cli, error);
	if (cli->json) {
		g_autoptr(JsonBuilder) b = ub_cli_json_new_ok();
		ub_front_json_add_device(b, device);
		json_builder_end_object(b);
		ub_cli_print_json(b);
	} else {
		g_print("%s\n", _("Done."));
	}
	ub_device_close(device);
	return UB_CLI_EXIT_OK;
}

UbCliPlanOptions ub_cli_plan_options = {0};

static const GOptionEntry ub_cli_download_entries[] = {
    {"no-verify", 0, 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.no_verify,
     N_("Do not read back and compare what was written"), NULL},
    {"allow-calibration", 0, 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.allow_calibration,
     N_("Allow changing calibration partitions (IMEI, radio data); they are backed up first"),
     NULL},
    {"backup-dir", 0, 0, G_OPTION_ARG_FILENAME, &ub_cli_plan_options.backup_dir,
     N_("Where calibration backups go"), N_("DIR")},
    {"reboot", 0, 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.reboot,
     N_("Reboot the phone when done"), NULL},
    {"slot", 0, 0, G_OPTION_ARG_STRING, &ub_cli_plan_options.slot,
     N_("For partitions with A/B slots: a, b or all (default: the current slot)"), N_("SLOT")},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &ub_cli_plan_options.mode,
     N_("For a fastboot package: clean-all, keep-data (default) or clean-all-lock; for a "
	"MediaTek scatter: download-only (default), firmware-upgrade or format-all-download"),
     N_("MODE")},
    {"allow-lock", 0, 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.allow_lock,
     N_("Allow the package to lock the bootloader (oem lock / flashing lock); locking with "
	"a modified image bricks the phone"),
     NULL},
    {NULL}};

static const GOptionEntry ub_cli_readback_entries[] = {
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &ub_cli_plan_options.output,
     N_("The file for --partition or --lun; the folder for PARTITION.img files (default: the "
	"current folder)"),
     N_("PATH")},
    {NULL}};

static const GOptionEntry ub_cli_format_entries[] = {
    {"allow-calibration", 0, 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.allow_calibration,
     N_("Allow erasing calibration partitions (IMEI, radio data); they are backed up first"),
     NULL},
    {"backup-dir", 0, 0, G_OPTION_ARG_FILENAME, &ub_cli_plan_options.backup_dir,
     N_("Where calibration backups go"), N_("DIR")},
    {NULL}};

static gint
ub_cli_cmd_download(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
	g_autoptr(UbDevice) device = NULL;
	UbPlanOp *op;
	if (ub_cli_plan_options.slot != NULL && g_strcmp0(ub_cli_plan_options.slot, "a") != 0 &&
	    g_strcmp0(ub_cli_plan_options.slot, "b") != 0 &&
	    g_strcmp0(ub_cli_plan_options.slot, "all") != 0) {
		g_printerr("%s\n", _("--slot takes a, b or all."));
		return UB_CLI_EXIT_USAGE;
	}
	if (argc < 1) {
		g_printerr("%s\n", _("Name a PACKAGE or at least one PARTITION=FILE to write."));
		return UB_CLI_EXIT_USAGE;
	}
	/* a package: a ROM folder, archive or script rather than PARTITION=FILE */
	if (argc == 1 && (strchr(argv[0], '=') == NULL ||
			  g_file_test(argv[0], G_FILE_TEST_EXISTS)))
		return ub_cli_download_package(cli, argv[0]);
	if (ub_cli_plan_options.mode != NULL) {
		g_printerr("%s\n", _("--mode is for a PACKAGE, not PARTITION=FILE."));
		return UB_CLI_EXIT_USAGE;
	}
	for (gint i = 0; i < argc; i++) {
		g_autofree gchar *name = NULL;
		g_autofree gchar *path = NULL;
		if (!ub_cli_split_assignment(argv[i], &name, &path, &error) || path == NULL) {
			if (error == NULL)
				g_set_error(&error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    _("expected PARTITION=FILE, got '%s'"),
					    argv[i]);
			return ub_cli_fail(cli, error);
		}
		op = ub_plan_add_write(plan, name, path);
		op->slot = g_strdup(ub_cli_plan_options.slot);
	}
	ub_plan_set_verify(plan, !ub_cli_plan_options.no_verify);
	ub_plan_set_allow_calibration(plan, ub_cli_plan_options.allow_calibration);
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	if (ub_cli_plan_options.reboot)
		ub_plan_add_reboot(plan, UB_REBOOT_MODE_SYSTEM);
	/* files are checked before looking for the phone */
	if (!ub_plan_preflight(plan, NULL, &error))
		return ub_cli_fail(cli, error);
	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	return ub_cli_finish_plan(cli, device, plan);
}

static gint
ub_cli_cmd_readback(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(UbFrontReadbackRow));
	g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func(g_free);
	const gchar *outdir = ub_cli_plan_options.output != NULL ? ub_cli_plan_options.output : ".";
	if (ub_cli_mtk_wants_range())
		return ub_cli_mtk_readback(cli, argc, argv);
	if (ub_cli_edl_wants_range())
		return ub_cli_edl_readback(cli, argc, argv);
	if (argc < 1) {
		g_printerr("%s\n", _("Name at least one PARTITION or PARTITION=FILE to read."));
		return UB_CLI_EXIT_USAGE;
	}
	if (g_mkdir_with_parents(outdir, 0755) != 0) {
		g_set_error(&error,
			    UB_ERROR,
			    UB_ERROR_PERMISSION_DENIED,
			    _("cannot create %s: %s"),
			    outdir,
			    g_strerror(errno));
		return ub_cli_fail(cli, error);
	}
	for (gint i = 0; i < argc; i++) {
		gchar *name = NULL;
		gchar *path = NULL;
		UbFrontReadbackRow row = {0};
		if (!ub_cli_split_assignment(argv[i], &name, &path, &error))
			return ub_cli_fail(cli, error);
		g_ptr_array_add(strings, name);
		row.name = name;
		/* PARTITION=FILE: FILE as given; else NAME.img in -o */
		if (path == NULL) {
			g_autofree gchar *basename = ub_front_plan_default_output_name(&row);
			path = g_build_filename(outdir, basename, NULL);
		}
		g_ptr_array_add(strings, path);
		row.output = path;
		g_array_append_val(rows, row);
	}
	/* the same plan as the GUI's Read back tab: a partition twice or two
	 * partitions into one file are refused before the phone is looked for */
	plan = ub_front_plan_readback(NULL,
				      (const UbFrontReadbackRow *)rows->data,
				      rows->len,
				      NULL,
				      &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	return ub_cli_finish_plan(cli, device, plan);
}

static gint
ub_cli_cmd_format(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(UbDevice) device = NULL;
	if (ub_cli_mtk_wants_range())
		return ub_cli_mtk_format(cli, argc, argv);
	if (ub_cli_edl_wants_range())
		return ub_cli_edl_format(cli, argc, argv);
	if (argc < 1) {
		g_printerr("%s\n", _("Name at least one PARTITION to erase."));
		return UB_CLI_EXIT_USAGE;
	}
	for (gint i = 0; i < argc; i++)
		ub_plan_add_erase(plan, argv[i]);
	ub_plan_set_allow_calibration(plan, ub_cli_plan_options.allow_calibration);
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	if (!ub_plan_preflight(plan, NULL, &error))
		return ub_cli_fail(cli, error);
	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	return ub_cli_finish_plan(cli, device, plan);
}

static void
ub_cli_print_usb_device(UbCli *cli, UbUsbDeviceInfo *info, const gchar *event)
{
	g_autofree gchar *str = ub_usb_device_info_to_string(info);
	g_autofree gchar *tty = ub_usb_device_info_lookup_tty(info);
	g_print("%s%s%s%s%s\n",
		event != NULL ? event : "",
		event != NULL ? " " : "",
		str,
		tty != NULL && ub_usb_device_info_get_tty_path(info) == NULL ? " tty:" : "",
		tty != NULL && ub_usb_device_info_get_tty_path(info) == NULL ? tty : "");
}

static void
ub_cli_device_added_cb(UbDeviceMonitor *monitor, UbUsbDeviceInfo *info, UbCli *cli)
{
	if (ub_usb_device_info_is_known(info))
		ub_cli_print_usb_device(cli, info, "+");
}

static void
ub_cli_device_removed_cb(UbDeviceMonitor *monitor, UbUsbDeviceInfo *info, UbCli *cli)
{
	if (ub_usb_device_info_is_known(info))
		ub_cli_print_usb_device(cli, info, "-");
}

static gboolean ub_cli_watch = FALSE;
static const GOptionEntry ub_cli_devices_entries[] = {
    {"watch", 'w', 0, G_OPTION_ARG_NONE, &ub_cli_watch,
     N_("Keep running and show phones as they arrive and leave"), NULL},
    {NULL}};

static void
ub_cli_cancelled_quit_cb(GCancellable *cancellable, GMainLoop *loop)
{
	g_main_loop_quit(loop);
}

static gint
ub_cli_cmd_devices(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDeviceMonitor) monitor = ub_device_monitor_new();
	g_autoptr(GPtrArray) devices = NULL;
	guint known = 0;

	if (!ub_device_monitor_start(monitor, &error))
		return ub_cli_fail(cli, error);
	devices = ub_device_monitor_get_devices(monitor);
	if (cli->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "devices");
		json_builder_begin_array(b);
		for (guint i = 0; i < devices->len; i++) {
			UbUsbDeviceInfo *info = g_ptr_array_index(devices, i);
			g_autofree gchar *spec = NULL;
			g_autofree gchar *tty = NULL;
			if (!ub_usb_device_info_is_known(info))
				continue;
			/* a serial driver may have bound the port since it arrived */
			tty = ub_usb_device_info_lookup_tty(info);
			spec = g_strdup_printf("usb:%s", ub_usb_device_info_get_port_path(info));
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "device");
			json_builder_add_string_value(b, spec);
			json_builder_set_member_name(b, "vid");
			json_builder_add_int_value(b, ub_usb_device_info_get_vid(info));
			json_builder_set_member_name(b, "pid");
			json_builder_add_int_value(b, ub_usb_device_info_get_pid(info));
			json_builder_set_member_name(b, "mode");
			json_builder_add_string_value(
			    b,
			    ub_device_mode_to_string(ub_usb_device_info_get_mode(info)));
			json_builder_set_member_name(b, "protocol");
			json_builder_add_string_value(
			    b,
			    ub_protocol_to_string(ub_usb_device_info_get_protocol(info)));
			json_builder_set_member_name(b, "serial");
			json_builder_add_string_value(b, ub_usb_device_info_get_serial(info));
			json_builder_set_member_name(b, "tty");
			json_builder_add_string_value(b, tty);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		ub_cli_print_json(b);
	} else {
		for (guint i = 0; i < devices->len; i++) {
			UbUsbDeviceInfo *info = g_ptr_array_index(devices, i);
			if (!ub_usb_device_info_is_known(info))
				continue;
			ub_cli_print_usb_device(cli, info, NULL);
			known++;
		}
		if (known == 0 && !ub_cli_watch)
			g_print("%s\n",
				_("No phone in EDL, MediaTek or fastboot mode is connected. "
				  "Try --device sim:fastboot for the simulated phone."));
	}
	if (ub_cli_watch) {
		g_signal_connect(monitor, "device-added", G_CALLBACK(ub_cli_device_added_cb), cli);
		g_signal_connect(monitor,
				 "device-removed",
				 G_CALLBACK(ub_cli_device_removed_cb),
				 cli);
		g_cancellable_connect(cli->cancellable,
				      G_CALLBACK(ub_cli_cancelled_quit_cb),
				      cli->loop,
				      NULL);
		g_main_loop_run(cli->loop);
	}
	ub_device_monitor_stop(monitor);
	return UB_CLI_EXIT_OK;
}

/* a raw GPT dump (gpt_main0.bin) */
static gboolean
ub_cli_inspect_gpt(UbCli *cli, const gchar *path, GError **error)
{
	g_autofree gchar *buf = NULL;
	gsize bufsz = 0;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	guint32 sector_sizes[] = {512, 4096};
	if (!g_file_get_contents(path, &buf, &bufsz, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(sector_sizes) && gpt == NULL; i++) {
		g_clear_error(error);
		gpt = ub_gpt_parse((const guint8 *)buf, bufsz, sector_sizes[i], error);
	}
	if (gpt == NULL)
		return FALSE;
	parts = ub_gpt_get_partitions(gpt, NULL);
	if (cli->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "format");
		json_builder_add_string_value(b, "gpt");
		json_builder_set_member_name(b, "sector_size");
		json_builder_add_int_value(b, ub_gpt_get_sector_size(gpt));
		ub_cli_json_add_partitions(b, parts, NULL);
		json_builder_end_object(b);
		ub_cli_print_json(b);
	} else {
		g_print("%s %u\n", _("GPT, sector size"), ub_gpt_get_sector_size(gpt));
		ub_cli_print_partitions(parts);
	}
	return TRUE;
}

static gchar *ub_cli_inspect_storage = NULL;
static gchar *ub_cli_inspect_disk_size = NULL;
static gboolean ub_cli_inspect_check = FALSE;
static const GOptionEntry ub_cli_inspect_entries[] = {
    {"storage", 0, 0, G_OPTION_ARG_STRING, &ub_cli_inspect_storage,
     N_("Which storage block of a scatter to use: emmc or ufs"), N_("TYPE")},
    {"disk-size", 0, 0, G_OPTION_ARG_STRING, &ub_cli_inspect_disk_size,
     N_("Size of the user area or LUN in bytes, to resolve end-relative addresses"),
     N_("BYTES")},
    {"check", 0, 0, G_OPTION_ARG_NONE, &ub_cli_inspect_check,
     N_("Fail when a file is missing, too large, overlapping or damaged"), NULL},
    {NULL}};

static void
ub_cli_json_add_u64_or_null(JsonBuilder *b, const gchar *name, guint64 value)
{
	json_builder_set_member_name(b, name);
	if (value == UB_PACKAGE_UNKNOWN)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, (gint64)value);
}

static void
ub_cli_json_add_string_or_null(JsonBuilder *b, const gchar *name, const gchar *value)
{
	json_builder_set_member_name(b, name);
	if (value == NULL)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, value);
}

static void
ub_cli_inspect_json(UbPackage *package, GPtrArray *problems)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	GPtrArray *parts = ub_package_get_partitions(package);
	GPtrArray *plans = ub_package_get_plans(package);
	GPtrArray *warnings = ub_package_get_warnings(package);
	GHashTableIter iter;
	gpointer key;
	gpointer value;

	json_builder_begin_object(b);
	ub_cli_json_add_string_or_null(b, "format",
				       ub_package_format_to_string(ub_package_get_format(package)));
	ub_cli_json_add_string_or_null(b, "platform", ub_package_get_platform(package));
	ub_cli_json_add_string_or_null(b, "product", ub_package_get_product(package));
	ub_cli_json_add_string_or_null(b, "storage", ub_package_get_storage(package));
	json_builder_set_member_name(b, "sector_size");
	if (ub_package_get_sector_size(package) == 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_int_value(b, ub_package_get_sector_size(package));
	json_builder_set_member_name(b, "partitions");
	json_builder_begin_array(b);
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *p = g_ptr_array_index(parts, i);
		json_builder_begin_object(b);
		ub_cli_json_add_string_or_null(b, "name", p->name);
		ub_cli_json_add_string_or_null(b, "region", p->region);
		json_builder_set_member_name(b, "lun");
		if (p->lun < 0)
			json_builder_add_null_value(b);
		else
			json_builder_add_int_value(b, p->lun);
		ub_cli_json_add_u64_or_null(b, "start", p->start);
		ub_cli_json_add_u64_or_null(b, "size", p->size);
		ub_cli_json_add_string_or_null(b, "start_expr", p->start_expr);
		ub_cli_json_add_string_or_null(b, "file", p->file);
		json_builder_set_member_name(b, "download");
		json_builder_add_boolean_value(b, p->download);
		json_builder_set_member_name(b, "calibration");
		json_builder_add_boolean_value(b, p->calibration);
		ub_cli_json_add_string_or_null(b, "operation", p->operation);
		ub_cli_json_add_string_or_null(b, "slot", p->slot);
		json_builder_set_member_name(b, "sparse");
		json_builder_add_boolean_value(b, p->sparse);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "plans");
	json_builder_begin_object(b);
	for (guint i = 0; i < plans->len; i++) {
		UbPackagePlan *plan = g_ptr_array_index(plans, i);
		json_builder_set_member_name(b, plan->id);
		json_builder_begin_object(b);
		ub_cli_json_add_string_or_null(b, "title", plan->title);
		json_builder_set_member_name(b, "destructive");
		json_builder_add_boolean_value(b, plan->destructive);
		json_builder_set_member_name(b, "steps");
		json_builder_begin_array(b);
		for (guint j = 0; j < plan->steps->len; j++) {
			UbPackageStep *step = g_ptr_array_index(plan->steps, j);
			json_builder_begin_object(b);
			ub_cli_json_add_string_or_null(b, "action",
						       ub_package_step_kind_to_string(step->kind));
			ub_cli_json_add_string_or_null(b, "partition", step->partition);
			ub_cli_json_add_string_or_null(b, "file", step->file);
			ub_cli_json_add_string_or_null(b, "arg", step->arg);
			ub_cli_json_add_string_or_null(b, "value", step->value);
			ub_cli_json_add_string_or_null(b, "line", step->line);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "requirements");
	json_builder_begin_object(b);
	g_hash_table_iter_init(&iter, ub_package_get_requirements(package));
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		json_builder_set_member_name(b, key);
		json_builder_add_string_value(b, value);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "warnings");
	json_builder_begin_array(b);
	for (guint i = 0; i < warnings->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(warnings, i));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "problems");
	json_builder_begin_array(b);
	for (guint i = 0; i < problems->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(problems, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	ub_cli_print_json(b);
}

static gchar *
ub_cli_hex_or_unknown(guint64 value, const gchar *expr)
{
	if (value != UB_PACKAGE_UNKNOWN)
		return g_strdup_printf("0x%" G_GINT64_MODIFIER "x", value);
	/* TRANSLATORS: an address only the phone can tell */
	return g_strdup(expr != NULL ? expr : _("?"));
}

static void
ub_cli_inspect_text(UbPackage *package, GPtrArray *problems)
{
	GPtrArray *parts = ub_package_get_partitions(package);
	GPtrArray *plans = ub_package_get_plans(package);
	GPtrArray *warnings = ub_package_get_warnings(package);

	g_print("%s %s\n", _("Format:"), ub_package_format_to_string(ub_package_get_format(package)));
	if (ub_package_get_platform(package) != NULL)
		g_print("%s %s\n", _("Platform:"), ub_package_get_platform(package));
	if (ub_package_get_product(package) != NULL)
		g_print("%s %s\n", _("Product:"), ub_package_get_product(package));
	if (ub_package_get_storage(package) != NULL)
		g_print("%s %s\n", _("Storage:"), ub_package_get_storage(package));
	if (ub_package_get_sector_size(package) != 0)
		g_print("%s %u\n", _("Sector size:"), ub_package_get_sector_size(package));
	g_print("\n  %-3s %-22s %-16s %14s %14s %10s  %s\n",
		"",
		_("Name"),
		_("Region"),
		_("Begin"),
		_("End"),
		_("Size"),
		_("File"));
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *p = g_ptr_array_index(parts, i);
		g_autofree gchar *begin = ub_cli_hex_or_unknown(p->start, p->start_expr);
		g_autofree gchar *end = NULL;
		g_autofree gchar *size = NULL;
		g_autofree gchar *region = NULL;
		g_autoptr(GString) flags = g_string_new(NULL);
		if (p->start != UB_PACKAGE_UNKNOWN && p->size != UB_PACKAGE_UNKNOWN)
			end = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", p->start + p->size);
		else
			end = g_strdup("?");
		size = p->size != UB_PACKAGE_UNKNOWN ? ub_text_format_size(p->size) : g_strdup("?");
		if (p->lun >= 0 && p->region == NULL)
			region = g_strdup_printf("lun%d", p->lun);
		else
			region = g_strdup(p->region != NULL ? p->region : "-");
		if (p->operation != NULL)
			g_string_append_printf(flags, " %s", p->operation);
		if (p->slot != NULL)
			g_string_append_printf(flags, " slot=%s", p->slot);
		if (p->sparse)
			g_string_append(flags, " sparse");
		if (p->calibration)
			/* TRANSLATORS: marks partitions holding IMEI/calibration data */
			g_string_append_printf(flags, " %s", _("[calibration]"));
		g_print("  %-3s %-22s %-16s %14s %14s %10s  %s%s\n",
			p->download ? "[x]" : "[ ]",
			p->name,
			region,
			begin,
			end,
			size,
			p->file != NULL ? p->file : "-",
			flags->str);
	}
	for (guint i = 0; i < plans->len; i++) {
		UbPackagePlan *plan = g_ptr_array_index(plans, i);
		g_print("\n%s %s (%s)%s\n",
			_("Plan"),
			plan->id,
			plan->title != NULL ? plan->title : "",
			plan->destructive ? _(", erases data") : "");
		for (guint j = 0; j < plan->steps->len; j++) {
			UbPackageStep *step = g_ptr_array_index(plan->steps, j);
			g_print("  %2u. %-12s %s%s%s%s%s\n",
				j + 1,
				ub_package_step_kind_to_string(step->kind),
				step->partition != NULL ? step->partition : "",
				step->file != NULL ? " <- " : "",
				step->file != NULL ? step->file : "",
				step->value != NULL ? " " : "",
				step->value != NULL ? step->value : "");
		}
	}
	for (guint i = 0; i < warnings->len; i++)
		g_print("%s %s\n", _("Warning:"), (const gchar *)g_ptr_array_index(warnings, i));
	for (guint i = 0; i < problems->len; i++)
		g_print("%s %s\n", _("Problem:"), (const gchar *)g_ptr_array_index(problems, i));
}

/* a firmware package, or a raw GPT dump */
static gint
ub_cli_cmd_inspect(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(GPtrArray) problems = NULL;
	UbPackageOptions options = {ub_cli_inspect_storage, 0};

	if (argc != 1) {
		g_printerr("%s\n", _("Give one package, folder, archive or GPT image to inspect."));
		return UB_CLI_EXIT_USAGE;
	}
	if (ub_cli_inspect_disk_size != NULL) {
		/* decimal or 0x hex, as scatter files write sizes */
		gchar *end = NULL;
		errno = 0;
		options.disk_size = g_ascii_strtoull(ub_cli_inspect_disk_size, &end, 0);
		if (errno != 0 || end == ub_cli_inspect_disk_size || *end != '\0' ||
		    options.disk_size == 0 || ub_cli_inspect_disk_size[0] == '-') {
			g_set_error(&error, UB_ERROR, UB_ERROR_INVALID_DATA,
				    _("invalid --disk-size '%s': give the size in bytes, e.g. "
				    "137438953472 or 0x2000000000"), ub_cli_inspect_disk_size);
			return ub_cli_fail(cli, error);
		}
	}
	if (ub_cli_inspect_storage != NULL && g_strcmp0(ub_cli_inspect_storage, "emmc") != 0 &&
	    g_strcmp0(ub_cli_inspect_storage, "ufs") != 0) {
		g_set_error(&error, UB_ERROR, UB_ERROR_INVALID_DATA,
			    _("invalid --storage '%s': use emmc or ufs"), ub_cli_inspect_storage);
		return ub_cli_fail(cli, error);
	}
	package = ub_package_open(argv[0], &options, cli->cancellable, &error);
	if (package == NULL) {
		/* a bare GPT dump is worth showing too */
		g_autoptr(GError) error_gpt = NULL;
		if (g_error_matches(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED) &&
		    ub_cli_inspect_gpt(cli, argv[0], &error_gpt))
			return UB_CLI_EXIT_OK;
		return ub_cli_fail(cli, error);
	}
	problems = ub_package_check(package, cli->cancellable);
	if (cli->json)
		ub_cli_inspect_json(package, problems);
	else
		ub_cli_inspect_text(package, problems);
	if (ub_cli_inspect_check && problems->len > 0) {
		g_set_error(&error, UB_ERROR, UB_ERROR_INVALID_DATA,
			    ngettext("%u problem found; the package cannot be flashed as it is",
				     "%u problems found; the package cannot be flashed as it is",
				     problems->len),
			    problems->len);
		return ub_cli_fail(cli, error);
	}
	return UB_CLI_EXIT_OK;
}

/* the rules built from the device table, for the permission hint's command:
 * works from a build folder, a /usr/local install and a Flatpak alike */
static gint
ub_cli_cmd_udev_rules(UbCli *cli, gint argc, gchar **argv)
{
	g_autofree gchar *text = ub_udev_rules_to_string();
	if (argc > 0) {
		g_printerr("%s\n", _("udev-rules takes no arguments"));
		return UB_CLI_EXIT_USAGE;
	}
	g_print("%s", text);
	return UB_CLI_EXIT_OK;
}

static const UbCliCmd ub_cli_cmds[] = {
    {"devices", ub_cli_cmd_devices, "", N_("List phones connected in EDL, MediaTek or fastboot mode"),
     "unbrick-cli devices --watch"},
    {"info", ub_cli_cmd_info, "", N_("Identify a phone and show its partitions"),
     "unbrick-cli info --device sim:fastboot\n"
     "  unbrick-cli info --device usb:05c6:9008 --loader prog_firehose_ddr.elf"},
    {"inspect", ub_cli_cmd_inspect, N_("PACKAGE"),
     N_("Show a firmware package's partition table and plans (scatter, rawprogram, ROM folder, "
	"archive, GPT image)"),
     "unbrick-cli inspect --storage ufs MT6893_Android_scatter.txt"},
    {"download", ub_cli_cmd_download, N_("PACKAGE | PARTITION=FILE…"),
     N_("Flash a firmware package, or write images to partitions, checking everything "
	"first and verifying after"),
     "unbrick-cli download --device sim:fastboot --mode keep-data miui_ROM.tgz\n"
     "  unbrick-cli download --device sim:fastboot boot_a=boot.img dtbo_a=dtbo.img\n"
     "  unbrick-cli download --device usb:05c6:9008 --loader prog_firehose_ddr.elf "
     "rawprogram0.xml\n"
     "  unbrick-cli download --device wait --da MTK_AllInOne_DA.bin --mode firmware-upgrade "
     "MT6765_Android_scatter.txt"},
    {"readback", ub_cli_cmd_readback, N_("PARTITION[=FILE]…"),
     N_("Read partitions, a LUN range or everything back into files"),
     "unbrick-cli readback --device sim:fastboot -o backup/ boot_a nvdata\n"
     "  unbrick-cli readback --device serial:/dev/ttyUSB0 --loader prog.elf --partition "
     "boot_a -o boot_a.img\n"
     "  unbrick-cli readback --device sim:edl --loader prog.elf --all backup/\n"
     "  unbrick-cli readback --device wait --da MTK_AllInOne_DA.bin --region user --start 0 "
     "--length 0x8000 -o pgpt.bin"},
    {"format", ub_cli_cmd_format, N_("PARTITION…"),
     N_("Erase partitions or a LUN range (calibration data only with --allow-calibration, "
	"backed up first)"),
     "unbrick-cli format --device sim:fastboot userdata\n"
     "  unbrick-cli format --device sim:edl --loader prog.elf --lun 0 --start 6 --count 8\n"
     "  unbrick-cli format --device wait --da MTK_AllInOne_DA.bin --all-except-bootloader"},
    {"edl", ub_cli_cmd_edl, N_("slot"),
     N_("Qualcomm EDL: show or switch the active A/B slot"),
     "unbrick-cli edl slot --device sim:edl --loader prog.elf --set b"},
    {"backups", ub_cli_cmd_backups, N_("list | restore DIR"),
     N_("List the calibration backups, or write one back to its phone"),
     "unbrick-cli backups restore ~/.local/share/unbrick/backups/SERIAL/TIME --device sim:edl "
     "--loader prog.elf"},
    {"fastboot", ub_cli_cmd_fastboot, N_("COMMAND [ARG…]"),
     N_("Run a fastboot command: getvar, flash, erase, reboot, set_active, oem, flashing, "
	"boot, fetch, flashall"),
     "unbrick-cli fastboot --device usb:18d1:4ee0 flash system system.img"},
    {"demo", ub_cli_cmd_demo, "",
     N_("Flash a generated demo package into the built-in simulated phone and verify it"),
     "unbrick-cli demo\n  unbrick-cli demo --kind edl\n  unbrick-cli demo --kind mtk"},
    {"udev-rules", ub_cli_cmd_udev_rules, "",
     N_("Print the udev rules that let you open phones without root"),
     "unbrick-cli udev-rules | sudo tee /etc/udev/rules.d/71-unbrick.rules"},
};

static void
ub_cli_print_usage(void)
{
	g_print("%s\n\n", _("Usage: unbrick-cli COMMAND [OPTIONS…]"));
	g_print("%s\n\n",
		_("Flash, read back and format phones over Qualcomm EDL, MediaTek BootROM/DA "
		  "and fastboot."));
	g_print("%s\n", _("Commands:"));
	for (guint i = 0; i < G_N_ELEMENTS(ub_cli_cmds); i++)
		g_print("  %-10s %s\n", ub_cli_cmds[i].name, _(ub_cli_cmds[i].summary));
	g_print("\n%s\n", _("Devices (--device):"));
	g_print("  auto            %s\n", _("the one phone connected in a known mode (default)"));
	g_print("  usb:VID:PID     %s\n", _("e.g. usb:05c6:9008"));
	g_print("  usb:BUS-PORT    %s\n", _("e.g. usb:1-4.2, as listed by 'devices'"));
	g_print("  serial:PATH     %s\n", _("e.g. serial:/dev/ttyUSB0 or serial:/dev/ttyACM0"));
	g_print("  tcp:HOST:PORT   %s\n", _("fastboot over TCP, e.g. tcp:192.168.1.20:5554"));
	g_print("  sim:KIND[:DIR]  %s\n", _("a simulated phone: sim:fastboot, sim:edl, sim:mtk"));
	g_print("  wait            %s\n",
		_("the next MediaTek phone that arrives in BootROM or preloader mode"));
	g_print("\n%s\n", _("Examples:"));
	g_print("  unbrick-cli info --device sim:fastboot\n");
	g_print("  unbrick-cli download --device sim:fastboot boot_a=boot.img\n");
	g_print("\n%s\n", _("Run 'unbrick-cli COMMAND --help' for the options of a command."));
}

int
main(int argc, char **argv)
{
	UbCli cli = {0};
	const UbCliCmd *cmd = NULL;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *param = NULL;
	g_autofree gchar *desc = NULL;
	gint rc;
	const GOptionEntry common_entries[] = {
	    {"device", 'd', 0, G_OPTION_ARG_STRING, &cli.device,
	     N_("The phone: auto, wait, usb:VID:PID, usb:BUS-PORT, serial:PATH, tcp:HOST:PORT, "
		"sim:KIND[:DIR]"),
	     N_("SPEC")},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &cli.json, N_("Machine-readable output on stdout"),
	     NULL},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &cli.verbose, N_("Show debug messages"), NULL},
	    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &cli.quiet, N_("Show no progress"), NULL},
	    {NULL}};
	const GOptionEntry edl_entries[] = {
	    {"loader", 0, 0, G_OPTION_ARG_FILENAME, &cli.loader,
	     N_("Qualcomm EDL: the phone's Firehose programmer (prog_firehose_*.elf or .mbn)"),
	     N_("PROG")},
	    {"storage", 0, 0, G_OPTION_ARG_STRING, &cli.storage,
	     N_("Qualcomm EDL: the storage type, ufs or emmc (default: the package's, else "
		"detected)"),
	     N_("TYPE")},
	    {NULL}};

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, UB_LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	if (argc < 2 || g_strcmp0(argv[1], "--help") == 0 || g_strcmp0(argv[1], "-h") == 0 ||
	    g_strcmp0(argv[1], "help") == 0) {
		ub_cli_print_usage();
		return argc < 2 ? UB_CLI_EXIT_USAGE : UB_CLI_EXIT_OK;
	}
	if (g_strcmp0(argv[1], "--version") == 0) {
		g_print("unbrick-cli %s\n", PACKAGE_VERSION);
		return UB_CLI_EXIT_OK;
	}
	for (guint i = 0; i < G_N_ELEMENTS(ub_cli_cmds); i++) {
		if (g_strcmp0(argv[1], ub_cli_cmds[i].name) == 0)
			cmd = &ub_cli_cmds[i];
	}
	if (cmd == NULL) {
		g_printerr(_("Unknown command '%s'.\n\n"), argv[1]);
		ub_cli_print_usage();
		return UB_CLI_EXIT_USAGE;
	}

	param = g_strdup_printf("%s %s", cmd->name, _(cmd->args));
	context = g_option_context_new(param);
	g_option_context_set_summary(context, _(cmd->summary));
	desc = g_strdup_printf("%s\n  %s\n", _("Example:"), cmd->example);
	g_option_context_set_description(context, desc);
	g_option_context_add_main_entries(context, common_entries, GETTEXT_PACKAGE);
	if (cmd->func == ub_cli_cmd_info || cmd->func == ub_cli_cmd_download ||
	    cmd->func == ub_cli_cmd_readback || cmd->func == ub_cli_cmd_format ||
	    cmd->func == ub_cli_cmd_edl || cmd->func == ub_cli_cmd_backups) {
		g_option_context_add_main_entries(context, edl_entries, GETTEXT_PACKAGE);
		g_option_context_add_main_entries(context, ub_cli_mtk_entries, GETTEXT_PACKAGE);
	}
	if (cmd->func == ub_cli_cmd_download) {
		g_option_context_add_main_entries(context, ub_cli_download_entries, GETTEXT_PACKAGE);
		g_option_context_add_main_entries(context, ub_cli_only_entries, GETTEXT_PACKAGE);
	} else if (cmd->func == ub_cli_cmd_readback) {
		g_option_context_add_main_entries(context, ub_cli_readback_entries, GETTEXT_PACKAGE);
		g_option_context_add_main_entries(context, ub_cli_range_entries, GETTEXT_PACKAGE);
		g_option_context_add_main_entries(context, ub_cli_mtk_range_entries, GETTEXT_PACKAGE);
	} else if (cmd->func == ub_cli_cmd_format) {
		g_option_context_add_main_entries(context, ub_cli_format_entries, GETTEXT_PACKAGE);
		g_option_context_add_main_entries(context, ub_cli_range_entries, GETTEXT_PACKAGE);
		g_option_context_add_main_entries(context, ub_cli_mtk_range_entries, GETTEXT_PACKAGE);
	} else if (cmd->func == ub_cli_cmd_edl) {
		g_option_context_add_main_entries(context, ub_cli_slot_entries, GETTEXT_PACKAGE);
	} else if (cmd->func == ub_cli_cmd_backups) {
		g_option_context_add_main_entries(context, ub_cli_format_entries, GETTEXT_PACKAGE);
	} else if (cmd->func == ub_cli_cmd_demo) {
		g_option_context_add_main_entries(context, ub_cli_demo_entries, GETTEXT_PACKAGE);
	}
	else if (cmd->func == ub_cli_cmd_devices)
		g_option_context_add_main_entries(context, ub_cli_devices_entries, GETTEXT_PACKAGE);
	else if (cmd->func == ub_cli_cmd_fastboot)
		g_option_context_add_main_entries(context, ub_cli_fastboot_entries, GETTEXT_PACKAGE);
	else if (cmd->func == ub_cli_cmd_inspect)
		g_option_context_add_main_entries(context, ub_cli_inspect_entries, GETTEXT_PACKAGE);
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	/* drop the command name so options parse as for a program of its own */
	argv[1] = argv[0];
	argc--;
	argv++;
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("%s\n", error->message);
		return UB_CLI_EXIT_USAGE;
	}
	if (cli.verbose)
		g_setenv("G_MESSAGES_DEBUG", "all", TRUE);

	cli.cancellable = g_cancellable_new();
	cli.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGINT, ub_cli_sigint_cb, &cli);
	g_unix_signal_add(SIGTERM, ub_cli_sigint_cb, &cli);
	rc = cmd->func(&cli, argc - 1, argv + 1);

	g_main_loop_unref(cli.loop);
	g_object_unref(cli.cancellable);
	g_free(cli.device);
	g_free(cli.loader);
	g_free(cli.storage);
	ub_cli_edl_options_free();
	ub_cli_mtk_options_free();
	g_free(ub_cli_plan_options.backup_dir);
	g_free(ub_cli_plan_options.slot);
	g_free(ub_cli_plan_options.output);
	g_free(ub_cli_plan_options.mode);
	g_free(ub_cli_inspect_storage);
	g_free(ub_cli_inspect_disk_size);
	return rc;
}
