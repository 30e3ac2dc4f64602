/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "formats/ub-package-scatter.h"
#include "formats/ub-package-source-dir.h"
#include "formats/ub-package.h"
#include "formats/ub-scatter.h"
#include "ub-error.h"

/* every number FACTS.md gives for the scatter corpus (FACTS.md "How the facts
 * were counted": start = linear_start_addr and size = partition_size as written) */

typedef struct {
	const gchar *storage_type;
	const gchar *info;
	guint n_parts;
	guint n_download;
	guint n_reserved;
	const gchar *samples[3];
	const gchar *downloads;
	const gchar *regions;
	const gchar *ops;
} UbScatterTestLayout;

typedef struct {
	const gchar *fn;
	gsize size;
	UbScatterKind kind;
	gboolean crlf;
	const gchar *general;
	const gchar *differ;
	guint n_layouts;
	UbScatterTestLayout layouts[2];
} UbScatterTestFile;

/* generated from FACTS.md */
static const UbScatterTestFile ub_scatter_test_files[] = {
	{
	    .fn = "mtk-scatter/MT6572_fly-iq4407_v1.1.1.txt",
	    .size = 7216,
	    .kind = UB_SCATTER_KIND_TEXT,
	    .crlf = FALSE,
	    .general = "config_version=V1.1.1, platform=MT6572, project=konka72_i128_emmc, storage=EMMC, boot_channel=MSDC_0, block_size=0x20000",
	    .differ = NULL,
	    .n_layouts = 1,
	    .layouts = {
		{
		    .storage_type = NULL,
		    .info = NULL,
		    .n_parts = 20,
		    .n_download = 11,
		    .n_reserved = 1,
		    .samples = {"SYS0 `PRELOADER` file=preloader_konka72_i128_emmc.bin start=0x0 size=0xc00000 region=EMMC_BOOT_1 type=SV5_BL_BIN",
				"SYS9 `BOOTIMG` file=boot.img start=0x2980000 size=0x600000 region=EMMC_USER type=NORMAL_ROM",
				"SYS19 `BMTPOOL` file=NONE start=0xFFFF00a8 size=0x1500000 region=EMMC_USER type=NONE"},
		    .downloads = "PRELOADER:preloader_konka72_i128_emmc.bin, MBR:MBR, EBR1:EBR1, UBOOT:lk.bin, BOOTIMG:boot.img, RECOVERY:recovery.img, SEC_RO:secro.img, LOGO:logo.bin, ANDROID:system.img, CACHE:cache.img, USRDATA:userdata.img",
		    .regions = "EMMC_BOOT_1, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=4, PROTECTED=3, RESERVED=1, UPDATE=10",
		},
	    },
	},
	{
	    .fn = "mtk-scatter/MT6735_blu-vivo-xl2_v1.1.2_crlf.txt",
	    .size = 9803,
	    .kind = UB_SCATTER_KIND_TEXT,
	    .crlf = TRUE,
	    .general = "config_version=V1.1.2, platform=MT6735, project=gionee6737t_66_m0, storage=EMMC, boot_channel=MSDC_0, block_size=0x20000",
	    .differ = NULL,
	    .n_layouts = 1,
	    .layouts = {
		{
		    .storage_type = NULL,
		    .info = NULL,
		    .n_parts = 26,
		    .n_download = 11,
		    .n_reserved = 2,
		    .samples = {"SYS0 `preloader` file=preloader_gionee6737t_66_m0.bin start=0x0 size=0x400000 region=EMMC_BOOT_1 type=SV5_BL_BIN",
				"SYS8 `boot` file=boot.img start=0x1D80000 size=0x1000000 region=EMMC_USER type=NORMAL_ROM",
				"SYS25 `sgpt` file=NONE start=0xFFFF0004 size=0x80000 region=EMMC_USER type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_gionee6737t_66_m0.bin, lk:lk.bin, boot:boot.img, recovery:recovery.img, logo:logo.bin, secro:secro.img, tee1:tz1.img, tee2:tz2.img, system:system.img, cache:cache.img, userdata:userdata.img",
		    .regions = "EMMC_BOOT_1, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=8, PROTECTED=4, RESERVED=2, UPDATE=10",
		},
	    },
	},
	{
	    .fn = "mtk-scatter/MT6765_k65v1_64_bsp_v1.1.2.txt",
	    .size = 14946,
	    .kind = UB_SCATTER_KIND_TEXT,
	    .crlf = FALSE,
	    .general = "config_version=V1.1.2, platform=MT6765, project=k65v1_64_bsp, storage=EMMC, boot_channel=MSDC_0, block_size=0x20000",
	    .differ = NULL,
	    .n_layouts = 1,
	    .layouts = {
		{
		    .storage_type = NULL,
		    .info = NULL,
		    .n_parts = 37,
		    .n_download = 17,
		    .n_reserved = 3,
		    .samples = {"SYS0 `preloader` file=preloader_k65v1_64_bsp.bin start=0x0 size=0x40000 region=EMMC_BOOT1_BOOT2 type=SV5_BL_BIN",
				"SYS25 `boot` file=boot.img start=0x1c400000 size=0x2000000 region=EMMC_USER type=NORMAL_ROM",
				"SYS36 `sgpt` file=NONE start=0xFFFF0000 size=0x4200 region=EMMC_USER type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_k65v1_64_bsp.bin, recovery:recovery.img, vbmeta_system:vbmeta_system.img, vbmeta_vendor:vbmeta_vendor.img, md1img:md1img.img, spmfw:spmfw.img, lk:lk.img, lk2:lk.img, boot:boot.img, logo:logo.bin, dtbo:dtbo.img, tee1:tee.img, tee2:tee.img, super:super.img, vbmeta:vbmeta.img, cache:cache.img, userdata:userdata.img",
		    .regions = "EMMC_BOOT1_BOOT2, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=12, PROTECTED=4, RESERVED=3, UPDATE=16",
		},
	    },
	},
	{
	    .fn = "mtk-scatter/MT6768_biloba_v1.1.8.txt",
	    .size = 23750,
	    .kind = UB_SCATTER_KIND_TEXT,
	    .crlf = TRUE,
	    .general = "config_version=V1.1.8, platform=MT6768, project=biloba, storage=EMMC, boot_channel=MSDC_0, block_size=0x20000, modem_check=false, modem=NA",
	    .differ = NULL,
	    .n_layouts = 1,
	    .layouts = {
		{
		    .storage_type = NULL,
		    .info = NULL,
		    .n_parts = 57,
		    .n_download = 18,
		    .n_reserved = 3,
		    .samples = {"SYS0 `preloader` file=preloader_k69v1_64.bin start=0x0 size=0x80000 region=EMMC_BOOT1_BOOT2 type=SV5_BL_BIN",
				"SYS32 `boot_a` file=boot.img start=0xa6400000 size=0x4000000 region=EMMC_USER type=NORMAL_ROM",
				"SYS56 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=EMMC_USER type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_k69v1_64.bin, rescue:rescue.img, vbmeta_a:vbmeta.img, vbmeta_system_a:vbmeta_system.img, vbmeta_vendor_a:vbmeta_vendor.img, md1img_a:md1img.img, spmfw_a:spmfw.img, scp_a:scp.img, sspm_a:sspm.img, gz_a:gz.img, lk_a:lk.img, boot_a:boot.img, dtbo_a:dtbo.img, tee_a:tee.img, efuse:efuse.img, logo:logo.bin, super:super.img, userdata:userdata.img",
		    .regions = "EMMC_BOOT1_BOOT2, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=30, PROTECTED=5, RESERVED=3, UPDATE=17",
		},
	    },
	},
	{
	    .fn = "mtk-scatter/MT6768_moto-p325a_v1.1.8.xml",
	    .size = 38356,
	    .kind = UB_SCATTER_KIND_XML,
	    .crlf = FALSE,
	    .general = "config_version=V1.1.8, platform=MT6768, project=p325a, storage=EMMC, boot_channel=MSDC_0, block_size=0x20000",
	    .differ = NULL,
	    .n_layouts = 1,
	    .layouts = {
		{
		    .storage_type = NULL,
		    .info = NULL,
		    .n_parts = 57,
		    .n_download = 17,
		    .n_reserved = 4,
		    .samples = {"SYS0 `preloader` file=preloader_p325a.bin start=0x0 size=0x80000 region=EMMC_BOOT1_BOOT2 type=SV5_BL_BIN",
				"SYS26 `boot_a` file=boot.img start=0x1c200000 size=0x2000000 region=EMMC_USER type=NORMAL_ROM",
				"SYS56 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=EMMC_USER type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_p325a.bin, vbmeta_a:vbmeta.img, vbmeta_system_a:vbmeta_system.img, vbmeta_vendor_a:vbmeta_vendor.img, md1img_a:md1img.img, spmfw_a:spmfw.img, scp_a:scp.img, sspm_a:sspm.img, gz_a:gz.img, lk_a:lk.img, boot_a:boot.img, vendor_boot_a:vendor_boot.img, dtbo_a:dtbo.img, tee_a:tee.img, logo:logo.bin, super:super.img, userdata:userdata.img",
		    .regions = "EMMC_BOOT1_BOOT2, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=26, PROTECTED=8, RESERVED=4, UPDATE=17",
		},
	    },
	},
	{
	    .fn = "mtk-scatter/MT6785_begonia_v2.1.0.txt",
	    .size = 42819,
	    .kind = UB_SCATTER_KIND_TEXT,
	    .crlf = FALSE,
	    .general = "config_version=V2.1.0, platform=MT6785, project=begonia",
	    .differ = "flashinfo",
	    .n_layouts = 2,
	    .layouts = {
		{
		    .storage_type = "EMMC",
		    .info = "storage=EMMC, boot_channel=MSDC_0, block_size=0x20000",
		    .n_parts = 50,
		    .n_download = 31,
		    .n_reserved = 2,
		    .samples = {"SYS0 `preloader` file=preloader_begonia.bin start=0x0 size=0x80000 region=EMMC_BOOT1_BOOT2 type=SV5_BL_BIN",
				"SYS35 `boot` file=boot.img start=0x2e980000 size=0x4000000 region=EMMC_USER type=NORMAL_ROM",
				"SYS49 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=EMMC_USER type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_begonia.bin, recovery:recovery.img, vbmeta:vbmeta.img, efuse:efuse.img, md1img:md1img.img, spmfw:spmfw.img, audio_dsp:audio_dsp.img, scp1:scp.img, scp2:scp.img, sspm_1:sspm.img, sspm_2:sspm.img, cam_vpu1:cam_vpu1.img, cam_vpu2:cam_vpu2.img, cam_vpu3:cam_vpu3.img, gz1:gz.img, gz2:gz.img, lk:lk.img, lk2:lk.img, boot:boot.img, logo:logo.bin, dtbo:dtbo.img, tee1:tee.img, tee2:tee.img, vendor:vendor.img, system:system.img, cache:cache.img, gsort:gsort.img, oem_misc1:oem_misc1.img, exaid:exaid.img, cust:cust.img, userdata:userdata.img",
		    .regions = "EMMC_BOOT1_BOOT2, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=11, PROTECTED=5, RESERVED=2, UPDATE=30",
		},
		{
		    .storage_type = "UFS",
		    .info = "storage=UFS, boot_channel=UFSHCI_0, block_size=0x80000",
		    .n_parts = 50,
		    .n_download = 31,
		    .n_reserved = 2,
		    .samples = {"SYS0 `preloader` file=preloader_begonia.bin start=0x0 size=0x80000 region=UFS_LU0_LU1 type=SV5_BL_BIN",
				"SYS35 `boot` file=boot.img start=0x2e980000 size=0x4000000 region=UFS_LU2 type=NORMAL_ROM",
				"SYS49 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=UFS_LU2 type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_begonia.bin, recovery:recovery.img, vbmeta:vbmeta.img, efuse:efuse.img, md1img:md1img.img, spmfw:spmfw.img, audio_dsp:audio_dsp.img, scp1:scp.img, scp2:scp.img, sspm_1:sspm.img, sspm_2:sspm.img, cam_vpu1:cam_vpu1.img, cam_vpu2:cam_vpu2.img, cam_vpu3:cam_vpu3.img, gz1:gz.img, gz2:gz.img, lk:lk.img, lk2:lk.img, boot:boot.img, logo:logo.bin, dtbo:dtbo.img, tee1:tee.img, tee2:tee.img, vendor:vendor.img, system:system.img, cache:cache.img, gsort:gsort.img, oem_misc1:oem_misc1.img, exaid:exaid.img, cust:cust.img, userdata:userdata.img",
		    .regions = "UFS_LU0_LU1, UFS_LU2",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=11, PROTECTED=5, RESERVED=2, UPDATE=30",
		},
	    },
	},
	{
	    .fn = "mtk-scatter/MT6789_tb350fu_v2.2.0.txt",
	    .size = 60663,
	    .kind = UB_SCATTER_KIND_TEXT,
	    .crlf = FALSE,
	    .general = "config_version=V2.2.0, platform=MT6789, project=tulip_row_wifi",
	    .differ = "flashinfo",
	    .n_layouts = 2,
	    .layouts = {
		{
		    .storage_type = "EMMC",
		    .info = "storage=EMMC, boot_channel=MSDC_0, block_size=0x20000",
		    .n_parts = 66,
		    .n_download = 22,
		    .n_reserved = 2,
		    .samples = {"SYS0 `preloader` file=preloader_tulip_row_wifi.bin start=0x0 size=0x100000 region=EMMC_BOOT1 type=SV5_BL_BIN",
				"SYS32 `boot_a` file=boot.img start=0x1dd00000 size=0x4000000 region=EMMC_USER type=NORMAL_ROM",
				"SYS65 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=EMMC_USER type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_tulip_row_wifi.bin, preloader_backup:preloader_tulip_row_wifi.bin, vbmeta_a:vbmeta.img, vbmeta_system_a:vbmeta_system.img, vbmeta_vendor_a:vbmeta_vendor.img, spmfw_a:spmfw.img, pi_img_a:pi_img.img, dpm_a:dpm.img, scp_a:scp.img, sspm_a:sspm.img, mcupm_a:mcupm.img, gz_a:gz.img, lk_a:lk.img, boot_a:boot.img, vendor_boot_a:vendor_boot.img, dtbo_a:dtbo.img, tee_a:tee.img, lenovoraw:lenovoraw.img, lenovocust:lenovocust.img, logo:logo.bin, super:super.img, userdata:userdata.img",
		    .regions = "EMMC_BOOT1, EMMC_BOOT2, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=2, INVISIBLE=35, NEEDRESIZE=1, PROTECTED=6, RESERVED=2, UPDATE=19",
		},
		{
		    .storage_type = "UFS",
		    .info = "storage=UFS, boot_channel=UFSHCI_0, block_size=0x80000",
		    .n_parts = 66,
		    .n_download = 22,
		    .n_reserved = 2,
		    .samples = {"SYS0 `preloader` file=preloader_tulip_row_wifi.bin start=0x0 size=0x100000 region=UFS_LU0 type=SV5_BL_BIN",
				"SYS32 `boot_a` file=boot.img start=0x1dd00000 size=0x4000000 region=UFS_LU2 type=NORMAL_ROM",
				"SYS65 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=UFS_LU2 type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_tulip_row_wifi.bin, preloader_backup:preloader_tulip_row_wifi.bin, vbmeta_a:vbmeta.img, vbmeta_system_a:vbmeta_system.img, vbmeta_vendor_a:vbmeta_vendor.img, spmfw_a:spmfw.img, pi_img_a:pi_img.img, dpm_a:dpm.img, scp_a:scp.img, sspm_a:sspm.img, mcupm_a:mcupm.img, gz_a:gz.img, lk_a:lk.img, boot_a:boot.img, vendor_boot_a:vendor_boot.img, dtbo_a:dtbo.img, tee_a:tee.img, lenovoraw:lenovoraw.img, lenovocust:lenovocust.img, logo:logo.bin, super:super.img, userdata:userdata.img",
		    .regions = "UFS_LU0, UFS_LU1, UFS_LU2",
		    .ops = "BINREGION=1, BOOTLOADERS=2, INVISIBLE=35, NEEDRESIZE=1, PROTECTED=6, RESERVED=2, UPDATE=19",
		},
	    },
	},
	{
	    .fn = "mtk-scatter/MT6893_agate_v2.1.0.txt",
	    .size = 73219,
	    .kind = UB_SCATTER_KIND_TEXT,
	    .crlf = FALSE,
	    .general = "config_version=V2.1.0, platform=MT6893, project=agate",
	    .differ = "flashinfo",
	    .n_layouts = 2,
	    .layouts = {
		{
		    .storage_type = "EMMC",
		    .info = "storage=EMMC, boot_channel=MSDC_0, block_size=0x20000",
		    .n_parts = 80,
		    .n_download = 28,
		    .n_reserved = 2,
		    .samples = {"SYS0 `preloader` file=preloader_agate.bin start=0x0 size=0x80000 region=EMMC_BOOT1_BOOT2 type=SV5_BL_BIN",
				"SYS33 `boot_a` file=boot.img start=0x29b00000 size=0x8000000 region=EMMC_USER type=NORMAL_ROM",
				"SYS79 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=EMMC_USER type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_agate.bin, vbmeta_a:vbmeta.img, vbmeta_system_a:vbmeta_system.img, vbmeta_vendor_a:vbmeta_vendor.img, md1img_a:md1img.img, spmfw_a:spmfw.img, audio_dsp_a:audio_dsp.img, pi_img_a:pi_img.img, dpm_a:dpm.img, scp_a:scp.img, sspm_a:sspm.img, mcupm_a:mcupm.img, cam_vpu1_a:cam_vpu1.img, cam_vpu2_a:cam_vpu2.img, cam_vpu3_a:cam_vpu3.img, gz_a:gz.img, lk_a:lk.img, boot_a:boot.img, dtbo_a:dtbo.img, tee_a:tee.img, mitee_a:mitee.img, efuse:efuse.img, logo_a:logo.bin, logo_b:logo.bin, super:super.img, cust:cust.img, rescue:rescue.img, userdata:userdata.img",
		    .regions = "EMMC_BOOT1_BOOT2, EMMC_USER",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=44, PROTECTED=5, RESERVED=2, UPDATE=27",
		},
		{
		    .storage_type = "UFS",
		    .info = "storage=UFS, boot_channel=UFSHCI_0, block_size=0x80000",
		    .n_parts = 80,
		    .n_download = 28,
		    .n_reserved = 2,
		    .samples = {"SYS0 `preloader` file=preloader_agate.bin start=0x0 size=0x80000 region=UFS_LU0_LU1 type=SV5_BL_BIN",
				"SYS33 `boot_a` file=boot.img start=0x29b00000 size=0x8000000 region=UFS_LU2 type=NORMAL_ROM",
				"SYS79 `sgpt` file=NONE start=0xFFFF0000 size=0x8000 region=UFS_LU2 type=NORMAL_ROM"},
		    .downloads = "preloader:preloader_agate.bin, vbmeta_a:vbmeta.img, vbmeta_system_a:vbmeta_system.img, vbmeta_vendor_a:vbmeta_vendor.img, md1img_a:md1img.img, spmfw_a:spmfw.img, audio_dsp_a:audio_dsp.img, pi_img_a:pi_img.img, dpm_a:dpm.img, scp_a:scp.img, sspm_a:sspm.img, mcupm_a:mcupm.img, cam_vpu1_a:cam_vpu1.img, cam_vpu2_a:cam_vpu2.img, cam_vpu3_a:cam_vpu3.img, gz_a:gz.img, lk_a:lk.img, boot_a:boot.img, dtbo_a:dtbo.img, tee_a:tee.img, mitee_a:mitee.img, efuse:efuse.img, logo_a:logo.bin, logo_b:logo.bin, super:super.img, cust:cust.img, rescue:rescue.img, userdata:userdata.img",
		    .regions = "UFS_LU0_LU1, UFS_LU2",
		    .ops = "BINREGION=1, BOOTLOADERS=1, INVISIBLE=44, PROTECTED=5, RESERVED=2, UPDATE=27",
		},
	    },
	},
};

static GBytes *
ub_scatter_test_load(const gchar *relpath)
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
	fn = g_build_filename(corpus, relpath, NULL);
	if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
		g_test_skip("corpus file missing");
		return NULL;
	}
	g_file_get_contents(fn, &data, &datasz, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, datasz);
}

static UbScatter *
ub_scatter_test_parse_str(const gchar *str, GError **error)
{
	return ub_scatter_parse((const guint8 *)str, strlen(str), error);
}

static const gchar *
ub_scatter_test_field(const UbScatterPartition *part, const gchar *key)
{
	const gchar *value = g_hash_table_lookup(part->fields, key);
	return value != NULL ? value : "";
}

/* "key=value, ..." in FACTS.md's order for the keys present */
static gchar *
ub_scatter_test_join_fields(GHashTable *fields)
{
	const gchar *keys[] = {"config_version",
			       "platform",
			       "project",
			       "storage",
			       "boot_channel",
			       "block_size",
			       "modem_check",
			       "modem"};
	g_autoptr(GString) str = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		const gchar *value = g_hash_table_lookup(fields, keys[i]);
		if (value == NULL)
			continue;
		if (str->len > 0)
			g_string_append(str, ", ");
		g_string_append_printf(str, "%s=%s", keys[i], value);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static UbScatterPartition *
ub_scatter_test_find_index(UbScatterLayout *layout, const gchar *index)
{
	for (guint i = 0; i < layout->partitions->len; i++) {
		UbScatterPartition *part = g_ptr_array_index(layout->partitions, i);
		if (g_strcmp0(part->index, index) == 0)
			return part;
	}
	return NULL;
}

static gint
ub_scatter_test_strcmp_cb(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar **)a, *(const gchar **)b);
}

static void
ub_scatter_test_layout(UbScatterLayout *layout, const UbScatterTestLayout *exp)
{
	g_autoptr(GString) downloads = g_string_new(NULL);
	g_autoptr(GPtrArray) regions = g_ptr_array_new();
	g_autoptr(GPtrArray) ops = g_ptr_array_new();
	g_autoptr(GHashTable) op_counts = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) regions_str = g_string_new(NULL);
	g_autoptr(GString) ops_str = g_string_new(NULL);
	guint n_download = 0;
	guint n_reserved = 0;

	g_assert_cmpstr(layout->storage_type, ==, exp->storage_type);
	if (exp->info != NULL) {
		g_autofree gchar *info = ub_scatter_test_join_fields(layout->fields);
		g_assert_cmpstr(info, ==, exp->info);
	}
	g_assert_cmpuint(layout->partitions->len, ==, exp->n_parts);
	for (guint i = 0; i < layout->partitions->len; i++) {
		UbScatterPartition *part = g_ptr_array_index(layout->partitions, i);
		g_autofree gchar *index = g_strdup_printf("SYS%u", i);
		const gchar *op = part->operation_type;
		g_assert_cmpstr(part->index, ==, index);
		g_assert_cmpint(part->duplicate_of, ==, -1);
		if (part->is_download) {
			n_download++;
			if (downloads->len > 0)
				g_string_append(downloads, ", ");
			g_string_append_printf(downloads, "%s:%s", part->name, part->file_name);
		}
		if (part->is_reserved)
			n_reserved++;
		if (!g_ptr_array_find_with_equal_func(regions, part->region, g_str_equal, NULL))
			g_ptr_array_add(regions, part->region);
		g_assert_nonnull(op);
		g_assert_cmpint(part->operation, !=, UB_SCATTER_OPERATION_UNKNOWN);
		if (!g_hash_table_contains(op_counts, op))
			g_ptr_array_add(ops, (gpointer)op);
		g_hash_table_insert(op_counts,
				    (gpointer)op,
				    GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(op_counts, op)) + 1));
		/* the typed value is the written one */
		g_assert_cmpuint(part->partition_size,
				 ==,
				 g_ascii_strtoull(ub_scatter_test_field(part, "partition_size"), NULL, 16));
	}
	g_assert_cmpuint(n_download, ==, exp->n_download);
	g_assert_cmpuint(n_reserved, ==, exp->n_reserved);
	g_assert_cmpstr(downloads->str, ==, exp->downloads);

	g_ptr_array_sort(regions, ub_scatter_test_strcmp_cb);
	for (guint i = 0; i < regions->len; i++)
		g_string_append_printf(regions_str, "%s%s", i > 0 ? ", " : "", (const gchar *)g_ptr_array_index(regions, i));
	g_assert_cmpstr(regions_str->str, ==, exp->regions);
	g_ptr_array_sort(ops, ub_scatter_test_strcmp_cb);
	for (guint i = 0; i < ops->len; i++) {
		const gchar *op = g_ptr_array_index(ops, i);
		g_string_append_printf(ops_str,
				       "%s%s=%u",
				       i > 0 ? ", " : "",
				       op,
				       GPOINTER_TO_UINT(g_hash_table_lookup(op_counts, op)));
	}
	g_assert_cmpstr(ops_str->str, ==, exp->ops);

	for (guint i = 0; i < G_N_ELEMENTS(exp->samples); i++) {
		g_auto(GStrv) words = g_strsplit(exp->samples[i], " ", 2);
		UbScatterPartition *part = ub_scatter_test_find_index(layout, words[0]);
		g_autofree gchar *line = NULL;
		g_assert_nonnull(part);
		line = g_strdup_printf("%s `%s` file=%s start=%s size=%s region=%s type=%s",
				       part->index,
				       part->name,
				       part->file_name,
				       ub_scatter_test_field(part, "linear_start_addr"),
				       ub_scatter_test_field(part, "partition_size"),
				       part->region,
				       part->type);
		g_assert_cmpstr(line, ==, exp->samples[i]);
	}
}

static void
ub_scatter_corpus_func(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(ub_scatter_test_files); i++) {
		const UbScatterTestFile *exp = &ub_scatter_test_files[i];
		g_autoptr(GBytes) blob = ub_scatter_test_load(exp->fn);
		g_autoptr(UbScatter) scatter = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *general = NULL;
		GPtrArray *layouts;
		gsize bufsz = 0;
		const guint8 *buf;

		if (blob == NULL)
			return;
		g_test_message("%s", exp->fn);
		buf = g_bytes_get_data(blob, &bufsz);
		g_assert_cmpuint(bufsz, ==, exp->size);
		g_assert_cmpint(buf[bufsz - 1], ==, '\n');
		g_assert_true(ub_scatter_sniff(buf, bufsz));
		scatter = ub_scatter_parse(buf, bufsz, &error);
		g_assert_no_error(error);
		g_assert_nonnull(scatter);
		g_assert_cmpint(ub_scatter_get_kind(scatter), ==, exp->kind);
		g_assert_cmpint(ub_scatter_get_crlf(scatter), ==, exp->crlf);
		general = ub_scatter_test_join_fields(ub_scatter_get_general_fields(scatter));
		g_assert_cmpstr(general, ==, exp->general);
		g_assert_cmpuint(ub_scatter_get_warnings(scatter)->len, ==, 0);
		layouts = ub_scatter_get_layouts(scatter);
		g_assert_cmpuint(layouts->len, ==, exp->n_layouts);
		for (guint j = 0; j < layouts->len; j++)
			ub_scatter_test_layout(g_ptr_array_index(layouts, j), &exp->layouts[j]);

		/* V2: the same names in the same order; only @differ moves */
		if (layouts->len == 2) {
			UbScatterLayout *a = g_ptr_array_index(layouts, 0);
			UbScatterLayout *b = g_ptr_array_index(layouts, 1);
			g_autoptr(GString) differ = g_string_new(NULL);
			g_assert_cmpuint(a->partitions->len, ==, b->partitions->len);
			for (guint j = 0; j < a->partitions->len; j++) {
				UbScatterPartition *pa = g_ptr_array_index(a->partitions, j);
				UbScatterPartition *pb = g_ptr_array_index(b->partitions, j);
				g_assert_cmpstr(pa->name, ==, pb->name);
				if (pa->linear_start_addr != pb->linear_start_addr ||
				    pa->partition_size != pb->partition_size)
					g_string_append_printf(differ, "%s%s", differ->len > 0 ? ", " : "", pa->name);
			}
			g_assert_cmpstr(differ->str, ==, exp->differ);
			g_assert_true(ub_scatter_find_layout(scatter, "ufs") == b);
			g_assert_true(ub_scatter_find_layout(scatter, "EMMC") == a);
			g_assert_cmpuint(a->block_size, ==, 0x20000);
			g_assert_cmpuint(b->block_size, ==, 0x80000);
		}
	}
}

/* MT6589_lenovo-s960_brace.txt */
static void
ub_scatter_brace_func(void)
{
	const gchar *entries =
	    "PRELOADER=0x0, MBR=0x600000, EBR1=0x680000, __NODL_PMT=0x700000, "
	    "__NODL_PRO_INFO=0xb00000, __NODL_NVRAM=0xe00000, __NODL_PROTECT_F=0x1300000, "
	    "__NODL_PROTECT_S=0x1d00000, __NODL_SECCFG=0x2700000, UBOOT=0x2720000, "
	    "BOOTIMG=0x2780000, RECOVERY=0x2d80000, SEC_RO=0x3980000, __NODL_MISC=0x3f80000, "
	    "LOGO=0x4000000, EBR2=0x4300000, __NODL_EXPDB=0x4380000, PRELOAD=0x4d80000, "
	    "ANDROID=0x17980000, CACHE=0x75580000, USRDATA=0x8cf80000, __NODL_BMTPOOL=0xFFFF00a8";
	const gchar *nodl = "__NODL_PMT, __NODL_PRO_INFO, __NODL_NVRAM, __NODL_PROTECT_F, "
			    "__NODL_PROTECT_S, __NODL_SECCFG, __NODL_MISC, __NODL_EXPDB, "
			    "__NODL_BMTPOOL";
	g_autoptr(GBytes) blob = ub_scatter_test_load("mtk-scatter/MT6589_lenovo-s960_brace.txt");
	g_autoptr(UbScatter) scatter = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) got = g_string_new(NULL);
	g_autoptr(GString) got_nodl = g_string_new(NULL);
	UbScatterLayout *layout;
	UbScatterPartition *part;
	const guint8 *buf;
	gsize bufsz = 0;

	if (blob == NULL)
		return;
	buf = g_bytes_get_data(blob, &bufsz);
	g_assert_cmpuint(bufsz, ==, 520);
	g_assert_cmpint(buf[bufsz - 1], ==, '\n');
	g_assert_true(ub_scatter_sniff(buf, bufsz));
	scatter = ub_scatter_parse(buf, bufsz, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ub_scatter_get_kind(scatter), ==, UB_SCATTER_KIND_BRACE);
	g_assert_false(ub_scatter_get_crlf(scatter));
	g_assert_null(ub_scatter_get_platform(scatter));
	g_assert_cmpuint(ub_scatter_get_layouts(scatter)->len, ==, 1);
	layout = g_ptr_array_index(ub_scatter_get_layouts(scatter), 0);
	g_assert_cmpuint(layout->partitions->len, ==, 22);
	for (guint i = 0; i < layout->partitions->len; i++) {
		part = g_ptr_array_index(layout->partitions, i);
		g_string_append_printf(got,
				       "%s%s%s=%s",
				       i > 0 ? ", " : "",
				       part->nodl ? "__NODL_" : "",
				       part->name,
				       ub_scatter_test_field(part, "linear_start_addr"));
		g_assert_cmpint(part->is_download, ==, !part->nodl);
		if (part->nodl)
			g_string_append_printf(got_nodl, "%s__NODL_%s", got_nodl->len > 0 ? ", " : "", part->name);
	}
	g_assert_cmpstr(got->str, ==, entries);
	g_assert_cmpstr(got_nodl->str, ==, nodl);

	/* size = next start - this start; none across the pseudo address or at the end */
	part = g_ptr_array_index(layout->partitions, 0);
	g_assert_true(part->has_partition_size);
	g_assert_cmpuint(part->partition_size, ==, 0x600000);
	g_assert_cmpint(part->operation, ==, UB_SCATTER_OPERATION_BOOTLOADERS);
	part = g_ptr_array_index(layout->partitions, 1);
	g_assert_cmpstr(part->name, ==, "MBR");
	g_assert_cmpuint(part->partition_size, ==, 0x80000);
	part = g_ptr_array_index(layout->partitions, 5);
	g_assert_cmpstr(part->name, ==, "NVRAM");
	g_assert_cmpint(part->operation, ==, UB_SCATTER_OPERATION_BINREGION);
	part = g_ptr_array_index(layout->partitions, 20);
	g_assert_cmpstr(part->name, ==, "USRDATA");
	g_assert_false(part->has_partition_size);
	part = g_ptr_array_index(layout->partitions, 21);
	g_assert_cmpstr(part->name, ==, "BMTPOOL");
	g_assert_true(ub_scatter_partition_is_pseudo(part));
	g_assert_true(part->is_reserved);
	g_assert_false(part->has_partition_size);
}

static void
ub_scatter_region_func(void)
{
	struct {
		const gchar *in;
		const gchar *out;
		gint lun;
		gboolean boot;
	} cases[] = {
	    {"EMMC_BOOT1_BOOT2", "EMMC_BOOT1_BOOT2", -1, TRUE},
	    {"EMMC_BOOT_1", "EMMC_BOOT1", -1, TRUE},
	    {"emmc_boot1", "EMMC_BOOT1", -1, TRUE},
	    {"BOOT_2", "EMMC_BOOT2", -1, TRUE},
	    {"USER", "EMMC_USER", -1, FALSE},
	    {"EMMC_USER", "EMMC_USER", -1, FALSE},
	    {"EMMC_RPMP", "EMMC_RPMB", -1, FALSE},
	    {"EMMC_GP_3", "EMMC_GP3", -1, FALSE},
	    {"UFS_LU0_LU1", "UFS_LU0_LU1", -1, TRUE},
	    {"UFS_LU0", "UFS_LU0", 0, TRUE},
	    {"UFS_LU1", "UFS_LU1", 1, TRUE},
	    {"UFS_LU2", "UFS_LU2", 2, FALSE},
	    {"NONE", "NONE", -1, FALSE},
	    {"EMMC_SOMETHING", NULL, -1, FALSE},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_assert_cmpstr(ub_scatter_region_normalize(cases[i].in), ==, cases[i].out);
		g_assert_cmpint(ub_scatter_region_get_lun(cases[i].in), ==, cases[i].lun);
		g_assert_cmpint(ub_scatter_region_is_boot(cases[i].in), ==, cases[i].boot);
	}
	g_assert_null(ub_scatter_region_normalize(NULL));
}

static void
ub_scatter_pseudo_func(void)
{
	const guint64 disk = G_GUINT64_CONSTANT(8) * 1024 * 1024 * 1024;
	const guint64 mib = 1024 * 1024;

	/* MT6765: sgpt 0xFFFF0000 (0x4200) at the very end and taking the last
	 * block; flashinfo 0xFFFF0080 x 0x20000 = 16 MiB (its size) before it, otp
	 * 0x1d8 x 0x20000 = 59 MiB = 16 MiB + its 43 MiB before that */
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0000, 0x4200, 0x20000, disk, 0x4200), ==, disk - 0x4200);
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0080, 0x1000000, 0x20000, disk, 0x4200), ==, disk - 0x20000 - 16 * mib);
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF01d8, 0x2b00000, 0x20000, disk, 0x4200), ==, disk - 0x20000 - 59 * mib);
	/* MT6735: no 0xFFFF0000 record; sgpt 0xFFFF0004 = its 0x80000, flashinfo
	 * 0xFFFF0084 = 16 MiB + 0x80000 from the very end */
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0004, 0x80000, 0x20000, disk, 0), ==, disk - 0x80000);
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0084, 0x1000000, 0x20000, disk, 0), ==, disk - 0x80000 - 16 * mib);
	/* UFS counts 0x80000 units: flashinfo 0xFFFF0020 before a 0x8000 sgpt */
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0020, 0x1000000, 0x80000, disk, 0x8000), ==, disk - 0x80000 - 16 * mib);
	/* no block size (brace): 0x20000 */
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF00a8, 0x1500000, 0, disk, 0), ==, disk - 0x1500000);
	/* unknown disk, a partition that does not fit, a distance below the size */
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0080, 0x1000000, 0x20000, 0, 0), ==, G_MAXUINT64);
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0080, 0x1000000, 0x20000, mib, 0), ==, G_MAXUINT64);
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0001, 0x1000000, 0x20000, disk, 0), ==, G_MAXUINT64);
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFF0000, 0x1000, 0x20000, 0x800, 0), ==, G_MAXUINT64);
	/* real offsets, also above 4 GiB, are never pseudo */
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0x13b800000, 0x1000, 0x20000, disk, 0), ==, 0x13b800000);
	g_assert_cmpuint(ub_scatter_resolve_pseudo(0xFFFEFFFF, 0x1000, 0x20000, 0, 0), ==, 0xFFFEFFFF);
}

static void
ub_scatter_operation_func(void)
{
	/* SPFT's enum values (mtk.md b.4) */
	g_assert_cmpint(UB_SCATTER_OPERATION_BOOTLOADERS, ==, 0);
	g_assert_cmpint(UB_SCATTER_OPERATION_UPDATE, ==, 1);
	g_assert_cmpint(UB_SCATTER_OPERATION_INVISIBLE, ==, 2);
	g_assert_cmpint(UB_SCATTER_OPERATION_PROTECTED, ==, 3);
	g_assert_cmpint(UB_SCATTER_OPERATION_RESERVED, ==, 4);
	g_assert_cmpint(UB_SCATTER_OPERATION_BINREGION, ==, 5);
	for (guint i = 0; i < UB_SCATTER_OPERATION_UNKNOWN; i++)
		g_assert_cmpint(ub_scatter_operation_from_string(ub_scatter_operation_to_string(i)), ==, i);
	g_assert_cmpint(ub_scatter_operation_from_string("needresize"), ==, UB_SCATTER_OPERATION_NEEDRESIZE);
	g_assert_cmpint(ub_scatter_operation_from_string("FOO"), ==, UB_SCATTER_OPERATION_UNKNOWN);
	g_assert_cmpint(ub_scatter_operation_from_string(NULL), ==, UB_SCATTER_OPERATION_UNKNOWN);
}

#define UB_SCATTER_TEST_RECORD(idx, name, file, start, size, op)                             \
	"- partition_index: " idx "\n"                                                         \
	"  partition_name: " name "\n"                                                         \
	"  file_name: " file "\n"                                                              \
	"  is_download: true\n"                                                                \
	"  type: NORMAL_ROM\n"                                                                 \
	"  linear_start_addr: " start "\n"                                                     \
	"  physical_start_addr: " start "\n"                                                   \
	"  partition_size: " size "\n"                                                         \
	"  region: EMMC_USER\n"                                                                \
	"  operation_type: " op "\n"

#define UB_SCATTER_TEST_HEADER                                                               \
	"- general: MTK_PLATFORM_CFG\n"                                                        \
	"  info: \n"                                                                           \
	"    - config_version: V1.1.2\n"                                                       \
	"      platform: MT6765\n"                                                             \
	"      project: test\n"                                                                \
	"      storage: EMMC\n"                                                                \
	"      boot_channel: MSDC_0\n"                                                         \
	"      block_size: 0x20000\n"

static void
ub_scatter_errors_func(void)
{
	struct {
		const gchar *text;
		const gchar *needle;
	} cases[] = {
	    {"", "empty"},
	    {UB_SCATTER_TEST_HEADER, "no partition records"},
	    {UB_SCATTER_TEST_HEADER UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x1g", "0x1000", "UPDATE"),
	     "line 9: linear_start_addr of boot: invalid number '0x1g'"},
	    {UB_SCATTER_TEST_HEADER UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x0", "-1", "UPDATE"),
	     "partition_size of boot: invalid number '-1'"},
	    {UB_SCATTER_TEST_HEADER UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x0", "0x10000000000000000", "UPDATE"),
	     "invalid number"},
	    {UB_SCATTER_TEST_HEADER "- partition_index: SYS0\n  file_name: a.img\n  linear_start_addr: 0x0\n",
	     "line 9: partition SYS0 has no partition_name"},
	    {UB_SCATTER_TEST_HEADER "- partition_index: SYS0\n  partition_name: a\n  partition_size: 0x0\n",
	     "partition a has no start address"},
	    {UB_SCATTER_TEST_HEADER "- partition_index: SYS0\n  partition_name: a\n  linear_start_addr: 0x0\n  is_download: yes\n",
	     "is_download of a: invalid boolean 'yes'"},
	    {"A 0x0\n{\n{\n}\n", "line 3: unexpected '{'"},
	    {"A 0x0\n}\n", "line 2: unexpected '}'"},
	    {"A 0x0\n{\n", "missing '}'"},
	    {"A 0x0\n{\n}\nB zz\n", "line 4: expected 'NAME 0xADDRESS'"},
	    {"A 0x100\n{\n}\nB 0x0\n{\n}\n", "B starts before A"},
	    {"A 0x0\n{\n}\n__NODL_ 0x10\n{\n}\n", "line 4: empty partition name"},
	    {"<root><general name=\"MTK_PLATFORM_CFG\"></general></root>", "no partition records"},
	    {"<data></data>", "root element is <data>"},
	    {"<root><partition_index name=\"SYS0\"><partition_name>a</partition_name>", "invalid XML"},
	    {"\xff\xfe", "UTF-8"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(UbScatter) scatter = ub_scatter_test_parse_str(cases[i].text, &error);
		g_test_message("case %u", i);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(scatter);
		if (strstr(error->message, cases[i].needle) == NULL)
			g_error("case %u: '%s' lacks '%s'", i, error->message, cases[i].needle);
	}

	/* NUL bytes and the size limit */
	{
		const guint8 nul[] = {'A', ' ', '0', 0};
		g_autoptr(GError) error = NULL;
		g_autoptr(UbScatter) scatter = ub_scatter_parse(nul, sizeof(nul), &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(scatter);
	}
	{
		g_autoptr(GError) error = NULL;
		g_autofree guint8 *big = g_malloc0(UB_SCATTER_MAX_SIZE + 1);
		g_autoptr(UbScatter) scatter = ub_scatter_parse(big, UB_SCATTER_MAX_SIZE + 1, &error);
		g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
		g_assert_null(scatter);
	}
}

/* odd input is kept and reported, never silently dropped */
static void
ub_scatter_warnings_func(void)
{
	const gchar *text = "\xef\xbb\xbf" UB_SCATTER_TEST_HEADER "what is this\n"
			    "stray: 1\n" UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x0", "0x1000", "SOMETHING")
				"  vendor_field: 42\n"
				"  partition_size: 0x2000\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(UbScatter) scatter = ub_scatter_test_parse_str(text, &error);
	GPtrArray *warnings;
	UbScatterPartition *part;

	g_assert_no_error(error);
	warnings = ub_scatter_get_warnings(scatter);
	g_assert_cmpuint(warnings->len, ==, 3);
	g_assert_cmpstr(g_ptr_array_index(warnings, 0), ==, "line 9: not understood: what is this");
	g_assert_cmpstr(g_ptr_array_index(warnings, 1), ==, "line 22: partition_size is given twice in one record; the last one counts");
	g_assert_cmpstr(g_ptr_array_index(warnings, 2), ==, "line 11: partition boot has unknown operation_type SOMETHING");
	/* an unknown key of the general block stays there */
	g_assert_cmpstr(ub_scatter_get_general(scatter, "stray"), ==, "1");
	part = g_ptr_array_index(((UbScatterLayout *)g_ptr_array_index(ub_scatter_get_layouts(scatter), 0))->partitions, 0);
	g_assert_cmpuint(part->partition_size, ==, 0x2000);
	g_assert_cmpstr(g_hash_table_lookup(part->fields, "vendor_field"), ==, "42");
	g_assert_cmpint(part->operation, ==, UB_SCATTER_OPERATION_UNKNOWN);
	g_assert_cmpstr(part->operation_type, ==, "SOMETHING");
	/* defaults of absent fields */
	g_assert_true(part->boundary_check);
	g_assert_true(part->is_upgradable);
	g_assert_false(part->has_is_upgradable);
}

/* the V2.2.0 XML shape of third-party parsers' fixtures (mtk.md b.1) */
static void
ub_scatter_xml_storage_type_func(void)
{
	const gchar *xml =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<root>\n"
	    " <general name=\"MTK_PLATFORM_CFG\">\n"
	    "  <config_version name=\"V2.2.0\"><platform>MT6789</platform><project>x</project></config_version>\n"
	    " </general>\n"
	    " <storage_type name=\"EMMC\">\n"
	    "  <general name=\"MTK_STORAGE_CFG\"><storage name=\"EMMC\"><boot_channel>MSDC_0</boot_channel><block_size>0x20000</block_size></storage></general>\n"
	    "  <partition_index name=\"SYS0\"><partition_name>preloader</partition_name><file_name>pl.bin</file_name>"
	    "<is_download>true</is_download><linear_start_addr>0x0</linear_start_addr><physical_start_addr>0x0</physical_start_addr>"
	    "<partition_size>0x100000</partition_size><region>EMMC_BOOT1_BOOT2</region><operation_type>BOOTLOADERS</operation_type>"
	    "<combo_partsize_check>true</combo_partsize_check></partition_index>\n"
	    " </storage_type>\n"
	    " <storage_type name=\"UFS\">\n"
	    "  <general name=\"MTK_STORAGE_CFG\"><storage name=\"UFS\"><boot_channel>UFSHCI_0</boot_channel><block_size>0x80000</block_size></storage></general>\n"
	    "  <partition_index name=\"SYS0\"><partition_name>preloader</partition_name><file_name>pl.bin</file_name>"
	    "<is_download>true</is_download><linear_start_addr>0x0</linear_start_addr><physical_start_addr>0x0</physical_start_addr>"
	    "<partition_size>0x100000</partition_size><region>UFS_LU0_LU1</region><operation_type>BOOTLOADERS</operation_type></partition_index>\n"
	    "  <partition_index name=\"SYS1\"><partition_name>sgpt</partition_name><file_name>NONE</file_name>"
	    "<is_download>false</is_download><linear_start_addr>0xFFFF0000</linear_start_addr><physical_start_addr>0xFFFF0000</physical_start_addr>"
	    "<partition_size>0x8000</partition_size><region>UFS_LU2</region><is_reserved>true</is_reserved><operation_type>RESERVED</operation_type></partition_index>\n"
	    " </storage_type>\n"
	    "</root>\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(UbScatter) scatter = ub_scatter_test_parse_str(xml, &error);
	UbScatterLayout *emmc;
	UbScatterLayout *ufs;
	UbScatterPartition *part;

	g_assert_no_error(error);
	g_assert_cmpint(ub_scatter_get_kind(scatter), ==, UB_SCATTER_KIND_XML);
	g_assert_cmpstr(ub_scatter_get_config_version(scatter), ==, "V2.2.0");
	g_assert_cmpstr(ub_scatter_get_platform(scatter), ==, "MT6789");
	g_assert_cmpuint(ub_scatter_get_warnings(scatter)->len, ==, 0);
	g_assert_cmpuint(ub_scatter_get_layouts(scatter)->len, ==, 2);
	emmc = ub_scatter_find_layout(scatter, "emmc");
	ufs = ub_scatter_find_layout(scatter, "ufs");
	g_assert_nonnull(emmc);
	g_assert_nonnull(ufs);
	g_assert_cmpstr(emmc->storage, ==, "EMMC");
	g_assert_cmpstr(ufs->boot_channel, ==, "UFSHCI_0");
	g_assert_cmpuint(ufs->block_size, ==, 0x80000);
	g_assert_cmpuint(emmc->partitions->len, ==, 1);
	g_assert_cmpuint(ufs->partitions->len, ==, 2);
	part = g_ptr_array_index(emmc->partitions, 0);
	g_assert_true(part->combo_partsize_check);
	g_assert_cmpuint(part->partition_size, ==, 0x100000);
	part = g_ptr_array_index(ufs->partitions, 1);
	g_assert_cmpstr(part->index, ==, "SYS1");
	g_assert_true(ub_scatter_partition_is_pseudo(part));
	g_assert_true(part->is_reserved);
	g_assert_false(part->combo_partsize_check);
}

/* loader */

static gchar *
ub_scatter_test_mkdir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("ub-scatter-test-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

static void
ub_scatter_test_rmdir(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *fn = g_build_filename(path, name, NULL);
		if (g_file_test(fn, G_FILE_TEST_IS_DIR))
			ub_scatter_test_rmdir(fn);
		else
			g_unlink(fn);
	}
	g_rmdir(path);
}

static void
ub_scatter_test_write(const gchar *dir, const gchar *name, const void *data, gsize datasz)
{
	g_autofree gchar *fn = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;
	g_file_set_contents(fn, data, (gssize)datasz, &error);
	g_assert_no_error(error);
}

static gboolean
ub_scatter_test_copy(const gchar *dir, const gchar *relpath, const gchar *name)
{
	g_autoptr(GBytes) blob = ub_scatter_test_load(relpath);
	if (blob == NULL)
		return FALSE;
	ub_scatter_test_write(dir, name, g_bytes_get_data(blob, NULL), g_bytes_get_size(blob));
	return TRUE;
}

static UbPackage *
ub_scatter_test_load_package(const gchar *dir,
			     const gchar *relpath,
			     const gchar *storage,
			     guint64 disk_size,
			     GError **error)
{
	g_autoptr(UbPackageSource) source = ub_package_source_dir_new(dir);
	g_autoptr(UbPackage) pkg = ub_package_new(source);
	UbPackageOptions options = {.storage = storage, .disk_size = disk_size};
	if (!ub_package_load_scatter(pkg, relpath, &options, NULL, error))
		return NULL;
	return g_steal_pointer(&pkg);
}

static gchar *
ub_scatter_test_plan_str(UbPackage *pkg, const gchar *id, UbPackageStepKind kind)
{
	UbPackagePlan *plan = ub_package_find_plan(pkg, id);
	g_autoptr(GString) str = g_string_new(NULL);
	g_assert_nonnull(plan);
	for (guint i = 0; i < plan->steps->len; i++) {
		UbPackageStep *step = g_ptr_array_index(plan->steps, i);
		if (step->kind != kind)
			continue;
		if (str->len > 0)
			g_string_append(str, " ");
		g_string_append(str, step->partition);
	}
	return g_string_free(g_steal_pointer(&str), FALSE);
}

static gboolean
ub_scatter_test_warning_contains(UbPackage *pkg, const gchar *needle)
{
	GPtrArray *warnings = ub_package_get_warnings(pkg);
	for (guint i = 0; i < warnings->len; i++) {
		if (strstr(g_ptr_array_index(warnings, i), needle) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* MT6765 V1.1.2: table, pseudo addresses, the three plans */
static void
ub_scatter_package_mt6765_func(void)
{
	g_autofree gchar *dir = ub_scatter_test_mkdir();
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPackage) pkg_disk = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dl = NULL;
	g_autofree gchar *fu_format = NULL;
	g_autofree gchar *fu_flash = NULL;
	g_autofree gchar *fad_format = NULL;
	g_autofree gchar *fad_flash = NULL;
	const guint64 disk = G_GUINT64_CONSTANT(0x3a3e00000); /* a 16 GB eMMC user area */
	UbPackagePartition *part;
	UbPackagePlan *plan;
	UbPackageStep *step;

	if (!ub_scatter_test_copy(dir, "mtk-scatter/MT6765_k65v1_64_bsp_v1.1.2.txt", "MT6765_Android_scatter.txt"))
		return;
	g_mkdir(dir, 0700);
	pkg = ub_scatter_test_load_package(dir, "MT6765_Android_scatter.txt", NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpint(ub_package_get_format(pkg), ==, UB_PACKAGE_FORMAT_MTK_SCATTER);
	g_assert_cmpstr(ub_package_get_platform(pkg), ==, "MT6765");
	g_assert_cmpstr(ub_package_get_product(pkg), ==, "k65v1_64_bsp");
	g_assert_cmpstr(ub_package_get_version(pkg), ==, "V1.1.2");
	g_assert_cmpstr(ub_package_get_storage(pkg), ==, "emmc");
	g_assert_cmpuint(ub_package_get_sector_size(pkg), ==, 512);
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 37);
	g_assert_cmpuint(ub_package_get_warnings(pkg)->len, ==, 0);

	part = ub_package_find_partition(pkg, "preloader");
	g_assert_cmpstr(part->region, ==, "EMMC_BOOT1_BOOT2");
	g_assert_cmpstr(part->file, ==, "preloader_k65v1_64_bsp.bin");
	g_assert_cmpstr(part->operation, ==, "BOOTLOADERS");
	g_assert_cmpuint(part->start, ==, 0);
	g_assert_cmpuint(part->size, ==, 0x40000);
	g_assert_true(part->download);
	part = ub_package_find_partition(pkg, "boot");
	g_assert_cmpuint(part->start, ==, 0x1c400000);
	g_assert_cmpuint(part->size, ==, 0x2000000);
	g_assert_cmpint(part->lun, ==, -1);
	g_assert_null(part->start_expr);
	part = ub_package_find_partition(pkg, "sgpt");
	g_assert_cmpuint(part->start, ==, UB_PACKAGE_UNKNOWN);
	g_assert_cmpstr(part->start_expr, ==, "0xFFFF0000");
	g_assert_cmpuint(part->size, ==, 0x4200);
	g_assert_null(part->file);
	g_assert_false(part->download);
	g_assert_cmpstr(part->operation, ==, "RESERVED");
	/* calibration rows */
	g_assert_true(ub_package_find_partition(pkg, "nvram")->calibration);
	g_assert_true(ub_package_find_partition(pkg, "nvdata")->calibration);
	g_assert_true(ub_package_find_partition(pkg, "proinfo")->calibration);
	g_assert_true(ub_package_find_partition(pkg, "protect1")->calibration);
	g_assert_nonnull(ub_package_find_partition(pkg, "nvram")->calibration_reason);
	g_assert_false(ub_package_find_partition(pkg, "boot")->calibration);

	/* download only: the 17 is_download rows in scatter order */
	dl = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY, UB_PACKAGE_STEP_FLASH);
	g_assert_cmpstr(dl, ==, "preloader recovery vbmeta_system vbmeta_vendor md1img spmfw lk lk2 boot logo dtbo tee1 tee2 super vbmeta cache userdata");
	plan = ub_package_find_plan(pkg, UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY);
	g_assert_cmpuint(plan->steps->len, ==, 17);
	g_assert_true(plan->destructive); /* writes userdata.img */
	step = g_ptr_array_index(plan->steps, 0);
	g_assert_cmpint(step->kind, ==, UB_PACKAGE_STEP_FLASH);
	g_assert_cmpstr(step->file, ==, "preloader_k65v1_64_bsp.bin");
	g_assert_cmpstr(step->arg, ==, "EMMC_BOOT1_BOOT2");
	g_assert_cmpstr(step->line, ==, "MT6765_Android_scatter.txt:19");

	/* firmware upgrade: is_upgradable rows only; PROTECTED/BINREGION/RESERVED and
	 * calibration never formatted; logo, cache and userdata (is_upgradable false) kept */
	fu_format = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE, UB_PACKAGE_STEP_FORMAT);
	fu_flash = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE, UB_PACKAGE_STEP_FLASH);
	g_assert_cmpstr(fu_format, ==, "");
	g_assert_cmpstr(fu_flash, ==, "preloader recovery vbmeta_system vbmeta_vendor md1img spmfw lk lk2 boot dtbo tee1 tee2 super vbmeta");

	/* format all + download: everything but BOOTLOADERS and RESERVED erased,
	 * calibration included, then every download row */
	fad_format = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD, UB_PACKAGE_STEP_FORMAT);
	fad_flash = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD, UB_PACKAGE_STEP_FLASH);
	g_assert_nonnull(strstr(fad_format, "nvram"));
	g_assert_nonnull(strstr(fad_format, "proinfo"));
	g_assert_null(strstr(fad_format, "preloader"));
	g_assert_null(strstr(fad_format, "sgpt"));
	g_assert_null(strstr(fad_format, "flashinfo"));
	g_assert_null(strstr(fad_format, " otp"));
	g_assert_cmpstr(fad_flash, ==, dl);
	g_assert_true(ub_package_find_plan(pkg, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD)->destructive);
	/* 37 rows - preloader - 3 RESERVED */
	plan = ub_package_find_plan(pkg, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD);
	g_assert_cmpuint(plan->steps->len, ==, 33 + 17);

	/* with the disk size the pseudo addresses become offsets */
	pkg_disk = ub_scatter_test_load_package(dir, "MT6765_Android_scatter.txt", "emmc", disk, &error);
	g_assert_no_error(error);
	part = ub_package_find_partition(pkg_disk, "sgpt");
	g_assert_cmpuint(part->start, ==, disk - 0x4200);
	g_assert_cmpstr(part->start_expr, ==, "0xFFFF0000");
	g_assert_cmpuint(ub_package_find_partition(pkg_disk, "flashinfo")->start, ==, disk - 0x20000 - 0x1000000);
	g_assert_cmpuint(ub_package_find_partition(pkg_disk, "otp")->start, ==, disk - 0x20000 - 0x3b00000);
	/* otp ends where flashinfo starts */
	part = ub_package_find_partition(pkg_disk, "otp");
	g_assert_cmpuint(part->start + part->size, ==, ub_package_find_partition(pkg_disk, "flashinfo")->start);

	/* a V1 eMMC layout is not for a UFS phone */
	g_clear_object(&pkg_disk);
	pkg_disk = ub_scatter_test_load_package(dir, "MT6765_Android_scatter.txt", "ufs", 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_null(pkg_disk);
	ub_scatter_test_rmdir(dir);
}

/* MT6785 V2.1.0: the EMMC or UFS block, Checksum.ini beside it */
static void
ub_scatter_package_v2_func(void)
{
	g_autofree gchar *dir = ub_scatter_test_mkdir();
	g_autofree gchar *sub = g_build_filename(dir, "images", NULL);
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPackage) ufs = NULL;
	g_autoptr(UbPackage) nand = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) problems = NULL;
	UbPackagePartition *part;
	guint n_checksum = 0;

	g_mkdir(sub, 0700);
	if (!ub_scatter_test_copy(sub, "mtk-scatter/MT6785_begonia_v2.1.0.txt", "MT6785_Android_scatter.txt") ||
	    !ub_scatter_test_copy(sub, "mtk-checksum/begonia_Checksum.ini", "Checksum.ini")) {
		ub_scatter_test_rmdir(dir);
		return;
	}
	pkg = ub_scatter_test_load_package(dir, "images/MT6785_Android_scatter.txt", NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_package_get_storage(pkg), ==, "emmc");
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 50);
	g_assert_true(ub_scatter_test_warning_contains(pkg, "has layouts for emmc, ufs; showing emmc"));
	part = ub_package_find_partition(pkg, "boot");
	g_assert_cmpstr(part->file, ==, "images/boot.img");
	g_assert_cmpstr(part->region, ==, "EMMC_USER");

	/* every Checksum.ini row names a partition with a file; lk/lk2, tee1/tee2,
	 * scp1/scp2, sspm_1/sspm_2, gz1/gz2 share an image: 31 - 5 checks, each
	 * failing here because the images are not there */
	problems = ub_package_check(pkg, NULL);
	for (guint i = 0; i < problems->len; i++) {
		const gchar *problem = g_ptr_array_index(problems, i);
		if (strstr(problem, "against images/Checksum.ini:") != NULL)
			n_checksum++;
	}
	g_assert_cmpuint(n_checksum, ==, 26);

	ufs = ub_scatter_test_load_package(dir, "images/MT6785_Android_scatter.txt", "UFS", 0, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_package_get_storage(ufs), ==, "ufs");
	g_assert_cmpuint(ub_package_get_sector_size(ufs), ==, 4096);
	g_assert_false(ub_scatter_test_warning_contains(ufs, "has layouts"));
	part = ub_package_find_partition(ufs, "preloader");
	g_assert_cmpstr(part->region, ==, "UFS_LU0_LU1");
	g_assert_cmpint(part->lun, ==, -1);
	part = ub_package_find_partition(ufs, "boot");
	g_assert_cmpstr(part->region, ==, "UFS_LU2");
	g_assert_cmpint(part->lun, ==, 2);
	g_assert_cmpuint(part->start, ==, 0x2e980000);
	/* flashinfo counts 0x80000 units on UFS */
	g_clear_object(&ufs);
	ufs = ub_scatter_test_load_package(dir, "images/MT6785_Android_scatter.txt", "ufs", 0x1000000000, &error);
	g_assert_no_error(error);
	part = ub_package_find_partition(ufs, "flashinfo");
	g_assert_cmpuint(part->start, ==, 0x1000000000 - 0x80000 - part->size);
	g_assert_cmpuint(ub_package_find_partition(ufs, "sgpt")->start, ==, 0x1000000000 - 0x8000);

	nand = ub_scatter_test_load_package(dir, "images/MT6785_Android_scatter.txt", "nand", 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "has no nand layout (it has: emmc, ufs)"));
	g_assert_null(nand);
	ub_scatter_test_rmdir(dir);
}

/* MT6735 V1.1.2 has no is_upgradable: every INVISIBLE row is erased in Firmware
 * Upgrade, except calibration (seccfg, nvdata); PROTECTED, BINREGION kept */
static void
ub_scatter_package_firmware_upgrade_func(void)
{
	g_autofree gchar *dir = ub_scatter_test_mkdir();
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *fu_format = NULL;
	g_autofree gchar *fu_flash = NULL;
	g_autofree gchar *dl = NULL;
	g_autofree gchar *fad_format = NULL;

	if (!ub_scatter_test_copy(dir, "mtk-scatter/MT6735_blu-vivo-xl2_v1.1.2_crlf.txt", "MT6735_Android_scatter.txt")) {
		ub_scatter_test_rmdir(dir);
		return;
	}
	pkg = ub_scatter_test_load_package(dir, "MT6735_Android_scatter.txt", NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 26);
	g_assert_cmpstr(ub_package_find_partition(pkg, "preloader")->region, ==, "EMMC_BOOT1");
	fu_format = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE, UB_PACKAGE_STEP_FORMAT);
	fu_flash = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_FIRMWARE_UPGRADE, UB_PACKAGE_STEP_FLASH);
	dl = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY, UB_PACKAGE_STEP_FLASH);
	fad_format = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_FORMAT_ALL_DOWNLOAD, UB_PACKAGE_STEP_FORMAT);
	/* the partition table is the new layout: written, never erased */
	g_assert_cmpstr(fu_format, ==, "para expdb oemkeystore keystore metadata");
	g_assert_cmpstr(dl, ==, "preloader lk boot recovery logo secro tee1 tee2 system cache userdata");
	g_assert_cmpstr(fu_flash, ==, dl);
	g_assert_cmpstr(fad_format, ==, "pgpt proinfo nvram protect1 protect2 lk para boot recovery logo expdb seccfg "
					 "oemkeystore secro keystore tee1 tee2 frp nvdata metadata system cache userdata");
	ub_scatter_test_rmdir(dir);
}

/* MT6572 V1.1.1: physical_start_addr is 0 everywhere, offsets from linear */
static void
ub_scatter_package_linear_func(void)
{
	g_autofree gchar *dir = ub_scatter_test_mkdir();
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(GError) error = NULL;
	UbPackagePartition *part;

	if (!ub_scatter_test_copy(dir, "mtk-scatter/MT6572_fly-iq4407_v1.1.1.txt", "MT6572_Android_scatter.txt")) {
		ub_scatter_test_rmdir(dir);
		return;
	}
	pkg = ub_scatter_test_load_package(dir, "MT6572_Android_scatter.txt", NULL, 0x1d1a00000, &error);
	g_assert_no_error(error);
	g_assert_true(ub_scatter_test_warning_contains(pkg, "linear_start_addr - 0xc00000"));
	part = ub_package_find_partition(pkg, "PRELOADER");
	g_assert_cmpstr(part->region, ==, "EMMC_BOOT1");
	g_assert_cmpuint(part->start, ==, 0);
	g_assert_cmpuint(ub_package_find_partition(pkg, "MBR")->start, ==, 0);
	g_assert_cmpuint(ub_package_find_partition(pkg, "EBR1")->start, ==, 0x80000);
	g_assert_cmpuint(ub_package_find_partition(pkg, "BOOTIMG")->start, ==, 0x2980000 - 0xc00000);
	g_assert_cmpstr(ub_package_find_partition(pkg, "MBR")->file, ==, "MBR");
	part = ub_package_find_partition(pkg, "BMTPOOL");
	g_assert_cmpstr(part->start_expr, ==, "0xFFFF00a8");
	g_assert_cmpuint(part->start, ==, 0x1d1a00000 - 0x1500000);
	g_assert_true(ub_package_find_partition(pkg, "NVRAM")->calibration);
	g_assert_true(ub_package_find_partition(pkg, "PRO_INFO")->calibration);
	g_assert_true(ub_package_find_partition(pkg, "PROTECT_F")->calibration);
	ub_scatter_test_rmdir(dir);
}

/* MT6589 brace: inferred regions, files and operation types */
static void
ub_scatter_package_brace_func(void)
{
	g_autofree gchar *dir = ub_scatter_test_mkdir();
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dl = NULL;
	UbPackagePartition *part;

	if (!ub_scatter_test_copy(dir, "mtk-scatter/MT6589_lenovo-s960_brace.txt", "MT6589_Android_scatter_emmc.txt")) {
		ub_scatter_test_rmdir(dir);
		return;
	}
	ub_scatter_test_write(dir, "preloader_s960.bin", "x", 1);
	pkg = ub_scatter_test_load_package(dir, "MT6589_Android_scatter_emmc.txt", NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_package_get_storage(pkg), ==, "emmc");
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 22);
	part = ub_package_find_partition(pkg, "PRELOADER");
	g_assert_cmpstr(part->file, ==, "preloader_s960.bin");
	g_assert_cmpstr(part->region, ==, "EMMC_BOOT1");
	g_assert_cmpuint(part->size, ==, 0x600000);
	part = ub_package_find_partition(pkg, "MBR");
	g_assert_cmpuint(part->start, ==, 0);
	g_assert_cmpstr(part->region, ==, "EMMC_USER");
	part = ub_package_find_partition(pkg, "USRDATA");
	g_assert_cmpuint(part->start, ==, 0x8cf80000 - 0x600000);
	g_assert_cmpuint(part->size, ==, UB_PACKAGE_UNKNOWN);
	g_assert_cmpstr(part->file, ==, "userdata.img");
	part = ub_package_find_partition(pkg, "NVRAM");
	g_assert_false(part->download);
	g_assert_cmpstr(part->operation, ==, "BINREGION");
	g_assert_true(part->calibration);
	part = ub_package_find_partition(pkg, "BMTPOOL");
	g_assert_cmpstr(part->operation, ==, "RESERVED");
	g_assert_cmpuint(part->start, ==, UB_PACKAGE_UNKNOWN);
	g_assert_cmpstr(part->start_expr, ==, "0xFFFF00a8");
	/* PRELOAD has no known image: reported */
	g_assert_true(ub_scatter_test_warning_contains(pkg, "no image is known for PRELOAD"));
	dl = ub_scatter_test_plan_str(pkg, UB_PACKAGE_SCATTER_PLAN_DOWNLOAD_ONLY, UB_PACKAGE_STEP_FLASH);
	g_assert_cmpstr(dl, ==, "PRELOADER MBR EBR1 UBOOT BOOTIMG RECOVERY SEC_RO LOGO EBR2 ANDROID CACHE USRDATA");
	ub_scatter_test_rmdir(dir);
}

/* duplicates: identical records dropped with a warning, conflicting ones refused */
static void
ub_scatter_package_duplicates_func(void)
{
	g_autofree gchar *dir = ub_scatter_test_mkdir();
	const gchar *same = UB_SCATTER_TEST_HEADER UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x0", "0x1000", "UPDATE")
	    UB_SCATTER_TEST_RECORD("SYS1", "system", "system.img", "0x1000", "0x1000", "UPDATE")
		UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x0", "0x1000", "UPDATE");
	const gchar *conflict = UB_SCATTER_TEST_HEADER UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x0", "0x1000", "UPDATE")
	    UB_SCATTER_TEST_RECORD("SYS1", "boot", "boot.img", "0x1000", "0x1000", "UPDATE");
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPackage) pkg2 = NULL;
	g_autoptr(UbScatter) scatter = NULL;
	g_autoptr(GError) error = NULL;
	UbScatterLayout *layout;

	scatter = ub_scatter_test_parse_str(same, &error);
	g_assert_no_error(error);
	layout = g_ptr_array_index(ub_scatter_get_layouts(scatter), 0);
	g_assert_cmpuint(layout->partitions->len, ==, 3);
	g_assert_cmpint(((UbScatterPartition *)g_ptr_array_index(layout->partitions, 2))->duplicate_of, ==, 0);

	ub_scatter_test_write(dir, "same_scatter.txt", same, strlen(same));
	ub_scatter_test_write(dir, "conflict_scatter.txt", conflict, strlen(conflict));
	pkg = ub_scatter_test_load_package(dir, "same_scatter.txt", NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ub_package_get_partitions(pkg)->len, ==, 2);
	g_assert_true(ub_scatter_test_warning_contains(pkg, "same_scatter.txt: line 29: partition boot is listed again (first on line 9)"));
	pkg2 = ub_scatter_test_load_package(dir, "conflict_scatter.txt", NULL, 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "conflict_scatter.txt:19: partition boot is listed twice with different values (first on line 9)"));
	g_assert_null(pkg2);
	ub_scatter_test_rmdir(dir);
}

/* pre-flight through the package: an image too large, a missing image, a wrong
 * Checksum.ini value each name the file and partition */
static void
ub_scatter_package_preflight_func(void)
{
	g_autofree gchar *dir = ub_scatter_test_mkdir();
	const gchar *text = UB_SCATTER_TEST_HEADER UB_SCATTER_TEST_RECORD("SYS0", "boot", "boot.img", "0x0", "0x10", "UPDATE")
	    UB_SCATTER_TEST_RECORD("SYS1", "dtbo", "dtbo.img", "0x10", "0x10", "UPDATE")
		UB_SCATTER_TEST_RECORD("SYS2", "vendor", "vendor.img", "0x20", "0x10", "UPDATE")
		    UB_SCATTER_TEST_RECORD("SYS3", "logo", "logo.bin", "0x30", "0x10", "UPDATE");
	/* boot: 1+2+3 = 6; dtbo: odd length: 0xfe + 0xff; vendor too large, its sum 0xff */
	const guint8 boot[] = {1, 2, 3, 0};
	const guint8 dtbo[] = {0xfe};
	const guint8 vendor[0x11] = {0};
	const gchar *ini = "[VERSION]\nVERSION=V1\n[IsEnableChecksum]\nCHECKSUM_SWITCH=1\n[CheckSum]\n"
			   "boot=0x0006\ndtbo=0x01FD\nvendor=0x00ff\nlogo=0x1234\nmissing=0x1\n";
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) problems = NULL;

	ub_scatter_test_write(dir, "MT6765_Android_scatter.txt", text, strlen(text));
	ub_scatter_test_write(dir, "Checksum.ini", ini, strlen(ini));
	ub_scatter_test_write(dir, "boot.img", boot, sizeof(boot));
	ub_scatter_test_write(dir, "dtbo.img", dtbo, sizeof(dtbo));
	ub_scatter_test_write(dir, "vendor.img", vendor, sizeof(vendor));
	pkg = ub_scatter_test_load_package(dir, "MT6765_Android_scatter.txt", NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_true(ub_scatter_test_warning_contains(pkg, "Checksum.ini:10: missing matches no partition of the scatter"));
	problems = ub_package_check(pkg, NULL);
	for (guint i = 0; i < problems->len; i++)
		g_test_message("problem: %s", (const gchar *)g_ptr_array_index(problems, i));
	/* vendor too large, logo missing (and so not checksummed) */
	g_assert_cmpuint(problems->len, ==, 3);
	g_assert_nonnull(strstr(g_ptr_array_index(problems, 0), "vendor: image vendor.img"));
	g_assert_true(g_str_has_prefix(g_ptr_array_index(problems, 1), "logo: "));
	g_assert_nonnull(strstr(g_ptr_array_index(problems, 1), "logo.bin is missing"));
	g_assert_nonnull(strstr(g_ptr_array_index(problems, 2), "logo.bin: cannot check it against Checksum.ini:9"));

	/* a wrong value */
	ini = "[CheckSum]\nboot=0x0007\n";
	ub_scatter_test_write(dir, "Checksum.ini", ini, strlen(ini));
	ub_scatter_test_write(dir, "logo.bin", "", 0);
	ub_scatter_test_write(dir, "vendor.img", "", 0);
	g_clear_object(&pkg);
	g_clear_pointer(&problems, g_ptr_array_unref);
	pkg = ub_scatter_test_load_package(dir, "MT6765_Android_scatter.txt", NULL, 0, &error);
	g_assert_no_error(error);
	problems = ub_package_check(pkg, NULL);
	g_assert_cmpuint(problems->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(problems, 0), "boot.img does not match Checksum.ini:2 (expected 0x0007, found 0x0006)"));

	/* a broken Checksum.ini is refused */
	ini = "[CheckSum]\nboot=zz\n";
	ub_scatter_test_write(dir, "Checksum.ini", ini, strlen(ini));
	g_clear_object(&pkg);
	pkg = ub_scatter_test_load_package(dir, "MT6765_Android_scatter.txt", NULL, 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "failed to parse Checksum.ini: line 2: boot:"));
	g_assert_null(pkg);
	g_clear_error(&error);

	/* a file_name leaving the folder */
	text = UB_SCATTER_TEST_HEADER UB_SCATTER_TEST_RECORD("SYS0", "boot", "../boot.img", "0x0", "0x10", "UPDATE");
	{
		g_autofree gchar *fn = g_build_filename(dir, "Checksum.ini", NULL);
		g_unlink(fn);
	}
	ub_scatter_test_write(dir, "MT6765_Android_scatter.txt", text, strlen(text));
	pkg = ub_scatter_test_load_package(dir, "MT6765_Android_scatter.txt", NULL, 0, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "'../boot.img' of boot leaves the package folder"));
	ub_scatter_test_rmdir(dir);
}

/* every corpus file loads with its own plans; V2 in both storages */
static void
ub_scatter_package_corpus_func(void)
{
	const gchar *corpus = g_getenv("UB_CORPUS_DIR");
	g_autofree gchar *dir = NULL;
	g_autoptr(GDir) gdir = NULL;
	const gchar *name;
	guint n = 0;

	if (corpus == NULL) {
		g_test_skip("UB_CORPUS_DIR not set");
		return;
	}
	dir = g_build_filename(corpus, "mtk-scatter", NULL);
	gdir = g_dir_open(dir, 0, NULL);
	if (gdir == NULL) {
		g_test_skip("corpus missing");
		return;
	}
	while ((name = g_dir_read_name(gdir)) != NULL) {
		const gchar *storages[] = {NULL, "emmc", "ufs"};
		for (guint i = 0; i < G_N_ELEMENTS(storages); i++) {
			g_autoptr(GError) error = NULL;
			g_autoptr(UbPackage) pkg = ub_scatter_test_load_package(dir, name, storages[i], 0x1000000000, &error);
			g_autoptr(GPtrArray) problems = NULL;
			if (g_strcmp0(storages[i], "ufs") == 0 && strstr(name, "v2.") == NULL) {
				g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
				continue;
			}
			g_assert_no_error(error);
			g_assert_cmpuint(ub_package_get_plans(pkg)->len, ==, 3);
			/* overlaps are the only problems that do not come from absent images */
			problems = ub_package_check(pkg, NULL);
			for (guint j = 0; j < problems->len; j++) {
				const gchar *problem = g_ptr_array_index(problems, j);
				if (strstr(problem, "is missing") == NULL)
					g_error("%s: %s", name, problem);
			}
			n++;
		}
	}
	g_assert_cmpuint(n, ==, 9 * 2 + 3);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/formats/scatter/corpus", ub_scatter_corpus_func);
	g_test_add_func("/ub/formats/scatter/brace", ub_scatter_brace_func);
	g_test_add_func("/ub/formats/scatter/region", ub_scatter_region_func);
	g_test_add_func("/ub/formats/scatter/pseudo", ub_scatter_pseudo_func);
	g_test_add_func("/ub/formats/scatter/operation", ub_scatter_operation_func);
	g_test_add_func("/ub/formats/scatter/errors", ub_scatter_errors_func);
	g_test_add_func("/ub/formats/scatter/warnings", ub_scatter_warnings_func);
	g_test_add_func("/ub/formats/scatter/xml-storage-type", ub_scatter_xml_storage_type_func);
	g_test_add_func("/ub/formats/scatter/package/mt6765", ub_scatter_package_mt6765_func);
	g_test_add_func("/ub/formats/scatter/package/v2", ub_scatter_package_v2_func);
	g_test_add_func("/ub/formats/scatter/package/firmware-upgrade", ub_scatter_package_firmware_upgrade_func);
	g_test_add_func("/ub/formats/scatter/package/linear", ub_scatter_package_linear_func);
	g_test_add_func("/ub/formats/scatter/package/brace", ub_scatter_package_brace_func);
	g_test_add_func("/ub/formats/scatter/package/duplicates", ub_scatter_package_duplicates_func);
	g_test_add_func("/ub/formats/scatter/package/preflight", ub_scatter_package_preflight_func);
	g_test_add_func("/ub/formats/scatter/package/corpus", ub_scatter_package_corpus_func);
	return g_test_run();
}
