/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/*
 * The raw bulk benchmark's protocol, between ub-bench-usb-raw (the host, in the
 * usb-vm guest) and ub-bench-usbredir-sink (the device, on the host machine):
 *
 *   host -> "WRIT" + u64 N (little endian, one 12-byte transfer), then N bytes
 *           OUT in transfers of any size; device -> "DONE" + u64 bytes counted,
 *           or "BAD!" + u64 offset of the first block whose tag is wrong
 *   host -> "READ" + u64 N; device -> N bytes IN, in 1 MiB transfers
 *
 * Every 4096-byte block of the data starts with its offset (u64 LE), the rest
 * is left as it is: the receiver checks the tags, so lost, repeated or
 * reordered blocks are seen without costing a checksum of every byte.
 *
 * The ids: 1209:0001 is pid.codes' "Test PID", reserved for private testing;
 * no kernel driver and no row of our device table claims it.
 */

#define UB_BENCH_USB_VID	0x1209
#define UB_BENCH_USB_PID	0x0001
#define UB_BENCH_USB_CMD_SIZE	12
#define UB_BENCH_USB_BLOCK	4096
#define UB_BENCH_USB_CHUNK	(1024 * 1024)

typedef enum {
	UB_BENCH_USB_CMD_UNKNOWN,
	UB_BENCH_USB_CMD_WRITE,
	UB_BENCH_USB_CMD_READ,
	UB_BENCH_USB_CMD_DONE,
	UB_BENCH_USB_CMD_BAD,
} UbBenchUsbCmd;

static inline void
ub_bench_usb_pack(guint8 *buf, UbBenchUsbCmd cmd, guint64 value)
{
	const gchar *magic = "????";
	switch (cmd) {
	case UB_BENCH_USB_CMD_WRITE:
		magic = "WRIT";
		break;
	case UB_BENCH_USB_CMD_READ:
		magic = "READ";
		break;
	case UB_BENCH_USB_CMD_DONE:
		magic = "DONE";
		break;
	case UB_BENCH_USB_CMD_BAD:
		magic = "BAD!";
		break;
	case UB_BENCH_USB_CMD_UNKNOWN:
	default:
		break;
	}
	memcpy(buf, magic, 4);
	for (guint i = 0; i < 8; i++)
		buf[4 + i] = (guint8)(value >> (8 * i));
}

/* UNKNOWN for anything that is not exactly one 12-byte command */
static inline UbBenchUsbCmd
ub_bench_usb_parse(const guint8 *buf, gsize len, guint64 *value)
{
	const struct {
		const gchar *magic;
		UbBenchUsbCmd cmd;
	} cmds[] = {{"WRIT", UB_BENCH_USB_CMD_WRITE},
		    {"READ", UB_BENCH_USB_CMD_READ},
		    {"DONE", UB_BENCH_USB_CMD_DONE},
		    {"BAD!", UB_BENCH_USB_CMD_BAD}};
	guint64 v = 0;

	if (len != UB_BENCH_USB_CMD_SIZE)
		return UB_BENCH_USB_CMD_UNKNOWN;
	for (guint i = 0; i < 8; i++)
		v |= (guint64)buf[4 + i] << (8 * i);
	for (guint i = 0; i < G_N_ELEMENTS(cmds); i++) {
		if (memcmp(buf, cmds[i].magic, 4) == 0) {
			*value = v;
			return cmds[i].cmd;
		}
	}
	return UB_BENCH_USB_CMD_UNKNOWN;
}

/* tags the blocks of @buf, which holds the data at @offset (a multiple of the block) */
static inline void
ub_bench_usb_fill(guint8 *buf, gsize len, guint64 offset)
{
	for (gsize i = 0; i + 8 <= len; i += UB_BENCH_USB_BLOCK) {
		guint64 tag = GUINT64_TO_LE(offset + i);
		memcpy(buf + i, &tag, sizeof(tag));
	}
}

/*
 * checks the tags of the blocks that start in @buf (the data at @offset, any
 * alignment; a tag split between two buffers is not checked); returns the
 * offset of the first wrong block, or G_MAXUINT64
 */
static inline guint64
ub_bench_usb_check(const guint8 *buf, gsize len, guint64 offset)
{
	gsize first =
	    (gsize)((UB_BENCH_USB_BLOCK - offset % UB_BENCH_USB_BLOCK) % UB_BENCH_USB_BLOCK);
	for (gsize i = first; i + 8 <= len; i += UB_BENCH_USB_BLOCK) {
		guint64 tag;
		memcpy(&tag, buf + i, sizeof(tag));
		if (GUINT64_FROM_LE(tag) != offset + i)
			return offset + i;
	}
	return G_MAXUINT64;
}

G_END_DECLS
