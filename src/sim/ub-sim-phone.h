/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"
#include "ub-sim-faults.h"
#include "ub-sim-personality.h"
#include "ub-sim-storage.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_PHONE (ub_sim_phone_get_type())
G_DECLARE_FINAL_TYPE(UbSimPhone, ub_sim_phone, UB, SIM_PHONE, GObject)

/* environment variable read by ub_sim_phone_new_in_process(): a fault spec */
#define UB_SIM_PHONE_ENV_FAULTS "UB_SIM_FAULTS"
/* wMaxPacketSize of the in-process pipe, as on a USB 2.0 high-speed bulk endpoint */
#define UB_SIM_PHONE_MAX_PACKET_SIZE 512
/* a MediaTek BootROM is USB full speed */
#define UB_SIM_PHONE_MTK_BROM_PACKET_SIZE 64

void
ub_sim_phone_register_kind(const gchar *kind, GType personality_type);
gboolean
ub_sim_phone_check_kind(const gchar *kind, GError **error);

UbSimPhone *
ub_sim_phone_new(const gchar *kind, UbSimStorage *storage, UbSimFaults *faults, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
UbSimPhone *
ub_sim_phone_new_in_process(const gchar *spec, UbTransport **host_end, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

const gchar *
ub_sim_phone_get_kind(UbSimPhone *self);
UbSimStorage *
ub_sim_phone_get_storage(UbSimPhone *self);
UbSimFaults *
ub_sim_phone_get_faults(UbSimPhone *self);
UbSimPersonality *
ub_sim_phone_get_personality(UbSimPhone *self);
UbTransport *
ub_sim_phone_get_transport(UbSimPhone *self);

gboolean
ub_sim_phone_serve(UbSimPhone *self,
		   UbTransport *device_end,
		   GCancellable *cancellable,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_phone_start(UbSimPhone *self, UbTransport *device_end, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_phone_is_running(UbSimPhone *self);
gboolean
ub_sim_phone_wait(UbSimPhone *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_sim_phone_stop(UbSimPhone *self);
/* after a reboot into fastboot/fastbootd: the host end of the phone's next
 * session, on a new memory pair (see the doc comment in ub-sim-phone.c) */
UbTransport *
ub_sim_phone_wait_reconnect(UbSimPhone *self,
			    guint timeout_ms,
			    GCancellable *cancellable,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
