/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-device.h"
#include "ub-plan.h"

G_BEGIN_DECLS

/* the manifest every backup folder holds */
#define UB_BACKUP_MANIFEST "backup.json"

/* manifests above this size are refused */
#define UB_BACKUP_MANIFEST_MAX_SIZE (4 * 1024 * 1024)

/**
 * UbBackupItem:
 * @partition: (nullable): the partition name on the phone, when it had one
 * @region: (nullable): the region or LUN it lives in ("lun5", "user")
 * @offset: byte offset in @region
 * @size: bytes
 * @sha256: lower-case hex SHA-256 of the file
 * @file: the image, a plain file name inside the backup folder
 *
 * One image of a backup.
 */
typedef struct {
	gchar *partition;
	gchar *region;
	guint64 offset;
	guint64 size;
	gchar *sha256;
	gchar *file;
} UbBackupItem;

#define UB_TYPE_BACKUP (ub_backup_get_type())
G_DECLARE_FINAL_TYPE(UbBackup, ub_backup, UB, BACKUP, GObject)

UbBackup *
ub_backup_new(const gchar *dir);
UbBackup *
ub_backup_load(const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_backup_save(UbBackup *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

void
ub_backup_set_device(UbBackup *self, UbDevice *device);
const gchar *
ub_backup_get_dir(UbBackup *self);
const gchar *
ub_backup_get_protocol(UbBackup *self);
const gchar *
ub_backup_get_mode(UbBackup *self);
const gchar *
ub_backup_get_chip(UbBackup *self);
const gchar *
ub_backup_get_serial(UbBackup *self);
GDateTime *
ub_backup_get_time(UbBackup *self);
void
ub_backup_set_time(UbBackup *self, GDateTime *time);
GPtrArray *
ub_backup_get_items(UbBackup *self);
const UbBackupItem *
ub_backup_find_item(UbBackup *self, const gchar *partition);
void
ub_backup_add_item(UbBackup *self,
		   const gchar *partition,
		   const gchar *region,
		   guint64 offset,
		   guint64 size,
		   const gchar *sha256,
		   const gchar *file);

gchar *
ub_backup_get_default_root(void);
gchar *
ub_backup_new_dir(const gchar *root, const gchar *serial);
GPtrArray *
ub_backup_list(const gchar *root, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_backup_verify(UbBackup *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
UbPlan *
ub_backup_to_restore_plan(UbBackup *self, GPtrArray *partitions, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
