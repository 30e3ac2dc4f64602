/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ub-core.h"

G_BEGIN_DECLS

#define UB_CLI_EXIT_OK	      0
#define UB_CLI_EXIT_FAILED    1
#define UB_CLI_EXIT_USAGE     2
#define UB_CLI_EXIT_CANCELLED 130

typedef struct {
	gchar *device;
	gchar *loader;	/* Qualcomm EDL: the Firehose programmer */
	gchar *storage; /* Qualcomm EDL: ufs, emmc... */
	gboolean identify_only; /* Qualcomm EDL: Sahara's identity is enough */
	gboolean json;
	gboolean verbose;
	gboolean quiet;
	GCancellable *cancellable;
	GMainLoop *loop;
	GAsyncResult *res;
} UbCli;

typedef gint (*UbCliCmdFunc)(UbCli *cli, gint argc, gchar **argv);

typedef struct {
	const gchar *name;
	UbCliCmdFunc func;
	const gchar *args;
	const gchar *summary;
	const gchar *example;
} UbCliCmd;

/* the options of download, readback, format and fastboot */
typedef struct {
	gchar *slot;
	gboolean no_verify;
	gboolean allow_calibration;
	gchar *backup_dir;
	gchar *output;
	gboolean reboot;
	gchar *mode;
	gboolean allow_lock;
	gboolean wipe;
} UbCliPlanOptions;

/* the options of the EDL-specific forms of readback, format and download */
typedef struct {
	gchar *only;
	gchar *partition;
	gint lun;
	gchar *start;
	gchar *count;
	gchar *all;
	gchar *set;
	gchar *kind;
} UbCliEdlOptions;

/* the MediaTek files and rows (readback/format by region + address) */
typedef struct {
	gchar *da;
	gchar *auth;
	gchar *cert;
	gchar *preloader;
	gchar *region;
	gchar *length;
	gboolean all_except_bootloader;
} UbCliMtkOptions;

extern UbCliPlanOptions ub_cli_plan_options;
extern UbCliMtkOptions ub_cli_mtk_options;
extern const GOptionEntry ub_cli_mtk_entries[];
extern const GOptionEntry ub_cli_mtk_range_entries[];
extern UbCliEdlOptions ub_cli_edl_options;
extern const GOptionEntry ub_cli_fastboot_entries[];
extern const GOptionEntry ub_cli_range_entries[];
extern const GOptionEntry ub_cli_only_entries[];
extern const GOptionEntry ub_cli_slot_entries[];
extern const GOptionEntry ub_cli_demo_entries[];

/* ub-cli.c */
gint
ub_cli_fail(UbCli *cli, GError *error);
void
ub_cli_print_json(JsonBuilder *b);
UbDevice *
ub_cli_open_device(UbCli *cli, GError **error);
gboolean
ub_cli_run_plan(UbCli *cli, UbDevice *device, UbPlan *plan, GError **error);
UbDevice *
ub_cli_open_identified(UbCli *cli, GError **error);
gboolean
ub_cli_parse_u64(const gchar *option,
		 const gchar *what,
		 const gchar *value,
		 guint64 *out,
		 GError **error);
JsonBuilder *
ub_cli_json_new_ok(void);
void
ub_cli_json_add_partitions(JsonBuilder *b, GPtrArray *parts, const gchar *region);
void
ub_cli_print_partitions(GPtrArray *parts);
void
ub_cli_print_device(UbDevice *device);
gint
ub_cli_finish_plan(UbCli *cli, UbDevice *device, UbPlan *plan);
gboolean
ub_cli_device_prepare(UbCli *cli, UbDevice *device, gboolean needs_programmer, GError **error);

/* ub-cli-fastboot.c */
gint
ub_cli_download_package(UbCli *cli, const gchar *path);
gint
ub_cli_cmd_fastboot(UbCli *cli, gint argc, gchar **argv);
gint
ub_cli_cmd_demo(UbCli *cli, gint argc, gchar **argv);

/* ub-cli-edl.c */
void
ub_cli_edl_options_free(void);
gint
ub_cli_edl_download_flat_build(UbCli *cli, UbPackage *package);
gint
ub_cli_edl_readback(UbCli *cli, gint argc, gchar **argv);
gint
ub_cli_edl_format(UbCli *cli, gint argc, gchar **argv);
gboolean
ub_cli_edl_wants_range(void);
void
ub_cli_edl_print_info(UbCli *cli, UbDevice *device);
gint
ub_cli_cmd_edl(UbCli *cli, gint argc, gchar **argv);
gint
ub_cli_cmd_backups(UbCli *cli, gint argc, gchar **argv);
gint
ub_cli_edl_demo(UbCli *cli);

/* ub-cli-mtk.c */
void
ub_cli_mtk_options_free(void);
gboolean
ub_cli_mtk_prepare(UbCli *cli, UbDevice *device, gboolean needs_da, GError **error);
gboolean
ub_cli_mtk_wants_range(void);
gboolean
ub_cli_mtk_has_files(void);
gint
ub_cli_mtk_readback(UbCli *cli, gint argc, gchar **argv);
gint
ub_cli_mtk_format(UbCli *cli, gint argc, gchar **argv);
gint
ub_cli_mtk_download_scatter(UbCli *cli, UbPackage *package);
void
ub_cli_mtk_print_info(UbCli *cli, UbDevice *device);
gint
ub_cli_mtk_demo(UbCli *cli);

G_END_DECLS
