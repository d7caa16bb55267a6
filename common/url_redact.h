/*
 * url_redact.h - a URL as it may be shown: in log lines, error strings and
 * the DLQ's tidemark.source header.
 *
 * Query (and fragment) parameters whose name looks like a credential have
 * their value replaced by "***": a name that contains, case-insensitively
 * and after %XX decoding, one of key, token, secret, password, passwd,
 * signature, credential, auth (api_key, access_token, X-Amz-Signature,
 * client_secret, ...). A userinfo part (user:password@) is replaced by
 * "***" as a whole, after "scheme:" and any number of '/' (libcurl takes
 * http:/u:p@h for http://u:p@h). In a URL that libcurl does not parse (a
 * password with an unencoded '/', '?' or '#' ends the authority early),
 * everything from after "scheme:" and its '/'s up to the last '@' is
 * masked. Nothing else changes; text that is not a URL passes through
 * with the same rules applied to whatever follows a '?'.
 *
 * Owns nothing: pure functions over the caller's strings (libcurl's URL
 * API needs no global state); any thread.
 * Fails only on ENOMEM (url_redact_dup returns NULL).
 */
#ifndef TIDEMARK_URL_REDACT_H
#define TIDEMARK_URL_REDACT_H

#include <stddef.h>

/*
 * Writes the redacted url into buf (truncated to size - 1 bytes, always
 * NUL-terminated when size > 0) and returns buf, so it can be passed to a
 * %s directly. A NULL url gives "".
 */
const char *url_redact(const char *url, char *buf, size_t size);

/*
 * The redacted url as a log line's value (log_quote(): in quotes, as every
 * URL with a query has a '='), in buf, truncated to size on a character
 * boundary; returns buf for a %s.
 */
const char *url_redact_quoted(const char *url, char *buf, size_t size);

/* The redacted url as a new string (caller frees); NULL on ENOMEM. */
char *url_redact_dup(const char *url);

/*
 * Clears s (in place) of the values url_redact would mask in url's query
 * and fragment parameters, as written there and %-decoded, the way
 * oauth2_scrub does: for an API's answer that echoes what it was sent.
 * A value shorter than 3 bytes is left (oauth2_scrub); ENOMEM leaves s.
 */
void url_scrub_secrets(const char *url, char *s);

/* Whether a query parameter name (len bytes, still %-encoded) looks like
 * a credential. Exposed for tests. */
int url_param_is_secret(const char *name, size_t len);

#endif
