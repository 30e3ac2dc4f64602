/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "formats/ub-md5sum-xml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(UbMd5sumXml) md5 = ub_md5sum_xml_parse(data, size, NULL);
	GPtrArray *digests;
	if (md5 == NULL)
		return 0;
	digests = ub_md5sum_xml_get_digests(md5);
	for (guint i = 0; i < digests->len; i++) {
		UbMd5sumDigest *d = g_ptr_array_index(digests, i);
		g_assert_null(strchr(d->name, '/'));
		g_assert_true(ub_md5sum_xml_find(md5, d->name) == d);
	}
	return 0;
}
