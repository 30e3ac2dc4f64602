/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gio/gfiledescriptorbased.h>

#include "ub-error.h"
#include "ub-fastboot-stream-view.h"

/*
 * A fresh read of a seekable stream from @start: what the sparse scanner and
 * each split piece need (they read their source from offset 0 and close it),
 * made from the one stream the caller of ub_device_write() handed in. Closing
 * the view leaves the base open; only one view may be read at a time.
 */

struct _UbFastbootStreamView {
	GInputStream parent_instance;
	GInputStream *base;
};

static void
ub_fastboot_stream_view_fd_based_iface_init(GFileDescriptorBasedIface *iface);

G_DEFINE_TYPE_WITH_CODE(UbFastbootStreamView,
			ub_fastboot_stream_view,
			G_TYPE_INPUT_STREAM,
			G_IMPLEMENT_INTERFACE(G_TYPE_FILE_DESCRIPTOR_BASED,
					      ub_fastboot_stream_view_fd_based_iface_init))

/* reads go straight to the base, so a scan may look at its file in place (-1: none) */
static gint
ub_fastboot_stream_view_get_fd(GFileDescriptorBased *fd_based)
{
	UbFastbootStreamView *self = UB_FASTBOOT_STREAM_VIEW(fd_based);
	if (!G_IS_FILE_DESCRIPTOR_BASED(self->base))
		return -1;
	return g_file_descriptor_based_get_fd(G_FILE_DESCRIPTOR_BASED(self->base));
}

static void
ub_fastboot_stream_view_fd_based_iface_init(GFileDescriptorBasedIface *iface)
{
	iface->get_fd = ub_fastboot_stream_view_get_fd;
}

static gssize
ub_fastboot_stream_view_read(GInputStream *stream,
			     void *buffer,
			     gsize count,
			     GCancellable *cancellable,
			     GError **error)
{
	UbFastbootStreamView *self = UB_FASTBOOT_STREAM_VIEW(stream);
	return g_input_stream_read(self->base, buffer, count, cancellable, error);
}

static gssize
ub_fastboot_stream_view_skip(GInputStream *stream,
			     gsize count,
			     GCancellable *cancellable,
			     GError **error)
{
	UbFastbootStreamView *self = UB_FASTBOOT_STREAM_VIEW(stream);
	return g_input_stream_skip(self->base, count, cancellable, error);
}

static gboolean
ub_fastboot_stream_view_close(GInputStream *stream, GCancellable *cancellable, GError **error)
{
	/* the base belongs to the caller */
	return TRUE;
}

/**
 * ub_fastboot_stream_view_new:
 * @base: a seekable stream
 * @start: where the view starts in @base
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Seeks @base to @start and returns a stream reading it from there that does
 * not close @base.
 *
 * Returns: (transfer full): a new stream, or %NULL when @base cannot seek
 */
GInputStream *
ub_fastboot_stream_view_new(GInputStream *base,
			    goffset start,
			    GCancellable *cancellable,
			    GError **error)
{
	UbFastbootStreamView *self;
	g_return_val_if_fail(G_IS_INPUT_STREAM(base), NULL);
	if (!G_IS_SEEKABLE(base) || !g_seekable_can_seek(G_SEEKABLE(base))) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "the image stream cannot be read twice");
		return NULL;
	}
	if (!g_seekable_seek(G_SEEKABLE(base), start, G_SEEK_SET, cancellable, error)) {
		g_prefix_error(error, "failed to rewind the image: ");
		return NULL;
	}
	self = g_object_new(UB_TYPE_FASTBOOT_STREAM_VIEW, NULL);
	self->base = g_object_ref(base);
	return G_INPUT_STREAM(self);
}

static void
ub_fastboot_stream_view_finalize(GObject *object)
{
	UbFastbootStreamView *self = UB_FASTBOOT_STREAM_VIEW(object);
	g_clear_object(&self->base);
	G_OBJECT_CLASS(ub_fastboot_stream_view_parent_class)->finalize(object);
}

static void
ub_fastboot_stream_view_init(UbFastbootStreamView *self)
{
}

static void
ub_fastboot_stream_view_class_init(UbFastbootStreamViewClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS(klass);
	object_class->finalize = ub_fastboot_stream_view_finalize;
	stream_class->read_fn = ub_fastboot_stream_view_read;
	stream_class->skip = ub_fastboot_stream_view_skip;
	stream_class->close_fn = ub_fastboot_stream_view_close;
}
