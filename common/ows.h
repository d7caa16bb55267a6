/*
 * ows.h - HTTP's optional white space (RFC 9110 section 5.6.3) around a
 * value within one header line: space, tab, and the CR of a CRLF. A line
 * feed is not one: it ends a line (the Link lines of an answer stand one a
 * line). Used by the Link header parser (producer/link.c) and the
 * reference resolver (common/url.c).
 *
 * Owns nothing but the copies it returns (caller frees). Pure functions;
 * any thread. ows_dup fails with NULL (out of memory).
 */
#ifndef TIDEMARK_OWS_H
#define TIDEMARK_OWS_H

#include "compiler.h"
#include <stddef.h>

/* 1 when c (an unsigned char value) is optional white space, else 0. */
int ows_is(int c);

/* A copy of s[0..n) without the optional white space at either end, NUL
 * terminated; NULL when out of memory. */
char *ows_dup(const char *s, size_t n) TM_WARN_UNUSED;

#endif
