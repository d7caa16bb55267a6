/*
 * http_date.h - the two header values of an HTTP answer that carry time:
 * Retry-After (RFC 9110 10.2.3: delta-seconds or an HTTP-date) and Date
 * (an HTTP-date: IMF-fixdate, RFC 850 or asctime form), parsed with
 * curl_getdate() behind checks that keep it from making a date of less.
 *
 * Pure functions over the caller's strings; any thread. A value that is
 * neither form is -1 (the caller falls back: the backoff, or no Date).
 */
#ifndef TIDEMARK_HTTP_DATE_H
#define TIDEMARK_HTTP_DATE_H

#include "compiler.h"
#include <stdint.h>

/*
 * A Retry-After value as a wait from now_ms (epoch ms), at most cap_ms; a
 * date in the past is 0, a huge delta saturates. 0 with *wait_ms, or -1
 * when value is NULL or neither form.
 */
int http_retry_after_ms(const char *value, int64_t now_ms, int64_t cap_ms,
                        int64_t *wait_ms) TM_WARN_UNUSED;

/*
 * An HTTP-date (surrounding white space allowed) as epoch ms. 0 with *ms,
 * or -1 when value is NULL or not one (*ms untouched).
 */
int http_date_ms(const char *value, int64_t *ms) TM_WARN_UNUSED;

#endif
