/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "formats/ub-package-plan.h"
#include "formats/ub-scatter.h"
#include "formats/ub-sparse-writer.h"
#include "mtk/ub-mtk-device.h"
#include "mtk/ub-mtk-proto.h"
#include "ub-backup.h"
#include "ub-core.h"
#include "ub-edl-test-common.h"
#include "ub-mem.h"
#include "ub-mtk-test-common.h"
#include "ub-plan-executor.h"

/*
 * Every real scatter of the corpus (../shared/corpus/mtk-scatter), with images
 * generated for every file it names (deterministic bytes, capped sizes),
 * flashed through the package plans and the MediaTek engine into a simulated
 * MTK phone of the matching storage (eMMC, and UFS for the UFS block of a V2
 * scatter). The phone starts with another layout (the scatter's own with the
 * calibration partitions and everything after them 1 MiB further on) and
 * calibration data in it:
 *   Download Only is refused before any write (simulator write count 0),
 *   Firmware Upgrade writes the scatter's table, every image and keeps the
 *     calibration partitions byte for byte,
 *   Download Only on the now matching layout writes every image again,
 *   Format All + Download is refused without consent, and with it backs the
 *     calibration partitions up and writes every image.
 * After each flash the storage holds every image at its physical address, and
 * the preloader sits behind its boot header in both boot areas.
 *
 * The MBR/EBR (PMT) era scatters (MT6572 V1.1.1, MT6589 brace) run the same
 * three modes on an MT6572 whose DA file has a legacy entry: the engine speaks
 * the legacy DA, the phone's older PMT is compared, replaced by the scatter's
 * (WRITE_PMT) and the calibration data is kept (ub_mtk_corpus_pmt_era).
 *
 * The partitions that are Android sparse images in real packages (system,
 * vendor, userdata, super) get sparse files from the project's sparse writer
 * with RAW, FILL and DONT_CARE chunks: the storage then holds the expanded
 * data, and the DONT_CARE blocks keep what was there before the flash (a
 * marker written into them first).
 */

/* per image: several 64 KiB-aligned packets, small enough for the time */
#define UB_MTK_CORPUS_IMAGE_CAP (192 * 1024)
/* how far the phone's old layout has its calibration partitions moved */
#define UB_MTK_CORPUS_SHIFT (1024 * 1024)

static gchar *ub_corpus_dir = NULL;

/* the sparse images' block size, and which of their blocks are which chunk */
#define UB_MTK_CORPUS_SPARSE_BLOCK 4096
#define UB_MTK_CORPUS_FILL_VALUE   0xA5C3A5C3u

static gboolean
ub_mtk_corpus_is_sparse_name(const gchar *name)
{
	const gchar *names[] = {"system", "vendor", "userdata", "super"};
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_strcmp0(name, names[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* block k of a sparse image: 1 of 4 is DONT_CARE (zeros in the raw image), 1 of 4 FILL */
static gboolean
ub_mtk_corpus_block_is_dont_care(guint64 block)
{
	return block % 4 == 1;
}

static gboolean
ub_mtk_corpus_block_is_fill(guint64 block)
{
	return block % 4 == 2;
}

typedef struct {
	gchar *name;	/* the corpus file */
	gchar *storage; /* "emmc" or "ufs" */
} UbMtkCorpusCase;

static void
ub_mtk_corpus_case_free(gpointer data)
{
	UbMtkCorpusCase *tc = data;
	g_free(tc->name);
	g_free(tc->storage);
	g_free(tc);
}

typedef struct {
	gchar *tmpdir;
	gchar *scatter;
	UbPackage *package;
	GHashTable *images; /* file -> GBytes (a sparse image expanded) */
	GHashTable *sparse; /* files written as sparse images */
	guint n_sparse_marker; /* sparse checks whose DONT_CARE blocks kept the marker */
	guint n_sparse_erased; /* ... were formatted by the plan first */
	UbMtkTestPhone *phone;
	const gchar *main_region;
	const gchar *boot_regions[2];
	GPtrArray *pmt; /* (nullable): an MBR/EBR era phone's table, as the engine read it */
} UbMtkCorpus;

static void
ub_mtk_corpus_write(const gchar *path, GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path,
					  g_bytes_get_data(blob, NULL),
					  (gssize)g_bytes_get_size(blob),
					  &error));
	g_assert_no_error(error);
}

/* a preloader as the build makes it: GFH "MMM" first, so the engine adds the boot header */
static GBytes *
ub_mtk_corpus_preloader(gsize size, guint32 seed)
{
	g_autoptr(GBytes) body = ub_edl_test_make_pattern(size, seed);
	guint8 *buf = g_memdup2(g_bytes_get_data(body, NULL), size);
	const guint8 gfh[] = {'M', 'M', 'M', 0x01, 0x38, 0x00, 0x00, 0x00, 'F', 'I', 'L', 'E'};
	memcpy(buf, gfh, sizeof(gfh));
	return g_bytes_new_take(buf, size);
}

/* @raw with every DONT_CARE block zeroed and every FILL block uniform */
static GBytes *
ub_mtk_corpus_sparse_raw(GBytes *pattern)
{
	gsize size = g_bytes_get_size(pattern);
	guint8 *buf = g_memdup2(g_bytes_get_data(pattern, NULL), size);
	g_assert_cmpuint(size % UB_MTK_CORPUS_SPARSE_BLOCK, ==, 0);
	for (gsize k = 0; k < size / UB_MTK_CORPUS_SPARSE_BLOCK; k++) {
		guint8 *block = buf + k * UB_MTK_CORPUS_SPARSE_BLOCK;
		if (ub_mtk_corpus_block_is_dont_care(k))
			memset(block, 0, UB_MTK_CORPUS_SPARSE_BLOCK);
		else if (ub_mtk_corpus_block_is_fill(k)) {
			for (gsize j = 0; j < UB_MTK_CORPUS_SPARSE_BLOCK; j += 4)
				ub_mem_write_u32_le(block, j, UB_MTK_CORPUS_FILL_VALUE);
		}
	}
	return g_bytes_new_take(buf, size);
}

/* the Android sparse file of @raw: its zero blocks DONT_CARE, uniform ones FILL */
static GBytes *
ub_mtk_corpus_sparse_file(GBytes *raw)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) scan_in = g_memory_input_stream_new_from_bytes(raw);
	g_autoptr(GInputStream) data_in = g_memory_input_stream_new_from_bytes(raw);
	g_autoptr(UbSparseImage) layout = NULL;
	g_autoptr(UbSparseWriter) writer = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	guint n_raw = 0;
	guint n_fill = 0;
	guint n_skip = 0;

	layout = ub_sparse_writer_scan_raw(scan_in,
					   UB_MTK_CORPUS_SPARSE_BLOCK,
					   UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE,
					   NULL,
					   &error);
	g_assert_no_error(error);
	for (guint i = 0; i < ub_sparse_image_get_n_chunks(layout); i++) {
		const UbSparseChunk *chunk = ub_sparse_image_get_chunk(layout, i);
		if (chunk->type == UB_SPARSE_CHUNK_TYPE_RAW)
			n_raw++;
		else if (chunk->type == UB_SPARSE_CHUNK_TYPE_FILL)
			n_fill++;
		else if (chunk->type == UB_SPARSE_CHUNK_TYPE_DONT_CARE)
			n_skip++;
	}
	g_assert_cmpuint(n_raw, >, 0);
	g_assert_cmpuint(n_fill, >, 0);
	g_assert_cmpuint(n_skip, >, 0);
	writer = ub_sparse_writer_new(layout, data_in, UB_SPARSE_WRITER_FLAG_NONE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_output_stream_splice(out,
					       G_INPUT_STREAM(writer),
					       G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
						   G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
					       NULL,
					       &error),
			>,
			0);
	g_assert_no_error(error);
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
}

/* the scatter copied into a folder with an image for every file it names */
static void
ub_mtk_corpus_generate(UbMtkCorpus *self, const UbMtkCorpusCase *tc)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *src = g_build_filename(ub_corpus_dir, tc->name, NULL);
	g_autofree gchar *text = NULL;
	UbPackageOptions options = {tc->storage, 0};
	gsize len = 0;
	GPtrArray *parts;

	self->tmpdir = g_dir_make_tmp("ub-mtk-corpus-XXXXXX", &error);
	g_assert_no_error(error);
	self->scatter = g_build_filename(self->tmpdir, tc->name, NULL);
	g_assert_true(g_file_get_contents(src, &text, &len, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_set_contents(self->scatter, text, (gssize)len, &error));
	g_assert_no_error(error);
	self->package = ub_package_open(self->scatter, &options, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_package_get_storage(self->package), ==, tc->storage);
	self->images = g_hash_table_new_full(g_str_hash,
					     g_str_equal,
					     g_free,
					     (GDestroyNotify)g_bytes_unref);
	self->sparse = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	parts = ub_package_get_partitions(self->package);
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(parts, i);
		g_autofree gchar *path = NULL;
		g_autoptr(GBytes) blob = NULL;
		gsize size = UB_MTK_CORPUS_IMAGE_CAP;
		if (part->file == NULL || g_hash_table_contains(self->images, part->file))
			continue;
		/* 4 KiB multiples (UFS sectors), at most the partition, at least 4 KiB */
		if (part->size != UB_PACKAGE_UNKNOWN && part->size < size)
			size = MAX(part->size / 4096 * 4096, 4096);
		/* an odd tail in a few images: the engine pads the last sector */
		if (i % 3 == 0 && size > 8192)
			size -= 4096;
		if (g_strcmp0(part->operation, "BOOTLOADERS") == 0 ||
		    g_strcmp0(part->name, "preloader") == 0)
			blob = ub_mtk_corpus_preloader(size, i + 1);
		else
			blob = ub_edl_test_make_pattern(size, g_str_hash(part->file));
		path = g_build_filename(self->tmpdir, part->file, NULL);
		if (ub_mtk_corpus_is_sparse_name(part->name) && size >= 4 * UB_MTK_CORPUS_SPARSE_BLOCK) {
			g_autoptr(GBytes) raw = ub_mtk_corpus_sparse_raw(blob);
			g_autoptr(GBytes) file = ub_mtk_corpus_sparse_file(raw);
			g_assert_cmphex(ub_mem_read_u32_le(g_bytes_get_data(file, NULL), 0),
					==,
					UB_SPARSE_MAGIC);
			ub_mtk_corpus_write(path, file);
			g_hash_table_add(self->sparse, g_strdup(part->file));
			g_hash_table_insert(self->images, g_strdup(part->file), g_steal_pointer(&raw));
			continue;
		}
		ub_mtk_corpus_write(path, blob);
		g_hash_table_insert(self->images, g_strdup(part->file), g_steal_pointer(&blob));
	}
	if (g_strcmp0(tc->storage, "ufs") == 0) {
		self->main_region = "lun2";
		self->boot_regions[0] = "lun0";
		self->boot_regions[1] = "lun1";
	} else {
		self->main_region = "user";
		self->boot_regions[0] = "boot1";
		self->boot_regions[1] = "boot2";
	}
}

static void
ub_mtk_corpus_clear(UbMtkCorpus *self)
{
	g_clear_pointer(&self->phone, ub_mtk_test_phone_free);
	g_clear_pointer(&self->pmt, g_ptr_array_unref);
	g_clear_object(&self->package);
	g_clear_pointer(&self->images, g_hash_table_unref);
	g_clear_pointer(&self->sparse, g_hash_table_unref);
	if (self->tmpdir != NULL)
		ub_edl_test_rmtree(self->tmpdir);
	g_clear_pointer(&self->tmpdir, g_free);
	g_clear_pointer(&self->scatter, g_free);
}

static UbPlan *
ub_mtk_corpus_plan(UbMtkCorpus *self, const gchar *mode, const gchar *backups)
{
	UbPackagePlanOptions options = {.verify = TRUE};
	g_autoptr(GError) error = NULL;
	UbPlan *plan = ub_package_plan_for_mode(self->package, mode, &options, &error);
	g_assert_no_error(error);
	g_assert_nonnull(plan);
	if (backups != NULL) {
		g_autofree gchar *dir = g_build_filename(self->tmpdir, backups, NULL);
		ub_plan_set_backup_dir(plan, dir);
	}
	return plan;
}

static gboolean
ub_mtk_corpus_is_calibration(UbMtkCorpus *self, const gchar *name)
{
	UbPackagePartition *part = ub_package_find_partition(self->package, name);
	return part != NULL && part->calibration;
}

/*
 * The phone's table before the download: the scatter's layout with the first
 * calibration partition and every fixed one after it moved on by 1 MiB (the
 * shape of an older firmware); then calibration data in each of them.
 */
static GHashTable *
ub_mtk_corpus_old_layout(UbMtkCorpus *self, UbPlan *fu)
{
	UbSimStorage *storage = self->phone->storage;
	GPtrArray *layout = ub_plan_get_layout(fu);
	g_autoptr(UbPlan) old = ub_plan_new(ub_plan_get_kind(fu));
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_autoptr(GError) error = NULL;
	GHashTable *calibration =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
	guint64 shift = 0;
	guint n_shifted = 0;

	g_assert_cmpuint(layout->len, >, 0);
	ub_plan_set_layout_block_size(old, ub_plan_get_layout_block_size(fu));
	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		if (row->pseudo == 0 && shift == 0 && ub_mtk_corpus_is_calibration(self, row->name))
			shift = UB_MTK_CORPUS_SHIFT;
		n_shifted += row->pseudo == 0 && shift > 0;
		ub_plan_add_layout_row(old,
				       row->name,
				       row->region,
				       row->pseudo == 0 ? row->start + shift : row->start,
				       row->size,
				       row->pseudo,
				       row->combo);
	}
	g_assert_cmpuint(n_shifted, >, 0);
	if (!ub_plan_build_layout_gpt(old,
				      self->main_region,
				      ub_sim_storage_get_region_size(storage, self->main_region),
				      ub_sim_storage_get_sector_size(storage),
				      &primary,
				      &backup,
				      &error))
		g_error("old layout: %s", error->message);
	g_assert_true(ub_sim_storage_write_gpt(storage, self->main_region, primary, backup, &error));
	g_assert_no_error(error);

	/* calibration data: the start, a marker in the middle, the end */
	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		g_autoptr(UbPartition) part = NULL;
		g_autoptr(GBytes) head = NULL;
		g_autoptr(GBytes) tail = NULL;
		guint8 *all;
		gsize size;
		if (!ub_mtk_corpus_is_calibration(self, row->name))
			continue;
		part = ub_sim_storage_find_partition(storage, row->name, &error);
		g_assert_no_error(error);
		size = ub_partition_get_size(part);
		head = ub_edl_test_make_pattern(MIN(size, 65536), g_str_hash(row->name));
		tail = ub_edl_test_make_pattern(MIN(size, 4096), g_str_hash(row->name) + 1);
		g_assert_true(ub_sim_storage_write_partition(storage,
							     row->name,
							     0,
							     g_bytes_get_data(head, NULL),
							     g_bytes_get_size(head),
							     &error));
		g_assert_no_error(error);
		g_assert_true(ub_sim_storage_write_partition(storage,
							     row->name,
							     size - g_bytes_get_size(tail),
							     g_bytes_get_data(tail, NULL),
							     g_bytes_get_size(tail),
							     &error));
		g_assert_no_error(error);
		if (size > 8 * 65536)
			g_assert_true(ub_sim_storage_write_partition(storage,
								     row->name,
								     size / 2,
								     (const guint8 *)"IMEI 356938035643809",
								     20,
								     &error));
		g_assert_no_error(error);
		all = g_malloc(size);
		g_assert_true(ub_sim_storage_read_partition(storage, row->name, 0, all, size, &error));
		g_assert_no_error(error);
		g_hash_table_insert(calibration, g_strdup(row->name), g_bytes_new_take(all, size));
	}
	return calibration;
}

static GBytes *
ub_mtk_corpus_storage_read(UbSimStorage *storage, const gchar *region, guint64 offset, gsize len)
{
	g_autoptr(GError) error = NULL;
	guint8 *buf = g_malloc(len);
	if (!ub_sim_storage_read(storage, region, offset, buf, len, &error))
		g_error("%s+0x%" G_GINT64_MODIFIER "x: %s", region, offset, error->message);
	return g_bytes_new_take(buf, len);
}

static UbPartition *
ub_mtk_corpus_pmt_find(GPtrArray *pmt, const gchar *name)
{
	for (guint i = 0; i < pmt->len; i++) {
		UbPartition *part = g_ptr_array_index(pmt, i);
		if (g_ascii_strcasecmp(ub_partition_get_name(part), name) == 0)
			return part;
	}
	return NULL;
}

/* where a write op of @plan put its image: region and byte offset */
static void
ub_mtk_corpus_target(UbMtkCorpus *self, UbPlan *plan, UbPlanOp *op, const gchar **region, guint64 *offset)
{
	UbSimStorage *storage = self->phone->storage;
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPartition) part = NULL;

	if (op->region != NULL && (op->flags & UB_PLAN_OP_FLAG_PSEUDO) == 0) {
		*region = op->region;
		*offset = op->offset;
		/* the table on the phone agrees with the scatter */
		part = ub_sim_storage_find_partition(storage, op->label, NULL);
		if (part != NULL && g_strcmp0(ub_partition_get_region(part), op->region) == 0)
			g_assert_cmpuint(ub_partition_get_offset(part), ==, op->offset);
		return;
	}
	if (self->pmt != NULL) {
		/* the PMT the phone has now */
		UbPartition *found =
		    ub_mtk_corpus_pmt_find(self->pmt, op->partition != NULL ? op->partition : op->label);
		g_assert_nonnull(found);
		part = g_object_ref(found);
	} else {
		part = ub_sim_storage_find_partition(storage,
						     op->partition != NULL ? op->partition : op->label,
						     &error);
		g_assert_no_error(error);
	}
	*region = ub_partition_get_region(part) != NULL ? ub_partition_get_region(part)
							: self->main_region;
	*offset = ub_partition_get_offset(part);
	if ((op->flags & UB_PLAN_OP_FLAG_PSEUDO) > 0) {
		/* the end-relative address resolved for this storage */
		GPtrArray *layout = ub_plan_get_layout(plan);
		for (guint i = 0; i < layout->len; i++) {
			UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
			guint64 start = 0;
			if (g_strcmp0(row->name, op->label) != 0)
				continue;
			g_assert_true(ub_plan_layout_resolve(
			    plan,
			    row,
			    ub_sim_storage_get_region_size(storage, *region),
			    &start));
			g_assert_cmpuint(start, ==, *offset);
		}
	}
	*region = g_intern_string(*region);
}

/* what the DONT_CARE blocks of a sparse image hold before a flash */
static GBytes *
ub_mtk_corpus_marker(void)
{
	return ub_edl_test_make_pattern(UB_MTK_CORPUS_SPARSE_BLOCK, 0xD0C);
}

/* whether @plan erases any of @region + @offset..@offset+@len (or the
 * partition @label) before writing: SP Flash Tool's formats */
static gboolean
ub_mtk_corpus_plan_erases(UbPlan *plan,
			  const gchar *label,
			  const gchar *region,
			  guint64 offset,
			  guint64 len)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		if (op->kind != UB_PLAN_OP_ERASE)
			continue;
		if (op->region == NULL) {
			if (g_strcmp0(op->partition, label) == 0 || g_strcmp0(op->label, label) == 0)
				return TRUE;
			continue;
		}
		if (g_strcmp0(op->region, region) != 0 || (op->flags & UB_PLAN_OP_FLAG_PSEUDO) > 0)
			continue;
		if (op->offset < offset + len && (op->length == 0 || op->offset + op->length > offset))
			return TRUE;
	}
	return FALSE;
}

/* the expanded sparse image on the storage: RAW and FILL blocks as in the
 * image, DONT_CARE blocks what was there when it was written: the marker, or
 * zeros (the simulated storage's erased state) when the plan formatted it */
static void
ub_mtk_corpus_check_sparse(UbMtkCorpus *self,
			   UbPlan *plan,
			   UbPlanOp *op,
			   GBytes *image,
			   const gchar *region,
			   guint64 offset)
{
	g_autoptr(GBytes) marker = ub_mtk_corpus_marker();
	gsize size = g_bytes_get_size(image);
	g_autoptr(GBytes) have = ub_mtk_corpus_storage_read(self->phone->storage, region, offset, size);
	const guint8 *want = g_bytes_get_data(image, NULL);
	const guint8 *got = g_bytes_get_data(have, NULL);
	g_autofree guint8 *zeros = g_malloc0(UB_MTK_CORPUS_SPARSE_BLOCK);
	const guint8 *kept = g_bytes_get_data(marker, NULL);

	if (ub_mtk_corpus_plan_erases(plan, op->label, region, offset, size)) {
		kept = zeros;
		self->n_sparse_erased++;
	} else {
		self->n_sparse_marker++;
	}
	for (gsize k = 0; k < size / UB_MTK_CORPUS_SPARSE_BLOCK; k++) {
		gsize at = k * UB_MTK_CORPUS_SPARSE_BLOCK;
		const guint8 *expect = ub_mtk_corpus_block_is_dont_care(k) ? kept : want + at;
		if (memcmp(got + at, expect, UB_MTK_CORPUS_SPARSE_BLOCK) != 0)
			g_error("%s: sparse %s at %s+0x%" G_GINT64_MODIFIER "x: block %" G_GSIZE_FORMAT
				" (%s) differs from %s",
				ub_plan_kind_to_string(ub_plan_get_kind(plan)),
				op->label,
				region,
				offset,
				k,
				ub_mtk_corpus_block_is_dont_care(k) ? "DONT_CARE: not kept"
				: ub_mtk_corpus_block_is_fill(k)    ? "FILL"
								    : "RAW",
				op->file);
	}
}

/* the marker into the DONT_CARE blocks where @plan puts its sparse images */
static guint
ub_mtk_corpus_prime_sparse(UbMtkCorpus *self, UbPlan *plan)
{
	g_autoptr(GBytes) marker = ub_mtk_corpus_marker();
	GPtrArray *ops = ub_plan_get_ops(plan);
	guint n = 0;
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		GBytes *image;
		const gchar *region = NULL;
		guint64 offset = 0;
		if (op->kind != UB_PLAN_OP_WRITE || op->file == NULL ||
		    !g_hash_table_contains(self->sparse, op->file))
			continue;
		image = g_hash_table_lookup(self->images, op->file);
		/* where the scatter puts it: before a Firmware Upgrade the phone's
		 * table still says otherwise */
		if (op->region != NULL && (op->flags & UB_PLAN_OP_FLAG_PSEUDO) == 0) {
			region = op->region;
			offset = op->offset;
		} else {
			ub_mtk_corpus_target(self, plan, op, &region, &offset);
		}
		for (gsize k = 0; k < g_bytes_get_size(image) / UB_MTK_CORPUS_SPARSE_BLOCK; k++) {
			g_autoptr(GError) error = NULL;
			if (!ub_mtk_corpus_block_is_dont_care(k))
				continue;
			g_assert_true(ub_sim_storage_write(self->phone->storage,
							   region,
							   offset + k * UB_MTK_CORPUS_SPARSE_BLOCK,
							   g_bytes_get_data(marker, NULL),
							   UB_MTK_CORPUS_SPARSE_BLOCK,
							   &error));
			g_assert_no_error(error);
		}
		n++;
	}
	return n;
}

/* every image of @plan is on the storage where the scatter puts it */
static guint
ub_mtk_corpus_check_images(UbMtkCorpus *self, UbPlan *plan)
{
	UbSimStorage *storage = self->phone->storage;
	GPtrArray *ops = ub_plan_get_ops(plan);
	guint n = 0;

	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		GBytes *image;
		const gchar *region = NULL;
		guint64 offset = 0;
		if (op->kind != UB_PLAN_OP_WRITE || op->file == NULL)
			continue;
		image = g_hash_table_lookup(self->images, op->file);
		g_assert_nonnull(image);
		if ((op->flags & UB_PLAN_OP_FLAG_ENGINE_NAME) > 0) {
			/* the preloader: behind its boot header, in both boot areas */
			for (guint j = 0; j < G_N_ELEMENTS(self->boot_regions); j++) {
				g_autoptr(GBytes) area = NULL;
				g_autoptr(GError) error = NULL;
				guint64 start = 0;
				g_assert_cmpstr(op->partition, ==, "preloader");
				area = ub_mtk_corpus_storage_read(storage,
								  self->boot_regions[j],
								  0,
								  0x2000 + g_bytes_get_size(image));
				g_assert_true(ub_mtk_preloader_boot_header_check(
				    g_bytes_get_data(area, NULL),
				    g_bytes_get_size(area),
				    &start,
				    &error));
				g_assert_no_error(error);
				g_assert_cmpmem((const guint8 *)g_bytes_get_data(area, NULL) + start,
						g_bytes_get_size(image),
						g_bytes_get_data(image, NULL),
						g_bytes_get_size(image));
			}
			n++;
			continue;
		}
		ub_mtk_corpus_target(self, plan, op, &region, &offset);
		if (g_hash_table_contains(self->sparse, op->file)) {
			ub_mtk_corpus_check_sparse(self, plan, op, image, region, offset);
			n++;
			continue;
		}
		{
			g_autoptr(GBytes) have =
			    ub_mtk_corpus_storage_read(storage, region, offset, g_bytes_get_size(image));
			if (!g_bytes_equal(have, image))
				g_error("%s: %s at %s+0x%" G_GINT64_MODIFIER "x differs from %s",
					ub_plan_kind_to_string(ub_plan_get_kind(plan)),
					op->label,
					region,
					offset,
					op->file);
		}
		n++;
	}
	return n;
}

/* zeros over every image of @plan, so that the next download has to write them */
static void
ub_mtk_corpus_wipe_images(UbMtkCorpus *self, UbPlan *plan)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		g_autoptr(GError) error = NULL;
		GBytes *image;
		const gchar *region = NULL;
		guint64 offset = 0;
		if (op->kind != UB_PLAN_OP_WRITE || op->file == NULL ||
		    (op->flags & UB_PLAN_OP_FLAG_ENGINE_NAME) > 0)
			continue;
		image = g_hash_table_lookup(self->images, op->file);
		ub_mtk_corpus_target(self, plan, op, &region, &offset);
		g_assert_true(ub_sim_storage_erase(self->phone->storage,
						   region,
						   offset,
						   (g_bytes_get_size(image) + 4095) / 4096 * 4096,
						   &error));
		g_assert_no_error(error);
	}
}

static gboolean
ub_mtk_corpus_run_on(UbMtkTestPhone *phone, UbPlan *plan, GError **error)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	return ub_plan_execute(plan, phone->device, progress, NULL, error);
}

static gboolean
ub_mtk_corpus_run(UbMtkCorpus *self, UbPlan *plan, GError **error)
{
	g_autoptr(UbProgress) progress = ub_progress_new();
	return ub_plan_execute(plan, self->phone->device, progress, NULL, error);
}

/* a scatter of the MBR/EBR era: its layout starts with the MBR image itself */
static gboolean
ub_mtk_corpus_is_mbr_era(UbPlan *fu)
{
	GPtrArray *layout = ub_plan_get_layout(fu);
	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		if (g_ascii_strcasecmp(row->name, "MBR") == 0 && row->pseudo == 0 &&
		    row->start < 0x100000)
			return TRUE;
	}
	return FALSE;
}

/* the package says what it is as soon as it is opened */
static gboolean
ub_mtk_corpus_has_warning(UbPackage *package, const gchar *text)
{
	GPtrArray *warnings = ub_package_get_warnings(package);
	for (guint i = 0; i < warnings->len; i++) {
		if (strstr(g_ptr_array_index(warnings, i), text) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* a row's bytes; one without a size reaches the next row (or the region's end) */
static guint64
ub_mtk_corpus_row_extent(UbPlan *plan, const UbPlanLayoutRow *row, guint64 start, guint64 region_size)
{
	GPtrArray *layout = ub_plan_get_layout(plan);
	guint64 end = region_size;
	if (row->size != 0)
		return row->size;
	for (guint i = 0; i < layout->len; i++) {
		const UbPlanLayoutRow *tmp = g_ptr_array_index(layout, i);
		guint64 tmp_start = 0;
		if (tmp == row || g_strcmp0(tmp->region, row->region) != 0 ||
		    !ub_plan_layout_resolve(plan, tmp, region_size, &tmp_start))
			continue;
		if (tmp_start > start && tmp_start < end)
			end = tmp_start;
	}
	return end - start;
}

/* the table the engine reads from the phone now (the PMT of an era phone) */
static void
ub_mtk_corpus_reload_pmt(UbMtkCorpus *self)
{
	g_autoptr(GError) error = NULL;
	g_clear_pointer(&self->pmt, g_ptr_array_unref);
	self->pmt = ub_device_list_partitions(self->phone->device, NULL, &error);
	g_assert_no_error(error);
}

/* the calibration partitions of the phone's PMT hold what they held */
static void
ub_mtk_corpus_check_calibration_pmt(UbMtkCorpus *self,
				    const UbMtkCorpusCase *tc,
				    GHashTable *calibration,
				    const gchar *mode)
{
	GHashTableIter iter;
	gpointer key;
	gpointer value;
	ub_mtk_corpus_reload_pmt(self);
	g_hash_table_iter_init(&iter, calibration);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		UbPartition *part = ub_mtk_corpus_pmt_find(self->pmt, key);
		g_autoptr(GBytes) have = NULL;
		g_assert_nonnull(part);
		g_assert_cmpuint(ub_partition_get_size(part), >=, g_bytes_get_size(value));
		have = ub_mtk_corpus_storage_read(self->phone->storage,
						  self->main_region,
						  ub_partition_get_offset(part),
						  g_bytes_get_size(value));
		if (!g_bytes_equal(have, value))
			g_error("%s %s: calibration partition %s changed", tc->name, mode, (const gchar *)key);
	}
}

/*
 * A scatter of the MBR/EBR (PMT) era on a phone of that era (an MT6572 whose
 * DA file has a legacy entry): the phone starts with an older PMT (calibration
 * partitions and everything after them 1 MiB further on) and calibration data;
 * Download Only is refused, Firmware Upgrade writes the scatter's PMT, the MBR
 * and EBR images at their addresses and keeps the calibration data, Download
 * Only then writes every image again, Format All + Download needs consent and
 * backs the calibration partitions up. A phone of that era whose DA file has
 * no legacy entry is told so before the DA is sent.
 */
static void
ub_mtk_corpus_pmt_era(UbMtkCorpus *self,
		      const UbMtkCorpusCase *tc,
		      UbPlan *dl,
		      UbPlan *fu,
		      UbPlan *fa)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GHashTable) calibration =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
	GPtrArray *layout = ub_plan_get_layout(fu);
	guint64 user_size = ub_sim_storage_get_region_size(self->phone->storage, self->main_region);
	guint64 shift = 0;
	guint64 size = 0;
	guint writes;
	guint n_images;

	g_assert_true(ub_mtk_corpus_has_warning(self->package,
						"is a scatter of the MBR/EBR (PMT) era"));
	g_assert_true(ub_mtk_corpus_has_warning(self->package, "legacy Download Agent protocol"));

	/* a phone of that era, with a DA file that has no legacy entry */
	{
		g_autoptr(UbMtkTestPhone) plain = ub_mtk_test_phone_new("emmc:8G", NULL, TRUE, FALSE, &error);
		g_assert_no_error(error);
		ub_sim_mtk_set_hw_code(plain->sim, 0x6572);
		g_assert_false(ub_mtk_corpus_run_on(plain, dl, &error));
		g_test_message("%s on an MT6572 without a legacy DA: %s", tc->name, error->message);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
		g_assert_nonnull(strstr(error->message, "this phone (MT6572) is of the MBR/EBR (PMT) era"));
		g_assert_true(g_str_has_suffix(error->message, "nothing was written"));
		g_assert_false(ub_sim_mtk_get_da_running(plain->sim));
		g_assert_cmpuint(ub_sim_mtk_get_write_count(plain->sim), ==, 0);
		g_clear_error(&error);
	}

	/* the era phone and its older PMT, written by the engine */
	g_assert_true(ub_mtk_test_phone_set_legacy(self->phone, 0x6572, &error));
	g_assert_no_error(error);
	g_assert_true(ub_device_open(self->phone->device, NULL, NULL, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		guint64 start = 0;
		if (g_strcmp0(row->region, self->main_region) != 0)
			continue;
		if (row->pseudo == 0 && shift == 0 && ub_mtk_corpus_is_calibration(self, row->name))
			shift = UB_MTK_CORPUS_SHIFT;
		g_assert_true(ub_plan_layout_resolve(fu, row, user_size, &start));
		size = ub_mtk_corpus_row_extent(fu, row, start, user_size);
		if (row->pseudo == 0)
			start += shift;
		/* the old layout's last partition ends where the next one starts */
		if (start + size > user_size || (row->size == 0 && row->pseudo == 0))
			size = size > shift ? size - shift : size;
		g_ptr_array_add(old, ub_partition_new(row->name, row->region, start, size));
	}
	g_assert_cmpuint(shift, >, 0);
	g_assert_true(
	    ub_device_write_partition_table(self->phone->device, self->main_region, old, NULL, NULL, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < old->len; i++) {
		UbPartition *part = g_ptr_array_index(old, i);
		gsize n = (gsize)MIN(ub_partition_get_size(part), 65536);
		g_autoptr(GBytes) data = NULL;
		if (!ub_mtk_corpus_is_calibration(self, ub_partition_get_name(part)))
			continue;
		data = ub_edl_test_make_pattern(n, g_str_hash(ub_partition_get_name(part)));
		g_assert_true(ub_sim_storage_write(self->phone->storage,
						   self->main_region,
						   ub_partition_get_offset(part),
						   g_bytes_get_data(data, NULL),
						   n,
						   &error));
		g_assert_no_error(error);
		g_hash_table_insert(calibration,
				    g_strdup(ub_partition_get_name(part)),
				    g_steal_pointer(&data));
	}
	g_assert_cmpuint(g_hash_table_size(calibration), >, 0);
	writes = ub_sim_mtk_get_write_count(self->phone->sim);

	/* Download Only on the old PMT: refused before anything is written */
	g_assert_false(ub_mtk_corpus_run(self, dl, &error));
	g_test_message("%s download-only on the old PMT: %s", tc->name, error->message);
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "layout on the phone differs from the scatter"));
	g_assert_cmpuint(ub_sim_mtk_get_write_count(self->phone->sim), ==, writes);
	g_clear_error(&error);

	/* Firmware Upgrade: the scatter's PMT, MBR/EBR and every image, calibration kept */
	if (!ub_mtk_corpus_run(self, fu, &error))
		g_error("%s firmware-upgrade: %s", tc->name, error->message);
	ub_mtk_corpus_reload_pmt(self);
	n_images = ub_mtk_corpus_check_images(self, fu);
	g_assert_cmpuint(n_images, >, 0);
	for (guint i = 0; i < layout->len; i++) {
		UbPlanLayoutRow *row = g_ptr_array_index(layout, i);
		UbPartition *part;
		guint64 start = 0;
		if (g_strcmp0(row->region, self->main_region) != 0)
			continue;
		part = ub_mtk_corpus_pmt_find(self->pmt, row->name);
		g_assert_nonnull(part);
		g_assert_true(ub_plan_layout_resolve(fu, row, user_size, &start));
		g_assert_cmpuint(ub_partition_get_offset(part), ==, start);
		g_assert_cmpuint(ub_partition_get_size(part),
				 ==,
				 ub_mtk_corpus_row_extent(fu, row, start, user_size));
	}
	ub_mtk_corpus_check_calibration_pmt(self, tc, calibration, "firmware-upgrade");
	g_assert_cmpuint(ub_sim_mtk_get_write_count(self->phone->sim), >, writes);

	/* Download Only on the matching PMT: every image again */
	writes = ub_sim_mtk_get_write_count(self->phone->sim);
	ub_mtk_corpus_wipe_images(self, dl);
	if (!ub_mtk_corpus_run(self, dl, &error))
		g_error("%s download-only: %s", tc->name, error->message);
	g_assert_cmpuint(ub_mtk_corpus_check_images(self, dl), >, 0);
	g_assert_cmpuint(ub_sim_mtk_get_write_count(self->phone->sim), >, writes);
	ub_mtk_corpus_check_calibration_pmt(self, tc, calibration, "download-only");

	/* Format All + Download: consent, then backups and every image */
	writes = ub_sim_mtk_get_write_count(self->phone->sim);
	g_assert_false(ub_mtk_corpus_run(self, fa, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "--allow-calibration"));
	g_assert_cmpuint(ub_sim_mtk_get_write_count(self->phone->sim), ==, writes);
	g_clear_error(&error);
	ub_mtk_corpus_wipe_images(self, dl);
	ub_plan_set_allow_calibration(fa, TRUE);
	if (!ub_mtk_corpus_run(self, fa, &error))
		g_error("%s format-all-download: %s", tc->name, error->message);
	ub_mtk_corpus_reload_pmt(self);
	g_assert_cmpuint(ub_mtk_corpus_check_images(self, fa), >, 0);
	{
		g_autofree gchar *dir = g_build_filename(self->tmpdir, "backup-fa", NULL);
		g_autoptr(UbBackup) backup = ub_backup_load(dir, &error);
		GHashTableIter iter;
		gpointer key;
		g_assert_no_error(error);
		g_hash_table_iter_init(&iter, calibration);
		while (g_hash_table_iter_next(&iter, &key, NULL))
			g_assert_nonnull(ub_backup_find_item(backup, key));
	}
	g_test_message("%s: %u images, %u calibration partitions kept, PMT of %u partitions",
		       tc->name,
		       n_images,
		       g_hash_table_size(calibration),
		       self->pmt->len);
}

static void
ub_mtk_corpus_func(gconstpointer data)
{
	const UbMtkCorpusCase *tc = data;
	UbMtkCorpus self = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) dl = NULL;
	g_autoptr(UbPlan) fu = NULL;
	g_autoptr(UbPlan) fa = NULL;
	g_autoptr(UbPlan) dl2 = NULL;
	g_autoptr(GHashTable) calibration = NULL;
	g_autoptr(UbBackup) backup = NULL;
	g_autofree gchar *geometry = NULL;
	g_autoptr(GTimer) timer = g_timer_new();
	GHashTableIter iter;
	gpointer key;
	gpointer value;
	guint n_images;
	guint n_sparse;
	guint writes;

	ub_mtk_corpus_generate(&self, tc);
	geometry = g_strcmp0(tc->storage, "ufs") == 0 ? g_strdup("ufs-mtk:3:64G")
						       : g_strdup("emmc:64G");
	/* preloader mode: no EMI settings needed from the package */
	self.phone = ub_mtk_test_phone_new(geometry, NULL, TRUE, FALSE, &error);
	g_assert_no_error(error);
	ub_mtk_device_set_timeout_limit(UB_MTK_DEVICE(self.phone->device), 20000);

	dl = ub_mtk_corpus_plan(&self, "download-only", NULL);
	fu = ub_mtk_corpus_plan(&self, "firmware-upgrade", "backup-fu");
	fa = ub_mtk_corpus_plan(&self, "format-all-download", "backup-fa");
	if (ub_mtk_corpus_is_mbr_era(fu)) {
		ub_mtk_corpus_pmt_era(&self, tc, dl, fu, fa);
		ub_mtk_corpus_clear(&self);
		return;
	}
	calibration = ub_mtk_corpus_old_layout(&self, fu);
	g_assert_cmpuint(g_hash_table_size(calibration), >, 0);
	g_assert_true(ub_device_open(self.phone->device, NULL, NULL, &error));
	g_assert_no_error(error);

	/* Download Only on the old layout: refused before anything is written */
	g_assert_false(ub_mtk_corpus_run(&self, dl, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "layout on the phone differs from the scatter"));
	g_assert_true(g_str_has_suffix(error->message, "; use Firmware Upgrade"));
	g_assert_cmpuint(ub_sim_mtk_get_write_count(self.phone->sim), ==, 0);
	g_clear_error(&error);

	/* Firmware Upgrade: the scatter's table, every image, calibration kept */
	n_sparse = ub_mtk_corpus_prime_sparse(&self, fu);
	if (!ub_mtk_corpus_run(&self, fu, &error))
		g_error("%s %s firmware-upgrade: %s", tc->name, tc->storage, error->message);
	n_images = ub_mtk_corpus_check_images(&self, fu);
	g_assert_cmpuint(n_images, >, 0);
	g_hash_table_iter_init(&iter, calibration);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		g_autoptr(UbPartition) part =
		    ub_sim_storage_find_partition(self.phone->storage, key, &error);
		g_autofree guint8 *buf = NULL;
		gsize size = g_bytes_get_size(value);
		g_assert_no_error(error);
		g_assert_cmpuint(ub_partition_get_size(part), ==, size);
		buf = g_malloc(size);
		g_assert_true(
		    ub_sim_storage_read_partition(self.phone->storage, key, 0, buf, size, &error));
		g_assert_no_error(error);
		if (memcmp(buf, g_bytes_get_data(value, NULL), size) != 0) {
			gsize at = 0;
			while (buf[at] == ((const guint8 *)g_bytes_get_data(value, NULL))[at])
				at++;
			g_error("%s: calibration partition %s (%s+0x%" G_GINT64_MODIFIER
				"x) changed by Firmware Upgrade at +0x%" G_GSIZE_MODIFIER "x",
				tc->name,
				(const gchar *)key,
				ub_partition_get_region(part),
				ub_partition_get_offset(part),
				at);
		}
	}
	writes = ub_sim_mtk_get_write_count(self.phone->sim);
	g_assert_cmpuint(writes, >, 0);

	/* Download Only on the matching layout: every image written again */
	ub_mtk_corpus_wipe_images(&self, dl);
	ub_mtk_corpus_prime_sparse(&self, dl);
	if (!ub_mtk_corpus_run(&self, dl, &error))
		g_error("%s %s download-only: %s", tc->name, tc->storage, error->message);
	g_assert_cmpuint(ub_mtk_corpus_check_images(&self, dl), >, 0);
	g_assert_cmpuint(ub_sim_mtk_get_write_count(self.phone->sim), >, writes);

	/* Format All + Download: refused without consent, then backed up and flashed */
	writes = ub_sim_mtk_get_write_count(self.phone->sim);
	g_assert_false(ub_mtk_corpus_run(&self, fa, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "--allow-calibration"));
	g_assert_cmpuint(ub_sim_mtk_get_write_count(self.phone->sim), ==, writes);
	g_clear_error(&error);
	ub_mtk_corpus_wipe_images(&self, dl);
	g_clear_object(&fa);
	fa = ub_mtk_corpus_plan(&self, "format-all-download", "backup-fa");
	ub_plan_set_allow_calibration(fa, TRUE);
	ub_mtk_corpus_prime_sparse(&self, fa);
	if (!ub_mtk_corpus_run(&self, fa, &error))
		g_error("%s %s format-all-download: %s", tc->name, tc->storage, error->message);
	g_assert_cmpuint(ub_mtk_corpus_check_images(&self, fa), >, 0);
	{
		g_autofree gchar *dir = g_build_filename(self.tmpdir, "backup-fa", NULL);
		backup = ub_backup_load(dir, &error);
		g_assert_no_error(error);
		g_hash_table_iter_init(&iter, calibration);
		while (g_hash_table_iter_next(&iter, &key, &value))
			g_assert_nonnull(ub_backup_find_item(backup, key));
	}
	/* Download Only writes over the marker without a format */
	if (n_sparse > 0)
		g_assert_cmpuint(self.n_sparse_marker, >, 0);
	g_test_message("%s %s: %u sparse checks kept the DONT_CARE marker, %u after a format",
		       tc->name,
		       tc->storage,
		       self.n_sparse_marker,
		       self.n_sparse_erased);
	g_test_message("%s %s: %u images (%u sparse), %u calibration partitions kept, %.1f s",
		       tc->name,
		       tc->storage,
		       n_images,
		       n_sparse,
		       g_hash_table_size(calibration),
		       g_timer_elapsed(timer, NULL));
	ub_mtk_corpus_clear(&self);
}

/* the test path of a corpus file: its name without the extension */
static gchar *
ub_mtk_corpus_path(const gchar *name, const gchar *storage)
{
	g_autofree gchar *base = g_strdup(name);
	gchar *dot = strrchr(base, '.');
	if (dot != NULL)
		*dot = '\0';
	return g_strdup_printf("/ub/mtk/corpus/%s/%s", base, storage);
}

int
main(int argc, char **argv)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(ub_mtk_corpus_case_free);
	g_autoptr(GDir) dir = NULL;
	const gchar *name;
	int rc;

	/* the phone keeps the table the test writes */
	g_setenv("UB_SIM_LAYOUT", "gpt", TRUE);
	g_test_init(&argc, &argv, NULL);
	if (corpus == NULL)
		return 77;
	ub_corpus_dir = g_build_filename(corpus, "mtk-scatter", NULL);
	dir = g_dir_open(ub_corpus_dir, 0, NULL);
	if (dir == NULL) {
		g_free(ub_corpus_dir);
		return 77;
	}
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *src = g_build_filename(ub_corpus_dir, name, NULL);
		const gchar *storages[] = {"emmc", "ufs"};
		for (guint i = 0; i < G_N_ELEMENTS(storages); i++) {
			UbPackageOptions options = {storages[i], 0};
			g_autoptr(UbPackage) package = ub_package_open(src, &options, NULL, NULL);
			UbMtkCorpusCase *tc;
			g_autofree gchar *path = NULL;
			if (package == NULL ||
			    g_strcmp0(ub_package_get_storage(package), storages[i]) != 0)
				continue;
			tc = g_new0(UbMtkCorpusCase, 1);
			tc->name = g_strdup(name);
			tc->storage = g_strdup(storages[i]);
			path = ub_mtk_corpus_path(name, storages[i]);
			g_test_add_data_func(path, tc, ub_mtk_corpus_func);
			g_ptr_array_add(cases, tc);
		}
	}
	/* every file of the corpus is there (the meson tests name them) */
	g_assert_cmpuint(cases->len, >=, 12);
	rc = g_test_run();
	g_free(ub_corpus_dir);
	return rc;
}
