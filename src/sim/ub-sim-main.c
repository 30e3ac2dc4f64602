/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "ub-sim-edl.h"
#include "ub-sim-mtk.h"
#include "ub-sim-fastboot.h"
#include "ub-sim-fd-transport.h"
#include "ub-sim-layouts.h"
#include "ub-sim-phone.h"
#ifdef UB_HAVE_USBREDIR
#include <sys/un.h>

#include "ub-sim-usbredir.h"
#endif

/* unbrick-sim: one simulated phone in its own process, reachable over TCP or a pty */

typedef struct {
	UbSimPhone *phone;
	GCancellable *cancellable;
	GMainLoop *loop;
	gint listen_fd; /* tcp, usbredir */
	gint master_fd; /* pty */
	gint slave_fd;	/* pty: kept open so the master never sees EIO between hosts */
	gboolean plug_on_signal; /* usbredir: the cable is out until SIGUSR2 */
	gint exit_code;
} UbSimMain;

static void
ub_sim_main_clear(UbSimMain *self)
{
	if (self->listen_fd >= 0)
		close(self->listen_fd);
	if (self->master_fd >= 0)
		close(self->master_fd);
	if (self->slave_fd >= 0)
		close(self->slave_fd);
	g_clear_object(&self->phone);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->loop, g_main_loop_unref);
}

static gboolean
ub_sim_main_signal_cb(gpointer user_data)
{
	UbSimMain *self = user_data;
	g_printerr("unbrick-sim: stopping\n");
	g_cancellable_cancel(self->cancellable);
	g_main_loop_quit(self->loop);
	return G_SOURCE_REMOVE;
}

static gboolean
ub_sim_main_quit_idle_cb(gpointer user_data)
{
	UbSimMain *self = user_data;
	g_main_loop_quit(self->loop);
	return G_SOURCE_REMOVE;
}

/* the phone with a personality that speaks over a byte stream, e.g. fastboot TCP */
static void
ub_sim_main_set_stream(UbSimMain *self)
{
	UbSimPersonality *personality = ub_sim_phone_get_personality(self->phone);
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(personality), "tcp") != NULL)
		g_object_set(personality, "tcp", TRUE, NULL);
}

static void
ub_sim_main_serve_one(UbSimMain *self, UbTransport *transport)
{
	g_autoptr(GError) error_local = NULL;
	if (!ub_sim_phone_serve(self->phone, transport, self->cancellable, &error_local)) {
		if (!g_cancellable_is_cancelled(self->cancellable))
			g_printerr("unbrick-sim: %s: %s\n",
				   ub_transport_get_name(transport),
				   error_local->message);
		return;
	}
	g_printerr("unbrick-sim: %s: session ended\n", ub_transport_get_name(transport));
}

/* the next host on the listening socket, or -1 once serving is cancelled
 * (or poll fails); @addr may be %NULL */
static gint
ub_sim_main_accept(UbSimMain *self,
		   GPollFD *cancel_fd,
		   struct sockaddr *addr,
		   socklen_t *addrlen)
{
	while (!g_cancellable_is_cancelled(self->cancellable)) {
		struct pollfd fds[2] = {{0}};
		socklen_t len = addrlen != NULL ? *addrlen : 0;
		gint fd;

		fds[0].fd = self->listen_fd;
		fds[0].events = POLLIN;
		fds[1].fd = cancel_fd->fd;
		fds[1].events = POLLIN;
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			g_printerr("unbrick-sim: poll: %s\n", g_strerror(errno));
			return -1;
		}
		if (g_cancellable_is_cancelled(self->cancellable))
			return -1;
		fd = accept4(self->listen_fd, addr, addr != NULL ? &len : NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				g_printerr("unbrick-sim: accept: %s\n", g_strerror(errno));
			continue;
		}
		if (addrlen != NULL)
			*addrlen = len;
		return fd;
	}
	return -1;
}

static gpointer
ub_sim_main_tcp_thread_cb(gpointer user_data)
{
	UbSimMain *self = user_data;
	GPollFD cancel_fd = {0};

	if (!g_cancellable_make_pollfd(self->cancellable, &cancel_fd))
		return NULL;
	while (TRUE) {
		struct sockaddr_in addr = {0};
		socklen_t addrlen = sizeof(addr);
		g_autofree gchar *name = NULL;
		g_autoptr(UbTransport) transport = NULL;
		gint fd = ub_sim_main_accept(self, &cancel_fd, (struct sockaddr *)&addr, &addrlen);

		if (fd < 0)
			break;
		name = g_strdup_printf("tcp:%s:%u", inet_ntoa(addr.sin_addr), ntohs(addr.sin_port));
		g_printerr("unbrick-sim: %s: connected\n", name);

		/* one host at a time, like a phone on one cable */
		transport = ub_sim_fd_transport_new(fd, name);
		ub_sim_main_serve_one(self, transport);
		ub_transport_close(transport);
	}
	g_cancellable_release_fd(self->cancellable);
	g_idle_add(ub_sim_main_quit_idle_cb, self);
	return NULL;
}

static gpointer
ub_sim_main_pty_thread_cb(gpointer user_data)
{
	UbSimMain *self = user_data;
	g_autoptr(UbTransport) transport = NULL;
	g_autofree gchar *name = g_strdup_printf("pty:%s", ttyname(self->slave_fd));

	transport = ub_sim_fd_transport_new(self->master_fd, name);
	self->master_fd = -1;
	while (!g_cancellable_is_cancelled(self->cancellable)) {
		ub_sim_main_serve_one(self, transport);
		/* a serial phone that "rebooted" talks again on the same line; pace a
		 * personality that keeps failing */
		if (!g_cancellable_is_cancelled(self->cancellable))
			g_usleep(50 * G_TIME_SPAN_MILLISECOND);
	}
	g_idle_add(ub_sim_main_quit_idle_cb, self);
	return NULL;
}

static gboolean
ub_sim_main_listen_tcp(UbSimMain *self, const gchar *port_str, GError **error)
{
	struct sockaddr_in addr = {0};
	socklen_t addrlen = sizeof(addr);
	guint64 port = 0;
	gint one = 1;

	if (!g_ascii_string_to_unsigned(port_str, 10, 0, 65535, &port, NULL)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid TCP port '%s', expected 0 to 65535",
			    port_str);
		return FALSE;
	}
	self->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (self->listen_fd < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "socket: %s", g_strerror(errno));
		return FALSE;
	}
	if (setsockopt(self->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		g_debug("SO_REUSEADDR: %s", g_strerror(errno));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((guint16)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(self->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "failed to listen on 127.0.0.1:%u: %s",
			    (guint)port,
			    g_strerror(errno));
		return FALSE;
	}
	if (listen(self->listen_fd, 4) != 0 ||
	    getsockname(self->listen_fd, (struct sockaddr *)&addr, &addrlen) != 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "listen: %s", g_strerror(errno));
		return FALSE;
	}

	/* the one line scripts wait for */
	g_print("tcp: 127.0.0.1:%u\n", ntohs(addr.sin_port));
	fflush(stdout);
	return TRUE;
}

#ifdef UB_HAVE_USBREDIR
/* the device QEMU is connected to now, for SIGUSR1 (pull the cable) and SIGUSR2 (plug it in) */
G_LOCK_DEFINE_STATIC(ub_sim_main_usbredir);
static UbSimUsbredir *ub_sim_main_usbredir = NULL;

static gboolean
ub_sim_main_usbredir_unplug_cb(gpointer user_data)
{
	G_LOCK(ub_sim_main_usbredir);
	if (ub_sim_main_usbredir != NULL) {
		g_printerr("unbrick-sim: usbredir: pulling the cable\n");
		ub_sim_usbredir_pull_cable(ub_sim_main_usbredir);
	}
	G_UNLOCK(ub_sim_main_usbredir);
	return G_SOURCE_CONTINUE;
}

static gboolean
ub_sim_main_usbredir_plug_cb(gpointer user_data)
{
	G_LOCK(ub_sim_main_usbredir);
	if (ub_sim_main_usbredir == NULL) {
		g_printerr("unbrick-sim: usbredir: no QEMU connected, the cable stays out\n");
	} else if (ub_sim_usbredir_plug_cable(ub_sim_main_usbredir)) {
		g_printerr("unbrick-sim: usbredir: plugging the cable in\n");
	} else {
		g_printerr("unbrick-sim: usbredir: the phone is on the bus already\n");
	}
	G_UNLOCK(ub_sim_main_usbredir);
	return G_SOURCE_CONTINUE;
}

/* QEMU's usb-redir chardev connects here; one guest at a time */
static gpointer
ub_sim_main_usbredir_thread_cb(gpointer user_data)
{
	UbSimMain *self = user_data;
	GPollFD cancel_fd = {0};

	if (!g_cancellable_make_pollfd(self->cancellable, &cancel_fd))
		return NULL;
	while (TRUE) {
		g_autoptr(UbSimUsbredir) usbredir = NULL;
		g_autoptr(GError) error_local = NULL;
		gint fd = ub_sim_main_accept(self, &cancel_fd, NULL, NULL);

		if (fd < 0)
			break;
		g_printerr("unbrick-sim: usbredir: QEMU connected\n");
		usbredir = ub_sim_usbredir_new(self->phone);
		ub_sim_usbredir_set_plug_on_request(usbredir, self->plug_on_signal);
		G_LOCK(ub_sim_main_usbredir);
		ub_sim_main_usbredir = usbredir;
		G_UNLOCK(ub_sim_main_usbredir);
		if (!ub_sim_usbredir_serve(usbredir, fd, self->cancellable, &error_local))
			g_printerr("unbrick-sim: usbredir: %s\n", error_local->message);
		G_LOCK(ub_sim_main_usbredir);
		ub_sim_main_usbredir = NULL;
		G_UNLOCK(ub_sim_main_usbredir);
		g_printerr("unbrick-sim: usbredir: QEMU disconnected\n");
	}
	g_cancellable_release_fd(self->cancellable);
	g_idle_add(ub_sim_main_quit_idle_cb, self);
	return NULL;
}

/* usbredir:PATH (a unix socket, PATH with a '/') or usbredir:PORT (TCP on loopback) */
static gboolean
ub_sim_main_listen_usbredir(UbSimMain *self, const gchar *where, GError **error)
{
	struct sockaddr_un addr = {0};

	if (strchr(where, '/') == NULL)
		return ub_sim_main_listen_tcp(self, where, error);
	if (strlen(where) >= sizeof(addr.sun_path)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "socket path '%s' is too long",
			    where);
		return FALSE;
	}
	self->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (self->listen_fd < 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "socket: %s", g_strerror(errno));
		return FALSE;
	}
	addr.sun_family = AF_UNIX;
	g_strlcpy(addr.sun_path, where, sizeof(addr.sun_path));
	(void)unlink(where);
	if (bind(self->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(self->listen_fd, 1) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "failed to listen on %s: %s",
			    where,
			    g_strerror(errno));
		return FALSE;
	}
	g_print("usbredir: %s\n", where);
	fflush(stdout);
	return TRUE;
}
#endif

static gboolean
ub_sim_main_listen_pty(UbSimMain *self, GError **error)
{
	struct termios tio = {0};
	if (openpty(&self->master_fd, &self->slave_fd, NULL, NULL, NULL) != 0) {
		g_set_error(error, UB_ERROR, UB_ERROR_IO, "openpty: %s", g_strerror(errno));
		return FALSE;
	}
	/* raw bytes both ways, as on a USB CDC-ACM line */
	if (tcgetattr(self->slave_fd, &tio) == 0) {
		cfmakeraw(&tio);
		if (tcsetattr(self->slave_fd, TCSANOW, &tio) != 0)
			g_debug("tcsetattr: %s", g_strerror(errno));
	}
	g_print("pty: %s\n", ttyname(self->slave_fd));
	fflush(stdout);
	return TRUE;
}

/* the fastboot options; given to another kind they are an error */
static gboolean
ub_sim_main_configure_fastboot(UbSimMain *self,
			       const gchar *layout,
			       const gchar *max_download_size,
			       const gchar *product,
			       const gchar *mode,
			       gboolean no_text,
			       gboolean locked,
			       GError **error)
{
	UbSimPersonality *personality = ub_sim_phone_get_personality(self->phone);
	UbSimFastboot *fb;
	guint mds = 0;
	/* --layout is also for edl, which applied it when it was created */
	gboolean any = (layout != NULL && !UB_IS_SIM_EDL(personality) && !UB_IS_SIM_MTK(personality)) ||
		       max_download_size != NULL || product != NULL || mode != NULL || no_text ||
		       locked;

	if (!UB_IS_SIM_FASTBOOT(personality)) {
		if (any) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "--layout, --max-download-size, --no-text, --locked, "
					    "--product and --mode are for --kind fastboot");
			return FALSE;
		}
		return TRUE;
	}
	fb = UB_SIM_FASTBOOT(personality);
	/* the environment first, so options win */
	if (!ub_sim_fastboot_configure_from_env(fb, error))
		return FALSE;
	if (layout != NULL && !ub_sim_fastboot_set_layout(fb, layout, error))
		return FALSE;
	if (max_download_size != NULL) {
		guint64 size = 0;
		gboolean ok;
		if (g_str_has_prefix(max_download_size, "0x"))
			ok = g_ascii_string_to_unsigned(max_download_size + 2,
							16,
							1,
							G_MAXUINT32,
							&size,
							NULL);
		else
			ok = ub_sim_storage_parse_size(max_download_size, &size, NULL);
		if (!ok || size == 0 || size > G_MAXUINT32) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid --max-download-size '%s', expected 1 to 4G bytes",
				    max_download_size);
			return FALSE;
		}
		ub_sim_fastboot_set_max_download_size(fb, (guint32)size);
	}
	if (no_text)
		ub_sim_fastboot_set_text(fb, FALSE);
	if (locked)
		ub_sim_fastboot_set_unlocked(fb, FALSE);
	if (product != NULL)
		ub_sim_fastboot_set_product(fb, product);
	if (mode != NULL) {
		if (g_strcmp0(mode, "fastbootd") != 0 && g_strcmp0(mode, "bootloader") != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid --mode '%s', expected bootloader or fastbootd",
				    mode);
			return FALSE;
		}
		ub_sim_fastboot_set_userspace(fb, g_strcmp0(mode, "fastbootd") == 0);
	}
	g_object_get(fb, "max-download-size", &mds, NULL);
	g_printerr("unbrick-sim: fastboot layout %s, max-download-size 0x%x\n",
		   ub_sim_fastboot_get_layout(fb),
		   mds);
	return TRUE;
}

/* the edl options: set as the environment the phone reads, so they are checked the same way */
static gboolean
ub_sim_main_configure_edl(UbSimMain *self,
			  const gchar *sahara_version,
			  const gchar *serial,
			  const gchar *hwid,
			  const gchar *pk_hash,
			  const gchar *max_payload,
			  gboolean read64,
			  GError **error)
{
	UbSimPersonality *personality = ub_sim_phone_get_personality(self->phone);
	gboolean any = sahara_version != NULL || serial != NULL || hwid != NULL ||
		       pk_hash != NULL || max_payload != NULL || read64;

	if (!UB_IS_SIM_EDL(personality)) {
		if (any) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "--sahara-version, --serial, --hwid, --pk-hash, --max-payload "
					    "and --read64 are for --kind edl");
			return FALSE;
		}
		return TRUE;
	}
	if (sahara_version != NULL)
		g_setenv(UB_SIM_EDL_ENV_SAHARA_VERSION, sahara_version, TRUE);
	if (serial != NULL)
		g_setenv(UB_SIM_EDL_ENV_SERIAL, serial, TRUE);
	if (hwid != NULL)
		g_setenv(UB_SIM_EDL_ENV_HWID, hwid, TRUE);
	if (pk_hash != NULL)
		g_setenv(UB_SIM_EDL_ENV_PK_HASH, pk_hash, TRUE);
	if (max_payload != NULL)
		g_setenv(UB_SIM_EDL_ENV_MAX_PAYLOAD, max_payload, TRUE);
	if (read64)
		g_setenv(UB_SIM_EDL_ENV_READ64, "1", TRUE);
	return ub_sim_edl_configure_from_env(UB_SIM_EDL(personality), error);
}

/* the mtk options: set as the environment the phone reads, so they are checked the same way */
static gboolean
ub_sim_main_configure_mtk(UbSimMain *self,
			  const gchar *mtk_mode,
			  const gchar *hw_code,
			  const gchar *target_config,
			  gboolean full_speed,
			  GError **error)
{
	UbSimPersonality *personality = ub_sim_phone_get_personality(self->phone);
	gboolean any = mtk_mode != NULL || hw_code != NULL || target_config != NULL || full_speed;

	if (!UB_IS_SIM_MTK(personality)) {
		if (any) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "--mtk-mode, --hw-code, --target-config and --full-speed are "
					    "for --kind mtk");
			return FALSE;
		}
		return TRUE;
	}
	if (mtk_mode != NULL)
		g_setenv(UB_SIM_MTK_ENV_MODE, mtk_mode, TRUE);
	if (hw_code != NULL)
		g_setenv(UB_SIM_MTK_ENV_HW_CODE, hw_code, TRUE);
	if (target_config != NULL)
		g_setenv(UB_SIM_MTK_ENV_TARGET_CONFIG, target_config, TRUE);
	if (full_speed)
		g_setenv(UB_SIM_MTK_ENV_FULL_SPEED, "1", TRUE);
	if (!ub_sim_mtk_configure_from_env(UB_SIM_MTK(personality), error))
		return FALSE;
	g_printerr("unbrick-sim: mtk phone in %s mode\n",
		   ub_sim_mtk_get_session_mode(UB_SIM_MTK(personality)));
	return TRUE;
}

static gboolean
ub_sim_main_run(UbSimMain *self, gint argc, gchar **argv, GError **error)
{
	g_autofree gchar *kind = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *emmc = NULL;
	g_autofree gchar *ufs = NULL;
	g_autofree gchar *listen_spec = NULL;
	g_autofree gchar *plug = NULL;
	g_autofree gchar *fault_spec = NULL;
	g_autofree gchar *geometry = NULL;
	g_autofree gchar *geometry_now = NULL;
	g_autofree gchar *layout = NULL;
	g_autofree gchar *max_download_size = NULL;
	g_autofree gchar *product = NULL;
	g_autofree gchar *mode = NULL;
	gboolean no_text = FALSE;
	gboolean locked = FALSE;
	g_autofree gchar *sahara_version = NULL;
	g_autofree gchar *serial = NULL;
	g_autofree gchar *hwid = NULL;
	g_autofree gchar *pk_hash = NULL;
	g_autofree gchar *max_payload = NULL;
	gboolean read64 = FALSE;
	g_autofree gchar *mtk_mode = NULL;
	g_autofree gchar *hw_code = NULL;
	g_autofree gchar *target_config = NULL;
	gboolean full_speed = FALSE;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbSimFaults) faults = NULL;
	GThread *thread;
	const GOptionEntry options[] = {
	    {"kind", 'k', 0, G_OPTION_ARG_STRING, &kind, "Protocol: fastboot, edl or mtk", "KIND"},
	    {"storage", 's', 0, G_OPTION_ARG_FILENAME, &dir, "Folder holding the phone's storage", "DIR"},
	    {"emmc", 0, 0, G_OPTION_ARG_STRING, &emmc, "eMMC with a user area of SIZE (default 64G)", "SIZE"},
	    {"ufs", 0, 0, G_OPTION_ARG_STRING, &ufs, "UFS with N LUNs of SIZE", "N:SIZE"},
	    {"listen", 'l', 0, G_OPTION_ARG_STRING, &listen_spec, "tcp:PORT (0 picks one), pty, or usbredir:PATH|PORT (a USB device for QEMU's usb-redir)", "WHERE"},
	    {"plug", 0, 0, G_OPTION_ARG_STRING, &plug,
	     "usbredir: when the cable goes in: connect (when QEMU connects, default) or signal "
	     "(on SIGUSR2; SIGUSR1 pulls it)", "WHEN"},
	    {"fault", 'f', 0, G_OPTION_ARG_STRING, &fault_spec,
	     "Inject faults: delay=MS,drop=N,corrupt=N,disconnect-after=BYTES,nak=K", "SPEC"},
	    {"layout", 0, 0, G_OPTION_ARG_STRING, &layout,
	     "fastboot: partitions from the GPT (gpt, default), or a built-in pixel or xiaomi layout", "NAME"},
	    {"max-download-size", 0, 0, G_OPTION_ARG_STRING, &max_download_size,
	     "fastboot: download buffer size, e.g. 4M or 0x400000 (default 256M)", "SIZE"},
	    {"no-text", 0, 0, G_OPTION_ARG_NONE, &no_text,
	     "fastboot: send INFO instead of TEXT (Debian's fastboot 29 aborts on TEXT)", NULL},
	    {"locked", 0, 0, G_OPTION_ARG_NONE, &locked, "fastboot: a locked bootloader", NULL},
	    {"product", 0, 0, G_OPTION_ARG_STRING, &product, "fastboot: getvar product", "NAME"},
	    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode,
	     "fastboot: start in bootloader (default) or fastbootd", "MODE"},
	    {"sahara-version", 0, 0, G_OPTION_ARG_STRING, &sahara_version,
	     "edl: Sahara version of the PBL, 1, 2 (default) or 3", "N"},
	    {"serial", 0, 0, G_OPTION_ARG_STRING, &serial, "edl: chip serial number, e.g. 0x1234abcd", "N"},
	    {"hwid", 0, 0, G_OPTION_ARG_STRING, &hwid,
	     "edl: MSM HW ID, msm_id << 32 | oem_id << 16 | model_id", "N"},
	    {"pk-hash", 0, 0, G_OPTION_ARG_STRING, &pk_hash, "edl: OEM PK hash, 64 or 96 hex digits", "HEX"},
	    {"max-payload", 0, 0, G_OPTION_ARG_STRING, &max_payload,
	     "edl: the programmer's MaxPayloadSizeToTargetInBytes (default 1048576)", "BYTES"},
	    {"read64", 0, 0, G_OPTION_ARG_NONE, &read64, "edl: the PBL asks with READ_DATA64", NULL},
	    {"mtk-mode", 0, 0, G_OPTION_ARG_STRING, &mtk_mode,
	     "mtk: brom (0e8d:0003, default) or preloader (0e8d:2000, gone after 3 s)", "MODE"},
	    {"hw-code", 0, 0, G_OPTION_ARG_STRING, &hw_code,
	     "mtk: the chip's hardware code (default 0x0766, MT6765)", "CODE"},
	    {"target-config", 0, 0, G_OPTION_ARG_STRING, &target_config,
	     "mtk: GET_TARGET_CONFIG flags, e.g. 0x7 (secure boot, SLA, DAA)", "FLAGS"},
	    {"full-speed", 0, 0, G_OPTION_ARG_NONE, &full_speed,
	     "mtk: the DA runs at full speed and asks for the switch to 0e8d:2001", NULL},
	    {NULL}};

	context = g_option_context_new("- run a simulated phone");
	g_option_context_add_main_entries(context, options, NULL);
	g_option_context_set_description(
	    context,
	    "The ready line on stdout is \"tcp: 127.0.0.1:PORT\" or \"pty: /dev/pts/N\".\n"
	    "Reopening a storage folder keeps its data; a new one gets a GPT with a\n"
	    "default A/B layout.\n\n"
	    "Example:\n"
	    "  unbrick-sim --kind fastboot --storage /tmp/phone --emmc 64G --listen tcp:5554\n"
	    "  unbrick-sim --kind fastboot --storage /tmp/ufs --ufs 4:32G --listen pty --fault nak=3\n"
	    "  unbrick-sim --kind fastboot --storage /tmp/px --layout pixel --listen tcp:0 --no-text\n"
	    "  unbrick-sim --kind edl --storage /tmp/qc --ufs 6:64M --listen pty --sahara-version 3\n"
	    "  unbrick-sim --kind mtk --storage /tmp/mt --emmc 256M --listen pty --mtk-mode preloader\n\n"
	    "A fastboot phone serves one host at a time; after reboot-fastboot or\n"
	    "reboot-bootloader the next connection finds it in that mode. The same\n"
	    "settings for the in-process phone (--device sim:fastboot) come from\n"
	    "UB_SIM_LAYOUT, UB_SIM_MAX_DOWNLOAD_SIZE, UB_SIM_NO_TEXT=1, UB_SIM_LOCKED=1,\n"
	    "UB_SIM_PRODUCT and UB_SIM_MODE.\n\n"
	    "With --listen usbredir:, SIGUSR1 pulls the cable and SIGUSR2 plugs it in:\n"
	    "a phone off the bus (cable pulled, booted on, --plug signal) is powered on\n"
	    "afresh, a MediaTek phone in its initial mode; its storage is kept.\n");
	if (!g_option_context_parse(context, &argc, &argv, error))
		return FALSE;
	if (kind == NULL || dir == NULL || listen_spec == NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "--kind, --storage and --listen are required (see --help)");
		return FALSE;
	}
	if (plug != NULL) {
		if (g_strcmp0(plug, "connect") != 0 && g_strcmp0(plug, "signal") != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid --plug '%s', expected connect or signal",
				    plug);
			return FALSE;
		}
		if (!g_str_has_prefix(listen_spec, "usbredir:")) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "--plug needs --listen usbredir:PATH or usbredir:PORT");
			return FALSE;
		}
		self->plug_on_signal = g_strcmp0(plug, "signal") == 0;
	}
	if (emmc != NULL && ufs != NULL) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "--emmc and --ufs cannot be used together");
		return FALSE;
	}
	if (emmc != NULL)
		geometry = g_strdup_printf("emmc:%s", emmc);
	else if (ufs != NULL && g_strcmp0(kind, "mtk") == 0)
		geometry = g_strdup_printf("ufs-mtk:%s", ufs);
	else if (ufs != NULL)
		geometry = g_strdup_printf("ufs:%s", ufs);

	if (!ub_sim_phone_check_kind(kind, error))
		return FALSE;
	faults = ub_sim_faults_new_from_string(fault_spec, error);
	if (faults == NULL)
		return FALSE;
	storage = ub_sim_storage_open(dir, geometry, error);
	if (storage == NULL)
		return FALSE;
	/* an edl or mtk phone applies its layout when it is created */
	if ((g_strcmp0(kind, "edl") == 0 || g_strcmp0(kind, "mtk") == 0) && layout != NULL) {
		if (!ub_sim_layout_check_name(layout, error))
			return FALSE;
		g_setenv("UB_SIM_LAYOUT", layout, TRUE);
	}
	self->phone = ub_sim_phone_new(kind, storage, faults, error);
	if (self->phone == NULL)
		return FALSE;
	if (!ub_sim_main_configure_edl(self,
				       sahara_version,
				       serial,
				       hwid,
				       pk_hash,
				       max_payload,
				       read64,
				       error))
		return FALSE;
	if (!ub_sim_main_configure_mtk(self, mtk_mode, hw_code, target_config, full_speed, error))
		return FALSE;
	if (!ub_sim_main_configure_fastboot(self,
					    layout,
					    max_download_size,
					    product,
					    mode,
					    no_text,
					    locked,
					    error))
		return FALSE;
	geometry_now = ub_sim_storage_get_geometry(storage);
	g_printerr("unbrick-sim: %s phone, %s storage in %s\n", kind, geometry_now, dir);

	if (g_str_has_prefix(listen_spec, "tcp:")) {
		if (!ub_sim_main_listen_tcp(self, listen_spec + 4, error))
			return FALSE;
		ub_sim_main_set_stream(self);
		thread = g_thread_new("ub-sim-tcp", ub_sim_main_tcp_thread_cb, self);
#ifdef UB_HAVE_USBREDIR
	} else if (g_str_has_prefix(listen_spec, "usbredir:")) {
		if (!ub_sim_main_listen_usbredir(self, listen_spec + 9, error))
			return FALSE;
		g_unix_signal_add(SIGUSR1, ub_sim_main_usbredir_unplug_cb, self);
		g_unix_signal_add(SIGUSR2, ub_sim_main_usbredir_plug_cb, self);
		thread = g_thread_new("ub-sim-usbredir", ub_sim_main_usbredir_thread_cb, self);
#endif
	} else if (g_strcmp0(listen_spec, "pty") == 0) {
		if (!ub_sim_main_listen_pty(self, error))
			return FALSE;
		thread = g_thread_new("ub-sim-pty", ub_sim_main_pty_thread_cb, self);
	} else {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid --listen '%s', expected tcp:PORT, pty or usbredir:PATH",
			    listen_spec);
		return FALSE;
	}

	g_unix_signal_add(SIGINT, ub_sim_main_signal_cb, self);
	g_unix_signal_add(SIGTERM, ub_sim_main_signal_cb, self);
	g_main_loop_run(self->loop);
	g_cancellable_cancel(self->cancellable);
	g_thread_join(thread);
	return TRUE;
}

int
main(int argc, char **argv)
{
	UbSimMain self = {
	    .listen_fd = -1,
	    .master_fd = -1,
	    .slave_fd = -1,
	};
	g_autoptr(GError) error = NULL;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	self.cancellable = g_cancellable_new();
	self.loop = g_main_loop_new(NULL, FALSE);
	if (!ub_sim_main_run(&self, argc, argv, &error)) {
		g_printerr("unbrick-sim: %s\n", error->message);
		ub_sim_main_clear(&self);
		return EXIT_FAILURE;
	}
	ub_sim_main_clear(&self);
	return EXIT_SUCCESS;
}
