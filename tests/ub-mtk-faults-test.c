/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "formats/ub-demo-package.h"
#include "formats/ub-package-plan.h"
#include "mtk/ub-mtk-device.h"
#include "sim/ub-sim-fault-transport.h"
#include "ub-core.h"
#include "ub-edl-test-common.h"
#include "ub-mtk-test-common.h"
#include "ub-plan-executor.h"

/*
 * Fault injection into a small MediaTek download (the demo scatter, Download
 * Only, on a phone in preloader mode whose table matches): a wrong echo or a
 * failing status for the first command of every phase (handshake, identify,
 * DA1, DA2, storage info, each write), a lost answer and a disconnect at the
 * start of every phase. Each must end the download with an error, and the
 * progress must never have shown a phase after the one that failed.
 */

/* long enough for every answer of the clean run, even under ASan */
#define UB_MTK_FAULTS_TIMEOUT_LIMIT_MS 500

typedef struct {
	gchar *step;
	UbStatus status;
	guint commands;
	guint64 bytes_in;
	guint transfers_out;
} UbMtkFaultsMark;

typedef struct {
	UbMtkTestPhone *phone;
	GPtrArray *marks;
	gdouble max_fraction;
} UbMtkFaultsRun;

static gchar *ub_mtk_faults_dir = NULL;
static GPtrArray *ub_mtk_faults_clean = NULL;
static guint ub_mtk_faults_clean_commands = 0;

static void
ub_mtk_faults_mark_free(UbMtkFaultsMark *mark)
{
	g_free(mark->step);
	g_free(mark);
}

static void
ub_mtk_faults_changed_cb(UbProgress *progress, gpointer user_data)
{
	UbMtkFaultsRun *run = user_data;
	const gchar *step = ub_progress_get_step_name(progress);
	UbStatus status = ub_progress_get_status(progress);
	UbMtkFaultsMark *last =
	    run->marks->len > 0 ? g_ptr_array_index(run->marks, run->marks->len - 1) : NULL;
	UbSimFaultTransport *ft;
	UbMtkFaultsMark *mark;

	run->max_fraction = MAX(run->max_fraction, ub_progress_get_fraction(progress));
	if (last != NULL && g_strcmp0(last->step, step) == 0 && last->status == status)
		return;
	ft = UB_SIM_FAULT_TRANSPORT(ub_sim_phone_get_transport(run->phone->phone));
	mark = g_new0(UbMtkFaultsMark, 1);
	mark->step = g_strdup(step);
	mark->status = status;
	mark->commands =
	    ub_sim_personality_get_command_count(ub_sim_phone_get_personality(run->phone->phone));
	mark->bytes_in = ub_sim_fault_transport_get_bytes_received(ft);
	mark->transfers_out = ub_sim_fault_transport_get_transfers_sent(ft);
	g_ptr_array_add(run->marks, mark);
}

/* the demo package's table on the phone, so that Download Only goes ahead */
static void
ub_mtk_faults_write_table(UbMtkTestPhone *phone, UbPackage *package)
{
	UbPackagePlanOptions options = {.verify = FALSE};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbPlan) fu = ub_package_plan_for_mode(package, "firmware-upgrade", &options, &error);
	g_autoptr(GBytes) primary = NULL;
	g_autoptr(GBytes) backup = NULL;
	g_assert_no_error(error);
	g_assert_true(ub_plan_build_layout_gpt(fu,
					       "user",
					       ub_sim_storage_get_region_size(phone->storage, "user"),
					       512,
					       &primary,
					       &backup,
					       &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_storage_write_gpt(phone->storage, "user", primary, backup, &error));
	g_assert_no_error(error);
}

/* one download against a fresh phone with @faults; returns its error */
static GError *
ub_mtk_faults_download(const gchar *faults, UbMtkFaultsRun *run)
{
	GError *error = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(UbPackage) package = NULL;
	g_autoptr(UbPlan) plan = NULL;
	g_autofree gchar *scatter = g_build_filename(ub_mtk_faults_dir, UB_DEMO_SCATTER_FILE, NULL);
	UbPackagePlanOptions options = {.verify = TRUE};

	run->marks = g_ptr_array_new_with_free_func((GDestroyNotify)ub_mtk_faults_mark_free);
	run->phone = ub_mtk_test_phone_new("emmc:64M", faults, TRUE, FALSE, &error);
	g_assert_no_error(error);
	ub_mtk_device_set_timeout_limit(UB_MTK_DEVICE(run->phone->device),
					UB_MTK_FAULTS_TIMEOUT_LIMIT_MS);
	package = ub_package_open(scatter, NULL, NULL, &error);
	g_assert_no_error(error);
	ub_mtk_faults_write_table(run->phone, package);
	plan = ub_package_plan_for_mode(package, "download-only", &options, &error);
	g_assert_no_error(error);
	g_signal_connect(progress, "changed", G_CALLBACK(ub_mtk_faults_changed_cb), run);
	if (!ub_plan_execute(plan, run->phone->device, progress, NULL, &error))
		return error;
	return NULL;
}

static void
ub_mtk_faults_run_clear(UbMtkFaultsRun *run)
{
	g_clear_pointer(&run->phone, ub_mtk_test_phone_free);
	g_clear_pointer(&run->marks, g_ptr_array_unref);
	run->max_fraction = 0;
}

/* the faulty run's steps are a prefix of the clean ones, up to @failed_idx */
static void
ub_mtk_faults_assert_no_step_past(UbMtkFaultsRun *run, guint failed_idx, const gchar *what)
{
	guint j = 0;
	for (guint i = 0; i < run->marks->len; i++) {
		UbMtkFaultsMark *mark = g_ptr_array_index(run->marks, i);
		gboolean found = FALSE;
		for (; j < ub_mtk_faults_clean->len; j++) {
			UbMtkFaultsMark *clean = g_ptr_array_index(ub_mtk_faults_clean, j);
			if (g_strcmp0(clean->step, mark->step) == 0 && clean->status == mark->status) {
				found = TRUE;
				break;
			}
		}
		if (!found || j > failed_idx)
			g_test_message("%s: step '%s' (%s) shown, the failure was in clean step %u",
				       what,
				       mark->step,
				       ub_status_to_string(mark->status),
				       failed_idx);
		g_assert_true(found);
		g_assert_cmpuint(j, <=, failed_idx);
	}
	g_assert_cmpfloat(run->max_fraction, <, 1.0);
}

/*
 * Whether @msg names one of the clean steps @from..@upto: the words for the
 * open() phases, the label for an image ("boot: failed to flash ...") or the
 * verify that follows it
 */
static gboolean
ub_mtk_faults_names_step(const gchar *msg, guint from, guint upto)
{
	const gchar *words[][2] = {
	    {"identify", "identify the phone"},
	    {"da1", "Download Agent"},
	    {"da2", "Download Agent"},
	    {"storage", "storage information"},
	    {"usb-speed", "USB speed"},
	    {"partition-table", "partition table"},
	};
	for (guint i = from; i <= upto && i < ub_mtk_faults_clean->len; i++) {
		UbMtkFaultsMark *mark = g_ptr_array_index(ub_mtk_faults_clean, i);
		gboolean word = FALSE;
		for (guint j = 0; j < G_N_ELEMENTS(words); j++) {
			if (g_strcmp0(mark->step, words[j][0]) != 0)
				continue;
			word = TRUE;
			if (strstr(msg, words[j][1]) != NULL)
				return TRUE;
		}
		if (word)
			continue;
		if (strstr(msg, mark->step) != NULL || strstr(msg, "failed to verify") != NULL)
			return TRUE;
	}
	/* the step after: its first command may already be out */
	if (upto + 1 < ub_mtk_faults_clean->len) {
		UbMtkFaultsMark *next = g_ptr_array_index(ub_mtk_faults_clean, upto + 1);
		return strstr(msg, next->step) != NULL;
	}
	return FALSE;
}

static void
ub_mtk_faults_clean_func(void)
{
	UbMtkFaultsRun run = {0};
	g_autoptr(GError) error = ub_mtk_faults_download(NULL, &run);
	g_assert_no_error(error);
	ub_mtk_faults_clean_commands =
	    ub_sim_personality_get_command_count(ub_sim_phone_get_personality(run.phone->phone));
	for (guint i = 0; i < run.marks->len; i++) {
		UbMtkFaultsMark *mark = g_ptr_array_index(run.marks, i);
		g_test_message("step %u: '%s' %s after %u commands, %" G_GUINT64_FORMAT
			       " bytes in, %u transfers out",
			       i,
			       mark->step,
			       ub_status_to_string(mark->status),
			       mark->commands,
			       mark->bytes_in,
			       mark->transfers_out);
	}
	g_assert_cmpuint(ub_mtk_faults_clean_commands, >, 5);
	g_assert_cmpuint(run.marks->len, >, 5);
	g_assert_cmpuint(ub_sim_mtk_get_write_count(run.phone->sim), >, 0);
	ub_mtk_faults_clean = g_steal_pointer(&run.marks);
	ub_mtk_faults_run_clear(&run);
}

/* the last clean step that had begun when the phone got command @commands */
static guint
ub_mtk_faults_clean_index_for_commands(guint commands, gboolean counted)
{
	guint idx = 0;
	for (guint i = 0; i < ub_mtk_faults_clean->len; i++) {
		UbMtkFaultsMark *mark = g_ptr_array_index(ub_mtk_faults_clean, i);
		/* @counted: the phone may count a command before the engine shows its step */
		if (mark->commands < commands || (counted && mark->commands == commands))
			idx = i;
	}
	return idx;
}

/* a DA refusal carries its code, its meaning and what to do, never a bare "DA error" */
static void
ub_mtk_faults_assert_refusal_explained(const gchar *msg)
{
	const gchar *refused = strstr(msg, "the DA refused");
	if (refused == NULL)
		return;
	g_assert_nonnull(strstr(refused, "(status 0x"));
	g_assert_false(g_str_has_suffix(msg, "DA error"));
	g_assert_false(g_str_has_suffix(msg, "exception"));
	g_assert_true(strstr(refused, "unplug the phone") != NULL || strstr(refused, "use ") != NULL ||
		      strstr(refused, "retry ") != NULL);
}

/* nak=K for the first command of every step: a wrong echo or a failing status */
static void
ub_mtk_faults_nak_func(void)
{
	guint n_failed = 0;
	g_assert_nonnull(ub_mtk_faults_clean);
	for (guint k = 1; k <= ub_mtk_faults_clean_commands; k++) {
		UbMtkFaultsRun run = {0};
		gboolean first_of_step = FALSE;
		g_autofree gchar *spec = NULL;
		g_autoptr(GError) error = NULL;
		guint idx;
		guint from;
		UbMtkFaultsMark *clean;

		for (guint i = 0; i < ub_mtk_faults_clean->len; i++) {
			UbMtkFaultsMark *mark = g_ptr_array_index(ub_mtk_faults_clean, i);
			if (mark->commands + 1 == k)
				first_of_step = TRUE;
		}
		if (!first_of_step)
			continue;
		spec = g_strdup_printf("nak=%u", k);
		error = ub_mtk_faults_download(spec, &run);
		idx = ub_mtk_faults_clean_index_for_commands(k, TRUE);
		from = ub_mtk_faults_clean_index_for_commands(k, FALSE);
		clean = g_ptr_array_index(ub_mtk_faults_clean, idx);
		g_test_message("%s (clean step '%s'): %s",
			       spec,
			       clean->step,
			       error != NULL ? error->message : "no error");
		if (error == NULL) {
			/* the simulator fails a read only after its first chunk: a
			 * one-chunk read (the GPT, a short verify) is not hit */
			g_assert_cmpfloat(run.max_fraction, >=, 1.0);
			ub_mtk_faults_run_clear(&run);
			continue;
		}
		g_assert_true(error->domain == UB_ERROR);
		g_assert_true(ub_mtk_faults_names_step(error->message, from, idx));
		ub_mtk_faults_assert_refusal_explained(error->message);
		ub_mtk_faults_assert_no_step_past(&run, idx, spec);
		ub_mtk_faults_run_clear(&run);
		n_failed++;
	}
	g_assert_cmpuint(n_failed, >, 3);
}

/* the phone goes away right after the first bytes of each step */
static void
ub_mtk_faults_disconnect_func(void)
{
	guint64 last = 0;
	guint n_runs = 0;
	g_assert_nonnull(ub_mtk_faults_clean);
	for (guint i = 0; i < ub_mtk_faults_clean->len; i++) {
		UbMtkFaultsMark *clean = g_ptr_array_index(ub_mtk_faults_clean, i);
		UbMtkFaultsRun run = {0};
		g_autofree gchar *spec = NULL;
		g_autoptr(GError) error = NULL;
		guint upto = i;

		if (i > 0 && clean->bytes_in == last)
			continue;
		last = clean->bytes_in;
		while (upto + 1 < ub_mtk_faults_clean->len &&
		       ((UbMtkFaultsMark *)g_ptr_array_index(ub_mtk_faults_clean, upto + 1))
			       ->bytes_in == last)
			upto++;
		spec = g_strdup_printf("disconnect-after=%" G_GUINT64_FORMAT, clean->bytes_in + 1);
		error = ub_mtk_faults_download(spec, &run);
		g_test_message("%s (clean step '%s'): %s",
			       spec,
			       clean->step,
			       error != NULL ? error->message : "no error");
		g_assert_nonnull(error);
		g_assert_true(g_error_matches(error, UB_ERROR, UB_ERROR_DEVICE_GONE) ||
			      g_error_matches(error, UB_ERROR, UB_ERROR_TIMED_OUT));
		g_assert_true(ub_mtk_faults_names_step(error->message, i, upto));
		ub_mtk_faults_assert_no_step_past(&run, upto, spec);
		ub_mtk_faults_run_clear(&run);
		n_runs++;
	}
	g_assert_cmpuint(n_runs, >, 3);
}

/* the phone's first answer in each step is lost: the engine times out or starts over */
static void
ub_mtk_faults_timeout_func(void)
{
	guint last = G_MAXUINT;
	guint n_steps = 0;
	guint n_failed = 0;
	g_assert_nonnull(ub_mtk_faults_clean);
	for (guint i = 0; i < ub_mtk_faults_clean->len; i++) {
		UbMtkFaultsMark *clean = g_ptr_array_index(ub_mtk_faults_clean, i);
		UbMtkFaultsRun run = {0};
		g_autofree gchar *spec = NULL;
		g_autoptr(GError) error = NULL;
		guint upto = i;
		gint64 start;

		if (clean->transfers_out == last)
			continue;
		last = clean->transfers_out;
		while (upto + 1 < ub_mtk_faults_clean->len &&
		       ((UbMtkFaultsMark *)g_ptr_array_index(ub_mtk_faults_clean, upto + 1))
			       ->transfers_out == last)
			upto++;
		spec = g_strdup_printf("drop=%u", clean->transfers_out + 1);
		start = g_get_monotonic_time();
		error = ub_mtk_faults_download(spec, &run);
		g_test_message("%s (clean step '%s'): %s after %.1f s",
			       spec,
			       clean->step,
			       error != NULL ? error->message : "no error",
			       (g_get_monotonic_time() - start) / 1e6);
		n_steps++;
		if (error == NULL) {
			/* the handshake starts over after a lost reply */
			g_assert_cmpfloat(run.max_fraction, >=, 1.0);
			ub_mtk_faults_run_clear(&run);
			continue;
		}
		g_assert_true(error->domain == UB_ERROR);
		g_assert_true(ub_mtk_faults_names_step(error->message, i, upto));
		/* a lost status frame is said as such, not as the codec's "bad magic" */
		g_assert_null(strstr(error->message, "magic 0x"));
		if (g_error_matches(error, UB_ERROR, UB_ERROR_PROTOCOL))
			g_assert_nonnull(strstr(error->message, "lost step"));
		ub_mtk_faults_assert_no_step_past(&run, upto, spec);
		ub_mtk_faults_run_clear(&run);
		n_failed++;
	}
	g_test_message("%u of %u steps ended with an error", n_failed, n_steps);
	g_assert_cmpuint(n_failed * 2, >=, n_steps);
}

/*
 * A lost answer in the BootROM stage (identify, DA1 upload) ends after the
 * timeout limit like a lost DA answer, not after the protocol's 2 s, and says
 * that the phone did not answer
 */
static void
ub_mtk_faults_brom_timeout_limit_func(void)
{
	guint n_brom = 0;
	g_assert_nonnull(ub_mtk_faults_clean);
	for (guint i = 0; i < ub_mtk_faults_clean->len; i++) {
		UbMtkFaultsMark *clean = g_ptr_array_index(ub_mtk_faults_clean, i);
		UbMtkFaultsRun run = {0};
		g_autofree gchar *spec = NULL;
		g_autoptr(GError) error = NULL;
		gdouble secs;
		gint64 start;

		if (g_strcmp0(clean->step, "identify") != 0 && g_strcmp0(clean->step, "da1") != 0)
			continue;
		spec = g_strdup_printf("drop=%u", clean->transfers_out + 1);
		start = g_get_monotonic_time();
		error = ub_mtk_faults_download(spec, &run);
		secs = (g_get_monotonic_time() - start) / 1e6;
		g_test_message("%s (clean step '%s'): %s after %.2f s",
			       spec,
			       clean->step,
			       error != NULL ? error->message : "no error",
			       secs);
		g_assert_error(error, UB_ERROR, UB_ERROR_TIMED_OUT);
		g_assert_nonnull(strstr(error->message, "the phone did not answer"));
		/* the limit (0.5 s) and the rest of the run, not the 2 s of an answer */
		g_assert_cmpfloat(secs, <, 1.5);
		ub_mtk_faults_run_clear(&run);
		n_brom++;
	}
	g_assert_cmpuint(n_brom, >=, 2);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	gint rc;

	g_setenv("UB_SIM_LAYOUT", "gpt", TRUE);
	g_test_init(&argc, &argv, NULL);
	ub_mtk_faults_dir = g_dir_make_tmp("ub-mtk-faults-XXXXXX", &error);
	g_assert_no_error(error);
	g_assert_true(ub_demo_package_write_scatter(ub_mtk_faults_dir, &error));
	g_assert_no_error(error);

	g_test_add_func("/ub/mtk/faults/clean", ub_mtk_faults_clean_func);
	g_test_add_func("/ub/mtk/faults/nak", ub_mtk_faults_nak_func);
	g_test_add_func("/ub/mtk/faults/disconnect", ub_mtk_faults_disconnect_func);
	g_test_add_func("/ub/mtk/faults/timeout", ub_mtk_faults_timeout_func);
	g_test_add_func("/ub/mtk/faults/brom-timeout-limit", ub_mtk_faults_brom_timeout_limit_func);
	rc = g_test_run();
	if (ub_mtk_faults_clean != NULL)
		g_ptr_array_unref(ub_mtk_faults_clean);
	ub_edl_test_rmtree(ub_mtk_faults_dir);
	g_free(ub_mtk_faults_dir);
	return rc;
}
