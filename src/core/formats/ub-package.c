/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-error.h"
#include "ub-mtk-checksum.h"
#include "ub-package-source-archive.h"
#include "ub-package.h"
#include "ub-partition.h"
#include "ub-sparse-reader.h"

/*
 * The one model of a firmware package every front-end shows: what it is,
 * which partitions it has (with offsets where the package says them) and the
 * ordered plans it supports. Format loaders (ub-package-<format>.c) fill it;
 * ub-package-open.c picks the loader; the checks that need no device live here.
 */

typedef struct {
	gchar *file;
	GChecksumType type; /* or -1 for the MediaTek 16-bit sum */
	gchar *expected;
	gchar *origin;
} UbPackageChecksum;

struct _UbPackage {
	GObject parent_instance;
	UbPackageSource *source;
	UbPackageFormat format;
	gchar *path;
	gchar *platform;
	gchar *product;
	gchar *storage;
	gchar *version;
	guint32 sector_size;
	GPtrArray *partitions; /* of UbPackagePartition */
	GPtrArray *plans;      /* of UbPackagePlan */
	GPtrArray *warnings;   /* of utf8 */
	GPtrArray *checksums;  /* of UbPackageChecksum */
	GHashTable *requirements;
	GHashTable *nested; /* "image-x.zip" -> UbPackageSource of the zip inside */
	GMutex mutex;
};

G_DEFINE_TYPE(UbPackage, ub_package, G_TYPE_OBJECT)

const gchar *
ub_package_format_to_string(UbPackageFormat format)
{
	switch (format) {
	case UB_PACKAGE_FORMAT_MTK_SCATTER:
		return "mtk-scatter";
	case UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD:
		return "qcom-flat-build";
	case UB_PACKAGE_FORMAT_FASTBOOT_ROM:
		return "fastboot-rom";
	case UB_PACKAGE_FORMAT_GOOGLE_FACTORY:
		return "google-factory";
	case UB_PACKAGE_FORMAT_UNKNOWN:
	case UB_PACKAGE_FORMAT_LAST:
	default:
		return "unknown";
	}
}

const gchar *
ub_package_step_kind_to_string(UbPackageStepKind kind)
{
	switch (kind) {
	case UB_PACKAGE_STEP_FLASH:
		return "flash";
	case UB_PACKAGE_STEP_ERASE:
		return "erase";
	case UB_PACKAGE_STEP_FORMAT:
		return "format";
	case UB_PACKAGE_STEP_PATCH:
		return "patch";
	case UB_PACKAGE_STEP_SET_ACTIVE:
		return "set-active";
	case UB_PACKAGE_STEP_REBOOT:
		return "reboot";
	case UB_PACKAGE_STEP_OEM:
		return "oem";
	case UB_PACKAGE_STEP_FLASHING:
		return "flashing";
	case UB_PACKAGE_STEP_REQUIRE_VAR:
		return "require-var";
	case UB_PACKAGE_STEP_CHECK_ANTI:
		return "check-anti-rollback";
	case UB_PACKAGE_STEP_SET_BOOTABLE:
		return "set-bootable";
	case UB_PACKAGE_STEP_UPDATE_SUPER:
		return "update-super";
	case UB_PACKAGE_STEP_LAST:
	default:
		return "unknown";
	}
}

/**
 * ub_package_calibration_reason:
 * @name: a partition name
 *
 * Returns: (nullable): why the partition holds data no package can restore
 */
const gchar *
ub_package_calibration_reason(const gchar *name)
{
	return ub_partition_calibration_reason(name);
}

UbPackagePartition *
ub_package_partition_new(const gchar *name)
{
	UbPackagePartition *part = g_new0(UbPackagePartition, 1);
	part->name = g_strdup(name);
	part->lun = -1;
	part->start = UB_PACKAGE_UNKNOWN;
	part->size = UB_PACKAGE_UNKNOWN;
	part->calibration_reason = ub_partition_calibration_reason(name);
	part->calibration = part->calibration_reason != NULL;
	return part;
}

void
ub_package_partition_free(UbPackagePartition *part)
{
	if (part == NULL)
		return;
	g_free(part->name);
	g_free(part->region);
	g_free(part->start_expr);
	g_free(part->file);
	g_free(part->operation);
	g_free(part->slot);
	g_free(part);
}

UbPackageStep *
ub_package_step_new(UbPackageStepKind kind, const gchar *partition, const gchar *file)
{
	UbPackageStep *step = g_new0(UbPackageStep, 1);
	step->kind = kind;
	step->partition = g_strdup(partition);
	step->file = g_strdup(file);
	return step;
}

void
ub_package_step_free(UbPackageStep *step)
{
	if (step == NULL)
		return;
	g_free(step->partition);
	g_free(step->file);
	g_free(step->arg);
	g_free(step->value);
	g_free(step->line);
	g_free(step);
}

UbPackagePlan *
ub_package_plan_new(const gchar *id, const gchar *title)
{
	UbPackagePlan *plan = g_new0(UbPackagePlan, 1);
	plan->id = g_strdup(id);
	plan->title = g_strdup(title);
	plan->steps = g_ptr_array_new_with_free_func((GDestroyNotify)ub_package_step_free);
	return plan;
}

void
ub_package_plan_free(UbPackagePlan *plan)
{
	if (plan == NULL)
		return;
	g_free(plan->id);
	g_free(plan->title);
	g_ptr_array_unref(plan->steps);
	g_free(plan);
}

static void
ub_package_checksum_free(UbPackageChecksum *c)
{
	g_free(c->file);
	g_free(c->expected);
	g_free(c->origin);
	g_free(c);
}

#define UB_PACKAGE_STRING_ACCESSORS(field)                                                         \
	const gchar *ub_package_get_##field(UbPackage *self)                                       \
	{                                                                                          \
		g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);                                   \
		return self->field;                                                                \
	}                                                                                          \
	void ub_package_set_##field(UbPackage *self, const gchar *value)                           \
	{                                                                                          \
		g_return_if_fail(UB_IS_PACKAGE(self));                                             \
		if (self->field == value)                                                          \
			return;                                                                    \
		g_free(self->field);                                                               \
		self->field = g_strdup(value);                                                     \
	}

UB_PACKAGE_STRING_ACCESSORS(path)
UB_PACKAGE_STRING_ACCESSORS(platform)
UB_PACKAGE_STRING_ACCESSORS(product)
UB_PACKAGE_STRING_ACCESSORS(storage)
UB_PACKAGE_STRING_ACCESSORS(version)

/**
 * ub_package_get_source:
 * @self: a #UbPackage
 *
 * Returns: (transfer none): where the package's files are read from
 */
UbPackageSource *
ub_package_get_source(UbPackage *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	return self->source;
}

UbPackageFormat
ub_package_get_format(UbPackage *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), UB_PACKAGE_FORMAT_UNKNOWN);
	return self->format;
}

void
ub_package_set_format(UbPackage *self, UbPackageFormat format)
{
	g_return_if_fail(UB_IS_PACKAGE(self));
	self->format = format;
}

guint32
ub_package_get_sector_size(UbPackage *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), 0);
	return self->sector_size;
}

void
ub_package_set_sector_size(UbPackage *self, guint32 sector_size)
{
	g_return_if_fail(UB_IS_PACKAGE(self));
	self->sector_size = sector_size;
}

/**
 * ub_package_add_partition:
 * @self: a #UbPackage
 * @part: (transfer full): a row
 */
void
ub_package_add_partition(UbPackage *self, UbPackagePartition *part)
{
	g_return_if_fail(UB_IS_PACKAGE(self));
	g_ptr_array_add(self->partitions, part);
}

/**
 * ub_package_get_partitions:
 * @self: a #UbPackage
 *
 * Returns: (transfer none) (element-type UbPackagePartition): the rows, in package order
 */
GPtrArray *
ub_package_get_partitions(UbPackage *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	return self->partitions;
}

/**
 * ub_package_find_partition:
 * @self: a #UbPackage
 * @name: a partition name
 *
 * Returns: (transfer none) (nullable): the first row called @name
 */
UbPackagePartition *
ub_package_find_partition(UbPackage *self, const gchar *name)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	for (guint i = 0; i < self->partitions->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(self->partitions, i);
		if (g_strcmp0(part->name, name) == 0)
			return part;
	}
	return NULL;
}

/**
 * ub_package_add_plan:
 * @self: a #UbPackage
 * @plan: (transfer full): a plan
 */
void
ub_package_add_plan(UbPackage *self, UbPackagePlan *plan)
{
	g_return_if_fail(UB_IS_PACKAGE(self));
	g_ptr_array_add(self->plans, plan);
}

/**
 * ub_package_get_plans:
 * @self: a #UbPackage
 *
 * Returns: (transfer none) (element-type UbPackagePlan): the plans
 */
GPtrArray *
ub_package_get_plans(UbPackage *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	return self->plans;
}

UbPackagePlan *
ub_package_find_plan(UbPackage *self, const gchar *id)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	for (guint i = 0; i < self->plans->len; i++) {
		UbPackagePlan *plan = g_ptr_array_index(self->plans, i);
		if (g_strcmp0(plan->id, id) == 0)
			return plan;
	}
	return NULL;
}

/**
 * ub_package_add_warning:
 * @self: a #UbPackage
 * @fmt: printf-style, untranslated: something odd the user should know
 */
void
ub_package_add_warning(UbPackage *self, const gchar *fmt, ...)
{
	va_list args;
	g_return_if_fail(UB_IS_PACKAGE(self));
	va_start(args, fmt);
	g_ptr_array_add(self->warnings, g_strdup_vprintf(fmt, args));
	va_end(args);
}

/**
 * ub_package_get_warnings:
 * @self: a #UbPackage
 *
 * Returns: (transfer none) (element-type utf8): warnings from loading
 */
GPtrArray *
ub_package_get_warnings(UbPackage *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	return self->warnings;
}

/**
 * ub_package_add_checksum:
 * @self: a #UbPackage
 * @file: a path inside the package
 * @type: the digest
 * @expected: the digest the package states, hex
 * @origin: where it is stated, e.g. "md5sum.xml"
 *
 * Pre-flight hashes @file and compares.
 */
void
ub_package_add_checksum(UbPackage *self,
			const gchar *file,
			GChecksumType type,
			const gchar *expected,
			const gchar *origin)
{
	UbPackageChecksum *c = g_new0(UbPackageChecksum, 1);
	g_return_if_fail(UB_IS_PACKAGE(self));
	c->file = g_strdup(file);
	c->type = type;
	c->expected = g_ascii_strdown(expected, -1);
	c->origin = g_strdup(origin);
	g_ptr_array_add(self->checksums, c);
}

/**
 * ub_package_add_mtk_checksum:
 * @self: a #UbPackage
 * @file: a path inside the package
 * @expected: the 16-bit sum from Checksum.ini
 * @origin: where it is stated, e.g. "Checksum.ini"
 */
void
ub_package_add_mtk_checksum(UbPackage *self, const gchar *file, guint16 expected, const gchar *origin)
{
	UbPackageChecksum *c = g_new0(UbPackageChecksum, 1);
	g_return_if_fail(UB_IS_PACKAGE(self));
	c->file = g_strdup(file);
	c->type = (GChecksumType)-1;
	c->expected = g_strdup_printf("0x%04x", expected);
	c->origin = g_strdup(origin);
	g_ptr_array_add(self->checksums, c);
}

/**
 * ub_package_set_requirement:
 * @self: a #UbPackage
 * @key: "product", "board", "version-bootloader", "version-baseband", "anti"
 * @value: what the phone must report; several values separated by '|'
 *
 * What the phone must be for this package; checked when a device is attached.
 */
void
ub_package_set_requirement(UbPackage *self, const gchar *key, const gchar *value)
{
	g_return_if_fail(UB_IS_PACKAGE(self));
	g_hash_table_insert(self->requirements, g_strdup(key), g_strdup(value));
}

/**
 * ub_package_get_requirements:
 * @self: a #UbPackage
 *
 * Returns: (transfer none): key -> value
 */
GHashTable *
ub_package_get_requirements(UbPackage *self)
{
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	return self->requirements;
}

/*
 * Files inside an archive inside the package (a Google factory image's
 * image-*.zip) are named "image-NAME.zip/boot.img": the first path component
 * that is a .zip file of the package opens as a nested source.
 */
static UbPackageSource *
ub_package_resolve(UbPackage *self,
		   const gchar *file,
		   const gchar **inner,
		   GCancellable *cancellable,
		   GError **error)
{
	const gchar *p = file;
	while ((p = strstr(p, ".zip/")) != NULL) {
		g_autofree gchar *outer = g_strndup(file, (p - file) + 4);
		UbPackageSource *nested;
		guint64 size = 0;
		p += 5;
		if (!ub_package_source_query_size(self->source, outer, &size, cancellable, NULL))
			continue;
		g_mutex_lock(&self->mutex);
		nested = g_hash_table_lookup(self->nested, outer);
		g_mutex_unlock(&self->mutex);
		if (nested == NULL) {
			nested = ub_package_source_archive_new_for_source(self->source, outer, error);
			if (nested == NULL)
				return NULL;
			g_mutex_lock(&self->mutex);
			g_hash_table_insert(self->nested, g_strdup(outer), nested);
			g_mutex_unlock(&self->mutex);
		}
		*inner = p;
		return nested;
	}
	*inner = file;
	return self->source;
}

/**
 * ub_package_list_files:
 * @self: a #UbPackage
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Lists the package's files, and those inside its image-*.zip archives as
 * "image-NAME.zip/boot.img" (a Google factory image keeps its partition
 * images there).
 *
 * Returns: (transfer container) (element-type utf8): relative paths
 */
GPtrArray *
ub_package_list_files(UbPackage *self, GCancellable *cancellable, GError **error)
{
	g_autoptr(GPtrArray) files = NULL;
	guint n;
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	files = ub_package_source_list(self->source, cancellable, error);
	if (files == NULL)
		return NULL;
	n = files->len;
	for (guint i = 0; i < n; i++) {
		const gchar *rel = g_ptr_array_index(files, i);
		const gchar *slash = strrchr(rel, '/');
		const gchar *base = slash != NULL ? slash + 1 : rel;
		g_autofree gchar *probe = NULL;
		g_autoptr(GPtrArray) inner = NULL;
		const gchar *inner_rel = NULL;
		UbPackageSource *nested;
		g_autoptr(GError) error_local = NULL;
		if (!g_str_has_prefix(base, "image-") || !g_str_has_suffix(base, ".zip"))
			continue;
		probe = g_strdup_printf("%s/", rel);
		nested = ub_package_resolve(self, probe, &inner_rel, cancellable, &error_local);
		if (nested == NULL || nested == self->source) {
			ub_package_add_warning(self,
					       "%s cannot be read: %s",
					       rel,
					       error_local != NULL ? error_local->message
								   : "not an archive");
			continue;
		}
		inner = ub_package_source_list(nested, cancellable, &error_local);
		if (inner == NULL) {
			ub_package_add_warning(self, "%s cannot be listed: %s", rel, error_local->message);
			continue;
		}
		for (guint j = 0; j < inner->len; j++)
			g_ptr_array_add(files,
					g_strdup_printf("%s/%s", rel, (const gchar *)g_ptr_array_index(inner, j)));
	}
	return g_steal_pointer(&files);
}

/**
 * ub_package_load_file:
 * @self: a #UbPackage
 * @file: a small file of the package, possibly inside a nested zip
 * @max_size: refuse larger files
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): its content
 */
GBytes *
ub_package_load_file(UbPackage *self,
		     const gchar *file,
		     gsize max_size,
		     GCancellable *cancellable,
		     GError **error)
{
	const gchar *inner = NULL;
	UbPackageSource *source;
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	source = ub_package_resolve(self, file, &inner, cancellable, error);
	if (source == NULL)
		return NULL;
	return ub_package_source_load(source, inner, max_size, cancellable, error);
}

/**
 * ub_package_query_file_size:
 * @self: a #UbPackage
 * @file: a path inside the package, possibly inside a nested zip
 * @size: (out): its size
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if the file exists
 */
gboolean
ub_package_query_file_size(UbPackage *self,
			   const gchar *file,
			   guint64 *size,
			   GCancellable *cancellable,
			   GError **error)
{
	const gchar *inner = NULL;
	UbPackageSource *source;
	g_return_val_if_fail(UB_IS_PACKAGE(self), FALSE);
	source = ub_package_resolve(self, file, &inner, cancellable, error);
	if (source == NULL)
		return FALSE;
	return ub_package_source_query_size(source, inner, size, cancellable, error);
}

/**
 * ub_package_open_file:
 * @self: a #UbPackage
 * @file: a path inside the package, possibly inside a nested zip
 * @size: (out) (optional): its size
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): a stream of the image, straight out of the folder or archive
 */
GInputStream *
ub_package_open_file(UbPackage *self,
		     const gchar *file,
		     guint64 *size,
		     GCancellable *cancellable,
		     GError **error)
{
	const gchar *inner = NULL;
	UbPackageSource *source;
	g_return_val_if_fail(UB_IS_PACKAGE(self), NULL);
	source = ub_package_resolve(self, file, &inner, cancellable, error);
	if (source == NULL)
		return NULL;
	if (size != NULL && !ub_package_source_query_size(source, inner, size, cancellable, error))
		return NULL;
	return ub_package_source_open(source, inner, cancellable, error);
}

static void
ub_package_finalize(GObject *object)
{
	UbPackage *self = UB_PACKAGE(object);
	g_clear_object(&self->source);
	g_free(self->path);
	g_free(self->platform);
	g_free(self->product);
	g_free(self->storage);
	g_free(self->version);
	g_ptr_array_unref(self->partitions);
	g_ptr_array_unref(self->plans);
	g_ptr_array_unref(self->warnings);
	g_ptr_array_unref(self->checksums);
	g_hash_table_unref(self->requirements);
	g_hash_table_unref(self->nested);
	g_mutex_clear(&self->mutex);
	G_OBJECT_CLASS(ub_package_parent_class)->finalize(object);
}

static void
ub_package_init(UbPackage *self)
{
	self->partitions = g_ptr_array_new_with_free_func((GDestroyNotify)ub_package_partition_free);
	self->plans = g_ptr_array_new_with_free_func((GDestroyNotify)ub_package_plan_free);
	self->warnings = g_ptr_array_new_with_free_func(g_free);
	self->checksums = g_ptr_array_new_with_free_func((GDestroyNotify)ub_package_checksum_free);
	self->requirements = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->nested = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	g_mutex_init(&self->mutex);
}

static void
ub_package_class_init(UbPackageClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = ub_package_finalize;
}

/**
 * ub_package_new:
 * @source: where the files are
 *
 * Returns: (transfer full): an empty package for a loader to fill
 */
UbPackage *
ub_package_new(UbPackageSource *source)
{
	UbPackage *self = g_object_new(UB_TYPE_PACKAGE, NULL);
	self->source = g_object_ref(source);
	return self;
}

/* the checks that need no device */

static void
ub_package_problem(GPtrArray *problems, const gchar *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
ub_package_problem(GPtrArray *problems, const gchar *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	g_ptr_array_add(problems, g_strdup_vprintf(fmt, args));
	va_end(args);
}

static gint
ub_package_cmp_start(gconstpointer a, gconstpointer b)
{
	const UbPackagePartition *pa = *(const UbPackagePartition **)a;
	const UbPackagePartition *pb = *(const UbPackagePartition **)b;
	if (pa->start != pb->start)
		return pa->start < pb->start ? -1 : 1;
	return 0;
}

static void
ub_package_check_overlaps(UbPackage *self, GPtrArray *problems)
{
	g_autoptr(GHashTable) regions = g_hash_table_new_full(g_str_hash,
							      g_str_equal,
							      g_free,
							      (GDestroyNotify)g_ptr_array_unref);
	GHashTableIter iter;
	gpointer value;

	/* group rows with a known extent by region and LUN */
	for (guint i = 0; i < self->partitions->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(self->partitions, i);
		g_autofree gchar *key = NULL;
		GPtrArray *rows;
		if (part->start == UB_PACKAGE_UNKNOWN || part->size == UB_PACKAGE_UNKNOWN ||
		    part->size == 0)
			continue;
		key = g_strdup_printf("%s/%d", part->region != NULL ? part->region : "", part->lun);
		rows = g_hash_table_lookup(regions, key);
		if (rows == NULL) {
			rows = g_ptr_array_new();
			g_hash_table_insert(regions, g_steal_pointer(&key), rows);
		}
		g_ptr_array_add(rows, part);
	}
	g_hash_table_iter_init(&iter, regions);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		GPtrArray *rows = value;
		g_ptr_array_sort(rows, ub_package_cmp_start);
		for (guint i = 1; i < rows->len; i++) {
			UbPackagePartition *prev = g_ptr_array_index(rows, i - 1);
			UbPackagePartition *part = g_ptr_array_index(rows, i);
			/* the same record listed twice is a duplicate, not an overlap */
			if (prev->start == part->start && prev->size == part->size &&
			    g_strcmp0(prev->name, part->name) == 0)
				continue;
			if (part->start < prev->start + prev->size) {
				ub_package_problem(
				    problems,
				    "partitions %s (0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
				    "x) and %s (0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
				    "x) overlap in %s; the partition table of this package is "
				    "broken, get an unmodified copy",
				    prev->name,
				    prev->start,
				    prev->start + prev->size,
				    part->name,
				    part->start,
				    part->start + part->size,
				    prev->region != NULL ? prev->region : "the disk");
			}
		}
	}
}

static gboolean
ub_package_file_checksum(UbPackage *self,
			 UbPackageChecksum *c,
			 gchar **actual,
			 GCancellable *cancellable,
			 GError **error)
{
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GChecksum) checksum = NULL;
	g_autofree guint8 *buf = NULL;
	const gsize bufsz = 1024 * 1024;

	stream = ub_package_open_file(self, c->file, NULL, cancellable, error);
	if (stream == NULL)
		return FALSE;
	if (c->type == (GChecksumType)-1) {
		guint16 sum = 0;
		if (!ub_mtk_checksum_compute_stream(stream, &sum, NULL, cancellable, error))
			return FALSE;
		*actual = g_strdup_printf("0x%04x", sum);
		return TRUE;
	}
	checksum = g_checksum_new(c->type);
	buf = g_malloc(bufsz);
	for (;;) {
		gssize n = g_input_stream_read(stream, buf, bufsz, cancellable, error);
		if (n < 0) {
			ub_error_convert(error);
			return FALSE;
		}
		if (n == 0)
			break;
		g_checksum_update(checksum, buf, n);
	}
	*actual = g_strdup(g_checksum_get_string(checksum));
	return TRUE;
}

/**
 * ub_package_check:
 * @self: a #UbPackage
 * @cancellable: (nullable): a #GCancellable
 *
 * Every check that needs no device: each referenced file is there and fits its
 * partition, no two partitions overlap, checksums the package carries match.
 *
 * Returns: (transfer container) (element-type utf8): the problems, each naming
 * the file or partition and what to do; empty when the package is fine
 */
GPtrArray *
ub_package_check(UbPackage *self, GCancellable *cancellable)
{
	GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);

	g_return_val_if_fail(UB_IS_PACKAGE(self), problems);

	for (guint i = 0; i < self->partitions->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(self->partitions, i);
		g_autoptr(GError) error_local = NULL;
		guint64 size = 0;
		if (part->file == NULL || !part->download)
			continue;
		if (!ub_package_query_file_size(self, part->file, &size, cancellable, &error_local)) {
			ub_package_problem(problems,
					   "%s: %s; re-download or unpack the complete package, or "
					   "untick %s",
					   part->name,
					   error_local->message,
					   part->name);
			continue;
		}
		/* a sparse image must be valid, and its expanded size must fit */
		if (part->sparse) {
			g_autoptr(GInputStream) stream = NULL;
			g_autoptr(UbSparseImage) layout = NULL;
			stream = ub_package_open_file(self, part->file, NULL, cancellable, &error_local);
			if (stream != NULL)
				layout = ub_sparse_reader_scan(stream, UB_SPARSE_PARSE_FLAG_NONE,
							       cancellable, &error_local);
			if (layout == NULL) {
				ub_package_problem(problems,
						   "%s: %s is not a valid sparse image (%s); the "
						   "package is damaged, download it again",
						   part->name,
						   part->file,
						   error_local->message);
				continue;
			}
			size = ub_sparse_image_get_size(layout) + part->file_offset;
		}
		if (part->size == UB_PACKAGE_UNKNOWN)
			continue;
		if (size > part->file_offset && size - part->file_offset > part->size) {
			g_autofree gchar *have = g_format_size_full(size - part->file_offset,
								    G_FORMAT_SIZE_IEC_UNITS);
			g_autofree gchar *room = g_format_size_full(part->size, G_FORMAT_SIZE_IEC_UNITS);
			ub_package_problem(problems,
					   "%s: image %s (%s) is larger than the partition (%s); "
					   "the image is for another model or the package is "
					   "damaged",
					   part->name,
					   part->file,
					   have,
					   room);
		}
	}
	ub_package_check_overlaps(self, problems);
	for (guint i = 0; i < self->checksums->len; i++) {
		UbPackageChecksum *c = g_ptr_array_index(self->checksums, i);
		g_autoptr(GError) error_local = NULL;
		g_autofree gchar *actual = NULL;
		if (!ub_package_file_checksum(self, c, &actual, cancellable, &error_local)) {
			ub_package_problem(problems,
					   "%s: cannot check it against %s: %s",
					   c->file,
					   c->origin,
					   error_local->message);
			continue;
		}
		if (g_strcmp0(actual, c->expected) != 0)
			ub_package_problem(problems,
					   "%s does not match %s (expected %s, found %s); the file "
					   "is damaged or was changed: download the package again",
					   c->file,
					   c->origin,
					   c->expected,
					   actual);
	}
	return problems;
}

/**
 * ub_package_preflight:
 * @self: a #UbPackage
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if ub_package_check() found nothing; the error lists all problems
 */
gboolean
ub_package_preflight(UbPackage *self, GCancellable *cancellable, GError **error)
{
	g_autoptr(GPtrArray) problems = ub_package_check(self, cancellable);
	g_autoptr(GString) msg = NULL;
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return FALSE;
	if (problems->len == 0)
		return TRUE;
	msg = g_string_new(NULL);
	for (guint i = 0; i < problems->len; i++)
		g_string_append_printf(msg, "%s%s", i > 0 ? "\n" : "", (gchar *)g_ptr_array_index(problems, i));
	g_set_error_literal(error, UB_ERROR, UB_ERROR_INVALID_DATA, msg->str);
	return FALSE;
}
