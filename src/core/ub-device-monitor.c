/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-device-monitor.h"
#include "ub-error.h"
#include "ub-usb-context.h"

/**
 * UbDeviceMonitor:
 *
 * Reports phones arriving and leaving, with the mode recognised from the device
 * table. libusb events are handled in a thread of the monitor; that thread
 * keeps the device list (read by ub_device_monitor_get_devices() and
 * ub_device_monitor_wait_for() from any thread) and queues the signals, which
 * one pending source emits on the thread-default main context of the caller of
 * ub_device_monitor_start().
 *
 * Hotplug uses the process-wide context of ub_usb_context_get_default(); the
 * callback may run in any thread that handles its events, so it does its
 * work under the mutex and does not depend on the monitor's thread.
 *
 * Without libusb hotplug (no capability, or ub_usb_context_should_poll(): no udevd, Flatpak,
 * `UB_USB_POLL=1`) the thread polls with a fresh libusb context, because a
 * context that missed the udev event never learns of the device. To keep that
 * cheap it lists /dev/bus/usb and /sys/bus/usb/devices every 25 ms and
 * enumerates only when they changed (for 250 ms after a change, as sysfs may
 * lag the node) and once a second; when neither can be listed, it enumerates
 * every 50 ms.
 */

#define UB_DEVICE_MONITOR_POLL_INTERVAL_US	(50 * G_TIME_SPAN_MILLISECOND)
#define UB_DEVICE_MONITOR_CHECK_INTERVAL_US	(25 * G_TIME_SPAN_MILLISECOND)
#define UB_DEVICE_MONITOR_RESCAN_INTERVAL_US	(1 * G_TIME_SPAN_SECOND)
#define UB_DEVICE_MONITOR_SETTLE_US		(250 * G_TIME_SPAN_MILLISECOND)
#define UB_DEVICE_MONITOR_EVENTS_TIMEOUT_US	(100 * G_TIME_SPAN_MILLISECOND)

typedef enum {
	UB_DEVICE_MONITOR_EVENT_ADDED,
	UB_DEVICE_MONITOR_EVENT_REMOVED,
} UbDeviceMonitorEventKind;

typedef struct {
	UbDeviceMonitorEventKind kind;
	UbUsbDeviceInfo *info;
} UbDeviceMonitorEvent;

struct _UbDeviceMonitor {
	GObject parent_instance;
	GMutex mutex; /* protects everything down to pending_source */
	GCond cond;   /* broadcast when devices change, on stop and on cancel */
	GPtrArray *devices; /* element-type UbUsbDeviceInfo: known devices present */
	guint64 generation; /* bumped on every change of devices */
	GPtrArray *events;  /* element-type UbDeviceMonitorEvent: not yet emitted */
	GSource *pending_source;
	gboolean started;
	gint stopping; /* atomic; an int so libusb can watch it too */
	GMainContext *context;
	GThread *thread;
	gboolean polling;
	libusb_context *usb_ctx; /* hotplug mode only, shared: not ours to exit */
	libusb_hotplug_callback_handle hotplug_handle;
	gboolean hotplug_registered;
	gchar *poll_signature;	/* only used by the poll thread */
	gint64 poll_interval;
	gint64 poll_rescan_last;
	gint64 poll_settle_until;
};

G_DEFINE_TYPE(UbDeviceMonitor, ub_device_monitor, G_TYPE_OBJECT)

enum { SIGNAL_DEVICE_ADDED, SIGNAL_DEVICE_REMOVED, SIGNAL_LAST };

static guint signals[SIGNAL_LAST] = {0};

static void
ub_device_monitor_event_free(UbDeviceMonitorEvent *event)
{
	g_object_unref(event->info);
	g_free(event);
}

/* always in the monitor's main context */
static gboolean
ub_device_monitor_idle_cb(gpointer user_data)
{
	UbDeviceMonitor *self = UB_DEVICE_MONITOR(user_data);
	g_autoptr(GPtrArray) events = NULL;

	/* take the queue, then emit unlocked so handlers may call back into us */
	g_mutex_lock(&self->mutex);
	events = g_steal_pointer(&self->events);
	self->events =
	    g_ptr_array_new_with_free_func((GDestroyNotify)ub_device_monitor_event_free);
	g_clear_pointer(&self->pending_source, g_source_unref);
	g_mutex_unlock(&self->mutex);

	for (guint i = 0; i < events->len; i++) {
		UbDeviceMonitorEvent *event = g_ptr_array_index(events, i);
		if (event->kind == UB_DEVICE_MONITOR_EVENT_ADDED)
			g_signal_emit(self, signals[SIGNAL_DEVICE_ADDED], 0, event->info);
		else
			g_signal_emit(self, signals[SIGNAL_DEVICE_REMOVED], 0, event->info);
	}
	return G_SOURCE_REMOVE;
}

/* called with the mutex held, from any thread */
static void
ub_device_monitor_queue_event_locked(UbDeviceMonitor *self,
				     UbDeviceMonitorEventKind kind,
				     UbUsbDeviceInfo *info)
{
	UbDeviceMonitorEvent *event = g_new0(UbDeviceMonitorEvent, 1);
	g_autofree gchar *str = ub_usb_device_info_to_string(info);

	g_debug("%s %s", kind == UB_DEVICE_MONITOR_EVENT_ADDED ? "added" : "removed", str);
	event->kind = kind;
	event->info = g_object_ref(info);
	g_ptr_array_add(self->events, event);
	self->generation++;
	g_cond_broadcast(&self->cond);

	/* one pending source at most: it drains the whole queue */
	if (self->pending_source == NULL && self->context != NULL) {
		self->pending_source = g_idle_source_new();
		g_source_set_priority(self->pending_source, G_PRIORITY_DEFAULT);
		g_source_set_callback(self->pending_source, ub_device_monitor_idle_cb, self, NULL);
		g_source_set_static_name(self->pending_source, "[ub] device monitor");
		g_source_attach(self->pending_source, self->context);
	}
}

static UbUsbDeviceInfo *
ub_device_monitor_find_locked(UbDeviceMonitor *self, guint8 bus, guint8 address, guint *idx)
{
	for (guint i = 0; i < self->devices->len; i++) {
		UbUsbDeviceInfo *info = g_ptr_array_index(self->devices, i);
		if (ub_usb_device_info_get_bus(info) == bus &&
		    ub_usb_device_info_get_address(info) == address) {
			if (idx != NULL)
				*idx = i;
			return info;
		}
	}
	return NULL;
}

static void
ub_device_monitor_remove_locked(UbDeviceMonitor *self, guint8 bus, guint8 address)
{
	guint idx = 0;
	UbUsbDeviceInfo *info = ub_device_monitor_find_locked(self, bus, address, &idx);
	g_autoptr(UbUsbDeviceInfo) info_old = NULL;

	if (info == NULL)
		return;
	info_old = g_object_ref(info);
	g_ptr_array_remove_index(self->devices, idx);
	ub_device_monitor_queue_event_locked(self, UB_DEVICE_MONITOR_EVENT_REMOVED, info_old);
}

static void
ub_device_monitor_add_locked(UbDeviceMonitor *self, UbUsbDeviceInfo *info)
{
	UbUsbDeviceInfo *info_old = ub_device_monitor_find_locked(self,
								  ub_usb_device_info_get_bus(info),
								  ub_usb_device_info_get_address(info),
								  NULL);

	/* already known, e.g. enumerated and then reported by hotplug */
	if (info_old != NULL && ub_usb_device_info_equal(info_old, info))
		return;

	/* the address was reused by another device: the old one left unseen */
	if (info_old != NULL) {
		ub_device_monitor_remove_locked(self,
						ub_usb_device_info_get_bus(info),
						ub_usb_device_info_get_address(info));
	}
	g_ptr_array_add(self->devices, g_object_ref(info));
	ub_device_monitor_queue_event_locked(self, UB_DEVICE_MONITOR_EVENT_ADDED, info);
}

/* this is run in whichever thread handles the libusb events */
static int LIBUSB_CALL
ub_device_monitor_hotplug_cb(libusb_context *ctx,
			     libusb_device *usb_device,
			     libusb_hotplug_event event,
			     void *user_data)
{
	UbDeviceMonitor *self = UB_DEVICE_MONITOR(user_data);

	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
		g_autoptr(GError) error_local = NULL;
		g_autoptr(UbUsbDeviceInfo) info =
		    ub_usb_device_info_new_from_libusb(usb_device, &error_local);
		if (info == NULL) {
			g_debug("ignoring: %s", error_local->message);
			return 0;
		}
		if (!ub_usb_device_info_is_known(info))
			return 0;
		g_mutex_lock(&self->mutex);
		ub_device_monitor_add_locked(self, info);
		g_mutex_unlock(&self->mutex);
	} else if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT) {
		g_mutex_lock(&self->mutex);
		ub_device_monitor_remove_locked(self,
						libusb_get_bus_number(usb_device),
						libusb_get_device_address(usb_device));
		g_mutex_unlock(&self->mutex);
	}

	/* keep the callback registered */
	return 0;
}

static gpointer
ub_device_monitor_hotplug_thread_cb(gpointer user_data)
{
	UbDeviceMonitor *self = UB_DEVICE_MONITOR(user_data);

	while (!g_atomic_int_get(&self->stopping)) {
		struct timeval tv = {
		    .tv_sec = 0,
		    .tv_usec = UB_DEVICE_MONITOR_EVENTS_TIMEOUT_US,
		};
		gint rc = libusb_handle_events_timeout_completed(self->usb_ctx, &tv, &self->stopping);
		if (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED) {
			g_debug("ignoring: failed to handle libusb events: %s",
				libusb_error_name(rc));
			g_usleep(UB_DEVICE_MONITOR_EVENTS_TIMEOUT_US);
		}
	}
	return NULL;
}

/* the USB device nodes and sysfs entries, which change whenever a device comes
 * or goes (a replug gets a new address), or NULL if neither can be listed */
static gchar *
ub_device_monitor_get_poll_signature(void)
{
	const gchar *name;
	gboolean found = FALSE;
	g_autoptr(GDir) dev_dir = g_dir_open("/dev/bus/usb", 0, NULL);
	g_autoptr(GDir) sys_dir = g_dir_open("/sys/bus/usb/devices", 0, NULL);
	g_autoptr(GString) str = g_string_new(NULL);

	if (dev_dir != NULL) {
		found = TRUE;
		while ((name = g_dir_read_name(dev_dir)) != NULL) {
			const gchar *dev_name;
			g_autofree gchar *bus_path = g_build_filename("/dev/bus/usb", name, NULL);
			g_autoptr(GDir) bus_dir = g_dir_open(bus_path, 0, NULL);
			if (bus_dir == NULL)
				continue;
			while ((dev_name = g_dir_read_name(bus_dir)) != NULL)
				g_string_append_printf(str, "%s/%s,", name, dev_name);
		}
	}
	g_string_append_c(str, ';');
	if (sys_dir != NULL) {
		found = TRUE;
		while ((name = g_dir_read_name(sys_dir)) != NULL)
			g_string_append_printf(str, "%s,", name);
	}
	if (!found)
		return NULL;
	return g_string_free(g_steal_pointer(&str), FALSE);
}

/* the known devices present now, through a fresh context */
static GPtrArray *
ub_device_monitor_enumerate(GError **error)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	ssize_t n_devices;
	gint rc;
	g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func(g_object_unref);

	rc = libusb_init(&ctx);
	if (rc < 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "failed to initialise libusb: %s",
			    libusb_error_name(rc));
		return NULL;
	}
	n_devices = libusb_get_device_list(ctx, &list);
	if (n_devices < 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_IO,
			    "failed to list USB devices: %s",
			    libusb_error_name((gint)n_devices));
		libusb_exit(ctx);
		return NULL;
	}
	for (ssize_t i = 0; i < n_devices; i++) {
		g_autoptr(GError) error_local = NULL;
		g_autoptr(UbUsbDeviceInfo) info =
		    ub_usb_device_info_new_from_libusb(list[i], &error_local);
		if (info == NULL) {
			g_debug("ignoring: %s", error_local->message);
			continue;
		}
		if (ub_usb_device_info_is_known(info))
			g_ptr_array_add(devices, g_steal_pointer(&info));
	}
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	return g_steal_pointer(&devices);
}

/**
 * ub_device_monitor_diff:
 * @old_devices: (element-type UbUsbDeviceInfo): the devices known before
 * @new_devices: (element-type UbUsbDeviceInfo): the devices found now
 * @added: (element-type UbUsbDeviceInfo): gets the infos of @new_devices that
 *   were not there before
 * @removed: (element-type UbUsbDeviceInfo): gets the infos of @old_devices that
 *   are gone
 *
 * Compares two enumerations with ub_usb_device_info_equal(). Both output
 * arrays take references, so they should free with g_object_unref().
 */
void
ub_device_monitor_diff(GPtrArray *old_devices,
		       GPtrArray *new_devices,
		       GPtrArray *added,
		       GPtrArray *removed)
{
	for (guint i = 0; i < old_devices->len; i++) {
		UbUsbDeviceInfo *info_old = g_ptr_array_index(old_devices, i);
		gboolean found = FALSE;
		for (guint j = 0; j < new_devices->len && !found; j++)
			found = ub_usb_device_info_equal(info_old, g_ptr_array_index(new_devices, j));
		if (!found)
			g_ptr_array_add(removed, g_object_ref(info_old));
	}
	for (guint j = 0; j < new_devices->len; j++) {
		UbUsbDeviceInfo *info_new = g_ptr_array_index(new_devices, j);
		gboolean found = FALSE;
		for (guint i = 0; i < old_devices->len && !found; i++)
			found = ub_usb_device_info_equal(g_ptr_array_index(old_devices, i), info_new);
		if (!found)
			g_ptr_array_add(added, g_object_ref(info_new));
	}
}

/* apply one enumeration; called with the mutex held */
static void
ub_device_monitor_apply_locked(UbDeviceMonitor *self, GPtrArray *devices)
{
	g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_object_unref);

	ub_device_monitor_diff(self->devices, devices, added, removed);
	for (guint i = 0; i < removed->len; i++) {
		UbUsbDeviceInfo *info = g_ptr_array_index(removed, i);
		ub_device_monitor_remove_locked(self,
						ub_usb_device_info_get_bus(info),
						ub_usb_device_info_get_address(info));
	}
	for (guint i = 0; i < added->len; i++)
		ub_device_monitor_add_locked(self, g_ptr_array_index(added, i));
}

/* this is run in the poll thread, and once in start() */
static gboolean
ub_device_monitor_poll(UbDeviceMonitor *self, GError **error)
{
	gint64 now = g_get_monotonic_time();
	g_autofree gchar *signature = ub_device_monitor_get_poll_signature();
	g_autoptr(GPtrArray) devices = NULL;

	/* without a signature every tick enumerates, so tick less often */
	self->poll_interval = signature != NULL ? UB_DEVICE_MONITOR_CHECK_INTERVAL_US
						: UB_DEVICE_MONITOR_POLL_INTERVAL_US;

	/* nothing was plugged or unplugged: skip the expensive enumeration, but
	 * keep enumerating for a while after a change in case sysfs lags behind
	 * (and to retry a failed enumeration) */
	if (signature == NULL)
		g_clear_pointer(&self->poll_signature, g_free);
	if (signature != NULL && g_strcmp0(signature, self->poll_signature) != 0) {
		self->poll_settle_until = now + UB_DEVICE_MONITOR_SETTLE_US;
		g_free(self->poll_signature);
		self->poll_signature = g_steal_pointer(&signature);
	}
	if (self->poll_signature != NULL && now >= self->poll_settle_until &&
	    now - self->poll_rescan_last < UB_DEVICE_MONITOR_RESCAN_INTERVAL_US)
		return TRUE;
	self->poll_rescan_last = now;

	devices = ub_device_monitor_enumerate(error);
	if (devices == NULL)
		return FALSE;
	g_mutex_lock(&self->mutex);
	ub_device_monitor_apply_locked(self, devices);
	g_mutex_unlock(&self->mutex);
	return TRUE;
}

static gpointer
ub_device_monitor_poll_thread_cb(gpointer user_data)
{
	UbDeviceMonitor *self = UB_DEVICE_MONITOR(user_data);
	gint64 deadline = g_get_monotonic_time();

	while (!g_atomic_int_get(&self->stopping)) {
		g_autoptr(GError) error_local = NULL;

		/* fixed period, unless an enumeration overran it */
		deadline += self->poll_interval;
		if (deadline < g_get_monotonic_time())
			deadline = g_get_monotonic_time() + self->poll_interval;
		g_mutex_lock(&self->mutex);
		while (!g_atomic_int_get(&self->stopping)) {
			if (!g_cond_wait_until(&self->cond, &self->mutex, deadline))
				break;
		}
		g_mutex_unlock(&self->mutex);
		if (g_atomic_int_get(&self->stopping))
			break;
		if (!ub_device_monitor_poll(self, &error_local))
			g_debug("ignoring: %s", error_local->message);
	}
	return NULL;
}

/* FALSE means: use polling instead */
static gboolean
ub_device_monitor_start_hotplug(UbDeviceMonitor *self)
{
	gint rc;
	struct timeval tv_zero = {0};
	g_autoptr(GError) error_local = NULL;

	if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		g_debug("libusb has no hotplug support, polling");
		return FALSE;
	}
	self->usb_ctx = ub_usb_context_get_default(&error_local);
	if (self->usb_ctx == NULL) {
		g_debug("%s, polling", error_local->message);
		return FALSE;
	}

	/* the shared context queued hotplug messages while nobody listened: drop
	 * them, or a device that came and went before now would be reported */
	libusb_handle_events_timeout_completed(self->usb_ctx, &tv_zero, NULL);

	/* ENUMERATE reports the devices already present from this call */
	rc = libusb_hotplug_register_callback(self->usb_ctx,
					      LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
						  LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
					      LIBUSB_HOTPLUG_ENUMERATE,
					      LIBUSB_HOTPLUG_MATCH_ANY,
					      LIBUSB_HOTPLUG_MATCH_ANY,
					      LIBUSB_HOTPLUG_MATCH_ANY,
					      ub_device_monitor_hotplug_cb,
					      self,
					      &self->hotplug_handle);
	if (rc != LIBUSB_SUCCESS) {
		g_debug("failed to register hotplug callback: %s, polling",
			libusb_error_name(rc));
		self->usb_ctx = NULL;
		return FALSE;
	}
	self->hotplug_registered = TRUE;
	return TRUE;
}

static void
ub_device_monitor_release_usb(UbDeviceMonitor *self)
{
	if (self->hotplug_registered) {
		libusb_hotplug_deregister_callback(self->usb_ctx, self->hotplug_handle);
		self->hotplug_registered = FALSE;

		/* another thread handling events of the shared context may still be
		 * inside our callback: callbacks run under the events lock */
		libusb_lock_events(self->usb_ctx);
		libusb_unlock_events(self->usb_ctx);
	}
	/* the shared context lives on */
	self->usb_ctx = NULL;
}

/**
 * ub_device_monitor_start:
 * @self: a #UbDeviceMonitor
 * @error: (nullable): optional return location for an error
 *
 * Starts watching. Devices already present are reported as added too. Signals
 * are emitted on the thread-default main context of the caller.
 *
 * Returns: %TRUE for success
 */
gboolean
ub_device_monitor_start(UbDeviceMonitor *self, GError **error)
{
	g_return_val_if_fail(UB_IS_DEVICE_MONITOR(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->started)
		return TRUE;

	g_mutex_lock(&self->mutex);
	self->context = g_main_context_ref_thread_default();
	self->started = TRUE;
	g_atomic_int_set(&self->stopping, FALSE);
	g_mutex_unlock(&self->mutex);

	self->polling = ub_usb_context_should_poll();
	if (!self->polling && !ub_device_monitor_start_hotplug(self))
		self->polling = TRUE;
	if (self->polling) {
		g_clear_pointer(&self->poll_signature, g_free);
		if (!ub_device_monitor_poll(self, error)) {
			ub_device_monitor_stop(self);
			g_prefix_error(error, "failed to enumerate USB devices: ");
			return FALSE;
		}
	}
	self->thread = g_thread_try_new("ub-device-monitor",
					self->polling ? ub_device_monitor_poll_thread_cb
						      : ub_device_monitor_hotplug_thread_cb,
					self,
					error);
	if (self->thread == NULL) {
		ub_device_monitor_stop(self);
		g_prefix_error(error, "failed to start device monitor: ");
		return FALSE;
	}
	g_debug("device monitor started, %s", self->polling ? "polling" : "hotplug");
	return TRUE;
}

/**
 * ub_device_monitor_stop:
 * @self: a #UbDeviceMonitor
 *
 * Stops watching, drops events not yet emitted, forgets the devices and makes
 * waiters fail. Call it from the thread of the main context given at start.
 */
void
ub_device_monitor_stop(UbDeviceMonitor *self)
{
	g_return_if_fail(UB_IS_DEVICE_MONITOR(self));

	if (!self->started)
		return;

	g_mutex_lock(&self->mutex);
	g_atomic_int_set(&self->stopping, TRUE);
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	if (self->usb_ctx != NULL)
		libusb_interrupt_event_handler(self->usb_ctx);
	if (self->thread != NULL)
		g_thread_join(g_steal_pointer(&self->thread));
	ub_device_monitor_release_usb(self);

	g_mutex_lock(&self->mutex);
	if (self->pending_source != NULL) {
		g_source_destroy(self->pending_source);
		g_clear_pointer(&self->pending_source, g_source_unref);
	}
	g_ptr_array_set_size(self->events, 0);
	g_ptr_array_set_size(self->devices, 0);
	self->generation++;
	self->started = FALSE;
	g_clear_pointer(&self->context, g_main_context_unref);
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
	g_clear_pointer(&self->poll_signature, g_free);
}

/**
 * ub_device_monitor_is_polling:
 * @self: a #UbDeviceMonitor
 *
 * Returns: %TRUE if the started monitor polls instead of using libusb hotplug
 */
gboolean
ub_device_monitor_is_polling(UbDeviceMonitor *self)
{
	g_return_val_if_fail(UB_IS_DEVICE_MONITOR(self), FALSE);
	return self->polling;
}

static GPtrArray *
ub_device_monitor_get_devices_locked(UbDeviceMonitor *self)
{
	GPtrArray *devices = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < self->devices->len; i++)
		g_ptr_array_add(devices, g_object_ref(g_ptr_array_index(self->devices, i)));
	return devices;
}

/**
 * ub_device_monitor_get_devices:
 * @self: a #UbDeviceMonitor
 *
 * The known devices present now. Thread-safe; the list may already contain a
 * device whose ::device-added signal has not been emitted yet.
 *
 * Returns: (transfer container) (element-type UbUsbDeviceInfo): the devices
 */
GPtrArray *
ub_device_monitor_get_devices(UbDeviceMonitor *self)
{
	GPtrArray *devices;

	g_return_val_if_fail(UB_IS_DEVICE_MONITOR(self), NULL);

	g_mutex_lock(&self->mutex);
	devices = ub_device_monitor_get_devices_locked(self);
	g_mutex_unlock(&self->mutex);
	return devices;
}

/* may run in any thread, also at once in g_cancellable_connect() */
static void
ub_device_monitor_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	UbDeviceMonitor *self = UB_DEVICE_MONITOR(user_data);
	g_mutex_lock(&self->mutex);
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->mutex);
}

/**
 * ub_device_monitor_wait_for_match:
 * @self: a started #UbDeviceMonitor
 * @func: (scope call): decides which device is wanted
 * @user_data: data for @func
 * @timeout_ms: how long to wait for it to arrive, 0 to check only the present
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Blocks until a device for which @func returns %TRUE is present, checking the
 * devices present first. It does not need the main context to run, so a worker
 * thread can catch a device that stays on the bus for a short time only (the
 * MediaTek preloader).
 *
 * Returns: (transfer full): the device, or %NULL with %UB_ERROR_TIMED_OUT,
 *   %G_IO_ERROR_CANCELLED or, when the monitor is stopped, %UB_ERROR_NOT_SUPPORTED
 */
UbUsbDeviceInfo *
ub_device_monitor_wait_for_match(UbDeviceMonitor *self,
				 UbDeviceMonitorMatchFunc func,
				 gpointer user_data,
				 guint timeout_ms,
				 GCancellable *cancellable,
				 GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
	gulong handler_id = 0;
	g_autoptr(UbUsbDeviceInfo) result = NULL;

	g_return_val_if_fail(UB_IS_DEVICE_MONITOR(self), NULL);
	g_return_val_if_fail(func != NULL, NULL);
	g_return_val_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (cancellable != NULL) {
		handler_id = g_cancellable_connect(cancellable,
						   G_CALLBACK(ub_device_monitor_cancelled_cb),
						   self,
						   NULL);
	}
	while (result == NULL) {
		guint64 generation;
		gboolean started;
		gboolean timed_out;
		g_autoptr(GPtrArray) devices = NULL;

		/* look at a snapshot, so @func runs unlocked */
		g_mutex_lock(&self->mutex);
		started = self->started && !g_atomic_int_get(&self->stopping);
		generation = self->generation;
		devices = ub_device_monitor_get_devices_locked(self);
		g_mutex_unlock(&self->mutex);
		if (!started) {
			g_set_error_literal(error,
					    UB_ERROR,
					    UB_ERROR_NOT_SUPPORTED,
					    "device monitor is not running");
			break;
		}
		for (guint i = 0; i < devices->len && result == NULL; i++) {
			UbUsbDeviceInfo *info = g_ptr_array_index(devices, i);
			if (func(info, user_data))
				result = g_object_ref(info);
		}
		if (result != NULL)
			break;
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			break;

		/* sleep until something changes */
		g_mutex_lock(&self->mutex);
		while (generation == self->generation && self->started &&
		       !g_cancellable_is_cancelled(cancellable)) {
			if (!g_cond_wait_until(&self->cond, &self->mutex, deadline))
				break;
		}
		timed_out = generation == self->generation && g_get_monotonic_time() >= deadline;
		g_mutex_unlock(&self->mutex);
		if (timed_out) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_TIMED_OUT,
				    "no matching device appeared within %u ms",
				    timeout_ms);
			break;
		}
	}
	if (handler_id != 0)
		g_cancellable_disconnect(cancellable, handler_id);
	return g_steal_pointer(&result);
}

static gboolean
ub_device_monitor_mode_match_cb(UbUsbDeviceInfo *info, gpointer user_data)
{
	guint mode_flags = GPOINTER_TO_UINT(user_data);
	return (mode_flags & UB_DEVICE_MODE_FLAG(ub_usb_device_info_get_mode(info))) != 0;
}

/**
 * ub_device_monitor_wait_for:
 * @self: a started #UbDeviceMonitor
 * @mode_flags: the wanted modes, ORed UB_DEVICE_MODE_FLAG() values
 * @timeout_ms: how long to wait, 0 to check only the present
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): optional return location for an error
 *
 * Like ub_device_monitor_wait_for_match(), for the first device in one of
 * the modes of @mode_flags.
 *
 * Returns: (transfer full): the device, or %NULL
 */
UbUsbDeviceInfo *
ub_device_monitor_wait_for(UbDeviceMonitor *self,
			   guint mode_flags,
			   guint timeout_ms,
			   GCancellable *cancellable,
			   GError **error)
{
	return ub_device_monitor_wait_for_match(self,
						ub_device_monitor_mode_match_cb,
						GUINT_TO_POINTER(mode_flags),
						timeout_ms,
						cancellable,
						error);
}

static void
ub_device_monitor_dispose(GObject *object)
{
	UbDeviceMonitor *self = UB_DEVICE_MONITOR(object);
	ub_device_monitor_stop(self);
	G_OBJECT_CLASS(ub_device_monitor_parent_class)->dispose(object);
}

static void
ub_device_monitor_finalize(GObject *object)
{
	UbDeviceMonitor *self = UB_DEVICE_MONITOR(object);
	g_ptr_array_unref(self->devices);
	g_ptr_array_unref(self->events);
	g_mutex_clear(&self->mutex);
	g_cond_clear(&self->cond);
	G_OBJECT_CLASS(ub_device_monitor_parent_class)->finalize(object);
}

static void
ub_device_monitor_class_init(UbDeviceMonitorClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = ub_device_monitor_dispose;
	object_class->finalize = ub_device_monitor_finalize;

	/**
	 * UbDeviceMonitor::device-added:
	 * @self: the monitor
	 * @info: the #UbUsbDeviceInfo that arrived
	 *
	 * A known device arrived, or was present at start.
	 */
	signals[SIGNAL_DEVICE_ADDED] = g_signal_new("device-added",
						    G_TYPE_FROM_CLASS(object_class),
						    G_SIGNAL_RUN_LAST,
						    0,
						    NULL,
						    NULL,
						    g_cclosure_marshal_VOID__OBJECT,
						    G_TYPE_NONE,
						    1,
						    UB_TYPE_USB_DEVICE_INFO);

	/**
	 * UbDeviceMonitor::device-removed:
	 * @self: the monitor
	 * @info: the #UbUsbDeviceInfo given with ::device-added
	 *
	 * A known device left.
	 */
	signals[SIGNAL_DEVICE_REMOVED] = g_signal_new("device-removed",
						      G_TYPE_FROM_CLASS(object_class),
						      G_SIGNAL_RUN_LAST,
						      0,
						      NULL,
						      NULL,
						      g_cclosure_marshal_VOID__OBJECT,
						      G_TYPE_NONE,
						      1,
						      UB_TYPE_USB_DEVICE_INFO);
}

static void
ub_device_monitor_init(UbDeviceMonitor *self)
{
	g_mutex_init(&self->mutex);
	g_cond_init(&self->cond);
	self->devices = g_ptr_array_new_with_free_func(g_object_unref);
	self->events =
	    g_ptr_array_new_with_free_func((GDestroyNotify)ub_device_monitor_event_free);
}

/**
 * ub_device_monitor_new:
 *
 * Returns: (transfer full): a new, stopped monitor
 */
UbDeviceMonitor *
ub_device_monitor_new(void)
{
	return g_object_new(UB_TYPE_DEVICE_MONITOR, NULL);
}
