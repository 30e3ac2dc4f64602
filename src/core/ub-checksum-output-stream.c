/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-checksum-output-stream.h"

/* hashes what a device read produces, optionally passing it on to a file:
 * backups are written and hashed in one pass, verification only hashes */

struct _UbChecksumOutputStream {
	GOutputStream parent_instance;
	GOutputStream *base; /* nullable */
	GChecksum *checksum;
	guint64 bytes;
	gchar *digest;
};

G_DEFINE_TYPE(UbChecksumOutputStream, ub_checksum_output_stream, G_TYPE_OUTPUT_STREAM)

static gssize
ub_checksum_output_stream_write(GOutputStream *stream,
				const void *buffer,
				gsize count,
				GCancellable *cancellable,
				GError **error)
{
	UbChecksumOutputStream *self = UB_CHECKSUM_OUTPUT_STREAM(stream);
	gsize written = count;
	if (self->base != NULL) {
		if (!g_output_stream_write_all(self->base,
					       buffer,
					       count,
					       &written,
					       cancellable,
					       error))
			return -1;
	}
	g_checksum_update(self->checksum, buffer, written);
	self->bytes += written;
	return (gssize)written;
}

static gboolean
ub_checksum_output_stream_close(GOutputStream *stream, GCancellable *cancellable, GError **error)
{
	UbChecksumOutputStream *self = UB_CHECKSUM_OUTPUT_STREAM(stream);
	if (self->base != NULL)
		return g_output_stream_close(self->base, cancellable, error);
	return TRUE;
}

const gchar *
ub_checksum_output_stream_get_sha256(UbChecksumOutputStream *self)
{
	g_return_val_if_fail(UB_IS_CHECKSUM_OUTPUT_STREAM(self), NULL);
	if (self->digest == NULL)
		self->digest = g_strdup(g_checksum_get_string(self->checksum));
	return self->digest;
}

guint64
ub_checksum_output_stream_get_bytes(UbChecksumOutputStream *self)
{
	g_return_val_if_fail(UB_IS_CHECKSUM_OUTPUT_STREAM(self), 0);
	return self->bytes;
}

static void
ub_checksum_output_stream_finalize(GObject *object)
{
	UbChecksumOutputStream *self = UB_CHECKSUM_OUTPUT_STREAM(object);
	g_clear_object(&self->base);
	g_checksum_free(self->checksum);
	g_free(self->digest);
	G_OBJECT_CLASS(ub_checksum_output_stream_parent_class)->finalize(object);
}

static void
ub_checksum_output_stream_init(UbChecksumOutputStream *self)
{
	self->checksum = g_checksum_new(G_CHECKSUM_SHA256);
}

static void
ub_checksum_output_stream_class_init(UbChecksumOutputStreamClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS(klass);
	object_class->finalize = ub_checksum_output_stream_finalize;
	stream_class->write_fn = ub_checksum_output_stream_write;
	stream_class->close_fn = ub_checksum_output_stream_close;
}

/**
 * ub_checksum_output_stream_new:
 * @base: (nullable): where the data goes, or %NULL to only hash it
 *
 * Returns: (transfer full): a hashing output stream
 */
GOutputStream *
ub_checksum_output_stream_new(GOutputStream *base)
{
	UbChecksumOutputStream *self = g_object_new(UB_TYPE_CHECKSUM_OUTPUT_STREAM, NULL);
	if (base != NULL)
		self->base = g_object_ref(base);
	return G_OUTPUT_STREAM(self);
}
