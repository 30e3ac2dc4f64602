/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ub-checksum-output-stream.h"
#include "ub-compare-output-stream.h"
#include "ub-error.h"
#include "ub-plan-executor.h"

/*
 * The one place where Download / Read back / Format semantics and the safety
 * rules live. Engines only move bytes; this decides whether moving them is
 * safe, checks everything it can before the first byte is written, backs up
 * calibration data the user agreed to overwrite, and verifies what it wrote.
 */

typedef struct {
	UbPlanOp *op;
	gchar *name;		/* the partition written: op->partition with its slot */
	UbPartition *partition; /* nullable, not owned */
	guint64 size;		/* bytes this op moves */
	gboolean backup;	/* calibration data the user agreed to overwrite */
	gboolean verify;
} UbPlanStep;

static gboolean
ub_plan_op_targets_calibration(UbPlanOp *op, const gchar *name)
{
	if (op->kind != UB_PLAN_OP_WRITE && op->kind != UB_PLAN_OP_ERASE)
		return FALSE;
	return ub_partition_name_is_calibration(name);
}

static void
ub_plan_step_clear(UbPlanStep *step)
{
	g_free(step->name);
}

static gboolean
ub_plan_file_size(const gchar *path, guint64 *size, GError **error)
{
	GStatBuf st = {0};
	if (g_stat(path, &st) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_NOT_FOUND,
			    "cannot read image %s: %s",
			    path,
			    g_strerror(errno));
		return FALSE;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(error, UB_ERROR, UB_ERROR_INVALID_DATA, "%s is not a regular file", path);
		return FALSE;
	}
	*size = (guint64)st.st_size;
	return TRUE;
}

static gboolean
ub_plan_check_op(UbPlan *plan,
		 UbPlanOp *op,
		 const gchar *name,
		 GPtrArray *partitions,
		 UbPlanStep *step,
		 GError **error)
{
	UbPartition *part = NULL;

	step->op = op;
	step->name = g_strdup(name);
	if (op->kind == UB_PLAN_OP_REBOOT)
		return TRUE;
	if (name == NULL && op->region == NULL) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_INVALID_DATA,
			    "%s needs a partition name or a region",
			    ub_plan_op_kind_to_string(op->kind));
		return FALSE;
	}

	/* the target must exist on this phone: a missing name usually means a
	 * package for another model */
	if (name != NULL && partitions != NULL) {
		part = ub_partition_array_find(partitions, name);
		if (part == NULL) {
			g_autofree gchar *name_a = g_strdup_printf("%s_a", name);
			g_autofree gchar *name_b = g_strdup_printf("%s_b", name);
			if (ub_partition_array_find(partitions, name_a) != NULL &&
			    ub_partition_array_find(partitions, name_b) != NULL) {
				g_set_error(error,
					    UB_ERROR,
					    UB_ERROR_NOT_FOUND,
					    "the phone has two slots of '%s': name one, %s or %s",
					    name,
					    name_a,
					    name_b);
				return FALSE;
			}
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_NOT_FOUND,
				    "the phone has no partition called '%s'; check that the "
				    "package is for this model",
				    name);
			return FALSE;
		}
		if (op->offset > ub_partition_get_size(part) ||
		    op->length > ub_partition_get_size(part) - op->offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "range 0x%" G_GINT64_MODIFIER "x+0x%" G_GINT64_MODIFIER
				    "x is outside partition '%s' (0x%" G_GINT64_MODIFIER "x bytes)",
				    op->offset,
				    op->length,
				    name,
				    ub_partition_get_size(part));
			return FALSE;
		}
	}
	step->partition = part;

	/* calibration data is never touched without consent, and then backed up */
	if (ub_plan_op_targets_calibration(op, name)) {
		if (!ub_plan_get_allow_calibration(plan)) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "'%s' holds this phone's calibration data (IMEI, radio "
				    "calibration, MAC addresses) that no firmware package can "
				    "restore; it is left alone unless you explicitly allow "
				    "changing calibration partitions",
				    name);
			return FALSE;
		}
		step->backup = TRUE;
	}

	switch (op->kind) {
	case UB_PLAN_OP_WRITE:
		if (op->path == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no image file given for '%s'",
				    name != NULL ? name : op->region);
			return FALSE;
		}
		if (!ub_plan_file_size(op->path, &step->size, error))
			return FALSE;
		if (op->length != 0 && step->size > op->length) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "image %s (%" G_GUINT64_FORMAT " bytes) is larger than the "
				    "%" G_GUINT64_FORMAT " bytes given for it",
				    op->path,
				    step->size,
				    op->length);
			return FALSE;
		}
		if (part != NULL && step->size > ub_partition_get_size(part) - op->offset) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_REFUSED,
				    "image %s (%" G_GUINT64_FORMAT " bytes) is larger than "
				    "partition '%s' (%" G_GUINT64_FORMAT " bytes); check that the "
				    "package is for this model",
				    op->path,
				    step->size,
				    name,
				    ub_partition_get_size(part) - op->offset);
			return FALSE;
		}
		step->verify = ub_plan_get_verify(plan);
		break;
	case UB_PLAN_OP_READ:
		if (op->path == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "no output file given for '%s'",
				    name != NULL ? name : op->region);
			return FALSE;
		}
		step->size = op->length;
		if (step->size == 0 && part != NULL)
			step->size = ub_partition_get_size(part) - op->offset;
		break;
	case UB_PLAN_OP_ERASE:
		step->size = 0;
		break;
	case UB_PLAN_OP_REBOOT:
	case UB_PLAN_OP_LAST:
	default:
		break;
	}
	return TRUE;
}

/* the names an operation acts on: a partition that only exists with slots
 * goes to the current slot, the named one, or both */
static GPtrArray *
ub_plan_op_names(UbPlanOp *op, UbDevice *device, GPtrArray *partitions, UbProgress *progress)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *name_a = NULL;
	g_autofree gchar *name_b = NULL;
	const gchar *slot;

	if (op->partition == NULL || partitions == NULL || device == NULL ||
	    ub_partition_array_find(partitions, op->partition) != NULL) {
		g_ptr_array_add(names, g_strdup(op->partition));
		return names;
	}
	name_a = g_strdup_printf("%s_a", op->partition);
	name_b = g_strdup_printf("%s_b", op->partition);
	if (g_strcmp0(op->slot, "all") == 0 && ub_partition_array_find(partitions, name_a) != NULL &&
	    ub_partition_array_find(partitions, name_b) != NULL) {
		g_ptr_array_add(names, g_steal_pointer(&name_a));
		g_ptr_array_add(names, g_steal_pointer(&name_b));
		return names;
	}
	slot = ub_device_resolve_slot(device, partitions, op->partition, op->slot);
	if (slot == NULL) {
		g_ptr_array_add(names, g_strdup(op->partition));
		return names;
	}
	if (progress != NULL)
		ub_progress_log(progress,
				"%s has A/B slots: using %s_%s (%s)",
				op->partition,
				op->partition,
				slot,
				op->slot != NULL ? "the slot asked for" : "the current slot");
	g_ptr_array_add(names, g_strdup_printf("%s_%s", op->partition, slot));
	return names;
}

static GArray *
ub_plan_check(UbPlan *plan,
	      UbDevice *device,
	      GPtrArray *partitions,
	      UbProgress *progress,
	      GError **error)
{
	GPtrArray *ops = ub_plan_get_ops(plan);
	g_autoptr(GArray) steps = g_array_sized_new(FALSE, TRUE, sizeof(UbPlanStep), ops->len);
	g_array_set_clear_func(steps, (GDestroyNotify)ub_plan_step_clear);
	for (guint i = 0; i < ops->len; i++) {
		UbPlanOp *op = g_ptr_array_index(ops, i);
		g_autoptr(GPtrArray) names = ub_plan_op_names(op, device, partitions, progress);
		for (guint j = 0; j < names->len; j++) {
			UbPlanStep step = {0};
			if (!ub_plan_check_op(plan,
					      op,
					      g_ptr_array_index(names, j),
					      partitions,
					      &step,
					      error)) {
				ub_plan_step_clear(&step);
				return NULL;
			}
			g_array_append_val(steps, step);
		}
	}
	return g_steal_pointer(&steps);
}

/**
 * ub_plan_preflight:
 * @plan: a #UbPlan
 * @partitions: (nullable) (element-type UbPartition): the device's partitions, if known
 * @error: (nullable): return location for a #GError
 *
 * Checks the plan without touching a device: files present, images fit,
 * targets exist, calibration consent. Front-ends call it to show problems
 * before the user can start; ub_plan_execute() calls it again.
 *
 * Returns: %TRUE if the plan may run
 */
gboolean
ub_plan_preflight(UbPlan *plan, GPtrArray *partitions, GError **error)
{
	g_autoptr(GArray) steps = ub_plan_check(plan, NULL, partitions, NULL, error);
	return steps != NULL;
}

static gchar *
ub_plan_default_backup_dir(UbDevice *device)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
	const gchar *serial = ub_device_get_serial(device);
	g_autofree gchar *safe = g_strdup(serial != NULL ? serial : "unknown");
	g_strcanon(safe, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", '_');
	return g_build_filename(g_get_user_data_dir(), "unbrick", "backups", safe, stamp, NULL);
}

/* @sha256 non-NULL hashes on the way (backups); plain read backs skip it,
 * SHA-256 would cost as much CPU as the transfer itself */
static gboolean
ub_plan_read_to_file(UbDevice *device,
		     const UbDeviceLocation *loc,
		     const gchar *path,
		     gchar **sha256,
		     UbProgress *progress,
		     GCancellable *cancellable,
		     GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileOutputStream) out = NULL;
	g_autoptr(GOutputStream) hashed = NULL;
	GOutputStream *sink;
	g_autofree gchar *tmp_path = g_strdup_printf("%s.part", path);
	g_autoptr(GFile) tmp_file = g_file_new_for_path(tmp_path);

	/* write to .part and rename, so a half read never looks like a backup */
	out = g_file_replace(tmp_file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
	if (out == NULL) {
		ub_error_convert(error);
		g_prefix_error(error, "cannot create %s: ", tmp_path);
		return FALSE;
	}
	if (sha256 != NULL)
		hashed = ub_checksum_output_stream_new(G_OUTPUT_STREAM(out));
	sink = hashed != NULL ? hashed : G_OUTPUT_STREAM(out);
	if (!ub_device_read(device, loc, sink, progress, cancellable, error)) {
		g_output_stream_close(sink, NULL, NULL);
		g_file_delete(tmp_file, NULL, NULL);
		return FALSE;
	}
	if (!g_output_stream_close(sink, cancellable, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	if (!g_file_move(tmp_file, file, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, error)) {
		ub_error_convert(error);
		return FALSE;
	}
	if (sha256 != NULL)
		*sha256 = g_strdup(
		    ub_checksum_output_stream_get_sha256(UB_CHECKSUM_OUTPUT_STREAM(hashed)));
	return TRUE;
}

static gboolean
ub_plan_backup(UbDevice *device,
	       UbPlanStep *step,
	       const gchar *backup_dir,
	       UbProgress *progress,
	       GCancellable *cancellable,
	       GError **error)
{
	UbDeviceLocation loc = {.partition = step->name};
	g_autofree gchar *basename = g_strdup_printf("%s.img", step->name);
	g_autofree gchar *path = g_build_filename(backup_dir, basename, NULL);
	g_autofree gchar *sha256 = NULL;

	if (!ub_device_can_read(device)) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_REFUSED,
			    "'%s' holds calibration data and this phone cannot be read back "
			    "in its current mode, so it cannot be backed up first; nothing "
			    "was changed",
			    step->name);
		return FALSE;
	}
	if (g_mkdir_with_parents(backup_dir, 0700) != 0) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PERMISSION_DENIED,
			    "cannot create backup folder %s: %s",
			    backup_dir,
			    g_strerror(errno));
		return FALSE;
	}
	if (!ub_plan_read_to_file(device, &loc, path, &sha256, progress, cancellable, error)) {
		g_prefix_error(error, "failed to back up %s: ", step->name);
		return FALSE;
	}
	ub_progress_log(progress, "backed up %s to %s (sha256 %s)", loc.partition, path, sha256);
	return TRUE;
}

static GInputStream *
ub_plan_open_image(const gchar *path, GCancellable *cancellable, GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileInputStream) in = g_file_read(file, cancellable, error);
	if (in == NULL) {
		ub_error_convert(error);
		return NULL;
	}
	return G_INPUT_STREAM(g_steal_pointer(&in));
}

static gboolean
ub_plan_write(UbDevice *device,
	      UbPlanStep *step,
	      UbProgress *progress,
	      GCancellable *cancellable,
	      GError **error)
{
	UbPlanOp *op = step->op;
	UbDeviceLocation loc = {
	    .partition = step->name,
	    .region = op->region,
	    .offset = op->offset,
	    .length = op->length,
	};
	g_autoptr(GInputStream) in = ub_plan_open_image(op->path, cancellable, error);
	if (in == NULL)
		return FALSE;
	return ub_device_write(device, &loc, in, step->size, progress, cancellable, error);
}

static gboolean
ub_plan_verify(UbDevice *device,
	       UbPlanStep *step,
	       UbProgress *progress,
	       GCancellable *cancellable,
	       GError **error)
{
	UbPlanOp *op = step->op;
	const gchar *name = step->name != NULL ? step->name : op->region;
	UbDeviceLocation loc = {
	    .partition = step->name,
	    .region = op->region,
	    .offset = op->offset,
	    .length = step->size,
	};
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GOutputStream) compare = NULL;
	if (step->size == 0)
		return TRUE;
	in = ub_plan_open_image(op->path, cancellable, error);
	if (in == NULL)
		return FALSE;
	compare = ub_compare_output_stream_new(in, name);
	if (!ub_device_read(device, &loc, compare, progress, cancellable, error)) {
		if (g_error_matches(*error, UB_ERROR, UB_ERROR_INVALID_DATA))
			g_prefix_error(error, "verification failed; the storage may be failing: ");
		else
			g_prefix_error(error, "failed to verify: ");
		return FALSE;
	}
	if (ub_compare_output_stream_get_bytes(UB_COMPARE_OUTPUT_STREAM(compare)) != step->size) {
		g_set_error(error,
			    UB_ERROR,
			    UB_ERROR_PROTOCOL,
			    "verification of %s read back %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
			    " bytes",
			    name,
			    ub_compare_output_stream_get_bytes(UB_COMPARE_OUTPUT_STREAM(compare)),
			    step->size);
		return FALSE;
	}
	ub_progress_log(progress, "verified %s (%" G_GUINT64_FORMAT " bytes)", name, step->size);
	return TRUE;
}

static gboolean
ub_plan_run_step(UbPlan *plan,
		 UbDevice *device,
		 UbPlanStep *step,
		 const gchar *backup_dir,
		 UbProgress *progress,
		 GCancellable *cancellable,
		 GError **error)
{
	UbPlanOp *op = step->op;
	const gchar *name = step->name != NULL ? step->name : op->region;
	UbDeviceLocation loc = {
	    .partition = step->name,
	    .region = op->region,
	    .offset = op->offset,
	    .length = op->length,
	};

	/* phases, weighted by the bytes they move */
	if (step->backup) {
		guint64 psize = step->partition != NULL ? ub_partition_get_size(step->partition) : 1;
		ub_progress_add_step(progress, UB_STATUS_BACKING_UP, MAX(psize / 4096, 1), name);
	}
	switch (op->kind) {
	case UB_PLAN_OP_WRITE:
		ub_progress_add_step(progress, UB_STATUS_WRITING, MAX(step->size / 4096, 1), name);
		if (step->verify)
			ub_progress_add_step(progress,
					     UB_STATUS_VERIFYING,
					     MAX(step->size / 4096, 1),
					     name);
		break;
	case UB_PLAN_OP_READ:
		ub_progress_add_step(progress, UB_STATUS_READING, MAX(step->size / 4096, 1), name);
		break;
	case UB_PLAN_OP_ERASE:
		ub_progress_add_step(progress, UB_STATUS_ERASING, 1, name);
		break;
	case UB_PLAN_OP_REBOOT:
		ub_progress_add_step(progress, UB_STATUS_REBOOTING, 1, NULL);
		break;
	case UB_PLAN_OP_LAST:
	default:
		g_set_error(error, UB_ERROR, UB_ERROR_INTERNAL, "unknown operation %u", op->kind);
		return FALSE;
	}

	if (step->backup) {
		if (!ub_plan_backup(device,
				    step,
				    backup_dir,
				    ub_progress_get_child(progress),
				    cancellable,
				    error))
			return FALSE;
		ub_progress_step_done(progress);
	}

	switch (op->kind) {
	case UB_PLAN_OP_WRITE: {
		if (!ub_plan_write(device, step, ub_progress_get_child(progress), cancellable, error))
			return FALSE;
		ub_progress_log(progress, "wrote %s from %s", name, op->path);
		ub_progress_step_done(progress);
		if (step->verify) {
			if (!ub_device_can_read(device)) {
				ub_progress_log(progress,
						"not verifying %s: this mode cannot read back",
						name);
			} else if (!ub_plan_verify(device,
						   step,
						   ub_progress_get_child(progress),
						   cancellable,
						   error)) {
				return FALSE;
			}
			ub_progress_step_done(progress);
		}
		break;
	}
	case UB_PLAN_OP_READ: {
		if (!ub_plan_read_to_file(device,
					  &loc,
					  op->path,
					  NULL,
					  ub_progress_get_child(progress),
					  cancellable,
					  error))
			return FALSE;
		ub_progress_log(progress, "read %s into %s", name, op->path);
		ub_progress_step_done(progress);
		break;
	}
	case UB_PLAN_OP_ERASE:
		if (!ub_device_erase(device,
				     &loc,
				     ub_progress_get_child(progress),
				     cancellable,
				     error))
			return FALSE;
		ub_progress_log(progress, "erased %s", name);
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_REBOOT:
		if (!ub_device_reboot(device, op->reboot_mode, cancellable, error))
			return FALSE;
		ub_progress_step_done(progress);
		break;
	case UB_PLAN_OP_LAST:
	default:
		break;
	}
	return TRUE;
}

static guint64
ub_plan_step_weight(UbPlanStep *step)
{
	guint64 weight = MAX(step->size, 4096);
	if (step->verify)
		weight += step->size;
	if (step->backup && step->partition != NULL)
		weight += ub_partition_get_size(step->partition);
	return weight;
}

/**
 * ub_plan_execute:
 * @plan: a #UbPlan
 * @device: a #UbDevice, not yet opened
 * @progress: a #UbProgress
 * @cancellable: (nullable): a #GCancellable
 * @error: (nullable): return location for a #GError
 *
 * Connects, identifies, reads the partition table, checks every operation
 * before doing any, then runs them: backups first, writes with verification,
 * reads into .part files renamed when complete.
 *
 * Returns: %TRUE if every operation succeeded
 */
gboolean
ub_plan_execute(UbPlan *plan,
		UbDevice *device,
		UbProgress *progress,
		GCancellable *cancellable,
		GError **error)
{
	g_autoptr(GPtrArray) partitions = NULL;
	g_autoptr(GArray) steps = NULL;
	g_autofree gchar *backup_dir = NULL;
	g_autoptr(GError) error_local = NULL;
	guint64 bytes_total = 0;

	g_return_val_if_fail(UB_IS_PLAN(plan), FALSE);
	g_return_val_if_fail(UB_IS_DEVICE(device), FALSE);

	ub_progress_add_step(progress, UB_STATUS_CONNECTING, 2, NULL);
	ub_progress_add_step(progress, UB_STATUS_IDENTIFYING, 2, NULL);
	ub_progress_add_step(progress, UB_STATUS_CHECKING, 1, NULL);
	ub_progress_add_step(progress, UB_STATUS_BUSY, 95, NULL);

	/* connect */
	if (!ub_device_open(device, ub_progress_get_child(progress), cancellable, error))
		return FALSE;
	ub_progress_step_done(progress);

	/* identify */
	if (!ub_device_identify(device, cancellable, error))
		return FALSE;
	ub_progress_log(progress,
			"found %s %s (serial %s) in %s mode",
			ub_protocol_to_string(ub_device_get_protocol(device)),
			ub_device_get_chip(device) != NULL ? ub_device_get_chip(device) : "device",
			ub_device_get_serial(device) != NULL ? ub_device_get_serial(device) : "?",
			ub_device_mode_to_string(ub_device_get_mode(device)));
	partitions = ub_device_list_partitions(device, cancellable, &error_local);
	if (partitions == NULL) {
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_NOT_SUPPORTED)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		ub_progress_log(progress, "partition table not available: %s", error_local->message);
	}
	ub_progress_step_done(progress);

	/* everything is checked before anything is written */
	steps = ub_plan_check(plan, device, partitions, progress, error);
	if (steps == NULL) {
		g_prefix_error(error, "refusing to start: ");
		return FALSE;
	}
	for (guint i = 0; i < steps->len; i++)
		bytes_total += ub_plan_step_weight(&g_array_index(steps, UbPlanStep, i));
	ub_progress_set_bytes_total(progress, bytes_total);
	backup_dir = g_strdup(ub_plan_get_backup_dir(plan));
	if (backup_dir == NULL)
		backup_dir = ub_plan_default_backup_dir(device);
	ub_progress_step_done(progress);

	/* run */
	{
		UbProgress *progress_ops = ub_progress_get_child(progress);
		for (guint i = 0; i < steps->len; i++) {
			UbPlanStep *step = &g_array_index(steps, UbPlanStep, i);
			const gchar *name =
			    step->name != NULL ? step->name : step->op->region;
			ub_progress_add_step(progress_ops,
					     UB_STATUS_BUSY,
					     MAX(ub_plan_step_weight(step) / 4096, 1),
					     name);
		}
		for (guint i = 0; i < steps->len; i++) {
			UbPlanStep *step = &g_array_index(steps, UbPlanStep, i);
			if (g_cancellable_set_error_if_cancelled(cancellable, error))
				return FALSE;
			if (!ub_plan_run_step(plan,
					      device,
					      step,
					      backup_dir,
					      ub_progress_get_child(progress_ops),
					      cancellable,
					      error))
				return FALSE;
			ub_progress_step_done(progress_ops);
		}
	}
	ub_progress_step_done(progress);
	return TRUE;
}
