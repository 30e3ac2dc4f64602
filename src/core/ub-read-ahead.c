/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/*
 * The data phase of a flash overlaps disk and wire: a reader thread fills up
 * to n_buffers fixed-size buffers from the image stream while the caller's
 * thread sends the oldest one, so neither waits for the other. Buffers go
 * round through two queues; the reader pushes the marker (the UbReadAhead
 * itself) on the full queue after the last buffer or on error, and
 * ub_read_ahead_free() pushes it on the empty queue to stop the reader.
 */

#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-read-ahead.h"

struct _UbReadAheadBuffer {
	guint8 *data;
	gsize len;
};

struct _UbReadAhead {
	GInputStream *stream;
	guint64 size;	     /* bytes the stream gives */
	guint64 padded_size; /* bytes handed out: zeros after the stream's end */
	gsize chunk_size;
	guint n_buffers;
	UbReadAheadBuffer *buffers;
	GAsyncQueue *empty;
	GAsyncQueue *full;
	GCancellable *cancellable; /* the reader's own: cancelled to stop it */
	GError *error;		   /* set by the reader before it pushes the marker */
	GThread *thread;
	guint64 delivered;
	guint held;
	gboolean stopped;
};

static gpointer
ub_read_ahead_thread_cb(gpointer data)
{
	UbReadAhead *self = data;
	guint64 done = 0;

	while (done < self->padded_size) {
		UbReadAheadBuffer *buffer = g_async_queue_pop(self->empty);
		gsize want = (gsize)MIN((guint64)self->chunk_size, self->padded_size - done);
		gsize from_stream = 0;
		gsize got = 0;

		if (buffer == (gpointer)self)
			break;
		if (done < self->size)
			from_stream = (gsize)MIN((guint64)want, self->size - done);
		if (from_stream > 0 && !g_input_stream_read_all(self->stream,
								buffer->data,
								from_stream,
								&got,
								self->cancellable,
								&self->error)) {
			g_prefix_error(&self->error, "failed to read image: ");
			break;
		}
		if (got != from_stream) {
			g_set_error(&self->error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "image ended after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
				    " bytes",
				    done + got,
				    self->size);
			break;
		}
		/* past the stream's end: zeros */
		if (from_stream < want)
			memset(buffer->data + from_stream, 0, want - from_stream);
		buffer->len = want;
		done += want;
		g_async_queue_push(self->full, buffer);
	}
	g_async_queue_push(self->full, self);
	return NULL;
}

static void
ub_read_ahead_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	g_cancellable_cancel(G_CANCELLABLE(user_data));
}

/**
 * ub_read_ahead_new:
 * @stream: the image, read from the reader thread only from now on
 * @size: bytes @stream gives
 * @padded_size: bytes handed out, at least @size; those after @size are zeros (whole
 *	sectors for Firehose); pass @size for no padding
 * @chunk_size: bytes per buffer; every buffer but the last is full
 * @n_buffers: buffers going round, at least 1; the reader runs up to this many ahead
 *
 * Starts the reader thread at once.
 *
 * Returns: (transfer full): a #UbReadAhead, to free with ub_read_ahead_free()
 */
UbReadAhead *
ub_read_ahead_new(GInputStream *stream,
		  guint64 size,
		  guint64 padded_size,
		  gsize chunk_size,
		  guint n_buffers)
{
	UbReadAhead *self;

	g_return_val_if_fail(G_IS_INPUT_STREAM(stream), NULL);
	g_return_val_if_fail(padded_size >= size, NULL);
	g_return_val_if_fail(chunk_size > 0, NULL);
	g_return_val_if_fail(n_buffers > 0, NULL);

	self = g_new0(UbReadAhead, 1);
	self->stream = g_object_ref(stream);
	self->size = size;
	self->padded_size = padded_size;
	self->chunk_size = chunk_size;
	self->n_buffers = n_buffers;
	self->empty = g_async_queue_new();
	self->full = g_async_queue_new();
	self->cancellable = g_cancellable_new();
	self->buffers = g_new0(UbReadAheadBuffer, n_buffers);
	for (guint i = 0; i < n_buffers; i++) {
		self->buffers[i].data = g_malloc(chunk_size);
		g_async_queue_push(self->empty, &self->buffers[i]);
	}
	self->thread = g_thread_new("ub-read-ahead", ub_read_ahead_thread_cb, self);
	return self;
}

/**
 * ub_read_ahead_next:
 * @self: a #UbReadAhead
 * @data: (out) (transfer none): the bytes, valid until the buffer is released
 * @len: (out): how many
 * @cancellable: (nullable): a #GCancellable; cancelling it while this waits also stops
 *	the reader
 * @error: (nullable): return location for a #GError
 *
 * Waits for the next buffer in stream order. The caller may hold fewer than n_buffers
 * at a time and gives each back with ub_read_ahead_release().
 *
 * Returns: (transfer none): the buffer, or %NULL with @error set on failure (a read
 *	error, a stream shorter than its size, cancellation) or %NULL with @error unset
 *	once all padded_size bytes were handed out
 */
UbReadAheadBuffer *
ub_read_ahead_next(UbReadAhead *self,
		   const guint8 **data,
		   gsize *len,
		   GCancellable *cancellable,
		   GError **error)
{
	UbReadAheadBuffer *buffer;
	gulong handler = 0;

	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(data != NULL, NULL);
	g_return_val_if_fail(len != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	/* holding every buffer would leave the reader nothing to fill */
	g_return_val_if_fail(self->held < self->n_buffers, NULL);

	if (self->delivered >= self->padded_size)
		return NULL;
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return NULL;
	if (self->stopped) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INTERNAL, "image reader stopped early");
		return NULL;
	}

	/* the reader may be blocked in a read: cancelling wakes it, it then pushes the marker */
	if (cancellable != NULL)
		handler = g_cancellable_connect(cancellable,
						G_CALLBACK(ub_read_ahead_cancelled_cb),
						self->cancellable,
						NULL);
	buffer = g_async_queue_pop(self->full);
	g_cancellable_disconnect(cancellable, handler);

	/* the reader says why it stopped once it has stopped */
	if (buffer == (gpointer)self) {
		self->stopped = TRUE;
		if (self->error != NULL) {
			g_propagate_error(error, g_steal_pointer(&self->error));
		} else {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INTERNAL,
					    "image reader stopped early");
		}
		return NULL;
	}
	self->held++;
	self->delivered += buffer->len;
	*data = buffer->data;
	*len = buffer->len;
	return buffer;
}

/**
 * ub_read_ahead_release:
 * @self: a #UbReadAhead
 * @buffer: a buffer from ub_read_ahead_next()
 *
 * Gives @buffer back to the reader to fill again.
 */
void
ub_read_ahead_release(UbReadAhead *self, UbReadAheadBuffer *buffer)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(buffer != NULL);
	g_return_if_fail(self->held > 0);
	self->held--;
	g_async_queue_push(self->empty, buffer);
}

/**
 * ub_read_ahead_free:
 * @self: (nullable): a #UbReadAhead
 *
 * Stops the reader wherever it is (in a read or waiting for a buffer), joins it and
 * frees everything, buffers still held included.
 */
void
ub_read_ahead_free(UbReadAhead *self)
{
	if (self == NULL)
		return;
	if (self->thread != NULL) {
		g_cancellable_cancel(self->cancellable);
		g_async_queue_push(self->empty, self);
		g_thread_join(self->thread);
	}
	g_clear_error(&self->error);
	for (guint i = 0; i < self->n_buffers; i++)
		g_free(self->buffers[i].data);
	g_free(self->buffers);
	g_async_queue_unref(self->empty);
	g_async_queue_unref(self->full);
	g_object_unref(self->cancellable);
	g_object_unref(self->stream);
	g_free(self);
}
