/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbFastboot"

#include <string.h>

#include "ub-error.h"
#include "ub-fastboot-common.h"
#include "ub-fastboot-device.h"
#include "ub-fastboot-wire.h"

/* the default watchdog of one command: every INFO or TEXT line re-arms it */
#define UB_FASTBOOT_TIMEOUT_MS_DEFAULT 30000
/* payloads are read from the stream and written in pieces this large */
#define UB_FASTBOOT_CHUNK_SIZE (1024 * 1024)
/* the slowest storage we wait for while "flash" runs silently, bytes per second */
#define UB_FASTBOOT_WRITE_SPEED_MIN (2 * 1024 * 1024)
/* likewise for "erase" of a whole partition */
#define UB_FASTBOOT_ERASE_SPEED_MIN (64 * 1024 * 1024)
/* the largest download the protocol can express */
#define UB_FASTBOOT_DOWNLOAD_MAX G_MAXUINT32

struct _UbFastbootDevice {
	UbDevice parent_instance;
	gboolean tcp;
	UbFastbootWire *wire;
	guint timeout_ms;
	guint64 max_download_size; /* 0 until known */
	guint64 max_fetch_size;	   /* 0 when the device has no limit or no fetch */
	UbProgress *progress;	   /* not owned: the running operation's, for INFO lines */
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
ub_fastboot_device_send(UbFastbootDevice *self,
			const gchar *command,
			GCancellable *cancellable,
			GError **error)
{
	if (!ub_fastboot_command_validate(command, error))
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

/**
 * ub_fastboot_device_download:
 * @self: a #UbFastbootDevice
 * @stream: the payload
 * @size: bytes to send from @stream, at most max-download-size
 * @progress: (nullable): a #UbProgress, for bytes
 * @cancellable: (nullable): a #GCancellable, checked between chunks
 * @error: (nullable): return location for a #GError
 *
 * Sends "download:%08x" and then @size bytes of @stream in 1 MiB writes.
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
	UbFastbootWire *wire;
	guint32 data_size = 0;
	guint64 done = 0;
	g_autofree gchar *command = NULL;
	g_autofree guint8 *buf = NULL;

	g_return_val_if_fail(UB_IS_FASTBOOT_DEVICE(self), FALSE);
	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);

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

	/* data phase: one transport write per chunk */
	wire = ub_fastboot_device_get_wire(self);
	buf = g_malloc(UB_FASTBOOT_CHUNK_SIZE);
	while (done < size) {
		gsize chunk = (gsize)MIN((guint64)UB_FASTBOOT_CHUNK_SIZE, size - done);
		gsize got = 0;
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		if (!g_input_stream_read_all(stream, buf, chunk, &got, cancellable, error)) {
			g_prefix_error(error, "failed to read image: ");
			return FALSE;
		}
		if (got != chunk) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "image ended after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
				    " bytes",
				    done + got,
				    size);
			return FALSE;
		}
		if (!ub_fastboot_wire_write(wire,
					    buf,
					    chunk,
					    self->timeout_ms,
					    cancellable,
					    error)) {
			g_prefix_error(error,
				       "failed to send data at %" G_GUINT64_FORMAT ": ",
				       done);
			return FALSE;
		}
		done += chunk;
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, size);
	}
	return ub_fastboot_device_read_response(self,
						command,
						self->timeout_ms,
						NULL,
						NULL,
						NULL,
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

static gboolean
ub_fastboot_device_write_partition(UbFastbootDevice *self,
				   const gchar *name,
				   GInputStream *stream,
				   guint64 size,
				   UbProgress *progress,
				   GCancellable *cancellable,
				   GError **error)
{
	guint64 part_size = 0;
	g_autofree gchar *command = g_strdup_printf("flash:%s", name);

	/* checks, before anything reaches the device */
	if (!ub_fastboot_command_validate(command, error))
		return FALSE;
	if (!ub_fastboot_device_ensure_max_download_size(self, cancellable, error))
		return FALSE;
	if (!ub_fastboot_device_get_partition_size(self, name, &part_size, cancellable, error))
		return FALSE;
	if (part_size == 0) {
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
	if (part_size != 0 && size > part_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "image of %" G_GUINT64_FORMAT " bytes is larger than partition %s "
			    "of %" G_GUINT64_FORMAT " bytes",
			    size,
			    name,
			    part_size);
		return FALSE;
	}
	if (self->max_download_size != 0 && size > self->max_download_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "image of %" G_GUINT64_FORMAT " bytes is larger than the device's "
			    "max-download-size of %" G_GUINT64_FORMAT
			    " bytes: needs sparse splitting",
			    size,
			    self->max_download_size);
		return FALSE;
	}
	ub_progress_step_done(progress);

	/* send, then write */
	if (!ub_fastboot_device_download(self,
					 stream,
					 size,
					 ub_progress_get_child(progress),
					 cancellable,
					 error))
		return FALSE;
	ub_progress_step_done(progress);
	if (!ub_fastboot_device_transact(
		self,
		command,
		ub_fastboot_device_timeout_for_bytes(self, size, UB_FASTBOOT_WRITE_SPEED_MIN),
		NULL,
		NULL,
		cancellable,
		error))
		return FALSE;
	ub_progress_step_done(progress);
	return TRUE;
}

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
	gboolean ret;
	g_autoptr(UbProgress) progress_local = NULL;

	if (!ub_fastboot_device_check_location(loc, FALSE, error))
		return FALSE;
	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	ub_progress_add_step(progress, UB_STATUS_CHECKING, 1, loc->partition);
	ub_progress_add_step(progress, UB_STATUS_WRITING, 80, loc->partition);
	ub_progress_add_step(progress, UB_STATUS_WRITING, 19, loc->partition);
	self->progress = progress;
	ret = ub_fastboot_device_write_partition(self,
						 loc->partition,
						 stream,
						 size,
						 progress,
						 cancellable,
						 error);
	self->progress = NULL;
	return ret;
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
	g_autoptr(GError) error_local = NULL;

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
	if (ub_fastboot_device_command(self, command, NULL, cancellable, &error_local))
		return TRUE;

	/* some bootloaders reset before their OKAY gets out */
	if (g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE)) {
		g_debug("ignoring: %s", error_local->message);
		return TRUE;
	}
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
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
}
