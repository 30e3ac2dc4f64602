/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ub-text.h"

/* the engine reports enums and numbers only; this is where both front-ends
 * turn them into translated text */

/**
 * ub_text_status_to_text:
 * @status: a #UbStatus
 *
 * Returns: the translated text for a status the engine reported
 */
const gchar *
ub_text_status_to_text(UbStatus status)
{
	switch (status) {
	case UB_STATUS_IDLE:
		return _("Idle");
	case UB_STATUS_WAITING_FOR_DEVICE:
		/* TRANSLATORS: the phone is not connected yet */
		return _("Waiting for the phone");
	case UB_STATUS_CONNECTING:
		return _("Connecting");
	case UB_STATUS_IDENTIFYING:
		return _("Identifying");
	case UB_STATUS_CHECKING:
		return _("Checking");
	case UB_STATUS_BACKING_UP:
		return _("Backing up");
	case UB_STATUS_READING:
		return _("Reading");
	case UB_STATUS_WRITING:
		return _("Writing");
	case UB_STATUS_ERASING:
		return _("Erasing");
	case UB_STATUS_VERIFYING:
		return _("Verifying");
	case UB_STATUS_REBOOTING:
		return _("Rebooting");
	case UB_STATUS_BUSY:
	case UB_STATUS_LAST:
	default:
		return _("Working");
	}
}

/**
 * ub_text_mode_to_text:
 * @mode: a #UbDeviceMode
 *
 * Returns: the translated name of the mode a phone is in, as vendor tools say it
 */
const gchar *
ub_text_mode_to_text(UbDeviceMode mode)
{
	switch (mode) {
	case UB_DEVICE_MODE_EDL:
		/* TRANSLATORS: Qualcomm emergency download mode, USB id 05c6:9008 */
		return _("Qualcomm EDL 9008");
	case UB_DEVICE_MODE_MTK_BROM:
		return _("MediaTek BootROM");
	case UB_DEVICE_MODE_MTK_PRELOADER:
		return _("MediaTek preloader");
	case UB_DEVICE_MODE_MTK_DA:
		return _("MediaTek download agent");
	case UB_DEVICE_MODE_FASTBOOT:
		return _("Fastboot");
	case UB_DEVICE_MODE_FASTBOOTD:
		/* TRANSLATORS: fastboot in the recovery system */
		return _("Fastbootd");
	case UB_DEVICE_MODE_UNKNOWN:
	case UB_DEVICE_MODE_LAST:
	default:
		return _("Unknown mode");
	}
}

/**
 * ub_text_protocol_to_text:
 * @protocol: a #UbProtocol
 *
 * Returns: the translated name of a flashing protocol
 */
const gchar *
ub_text_protocol_to_text(UbProtocol protocol)
{
	switch (protocol) {
	case UB_PROTOCOL_EDL:
		/* TRANSLATORS: protocol name */
		return _("Qualcomm Sahara/Firehose");
	case UB_PROTOCOL_MTK:
		/* TRANSLATORS: protocol name */
		return _("MediaTek BootROM/DA");
	case UB_PROTOCOL_FASTBOOT:
		/* TRANSLATORS: protocol name */
		return _("Android fastboot");
	case UB_PROTOCOL_UNKNOWN:
	case UB_PROTOCOL_LAST:
	default:
		return _("Unknown");
	}
}

/**
 * ub_text_format_size:
 * @bytes: a size
 *
 * Returns: (transfer full): e.g. "64.0 MiB"
 */
gchar *
ub_text_format_size(guint64 bytes)
{
	return g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
}
