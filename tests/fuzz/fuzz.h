/*
 * fuzz.h - what every libFuzzer target of tests/fuzz/ shares: the entry
 * point's declaration, a property check that aborts (libFuzzer then saves
 * the input as a crash), and a NUL-terminated copy of the input.
 *
 * Owns nothing; each target is one single-threaded process.
 */
#ifndef TIDEMARK_FUZZ_H
#define TIDEMARK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold: on failure say which and abort(). */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__, __LINE__, #cond);            \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* data as a malloc'd C string (cut at its first NUL); abort()s on ENOMEM. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
