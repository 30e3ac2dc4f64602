/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* sorts after systemd's 70-uaccess.rules and before 73-seat-late.rules, where
 * the uaccess tag becomes an ACL for the user at the seat */
#define UB_UDEV_RULES_FILENAME "71-unbrick.rules"

gchar *
ub_udev_rules_to_string(void);
GPtrArray *
ub_udev_rules_get_modaliases(void);

G_END_DECLS
