/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-demo-package.h"
#include "mtk/ub-mtk-da-file.h"
#include "mtk/ub-mtk-device.h"
#include "mtk/ub-mtk-proto.h"
#include "ub-edl-test-common.h"
#include "ub-memory-transport.h"
#include "ub-mtk-test-common.h"

/* the phone comes back on a new pipe after SWITCH_USB_SPEED */
static UbTransport *
ub_mtk_test_reconnect_cb(UbDevice *device,
			 UbDeviceMode mode,
			 guint timeout_ms,
			 GCancellable *cancellable,
			 gpointer user_data,
			 GError **error)
{
	UbMtkTestPhone *self = user_data;
	UbTransport *host = NULL;
	g_autoptr(UbTransport) dev = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!ub_sim_phone_wait(self->phone, &error_local))
		g_debug("previous session: %s", error_local->message);
	ub_memory_transport_new_pair(512, &host, &dev);
	if (!ub_sim_phone_start(self->phone, dev, error)) {
		g_object_unref(host);
		return NULL;
	}
	g_set_object(&self->dev, dev);
	self->n_reconnects++;
	return host;
}

UbMtkTestPhone *
ub_mtk_test_phone_new(const gchar *geometry,
		      const gchar *faults,
		      gboolean preloader,
		      gboolean full_speed,
		      GError **error)
{
	g_autoptr(UbMtkTestPhone) self = g_new0(UbMtkTestPhone, 1);
	g_autoptr(UbSimFaults) sim_faults = NULL;
	g_autoptr(GBytes) da = NULL;
	g_autofree gchar *da_fn = NULL;
	g_autoptr(GFile) da_file = NULL;

	self->tmpdir = g_dir_make_tmp("ub-mtk-test-XXXXXX", error);
	if (self->tmpdir == NULL)
		return NULL;
	self->storage = ub_sim_storage_open(self->tmpdir, geometry, error);
	if (self->storage == NULL)
		return NULL;
	sim_faults = ub_sim_faults_new_from_string(faults, error);
	if (sim_faults == NULL)
		return NULL;
	self->phone = ub_sim_phone_new("mtk", self->storage, sim_faults, error);
	if (self->phone == NULL)
		return NULL;
	self->sim = UB_SIM_MTK(ub_sim_phone_get_personality(self->phone));
	ub_sim_mtk_set_preloader_mode(self->sim, preloader);
	ub_sim_mtk_set_full_speed(self->sim, full_speed);

	/* the DA file of the demo, in the real format */
	da = ub_demo_package_make_da(error);
	if (da == NULL)
		return NULL;
	da_fn = g_build_filename(self->tmpdir, UB_DEMO_MTK_DA_FILE, NULL);
	if (!g_file_set_contents(da_fn,
				 g_bytes_get_data(da, NULL),
				 (gssize)g_bytes_get_size(da),
				 error))
		return NULL;
	da_file = g_file_new_for_path(da_fn);

	ub_memory_transport_new_pair(512, &self->host, &self->dev);
	if (!ub_sim_phone_start(self->phone, self->dev, error))
		return NULL;
	self->device = ub_device_new_for_transport(self->host,
						   preloader ? UB_DEVICE_MODE_MTK_PRELOADER
							     : UB_DEVICE_MODE_MTK_BROM,
						   FALSE,
						   error);
	if (self->device == NULL)
		return NULL;
	ub_device_set_reconnect_func(self->device, ub_mtk_test_reconnect_cb, self, NULL);
	ub_mtk_device_set_da_file(UB_MTK_DEVICE(self->device), da_file);
	return g_steal_pointer(&self);
}

gboolean
ub_mtk_test_phone_set_legacy(UbMtkTestPhone *self, guint16 hw_code, GError **error)
{
	const UbMtkChip *chip = ub_mtk_chip_lookup(hw_code);
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	UbMtkDaEntry *entry = g_new0(UbMtkDaEntry, 1);
	const gsize sizes[] = {0x100, 0x3000 + 0x100, 0x2800 + 0x100};
	g_autoptr(GBytes) da = NULL;
	g_autofree gchar *da_fn = g_build_filename(self->tmpdir, "MTK_AllInOne_DA_legacy.bin", NULL);
	g_autoptr(GFile) da_file = g_file_new_for_path(da_fn);

	g_assert_nonnull(chip);
	g_assert_true(ub_mtk_chip_is_pmt_era(chip));
	entry->hw_code = chip->da_code;
	entry->n_regions = 3;
	entry->regions[1].load_addr = chip->da_payload_addr;
	entry->regions[1].sig_len = 0x100;
	entry->regions[2].load_addr = 0x80000000;
	entry->regions[2].sig_len = 0x100;
	g_ptr_array_add(entries, entry);
	for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
		guint8 *buf = g_malloc(sizes[i]);
		memset(buf, 0x40 + i, sizes[i]);
		g_ptr_array_add(blobs, g_bytes_new_take(buf, sizes[i]));
	}
	da = ub_mtk_da_file_build("MTK_AllInOne_DA legacy test", entries, blobs, error);
	if (da == NULL)
		return FALSE;
	if (!g_file_set_contents(da_fn, g_bytes_get_data(da, NULL), (gssize)g_bytes_get_size(da), error))
		return FALSE;
	ub_sim_mtk_set_hw_code(self->sim, hw_code);
	ub_mtk_device_set_da_file(UB_MTK_DEVICE(self->device), da_file);
	return TRUE;
}

void
ub_mtk_test_phone_free(UbMtkTestPhone *self)
{
	if (self->device != NULL) {
		ub_device_close(self->device);
		ub_transport_close(ub_device_get_transport(self->device));
	} else if (self->host != NULL) {
		ub_transport_close(self->host);
	}
	if (self->phone != NULL)
		ub_sim_phone_stop(self->phone);
	g_clear_object(&self->device);
	g_clear_object(&self->phone);
	g_clear_object(&self->host);
	g_clear_object(&self->dev);
	g_clear_object(&self->storage);
	if (self->tmpdir != NULL)
		ub_edl_test_rmtree(self->tmpdir);
	g_free(self->tmpdir);
	g_free(self);
}
