/*
 * admin.c - the demo API's /admin endpoints: change the data, inject
 * faults, look at everything.
 *
 *   POST /admin/update?ids=1,5,9[&at=ISO|max]   or  ?count=N
 *   POST /admin/create?count=N[&at=...]
 *   POST /admin/delete?ids=..[&at=...]
 *   POST /admin/soft-delete?ids=..[&at=...]
 *   POST /admin/restore?ids=..[&at=...]   (hard-deleted ids come back)
 *   POST /admin/fault?status=500&count=3[&delay_ms=D][&after=N][&target=token]
 *        [&retry_after=S]
 *        (after N more data requests answered normally; target=token: the
 *        requests of /oauth/token instead of the data endpoints;
 *        retry_after: each faulted answer says Retry-After: S)
 *   POST /admin/revoke-tokens   (oauth.c: every token issued is refused)
 *   GET  /admin/records | /admin/deleted | /admin/stats
 *
 * `at` defaults to the data clock + 1 s; `max` is the live set's largest
 * cursor (a change that ties with records already served).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "isotime.h"

#define ADMIN_MAX_COUNT 10000000L

typedef enum { OP_UPDATE, OP_SOFT_DELETE, OP_DELETE, OP_RESTORE } change_op_t;

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return a < b ? -1 : a > b;
}

/* "1,5,cus_000009" -> sorted ids without duplicates (*ids malloc'ed). */
static int parse_ids(const char *s, int64_t **ids, size_t *n, char *errstr, size_t errstr_size)
{
    size_t cap = 1, k = 0;
    char *copy, *tok, *save = NULL;

    for (const char *p = s; *p; p++)
        cap += *p == ',';
    copy = strdup(s);
    *ids = malloc(cap * sizeof(**ids));
    if (!copy || !*ids) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (customer_parse_id(tok, &(*ids)[k])) {
            snprintf(errstr, errstr_size, "ids: bad id \"%s\"", tok);
            goto fail;
        }
        k++;
    }
    if (k == 0) {
        snprintf(errstr, errstr_size, "ids: empty list");
        goto fail;
    }
    qsort(*ids, k, sizeof(**ids), cmp_i64);
    *n = 0;
    for (size_t i = 0; i < k; i++)
        if (*n == 0 || (*ids)[*n - 1] != (*ids)[i])
            (*ids)[(*n)++] = (*ids)[i];
    free(copy);
    return 0;
fail:
    free(copy);
    free(*ids);
    *ids = NULL;
    return -1;
}

/* at=ISO | at=max | absent (data clock + 1 s). Called with the lock held. */
static int resolve_at(server_t *srv, struct MHD_Connection *conn, int64_t *at, char *errstr,
                      size_t errstr_size)
{
    const char *s = query_arg(conn, "at");
    int present;

    if (s && !strcmp(s, "max")) {
        *at = dataset_max_cursor(srv->ds);
        return 0;
    }
    if (query_time(conn, "at", at, &present, errstr, errstr_size))
        return -1;
    if (!present)
        *at = dataset_now(srv->ds) + 1000;
    return 0;
}

/* {"ids":[...],"count":N,"at":"ISO"} */
static reply_t change_reply(server_t *srv, const int64_t *ids, size_t n, int64_t first, int64_t at)
{
    char ts[ISOTIME_BUFSIZE];
    jbuf_t b;

    isotime_format(at, ts, sizeof(ts));
    jbuf_init(&b);
    jbuf_raw(&b, "{\"ids\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            jbuf_raw(&b, ",");
        render_id(&b, srv->render.string_ids, ids ? ids[i] : first + (int64_t)i);
    }
    jbuf_printf(&b, "],\"count\":%zu,\"at\":\"%s\"}", n, ts);
    return reply_take(200, &b);
}

static int apply_change(server_t *srv, change_op_t op, const int64_t *ids, size_t n, int64_t at,
                        char *err, size_t err_size)
{
    switch (op) {
    case OP_UPDATE:
        return dataset_update(srv->ds, ids, n, at, err, err_size);
    case OP_SOFT_DELETE:
        return dataset_soft_delete(srv->ds, ids, n, at, err, err_size);
    case OP_DELETE:
        return dataset_delete(srv->ds, ids, n, at, err, err_size);
    case OP_RESTORE:
        return dataset_restore(srv->ds, ids, n, at, err, err_size);
    }
    return -1;
}

/* update (ids or count), soft-delete, delete, restore */
static reply_t post_change(server_t *srv, struct MHD_Connection *conn, change_op_t op)
{
    char err[512];
    const char *ids_s = query_arg(conn, "ids");
    int64_t *ids = NULL, at;
    size_t n = 0;
    long count = 0;
    reply_t r;

    if (ids_s) {
        if (parse_ids(ids_s, &ids, &n, err, sizeof(err)))
            return reply_error(400, "%s", err);
    } else if (op != OP_UPDATE || !query_arg(conn, "count")) {
        return reply_error(400, op == OP_UPDATE ? "ids or count required" : "ids required");
    } else if (query_long(conn, "count", 1, ADMIN_MAX_COUNT, 1, &count, err, sizeof(err))) {
        return reply_error(400, "%s", err);
    } else if (!(ids = malloc((size_t)count * sizeof(*ids)))) {
        return reply_error(500, "out of memory");
    }
    pthread_mutex_lock(&srv->lock);
    if (count)
        n = dataset_pick(srv->ds, (size_t)count, ids);
    if (resolve_at(srv, conn, &at, err, sizeof(err)) ||
        apply_change(srv, op, ids, n, at, err, sizeof(err)))
        r = reply_error(400, "%s", err);
    else
        r = change_reply(srv, ids, n, 0, at);
    pthread_mutex_unlock(&srv->lock);
    free(ids);
    return r;
}

static reply_t post_create(server_t *srv, struct MHD_Connection *conn)
{
    char err[512];
    long count;
    int64_t at, first;
    reply_t r;

    if (query_long(conn, "count", 1, ADMIN_MAX_COUNT, 1, &count, err, sizeof(err)))
        return reply_error(400, "%s", err);
    pthread_mutex_lock(&srv->lock);
    if (resolve_at(srv, conn, &at, err, sizeof(err)) ||
        dataset_create(srv->ds, (size_t)count, at, &first, err, sizeof(err)))
        r = reply_error(400, "%s", err);
    else
        r = change_reply(srv, NULL, (size_t)count, first, at);
    pthread_mutex_unlock(&srv->lock);
    return r;
}

/* status=0 (or absent) with a delay only delays; count=0 clears. */
static reply_t post_fault(server_t *srv, struct MHD_Connection *conn)
{
    char err[512];
    long status, count, delay, after, retry_after;
    jbuf_t b;

    if (query_long(conn, "status", 0, 599, 0, &status, err, sizeof(err)) ||
        query_long(conn, "count", 0, ADMIN_MAX_COUNT, 1, &count, err, sizeof(err)) ||
        query_long(conn, "delay_ms", 0, 3600000L, 0, &delay, err, sizeof(err)) ||
        query_long(conn, "after", 0, ADMIN_MAX_COUNT, 0, &after, err, sizeof(err)) ||
        query_long(conn, "retry_after", 0, 86400L, 0, &retry_after, err, sizeof(err)))
        return reply_error(400, "%s", err);
    if (status && status < 100)
        return reply_error(400, "status: expected 100..599");
    if (!status && !delay && count)
        return reply_error(400, "status or delay_ms required");
    const char *target = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "target");
    if (target && strcmp(target, "data") && strcmp(target, "token"))
        return reply_error(400, "target: expected data or token");
    pthread_mutex_lock(&srv->lock);
    srv->fault_status = (int)status;
    srv->fault_count = count;
    srv->fault_delay_ms = delay;
    srv->fault_after = after;
    srv->fault_retry_after_s = retry_after;
    srv->fault_token = target && !strcmp(target, "token");
    pthread_mutex_unlock(&srv->lock);
    jbuf_init(&b);
    jbuf_printf(&b, "{\"status\":%ld,\"count\":%ld,\"delay_ms\":%ld}", status, count, delay);
    return reply_take(200, &b);
}

/* Every live record, soft-deleted included, by id. */
static reply_t get_all_records(server_t *srv)
{
    jbuf_t b;
    int64_t max_id;

    jbuf_init(&b);
    pthread_mutex_lock(&srv->lock);
    max_id = dataset_max_id(srv->ds);
    render_open(&b, srv->conf.records_path);
    for (int64_t id = 1; id <= max_id; id++) {
        const customer_t *c = dataset_by_id(srv->ds, id);
        if (c)
            render_customer(&b, &srv->render, c);
    }
    pthread_mutex_unlock(&srv->lock);
    render_close(&b, srv->conf.records_path, NULL);
    return reply_take(200, &b);
}

static reply_t get_all_deleted(server_t *srv)
{
    const dataset_deleted_t *del;
    size_t n;
    jbuf_t b;

    jbuf_init(&b);
    pthread_mutex_lock(&srv->lock);
    del = dataset_deleted(srv->ds, &n);
    render_open(&b, srv->conf.records_path);
    for (size_t i = 0; i < n; i++)
        render_deleted(&b, &srv->render, &del[i]);
    pthread_mutex_unlock(&srv->lock);
    render_close(&b, srv->conf.records_path, NULL);
    return reply_take(200, &b);
}

static reply_t get_stats(server_t *srv)
{
    char now[ISOTIME_BUFSIZE];
    jbuf_t b;

    jbuf_init(&b);
    pthread_mutex_lock(&srv->lock);
    isotime_format(dataset_now(srv->ds), now, sizeof(now));
    jbuf_printf(&b,
                "{\"requests\":%" PRIu64 ",\"records_served\":%" PRIu64
                ",\"records\":%zu,\"now\":\"%s\",\"faults_pending\":%ld,\"tokens_issued\":%" PRIu64
                ",\"token_refusals\":%" PRIu64 ",\"unauthorized\":%" PRIu64 ",\"last_scope\":",
                srv->requests, srv->records_served, dataset_count(srv->ds), now, srv->fault_count,
                srv->tokens_issued, srv->token_refusals, srv->unauthorized);
    jbuf_string(&b, srv->last_scope);
    jbuf_raw(&b, "}");
    pthread_mutex_unlock(&srv->lock);
    return reply_take(200, &b);
}

static reply_t post_revoke_tokens(server_t *srv, struct MHD_Connection *conn)
{
    (void)conn;
    oauth_revoke(srv);
    jbuf_t b;
    jbuf_init(&b);
    jbuf_raw(&b, "{\"revoked\":true}");
    return reply_take(200, &b);
}

static reply_t post_update(server_t *srv, struct MHD_Connection *conn)
{
    return post_change(srv, conn, OP_UPDATE);
}

static reply_t post_soft_delete(server_t *srv, struct MHD_Connection *conn)
{
    return post_change(srv, conn, OP_SOFT_DELETE);
}

static reply_t post_delete(server_t *srv, struct MHD_Connection *conn)
{
    return post_change(srv, conn, OP_DELETE);
}

static reply_t post_restore(server_t *srv, struct MHD_Connection *conn)
{
    return post_change(srv, conn, OP_RESTORE);
}

static reply_t get_all_records_h(server_t *srv, struct MHD_Connection *conn)
{
    (void)conn;
    return get_all_records(srv);
}

static reply_t get_all_deleted_h(server_t *srv, struct MHD_Connection *conn)
{
    (void)conn;
    return get_all_deleted(srv);
}

static reply_t get_stats_h(server_t *srv, struct MHD_Connection *conn)
{
    (void)conn;
    return get_stats(srv);
}

reply_t admin_handle(server_t *srv, struct MHD_Connection *conn, const char *method,
                     const char *path)
{
    static const struct {
        const char *path;
        int post; /* else GET (or HEAD) */
        reply_t (*fn)(server_t *, struct MHD_Connection *);
    } routes[] = {
        {"update", 1, post_update},        {"soft-delete", 1, post_soft_delete},
        {"delete", 1, post_delete},        {"create", 1, post_create},
        {"restore", 1, post_restore},      {"fault", 1, post_fault},
        {"records", 0, get_all_records_h}, {"deleted", 0, get_all_deleted_h},
        {"stats", 0, get_stats_h},         {"revoke-tokens", 1, post_revoke_tokens},
    };
    int post = !strcmp(method, "POST");
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");

    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (strcmp(path, routes[i].path))
            continue;
        if (routes[i].post ? post : get)
            return routes[i].fn(srv, conn);
        return reply_error(405, "/admin/%s: method %s not allowed (use %s)", path, method,
                           routes[i].post ? "POST" : "GET");
    }
    return reply_error(404, "no such resource: /admin/%s", path);
}
