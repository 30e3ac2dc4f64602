/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* reads an image on a thread of its own into a few fixed-size buffers while the caller sends
 * the previous one: see ub-read-ahead.c */
typedef struct _UbReadAhead UbReadAhead;
typedef struct _UbReadAheadBuffer UbReadAheadBuffer;

UbReadAhead *
ub_read_ahead_new(GInputStream *stream,
		  guint64 size,
		  guint64 padded_size,
		  gsize chunk_size,
		  guint n_buffers);
UbReadAheadBuffer *
ub_read_ahead_next(UbReadAhead *self,
		   const guint8 **data,
		   gsize *len,
		   GCancellable *cancellable,
		   GError **error);
void
ub_read_ahead_release(UbReadAhead *self, UbReadAheadBuffer *buffer);
void
ub_read_ahead_free(UbReadAhead *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbReadAhead, ub_read_ahead_free)

G_END_DECLS
