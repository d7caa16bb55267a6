/*
 * url.h - what may be requested, and where a reference leads: resolving a
 * reference the API hands out (a Link target or a redirect's Location)
 * against the URL that named it (RFC 3986 section 5, through libcurl's URL
 * API; fragments dropped), the schemes that may be followed (http and
 * https, never from https to http), and origins (scheme, host, port) for
 * deciding where credentials may go.
 *
 * Pure functions over the caller's strings (libcurl's URL API needs no
 * global state); any thread. Fail with -1 and errstr naming the URL with
 * credential-like query parameters redacted (url_redact.h).
 */
#ifndef TIDEMARK_URL_H
#define TIDEMARK_URL_H

#include "compiler.h"
#include <stddef.h>

/*
 * ref resolved against base (RFC 3986 5.2: absolute, "//host/p", "/p",
 * "p", "?q", "" and "#f" all work), without a fragment. 0 with *out
 * (caller frees), or -1 with errstr.
 */
int url_resolve(const char *base, const char *ref, char **out, char *errstr,
                size_t errstr_size) TM_WARN_UNUSED;

/*
 * Whether `to` may be requested: an http or https URL, and not http when
 * `from` (the URL that named it; NULL for a configured URL) is https.
 * 0, or -1 with errstr naming the (redacted) URL and the reason.
 */
int url_check_follow(const char *from, const char *to, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/* 1 when a and b have the same scheme, host (ignoring case) and port
 * (default ports filled in); 0 otherwise or when either does not parse. */
int url_same_origin(const char *a, const char *b);

/* 1 when a and b have the same origin (url_same_origin) and the same
 * path, whatever their queries; 0 otherwise or when either does not
 * parse. */
int url_same_path(const char *a, const char *b);

/*
 * *url in libcurl's own form when it is written with other than two '/'
 * after "scheme:": libcurl takes http:/u:p@h and http:///u:p@h for
 * http://u:p@h (and sends the userinfo), so it is kept as what is
 * requested, and shown redacted as such (url_redact.h). *url (malloc'd)
 * is replaced and freed; any other URL, or one that does not parse, is
 * left alone. 0, or -1 on ENOMEM (*url unchanged).
 */
int url_canonical_slashes(char **url) TM_WARN_UNUSED;

#endif
