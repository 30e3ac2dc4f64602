/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sim/ub-sim-fault-transport.h"
#include "sim/ub-sim-phone.h"
#include "ub-memory-transport.h"

#define UB_SIM_PHONE_TEST_TIMEOUT 2000

/* a trivial personality: "reboot" ends the session, "store:TEXT" writes TEXT
 * to the misc partition, anything else is echoed; a NAKed command gets "NAK" */
#define UB_TYPE_SIM_ECHO (ub_sim_echo_get_type())
G_DECLARE_FINAL_TYPE(UbSimEcho, ub_sim_echo, UB, SIM_ECHO, UbSimPersonality)

struct _UbSimEcho {
	UbSimPersonality parent_instance;
};

G_DEFINE_TYPE(UbSimEcho, ub_sim_echo, UB_TYPE_SIM_PERSONALITY)

static gboolean
ub_sim_echo_reply(UbTransport *transport,
		  const guint8 *buf,
		  gsize bufsz,
		  GCancellable *cancellable,
		  GError **error)
{
	return ub_transport_write(transport,
				  buf,
				  bufsz,
				  UB_TRANSPORT_WRITE_FLAG_NONE,
				  UB_SIM_PHONE_TEST_TIMEOUT,
				  cancellable,
				  error);
}

static gboolean
ub_sim_echo_serve(UbSimPersonality *personality,
		  UbTransport *transport,
		  GCancellable *cancellable,
		  GError **error)
{
	UbSimStorage *storage = ub_sim_personality_get_storage(personality);
	for (;;) {
		guint8 buf[512] = {0};
		gssize n = ub_transport_read(transport, buf, sizeof(buf) - 1, 0, cancellable, error);
		if (n < 0)
			return FALSE;
		if (ub_sim_personality_count_command(personality)) {
			if (!ub_sim_echo_reply(transport, (const guint8 *)"NAK", 3, cancellable, error))
				return FALSE;
			continue;
		}
		if (g_strcmp0((const gchar *)buf, "reboot") == 0) {
			if (!ub_sim_echo_reply(transport, (const guint8 *)"BYE", 3, cancellable, error))
				return FALSE;
			return TRUE;
		}
		if (g_str_has_prefix((const gchar *)buf, "store:")) {
			if (!ub_sim_storage_write_partition(storage, "misc", 0, buf + 6, (gsize)n - 6, error))
				return FALSE;
		}
		if (!ub_sim_echo_reply(transport, buf, (gsize)n, cancellable, error))
			return FALSE;
	}
}

static void
ub_sim_echo_init(UbSimEcho *self)
{
}

static void
ub_sim_echo_class_init(UbSimEchoClass *klass)
{
	UB_SIM_PERSONALITY_CLASS(klass)->serve = ub_sim_echo_serve;
}

static void
ub_sim_phone_test_send(UbTransport *transport, const gchar *str)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(ub_transport_write(transport,
					 (const guint8 *)str,
					 strlen(str),
					 UB_TRANSPORT_WRITE_FLAG_NONE,
					 UB_SIM_PHONE_TEST_TIMEOUT,
					 NULL,
					 &error));
	g_assert_no_error(error);
}

static gchar *
ub_sim_phone_test_recv(UbTransport *transport)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[512] = {0};
	gssize n = ub_transport_read(transport,
				     buf,
				     sizeof(buf) - 1,
				     UB_SIM_PHONE_TEST_TIMEOUT,
				     NULL,
				     &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >=, 0);
	return g_strndup((const gchar *)buf, (gsize)n);
}

static gchar *
ub_sim_phone_test_ask(UbTransport *transport, const gchar *str)
{
	ub_sim_phone_test_send(transport, str);
	return ub_sim_phone_test_recv(transport);
}

static void
ub_sim_phone_test_rmdir(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;
	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *fn = g_build_filename(path, name, NULL);
		g_assert_cmpint(g_unlink(fn), ==, 0);
	}
	g_assert_cmpint(g_rmdir(path), ==, 0);
}

static UbSimStorage *
ub_sim_phone_test_storage(gchar **dir)
{
	g_autoptr(GError) error = NULL;
	UbSimStorage *storage;
	*dir = g_dir_make_tmp("ub-sim-phone-test-XXXXXX", &error);
	g_assert_no_error(error);
	storage = ub_sim_storage_open(*dir, "emmc:16M", &error);
	g_assert_no_error(error);
	return storage;
}

static void
ub_sim_phone_kinds_func(void)
{
	g_autofree gchar *dir = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_phone_test_storage(&dir);

	/* every kind the issue texts name exists now */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(UbSimPhone) phone = ub_sim_phone_new("mtk", storage, NULL, &error);
		g_assert_no_error(error);
		g_assert_nonnull(phone);
		g_assert_cmpstr(G_OBJECT_TYPE_NAME(ub_sim_phone_get_personality(phone)), ==, "UbSimMtk");
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(UbSimPhone) phone = ub_sim_phone_new("nokia", storage, NULL, &error);
		g_assert_null(phone);
		g_assert_error(error, UB_ERROR, UB_ERROR_NOT_FOUND);
		g_assert_nonnull(strstr(error->message, "unknown simulated phone kind 'nokia'"));
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(UbTransport) host = NULL;
		g_autoptr(UbSimPhone) phone = ub_sim_phone_new_in_process("mtk", &host, &error);
		guint8 byte = 0xA0;
		guint8 reply = 0;
		g_assert_no_error(error);
		g_assert_nonnull(phone);
		/* a BootROM: full-speed packets, and the handshake's first answer */
		g_assert_cmpuint(ub_transport_get_max_packet_size(host), ==, 64);
		g_assert_true(ub_transport_write(host, &byte, 1, UB_TRANSPORT_WRITE_FLAG_NONE, 1000, NULL, &error));
		g_assert_cmpint(ub_transport_read(host, &reply, 1, 1000, NULL, &error), ==, 1);
		g_assert_no_error(error);
		g_assert_cmpuint(reply, ==, 0x5F);
		ub_sim_phone_stop(phone);
	}
	g_clear_object(&storage);
	ub_sim_phone_test_rmdir(dir);
}

/* bytes flow host -> fault wrapper -> personality -> storage and back, with the
 * faults applied; stop unplugs the phone */
static void
ub_sim_phone_start_stop_func(void)
{
	g_autofree gchar *dir = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_phone_test_storage(&dir);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimFaults) faults = ub_sim_faults_new_from_string("nak=2,corrupt=3", &error);
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	g_autofree gchar *c = NULL;
	g_autofree gchar *d = NULL;
	UbSimFaultTransport *wrapped;
	guint8 buf[16] = {0};
	gint64 start;

	g_assert_no_error(error);
	phone = ub_sim_phone_new("echo", storage, faults, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ub_sim_phone_get_kind(phone), ==, "echo");
	g_assert_true(ub_sim_phone_get_storage(phone) == storage);
	g_assert_true(ub_sim_personality_get_storage(ub_sim_phone_get_personality(phone)) == storage);
	g_assert_true(ub_sim_personality_get_faults(ub_sim_phone_get_personality(phone)) == faults);
	g_assert_false(ub_sim_phone_is_running(phone));

	ub_memory_transport_new_pair(512, &host, &device);
	g_assert_true(ub_sim_phone_start(phone, device, &error));
	g_assert_no_error(error);
	g_assert_true(ub_sim_phone_is_running(phone));
	g_assert_false(ub_sim_phone_start(phone, device, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_BUSY);
	g_clear_error(&error);

	a = ub_sim_phone_test_ask(host, "store:hello");
	g_assert_cmpstr(a, ==, "store:hello");
	b = ub_sim_phone_test_ask(host, "second");
	g_assert_cmpstr(b, ==, "NAK");
	c = ub_sim_phone_test_ask(host, "abcd");
	g_assert_cmpstr(c, ==, "ab\x9c" "d");
	d = ub_sim_phone_test_ask(host, "abcd");
	g_assert_cmpstr(d, ==, "abcd");
	g_assert_cmpuint(ub_sim_personality_get_command_count(ub_sim_phone_get_personality(phone)), ==, 4);
	wrapped = UB_SIM_FAULT_TRANSPORT(ub_sim_phone_get_transport(phone));
	g_assert_cmpuint(ub_sim_fault_transport_get_transfers_sent(wrapped), ==, 4);
	g_assert_cmpuint(ub_sim_fault_transport_get_bytes_received(wrapped), ==, 11 + 6 + 4 + 4);

	/* the personality wrote to the storage the test can read */
	g_assert_true(ub_sim_storage_read_partition(storage, "misc", 0, buf, 5, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(buf, 5, "hello", 5);

	/* stop while the personality waits without a timeout */
	start = g_get_monotonic_time();
	ub_sim_phone_stop(phone);
	g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
	g_assert_false(ub_sim_phone_is_running(phone));
	g_assert_cmpint(ub_transport_read(host, buf, sizeof(buf), 100, NULL, &error), ==, -1);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	ub_sim_phone_stop(phone);

	g_clear_object(&phone);
	g_clear_object(&storage);
	ub_sim_phone_test_rmdir(dir);
}

/* a personality that returns TRUE (reboot): wait reports it, the host sees the phone go */
static void
ub_sim_phone_reboot_func(void)
{
	g_autofree gchar *dir = NULL;
	g_autoptr(UbSimStorage) storage = ub_sim_phone_test_storage(&dir);
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimPhone) phone = ub_sim_phone_new("echo", storage, NULL, &error);
	g_autoptr(UbTransport) host = NULL;
	g_autoptr(UbTransport) device = NULL;
	g_autoptr(UbTransport) host2 = NULL;
	g_autoptr(UbTransport) device2 = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	guint8 buf[16];

	g_assert_no_error(error);
	g_assert_false(ub_sim_phone_wait(phone, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_INTERNAL);
	g_clear_error(&error);

	ub_memory_transport_new_pair(512, &host, &device);
	g_assert_true(ub_sim_phone_start(phone, device, &error));
	a = ub_sim_phone_test_ask(host, "reboot");
	g_assert_cmpstr(a, ==, "BYE");
	g_assert_true(ub_sim_phone_wait(phone, &error));
	g_assert_no_error(error);
	g_assert_false(ub_sim_phone_is_running(phone));
	g_assert_cmpint(ub_transport_read(host, buf, sizeof(buf), 100, NULL, &error), ==, -1);
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);

	/* plugged in again on a new cable */
	ub_memory_transport_new_pair(512, &host2, &device2);
	g_assert_true(ub_sim_phone_start(phone, device2, &error));
	b = ub_sim_phone_test_ask(host2, "again");
	g_assert_cmpstr(b, ==, "again");

	/* the host going away ends the session with DEVICE_GONE */
	ub_transport_close(host2);
	g_assert_false(ub_sim_phone_wait(phone, &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);

	g_clear_object(&phone);
	g_clear_object(&storage);
	ub_sim_phone_test_rmdir(dir);
}

static void
ub_sim_phone_in_process_func(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(UbSimPhone) phone = NULL;
	g_autoptr(UbTransport) host = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;
	g_autofree gchar *geometry = NULL;

	phone = ub_sim_phone_new_in_process("echo", &host, &error);
	g_assert_no_error(error);
	g_assert_nonnull(phone);
	g_assert_cmpuint(ub_transport_get_max_packet_size(host), ==, 512);
	a = ub_sim_phone_test_ask(host, "ping");
	g_assert_cmpstr(a, ==, "ping");

	/* default storage: a 64 GiB eMMC in a temporary folder, unlinked while in use */
	geometry = ub_sim_storage_get_geometry(ub_sim_phone_get_storage(phone));
	g_assert_cmpstr(geometry, ==, "emmc:68719476736");
	dir = g_strdup(ub_sim_storage_get_dir(ub_sim_phone_get_storage(phone)));
	g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
	b = ub_sim_phone_test_ask(host, "store:still-there");
	g_assert_cmpstr(b, ==, "store:still-there");
	{
		guint8 buf[11] = {0};
		g_assert_true(ub_sim_storage_read_partition(ub_sim_phone_get_storage(phone),
							    "misc",
							    0,
							    buf,
							    sizeof(buf),
							    &error));
		g_assert_no_error(error);
		g_assert_cmpmem(buf, sizeof(buf), "still-there", 11);
	}
	g_clear_object(&phone);

	/* the host end outlives the phone and reports it gone */
	g_assert_false(ub_transport_write(host,
					  (const guint8 *)"x",
					  1,
					  UB_TRANSPORT_WRITE_FLAG_NONE,
					  100,
					  NULL,
					  &error));
	g_assert_error(error, UB_ERROR, UB_ERROR_DEVICE_GONE);
	g_clear_error(&error);
	g_clear_object(&host);

	/* with a folder: it stays, and faults come from the environment */
	g_clear_pointer(&dir, g_free);
	dir = g_dir_make_tmp("ub-sim-phone-test-XXXXXX", &error);
	g_assert_no_error(error);
	{
		g_autofree gchar *spec = g_strdup_printf("echo:%s", dir);
		g_setenv(UB_SIM_PHONE_ENV_FAULTS, "nak=1", TRUE);
		phone = ub_sim_phone_new_in_process(spec, &host, &error);
		g_unsetenv(UB_SIM_PHONE_ENV_FAULTS);
		g_assert_no_error(error);
	}
	g_clear_pointer(&a, g_free);
	g_clear_pointer(&b, g_free);
	a = ub_sim_phone_test_ask(host, "first");
	g_assert_cmpstr(a, ==, "NAK");
	b = ub_sim_phone_test_ask(host, "second");
	g_assert_cmpstr(b, ==, "second");
	g_clear_object(&phone);
	g_clear_object(&host);
	g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
	ub_sim_phone_test_rmdir(dir);

	/* bad specs */
	phone = ub_sim_phone_new_in_process("echo:", &host, &error);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_null(phone);
	g_clear_error(&error);
	g_setenv(UB_SIM_PHONE_ENV_FAULTS, "bogus=1", TRUE);
	phone = ub_sim_phone_new_in_process("echo", &host, &error);
	g_unsetenv(UB_SIM_PHONE_ENV_FAULTS);
	g_assert_error(error, UB_ERROR, UB_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "invalid UB_SIM_FAULTS: unknown fault 'bogus'"));
	g_assert_null(phone);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ub_sim_phone_register_kind("echo", UB_TYPE_SIM_ECHO);
	g_test_add_func("/ub/sim/phone/kinds", ub_sim_phone_kinds_func);
	g_test_add_func("/ub/sim/phone/start-stop", ub_sim_phone_start_stop_func);
	g_test_add_func("/ub/sim/phone/reboot", ub_sim_phone_reboot_func);
	g_test_add_func("/ub/sim/phone/in-process", ub_sim_phone_in_process_func);
	return g_test_run();
}
