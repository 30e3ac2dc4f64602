/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	UB_PROTOCOL_UNKNOWN,
	UB_PROTOCOL_EDL,
	UB_PROTOCOL_MTK,
	UB_PROTOCOL_FASTBOOT,
	UB_PROTOCOL_LAST
} UbProtocol;

typedef enum {
	UB_DEVICE_MODE_UNKNOWN,
	UB_DEVICE_MODE_EDL,	     /* Qualcomm 9008: Sahara then Firehose */
	UB_DEVICE_MODE_MTK_BROM,     /* MediaTek BootROM 0e8d:0003 */
	UB_DEVICE_MODE_MTK_PRELOADER, /* MediaTek preloader 0e8d:2000 */
	UB_DEVICE_MODE_MTK_DA,	     /* MediaTek Download Agent 0e8d:2001 */
	UB_DEVICE_MODE_FASTBOOT,     /* bootloader fastboot */
	UB_DEVICE_MODE_FASTBOOTD,    /* userspace fastbootd in recovery */
	UB_DEVICE_MODE_LAST
} UbDeviceMode;

/**
 * UbDeviceDbEntry:
 * @vid: USB vendor id, or 0 to match any vendor
 * @pid: USB product id, or 0 to match any product
 * @if_class: interface class, or -1 to ignore the interfaces
 * @if_subclass: interface subclass, or -1
 * @if_protocol: interface protocol, or -1
 * @mode: the mode the device is in
 * @name: what the vendor tools call it
 *
 * One row of the device table: the single source for probing, udev rules and
 * AppStream modaliases.
 */
typedef struct {
	guint16 vid;
	guint16 pid;
	gint if_class;
	gint if_subclass;
	gint if_protocol;
	UbDeviceMode mode;
	const gchar *name;
} UbDeviceDbEntry;

const gchar *
ub_protocol_to_string(UbProtocol protocol);
const gchar *
ub_device_mode_to_string(UbDeviceMode mode);
UbProtocol
ub_device_mode_get_protocol(UbDeviceMode mode);

const UbDeviceDbEntry *
ub_device_db_get_entries(gsize *n_entries);
const UbDeviceDbEntry *
ub_device_db_lookup(guint16 vid,
		    guint16 pid,
		    gint if_class,
		    gint if_subclass,
		    gint if_protocol);
const guint16 *
ub_device_db_get_fastboot_vendors(gsize *n_vendors);

G_END_DECLS
