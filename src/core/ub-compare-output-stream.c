/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-compare-output-stream.h"
#include "ub-error.h"

/*
 * Verification: what the device reads back is compared byte for byte with the
 * image as it arrives, in constant memory. No hashing: SHA-256 in GLib runs at
 * about the speed of USB 3, so it would halve the rate; a comparison also says
 * where the first difference is.
 */

struct _UbCompareOutputStream {
	GOutputStream parent_instance;
	GInputStream *expected;
	gchar *name;
	guint8 *buf;
	gsize bufsz;
	guint64 bytes;
};

G_DEFINE_TYPE(UbCompareOutputStream, ub_compare_output_stream, G_TYPE_OUTPUT_STREAM)

static gssize
ub_compare_output_stream_write(GOutputStream *stream,
			       const void *buffer,
			       gsize count,
			       GCancellable *cancellable,
			       GError **error)
{
	UbCompareOutputStream *self = UB_COMPARE_OUTPUT_STREAM(stream);
	const guint8 *data = buffer;
	gsize done = 0;
	while (done < count) {
		gsize want = MIN(count - done, self->bufsz);
		gsize got = 0;
		if (!g_input_stream_read_all(self->expected,
					     self->buf,
					     want,
					     &got,
					     cancellable,
					     error)) {
			ub_error_convert(error);
			return -1;
		}
		if (got < want) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s: the device returned more data than the image holds "
				    "(%" G_GUINT64_FORMAT " bytes)",
				    self->name,
				    self->bytes + done + got);
			return -1;
		}
		if (memcmp(self->buf, data + done, want) != 0) {
			gsize i = 0;
			while (self->buf[i] == data[done + i])
				i++;
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s differs from the image at byte 0x%" G_GINT64_MODIFIER
				    "x (wrote 0x%02x, read back 0x%02x)",
				    self->name,
				    self->bytes + done + i,
				    self->buf[i],
				    data[done + i]);
			return -1;
		}
		done += want;
	}
	self->bytes += count;
	return (gssize)count;
}

/**
 * ub_compare_output_stream_get_bytes:
 * @self: a #UbCompareOutputStream
 *
 * Returns: bytes compared and found equal
 */
guint64
ub_compare_output_stream_get_bytes(UbCompareOutputStream *self)
{
	g_return_val_if_fail(UB_IS_COMPARE_OUTPUT_STREAM(self), 0);
	return self->bytes;
}

static void
ub_compare_output_stream_finalize(GObject *object)
{
	UbCompareOutputStream *self = UB_COMPARE_OUTPUT_STREAM(object);
	g_clear_object(&self->expected);
	g_free(self->name);
	g_free(self->buf);
	G_OBJECT_CLASS(ub_compare_output_stream_parent_class)->finalize(object);
}

static void
ub_compare_output_stream_init(UbCompareOutputStream *self)
{
	self->bufsz = 1024 * 1024;
	self->buf = g_malloc(self->bufsz);
}

static void
ub_compare_output_stream_class_init(UbCompareOutputStreamClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS(klass);
	object_class->finalize = ub_compare_output_stream_finalize;
	stream_class->write_fn = ub_compare_output_stream_write;
}

/**
 * ub_compare_output_stream_new:
 * @expected: the image, positioned where the comparison starts
 * @name: what is compared, for messages
 *
 * Returns: (transfer full): a stream that fails on the first differing byte
 */
GOutputStream *
ub_compare_output_stream_new(GInputStream *expected, const gchar *name)
{
	UbCompareOutputStream *self = g_object_new(UB_TYPE_COMPARE_OUTPUT_STREAM, NULL);
	self->expected = g_object_ref(expected);
	self->name = g_strdup(name);
	return G_OUTPUT_STREAM(self);
}
