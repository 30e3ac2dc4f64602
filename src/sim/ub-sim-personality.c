/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "ub-sim-personality.h"

typedef struct {
	UbSimStorage *storage;
	UbSimFaults *faults;
	guint command_count;
} UbSimPersonalityPrivate;

G_DEFINE_TYPE_WITH_PRIVATE(UbSimPersonality, ub_sim_personality, G_TYPE_OBJECT)

#define GET_PRIVATE(o) (ub_sim_personality_get_instance_private(o))

enum { PROP_0, PROP_STORAGE, PROP_FAULTS, PROP_LAST };

/**
 * ub_sim_personality_get_storage:
 * @self: a #UbSimPersonality
 *
 * Returns: (transfer none): the phone's storage
 */
UbSimStorage *
ub_sim_personality_get_storage(UbSimPersonality *self)
{
	UbSimPersonalityPrivate *priv;
	g_return_val_if_fail(UB_IS_SIM_PERSONALITY(self), NULL);
	priv = GET_PRIVATE(self);
	return priv->storage;
}

/**
 * ub_sim_personality_get_faults:
 * @self: a #UbSimPersonality
 *
 * Returns: (transfer none): the faults to inject; never %NULL
 */
UbSimFaults *
ub_sim_personality_get_faults(UbSimPersonality *self)
{
	UbSimPersonalityPrivate *priv;
	g_return_val_if_fail(UB_IS_SIM_PERSONALITY(self), NULL);
	priv = GET_PRIVATE(self);
	return priv->faults;
}

/**
 * ub_sim_personality_count_command:
 * @self: a #UbSimPersonality
 *
 * Counts one command received from the host (the first is 1) and asks the
 * faults whether it must fail. Call it once per command, before executing it.
 *
 * Returns: %TRUE if the personality must answer with the protocol's failure
 */
gboolean
ub_sim_personality_count_command(UbSimPersonality *self)
{
	UbSimPersonalityPrivate *priv;
	g_return_val_if_fail(UB_IS_SIM_PERSONALITY(self), FALSE);
	priv = GET_PRIVATE(self);
	priv->command_count++;
	return ub_sim_faults_should_nak(priv->faults, priv->command_count);
}

/**
 * ub_sim_personality_get_command_count:
 * @self: a #UbSimPersonality
 *
 * Returns: commands counted by ub_sim_personality_count_command()
 */
guint
ub_sim_personality_get_command_count(UbSimPersonality *self)
{
	UbSimPersonalityPrivate *priv;
	g_return_val_if_fail(UB_IS_SIM_PERSONALITY(self), 0);
	priv = GET_PRIVATE(self);
	return priv->command_count;
}

/**
 * ub_sim_personality_serve:
 * @self: a #UbSimPersonality
 * @transport: the device side of a transport
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Speaks the protocol until the host disconnects, the phone reboots or
 * @cancellable fires.
 *
 * Returns: %TRUE when the phone rebooted or the host went away cleanly
 */
gboolean
ub_sim_personality_serve(UbSimPersonality *self,
			 UbTransport *transport,
			 GCancellable *cancellable,
			 GError **error)
{
	UbSimPersonalityClass *klass;
	g_return_val_if_fail(UB_IS_SIM_PERSONALITY(self), FALSE);
	g_return_val_if_fail(UB_IS_TRANSPORT(transport), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	klass = UB_SIM_PERSONALITY_GET_CLASS(self);
	if (klass->serve == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_SUPPORTED,
			    "%s does not implement serve",
			    G_OBJECT_TYPE_NAME(self));
		return FALSE;
	}
	return klass->serve(self, transport, cancellable, error);
}

static void
ub_sim_personality_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	UbSimPersonality *self = UB_SIM_PERSONALITY(object);
	UbSimPersonalityPrivate *priv = GET_PRIVATE(self);
	switch (prop_id) {
	case PROP_STORAGE:
		g_value_set_object(value, priv->storage);
		break;
	case PROP_FAULTS:
		g_value_set_object(value, priv->faults);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_sim_personality_set_property(GObject *object,
				guint prop_id,
				const GValue *value,
				GParamSpec *pspec)
{
	UbSimPersonality *self = UB_SIM_PERSONALITY(object);
	UbSimPersonalityPrivate *priv = GET_PRIVATE(self);
	switch (prop_id) {
	case PROP_STORAGE:
		g_set_object(&priv->storage, g_value_get_object(value));
		break;
	case PROP_FAULTS:
		g_set_object(&priv->faults, g_value_get_object(value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_sim_personality_constructed(GObject *object)
{
	UbSimPersonality *self = UB_SIM_PERSONALITY(object);
	UbSimPersonalityPrivate *priv = GET_PRIVATE(self);
	/* never NULL, so personalities can ask without checking */
	if (priv->faults == NULL)
		priv->faults = ub_sim_faults_new();
	G_OBJECT_CLASS(ub_sim_personality_parent_class)->constructed(object);
}

static void
ub_sim_personality_dispose(GObject *object)
{
	UbSimPersonality *self = UB_SIM_PERSONALITY(object);
	UbSimPersonalityPrivate *priv = GET_PRIVATE(self);
	g_clear_object(&priv->storage);
	g_clear_object(&priv->faults);
	G_OBJECT_CLASS(ub_sim_personality_parent_class)->dispose(object);
}

static void
ub_sim_personality_init(UbSimPersonality *self)
{
}

/**
 * ub_sim_personality_getenv:
 * @name: an environment variable
 *
 * Returns: (nullable): its value, or %NULL when it is unset or empty
 */
const gchar *
ub_sim_personality_getenv(const gchar *name)
{
	const gchar *str = g_getenv(name);
	if (str == NULL || str[0] == '\0')
		return NULL;
	return str;
}

/**
 * ub_sim_personality_parse_u64:
 * @name: the variable, for the error
 * @str: decimal, or hex with 0x
 * @max: the largest value accepted
 * @value: (out): the number
 * @error: (nullable): return location for a #GError
 *
 * Parses a number given to a simulated phone in its environment.
 *
 * Returns: %TRUE for a number from 0 to @max
 */
gboolean
ub_sim_personality_parse_u64(const gchar *name,
			     const gchar *str,
			     guint64 max,
			     guint64 *value,
			     GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gboolean ok;

	g_return_val_if_fail(name != NULL, FALSE);
	g_return_val_if_fail(str != NULL, FALSE);
	g_return_val_if_fail(value != NULL, FALSE);

	if (g_str_has_prefix(str, "0x") || g_str_has_prefix(str, "0X"))
		ok = g_ascii_string_to_unsigned(str + 2, 16, 0, max, value, &error_local);
	else
		ok = g_ascii_string_to_unsigned(str, 10, 0, max, value, &error_local);
	if (!ok) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "invalid %s '%s': %s",
			    name,
			    str,
			    error_local->message);
		return FALSE;
	}
	return TRUE;
}

/**
 * ub_sim_personality_getenv_flag:
 * @name: an environment variable
 * @value: (inout): set to whether it is not "0", left alone when it is unset or empty
 *
 * Reads an on/off switch given to a simulated phone in its environment.
 */
void
ub_sim_personality_getenv_flag(const gchar *name, gboolean *value)
{
	const gchar *str = ub_sim_personality_getenv(name);
	g_return_if_fail(value != NULL);
	if (str != NULL)
		*value = g_strcmp0(str, "0") != 0;
}

static void
ub_sim_personality_class_init(UbSimPersonalityClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GParamSpec *pspec;

	object_class->get_property = ub_sim_personality_get_property;
	object_class->set_property = ub_sim_personality_set_property;
	object_class->constructed = ub_sim_personality_constructed;
	object_class->dispose = ub_sim_personality_dispose;

	/**
	 * UbSimPersonality:storage:
	 *
	 * The storage the personality reads and writes.
	 */
	pspec = g_param_spec_object("storage",
				    NULL,
				    NULL,
				    UB_TYPE_SIM_STORAGE,
				    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
					G_PARAM_STATIC_STRINGS);
	g_object_class_install_property(object_class, PROP_STORAGE, pspec);

	/**
	 * UbSimPersonality:faults:
	 *
	 * The faults to inject; a personality asks ub_sim_faults_should_nak().
	 */
	pspec = g_param_spec_object("faults",
				    NULL,
				    NULL,
				    UB_TYPE_SIM_FAULTS,
				    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
					G_PARAM_STATIC_STRINGS);
	g_object_class_install_property(object_class, PROP_FAULTS, pspec);
}
