/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define UB_TYPE_GPT (ub_gpt_get_type())
G_DECLARE_FINAL_TYPE(UbGpt, ub_gpt, UB, GPT, GObject)

/* well-known partition type GUIDs */
#define UB_GPT_TYPE_BASIC_DATA "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"
#define UB_GPT_TYPE_LINUX_DATA "0fc63daf-8483-4772-8e79-3d69d8477de4"

/* the Android/Qualcomm A/B slot bits in the upper 16 "type specific" attribute bits */
#define UB_GPT_ATTR_AB_PRIORITY_SHIFT	48
#define UB_GPT_ATTR_AB_PRIORITY_MASK	(G_GUINT64_CONSTANT(0x3) << 48)
#define UB_GPT_ATTR_AB_ACTIVE		(G_GUINT64_CONSTANT(1) << 50)
#define UB_GPT_ATTR_AB_RETRY_SHIFT	51
#define UB_GPT_ATTR_AB_RETRY_MASK	(G_GUINT64_CONSTANT(0x7) << 51)
#define UB_GPT_ATTR_AB_SUCCESSFUL	(G_GUINT64_CONSTANT(1) << 54)
#define UB_GPT_ATTR_AB_UNBOOTABLE	(G_GUINT64_CONSTANT(1) << 55)
#define UB_GPT_ATTR_AB_MASK		(G_GUINT64_CONSTANT(0xff) << 48)

/**
 * UbGptEntry:
 * @index: position in the entry array (0-based)
 * @name: the UTF-16LE name converted to UTF-8
 * @type_guid: partition type GUID, lower-case text
 * @unique_guid: unique partition GUID, lower-case text
 * @first_lba: first LBA, as stored
 * @last_lba: last LBA (inclusive), as stored; may be below @first_lba for an empty entry
 * @attributes: the 64 attribute bits, A/B bits in 48-55
 *
 * One used entry (non-zero type GUID) of a partition table.
 */
typedef struct {
	guint index;
	gchar *name;
	gchar *type_guid;
	gchar *unique_guid;
	guint64 first_lba;
	guint64 last_lba;
	guint64 attributes;
} UbGptEntry;

void
ub_gpt_entry_free(UbGptEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbGptEntry, ub_gpt_entry_free)

guint
ub_gpt_entry_get_ab_priority(const UbGptEntry *entry);
guint
ub_gpt_entry_get_ab_retry_count(const UbGptEntry *entry);
gboolean
ub_gpt_entry_get_ab_active(const UbGptEntry *entry);
gboolean
ub_gpt_entry_get_ab_successful(const UbGptEntry *entry);
gboolean
ub_gpt_entry_get_ab_unbootable(const UbGptEntry *entry);
void
ub_gpt_entry_set_ab_priority(UbGptEntry *entry, guint priority);
void
ub_gpt_entry_set_ab_retry_count(UbGptEntry *entry, guint retry_count);
void
ub_gpt_entry_set_ab_active(UbGptEntry *entry, gboolean active);
void
ub_gpt_entry_set_ab_successful(UbGptEntry *entry, gboolean successful);
void
ub_gpt_entry_set_ab_unbootable(UbGptEntry *entry, gboolean unbootable);
void
ub_gpt_entry_activate_ab_pair(UbGptEntry *on, UbGptEntry *off);
const gchar *
ub_gpt_slot_parse(const gchar *slot, GError **error);
gchar *
ub_gpt_slot_b_name(const gchar *name_a);

/**
 * UbGptLayoutEntry:
 * @name: partition name (at most 36 UTF-16 units)
 * @size: size in bytes, rounded up to the sector size; 0 on the last entry
 *   means "the rest of the disk"
 * @type_guid: (nullable): type GUID, %NULL for %UB_GPT_TYPE_BASIC_DATA
 * @attributes: attribute bits
 * @unique_guid: (nullable): unique GUID, %NULL for a random one
 *
 * One partition of a layout given to ub_gpt_build().
 */
typedef struct {
	const gchar *name;
	guint64 size;
	const gchar *type_guid;
	guint64 attributes;
	const gchar *unique_guid;
} UbGptLayoutEntry;

UbGpt *
ub_gpt_parse(const guint8 *buf, gsize bufsz, guint32 sector_size, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
UbGpt *
ub_gpt_parse_backup(const guint8 *buf, gsize bufsz, guint32 sector_size, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_gpt_build(const UbGptLayoutEntry *layout,
	     guint n_layout,
	     guint32 sector_size,
	     guint64 disk_size,
	     const gchar *disk_guid,
	     GBytes **primary,
	     GBytes **backup,
	     GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint32
ub_gpt_get_sector_size(UbGpt *self);
gboolean
ub_gpt_get_is_backup(UbGpt *self);
guint32
ub_gpt_get_revision(UbGpt *self);
guint32
ub_gpt_get_header_size(UbGpt *self);
const gchar *
ub_gpt_get_disk_guid(UbGpt *self);
guint64
ub_gpt_get_my_lba(UbGpt *self);
guint64
ub_gpt_get_alternate_lba(UbGpt *self);
guint64
ub_gpt_get_first_usable_lba(UbGpt *self);
guint64
ub_gpt_get_last_usable_lba(UbGpt *self);
guint64
ub_gpt_get_entries_lba(UbGpt *self);
guint32
ub_gpt_get_num_entries(UbGpt *self);
guint32
ub_gpt_get_entry_size(UbGpt *self);
GPtrArray *
ub_gpt_get_entries(UbGpt *self);
const UbGptEntry *
ub_gpt_find_entry(UbGpt *self, const gchar *name);
UbGptEntry *
ub_gpt_find_entry_mutable(UbGpt *self, const gchar *name);
GPtrArray *
ub_gpt_get_partitions(UbGpt *self, const gchar *region);

gboolean
ub_gpt_validate(UbGpt *self, guint64 disk_sectors, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_gpt_check_pair(UbGpt *primary, UbGpt *backup, guint64 disk_sectors, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_gpt_set_attributes(UbGpt *self, const gchar *name, guint64 attributes, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_gpt_set_active_slot(UbGpt *self, const gchar *slot, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *
ub_gpt_write(UbGpt *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_gpt_write_pair(UbGpt *self,
		  guint64 disk_sectors,
		  GBytes **primary,
		  GBytes **backup,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
