/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "formats/ub-package-scatter.h"
#include "formats/ub-package.h"
#include "formats/ub-scatter.h"
#include "mtk/ub-mtk-device.h"
#include "ub-backup.h"
#include "ub-cli.h"
#include "ub-front-device.h"
#include "ub-front-plan.h"
#include "ub-sim-demo.h"
#include "ub-sim-layouts.h"
#include "ub-sim-open.h"
#include "ub-sim-storage.h"
#include "ub-text.h"

/* MediaTek: the Download Agent and auth files, scatter downloads in SP Flash
 * Tool's three modes, Read back and Format rows by region + address, and the
 * MediaTek demo */

UbCliMtkOptions ub_cli_mtk_options = {0};

const GOptionEntry ub_cli_mtk_entries[] = {
    {"da", 0, 0, G_OPTION_ARG_FILENAME, &ub_cli_mtk_options.da,
     N_("MediaTek: the Download Agent (MTK_AllInOne_DA.bin, from SP Flash Tool or the "
	"phone's firmware)"),
     N_("FILE")},
    {"auth", 0, 0, G_OPTION_ARG_FILENAME, &ub_cli_mtk_options.auth,
     N_("MediaTek: the authentication file (auth_sv5.auth) a secure-boot phone asks for"),
     N_("FILE")},
    {"cert", 0, 0, G_OPTION_ARG_FILENAME, &ub_cli_mtk_options.cert,
     N_("MediaTek: the certificate file (SEND_CERT)"), N_("FILE")},
    {"preloader", 0, 0, G_OPTION_ARG_FILENAME, &ub_cli_mtk_options.preloader,
     N_("MediaTek: the phone's preloader image, for its DRAM settings when starting from "
	"BootROM"),
     N_("FILE")},
    {NULL}};

const GOptionEntry ub_cli_mtk_range_entries[] = {
    {"region", 0, 0, G_OPTION_ARG_STRING, &ub_cli_mtk_options.region,
     N_("MediaTek: the region to act on: user, boot1, boot2, rpmb (eMMC), lun0, lun1, lun2 "
	"(UFS), or as a scatter spells it (EMMC_USER)"),
     N_("REGION")},
    {"length", 0, 0, G_OPTION_ARG_STRING, &ub_cli_mtk_options.length,
     N_("With --region: bytes (default: to the end of the region); --start is then a byte "
	"address"),
     N_("N")},
    {"all-except-bootloader", 0, 0, G_OPTION_ARG_NONE, &ub_cli_mtk_options.all_except_bootloader,
     N_("format: the whole user area, leaving the boot areas (preloader) alone; calibration "
	"partitions are kept unless --allow-calibration"),
     NULL},
    {NULL}};

void
ub_cli_mtk_options_free(void)
{
	g_free(ub_cli_mtk_options.da);
	g_free(ub_cli_mtk_options.auth);
	g_free(ub_cli_mtk_options.cert);
	g_free(ub_cli_mtk_options.preloader);
	g_free(ub_cli_mtk_options.region);
	g_free(ub_cli_mtk_options.length);
}

/* whether the user gave files only a MediaTek phone takes */
gboolean
ub_cli_mtk_has_files(void)
{
	return ub_cli_mtk_options.da != NULL || ub_cli_mtk_options.auth != NULL ||
	       ub_cli_mtk_options.cert != NULL || ub_cli_mtk_options.preloader != NULL;
}

/* whether readback/format were given a MediaTek row rather than PARTITION arguments */
gboolean
ub_cli_mtk_wants_range(void)
{
	return ub_cli_mtk_options.region != NULL || ub_cli_mtk_options.length != NULL ||
	       ub_cli_mtk_options.all_except_bootloader;
}

static gboolean
ub_cli_mtk_file(const gchar *option, const gchar *path, GFile **file, GError **error)
{
	if (path == NULL)
		return TRUE;
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, _("%s: %s does not exist"), option, path);
		return FALSE;
	}
	*file = g_file_new_for_path(path);
	return TRUE;
}

/**
 * ub_cli_mtk_prepare:
 * @cli: the CLI
 * @device: a device, not yet opened
 * @needs_da: the command reads or writes storage, not only identifies
 * @error: (nullable): return location for a #GError
 *
 * --da, --auth, --cert and --preloader: the files of a MediaTek phone, an
 * error for any other phone; without --da a MediaTek phone is only identified,
 * and a command that needs storage says which file it needs.
 *
 * Returns: %TRUE if the device may be opened
 */
gboolean
ub_cli_mtk_prepare(UbCli *cli, UbDevice *device, gboolean needs_da, GError **error)
{
	g_autoptr(GFile) da = NULL;
	g_autoptr(GFile) auth = NULL;
	g_autoptr(GFile) cert = NULL;
	g_autoptr(GFile) preloader = NULL;
	UbMtkDevice *mtk;

	if (!UB_IS_MTK_DEVICE(device)) {
		const gchar *option = ub_cli_mtk_options.da != NULL	   ? "--da"
				      : ub_cli_mtk_options.auth != NULL	   ? "--auth"
				      : ub_cli_mtk_options.cert != NULL	   ? "--cert"
				      : ub_cli_mtk_options.preloader != NULL ? "--preloader"
									   : NULL;
		if (option != NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s is for MediaTek phones in BootROM or preloader mode; this is "
				    "a %s phone"),
				    option,
				    ub_protocol_to_string(ub_device_get_protocol(device)));
			return FALSE;
		}
		return TRUE;
	}
	mtk = UB_MTK_DEVICE(device);
	if (!ub_cli_mtk_file("--da", ub_cli_mtk_options.da, &da, error) ||
	    !ub_cli_mtk_file("--auth", ub_cli_mtk_options.auth, &auth, error) ||
	    !ub_cli_mtk_file("--cert", ub_cli_mtk_options.cert, &cert, error) ||
	    !ub_cli_mtk_file("--preloader", ub_cli_mtk_options.preloader, &preloader, error))
		return FALSE;
	if (cert != NULL)
		ub_mtk_device_set_cert_file(mtk, cert);
	if (preloader != NULL)
		ub_mtk_device_set_preloader(mtk, preloader);
	if (da == NULL && needs_da) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("this is a MediaTek phone in BootROM/preloader mode; its storage is "
				    "reached through a Download Agent: give it with --da "
				    "MTK_AllInOne_DA.bin (it comes with SP Flash Tool and with many "
				    "firmware packages, next to the scatter file)"));
		return FALSE;
	}
	/* the DA, auth file and identify-only as the GUI applies them */
	return ub_front_device_prepare(device, NULL, da, auth, needs_da, error);
}

/* a region as the engine names it: user, boot1... or the scatter's EMMC_USER */
static const gchar *
ub_cli_mtk_region(const gchar *region, GError **error)
{
	const gchar *names[] = {"user", "boot1", "boot2", "rpmb", "lun0", "lun1", "lun2", NULL};
	const struct {
		const gchar *scatter;
		const gchar *device;
	} map[] = {
	    {"EMMC_USER", "user"},
	    {"EMMC_BOOT1", "boot1"},
	    {"EMMC_BOOT2", "boot2"},
	    {"EMMC_BOOT1_BOOT2", "boot1"},
	    {"EMMC_RPMB", "rpmb"},
	    {"UFS_LU0", "lun0"},
	    {"UFS_LU0_LU1", "lun0"},
	    {"UFS_LU1", "lun1"},
	    {"UFS_LU2", "lun2"},
	};
	const gchar *canonical;
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_ascii_strcasecmp(region, names[i]) == 0)
			return names[i];
	}
	canonical = ub_scatter_region_normalize(region);
	for (guint i = 0; canonical != NULL && i < G_N_ELEMENTS(map); i++) {
		if (g_strcmp0(canonical, map[i].scatter) == 0)
			return map[i].device;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    _("unknown region '%s': use user, boot1, boot2, rpmb, lun0, lun1 or lun2"),
		    region);
	return NULL;
}

/* --region R [--start ADDR] [--length N], in bytes; multiples of 512 */
static gboolean
ub_cli_mtk_range(const gchar **region, guint64 *start, guint64 *length, GError **error)
{
	*start = 0;
	*length = 0;
	if (ub_cli_mtk_options.region == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("--start and --length go with --region"));
		return FALSE;
	}
	*region = ub_cli_mtk_region(ub_cli_mtk_options.region, error);
	if (*region == NULL)
		return FALSE;
	if (ub_cli_edl_options.start != NULL &&
	    !ub_cli_parse_u64("--start", _("a number of bytes"), ub_cli_edl_options.start, start, error))
		return FALSE;
	if (ub_cli_mtk_options.length != NULL &&
	    !ub_cli_parse_u64("--length", _("a number of bytes"), ub_cli_mtk_options.length, length, error))
		return FALSE;
	if (ub_cli_mtk_options.length != NULL && *length == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, _("--length must not be 0"));
		return FALSE;
	}
	if (*start % 512 != 0 || *length % 512 != 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("--start and --length must be multiples of 512 bytes"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_cli_mtk_check_args(gint argc, gboolean for_format, GError **error)
{
	guint n = 0;
	if (argc > 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("give either PARTITION arguments or --partition/--region"));
		return FALSE;
	}
	n += ub_cli_edl_options.partition != NULL;
	n += ub_cli_mtk_options.region != NULL;
	n += ub_cli_mtk_options.all_except_bootloader;
	n += ub_cli_edl_options.lun >= 0;
	if (n != 1 || (!for_format && ub_cli_mtk_options.all_except_bootloader)) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    for_format ? _("give one of --all-except-bootloader, --partition NAME "
						 "or --region R --start ADDR --length N")
					       : _("give one of --partition NAME or --region R --start "
						 "ADDR --length N"));
		return FALSE;
	}
	return TRUE;
}

/* `readback --region R --start ADDR --length N -o FILE` (SP Flash Tool's Readback rows) */
gint
ub_cli_mtk_readback(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) plan = NULL;
	UbFrontReadbackRow row = {.output = ub_cli_plan_options.output};

	if (!ub_cli_mtk_check_args(argc, FALSE, &error) ||
	    !ub_cli_mtk_range(&row.region, &row.start, &row.length, &error)) {
		g_printerr("%s\n", error->message);
		return UB_CLI_EXIT_USAGE;
	}
	if (ub_cli_plan_options.output == NULL) {
		g_printerr("%s\n", _("Name the file to read into with -o FILE."));
		return UB_CLI_EXIT_USAGE;
	}
	device = ub_cli_open_identified(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	/* the range checked against the phone's region, as the GUI does */
	plan = ub_front_plan_readback(device, &row, 1, NULL, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	return ub_cli_finish_plan(cli, device, plan);
}

/* `format (--all-except-bootloader | --region R --start ADDR --length N)` */
gint
ub_cli_mtk_format(UbCli *cli, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) plan = NULL;
	const gchar *region = NULL;
	guint64 start = 0;
	guint64 length = 0;
	gboolean keep_calibration = !ub_cli_plan_options.allow_calibration;

	if (!ub_cli_mtk_check_args(argc, TRUE, &error) ||
	    (!ub_cli_mtk_options.all_except_bootloader &&
	     !ub_cli_mtk_range(&region, &start, &length, &error))) {
		g_printerr("%s\n", error->message);
		return UB_CLI_EXIT_USAGE;
	}
	device = ub_cli_open_identified(cli, &error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	/* the user area (eMMC "user", UFS LU2) around the calibration data, or
	 * the range: the same plans as the GUI's Format tab */
	if (ub_cli_mtk_options.all_except_bootloader)
		plan = ub_front_plan_format_auto(device, FALSE, keep_calibration, &error);
	else
		plan = ub_front_plan_format_range(device,
						  region,
						  start,
						  length,
						  keep_calibration,
						  &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	return ub_cli_finish_plan(cli, device, plan);
}

/* as SP Flash Tool: the DRAM settings come from the package's preloader
 * unless the user gave one (a folder package; an archive needs --preloader) */
static void
ub_cli_mtk_use_package_preloader(UbDevice *device, UbPackage *package)
{
	if (ub_cli_mtk_options.preloader != NULL)
		return;
	ub_front_device_use_package_preloader(device, package);
}

/**
 * ub_cli_mtk_download_scatter:
 * @cli: the CLI
 * @package: a scatter package
 *
 * `download SCATTER [--mode download-only|firmware-upgrade|format-all-download]
 * [--only a,b] [--allow-calibration]`
 */
gint
ub_cli_mtk_download_scatter(UbCli *cli, UbPackage *package)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_auto(GStrv) only = NULL;
	UbPackagePlanOptions options = {.verify = !ub_cli_plan_options.no_verify};
	GPtrArray *warnings = ub_package_get_warnings(package);
	const gchar *mode = ub_cli_plan_options.mode != NULL ? ub_cli_plan_options.mode
							     : UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY;

	if (g_strcmp0(mode, UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY) != 0 &&
	    g_strcmp0(mode, UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE) != 0 &&
	    g_strcmp0(mode, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD) != 0) {
		g_printerr("%s\n",
			   _("--mode takes download-only, firmware-upgrade or format-all-download "
			     "for a scatter package."));
		return UB_CLI_EXIT_USAGE;
	}
	if (ub_cli_plan_options.slot != NULL) {
		g_printerr("%s\n", _("--slot is for fastboot packages."));
		return UB_CLI_EXIT_USAGE;
	}
	if (ub_cli_edl_options.only != NULL) {
		only = g_strsplit(ub_cli_edl_options.only, ",", -1);
		for (guint i = 0; only[i] != NULL; i++)
			g_strstrip(only[i]);
		options.only_labels = (const gchar *const *)only;
	}
	plan = ub_package_plan_for_mode(package, mode, &options, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	ub_plan_set_allow_calibration(plan, ub_cli_plan_options.allow_calibration);
	ub_plan_set_backup_dir(plan, ub_cli_plan_options.backup_dir);
	if (ub_cli_plan_options.reboot)
		ub_plan_add_reboot(plan, UB_REBOOT_MODE_SYSTEM);
	if (!cli->json && !cli->quiet) {
		g_print("%s %s %s %s, %s %s, %u %s\n",
			_("Package:"),
			ub_package_format_to_string(ub_package_get_format(package)),
			_("for"),
			ub_package_get_platform(package) != NULL ? ub_package_get_platform(package)
								 : "?",
			_("storage"),
			ub_package_get_storage(package) != NULL ? ub_package_get_storage(package)
								: "?",
			ub_plan_get_ops(plan)->len,
			_("steps"));
		g_print("%s %s\n", _("Mode:"), mode);
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
	ub_cli_mtk_use_package_preloader(device, package);
	return ub_cli_finish_plan(cli, device, plan);
}

/* BROM identity and flags, as the engine reports them in the extras */
void
ub_cli_mtk_print_info(UbCli *cli, UbDevice *device)
{
	GHashTableIter iter;
	gpointer key;
	gpointer value;
	g_autoptr(GList) keys = NULL;
	if (cli->json || !UB_IS_MTK_DEVICE(device))
		return;
	g_hash_table_iter_init(&iter, ub_device_get_extra(device));
	while (g_hash_table_iter_next(&iter, &key, &value))
		keys = g_list_prepend(keys, key);
	keys = g_list_sort(keys, (GCompareFunc)g_strcmp0);
	for (GList *l = keys; l != NULL; l = l->next)
		g_print("  %-22s %s\n",
			(const gchar *)l->data,
			(const gchar *)g_hash_table_lookup(ub_device_get_extra(device), l->data));
	if (ub_cli_mtk_options.da == NULL)
		g_print("%s\n",
			_("Give the Download Agent with --da MTK_AllInOne_DA.bin to see the "
			  "storage and the partitions."));
}

/* the demo phone's storage folder: files only */
static void
ub_cli_mtk_remove_dir(const gchar *dir)
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

/* an eMMC phone as it left the factory with the older layout of the package,
 * prepared as the window's simulated MediaTek phone is */
static UbDevice *
ub_cli_mtk_demo_open(GError **error)
{
	g_autofree gchar *dir = g_dir_make_tmp("unbrick-mtk-demo-XXXXXX", error);
	g_autoptr(UbDevice) device = NULL;

	if (dir == NULL)
		return NULL;
	device = ub_sim_open_demo_device("mtk", dir, error);
	/* the phone keeps its files open */
	ub_cli_mtk_remove_dir(dir);
	return g_steal_pointer(&device);
}

/* every image and every calibration partition read back through the DA and compared */
static gboolean
ub_cli_mtk_demo_check(UbCli *cli, UbDevice *device, const gchar *dir, GError **error)
{
	const gchar *const *rows = ub_demo_package_get_scatter_rows();
	const gchar *const *calibration = ub_demo_package_get_scatter_calibration();
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_READBACK);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autofree gchar *outdir = g_build_filename(dir, "readback", NULL);

	if (g_mkdir_with_parents(outdir, 0700) != 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, _("cannot create %s"), outdir);
		return FALSE;
	}
	for (guint i = 0; rows[i] != NULL; i++) {
		/* the preloader lives in the boot areas behind its boot header;
		 * userdata is not is_upgradable: Firmware Upgrade keeps it */
		if (g_strcmp0(rows[i], "preloader") != 0 && g_strcmp0(rows[i], "userdata") != 0)
			g_ptr_array_add(names, (gpointer)rows[i]);
	}
	for (guint i = 0; calibration[i] != NULL; i++)
		g_ptr_array_add(names, (gpointer)calibration[i]);
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autofree gchar *file = g_strdup_printf("%s.img", name);
		g_autofree gchar *path = g_build_filename(outdir, file, NULL);
		ub_plan_add_read(plan, name, path);
	}
	if (!ub_cli_run_plan(cli, device, plan, error))
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autofree gchar *file = g_strdup_printf("%s.img", name);
		g_autofree gchar *path = g_build_filename(outdir, file, NULL);
		g_autofree gchar *got = NULL;
		g_autofree gchar *sum1 = NULL;
		g_autofree gchar *sum2 = NULL;
		g_autoptr(GBytes) want = NULL;
		gboolean is_calibration = g_strv_contains(calibration, name);
		gsize len = 0;
		if (!g_file_get_contents(path, &got, &len, error))
			return FALSE;
		want = is_calibration ? ub_sim_demo_make_calibration(name, len)
				      : ub_demo_package_make_scatter_image(name);
		if (len < g_bytes_get_size(want)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s read back %zu bytes, fewer than expected"),
				    name,
				    len);
			return FALSE;
		}
		sum1 = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, want);
		sum2 = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
						   (const guint8 *)got,
						   g_bytes_get_size(want));
		g_print("  %.16s…  %-10s %.16s…  %s\n",
			sum1,
			name,
			sum2,
			is_calibration ? _("on the phone, as before the upgrade") : _("on the phone"));
		if (g_strcmp0(sum1, sum2) != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    _("%s on the phone differs from %s"),
				    name,
				    is_calibration ? _("what it held before") : _("the package"));
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ub_cli_mtk_demo:
 * @cli: the CLI
 *
 * `unbrick-cli demo --kind mtk`: a generated eMMC scatter package flashed in
 * Firmware Upgrade mode into the simulated MediaTek phone in this process
 * (BootROM handshake, the demo DA, XFlash), whose older layout moves every
 * partition; calibration data survives byte for byte.
 */
gint
ub_cli_mtk_demo(UbCli *cli)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbDevice) device = NULL;
	g_autoptr(UbPlan) identify = ub_plan_new(UB_PLAN_KIND_IDENTIFY);
	g_autoptr(UbPlan) download_only = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(GFile) da = NULL;
	g_autofree gchar *dir = ub_demo_package_get_scatter_dir();
	g_autofree gchar *scatter = g_build_filename(dir, UB_DEMO_SCATTER_FILE, NULL);
	g_autofree gchar *da_path = g_build_filename(dir, UB_DEMO_MTK_DA_FILE, NULL);
	g_autofree gchar *backup_root = g_build_filename(dir, "backups", NULL);
	g_autofree gchar *backups = ub_backup_new_dir(backup_root, "demo");
	UbPackagePlanOptions options = {.verify = TRUE};

	g_print("== %s %s\n", _("Writing a demo MediaTek scatter package (SP Flash Tool style) to"), dir);
	if (!ub_demo_package_write_scatter(dir, &error))
		return ub_cli_fail(cli, error);
	package = ub_package_open(scatter, NULL, cli->cancellable, &error);
	if (package == NULL)
		return ub_cli_fail(cli, error);
	g_print("  %s %s, %s %s, %u %s, %s %s\n",
		ub_package_format_to_string(ub_package_get_format(package)),
		ub_package_get_platform(package),
		_("storage"),
		ub_package_get_storage(package),
		ub_package_get_partitions(package)->len,
		_("partitions"),
		_("Download Agent"),
		UB_DEMO_MTK_DA_FILE);

	g_print("== %s\n",
		_("Starting a simulated MediaTek phone in BootROM mode in this process, with an "
		  "older partition layout and its own calibration data"));
	device = ub_cli_mtk_demo_open(&error);
	if (device == NULL)
		return ub_cli_fail(cli, error);
	if (!UB_IS_MTK_DEVICE(device)) {
		g_set_error_literal(&error, UB_ERROR, UB_ERROR_INTERNAL, "not a MediaTek device");
		return ub_cli_fail(cli, error);
	}
	da = g_file_new_for_path(da_path);
	ub_mtk_device_set_da_file(UB_MTK_DEVICE(device), da);
	/* the DRAM settings for a DA started from BootROM, as SP Flash Tool takes them */
	ub_cli_mtk_use_package_preloader(device, package);

	g_print("== %s\n", _("Handshake, identification, Download Agent upload"));
	if (!ub_cli_run_plan(cli, device, identify, &error))
		return ub_cli_fail(cli, error);
	ub_cli_print_device(device);
	{
		g_autoptr(GPtrArray) parts = ub_device_get_partitions(device);
		ub_cli_print_partitions(parts);
	}

	g_print("== %s\n", _("Trying Download Only: the phone's layout is not the package's"));
	download_only = ub_package_plan_for_mode(package, "download-only", &options, &error);
	if (download_only == NULL)
		return ub_cli_fail(cli, error);
	if (ub_cli_run_plan(cli, device, download_only, &error)) {
		g_set_error_literal(&error, UB_ERROR, UB_ERROR_INTERNAL, "the layout check passed!");
		return ub_cli_fail(cli, error);
	}
	if (!g_error_matches(error, UB_ERROR, UB_ERROR_REFUSED))
		return ub_cli_fail(cli, error);
	g_print("  %s %s\n", _("Refused, as it must be:"), error->message);
	g_clear_error(&error);

	g_print("== %s\n",
		_("Firmware Upgrade: back up the calibration partitions, write the new layout "
		  "and the images, restore and compare the calibration data"));
	plan = ub_package_plan_for_mode(package, "firmware-upgrade", &options, &error);
	if (plan == NULL)
		return ub_cli_fail(cli, error);
	ub_plan_set_backup_dir(plan, backups);
	if (!ub_cli_run_plan(cli, device, plan, &error))
		return ub_cli_fail(cli, error);

	g_print("== %s\n", _("Reading everything back through the Download Agent and comparing"));
	if (!ub_cli_mtk_demo_check(cli, device, dir, &error))
		return ub_cli_fail(cli, error);
	{
		g_autoptr(GPtrArray) parts = ub_device_get_partitions(device);
		ub_cli_print_partitions(parts);
	}
	ub_device_close(device);
	g_print("== %s %s\n",
		_("Demo finished: the simulated MediaTek phone was caught in BootROM mode, "
		  "flashed from a scatter package in Firmware Upgrade mode and verified; its "
		  "calibration backups are in"),
		backups);
	return UB_CLI_EXIT_OK;
}
