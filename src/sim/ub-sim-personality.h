/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"
#include "ub-sim-faults.h"
#include "ub-sim-storage.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_PERSONALITY (ub_sim_personality_get_type())
G_DECLARE_DERIVABLE_TYPE(UbSimPersonality, ub_sim_personality, UB, SIM_PERSONALITY, GObject)

/**
 * UbSimPersonalityClass:
 * @serve: speak the protocol from the device side of @transport until the host
 *   disconnects, the phone "reboots" (return TRUE), or @cancellable fires
 *
 * One protocol of the simulated phone (fastboot, EDL, MTK). Runs in its own
 * thread; reads and writes only through @transport, keeps data in the storage.
 */
struct _UbSimPersonalityClass {
	GObjectClass parent_class;
	gboolean (*serve)(UbSimPersonality *self,
			  UbTransport *transport,
			  GCancellable *cancellable,
			  GError **error);
	gpointer padding[8];
};

UbSimStorage *
ub_sim_personality_get_storage(UbSimPersonality *self);
UbSimFaults *
ub_sim_personality_get_faults(UbSimPersonality *self);
gboolean
ub_sim_personality_count_command(UbSimPersonality *self);
guint
ub_sim_personality_get_command_count(UbSimPersonality *self);
gboolean
ub_sim_personality_serve(UbSimPersonality *self,
			 UbTransport *transport,
			 GCancellable *cancellable,
			 GError **error);

const gchar *
ub_sim_personality_getenv(const gchar *name);
gboolean
ub_sim_personality_parse_u64(const gchar *name,
			     const gchar *str,
			     guint64 max,
			     guint64 *value,
			     GError **error);
void
ub_sim_personality_getenv_flag(const gchar *name, gboolean *value);

G_END_DECLS
