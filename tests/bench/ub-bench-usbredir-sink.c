/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-usbredir.h"
#include "ub-bench-usb-proto.h"

/*
 * The raw bulk end of the usb-vm throughput benchmark: a USB device for QEMU's
 * usb-redir (UbSimUsbredir with a test personality) that sinks OUT data and
 * sources IN data as fast as it can, so the guest's ub-bench-usb-raw measures
 * what the guest kernel's xHCI, usbfs and usb-redir carry without any protocol
 * on top (ub-bench-usb-proto.h). Takes unbrick-sim's --storage and --listen
 * usbredir:PATH so tests/usb-vm/run-scenario.sh starts it like the simulator;
 * the storage folder only holds the test phone's small unused storage.
 */

/* ---------------------------------------------------------------- personality */

#define UB_TYPE_BENCH_SINK (ub_bench_sink_get_type())
G_DECLARE_FINAL_TYPE(UbBenchSink, ub_bench_sink, UB, BENCH_SINK, UbSimPersonality)

struct _UbBenchSink {
	UbSimPersonality parent_instance;
};

G_DEFINE_TYPE(UbBenchSink, ub_bench_sink, UB_TYPE_SIM_PERSONALITY)

/* the IN side waits this long for the guest to ask for more */
#define UB_BENCH_SINK_WRITE_TIMEOUT_MS 30000

static gdouble
ub_bench_sink_rate(guint64 bytes, gint64 t0)
{
	gdouble secs = (gdouble)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
	return secs > 0 ? (gdouble)bytes / secs / 1e6 : 0;
}

static gboolean
ub_bench_sink_reply(UbTransport *transport,
		    UbBenchUsbCmd cmd,
		    guint64 value,
		    GCancellable *cancellable,
		    GError **error)
{
	guint8 reply[UB_BENCH_USB_CMD_SIZE];
	ub_bench_usb_pack(reply, cmd, value);
	return ub_transport_write(transport,
				  reply,
				  sizeof(reply),
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  UB_BENCH_SINK_WRITE_TIMEOUT_MS,
				  cancellable,
				  error);
}

/* WRIT: counts @size bytes, checks their tags, answers DONE or BAD! */
static gboolean
ub_bench_sink_take(UbTransport *transport,
		   guint8 *buf,
		   guint64 size,
		   GCancellable *cancellable,
		   GError **error)
{
	gint64 t0 = g_get_monotonic_time();
	guint64 count = 0;
	guint64 bad = G_MAXUINT64;

	while (count < size) {
		gsize want = (gsize)MIN((guint64)UB_BENCH_USB_CHUNK, size - count);
		gssize n = ub_transport_read(transport, buf, want, 0, cancellable, error);
		if (n < 0)
			return FALSE;
		if (bad == G_MAXUINT64)
			bad = ub_bench_usb_check(buf, (gsize)n, count);
		count += (guint64)n;
	}
	g_message("sink: took %" G_GUINT64_FORMAT " bytes at %.1f MB/s (device side)%s",
		  count,
		  ub_bench_sink_rate(count, t0),
		  bad != G_MAXUINT64 ? ", WRONG DATA" : "");
	if (bad != G_MAXUINT64)
		return ub_bench_sink_reply(transport,
					   UB_BENCH_USB_CMD_BAD,
					   bad,
					   cancellable,
					   error);
	return ub_bench_sink_reply(transport, UB_BENCH_USB_CMD_DONE, count, cancellable, error);
}

/* READ: sends @size tagged bytes in 1 MiB transfers */
static gboolean
ub_bench_sink_give(UbTransport *transport,
		   guint8 *buf,
		   guint64 size,
		   GCancellable *cancellable,
		   GError **error)
{
	gint64 t0 = g_get_monotonic_time();
	for (guint64 off = 0; off < size; off += UB_BENCH_USB_CHUNK) {
		gsize len = (gsize)MIN((guint64)UB_BENCH_USB_CHUNK, size - off);
		ub_bench_usb_fill(buf, len, off);
		if (!ub_transport_write(transport,
					buf,
					len,
					UB_TRANSPORT_WRITE_FLAG_NONE,
					UB_BENCH_SINK_WRITE_TIMEOUT_MS,
					cancellable,
					error))
			return FALSE;
	}
	g_message("sink: gave %" G_GUINT64_FORMAT " bytes at %.1f MB/s (device side, queued)",
		  size,
		  ub_bench_sink_rate(size, t0));
	return TRUE;
}

static gboolean
ub_bench_sink_serve(UbSimPersonality *personality,
		    UbTransport *transport,
		    GCancellable *cancellable,
		    GError **error)
{
	g_autofree guint8 *buf = g_malloc0(UB_BENCH_USB_CHUNK);
	for (;;) {
		guint64 value = 0;
		UbBenchUsbCmd cmd;
		gssize n =
		    ub_transport_read(transport, buf, UB_BENCH_USB_CHUNK, 0, cancellable, error);
		if (n < 0)
			return FALSE;
		/* a ZLP between commands */
		if (n == 0)
			continue;
		cmd = ub_bench_usb_parse(buf, (gsize)n, &value);
		if (cmd == UB_BENCH_USB_CMD_WRITE) {
			if (!ub_bench_sink_take(transport, buf, value, cancellable, error))
				return FALSE;
		} else if (cmd == UB_BENCH_USB_CMD_READ) {
			if (!ub_bench_sink_give(transport, buf, value, cancellable, error))
				return FALSE;
		} else {
			g_message("sink: not a command: %" G_GSSIZE_FORMAT " bytes", n);
			if (!ub_bench_sink_reply(transport,
						 UB_BENCH_USB_CMD_UNKNOWN,
						 0,
						 cancellable,
						 error))
				return FALSE;
		}
	}
}

static void
ub_bench_sink_init(UbBenchSink *self)
{
}

static void
ub_bench_sink_class_init(UbBenchSinkClass *klass)
{
	UB_SIM_PERSONALITY_CLASS(klass)->serve = ub_bench_sink_serve;
}

/* ---------------------------------------------------------------- main */

static gint
ub_bench_sink_listen(const gchar *path, GError **error)
{
	struct sockaddr_un addr = {0};
	gint fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "socket path '%s' is too long",
			    path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "socket: %s", g_strerror(errno));
		return -1;
	}
	addr.sun_family = AF_UNIX;
	g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 1) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "failed to listen on %s: %s",
			    path,
			    g_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static gboolean
ub_bench_sink_run(const gchar *storage_dir, const gchar *listen_spec, GError **error)
{
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbSimUsbredir) usbredir = NULL;
	const gchar *path;
	gint listen_fd;
	gint fd;

	if (listen_spec == NULL || !g_str_has_prefix(listen_spec, "usbredir:")) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "--listen usbredir:PATH is needed");
		return FALSE;
	}
	if (storage_dir == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "--storage DIR is needed");
		return FALSE;
	}
	path = listen_spec + strlen("usbredir:");
	ub_sim_phone_register_kind("bench-sink", UB_TYPE_BENCH_SINK);
	storage = ub_sim_storage_open(storage_dir, "emmc:16M", error);
	if (storage == NULL)
		return FALSE;
	phone = ub_sim_phone_new("bench-sink", storage, NULL, error);
	if (phone == NULL)
		return FALSE;
	listen_fd = ub_bench_sink_listen(path, error);
	if (listen_fd < 0)
		return FALSE;
	g_print("usbredir: %s\n", path);
	fflush(stdout);

	/* one QEMU; serving ends when it goes away */
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	close(listen_fd);
	if (fd < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "accept: %s", g_strerror(errno));
		return FALSE;
	}
	g_message("sink: QEMU connected");
	usbredir = ub_sim_usbredir_new(phone);
	ub_sim_usbredir_set_vendor_ids(usbredir,
				       UB_BENCH_USB_VID,
				       UB_BENCH_USB_PID,
				       "Unbrick raw bulk benchmark");
	return ub_sim_usbredir_serve(usbredir, fd, NULL, error);
}

int
main(int argc, char **argv)
{
	g_autofree gchar *storage_dir = NULL;
	g_autofree gchar *listen_spec = NULL;
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("- raw bulk sink for the usb-vm benchmark");
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
	    {"storage", 's', 0, G_OPTION_ARG_FILENAME, &storage_dir,
	     "Folder for the test phone's storage", "DIR"},
	    {"listen", 'l', 0, G_OPTION_ARG_STRING, &listen_spec,
	     "usbredir:PATH (a unix socket)", "WHERE"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) ||
	    !ub_bench_sink_run(storage_dir, listen_spec, &error)) {
		g_printerr("ub-bench-usbredir-sink: %s\n", error->message);
		return 1;
	}
	return 0;
}
