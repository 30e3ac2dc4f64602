/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "sim/ub-sim-mtk.h"
#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-storage.h"
#include "ub-core.h"

G_BEGIN_DECLS

/*
 * Shared by the MediaTek corpus and fault tests: a simulated MTK phone in
 * this process behind an in-memory pipe, driven by UbMtkDevice with the demo
 * Download Agent file (ub_demo_package_make_da), the speed switch followed.
 */

/**
 * UbMtkTestPhone:
 * @tmpdir: the storage folder and the DA file
 * @storage: the phone's storage
 * @phone: the simulated phone, serving the device end of the pipe
 * @sim: its MediaTek personality
 * @host: the host end of the pipe
 * @dev: the device end
 * @device: the MediaTek engine on @host
 * @n_reconnects: speed switches followed
 */
typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPhone *phone;
	UbSimMtk *sim;
	UbTransport *host;
	UbTransport *dev;
	UbDevice *device;
	guint n_reconnects;
} UbMtkTestPhone;

/* @faults: (nullable): a UbSimFaults spec; preloader mode needs no EMI settings */
UbMtkTestPhone *
ub_mtk_test_phone_new(const gchar *geometry,
		      const gchar *faults,
		      gboolean preloader,
		      gboolean full_speed,
		      GError **error);
void
ub_mtk_test_phone_free(UbMtkTestPhone *self);
/* makes the phone an MBR/EBR (PMT) era chip (@hw_code, e.g. 0x6572) and gives
 * the engine a DA file with a legacy entry for it */
gboolean
ub_mtk_test_phone_set_legacy(UbMtkTestPhone *self, guint16 hw_code, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbMtkTestPhone, ub_mtk_test_phone_free)

G_END_DECLS
