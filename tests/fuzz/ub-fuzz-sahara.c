/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "edl/ub-sahara-proto.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UbSaharaPacket pkt = {0};
	UbSaharaChipInfo info = {0};
	UbSaharaElfInfo elf = {0};
	guint64 end = 0;

	/* the whole input as one transfer, then every prefix a short read could give */
	if (ub_sahara_packet_parse(data, size, &pkt, NULL)) {
		guint8 buf[0x40];
		gsize n = ub_sahara_packet_build(&pkt, buf, sizeof(buf));
		g_assert_cmpuint(n, ==, size);
		g_assert_cmpuint(pkt.length, ==, size);
		g_assert_cmpstr(ub_sahara_cmd_to_string(pkt.cmd), !=, "unknown");
	}
	for (gsize i = 0; i < MIN(size, (gsize)0x40); i++) {
		if (ub_sahara_packet_parse(data, i, &pkt, NULL))
			g_assert_cmpuint(ub_sahara_packet_length_for_cmd(pkt.cmd), >=, 8);
	}
	if (size >= 12)
		g_assert_nonnull(ub_sahara_status_to_string(data[8] | (guint32)data[9] << 8));

	/* chip info replies */
	if (ub_sahara_chip_info_set_hwid(&info, data, size, NULL))
		g_assert_true(info.has_hwid);
	if (ub_sahara_chip_info_set_pk_hash(&info, data, size, NULL)) {
		g_assert_nonnull(info.pk_hash);
		g_assert_cmpuint(strlen(info.pk_hash), <=, 2 * size);
	}
	if (ub_sahara_chip_info_set_v3(&info, data, size, NULL))
		g_assert_true(info.has_hwid);
	ub_sahara_chip_info_clear(&info);

	/* a programmer */
	if (ub_sahara_elf_check(data, size, &elf, NULL)) {
		g_assert_cmpuint(elf.n_segments, >=, 1);
		for (guint i = 0; i < elf.n_segments; i++) {
			guint64 offset = 0;
			guint64 seg_size = 0;
			g_assert_true(
			    ub_sahara_elf_get_segment(data, size, i, &offset, &seg_size, NULL));
			g_assert_cmpuint(offset + seg_size, <=, elf.image_size);
		}
		g_assert_true(ub_sahara_elf_get_phdrs_end(data, size, &end, NULL));
		g_assert_cmpuint(end, <=, size);
	}
	return 0;
}
