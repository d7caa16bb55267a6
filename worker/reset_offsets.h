/*
 * reset_offsets.h - the `reset-offsets` command: a replay by moving a
 * consumer group's stored offsets for one stream's topic.
 *
 *   tidemark-worker reset-offsets --stream NAME
 *       (--to-earliest | --to-latest | --to-datetime TS | --to-offset N)
 *       [--partition P] [--execute]
 *
 * The new offset of each partition:
 *   --to-earliest   the partition's low watermark (first message kept);
 *   --to-latest     its high watermark (the end: skip what is there);
 *   --to-datetime   the first message with a timestamp at or after TS
 *                   (ListOffsets by time); a partition with no such
 *                   message goes to its end, as kafka-consumer-groups does;
 *                   a TS before 1970 is bad usage (ListOffsets reads a
 *                   negative time as "the end" or "the start");
 *   --to-offset     N, brought into [low, high] when outside (noted).
 * --partition restricts the reset to one partition.
 *
 * Without --execute only the plan is printed (stdout: GROUP TOPIC
 * PARTITION CURRENT-OFFSET NEW-OFFSET) and nothing changes, not even a
 * missing table. With --execute the plan is written to sync_offsets in
 * one transaction - the source of truth: running workers fail their next
 * compare-and-set, or notice at their idle check, and seek there - and
 * then committed as the group's Kafka offsets, for lag tools. A broker
 * refuses that commit while the group has members; it is then only
 * warned about: the workers' next commit brings Kafka in step.
 *
 * A topic the cluster does not know (one made a moment before, not yet
 * in the answering broker's metadata) is asked for again for 10 s before
 * that is a runtime failure.
 *
 * Exit status: 0, 1 on a runtime failure, 2 on bad usage (also an
 * unknown stream or a partition the topic does not have).
 *
 * The parsing and the plan are pure functions, exposed for the unit
 * tests. Main thread.
 */
#ifndef TIDEMARK_WORKER_RESET_OFFSETS_H
#define TIDEMARK_WORKER_RESET_OFFSETS_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cli.h"
#include "config.h"

typedef enum {
    RESET_TO_NONE = 0,
    RESET_TO_EARLIEST,
    RESET_TO_LATEST,
    RESET_TO_DATETIME,
    RESET_TO_OFFSET
} reset_to_t;

typedef struct reset_args {
    const char *stream; /* borrowed from argv; NULL with runs */
    int runs;           /* --runs: the run records' topic */
    reset_to_t to;
    int64_t ts_ms;     /* --to-datetime */
    int64_t offset;    /* --to-offset */
    int32_t partition; /* --partition; -1: every partition */
    int execute;
} reset_args_t;

/* The command on the command line (cli.h), named by its row in
 * worker/main.c: its handler, options, their check and help texts. */
int reset_offsets_command(const tm_config_t *conf, const cli_args_t *args);
extern const cli_option_t reset_offsets_options[];
int reset_offsets_check(const cli_args_t *args, char *errstr, size_t errstr_size);
extern const cli_help_t reset_offsets_help;

/*
 * The command's options as cli_parse found them (args->command is the
 * reset-offsets row), checked and typed. Returns 0, or -1 with errstr
 * saying what is wrong (bad usage).
 */
int reset_args_from_cli(const cli_args_t *args, reset_args_t *out, char *errstr,
                        size_t errstr_size) TM_WARN_UNUSED;

/* One partition of the plan. */
typedef struct reset_part {
    int32_t partition;
    int64_t low, high; /* watermarks */
    int64_t by_time;   /* --to-datetime's answer; -1: no message at/after */
    int64_t current;   /* stored next_offset; -1: no row */
    int64_t target;    /* reset_plan_target's answer */
    int clamped;       /* --to-offset was outside [low, high] */
} reset_part_t;

/* Sets p->target (and p->clamped) from a and p's watermarks. */
void reset_plan_target(const reset_args_t *a, reset_part_t *p);

/* The plan as a table, one line per partition. */
void reset_plan_print(FILE *out, const char *group, const char *topic, const reset_part_t *parts,
                      size_t n);

#endif
