/*
 * duration.h - a duration as people read it in the `status` tables of
 * both programs: the two largest units, the smaller one zero-padded:
 * "850ms", "42s", "5m03s", "2h07m", "3d04h". (Parsing a configured
 * duration is config.h's config_parse_duration.)
 *
 * Pure; any thread; cannot fail (the text is cut to size, always
 * NUL-terminated when size > 0).
 */
#ifndef TIDEMARK_DURATION_H
#define TIDEMARK_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Room for any duration_format() text, with its NUL. */
#define DURATION_BUFSIZE 32

/* ms (a negative one counts as 0) into buf. */
void duration_format(int64_t ms, char *buf, size_t size);

#endif
