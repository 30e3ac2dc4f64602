/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-device-db.h"

/* fastboot is recognised by its interface (ff/42/03) whatever the vendor; the
 * fastbootd row is told apart after connecting (getvar is-userspace) */
static const UbDeviceDbEntry ub_device_db_entries[] = {
    {0x05c6, 0x9008, -1, -1, -1, UB_DEVICE_MODE_EDL, "Qualcomm HS-USB QDLoader 9008"},
    {0x0e8d, 0x0003, -1, -1, -1, UB_DEVICE_MODE_MTK_BROM, "MediaTek USB Port (BROM)"},
    {0x0e8d, 0x2000, -1, -1, -1, UB_DEVICE_MODE_MTK_PRELOADER, "MediaTek PreLoader USB VCOM"},
    {0x0e8d, 0x2001, -1, -1, -1, UB_DEVICE_MODE_MTK_DA, "MediaTek DA USB VCOM"},
    {0x0000, 0x0000, 0xff, 0x42, 0x03, UB_DEVICE_MODE_FASTBOOT, "Android Bootloader Interface"},
};

/* vendors whose phones commonly appear in fastboot; used for udev rules, the
 * interface match above is what detection relies on */
static const guint16 ub_device_db_fastboot_vendors[] = {
    0x18d1, /* Google, and many others reuse it */
    0x2717, /* Xiaomi */
    0x05c6, /* Qualcomm reference */
    0x0e8d, /* MediaTek reference */
    0x22b8, /* Motorola */
    0x04e8, /* Samsung */
    0x2a70, /* OnePlus */
    0x12d1, /* Huawei */
    0x0bb4, /* HTC */
    0x1004, /* LG */
    0x0fce, /* Sony */
    0x2b4c, /* Nothing, Zuk */
    0x17ef, /* Lenovo */
    0x19d2, /* ZTE */
    0x1ebf, /* Coolpad */
    0x22d9, /* Oppo, Realme */
    0x2d95, /* Vivo */
};

const gchar *
ub_protocol_to_string(UbProtocol protocol)
{
	switch (protocol) {
	case UB_PROTOCOL_EDL:
		return "edl";
	case UB_PROTOCOL_MTK:
		return "mtk";
	case UB_PROTOCOL_FASTBOOT:
		return "fastboot";
	case UB_PROTOCOL_UNKNOWN:
	case UB_PROTOCOL_LAST:
	default:
		return "unknown";
	}
}

const gchar *
ub_device_mode_to_string(UbDeviceMode mode)
{
	switch (mode) {
	case UB_DEVICE_MODE_EDL:
		return "edl";
	case UB_DEVICE_MODE_MTK_BROM:
		return "mtk-brom";
	case UB_DEVICE_MODE_MTK_PRELOADER:
		return "mtk-preloader";
	case UB_DEVICE_MODE_MTK_DA:
		return "mtk-da";
	case UB_DEVICE_MODE_FASTBOOT:
		return "fastboot";
	case UB_DEVICE_MODE_FASTBOOTD:
		return "fastbootd";
	case UB_DEVICE_MODE_UNKNOWN:
	case UB_DEVICE_MODE_LAST:
	default:
		return "unknown";
	}
}

UbProtocol
ub_device_mode_get_protocol(UbDeviceMode mode)
{
	switch (mode) {
	case UB_DEVICE_MODE_EDL:
		return UB_PROTOCOL_EDL;
	case UB_DEVICE_MODE_MTK_BROM:
	case UB_DEVICE_MODE_MTK_PRELOADER:
	case UB_DEVICE_MODE_MTK_DA:
		return UB_PROTOCOL_MTK;
	case UB_DEVICE_MODE_FASTBOOT:
	case UB_DEVICE_MODE_FASTBOOTD:
		return UB_PROTOCOL_FASTBOOT;
	case UB_DEVICE_MODE_UNKNOWN:
	case UB_DEVICE_MODE_LAST:
	default:
		return UB_PROTOCOL_UNKNOWN;
	}
}

/**
 * ub_device_db_get_entries:
 * @n_entries: (out): number of entries
 *
 * Returns: the whole device table
 */
const UbDeviceDbEntry *
ub_device_db_get_entries(gsize *n_entries)
{
	*n_entries = G_N_ELEMENTS(ub_device_db_entries);
	return ub_device_db_entries;
}

const guint16 *
ub_device_db_get_fastboot_vendors(gsize *n_vendors)
{
	*n_vendors = G_N_ELEMENTS(ub_device_db_fastboot_vendors);
	return ub_device_db_fastboot_vendors;
}

/**
 * ub_device_db_lookup:
 * @vid: USB vendor id
 * @pid: USB product id
 * @if_class: class of one interface of the device, or -1
 * @if_subclass: its subclass, or -1
 * @if_protocol: its protocol, or -1
 *
 * Matches VID:PID rows first, then interface rows; call once per interface.
 *
 * Returns: (nullable): the matching entry
 */
const UbDeviceDbEntry *
ub_device_db_lookup(guint16 vid, guint16 pid, gint if_class, gint if_subclass, gint if_protocol)
{
	for (gsize i = 0; i < G_N_ELEMENTS(ub_device_db_entries); i++) {
		const UbDeviceDbEntry *e = &ub_device_db_entries[i];
		if (e->vid == 0 || e->vid != vid || e->pid != pid)
			continue;
		return e;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(ub_device_db_entries); i++) {
		const UbDeviceDbEntry *e = &ub_device_db_entries[i];
		if (e->if_class < 0 || e->vid != 0)
			continue;
		if (e->if_class == if_class && e->if_subclass == if_subclass &&
		    e->if_protocol == if_protocol)
			return e;
	}
	return NULL;
}
