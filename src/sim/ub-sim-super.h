/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ub-sim-storage.h"

G_BEGIN_DECLS

#define UB_TYPE_SIM_SUPER (ub_sim_super_get_type())
G_DECLARE_FINAL_TYPE(UbSimSuper, ub_sim_super, UB, SIM_SUPER, GObject)

/* the sidecar in the storage folder holding the logical partition table */
#define UB_SIM_SUPER_SIDECAR "super-lp.ini"
/* the first MiB of super is where liblp keeps its metadata; extents start after it */
#define UB_SIM_SUPER_ALIGNMENT (1024 * 1024)

UbSimSuper *
ub_sim_super_load(UbSimStorage *storage, const gchar *super_name, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_super_save(UbSimSuper *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean
ub_sim_super_has_partition(UbSimSuper *self, const gchar *name);
guint64
ub_sim_super_get_partition_size(UbSimSuper *self, const gchar *name);
gchar **
ub_sim_super_get_partition_names(UbSimSuper *self);
gboolean
ub_sim_super_create_partition(UbSimSuper *self, const gchar *name, guint64 size, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_super_delete_partition(UbSimSuper *self, const gchar *name, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_super_resize_partition(UbSimSuper *self, const gchar *name, guint64 size, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_super_write(UbSimSuper *self,
		   const gchar *name,
		   guint64 offset,
		   const guint8 *buf,
		   gsize bufsz,
		   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_super_read(UbSimSuper *self,
		  const gchar *name,
		  guint64 offset,
		  guint8 *buf,
		  gsize bufsz,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar **
ub_sim_super_parse_metadata_names(const guint8 *buf, gsize bufsz, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_sim_super_update(UbSimSuper *self,
		    const guint8 *buf,
		    gsize bufsz,
		    gboolean wipe,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
