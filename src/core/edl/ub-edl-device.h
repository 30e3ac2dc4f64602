/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-device.h"
#include "ub-firehose.h"
#include "ub-sahara-proto.h"

G_BEGIN_DECLS

/*
 * A Qualcomm phone in EDL (05c6:9008) as a UbDevice.
 *
 * open(): Sahara (command mode for the chip identity, then the programmer
 * upload), or straight to Firehose when a programmer is already running;
 * <configure>; <getstorageinfo> for every LUN (ub_device_add_region: "user",
 * "boot1", "boot2", "rpmb"... on eMMC; "lun0".."lunN" on UFS); the GPT of every
 * LUN is read, and list_partitions() returns them all (UbPartition region =
 * the LUN's region name, offsets in bytes).
 *
 * read/write/erase: by partition name (any LUN) or by region + byte offset +
 * length (whole sectors). write() detects an Android sparse stream by its
 * magic and sends one <program> per RAW/FILL chunk, skipping DONT_CARE.
 * command(): one raw Firehose command as "TAG attr=\"v\" ..." (how plans send
 * <patch> and <setbootablestoragedrive>). get_var("current-slot") and
 * set_active("a"|"b") use the A/B attribute bits of the GPT entries (boot_a /
 * boot_b...), rewritten on the device through <patch> commands with CRC32()
 * values for both GPT copies. reboot(): <power> reset / off / reset_to_edl.
 */

#define UB_TYPE_EDL_DEVICE (ub_edl_device_get_type())
G_DECLARE_FINAL_TYPE(UbEdlDevice, ub_edl_device, UB, EDL_DEVICE, UbDevice)

UbDevice *
ub_edl_device_new(UbTransport *transport);
/* the Firehose programmer (ELF/MBN) served over Sahara; without it open()
 * fails with UB_ERROR_INVALID_DATA ("this phone needs its Firehose programmer:
 * give it with --loader FILE") unless ub_edl_device_set_identify_only() was called */
void
ub_edl_device_set_programmer(UbEdlDevice *self, GFile *programmer);
/* "emmc", "ufs", "nand", "spinor", "nvme"; %NULL (default) tries ufs then emmc
 * as the programmer's errors suggest */
void
ub_edl_device_set_memory_name(UbEdlDevice *self, const gchar *memory_name);
/* open() stops after Sahara's command mode (chip identity, no programmer needed) */
void
ub_edl_device_set_identify_only(UbEdlDevice *self, gboolean identify_only);
/* how long open() waits for HELLO before it asks (<nop>) whether a programmer
 * left by an earlier session is running; 0: the default of 5 s */
void
ub_edl_device_set_hello_timeout(UbEdlDevice *self, guint timeout_ms);
void
ub_edl_device_set_timeout_limit(UbEdlDevice *self, guint limit_ms);
/* the payload size asked for in <configure> (default 1 MiB) */
void
ub_edl_device_set_payload_size(UbEdlDevice *self, guint32 payload);
const UbSaharaChipInfo *
ub_edl_device_get_chip_info(UbEdlDevice *self);
/* (nullable) the Firehose session after open() */
UbFirehose *
ub_edl_device_get_firehose(UbEdlDevice *self);

/* whether the programmer computes SHA-256 digests on the phone (<getsha256digest>),
 * so a verify can compare digests instead of reading the data back; the same is
 * reachable through ub_device_get_var(): "sha256:PARTITION" or
 * "sha256:REGION:OFFSET:LENGTH" (bytes, whole sectors) give the digest, and the
 * device extra "sha256-digest" is "yes" or "no" after open() */
gboolean
ub_edl_device_can_digest(UbEdlDevice *self);
/* the device-side SHA-256 of @loc (whole sectors; length 0: to the end), 64 hex digits */
gchar *
ub_edl_device_get_sha256(UbEdlDevice *self,
			 const UbDeviceLocation *loc,
			 GCancellable *cancellable,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Reads every partition of every LUN, and each LUN's primary and backup GPT
 * sectors, into @dir as images plus rawprogram<N>.xml per LUN (and an empty
 * patch<N>.xml) that this tool flashes back to identical storage.
 */
gboolean
ub_edl_device_read_flat_build(UbEdlDevice *self,
			      const gchar *dir,
			      UbProgress *progress,
			      GCancellable *cancellable,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
