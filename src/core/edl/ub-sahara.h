/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-progress.h"
#include "ub-sahara-proto.h"
#include "ub-transport.h"

G_BEGIN_DECLS

/*
 * The host side of Sahara over a UbTransport (USB: one packet per transfer;
 * serial/TCP: a byte stream; both handled). Blocking, for worker threads.
 * Timeouts as edl.md a.5: 1 s per packet once the exchange runs; the first
 * HELLO is waited for up to the session's hello timeout.
 */

#define UB_TYPE_SAHARA (ub_sahara_get_type())
G_DECLARE_FINAL_TYPE(UbSahara, ub_sahara, UB, SAHARA, GObject)

UbSahara *
ub_sahara_new(UbTransport *transport);
/* how long to wait for the device's first HELLO (default 5000 ms) */
void
ub_sahara_set_hello_timeout(UbSahara *self, guint timeout_ms);

/*
 * Waits for HELLO. Returns FALSE with UB_ERROR_NEEDS_REPLUG when nothing comes
 * (HELLO is sent once per power-up: "turn the phone off and enter EDL again").
 * When the first bytes are `<?xml` a Firehose programmer is already running:
 * @firehose_running is set and the bytes are kept for ub_sahara_steal_pending().
 */
gboolean
ub_sahara_wait_hello(UbSahara *self,
		     gboolean *firehose_running,
		     GCancellable *cancellable,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* the version the device's HELLO announced (after ub_sahara_wait_hello) */
guint32
ub_sahara_get_device_version(UbSahara *self);

/*
 * Command mode: HELLO_RESP(mode 3), CMD_READY, EXECUTE serial / HW ID / PK hash
 * (v1/v2) or 0x0a (v3, with serial and PK hash where still answered); items the
 * device refuses (END_OF_IMAGE status 0x01) are left unset, not errors. Ends
 * with SWITCH_MODE(image transfer) and waits for the new HELLO, so an upload
 * can follow. @info->msm_id is then looked up by ub_edl_chip_name().
 */
gboolean
ub_sahara_read_chip_info(UbSahara *self,
			 UbSaharaChipInfo *info,
			 GCancellable *cancellable,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Image transfer: HELLO_RESP(mode 0), then serves READ_DATA / READ_DATA64 for
 * image 13 from @programmer by offset (any size, never loaded whole), until
 * END_OF_IMAGE; a non-zero status fails with its text ("image authentication
 * failure: this programmer is not signed for this phone"); then DONE /
 * DONE_RESP. Out-of-range requests are refused with a clear error. @progress
 * gets bytes served of the image size.
 */
gboolean
ub_sahara_upload(UbSahara *self,
		 GFile *programmer,
		 UbProgress *progress,
		 GCancellable *cancellable,
		 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* RESET / RESET_RESP */
gboolean
ub_sahara_reset(UbSahara *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/* bytes read past the last packet (the start of Firehose output) */
GBytes *
ub_sahara_steal_pending(UbSahara *self);

/* data/edl-chips.json, compiled in as a GResource or table: "SM8150 (Snapdragon 855)";
 * %NULL when unknown */
const gchar *
ub_edl_chip_name(guint32 msm_id);

G_END_DECLS
