# tidemark - keep PostgreSQL in step with a REST API through Kafka.
#
#   make            build the programs and test fixtures into $(BUILD);
#                   installs nothing (missing packages: `make deps`)
#   make deps       install the Debian packages that are missing, and the
#                   jars of the real-broker tests (scripts/deps.sh)
#   make check      deps, then the formatting check, the build with -Werror,
#                   unit tests (plain and ASan/UBSan), fuzz smoke, docker/
#                   checks, integration tests against real PostgreSQL, on
#                   the mock broker and on real Apache Kafka, and a smoke
#                   of the bench harness (BENCH_SMOKE=1, ~35 s)
#   make integration [TESTS="t_a t_b"] [TM_BROKER=mock|kafka] [TM_JOBS=N] [TM_KAFKA_JOBS=N]
#   make pydeps     the PyPI packages of the downstream consumer tests
#                   (confluent-kafka, fastavro) into $(BUILD)/venv
#   make demo       deps, then the whole pipeline on the embedded defaults
#                   (KAFKA=real: on a real Apache Kafka node)
#   make bench      deps (and the Python pipeline's packages), then every
#                   figure of issue 8 as ratios against limits measured in
#                   the same run (scripts/bench.sh: BENCH_RECORDS, ...)
#   make fuzz       every libFuzzer target of tests/fuzz/ for FUZZ_SECONDS
#                   (default 60) each, one after another (clang; `make
#                   fuzz-deps` installs it, `make check` runs a short smoke)
#   make format     clang-format every C file in place (format-check: fail
#                   on any file it would change)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Warnings are errors (-Werror) in every build by default: the code is
# warning-free with Debian 12's gcc. `make WERROR=` builds with another
# compiler whose new warnings should not stop it; `make check` always uses
# -Werror. A change of flags rebuilds what they compiled ($(BUILD)/.cflags).
#
# The targets that run `make deps` first (deps, check, demo, bench,
# integration, fuzz) run the build in a sub-make, whose pkg-config calls
# are evaluated after the install.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= gcc
SAN     ?=

# Parallel compile jobs of the builds inside `make check` (its unit tests
# run one at a time).
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
# Integration scenarios at a time in make check: most of a scenario is
# waiting (batch timers, group joins, poll intervals), so five share the
# two cores of the CI machines, two of them at most on the real broker
# (each its own JVM). At 3 and 1, the runs on the real broker, one after
# another (1396 s), were most of the suite's 1740 s of make check's 1990,
# and the machine idled: 40 mock scenarios took 97 s at 3 (52% busy),
# 70 s at 4, 60 s at 6 (75%). At 5 and 2 the whole suite took 1098 s
# (86% busy); 4 left the slowest scenario (t_poison_long: 183 s at 5,
# 153 s at 4) further from its deadline (TM_TEST_TIMEOUT, 240 s) on a
# loaded machine. make check in a fresh clone: 1467 s at 4 and 2; then,
# with two scenarios more and the machine slower (librdkafka's produce
# limit in the bench smoke 282k msgs/s against 455k), 1617 s, past the
# 25 minutes. Now 5, and a `# long` scenario's deadline is half as long
# again (360 s): a deadline is there to end a hang.
CHECK_TM_JOBS ?= 5
CHECK_TM_KAFKA_JOBS ?= 2
PKGS      := rdkafka libpq libcurl avro-c jansson libmicrohttpd
TEST_PKGS := cmocka libmicrohttpd

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS))

WERROR  ?= -Werror
WARN    := -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wformat=2
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

# Which program a unit test or fuzz target tests (make patterns over the
# file names, without .c): it is compiled with that program's directory on
# its include path (only that one: producer/ and worker/ both have a
# status.h) and linked with that program's library. The others test
# common/ only.
PRODUCER_TESTS := test_absentfields test_bodytext test_checkpoint% test_convert test_dlq test_heldeletes test_hwm \
                  test_getahead test_hdrpool test_jsonpage test_keylatest test_link test_pageguess test_pageshift test_pager test_reconcile test_record_id test_runlock test_runmode test_source% test_stats test_topicscan% \
                  fuzz_checkpoint_chunk fuzz_convert fuzz_jsonpage fuzz_link
WORKER_TESTS   := test_worker_% test_reset_offsets test_tableschema fuzz_decode
TEST_NAMES     := $(basename $(notdir $(UNIT_SRC) $(FUZZ_SRC)))
PRODUCER_TEST_NAMES := $(filter $(PRODUCER_TESTS),$(TEST_NAMES))
WORKER_TEST_NAMES   := $(filter $(WORKER_TESTS),$(TEST_NAMES))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBCOMMON   := $(BUILD)/libtmcommon.a
LIBPRODUCER := $(BUILD)/libtmproducer.a
LIBWORKER   := $(BUILD)/libtmworker.a

PROGRAMS := $(BUILD)/tidemark-producer $(BUILD)/tidemark-worker
# The bench's limit tools (tests/bench/) are fixtures too: built and
# compiled with -Werror by `make check`, so that they cannot rot.
BENCH_TOOLS := $(BUILD)/tidemark-bench-produce-limit $(BUILD)/tidemark-bench-pg-limit
FIXTURES := $(BUILD)/tidemark-devbroker $(BUILD)/tidemark-demoapi $(BUILD)/tidemark-kafka-admin \
            $(BENCH_TOOLS)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all deps programs fixtures unit unit-run check check-build demo \
        bench install install-programs clean integration pydeps \
        fuzz fuzz-deps fuzz-build fuzz-run format format-check pkg-check FORCE

all: programs fixtures

deps:
	@sh scripts/deps.sh

# A plain build installs nothing: without the libraries it says what to do.
pkg-check:
	@pkg-config --exists $(PKGS) || { \
	    echo "tidemark: missing build packages (pkg-config: $(PKGS));" \
	         "'make deps' installs them" >&2; exit 1; }

# Rewritten only when the compiler flags change, so that a change (WERROR=,
# CFLAGS=) rebuilds every object.
FLAGS_STAMP := $(BUILD)/.cflags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS)' >$@

# Rewritten only when the list of library sources changes, so that an
# archive loses the object of a deleted or moved source (ar only adds).
SRCLIST_STAMP := $(BUILD)/.srclist
$(SRCLIST_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(COMMON_SRC) $(PRODUCER_SRC) $(WORKER_SRC)' | cmp -s - $@ || \
	    echo '$(COMMON_SRC) $(PRODUCER_SRC) $(WORKER_SRC)' >$@

# Never fails: without PyPI the scenarios that need the venv are skipped.
pydeps:
	@BUILD=$(BUILD) sh scripts/pydeps.sh

programs: $(PROGRAMS)
fixtures: $(FIXTURES)
unit: $(UNIT_BINS)

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | pkg-check
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(filter tests/%,$<),$(TEST_CFLAGS) $(TEST_INC)) -c -o $@ $<

# A test's own program directory on its include path.
$(foreach t,$(PRODUCER_TEST_NAMES),$(eval $(BUILD)/obj/tests/unit/$(t).o: TEST_INC := -Iproducer))
$(foreach t,$(WORKER_TEST_NAMES),$(eval $(BUILD)/obj/tests/unit/$(t).o: TEST_INC := -Iworker))

$(LIBCOMMON): $(call obj,$(COMMON_SRC)) $(SRCLIST_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(LIBPRODUCER): $(call obj,$(PRODUCER_SRC)) $(SRCLIST_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(LIBWORKER): $(call obj,$(WORKER_SRC)) $(SRCLIST_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

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
$(BUILD)/tidemark-bench-produce-limit: $(call obj,tests/bench/produce_limit.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs rdkafka)
$(BUILD)/tidemark-bench-pg-limit: $(call obj,tests/bench/pg_limit.c)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libpq)

# Each unit test links common plus the library of the program it tests.
$(foreach t,$(PRODUCER_TEST_NAMES),$(eval $(BUILD)/tests/$(t): $(LIBPRODUCER)))
$(foreach t,$(WORKER_TEST_NAMES),$(eval $(BUILD)/tests/$(t): $(LIBWORKER)))
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(filter $(LIBPRODUCER) $(LIBWORKER),$^) $(LIBCOMMON) \
	    $(TEST_LIBS) $(PKG_LIBS) -lm

# Runs every unit test binary; each prints cmocka's summary. Each is a
# target of its own, so that unit-run runs JOBS of them at once
# (--output-sync keeps each one's output together; -k runs them all, and
# the run fails if one did): one after the other they took 31 s, and
# 38 s under the sanitizers, while most of them wait on timers or
# sockets. The slow ones start first.
UNIT_SLOW := test_metrics_http test_source_paging test_http test_checkpoint test_worker_dlq_queue
UNIT_NAMES := $(notdir $(UNIT_BINS))
UNIT_RUNS := $(addprefix unit-run-,$(filter $(UNIT_NAMES),$(UNIT_SLOW)) \
                                   $(filter-out $(UNIT_SLOW),$(UNIT_NAMES)))
.PHONY: $(UNIT_RUNS)
unit-run: unit
	@$(MAKE) --no-print-directory -j$(JOBS) -k --output-sync=target $(UNIT_RUNS)
$(UNIT_RUNS): unit-run-%:
	@cd tests/unit && ../../$(BUILD)/tests/$*

# pydeps (a venv and pip, ~20 s in a fresh clone, waiting on PyPI more
# than on a CPU) alongside the compilers.
check-build: programs fixtures unit pydeps

check: deps
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory -j$(JOBS) WERROR=-Werror check-build
	@$(MAKE) --no-print-directory WERROR=-Werror unit-run
	@echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@$(MAKE) --no-print-directory -j$(JOBS) WERROR=-Werror BUILD=$(BUILD)/san SAN=1 unit
	@ASAN_OPTIONS=detect_leaks=1 $(MAKE) --no-print-directory WERROR=-Werror BUILD=$(BUILD)/san SAN=1 unit-run
	@echo "== fuzz smoke: every libFuzzer target over its corpus, then $(FUZZ_SMOKE_SECONDS) s of fuzzing"
	@$(MAKE) --no-print-directory fuzz-deps
	@$(MAKE) --no-print-directory -j$(JOBS) WERROR=-Werror fuzz-build
	@$(MAKE) --no-print-directory WERROR=-Werror FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_JOBS=2 fuzz-run
	@echo "== docker/: compose file and Dockerfile, without building"
	@sh docker/check.sh
	@echo "== integration tests (real PostgreSQL via pg_virtualenv, demo API; every scenario on"
	@echo "   the mock broker, those marked '# brokers: ... kafka' also on a real Apache Kafka;"
	@echo "   $(CHECK_TM_JOBS) at a time, $(CHECK_TM_KAFKA_JOBS) of them at most on the real broker)"
	@BUILD=$(BUILD) TM_JOBS=$(CHECK_TM_JOBS) TM_KAFKA_JOBS=$(CHECK_TM_KAFKA_JOBS) sh tests/integration/run.sh
	@echo "== bench harness smoke (BENCH_SMOKE=1: 2000 records, main, e2e and latency phases;"
	@echo "   speed is not asserted, only that the harness runs and the table equals the API)"
	@BENCH_SMOKE=1 BUILD=$(BUILD) bash scripts/bench.sh

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

# The Python pipeline the bench compares with needs packages nothing else
# does: without them (no mirror) that comparison is printed as skipped.
bench: deps
	@sh scripts/deps.sh bench || \
	    echo "bench: could not install the Python pipeline's packages; its comparison is skipped" >&2
	@$(MAKE) --no-print-directory programs fixtures
	@BUILD=$(BUILD) bash scripts/bench.sh

# ---- libFuzzer targets (tests/fuzz/README.md) ----
# Built with clang into their own directory, with the project's sources
# compiled again there for libFuzzer's coverage and ASan/UBSan: the gcc
# build above is untouched.
FUZZ_CC      ?= clang
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
# make check: each target over its corpus, then a short run (make fuzz fuzzes)
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_JOBS    ?= 1
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
             -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
             -MMD -MP -Icommon $(PKG_CFLAGS)
fuzzobj = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(1))
FUZZ_LIBCOMMON   := $(FUZZ_BUILD)/libtmcommon.a
FUZZ_LIBPRODUCER := $(FUZZ_BUILD)/libtmproducer.a
FUZZ_LIBWORKER   := $(FUZZ_BUILD)/libtmworker.a
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))

fuzz-deps:
	@sh scripts/deps.sh fuzz

fuzz: deps fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@$(MAKE) --no-print-directory fuzz-run

fuzz-build: $(FUZZ_BINS)

fuzz-run: fuzz-build
	@BUILD=$(BUILD) FUZZ_JOBS=$(FUZZ_JOBS) sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(FUZZ_BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | pkg-check
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) $(TEST_INC) -c -o $@ $<

$(foreach t,$(PRODUCER_TEST_NAMES),$(eval $(FUZZ_BUILD)/obj/tests/fuzz/$(t).o: TEST_INC := -Iproducer))
$(foreach t,$(WORKER_TEST_NAMES),$(eval $(FUZZ_BUILD)/obj/tests/fuzz/$(t).o: TEST_INC := -Iworker))

$(FUZZ_LIBCOMMON): $(call fuzzobj,$(COMMON_SRC)) $(SRCLIST_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(FUZZ_LIBPRODUCER): $(call fuzzobj,$(PRODUCER_SRC)) $(SRCLIST_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)
$(FUZZ_LIBWORKER): $(call fuzzobj,$(WORKER_SRC)) $(SRCLIST_STAMP)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

# Like the unit tests: common plus the library of the program it tests.
$(foreach t,$(PRODUCER_TEST_NAMES),$(eval $(FUZZ_BUILD)/$(t): $(FUZZ_LIBPRODUCER)))
$(foreach t,$(WORKER_TEST_NAMES),$(eval $(FUZZ_BUILD)/$(t): $(FUZZ_LIBWORKER)))
$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIBCOMMON)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
	    $(filter $(FUZZ_LIBPRODUCER) $(FUZZ_LIBWORKER),$^) $(FUZZ_LIBCOMMON) $(PKG_LIBS) -lm

# Installs nothing but tidemark: like every build, no packages.
install: install-programs

# The same (docker/Dockerfile calls it by this name).
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
