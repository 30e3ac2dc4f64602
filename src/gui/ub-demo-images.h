/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-core.h"

G_BEGIN_DECLS

void
ub_demo_images_make_async(GCancellable *cancellable,
			  GAsyncReadyCallback callback,
			  gpointer user_data);
UbPlan *
ub_demo_images_make_finish(GAsyncResult *res, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
