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

extern UbCliPlanOptions ub_cli_plan_options;
extern const GOptionEntry ub_cli_fastboot_entries[];

/* ub-cli.c */
gint
ub_cli_fail(UbCli *cli, GError *error);
void
ub_cli_print_json(JsonBuilder *b);
UbDevice *
ub_cli_open_device(UbCli *cli, GError **error);
gboolean
ub_cli_run_plan(UbCli *cli, UbDevice *device, UbPlan *plan, GError **error);
void
ub_cli_json_add_device(JsonBuilder *b, UbDevice *device);
void
ub_cli_print_partitions(GPtrArray *parts);
void
ub_cli_print_device(UbDevice *device);
gint
ub_cli_finish_plan(UbCli *cli, UbDevice *device, UbPlan *plan);

/* ub-cli-fastboot.c */
gint
ub_cli_download_package(UbCli *cli, const gchar *path);
gint
ub_cli_cmd_fastboot(UbCli *cli, gint argc, gchar **argv);
gint
ub_cli_cmd_demo(UbCli *cli, gint argc, gchar **argv);

G_END_DECLS
