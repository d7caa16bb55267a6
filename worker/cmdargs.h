/*
 * cmdargs.h - the long options of the worker's subcommands
 * (reset-offsets, status): "--name VALUE" or "--name=VALUE", walked by
 * hand so that parsing is a pure function of argv (no getopt state),
 * which the unit tests call again and again.
 *
 * Pure: no state, nothing allocated, any thread.
 */
#ifndef TIDEMARK_WORKER_CMDARGS_H
#define TIDEMARK_WORKER_CMDARGS_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

/*
 * Whether argv[*i] is the option --name. For an option that takes a
 * value (value != NULL), *value is set from "--name=V" or from the next
 * argument, and *i is advanced past what was used. Returns 1 when it
 * matched, 0 when it did not, -1 when it matched but the value is missing
 * (or a flag was given "=V").
 */
int cmdargs_match(int argc, char **argv, int *i, const char *name, const char **value);

/* Parses a decimal integer in [min, max] (the whole string). 0 or -1. */
int cmdargs_int64(const char *s, int64_t min, int64_t max, int64_t *out) TM_WARN_UNUSED;

#endif
