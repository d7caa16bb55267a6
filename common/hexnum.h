/*
 * hexnum.h - hexadecimal digits read in one place: the page reader's \u
 * escapes (producer/jsonscan.c), the run record's chunk sums
 * (common/runrecord.c), the HWM's digests (producer/hwm.c) and
 * percent-escapes (common/url_redact.c).
 *
 * Owns nothing: pure functions over the caller's bytes. Any thread. Fails
 * by returning -1 (not a digit, or not n of them).
 */
#ifndef TIDEMARK_HEXNUM_H
#define TIDEMARK_HEXNUM_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit (0-9, a-f, A-F), or -1. */
int hexnum_digit(int c);

/*
 * The n hex digits at s (n <= 16) as *out. 0, or -1 when one of them is
 * not a hex digit (a NUL is not one: a shorter string fails) and *out is
 * unchanged. Says nothing about what follows the n digits.
 */
int hexnum_parse(const char *s, size_t n, uint64_t *out) TM_WARN_UNUSED;

#endif
