/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbFastboot"

#include <string.h>

#include "formats/ub-gpt.h"
#include "formats/ub-sparse-reader.h"
#include "formats/ub-sparse-splitter.h"
#include "formats/ub-sparse-writer.h"
#include "ub-error.h"
#include "ub-fastboot-common.h"
#include "ub-fastboot-device.h"
#include "ub-fastboot-stream-view.h"
#include "ub-fastboot-wire.h"
#include "ub-read-ahead.h"

/* the default watchdog of one command: every INFO or TEXT line re-arms it */
#define UB_FASTBOOT_TIMEOUT_MS_DEFAULT 30000
/* payloads are read from the stream and written in pieces this large */
/* each write is 4 MiB: the USB transport splits it into 1 MiB transfers with
 * several in flight, while the reader thread fills the next buffer */
#define UB_FASTBOOT_CHUNK_SIZE (4 * 1024 * 1024)
/* the slowest storage we wait for while "flash" runs silently, bytes per second */
#define UB_FASTBOOT_WRITE_SPEED_MIN (2 * 1024 * 1024)
/* likewise for "erase" of a whole partition */
#define UB_FASTBOOT_ERASE_SPEED_MIN (64 * 1024 * 1024)
/* the largest download the protocol can express */
#define UB_FASTBOOT_DOWNLOAD_MAX G_MAXUINT32
/* chunks being read ahead while one is on the wire */
#define UB_FASTBOOT_READ_AHEAD 3
/* split pieces are never larger than this, whatever the device allows (AOSP RESPARSE_LIMIT) */
#define UB_FASTBOOT_RESPARSE_LIMIT (1024 * 1024 * 1024)
/* raw images are scanned into sparse layouts with this block size, as AOSP does */
#define UB_FASTBOOT_SPARSE_BLOCK_SIZE 4096
/* how long a reboot between bootloader and fastbootd may take */
#define UB_FASTBOOT_RECONNECT_TIMEOUT_MS 60000
/* "flashing unlock" and friends wait for the user to confirm on the phone */
#define UB_FASTBOOT_CONFIRM_TIMEOUT_MS (5 * 60 * 1000)

struct _UbFastbootDevice {
	UbDevice parent_instance;
	gboolean tcp;
	UbFastbootWire *wire;
	guint timeout_ms;
	guint64 max_download_size; /* 0 until known */
	guint64 max_fetch_size;	   /* 0 when the device has no limit or no fetch */
	UbProgress *progress;	   /* not owned: the running operation's, for INFO lines */
	gboolean reconnect_pending; /* rebooted into reconnect_mode: find it again when used */
	UbDeviceMode reconnect_mode;
	guint reconnect_timeout_ms;
};

G_DEFINE_TYPE(UbFastbootDevice, ub_fastboot_device, UB_TYPE_DEVICE)

static UbFastbootWire *
ub_fastboot_device_get_wire(UbFastbootDevice *self)
{
	if (self->wire == NULL) {
		UbTransport *transport = ub_device_get_transport(UB_DEVICE(self));
		self->wire = ub_fastboot_wire_new(transport, self->tcp);
	}
	return self->wire;
}

/* a silent "flash" of @size bytes may take this long */
static guint
ub_fastboot_device_timeout_for_bytes(UbFastbootDevice *self, guint64 size, guint64 speed)
{
	guint64 ms = self->timeout_ms + (size / speed) * 1000;
	return (guint)MIN(ms, (guint64)G_MAXUINT);
}

static void
ub_fastboot_device_log_line(UbFastbootDevice *self, const gchar *text)
{
	if (self->progress != NULL)
		ub_progress_log(self->progress, "(bootloader) %s", text);
	else
		g_debug("(bootloader) %s", text);
}

static gboolean
ub_fastboot_device_reconnect_now(UbFastbootDevice *self,
				 UbDeviceMode mode,
				 GCancellable *cancellable,
				 GError **error);

static gboolean
ub_fastboot_device_send(UbFastbootDevice *self,
			const gchar *command,
			GCancellable *cancellable,
			GError **error)
{
	if (!ub_fastboot_command_validate(command, error))
		return FALSE;
	/* the phone went to another mode with our last command: follow it now */
	if (self->reconnect_pending &&
	    !ub_fastboot_device_reconnect_now(self, self->reconnect_mode, cancellable, error))
		return FALSE;
	g_debug("> %s", command);
	if (!ub_fastboot_wire_write(ub_fastboot_device_get_wire(self),
				    (const guint8 *)command,
				    strlen(command),
				    self->timeout_ms,
				    cancellable,
				    error)) {
		g_prefix_error(error, "failed to send '%s': ", command);
		return FALSE;
	}
	return TRUE;
}

/*
 * Reads responses until OKAY, FAIL or DATA. The watchdog is @timeout_ms from
 * the last sign of life: INFO and TEXT re-arm it. With @info_lines the INFO
 * texts are collected too (getvar all). @data_size non-NULL means a DATA
 * response is expected; without it DATA is a protocol error and vice versa.
 */
static gboolean
ub_fastboot_device_read_response(UbFastbootDevice *self,
				 const gchar *command,
				 guint timeout_ms,
				 gchar **okay_text,
				 guint32 *data_size,
				 GPtrArray *info_lines,
				 GCancellable *cancellable,
				 GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;

	for (;;) {
		guint8 buf[UB_FASTBOOT_RESPONSE_MAX + 1] = {0};
		gint64 remaining = deadline - g_get_monotonic_time();
		UbFastbootResponseKind kind = UB_FASTBOOT_RESPONSE_LAST;
		guint32 size = 0;
		gssize n;
		g_autofree gchar *text = NULL;
		g_autoptr(GError) error_local = NULL;

		if (remaining <= 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_TIMED_OUT,
				    "device did not answer '%s' within %u ms",
				    command,
				    timeout_ms);
			return FALSE;
		}
		n = ub_fastboot_wire_read_packet(ub_fastboot_device_get_wire(self),
						 buf,
						 sizeof(buf),
						 (guint)MAX(remaining / G_TIME_SPAN_MILLISECOND, 1),
						 cancellable,
						 &error_local);
		if (n < 0) {
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT) ||
			    g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_TIMED_OUT,
					    "device did not answer '%s' within %u ms",
					    command,
					    timeout_ms);
				return FALSE;
			}
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "failed to read the answer to '%s': ",
						   command);
			return FALSE;
		}
		if (!ub_fastboot_response_parse(buf, (gsize)n, &kind, &text, &size, error)) {
			g_prefix_error(error, "invalid answer to '%s': ", command);
			return FALSE;
		}
		g_debug("< %s%s", ub_fastboot_response_kind_to_string(kind), text);
		switch (kind) {
		case UB_FASTBOOT_RESPONSE_INFO:
		case UB_FASTBOOT_RESPONSE_TEXT:
			if (info_lines != NULL && kind == UB_FASTBOOT_RESPONSE_INFO)
				g_ptr_array_add(info_lines, g_strdup(text));
			else
				ub_fastboot_device_log_line(self, text);
			deadline =
			    g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
			break;
		case UB_FASTBOOT_RESPONSE_FAIL:
			ub_fastboot_set_fail_error(error, text);
			return FALSE;
		case UB_FASTBOOT_RESPONSE_OKAY:
			if (data_size != NULL) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_PROTOCOL,
					    "device answered '%s' with OKAY instead of DATA",
					    command);
				return FALSE;
			}
			if (okay_text != NULL)
				*okay_text = g_steal_pointer(&text);
			return TRUE;
		case UB_FASTBOOT_RESPONSE_DATA:
			if (data_size == NULL) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_PROTOCOL,
					    "device answered '%s' with an unexpected DATA",
					    command);
				return FALSE;
			}
			*data_size = size;
			return TRUE;
		case UB_FASTBOOT_RESPONSE_LAST:
		default:
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INTERNAL,
				    "unhandled response kind %u",
				    (guint)kind);
			return FALSE;
		}
	}
}

static gboolean
ub_fastboot_device_transact(UbFastbootDevice *self,
			    const gchar *command,
			    guint timeout_ms,
			    gchar **okay_text,
			    GPtrArray *info_lines,
			    GCancellable *cancellable,
			    GError **error)
{
	if (!ub_fastboot_device_send(self, command, cancellable, error))
		return FALSE;
	return ub_fastboot_device_read_response(self,
						command,
						timeout_ms,
						okay_text,
						NULL,
						info_lines,
						cancellable,
						error);
}

/**
 * ub_fastboot_device_new:
 * @transport: a packet transport, or a byte stream when @tcp is %TRUE
 * @tcp: %TRUE for the fastboot TCP protocol (handshake and framing)
 *
 * Returns: (transfer full): a new fastboot engine
 */
UbDevice *
ub_fastboot_device_new(UbTransport *transport, gboolean tcp)
{
	UbFastbootDevice *self;
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), NULL);
	self = g_object_new(UB_TYPE_FASTBOOT_DEVICE,
			    "transport",
			    transport,
			    "mode",
			    UB_DEVICE_MODE_FASTBOOT,
			    NULL);
	self->tcp = tcp;
	return UB_DEVICE(self);
}

/**
 * ub_fastboot_device_set_timeout:
 * @self: a #UbFastbootDevice
 * @timeout_ms: the watchdog of one command, re-armed by every INFO line
 *
 * Writes and erases get this plus time proportional to their size.
 */
void
ub_fastboot_device_set_timeout(UbFastbootDevice *self, guint timeout_ms)
{
	g_return_if_fail(UB_IS_FASTBOOT_DEVICE(self));
	g_return_if_fail(timeout_ms > 0);
	self->timeout_ms = timeout_ms;
}

guint
ub_fastboot_device_get_timeout(UbFastbootDevice *self)
{
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), 0);
	return self->timeout_ms;
}

/**
 * ub_fastboot_device_get_max_download_size:
 * @self: a #UbFastbootDevice
 *
 * Returns: the device's max-download-size, or 0 when not known (yet)
 */
guint64
ub_fastboot_device_get_max_download_size(UbFastbootDevice *self)
{
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), 0);
	return self->max_download_size;
}

/**
 * ub_fastboot_device_set_reconnect_timeout:
 * @self: a #UbFastbootDevice
 * @timeout_ms: how long a switch between bootloader and fastbootd may take
 *   (default 60 s)
 */
void
ub_fastboot_device_set_reconnect_timeout(UbFastbootDevice *self, guint timeout_ms)
{
	g_return_if_fail(UB_IS_FASTBOOT_DEVICE(self));
	self->reconnect_timeout_ms = timeout_ms;
}

/**
 * ub_fastboot_device_command:
 * @self: a #UbFastbootDevice
 * @command: the wire command, at most 64 printable bytes
 * @okay_text: (out) (optional): the payload of OKAY
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Sends a command without a data phase. A FAIL answer is %UB_ERROR_REFUSED
 * with the device's text.
 *
 * Returns: %TRUE on OKAY
 */
gboolean
ub_fastboot_device_command(UbFastbootDevice *self,
			   const gchar *command,
			   gchar **okay_text,
			   GCancellable *cancellable,
			   GError **error)
{
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), FALSE);
	g_return_val_if_fail(command != NULL, FALSE);
	return ub_fastboot_device_transact(self,
					   command,
					   self->timeout_ms,
					   okay_text,
					   NULL,
					   cancellable,
					   error);
}

/**
 * ub_fastboot_device_getvar:
 * @self: a #UbFastbootDevice
 * @name: a variable, e.g. "product" or "partition-size:boot_a"
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the value, or %NULL (%UB_ERROR_REFUSED when the
 * device does not know the variable)
 */
gchar *
ub_fastboot_device_getvar(UbFastbootDevice *self,
			  const gchar *name,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autofree gchar *command = NULL;
	g_autofree gchar *value = NULL;
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), NULL);
	g_return_val_if_fail(name != NULL, NULL);
	command = g_strdup_printf("getvar:%s", name);
	if (!ub_fastboot_device_transact(self,
					 command,
					 self->timeout_ms,
					 &value,
					 NULL,
					 cancellable,
					 error))
		return NULL;
	return g_steal_pointer(&value);
}

/* a variable the device may not implement: NULL without error on FAIL */
static gboolean
ub_fastboot_device_getvar_optional(UbFastbootDevice *self,
				   const gchar *name,
				   gchar **value,
				   GCancellable *cancellable,
				   GError **error)
{
	g_autoptr(GError) error_local = NULL;
	*value = ub_fastboot_device_getvar(self, name, cancellable, &error_local);
	if (*value != NULL)
		return TRUE;
	if (g_error_matches(error_local, UB_ERROR, UB_ERROR_REFUSED)) {
		g_debug("ignoring: %s: %s", name, error_local->message);
		return TRUE;
	}
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

/**
 * ub_fastboot_device_getvar_all:
 * @self: a #UbFastbootDevice
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer container) (element-type utf8): the INFO lines of
 * "getvar:all", e.g. "partition-size:boot_a:0x4000000", in device order
 */
GPtrArray *
ub_fastboot_device_getvar_all(UbFastbootDevice *self, GCancellable *cancellable, GError **error)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), NULL);
	if (!ub_fastboot_device_transact(self,
					 "getvar:all",
					 self->timeout_ms,
					 NULL,
					 lines,
					 cancellable,
					 error))
		return NULL;
	return g_steal_pointer(&lines);
}

static gboolean
ub_fastboot_device_ensure_max_download_size(UbFastbootDevice *self,
					    GCancellable *cancellable,
					    GError **error)
{
	g_autofree gchar *value = NULL;
	g_autoptr(GError) error_local = NULL;
	if (self->max_download_size != 0)
		return TRUE;
	if (!ub_fastboot_device_getvar_optional(self,
						"max-download-size",
						&value,
						cancellable,
						error))
		return FALSE;
	if (value == NULL)
		return TRUE;
	if (!ub_fastboot_parse_size(value, FALSE, &self->max_download_size, &error_local)) {
		g_debug("ignoring max-download-size: %s", error_local->message);
		self->max_download_size = 0;
	}
	return TRUE;
}

/*
 * The data phase overlaps disk and wire (ub-read-ahead.c): up to
 * UB_FASTBOOT_READ_AHEAD chunks of the image are read while the oldest one is sent.
 */
static gboolean
ub_fastboot_device_send_payload(UbFastbootDevice *self,
				GInputStream *stream,
				guint64 size,
				UbProgress *progress,
				guint64 progress_base,
				guint64 progress_total,
				GCancellable *cancellable,
				GError **error)
{
	UbFastbootWire *wire = ub_fastboot_device_get_wire(self);
	g_autoptr(UbReadAhead) reader =
	    ub_read_ahead_new(stream, size, size, UB_FASTBOOT_CHUNK_SIZE, UB_FASTBOOT_READ_AHEAD);
	g_autoptr(GError) error_local = NULL;
	guint64 done = 0;

	while (TRUE) {
		const guint8 *data = NULL;
		gsize len = 0;
		UbReadAheadBuffer *buffer =
		    ub_read_ahead_next(reader, &data, &len, cancellable, &error_local);

		if (buffer == NULL)
			break;
		if (!ub_fastboot_wire_write(wire, data, len, self->timeout_ms, cancellable, error)) {
			g_prefix_error(error,
				       "failed to send data at %" G_GUINT64_FORMAT ": ",
				       done);
			return FALSE;
		}
		done += len;
		ub_read_ahead_release(reader, buffer);
		if (progress != NULL)
			ub_progress_set_bytes(progress, progress_base + done, progress_total);
	}
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}

/* download:%08x and the data phase; bytes go to @progress as @progress_base + done of
 * @progress_total */
static gboolean
ub_fastboot_device_download_at(UbFastbootDevice *self,
			       GInputStream *stream,
			       guint64 size,
			       UbProgress *progress,
			       guint64 progress_base,
			       guint64 progress_total,
			       GCancellable *cancellable,
			       GError **error)
{
	guint32 data_size = 0;
	g_autofree gchar *command = NULL;

	if (size == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "nothing to download");
		return FALSE;
	}
	if (size > UB_FASTBOOT_DOWNLOAD_MAX ||
	    (self->max_download_size != 0 && size > self->max_download_size)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%" G_GUINT64_FORMAT " bytes is more than the device's "
			    "max-download-size of %" G_GUINT64_FORMAT
			    " bytes: needs sparse splitting",
			    size,
			    self->max_download_size != 0 ? self->max_download_size
							 : (guint64)UB_FASTBOOT_DOWNLOAD_MAX);
		return FALSE;
	}

	command = g_strdup_printf("download:%08x", (guint)size);
	if (!ub_fastboot_device_send(self, command, cancellable, error))
		return FALSE;
	if (!ub_fastboot_device_read_response(self,
					      command,
					      self->timeout_ms,
					      NULL,
					      &data_size,
					      NULL,
					      cancellable,
					      error))
		return FALSE;
	if (data_size != size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "device asked for %u bytes instead of %" G_GUINT64_FORMAT,
			    data_size,
			    size);
		return FALSE;
	}

	/* data phase: 1 MiB writes, the next chunks read while one is on the wire */
	if (!ub_fastboot_device_send_payload(self,
					     stream,
					     size,
					     progress,
					     progress_base,
					     progress_total,
					     cancellable,
					     error))
		return FALSE;
	return ub_fastboot_device_read_response(self,
						command,
						self->timeout_ms,
						NULL,
						NULL,
						NULL,
						cancellable,
						error);
}

/**
 * ub_fastboot_device_download:
 * @self: a #UbFastbootDevice
 * @stream: the payload
 * @size: bytes to send from @stream, at most max-download-size
 * @progress: (nullable): a #UbProgress, for bytes
 * @cancellable: (nullable): a #GCancellable, checked between chunks
 * @error: (nullable): return location for a #GError
 *
 * Sends "download:%08x" and then @size bytes of @stream in 4 MiB writes.
 *
 * Returns: %TRUE when the device has accepted all of the data
 */
gboolean
ub_fastboot_device_download(UbFastbootDevice *self,
			    GInputStream *stream,
			    guint64 size,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error)
{
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), FALSE);
	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);
	return ub_fastboot_device_download_at(self,
					      stream,
					      size,
					      progress,
					      0,
					      size,
					      cancellable,
					      error);
}

/* the data phase of fetch/upload: exactly @size bytes into @stream */
static gboolean
ub_fastboot_device_receive(UbFastbootDevice *self,
			   guint64 size,
			   GOutputStream *stream,
			   UbProgress *progress,
			   guint64 progress_base,
			   guint64 progress_total,
			   GCancellable *cancellable,
			   GError **error)
{
	UbFastbootWire *wire = ub_fastboot_device_get_wire(self);
	guint64 done = 0;
	g_autofree guint8 *buf = g_malloc(UB_FASTBOOT_CHUNK_SIZE);

	while (done < size) {
		gsize want = (gsize)MIN((guint64)UB_FASTBOOT_CHUNK_SIZE, size - done);
		gssize n =
		    ub_fastboot_wire_read(wire, buf, want, self->timeout_ms, cancellable, error);
		if (n < 0) {
			g_prefix_error(error,
				       "failed to receive data at %" G_GUINT64_FORMAT
				       " of %" G_GUINT64_FORMAT ": ",
				       done,
				       size);
			return FALSE;
		}
		if (n == 0)
			continue;
		if (!g_output_stream_write_all(stream, buf, (gsize)n, NULL, cancellable, error)) {
			g_prefix_error(error, "failed to store data: ");
			return FALSE;
		}
		done += (guint64)n;
		if (progress != NULL)
			ub_progress_set_bytes(progress, progress_base + done, progress_total);
	}
	return TRUE;
}

/* sends @command, expects DATA (of @expected bytes unless 0) and receives it */
static gboolean
ub_fastboot_device_fetch_piece(UbFastbootDevice *self,
			       const gchar *command,
			       guint64 expected,
			       guint64 limit,
			       GOutputStream *stream,
			       UbProgress *progress,
			       guint64 progress_base,
			       guint64 progress_total,
			       guint64 *received,
			       GCancellable *cancellable,
			       GError **error)
{
	guint32 data_size = 0;
	if (!ub_fastboot_device_send(self, command, cancellable, error))
		return FALSE;
	if (!ub_fastboot_device_read_response(self,
					      command,
					      self->timeout_ms,
					      NULL,
					      &data_size,
					      NULL,
					      cancellable,
					      error))
		return FALSE;
	if (expected != 0 && data_size != expected) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "device offered %u bytes instead of %" G_GUINT64_FORMAT,
			    data_size,
			    expected);
		return FALSE;
	}
	if (limit != 0 && data_size > limit) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "device offered %u bytes, more than the %" G_GUINT64_FORMAT
			    " bytes of the partition",
			    data_size,
			    limit);
		return FALSE;
	}
	if (!ub_fastboot_device_receive(self,
					data_size,
					stream,
					progress,
					progress_base,
					progress_total,
					cancellable,
					error))
		return FALSE;
	if (received != NULL)
		*received = data_size;
	return ub_fastboot_device_read_response(self,
						command,
						self->timeout_ms,
						NULL,
						NULL,
						NULL,
						cancellable,
						error);
}

/**
 * ub_fastboot_device_upload:
 * @self: a #UbFastbootDevice
 * @stream: where the staged data goes
 * @progress: (nullable): a #UbProgress, for bytes
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Receives what the previous command staged ("upload"), where the
 * bootloader supports it.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_fastboot_device_upload(UbFastbootDevice *self,
			  GOutputStream *stream,
			  UbProgress *progress,
			  GCancellable *cancellable,
			  GError **error)
{
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), FALSE);
	g_return_val_if_fail(G_IS_OUTPUT_STREAM(stream), FALSE);
	return ub_fastboot_device_fetch_piece(self,
					      "upload",
					      0,
					      0,
					      stream,
					      progress,
					      0,
					      0,
					      NULL,
					      cancellable,
					      error);
}

/* partition-size:NAME, or 0 when the device does not say */
static gboolean
ub_fastboot_device_get_partition_size(UbFastbootDevice *self,
				      const gchar *name,
				      guint64 *size,
				      GCancellable *cancellable,
				      GError **error)
{
	g_autofree gchar *var = g_strdup_printf("partition-size:%s", name);
	g_autofree gchar *value = NULL;
	g_autoptr(GError) error_local = NULL;
	*size = 0;
	if (!ub_fastboot_device_getvar_optional(self, var, &value, cancellable, error))
		return FALSE;
	if (value == NULL)
		return TRUE;
	if (!ub_fastboot_parse_size(value, TRUE, size, &error_local)) {
		g_debug("ignoring %s: %s", var, error_local->message);
		*size = 0;
	}
	return TRUE;
}

static gboolean
ub_fastboot_device_check_location(const UbDeviceLocation *loc, gboolean ranges, GError **error)
{
	if (loc->partition == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "fastboot addresses storage by partition name only");
		return FALSE;
	}
	if (!ranges && (loc->offset != 0 || loc->length != 0)) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "fastboot acts on whole partitions only");
		return FALSE;
	}
	return ub_fastboot_partition_name_validate(loc->partition, error);
}

static gboolean
ub_fastboot_device_open(UbDevice *device,
			UbProgress *progress,
			GCancellable *cancellable,
			GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);

	/* a fresh connection starts with no frame half read */
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	self->max_download_size = 0;
	self->reconnect_pending = FALSE;
	if (!ub_fastboot_wire_handshake(ub_fastboot_device_get_wire(self),
					TRUE,
					self->timeout_ms,
					cancellable,
					error))
		return FALSE;
	return TRUE;
}

static gboolean
ub_fastboot_device_identify(UbDevice *device, GCancellable *cancellable, GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	g_autofree gchar *product = NULL;
	g_autofree gchar *userspace = NULL;
	g_autofree gchar *fetch_size = NULL;
	struct {
		const gchar *var;
		const gchar *extra;
	} optional[] = {
	    {"serialno", NULL},
	    {"version-bootloader", "version-bootloader"},
	    {"max-download-size", "max-download-size"},
	    {"current-slot", "current-slot"},
	    {"slot-count", "slot-count"},
	    {"secure", "secure"},
	    {"unlocked", "unlocked"},
	};

	product = ub_fastboot_device_getvar(self, "product", cancellable, error);
	if (product == NULL)
		return FALSE;
	ub_device_set_chip(device, product);
	ub_device_set_product(device, product);

	for (guint i = 0; i < G_N_ELEMENTS(optional); i++) {
		g_autofree gchar *value = NULL;
		if (!ub_fastboot_device_getvar_optional(self,
							optional[i].var,
							&value,
							cancellable,
							error))
			return FALSE;
		if (value == NULL || value[0] == '\0')
			continue;
		if (g_strcmp0(optional[i].var, "serialno") == 0) {
			ub_device_set_serial(device, value);
			continue;
		}
		if (g_strcmp0(optional[i].var, "max-download-size") == 0) {
			g_autoptr(GError) error_local = NULL;
			guint64 sz = 0;
			if (!ub_fastboot_parse_size(value, FALSE, &sz, &error_local)) {
				g_debug("ignoring max-download-size: %s", error_local->message);
				continue;
			}
			self->max_download_size = sz;
		}
		/* some bootloaders say "_a" */
		if (g_strcmp0(optional[i].var, "current-slot") == 0 && value[0] == '_')
			memmove(value, value + 1, strlen(value));
		ub_device_set_extra(device, optional[i].extra, value);
	}

	/* bootloaders answer FAIL or "no"; only fastbootd says yes */
	if (!ub_fastboot_device_getvar_optional(self,
						"is-userspace",
						&userspace,
						cancellable,
						error))
		return FALSE;
	ub_device_set_mode(device,
			   g_strcmp0(userspace, "yes") == 0 ? UB_DEVICE_MODE_FASTBOOTD
							    : UB_DEVICE_MODE_FASTBOOT);
	ub_device_set_extra(device,
			    "is-userspace",
			    g_strcmp0(userspace, "yes") == 0 ? "yes" : "no");
	ub_device_set_extra(device,
			    "fastboot-mode",
			    g_strcmp0(userspace, "yes") == 0 ? "fastbootd" : "bootloader");

	if (!ub_fastboot_device_getvar_optional(self,
						"max-fetch-size",
						&fetch_size,
						cancellable,
						error))
		return FALSE;
	self->max_fetch_size = 0;
	if (fetch_size != NULL) {
		g_autoptr(GError) error_local = NULL;
		if (!ub_fastboot_parse_size(fetch_size, FALSE, &self->max_fetch_size, &error_local))
			g_debug("ignoring max-fetch-size: %s", error_local->message);
	}
	return TRUE;
}

static GPtrArray *
ub_fastboot_device_list_partitions(UbDevice *device, GCancellable *cancellable, GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	g_autoptr(GPtrArray) lines = ub_fastboot_device_getvar_all(self, cancellable, error);
	if (lines == NULL)
		return NULL;
	return ub_fastboot_var_lines_to_partitions(lines);
}

/*
 * Whether @name lives in super. fastbootd says so (is-logical:NAME); bootloaders
 * answer FAIL or "no" for every name, so there a dynamic name the bootloader
 * does not know, on a phone with a super partition, counts as logical too.
 */
static gboolean
ub_fastboot_device_is_logical(UbFastbootDevice *self,
			      const gchar *name,
			      gboolean *logical,
			      GCancellable *cancellable,
			      GError **error)
{
	g_autofree gchar *var = g_strdup_printf("is-logical:%s", name);
	g_autofree gchar *value = NULL;
	guint64 size = 0;

	*logical = FALSE;
	if (!ub_fastboot_device_getvar_optional(self, var, &value, cancellable, error))
		return FALSE;
	if (g_strcmp0(value, "yes") == 0) {
		*logical = TRUE;
		return TRUE;
	}
	if (ub_device_get_mode(UB_DEVICE(self)) == UB_DEVICE_MODE_FASTBOOTD ||
	    !ub_partition_name_is_dynamic(name))
		return TRUE;
	if (!ub_fastboot_device_get_partition_size(self, name, &size, cancellable, error))
		return FALSE;
	if (size != 0)
		return TRUE;
	if (!ub_fastboot_device_get_partition_size(self, "super", &size, cancellable, error))
		return FALSE;
	*logical = size != 0;
	return TRUE;
}

/* the phone rebooted on its own command: the next use finds it in @mode */
static void
ub_fastboot_device_expect_reconnect(UbFastbootDevice *self, UbDeviceMode mode)
{
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	if (mode != UB_DEVICE_MODE_FASTBOOT && mode != UB_DEVICE_MODE_FASTBOOTD)
		return;
	self->reconnect_pending = TRUE;
	self->reconnect_mode = mode;
}

/* a command that makes the phone leave: its OKAY may never arrive */
static gboolean
ub_fastboot_device_transact_leaving(UbFastbootDevice *self,
				    const gchar *command,
				    GPtrArray *info_lines,
				    gchar **okay_text,
				    GCancellable *cancellable,
				    GError **error)
{
	g_autoptr(GError) error_local = NULL;
	if (ub_fastboot_device_transact(self,
					command,
					self->timeout_ms,
					okay_text,
					info_lines,
					cancellable,
					&error_local))
		return TRUE;
	if (g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE)) {
		g_debug("ignoring: %s", error_local->message);
		return TRUE;
	}
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

static gboolean
ub_fastboot_device_reconnect_now(UbFastbootDevice *self,
				 UbDeviceMode mode,
				 GCancellable *cancellable,
				 GError **error)
{
	UbDevice *device = UB_DEVICE(self);
	g_autoptr(UbProgress) progress = ub_progress_new();
	const gchar *userspace;

	self->reconnect_pending = FALSE;
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	if (!ub_device_reconnect(device, mode, self->reconnect_timeout_ms, cancellable, error))
		return FALSE;
	if (!ub_device_open(device, progress, cancellable, error))
		return FALSE;
	if (!ub_device_identify(device, cancellable, error))
		return FALSE;
	userspace = g_hash_table_lookup(ub_device_get_extra(device), "is-userspace");
	if (mode == UB_DEVICE_MODE_FASTBOOTD && g_strcmp0(userspace, "yes") != 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the phone came back in the bootloader instead of fastbootd "
				    "(is-userspace is not yes): its recovery may have no fastbootd "
				    "or be unbootable; flash the stock recovery/boot image first");
		return FALSE;
	}
	if (mode == UB_DEVICE_MODE_FASTBOOT && g_strcmp0(userspace, "yes") == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the phone came back in fastbootd instead of the bootloader");
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_fastboot_device_switch_mode:
 * @self: a #UbFastbootDevice
 * @mode: %UB_DEVICE_MODE_FASTBOOT (bootloader) or %UB_DEVICE_MODE_FASTBOOTD
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Reboots between the bootloader and fastbootd when the phone is not already
 * in @mode ("reboot-fastboot" / "reboot-bootloader"), waits for it to come
 * back through the device's reconnect hook, handshakes and identifies again
 * (the variables, max-download-size included, differ between the two) and
 * checks is-userspace.
 *
 * Returns: %TRUE once the phone answers in @mode
 */
gboolean
ub_fastboot_device_switch_mode(UbFastbootDevice *self,
			       UbDeviceMode mode,
			       GCancellable *cancellable,
			       GError **error)
{
	UbDevice *device = UB_DEVICE(self);
	const gchar *command;

	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), FALSE);
	if (mode != UB_DEVICE_MODE_FASTBOOT && mode != UB_DEVICE_MODE_FASTBOOTD) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "fastboot cannot switch to %s mode",
			    ub_device_mode_to_string(mode));
		return FALSE;
	}
	if (self->reconnect_pending &&
	    !ub_fastboot_device_reconnect_now(self, self->reconnect_mode, cancellable, error))
		return FALSE;
	if (ub_device_get_mode(device) == mode)
		return TRUE;
	command = mode == UB_DEVICE_MODE_FASTBOOTD ? "reboot-fastboot" : "reboot-bootloader";
	if (self->progress != NULL)
		ub_progress_log(self->progress,
				"rebooting into %s",
				mode == UB_DEVICE_MODE_FASTBOOTD ? "fastbootd" : "the bootloader");
	if (!ub_fastboot_device_transact_leaving(self, command, NULL, NULL, cancellable, error))
		return FALSE;
	if (!ub_fastboot_device_reconnect_now(self, mode, cancellable, error)) {
		g_prefix_error(error,
			       "failed to switch to %s: ",
			       mode == UB_DEVICE_MODE_FASTBOOTD ? "fastbootd" : "the bootloader");
		return FALSE;
	}
	return TRUE;
}

/* reads the first bytes of the image: is it an Android sparse file, and how big expanded */
static gboolean
ub_fastboot_image_probe(GInputStream *stream,
			gboolean *sparse,
			guint64 *expanded,
			GCancellable *cancellable,
			GError **error)
{
	guint8 buf[UB_SPARSE_HEADER_SIZE] = {0};
	gsize got = 0;
	UbSparseHeader hdr = {0};
	g_autoptr(GError) error_local = NULL;

	*sparse = FALSE;
	if (!g_input_stream_read_all(stream, buf, sizeof(buf), &got, cancellable, error)) {
		g_prefix_error(error, "failed to read image: ");
		return FALSE;
	}
	if (!ub_sparse_is_sparse(buf, got))
		return TRUE;
	if (!ub_sparse_header_parse(buf, got, &hdr, &error_local)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "image has the sparse magic but %s",
			    error_local->message);
		return FALSE;
	}
	*sparse = TRUE;
	*expanded = (guint64)hdr.total_blks * hdr.blk_sz;
	return TRUE;
}

/* one download:%08x + flash:NAME */
static gboolean
ub_fastboot_device_flash_piece(UbFastbootDevice *self,
			       const gchar *command,
			       GInputStream *stream,
			       guint64 size,
			       UbProgress *progress,
			       GCancellable *cancellable,
			       GError **error)
{
	if (!ub_fastboot_device_download_at(self, stream, size, progress, 0, size, cancellable, error))
		return FALSE;
	return ub_fastboot_device_transact(
	    self,
	    command,
	    ub_fastboot_device_timeout_for_bytes(self, size, UB_FASTBOOT_WRITE_SPEED_MIN),
	    NULL,
	    NULL,
	    cancellable,
	    error);
}

static gboolean
ub_fastboot_device_flash_split(UbFastbootDevice *self,
			       const gchar *name,
			       const gchar *command,
			       gboolean sparse,
			       guint64 limit,
			       UbFastbootOpenFunc open_func,
			       gpointer user_data,
			       UbProgress *progress,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(GInputStream) scan_stream = NULL;
	g_autoptr(UbSparseImage) layout = NULL;
	g_autoptr(UbSparseSplitter) splitter = NULL;
	guint64 total = 0;
	guint64 base = 0;
	guint n_pieces;

	/* the layout: sparse files are read header by header, raw images block by block */
	scan_stream = open_func(user_data, cancellable, error);
	if (scan_stream == NULL)
		return FALSE;
	if (sparse) {
		layout = ub_sparse_reader_scan(scan_stream,
					       UB_SPARSE_PARSE_FLAG_NONE,
					       cancellable,
					       error);
	} else {
		layout = ub_sparse_writer_scan_raw(scan_stream,
						   UB_FASTBOOT_SPARSE_BLOCK_SIZE,
						   UB_SPARSE_WRITER_FLAG_NONE,
						   cancellable,
						   error);
	}
	if (layout == NULL) {
		g_prefix_error(error, "failed to scan the image for splitting: ");
		return FALSE;
	}
	if (!g_input_stream_close(scan_stream, cancellable, error))
		return FALSE;
	splitter = ub_sparse_splitter_new(layout, MIN(limit, UB_FASTBOOT_RESPARSE_LIMIT), error);
	if (splitter == NULL)
		return FALSE;
	n_pieces = ub_sparse_splitter_get_n_pieces(splitter);
	for (guint i = 0; i < n_pieces; i++)
		total += ub_sparse_splitter_get_piece_size(splitter, i);
	ub_progress_step_done(progress);

	for (guint i = 0; i < n_pieces; i++) {
		guint64 piece_size = ub_sparse_splitter_get_piece_size(splitter, i);
		g_autoptr(GInputStream) source = NULL;
		g_autoptr(GInputStream) piece = NULL;

		ub_progress_log(progress,
				"sending sparse '%s' %u/%u (%" G_GUINT64_FORMAT " KiB)",
				name,
				i + 1,
				n_pieces,
				piece_size / 1024);
		source = open_func(user_data, cancellable, error);
		if (source == NULL)
			return FALSE;
		piece = ub_sparse_splitter_open_piece(splitter, i, source, error);
		if (piece == NULL)
			return FALSE;
		if (!ub_fastboot_device_download_at(self,
						    piece,
						    piece_size,
						    ub_progress_get_child(progress),
						    base,
						    total,
						    cancellable,
						    error)) {
			g_prefix_error(error, "piece %u of %u: ", i + 1, n_pieces);
			return FALSE;
		}
		base += piece_size;
		if (!ub_fastboot_device_transact(
			self,
			command,
			ub_fastboot_device_timeout_for_bytes(self,
							     piece_size,
							     UB_FASTBOOT_WRITE_SPEED_MIN),
			NULL,
			NULL,
			cancellable,
			error)) {
			g_prefix_error(error, "piece %u of %u: ", i + 1, n_pieces);
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * flash:NAME of an image given either as a stream read once (@stream, only
 * when it fits one download) or as @open_func, which opens it afresh for the
 * probe, the layout scan and every split piece.
 */
static gboolean
ub_fastboot_device_write_partition(UbFastbootDevice *self,
				   const gchar *name,
				   GInputStream *stream,
				   UbFastbootOpenFunc open_func,
				   gpointer user_data,
				   guint64 size,
				   UbProgress *progress,
				   GCancellable *cancellable,
				   GError **error)
{
	guint64 part_size = 0;
	guint64 expanded = size;
	guint64 limit;
	gboolean sparse = FALSE;
	gboolean logical = FALSE;
	g_autofree gchar *command = g_strdup_printf("flash:%s", name);

	/* checks, before anything reaches the device */
	if (!ub_fastboot_command_validate(command, error))
		return FALSE;
	if (size == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "the image is empty");
		return FALSE;
	}
	if (!ub_fastboot_device_is_logical(self, name, &logical, cancellable, error))
		return FALSE;
	if (logical && ub_device_get_mode(UB_DEVICE(self)) != UB_DEVICE_MODE_FASTBOOTD) {
		ub_progress_log(progress,
				"%s is a logical partition in super: it is flashed from fastbootd",
				name);
		if (!ub_fastboot_device_switch_mode(self,
						    UB_DEVICE_MODE_FASTBOOTD,
						    cancellable,
						    error))
			return FALSE;
	}
	if (!ub_fastboot_device_ensure_max_download_size(self, cancellable, error))
		return FALSE;
	if (open_func != NULL) {
		g_autoptr(GInputStream) probe = open_func(user_data, cancellable, error);
		if (probe == NULL)
			return FALSE;
		if (!ub_fastboot_image_probe(probe, &sparse, &expanded, cancellable, error))
			return FALSE;
		if (!g_input_stream_close(probe, cancellable, error))
			return FALSE;
	}
	if (!ub_fastboot_device_get_partition_size(self, name, &part_size, cancellable, error))
		return FALSE;
	if (part_size == 0 && !logical) {
		g_autofree gchar *var = g_strdup_printf("has-slot:%s", name);
		g_autofree gchar *has_slot = NULL;
		if (!ub_fastboot_device_getvar_optional(self, var, &has_slot, cancellable, error))
			return FALSE;
		if (g_strcmp0(has_slot, "yes") == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "partition %s has A/B slots: flash %s_a or %s_b",
				    name,
				    name,
				    name);
			return FALSE;
		}
	}
	if (logical) {
		/* what AOSP does before every flash of a logical partition */
		g_autofree gchar *resize = g_strdup_printf("resize-logical-partition:%s:%" G_GUINT64_FORMAT,
							   name,
							   expanded);
		if (!ub_fastboot_device_transact(self,
						 resize,
						 self->timeout_ms,
						 NULL,
						 NULL,
						 cancellable,
						 error))
			return FALSE;
	} else if (part_size != 0 && expanded > part_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "image of %" G_GUINT64_FORMAT " bytes is larger than partition %s "
			    "of %" G_GUINT64_FORMAT " bytes",
			    expanded,
			    name,
			    part_size);
		return FALSE;
	}

	/* one download when it fits, else sparse pieces as libsparse cuts them */
	limit = self->max_download_size != 0 ? self->max_download_size
					     : (guint64)UB_FASTBOOT_DOWNLOAD_MAX;
	limit = MIN(limit, (guint64)UB_FASTBOOT_DOWNLOAD_MAX);
	if (size > limit) {
		if (open_func == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "image of %" G_GUINT64_FORMAT " bytes is larger than the "
				    "device's max-download-size of %" G_GUINT64_FORMAT
				    " bytes and needs sparse splitting, which reads it more than "
				    "once: give a file, not a stream",
				    size,
				    limit);
			return FALSE;
		}
		return ub_fastboot_device_flash_split(self,
						      name,
						      command,
						      sparse,
						      limit,
						      open_func,
						      user_data,
						      progress,
						      cancellable,
						      error);
	}
	ub_progress_step_done(progress);
	if (open_func != NULL) {
		g_autoptr(GInputStream) whole = open_func(user_data, cancellable, error);
		if (whole == NULL)
			return FALSE;
		return ub_fastboot_device_flash_piece(self,
						      command,
						      whole,
						      size,
						      ub_progress_get_child(progress),
						      cancellable,
						      error);
	}
	return ub_fastboot_device_flash_piece(self,
					      command,
					      stream,
					      size,
					      ub_progress_get_child(progress),
					      cancellable,
					      error);
}

static gboolean
ub_fastboot_device_flash_with_progress(UbFastbootDevice *self,
				       const gchar *name,
				       GInputStream *stream,
				       UbFastbootOpenFunc open_func,
				       gpointer user_data,
				       guint64 size,
				       UbProgress *progress,
				       GCancellable *cancellable,
				       GError **error)
{
	g_autoptr(UbProgress) progress_local = NULL;
	gboolean ret;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	ub_progress_add_step(progress, UB_STATUS_CHECKING, 2, name);
	ub_progress_add_step(progress, UB_STATUS_WRITING, 98, name);
	self->progress = progress;
	ret = ub_fastboot_device_write_partition(self,
						 name,
						 stream,
						 open_func,
						 user_data,
						 size,
						 progress,
						 cancellable,
						 error);
	self->progress = NULL;
	if (ret)
		ub_progress_finished(progress);
	return ret;
}

/**
 * ub_fastboot_device_flash:
 * @self: a #UbFastbootDevice
 * @partition: the partition, slot suffix included ("system_a")
 * @open_func: opens the image from its first byte; called several times when
 *   the image needs splitting (probe, layout scan, one call per piece)
 * @user_data: data for @open_func
 * @size: the image size in bytes
 * @progress: (nullable): a #UbProgress
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Flashes an image of any size: one download when it fits max-download-size,
 * else pieces cut as libsparse does (a raw image is scanned into a sparse
 * layout first; a sparse image stays sparse, never expanded here). A logical
 * partition on a phone in the bootloader is flashed after switching to
 * fastbootd, resized to the image first as AOSP does. Use this for sources
 * that can be opened again but not seeked (archive members);
 * ub_device_write() does the same from any seekable stream.
 *
 * Returns: %TRUE when every piece was written
 */
gboolean
ub_fastboot_device_flash(UbFastbootDevice *self,
			 const gchar *partition,
			 UbFastbootOpenFunc open_func,
			 gpointer user_data,
			 guint64 size,
			 UbProgress *progress,
			 GCancellable *cancellable,
			 GError **error)
{
	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), FALSE);
	g_return_val_if_fail(open_func != NULL, FALSE);
	if (!ub_fastboot_partition_name_validate(partition, error))
		return FALSE;
	return ub_fastboot_device_flash_with_progress(self,
						      partition,
						      NULL,
						      open_func,
						      user_data,
						      size,
						      progress,
						      cancellable,
						      error);
}

typedef struct {
	GInputStream *stream;
	goffset start;
} UbFastbootSeekSource;

static GInputStream *
ub_fastboot_seek_source_open(gpointer user_data, GCancellable *cancellable, GError **error)
{
	UbFastbootSeekSource *src = user_data;
	return ub_fastboot_stream_view_new(src->stream, src->start, cancellable, error);
}

/*
 * A seekable stream (files, memory) is read again by seeking back to where it
 * stood; any other stream is read once, which is enough unless it needs splitting.
 */
static gboolean
ub_fastboot_device_write(UbDevice *device,
			 const UbDeviceLocation *loc,
			 GInputStream *stream,
			 guint64 size,
			 UbProgress *progress,
			 GCancellable *cancellable,
			 GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);

	if (!ub_fastboot_device_check_location(loc, FALSE, error))
		return FALSE;
	if (G_IS_SEEKABLE(stream) && g_seekable_can_seek(G_SEEKABLE(stream))) {
		UbFastbootSeekSource src = {
		    .stream = stream,
		    .start = g_seekable_tell(G_SEEKABLE(stream)),
		};
		return ub_fastboot_device_flash_with_progress(self,
							      loc->partition,
							      NULL,
							      ub_fastboot_seek_source_open,
							      &src,
							      size,
							      progress,
							      cancellable,
							      error);
	}
	return ub_fastboot_device_flash_with_progress(self,
						      loc->partition,
						      stream,
						      NULL,
						      NULL,
						      size,
						      progress,
						      cancellable,
						      error);
}

static gboolean
ub_fastboot_device_erase_partition(UbFastbootDevice *self,
				   const gchar *name,
				   GCancellable *cancellable,
				   GError **error)
{
	guint64 part_size = 0;
	g_autofree gchar *command = g_strdup_printf("erase:%s", name);
	if (!ub_fastboot_command_validate(command, error))
		return FALSE;
	/* only to size the watchdog */
	if (!ub_fastboot_device_get_partition_size(self, name, &part_size, cancellable, error))
		return FALSE;
	return ub_fastboot_device_transact(
	    self,
	    command,
	    ub_fastboot_device_timeout_for_bytes(self, part_size, UB_FASTBOOT_ERASE_SPEED_MIN),
	    NULL,
	    NULL,
	    cancellable,
	    error);
}

static gboolean
ub_fastboot_device_erase(UbDevice *device,
			 const UbDeviceLocation *loc,
			 UbProgress *progress,
			 GCancellable *cancellable,
			 GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	gboolean ret;
	g_autoptr(UbProgress) progress_local = NULL;

	if (!ub_fastboot_device_check_location(loc, FALSE, error))
		return FALSE;
	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	self->progress = progress;
	ret = ub_fastboot_device_erase_partition(self, loc->partition, cancellable, error);
	self->progress = NULL;
	if (ret)
		ub_progress_finished(progress);
	return ret;
}

static gboolean
ub_fastboot_device_read_partition(UbFastbootDevice *self,
				  const UbDeviceLocation *loc,
				  GOutputStream *stream,
				  UbProgress *progress,
				  GCancellable *cancellable,
				  GError **error)
{
	guint64 part_size = 0;
	guint64 total;
	guint64 done = 0;

	if (!ub_fastboot_device_get_partition_size(self,
						   loc->partition,
						   &part_size,
						   cancellable,
						   error))
		return FALSE;
	if (part_size != 0 && (loc->offset > part_size || loc->length > part_size - loc->offset)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "range is outside partition %s of %" G_GUINT64_FORMAT " bytes",
			    loc->partition,
			    part_size);
		return FALSE;
	}

	/* the whole partition in one go when nothing forces pieces */
	if (loc->offset == 0 && loc->length == 0 &&
	    (self->max_fetch_size == 0 || part_size == 0 || part_size <= self->max_fetch_size)) {
		g_autofree gchar *command = g_strdup_printf("fetch:%s", loc->partition);
		return ub_fastboot_device_fetch_piece(self,
						      command,
						      part_size,
						      part_size,
						      stream,
						      progress,
						      0,
						      part_size,
						      NULL,
						      cancellable,
						      error);
	}

	total = loc->length != 0 ? loc->length : part_size - MIN(loc->offset, part_size);
	if (total == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the size of partition %s is unknown: give a length",
			    loc->partition);
		return FALSE;
	}
	while (done < total) {
		guint64 piece = total - done;
		g_autofree gchar *command = NULL;
		if (self->max_fetch_size != 0)
			piece = MIN(piece, self->max_fetch_size);
		piece = MIN(piece, (guint64)UB_FASTBOOT_DOWNLOAD_MAX);
		command = g_strdup_printf("fetch:%s:0x%08" G_GINT64_MODIFIER
					  "x:0x%08" G_GINT64_MODIFIER "x",
					  loc->partition,
					  loc->offset + done,
					  piece);
		if (!ub_fastboot_device_fetch_piece(self,
						    command,
						    piece,
						    0,
						    stream,
						    progress,
						    done,
						    total,
						    NULL,
						    cancellable,
						    error))
			return FALSE;
		done += piece;
	}
	return TRUE;
}

static gboolean
ub_fastboot_device_read(UbDevice *device,
			const UbDeviceLocation *loc,
			GOutputStream *stream,
			UbProgress *progress,
			GCancellable *cancellable,
			GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	gboolean ret;
	g_autoptr(UbProgress) progress_local = NULL;

	if (!ub_fastboot_device_check_location(loc, TRUE, error))
		return FALSE;
	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	self->progress = progress;
	ret = ub_fastboot_device_read_partition(self, loc, stream, progress, cancellable, error);
	self->progress = NULL;
	if (ret)
		ub_progress_finished(progress);
	return ret;
}

static gboolean
ub_fastboot_device_reboot(UbDevice *device,
			  UbRebootMode mode,
			  GCancellable *cancellable,
			  GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	const gchar *command = NULL;

	switch (mode) {
	case UB_REBOOT_MODE_SYSTEM:
		command = "reboot";
		break;
	case UB_REBOOT_MODE_BOOTLOADER:
		command = "reboot-bootloader";
		break;
	case UB_REBOOT_MODE_FASTBOOTD:
		command = "reboot-fastboot";
		break;
	case UB_REBOOT_MODE_RECOVERY:
		command = "reboot-recovery";
		break;
	case UB_REBOOT_MODE_EDL:
		command = "reboot-edl";
		break;
	case UB_REBOOT_MODE_POWER_OFF:
		command = "shutdown";
		break;
	case UB_REBOOT_MODE_LAST:
	default:
		break;
	}
	if (command == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "cannot reboot to %s",
			    ub_reboot_mode_to_string(mode));
		return FALSE;
	}
	/* some bootloaders reset before their OKAY gets out */
	if (!ub_fastboot_device_transact_leaving(self, command, NULL, NULL, cancellable, error))
		return FALSE;
	ub_fastboot_device_expect_reconnect(self,
					    mode == UB_REBOOT_MODE_BOOTLOADER ? UB_DEVICE_MODE_FASTBOOT
					    : mode == UB_REBOOT_MODE_FASTBOOTD
						? UB_DEVICE_MODE_FASTBOOTD
						: UB_DEVICE_MODE_LAST);
	return TRUE;
}

/* which mode a command needs: bootloader-only, fastbootd-only, or either (LAST) */
static UbDeviceMode
ub_fastboot_command_needs_mode(const gchar *command)
{
	const gchar *fastbootd[] = {"create-logical-partition:",
				    "delete-logical-partition:",
				    "resize-logical-partition:",
				    "update-super:",
				    "snapshot-update",
				    "gsi:",
				    NULL};
	const gchar *bootloader[] = {"flashing ", "oem ", NULL};
	for (guint i = 0; fastbootd[i] != NULL; i++) {
		if (g_str_has_prefix(command, fastbootd[i]))
			return UB_DEVICE_MODE_FASTBOOTD;
	}
	for (guint i = 0; bootloader[i] != NULL; i++) {
		if (g_str_has_prefix(command, bootloader[i]))
			return UB_DEVICE_MODE_FASTBOOT;
	}
	if (g_strcmp0(command, "boot") == 0 || g_strcmp0(command, "continue") == 0 ||
	    g_strcmp0(command, "reboot-edl") == 0)
		return UB_DEVICE_MODE_FASTBOOT;
	return UB_DEVICE_MODE_LAST;
}

/* commands after whose OKAY the phone is gone */
static gboolean
ub_fastboot_command_leaves(const gchar *command, UbDeviceMode *next_mode)
{
	const gchar *leaving[] = {"reboot",
				  "reboot-recovery",
				  "reboot-edl",
				  "continue",
				  "shutdown",
				  "boot",
				  "oem edl",
				  "oem reboot-edl",
				  NULL};
	*next_mode = UB_DEVICE_MODE_LAST;
	if (g_strcmp0(command, "reboot-bootloader") == 0) {
		*next_mode = UB_DEVICE_MODE_FASTBOOT;
		return TRUE;
	}
	if (g_strcmp0(command, "reboot-fastboot") == 0) {
		*next_mode = UB_DEVICE_MODE_FASTBOOTD;
		return TRUE;
	}
	return g_strv_contains(leaving, command);
}

/* commands the user confirms on the phone's screen: they may take minutes */
static gboolean
ub_fastboot_command_needs_confirmation(const gchar *command)
{
	const gchar *confirm[] = {"flashing unlock",
				  "flashing lock",
				  "flashing unlock_critical",
				  "flashing lock_critical",
				  "oem unlock",
				  "oem lock",
				  NULL};
	return g_strv_contains(confirm, command);
}

static gboolean
ub_fastboot_device_prepare_mode(UbFastbootDevice *self,
				const gchar *command,
				GCancellable *cancellable,
				GError **error)
{
	UbDeviceMode needs = ub_fastboot_command_needs_mode(command);
	if (needs == UB_DEVICE_MODE_LAST)
		return TRUE;
	if (self->reconnect_pending &&
	    !ub_fastboot_device_reconnect_now(self, self->reconnect_mode, cancellable, error))
		return FALSE;
	if (ub_device_get_mode(UB_DEVICE(self)) == needs)
		return TRUE;
	return ub_fastboot_device_switch_mode(self, needs, cancellable, error);
}

static gboolean
ub_fastboot_device_run_command(UbFastbootDevice *self,
			       const gchar *command,
			       gchar **reply,
			       GCancellable *cancellable,
			       GError **error)
{
	UbDeviceMode next_mode = UB_DEVICE_MODE_LAST;
	g_autoptr(GPtrArray) info_lines = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *okay_text = NULL;
	guint timeout_ms = self->timeout_ms;

	if (!ub_fastboot_command_validate(command, error))
		return FALSE;
	if (!ub_fastboot_device_prepare_mode(self, command, cancellable, error))
		return FALSE;
	if (ub_fastboot_command_needs_confirmation(command)) {
		timeout_ms = MAX(timeout_ms, UB_FASTBOOT_CONFIRM_TIMEOUT_MS);
		if (self->progress != NULL)
			ub_progress_log(self->progress,
					"'%s': confirm on the phone's screen if it asks",
					command);
	}
	if (ub_fastboot_command_leaves(command, &next_mode)) {
		if (!ub_fastboot_device_transact_leaving(self,
							 command,
							 info_lines,
							 &okay_text,
							 cancellable,
							 error))
			return FALSE;
		ub_fastboot_device_expect_reconnect(self, next_mode);
	} else if (!ub_fastboot_device_transact(self,
						command,
						timeout_ms,
						&okay_text,
						info_lines,
						cancellable,
						error)) {
		return FALSE;
	}
	for (guint i = 0; i < info_lines->len; i++)
		ub_fastboot_device_log_line(self, g_ptr_array_index(info_lines, i));
	if (reply != NULL) {
		/* "flashing get_unlock_ability" answers in INFO lines, most others in OKAY */
		if (okay_text != NULL && okay_text[0] != '\0') {
			*reply = g_steal_pointer(&okay_text);
		} else {
			g_ptr_array_add(info_lines, NULL);
			*reply = g_strjoinv("\n", (gchar **)info_lines->pdata);
		}
	}
	return TRUE;
}

static gchar *
ub_fastboot_device_get_var(UbDevice *device,
			   const gchar *name,
			   GCancellable *cancellable,
			   GError **error)
{
	return ub_fastboot_device_getvar(UB_FASTBOOT_DEVICE(device), name, cancellable, error);
}

static gboolean
ub_fastboot_device_set_active(UbDevice *device,
			      const gchar *slot,
			      GCancellable *cancellable,
			      GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	g_autofree gchar *slot_count = NULL;
	g_autofree gchar *command = NULL;
	guint64 count = 0;

	slot = ub_gpt_slot_parse(slot, error);
	if (slot == NULL)
		return FALSE;
	if (!ub_fastboot_device_getvar_optional(self, "slot-count", &slot_count, cancellable, error))
		return FALSE;
	if (slot_count == NULL || !g_ascii_string_to_unsigned(slot_count, 10, 0, 26, &count, NULL))
		count = 0;
	if (count < 2 || (guint64)(slot[0] - 'a') >= count) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "this phone has no slot %s (slot-count is %s): it is not an A/B phone",
			    slot,
			    slot_count != NULL ? slot_count : "not reported");
		return FALSE;
	}
	command = g_strdup_printf("set_active:%s", slot);
	if (!ub_fastboot_device_transact(self, command, self->timeout_ms, NULL, NULL, cancellable, error))
		return FALSE;
	ub_device_set_extra(device, "current-slot", slot);
	return TRUE;
}

static gboolean
ub_fastboot_device_command_vfunc(UbDevice *device,
				 const gchar *command,
				 gchar **reply,
				 UbProgress *progress,
				 GCancellable *cancellable,
				 GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	gboolean ret;
	self->progress = progress;
	ret = ub_fastboot_device_run_command(self, command, reply, cancellable, error);
	self->progress = NULL;
	return ret;
}

static gboolean
ub_fastboot_device_command_with_data(UbDevice *device,
				     const gchar *command,
				     GInputStream *data,
				     guint64 size,
				     UbProgress *progress,
				     GCancellable *cancellable,
				     GError **error)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	gboolean ret = FALSE;
	g_autoptr(UbProgress) progress_local = NULL;

	if (!ub_fastboot_command_validate(command, error))
		return FALSE;
	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	self->progress = progress;
	ub_progress_add_step(progress, UB_STATUS_WRITING, 90, command);
	ub_progress_add_step(progress, UB_STATUS_WRITING, 10, command);
	if (ub_fastboot_device_prepare_mode(self, command, cancellable, error) &&
	    ub_fastboot_device_ensure_max_download_size(self, cancellable, error) &&
	    ub_fastboot_device_download(self,
					data,
					size,
					ub_progress_get_child(progress),
					cancellable,
					error)) {
		ub_progress_step_done(progress);
		ret = ub_fastboot_device_run_command(self, command, NULL, cancellable, error);
	}
	self->progress = NULL;
	if (ret)
		ub_progress_finished(progress);
	return ret;
}

static void
ub_fastboot_device_close(UbDevice *device)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(device);
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
}

static void
ub_fastboot_device_finalize(GObject *object)
{
	UbFastbootDevice *self = UB_FASTBOOT_DEVICE(object);
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	G_OBJECT_CLASS(ub_fastboot_device_parent_class)->finalize(object);
}

static void
ub_fastboot_device_init(UbFastbootDevice *self)
{
	self->timeout_ms = UB_FASTBOOT_TIMEOUT_MS_DEFAULT;
	self->reconnect_timeout_ms = UB_FASTBOOT_RECONNECT_TIMEOUT_MS;
	self->reconnect_mode = UB_DEVICE_MODE_LAST;
}

static void
ub_fastboot_device_class_init(UbFastbootDeviceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	UbDeviceClass *device_class = UB_DEVICE_CLASS(klass);
	object_class->finalize = ub_fastboot_device_finalize;
	device_class->open = ub_fastboot_device_open;
	device_class->identify = ub_fastboot_device_identify;
	device_class->list_partitions = ub_fastboot_device_list_partitions;
	device_class->read = ub_fastboot_device_read;
	device_class->write = ub_fastboot_device_write;
	device_class->erase = ub_fastboot_device_erase;
	device_class->reboot = ub_fastboot_device_reboot;
	device_class->close = ub_fastboot_device_close;
	device_class->get_var = ub_fastboot_device_get_var;
	device_class->set_active = ub_fastboot_device_set_active;
	device_class->command = ub_fastboot_device_command_vfunc;
	device_class->command_with_data = ub_fastboot_device_command_with_data;
}
