/*
 * status.h - the producer's `status` command: per stream the checkpoint's
 * HWM, last run, its counts and age ("3d04h", "5m12s", "850ms":
 * duration.h), as a table on out. Main thread; fails as
 * status_command() says.
 */
#ifndef TIDEMARK_STATUS_H
#define TIDEMARK_STATUS_H

#include <stdio.h>
#include "config.h"

/* Returns 0, or 1 (runtime failure, logged) when Kafka cannot be read. */
int status_command(const tm_config_t *conf, const char *only_stream, FILE *out);

#endif
