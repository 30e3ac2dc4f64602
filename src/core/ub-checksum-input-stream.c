/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-checksum-input-stream.h"

/* hashes what an engine reads from an image while it streams it to the phone,
 * so verification needs no second pass over the file */

struct _UbChecksumInputStream {
	GFilterInputStream parent_instance;
	GChecksum *checksum;
	guint64 bytes;
	gchar *digest;
};

G_DEFINE_TYPE(UbChecksumInputStream, ub_checksum_input_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
ub_checksum_input_stream_read(GInputStream *stream,
			      void *buffer,
			      gsize count,
			      GCancellable *cancellable,
			      GError **error)
{
	UbChecksumInputStream *self = UB_CHECKSUM_INPUT_STREAM(stream);
	GInputStream *base = g_filter_input_stream_get_base_stream(G_FILTER_INPUT_STREAM(stream));
	gssize n = g_input_stream_read(base, buffer, count, cancellable, error);
	if (n > 0) {
		g_checksum_update(self->checksum, buffer, n);
		self->bytes += (guint64)n;
	}
	return n;
}

/**
 * ub_checksum_input_stream_get_sha256:
 * @self: a #UbChecksumInputStream
 *
 * Returns: the hex SHA-256 of everything read so far; reading more after this
 * call is a programming error
 */
const gchar *
ub_checksum_input_stream_get_sha256(UbChecksumInputStream *self)
{
	g_return_val_if_fail(UB_IS_CHECKSUM_INPUT_STREAM(self), NULL);
	if (self->digest == NULL)
		self->digest = g_strdup(g_checksum_get_string(self->checksum));
	return self->digest;
}

guint64
ub_checksum_input_stream_get_bytes(UbChecksumInputStream *self)
{
	g_return_val_if_fail(UB_IS_CHECKSUM_INPUT_STREAM(self), 0);
	return self->bytes;
}

static void
ub_checksum_input_stream_finalize(GObject *object)
{
	UbChecksumInputStream *self = UB_CHECKSUM_INPUT_STREAM(object);
	g_checksum_free(self->checksum);
	g_free(self->digest);
	G_OBJECT_CLASS(ub_checksum_input_stream_parent_class)->finalize(object);
}

static void
ub_checksum_input_stream_init(UbChecksumInputStream *self)
{
	self->checksum = g_checksum_new(G_CHECKSUM_SHA256);
}

static void
ub_checksum_input_stream_class_init(UbChecksumInputStreamClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS(klass);
	object_class->finalize = ub_checksum_input_stream_finalize;
	stream_class->read_fn = ub_checksum_input_stream_read;
}

/**
 * ub_checksum_input_stream_new:
 * @base: the stream to read from
 *
 * Returns: (transfer full): a stream that hashes what passes through it
 */
GInputStream *
ub_checksum_input_stream_new(GInputStream *base)
{
	return g_object_new(UB_TYPE_CHECKSUM_INPUT_STREAM, "base-stream", base, NULL);
}
