/*
 * status.h - the `status` command: per stream the checkpoint's HWM, last
 * run, its counts and age, as a table on out. Main thread.
 */
#ifndef TIDEMARK_STATUS_H
#define TIDEMARK_STATUS_H

#include <stdio.h>
#include "config.h"

/* Returns 0, or 1 (runtime failure, logged) when Kafka cannot be read. */
int status_command(const tm_config_t *conf, const char *only_stream, FILE *out);

/* "3d4h", "5m12s", "850ms" for a duration in ms (exposed for tests). */
void status_format_age(int64_t ms, char *buf, size_t size);

#endif
