/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fastboot/ub-fastboot-device.h"
#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "formats/ub-package.h"
#include "ub-cli.h"
#include "ub-sim-open.h"
#include "ub-sim-phone.h"

/* fastboot packages as plans (download PACKAGE), the AOSP fastboot vocabulary
 * (fastboot COMMAND) and the demo */

const GOptionEntry ub_cli_fastboot_entries[] = {
    {"slot", 0, 0, G_OPTION_ARG_STRING, &ub_cli_plan_options.slot,
     N_("For partitions with A/B slots: a, b or all (default: the current slot)"), N_("SLOT")},
    {"allow-lock", 0, 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.allow_lock,
     N_("Allow locking the bootloader; locking with a modified image bricks the phone"), NULL},
    {"wipe", 'w', 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.wipe,
     N_("flashall: erase user data (as fastboot -w)"), NULL},
    {"no-verify", 0, 0, G_OPTION_ARG_NONE, &ub_cli_plan_options.no_verify,
     N_("flashall: do not read back and compare what was written"), NULL},
    {NULL}};

static gboolean
ub_cli_check_slot_option(void)
{
	const gchar *slot = ub_cli_plan_options.slot;
	if (slot != NULL && g_strcmp0(slot, "a") != 0 && g_strcmp0(slot, "b") != 0 &&
	    g_strcmp0(slot, "all") != 0) {
		g_printerr("%s\n", _("--slot takes a, b or all."));
		return FALSE;
	}
	return TRUE;
}

static void
ub_cli_print_package_summary(UbCli *cli, UbPackage *package, const gchar *mode, const gchar *id)
{
	GPtrArray *warnings = ub_package_get_warnings(package);
	if (cli->json || cli->quiet)
		return;
	g_print("%s %s%s%s%s%s\n",
		_("Package:"),
		ub_package_format_to_string(ub_package_get_format(package)),
		ub_package_get_product(package) != NULL ? _(" for ") : "",
		ub_package_get_product(package) != NULL ? ub_package_get_product(package) : "",
		ub_package_get_version(package) != NULL ? ", " : "",
		ub_package_get_version(package) != NULL ? ub_package_get_version(package) : "");
	/* TRANSLATORS: e.g. "Mode: keep-data (flash_all_except_storage)" */
	g_print("%s %s (%s)\n", _("Mode:"), mode, id);
	if (warnings->len > 0)
		g_print(ngettext("%u warning about the package; 'unbrick-cli inspect' lists it\n",
				 "%u warnings about the package; 'unbrick-cli inspect' lists them\n",
				 warnings->len),
			warnings->len);
}

/* a package as a plan, checked before the phone is even looked for */
static UbPlan *
ub_cli_package_plan(UbCli *cli, UbPackage *package, const gchar *mode, GError **error)
{
	g_autoptr(UbPlan) plan = NULL;
	UbPackagePlanOptions options = {
	    .slot = ub_cli_plan_options.slot,
	    .allow_lock = ub_cli_plan_options.allow_lock,
	    .verify = !ub_cli_plan_options.no_verify,
	};
	UbPackageData data = UB_PACKAGE_DATA_AS_PACKAGE;
	const gchar *id;

	id = ub_package_plan_id_for_mode(package, mode, &data, error);
	if (id == NULL)
		return NULL;
	ub_cli_print_package_summary(cli, package, mode, id);
	plan = ub_package_plan_for_mode(package, mode, &options, error);
	if (plan == NULL)
		return NULL;
	ub_plan_set_allow_calibration(plan, ub_cli_plan_options.allow_calibration);
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	if (!ub_plan_preflight(plan, NULL, error))
		return NULL;
	return g_steal_pointer(&plan);
}

/**
 * ub_cli_download_package:
 * @cli: the CLI
 * @path: anything ub_package_open() takes
 *
 * `unbrick-cli download PACKAGE [--mode clean-all|keep-data|clean-all-lock]`
 */
gint
ub_cli_download_package(UbCli *cli, const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPackage) package = NULL;
	const gchar *mode =
	    ub_cli_plan_options.mode != NULL ? ub_cli_plan_options.mode : "keep-data";

	package = ub_package_open(path, NULL, cli->cancellable, &error);
	if (package == NULL)
		return ub_cli_fail(cli, error);
	/* a Qualcomm flat build goes to a phone in EDL mode */
	if (ub_package_get_format(package) == UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD)
		return ub_cli_edl_download_flat_build(cli, package);
	/* a MediaTek scatter goes to a phone in BootROM or preloader mode */
	if (ub_package_get_format(package) == UB_PACKAGE_FORMAT_MTK_SCATTER)
		return ub_cli_mtk_download_scatter(cli, package);
	if (ub_cli_edl_options.only != NULL) {
		g_printerr("%s\n", _("--only is for Qualcomm flat builds."));
		return UB_CLI_EXIT_USAGE;
	}
	if (!ub_cli_check_slot_option())
		return UB_CLI_EXIT_USAGE;
	if (g_strcmp0(mode, "clean-all") != 0 && g_strcmp0(mode, "keep-data") != 0 &&
	    g_strcmp0(mode, "clean-all-lock") != 0) {
		g_printerr("%s\n", _("--mode takes clean-all, keep-data or clean-all-lock."));
		return UB_CLI_EXIT_USAGE;
	}
	plan = ub_cli_package_plan(cli, package, mode, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	if (ub_cli_plan_options.reboot)
		ub_plan_add_reboot(plan, UB_REBOOT_MODE_SYSTEM);
	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	return ub_cli_finish_plan(cli, device, plan);
}

static gboolean
ub_cli_parse_reboot_target(const gchar *target, UbRebootMode *mode)
{
	struct {
		const gchar *name;
		UbRebootMode mode;
	} map[] = {
	    {"system", UB_REBOOT_MODE_SYSTEM},
	    {"bootloader", UB_REBOOT_MODE_BOOTLOADER},
	    {"fastboot", UB_REBOOT_MODE_FASTBOOTD},
	    {"recovery", UB_REBOOT_MODE_RECOVERY},
	    {"edl", UB_REBOOT_MODE_EDL},
	};
	if (target == NULL) {
		*mode = UB_REBOOT_MODE_SYSTEM;
		return TRUE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
		if (g_strcmp0(target, map[i].name) == 0) {
			*mode = map[i].mode;
			return TRUE;
		}
	}
	return FALSE;
}

/* flash, erase, fetch and flashall go through the plan executor: slots,
 * size checks and consent the same way as download */
static gint
ub_cli_fastboot_plan(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbDevice) device = NULL;
	const gchar *verb = argv[0];
	UbPlanOp *op;

	if (!ub_cli_check_slot_option())
		return UB_CLI_EXIT_USAGE;
	if (g_strcmp0(verb, "flash") == 0) {
		if (argc != 3) {
			g_printerr("%s\n", _("Usage: fastboot flash PARTITION FILE"));
			return UB_CLI_EXIT_USAGE;
		}
		plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);
		op = ub_plan_add_write(plan, argv[1], argv[2]);
		op->slot = g_strdup(ub_cli_plan_options.slot);
	} else if (g_strcmp0(verb, "erase") == 0) {
		if (argc != 2) {
			g_printerr("%s\n", _("Usage: fastboot erase PARTITION"));
			return UB_CLI_EXIT_USAGE;
		}
		plan = ub_plan_new(UB_PLAN_KIND_FORMAT);
		op = ub_plan_add_erase(plan, argv[1]);
		op->slot = g_strdup(ub_cli_plan_options.slot);
	} else if (g_strcmp0(verb, "fetch") == 0) {
		if (argc != 3) {
			g_printerr("%s\n", _("Usage: fastboot fetch PARTITION FILE"));
			return UB_CLI_EXIT_USAGE;
		}
		plan = ub_plan_new(UB_PLAN_KIND_READBACK);
		op = ub_plan_add_read(plan, argv[1], argv[2]);
		op->slot = g_strdup(ub_cli_plan_options.slot);
	} else {
		/* flashall [PACKAGE]: as fastboot, user data stays unless -w */
		const gchar *path = argc >= 2 ? argv[1] : ".";
		g_autoptr(UbPackage) package = NULL;
		if (argc > 2) {
			g_printerr("%s\n", _("Usage: fastboot flashall [PACKAGE]"));
			return UB_CLI_EXIT_USAGE;
		}
		package = ub_package_open(path, NULL, cli->cancellable, &error);
		if (package == NULL)
			return ub_cli_fail(cli, error);
		plan = ub_cli_package_plan(cli,
					   package,
					   ub_cli_plan_options.wipe ? "clean-all" : "keep-data",
					   &error);
		if (plan == NULL)
			return ub_cli_fail(cli, error);
	}
	ub_plan_set_allow_calibration(plan, ub_cli_plan_options.allow_calibration);
	if (!ub_plan_preflight(plan, NULL, &error))
		return ub_cli_fail(cli, error);
	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	return ub_cli_finish_plan(cli, device, plan);
}

static gboolean
ub_cli_fastboot_boot(UbDevice *device,
		     const gchar *path,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileInfo) info = NULL;
	g_autoptr(GFileInputStream) in = NULL;
	info = g_file_query_info(file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, cancellable, error);
	if (info == NULL) {
		ub_error_convert(error);
		return FALSE;
	}
	in = g_file_read(file, cancellable, error);
	if (in == NULL) {
		ub_error_convert(error);
		return FALSE;
	}
	return ub_device_command_with_data(device,
					   "boot",
					   G_INPUT_STREAM(in),
					   (guint64)g_file_info_get_size(info),
					   progress,
					   cancellable,
					   error);
}

static gboolean
ub_cli_fastboot_is_lock(gint argc, gchar **argv)
{
	if (argc < 2)
		return FALSE;
	if (g_strcmp0(argv[0], "oem") == 0)
		return g_strcmp0(argv[1], "lock") == 0 || g_strcmp0(argv[1], "relock") == 0;
	if (g_strcmp0(argv[0], "flashing") == 0)
		return g_str_has_prefix(argv[1], "lock");
	return FALSE;
}

/**
 * ub_cli_cmd_fastboot:
 * @cli: the CLI
 * @argc: words after the command
 * @argv: (array length=argc): them, as the fastboot tool takes them
 *
 * `unbrick-cli fastboot --device SPEC COMMAND [ARGS]` with AOSP's vocabulary.
 */
gint
ub_cli_cmd_fastboot(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autofree gchar *command = NULL;
	g_autofree gchar *reply = NULL;
	g_auto(GStrv) words = NULL;
	const gchar *verb;

	if (argc < 1) {
		g_printerr("%s\n", _("Give a fastboot command, e.g. getvar product."));
		return UB_CLI_EXIT_USAGE;
	}
	verb = argv[0];
	if (g_strcmp0(verb, "flash") == 0 || g_strcmp0(verb, "erase") == 0 ||
	    g_strcmp0(verb, "fetch") == 0 || g_strcmp0(verb, "flashall") == 0)
		return ub_cli_fastboot_plan(cli, argc, argv);

	/* refused before the phone is looked for */
	if (ub_cli_fastboot_is_lock(argc, argv) && !ub_cli_plan_options.allow_lock) {
		g_set_error(&error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    _("refusing '%s %s': locking with a modified image bricks the phone; "
			    "add --allow-lock if the phone runs its stock firmware"),
			    argv[0],
			    argv[1]);
		return ub_cli_fail(cli, error);
	}
	if ((g_strcmp0(verb, "getvar") == 0 || g_strcmp0(verb, "set_active") == 0 ||
	     g_strcmp0(verb, "boot") == 0) &&
	    argc != 2) {
		const gchar *what = g_strcmp0(verb, "boot") == 0     ? "FILE"
				    : g_strcmp0(verb, "getvar") == 0 ? "NAME"
								     : "SLOT";
		g_printerr(_("Usage: fastboot %s %s\n"), verb, what);
		return UB_CLI_EXIT_USAGE;
	}
	if (g_strcmp0(verb, "reboot") == 0) {
		UbRebootMode mode = UB_REBOOT_MODE_SYSTEM;
		if (argc > 2 || !ub_cli_parse_reboot_target(argc == 2 ? argv[1] : NULL, &mode)) {
			g_printerr("%s\n",
				   _("Usage: fastboot reboot [bootloader|fastboot|recovery|edl]"));
			return UB_CLI_EXIT_USAGE;
		}
	}

	device = ub_cli_open_device(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	if (!UB_IS_FASTBOOT_DEVICE(device)) {
		g_set_error(&error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    _("the device is in %s mode, not fastboot"),
			    ub_device_mode_to_string(ub_device_get_mode(device)));
		return ub_cli_fail(cli, error);
	}
	if (!ub_device_open(device, progress, cli->cancellable, &error))
		return ub_cli_fail(cli, error);

	if (g_strcmp0(verb, "getvar") == 0 && g_strcmp0(argv[1], "all") == 0) {
		g_autoptr(GPtrArray) lines = ub_fastboot_device_getvar_all(UB_FASTBOOT_DEVICE(device),
									   cli->cancellable,
									   &error);
		if (lines == NULL)
			return ub_cli_fail(cli, error);
		for (guint i = 0; i < lines->len; i++)
			g_print("%s\n", (const gchar *)g_ptr_array_index(lines, i));
		return UB_CLI_EXIT_OK;
	}
	if (g_strcmp0(verb, "getvar") == 0) {
		reply = ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(device),
						  argv[1],
						  cli->cancellable,
						  &error);
		if (reply == NULL)
			return ub_cli_fail(cli, error);
		g_print("%s: %s\n", argv[1], reply);
		return UB_CLI_EXIT_OK;
	}
	if (g_strcmp0(verb, "reboot") == 0) {
		UbRebootMode mode = UB_REBOOT_MODE_SYSTEM;
		if (!ub_cli_parse_reboot_target(argc == 2 ? argv[1] : NULL, &mode))
			return UB_CLI_EXIT_USAGE;
		if (!ub_device_reboot(device, mode, cli->cancellable, &error))
			return ub_cli_fail(cli, error);
		g_print("%s %s\n", _("Rebooting to"), ub_reboot_mode_to_string(mode));
		return UB_CLI_EXIT_OK;
	}
	if (g_strcmp0(verb, "set_active") == 0) {
		if (!ub_device_set_active(device, argv[1], cli->cancellable, &error))
			return ub_cli_fail(cli, error);
		g_print(_("Slot %s is now active\n"), argv[1]);
		return UB_CLI_EXIT_OK;
	}
	if (g_strcmp0(verb, "boot") == 0) {
		if (!ub_cli_fastboot_boot(device, argv[1], progress, cli->cancellable, &error))
			return ub_cli_fail(cli, error);
		g_print("%s\n", _("Booting"));
		return UB_CLI_EXIT_OK;
	}

	/* "oem edl", "flashing unlock", "continue" and the rest as the fastboot
	 * tool sends them; the option parser leaves argv unterminated, so copy
	 * exactly argc words */
	words = g_new0(gchar *, argc + 1);
	for (gint i = 0; i < argc; i++)
		words[i] = g_strdup(argv[i]);
	if (g_strcmp0(verb, "oem") == 0 || g_strcmp0(verb, "flashing") == 0) {
		command = g_strjoinv(" ", words);
		if (!ub_device_command(device, command, &reply, progress, cli->cancellable, &error))
			return ub_cli_fail(cli, error);
	} else {
		command = g_strjoinv(":", words);
		if (!ub_fastboot_device_command(UB_FASTBOOT_DEVICE(device),
						command,
						&reply,
						cli->cancellable,
						&error))
			return ub_cli_fail(cli, error);
	}
	g_print("OKAY%s%s\n", reply != NULL && reply[0] != '\0' ? " " : "", reply != NULL ? reply : "");
	return UB_CLI_EXIT_OK;
}

/* the simulated phone's storage against the demo package's images */
static gboolean
ub_cli_demo_check_storage(UbDevice *device, GError **error)
{
	UbSimPhone *phone = g_object_get_data(G_OBJECT(device), "ub-sim-phone");
	const gchar *slot = g_hash_table_lookup(ub_device_get_extra(device), "current-slot");
	const gchar *names[] = {"boot", "dtbo", "vbmeta", NULL};
	if (phone == NULL) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INTERNAL, "no simulated phone");
		return FALSE;
	}
	if (slot == NULL)
		slot = "a";
	for (guint i = 0; names[i] != NULL; i++) {
		g_autofree gchar *file = g_strdup_printf("%s.img", names[i]);
		g_autofree gchar *part = g_strdup_printf("%s_%s", names[i], slot);
		g_autoptr(GBytes) blob = ub_demo_package_make_image(file);
		gsize size = g_bytes_get_size(blob);
		g_autofree guint8 *buf = g_malloc(size);
		g_autofree gchar *sum1 = NULL;
		g_autofree gchar *sum2 = NULL;
		if (!ub_sim_storage_read_partition(ub_sim_phone_get_storage(phone),
						   part,
						   0,
						   buf,
						   size,
						   error))
			return FALSE;
		sum1 = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, blob);
		sum2 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf, size);
		g_print("  %.16s…  images/%-12s %.16s…  %s\n", sum1, file, sum2, part);
		if (g_strcmp0(sum1, sum2) != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s on the phone differs from images/%s"),
				    part,
				    file);
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ub_cli_cmd_demo:
 *
 * What `make demo` runs without a display: a generated Xiaomi-style fastboot
 * package flashed into the simulated phone in this process, its keep-data
 * plan, verified, plus the refusals that keep phones alive.
 */
gint
ub_cli_cmd_demo(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) identify = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbPlan) unsafe = ub_plan_new(UB_PLAN_KIND_FORMAT);
	g_autoptr(UbPlan) lock = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbPackage) package = NULL;
	g_autofree gchar *dir = ub_demo_package_get_dir();
	UbPackagePlanOptions options = {.verify = TRUE};

	if (g_strcmp0(ub_cli_edl_options.kind, "edl") == 0)
		return ub_cli_edl_demo(cli);
	if (g_strcmp0(ub_cli_edl_options.kind, "mtk") == 0)
		return ub_cli_mtk_demo(cli);
	if (ub_cli_edl_options.kind != NULL && g_strcmp0(ub_cli_edl_options.kind, "fastboot") != 0) {
		g_printerr("%s\n", _("--kind takes fastboot, edl or mtk."));
		return UB_CLI_EXIT_USAGE;
	}
	g_print("== %s\n", _("Starting a simulated fastboot phone in this process"));
	device = ub_sim_open_device("fastboot", NULL, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);

	g_print("== %s\n", _("Finding and identifying it"));
	if (!ub_cli_run_plan(cli, device, identify, &error))
		return ub_cli_fail(cli, error);
	ub_cli_print_device(device);
	{
		g_autoptr(GPtrArray) parts = ub_device_get_partitions(device);
		ub_cli_print_partitions(parts);
	}

	g_print("== %s %s\n", _("Writing a demo fastboot package (MiFlash style) to"), dir);
	if (!ub_demo_package_write(dir, NULL, &error))
		return ub_cli_fail(cli, error);
	package = ub_package_open(dir, NULL, cli->cancellable, &error);
	if (package == NULL)
		return ub_cli_fail(cli, error);
	g_print("  %s, %s %s, %u %s\n",
		ub_package_format_to_string(ub_package_get_format(package)),
		_("product"),
		ub_package_get_product(package),
		ub_package_get_plans(package)->len,
		_("plans"));

	g_print("== %s\n", _("Trying its clean-all-lock mode without consent"));
	lock = ub_package_plan_for_mode(package, "clean-all-lock", &options, &error);
	if (lock == NULL)
		return ub_cli_fail(cli, error);
	if (ub_cli_run_plan(cli, device, lock, &error)) {
		g_set_error_literal(&error, UB_ERROR, UB_ERROR_INTERNAL, "the phone was locked!");
		return ub_cli_fail(cli, error);
	}
	g_print("  %s %s\n", _("Refused, as it must be:"), error->message);
	g_clear_error(&error);

	g_print("== %s\n", _("Trying to erase the calibration partition nvdata without consent"));
	ub_plan_add_erase(unsafe, "nvdata");
	if (ub_cli_run_plan(cli, device, unsafe, &error)) {
		g_set_error_literal(&error, UB_ERROR, UB_ERROR_INTERNAL, "nvdata was erased!");
		return ub_cli_fail(cli, error);
	}
	g_print("  %s %s\n", _("Refused, as it must be:"), error->message);
	g_clear_error(&error);

	g_print("== %s\n", _("Flashing the package in keep-data mode, verifying every image"));
	plan = ub_package_plan_for_mode(package, "keep-data", &options, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	if (!ub_cli_run_plan(cli, device, plan, &error))
		return ub_cli_fail(cli, error);

	g_print("== %s\n", _("Comparing the phone's storage with the package"));
	if (!ub_cli_demo_check_storage(device, &error))
		return ub_cli_fail(cli, error);
	ub_device_close(device);
	g_print("== %s\n",
		_("Demo finished: the simulated phone was found, identified, flashed from a "
		  "fastboot package and verified."));
	return UB_CLI_EXIT_OK;
}
