/*
 * basic_auth.h - the HTTP Basic credentials header (RFC 7617):
 * "Authorization: Basic " and the standard base64 (with '=' padding) of
 * the user-pass bytes as given. The OAuth2 client (oauth2_token.h) passes
 * its form-encoded id and secret; the Schema Registry client
 * (schema_registry.h) its basic.auth.user.info as is.
 *
 * Owns nothing: a pure function over the caller's bytes; any thread.
 * Fails only on ENOMEM (NULL). The result holds the secret: never log it.
 */
#ifndef TIDEMARK_BASIC_AUTH_H
#define TIDEMARK_BASIC_AUTH_H

#include <stddef.h>

/* "Authorization: Basic <base64(user_pass[0..len))>"; caller frees. */
char *basic_auth_header(const char *user_pass, size_t len);

#endif
