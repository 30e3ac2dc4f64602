/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-partition.h"

struct _UbPartition {
	GObject parent_instance;
	gchar *name;
	gchar *region;
	guint64 offset;
	guint64 size;
	gboolean is_logical;
};

G_DEFINE_TYPE(UbPartition, ub_partition, G_TYPE_OBJECT)

/*
 * THE list of partitions holding per-device data that no firmware package can
 * restore (mtk.md b.4, edl.md); matched on the name without an A/B suffix,
 * case-insensitively. Prefix rows match "efs", "efs1", "efsg"...
 */
typedef struct {
	const gchar *name;
	gboolean prefix;
	const gchar *reason;
} UbPartitionCalibration;

static const UbPartitionCalibration ub_partition_calibration[] = {
    /* MediaTek */
    {"nvram", FALSE, "IMEI, RF calibration and Wi-Fi/Bluetooth MAC addresses (MediaTek NVRAM)"},
    {"nvdata", FALSE, "NVRAM file system: IMEI and radio calibration (MediaTek)"},
    {"nvcfg", FALSE, "NVRAM configuration file system (MediaTek)"},
    {"protect1", FALSE, "modem runtime and network data (MediaTek PROTECT_F)"},
    {"protect2", FALSE, "modem runtime and network data (MediaTek PROTECT_S)"},
    {"protect_f", FALSE, "modem runtime and network data (MediaTek)"},
    {"protect_s", FALSE, "modem runtime and network data (MediaTek)"},
    {"proinfo", FALSE, "production data: serial number and calibration flags (MediaTek)"},
    {"pro_info", FALSE, "production data: serial number and calibration flags (MediaTek)"},
    {"seccfg", FALSE, "bootloader lock state and security configuration (MediaTek)"},
    {"otp", FALSE, "one-time programmable data"},
    {"opporeserve", TRUE, "vendor calibration and identity data (OPPO)"},
    {"oppo_custom", FALSE, "vendor calibration and identity data (OPPO)"},
    {"ocdt", FALSE, "vendor calibration data"},
    {"cdt_engineering", FALSE, "engineering calibration data"},
    /* Qualcomm */
    {"modemst1", FALSE, "modem EFS: IMEI and radio calibration (Qualcomm)"},
    {"modemst2", FALSE, "modem EFS: IMEI and radio calibration (Qualcomm)"},
    {"fsg", FALSE, "golden copy of the modem EFS (Qualcomm)"},
    {"fsc", FALSE, "modem EFS cookie (Qualcomm)"},
    {"efs", TRUE, "EFS: IMEI and radio calibration"},
    {"devinfo", TRUE, "device information, including the bootloader unlock state"},
    {"ssd", FALSE, "secure storage keys (Qualcomm)"},
    /* both */
    {"persist", FALSE, "sensor calibration, DRM keys and MAC addresses"},
    {"persistbak", FALSE, "backup of the persist calibration data"},
};

static const gchar *ub_partition_bootloader_prefixes[] = {
    "preloader", "xbl", "sbl", "abl", "lk", "aboot", "tz", "rpm", "hyp", "pmic", "bootloader",
    NULL,
};

static gchar *
ub_partition_base_name(const gchar *name)
{
	gsize len = strlen(name);
	/* strip an A/B suffix so "persist_a" is still calibration data */
	if (len > 2 && name[len - 2] == '_' && (name[len - 1] == 'a' || name[len - 1] == 'b'))
		return g_ascii_strdown(name, (gssize)len - 2);
	return g_ascii_strdown(name, -1);
}

/**
 * ub_partition_calibration_reason:
 * @name: a partition name
 *
 * Returns: (nullable): why @name must not be erased or overwritten without
 * consent and a backup (untranslated), or %NULL for an ordinary partition
 */
const gchar *
ub_partition_calibration_reason(const gchar *name)
{
	g_autofree gchar *base = NULL;
	if (name == NULL)
		return NULL;
	base = ub_partition_base_name(name);
	for (gsize i = 0; i < G_N_ELEMENTS(ub_partition_calibration); i++) {
		const UbPartitionCalibration *c = &ub_partition_calibration[i];
		if (c->prefix ? g_str_has_prefix(base, c->name) : g_strcmp0(base, c->name) == 0)
			return c->reason;
	}
	/* md1nvram, md_nvram and the like */
	if (strstr(base, "nvram") != NULL)
		return "modem NVRAM: IMEI and radio calibration";
	return NULL;
}

/**
 * ub_partition_name_is_calibration:
 * @name: a partition name
 *
 * Returns: %TRUE if erasing or overwriting @name can lose data that cannot be
 * restored from any firmware package
 */
gboolean
ub_partition_name_is_calibration(const gchar *name)
{
	return ub_partition_calibration_reason(name) != NULL;
}

/**
 * ub_partition_name_is_dynamic:
 * @name: a partition name, with or without a slot suffix
 *
 * Returns: %TRUE for the names Android keeps as logical partitions inside
 * super (system, vendor, product...): bootloaders do not list them, only
 * fastbootd does
 */
gboolean
ub_partition_name_is_dynamic(const gchar *name)
{
	const gchar *dynamic[] = {"system",
				  "system_ext",
				  "system_dlkm",
				  "product",
				  "vendor",
				  "vendor_dlkm",
				  "odm",
				  "odm_dlkm",
				  NULL};
	g_autofree gchar *base = NULL;
	if (name == NULL)
		return FALSE;
	base = ub_partition_base_name(name);
	return g_strv_contains(dynamic, base);
}

/**
 * ub_partition_name_is_bootloader:
 * @name: a partition name
 *
 * Returns: %TRUE if @name is a boot chain stage (format "except bootloader" skips it)
 */
gboolean
ub_partition_name_is_bootloader(const gchar *name)
{
	g_autofree gchar *base = NULL;
	if (name == NULL)
		return FALSE;
	base = ub_partition_base_name(name);
	for (guint i = 0; ub_partition_bootloader_prefixes[i] != NULL; i++) {
		const gchar *p = ub_partition_bootloader_prefixes[i];
		gsize plen = strlen(p);
		if (strncmp(base, p, plen) != 0)
			continue;
		/* "xbl", "xbl_config", "sbl1", but not "lksomething" */
		if (base[plen] == '\0' || base[plen] == '_' || g_ascii_isdigit(base[plen]))
			return TRUE;
	}
	return FALSE;
}

/**
 * ub_partition_array_find:
 * @partitions: (element-type UbPartition): partitions
 * @name: a partition name
 *
 * Returns: (transfer none) (nullable): the partition called @name
 */
UbPartition *
ub_partition_array_find(GPtrArray *partitions, const gchar *name)
{
	for (guint i = 0; partitions != NULL && i < partitions->len; i++) {
		UbPartition *p = g_ptr_array_index(partitions, i);
		if (g_strcmp0(p->name, name) == 0)
			return p;
	}
	return NULL;
}

const gchar *
ub_partition_get_name(UbPartition *self)
{
	g_return_val_if_fail(UB_IS_PARTITION(self), NULL);
	return self->name;
}

const gchar *
ub_partition_get_region(UbPartition *self)
{
	g_return_val_if_fail(UB_IS_PARTITION(self), NULL);
	return self->region;
}

guint64
ub_partition_get_offset(UbPartition *self)
{
	g_return_val_if_fail(UB_IS_PARTITION(self), 0);
	return self->offset;
}

guint64
ub_partition_get_size(UbPartition *self)
{
	g_return_val_if_fail(UB_IS_PARTITION(self), 0);
	return self->size;
}

guint64
ub_partition_get_end(UbPartition *self)
{
	g_return_val_if_fail(UB_IS_PARTITION(self), 0);
	return self->offset + self->size;
}

gboolean
ub_partition_is_calibration(UbPartition *self)
{
	g_return_val_if_fail(UB_IS_PARTITION(self), FALSE);
	return ub_partition_name_is_calibration(self->name);
}

void
ub_partition_set_is_logical(UbPartition *self, gboolean is_logical)
{
	g_return_if_fail(UB_IS_PARTITION(self));
	self->is_logical = is_logical;
}

gboolean
ub_partition_get_is_logical(UbPartition *self)
{
	g_return_val_if_fail(UB_IS_PARTITION(self), FALSE);
	return self->is_logical;
}

static void
ub_partition_finalize(GObject *object)
{
	UbPartition *self = UB_PARTITION(object);
	g_free(self->name);
	g_free(self->region);
	G_OBJECT_CLASS(ub_partition_parent_class)->finalize(object);
}

static void
ub_partition_init(UbPartition *self)
{
}

static void
ub_partition_class_init(UbPartitionClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_partition_finalize;
}

/**
 * ub_partition_new:
 * @name: partition name
 * @region: (nullable): region or LUN, e.g. "user", "boot1", "lun4"
 * @offset: byte offset within the region
 * @size: size in bytes
 *
 * Returns: (transfer full): a new #UbPartition
 */
UbPartition *
ub_partition_new(const gchar *name, const gchar *region, guint64 offset, guint64 size)
{
	UbPartition *self = g_object_new(UB_TYPE_PARTITION, NULL);
	self->name = g_strdup(name);
	self->region = g_strdup(region);
	self->offset = offset;
	self->size = size;
	return self;
}
