/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "formats/ub-sparse-image.h"

G_BEGIN_DECLS

#define UB_TYPE_SPARSE_READER (ub_sparse_reader_get_type())
G_DECLARE_FINAL_TYPE(UbSparseReader, ub_sparse_reader, UB, SPARSE_READER, GInputStream)

UbSparseReader *
ub_sparse_reader_new(GInputStream *base,
		     UbSparseParseFlags flags,
		     GCancellable *cancellable,
		     GError **error);
void
ub_sparse_reader_set_close_base(UbSparseReader *self, gboolean close_base);
const UbSparseHeader *
ub_sparse_reader_get_header(UbSparseReader *self);
guint64
ub_sparse_reader_get_size(UbSparseReader *self);

UbSparseImage *
ub_sparse_reader_scan(GInputStream *stream,
		      UbSparseParseFlags flags,
		      GCancellable *cancellable,
		      GError **error);

G_END_DECLS
