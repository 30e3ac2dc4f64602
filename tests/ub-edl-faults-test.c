/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "edl/ub-edl-device.h"
#include "formats/ub-package-plan.h"
#include "sim/ub-sim-edl.h"
#include "sim/ub-sim-fault-transport.h"
#include "ub-core.h"
#include "ub-edl-test-common.h"
#include "ub-plan-executor.h"

/*
 * Fault injection into a small flat-build download (programmer upload,
 * configure, three images one of them sparse, both GPTs, DISK patches,
 * setbootablestoragedrive): a NAK of every command the phone receives, a
 * disconnect and a lost answer at the start of every step. Each must end the
 * download with a clear error that names where it stopped, and the progress
 * must never have moved past the step that failed.
 */

#define UB_FAULTS_STORAGE "emmc:1G"

/* one moment of a download: the step the progress shows and the phone's counters */
typedef struct {
	gchar *step;
	UbStatus status;
	guint commands;	     /* commands the phone had counted */
	guint64 bytes_in;    /* bytes the phone had received */
	guint transfers_out; /* transfers the phone had sent */
} UbFaultsMark;

typedef struct {
	UbEdlTestPhone *phone;
	GPtrArray *marks; /* of UbFaultsMark, one per step change */
	GPtrArray *logs;
	gdouble max_fraction;
} UbFaultsRun;

/* long enough for every answer of the clean run, even under ASan */
#define UB_FAULTS_TIMEOUT_LIMIT_MS 1000
/* answers dropped one at a time per step before one of them must fail it */
#define UB_FAULTS_DROP_TRIES 3

static gchar *ub_faults_dir = NULL;
static gchar *ub_faults_programmer = NULL;
static GPtrArray *ub_faults_clean = NULL; /* the clean run's marks */
static guint ub_faults_clean_commands = 0;
static UbEdlTestBuild *ub_faults_build = NULL;

static void
ub_faults_mark_free(UbFaultsMark *mark)
{
	g_free(mark->step);
	g_free(mark);
}

static void
ub_faults_changed_cb(UbProgress *progress, gpointer user_data)
{
	UbFaultsRun *run = user_data;
	const gchar *step = ub_progress_get_step_name(progress);
	UbStatus status = ub_progress_get_status(progress);
	UbFaultsMark *last = run->marks->len > 0 ? g_ptr_array_index(run->marks, run->marks->len - 1)
						 : NULL;
	UbSimFaultTransport *ft;
	UbFaultsMark *mark;

	run->max_fraction = MAX(run->max_fraction, ub_progress_get_fraction(progress));
	if (last != NULL && g_strcmp0(last->step, step) == 0 && last->status == status)
		return;
	ft = UB_SIM_FAULT_TRANSPORT(ub_sim_phone_get_transport(run->phone->phone));
	mark = g_new0(UbFaultsMark, 1);
	mark->step = g_strdup(step);
	mark->status = status;
	mark->commands =
	    ub_sim_personality_get_command_count(ub_sim_phone_get_personality(run->phone->phone));
	mark->bytes_in = ub_sim_fault_transport_get_bytes_received(ft);
	mark->transfers_out = ub_sim_fault_transport_get_transfers_sent(ft);
	g_ptr_array_add(run->marks, mark);
}

static void
ub_faults_log_cb(UbProgress *progress, const gchar *msg, gpointer user_data)
{
	UbFaultsRun *run = user_data;
	g_ptr_array_add(run->logs, g_strdup(msg));
}

/* one download against a fresh phone with @faults; returns its error */
static GError *
ub_faults_download(const gchar *faults, UbFaultsRun *run)
{
	GError *error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(UbPackage) pkg = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autofree gchar *xml = g_build_filename(ub_faults_dir, "rawprogram0.xml", NULL);
	UbPackageOptions options = {.storage = "emmc"};
	UbPackagePlanOptions plan_options = {0};

	run->marks = g_ptr_array_new_with_free_func((GDestroyNotify)ub_faults_mark_free);
	run->logs = g_ptr_array_new_with_free_func(g_free);
	run->phone = ub_edl_test_phone_new(UB_FAULTS_STORAGE, faults, ub_faults_programmer, &error);
	g_assert_no_error(error);
	options.disk_size = ub_sim_storage_get_region_size(run->phone->storage, "user");
	ub_edl_device_set_memory_name(UB_EDL_DEVICE(run->phone->device), "emmc");
	/* a lost answer fails in a second instead of Firehose's 5 to 120 s */
	ub_edl_device_set_timeout_limit(UB_EDL_DEVICE(run->phone->device),
					UB_FAULTS_TIMEOUT_LIMIT_MS);
	g_signal_connect(progress, "changed", G_CALLBACK(ub_faults_changed_cb), run);
	g_signal_connect(progress, "log", G_CALLBACK(ub_faults_log_cb), run);

	pkg = ub_package_open(xml, &options, NULL, &error);
	g_assert_no_error(error);
	plan = ub_package_plan_to_plan(pkg, "flat-build", &plan_options, &error);
	g_assert_no_error(error);
	if (!ub_plan_execute(plan, run->phone->device, progress, NULL, &error))
		return error;
	return NULL;
}

static void
ub_faults_run_clear(UbFaultsRun *run)
{
	g_clear_pointer(&run->phone, ub_edl_test_phone_free);
	g_clear_pointer(&run->marks, g_ptr_array_unref);
	g_clear_pointer(&run->logs, g_ptr_array_unref);
	run->max_fraction = 0;
}

/* the clean run's step at which the phone had seen more than @commands commands */
static guint
ub_faults_clean_index_for_commands(guint commands)
{
	guint idx = 0;
	for (guint i = 0; i < ub_faults_clean->len; i++) {
		UbFaultsMark *mark = g_ptr_array_index(ub_faults_clean, i);
		if (mark->commands < commands)
			idx = i;
	}
	return idx;
}

/*
 * The faulty run showed no step beyond @failed_idx of the clean run: its steps
 * are a prefix of the clean ones, ending at or before the step that failed.
 */
static void
ub_faults_assert_no_step_past(UbFaultsRun *run, guint failed_idx, const gchar *what)
{
	guint j = 0;
	for (guint i = 0; i < run->marks->len; i++) {
		UbFaultsMark *mark = g_ptr_array_index(run->marks, i);
		gboolean found = FALSE;
		/* steps seen in the same order as in the clean run */
		for (; j < ub_faults_clean->len; j++) {
			UbFaultsMark *clean = g_ptr_array_index(ub_faults_clean, j);
			if (g_strcmp0(clean->step, mark->step) == 0 && clean->status == mark->status) {
				found = TRUE;
				break;
			}
		}
		if (!found || j > failed_idx) {
			g_test_message("%s: step '%s' (%s) shown, the failure was in clean step %u",
				       what,
				       mark->step,
				       ub_status_to_string(mark->status),
				       failed_idx);
		}
		g_assert_true(found);
		g_assert_cmpuint(j, <=, failed_idx);
	}
	g_assert_cmpfloat(run->max_fraction, <, 1.0);
}

/*
 * Whether @msg says where the download stopped: the words for the open()
 * steps, the refused command, or for an image the label ("boot: failed to
 * flash user@0x200000+0x400000: ...")
 */
static gboolean
ub_faults_names_step(const gchar *msg, const gchar *step)
{
	const gchar *words[][2] = {
	    {"sahara-hello", "HELLO"},
	    {"chip-info", "chip identity"},
	    {"programmer", "programmer"},
	    {"configure", "configure"},
	    {"storage", "storage"},
	    {"partition-tables", "partition table"},
	};
	if (strstr(msg, "<") != NULL)
		return TRUE;
	for (guint i = 0; i < G_N_ELEMENTS(words); i++) {
		if (g_strcmp0(step, words[i][0]) == 0)
			return strstr(msg, words[i][1]) != NULL;
	}
	return step == NULL || strstr(msg, step) != NULL;
}

static void
ub_faults_clean_func(void)
{
	UbFaultsRun run = {0};
	g_autoptr(GError) error = ub_faults_download(NULL, &run);
	g_assert_no_error(error);
	ub_faults_clean_commands =
	    ub_sim_personality_get_command_count(ub_sim_phone_get_personality(run.phone->phone));
	for (guint i = 0; i < run.marks->len; i++) {
		UbFaultsMark *mark = g_ptr_array_index(run.marks, i);
		g_test_message("step %u: '%s' %s after %u commands, %" G_GUINT64_FORMAT
			       " bytes in, %u transfers out",
			       i,
			       mark->step,
			       ub_status_to_string(mark->status),
			       mark->commands,
			       mark->bytes_in,
			       mark->transfers_out);
	}
	g_assert_cmpuint(ub_faults_clean_commands, >, 10);
	g_assert_cmpint(ub_sim_edl_get_bootable_lun(
			    UB_SIM_EDL(ub_sim_phone_get_personality(run.phone->phone))),
			==,
			0);
	ub_faults_clean = g_steal_pointer(&run.marks);
	ub_faults_run_clear(&run);
}

/* nak=K for every command K the clean run sent */
static void
ub_faults_nak_func(void)
{
	g_assert_nonnull(ub_faults_clean);
	for (guint k = 1; k <= ub_faults_clean_commands; k++) {
		UbFaultsRun run = {0};
		gboolean first_of_step = k == ub_faults_clean_commands;
		/* the first command of every step, the first patch, and the last
		 * (setbootablestoragedrive): each run costs the engine's log drains */
		for (guint i = 0; i < ub_faults_clean->len; i++) {
			UbFaultsMark *mark = g_ptr_array_index(ub_faults_clean, i);
			if (mark->commands + 1 == k)
				first_of_step = TRUE;
		}
		if (!first_of_step)
			continue;
		g_autofree gchar *spec = g_strdup_printf("nak=%u", k);
		g_autoptr(GError) error = ub_faults_download(spec, &run);
		guint idx = ub_faults_clean_index_for_commands(k);
		UbFaultsMark *clean = g_ptr_array_index(ub_faults_clean, idx);

		g_test_message("%s (clean step '%s'): %s",
			       spec,
			       clean->step,
			       error != NULL ? error->message : "no error");
		if (error == NULL) {
			/* a refused probe (getstorageinfo or GPT read of a LUN that may
			 * not exist) is not fatal, but then everything must be there */
			g_autoptr(GError) error_check = NULL;
			g_assert_true(ub_edl_test_build_check_storage(ub_faults_build,
								      run.phone->storage,
								      &error_check));
			g_assert_no_error(error_check);
			ub_faults_run_clear(&run);
			continue;
		}
		g_assert_true(error->domain == UB_ERROR);
		g_assert_true(error->code == UB_ERROR_REFUSED || error->code == UB_ERROR_PROTOCOL);
		/* the message says where it stopped: the step or the refused command */
		g_assert_true(ub_faults_names_step(error->message, clean->step));
		ub_faults_assert_no_step_past(&run, idx, spec);
		ub_faults_run_clear(&run);
	}
}

/* the phone goes away right after the first bytes of each step */
static void
ub_faults_disconnect_func(void)
{
	guint64 last = 0;
	g_assert_nonnull(ub_faults_clean);
	for (guint i = 0; i < ub_faults_clean->len; i++) {
		UbFaultsMark *clean = g_ptr_array_index(ub_faults_clean, i);
		UbFaultsRun run = {0};
		g_autofree gchar *spec = NULL;
		g_autoptr(GError) error = NULL;

		guint upto = i;
		if (i > 0 && clean->bytes_in == last)
			continue;
		last = clean->bytes_in;
		/* the steps that start before the next byte arrives */
		while (upto + 1 < ub_faults_clean->len &&
		       ((UbFaultsMark *)g_ptr_array_index(ub_faults_clean, upto + 1))->bytes_in == last)
			upto++;
		spec = g_strdup_printf("disconnect-after=%" G_GUINT64_FORMAT, clean->bytes_in + 1);
		error = ub_faults_download(spec, &run);
		g_test_message("%s (clean step '%s'): %s",
			       spec,
			       clean->step,
			       error != NULL ? error->message : "no error");
		g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
		g_assert_true(ub_faults_names_step(error->message, clean->step));
		ub_faults_assert_no_step_past(&run, upto, spec);
		ub_faults_run_clear(&run);
	}
}

/* the phone's first answer in each step is lost: the engine times out */
static void
ub_faults_timeout_func(void)
{
	guint last = G_MAXUINT;
	guint n_steps = 0;
	guint n_failed = 0;
	g_assert_nonnull(ub_faults_clean);

	/* the HELLO is lost (a serial port flushed on open): the engine answers it
	 * unasked after a second of silence, as qdl does, and the download runs */
	{
		UbFaultsRun run = {0};
		g_autoptr(GError) error = ub_faults_download("drop=1", &run);
		g_test_message("drop=1 (HELLO): %s", error != NULL ? error->message : "no error");
		g_assert_no_error(error);
		g_assert_cmpfloat(run.max_fraction, >=, 1.0);
		ub_faults_run_clear(&run);
	}
	/* each step: the phone's answers are lost one at a time, from its last
	 * (the response) back; a lost log changes nothing, a lost response or
	 * data ends the download with a timeout that names the step, or is
	 * recovered from (configure is sent again) and the download completes */
	for (guint i = 0; i < ub_faults_clean->len; i++) {
		UbFaultsMark *clean = g_ptr_array_index(ub_faults_clean, i);
		guint first = clean->transfers_out + 1;
		guint last_out = 0;
		gboolean failed = FALSE;
		guint upto = i;
		guint tries = 0;

		if (clean->transfers_out == last)
			continue;
		last = clean->transfers_out;
		/* the answers this step gets: up to where the next step starts */
		for (guint j = i + 1; j < ub_faults_clean->len; j++) {
			UbFaultsMark *later = g_ptr_array_index(ub_faults_clean, j);
			if (later->transfers_out != clean->transfers_out) {
				last_out = later->transfers_out;
				break;
			}
			upto = j;
		}
		if (last_out < first)
			continue;
		n_steps++;
		for (guint n = last_out; n >= first && !failed && tries < UB_FAULTS_DROP_TRIES;
		     n--, tries++) {
			UbFaultsRun run = {0};
			g_autofree gchar *spec = g_strdup_printf("drop=%u", n);
			gint64 start = g_get_monotonic_time();
			g_autoptr(GError) error = ub_faults_download(spec, &run);
			g_test_message("%s (clean step '%s'): %s after %.1f s",
				       spec,
				       clean->step,
				       error != NULL ? error->message : "no error",
				       (g_get_monotonic_time() - start) / 1e6);
			if (error == NULL) {
				/* recovered, or a log was lost: the download finished */
				g_assert_cmpfloat(run.max_fraction, >=, 1.0);
				ub_faults_run_clear(&run);
				continue;
			}
			/* Sahara cannot be resumed: the engine asks for a power
			 * cycle; Firehose times out */
			g_assert_true(g_error_matches(error, UB_ERROR, UB_ERROR_TIMED_OUT) ||
				      g_error_matches(error, UB_ERROR, UB_ERROR_NEEDS_REPLUG));
			g_assert_true(ub_faults_names_step(error->message, clean->step));
			ub_faults_assert_no_step_past(&run, upto, spec);
			ub_faults_run_clear(&run);
			failed = TRUE;
			n_failed++;
		}
	}
	/* most steps cannot survive a lost response */
	g_test_message("%u of %u steps ended with a timeout", n_failed, n_steps);
	g_assert_cmpuint(n_failed * 2, >=, n_steps);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbEdlTestBuild) build = NULL;
	g_autoptr(UbSimStorage) storage = NULL;
	g_autofree gchar *storage_dir = NULL;
	gint rc;

	g_test_init(&argc, &argv, NULL);

	/* the build, with images for a phone of this storage */
	ub_faults_dir = g_dir_make_tmp("ub-edl-faults-XXXXXX", &error);
	g_assert_no_error(error);
	ub_edl_test_write_small_build(ub_faults_dir);
	ub_faults_programmer = ub_edl_test_write_programmer(ub_faults_dir, &error);
	g_assert_no_error(error);
	storage_dir = g_dir_make_tmp("ub-edl-faults-storage-XXXXXX", &error);
	g_assert_no_error(error);
	storage = ub_sim_storage_open(storage_dir, UB_FAULTS_STORAGE, &error);
	g_assert_no_error(error);
	build = ub_edl_test_build_new(ub_faults_dir, &error);
	g_assert_no_error(error);
	g_assert_true(ub_edl_test_build_generate(build, storage, 3 * 1024 * 1024, &error));
	g_assert_no_error(error);
	ub_faults_build = build;

	g_test_add_func("/ub/edl/faults/clean", ub_faults_clean_func);
	g_test_add_func("/ub/edl/faults/nak", ub_faults_nak_func);
	g_test_add_func("/ub/edl/faults/disconnect", ub_faults_disconnect_func);
	g_test_add_func("/ub/edl/faults/timeout", ub_faults_timeout_func);
	rc = g_test_run();

	g_clear_pointer(&ub_faults_clean, g_ptr_array_unref);
	g_clear_object(&storage);
	ub_edl_test_rmtree(storage_dir);
	ub_edl_test_rmtree(ub_faults_dir);
	g_free(ub_faults_dir);
	g_free(ub_faults_programmer);
	return rc;
}
