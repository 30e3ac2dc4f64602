/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "formats/ub-sparse-image.h"

G_BEGIN_DECLS

#define UB_TYPE_SPARSE_SPLITTER (ub_sparse_splitter_get_type())
G_DECLARE_FINAL_TYPE(UbSparseSplitter, ub_sparse_splitter, UB, SPARSE_SPLITTER, GObject)

UbSparseSplitter *
ub_sparse_splitter_new(UbSparseImage *layout, guint64 max_size, GError **error);
guint64
ub_sparse_splitter_get_min_max_size(guint32 blk_sz);
guint
ub_sparse_splitter_get_n_pieces(UbSparseSplitter *self);
UbSparseImage *
ub_sparse_splitter_get_piece(UbSparseSplitter *self, guint idx);
guint64
ub_sparse_splitter_get_piece_size(UbSparseSplitter *self, guint idx);
GInputStream *
ub_sparse_splitter_open_piece(UbSparseSplitter *self,
			      guint idx,
			      GInputStream *source,
			      GError **error);

G_END_DECLS
