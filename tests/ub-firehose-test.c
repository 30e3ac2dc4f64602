/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "edl/ub-firehose.h"
#include "ub-error.h"
#include "ub-memory-transport.h"
#include "ub-sim-fd-transport.h"

/*
 * UbFirehose against a scripted programmer: a thread on the device end of the
 * in-memory USB pair (512-byte packets) or of a socketpair (a stream that
 * glues and splits) answers and asserts every document the host sends.
 */

typedef void (*UbFirehoseTestScript)(UbTransport *dev, gpointer user_data);

typedef struct {
	UbTransport *host;
	UbTransport *dev;
	GThread *thread;
	UbFirehoseTestScript script;
	gpointer user_data;
	UbFirehose *firehose;
	UbProgress *progress;
	GBytes *data; /* what program sends or read returns */
	guint n_configure;
} UbFirehoseTestFixture;

static gpointer
ub_firehose_test_thread_cb(gpointer data)
{
	UbFirehoseTestFixture *fx = data;
	fx->script(fx->dev, fx);
	return NULL;
}

static void
ub_firehose_test_start(UbFirehoseTestFixture *fx, gboolean stream, UbFirehoseTestScript script)
{
	if (stream) {
		int fds[2] = {-1, -1};
		g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
		fx->host = ub_sim_fd_transport_new(fds[0], "stream:host");
		fx->dev = ub_sim_fd_transport_new(fds[1], "stream:dev");
	} else {
		ub_memory_transport_new_pair(512, &fx->host, &fx->dev);
	}
	fx->script = script;
	fx->firehose = ub_firehose_new(fx->host);
	fx->progress = ub_progress_new();
	ub_firehose_set_progress(fx->firehose, fx->progress);
	fx->thread = g_thread_new("ub-firehose-test-dev", ub_firehose_test_thread_cb, fx);
}

static void
ub_firehose_test_finish(UbFirehoseTestFixture *fx)
{
	ub_transport_close(fx->host);
	g_thread_join(fx->thread);
	ub_transport_close(fx->dev);
	g_object_unref(fx->firehose);
	g_object_unref(fx->progress);
	g_object_unref(fx->host);
	g_object_unref(fx->dev);
	if (fx->data != NULL)
		g_bytes_unref(fx->data);
}

static GBytes *
ub_firehose_test_pattern(gsize size)
{
	guint8 *buf = g_malloc(size);
	for (gsize i = 0; i < size; i++)
		buf[i] = (guint8)(i * 13 + (i >> 9) + 1);
	return g_bytes_new_take(buf, size);
}

/* the device side */

/* one document per transfer on USB; never a multiple of 512 bytes */
static UbFirehoseElement *
ub_firehose_test_dev_read_doc(UbTransport *dev)
{
	guint8 buf[UB_FIREHOSE_MAX_XML + 1] = {0};
	g_autoptr(GError) error = NULL;
	UbFirehoseElement *element;
	gssize n = ub_transport_read(dev, buf, sizeof(buf) - 1, 5000, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >, 0);
	g_assert_cmpint(n % 512, !=, 0);
	element = ub_firehose_xml_parse((const gchar *)buf, (gsize)n, &error);
	g_assert_no_error(error);
	return element;
}

static UbFirehoseElement *
ub_firehose_test_dev_expect(UbTransport *dev, const gchar *tag)
{
	UbFirehoseElement *element = ub_firehose_test_dev_read_doc(dev);
	g_assert_cmpstr(element->tag, ==, tag);
	return element;
}

static void
ub_firehose_test_dev_write(UbTransport *dev, const gchar *str, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_write(dev, (const guint8 *)str, len, 0, 1000, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_firehose_test_dev_log(UbTransport *dev, const gchar *text)
{
	const gchar *names[] = {"value", NULL};
	const gchar *values[] = {text, NULL};
	gsize len = 0;
	g_autofree gchar *xml = ub_firehose_xml_build("log", names, values, &len);
	ub_firehose_test_dev_write(dev, xml, len);
}

static gchar *
ub_firehose_test_response_xml(const gchar *attrs, gsize *len)
{
	g_autoptr(GError) error = NULL;
	gchar *xml = ub_firehose_xml_build_raw("response", attrs, len, &error);
	g_assert_no_error(error);
	return xml;
}

static void
ub_firehose_test_dev_respond(UbTransport *dev, const gchar *attrs)
{
	gsize len = 0;
	g_autofree gchar *xml = ub_firehose_test_response_xml(attrs, &len);
	ub_firehose_test_dev_write(dev, xml, len);
}

/* a configure answered with ACK at the payload asked */
static void
ub_firehose_test_dev_configure(UbTransport *dev)
{
	g_autoptr(UbFirehoseElement) el = ub_firehose_test_dev_expect(dev, "configure");
	g_autofree gchar *attrs =
	    g_strdup_printf("value=\"ACK\" MemoryName=\"eMMC\" MaxPayloadSizeToTargetInBytes=\"%s\" "
			    "MaxPayloadSizeToTargetInBytesSupported=\"1048576\" "
			    "MaxPayloadSizeFromTargetInBytes=\"4096\" TargetName=\"8953\"",
			    ub_firehose_element_get(el, "MaxPayloadSizeToTargetInBytes"));
	ub_firehose_test_dev_respond(dev, attrs);
}

static void
ub_firehose_test_configure(UbFirehoseTestFixture *fx, guint32 payload)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_firehose_configure(fx->firehose, "emmc", payload, NULL, &error));
	g_assert_no_error(error);
}

/* configure */

static void
ub_firehose_test_configure_nak_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) first = NULL;
	g_autoptr(UbFirehoseElement) second = NULL;

	/* startup banners, the supported functions on one line */
	ub_firehose_test_dev_log(dev, "INFO: Binary build date: Jan  1 2026 @ 00:00:00");
	ub_firehose_test_dev_log(dev, "INFO: Supported Functions: program read nop patch "
				      "configure setbootablestoragedrive erase power");
	first = ub_firehose_test_dev_expect(dev, "configure");
	g_assert_cmpstr(ub_firehose_element_get(first, "MemoryName"), ==, "emmc");
	g_assert_cmpstr(ub_firehose_element_get(first, "MaxPayloadSizeToTargetInBytes"), ==, "4194304");
	g_assert_cmpstr(ub_firehose_element_get(first, "ZlpAwareHost"), ==, "1");
	ub_firehose_test_dev_log(dev, "ERROR: Host's payload to target size is too large");
	ub_firehose_test_dev_respond(dev,
				     "value=\"NAK\" MaxPayloadSizeToTargetInBytes=\"1048576\" "
				     "MaxPayloadSizeToTargetInBytesSupported=\"1048576\"");
	/* asked again with the programmer's maximum */
	second = ub_firehose_test_dev_expect(dev, "configure");
	g_assert_cmpstr(ub_firehose_element_get(second, "MaxPayloadSizeToTargetInBytes"),
			==,
			"1048576");
	ub_firehose_test_dev_respond(dev,
				     "value=\"ACK\" MemoryName=\"eMMC\" "
				     "MaxPayloadSizeToTargetInBytes=\"1048576\" "
				     "MaxPayloadSizeToTargetInBytesSupported=\"1048576\" "
				     "TargetName=\"8953\"");
	/* a log after the response (MSM8916) */
	ub_firehose_test_dev_log(dev, "INFO: Calling handler for configure");
}

static void
ub_firehose_configure_nak_func(void)
{
	UbFirehoseTestFixture fx = {0};

	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_configure_nak_script);
	ub_firehose_test_configure(&fx, 4 * 1024 * 1024);
	g_assert_cmpuint(ub_firehose_get_max_payload(fx.firehose), ==, 1048576);
	g_assert_cmpstr(ub_firehose_get_memory_name(fx.firehose), ==, "emmc");
	g_assert_cmpstr(ub_firehose_get_target_name(fx.firehose), ==, "8953");
	g_assert_true(ub_firehose_supports(fx.firehose, "erase"));
	g_assert_true(ub_firehose_supports(fx.firehose, "setbootablestoragedrive"));
	g_assert_false(ub_firehose_supports(fx.firehose, "getsha256digest"));
	ub_firehose_test_finish(&fx);
}

/* an ACK naming a smaller supported size is adopted with a second configure */
static void
ub_firehose_test_configure_adopt_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) first = ub_firehose_test_dev_expect(dev, "configure");
	g_autoptr(UbFirehoseElement) second = NULL;
	ub_firehose_test_dev_respond(dev,
				     "value=\"ACK\" MaxPayloadSizeToTargetInBytes=\"2097152\" "
				     "MaxPayloadSizeToTargetInBytesSupported=\"524288\"");
	second = ub_firehose_test_dev_expect(dev, "configure");
	g_assert_cmpstr(ub_firehose_element_get(second, "MaxPayloadSizeToTargetInBytes"),
			==,
			"524288");
	ub_firehose_test_dev_respond(dev,
				     "value=\"ACK\" MaxPayloadSizeToTargetInBytes=\"524288\" "
				     "MaxPayloadSizeToTargetInBytesSupported=\"524288\"");
}

static void
ub_firehose_configure_adopt_func(void)
{
	UbFirehoseTestFixture fx = {0};
	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_configure_adopt_script);
	ub_firehose_test_configure(&fx, 2 * 1024 * 1024);
	g_assert_cmpuint(ub_firehose_get_max_payload(fx.firehose), ==, 524288);
	/* no banner: everything is assumed supported */
	g_assert_true(ub_firehose_supports(fx.firehose, "getsha256digest"));
	ub_firehose_test_finish(&fx);
}

/* the programmer still trains DDR: the first configure goes unanswered */
static void
ub_firehose_test_configure_silent_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) first = ub_firehose_test_dev_expect(dev, "configure");
	/* the one-per-line banner comes late */
	ub_firehose_test_dev_configure(dev);
	(void)user_data;
}

static void
ub_firehose_test_configure_late_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) first = ub_firehose_test_dev_expect(dev, "configure");
	ub_firehose_test_dev_log(dev, "INFO: Supported Functions (4):");
	ub_firehose_test_dev_log(dev, "INFO: program");
	ub_firehose_test_dev_log(dev, "INFO: read");
	ub_firehose_test_dev_log(dev, "INFO: nop");
	ub_firehose_test_dev_log(dev, "INFO: getsha256digest");
	ub_firehose_test_dev_log(dev, "INFO: End of supported functions 4");
	ub_firehose_test_configure_silent_script(dev, user_data);
}

static void
ub_firehose_configure_silent_func(void)
{
	UbFirehoseTestFixture fx = {0};
	gint64 start = g_get_monotonic_time();

	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_configure_late_script);
	ub_firehose_test_configure(&fx, 0);
	/* one unanswered attempt of about a second, then the answer */
	g_assert_cmpint(g_get_monotonic_time() - start, >=, 900 * G_TIME_SPAN_MILLISECOND);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 4 * G_USEC_PER_SEC);
	g_assert_cmpuint(ub_firehose_get_max_payload(fx.firehose), ==, 1048576);
	g_assert_true(ub_firehose_supports(fx.firehose, "getsha256digest"));
	g_assert_true(ub_firehose_supports(fx.firehose, "read"));
	g_assert_false(ub_firehose_supports(fx.firehose, "erase"));
	g_assert_false(ub_firehose_supports(fx.firehose, "end"));
	ub_firehose_test_finish(&fx);
}

static void
ub_firehose_test_configure_storage_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) el = ub_firehose_test_dev_expect(dev, "configure");
	ub_firehose_test_dev_log(dev, "ERROR: Failed to open the SDCC Device slot 0 partition 0");
	ub_firehose_test_dev_respond(dev, "value=\"NAK\"");
}

static void
ub_firehose_configure_storage_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GError) error = NULL;

	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_configure_storage_script);
	g_assert_false(ub_firehose_configure(fx.firehose, "emmc", 0, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_nonnull(strstr(error->message, "try storage type ufs"));
	g_assert_nonnull(strstr(error->message, "SDCC"));
	ub_firehose_test_finish(&fx);
}

/* program */

/* reads @total raw bytes transfer by transfer, checking each size */
static GBytes *
ub_firehose_test_dev_read_raw(UbTransport *dev, gsize total, const gsize *sizes)
{
	g_autofree guint8 *buf = g_malloc(total + 1);
	g_autoptr(GError) error = NULL;
	gsize done = 0;
	guint i = 0;

	while (done < total) {
		gssize n = ub_transport_read(dev, buf + done, total + 1 - done, 5000, NULL, &error);
		g_assert_no_error(error);
		if (sizes != NULL) {
			g_assert_cmpuint(sizes[i], !=, G_MAXSIZE);
			g_assert_cmpint(n, ==, (gssize)sizes[i]);
		}
		i++;
		done += (gsize)n;
	}
	g_assert_cmpuint(done, ==, total);
	if (sizes != NULL) {
		/* a ZLP ends the last transfer too when it is a multiple of 512 */
		for (; sizes[i] == 0; i++) {
			guint8 tmp[16];
			g_assert_cmpint(ub_transport_read(dev, tmp, sizeof(tmp), 5000, NULL, &error), ==, 0);
			g_assert_no_error(error);
		}
		g_assert_cmpuint(sizes[i], ==, G_MAXSIZE);
	}
	return g_bytes_new_take(g_steal_pointer(&buf), total);
}

static void
ub_firehose_test_program_script(UbTransport *dev, gpointer user_data)
{
	UbFirehoseTestFixture *fx = user_data;
	g_autoptr(UbFirehoseElement) el = NULL;
	g_autoptr(GBytes) got = NULL;
	/* 40 sectors in payloads of 8192: 8192, 8192, 4096, each followed by a ZLP */
	const gsize sizes[] = {8192, 0, 8192, 0, 4096, 0, G_MAXSIZE};
	g_autofree guint8 *want = g_malloc0(40 * 512);

	ub_firehose_test_dev_configure(dev);
	el = ub_firehose_test_dev_expect(dev, "program");
	g_assert_cmpstr(ub_firehose_element_get(el, "SECTOR_SIZE_IN_BYTES"), ==, "512");
	g_assert_cmpstr(ub_firehose_element_get(el, "num_partition_sectors"), ==, "40");
	g_assert_cmpstr(ub_firehose_element_get(el, "physical_partition_number"), ==, "1");
	g_assert_cmpstr(ub_firehose_element_get(el, "start_sector"), ==, "NUM_DISK_SECTORS-40.");
	ub_firehose_test_dev_log(dev, "INFO: start 1000, num 40");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\" rawmode=\"true\"");
	got = ub_firehose_test_dev_read_raw(dev, 40 * 512, sizes);
	/* the stream's bytes, then zeros to the end of the last sector */
	memcpy(want, g_bytes_get_data(fx->data, NULL), g_bytes_get_size(fx->data));
	g_assert_cmpmem(g_bytes_get_data(got, NULL), 40 * 512, want, 40 * 512);
	ub_firehose_test_dev_log(dev, "INFO: Finished sector address 1040");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\" rawmode=\"false\"");
	ub_firehose_test_dev_log(dev, "INFO: after the response");
}

static void
ub_firehose_program_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GError) error = NULL;

	/* 40 sectors minus 300 bytes: the last sector is padded */
	fx.data = ub_firehose_test_pattern(40 * 512 - 300);
	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_program_script);
	ub_firehose_test_configure(&fx, 8192);
	stream = g_memory_input_stream_new_from_bytes(fx.data);
	g_assert_true(ub_firehose_program(fx.firehose,
					  512,
					  1,
					  "NUM_DISK_SECTORS-40.",
					  40,
					  stream,
					  g_bytes_get_size(fx.data),
					  progress,
					  NULL,
					  &error));
	g_assert_no_error(error);
	g_assert_cmpuint(ub_progress_get_bytes_done(progress), ==, 40 * 512);
	g_assert_cmpfloat(ub_progress_get_fraction(progress), ==, 1.0);
	ub_firehose_test_finish(&fx);
}

static void
ub_firehose_test_program_nak_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) el = NULL;
	g_autoptr(GBytes) got = NULL;

	ub_firehose_test_dev_configure(dev);
	el = ub_firehose_test_dev_expect(dev, "program");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\" rawmode=\"true\"");
	got = ub_firehose_test_dev_read_raw(dev, 4 * 512, NULL);
	ub_firehose_test_dev_log(dev, "INFO: writing");
	ub_firehose_test_dev_respond(dev, "value=\"NAK\" rawmode=\"false\"");
	/* the reason after the NAK, as MSM8916 does */
	ub_firehose_test_dev_log(dev, "ERROR: Failed to write 4 sectors at 2048, error 5");
}

static void
ub_firehose_program_nak_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GError) error = NULL;

	fx.data = ub_firehose_test_pattern(4 * 512);
	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_program_nak_script);
	ub_firehose_test_configure(&fx, 0);
	stream = g_memory_input_stream_new_from_bytes(fx.data);
	g_assert_false(ub_firehose_program(fx.firehose,
					   512,
					   0,
					   "2048",
					   4,
					   stream,
					   4 * 512,
					   NULL,
					   NULL,
					   &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "Failed to write 4 sectors at 2048"));
	ub_firehose_test_finish(&fx);
}

static void
ub_firehose_test_program_sector_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) el = NULL;
	ub_firehose_test_dev_configure(dev);
	el = ub_firehose_test_dev_expect(dev, "program");
	ub_firehose_test_dev_log(dev,
				 "ERROR: Attribute 'SECTOR_SIZE_IN_BYTES'=4096 must be equal to disk "
				 "sector size 512");
	ub_firehose_test_dev_respond(dev, "value=\"NAK\"");
}

static void
ub_firehose_program_sector_size_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GError) error = NULL;

	fx.data = ub_firehose_test_pattern(4096);
	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_program_sector_script);
	ub_firehose_test_configure(&fx, 0);
	stream = g_memory_input_stream_new_from_bytes(fx.data);
	g_assert_false(
	    ub_firehose_program(fx.firehose, 4096, 0, "6", 1, stream, 4096, NULL, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_NOT_SUPPORTED);
	g_assert_nonnull(strstr(error->message, "sector size"));
	ub_firehose_test_finish(&fx);
}

static void
ub_firehose_test_program_gone_script(UbTransport *dev, gpointer user_data)
{
	g_autoptr(UbFirehoseElement) el = NULL;
	guint8 buf[8192];
	g_autoptr(GError) error = NULL;

	ub_firehose_test_dev_configure(dev);
	el = ub_firehose_test_dev_expect(dev, "program");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\" rawmode=\"true\"");
	g_assert_cmpint(ub_transport_read(dev, buf, sizeof(buf), 5000, NULL, &error), >, 0);
	g_assert_no_error(error);
	/* unplugged in the middle of the data */
	ub_transport_close(dev);
}

static void
ub_firehose_program_gone_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GInputStream) stream = NULL;
	g_autoptr(GError) error = NULL;

	fx.data = ub_firehose_test_pattern(64 * 4096);
	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_program_gone_script);
	ub_firehose_test_configure(&fx, 8192);
	stream = g_memory_input_stream_new_from_bytes(fx.data);
	g_assert_false(ub_firehose_program(fx.firehose,
					   4096,
					   0,
					   "0",
					   64,
					   stream,
					   64 * 4096,
					   NULL,
					   NULL,
					   &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	ub_firehose_test_finish(&fx);
}

/* read */

static void
ub_firehose_test_read_script(UbTransport *dev, gpointer user_data)
{
	UbFirehoseTestFixture *fx = user_data;
	g_autoptr(UbFirehoseElement) el = NULL;
	const guint8 *data = g_bytes_get_data(fx->data, NULL);
	g_autoptr(GError) error = NULL;

	ub_firehose_test_dev_configure(dev);
	el = ub_firehose_test_dev_expect(dev, "read");
	g_assert_cmpstr(ub_firehose_element_get(el, "SECTOR_SIZE_IN_BYTES"), ==, "4096");
	g_assert_cmpstr(ub_firehose_element_get(el, "num_partition_sectors"), ==, "3");
	g_assert_cmpstr(ub_firehose_element_get(el, "physical_partition_number"), ==, "4");
	g_assert_cmpstr(ub_firehose_element_get(el, "start_sector"), ==, "10");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\" rawmode=\"true\"");
	/* a zero-length packet between the ACK and the data (WinUSB) */
	g_assert_true(ub_transport_write(dev, NULL, 0, 0, 1000, NULL, &error));
	g_assert_true(ub_transport_write(dev, data, 8192, UB_TRANSPORT_WRITE_FLAG_ZLP, 1000, NULL, &error));
	g_assert_true(ub_transport_write(dev, data + 8192, 4096, UB_TRANSPORT_WRITE_FLAG_ZLP, 1000, NULL, &error));
	g_assert_no_error(error);
	ub_firehose_test_dev_log(dev, "INFO: Finished sector address 13");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\" rawmode=\"false\"");
	ub_firehose_test_dev_log(dev, "INFO: after the read");
	/* the next command works: nothing of the read is left over */
	g_clear_pointer(&el, ub_firehose_element_free);
	el = ub_firehose_test_dev_expect(dev, "nop");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\"");
}

static void
ub_firehose_read_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(UbProgress) progress = ub_progress_new();
	g_autoptr(GError) error = NULL;

	fx.data = ub_firehose_test_pattern(3 * 4096);
	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_read_script);
	ub_firehose_test_configure(&fx, 0);
	g_assert_true(
	    ub_firehose_read(fx.firehose, 4096, 4, "10", 3, out, progress, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	g_assert_cmpmem(g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(out)),
			g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(out)),
			g_bytes_get_data(fx.data, NULL),
			g_bytes_get_size(fx.data));
	g_assert_cmpuint(ub_progress_get_bytes_done(progress), ==, 3 * 4096);
	g_assert_true(ub_firehose_nop(fx.firehose, NULL, &error));
	g_assert_no_error(error);
	ub_firehose_test_finish(&fx);
}

/* a stream glues the ACK to the data and splits documents anywhere */
static void
ub_firehose_test_read_stream_script(UbTransport *dev, gpointer user_data)
{
	UbFirehoseTestFixture *fx = user_data;
	g_autoptr(UbFirehoseElement) el = NULL;
	const guint8 *data = g_bytes_get_data(fx->data, NULL);
	gsize size = g_bytes_get_size(fx->data);
	gsize ack_len = 0;
	g_autofree gchar *ack = ub_firehose_test_response_xml("value=\"ACK\" rawmode=\"true\"", &ack_len);
	gsize fin_len = 0;
	g_autofree gchar *fin = ub_firehose_test_response_xml("value=\"ACK\" rawmode=\"false\"", &fin_len);
	g_autoptr(GByteArray) glued = g_byte_array_new();
	g_autoptr(GError) error = NULL;

	ub_firehose_test_dev_configure(dev);
	el = ub_firehose_test_dev_expect(dev, "read");
	g_byte_array_append(glued, (const guint8 *)ack, (guint)ack_len);
	g_byte_array_append(glued, data, 1000);
	g_assert_true(ub_transport_write(dev, glued->data, glued->len, 0, 1000, NULL, &error));
	g_usleep(5000);
	g_assert_true(ub_transport_write(dev, data + 1000, size - 1000, 0, 1000, NULL, &error));
	g_usleep(5000);
	/* the final response in two pieces */
	g_assert_true(ub_transport_write(dev, (const guint8 *)fin, 10, 0, 1000, NULL, &error));
	g_usleep(5000);
	g_assert_true(ub_transport_write(dev, (const guint8 *)fin + 10, fin_len - 10, 0, 1000, NULL, &error));
	g_assert_no_error(error);
}

static void
ub_firehose_read_stream_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GError) error = NULL;

	fx.data = ub_firehose_test_pattern(2 * 4096);
	ub_firehose_test_start(&fx, TRUE, ub_firehose_test_read_stream_script);
	ub_firehose_test_configure(&fx, 0);
	g_assert_true(ub_firehose_read(fx.firehose, 4096, 0, "0", 2, out, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_output_stream_close(out, NULL, NULL));
	g_assert_cmpmem(g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(out)),
			g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(out)),
			g_bytes_get_data(fx.data, NULL),
			g_bytes_get_size(fx.data));
	ub_firehose_test_finish(&fx);
}

/* Sahara's leftover bytes start the Firehose output */
static void
ub_firehose_test_pending_script(UbTransport *dev, gpointer user_data)
{
	/* the rest of the banner whose start the host already has */
	static const gchar rest[] = " version=\"1.0\" ?><data><log value=\"INFO: hello\" /></data>";
	ub_firehose_test_dev_write(dev, rest, strlen(rest));
	ub_firehose_test_dev_configure(dev);
}

static void
ub_firehose_pending_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GBytes) pending = g_bytes_new_static("<?xml", 5);

	ub_firehose_test_start(&fx, TRUE, ub_firehose_test_pending_script);
	ub_firehose_push_pending(fx.firehose, pending);
	ub_firehose_test_configure(&fx, 0);
	ub_firehose_test_finish(&fx);
}

/* other commands */

static void
ub_firehose_test_commands_script(UbTransport *dev, gpointer user_data)
{
	UbFirehoseElement *el;

	ub_firehose_test_dev_configure(dev);

	el = ub_firehose_test_dev_expect(dev, "erase");
	g_assert_cmpstr(ub_firehose_element_get(el, "physical_partition_number"), ==, "2");
	g_assert_null(ub_firehose_element_get(el, "start_sector"));
	g_assert_null(ub_firehose_element_get(el, "num_partition_sectors"));
	ub_firehose_element_free(el);
	ub_firehose_test_dev_respond(dev, "value=\"ACK\"");

	el = ub_firehose_test_dev_expect(dev, "erase");
	g_assert_cmpstr(ub_firehose_element_get(el, "start_sector"), ==, "34");
	g_assert_cmpstr(ub_firehose_element_get(el, "num_partition_sectors"), ==, "100");
	ub_firehose_element_free(el);
	/* a late log after the ACK must not become the next command's reason */
	ub_firehose_test_dev_respond(dev, "value=\"ACK\"");
	ub_firehose_test_dev_log(dev, "ERROR: a late log of the erase");

	el = ub_firehose_test_dev_expect(dev, "setbootablestoragedrive");
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "1");
	ub_firehose_element_free(el);
	ub_firehose_test_dev_respond(dev, "value=\"NAK\"");

	el = ub_firehose_test_dev_expect(dev, "patch");
	g_assert_cmpstr(ub_firehose_element_get(el, "byte_offset"), ==, "88");
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "CRC32(2,4096)");
	ub_firehose_element_free(el);
	ub_firehose_test_dev_respond(dev, "value=\"ACK\"");

	el = ub_firehose_test_dev_expect(dev, "getstorageinfo");
	g_assert_cmpstr(ub_firehose_element_get(el, "physical_partition_number"), ==, "0");
	ub_firehose_element_free(el);
	/* JSON inside the attribute, quotes unescaped, as real programmers write it */
	ub_firehose_test_dev_write(dev,
				   "<?xml version=\"1.0\" ?><data><log value=\"INFO: {\"storage_info\": "
				   "{\"total_blocks\":30535680, \"block_size\":4096, "
				   "\"page_size\":4096, \"num_physical\":6, \"mem_type\":\"UFS\", "
				   "\"prod_name\":\"KLUDG4U1EA-B0C1\"}}\" /></data>",
				   strlen("<?xml version=\"1.0\" ?><data><log value=\"INFO: {\"storage_info\": "
					  "{\"total_blocks\":30535680, \"block_size\":4096, "
					  "\"page_size\":4096, \"num_physical\":6, \"mem_type\":\"UFS\", "
					  "\"prod_name\":\"KLUDG4U1EA-B0C1\"}}\" /></data>"));
	ub_firehose_test_dev_respond(dev, "value=\"ACK\"");

	el = ub_firehose_test_dev_expect(dev, "getsha256digest");
	g_assert_cmpstr(ub_firehose_element_get(el, "num_partition_sectors"), ==, "8");
	ub_firehose_element_free(el);
	ub_firehose_test_dev_log(dev,
				 "INFO: Digest "
				 "0E5751C026E543B2E8AB2EB06099DAA1D1E5DF47778F7787FAAB45CDF12FE3A8");
	ub_firehose_test_dev_respond(dev, "value=\"ACK\"");

	el = ub_firehose_test_dev_expect(dev, "peek");
	g_assert_cmpstr(ub_firehose_element_get(el, "address64"), ==, "0x100000");
	ub_firehose_element_free(el);
	ub_firehose_test_dev_respond(dev, "value=\"ACK\" extra=\"yes\"");

	el = ub_firehose_test_dev_expect(dev, "power");
	g_assert_cmpstr(ub_firehose_element_get(el, "value"), ==, "reset");
	g_assert_cmpstr(ub_firehose_element_get(el, "DelayInSeconds"), ==, "10");
	ub_firehose_element_free(el);
	ub_firehose_test_dev_respond(dev, "value=\"ACK\"");
}

static void
ub_firehose_commands_func(void)
{
	UbFirehoseTestFixture fx = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(UbFirehoseElement) response = NULL;
	g_autofree gchar *hex = NULL;
	UbFirehoseStorageInfo info = {0};

	ub_firehose_test_start(&fx, FALSE, ub_firehose_test_commands_script);
	ub_firehose_test_configure(&fx, 0);
	g_assert_true(ub_firehose_erase(fx.firehose, 4096, 2, NULL, 0, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(ub_firehose_erase(fx.firehose, 4096, 2, "34", 100, NULL, &error));
	g_assert_no_error(error);
	g_assert_false(ub_firehose_set_bootable(fx.firehose, 1, NULL, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, "no reason given"));
	g_assert_null(strstr(error->message, "late log"));
	g_clear_error(&error);
	g_assert_true(ub_firehose_patch(fx.firehose,
					"SECTOR_SIZE_IN_BYTES=\"4096\" byte_offset=\"88\" "
					"filename=\"DISK\" physical_partition_number=\"0\" "
					"size_in_bytes=\"4\" start_sector=\"1\" value=\"CRC32(2,4096)\"",
					NULL,
					&error));
	g_assert_no_error(error);
	g_assert_true(ub_firehose_get_storage_info(fx.firehose, 0, &info, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.total_blocks, ==, 30535680);
	g_assert_cmpuint(info.block_size, ==, 4096);
	g_assert_cmpuint(info.num_physical, ==, 6);
	g_assert_cmpstr(info.mem_type, ==, "UFS");
	g_assert_cmpstr(info.prod_name, ==, "KLUDG4U1EA-B0C1");
	ub_firehose_storage_info_clear(&info);
	g_assert_true(ub_firehose_get_sha256(fx.firehose, 4096, 0, "0", 8, &hex, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(hex, ==, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	g_assert_true(ub_firehose_command(fx.firehose,
					  "peek",
					  "address64=\"0x100000\" size_in_bytes=\"16\"",
					  &response,
					  NULL,
					  &error));
	g_assert_no_error(error);
	g_assert_cmpstr(ub_firehose_element_get(response, "extra"), ==, "yes");
	g_assert_true(ub_firehose_power(fx.firehose, "reset", 10, NULL, &error));
	g_assert_no_error(error);
	ub_firehose_test_finish(&fx);
}

/* the pure storage-info parser */
static void
ub_firehose_storage_info_parse_func(void)
{
	const gchar *json[] = {"INFO: something else",
			       "INFO: {\"storage_info\": {\"total_blocks\":\"0x7a1200\", "
			       "\"block_size\":512, \"num_physical\":4, \"mem_type\":\"eMMC\"}}",
			       NULL};
	const gchar *lines[] = {"INFO: UFS Inquiry Command Output: SAMSUNG KLUFG8RHDA-B2D1  0500",
				"INFO: UFS Total Active LU: 0x6",
				"INFO: SECTOR_SIZE_IN_BYTES: 4096",
				"INFO: num_partition_sectors: 1000000",
				NULL};
	const gchar *nothing[] = {"INFO: hello", "ERROR: {\"other\": 1}", NULL};
	UbFirehoseStorageInfo info = {0};
	g_autoptr(GError) error = NULL;

	g_assert_true(ub_firehose_storage_info_parse(json, &info, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.total_blocks, ==, 0x7a1200);
	g_assert_cmpuint(info.block_size, ==, 512);
	g_assert_cmpuint(info.num_physical, ==, 4);
	g_assert_cmpstr(info.mem_type, ==, "eMMC");
	g_assert_null(info.prod_name);
	ub_firehose_storage_info_clear(&info);

	g_assert_true(ub_firehose_storage_info_parse(lines, &info, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.num_physical, ==, 6);
	g_assert_cmpuint(info.block_size, ==, 4096);
	g_assert_cmpuint(info.total_blocks, ==, 1000000);
	g_assert_cmpstr(info.prod_name, ==, "SAMSUNG KLUFG8RHDA-B2D1  0500");
	ub_firehose_storage_info_clear(&info);

	g_assert_false(ub_firehose_storage_info_parse(nothing, &info, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_cmpuint(info.total_blocks, ==, 0);
	g_assert_null(info.mem_type);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ub/edl/firehose/configure-nak", ub_firehose_configure_nak_func);
	g_test_add_func("/ub/edl/firehose/configure-adopt", ub_firehose_configure_adopt_func);
	g_test_add_func("/ub/edl/firehose/configure-silent", ub_firehose_configure_silent_func);
	g_test_add_func("/ub/edl/firehose/configure-storage", ub_firehose_configure_storage_func);
	g_test_add_func("/ub/edl/firehose/program", ub_firehose_program_func);
	g_test_add_func("/ub/edl/firehose/program-nak", ub_firehose_program_nak_func);
	g_test_add_func("/ub/edl/firehose/program-sector-size", ub_firehose_program_sector_size_func);
	g_test_add_func("/ub/edl/firehose/program-gone", ub_firehose_program_gone_func);
	g_test_add_func("/ub/edl/firehose/read", ub_firehose_read_func);
	g_test_add_func("/ub/edl/firehose/read-stream", ub_firehose_read_stream_func);
	g_test_add_func("/ub/edl/firehose/pending", ub_firehose_pending_func);
	g_test_add_func("/ub/edl/firehose/commands", ub_firehose_commands_func);
	g_test_add_func("/ub/edl/firehose/storage-info-parse", ub_firehose_storage_info_parse_func);
	return g_test_run();
}
