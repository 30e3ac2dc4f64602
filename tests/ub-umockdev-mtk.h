/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "sim/ub-sim-mtk.h"
#include "ub-transport.h"
#include "ub-umockdev-sim.h"

G_BEGIN_DECLS

/*
 * A simulated MediaTek phone on a umockdev USB bus, as a real one presents
 * itself: a CDC ACM device (interface 0 communication class with an
 * interrupt IN 0x83, interface 1 CDC data with bulk IN 0x81 / OUT 0x01),
 * BootROM 0e8d:0003 at full speed (64-byte bulk packets), preloader
 * 0e8d:2000 and the DA 0e8d:2001 at high speed (512). A thread serves the
 * UbSimMtk personality session after session: when the DA switches to high
 * speed the phone leaves the bus and comes back as 0e8d:2001 on the same
 * port (a new device address), the DA's state kept; when a preloader's
 * handshake window passes, the BootROM resets or the DA shuts down, the
 * phone leaves the bus for good.
 *
 * The object is the phone's end of the pipe (a UbTransport handed to the
 * personality), so it sees the first byte the host sends after the arrival.
 */

#define UB_TYPE_UMOCKDEV_MTK (ub_umockdev_mtk_get_type())
G_DECLARE_FINAL_TYPE(UbUmockdevMtk, ub_umockdev_mtk, UB, UMOCKDEV_MTK, GObject)

/* how long the phone is away between leaving as DA at full speed and coming back as 0e8d:2001 */
#define UB_UMOCKDEV_MTK_REENUMERATE_MS 50

UbUmockdevSim *
ub_umockdev_mtk_sim_new(const gchar *path, guint16 pid);
UbUmockdevMtk *
ub_umockdev_mtk_new(UMockdevTestbed *testbed, const gchar *path, UbSimMtk *sim);
gboolean
ub_umockdev_mtk_start(UbUmockdevMtk *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_umockdev_mtk_pull_cable(UbUmockdevMtk *self);
void
ub_umockdev_mtk_stop(UbUmockdevMtk *self);
gboolean
ub_umockdev_mtk_wait_gone(UbUmockdevMtk *self, guint timeout_ms);
gboolean
ub_umockdev_mtk_is_gone(UbUmockdevMtk *self);
guint
ub_umockdev_mtk_get_plug_count(UbUmockdevMtk *self);
guint16
ub_umockdev_mtk_get_pid(UbUmockdevMtk *self);
gint64
ub_umockdev_mtk_get_first_byte_latency(UbUmockdevMtk *self);
guint64
ub_umockdev_mtk_get_bytes_received(UbUmockdevMtk *self);
guint64
ub_umockdev_mtk_get_bytes_sent(UbUmockdevMtk *self);
gchar *
ub_umockdev_mtk_get_serve_error(UbUmockdevMtk *self);

G_END_DECLS
