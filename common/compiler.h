/*
 * compiler.h - the one place for compiler attributes, so that every
 * header spells them the same way and none has to include config.h just
 * to get one. Header only; no state.
 */
#ifndef TIDEMARK_COMPILER_H
#define TIDEMARK_COMPILER_H

/* The caller must look at the result: a status, or memory it now owns. */
#define TM_WARN_UNUSED __attribute__((warn_unused_result))

/* printf-style format checking: argument fmt_arg is the format, the
 * variadic arguments start at first_arg. */
#define TM_PRINTF(fmt_arg, first_arg) __attribute__((format(printf, fmt_arg, first_arg)))

/* A definition a file may not use: the constants a shared test header
 * offers each test that includes it. */
#define TM_MAYBE_UNUSED __attribute__((unused))

/* A slow path kept out of line, so that the fast path it leaves saves no
 * registers (an allocator called a million times a page). */
#define TM_NOINLINE __attribute__((noinline))

#endif
