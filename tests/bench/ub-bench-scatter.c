/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "formats/ub-scatter.h"

/*
 * Parses a generated 200-partition scatter, every field of a V2.1.0 record
 * (like MT6893_agate_v2.1.0.txt, 80 partitions per block), in text and in XML,
 * all in memory. Prints milliseconds per parse; the target is well
 * under 50 ms.
 */

#define UB_BENCH_PARTITIONS 200
#define UB_BENCH_ROUNDS	    200

static GBytes *
ub_bench_scatter_generate_text(void)
{
	GString *str = g_string_new("- general: MTK_PLATFORM_CFG\n"
				    "  info: \n"
				    "    - config_version: V2.1.0\n"
				    "      platform: MT6893\n"
				    "      project: bench\n"
				    "- storage_type: EMMC\n"
				    "  description: \n"
				    "  - general: MTK_STORAGE_CFG\n"
				    "    info: \n"
				    "      - storage: EMMC\n"
				    "        boot_channel: MSDC_0\n"
				    "        block_size: 0x20000\n\n");
	guint64 start = 0;
	for (guint i = 0; i < UB_BENCH_PARTITIONS; i++) {
		guint64 size = 0x100000 * (1 + i % 64);
		gboolean last = i == UB_BENCH_PARTITIONS - 1;
		g_string_append_printf(str,
				       "  - partition_index: SYS%u\n"
				       "    partition_name: part%u\n"
				       "    file_name: %s\n"
				       "    is_download: %s\n"
				       "    type: NORMAL_ROM\n"
				       "    linear_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
				       "    physical_start_addr: 0x%" G_GINT64_MODIFIER "x\n"
				       "    partition_size: 0x%" G_GINT64_MODIFIER "x\n"
				       "    region: %s\n"
				       "    storage: HW_STORAGE_EMMC\n"
				       "    boundary_check: true\n"
				       "    is_reserved: %s\n"
				       "    operation_type: %s\n"
				       "    is_upgradable: true\n"
				       "    empty_boot_needed: false\n"
				       "    combo_partsize_check: false\n"
				       "    reserve: 0x00\n\n",
				       i,
				       i,
				       i % 2 == 0 ? "part.img" : "NONE",
				       i % 2 == 0 ? "true" : "false",
				       last ? G_GUINT64_CONSTANT(0xFFFF0000) : start,
				       last ? G_GUINT64_CONSTANT(0xFFFF0000) : start,
				       size,
				       i == 0 ? "EMMC_BOOT1_BOOT2" : "EMMC_USER",
				       last ? "true" : "false",
				       last ? "RESERVED" : (i % 2 == 0 ? "UPDATE" : "INVISIBLE"));
		start += size;
	}
	return g_string_free_to_bytes(str);
}

static GBytes *
ub_bench_scatter_generate_xml(void)
{
	GString *str = g_string_new("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<root>\n"
				    "  <general name=\"MTK_PLATFORM_CFG\">\n"
				    "    <config_version name=\"V1.1.8\">\n"
				    "      <platform>MT6768</platform>\n"
				    "      <project>bench</project>\n"
				    "      <storage>EMMC</storage>\n"
				    "      <boot_channel>MSDC_0</boot_channel>\n"
				    "      <block_size>0x20000</block_size>\n"
				    "    </config_version>\n"
				    "  </general>\n");
	guint64 start = 0;
	for (guint i = 0; i < UB_BENCH_PARTITIONS; i++) {
		guint64 size = 0x100000 * (1 + i % 64);
		g_string_append_printf(str,
				       "  <partition_index name=\"SYS%u\">\n"
				       "    <partition_name>part%u</partition_name>\n"
				       "    <file_name>part.img</file_name>\n"
				       "    <is_download>true</is_download>\n"
				       "    <type>NORMAL_ROM</type>\n"
				       "    <linear_start_addr>0x%" G_GINT64_MODIFIER "x</linear_start_addr>\n"
				       "    <physical_start_addr>0x%" G_GINT64_MODIFIER "x</physical_start_addr>\n"
				       "    <partition_size>0x%" G_GINT64_MODIFIER "x</partition_size>\n"
				       "    <region>EMMC_USER</region>\n"
				       "    <storage>HW_STORAGE_EMMC</storage>\n"
				       "    <boundary_check>true</boundary_check>\n"
				       "    <is_reserved>false</is_reserved>\n"
				       "    <operation_type>UPDATE</operation_type>\n"
				       "    <is_upgradable>true</is_upgradable>\n"
				       "    <empty_boot_needed>false</empty_boot_needed>\n"
				       "    <reserve>0x00</reserve>\n"
				       "  </partition_index>\n",
				       i,
				       i,
				       start,
				       start,
				       size);
		start += size;
	}
	g_string_append(str, "</root>\n");
	return g_string_free_to_bytes(str);
}

static gboolean
ub_bench_scatter_run(const gchar *what, GBytes *blob)
{
	g_autoptr(GError) error = NULL;
	gint64 begin;
	gint64 elapsed;

	/* once for correctness */
	{
		g_autoptr(UbScatter) scatter =
		    ub_scatter_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), &error);
		UbScatterLayout *layout;
		if (scatter == NULL) {
			g_printerr("%s: %s\n", what, error->message);
			return FALSE;
		}
		layout = g_ptr_array_index(ub_scatter_get_layouts(scatter), 0);
		if (layout->partitions->len != UB_BENCH_PARTITIONS) {
			g_printerr("%s: %u partitions\n", what, layout->partitions->len);
			return FALSE;
		}
	}
	begin = g_get_monotonic_time();
	for (guint i = 0; i < UB_BENCH_ROUNDS; i++) {
		g_autoptr(UbScatter) scatter =
		    ub_scatter_parse(g_bytes_get_data(blob, NULL), g_bytes_get_size(blob), NULL);
		if (scatter == NULL)
			return FALSE;
	}
	elapsed = g_get_monotonic_time() - begin;
	printf("scatter %s: %u partitions, %" G_GSIZE_FORMAT " bytes: %.3f ms per parse (%u rounds)\n",
	       what,
	       (guint)UB_BENCH_PARTITIONS,
	       g_bytes_get_size(blob),
	       (gdouble)elapsed / 1000.0 / UB_BENCH_ROUNDS,
	       (guint)UB_BENCH_ROUNDS);
	return TRUE;
}

int
main(int argc, char **argv)
{
	g_autoptr(GBytes) text = ub_bench_scatter_generate_text();
	g_autoptr(GBytes) xml = ub_bench_scatter_generate_xml();
	if (!ub_bench_scatter_run("text", text) || !ub_bench_scatter_run("xml", xml))
		return 1;
	return 0;
}
