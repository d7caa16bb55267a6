/*
 * atomic_file.h - how the development fixtures announce their address:
 * a one-line file that scripts poll for, written so that a reader never
 * sees it half-written. Fixtures only; never linked into the programs.
 */
#ifndef TIDEMARK_ATOMIC_FILE_H
#define TIDEMARK_ATOMIC_FILE_H

#include "compiler.h"
#include <stddef.h>

/* Writes line + "\n" to path.tmp, then renames it over path. Returns 0,
 * or -1 with errstr set (path.tmp is removed). */
int write_file_atomic(const char *path, const char *line, char *errstr,
                      size_t errstr_size) TM_WARN_UNUSED;

#endif
