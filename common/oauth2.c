/*
 * oauth2.c - a stream's token and its renewal (see oauth2.h).
 */
#include "oauth2.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "isotime.h"
#include "log.h"
#include "oauth2_token.h"
#include "url_redact.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

/* After a failed early renewal, the wait before the next try: the token
 * still works, and a try per request would slow every page down. */
#define EARLY_RETRY_MS 1000

struct oauth2 {
    http_auth_t auth; /* opaque = this */
    const stream_conf_t *sc;
    pthread_mutex_t lock; /* guards everything below */
    char *line;           /* "Authorization: Bearer <token>", or NULL: none yet */
    int64_t obtained_ms;  /* monotonic, when it was asked for */
    int64_t expires_in_ms;
    int64_t early_retry_at; /* monotonic: no early renewal before it */
};

/* The answer of the token endpoint into o's token. 0, or -1 with why. */
static int take_token(oauth2_t *o, const http_response_t *resp, int64_t asked_at, char *why,
                      size_t why_size)
{
    oauth2_token_t t;
    if (oauth2_token_parse(resp->body, resp->body_len, &t, why, why_size) != 0)
        return -1;
    static const char prefix[] = "Authorization: Bearer ";
    char *line = malloc(sizeof(prefix) + strlen(t.access_token));
    if (!line) {
        oauth2_token_clear(&t);
        errstr_set(why, why_size, "out of memory");
        return -1;
    }
    sprintf(line, "%s%s", prefix, t.access_token);
    free(o->line);
    o->line = line;
    o->obtained_ms = asked_at;
    o->expires_in_ms = t.expires_in_ms;
    oauth2_token_clear(&t);
    return 0;
}

/* The request itself on a client of its own (the stream's limits, no
 * auth, max_retries). 0 with resp, or -1 with why (a refusal's reason
 * added). */
static int request_token(const oauth2_t *o, int max_retries, const atomic_int *cancel,
                         http_response_t *resp, char *why, size_t why_size)
{
    const stream_conf_t *sc = o->sc;
    http_client_t *hc = http_client_new(NULL, sc->timeout_ms, max_retries, why, why_size);
    if (!hc)
        return -1;
    http_client_set_limits(hc, sc->retry_max_wait_ms, sc->max_response_size);
    http_client_set_cancel(hc, cancel);
    http_client_set_stream(hc, sc->name);
    char *basic = oauth2_basic_header(sc->oauth2_client_id, sc->oauth2_client_secret);
    char *body = oauth2_request_body(sc->oauth2_scope);
    int rc = -1;
    if (!basic || !body)
        errstr_set(why, why_size, "out of memory");
    else
        rc = http_post(hc, sc->oauth2_token_url, FORM_TYPE, body, basic, resp, why, why_size);
    if (rc != 0 && resp->status >= 400) {
        /* the secret as the Basic header carried it (base64 of id:secret,
         * which decodes straight back) and as configured: the longer first,
         * lest the secret's own match break the base64's */
        const char *basic_b64 = basic ? strstr(basic, "Basic ") : NULL;
        const char *secrets[] = {basic_b64 ? basic_b64 + 6 : sc->oauth2_client_secret,
                                 basic_b64 ? sc->oauth2_client_secret : NULL, NULL};
        char said[512];
        oauth2_error_describe(resp->body, resp->body_len, secrets, said, sizeof(said));
        size_t n = strlen(why);
        if (said[0])
            errstr_set(why + n, why_size - n, ": %s", said);
    }
    free(basic);
    free(body);
    http_client_destroy(hc);
    return rc;
}

/* A new token into o (lock held). 0, or -1 with errstr (o keeps the token
 * it had). */
static int fetch(oauth2_t *o, int max_retries, const atomic_int *cancel, char *errstr,
                 size_t errstr_size)
{
    char why[1024] = "", red[512];
    http_response_t resp = {0};
    int64_t asked_at = isotime_monotonic_ms();
    int rc = request_token(o, max_retries, cancel, &resp, why, sizeof(why));
    if (rc == 0)
        rc = take_token(o, &resp, asked_at, why, sizeof(why));
    http_response_clear(&resp);
    url_redact(o->sc->oauth2_token_url, red, sizeof(red));
    if (rc != 0) {
        oauth2_scrub(why, o->sc->oauth2_client_secret);
        errstr_set(errstr, errstr_size, "OAuth2 token from %s: %s", red, why);
        return -1;
    }
    char qred[1200];
    log_info("oauth2 token obtained", "stream=%s token_url=%s expires_in_ms=%lld", o->sc->name,
             log_quote(qred, sizeof(qred), red), (long long)o->expires_in_ms);
    return 0;
}

/* An early renewal (lock held): one try, without retries. When it fails
 * the current token goes on until it runs out, tried again after
 * EARLY_RETRY_MS: a token endpoint's blip must not fail a run whose token
 * still works. */
static void renew_early(oauth2_t *o, const atomic_int *cancel, int64_t now)
{
    char err[1024], q[1100];
    if (now < o->early_retry_at || fetch(o, 0, cancel, err, sizeof(err)) == 0)
        return;
    /* cut short by the request it was for (a guessed page dropped,
     * producer/getahead.h; a stop): no failure of the token endpoint's,
     * and the next request renews */
    if (cancel && atomic_load(cancel)) {
        log_debug("oauth2 early renewal cancelled with its request", "stream=%s", o->sc->name);
        return;
    }
    o->early_retry_at = now + EARLY_RETRY_MS;
    log_warn("oauth2 early renewal failed; the current token still works", "stream=%s error=%s",
             o->sc->name, log_quote(q, sizeof(q), err));
}

/* http_auth_t.header: the current line, renewed when it is missing, has
 * run out or was refused (with the stream's retries: no request can go
 * without it), or early when due. */
static int header_now(void *opaque, const char *rejected, const atomic_int *cancel, char **line,
                      char *errstr, size_t errstr_size)
{
    oauth2_t *o = opaque;
    *line = NULL;
    pthread_mutex_lock(&o->lock);
    int64_t now = isotime_monotonic_ms();
    int rc = 0;
    if (!o->line || oauth2_expired(o->obtained_ms, o->expires_in_ms, now) ||
        (rejected && strcmp(rejected, o->line) == 0))
        rc = fetch(o, o->sc->max_retries, cancel, errstr, errstr_size);
    else if (oauth2_refresh_due(o->obtained_ms, o->expires_in_ms, now))
        renew_early(o, cancel, now);
    if (rc == 0 && !(*line = strdup(o->line))) {
        errstr_set(errstr, errstr_size, "out of memory");
        rc = -1;
    }
    pthread_mutex_unlock(&o->lock);
    return rc;
}

oauth2_t *oauth2_new(const stream_conf_t *sc, char *errstr, size_t errstr_size)
{
    oauth2_t *o = calloc(1, sizeof(*o));
    if (!o) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    o->sc = sc;
    o->auth = (http_auth_t){.header = header_now, .opaque = o};
    o->expires_in_ms = OAUTH2_EXPIRES_UNKNOWN;
    pthread_mutex_init(&o->lock, NULL);
    return o;
}

void oauth2_destroy(oauth2_t *o)
{
    if (!o)
        return;
    pthread_mutex_destroy(&o->lock);
    free(o->line);
    free(o);
}

const http_auth_t *oauth2_auth(oauth2_t *o)
{
    return o ? &o->auth : NULL;
}
