/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"
#include "ub-read-ahead.h"

/* a stream of pattern bytes that counts what it gives and can block in a read until
 * that read is cancelled */
#define UB_TYPE_COUNT_STREAM (ub_count_stream_get_type())
G_DECLARE_FINAL_TYPE(UbCountStream, ub_count_stream, UB, COUNT_STREAM, GInputStream)

struct _UbCountStream {
	GInputStream parent_instance;
	gsize avail;
	gsize offset;		       /* only the reader thread moves it */
	gsize block_at;		       /* G_MAXSIZE: never */
	GCancellable *cancel_on_block; /* the caller's, cancelled as a read blocks */
	gint bytes_read;	       /* atomic */
	gint blocked;		       /* atomic: reads waiting now */
	GMutex mutex;
	GCond cond;
};

G_DEFINE_TYPE(UbCountStream, ub_count_stream, G_TYPE_INPUT_STREAM)

static guint8
ub_count_stream_byte(gsize offset)
{
	return (guint8)(offset * 7 + 3);
}

static void
ub_count_stream_wake_cb(GCancellable *cancellable, gpointer user_data)
{
	UbCountStream *self = UB_COUNT_STREAM(user_data);
	g_mutex_lock(&self->mutex);
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
}

static gssize
ub_count_stream_read_fn(GInputStream *stream,
			void *buffer,
			gsize count,
			GCancellable *cancellable,
			GError **error)
{
	UbCountStream *self = UB_COUNT_STREAM(stream);
	guint8 *buf = buffer;
	gsize n = MIN(count, self->avail - self->offset);

	if (self->offset >= self->block_at) {
		gulong handler;
		g_assert_nonnull(cancellable);
		g_atomic_int_inc(&self->blocked);
		if (self->cancel_on_block != NULL)
			g_cancellable_cancel(self->cancel_on_block);
		handler = g_cancellable_connect(cancellable,
						G_CALLBACK(ub_count_stream_wake_cb),
						self,
						NULL);
		g_mutex_lock(&self->mutex);
		while (!g_cancellable_is_cancelled(cancellable))
			g_cond_wait(&self->cond, &self->mutex);
		g_mutex_unlock(&self->mutex);
		g_cancellable_disconnect(cancellable, handler);
		g_atomic_int_add(&self->blocked, -1);
		g_cancellable_set_error_if_cancelled(cancellable, error);
		return -1;
	}
	for (gsize i = 0; i < n; i++)
		buf[i] = ub_count_stream_byte(self->offset + i);
	self->offset += n;
	g_atomic_int_add(&self->bytes_read, (gint)n);
	return (gssize)n;
}

static void
ub_count_stream_finalize(GObject *object)
{
	UbCountStream *self = UB_COUNT_STREAM(object);
	g_mutex_clear(&self->mutex);
	g_cond_clear(&self->cond);
	G_OBJECT_CLASS(ub_count_stream_parent_class)->finalize(object);
}

static void
ub_count_stream_class_init(UbCountStreamClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_count_stream_finalize;
	G_INPUT_STREAM_CLASS(klass)->read_fn = ub_count_stream_read_fn;
}

static void
ub_count_stream_init(UbCountStream *self)
{
	self->block_at = G_MAXSIZE;
	g_mutex_init(&self->mutex);
	g_cond_init(&self->cond);
}

static UbCountStream *
ub_count_stream_new(gsize avail)
{
	UbCountStream *self = g_object_new(UB_TYPE_COUNT_STREAM, NULL);
	self->avail = avail;
	return self;
}

/* polls a counter the reader thread moves; fails after 5 s */
static void
ub_read_ahead_test_wait_for(gint *counter, gint value)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (g_atomic_int_get(counter) != value) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(1000);
	}
}

/* the next buffer, which must be there */
static UbReadAheadBuffer *
ub_read_ahead_test_next(UbReadAhead *reader, gsize *len)
{
	g_autoptr(GError) error = NULL;
	const guint8 *data = NULL;
	UbReadAheadBuffer *buffer = ub_read_ahead_next(reader, &data, len, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(buffer);
	g_assert_nonnull(data);
	return buffer;
}

/* takes every buffer; returns the bytes and the length of each buffer */
static GByteArray *
ub_read_ahead_test_drain(UbReadAhead *reader, GArray *lens, GError **error)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	while (TRUE) {
		const guint8 *data = NULL;
		gsize len = 0;
		UbReadAheadBuffer *buffer = ub_read_ahead_next(reader, &data, &len, NULL, error);
		if (buffer == NULL) {
			if (error != NULL && *error != NULL)
				return NULL;
			return g_steal_pointer(&out);
		}
		g_byte_array_append(out, data, (guint)len);
		g_array_append_val(lens, len);
		ub_read_ahead_release(reader, buffer);
	}
}

static void
ub_read_ahead_order_func(void)
{
	gsize size = 10 * 1000 + 123;
	g_autoptr(UbCountStream) stream = ub_count_stream_new(size);
	g_autoptr(UbReadAhead) reader = ub_read_ahead_new(G_INPUT_STREAM(stream), size, size, 1000, 3);
	g_autoptr(GArray) lens = g_array_new(FALSE, FALSE, sizeof(gsize));
	g_autoptr(GByteArray) out = NULL;
	g_autoptr(GError) error = NULL;
	const guint8 *data = NULL;
	gsize len = 0;

	out = ub_read_ahead_test_drain(reader, lens, &error);
	g_assert_no_error(error);
	g_assert_nonnull(out);
	g_assert_cmpuint(out->len, ==, size);
	for (gsize i = 0; i < size; i++)
		g_assert_cmpuint(out->data[i], ==, ub_count_stream_byte(i));
	g_assert_cmpuint(lens->len, ==, 11);
	for (guint i = 0; i < 10; i++)
		g_assert_cmpuint(g_array_index(lens, gsize, i), ==, 1000);
	g_assert_cmpuint(g_array_index(lens, gsize, 10), ==, 123);

	/* the end stays the end */
	g_assert_null(ub_read_ahead_next(reader, &data, &len, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_read_ahead_padding_func(void)
{
	g_autoptr(UbCountStream) stream = ub_count_stream_new(2500);
	g_autoptr(UbCountStream) empty = ub_count_stream_new(0);
	g_autoptr(UbReadAhead) reader = NULL;
	g_autoptr(GArray) lens = g_array_new(FALSE, FALSE, sizeof(gsize));
	g_autoptr(GByteArray) out = NULL;
	g_autoptr(GError) error = NULL;

	/* two buffers go round: the third chunk reuses the first's buffer, whose old bytes
	 * must not show through the padding */
	reader = ub_read_ahead_new(G_INPUT_STREAM(stream), 2500, 4096, 1024, 2);
	out = ub_read_ahead_test_drain(reader, lens, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(out->len, ==, 4096);
	for (gsize i = 0; i < 2500; i++)
		g_assert_cmpuint(out->data[i], ==, ub_count_stream_byte(i));
	for (gsize i = 2500; i < 4096; i++)
		g_assert_cmpuint(out->data[i], ==, 0);
	g_assert_cmpuint(lens->len, ==, 4);
	for (guint i = 0; i < lens->len; i++)
		g_assert_cmpuint(g_array_index(lens, gsize, i), ==, 1024);
	g_assert_cmpint(g_atomic_int_get(&stream->bytes_read), ==, 2500);
	g_clear_pointer(&reader, ub_read_ahead_free);
	g_clear_pointer(&out, g_byte_array_unref);
	g_array_set_size(lens, 0);

	/* nothing from the stream at all: only zeros, and no read */
	reader = ub_read_ahead_new(G_INPUT_STREAM(empty), 0, 512, 1024, 2);
	out = ub_read_ahead_test_drain(reader, lens, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(out->len, ==, 512);
	g_assert_cmpuint(out->data[0], ==, 0);
	g_assert_cmpuint(out->data[511], ==, 0);
	g_assert_cmpint(g_atomic_int_get(&empty->bytes_read), ==, 0);
}

static void
ub_read_ahead_short_func(void)
{
	g_autoptr(UbCountStream) stream = ub_count_stream_new(1500);
	g_autoptr(UbReadAhead) reader = ub_read_ahead_new(G_INPUT_STREAM(stream), 2500, 2500, 1000, 2);
	g_autoptr(GError) error = NULL;
	UbReadAheadBuffer *buffer;
	const guint8 *data = NULL;
	gsize len = 0;

	buffer = ub_read_ahead_test_next(reader, &len);
	g_assert_cmpuint(len, ==, 1000);
	ub_read_ahead_release(reader, buffer);
	g_assert_null(ub_read_ahead_next(reader, &data, &len, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message, ==, "image ended after 1500 of 2500 bytes");
	g_clear_error(&error);

	/* asked again, it does not wait for a reader that is gone */
	g_assert_null(ub_read_ahead_next(reader, &data, &len, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INTERNAL);
}

static void
ub_read_ahead_cancel_func(void)
{
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	UbCountStream *stream = ub_count_stream_new(8000);
	UbReadAhead *reader;
	g_autoptr(GError) error = NULL;
	guint n_buffers = 0;

	/* the user cancels while the reader is stuck in the read at byte 3000 */
	stream->block_at = 3000;
	stream->cancel_on_block = cancellable;
	g_object_add_weak_pointer(G_OBJECT(stream), (gpointer *)&stream);
	reader = ub_read_ahead_new(G_INPUT_STREAM(stream), 8000, 8000, 1000, 2);
	while (TRUE) {
		const guint8 *data = NULL;
		gsize len = 0;
		UbReadAheadBuffer *buffer =
		    ub_read_ahead_next(reader, &data, &len, cancellable, &error);
		if (buffer == NULL)
			break;
		n_buffers++;
		ub_read_ahead_release(reader, buffer);
	}
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpuint(n_buffers, <=, 3);

	/* freeing joins the reader: it has left its read and dropped its reference */
	ub_read_ahead_free(reader);
	g_assert_cmpint(g_atomic_int_get(&stream->blocked), ==, 0);
	g_assert_cmpint(g_atomic_int_get(&stream->bytes_read), ==, 3000);
	g_object_unref(stream);
	g_assert_null(stream);
}

static void
ub_read_ahead_stop_early_func(void)
{
	UbCountStream *stream = ub_count_stream_new(8000);
	UbReadAhead *reader;
	gsize len = 0;

	/* the caller gives up (a failed write) while the reader waits in a read */
	stream->block_at = 2000;
	g_object_add_weak_pointer(G_OBJECT(stream), (gpointer *)&stream);
	reader = ub_read_ahead_new(G_INPUT_STREAM(stream), 8000, 8000, 1000, 3);
	g_assert_nonnull(ub_read_ahead_test_next(reader, &len));
	ub_read_ahead_test_wait_for(&stream->blocked, 1);
	ub_read_ahead_free(reader);
	g_assert_cmpint(g_atomic_int_get(&stream->blocked), ==, 0);
	g_object_unref(stream);
	g_assert_null(stream);
}

static void
ub_read_ahead_runs_ahead_func(void)
{
	g_autoptr(UbCountStream) stream = ub_count_stream_new(10000);
	g_autoptr(UbReadAhead) reader =
	    ub_read_ahead_new(G_INPUT_STREAM(stream), 10000, 10000, 1000, 3);
	UbReadAheadBuffer *buffer;
	gsize len = 0;

	/* while the caller holds the first buffer the reader fills the other two... */
	buffer = ub_read_ahead_test_next(reader, &len);
	ub_read_ahead_test_wait_for(&stream->bytes_read, 3000);

	/* ...and no more, as it has no buffer left */
	g_usleep(20 * 1000);
	g_assert_cmpint(g_atomic_int_get(&stream->bytes_read), ==, 3000);

	/* a buffer given back is filled again */
	ub_read_ahead_release(reader, buffer);
	ub_read_ahead_test_wait_for(&stream->bytes_read, 4000);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/read-ahead/order", ub_read_ahead_order_func);
	g_test_add_func("/ub/core/read-ahead/padding", ub_read_ahead_padding_func);
	g_test_add_func("/ub/core/read-ahead/short", ub_read_ahead_short_func);
	g_test_add_func("/ub/core/read-ahead/cancel", ub_read_ahead_cancel_func);
	g_test_add_func("/ub/core/read-ahead/stop-early", ub_read_ahead_stop_early_func);
	g_test_add_func("/ub/core/read-ahead/runs-ahead", ub_read_ahead_runs_ahead_func);
	return g_test_run();
}
