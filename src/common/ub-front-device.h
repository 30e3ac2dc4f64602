/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "formats/ub-package.h"
#include "ub-core.h"

G_BEGIN_DECLS

gboolean
ub_front_device_prepare(UbDevice *device,
			UbPackage *package,
			GFile *loader,
			GFile *auth,
			gboolean needs_storage,
			GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_front_device_use_package_preloader(UbDevice *device, UbPackage *package);
const gchar *
ub_front_device_get_kind(UbDevice *device);
const gchar *
ub_front_package_get_kind(UbPackage *package);

void
ub_front_json_add_device(JsonBuilder *b, UbDevice *device);

G_END_DECLS
