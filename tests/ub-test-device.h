/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

/* a device whose partitions live in memory, for testing the plan executor and
 * job marshalling without a protocol; engines are tested against the
 * simulated phone instead */
#define UB_TYPE_TEST_DEVICE (ub_test_device_get_type())
G_DECLARE_FINAL_TYPE(UbTestDevice, ub_test_device, UB, TEST_DEVICE, UbDevice)

UbTestDevice *
ub_test_device_new(void);
void
ub_test_device_add_partition(UbTestDevice *self, const gchar *name, gsize size, guint8 fill);
GByteArray *
ub_test_device_get_data(UbTestDevice *self, const gchar *name);
void
ub_test_device_set_chunk_delay(UbTestDevice *self, guint delay_us);
void
ub_test_device_set_corrupt_reads(UbTestDevice *self, gboolean corrupt);
guint
ub_test_device_get_writes(UbTestDevice *self);
guint
ub_test_device_get_erases(UbTestDevice *self);
/* regions (LUNs): partitions added with ub_test_device_add_region_partition()
 * live inside them; reads, writes and erases by region + offset work too */
void
ub_test_device_add_region(UbTestDevice *self, const gchar *region, gsize size, guint32 sector_size);
void
ub_test_device_add_region_partition(UbTestDevice *self,
				    const gchar *region,
				    const gchar *name,
				    guint64 offset,
				    gsize size,
				    guint8 fill);
GByteArray *
ub_test_device_get_region_data(UbTestDevice *self, const gchar *region);
/* a GPT at the start (and end) of @region: list_partitions() parses it each
 * time and names resolve through it, so writing a new table moves partitions;
 * ub_test_device_add_gpt_partition() rewrites the table with one more entry */
void
ub_test_device_set_gpt_region(UbTestDevice *self, const gchar *region);
void
ub_test_device_add_gpt_partition(UbTestDevice *self,
				 const gchar *name,
				 guint64 offset,
				 gsize size,
				 guint8 fill);
/* "preloader" as an engine name: written to boot1 and boot2 at offset 0 */
guint
ub_test_device_get_preloader_writes(UbTestDevice *self);
/* the raw commands it was sent, in order */
GPtrArray *
ub_test_device_get_commands(UbTestDevice *self);

G_END_DECLS
