/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ub-core.h"

G_BEGIN_DECLS

/**
 * UbReadbackPage:
 *
 * The Read back tab, like SP Flash Tool's Readback tab: rows of name / region /
 * start / length / output file, each with a checkbox. Rows are added from the
 * phone's partition table ("Add partitions from phone", enabled once the
 * phone's table was read) or by hand ("Add region": region, start, length as
 * decimal or 0x hex, checked against the phone's regions). An output folder
 * (default ~/Unbrick/Read back/PHONE-DATE) names each file NAME.img.
 * "Read back everything" reads every partition into a folder (EDL: a flat build
 * that can be flashed back, through the engine's flat-build read back).
 *
 * Accessible names: "Read back rows", check buttons "Read back NAME", "Add
 * partitions from phone", "Add region", "Remove row", "Output folder", "Read
 * back", "Read back everything".
 *
 * Signals: "start" (no args).
 */
#define UB_TYPE_READBACK_PAGE (ub_readback_page_get_type())
G_DECLARE_FINAL_TYPE(UbReadbackPage, ub_readback_page, UB, READBACK_PAGE, GtkBox)

void
ub_readback_page_set_device(UbReadbackPage *self, UbDevice *device);
UbPlan *
ub_readback_page_build_plan(UbReadbackPage *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_readback_page_set_job(UbReadbackPage *self, UbJob *job);
gboolean
ub_readback_page_get_ready(UbReadbackPage *self);
/* for tests: the output folder and the rows */
void
ub_readback_page_set_output_dir(UbReadbackPage *self, const gchar *dir);
const gchar *
ub_readback_page_get_output_dir(UbReadbackPage *self);
void
ub_readback_page_add_partition(UbReadbackPage *self, const gchar *name);

G_END_DECLS
