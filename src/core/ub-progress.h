/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * UbStatus:
 *
 * What the engine is doing; front-ends translate these, the core never shows text.
 */
typedef enum {
	UB_STATUS_IDLE,
	UB_STATUS_WAITING_FOR_DEVICE,
	UB_STATUS_CONNECTING,
	UB_STATUS_IDENTIFYING,
	UB_STATUS_CHECKING,
	UB_STATUS_BACKING_UP,
	UB_STATUS_READING,
	UB_STATUS_WRITING,
	UB_STATUS_ERASING,
	UB_STATUS_VERIFYING,
	UB_STATUS_REBOOTING,
	UB_STATUS_BUSY,
	UB_STATUS_LAST
} UbStatus;

const gchar *
ub_status_to_string(UbStatus status);

#define UB_TYPE_PROGRESS (ub_progress_get_type())
G_DECLARE_FINAL_TYPE(UbProgress, ub_progress, UB, PROGRESS, GObject)

UbProgress *
ub_progress_new(void);
void
ub_progress_add_step(UbProgress *self, UbStatus status, guint weight, const gchar *name);
void
ub_progress_set_steps(UbProgress *self, guint steps);
UbProgress *
ub_progress_get_child(UbProgress *self);
void
ub_progress_step_done(UbProgress *self);
void
ub_progress_finished(UbProgress *self);
void
ub_progress_set_fraction(UbProgress *self, gdouble fraction);
gdouble
ub_progress_get_fraction(UbProgress *self);
void
ub_progress_set_status(UbProgress *self, UbStatus status);
UbStatus
ub_progress_get_status(UbProgress *self);
const gchar *
ub_progress_get_step_name(UbProgress *self);
void
ub_progress_set_bytes(UbProgress *self, guint64 done, guint64 total);
void
ub_progress_set_bytes_total(UbProgress *self, guint64 total);
guint64
ub_progress_get_bytes_done(UbProgress *self);
guint64
ub_progress_get_bytes_total(UbProgress *self);
void
ub_progress_log(UbProgress *self, const gchar *fmt, ...) G_GNUC_PRINTF(2, 3);
void
ub_progress_set_cancelable(UbProgress *self, gboolean cancelable);
gboolean
ub_progress_get_cancelable(UbProgress *self);

G_END_DECLS
