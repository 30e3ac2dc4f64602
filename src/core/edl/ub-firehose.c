/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbEdl"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ub-error.h"
#include "ub-firehose.h"
#include "ub-read-ahead.h"

/* timeouts of edl.md a.5 (qdl's values); a watchdog re-armed by every document */
#define UB_FIREHOSE_WRITE_XML_TIMEOUT_MS 1000
#define UB_FIREHOSE_DEFAULT_TIMEOUT_MS 5000
#define UB_FIREHOSE_RAW_SETUP_TIMEOUT_MS 10000
#define UB_FIREHOSE_RAW_CHUNK_TIMEOUT_MS 10000
#define UB_FIREHOSE_PROGRAM_FINAL_TIMEOUT_MS 120000
#define UB_FIREHOSE_READ_CHUNK_TIMEOUT_MS 30000
#define UB_FIREHOSE_ERASE_TIMEOUT_MS 30000
#define UB_FIREHOSE_DIGEST_TIMEOUT_MS 30000
/* logs that come after a response: read until this much silence */
#define UB_FIREHOSE_DRAIN_MS 100
/* after an ACK: trailing logs come back to back with it; later ones are read
 * (as logs) while waiting for the next response. 100 ms per command would add
 * seconds to a download with a hundred patches */
#define UB_FIREHOSE_DRAIN_ACK_MS 10
/* <configure>: each attempt waits this long, attempts go on while the programmer is silent */
#define UB_FIREHOSE_CONFIGURE_ATTEMPT_MS 1000
#define UB_FIREHOSE_CONFIGURE_SILENT_MS 5000
/* the payload the host asks for when the caller says 0 */
#define UB_FIREHOSE_PAYLOAD_DEFAULT (1024 * 1024)
/* the largest payload buffer we allocate, whatever the programmer allows */
#define UB_FIREHOSE_PAYLOAD_MAX (16 * 1024 * 1024)
/* raw data of <read> is read in pieces this large at most */
#define UB_FIREHOSE_READ_SIZE (1024 * 1024)
/* chunks being read ahead while one is on the wire */
#define UB_FIREHOSE_READ_AHEAD 2

struct _UbFirehose {
	GObject parent_instance;
	UbTransport *transport;
	UbFirehoseFramer *framer;
	UbProgress *progress;
	guint32 max_payload;
	guint32 max_payload_from_target;
	gchar *memory_name;
	gchar *target_name;
	GPtrArray *functions;	 /* supported functions from the banner, lower-case */
	gboolean functions_open; /* inside a one-per-line list */
	GPtrArray *logs;	 /* log values of the current command */
	guint timeout_limit_ms;	 /* 0, or the most any wait may take (tests) */
};

G_DEFINE_TYPE(UbFirehose, ub_firehose, G_TYPE_OBJECT)

/* a per-operation timeout of edl.md a.5, capped by ub_firehose_set_timeout_limit() */
static guint
ub_firehose_timeout(UbFirehose *self, guint timeout_ms)
{
	if (self->timeout_limit_ms > 0 && timeout_ms > self->timeout_limit_ms)
		return self->timeout_limit_ms;
	return timeout_ms;
}

/**
 * ub_firehose_set_timeout_limit:
 * @self: a #UbFirehose
 * @limit_ms: the longest any single wait may take, or 0 for the protocol's own
 *   timeouts (up to 120 s for the final ACK of a program)
 *
 * For tests of lost answers, and for users who prefer failing fast over
 * waiting for a slow flash chip.
 */
void
ub_firehose_set_timeout_limit(UbFirehose *self, guint limit_ms)
{
	g_return_if_fail(UB_IS_FIREHOSE(self));
	self->timeout_limit_ms = limit_ms;
}

static void
ub_firehose_init(UbFirehose *self)
{
	self->framer = ub_firehose_framer_new();
	self->functions = g_ptr_array_new_with_free_func(g_free);
	self->logs = g_ptr_array_new_with_free_func(g_free);
	self->max_payload = UB_FIREHOSE_PAYLOAD_DEFAULT;
}

static void
ub_firehose_finalize(GObject *object)
{
	UbFirehose *self = UB_FIREHOSE(object);
	g_clear_object(&self->transport);
	g_clear_object(&self->progress);
	ub_firehose_framer_free(self->framer);
	g_free(self->memory_name);
	g_free(self->target_name);
	g_ptr_array_unref(self->functions);
	g_ptr_array_unref(self->logs);
	G_OBJECT_CLASS(ub_firehose_parent_class)->finalize(object);
}

static void
ub_firehose_class_init(UbFirehoseClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_firehose_finalize;
}

/**
 * ub_firehose_new:
 * @transport: the pipe to a phone running a Firehose programmer
 *
 * Returns: (transfer full): a new #UbFirehose
 */
UbFirehose *
ub_firehose_new(UbTransport *transport)
{
	UbFirehose *self;
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), NULL);
	self = g_object_new(UB_TYPE_FIREHOSE, NULL);
	self->transport = g_object_ref(transport);
	return self;
}

void
ub_firehose_push_pending(UbFirehose *self, GBytes *bytes)
{
	gsize bufsz = 0;
	const guint8 *buf;
	g_autoptr(GError) error_local = NULL;

	g_return_if_fail(UB_IS_FIREHOSE(self));
	if (bytes == NULL)
		return;
	buf = g_bytes_get_data(bytes, &bufsz);
	if (!ub_firehose_framer_push(self->framer, buf, bufsz, &error_local))
		g_debug("ignoring pending bytes: %s", error_local->message);
}

void
ub_firehose_set_progress(UbFirehose *self, UbProgress *progress)
{
	g_return_if_fail(UB_IS_FIREHOSE(self));
	g_set_object(&self->progress, progress);
}

guint32
ub_firehose_get_max_payload(UbFirehose *self)
{
	g_return_val_if_fail(UB_IS_FIREHOSE(self), 0);
	return self->max_payload;
}

const gchar *
ub_firehose_get_memory_name(UbFirehose *self)
{
	g_return_val_if_fail(UB_IS_FIREHOSE(self), NULL);
	return self->memory_name;
}

const gchar *
ub_firehose_get_target_name(UbFirehose *self)
{
	g_return_val_if_fail(UB_IS_FIREHOSE(self), NULL);
	return self->target_name;
}

/**
 * ub_firehose_supports:
 * @self: a #UbFirehose
 * @function: a command name, "erase"
 *
 * Returns: whether the startup banner listed @function; %TRUE when it listed nothing
 */
gboolean
ub_firehose_supports(UbFirehose *self, const gchar *function)
{
	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(function != NULL, FALSE);
	if (self->functions->len == 0)
		return TRUE;
	for (guint i = 0; i < self->functions->len; i++) {
		if (g_ascii_strcasecmp(g_ptr_array_index(self->functions, i), function) == 0)
			return TRUE;
	}
	return FALSE;
}

/* "INFO: text" -> "text" */
static const gchar *
ub_firehose_log_strip_level(const gchar *value)
{
	static const gchar *levels[] = {"INFO:", "ERROR:", "WARN:", "WARNING:", "DEBUG:", NULL};
	for (guint i = 0; levels[i] != NULL; i++) {
		if (g_ascii_strncasecmp(value, levels[i], strlen(levels[i])) == 0) {
			value += strlen(levels[i]);
			break;
		}
	}
	while (g_ascii_isspace(*value))
		value++;
	return value;
}

static void
ub_firehose_add_function(UbFirehose *self, const gchar *name)
{
	g_autofree gchar *lower = g_ascii_strdown(name, -1);
	if (lower[0] == '\0')
		return;
	for (guint i = 0; i < self->functions->len; i++) {
		if (g_strcmp0(g_ptr_array_index(self->functions, i), lower) == 0)
			return;
	}
	g_ptr_array_add(self->functions, g_steal_pointer(&lower));
}

/* the supported-functions banner: `Supported Functions: program read ...` on
 * one line, or `Supported Functions (15):` then one function per log up to
 * `End of supported functions 15` */
static void
ub_firehose_parse_functions(UbFirehose *self, const gchar *value)
{
	const gchar *text = ub_firehose_log_strip_level(value);
	const gchar *marker = "supported functions";
	g_autofree gchar *lower = g_ascii_strdown(text, -1);
	const gchar *found;

	if (g_str_has_prefix(lower, "end of supported functions")) {
		self->functions_open = FALSE;
		return;
	}
	found = strstr(lower, marker);
	if (found != NULL && found == lower) {
		const gchar *rest = text + strlen(marker);
		g_auto(GStrv) words = NULL;
		guint n_added = 0;

		/* skip "(15)" and ":" */
		while (*rest == ' ' || *rest == '(' || g_ascii_isdigit(*rest) || *rest == ')' ||
		       *rest == ':')
			rest++;
		words = g_strsplit_set(rest, " \t,", -1);
		for (guint i = 0; words[i] != NULL; i++) {
			if (words[i][0] == '\0')
				continue;
			ub_firehose_add_function(self, words[i]);
			n_added++;
		}
		self->functions_open = n_added == 0;
		return;
	}
	if (self->functions_open) {
		/* one word per log; anything else ends the list */
		if (text[0] == '\0' || strchr(text, ' ') != NULL) {
			self->functions_open = FALSE;
			return;
		}
		ub_firehose_add_function(self, text);
	}
}

static void
ub_firehose_handle_log(UbFirehose *self, const gchar *value)
{
	if (value == NULL)
		return;
	g_debug("log: %s", value);
	if (self->progress != NULL)
		ub_progress_log(self->progress, "%s", value);
	g_ptr_array_add(self->logs, g_strdup(value));
	ub_firehose_parse_functions(self, value);
}

/* the last ERROR log of the current command, without its level, or NULL */
static const gchar *
ub_firehose_last_error_log(UbFirehose *self)
{
	for (guint i = self->logs->len; i > 0; i--) {
		const gchar *value = g_ptr_array_index(self->logs, i - 1);
		if (g_ascii_strncasecmp(value, "ERROR", 5) == 0)
			return ub_firehose_log_strip_level(value);
	}
	return NULL;
}

static gboolean
ub_firehose_logs_contain(UbFirehose *self, const gchar *needle)
{
	for (guint i = 0; i < self->logs->len; i++) {
		const gchar *value = g_ptr_array_index(self->logs, i);
		if (strstr(value, needle) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* reads the next document: one transfer on USB, any split on a stream */
static UbFirehoseElement *
ub_firehose_read_element(UbFirehose *self,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	guint8 buf[UB_FIREHOSE_MAX_XML];

	for (;;) {
		gsize len = 0;
		g_autofree gchar *doc = ub_firehose_framer_pop(self->framer, &len);
		gint64 now;
		gssize n;

		if (doc != NULL) {
			UbFirehoseElement *element = ub_firehose_xml_parse(doc, len, error);
			if (element == NULL) {
				g_prefix_error(error, "the programmer sent a bad document: ");
				return NULL;
			}
			return element;
		}
		now = g_get_monotonic_time();
		if (now >= deadline) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_TIMED_OUT,
				    "no answer from the programmer within %u ms",
				    timeout_ms);
			return NULL;
		}
		n = ub_transport_read(self->transport,
				      buf,
				      sizeof(buf),
				      (guint)MAX((deadline - now) / G_TIME_SPAN_MILLISECOND, 1),
				      cancellable,
				      error);
		if (n < 0)
			return NULL;
		/* a ZLP ending the previous transfer, or Windows surfacing one */
		if (n == 0)
			continue;
		if (!ub_firehose_framer_push(self->framer, buf, (gsize)n, error))
			return NULL;
	}
}

/* reads logs until a <response>; @timeout_ms is re-armed by every document */
static UbFirehoseElement *
ub_firehose_wait_response(UbFirehose *self,
			  guint timeout_ms,
			  GCancellable *cancellable,
			  GError **error)
{
	for (;;) {
		g_autoptr(UbFirehoseElement) element =
		    ub_firehose_read_element(self, timeout_ms, cancellable, error);
		if (element == NULL)
			return NULL;
		if (g_ascii_strcasecmp(element->tag, "log") == 0) {
			ub_firehose_handle_log(self, ub_firehose_element_get(element, "value"));
			continue;
		}
		if (g_ascii_strcasecmp(element->tag, "response") == 0)
			return g_steal_pointer(&element);
		g_debug("ignoring <%s> while waiting for a response", element->tag);
	}
}

/* logs after a response (MSM8916 sends some): read until a short silence */
static void
ub_firehose_drain_for(UbFirehose *self, guint drain_ms, GCancellable *cancellable)
{
	for (;;) {
		g_autoptr(GError) error_local = NULL;
		g_autoptr(UbFirehoseElement) element =
		    ub_firehose_read_element(self, drain_ms, cancellable, &error_local);
		if (element == NULL) {
			if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT))
				g_debug("drain: %s", error_local->message);
			return;
		}
		if (g_ascii_strcasecmp(element->tag, "log") == 0) {
			ub_firehose_handle_log(self, ub_firehose_element_get(element, "value"));
			continue;
		}
		g_debug("ignoring <%s> after the response", element->tag);
	}
}

/* after a NAK, or before resending: the reason may still be on its way */
static void
ub_firehose_drain(UbFirehose *self, GCancellable *cancellable)
{
	ub_firehose_drain_for(self, UB_FIREHOSE_DRAIN_MS, cancellable);
}

static gboolean
ub_firehose_send(UbFirehose *self,
		 const gchar *xml,
		 gsize len,
		 GCancellable *cancellable,
		 GError **error)
{
	g_autoptr(GError) error_local = NULL;

	g_debug("sending %s", xml);
	g_ptr_array_set_size(self->logs, 0);
	/* the builder pads: an XML document is never a multiple of 512, so no ZLP */
	if (ub_transport_write(self->transport,
			       (const guint8 *)xml,
			       len,
			       UB_TRANSPORT_WRITE_FLAG_NONE,
			       ub_firehose_timeout(self, UB_FIREHOSE_WRITE_XML_TIMEOUT_MS),
			       cancellable,
			       &error_local))
		return TRUE;
	if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	/* the programmer may be busy logging (db410c): read what it says, then again */
	g_debug("write timed out, draining logs and retrying");
	ub_firehose_drain(self, cancellable);
	return ub_transport_write(self->transport,
				  (const guint8 *)xml,
				  len,
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  ub_firehose_timeout(self, UB_FIREHOSE_WRITE_XML_TIMEOUT_MS),
				  cancellable,
				  error);
}

static gboolean
ub_firehose_response_is_ack(const UbFirehoseElement *response, GError **error)
{
	const gchar *value = ub_firehose_element_get(response, "value");
	if (g_strcmp0(value, "ACK") == 0)
		return TRUE;
	if (g_strcmp0(value, "NAK") == 0)
		return FALSE;
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_PROTOCOL,
		    "the programmer answered with response value \"%s\"",
		    value != NULL ? value : "");
	return FALSE;
}

static gboolean
ub_firehose_response_is_rawmode(const UbFirehoseElement *response)
{
	const gchar *value = ub_firehose_element_get(response, "rawmode");
	return value != NULL && g_ascii_strcasecmp(value, "true") == 0;
}

/* the error of a NAK: the reason is in the logs before (and after) it */
static void
ub_firehose_set_nak_error(UbFirehose *self, const gchar *tag, GError **error)
{
	const gchar *reason = ub_firehose_last_error_log(self);

	if (ub_firehose_logs_contain(self, "must be equal to disk sector size") ||
	    ub_firehose_logs_contain(self, "different from device sector size")) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the programmer refused <%s>: %s: the sector size does not match "
			    "the storage (eMMC uses 512 bytes, UFS 4096)",
			    tag,
			    reason != NULL ? reason : "wrong sector size");
		return;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_REFUSED,
		    "the programmer refused <%s>: %s",
		    tag,
		    reason != NULL ? reason : "no reason given");
}

/*
 * Waits for the response to <@tag>: ACK returns it, NAK fails with the reason
 * (after the logs that follow). @what names the response in errors.
 */
static UbFirehoseElement *
ub_firehose_wait_ack(UbFirehose *self,
		     const gchar *tag,
		     const gchar *what,
		     guint timeout_ms,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(UbFirehoseElement) response = NULL;
	g_autoptr(GError) error_local = NULL;

	response = ub_firehose_wait_response(self, timeout_ms, cancellable, error);
	if (response == NULL) {
		g_prefix_error(error, "failed to get the %s to <%s>: ", what, tag);
		return NULL;
	}
	if (!ub_firehose_response_is_ack(response, &error_local)) {
		if (error_local != NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return NULL;
		}
		ub_firehose_drain(self, cancellable);
		ub_firehose_set_nak_error(self, tag, error);
		return NULL;
	}
	return g_steal_pointer(&response);
}

/*
 * Sends one document and waits for its response: ACK returns the response
 * (logs after it drained unless it opens raw mode), NAK fails with the reason.
 */
static UbFirehoseElement *
ub_firehose_transact(UbFirehose *self,
		     const gchar *tag,
		     const gchar *xml,
		     gsize len,
		     guint timeout_ms,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(UbFirehoseElement) response = NULL;

	if (!ub_firehose_send(self, xml, len, cancellable, error)) {
		g_prefix_error(error, "failed to send <%s>: ", tag);
		return NULL;
	}
	response = ub_firehose_wait_ack(self, tag, "answer", timeout_ms, cancellable, error);
	if (response == NULL)
		return NULL;
	if (!ub_firehose_response_is_rawmode(response))
		ub_firehose_drain_for(self, UB_FIREHOSE_DRAIN_ACK_MS, cancellable);
	return g_steal_pointer(&response);
}

static UbFirehoseElement *
ub_firehose_transact_attrs(UbFirehose *self,
			   const gchar *tag,
			   const gchar *const *names,
			   const gchar *const *values,
			   guint timeout_ms,
			   GCancellable *cancellable,
			   GError **error)
{
	gsize len = 0;
	g_autofree gchar *xml = ub_firehose_xml_build(tag, names, values, &len);
	if (xml == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_INTERNAL, "cannot build <%s>", tag);
		return NULL;
	}
	return ub_firehose_transact(self, tag, xml, len, timeout_ms, cancellable, error);
}

/* which storage type to try after a <configure> NAK, from edl's log texts */
static const gchar *
ub_firehose_storage_hint(UbFirehose *self, const gchar *memory_name)
{
	gboolean is_emmc = g_ascii_strcasecmp(memory_name, "emmc") == 0;
	if (ub_firehose_logs_contain(self, "Failed to open the SDCC Device"))
		return "ufs";
	if (ub_firehose_logs_contain(self, "Failed to set the IO options"))
		return "nand";
	if (ub_firehose_logs_contain(self, "open whole lun") ||
	    ub_firehose_logs_contain(self, "Failed to initialize (open whole lun) UFS"))
		return "emmc";
	if (ub_firehose_logs_contain(self, "Not support configure MemoryName"))
		return is_emmc ? "ufs" : "emmc";
	return NULL;
}

/**
 * ub_firehose_configure:
 * @self: a #UbFirehose
 * @memory_name: "emmc", "ufs", "nand", "spinor" or "nvme"
 * @payload: bytes per raw packet to ask for, 0 for 1 MiB
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Negotiates the storage type and payload size; see the header.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_firehose_configure(UbFirehose *self,
		      const gchar *memory_name,
		      guint32 payload,
		      GCancellable *cancellable,
		      GError **error)
{
	gint64 silent_deadline;
	guint n_nak = 0;
	guint n_adopt = 0;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(memory_name != NULL, FALSE);

	if (payload == 0)
		payload = UB_FIREHOSE_PAYLOAD_DEFAULT;
	payload = MIN(payload, (guint32)UB_FIREHOSE_PAYLOAD_MAX);
	silent_deadline =
	    g_get_monotonic_time() + (gint64)UB_FIREHOSE_CONFIGURE_SILENT_MS * G_TIME_SPAN_MILLISECOND;

	for (;;) {
		g_autofree gchar *payload_str = g_strdup_printf("%u", payload);
		const gchar *names[] = {"MemoryName",
					"MaxPayloadSizeToTargetInBytes",
					"Verbose",
					"ZlpAwareHost",
					"SkipStorageInit",
					NULL};
		const gchar *values[] = {memory_name, payload_str, "0", "1", "0", NULL};
		g_autoptr(UbFirehoseElement) response = NULL;
		g_autoptr(GError) error_local = NULL;
		g_autofree gchar *xml = NULL;
		gsize len = 0;
		guint64 accepted = 0;
		guint64 supported = 0;
		guint64 from_target = 0;
		const gchar *target;

		xml = ub_firehose_xml_build("configure", names, values, &len);
		if (!ub_firehose_send(self, xml, len, cancellable, error)) {
			g_prefix_error(error, "failed to send <configure>: ");
			return FALSE;
		}
		response = ub_firehose_wait_response(self,
						     UB_FIREHOSE_CONFIGURE_ATTEMPT_MS,
						     cancellable,
						     &error_local);
		if (response == NULL) {
			/* the programmer may still be starting (DDR training): ask again */
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT) &&
			    g_get_monotonic_time() < silent_deadline) {
				g_debug("no answer to <configure> yet, asking again");
				continue;
			}
			if (g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_TIMED_OUT,
					    "the programmer did not answer <configure> within %u s: "
					    "it may not have started; turn the phone off and enter "
					    "EDL again",
					    (guint)(UB_FIREHOSE_CONFIGURE_SILENT_MS / 1000));
				return FALSE;
			}
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "failed to get the answer to <configure>: ");
			return FALSE;
		}
		if (!ub_firehose_response_is_ack(response, &error_local)) {
			guint64 max = 0;
			const gchar *hint;
			if (error_local != NULL) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			/* too large a payload: the NAK says the programmer's maximum */
			if (ub_firehose_element_get_u64(response,
							"MaxPayloadSizeToTargetInBytes",
							&max) &&
			    max > 0 && max < payload && n_nak < 3) {
				g_debug("payload %u refused, asking for %" G_GUINT64_FORMAT,
					payload,
					max);
				payload = (guint32)max;
				n_nak++;
				ub_firehose_drain(self, cancellable);
				continue;
			}
			ub_firehose_drain(self, cancellable);
			hint = ub_firehose_storage_hint(self, memory_name);
			if (hint != NULL) {
				const gchar *reason = ub_firehose_last_error_log(self);
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_NOT_SUPPORTED,
					    "the programmer cannot use %s storage (%s): try "
					    "storage type %s",
					    memory_name,
					    reason != NULL ? reason : "refused",
					    hint);
				return FALSE;
			}
			ub_firehose_set_nak_error(self, "configure", error);
			return FALSE;
		}
		ub_firehose_drain(self, cancellable);

		if (!ub_firehose_element_get_u64(response, "MaxPayloadSizeToTargetInBytes", &accepted) ||
		    accepted == 0 || accepted > payload)
			accepted = payload;
		/* the ACK names what the programmer really supports: adopt a smaller one */
		if (ub_firehose_element_get_u64(response,
						"MaxPayloadSizeToTargetInBytesSupported",
						&supported) &&
		    supported > 0 && supported < accepted && n_adopt < 2) {
			g_debug("programmer supports %" G_GUINT64_FORMAT ", configuring again",
				supported);
			payload = (guint32)supported;
			n_adopt++;
			continue;
		}
		self->max_payload = (guint32)accepted;
		if (ub_firehose_element_get_u64(response,
						"MaxPayloadSizeFromTargetInBytes",
						&from_target) &&
		    from_target > 0)
			self->max_payload_from_target = (guint32)MIN(from_target, G_MAXUINT32);
		target = ub_firehose_element_get(response, "TargetName");
		g_free(self->target_name);
		self->target_name = g_strdup(target);
		g_free(self->memory_name);
		self->memory_name = g_ascii_strdown(memory_name, -1);
		g_debug("configured %s, payload %u", self->memory_name, self->max_payload);
		return TRUE;
	}
}

gboolean
ub_firehose_nop(UbFirehose *self, GCancellable *cancellable, GError **error)
{
	const gchar *names[] = {"value", NULL};
	const gchar *values[] = {"ping", NULL};
	g_autoptr(UbFirehoseElement) response = NULL;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	response = ub_firehose_transact_attrs(self,
					      "nop",
					      names,
					      values,
					      ub_firehose_timeout(self, UB_FIREHOSE_DEFAULT_TIMEOUT_MS),
					      cancellable,
					      error);
	return response != NULL;
}

void
ub_firehose_storage_info_clear(UbFirehoseStorageInfo *info)
{
	g_return_if_fail(info != NULL);
	g_free(info->mem_type);
	g_free(info->prod_name);
	memset(info, 0, sizeof(*info));
}

/* a JSON member as a number: integers, or strings holding a number */
static gboolean
ub_firehose_json_get_u64(JsonObject *obj, const gchar *name, guint64 *value)
{
	JsonNode *node = json_object_get_member(obj, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node))
		return FALSE;
	if (json_node_get_value_type(node) == G_TYPE_INT64) {
		gint64 v = json_node_get_int(node);
		if (v < 0)
			return FALSE;
		*value = (guint64)v;
		return TRUE;
	}
	if (json_node_get_value_type(node) == G_TYPE_STRING) {
		const gchar *str = json_node_get_string(node);
		if (g_str_has_prefix(str, "0x") || g_str_has_prefix(str, "0X"))
			return g_ascii_string_to_unsigned(str + 2, 16, 0, G_MAXUINT64, value, NULL);
		return g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT64, value, NULL);
	}
	return FALSE;
}

static gchar *
ub_firehose_json_get_string(JsonObject *obj, const gchar *name)
{
	JsonNode *node = json_object_get_member(obj, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return g_strstrip(g_strdup(json_node_get_string(node)));
}

/* `{"storage_info": {...}}` somewhere in @text */
static gboolean
ub_firehose_storage_info_parse_json(const gchar *text, UbFirehoseStorageInfo *info)
{
	const gchar *start = strchr(text, '{');
	const gchar *end = strrchr(text, '}');
	g_autoptr(JsonParser) parser = NULL;
	JsonNode *root;
	JsonNode *node;
	JsonObject *obj;
	guint64 v = 0;

	if (start == NULL || end == NULL || end < start)
		return FALSE;
	parser = json_parser_new();
	if (!json_parser_load_from_data(parser, start, (gssize)(end - start + 1), NULL))
		return FALSE;
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return FALSE;
	node = json_object_get_member(json_node_get_object(root), "storage_info");
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
		return FALSE;
	obj = json_node_get_object(node);
	if (ub_firehose_json_get_u64(obj, "total_blocks", &v))
		info->total_blocks = v;
	if (ub_firehose_json_get_u64(obj, "block_size", &v) && v <= G_MAXUINT32)
		info->block_size = (guint32)v;
	if (ub_firehose_json_get_u64(obj, "page_size", &v) && v <= G_MAXUINT32)
		info->page_size = (guint32)v;
	if (ub_firehose_json_get_u64(obj, "num_physical", &v) && v <= G_MAXUINT)
		info->num_physical = (guint)v;
	g_free(info->mem_type);
	info->mem_type = ub_firehose_json_get_string(obj, "mem_type");
	g_free(info->prod_name);
	info->prod_name = ub_firehose_json_get_string(obj, "prod_name");
	return TRUE;
}

static gboolean
ub_firehose_parse_number(const gchar *str, guint64 *value)
{
	g_autofree gchar *tmp = g_strstrip(g_strdup(str));
	gchar *space;
	/* "0x6", "4096", "4096 bytes" */
	space = strchr(tmp, ' ');
	if (space != NULL)
		*space = '\0';
	if (g_str_has_prefix(tmp, "0x") || g_str_has_prefix(tmp, "0X"))
		return g_ascii_string_to_unsigned(tmp + 2, 16, 0, G_MAXUINT64, value, NULL);
	return g_ascii_string_to_unsigned(tmp, 10, 0, G_MAXUINT64, value, NULL);
}

/* the older `key: value` lines; returns whether @text held a known key */
static gboolean
ub_firehose_storage_info_parse_line(const gchar *text, UbFirehoseStorageInfo *info)
{
	const gchar *sep = strchr(text, ':');
	g_autofree gchar *key = NULL;
	const gchar *value;
	guint64 v = 0;

	if (sep == NULL)
		sep = strchr(text, '=');
	if (sep == NULL)
		return FALSE;
	key = g_ascii_strdown(text, sep - text);
	g_strstrip(key);
	value = sep + 1;
	while (g_ascii_isspace(*value))
		value++;
	if (g_str_has_suffix(key, "total active lu") || g_strcmp0(key, "num_physical") == 0 ||
	    g_strcmp0(key, "num_physical_partitions") == 0) {
		if (!ub_firehose_parse_number(value, &v) || v > G_MAXUINT)
			return FALSE;
		info->num_physical = (guint)v;
		return TRUE;
	}
	if (g_strcmp0(key, "sector_size_in_bytes") == 0 || g_strcmp0(key, "block_size") == 0) {
		if (!ub_firehose_parse_number(value, &v) || v > G_MAXUINT32)
			return FALSE;
		info->block_size = (guint32)v;
		return TRUE;
	}
	if (g_strcmp0(key, "total_blocks") == 0 || g_strcmp0(key, "num_partition_sectors") == 0) {
		if (!ub_firehose_parse_number(value, &v))
			return FALSE;
		info->total_blocks = v;
		return TRUE;
	}
	if (g_strcmp0(key, "page_size") == 0) {
		if (!ub_firehose_parse_number(value, &v) || v > G_MAXUINT32)
			return FALSE;
		info->page_size = (guint32)v;
		return TRUE;
	}
	if (g_strcmp0(key, "mem_type") == 0) {
		g_free(info->mem_type);
		info->mem_type = g_strstrip(g_strdup(value));
		return TRUE;
	}
	if (g_strcmp0(key, "prod_name") == 0 || g_str_has_suffix(key, "inquiry command output")) {
		g_free(info->prod_name);
		info->prod_name = g_strstrip(g_strdup(value));
		return TRUE;
	}
	return FALSE;
}

/**
 * ub_firehose_storage_info_parse:
 * @logs: (array zero-terminated=1): the log values of a <getstorageinfo>
 * @info: (out caller-allocates): cleared, then filled
 * @error: (nullable): return location for a #GError
 *
 * Parses the JSON `{"storage_info": {...}}` log, or the older `key: value`
 * lines (UFS Total Active LU, SECTOR_SIZE_IN_BYTES, num_physical_partitions...).
 *
 * Returns: %TRUE when at least the size, sector size or LUN count was found
 */
gboolean
ub_firehose_storage_info_parse(const gchar *const *logs,
			       UbFirehoseStorageInfo *info,
			       GError **error)
{
	gboolean found_json = FALSE;

	g_return_val_if_fail(info != NULL, FALSE);

	memset(info, 0, sizeof(*info));
	for (guint i = 0; logs != NULL && logs[i] != NULL; i++) {
		const gchar *text = ub_firehose_log_strip_level(logs[i]);
		if (strstr(text, "storage_info") != NULL &&
		    ub_firehose_storage_info_parse_json(text, info)) {
			found_json = TRUE;
			break;
		}
	}
	if (!found_json) {
		for (guint i = 0; logs != NULL && logs[i] != NULL; i++)
			ub_firehose_storage_info_parse_line(ub_firehose_log_strip_level(logs[i]),
							    info);
	}
	if (info->total_blocks == 0 && info->block_size == 0 && info->num_physical == 0) {
		ub_firehose_storage_info_clear(info);
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the programmer's answer holds no storage information");
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_firehose_get_storage_info(UbFirehose *self,
			     guint lun,
			     UbFirehoseStorageInfo *info,
			     GCancellable *cancellable,
			     GError **error)
{
	g_autofree gchar *lun_str = g_strdup_printf("%u", lun);
	const gchar *names[] = {"physical_partition_number", NULL};
	const gchar *values[] = {lun_str, NULL};
	g_autoptr(UbFirehoseElement) response = NULL;
	g_auto(GStrv) logs = NULL;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(info != NULL, FALSE);

	response = ub_firehose_transact_attrs(self,
					      "getstorageinfo",
					      names,
					      values,
					      ub_firehose_timeout(self, UB_FIREHOSE_DEFAULT_TIMEOUT_MS),
					      cancellable,
					      error);
	if (response == NULL)
		return FALSE;
	logs = g_new0(gchar *, self->logs->len + 1);
	for (guint i = 0; i < self->logs->len; i++)
		logs[i] = g_strdup(g_ptr_array_index(self->logs, i));
	if (!ub_firehose_storage_info_parse((const gchar *const *)logs, info, error)) {
		g_prefix_error(error, "failed to read the storage information of LUN %u: ", lun);
		return FALSE;
	}
	return TRUE;
}

/* the four attributes every sector command has */
static UbFirehoseElement *
ub_firehose_sector_command(UbFirehose *self,
			   const gchar *tag,
			   guint32 sector_size,
			   guint lun,
			   const gchar *start_sector,
			   guint64 num_sectors,
			   guint timeout_ms,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autofree gchar *sector_size_str = g_strdup_printf("%u", sector_size);
	g_autofree gchar *num_str = g_strdup_printf("%" G_GUINT64_FORMAT, num_sectors);
	g_autofree gchar *lun_str = g_strdup_printf("%u", lun);
	const gchar *names[] = {"SECTOR_SIZE_IN_BYTES",
				"num_partition_sectors",
				"physical_partition_number",
				"start_sector",
				NULL};
	const gchar *values[] = {sector_size_str, num_str, lun_str, start_sector, NULL};

	/* <erase> of a whole LUN: no range at all */
	if (start_sector == NULL) {
		const gchar *names_lun[] = {"SECTOR_SIZE_IN_BYTES", "physical_partition_number", NULL};
		const gchar *values_lun[] = {sector_size_str, lun_str, NULL};
		return ub_firehose_transact_attrs(self,
						  tag,
						  names_lun,
						  values_lun,
						  timeout_ms,
						  cancellable,
						  error);
	}
	return ub_firehose_transact_attrs(self,
					  tag,
					  names,
					  values,
					  timeout_ms,
					  cancellable,
					  error);
}

/*
 * The data phase of <program> overlaps disk and wire (ub-read-ahead.c): whole-sector
 * chunks, zero padded after the stream's end, are read while the previous one is sent.
 */
static gboolean
ub_firehose_send_raw(UbFirehose *self,
		     GInputStream *stream,
		     guint64 size,
		     guint64 total,
		     guint32 sector_size,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	gsize mps = ub_transport_get_max_packet_size(self->transport);
	gsize chunk_size = MAX(self->max_payload - self->max_payload % sector_size, sector_size);
	g_autoptr(UbReadAhead) reader =
	    ub_read_ahead_new(stream, size, total, chunk_size, UB_FIREHOSE_READ_AHEAD);
	g_autoptr(GError) error_local = NULL;
	guint64 done = 0;

	while (TRUE) {
		const guint8 *data = NULL;
		gsize len = 0;
		UbTransportWriteFlags flags = UB_TRANSPORT_WRITE_FLAG_NONE;
		UbReadAheadBuffer *buffer =
		    ub_read_ahead_next(reader, &data, &len, cancellable, &error_local);

		if (buffer == NULL)
			break;
		/* raw data needs its zero-length packet (edl.md a.1) */
		if (mps > 0 && len % mps == 0)
			flags |= UB_TRANSPORT_WRITE_FLAG_ZLP;
		if (!ub_transport_write(self->transport,
					data,
					len,
					flags,
					ub_firehose_timeout(self, UB_FIREHOSE_RAW_CHUNK_TIMEOUT_MS),
					cancellable,
					error)) {
			g_prefix_error(error,
				       "failed to send data at byte %" G_GUINT64_FORMAT ": ",
				       done);
			return FALSE;
		}
		done += len;
		ub_read_ahead_release(reader, buffer);
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, total);
	}
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}

/* <program> or <read>: the ACK must open raw mode for the data */
static gboolean
ub_firehose_start_raw(UbFirehose *self,
		      const gchar *tag,
		      guint32 sector_size,
		      guint lun,
		      const gchar *start_sector,
		      guint64 num_sectors,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(UbFirehoseElement) response = NULL;

	response = ub_firehose_sector_command(self,
					      tag,
					      sector_size,
					      lun,
					      start_sector,
					      num_sectors,
					      ub_firehose_timeout(self, UB_FIREHOSE_RAW_SETUP_TIMEOUT_MS),
					      cancellable,
					      error);
	if (response == NULL)
		return FALSE;
	if (!ub_firehose_response_is_rawmode(response)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the programmer acknowledged <%s> without entering raw mode",
			    tag);
		return FALSE;
	}
	return TRUE;
}

/* after raw data: logs, then <response value="ACK" rawmode="false"/> */
static gboolean
ub_firehose_finish_raw(UbFirehose *self,
		       const gchar *tag,
		       guint timeout_ms,
		       GCancellable *cancellable,
		       GError **error)
{
	g_autoptr(UbFirehoseElement) response = NULL;

	response = ub_firehose_wait_ack(self, tag, "final answer", timeout_ms, cancellable, error);
	if (response == NULL)
		return FALSE;
	ub_firehose_drain_for(self, UB_FIREHOSE_DRAIN_ACK_MS, cancellable);
	return TRUE;
}

static gboolean
ub_firehose_check_range(guint32 sector_size,
			guint64 num_sectors,
			guint64 *total,
			GError **error)
{
	if (sector_size == 0 || num_sectors == 0 || num_sectors > G_MAXUINT64 / sector_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid range of %" G_GUINT64_FORMAT " sectors of %u bytes",
			    num_sectors,
			    sector_size);
		return FALSE;
	}
	*total = num_sectors * sector_size;
	return TRUE;
}

/**
 * ub_firehose_program:
 * @self: a #UbFirehose
 * @sector_size: bytes per sector
 * @lun: physical partition / LUN
 * @start_sector: a number or an expression the programmer evaluates
 * @num_sectors: sectors written
 * @stream: the data
 * @size: bytes @stream gives, at most @num_sectors * @sector_size
 * @progress: (nullable): gets bytes
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * <program>; see the header.
 *
 * Returns: %TRUE when the programmer acknowledged the data
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
		    GError **error)
{
	guint64 total = 0;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(start_sector != NULL, FALSE);
	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), FALSE);

	if (!ub_firehose_check_range(sector_size, num_sectors, &total, error))
		return FALSE;
	if (size > total) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%" G_GUINT64_FORMAT " bytes do not fit in %" G_GUINT64_FORMAT
			    " sectors of %u bytes",
			    size,
			    num_sectors,
			    sector_size);
		return FALSE;
	}
	if (!ub_firehose_start_raw(self,
				   "program",
				   sector_size,
				   lun,
				   start_sector,
				   num_sectors,
				   cancellable,
				   error))
		return FALSE;
	if (progress != NULL)
		ub_progress_set_bytes(progress, 0, total);
	if (!ub_firehose_send_raw(self,
				  stream,
				  size,
				  total,
				  sector_size,
				  progress,
				  cancellable,
				  error))
		return FALSE;
	return ub_firehose_finish_raw(self,
				      "program",
				      ub_firehose_timeout(self, UB_FIREHOSE_PROGRAM_FINAL_TIMEOUT_MS),
				      cancellable,
				      error);
}

/* reads @bufsz raw bytes: first what the framer holds (glued after the ACK) */
static gssize
ub_firehose_read_raw(UbFirehose *self,
		     guint8 *buf,
		     gsize bufsz,
		     GCancellable *cancellable,
		     GError **error)
{
	gsize n = ub_firehose_framer_take_raw(self->framer, buf, bufsz);
	if (n > 0)
		return (gssize)n;
	return ub_transport_read(self->transport,
				 buf,
				 bufsz,
				 ub_firehose_timeout(self, UB_FIREHOSE_READ_CHUNK_TIMEOUT_MS),
				 cancellable,
				 error);
}

/**
 * ub_firehose_read:
 * @self: a #UbFirehose
 * @sector_size: bytes per sector
 * @lun: physical partition / LUN
 * @start_sector: a number or an expression
 * @num_sectors: sectors read
 * @stream: where the data goes
 * @progress: (nullable): gets bytes
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * <read>: streams @num_sectors sectors into @stream.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_firehose_read(UbFirehose *self,
		 guint32 sector_size,
		 guint lun,
		 const gchar *start_sector,
		 guint64 num_sectors,
		 GOutputStream *stream,
		 UbProgress *progress,
		 GCancellable *cancellable,
		 GError **error)
{
	g_autofree guint8 *buf = NULL;
	gsize bufsz;
	guint64 total = 0;
	guint64 done = 0;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(start_sector != NULL, FALSE);
	g_return_val_if_fail(G_IS_OUTPUT_STREAM(stream), FALSE);

	if (!ub_firehose_check_range(sector_size, num_sectors, &total, error))
		return FALSE;
	if (!ub_firehose_start_raw(self,
				   "read",
				   sector_size,
				   lun,
				   start_sector,
				   num_sectors,
				   cancellable,
				   error))
		return FALSE;

	/* payload-sized reads, never past the data: the final response follows it */
	bufsz = MAX(self->max_payload, (guint32)UB_FIREHOSE_READ_SIZE);
	bufsz = MIN(bufsz, (gsize)UB_FIREHOSE_PAYLOAD_MAX);
	buf = g_malloc(bufsz);
	if (progress != NULL)
		ub_progress_set_bytes(progress, 0, total);
	while (done < total) {
		gsize want = (gsize)MIN((guint64)bufsz, total - done);
		gssize n = ub_firehose_read_raw(self, buf, want, cancellable, error);
		if (n < 0) {
			g_prefix_error(error,
				       "failed to read data at byte %" G_GUINT64_FORMAT ": ",
				       done);
			return FALSE;
		}
		/* a zero-length packet between the ACK and the data (WinUSB, qdl #270) */
		if (n == 0)
			continue;
		if (!g_output_stream_write_all(stream, buf, (gsize)n, NULL, cancellable, error)) {
			g_prefix_error(error, "failed to write the data read: ");
			return FALSE;
		}
		done += (guint64)n;
		if (progress != NULL)
			ub_progress_set_bytes(progress, done, total);
	}
	return ub_firehose_finish_raw(self,
				      "read",
				      ub_firehose_timeout(self, UB_FIREHOSE_READ_CHUNK_TIMEOUT_MS),
				      cancellable,
				      error);
}

gboolean
ub_firehose_erase(UbFirehose *self,
		  guint32 sector_size,
		  guint lun,
		  const gchar *start_sector,
		  guint64 num_sectors,
		  GCancellable *cancellable,
		  GError **error)
{
	g_autoptr(UbFirehoseElement) response = NULL;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);

	if (sector_size == 0 || (start_sector != NULL && num_sectors == 0)) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid range to erase");
		return FALSE;
	}
	response = ub_firehose_sector_command(self,
					      "erase",
					      sector_size,
					      lun,
					      num_sectors == 0 ? NULL : start_sector,
					      num_sectors,
					      ub_firehose_timeout(self, UB_FIREHOSE_ERASE_TIMEOUT_MS),
					      cancellable,
					      error);
	return response != NULL;
}

gboolean
ub_firehose_patch(UbFirehose *self, const gchar *attrs, GCancellable *cancellable, GError **error)
{
	g_autoptr(UbFirehoseElement) response = NULL;
	g_autofree gchar *xml = NULL;
	gsize len = 0;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(attrs != NULL, FALSE);

	xml = ub_firehose_xml_build_raw("patch", attrs, &len, error);
	if (xml == NULL)
		return FALSE;
	response = ub_firehose_transact(self,
					"patch",
					xml,
					len,
					ub_firehose_timeout(self, UB_FIREHOSE_DEFAULT_TIMEOUT_MS),
					cancellable,
					error);
	return response != NULL;
}

gboolean
ub_firehose_set_bootable(UbFirehose *self, guint lun, GCancellable *cancellable, GError **error)
{
	g_autofree gchar *lun_str = g_strdup_printf("%u", lun);
	const gchar *names[] = {"value", NULL};
	const gchar *values[] = {lun_str, NULL};
	g_autoptr(UbFirehoseElement) response = NULL;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	response = ub_firehose_transact_attrs(self,
					      "setbootablestoragedrive",
					      names,
					      values,
					      ub_firehose_timeout(self, UB_FIREHOSE_DEFAULT_TIMEOUT_MS),
					      cancellable,
					      error);
	return response != NULL;
}

gboolean
ub_firehose_power(UbFirehose *self,
		  const gchar *value,
		  guint delay_s,
		  GCancellable *cancellable,
		  GError **error)
{
	g_autofree gchar *delay_str = g_strdup_printf("%u", delay_s);
	const gchar *names[] = {"value", "DelayInSeconds", NULL};
	const gchar *values[] = {value, delay_str, NULL};
	g_autoptr(UbFirehoseElement) response = NULL;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(value != NULL, FALSE);

	response = ub_firehose_transact_attrs(self,
					      "power",
					      names,
					      values,
					      ub_firehose_timeout(self, UB_FIREHOSE_DEFAULT_TIMEOUT_MS),
					      cancellable,
					      error);
	return response != NULL;
}

/* a run of exactly 64 hex digits in @text, lower-cased */
static gchar *
ub_firehose_find_sha256(const gchar *text)
{
	gsize run = 0;
	for (gsize i = 0;; i++) {
		if (g_ascii_isxdigit(text[i])) {
			run++;
			continue;
		}
		if (run == 64)
			return g_ascii_strdown(text + i - 64, 64);
		run = 0;
		if (text[i] == '\0')
			return NULL;
	}
}

gboolean
ub_firehose_get_sha256(UbFirehose *self,
		       guint32 sector_size,
		       guint lun,
		       const gchar *start_sector,
		       guint64 num_sectors,
		       gchar **hex,
		       GCancellable *cancellable,
		       GError **error)
{
	g_autoptr(UbFirehoseElement) response = NULL;
	guint64 total = 0;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(start_sector != NULL, FALSE);
	g_return_val_if_fail(hex != NULL, FALSE);

	if (!ub_firehose_check_range(sector_size, num_sectors, &total, error))
		return FALSE;
	response = ub_firehose_sector_command(self,
					      "getsha256digest",
					      sector_size,
					      lun,
					      start_sector,
					      num_sectors,
					      ub_firehose_timeout(self, UB_FIREHOSE_DIGEST_TIMEOUT_MS),
					      cancellable,
					      error);
	if (response == NULL)
		return FALSE;
	for (guint i = self->logs->len; i > 0; i--) {
		const gchar *value = g_ptr_array_index(self->logs, i - 1);
		g_autofree gchar *digest = NULL;
		if (strstr(value, "igest") == NULL)
			continue;
		digest = ub_firehose_find_sha256(value);
		if (digest != NULL) {
			*hex = g_steal_pointer(&digest);
			return TRUE;
		}
	}
	g_set_error_literal(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the programmer acknowledged <getsha256digest> without logging a digest");
	return FALSE;
}

/**
 * ub_firehose_command:
 * @self: a #UbFirehose
 * @tag: the command, "peek"
 * @attrs: (nullable): its attributes, `a="1" b="2"`
 * @response: (out) (optional) (transfer full): the ACK
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Any other command; a NAK is an error.
 *
 * Returns: %TRUE when acknowledged
 */
gboolean
ub_firehose_command(UbFirehose *self,
		    const gchar *tag,
		    const gchar *attrs,
		    UbFirehoseElement **response,
		    GCancellable *cancellable,
		    GError **error)
{
	g_autoptr(UbFirehoseElement) element = NULL;
	g_autofree gchar *xml = NULL;
	gsize len = 0;

	g_return_val_if_fail(UB_IS_FIREHOSE(self), FALSE);
	g_return_val_if_fail(tag != NULL, FALSE);

	xml = ub_firehose_xml_build_raw(tag, attrs, &len, error);
	if (xml == NULL)
		return FALSE;
	element = ub_firehose_transact(self,
				       tag,
				       xml,
				       len,
				       ub_firehose_timeout(self, UB_FIREHOSE_DEFAULT_TIMEOUT_MS),
				       cancellable,
				       error);
	if (element == NULL)
		return FALSE;
	if (ub_firehose_response_is_rawmode(element)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "<%s> opened raw mode, which only program and read can use",
			    tag);
		return FALSE;
	}
	if (response != NULL)
		*response = g_steal_pointer(&element);
	return TRUE;
}
