/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "formats/ub-package-source-archive.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* an archive from memory: list it, then read every entry to the end */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UbPackageSourceArchiveLimits limits = {
	    .max_size = 64 * 1024 * 1024,
	    .ratio_floor = 1024 * 1024,
	    .max_ratio = 1000,
	    .max_entry_ratio = 1000,
	};
	g_autoptr(GBytes) blob = g_bytes_new_static(data, size);
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(GPtrArray) files = NULL;
	g_autofree guint8 *buf = g_malloc(64 * 1024);

	source = ub_package_source_archive_new_for_bytes(blob, "fuzz.zip", NULL);
	if (source == NULL)
		return 0;
	ub_package_source_archive_set_limits(UB_PACKAGE_SOURCE_ARCHIVE(source), &limits);
	files = ub_package_source_list(source, NULL, NULL);
	if (files == NULL)
		return 0;
	for (guint i = 0; i < files->len; i++) {
		const gchar *relpath = g_ptr_array_index(files, i);
		guint64 expected = 0;
		guint64 total = 0;
		g_autoptr(GInputStream) stream = NULL;
		g_assert_true(ub_package_source_path_is_safe(relpath));
		g_assert_true(
		    ub_package_source_query_size(source, relpath, &expected, NULL, NULL));
		stream = ub_package_source_open(source, relpath, NULL, NULL);
		if (stream == NULL)
			continue;
		while (TRUE) {
			gssize n = g_input_stream_read(stream, buf, 64 * 1024, NULL, NULL);
			if (n <= 0) {
				/* a clean end is exactly the announced size */
				if (n == 0)
					g_assert_cmpuint(total, ==, expected);
				break;
			}
			total += (guint64)n;
			g_assert_cmpuint(total, <=, expected);
		}
	}
	return 0;
}
