/*
 * log.h - the one logger: one line per event on stderr, logfmt or JSON.
 *
 *   ts=2026-11-25T12:00:00.123Z level=info msg="run completed" stream=customers records=120
 *
 * msg is free text (it may hold an error string): the logger quotes and
 * escapes it. kvfmt is a printf format of space-separated key=value pairs
 * whose values the caller knows are plain tokens (names, numbers, offsets);
 * a value that may hold spaces or quotes belongs in msg, or is formatted
 * with log_quote() first. In JSON mode the pairs become members of the
 * object (numbers stay numbers). A value printed as is by mistake still
 * cannot split the line or break the JSON: control bytes and bytes that
 * are not UTF-8 are written escaped wherever they are, member names are
 * escaped, and a pair named ts, level or msg becomes _ts, _level, _msg.
 *
 * Owns: the level and format, set once by log_setup() on the main thread
 * before any other thread starts. log_write() may be called from any thread
 * (each line is written with one write(2)).
 */
#ifndef TIDEMARK_LOG_H
#define TIDEMARK_LOG_H

#include "compiler.h"
#include <stddef.h>

typedef enum { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 } log_level_t;

/* format: 0 = logfmt, 1 = JSON (LOG_FORMAT_* of config.h). */
void log_setup(log_level_t level, int json);

/* True when a line at this level would be written: check before costly work. */
int log_enabled(log_level_t level);

void log_write(log_level_t level, const char *msg, const char *kvfmt, ...) TM_PRINTF(3, 4);

/*
 * Writes s as a logfmt value into buf: as is if it is a plain token,
 * else in double quotes with \" \\ \n \t escaped. Returns buf (truncated
 * to size, always NUL-terminated) so it can be passed to a %s.
 */
const char *log_quote(char *buf, size_t size, const char *s);

/* Parses "error" | "warn" | "info" | "debug"; -1 if none. */
int log_level_parse(const char *s);

#define log_error(msg, ...) log_write(LOG_ERROR, msg, __VA_ARGS__)
#define log_warn(msg, ...)  log_write(LOG_WARN, msg, __VA_ARGS__)
#define log_info(msg, ...)  log_write(LOG_INFO, msg, __VA_ARGS__)
#define log_debug(msg, ...) log_write(LOG_DEBUG, msg, __VA_ARGS__)

#endif
