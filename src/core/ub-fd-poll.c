/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>

#include "ub-error.h"
#include "ub-fd-poll.h"

/* how often a wait wakes up to notice a close() from another thread */
#define UB_FD_POLL_CLOSED_SLICE_MS 200

/**
 * ub_fd_poll_deadline:
 * @timeout_ms: a transport timeout, 0 for none
 *
 * Returns: the monotonic time the timeout ends, or %G_MAXINT64 for no timeout
 */
gint64
ub_fd_poll_deadline(guint timeout_ms)
{
	if (timeout_ms == 0)
		return G_MAXINT64;
	return g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
}

/**
 * ub_fd_poll_wait:
 * @fd: a file descriptor
 * @events: %POLLIN or %POLLOUT
 * @deadline: from ub_fd_poll_deadline()
 * @closed: (nullable): an atomic flag another thread sets when the transport is
 *   closed; the wait then wakes up every 200 ms to check it
 * @name: the transport name, for messages
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Waits until @fd reports any event (@events, or an error or hang-up the caller
 * finds on its next read or write). Errors: %UB_ERROR_TIMED_OUT after @deadline,
 * %G_IO_ERROR_CANCELLED, %UB_ERROR_DEVICE_GONE once @closed is set, and
 * %UB_ERROR_IO when poll() itself fails.
 *
 * Returns: the revents of @fd (never 0), or -1 with @error set
 */
gint
ub_fd_poll_wait(gint fd,
		gshort events,
		gint64 deadline,
		const gint *closed,
		const gchar *name,
		GCancellable *cancellable,
		GError **error)
{
	struct pollfd fds[2] = {{.fd = fd, .events = events}, {.fd = -1, .events = POLLIN}};
	GPollFD cancel_fd = {0};
	gboolean has_cancel_fd =
	    cancellable != NULL && g_cancellable_make_pollfd(cancellable, &cancel_fd);
	gint ret = -1;

	if (has_cancel_fd)
		fds[1].fd = cancel_fd.fd;
	for (;;) {
		gint timeout = -1;
		gint rc;
		if (closed != NULL && g_atomic_int_get(closed)) {
			g_set_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE, "%s: closed", name);
			break;
		}
		if (deadline != G_MAXINT64) {
			gint64 left = deadline - g_get_monotonic_time();
			timeout = left > 0 ? (gint)MIN((left + 999) / 1000, G_MAXINT) : 0;
		}
		if (closed != NULL && (timeout < 0 || timeout > UB_FD_POLL_CLOSED_SLICE_MS))
			timeout = UB_FD_POLL_CLOSED_SLICE_MS;
		rc = poll(fds, has_cancel_fd ? 2 : 1, timeout);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			gint errsv = errno;
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_IO,
				    "%s: poll failed: %s",
				    name,
				    g_strerror(errsv));
			break;
		}
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			break;
		if (rc > 0 && fds[0].revents != 0) {
			ret = fds[0].revents;
			break;
		}
		if (deadline != G_MAXINT64 && g_get_monotonic_time() >= deadline) {
			g_set_error(error, UB_ERROR, UB_ERROR_TIMED_OUT, "%s: timed out", name);
			break;
		}
	}
	if (has_cancel_fd)
		g_cancellable_release_fd(cancellable);
	return ret;
}
