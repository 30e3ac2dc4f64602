/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* android-info.txt and fastboot-info.txt of a Google factory image */

/**
 * UbAndroidInfoRequirement:
 * @key: the variable as written ("board", "product", "version-bootloader",
 *   "version-baseband", "partition-exists"...)
 * @values: (element-type utf8): the alternatives ("crosshatch", "blueline");
 *   a value ending in '*' is a prefix match
 * @reject: a "reject" line: the device must match none of @values
 * @for_product: (nullable): "require-for-product:NAME": only applies to NAME
 * @line: 1-based line number
 */
typedef struct {
	gchar *key;
	GPtrArray *values;
	gboolean reject;
	gchar *for_product;
	guint line;
} UbAndroidInfoRequirement;

void
ub_android_info_requirement_free(UbAndroidInfoRequirement *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbAndroidInfoRequirement, ub_android_info_requirement_free)

#define UB_TYPE_ANDROID_INFO (ub_android_info_get_type())
G_DECLARE_FINAL_TYPE(UbAndroidInfo, ub_android_info, UB, ANDROID_INFO, GObject)

UbAndroidInfo *
ub_android_info_parse(const guint8 *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
ub_android_info_get_requirements(UbAndroidInfo *self);
gchar *
ub_android_info_get_value(UbAndroidInfo *self, const gchar *key);
GPtrArray *
ub_android_info_get_warnings(UbAndroidInfo *self);

/* the fastboot-info.txt version this parser understands (AOSP FASTBOOT_INFO_VERSION) */
#define UB_FASTBOOT_INFO_VERSION 1

typedef enum {
	UB_FASTBOOT_INFO_OP_VERSION,	  /* @value = the version */
	UB_FASTBOOT_INFO_OP_FLASH,	  /* @partition, @image */
	UB_FASTBOOT_INFO_OP_ERASE,	  /* @partition */
	UB_FASTBOOT_INFO_OP_REBOOT,	  /* @value = "", "bootloader", "fastboot", "recovery" */
	UB_FASTBOOT_INFO_OP_UPDATE_SUPER, /* update-super from super_empty.img */
	UB_FASTBOOT_INFO_OP_LAST
} UbFastbootInfoOp;

const gchar *
ub_fastboot_info_op_to_string(UbFastbootInfoOp op);

/**
 * UbFastbootInfoCommand:
 * @op: the command
 * @partition: (nullable): flash/erase target
 * @image: (nullable): flash: the image inside the zip, "<partition>.img" when not given
 * @value: (nullable): op-specific value
 * @apply_vbmeta: flash --apply-vbmeta
 * @slot_other: flash --slot-other (the inactive slot)
 * @if_wipe: only run with -w ("if-wipe ...")
 * @index: "command #N": 1-based among non-blank, non-comment lines
 * @line: 1-based line number
 */
typedef struct {
	UbFastbootInfoOp op;
	gchar *partition;
	gchar *image;
	gchar *value;
	gboolean apply_vbmeta;
	gboolean slot_other;
	gboolean if_wipe;
	guint index;
	guint line;
} UbFastbootInfoCommand;

void
ub_fastboot_info_command_free(UbFastbootInfoCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbFastbootInfoCommand, ub_fastboot_info_command_free)

GPtrArray *
ub_fastboot_info_parse(const guint8 *buf,
		       gsize bufsz,
		       guint *version,
		       GPtrArray *warnings,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
