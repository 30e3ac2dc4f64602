/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fastboot/ub-fastboot-common.h"
#include "fastboot/ub-fastboot-wire.h"
#include "ub-sim-fastboot.h"

/*
 * The bootloader fastboot of the simulated phone (reference: fastboot.md a.8).
 * It answers with the texts real bootloaders send, keeps downloads in a RAM
 * buffer capped at max-download-size, and writes through UbSimStorage.
 */

/* the longest command we read; longer ones get FAIL like on real devices */
#define UB_SIM_FASTBOOT_COMMAND_BUF 4096
/* data is streamed to the host in pieces this large */
#define UB_SIM_FASTBOOT_CHUNK (1024 * 1024)
/* how long a response write may block */
#define UB_SIM_FASTBOOT_WRITE_TIMEOUT_MS 30000

struct _UbSimFastboot {
	UbSimPersonality parent_instance;
	gboolean tcp;
	guint32 max_download_size;
	gboolean unlocked;
	gchar *product;
	gchar *serialno;
	gchar current_slot; /* 'a' or 'b' */
	/* serve() state */
	UbFastbootWire *wire;
	guint8 *download_buf;
	guint32 download_size;
	gchar *reboot_target;
	gint download_count;
	gint flash_count;
};

enum {
	PROP_0,
	PROP_TCP,
	PROP_MAX_DOWNLOAD_SIZE,
	PROP_UNLOCKED,
	PROP_PRODUCT,
	PROP_SERIALNO,
	PROP_LAST
};

G_DEFINE_TYPE(UbSimFastboot, ub_sim_fastboot, UB_TYPE_SIM_PERSONALITY)

static gboolean
ub_sim_fastboot_reply(UbSimFastboot *self,
		      const gchar *status,
		      const gchar *text,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autofree gchar *msg = g_strdup_printf("%s%s", status, text != NULL ? text : "");
	/* never more than a response packet, whatever the text */
	gsize len = MIN(strlen(msg), (gsize)UB_FASTBOOT_RESPONSE_MAX);
	g_debug("sim < %.*s", (gint)len, msg);
	return ub_fastboot_wire_write(self->wire,
				      (const guint8 *)msg,
				      len,
				      UB_SIM_FASTBOOT_WRITE_TIMEOUT_MS,
				      cancellable,
				      error);
}

static gboolean
ub_sim_fastboot_okay(UbSimFastboot *self,
		     const gchar *text,
		     GCancellable *cancellable,
		     GError **error)
{
	return ub_sim_fastboot_reply(self, "OKAY", text, cancellable, error);
}

static gboolean
ub_sim_fastboot_fail(UbSimFastboot *self,
		     const gchar *text,
		     GCancellable *cancellable,
		     GError **error)
{
	return ub_sim_fastboot_reply(self, "FAIL", text, cancellable, error);
}

static gboolean
ub_sim_fastboot_info(UbSimFastboot *self,
		     const gchar *text,
		     GCancellable *cancellable,
		     GError **error)
{
	return ub_sim_fastboot_reply(self, "INFO", text, cancellable, error);
}

static UbSimStorage *
ub_sim_fastboot_get_storage(UbSimFastboot *self)
{
	return ub_sim_personality_get_storage(UB_SIM_PERSONALITY(self));
}

/* a partition of the GPT, by its fastboot name (the same as the GPT name) */
static UbPartition *
ub_sim_fastboot_find_partition(UbSimFastboot *self, const gchar *name)
{
	g_autoptr(GError) error_local = NULL;
	UbPartition *part;
	if (name[0] == '\0')
		return NULL;
	part = ub_sim_storage_find_partition(ub_sim_fastboot_get_storage(self), name, &error_local);
	if (part == NULL)
		g_debug("sim: %s", error_local->message);
	return part;
}

static gboolean
ub_sim_fastboot_has_slot(UbSimFastboot *self, const gchar *base)
{
	g_autofree gchar *name_a = g_strdup_printf("%s_a", base);
	g_autoptr(UbPartition) part = ub_sim_fastboot_find_partition(self, name_a);
	return part != NULL;
}

/* the refusal a bootloader gives for a name it has no partition for */
static const gchar *
ub_sim_fastboot_unknown_partition_text(UbSimFastboot *self, const gchar *name)
{
	/* ABL: an A/B partition named without its slot */
	if (ub_sim_fastboot_has_slot(self, name))
		return "Partition table doesn't exist";
	return "Partition not found";
}

static const gchar *
ub_sim_fastboot_partition_type(const gchar *name)
{
	if (g_strcmp0(name, "userdata") == 0)
		return "f2fs";
	if (g_strcmp0(name, "metadata") == 0 || g_strcmp0(name, "cache") == 0)
		return "ext4";
	return "raw";
}

/* the base name of an A/B partition, or NULL */
static gchar *
ub_sim_fastboot_slot_base(const gchar *name)
{
	gsize len = strlen(name);
	if (len > 2 && name[len - 2] == '_' && (name[len - 1] == 'a' || name[len - 1] == 'b'))
		return g_strndup(name, len - 2);
	return NULL;
}

/* one variable; FALSE when the bootloader does not know it */
static gboolean
ub_sim_fastboot_getvar(UbSimFastboot *self, const gchar *name, gchar **value)
{
	struct {
		const gchar *name;
		gchar *value;
	} fixed[] = {
	    {"version", g_strdup("0.4")},
	    {"version-bootloader", g_strdup("unbrick-sim-1.0")},
	    {"version-baseband", g_strdup("unbrick-sim-modem-1.0")},
	    {"product", g_strdup(self->product)},
	    {"serialno", g_strdup(self->serialno)},
	    {"secure", g_strdup("yes")},
	    {"unlocked", g_strdup(self->unlocked ? "yes" : "no")},
	    {"max-download-size", g_strdup_printf("0x%08x", self->max_download_size)},
	    {"max-fetch-size", g_strdup_printf("0x%08x", self->max_download_size)},
	    {"is-userspace", g_strdup("no")},
	    {"current-slot", g_strdup_printf("%c", self->current_slot)},
	    {"slot-count", g_strdup("2")},
	    {"off-mode-charge", g_strdup("1")},
	};
	gboolean found = FALSE;

	*value = NULL;
	for (guint i = 0; i < G_N_ELEMENTS(fixed); i++) {
		if (!found && g_strcmp0(name, fixed[i].name) == 0) {
			*value = g_steal_pointer(&fixed[i].value);
			found = TRUE;
		}
		g_free(fixed[i].value);
	}
	if (found)
		return TRUE;

	if (g_str_has_prefix(name, "has-slot:")) {
		*value = g_strdup(ub_sim_fastboot_has_slot(self, name + 9) ? "yes" : "no");
		return TRUE;
	}
	if (g_str_has_prefix(name, "partition-size:")) {
		g_autoptr(UbPartition) part = ub_sim_fastboot_find_partition(self, name + 15);
		if (part == NULL)
			return FALSE;
		*value =
		    g_strdup_printf("0x%016" G_GINT64_MODIFIER "x", ub_partition_get_size(part));
		return TRUE;
	}
	if (g_str_has_prefix(name, "partition-type:")) {
		g_autoptr(UbPartition) part = ub_sim_fastboot_find_partition(self, name + 15);
		if (part == NULL)
			return FALSE;
		*value = g_strdup(ub_sim_fastboot_partition_type(name + 15));
		return TRUE;
	}
	if (g_str_has_prefix(name, "is-logical:")) {
		g_autoptr(UbPartition) part = ub_sim_fastboot_find_partition(self, name + 11);
		if (part == NULL)
			return FALSE;
		*value = g_strdup("no");
		return TRUE;
	}
	return FALSE;
}

static gboolean
ub_sim_fastboot_cmd_getvar_all(UbSimFastboot *self, GCancellable *cancellable, GError **error)
{
	static const gchar *globals[] = {"version",
					 "version-bootloader",
					 "version-baseband",
					 "product",
					 "serialno",
					 "secure",
					 "unlocked",
					 "max-download-size",
					 "max-fetch-size",
					 "is-userspace",
					 "current-slot",
					 "slot-count",
					 "off-mode-charge",
					 NULL};
	g_autoptr(GPtrArray) parts =
	    ub_sim_storage_get_partitions(ub_sim_fastboot_get_storage(self));
	g_autoptr(GHashTable) bases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; globals[i] != NULL; i++) {
		g_autofree gchar *value = NULL;
		g_autofree gchar *line = NULL;
		if (!ub_sim_fastboot_getvar(self, globals[i], &value))
			continue;
		line = g_strdup_printf("%s:%s", globals[i], value);
		if (!ub_sim_fastboot_info(self, line, cancellable, error))
			return FALSE;
	}
	for (guint i = 0; parts != NULL && i < parts->len; i++) {
		UbPartition *part = g_ptr_array_index(parts, i);
		const gchar *name = ub_partition_get_name(part);
		g_autofree gchar *base = ub_sim_fastboot_slot_base(name);
		g_autofree gchar *line_type = NULL;
		g_autofree gchar *line_size = NULL;

		if (base != NULL && !g_hash_table_contains(bases, base)) {
			g_autofree gchar *line = g_strdup_printf("has-slot:%s:yes", base);
			if (!ub_sim_fastboot_info(self, line, cancellable, error))
				return FALSE;
			g_hash_table_add(bases, g_steal_pointer(&base));
		}
		line_type = g_strdup_printf("partition-type:%s:%s",
					    name,
					    ub_sim_fastboot_partition_type(name));
		if (!ub_sim_fastboot_info(self, line_type, cancellable, error))
			return FALSE;
		/* ABL prints the size with a leading space, which clients must trim */
		line_size = g_strdup_printf("partition-size:%s: 0x%016" G_GINT64_MODIFIER "x",
					    name,
					    ub_partition_get_size(part));
		if (!ub_sim_fastboot_info(self, line_size, cancellable, error))
			return FALSE;
	}
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_getvar(UbSimFastboot *self,
			   const gchar *name,
			   GCancellable *cancellable,
			   GError **error)
{
	g_autofree gchar *value = NULL;
	if (g_strcmp0(name, "all") == 0)
		return ub_sim_fastboot_cmd_getvar_all(self, cancellable, error);
	if (!ub_sim_fastboot_getvar(self, name, &value))
		return ub_sim_fastboot_fail(self, "Unknown variable", cancellable, error);
	return ub_sim_fastboot_okay(self, value, cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_download(UbSimFastboot *self,
			     const gchar *arg,
			     GCancellable *cancellable,
			     GError **error)
{
	guint64 size = 0;
	guint32 done = 0;
	g_autofree gchar *data = NULL;

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    "Download is not allowed on locked devices",
					    cancellable,
					    error);
	if (strlen(arg) != 8)
		return ub_sim_fastboot_fail(self,
					    "Invalid size (length of size != 8)",
					    cancellable,
					    error);
	for (guint i = 0; i < 8; i++) {
		if (!g_ascii_isxdigit(arg[i]))
			return ub_sim_fastboot_fail(self, "Invalid size", cancellable, error);
	}
	size = g_ascii_strtoull(arg, NULL, 16);
	if (size == 0)
		return ub_sim_fastboot_fail(self, "Invalid size", cancellable, error);
	if (size > self->max_download_size)
		return ub_sim_fastboot_fail(self,
					    "Requested download size is more than max allowed",
					    cancellable,
					    error);

	/* the old buffer is gone as soon as a new download starts */
	g_clear_pointer(&self->download_buf, g_free);
	self->download_size = 0;
	self->download_buf = g_try_malloc(size);
	if (self->download_buf == NULL)
		return ub_sim_fastboot_fail(self, "Out of memory", cancellable, error);
	data = g_strdup_printf("%08x", (guint)size);
	if (!ub_sim_fastboot_reply(self, "DATA", data, cancellable, error))
		return FALSE;

	/* a byte stream, whatever the host's write or frame sizes */
	while (done < size) {
		gssize n = ub_fastboot_wire_read(self->wire,
						 self->download_buf + done,
						 (gsize)(size - done),
						 0,
						 cancellable,
						 error);
		if (n < 0) {
			g_clear_pointer(&self->download_buf, g_free);
			g_prefix_error(error, "download stopped after %u bytes: ", done);
			return FALSE;
		}
		done += (guint32)n;
	}
	self->download_size = (guint32)size;
	g_atomic_int_inc(&self->download_count);
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_flash(UbSimFastboot *self,
			  const gchar *name,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autoptr(UbPartition) part = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    "Flashing is not allowed in Lock State",
					    cancellable,
					    error);
	part = ub_sim_fastboot_find_partition(self, name);
	if (part == NULL)
		return ub_sim_fastboot_fail(self,
					    ub_sim_fastboot_unknown_partition_text(self, name),
					    cancellable,
					    error);
	if (self->download_buf == NULL || self->download_size == 0)
		return ub_sim_fastboot_fail(self, "No data downloaded", cancellable, error);
	if (self->download_size > ub_partition_get_size(part))
		return ub_sim_fastboot_fail(self, "size too large", cancellable, error);
	if (!ub_sim_storage_write_partition(ub_sim_fastboot_get_storage(self),
					    name,
					    0,
					    self->download_buf,
					    self->download_size,
					    &error_local)) {
		g_debug("sim: %s", error_local->message);
		return ub_sim_fastboot_fail(self, "flash write failure", cancellable, error);
	}
	g_atomic_int_inc(&self->flash_count);
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_erase(UbSimFastboot *self,
			  const gchar *name,
			  GCancellable *cancellable,
			  GError **error)
{
	g_autoptr(UbPartition) part = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    "Erase is not allowed in Lock State",
					    cancellable,
					    error);
	part = ub_sim_fastboot_find_partition(self, name);
	if (part == NULL)
		return ub_sim_fastboot_fail(self,
					    ub_sim_fastboot_unknown_partition_text(self, name),
					    cancellable,
					    error);
	if (!ub_sim_storage_erase_partition(ub_sim_fastboot_get_storage(self),
					    name,
					    &error_local)) {
		g_debug("sim: %s", error_local->message);
		return ub_sim_fastboot_fail(self, "failed to erase partition", cancellable, error);
	}
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

/* fetch:NAME[:OFFSET[:SIZE]], as fastbootd implements it */
static gboolean
ub_sim_fastboot_cmd_fetch(UbSimFastboot *self,
			  const gchar *arg,
			  GCancellable *cancellable,
			  GError **error)
{
	g_auto(GStrv) split = g_strsplit(arg, ":", -1);
	guint n_split = g_strv_length(split);
	g_autoptr(UbPartition) part = NULL;
	guint64 psize;
	guint64 offset = 0;
	guint64 size;
	guint64 done = 0;
	g_autofree gchar *data = NULL;
	g_autofree guint8 *buf = NULL;

	if (!self->unlocked)
		return ub_sim_fastboot_fail(self,
					    "Fetch is not allowed on locked devices",
					    cancellable,
					    error);
	if (n_split < 1 || n_split > 3)
		return ub_sim_fastboot_fail(self, "Invalid fetch argument", cancellable, error);
	part = ub_sim_fastboot_find_partition(self, split[0]);
	if (part == NULL)
		return ub_sim_fastboot_fail(self,
					    ub_sim_fastboot_unknown_partition_text(self, split[0]),
					    cancellable,
					    error);
	psize = ub_partition_get_size(part);
	if (n_split >= 2 && !ub_fastboot_parse_size(split[1], FALSE, &offset, NULL))
		return ub_sim_fastboot_fail(self, "Invalid offset", cancellable, error);
	if (offset > psize)
		return ub_sim_fastboot_fail(self, "Offset overflows", cancellable, error);
	size = psize - offset;
	if (n_split == 3) {
		guint64 want = 0;
		if (!ub_fastboot_parse_size(split[2], FALSE, &want, NULL))
			return ub_sim_fastboot_fail(self, "Invalid size", cancellable, error);
		if (want > size)
			return ub_sim_fastboot_fail(self, "Size overflows", cancellable, error);
		size = want;
	}
	if (size > self->max_download_size)
		return ub_sim_fastboot_fail(self,
					    "Fetch size is larger than max-fetch-size",
					    cancellable,
					    error);

	data = g_strdup_printf("%08x", (guint)size);
	if (!ub_sim_fastboot_reply(self, "DATA", data, cancellable, error))
		return FALSE;
	buf = g_malloc(UB_SIM_FASTBOOT_CHUNK);
	while (done < size) {
		gsize chunk = (gsize)MIN((guint64)UB_SIM_FASTBOOT_CHUNK, size - done);
		if (!ub_sim_storage_read_partition(ub_sim_fastboot_get_storage(self),
						   split[0],
						   offset + done,
						   buf,
						   chunk,
						   error))
			return FALSE;
		if (!ub_fastboot_wire_write(self->wire,
					    buf,
					    chunk,
					    UB_SIM_FASTBOOT_WRITE_TIMEOUT_MS,
					    cancellable,
					    error))
			return FALSE;
		done += chunk;
	}
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

static gboolean
ub_sim_fastboot_cmd_set_active(UbSimFastboot *self,
			       const gchar *arg,
			       GCancellable *cancellable,
			       GError **error)
{
	if (arg[0] == '_')
		arg++;
	if ((g_strcmp0(arg, "a") != 0 && g_strcmp0(arg, "b") != 0))
		return ub_sim_fastboot_fail(self, "Invalid slot", cancellable, error);
	self->current_slot = arg[0];
	return ub_sim_fastboot_okay(self, "", cancellable, error);
}

/* handles one command; sets self->reboot_target when the phone leaves */
static gboolean
ub_sim_fastboot_dispatch(UbSimFastboot *self,
			 const gchar *command,
			 GCancellable *cancellable,
			 GError **error)
{
	static const struct {
		const gchar *command;
		const gchar *target;
	} reboots[] = {
	    {"reboot", "system"},
	    {"continue", "system"},
	    {"reboot-bootloader", "bootloader"},
	    {"reboot-fastboot", "fastboot"},
	    {"reboot-recovery", "recovery"},
	};
	const gchar *colon = strchr(command, ':');
	const gchar *arg = colon != NULL ? colon + 1 : "";
	g_autofree gchar *verb =
	    colon != NULL ? g_strndup(command, colon - command) : g_strdup(command);

	if (g_strcmp0(verb, "getvar") == 0)
		return ub_sim_fastboot_cmd_getvar(self, arg, cancellable, error);
	if (g_strcmp0(verb, "download") == 0)
		return ub_sim_fastboot_cmd_download(self, arg, cancellable, error);
	if (g_strcmp0(verb, "flash") == 0)
		return ub_sim_fastboot_cmd_flash(self, arg, cancellable, error);
	if (g_strcmp0(verb, "erase") == 0)
		return ub_sim_fastboot_cmd_erase(self, arg, cancellable, error);
	if (g_strcmp0(verb, "fetch") == 0)
		return ub_sim_fastboot_cmd_fetch(self, arg, cancellable, error);
	if (g_strcmp0(verb, "set_active") == 0)
		return ub_sim_fastboot_cmd_set_active(self, arg, cancellable, error);
	for (guint i = 0; i < G_N_ELEMENTS(reboots); i++) {
		if (colon == NULL && g_strcmp0(command, reboots[i].command) == 0) {
			if (!ub_sim_fastboot_okay(self, "", cancellable, error))
				return FALSE;
			g_free(self->reboot_target);
			self->reboot_target = g_strdup(reboots[i].target);
			return TRUE;
		}
	}
	{
		g_autofree gchar *msg = g_strdup_printf("Unrecognized command %s", verb);
		return ub_sim_fastboot_fail(self, msg, cancellable, error);
	}
}

static gboolean
ub_sim_fastboot_handle(UbSimFastboot *self,
		       const guint8 *buf,
		       gsize bufsz,
		       GCancellable *cancellable,
		       GError **error)
{
	gboolean nak = ub_sim_personality_count_command(UB_SIM_PERSONALITY(self));
	g_autofree gchar *command = NULL;

	if (bufsz > UB_FASTBOOT_COMMAND_MAX)
		return ub_sim_fastboot_fail(self, "Command too long", cancellable, error);
	for (gsize i = 0; i < bufsz; i++) {
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return ub_sim_fastboot_fail(self,
						    "Command contains control character",
						    cancellable,
						    error);
	}
	command = g_strndup((const gchar *)buf, bufsz);
	g_debug("sim > %s", command);
	if (nak)
		return ub_sim_fastboot_fail(self, "simulated failure", cancellable, error);
	return ub_sim_fastboot_dispatch(self, command, cancellable, error);
}

static gboolean
ub_sim_fastboot_serve(UbSimPersonality *personality,
		      UbTransport *transport,
		      GCancellable *cancellable,
		      GError **error)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(personality);
	gboolean ret = FALSE;

	g_clear_pointer(&self->reboot_target, g_free);
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	self->wire = ub_fastboot_wire_new(transport, self->tcp);
	if (!ub_fastboot_wire_handshake(self->wire, FALSE, 0, cancellable, error)) {
		g_clear_pointer(&self->wire, ub_fastboot_wire_free);
		return FALSE;
	}
	for (;;) {
		guint8 buf[UB_SIM_FASTBOOT_COMMAND_BUF + 1];
		g_autoptr(GError) error_local = NULL;
		gssize n = ub_fastboot_wire_read_packet(self->wire,
							buf,
							sizeof(buf),
							0,
							cancellable,
							&error_local);
		if (n < 0 && g_error_matches(error_local, UB_ERROR, UB_ERROR_PROTOCOL) &&
		    ub_fastboot_wire_get_tcp(self->wire)) {
			/* an oversized frame: refuse it, then drop its bytes */
			g_debug("sim: %s", error_local->message);
			(void)ub_sim_personality_count_command(personality);
			if (!ub_fastboot_wire_skip_frame(self->wire, 0, cancellable, error))
				break;
			if (!ub_sim_fastboot_fail(self, "Command too long", cancellable, error))
				break;
			continue;
		}
		/* the host went away between commands: a clean end */
		if (n < 0 && g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE)) {
			g_debug("sim: host disconnected: %s", error_local->message);
			ret = TRUE;
			break;
		}
		if (n < 0) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			break;
		}
		if (!ub_sim_fastboot_handle(self, buf, (gsize)n, cancellable, error))
			break;
		if (self->reboot_target != NULL) {
			ret = TRUE;
			break;
		}
	}
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	return ret;
}

/**
 * ub_sim_fastboot_new:
 * @storage: the phone's storage
 * @faults: (nullable): faults to inject
 *
 * Returns: (transfer full): a bootloader fastboot personality
 */
UbSimPersonality *
ub_sim_fastboot_new(UbSimStorage *storage, UbSimFaults *faults)
{
	return g_object_new(UB_TYPE_SIM_FASTBOOT, "storage", storage, "faults", faults, NULL);
}

void
ub_sim_fastboot_set_tcp(UbSimFastboot *self, gboolean tcp)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	self->tcp = tcp;
}

void
ub_sim_fastboot_set_max_download_size(UbSimFastboot *self, guint32 max_download_size)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	g_return_if_fail(max_download_size > 0);
	self->max_download_size = max_download_size;
}

void
ub_sim_fastboot_set_unlocked(UbSimFastboot *self, gboolean unlocked)
{
	g_return_if_fail(UB_IS_SIM_FASTBOOT(self));
	self->unlocked = unlocked;
}

/**
 * ub_sim_fastboot_get_reboot_target:
 * @self: a #UbSimFastboot
 *
 * Returns: (nullable): "system", "bootloader", "fastboot" or "recovery" after
 * serve() ended with a reboot, else %NULL
 */
const gchar *
ub_sim_fastboot_get_reboot_target(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), NULL);
	return self->reboot_target;
}

guint
ub_sim_fastboot_get_download_count(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), 0);
	return (guint)g_atomic_int_get(&self->download_count);
}

guint
ub_sim_fastboot_get_flash_count(UbSimFastboot *self)
{
	g_return_val_if_fail(UB_IS_SIM_FASTBOOT(self), 0);
	return (guint)g_atomic_int_get(&self->flash_count);
}

static void
ub_sim_fastboot_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(object);
	switch (prop_id) {
	case PROP_TCP:
		g_value_set_boolean(value, self->tcp);
		break;
	case PROP_MAX_DOWNLOAD_SIZE:
		g_value_set_uint(value, self->max_download_size);
		break;
	case PROP_UNLOCKED:
		g_value_set_boolean(value, self->unlocked);
		break;
	case PROP_PRODUCT:
		g_value_set_string(value, self->product);
		break;
	case PROP_SERIALNO:
		g_value_set_string(value, self->serialno);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_sim_fastboot_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(object);
	switch (prop_id) {
	case PROP_TCP:
		self->tcp = g_value_get_boolean(value);
		break;
	case PROP_MAX_DOWNLOAD_SIZE:
		self->max_download_size = g_value_get_uint(value);
		break;
	case PROP_UNLOCKED:
		self->unlocked = g_value_get_boolean(value);
		break;
	case PROP_PRODUCT:
		g_free(self->product);
		self->product = g_value_dup_string(value);
		break;
	case PROP_SERIALNO:
		g_free(self->serialno);
		self->serialno = g_value_dup_string(value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
ub_sim_fastboot_finalize(GObject *object)
{
	UbSimFastboot *self = UB_SIM_FASTBOOT(object);
	g_clear_pointer(&self->wire, ub_fastboot_wire_free);
	g_free(self->download_buf);
	g_free(self->reboot_target);
	g_free(self->product);
	g_free(self->serialno);
	G_OBJECT_CLASS(ub_sim_fastboot_parent_class)->finalize(object);
}

static void
ub_sim_fastboot_init(UbSimFastboot *self)
{
	self->current_slot = 'a';
}

static void
ub_sim_fastboot_class_init(UbSimFastbootClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	UbSimPersonalityClass *personality_class = UB_SIM_PERSONALITY_CLASS(klass);
	object_class->get_property = ub_sim_fastboot_get_property;
	object_class->set_property = ub_sim_fastboot_set_property;
	object_class->finalize = ub_sim_fastboot_finalize;
	personality_class->serve = ub_sim_fastboot_serve;

	g_object_class_install_property(
	    object_class,
	    PROP_TCP,
	    g_param_spec_boolean("tcp",
				 NULL,
				 NULL,
				 FALSE,
				 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_MAX_DOWNLOAD_SIZE,
	    g_param_spec_uint("max-download-size",
			      NULL,
			      NULL,
			      1,
			      G_MAXUINT32,
			      UB_SIM_FASTBOOT_MAX_DOWNLOAD_SIZE_DEFAULT,
			      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_UNLOCKED,
	    g_param_spec_boolean("unlocked",
				 NULL,
				 NULL,
				 TRUE,
				 G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_PRODUCT,
	    g_param_spec_string("product",
				NULL,
				NULL,
				"unbrick_sim",
				G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
	g_object_class_install_property(
	    object_class,
	    PROP_SERIALNO,
	    g_param_spec_string("serialno",
				NULL,
				NULL,
				"UBSIM0001",
				G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
}
