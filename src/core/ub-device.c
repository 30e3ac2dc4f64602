/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-device.h"
#include "ub-error.h"

typedef struct {
	UbTransport *transport;
	UbDeviceMode mode;
	gchar *chip;
	gchar *serial;
	gchar *product;
	gchar *storage_type;
	guint64 storage_size;
	guint32 sector_size;
	gboolean simulated;
	GHashTable *extra; /* key -> value, shown by "info" */
	GPtrArray *partitions; /* last list_partitions() result, nullable */
	GPtrArray *regions;    /* UbDeviceRegion, in the order the engine found them */
	GMutex mutex;	   /* identity is set in the worker and read in the UI */
	UbDeviceReconnectFunc reconnect_func;
	gpointer reconnect_data;
	GDestroyNotify reconnect_destroy;
} UbDevicePrivate;

enum { PROP_0, PROP_TRANSPORT, PROP_MODE, PROP_LAST };

G_DEFINE_TYPE_WITH_PRIVATE(UbDevice, ub_device, G_TYPE_OBJECT)
#define GET_PRIVATE(o) ((UbDevicePrivate *)ub_device_get_instance_private(o))

const gchar *
ub_reboot_mode_to_string(UbRebootMode mode)
{
	switch (mode) {
	case UB_REBOOT_MODE_SYSTEM:
		return "system";
	case UB_REBOOT_MODE_BOOTLOADER:
		return "bootloader";
	case UB_REBOOT_MODE_FASTBOOTD:
		return "fastboot";
	case UB_REBOOT_MODE_RECOVERY:
		return "recovery";
	case UB_REBOOT_MODE_EDL:
		return "edl";
	case UB_REBOOT_MODE_POWER_OFF:
		return "power-off";
	case UB_REBOOT_MODE_LAST:
	default:
		return "unknown";
	}
}

/**
 * ub_device_location_to_string:
 * @loc: a #UbDeviceLocation
 *
 * Returns: (transfer full): "boot_a" or "user@0x1000+0x2000", for messages
 */
gchar *
ub_device_location_to_string(const UbDeviceLocation *loc)
{
	if (loc->partition != NULL && loc->offset == 0 && loc->length == 0)
		return g_strdup(loc->partition);
	return g_strdup_printf("%s@0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER "x",
			       loc->partition != NULL ? loc->partition
			       : loc->region != NULL  ? loc->region
						      : "?",
			       loc->offset,
			       loc->length);
}

static gboolean
ub_device_check_vfunc(UbDevice *self, gpointer vfunc, const gchar *what, GError **error)
{
	if (vfunc != NULL)
		return TRUE;
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_SUPPORTED,
		    "%s is not supported by %s in %s mode",
		    what,
		    G_OBJECT_TYPE_NAME(self),
		    ub_device_mode_to_string(GET_PRIVATE(self)->mode));
	return FALSE;
}

/**
 * ub_device_open:
 * @self: a #UbDevice
 * @progress: a #UbProgress
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Connects and handshakes with the device.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_device_open(UbDevice *self, UbProgress *progress, GCancellable *cancellable, GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (klass->open == NULL)
		return TRUE;
	if (!klass->open(self, progress, cancellable, error)) {
		g_prefix_error(error, "failed to connect: ");
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_device_identify(UbDevice *self, GCancellable *cancellable, GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->identify, "identify", error))
		return FALSE;
	if (!klass->identify(self, cancellable, error)) {
		g_prefix_error(error, "failed to identify device: ");
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_device_list_partitions:
 * @self: a #UbDevice
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer container) (element-type UbPartition): partitions
 */
GPtrArray *
ub_device_list_partitions(UbDevice *self, GCancellable *cancellable, GError **error)
{
	UbDeviceClass *klass;
	GPtrArray *parts;
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->list_partitions, "listing partitions", error))
		return NULL;
	parts = klass->list_partitions(self, cancellable, error);
	if (parts == NULL) {
		g_prefix_error(error, "failed to list partitions: ");
		return NULL;
	}
	g_mutex_lock(&GET_PRIVATE(self)->mutex);
	g_clear_pointer(&GET_PRIVATE(self)->partitions, g_ptr_array_unref);
	GET_PRIVATE(self)->partitions = g_ptr_array_ref(parts);
	g_mutex_unlock(&GET_PRIVATE(self)->mutex);
	return parts;
}

/**
 * ub_device_get_partitions:
 * @self: a #UbDevice
 *
 * Returns: (transfer container) (element-type UbPartition) (nullable): the
 * partitions found by the last ub_device_list_partitions(), e.g. by a job
 */
GPtrArray *
ub_device_get_partitions(UbDevice *self)
{
	GPtrArray *parts = NULL;
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	g_mutex_lock(&GET_PRIVATE(self)->mutex);
	if (GET_PRIVATE(self)->partitions != NULL)
		parts = g_ptr_array_ref(GET_PRIVATE(self)->partitions);
	g_mutex_unlock(&GET_PRIVATE(self)->mutex);
	return parts;
}

gboolean
ub_device_read(UbDevice *self,
	       const UbDeviceLocation *loc,
	       GOutputStream *stream,
	       UbProgress *progress,
	       GCancellable *cancellable,
	       GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	g_return_val_if_fail(loc != NULL, FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->read, "reading", error))
		return FALSE;
	if (!klass->read(self, loc, stream, progress, cancellable, error)) {
		g_autofree gchar *where = ub_device_location_to_string(loc);
		g_prefix_error(error, "failed to read %s: ", where);
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_device_write(UbDevice *self,
		const UbDeviceLocation *loc,
		GInputStream *stream,
		guint64 size,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	g_return_val_if_fail(loc != NULL, FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->write, "writing", error))
		return FALSE;
	if (!klass->write(self, loc, stream, size, progress, cancellable, error)) {
		g_autofree gchar *where = ub_device_location_to_string(loc);
		g_prefix_error(error, "failed to flash %s: ", where);
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_device_erase(UbDevice *self,
		const UbDeviceLocation *loc,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	g_return_val_if_fail(loc != NULL, FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->erase, "erasing", error))
		return FALSE;
	if (!klass->erase(self, loc, progress, cancellable, error)) {
		g_autofree gchar *where = ub_device_location_to_string(loc);
		g_prefix_error(error, "failed to erase %s: ", where);
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_device_reboot(UbDevice *self, UbRebootMode mode, GCancellable *cancellable, GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->reboot, "rebooting", error))
		return FALSE;
	if (!klass->reboot(self, mode, cancellable, error)) {
		g_prefix_error(error, "failed to reboot to %s: ", ub_reboot_mode_to_string(mode));
		return FALSE;
	}
	return TRUE;
}

void
ub_device_close(UbDevice *self)
{
	UbDeviceClass *klass;
	UbDevicePrivate *priv;
	g_return_if_fail(UB_IS_DEVICE(self));
	klass = UB_DEVICE_GET_CLASS(self);
	priv = GET_PRIVATE(self);
	if (klass->close != NULL)
		klass->close(self);
	if (priv->transport != NULL)
		ub_transport_close(priv->transport);
}

/**
 * ub_device_get_var:
 * @self: a #UbDevice
 * @name: a variable the protocol knows ("product", "current-slot")
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the value, for package requirements such as the
 * product check
 */
gchar *
ub_device_get_var(UbDevice *self, const gchar *name, GCancellable *cancellable, GError **error)
{
	UbDeviceClass *klass;
	gchar *value;
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->get_var, "reading variables", error))
		return NULL;
	value = klass->get_var(self, name, cancellable, error);
	if (value == NULL)
		g_prefix_error(error, "failed to read %s: ", name);
	return value;
}

/**
 * ub_device_set_active:
 * @self: a #UbDevice
 * @slot: "a" or "b"
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if the phone will boot @slot
 */
gboolean
ub_device_set_active(UbDevice *self, const gchar *slot, GCancellable *cancellable, GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->set_active, "switching slots", error))
		return FALSE;
	if (!klass->set_active(self, slot, cancellable, error)) {
		g_prefix_error(error, "failed to make slot %s active: ", slot);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_device_write_partition_table:
 * @self: a #UbDevice
 * @region: the region the table is for ("user")
 * @partitions: (element-type UbPartition): the new table, in @region
 * @progress: (nullable): a #UbProgress for its log lines
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Writes the partition table a device keeps itself (MediaTek's PMT, through
 * the legacy DA). A device whose table is a GPT the host builds and writes
 * with ub_device_write() fails with %UB_ERROR_NOT_SUPPORTED.
 *
 * Returns: %TRUE when the device now has @partitions as its table
 */
gboolean
ub_device_write_partition_table(UbDevice *self,
				const gchar *region,
				GPtrArray *partitions,
				UbProgress *progress,
				GCancellable *cancellable,
				GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	g_return_val_if_fail(region != NULL, FALSE);
	g_return_val_if_fail(partitions != NULL, FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self,
				   klass->write_partition_table,
				   "writing the device's own partition table",
				   error))
		return FALSE;
	return klass->write_partition_table(self, region, partitions, progress, cancellable, error);
}

/**
 * ub_device_command:
 * @self: a #UbDevice
 * @command: a protocol command a package asks for ("oem lock", "flashing unlock")
 * @reply: (out) (optional): what the device answered
 * @progress: (nullable): a #UbProgress for its log lines
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if the device accepted @command
 */
gboolean
ub_device_command(UbDevice *self,
		  const gchar *command,
		  gchar **reply,
		  UbProgress *progress,
		  GCancellable *cancellable,
		  GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->command, "raw commands", error))
		return FALSE;
	if (!klass->command(self, command, reply, progress, cancellable, error)) {
		g_prefix_error(error, "failed to run '%s': ", command);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_device_command_with_data:
 * @self: a #UbDevice
 * @command: a command that takes a payload ("update-super:super", "boot")
 * @data: the payload, streamed
 * @size: its size
 * @progress: (nullable): a #UbProgress
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Sends @data to the device, then runs @command on it (fastboot: download, then
 * the command).
 *
 * Returns: %TRUE if the device accepted it
 */
gboolean
ub_device_command_with_data(UbDevice *self,
			    const gchar *command,
			    GInputStream *data,
			    guint64 size,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error)
{
	UbDeviceClass *klass;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	klass = UB_DEVICE_GET_CLASS(self);
	if (!ub_device_check_vfunc(self, klass->command_with_data, "commands with data", error))
		return FALSE;
	if (!klass->command_with_data(self, command, data, size, progress, cancellable, error)) {
		g_prefix_error(error, "failed to run '%s': ", command);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_device_set_reconnect_func:
 * @self: a #UbDevice
 * @func: (nullable): how to find the phone after it re-enumerates
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 */
void
ub_device_set_reconnect_func(UbDevice *self,
			     UbDeviceReconnectFunc func,
			     gpointer user_data,
			     GDestroyNotify destroy)
{
	UbDevicePrivate *priv;
	g_return_if_fail(UB_IS_DEVICE(self));
	priv = GET_PRIVATE(self);
	if (priv->reconnect_destroy != NULL)
		priv->reconnect_destroy(priv->reconnect_data);
	priv->reconnect_func = func;
	priv->reconnect_data = user_data;
	priv->reconnect_destroy = destroy;
}

/**
 * ub_device_reconnect:
 * @self: a #UbDevice whose phone just rebooted into another mode
 * @mode: the mode expected
 * @timeout_ms: how long to wait
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Replaces the transport with the one the phone came back on, then sets
 * @mode; the engine opens it again.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_device_reconnect(UbDevice *self,
		    UbDeviceMode mode,
		    guint timeout_ms,
		    GCancellable *cancellable,
		    GError **error)
{
	UbDevicePrivate *priv;
	g_autoptr(UbTransport) transport = NULL;
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	priv = GET_PRIVATE(self);
	if (priv->reconnect_func == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NEEDS_REPLUG,
			    "the phone is rebooting into %s mode; it cannot be found again "
			    "automatically on this connection: start again once it is there",
			    ub_device_mode_to_string(mode));
		return FALSE;
	}
	transport = priv->reconnect_func(self, mode, timeout_ms, cancellable, priv->reconnect_data, error);
	if (transport == NULL) {
		g_prefix_error(error,
			       "the phone did not come back in %s mode: ",
			       ub_device_mode_to_string(mode));
		return FALSE;
	}
	if (priv->transport != NULL)
		ub_transport_close(priv->transport);
	g_set_object(&priv->transport, transport);
	priv->mode = mode;
	return TRUE;
}

/**
 * ub_device_resolve_slot:
 * @self: a #UbDevice
 * @partitions: (element-type UbPartition): its partitions
 * @name: a partition name as the user or package gives it ("system")
 * @slot: (nullable): "a", "b", or %NULL for the current slot
 *
 * A partition that exists only with slots is written to the current slot
 * unless one is named (so flashing "system" on an A/B phone never hits
 * "Partition table doesn't exist").
 *
 * Returns: (nullable): the slot suffix to use ("a" or "b"), or %NULL when
 * @name exists as it is or no slot can be chosen
 */
const gchar *
ub_device_resolve_slot(UbDevice *self, GPtrArray *partitions, const gchar *name, const gchar *slot)
{
	g_autofree gchar *name_a = NULL;
	g_autofree gchar *name_b = NULL;
	const gchar *current;
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	if (name == NULL || partitions == NULL || ub_partition_array_find(partitions, name) != NULL)
		return NULL;
	name_a = g_strdup_printf("%s_a", name);
	name_b = g_strdup_printf("%s_b", name);
	if (ub_partition_array_find(partitions, name_a) == NULL ||
	    ub_partition_array_find(partitions, name_b) == NULL)
		return NULL;
	if (g_strcmp0(slot, "a") == 0 || g_strcmp0(slot, "b") == 0)
		return slot;
	current = g_hash_table_lookup(GET_PRIVATE(self)->extra, "current-slot");
	if (g_strcmp0(current, "a") == 0)
		return "a";
	if (g_strcmp0(current, "b") == 0)
		return "b";
	return NULL;
}

gboolean
ub_device_can_read(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	return UB_DEVICE_GET_CLASS(self)->read != NULL;
}

gboolean
ub_device_can_erase(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	return UB_DEVICE_GET_CLASS(self)->erase != NULL;
}

/**
 * ub_device_get_transport:
 * @self: a #UbDevice
 *
 * Returns: (transfer none) (nullable): the transport the engine talks through
 */
UbTransport *
ub_device_get_transport(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	return GET_PRIVATE(self)->transport;
}

UbDeviceMode
ub_device_get_mode(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), UB_DEVICE_MODE_UNKNOWN);
	return GET_PRIVATE(self)->mode;
}

void
ub_device_set_mode(UbDevice *self, UbDeviceMode mode)
{
	g_return_if_fail(UB_IS_DEVICE(self));
	GET_PRIVATE(self)->mode = mode;
}

UbProtocol
ub_device_get_protocol(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), UB_PROTOCOL_UNKNOWN);
	return ub_device_mode_get_protocol(GET_PRIVATE(self)->mode);
}

/* string fields are replaced from the worker while the UI may read them: the
 * getters return a pointer that stays valid until the next set, which the
 * front-ends only do after the job that sets them has finished */
#define UB_DEVICE_STRING_ACCESSORS(field)                                                          \
	const gchar *ub_device_get_##field(UbDevice *self)                                         \
	{                                                                                          \
		g_return_val_if_fail(UB_IS_DEVICE(self), NULL);                                    \
		return GET_PRIVATE(self)->field;                                                   \
	}                                                                                          \
	void ub_device_set_##field(UbDevice *self, const gchar *value)                             \
	{                                                                                          \
		UbDevicePrivate *priv;                                                             \
		g_return_if_fail(UB_IS_DEVICE(self));                                              \
		priv = GET_PRIVATE(self);                                                          \
		g_mutex_lock(&priv->mutex);                                                        \
		if (g_strcmp0(priv->field, value) != 0) {                                          \
			g_free(priv->field);                                                       \
			priv->field = g_strdup(value);                                             \
		}                                                                                  \
		g_mutex_unlock(&priv->mutex);                                                      \
	}

UB_DEVICE_STRING_ACCESSORS(chip)
UB_DEVICE_STRING_ACCESSORS(serial)
UB_DEVICE_STRING_ACCESSORS(product)
UB_DEVICE_STRING_ACCESSORS(storage_type)

guint64
ub_device_get_storage_size(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), 0);
	return GET_PRIVATE(self)->storage_size;
}

void
ub_device_set_storage_size(UbDevice *self, guint64 storage_size)
{
	g_return_if_fail(UB_IS_DEVICE(self));
	GET_PRIVATE(self)->storage_size = storage_size;
}

guint32
ub_device_get_sector_size(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), 0);
	return GET_PRIVATE(self)->sector_size;
}

void
ub_device_set_sector_size(UbDevice *self, guint32 sector_size)
{
	g_return_if_fail(UB_IS_DEVICE(self));
	GET_PRIVATE(self)->sector_size = sector_size;
}

gboolean
ub_device_get_simulated(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), FALSE);
	return GET_PRIVATE(self)->simulated;
}

void
ub_device_set_simulated(UbDevice *self, gboolean simulated)
{
	g_return_if_fail(UB_IS_DEVICE(self));
	GET_PRIVATE(self)->simulated = simulated;
}

/**
 * ub_device_get_extra:
 * @self: a #UbDevice
 *
 * Returns: (transfer none): engine-specific facts (e.g. "secure-boot" -> "yes")
 */
GHashTable *
ub_device_get_extra(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	return GET_PRIVATE(self)->extra;
}

void
ub_device_set_extra(UbDevice *self, const gchar *key, const gchar *value)
{
	UbDevicePrivate *priv;
	g_return_if_fail(UB_IS_DEVICE(self));
	priv = GET_PRIVATE(self);
	g_mutex_lock(&priv->mutex);
	g_hash_table_insert(priv->extra, g_strdup(key), g_strdup(value));
	g_mutex_unlock(&priv->mutex);
}

static void
ub_device_region_free(UbDeviceRegion *region)
{
	g_free(region->name);
	g_free(region);
}

/**
 * ub_device_add_region:
 * @self: a #UbDevice
 * @name: "user", "boot1", "boot2", "rpmb" (eMMC) or "lun0".."lunN" (UFS)
 * @size: bytes
 * @sector_size: bytes per sector of the region
 *
 * Records a physical region of the storage, as the engine finds it (Firehose
 * getstorageinfo, the MediaTek DA's storage report). Adding a name again
 * replaces its size.
 */
void
ub_device_add_region(UbDevice *self, const gchar *name, guint64 size, guint32 sector_size)
{
	UbDevicePrivate *priv;
	UbDeviceRegion *region;
	g_return_if_fail(UB_IS_DEVICE(self));
	g_return_if_fail(name != NULL);
	priv = GET_PRIVATE(self);
	g_mutex_lock(&priv->mutex);
	for (guint i = 0; i < priv->regions->len; i++) {
		region = g_ptr_array_index(priv->regions, i);
		if (g_strcmp0(region->name, name) == 0) {
			region->size = size;
			region->sector_size = sector_size;
			g_mutex_unlock(&priv->mutex);
			return;
		}
	}
	region = g_new0(UbDeviceRegion, 1);
	region->name = g_strdup(name);
	region->size = size;
	region->sector_size = sector_size;
	g_ptr_array_add(priv->regions, region);
	g_mutex_unlock(&priv->mutex);
}

/**
 * ub_device_clear_regions:
 * @self: a #UbDevice
 *
 * Forgets the regions, before an engine reads them again.
 */
void
ub_device_clear_regions(UbDevice *self)
{
	UbDevicePrivate *priv;
	g_return_if_fail(UB_IS_DEVICE(self));
	priv = GET_PRIVATE(self);
	g_mutex_lock(&priv->mutex);
	g_ptr_array_set_size(priv->regions, 0);
	g_mutex_unlock(&priv->mutex);
}

/**
 * ub_device_get_regions:
 * @self: a #UbDevice
 *
 * Returns: (transfer none) (element-type UbDeviceRegion): the regions the
 *   engine found; empty when it reports none. Read them from the thread that
 *   runs the device, or after the job finished.
 */
GPtrArray *
ub_device_get_regions(UbDevice *self)
{
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	return GET_PRIVATE(self)->regions;
}

/**
 * ub_device_find_region:
 * @self: a #UbDevice
 * @name: a region name
 *
 * Returns: (transfer none) (nullable): the region, or %NULL when the engine
 *   reported none of that name
 */
const UbDeviceRegion *
ub_device_find_region(UbDevice *self, const gchar *name)
{
	UbDevicePrivate *priv;
	g_return_val_if_fail(UB_IS_DEVICE(self), NULL);
	priv = GET_PRIVATE(self);
	for (guint i = 0; i < priv->regions->len; i++) {
		UbDeviceRegion *region = g_ptr_array_index(priv->regions, i);
		if (g_strcmp0(region->name, name) == 0)
			return region;
	}
	return NULL;
}

static void
ub_device_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	UbDevicePrivate *priv = GET_PRIVATE(UB_DEVICE(object));
	switch (prop_id) {
	case PROP_TRANSPORT:
		g_value_set_object(value, priv->transport);
		break;
	case PROP_MODE:
		g_value_set_int(value, priv->mode);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_device_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	UbDevicePrivate *priv = GET_PRIVATE(UB_DEVICE(object));
	switch (prop_id) {
	case PROP_TRANSPORT:
		g_set_object(&priv->transport, g_value_get_object(value));
		break;
	case PROP_MODE:
		priv->mode = g_value_get_int(value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_device_finalize(GObject *object)
{
	UbDevicePrivate *priv = GET_PRIVATE(UB_DEVICE(object));
	g_clear_object(&priv->transport);
	g_free(priv->chip);
	g_free(priv->serial);
	g_free(priv->product);
	g_free(priv->storage_type);
	g_hash_table_unref(priv->extra);
	g_clear_pointer(&priv->partitions, g_ptr_array_unref);
	g_ptr_array_unref(priv->regions);
	if (priv->reconnect_destroy != NULL)
		priv->reconnect_destroy(priv->reconnect_data);
	g_mutex_clear(&priv->mutex);
	G_OBJECT_CLASS(ub_device_parent_class)->finalize(object);
}

static void
ub_device_init(UbDevice *self)
{
	UbDevicePrivate *priv = GET_PRIVATE(self);
	g_mutex_init(&priv->mutex);
	priv->extra = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	priv->regions = g_ptr_array_new_with_free_func((GDestroyNotify)ub_device_region_free);
}

static void
ub_device_class_init(UbDeviceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->get_property = ub_device_get_property;
	object_class->set_property = ub_device_set_property;
	object_class->finalize = ub_device_finalize;
	g_object_class_install_property(
	    object_class,
	    PROP_TRANSPORT,
	    g_param_spec_object("transport",
				NULL,
				NULL,
				UB_TYPE_TRANSPORT,
				G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(object_class,
					PROP_MODE,
					g_param_spec_int("mode",
							 NULL,
							 NULL,
							 UB_DEVICE_MODE_UNKNOWN,
							 UB_DEVICE_MODE_LAST,
							 UB_DEVICE_MODE_UNKNOWN,
							 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}
