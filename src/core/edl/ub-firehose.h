/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-firehose-xml.h"
#include "ub-progress.h"
#include "ub-transport.h"

G_BEGIN_DECLS

/*
 * The host side of Firehose (the XML dialogue of the uploaded programmer) over
 * a UbTransport: USB (one document per transfer, ZLP rules of edl.md a.1) or a
 * byte stream (serial, TCP; documents split by UbFirehoseFramer). Blocking,
 * for worker threads. Every command waits for its <response>, collecting the
 * <log> lines before and after it (after: a short drain); a NAK fails with the
 * logs' last ERROR line in the message. Logs go to the progress's log.
 * Timeouts per command as in edl.md a.5.
 */

#define UB_TYPE_FIREHOSE (ub_firehose_get_type())
G_DECLARE_FINAL_TYPE(UbFirehose, ub_firehose, UB, FIREHOSE, GObject)

/**
 * UbFirehoseStorageInfo:
 * @total_blocks: sectors of the physical partition / LUN
 * @block_size: bytes per sector
 * @page_size: flash page size, 0 when not reported
 * @num_physical: physical partitions (LUNs)
 * @mem_type: "UFS", "eMMC"...
 * @prod_name: (nullable): the flash chip's product name
 */
typedef struct {
	guint64 total_blocks;
	guint32 block_size;
	guint32 page_size;
	guint num_physical;
	gchar *mem_type;
	gchar *prod_name;
} UbFirehoseStorageInfo;

void
ub_firehose_storage_info_clear(UbFirehoseStorageInfo *info);
/* parses the getstorageinfo log: JSON `{"storage_info": {...}}`, or the older
 * `key: value` lines; pure, for the fuzzer */
gboolean
ub_firehose_storage_info_parse(const gchar *const *logs,
			       UbFirehoseStorageInfo *info,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

UbFirehose *
ub_firehose_new(UbTransport *transport);
/* bytes already read from the transport (what Sahara read past its last packet) */
void
ub_firehose_push_pending(UbFirehose *self, GBytes *bytes);
void
ub_firehose_set_timeout_limit(UbFirehose *self, guint limit_ms);
/* where <log> lines and progress go during the next commands */
void
ub_firehose_set_progress(UbFirehose *self, UbProgress *progress);

/*
 * <configure>: asks for @memory_name ("emmc", "ufs", "nand", "spinor", "nvme")
 * and @payload bytes per raw packet (1 MiB; more on USB 3); on NAK with the
 * programmer's maximum it asks again with that, on ACK it adopts
 * MaxPayloadSizeToTargetInBytesSupported. Retries while the programmer is still
 * starting (no answer) for up to 5 s. A NAK naming the storage type ("Failed to
 * open the SDCC Device", "Not support configure MemoryName") fails with
 * UB_ERROR_NOT_SUPPORTED and says which type to try.
 */
gboolean
ub_firehose_configure(UbFirehose *self,
		      const gchar *memory_name,
		      guint32 payload,
		      GCancellable *cancellable,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint32
ub_firehose_get_max_payload(UbFirehose *self);
const gchar *
ub_firehose_get_memory_name(UbFirehose *self);
/* TargetName of the configure ACK, %NULL when not given */
const gchar *
ub_firehose_get_target_name(UbFirehose *self);
/* whether the startup banner listed @function ("erase", "getsha256digest");
 * TRUE when the programmer listed nothing */
gboolean
ub_firehose_supports(UbFirehose *self, const gchar *function);

gboolean
ub_firehose_nop(UbFirehose *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_firehose_get_storage_info(UbFirehose *self,
			     guint lun,
			     UbFirehoseStorageInfo *info,
			     GCancellable *cancellable,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * <program>: writes @num_sectors sectors at @start_sector (a number or an
 * expression the programmer evaluates, "NUM_DISK_SECTORS-5.") of @lun from
 * @stream, which gives @size bytes (<= num_sectors * sector_size; the last
 * sector is zero padded). Raw data goes in whole-sector pieces of the payload
 * size, the next piece read from @stream by a reader thread while the previous
 * one is on the wire. @progress gets bytes.
 */
gboolean
ub_firehose_program(UbFirehose *self,
		    guint32 sector_size,
		    guint lun,
		    const gchar *start_sector,
		    guint64 num_sectors,
		    GInputStream *stream,
		    guint64 size,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* <read>: streams @num_sectors sectors into @stream */
gboolean
ub_firehose_read(UbFirehose *self,
		 guint32 sector_size,
		 guint lun,
		 const gchar *start_sector,
		 guint64 num_sectors,
		 GOutputStream *stream,
		 UbProgress *progress,
		 GCancellable *cancellable,
		 GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* <erase>; @num_sectors 0 (and @start_sector NULL) erases the whole LUN */
gboolean
ub_firehose_erase(UbFirehose *self,
		  guint32 sector_size,
		  guint lun,
		  const gchar *start_sector,
		  guint64 num_sectors,
		  GCancellable *cancellable,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* <patch> from a patch entry's attribute string (ub_qcom_patch_entry_to_xml_attrs) */
gboolean
ub_firehose_patch(UbFirehose *self, const gchar *attrs, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_firehose_set_bootable(UbFirehose *self, guint lun, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* <power value="reset"|"off"|"reset_to_edl" DelayInSeconds=...> */
gboolean
ub_firehose_power(UbFirehose *self,
		  const gchar *value,
		  guint delay_s,
		  GCancellable *cancellable,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* <getsha256digest>: @hex gets the 64 hex digits of the device-side SHA-256 */
gboolean
ub_firehose_get_sha256(UbFirehose *self,
		       guint32 sector_size,
		       guint lun,
		       const gchar *start_sector,
		       guint64 num_sectors,
		       gchar **hex,
		       GCancellable *cancellable,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * Any other command: @tag with @attrs (`a="1" b="2"`, may be NULL); @response
 * gets the response element (ACK). For `unbrick-cli edl raw` and tests.
 */
gboolean
ub_firehose_command(UbFirehose *self,
		    const gchar *tag,
		    const gchar *attrs,
		    UbFirehoseElement **response,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
