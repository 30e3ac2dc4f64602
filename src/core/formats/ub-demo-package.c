/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mtk/ub-mtk-da-file.h"
#include "ub-demo-package.h"
#include "ub-error.h"
#include "ub-gpt.h"
#include "ub-mem.h"
#include "ub-scatter.h"

/*
 * The demo's firmware: a small Xiaomi-style fastboot ROM (flash_all*.sh,
 * images/, misc.txt) for the simulated phone, written at demo time so the
 * demo runs the same package code as a real ROM: ub_package_open(), the
 * keep-data plan, the product and anti-rollback checks.
 */

typedef struct {
	const gchar *partition;
	const gchar *file;
	gsize size;
	guint8 seed;
} UbDemoPackageImage;

/* sizes chosen so the demo takes a second, with an odd size to catch padding bugs */
static const UbDemoPackageImage ub_demo_package_images[] = {
    {"boot", "boot.img", 4 * 1024 * 1024 + 123, 0x42},
    {"dtbo", "dtbo.img", 1024 * 1024, 0x17},
    {"vbmeta", "vbmeta.img", 4096, 0x5a},
    {"metadata", "metadata.img", 64 * 1024, 0x33},
};

/**
 * ub_demo_package_make_image:
 * @name: an image file name of the demo package ("boot.img")
 *
 * Returns: (transfer full) (nullable): its content, the same on every call
 */
GBytes *
ub_demo_package_make_image(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_package_images); i++) {
		const UbDemoPackageImage *img = &ub_demo_package_images[i];
		guint8 *buf;
		if (g_strcmp0(img->file, name) != 0)
			continue;
		buf = g_malloc(img->size);
		for (gsize j = 0; j < img->size; j++)
			buf[j] = (guint8)(((j * 2654435761u) >> 24) ^ img->seed);
		return g_bytes_new_take(buf, img->size);
	}
	return NULL;
}

/**
 * ub_demo_package_get_dir:
 *
 * Returns: (transfer full): where the demo writes its package: the user's cache
 */
gchar *
ub_demo_package_get_dir(void)
{
	return g_build_filename(g_get_user_cache_dir(), "unbrick", "demo", "demo_rom", NULL);
}

static gchar *
ub_demo_package_script(const gchar *product, gboolean wipe, gboolean lock)
{
	GString *str = g_string_new(NULL);
	g_string_append(str,
			"CURRENT_ANTI_VER=1\n"
			"ver=`fastboot $* getvar anti 2>&1 | grep -oP \"anti: \\K[0-9]+\"`\n"
			"if [ -z \"$ver\" ]; then ver=0; fi\n"
			"if [ $ver -gt $CURRENT_ANTI_VER ]; then echo \"current device "
			"antirollback version is greater then this pakcage\"; exit 1; fi\n");
	g_string_append_printf(str,
			       "fastboot $* getvar product 2>&1 | grep \"^product: *%s\"\n"
			       "if [ $? -ne 0  ] ; then echo \"Missmatching image and device\"; "
			       "exit 1; fi\n",
			       product);
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_package_images); i++) {
		const UbDemoPackageImage *img = &ub_demo_package_images[i];
		if (g_strcmp0(img->partition, "metadata") == 0 && !wipe)
			continue;
		g_string_append_printf(str,
				       "fastboot $* flash %s `dirname $0`/images/%s\n"
				       "if [ $? -ne 0 ] ; then echo \"Flash %s error\"; exit 1; fi\n",
				       img->partition,
				       img->file,
				       img->partition);
	}
	if (wipe)
		g_string_append(str,
				"fastboot $* erase userdata\n"
				"if [ $? -ne 0 ] ; then echo \"Erase userdata error\"; exit 1; fi\n");
	/* no reboot: the demo phone stays in fastboot mode to be checked */
	if (lock)
		g_string_append(str,
				"fastboot $* oem lock\n"
				"if [ $? -ne 0 ] ; then echo \"Oem lock error\"; exit 1; fi\n");
	return g_string_free(str, FALSE);
}

static gboolean
ub_demo_package_write_file(const gchar *dir,
			   const gchar *name,
			   const gchar *data,
			   gsize size,
			   GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	if (!g_file_set_contents(path, data, size, error)) {
		ub_error_convert(error);
		g_prefix_error(error, "failed to write %s: ", path);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_demo_package_write:
 * @dir: the package folder, created if needed
 * @product: (nullable): the product the scripts check; %NULL: the simulated phone's
 * @error: (nullable): return location for a #GError
 *
 * Writes flash_all.sh, flash_all_except_storage.sh, flash_all_lock.sh,
 * misc.txt and images/ for @product.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_demo_package_write(const gchar *dir, const gchar *product, GError **error)
{
	g_autofree gchar *images = g_build_filename(dir, "images", NULL);
	g_autofree gchar *misc = NULL;
	struct {
		const gchar *name;
		gboolean wipe;
		gboolean lock;
	} scripts[] = {
	    {"flash_all.sh", TRUE, FALSE},
	    {"flash_all_except_storage.sh", FALSE, FALSE},
	    {"flash_all_lock.sh", TRUE, TRUE},
	};

	if (product == NULL)
		product = UB_DEMO_PACKAGE_PRODUCT;
	if (g_mkdir_with_parents(images, 0700) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot create %s: %s",
			    images,
			    g_strerror(errno));
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(scripts); i++) {
		g_autofree gchar *text =
		    ub_demo_package_script(product, scripts[i].wipe, scripts[i].lock);
		if (!ub_demo_package_write_file(dir, scripts[i].name, text, strlen(text), error))
			return FALSE;
	}
	misc = g_strdup_printf("device=%s\nbuild_number=UNBRICK.DEMO.1\n", product);
	if (!ub_demo_package_write_file(dir, "misc.txt", misc, strlen(misc), error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_package_images); i++) {
		g_autoptr(GBytes) blob = ub_demo_package_make_image(ub_demo_package_images[i].file);
		if (!ub_demo_package_write_file(images,
						ub_demo_package_images[i].file,
						g_bytes_get_data(blob, NULL),
						g_bytes_get_size(blob),
						error))
			return FALSE;
	}
	return TRUE;
}

/*
 * The EDL demo's firmware: a small UFS flat build as QFIL takes it
 * (rawprogram0..2.xml, patch0..2.xml, gpt_main<N>.bin / gpt_backup<N>.bin made
 * with ub-gpt, a few images, one of them an Android sparse image) and a tiny
 * ELF64 "programmer" with two loadable segments that the simulated 9008 phone
 * accepts. The GPTs are built for the smallest LUN that holds them; the DISK
 * patches fix them up for the phone's real LUN sizes, as ptool's do.
 */

#define UB_DEMO_FLAT_SECTOR 4096

typedef struct {
	guint lun;
	const gchar *label;
	guint64 sectors; /* 0: grows to the end of the LUN */
	const gchar *file; /* NULL: a placeholder */
	gboolean sparse;
	guint64 attributes;
} UbDemoFlatPartition;

#define UB_DEMO_AB_A (UB_GPT_ATTR_AB_ACTIVE | UB_GPT_ATTR_AB_SUCCESSFUL | (G_GUINT64_CONSTANT(3) << 48))
#define UB_DEMO_AB_B (G_GUINT64_CONSTANT(2) << 48)

static const UbDemoFlatPartition ub_demo_flat_partitions[] = {
    /* LUN 0: calibration data (placeholders, never in a package), system, userdata */
    {0, "persist", 8, NULL, FALSE, 0},
    {0, "modemst1", 16, NULL, FALSE, 0},
    {0, "modemst2", 16, NULL, FALSE, 0},
    {0, "fsg", 16, NULL, FALSE, 0},
    {0, "system", 256, "system.img", TRUE, 0},
    {0, "userdata", 0, NULL, FALSE, 0},
    /* LUN 1: the boot loader the boot ROM loads */
    {1, "xbl", 16, "xbl.elf", FALSE, 0},
    {1, "xbl_config", 4, "xbl_config.elf", FALSE, 0},
    /* LUN 2: A/B images, slot a active */
    {2, "boot_a", 64, "boot.img", FALSE, UB_DEMO_AB_A},
    {2, "boot_b", 64, "boot.img", FALSE, UB_DEMO_AB_B},
    {2, "vbmeta_a", 1, "vbmeta.img", FALSE, UB_DEMO_AB_A},
    {2, "vbmeta_b", 1, "vbmeta.img", FALSE, UB_DEMO_AB_B},
};

/* userdata's minimum, in sectors, so the build fits a small LUN */
#define UB_DEMO_FLAT_GROW_MIN 64

/* sizes of the raw images (odd sizes catch padding bugs) */
static const struct {
	const gchar *file;
	gsize size;
	guint8 seed;
} ub_demo_flat_images[] = {
    {"xbl.elf", 16 * 4096 - 100, 0x21},
    {"xbl_config.elf", 3 * 4096 + 7, 0x22},
    {"boot.img", 200 * 1024 + 123, 0x23},
    {"vbmeta.img", 4096, 0x24},
};

static guint8 *
ub_demo_flat_fill(gsize size, guint8 seed)
{
	guint8 *buf = g_malloc(size);
	for (gsize j = 0; j < size; j++)
		buf[j] = (guint8)(((j * 2654435761u) >> 24) ^ seed);
	return buf;
}

/* system.img: RAW, FILL, RAW and a trailing DONT_CARE chunk over 256 blocks */
#define UB_DEMO_SPARSE_RAW1  40
#define UB_DEMO_SPARSE_FILL  60
#define UB_DEMO_SPARSE_RAW2  30
#define UB_DEMO_SPARSE_TOTAL 256
#define UB_DEMO_SPARSE_FILL_VALUE 0x5eed1e55u

static void
ub_demo_sparse_chunk(GByteArray *buf, guint16 type, guint32 blocks, guint32 total_sz)
{
	guint8 chk[12] = {0};
	ub_mem_write_u16_le(chk, 0, type);
	ub_mem_write_u32_le(chk, 4, blocks);
	ub_mem_write_u32_le(chk, 8, total_sz);
	g_byte_array_append(buf, chk, sizeof(chk));
}

static GBytes *
ub_demo_flat_make_sparse(void)
{
	GByteArray *buf = g_byte_array_new();
	guint8 hdr[28] = {0};
	guint8 fill[4] = {0};
	g_autofree guint8 *raw1 = ub_demo_flat_fill(UB_DEMO_SPARSE_RAW1 * UB_DEMO_FLAT_SECTOR, 0x31);
	g_autofree guint8 *raw2 = ub_demo_flat_fill(UB_DEMO_SPARSE_RAW2 * UB_DEMO_FLAT_SECTOR, 0x32);

	ub_mem_write_u32_le(hdr, 0, 0xed26ff3a);
	ub_mem_write_u16_le(hdr, 4, 1);
	ub_mem_write_u16_le(hdr, 6, 0);
	ub_mem_write_u16_le(hdr, 8, 28);
	ub_mem_write_u16_le(hdr, 10, 12);
	ub_mem_write_u32_le(hdr, 12, UB_DEMO_FLAT_SECTOR);
	ub_mem_write_u32_le(hdr, 16, UB_DEMO_SPARSE_TOTAL);
	ub_mem_write_u32_le(hdr, 20, 4);
	g_byte_array_append(buf, hdr, sizeof(hdr));
	ub_demo_sparse_chunk(buf, 0xcac1, UB_DEMO_SPARSE_RAW1, 12 + UB_DEMO_SPARSE_RAW1 * UB_DEMO_FLAT_SECTOR);
	g_byte_array_append(buf, raw1, UB_DEMO_SPARSE_RAW1 * UB_DEMO_FLAT_SECTOR);
	ub_demo_sparse_chunk(buf, 0xcac2, UB_DEMO_SPARSE_FILL, 16);
	ub_mem_write_u32_le(fill, 0, UB_DEMO_SPARSE_FILL_VALUE);
	g_byte_array_append(buf, fill, sizeof(fill));
	ub_demo_sparse_chunk(buf, 0xcac1, UB_DEMO_SPARSE_RAW2, 12 + UB_DEMO_SPARSE_RAW2 * UB_DEMO_FLAT_SECTOR);
	g_byte_array_append(buf, raw2, UB_DEMO_SPARSE_RAW2 * UB_DEMO_FLAT_SECTOR);
	ub_demo_sparse_chunk(buf,
			     0xcac3,
			     UB_DEMO_SPARSE_TOTAL - UB_DEMO_SPARSE_RAW1 - UB_DEMO_SPARSE_FILL -
				 UB_DEMO_SPARSE_RAW2,
			     12);
	return g_byte_array_free_to_bytes(buf);
}

/**
 * ub_demo_package_make_flat_image:
 * @label: a partition of the demo flat build ("system", "boot_a")
 *
 * Returns: (transfer full) (nullable): what the partition holds after a
 *   download, from its first byte (for the sparse system image: the expanded
 *   data up to the trailing DONT_CARE chunk); %NULL for a placeholder
 */
GBytes *
ub_demo_package_make_flat_image(const gchar *label)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_flat_partitions); i++) {
		const UbDemoFlatPartition *part = &ub_demo_flat_partitions[i];
		if (g_strcmp0(part->label, label) != 0 || part->file == NULL)
			continue;
		if (part->sparse) {
			gsize n1 = UB_DEMO_SPARSE_RAW1 * UB_DEMO_FLAT_SECTOR;
			gsize nf = UB_DEMO_SPARSE_FILL * UB_DEMO_FLAT_SECTOR;
			gsize n2 = UB_DEMO_SPARSE_RAW2 * UB_DEMO_FLAT_SECTOR;
			guint8 *buf = g_malloc(n1 + nf + n2);
			g_autofree guint8 *raw1 = ub_demo_flat_fill(n1, 0x31);
			g_autofree guint8 *raw2 = ub_demo_flat_fill(n2, 0x32);
			memcpy(buf, raw1, n1);
			for (gsize j = 0; j < nf; j += 4)
				ub_mem_write_u32_le(buf + n1, j, UB_DEMO_SPARSE_FILL_VALUE);
			memcpy(buf + n1 + nf, raw2, n2);
			return g_bytes_new_take(buf, n1 + nf + n2);
		}
		for (guint j = 0; j < G_N_ELEMENTS(ub_demo_flat_images); j++) {
			if (g_strcmp0(ub_demo_flat_images[j].file, part->file) != 0)
				continue;
			return g_bytes_new_take(ub_demo_flat_fill(ub_demo_flat_images[j].size,
								  ub_demo_flat_images[j].seed),
						ub_demo_flat_images[j].size);
		}
	}
	return NULL;
}

/**
 * ub_demo_package_get_flat_build_labels:
 *
 * Returns: (transfer none): the labels of the partitions a download writes
 */
const gchar *const *
ub_demo_package_get_flat_build_labels(void)
{
	static const gchar *const labels[] = {
	    "system", "xbl", "xbl_config", "boot_a", "boot_b", "vbmeta_a", "vbmeta_b", NULL};
	return labels;
}

/* the LUN size the GPTs are built for: the partitions, the two GPT copies and
 * userdata's minimum */
guint64
ub_demo_package_get_flat_build_min_lun_size(guint lun)
{
	guint64 sectors = 6 + 5;
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_flat_partitions); i++) {
		const UbDemoFlatPartition *part = &ub_demo_flat_partitions[i];
		if (part->lun == lun)
			sectors += part->sectors != 0 ? part->sectors : UB_DEMO_FLAT_GROW_MIN;
	}
	return sectors * UB_DEMO_FLAT_SECTOR;
}

/**
 * ub_demo_package_make_programmer:
 *
 * A 20 KiB ELF64 (AArch64) with two PT_LOAD segments and no code worth
 * running: what a simulated PBL loads through Sahara.
 *
 * Returns: (transfer full): the file's content
 */
GBytes *
ub_demo_package_make_programmer(void)
{
	const gsize size = 0x5000;
	guint8 *buf = ub_demo_flat_fill(size, 0x5f);
	const struct {
		guint32 flags;
		guint64 offset;
		guint64 vaddr;
		guint64 filesz;
		guint64 memsz;
	} segs[] = {
	    {5, 0x1000, 0x14680000, 0x3000, 0x3000}, /* R+X */
	    {6, 0x4000, 0x146a0000, 0x1000, 0x2000}, /* R+W, with bss */
	};

	memset(buf, 0, 0x1000);
	memcpy(buf, "\177ELF", 4);
	buf[4] = 2; /* ELFCLASS64 */
	buf[5] = 1; /* little-endian */
	buf[6] = 1; /* EV_CURRENT */
	ub_mem_write_u16_le(buf, 16, 2);     /* ET_EXEC */
	ub_mem_write_u16_le(buf, 18, 0xb7);  /* EM_AARCH64 */
	ub_mem_write_u32_le(buf, 20, 1);
	ub_mem_write_u64_le(buf, 24, segs[0].vaddr);
	ub_mem_write_u64_le(buf, 32, 64);    /* e_phoff */
	ub_mem_write_u64_le(buf, 40, 0);     /* e_shoff */
	ub_mem_write_u16_le(buf, 52, 64);    /* e_ehsize */
	ub_mem_write_u16_le(buf, 54, 56);    /* e_phentsize */
	ub_mem_write_u16_le(buf, 56, G_N_ELEMENTS(segs));
	ub_mem_write_u16_le(buf, 58, 64);    /* e_shentsize */
	for (guint i = 0; i < G_N_ELEMENTS(segs); i++) {
		guint8 *ph = buf + 64 + i * 56;
		ub_mem_write_u32_le(ph, 0, 1); /* PT_LOAD */
		ub_mem_write_u32_le(ph, 4, segs[i].flags);
		ub_mem_write_u64_le(ph, 8, segs[i].offset);
		ub_mem_write_u64_le(ph, 16, segs[i].vaddr);
		ub_mem_write_u64_le(ph, 24, segs[i].vaddr);
		ub_mem_write_u64_le(ph, 32, segs[i].filesz);
		ub_mem_write_u64_le(ph, 40, segs[i].memsz);
		ub_mem_write_u64_le(ph, 48, 0x1000);
	}
	return g_bytes_new_take(buf, size);
}

/**
 * ub_demo_package_get_flat_build_dir:
 *
 * Returns: (transfer full): where the EDL demo writes its flat build
 */
gchar *
ub_demo_package_get_flat_build_dir(void)
{
	return g_build_filename(g_get_user_cache_dir(), "unbrick", "demo", "demo_flat_build", NULL);
}

static void
ub_demo_flat_program(GString *xml,
		     guint lun,
		     const gchar *label,
		     const gchar *file,
		     guint64 sectors,
		     const gchar *start,
		     gboolean sparse,
		     gboolean single)
{
	g_string_append_printf(xml,
			       "  <program SECTOR_SIZE_IN_BYTES=\"%u\" file_sector_offset=\"0\" "
			       "filename=\"%s\" label=\"%s\" num_partition_sectors=\"%" G_GUINT64_FORMAT
			       "\" partofsingleimage=\"%s\" physical_partition_number=\"%u\" "
			       "readbackverify=\"false\" size_in_KB=\"%" G_GUINT64_FORMAT
			       ".0\" sparse=\"%s\" start_sector=\"%s\"/>\n",
			       UB_DEMO_FLAT_SECTOR,
			       file != NULL ? file : "",
			       label,
			       sectors,
			       single ? "true" : "false",
			       lun,
			       sectors * UB_DEMO_FLAT_SECTOR / 1024,
			       sparse ? "true" : "false",
			       start);
}

static void
ub_demo_flat_patch(GString *xml,
		   guint lun,
		   const gchar *start,
		   guint byte_offset,
		   guint size,
		   const gchar *value,
		   const gchar *what)
{
	g_string_append_printf(xml,
			       "  <patch SECTOR_SIZE_IN_BYTES=\"%u\" byte_offset=\"%u\" "
			       "filename=\"DISK\" physical_partition_number=\"%u\" "
			       "size_in_bytes=\"%u\" start_sector=\"%s\" value=\"%s\" what=\"%s\"/>\n",
			       UB_DEMO_FLAT_SECTOR,
			       byte_offset,
			       lun,
			       size,
			       start,
			       value,
			       what);
}

/* ptool's DISK patches: the GPT of one LUN fitted to its real size */
static gchar *
ub_demo_flat_patches(guint lun, gint grow_index, guint32 entries_bytes)
{
	GString *xml = g_string_new("<?xml version=\"1.0\" ?>\n<patches>\n");
	g_autofree gchar *crc_main = g_strdup_printf("CRC32(2,%u)", entries_bytes);
	g_autofree gchar *crc_backup = g_strdup_printf("CRC32(NUM_DISK_SECTORS-5.,%u)", entries_bytes);
	const gchar *end = "NUM_DISK_SECTORS-1.";
	if (grow_index >= 0) {
		guint off = (guint)grow_index * 128 + 40;
		g_autofree gchar *main_sector = g_strdup_printf("%u", 2 + off / UB_DEMO_FLAT_SECTOR);
		g_autofree gchar *backup_sector =
		    g_strdup_printf("NUM_DISK_SECTORS-%u.", 5 - off / UB_DEMO_FLAT_SECTOR);
		ub_demo_flat_patch(xml, lun, main_sector, off % UB_DEMO_FLAT_SECTOR, 8,
				   "NUM_DISK_SECTORS-6.",
				   "Update last partition with actual size in Primary Header.");
		ub_demo_flat_patch(xml, lun, backup_sector, off % UB_DEMO_FLAT_SECTOR, 8,
				   "NUM_DISK_SECTORS-6.",
				   "Update last partition with actual size in Backup Header.");
	}
	ub_demo_flat_patch(xml, lun, "1", 48, 8, "NUM_DISK_SECTORS-6.",
			   "Update Primary Header with LastUseableLBA.");
	ub_demo_flat_patch(xml, lun, end, 48, 8, "NUM_DISK_SECTORS-6.",
			   "Update Backup Header with LastUseableLBA.");
	ub_demo_flat_patch(xml, lun, "1", 32, 8, end,
			   "Update Primary Header with BackupGPT Header Location.");
	ub_demo_flat_patch(xml, lun, end, 24, 8, end, "Update Backup Header with CurrentLBA.");
	ub_demo_flat_patch(xml, lun, end, 72, 8, "NUM_DISK_SECTORS-5.",
			   "Update Backup Header with Partition Array Location.");
	ub_demo_flat_patch(xml, lun, "1", 88, 4, crc_main,
			   "Update Primary Header with CRC of Partition Array.");
	ub_demo_flat_patch(xml, lun, end, 88, 4, crc_backup,
			   "Update Backup Header with CRC of Partition Array.");
	ub_demo_flat_patch(xml, lun, "1", 16, 4, "0", "Zero Out Header CRC in Primary Header.");
	ub_demo_flat_patch(xml, lun, "1", 16, 4, "CRC32(1,92)",
			   "Update Primary Header with CRC of Primary Header.");
	ub_demo_flat_patch(xml, lun, end, 16, 4, "0", "Zero Out Header CRC in Backup Header.");
	ub_demo_flat_patch(xml, lun, end, 16, 4, "CRC32(NUM_DISK_SECTORS-1.,92)",
			   "Update Backup Header with CRC of Backup Header.");
	g_string_append(xml, "</patches>\n");
	return g_string_free(xml, FALSE);
}

static gboolean
ub_demo_flat_write_lun(const gchar *dir, guint lun, GError **error)
{
	UbGptLayoutEntry layout[G_N_ELEMENTS(ub_demo_flat_partitions)] = {{0}};
	const UbDemoFlatPartition *parts[G_N_ELEMENTS(ub_demo_flat_partitions)] = {NULL};
	guint n = 0;
	gint grow_index = -1;
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_autoptr(UbGpt) gpt = NULL;
	g_autoptr(GString) xml = g_string_new("<?xml version=\"1.0\" ?>\n<data>\n");
	g_autofree gchar *main_name = g_strdup_printf("gpt_main%u.bin", lun);
	g_autofree gchar *backup_name = g_strdup_printf("gpt_backup%u.bin", lun);
	g_autofree gchar *xml_name = g_strdup_printf("rawprogram%u.xml", lun);
	g_autofree gchar *patch_name = g_strdup_printf("patch%u.xml", lun);
	g_autofree gchar *patches = NULL;
	g_autofree gchar *disk_guid = g_strdup_printf("a1b2c3d4-0000-4000-8000-00000000000%u", lun);
	guint64 primary_sectors;
	guint64 backup_sectors;
	g_autofree gchar *backup_start = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_flat_partitions); i++) {
		const UbDemoFlatPartition *part = &ub_demo_flat_partitions[i];
		if (part->lun != lun)
			continue;
		layout[n].name = part->label;
		layout[n].size = part->sectors * UB_DEMO_FLAT_SECTOR;
		layout[n].type_guid = UB_GPT_TYPE_BASIC_DATA;
		layout[n].attributes = part->attributes;
		if (part->sectors == 0)
			grow_index = (gint)n;
		parts[n++] = part;
	}
	if (!ub_gpt_build(layout,
			  n,
			  UB_DEMO_FLAT_SECTOR,
			  ub_demo_package_get_flat_build_min_lun_size(lun),
			  disk_guid,
			  &primary,
			  &backup,
			  error))
		return FALSE;
	gpt = ub_gpt_parse(g_bytes_get_data(primary, NULL),
			   g_bytes_get_size(primary),
			   UB_DEMO_FLAT_SECTOR,
			   error);
	if (gpt == NULL)
		return FALSE;
	primary_sectors = g_bytes_get_size(primary) / UB_DEMO_FLAT_SECTOR;
	backup_sectors = g_bytes_get_size(backup) / UB_DEMO_FLAT_SECTOR;

	/* the partitions where the GPT put them */
	for (guint i = 0; i < n; i++) {
		const UbGptEntry *entry = ub_gpt_find_entry(gpt, parts[i]->label);
		g_autofree gchar *start = NULL;
		if (entry == NULL) {
			g_set_error(error, UB_ERROR, UB_ERROR_INTERNAL, "no GPT entry %s", parts[i]->label);
			return FALSE;
		}
		start = g_strdup_printf("%" G_GUINT64_FORMAT, entry->first_lba);
		ub_demo_flat_program(xml,
				     lun,
				     parts[i]->label,
				     parts[i]->file,
				     parts[i]->sectors,
				     start,
				     parts[i]->sparse,
				     FALSE);
	}
	backup_start = g_strdup_printf("NUM_DISK_SECTORS-%" G_GUINT64_FORMAT ".", backup_sectors);
	ub_demo_flat_program(xml, lun, "PrimaryGPT", main_name, primary_sectors, "0", FALSE, TRUE);
	ub_demo_flat_program(xml,
			     lun,
			     "BackupGPT",
			     backup_name,
			     backup_sectors,
			     backup_start,
			     FALSE,
			     TRUE);
	g_string_append(xml, "</data>\n");

	patches = ub_demo_flat_patches(lun,
				       grow_index,
				       ub_gpt_get_num_entries(gpt) * ub_gpt_get_entry_size(gpt));
	if (!ub_demo_package_write_file(dir, xml_name, xml->str, xml->len, error) ||
	    !ub_demo_package_write_file(dir, patch_name, patches, strlen(patches), error) ||
	    !ub_demo_package_write_file(dir,
					main_name,
					g_bytes_get_data(primary, NULL),
					g_bytes_get_size(primary),
					error) ||
	    !ub_demo_package_write_file(dir,
					backup_name,
					g_bytes_get_data(backup, NULL),
					g_bytes_get_size(backup),
					error))
		return FALSE;
	return TRUE;
}

/**
 * ub_demo_package_write_flat_build:
 * @dir: the folder, created if needed
 * @error: (nullable): return location for a #GError
 *
 * Writes the demo UFS flat build (rawprogram0..2.xml, patch0..2.xml, GPT
 * images, xbl.elf, xbl_config.elf, boot.img, vbmeta.img, the sparse
 * system.img) and prog_firehose_demo.elf into @dir.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_demo_package_write_flat_build(const gchar *dir, GError **error)
{
	g_autoptr(GBytes) sparse = ub_demo_flat_make_sparse();
	g_autoptr(GBytes) programmer = ub_demo_package_make_programmer();

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot create %s: %s",
			    dir,
			    g_strerror(errno));
		return FALSE;
	}
	for (guint lun = 0; lun < UB_DEMO_FLAT_BUILD_N_LUNS; lun++) {
		if (!ub_demo_flat_write_lun(dir, lun, error))
			return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_flat_images); i++) {
		g_autofree guint8 *buf =
		    ub_demo_flat_fill(ub_demo_flat_images[i].size, ub_demo_flat_images[i].seed);
		if (!ub_demo_package_write_file(dir,
						ub_demo_flat_images[i].file,
						(const gchar *)buf,
						ub_demo_flat_images[i].size,
						error))
			return FALSE;
	}
	if (!ub_demo_package_write_file(dir,
					"system.img",
					g_bytes_get_data(sparse, NULL),
					g_bytes_get_size(sparse),
					error))
		return FALSE;
	return ub_demo_package_write_file(dir,
					  UB_DEMO_FLAT_BUILD_PROGRAMMER,
					  g_bytes_get_data(programmer, NULL),
					  g_bytes_get_size(programmer),
					  error);
}

/*
 * The MediaTek demo's firmware: a V1.1.2-style eMMC scatter for the
 * simulator's default chip (MT6765) with the rows SP Flash Tool users know
 * (preloader in both boot areas, pgpt, the calibration partitions nvram,
 * nvdata, nvcfg, protect1/2 and proinfo, lk, boot, vbmeta, a sparse system,
 * cache, userdata, an end-relative flashinfo and sgpt), generated images, a
 * Checksum.ini, and a Download Agent file in the real MTK_AllInOne_DA.bin
 * format with dummy DA1/DA2 for the chip. The "old" variant is the layout the
 * demo phone starts with: a para partition in front of the calibration data,
 * so a Firmware Upgrade moves every partition.
 */

typedef struct {
	const gchar *name;
	guint64 size;
	const gchar *file; /* NULL: NONE */
	const gchar *operation;
	gboolean upgradable;
	const gchar *type;
} UbDemoScatterRow;

static const UbDemoScatterRow ub_demo_scatter_rows[] = {
    {"pgpt", 0x8000, NULL, "INVISIBLE", FALSE, "NORMAL_ROM"},
    {"para", 0x80000, NULL, "INVISIBLE", FALSE, "NORMAL_ROM"}, /* old layout only */
    {"nvram", 0x100000, NULL, "BINREGION", FALSE, "NORMAL_ROM"},
    {"nvdata", 0x200000, NULL, "INVISIBLE", FALSE, "EXT4_IMG"},
    {"nvcfg", 0x100000, NULL, "PROTECTED", FALSE, "EXT4_IMG"},
    {"protect1", 0x100000, NULL, "PROTECTED", FALSE, "EXT4_IMG"},
    {"protect2", 0x100000, NULL, "PROTECTED", FALSE, "EXT4_IMG"},
    {"proinfo", 0x80000, NULL, "PROTECTED", FALSE, "NORMAL_ROM"},
    {"lk", 0x100000, "lk.img", "UPDATE", TRUE, "NORMAL_ROM"},
    {"boot", 0x400000, "boot.img", "UPDATE", TRUE, "NORMAL_ROM"},
    {"vbmeta", 0x100000, "vbmeta.img", "UPDATE", TRUE, "NORMAL_ROM"},
    {"system", 0x400000, "system.img", "UPDATE", TRUE, "EXT4_IMG"},
    {"cache", 0x200000, NULL, "INVISIBLE", FALSE, "EXT4_IMG"},
    {"userdata", 0x400000, "userdata.img", "UPDATE", FALSE, "EXT4_IMG"},
};

/* the end-relative rows: flashinfo 8 blocks (+ sgpt's one) from the end, sgpt last */
#define UB_DEMO_SCATTER_BLOCK	      0x20000
#define UB_DEMO_SCATTER_FLASHINFO     G_GUINT64_CONSTANT(0xFFFF0008)
#define UB_DEMO_SCATTER_FLASHINFO_SZ  0x100000
#define UB_DEMO_SCATTER_SGPT_SZ	      0x4200
#define UB_DEMO_SCATTER_PRELOADER_SZ  0x40000

/* image sizes: odd ones catch padding bugs */
static const struct {
	const gchar *file;
	gsize size;
	guint8 seed;
} ub_demo_scatter_images[] = {
    {"preloader_unbrick_demo.bin", 0x9000 + 77, 0x61},
    {"lk.img", 0x60000 + 5, 0x62},
    {"boot.img", 0x180000 + 123, 0x63},
    {"vbmeta.img", 0x1000, 0x64},
    {"userdata.img", 0x10000, 0x65},
};

/**
 * ub_demo_package_get_scatter_dir:
 *
 * Returns: (transfer full): where the MediaTek demo writes its scatter package
 */
gchar *
ub_demo_package_get_scatter_dir(void)
{
	return g_build_filename(g_get_user_cache_dir(), "unbrick", "demo", "demo_scatter", NULL);
}

/**
 * ub_demo_package_get_scatter_rows:
 *
 * Returns: (transfer none): the partitions a download of the demo scatter
 *   writes, with the preloader first
 */
const gchar *const *
ub_demo_package_get_scatter_rows(void)
{
	static const gchar *const rows[] = {"preloader", "lk", "boot", "vbmeta", "system",
					    "userdata", NULL};
	return rows;
}

/**
 * ub_demo_package_get_scatter_calibration:
 *
 * Returns: (transfer none): the demo layout's calibration partitions
 */
const gchar *const *
ub_demo_package_get_scatter_calibration(void)
{
	static const gchar *const rows[] = {"nvram", "nvdata", "nvcfg", "protect1", "protect2",
					    "proinfo", NULL};
	return rows;
}

/**
 * ub_demo_package_make_scatter_image:
 * @name: a partition of the demo scatter ("boot", "system", "preloader")
 *
 * Returns: (transfer full) (nullable): what the partition holds after a
 *   download, from its first byte (the preloader: the image, without the boot
 *   header the engine puts in front of it; system: the expanded sparse data)
 */
GBytes *
ub_demo_package_make_scatter_image(const gchar *name)
{
	g_autofree gchar *file = NULL;
	if (g_strcmp0(name, "system") == 0)
		return ub_demo_package_make_flat_image("system");
	file = g_strcmp0(name, "preloader") == 0 ? g_strdup("preloader_unbrick_demo.bin")
						 : g_strdup_printf("%s.%s",
								   name,
								   g_strcmp0(name, "lk") == 0 ||
									   g_strcmp0(name, "boot") == 0 ||
									   g_strcmp0(name, "vbmeta") == 0 ||
									   g_strcmp0(name, "userdata") == 0
								       ? "img"
								       : "bin");
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_scatter_images); i++) {
		guint8 *buf;
		if (g_strcmp0(ub_demo_scatter_images[i].file, file) != 0)
			continue;
		buf = ub_demo_flat_fill(ub_demo_scatter_images[i].size, ub_demo_scatter_images[i].seed);
		/* the preloader starts with its GFH_FILE_INFO (mtk.md b.3) and
		 * carries the DRAM settings a DA started from BootROM needs */
		if (g_strcmp0(name, "preloader") == 0) {
			const gchar emi[] = "MTK_BLOADER_INFO_v25\0\0\0\0unbrick demo EMI settings";
			memset(buf, 0, 0x38);
			memcpy(buf, "MMM\x01", 4);
			ub_mem_write_u16_le(buf, 4, 0x38);
			memcpy(buf + 8, "FILE_INFO", 9);
			memcpy(buf + 0x100, emi, sizeof(emi));
		}
		return g_bytes_new_take(buf, ub_demo_scatter_images[i].size);
	}
	return NULL;
}

static void
ub_demo_scatter_row(GString *str,
		    guint index,
		    const gchar *name,
		    const gchar *file,
		    gboolean download,
		    const gchar *type,
		    guint64 addr,
		    guint64 size,
		    const gchar *region,
		    gboolean reserved,
		    const gchar *operation,
		    gboolean upgradable)
{
	g_string_append_printf(str,
			       "- partition_index: SYS%u\n"
			       "  partition_name: %s\n"
			       "  file_name: %s\n"
			       "  is_download: %s\n"
			       "  type: %s\n"
			       "  linear_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
			       "  physical_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
			       "  partition_size: 0x%" G_GINT64_MODIFIER "x\n"
			       "  region: %s\n"
			       "  storage: HW_STORAGE_EMMC\n"
			       "  boundary_check: true\n"
			       "  is_reserved: %s\n"
			       "  operation_type: %s\n"
			       "  is_upgradable: %s\n"
			       "  empty_boot_needed: false\n"
			       "  reserve: 0x00\n\n",
			       index,
			       name,
			       file != NULL ? file : "NONE",
			       download ? "true" : "false",
			       type,
			       addr,
			       addr,
			       size,
			       region,
			       reserved ? "true" : "false",
			       operation,
			       upgradable ? "true" : "false");
}

/**
 * ub_demo_package_make_scatter:
 * @old_layout: the layout the demo phone starts with (a para partition in
 *   front of the calibration data) instead of the package's
 *
 * Returns: (transfer full): the scatter file's text
 */
gchar *
ub_demo_package_make_scatter(gboolean old_layout)
{
	GString *str = g_string_new(NULL);
	guint64 addr = 0;
	guint index = 0;

	g_string_append(str,
			"############################################################################\n"
			"#  General Setting\n"
			"############################################################################\n"
			"- general: MTK_PLATFORM_CFG\n"
			"  info: \n"
			"    - config_version: V1.1.2\n"
			"      platform: MT6765\n"
			"      project: unbrick_demo\n"
			"      storage: EMMC\n"
			"      boot_channel: MSDC_0\n"
			"      block_size: 0x20000\n"
			"############################################################################\n"
			"#  Layout Setting\n"
			"############################################################################\n");
	ub_demo_scatter_row(str,
			    index++,
			    "preloader",
			    "preloader_unbrick_demo.bin",
			    TRUE,
			    "SV5_BL_BIN",
			    0,
			    UB_DEMO_SCATTER_PRELOADER_SZ,
			    "EMMC_BOOT1_BOOT2",
			    FALSE,
			    "BOOTLOADERS",
			    TRUE);
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_scatter_rows); i++) {
		const UbDemoScatterRow *row = &ub_demo_scatter_rows[i];
		guint64 size = row->size;
		if (g_strcmp0(row->name, "para") == 0 && !old_layout)
			continue;
		/* the old userdata is what para took from it */
		if (g_strcmp0(row->name, "userdata") == 0 && old_layout)
			size -= 0x80000;
		ub_demo_scatter_row(str,
				    index++,
				    row->name,
				    row->file,
				    row->file != NULL,
				    row->type,
				    addr,
				    size,
				    "EMMC_USER",
				    FALSE,
				    row->operation,
				    row->upgradable);
		addr += size;
	}
	ub_demo_scatter_row(str,
			    index++,
			    "flashinfo",
			    NULL,
			    FALSE,
			    "NORMAL_ROM",
			    UB_DEMO_SCATTER_FLASHINFO,
			    UB_DEMO_SCATTER_FLASHINFO_SZ,
			    "EMMC_USER",
			    TRUE,
			    "RESERVED",
			    FALSE);
	ub_demo_scatter_row(str,
			    index++,
			    "sgpt",
			    NULL,
			    FALSE,
			    "NORMAL_ROM",
			    UB_SCATTER_PSEUDO_MIN,
			    UB_DEMO_SCATTER_SGPT_SZ,
			    "EMMC_USER",
			    TRUE,
			    "RESERVED",
			    FALSE);
	return g_string_free(str, FALSE);
}

/**
 * ub_demo_package_get_scatter_min_user_size:
 *
 * Returns: the smallest eMMC user area the demo layout fits
 */
guint64
ub_demo_package_get_scatter_min_user_size(void)
{
	guint64 total = 0;
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_scatter_rows); i++)
		total += ub_demo_scatter_rows[i].size;
	/* flashinfo sits 8 blocks + sgpt's block from the end */
	return total + (8 + 1) * UB_DEMO_SCATTER_BLOCK;
}

/* Checksum.ini (mtk.md b.5) for the images with a checksum */
static gchar *
ub_demo_scatter_checksum_ini(void)
{
	GString *str = g_string_new("[VERSION]\nVERSION=V1\nTOOL=unbrick demo\n\n"
				    "[IsEnableChecksum]\nCHECKSUM_SWITCH=1\n\n[CheckSum]\n");
	const gchar *names[] = {"preloader", "lk", "boot", "vbmeta"};
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autoptr(GBytes) blob = ub_demo_package_make_scatter_image(names[i]);
		gsize size = g_bytes_get_size(blob);
		const guint8 *buf = g_bytes_get_data(blob, NULL);
		guint16 sum = 0;
		for (gsize j = 0; j < size; j++)
			sum += buf[j];
		if (size % 2 != 0)
			sum += 0xff;
		g_string_append_printf(str, "%s=0x%04x\n", names[i], sum);
	}
	return g_string_free(str, FALSE);
}

/**
 * ub_demo_package_write_scatter:
 * @dir: the package folder, created if needed
 * @error: (nullable): return location for a #GError
 *
 * Writes MT6765_Android_scatter.txt, its images (system.img sparse),
 * Checksum.ini and the demo DA file into @dir.
 *
 * Returns: %TRUE on success
 */
gboolean
ub_demo_package_write_scatter(const gchar *dir, GError **error)
{
	g_autofree gchar *scatter = ub_demo_package_make_scatter(FALSE);
	g_autofree gchar *ini = ub_demo_scatter_checksum_ini();
	g_autoptr(GBytes) sparse = ub_demo_flat_make_sparse();
	g_autoptr(GBytes) da = NULL;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "cannot create %s: %s",
			    dir,
			    g_strerror(errno));
		return FALSE;
	}
	if (!ub_demo_package_write_file(dir, UB_DEMO_SCATTER_FILE, scatter, strlen(scatter), error) ||
	    !ub_demo_package_write_file(dir, "Checksum.ini", ini, strlen(ini), error) ||
	    !ub_demo_package_write_file(dir,
					"system.img",
					g_bytes_get_data(sparse, NULL),
					g_bytes_get_size(sparse),
					error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(ub_demo_scatter_images); i++) {
		g_autofree guint8 *buf = ub_demo_flat_fill(ub_demo_scatter_images[i].size,
							   ub_demo_scatter_images[i].seed);
		g_autoptr(GBytes) blob = NULL;
		if (g_str_has_prefix(ub_demo_scatter_images[i].file, "preloader"))
			blob = ub_demo_package_make_scatter_image("preloader");
		else
			blob = g_bytes_new(buf, ub_demo_scatter_images[i].size);
		if (!ub_demo_package_write_file(dir,
						ub_demo_scatter_images[i].file,
						g_bytes_get_data(blob, NULL),
						g_bytes_get_size(blob),
						error))
			return FALSE;
	}
	da = ub_demo_package_make_da(error);
	if (da == NULL)
		return FALSE;
	return ub_demo_package_write_file(dir,
					  UB_DEMO_MTK_DA_FILE,
					  g_bytes_get_data(da, NULL),
					  g_bytes_get_size(da),
					  error);
}

/**
 * ub_demo_package_make_da:
 * @error: (nullable): return location for a #GError
 *
 * A Download Agent file in the MTK_AllInOne_DA.bin format with one entry for
 * the simulator's default chip (MT6765, DA code 0x6765): EMI settings, DA1
 * and DA2 of dummy bytes the simulated phone accepts.
 *
 * Returns: (transfer full): the file's content
 */
GBytes *
ub_demo_package_make_da(GError **error)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	UbMtkDaEntry *entry = g_new0(UbMtkDaEntry, 1);
	const gsize sizes[] = {0x100, 0x3000 + 0x100, 0x8000 + 0x100};

	entry->hw_code = UB_DEMO_MTK_DA_CODE;
	entry->hw_sub_code = 0x8a00;
	entry->entry_region_index = 0;
	entry->n_regions = 3;
	entry->regions[0].load_addr = 0;
	entry->regions[1].load_addr = 0x201000; /* MT6765 da_payload_addr, data/mtk-chips.json */
	entry->regions[1].sig_len = 0x100;
	entry->regions[2].load_addr = 0x40000000;
	entry->regions[2].sig_len = 0x100;
	g_ptr_array_add(entries, entry);
	for (guint i = 0; i < G_N_ELEMENTS(sizes); i++)
		g_ptr_array_add(blobs,
				g_bytes_new_take(ub_demo_flat_fill(sizes[i], (guint8)(0x70 + i)), sizes[i]));
	return ub_mtk_da_file_build("MTK_AllInOne_DA_v3 unbrick demo", entries, blobs, error);
}
