/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbEdl"

#include <errno.h>
#include <string.h>

#include "formats/ub-gpt.h"
#include "formats/ub-package-flat-build.h"
#include "formats/ub-sparse-chunks.h"
#include "formats/ub-sparse-image.h"
#include "ub-edl-device.h"
#include "ub-error.h"
#include "ub-mem.h"
#include "ub-sahara.h"

/* what <configure> asks for unless told otherwise */
#define UB_EDL_PAYLOAD_DEFAULT (1024 * 1024)
/* on USB 3 (1024-byte bulk packets) more is asked for; a programmer that
 * cannot take it NAKs with its maximum and that is used */
#define UB_EDL_PAYLOAD_SUPERSPEED (4 * 1024 * 1024)
/* more LUNs than UFS can address means a confused programmer */
#define UB_EDL_LUNS_MAX 32
/* a primary GPT area (MBR, header, entries) larger than this is not believed */
#define UB_EDL_GPT_AREA_MAX (8 * 1024 * 1024)
/* generated data (fills, zeros) is sent in <program> commands of at most this */
#define UB_EDL_PATTERN_PROGRAM_MAX (64 * 1024 * 1024)
/* ...built from one buffer of this size, repeated */
#define UB_EDL_PATTERN_BUF_SIZE (1024 * 1024)

/* one physical partition (eMMC) or LUN (UFS) the programmer reported */
typedef struct {
	guint lun;
	gchar *region;
	guint32 sector_size;
	guint64 total_blocks;
	UbGpt *gpt;	  /* (nullable): the primary GPT as last read */
	GBytes *gpt_area; /* (nullable): sectors 0..gpt_sectors-1 as last read */
} UbEdlLun;

/* one GPT entry, where it lives: what slots and flat builds need */
typedef struct {
	gchar *name;
	UbEdlLun *lun; /* not owned */
	guint64 start_sector;
	guint64 num_sectors;
	guint64 attributes;
} UbEdlPart;

struct _UbEdlDevice {
	UbDevice parent_instance;
	GFile *programmer;
	gchar *memory_name;
	gboolean identify_only;
	guint32 payload;
	gboolean payload_set; /* by the user: also on USB 3 */
	guint hello_timeout_ms; /* 0: UbSahara's default */
	guint timeout_limit_ms; /* 0: Firehose's own timeouts */
	UbSaharaChipInfo chip_info;
	UbSahara *sahara;
	UbFirehose *firehose;
	GPtrArray *luns;	/* of UbEdlLun */
	GPtrArray *parts;	/* of UbEdlPart, across all LUNs */
	gboolean tables_dirty;	/* a GPT area may have been written: read again before use */
	gboolean session_ended; /* <power> ended the programmer's session */
};

G_DEFINE_TYPE(UbEdlDevice, ub_edl_device, UB_TYPE_DEVICE)

static void
ub_edl_lun_free(UbEdlLun *lun)
{
	g_free(lun->region);
	g_clear_object(&lun->gpt);
	g_clear_pointer(&lun->gpt_area, g_bytes_unref);
	g_free(lun);
}

static void
ub_edl_part_free(UbEdlPart *part)
{
	g_free(part->name);
	g_free(part);
}

/* where an operation acts, in sectors of one LUN */
typedef struct {
	UbEdlLun *lun;
	const gchar *what;  /* partition or region name, for messages */
	guint64 first;	    /* absolute first sector */
	guint64 available;  /* sectors from @first to the end of the partition or region */
	guint64 requested;  /* sectors of loc->length, 0 when not given */
	guint64 count;	    /* sectors acted on: @requested, or @available without a length */
	gboolean is_region; /* addressed by region, so it may touch a partition table */
} UbEdlTarget;

/**
 * ub_edl_device_new:
 * @transport: an open transport to a phone in EDL (05c6:9008)
 *
 * Returns: (transfer full): a new EDL engine, not yet opened
 */
UbDevice *
ub_edl_device_new(UbTransport *transport)
{
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), NULL);
	return g_object_new(UB_TYPE_EDL_DEVICE,
			    "transport",
			    transport,
			    "mode",
			    UB_DEVICE_MODE_EDL,
			    NULL);
}

void
ub_edl_device_set_programmer(UbEdlDevice *self, GFile *programmer)
{
	g_return_if_fail(UB_IS_EDL_DEVICE(self));
	g_set_object(&self->programmer, programmer);
}

void
ub_edl_device_set_memory_name(UbEdlDevice *self, const gchar *memory_name)
{
	g_return_if_fail(UB_IS_EDL_DEVICE(self));
	g_free(self->memory_name);
	self->memory_name = g_strdup(memory_name);
}

void
ub_edl_device_set_identify_only(UbEdlDevice *self, gboolean identify_only)
{
	g_return_if_fail(UB_IS_EDL_DEVICE(self));
	self->identify_only = identify_only;
}

void
ub_edl_device_set_payload_size(UbEdlDevice *self, guint32 payload)
{
	g_return_if_fail(UB_IS_EDL_DEVICE(self));
	self->payload = payload > 0 ? payload : UB_EDL_PAYLOAD_DEFAULT;
	self->payload_set = payload > 0;
}

/**
 * ub_edl_device_set_hello_timeout:
 * @self: a #UbEdlDevice
 * @timeout_ms: how long open() waits for Sahara's HELLO before it checks for a
 *   programmer that is already running; 0 for the default (5 s)
 */
void
ub_edl_device_set_hello_timeout(UbEdlDevice *self, guint timeout_ms)
{
	g_return_if_fail(UB_IS_EDL_DEVICE(self));
	self->hello_timeout_ms = timeout_ms;
}

/**
 * ub_edl_device_set_timeout_limit:
 * @self: a #UbEdlDevice
 * @limit_ms: the longest any Firehose wait may take, 0 for the protocol's own
 *   timeouts (up to 120 s for the final ACK of a write)
 */
void
ub_edl_device_set_timeout_limit(UbEdlDevice *self, guint limit_ms)
{
	g_return_if_fail(UB_IS_EDL_DEVICE(self));
	self->timeout_limit_ms = limit_ms;
	if (self->firehose != NULL)
		ub_firehose_set_timeout_limit(self->firehose, limit_ms);
}

const UbSaharaChipInfo *
ub_edl_device_get_chip_info(UbEdlDevice *self)
{
	g_return_val_if_fail(UB_IS_EDL_DEVICE(self), NULL);
	return &self->chip_info;
}

UbFirehose *
ub_edl_device_get_firehose(UbEdlDevice *self)
{
	g_return_val_if_fail(UB_IS_EDL_DEVICE(self), NULL);
	return self->firehose;
}

static gboolean
ub_edl_device_check_firehose(UbEdlDevice *self, GError **error)
{
	if (self->session_ended) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NEEDS_REPLUG,
				    "the programmer's session ended with a power command: "
				    "enter EDL again");
		return FALSE;
	}
	if (self->firehose == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "no Firehose programmer is running: connect with a programmer "
				    "(--loader FILE) first");
		return FALSE;
	}
	return TRUE;
}

static gchar *
ub_edl_device_sector_string(guint64 sector)
{
	return g_strdup_printf("%" G_GUINT64_FORMAT, sector);
}

/* reads @count sectors of @lun from @first into memory (partition tables only) */
static GBytes *
ub_edl_device_read_sectors(UbEdlDevice *self,
			   UbEdlLun *lun,
			   guint64 first,
			   guint64 count,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autofree gchar *start = ub_edl_device_sector_string(first);
	GBytes *blob;

	if (!ub_firehose_read(self->firehose,
			      lun->sector_size,
			      lun->lun,
			      start,
			      count,
			      out,
			      progress,
			      cancellable,
			      error))
		return NULL;
	if (!g_output_stream_close(out, cancellable, error)) {
		ub_error_convert(error);
		return NULL;
	}
	blob = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
	if (g_bytes_get_size(blob) != count * lun->sector_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "asked for %" G_GUINT64_FORMAT " sectors of %s, got %" G_GSIZE_FORMAT
			    " bytes",
			    count,
			    lun->region,
			    g_bytes_get_size(blob));
		g_bytes_unref(blob);
		return NULL;
	}
	return blob;
}

/*
 * Reads the primary GPT of @lun into lun->gpt / lun->gpt_area. A LUN without a
 * valid GPT is not an error: it has no partitions (logged).
 */
static gboolean
ub_edl_device_load_gpt(UbEdlDevice *self,
		       UbEdlLun *lun,
		       UbProgress *progress,
		       GCancellable *cancellable,
		       GError **error)
{
	g_autoptr(GBytes) head = NULL;
	g_autoptr(GBytes) area = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(GError) error_local = NULL;
	const guint8 *hdr;
	guint32 ss = lun->sector_size;
	guint64 first_usable;
	guint64 entries_lba;
	guint64 array_sectors;
	guint64 n_sectors;
	guint64 n_first;

	g_clear_object(&lun->gpt);
	g_clear_pointer(&lun->gpt_area, g_bytes_unref);
	if (lun->total_blocks < 3) {
		ub_progress_log(progress, "%s: too small for a partition table", lun->region);
		return TRUE;
	}

	/* what ptool writes (34 sectors of 512, 6 of 4096) in one read; more if the header says so */
	n_first = MIN((guint64)(ss == 512 ? 34 : 6), lun->total_blocks - 1);
	head = ub_edl_device_read_sectors(self, lun, 0, n_first, cancellable, error);
	if (head == NULL) {
		g_prefix_error(error, "failed to read the partition table of %s: ", lun->region);
		return FALSE;
	}
	hdr = (const guint8 *)g_bytes_get_data(head, NULL) + ss;
	if (memcmp(hdr, "EFI PART", 8) != 0) {
		ub_progress_log(progress, "%s: no GPT, so no partitions there", lun->region);
		return TRUE;
	}
	first_usable = ub_mem_read_u64_le(hdr, 40);
	entries_lba = ub_mem_read_u64_le(hdr, 72);
	array_sectors = ((guint64)ub_mem_read_u32_le(hdr, 80) * ub_mem_read_u32_le(hdr, 84) + ss - 1) / ss;
	n_sectors = MAX(first_usable, entries_lba + array_sectors);
	if (entries_lba < 2 || n_sectors < 3 || n_sectors > UB_EDL_GPT_AREA_MAX / ss ||
	    n_sectors >= lun->total_blocks) {
		ub_progress_log(progress,
				"%s: the GPT header is not believable (entries at LBA %" G_GUINT64_FORMAT
				", first usable LBA %" G_GUINT64_FORMAT "), so no partitions there",
				lun->region,
				entries_lba,
				first_usable);
		return TRUE;
	}
	if (n_sectors == n_first) {
		area = g_steal_pointer(&head);
	} else if (n_sectors < n_first) {
		area = g_bytes_new_from_bytes(head, 0, n_sectors * ss);
	} else {
		area = ub_edl_device_read_sectors(self, lun, 0, n_sectors, cancellable, error);
		if (area == NULL) {
			g_prefix_error(error, "failed to read the partition table of %s: ", lun->region);
			return FALSE;
		}
	}
	gpt = ub_gpt_parse(g_bytes_get_data(area, NULL), g_bytes_get_size(area), ss, &error_local);
	if (gpt == NULL) {
		ub_progress_log(progress,
				"%s: invalid GPT (%s), so no partitions there",
				lun->region,
				error_local->message);
		return TRUE;
	}
	lun->gpt = g_steal_pointer(&gpt);
	lun->gpt_area = g_steal_pointer(&area);
	return TRUE;
}

static void
ub_edl_device_rebuild_parts(UbEdlDevice *self)
{
	g_ptr_array_set_size(self->parts, 0);
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		GPtrArray *entries;
		if (lun->gpt == NULL)
			continue;
		entries = ub_gpt_get_entries(lun->gpt);
		for (guint j = 0; j < entries->len; j++) {
			UbGptEntry *entry = g_ptr_array_index(entries, j);
			UbEdlPart *part = g_new0(UbEdlPart, 1);
			part->name = g_strdup(entry->name);
			part->lun = lun;
			part->start_sector = entry->first_lba;
			part->num_sectors =
			    entry->last_lba >= entry->first_lba ? entry->last_lba - entry->first_lba + 1 : 0;
			part->attributes = entry->attributes;
			g_ptr_array_add(self->parts, part);
		}
	}
}

static const UbGptEntry *
ub_edl_device_find_entry(UbEdlDevice *self, const gchar *name, UbEdlLun **lun_out)
{
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		const UbGptEntry *entry;
		if (lun->gpt == NULL)
			continue;
		entry = ub_gpt_find_entry(lun->gpt, name);
		if (entry != NULL) {
			if (lun_out != NULL)
				*lun_out = lun;
			return entry;
		}
	}
	return NULL;
}

/* "a", "b", or %NULL when the tables have no boot_a/boot_b or neither is active */
static const gchar *
ub_edl_device_current_slot(UbEdlDevice *self)
{
	const UbGptEntry *boot_a = ub_edl_device_find_entry(self, "boot_a", NULL);
	const UbGptEntry *boot_b = ub_edl_device_find_entry(self, "boot_b", NULL);
	gboolean active_a;
	gboolean active_b;

	if (boot_a == NULL || boot_b == NULL)
		return NULL;
	active_a = ub_gpt_entry_get_ab_active(boot_a);
	active_b = ub_gpt_entry_get_ab_active(boot_b);
	if (active_a && !active_b)
		return "a";
	if (active_b && !active_a)
		return "b";
	/* both or neither: the bootloader goes by priority */
	if (ub_gpt_entry_get_ab_priority(boot_a) > ub_gpt_entry_get_ab_priority(boot_b))
		return "a";
	if (ub_gpt_entry_get_ab_priority(boot_b) > ub_gpt_entry_get_ab_priority(boot_a))
		return "b";
	return NULL;
}

static void
ub_edl_device_update_slot_extras(UbEdlDevice *self)
{
	const gchar *slot = ub_edl_device_current_slot(self);
	gboolean has_slots = ub_edl_device_find_entry(self, "boot_a", NULL) != NULL &&
			     ub_edl_device_find_entry(self, "boot_b", NULL) != NULL;
	ub_device_set_extra(UB_DEVICE(self), "slot-count", has_slots ? "2" : "0");
	if (slot != NULL)
		ub_device_set_extra(UB_DEVICE(self), "current-slot", slot);
}

/* reads the GPT of every LUN again */
static gboolean
ub_edl_device_load_tables(UbEdlDevice *self,
			  UbProgress *progress,
			  GCancellable *cancellable,
			  GError **error)
{
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		if (!ub_edl_device_load_gpt(self, lun, progress, cancellable, error))
			return FALSE;
	}
	ub_edl_device_rebuild_parts(self);
	ub_edl_device_update_slot_extras(self);
	self->tables_dirty = FALSE;
	return TRUE;
}

static gboolean
ub_edl_device_ensure_tables(UbEdlDevice *self,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error)
{
	if (!self->tables_dirty)
		return TRUE;
	return ub_edl_device_load_tables(self, progress, cancellable, error);
}

static UbEdlPart *
ub_edl_device_find_part(UbEdlDevice *self, const gchar *name)
{
	for (guint i = 0; i < self->parts->len; i++) {
		UbEdlPart *part = g_ptr_array_index(self->parts, i);
		if (g_strcmp0(part->name, name) == 0)
			return part;
	}
	return NULL;
}

static UbEdlLun *
ub_edl_device_find_lun(UbEdlDevice *self, const gchar *region)
{
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		if (g_strcmp0(lun->region, region) == 0)
			return lun;
	}
	/* "lunN" names a physical partition on eMMC too */
	if (region != NULL && g_str_has_prefix(region, "lun")) {
		guint64 number = 0;
		if (g_ascii_string_to_unsigned(region + 3, 10, 0, G_MAXUINT, &number, NULL)) {
			for (guint i = 0; i < self->luns->len; i++) {
				UbEdlLun *lun = g_ptr_array_index(self->luns, i);
				if (lun->lun == number)
					return lun;
			}
		}
	}
	return NULL;
}

static gchar *
ub_edl_device_region_names(UbEdlDevice *self)
{
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		if (str->len > 0)
			g_string_append(str, ", ");
		g_string_append(str, lun->region);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/* resolves @loc to sectors of one LUN, checking alignment and bounds */
static gboolean
ub_edl_device_resolve(UbEdlDevice *self,
		      const UbDeviceLocation *loc,
		      UbProgress *progress,
		      UbEdlTarget *target,
		      GCancellable *cancellable,
		      GError **error)
{
	guint32 ss;
	guint64 base;
	guint64 size;

	if (!ub_edl_device_check_firehose(self, error))
		return FALSE;
	memset(target, 0, sizeof(*target));
	if (loc->partition != NULL) {
		UbEdlPart *part;
		if (!ub_edl_device_ensure_tables(self, progress, cancellable, error))
			return FALSE;
		part = ub_edl_device_find_part(self, loc->partition);
		if (part == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "no partition named '%s' in the GPT of any LUN",
				    loc->partition);
			return FALSE;
		}
		target->lun = part->lun;
		target->what = part->name;
		base = part->start_sector;
		size = part->num_sectors;
	} else if (loc->region != NULL) {
		UbEdlLun *lun = ub_edl_device_find_lun(self, loc->region);
		if (lun == NULL) {
			g_autofree gchar *names = ub_edl_device_region_names(self);
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "no region named '%s': this phone has %s",
				    loc->region,
				    names);
			return FALSE;
		}
		target->lun = lun;
		target->what = lun->region;
		target->is_region = TRUE;
		base = 0;
		size = lun->total_blocks;
	} else {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "give a partition name or a region");
		return FALSE;
	}

	ss = target->lun->sector_size;
	if (loc->offset % ss != 0 || loc->length % ss != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "offset 0x%" G_GINT64_MODIFIER "x and length 0x%" G_GINT64_MODIFIER
			    "x must be whole %u-byte sectors of %s",
			    loc->offset,
			    loc->length,
			    ss,
			    target->lun->region);
		return FALSE;
	}
	if (loc->offset / ss > size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "offset 0x%" G_GINT64_MODIFIER "x is past the end of %s (0x%" G_GINT64_MODIFIER
			    "x bytes)",
			    loc->offset,
			    target->what,
			    size * ss);
		return FALSE;
	}
	target->first = base + loc->offset / ss;
	target->available = size - loc->offset / ss;
	target->requested = loc->length / ss;
	if (target->requested > target->available) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "0x%" G_GINT64_MODIFIER "x bytes at 0x%" G_GINT64_MODIFIER
			    "x run past the end of %s (0x%" G_GINT64_MODIFIER "x bytes)",
			    loc->length,
			    loc->offset,
			    target->what,
			    size * ss);
		return FALSE;
	}
	target->count = target->requested > 0 ? target->requested : target->available;
	return TRUE;
}

/*
 * Resolves @loc for a read or erase of all of it: with nothing to @verb it says so and
 * finishes @progress (@target->count is 0); otherwise @progress gets @status and the
 * Firehose progress.
 */
static gboolean
ub_edl_device_resolve_range(UbEdlDevice *self,
			    const UbDeviceLocation *loc,
			    const gchar *verb,
			    UbStatus status,
			    UbProgress *progress,
			    UbEdlTarget *target,
			    GCancellable *cancellable,
			    GError **error)
{
	if (!ub_edl_device_resolve(self, loc, progress, target, cancellable, error))
		return FALSE;
	if (target->count == 0) {
		ub_progress_log(progress, "%s: nothing to %s", target->what, verb);
		ub_progress_finished(progress);
		return TRUE;
	}
	ub_progress_set_status(progress, status);
	ub_firehose_set_progress(self->firehose, progress);
	return TRUE;
}

/* a write or erase by region may have changed a partition table */
static void
ub_edl_device_target_touched(UbEdlDevice *self, const UbEdlTarget *target)
{
	if (target->is_region)
		self->tables_dirty = TRUE;
}

static void
ub_edl_device_set_chip_identity(UbEdlDevice *self)
{
	UbDevice *device = UB_DEVICE(self);
	UbSaharaChipInfo *info = &self->chip_info;
	g_autofree gchar *version = g_strdup_printf("%u", info->sahara_version);

	ub_device_set_extra(device, "sahara-version", version);
	if (info->has_serial) {
		g_autofree gchar *serial = g_strdup_printf("0x%08x", info->serial);
		ub_device_set_serial(device, serial);
	}
	if (info->has_hwid) {
		const gchar *name = ub_edl_chip_name(info->msm_id);
		g_autofree gchar *msm = g_strdup_printf("0x%08x", info->msm_id);
		g_autofree gchar *oem = g_strdup_printf("0x%04x", info->oem_id);
		g_autofree gchar *model = g_strdup_printf("0x%04x", info->model_id);
		g_autofree gchar *chip = NULL;
		if (name != NULL)
			chip = g_strdup(name);
		else
			chip = g_strdup_printf("unknown Qualcomm SoC (MSM ID %s)", msm);
		ub_device_set_chip(device, chip);
		ub_device_set_extra(device, "msm-id", msm);
		ub_device_set_extra(device, "oem-id", oem);
		ub_device_set_extra(device, "model-id", model);
	}
	if (info->pk_hash != NULL)
		ub_device_set_extra(device, "pk-hash", info->pk_hash);
}

/* <configure>, trying UFS then eMMC when the user did not say */
static gboolean
ub_edl_device_configure(UbEdlDevice *self,
			UbProgress *progress,
			GCancellable *cancellable,
			GError **error)
{
	const gchar *tries[] = {"ufs", "emmc"};
	g_autoptr(GError) error_local = NULL;
	guint32 payload = self->payload;

	if (!self->payload_set &&
	    ub_transport_get_max_packet_size(ub_device_get_transport(UB_DEVICE(self))) >= 1024)
		payload = UB_EDL_PAYLOAD_SUPERSPEED;
	if (self->memory_name != NULL)
		return ub_firehose_configure(self->firehose,
					     self->memory_name,
					     payload,
					     cancellable,
					     error);
	for (guint i = 0; i < G_N_ELEMENTS(tries); i++) {
		g_clear_error(&error_local);
		if (ub_firehose_configure(self->firehose,
					  tries[i],
					  payload,
					  cancellable,
					  &error_local))
			return TRUE;
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_SUPPORTED))
			break;
		ub_progress_log(progress,
				"the programmer does not drive %s storage: %s",
				tries[i],
				error_local->message);
	}
	g_propagate_error(error, g_steal_pointer(&error_local));
	return FALSE;
}

/* <getstorageinfo> for every LUN: the regions */
static gboolean
ub_edl_device_probe_storage(UbEdlDevice *self,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error)
{
	UbDevice *device = UB_DEVICE(self);
	UbFirehoseStorageInfo info0 = {0};
	guint num_physical;
	guint32 block_size0;
	guint64 total_size = 0;

	if (!ub_firehose_get_storage_info(self->firehose, 0, &info0, cancellable, error)) {
		ub_firehose_storage_info_clear(&info0);
		g_prefix_error(error, "failed to read the storage information of LUN 0: ");
		return FALSE;
	}
	num_physical = MAX(info0.num_physical, 1);
	block_size0 = info0.block_size;
	if (block_size0 == 0 || block_size0 % 512 != 0) {
		ub_firehose_storage_info_clear(&info0);
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the programmer reports a sector size of %u bytes",
			    block_size0);
		return FALSE;
	}
	if (num_physical > UB_EDL_LUNS_MAX) {
		ub_progress_log(progress,
				"the programmer reports %u LUNs; using the first %u",
				num_physical,
				(guint)UB_EDL_LUNS_MAX);
		num_physical = UB_EDL_LUNS_MAX;
	}

	ub_device_clear_regions(device);
	g_ptr_array_set_size(self->parts, 0);
	g_ptr_array_set_size(self->luns, 0);
	for (guint i = 0; i < num_physical; i++) {
		UbFirehoseStorageInfo info = {0};
		g_autoptr(GError) error_local = NULL;
		UbEdlLun *lun;
		guint64 size = 0;

		if (i == 0) {
			info = info0;
			memset(&info0, 0, sizeof(info0));
		} else if (!ub_firehose_get_storage_info(self->firehose,
							 i,
							 &info,
							 cancellable,
							 &error_local)) {
			ub_firehose_storage_info_clear(&info);
			if (g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
			    g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE) ||
			    g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			ub_progress_log(progress,
					"skipping physical partition %u: %s",
					i,
					error_local->message);
			continue;
		}
		if (info.block_size == 0 || info.total_blocks == 0 ||
		    !g_uint64_checked_mul(&size, info.total_blocks, info.block_size)) {
			ub_progress_log(progress,
					"skipping physical partition %u: %" G_GUINT64_FORMAT
					" sectors of %u bytes",
					i,
					info.total_blocks,
					info.block_size);
			ub_firehose_storage_info_clear(&info);
			continue;
		}
		lun = g_new0(UbEdlLun, 1);
		lun->lun = i;
		lun->sector_size = info.block_size;
		lun->total_blocks = info.total_blocks;
		lun->region = ub_package_flat_build_region_name(info.block_size, i);
		g_ptr_array_add(self->luns, lun);
		ub_device_add_region(device, lun->region, size, info.block_size);
		total_size += size;
		if (i == 0 && info.mem_type != NULL)
			ub_device_set_storage_type(device, info.mem_type);
		if (i == 0 && info.prod_name != NULL)
			ub_device_set_extra(device, "storage-product", info.prod_name);
		ub_firehose_storage_info_clear(&info);
	}
	if (self->luns->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the programmer reports no usable storage");
		return FALSE;
	}
	if (ub_device_get_storage_type(device) == NULL)
		ub_device_set_storage_type(device, ub_firehose_get_memory_name(self->firehose));
	ub_device_set_storage_size(device, total_size);
	ub_device_set_sector_size(device, ((UbEdlLun *)g_ptr_array_index(self->luns, 0))->sector_size);
	return TRUE;
}

/* whether a Firehose programmer answers a <nop>; keeps the session if so */
static gboolean
ub_edl_device_probe_firehose(UbEdlDevice *self, UbProgress *progress, GCancellable *cancellable)
{
	g_autoptr(UbFirehose) firehose = ub_firehose_new(ub_device_get_transport(UB_DEVICE(self)));
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GBytes) pending = ub_sahara_steal_pending(self->sahara);

	ub_firehose_set_timeout_limit(firehose, self->timeout_limit_ms);
	if (pending != NULL && g_bytes_get_size(pending) > 0)
		ub_firehose_push_pending(firehose, pending);
	ub_firehose_set_progress(firehose, progress);
	if (!ub_firehose_nop(firehose, cancellable, &error_local)) {
		g_debug("no programmer answers either: %s", error_local->message);
		return FALSE;
	}
	ub_progress_log(progress, "no HELLO, but a Firehose programmer answers");
	self->firehose = g_steal_pointer(&firehose);
	return TRUE;
}

static gboolean
ub_edl_device_open(UbDevice *device,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	UbTransport *transport = ub_device_get_transport(device);
	g_autoptr(UbProgress) progress_local = NULL;
	g_autoptr(GBytes) pending = NULL;
	gboolean firehose_running = FALSE;
	g_autofree gchar *payload = NULL;
	g_autoptr(GError) error_local = NULL;

	/* the programmer an earlier open() in this process started still runs: its
	 * session goes on (no HELLO will come, asking for one costs seconds) */
	gboolean live = self->firehose != NULL && !self->session_ended;
	g_autoptr(UbFirehose) live_firehose = live ? g_object_ref(self->firehose) : NULL;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();

	/* a fresh session */
	g_clear_object(&self->sahara);
	g_clear_object(&self->firehose);
	if (!live)
		ub_sahara_chip_info_clear(&self->chip_info);
	g_ptr_array_set_size(self->parts, 0);
	g_ptr_array_set_size(self->luns, 0);
	self->session_ended = FALSE;
	self->tables_dirty = FALSE;

	/* fail before touching the phone when the programmer cannot be read */
	if (self->programmer != NULL && !self->identify_only &&
	    !g_file_query_exists(self->programmer, cancellable)) {
		g_autofree gchar *path = g_file_get_parse_name(self->programmer);
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "programmer %s does not exist", path);
		return FALSE;
	}

	ub_progress_add_step(progress, UB_STATUS_CONNECTING, 5, "sahara-hello");
	ub_progress_add_step(progress, UB_STATUS_IDENTIFYING, 5, "chip-info");
	ub_progress_add_step(progress, UB_STATUS_WRITING, 30, "programmer");
	ub_progress_add_step(progress, UB_STATUS_CONNECTING, 10, "configure");
	ub_progress_add_step(progress, UB_STATUS_IDENTIFYING, 10, "storage");
	ub_progress_add_step(progress, UB_STATUS_READING, 40, "partition-tables");

	/* Sahara, unless a programmer already runs */
	self->sahara = ub_sahara_new(transport);
	if (self->hello_timeout_ms > 0)
		ub_sahara_set_hello_timeout(self->sahara, self->hello_timeout_ms);
	if (live) {
		self->firehose = g_steal_pointer(&live_firehose);
		firehose_running = TRUE;
	} else if (!ub_sahara_wait_hello(self->sahara,
					 &firehose_running,
					 cancellable,
					 &error_local)) {
		/* a programmer left running by an earlier session says nothing until asked */
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_NEEDS_REPLUG) ||
		    !ub_edl_device_probe_firehose(self, progress, cancellable)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		firehose_running = TRUE;
	}
	ub_progress_step_done(progress);
	if (firehose_running) {
		ub_progress_log(progress, "a Firehose programmer is already running");
		ub_progress_step_done(progress);
		ub_progress_step_done(progress);
	} else {
		if (!ub_sahara_read_chip_info(self->sahara, &self->chip_info, cancellable, error)) {
			g_prefix_error(error, "failed to read the chip identity: ");
			return FALSE;
		}
		ub_edl_device_set_chip_identity(self);
		ub_progress_step_done(progress);
		if (self->identify_only) {
			ub_progress_finished(progress);
			return TRUE;
		}
		if (self->programmer == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "this phone needs its Firehose programmer: give it with "
					    "--loader FILE");
			return FALSE;
		}
		if (!ub_sahara_upload(self->sahara,
				      self->programmer,
				      ub_progress_get_child(progress),
				      cancellable,
				      error)) {
			g_prefix_error(error, "failed to load the programmer: ");
			return FALSE;
		}
		ub_progress_step_done(progress);
	}
	pending = ub_sahara_steal_pending(self->sahara);

	/* Firehose */
	if (self->firehose == NULL)
		self->firehose = ub_firehose_new(transport);
	ub_firehose_set_timeout_limit(self->firehose, self->timeout_limit_ms);
	if (pending != NULL && g_bytes_get_size(pending) > 0)
		ub_firehose_push_pending(self->firehose, pending);
	ub_firehose_set_progress(self->firehose, progress);
	if (!ub_edl_device_configure(self, progress, cancellable, error)) {
		g_prefix_error(error, "failed to configure the programmer: ");
		return FALSE;
	}
	ub_device_set_extra(device, "memory-name", ub_firehose_get_memory_name(self->firehose));
	payload = g_strdup_printf("%u", ub_firehose_get_max_payload(self->firehose));
	ub_device_set_extra(device, "max-payload", payload);
	if (ub_firehose_get_target_name(self->firehose) != NULL)
		ub_device_set_extra(device,
				    "target-name",
				    ub_firehose_get_target_name(self->firehose));
	ub_device_set_extra(device,
			    "sha256-digest",
			    ub_firehose_supports(self->firehose, "getsha256digest") ? "yes" : "no");
	ub_progress_step_done(progress);

	if (!ub_edl_device_probe_storage(self, progress, cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);

	if (!ub_edl_device_load_tables(self, progress, cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);
	return TRUE;
}

static gboolean
ub_edl_device_identify(UbDevice *device, GCancellable *cancellable, GError **error)
{
	/* open() learnt everything Sahara and <getstorageinfo> tell */
	return TRUE;
}

static GPtrArray *
ub_edl_device_list_partitions(UbDevice *device, GCancellable *cancellable, GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(UbProgress) progress = ub_progress_new();

	if (!ub_edl_device_check_firehose(self, error))
		return NULL;
	if (!ub_edl_device_load_tables(self, progress, cancellable, error))
		return NULL;
	for (guint i = 0; i < self->parts->len; i++) {
		UbEdlPart *part = g_ptr_array_index(self->parts, i);
		guint32 ss = part->lun->sector_size;
		g_ptr_array_add(parts,
				ub_partition_new(part->name,
						 part->lun->region,
						 part->start_sector * ss,
						 part->num_sectors * ss));
	}
	return g_steal_pointer(&parts);
}

static gboolean
ub_edl_device_read(UbDevice *device,
		   const UbDeviceLocation *loc,
		   GOutputStream *stream,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	g_autofree gchar *start = NULL;
	UbEdlTarget target;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_edl_device_resolve_range(self,
					 loc,
					 "read",
					 UB_STATUS_READING,
					 progress,
					 &target,
					 cancellable,
					 error))
		return FALSE;
	if (target.count == 0)
		return TRUE;
	start = ub_edl_device_sector_string(target.first);
	if (!ub_firehose_read(self->firehose,
			      target.lun->sector_size,
			      target.lun->lun,
			      start,
			      target.count,
			      stream,
			      progress,
			      cancellable,
			      error))
		return FALSE;
	return TRUE;
}

/* a stream that repeats @pattern (4 bytes, little-endian as in a sparse FILL) */
static GInputStream *
ub_edl_device_pattern_stream(guint32 pattern, guint64 size)
{
	GInputStream *stream = g_memory_input_stream_new();
	g_autofree guint8 *buf = g_malloc(UB_EDL_PATTERN_BUF_SIZE);
	g_autoptr(GBytes) blob = NULL;

	for (gsize i = 0; i < UB_EDL_PATTERN_BUF_SIZE; i += 4)
		ub_mem_write_u32_le(buf, i, pattern);
	blob = g_bytes_new_take(g_steal_pointer(&buf), UB_EDL_PATTERN_BUF_SIZE);
	for (guint64 done = 0; done < size; done += UB_EDL_PATTERN_BUF_SIZE) {
		gsize len = (gsize)MIN(size - done, UB_EDL_PATTERN_BUF_SIZE);
		g_autoptr(GBytes) piece = g_bytes_new_from_bytes(blob, 0, len);
		g_memory_input_stream_add_bytes(G_MEMORY_INPUT_STREAM(stream), piece);
	}
	return stream;
}

/* writes @n_sectors sectors of a repeated pattern, in commands of bounded size */
static gboolean
ub_edl_device_program_pattern(UbEdlDevice *self,
			      UbEdlLun *lun,
			      guint64 first,
			      guint64 n_sectors,
			      guint32 pattern,
			      UbProgress *progress,
			      GCancellable *cancellable,
			      GError **error)
{
	guint32 ss = lun->sector_size;
	guint64 max_sectors = UB_EDL_PATTERN_PROGRAM_MAX / ss;
	guint64 done = 0;

	while (done < n_sectors) {
		guint64 count = MIN(n_sectors - done, max_sectors);
		g_autoptr(GInputStream) stream = ub_edl_device_pattern_stream(pattern, count * ss);
		g_autofree gchar *start = ub_edl_device_sector_string(first + done);
		g_autoptr(UbProgress) piece = ub_progress_new();
		if (!ub_firehose_program(self->firehose,
					 ss,
					 lun->lun,
					 start,
					 count,
					 stream,
					 count * ss,
					 piece,
					 cancellable,
					 error))
			return FALSE;
		done += count;
		ub_progress_set_bytes(progress, done * ss, n_sectors * ss);
	}
	return TRUE;
}

typedef struct {
	UbEdlDevice *self;
	const UbEdlTarget *target;
	UbProgress *progress;
	guint n_programs;
} UbEdlDeviceSparseHelper;

/* one sparse chunk: RAW as data, FILL as a pattern, at the chunk's sector */
static gboolean
ub_edl_device_write_sparse_chunk(const UbSparseHeader *hdr,
				 const UbSparseChunksItem *item,
				 GInputStream *stream,
				 gpointer user_data,
				 GCancellable *cancellable,
				 GError **error)
{
	UbEdlDeviceSparseHelper *helper = (UbEdlDeviceSparseHelper *)user_data;
	const UbEdlTarget *target = helper->target;
	guint32 ss = target->lun->sector_size;
	guint64 first = target->first + item->offset / ss;

	switch (item->kind) {
	case UB_SPARSE_CHUNK_TYPE_RAW: {
		g_autofree gchar *start = ub_edl_device_sector_string(first);
		if (item->length > 0 &&
		    !ub_firehose_program(helper->self->firehose,
					 ss,
					 target->lun->lun,
					 start,
					 item->length / ss,
					 stream,
					 item->length,
					 ub_progress_get_child(helper->progress),
					 cancellable,
					 error))
			return FALSE;
		helper->n_programs++;
		break;
	}
	case UB_SPARSE_CHUNK_TYPE_FILL:
		if (item->length > 0 &&
		    !ub_edl_device_program_pattern(helper->self,
						   target->lun,
						   first,
						   item->length / ss,
						   item->value,
						   ub_progress_get_child(helper->progress),
						   cancellable,
						   error))
			return FALSE;
		helper->n_programs++;
		break;
	default:
		/* DONT_CARE leaves the storage as it is; CRC32 is not data */
		break;
	}
	ub_progress_step_done(helper->progress);
	return TRUE;
}

/*
 * An Android sparse image: one <program> per RAW chunk and per FILL chunk (the
 * fill sent as data) at the advancing sector; DONT_CARE leaves the storage as
 * it is. The stream is positioned at the sparse header.
 */
static gboolean
ub_edl_device_write_sparse(UbEdlDevice *self,
			   const UbEdlTarget *target,
			   GInputStream *stream,
			   guint64 size,
			   UbProgress *progress,
			   GCancellable *cancellable,
			   GError **error)
{
	guint32 ss = target->lun->sector_size;
	UbSparseHeader hdr = {0};
	UbEdlDeviceSparseHelper helper = {
	    .self = self,
	    .target = target,
	    .progress = progress,
	};
	guint64 expanded = 0;
	guint64 consumed = 0;

	if (!ub_sparse_chunks_read_header(stream, &hdr, cancellable, error))
		return FALSE;
	if (hdr.blk_sz % ss != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the sparse image has %u-byte blocks, not whole %u-byte sectors of %s",
			    hdr.blk_sz,
			    ss,
			    target->lun->region);
		return FALSE;
	}
	expanded = (guint64)hdr.total_blks * hdr.blk_sz;
	if (expanded / ss > target->count) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the sparse image expands to %" G_GUINT64_FORMAT
			    " bytes, more than the %" G_GUINT64_FORMAT " bytes of %s",
			    expanded,
			    target->count * ss,
			    target->what);
		return FALSE;
	}
	ub_progress_set_steps(progress, MAX(hdr.total_chunks, 1));
	if (!ub_sparse_chunks_walk(stream,
				   &hdr,
				   ub_edl_device_write_sparse_chunk,
				   &helper,
				   &consumed,
				   cancellable,
				   error))
		return FALSE;
	if (size > 0 && consumed != size)
		g_debug("sparse image of %" G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT " used",
			size,
			consumed);
	g_debug("sparse image to %s: %u programs for %u chunks",
		target->what,
		helper.n_programs,
		hdr.total_chunks);
	ub_progress_finished(progress);
	return TRUE;
}

/* whether @stream starts with the sparse magic; @stream_out is what to read from then */
static gboolean
ub_edl_device_peek_sparse(GInputStream *stream,
			  GInputStream **stream_out,
			  gboolean *sparse,
			  GCancellable *cancellable,
			  GError **error)
{
	if (G_IS_SEEKABLE(stream) && g_seekable_can_seek(G_SEEKABLE(stream))) {
		guint8 buf[UB_SPARSE_HEADER_SIZE] = {0};
		gsize got = 0;
		goffset pos = g_seekable_tell(G_SEEKABLE(stream));
		if (!g_input_stream_read_all(stream, buf, sizeof(buf), &got, cancellable, error) ||
		    !g_seekable_seek(G_SEEKABLE(stream), pos, G_SEEK_SET, cancellable, error)) {
			ub_error_convert(error);
			return FALSE;
		}
		*sparse = ub_sparse_is_sparse(buf, got);
		*stream_out = g_object_ref(stream);
	} else {
		g_autoptr(GInputStream) buffered = NULL;
		const guint8 *buf;
		gsize avail = 0;
		if (G_IS_BUFFERED_INPUT_STREAM(stream))
			buffered = g_object_ref(stream);
		else
			buffered = g_buffered_input_stream_new(stream);
		if (g_buffered_input_stream_fill(G_BUFFERED_INPUT_STREAM(buffered),
						 UB_SPARSE_HEADER_SIZE,
						 cancellable,
						 error) < 0) {
			ub_error_convert(error);
			return FALSE;
		}
		buf = g_buffered_input_stream_peek_buffer(G_BUFFERED_INPUT_STREAM(buffered), &avail);
		*sparse = ub_sparse_is_sparse(buf, avail);
		*stream_out = g_steal_pointer(&buffered);
	}
	return TRUE;
}

static gboolean
ub_edl_device_write(UbDevice *device,
		    const UbDeviceLocation *loc,
		    GInputStream *stream,
		    guint64 size,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	g_autoptr(GInputStream) in = NULL;
	g_autofree gchar *start = NULL;
	UbEdlTarget target;
	guint32 ss;
	guint64 n_sectors;
	gboolean sparse = FALSE;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_edl_device_resolve(self, loc, progress, &target, cancellable, error))
		return FALSE;
	ub_progress_set_status(progress, UB_STATUS_WRITING);
	ub_firehose_set_progress(self->firehose, progress);
	if (!ub_edl_device_peek_sparse(stream, &in, &sparse, cancellable, error))
		return FALSE;
	ub_edl_device_target_touched(self, &target);
	if (sparse)
		return ub_edl_device_write_sparse(self,
						  &target,
						  in,
						  size,
						  progress,
						  cancellable,
						  error);

	ss = target.lun->sector_size;
	if (size == 0) {
		ub_progress_log(progress, "%s: empty image, nothing to write", target.what);
		ub_progress_finished(progress);
		return TRUE;
	}
	n_sectors = size / ss + (size % ss != 0 ? 1 : 0);
	if (n_sectors > target.count) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the image (%" G_GUINT64_FORMAT " bytes) is larger than %s (%" G_GUINT64_FORMAT
			    " bytes from offset 0x%" G_GINT64_MODIFIER "x)",
			    size,
			    target.what,
			    target.count * ss,
			    loc->offset);
		return FALSE;
	}
	start = ub_edl_device_sector_string(target.first);
	return ub_firehose_program(self->firehose,
				   ss,
				   target.lun->lun,
				   start,
				   n_sectors,
				   in,
				   size,
				   progress,
				   cancellable,
				   error);
}

static gboolean
ub_edl_device_erase(UbDevice *device,
		    const UbDeviceLocation *loc,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	g_autofree gchar *start = NULL;
	UbEdlTarget target;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_edl_device_resolve_range(self,
					 loc,
					 "erase",
					 UB_STATUS_ERASING,
					 progress,
					 &target,
					 cancellable,
					 error))
		return FALSE;
	if (target.count == 0)
		return TRUE;
	ub_edl_device_target_touched(self, &target);
	if (!ub_firehose_supports(self->firehose, "erase")) {
		/* as edl does: zeros through <program> */
		ub_progress_log(progress,
				"the programmer has no erase: writing zeros to %s",
				target.what);
		if (!ub_edl_device_program_pattern(self,
						   target.lun,
						   target.first,
						   target.count,
						   0,
						   progress,
						   cancellable,
						   error))
			return FALSE;
		ub_progress_finished(progress);
		return TRUE;
	}
	start = ub_edl_device_sector_string(target.first);
	if (!ub_firehose_erase(self->firehose,
			       target.lun->sector_size,
			       target.lun->lun,
			       start,
			       target.count,
			       cancellable,
			       error))
		return FALSE;
	ub_progress_finished(progress);
	return TRUE;
}

/**
 * ub_edl_device_can_digest:
 * @self: a #UbEdlDevice
 *
 * Returns: %TRUE if the running programmer computes SHA-256 digests of storage
 * (<getsha256digest>), so a verify need not read the data back
 */
gboolean
ub_edl_device_can_digest(UbEdlDevice *self)
{
	g_return_val_if_fail(UB_IS_EDL_DEVICE(self), FALSE);
	return self->firehose != NULL && !self->session_ended &&
	       ub_firehose_supports(self->firehose, "getsha256digest");
}

/**
 * ub_edl_device_get_sha256:
 * @self: a #UbEdlDevice
 * @loc: what to digest (whole sectors; length 0 for the rest of the partition)
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Asks the programmer for the SHA-256 of @loc, computed on the phone.
 *
 * Returns: (transfer full): 64 lower-case hex digits, or %NULL
 */
gchar *
ub_edl_device_get_sha256(UbEdlDevice *self,
			 const UbDeviceLocation *loc,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autofree gchar *start = NULL;
	g_autofree gchar *hex = NULL;
	UbEdlTarget target;

	g_return_val_if_fail(UB_IS_EDL_DEVICE(self), NULL);
	g_return_val_if_fail(loc != NULL, NULL);
	if (!ub_edl_device_resolve(self, loc, progress, &target, cancellable, error))
		return NULL;
	if (!ub_firehose_supports(self->firehose, "getsha256digest")) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "the programmer has no getsha256digest: read the data back to "
				    "verify it");
		return NULL;
	}
	start = ub_edl_device_sector_string(target.first);
	if (!ub_firehose_get_sha256(self->firehose,
				    target.lun->sector_size,
				    target.lun->lun,
				    start,
				    target.count,
				    &hex,
				    cancellable,
				    error))
		return NULL;
	return g_ascii_strdown(hex, -1);
}

/* a decimal or 0x-prefixed hexadecimal number */
static gboolean
ub_edl_device_parse_number(const gchar *str, guint64 *value)
{
	if (g_str_has_prefix(str, "0x") || g_str_has_prefix(str, "0X"))
		return g_ascii_string_to_unsigned(str + 2, 16, 0, G_MAXUINT64, value, NULL);
	return g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT64, value, NULL);
}

/* "sha256:NAME" or "sha256:REGION:OFFSET:LENGTH" (bytes, decimal or 0x) */
static gchar *
ub_edl_device_get_var_sha256(UbEdlDevice *self,
			     const gchar *what,
			     GCancellable *cancellable,
			     GError **error)
{
	g_auto(GStrv) parts = g_strsplit(what, ":", -1);
	UbDeviceLocation loc = {0};

	if (g_strv_length(parts) == 1) {
		loc.partition = parts[0];
	} else if (g_strv_length(parts) == 3) {
		loc.region = parts[0];
		if (!ub_edl_device_parse_number(parts[1], &loc.offset) ||
		    !ub_edl_device_parse_number(parts[2], &loc.length)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid range '%s': use sha256:REGION:OFFSET:LENGTH",
				    what);
			return NULL;
		}
	} else {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid digest request '%s': use sha256:PARTITION or "
			    "sha256:REGION:OFFSET:LENGTH",
			    what);
		return NULL;
	}
	return ub_edl_device_get_sha256(self, &loc, cancellable, error);
}

/* "TAG attr=\"v\" ..." (also "<TAG .../>") -> tag and attributes */
static gboolean
ub_edl_device_split_command(const gchar *command, gchar **tag, gchar **attrs, GError **error)
{
	g_autofree gchar *text = g_strstrip(g_strdup(command));
	gchar *space;

	if (g_str_has_prefix(text, "<")) {
		gsize len = strlen(text);
		if (len < 3 || !g_str_has_suffix(text, "/>")) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid Firehose command '%s': use TAG attr=\"value\" ...",
				    command);
			return FALSE;
		}
		text[len - 2] = '\0';
		memmove(text, text + 1, len - 2);
		g_strstrip(text);
	}
	if (text[0] == '\0') {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "empty Firehose command");
		return FALSE;
	}
	space = strpbrk(text, " \t\r\n");
	if (space != NULL) {
		*space = '\0';
		*attrs = g_strstrip(g_strdup(space + 1));
	} else {
		*attrs = NULL;
	}
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-') {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid Firehose command '%s': '%s' is not a tag name",
				    command,
				    text);
			g_clear_pointer(attrs, g_free);
			return FALSE;
		}
	}
	*tag = g_ascii_strdown(text, -1);
	return TRUE;
}

static gchar *
ub_edl_device_element_to_string(const UbFirehoseElement *element)
{
	g_autoptr(GString) str = g_string_new(NULL);
	if (element == NULL)
		return g_strdup("");
	for (guint i = 0; element->names != NULL && element->names[i] != NULL; i++) {
		if (str->len > 0)
			g_string_append_c(str, ' ');
		g_string_append_printf(str,
				       "%s=\"%s\"",
				       element->names[i],
				       element->values != NULL && element->values[i] != NULL
					   ? element->values[i]
					   : "");
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static gboolean
ub_edl_device_command(UbDevice *device,
		      const gchar *command,
		      gchar **reply,
		      UbProgress *progress,
		      GCancellable *cancellable,
		      GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	g_autoptr(UbFirehoseElement) response = NULL;
	g_autofree gchar *tag = NULL;
	g_autofree gchar *attrs = NULL;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_edl_device_check_firehose(self, error))
		return FALSE;
	if (!ub_edl_device_split_command(command, &tag, &attrs, error))
		return FALSE;
	ub_firehose_set_progress(self->firehose, progress);

	/* patches go to the programmer untouched: it evaluates NUM_DISK_SECTORS and CRC32() */
	if (g_strcmp0(tag, "patch") == 0) {
		if (attrs == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "a patch needs its attributes");
			return FALSE;
		}
		self->tables_dirty = TRUE;
		if (!ub_firehose_patch(self->firehose, attrs, cancellable, error))
			return FALSE;
		if (reply != NULL)
			*reply = g_strdup("");
		return TRUE;
	}
	if (g_strcmp0(tag, "program") == 0 || g_strcmp0(tag, "read") == 0 ||
	    g_strcmp0(tag, "configure") == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "<%s> moves raw data or changes the session: use the write, read or "
			    "connect operations instead",
			    tag);
		return FALSE;
	}
	if (g_strcmp0(tag, "erase") == 0)
		self->tables_dirty = TRUE;
	if (!ub_firehose_command(self->firehose, tag, attrs, &response, cancellable, error))
		return FALSE;
	if (g_strcmp0(tag, "power") == 0 && attrs != NULL && strstr(attrs, "reset") != NULL)
		self->session_ended = TRUE;
	else if (g_strcmp0(tag, "power") == 0 && attrs != NULL && strstr(attrs, "off") != NULL)
		self->session_ended = TRUE;
	if (reply != NULL)
		*reply = ub_edl_device_element_to_string(response);
	return TRUE;
}

/* one 4-byte (or smaller) little-endian <patch> on the device */
static void
ub_edl_device_add_patch(GPtrArray *patches,
			const UbEdlLun *lun,
			guint64 sector,
			guint64 byte_offset,
			guint size,
			const gchar *value,
			const gchar *what)
{
	guint32 ss = lun->sector_size;
	sector += byte_offset / ss;
	byte_offset %= ss;
	g_ptr_array_add(patches,
			g_strdup_printf("SECTOR_SIZE_IN_BYTES=\"%u\" byte_offset=\"%" G_GUINT64_FORMAT
					"\" filename=\"DISK\" physical_partition_number=\"%u\" "
					"size_in_bytes=\"%u\" start_sector=\"%" G_GUINT64_FORMAT
					"\" value=\"%s\" what=\"%s\"",
					ss,
					byte_offset,
					lun->lun,
					size,
					sector,
					value,
					what));
}

/*
 * The patches that turn @old_array (the entry array at @entries_lba) into
 * @new_array, 4 bytes at a time, then fix the header CRCs at @header_lba the way
 * ptool's patch files do: zero the header CRC, set the array CRC, set the
 * header CRC; the programmer computes both CRC32() values.
 */
static void
ub_edl_device_add_table_patches(GPtrArray *patches,
				const UbEdlLun *lun,
				const guint8 *old_array,
				const guint8 *new_array,
				gsize array_size,
				guint64 entries_lba,
				guint64 header_lba,
				guint32 header_size,
				const gchar *copy)
{
	g_autofree gchar *what_entry = g_strdup_printf("A/B attributes (%s GPT)", copy);
	g_autofree gchar *what_hdr = g_strdup_printf("Zero out header CRC (%s GPT)", copy);
	g_autofree gchar *what_array = g_strdup_printf("Update partition array CRC (%s GPT)", copy);
	g_autofree gchar *what_crc = g_strdup_printf("Update header CRC (%s GPT)", copy);
	g_autofree gchar *array_crc = NULL;
	g_autofree gchar *header_crc = NULL;

	for (gsize off = 0; off + 4 <= array_size; off += 4) {
		guint32 word;
		g_autofree gchar *value = NULL;
		if (memcmp(old_array + off, new_array + off, 4) == 0)
			continue;
		word = ub_mem_read_u32_le(new_array, off);
		value = g_strdup_printf("%u", word);
		ub_edl_device_add_patch(patches,
					lun,
					entries_lba,
					off,
					4,
					value,
					what_entry);
	}
	array_crc = g_strdup_printf("CRC32(%" G_GUINT64_FORMAT ",%" G_GSIZE_FORMAT ")",
				    entries_lba,
				    array_size);
	header_crc = g_strdup_printf("CRC32(%" G_GUINT64_FORMAT ",%u)", header_lba, header_size);
	ub_edl_device_add_patch(patches, lun, header_lba, 16, 4, "0", what_hdr);
	ub_edl_device_add_patch(patches, lun, header_lba, 88, 4, array_crc, what_array);
	ub_edl_device_add_patch(patches, lun, header_lba, 16, 4, header_crc, what_crc);
}

/* the backup GPT of @lun: the sectors after the last usable one */
static UbGpt *
ub_edl_device_read_backup(UbEdlDevice *self,
			  UbEdlLun *lun,
			  GBytes **area_out,
			  guint64 *area_lba,
			  GCancellable *cancellable,
			  GError **error)
{
	guint64 first = ub_gpt_get_last_usable_lba(lun->gpt) + 1;
	g_autoptr(GBytes) area = NULL;
	UbGpt *gpt;

	if (first >= lun->total_blocks ||
	    lun->total_blocks - first > UB_EDL_GPT_AREA_MAX / lun->sector_size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the GPT of %s puts its last usable sector at %" G_GUINT64_FORMAT
			    " of %" G_GUINT64_FORMAT,
			    lun->region,
			    first - 1,
			    lun->total_blocks);
		return NULL;
	}
	area = ub_edl_device_read_sectors(self, lun, first, lun->total_blocks - first, cancellable, error);
	if (area == NULL)
		return NULL;
	gpt = ub_gpt_parse_backup(g_bytes_get_data(area, NULL),
				  g_bytes_get_size(area),
				  lun->sector_size,
				  error);
	if (gpt == NULL) {
		g_prefix_error(error, "backup GPT of %s: ", lun->region);
		return NULL;
	}
	if (area_out != NULL)
		*area_out = g_steal_pointer(&area);
	if (area_lba != NULL)
		*area_lba = first;
	return gpt;
}

/* for arrays that hold %NULL for LUNs without a table */
static void
ub_edl_device_unref_nullable(gpointer object)
{
	if (object != NULL)
		g_object_unref(object);
}

/* sends every patch; @patches are attribute strings */
static gboolean
ub_edl_device_send_patches(UbEdlDevice *self,
			   GPtrArray *patches,
			   GCancellable *cancellable,
			   GError **error)
{
	for (guint i = 0; i < patches->len; i++) {
		const gchar *attrs = g_ptr_array_index(patches, i);
		g_debug("patch %s", attrs);
		if (!ub_firehose_patch(self->firehose, attrs, cancellable, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
ub_edl_device_set_active(UbDevice *device,
			 const gchar *slot,
			 GCancellable *cancellable,
			 GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func(ub_edl_device_unref_nullable);
	g_autoptr(GPtrArray) patches = g_ptr_array_new_with_free_func(g_free);
	guint n_pairs = 0;
	UbEdlLun *xbl_lun = NULL;
	UbEdlLun *xbl_other_lun = NULL;

	slot = ub_gpt_slot_parse(slot, error);
	if (slot == NULL)
		return FALSE;
	if (!ub_edl_device_check_firehose(self, error))
		return FALSE;
	if (!ub_edl_device_load_tables(self, progress, cancellable, error))
		return FALSE;

	/* an editable copy of every table */
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		g_autoptr(GError) error_local = NULL;
		UbGpt *copy = NULL;
		if (lun->gpt != NULL) {
			copy = ub_gpt_parse(g_bytes_get_data(lun->gpt_area, NULL),
					    g_bytes_get_size(lun->gpt_area),
					    lun->sector_size,
					    error);
			if (copy == NULL)
				return FALSE;
			/* pairs inside one table, as the boot_control HAL does */
			if (ub_gpt_set_active_slot(copy, slot, &error_local)) {
				n_pairs++;
			} else if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_FOUND)) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				g_object_unref(copy);
				return FALSE;
			}
		}
		g_ptr_array_add(copies, copy);
	}

	/* pairs split over two LUNs (UFS: xbl_a on LUN 1, xbl_b on LUN 2) */
	for (guint i = 0; i < copies->len; i++) {
		UbGpt *copy = g_ptr_array_index(copies, i);
		GPtrArray *entries;
		if (copy == NULL)
			continue;
		entries = ub_gpt_get_entries(copy);
		for (guint j = 0; j < entries->len; j++) {
			UbGptEntry *entry_a = g_ptr_array_index(entries, j);
			g_autofree gchar *name_b = ub_gpt_slot_b_name(entry_a->name);
			if (name_b == NULL || ub_gpt_find_entry(copy, name_b) != NULL)
				continue;
			for (guint k = 0; k < copies->len; k++) {
				UbGpt *copy_b = g_ptr_array_index(copies, k);
				UbGptEntry *entry_b;
				if (k == i || copy_b == NULL)
					continue;
				entry_b = ub_gpt_find_entry_mutable(copy_b, name_b);
				if (entry_b == NULL)
					continue;
				if (g_strcmp0(slot, "a") == 0)
					ub_gpt_entry_activate_ab_pair(entry_a, entry_b);
				else
					ub_gpt_entry_activate_ab_pair(entry_b, entry_a);
				n_pairs++;
				if (g_strcmp0(entry_a->name, "xbl_a") == 0) {
					UbEdlLun *lun_a = g_ptr_array_index(self->luns, i);
					UbEdlLun *lun_b = g_ptr_array_index(self->luns, k);
					xbl_lun = g_strcmp0(slot, "a") == 0 ? lun_a : lun_b;
					xbl_other_lun = g_strcmp0(slot, "a") == 0 ? lun_b : lun_a;
				}
				break;
			}
		}
	}
	if (n_pairs == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "no _a/_b partition pairs in any GPT: cannot make slot %s active (the "
			    "other is %s)",
			    slot,
			    g_strcmp0(slot, "a") == 0 ? "b" : "a");
		return FALSE;
	}

	/* the changed words of each table, in both copies, then the CRCs */
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		UbGpt *copy = g_ptr_array_index(copies, i);
		g_autoptr(GBytes) written = NULL;
		g_autoptr(GBytes) backup_area = NULL;
		g_autoptr(UbGpt) backup = NULL;
		const guint8 *old_area;
		const guint8 *new_area;
		gsize old_size;
		gsize new_size;
		gsize array_size;
		guint64 entries_lba;
		guint64 backup_area_lba = 0;

		if (copy == NULL)
			continue;
		written = ub_gpt_write(copy, error);
		if (written == NULL)
			return FALSE;
		old_area = g_bytes_get_data(lun->gpt_area, &old_size);
		new_area = g_bytes_get_data(written, &new_size);
		entries_lba = ub_gpt_get_entries_lba(lun->gpt);
		array_size = (gsize)ub_gpt_get_num_entries(lun->gpt) * ub_gpt_get_entry_size(lun->gpt);
		if (entries_lba * lun->sector_size + array_size > MIN(old_size, new_size)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INTERNAL,
				    "the entry array of %s is outside the table read",
				    lun->region);
			return FALSE;
		}
		old_area += entries_lba * lun->sector_size;
		new_area += entries_lba * lun->sector_size;
		if (memcmp(old_area, new_area, array_size) == 0)
			continue;
		ub_edl_device_add_table_patches(patches,
						lun,
						old_area,
						new_area,
						array_size,
						entries_lba,
						ub_gpt_get_my_lba(lun->gpt),
						ub_gpt_get_header_size(lun->gpt),
						"primary");

		backup = ub_edl_device_read_backup(self,
						   lun,
						   &backup_area,
						   &backup_area_lba,
						   cancellable,
						   error);
		if (backup == NULL) {
			g_prefix_error(error, "refusing to change only one copy of the GPT: ");
			return FALSE;
		}
		{
			guint64 b_entries = ub_gpt_get_entries_lba(backup);
			gsize b_size = 0;
			const guint8 *b_area = g_bytes_get_data(backup_area, &b_size);
			guint64 b_off = 0;
			if (b_entries < backup_area_lba ||
			    ub_gpt_get_num_entries(backup) != ub_gpt_get_num_entries(lun->gpt) ||
			    ub_gpt_get_entry_size(backup) != ub_gpt_get_entry_size(lun->gpt)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "the backup GPT of %s does not match the primary one",
					    lun->region);
				return FALSE;
			}
			b_off = (b_entries - backup_area_lba) * lun->sector_size;
			if (b_off + array_size > b_size) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "the backup entry array of %s is outside the LUN",
					    lun->region);
				return FALSE;
			}
			ub_edl_device_add_table_patches(patches,
							lun,
							b_area + b_off,
							new_area,
							array_size,
							b_entries,
							ub_gpt_get_my_lba(backup),
							ub_gpt_get_header_size(backup),
							"backup");
		}
	}

	ub_firehose_set_progress(self->firehose, progress);
	self->tables_dirty = TRUE;
	if (!ub_edl_device_send_patches(self, patches, cancellable, error)) {
		g_prefix_error(error, "failed to rewrite the slot attributes: ");
		return FALSE;
	}

	/* UFS boots from a LUN, not from a GPT attribute */
	if (xbl_lun != NULL && xbl_other_lun != NULL) {
		if (!ub_firehose_set_bootable(self->firehose, xbl_lun->lun, cancellable, error)) {
			g_prefix_error(error, "failed to make %s bootable: ", xbl_lun->region);
			return FALSE;
		}
	}

	/* read back: the phone must now boot the slot asked for, from valid tables */
	if (!ub_edl_device_load_tables(self, progress, cancellable, error))
		return FALSE;
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		g_autoptr(UbGpt) backup = NULL;
		if (g_ptr_array_index(copies, i) == NULL)
			continue;
		if (lun->gpt == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_PROTOCOL,
				    "the GPT of %s is invalid after the slot change",
				    lun->region);
			return FALSE;
		}
		backup = ub_edl_device_read_backup(self, lun, NULL, NULL, cancellable, error);
		if (backup == NULL)
			return FALSE;
		if (!ub_gpt_check_pair(lun->gpt, backup, lun->total_blocks, error)) {
			g_prefix_error(error, "GPT of %s after the slot change: ", lun->region);
			return FALSE;
		}
	}
	if (ub_edl_device_find_entry(self, "boot_a", NULL) != NULL &&
	    g_strcmp0(ub_edl_device_current_slot(self), slot) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "the phone still reports slot %s after the change",
			    ub_edl_device_current_slot(self) != NULL ? ub_edl_device_current_slot(self)
								     : "(none)");
		return FALSE;
	}
	return TRUE;
}

static gchar *
ub_edl_device_get_var(UbDevice *device, const gchar *name, GCancellable *cancellable, GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_autoptr(UbProgress) progress = ub_progress_new();

	if (g_strcmp0(name, "memory-name") == 0 || g_strcmp0(name, "max-payload") == 0) {
		if (!ub_edl_device_check_firehose(self, error))
			return NULL;
		if (g_strcmp0(name, "memory-name") == 0)
			return g_strdup(ub_firehose_get_memory_name(self->firehose));
		return g_strdup_printf("%u", ub_firehose_get_max_payload(self->firehose));
	}
	if (g_str_has_prefix(name, "sha256:")) {
		if (!ub_edl_device_check_firehose(self, error))
			return NULL;
		return ub_edl_device_get_var_sha256(self, name + 7, cancellable, error);
	}
	if (g_strcmp0(name, "current-slot") == 0 || g_strcmp0(name, "slot-count") == 0 ||
	    g_str_has_prefix(name, "partition-size:")) {
		if (!ub_edl_device_check_firehose(self, error))
			return NULL;
		if (!ub_edl_device_ensure_tables(self, progress, cancellable, error))
			return NULL;
	}
	if (g_strcmp0(name, "current-slot") == 0) {
		const gchar *slot = ub_edl_device_current_slot(self);
		if (slot == NULL) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_NOT_FOUND,
					    ub_edl_device_find_entry(self, "boot_a", NULL) == NULL
						? "the phone has no boot_a/boot_b partitions"
						: "neither boot_a nor boot_b is marked active");
			return NULL;
		}
		return g_strdup(slot);
	}
	if (g_strcmp0(name, "slot-count") == 0) {
		gboolean has_slots = ub_edl_device_find_entry(self, "boot_a", NULL) != NULL &&
				     ub_edl_device_find_entry(self, "boot_b", NULL) != NULL;
		return g_strdup(has_slots ? "2" : "0");
	}
	if (g_str_has_prefix(name, "partition-size:")) {
		UbEdlPart *part = ub_edl_device_find_part(self, name + 15);
		if (part == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "no partition named '%s'",
				    name + 15);
			return NULL;
		}
		return g_strdup_printf("0x%" G_GINT64_MODIFIER "x",
				       part->num_sectors * part->lun->sector_size);
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_SUPPORTED,
		    "an EDL phone has no variable '%s'",
		    name);
	return NULL;
}

static gboolean
ub_edl_device_reboot(UbDevice *device, UbRebootMode mode, GCancellable *cancellable, GError **error)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	const gchar *value;

	switch (mode) {
	case UB_REBOOT_MODE_SYSTEM:
		value = "reset";
		break;
	case UB_REBOOT_MODE_EDL:
		value = "reset_to_edl";
		break;
	case UB_REBOOT_MODE_POWER_OFF:
		value = "off";
		break;
	case UB_REBOOT_MODE_BOOTLOADER:
	case UB_REBOOT_MODE_FASTBOOTD:
	case UB_REBOOT_MODE_RECOVERY:
	case UB_REBOOT_MODE_LAST:
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "a phone in EDL can only restart normally, into EDL or power off; "
			    "to reach %s, restart it and hold the key combination",
			    ub_reboot_mode_to_string(mode));
		return FALSE;
	}
	if (!ub_edl_device_check_firehose(self, error))
		return FALSE;
	if (!ub_firehose_power(self->firehose, value, 1, cancellable, error))
		return FALSE;
	self->session_ended = TRUE;
	return TRUE;
}

static void
ub_edl_device_close(UbDevice *device)
{
	UbEdlDevice *self = UB_EDL_DEVICE(device);
	g_clear_object(&self->firehose);
	g_clear_object(&self->sahara);
}

/* flat build read-back */

/* a partition name as a file name: letters, digits, '_', '-' and '.' only */
static gchar *
ub_edl_device_image_name(GHashTable *used, const gchar *name, guint lun)
{
	g_autoptr(GString) base = g_string_new(NULL);
	gchar *filename;

	for (const gchar *p = name; *p != '\0'; p++)
		g_string_append_c(base,
				  g_ascii_isalnum(*p) || *p == '_' || *p == '-' || *p == '.' ? *p : '_');
	if (base->len == 0 || base->str[0] == '.')
		g_string_prepend(base, "part");
	filename = g_strdup_printf("%s.img", base->str);
	if (g_hash_table_contains(used, filename)) {
		g_free(filename);
		filename = g_strdup_printf("%s_lun%u.img", base->str, lun);
		for (guint i = 2; g_hash_table_contains(used, filename); i++) {
			g_free(filename);
			filename = g_strdup_printf("%s_lun%u_%u.img", base->str, lun, i);
		}
	}
	g_hash_table_add(used, g_strdup(filename));
	return filename;
}

typedef struct {
	gchar *filename;
	gchar *label;
	guint64 start_sector;
	gchar *start_expr; /* (nullable): the backup GPT's NUM_DISK_SECTORS-N. */
	guint64 num_sectors;
} UbEdlDumpItem;

static void
ub_edl_dump_item_free(UbEdlDumpItem *item)
{
	g_free(item->filename);
	g_free(item->label);
	g_free(item->start_expr);
	g_free(item);
}

static void
ub_edl_device_rawprogram_append(GString *xml, const UbEdlLun *lun, const UbEdlDumpItem *item)
{
	guint32 ss = lun->sector_size;
	g_autofree gchar *filename = g_markup_escape_text(item->filename, -1);
	g_autofree gchar *label = g_markup_escape_text(item->label, -1);
	g_autofree gchar *start_byte = NULL;
	gchar size_kb[G_ASCII_DTOSTR_BUF_SIZE];

	g_ascii_formatd(size_kb, sizeof(size_kb), "%.1f", (gdouble)item->num_sectors * ss / 1024.0);
	if (item->start_expr != NULL)
		start_byte = g_strdup_printf("(%u*NUM_DISK_SECTORS)-%" G_GUINT64_FORMAT ".",
					     ss,
					     item->num_sectors * ss);
	else
		start_byte = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", item->start_sector * ss);
	g_string_append_printf(xml,
			       "  <program SECTOR_SIZE_IN_BYTES=\"%u\" file_sector_offset=\"0\" "
			       "filename=\"%s\" label=\"%s\" num_partition_sectors=\"%" G_GUINT64_FORMAT
			       "\" partofsingleimage=\"false\" physical_partition_number=\"%u\" "
			       "readbackverify=\"false\" size_in_KB=\"%s\" sparse=\"false\" "
			       "start_byte_hex=\"%s\" start_sector=\"",
			       ss,
			       filename,
			       label,
			       item->num_sectors,
			       lun->lun,
			       size_kb,
			       start_byte);
	if (item->start_expr != NULL)
		g_string_append(xml, item->start_expr);
	else
		g_string_append_printf(xml, "%" G_GUINT64_FORMAT, item->start_sector);
	g_string_append(xml, "\"/>\n");
}

static gboolean
ub_edl_device_dump_item(UbEdlDevice *self,
			GFile *dir,
			const UbEdlLun *lun,
			const UbEdlDumpItem *item,
			UbProgress *progress,
			GCancellable *cancellable,
			GError **error)
{
	g_autoptr(GFile) file = g_file_get_child(dir, item->filename);
	g_autoptr(GFileOutputStream) out = NULL;
	g_autofree gchar *start = ub_edl_device_sector_string(item->start_sector);

	out = g_file_replace(file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable, error);
	if (out == NULL) {
		ub_error_convert(error);
		return FALSE;
	}
	if (!ub_firehose_read(self->firehose,
			      lun->sector_size,
			      lun->lun,
			      start,
			      item->num_sectors,
			      G_OUTPUT_STREAM(out),
			      progress,
			      cancellable,
			      error)) {
		g_prefix_error(error, "failed to read %s: ", item->label);
		return FALSE;
	}
	if (!g_output_stream_close(G_OUTPUT_STREAM(out), cancellable, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_edl_device_write_text(GFile *dir,
			 const gchar *name,
			 const gchar *text,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(GFile) file = g_file_get_child(dir, name);
	if (!g_file_replace_contents(file,
				     text,
				     strlen(text),
				     NULL,
				     FALSE,
				     G_FILE_CREATE_REPLACE_DESTINATION,
				     NULL,
				     cancellable,
				     error)) {
		ub_error_convert(error);
		return FALSE;
	}
	return TRUE;
}

gboolean
ub_edl_device_read_flat_build(UbEdlDevice *self,
			      const gchar *dir,
			      UbProgress *progress,
			      GCancellable *cancellable,
			      GError **error)
{
	g_autoptr(GFile) folder = NULL;
	g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	g_autoptr(UbProgress) progress_local = NULL;
	guint n_luns = 0;

	g_return_val_if_fail(UB_IS_EDL_DEVICE(self), FALSE);
	g_return_val_if_fail(dir != NULL, FALSE);

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_edl_device_check_firehose(self, error))
		return FALSE;
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "failed to create %s: %s",
			    dir,
			    g_strerror(errno));
		return FALSE;
	}
	folder = g_file_new_for_path(dir);
	ub_firehose_set_progress(self->firehose, progress);
	if (!ub_edl_device_load_tables(self, progress, cancellable, error))
		return FALSE;

	/* what to read, LUN by LUN: partitions, then the two tables as ptool lists them */
	for (guint i = 0; i < self->luns->len; i++) {
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		g_autoptr(GPtrArray) items =
		    g_ptr_array_new_with_free_func((GDestroyNotify)ub_edl_dump_item_free);
		GPtrArray *entries;
		UbEdlDumpItem *item;
		guint64 first_usable;
		guint64 last_usable;

		if (lun->gpt == NULL) {
			g_ptr_array_add(plans, g_steal_pointer(&items));
			continue;
		}
		first_usable = ub_gpt_get_first_usable_lba(lun->gpt);
		last_usable = ub_gpt_get_last_usable_lba(lun->gpt);
		if (first_usable == 0 || last_usable + 1 >= lun->total_blocks ||
		    first_usable > last_usable) {
			ub_progress_log(progress,
					"%s: the GPT's usable range is odd, skipping this LUN",
					lun->region);
			g_ptr_array_add(plans, g_steal_pointer(&items));
			continue;
		}
		entries = ub_gpt_get_entries(lun->gpt);
		for (guint j = 0; j < entries->len; j++) {
			UbGptEntry *entry = g_ptr_array_index(entries, j);
			if (entry->last_lba < entry->first_lba)
				continue;
			item = g_new0(UbEdlDumpItem, 1);
			item->label = g_strdup(entry->name);
			item->filename = ub_edl_device_image_name(used, entry->name, lun->lun);
			item->start_sector = entry->first_lba;
			item->num_sectors = entry->last_lba - entry->first_lba + 1;
			g_ptr_array_add(items, item);
		}
		item = g_new0(UbEdlDumpItem, 1);
		item->label = g_strdup("PrimaryGPT");
		item->filename = g_strdup_printf("gpt_main%u.bin", lun->lun);
		item->start_sector = 0;
		item->num_sectors = first_usable;
		g_ptr_array_add(items, item);
		item = g_new0(UbEdlDumpItem, 1);
		item->label = g_strdup("BackupGPT");
		item->filename = g_strdup_printf("gpt_backup%u.bin", lun->lun);
		item->start_sector = last_usable + 1;
		item->num_sectors = lun->total_blocks - last_usable - 1;
		item->start_expr = g_strdup_printf("NUM_DISK_SECTORS-%" G_GUINT64_FORMAT ".",
						   item->num_sectors);
		g_ptr_array_add(items, item);
		g_ptr_array_add(plans, g_steal_pointer(&items));
		n_luns++;
	}
	if (n_luns == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "no LUN of this phone has a valid GPT: nothing to read back");
		return FALSE;
	}

	/* one step per image, weighted by size */
	for (guint i = 0; i < plans->len; i++) {
		GPtrArray *items = g_ptr_array_index(plans, i);
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		for (guint j = 0; j < items->len; j++) {
			UbEdlDumpItem *item = g_ptr_array_index(items, j);
			guint64 mib = item->num_sectors * lun->sector_size / (1024 * 1024);
			ub_progress_add_step(progress,
					     UB_STATUS_READING,
					     (guint)MIN(mib + 1, G_MAXUINT / 1024),
					     item->label);
		}
		if (items->len > 0)
			ub_progress_add_step(progress, UB_STATUS_READING, 1, "rawprogram");
	}

	for (guint i = 0; i < plans->len; i++) {
		GPtrArray *items = g_ptr_array_index(plans, i);
		UbEdlLun *lun = g_ptr_array_index(self->luns, i);
		g_autoptr(GString) xml = g_string_new("<?xml version=\"1.0\" ?>\n<data>\n");
		g_autofree gchar *xml_name = NULL;
		g_autofree gchar *patch_name = NULL;

		if (items->len == 0)
			continue;
		g_string_append_printf(xml,
				       "  <!--NOTE: read back from the phone by Unbrick; %s, "
				       "%u-byte sectors-->\n",
				       lun->region,
				       lun->sector_size);
		for (guint j = 0; j < items->len; j++) {
			UbEdlDumpItem *item = g_ptr_array_index(items, j);
			ub_progress_log(progress,
					"reading %s (%" G_GUINT64_FORMAT " sectors of %s) to %s",
					item->label,
					item->num_sectors,
					lun->region,
					item->filename);
			if (!ub_edl_device_dump_item(self,
						     folder,
						     lun,
						     item,
						     ub_progress_get_child(progress),
						     cancellable,
						     error))
				return FALSE;
			ub_edl_device_rawprogram_append(xml, lun, item);
			ub_progress_step_done(progress);
		}
		g_string_append(xml, "</data>\n");
		xml_name = g_strdup_printf("rawprogram%u.xml", lun->lun);
		patch_name = g_strdup_printf("patch%u.xml", lun->lun);
		if (!ub_edl_device_write_text(folder, xml_name, xml->str, cancellable, error))
			return FALSE;
		if (!ub_edl_device_write_text(folder,
					      patch_name,
					      "<?xml version=\"1.0\" ?>\n<patches>\n"
					      "  <!--the tables were read back whole: nothing to "
					      "patch-->\n</patches>\n",
					      cancellable,
					      error))
			return FALSE;
		ub_progress_step_done(progress);
	}
	return TRUE;
}

static void
ub_edl_device_finalize(GObject *object)
{
	UbEdlDevice *self = UB_EDL_DEVICE(object);
	g_clear_object(&self->programmer);
	g_free(self->memory_name);
	ub_sahara_chip_info_clear(&self->chip_info);
	g_clear_object(&self->sahara);
	g_clear_object(&self->firehose);
	g_ptr_array_unref(self->parts);
	g_ptr_array_unref(self->luns);
	G_OBJECT_CLASS(ub_edl_device_parent_class)->finalize(object);
}

static void
ub_edl_device_init(UbEdlDevice *self)
{
	self->payload = UB_EDL_PAYLOAD_DEFAULT;
	self->luns = g_ptr_array_new_with_free_func((GDestroyNotify)ub_edl_lun_free);
	self->parts = g_ptr_array_new_with_free_func((GDestroyNotify)ub_edl_part_free);
}

static void
ub_edl_device_class_init(UbEdlDeviceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	UbDeviceClass *device_class = UB_DEVICE_CLASS(klass);
	object_class->finalize = ub_edl_device_finalize;
	device_class->open = ub_edl_device_open;
	device_class->identify = ub_edl_device_identify;
	device_class->list_partitions = ub_edl_device_list_partitions;
	device_class->read = ub_edl_device_read;
	device_class->write = ub_edl_device_write;
	device_class->erase = ub_edl_device_erase;
	device_class->reboot = ub_edl_device_reboot;
	device_class->close = ub_edl_device_close;
	device_class->get_var = ub_edl_device_get_var;
	device_class->set_active = ub_edl_device_set_active;
	device_class->command = ub_edl_device_command;
}
