/*
 * errstr.h - the errstr/errstr_size convention of librdkafka, in one
 * place: a fallible function fills the caller's buffer and returns a
 * status; the caller adds context and reports once.
 */
#ifndef TIDEMARK_ERRSTR_H
#define TIDEMARK_ERRSTR_H

#include "compiler.h"
#include <stddef.h>

/* snprintf into errstr; a NULL errstr or zero size is allowed (no-op). */
void errstr_set(char *errstr, size_t errstr_size, const char *fmt, ...) TM_PRINTF(3, 4);

#endif
