/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-core.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_STORAGE (ub_sim_storage_get_type())
G_DECLARE_FINAL_TYPE(UbSimStorage, ub_sim_storage, UB, SIM_STORAGE, GObject)

/**
 * UbSimStorageKind:
 * @UB_SIM_STORAGE_KIND_EMMC: boot1, boot2, user, rpmb; 512-byte sectors
 * @UB_SIM_STORAGE_KIND_UFS: lun0..lunN-1; 4096-byte sectors; lun0 is the main LUN
 */
typedef enum {
	UB_SIM_STORAGE_KIND_EMMC,
	UB_SIM_STORAGE_KIND_UFS,
} UbSimStorageKind;

/* what ub_sim_storage_open() uses for a new folder when given no geometry */
#define UB_SIM_STORAGE_DEFAULT_GEOMETRY "emmc:64G"
/* size of eMMC boot1, boot2 and rpmb, and the upper bound of UFS boot LUNs */
#define UB_SIM_STORAGE_BOOT_SIZE (4 * 1024 * 1024)
/* size of UFS boot LUNs (lun1 and lun2 with three or more LUNs) */
#define UB_SIM_STORAGE_UFS_BOOT_LUN_SIZE (8 * 1024 * 1024)

const gchar *
ub_sim_storage_kind_to_string(UbSimStorageKind kind);
gboolean
ub_sim_storage_parse_size(const gchar *str, guint64 *size, GError **error);
gboolean
ub_sim_storage_parse_geometry(const gchar *geometry,
			      UbSimStorageKind *kind,
			      guint *n_luns,
			      guint64 *size,
			      GError **error);

UbSimStorage *
ub_sim_storage_open(const gchar *dir, const gchar *geometry, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

const gchar *
ub_sim_storage_get_dir(UbSimStorage *self);
UbSimStorageKind
ub_sim_storage_get_kind(UbSimStorage *self);
gchar *
ub_sim_storage_get_geometry(UbSimStorage *self);
guint32
ub_sim_storage_get_sector_size(UbSimStorage *self);
gchar **
ub_sim_storage_get_region_names(UbSimStorage *self);
gboolean
ub_sim_storage_has_region(UbSimStorage *self, const gchar *region);
guint64
ub_sim_storage_get_region_size(UbSimStorage *self, const gchar *region);
gchar *
ub_sim_storage_get_region_path(UbSimStorage *self, const gchar *region);

gboolean
ub_sim_storage_read(UbSimStorage *self,
		    const gchar *region,
		    guint64 offset,
		    guint8 *buf,
		    gsize bufsz,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_storage_write(UbSimStorage *self,
		     const gchar *region,
		     guint64 offset,
		     const guint8 *buf,
		     gsize bufsz,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_storage_erase(UbSimStorage *self,
		     const gchar *region,
		     guint64 offset,
		     guint64 size,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_storage_write_gpt(UbSimStorage *self,
			 const gchar *region,
			 GBytes *primary,
			 GBytes *backup,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;

GPtrArray *
ub_sim_storage_get_partitions(UbSimStorage *self);
UbPartition *
ub_sim_storage_find_partition(UbSimStorage *self, const gchar *name, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_storage_read_partition(UbSimStorage *self,
			      const gchar *name,
			      guint64 offset,
			      guint8 *buf,
			      gsize bufsz,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_storage_write_partition(UbSimStorage *self,
			       const gchar *name,
			       guint64 offset,
			       const guint8 *buf,
			       gsize bufsz,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_storage_erase_partition(UbSimStorage *self, const gchar *name, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
