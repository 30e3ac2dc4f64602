/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean
ub_xml_parse(const GMarkupParser *parser,
	     gpointer user_data,
	     const guint8 *buf,
	     gsize bufsz,
	     gsize max_size,
	     const gchar *what,
	     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
ub_xml_check_root(const gchar *element_name,
		  const gchar *expected,
		  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
