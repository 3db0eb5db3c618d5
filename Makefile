# SPDX-License-Identifier: GPL-2.0
#
# vmem-exp: export a range of a process's memory as a dma-buf.
#
#   make            build the module for the running kernel, the library, the tools
#   make demo       show vmem-exp at work in a QEMU guest
#   make check      build and run the whole suite in QEMU guests (see README)
#   make check-debug  the same on a 6.1 kernel built with KASAN, KFENCE,
#                   kmemleak, lockdep, DMA-API debug (docs/debug-kernel.md)
#   make kernels    which Debian kernel each name of make check stands for
#   make refresh    forget them: the next run takes what Debian serves then
#   make lint       checkpatch --strict, sparse, a W=1 build, shellcheck
#   make bench      export vs memcpy vs udmabuf, measured in a trixie guest

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS += -Iinclude/uapi -Ilib
B := build

# Guest tests, in the order they run; unload runs last because it unloads
# the module under test.
TESTS := sources mmap errno rdonly lifetime changes reexport limits fuzz stress faultinj fdpass vgem vivid \
	vividloop legacy remote unload

LIB_OBJS := $(B)/lib/vmemexp.o
LIB_PIC := $(B)/lib/vmemexp.pic.o

.PHONY: all module lib tests bench demo check check-debug kernels refresh lint clean install \
	install-module install-lib install-headers install-udev print-tests

all: module lib

# Without the running kernel's headers there is nothing to build against:
# say what to install rather than let make fail on a missing directory.
module:
	@test -f $(KDIR)/Makefile || { \
		echo "vmem-exp: no kernel headers in $(KDIR)."; \
		echo "  Install the headers of the kernel you run (Debian, Ubuntu:" \
			"apt install linux-headers-$(KVER);"; \
		echo "  Fedora: dnf install kernel-devel-$(KVER)), or build for another" \
			"kernel with KDIR=/path/to/its/build (or KVER=its uname -r)."; \
		exit 1; } >&2
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel W=1 modules

lib: $(B)/libvmemexp.a $(B)/libvmemexp.so.1

$(B)/lib/%.o: lib/%.c lib/vmemexp.h include/uapi/linux/vmem_exp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/lib/%.pic.o: lib/%.c lib/vmemexp.h include/uapi/linux/vmem_exp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -fPIC -c -o $@ $<

$(B)/libvmemexp.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/libvmemexp.so.1: $(LIB_PIC) lib/libvmemexp.map
	$(CC) -shared -Wl,-soname,libvmemexp.so.1 \
		-Wl,--version-script=lib/libvmemexp.map -o $@ $(LIB_PIC)

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

$(B)/bench/%.t: bench/%.c lib/vmemexp.h $(B)/libvmemexp.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $< $(B)/libvmemexp.a

bench:
	scripts/bench.sh

# The demo drives vivid and vgem with the tests' helpers.
$(B)/tools/demo.t: tools/demo.c $(TEST_HELPERS) tests/harness.h tests/importers.h \
		$(B)/libvmemexp.a
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $< $(TEST_HELPERS) \
		$(B)/libvmemexp.a

demo:
	scripts/demo.sh

print-tests:
	@echo $(TEST_BINS)

check:
	scripts/check.sh

# The kernel is built once per machine (minutes) and cached; see
# scripts/debug-kernel.sh.
check-debug:
	KERNELS=bookworm-debug scripts/check.sh

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

install: install-module install-lib install-headers install-udev

install-module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules_install

install-lib: lib
	install -D -m 644 $(B)/libvmemexp.a $(DESTDIR)$(PREFIX)/lib/libvmemexp.a
	install -D -m 755 $(B)/libvmemexp.so.1 $(DESTDIR)$(PREFIX)/lib/libvmemexp.so.1
	ln -sf libvmemexp.so.1 $(DESTDIR)$(PREFIX)/lib/libvmemexp.so
	install -D -m 644 lib/vmemexp.h $(DESTDIR)$(PREFIX)/include/vmemexp.h

install-headers:
	install -D -m 644 include/uapi/linux/vmem_exp.h \
		$(DESTDIR)$(PREFIX)/include/linux/vmem_exp.h

install-udev:
	install -D -m 644 udev/60-vmem-exp.rules \
		$(DESTDIR)/lib/udev/rules.d/60-vmem-exp.rules
