/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-error.h"
#include "ub-md5sum-xml.h"
#include "ub-xml.h"

/* 79 entries take 7 KB; a few thousand are still far below this */
#define UB_MD5SUM_XML_MAX_SIZE (4 * 1024 * 1024)
#define UB_MD5SUM_XML_MAX_DEPTH 16

struct _UbMd5sumXml {
	GObject parent_instance;
	GPtrArray *digests;	/* of UbMd5sumDigest */
	GHashTable *by_name;	/* name -> UbMd5sumDigest (borrowed) */
	GPtrArray *warnings;	/* of gchar* */
	gchar *security_patch_level;
};

G_DEFINE_TYPE(UbMd5sumXml, ub_md5sum_xml, G_TYPE_OBJECT)

typedef struct {
	UbMd5sumXml *self;
	GPtrArray *stack; /* element names, borrowed from GMarkup for the call only: copied */
	UbMd5sumDigest *current;
	GString *text;
} UbMd5sumXmlHelper;

void
ub_md5sum_digest_free(UbMd5sumDigest *digest)
{
	if (digest == NULL)
		return;
	g_free(digest->name);
	g_free(digest->hash);
	g_free(digest->value);
	g_free(digest);
}

static const gchar *
ub_md5sum_xml_helper_parent(UbMd5sumXmlHelper *helper)
{
	if (helper->stack->len == 0)
		return NULL;
	return g_ptr_array_index(helper->stack, helper->stack->len - 1);
}

static void
ub_md5sum_xml_start_element_cb(GMarkupParseContext *context,
			       const gchar *element_name,
			       const gchar **attribute_names,
			       const gchar **attribute_values,
			       gpointer user_data,
			       GError **error)
{
	UbMd5sumXmlHelper *helper = user_data;

	if (helper->stack->len >= UB_MD5SUM_XML_MAX_DEPTH) {
		g_set_error_literal(error,
				    G_MARKUP_ERROR,
				    G_MARKUP_ERROR_INVALID_CONTENT,
				    "elements nested too deep");
		return;
	}
	if (g_strcmp0(element_name, "digest") == 0) {
		const gchar *name = NULL;
		const gchar *hash = NULL;
		gint line = 0;
		if (!g_markup_collect_attributes(element_name,
						 attribute_names,
						 attribute_values,
						 error,
						 G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL,
						 "name",
						 &name,
						 G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL,
						 "hash",
						 &hash,
						 G_MARKUP_COLLECT_INVALID))
			return;
		if (helper->current != NULL) {
			g_set_error_literal(error,
					    G_MARKUP_ERROR,
					    G_MARKUP_ERROR_INVALID_CONTENT,
					    "<digest> inside <digest>");
			return;
		}
		g_markup_parse_context_get_position(context, &line, NULL);
		helper->current = g_new0(UbMd5sumDigest, 1);
		helper->current->name = g_strdup(name);
		helper->current->hash = hash != NULL ? g_ascii_strdown(hash, -1) : NULL;
		helper->current->line = (guint)line;
	}
	g_string_truncate(helper->text, 0);
	g_ptr_array_add(helper->stack, g_strdup(element_name));
}

static guint
ub_md5sum_xml_hash_length(const gchar *hash)
{
	if (g_strcmp0(hash, "md5") == 0)
		return 32;
	if (g_strcmp0(hash, "sha1") == 0)
		return 40;
	if (g_strcmp0(hash, "sha256") == 0)
		return 64;
	return 0;
}

static gboolean
ub_md5sum_xml_name_is_plain(const gchar *name)
{
	if (name == NULL || name[0] == '\0' || g_strcmp0(name, ".") == 0 ||
	    g_strcmp0(name, "..") == 0)
		return FALSE;
	for (guint i = 0; name[i] != '\0'; i++) {
		if (name[i] == '/' || name[i] == '\\' || g_ascii_iscntrl(name[i]))
			return FALSE;
	}
	return TRUE;
}

static void
ub_md5sum_xml_add_digest(UbMd5sumXmlHelper *helper, UbMd5sumDigest *digest_owned)
{
	g_autoptr(UbMd5sumDigest) digest = digest_owned;
	UbMd5sumXml *self = helper->self;
	g_autofree gchar *value = g_strstrip(g_strdup(helper->text->str));
	guint len = ub_md5sum_xml_hash_length(digest->hash);

	if (!ub_md5sum_xml_name_is_plain(digest->name)) {
		g_autofree gchar *name = g_utf8_make_valid(digest->name != NULL ? digest->name : "", -1);
		g_ptr_array_add(self->warnings,
				g_strdup_printf("md5sum.xml:%u: digest for \"%s\" is not a plain "
						"file name, ignored",
						digest->line,
						name));
		return;
	}
	if (len == 0) {
		g_ptr_array_add(self->warnings,
				g_strdup_printf("md5sum.xml:%u: %s: unknown hash \"%s\", ignored",
						digest->line,
						digest->name,
						digest->hash != NULL ? digest->hash : ""));
		return;
	}
	if (strlen(value) != len) {
		g_ptr_array_add(self->warnings,
				g_strdup_printf("md5sum.xml:%u: %s: %s digest is not %u hex digits, ignored",
						digest->line,
						digest->name,
						digest->hash,
						len));
		return;
	}
	for (guint i = 0; i < len; i++) {
		if (!g_ascii_isxdigit(value[i])) {
			g_ptr_array_add(self->warnings,
					g_strdup_printf("md5sum.xml:%u: %s: digest is not hex, ignored",
							digest->line,
							digest->name));
			return;
		}
	}
	if (g_hash_table_contains(self->by_name, digest->name)) {
		g_ptr_array_add(self->warnings,
				g_strdup_printf("md5sum.xml:%u: second digest for %s ignored",
						digest->line,
						digest->name));
		return;
	}
	digest->value = g_ascii_strdown(value, -1);
	g_hash_table_insert(self->by_name, digest->name, digest);
	g_ptr_array_add(self->digests, g_steal_pointer(&digest));
}

static void
ub_md5sum_xml_end_element_cb(GMarkupParseContext *context,
			     const gchar *element_name,
			     gpointer user_data,
			     GError **error)
{
	UbMd5sumXmlHelper *helper = user_data;

	if (helper->stack->len > 0)
		g_ptr_array_remove_index(helper->stack, helper->stack->len - 1);
	if (g_strcmp0(element_name, "digest") == 0 && helper->current != NULL) {
		ub_md5sum_xml_add_digest(helper, g_steal_pointer(&helper->current));
	} else if (g_strcmp0(element_name, "level") == 0 &&
		   g_strcmp0(ub_md5sum_xml_helper_parent(helper), "security-patch-level") == 0 &&
		   helper->self->security_patch_level == NULL) {
		/* "PLATFORM_SECURITY_PATCH := 2021-03-01" */
		const gchar *level = strstr(helper->text->str, ":=");
		level = level != NULL ? level + 2 : helper->text->str;
		helper->self->security_patch_level = g_strstrip(g_strdup(level));
	}
	g_string_truncate(helper->text, 0);
}

static void
ub_md5sum_xml_text_cb(GMarkupParseContext *context,
		      const gchar *text,
		      gsize text_len,
		      gpointer user_data,
		      GError **error)
{
	UbMd5sumXmlHelper *helper = user_data;
	/* a digest or a level is short; anything long is not one */
	if (helper->text->len + text_len > 4096) {
		g_string_truncate(helper->text, 0);
		return;
	}
	g_string_append_len(helper->text, text, text_len);
}

/**
 * ub_md5sum_xml_parse:
 * @buf: the content of md5sum.xml
 * @bufsz: size of @buf
 * @error: (nullable): optional return location for an error
 *
 * Reads MiFlash's digest list with GMarkup (no DTD, no external entities).
 * Entries that cannot be used (a path instead of a name, a bad digest, a
 * duplicate) become warnings.
 *
 * Returns: (transfer full): the list, or %NULL on error
 **/
UbMd5sumXml *
ub_md5sum_xml_parse(const guint8 *buf, gsize bufsz, GError **error)
{
	g_autoptr(UbMd5sumXml) self = g_object_new(UB_TYPE_MD5SUM_XML, NULL);
	g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GError) error_local = NULL;
	const GMarkupParser parser = {
	    .start_element = ub_md5sum_xml_start_element_cb,
	    .end_element = ub_md5sum_xml_end_element_cb,
	    .text = ub_md5sum_xml_text_cb,
	};
	UbMd5sumXmlHelper helper = {.self = self, .stack = stack, .text = text};

	g_return_val_if_fail(buf != NULL || bufsz == 0, NULL);

	if (!ub_xml_parse(&parser,
			  &helper,
			  buf,
			  bufsz,
			  UB_MD5SUM_XML_MAX_SIZE,
			  "md5sum.xml",
			  &error_local)) {
		/* GMarkup's own domain becomes ours */
		ub_md5sum_digest_free(g_steal_pointer(&helper.current));
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, error_local->message);
		return NULL;
	}
	ub_md5sum_digest_free(g_steal_pointer(&helper.current));
	if (self->digests->len == 0 && self->warnings->len == 0) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "md5sum.xml has no <digest> elements");
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * ub_md5sum_xml_get_digests:
 * @self: a #UbMd5sumXml
 *
 * Returns: (transfer none) (element-type UbMd5sumDigest): in file order
 **/
GPtrArray *
ub_md5sum_xml_get_digests(UbMd5sumXml *self)
{
	g_return_val_if_fail(UB_IS_MD5SUM_XML(self), NULL);
	return self->digests;
}

const UbMd5sumDigest *
ub_md5sum_xml_find(UbMd5sumXml *self, const gchar *name)
{
	g_return_val_if_fail(UB_IS_MD5SUM_XML(self), NULL);
	g_return_val_if_fail(name != NULL, NULL);
	return g_hash_table_lookup(self->by_name, name);
}

/* "2021-03-01", or NULL */
const gchar *
ub_md5sum_xml_get_security_patch_level(UbMd5sumXml *self)
{
	g_return_val_if_fail(UB_IS_MD5SUM_XML(self), NULL);
	return self->security_patch_level;
}

/**
 * ub_md5sum_xml_get_warnings:
 * @self: a #UbMd5sumXml
 *
 * Returns: (transfer none) (element-type utf8): entries that were ignored
 **/
GPtrArray *
ub_md5sum_xml_get_warnings(UbMd5sumXml *self)
{
	g_return_val_if_fail(UB_IS_MD5SUM_XML(self), NULL);
	return self->warnings;
}

static void
ub_md5sum_xml_finalize(GObject *object)
{
	UbMd5sumXml *self = UB_MD5SUM_XML(object);
	g_hash_table_unref(self->by_name);
	g_ptr_array_unref(self->digests);
	g_ptr_array_unref(self->warnings);
	g_free(self->security_patch_level);
	G_OBJECT_CLASS(ub_md5sum_xml_parent_class)->finalize(object);
}

static void
ub_md5sum_xml_class_init(UbMd5sumXmlClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_md5sum_xml_finalize;
}

static void
ub_md5sum_xml_init(UbMd5sumXml *self)
{
	self->digests = g_ptr_array_new_with_free_func((GDestroyNotify)ub_md5sum_digest_free);
	self->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	self->warnings = g_ptr_array_new_with_free_func(g_free);
}
