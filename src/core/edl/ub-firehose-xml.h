/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Firehose XML documents, pure, shared by the engine and the simulated phone.
 * Every message is `<?xml version="1.0" ?><data><TAG attr="v" .../></data>`
 * with exactly one child; attribute and tag names compare case-insensitively.
 * See reference/edl.md a.3.
 */

/* the largest document either side accepts (MaxXMLSizeInBytes) */
#define UB_FIREHOSE_MAX_XML 4096

/**
 * UbFirehoseElement:
 * @tag: the child of `<data>`, lower-cased ("response", "log", "program")
 * @names: (array zero-terminated=1): attribute names as written
 * @values: (array zero-terminated=1): attribute values, unescaped
 */
typedef struct {
	gchar *tag;
	gchar **names;
	gchar **values;
} UbFirehoseElement;

void
ub_firehose_element_free(UbFirehoseElement *element);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbFirehoseElement, ub_firehose_element_free)
/* value of @name, compared case-insensitively; %NULL when absent */
const gchar *
ub_firehose_element_get(const UbFirehoseElement *element, const gchar *name);
/* parses an unsigned decimal or 0x attribute; FALSE when absent or not a number */
gboolean
ub_firehose_element_get_u64(const UbFirehoseElement *element, const gchar *name, guint64 *value);

/* parses one document; fails on anything but `<data>` with exactly one child
 * element (text, comments and the XML declaration are fine), a document longer
 * than UB_FIREHOSE_MAX_XML, or bad XML: the error says what is wrong */
UbFirehoseElement *
ub_firehose_xml_parse(const gchar *buf, gsize bufsz, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* builds a document for @tag with the attributes in order (values escaped);
 * when its length is an exact multiple of 512 a newline is appended, so it
 * never needs a zero-length packet */
gchar *
ub_firehose_xml_build(const gchar *tag,
		      const gchar *const *names,
		      const gchar *const *values,
		      gsize *len);
/* the same from an attribute string as rawprogram/patch entries keep them
 * (`SECTOR_SIZE_IN_BYTES="512" byte_offset="8"`); validated by parsing */
gchar *
ub_firehose_xml_build_raw(const gchar *tag, const gchar *attrs, gsize *len, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/*
 * UbFirehoseFramer: splits a byte stream into documents. USB delivers one
 * document per transfer, but serial ports and some drivers glue several
 * documents (and raw data after a rawmode ACK) together or split them.
 * Feed it what arrived; take whole documents (ending in `</data>`); the bytes
 * after the last document stay and can be taken as raw data.
 */
typedef struct _UbFirehoseFramer UbFirehoseFramer;

UbFirehoseFramer *
ub_firehose_framer_new(void);
void
ub_firehose_framer_free(UbFirehoseFramer *framer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbFirehoseFramer, ub_firehose_framer_free)
/* appends bytes; FALSE with an error when more than UB_FIREHOSE_MAX_XML bytes
 * pile up without a `</data>` */
gboolean
ub_firehose_framer_push(UbFirehoseFramer *framer, const guint8 *buf, gsize bufsz, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* the next whole document (through `</data>`), or %NULL when none is complete */
gchar *
ub_firehose_framer_pop(UbFirehoseFramer *framer, gsize *len);
/* bytes buffered that are not a document yet */
gsize
ub_firehose_framer_get_pending(UbFirehoseFramer *framer);
/* moves up to @bufsz buffered bytes out (raw data glued after an ACK); returns the count */
gsize
ub_firehose_framer_take_raw(UbFirehoseFramer *framer, guint8 *buf, gsize bufsz);

G_END_DECLS
