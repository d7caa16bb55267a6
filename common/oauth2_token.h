/*
 * oauth2_token.h - the pure parts of the OAuth2 client credentials grant
 * (RFC 6749 section 4.4), for oauth2.c: the request's body and client
 * authentication, reading the token endpoint's answer (a token or an
 * error) as hostile input, clearing the secret from a message, and when a
 * token is due for renewal.
 *
 * - The body is grant_type=client_credentials[&scope=...], form-encoded.
 * - The client authenticates with HTTP Basic (section 2.3.1): id and
 *   secret each form-encoded, then base64 of "id:secret".
 * - An answer must be a JSON object with access_token: a non-empty string
 *   of visible ASCII (no space, CR, LF or other control: it goes into a
 *   header line), at most OAUTH2_MAX_TOKEN bytes. token_type must be
 *   "Bearer" in any case; an answer without it is taken as Bearer (some
 *   servers leave it out; the header we send is a Bearer header either
 *   way). expires_in, optional, is a number of seconds (a string of
 *   digits is accepted too, as some servers send one); absent or null:
 *   unknown, the token is renewed only when the API answers 401. A value
 *   below 1 s or above a year is clamped into that range.
 * - A token is renewed before expires_in runs out, by a margin of a tenth
 *   of it or 60 s, whichever is smaller, counted from the moment the token
 *   was asked for (not received), so that a slow answer cannot make the
 *   token older than it looks.
 *
 * Pure functions over the caller's strings and numbers; any thread. Fail
 * with -1 and a reason in errstr that never holds the token or a secret;
 * the allocating ones return NULL on ENOMEM.
 */
#ifndef TIDEMARK_OAUTH2_TOKEN_H
#define TIDEMARK_OAUTH2_TOKEN_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#define OAUTH2_MAX_TOKEN       (32 * 1024)
#define OAUTH2_MIN_EXPIRES_MS  1000LL
#define OAUTH2_MAX_EXPIRES_MS  (365LL * 86400 * 1000)
#define OAUTH2_MAX_MARGIN_MS   60000LL
#define OAUTH2_EXPIRES_UNKNOWN (-1)

typedef struct oauth2_token {
    char *access_token;    /* owned */
    int64_t expires_in_ms; /* clamped; OAUTH2_EXPIRES_UNKNOWN when not said */
} oauth2_token_t;

/* Reads a 2xx answer's body (len bytes). 0 with *out (clear it with
 * oauth2_token_clear), or -1 with errstr ("access_token: ..."). */
int oauth2_token_parse(const char *body, size_t len, oauth2_token_t *out, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

void oauth2_token_clear(oauth2_token_t *t);

/*
 * What an error answer's body (RFC 6749 5.2) says, for a message:
 * "invalid_client (Client authentication failed)", "invalid_scope", or ""
 * when the body holds no error string. Each part is cleared of secrets (a
 * NULL-terminated list, or NULL) as oauth2_scrub_all does, before it is
 * cut to 200 bytes (no first bytes of a secret across the cut) and after
 * only printable ASCII is kept. Writes into buf and returns it.
 */
const char *oauth2_error_describe(const char *body, size_t len, const char *const *secrets,
                                  char *buf, size_t size);

/* Every occurrence of secret in s, as it is or form-encoded (the way the
 * request sent it), becomes "***", in place (a secret shorter than 3
 * bytes is left alone: it would match too much); and so does a head of
 * it, 8 bytes or more, cut short right before "..." (a quote that shows
 * only a value's first bytes). For a server's words
 * that echo what it was sent: the token server's error_description, the
 * registry's and an API's error words (url_redact.h, http.h), libpq's
 * connect errors (worker/pg.h). */
void oauth2_scrub(char *s, const char *secret);

/* oauth2_scrub of each of secrets (NULL-terminated; NULL: none). */
void oauth2_scrub_all(char *s, const char *const *secrets);

/* 1 when a token asked for at obtained_ms (a monotonic clock) with
 * expires_in_ms is to be renewed at now_ms; never for an unknown expiry. */
int oauth2_refresh_due(int64_t obtained_ms, int64_t expires_in_ms, int64_t now_ms);

/* 1 when that token has run out at now_ms; never for an unknown expiry. */
int oauth2_expired(int64_t obtained_ms, int64_t expires_in_ms, int64_t now_ms);

/* application/x-www-form-urlencoded (RFC 6749 appendix B): letters,
 * digits and "-._*" kept, space as '+', every other byte as %XX. */
char *oauth2_form_encode(const char *s);

/* "Authorization: Basic <base64(form(id) ':' form(secret))>". */
char *oauth2_basic_header(const char *client_id, const char *client_secret);

/* "grant_type=client_credentials" and "&scope=<form(scope)>" when scope
 * is not NULL. */
char *oauth2_request_body(const char *scope);

#endif
