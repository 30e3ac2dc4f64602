/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"

G_DEFINE_QUARK(ub-error-quark, ub_error)

/**
 * ub_error_code_to_string:
 * @code: a #UbError
 *
 * Returns: a stable, untranslated identifier, as used in JSON output
 */
const gchar *
ub_error_code_to_string(UbError code)
{
	switch (code) {
	case UB_ERROR_INTERNAL:
		return "internal";
	case UB_ERROR_NOT_SUPPORTED:
		return "not-supported";
	case UB_ERROR_NOT_FOUND:
		return "not-found";
	case UB_ERROR_INVALID_DATA:
		return "invalid-data";
	case UB_ERROR_PROTOCOL:
		return "protocol";
	case UB_ERROR_TIMED_OUT:
		return "timed-out";
	case UB_ERROR_PERMISSION_DENIED:
		return "permission-denied";
	case UB_ERROR_DEVICE_GONE:
		return "device-gone";
	case UB_ERROR_NEEDS_REPLUG:
		return "needs-replug";
	case UB_ERROR_AUTH_REQUIRED:
		return "auth-required";
	case UB_ERROR_REFUSED:
		return "refused";
	case UB_ERROR_BUSY:
		return "busy";
	case UB_ERROR_IO:
		return "io";
	case UB_ERROR_LAST:
	default:
		return "unknown";
	}
}

/**
 * ub_error_is_cancelled:
 * @error: (nullable): an error
 *
 * Returns: %TRUE if @error is the one error front-ends must never show
 */
gboolean
ub_error_is_cancelled(const GError *error)
{
	return error != NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static UbError
ub_error_code_from_gio(gint code)
{
	switch (code) {
	case G_IO_ERROR_NOT_FOUND:
		return UB_ERROR_NOT_FOUND;
	case G_IO_ERROR_NOT_SUPPORTED:
		return UB_ERROR_NOT_SUPPORTED;
	case G_IO_ERROR_TIMED_OUT:
		return UB_ERROR_TIMED_OUT;
	case G_IO_ERROR_PERMISSION_DENIED:
		return UB_ERROR_PERMISSION_DENIED;
	case G_IO_ERROR_INVALID_DATA:
	case G_IO_ERROR_INVALID_ARGUMENT:
	case G_IO_ERROR_PARTIAL_INPUT:
		return UB_ERROR_INVALID_DATA;
	case G_IO_ERROR_BUSY:
	case G_IO_ERROR_PENDING:
	case G_IO_ERROR_WOULD_BLOCK:
		return UB_ERROR_BUSY;
	case G_IO_ERROR_BROKEN_PIPE:
	case G_IO_ERROR_NOT_CONNECTED:
	case G_IO_ERROR_CONNECTION_REFUSED:
		return UB_ERROR_DEVICE_GONE;
	default:
		return UB_ERROR_IO;
	}
}

/**
 * ub_error_convert:
 * @perror: (inout) (nullable): an error from another domain
 *
 * Converts GIO and GLib file errors into %UB_ERROR at a boundary, keeping the
 * message; %G_IO_ERROR_CANCELLED is left alone.
 */
void
ub_error_convert(GError **perror)
{
	GError *error = (perror != NULL) ? *perror : NULL;
	if (error == NULL || error->domain == UB_ERROR || ub_error_is_cancelled(error))
		return;
	if (error->domain == G_IO_ERROR) {
		error->code = ub_error_code_from_gio(error->code);
	} else if (error->domain == G_FILE_ERROR) {
		switch (error->code) {
		case G_FILE_ERROR_NOENT:
			error->code = UB_ERROR_NOT_FOUND;
			break;
		case G_FILE_ERROR_ACCES:
		case G_FILE_ERROR_PERM:
			error->code = UB_ERROR_PERMISSION_DENIED;
			break;
		default:
			error->code = UB_ERROR_IO;
			break;
		}
	} else {
		error->code = UB_ERROR_INTERNAL;
	}
	error->domain = UB_ERROR;
}
