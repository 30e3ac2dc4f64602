/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <umockdev.h>

G_BEGIN_DECLS

/* a simulated USB device in a umockdev test bed that answers libusb's usbfs
 * ioctls, so the real libusb code paths run against it: descriptors, string
 * descriptors, claim, bulk URBs in both directions, discard (timeouts and
 * cancellation) and surprise removal */

#define UB_TYPE_UMOCKDEV_SIM (ub_umockdev_sim_get_type())
G_DECLARE_FINAL_TYPE(UbUmockdevSim, ub_umockdev_sim, UB, UMOCKDEV_SIM, GObject)

/**
 * UbUmockdevSimOutFunc:
 * @sim: the simulated device
 * @endpoint: the OUT endpoint address
 * @buf: (nullable): the data of one OUT transfer, %NULL for a ZLP
 * @bufsz: its length, 0 for a zero-length packet
 * @user_data: what was given to ub_umockdev_sim_set_out_func()
 *
 * The device side: called on umockdev's handler thread for every OUT transfer,
 * with no lock held, so it may call ub_umockdev_sim_push_in().
 */
typedef void (*UbUmockdevSimOutFunc)(UbUmockdevSim *sim,
				     guint8 endpoint,
				     const guint8 *buf,
				     gsize bufsz,
				     gpointer user_data);

UbUmockdevSim *
ub_umockdev_sim_new(const gchar *path, guint16 vid, guint16 pid);
void
ub_umockdev_sim_set_strings(UbUmockdevSim *self,
			    const gchar *manufacturer,
			    const gchar *product,
			    const gchar *serial);
void
ub_umockdev_sim_set_endpoints(UbUmockdevSim *self, guint8 ep_in, guint8 ep_out);
void
ub_umockdev_sim_set_config_descriptor(UbUmockdevSim *self, const guint8 *buf, gsize bufsz);
void
ub_umockdev_sim_set_out_func(UbUmockdevSim *self, UbUmockdevSimOutFunc func, gpointer user_data);
/**
 * UbUmockdevSimOutRecord:
 * @length: bytes of one OUT transfer, 0 for a zero-length packet
 * @head: its first bytes (zeros past @length)
 */
typedef struct {
	guint32 length;
	guint8 head[8];
} UbUmockdevSimOutRecord;

void
ub_umockdev_sim_set_record_out(UbUmockdevSim *self, gboolean record);
GArray *
ub_umockdev_sim_steal_out_lengths(UbUmockdevSim *self);
gboolean
ub_umockdev_sim_plug(UbUmockdevSim *self, UMockdevTestbed *testbed, GError **error);
void
ub_umockdev_sim_push_in(UbUmockdevSim *self, const guint8 *buf, gsize bufsz);
void
ub_umockdev_sim_unplug(UbUmockdevSim *self);
guint
ub_umockdev_sim_get_pending_in(UbUmockdevSim *self);
guint
ub_umockdev_sim_get_queued_in(UbUmockdevSim *self);
void
ub_umockdev_sim_set_hold_out(UbUmockdevSim *self, gboolean hold_out);
gboolean
ub_umockdev_sim_complete_out(UbUmockdevSim *self);
guint
ub_umockdev_sim_get_out_in_flight(UbUmockdevSim *self);
guint
ub_umockdev_sim_get_max_out_in_flight(UbUmockdevSim *self);
const gchar *
ub_umockdev_sim_get_sysfs_path(UbUmockdevSim *self);
const gchar *
ub_umockdev_sim_get_devnode(UbUmockdevSim *self);
gboolean
ub_umockdev_sim_in_mock_environment(UMockdevTestbed *testbed);

G_END_DECLS
