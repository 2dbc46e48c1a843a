# hvl-launcher — plain Makefile in the style of conmon.
# Users may override CFLAGS, PREFIX, DESTDIR, BUILDDIR; what the build needs is added with override.

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BUILDDIR ?= build
CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config

PKGS := libvirt libxml-2.0 libcap-ng json-c nettle
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
# libvirt: headers only; launcher/libvirt-lazy.c loads it on first use (docs/performance.md).
#
# The other libraries (nettle too) are linked statically from Debian's -dev packages, and libxml2 without ICU
# (util/xml-noicu.c): dynamic loading of ICU and libstdc++, which Debian's libxml2 needs, cost
# ~0.8 ms on every start of a VM's pod (docs/performance.md).  SHARED_DEPS=1 links them all dynamically,
# as a distribution package would; sanitizer builds always do.
ifeq ($(SANITIZE),1)
SHARED_DEPS := 1
endif
# Without the static archives (distributions other than Debian rarely ship them) link dynamically.
# $(CC) -print-file-name prints the bare name back when it finds no such file.
ifneq ($(SHARED_DEPS),1)
MISSING_ARCHIVES := $(foreach a,libxml2.a libjson-c.a libcap-ng.a libnettle.a libz.a liblzma.a,\
	$(if $(filter $(a),$(shell $(CC) -print-file-name=$(a))),$(a)))
ifneq ($(strip $(MISSING_ARCHIVES)),)
# Said when the binary is linked, not here: `make demo` and `make check` read this file before installing
# the packages that bring the archives, and their sub-make decides again afterwards.
LINK_MODE_NOTE := hvl-launcher: no $(strip $(MISSING_ARCHIVES)): linking the libraries dynamically, as with SHARED_DEPS=1
SHARED_DEPS := 1
endif
endif
ifeq ($(SHARED_DEPS),1)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(filter-out libvirt,$(PKGS)))
NOICU_OBJ :=
else
ICU_SUFFIX := $(shell nm $(shell $(CC) -print-file-name=libxml2.a) 2>/dev/null | \
	sed -n 's/.* U ucnv_open_\([0-9][0-9]*\)$$/\1/p' | head -n 1)
NOICU_OBJ := $(if $(ICU_SUFFIX),$(BUILDDIR)/util/xml-noicu.o)
PKG_LIBS = $(NOICU_OBJ) -Wl,-Bstatic -lxml2 -ljson-c -lcap-ng -lnettle -lz -llzma -Wl,-Bdynamic -lm
endif
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-fno-strict-aliasing -D_GNU_SOURCE -DHVL_VERSION='"$(VERSION)"' \
	-iquote util -iquote converter -iquote overhead -iquote launcher $(PKG_CFLAGS) -MMD -MP
ifeq ($(SANITIZE),1)
override CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
# ASan hooks libtirpc's xdrmem_create only when libtirpc is loaded at start-up: a libvirt dlopen()ed later by
# launcher/libvirt-lazy.c crashes in the hook.  Sanitizer builds load libvirt up front (the wrappers still work).
PKG_LIBS += -Wl,--no-as-needed $(shell $(PKG_CONFIG) --libs libvirt) -Wl,--as-needed
endif
ifeq ($(COVERAGE),1)
override CFLAGS += --coverage
override LDFLAGS += --coverage
endif

UTIL_SRCS := $(filter-out util/xml-noicu.c,$(sort $(wildcard util/*.c)))
CONVERTER_SRCS := $(sort $(wildcard converter/*.c))
OVERHEAD_SRCS := $(sort $(wildcard overhead/*.c))
LAUNCHER_SRCS := $(filter-out launcher/main.c,$(sort $(wildcard launcher/*.c)))
TEST_SRCS := $(sort $(wildcard tests/unit/test-*.c))
BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))

obj = $(patsubst %.c,$(BUILDDIR)/%.o,$(1))
# Highest room first: each archive only uses the ones after it (scripts/layering checks that).
LIBS := $(BUILDDIR)/liblauncher.a $(BUILDDIR)/liboverhead.a $(BUILDDIR)/libconverter.a $(BUILDDIR)/libhvlutil.a
BIN := $(BUILDDIR)/hvl-launcher
TEST_BINS := $(patsubst tests/unit/%.c,$(BUILDDIR)/tests/%,$(TEST_SRCS))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILDDIR)/bench/%,$(BENCH_SRCS))

# Keep test and bench objects between runs (they are intermediates of pattern rules).
.SECONDARY:

.PHONY: all deps check check-only check-stack demo bench fuzz install uninstall clean fmt lint-man tests

all: $(BIN)

$(BUILDDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILDDIR)/util/xml-noicu.o: override CFLAGS += -DHVL_ICU_SUFFIX=$(ICU_SUFFIX)

# Not libutil.a: glibc has a libutil (-lutil) of its own.
# Archives are written anew, so the object of a removed source does not linger in them.
$(BUILDDIR)/libhvlutil.a: $(call obj,$(UTIL_SRCS))
	rm -f $@ && $(AR) rcs $@ $^
$(BUILDDIR)/libconverter.a: $(call obj,$(CONVERTER_SRCS))
	rm -f $@ && $(AR) rcs $@ $^
$(BUILDDIR)/liboverhead.a: $(call obj,$(OVERHEAD_SRCS))
	rm -f $@ && $(AR) rcs $@ $^
$(BUILDDIR)/liblauncher.a: $(call obj,$(LAUNCHER_SRCS))
	rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(call obj,launcher/main.c) $(LIBS) $(NOICU_OBJ)
	$(if $(LINK_MODE_NOTE),@echo '$(LINK_MODE_NOTE)')
	$(CC) $(LDFLAGS) -o $@ $(call obj,launcher/main.c) $(LIBS) $(PKG_LIBS)

# Tests may wrap syscalls with -Wl,--wrap=NAME; a test lists them in a comment line
#   /* WRAP: setrlimit execve */
$(BUILDDIR)/tests/%: $(BUILDDIR)/tests/unit/%.o $(LIBS) $(NOICU_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS) $(CMOCKA_LIBS) \
		$(addprefix -Wl$(comma)--wrap=,$(shell sed -n 's|^/\* WRAP: \(.*\) \*/$$|\1|p' tests/unit/$*.c))
comma := ,

$(BUILDDIR)/bench/%: $(BUILDDIR)/tests/bench/%.o $(LIBS) $(NOICU_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS)

tests: $(BIN) $(TEST_BINS)

# The two quick-start commands pull in their own dependencies (Debian 12, as root).
deps:
	@scripts/install-deps

check: deps
	@$(MAKE) --no-print-directory check-only

check-only: tests
	@BUILDDIR=$(BUILDDIR) HVL=$(abspath $(BIN)) tests/run-all.sh

# The stack that can run mshv (libvirt and QEMU from Debian trixie-backports) in namespaces of its own:
# scripts/mshv-stack builds and caches the root, tests/stack/run runs the suites there (docs/testing.md).
check-stack: deps
	@tests/stack/run

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@BUILDDIR=$(BUILDDIR) HVL=$(abspath $(BIN)) scripts/demo

bench: $(BIN) $(BENCH_BINS)
	@BUILDDIR=$(BUILDDIR) HVL=$(abspath $(BIN)) scripts/bench

fuzz:
	@scripts/fuzz $(FUZZ_SECONDS)

lint-man:
	@tests/check-man.sh

fmt:
	clang-format -i $(wildcard util/*.[ch] converter/*.[ch] overhead/*.[ch] launcher/*.[ch] tests/unit/*.[ch])

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/hvl-launcher
	for page in man/*.[0-9]; do \
		section=$${page##*.}; \
		install -D -m 0644 $$page $(DESTDIR)$(MANDIR)/man$$section/$$(basename $$page); \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hvl-launcher
	for page in man/*.[0-9]; do rm -f $(DESTDIR)$(MANDIR)/man$${page##*.}/$$(basename $$page); done

clean:
	rm -rf $(BUILDDIR) build-*

-include $(shell find $(BUILDDIR) -name '*.d' 2>/dev/null)
