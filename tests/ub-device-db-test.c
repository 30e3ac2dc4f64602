/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

static void
ub_device_db_lookup_func(void)
{
	const UbDeviceDbEntry *e;

	e = ub_device_db_lookup(0x05c6, 0x9008, 0xff, 0xff, 0xff);
	g_assert_nonnull(e);
	g_assert_cmpint(e->mode, ==, UB_DEVICE_MODE_EDL);
	g_assert_cmpint(ub_device_mode_get_protocol(e->mode), ==, UB_PROTOCOL_EDL);

	e = ub_device_db_lookup(0x0e8d, 0x0003, 0x02, 0x02, 0x01);
	g_assert_nonnull(e);
	g_assert_cmpint(e->mode, ==, UB_DEVICE_MODE_MTK_BROM);
	e = ub_device_db_lookup(0x0e8d, 0x2000, 0x0a, 0x00, 0x00);
	g_assert_nonnull(e);
	g_assert_cmpint(e->mode, ==, UB_DEVICE_MODE_MTK_PRELOADER);
	e = ub_device_db_lookup(0x0e8d, 0x2001, -1, -1, -1);
	g_assert_nonnull(e);
	g_assert_cmpint(e->mode, ==, UB_DEVICE_MODE_MTK_DA);

	/* fastboot by interface, whatever the vendor */
	e = ub_device_db_lookup(0x1234, 0x5678, 0xff, 0x42, 0x03);
	g_assert_nonnull(e);
	g_assert_cmpint(e->mode, ==, UB_DEVICE_MODE_FASTBOOT);
	e = ub_device_db_lookup(0x18d1, 0x4ee0, 0xff, 0x42, 0x03);
	g_assert_nonnull(e);
	g_assert_cmpint(ub_device_mode_get_protocol(e->mode), ==, UB_PROTOCOL_FASTBOOT);

	/* adb (ff/42/01) on the same phone is not fastboot */
	g_assert_null(ub_device_db_lookup(0x18d1, 0x4ee7, 0xff, 0x42, 0x01));
	/* a Qualcomm device in another mode is not EDL */
	g_assert_null(ub_device_db_lookup(0x05c6, 0x900e, 0xff, 0xff, 0xff));
	g_assert_null(ub_device_db_lookup(0x0e8d, 0x2008, -1, -1, -1));
}

static void
ub_device_db_entries_func(void)
{
	gsize n = 0;
	gsize n_vendors = 0;
	const UbDeviceDbEntry *entries = ub_device_db_get_entries(&n);
	const guint16 *vendors = ub_device_db_get_fastboot_vendors(&n_vendors);
	gboolean seen[UB_DEVICE_MODE_LAST] = {FALSE};

	g_assert_cmpuint(n, >=, 5);
	for (gsize i = 0; i < n; i++) {
		g_assert_nonnull(entries[i].name);
		/* a row matches by ids or by interface, never neither */
		g_assert_true(entries[i].vid != 0 || entries[i].if_class >= 0);
		seen[entries[i].mode] = TRUE;
	}
	g_assert_true(seen[UB_DEVICE_MODE_EDL]);
	g_assert_true(seen[UB_DEVICE_MODE_MTK_BROM]);
	g_assert_true(seen[UB_DEVICE_MODE_MTK_PRELOADER]);
	g_assert_true(seen[UB_DEVICE_MODE_MTK_DA]);
	g_assert_true(seen[UB_DEVICE_MODE_FASTBOOT]);
	g_assert_cmpuint(n_vendors, >=, 10);
	for (gsize i = 0; i < n_vendors; i++) {
		for (gsize j = i + 1; j < n_vendors; j++)
			g_assert_cmpuint(vendors[i], !=, vendors[j]);
	}
}

static void
ub_device_db_strings_func(void)
{
	for (guint i = 1; i < UB_DEVICE_MODE_LAST; i++) {
		g_assert_cmpstr(ub_device_mode_to_string(i), !=, "unknown");
		g_assert_cmpint(ub_device_mode_get_protocol(i), !=, UB_PROTOCOL_UNKNOWN);
	}
	for (guint i = 1; i < UB_PROTOCOL_LAST; i++)
		g_assert_cmpstr(ub_protocol_to_string(i), !=, "unknown");
	g_assert_cmpint(ub_device_mode_get_protocol(UB_DEVICE_MODE_FASTBOOTD), ==, UB_PROTOCOL_FASTBOOT);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/device-db/lookup", ub_device_db_lookup_func);
	g_test_add_func("/ub/core/device-db/entries", ub_device_db_entries_func);
	g_test_add_func("/ub/core/device-db/strings", ub_device_db_strings_func);
	return g_test_run();
}
