/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"
#include "ub-sim-faults.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_FAULT_TRANSPORT (ub_sim_fault_transport_get_type())
G_DECLARE_FINAL_TYPE(UbSimFaultTransport,
		     ub_sim_fault_transport,
		     UB,
		     SIM_FAULT_TRANSPORT,
		     GObject)

UbTransport *
ub_sim_fault_transport_new(UbTransport *inner, UbSimFaults *faults);
UbTransport *
ub_sim_fault_transport_get_inner(UbSimFaultTransport *self);
guint
ub_sim_fault_transport_get_transfers_sent(UbSimFaultTransport *self);
guint64
ub_sim_fault_transport_get_bytes_received(UbSimFaultTransport *self);

G_END_DECLS
