/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-sim-faults.h"
#include "ub-sim-storage.h"

/* immutable after construction, so any thread may read it */
struct _UbSimFaults {
	GObject parent_instance;
	guint delay_ms;		 /* before every device-to-host transfer */
	guint drop;		 /* 1-based index of the device-to-host transfer to drop */
	guint corrupt;		 /* 1-based index of the device-to-host transfer to corrupt */
	guint64 disconnect_after; /* bytes received from the host before unplugging */
	guint nak;		 /* 1-based index of the command the personality fails */
};

G_DEFINE_TYPE(UbSimFaults, ub_sim_faults, G_TYPE_OBJECT)

#define UB_SIM_FAULTS_KEYS "delay, drop, corrupt, disconnect-after, nak"

/**
 * ub_sim_faults_new:
 *
 * Returns: (transfer full): a #UbSimFaults that injects nothing
 */
UbSimFaults *
ub_sim_faults_new(void)
{
	return g_object_new(UB_TYPE_SIM_FAULTS, NULL);
}

static gboolean
ub_sim_faults_parse_uint(const gchar *key, const gchar *value, guint64 min, guint64 max,
			 guint64 *out, GError **error)
{
	if (value[0] == '\0' || !g_ascii_string_to_unsigned(value, 10, min, max, out, NULL)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid value '%s' for fault %s, expected a number from %" G_GUINT64_FORMAT
			    " to %" G_GUINT64_FORMAT,
			    value,
			    key,
			    min,
			    max);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_sim_faults_new_from_string:
 * @spec: (nullable): comma-separated KEY=VALUE faults, e.g.
 *   "delay=50,drop=3,corrupt=2,disconnect-after=1M,nak=5"
 * @error: (nullable): return location for a #GError
 *
 * Keys: delay (milliseconds before each device-to-host transfer), drop and
 * corrupt (the Nth device-to-host transfer, counting from 1, is lost or gets one
 * byte flipped), disconnect-after (the phone unplugs after receiving this many
 * bytes from the host; K/M/G suffixes allowed), nak (the personality fails its
 * Nth command, counting from 1). An empty @spec means no faults.
 *
 * Returns: (transfer full): a #UbSimFaults, or %NULL
 */
UbSimFaults *
ub_sim_faults_new_from_string(const gchar *spec, GError **error)
{
	g_autoptr(UbSimFaults) self = ub_sim_faults_new();
	g_auto(GStrv) items = NULL;

	if (spec == NULL || spec[0] == '\0')
		return g_steal_pointer(&self);
	items = g_strsplit(spec, ",", -1);
	for (guint i = 0; items[i] != NULL; i++) {
		const gchar *item = g_strstrip(items[i]);
		const gchar *eq = strchr(item, '=');
		g_autofree gchar *key = NULL;
		const gchar *value;
		guint64 val = 0;

		if (eq == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid fault '%s', expected KEY=VALUE with KEY one of %s",
				    item,
				    UB_SIM_FAULTS_KEYS);
			return NULL;
		}
		key = g_strndup(item, eq - item);
		value = eq + 1;
		if (g_strcmp0(key, "delay") == 0) {
			if (!ub_sim_faults_parse_uint(key, value, 0, 60000, &val, error))
				return NULL;
			self->delay_ms = (guint)val;
		} else if (g_strcmp0(key, "drop") == 0) {
			if (!ub_sim_faults_parse_uint(key, value, 1, G_MAXUINT, &val, error))
				return NULL;
			self->drop = (guint)val;
		} else if (g_strcmp0(key, "corrupt") == 0) {
			if (!ub_sim_faults_parse_uint(key, value, 1, G_MAXUINT, &val, error))
				return NULL;
			self->corrupt = (guint)val;
		} else if (g_strcmp0(key, "nak") == 0) {
			if (!ub_sim_faults_parse_uint(key, value, 1, G_MAXUINT, &val, error))
				return NULL;
			self->nak = (guint)val;
		} else if (g_strcmp0(key, "disconnect-after") == 0) {
			g_autoptr(GError) error_local = NULL;
			if (!ub_sim_storage_parse_size(value, &val, &error_local)) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_INVALID_DATA,
					    "invalid value '%s' for fault disconnect-after, expected "
					    "a byte count such as 1048576 or 1M",
					    value);
				return NULL;
			}
			self->disconnect_after = val;
		} else {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "unknown fault '%s', expected one of %s",
				    key,
				    UB_SIM_FAULTS_KEYS);
			return NULL;
		}
	}
	return g_steal_pointer(&self);
}

/**
 * ub_sim_faults_to_string:
 * @self: a #UbSimFaults
 *
 * Returns: (transfer full): the spec, parseable by ub_sim_faults_new_from_string(),
 *   or "" for no faults
 */
gchar *
ub_sim_faults_to_string(UbSimFaults *self)
{
	g_autoptr(GString) str = g_string_new(NULL);
	g_return_val_if_fail(UB_IS_SIM_FAULTS(self), NULL);
	if (self->delay_ms > 0)
		g_string_append_printf(str, "delay=%u,", self->delay_ms);
	if (self->drop > 0)
		g_string_append_printf(str, "drop=%u,", self->drop);
	if (self->corrupt > 0)
		g_string_append_printf(str, "corrupt=%u,", self->corrupt);
	if (self->disconnect_after > 0)
		g_string_append_printf(str,
				       "disconnect-after=%" G_GUINT64_FORMAT ",",
				       self->disconnect_after);
	if (self->nak > 0)
		g_string_append_printf(str, "nak=%u,", self->nak);
	if (str->len > 0)
		g_string_truncate(str, str->len - 1);
	return g_string_free(g_steal_pointer(&str), FALSE);
}

guint
ub_sim_faults_get_delay_ms(UbSimFaults *self)
{
	g_return_val_if_fail(UB_IS_SIM_FAULTS(self), 0);
	return self->delay_ms;
}

guint
ub_sim_faults_get_drop(UbSimFaults *self)
{
	g_return_val_if_fail(UB_IS_SIM_FAULTS(self), 0);
	return self->drop;
}

guint
ub_sim_faults_get_corrupt(UbSimFaults *self)
{
	g_return_val_if_fail(UB_IS_SIM_FAULTS(self), 0);
	return self->corrupt;
}

guint64
ub_sim_faults_get_disconnect_after(UbSimFaults *self)
{
	g_return_val_if_fail(UB_IS_SIM_FAULTS(self), 0);
	return self->disconnect_after;
}

guint
ub_sim_faults_get_nak(UbSimFaults *self)
{
	g_return_val_if_fail(UB_IS_SIM_FAULTS(self), 0);
	return self->nak;
}

/**
 * ub_sim_faults_should_nak:
 * @self: (nullable): a #UbSimFaults
 * @command_index: the 1-based index of the command the personality just received
 *
 * A personality calls this for each command; on %TRUE it answers with the
 * protocol's failure (fastboot FAIL, Firehose NAK, ...) instead of executing it.
 *
 * Returns: %TRUE if this command must fail
 */
gboolean
ub_sim_faults_should_nak(UbSimFaults *self, guint command_index)
{
	if (self == NULL)
		return FALSE;
	g_return_val_if_fail(UB_IS_SIM_FAULTS(self), FALSE);
	return self->nak > 0 && command_index == self->nak;
}

static void
ub_sim_faults_init(UbSimFaults *self)
{
}

static void
ub_sim_faults_class_init(UbSimFaultsClass *klass)
{
}
