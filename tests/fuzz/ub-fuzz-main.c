/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

/*
 * Runs a fuzz target without libFuzzer: every seed file as is, then a fixed
 * number of deterministic mutations of each (bit flips, byte sets, truncation,
 * splices, boundary integers), so the same inputs run in every `meson test`
 * under ASan+UBSan. Built with -fsanitize=fuzzer the target links libFuzzer's
 * main instead and this file is left out.
 */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static guint64
ub_fuzz_next(guint64 *state)
{
	/* xorshift64*: reproducible across runs and machines */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545F4914F6CDD1DULL;
}

static void
ub_fuzz_mutate(guint8 *buf, gsize *bufsz, gsize maxsz, guint64 *rng)
{
	static const guint32 interesting[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
					      0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff};
	guint n = 1 + ub_fuzz_next(rng) % 4;
	for (guint i = 0; i < n && *bufsz > 0; i++) {
		gsize pos = ub_fuzz_next(rng) % *bufsz;
		switch (ub_fuzz_next(rng) % 6) {
		case 0:
			buf[pos] ^= (guint8)(1u << (ub_fuzz_next(rng) % 8));
			break;
		case 1:
			buf[pos] = (guint8)ub_fuzz_next(rng);
			break;
		case 2:
			*bufsz = pos;
			break;
		case 3: {
			guint32 v = interesting[ub_fuzz_next(rng) % G_N_ELEMENTS(interesting)];
			for (guint j = 0; j < 4 && pos + j < *bufsz; j++)
				buf[pos + j] = (guint8)(v >> (8 * j));
			break;
		}
		case 4: {
			/* copy a block from elsewhere: counts that point at real data */
			gsize src = ub_fuzz_next(rng) % *bufsz;
			gsize len = MIN(ub_fuzz_next(rng) % 64, MIN(*bufsz - src, *bufsz - pos));
			memmove(buf + pos, buf + src, len);
			break;
		}
		default:
			if (*bufsz < maxsz) {
				buf[*bufsz] = (guint8)ub_fuzz_next(rng);
				(*bufsz)++;
			}
			break;
		}
	}
}

static gboolean
ub_fuzz_run_file(const gchar *path, guint iterations)
{
	g_autofree gchar *seed = NULL;
	gsize seedsz = 0;
	g_autoptr(GError) error = NULL;
	guint64 rng = 0x9E3779B97F4A7C15ULL;
	g_autofree guint8 *buf = NULL;
	gsize maxsz;

	if (!g_file_get_contents(path, &seed, &seedsz, &error)) {
		g_printerr("%s\n", error->message);
		return FALSE;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)seed, seedsz);
	maxsz = seedsz + 64;
	buf = g_malloc(maxsz);
	for (const gchar *p = path; *p != '\0'; p++)
		rng = (rng ^ (guint8)*p) * 0x100000001B3ULL;
	for (guint i = 0; i < iterations; i++) {
		gsize bufsz = seedsz;
		/* an exact-size heap copy so ASan sees every overread */
		g_autofree guint8 *exact = NULL;
		memcpy(buf, seed, seedsz);
		ub_fuzz_mutate(buf, &bufsz, maxsz, &rng);
		exact = g_memdup2(buf, bufsz);
		LLVMFuzzerTestOneInput(exact, bufsz);
	}
	return TRUE;
}

int
main(int argc, char **argv)
{
	guint iterations = 2000;
	guint files = 0;
	const gchar *env = g_getenv("UB_FUZZ_ITERATIONS");
	if (env != NULL)
		iterations = (guint)g_ascii_strtoull(env, NULL, 10);
	for (gint i = 1; i < argc; i++) {
		if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
			const gchar *name;
			while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
				g_autofree gchar *path = g_build_filename(argv[i], name, NULL);
				if (!ub_fuzz_run_file(path, iterations))
					return 1;
				files++;
			}
		} else if (g_file_test(argv[i], G_FILE_TEST_EXISTS)) {
			if (!ub_fuzz_run_file(argv[i], iterations))
				return 1;
			files++;
		}
	}
	if (files == 0) {
		g_printerr("no seed files found\n");
		return 77;
	}
	g_print("ran %u seeds x %u mutations\n", files, iterations);
	return 0;
}
