/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fastboot/ub-fastboot-common.h"
#include "fastboot/ub-fastboot-wire.h"
#include "formats/ub-gpt.h"
#include "formats/ub-sparse-image.h"
#include "ub-mem.h"
#include "ub-sim-fastboot.h"
#include "ub-sim-layouts.h"
#include "ub-sim-super.h"

/*
 * The fastboot of the simulated phone (reference: fastboot.md a.8), in two
 * modes:
 *
 * - bootloader (ABL-like): is-userspace "no", physical partitions only,
 *   `flashing`/`oem`/`boot`, ABL's refusal texts ("... in Lock State",
 *   "Invalid Slot Suffix"); logical partitions do not exist here, so flashing
 *   one gets "Partition not found" like a real bootloader.
 * - fastbootd: is-userspace "yes", physical and logical partitions (super, see
 *   ub-sim-super.c), create/delete/resize-logical-partition, update-super,
 *   snapshot-update, fastbootd's texts ("... on locked devices").
 *
 * `reboot-fastboot` and `reboot-bootloader` end the session; the next session
 * (a new TCP connection, or the in-process phone's next memory pair, see
 * ub_sim_phone_wait_reconnect()) is served in the new mode. `reboot`,
 * `continue`, `boot`, `reboot-recovery`, `reboot-edl` and `oem edl` end it too
 * and the phone is gone; a TCP host that connects again anyway finds the
 * bootloader.
 *
 * Downloads land in a RAM buffer capped at max-download-size. A flash of a
 * sparse download is applied as a device does: RAW written, FILL expanded,
 * DONT_CARE skipped (so the pieces of a split image each write only their own
 * blocks), CRC32 chunks checked, nothing written when the file is invalid.
 * The current slot is the one whose boot_X carries the active bit in the GPT;
 * set_active rewrites the A/B attributes as Qualcomm's HAL does.
 */

/* the longest command we read; longer ones get FAIL like on real devices */
#define UB_SIM_FASTBOOT_COMMAND_BUF 4096
/* data is streamed to the host, and FILL chunks written, in pieces this large */
#define UB_SIM_FASTBOOT_CHUNK (1024 * 1024)
/* how long a response write may block */
#define UB_SIM_FASTBOOT_WRITE_TIMEOUT_MS 30000

struct _UbSimFastboot {
	UbSimPersonality parent_instance;
	gboolean tcp;
	guint32 max_download_size;
	gboolean unlocked;
	gboolean secure;
	gboolean text;
	gboolean userspace;
	gboolean xiaomi; /* "_ab" names, crclist pseudo-partitions, anti/crc variables */
	gchar *layout;
	gchar *product;
	gchar *serialno;
	UbSimSuper *super; /* loaded on first use, NULL without a super partition */
	/* serve() state */
	UbFastbootWire *wire;
	guint8 *download_buf;
	guint32 download_size;
	gchar *reboot_target;
	gint download_count;
	gint flash_count;
};

enum {
	PROP_0,
	PROP_TCP,
	PROP_MAX_DOWNLOAD_SIZE,
	PROP_UNLOCKED,
	PROP_PRODUCT,
	PROP_SERIALNO,
	PROP_LAST
};

G_DEFINE_TYPE(UbSimFastboot, ub_sim_fastboot, UB_TYPE_SIM_PERSONALITY)

/* the same refusal in the words of the bootloader or of fastbootd */
#define UB_SIM_TEXT(self, bootloader, fastbootd) ((self)->userspace ? (fastbootd) : (bootloader))

typedef struct {
	gchar *name;
	gboolean logical;
	guint64 size;
} UbSimFastbootTarget;

static void
ub_sim_fastboot_target_clear(UbSimFastbootTarget *target)
{
	g_clear_pointer(&target->name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UbSimFastbootTarget, ub_sim_fastboot_target_clear)

static gboolean
ub_sim_fastboot_reply(UbSimFastboot *self,
		      const gchar *status,
		      const gchar *text,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autofree gchar *msg = g_strdup_printf("%s%s", status, text != NULL ? text : "");
	/* never more than a response packet, whatever the text */
	gsize len = MIN(strlen(msg), (gsize)UB_FASTBOOT_RESPONSE_MAX);
	g_debug("sim < %.*s", (gint)len, msg);
	return ub_fastboot_wire_write(self->wire,
				      (const guint8 *)msg,
				      len,
				      UB_SIM_FASTBOOT_WRITE_TIMEOUT_MS,
				      cancellable,
				      error);
}

static gboolean
ub_sim_fastboot_okay(UbSimFastboot *self,
		     const gchar *text,
		     GCancellable *cancellable,
		     GError **error)
{
	return ub_sim_fastboot_reply(self, "OKAY", text, cancellable, error);
}

static gboolean
ub_sim_fastboot_fail(UbSimFastboot *self,
		     const gchar *text,
		     GCancellable *cancellable,
		     GError **error)
{
	return ub_sim_fastboot_reply(self, "FAIL", text, cancellable, error);
}

static gboolean
ub_sim_fastboot_info(UbSimFastboot *self,
		     const gchar *text,
		     GCancellable *cancellable,
		     GError **error)
{
	return ub_sim_fastboot_reply(self, "INFO", text, cancellable, error);
}

/* TEXT when switched on (clients before 2023 abort on it), else INFO */
static gboolean
ub_sim_fastboot_text(UbSimFastboot *self,
		     const gchar *text,
		     GCancellable *cancellable,
		     GError **error)
{
	if (!self->text)
		return ub_sim_fastboot_info(self, text, cancellable, error);
	return ub_sim_fastboot_reply(self, "TEXT", text, cancellable, error);
}

static UbSimStorage *
ub_sim_fastboot_get_storage(UbSimFastboot *self)
{
	return ub_sim_personality_get_storage(UB_SIM_PERSONALITY(self));
}

/* the logical partitions, or NULL when the storage has no super partition */
static UbSimSuper *
ub_sim_fastboot_get_super(UbSimFastboot *self)
{
	g_autoptr(GError) error_local = NULL;
	if (self->super != NULL)
		return self->super;
	self->super = ub_sim_super_load(ub_sim_fastboot_get_storage(self), "super", &error_local);
	if (self->super == NULL)
		g_debug("sim: no logical partitions: %s", error_local->message);
	return self->super;
}

/* a physical partition of the GPT, by its fastboot name (the same as the GPT name) */
static UbPartition *
ub_sim_fastboot_find_partition(UbSimFastboot *self, const gchar *name)
{
	g_autoptr(GError) error_local = NULL;
	UbPartition *part;
	if (name[0] == '\0')
		return NULL;
	part = ub_sim_storage_find_partition(ub_sim_fastboot_get_storage(self), name, &error_local);
	if (part == NULL)
		g_debug("sim: %s", error_local->message);
	return part;
}

/* a logical partition, seen only by fastbootd */
static gboolean
ub_sim_fastboot_is_logical(UbSimFastboot *self, const gchar *name)
{
	UbSimSuper *super;
	if (!self->userspace)
		return FALSE;
	super = ub_sim_fastboot_get_super(self);
	return super != NULL && ub_sim_super_has_partition(super, name);
}

/* what NAME is in this mode; FALSE if nothing */
static gboolean
ub_sim_fastboot_lookup(UbSimFastboot *self, const gchar *name, UbSimFastbootTarget *target)
{
	g_autoptr(UbPartition) part = NULL;
	if (ub_sim_fastboot_is_logical(self, name)) {
		target->name = g_strdup(name);
		target->logical = TRUE;
		target->size = ub_sim_super_get_partition_size(self->super, name);
		return TRUE;
	}
	part = ub_sim_fastboot_find_partition(self, name);
	if (part == NULL)
		return FALSE;
	target->name = g_strdup(name);
	target->logical = FALSE;
	target->size = ub_partition_get_size(part);
	return TRUE;
}

static gboolean
ub_sim_fastboot_exists(UbSimFastboot *self, const gchar *name)
{
	g_auto(UbSimFastbootTarget) target = {0};
	return ub_sim_fastboot_lookup(self, name, &target);
}

static gboolean
ub_sim_fastboot_has_slot(UbSimFastboot *self, const gchar *base)
{
	g_autofree gchar *name_a = g_strdup_printf("%s_a", base);
	return ub_sim_fastboot_exists(self, name_a);
}

/* the refusal for a name that has no partition */
static const gchar *
ub_sim_fastboot_unknown_partition_text(UbSimFastboot *self, const gchar *name)
{
	if (self->userspace)
		return "No such file or directory";
	/* ABL: an A/B partition named without its slot */
	if (ub_sim_fastboot_has_slot(self, name))
		return "Partition table doesn't exist";
	return "Partition not found";
}

static const gchar *
ub_sim_fastboot_partition_type(const gchar *name)
{
	if (g_strcmp0(name, "userdata") == 0)
		return "f2fs";
	if (g_strcmp0(name, "metadata") == 0 || g_strcmp0(name, "cache") == 0)
		return "ext4";
	return "raw";
}

/* the base name of an A/B partition, or NULL */
static gchar *
ub_sim_fastboot_slot_base(const gchar *name)
{
	gsize len = strlen(name);
	if (len > 2 && name[len - 2] == '_' && (name[len - 1] == 'a' || name[len - 1] == 'b'))
		return g_strndup(name, len - 2);
	return NULL;
}

/* Xiaomi's "NAME_ab": both slots of NAME, when the bootloader knows the suffix */
static gchar *
ub_sim_fastboot_xiaomi_ab_base(UbSimFastboot *self, const gchar *name)
{
	g_autofree gchar *base = NULL;
	if (!self->xiaomi || self->userspace || !g_str_has_suffix(name, "_ab"))
		return NULL;
	if (ub_sim_fastboot_exists(self, name))
		return NULL;
	base = g_strndup(name, strlen(name) - 3);
	if (!ub_sim_fastboot_has_slot(self, base))
		return NULL;
	return g_steal_pointer(&base);
}

/* Xiaomi's text files for the bootloader's CRC checks: accepted, not stored */
static gboolean
ub_sim_fastboot_is_pseudo(UbSimFastboot *self, const gchar *name)
{
	return self->xiaomi && !self->userspace &&
	       (g_strcmp0(name, "crclist") == 0 || g_strcmp0(name, "sparsecrclist") == 0);
}

/* the primary GPT of @region */
static UbGpt *
ub_sim_fastboot_read_gpt(UbSimFastboot *self, const gchar *region, GError **error)
{
	UbSimStorage *storage = ub_sim_fastboot_get_storage(self);
	guint32 sector_size = ub_sim_storage_get_sector_size(storage);
	gsize len = (gsize)MIN((guint64)sector_size * 34,
			       ub_sim_storage_get_region_size(storage, region));
	g_autofree guint8 *buf = g_malloc(len);
	if (!ub_sim_storage_read(storage, region, 0, buf, len, error))
		return NULL;
	return ub_gpt_parse(buf, len, sector_size, error);
}

/* 'a' or 'b' from the active bit of boot_a/boot_b; 0 on a phone without slots */
static gchar
ub_sim_fastboot_current_slot(UbSimFastboot *self)
{
	g_autoptr(UbPartition) part = ub_sim_fastboot_find_partition(self, "boot_a");
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(GError) error_local = NULL;
	const UbGptEntry *entry_a;
	const UbGptEntry *entry_b;

	if (part == NULL)
		return 0;
	gpt = ub_sim_fastboot_read_gpt(self, ub_partition_get_region(part), &error_local);
	if (gpt == NULL) {
		g_debug("sim: %s", error_local->message);
		return 'a';
	}
	entry_a = ub_gpt_find_entry(gpt, "boot_a");
	entry_b = ub_gpt_find_entry(gpt, "boot_b");
	if (entry_b != NULL && ub_gpt_entry_get_ab_active(entry_b) &&
	    (entry_a == NULL || !ub_gpt_entry_get_ab_active(entry_a)))
		return 'b';
	return 'a';
}

static gboolean
ub_sim_fastboot_write_active_slot(UbSimFastboot *self, gchar slot, GError **error)
{
	UbSimStorage *storage = ub_sim_fastboot_get_storage(self);
	g_autoptr(UbPartition) part = ub_sim_fastboot_find_partition(self, "boot_a");
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	const gchar *region;
	guint64 region_size;
	gchar slot_str[2] = {slot, '\0'};

	if (part == NULL) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no boot_a partition");
		return FALSE;
	}
	region = ub_partition_get_region(part);
	region_size = ub_sim_storage_get_region_size(storage, region);
	gpt = ub_sim_fastboot_read_gpt(self, region, error);
	if (gpt == NULL)
		return FALSE;
	if (!ub_gpt_set_active_slot(gpt, slot_str, error))
		return FALSE;
	if (!ub_gpt_write_pair(gpt,
			       region_size / ub_sim_storage_get_sector_size(storage),
			       &primary,
			       &backup,
			       error))
		return FALSE;
	return ub_sim_storage_write_gpt(storage, region, primary, backup, error);
}

static gboolean
ub_sim_fastboot_target_write(UbSimFastboot *self,
			     const UbSimFastbootTarget *target,
			     guint64 offset,
			     const guint8 *buf,
			     gsize bufsz,
			     GError **error)
{
	if (target->logical)
		return ub_sim_super_write(self->super, target->name, offset, buf, bufsz, error);
	return ub_sim_storage_write_partition(ub_sim_fastboot_get_storage(self),
					      target->name,
					      offset,
					      buf,
					      bufsz,
					      error);
}

static gboolean
ub_sim_fastboot_target_read(UbSimFastboot *self,
			    const UbSimFastbootTarget *target,
			    guint64 offset,
			    guint8 *buf,
			    gsize bufsz,
			    GError **error)
{
	if (target->logical)
		return ub_sim_super_read(self->super, target->name, offset, buf, bufsz, error);
	return ub_sim_storage_read_partition(ub_sim_fastboot_get_storage(self),
					     target->name,
					     offset,
					     buf,
					     bufsz,
					     error);
}

/* @n_bytes of the repeated little-endian word @fill at @offset */
static gboolean
ub_sim_fastboot_target_fill(UbSimFastboot *self,
			    const UbSimFastbootTarget *target,
			    guint64 offset,
			    guint64 n_bytes,
			    guint32 fill,
			    GError **error)
{
	gsize bufsz = (gsize)MIN(n_bytes, (guint64)UB_SIM_FASTBOOT_CHUNK);
	g_autofree guint8 *buf = g_malloc(MAX(bufsz, 4));
	guint64 done = 0;

	for (gsize i = 0; i + 4 <= bufsz; i += 4)
		ub_mem_write_u32_le(buf, i, fill);
	while (done < n_bytes) {
		gsize n = (gsize)MIN((guint64)bufsz, n_bytes - done);
		if (!ub_sim_fastboot_target_write(self, target, offset + done, buf, n, error))
			return FALSE;
		done += n;
	}
	return TRUE;
}

static gboolean
ub_sim_fastboot_target_erase(UbSimFastboot *self,
			     const UbSimFastbootTarget *target,
			     GError **error)
{
	if (target->logical)
		return ub_sim_fastboot_target_fill(self, target, 0, target->size, 0, error);
	return ub_sim_storage_erase_partition(ub_sim_fastboot_get_storage(self),
					      target->name,
					      error);
}

/*
 * Writes the download to @target as the device does; returns NULL on success,
 * else the FAIL text. A sparse file is checked whole (structure and CRC32
 * chunks) before the first byte is written.
 */
static const gchar *
ub_sim_fastboot_apply(UbSimFastboot *self, const UbSimFastbootTarget *target)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(UbSparseImage) img = NULL;
	guint32 blk_sz;
	const gchar *too_large =
	    UB_SIM_TEXT(self, "size too large", "Value too large for defined data type");

	if (!ub_sparse_is_sparse(self->download_buf, self->download_size)) {
		if (self->download_size > target->size)
			return too_large;
		if (!ub_sim_fastboot_target_write(self,
						  target,
						  0,
						  self->download_buf,
						  self->download_size,
						  &error_local)) {
			g_debug("sim: %s", error_local->message);
			return UB_SIM_TEXT(self, "flash write failure", "Input/output error");
		}
		return NULL;
	}

	img = ub_sparse_image_parse(self->download_buf,
				    self->download_size,
				    UB_SPARSE_PARSE_FLAG_VERIFY_CRC,
				    &error_local);
	if (img == NULL) {
		g_debug("sim: refusing the sparse download: %s", error_local->message);
		return UB_SIM_TEXT(self, "Invalid sparse image", "Invalid argument");
	}
	if (ub_sparse_image_get_size(img) > target->size)
		return too_large;
	blk_sz = ub_sparse_image_get_block_size(img);
	for (guint i = 0; i < ub_sparse_image_get_n_chunks(img); i++) {
		const UbSparseChunk *chk = ub_sparse_image_get_chunk(img, i);
		guint64 offset = chk->block * blk_sz;
		guint64 n_bytes = chk->n_blocks * blk_sz;
		gboolean ok = TRUE;
		switch (chk->type) {
		case UB_SPARSE_CHUNK_TYPE_RAW:
			ok = ub_sim_fastboot_target_write(self,
							  target,
							  offset,
							  self->download_buf + chk->src_offset,
							  (gsize)n_bytes,
							  &error_local);
			break;
		case UB_SPARSE_CHUNK_TYPE_FILL:
			ok = ub_sim_fastboot_target_fill(self,
							 target,
							 offset,
							 n_bytes,
							 chk->fill,
							 &error_local);
			break;
		case UB_SPARSE_CHUNK_TYPE_DONT_CARE:
		case UB_SPARSE_CHUNK_TYPE_CRC32:
			/* left as it is: the other pieces of a split image write it */
			break;
		default:
			g_debug("sim: unexpected sparse chunk 0x%04x", chk->type);
			break;
		}
		if (!ok) {
			g_debug("sim: %s", error_local->message);
			return UB_SIM_TEXT(self, "flash write failure", "Input/output error");
		}
	}
	return NULL;
}

/* one variable; FALSE with the FAIL text in @value when there is none */
static gboolean
ub_sim_fastboot_getvar(UbSimFastboot *self, const gchar *name, gchar **value)
{
	gchar slot = ub_sim_fastboot_current_slot(self);
	UbSimSuper *super = ub_sim_fastboot_get_super(self);
	struct {
		const gchar *name;
		gchar *value;
	} fixed[] = {
	    {"version", g_strdup("0.4")},
	    {"version-bootloader", g_strdup("unbrick-sim-1.0")},
	    {"version-baseband", g_strdup("unbrick-sim-modem-1.0")},
	    {"product", g_strdup(self->product)},
	    {"serialno", g_strdup(self->serialno)},
	    {"secure", g_strdup(self->secure ? "yes" : "no")},
	    {"unlocked", g_strdup(self->unlocked ? "yes" : "no")},
	    {"max-download-size", g_strdup_printf("0x%08x", self->max_download_size)},
	    {"max-fetch-size", g_strdup_printf("0x%08x", self->max_download_size)},
	    {"is-userspace", g_strdup(self->userspace ? "yes" : "no")},
	    {"current-slot", slot != 0 ? g_strdup_printf("%c", slot) : NULL},
	    {"slot-count", g_strdup(slot != 0 ? "2" : "0")},
	    {"super-partition-name", super != NULL ? g_strdup("super") : NULL},
	    {"snapshot-update-status", g_strdup("none")},
	    {"off-mode-charge", g_strdup("1")},
	    /* Xiaomi: anti-rollback index and "check the CRC lists" */
	    {"anti", self->xiaomi ? g_strdup("1") : NULL},
	    {"crc", self->xiaomi ? g_strdup("1") : NULL},
	};
	gboolean found = FALSE;

	*value = NULL;
	for (guint i = 0; i < G_N_ELEMENTS(fixed); i++) {
		if (!found && fixed[i].value != NULL && g_strcmp0(name, fixed[i].name) == 0) {
			*value = g_steal_pointer(&fixed[i].value);
			found = TRUE;
		}
		g_free(fixed[i].value);
	}
	if (found)
		return TRUE;

	if (g_str_has_prefix(name, "has-slot:")) {
		*value = g_strdup(ub_sim_fastboot_has_slot(self, name + 9) ? "yes" : "no");
		return TRUE;
	}
	if (g_str_has_prefix(name, "partition-size:") || g_str_has_prefix(name, "partition-type:") ||
	    g_str_has_prefix(name, "is-logical:")) {
		const gchar *part = strchr(name, ':') + 1;
		g_auto(UbSimFastbootTarget) target = {0};
		if (!ub_sim_fastboot_lookup(self, part, &target)) {
			*value = g_strdup(UB_SIM_TEXT(self, "Unknown variable", "Unknown partition"));
			return FALSE;
		}
		if (name[0] == 'i')
			*value = g_strdup(target.logical ? "yes" : "no");
		else if (name[10] == 's')
			*value = g_strdup_printf("0x%016" G_GINT64_MODIFIER "x", target.size);
		else
			*value = g_strdup(ub_sim_fastboot_partition_type(part));
		return TRUE;
	}
	*value = g_strdup("Unknown variable");
	return FALSE;
}

static gboolean
ub_sim_fastboot_info_printf(UbSimFastboot *self,
			    GCancellable *cancellable,
			    GError **error,
			    const gchar *format,
			    ...) G_GNUC_PRINTF(4, 5);

static gboolean
ub_sim_fastboot_info_printf(UbSimFastboot *self,
			    GCancellable *cancellable,
			    GError **error,
			    const gchar *format,
			    ...)
{
	g_autofree gchar *line = NULL;
	va_list args;
	va_start(args, format);
	line = g_strdup_vprintf(format, args);
	va_end(args);
	return ub_sim_fastboot_info(self, line, cancellable, error);
}

/* the per-partition lines of getvar:all */
static gboolean
ub_sim_fastboot_getvar_all_partition(UbSimFastboot *self,
				     const gchar *name,
				     GHashTable *bases,
				     GCancellable *cancellable,
				     GError **error)
{
	g_auto(UbSimFastbootTarget) target = {0};
	g_autofree gchar *base = ub_sim_fastboot_slot_base(name);

	if (!ub_sim_fastboot_lookup(self, name, &target))
		return TRUE;
	if (base != NULL && !g_hash_table_contains(bases, base)) {
		if (!ub_sim_fastboot_info_printf(self, cancellable, error, "has-slot:%s:yes", base))
			return FALSE;
		g_hash_table_add(bases, g_steal_pointer(&base));
	}
	if (!ub_sim_fastboot_info_printf(self,
					 cancellable,
					 error,
					 "partition-type:%s:%s",
					 name,
					 ub_sim_fastboot_partition_type(name)))
		return FALSE;
	/* ABL prints the size with a leading space, which clients must trim */
	if (!ub_sim_fastboot_info_printf(self,
					 cancellable,
					 error,
					 "partition-size:%s:%s0x%016" G_GINT64_MODIFIER "x",
					 name,
					 self->userspace ? "" : " ",
					 target.size))
		return FALSE;
	if (self->userspace &&
	    !ub_sim_fastboot_info_printf(self,
					 cancellable,
					 error,
					 "is-logical:%s:%s",
					 name,
					 target.logical ? "yes" : "no"))
		return FALSE;
	return TRUE;
}

static gboolean
ub_sim_fastboot_cmd_getvar_all(UbSimFastboot *self, GCancellable *cancellable, GError **error)
{
	static const gchar *globals[] = {"version",
					 "version-bootloader",
					 "version-baseband",
					 "product",
					 "serialno",
					 "secure",
					 "unlocked",
					 "max-download-size",
					 "max-fetch-size",
					 "is-userspace",
					 "current-slot",
					 "slot-count",
					 "super-partition-name",
					 "snapshot-update-status",
					 "off-mode-charge",
					 "anti",
					 "crc",
					 NULL};
	g_autoptr(GPtrArray) parts =
	    ub_sim_storage_get_partitions(ub_sim_fastboot_get_storage(self));
	g_autoptr(GHashTable) bases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; globals[i] != NULL; i++) {
		g_autofree gchar *value = NULL;
		if (!ub_sim_fastboot_getvar(self, globals[i], &value))
			continue;
		if (!ub_sim_fastboot_info_printf(self,
						 cancellable,
						 error,
						 "%s:%s",
						 globals[i],
						 value))
			return FALSE;
	}
	for (guint i = 0; parts != NULL && i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		if (!ub_sim_fastboot_getvar_all_partition(self,
							  ub_partition_get_name(part),
							  bases,
							  cancellable,
							  error))
			return FALSE;
	}
	if (self->userspace && ub_sim_fastboot_get_super(self) != NULL) {
		g_auto(GStrv) names = ub_sim_super_get_partition_names(self->super);
		for (guint i = 0; names[i] != NULL; i++) {
			if (!ub_sim_fastboot_getvar_all_partition(self,
								  names[i],
								  bases,
								  cancellable,
								  error))
				return FALSE;
		}
	}
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_getvar(UbSimFastboot *self,
			   const gchar *name,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autofree gchar *value = NULL;
	if (g_strcmp0(name, "all") == 0)
		return ub_sim_fastboot_cmd_getvar_all(self, cancellable, error);
	if (!ub_sim_fastboot_getvar(self, name, &value))
		return ub_sim_fastboot_fail(self, value, cancellable, error);
	return ub_sim_fastboot_okay(self, value, cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_download(UbSimFastboot *self,
			     const gchar *arg,
			     GCancellable *cancellable,
			     GError **error)
{
	guint64 size = 0;
	guint32 done = 0;
	g_autofree gchar *data = NULL;

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    "Download is not allowed on locked devices",
					    cancellable,
					    error);
	if (strlen(arg) != 8)
		return ub_sim_fastboot_fail(self,
					    "Invalid size (length of size != 8)",
					    cancellable,
					    error);
	for (guint i = 0; i < 8; i++) {
		if (!g_ascii_isxdigit(arg[i]))
			return ub_sim_fastboot_fail(self, "Invalid size", cancellable, error);
	}
	size = g_ascii_strtoull(arg, NULL, 16);
	if (size == 0)
		return ub_sim_fastboot_fail(self, "Invalid size", cancellable, error);
	if (size > self->max_download_size)
		return ub_sim_fastboot_fail(self,
					    "Requested download size is more than max allowed",
					    cancellable,
					    error);

	/* the old buffer is gone as soon as a new download starts */
	g_clear_pointer(&self->download_buf, g_free);
	self->download_size = 0;
	self->download_buf = g_try_malloc(size);
	if (self->download_buf == NULL)
		return ub_sim_fastboot_fail(self, "Out of memory", cancellable, error);
	data = g_strdup_printf("%08x", (guint)size);
	if (!ub_sim_fastboot_reply(self, "DATA", data, cancellable, error))
		return FALSE;

	/* a byte stream, whatever the host's write or frame sizes */
	while (done < size) {
		gssize n = ub_fastboot_wire_read(self->wire,
						 self->download_buf + done,
						 (gsize)(size - done),
						 0,
						 cancellable,
						 error);
		if (n < 0) {
			g_clear_pointer(&self->download_buf, g_free);
			g_prefix_error(error, "download stopped after %u bytes: ", done);
			return FALSE;
		}
		done += (guint32)n;
	}
	self->download_size = (guint32)size;
	g_atomic_int_inc(&self->download_count);
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_flash(UbSimFastboot *self,
			  const gchar *name,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autofree gchar *ab_base = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    UB_SIM_TEXT(self,
							"Flashing is not allowed in Lock State",
							"Flashing is not allowed on locked devices"),
					    cancellable,
					    error);
	if (ub_sim_fastboot_is_pseudo(self, name)) {
		if (self->download_buf == NULL || self->download_size == 0)
			return ub_sim_fastboot_fail(self, "No data downloaded", cancellable, error);
		g_atomic_int_inc(&self->flash_count);
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	ab_base = ub_sim_fastboot_xiaomi_ab_base(self, name);
	if (ab_base != NULL) {
		g_ptr_array_add(names, g_strdup_printf("%s_a", ab_base));
		g_ptr_array_add(names, g_strdup_printf("%s_b", ab_base));
	} else {
		g_ptr_array_add(names, g_strdup(name));
	}
	for (guint i = 0; i < names->len; i++) {
		const gchar *one = g_ptr_array_index(names, i);
		g_auto(UbSimFastbootTarget) target = {0};
		const gchar *fail;
		if (!ub_sim_fastboot_lookup(self, one, &target))
			return ub_sim_fastboot_fail(self,
						    ub_sim_fastboot_unknown_partition_text(self, one),
						    cancellable,
						    error);
		if (self->download_buf == NULL || self->download_size == 0)
			return ub_sim_fastboot_fail(self, "No data downloaded", cancellable, error);
		fail = ub_sim_fastboot_apply(self, &target);
		if (fail != NULL)
			return ub_sim_fastboot_fail(self, fail, cancellable, error);
		if (ab_base != NULL &&
		    !ub_sim_fastboot_info_printf(self,
						 cancellable,
						 error,
						 "Partition %s flashed successfully",
						 one))
			return FALSE;
	}
	g_atomic_int_inc(&self->flash_count);
	return ub_sim_fastboot_okay(self,
				    self->userspace ? "Flashing succeeded" : "",
				    cancellable,
				    error);
}

static gboolean
ub_sim_fastboot_cmd_erase(UbSimFastboot *self,
			  const gchar *name,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autofree gchar *ab_base = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    UB_SIM_TEXT(self,
							"Erase is not allowed in Lock State",
							"Erase is not allowed on locked devices"),
					    cancellable,
					    error);
	ab_base = ub_sim_fastboot_xiaomi_ab_base(self, name);
	if (ab_base != NULL) {
		g_ptr_array_add(names, g_strdup_printf("%s_a", ab_base));
		g_ptr_array_add(names, g_strdup_printf("%s_b", ab_base));
	} else {
		g_ptr_array_add(names, g_strdup(name));
	}
	for (guint i = 0; i < names->len; i++) {
		const gchar *one = g_ptr_array_index(names, i);
		g_auto(UbSimFastbootTarget) target = {0};
		g_autoptr(GError) error_local = NULL;
		if (!ub_sim_fastboot_lookup(self, one, &target))
			return ub_sim_fastboot_fail(
			    self,
			    self->userspace ? "Partition doesn't exist"
					    : ub_sim_fastboot_unknown_partition_text(self, one),
			    cancellable,
			    error);
		if (!ub_sim_fastboot_target_erase(self, &target, &error_local)) {
			g_debug("sim: %s", error_local->message);
			return ub_sim_fastboot_fail(
			    self,
			    UB_SIM_TEXT(self, "failed to erase partition", "Erasing failed"),
			    cancellable,
			    error);
		}
	}
	return ub_sim_fastboot_okay(self,
				    self->userspace ? "Erasing succeeded" : "",
				    cancellable,
				    error);
}

/* fetch:NAME[:OFFSET[:SIZE]], as fastbootd implements it */
static gboolean
ub_sim_fastboot_cmd_fetch(UbSimFastboot *self,
			  const gchar *arg,
			  GCancellable *cancellable,
			  GError **error)
{
	g_auto(GStrv) split = g_strsplit(arg, ":", -1);
	guint n_split = g_strv_length(split);
	g_auto(UbSimFastbootTarget) target = {0};
	guint64 offset = 0;
	guint64 size;
	guint64 done = 0;
	g_autofree gchar *data = NULL;
	g_autofree guint8 *buf = NULL;

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    "Fetch is not allowed on locked devices",
					    cancellable,
					    error);
	if (n_split < 1 || n_split > 3)
		return ub_sim_fastboot_fail(self, "Invalid fetch argument", cancellable, error);
	if (!ub_sim_fastboot_lookup(self, split[0], &target))
		return ub_sim_fastboot_fail(self,
					    ub_sim_fastboot_unknown_partition_text(self, split[0]),
					    cancellable,
					    error);
	if (n_split >= 2 && !ub_fastboot_parse_size(split[1], FALSE, &offset, NULL))
		return ub_sim_fastboot_fail(self, "Invalid offset", cancellable, error);
	if (offset > target.size)
		return ub_sim_fastboot_fail(self, "Offset overflows", cancellable, error);
	size = target.size - offset;
	if (n_split == 3) {
		guint64 want = 0;
		if (!ub_fastboot_parse_size(split[2], FALSE, &want, NULL))
			return ub_sim_fastboot_fail(self, "Invalid size", cancellable, error);
		if (want > size)
			return ub_sim_fastboot_fail(self, "Size overflows", cancellable, error);
		size = want;
	}
	if (size > self->max_download_size)
		return ub_sim_fastboot_fail(self,
					    "Fetch size is larger than max-fetch-size",
					    cancellable,
					    error);

	data = g_strdup_printf("%08x", (guint)size);
	if (!ub_sim_fastboot_reply(self, "DATA", data, cancellable, error))
		return FALSE;
	buf = g_malloc(UB_SIM_FASTBOOT_CHUNK);
	while (done < size) {
		gsize chunk = (gsize)MIN((guint64)UB_SIM_FASTBOOT_CHUNK, size - done);
		if (!ub_sim_fastboot_target_read(self, &target, offset + done, buf, chunk, error))
			return FALSE;
		if (!ub_fastboot_wire_write(self->wire,
					    buf,
					    chunk,
					    UB_SIM_FASTBOOT_WRITE_TIMEOUT_MS,
					    cancellable,
					    error))
			return FALSE;
		done += chunk;
	}
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

/* ABL's CmdSetActive and fastbootd's SetActiveHandler, with their texts */
static const gchar *
ub_sim_fastboot_check_slot(UbSimFastboot *self, const gchar *arg, gboolean has_colon)
{
	if (self->userspace) {
		if (!self->unlocked)
			return "set_active command is not allowed on locked devices";
		if (!has_colon || arg[0] == '\0')
			return "Missing slot argument";
		if (strlen(arg) != 1 || arg[0] < 'a' || arg[0] > 'z')
			return "Bad slot suffix";
		if (arg[0] > 'b')
			return "Slot out of range";
		return NULL;
	}
	if (!self->unlocked)
		return "Slot Change is not allowed in Lock State";
	if (ub_sim_fastboot_current_slot(self) == 0)
		return "This Command not supported";
	if (!has_colon)
		return "set_active _a or _b should be entered";
	if (arg[0] == '_')
		arg++;
	if (g_strcmp0(arg, "a") != 0 && g_strcmp0(arg, "b") != 0)
		return "Invalid Slot Suffix";
	return NULL;
}

static gboolean
ub_sim_fastboot_cmd_set_active(UbSimFastboot *self,
			       const gchar *arg,
			       gboolean has_colon,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(GError) error_local = NULL;
	const gchar *fail = ub_sim_fastboot_check_slot(self, arg, has_colon);
	if (fail != NULL)
		return ub_sim_fastboot_fail(self, fail, cancellable, error);
	if (arg[0] == '_')
		arg++;
	if (!ub_sim_fastboot_write_active_slot(self, arg[0], &error_local)) {
		g_debug("sim: %s", error_local->message);
		return ub_sim_fastboot_fail(self, "set_active failed", cancellable, error);
	}
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

/* create-/delete-/resize-logical-partition and update-super: fastbootd only */
static gboolean
ub_sim_fastboot_cmd_logical(UbSimFastboot *self,
			    const gchar *verb,
			    const gchar *arg,
			    GCancellable *cancellable,
			    GError **error)
{
	g_auto(GStrv) args = g_strsplit(arg, ":", -1);
	guint n_args = g_strv_length(args);
	UbSimSuper *super = ub_sim_fastboot_get_super(self);
	g_autoptr(GError) error_local = NULL;
	guint64 size = 0;
	gboolean ok;
	const gchar *done_text;

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    "Command not available on locked devices",
					    cancellable,
					    error);
	if (super == NULL)
		return ub_sim_fastboot_fail(self,
					    "Could not open super partition",
					    cancellable,
					    error);
	if (g_strcmp0(verb, "update-super") == 0) {
		if (n_args < 1 || g_strcmp0(args[0], "super") != 0)
			return ub_sim_fastboot_fail(self,
						    "Invalid partition name",
						    cancellable,
						    error);
		if (self->download_buf == NULL || self->download_size == 0)
			return ub_sim_fastboot_fail(self, "No data downloaded", cancellable, error);
		if (!ub_sim_super_update(super,
					 self->download_buf,
					 self->download_size,
					 n_args >= 2 && g_strcmp0(args[1], "wipe") == 0,
					 &error_local)) {
			g_debug("sim: %s", error_local->message);
			return ub_sim_fastboot_fail(
			    self,
			    "Data is not a valid logical partition metadata image",
			    cancellable,
			    error);
		}
		return ub_sim_fastboot_okay(self,
					    "Successfully flashed partition table",
					    cancellable,
					    error);
	}
	if (g_strcmp0(verb, "delete-logical-partition") == 0) {
		if (n_args != 1)
			return ub_sim_fastboot_fail(self, "Invalid partition name", cancellable, error);
		ok = ub_sim_super_delete_partition(super, args[0], &error_local);
		done_text = "Partition deleted";
	} else {
		if (n_args != 2 ||
		    !g_ascii_string_to_unsigned(args[1], 10, 0, G_MAXUINT64, &size, NULL))
			return ub_sim_fastboot_fail(self,
						    "Invalid partition name and size",
						    cancellable,
						    error);
		if (g_strcmp0(verb, "create-logical-partition") == 0) {
			ok = ub_sim_super_create_partition(super, args[0], size, &error_local);
			done_text = "Partition created";
		} else {
			ok = ub_sim_super_resize_partition(super, args[0], size, &error_local);
			done_text = "Partition resized";
		}
	}
	if (!ok) {
		g_debug("sim: %s", error_local->message);
		if (g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_FOUND))
			return ub_sim_fastboot_fail(self,
						    "Could not find partition",
						    cancellable,
						    error);
		return ub_sim_fastboot_fail(self, error_local->message, cancellable, error);
	}
	if (!ub_sim_super_save(super, &error_local)) {
		g_debug("sim: %s", error_local->message);
		return ub_sim_fastboot_fail(self, "Failed to write partition table", cancellable, error);
	}
	return ub_sim_fastboot_okay(self, done_text, cancellable, error);
}

/* oem and flashing, bootloader only */
static gboolean
ub_sim_fastboot_cmd_vendor(UbSimFastboot *self,
			   const gchar *command,
			   GCancellable *cancellable,
			   GError **error)
{
	if (g_strcmp0(command, "flashing unlock") == 0 || g_strcmp0(command, "oem unlock") == 0 ||
	    g_strcmp0(command, "flashing unlock_critical") == 0) {
		self->unlocked = TRUE;
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	if (g_strcmp0(command, "flashing lock") == 0 || g_strcmp0(command, "oem lock") == 0 ||
	    g_strcmp0(command, "flashing lock_critical") == 0) {
		self->unlocked = FALSE;
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	if (g_strcmp0(command, "flashing get_unlock_ability") == 0) {
		if (!ub_sim_fastboot_info(self, "get_unlock_ability: 1", cancellable, error))
			return FALSE;
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	if (g_strcmp0(command, "oem device-info") == 0) {
		g_autofree gchar *unlocked =
		    g_strdup_printf("Device unlocked: %s\n", self->unlocked ? "true" : "false");
		if (!ub_sim_fastboot_text(self, "Verity mode: true\n", cancellable, error) ||
		    !ub_sim_fastboot_text(self, unlocked, cancellable, error) ||
		    !ub_sim_fastboot_text(self,
					  "Device critical unlocked: false\n",
					  cancellable,
					  error))
			return FALSE;
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	if (g_strcmp0(command, "oem edl") == 0) {
		g_free(self->reboot_target);
		self->reboot_target = g_strdup("edl");
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	{
		g_autofree gchar *msg = g_strdup_printf("Unrecognized command %s", command);
		return ub_sim_fastboot_fail(self, msg, cancellable, error);
	}
}

/* handles one command; sets self->reboot_target when the phone leaves */
static gboolean
ub_sim_fastboot_dispatch(UbSimFastboot *self,
			 const gchar *command,
			 GCancellable *cancellable,
			 GError **error)
{
	static const struct {
		const gchar *command;
		const gchar *target;
		gboolean bootloader_only;
	} reboots[] = {
	    {"reboot", "system", FALSE},
	    {"continue", "system", TRUE},
	    {"reboot-bootloader", "bootloader", FALSE},
	    {"reboot-fastboot", "fastboot", FALSE},
	    {"reboot-recovery", "recovery", FALSE},
	    {"reboot-edl", "edl", TRUE},
	};
	const gchar *colon = strchr(command, ':');
	const gchar *arg = colon != NULL ? colon + 1 : "";
	g_autofree gchar *verb =
	    colon != NULL ? g_strndup(command, colon - command) : g_strdup(command);

	if (g_strcmp0(verb, "getvar") == 0)
		return ub_sim_fastboot_cmd_getvar(self, arg, cancellable, error);
	if (g_strcmp0(verb, "download") == 0)
		return ub_sim_fastboot_cmd_download(self, arg, cancellable, error);
	if (g_strcmp0(verb, "flash") == 0)
		return ub_sim_fastboot_cmd_flash(self, arg, cancellable, error);
	if (g_strcmp0(verb, "erase") == 0)
		return ub_sim_fastboot_cmd_erase(self, arg, cancellable, error);
	if (g_strcmp0(verb, "fetch") == 0)
		return ub_sim_fastboot_cmd_fetch(self, arg, cancellable, error);
	if (g_strcmp0(verb, "set_active") == 0)
		return ub_sim_fastboot_cmd_set_active(self, arg, colon != NULL, cancellable, error);
	if (self->userspace &&
	    (g_strcmp0(verb, "create-logical-partition") == 0 ||
	     g_strcmp0(verb, "delete-logical-partition") == 0 ||
	     g_strcmp0(verb, "resize-logical-partition") == 0 || g_strcmp0(verb, "update-super") == 0))
		return ub_sim_fastboot_cmd_logical(self, verb, arg, cancellable, error);
	if (self->userspace && g_strcmp0(verb, "snapshot-update") == 0) {
		if (colon != NULL && g_strcmp0(arg, "cancel") != 0 && g_strcmp0(arg, "merge") != 0)
			return ub_sim_fastboot_fail(self,
						    "Invalid snapshot-update command",
						    cancellable,
						    error);
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	if (!self->userspace && colon == NULL && g_strcmp0(command, "boot") == 0) {
		if (self->download_buf == NULL || self->download_size == 0)
			return ub_sim_fastboot_fail(self, "No data downloaded", cancellable, error);
		g_free(self->reboot_target);
		self->reboot_target = g_strdup("system");
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	if (!self->userspace &&
	    (g_str_has_prefix(command, "oem ") || g_str_has_prefix(command, "flashing ")))
		return ub_sim_fastboot_cmd_vendor(self, command, cancellable, error);
	for (guint i = 0; i < G_N_ELEMENTS(reboots); i++) {
		if (colon != NULL || g_strcmp0(command, reboots[i].command) != 0)
			continue;
		if (reboots[i].bootloader_only && self->userspace)
			break;
		/* set first: whoever saw the OKAY may ask where the phone went */
		g_free(self->reboot_target);
		self->reboot_target = g_strdup(reboots[i].target);
		return ub_sim_fastboot_okay(self, "", cancellable, error);
	}
	{
		g_autofree gchar *msg = g_strdup_printf("Unrecognized command %s", verb);
		return ub_sim_fastboot_fail(self, msg, cancellable, error);
	}
}

static gboolean
ub_sim_fastboot_handle(UbSimFastboot *self,
		       const guint8 *buf,
		       gsize bufsz,
		       GCancellable *cancellable,
		       GError **error)
{
	gboolean nak = ub_sim_personality_count_command(UB_SIM_PERSONALITY(self));
	g_autofree gchar *command = NULL;

	if (bufsz > UB_FASTBOOT_COMMAND_MAX)
		return ub_sim_fastboot_fail(self, "Command too long", cancellable, error);
	for (gsize i = 0; i < bufsz; i++) {
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return ub_sim_fastboot_fail(self,
						    "Command contains control character",
						    cancellable,
						    error);
	}
	command = g_strndup((const gchar *)buf, bufsz);
	g_debug("sim > %s", command);
	if (nak)
		return ub_sim_fastboot_fail(self, "simulated failure", cancellable, error);
	return ub_sim_fastboot_dispatch(self, command, cancellable, error);
}

static gboolean
ub_sim_fastboot_serve(UbSimPersonality *personality,
		      UbTransport *transport,
		      GCancellable *cancellable,
		      GError **error)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(personality);
	gboolean ret = FALSE;

	/* the mode the last session's reboot asked for; a host that just left keeps it */
	if (g_strcmp0(self->reboot_target, "fastboot") == 0)
		self->userspace = TRUE;
	else if (self->reboot_target != NULL)
		self->userspace = FALSE;
	g_clear_pointer(&self->reboot_target, g_free);
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	self->wire = ub_fastboot_wire_new(transport, self->tcp);
	if (!ub_fastboot_wire_handshake(self->wire, FALSE, 0, cancellable, error)) {
		g_clear_pointer(&self->wire, ub_fastboot_wire_free);
		return FALSE;
	}
	for (;;) {
		guint8 buf[UB_SIM_FASTBOOT_COMMAND_BUF + 1];
		g_autoptr(GError) error_local = NULL;
		gssize n = ub_fastboot_wire_read_packet(self->wire,
							buf,
							sizeof(buf),
							0,
							cancellable,
							&error_local);
		if (n < 0 && g_error_matches(error_local, UB_ERROR, UB_ERROR_PROTOCOL) &&
		    ub_fastboot_wire_get_tcp(self->wire)) {
			/* an oversized frame: refuse it, then drop its bytes */
			g_debug("sim: %s", error_local->message);
			(void)ub_sim_personality_count_command(personality);
			if (!ub_fastboot_wire_skip_frame(self->wire, 0, cancellable, error))
				break;
			if (!ub_sim_fastboot_fail(self, "Command too long", cancellable, error))
				break;
			continue;
		}
		/* the host went away between commands: a clean end */
		if (n < 0 && g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE)) {
			g_debug("sim: host disconnected: %s", error_local->message);
			ret = TRUE;
			break;
		}
		if (n < 0) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			break;
		}
		if (!ub_sim_fastboot_handle(self, buf, (gsize)n, cancellable, error))
			break;
		if (self->reboot_target != NULL) {
			ret = TRUE;
			break;
		}
	}
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	return ret;
}

/**
 * ub_sim_fastboot_new:
 * @storage: the phone's storage
 * @faults: (nullable): faults to inject
 *
 * Returns: (transfer full): a bootloader fastboot personality
 */
UbSimPersonality *
ub_sim_fastboot_new(UbSimStorage *storage, UbSimFaults *faults)
{
	return g_object_new(UB_TYPE_SIM_FASTBOOT, "storage", storage, "faults", faults, NULL);
}

void
ub_sim_fastboot_set_tcp(UbSimFastboot *self, gboolean tcp)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	self->tcp = tcp;
}

void
ub_sim_fastboot_set_max_download_size(UbSimFastboot *self, guint32 max_download_size)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	g_return_if_fail(max_download_size > 0);
	self->max_download_size = max_download_size;
}

void
ub_sim_fastboot_set_unlocked(UbSimFastboot *self, gboolean unlocked)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	self->unlocked = unlocked;
}

gboolean
ub_sim_fastboot_get_unlocked(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), FALSE);
	return self->unlocked;
}

void
ub_sim_fastboot_set_secure(UbSimFastboot *self, gboolean secure)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	self->secure = secure;
}

/**
 * ub_sim_fastboot_set_text:
 * @self: a #UbSimFastboot
 * @text: %FALSE to send INFO where the phone would send TEXT
 *
 * TEXT responses (2023) make older clients such as Debian's fastboot 29 abort.
 */
void
ub_sim_fastboot_set_text(UbSimFastboot *self, gboolean text)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	self->text = text;
}

void
ub_sim_fastboot_set_product(UbSimFastboot *self, const gchar *product)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	g_return_if_fail(product != NULL);
	g_free(self->product);
	self->product = g_strdup(product);
}

/**
 * ub_sim_fastboot_set_userspace:
 * @self: a #UbSimFastboot
 * @userspace: %TRUE for fastbootd, %FALSE for the bootloader
 *
 * Sets the mode of the next session (a reboot in a session overrides it).
 */
void
ub_sim_fastboot_set_userspace(UbSimFastboot *self, gboolean userspace)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	self->userspace = userspace;
}

/**
 * ub_sim_fastboot_get_userspace:
 * @self: a #UbSimFastboot
 *
 * Returns: %TRUE when the phone is (or comes back) in fastbootd
 */
gboolean
ub_sim_fastboot_get_userspace(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), FALSE);
	if (g_strcmp0(self->reboot_target, "fastboot") == 0)
		return TRUE;
	if (g_strcmp0(self->reboot_target, "bootloader") == 0)
		return FALSE;
	return self->userspace;
}

static void
ub_sim_fastboot_set_quirks(UbSimFastboot *self, const gchar *layout)
{
	g_free(self->layout);
	self->layout = g_strdup(layout);
	/* the default GPT layout is Qualcomm/Xiaomi-like too: Xiaomi packages work on it */
	self->xiaomi = g_strcmp0(layout, "pixel") != 0;
	g_clear_object(&self->super);
}

/**
 * ub_sim_fastboot_set_layout:
 * @self: a #UbSimFastboot
 * @layout: "gpt", "pixel" or "xiaomi" (see ub-sim-layouts.c)
 * @error: (nullable): return location for a #GError
 *
 * Gives the storage the built-in layout (once: a folder that has it keeps its
 * data) and switches the bootloader quirks that go with it: Xiaomi "_ab"
 * names, crclist/sparsecrclist and the anti/crc variables on "gpt" and
 * "xiaomi", not on "pixel".
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_fastboot_set_layout(UbSimFastboot *self, const gchar *layout, GError **error)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), FALSE);
	if (!ub_sim_layout_apply(ub_sim_fastboot_get_storage(self), layout, error))
		return FALSE;
	ub_sim_fastboot_set_quirks(self, layout);
	/* read now: the folder of a temporary phone goes away */
	(void)ub_sim_fastboot_get_super(self);
	return TRUE;
}

const gchar *
ub_sim_fastboot_get_layout(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), NULL);
	return self->layout;
}

static gboolean
ub_sim_fastboot_env_flag(const gchar *name)
{
	const gchar *value = g_getenv(name);
	return value != NULL && g_strcmp0(value, "") != 0 && g_strcmp0(value, "0") != 0;
}

/**
 * ub_sim_fastboot_configure_from_env:
 * @self: a #UbSimFastboot
 * @error: (nullable): return location for a #GError
 *
 * Applies UB_SIM_LAYOUT (gpt, pixel, xiaomi), UB_SIM_MAX_DOWNLOAD_SIZE (bytes:
 * decimal, 0x hex, or with K/M/G), UB_SIM_NO_TEXT=1, UB_SIM_LOCKED=1,
 * UB_SIM_PRODUCT and UB_SIM_MODE (bootloader, fastbootd) where set: how tests
 * configure the in-process phone of `--device sim:fastboot`.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_fastboot_configure_from_env(UbSimFastboot *self, GError **error)
{
	const gchar *layout = g_getenv(UB_SIM_FASTBOOT_ENV_LAYOUT);
	const gchar *mds = g_getenv(UB_SIM_FASTBOOT_ENV_MAX_DOWNLOAD_SIZE);
	const gchar *product = g_getenv(UB_SIM_FASTBOOT_ENV_PRODUCT);
	const gchar *mode = g_getenv(UB_SIM_FASTBOOT_ENV_MODE);

	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), FALSE);
	if (layout != NULL && layout[0] != '\0' && !ub_sim_fastboot_set_layout(self, layout, error)) {
		g_prefix_error(error, "invalid %s: ", UB_SIM_FASTBOOT_ENV_LAYOUT);
		return FALSE;
	}
	if (mds != NULL && mds[0] != '\0') {
		guint64 size = 0;
		if (g_str_has_prefix(mds, "0x") || g_str_has_prefix(mds, "0X")) {
			if (!g_ascii_string_to_unsigned(mds + 2, 16, 1, G_MAXUINT32, &size, NULL))
				size = 0;
		} else if (!ub_sim_storage_parse_size(mds, &size, NULL)) {
			size = 0;
		}
		if (size == 0 || size > G_MAXUINT32) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid %s '%s', expected 1 to 4G bytes",
				    UB_SIM_FASTBOOT_ENV_MAX_DOWNLOAD_SIZE,
				    mds);
			return FALSE;
		}
		self->max_download_size = (guint32)size;
	}
	if (ub_sim_fastboot_env_flag(UB_SIM_FASTBOOT_ENV_NO_TEXT))
		self->text = FALSE;
	if (ub_sim_fastboot_env_flag(UB_SIM_FASTBOOT_ENV_LOCKED))
		self->unlocked = FALSE;
	if (product != NULL && product[0] != '\0')
		ub_sim_fastboot_set_product(self, product);
	if (mode != NULL && mode[0] != '\0') {
		if (g_strcmp0(mode, "fastbootd") == 0) {
			self->userspace = TRUE;
		} else if (g_strcmp0(mode, "bootloader") == 0) {
			self->userspace = FALSE;
		} else {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid %s '%s', expected bootloader or fastbootd",
				    UB_SIM_FASTBOOT_ENV_MODE,
				    mode);
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * ub_sim_fastboot_get_current_slot:
 * @self: a #UbSimFastboot
 *
 * Returns: 'a' or 'b' as the GPT says, 0 on a phone without slots
 */
gchar
ub_sim_fastboot_get_current_slot(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), 0);
	return ub_sim_fastboot_current_slot(self);
}

/**
 * ub_sim_fastboot_get_reboot_target:
 * @self: a #UbSimFastboot
 *
 * Returns: (nullable): "system", "bootloader", "fastboot", "recovery" or "edl"
 * after serve() ended with a reboot, else %NULL
 */
const gchar *
ub_sim_fastboot_get_reboot_target(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), NULL);
	return self->reboot_target;
}

/**
 * ub_sim_fastboot_reboot_comes_back:
 * @self: a #UbSimFastboot
 *
 * Returns: %TRUE when the last session ended with a reboot into fastboot
 *   (bootloader or fastbootd), so the phone enumerates again
 */
gboolean
ub_sim_fastboot_reboot_comes_back(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), FALSE);
	return g_strcmp0(self->reboot_target, "bootloader") == 0 ||
	       g_strcmp0(self->reboot_target, "fastboot") == 0;
}

guint
ub_sim_fastboot_get_download_count(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), 0);
	return (guint)g_atomic_int_get(&self->download_count);
}

guint
ub_sim_fastboot_get_flash_count(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), 0);
	return (guint)g_atomic_int_get(&self->flash_count);
}

static void
ub_sim_fastboot_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(object);
	switch (prop_id) {
	case PROP_TCP:
		g_value_set_boolean(value, self->tcp);
		break;
	case PROP_MAX_DOWNLOAD_SIZE:
		g_value_set_uint(value, self->max_download_size);
		break;
	case PROP_UNLOCKED:
		g_value_set_boolean(value, self->unlocked);
		break;
	case PROP_PRODUCT:
		g_value_set_string(value, self->product);
		break;
	case PROP_SERIALNO:
		g_value_set_string(value, self->serialno);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_sim_fastboot_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(object);
	switch (prop_id) {
	case PROP_TCP:
		self->tcp = g_value_get_boolean(value);
		break;
	case PROP_MAX_DOWNLOAD_SIZE:
		self->max_download_size = g_value_get_uint(value);
		break;
	case PROP_UNLOCKED:
		self->unlocked = g_value_get_boolean(value);
		break;
	case PROP_PRODUCT:
		g_free(self->product);
		self->product = g_value_dup_string(value);
		break;
	case PROP_SERIALNO:
		g_free(self->serialno);
		self->serialno = g_value_dup_string(value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_sim_fastboot_finalize(GObject *object)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(object);
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	g_free(self->download_buf);
	g_free(self->reboot_target);
	g_free(self->product);
	g_free(self->serialno);
	g_free(self->layout);
	g_clear_object(&self->super);
	G_OBJECT_CLASS(ub_sim_fastboot_parent_class)->finalize(object);
}

static void
ub_sim_fastboot_constructed(GObject *object)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(object);
	g_autofree gchar *layout = NULL;
	G_OBJECT_CLASS(ub_sim_fastboot_parent_class)->constructed(object);
	/* a folder keeps the layout it was given */
	if (ub_sim_fastboot_get_storage(self) != NULL)
		layout = ub_sim_layout_get_applied(ub_sim_fastboot_get_storage(self));
	ub_sim_fastboot_set_quirks(self, layout != NULL ? layout : "gpt");
}

static void
ub_sim_fastboot_init(UbSimFastboot *self)
{
	self->secure = TRUE;
	self->text = TRUE;
}

static void
ub_sim_fastboot_class_init(UbSimFastbootClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	UbSimPersonalityClass *personality_class = UB_SIM_PERSONALITY_CLASS(klass);
	object_class->get_property = ub_sim_fastboot_get_property;
	object_class->set_property = ub_sim_fastboot_set_property;
	object_class->constructed = ub_sim_fastboot_constructed;
	object_class->finalize = ub_sim_fastboot_finalize;
	personality_class->serve = ub_sim_fastboot_serve;

	g_object_class_install_property(
	    object_class,
	    PROP_TCP,
	    g_param_spec_boolean("tcp",
				 NULL,
				 NULL,
				 FALSE,
				 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_MAX_DOWNLOAD_SIZE,
	    g_param_spec_uint("max-download-size",
			      NULL,
			      NULL,
			      1,
			      G_MAXUINT32,
			      UB_SIM_FASTBOOT_MAX_DOWNLOAD_SIZE_DEFAULT,
			      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_UNLOCKED,
	    g_param_spec_boolean("unlocked",
				 NULL,
				 NULL,
				 TRUE,
				 G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_PRODUCT,
	    g_param_spec_string("product",
				NULL,
				NULL,
				"unbrick_sim",
				G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_SERIALNO,
	    g_param_spec_string("serialno",
				NULL,
				NULL,
				"UBSIM0001",
				G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
}
