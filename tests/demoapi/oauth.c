/*
 * oauth.c - the demo API's OAuth2 side, on when --oauth2-client ID:SECRET
 * is given:
 *
 *   POST /oauth/token   client credentials grant (RFC 6749 4.4): HTTP
 *        Basic with the form-encoded id and secret, a form body with
 *        grant_type=client_credentials[&scope=...]. 200 {"access_token",
 *        "token_type":"Bearer","expires_in":--oauth2-ttl}; 401
 *        {"error":"invalid_client"} for a bad or missing client; 400
 *        invalid_request / unsupported_grant_type.
 *   the data endpoints then need "Authorization: Bearer <a token issued
 *        and not expired>", else 401 with WWW-Authenticate: Bearer
 *        error="invalid_token".
 *   POST /admin/revoke-tokens  forgets every token issued (admin.c routes
 *        it); GET /admin/stats shows tokens_issued, token_refusals,
 *        unauthorized (401s of the data endpoints) and last_scope.
 *
 * Runs on libmicrohttpd's threads under srv->lock (handlers.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "isotime.h"
#include "random.h"

#define BEARER_CHALLENGE "Bearer realm=\"demo\", error=\"invalid_token\""

int oauth_enabled(const server_t *srv)
{
    return srv->conf.oauth2_client != NULL;
}

static int b64val(int c)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(a, c) : NULL;
    return p ? (int)(p - a) : -1;
}

/* Base64 (padding required) of s into out (size bytes); -1 if malformed. */
static int b64_decode(const char *s, char *out, size_t size)
{
    size_t n = strlen(s), o = 0;
    if (n % 4)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' && i + 4 == n && k >= 2 ? 0 : b64val((unsigned char)s[i + k]);
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || o + 3 >= size)
            return -1;
        unsigned w =
            (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        out[o++] = (char)(w >> 16);
        if (s[i + 2] != '=')
            out[o++] = (char)(w >> 8);
        if (s[i + 3] != '=')
            out[o++] = (char)w;
    }
    out[o] = '\0';
    return 0;
}

/* Form-decodes s[0..n) into out in place semantics ('+' = space). */
static void form_decode(const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
                   isxdigit((unsigned char)s[i + 2])) {
            char hx[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hx, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
}

/* The form field name of body, decoded into out; 0 if present. */
static int form_field(const char *body, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
            form_decode(p + nl + 1, len - nl - 1, out, size);
            return 0;
        }
    }
    return -1;
}

/* Whether the Basic credentials name the configured client. */
static int client_ok(server_t *srv, struct MHD_Connection *conn)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    char pair[1024], id[512], secret[512];
    if (!h || strncasecmp(h, "Basic ", 6) || b64_decode(h + 6, pair, sizeof(pair)))
        return 0;
    char *colon = strchr(pair, ':');
    if (!colon)
        return 0;
    form_decode(pair, (size_t)(colon - pair), id, sizeof(id));
    form_decode(colon + 1, strlen(colon + 1), secret, sizeof(secret));
    const char *want = srv->conf.oauth2_client, *wc = strchr(want, ':');
    return wc && strlen(id) == (size_t)(wc - want) && !strncmp(id, want, (size_t)(wc - want)) &&
           !strcmp(secret, wc + 1);
}

static reply_t issue(server_t *srv)
{
    char tok[64];
    snprintf(tok, sizeof(tok), "demo-%08x%08x%08x", random_u32(), random_u32(), random_u32());
    pthread_mutex_lock(&srv->lock);
    oauth_token_t *t = &srv->tokens[srv->n_tokens++ % DEMO_MAX_TOKENS];
    snprintf(t->token, sizeof(t->token), "%s", tok);
    t->expires_ms = isotime_monotonic_ms() + srv->conf.oauth2_ttl_s * 1000;
    srv->tokens_issued++;
    pthread_mutex_unlock(&srv->lock);
    jbuf_t b;
    jbuf_init(&b);
    jbuf_printf(&b, "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":%ld}", tok,
                srv->conf.oauth2_ttl_s);
    return reply_take(200, &b);
}

static reply_t refuse(server_t *srv, unsigned status, const char *error, const char *desc)
{
    pthread_mutex_lock(&srv->lock);
    srv->token_refusals++;
    pthread_mutex_unlock(&srv->lock);
    jbuf_t b;
    jbuf_init(&b);
    jbuf_raw(&b, "{\"error\":");
    jbuf_string(&b, error);
    jbuf_raw(&b, ",\"error_description\":");
    jbuf_string(&b, desc);
    jbuf_raw(&b, "}");
    reply_t r = reply_take(status, &b);
    if (status == 401)
        r.authenticate = "Basic realm=\"demo\"";
    return r;
}

reply_t oauth_token(server_t *srv, struct MHD_Connection *conn, const char *method,
                    const char *body)
{
    char grant[64], scope[256];
    if (!oauth_enabled(srv))
        return reply_error(404, "no such resource: /oauth/token (start with --oauth2-client)");
    if (strcmp(method, "POST"))
        return reply_error(405, "/oauth/token: method %s not allowed (use POST)", method);
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33))
        return refuse(srv, 400, "invalid_request", "the body must be form-encoded");
    if (!client_ok(srv, conn))
        return refuse(srv, 401, "invalid_client", "client authentication failed");
    if (form_field(body, "grant_type", grant, sizeof(grant)) || strcmp(grant, "client_credentials"))
        return refuse(srv, 400, "unsupported_grant_type", "only client_credentials");
    pthread_mutex_lock(&srv->lock);
    if (form_field(body, "scope", scope, sizeof(scope)))
        scope[0] = '\0';
    snprintf(srv->last_scope, sizeof(srv->last_scope), "%s", scope);
    pthread_mutex_unlock(&srv->lock);
    return issue(srv);
}

int oauth_authorized(server_t *srv, struct MHD_Connection *conn, reply_t *refusal)
{
    if (!oauth_enabled(srv))
        return 1;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    int ok = 0;
    int64_t now = isotime_monotonic_ms();
    pthread_mutex_lock(&srv->lock);
    size_t n = srv->n_tokens < DEMO_MAX_TOKENS ? srv->n_tokens : DEMO_MAX_TOKENS;
    for (size_t i = 0; h && !strncasecmp(h, "Bearer ", 7) && i < n && !ok; i++)
        ok = !strcmp(srv->tokens[i].token, h + 7) && now < srv->tokens[i].expires_ms;
    if (!ok)
        srv->unauthorized++;
    pthread_mutex_unlock(&srv->lock);
    if (!ok) {
        *refusal = reply_error(401, "invalid_token: missing, unknown or expired");
        refusal->authenticate = BEARER_CHALLENGE;
    }
    return ok;
}

void oauth_revoke(server_t *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->n_tokens = 0;
    memset(srv->tokens, 0, sizeof(srv->tokens));
    pthread_mutex_unlock(&srv->lock);
}
