# tidemark - keep PostgreSQL in step with a REST API through Kafka.
#
#   make            build the programs (after installing missing packages)
#   make check      build with -Werror, unit tests (plain and ASan/UBSan),
#                   docker/ checks, integration tests against real
#                   PostgreSQL, on the mock broker and on real Apache Kafka
#   make integration [TESTS="t_a t_b"] [TM_BROKER=mock|kafka]
#   make pydeps     the PyPI packages of the downstream consumer tests
#                   (confluent-kafka, fastavro) into $(BUILD)/venv
#   make demo       the whole pipeline on the embedded defaults
#                   (KAFKA=real: on a real Apache Kafka node)
#   make bench      records/s and peak RSS
#   make fuzz       every libFuzzer target of tests/fuzz/ for FUZZ_SECONDS
#                   (default 60) each, one after another (clang; `make
#                   fuzz-deps` installs it, `make check` runs a short smoke)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Every public target runs `make deps` first: it installs the Debian
# packages that are missing (a no-op when all are there), so that the
# pkg-config calls below see them. The build itself then runs in a
# sub-make, whose variables are evaluated after the install.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= gcc
SAN     ?=

PKGS      := rdkafka libpq libcurl avro-c jansson
TEST_PKGS := cmocka libmicrohttpd

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS))

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
             -MMD -MP -Icommon $(PKG_CFLAGS)

COMMON_SRC    := $(sort $(wildcard common/*.c))
PRODUCER_SRC  := $(sort $(filter-out producer/main.c,$(wildcard producer/*.c)))
WORKER_SRC    := $(sort $(filter-out worker/main.c,$(wildcard worker/*.c)))
FIXTURELIB_SRC := $(sort $(wildcard tests/fixturelib/*.c))
DEVBROKER_SRC := $(sort $(wildcard tests/devbroker/*.c)) $(FIXTURELIB_SRC)
DEMOAPI_SRC   := $(sort $(wildcard tests/demoapi/*.c)) $(FIXTURELIB_SRC)
KAFKAADMIN_SRC := tests/kafka/kafka_admin.c
UNIT_SRC      := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC      := $(sort $(wildcard tests/fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBCOMMON   := $(BUILD)/libtmcommon.a
LIBPRODUCER := $(BUILD)/libtmproducer.a
LIBWORKER   := $(BUILD)/libtmworker.a

PROGRAMS := $(BUILD)/tidemark-producer $(BUILD)/tidemark-worker
FIXTURES := $(BUILD)/tidemark-devbroker $(BUILD)/tidemark-demoapi $(BUILD)/tidemark-kafka-admin
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all deps programs fixtures unit unit-run check check-build demo \
        bench install install-programs clean integration pydeps \
        fuzz fuzz-deps fuzz-build fuzz-run format format-check

all: deps
	@$(MAKE) --no-print-directory programs fixtures

deps:
	@sh scripts/deps.sh

# Never fails: without PyPI the scenarios that need the venv are skipped.
pydeps:
	@BUILD=$(BUILD) sh scripts/pydeps.sh

programs: $(PROGRAMS)
fixtures: $(FIXTURES)
unit: $(UNIT_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(filter tests/%,$<),$(TEST_CFLAGS)) -c -o $@ $<

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIBPRODUCER): $(call obj,$(PRODUCER_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIBWORKER): $(call obj,$(WORKER_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tidemark-producer: $(call obj,producer/main.c) $(LIBPRODUCER) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
$(BUILD)/tidemark-worker: $(call obj,worker/main.c) $(LIBWORKER) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
$(BUILD)/tidemark-devbroker: $(call obj,$(DEVBROKER_SRC)) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
$(BUILD)/tidemark-demoapi: $(call obj,$(DEMOAPI_SRC)) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(PKG_LIBS) -lm
$(BUILD)/tidemark-kafka-admin: $(call obj,$(KAFKAADMIN_SRC))
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs rdkafka)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBPRODUCER) $(LIBWORKER) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(PKG_LIBS) -lm

# Runs every unit test binary; each prints cmocka's summary. Fails if any
# binary fails, after running them all.
unit-run: unit
	@failed=0; for t in $(UNIT_BINS); do \
	    (cd tests/unit && ../../$$t) || failed=1; \
	done; exit $$failed

check-build: programs fixtures unit

check: deps
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory check-build
	@$(MAKE) --no-print-directory unit-run
	@echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@ASAN_OPTIONS=detect_leaks=1 $(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 unit-run
	@echo "== fuzz smoke: every libFuzzer target over its corpus, then $(FUZZ_SMOKE_SECONDS) s of fuzzing"
	@$(MAKE) --no-print-directory fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@$(MAKE) --no-print-directory FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) fuzz-run
	@echo "== docker/: compose file and Dockerfile, without building"
	@sh docker/check.sh
	@$(MAKE) --no-print-directory pydeps
	@echo "== integration tests (real PostgreSQL via pg_virtualenv, demo API; every scenario on"
	@echo "   the mock broker, those marked '# brokers: ... kafka' also on a real Apache Kafka)"
	@BUILD=$(BUILD) sh tests/integration/run.sh

# One dialect (.clang-format): `make format` rewrites every C file in
# place; `make check` fails on any file that it would change.
C_FILES = $(shell find common producer worker tests -name '*.[ch]' -not -path '*/corpus/*')
format:
	@clang-format -i $(C_FILES)
format-check:
	@echo "== clang-format --dry-run --Werror over every C file"
	@clang-format --dry-run --Werror $(C_FILES)

integration: deps
	@$(MAKE) --no-print-directory programs fixtures $(BUILD)/tests/test_checkpoint_kafka pydeps
	@BUILD=$(BUILD) sh tests/integration/run.sh $(TESTS)

demo: deps
	@$(MAKE) --no-print-directory programs fixtures
	@BUILD=$(BUILD) bash scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory programs fixtures
	@BUILD=$(BUILD) bash scripts/bench.sh

# ---- libFuzzer targets (tests/fuzz/README.md) ----
# Built with clang into their own directory, with the project's sources
# compiled again there for libFuzzer's coverage and ASan/UBSan: the gcc
# build above is untouched.
FUZZ_CC      ?= clang
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
             -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
             -MMD -MP -Icommon $(PKG_CFLAGS)
fuzzobj = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(1))
FUZZ_LIB  := $(FUZZ_BUILD)/libtmfuzz.a
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))

fuzz-deps:
	@sh scripts/deps.sh fuzz

fuzz: deps fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@$(MAKE) --no-print-directory fuzz-run

fuzz-build: $(FUZZ_BINS)

fuzz-run: fuzz-build
	@BUILD=$(BUILD) sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(call fuzzobj,$(COMMON_SRC) $(PRODUCER_SRC) $(WORKER_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS) -lm

install: all
	@$(MAKE) --no-print-directory install-programs

# Without the deps step: for packagers and docker/Dockerfile.
install-programs: programs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tidemark/schemas
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 schemas/*.avsc $(DESTDIR)$(PREFIX)/share/tidemark/schemas/
	install -m 0644 tidemark.conf.example $(DESTDIR)$(PREFIX)/share/tidemark/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Keep test objects: they are intermediates of the unit-test pattern rule,
# and make would otherwise delete and rebuild them on every run.
.SECONDARY:
