/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-package-flat-build.h"
#include "formats/ub-package-source-dir.h"
#include "formats/ub-package.h"
#include "formats/ub-rawprogram.h"
#include "ub-error.h"

/* the numbers are the ones /work/shared/corpus/FACTS.md gives */

static GBytes *
ub_rawprogram_test_load(const gchar *relpath)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *fn = NULL;
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize datasz = 0;

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return NULL;
	}
	fn = g_build_filename(corpus, "qcom-rawprogram", relpath, NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
		g_test_skip("corpus file missing");
		return NULL;
	}
	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, datasz);
}

typedef struct {
	const gchar *path;
	guint n_program;
	guint32 sector_size;
	guint lun;
	guint n_nonempty;
	guint n_empty;
	const gchar *label_files; /* label:filename of non-empty entries, in order */
	const gchar *sparse;	  /* labels with sparse="true" */
	const gchar *backup_expr; /* start_sector of BackupGPT, NULL if none */
	const gchar *first;	  /* label filename start nps size_in_KB */
	const gchar *last;
	const gchar *largest_label;
	guint64 largest;
} UbRawprogramFacts;

static const UbRawprogramFacts ub_rawprogram_facts[] = {
    {"oneplus-x-msm8974-emmc/rawprogram0.xml",
     31,
     512,
     0,
     20,
     11,
     "modem:NON-HLOS.bin sbl1:sbl1.mbn dbi:sdi.mbn aboot:emmc_appsboot.mbn rpm:rpm.mbn "
     "boot:boot.img tz:tz.mbn oppodycnvbk:dynamic_nvbk.bin oppostanvbk:static_nvbk.bin "
     "persist:persist.img cache:cache.img recovery:recovery.img misc:misc.bin LOGO:logo.bin "
     "DRIVER:DRIVER.ISO config:config.bin system:system.img userdata:userdata.img "
     "PrimaryGPT:gpt_main0.bin BackupGPT:gpt_backup0.bin",
     "persist cache system userdata",
     "NUM_DISK_SECTORS-33.",
     "modem NON-HLOS.bin 16384 131072 65536.0",
     "BackupGPT gpt_backup0.bin NUM_DISK_SECTORS-33. 33 16.5",
     "userdata",
     24632606},
    {"smartisan-oscar-emmc/rawprogram_unsparse.xml",
     3,
     512,
     0,
     3,
     0,
     "sbl1:sbl1.mbn aboot:emmc_appsboot.mbn recovery:recovery.img",
     "",
     NULL,
     "sbl1 sbl1.mbn 52 1024 512.0",
     "recovery recovery.img 528384 131072 65536.0",
     "recovery",
     131072},
    {"xiaomi-raphael-sm8150-ufs/rawprogram0.xml",
     33,
     4096,
     0,
     11,
     22,
     "switch:dummy.img misc:misc.img vm-data:dummy.img logfs:logfs_ufs_8mb.bin "
     "metadata:metadata.img recovery:recovery.img cache:cache.img cust:cust.img "
     "userdata:userdata.img PrimaryGPT:gpt_main0.bin BackupGPT:gpt_backup0.bin",
     "metadata cache cust userdata",
     "NUM_DISK_SECTORS-5.",
     "switch dummy.img 6 2 8.0",
     "BackupGPT gpt_backup0.bin NUM_DISK_SECTORS-5. 5 20.0",
     "cust",
     262144},
    {"xiaomi-raphael-sm8150-ufs/rawprogram1.xml",
     5,
     4096,
     1,
     4,
     1,
     "xbl_config:xbl_config.elf xbl:xbl.elf PrimaryGPT:gpt_main1.bin BackupGPT:gpt_backup1.bin",
     "",
     "NUM_DISK_SECTORS-5.",
     "xbl_config xbl_config.elf 6 128 512.0",
     "BackupGPT gpt_backup1.bin NUM_DISK_SECTORS-5. 5 20.0",
     "xbl",
     1792},
    {"xiaomi-raphael-sm8150-ufs/rawprogram2.xml",
     5,
     4096,
     2,
     4,
     1,
     "xbl_configbak:xbl_config.elf xblbak:xbl.elf PrimaryGPT:gpt_main2.bin "
     "BackupGPT:gpt_backup2.bin",
     "",
     "NUM_DISK_SECTORS-5.",
     "xbl_configbak xbl_config.elf 6 128 512.0",
     "BackupGPT gpt_backup2.bin NUM_DISK_SECTORS-5. 5 20.0",
     "xblbak",
     1792},
    {"xiaomi-raphael-sm8150-ufs/rawprogram3.xml",
     8,
     4096,
     3,
     2,
     6,
     "PrimaryGPT:gpt_main3.bin BackupGPT:gpt_backup3.bin",
     "",
     "NUM_DISK_SECTORS-5.",
     "bk31 - 6 8 32.0",
     "BackupGPT gpt_backup3.bin NUM_DISK_SECTORS-5. 5 20.0",
     "ddr",
     256},
    {"xiaomi-raphael-sm8150-ufs/rawprogram4.xml",
     57,
     4096,
     4,
     34,
     23,
     "multiimgoem:multi_image.mbn qupfw:qupv3fw.elf qupfwbak:qupv3fw.elf vbmeta:vbmeta.img "
     "storsec:storsec.mbn devcfg:devcfg.mbn devcfgbak:devcfg.mbn aop:aop.mbn aopbak:aop.mbn "
     "cmnlib:cmnlib.mbn cmnlibbak:cmnlib.mbn cmnlib64:cmnlib64.mbn cmnlib64bak:cmnlib64.mbn "
     "keymaster:km4.mbn keymasterbak:km4.mbn bluetooth:BTFM.bin uefisecapp:uefi_sec.mbn "
     "uefisecappbak:uefi_sec.mbn abl:abl.elf ablbak:abl.elf tz:tz.mbn tzbak:tz.mbn "
     "hyp:hyp.mbn hypbak:hypvm.mbn dtbo:dtbo.img ifaa:ifaa.img logo:logo.img dsp:dspso.bin "
     "boot:boot.img modem:NON-HLOS.bin vendor:vendor.img system:system.img "
     "PrimaryGPT:gpt_main4.bin BackupGPT:gpt_backup4.bin",
     "vendor system",
     "NUM_DISK_SECTORS-5.",
     "multiimgoem multi_image.mbn 6 8 32.0",
     "BackupGPT gpt_backup4.bin NUM_DISK_SECTORS-5. 5 20.0",
     "system",
     917504},
    {"xiaomi-raphael-sm8150-ufs/rawprogram5.xml",
     9,
     4096,
     5,
     3,
     6,
     "imagefv:imagefv.elf PrimaryGPT:gpt_main5.bin BackupGPT:gpt_backup5.bin",
     "",
     "NUM_DISK_SECTORS-5.",
     "fsc - 6 64 256.0",
     "BackupGPT gpt_backup5.bin NUM_DISK_SECTORS-5. 5 20.0",
     "modemst1",
     2048},
};

static gchar *
ub_rawprogram_test_describe(const UbRawprogramEntry *entry)
{
	return g_strdup_printf("%s %s %s %s %s",
			       entry->label,
			       entry->filename[0] != '\0' ? entry->filename : "-",
			       entry->start_sector,
			       entry->num_partition_sectors,
			       ub_rawprogram_entry_get_attr(entry, "size_in_KB"));
}

static void
ub_rawprogram_corpus_func(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_rawprogram_facts); i++) {
		const UbRawprogramFacts *facts = &ub_rawprogram_facts[i];
		g_autoptr(GBytes) blob = ub_rawprogram_test_load(facts->path);
		g_autoptr(UbRawprogram) rp = NULL;
		g_autoptr(GError) error = NULL;
		g_autoptr(GString) label_files = g_string_new(NULL);
		g_autoptr(GString) sparse = g_string_new(NULL);
		g_autofree gchar *first = NULL;
		g_autofree gchar *last = NULL;
		const UbRawprogramEntry *largest = NULL;
		const gchar *backup_expr = NULL;
		GPtrArray *entries;
		guint n_empty = 0;

		if (blob == NULL)
			return;
		g_debug("%s", facts->path);
		rp = ub_rawprogram_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), &error);
		g_assert_no_error(error);
		g_assert_nonnull(rp);
		entries = ub_rawprogram_get_entries(rp);
		g_assert_cmpuint(entries->len, ==, facts->n_program);
		g_assert_cmpuint(ub_rawprogram_get_ignored(rp)->len, ==, 0);
		for (guint j = 0; j < entries->len; j++) {
			const UbRawprogramEntry *entry = g_ptr_array_index(entries, j);
			g_assert_cmpint(entry->kind, ==, UB_RAWPROGRAM_KIND_PROGRAM);
			g_assert_cmpuint(entry->sector_size, ==, facts->sector_size);
			g_assert_cmpuint(entry->physical_partition_number, ==, facts->lun);
			g_assert_cmpuint(entry->file_sector_offset, ==, 0);
			g_assert_false(entry->readbackverify);
			g_assert_true(entry->num_partition_sectors_is_constant);
			if (ub_rawprogram_entry_is_placeholder(entry)) {
				n_empty++;
			} else {
				if (label_files->len > 0)
					g_string_append_c(label_files, ' ');
				g_string_append_printf(label_files,
						       "%s:%s",
						       entry->label,
						       entry->filename);
			}
			if (entry->sparse) {
				if (sparse->len > 0)
					g_string_append_c(sparse, ' ');
				g_string_append(sparse, entry->label);
			}
			if (!entry->start_sector_is_constant) {
				g_assert_null(backup_expr);
				g_assert_cmpstr(entry->label, ==, "BackupGPT");
				backup_expr = entry->start_sector;
			} else {
				g_assert_cmpstr(ub_rawprogram_entry_get_attr(entry, "start_sector"),
						==,
						entry->start_sector);
			}
			if (largest == NULL || entry->num_partition_sectors_value >
						   largest->num_partition_sectors_value)
				largest = entry;
		}
		g_assert_cmpuint(entries->len - n_empty, ==, facts->n_nonempty);
		g_assert_cmpuint(n_empty, ==, facts->n_empty);
		g_assert_cmpstr(label_files->str, ==, facts->label_files);
		g_assert_cmpstr(sparse->str, ==, facts->sparse);
		g_assert_cmpstr(backup_expr, ==, facts->backup_expr);
		first = ub_rawprogram_test_describe(g_ptr_array_index(entries, 0));
		last = ub_rawprogram_test_describe(g_ptr_array_index(entries, entries->len - 1));
		g_assert_cmpstr(first, ==, facts->first);
		g_assert_cmpstr(last, ==, facts->last);
		g_assert_nonnull(largest);
		g_assert_cmpstr(largest->label, ==, facts->largest_label);
		g_assert_cmpuint(largest->num_partition_sectors_value, ==, facts->largest);
	}
}

static void
ub_rawprogram_oneplus_details_func(void)
{
	g_autoptr(GBytes) blob = ub_rawprogram_test_load("oneplus-x-msm8974-emmc/rawprogram0.xml");
	g_autoptr(UbRawprogram) rp = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *attrs = NULL;
	const UbRawprogramEntry *entry;
	GPtrArray *entries;

	if (blob == NULL)
		return;
	rp = ub_rawprogram_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), &error);
	g_assert_no_error(error);
	entries = ub_rawprogram_get_entries(rp);

	/* the first entry keeps every attribute, in file order */
	entry = g_ptr_array_index(entries, 0);
	g_assert_cmpuint(entry->line, ==, 5);
	g_assert_cmpuint(g_strv_length(entry->names), ==, 12);
	g_assert_cmpstr(entry->names[0], ==, "SECTOR_SIZE_IN_BYTES");
	g_assert_cmpstr(ub_rawprogram_entry_get_attr(entry, "start_byte_hex"), ==, "0x800000");
	g_assert_cmpstr(ub_rawprogram_entry_get_attr(entry, "START_BYTE_HEX"), ==, "0x800000");
	g_assert_null(ub_rawprogram_entry_get_attr(entry, "nonexistent"));
	g_assert_cmpuint(entry->start_sector_value, ==, 16384);
	g_assert_cmpuint(entry->num_partition_sectors_value, ==, 131072);
	g_assert_false(entry->partofsingleimage);
	attrs = ub_rawprogram_entry_to_xml_attrs(entry);
	g_assert_true(g_str_has_prefix(attrs, "SECTOR_SIZE_IN_BYTES=\"512\" file_sector_offset=\"0\""));
	g_assert_nonnull(strstr(attrs, "start_sector=\"16384\""));

	/* grow entry and the GPT entries */
	entry = g_ptr_array_index(entries, 28);
	g_assert_cmpstr(entry->label, ==, "grow");
	g_assert_cmpuint(entry->num_partition_sectors_value, ==, 0);
	g_assert_cmpuint(entry->start_sector_value, ==, 30457856);
	entry = g_ptr_array_index(entries, 29);
	g_assert_cmpstr(entry->label, ==, "PrimaryGPT");
	g_assert_true(entry->partofsingleimage);
	entry = g_ptr_array_index(entries, 30);
	g_assert_false(entry->start_sector_is_constant);
	g_assert_cmpstr(ub_rawprogram_entry_get_attr(entry, "start_byte_hex"),
			==,
			"(512*NUM_DISK_SECTORS)-16896.");
}

static UbRawprogram *
ub_rawprogram_test_parse_str(const gchar *xml, GError **error)
{
	return ub_rawprogram_parse((const guint8 *)xml, strlen(xml), error);
}

static void
ub_rawprogram_kinds_func(void)
{
	const gchar *xml =
	    "<?xml version=\"1.0\" ?>\n"
	    "<data>\n"
	    "  <program sector_size_in_bytes=\"4096\" file_sector_offset=\"0x2\" filename=\"a&amp;b.img\" "
	    "label=\"boot_a\" num_partition_sectors=\"16\" physical_partition_number=\"4\" "
	    "start_sector=\"6\" sparse=\"TRUE\" read_back_verify=\"1\"/>\n"
	    "  <erase SECTOR_SIZE_IN_BYTES=\"4096\" physical_partition_number=\"1\"/>\n"
	    "  <erase SECTOR_SIZE_IN_BYTES=\"512\" physical_partition_number=\"0\" "
	    "num_partition_sectors=\"NUM_DISK_SECTORS-14168889.\" start_sector=\"14168889\"/>\n"
	    "  <zeroout SECTOR_SIZE_IN_BYTES=\"512\" physical_partition_number=\"0\" "
	    "num_partition_sectors=\"8\" start_sector=\"0\"/>\n"
	    "  <read SECTOR_SIZE_IN_BYTES=\"512\" physical_partition_number=\"0\"/>\n"
	    "</data>\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(UbRawprogram) rp = ub_rawprogram_test_parse_str(xml, &error);
	g_autofree gchar *attrs = NULL;
	const UbRawprogramEntry *entry;
	GPtrArray *entries;
	GPtrArray *ignored;

	g_assert_no_error(error);
	entries = ub_rawprogram_get_entries(rp);
	g_assert_cmpuint(entries->len, ==, 4);

	entry = g_ptr_array_index(entries, 0);
	g_assert_cmpint(entry->kind, ==, UB_RAWPROGRAM_KIND_PROGRAM);
	g_assert_cmpstr(entry->filename, ==, "a&b.img");
	g_assert_cmpuint(entry->file_sector_offset, ==, 2);
	g_assert_cmpuint(entry->sector_size, ==, 4096);
	g_assert_true(entry->sparse);
	g_assert_true(entry->readbackverify);
	attrs = ub_rawprogram_entry_to_xml_attrs(entry);
	g_assert_nonnull(strstr(attrs, "filename=\"a&amp;b.img\""));

	/* whole-LUN erase: no range */
	entry = g_ptr_array_index(entries, 1);
	g_assert_cmpint(entry->kind, ==, UB_RAWPROGRAM_KIND_ERASE);
	g_assert_null(entry->start_sector);
	g_assert_null(entry->num_partition_sectors);
	g_assert_null(entry->label);
	g_assert_cmpuint(entry->physical_partition_number, ==, 1);

	/* an expression as the size (qdl issue 248) is kept, not evaluated */
	entry = g_ptr_array_index(entries, 2);
	g_assert_false(entry->num_partition_sectors_is_constant);
	g_assert_cmpstr(entry->num_partition_sectors, ==, "NUM_DISK_SECTORS-14168889.");

	entry = g_ptr_array_index(entries, 3);
	g_assert_cmpint(entry->kind, ==, UB_RAWPROGRAM_KIND_ZEROOUT);
	g_assert_cmpstr(ub_rawprogram_kind_to_string(entry->kind), ==, "zeroout");

	/* <read> is reported, not dropped silently */
	ignored = ub_rawprogram_get_ignored(rp);
	g_assert_cmpuint(ignored->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(ignored, 0), "<read>"));
	g_assert_nonnull(strstr(g_ptr_array_index(ignored, 0), "line 7"));
}

static void
ub_rawprogram_invalid_func(void)
{
	struct {
		const gchar *xml;
		const gchar *needle;
	} cases[] = {
	    {"", "failed to parse rawprogram"}, {"<!-- x -->", "no <data>"},
	    {"<patches/>", "patch file"},
	    {"<foo/>", "expected <data>"},
	    {"<data><program", "failed to parse rawprogram"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"\" label=\"x\" "
	     "num_partition_sectors=\"1\" start_sector=\"0\"/></data>",
	     "physical_partition_number"},
	    {"<data><program filename=\"\" label=\"x\" physical_partition_number=\"0\" "
	     "num_partition_sectors=\"1\" start_sector=\"0\"/></data>",
	     "SECTOR_SIZE_IN_BYTES"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"500\" filename=\"\" label=\"x\" "
	     "physical_partition_number=\"0\" num_partition_sectors=\"1\" start_sector=\"0\"/></data>",
	     "power of two"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"512\" label=\"x\" "
	     "physical_partition_number=\"0\" num_partition_sectors=\"1\" start_sector=\"0\"/></data>",
	     "filename"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"\" "
	     "physical_partition_number=\"0\" num_partition_sectors=\"1\" start_sector=\"0\"/></data>",
	     "label"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"\" label=\"x\" "
	     "physical_partition_number=\"0\" num_partition_sectors=\"1\"/></data>",
	     "start_sector"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"\" label=\"x\" "
	     "physical_partition_number=\"0\" num_partition_sectors=\"1\" "
	     "start_sector=\"NUM_DISK_SECTORS-\"/></data>",
	     "invalid expression"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"\" label=\"x\" "
	     "physical_partition_number=\"0\" num_partition_sectors=\"1\" "
	     "start_sector=\"CRC32(1,2)\"/></data>",
	     "cannot use CRC32"},
	    {"<data><program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"\" label=\"x\" "
	     "physical_partition_number=\"300\" num_partition_sectors=\"1\" start_sector=\"0\"/></data>",
	     "out of range"},
	    {"<data>\n<program SECTOR_SIZE_IN_BYTES=\"512\" filename=\"\" label=\"x\" "
	     "physical_partition_number=\"0\" num_partition_sectors=\"1\" start_sector=\"0\" "
	     "sparse=\"maybe\"/></data>",
	     "line 2: sparse=\"maybe\""},
	    {"<!DOCTYPE data [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><data>&x;</data>",
	     "failed to parse rawprogram"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbRawprogram) rp = ub_rawprogram_test_parse_str(cases[i].xml, &error);
		g_debug("case %u: %s", i, error != NULL ? error->message : "(none)");
		g_assert_null(rp);
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, cases[i].needle));
	}
}

/* a flat build opened from a folder */
static UbPackage *
ub_rawprogram_test_open_build(const gchar *subdir,
			      const gchar *relpath,
			      guint64 disk_size,
			      GError **error)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *dir = NULL;
	g_autoptr(UbPackageSource) source = NULL;
	g_autoptr(UbPackage) pkg = NULL;
	UbPackageOptions options = {.disk_size = disk_size};

	if (corpus == NULL)
		return NULL;
	dir = g_build_filename(corpus, "qcom-rawprogram", subdir, NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return NULL;
	source = ub_package_source_dir_new(dir);
	pkg = ub_package_new(source);
	if (!ub_package_load_flat_build(pkg, relpath, &options, NULL, error))
		return NULL;
	return g_steal_pointer(&pkg);
}

static UbPackagePartition *
ub_rawprogram_test_find(UbPackage *pkg, gint lun, const gchar *name)
{
	GPtrArray *parts = ub_package_get_partitions(pkg);
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *part = g_ptr_array_index(parts, i);
		if (part->lun == lun && g_strcmp0(part->name, name) == 0)
			return part;
	}
	return NULL;
}

static guint
ub_rawprogram_test_count_steps(UbPackagePlan *plan, UbPackageStepKind kind)
{
	guint n = 0;
	for (guint i = 0; i < plan->steps->len; i++) {
		UbPackageStep *step = g_ptr_array_index(plan->steps, i);
		n += step->kind == kind;
	}
	return n;
}

static void
ub_rawprogram_flat_build_emmc_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) pkg =
	    ub_rawprogram_test_open_build("oneplus-x-msm8974-emmc", "rawprogram0.xml", 0, &error);
	g_autoptr(UbPackage) pkg_sized = NULL;
	UbPackagePartition *part;
	UbPackagePlan *plan;
	UbPackageStep *step;
	guint64 disk_sectors = 30777344; /* a 16 GB eMMC user area */

	g_assert_no_error(error);
	if (pkg == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	g_assert_cmpint(ub_package_get_format(pkg), ==, UB_PACKAGE_FORMAT_QCOM_FLAT_BUILD);
	g_assert_cmpstr(ub_package_get_storage(pkg), ==, "emmc");
	g_assert_cmpuint(ub_package_get_sector_size(pkg), ==, 512);
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 31);

	/* placeholders are shown but not downloadable */
	part = ub_rawprogram_test_find(pkg, 0, "DDR");
	g_assert_nonnull(part);
	g_assert_null(part->file);
	g_assert_false(part->download);
	g_assert_cmpuint(part->start, ==, 163840ULL * 512);
	g_assert_cmpuint(part->size, ==, 64 * 512);

	part = ub_rawprogram_test_find(pkg, 0, "modem");
	g_assert_cmpstr(part->region, ==, "user");
	g_assert_cmpstr(part->file, ==, "NON-HLOS.bin");
	g_assert_true(part->download);
	g_assert_cmpstr(part->operation, ==, "program");
	g_assert_cmpuint(part->start, ==, 0x800000);
	g_assert_cmpuint(part->size, ==, 65536 * 1024);
	g_assert_null(part->start_expr);

	part = ub_rawprogram_test_find(pkg, 0, "userdata");
	g_assert_true(part->sparse);
	g_assert_cmpuint(part->size, ==, 24632606ULL * 512);

	/* calibration data, flagged by the shared list */
	part = ub_rawprogram_test_find(pkg, 0, "persist");
	g_assert_true(part->calibration);
	g_assert_nonnull(part->calibration_reason);

	/* the disk size is unknown: the expression is kept */
	part = ub_rawprogram_test_find(pkg, 0, "BackupGPT");
	g_assert_cmpuint(part->start, ==, UB_PACKAGE_UNKNOWN);
	g_assert_cmpstr(part->start_expr, ==, "NUM_DISK_SECTORS-33.");
	g_assert_cmpuint(part->size, ==, 33 * 512);
	part = ub_rawprogram_test_find(pkg, 0, "grow");
	g_assert_cmpuint(part->start, ==, 30457856ULL * 512);
	g_assert_cmpuint(part->size, ==, UB_PACKAGE_UNKNOWN);

	/* the plan: 20 programs, 13 DISK patches, bootable LUN 0 (sbl1) */
	plan = ub_package_find_plan(pkg, "flat-build");
	g_assert_nonnull(plan);
	g_assert_true(plan->destructive);
	g_assert_cmpuint(plan->steps->len, ==, 20 + 13 + 1);
	g_assert_cmpuint(ub_rawprogram_test_count_steps(plan, UB_PACKAGE_STEP_FLASH), ==, 20);
	g_assert_cmpuint(ub_rawprogram_test_count_steps(plan, UB_PACKAGE_STEP_PATCH), ==, 13);
	step = g_ptr_array_index(plan->steps, 0);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_FLASH);
	g_assert_cmpstr(step->partition, ==, "modem");
	g_assert_cmpstr(step->file, ==, "NON-HLOS.bin");
	g_assert_cmpstr(step->value, ==, "0");
	g_assert_cmpstr(step->line, ==, "rawprogram0.xml:5");
	g_assert_nonnull(strstr(step->arg, "start_sector=\"16384\""));
	step = g_ptr_array_index(plan->steps, 20);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_PATCH);
	g_assert_nonnull(strstr(step->arg, "filename=\"DISK\""));
	g_assert_nonnull(strstr(step->arg, "start_sector=\"9\""));
	step = g_ptr_array_index(plan->steps, plan->steps->len - 2);
	g_assert_nonnull(strstr(step->arg, "value=\"CRC32(NUM_DISK_SECTORS-1.,92)\""));
	step = g_ptr_array_index(plan->steps, plan->steps->len - 1);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_SET_BOOTABLE);
	g_assert_cmpstr(step->value, ==, "0");

	/* with the disk size, the table has absolute offsets */
	pkg_sized = ub_rawprogram_test_open_build("oneplus-x-msm8974-emmc",
						  "rawprogram0.xml",
						  disk_sectors * 512,
						  &error);
	g_assert_no_error(error);
	part = ub_rawprogram_test_find(pkg_sized, 0, "BackupGPT");
	g_assert_cmpuint(part->start, ==, (disk_sectors - 33) * 512);
	g_assert_cmpstr(part->start_expr, ==, "NUM_DISK_SECTORS-33.");
	/* grow ends where the backup GPT starts: LastUsableLBA = N-34 as patch0.xml writes */
	part = ub_rawprogram_test_find(pkg_sized, 0, "grow");
	g_assert_cmpuint(part->size, ==, (disk_sectors - 33 - 30457856) * 512);
}

static void
ub_rawprogram_flat_build_ufs_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) pkg = ub_rawprogram_test_open_build("xiaomi-raphael-sm8150-ufs",
								 "rawprogram3.xml",
								 0,
								 &error);
	UbPackagePartition *part;
	UbPackagePlan *plan;
	UbPackageStep *step;
	GPtrArray *parts;
	GPtrArray *warnings;
	gboolean warned_dup = FALSE;
	guint n_download = 0;

	g_assert_no_error(error);
	if (pkg == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	/* picking rawprogram3.xml loads all six LUNs, in LUN order */
	g_assert_cmpstr(ub_package_get_storage(pkg), ==, "ufs");
	g_assert_cmpuint(ub_package_get_sector_size(pkg), ==, 4096);
	parts = ub_package_get_partitions(pkg);
	g_assert_cmpuint(parts->len, ==, 33 + 5 + 5 + 8 + 57 + 9);
	for (guint i = 0; i < parts->len; i++) {
		UbPackagePartition *p = g_ptr_array_index(parts, i);
		n_download += p->download;
	}
	g_assert_cmpuint(n_download, ==, 11 + 4 + 4 + 2 + 34 + 3);
	part = g_ptr_array_index(parts, 0);
	g_assert_cmpstr(part->name, ==, "switch");
	g_assert_cmpstr(part->region, ==, "lun0");
	part = ub_rawprogram_test_find(pkg, 1, "xbl");
	g_assert_nonnull(part);
	g_assert_cmpstr(part->region, ==, "lun1");
	g_assert_cmpuint(part->start, ==, 134 * 4096);
	g_assert_cmpuint(part->size, ==, 1792 * 4096);
	part = ub_rawprogram_test_find(pkg, 4, "system");
	g_assert_cmpstr(part->region, ==, "lun4");
	g_assert_true(part->sparse);
	g_assert_cmpuint(part->size, ==, 917504ULL * 4096);
	part = ub_rawprogram_test_find(pkg, 5, "modemst1");
	g_assert_true(part->calibration);
	g_assert_false(part->download);
	part = ub_rawprogram_test_find(pkg, 5, "BackupGPT");
	g_assert_cmpstr(part->file, ==, "gpt_backup5.bin");
	g_assert_cmpstr(part->start_expr, ==, "NUM_DISK_SECTORS-5.");

	/* the duplicate bk44 on LUN 4 is reported */
	warnings = ub_package_get_warnings(pkg);
	for (guint i = 0; i < warnings->len; i++) {
		const gchar *msg = g_ptr_array_index(warnings, i);
		if (strstr(msg, "bk44") != NULL && strstr(msg, "LUN 4") != NULL)
			warned_dup = TRUE;
	}
	g_assert_true(warned_dup);

	/* programs for every LUN, then only patch0.xml's 13 DISK patches, then xbl's LUN */
	plan = ub_package_find_plan(pkg, "flat-build");
	g_assert_cmpuint(ub_rawprogram_test_count_steps(plan, UB_PACKAGE_STEP_FLASH), ==, 58);
	g_assert_cmpuint(ub_rawprogram_test_count_steps(plan, UB_PACKAGE_STEP_PATCH), ==, 13);
	step = g_ptr_array_index(plan->steps, 0);
	g_assert_cmpstr(step->line, ==, "rawprogram0.xml:5");
	step = g_ptr_array_index(plan->steps, 11);
	g_assert_cmpstr(step->partition, ==, "xbl_config");
	g_assert_cmpstr(step->value, ==, "1");
	step = g_ptr_array_index(plan->steps, plan->steps->len - 1);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_SET_BOOTABLE);
	g_assert_cmpstr(step->value, ==, "1");
}

static void
ub_rawprogram_flat_build_unnumbered_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPackage) pkg = ub_rawprogram_test_open_build("smartisan-oscar-emmc",
								 "rawprogram_unsparse.xml",
								 0,
								 &error);
	UbPackagePlan *plan;
	UbPackageStep *step;

	g_assert_no_error(error);
	if (pkg == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 3);
	plan = ub_package_find_plan(pkg, "flat-build");
	g_assert_cmpuint(plan->steps->len, ==, 4);
	step = g_ptr_array_index(plan->steps, 3);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_SET_BOOTABLE);
	g_assert_cmpstr(step->value, ==, "0");
	/* recovery only: nothing that wipes data or the table */
	g_assert_false(plan->destructive);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/rawprogram/corpus", ub_rawprogram_corpus_func);
	g_test_add_func("/ub/formats/rawprogram/oneplus-details", ub_rawprogram_oneplus_details_func);
	g_test_add_func("/ub/formats/rawprogram/kinds", ub_rawprogram_kinds_func);
	g_test_add_func("/ub/formats/rawprogram/invalid", ub_rawprogram_invalid_func);
	g_test_add_func("/ub/formats/flat-build/emmc", ub_rawprogram_flat_build_emmc_func);
	g_test_add_func("/ub/formats/flat-build/ufs", ub_rawprogram_flat_build_ufs_func);
	g_test_add_func("/ub/formats/flat-build/unnumbered", ub_rawprogram_flat_build_unnumbered_func);
	return g_test_run();
}
