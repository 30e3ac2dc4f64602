/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ub-android-info.h"
#include "ub-error.h"
#include "ub-flash-script.h"
#include "ub-md5sum-xml.h"
#include "ub-package-fastboot.h"

/* scripts, misc.txt, md5sum.xml, android-info.txt: all small */
#define UB_PACKAGE_FASTBOOT_MAX_TEXT (1024 * 1024)

/* "dir/rel", or rel when dir is the package root */
static gchar *
ub_package_fastboot_join(const gchar *dir, const gchar *rel)
{
	if (dir == NULL || dir[0] == '\0')
		return g_strdup(rel);
	return g_strdup_printf("%s/%s", dir, rel);
}

/* the folder of @relpath when it names a script, else @relpath itself */
static gchar *
ub_package_fastboot_dir(const gchar *relpath)
{
	g_autofree gchar *lower = g_ascii_strdown(relpath != NULL ? relpath : "", -1);
	g_autofree gchar *dir = NULL;
	if (relpath == NULL || g_strcmp0(relpath, ".") == 0)
		return g_strdup("");
	if (!g_str_has_suffix(lower, ".sh") && !g_str_has_suffix(lower, ".bat"))
		return g_strdup(relpath);
	dir = g_path_get_dirname(relpath);
	if (g_strcmp0(dir, ".") == 0)
		return g_strdup("");
	return g_steal_pointer(&dir);
}

static GHashTable *
ub_package_fastboot_listing(UbPackage *pkg, GCancellable *cancellable, GError **error)
{
	/* with what image-*.zip archives hold, as "image-NAME.zip/boot.img" */
	g_autoptr(GPtrArray) files = ub_package_list_files(pkg, cancellable, error);
	GHashTable *set;
	if (files == NULL)
		return NULL;
	set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < files->len; i++)
		g_hash_table_add(set, g_strdup(g_ptr_array_index(files, i)));
	return set;
}

/* a small text file, or NULL (and no error) when the package does not have it */
static GBytes *
ub_package_fastboot_load_optional(UbPackage *pkg,
				  GHashTable *files,
				  const gchar *relpath,
				  GCancellable *cancellable,
				  GError **error)
{
	g_autoptr(GError) error_local = NULL;
	GBytes *blob;
	if (files != NULL && !g_hash_table_contains(files, relpath))
		return NULL;
	blob = ub_package_load_file(pkg,
				      relpath,
				      UB_PACKAGE_FASTBOOT_MAX_TEXT,
				      cancellable,
				      &error_local);
	if (blob == NULL) {
		if (g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_FOUND)) {
			g_debug("ignoring: %s", error_local->message);
			return NULL;
		}
		g_propagate_prefixed_error(error,
					   g_steal_pointer(&error_local),
					   "failed to read %s: ",
					   relpath);
		return NULL;
	}
	return blob;
}

static UbFlashScript *
ub_package_fastboot_parse_script(UbPackage *pkg,
				 const gchar *relpath,
				 GCancellable *cancellable,
				 GError **error)
{
	g_autoptr(GBytes) blob = NULL;
	UbFlashScript *script;
	GPtrArray *warnings;

	blob = ub_package_load_file(pkg,
				      relpath,
				      UB_PACKAGE_FASTBOOT_MAX_TEXT,
				      cancellable,
				      error);
	if (blob == NULL)
		return NULL;
	script = ub_flash_script_parse(g_bytes_get_data(blob, NULL),
				       g_bytes_get_size(blob),
				       relpath,
				       error);
	if (script == NULL)
		return NULL;
	warnings = ub_flash_script_get_warnings(script);
	for (guint i = 0; i < warnings->len; i++)
		ub_package_add_warning(pkg, "%s", (const gchar *)g_ptr_array_index(warnings, i));
	return script;
}

static gboolean
ub_package_fastboot_name_wipes(const gchar *name)
{
	return g_strcmp0(name, "userdata") == 0 || g_strcmp0(name, "metadata") == 0 ||
	       g_strcmp0(name, "data") == 0;
}

/* the package's own level, or NULL */
static gchar *
ub_package_fastboot_anti_level(UbPackage *pkg,
			       GHashTable *files,
			       const gchar *dir,
			       const UbFlashScriptStep *step,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autofree gchar *path = NULL;
	g_autoptr(GBytes) blob = NULL;
	g_autofree gchar *text = NULL;
	guint64 level = 0;

	if (step->file == NULL)
		return g_strdup(step->value);
	path = ub_package_fastboot_join(dir, step->file);
	blob = ub_package_fastboot_load_optional(pkg, files, path, cancellable, error);
	if (blob == NULL) {
		if (error != NULL && *error != NULL)
			return NULL;
		/* the script falls back to 0 when the file is missing */
		return g_strdup(step->value != NULL ? step->value : "0");
	}
	text = g_strndup(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob));
	g_strstrip(text);
	if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32, &level, NULL)) {
		ub_package_add_warning(pkg,
				       "%s does not hold a number; anti-rollback level taken as 0",
				       path);
		return g_strdup("0");
	}
	return g_strdup_printf("%" G_GUINT64_FORMAT, level);
}

/* one UbFlashScriptStep -> one UbPackageStep, or NULL when it has no place in a plan */
static UbPackageStep *
ub_package_fastboot_convert_step(UbPackage *pkg,
				 GHashTable *files,
				 const gchar *dir,
				 UbFlashScript *script,
				 const UbFlashScriptStep *fs,
				 gboolean *destructive,
				 GCancellable *cancellable,
				 GError **error)
{
	g_autofree gchar *file = fs->file != NULL ? ub_package_fastboot_join(dir, fs->file) : NULL;
	UbPackageStep *step = NULL; /* no early return once it is set */

	for (guint i = 0; i < fs->options->len; i++) {
		ub_package_add_warning(pkg,
				       "%s:%u: option %s kept out of the plan",
				       ub_flash_script_get_name(script),
				       fs->line,
				       (const gchar *)g_ptr_array_index(fs->options, i));
	}
	switch (fs->op) {
	case UB_FLASH_SCRIPT_OP_FLASH:
		step = ub_package_step_new(UB_PACKAGE_STEP_FLASH, fs->partition, file);
		/* an explicit --slot; the "_ab" suffix stays in the partition name */
		if (fs->slot != NULL && g_strcmp0(fs->slot, "ab") != 0)
			step->value = g_strdup(fs->slot);
		break;
	case UB_FLASH_SCRIPT_OP_ERASE:
		step = ub_package_step_new(UB_PACKAGE_STEP_ERASE, fs->partition, NULL);
		break;
	case UB_FLASH_SCRIPT_OP_FORMAT:
		/* fastboot format / -w: erase; Android formats it on first boot */
		step = ub_package_step_new(UB_PACKAGE_STEP_ERASE, fs->partition, NULL);
		step->value = fs->value != NULL ? g_strdup_printf("format:%s", fs->value)
						: g_strdup("format");
		break;
	case UB_FLASH_SCRIPT_OP_SET_ACTIVE:
		step = ub_package_step_new(UB_PACKAGE_STEP_SET_ACTIVE, NULL, NULL);
		step->value = g_strdup(fs->value);
		break;
	case UB_FLASH_SCRIPT_OP_REBOOT:
		step = ub_package_step_new(UB_PACKAGE_STEP_REBOOT, NULL, NULL);
		step->value = g_strdup(fs->value);
		break;
	case UB_FLASH_SCRIPT_OP_OEM:
		step = ub_package_step_new(UB_PACKAGE_STEP_OEM, NULL, NULL);
		step->value = g_strdup(fs->value);
		if (g_strcmp0(fs->value, "lock") == 0)
			*destructive = TRUE;
		break;
	case UB_FLASH_SCRIPT_OP_FLASHING:
		step = ub_package_step_new(UB_PACKAGE_STEP_FLASHING, NULL, NULL);
		step->value = g_strdup(fs->value);
		if (g_str_has_prefix(fs->value, "lock"))
			*destructive = TRUE;
		break;
	case UB_FLASH_SCRIPT_OP_REQUIRE_PRODUCT:
		step = ub_package_step_new(UB_PACKAGE_STEP_REQUIRE_VAR, NULL, NULL);
		step->arg = g_strdup("product");
		/* grep "^product: *NAME" without '$' is a prefix match */
		step->value = fs->prefix_match ? g_strdup_printf("%s*", fs->value)
					       : g_strdup(fs->value);
		break;
	case UB_FLASH_SCRIPT_OP_CHECK_ANTI: {
		g_autofree gchar *level =
		    ub_package_fastboot_anti_level(pkg, files, dir, fs, cancellable, error);
		if (level == NULL && error != NULL && *error != NULL)
			return NULL;
		step = ub_package_step_new(UB_PACKAGE_STEP_CHECK_ANTI, NULL, NULL);
		step->value = g_steal_pointer(&level);
		step->file = g_steal_pointer(&file);
		break;
	}
	case UB_FLASH_SCRIPT_OP_UPDATE:
	case UB_FLASH_SCRIPT_OP_LAST:
	default:
		ub_package_add_warning(pkg,
				       "%s:%u: %s kept out of the plan",
				       ub_flash_script_get_name(script),
				       fs->line,
				       ub_flash_script_op_to_string(fs->op));
		return NULL;
	}
	if (fs->condition != NULL)
		step->arg = g_strdup_printf("if %s", fs->condition);
	step->line = g_strdup_printf("%s:%u", ub_flash_script_get_name(script), fs->line);
	if (fs->wipe)
		*destructive = TRUE;
	if (fs->op == UB_FLASH_SCRIPT_OP_FLASH || fs->op == UB_FLASH_SCRIPT_OP_ERASE ||
	    fs->op == UB_FLASH_SCRIPT_OP_FORMAT) {
		if (ub_package_fastboot_name_wipes(fs->base) ||
		    ub_package_calibration_reason(fs->base) != NULL)
			*destructive = TRUE;
	}
	return step;
}

/* every flashed or erased (partition, slot) once, in plan order */
static void
ub_package_fastboot_add_partitions(UbPackage *pkg)
{
	GPtrArray *plans = ub_package_get_plans(pkg);
	g_autoptr(GHashTable) rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < plans->len; i++) {
		UbPackagePlan *plan = g_ptr_array_index(plans, i);
		for (guint j = 0; j < plan->steps->len; j++) {
			UbPackageStep *step = g_ptr_array_index(plan->steps, j);
			UbPackagePartition *part;
			g_autofree gchar *name = NULL;
			g_autofree gchar *key = NULL;
			const gchar *slot = NULL;

			if (step->kind != UB_PACKAGE_STEP_FLASH && step->kind != UB_PACKAGE_STEP_ERASE)
				continue;
			if (g_str_has_suffix(step->partition, "_ab") && strlen(step->partition) > 3) {
				name = g_strndup(step->partition, strlen(step->partition) - 3);
				slot = "ab";
			} else {
				name = g_strdup(step->partition);
				if (step->kind == UB_PACKAGE_STEP_FLASH && step->value != NULL)
					slot = step->value;
			}
			key = g_strdup_printf("%s\n%s", name, slot != NULL ? slot : "");
			part = g_hash_table_lookup(rows, key);
			if (part == NULL) {
				part = ub_package_partition_new(name);
				part->slot = g_strdup(slot);
				part->operation = g_strdup("erase");
				ub_package_add_partition(pkg, part);
				g_hash_table_insert(rows, g_steal_pointer(&key), part);
			}
			if (step->kind != UB_PACKAGE_STEP_FLASH)
				continue;
			if (part->file != NULL && g_strcmp0(part->file, step->file) != 0) {
				ub_package_add_warning(pkg,
						       "%s: %s is flashed with %s here but with %s "
						       "elsewhere; the table shows the first",
						       step->line,
						       step->partition,
						       step->file,
						       part->file);
				continue;
			}
			g_free(part->operation);
			part->operation = g_strdup("flash");
			g_free(part->file);
			part->file = g_strdup(step->file);
			part->download = TRUE;
		}
	}
}

static const gchar *
ub_package_fastboot_plan_title(const gchar *id)
{
	if (g_strcmp0(id, "flash_all") == 0)
		return "Clean all";
	if (g_strcmp0(id, "flash_all_except_storage") == 0)
		return "Save user data";
	if (g_strcmp0(id, "flash_all_lock") == 0)
		return "Clean all and lock";
	if (g_strcmp0(id, "flash-all") == 0)
		return "Flash factory image";
	return id;
}

/* "flash_all_lock.bat" -> "flash_all_lock" */
static gchar *
ub_package_fastboot_stem(const gchar *basename)
{
	const gchar *dot = strrchr(basename, '.');
	return dot != NULL ? g_strndup(basename, dot - basename) : g_strdup(basename);
}

/* the .bat when there is one (MiFlash runs it), else the .sh; differences are warnings */
static UbFlashScript *
ub_package_fastboot_parse_pair(UbPackage *pkg,
			       const gchar *sh,
			       const gchar *bat,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(UbFlashScript) script_sh = NULL;
	g_autoptr(UbFlashScript) script_bat = NULL;
	g_autofree gchar *diff = NULL;

	if (sh != NULL) {
		script_sh = ub_package_fastboot_parse_script(pkg, sh, cancellable, error);
		if (script_sh == NULL)
			return NULL;
	}
	if (bat != NULL) {
		script_bat = ub_package_fastboot_parse_script(pkg, bat, cancellable, error);
		if (script_bat == NULL)
			return NULL;
	}
	if (script_sh == NULL)
		return g_steal_pointer(&script_bat);
	if (script_bat == NULL)
		return g_steal_pointer(&script_sh);
	diff = ub_flash_script_diff(script_bat, script_sh);
	if (diff != NULL) {
		ub_package_add_warning(pkg,
				       "%s and %s describe different plans (%s); the plan follows %s",
				       bat,
				       sh,
				       diff,
				       bat);
	}
	return g_steal_pointer(&script_bat);
}

static gboolean
ub_package_fastboot_add_plan(UbPackage *pkg,
			     GHashTable *files,
			     const gchar *dir,
			     const gchar *id,
			     UbFlashScript *script,
			     GCancellable *cancellable,
			     GError **error)
{
	GPtrArray *steps = ub_flash_script_get_steps(script);
	UbPackagePlan *plan = ub_package_plan_new(id, ub_package_fastboot_plan_title(id));

	for (guint i = 0; i < steps->len; i++) {
		const UbFlashScriptStep *fs = g_ptr_array_index(steps, i);
		g_autoptr(GError) error_local = NULL;
		UbPackageStep *step = ub_package_fastboot_convert_step(pkg,
								       files,
								       dir,
								       script,
								       fs,
								       &plan->destructive,
								       cancellable,
								       &error_local);
		if (error_local != NULL) {
			ub_package_plan_free(plan);
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		if (step == NULL)
			continue;
		if (step->kind == UB_PACKAGE_STEP_CHECK_ANTI && step->value != NULL)
			ub_package_set_requirement(pkg, "anti", step->value);
		if (step->kind == UB_PACKAGE_STEP_REQUIRE_VAR)
			ub_package_set_requirement(pkg, step->arg, step->value);
		g_ptr_array_add(plan->steps, step);
	}
	ub_package_add_plan(pkg, plan);
	return TRUE;
}

/* misc.txt: device=..., build_number=... */
static gboolean
ub_package_fastboot_load_misc(UbPackage *pkg,
			      GHashTable *files,
			      const gchar *dir,
			      GCancellable *cancellable,
			      GError **error)
{
	g_autofree gchar *path = ub_package_fastboot_join(dir, "misc.txt");
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;

	blob = ub_package_fastboot_load_optional(pkg, files, path, cancellable, &error_local);
	if (blob == NULL) {
		if (error_local != NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		return TRUE;
	}
	text = g_utf8_make_valid(g_bytes_get_data(blob, NULL), (gssize)g_bytes_get_size(blob));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strstrip(lines[i]);
		gchar *eq = strchr(line, '=');
		if (line[0] == '\0')
			continue;
		if (eq == NULL) {
			ub_package_add_warning(pkg, "%s:%u: not key=value: %s", path, i + 1, line);
			continue;
		}
		*eq = '\0';
		if (g_strcmp0(line, "device") == 0 && ub_package_get_product(pkg) == NULL)
			ub_package_set_product(pkg, eq + 1);
		else if (g_strcmp0(line, "build_number") == 0)
			ub_package_set_version(pkg, eq + 1);
	}
	return TRUE;
}

/* md5sum.xml: in images/ as distributed, or beside the scripts */
static gboolean
ub_package_fastboot_load_md5sum(UbPackage *pkg,
				GHashTable *files,
				const gchar *dir,
				GCancellable *cancellable,
				GError **error)
{
	const gchar *candidates[] = {"images/md5sum.xml", "md5sum.xml", NULL};
	g_autoptr(UbMd5sumXml) md5 = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *first_missing = NULL;
	g_autofree gchar *xml_dir = NULL;
	GPtrArray *digests;
	GPtrArray *warnings;
	guint missing = 0;

	for (guint i = 0; candidates[i] != NULL && md5 == NULL; i++) {
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(GError) error_local = NULL;
		g_free(path);
		path = ub_package_fastboot_join(dir, candidates[i]);
		blob = ub_package_fastboot_load_optional(pkg, files, path, cancellable, &error_local);
		if (blob == NULL) {
			if (error_local != NULL) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			continue;
		}
		md5 = ub_md5sum_xml_parse(g_bytes_get_data(blob, NULL),
					  g_bytes_get_size(blob),
					  &error_local);
		if (md5 == NULL) {
			/* the images can still be flashed; pre-flight just cannot verify them */
			ub_package_add_warning(pkg,
					       "%s cannot be read, images are not verified: %s",
					       path,
					       error_local->message);
			return TRUE;
		}
	}
	if (md5 == NULL)
		return TRUE;

	warnings = ub_md5sum_xml_get_warnings(md5);
	for (guint i = 0; i < warnings->len; i++)
		ub_package_add_warning(pkg, "%s", (const gchar *)g_ptr_array_index(warnings, i));
	xml_dir = g_path_get_dirname(path);
	digests = ub_md5sum_xml_get_digests(md5);
	for (guint i = 0; i < digests->len; i++) {
		const UbMd5sumDigest *digest = g_ptr_array_index(digests, i);
		g_autofree gchar *in_images = NULL;
		g_autofree gchar *beside = NULL;
		const gchar *file = NULL;
		GChecksumType type = G_CHECKSUM_MD5;

		if (g_strcmp0(digest->hash, "sha1") == 0)
			type = G_CHECKSUM_SHA1;
		else if (g_strcmp0(digest->hash, "sha256") == 0)
			type = G_CHECKSUM_SHA256;
		/* the names are file names in images/ */
		in_images = g_strdup_printf("%s%simages/%s",
					    dir,
					    dir[0] != '\0' ? "/" : "",
					    digest->name);
		beside = g_strcmp0(xml_dir, ".") == 0 ? g_strdup(digest->name)
						      : g_strdup_printf("%s/%s", xml_dir, digest->name);
		if (g_hash_table_contains(files, in_images))
			file = in_images;
		else if (g_hash_table_contains(files, beside))
			file = beside;
		if (file == NULL) {
			if (missing++ == 0)
				first_missing = g_strdup(digest->name);
			continue;
		}
		ub_package_add_checksum(pkg, file, type, digest->value, path);
	}
	if (missing > 0) {
		ub_package_add_warning(pkg,
				       "%s lists %u files the package does not have (first: %s)",
				       path,
				       missing,
				       first_missing);
	}
	return TRUE;
}

/* g_ptr_array_sort() passes pointers to the elements */
static gint
ub_package_fastboot_cmp_str(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

static gboolean
ub_package_fastboot_is_rom_script(const gchar *basename)
{
	g_autofree gchar *lower = g_ascii_strdown(basename, -1);
	return g_str_has_prefix(lower, "flash_all") &&
	       (g_str_has_suffix(lower, ".sh") || g_str_has_suffix(lower, ".bat"));
}

/**
 * ub_package_load_fastboot_rom:
 * @pkg: a #UbPackage
 * @relpath: one flash_all*.sh / .bat of the package, or its folder ("" for the root)
 * @options: (nullable): unused
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Reads a Xiaomi MiFlash fastboot ROM: one plan per flash_all*.sh/.bat pair
 * (the id is the script's name without extension), the product and
 * anti-rollback requirements, misc.txt and the digests of md5sum.xml. The
 * scripts are read as data, never run.
 *
 * Returns: %TRUE on success
 **/
gboolean
ub_package_load_fastboot_rom(UbPackage *pkg,
			     const gchar *relpath,
			     const UbPackageOptions *options,
			     GCancellable *cancellable,
			     GError **error)
{
	UbPackageSource *source;
	g_autoptr(GHashTable) files = NULL;
	g_autoptr(GPtrArray) stems = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) sh = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) bat = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autofree gchar *dir = ub_package_fastboot_dir(relpath);
	g_autofree gchar *product = NULL;
	GHashTableIter iter;
	gpointer key;

	g_return_val_if_fail(UB_IS_PACKAGE(pkg), FALSE);

	source = ub_package_get_source(pkg);
	files = ub_package_fastboot_listing(pkg, cancellable, error);
	if (files == NULL)
		return FALSE;

	/* every flash_all*.sh/.bat in the folder */
	g_hash_table_iter_init(&iter, files);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		const gchar *rel = key;
		g_autofree gchar *rel_dir = g_path_get_dirname(rel);
		g_autofree gchar *base = g_path_get_basename(rel);
		g_autofree gchar *stem = NULL;
		g_autofree gchar *lower = NULL;
		if (g_strcmp0(rel_dir, ".") == 0) {
			g_free(rel_dir);
			rel_dir = g_strdup("");
		}
		if (g_strcmp0(rel_dir, dir) != 0 || !ub_package_fastboot_is_rom_script(base))
			continue;
		stem = ub_package_fastboot_stem(base);
		lower = g_ascii_strdown(base, -1);
		if (!g_hash_table_contains(sh, stem) && !g_hash_table_contains(bat, stem))
			g_ptr_array_add(stems, g_strdup(stem));
		g_hash_table_insert(g_str_has_suffix(lower, ".bat") ? bat : sh,
				    g_strdup(stem),
				    g_strdup(rel));
	}
	if (stems->len == 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "no flash_all.sh or flash_all.bat in %s",
			    dir[0] != '\0' ? dir : ub_package_source_get_name(source));
		return FALSE;
	}
	g_ptr_array_sort(stems, ub_package_fastboot_cmp_str);

	ub_package_set_format(pkg, UB_PACKAGE_FORMAT_FASTBOOT_ROM);
	for (guint i = 0; i < stems->len; i++) {
		const gchar *stem = g_ptr_array_index(stems, i);
		g_autoptr(UbFlashScript) script = NULL;
		const gchar *name;

		script = ub_package_fastboot_parse_pair(pkg,
							g_hash_table_lookup(sh, stem),
							g_hash_table_lookup(bat, stem),
							cancellable,
							error);
		if (script == NULL)
			return FALSE;
		name = ub_flash_script_get_product(script);
		if (name != NULL && product == NULL) {
			product = g_strdup(name);
		} else if (name != NULL && g_strcmp0(product, name) != 0) {
			ub_package_add_warning(pkg,
					       "%s checks for product %s but other scripts for %s",
					       ub_flash_script_get_name(script),
					       name,
					       product);
		} else if (name == NULL) {
			ub_package_add_warning(pkg,
					       "%s has no product check: nothing stops it from "
					       "flashing another model",
					       ub_flash_script_get_name(script));
		}
		if (!ub_package_fastboot_add_plan(pkg, files, dir, stem, script, cancellable, error))
			return FALSE;
	}
	if (product != NULL)
		ub_package_set_product(pkg, product);
	if (!ub_package_fastboot_load_misc(pkg, files, dir, cancellable, error))
		return FALSE;
	if (!ub_package_fastboot_load_md5sum(pkg, files, dir, cancellable, error))
		return FALSE;
	ub_package_fastboot_add_partitions(pkg);
	return TRUE;
}

/* android-info.txt: beside flash-all.sh (unpacked) or inside the image zip */
static gboolean
ub_package_fastboot_load_android_info(UbPackage *pkg,
				      GHashTable *files,
				      const gchar *dir,
				      const gchar *zip,
				      GCancellable *cancellable,
				      GError **error)
{
	g_autofree gchar *beside = ub_package_fastboot_join(dir, "android-info.txt");
	g_autofree gchar *inside = zip != NULL ? g_strdup_printf("%s/android-info.txt", zip) : NULL;
	const gchar *candidates[] = {beside, inside, NULL};
	g_autoptr(UbAndroidInfo) info = NULL;
	const gchar *path = NULL;
	GPtrArray *reqs;
	GPtrArray *warnings;

	for (guint i = 0; candidates[i] != NULL && info == NULL; i++) {
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(GError) error_local = NULL;
		/* nested zips may not be in the listing: just try */
		blob = ub_package_fastboot_load_optional(pkg,
							 i == 0 ? files : NULL,
							 candidates[i],
							 cancellable,
							 &error_local);
		if (blob == NULL) {
			if (error_local != NULL && i == 0) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			if (error_local != NULL)
				g_debug("ignoring: %s", error_local->message);
			continue;
		}
		info = ub_android_info_parse(g_bytes_get_data(blob, NULL),
					     g_bytes_get_size(blob),
					     error);
		if (info == NULL) {
			g_prefix_error(error, "failed to read %s: ", candidates[i]);
			return FALSE;
		}
		path = candidates[i];
	}
	if (info == NULL) {
		ub_package_add_warning(pkg,
				       "no android-info.txt: the board and bootloader cannot be "
				       "checked before flashing");
		return TRUE;
	}
	warnings = ub_android_info_get_warnings(info);
	for (guint i = 0; i < warnings->len; i++)
		ub_package_add_warning(pkg, "%s: %s", path, (const gchar *)g_ptr_array_index(warnings, i));
	reqs = ub_android_info_get_requirements(info);
	for (guint i = 0; i < reqs->len; i++) {
		UbAndroidInfoRequirement *req = g_ptr_array_index(reqs, i);
		g_autofree gchar *value = NULL;
		const gchar *key = req->key;
		if (req->reject || req->for_product != NULL) {
			ub_package_add_warning(pkg,
					       "%s:%u: %s%s requirement on %s is not checked",
					       path,
					       req->line,
					       req->reject ? "reject" : "require-for-product:",
					       req->for_product != NULL ? req->for_product : "",
					       req->key);
			continue;
		}
		/* fastboot treats board as another name for product */
		if (g_strcmp0(key, "board") == 0)
			key = "product";
		value = ub_android_info_get_value(info, req->key);
		if (g_hash_table_contains(ub_package_get_requirements(pkg), key)) {
			ub_package_add_warning(pkg,
					       "%s:%u: a second requirement on %s is not checked",
					       path,
					       req->line,
					       req->key);
			continue;
		}
		ub_package_set_requirement(pkg, key, value);
		if (g_strcmp0(key, "product") == 0 && ub_package_get_product(pkg) == NULL)
			ub_package_set_product(pkg, value);
	}
	return TRUE;
}

static void
ub_package_fastboot_add_step(UbPackagePlan *plan,
			     UbPackageStepKind kind,
			     const gchar *partition,
			     const gchar *file,
			     const gchar *value,
			     const gchar *line)
{
	UbPackageStep *step = ub_package_step_new(kind, partition, file);
	step->value = g_strdup(value);
	step->line = g_strdup(line);
	g_ptr_array_add(plan->steps, step);
}

/* "fastboot [-w] update image-*.zip" as fastboot-info.txt or fastboot's built-in list */
static gboolean
ub_package_fastboot_expand_update(UbPackage *pkg,
				  GHashTable *files,
				  UbPackagePlan *plan,
				  const gchar *zip,
				  gboolean wipe,
				  const gchar *line,
				  GCancellable *cancellable,
				  GError **error)
{
	g_autofree gchar *info_path = g_strdup_printf("%s/fastboot-info.txt", zip);
	g_autofree gchar *prefix = g_strdup_printf("%s/", zip);
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GError) error_local = NULL;
	gboolean listed = FALSE;
	GHashTableIter iter;
	gpointer key;

	/* -w wipes userdata whatever the zip holds */
	if (wipe)
		plan->destructive = TRUE;
	if (!g_hash_table_contains(files, zip)) {
		ub_package_add_warning(pkg, "%s: %s is missing from the package", line, zip);
		return TRUE;
	}
	g_hash_table_iter_init(&iter, files);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		if (g_str_has_prefix(key, prefix)) {
			listed = TRUE;
			break;
		}
	}

	blob = ub_package_fastboot_load_optional(pkg,
						 listed ? files : NULL,
						 info_path,
						 cancellable,
						 &error_local);
	if (blob == NULL && error_local != NULL)
		g_debug("ignoring: %s", error_local->message);
	if (blob != NULL) {
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GPtrArray) cmds = NULL;
		cmds = ub_fastboot_info_parse(g_bytes_get_data(blob, NULL),
					      g_bytes_get_size(blob),
					      NULL,
					      warnings,
					      error);
		if (cmds == NULL) {
			g_prefix_error(error, "failed to read %s: ", info_path);
			return FALSE;
		}
		for (guint i = 0; i < warnings->len; i++)
			ub_package_add_warning(pkg, "%s/%s", zip, (const gchar *)g_ptr_array_index(warnings, i));
		for (guint i = 0; i < cmds->len; i++) {
			UbFastbootInfoCommand *cmd = g_ptr_array_index(cmds, i);
			g_autofree gchar *where = g_strdup_printf("%s:%u", info_path, cmd->line);
			g_autofree gchar *file = NULL;
			if (cmd->if_wipe && !wipe)
				continue;
			switch (cmd->op) {
			case UB_FASTBOOT_INFO_OP_VERSION:
				break;
			case UB_FASTBOOT_INFO_OP_FLASH:
				file = g_strdup_printf("%s/%s", zip, cmd->image);
				ub_package_fastboot_add_step(plan,
							     UB_PACKAGE_STEP_FLASH,
							     cmd->partition,
							     file,
							     cmd->slot_other ? "other" : NULL,
							     where);
				break;
			case UB_FASTBOOT_INFO_OP_ERASE:
				ub_package_fastboot_add_step(plan,
							     UB_PACKAGE_STEP_ERASE,
							     cmd->partition,
							     NULL,
							     NULL,
							     where);
				if (ub_package_fastboot_name_wipes(cmd->partition))
					plan->destructive = TRUE;
				break;
			case UB_FASTBOOT_INFO_OP_REBOOT:
				ub_package_fastboot_add_step(plan,
							     UB_PACKAGE_STEP_REBOOT,
							     NULL,
							     NULL,
							     cmd->value,
							     where);
				break;
			case UB_FASTBOOT_INFO_OP_UPDATE_SUPER:
				/* rewrites super's metadata from super_empty.img, in fastbootd */
				file = g_strdup_printf("%s/super_empty.img", zip);
				ub_package_fastboot_add_step(plan,
							     UB_PACKAGE_STEP_UPDATE_SUPER,
							     "super",
							     file,
							     wipe ? "wipe" : NULL,
							     where);
				break;
			case UB_FASTBOOT_INFO_OP_LAST:
			default:
				ub_package_add_warning(pkg,
						       "%s: unknown fastboot-info command; kept out of "
						       "the plan",
						       where);
				break;
			}
		}
	} else if (listed) {
		/* fastboot's built-in order: boot-critical images, super, OS images */
		const gchar *critical[] = {"boot",	 "init_boot",	 "dtbo",	"dts",
					   "pvmfw",	 "recovery",	 "vbmeta",	"vbmeta_system",
					   "vbmeta_vendor", "vendor_boot", "vendor_kernel_boot", NULL};
		const gchar *os[] = {"system",
				     "system_ext",
				     "system_dlkm",
				     "product",
				     "odm",
				     "odm_dlkm",
				     "vendor",
				     "vendor_dlkm",
				     NULL};
		const gchar *other[] = {"boot", "system", "vendor", NULL};
		g_autofree gchar *super_empty = g_strdup_printf("%s/super_empty.img", zip);
		for (guint i = 0; critical[i] != NULL; i++) {
			g_autofree gchar *file = g_strdup_printf("%s/%s.img", zip, critical[i]);
			if (g_hash_table_contains(files, file))
				ub_package_fastboot_add_step(plan,
							     UB_PACKAGE_STEP_FLASH,
							     critical[i],
							     file,
							     NULL,
							     line);
		}
		if (g_hash_table_contains(files, super_empty)) {
			ub_package_fastboot_add_step(plan,
						     UB_PACKAGE_STEP_REBOOT,
						     NULL,
						     NULL,
						     "fastboot",
						     line);
			ub_package_fastboot_add_step(plan,
						     UB_PACKAGE_STEP_UPDATE_SUPER,
						     "super",
						     super_empty,
						     wipe ? "wipe" : NULL,
						     line);
		}
		for (guint i = 0; os[i] != NULL; i++) {
			g_autofree gchar *file = g_strdup_printf("%s/%s.img", zip, os[i]);
			if (g_hash_table_contains(files, file))
				ub_package_fastboot_add_step(plan,
							     UB_PACKAGE_STEP_FLASH,
							     os[i],
							     file,
							     NULL,
							     line);
		}
		for (guint i = 0; other[i] != NULL; i++) {
			g_autofree gchar *file = g_strdup_printf("%s/%s_other.img", zip, other[i]);
			if (g_hash_table_contains(files, file))
				ub_package_fastboot_add_step(plan,
							     UB_PACKAGE_STEP_FLASH,
							     other[i],
							     file,
							     "other",
							     line);
		}
		if (wipe) {
			ub_package_fastboot_add_step(plan,
						     UB_PACKAGE_STEP_ERASE,
						     "userdata",
						     NULL,
						     "format",
						     line);
			ub_package_fastboot_add_step(plan,
						     UB_PACKAGE_STEP_ERASE,
						     "metadata",
						     NULL,
						     "format",
						     line);
		}
	} else {
		ub_package_add_warning(pkg,
				       "%s: the content of %s cannot be listed; its images are "
				       "not in the plan",
				       line,
				       zip);
	}
	if (wipe)
		plan->destructive = TRUE;
	return TRUE;
}

/**
 * ub_package_load_google_factory:
 * @pkg: a #UbPackage
 * @relpath: the factory image's flash-all.sh (or .bat), or its folder
 * @options: (nullable): unused
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Reads a Google factory image: the flash-all script (bootloader, radio,
 * reboots) with its "update image-*.zip" expanded from fastboot-info.txt or
 * fastboot's built-in image list, and android-info.txt's requirements.
 * Partition images inside the zip are named "image-NAME.zip/boot.img".
 *
 * Returns: %TRUE on success
 **/
gboolean
ub_package_load_google_factory(UbPackage *pkg,
			       const gchar *relpath,
			       const UbPackageOptions *options,
			       GCancellable *cancellable,
			       GError **error)
{
	g_autoptr(GHashTable) files = NULL;
	g_autofree gchar *dir = ub_package_fastboot_dir(relpath);
	g_autofree gchar *sh = ub_package_fastboot_join(dir, "flash-all.sh");
	g_autofree gchar *bat = ub_package_fastboot_join(dir, "flash-all.bat");
	g_autofree gchar *zip = NULL;
	g_autoptr(UbFlashScript) script = NULL;
	UbPackagePlan *plan;
	GPtrArray *steps;
	gboolean has_sh;
	gboolean has_bat;

	g_return_val_if_fail(UB_IS_PACKAGE(pkg), FALSE);

	files = ub_package_fastboot_listing(pkg, cancellable, error);
	if (files == NULL)
		return FALSE;
	has_sh = g_hash_table_contains(files, sh);
	has_bat = g_hash_table_contains(files, bat);
	if (!has_sh && !has_bat) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "no flash-all.sh or flash-all.bat in %s",
			    dir[0] != '\0' ? dir : ub_package_source_get_name(ub_package_get_source(pkg)));
		return FALSE;
	}
	/* here the .sh leads: it is what Google documents for Linux and macOS */
	script = ub_package_fastboot_parse_pair(pkg,
						has_bat ? bat : NULL,
						has_sh ? sh : NULL,
						cancellable,
						error);
	if (script == NULL)
		return FALSE;
	ub_package_set_format(pkg, UB_PACKAGE_FORMAT_GOOGLE_FACTORY);

	plan = ub_package_plan_new("flash-all", ub_package_fastboot_plan_title("flash-all"));
	steps = ub_flash_script_get_steps(script);
	for (guint i = 0; i < steps->len; i++) {
		const UbFlashScriptStep *fs = g_ptr_array_index(steps, i);
		g_autofree gchar *line =
		    g_strdup_printf("%s:%u", ub_flash_script_get_name(script), fs->line);
		UbPackageStep *step;
		if (fs->op == UB_FLASH_SCRIPT_OP_UPDATE) {
			g_autofree gchar *update_zip = ub_package_fastboot_join(dir, fs->file);
			if (zip == NULL) {
				g_autofree gchar *base = g_path_get_basename(update_zip);
				zip = g_strdup(update_zip);
				if (g_str_has_prefix(base, "image-") && g_str_has_suffix(base, ".zip")) {
					g_autofree gchar *version =
					    g_strndup(base + strlen("image-"),
						      strlen(base) - strlen("image-") - strlen(".zip"));
					ub_package_set_version(pkg, version);
				}
			}
			if (!ub_package_fastboot_expand_update(pkg,
							       files,
							       plan,
							       update_zip,
							       fs->wipe,
							       line,
							       cancellable,
							       error)) {
				ub_package_plan_free(plan);
				return FALSE;
			}
			if (!g_ptr_array_find_with_equal_func(fs->options, "--skip-reboot", g_str_equal, NULL))
				ub_package_fastboot_add_step(plan, UB_PACKAGE_STEP_REBOOT, NULL, NULL, "", line);
			continue;
		}
		{
			g_autoptr(GError) error_local = NULL;
			step = ub_package_fastboot_convert_step(pkg,
								files,
								dir,
								script,
								fs,
								&plan->destructive,
								cancellable,
								&error_local);
			if (error_local != NULL) {
				ub_package_plan_free(plan);
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
		}
		if (step == NULL)
			continue;
		if (step->kind == UB_PACKAGE_STEP_REQUIRE_VAR)
			ub_package_set_requirement(pkg, step->arg, step->value);
		g_ptr_array_add(plan->steps, step);
	}
	ub_package_add_plan(pkg, plan);
	if (!ub_package_fastboot_load_android_info(pkg, files, dir, zip, cancellable, error))
		return FALSE;
	ub_package_fastboot_add_partitions(pkg);
	return TRUE;
}
