/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-mem.h"
#include "ub-sim-super.h"

/*
 * The logical partitions of the simulated phone's "super" partition, as
 * fastbootd sees them.
 *
 * Real phones keep this table as liblp metadata in the first blocks of super.
 * The simulator keeps it in a sidecar of its own, DIR/super-lp.ini, a GKeyFile:
 *
 *   [super]
 *   partition=super
 *   [logical system_a]
 *   extents=1048576+16777216;34603008+4194304
 *
 * one group per logical partition, in creation order, each a list of extents
 * OFFSET+LENGTH in bytes from the start of super. Extents start at 1 MiB (the
 * area liblp reserves for its metadata) and are 1 MiB aligned. The data of a
 * logical partition lives inside super's extents, so flashing "system_a" in
 * fastbootd changes the bytes of super on the storage, as on a phone. Growing
 * a partition takes the first free space (a new extent if need be);
 * shrinking drops space from the end. The personality keeps one UbSimSuper
 * for its life and saves after each change; a phone whose temporary folder
 * was already removed (ub_sim_phone_new_in_process()) keeps it in memory only.
 */

typedef struct {
	guint64 offset;
	guint64 length;
} UbSimSuperExtent;

typedef struct {
	gchar *name;
	GArray *extents; /* of UbSimSuperExtent */
} UbSimSuperPartition;

struct _UbSimSuper {
	GObject parent_instance;
	UbSimStorage *storage;
	gchar *super_name;
	guint64 super_size;
	GPtrArray *parts; /* of UbSimSuperPartition, creation order */
};

G_DEFINE_TYPE(UbSimSuper, ub_sim_super, G_TYPE_OBJECT)

static void
ub_sim_super_partition_free(UbSimSuperPartition *part)
{
	g_free(part->name);
	g_array_unref(part->extents);
	g_free(part);
}

static UbSimSuperPartition *
ub_sim_super_partition_new(const gchar *name)
{
	UbSimSuperPartition *part = g_new0(UbSimSuperPartition, 1);
	part->name = g_strdup(name);
	part->extents = g_array_new(FALSE, FALSE, sizeof(UbSimSuperExtent));
	return part;
}

static guint64
ub_sim_super_partition_size(UbSimSuperPartition *part)
{
	guint64 size = 0;
	for (guint i = 0; i < part->extents->len; i++)
		size += g_array_index(part->extents, UbSimSuperExtent, i).length;
	return size;
}

static UbSimSuperPartition *
ub_sim_super_lookup(UbSimSuper *self, const gchar *name)
{
	for (guint i = 0; i < self->parts->len; i++) {
		UbSimSuperPartition *part = g_ptr_array_index(self->parts, i);
		if (g_strcmp0(part->name, name) == 0)
			return part;
	}
	return NULL;
}

static gchar *
ub_sim_super_sidecar_path(UbSimSuper *self)
{
	return g_build_filename(ub_sim_storage_get_dir(self->storage), UB_SIM_SUPER_SIDECAR, NULL);
}

static gboolean
ub_sim_super_parse_extents(UbSimSuper *self,
			   UbSimSuperPartition *part,
			   const gchar *str,
			   GError **error)
{
	g_auto(GStrv) items = g_strsplit(str, ";", -1);
	for (guint i = 0; items[i] != NULL; i++) {
		UbSimSuperExtent ext = {0};
		g_auto(GStrv) pair = NULL;
		if (items[i][0] == '\0')
			continue;
		pair = g_strsplit(items[i], "+", 2);
		if (g_strv_length(pair) != 2 ||
		    !g_ascii_string_to_unsigned(pair[0], 10, 0, G_MAXUINT64, &ext.offset, NULL) ||
		    !g_ascii_string_to_unsigned(pair[1], 10, 0, G_MAXUINT64, &ext.length, NULL) ||
		    ext.offset < UB_SIM_SUPER_ALIGNMENT || ext.length > self->super_size ||
		    ext.offset > self->super_size - ext.length) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid extent '%s' of logical partition %s",
				    items[i],
				    part->name);
			return FALSE;
		}
		g_array_append_val(part->extents, ext);
	}
	return TRUE;
}

/**
 * ub_sim_super_load:
 * @storage: the phone's storage
 * @super_name: the physical partition holding the logical ones, normally "super"
 * @error: (nullable): return location for a #GError
 *
 * Reads DIR/super-lp.ini if it exists; otherwise super has no logical
 * partitions yet.
 *
 * Returns: (transfer full): a #UbSimSuper, or %NULL if @storage has no
 *   partition @super_name (%UB_ERROR_NOT_FOUND) or the sidecar is invalid
 */
UbSimSuper *
ub_sim_super_load(UbSimStorage *storage, const gchar *super_name, GError **error)
{
	g_autoptr(UbSimSuper) self = NULL;
	g_autoptr(UbPartition) part = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree gchar *fn = NULL;
	g_auto(GStrv) groups = NULL;

	g_return_val_if_fail(UB_IS_SIM_STORAGE(storage), NULL);
	g_return_val_if_fail(super_name != NULL, NULL);

	part = ub_sim_storage_find_partition(storage, super_name, error);
	if (part == NULL)
		return NULL;
	self = g_object_new(UB_TYPE_SIM_SUPER, NULL);
	self->storage = g_object_ref(storage);
	self->super_name = g_strdup(super_name);
	self->super_size = ub_partition_get_size(part);
	fn = ub_sim_super_sidecar_path(self);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS))
		return g_steal_pointer(&self);
	if (!g_key_file_load_from_file(kf, fn, G_KEY_FILE_NONE, error)) {
		g_prefix_error(error, "failed to read %s: ", fn);
		return NULL;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		g_autofree gchar *extents = NULL;
		UbSimSuperPartition *lp;
		if (!g_str_has_prefix(groups[i], "logical "))
			continue;
		extents = g_key_file_get_string(kf, groups[i], "extents", NULL);
		lp = ub_sim_super_partition_new(groups[i] + 8);
		g_ptr_array_add(self->parts, lp);
		if (extents != NULL && !ub_sim_super_parse_extents(self, lp, extents, error)) {
			g_prefix_error(error, "invalid %s: ", fn);
			return NULL;
		}
	}
	return g_steal_pointer(&self);
}

/**
 * ub_sim_super_save:
 * @self: a #UbSimSuper
 * @error: (nullable): return location for a #GError
 *
 * Writes the table to DIR/super-lp.ini.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_super_save(UbSimSuper *self, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree gchar *fn = NULL;

	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	/* a phone in a temporary folder that is already gone keeps its table in memory */
	if (!g_file_test(ub_sim_storage_get_dir(self->storage), G_FILE_TEST_IS_DIR)) {
		g_debug("%s is gone: the logical partition table is not saved",
			ub_sim_storage_get_dir(self->storage));
		return TRUE;
	}
	fn = ub_sim_super_sidecar_path(self);
	g_key_file_set_string(kf, "super", "partition", self->super_name);
	for (guint i = 0; i < self->parts->len; i++) {
		UbSimSuperPartition *lp = g_ptr_array_index(self->parts, i);
		g_autofree gchar *group = g_strdup_printf("logical %s", lp->name);
		g_autoptr(GString) str = g_string_new(NULL);
		for (guint j = 0; j < lp->extents->len; j++) {
			UbSimSuperExtent *ext = &g_array_index(lp->extents, UbSimSuperExtent, j);
			g_string_append_printf(str,
					       "%s%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT,
					       j > 0 ? ";" : "",
					       ext->offset,
					       ext->length);
		}
		g_key_file_set_string(kf, group, "extents", str->str);
	}
	if (!g_key_file_save_to_file(kf, fn, error)) {
		g_prefix_error(error, "failed to write %s: ", fn);
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_sim_super_has_partition(UbSimSuper *self, const gchar *name)
{
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	return ub_sim_super_lookup(self, name) != NULL;
}

guint64
ub_sim_super_get_partition_size(UbSimSuper *self, const gchar *name)
{
	UbSimSuperPartition *lp;
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), 0);
	lp = ub_sim_super_lookup(self, name);
	return lp != NULL ? ub_sim_super_partition_size(lp) : 0;
}

/**
 * ub_sim_super_get_partition_names:
 * @self: a #UbSimSuper
 *
 * Returns: (transfer full): the logical partitions, in creation order
 */
gchar **
ub_sim_super_get_partition_names(UbSimSuper *self)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), NULL);
	for (guint i = 0; i < self->parts->len; i++) {
		UbSimSuperPartition *lp = g_ptr_array_index(self->parts, i);
		g_strv_builder_add(builder, lp->name);
	}
	return g_strv_builder_end(builder);
}

static gint
ub_sim_super_extent_cmp(gconstpointer a, gconstpointer b)
{
	const UbSimSuperExtent *ea = a;
	const UbSimSuperExtent *eb = b;
	if (ea->offset < eb->offset)
		return -1;
	return ea->offset > eb->offset ? 1 : 0;
}

/* adds @size bytes (aligned) of free space to @lp, first fit from the start */
static gboolean
ub_sim_super_grow(UbSimSuper *self, UbSimSuperPartition *lp, guint64 size, GError **error)
{
	g_autoptr(GArray) used = g_array_new(FALSE, FALSE, sizeof(UbSimSuperExtent));
	g_autoptr(GArray) added = g_array_new(FALSE, FALSE, sizeof(UbSimSuperExtent));
	guint64 pos = UB_SIM_SUPER_ALIGNMENT;
	guint64 end = self->super_size - self->super_size % UB_SIM_SUPER_ALIGNMENT;
	guint64 need = size;

	for (guint i = 0; i < self->parts->len; i++) {
		UbSimSuperPartition *other = g_ptr_array_index(self->parts, i);
		g_array_append_vals(used, other->extents->data, other->extents->len);
	}
	g_array_sort(used, ub_sim_super_extent_cmp);
	for (guint i = 0; i <= used->len && need > 0; i++) {
		guint64 stop = end;
		if (i < used->len)
			stop = g_array_index(used, UbSimSuperExtent, i).offset;
		if (stop > pos) {
			UbSimSuperExtent ext = {pos, MIN(stop - pos, need)};
			g_array_append_val(added, ext);
			need -= ext.length;
		}
		if (i < used->len) {
			UbSimSuperExtent *u = &g_array_index(used, UbSimSuperExtent, i);
			guint64 u_end = u->offset + u->length;
			/* the next free space starts on an aligned boundary */
			u_end = (u_end + UB_SIM_SUPER_ALIGNMENT - 1) / UB_SIM_SUPER_ALIGNMENT *
				UB_SIM_SUPER_ALIGNMENT;
			pos = MAX(pos, u_end);
		}
	}
	if (need > 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "not enough space in %s for %" G_GUINT64_FORMAT " more bytes of %s",
			    self->super_name,
			    size,
			    lp->name);
		return FALSE;
	}
	for (guint i = 0; i < added->len; i++) {
		UbSimSuperExtent *ext = &g_array_index(added, UbSimSuperExtent, i);
		UbSimSuperExtent *last = NULL;
		if (lp->extents->len > 0)
			last = &g_array_index(lp->extents, UbSimSuperExtent, lp->extents->len - 1);
		/* contiguous with the last extent: one longer extent */
		if (last != NULL && last->offset + last->length == ext->offset)
			last->length += ext->length;
		else
			g_array_append_val(lp->extents, *ext);
	}
	return TRUE;
}

static void
ub_sim_super_shrink(UbSimSuperPartition *lp, guint64 size)
{
	guint64 keep = size;
	for (guint i = 0; i < lp->extents->len; i++) {
		UbSimSuperExtent *ext = &g_array_index(lp->extents, UbSimSuperExtent, i);
		if (keep == 0) {
			g_array_set_size(lp->extents, i);
			return;
		}
		if (ext->length >= keep) {
			ext->length = keep;
			g_array_set_size(lp->extents, i + 1);
			return;
		}
		keep -= ext->length;
	}
}

/* fastbootd sizes are rounded up to the logical block size */
static guint64
ub_sim_super_round(guint64 size)
{
	return (size + 4095) / 4096 * 4096;
}

gboolean
ub_sim_super_create_partition(UbSimSuper *self, const gchar *name, guint64 size, GError **error)
{
	UbSimSuperPartition *lp;
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	if (ub_sim_super_lookup(self, name) != NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "logical partition %s already exists",
			    name);
		return FALSE;
	}
	lp = ub_sim_super_partition_new(name);
	if (size > 0 && !ub_sim_super_grow(self, lp, ub_sim_super_round(size), error)) {
		ub_sim_super_partition_free(lp);
		return FALSE;
	}
	g_ptr_array_add(self->parts, lp);
	return TRUE;
}

gboolean
ub_sim_super_delete_partition(UbSimSuper *self, const gchar *name, GError **error)
{
	UbSimSuperPartition *lp;
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	lp = ub_sim_super_lookup(self, name);
	if (lp == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no logical partition %s", name);
		return FALSE;
	}
	g_ptr_array_remove(self->parts, lp);
	return TRUE;
}

gboolean
ub_sim_super_resize_partition(UbSimSuper *self, const gchar *name, guint64 size, GError **error)
{
	UbSimSuperPartition *lp;
	guint64 now;
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	lp = ub_sim_super_lookup(self, name);
	if (lp == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no logical partition %s", name);
		return FALSE;
	}
	size = ub_sim_super_round(size);
	now = ub_sim_super_partition_size(lp);
	if (size > now)
		return ub_sim_super_grow(self, lp, size - now, error);
	ub_sim_super_shrink(lp, size);
	return TRUE;
}

/* calls @func for each piece of [offset, offset+len) of @name, mapped into super */
typedef gboolean (*UbSimSuperIoFunc)(UbSimSuper *self,
				     guint64 super_offset,
				     guint8 *buf,
				     gsize len,
				     GError **error);

static gboolean
ub_sim_super_io(UbSimSuper *self,
		const gchar *name,
		guint64 offset,
		guint8 *buf,
		gsize bufsz,
		UbSimSuperIoFunc func,
		GError **error)
{
	UbSimSuperPartition *lp = ub_sim_super_lookup(self, name);
	guint64 pos = 0;
	gsize done = 0;

	if (lp == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no logical partition %s", name);
		return FALSE;
	}
	if (offset > ub_sim_super_partition_size(lp) ||
	    bufsz > ub_sim_super_partition_size(lp) - offset) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%" G_GSIZE_FORMAT " bytes at offset %" G_GUINT64_FORMAT
			    " do not fit in logical partition %s of %" G_GUINT64_FORMAT " bytes",
			    bufsz,
			    offset,
			    name,
			    ub_sim_super_partition_size(lp));
		return FALSE;
	}
	for (guint i = 0; i < lp->extents->len && done < bufsz; i++) {
		UbSimSuperExtent *ext = &g_array_index(lp->extents, UbSimSuperExtent, i);
		guint64 want = offset + done;
		if (want < pos + ext->length) {
			guint64 in_ext = want - pos;
			gsize n = (gsize)MIN((guint64)(bufsz - done), ext->length - in_ext);
			if (!func(self, ext->offset + in_ext, buf + done, n, error))
				return FALSE;
			done += n;
		}
		pos += ext->length;
	}
	return TRUE;
}

static gboolean
ub_sim_super_write_cb(UbSimSuper *self, guint64 off, guint8 *buf, gsize len, GError **error)
{
	return ub_sim_storage_write_partition(self->storage, self->super_name, off, buf, len, error);
}

static gboolean
ub_sim_super_read_cb(UbSimSuper *self, guint64 off, guint8 *buf, gsize len, GError **error)
{
	return ub_sim_storage_read_partition(self->storage, self->super_name, off, buf, len, error);
}

gboolean
ub_sim_super_write(UbSimSuper *self,
		   const gchar *name,
		   guint64 offset,
		   const guint8 *buf,
		   gsize bufsz,
		   GError **error)
{
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	/* the write callback never writes to buf */
	return ub_sim_super_io(self,
			       name,
			       offset,
			       (guint8 *)buf,
			       bufsz,
			       ub_sim_super_write_cb,
			       error);
}

gboolean
ub_sim_super_read(UbSimSuper *self,
		  const gchar *name,
		  guint64 offset,
		  guint8 *buf,
		  gsize bufsz,
		  GError **error)
{
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	return ub_sim_super_io(self, name, offset, buf, bufsz, ub_sim_super_read_cb, error);
}

/* liblp (system/core/fs_mgr/liblp/include/liblp/metadata_format.h) */
#define UB_SIM_LP_HEADER_MAGIC	   0x414c5030u /* "0PLA" */
#define UB_SIM_LP_HEADER_MIN_SIZE  128
#define UB_SIM_LP_PARTITION_SIZE   52
#define UB_SIM_LP_NAME_LEN	   36

/**
 * ub_sim_super_parse_metadata_names:
 * @buf: a super_empty.img as made by lpmake (not sparse)
 * @bufsz: its size
 * @error: (nullable): return location for a #GError
 *
 * A minimal reading of liblp metadata: finds the first metadata header (magic
 * "0PLA" at a 4 KiB boundary), and returns the names in its partition table.
 * Checksums, groups, extents and block devices are not looked at.
 *
 * Returns: (transfer full): the partition names, or %NULL
 */
gchar **
ub_sim_super_parse_metadata_names(const guint8 *buf, gsize bufsz, GError **error)
{
	for (gsize off = 0; off + UB_SIM_LP_HEADER_MIN_SIZE <= bufsz; off += 4096) {
		g_autoptr(GStrvBuilder) builder = NULL;
		guint32 header_size;
		guint32 tables_size;
		guint32 p_offset;
		guint32 p_num;
		guint32 p_entry;
		gsize tables;

		if (ub_mem_read_u32_le(buf, off) != UB_SIM_LP_HEADER_MAGIC)
			continue;
		/* magic, major, minor, header_size, checksum[32], tables_size, checksum[32],
		 * then the partitions descriptor: offset, num_entries, entry_size */
		header_size = ub_mem_read_u32_le(buf, off + 8);
		tables_size = ub_mem_read_u32_le(buf, off + 44);
		p_offset = ub_mem_read_u32_le(buf, off + 80);
		p_num = ub_mem_read_u32_le(buf, off + 84);
		p_entry = ub_mem_read_u32_le(buf, off + 88);
		tables = off + header_size;
		if (header_size < UB_SIM_LP_HEADER_MIN_SIZE || tables > bufsz ||
		    tables_size > bufsz - tables || p_entry < UB_SIM_LP_PARTITION_SIZE ||
		    p_offset > tables_size || (guint64)p_num * p_entry > tables_size - p_offset) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "invalid logical partition metadata header");
			return NULL;
		}
		builder = g_strv_builder_new();
		for (guint32 i = 0; i < p_num; i++) {
			const gchar *name = (const gchar *)buf + tables + p_offset + (gsize)i * p_entry;
			g_autofree gchar *str = g_strndup(name, UB_SIM_LP_NAME_LEN);
			if (str[0] == '\0' || strchr(str, ':') != NULL) {
				g_set_error_literal(error,
						    UB_ERROR,
						    UB_ERROR_INVALID_DATA,
						    "invalid logical partition name in metadata");
				return NULL;
			}
			g_strv_builder_add(builder, str);
		}
		return g_strv_builder_end(builder);
	}
	g_set_error_literal(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "no logical partition metadata found");
	return NULL;
}

/**
 * ub_sim_super_update:
 * @self: a #UbSimSuper
 * @buf: a super_empty.img
 * @bufsz: its size
 * @wipe: drop every logical partition first
 * @error: (nullable): return location for a #GError
 *
 * What `update-super:super[:wipe]` does here: the names of the metadata are
 * read (ub_sim_super_parse_metadata_names()); with @wipe the table is
 * replaced by those names, all empty; without, missing names are added empty
 * and existing partitions keep their extents and data (a simplification of
 * fastbootd's merge, which also drops the current slot's partitions that the
 * new metadata no longer lists). Sizes in the metadata are ignored: hosts
 * resize each partition before flashing it. Saves the sidecar.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_super_update(UbSimSuper *self,
		    const guint8 *buf,
		    gsize bufsz,
		    gboolean wipe,
		    GError **error)
{
	g_auto(GStrv) names = NULL;
	g_return_val_if_fail(UB_IS_SIM_SUPER(self), FALSE);
	names = ub_sim_super_parse_metadata_names(buf, bufsz, error);
	if (names == NULL)
		return FALSE;
	if (wipe)
		g_ptr_array_set_size(self->parts, 0);
	for (guint i = 0; names[i] != NULL; i++) {
		if (ub_sim_super_lookup(self, names[i]) != NULL)
			continue;
		g_ptr_array_add(self->parts, ub_sim_super_partition_new(names[i]));
	}
	return ub_sim_super_save(self, error);
}

static void
ub_sim_super_finalize(GObject *object)
{
	UbSimSuper *self = UB_SIM_SUPER(object);
	g_clear_object(&self->storage);
	g_free(self->super_name);
	g_ptr_array_unref(self->parts);
	G_OBJECT_CLASS(ub_sim_super_parent_class)->finalize(object);
}

static void
ub_sim_super_init(UbSimSuper *self)
{
	self->parts = g_ptr_array_new_with_free_func((GDestroyNotify)ub_sim_super_partition_free);
}

static void
ub_sim_super_class_init(UbSimSuperClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_sim_super_finalize;
}
