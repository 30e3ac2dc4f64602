/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-device-db.h"
#include "ub-error.h"
#include "ub-udev-rules.h"

/* one KEY[{attr}] OP "value" term of a rule line */
static gboolean
ub_udev_rules_test_check_term(const gchar *term, GError **error)
{
	const gchar *keys[] = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "ATTR", "ATTRS", "ENV",
			       "TAG", "GOTO", "LABEL", NULL};
	g_autoptr(GRegex) re = NULL;
	g_autoptr(GMatchInfo) match = NULL;
	g_autofree gchar *key = NULL;
	g_autofree gchar *op = NULL;

	re = g_regex_new("^([A-Z]+)(\\{[A-Za-z_]+\\})?(==|!=|\\+=|=)\"([^\"]*)\"$", 0, 0, NULL);
	if (!g_regex_match(re, term, 0, &match)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "bad term '%s'", term);
		return FALSE;
	}
	key = g_match_info_fetch(match, 1);
	op = g_match_info_fetch(match, 3);
	if (!g_strv_contains(keys, key)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "unknown key '%s'", key);
		return FALSE;
	}
	/* assignments only where udev allows them */
	if ((g_str_equal(op, "=") || g_str_equal(op, "+=")) &&
	    !(g_str_equal(key, "ENV") || g_str_equal(key, "TAG") || g_str_equal(key, "GOTO") ||
	      g_str_equal(key, "LABEL"))) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "'%s' cannot be assigned with %s",
			    key,
			    op);
		return FALSE;
	}
	return TRUE;
}

/* a small udev rules parser: comments, terms separated by ", ", every GOTO has
 * its LABEL, every device rule grants access only through uaccess */
static gboolean
ub_udev_rules_test_check_text(const gchar *text, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GPtrArray) gotos = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);

	if (!g_str_has_suffix(text, "\n")) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, "no final newline");
		return FALSE;
	}
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		g_auto(GStrv) terms = NULL;
		gboolean has_match = FALSE;
		gboolean has_action = FALSE;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (g_str_has_suffix(line, " ") || g_str_has_suffix(line, "\\")) {
			g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "line %u: trailing", i + 1);
			return FALSE;
		}
		if (strstr(line, "MODE") != NULL || strstr(line, "GROUP") != NULL ||
		    strstr(line, "0666") != NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %u: permissions other than uaccess",
				    i + 1);
			return FALSE;
		}
		terms = g_strsplit(line, ", ", -1);
		for (guint j = 0; terms[j] != NULL; j++) {
			if (!ub_udev_rules_test_check_term(terms[j], error)) {
				g_prefix_error(error, "line %u: ", i + 1);
				return FALSE;
			}
			if (g_str_has_prefix(terms[j], "GOTO=")) {
				g_ptr_array_add(gotos, g_strdup(terms[j] + 5));
				has_action = TRUE;
			} else if (g_str_has_prefix(terms[j], "LABEL=")) {
				g_ptr_array_add(labels, g_strdup(terms[j] + 6));
				has_action = TRUE;
			} else if (strstr(terms[j], "==") != NULL || strstr(terms[j], "!=") != NULL) {
				has_match = TRUE;
			} else {
				has_action = TRUE;
			}
		}
		if (!has_action) {
			g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "line %u: no action", i + 1);
			return FALSE;
		}
		/* a rule that assigns to a device must match something first */
		if (!has_match && !g_str_has_prefix(line, "LABEL=")) {
			g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "line %u: no match", i + 1);
			return FALSE;
		}
		if (strstr(line, "ENV{ID_MM_DEVICE_IGNORE}") == NULL && strstr(line, "TAG") != NULL &&
		    strstr(line, "idProduct") != NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "line %u: a flashing mode without ID_MM_DEVICE_IGNORE",
				    i + 1);
			return FALSE;
		}
	}
	for (guint i = 0; i < gotos->len; i++) {
		gboolean found = FALSE;
		for (guint j = 0; j < labels->len; j++)
			found |= g_str_equal(g_ptr_array_index(gotos, i), g_ptr_array_index(labels, j));
		if (!found) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "GOTO %s has no LABEL",
				    (const gchar *)g_ptr_array_index(gotos, i));
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
ub_udev_rules_test_has_line(const gchar *text, const gchar *needle1, const gchar *needle2)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '#')
			continue;
		if (strstr(lines[i], needle1) != NULL &&
		    (needle2 == NULL || strstr(lines[i], needle2) != NULL) &&
		    strstr(lines[i], "TAG+=\"uaccess\"") != NULL)
			return TRUE;
	}
	return FALSE;
}

static void
ub_udev_rules_test_syntax(void)
{
	g_autofree gchar *text = ub_udev_rules_to_string();
	g_autoptr(GError) error = NULL;
	gboolean ret = ub_udev_rules_test_check_text(text, &error);
	g_assert_no_error(error);
	g_assert_true(ret);
	g_assert_null(strstr(text, "MODE="));
	g_assert_nonnull(strstr(text, "LABEL=\"unbrick_end\""));
}

/* the checker itself rejects what it is there to catch */
static void
ub_udev_rules_test_syntax_bad(void)
{
	const gchar *bad[] = {
	    "SUBSYSTEM==\"usb\", ATTR{idVendor}==\"05c6\", MODE=\"0666\"\n",
	    "SUBSYSTEM==\"usb\" ATTR{idVendor}==\"05c6\", TAG+=\"uaccess\"\n",
	    "SUBSYSTEM==\"usb\", ATTR{idVendor}=\"05c6\", TAG+=\"uaccess\"\n",
	    "SUBSYSTEM==\"usb\", FOO==\"x\", TAG+=\"uaccess\"\n",
	    "SUBSYSTEM==\"usb\", ATTR{idVendor}==\"05c6\"\n",
	    "ACTION==\"remove\", GOTO=\"nowhere\"\n",
	    "TAG+=\"uaccess\"\n",
	    "ATTRS{idVendor}==\"05c6\", ATTRS{idProduct}==\"9008\", TAG+=\"uaccess\"\n",
	    "SUBSYSTEM==\"usb\", TAG+=\"uaccess\"",
	    NULL,
	};
	for (guint i = 0; bad[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(ub_udev_rules_test_check_text(bad[i], &error));
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_debug("rejected as expected: %s", error->message);
	}
}

static void
ub_udev_rules_test_device_table(void)
{
	g_autofree gchar *text = ub_udev_rules_to_string();
	gsize n_entries = 0;
	gsize n_vendors = 0;
	const UbDeviceDbEntry *entries = ub_device_db_get_entries(&n_entries);
	const guint16 *vendors = ub_device_db_get_fastboot_vendors(&n_vendors);

	g_assert_cmpuint(n_entries, >=, 5);
	for (gsize i = 0; i < n_entries; i++) {
		const UbDeviceDbEntry *e = &entries[i];
		g_autofree gchar *needle1 = NULL;
		g_autofree gchar *needle2 = NULL;
		if (e->vid != 0) {
			needle1 = g_strdup_printf("ATTRS{idVendor}==\"%04x\"", e->vid);
			needle2 = g_strdup_printf("ATTRS{idProduct}==\"%04x\"", e->pid);
		} else {
			needle1 = g_strdup_printf("ENV{ID_USB_INTERFACES}==\"*:%02x%02x%02x:*\"",
						  (guint)e->if_class,
						  (guint)e->if_subclass,
						  (guint)e->if_protocol);
			needle2 = g_strdup("ENV{ID_MM_DEVICE_IGNORE}=\"1\"");
		}
		g_assert_true(ub_udev_rules_test_has_line(text, needle1, needle2));
		g_assert_nonnull(strstr(text, e->name));
	}

	/* the ids the issue names, spelled out so a table edit cannot drop them */
	g_assert_true(ub_udev_rules_test_has_line(text, "\"05c6\"", "\"9008\""));
	g_assert_true(ub_udev_rules_test_has_line(text, "\"0e8d\"", "\"0003\""));
	g_assert_true(ub_udev_rules_test_has_line(text, "\"0e8d\"", "\"2000\""));
	g_assert_true(ub_udev_rules_test_has_line(text, "\"0e8d\"", "\"2001\""));
	g_assert_true(ub_udev_rules_test_has_line(text, "*:ff4203:*", NULL));

	g_assert_cmpuint(n_vendors, >=, 10);
	for (gsize i = 0; i < n_vendors; i++) {
		g_autofree gchar *needle = g_strdup_printf("ATTR{idVendor}==\"%04x\"", vendors[i]);
		g_assert_true(ub_udev_rules_test_has_line(text, needle, "usb_device"));
	}
}

/* vendor-wide lines must not hide a vendor's modems from ModemManager */
static void
ub_udev_rules_test_modem_manager(void)
{
	g_autofree gchar *text = ub_udev_rules_to_string();
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint n_ignore = 0;
	for (guint i = 0; lines[i] != NULL; i++) {
		if (strstr(lines[i], "ID_MM_DEVICE_IGNORE") == NULL || lines[i][0] == '#')
			continue;
		g_assert_true(strstr(lines[i], "idProduct") != NULL ||
			      strstr(lines[i], "ID_USB_INTERFACES") != NULL);
		g_assert_nonnull(strstr(lines[i], "ENV{ID_MM_DEVICE_IGNORE}=\"1\""));
		n_ignore++;
	}
	g_assert_cmpuint(n_ignore, ==, 5);
}

/* the copy committed for people who do not build equals the generated text */
static void
ub_udev_rules_test_committed(void)
{
	g_autofree gchar *text = ub_udev_rules_to_string();
	g_autofree gchar *committed = NULL;
	g_autofree gchar *fn =
	    g_test_build_filename(G_TEST_DIST, "..", "data", "udev", UB_UDEV_RULES_FILENAME, NULL);
	g_autoptr(GError) error = NULL;

	g_file_get_contents(fn, &committed, NULL, &error);
	g_assert_no_error(error);
	if (g_strcmp0(committed, text) != 0) {
		g_test_fail_printf("%s is out of date: regenerate it with "
				   "'data/udev/ub-udev-gen ../data/udev/" UB_UDEV_RULES_FILENAME
				   "' in the build folder",
				   fn);
	}
}

/* the metainfo advertises every mode of the device table */
static void
ub_udev_rules_test_modaliases(void)
{
	g_autoptr(GPtrArray) modaliases = ub_udev_rules_get_modaliases();
	g_autofree gchar *xml = NULL;
	g_autofree gchar *fn = g_test_build_filename(G_TEST_DIST,
						     "..",
						     "data",
						     "desktop",
						     "io.github.unbrick.Unbrick.metainfo.xml.in",
						     NULL);
	g_autoptr(GError) error = NULL;
	gsize n_entries = 0;

	ub_device_db_get_entries(&n_entries);
	g_assert_cmpuint(modaliases->len, ==, n_entries);
	g_assert_true(g_ptr_array_find_with_equal_func(modaliases,
						       "usb:v05C6p9008*",
						       g_str_equal,
						       NULL));
	g_assert_true(g_ptr_array_find_with_equal_func(modaliases,
						       "usb:v*p*d*dc*dsc*dp*icFFisc42ip03*",
						       g_str_equal,
						       NULL));
	g_file_get_contents(fn, &xml, NULL, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < modaliases->len; i++) {
		g_autofree gchar *needle =
		    g_strdup_printf("<modalias>%s</modalias>",
				    (const gchar *)g_ptr_array_index(modaliases, i));
		if (strstr(xml, needle) == NULL)
			g_printerr("%s lacks %s\n", fn, needle);
		g_assert_nonnull(strstr(xml, needle));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/desktop/udev-rules/syntax", ub_udev_rules_test_syntax);
	g_test_add_func("/ub/desktop/udev-rules/syntax-bad", ub_udev_rules_test_syntax_bad);
	g_test_add_func("/ub/desktop/udev-rules/device-table", ub_udev_rules_test_device_table);
	g_test_add_func("/ub/desktop/udev-rules/modem-manager", ub_udev_rules_test_modem_manager);
	g_test_add_func("/ub/desktop/udev-rules/committed", ub_udev_rules_test_committed);
	g_test_add_func("/ub/desktop/udev-rules/modaliases", ub_udev_rules_test_modaliases);
	return g_test_run();
}
