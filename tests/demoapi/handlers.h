/*
 * handlers.h - what the HTTP handlers share inside the demo API: the
 * server's state, the reply type and the query-parameter helpers.
 * Internal to tests/demoapi (server.c: daemon and data endpoints;
 * admin.c: /admin/...; oauth.c: /oauth/token and the tokens).
 *
 * Every handler runs on a libmicrohttpd thread and holds srv->lock while
 * it touches the dataset, the counters or the faults.
 */
#ifndef TIDEMARK_DEMOAPI_HANDLERS_H
#define TIDEMARK_DEMOAPI_HANDLERS_H

#include "compiler.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "dataset.h"
#include "render.h"
#include "server.h"

#define DEMO_MAX_TOKENS 1024

typedef struct {
    char token[64];
    int64_t expires_ms; /* monotonic */
} oauth_token_t;

struct server {
    server_conf_t conf;
    render_conf_t render;
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock; /* guards everything below */
    dataset_t *ds;
    uint64_t requests;       /* data endpoint requests */
    uint64_t records_served; /* records in data endpoint bodies */
    int fault_status;        /* 0 = answer normally */
    long fault_delay_ms;
    long fault_retry_after_s;              /* a faulted answer's Retry-After (seconds), 0: none */
    long fault_count;                      /* data requests the fault still applies to */
    long fault_after;                      /* data requests answered normally before it */
    int fault_token;                       /* the faults go to /oauth/token instead of the data */
    oauth_token_t tokens[DEMO_MAX_TOKENS]; /* issued (a ring), oauth.c */
    size_t n_tokens;                       /* issued since the last revoke */
    uint64_t tokens_issued;
    uint64_t token_refusals; /* token requests answered 4xx */
    uint64_t unauthorized;   /* data requests answered 401 */
    char last_scope[256];    /* of the last token request */
};

/* A response: status and a malloc'ed JSON body (NULL = out of memory). */
typedef struct {
    unsigned int status;
    char *body;
    size_t len;
    const char *authenticate; /* a WWW-Authenticate value (static), or NULL */
    long retry_after_s;       /* a Retry-After (seconds), or 0 for none */
} reply_t;

reply_t reply_error(unsigned int status, const char *fmt, ...) TM_PRINTF(2, 3);
/* Takes b's contents (b is left empty). */
reply_t reply_take(unsigned int status, jbuf_t *b);

/* The query parameter, URL-decoded, or NULL when absent. */
const char *query_arg(struct MHD_Connection *conn, const char *name);

/*
 * Integer parameter: absent -> *out = def. Returns 0, or -1 with errstr
 * ("per_page: expected an integer in 1..1000") when malformed.
 */
int query_long(struct MHD_Connection *conn, const char *name, long min, long max, long def,
               long *out, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/*
 * ISO-8601 parameter: absent -> *present = 0. A '+' of an offset arrives
 * as a space when the client did not encode it; that is repaired.
 */
int query_time(struct MHD_Connection *conn, const char *name, int64_t *ms, int *present,
               char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* oauth.c: whether --oauth2-client was given; POST /oauth/token (body:
 * the request's, NUL-terminated); whether a data request carries a valid
 * token (else *refusal is the 401 to send); forgetting every token. */
int oauth_enabled(const server_t *srv);
reply_t oauth_token(server_t *srv, struct MHD_Connection *conn, const char *method,
                    const char *body);
int oauth_authorized(server_t *srv, struct MHD_Connection *conn, reply_t *refusal);
void oauth_revoke(server_t *srv);

/* Routes /admin/<what>; path is what follows "/admin/". */
reply_t admin_handle(server_t *srv, struct MHD_Connection *conn, const char *method,
                     const char *path);

#endif
