/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-scatter.h"

/*
 * MediaTek scatter files (shared/reference/mtk.md section b): the 2012-13 brace
 * format, the YAML-like text of V1.x and V2.x (V2.x: one `- storage_type:` block
 * per storage) and XML (flat V1.1.8 and <storage_type> V2.2.0 shapes). A YAML
 * library is not used: vendor files are not always valid YAML (b.2).
 */

#define UB_SCATTER_MAX_PARTITIONS 4096
#define UB_SCATTER_MAX_LAYOUTS	  16
#define UB_SCATTER_MAX_XML_DEPTH  32
#define UB_SCATTER_MAX_WARNINGS	  200

struct _UbScatter {
	GObject parent_instance;
	UbScatterKind kind;
	GHashTable *general; /* key -> value, as written */
	GPtrArray *layouts;  /* of UbScatterLayout */
	GPtrArray *warnings; /* of utf8 */
	gboolean crlf;
};

G_DEFINE_TYPE(UbScatter, ub_scatter, G_TYPE_OBJECT)

const gchar *
ub_scatter_kind_to_string(UbScatterKind kind)
{
	switch (kind) {
	case UB_SCATTER_KIND_BRACE:
		return "brace";
	case UB_SCATTER_KIND_TEXT:
		return "text";
	case UB_SCATTER_KIND_XML:
		return "xml";
	case UB_SCATTER_KIND_UNKNOWN:
	case UB_SCATTER_KIND_LAST:
	default:
		return "unknown";
	}
}

const gchar *
ub_scatter_operation_to_string(UbScatterOperation op)
{
	switch (op) {
	case UB_SCATTER_OPERATION_BOOTLOADERS:
		return "BOOTLOADERS";
	case UB_SCATTER_OPERATION_UPDATE:
		return "UPDATE";
	case UB_SCATTER_OPERATION_INVISIBLE:
		return "INVISIBLE";
	case UB_SCATTER_OPERATION_PROTECTED:
		return "PROTECTED";
	case UB_SCATTER_OPERATION_RESERVED:
		return "RESERVED";
	case UB_SCATTER_OPERATION_BINREGION:
		return "BINREGION";
	case UB_SCATTER_OPERATION_NEEDRESIZE:
		return "NEEDRESIZE";
	case UB_SCATTER_OPERATION_UNKNOWN:
	case UB_SCATTER_OPERATION_LAST:
	default:
		return NULL;
	}
}

UbScatterOperation
ub_scatter_operation_from_string(const gchar *str)
{
	if (str == NULL)
		return UB_SCATTER_OPERATION_UNKNOWN;
	for (guint i = 0; i < UB_SCATTER_OPERATION_UNKNOWN; i++) {
		if (g_ascii_strcasecmp(str, ub_scatter_operation_to_string(i)) == 0)
			return i;
	}
	return UB_SCATTER_OPERATION_UNKNOWN;
}

/* regions: mtk.md b.3 "region"; every spelling SPFT, mtkclient and the corpus
 * use maps to one canonical name */
static const struct {
	const gchar *spelling;
	const gchar *canonical;
} ub_scatter_regions[] = {
    {"EMMC_BOOT1_BOOT2", "EMMC_BOOT1_BOOT2"},
    {"EMMC_BOOT_1", "EMMC_BOOT1"},
    {"EMMC_BOOT1", "EMMC_BOOT1"},
    {"BOOT_1", "EMMC_BOOT1"},
    {"BOOT1", "EMMC_BOOT1"},
    {"EMMC_BOOT_2", "EMMC_BOOT2"},
    {"EMMC_BOOT2", "EMMC_BOOT2"},
    {"BOOT_2", "EMMC_BOOT2"},
    {"BOOT2", "EMMC_BOOT2"},
    {"EMMC_USER", "EMMC_USER"},
    {"USER", "EMMC_USER"},
    {"EMMC_RPMB", "EMMC_RPMB"},
    {"EMMC_RPMP", "EMMC_RPMB"},
    {"EMMC_GP1", "EMMC_GP1"},
    {"EMMC_GP_1", "EMMC_GP1"},
    {"EMMC_GP2", "EMMC_GP2"},
    {"EMMC_GP_2", "EMMC_GP2"},
    {"EMMC_GP3", "EMMC_GP3"},
    {"EMMC_GP_3", "EMMC_GP3"},
    {"EMMC_GP4", "EMMC_GP4"},
    {"EMMC_GP_4", "EMMC_GP4"},
    {"UFS_LU0_LU1", "UFS_LU0_LU1"},
    {"UFS_LU0", "UFS_LU0"},
    {"UFS_LU_0", "UFS_LU0"},
    {"UFS_LU1", "UFS_LU1"},
    {"UFS_LU_1", "UFS_LU1"},
    {"UFS_LU2", "UFS_LU2"},
    {"UFS_LU_2", "UFS_LU2"},
    {"NONE", "NONE"},
};

/**
 * ub_scatter_region_normalize:
 * @region: a region as a scatter spells it
 *
 * Returns: the canonical name (EMMC_BOOT1_BOOT2, EMMC_BOOT1, EMMC_BOOT2,
 * EMMC_USER, EMMC_RPMB, EMMC_GP1..4, UFS_LU0_LU1, UFS_LU0, UFS_LU1, UFS_LU2,
 * NONE), or %NULL for an unknown spelling
 */
const gchar *
ub_scatter_region_normalize(const gchar *region)
{
	if (region == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS(ub_scatter_regions); i++) {
		if (g_ascii_strcasecmp(region, ub_scatter_regions[i].spelling) == 0)
			return ub_scatter_regions[i].canonical;
	}
	return NULL;
}

/**
 * ub_scatter_region_get_lun:
 * @region: a region, any spelling
 *
 * Returns: the UFS logical unit (0, 1, 2), or -1 (eMMC, or both LU0 and LU1)
 */
gint
ub_scatter_region_get_lun(const gchar *region)
{
	const gchar *canonical = ub_scatter_region_normalize(region);
	if (g_strcmp0(canonical, "UFS_LU0") == 0)
		return 0;
	if (g_strcmp0(canonical, "UFS_LU1") == 0)
		return 1;
	if (g_strcmp0(canonical, "UFS_LU2") == 0)
		return 2;
	return -1;
}

/**
 * ub_scatter_region_is_boot:
 * @region: a region, any spelling
 *
 * Returns: %TRUE for the boot areas that "format whole flash except
 * bootloader" leaves alone (eMMC boot1/boot2, UFS LU0/LU1)
 */
gboolean
ub_scatter_region_is_boot(const gchar *region)
{
	const gchar *canonical = ub_scatter_region_normalize(region);
	if (canonical == NULL)
		return FALSE;
	return g_str_has_prefix(canonical, "EMMC_BOOT") || g_strcmp0(canonical, "UFS_LU0") == 0 ||
	       g_strcmp0(canonical, "UFS_LU1") == 0 || g_strcmp0(canonical, "UFS_LU0_LU1") == 0;
}

/**
 * ub_scatter_resolve_pseudo:
 * @addr: a start address
 * @size: the partition's size
 * @block_size: the storage's block_size (0: 0x20000)
 * @disk_size: bytes of the user area, 0 when unknown
 * @tail: the size of the layout's 0xFFFF0000 record (sgpt), 0 if it has none
 *
 * Resolves an end-relative pseudo address (mtk.md b.3). No specification is
 * public; this is inferred from the corpus arithmetic, where it makes every
 * layout tile the end of the disk without overlaps:
 *  - 0xFFFF0000 puts the partition at the very end (sgpt, the backup GPT);
 *  - otherwise the low 16 bits count block_size units from the end of the
 *    area before that record, which takes whole blocks (MT6765: flashinfo
 *    0xFFFF0080 x 0x20000 = its 16 MiB, otp 0xFFFF01d8 = 59 MiB = 16 MiB + its
 *    43 MiB; MT6735 has no 0xFFFF0000 record: sgpt 0xFFFF0004 = its 0x80000
 *    and flashinfo 0xFFFF0084 = 16 MiB + 0x80000, counted from the very end).
 * Real offsets above 4 GiB are never pseudo. The device's GPT has the truth.
 *
 * Returns: the byte offset, @addr when it is not a pseudo address, or
 * %G_MAXUINT64 when it cannot be resolved (unknown disk size, or the
 * partition would not fit)
 */
guint64
ub_scatter_resolve_pseudo(guint64 addr,
			  guint64 size,
			  guint64 block_size,
			  guint64 disk_size,
			  guint64 tail)
{
	guint64 units;
	guint64 distance;

	if (addr < UB_SCATTER_PSEUDO_MIN || addr > UB_SCATTER_PSEUDO_MAX)
		return addr;
	if (disk_size == 0)
		return G_MAXUINT64;
	if (block_size == 0)
		block_size = 0x20000;
	units = addr & 0xffff;
	if (units == 0) {
		distance = size;
	} else {
		guint64 tail_blocks = (tail + block_size - 1) / block_size;
		distance = (units + tail_blocks) * block_size;
		if (distance < size + tail)
			return G_MAXUINT64;
	}
	if (distance > disk_size)
		return G_MAXUINT64;
	return disk_size - distance;
}

void
ub_scatter_partition_free(UbScatterPartition *part)
{
	if (part == NULL)
		return;
	g_free(part->index);
	g_free(part->name);
	g_free(part->file_name);
	g_free(part->type);
	g_free(part->region);
	g_free(part->storage);
	g_free(part->operation_type);
	g_free(part->d_type);
	g_free(part->reserve);
	if (part->fields != NULL)
		g_hash_table_unref(part->fields);
	g_free(part);
}

static gboolean
ub_scatter_addr_is_pseudo(guint64 addr)
{
	return addr >= UB_SCATTER_PSEUDO_MIN && addr <= UB_SCATTER_PSEUDO_MAX;
}

/**
 * ub_scatter_partition_is_pseudo:
 * @part: a record
 *
 * Returns: %TRUE if either start address is an end-relative pseudo address
 * (the V1.1.1 file has BMTPOOL at linear 0xFFFF00a8 with physical 0x0)
 */
gboolean
ub_scatter_partition_is_pseudo(const UbScatterPartition *part)
{
	return ub_scatter_partition_get_pseudo_key(part) != NULL;
}

/**
 * ub_scatter_partition_get_pseudo_key:
 * @part: a record
 *
 * Returns: (nullable): "physical_start_addr" or "linear_start_addr", whichever
 * holds a pseudo address (physical first), or %NULL
 */
const gchar *
ub_scatter_partition_get_pseudo_key(const UbScatterPartition *part)
{
	if (part->has_physical_start_addr && ub_scatter_addr_is_pseudo(part->physical_start_addr))
		return "physical_start_addr";
	if (ub_scatter_addr_is_pseudo(part->linear_start_addr))
		return "linear_start_addr";
	return NULL;
}

static UbScatterPartition *
ub_scatter_partition_new(guint line)
{
	UbScatterPartition *part = g_new0(UbScatterPartition, 1);
	part->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	part->boundary_check = TRUE;
	part->is_upgradable = TRUE;
	part->operation = UB_SCATTER_OPERATION_UNKNOWN;
	part->line = line;
	part->duplicate_of = -1;
	return part;
}

void
ub_scatter_layout_free(UbScatterLayout *layout)
{
	if (layout == NULL)
		return;
	g_free(layout->storage_type);
	g_free(layout->storage);
	g_free(layout->boot_channel);
	g_hash_table_unref(layout->fields);
	g_ptr_array_unref(layout->partitions);
	g_free(layout);
}

/**
 * ub_scatter_layout_get_tail:
 * @layout: a layout
 *
 * Returns: the size of the record at pseudo address 0xFFFF0000 (sgpt), or 0
 */
guint64
ub_scatter_layout_get_tail(const UbScatterLayout *layout)
{
	for (guint i = 0; i < layout->partitions->len; i++) {
		UbScatterPartition *part = g_ptr_array_index(layout->partitions, i);
		const gchar *key = ub_scatter_partition_get_pseudo_key(part);
		guint64 addr;
		if (key == NULL)
			continue;
		addr = g_strcmp0(key, "physical_start_addr") == 0 ? part->physical_start_addr
								  : part->linear_start_addr;
		if (addr == UB_SCATTER_PSEUDO_MIN && part->has_partition_size)
			return part->partition_size;
	}
	return 0;
}

static UbScatterLayout *
ub_scatter_layout_new(const gchar *storage_type, guint line)
{
	UbScatterLayout *layout = g_new0(UbScatterLayout, 1);
	layout->storage_type = g_strdup(storage_type);
	layout->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	layout->partitions = g_ptr_array_new_with_free_func((GDestroyNotify)ub_scatter_partition_free);
	layout->line = line;
	return layout;
}

static void
ub_scatter_add_warning(UbScatter *self, const gchar *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
ub_scatter_add_warning(UbScatter *self, const gchar *fmt, ...)
{
	va_list args;
	if (self->warnings->len == UB_SCATTER_MAX_WARNINGS) {
		g_ptr_array_add(self->warnings, g_strdup("too many warnings; the rest are not shown"));
		return;
	}
	if (self->warnings->len > UB_SCATTER_MAX_WARNINGS)
		return;
	va_start(args, fmt);
	g_ptr_array_add(self->warnings, g_strdup_vprintf(fmt, args));
	va_end(args);
}

/* values */

static gboolean
ub_scatter_parse_u64(const gchar *str, guint64 *value, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	if (g_ascii_strncasecmp(str, "0x", 2) == 0) {
		if (!g_ascii_string_to_unsigned(str + 2,
						16,
						0,
						G_MAXUINT64,
						value,
						&error_local)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid number '%s'",
				    str);
			return FALSE;
		}
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT64, value, &error_local)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "invalid number '%s'", str);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_scatter_parse_bool(const gchar *str, gboolean *value, GError **error)
{
	if (g_ascii_strcasecmp(str, "true") == 0) {
		*value = TRUE;
		return TRUE;
	}
	if (g_ascii_strcasecmp(str, "false") == 0) {
		*value = FALSE;
		return TRUE;
	}
	g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "invalid boolean '%s'", str);
	return FALSE;
}

/* the typed fields of a record from its key/value table */
static gboolean
ub_scatter_partition_finish(UbScatter *self, UbScatterPartition *part, GError **error)
{
	const gchar *value;
	struct {
		const gchar *key;
		gboolean *dest;
	} bools[] = {
	    {"is_download", &part->is_download},
	    {"boundary_check", &part->boundary_check},
	    {"is_reserved", &part->is_reserved},
	    {"is_upgradable", &part->is_upgradable},
	    {"empty_boot_needed", &part->empty_boot_needed},
	    {"combo_partsize_check", &part->combo_partsize_check},
	};
	struct {
		const gchar *key;
		gchar **dest;
	} strs[] = {
	    {"partition_name", &part->name},
	    {"file_name", &part->file_name},
	    {"type", &part->type},
	    {"region", &part->region},
	    {"storage", &part->storage},
	    {"operation_type", &part->operation_type},
	    {"d_type", &part->d_type},
	    {"reserve", &part->reserve},
	};

	for (guint i = 0; i < G_N_ELEMENTS(strs); i++) {
		value = g_hash_table_lookup(part->fields, strs[i].key);
		if (value != NULL) {
			g_free(*strs[i].dest);
			*strs[i].dest = g_strdup(value);
		}
	}
	if (part->name == NULL || part->name[0] == '\0') {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: partition %s has no partition_name",
			    part->line,
			    part->index != NULL ? part->index : "(no index)");
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(bools); i++) {
		value = g_hash_table_lookup(part->fields, bools[i].key);
		if (value == NULL)
			continue;
		if (!ub_scatter_parse_bool(value, bools[i].dest, error)) {
			g_prefix_error(error,
				       "line %u: %s of %s: ",
				       part->line,
				       bools[i].key,
				       part->name);
			return FALSE;
		}
	}
	part->has_is_upgradable = g_hash_table_contains(part->fields, "is_upgradable");

	value = g_hash_table_lookup(part->fields, "linear_start_addr");
	if (value != NULL && !ub_scatter_parse_u64(value, &part->linear_start_addr, error)) {
		g_prefix_error(error, "line %u: linear_start_addr of %s: ", part->line, part->name);
		return FALSE;
	}
	value = g_hash_table_lookup(part->fields, "physical_start_addr");
	if (value != NULL) {
		if (!ub_scatter_parse_u64(value, &part->physical_start_addr, error)) {
			g_prefix_error(error,
				       "line %u: physical_start_addr of %s: ",
				       part->line,
				       part->name);
			return FALSE;
		}
		part->has_physical_start_addr = TRUE;
	}
	if (value == NULL && !g_hash_table_contains(part->fields, "linear_start_addr")) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "line %u: partition %s has no start address",
			    part->line,
			    part->name);
		return FALSE;
	}
	value = g_hash_table_lookup(part->fields, "partition_size");
	if (value != NULL) {
		if (!ub_scatter_parse_u64(value, &part->partition_size, error)) {
			g_prefix_error(error,
				       "line %u: partition_size of %s: ",
				       part->line,
				       part->name);
			return FALSE;
		}
		part->has_partition_size = TRUE;
	} else {
		ub_scatter_add_warning(self,
				       "line %u: partition %s has no partition_size",
				       part->line,
				       part->name);
	}
	part->operation = ub_scatter_operation_from_string(part->operation_type);
	if (part->operation_type != NULL && part->operation == UB_SCATTER_OPERATION_UNKNOWN) {
		ub_scatter_add_warning(self,
				       "line %u: partition %s has unknown operation_type %s",
				       part->line,
				       part->name,
				       part->operation_type);
	}
	return TRUE;
}

/* duplicates are kept and marked, the loader decides (mtk.md b.1: real packs
 * repeat the table) */
static void
ub_scatter_mark_duplicates(UbScatter *self, UbScatterLayout *layout)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < layout->partitions->len; i++) {
		UbScatterPartition *part = g_ptr_array_index(layout->partitions, i);
		gpointer first = NULL;
		if (g_hash_table_lookup_extended(seen, part->name, NULL, &first)) {
			UbScatterPartition *orig;
			part->duplicate_of = GPOINTER_TO_INT(first);
			orig = g_ptr_array_index(layout->partitions, part->duplicate_of);
			ub_scatter_add_warning(self,
					       "line %u: partition %s is listed again (first on line %u)",
					       part->line,
					       part->name,
					       orig->line);
			continue;
		}
		g_hash_table_insert(seen, part->name, GINT_TO_POINTER(i));
	}
}

/* the general block gives storage, boot_channel and block_size to single-layout files */
static gboolean
ub_scatter_finish(UbScatter *self, GError **error)
{
	if (self->layouts->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no partition records");
		return FALSE;
	}
	for (guint i = 0; i < self->layouts->len; i++) {
		UbScatterLayout *layout = g_ptr_array_index(self->layouts, i);
		GHashTable *src = layout->storage_type != NULL ? layout->fields : self->general;
		const gchar *value;

		layout->storage = g_strdup(g_hash_table_lookup(src, "storage"));
		if (layout->storage == NULL)
			layout->storage = g_strdup(layout->storage_type);
		layout->boot_channel = g_strdup(g_hash_table_lookup(src, "boot_channel"));
		value = g_hash_table_lookup(src, "block_size");
		if (value != NULL && !ub_scatter_parse_u64(value, &layout->block_size, error)) {
			g_prefix_error(error, "block_size: ");
			return FALSE;
		}
		if (layout->partitions->len == 0) {
			ub_scatter_add_warning(self,
					       "line %u: storage block %s has no partitions",
					       layout->line,
					       layout->storage_type != NULL ? layout->storage_type
									    : "");
		}
		for (guint j = 0; j < layout->partitions->len; j++) {
			UbScatterPartition *part = g_ptr_array_index(layout->partitions, j);
			if (!ub_scatter_partition_finish(self, part, error))
				return FALSE;
		}
		ub_scatter_mark_duplicates(self, layout);
	}
	return TRUE;
}

static gboolean
ub_scatter_check_limits(UbScatter *self, UbScatterLayout *layout, GError **error)
{
	if (layout->partitions->len >= UB_SCATTER_MAX_PARTITIONS) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "more than %u partitions",
			    (guint)UB_SCATTER_MAX_PARTITIONS);
		return FALSE;
	}
	return TRUE;
}

static void
ub_scatter_set_field(UbScatter *self, GHashTable *fields, guint line, const gchar *key, const gchar *value)
{
	if (g_hash_table_contains(fields, key)) {
		ub_scatter_add_warning(self,
				       "line %u: %s is given twice in one record; the last one counts",
				       line,
				       key);
	}
	g_hash_table_insert(fields, g_strdup(key), g_strdup(value));
}

/* text (V1.x, V2.x) */

typedef enum {
	UB_SCATTER_TEXT_NONE,
	UB_SCATTER_TEXT_GENERAL,
	UB_SCATTER_TEXT_STORAGE,	 /* after "- storage_type:" */
	UB_SCATTER_TEXT_STORAGE_GENERAL, /* "- general: MTK_STORAGE_CFG" */
	UB_SCATTER_TEXT_PARTITION,
} UbScatterTextState;

static UbScatterLayout *
ub_scatter_current_layout(UbScatter *self, guint line)
{
	if (self->layouts->len == 0)
		g_ptr_array_add(self->layouts, ub_scatter_layout_new(NULL, line));
	return g_ptr_array_index(self->layouts, self->layouts->len - 1);
}

static gboolean
ub_scatter_parse_text(UbScatter *self, gchar **lines, GError **error)
{
	UbScatterTextState state = UB_SCATTER_TEXT_NONE;
	UbScatterPartition *part = NULL;
	gboolean in_storage_block = FALSE;

	for (guint i = 0; lines[i] != NULL; i++) {
		guint line = i + 1;
		gchar *str = g_strstrip(lines[i]);
		gboolean dash = FALSE;
		gchar *colon;
		const gchar *key;
		const gchar *value;

		if (str[0] == '\0' || str[0] == '#')
			continue;
		if (str[0] == '-' && (str[1] == ' ' || str[1] == '\t')) {
			dash = TRUE;
			str = g_strchug(str + 1);
		}
		colon = strchr(str, ':');
		if (colon == NULL) {
			ub_scatter_add_warning(self, "line %u: not understood: %s", line, str);
			continue;
		}
		*colon = '\0';
		key = g_strchomp(str);
		value = g_strstrip(colon + 1);

		if (dash && g_strcmp0(key, "partition_index") == 0) {
			UbScatterLayout *layout = ub_scatter_current_layout(self, line);
			if (!ub_scatter_check_limits(self, layout, error))
				return FALSE;
			part = ub_scatter_partition_new(line);
			part->index = g_strdup(value);
			g_ptr_array_add(layout->partitions, part);
			state = UB_SCATTER_TEXT_PARTITION;
			continue;
		}
		if (dash && g_strcmp0(key, "storage_type") == 0) {
			if (self->layouts->len >= UB_SCATTER_MAX_LAYOUTS) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "line %u: more than %u storage blocks",
					    line,
					    (guint)UB_SCATTER_MAX_LAYOUTS);
				return FALSE;
			}
			if (!in_storage_block && self->layouts->len > 0) {
				ub_scatter_add_warning(
				    self,
				    "line %u: partitions before the first storage_type block",
				    line);
			}
			g_ptr_array_add(self->layouts, ub_scatter_layout_new(value, line));
			in_storage_block = TRUE;
			part = NULL;
			state = UB_SCATTER_TEXT_STORAGE;
			continue;
		}
		if (dash && g_strcmp0(key, "general") == 0) {
			part = NULL;
			if (in_storage_block || g_strcmp0(value, "MTK_STORAGE_CFG") == 0) {
				UbScatterLayout *layout = ub_scatter_current_layout(self, line);
				ub_scatter_set_field(self, layout->fields, line, "general", value);
				state = UB_SCATTER_TEXT_STORAGE_GENERAL;
			} else {
				ub_scatter_set_field(self, self->general, line, "general", value);
				state = UB_SCATTER_TEXT_GENERAL;
			}
			continue;
		}
		/* structure only: "info:" and "description:" open the nested lists */
		if (value[0] == '\0' &&
		    (g_strcmp0(key, "info") == 0 || g_strcmp0(key, "description") == 0))
			continue;

		switch (state) {
		case UB_SCATTER_TEXT_GENERAL:
			ub_scatter_set_field(self, self->general, line, key, value);
			break;
		case UB_SCATTER_TEXT_STORAGE_GENERAL: {
			UbScatterLayout *layout = ub_scatter_current_layout(self, line);
			ub_scatter_set_field(self, layout->fields, line, key, value);
			break;
		}
		case UB_SCATTER_TEXT_PARTITION:
			ub_scatter_set_field(self, part->fields, line, key, value);
			break;
		case UB_SCATTER_TEXT_NONE:
		case UB_SCATTER_TEXT_STORAGE:
		default:
			ub_scatter_add_warning(self,
					       "line %u: %s outside any record is ignored",
					       line,
					       key);
			break;
		}
	}
	return ub_scatter_finish(self, error);
}

/* brace (2012-13) */

/* the operation types of the same-era V1.1.1 file (MT6572, corpus) for the
 * legacy upper-case names; the brace format itself carries none */
static UbScatterOperation
ub_scatter_brace_operation(const gchar *name, gboolean nodl, gboolean pseudo)
{
	if (g_ascii_strcasecmp(name, "PRELOADER") == 0)
		return UB_SCATTER_OPERATION_BOOTLOADERS;
	if (pseudo)
		return UB_SCATTER_OPERATION_RESERVED;
	if (g_ascii_strcasecmp(name, "NVRAM") == 0)
		return UB_SCATTER_OPERATION_BINREGION;
	if (g_ascii_strcasecmp(name, "PRO_INFO") == 0 ||
	    g_ascii_strcasecmp(name, "PROTECT_F") == 0 ||
	    g_ascii_strcasecmp(name, "PROTECT_S") == 0)
		return UB_SCATTER_OPERATION_PROTECTED;
	if (nodl)
		return UB_SCATTER_OPERATION_INVISIBLE;
	return UB_SCATTER_OPERATION_UPDATE;
}

static gboolean
ub_scatter_brace_line(const gchar *str, gchar **name, guint64 *addr, gchar **addr_str)
{
	g_auto(GStrv) tokens = g_strsplit_set(str, " \t", -1);
	const gchar *words[3] = {NULL};
	guint n = 0;

	for (guint i = 0; tokens[i] != NULL; i++) {
		if (tokens[i][0] == '\0')
			continue;
		if (n == 2)
			return FALSE;
		words[n++] = tokens[i];
	}
	if (n != 2)
		return FALSE;
	for (const gchar *p = words[0]; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_')
			return FALSE;
	}
	if (g_ascii_strncasecmp(words[1], "0x", 2) != 0)
		return FALSE;
	if (!ub_scatter_parse_u64(words[1], addr, NULL))
		return FALSE;
	*name = g_strdup(words[0]);
	if (addr_str != NULL)
		*addr_str = g_strdup(words[1]);
	return TRUE;
}

static gboolean
ub_scatter_parse_brace(UbScatter *self, gchar **lines, GError **error)
{
	UbScatterLayout *layout = ub_scatter_layout_new(NULL, 1);
	gboolean in_block = FALSE;

	g_ptr_array_add(self->layouts, layout);
	for (guint i = 0; lines[i] != NULL; i++) {
		guint line = i + 1;
		gchar *str = g_strstrip(lines[i]);
		g_autofree gchar *name = NULL;
		g_autofree gchar *addr_str = NULL;
		guint64 addr = 0;
		UbScatterPartition *part;

		if (str[0] == '\0' || str[0] == '#')
			continue;
		if (g_strcmp0(str, "{") == 0) {
			if (in_block || layout->partitions->len == 0) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "line %u: unexpected '{'",
					    line);
				return FALSE;
			}
			in_block = TRUE;
			continue;
		}
		if (g_strcmp0(str, "}") == 0) {
			if (!in_block) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "line %u: unexpected '}'",
					    line);
				return FALSE;
			}
			in_block = FALSE;
			continue;
		}
		if (in_block) {
			ub_scatter_add_warning(self, "line %u: ignored inside { }: %s", line, str);
			continue;
		}
		if (!ub_scatter_brace_line(str, &name, &addr, &addr_str)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %u: expected 'NAME 0xADDRESS', got '%s'",
				    line,
				    str);
			return FALSE;
		}
		if (!ub_scatter_check_limits(self, layout, error))
			return FALSE;
		if (g_strcmp0(name, "__NODL_") == 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %u: empty partition name",
				    line);
			return FALSE;
		}
		part = ub_scatter_partition_new(line);
		part->index = g_strdup_printf("SYS%u", layout->partitions->len);
		part->nodl = g_str_has_prefix(name, "__NODL_");
		part->name = g_strdup(part->nodl ? name + strlen("__NODL_") : name);
		part->is_download = !part->nodl;
		part->linear_start_addr = addr;
		part->physical_start_addr = addr;
		g_hash_table_insert(part->fields, g_strdup("partition_name"), g_strdup(name));
		g_hash_table_insert(part->fields,
				    g_strdup("linear_start_addr"),
				    g_steal_pointer(&addr_str));
		part->operation = ub_scatter_brace_operation(part->name,
							     part->nodl,
							     ub_scatter_partition_is_pseudo(part));
		part->is_reserved = part->operation == UB_SCATTER_OPERATION_RESERVED;
		g_ptr_array_add(layout->partitions, part);
	}
	if (in_block) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "missing '}' at the end");
		return FALSE;
	}
	if (layout->partitions->len == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "no partition records");
		return FALSE;
	}

	/* size = next start - this start (mtk.md b.1); not across a pseudo address */
	for (guint i = 0; i + 1 < layout->partitions->len; i++) {
		UbScatterPartition *part = g_ptr_array_index(layout->partitions, i);
		UbScatterPartition *next = g_ptr_array_index(layout->partitions, i + 1);
		if (ub_scatter_partition_is_pseudo(part) || ub_scatter_partition_is_pseudo(next))
			continue;
		if (next->linear_start_addr < part->linear_start_addr) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %u: %s starts before %s",
				    next->line,
				    next->name,
				    part->name);
			return FALSE;
		}
		part->partition_size = next->linear_start_addr - part->linear_start_addr;
		part->has_partition_size = TRUE;
	}
	ub_scatter_mark_duplicates(self, layout);
	return TRUE;
}

/* XML (GMarkup: no external entities, no DTD processing) */

typedef struct {
	gchar *name;
	gchar *name_attr;
	gboolean had_child;
} UbScatterXmlElement;

typedef struct {
	UbScatter *self;
	GPtrArray *stack; /* of UbScatterXmlElement */
	GString *text;
	UbScatterPartition *part;
	guint part_depth;
	UbScatterLayout *storage_layout; /* inside <storage_type> */
	gboolean in_general;
} UbScatterXmlHelper;

static void
ub_scatter_xml_element_free(UbScatterXmlElement *el)
{
	g_free(el->name);
	g_free(el->name_attr);
	g_free(el);
}

static void
ub_scatter_xml_start_cb(GMarkupParseContext *context,
			const gchar *element_name,
			const gchar **attribute_names,
			const gchar **attribute_values,
			gpointer user_data,
			GError **error)
{
	UbScatterXmlHelper *helper = user_data;
	UbScatter *self = helper->self;
	UbScatterXmlElement *el;
	gint line = 0;

	g_markup_parse_context_get_position(context, &line, NULL);
	if (helper->stack->len >= UB_SCATTER_MAX_XML_DEPTH) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "line %d: nested too deep", line);
		return;
	}
	if (helper->stack->len > 0) {
		UbScatterXmlElement *parent = g_ptr_array_index(helper->stack, helper->stack->len - 1);
		parent->had_child = TRUE;
	}
	el = g_new0(UbScatterXmlElement, 1);
	el->name = g_strdup(element_name);
	for (guint i = 0; attribute_names[i] != NULL; i++) {
		/* a repeated attribute must not leak the first value */
		if (g_strcmp0(attribute_names[i], "name") == 0 && el->name_attr == NULL)
			el->name_attr = g_strdup(attribute_values[i]);
	}
	g_ptr_array_add(helper->stack, el);
	g_string_truncate(helper->text, 0);

	if (helper->stack->len == 1) {
		if (g_strcmp0(element_name, "root") != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "root element is <%s>, expected <root>",
				    element_name);
		}
		return;
	}
	if (helper->part != NULL)
		return;
	if (g_strcmp0(element_name, "partition_index") == 0) {
		UbScatterLayout *layout = helper->storage_layout;
		if (layout == NULL) {
			if (self->layouts->len > 0) {
				layout = g_ptr_array_index(self->layouts, self->layouts->len - 1);
				if (layout->storage_type != NULL) {
					ub_scatter_add_warning(self,
							       "line %d: partition outside <storage_type>",
							       line);
				}
			} else {
				layout = ub_scatter_current_layout(self, line);
			}
		}
		if (!ub_scatter_check_limits(self, layout, error))
			return;
		helper->part = ub_scatter_partition_new(line);
		helper->part->index = g_strdup(el->name_attr);
		helper->part_depth = helper->stack->len;
		g_ptr_array_add(layout->partitions, helper->part);
		return;
	}
	if (g_strcmp0(element_name, "storage_type") == 0 && helper->stack->len == 2) {
		if (self->layouts->len >= UB_SCATTER_MAX_LAYOUTS) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %d: more than %u storage blocks",
				    line,
				    (guint)UB_SCATTER_MAX_LAYOUTS);
			return;
		}
		helper->storage_layout = ub_scatter_layout_new(el->name_attr, line);
		g_ptr_array_add(self->layouts, helper->storage_layout);
		return;
	}
	if (g_strcmp0(element_name, "general") == 0) {
		helper->in_general = TRUE;
		return;
	}
}

static void
ub_scatter_xml_end_cb(GMarkupParseContext *context,
		      const gchar *element_name,
		      gpointer user_data,
		      GError **error)
{
	UbScatterXmlHelper *helper = user_data;
	UbScatter *self = helper->self;
	UbScatterXmlElement *el = g_ptr_array_index(helper->stack, helper->stack->len - 1);
	GHashTable *fields = NULL;
	g_autofree gchar *value = NULL;
	gint line = 0;

	g_markup_parse_context_get_position(context, &line, NULL);
	if (helper->part != NULL && helper->stack->len == helper->part_depth) {
		/* </partition_index> */
		helper->part = NULL;
		g_ptr_array_remove_index(helper->stack, helper->stack->len - 1);
		return;
	}
	if (g_strcmp0(element_name, "storage_type") == 0 && helper->stack->len == 2) {
		helper->storage_layout = NULL;
		g_ptr_array_remove_index(helper->stack, helper->stack->len - 1);
		return;
	}
	if (g_strcmp0(element_name, "general") == 0 && helper->part == NULL) {
		/* <general name="MTK_PLATFORM_CFG"> */
		fields = helper->storage_layout != NULL ? helper->storage_layout->fields
							: self->general;
		if (el->name_attr != NULL)
			ub_scatter_set_field(self, fields, line, "general", el->name_attr);
		helper->in_general = FALSE;
		g_ptr_array_remove_index(helper->stack, helper->stack->len - 1);
		return;
	}
	if (helper->stack->len <= 1) {
		g_ptr_array_remove_index(helper->stack, helper->stack->len - 1);
		return;
	}

	/* a field: the element's text, or its name attribute (<storage name="UFS">,
	 * <config_version name="V1.1.8">) */
	if (!el->had_child) {
		g_autofree gchar *text = g_strdup(helper->text->str);
		g_strstrip(text);
		if (text[0] != '\0')
			value = g_steal_pointer(&text);
	}
	if (value == NULL && el->name_attr != NULL)
		value = g_strdup(el->name_attr);
	if (value == NULL)
		value = g_strdup("");

	if (helper->part != NULL)
		fields = helper->part->fields;
	else if (helper->in_general && helper->storage_layout != NULL)
		fields = helper->storage_layout->fields;
	else if (helper->in_general)
		fields = self->general;
	if (fields != NULL) {
		ub_scatter_set_field(self, fields, line, element_name, value);
	} else {
		ub_scatter_add_warning(self,
				       "line %d: <%s> outside any record is ignored",
				       line,
				       element_name);
	}
	g_string_truncate(helper->text, 0);
	g_ptr_array_remove_index(helper->stack, helper->stack->len - 1);
}

static void
ub_scatter_xml_text_cb(GMarkupParseContext *context,
		       const gchar *text,
		       gsize text_len,
		       gpointer user_data,
		       GError **error)
{
	UbScatterXmlHelper *helper = user_data;
	if (helper->text->len + text_len > 4096) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "element text too long");
		return;
	}
	g_string_append_len(helper->text, text, text_len);
}

static gboolean
ub_scatter_parse_xml(UbScatter *self, const gchar *buf, gsize bufsz, GError **error)
{
	const GMarkupParser parser = {
	    .start_element = ub_scatter_xml_start_cb,
	    .end_element = ub_scatter_xml_end_cb,
	    .text = ub_scatter_xml_text_cb,
	};
	UbScatterXmlHelper helper = {
	    .self = self,
	    .stack = g_ptr_array_new_with_free_func((GDestroyNotify)ub_scatter_xml_element_free),
	    .text = g_string_new(NULL),
	};
	g_autoptr(GMarkupParseContext) context =
	    g_markup_parse_context_new(&parser, G_MARKUP_PREFIX_ERROR_POSITION, &helper, NULL);
	g_autoptr(GError) error_local = NULL;
	gboolean ret;

	ret = g_markup_parse_context_parse(context, buf, bufsz, &error_local) &&
	      g_markup_parse_context_end_parse(context, &error_local);
	g_ptr_array_unref(helper.stack);
	g_string_free(helper.text, TRUE);
	if (!ret) {
		if (error_local->domain == UB_ERROR) {
			g_propagate_error(error, g_steal_pointer(&error_local));
		} else {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid XML: %s",
				    error_local->message);
		}
		return FALSE;
	}
	return ub_scatter_finish(self, error);
}

/* entry points */

static gboolean
ub_scatter_is_brace(gchar **lines)
{
	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree gchar *name = NULL;
		g_autofree gchar *str = g_strstrip(g_strdup(lines[i]));
		guint64 addr = 0;
		if (str[0] == '\0' || str[0] == '#')
			continue;
		return ub_scatter_brace_line(str, &name, &addr, NULL);
	}
	return FALSE;
}

static const gchar *
ub_scatter_skip_bom(const gchar *buf, gsize *bufsz)
{
	if (*bufsz >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		*bufsz -= 3;
		return buf + 3;
	}
	return buf;
}

static gboolean
ub_scatter_looks_like_xml(const gchar *buf, gsize bufsz)
{
	for (gsize i = 0; i < bufsz; i++) {
		if (g_ascii_isspace(buf[i]))
			continue;
		return buf[i] == '<';
	}
	return FALSE;
}

/**
 * ub_scatter_sniff:
 * @buf: the start of a file
 * @bufsz: its size
 *
 * Cheap format detection for ub_package_open().
 *
 * Returns: %TRUE if @buf looks like a scatter file of any generation
 */
gboolean
ub_scatter_sniff(const guint8 *buf, gsize bufsz)
{
	g_autofree gchar *head = NULL;
	gsize headsz = MIN(bufsz, 4096);
	const gchar *str;

	if (buf == NULL || bufsz == 0)
		return FALSE;
	head = g_strndup((const gchar *)buf, headsz);
	str = ub_scatter_skip_bom(head, &headsz);
	if (strstr(str, "MTK_PLATFORM_CFG") != NULL || strstr(str, "partition_index") != NULL)
		return TRUE;
	if (!ub_scatter_looks_like_xml(str, headsz)) {
		g_auto(GStrv) lines = g_strsplit(str, "\n", 8);
		return ub_scatter_is_brace(lines) &&
		       (strstr(str, "\n{") != NULL || strstr(str, "\r\n{") != NULL);
	}
	return FALSE;
}

/**
 * ub_scatter_parse:
 * @buf: the file
 * @bufsz: its size, at most %UB_SCATTER_MAX_SIZE
 * @error: (nullable): a #GError
 *
 * Parses a scatter file of any generation; it does not resolve anything.
 *
 * Returns: (transfer full): the records, or %NULL
 */
UbScatter *
ub_scatter_parse(const guint8 *buf, gsize bufsz, GError **error)
{
	g_autoptr(UbScatter) self = g_object_new(UB_TYPE_SCATTER, NULL);
	g_autofree gchar *copy = NULL;
	g_auto(GStrv) lines = NULL;
	const gchar *str;

	if (bufsz > UB_SCATTER_MAX_SIZE) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "scatter file too large: %" G_GSIZE_FORMAT " bytes",
			    bufsz);
		return NULL;
	}
	if (buf == NULL || bufsz == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "empty scatter file");
		return NULL;
	}
	if (memchr(buf, '\0', bufsz) != NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "not a text file: contains NUL bytes");
		return NULL;
	}
	str = ub_scatter_skip_bom((const gchar *)buf, &bufsz);
	if (!g_utf8_validate(str, bufsz, NULL)) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "not valid UTF-8");
		return NULL;
	}
	self->crlf = g_strstr_len(str, bufsz, "\r\n") != NULL;

	if (ub_scatter_looks_like_xml(str, bufsz)) {
		self->kind = UB_SCATTER_KIND_XML;
		if (!ub_scatter_parse_xml(self, str, bufsz, error))
			return NULL;
		return g_steal_pointer(&self);
	}

	/* lines without their CR */
	copy = g_strndup(str, bufsz);
	lines = g_strsplit(copy, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gsize len = strlen(lines[i]);
		if (len > 0 && lines[i][len - 1] == '\r')
			lines[i][len - 1] = '\0';
	}
	if (ub_scatter_is_brace(lines)) {
		self->kind = UB_SCATTER_KIND_BRACE;
		if (!ub_scatter_parse_brace(self, lines, error))
			return NULL;
		return g_steal_pointer(&self);
	}
	self->kind = UB_SCATTER_KIND_TEXT;
	if (!ub_scatter_parse_text(self, lines, error))
		return NULL;
	return g_steal_pointer(&self);
}

UbScatterKind
ub_scatter_get_kind(UbScatter *self)
{
	g_return_val_if_fail(UB_IS_SCATTER(self), UB_SCATTER_KIND_UNKNOWN);
	return self->kind;
}

const gchar *
ub_scatter_get_general(UbScatter *self, const gchar *key)
{
	g_return_val_if_fail(UB_IS_SCATTER(self), NULL);
	return g_hash_table_lookup(self->general, key);
}

GHashTable *
ub_scatter_get_general_fields(UbScatter *self)
{
	g_return_val_if_fail(UB_IS_SCATTER(self), NULL);
	return self->general;
}

const gchar *
ub_scatter_get_config_version(UbScatter *self)
{
	return ub_scatter_get_general(self, "config_version");
}

const gchar *
ub_scatter_get_platform(UbScatter *self)
{
	return ub_scatter_get_general(self, "platform");
}

const gchar *
ub_scatter_get_project(UbScatter *self)
{
	return ub_scatter_get_general(self, "project");
}

GPtrArray *
ub_scatter_get_layouts(UbScatter *self)
{
	g_return_val_if_fail(UB_IS_SCATTER(self), NULL);
	return self->layouts;
}

/**
 * ub_scatter_find_layout:
 * @self: a #UbScatter
 * @storage: "emmc", "ufs"... (any case)
 *
 * Returns: (transfer none) (nullable): the layout whose storage_type (or
 * storage) is @storage
 */
UbScatterLayout *
ub_scatter_find_layout(UbScatter *self, const gchar *storage)
{
	g_return_val_if_fail(UB_IS_SCATTER(self), NULL);
	g_return_val_if_fail(storage != NULL, NULL);
	for (guint i = 0; i < self->layouts->len; i++) {
		UbScatterLayout *layout = g_ptr_array_index(self->layouts, i);
		const gchar *name =
		    layout->storage_type != NULL ? layout->storage_type : layout->storage;
		if (name != NULL && g_ascii_strcasecmp(name, storage) == 0)
			return layout;
	}
	return NULL;
}

GPtrArray *
ub_scatter_get_warnings(UbScatter *self)
{
	g_return_val_if_fail(UB_IS_SCATTER(self), NULL);
	return self->warnings;
}

gboolean
ub_scatter_get_crlf(UbScatter *self)
{
	g_return_val_if_fail(UB_IS_SCATTER(self), FALSE);
	return self->crlf;
}

static void
ub_scatter_finalize(GObject *object)
{
	UbScatter *self = UB_SCATTER(object);
	g_hash_table_unref(self->general);
	g_ptr_array_unref(self->layouts);
	g_ptr_array_unref(self->warnings);
	G_OBJECT_CLASS(ub_scatter_parent_class)->finalize(object);
}

static void
ub_scatter_class_init(UbScatterClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_scatter_finalize;
}

static void
ub_scatter_init(UbScatter *self)
{
	self->general = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->layouts = g_ptr_array_new_with_free_func((GDestroyNotify)ub_scatter_layout_free);
	self->warnings = g_ptr_array_new_with_free_func(g_free);
}
