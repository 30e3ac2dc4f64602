/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-gpt.h"
#include "formats/ub-package-flat-build.h"
#include "formats/ub-qcom-expr.h"
#include "formats/ub-qcom-patch.h"
#include "formats/ub-rawprogram.h"
#include "formats/ub-sparse-writer.h"
#include "ub-crc.h"
#include "ub-edl-test-common.h"
#include "ub-memory-transport.h"
#include "ub-mem.h"

#define UB_EDL_TEST_GPT_ENTRY_SIZE 128
#define UB_EDL_TEST_GPT_HEADER_SIZE 92

/* a small eMMC flat build: sbl1, boot, a sparse system, a placeholder that grows, GPTs */
static const gchar *ub_edl_test_small_rawprogram =
    "<?xml version=\"1.0\" ?>\n"
    "<data>\n"
    "  <program SECTOR_SIZE_IN_BYTES=\"512\" file_sector_offset=\"0\" filename=\"sbl1.mbn\" "
    "label=\"sbl1\" num_partition_sectors=\"1024\" physical_partition_number=\"0\" "
    "size_in_KB=\"512.0\" sparse=\"false\" start_sector=\"2048\"/>\n"
    "  <program SECTOR_SIZE_IN_BYTES=\"512\" file_sector_offset=\"0\" filename=\"boot.img\" "
    "label=\"boot\" num_partition_sectors=\"8192\" physical_partition_number=\"0\" "
    "size_in_KB=\"4096.0\" sparse=\"false\" start_sector=\"4096\"/>\n"
    "  <program SECTOR_SIZE_IN_BYTES=\"512\" file_sector_offset=\"0\" filename=\"system.img\" "
    "label=\"system\" num_partition_sectors=\"8192\" physical_partition_number=\"0\" "
    "size_in_KB=\"4096.0\" sparse=\"true\" start_sector=\"16384\"/>\n"
    "  <program SECTOR_SIZE_IN_BYTES=\"512\" file_sector_offset=\"0\" filename=\"\" "
    "label=\"userdata\" num_partition_sectors=\"0\" physical_partition_number=\"0\" "
    "size_in_KB=\"0\" sparse=\"false\" start_sector=\"32768\"/>\n"
    "  <program SECTOR_SIZE_IN_BYTES=\"512\" file_sector_offset=\"0\" filename=\"gpt_main0.bin\" "
    "label=\"PrimaryGPT\" num_partition_sectors=\"34\" physical_partition_number=\"0\" "
    "size_in_KB=\"17.0\" sparse=\"false\" start_sector=\"0\"/>\n"
    "  <program SECTOR_SIZE_IN_BYTES=\"512\" file_sector_offset=\"0\" filename=\"gpt_backup0.bin\" "
    "label=\"BackupGPT\" num_partition_sectors=\"33\" physical_partition_number=\"0\" "
    "size_in_KB=\"16.5\" sparse=\"false\" start_sector=\"NUM_DISK_SECTORS-33.\"/>\n"
    "</data>\n";

/* what ptool writes for a 32-entry table whose last entry (index 3) grows */
static const gchar *ub_edl_test_small_patch_disk[][4] = {
    /* start_sector, byte_offset, size, value */
    {"2", "424", "8", "NUM_DISK_SECTORS-34."},
    {"NUM_DISK_SECTORS-33.", "424", "8", "NUM_DISK_SECTORS-34."},
    {"1", "48", "8", "NUM_DISK_SECTORS-34."},
    {"NUM_DISK_SECTORS-1.", "48", "8", "NUM_DISK_SECTORS-34."},
    {"1", "32", "8", "NUM_DISK_SECTORS-1."},
    {"NUM_DISK_SECTORS-1.", "24", "8", "NUM_DISK_SECTORS-1."},
    {"NUM_DISK_SECTORS-1.", "72", "8", "NUM_DISK_SECTORS-33."},
    {"1", "88", "4", "CRC32(2,4096)"},
    {"NUM_DISK_SECTORS-1.", "88", "4", "CRC32(NUM_DISK_SECTORS-33.,4096)"},
    {"1", "16", "4", "0"},
    {"1", "16", "4", "CRC32(1,92)"},
    {"NUM_DISK_SECTORS-1.", "16", "4", "0"},
    {"NUM_DISK_SECTORS-1.", "16", "4", "CRC32(NUM_DISK_SECTORS-1.,92)"},
};

void
ub_edl_test_write_small_build(const gchar *dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) patch = g_string_new("<?xml version=\"1.0\" ?>\n<patches>\n");
	g_autofree gchar *rp = g_build_filename(dir, "rawprogram0.xml", NULL);
	g_autofree gchar *pp = g_build_filename(dir, "patch0.xml", NULL);

	for (guint i = 0; i < G_N_ELEMENTS(ub_edl_test_small_patch_disk); i++) {
		g_string_append_printf(patch,
				       "  <patch SECTOR_SIZE_IN_BYTES=\"512\" byte_offset=\"%s\" "
				       "filename=\"DISK\" physical_partition_number=\"0\" "
				       "size_in_bytes=\"%s\" start_sector=\"%s\" value=\"%s\" "
				       "what=\"patch %u\"/>\n",
				       ub_edl_test_small_patch_disk[i][1],
				       ub_edl_test_small_patch_disk[i][2],
				       ub_edl_test_small_patch_disk[i][0],
				       ub_edl_test_small_patch_disk[i][3],
				       i);
	}
	g_string_append(patch, "</patches>\n");
	g_assert_true(g_file_set_contents(rp, ub_edl_test_small_rawprogram, -1, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_set_contents(pp, patch->str, -1, &error));
	g_assert_no_error(error);
}

struct _UbEdlTestBuild {
	GObject parent_instance;
	gchar *dir;
	gchar *main_xml;
	guint32 sector_size;
	guint n_luns;
	GPtrArray *rawprograms; /* of UbRawprogram */
	GPtrArray *patches;	/* of UbQcomPatch */
	GPtrArray *expects;	/* of UbEdlTestExpect */
	GArray *gpt_luns;	/* of guint */
};

G_DEFINE_TYPE(UbEdlTestBuild, ub_edl_test_build, G_TYPE_OBJECT)

GBytes *
ub_edl_test_make_pattern(gsize size, guint32 seed)
{
	guint32 *buf = g_malloc((size + 3) / 4 * 4);
	guint32 x = seed * 2654435761u + 1;
	for (gsize i = 0; i < (size + 3) / 4; i++) {
		/* xorshift: fast enough for tens of MiB */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
	return g_bytes_new_take(buf, size);
}

void
ub_edl_test_rmtree(const gchar *path)
{
	g_autofree gchar *cmd = NULL;
	if (path == NULL)
		return;
	cmd = g_strdup_printf("rm -rf '%s'", path);
	g_assert_cmpint(system(cmd), ==, 0);
}

gchar *
ub_edl_test_write_programmer(const gchar *dir, GError **error)
{
	/* ELF64, little endian, aarch64, two PT_LOAD segments and a PT_NOTE */
	const gsize seg1_off = 0x1000;
	const gsize seg1_size = 0x2345;
	const gsize seg2_off = 0x4000;
	const gsize seg2_size = 0x10001;
	const gsize size = seg2_off + seg2_size;
	g_autoptr(GBytes) noise = ub_edl_test_make_pattern(size, 0xe1f);
	g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(noise, NULL), size);
	g_autofree gchar *fn = g_build_filename(dir, "prog_firehose_ddr.elf", NULL);
	const guint8 ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
	struct {
		guint32 type;
		guint64 offset;
		guint64 filesz;
	} phdrs[] = {{4, 0x200, 0x20}, {1, seg1_off, seg1_size}, {1, seg2_off, seg2_size}};

	memset(buf, 0, seg1_off);
	memcpy(buf, ident, sizeof(ident));
	ub_mem_write_u16_le(buf, 16, 2);    /* ET_EXEC */
	ub_mem_write_u16_le(buf, 18, 0xb7); /* EM_AARCH64 */
	ub_mem_write_u32_le(buf, 20, 1);
	ub_mem_write_u64_le(buf, 24, 0x14680000); /* e_entry */
	ub_mem_write_u64_le(buf, 32, 64);	  /* e_phoff */
	ub_mem_write_u64_le(buf, 40, 0);	  /* e_shoff */
	ub_mem_write_u16_le(buf, 52, 64);	  /* e_ehsize */
	ub_mem_write_u16_le(buf, 54, 56);	  /* e_phentsize */
	ub_mem_write_u16_le(buf, 56, G_N_ELEMENTS(phdrs));
	for (guint i = 0; i < G_N_ELEMENTS(phdrs); i++) {
		gsize off = 64 + i * 56;
		ub_mem_write_u32_le(buf, off, phdrs[i].type);
		ub_mem_write_u32_le(buf, off + 4, 5);
		ub_mem_write_u64_le(buf, off + 8, phdrs[i].offset);
		ub_mem_write_u64_le(buf, off + 16, 0x14680000 + phdrs[i].offset);
		ub_mem_write_u64_le(buf, off + 24, 0x14680000 + phdrs[i].offset);
		ub_mem_write_u64_le(buf, off + 32, phdrs[i].filesz);
		ub_mem_write_u64_le(buf, off + 40, phdrs[i].filesz);
		ub_mem_write_u64_le(buf, off + 48, 0x1000);
	}
	if (!g_file_set_contents(fn, (const gchar *)buf, (gssize)size, error))
		return NULL;
	return g_steal_pointer(&fn);
}

static void
ub_edl_test_expect_free(UbEdlTestExpect *expect)
{
	g_free(expect->region);
	g_free(expect->label);
	g_free(expect->start_expr);
	g_bytes_unref(expect->data);
	g_free(expect);
}

static void
ub_edl_test_build_add_expect(UbEdlTestBuild *self,
			     guint lun,
			     const gchar *label,
			     const gchar *start_expr,
			     GBytes *data)
{
	UbEdlTestExpect *expect = g_new0(UbEdlTestExpect, 1);
	expect->region = ub_package_flat_build_region_name(self->sector_size, lun);
	expect->label = g_strdup(label);
	expect->start_expr = g_strdup(start_expr);
	expect->sector_size = self->sector_size;
	expect->data = g_bytes_ref(data);
	g_ptr_array_add(self->expects, expect);
}

static gint
ub_edl_test_strcmp_cb(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

UbEdlTestBuild *
ub_edl_test_build_new(const gchar *dir, GError **error)
{
	g_autoptr(UbEdlTestBuild) self = g_object_new(UB_TYPE_EDL_TEST_BUILD, NULL);
	g_autoptr(GDir) gdir = g_dir_open(dir, 0, error);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;

	if (gdir == NULL)
		return NULL;
	self->dir = g_strdup(dir);
	while ((name = g_dir_read_name(gdir)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, ub_edl_test_strcmp_cb);
	for (guint i = 0; i < names->len; i++) {
		const gchar *base = g_ptr_array_index(names, i);
		g_autofree gchar *lower = g_ascii_strdown(base, -1);
		g_autofree gchar *fn = g_build_filename(dir, base, NULL);
		g_autofree gchar *buf = NULL;
		gsize bufsz = 0;

		if (!g_str_has_suffix(lower, ".xml"))
			continue;
		if (!g_file_get_contents(fn, &buf, &bufsz, error))
			return NULL;
		if (g_str_has_prefix(lower, "rawprogram")) {
			UbRawprogram *rp = ub_rawprogram_parse((const guint8 *)buf, bufsz, error);
			GPtrArray *entries;
			if (rp == NULL)
				return NULL;
			g_ptr_array_add(self->rawprograms, rp);
			if (self->main_xml == NULL || g_strcmp0(lower, "rawprogram0.xml") == 0) {
				g_free(self->main_xml);
				self->main_xml = g_strdup(base);
			}
			entries = ub_rawprogram_get_entries(rp);
			for (guint j = 0; j < entries->len; j++) {
				UbRawprogramEntry *entry = g_ptr_array_index(entries, j);
				if (self->sector_size == 0)
					self->sector_size = entry->sector_size;
				self->n_luns = MAX(self->n_luns, entry->physical_partition_number + 1);
			}
		} else if (g_str_has_prefix(lower, "patch")) {
			UbQcomPatch *patch = ub_qcom_patch_parse((const guint8 *)buf, bufsz, error);
			if (patch == NULL)
				return NULL;
			g_ptr_array_add(self->patches, patch);
		}
	}
	if (self->main_xml == NULL || self->sector_size == 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_NOT_FOUND, "no rawprogram entries in %s", dir);
		return NULL;
	}
	return g_steal_pointer(&self);
}

guint64
ub_edl_test_build_get_lun_end(UbEdlTestBuild *self, guint lun)
{
	guint64 end = 0;
	for (guint i = 0; i < self->rawprograms->len; i++) {
		GPtrArray *entries = ub_rawprogram_get_entries(g_ptr_array_index(self->rawprograms, i));
		for (guint j = 0; j < entries->len; j++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, j);
			if (entry->physical_partition_number != lun || !entry->start_sector_is_constant)
				continue;
			end = MAX(end,
				  entry->start_sector_value +
				      (entry->num_partition_sectors_is_constant
					   ? entry->num_partition_sectors_value
					   : 0));
		}
	}
	return end;
}

guint32
ub_edl_test_build_get_sector_size(UbEdlTestBuild *self)
{
	return self->sector_size;
}

guint
ub_edl_test_build_get_n_luns(UbEdlTestBuild *self)
{
	return self->n_luns;
}

gchar *
ub_edl_test_build_get_geometry(UbEdlTestBuild *self)
{
	/* the storage files are sparse: 64 GiB costs nothing */
	if (self->sector_size == 512)
		return g_strdup("emmc:64G");
	return g_strdup_printf("ufs:%u:64G", MAX(self->n_luns, 1));
}

const gchar *
ub_edl_test_build_get_main_xml(UbEdlTestBuild *self)
{
	return self->main_xml;
}

GPtrArray *
ub_edl_test_build_get_expects(UbEdlTestBuild *self)
{
	return self->expects;
}

GArray *
ub_edl_test_build_get_gpt_luns(UbEdlTestBuild *self)
{
	return self->gpt_luns;
}

/* every program entry of @lun, in file order */
static GPtrArray *
ub_edl_test_build_lun_entries(UbEdlTestBuild *self, guint lun)
{
	GPtrArray *list = g_ptr_array_new();
	for (guint i = 0; i < self->rawprograms->len; i++) {
		GPtrArray *entries = ub_rawprogram_get_entries(g_ptr_array_index(self->rawprograms, i));
		for (guint j = 0; j < entries->len; j++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, j);
			if (entry->kind == UB_RAWPROGRAM_KIND_PROGRAM &&
			    entry->physical_partition_number == lun)
				g_ptr_array_add(list, entry);
		}
	}
	return list;
}

/* the DISK patches of @lun */
static GPtrArray *
ub_edl_test_build_lun_patches(UbEdlTestBuild *self, guint lun)
{
	GPtrArray *list = g_ptr_array_new();
	for (guint i = 0; i < self->patches->len; i++) {
		GPtrArray *entries = ub_qcom_patch_get_entries(g_ptr_array_index(self->patches, i));
		for (guint j = 0; j < entries->len; j++) {
			UbQcomPatchEntry *entry = g_ptr_array_index(entries, j);
			if (ub_qcom_patch_entry_is_disk(entry) && entry->physical_partition_number == lun)
				g_ptr_array_add(list, entry);
		}
	}
	return list;
}

static gboolean
ub_edl_test_is_gpt_label(const gchar *label)
{
	return g_strcmp0(label, "PrimaryGPT") == 0 || g_strcmp0(label, "BackupGPT") == 0;
}

static void
ub_edl_test_guid_bytes(guint8 *out, guint32 seed)
{
	g_autoptr(GBytes) bytes = ub_edl_test_make_pattern(16, seed);
	memcpy(out, g_bytes_get_data(bytes, NULL), 16);
	out[7] = (out[7] & 0x0f) | 0x40; /* version 4 */
	out[8] = (out[8] & 0x3f) | 0x80;
}

static void
ub_edl_test_gpt_header(guint8 *hdr,
		       guint64 my_lba,
		       guint64 alt_lba,
		       guint64 first_usable,
		       guint64 last_usable,
		       const guint8 *disk_guid,
		       guint64 entries_lba,
		       guint32 n_entries,
		       guint32 entries_crc)
{
	memcpy(hdr, "EFI PART", 8);
	ub_mem_write_u32_le(hdr, 8, 0x00010000);
	ub_mem_write_u32_le(hdr, 12, UB_EDL_TEST_GPT_HEADER_SIZE);
	ub_mem_write_u32_le(hdr, 16, 0);
	ub_mem_write_u64_le(hdr, 24, my_lba);
	ub_mem_write_u64_le(hdr, 32, alt_lba);
	ub_mem_write_u64_le(hdr, 40, first_usable);
	ub_mem_write_u64_le(hdr, 48, last_usable);
	memcpy(hdr + 56, disk_guid, 16);
	ub_mem_write_u64_le(hdr, 72, entries_lba);
	ub_mem_write_u32_le(hdr, 80, n_entries);
	ub_mem_write_u32_le(hdr, 84, UB_EDL_TEST_GPT_ENTRY_SIZE);
	ub_mem_write_u32_le(hdr, 88, entries_crc);
	ub_mem_write_u32_le(hdr, 16, ub_crc32(hdr, UB_EDL_TEST_GPT_HEADER_SIZE));
}

/*
 * A GPT over @parts (first and last LBA from the rawprogram entries; a grow
 * entry with num_partition_sectors 0 ends at the last usable LBA). With
 * @disk_sectors 0 it is what ptool writes before the disk size is known:
 * LastUsableLBA, the backup's location and the grow end left for the patches.
 */
static void
ub_edl_test_gpt_build(GPtrArray *parts,
		      guint32 ss,
		      guint32 n_entries,
		      guint64 primary_sectors,
		      guint64 backup_sectors,
		      guint64 disk_sectors,
		      guint lun,
		      GBytes **primary,
		      GBytes **backup)
{
	gsize array_size = (gsize)n_entries * UB_EDL_TEST_GPT_ENTRY_SIZE;
	g_autofree guint8 *array = g_malloc0(array_size);
	guint8 *pbuf = g_malloc0(primary_sectors * ss);
	guint8 *bbuf = g_malloc0(backup_sectors * ss);
	guint8 disk_guid[16];
	const guint8 type_basic[16] = {0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44,
				       0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7};
	guint64 last_usable = disk_sectors > 0 ? disk_sectors - backup_sectors - 1 : 0;
	guint32 entries_crc;

	g_assert_cmpuint(parts->len, <=, n_entries);
	ub_edl_test_guid_bytes(disk_guid, 0xd15c + lun);
	for (guint i = 0; i < parts->len; i++) {
		UbRawprogramEntry *entry = g_ptr_array_index(parts, i);
		guint8 *ent = array + (gsize)i * UB_EDL_TEST_GPT_ENTRY_SIZE;
		g_autofree gunichar2 *units = NULL;
		glong n_units = 0;
		guint64 first = entry->start_sector_value;
		guint64 last;

		g_assert_true(entry->start_sector_is_constant);
		g_assert_true(entry->num_partition_sectors_is_constant);
		if (entry->num_partition_sectors_value == 0)
			last = disk_sectors > 0 ? last_usable : first - 1;
		else
			last = first + entry->num_partition_sectors_value - 1;
		memcpy(ent, type_basic, 16);
		ub_edl_test_guid_bytes(ent + 16, 1000 * (lun + 1) + i);
		ub_mem_write_u64_le(ent, 32, first);
		ub_mem_write_u64_le(ent, 40, last);
		ub_mem_write_u64_le(ent, 48, 0);
		units = g_utf8_to_utf16(entry->label, -1, NULL, &n_units, NULL);
		g_assert_nonnull(units);
		g_assert_cmpint(n_units, <=, 36);
		for (glong j = 0; j < n_units; j++)
			ub_mem_write_u16_le(ent, 56 + (gsize)j * 2, units[j]);
	}
	entries_crc = ub_crc32(array, array_size);

	/* protective MBR as ptool writes it */
	pbuf[446 + 2] = 0x01;
	pbuf[446 + 4] = 0xee;
	pbuf[446 + 5] = 0xff;
	pbuf[446 + 6] = 0xff;
	pbuf[446 + 7] = 0xff;
	ub_mem_write_u32_le(pbuf, 446 + 8, 1);
	ub_mem_write_u32_le(pbuf, 446 + 12, 0xffffffff);
	pbuf[510] = 0x55;
	pbuf[511] = 0xaa;
	ub_edl_test_gpt_header(pbuf + ss,
			       1,
			       disk_sectors > 0 ? disk_sectors - 1 : 0,
			       primary_sectors,
			       last_usable,
			       disk_guid,
			       2,
			       n_entries,
			       entries_crc);
	memcpy(pbuf + 2 * ss, array, array_size);

	memcpy(bbuf, array, array_size);
	ub_edl_test_gpt_header(bbuf + (backup_sectors - 1) * ss,
			       disk_sectors > 0 ? disk_sectors - 1 : 0,
			       1,
			       primary_sectors,
			       last_usable,
			       disk_guid,
			       disk_sectors > 0 ? disk_sectors - backup_sectors : 0,
			       n_entries,
			       entries_crc);
	*primary = g_bytes_new_take(pbuf, primary_sectors * ss);
	*backup = g_bytes_new_take(bbuf, backup_sectors * ss);
}

/* the entry count the patches' CRC32(2,N) over the primary array implies */
static guint32
ub_edl_test_patched_n_entries(GPtrArray *patches)
{
	for (guint i = 0; i < patches->len; i++) {
		UbQcomPatchEntry *entry = g_ptr_array_index(patches, i);
		g_autofree gchar *value = g_ascii_strdown(entry->value, -1);
		if (g_str_has_prefix(value, "crc32(2,"))
			return (guint32)(g_ascii_strtoull(value + 8, NULL, 10) /
					 UB_EDL_TEST_GPT_ENTRY_SIZE);
	}
	return 0;
}

static UbRawprogramEntry *
ub_edl_test_find_label(GPtrArray *entries, const gchar *label)
{
	for (guint i = 0; i < entries->len; i++) {
		UbRawprogramEntry *entry = g_ptr_array_index(entries, i);
		if (g_strcmp0(entry->label, label) == 0)
			return entry;
	}
	return NULL;
}

static gboolean
ub_edl_test_write_file(UbEdlTestBuild *self, const gchar *name, GBytes *data, GError **error)
{
	g_autofree gchar *fn = g_build_filename(self->dir, name, NULL);
	return g_file_set_contents(fn, g_bytes_get_data(data, NULL), (gssize)g_bytes_get_size(data), error);
}

static gboolean
ub_edl_test_build_gpt(UbEdlTestBuild *self, UbSimStorage *storage, guint lun, GError **error)
{
	g_autoptr(GPtrArray) entries = ub_edl_test_build_lun_entries(self, lun);
	g_autoptr(GPtrArray) patches = ub_edl_test_build_lun_patches(self, lun);
	g_autoptr(GPtrArray) parts = g_ptr_array_new();
	g_autofree gchar *region = ub_package_flat_build_region_name(self->sector_size, lun);
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_autoptr(GBytes) primary_file = NULL;
	g_autoptr(GBytes) backup_file = NULL;
	UbRawprogramEntry *pentry = ub_edl_test_find_label(entries, "PrimaryGPT");
	UbRawprogramEntry *bentry = ub_edl_test_find_label(entries, "BackupGPT");
	guint64 disk_sectors = ub_sim_storage_get_region_size(storage, region) / self->sector_size;
	guint32 n_entries;

	if (pentry == NULL)
		return TRUE;
	if (bentry == NULL) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "LUN %u: no BackupGPT", lun);
		return FALSE;
	}
	for (guint i = 0; i < entries->len; i++) {
		UbRawprogramEntry *entry = g_ptr_array_index(entries, i);
		if (!ub_edl_test_is_gpt_label(entry->label))
			g_ptr_array_add(parts, entry);
	}
	n_entries = ub_edl_test_patched_n_entries(patches);
	if (n_entries == 0)
		n_entries = (guint32)((pentry->num_partition_sectors_value - 2) * self->sector_size /
				      UB_EDL_TEST_GPT_ENTRY_SIZE);
	ub_edl_test_gpt_build(parts,
			      self->sector_size,
			      n_entries,
			      pentry->num_partition_sectors_value,
			      bentry->num_partition_sectors_value,
			      disk_sectors,
			      lun,
			      &primary,
			      &backup);
	if (patches->len > 0) {
		/* ptool's files: the DISK patches must complete them on the phone */
		ub_edl_test_gpt_build(parts,
				      self->sector_size,
				      n_entries,
				      pentry->num_partition_sectors_value,
				      bentry->num_partition_sectors_value,
				      0,
				      lun,
				      &primary_file,
				      &backup_file);
	} else {
		primary_file = g_bytes_ref(primary);
		backup_file = g_bytes_ref(backup);
	}
	if (!ub_edl_test_write_file(self, pentry->filename, primary_file, error))
		return FALSE;
	if (!ub_edl_test_write_file(self, bentry->filename, backup_file, error))
		return FALSE;
	ub_edl_test_build_add_expect(self, lun, pentry->label, pentry->start_sector, primary);
	ub_edl_test_build_add_expect(self, lun, bentry->label, bentry->start_sector, backup);
	g_array_append_val(self->gpt_luns, lun);
	return TRUE;
}

/* random data, a zero run (DONT_CARE), a constant run (FILL), random data */
static GBytes *
ub_edl_test_sparse_content(gsize size, guint32 seed)
{
	g_autoptr(GBytes) noise = ub_edl_test_make_pattern(size, seed);
	guint8 *buf = g_memdup2(g_bytes_get_data(noise, NULL), size);
	gsize blocks = size / 4096;
	if (blocks >= 4) {
		gsize q = blocks / 4 * 4096;
		memset(buf + q, 0, q);
		for (gsize i = 2 * q; i < 3 * q; i += 4)
			ub_mem_write_u32_le(buf, i, 0x5eed0000 + seed);
	}
	return g_bytes_new_take(buf, size);
}

static GBytes *
ub_edl_test_sparse_encode(GBytes *raw, GError **error)
{
	g_autoptr(GInputStream) scan = g_memory_input_stream_new_from_bytes(raw);
	g_autoptr(GInputStream) source = g_memory_input_stream_new_from_bytes(raw);
	g_autoptr(UbSparseImage) layout = NULL;
	g_autoptr(UbSparseWriter) writer = NULL;
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();

	layout = ub_sparse_writer_scan_raw(scan,
					   4096,
					   UB_SPARSE_WRITER_FLAG_ZERO_AS_DONT_CARE,
					   NULL,
					   error);
	if (layout == NULL)
		return NULL;
	writer = ub_sparse_writer_new(layout, source, UB_SPARSE_WRITER_FLAG_NONE, error);
	if (writer == NULL)
		return NULL;
	if (g_output_stream_splice(out,
				   G_INPUT_STREAM(writer),
				   G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
				       G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
				   NULL,
				   error) < 0)
		return NULL;
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
}

/* what a program of @content leaves on the storage: whole sectors, zero padded */
static GBytes *
ub_edl_test_pad(GBytes *content, guint64 skip, guint32 ss)
{
	gsize size = g_bytes_get_size(content) - skip;
	gsize padded = (size + ss - 1) / ss * ss;
	guint8 *buf = g_malloc0(padded);
	memcpy(buf, (const guint8 *)g_bytes_get_data(content, NULL) + skip, size);
	return g_bytes_new_take(buf, padded);
}

gboolean
ub_edl_test_build_generate(UbEdlTestBuild *self, UbSimStorage *storage, gsize cap, GError **error)
{
	g_autoptr(GHashTable) sizes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) sparse = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) contents =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
	guint32 ss = self->sector_size;
	guint n_files = 0;

	/* GPTs first: their files are not images */
	for (guint lun = 0; lun < self->n_luns; lun++) {
		if (!ub_edl_test_build_gpt(self, storage, lun, error))
			return FALSE;
	}

	/* the size of every image: the smallest any entry using it implies */
	for (guint lun = 0; lun < self->n_luns; lun++) {
		g_autoptr(GPtrArray) entries = ub_edl_test_build_lun_entries(self, lun);
		for (guint i = 0; i < entries->len; i++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, i);
			gsize size = cap;
			gpointer old;
			if (ub_rawprogram_entry_is_placeholder(entry) ||
			    ub_edl_test_is_gpt_label(entry->label))
				continue;
			if (entry->num_partition_sectors_is_constant &&
			    entry->num_partition_sectors_value > 0)
				size = MIN(cap,
					   (entry->num_partition_sectors_value - entry->file_sector_offset) *
					       ss);
			size = MAX(size, ss);
			if (entry->sparse) {
				size = MAX(size / 4096 * 4096, 4096);
				g_hash_table_add(sparse, entry->filename);
			}
			if (g_hash_table_lookup_extended(sizes, entry->filename, NULL, &old))
				size = MIN(size, GPOINTER_TO_SIZE(old));
			g_hash_table_insert(sizes, g_strdup(entry->filename), GSIZE_TO_POINTER(size));
		}
	}

	/* write them, then what each entry leaves on the phone */
	for (guint lun = 0; lun < self->n_luns; lun++) {
		g_autoptr(GPtrArray) entries = ub_edl_test_build_lun_entries(self, lun);
		for (guint i = 0; i < entries->len; i++) {
			UbRawprogramEntry *entry = g_ptr_array_index(entries, i);
			GBytes *content;
			g_autoptr(GBytes) expect = NULL;

			if (ub_rawprogram_entry_is_placeholder(entry) ||
			    ub_edl_test_is_gpt_label(entry->label))
				continue;
			content = g_hash_table_lookup(contents, entry->filename);
			if (content == NULL) {
				gsize size = GPOINTER_TO_SIZE(g_hash_table_lookup(sizes, entry->filename));
				g_autoptr(GBytes) file = NULL;
				n_files++;
				if (g_hash_table_contains(sparse, entry->filename)) {
					content = ub_edl_test_sparse_content(size, n_files);
					file = ub_edl_test_sparse_encode(content, error);
					if (file == NULL)
						return FALSE;
				} else {
					/* some images end in a partial sector */
					if (n_files % 3 == 1 && size > ss)
						size -= 123;
					content = ub_edl_test_make_pattern(size, n_files);
					file = g_bytes_ref(content);
				}
				if (!ub_edl_test_write_file(self, entry->filename, file, error))
					return FALSE;
				g_hash_table_insert(contents, g_strdup(entry->filename), content);
			}
			g_assert_cmpuint(entry->file_sector_offset * ss, <, g_bytes_get_size(content));
			expect = ub_edl_test_pad(content, entry->file_sector_offset * ss, ss);
			ub_edl_test_build_add_expect(self, lun, entry->label, entry->start_sector, expect);
		}
	}
	return TRUE;
}

static gboolean
ub_edl_test_expect_offset(UbEdlTestExpect *expect,
			  UbSimStorage *storage,
			  guint64 *offset,
			  GError **error)
{
	UbQcomExprContext ctx = {0};
	guint64 sector = 0;
	ctx.num_disk_sectors =
	    ub_sim_storage_get_region_size(storage, expect->region) / expect->sector_size;
	ctx.num_disk_sectors_known = TRUE;
	if (!ub_qcom_expr_eval(expect->start_expr, &ctx, &sector, error))
		return FALSE;
	*offset = sector * expect->sector_size;
	return TRUE;
}

gboolean
ub_edl_test_build_check_storage(UbEdlTestBuild *self, UbSimStorage *storage, GError **error)
{
	for (guint i = 0; i < self->expects->len; i++) {
		UbEdlTestExpect *expect = g_ptr_array_index(self->expects, i);
		gsize size = 0;
		const guint8 *want = g_bytes_get_data(expect->data, &size);
		g_autofree guint8 *got = g_malloc(size);
		guint64 offset = 0;

		if (!ub_edl_test_expect_offset(expect, storage, &offset, error))
			return FALSE;
		if (!ub_sim_storage_read(storage, expect->region, offset, got, size, error))
			return FALSE;
		if (memcmp(got, want, size) != 0) {
			gsize j = 0;
			while (got[j] == want[j])
				j++;
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "%s '%s' at %s (byte %" G_GUINT64_FORMAT "): differs at byte %" G_GSIZE_FORMAT
				    " of %" G_GSIZE_FORMAT ": 0x%02x, expected 0x%02x",
				    expect->region,
				    expect->label,
				    expect->start_expr,
				    offset,
				    j,
				    size,
				    got[j],
				    want[j]);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
ub_edl_test_check_gpt(UbSimStorage *storage, const gchar *region, GError **error)
{
	guint32 ss = ub_sim_storage_get_sector_size(storage);
	guint64 region_size = ub_sim_storage_get_region_size(storage, region);
	gsize span = 64 * ss;
	g_autofree guint8 *head = g_malloc(span);
	g_autofree guint8 *tail = g_malloc(span);
	g_autoptr(UbGpt) primary = NULL;
	g_autoptr(UbGpt) backup = NULL;

	if (!ub_sim_storage_read(storage, region, 0, head, span, error))
		return FALSE;
	if (!ub_sim_storage_read(storage, region, region_size - span, tail, span, error))
		return FALSE;
	primary = ub_gpt_parse(head, span, ss, error);
	if (primary == NULL) {
		g_prefix_error(error, "%s: primary GPT: ", region);
		return FALSE;
	}
	backup = ub_gpt_parse_backup(tail, span, ss, error);
	if (backup == NULL) {
		g_prefix_error(error, "%s: backup GPT: ", region);
		return FALSE;
	}
	if (!ub_gpt_validate(primary, region_size / ss, error) ||
	    !ub_gpt_validate(backup, region_size / ss, error) ||
	    !ub_gpt_check_pair(primary, backup, region_size / ss, error)) {
		g_prefix_error(error, "%s: ", region);
		return FALSE;
	}
	return TRUE;
}

UbEdlTestPhone *
ub_edl_test_phone_new(const gchar *geometry,
		      const gchar *faults,
		      const gchar *programmer,
		      GError **error)
{
	g_autoptr(UbEdlTestPhone) self = g_new0(UbEdlTestPhone, 1);
	g_autoptr(UbSimFaults) sim_faults = NULL;
	g_autoptr(GFile) file = NULL;

	self->tmpdir = g_dir_make_tmp("ub-edl-phone-XXXXXX", error);
	if (self->tmpdir == NULL)
		return NULL;
	self->storage = ub_sim_storage_open(self->tmpdir, geometry, error);
	if (self->storage == NULL)
		return NULL;
	sim_faults = ub_sim_faults_new_from_string(faults, error);
	if (sim_faults == NULL)
		return NULL;
	self->phone = ub_sim_phone_new("edl", self->storage, sim_faults, error);
	if (self->phone == NULL)
		return NULL;
	ub_memory_transport_new_pair(512, &self->host, &self->dev);
	if (!ub_sim_phone_start(self->phone, self->dev, error))
		return NULL;
	self->device = ub_device_new_for_transport(self->host, UB_DEVICE_MODE_EDL, FALSE, error);
	if (self->device == NULL)
		return NULL;
	if (programmer != NULL) {
		file = g_file_new_for_path(programmer);
		ub_edl_device_set_programmer(UB_EDL_DEVICE(self->device), file);
	}
	return g_steal_pointer(&self);
}

void
ub_edl_test_phone_free(UbEdlTestPhone *self)
{
	if (self == NULL)
		return;
	if (self->device != NULL)
		ub_device_close(self->device);
	if (self->phone != NULL)
		ub_sim_phone_stop(self->phone);
	if (self->host != NULL)
		ub_transport_close(self->host);
	g_clear_object(&self->device);
	g_clear_object(&self->phone);
	g_clear_object(&self->host);
	g_clear_object(&self->dev);
	g_clear_object(&self->storage);
	ub_edl_test_rmtree(self->tmpdir);
	g_free(self->tmpdir);
	g_free(self);
}

static void
ub_edl_test_build_finalize(GObject *object)
{
	UbEdlTestBuild *self = UB_EDL_TEST_BUILD(object);
	g_free(self->dir);
	g_free(self->main_xml);
	g_ptr_array_unref(self->rawprograms);
	g_ptr_array_unref(self->patches);
	g_ptr_array_unref(self->expects);
	g_array_unref(self->gpt_luns);
	G_OBJECT_CLASS(ub_edl_test_build_parent_class)->finalize(object);
}

static void
ub_edl_test_build_class_init(UbEdlTestBuildClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = ub_edl_test_build_finalize;
}

static void
ub_edl_test_build_init(UbEdlTestBuild *self)
{
	self->rawprograms = g_ptr_array_new_with_free_func(g_object_unref);
	self->patches = g_ptr_array_new_with_free_func(g_object_unref);
	self->expects = g_ptr_array_new_with_free_func((GDestroyNotify)ub_edl_test_expect_free);
	self->gpt_luns = g_array_new(FALSE, FALSE, sizeof(guint));
}
