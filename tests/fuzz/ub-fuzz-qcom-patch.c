/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "formats/ub-qcom-patch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbQcomPatch) patch = ub_qcom_patch_parse(data, size, NULL);
	guint8 disk[64 * 512] = {0};
	GPtrArray *entries;
	guint n_ok = 0;
	guint n_applied = 0;

	if (patch == NULL)
		return 0;
	entries = ub_qcom_patch_get_entries(patch);
	for (guint i = 0; i < entries->len; i++) {
		UbQcomPatchEntry *entry = g_ptr_array_index(entries, i);
		g_autofree gchar *attrs = ub_qcom_patch_entry_to_xml_attrs(entry);
		g_assert_nonnull(attrs);
		g_assert_cmpuint(entry->size_in_bytes, >=, 1);
		g_assert_cmpuint(entry->size_in_bytes, <=, 8);
		/* a small disk: every write and CRC must stay inside the buffer */
		if (ub_qcom_patch_entry_apply(entry, disk, sizeof(disk), 0, 64, NULL))
			n_ok++;
		if (ub_qcom_patch_entry_apply(entry, disk, sizeof(disk), 8, 72, NULL))
			n_ok++;
	}
	if (ub_qcom_patch_apply_to_disk(patch, 0, disk, sizeof(disk), 0, 64, &n_applied, NULL))
		g_assert_cmpuint(n_applied, <=, entries->len);
	g_assert_cmpuint(n_ok, <=, 2 * entries->len);
	return 0;
}
