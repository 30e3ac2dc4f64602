/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-memory-transport.h"
#include "ub-sim-fastboot.h"
#include "ub-sim-fault-transport.h"
#include "ub-sim-mtk.h"
#include "ub-sim-personalities.h"
#include "ub-sim-phone.h"

struct _UbSimPhone {
	GObject parent_instance;
	gchar *kind;
	UbSimStorage *storage;
	UbSimFaults *faults;
	UbSimPersonality *personality;
	GMutex mutex;  /* protects the fields below */
	GCond cond;    /* signalled when the session thread stops serving */
	GThread *thread;
	GCancellable *cancellable;
	UbTransport *transport; /* the fault-wrapped device end being served */
	gboolean running;
	gboolean result;
	GError *error;
};

G_DEFINE_TYPE(UbSimPhone, ub_sim_phone, G_TYPE_OBJECT)

/* the kinds the issue text names; each becomes real when its personality registers */
static const gchar *ub_sim_phone_known_kinds[] = {"fastboot", "edl", "mtk", NULL};

/* kind -> GType of a UbSimPersonality subclass; written once at start-up */
G_LOCK_DEFINE_STATIC(ub_sim_phone_registry);
static GHashTable *ub_sim_phone_registry = NULL;

/**
 * ub_sim_phone_register_kind:
 * @kind: a phone kind, e.g. "fastboot"
 * @personality_type: a #UbSimPersonality subclass
 *
 * Makes @kind available to ub_sim_phone_new(); called from
 * ub_sim_register_personalities().
 */
void
ub_sim_phone_register_kind(const gchar *kind, GType personality_type)
{
	g_return_if_fail(kind != NULL);
	g_return_if_fail(g_type_is_a(personality_type, UB_TYPE_SIM_PERSONALITY));
	G_LOCK(ub_sim_phone_registry);
	if (ub_sim_phone_registry == NULL)
		ub_sim_phone_registry = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_insert(ub_sim_phone_registry,
			    g_strdup(kind),
			    GSIZE_TO_POINTER((gsize)personality_type));
	G_UNLOCK(ub_sim_phone_registry);
}

static void
ub_sim_phone_ensure_registered(void)
{
	static gsize once = 0;
	if (g_once_init_enter(&once)) {
		ub_sim_register_personalities();
		g_once_init_leave(&once, 1);
	}
}

static GType
ub_sim_phone_lookup_kind(const gchar *kind, GError **error)
{
	GType gtype = G_TYPE_INVALID;

	ub_sim_phone_ensure_registered();
	G_LOCK(ub_sim_phone_registry);
	if (ub_sim_phone_registry != NULL && kind != NULL)
		gtype = (GType)GPOINTER_TO_SIZE(g_hash_table_lookup(ub_sim_phone_registry, kind));
	G_UNLOCK(ub_sim_phone_registry);
	if (gtype != G_TYPE_INVALID)
		return gtype;
	if (kind != NULL && g_strv_contains(ub_sim_phone_known_kinds, kind)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "the %s personality is not implemented yet",
			    kind);
		return G_TYPE_INVALID;
	}
	g_set_error(error,
		    UB_ERROR,
		    UB_ERROR_NOT_FOUND,
		    "unknown simulated phone kind '%s', expected fastboot, edl or mtk",
		    kind != NULL ? kind : "");
	return G_TYPE_INVALID;
}

/**
 * ub_sim_phone_check_kind:
 * @kind: a phone kind
 * @error: (nullable): return location for a #GError
 *
 * Returns: %TRUE if a phone of @kind can be created; %UB_ERROR_NOT_SUPPORTED for
 *   a kind whose personality does not exist yet, %UB_ERROR_NOT_FOUND otherwise
 */
gboolean
ub_sim_phone_check_kind(const gchar *kind, GError **error)
{
	return ub_sim_phone_lookup_kind(kind, error) != G_TYPE_INVALID;
}

/**
 * ub_sim_phone_new:
 * @kind: "fastboot", "edl" or "mtk"
 * @storage: the phone's storage
 * @faults: (nullable): faults to inject, %NULL for none
 * @error: (nullable): return location for a #GError
 *
 * Returns: (transfer full): a #UbSimPhone, or %NULL
 */
UbSimPhone *
ub_sim_phone_new(const gchar *kind, UbSimStorage *storage, UbSimFaults *faults, GError **error)
{
	g_autoptr(UbSimPhone) self = NULL;
	GType gtype;

	g_return_val_if_fail(UB_IS_SIM_STORAGE(storage), NULL);
	g_return_val_if_fail(faults == NULL || UB_IS_SIM_FAULTS(faults), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	gtype = ub_sim_phone_lookup_kind(kind, error);
	if (gtype == G_TYPE_INVALID)
		return NULL;
	self = g_object_new(UB_TYPE_SIM_PHONE, NULL);
	self->kind = g_strdup(kind);
	self->storage = g_object_ref(storage);
	self->faults = faults != NULL ? g_object_ref(faults) : ub_sim_faults_new();
	self->personality = g_object_new(gtype, "storage", storage, "faults", self->faults, NULL);
	return g_steal_pointer(&self);
}

/**
 * ub_sim_phone_serve:
 * @self: a #UbSimPhone
 * @device_end: the device side of a transport
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Serves one connection in the calling thread: wraps @device_end with the
 * fault transport and runs the personality until it returns. Fault counters
 * start at zero for each call; command numbers for NAK count on over the
 * phone's life.
 *
 * Returns: what the personality returned
 */
gboolean
ub_sim_phone_serve(UbSimPhone *self,
		   UbTransport *device_end,
		   GCancellable *cancellable,
		   GError **error)
{
	g_autoptr(UbTransport) transport = NULL;
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), FALSE);
	g_return_val_if_fail(UB_IS_TRANSPORT(device_end), FALSE);
	transport = ub_sim_fault_transport_new(device_end, self->faults);
	return ub_sim_personality_serve(self->personality, transport, cancellable, error);
}

static gpointer
ub_sim_phone_thread_cb(gpointer data)
{
	UbSimPhone *self = UB_SIM_PHONE(data);
	g_autoptr(GError) error_local = NULL;
	gboolean ret;

	ret = ub_sim_personality_serve(self->personality,
				       self->transport,
				       self->cancellable,
				       &error_local);
	if (!ret && error_local != NULL)
		g_debug("%s personality stopped: %s", self->kind, error_local->message);

	/* whatever ended the session (reboot, error, stop), the host sees the phone go */
	ub_transport_close(self->transport);

	g_mutex_lock(&self->mutex);
	self->result = ret;
	self->error = g_steal_pointer(&error_local);
	self->running = FALSE;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	return NULL;
}

/**
 * ub_sim_phone_start:
 * @self: a #UbSimPhone
 * @device_end: the device side of a transport, e.g. of a memory pair
 * @error: (nullable): return location for a #GError
 *
 * Runs the personality on @device_end (wrapped with the faults) in a thread of
 * its own until it returns; then the device end is closed, so the host sees
 * %UB_ERROR_DEVICE_GONE as after a real reboot.
 *
 * Returns: %TRUE if the thread started
 */
gboolean
ub_sim_phone_start(UbSimPhone *self, UbTransport *device_end, GError **error)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), FALSE);
	g_return_val_if_fail(UB_IS_TRANSPORT(device_end), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	locker = g_mutex_locker_new(&self->mutex);
	if (self->thread != NULL) {
		g_set_error_literal(error, UB_ERROR, UB_ERROR_BUSY, "the phone is already running");
		return FALSE;
	}
	g_clear_error(&self->error);
	g_clear_object(&self->transport);
	g_clear_object(&self->cancellable);
	self->transport = ub_sim_fault_transport_new(device_end, self->faults);
	self->cancellable = g_cancellable_new();
	self->result = FALSE;
	self->running = TRUE;
	self->thread = g_thread_try_new("ub-sim-phone", ub_sim_phone_thread_cb, self, error);
	if (self->thread == NULL) {
		self->running = FALSE;
		g_prefix_error(error, "failed to start the phone: ");
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_sim_phone_is_running:
 * @self: a #UbSimPhone
 *
 * Returns: %TRUE while the personality thread is serving
 */
gboolean
ub_sim_phone_is_running(UbSimPhone *self)
{
	g_autoptr(GMutexLocker) locker = NULL;
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), FALSE);
	locker = g_mutex_locker_new(&self->mutex);
	return self->running;
}

static GThread *
ub_sim_phone_steal_thread(UbSimPhone *self)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->mutex);
	return g_steal_pointer(&self->thread);
}

/**
 * ub_sim_phone_wait:
 * @self: a #UbSimPhone
 * @error: (nullable): return location for a #GError
 *
 * Waits for the personality started by ub_sim_phone_start() to return.
 *
 * Returns: what the personality returned, with its error
 */
gboolean
ub_sim_phone_wait(UbSimPhone *self, GError **error)
{
	GThread *thread;
	g_autoptr(GMutexLocker) locker = NULL;

	g_return_val_if_fail(UB_IS_SIM_PHONE(self), FALSE);
	thread = ub_sim_phone_steal_thread(self);
	if (thread != NULL)
		g_thread_join(thread);
	locker = g_mutex_locker_new(&self->mutex);
	if (!self->result) {
		if (self->error != NULL)
			g_propagate_error(error, g_steal_pointer(&self->error));
		else
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_INTERNAL,
					    "the phone was not started");
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_sim_phone_stop:
 * @self: a #UbSimPhone
 *
 * Cancels the personality, unplugs the device end and joins the thread. Safe to
 * call when the phone is not running.
 */
void
ub_sim_phone_stop(UbSimPhone *self)
{
	GThread *thread;
	g_return_if_fail(UB_IS_SIM_PHONE(self));
	thread = ub_sim_phone_steal_thread(self);
	if (thread == NULL)
		return;
	g_cancellable_cancel(self->cancellable);
	/* also wakes a personality blocked in a call that ignores the cancellable */
	ub_transport_close(self->transport);
	g_thread_join(thread);
}

/* removes the files ub_sim_storage_open() created and the folder itself */
static void
ub_sim_phone_remove_tmpdir(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *fn = g_build_filename(path, name, NULL);
			if (g_unlink(fn) != 0)
				g_debug("failed to remove %s", fn);
		}
	}
	if (g_rmdir(path) != 0)
		g_debug("failed to remove %s", path);
}

/**
 * ub_sim_phone_new_in_process:
 * @spec: what follows "sim:" in --device, i.e. "KIND" or "KIND:DIR"
 * @host_end: (out) (transfer full): the host side, for an engine
 * @error: (nullable): return location for a #GError
 *
 * Creates a phone inside this process, as for `--device sim:KIND[:DIR]`. DIR is
 * opened (created with UB_SIM_STORAGE_DEFAULT_GEOMETRY if new); without DIR the
 * storage lives in a fresh temporary folder whose files are unlinked as soon as
 * they are open, so nothing is left behind however the process ends.
 * Faults come from the environment variable UB_SIM_FAULTS, if set; a fastboot
 * phone is configured by ub_sim_fastboot_configure_from_env() (UB_SIM_LAYOUT,
 * UB_SIM_MAX_DOWNLOAD_SIZE, UB_SIM_NO_TEXT, UB_SIM_LOCKED, UB_SIM_PRODUCT,
 * UB_SIM_MODE). The phone serves the device end of a memory pair with a
 * 512-byte max packet size; after a reboot into fastboot it comes back on a
 * new pair, see ub_sim_phone_wait_reconnect().
 *
 * Returns: (transfer full): the running #UbSimPhone, or %NULL
 */
UbSimPhone *
ub_sim_phone_new_in_process(const gchar *spec, UbTransport **host_end, GError **error)
{
	g_autofree gchar *kind = NULL;
	g_autofree gchar *tmpdir = NULL;
	const gchar *dir = NULL;
	const gchar *colon;
	const gchar *fault_spec = g_getenv(UB_SIM_PHONE_ENV_FAULTS);
	g_autoptr(UbSimFaults) faults = NULL;
	g_autoptr(UbSimStorage) storage = NULL;
	g_autoptr(UbSimPhone) self = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;

	g_return_val_if_fail(spec != NULL, NULL);
	g_return_val_if_fail(host_end != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	colon = strchr(spec, ':');
	if (colon != NULL) {
		kind = g_strndup(spec, colon - spec);
		dir = colon + 1;
		if (dir[0] == '\0') {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid simulated phone '%s', expected KIND or KIND:DIR",
				    spec);
			return NULL;
		}
	} else {
		kind = g_strdup(spec);
	}
	if (!ub_sim_phone_check_kind(kind, error))
		return NULL;
	faults = ub_sim_faults_new_from_string(fault_spec, error);
	if (faults == NULL) {
		g_prefix_error(error, "invalid %s: ", UB_SIM_PHONE_ENV_FAULTS);
		return NULL;
	}
	if (dir == NULL) {
		tmpdir = g_dir_make_tmp("unbrick-sim-XXXXXX", error);
		if (tmpdir == NULL)
			return NULL;
		dir = tmpdir;
	}
	storage = ub_sim_storage_open(dir, NULL, error);
	if (storage != NULL) {
		self = ub_sim_phone_new(kind, storage, faults, error);
		/* a layout is written now, while the folder still exists */
		if (self != NULL && UB_IS_SIM_FASTBOOT(self->personality) &&
		    !ub_sim_fastboot_configure_from_env(UB_SIM_FASTBOOT(self->personality), error))
			g_clear_object(&self);
	}

	/* the open files keep the data; with the names gone nothing is left behind,
	 * even when the process exits without finalizing the phone or crashes */
	if (tmpdir != NULL)
		ub_sim_phone_remove_tmpdir(tmpdir);
	if (self == NULL)
		return NULL;

	/* a BootROM is a USB full-speed device: 64-byte packets */
	ub_memory_transport_new_pair(UB_IS_SIM_MTK(self->personality) &&
					     g_strcmp0(ub_sim_mtk_get_session_mode(
							   UB_SIM_MTK(self->personality)),
						       "brom") == 0
					 ? UB_SIM_PHONE_MTK_BROM_PACKET_SIZE
					 : UB_SIM_PHONE_MAX_PACKET_SIZE,
				     &host,
				     &device);
	if (!ub_sim_phone_start(self, device, error))
		return NULL;
	*host_end = g_steal_pointer(&host);
	return g_steal_pointer(&self);
}

/**
 * ub_sim_phone_wait_reconnect:
 * @self: a #UbSimPhone started by ub_sim_phone_start() (or _new_in_process())
 * @timeout_ms: how long to wait for the current session to end, 0 for ever
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * The in-process side of a re-enumeration. After the host sent a reboot that
 * brings the phone back (fastboot `reboot-bootloader` or `reboot-fastboot`),
 * waits for the session to end, starts the next one on a NEW memory pair in
 * the mode the reboot asked for (a MediaTek phone after SWITCH_USB_SPEED:
 * its DA as 0e8d:2001), and returns the new host end; the old one is
 * closed (the host saw %UB_ERROR_DEVICE_GONE on it). This is what the
 * reconnect func of `--device sim:fastboot` calls (src/sim/ub-sim-open.c).
 *
 * Errors: %UB_ERROR_TIMED_OUT if the session is still running after
 * @timeout_ms (the host never sent a reboot); %UB_ERROR_DEVICE_GONE if the
 * phone rebooted somewhere it does not come back from (system, recovery,
 * EDL) or the session failed; %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): the host end of the new session, or %NULL
 */
UbTransport *
ub_sim_phone_wait_reconnect(UbSimPhone *self,
			    guint timeout_ms,
			    GCancellable *cancellable,
			    GError **error)
{
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	GThread *thread;

	g_return_val_if_fail(UB_IS_SIM_PHONE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	g_mutex_lock(&self->mutex);
	if (self->thread == NULL) {
		g_mutex_unlock(&self->mutex);
		g_set_error_literal(error, UB_ERROR, UB_ERROR_INTERNAL, "the phone was not started");
		return NULL;
	}
	while (self->running) {
		/* short slices, so a cancellation is seen without a wakeup source */
		gint64 until = g_get_monotonic_time() + 50 * G_TIME_SPAN_MILLISECOND;
		if (timeout_ms > 0)
			until = MIN(until, deadline);
		if (g_cancellable_is_cancelled(cancellable))
			break;
		if (!g_cond_wait_until(&self->cond, &self->mutex, until) && timeout_ms > 0 &&
		    g_get_monotonic_time() >= deadline && self->running)
			break;
	}
	if (self->running) {
		g_mutex_unlock(&self->mutex);
		if (!g_cancellable_set_error_if_cancelled(cancellable, error))
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_TIMED_OUT,
				    "the simulated phone did not re-enumerate within %u ms",
				    timeout_ms);
		return NULL;
	}
	g_mutex_unlock(&self->mutex);

	thread = ub_sim_phone_steal_thread(self);
	if (thread != NULL)
		g_thread_join(thread);
	/* a MediaTek DA comes back as 0e8d:2001 after SWITCH_USB_SPEED */
	if (UB_IS_SIM_MTK(self->personality)) {
		if (g_strcmp0(ub_sim_mtk_get_session_mode(UB_SIM_MTK(self->personality)), "da") != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_DEVICE_GONE,
				    "the simulated %s phone left its session and does not come back",
				    self->kind);
			return NULL;
		}
	} else if (!UB_IS_SIM_FASTBOOT(self->personality) ||
		   !ub_sim_fastboot_reboot_comes_back(UB_SIM_FASTBOOT(self->personality))) {
		const gchar *target = UB_IS_SIM_FASTBOOT(self->personality)
					  ? ub_sim_fastboot_get_reboot_target(
						UB_SIM_FASTBOOT(self->personality))
					  : NULL;
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_DEVICE_GONE,
			    "the simulated %s phone %s%s and does not come back",
			    self->kind,
			    target != NULL ? "rebooted to " : "left",
			    target != NULL ? target : " its session");
		return NULL;
	}
	ub_memory_transport_new_pair(UB_SIM_PHONE_MAX_PACKET_SIZE, &host, &device);
	if (!ub_sim_phone_start(self, device, error))
		return NULL;
	return g_steal_pointer(&host);
}

const gchar *
ub_sim_phone_get_kind(UbSimPhone *self)
{
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), NULL);
	return self->kind;
}

/**
 * ub_sim_phone_get_storage:
 * @self: a #UbSimPhone
 *
 * Returns: (transfer none): the storage
 */
UbSimStorage *
ub_sim_phone_get_storage(UbSimPhone *self)
{
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), NULL);
	return self->storage;
}

/**
 * ub_sim_phone_get_faults:
 * @self: a #UbSimPhone
 *
 * Returns: (transfer none): the faults
 */
UbSimFaults *
ub_sim_phone_get_faults(UbSimPhone *self)
{
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), NULL);
	return self->faults;
}

/**
 * ub_sim_phone_get_personality:
 * @self: a #UbSimPhone
 *
 * Returns: (transfer none): the personality
 */
UbSimPersonality *
ub_sim_phone_get_personality(UbSimPhone *self)
{
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), NULL);
	return self->personality;
}

/**
 * ub_sim_phone_get_transport:
 * @self: a #UbSimPhone
 *
 * Returns: (transfer none) (nullable): the fault-wrapped device end served by
 *   the last ub_sim_phone_start(), a #UbSimFaultTransport
 */
UbTransport *
ub_sim_phone_get_transport(UbSimPhone *self)
{
	g_return_val_if_fail(UB_IS_SIM_PHONE(self), NULL);
	return self->transport;
}

static void
ub_sim_phone_dispose(GObject *object)
{
	UbSimPhone *self = UB_SIM_PHONE(object);
	ub_sim_phone_stop(self);
	G_OBJECT_CLASS(ub_sim_phone_parent_class)->dispose(object);
}

static void
ub_sim_phone_finalize(GObject *object)
{
	UbSimPhone *self = UB_SIM_PHONE(object);
	g_clear_object(&self->personality);
	g_clear_object(&self->transport);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->faults);
	g_clear_object(&self->storage);
	g_free(self->kind);
	g_clear_error(&self->error);
	g_mutex_clear(&self->mutex);
	g_cond_clear(&self->cond);
	G_OBJECT_CLASS(ub_sim_phone_parent_class)->finalize(object);
}

static void
ub_sim_phone_init(UbSimPhone *self)
{
	g_mutex_init(&self->mutex);
	g_cond_init(&self->cond);
}

static void
ub_sim_phone_class_init(UbSimPhoneClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = ub_sim_phone_dispose;
	object_class->finalize = ub_sim_phone_finalize;
}
