/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "ub-device-spec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *str = data != NULL ? g_strndup((const gchar *)data, size) : g_strdup("");
	g_autoptr(UbDeviceSpec) spec = ub_device_spec_parse(str, NULL);
	if (spec != NULL) {
		/* whatever parses must print and parse back */
		g_autofree gchar *canonical = ub_device_spec_to_string(spec);
		g_autoptr(UbDeviceSpec) again = ub_device_spec_parse(canonical, NULL);
		g_assert_nonnull(again);
		g_assert_cmpint(again->kind, ==, spec->kind);
	}
	return 0;
}
