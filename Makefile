# Thin wrapper over meson: `make demo` and `make check` are the two commands a
# new user needs (README.md). `meson setup/compile/test` work on their own too.

BUILDDIR ?= build
ASANDIR ?= build-asan
MESON ?= meson
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian/Ubuntu packages to build, test and demo; installed when missing
DEPS_BUILD = gcc meson ninja-build pkg-config gettext libarchive-dev \
	libglib2.0-dev libgtk-3-dev libusb-1.0-0-dev libjson-glib-dev libudev-dev scdoc
DEPS_CHECK = umockdev libumockdev-dev xvfb xauth xdotool gdisk fastboot android-sdk-libsparse-utils \
	desktop-file-utils appstream qdl dbus at-spi2-core python3-gi gir1.2-atspi-2.0 x11-apps \
	qemu-system-x86 busybox-static libusbredirparser-dev udev xz-utils

.PHONY: all deps deps-check build demo check check-usb-vm bench-usb-vm clean

all: build

deps:
	@./.ci/install-deps $(DEPS_BUILD)

deps-check:
	@./.ci/install-deps $(DEPS_BUILD) $(DEPS_CHECK)

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR) --werror

build: deps $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)

# the GUI on a display, otherwise the CLI, against the built-in simulated phone
demo: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ -x $(BUILDDIR)/src/gui/unbrick ]; then \
		$(BUILDDIR)/src/gui/unbrick --sim mtk; \
	else \
		$(BUILDDIR)/src/cli/unbrick-cli demo && \
		$(BUILDDIR)/src/cli/unbrick-cli demo --kind edl && \
		$(BUILDDIR)/src/cli/unbrick-cli demo --kind mtk; \
	fi

# the whole suite, then the unit suite again under ASan+UBSan
check: deps-check $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)
	$(MESON) test -C $(BUILDDIR) --print-errorlogs --num-processes 2
	@[ -f $(ASANDIR)/build.ninja ] || $(MESON) setup $(ASANDIR) --werror \
		-Db_sanitize=address,undefined -Db_lundef=false -Dgui=disabled
	$(MESON) compile -C $(ASANDIR)
	ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MESON) test -C $(ASANDIR) --suite unit --suite fuzz --print-errorlogs --num-processes 2

# only the scenarios with the simulated phones as real USB devices in a QEMU
# guest (tests/usb-vm; `check` runs them too)
check-usb-vm: deps-check $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)
	$(MESON) test -C $(BUILDDIR) --suite usb-vm --print-errorlogs

# throughput on the real stack: 1 GiB with each engine, raw bulk transfers and
# Debian's fastboot and qdl through the QEMU guest's xHCI (tests/bench/usb-vm-bench.sh);
# a benchmark, not a test: prints a Markdown table (BENCH_MIB, BENCH_QDL_MIB size it)
bench-usb-vm: deps-check $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)
	sh tests/bench/usb-vm-bench.sh $(BUILDDIR)

clean:
	rm -rf $(BUILDDIR) $(ASANDIR)
