/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ub-backup.h"
#include "ub-error.h"

/*
 * A backup folder: the images the plan executor read before it overwrote or
 * erased calibration data, and backup.json, which says what they are (the
 * phone, the time, and per image the partition, region, byte offset, size and
 * SHA-256). The executor rewrites the manifest after every image, so a run
 * that stops half way still leaves a folder that lists and restores.
 *
 * The default root is $XDG_DATA_HOME/unbrick/backups, one folder per phone
 * serial, one per run inside it.
 */

#define UB_BACKUP_FORMAT 1

struct _UbBackup {
	GObject parent_instance;
	gchar *dir;
	gchar *protocol;
	gchar *mode;
	gchar *chip;
	gchar *serial;
	GDateTime *time;
	GPtrArray *items; /* of UbBackupItem */
};

G_DEFINE_TYPE(UbBackup, ub_backup, G_TYPE_OBJECT)

static void
ub_backup_item_free(UbBackupItem *item)
{
	g_free(item->partition);
	g_free(item->region);
	g_free(item->sha256);
	g_free(item->file);
	g_free(item);
}

/**
 * ub_backup_new:
 * @dir: the backup folder
 *
 * Returns: (transfer full): an empty backup made now
 */
UbBackup *
ub_backup_new(const gchar *dir)
{
	UbBackup *self = g_object_new(UB_TYPE_BACKUP, NULL);
	self->dir = g_strdup(dir);
	return self;
}

const gchar *
ub_backup_get_dir(UbBackup *self)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	return self->dir;
}

/**
 * ub_backup_set_device:
 * @self: a #UbBackup
 * @device: the phone the images come from
 *
 * Records the phone's protocol, mode, chip and serial.
 */
void
ub_backup_set_device(UbBackup *self, UbDevice *device)
{
	g_return_if_fail(UB_IS_BACKUP(self));
	g_return_if_fail(UB_IS_DEVICE(device));
	g_free(self->protocol);
	g_free(self->mode);
	g_free(self->chip);
	g_free(self->serial);
	self->protocol = g_strdup(ub_protocol_to_string(ub_device_get_protocol(device)));
	self->mode = g_strdup(ub_device_mode_to_string(ub_device_get_mode(device)));
	self->chip = g_strdup(ub_device_get_chip(device));
	self->serial = g_strdup(ub_device_get_serial(device));
}

const gchar *
ub_backup_get_protocol(UbBackup *self)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	return self->protocol;
}

const gchar *
ub_backup_get_mode(UbBackup *self)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	return self->mode;
}

const gchar *
ub_backup_get_chip(UbBackup *self)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	return self->chip;
}

const gchar *
ub_backup_get_serial(UbBackup *self)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	return self->serial;
}

/**
 * ub_backup_get_time:
 * @self: a #UbBackup
 *
 * Returns: (transfer none): when the backup was made
 */
GDateTime *
ub_backup_get_time(UbBackup *self)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	return self->time;
}

void
ub_backup_set_time(UbBackup *self, GDateTime *time)
{
	g_return_if_fail(UB_IS_BACKUP(self));
	g_return_if_fail(time != NULL);
	g_date_time_unref(self->time);
	self->time = g_date_time_ref(time);
}

/**
 * ub_backup_get_items:
 * @self: a #UbBackup
 *
 * Returns: (transfer none) (element-type UbBackupItem): the images, in the order made
 */
GPtrArray *
ub_backup_get_items(UbBackup *self)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	return self->items;
}

/**
 * ub_backup_find_item:
 * @self: a #UbBackup
 * @partition: a partition name
 *
 * Returns: (transfer none) (nullable): the image of @partition
 */
const UbBackupItem *
ub_backup_find_item(UbBackup *self, const gchar *partition)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	for (guint i = 0; i < self->items->len; i++) {
		UbBackupItem *item = g_ptr_array_index(self->items, i);
		if (g_strcmp0(item->partition, partition) == 0)
			return item;
	}
	return NULL;
}

/**
 * ub_backup_add_item:
 * @self: a #UbBackup
 * @partition: (nullable): the partition name
 * @region: (nullable): the region or LUN
 * @offset: byte offset in @region
 * @size: bytes
 * @sha256: hex SHA-256 of @file
 * @file: the image's file name inside the folder
 *
 * Adds an image; an image of the same file replaces the old entry.
 */
void
ub_backup_add_item(UbBackup *self,
		   const gchar *partition,
		   const gchar *region,
		   guint64 offset,
		   guint64 size,
		   const gchar *sha256,
		   const gchar *file)
{
	UbBackupItem *item;
	g_return_if_fail(UB_IS_BACKUP(self));
	g_return_if_fail(file != NULL);
	for (guint i = 0; i < self->items->len; i++) {
		item = g_ptr_array_index(self->items, i);
		if (g_strcmp0(item->file, file) == 0) {
			g_ptr_array_remove_index(self->items, i);
			break;
		}
	}
	item = g_new0(UbBackupItem, 1);
	item->partition = g_strdup(partition);
	item->region = g_strdup(region);
	item->offset = offset;
	item->size = size;
	item->sha256 = g_ascii_strdown(sha256 != NULL ? sha256 : "", -1);
	item->file = g_strdup(file);
	g_ptr_array_add(self->items, item);
}

static void
ub_backup_json_add_string(JsonBuilder *b, const gchar *name, const gchar *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

/**
 * ub_backup_save:
 * @self: a #UbBackup
 * @error: (nullable): return location for a #GError
 *
 * Writes backup.json into the folder (atomically: replaced, never half written).
 *
 * Returns: %TRUE on success
 */
gboolean
ub_backup_save(UbBackup *self, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *created = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *path = NULL;

	g_return_val_if_fail(UB_IS_BACKUP(self), FALSE);
	created = g_date_time_format_iso8601(self->time);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_int_value(b, UB_BACKUP_FORMAT);
	ub_backup_json_add_string(b, "created", created);
	json_builder_set_member_name(b, "device");
	json_builder_begin_object(b);
	ub_backup_json_add_string(b, "protocol", self->protocol);
	ub_backup_json_add_string(b, "mode", self->mode);
	ub_backup_json_add_string(b, "chip", self->chip);
	ub_backup_json_add_string(b, "serial", self->serial);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "images");
	json_builder_begin_array(b);
	for (guint i = 0; i < self->items->len; i++) {
		UbBackupItem *item = g_ptr_array_index(self->items, i);
		json_builder_begin_object(b);
		ub_backup_json_add_string(b, "partition", item->partition);
		ub_backup_json_add_string(b, "region", item->region);
		json_builder_set_member_name(b, "offset");
		json_builder_add_int_value(b, (gint64)item->offset);
		json_builder_set_member_name(b, "size");
		json_builder_add_int_value(b, (gint64)item->size);
		ub_backup_json_add_string(b, "sha256", item->sha256);
		ub_backup_json_add_string(b, "file", item->file);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	data = json_generator_to_data(gen, NULL);
	path = g_build_filename(self->dir, UB_BACKUP_MANIFEST, NULL);
	if (!g_file_set_contents(path, data, -1, error)) {
		ub_error_convert(error);
		g_prefix_error(error, "failed to write %s: ", path);
		return FALSE;
	}
	return TRUE;
}

/* checked accessors: the manifest is read from disk and may be anything */
static gboolean
ub_backup_json_get_string(JsonObject *obj,
			  const gchar *name,
			  gboolean required,
			  gchar **value,
			  GError **error)
{
	JsonNode *node = json_object_get_member(obj, name);
	if (node == NULL || JSON_NODE_HOLDS_NULL(node)) {
		if (required) {
			g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "'%s' is missing", name);
			return FALSE;
		}
		*value = NULL;
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "'%s' is not a string", name);
		return FALSE;
	}
	*value = g_strdup(json_node_get_string(node));
	return TRUE;
}

static gboolean
ub_backup_json_get_u64(JsonObject *obj, const gchar *name, guint64 *value, GError **error)
{
	JsonNode *node = json_object_get_member(obj, name);
	gint64 tmp;
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "'%s' is not a number", name);
		return FALSE;
	}
	tmp = json_node_get_int(node);
	if (tmp < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "'%s' is negative", name);
		return FALSE;
	}
	*value = (guint64)tmp;
	return TRUE;
}

static gboolean
ub_backup_sha256_is_valid(const gchar *sha256)
{
	if (sha256 == NULL || strlen(sha256) != 64)
		return FALSE;
	for (guint i = 0; i < 64; i++) {
		if (!g_ascii_isxdigit(sha256[i]))
			return FALSE;
	}
	return TRUE;
}

/* a plain file name: a manifest never points outside its folder */
static gboolean
ub_backup_file_is_safe(const gchar *file)
{
	return file != NULL && file[0] != '\0' && strchr(file, '/') == NULL &&
	       strchr(file, '\\') == NULL && g_strcmp0(file, ".") != 0 &&
	       g_strcmp0(file, "..") != 0;
}

static gboolean
ub_backup_parse_item(UbBackup *self, JsonNode *node, GError **error)
{
	JsonObject *obj;
	g_autofree gchar *partition = NULL;
	g_autofree gchar *region = NULL;
	g_autofree gchar *sha256 = NULL;
	g_autofree gchar *file = NULL;
	guint64 offset = 0;
	guint64 size = 0;

	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "not an object");
		return FALSE;
	}
	obj = json_node_get_object(node);
	if (!ub_backup_json_get_string(obj, "partition", FALSE, &partition, error) ||
	    !ub_backup_json_get_string(obj, "region", FALSE, &region, error) ||
	    !ub_backup_json_get_string(obj, "sha256", TRUE, &sha256, error) ||
	    !ub_backup_json_get_string(obj, "file", TRUE, &file, error) ||
	    !ub_backup_json_get_u64(obj, "offset", &offset, error) ||
	    !ub_backup_json_get_u64(obj, "size", &size, error))
		return FALSE;
	if (!ub_backup_sha256_is_valid(sha256)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "'%s' is not a SHA-256", sha256);
		return FALSE;
	}
	if (!ub_backup_file_is_safe(file)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "'%s' is not a file name inside the folder",
			    file);
		return FALSE;
	}
	if (partition == NULL && region == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s has neither a partition nor a region",
			    file);
		return FALSE;
	}
	ub_backup_add_item(self, partition, region, offset, size, sha256, file);
	return TRUE;
}

/**
 * ub_backup_load:
 * @dir: a backup folder
 * @error: (nullable): return location for a #GError
 *
 * Reads the folder's backup.json.
 *
 * Returns: (transfer full): the backup, or %NULL
 */
UbBackup *
ub_backup_load(const gchar *dir, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, UB_BACKUP_MANIFEST, NULL);
	g_autofree gchar *data = NULL;
	g_autofree gchar *created = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(UbBackup) self = ub_backup_new(dir);
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;
	JsonObject *obj;
	JsonNode *node;
	gsize len = 0;
	guint64 format = 0;

	if (!g_file_get_contents(path, &data, &len, error)) {
		ub_error_convert(error);
		g_prefix_error(error, "%s is not a backup folder: ", dir);
		return NULL;
	}
	if (len > UB_BACKUP_MANIFEST_MAX_SIZE) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s is too large", path);
		return NULL;
	}
	if (!json_parser_load_from_data(parser, data, (gssize)len, &error_local)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s is damaged: %s",
			    path,
			    error_local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s is not a manifest", path);
		return NULL;
	}
	obj = json_node_get_object(root);
	if (!ub_backup_json_get_u64(obj, "format", &format, &error_local) ||
	    format != UB_BACKUP_FORMAT) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s has an unknown format; is it from a newer version?",
			    path);
		return NULL;
	}
	if (!ub_backup_json_get_string(obj, "created", TRUE, &created, &error_local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&error_local), "%s: ", path);
		return NULL;
	}
	{
		g_autoptr(GDateTime) time = g_date_time_new_from_iso8601(created, NULL);
		if (time == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s: '%s' is not a time",
				    path,
				    created);
			return NULL;
		}
		ub_backup_set_time(self, time);
	}
	node = json_object_get_member(obj, "device");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT(node)) {
		JsonObject *dev = json_node_get_object(node);
		if (!ub_backup_json_get_string(dev, "protocol", FALSE, &self->protocol, &error_local) ||
		    !ub_backup_json_get_string(dev, "mode", FALSE, &self->mode, &error_local) ||
		    !ub_backup_json_get_string(dev, "chip", FALSE, &self->chip, &error_local) ||
		    !ub_backup_json_get_string(dev, "serial", FALSE, &self->serial, &error_local)) {
			g_propagate_prefixed_error(error,
						   g_steal_pointer(&error_local),
						   "%s: device: ",
						   path);
			return NULL;
		}
	}
	node = json_object_get_member(obj, "images");
	if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s lists no images", path);
		return NULL;
	}
	{
		JsonArray *arr = json_node_get_array(node);
		for (guint i = 0; i < json_array_get_length(arr); i++) {
			if (!ub_backup_parse_item(self, json_array_get_element(arr, i), error)) {
				g_prefix_error(error, "%s: image %u: ", path, i);
				return NULL;
			}
		}
	}
	return g_steal_pointer(&self);
}

/**
 * ub_backup_get_default_root:
 *
 * Returns: (transfer full): $XDG_DATA_HOME/unbrick/backups
 */
gchar *
ub_backup_get_default_root(void)
{
	return g_build_filename(g_get_user_data_dir(), "unbrick", "backups", NULL);
}

/**
 * ub_backup_new_dir:
 * @root: (nullable): the backups root; %NULL for the default
 * @serial: (nullable): the phone's serial
 *
 * Returns: (transfer full): a folder name that does not exist yet,
 *   ROOT/SERIAL/YYYYmmdd-HHMMSS[-N]
 */
gchar *
ub_backup_new_dir(const gchar *root, const gchar *serial)
{
	g_autofree gchar *root_tmp = root != NULL ? g_strdup(root) : ub_backup_get_default_root();
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
	g_autofree gchar *safe = g_strdup(serial != NULL && serial[0] != '\0' ? serial : "unknown");
	g_strcanon(safe, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", '_');
	if (safe[0] == '.')
		safe[0] = '_';
	for (guint i = 1;; i++) {
		g_autofree gchar *name = i == 1 ? g_strdup(stamp) : g_strdup_printf("%s-%u", stamp, i);
		g_autofree gchar *dir = g_build_filename(root_tmp, safe, name, NULL);
		if (!g_file_test(dir, G_FILE_TEST_EXISTS))
			return g_steal_pointer(&dir);
	}
}

static gint
ub_backup_cmp_newest_first(gconstpointer a, gconstpointer b)
{
	UbBackup *ba = *(UbBackup *const *)a;
	UbBackup *bb = *(UbBackup *const *)b;
	gint rc = g_date_time_compare(bb->time, ba->time);
	if (rc != 0)
		return rc;
	return g_strcmp0(bb->dir, ba->dir);
}

static void
ub_backup_scan(const gchar *dir, guint depth, GPtrArray *backups)
{
	g_autoptr(GDir) gdir = NULL;
	g_autofree gchar *manifest = g_build_filename(dir, UB_BACKUP_MANIFEST, NULL);
	const gchar *name;

	if (g_file_test(manifest, G_FILE_TEST_IS_REGULAR)) {
		g_autoptr(GError) error_local = NULL;
		UbBackup *backup = ub_backup_load(dir, &error_local);
		if (backup == NULL)
			g_debug("ignoring: %s", error_local->message);
		else
			g_ptr_array_add(backups, backup);
		return;
	}
	if (depth == 0)
		return;
	gdir = g_dir_open(dir, 0, NULL);
	if (gdir == NULL)
		return;
	while ((name = g_dir_read_name(gdir)) != NULL) {
		g_autofree gchar *child = g_build_filename(dir, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			ub_backup_scan(child, depth - 1, backups);
	}
}

/**
 * ub_backup_list:
 * @root: (nullable): where to look; %NULL for ub_backup_get_default_root()
 * @error: (nullable): return location for a #GError
 *
 * Finds the backup folders under @root (ROOT/SERIAL/TIME, or any folder up to
 * two levels down that holds a manifest); damaged manifests are skipped.
 *
 * Returns: (transfer container) (element-type UbBackup): newest first, maybe empty
 */
GPtrArray *
ub_backup_list(const gchar *root, GError **error)
{
	g_autofree gchar *root_tmp = root != NULL ? g_strdup(root) : ub_backup_get_default_root();
	g_autoptr(GPtrArray) backups = g_ptr_array_new_with_free_func(g_object_unref);
	if (g_file_test(root_tmp, G_FILE_TEST_EXISTS) &&
	    !g_file_test(root_tmp, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s is not a folder", root_tmp);
		return NULL;
	}
	ub_backup_scan(root_tmp, 2, backups);
	g_ptr_array_sort(backups, ub_backup_cmp_newest_first);
	return g_steal_pointer(&backups);
}

static gboolean
ub_backup_verify_item(UbBackup *self,
		      const UbBackupItem *item,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autofree gchar *path = g_build_filename(self->dir, item->file, NULL);
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileInputStream) in = NULL;
	g_autoptr(GChecksum) checksum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree guint8 *buf = g_malloc(1024 * 1024);
	guint64 total = 0;

	in = g_file_read(file, cancellable, error);
	if (in == NULL) {
		ub_error_convert(error);
		g_prefix_error(error, "%s is missing: ", item->file);
		return FALSE;
	}
	for (;;) {
		gssize n = g_input_stream_read(G_INPUT_STREAM(in),
					       buf,
					       1024 * 1024,
					       cancellable,
					       error);
		if (n < 0) {
			ub_error_convert(error);
			return FALSE;
		}
		if (n == 0)
			break;
		g_checksum_update(checksum, buf, (gsize)n);
		total += (guint64)n;
	}
	if (total != item->size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s has %" G_GUINT64_FORMAT " bytes, the manifest says %" G_GUINT64_FORMAT,
			    item->file,
			    total,
			    item->size);
		return FALSE;
	}
	if (g_strcmp0(g_checksum_get_string(checksum), item->sha256) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s is damaged: its SHA-256 is %s, the manifest says %s",
			    item->file,
			    g_checksum_get_string(checksum),
			    item->sha256);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_backup_verify:
 * @self: a #UbBackup
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Checks that every image is there, with the size and SHA-256 the manifest records.
 *
 * Returns: %TRUE if all images are intact
 */
gboolean
ub_backup_verify(UbBackup *self, GCancellable *cancellable, GError **error)
{
	g_return_val_if_fail(UB_IS_BACKUP(self), FALSE);
	for (guint i = 0; i < self->items->len; i++) {
		if (!ub_backup_verify_item(self, g_ptr_array_index(self->items, i), cancellable, error)) {
			g_prefix_error(error, "backup %s: ", self->dir);
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ub_backup_to_restore_plan:
 * @self: a #UbBackup
 * @partitions: (nullable) (element-type UbPartition): the phone's partitions, if known
 * @error: (nullable): return location for a #GError
 *
 * A plan that writes every image back: by partition name, or by region and
 * byte offset when the phone has no partition of that name (or the image had
 * none). Calibration partitions are allowed, since restoring them is what the
 * user asked for; the executor still backs up what it overwrites.
 *
 * Returns: (transfer full): a download plan, or %NULL
 */
UbPlan *
ub_backup_to_restore_plan(UbBackup *self, GPtrArray *partitions, GError **error)
{
	g_autoptr(UbPlan) plan = ub_plan_new(UB_PLAN_KIND_DOWNLOAD);

	g_return_val_if_fail(UB_IS_BACKUP(self), NULL);
	if (self->items->len == 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "backup %s is empty", self->dir);
		return NULL;
	}
	ub_plan_set_verify(plan, TRUE);
	ub_plan_set_allow_calibration(plan, TRUE);
	for (guint i = 0; i < self->items->len; i++) {
		UbBackupItem *item = g_ptr_array_index(self->items, i);
		g_autofree gchar *path = g_build_filename(self->dir, item->file, NULL);
		UbPlanOp *op;
		if (item->partition != NULL &&
		    (partitions == NULL || ub_partition_array_find(partitions, item->partition) != NULL)) {
			op = ub_plan_add_write(plan, item->partition, path);
		} else if (item->region != NULL) {
			op = ub_plan_add_op(plan,
					    UB_PLAN_OP_WRITE,
					    NULL,
					    item->region,
					    item->offset,
					    item->size,
					    path);
			op->label = g_strdup(item->partition);
			if (item->partition != NULL)
				ub_plan_add_note(plan,
						 "the phone has no partition %s: restoring it at "
						 "byte 0x%" G_GINT64_MODIFIER "x of %s",
						 item->partition,
						 item->offset,
						 item->region);
		} else {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the phone has no partition %s to restore %s into",
				    item->partition,
				    item->file);
			return NULL;
		}
		op->origin = g_strdup_printf("%s/%s", self->dir, item->file);
	}
	return g_steal_pointer(&plan);
}

static void
ub_backup_finalize(GObject *object)
{
	UbBackup *self = UB_BACKUP(object);
	g_free(self->dir);
	g_free(self->protocol);
	g_free(self->mode);
	g_free(self->chip);
	g_free(self->serial);
	g_date_time_unref(self->time);
	g_ptr_array_unref(self->items);
	G_OBJECT_CLASS(ub_backup_parent_class)->finalize(object);
}

static void
ub_backup_init(UbBackup *self)
{
	self->time = g_date_time_new_now_local();
	self->items = g_ptr_array_new_with_free_func((GDestroyNotify)ub_backup_item_free);
}

static void
ub_backup_class_init(UbBackupClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_backup_finalize;
}
