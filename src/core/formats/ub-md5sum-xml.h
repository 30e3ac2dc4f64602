/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* MiFlash md5sum.xml: <root><digests><digest hash="md5" name="FILE">HEX</digest>... */

/**
 * UbMd5sumDigest:
 * @name: the file name as written (a name inside images/)
 * @hash: the hash attribute, lower-case ("md5")
 * @value: the digest, lower-case hex
 * @line: 1-based line of the element
 */
typedef struct {
	gchar *name;
	gchar *hash;
	gchar *value;
	guint line;
} UbMd5sumDigest;

void
ub_md5sum_digest_free(UbMd5sumDigest *digest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbMd5sumDigest, ub_md5sum_digest_free)

#define UB_TYPE_MD5SUM_XML (ub_md5sum_xml_get_type())
G_DECLARE_FINAL_TYPE(UbMd5sumXml, ub_md5sum_xml, UB, MD5SUM_XML, GObject)

UbMd5sumXml *
ub_md5sum_xml_parse(const guint8 *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
ub_md5sum_xml_get_digests(UbMd5sumXml *self);
const UbMd5sumDigest *
ub_md5sum_xml_find(UbMd5sumXml *self, const gchar *name);
const gchar *
ub_md5sum_xml_get_security_patch_level(UbMd5sumXml *self);
GPtrArray *
ub_md5sum_xml_get_warnings(UbMd5sumXml *self);

G_END_DECLS
