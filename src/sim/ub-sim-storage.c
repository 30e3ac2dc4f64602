/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/ub-gpt.h"
#include "ub-sim-storage.h"

/* how much of each end of a region is read to find the primary or backup GPT */
#define UB_SIM_STORAGE_GPT_WINDOW (256 * 1024)
/* the default layout is sized for a user area of this size, scaled down below it */
#define UB_SIM_STORAGE_NOMINAL_USER (G_GUINT64_CONSTANT(64) * 1024 * 1024 * 1024)
#define UB_SIM_STORAGE_KEYFILE	    "storage.ini"
#define UB_SIM_STORAGE_ZERO_CHUNK   (1024 * 1024)
#define UB_SIM_STORAGE_MAX_LUNS	    8

typedef struct {
	gchar *name;
	gchar *path;
	gint fd;
	guint64 size;
	gboolean has_gpt;
	UbGpt *gpt; /* cache, under the storage mutex; NULL when stale */
	gboolean gpt_valid;
} UbSimStorageRegion;

struct _UbSimStorage {
	GObject parent_instance;
	gchar *dir;
	UbSimStorageKind kind;
	guint n_luns;
	gboolean mtk_luns; /* "ufs-mtk": lun0/lun1 boot LUs, lun2 the main one */
	guint64 size; /* eMMC user area, or each UFS data LUN */
	GPtrArray *regions; /* of UbSimStorageRegion, fixed after open */
	GMutex mutex;	    /* protects the GPT caches */
};

G_DEFINE_TYPE(UbSimStorage, ub_sim_storage, G_TYPE_OBJECT)

#define KiB (G_GUINT64_CONSTANT(1024))
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

/* Qualcomm/Android type GUIDs as they appear in real partition.xml files */
#define UB_SIM_TYPE_BOOT     "20117f86-e985-4357-b9ee-374bc1d8487d"
#define UB_SIM_TYPE_VBMETA   "4b7a15d6-322c-42ac-8110-88b7da0c5d77"
#define UB_SIM_TYPE_DTBO     "24d0d418-d31d-4d8d-ac2c-4d4305188450"
#define UB_SIM_TYPE_MODEMST1 "ebbeadaf-22c9-e33b-8f5d-0e81686a68cb"
#define UB_SIM_TYPE_MODEMST2 "0a288b1f-22c9-e33b-8f5d-0e81686a68cb"
#define UB_SIM_TYPE_FSG	     "638ff8e2-22c9-e33b-8f5d-0e81686a68cb"
#define UB_SIM_TYPE_FSC	     "57b90a16-22c9-e33b-8f5d-0e81686a68cb"
#define UB_SIM_TYPE_PERSIST  "6c95e238-e343-4ba8-b489-8681ed22ad0b"
#define UB_SIM_TYPE_MISC     "82acc91f-357c-4a68-9c8f-689e1b1a23a1"
#define UB_SIM_TYPE_METADATA "988a98c9-2910-4123-aaec-1cf6b1bc28f9"
#define UB_SIM_TYPE_SUPER    "89a12de1-5e41-4cb3-8b4c-b1441eb5da38"
#define UB_SIM_TYPE_USERDATA "1b81e7e6-f50d-419b-a739-2aeef8da3335"
#define UB_SIM_TYPE_XBL	     "dea0ba2c-cbdd-4805-b4f9-f428251c3e98"
#define UB_SIM_TYPE_ABL	     "bd6928a1-4ce0-a038-4f3a-1495e3eddffb"
#define UB_SIM_TYPE_TZ	     "a053aa7f-40b8-4b1c-ba08-2f68ac71a4f4"
#define UB_SIM_TYPE_MODEM    "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"
#define UB_SIM_TYPE_DEVINFO  "65addcf4-0c5c-4d9a-ac2d-d90b5cbfcd03"
#define UB_SIM_TYPE_FRP	     "91b72d4d-71e0-4cbf-9b8e-236381cff17a"

/* slot A active, successful, priority 3, 6 retries left; slot B bootable, priority 1 */
#define UB_SIM_ATTR_SLOT_A (G_GUINT64_CONSTANT(0x77) << 48)
#define UB_SIM_ATTR_SLOT_B (G_GUINT64_CONSTANT(0x39) << 48)

/* a believable A/B phone, nominal sizes for a 64 GiB user area */
static const UbGptLayoutEntry ub_sim_storage_default_layout[] = {
    {"xbl_a", 3584 * KiB, UB_SIM_TYPE_XBL, 0, NULL},
    {"xbl_b", 3584 * KiB, UB_SIM_TYPE_XBL, 0, NULL},
    {"tz_a", 4 * MiB, UB_SIM_TYPE_TZ, 0, NULL},
    {"tz_b", 4 * MiB, UB_SIM_TYPE_TZ, 0, NULL},
    {"abl_a", 1 * MiB, UB_SIM_TYPE_ABL, 0, NULL},
    {"abl_b", 1 * MiB, UB_SIM_TYPE_ABL, 0, NULL},
    {"modem_a", 128 * MiB, UB_SIM_TYPE_MODEM, 0, NULL},
    {"modem_b", 128 * MiB, UB_SIM_TYPE_MODEM, 0, NULL},
    {"misc", 1 * MiB, UB_SIM_TYPE_MISC, 0, NULL},
    {"persist", 32 * MiB, UB_SIM_TYPE_PERSIST, 0, NULL},
    {"modemst1", 2 * MiB, UB_SIM_TYPE_MODEMST1, 0, NULL},
    {"modemst2", 2 * MiB, UB_SIM_TYPE_MODEMST2, 0, NULL},
    {"fsg", 2 * MiB, UB_SIM_TYPE_FSG, 0, NULL},
    {"fsc", 128 * KiB, UB_SIM_TYPE_FSC, 0, NULL},
    {"nvdata", 64 * MiB, NULL, 0, NULL},
    {"devinfo", 4 * KiB, UB_SIM_TYPE_DEVINFO, 0, NULL},
    {"frp", 512 * KiB, UB_SIM_TYPE_FRP, 0, NULL},
    {"boot_a", 64 * MiB, UB_SIM_TYPE_BOOT, UB_SIM_ATTR_SLOT_A, NULL},
    {"boot_b", 64 * MiB, UB_SIM_TYPE_BOOT, UB_SIM_ATTR_SLOT_B, NULL},
    {"dtbo_a", 8 * MiB, UB_SIM_TYPE_DTBO, 0, NULL},
    {"dtbo_b", 8 * MiB, UB_SIM_TYPE_DTBO, 0, NULL},
    {"vbmeta_a", 64 * KiB, UB_SIM_TYPE_VBMETA, 0, NULL},
    {"vbmeta_b", 64 * KiB, UB_SIM_TYPE_VBMETA, 0, NULL},
    {"vbmeta_system_a", 64 * KiB, UB_SIM_TYPE_VBMETA, 0, NULL},
    {"vbmeta_system_b", 64 * KiB, UB_SIM_TYPE_VBMETA, 0, NULL},
    {"metadata", 16 * MiB, UB_SIM_TYPE_METADATA, 0, NULL},
    {"super", 8 * GiB, UB_SIM_TYPE_SUPER, 0, NULL},
    {"userdata", 0, UB_SIM_TYPE_USERDATA, 0, NULL},
};

static void
ub_sim_storage_region_free(UbSimStorageRegion *region)
{
	if (region->fd >= 0)
		close(region->fd);
	if (region->gpt != NULL)
		g_object_unref(region->gpt);
	g_free(region->name);
	g_free(region->path);
	g_free(region);
}

/**
 * ub_sim_storage_kind_to_string:
 * @kind: a #UbSimStorageKind
 *
 * Returns: "emmc" or "ufs"
 */
const gchar *
ub_sim_storage_kind_to_string(UbSimStorageKind kind)
{
	switch (kind) {
	case UB_SIM_STORAGE_KIND_EMMC:
		return "emmc";
	case UB_SIM_STORAGE_KIND_UFS:
		return "ufs";
	default:
		return NULL;
	}
}

/**
 * ub_sim_storage_parse_size:
 * @str: a size such as "64G", "4MiB", "512k" or "4096" (binary units)
 * @size: (out): the size in bytes
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if @str is a non-zero size
 */
gboolean
ub_sim_storage_parse_size(const gchar *str, guint64 *size, GError **error)
{
	guint64 val = 0;
	guint64 mult = 1;
	gsize n = 0;
	const gchar *suffix;

	g_return_val_if_fail(str != NULL, FALSE);
	/* the digits by hand: g_ascii_string_to_unsigned() fails when errno is set
	 * on the way (a CI run once refused '64G' under the umockdev preload) */
	while (g_ascii_isdigit(str[n])) {
		guint digit = (guint)(str[n] - '0');
		if (val > (G_MAXUINT64 - digit) / 10) {
			g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "size '%s' is too large", str);
			return FALSE;
		}
		val = val * 10 + digit;
		n++;
	}
	suffix = str + n;
	if (n == 0 || val == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid size '%s', expected e.g. 64G, 512M or 4096",
			    str);
		return FALSE;
	}
	if (suffix[0] != '\0') {
		const gchar *units = "KMGT";
		const gchar *unit = strchr(units, g_ascii_toupper(suffix[0]));
		const gchar *rest = suffix + 1;
		if (unit == NULL || (rest[0] != '\0' && g_ascii_strcasecmp(rest, "iB") != 0 &&
				     g_ascii_strcasecmp(rest, "B") != 0)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid size suffix in '%s', expected K, M, G or T",
				    str);
			return FALSE;
		}
		for (const gchar *p = units; p <= unit; p++)
			mult *= 1024;
	}
	if (!g_uint64_checked_mul(size, val, mult)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "size '%s' is too large", str);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ub_sim_storage_parse_geometry_full(const gchar *geometry,
				   UbSimStorageKind *kind,
				   guint *n_luns,
				   gboolean *mtk_luns,
				   guint64 *size,
				   GError **error);

/**
 * ub_sim_storage_parse_geometry:
 * @geometry: "emmc:SIZE" (user area), "ufs:N:SIZE" (N LUNs of SIZE, Qualcomm
 *   style) or "ufs-mtk:N:SIZE" (MediaTek style, N >= 3)
 * @kind: (out): the storage kind
 * @n_luns: (out): number of UFS LUNs, 0 for eMMC
 * @size: (out): size of the eMMC user area or of each UFS data LUN
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_storage_parse_geometry(const gchar *geometry,
			      UbSimStorageKind *kind,
			      guint *n_luns,
			      guint64 *size,
			      GError **error)
{
	gboolean mtk_luns = FALSE;
	return ub_sim_storage_parse_geometry_full(geometry, kind, n_luns, &mtk_luns, size, error);
}

static gboolean
ub_sim_storage_parse_geometry_full(const gchar *geometry,
				   UbSimStorageKind *kind,
				   guint *n_luns,
				   gboolean *mtk_luns,
				   guint64 *size,
				   GError **error)
{
	g_auto(GStrv) parts = NULL;
	guint64 luns = 0;

	g_return_val_if_fail(geometry != NULL, FALSE);
	parts = g_strsplit(geometry, ":", -1);
	*mtk_luns = FALSE;
	if (g_strcmp0(parts[0], "emmc") == 0 && g_strv_length(parts) == 2) {
		*kind = UB_SIM_STORAGE_KIND_EMMC;
		*n_luns = 0;
		return ub_sim_storage_parse_size(parts[1], size, error);
	}
	if (g_strcmp0(parts[0], "ufs-mtk") == 0 && g_strv_length(parts) == 3) {
		if (!g_ascii_string_to_unsigned(parts[1], 10, 3, UB_SIM_STORAGE_MAX_LUNS, &luns, NULL)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid UFS LUN count '%s', expected 3 to %u",
				    parts[1],
				    (guint)UB_SIM_STORAGE_MAX_LUNS);
			return FALSE;
		}
		*kind = UB_SIM_STORAGE_KIND_UFS;
		*n_luns = (guint)luns;
		*mtk_luns = TRUE;
		return ub_sim_storage_parse_size(parts[2], size, error);
	}
	if (g_strcmp0(parts[0], "ufs") == 0 && g_strv_length(parts) == 3) {
		g_autoptr(GError) error_local = NULL;
		if (!g_ascii_string_to_unsigned(parts[1],
						10,
						1,
						UB_SIM_STORAGE_MAX_LUNS,
						&luns,
						&error_local)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid UFS LUN count '%s', expected 1 to %u",
				    parts[1],
				    (guint)UB_SIM_STORAGE_MAX_LUNS);
			return FALSE;
		}
		*kind = UB_SIM_STORAGE_KIND_UFS;
		*n_luns = (guint)luns;
		return ub_sim_storage_parse_size(parts[2], size, error);
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_INVALID_DATA,
		    "invalid storage geometry '%s', expected emmc:SIZE, ufs:N:SIZE or ufs-mtk:N:SIZE",
		    geometry);
	return FALSE;
}

static gchar *
ub_sim_storage_format_geometry(UbSimStorageKind kind, guint n_luns, gboolean mtk_luns, guint64 size)
{
	if (kind == UB_SIM_STORAGE_KIND_UFS)
		return g_strdup_printf("%s:%u:%" G_GUINT64_FORMAT,
				       mtk_luns ? "ufs-mtk" : "ufs",
				       n_luns,
				       size);
	return g_strdup_printf("emmc:%" G_GUINT64_FORMAT, size);
}

static UbSimStorageRegion *
ub_sim_storage_lookup(UbSimStorage *self, const gchar *name, GError **error)
{
	g_autoptr(GString) names = g_string_new(NULL);
	for (guint i = 0; i < self->regions->len; i++) {
		UbSimStorageRegion *region = g_ptr_array_index(self->regions, i);
		if (g_strcmp0(region->name, name) == 0)
			return region;
		if (names->len > 0)
			g_string_append(names, ", ");
		g_string_append(names, region->name);
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_FOUND,
		    "no %s region '%s' (this device has %s)",
		    ub_sim_storage_kind_to_string(self->kind),
		    name,
		    names->str);
	return NULL;
}

/* the text a Linux block device logs for an out-of-range request, in 512-byte sectors */
static gboolean
ub_sim_storage_check_range(UbSimStorageRegion *region,
			   guint64 offset,
			   guint64 size,
			   gint rw,
			   GError **error)
{
	guint64 end = 0;
	if (!g_uint64_checked_add(&end, offset, size) || end > region->size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%s: attempt to access beyond end of device: rw=%d, sector=%" G_GUINT64_FORMAT
			    ", nr_sectors = %" G_GUINT64_FORMAT " limit=%" G_GUINT64_FORMAT,
			    region->name,
			    rw,
			    offset / 512,
			    (offset % 512 + size + 511) / 512,
			    region->size / 512);
		return FALSE;
	}
	return TRUE;
}

static void
ub_sim_storage_set_errno(GError **error, gint errsv, const gchar *what, const gchar *path)
{
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_IO,
		    "failed to %s %s: %s",
		    what,
		    path,
		    g_strerror(errsv));
}

static gboolean
ub_sim_storage_pread(UbSimStorageRegion *region,
		     guint64 offset,
		     guint8 *buf,
		     gsize bufsz,
		     GError **error)
{
	gsize done = 0;
	while (done < bufsz) {
		gssize n = pread(region->fd, buf + done, bufsz - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ub_sim_storage_set_errno(error, errno, "read", region->path);
			return FALSE;
		}
		/* a sparse file shorter than its region reads as zeros */
		if (n == 0) {
			memset(buf + done, 0, bufsz - done);
			break;
		}
		done += (gsize)n;
	}
	return TRUE;
}

static gboolean
ub_sim_storage_pwrite(UbSimStorageRegion *region,
		      guint64 offset,
		      const guint8 *buf,
		      gsize bufsz,
		      GError **error)
{
	gsize done = 0;
	while (done < bufsz) {
		gssize n = pwrite(region->fd, buf + done, bufsz - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ub_sim_storage_set_errno(error, errno, "write", region->path);
			return FALSE;
		}
		done += (gsize)n;
	}
	return TRUE;
}

/* a write near either end of a region may have changed its GPT */
static void
ub_sim_storage_invalidate_gpt(UbSimStorage *self,
			      UbSimStorageRegion *region,
			      guint64 offset,
			      guint64 size)
{
	guint64 window = MIN(region->size, UB_SIM_STORAGE_GPT_WINDOW);
	if (!region->has_gpt)
		return;
	if (offset >= window && offset + size <= region->size - window)
		return;
	g_mutex_lock(&self->mutex);
	region->gpt_valid = FALSE;
	g_clear_object(&region->gpt);
	g_mutex_unlock(&self->mutex);
}

/**
 * ub_sim_storage_read:
 * @self: a #UbSimStorage
 * @region: "boot1", "boot2", "user", "rpmb" (eMMC) or "lun0".."lun7" (UFS)
 * @offset: byte offset in @region
 * @buf: destination
 * @bufsz: bytes to read
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE on success; %UB_ERROR_REFUSED past the end, %UB_ERROR_NOT_FOUND
 *   for an unknown region
 */
gboolean
ub_sim_storage_read(UbSimStorage *self,
		    const gchar *region,
		    guint64 offset,
		    guint8 *buf,
		    gsize bufsz,
		    GError **error)
{
	UbSimStorageRegion *reg;
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	reg = ub_sim_storage_lookup(self, region, error);
	if (reg == NULL)
		return FALSE;
	if (!ub_sim_storage_check_range(reg, offset, bufsz, 0, error))
		return FALSE;
	return ub_sim_storage_pread(reg, offset, buf, bufsz, error);
}

/**
 * ub_sim_storage_write:
 * @self: a #UbSimStorage
 * @region: a region name
 * @offset: byte offset in @region
 * @buf: data
 * @bufsz: bytes to write
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE on success; %UB_ERROR_REFUSED past the end, %UB_ERROR_NOT_FOUND
 *   for an unknown region
 */
gboolean
ub_sim_storage_write(UbSimStorage *self,
		     const gchar *region,
		     guint64 offset,
		     const guint8 *buf,
		     gsize bufsz,
		     GError **error)
{
	UbSimStorageRegion *reg;
	gboolean ret;
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), FALSE);
	g_return_val_if_fail(buf != NULL || bufsz == 0, FALSE);
	reg = ub_sim_storage_lookup(self, region, error);
	if (reg == NULL)
		return FALSE;
	if (!ub_sim_storage_check_range(reg, offset, bufsz, 1, error))
		return FALSE;
	ret = ub_sim_storage_pwrite(reg, offset, buf, bufsz, error);
	ub_sim_storage_invalidate_gpt(self, reg, offset, bufsz);
	return ret;
}

/**
 * ub_sim_storage_erase:
 * @self: a #UbSimStorage
 * @region: a region name
 * @offset: byte offset in @region
 * @size: bytes to erase
 * @error: (nullable): return location for a #GError
 *
 * Erased bytes read back as zero, as on eMMC with ERASED_MEM_CONT=0 and UFS
 * after UNMAP; the backing file gets a hole, so the disk space is freed.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_storage_erase(UbSimStorage *self,
		     const gchar *region,
		     guint64 offset,
		     guint64 size,
		     GError **error)
{
	UbSimStorageRegion *reg;
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), FALSE);
	reg = ub_sim_storage_lookup(self, region, error);
	if (reg == NULL)
		return FALSE;
	if (!ub_sim_storage_check_range(reg, offset, size, 1, error))
		return FALSE;
	if (size == 0)
		return TRUE;
	ub_sim_storage_invalidate_gpt(self, reg, offset, size);
	if (fallocate(reg->fd,
		      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)offset,
		      (off_t)size) == 0)
		return TRUE;
	if (errno != EOPNOTSUPP && errno != ENOSYS) {
		ub_sim_storage_set_errno(error, errno, "erase", reg->path);
		return FALSE;
	}

	/* no hole punching on this file system: write zeros */
	{
		g_autofree guint8 *zeros = g_malloc0(UB_SIM_STORAGE_ZERO_CHUNK);
		for (guint64 done = 0; done < size;) {
			gsize chunk = (gsize)MIN(size - done, UB_SIM_STORAGE_ZERO_CHUNK);
			if (!ub_sim_storage_pwrite(reg, offset + done, zeros, chunk, error))
				return FALSE;
			done += chunk;
		}
	}
	return TRUE;
}

/**
 * ub_sim_storage_write_gpt:
 * @self: a #UbSimStorage
 * @region: a region name
 * @primary: protective MBR, primary header and entries, as ub_gpt_build() gives them
 * @backup: backup entries and header
 * @error: (nullable): return location for a #GError
 *
 * Writes @primary at the start of @region and @backup at its end.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_storage_write_gpt(UbSimStorage *self,
			 const gchar *region,
			 GBytes *primary,
			 GBytes *backup,
			 GError **error)
{
	const guint8 *data;
	gsize datasz = 0;

	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), FALSE);
	g_return_val_if_fail(primary != NULL, FALSE);
	g_return_val_if_fail(backup != NULL, FALSE);

	data = g_bytes_get_data(primary, &datasz);
	if (!ub_sim_storage_write(self, region, 0, data, datasz, error))
		return FALSE;
	data = g_bytes_get_data(backup, &datasz);
	return ub_sim_storage_write(self,
				    region,
				    ub_sim_storage_get_region_size(self, region) - datasz,
				    data,
				    datasz,
				    error);
}

/* with the mutex held */
static UbGpt *
ub_sim_storage_region_parse_gpt(UbSimStorage *self, UbSimStorageRegion *region, GError **error)
{
	gsize window = (gsize)MIN(region->size, UB_SIM_STORAGE_GPT_WINDOW);
	guint32 sector_size = ub_sim_storage_get_sector_size(self);
	g_autofree guint8 *buf = g_malloc(window);
	g_autoptr(GError) error_primary = NULL;
	g_autoptr(UbGpt) gpt = NULL;

	if (!ub_sim_storage_pread(region, 0, buf, window, error))
		return NULL;
	gpt = ub_gpt_parse(buf, window, sector_size, &error_primary);
	if (gpt != NULL)
		return g_steal_pointer(&gpt);

	/* like a bootloader, fall back to the backup table at the end */
	if (!ub_sim_storage_pread(region, region->size - window, buf, window, error))
		return NULL;
	gpt = ub_gpt_parse_backup(buf, window, sector_size, NULL);
	if (gpt != NULL) {
		g_debug("%s: primary GPT invalid (%s), using the backup",
			region->name,
			error_primary->message);
		return g_steal_pointer(&gpt);
	}
	g_propagate_prefixed_error(error,
				   g_steal_pointer(&error_primary),
				   "%s: no valid GPT: ",
				   region->name);
	return NULL;
}

static UbGpt *
ub_sim_storage_region_get_gpt(UbSimStorage *self, UbSimStorageRegion *region, GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->mutex);
	if (!region->gpt_valid) {
		g_clear_object(&region->gpt);
		region->gpt = ub_sim_storage_region_parse_gpt(self, region, error);
		if (region->gpt == NULL)
			return NULL;
		region->gpt_valid = TRUE;
	}
	return g_object_ref(region->gpt);
}

/**
 * ub_sim_storage_get_partitions:
 * @self: a #UbSimStorage
 *
 * Reads the partition tables as they are on the storage now, so a host that
 * rewrites a GPT changes what the phone sees. A region whose GPT is invalid
 * contributes no partitions.
 *
 * Returns: (transfer container) (element-type UbPartition): all partitions
 */
GPtrArray *
ub_sim_storage_get_partitions(UbSimStorage *self)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_object_unref);
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), NULL);
	for (guint i = 0; i < self->regions->len; i++) {
		UbSimStorageRegion *region = g_ptr_array_index(self->regions, i);
		g_autoptr(GError) error_local = NULL;
		g_autoptr(UbGpt) gpt = NULL;
		g_autoptr(GPtrArray) region_parts = NULL;
		if (!region->has_gpt)
			continue;
		gpt = ub_sim_storage_region_get_gpt(self, region, &error_local);
		if (gpt == NULL) {
			g_debug("ignoring: %s", error_local->message);
			continue;
		}
		region_parts = ub_gpt_get_partitions(gpt, region->name);
		for (guint j = 0; j < region_parts->len; j++)
			g_ptr_array_add(parts, g_object_ref(g_ptr_array_index(region_parts, j)));
	}
	return g_steal_pointer(&parts);
}

/**
 * ub_sim_storage_find_partition:
 * @self: a #UbSimStorage
 * @name: a partition name, e.g. "boot_a"
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): the partition, or %NULL with %UB_ERROR_NOT_FOUND
 */
UbPartition *
ub_sim_storage_find_partition(UbSimStorage *self, const gchar *name, GError **error)
{
	g_autoptr(GPtrArray) parts = NULL;
	UbPartition *part;
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), NULL);
	g_return_val_if_fail(name != NULL, NULL);
	parts = ub_sim_storage_get_partitions(self);
	part = ub_partition_array_find(parts, name);
	if (part == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no partition named '%s'", name);
		return NULL;
	}
	return g_object_ref(part);
}

static UbPartition *
ub_sim_storage_partition_range(UbSimStorage *self,
			       const gchar *name,
			       guint64 offset,
			       guint64 size,
			       GError **error)
{
	g_autoptr(UbPartition) part = ub_sim_storage_find_partition(self, name, error);
	guint64 end = 0;
	if (part == NULL)
		return NULL;
	if (!g_uint64_checked_add(&end, offset, size) || end > ub_partition_get_size(part)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "%" G_GUINT64_FORMAT " bytes at offset %" G_GUINT64_FORMAT
			    " do not fit in partition %s of %" G_GUINT64_FORMAT " bytes",
			    size,
			    offset,
			    name,
			    ub_partition_get_size(part));
		return NULL;
	}
	return g_steal_pointer(&part);
}

/**
 * ub_sim_storage_read_partition:
 * @self: a #UbSimStorage
 * @name: a partition name
 * @offset: byte offset in the partition
 * @buf: destination
 * @bufsz: bytes to read
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE on success, %UB_ERROR_REFUSED past the end of the partition
 */
gboolean
ub_sim_storage_read_partition(UbSimStorage *self,
			      const gchar *name,
			      guint64 offset,
			      guint8 *buf,
			      gsize bufsz,
			      GError **error)
{
	g_autoptr(UbPartition) part = ub_sim_storage_partition_range(self, name, offset, bufsz, error);
	if (part == NULL)
		return FALSE;
	return ub_sim_storage_read(self,
				   ub_partition_get_region(part),
				   ub_partition_get_offset(part) + offset,
				   buf,
				   bufsz,
				   error);
}

/**
 * ub_sim_storage_write_partition:
 * @self: a #UbSimStorage
 * @name: a partition name
 * @offset: byte offset in the partition
 * @buf: data
 * @bufsz: bytes to write
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE on success, %UB_ERROR_REFUSED past the end of the partition
 */
gboolean
ub_sim_storage_write_partition(UbSimStorage *self,
			       const gchar *name,
			       guint64 offset,
			       const guint8 *buf,
			       gsize bufsz,
			       GError **error)
{
	g_autoptr(UbPartition) part = ub_sim_storage_partition_range(self, name, offset, bufsz, error);
	if (part == NULL)
		return FALSE;
	return ub_sim_storage_write(self,
				    ub_partition_get_region(part),
				    ub_partition_get_offset(part) + offset,
				    buf,
				    bufsz,
				    error);
}

/**
 * ub_sim_storage_erase_partition:
 * @self: a #UbSimStorage
 * @name: a partition name
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ub_sim_storage_erase_partition(UbSimStorage *self, const gchar *name, GError **error)
{
	g_autoptr(UbPartition) part = ub_sim_storage_find_partition(self, name, error);
	if (part == NULL)
		return FALSE;
	return ub_sim_storage_erase(self,
				    ub_partition_get_region(part),
				    ub_partition_get_offset(part),
				    ub_partition_get_size(part),
				    error);
}

/* the default layout, scaled down for user areas below 64 GiB */
static gboolean
ub_sim_storage_write_default_gpt(UbSimStorage *self, UbSimStorageRegion *region, GError **error)
{
	guint n = G_N_ELEMENTS(ub_sim_storage_default_layout);
	guint32 sector_size = ub_sim_storage_get_sector_size(self);
	g_autofree UbGptLayoutEntry *layout = g_new0(UbGptLayoutEntry, n);
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	const guint8 *data;
	gsize datasz;

	for (guint i = 0; i < n; i++) {
		layout[i] = ub_sim_storage_default_layout[i];
		if (layout[i].size > 0 && region->size < UB_SIM_STORAGE_NOMINAL_USER) {
			guint64 blocks = (layout[i].size / 4096) * (region->size / 4096) /
					 (UB_SIM_STORAGE_NOMINAL_USER / 4096);
			layout[i].size = MAX(blocks, 1) * 4096;
		}
	}
	if (!ub_gpt_build(layout, n, sector_size, region->size, NULL, &primary, &backup, error)) {
		g_prefix_error(error, "failed to build the default GPT of %s: ", region->name);
		return FALSE;
	}
	data = g_bytes_get_data(primary, &datasz);
	if (!ub_sim_storage_pwrite(region, 0, data, datasz, error))
		return FALSE;
	data = g_bytes_get_data(backup, &datasz);
	return ub_sim_storage_pwrite(region, region->size - datasz, data, datasz, error);
}

/* an empty GPT, as a freshly provisioned UFS LUN carries */
static gboolean
ub_sim_storage_write_empty_gpt(UbSimStorage *self, UbSimStorageRegion *region, GError **error)
{
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	const guint8 *data;
	gsize datasz;
	if (!ub_gpt_build(NULL,
			  0,
			  ub_sim_storage_get_sector_size(self),
			  region->size,
			  NULL,
			  &primary,
			  &backup,
			  error))
		return FALSE;
	data = g_bytes_get_data(primary, &datasz);
	if (!ub_sim_storage_pwrite(region, 0, data, datasz, error))
		return FALSE;
	data = g_bytes_get_data(backup, &datasz);
	return ub_sim_storage_pwrite(region, region->size - datasz, data, datasz, error);
}

static gboolean
ub_sim_storage_add_region(UbSimStorage *self,
			  const gchar *name,
			  guint64 size,
			  gboolean has_gpt,
			  gboolean with_layout,
			  GError **error)
{
	g_autofree gchar *basename = g_strdup_printf("%s.img", name);
	UbSimStorageRegion *region = g_new0(UbSimStorageRegion, 1);
	gboolean created;
	struct stat st = {0};

	region->name = g_strdup(name);
	region->path = g_build_filename(self->dir, basename, NULL);
	region->size = size;
	region->has_gpt = has_gpt;
	region->fd = -1;
	g_ptr_array_add(self->regions, region);

	created = !g_file_test(region->path, G_FILE_TEST_EXISTS);
	region->fd = g_open(region->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (region->fd < 0) {
		ub_sim_storage_set_errno(error, errno, "open", region->path);
		return FALSE;
	}
	if (fstat(region->fd, &st) != 0) {
		ub_sim_storage_set_errno(error, errno, "stat", region->path);
		return FALSE;
	}

	/* a sparse file: the size costs no disk space until written */
	if ((guint64)st.st_size != size && ftruncate(region->fd, (off_t)size) != 0) {
		ub_sim_storage_set_errno(error, errno, "resize", region->path);
		return FALSE;
	}
	if (!created)
		return TRUE;
	if (with_layout)
		return ub_sim_storage_write_default_gpt(self, region, error);
	if (has_gpt)
		return ub_sim_storage_write_empty_gpt(self, region, error);
	return TRUE;
}

static gboolean
ub_sim_storage_load_keyfile(UbSimStorage *self, const gchar *geometry, GError **error)
{
	g_autofree gchar *fn = g_build_filename(self->dir, UB_SIM_STORAGE_KEYFILE, NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree gchar *stored = NULL;
	g_autofree gchar *wanted = NULL;
	g_autofree gchar *stored_norm = NULL;
	UbSimStorageKind kind = UB_SIM_STORAGE_KIND_EMMC;
	guint n_luns = 0;
	gboolean mtk_luns = FALSE;
	guint64 size = 0;

	if (g_file_test(fn, G_FILE_TEST_EXISTS)) {
		if (!g_key_file_load_from_file(kf, fn, G_KEY_FILE_NONE, error))
			return FALSE;
		stored = g_key_file_get_string(kf, "storage", "geometry", error);
		if (stored == NULL)
			return FALSE;
		if (!ub_sim_storage_parse_geometry_full(stored, &kind, &n_luns, &mtk_luns, &size, error)) {
			g_prefix_error(error, "invalid %s: ", fn);
			return FALSE;
		}
		stored_norm = ub_sim_storage_format_geometry(kind, n_luns, mtk_luns, size);
		if (geometry != NULL) {
			UbSimStorageKind kind2 = UB_SIM_STORAGE_KIND_EMMC;
			guint n_luns2 = 0;
			gboolean mtk_luns2 = FALSE;
			guint64 size2 = 0;
			if (!ub_sim_storage_parse_geometry_full(geometry,
								&kind2,
								&n_luns2,
								&mtk_luns2,
								&size2,
								error))
				return FALSE;
			wanted = ub_sim_storage_format_geometry(kind2, n_luns2, mtk_luns2, size2);
			if (g_strcmp0(wanted, stored_norm) != 0) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "%s holds a phone with %s storage, not %s",
					    self->dir,
					    stored,
					    geometry);
				return FALSE;
			}
		}
	} else {
		if (geometry == NULL)
			geometry = UB_SIM_STORAGE_DEFAULT_GEOMETRY;
		if (!ub_sim_storage_parse_geometry_full(geometry, &kind, &n_luns, &mtk_luns, &size, error))
			return FALSE;
		g_key_file_set_string(kf, "storage", "geometry", geometry);
		if (!g_key_file_save_to_file(kf, fn, error))
			return FALSE;
	}
	self->kind = kind;
	self->n_luns = n_luns;
	self->mtk_luns = mtk_luns;
	self->size = size;
	return TRUE;
}

/**
 * ub_sim_storage_open:
 * @dir: a folder; created if missing
 * @geometry: (nullable): "emmc:SIZE", "ufs:N:SIZE" or "ufs-mtk:N:SIZE"; %NULL keeps what @dir
 *   holds, or uses %UB_SIM_STORAGE_DEFAULT_GEOMETRY for a new folder
 * @error: (nullable): return location for a #GError
 *
 * Opens the storage of a simulated phone: one sparse file per region, DIR/<region>.img.
 * eMMC has boot1, boot2 and rpmb of 4 MiB and a user area of SIZE; UFS has N
 * LUNs of SIZE, where with three or more LUNs lun1 and lun2 are boot LUNs of at
 * most 8 MiB (as on Qualcomm phones) and lun0 is the main one; "ufs-mtk" has
 * lun0 and lun1 boot LUs of at most 4 MiB without a GPT and lun2 as the main
 * one (as on MediaTek phones). A new main
 * region gets a default A/B layout in a GPT, the other LUNs an empty GPT;
 * reopening keeps all data.
 *
 * Returns: (transfer full): a #UbSimStorage, or %NULL
 */
UbSimStorage *
ub_sim_storage_open(const gchar *dir, const gchar *geometry, GError **error)
{
	g_autoptr(UbSimStorage) self = g_object_new(UB_TYPE_SIM_STORAGE, NULL);

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	self->dir = g_strdup(dir);
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		ub_sim_storage_set_errno(error, errno, "create", dir);
		return NULL;
	}
	if (!ub_sim_storage_load_keyfile(self, geometry, error))
		return NULL;

	if (self->kind == UB_SIM_STORAGE_KIND_EMMC) {
		if (!ub_sim_storage_add_region(self, "boot1", UB_SIM_STORAGE_BOOT_SIZE, FALSE, FALSE, error))
			return NULL;
		if (!ub_sim_storage_add_region(self, "boot2", UB_SIM_STORAGE_BOOT_SIZE, FALSE, FALSE, error))
			return NULL;
		if (!ub_sim_storage_add_region(self, "user", self->size, TRUE, TRUE, error))
			return NULL;
		if (!ub_sim_storage_add_region(self, "rpmb", UB_SIM_STORAGE_BOOT_SIZE, FALSE, FALSE, error))
			return NULL;
	} else if (self->mtk_luns) {
		/* as on MediaTek UFS phones: lun0 and lun1 hold the preloader (no
		 * GPT), lun2 the OS, the rest is empty */
		for (guint i = 0; i < self->n_luns; i++) {
			g_autofree gchar *name = g_strdup_printf("lun%u", i);
			gboolean is_boot = i < 2;
			guint64 size = is_boot ? MIN(self->size, UB_SIM_STORAGE_BOOT_SIZE) : self->size;
			if (!ub_sim_storage_add_region(self, name, size, !is_boot, i == 2, error))
				return NULL;
		}
	} else {
		/* as on Qualcomm UFS phones: lun0 holds the OS, lun1 and lun2 the two
		 * copies of the boot loader (xbl), the rest firmware and radio data */
		for (guint i = 0; i < self->n_luns; i++) {
			g_autofree gchar *name = g_strdup_printf("lun%u", i);
			gboolean is_boot = self->n_luns >= 3 && (i == 1 || i == 2);
			guint64 size = is_boot ? MIN(self->size, UB_SIM_STORAGE_UFS_BOOT_LUN_SIZE)
					       : self->size;
			if (!ub_sim_storage_add_region(self, name, size, TRUE, i == 0, error))
				return NULL;
		}
	}
	return g_steal_pointer(&self);
}

const gchar *
ub_sim_storage_get_dir(UbSimStorage *self)
{
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), NULL);
	return self->dir;
}

UbSimStorageKind
ub_sim_storage_get_kind(UbSimStorage *self)
{
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), UB_SIM_STORAGE_KIND_EMMC);
	return self->kind;
}

/**
 * ub_sim_storage_get_geometry:
 * @self: a #UbSimStorage
 *
 * Returns: (transfer full): e.g. "emmc:68719476736" or "ufs:4:34359738368"
 */
gchar *
ub_sim_storage_get_geometry(UbSimStorage *self)
{
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), NULL);
	return ub_sim_storage_format_geometry(self->kind, self->n_luns, self->mtk_luns, self->size);
}

guint32
ub_sim_storage_get_sector_size(UbSimStorage *self)
{
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), 0);
	return self->kind == UB_SIM_STORAGE_KIND_UFS ? 4096 : 512;
}

/**
 * ub_sim_storage_get_region_names:
 * @self: a #UbSimStorage
 *
 * Returns: (transfer full): the region names in device order
 */
gchar **
ub_sim_storage_get_region_names(UbSimStorage *self)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), NULL);
	for (guint i = 0; i < self->regions->len; i++) {
		UbSimStorageRegion *region = g_ptr_array_index(self->regions, i);
		g_strv_builder_add(builder, region->name);
	}
	return g_strv_builder_end(builder);
}

gboolean
ub_sim_storage_has_region(UbSimStorage *self, const gchar *region)
{
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), FALSE);
	return ub_sim_storage_lookup(self, region, NULL) != NULL;
}

/**
 * ub_sim_storage_get_region_size:
 * @self: a #UbSimStorage
 * @region: a region name
 *
 * Returns: the size in bytes, or 0 for an unknown region
 */
guint64
ub_sim_storage_get_region_size(UbSimStorage *self, const gchar *region)
{
	UbSimStorageRegion *reg;
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), 0);
	reg = ub_sim_storage_lookup(self, region, NULL);
	return reg != NULL ? reg->size : 0;
}

/**
 * ub_sim_storage_get_region_path:
 * @self: a #UbSimStorage
 * @region: a region name
 *
 * Returns: (transfer full) (nullable): the backing file, for tests
 */
gchar *
ub_sim_storage_get_region_path(UbSimStorage *self, const gchar *region)
{
	UbSimStorageRegion *reg;
	g_return_val_if_fail(UB_IS_SIM_STORAGE(self), NULL);
	reg = ub_sim_storage_lookup(self, region, NULL);
	return reg != NULL ? g_strdup(reg->path) : NULL;
}

static void
ub_sim_storage_finalize(GObject *object)
{
	UbSimStorage *self = UB_SIM_STORAGE(object);
	g_ptr_array_unref(self->regions);
	g_mutex_clear(&self->mutex);
	g_free(self->dir);
	G_OBJECT_CLASS(ub_sim_storage_parent_class)->finalize(object);
}

static void
ub_sim_storage_init(UbSimStorage *self)
{
	self->regions = g_ptr_array_new_with_free_func((GDestroyNotify)ub_sim_storage_region_free);
	g_mutex_init(&self->mutex);
}

static void
ub_sim_storage_class_init(UbSimStorageClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_sim_storage_finalize;
}
