/*
 * oauth2.h - a stream's OAuth2 client credentials (RFC 6749 4.4): the
 * token it holds, and getting a new one, as the auth source (http.h's
 * http_auth_t) of the stream's HTTP clients.
 *
 * The token is asked for when first needed, kept across runs (a token per
 * run would hammer the token endpoint in follow mode), and renewed when
 * oauth2_token.h says it is due, or when the API refused it (401). The
 * request POSTs grant_type=client_credentials[&scope=] with the client's
 * id and secret as HTTP Basic to auth.oauth2.token_url, with the stream's
 * timeout, max.retries, retry.max_wait and max.response.size (http.h; a
 * redirect from it fails). Each new token logs "oauth2 token obtained"
 * with the (redacted) token URL and expires_in, never the token.
 *
 * A renewal ahead of the expiry is one try without retries: when it
 * fails, a warning says so and the current token goes on until it runs
 * out (tried again a second later), so that a blip of the token endpoint
 * does not fail runs whose token still works (one cancelled with the
 * request it was for, a dropped guess or a stop, is no failure: no
 * warning, and the next request tries again). A token that ran out or was
 * refused is renewed with the retries, and its failure fails the request.
 *
 * Failure: the token endpoint's failure after its retries, a refusal (a
 * 4xx: "invalid_client (...)"), or an answer that is not a usable token,
 * as "OAuth2 token from URL: reason" with the URL redacted; never the
 * secret or a token (the server's error_description is cleared of the
 * secret, should it echo it).
 *
 * Owns: the token's header line; the stream_conf_t is borrowed (the
 * config outlives it). Each token request uses a client of its own,
 * made and freed for it (http_global_init first). Thread-safe:
 * a mutex guards the token, held while a new one is fetched (the one
 * fetch serves every waiting thread). Create and destroy on one thread.
 */
#ifndef TIDEMARK_OAUTH2_H
#define TIDEMARK_OAUTH2_H

#include "compiler.h"
#include <stddef.h>

#include "config.h"
#include "http.h"

typedef struct oauth2 oauth2_t;

/* For sc (its auth.oauth2.* keys set: config.h). NULL with errstr on
 * ENOMEM. No request is made here. */
oauth2_t *oauth2_new(const stream_conf_t *sc, char *errstr, size_t errstr_size);

void oauth2_destroy(oauth2_t *o);

/* The auth source to hand to http_client_for_stream; NULL for NULL. Lives
 * as long as o. */
const http_auth_t *oauth2_auth(oauth2_t *o);

#endif
