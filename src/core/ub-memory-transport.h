/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-transport.h"

G_BEGIN_DECLS

#define UB_TYPE_MEMORY_TRANSPORT (ub_memory_transport_get_type())
G_DECLARE_FINAL_TYPE(UbMemoryTransport, ub_memory_transport, UB, MEMORY_TRANSPORT, GObject)

/* a connected pair that behaves like a USB bulk pipe: every write is one
 * transfer (a read never returns bytes of two transfers), a zero-length write
 * is a ZLP, closing either end makes the other fail with DEVICE_GONE */
void
ub_memory_transport_new_pair(gsize max_packet_size,
			     UbTransport **host_end,
			     UbTransport **device_end);

G_END_DECLS
