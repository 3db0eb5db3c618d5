# SPDX-License-Identifier: GPL-2.0
#
# vmem-exp: export a range of a process's memory as a dma-buf.
#
#   make            build the module for the running kernel, the library, the
#                   tool (vmemexp), the man pages
#   make demo       show vmem-exp at work in a QEMU guest
#   make check      build and run the whole suite in QEMU guests
#                   (docs/testing.md)
#   make check-debug  the same on 6.1 and 7.x kernels built with KASAN, KFENCE,
#                   kmemleak, lockdep, DMA-API debug (docs/debug-kernel.md)
#   make check-debug-arm64  the core, memtype and sync tests on a 6.1 arm64
#                   kernel built with the same checkers (docs/debug-kernel.md)
#   make coverage   after make check-debug: what of kernel/*.c it ran
#                   (docs/coverage.md)
#   make check-packages  the Debian packages built for bookworm, trixie and
#                   sid, and for trixie arm64, installed from a signed
#                   repository with apt into a root of each, DKMS's module,
#                   the installed programs run
#   make repo       the packages of REL (default: this machine's release;
#                   ARCH=arm64: cross-built for arm64) in a signed apt
#                   repository, build/repo-REL[-ARCH]/repo
#   make install    library, headers, pkg-config file, tool, man pages, udev
#                   rule (DESTDIR, PREFIX); make uninstall; make dkms-install
#   make kernels    which Debian kernel each name of make check stands for
#   make refresh    forget them: the next run takes what Debian serves then
#   make lint       checkpatch --strict, sparse, a W=1 build, shellcheck
#   make bench      vmem-exp vs udmabuf vs memcpy on each kernel: docs/bench/

# The one version number (README, "Install"): module, library, pkg-config
# file, man pages, DKMS; debian/changelog must agree (make lint checks).
VERSION := $(shell cat VERSION)
# The library's soname follows its ABI (lib/libvmemexp.map), not releases.
SONAME := libvmemexp.so.1

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# A local install's rule goes where the administrator's go.
UDEVDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/udev/rules.d,/etc/udev/rules.d)
DKMSDIR ?= /usr/src/vmem-exp-$(VERSION)
CC ?= cc
# A cross build's is the target's (debian/rules: buildtools.mk).
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
# Warnings are errors where VMEM_EXP_WERROR=y: make check, make lint and CI
# set it; a user's or a package's build does not (kernel/Kbuild likewise).
WARN := -Wall -Wextra -Wno-unused-parameter $(if $(VMEM_EXP_WERROR),-Werror)
CPPFLAGS += -Iinclude/uapi -Ilib
B := build

# Guest tests, in the order they run; unload runs last because it unloads
# the module under test.
TESTS := sources mmap errno rdonly lifetime changes reexport limits fuzz stress buffers races faultinj fdpass vgem vivid \
	vividloop legacy memtype remote sync tool unload

LIB_OBJS := $(B)/lib/vmemexp.o
LIB_PIC := $(B)/lib/vmemexp.pic.o

MANPAGES := vmem-exp.4 vmemexp.1 libvmemexp.3 vmemexp_open.3 vmemexp_export.3 \
	vmemexp_export_remote.3 vmemexp_sync.3
# The functions' names before LIBVMEMEXP_1.2 find their pages (libvmemexp(3), HISTORY).
MANLINKS := $(patsubst vmemexp_%,vmem_exp_%,$(filter vmemexp_%,$(MANPAGES)))

.PHONY: all module lib tools man gst install-gst tests bench demo check check-debug check-debug-arm64 coverage kernels refresh lint clean \
	check-packages repo install uninstall install-module install-lib install-headers install-pc install-tools \
	install-man install-udev dkms-source dkms-install print-tests print-test-names

all: module lib tools man gst

# The GStreamer plugin (gst/README.md): built when pkg-config
# finds GStreamer's development packages, skipped with a note otherwise.
GST_PKGS := gstreamer-1.0 gstreamer-base-1.0 gstreamer-video-1.0 gstreamer-allocators-1.0
GST_OK := $(shell $(PKG_CONFIG) --exists $(GST_PKGS) 2>/dev/null && echo yes)
GST_PLUGINDIR ?= $(shell $(PKG_CONFIG) --variable=pluginsdir gstreamer-1.0 2>/dev/null)
GST_SRCS := gst/plugin.c gst/gstvmemexpallocator.c gst/gstvmemexport.c

ifeq ($(GST_OK),yes)
gst: $(B)/gst/libgstvmemexp.so
else
gst:
	@echo "vmem-exp: GStreamer development packages not found, gst/ not built" \
		"(Debian: apt install libgstreamer-plugins-base1.0-dev)" >&2
endif

$(B)/gst/libgstvmemexp.so: $(GST_SRCS) gst/*.h lib/vmemexp.c lib/vmemexp.h include/uapi/linux/vmem_exp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -fPIC -shared -DVERSION='"$(VERSION)"' \
		$$($(PKG_CONFIG) --cflags $(GST_PKGS)) -o $@ $(GST_SRCS) lib/vmemexp.c \
		$$($(PKG_CONFIG) --libs $(GST_PKGS))

install-gst: gst
	install -D -m 0644 $(B)/gst/libgstvmemexp.so $(DESTDIR)$(GST_PLUGINDIR)/libgstvmemexp.so

# Without the running kernel's headers there is nothing to build against:
# say what to install rather than let make fail on a missing directory.
module:
	@test -f $(KDIR)/Makefile || { \
		echo "vmem-exp: no headers of kernel $(KVER) in $(KDIR)."; \
		echo "  Install them (Debian, Ubuntu: apt install linux-headers-$(KVER);" \
			"Fedora: dnf install kernel-devel-$(KVER)),"; \
		echo "  or point KDIR at a kernel's build directory" \
			"(KVER=RELEASE means /lib/modules/RELEASE/build)."; \
		exit 1; } >&2
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel W=1 modules

lib: $(B)/libvmemexp.a $(B)/libvmemexp.so.$(VERSION)

$(B)/lib/%.o: lib/%.c lib/vmemexp.h include/uapi/linux/vmem_exp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/lib/%.pic.o: lib/%.c lib/vmemexp.h include/uapi/linux/vmem_exp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -fPIC -c -o $@ $<

$(B)/libvmemexp.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/libvmemexp.so.$(VERSION): $(LIB_PIC) lib/libvmemexp.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=lib/libvmemexp.map -o $@ $(LIB_PIC)
	ln -sf libvmemexp.so.$(VERSION) $(B)/$(SONAME)

# The command-line tool, linked with the shared library.
tools: $(B)/vmemexp

$(B)/vmemexp: tools/vmemexp.c lib/vmemexp.h $(B)/libvmemexp.so.$(VERSION)
	$(CC) $(CPPFLAGS) -DVMEMEXP_VERSION='"$(VERSION)"' $(CFLAGS) $(WARN) $(LDFLAGS) \
		-o $@ $< $(B)/libvmemexp.so.$(VERSION)

# The same tool, static, for the test guests.
$(B)/tools/vmemexp.static: tools/vmemexp.c lib/vmemexp.h $(B)/libvmemexp.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DVMEMEXP_VERSION='"$(VERSION)"' $(CFLAGS) $(WARN) -static \
		-o $@ $< $(B)/libvmemexp.a

man: $(patsubst %,$(B)/man/%,$(MANPAGES))

$(B)/man/%: man/% VERSION
	@mkdir -p $(dir $@)
	sed 's|@VERSION@|$(VERSION)|' $< > $@

# Tests are static: the guest has nothing but busybox.
TEST_CPPFLAGS := $(CPPFLAGS) -Itests -I/usr/include/libdrm
TEST_HELPERS := tests/harness.c tests/importers.c
TEST_BINS := $(patsubst %,$(B)/tests/%.t,$(TESTS))

tests: $(TEST_BINS)

$(B)/tests/%.t: tests/%.c $(TEST_HELPERS) tests/harness.h tests/importers.h \
		$(B)/libvmemexp.a
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $< $(TEST_HELPERS) \
		$(B)/libvmemexp.a

$(B)/tests/legacy.t: tests/kmod/vmem_test_cmem.h
$(B)/tests/sync.t: tests/kmod/vmem_test_dma.h
# The tool's test runs the static tool in the guest.
$(B)/tests/tool.t: $(B)/tools/vmemexp.static

$(B)/bench/%.t: bench/%.c lib/vmemexp.h tests/kmod/vmem_test_dma.h $(B)/libvmemexp.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $< $(B)/libvmemexp.a

bench:
	scripts/bench.sh

# The demo's guest program, tests/demo.c, is built as the tests are
# ($(B)/tests/demo.t), but is not one of them.
demo:
	scripts/demo.sh

print-tests:
	@echo $(TEST_BINS)

print-test-names:
	@echo $(TESTS)

check:
	scripts/check.sh

# The kernel is built once per machine (minutes) and cached; see
# scripts/debug-kernel.sh.
check-debug:
	KERNELS="bookworm-debug sid-debug" scripts/check.sh

# The same checkers on arm64, in TCG: not in check-debug nor in CI (its
# times: docs/debug-kernel.md).
check-debug-arm64:
	KERNELS=bookworm-arm64-debug scripts/check.sh

# What of kernel/*.c make check-debug ran: docs/coverage.md.
coverage:
	scripts/coverage.sh

# The packaged path (README, "Install"): scripts/pkg-build.sh.
check-packages:
	KERNELS="bookworm-pkg trixie-pkg sid-pkg trixie-arm64-pkg" scripts/check.sh

# The Debian packages of one release (REL, default the machine's), in a
# signed flat apt repository, build/repo-REL/repo: scripts/pkg-repo.sh.
# ARCH=arm64 cross-builds them for arm64, into build/repo-REL-arm64.
REL ?= $(shell sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
repo:
	scripts/pkg-repo.sh $(REL)$(if $(ARCH),:$(ARCH)) $(B)/repo-$(REL)$(if $(ARCH),-$(ARCH))

# The kernel each name stands for in this cache, resolved from Debian's
# archive the first time; make refresh forgets them and the build chroots
# (remade, from what Debian serves then, on the next run).
kernels:
	@scripts/kernels-cache.sh list $(KERNELS)

refresh:
	@scripts/kernels-cache.sh refresh

lint:
	scripts/lint.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean 2>/dev/null || true
	rm -rf $(B)

# make install: the library, its headers and pkg-config file, the tool,
# the man pages and the udev rule (DESTDIR and PREFIX apply; make
# uninstall removes the same files). The module is installed by DKMS
# (make dkms-install) or, for the running kernel only, make install-module.
install: install-lib install-headers install-pc install-tools install-man install-udev

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel INSTALL_MOD_PATH=$(DESTDIR) modules_install

install-lib: lib
	install -D -m 644 $(B)/libvmemexp.a $(DESTDIR)$(LIBDIR)/libvmemexp.a
	install -D -m 755 $(B)/libvmemexp.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libvmemexp.so.$(VERSION)
	ln -sf libvmemexp.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvmemexp.so

# The UAPI header is not installed into $(INCLUDEDIR)/linux, whose files
# are the kernel's (Debian's linux-libc-dev): it goes in a directory of its
# own, which libvmemexp.pc's Cflags add, so that <linux/vmem_exp.h> works.
install-headers:
	install -D -m 644 lib/vmemexp.h $(DESTDIR)$(INCLUDEDIR)/vmemexp.h
	install -D -m 644 include/uapi/linux/vmem_exp.h \
		$(DESTDIR)$(INCLUDEDIR)/vmemexp/linux/vmem_exp.h

# Made at install time: it names the directories of this install.
install-pc:
	install -d $(DESTDIR)$(PKGCONFIGDIR)
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@PREFIX@|$(PREFIX)|' \
		-e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		lib/libvmemexp.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libvmemexp.pc

install-tools: tools
	install -D -m 755 $(B)/vmemexp $(DESTDIR)$(BINDIR)/vmemexp

install-man: man
	for p in $(MANPAGES); do \
		install -D -m 644 $(B)/man/$$p \
			$(DESTDIR)$(MANDIR)/man$${p##*.}/$$p || exit 1; \
	done
	for p in $(MANLINKS); do \
		ln -sf vmemexp_$${p#vmem_exp_} $(DESTDIR)$(MANDIR)/man3/$$p || exit 1; \
	done

install-udev:
	install -D -m 644 udev/60-vmem-exp.rules $(DESTDIR)$(UDEVDIR)/60-vmem-exp.rules

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libvmemexp.a $(DESTDIR)$(LIBDIR)/libvmemexp.so \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libvmemexp.so.$(VERSION) \
		$(DESTDIR)$(INCLUDEDIR)/vmemexp.h $(DESTDIR)$(INCLUDEDIR)/vmemexp/linux/vmem_exp.h \
		$(DESTDIR)$(PKGCONFIGDIR)/libvmemexp.pc $(DESTDIR)$(BINDIR)/vmemexp \
		$(DESTDIR)$(UDEVDIR)/60-vmem-exp.rules
	for p in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p; done
	for p in $(MANLINKS); do rm -f $(DESTDIR)$(MANDIR)/man3/$$p; done
	rmdir $(DESTDIR)$(INCLUDEDIR)/vmemexp/linux $(DESTDIR)$(INCLUDEDIR)/vmemexp 2>/dev/null || true

# The module's source as DKMS wants it, in $(DKMSDIR): dkms.conf, the
# version, the module and its UAPI header. dkms-install then builds and
# installs it for the running kernel (and DKMS again on every kernel
# upgrade); the Debian package vmem-exp-dkms does the same.
$(B)/dkms.conf: dkms.conf.in VERSION
	@mkdir -p $(dir $@)
	sed 's|@VERSION@|$(VERSION)|' $< > $@

dkms-source: $(B)/dkms.conf
	install -d $(DESTDIR)$(DKMSDIR)/kernel $(DESTDIR)$(DKMSDIR)/include/uapi/linux
	install -m 644 $(B)/dkms.conf $(DESTDIR)$(DKMSDIR)/
	install -m 644 VERSION $(DESTDIR)$(DKMSDIR)/
	install -m 644 kernel/Kbuild kernel/*.h $(filter-out %.mod.c,$(wildcard kernel/*.c)) \
		$(DESTDIR)$(DKMSDIR)/kernel/
	install -m 644 include/uapi/linux/vmem_exp.h $(DESTDIR)$(DKMSDIR)/include/uapi/linux/

dkms-install: dkms-source
	dkms install vmem-exp/$(VERSION)
