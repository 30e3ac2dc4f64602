/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-device-db.h"
#include "ub-partition.h"
#include "ub-progress.h"
#include "ub-transport.h"

G_BEGIN_DECLS

/**
 * UbDeviceLocation:
 * @partition: (nullable): a partition name; @offset and @length are then
 *   relative to it, and @region is ignored
 * @region: (nullable): a region or LUN ("user", "boot1", "lun0") when
 *   @partition is %NULL
 * @offset: byte offset
 * @length: bytes, or 0 for "to the end of the partition"
 *
 * Where an operation acts: by partition name or by region + offset + length.
 */
typedef struct {
	const gchar *partition;
	const gchar *region;
	guint64 offset;
	guint64 length;
} UbDeviceLocation;

/**
 * UbDeviceRegion:
 * @name: "user", "boot1", "boot2", "rpmb" (eMMC) or "lun0".."lunN" (UFS)
 * @size: bytes
 * @sector_size: bytes per sector
 *
 * One physical region of the phone's storage (an eMMC hardware partition or
 * a UFS LUN), as the engine reports it.
 */
typedef struct {
	gchar *name;
	guint64 size;
	guint32 sector_size;
} UbDeviceRegion;

typedef enum {
	UB_REBOOT_MODE_SYSTEM,
	UB_REBOOT_MODE_BOOTLOADER,
	UB_REBOOT_MODE_FASTBOOTD,
	UB_REBOOT_MODE_RECOVERY,
	UB_REBOOT_MODE_EDL,
	UB_REBOOT_MODE_POWER_OFF,
	UB_REBOOT_MODE_LAST
} UbRebootMode;

const gchar *
ub_reboot_mode_to_string(UbRebootMode mode);

#define UB_TYPE_DEVICE (ub_device_get_type())
G_DECLARE_DERIVABLE_TYPE(UbDevice, ub_device, UB, DEVICE, GObject)

/**
 * UbDeviceReconnectFunc:
 * @device: the device that rebooted into another mode
 * @mode: the mode it is expected to come back in
 * @timeout_ms: how long to wait for it
 * @cancellable: (nullable): a #GCancellable
 * @user_data: data given to ub_device_set_reconnect_func()
 * @error: (nullable): return location for a #GError
 *
 * Finds the phone again after it re-enumerated (bootloader -> fastbootd, BROM
 * -> DA at 0e8d:2001): a new USB handle, a new TCP connection, or the
 * simulated phone's next session. Set by whoever opened the device.
 *
 * Returns: (transfer full): the new transport
 */
typedef UbTransport *(*UbDeviceReconnectFunc)(UbDevice *device,
					      UbDeviceMode mode,
					      guint timeout_ms,
					      GCancellable *cancellable,
					      gpointer user_data,
					      GError **error);


/**
 * UbDeviceClass:
 * @open: connect and handshake, leaving the device ready for commands
 * @identify: fill chip, serial, storage and sector size with the setters
 * @list_partitions: the partitions the device reports (GPT or the device's own table)
 * @read: stream @loc into @stream
 * @write: stream @size bytes from @stream to @loc; never loads the whole image
 * @erase: erase @loc
 * @reboot: leave the current mode
 * @close: release the transport
 * @write_partition_table: (optional): write @partitions as the device's own
 *   partition table of @region (MediaTek's PMT on the MBR/EBR era phones);
 *   %UB_ERROR_NOT_SUPPORTED when the device keeps a GPT the host builds
 *
 * What an engine implements. All vfuncs are blocking and run in a worker
 * thread; they report through @progress and check @cancellable between chunks.
 */
struct _UbDeviceClass {
	GObjectClass parent_class;
	gboolean (*open)(UbDevice *self,
			 UbProgress *progress,
			 GCancellable *cancellable,
			 GError **error);
	gboolean (*identify)(UbDevice *self, GCancellable *cancellable, GError **error);
	GPtrArray *(*list_partitions)(UbDevice *self, GCancellable *cancellable, GError **error);
	gboolean (*read)(UbDevice *self,
			 const UbDeviceLocation *loc,
			 GOutputStream *stream,
			 UbProgress *progress,
			 GCancellable *cancellable,
			 GError **error);
	gboolean (*write)(UbDevice *self,
			  const UbDeviceLocation *loc,
			  GInputStream *stream,
			  guint64 size,
			  UbProgress *progress,
			  GCancellable *cancellable,
			  GError **error);
	gboolean (*erase)(UbDevice *self,
			  const UbDeviceLocation *loc,
			  UbProgress *progress,
			  GCancellable *cancellable,
			  GError **error);
	gboolean (*reboot)(UbDevice *self,
			   UbRebootMode mode,
			   GCancellable *cancellable,
			   GError **error);
	void (*close)(UbDevice *self);
	gchar *(*get_var)(UbDevice *self,
			  const gchar *name,
			  GCancellable *cancellable,
			  GError **error);
	gboolean (*set_active)(UbDevice *self,
			       const gchar *slot,
			       GCancellable *cancellable,
			       GError **error);
	gboolean (*command)(UbDevice *self,
			    const gchar *command,
			    gchar **reply,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error);
	gboolean (*command_with_data)(UbDevice *self,
				      const gchar *command,
				      GInputStream *data,
				      guint64 size,
				      UbProgress *progress,
				      GCancellable *cancellable,
				      GError **error);
	gboolean (*write_partition_table)(UbDevice *self,
					  const gchar *region,
					  GPtrArray *partitions,
					  UbProgress *progress,
					  GCancellable *cancellable,
					  GError **error);
	gpointer padding[3];
};

gboolean
ub_device_open(UbDevice *self, UbProgress *progress, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_identify(UbDevice *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
ub_device_list_partitions(UbDevice *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_read(UbDevice *self,
	       const UbDeviceLocation *loc,
	       GOutputStream *stream,
	       UbProgress *progress,
	       GCancellable *cancellable,
	       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_write(UbDevice *self,
		const UbDeviceLocation *loc,
		GInputStream *stream,
		guint64 size,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_erase(UbDevice *self,
		const UbDeviceLocation *loc,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_reboot(UbDevice *self, UbRebootMode mode, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void
ub_device_close(UbDevice *self);
gchar *
ub_device_get_var(UbDevice *self, const gchar *name, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_set_active(UbDevice *self, const gchar *slot, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_command(UbDevice *self,
		  const gchar *command,
		  gchar **reply,
		  UbProgress *progress,
		  GCancellable *cancellable,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_command_with_data(UbDevice *self,
			    const gchar *command,
			    GInputStream *data,
			    guint64 size,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_device_write_partition_table(UbDevice *self,
				const gchar *region,
				GPtrArray *partitions,
				UbProgress *progress,
				GCancellable *cancellable,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
void
ub_device_set_reconnect_func(UbDevice *self,
			     UbDeviceReconnectFunc func,
			     gpointer user_data,
			     GDestroyNotify destroy);
gboolean
ub_device_reconnect(UbDevice *self,
		    UbDeviceMode mode,
		    guint timeout_ms,
		    GCancellable *cancellable,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *
ub_device_resolve_slot(UbDevice *self, GPtrArray *partitions, const gchar *name, const gchar *slot);

GPtrArray *
ub_device_get_partitions(UbDevice *self);
gboolean
ub_device_can_read(UbDevice *self);
gboolean
ub_device_can_erase(UbDevice *self);
gchar *
ub_device_location_to_string(const UbDeviceLocation *loc);

/* identity, set by the engine, read by anyone */
UbTransport *
ub_device_get_transport(UbDevice *self);
UbDeviceMode
ub_device_get_mode(UbDevice *self);
void
ub_device_set_mode(UbDevice *self, UbDeviceMode mode);
UbProtocol
ub_device_get_protocol(UbDevice *self);
const gchar *
ub_device_get_chip(UbDevice *self);
void
ub_device_set_chip(UbDevice *self, const gchar *chip);
const gchar *
ub_device_get_serial(UbDevice *self);
void
ub_device_set_serial(UbDevice *self, const gchar *serial);
const gchar *
ub_device_get_product(UbDevice *self);
void
ub_device_set_product(UbDevice *self, const gchar *product);
const gchar *
ub_device_get_storage_type(UbDevice *self);
void
ub_device_set_storage_type(UbDevice *self, const gchar *storage_type);
guint64
ub_device_get_storage_size(UbDevice *self);
void
ub_device_set_storage_size(UbDevice *self, guint64 storage_size);
guint32
ub_device_get_sector_size(UbDevice *self);
void
ub_device_set_sector_size(UbDevice *self, guint32 sector_size);
void
ub_device_add_region(UbDevice *self, const gchar *name, guint64 size, guint32 sector_size);
void
ub_device_clear_regions(UbDevice *self);
GPtrArray *
ub_device_get_regions(UbDevice *self);
const UbDeviceRegion *
ub_device_find_region(UbDevice *self, const gchar *name);
gboolean
ub_device_get_simulated(UbDevice *self);
void
ub_device_set_simulated(UbDevice *self, gboolean simulated);
GHashTable *
ub_device_get_extra(UbDevice *self);
void
ub_device_set_extra(UbDevice *self, const gchar *key, const gchar *value);

G_END_DECLS
