/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <libusb.h>
#include <stdlib.h>

#include "ub-bench-usb-proto.h"

/*
 * The guest side of the raw bulk benchmark (ub-bench-usb-proto.h): writes N
 * MiB to ub-bench-usbredir-sink and reads N MiB back with libusb's
 * asynchronous API, several 1 MiB transfers in flight as our engines keep
 * them, and prints one line per direction:
 *   raw write BYTES SECONDS MB/s
 *   raw read BYTES SECONDS MB/s
 * (MB = 10^6 bytes). A write counts until the device confirmed every byte;
 * the tags of every 4 KiB block are checked both ways.
 * usage: ub-bench-usb-raw [MIB] [TRANSFERS]
 */

#define UB_BENCH_RAW_EP_OUT 0x01
#define UB_BENCH_RAW_EP_IN 0x81
#define UB_BENCH_RAW_TIMEOUT_MS 30000

typedef struct {
	libusb_device_handle *handle;
	guint64 size;
	guint64 submitted; /* bytes handed to transfers */
	guint64 done;	   /* bytes completed */
	guint64 bad;	   /* offset of the first wrong block (reads) */
	guint in_flight;
	gboolean failed;
} UbBenchRaw;

typedef struct {
	UbBenchRaw *bench;
	guint64 offset; /* of this transfer's data */
} UbBenchRawSlot;

static gboolean
ub_bench_raw_submit(struct libusb_transfer *xfer)
{
	UbBenchRawSlot *slot = xfer->user_data;
	UbBenchRaw *bench = slot->bench;
	gsize len = (gsize)MIN((guint64)UB_BENCH_USB_CHUNK, bench->size - bench->submitted);
	gint rc;

	if (len == 0)
		return FALSE;
	slot->offset = bench->submitted;
	xfer->length = (gint)len;
	if (xfer->endpoint == UB_BENCH_RAW_EP_OUT)
		ub_bench_usb_fill(xfer->buffer, len, slot->offset);
	rc = libusb_submit_transfer(xfer);
	if (rc != 0) {
		g_printerr("submit: %s\n", libusb_strerror(rc));
		bench->failed = TRUE;
		return FALSE;
	}
	bench->submitted += len;
	bench->in_flight++;
	return TRUE;
}

static void LIBUSB_CALL
ub_bench_raw_done_cb(struct libusb_transfer *xfer)
{
	UbBenchRawSlot *slot = xfer->user_data;
	UbBenchRaw *bench = slot->bench;

	bench->in_flight--;
	if (xfer->status != LIBUSB_TRANSFER_COMPLETED || xfer->actual_length != xfer->length) {
		g_printerr("transfer at %" G_GUINT64_FORMAT ": status %d, %d of %d bytes\n",
			   slot->offset,
			   xfer->status,
			   xfer->actual_length,
			   xfer->length);
		bench->failed = TRUE;
		return;
	}
	if (xfer->endpoint == UB_BENCH_RAW_EP_IN && bench->bad == G_MAXUINT64)
		bench->bad =
		    ub_bench_usb_check(xfer->buffer, (gsize)xfer->actual_length, slot->offset);
	bench->done += (guint64)xfer->actual_length;
	if (!bench->failed)
		ub_bench_raw_submit(xfer);
}

static gboolean
ub_bench_raw_command(libusb_device_handle *handle, UbBenchUsbCmd cmd, guint64 value)
{
	guint8 buf[UB_BENCH_USB_CMD_SIZE];
	gint actual = 0;
	gint rc;
	ub_bench_usb_pack(buf, cmd, value);
	rc = libusb_bulk_transfer(handle,
				  UB_BENCH_RAW_EP_OUT,
				  buf,
				  sizeof(buf),
				  &actual,
				  UB_BENCH_RAW_TIMEOUT_MS);
	if (rc != 0 || actual != (gint)sizeof(buf)) {
		g_printerr("command: %s\n", libusb_strerror(rc));
		return FALSE;
	}
	return TRUE;
}

/* one direction: @ep OUT writes, IN reads; FALSE on any error */
static gboolean
ub_bench_raw_pump(libusb_device_handle *handle, guint8 ep, guint64 size, guint n_xfers)
{
	UbBenchRaw bench = {.handle = handle, .size = size, .bad = G_MAXUINT64};
	g_autofree UbBenchRawSlot *slots = g_new0(UbBenchRawSlot, n_xfers);
	g_autofree struct libusb_transfer **xfers =
	    g_new0(struct libusb_transfer *, n_xfers);
	gint64 t0 = g_get_monotonic_time();
	gdouble secs;
	guint8 reply[64];
	gint actual = 0;
	UbBenchUsbCmd cmd = ep == UB_BENCH_RAW_EP_OUT ? UB_BENCH_USB_CMD_WRITE : UB_BENCH_USB_CMD_READ;

	for (guint i = 0; i < n_xfers; i++) {
		slots[i].bench = &bench;
		xfers[i] = libusb_alloc_transfer(0);
		libusb_fill_bulk_transfer(xfers[i],
					  handle,
					  ep,
					  g_malloc0(UB_BENCH_USB_CHUNK),
					  UB_BENCH_USB_CHUNK,
					  ub_bench_raw_done_cb,
					  &slots[i],
					  UB_BENCH_RAW_TIMEOUT_MS);
		xfers[i]->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	}
	if (!ub_bench_raw_command(handle, cmd, size))
		bench.failed = TRUE;
	for (guint i = 0; i < n_xfers && !bench.failed; i++)
		ub_bench_raw_submit(xfers[i]);
	while (bench.in_flight > 0) {
		gint rc = libusb_handle_events(NULL);
		if (rc != 0 && rc != LIBUSB_ERROR_INTERRUPTED) {
			g_printerr("events: %s\n", libusb_strerror(rc));
			bench.failed = TRUE;
			break;
		}
	}
	for (guint i = 0; i < n_xfers; i++)
		libusb_free_transfer(xfers[i]);
	if (bench.failed || bench.done != size) {
		g_printerr("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes moved\n",
			   ep == UB_BENCH_RAW_EP_OUT ? "write" : "read",
			   bench.done,
			   size);
		return FALSE;
	}
	if (ep == UB_BENCH_RAW_EP_OUT) {
		/* the device counted every byte */
		guint64 count = 0;
		gint rc = libusb_bulk_transfer(handle,
					       UB_BENCH_RAW_EP_IN,
					       reply,
					       sizeof(reply),
					       &actual,
					       UB_BENCH_RAW_TIMEOUT_MS);
		UbBenchUsbCmd answer = rc == 0 ? ub_bench_usb_parse(reply, (gsize)actual, &count)
					       : UB_BENCH_USB_CMD_UNKNOWN;
		if (answer != UB_BENCH_USB_CMD_DONE || count != size) {
			g_printerr("write: the device answered %s (%d, %d bytes, value %" G_GUINT64_FORMAT
				   ")\n",
				   answer == UB_BENCH_USB_CMD_BAD ? "BAD!: wrong data at the offset"
								  : "no DONE",
				   rc,
				   actual,
				   count);
			return FALSE;
		}
	} else if (bench.bad != G_MAXUINT64) {
		g_printerr("read: wrong data at offset %" G_GUINT64_FORMAT "\n", bench.bad);
		return FALSE;
	}
	secs = (gdouble)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
	g_print("raw %s %" G_GUINT64_FORMAT " %.2f %.1f\n",
		ep == UB_BENCH_RAW_EP_OUT ? "write" : "read",
		size,
		secs,
		(gdouble)size / secs / 1e6);
	return TRUE;
}

int
main(int argc, char **argv)
{
	guint64 mib = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 1024;
	guint n_xfers = argc > 2 ? (guint)g_ascii_strtoull(argv[2], NULL, 10) : 4;
	libusb_device_handle *handle;
	gboolean ok;
	gint rc;

	if (mib == 0 || n_xfers == 0 || n_xfers > 64) {
		g_printerr("usage: ub-bench-usb-raw [MIB] [TRANSFERS 1-64]\n");
		return 2;
	}
	rc = libusb_init(NULL);
	if (rc != 0) {
		g_printerr("libusb_init: %s\n", libusb_strerror(rc));
		return 1;
	}
	handle = libusb_open_device_with_vid_pid(NULL, UB_BENCH_USB_VID, UB_BENCH_USB_PID);
	if (handle == NULL) {
		g_printerr("%04x:%04x not found\n", UB_BENCH_USB_VID, UB_BENCH_USB_PID);
		libusb_exit(NULL);
		return 1;
	}
	rc = libusb_claim_interface(handle, 0);
	if (rc != 0) {
		g_printerr("claim: %s\n", libusb_strerror(rc));
		libusb_close(handle);
		libusb_exit(NULL);
		return 1;
	}
	ok = ub_bench_raw_pump(handle, UB_BENCH_RAW_EP_OUT, mib * 1024 * 1024, n_xfers) &&
	     ub_bench_raw_pump(handle, UB_BENCH_RAW_EP_IN, mib * 1024 * 1024, n_xfers);
	libusb_release_interface(handle, 0);
	libusb_close(handle);
	libusb_exit(NULL);
	return ok ? 0 : 1;
}
