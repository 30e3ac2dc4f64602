/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "UbMtk"

#include <string.h>

#include "formats/ub-gpt.h"
#include "ub-mtk-legacy.h"
#include "formats/ub-sparse-chunks.h"
#include "formats/ub-sparse-image.h"
#include "mtk/ub-mtk-da-file.h"
#include "ub-error.h"
#include "ub-mem.h"
#include "ub-mtk-device.h"

/* how long the phone may take to come back as 0e8d:2001 after SWITCH_USB_SPEED */
#define UB_MTK_DEVICE_RECONNECT_TIMEOUT_MS 15000
/* the first bytes of the user area: a GPT of 512-byte (34 sectors) or 4 KiB (6) sectors */
#define UB_MTK_DEVICE_GPT_HEAD (6 * 4096)
/* a primary GPT area larger than this is not believed */
#define UB_MTK_DEVICE_GPT_AREA_MAX (8 * 1024 * 1024)
/* a preloader image larger than this is not one */
#define UB_MTK_DEVICE_PRELOADER_MAX (16 * 1024 * 1024)
/* generated data (sparse fills) is written in WRITE_DATA commands of at most this */
#define UB_MTK_DEVICE_PATTERN_WRITE_MAX (64 * 1024 * 1024)
#define UB_MTK_DEVICE_PATTERN_BUF_SIZE (1024 * 1024)
/* bytes looked at before a write: the sparse header is the longest magic */
#define UB_MTK_DEVICE_PEEK UB_SPARSE_HEADER_SIZE

/* one region of the storage the DA reported */
typedef struct {
	gchar *name;
	guint32 section;
	guint64 size;
	guint32 sector_size;
} UbMtkRegion;

struct _UbMtkDevice {
	UbDevice parent_instance;
	GFile *da_file;
	GFile *preloader;
	GFile *auth_file;
	GFile *cert_file;
	gboolean identify_only;
	guint timeout_limit_ms;
	UbMtkBromInfo brom_info;
	UbMtkBrom *brom;
	UbMtkXflash *xflash;
	UbMtkLegacy *legacy; /* (nullable): the legacy DA of an MBR/EBR (PMT) era phone */
	GPtrArray *pmt;	     /* (nullable) (element-type UbPartition): its PMT */
	UbMtkXflashStorageInfo storage;
	GPtrArray *regions; /* of UbMtkRegion */
	UbGpt *gpt;	    /* (nullable): the GPT of the user area */
	gboolean pmt_era;   /* the user area starts with an MBR (MBR/EBR + PMT layout) */
	gboolean tables_dirty;
	gboolean session_ended;
};

G_DEFINE_TYPE(UbMtkDevice, ub_mtk_device, UB_TYPE_DEVICE)

/* where an operation acts: a byte range of one region */
typedef struct {
	const UbMtkRegion *region;
	const gchar *what;	 /* partition or region name, for messages */
	guint64 first;		 /* byte offset in the region */
	guint64 available;	 /* bytes from @first to the end of the partition or region */
	guint64 count;		 /* bytes acted on: the length, or @available without one */
	gboolean is_region;	 /* addressed by region: may touch a partition table */
	gboolean is_boot_area;	 /* "preloader", or the first boot region at offset 0 */
} UbMtkTarget;

static void
ub_mtk_region_free(UbMtkRegion *region)
{
	g_free(region->name);
	g_free(region);
}

/**
 * ub_mtk_device_new:
 * @transport: an open transport to a phone in BootROM, preloader or DA mode
 * @mode: %UB_DEVICE_MODE_MTK_BROM, %UB_DEVICE_MODE_MTK_PRELOADER or
 *   %UB_DEVICE_MODE_MTK_DA (a DA already running: no handshake)
 *
 * Returns: (transfer full): a new MediaTek engine, not yet opened
 */
UbDevice *
ub_mtk_device_new(UbTransport *transport, UbDeviceMode mode)
{
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), NULL);
	return g_object_new(UB_TYPE_MTK_DEVICE, "transport", transport, "mode", mode, NULL);
}

void
ub_mtk_device_set_da_file(UbMtkDevice *self, GFile *da_file)
{
	g_return_if_fail(UB_IS_MTK_DEVICE(self));
	g_set_object(&self->da_file, da_file);
}

void
ub_mtk_device_set_preloader(UbMtkDevice *self, GFile *preloader)
{
	g_return_if_fail(UB_IS_MTK_DEVICE(self));
	g_set_object(&self->preloader, preloader);
}

void
ub_mtk_device_set_auth_file(UbMtkDevice *self, GFile *auth)
{
	g_return_if_fail(UB_IS_MTK_DEVICE(self));
	g_set_object(&self->auth_file, auth);
}

void
ub_mtk_device_set_cert_file(UbMtkDevice *self, GFile *cert)
{
	g_return_if_fail(UB_IS_MTK_DEVICE(self));
	g_set_object(&self->cert_file, cert);
}

void
ub_mtk_device_set_identify_only(UbMtkDevice *self, gboolean identify_only)
{
	g_return_if_fail(UB_IS_MTK_DEVICE(self));
	self->identify_only = identify_only;
}

/**
 * ub_mtk_device_set_timeout_limit:
 * @self: a #UbMtkDevice
 * @limit_ms: the longest any DA wait may take, 0 for the protocol's own timeouts
 */
void
ub_mtk_device_set_timeout_limit(UbMtkDevice *self, guint limit_ms)
{
	g_return_if_fail(UB_IS_MTK_DEVICE(self));
	self->timeout_limit_ms = limit_ms;
	if (self->brom != NULL)
		ub_mtk_brom_set_timeout_limit(self->brom, limit_ms);
	if (self->xflash != NULL)
		ub_mtk_xflash_set_timeout_limit(self->xflash, limit_ms);
	if (self->legacy != NULL)
		ub_mtk_legacy_set_timeout_limit(self->legacy, limit_ms);
}

const UbMtkBromInfo *
ub_mtk_device_get_brom_info(UbMtkDevice *self)
{
	g_return_val_if_fail(UB_IS_MTK_DEVICE(self), NULL);
	return &self->brom_info;
}

/* the preloader's EMI settings */

static gssize
ub_mtk_preloader_find(const guint8 *buf, gsize bufsz, const guint8 *needle, gsize needlesz)
{
	if (bufsz < needlesz)
		return -1;
	for (gsize i = 0; i + needlesz <= bufsz; i++) {
		if (buf[i] == needle[0] && memcmp(buf + i, needle, needlesz) == 0)
			return (gssize)i;
	}
	return -1;
}

/**
 * ub_mtk_preloader_get_emi:
 * @buf: a preloader image (or an EMI block cut from one)
 * @bufsz: its size
 * @error: (nullable): return location for a #GError
 *
 * The DRAM (EMI) settings the DA needs when it was started from BootROM.
 * A signed preloader has a GFH file header ("MMM" 0x01, header size 0x38)
 * giving the file length at 0x20 and the signature length at 0x2C; the EMI
 * block sits just before the last u32 of the unsigned part, which says how
 * long it is (when that u32 is 0, 0x800 bytes of padding come first). The
 * block starts with "MTK_BLOADER_INFO_v" and two version digits. An image
 * without that layout is searched for the tag, and the settings run from
 * the tag to the end.
 *
 * Returns: (transfer full): the EMI settings, or %NULL
 */
GBytes *
ub_mtk_preloader_get_emi(const guint8 *buf, gsize bufsz, GError **error)
{
	static const guint8 gfh[] = {'M', 'M', 'M', 0x01, 0x38, 0x00, 0x00, 0x00};
	static const guint8 tag[] = "MTK_BLOADER_INFO_v";
	const gsize tagsz = sizeof(tag) - 1;
	const guint8 *block = buf;
	gsize blocksz = bufsz;
	gssize idx;

	if (buf == NULL || bufsz == 0) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "the preloader is empty");
		return NULL;
	}
	idx = ub_mtk_preloader_find(buf, bufsz, gfh, sizeof(gfh));
	if (idx >= 0 && (gsize)idx + 0x30 <= bufsz) {
		const guint8 *file = buf + idx;
		gsize filesz = bufsz - (gsize)idx;
		guint32 mlen = ub_mem_read_u32_le(file, 0x20);
		guint32 siglen = ub_mem_read_u32_le(file, 0x2C);
		gsize part;

		if (siglen <= mlen && mlen - siglen <= filesz && mlen - siglen >= 4) {
			guint32 dramsz;
			part = mlen - siglen;
			dramsz = ub_mem_read_u32_le(file, part - 4);
			if (dramsz == 0 && part >= 0x800 + 4) {
				part -= 0x800;
				dramsz = ub_mem_read_u32_le(file, part - 4);
			}
			if (dramsz > 0 && (gsize)dramsz <= part - 4) {
				block = file + part - 4 - dramsz;
				blocksz = dramsz;
			}
		}
	}
	idx = ub_mtk_preloader_find(block, blocksz, tag, tagsz);
	if (idx < 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no DRAM (EMI) settings (MTK_BLOADER_INFO) in the preloader: is it "
				    "the preloader of this phone's firmware?");
		return NULL;
	}
	if ((gsize)idx + tagsz + 2 > blocksz || !g_ascii_isdigit(block[idx + tagsz]) ||
	    !g_ascii_isdigit(block[idx + tagsz + 1])) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the preloader's DRAM (EMI) settings have no version");
		return NULL;
	}
	return g_bytes_new(block + idx, blocksz - (gsize)idx);
}

/* session state */

static gboolean
ub_mtk_device_check_da(UbMtkDevice *self, GError **error)
{
	if (self->session_ended) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NEEDS_REPLUG,
				    "the Download Agent's session ended with a shutdown: connect the "
				    "phone again");
		return FALSE;
	}
	if (self->xflash == NULL && self->legacy == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "no Download Agent is running: connect with the DA file (--da "
				    "MTK_AllInOne_DA.bin) first");
		return FALSE;
	}
	return TRUE;
}

static const UbMtkRegion *
ub_mtk_device_find_region(UbMtkDevice *self, const gchar *name)
{
	for (guint i = 0; i < self->regions->len; i++) {
		UbMtkRegion *region = g_ptr_array_index(self->regions, i);
		if (g_strcmp0(region->name, name) == 0)
			return region;
	}
	return NULL;
}

static const UbMtkRegion *
ub_mtk_device_user_region(UbMtkDevice *self)
{
	return ub_mtk_device_find_region(self,
					 self->storage.storage == UB_MTK_STORAGE_UFS ? "lun2" : "user");
}

/* the boot regions the preloader goes to: boot1 + boot2, or lun0 + lun1 */
static const gchar *
ub_mtk_device_boot_region_name(UbMtkDevice *self, guint idx)
{
	if (self->storage.storage == UB_MTK_STORAGE_UFS)
		return idx == 0 ? "lun0" : "lun1";
	return idx == 0 ? "boot1" : "boot2";
}

static gchar *
ub_mtk_device_region_names(UbMtkDevice *self)
{
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < self->regions->len; i++) {
		UbMtkRegion *region = g_ptr_array_index(self->regions, i);
		if (str->len > 0)
			g_string_append(str, ", ");
		g_string_append(str, region->name);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/* the legacy DA's partition number of a region */
static guint8
ub_mtk_device_legacy_part(const UbMtkRegion *region)
{
	if (g_strcmp0(region->name, "boot1") == 0)
		return UB_MTK_LEGACY_PART_BOOT1;
	if (g_strcmp0(region->name, "boot2") == 0)
		return UB_MTK_LEGACY_PART_BOOT2;
	return UB_MTK_LEGACY_PART_USER;
}

/* the running DA, legacy or XFlash: read, write, format a range of a region */
static gboolean
ub_mtk_device_da_read(UbMtkDevice *self,
		      const UbMtkRegion *region,
		      guint64 offset,
		      guint64 length,
		      GOutputStream *stream,
		      UbProgress *progress,
		      GCancellable *cancellable,
		      GError **error)
{
	if (self->legacy != NULL)
		return ub_mtk_legacy_read(self->legacy,
					  ub_mtk_device_legacy_part(region),
					  offset,
					  length,
					  stream,
					  progress,
					  cancellable,
					  error);
	return ub_mtk_xflash_read(self->xflash,
				  self->storage.storage,
				  region->section,
				  offset,
				  length,
				  stream,
				  progress,
				  cancellable,
				  error);
}

static gboolean
ub_mtk_device_da_write(UbMtkDevice *self,
		       const UbMtkRegion *region,
		       guint64 offset,
		       GInputStream *stream,
		       guint64 length,
		       UbProgress *progress,
		       GCancellable *cancellable,
		       GError **error)
{
	if (self->legacy != NULL)
		return ub_mtk_legacy_write(self->legacy,
					   ub_mtk_device_legacy_part(region),
					   offset,
					   stream,
					   length,
					   progress,
					   cancellable,
					   error);
	return ub_mtk_xflash_write(self->xflash,
				   self->storage.storage,
				   region->section,
				   offset,
				   stream,
				   length,
				   progress,
				   cancellable,
				   error);
}

static gboolean
ub_mtk_device_da_format(UbMtkDevice *self,
			const UbMtkRegion *region,
			guint64 offset,
			guint64 length,
			UbProgress *progress,
			GCancellable *cancellable,
			GError **error)
{
	if (self->legacy != NULL)
		return ub_mtk_legacy_format(self->legacy,
					    ub_mtk_device_legacy_part(region),
					    offset,
					    length,
					    progress,
					    cancellable,
					    error);
	return ub_mtk_xflash_format(self->xflash,
				    self->storage.storage,
				    region->section,
				    offset,
				    length,
				    progress,
				    cancellable,
				    error);
}

static gboolean
ub_mtk_device_read_bytes(UbMtkDevice *self,
			 const UbMtkRegion *region,
			 guint64 offset,
			 guint64 length,
			 GBytes **blob,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	if (!ub_mtk_device_da_read(self, region, offset, length, out, NULL, cancellable, error))
		return FALSE;
	if (!g_output_stream_close(out, cancellable, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	*blob = g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
	if (g_bytes_get_size(*blob) != length) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "asked for 0x%" G_GINT64_MODIFIER "x bytes of %s, got 0x%" G_GSIZE_MODIFIER
			    "x",
			    length,
			    region->name,
			    g_bytes_get_size(*blob));
		g_clear_pointer(blob, g_bytes_unref);
		return FALSE;
	}
	return TRUE;
}

/* an MBR that is not a GPT's protective one: 0x55AA, a used entry, no 0xEE */
static gboolean
ub_mtk_device_head_is_mbr(const guint8 *buf, gsize bufsz)
{
	gboolean used = FALSE;
	if (bufsz < 512 || buf[510] != 0x55 || buf[511] != 0xAA)
		return FALSE;
	for (guint i = 0; i < 4; i++) {
		const guint8 *entry = buf + 446 + i * 16;
		if (entry[4] == 0xEE)
			return FALSE;
		if (entry[4] != 0x00)
			used = TRUE;
	}
	return used;
}

/* a legacy DA session: the PMT is the table; none is not an error */
static gboolean
ub_mtk_device_load_pmt(UbMtkDevice *self,
		       UbProgress *progress,
		       GCancellable *cancellable,
		       GError **error)
{
	g_autoptr(GPtrArray) pmt = ub_mtk_legacy_read_pmt(self->legacy, cancellable, error);
	if (pmt == NULL) {
		g_prefix_error(error, "failed to read the partition table (PMT): ");
		return FALSE;
	}
	g_clear_pointer(&self->pmt, g_ptr_array_unref);
	self->pmt = g_steal_pointer(&pmt);
	self->pmt_era = TRUE;
	self->tables_dirty = FALSE;
	if (self->pmt->len == 0)
		ub_progress_log(progress, "the phone has no PMT, so no partitions there");
	else
		ub_progress_log(progress, "PMT: %u partitions", self->pmt->len);
	return TRUE;
}

/* the GPT of the user area (512-byte or 4 KiB sectors); none is not an error */
static gboolean
ub_mtk_device_load_gpt(UbMtkDevice *self,
		       UbProgress *progress,
		       GCancellable *cancellable,
		       GError **error)
{
	if (self->legacy != NULL)
		return ub_mtk_device_load_pmt(self, progress, cancellable, error);

	const UbMtkRegion *user = ub_mtk_device_user_region(self);
	g_autoptr(GBytes) head = NULL;
	g_autoptr(GBytes) area = NULL;
	g_autoptr(GError) error_local = NULL;
	const guint8 *buf;
	gsize bufsz = 0;
	guint32 ss = 0;
	const guint32 sizes[] = {512, 4096};
	guint64 first_usable;
	guint64 entries_lba;
	guint64 array_bytes;
	guint64 n_sectors;

	g_clear_object(&self->gpt);
	self->tables_dirty = FALSE;
	self->pmt_era = FALSE;
	if (user == NULL || user->size < UB_MTK_DEVICE_GPT_HEAD * 2) {
		ub_progress_log(progress, "the user area is too small for a partition table");
		return TRUE;
	}
	if (!ub_mtk_device_read_bytes(self, user, 0, UB_MTK_DEVICE_GPT_HEAD, &head, cancellable, error)) {
		g_prefix_error(error, "failed to read the partition table: ");
		return FALSE;
	}
	buf = g_bytes_get_data(head, &bufsz);
	for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
		if (memcmp(buf + sizes[i], "EFI PART", 8) == 0) {
			ss = sizes[i];
			break;
		}
	}
	if (ss == 0 && ub_mtk_device_head_is_mbr(buf, bufsz)) {
		self->pmt_era = TRUE;
		ub_progress_log(progress,
				"%s starts with an MBR, not a GPT: a layout of the MBR/EBR (PMT) era",
				user->name);
		return TRUE;
	}
	if (ss == 0) {
		ub_progress_log(progress, "%s: no GPT, so no partitions there", user->name);
		return TRUE;
	}
	first_usable = ub_mem_read_u64_le(buf, ss + 40);
	entries_lba = ub_mem_read_u64_le(buf, ss + 72);
	array_bytes = (guint64)ub_mem_read_u32_le(buf, ss + 80) * ub_mem_read_u32_le(buf, ss + 84);
	n_sectors = MAX(first_usable, entries_lba + (array_bytes + ss - 1) / ss);
	if (entries_lba < 2 || n_sectors < 3 || n_sectors > UB_MTK_DEVICE_GPT_AREA_MAX / ss ||
	    n_sectors * ss >= user->size) {
		ub_progress_log(progress,
				"%s: the GPT header is not believable, so no partitions there",
				user->name);
		return TRUE;
	}
	if (n_sectors * ss <= bufsz) {
		area = g_bytes_new_from_bytes(head, 0, n_sectors * ss);
	} else if (!ub_mtk_device_read_bytes(self, user, 0, n_sectors * ss, &area, cancellable, error)) {
		g_prefix_error(error, "failed to read the partition table: ");
		return FALSE;
	}
	self->gpt = ub_gpt_parse(g_bytes_get_data(area, NULL), g_bytes_get_size(area), ss, &error_local);
	if (self->gpt == NULL) {
		ub_progress_log(progress,
				"%s: invalid GPT (%s), so no partitions there",
				user->name,
				error_local->message);
		return TRUE;
	}
	return TRUE;
}

static gboolean
ub_mtk_device_ensure_gpt(UbMtkDevice *self,
			 UbProgress *progress,
			 GCancellable *cancellable,
			 GError **error)
{
	if (!self->tables_dirty)
		return TRUE;
	return ub_mtk_device_load_gpt(self, progress, cancellable, error);
}

/* a PMT entry by name; the PMT keeps the scatter's upper-case names */
static UbPartition *
ub_mtk_device_pmt_find(UbMtkDevice *self, const gchar *name)
{
	for (guint i = 0; self->pmt != NULL && i < self->pmt->len; i++) {
		UbPartition *part = g_ptr_array_index(self->pmt, i);
		if (g_ascii_strcasecmp(ub_partition_get_name(part), name) == 0)
			return part;
	}
	return NULL;
}

/* resolves @loc to a byte range of one region, checking alignment and bounds */
static gboolean
ub_mtk_device_resolve(UbMtkDevice *self,
		      const UbDeviceLocation *loc,
		      UbProgress *progress,
		      UbMtkTarget *target,
		      GCancellable *cancellable,
		      GError **error)
{
	guint64 base = 0;
	guint64 size = 0;
	const UbGptEntry *entry = NULL;
	UbPartition *pmt_part = NULL;

	if (!ub_mtk_device_check_da(self, error))
		return FALSE;
	memset(target, 0, sizeof(*target));
	if (loc->partition != NULL) {
		if (!ub_mtk_device_ensure_gpt(self, progress, cancellable, error))
			return FALSE;
		if (self->gpt != NULL)
			entry = ub_gpt_find_entry(self->gpt, loc->partition);
		/* the preloader lives in the boot area whatever the PMT says */
		if (self->legacy != NULL && g_ascii_strcasecmp(loc->partition, "preloader") != 0)
			pmt_part = ub_mtk_device_pmt_find(self, loc->partition);
		if (pmt_part != NULL) {
			target->region = ub_mtk_device_user_region(self);
			target->what = ub_partition_get_name(pmt_part);
			base = ub_partition_get_offset(pmt_part);
			size = ub_partition_get_size(pmt_part);
		} else if (entry != NULL) {
			guint32 ss = ub_gpt_get_sector_size(self->gpt);
			target->region = ub_mtk_device_user_region(self);
			target->what = entry->name;
			base = entry->first_lba * ss;
			size = entry->last_lba >= entry->first_lba
				   ? (entry->last_lba - entry->first_lba + 1) * ss
				   : 0;
		} else if (g_ascii_strcasecmp(loc->partition, "preloader") == 0) {
			/* not in the GPT: the boot area */
			target->region =
			    ub_mtk_device_find_region(self, ub_mtk_device_boot_region_name(self, 0));
			if (target->region == NULL) {
				g_set_error_literal(error,
						    UB_ERROR,
						    UB_ERROR_NOT_FOUND,
						    "this phone reports no boot area for the preloader");
				return FALSE;
			}
			target->what = "preloader";
			target->is_boot_area = loc->offset == 0;
			size = target->region->size;
		} else {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "no partition named '%s' in the %s of the user area",
				    loc->partition,
				    self->legacy != NULL ? "PMT" : "GPT");
			return FALSE;
		}
	} else if (loc->region != NULL) {
		target->region = ub_mtk_device_find_region(self, loc->region);
		if (target->region == NULL) {
			g_autofree gchar *names = ub_mtk_device_region_names(self);
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "no region named '%s': this phone has %s",
				    loc->region,
				    names);
			return FALSE;
		}
		target->what = target->region->name;
		target->is_region = TRUE;
		target->is_boot_area =
		    loc->offset == 0 &&
		    g_strcmp0(target->region->name, ub_mtk_device_boot_region_name(self, 0)) == 0;
		size = target->region->size;
	} else {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "give a partition name or a region");
		return FALSE;
	}

	/* XFlash moves whole 512-byte blocks: checked here, before anything is sent */
	if (loc->offset % 512 != 0 || loc->length % 512 != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "offset 0x%" G_GINT64_MODIFIER "x and length 0x%" G_GINT64_MODIFIER
			    "x must be multiples of 512 bytes",
			    loc->offset,
			    loc->length);
		return FALSE;
	}
	if (loc->offset > size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "offset 0x%" G_GINT64_MODIFIER "x is past the end of %s (0x%" G_GINT64_MODIFIER
			    "x bytes)",
			    loc->offset,
			    target->what,
			    size);
		return FALSE;
	}
	target->first = base + loc->offset;
	target->available = size - loc->offset;
	if (loc->length > target->available) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "0x%" G_GINT64_MODIFIER "x bytes at 0x%" G_GINT64_MODIFIER
			    "x run past the end of %s (0x%" G_GINT64_MODIFIER "x bytes)",
			    loc->length,
			    loc->offset,
			    target->what,
			    size);
		return FALSE;
	}
	target->count = loc->length > 0 ? loc->length : target->available;
	return TRUE;
}

/* identity */

static void
ub_mtk_device_set_brom_identity(UbMtkDevice *self)
{
	UbDevice *device = UB_DEVICE(self);
	UbMtkBromInfo *info = &self->brom_info;
	const UbMtkChip *chip = ub_mtk_chip_lookup(info->hw_code);
	g_autofree gchar *hw_code = g_strdup_printf("0x%04x", info->hw_code);
	g_autofree gchar *hw_sub = g_strdup_printf("0x%04x", info->hw_sub_code);
	g_autofree gchar *hw_ver = g_strdup_printf("0x%04x", info->hw_version);
	g_autofree gchar *sw_ver = g_strdup_printf("0x%04x", info->sw_version);
	g_autofree gchar *config = ub_mtk_target_config_to_string(info->target_config);
	g_autofree gchar *config_hex = g_strdup_printf("0x%08x", info->target_config);
	g_autofree gchar *bl = NULL;

	if (chip != NULL) {
		ub_device_set_chip(device, chip->name);
		if (chip->platform != NULL)
			ub_device_set_extra(device, "platform", chip->platform);
	} else {
		g_autofree gchar *name =
		    g_strdup_printf("unknown MediaTek chip (hw code 0x%04x)", info->hw_code);
		ub_device_set_chip(device, name);
	}
	ub_device_set_extra(device, "hw-code", hw_code);
	ub_device_set_extra(device, "hw-sub-code", hw_sub);
	ub_device_set_extra(device, "hw-version", hw_ver);
	ub_device_set_extra(device, "sw-version", sw_ver);
	ub_device_set_extra(device, "target-config", config);
	ub_device_set_extra(device, "target-config-bits", config_hex);
	ub_device_set_extra(device,
			    "secure-boot",
			    (info->target_config & UB_MTK_TARGET_CONFIG_SBC) != 0 ? "yes" : "no");
	ub_device_set_extra(device,
			    "sla",
			    (info->target_config & UB_MTK_TARGET_CONFIG_SLA) != 0 ? "yes" : "no");
	ub_device_set_extra(device,
			    "daa",
			    (info->target_config & UB_MTK_TARGET_CONFIG_DAA) != 0 ? "yes" : "no");
	ub_device_set_extra(device, "connected-to", info->is_preloader ? "preloader" : "brom");
	bl = info->is_preloader ? g_strdup_printf("%u", info->bl_version) : g_strdup("none (BootROM)");
	ub_device_set_extra(device, "bl-version", bl);
	if (info->me_id != NULL)
		ub_device_set_extra(device, "me-id", info->me_id);
	if (info->soc_id != NULL)
		ub_device_set_extra(device, "soc-id", info->soc_id);
	if (info->me_id != NULL)
		ub_device_set_serial(device, info->me_id);
	else if (info->soc_id != NULL)
		ub_device_set_serial(device, info->soc_id);
}

static GBytes *
ub_mtk_device_load_file(GFile *file, const gchar *what, GCancellable *cancellable, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	if (!g_file_load_contents(file, cancellable, &contents, &len, NULL, error)) {
		g_autofree gchar *path = g_file_get_parse_name(file);
		ub_error_convert(error);
		g_prefix_error(error, "failed to read the %s %s: ", what, path);
		return NULL;
	}
	return g_bytes_new_take(g_steal_pointer(&contents), len);
}

static gboolean
ub_mtk_device_check_file(GFile *file, const gchar *what, GCancellable *cancellable, GError **error)
{
	g_autofree gchar *path = NULL;
	if (file == NULL || g_file_query_exists(file, cancellable))
		return TRUE;
	path = g_file_get_parse_name(file);
	g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "the %s %s does not exist", what, path);
	return FALSE;
}

/* a stream over @length bytes of @file from @offset */
static GInputStream *
ub_mtk_device_open_region(GFile *file, guint32 offset, GCancellable *cancellable, GError **error)
{
	g_autoptr(GFileInputStream) stream = g_file_read(file, cancellable, error);
	if (stream == NULL) {
		ub_error_convert(error);
		return NULL;
	}
	if (!g_seekable_seek(G_SEEKABLE(stream), offset, G_SEEK_SET, cancellable, error)) {
		ub_error_convert(error);
		return NULL;
	}
	return G_INPUT_STREAM(g_steal_pointer(&stream));
}

/* BROM/preloader: handshake, identity, watchdog, auth, DA1 */
static gboolean
ub_mtk_device_start_da(UbMtkDevice *self,
		       UbProgress *progress,
		       UbMtkDaRegion *da2_out,
		       GCancellable *cancellable,
		       GError **error)
{
	UbDevice *device = UB_DEVICE(self);
	g_autoptr(UbMtkDaFile) da_file = NULL;
	g_autoptr(GInputStream) da1_stream = NULL;
	const UbMtkChip *chip;
	const UbMtkDaEntry *entry;
	const UbMtkDaRegion *da1;
	const UbMtkDaRegion *da2;
	guint16 da_code;
	g_autoptr(GError) error_local = NULL;

	/* a short preloader window: the handshake comes first */
	self->brom = ub_mtk_brom_new(ub_device_get_transport(device));
	ub_mtk_brom_set_timeout_limit(self->brom, self->timeout_limit_ms);
	if (!ub_mtk_brom_handshake(self->brom, cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);
	if (!ub_mtk_brom_identify(self->brom, &self->brom_info, cancellable, error)) {
		g_prefix_error(error, "failed to identify the phone: ");
		return FALSE;
	}
	ub_mtk_device_set_brom_identity(self);
	ub_device_set_mode(device,
			   self->brom_info.is_preloader ? UB_DEVICE_MODE_MTK_PRELOADER
							: UB_DEVICE_MODE_MTK_BROM);
	ub_progress_log(progress,
			"%s in %s mode, %s",
			ub_device_get_chip(device),
			self->brom_info.is_preloader ? "preloader" : "BootROM",
			(const gchar *)g_hash_table_lookup(ub_device_get_extra(device),
							   "target-config"));
	ub_progress_step_done(progress);
	if (self->identify_only)
		return TRUE;

	/* refusals that need no DA: before anything is written */
	chip = ub_mtk_chip_lookup(self->brom_info.hw_code);
	if ((self->brom_info.target_config & UB_MTK_TARGET_CONFIG_SLA) != 0 && self->auth_file == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_AUTH_REQUIRED,
				    "this phone requires serial link authentication (SLA): it only "
				    "accepts a Download Agent after its manufacturer's authentication "
				    "file; give it with --auth FILE");
		return FALSE;
	}
	if (self->da_file == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "this phone (%s) needs its Download Agent: --da MTK_AllInOne_DA.bin",
			    ub_device_get_chip(device));
		return FALSE;
	}
	da_file = ub_mtk_da_file_load(self->da_file, cancellable, error);
	if (da_file == NULL) {
		g_prefix_error(error, "failed to load the DA file: ");
		return FALSE;
	}
	if (ub_mtk_da_file_is_v6(da_file) && ub_mtk_chip_is_pmt_era(chip)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "this phone (%s) is of the MBR/EBR (PMT) era (MT6589, MT6572 ...) and the "
			    "DA file is %s, an XML (V6) one: %s",
			    chip->name,
			    ub_mtk_da_file_get_id(da_file),
			    UB_MTK_PMT_ERA_ADVICE);
		return FALSE;
	}
	if (ub_mtk_da_file_is_v6(da_file)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the DA file is %s, which speaks the XML (V6) protocol; this tool "
			    "speaks XFlash (V5): use an XFlash DA file for this chip",
			    ub_mtk_da_file_get_id(da_file));
		return FALSE;
	}
	chip = ub_mtk_chip_lookup(self->brom_info.hw_code);
	da_code = chip != NULL ? chip->da_code : self->brom_info.hw_code;
	entry = ub_mtk_da_file_find_entry(da_file,
					  da_code,
					  self->brom_info.hw_version,
					  self->brom_info.sw_version,
					  &error_local);
	if (entry == NULL && ub_mtk_chip_is_pmt_era(chip)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "this phone (%s) is of the MBR/EBR (PMT) era (MT6589, MT6572 ...) and "
			    "the DA file has no legacy entry for it (%s): %s",
			    chip->name,
			    error_local->message,
			    UB_MTK_PMT_ERA_ADVICE);
		return FALSE;
	}
	if (entry == NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	da1 = ub_mtk_da_entry_get_da1(entry);
	da2 = ub_mtk_da_entry_get_da2(entry);
	if (da1 == NULL || da2 == NULL || da2->length <= da2->sig_len) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the DA file's entry for 0x%04x has no DA1 and DA2",
			    da_code);
		return FALSE;
	}

	/* BootROM: the watchdog would reset the phone during a long download */
	if (!self->brom_info.is_preloader) {
		if (chip != NULL && chip->watchdog_addr != 0) {
			if (!ub_mtk_brom_disable_watchdog(self->brom, chip, cancellable, error))
				return FALSE;
		} else {
			ub_progress_log(progress, "no watchdog address known for this chip: left on");
		}
	}
	if (self->auth_file != NULL) {
		g_autoptr(GBytes) auth =
		    ub_mtk_device_load_file(self->auth_file, "authentication file", cancellable, error);
		if (auth == NULL)
			return FALSE;
		if (!ub_mtk_brom_send_auth(self->brom, auth, cancellable, error))
			return FALSE;
		ub_progress_log(progress, "authentication file accepted");
	}
	if (self->cert_file != NULL) {
		g_autoptr(GBytes) cert =
		    ub_mtk_device_load_file(self->cert_file, "certificate", cancellable, error);
		if (cert == NULL)
			return FALSE;
		if (!ub_mtk_brom_send_cert(self->brom, cert, cancellable, error))
			return FALSE;
		ub_progress_log(progress, "certificate accepted");
	}

	da1_stream = ub_mtk_device_open_region(self->da_file, da1->offset, cancellable, error);
	if (da1_stream == NULL)
		return FALSE;
	ub_progress_log(progress,
			"sending DA1 (%u bytes) to 0x%08x",
			da1->length,
			da1->load_addr);
	if (!ub_mtk_brom_send_da(self->brom,
				 da1->load_addr,
				 da1_stream,
				 da1->length,
				 da1->sig_len,
				 ub_progress_get_child(progress),
				 cancellable,
				 error))
		return FALSE;
	if (!ub_mtk_brom_jump_da(self->brom, da1->load_addr, cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);
	/* the entry belongs to the DA file, freed here: the region by value */
	*da2_out = *da2;
	return TRUE;
}

static void
ub_mtk_device_add_region(UbMtkDevice *self, const gchar *name, guint64 size)
{
	UbMtkRegion *region;
	guint32 section = 0;
	g_autoptr(GError) error_local = NULL;

	if (size == 0)
		return;
	if (!ub_mtk_section_for_region(self->storage.storage, name, &section, &error_local)) {
		g_warning("%s", error_local->message);
		return;
	}
	region = g_new0(UbMtkRegion, 1);
	region->name = g_strdup(name);
	region->section = section;
	region->size = size;
	region->sector_size = self->storage.block_size;
	g_ptr_array_add(self->regions, region);
	ub_device_add_region(UB_DEVICE(self), name, size, region->sector_size);
}

/* storage info -> regions; packet lengths; DA identity */
static gboolean
ub_mtk_device_probe_storage(UbMtkDevice *self,
			    UbProgress *progress,
			    GCancellable *cancellable,
			    GError **error)
{
	UbDevice *device = UB_DEVICE(self);
	UbMtkXflashStorageInfo *info = &self->storage;
	guint32 wlen = 0;
	guint32 rlen = 0;
	guint64 total = 0;
	g_autofree gchar *wlen_str = NULL;
	g_autofree gchar *rlen_str = NULL;
	g_autofree gchar *version = NULL;
	g_autoptr(GError) error_local = NULL;

	ub_mtk_xflash_storage_info_clear(info);
	if (!ub_mtk_xflash_get_storage_info(self->xflash, info, cancellable, error)) {
		g_prefix_error(error, "failed to read the storage information: ");
		return FALSE;
	}
	ub_device_clear_regions(device);
	g_ptr_array_set_size(self->regions, 0);
	if (info->storage == UB_MTK_STORAGE_UFS) {
		ub_mtk_device_add_region(self, "lun0", info->lu0_size);
		ub_mtk_device_add_region(self, "lun1", info->lu1_size);
		ub_mtk_device_add_region(self, "lun2", info->lu2_size);
		total = info->lu0_size + info->lu1_size + info->lu2_size;
		ub_device_set_storage_type(device, "ufs");
	} else {
		ub_mtk_device_add_region(self, "boot1", info->boot1_size);
		ub_mtk_device_add_region(self, "boot2", info->boot2_size);
		ub_mtk_device_add_region(self, "rpmb", info->rpmb_size);
		ub_mtk_device_add_region(self, "user", info->user_size);
		total = info->boot1_size + info->boot2_size + info->rpmb_size + info->user_size;
		ub_device_set_storage_type(device, "emmc");
	}
	ub_device_set_storage_size(device, total);
	ub_device_set_sector_size(device, info->block_size);
	if (info->cid != NULL)
		ub_device_set_extra(device, "storage-cid", info->cid);

	if (!ub_mtk_xflash_negotiate_packet_length(self->xflash, &wlen, &rlen, cancellable, error)) {
		g_prefix_error(error, "failed to read the packet lengths: ");
		return FALSE;
	}
	wlen_str = g_strdup_printf("%u", wlen);
	rlen_str = g_strdup_printf("%u", rlen);
	ub_device_set_extra(device, "write-packet-length", wlen_str);
	ub_device_set_extra(device, "read-packet-length", rlen_str);

	/* nice to have: a DA that does not answer is still usable */
	version = ub_mtk_xflash_get_da_version(self->xflash, cancellable, &error_local);
	if (version != NULL) {
		ub_device_set_extra(device, "da-version", version);
	} else if (g_error_matches(error_local, UB_ERROR, UB_ERROR_REFUSED)) {
		g_debug("ignoring: %s", error_local->message);
	} else {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (ub_mtk_xflash_get_connection_agent(self->xflash) != NULL)
		ub_device_set_extra(device,
				    "da-connection-agent",
				    ub_mtk_xflash_get_connection_agent(self->xflash));
	ub_progress_log(progress,
			"%s storage, %" G_GUINT64_FORMAT " MiB; packets of %u (write) and %u "
			"(read) bytes",
			ub_device_get_storage_type(device),
			total / (1024 * 1024),
			wlen,
			rlen);
	return TRUE;
}

/*
 * The legacy DA of an MBR/EBR (PMT) era phone (mtk.md a.5): DA1 is running;
 * sync, config, DA2, then the eMMC report -> regions boot1, boot2, user.
 */
static gboolean
ub_mtk_device_start_legacy(UbMtkDevice *self,
			   GBytes *emi,
			   const UbMtkDaRegion *da2,
			   UbProgress *progress,
			   GCancellable *cancellable,
			   GError **error)
{
	UbDevice *device = UB_DEVICE(self);
	g_autoptr(GInputStream) da2_stream = NULL;
	g_autoptr(GBytes) da2_blob = NULL;
	g_autofree gchar *version = NULL;
	const UbMtkLegacyInfo *info;
	gsize da2_len = da2->length - da2->sig_len;

	da2_stream = ub_mtk_device_open_region(self->da_file, da2->offset, cancellable, error);
	if (da2_stream == NULL)
		return FALSE;
	da2_blob = g_input_stream_read_bytes(da2_stream, da2_len, cancellable, error);
	if (da2_blob == NULL) {
		ub_error_convert(error);
		return FALSE;
	}
	if (g_bytes_get_size(da2_blob) != da2_len) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the DA file ends inside DA2");
		return FALSE;
	}
	self->legacy = ub_mtk_legacy_new(ub_device_get_transport(device));
	ub_mtk_legacy_set_timeout_limit(self->legacy, self->timeout_limit_ms);
	if (!ub_mtk_legacy_boot(self->legacy,
				self->brom_info.is_preloader,
				emi,
				da2->load_addr,
				da2_blob,
				cancellable,
				error)) {
		g_prefix_error(error, "failed to start the legacy Download Agent: ");
		return FALSE;
	}
	info = ub_mtk_legacy_get_info(self->legacy);
	ub_progress_log(progress,
			"legacy Download Agent %u.%u running (MBR/EBR + PMT era phone)",
			info->da_major,
			info->da_minor);
	version = g_strdup_printf("%u.%u", info->da_major, info->da_minor);
	ub_device_set_extra(device, "da-version", version);
	ub_device_set_extra(device, "da-protocol", "legacy");

	/* the regions, as the XFlash storage info would give them */
	ub_mtk_xflash_storage_info_clear(&self->storage);
	self->storage.storage = UB_MTK_STORAGE_EMMC;
	self->storage.block_size = info->block_size != 0 ? info->block_size : 512;
	ub_device_clear_regions(device);
	g_ptr_array_set_size(self->regions, 0);
	ub_mtk_device_add_region(self, "boot1", info->boot1_size);
	ub_mtk_device_add_region(self, "boot2", info->boot2_size);
	ub_mtk_device_add_region(self, "user", info->user_size);
	ub_device_set_storage_type(device, "emmc");
	ub_device_set_storage_size(device, info->boot1_size + info->boot2_size + info->user_size);
	ub_device_set_sector_size(device, self->storage.block_size);
	ub_progress_log(progress,
			"emmc storage, %" G_GUINT64_FORMAT " MiB",
			(info->boot1_size + info->boot2_size + info->user_size) / (1024 * 1024));
	return TRUE;
}

/* a DA at USB full speed: switch to high speed, follow the phone to 0e8d:2001 */
static gboolean
ub_mtk_device_usb_speed(UbMtkDevice *self, UbProgress *progress, GCancellable *cancellable, GError **error)
{
	UbDevice *device = UB_DEVICE(self);
	g_autofree gchar *speed = ub_mtk_xflash_get_usb_speed(self->xflash, cancellable, error);

	if (speed == NULL) {
		g_prefix_error(error, "failed to read the USB speed: ");
		return FALSE;
	}
	ub_device_set_extra(device, "usb-speed", speed);
	if (g_strcmp0(speed, "full-speed") != 0)
		return TRUE;
	ub_progress_log(progress, "the DA runs at USB full speed: switching to high speed");
	if (!ub_mtk_xflash_switch_usb_speed(self->xflash, cancellable, error) ||
	    !ub_device_reconnect(device,
				 UB_DEVICE_MODE_MTK_DA,
				 UB_MTK_DEVICE_RECONNECT_TIMEOUT_MS,
				 cancellable,
				 error)) {
		g_prefix_error(error, "failed to switch the USB speed to high speed: ");
		return FALSE;
	}
	ub_mtk_xflash_set_transport(self->xflash, ub_device_get_transport(device));
	ub_device_set_extra(device, "usb-speed", "high-speed");
	ub_progress_log(progress, "the DA is back at high speed (0e8d:2001)");
	return TRUE;
}

static gboolean
ub_mtk_device_open(UbDevice *device, UbProgress *progress, GCancellable *cancellable, GError **error)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	g_autoptr(GBytes) emi = NULL;
	g_autoptr(GInputStream) da2_stream = NULL;
	UbMtkDaRegion da2_copy = {0};
	/* the DA of an earlier open() in this process still runs: it does not
	 * answer a handshake, its session goes on */
	gboolean live = self->xflash != NULL && !self->session_ended;
	gboolean live_legacy = self->legacy != NULL && !self->session_ended;
	gboolean da_running = live || ub_device_get_mode(device) == UB_DEVICE_MODE_MTK_DA;
	g_autoptr(UbMtkXflash) live_xflash = live ? g_object_ref(self->xflash) : NULL;
	const UbMtkChip *chip;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();

	/* a legacy DA of an earlier open() goes on: its PMT again */
	if (live_legacy) {
		ub_progress_log(progress,
				"the legacy Download Agent is still running: continuing its "
				"session");
		g_clear_object(&self->gpt);
		return ub_mtk_device_load_pmt(self, progress, cancellable, error);
	}

	/* a fresh session */
	g_clear_object(&self->brom);
	g_clear_object(&self->xflash);
	g_clear_object(&self->legacy);
	g_clear_pointer(&self->pmt, g_ptr_array_unref);
	g_clear_object(&self->gpt);
	if (!live)
		ub_mtk_brom_info_clear(&self->brom_info);
	ub_mtk_xflash_storage_info_clear(&self->storage);
	g_ptr_array_set_size(self->regions, 0);
	self->session_ended = FALSE;
	self->tables_dirty = FALSE;

	/* files that cannot be read fail before the phone is touched */
	if (!self->identify_only) {
		if (!ub_mtk_device_check_file(self->da_file, "DA file", cancellable, error) ||
		    !ub_mtk_device_check_file(self->preloader, "preloader", cancellable, error) ||
		    !ub_mtk_device_check_file(self->auth_file, "authentication file", cancellable, error) ||
		    !ub_mtk_device_check_file(self->cert_file, "certificate", cancellable, error))
			return FALSE;
	}

	ub_progress_add_step(progress, UB_STATUS_CONNECTING, 5, "handshake");
	ub_progress_add_step(progress, UB_STATUS_IDENTIFYING, 5, "identify");
	ub_progress_add_step(progress, UB_STATUS_WRITING, 25, "da1");
	ub_progress_add_step(progress, UB_STATUS_WRITING, 30, "da2");
	ub_progress_add_step(progress, UB_STATUS_IDENTIFYING, 5, "storage");
	ub_progress_add_step(progress, UB_STATUS_CONNECTING, 15, "usb-speed");
	ub_progress_add_step(progress, UB_STATUS_READING, 15, "partition-table");

	if (da_running) {
		/* 0e8d:2001: a DA left running by an earlier session */
		ub_progress_log(progress, "a Download Agent is already running: continuing its session");
		self->xflash = live_xflash != NULL ? g_steal_pointer(&live_xflash)
						   : ub_mtk_xflash_new(ub_device_get_transport(device));
		ub_mtk_xflash_set_timeout_limit(self->xflash, self->timeout_limit_ms);
		ub_mtk_xflash_set_progress(self->xflash, progress);
		for (guint i = 0; i < 4; i++)
			ub_progress_step_done(progress);
	} else {
		if (!ub_mtk_device_start_da(self, progress, &da2_copy, cancellable, error))
			return FALSE;
		if (self->identify_only) {
			ub_progress_finished(progress);
			return TRUE;
		}

		/* the DA: bring-up, DRAM from the preloader's EMI when started by BootROM */
		if (!self->brom_info.is_preloader && self->preloader != NULL) {
			g_autoptr(GBytes) blob =
			    ub_mtk_device_load_file(self->preloader, "preloader", cancellable, error);
			if (blob == NULL)
				return FALSE;
			emi = ub_mtk_preloader_get_emi(g_bytes_get_data(blob, NULL),
						       g_bytes_get_size(blob),
						       error);
			if (emi == NULL)
				return FALSE;
		}
		chip = ub_mtk_chip_lookup(self->brom_info.hw_code);
		if (ub_mtk_chip_is_pmt_era(chip)) {
			if (!ub_mtk_device_start_legacy(self,
							emi,
							&da2_copy,
							progress,
							cancellable,
							error))
				return FALSE;
			ub_progress_step_done(progress);
			ub_progress_step_done(progress);
			ub_progress_step_done(progress);
			if (!ub_mtk_device_load_pmt(self, progress, cancellable, error))
				return FALSE;
			ub_progress_step_done(progress);
			return TRUE;
		}
		da2_stream = ub_mtk_device_open_region(self->da_file, da2_copy.offset, cancellable, error);
		if (da2_stream == NULL)
			return FALSE;
		self->xflash = ub_mtk_xflash_new(ub_device_get_transport(device));
		ub_mtk_xflash_set_timeout_limit(self->xflash, self->timeout_limit_ms);
		ub_mtk_xflash_set_progress(self->xflash, progress);
		if (!ub_mtk_xflash_boot(self->xflash,
					emi,
					da2_copy.load_addr,
					da2_stream,
					da2_copy.length - da2_copy.sig_len,
					cancellable,
					error)) {
			g_prefix_error(error, "failed to start the Download Agent: ");
			return FALSE;
		}
		ub_progress_step_done(progress);
	}

	if (!ub_mtk_device_probe_storage(self, progress, cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);
	if (!ub_mtk_device_usb_speed(self, progress, cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);
	if (!ub_mtk_device_load_gpt(self, progress, cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);
	return TRUE;
}

static gboolean
ub_mtk_device_identify(UbDevice *device, GCancellable *cancellable, GError **error)
{
	/* open() learnt everything the BootROM and the DA tell */
	return TRUE;
}

static GPtrArray *
ub_mtk_device_list_partitions(UbDevice *device, GCancellable *cancellable, GError **error)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(UbProgress) progress = ub_progress_new();
	const UbMtkRegion *user;

	if (!ub_mtk_device_check_da(self, error))
		return NULL;
	if (!ub_mtk_device_load_gpt(self, progress, cancellable, error))
		return NULL;
	if (self->legacy != NULL) {
		for (guint i = 0; i < self->pmt->len; i++)
			g_ptr_array_add(parts, g_object_ref(g_ptr_array_index(self->pmt, i)));
		return g_steal_pointer(&parts);
	}
	if (self->pmt_era) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "the partition table on this phone is of the MBR/EBR (PMT) era (MT6589, "
			    "MT6572 ...) while its DA is an XFlash one: %s",
			    UB_MTK_PMT_ERA_ADVICE);
		return NULL;
	}
	if (self->gpt == NULL)
		return g_steal_pointer(&parts);
	user = ub_mtk_device_user_region(self);
	return ub_gpt_get_partitions(self->gpt, user->name);
}

/*
 * Resolves @loc and points the progress at it. With @verb, an empty target is
 * logged and finished here, @done set: the caller has nothing left to do.
 */
static gboolean
ub_mtk_device_begin(UbMtkDevice *self,
		    const UbDeviceLocation *loc,
		    UbProgress *progress,
		    const gchar *verb,
		    UbStatus status,
		    UbMtkTarget *target,
		    gboolean *done,
		    GCancellable *cancellable,
		    GError **error)
{
	if (!ub_mtk_device_resolve(self, loc, progress, target, cancellable, error))
		return FALSE;
	if (verb != NULL && target->count == 0) {
		ub_progress_log(progress, "%s: nothing to %s", target->what, verb);
		ub_progress_finished(progress);
		*done = TRUE;
		return TRUE;
	}
	ub_progress_set_status(progress, status);
	if (self->xflash != NULL)
		ub_mtk_xflash_set_progress(self->xflash, progress);
	return TRUE;
}

static gboolean
ub_mtk_device_read(UbDevice *device,
		   const UbDeviceLocation *loc,
		   GOutputStream *stream,
		   UbProgress *progress,
		   GCancellable *cancellable,
		   GError **error)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	UbMtkTarget target;
	gboolean done = FALSE;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_mtk_device_begin(self,
				 loc,
				 progress,
				 "read",
				 UB_STATUS_READING,
				 &target,
				 &done,
				 cancellable,
				 error))
		return FALSE;
	if (done)
		return TRUE;
	return ub_mtk_device_da_read(self,
				     target.region,
				     target.first,
				     target.count,
				     stream,
				     progress,
				     cancellable,
				     error);
}

/* a stream that repeats @pattern (4 bytes, little-endian as in a sparse FILL) */
static GInputStream *
ub_mtk_device_pattern_stream(guint32 pattern, guint64 size)
{
	GInputStream *stream = g_memory_input_stream_new();
	g_autofree guint8 *buf = g_malloc(UB_MTK_DEVICE_PATTERN_BUF_SIZE);
	g_autoptr(GBytes) blob = NULL;

	for (gsize i = 0; i < UB_MTK_DEVICE_PATTERN_BUF_SIZE; i += 4)
		ub_mem_write_u32_le(buf, i, pattern);
	blob = g_bytes_new_take(g_steal_pointer(&buf), UB_MTK_DEVICE_PATTERN_BUF_SIZE);
	for (guint64 done = 0; done < size; done += UB_MTK_DEVICE_PATTERN_BUF_SIZE) {
		gsize len = (gsize)MIN(size - done, UB_MTK_DEVICE_PATTERN_BUF_SIZE);
		g_autoptr(GBytes) piece = g_bytes_new_from_bytes(blob, 0, len);
		g_memory_input_stream_add_bytes(G_MEMORY_INPUT_STREAM(stream), piece);
	}
	return stream;
}

static gboolean
ub_mtk_device_write_pattern(UbMtkDevice *self,
			    const UbMtkRegion *region,
			    guint64 offset,
			    guint64 size,
			    guint32 pattern,
			    GCancellable *cancellable,
			    GError **error)
{
	guint64 done = 0;
	while (done < size) {
		guint64 len = MIN(size - done, (guint64)UB_MTK_DEVICE_PATTERN_WRITE_MAX);
		g_autoptr(GInputStream) stream = ub_mtk_device_pattern_stream(pattern, len);
		if (!ub_mtk_device_da_write(self,
					    region,
					    offset + done,
					    stream,
					    len,
					    NULL,
					    cancellable,
					    error))
			return FALSE;
		done += len;
	}
	return TRUE;
}

typedef struct {
	UbMtkDevice *self;
	const UbMtkTarget *target;
	UbProgress *progress;
	guint64 written;
	guint64 expanded;
	guint n_writes;
} UbMtkDeviceSparseHelper;

/* one sparse chunk: RAW as data, FILL as a pattern, at the chunk's offset */
static gboolean
ub_mtk_device_write_sparse_chunk(const UbSparseHeader *hdr,
				 const UbSparseChunksItem *item,
				 GInputStream *stream,
				 gpointer user_data,
				 GCancellable *cancellable,
				 GError **error)
{
	UbMtkDeviceSparseHelper *helper = (UbMtkDeviceSparseHelper *)user_data;
	UbMtkDevice *self = helper->self;
	const UbMtkTarget *target = helper->target;
	guint64 offset = target->first + item->offset;

	switch (item->kind) {
	case UB_SPARSE_CHUNK_TYPE_RAW:
		if (item->length > 0 &&
		    !ub_mtk_device_da_write(self,
					    target->region,
					    offset,
					    stream,
					    item->length,
					    NULL,
					    cancellable,
					    error))
			return FALSE;
		helper->n_writes++;
		break;
	case UB_SPARSE_CHUNK_TYPE_FILL:
		if (item->length > 0 &&
		    !ub_mtk_device_write_pattern(self,
						 target->region,
						 offset,
						 item->length,
						 item->value,
						 cancellable,
						 error))
			return FALSE;
		helper->n_writes++;
		break;
	case UB_SPARSE_CHUNK_TYPE_CRC32:
		/* a checksum of what came before, not data */
		return TRUE;
	default:
		/* DONT_CARE leaves the storage alone */
		break;
	}
	helper->written += item->length;
	ub_progress_set_bytes(helper->progress, helper->written, helper->expanded);
	return TRUE;
}

/*
 * An Android sparse image, expanded on the host: a WRITE_DATA per RAW chunk and
 * per FILL chunk at the advancing offset; DONT_CARE leaves the storage alone.
 */
static gboolean
ub_mtk_device_write_sparse(UbMtkDevice *self,
			   const UbMtkTarget *target,
			   GInputStream *stream,
			   UbProgress *progress,
			   GCancellable *cancellable,
			   GError **error)
{
	UbSparseHeader hdr = {0};
	UbMtkDeviceSparseHelper helper = {
	    .self = self,
	    .target = target,
	    .progress = progress,
	};

	if (!ub_sparse_chunks_read_header(stream, &hdr, cancellable, error))
		return FALSE;
	if (hdr.blk_sz % 512 != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the sparse image has %u-byte blocks, not whole 512-byte blocks",
			    hdr.blk_sz);
		return FALSE;
	}
	helper.expanded = (guint64)hdr.total_blks * hdr.blk_sz;
	if (helper.expanded > target->count) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the sparse image expands to %" G_GUINT64_FORMAT
			    " bytes, more than the %" G_GUINT64_FORMAT " bytes of %s",
			    helper.expanded,
			    target->count,
			    target->what);
		return FALSE;
	}
	ub_progress_set_bytes(progress, 0, helper.expanded);
	if (!ub_sparse_chunks_walk(stream,
				   &hdr,
				   ub_mtk_device_write_sparse_chunk,
				   &helper,
				   NULL,
				   cancellable,
				   error))
		return FALSE;
	g_debug("sparse image to %s: %u writes for %u chunks",
		target->what,
		helper.n_writes,
		hdr.total_chunks);
	ub_progress_finished(progress);
	return TRUE;
}

/* the first bytes of @stream without consuming them; @stream_out is what to read from then */
static gboolean
ub_mtk_device_peek(GInputStream *stream,
		   GInputStream **stream_out,
		   guint8 *head,
		   gsize *headsz,
		   GCancellable *cancellable,
		   GError **error)
{
	if (G_IS_SEEKABLE(stream) && g_seekable_can_seek(G_SEEKABLE(stream))) {
		goffset pos = g_seekable_tell(G_SEEKABLE(stream));
		if (!g_input_stream_read_all(stream, head, *headsz, headsz, cancellable, error) ||
		    !g_seekable_seek(G_SEEKABLE(stream), pos, G_SEEK_SET, cancellable, error)) {
			ub_error_convert(error);
			return FALSE;
		}
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
						 (gssize)*headsz,
						 cancellable,
						 error) < 0) {
			ub_error_convert(error);
			return FALSE;
		}
		buf = g_buffered_input_stream_peek_buffer(G_BUFFERED_INPUT_STREAM(buffered), &avail);
		*headsz = MIN(*headsz, avail);
		memcpy(head, buf, *headsz);
		*stream_out = g_steal_pointer(&buffered);
	}
	return TRUE;
}

/*
 * A bare preloader (GFH "MMM") written to the boot area: the boot header it
 * needs goes in front, and the whole goes to both boot regions (boot1 and
 * boot2, or lun0 and lun1), as the DA's own download of "preloader" does.
 */
static gboolean
ub_mtk_device_write_preloader(UbMtkDevice *self,
			      GInputStream *stream,
			      guint64 size,
			      UbProgress *progress,
			      GCancellable *cancellable,
			      GError **error)
{
	g_autoptr(GBytes) header = NULL;
	g_autoptr(GByteArray) image = NULL;
	g_autoptr(GBytes) blob = NULL;
	guint n_targets = 0;
	const UbMtkRegion *targets[2] = {NULL, NULL};

	if (size == 0 || size > UB_MTK_DEVICE_PRELOADER_MAX) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "a preloader of %" G_GUINT64_FORMAT " bytes is not believable",
			    size);
		return FALSE;
	}
	header = ub_mtk_preloader_boot_header_build(self->storage.storage, size, error);
	if (header == NULL)
		return FALSE;
	image = g_byte_array_sized_new((guint)(g_bytes_get_size(header) + size));
	g_byte_array_append(image, g_bytes_get_data(header, NULL), (guint)g_bytes_get_size(header));
	g_byte_array_set_size(image, (guint)(g_bytes_get_size(header) + size));
	if (!ub_sparse_chunks_read_exact(stream,
				      image->data + g_bytes_get_size(header),
				      (gsize)size,
				      cancellable,
				      error))
		return FALSE;
	blob = g_byte_array_free_to_bytes(g_steal_pointer(&image));

	for (guint i = 0; i < 2; i++) {
		const UbMtkRegion *region =
		    ub_mtk_device_find_region(self, ub_mtk_device_boot_region_name(self, i));
		if (region == NULL)
			continue;
		if (g_bytes_get_size(blob) > region->size) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "the preloader with its boot header (%" G_GSIZE_FORMAT
				    " bytes) does not fit %s (%" G_GUINT64_FORMAT " bytes)",
				    g_bytes_get_size(blob),
				    region->name,
				    region->size);
			return FALSE;
		}
		targets[n_targets++] = region;
	}
	if (n_targets == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "this phone reports no boot area for the preloader");
		return FALSE;
	}
	ub_progress_set_steps(progress, n_targets);
	for (guint i = 0; i < n_targets; i++) {
		g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes(blob);
		ub_progress_log(progress,
				"writing the preloader with its boot header to %s",
				targets[i]->name);
		if (!ub_mtk_device_da_write(self,
					    targets[i],
					    0,
					    in,
					    g_bytes_get_size(blob),
					    ub_progress_get_child(progress),
					    cancellable,
					    error)) {
			g_prefix_error(error, "failed to write the preloader to %s: ", targets[i]->name);
			return FALSE;
		}
		ub_progress_step_done(progress);
	}
	return TRUE;
}

static gboolean
ub_mtk_device_write(UbDevice *device,
		    const UbDeviceLocation *loc,
		    GInputStream *stream,
		    guint64 size,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	g_autoptr(GInputStream) in = NULL;
	guint8 head[UB_MTK_DEVICE_PEEK] = {0};
	gsize headsz = sizeof(head);
	UbMtkTarget target;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_mtk_device_begin(self,
				 loc,
				 progress,
				 NULL,
				 UB_STATUS_WRITING,
				 &target,
				 NULL,
				 cancellable,
				 error))
		return FALSE;
	if (!ub_mtk_device_peek(stream, &in, head, &headsz, cancellable, error))
		return FALSE;
	if (target.is_region)
		self->tables_dirty = TRUE;
	if (ub_sparse_is_sparse(head, headsz))
		return ub_mtk_device_write_sparse(self, &target, in, progress, cancellable, error);
	if (target.is_boot_area && headsz >= 3 && memcmp(head, "MMM", 3) == 0)
		return ub_mtk_device_write_preloader(self, in, size, progress, cancellable, error);

	if (size == 0) {
		ub_progress_log(progress, "%s: empty image, nothing to write", target.what);
		ub_progress_finished(progress);
		return TRUE;
	}
	if ((size + 511) / 512 * 512 > target.count) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "the image (%" G_GUINT64_FORMAT " bytes) is larger than %s (%" G_GUINT64_FORMAT
			    " bytes from offset 0x%" G_GINT64_MODIFIER "x)",
			    size,
			    target.what,
			    target.count,
			    loc->offset);
		return FALSE;
	}
	return ub_mtk_device_da_write(self,
				      target.region,
				      target.first,
				      in,
				      size,
				      progress,
				      cancellable,
				      error);
}

static gboolean
ub_mtk_device_erase(UbDevice *device,
		    const UbDeviceLocation *loc,
		    UbProgress *progress,
		    GCancellable *cancellable,
		    GError **error)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	g_autoptr(UbProgress) progress_local = NULL;
	UbMtkTarget target;
	gboolean done = FALSE;

	if (progress == NULL)
		progress = progress_local = ub_progress_new();
	if (!ub_mtk_device_begin(self,
				 loc,
				 progress,
				 "erase",
				 UB_STATUS_ERASING,
				 &target,
				 &done,
				 cancellable,
				 error))
		return FALSE;
	if (done)
		return TRUE;
	if (target.is_region)
		self->tables_dirty = TRUE;
	if (!ub_mtk_device_da_format(self,
				     target.region,
				     target.first,
				     target.count,
				     progress,
				     cancellable,
				     error))
		return FALSE;
	ub_progress_finished(progress);
	return TRUE;
}

static gboolean
ub_mtk_device_reboot(UbDevice *device, UbRebootMode mode, GCancellable *cancellable, GError **error)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	guint32 bootmode;

	switch (mode) {
	case UB_REBOOT_MODE_POWER_OFF:
		bootmode = 0;
		break;
	case UB_REBOOT_MODE_SYSTEM:
		bootmode = 1;
		break;
	case UB_REBOOT_MODE_BOOTLOADER:
		bootmode = 2;
		break;
	case UB_REBOOT_MODE_FASTBOOTD:
	case UB_REBOOT_MODE_RECOVERY:
	case UB_REBOOT_MODE_EDL:
	case UB_REBOOT_MODE_LAST:
	default:
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the MediaTek Download Agent can restart the phone normally, into "
			    "fastboot or power it off, not into %s",
			    ub_reboot_mode_to_string(mode));
		return FALSE;
	}
	if (!ub_mtk_device_check_da(self, error))
		return FALSE;
	if (self->legacy != NULL) {
		if (!ub_mtk_legacy_finish(self->legacy, bootmode, cancellable, error))
			return FALSE;
	} else if (!ub_mtk_xflash_shutdown(self->xflash, bootmode, cancellable, error)) {
		return FALSE;
	}
	self->session_ended = TRUE;
	return TRUE;
}

/* the PMT, through the legacy DA; an XFlash phone's GPT is the host's to build */
static gboolean
ub_mtk_device_write_partition_table(UbDevice *device,
				    const gchar *region,
				    GPtrArray *partitions,
				    UbProgress *progress,
				    GCancellable *cancellable,
				    GError **error)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	g_autoptr(GPtrArray) pmt = g_ptr_array_new_with_free_func(g_object_unref);

	if (!ub_mtk_device_check_da(self, error))
		return FALSE;
	if (self->legacy == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_NOT_SUPPORTED,
				    "this phone's partition table is a GPT the host writes");
		return FALSE;
	}
	if (g_strcmp0(region, "user") != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the PMT describes the user area, not %s",
			    region);
		return FALSE;
	}
	if (!ub_mtk_legacy_write_pmt(self->legacy, partitions, cancellable, error)) {
		g_prefix_error(error, "failed to write the PMT: ");
		return FALSE;
	}
	for (guint i = 0; i < partitions->len; i++)
		g_ptr_array_add(pmt, g_object_ref(g_ptr_array_index(partitions, i)));
	g_clear_pointer(&self->pmt, g_ptr_array_unref);
	self->pmt = g_steal_pointer(&pmt);
	if (progress != NULL)
		ub_progress_log(progress, "PMT written: %u partitions", self->pmt->len);
	return TRUE;
}

static void
ub_mtk_device_close(UbDevice *device)
{
	UbMtkDevice *self = UB_MTK_DEVICE(device);
	g_clear_object(&self->xflash);
	g_clear_object(&self->legacy);
	g_clear_object(&self->brom);
}

static void
ub_mtk_device_finalize(GObject *object)
{
	UbMtkDevice *self = UB_MTK_DEVICE(object);
	g_clear_object(&self->da_file);
	g_clear_object(&self->preloader);
	g_clear_object(&self->auth_file);
	g_clear_object(&self->cert_file);
	g_clear_object(&self->brom);
	g_clear_object(&self->xflash);
	g_clear_object(&self->legacy);
	g_clear_pointer(&self->pmt, g_ptr_array_unref);
	g_clear_object(&self->gpt);
	ub_mtk_brom_info_clear(&self->brom_info);
	ub_mtk_xflash_storage_info_clear(&self->storage);
	g_ptr_array_unref(self->regions);
	G_OBJECT_CLASS(ub_mtk_device_parent_class)->finalize(object);
}

static void
ub_mtk_device_init(UbMtkDevice *self)
{
	self->regions = g_ptr_array_new_with_free_func((GDestroyNotify)ub_mtk_region_free);
}

static void
ub_mtk_device_class_init(UbMtkDeviceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	UbDeviceClass *device_class = UB_DEVICE_CLASS(klass);
	object_class->finalize = ub_mtk_device_finalize;
	device_class->open = ub_mtk_device_open;
	device_class->identify = ub_mtk_device_identify;
	device_class->list_partitions = ub_mtk_device_list_partitions;
	device_class->read = ub_mtk_device_read;
	device_class->write = ub_mtk_device_write;
	device_class->erase = ub_mtk_device_erase;
	device_class->reboot = ub_mtk_device_reboot;
	device_class->close = ub_mtk_device_close;
	device_class->write_partition_table = ub_mtk_device_write_partition_table;
}
