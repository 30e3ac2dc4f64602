/*
 * Copyright (C) 2026 The Unbrick developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mtk/ub-mtk-legacy.h"
#include "mtk/ub-mtk-proto.h"
#include "ub-mem.h"
#include "ub-sim-layouts.h"
#include "ub-sim-mtk.h"

/*
 * The simulated MediaTek phone (reference: mtk.md a.2, a.3, a.6, a.10).
 *
 * A session is one host connection (a new memory pair, TCP connection or pty
 * client is a replug). It starts in the mode the phone presents:
 *
 * - preloader (0e8d:2000): writes "READY" every 200 ms until the first byte
 *   arrives; without a complete handshake within the window (3 s) the phone
 *   boots on and the session ends (the port goes away).
 * - BootROM (0e8d:0003): waits for the handshake as long as it takes.
 * - da (0e8d:2001): after SWITCH_USB_SPEED the next session is the DA
 *   itself, with all its state; no handshake, no sync byte.
 *
 * Handshake (A0 0A 50 05): a matching byte is answered by its complement; any
 * other byte by byte + 1 with the index reset; a repeated 0xA0 mid-sequence
 * silently restarts at index 1; a sequence not finished 300 ms after its
 * last byte starts over.
 *
 * BROM/preloader commands are big-endian with echoes (ub-mtk-brom.c is the
 * host side). A BROM whose watchdog was not disabled (WRITE32/WRITE16 of the
 * chip table's value to its address) resets when the DA upload starts: the
 * session ends. SLA (target config bit 1) makes SEND_DA answer 0x1D0D until
 * SEND_AUTH delivered a non-empty file; DAA (bit 2) refuses a DA without a
 * signature with 0x7024 after the upload. SEND_DA wants the chip table's DA
 * load address (0x7003 otherwise) and a sane length (0x7004), and answers the
 * XOR checksum of what it got. JUMP_DA to that address starts the DA: 0xC0.
 *
 * XFlash DA1: SYNC_SIGNAL, SETUP_ENVIRONMENT and SETUP_HW_INIT_PARAMS (then
 * "SYNC"), DEVICE_CTRL getters and setters, INIT_EXT_RAM, BOOT_TO (DA2;
 * refused with 0xC0050005 while DRAM is down, i.e. started by the BROM
 * without INIT_EXT_RAM), SHUTDOWN. Flash commands are DA2's: before BOOT_TO
 * they are 0xC0010003. READ_DATA / WRITE_DATA / FORMAT take the 56-byte
 * parameter block: storage type (0xC0030006), section (0xC003000C),
 * 512-byte multiples (0xC0030007), inside the section (0xC004000B); WRITE
 * chunks are checked against the checksum when CHECKSUM_LEVEL is not 0
 * (0xC0040003). A frame without the magic or a command that is not 4 bytes is
 * 0xC0010005; an unknown command 0xC0010003, an unknown DEVICE_CTRL code
 * 0xC0010004.
 *
 * Faults: every command (BROM byte or XFlash command frame) is counted; the
 * K-th fails: a BROM command with a wrong echo, READ_DATA / WRITE_DATA with a
 * non-zero status after the first chunk (0xC0050007 / 0xC0050008), any other
 * XFlash command with 0xC0010001.
 */

#define UB_SIM_MTK_DEFAULT_HW_CODE	0x0766
#define UB_SIM_MTK_HANDSHAKE_WINDOW_MS	3000
#define UB_SIM_MTK_HANDSHAKE_BYTE_MS	300
#define UB_SIM_MTK_READY_PERIOD_MS	200
#define UB_SIM_MTK_IDLE_SLICE_MS	1000
#define UB_SIM_MTK_DATA_TIMEOUT_MS	30000
#define UB_SIM_MTK_WRITE_TIMEOUT_MS	30000
#define UB_SIM_MTK_BL_VERSION		0x01
#define UB_SIM_MTK_BROM_VERSION		0x05
#define UB_SIM_MTK_HW_SUB_CODE		0x8A00
#define UB_SIM_MTK_HW_VERSION		0xCA00
#define UB_SIM_MTK_SW_VERSION		0x0000
#define UB_SIM_MTK_PL_CAP0		0x00000007 /* XFlash, ME_ID, SOC_ID */
#define UB_SIM_MTK_RW_MAX		256
#define UB_SIM_MTK_DA_MAX		(16 * 1024 * 1024)
#define UB_SIM_MTK_AUTH_MAX		(1024 * 1024)
#define UB_SIM_MTK_EMI_MAX		(1024 * 1024)
#define UB_SIM_MTK_DRAM_BASE		G_GUINT64_CONSTANT(0x40000000)
#define UB_SIM_MTK_PACKET_WRITE		0x100000
#define UB_SIM_MTK_PACKET_READ		0x100000
#define UB_SIM_MTK_FORMAT_STEPS		4
#define UB_SIM_MTK_HIGH_SPEED_ID	0x0E8D2001u
#define UB_SIM_MTK_DA_VERSION		"1.0"
#define UB_SIM_MTK_SYNC_BYTE		0xC0

/* status codes (mtk.md a.3; ub_mtk_status_to_string() has the texts) */
#define UB_SIM_MTK_ST_OK		0x0000
#define UB_SIM_MTK_ST_SLA		0x1D0D
#define UB_SIM_MTK_ST_INVALID_ADDR	0x1D02
#define UB_SIM_MTK_ST_JUMP_ADDR		0x1D0F
#define UB_SIM_MTK_ST_DA_LOCATION	0x7003
#define UB_SIM_MTK_ST_DA_LENGTH		0x7004
#define UB_SIM_MTK_ST_DAA_SIG		0x7024
#define UB_SIM_MTK_XST_ERROR		0xC0010001u
#define UB_SIM_MTK_XST_UNSUPPORTED	0xC0010003u
#define UB_SIM_MTK_XST_UNSUPPORTED_CTRL 0xC0010004u
#define UB_SIM_MTK_XST_PROTOCOL		0xC0010005u
#define UB_SIM_MTK_XST_STORAGE_MISMATCH 0xC0030006u
#define UB_SIM_MTK_XST_INVALID_PARAM	0xC0030007u
#define UB_SIM_MTK_XST_UNKNOWN_SECTION	0xC003000Cu
#define UB_SIM_MTK_XST_EMI_LENGTH	0xC0030018u
#define UB_SIM_MTK_XST_CHECKSUM		0xC0040003u
#define UB_SIM_MTK_XST_RANGE		0xC004000Bu
#define UB_SIM_MTK_XST_EXT_RAM		0xC0050005u
#define UB_SIM_MTK_XST_READ_EXC		0xC0050007u
#define UB_SIM_MTK_XST_WRITE_EXC	0xC0050008u

typedef enum {
	UB_SIM_MTK_MODE_BROM,
	UB_SIM_MTK_MODE_PRELOADER,
	UB_SIM_MTK_MODE_DA,
} UbSimMtkMode;

struct _UbSimMtk {
	UbSimPersonality parent_instance;
	/* configuration */
	gboolean preloader;
	guint16 hw_code;
	guint32 target_config;
	gboolean full_speed;
	guint handshake_window_ms;
	GError *env_error;
	/* state kept across sessions */
	UbSimMtkMode next_mode;
	gboolean started_by_brom;
	gboolean watchdog_disabled;
	gboolean auth_ok;
	gboolean da_loaded;
	guint32 da_addr;
	gboolean da_running;
	gboolean dram_up;
	gboolean da2_running;
	gboolean switched;
	guint32 checksum_level;
	guint write_count;
	GHashTable *regs; /* address -> value written */
	/* session */
	UbTransport *transport;
	GCancellable *cancellable;
	gboolean session_end;
};

G_DEFINE_TYPE(UbSimMtk, ub_sim_mtk, UB_TYPE_SIM_PERSONALITY)

static UbSimStorage *
ub_sim_mtk_get_storage(UbSimMtk *self)
{
	return ub_sim_personality_get_storage(UB_SIM_PERSONALITY(self));
}

static gboolean
ub_sim_mtk_is_ufs(UbSimMtk *self)
{
	return ub_sim_storage_get_kind(ub_sim_mtk_get_storage(self)) == UB_SIM_STORAGE_KIND_UFS;
}

static const UbMtkChip *
ub_sim_mtk_chip(UbSimMtk *self)
{
	return ub_mtk_chip_lookup(self->hw_code);
}

/* the phone is back at power-on: a BootROM or preloader with nothing loaded */
static void
ub_sim_mtk_power_on(UbSimMtk *self)
{
	self->next_mode = self->preloader ? UB_SIM_MTK_MODE_PRELOADER : UB_SIM_MTK_MODE_BROM;
	self->watchdog_disabled = FALSE;
	self->auth_ok = FALSE;
	self->da_loaded = FALSE;
	self->da_addr = 0;
	self->da_running = FALSE;
	self->dram_up = FALSE;
	self->da2_running = FALSE;
	self->switched = FALSE;
	self->checksum_level = 0;
	g_hash_table_remove_all(self->regs);
}

/* transport */

static gboolean
ub_sim_mtk_write(UbSimMtk *self, const guint8 *buf, gsize bufsz, GError **error)
{
	return ub_transport_write(self->transport,
				  buf,
				  bufsz,
				  UB_TRANSPORT_WRITE_FLAG_ZLP,
				  UB_SIM_MTK_WRITE_TIMEOUT_MS,
				  self->cancellable,
				  error);
}

static gboolean
ub_sim_mtk_read(UbSimMtk *self, guint8 *buf, gsize bufsz, guint timeout_ms, GError **error)
{
	return ub_transport_read_exact(self->transport, buf, bufsz, timeout_ms, self->cancellable, error);
}

/* the first bytes of the next command: waits as long as the host takes */
static gssize
ub_sim_mtk_read_idle(UbSimMtk *self, guint8 *buf, gsize bufsz, GError **error)
{
	for (;;) {
		g_autoptr(GError) error_local = NULL;
		gssize n = ub_transport_read(self->transport,
					     buf,
					     bufsz,
					     UB_SIM_MTK_IDLE_SLICE_MS,
					     self->cancellable,
					     &error_local);
		if (n > 0)
			return n;
		if (n == 0)
			continue;
		if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return -1;
		}
	}
}

static gboolean
ub_sim_mtk_write_u16(UbSimMtk *self, guint16 value, GError **error)
{
	guint8 buf[2] = {0};
	ub_mem_write_u16_be(buf, 0, value);
	return ub_sim_mtk_write(self, buf, sizeof(buf), error);
}

static gboolean
ub_sim_mtk_write_u32(UbSimMtk *self, guint32 value, GError **error)
{
	guint8 buf[4] = {0};
	ub_mem_write_u32_be(buf, 0, value);
	return ub_sim_mtk_write(self, buf, sizeof(buf), error);
}

/* a parameter read and sent back as it came */
static gboolean
ub_sim_mtk_echo(UbSimMtk *self, guint8 *buf, gsize bufsz, GError **error)
{
	return ub_sim_mtk_read(self, buf, bufsz, UB_SIM_MTK_DATA_TIMEOUT_MS, error) &&
	       ub_sim_mtk_write(self, buf, bufsz, error);
}

/* a big-endian parameter, echoed */
static gboolean
ub_sim_mtk_echo_u32(UbSimMtk *self, guint32 *value, GError **error)
{
	guint8 buf[4] = {0};
	if (!ub_sim_mtk_echo(self, buf, sizeof(buf), error))
		return FALSE;
	*value = ub_mem_read_u32_be(buf, 0);
	return TRUE;
}

static gboolean
ub_sim_mtk_echo_u16(UbSimMtk *self, guint16 *value, GError **error)
{
	guint8 buf[2] = {0};
	if (!ub_sim_mtk_echo(self, buf, sizeof(buf), error))
		return FALSE;
	*value = ub_mem_read_u16_be(buf, 0);
	return TRUE;
}

/* handshake */

/*
 * Returns TRUE with @done set when the handshake completed, TRUE with @done
 * unset when a preloader's window passed (the phone boots on).
 */
static gboolean
ub_sim_mtk_handshake(UbSimMtk *self, gboolean *done, GError **error)
{
	gboolean preloader = self->next_mode == UB_SIM_MTK_MODE_PRELOADER;
	gint64 start = g_get_monotonic_time();
	gint64 deadline = start + (gint64)self->handshake_window_ms * G_TIME_SPAN_MILLISECOND;
	gint64 last_byte = 0;
	gboolean talking = FALSE;
	guint idx = 0;

	*done = FALSE;
	for (;;) {
		g_autoptr(GError) error_local = NULL;
		guint8 byte = 0;
		guint timeout_ms = UB_SIM_MTK_IDLE_SLICE_MS;
		gint64 now = g_get_monotonic_time();
		gssize n;

		if (preloader) {
			if (now >= deadline) {
				g_debug("sim: no handshake within %u ms, the preloader boots on",
					self->handshake_window_ms);
				return TRUE;
			}
			timeout_ms = (guint)MIN((deadline - now) / G_TIME_SPAN_MILLISECOND + 1,
						UB_SIM_MTK_READY_PERIOD_MS);
			/* the listen loop's liveness output, until the host talks */
			if (!talking && !ub_sim_mtk_write(self, (const guint8 *)"READY", 5, error))
				return FALSE;
		}
		if (idx > 0)
			timeout_ms = MIN(timeout_ms, UB_SIM_MTK_HANDSHAKE_BYTE_MS);
		n = ub_transport_read(self->transport, &byte, 1, timeout_ms, self->cancellable, &error_local);
		if (n < 0) {
			if (!g_error_matches(error_local, UB_ERROR, UB_ERROR_TIMED_OUT)) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			/* a sequence not finished in time starts over */
			if (idx > 0 && g_get_monotonic_time() - last_byte >=
					   UB_SIM_MTK_HANDSHAKE_BYTE_MS * G_TIME_SPAN_MILLISECOND)
				idx = 0;
			continue;
		}
		if (n == 0)
			continue;
		talking = TRUE;
		last_byte = g_get_monotonic_time();
		if (byte == ub_mtk_handshake[idx]) {
			guint8 reply = (guint8)~byte;
			if (!ub_sim_mtk_write(self, &reply, 1, error))
				return FALSE;
			idx++;
			if (idx == UB_MTK_HANDSHAKE_LEN) {
				*done = TRUE;
				return TRUE;
			}
		} else if (byte == ub_mtk_handshake[0] && idx > 0) {
			/* the fault-tolerant extra 0xA0: no reply */
			idx = 1;
		} else {
			guint8 reply = (guint8)(byte + 1);
			if (!ub_sim_mtk_write(self, &reply, 1, error))
				return FALSE;
			idx = 0;
		}
	}
}

/* BROM / preloader commands */

static guint32
ub_sim_mtk_reg_read(UbSimMtk *self, guint32 addr)
{
	gpointer value = NULL;
	if (g_hash_table_lookup_extended(self->regs, GUINT_TO_POINTER(addr), NULL, &value))
		return GPOINTER_TO_UINT(value);
	/* something stable for registers nobody wrote */
	return addr ^ 0x5A5A0000u;
}

static void
ub_sim_mtk_reg_write(UbSimMtk *self, guint32 addr, guint32 value, gboolean is_16bit)
{
	const UbMtkChip *chip = ub_sim_mtk_chip(self);
	g_hash_table_insert(self->regs, GUINT_TO_POINTER(addr), GUINT_TO_POINTER(value));
	if (chip != NULL && chip->watchdog_addr == addr && chip->watchdog_value == value &&
	    chip->watchdog_16bit == is_16bit) {
		g_debug("sim: watchdog disabled");
		self->watchdog_disabled = TRUE;
	}
}

/* READ/WRITE 16/32: address and count echoed, then a status; @valid unset when refused */
static gboolean
ub_sim_mtk_rw_prologue(UbSimMtk *self,
		       gboolean is_16bit,
		       guint32 *addr,
		       guint32 *count,
		       gboolean *valid,
		       GError **error)
{
	*valid = FALSE;
	if (!ub_sim_mtk_echo_u32(self, addr, error) || !ub_sim_mtk_echo_u32(self, count, error))
		return FALSE;
	if (*count == 0 || *count > UB_SIM_MTK_RW_MAX || *addr % (is_16bit ? 2 : 4) != 0)
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_INVALID_ADDR, error);
	if (!ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error))
		return FALSE;
	*valid = TRUE;
	return TRUE;
}

static gboolean
ub_sim_mtk_cmd_read(UbSimMtk *self, gboolean is_16bit, GError **error)
{
	guint32 addr = 0;
	guint32 count = 0;
	gboolean valid = FALSE;
	if (!ub_sim_mtk_rw_prologue(self, is_16bit, &addr, &count, &valid, error))
		return FALSE;
	if (!valid)
		return TRUE;
	for (guint32 i = 0; i < count; i++) {
		guint32 a = addr + i * (is_16bit ? 2 : 4);
		guint32 value = ub_sim_mtk_reg_read(self, a);
		if (is_16bit ? !ub_sim_mtk_write_u16(self, (guint16)value, error)
			     : !ub_sim_mtk_write_u32(self, value, error))
			return FALSE;
	}
	return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
}

static gboolean
ub_sim_mtk_cmd_write(UbSimMtk *self, gboolean is_16bit, GError **error)
{
	guint32 addr = 0;
	guint32 count = 0;
	gboolean valid = FALSE;
	if (!ub_sim_mtk_rw_prologue(self, is_16bit, &addr, &count, &valid, error))
		return FALSE;
	if (!valid)
		return TRUE;
	for (guint32 i = 0; i < count; i++) {
		guint32 a = addr + i * (is_16bit ? 2 : 4);
		guint32 value = 0;
		if (is_16bit) {
			guint16 v16 = 0;
			if (!ub_sim_mtk_echo_u16(self, &v16, error))
				return FALSE;
			value = v16;
		} else if (!ub_sim_mtk_echo_u32(self, &value, error)) {
			return FALSE;
		}
		ub_sim_mtk_reg_write(self, a, value, is_16bit);
	}
	return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
}

/* len, bytes, status: GET_ME_ID (16) and GET_SOC_ID (32), derived from the hw code */
static gboolean
ub_sim_mtk_cmd_id(UbSimMtk *self, const gchar *what, gsize len, GError **error)
{
	g_autofree gchar *key = g_strdup_printf("unbrick-sim:%s:%04x", what, self->hw_code);
	g_autofree gchar *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
	guint8 buf[32] = {0};
	for (gsize i = 0; i < len; i++)
		buf[i] = (guint8)g_ascii_xdigit_value(hex[i * 2]) << 4 |
			 (guint8)g_ascii_xdigit_value(hex[i * 2 + 1]);
	return ub_sim_mtk_write_u32(self, (guint32)len, error) && ub_sim_mtk_write(self, buf, len, error) &&
	       ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
}

/* SEND_AUTH / SEND_CERT: length, status, data, checksum, status */
static gboolean
ub_sim_mtk_cmd_send_file(UbSimMtk *self, gboolean is_auth, GError **error)
{
	guint32 len = 0;
	g_autofree guint8 *buf = NULL;

	if (!ub_sim_mtk_echo_u32(self, &len, error))
		return FALSE;
	if (len == 0 || len > UB_SIM_MTK_AUTH_MAX)
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_DA_LENGTH, error);
	if (!ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error))
		return FALSE;
	buf = g_malloc(len);
	if (!ub_sim_mtk_read(self, buf, len, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	if (!ub_sim_mtk_write_u16(self, ub_mtk_da_checksum(buf, len), error))
		return FALSE;
	/* any auth file is accepted: the simulator has no OEM key */
	if (is_auth)
		self->auth_ok = TRUE;
	return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
}

static gboolean
ub_sim_mtk_cmd_send_da(UbSimMtk *self, GError **error)
{
	const UbMtkChip *chip = ub_sim_mtk_chip(self);
	guint32 addr = 0;
	guint32 len = 0;
	guint32 sig_len = 0;
	guint16 sum = 0;
	gboolean odd_pending = FALSE;
	guint8 odd_byte = 0;
	guint32 done = 0;
	g_autofree guint8 *buf = NULL;

	if (!ub_sim_mtk_echo_u32(self, &addr, error) || !ub_sim_mtk_echo_u32(self, &len, error) ||
	    !ub_sim_mtk_echo_u32(self, &sig_len, error))
		return FALSE;

	/* the watchdog bites while the BROM waits for the DA */
	if (self->next_mode == UB_SIM_MTK_MODE_BROM && !self->watchdog_disabled) {
		g_debug("sim: SEND_DA with the watchdog running: the BROM resets");
		self->session_end = TRUE;
		return TRUE;
	}
	if ((self->target_config & UB_MTK_TARGET_CONFIG_SLA) != 0 && !self->auth_ok)
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_SLA, error);
	if (chip != NULL && addr != chip->da_payload_addr)
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_DA_LOCATION, error);
	if (len == 0 || len > UB_SIM_MTK_DA_MAX || sig_len > len)
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_DA_LENGTH, error);
	if (!ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error))
		return FALSE;

	/* raw bytes, no echo; the checksum of what arrived */
	buf = g_malloc(MIN(len, 65536u));
	while (done < len) {
		guint32 n = MIN(len - done, 65536u);
		if (!ub_sim_mtk_read(self, buf, n, UB_SIM_MTK_DATA_TIMEOUT_MS, error)) {
			g_prefix_error(error, "SEND_DA: ");
			return FALSE;
		}
		sum = ub_mtk_da_checksum_update(sum, buf, n, &odd_pending, &odd_byte);
		done += n;
	}
	if (!ub_sim_mtk_write_u16(self, sum, error))
		return FALSE;
	if ((self->target_config & UB_MTK_TARGET_CONFIG_DAA) != 0 && sig_len == 0)
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_DAA_SIG, error);
	self->da_loaded = TRUE;
	self->da_addr = addr;
	return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
}

static gboolean
ub_sim_mtk_cmd_jump_da(UbSimMtk *self, gboolean is_64, GError **error)
{
	guint32 addr = 0;
	guint8 arch = 0;
	guint8 sync = UB_SIM_MTK_SYNC_BYTE;

	if (!ub_sim_mtk_echo_u32(self, &addr, error))
		return FALSE;
	if (is_64) {
		if (!ub_sim_mtk_read(self, &arch, 1, UB_SIM_MTK_DATA_TIMEOUT_MS, error) ||
		    !ub_sim_mtk_write(self, &arch, 1, error))
			return FALSE;
	}
	if (!self->da_loaded || addr != self->da_addr)
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_JUMP_ADDR, error);
	if (!ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error))
		return FALSE;
	self->da_running = TRUE;
	self->started_by_brom = self->next_mode == UB_SIM_MTK_MODE_BROM;
	/* a preloader already set up DRAM */
	self->dram_up = !self->started_by_brom;
	return ub_sim_mtk_write(self, &sync, 1, error);
}

static gboolean
ub_sim_mtk_brom_command(UbSimMtk *self, guint8 cmd, GError **error)
{
	gboolean preloader = self->next_mode == UB_SIM_MTK_MODE_PRELOADER;
	guint8 echo = cmd;

	/* GET_BL_VER and GET_VERSION answer one byte and have no echo */
	if (cmd == UB_MTK_BROM_CMD_GET_BL_VER) {
		guint8 reply = preloader ? UB_SIM_MTK_BL_VERSION : cmd;
		return ub_sim_mtk_write(self, &reply, 1, error);
	}
	if (cmd == UB_MTK_BROM_CMD_GET_VERSION) {
		guint8 reply = UB_SIM_MTK_BROM_VERSION;
		return ub_sim_mtk_write(self, &reply, 1, error);
	}
	if (ub_sim_personality_count_command(UB_SIM_PERSONALITY(self))) {
		/* the injected fault: a wrong echo */
		echo = (guint8)(cmd + 1);
		return ub_sim_mtk_write(self, &echo, 1, error);
	}
	if (!ub_sim_mtk_write(self, &echo, 1, error))
		return FALSE;

	switch (cmd) {
	case UB_MTK_BROM_CMD_GET_HW_CODE:
		return ub_sim_mtk_write_u16(self, self->hw_code, error) &&
		       ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
	case UB_MTK_BROM_CMD_GET_HW_SW_VER:
		return ub_sim_mtk_write_u16(self, UB_SIM_MTK_HW_SUB_CODE, error) &&
		       ub_sim_mtk_write_u16(self, UB_SIM_MTK_HW_VERSION, error) &&
		       ub_sim_mtk_write_u16(self, UB_SIM_MTK_SW_VERSION, error) &&
		       ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
	case UB_MTK_BROM_CMD_GET_TARGET_CONFIG:
		return ub_sim_mtk_write_u32(self, self->target_config, error) &&
		       ub_sim_mtk_write_u16(self, UB_SIM_MTK_ST_OK, error);
	case UB_MTK_BROM_CMD_GET_PL_CAP:
		/* a BROM does not know it: the echo was all */
		if (!preloader)
			return TRUE;
		return ub_sim_mtk_write_u32(self, UB_SIM_MTK_PL_CAP0, error) &&
		       ub_sim_mtk_write_u32(self, 0, error);
	case UB_MTK_BROM_CMD_GET_ME_ID:
		return ub_sim_mtk_cmd_id(self, "meid", 16, error);
	case UB_MTK_BROM_CMD_GET_SOC_ID:
		return ub_sim_mtk_cmd_id(self, "socid", 32, error);
	case UB_MTK_BROM_CMD_READ32:
		return ub_sim_mtk_cmd_read(self, FALSE, error);
	case UB_MTK_BROM_CMD_READ16:
		return ub_sim_mtk_cmd_read(self, TRUE, error);
	case UB_MTK_BROM_CMD_WRITE32:
		return ub_sim_mtk_cmd_write(self, FALSE, error);
	case UB_MTK_BROM_CMD_WRITE16:
		return ub_sim_mtk_cmd_write(self, TRUE, error);
	case UB_MTK_BROM_CMD_SEND_AUTH:
		return ub_sim_mtk_cmd_send_file(self, TRUE, error);
	case UB_MTK_BROM_CMD_SEND_CERT:
		return ub_sim_mtk_cmd_send_file(self, FALSE, error);
	case UB_MTK_BROM_CMD_SEND_DA:
		return ub_sim_mtk_cmd_send_da(self, error);
	case UB_MTK_BROM_CMD_JUMP_DA:
		return ub_sim_mtk_cmd_jump_da(self, FALSE, error);
	case UB_MTK_BROM_CMD_JUMP_DA64:
		return ub_sim_mtk_cmd_jump_da(self, TRUE, error);
	default:
		/* unknown commands are echoed and otherwise ignored */
		g_debug("sim: unknown BROM command 0x%02x", cmd);
		return TRUE;
	}
}

static gboolean
ub_sim_mtk_brom_loop(UbSimMtk *self, GError **error)
{
	while (!self->session_end && !self->da_running) {
		guint8 cmd = 0;
		if (ub_sim_mtk_read_idle(self, &cmd, 1, error) < 0)
			return FALSE;
		if (!ub_sim_mtk_brom_command(self, cmd, error))
			return FALSE;
	}
	return TRUE;
}

/* XFlash DA */

static gboolean
ub_sim_mtk_x_send(UbSimMtk *self, const guint8 *buf, gsize bufsz, GError **error)
{
	guint8 hdr[UB_MTK_XFLASH_HEADER_LEN] = {0};
	ub_mtk_xflash_header_build(hdr, UB_MTK_XFLASH_TYPE_PROTOCOL, (guint32)bufsz);
	return ub_sim_mtk_write(self, hdr, sizeof(hdr), error) && ub_sim_mtk_write(self, buf, bufsz, error);
}

static gboolean
ub_sim_mtk_x_send_u32(UbSimMtk *self, guint32 value, GError **error)
{
	guint8 buf[4] = {0};
	ub_mem_write_u32_le(buf, 0, value);
	return ub_sim_mtk_x_send(self, buf, sizeof(buf), error);
}

static gboolean
ub_sim_mtk_x_status(UbSimMtk *self, guint32 status, GError **error)
{
	if (status != 0)
		g_debug("sim: DA status 0x%08x: %s", status, ub_mtk_status_to_string(status));
	return ub_sim_mtk_x_send_u32(self, status, error);
}

/*
 * One frame from the host. @idle: wait as long as the host takes for it.
 * A bad header is answered with the protocol-error status and @blob stays NULL.
 */
static gboolean
ub_sim_mtk_x_recv(UbSimMtk *self, gboolean idle, GBytes **blob, GError **error)
{
	guint8 hdr[UB_MTK_XFLASH_HEADER_LEN] = {0};
	gsize got = 0;
	guint32 type = 0;
	guint32 len = 0;
	g_autoptr(GError) error_local = NULL;
	g_autofree guint8 *buf = NULL;

	*blob = NULL;
	if (idle) {
		gssize n = ub_sim_mtk_read_idle(self, hdr, sizeof(hdr), error);
		if (n < 0)
			return FALSE;
		got = (gsize)n;
	}
	if (!ub_sim_mtk_read(self, hdr + got, sizeof(hdr) - got, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	if (!ub_mtk_xflash_header_parse(hdr, sizeof(hdr), &type, &len, &error_local)) {
		g_debug("sim: %s", error_local->message);
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_PROTOCOL, error);
	}
	buf = g_malloc(MAX(len, 1));
	if (len > 0 && !ub_sim_mtk_read(self, buf, len, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	/* log messages from the host mean nothing to the DA */
	if (type == UB_MTK_XFLASH_TYPE_MESSAGE)
		return ub_sim_mtk_x_recv(self, idle, blob, error);
	*blob = g_bytes_new_take(g_steal_pointer(&buf), len);
	return TRUE;
}

/* a frame that must be a u32 (a command, a length, an ack) */
static gboolean
ub_sim_mtk_x_recv_u32(UbSimMtk *self, gboolean *ok, guint32 *value, GError **error)
{
	g_autoptr(GBytes) blob = NULL;
	*ok = FALSE;
	if (!ub_sim_mtk_x_recv(self, FALSE, &blob, error))
		return FALSE;
	if (blob == NULL)
		return TRUE;
	if (g_bytes_get_size(blob) != 4)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_PROTOCOL, error);
	*value = ub_mem_read_u32_le(g_bytes_get_data(blob, NULL), 0);
	*ok = TRUE;
	return TRUE;
}

/* a parameter frame of at most @max bytes; a bad one is answered */
static gboolean
ub_sim_mtk_x_recv_param(UbSimMtk *self, gsize max, GBytes **param, GError **error)
{
	g_autoptr(GBytes) blob = NULL;
	*param = NULL;
	if (!ub_sim_mtk_x_recv(self, FALSE, &blob, error))
		return FALSE;
	if (blob == NULL)
		return TRUE;
	if (g_bytes_get_size(blob) > max)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_PROTOCOL, error);
	*param = g_steal_pointer(&blob);
	return TRUE;
}

static gboolean
ub_sim_mtk_x_emmc_info(UbSimMtk *self, GError **error)
{
	UbSimStorage *storage = ub_sim_mtk_get_storage(self);
	guint8 buf[104] = {0};
	if (!ub_sim_mtk_is_ufs(self)) {
		ub_mem_write_u32_le(buf, 0, 1);
		ub_mem_write_u32_le(buf, 4, 512);
		ub_mem_write_u64_le(buf, 8, ub_sim_storage_get_region_size(storage, "boot1"));
		ub_mem_write_u64_le(buf, 16, ub_sim_storage_get_region_size(storage, "boot2"));
		ub_mem_write_u64_le(buf, 24, ub_sim_storage_get_region_size(storage, "rpmb"));
		ub_mem_write_u64_le(buf, 64, ub_sim_storage_get_region_size(storage, "user"));
		/* CID: manufacturer 0x15, "SIMMMC", then serial-ish bytes */
		memcpy(buf + 72, "\x15\x01\x00SIMMMC\x10\x12\x34\x56\x78\x9a\x00", 16);
		ub_mem_write_u64_le(buf, 88, 0x0300000000000000);
	}
	/* no eMMC: type 0, as a UFS phone's DA answers */
	return ub_sim_mtk_x_send(self, buf, sizeof(buf), error);
}

static gboolean
ub_sim_mtk_x_ufs_info(UbSimMtk *self, GError **error)
{
	UbSimStorage *storage = ub_sim_mtk_get_storage(self);
	guint8 buf[64] = {0};
	if (ub_sim_mtk_is_ufs(self)) {
		ub_mem_write_u32_le(buf, 0, 1);
		ub_mem_write_u32_le(buf, 4, 4096);
		ub_mem_write_u64_le(buf, 8, ub_sim_storage_get_region_size(storage, "lun2"));
		ub_mem_write_u64_le(buf, 16, ub_sim_storage_get_region_size(storage, "lun1"));
		ub_mem_write_u64_le(buf, 24, ub_sim_storage_get_region_size(storage, "lun0"));
		memcpy(buf + 32, "\xce\x01SIMUFS\x00\x00\x00\x00\x12\x34\x56\x78", 16);
	}
	return ub_sim_mtk_x_send(self, buf, sizeof(buf), error);
}

static gboolean
ub_sim_mtk_x_send_string(UbSimMtk *self, const gchar *str, GError **error)
{
	return ub_sim_mtk_x_send(self, (const guint8 *)str, strlen(str), error);
}

/* DEVICE_CTRL: code -> status, then a result and a status (getters) or a
 * parameter and a status (setters) */
static gboolean
ub_sim_mtk_x_device_ctrl(UbSimMtk *self, GError **error)
{
	const UbMtkChip *chip = ub_sim_mtk_chip(self);
	gboolean ok = FALSE;
	guint32 code = 0;
	guint8 buf[24] = {0};

	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	if (!ub_sim_mtk_x_recv_u32(self, &ok, &code, error))
		return FALSE;
	if (!ok)
		return TRUE;

	/* setters: 0x02xxxx */
	if ((code & 0xFF0000) == 0x020000 && code <= 0x02000F) {
		g_autoptr(GBytes) param = NULL;
		if (!ub_sim_mtk_x_status(self, 0, error))
			return FALSE;
		if (!ub_sim_mtk_x_recv_param(self, 64, &param, error))
			return FALSE;
		if (param == NULL)
			return TRUE;
		if (code == UB_MTK_XFLASH_CTRL_SET_CHECKSUM_LEVEL && g_bytes_get_size(param) >= 4)
			self->checksum_level = ub_mem_read_u32_le(g_bytes_get_data(param, NULL), 0);
		return ub_sim_mtk_x_status(self, 0, error);
	}
	switch (code) {
	case UB_MTK_XFLASH_CTRL_CC_OPTIONAL_DOWNLOAD_ACT:
		return ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_EMMC_INFO:
		return ub_sim_mtk_x_status(self, 0, error) && ub_sim_mtk_x_emmc_info(self, error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_UFS_INFO:
		return ub_sim_mtk_x_status(self, 0, error) && ub_sim_mtk_x_ufs_info(self, error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_DA_VERSION:
		return ub_sim_mtk_x_status(self, 0, error) &&
		       ub_sim_mtk_x_send_string(self, UB_SIM_MTK_DA_VERSION, error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_PACKET_LENGTH:
		ub_mem_write_u32_le(buf, 0, UB_SIM_MTK_PACKET_WRITE);
		ub_mem_write_u32_le(buf, 4, UB_SIM_MTK_PACKET_READ);
		return ub_sim_mtk_x_status(self, 0, error) && ub_sim_mtk_x_send(self, buf, 8, error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_CONNECTION_AGENT:
		return ub_sim_mtk_x_status(self, 0, error) &&
		       ub_sim_mtk_x_send_string(self, self->started_by_brom ? "brom" : "preloader", error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_USB_SPEED:
		return ub_sim_mtk_x_status(self, 0, error) &&
		       ub_sim_mtk_x_send_string(self,
						self->full_speed && !self->switched ? "full-speed"
										   : "high-speed",
						error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_RAM_INFO:
		/* SRAM type 1 at 0x100000, 0x60000; DRAM type 2 at 0x40000000, 4 GiB window */
		ub_mem_write_u32_le(buf, 0, 1);
		ub_mem_write_u32_le(buf, 4, 0x100000);
		ub_mem_write_u32_le(buf, 8, 0x60000);
		ub_mem_write_u32_le(buf, 12, self->dram_up ? 2 : 0);
		ub_mem_write_u32_le(buf, 16, (guint32)UB_SIM_MTK_DRAM_BASE);
		ub_mem_write_u32_le(buf, 20, self->dram_up ? 0x80000000u : 0);
		return ub_sim_mtk_x_status(self, 0, error) && ub_sim_mtk_x_send(self, buf, 24, error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	case UB_MTK_XFLASH_CTRL_GET_CHIP_ID:
		ub_mem_write_u16_le(buf, 0, chip != NULL ? chip->da_code : self->hw_code);
		ub_mem_write_u16_le(buf, 2, UB_SIM_MTK_HW_SUB_CODE);
		ub_mem_write_u16_le(buf, 4, UB_SIM_MTK_HW_VERSION);
		ub_mem_write_u16_le(buf, 6, UB_SIM_MTK_SW_VERSION);
		ub_mem_write_u16_le(buf, 8, 0);
		return ub_sim_mtk_x_status(self, 0, error) && ub_sim_mtk_x_send(self, buf, 10, error) &&
		       ub_sim_mtk_x_status(self, 0, error);
	default:
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_UNSUPPORTED_CTRL, error);
	}
}

/* INIT_EXT_RAM: length -> status, EMI settings -> status */
static gboolean
ub_sim_mtk_x_init_ext_ram(UbSimMtk *self, GError **error)
{
	g_autoptr(GBytes) emi = NULL;
	gboolean ok = FALSE;
	guint32 len = 0;

	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	if (!ub_sim_mtk_x_recv_u32(self, &ok, &len, error))
		return FALSE;
	if (!ok)
		return TRUE;
	if (len == 0 || len > UB_SIM_MTK_EMI_MAX)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_EMI_LENGTH, error);
	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	if (!ub_sim_mtk_x_recv_param(self, UB_SIM_MTK_EMI_MAX, &emi, error))
		return FALSE;
	if (emi == NULL)
		return TRUE;
	if (g_bytes_get_size(emi) != len)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_EMI_LENGTH, error);
	self->dram_up = TRUE;
	return ub_sim_mtk_x_status(self, 0, error);
}

/* BOOT_TO: {u64 address, u64 length}, DA2 -> status, then DA2's SYNC */
static gboolean
ub_sim_mtk_x_boot_to(UbSimMtk *self, GError **error)
{
	g_autoptr(GBytes) param = NULL;
	g_autoptr(GBytes) da2 = NULL;
	guint64 addr;
	guint64 len;

	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	if (!ub_sim_mtk_x_recv_param(self, 16, &param, error))
		return FALSE;
	if (param == NULL)
		return TRUE;
	if (g_bytes_get_size(param) != 16)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_PROTOCOL, error);
	addr = ub_mem_read_u64_le(g_bytes_get_data(param, NULL), 0);
	len = ub_mem_read_u64_le(g_bytes_get_data(param, NULL), 8);
	if (!ub_sim_mtk_x_recv_param(self, UB_MTK_XFLASH_MAX_PAYLOAD, &da2, error))
		return FALSE;
	if (da2 == NULL)
		return TRUE;
	if (g_bytes_get_size(da2) != len || len == 0)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_INVALID_PARAM, error);
	/* DA2 runs from DRAM */
	if (!self->dram_up)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_EXT_RAM, error);
	if (addr < UB_SIM_MTK_DRAM_BASE)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_INVALID_PARAM, error);
	self->da2_running = TRUE;
	return ub_sim_mtk_x_status(self, 0, error) &&
	       ub_sim_mtk_x_send_u32(self, UB_MTK_XFLASH_CMD_SYNC_SIGNAL, error);
}

/* the data parameter block of READ_DATA / WRITE_DATA / FORMAT, checked; 0 or the status */
static guint32
ub_sim_mtk_x_check_range(UbSimMtk *self,
			 GBytes *param,
			 const gchar **region,
			 gboolean *both_boot,
			 guint64 *offset,
			 guint64 *length)
{
	UbSimStorage *storage = ub_sim_mtk_get_storage(self);
	UbMtkStorage kind = ub_sim_mtk_is_ufs(self) ? UB_MTK_STORAGE_UFS : UB_MTK_STORAGE_EMMC;
	guint32 st = 0;
	guint32 section = 0;
	g_autoptr(GError) error_local = NULL;

	if (!ub_mtk_xflash_data_param_parse(g_bytes_get_data(param, NULL),
					    g_bytes_get_size(param),
					    &st,
					    &section,
					    offset,
					    length,
					    &error_local)) {
		g_debug("sim: %s", error_local->message);
		return UB_SIM_MTK_XST_INVALID_PARAM;
	}
	if (st != (guint32)kind)
		return UB_SIM_MTK_XST_STORAGE_MISMATCH;
	*both_boot = kind == UB_MTK_STORAGE_EMMC && section == UB_MTK_SECTION_EMMC_BOOT1_BOOT2;
	*region = *both_boot ? "boot1" : ub_mtk_region_for_section(kind, section);
	if (*region == NULL || !ub_sim_storage_has_region(storage, *region))
		return UB_SIM_MTK_XST_UNKNOWN_SECTION;
	if (*length == 0 || *offset % 512 != 0 || *length % 512 != 0)
		return UB_SIM_MTK_XST_INVALID_PARAM;
	if (*offset > ub_sim_storage_get_region_size(storage, *region) ||
	    *length > ub_sim_storage_get_region_size(storage, *region) - *offset)
		return UB_SIM_MTK_XST_RANGE;
	return 0;
}

/* command status, parameter block, its status; FALSE in @go when refused */
static gboolean
ub_sim_mtk_x_data_prologue(UbSimMtk *self,
			   gboolean *go,
			   const gchar **region,
			   gboolean *both_boot,
			   guint64 *offset,
			   guint64 *length,
			   GError **error)
{
	g_autoptr(GBytes) param = NULL;
	guint32 status;

	*go = FALSE;
	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	if (!ub_sim_mtk_x_recv_param(self, 256, &param, error))
		return FALSE;
	if (param == NULL)
		return TRUE;
	status = ub_sim_mtk_x_check_range(self, param, region, both_boot, offset, length);
	if (!ub_sim_mtk_x_status(self, status, error))
		return FALSE;
	*go = status == 0;
	return TRUE;
}

static gboolean
ub_sim_mtk_x_read_data(UbSimMtk *self, gboolean nak, GError **error)
{
	UbSimStorage *storage = ub_sim_mtk_get_storage(self);
	const gchar *region = NULL;
	gboolean both_boot = FALSE;
	gboolean go = FALSE;
	guint64 offset = 0;
	guint64 length = 0;
	guint64 done = 0;
	g_autofree guint8 *buf = NULL;

	if (!ub_sim_mtk_x_data_prologue(self, &go, &region, &both_boot, &offset, &length, error))
		return FALSE;
	if (!go)
		return TRUE;
	buf = g_malloc(MIN(length, (guint64)UB_SIM_MTK_PACKET_READ));
	while (done < length) {
		gsize n = (gsize)MIN(length - done, (guint64)UB_SIM_MTK_PACKET_READ);
		gboolean ok = FALSE;
		guint32 ack = 0;

		/* the injected fault: the DA gives up after the first chunk */
		if (nak && done > 0)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_READ_EXC, error);
		if (!ub_sim_storage_read(storage, region, offset + done, buf, n, error))
			return FALSE;
		if (!ub_sim_mtk_x_send(self, buf, n, error))
			return FALSE;
		if (!ub_sim_mtk_x_recv_u32(self, &ok, &ack, error))
			return FALSE;
		if (!ok)
			return TRUE;
		if (ack != 0)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_PROTOCOL, error);
		if (!ub_sim_mtk_x_status(self, 0, error))
			return FALSE;
		done += n;
	}
	return ub_sim_mtk_x_status(self, 0, error);
}

static gboolean
ub_sim_mtk_x_write_data(UbSimMtk *self, gboolean nak, GError **error)
{
	UbSimStorage *storage = ub_sim_mtk_get_storage(self);
	const gchar *region = NULL;
	gboolean both_boot = FALSE;
	gboolean go = FALSE;
	guint64 offset = 0;
	guint64 length = 0;
	guint64 done = 0;

	if (!ub_sim_mtk_x_data_prologue(self, &go, &region, &both_boot, &offset, &length, error))
		return FALSE;
	if (!go)
		return TRUE;
	self->write_count++;
	while (done < length) {
		g_autoptr(GBytes) data = NULL;
		gboolean ok = FALSE;
		guint32 zero = 0;
		guint32 checksum = 0;
		const guint8 *buf;
		gsize n = 0;

		if (!ub_sim_mtk_x_recv_u32(self, &ok, &zero, error))
			return FALSE;
		if (!ok)
			return TRUE;
		if (!ub_sim_mtk_x_recv_u32(self, &ok, &checksum, error))
			return FALSE;
		if (!ok)
			return TRUE;
		if (!ub_sim_mtk_x_recv_param(self, UB_SIM_MTK_PACKET_WRITE, &data, error))
			return FALSE;
		if (data == NULL)
			return TRUE;
		buf = g_bytes_get_data(data, &n);
		if (zero != 0 || n == 0 || n % 512 != 0 || n > length - done)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_INVALID_PARAM, error);
		if (self->checksum_level != 0 && ub_mtk_xflash_checksum(buf, n) != checksum)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_CHECKSUM, error);
		if (nak && done > 0)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_WRITE_EXC, error);
		if (!ub_sim_storage_write(storage, region, offset + done, buf, n, error))
			return FALSE;
		if (both_boot && !ub_sim_storage_write(storage, "boot2", offset + done, buf, n, error))
			return FALSE;
		if (!ub_sim_mtk_x_status(self, 0, error))
			return FALSE;
		done += n;
	}
	return ub_sim_mtk_x_status(self, 0, error);
}

static gboolean
ub_sim_mtk_x_format(UbSimMtk *self, GError **error)
{
	UbSimStorage *storage = ub_sim_mtk_get_storage(self);
	const gchar *region = NULL;
	gboolean both_boot = FALSE;
	gboolean go = FALSE;
	guint64 offset = 0;
	guint64 length = 0;
	guint64 done = 0;

	if (!ub_sim_mtk_x_data_prologue(self, &go, &region, &both_boot, &offset, &length, error))
		return FALSE;
	if (!go)
		return TRUE;
	for (guint step = 1; step <= UB_SIM_MTK_FORMAT_STEPS; step++) {
		guint64 end = length / 512 * step / UB_SIM_MTK_FORMAT_STEPS * 512;
		gboolean ok = FALSE;
		guint32 ack = 0;
		if (step == UB_SIM_MTK_FORMAT_STEPS)
			end = length;
		if (end > done) {
			if (!ub_sim_storage_erase(storage, region, offset + done, end - done, error))
				return FALSE;
			if (both_boot &&
			    !ub_sim_storage_erase(storage, "boot2", offset + done, end - done, error))
				return FALSE;
		}
		done = end;
		/* CONTINUE, the progress in percent, the host's ack */
		if (!ub_sim_mtk_x_status(self, UB_MTK_XFLASH_STATUS_CONTINUE, error) ||
		    !ub_sim_mtk_x_send_u32(self, step * 100 / UB_SIM_MTK_FORMAT_STEPS, error))
			return FALSE;
		if (!ub_sim_mtk_x_recv_u32(self, &ok, &ack, error))
			return FALSE;
		if (!ok)
			return TRUE;
	}
	return ub_sim_mtk_x_status(self, UB_MTK_XFLASH_STATUS_COMPLETE, error);
}

/* SWITCH_USB_SPEED: the id -> status, then the phone re-enumerates as 0e8d:2001 */
static gboolean
ub_sim_mtk_x_switch_usb_speed(UbSimMtk *self, GError **error)
{
	gboolean ok = FALSE;
	guint32 id = 0;
	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	if (!ub_sim_mtk_x_recv_u32(self, &ok, &id, error))
		return FALSE;
	if (!ok)
		return TRUE;
	if (id != UB_SIM_MTK_HIGH_SPEED_ID)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_INVALID_PARAM, error);
	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	g_debug("sim: switching to high speed, back as 0e8d:2001");
	self->switched = TRUE;
	self->next_mode = UB_SIM_MTK_MODE_DA;
	self->session_end = TRUE;
	return TRUE;
}

static gboolean
ub_sim_mtk_x_shutdown(UbSimMtk *self, GError **error)
{
	g_autoptr(GBytes) param = NULL;
	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	if (!ub_sim_mtk_x_recv_param(self, 64, &param, error))
		return FALSE;
	if (param == NULL)
		return TRUE;
	if (g_bytes_get_size(param) != 32)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_PROTOCOL, error);
	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	g_debug("sim: DA shutdown");
	ub_sim_mtk_power_on(self);
	self->session_end = TRUE;
	return TRUE;
}

/* a parameter frame and a status (SETUP_ENVIRONMENT, SETUP_HW_INIT_PARAMS) */
static gboolean
ub_sim_mtk_x_setup(UbSimMtk *self, gboolean then_sync, GError **error)
{
	g_autoptr(GBytes) param = NULL;
	if (!ub_sim_mtk_x_recv_param(self, 64, &param, error))
		return FALSE;
	if (param == NULL)
		return TRUE;
	if (!ub_sim_mtk_x_status(self, 0, error))
		return FALSE;
	return !then_sync || ub_sim_mtk_x_send_u32(self, UB_MTK_XFLASH_CMD_SYNC_SIGNAL, error);
}

static gboolean
ub_sim_mtk_x_command(UbSimMtk *self, guint32 cmd, GError **error)
{
	gboolean nak;

	/* the host's sync is not answered */
	if (cmd == UB_MTK_XFLASH_CMD_SYNC_SIGNAL)
		return TRUE;
	nak = ub_sim_personality_count_command(UB_SIM_PERSONALITY(self));
	if (nak && cmd != UB_MTK_XFLASH_CMD_READ_DATA && cmd != UB_MTK_XFLASH_CMD_WRITE_DATA)
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_ERROR, error);
	switch (cmd) {
	case UB_MTK_XFLASH_CMD_SETUP_ENVIRONMENT:
		return ub_sim_mtk_x_setup(self, FALSE, error);
	case UB_MTK_XFLASH_CMD_SETUP_HW_INIT_PARAMS:
		return ub_sim_mtk_x_setup(self, TRUE, error);
	case UB_MTK_XFLASH_CMD_DEVICE_CTRL:
		return ub_sim_mtk_x_device_ctrl(self, error);
	case UB_MTK_XFLASH_CMD_INIT_EXT_RAM:
		if (self->da2_running)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_UNSUPPORTED, error);
		return ub_sim_mtk_x_init_ext_ram(self, error);
	case UB_MTK_XFLASH_CMD_BOOT_TO:
		if (self->da2_running)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_UNSUPPORTED, error);
		return ub_sim_mtk_x_boot_to(self, error);
	case UB_MTK_XFLASH_CMD_SWITCH_USB_SPEED:
		return ub_sim_mtk_x_switch_usb_speed(self, error);
	case UB_MTK_XFLASH_CMD_SHUTDOWN:
		return ub_sim_mtk_x_shutdown(self, error);
	case UB_MTK_XFLASH_CMD_READ_DATA:
	case UB_MTK_XFLASH_CMD_WRITE_DATA:
	case UB_MTK_XFLASH_CMD_FORMAT:
		/* flash work is DA2's */
		if (!self->da2_running)
			return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_UNSUPPORTED, error);
		if (cmd == UB_MTK_XFLASH_CMD_READ_DATA)
			return ub_sim_mtk_x_read_data(self, nak, error);
		if (cmd == UB_MTK_XFLASH_CMD_WRITE_DATA)
			return ub_sim_mtk_x_write_data(self, nak, error);
		return ub_sim_mtk_x_format(self, error);
	default:
		return ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_UNSUPPORTED, error);
	}
}

static gboolean
ub_sim_mtk_da_loop(UbSimMtk *self, GError **error)
{
	while (!self->session_end) {
		g_autoptr(GBytes) blob = NULL;
		if (!ub_sim_mtk_x_recv(self, TRUE, &blob, error))
			return FALSE;
		if (blob == NULL)
			continue;
		if (g_bytes_get_size(blob) != 4) {
			if (!ub_sim_mtk_x_status(self, UB_SIM_MTK_XST_PROTOCOL, error))
				return FALSE;
			continue;
		}
		if (!ub_sim_mtk_x_command(self, ub_mem_read_u32_le(g_bytes_get_data(blob, NULL), 0), error))
			return FALSE;
	}
	return TRUE;
}

/* legacy DA (mtk.md a.5; wire in ub-mtk-legacy.h): MBR/EBR (PMT) era chips */

static gboolean
ub_sim_mtk_is_legacy(UbSimMtk *self)
{
	return ub_mtk_chip_is_pmt_era(ub_sim_mtk_chip(self));
}

/*
 * The PMT lives on the storage, as on the phones (mtk.md a.8): "PTv3", u32 le
 * length and the entries, two blocks before the end of the user area, and a
 * mirror one block later. It survives a restart; a format of the end of the
 * user area loses it.
 */
#define UB_SIM_MTK_PMT_BLOCK 0x20000
#define UB_SIM_MTK_PMT_MAGIC "PTv3"

static gboolean
ub_sim_mtk_pmt_offset(UbSimMtk *self, guint64 *offset)
{
	guint64 size = ub_sim_storage_get_region_size(ub_sim_mtk_get_storage(self), "user");
	if (size < 4 * UB_SIM_MTK_PMT_BLOCK)
		return FALSE;
	*offset = size - 2 * UB_SIM_MTK_PMT_BLOCK;
	return TRUE;
}

/* (nullable): the PMT on the storage, NULL when there is none */
static GBytes *
ub_sim_mtk_pmt_load(UbSimMtk *self, GError **error)
{
	guint8 head[8];
	guint64 offset = 0;
	guint32 len;
	g_autofree guint8 *buf = NULL;
	if (!ub_sim_mtk_pmt_offset(self, &offset))
		return NULL;
	if (!ub_sim_storage_read(ub_sim_mtk_get_storage(self), "user", offset, head, 8, error))
		return NULL;
	len = ub_mem_read_u32_le(head, 4);
	if (memcmp(head, UB_SIM_MTK_PMT_MAGIC, 4) != 0 ||
	    len > UB_MTK_PMT_MAX * UB_MTK_PMT_ENTRY_LEN || len % UB_MTK_PMT_ENTRY_LEN != 0)
		return NULL;
	buf = g_malloc(MAX(len, 1));
	if (!ub_sim_storage_read(ub_sim_mtk_get_storage(self), "user", offset + 8, buf, len, error))
		return NULL;
	return g_bytes_new_take(g_steal_pointer(&buf), len);
}

static gboolean
ub_sim_mtk_pmt_store(UbSimMtk *self, const guint8 *data, guint32 len, GError **error)
{
	g_autofree guint8 *buf = g_malloc(len + 8);
	guint64 offset = 0;
	if (!ub_sim_mtk_pmt_offset(self, &offset)) {
		g_set_error_literal(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "sim: no room for a PMT");
		return FALSE;
	}
	memcpy(buf, UB_SIM_MTK_PMT_MAGIC, 4);
	ub_mem_write_u32_le(buf, 4, len);
	memcpy(buf + 8, data, len);
	for (guint i = 0; i < 2; i++) {
		if (!ub_sim_storage_write(ub_sim_mtk_get_storage(self),
					  "user",
					  offset + i * UB_SIM_MTK_PMT_BLOCK,
					  buf,
					  len + 8,
					  error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
ub_sim_mtk_l_byte(UbSimMtk *self, guint8 value, GError **error)
{
	return ub_sim_mtk_write(self, &value, 1, error);
}

static gboolean
ub_sim_mtk_l_nack(UbSimMtk *self, guint32 code, GError **error)
{
	return ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_NACK, error) &&
	       ub_sim_mtk_write_u32(self, code, error);
}

static gboolean
ub_sim_mtk_l_expect_ack(UbSimMtk *self, GError **error)
{
	guint8 b = 0;
	if (!ub_sim_mtk_read(self, &b, 1, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	if (b != UB_MTK_LEGACY_ACK) {
		g_set_error(error, UB_ERROR, UB_ERROR_PROTOCOL, "sim: legacy DA wanted ACK, got 0x%02x", b);
		return FALSE;
	}
	return TRUE;
}

static const gchar *
ub_sim_mtk_l_region(guint8 part)
{
	if (part == UB_MTK_LEGACY_PART_USER)
		return "user";
	if (part == UB_MTK_LEGACY_PART_BOOT1)
		return "boot1";
	if (part == UB_MTK_LEGACY_PART_BOOT2)
		return "boot2";
	return NULL;
}

/* u8 storage, u8 part, u64 addr, u64 len: a region and a range inside it */
static gboolean
ub_sim_mtk_l_range(UbSimMtk *self, const guint8 *p, const gchar **region, guint64 *addr, guint64 *len)
{
	guint64 size;
	*region = ub_sim_mtk_l_region(p[1]);
	*addr = ub_mem_read_u64_be(p, 2);
	*len = ub_mem_read_u64_be(p, 10);
	if (p[0] != UB_MTK_LEGACY_STORAGE_EMMC || *region == NULL)
		return FALSE;
	size = ub_sim_storage_get_region_size(ub_sim_mtk_get_storage(self), *region);
	return *addr <= size && *len <= size - *addr;
}

static gboolean
ub_sim_mtk_l_boot(UbSimMtk *self, GError **error)
{
	guint8 head[4 + 2 + 4 + 16] = {0};
	guint8 ver[3] = {4, 0, 0x01};
	guint8 config[UB_MTK_LEGACY_CONFIG_LEN];
	guint8 params[12];
	guint8 report[UB_MTK_LEGACY_EMMC_INFO_LEN] = {0};
	g_autofree guint8 *chunk = g_malloc(UB_MTK_LEGACY_DA2_PACKET);
	UbSimStorage *storage = ub_sim_mtk_get_storage(self);
	guint32 len;

	/* the sync byte went out with JUMP_DA; no NAND, an eMMC */
	memcpy(head + 10, "UBSIMEMMC0000001", 16);
	if (!ub_sim_mtk_write(self, head, sizeof(head), error) ||
	    !ub_sim_mtk_l_expect_ack(self, error) ||
	    !ub_sim_mtk_write(self, ver, sizeof(ver), error) ||
	    !ub_sim_mtk_read(self, config, sizeof(config), UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	if (!self->dram_up) {
		guint8 cmd = 0;
		guint8 w[4];
		g_autofree guint8 *emi = NULL;
		if (!ub_sim_mtk_write_u32(self, UB_MTK_LEGACY_DRAM_NEEDED, error) ||
		    !ub_sim_mtk_read(self, &cmd, 1, UB_SIM_MTK_DATA_TIMEOUT_MS, error) ||
		    !ub_sim_mtk_read(self, w, 4, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
			return FALSE;
		len = ub_mem_read_u32_be(w, 0);
		if (cmd != UB_MTK_LEGACY_CMD_ENABLE_DRAM || len == 0 || len > 0x10000)
			return ub_sim_mtk_write_u32(self, 3001, error);
		emi = g_malloc(len);
		if (!ub_sim_mtk_read(self, emi, len, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
			return FALSE;
		self->dram_up = TRUE;
	}
	if (!ub_sim_mtk_write_u32(self, 0, error) ||
	    !ub_sim_mtk_read(self, params, sizeof(params), UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	len = ub_mem_read_u32_be(params, 4);
	if (ub_mem_read_u32_be(params, 8) != UB_MTK_LEGACY_DA2_PACKET || len == 0)
		return ub_sim_mtk_l_nack(self, 3000, error);
	if (!ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error))
		return FALSE;
	for (guint32 off = 0; off < len; off += UB_MTK_LEGACY_DA2_PACKET) {
		guint32 n = MIN(len - off, UB_MTK_LEGACY_DA2_PACKET);
		if (!ub_sim_mtk_read(self, chunk, n, UB_SIM_MTK_DATA_TIMEOUT_MS, error) ||
		    !ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error))
			return FALSE;
	}
	if (!ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error) || !ub_sim_mtk_l_expect_ack(self, error))
		return FALSE;
	self->da2_running = TRUE;
	ub_mem_write_u32_be(report, 4, 512);
	ub_mem_write_u64_be(report, 8, ub_sim_storage_get_region_size(storage, "boot1"));
	ub_mem_write_u64_be(report, 16, ub_sim_storage_get_region_size(storage, "boot2"));
	ub_mem_write_u64_be(report, 24, ub_sim_storage_get_region_size(storage, "rpmb"));
	ub_mem_write_u64_be(report, 64, ub_sim_storage_get_region_size(storage, "user"));
	memcpy(report + 72, "UBSIMEMMC0000001", 16);
	return ub_sim_mtk_write(self, report, sizeof(report), error) &&
	       ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error);
}

static gboolean
ub_sim_mtk_l_write(UbSimMtk *self, GError **error)
{
	guint8 p[18 + 4];
	const gchar *region = NULL;
	guint64 addr = 0;
	guint64 len = 0;
	guint32 packet;
	g_autofree guint8 *buf = NULL;

	if (!ub_sim_mtk_read(self, p, sizeof(p), UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	packet = ub_mem_read_u32_be(p, 18);
	if (!ub_sim_mtk_l_range(self, p, &region, &addr, &len) || addr % 512 != 0 || len % 512 != 0)
		return ub_sim_mtk_l_nack(self, UB_MTK_LEGACY_ERR_RANGE, error);
	if (packet == 0 || packet > UB_MTK_LEGACY_PACKET)
		return ub_sim_mtk_l_nack(self, 3000, error);
	if (!ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error))
		return FALSE;
	buf = g_malloc(packet);
	for (guint64 done = 0; done < len;) {
		gsize n = (gsize)MIN(len - done, packet);
		guint8 sum[2];
		if (!ub_sim_mtk_l_expect_ack(self, error) ||
		    !ub_sim_mtk_read(self, buf, n, UB_SIM_MTK_DATA_TIMEOUT_MS, error) ||
		    !ub_sim_mtk_read(self, sum, 2, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
			return FALSE;
		if (ub_mem_read_u16_be(sum, 0) != (guint16)ub_mtk_xflash_checksum(buf, n))
			return ub_sim_mtk_l_nack(self, UB_MTK_LEGACY_ERR_CHECKSUM, error);
		if (!ub_sim_storage_write(ub_sim_mtk_get_storage(self), region, addr + done, buf, n, error))
			return FALSE;
		self->write_count++;
		done += n;
		if (!ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_CONT, error))
			return FALSE;
	}
	return ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error);
}

static gboolean
ub_sim_mtk_l_read(UbSimMtk *self, GError **error)
{
	guint8 p[1 + 18];
	const gchar *region = NULL;
	guint64 addr = 0;
	guint64 len = 0;
	g_autofree guint8 *buf = g_malloc(UB_MTK_LEGACY_PACKET);

	if (!ub_sim_mtk_read(self, p, sizeof(p), UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	if (!ub_sim_mtk_l_range(self, p + 1, &region, &addr, &len))
		return ub_sim_mtk_l_nack(self, UB_MTK_LEGACY_ERR_RANGE, error);
	if (!ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error) ||
	    !ub_sim_mtk_write_u32(self, UB_MTK_LEGACY_PACKET, error))
		return FALSE;
	for (guint64 done = 0; done < len;) {
		gsize n = (gsize)MIN(len - done, UB_MTK_LEGACY_PACKET);
		if (!ub_sim_storage_read(ub_sim_mtk_get_storage(self), region, addr + done, buf, n, error) ||
		    !ub_sim_mtk_write(self, buf, n, error) ||
		    !ub_sim_mtk_write_u16(self, (guint16)ub_mtk_xflash_checksum(buf, n), error) ||
		    !ub_sim_mtk_l_expect_ack(self, error))
			return FALSE;
		done += n;
	}
	return TRUE;
}

static gboolean
ub_sim_mtk_l_format(UbSimMtk *self, GError **error)
{
	guint8 p[18];
	const gchar *region = NULL;
	guint64 addr = 0;
	guint64 len = 0;

	if (!ub_sim_mtk_read(self, p, sizeof(p), UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	if (!ub_sim_mtk_l_range(self, p, &region, &addr, &len))
		return ub_sim_mtk_l_nack(self, UB_MTK_LEGACY_ERR_RANGE, error);
	if (!ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error))
		return FALSE;
	if (!ub_sim_storage_erase(ub_sim_mtk_get_storage(self), region, addr, len, error))
		return FALSE;
	self->write_count++;
	for (guint pct = 50; pct <= 100; pct += 50) {
		if (!ub_sim_mtk_l_byte(self, (guint8)pct, error) || !ub_sim_mtk_l_expect_ack(self, error))
			return FALSE;
	}
	return ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error);
}

static gboolean
ub_sim_mtk_l_read_pmt(UbSimMtk *self, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GBytes) pmt = ub_sim_mtk_pmt_load(self, &error_local);
	const guint8 *data = NULL;
	gsize datasz = 0;
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (pmt != NULL)
		data = g_bytes_get_data(pmt, &datasz);
	return ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error) &&
	       ub_sim_mtk_write_u32(self, (guint32)datasz, error) &&
	       (datasz == 0 || ub_sim_mtk_write(self, data, datasz, error)) &&
	       ub_sim_mtk_write_u16(self, (guint16)ub_mtk_xflash_checksum(data, datasz), error) &&
	       ub_sim_mtk_l_expect_ack(self, error);
}

static gboolean
ub_sim_mtk_l_write_pmt(UbSimMtk *self, GError **error)
{
	guint8 w[4];
	guint8 sum[2];
	g_autofree guint8 *buf = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(GError) error_local = NULL;
	guint32 len;

	if (!ub_sim_mtk_read(self, w, 4, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	len = ub_mem_read_u32_be(w, 0);
	if (len > UB_MTK_PMT_MAX * UB_MTK_PMT_ENTRY_LEN || len % UB_MTK_PMT_ENTRY_LEN != 0)
		return ub_sim_mtk_l_nack(self, 5069, error);
	if (!ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error))
		return FALSE;
	buf = g_malloc(MAX(len, 1));
	if (!ub_sim_mtk_read(self, buf, len, UB_SIM_MTK_DATA_TIMEOUT_MS, error) ||
	    !ub_sim_mtk_read(self, sum, 2, UB_SIM_MTK_DATA_TIMEOUT_MS, error))
		return FALSE;
	if (ub_mem_read_u16_be(sum, 0) != (guint16)ub_mtk_xflash_checksum(buf, len))
		return ub_sim_mtk_l_nack(self, UB_MTK_LEGACY_ERR_CHECKSUM, error);
	parts = ub_mtk_pmt_parse(buf, len, "user", &error_local);
	if (parts == NULL)
		return ub_sim_mtk_l_nack(self, 5069, error);
	if (!ub_sim_mtk_pmt_store(self, buf, len, error))
		return FALSE;
	self->write_count++;
	return ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error);
}

static gboolean
ub_sim_mtk_legacy_loop(UbSimMtk *self, GError **error)
{
	if (!ub_sim_mtk_l_boot(self, error))
		return FALSE;
	while (!self->session_end) {
		guint8 cmd = 0;
		gssize n = ub_sim_mtk_read_idle(self, &cmd, 1, error);
		gboolean ok;
		if (n < 0)
			return FALSE;
		switch (cmd) {
		case UB_MTK_LEGACY_CMD_WRITE:
			ok = ub_sim_mtk_l_write(self, error);
			break;
		case UB_MTK_LEGACY_CMD_READ:
			ok = ub_sim_mtk_l_read(self, error);
			break;
		case UB_MTK_LEGACY_CMD_FORMAT:
			ok = ub_sim_mtk_l_format(self, error);
			break;
		case UB_MTK_LEGACY_CMD_READ_PMT:
			ok = ub_sim_mtk_l_read_pmt(self, error);
			break;
		case UB_MTK_LEGACY_CMD_WRITE_PMT:
			ok = ub_sim_mtk_l_write_pmt(self, error);
			break;
		case UB_MTK_LEGACY_CMD_FINISH: {
			guint8 w[4];
			ok = ub_sim_mtk_read(self, w, 4, UB_SIM_MTK_DATA_TIMEOUT_MS, error) &&
			     ub_sim_mtk_l_byte(self, UB_MTK_LEGACY_ACK, error);
			self->session_end = TRUE;
			break;
		}
		default:
			ok = ub_sim_mtk_l_nack(self, 3000, error);
			break;
		}
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

static gboolean
ub_sim_mtk_serve(UbSimPersonality *personality,
		 UbTransport *transport,
		 GCancellable *cancellable,
		 GError **error)
{
	UbSimMtk *self = UB_SIM_MTK(personality);
	g_autoptr(GError) error_local = NULL;
	gboolean ret = TRUE;

	if (self->env_error != NULL) {
		g_propagate_error(error, g_error_copy(self->env_error));
		return FALSE;
	}
	self->transport = transport;
	self->cancellable = cancellable;
	self->session_end = FALSE;

	if (self->next_mode == UB_SIM_MTK_MODE_DA) {
		/* back after the speed switch: the DA goes on where it was */
		ret = ub_sim_mtk_da_loop(self, &error_local);
	} else {
		gboolean done = FALSE;
		/* each power-on starts without a DA */
		self->da_running = FALSE;
		self->da_loaded = FALSE;
		if (ub_sim_mtk_handshake(self, &done, &error_local) && done &&
		    ub_sim_mtk_brom_loop(self, &error_local) && self->da_running && !self->session_end)
			ret = ub_sim_mtk_is_legacy(self) ? ub_sim_mtk_legacy_loop(self, &error_local)
							 : ub_sim_mtk_da_loop(self, &error_local);
	}

	if (error_local != NULL) {
		/* the host went away: a clean end of the session */
		if (g_error_matches(error_local, UB_ERROR, UB_ERROR_DEVICE_GONE)) {
			g_debug("sim: host disconnected: %s", error_local->message);
			ret = TRUE;
		} else {
			g_propagate_error(error, g_steal_pointer(&error_local));
			ret = FALSE;
		}
	}
	/* the preloader booted on, the BROM reset, the DA shut down or the cable
	 * was pulled: a fresh phone next time; only a DA after the speed switch
	 * is still there */
	if (self->next_mode != UB_SIM_MTK_MODE_DA)
		ub_sim_mtk_power_on(self);
	self->transport = NULL;
	self->cancellable = NULL;
	return ret;
}

/* configuration */

/**
 * ub_sim_mtk_new:
 * @storage: the phone's storage
 * @faults: (nullable): faults to inject
 *
 * Returns: (transfer full): a MediaTek phone in BootROM mode, MT6765 (0x0766)
 */
UbSimMtk *
ub_sim_mtk_new(UbSimStorage *storage, UbSimFaults *faults)
{
	return g_object_new(UB_TYPE_SIM_MTK, "storage", storage, "faults", faults, NULL);
}

void
ub_sim_mtk_set_preloader_mode(UbSimMtk *self, gboolean preloader)
{
	g_return_if_fail(UB_IS_SIM_MTK(self));
	self->preloader = preloader;
	if (self->next_mode != UB_SIM_MTK_MODE_DA)
		self->next_mode = preloader ? UB_SIM_MTK_MODE_PRELOADER : UB_SIM_MTK_MODE_BROM;
}

void
ub_sim_mtk_set_hw_code(UbSimMtk *self, guint16 hw_code)
{
	g_return_if_fail(UB_IS_SIM_MTK(self));
	self->hw_code = hw_code;
}

void
ub_sim_mtk_set_target_config(UbSimMtk *self, guint32 config)
{
	g_return_if_fail(UB_IS_SIM_MTK(self));
	self->target_config = config;
}

void
ub_sim_mtk_set_full_speed(UbSimMtk *self, gboolean full_speed)
{
	g_return_if_fail(UB_IS_SIM_MTK(self));
	self->full_speed = full_speed;
}

/**
 * ub_sim_mtk_set_handshake_window:
 * @self: a #UbSimMtk
 * @window_ms: how long a preloader waits for the handshake before it boots on
 *
 * 3000 ms by default; tests shorten it.
 */
void
ub_sim_mtk_set_handshake_window(UbSimMtk *self, guint window_ms)
{
	g_return_if_fail(UB_IS_SIM_MTK(self));
	self->handshake_window_ms = window_ms;
}

/**
 * ub_sim_mtk_configure_from_env:
 * @self: a #UbSimMtk
 * @error: (nullable): return location for a #GError
 *
 * Reads UB_SIM_MTK_MODE (brom or preloader), UB_SIM_MTK_HW_CODE (a chip of
 * data/mtk-chips.json), UB_SIM_MTK_TARGET_CONFIG and UB_SIM_MTK_FULL_SPEED.
 *
 * Returns: %TRUE when every variable set is valid
 */
gboolean
ub_sim_mtk_configure_from_env(UbSimMtk *self, GError **error)
{
	const gchar *str;
	guint64 val = 0;

	g_return_val_if_fail(UB_IS_SIM_MTK(self), FALSE);
	str = ub_sim_personality_getenv(UB_SIM_MTK_ENV_MODE);
	if (str != NULL) {
		if (g_strcmp0(str, "brom") != 0 && g_strcmp0(str, "preloader") != 0) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid %s '%s', expected brom or preloader",
				    UB_SIM_MTK_ENV_MODE,
				    str);
			return FALSE;
		}
		ub_sim_mtk_set_preloader_mode(self, g_strcmp0(str, "preloader") == 0);
	}
	str = ub_sim_personality_getenv(UB_SIM_MTK_ENV_HW_CODE);
	if (str != NULL) {
		if (!ub_sim_personality_parse_u64(UB_SIM_MTK_ENV_HW_CODE, str, G_MAXUINT16, &val, error))
			return FALSE;
		if (ub_mtk_chip_lookup((guint16)val) == NULL) {
			g_set_error(error,
				    UB_ERROR,
				    UB_ERROR_INVALID_DATA,
				    "invalid %s '%s': no such chip in the chip table",
				    UB_SIM_MTK_ENV_HW_CODE,
				    str);
			return FALSE;
		}
		self->hw_code = (guint16)val;
	}
	str = ub_sim_personality_getenv(UB_SIM_MTK_ENV_TARGET_CONFIG);
	if (str != NULL) {
		if (!ub_sim_personality_parse_u64(UB_SIM_MTK_ENV_TARGET_CONFIG, str, G_MAXUINT32, &val, error))
			return FALSE;
		self->target_config = (guint32)val;
	}
	ub_sim_personality_getenv_flag(UB_SIM_MTK_ENV_FULL_SPEED, &self->full_speed);
	return TRUE;
}

gboolean
ub_sim_mtk_get_da_running(UbSimMtk *self)
{
	g_return_val_if_fail(UB_IS_SIM_MTK(self), FALSE);
	return self->da_running;
}

guint
ub_sim_mtk_get_write_count(UbSimMtk *self)
{
	g_return_val_if_fail(UB_IS_SIM_MTK(self), 0);
	return self->write_count;
}

/**
 * ub_sim_mtk_get_session_mode:
 * @self: a #UbSimMtk
 *
 * Returns: "brom", "preloader" or "da" (after the switch to 0e8d:2001)
 */
const gchar *
ub_sim_mtk_get_session_mode(UbSimMtk *self)
{
	g_return_val_if_fail(UB_IS_SIM_MTK(self), NULL);
	switch (self->next_mode) {
	case UB_SIM_MTK_MODE_PRELOADER:
		return "preloader";
	case UB_SIM_MTK_MODE_DA:
		return "da";
	case UB_SIM_MTK_MODE_BROM:
	default:
		return "brom";
	}
}

/**
 * ub_sim_mtk_power_cycle:
 * @self: a #UbSimMtk
 *
 * The phone lost power and is switched on again, e.g. a USB-powered phone in
 * BootROM or preloader mode whose cable was pulled and plugged in: whatever
 * it was doing (a DA after the speed switch included) is gone, the next
 * session starts in the mode it was configured for (BootROM or preloader)
 * with the watchdog running, no DA, no authentication and DRAM down. Storage
 * is kept. Call it between sessions, not while one is served.
 */
void
ub_sim_mtk_power_cycle(UbSimMtk *self)
{
	g_return_if_fail(UB_IS_SIM_MTK(self));
	g_return_if_fail(self->transport == NULL);
	ub_sim_mtk_power_on(self);
}

static void
ub_sim_mtk_constructed(GObject *object)
{
	UbSimMtk *self = UB_SIM_MTK(object);
	UbSimStorage *storage;
	g_autoptr(GError) error_local = NULL;

	G_OBJECT_CLASS(ub_sim_mtk_parent_class)->constructed(object);

	/* the in-process phone has no other place to read its settings */
	if (!ub_sim_mtk_configure_from_env(self, &error_local)) {
		self->env_error = g_steal_pointer(&error_local);
		return;
	}
	/* a new storage folder gets a MediaTek layout */
	storage = ub_sim_mtk_get_storage(self);
	if (storage != NULL && !ub_sim_layout_apply_default(storage, "mtk", &error_local))
		self->env_error = g_steal_pointer(&error_local);
}

static void
ub_sim_mtk_finalize(GObject *object)
{
	UbSimMtk *self = UB_SIM_MTK(object);
	g_clear_error(&self->env_error);
	g_hash_table_unref(self->regs);
	G_OBJECT_CLASS(ub_sim_mtk_parent_class)->finalize(object);
}

static void
ub_sim_mtk_init(UbSimMtk *self)
{
	self->hw_code = UB_SIM_MTK_DEFAULT_HW_CODE;
	self->handshake_window_ms = UB_SIM_MTK_HANDSHAKE_WINDOW_MS;
	self->regs = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->next_mode = UB_SIM_MTK_MODE_BROM;
}

static void
ub_sim_mtk_class_init(UbSimMtkClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	UbSimPersonalityClass *personality_class = UB_SIM_PERSONALITY_CLASS(klass);
	object_class->constructed = ub_sim_mtk_constructed;
	object_class->finalize = ub_sim_mtk_finalize;
	personality_class->serve = ub_sim_mtk_serve;
}
