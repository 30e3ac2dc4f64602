/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-transport.h"
#include "ub-umockdev-sim.h"

G_BEGIN_DECLS

/* the device side of a UbUmockdevSim as a UbTransport, so a simulated phone
 * personality serves the real libusb code path: every OUT transfer the host
 * submits is read here (one transfer per read, a zero-length packet reads as
 * 0), every write is one IN transfer, and closing this end unplugs the device */

#define UB_TYPE_UMOCKDEV_TRANSPORT (ub_umockdev_transport_get_type())
G_DECLARE_FINAL_TYPE(UbUmockdevTransport, ub_umockdev_transport, UB, UMOCKDEV_TRANSPORT, GObject)

/* device data a write may queue ahead of the host's reads before it waits */
#define UB_UMOCKDEV_TRANSPORT_IN_HIGH_WATER (4 * 1024 * 1024)

UbTransport *
ub_umockdev_transport_new(UbUmockdevSim *sim);
UbUmockdevSim *
ub_umockdev_transport_new_fastboot_sim(const gchar *path,
				       guint16 vid,
				       guint16 pid,
				       const gchar *serial);
guint64
ub_umockdev_transport_get_bytes_received(UbUmockdevTransport *self);
guint
ub_umockdev_transport_get_transfers_received(UbUmockdevTransport *self);
guint64
ub_umockdev_transport_get_bytes_sent(UbUmockdevTransport *self);

G_END_DECLS
