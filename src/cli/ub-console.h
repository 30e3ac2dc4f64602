/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

#define UB_TYPE_CONSOLE (ub_console_get_type())
G_DECLARE_FINAL_TYPE(UbConsole, ub_console, UB, CONSOLE, GObject)

UbConsole *
ub_console_new(gboolean quiet);
void
ub_console_watch_job(UbConsole *self, UbJob *job);
void
ub_console_finish(UbConsole *self);

G_END_DECLS
