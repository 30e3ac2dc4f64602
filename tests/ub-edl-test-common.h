/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "sim/ub-sim-phone.h"
#include "sim/ub-sim-storage.h"
#include "ub-core.h"

G_BEGIN_DECLS

/*
 * Shared by the EDL tests: flat builds with generated images (GPTs that the
 * build's own patches make valid, Android sparse images), a Firehose
 * programmer ELF, and a simulated 9008 phone behind an in-memory pipe.
 */

/* deterministic pseudo-random bytes */
GBytes *
ub_edl_test_make_pattern(gsize size, guint32 seed);
/* a small ELF64 programmer with two loadable segments, written to @dir */
gchar *
ub_edl_test_write_programmer(const gchar *dir, GError **error);

/* rawprogram0.xml + patch0.xml of a small eMMC build (sbl1, boot, sparse system,
 * a growing userdata placeholder, both GPTs, ptool's DISK patches) into @dir */
void
ub_edl_test_write_small_build(const gchar *dir);

/**
 * UbEdlTestExpect:
 * @region: "user", "lunN"...
 * @label: the rawprogram label, for messages
 * @start_expr: the start sector as written
 * @sector_size: bytes per sector
 * @data: what the region holds there after the download
 *
 * One range of the phone's storage the test checks after a download.
 */
typedef struct {
	gchar *region;
	gchar *label;
	gchar *start_expr;
	guint32 sector_size;
	GBytes *data;
} UbEdlTestExpect;

#define UB_TYPE_EDL_TEST_BUILD (ub_edl_test_build_get_type())
G_DECLARE_FINAL_TYPE(UbEdlTestBuild, ub_edl_test_build, UB, EDL_TEST_BUILD, GObject)

/* the rawprogram/patch XMLs already in @dir */
UbEdlTestBuild *
ub_edl_test_build_new(const gchar *dir, GError **error);
guint32
ub_edl_test_build_get_sector_size(UbEdlTestBuild *self);
/* highest physical partition number used + 1 */
guint
ub_edl_test_build_get_n_luns(UbEdlTestBuild *self);
/* the highest sector the fixed entries of @lun end at */
guint64
ub_edl_test_build_get_lun_end(UbEdlTestBuild *self, guint lun);
/* the storage geometry of a phone that fits: "emmc:64G" or "ufs:N:64G" */
gchar *
ub_edl_test_build_get_geometry(UbEdlTestBuild *self);
/* the rawprogram file to open (rawprogram0.xml, or the only one) */
const gchar *
ub_edl_test_build_get_main_xml(UbEdlTestBuild *self);
/*
 * Writes every image the XMLs name into the folder, sized as the XMLs imply
 * (at most @cap bytes, at least one sector); GPT files match the entries of
 * their LUN and are what QFIL's ptool writes when the LUN has DISK patches
 * (the patches complete them for @storage's LUN sizes); sparse="true" entries
 * become Android sparse images.
 */
gboolean
ub_edl_test_build_generate(UbEdlTestBuild *self,
			   UbSimStorage *storage,
			   gsize cap,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* of UbEdlTestExpect, after generate() */
GPtrArray *
ub_edl_test_build_get_expects(UbEdlTestBuild *self);
/* the LUNs whose GPT the build writes */
GArray *
ub_edl_test_build_get_gpt_luns(UbEdlTestBuild *self);
/* compares the storage with every expected range; FALSE names the first difference */
gboolean
ub_edl_test_build_check_storage(UbEdlTestBuild *self, UbSimStorage *storage, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* ub_gpt_parse + validate + check_pair on the LUN's storage file */
gboolean
ub_edl_test_check_gpt(UbSimStorage *storage, const gchar *region, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

/**
 * UbEdlTestPhone:
 * @tmpdir: the storage folder
 * @storage: the phone's storage
 * @phone: the simulated phone, serving the device end of the pipe
 * @host: the host end of the pipe (512-byte packets, USB semantics)
 * @device: the EDL engine on @host
 *
 * A simulated 9008 phone in this process.
 */
typedef struct {
	gchar *tmpdir;
	UbSimStorage *storage;
	UbSimPhone *phone;
	UbTransport *host;
	UbTransport *dev;
	UbDevice *device;
} UbEdlTestPhone;

/* @faults: (nullable): a UbSimFaults spec; @programmer: the ELF served over Sahara */
UbEdlTestPhone *
ub_edl_test_phone_new(const gchar *geometry,
		      const gchar *faults,
		      const gchar *programmer,
		      GError **error);
void
ub_edl_test_phone_free(UbEdlTestPhone *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UbEdlTestPhone, ub_edl_test_phone_free)

/* rm -rf */
void
ub_edl_test_rmtree(const gchar *path);

G_END_DECLS
