/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

const gchar *
ub_text_status_to_text(UbStatus status);
const gchar *
ub_text_mode_to_text(UbDeviceMode mode);
const gchar *
ub_text_protocol_to_text(UbProtocol protocol);
gchar *
ub_text_format_size(guint64 bytes);

G_END_DECLS
