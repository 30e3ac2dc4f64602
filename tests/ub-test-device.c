/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "formats/ub-gpt.h"
#include "ub-test-device.h"

#define UB_TEST_DEVICE_CHUNK (64 * 1024)

typedef struct {
	gchar *name;
	gchar *region;
	guint64 offset;
	guint64 size;
} UbTestDevicePart;

struct _UbTestDevice {
	UbDevice parent_instance;
	GPtrArray *names;
	GHashTable *data;    /* name -> GByteArray */
	GHashTable *regions; /* region -> GByteArray */
	GPtrArray *region_parts; /* of UbTestDevicePart */
	GPtrArray *commands;
	guint delay_us;
	gboolean corrupt_reads;
	guint writes;
	guint erases;
	gchar *gpt_region;
	GPtrArray *gpt_parts; /* of UbTestDevicePart, as last added */
	guint preloader_writes;
};

G_DEFINE_TYPE(UbTestDevice, ub_test_device, UB_TYPE_DEVICE)

static void
ub_test_device_part_free(UbTestDevicePart *part)
{
	g_free(part->name);
	g_free(part->region);
	g_free(part);
}

/* the partitions of the GPT region as its table says now */
static GPtrArray *
ub_test_device_gpt_partitions(UbTestDevice *self)
{
	GByteArray *buf;
	const UbDeviceRegion *region;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(GError) error_local = NULL;
	if (self->gpt_region == NULL)
		return NULL;
	buf = g_hash_table_lookup(self->regions, self->gpt_region);
	region = ub_device_find_region(UB_DEVICE(self), self->gpt_region);
	if (buf == NULL || region == NULL)
		return NULL;
	gpt = ub_gpt_parse(buf->data, MIN(buf->len, 64 * 1024), region->sector_size, &error_local);
	if (gpt == NULL) {
		g_debug("no GPT in %s: %s", self->gpt_region, error_local->message);
		return g_ptr_array_new_with_free_func(g_object_unref);
	}
	return ub_gpt_get_partitions(gpt, self->gpt_region);
}

/* the buffer a location lives in, with the window it may touch */
static GByteArray *
ub_test_device_lookup_window(UbTestDevice *self,
			     const UbDeviceLocation *loc,
			     guint64 *base,
			     guint64 *limit,
			     GError **error)
{
	GByteArray *buf;
	*base = 0;
	if (loc->partition == NULL && loc->region != NULL) {
		buf = g_hash_table_lookup(self->regions, loc->region);
		if (buf == NULL) {
			g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no region %s", loc->region);
			return NULL;
		}
		*limit = buf->len;
		return buf;
	}
	if (loc->partition != NULL && self->gpt_region != NULL) {
		g_autoptr(GPtrArray) parts = ub_test_device_gpt_partitions(self);
		UbPartition *part = parts != NULL ? ub_partition_array_find(parts, loc->partition) : NULL;
		if (part != NULL) {
			*base = ub_partition_get_offset(part);
			*limit = ub_partition_get_size(part);
			return g_hash_table_lookup(self->regions, self->gpt_region);
		}
	}
	for (guint i = 0; loc->partition != NULL && i < self->region_parts->len; i++) {
		UbTestDevicePart *part = g_ptr_array_index(self->region_parts, i);
		if (g_strcmp0(part->name, loc->partition) != 0)
			continue;
		*base = part->offset;
		*limit = part->size;
		return g_hash_table_lookup(self->regions, part->region);
	}
	buf = g_hash_table_lookup(self->data, loc->partition != NULL ? loc->partition : "");
	if (buf == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no partition %s", loc->partition);
		return NULL;
	}
	*limit = buf->len;
	return buf;
}

static gboolean
ub_test_device_identify(UbDevice *device, GCancellable *cancellable, GError **error)
{
	ub_device_set_chip(device, "TESTCHIP");
	ub_device_set_serial(device, "TEST0001");
	ub_device_set_storage_type(device, "emmc");
	ub_device_set_sector_size(device, 512);
	return TRUE;
}

static GPtrArray *
ub_test_device_list_partitions(UbDevice *device, GCancellable *cancellable, GError **error)
{
	UbTestDevice *self = UB_TEST_DEVICE(device);
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_object_unref);
	guint64 offset = 0;
	for (guint i = 0; i < self->names->len; i++) {
		const gchar *name = g_ptr_array_index(self->names, i);
		GByteArray *buf = g_hash_table_lookup(self->data, name);
		g_ptr_array_add(parts, ub_partition_new(name, "user", offset, buf->len));
		offset += buf->len;
	}
	for (guint i = 0; i < self->region_parts->len; i++) {
		UbTestDevicePart *part = g_ptr_array_index(self->region_parts, i);
		g_ptr_array_add(parts,
				ub_partition_new(part->name, part->region, part->offset, part->size));
	}
	if (self->gpt_region != NULL) {
		g_autoptr(GPtrArray) gpt = ub_test_device_gpt_partitions(self);
		for (guint i = 0; gpt != NULL && i < gpt->len; i++)
			g_ptr_array_add(parts, g_object_ref(g_ptr_array_index(gpt, i)));
	}
	return parts;
}

static gboolean
ub_test_device_write(UbDevice *device,
		     const UbDeviceLocation *loc,
		     GInputStream *stream,
		     guint64 size,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	UbTestDevice *self = UB_TEST_DEVICE(device);
	guint64 base = 0;
	guint64 limit = 0;
	GByteArray *buf = NULL;
	guint64 done = 0;

	/* the engine's preloader: both boot areas */
	if (g_strcmp0(loc->partition, "preloader") == 0 &&
	    g_hash_table_contains(self->regions, "boot1")) {
		GByteArray *boot1 = g_hash_table_lookup(self->regions, "boot1");
		GByteArray *boot2 = g_hash_table_lookup(self->regions, "boot2");
		gsize n = 0;
		if (size > boot1->len || (boot2 != NULL && size > boot2->len)) {
			g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "preloader too large");
			return FALSE;
		}
		if (!g_input_stream_read_all(stream, boot1->data, size, &n, cancellable, error))
			return FALSE;
		if (boot2 != NULL)
			memcpy(boot2->data, boot1->data, size);
		self->preloader_writes++;
		self->writes++;
		return TRUE;
	}
	buf = ub_test_device_lookup_window(self, loc, &base, &limit, error);
	if (buf == NULL)
		return FALSE;
	if (loc->offset + size > limit) {
		g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "too large");
		return FALSE;
	}
	while (done < size) {
		gsize chunk = MIN(UB_TEST_DEVICE_CHUNK, size - done);
		gsize n = 0;
		if (!g_input_stream_read_all(stream,
					     buf->data + base + loc->offset + done,
					     chunk,
					     &n,
					     cancellable,
					     error))
			return FALSE;
		if (n != chunk) {
			g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "short image");
			return FALSE;
		}
		done += n;
		ub_progress_set_bytes(progress, done, size);
		if (self->delay_us > 0)
			g_usleep(self->delay_us);
	}
	self->writes++;
	return TRUE;
}

static gboolean
ub_test_device_read(UbDevice *device,
		    const UbDeviceLocation *loc,
		    GOutputStream *stream,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	UbTestDevice *self = UB_TEST_DEVICE(device);
	guint64 base = 0;
	guint64 limit = 0;
	GByteArray *buf = ub_test_device_lookup_window(self, loc, &base, &limit, error);
	guint64 size;
	guint64 done = 0;
	if (buf == NULL)
		return FALSE;
	if (loc->offset > limit) {
		g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "read beyond the end");
		return FALSE;
	}
	size = loc->length != 0 ? loc->length : limit - loc->offset;
	if (size > limit - loc->offset) {
		g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "read beyond the end");
		return FALSE;
	}
	while (done < size) {
		gsize chunk = MIN(UB_TEST_DEVICE_CHUNK, size - done);
		g_autofree guint8 *tmp = g_memdup2(buf->data + base + loc->offset + done, chunk);
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		if (self->corrupt_reads)
			tmp[0] ^= 0x01;
		if (!g_output_stream_write_all(stream, tmp, chunk, NULL, cancellable, error))
			return FALSE;
		done += chunk;
		ub_progress_set_bytes(progress, done, size);
	}
	return TRUE;
}

static gboolean
ub_test_device_erase(UbDevice *device,
		     const UbDeviceLocation *loc,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	UbTestDevice *self = UB_TEST_DEVICE(device);
	guint64 base = 0;
	guint64 limit = 0;
	GByteArray *buf = ub_test_device_lookup_window(self, loc, &base, &limit, error);
	guint64 len;
	if (buf == NULL)
		return FALSE;
	if (loc->offset > limit) {
		g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "erase beyond the end");
		return FALSE;
	}
	len = loc->length != 0 ? loc->length : limit - loc->offset;
	if (len > limit - loc->offset) {
		g_set_error(error, UB_ERROR, UB_ERROR_REFUSED, "erase beyond the end");
		return FALSE;
	}
	memset(buf->data + base + loc->offset, 0xff, len);
	self->erases++;
	return TRUE;
}

static gboolean
ub_test_device_command(UbDevice *device,
		       const gchar *command,
		       gchar **reply,
		       UbProgress *progress,
		       GCancellable *cancellable,
		       GError **error)
{
	UbTestDevice *self = UB_TEST_DEVICE(device);
	g_ptr_array_add(self->commands, g_strdup(command));
	if (reply != NULL)
		*reply = NULL;
	return TRUE;
}

static gboolean
ub_test_device_reboot(UbDevice *device, UbRebootMode mode, GCancellable *cancellable, GError **error)
{
	return TRUE;
}

void
ub_test_device_add_partition(UbTestDevice *self, const gchar *name, gsize size, guint8 fill)
{
	GByteArray *buf = g_byte_array_sized_new(size);
	g_byte_array_set_size(buf, size);
	memset(buf->data, fill, size);
	g_ptr_array_add(self->names, g_strdup(name));
	g_hash_table_insert(self->data, g_strdup(name), buf);
}

void
ub_test_device_add_region(UbTestDevice *self, const gchar *region, gsize size, guint32 sector_size)
{
	GByteArray *buf = g_byte_array_sized_new(size);
	g_byte_array_set_size(buf, size);
	memset(buf->data, 0, size);
	g_hash_table_insert(self->regions, g_strdup(region), buf);
	ub_device_add_region(UB_DEVICE(self), region, size, sector_size);
}

void
ub_test_device_add_region_partition(UbTestDevice *self,
				    const gchar *region,
				    const gchar *name,
				    guint64 offset,
				    gsize size,
				    guint8 fill)
{
	GByteArray *buf = g_hash_table_lookup(self->regions, region);
	UbTestDevicePart *part = g_new0(UbTestDevicePart, 1);
	g_assert_nonnull(buf);
	g_assert_cmpuint(offset + size, <=, buf->len);
	memset(buf->data + offset, fill, size);
	part->name = g_strdup(name);
	part->region = g_strdup(region);
	part->offset = offset;
	part->size = size;
	g_ptr_array_add(self->region_parts, part);
}

GByteArray *
ub_test_device_get_region_data(UbTestDevice *self, const gchar *region)
{
	return g_hash_table_lookup(self->regions, region);
}

void
ub_test_device_set_gpt_region(UbTestDevice *self, const gchar *region)
{
	g_free(self->gpt_region);
	self->gpt_region = g_strdup(region);
}

/* the table rewritten with every partition added so far, at its offset */
void
ub_test_device_add_gpt_partition(UbTestDevice *self,
				 const gchar *name,
				 guint64 offset,
				 gsize size,
				 guint8 fill)
{
	GByteArray *buf = g_hash_table_lookup(self->regions, self->gpt_region);
	const UbDeviceRegion *region = ub_device_find_region(UB_DEVICE(self), self->gpt_region);
	g_autoptr(GArray) layout = g_array_new(FALSE, TRUE, sizeof(UbGptLayoutEntry));
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(GError) error = NULL;
	UbTestDevicePart *part = g_new0(UbTestDevicePart, 1);
	guint32 ss;
	gboolean ok;

	g_assert_nonnull(buf);
	g_assert_nonnull(region);
	ss = region->sector_size;
	g_assert_cmpuint(offset + size, <=, buf->len);
	memset(buf->data + offset, fill, size);
	part->name = g_strdup(name);
	part->region = g_strdup(self->gpt_region);
	part->offset = offset;
	part->size = size;
	g_ptr_array_add(self->gpt_parts, part);
	for (guint i = 0; i < self->gpt_parts->len; i++) {
		UbTestDevicePart *tmp = g_ptr_array_index(self->gpt_parts, i);
		UbGptLayoutEntry entry = {.name = tmp->name, .size = 4096};
		g_array_append_val(layout, entry);
	}
	ok = ub_gpt_build((const UbGptLayoutEntry *)layout->data, layout->len, ss, buf->len, NULL,
			  &primary, &backup, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
	gpt = ub_gpt_parse(g_bytes_get_data(primary, NULL), g_bytes_get_size(primary), ss, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < self->gpt_parts->len; i++) {
		UbTestDevicePart *tmp = g_ptr_array_index(self->gpt_parts, i);
		UbGptEntry *entry = ub_gpt_find_entry_mutable(gpt, tmp->name);
		g_assert_nonnull(entry);
		entry->first_lba = tmp->offset / ss;
		entry->last_lba = (tmp->offset + tmp->size) / ss - 1;
	}
	g_clear_pointer(&primary, g_bytes_unref);
	g_clear_pointer(&backup, g_bytes_unref);
	ok = ub_gpt_write_pair(gpt, buf->len / ss, &primary, &backup, &error);
	g_assert_no_error(error);
	g_assert_true(ok);
	memcpy(buf->data, g_bytes_get_data(primary, NULL), g_bytes_get_size(primary));
	memcpy(buf->data + buf->len - g_bytes_get_size(backup),
	       g_bytes_get_data(backup, NULL),
	       g_bytes_get_size(backup));
}

guint
ub_test_device_get_preloader_writes(UbTestDevice *self)
{
	return self->preloader_writes;
}

GPtrArray *
ub_test_device_get_commands(UbTestDevice *self)
{
	return self->commands;
}

GByteArray *
ub_test_device_get_data(UbTestDevice *self, const gchar *name)
{
	return g_hash_table_lookup(self->data, name);
}

void
ub_test_device_set_chunk_delay(UbTestDevice *self, guint delay_us)
{
	self->delay_us = delay_us;
}

void
ub_test_device_set_corrupt_reads(UbTestDevice *self, gboolean corrupt)
{
	self->corrupt_reads = corrupt;
}

guint
ub_test_device_get_writes(UbTestDevice *self)
{
	return self->writes;
}

guint
ub_test_device_get_erases(UbTestDevice *self)
{
	return self->erases;
}

static void
ub_test_device_finalize(GObject *object)
{
	UbTestDevice *self = UB_TEST_DEVICE(object);
	g_ptr_array_unref(self->names);
	g_hash_table_unref(self->data);
	g_hash_table_unref(self->regions);
	g_ptr_array_unref(self->region_parts);
	g_ptr_array_unref(self->commands);
	g_ptr_array_unref(self->gpt_parts);
	g_free(self->gpt_region);
	G_OBJECT_CLASS(ub_test_device_parent_class)->finalize(object);
}

static void
ub_test_device_init(UbTestDevice *self)
{
	self->names = g_ptr_array_new_with_free_func(g_free);
	self->regions = g_hash_table_new_full(g_str_hash,
					      g_str_equal,
					      g_free,
					      (GDestroyNotify)g_byte_array_unref);
	self->region_parts = g_ptr_array_new_with_free_func((GDestroyNotify)ub_test_device_part_free);
	self->commands = g_ptr_array_new_with_free_func(g_free);
	self->gpt_parts = g_ptr_array_new_with_free_func((GDestroyNotify)ub_test_device_part_free);
	self->data =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_byte_array_unref);
}

static void
ub_test_device_class_init(UbTestDeviceClass *klass)
{
	UbDeviceClass *device_class = UB_DEVICE_CLASS(klass);
	G_OBJECT_CLASS(klass)->finalize = ub_test_device_finalize;
	device_class->identify = ub_test_device_identify;
	device_class->list_partitions = ub_test_device_list_partitions;
	device_class->write = ub_test_device_write;
	device_class->read = ub_test_device_read;
	device_class->erase = ub_test_device_erase;
	device_class->reboot = ub_test_device_reboot;
	device_class->command = ub_test_device_command;
}

UbTestDevice *
ub_test_device_new(void)
{
	return g_object_new(UB_TYPE_TEST_DEVICE, "mode", UB_DEVICE_MODE_FASTBOOT, NULL);
}
