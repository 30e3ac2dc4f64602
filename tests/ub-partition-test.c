/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-core.h"

static void
ub_partition_calibration_func(void)
{
	const gchar *calibration[] = {"nvram", "nvdata", "protect1", "protect2", "persist",
				      "modemst1", "modemst2", "fsg", "efs", "NVRAM",
				      "persist_a", "proinfo", "efs2", "md1nvram", "devinfo", "modemst2_b", NULL};
	const gchar *ordinary[] = {"boot", "boot_a", "system", "userdata", "super", "vbmeta_b",
				   "cache", "recovery", "persistence", "metadata", "frp", "modem_a", "md1img", NULL};
	for (guint i = 0; calibration[i] != NULL; i++)
		g_assert_true(ub_partition_name_is_calibration(calibration[i]));
	for (guint i = 0; ordinary[i] != NULL; i++)
		g_assert_false(ub_partition_name_is_calibration(ordinary[i]));
	g_assert_false(ub_partition_name_is_calibration(NULL));
	/* every flagged name says why */
	g_assert_nonnull(strstr(ub_partition_calibration_reason("modemst1"), "IMEI"));
	g_assert_nonnull(strstr(ub_partition_calibration_reason("NVDATA"), "MediaTek"));
	g_assert_null(ub_partition_calibration_reason("boot_a"));
}

static void
ub_partition_bootloader_func(void)
{
	g_assert_true(ub_partition_name_is_bootloader("preloader"));
	g_assert_true(ub_partition_name_is_bootloader("xbl_a"));
	g_assert_true(ub_partition_name_is_bootloader("xbl_config_b"));
	g_assert_true(ub_partition_name_is_bootloader("sbl1"));
	g_assert_true(ub_partition_name_is_bootloader("lk"));
	g_assert_true(ub_partition_name_is_bootloader("abl_a"));
	g_assert_false(ub_partition_name_is_bootloader("logo"));
	g_assert_false(ub_partition_name_is_bootloader("system"));
	g_assert_false(ub_partition_name_is_bootloader("tzzz"));
}

static void
ub_partition_object_func(void)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	UbPartition *p;
	g_ptr_array_add(parts, ub_partition_new("boot_a", "user", 0x100000, 0x4000000));
	g_ptr_array_add(parts, ub_partition_new("nvdata", "user", 0x8000000, 0x2000000));
	p = ub_partition_array_find(parts, "boot_a");
	g_assert_nonnull(p);
	g_assert_cmpstr(ub_partition_get_region(p), ==, "user");
	g_assert_cmpuint(ub_partition_get_offset(p), ==, 0x100000);
	g_assert_cmpuint(ub_partition_get_end(p), ==, 0x4100000);
	g_assert_false(ub_partition_is_calibration(p));
	g_assert_true(ub_partition_is_calibration(ub_partition_array_find(parts, "nvdata")));
	g_assert_null(ub_partition_array_find(parts, "boot"));
	g_assert_null(ub_partition_array_find(NULL, "boot"));
	ub_partition_set_is_logical(p, TRUE);
	g_assert_true(ub_partition_get_is_logical(p));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/core/partition/calibration", ub_partition_calibration_func);
	g_test_add_func("/ub/core/partition/bootloader", ub_partition_bootloader_func);
	g_test_add_func("/ub/core/partition/object", ub_partition_object_func);
	return g_test_run();
}
