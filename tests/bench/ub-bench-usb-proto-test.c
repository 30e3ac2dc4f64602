/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-bench-usb-proto.h"

/* a command packs to 12 bytes and parses back; anything else is unknown */
static void
ub_bench_usb_proto_commands_test(void)
{
	guint8 buf[UB_BENCH_USB_CMD_SIZE + 1] = {0};
	guint64 value = 0;

	ub_bench_usb_pack(buf, UB_BENCH_USB_CMD_WRITE, 0x0102030405060708);
	g_assert_cmpmem(buf, 4, "WRIT", 4);
	g_assert_cmpint(buf[4], ==, 0x08);
	g_assert_cmpint(buf[11], ==, 0x01);
	g_assert_cmpint(ub_bench_usb_parse(buf, UB_BENCH_USB_CMD_SIZE, &value),
			==,
			UB_BENCH_USB_CMD_WRITE);
	g_assert_cmpuint(value, ==, 0x0102030405060708);

	ub_bench_usb_pack(buf, UB_BENCH_USB_CMD_READ, 1073741824);
	g_assert_cmpint(ub_bench_usb_parse(buf, UB_BENCH_USB_CMD_SIZE, &value),
			==,
			UB_BENCH_USB_CMD_READ);
	g_assert_cmpuint(value, ==, 1073741824);
	ub_bench_usb_pack(buf, UB_BENCH_USB_CMD_DONE, 7);
	g_assert_cmpint(ub_bench_usb_parse(buf, UB_BENCH_USB_CMD_SIZE, &value),
			==,
			UB_BENCH_USB_CMD_DONE);
	g_assert_cmpuint(value, ==, 7);

	/* a data transfer that starts like a command is data: wrong length */
	g_assert_cmpint(ub_bench_usb_parse(buf, UB_BENCH_USB_CMD_SIZE + 1, &value),
			==,
			UB_BENCH_USB_CMD_UNKNOWN);
	g_assert_cmpint(ub_bench_usb_parse(buf, 4, &value),
			==,
			UB_BENCH_USB_CMD_UNKNOWN);
	memcpy(buf, "WRIX", 4);
	g_assert_cmpint(ub_bench_usb_parse(buf, UB_BENCH_USB_CMD_SIZE, &value),
			==,
			UB_BENCH_USB_CMD_UNKNOWN);
}

/* tags survive any split of the stream; a lost, repeated or moved block is found */
static void
ub_bench_usb_proto_tags_test(void)
{
	gsize size = 8 * UB_BENCH_USB_BLOCK;
	g_autofree guint8 *buf = g_malloc0(size);
	g_autofree guint8 *bad = NULL;
	gsize splits[] = {1, 7, 512, 4095, 4096, 5000, 8 * 4096};

	ub_bench_usb_fill(buf, size, 3 * UB_BENCH_USB_BLOCK);
	g_assert_cmpuint(ub_bench_usb_check(buf, size, 3 * UB_BENCH_USB_BLOCK), ==, G_MAXUINT64);
	/* the same data received in pieces of any size */
	for (guint i = 0; i < G_N_ELEMENTS(splits); i++) {
		for (gsize off = 0; off < size; off += splits[i]) {
			gsize len = MIN(splits[i], size - off);
			guint64 first_bad =
			    ub_bench_usb_check(buf + off, len, 3 * UB_BENCH_USB_BLOCK + off);
			g_assert_cmpuint(first_bad, ==, G_MAXUINT64);
		}
	}
	/* checked at the wrong offset: every block is wrong, the first is reported */
	g_assert_cmpuint(ub_bench_usb_check(buf, size, 0), ==, 0);
	/* block 5 lost: block 6 arrives in its place */
	bad = g_memdup2(buf, size);
	memmove(bad + 5 * UB_BENCH_USB_BLOCK, bad + 6 * UB_BENCH_USB_BLOCK, 2 * UB_BENCH_USB_BLOCK);
	g_assert_cmpuint(ub_bench_usb_check(bad, size, 3 * UB_BENCH_USB_BLOCK),
			 ==,
			 8 * UB_BENCH_USB_BLOCK);
	/* block 2 repeated */
	memcpy(bad, buf, size);
	memcpy(bad + 3 * UB_BENCH_USB_BLOCK, bad + 2 * UB_BENCH_USB_BLOCK, UB_BENCH_USB_BLOCK);
	g_assert_cmpuint(ub_bench_usb_check(bad, size, 3 * UB_BENCH_USB_BLOCK),
			 ==,
			 6 * UB_BENCH_USB_BLOCK);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/bench/usb-proto/commands", ub_bench_usb_proto_commands_test);
	g_test_add_func("/ub/bench/usb-proto/tags", ub_bench_usb_proto_tags_test);
	return g_test_run();
}
