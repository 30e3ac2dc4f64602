/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define UB_ERROR ub_error_quark()

/**
 * UbError:
 *
 * The one error domain of the core. Cancellation is never reported with this
 * domain: it stays %G_IO_ERROR_CANCELLED so front-ends can stay quiet about it.
 */
typedef enum {
	UB_ERROR_INTERNAL,
	UB_ERROR_NOT_SUPPORTED,
	UB_ERROR_NOT_FOUND,
	UB_ERROR_INVALID_DATA,
	UB_ERROR_PROTOCOL,
	UB_ERROR_TIMED_OUT,
	UB_ERROR_PERMISSION_DENIED,
	UB_ERROR_DEVICE_GONE,
	UB_ERROR_NEEDS_REPLUG,
	UB_ERROR_AUTH_REQUIRED,
	UB_ERROR_REFUSED,
	UB_ERROR_BUSY,
	UB_ERROR_IO,
	UB_ERROR_LAST
} UbError;

GQuark
ub_error_quark(void);
const gchar *
ub_error_code_to_string(UbError code);
void
ub_error_convert(GError **perror);
gboolean
ub_error_is_cancelled(const GError *error);

G_END_DECLS
