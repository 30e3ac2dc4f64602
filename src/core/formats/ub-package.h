/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ub-package-source.h"

G_BEGIN_DECLS

/* a start or size not known until a device is attached (pseudo addresses,
 * NUM_DISK_SECTORS expressions, "grow" partitions) */
#define UB_PACKAGE_UNKNOWN G_MAXUINT64

typedef enum {
	UB_PACKAGE_FORMAT_UNKNOWN,
	UB_PACKAGE_FORMAT_MTK_SCATTER,	   /* SP Flash Tool */
	UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD, /* QFIL: rawprogram*.xml + patch*.xml */
	UB_PACKAGE_FORMAT_FASTBOOT_ROM,	   /* MiFlash: flash_all*.sh/.bat + images/ */
	UB_PACKAGE_FORMAT_GOOGLE_FACTORY,  /* flash-all.sh + image-*.zip + android-info.txt */
	UB_PACKAGE_FORMAT_LAST
} UbPackageFormat;

const gchar *
ub_package_format_to_string(UbPackageFormat format);

/**
 * UbPackagePartition:
 * @name: partition name as the package spells it
 * @region: "EMMC_USER", "EMMC_BOOT1_BOOT2", "UFS_LU2", "lun4", or %NULL (fastboot)
 * @lun: physical partition number (Qualcomm UFS LUN, MTK UFS LU), or -1
 * @start: byte offset in @region, or %UB_PACKAGE_UNKNOWN
 * @size: bytes, or %UB_PACKAGE_UNKNOWN (grow to the end, or not stated)
 * @start_expr: (nullable): the start as written when it is an expression
 *   ("NUM_DISK_SECTORS-33.", "0xFFFF0084"), passed on verbatim if unresolved
 * @file: (nullable): path of the image inside the package; %NULL when there is
 *   nothing to write (placeholder, empty filename, NONE)
 * @file_offset: where the data starts inside @file (file_sector_offset), bytes
 * @download: selected for download by default (MTK is_download, Qualcomm a
 *   program entry with a file, fastboot a flash step)
 * @operation: the package's operation type: MTK "UPDATE", "BOOTLOADERS",
 *   "INVISIBLE", "PROTECTED", "BINREGION", "RESERVED"; Qualcomm "program";
 *   fastboot "flash", "erase"
 * @slot: (nullable): "a", "b", or "ab" (Xiaomi: every slot) when the package names one
 * @calibration: holds per-device data no package can restore
 * @calibration_reason: (nullable): why, untranslated, from ub_package_calibration_reason()
 * @sparse: the image is an Android sparse image
 * @readback_verify: the package asks to verify this entry after writing
 *
 * One row of the table every front-end shows.
 */
typedef struct {
	gchar *name;
	gchar *region;
	gint lun;
	guint64 start;
	guint64 size;
	gchar *start_expr;
	gchar *file;
	guint64 file_offset;
	gboolean download;
	gchar *operation;
	gchar *slot;
	gboolean calibration;
	const gchar *calibration_reason;
	gboolean sparse;
	gboolean readback_verify;
} UbPackagePartition;

UbPackagePartition *
ub_package_partition_new(const gchar *name);
void
ub_package_partition_free(UbPackagePartition *part);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbPackagePartition, ub_package_partition_free)

typedef enum {
	UB_PACKAGE_STEP_FLASH,	     /* write @file to @partition */
	UB_PACKAGE_STEP_ERASE,	     /* erase @partition */
	UB_PACKAGE_STEP_FORMAT,	     /* MTK format of a region/range: @partition or @arg */
	UB_PACKAGE_STEP_PATCH,	     /* Qualcomm patch: @arg holds the patch attributes */
	UB_PACKAGE_STEP_SET_ACTIVE,  /* @value = slot */
	UB_PACKAGE_STEP_REBOOT,	     /* @value = "", "bootloader", "fastboot", "recovery" */
	UB_PACKAGE_STEP_OEM,	     /* @value = "lock", "edl"... ("fastboot oem VALUE") */
	UB_PACKAGE_STEP_FLASHING,    /* @value = "lock", "unlock" ("fastboot flashing VALUE") */
	UB_PACKAGE_STEP_REQUIRE_VAR, /* @arg = variable, @value = expected (product check) */
	UB_PACKAGE_STEP_CHECK_ANTI,  /* anti-rollback: @value = the package's level */
	UB_PACKAGE_STEP_SET_BOOTABLE, /* Qualcomm setbootablestoragedrive: @value = LUN */
	UB_PACKAGE_STEP_UPDATE_SUPER, /* fastbootd: @file = super_empty.img, @value = "wipe" or NULL */
	UB_PACKAGE_STEP_LAST
} UbPackageStepKind;

const gchar *
ub_package_step_kind_to_string(UbPackageStepKind kind);

/**
 * UbPackageStep:
 * @kind: what to do
 * @partition: (nullable): the target partition, exactly as the package names it
 * @file: (nullable): the image inside the package
 * @arg: (nullable): kind-specific argument
 * @value: (nullable): kind-specific value
 * @line: where it comes from ("flash_all.sh:12"), for messages
 */
typedef struct {
	UbPackageStepKind kind;
	gchar *partition;
	gchar *file;
	gchar *arg;
	gchar *value;
	gchar *line;
} UbPackageStep;

UbPackageStep *
ub_package_step_new(UbPackageStepKind kind, const gchar *partition, const gchar *file);
void
ub_package_step_free(UbPackageStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbPackageStep, ub_package_step_free)

/**
 * UbPackagePlan:
 * @id: stable id: MTK "download-only", "firmware-upgrade", "format-all-download";
 *   Qualcomm "flat-build"; fastboot the script's basename without extension
 *   ("flash_all", "flash_all_except_storage", "flash_all_lock", "flash-all")
 * @title: untranslated English title for logs; front-ends translate by @id
 * @steps: (element-type UbPackageStep): in order
 * @destructive: wipes user data or calibration data
 */
typedef struct {
	gchar *id;
	gchar *title;
	GPtrArray *steps;
	gboolean destructive;
} UbPackagePlan;

UbPackagePlan *
ub_package_plan_new(const gchar *id, const gchar *title);
void
ub_package_plan_free(UbPackagePlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbPackagePlan, ub_package_plan_free)

/**
 * UbPackageOptions:
 * @storage: (nullable): "emmc" or "ufs" to pick a V2 scatter block; %NULL: the
 *   package's only or first storage
 * @disk_size: bytes of the user area / LUN to resolve pseudo addresses and
 *   NUM_DISK_SECTORS; 0 when not known yet
 */
typedef struct {
	const gchar *storage;
	guint64 disk_size;
} UbPackageOptions;

#define UB_TYPE_PACKAGE (ub_package_get_type())
G_DECLARE_FINAL_TYPE(UbPackage, ub_package, UB, PACKAGE, GObject)

UbPackage *
ub_package_open(const gchar *path,
		const UbPackageOptions *options,
		GCancellable *cancellable,
		GError **error) G_GNUC_WARN_UNUSED_RESULT;
UbPackage *
ub_package_new(UbPackageSource *source);

UbPackageSource *
ub_package_get_source(UbPackage *self);
UbPackageFormat
ub_package_get_format(UbPackage *self);
void
ub_package_set_format(UbPackage *self, UbPackageFormat format);
const gchar *
ub_package_get_path(UbPackage *self);
void
ub_package_set_path(UbPackage *self, const gchar *path);
const gchar *
ub_package_get_platform(UbPackage *self);
void
ub_package_set_platform(UbPackage *self, const gchar *platform);
const gchar *
ub_package_get_product(UbPackage *self);
void
ub_package_set_product(UbPackage *self, const gchar *product);
const gchar *
ub_package_get_storage(UbPackage *self);
void
ub_package_set_storage(UbPackage *self, const gchar *storage);
guint32
ub_package_get_sector_size(UbPackage *self);
void
ub_package_set_sector_size(UbPackage *self, guint32 sector_size);
const gchar *
ub_package_get_version(UbPackage *self);
void
ub_package_set_version(UbPackage *self, const gchar *version);

void
ub_package_add_partition(UbPackage *self, UbPackagePartition *part);
GPtrArray *
ub_package_get_partitions(UbPackage *self);
UbPackagePartition *
ub_package_find_partition(UbPackage *self, const gchar *name);
void
ub_package_add_plan(UbPackage *self, UbPackagePlan *plan);
GPtrArray *
ub_package_get_plans(UbPackage *self);
UbPackagePlan *
ub_package_find_plan(UbPackage *self, const gchar *id);
void
ub_package_add_warning(UbPackage *self, const gchar *fmt, ...) G_GNUC_PRINTF(2, 3);
GPtrArray *
ub_package_get_warnings(UbPackage *self);
void
ub_package_add_checksum(UbPackage *self,
			const gchar *file,
			GChecksumType type,
			const gchar *expected,
			const gchar *origin);
void
ub_package_add_mtk_checksum(UbPackage *self,
			    const gchar *file,
			    guint16 expected,
			    const gchar *origin);
void
ub_package_set_requirement(UbPackage *self, const gchar *key, const gchar *value);
GHashTable *
ub_package_get_requirements(UbPackage *self);

GPtrArray *
ub_package_list_files(UbPackage *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
GBytes *
ub_package_load_file(UbPackage *self,
		     const gchar *file,
		     gsize max_size,
		     GCancellable *cancellable,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_package_query_file_size(UbPackage *self,
			   const gchar *file,
			   guint64 *size,
			   GCancellable *cancellable,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
GInputStream *
ub_package_open_file(UbPackage *self,
		     const gchar *file,
		     guint64 *size,
		     GCancellable *cancellable,
		     GError **error) G_GNUC_WARN_UNUSED_RESULT;

GPtrArray *
ub_package_check(UbPackage *self, GCancellable *cancellable);
gboolean
ub_package_preflight(UbPackage *self, GCancellable *cancellable, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

const gchar *
ub_package_calibration_reason(const gchar *name);

G_END_DECLS
