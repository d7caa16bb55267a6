/*
 * stats_metrics.c - the producer's metrics endpoint (see stats_metrics.h).
 */
#include "stats_metrics.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "metrics_http.h"
#include "metrics_kafka.h"
#include "stats.h"

/* /healthz: the main loop beats after every page, run and wait slice;
 * what may pass between two beats is one HTTP request (its timeout) or
 * one Kafka call. */
#define STALE_BASE_MS (5 * 60 * 1000LL)

struct producer_metrics {
    metrics_server_t *server;
    rd_kafka_t *probe;
};

static const char *const run_modes[2] = {"incremental", "full"};
static const char *const run_statuses[2] = {"completed", "failed"};

static void render_published(metrics_text_t *t, const producer_stream_totals_t *st, size_t n)
{
    metrics_text_family(t, "tidemark_producer_records_published_total", "counter",
                        "Change events published, by stream and operation (a delete's "
                        "tombstone is not counted).");
    for (size_t i = 0; i < n; i++) {
        metrics_label_t l[2] = {{"stream", st[i].name}, {"op", "upsert"}};
        metrics_text_sample(t, "tidemark_producer_records_published_total", l, 2,
                            (double)st[i].counts.upserts);
        l[1].value = "delete";
        metrics_text_sample(t, "tidemark_producer_records_published_total", l, 2,
                            (double)st[i].counts.deletes);
    }
}

static void render_runs(metrics_text_t *t, const producer_stream_totals_t *st, size_t n)
{
    metrics_text_family(t, "tidemark_producer_runs_total", "counter",
                        "Runs that ended, by stream, mode (full, incremental) and status "
                        "(completed, failed).");
    for (size_t i = 0; i < n; i++)
        for (int full = 0; full < 2; full++)
            for (int failed = 0; failed < 2; failed++) {
                metrics_label_t l[3] = {{"stream", st[i].name},
                                        {"mode", run_modes[full]},
                                        {"status", run_statuses[failed]}};
                metrics_text_sample(t, "tidemark_producer_runs_total", l, 3,
                                    (double)st[i].runs[full][failed]);
            }
    metrics_text_family(t, "tidemark_producer_last_success_timestamp_seconds", "gauge",
                        "When the stream's last completed run ended (0: none since start).");
    for (size_t i = 0; i < n; i++) {
        metrics_label_t l = {"stream", st[i].name};
        metrics_text_sample(t, "tidemark_producer_last_success_timestamp_seconds", &l, 1,
                            (double)st[i].last_success_ms / 1000.0);
    }
    metrics_text_family(t, "tidemark_producer_hwm_timestamp_seconds", "gauge",
                        "The high-water mark of the stream's last run record (streams with "
                        "one).");
    for (size_t i = 0; i < n; i++) {
        metrics_label_t l = {"stream", st[i].name};
        if (st[i].has_hwm)
            metrics_text_sample(t, "tidemark_producer_hwm_timestamp_seconds", &l, 1,
                                (double)st[i].hwm_ms / 1000.0);
    }
}

/* A counter family of one producer_stats_t field (its offset), a
 * sample per stream. */
static void render_stream_count(metrics_text_t *t, const char *name, const char *help,
                                const producer_stream_totals_t *st, size_t n, size_t field)
{
    metrics_text_family(t, name, "counter", help);
    for (size_t i = 0; i < n; i++) {
        metrics_label_t l = {"stream", st[i].name};
        const char *counts = (const char *)&st[i].counts;
        int64_t v;
        memcpy(&v, counts + field, sizeof(v));
        metrics_text_sample(t, name, &l, 1, (double)v);
    }
}

/* Guesses cost requests of the API's: made less taken were asked for
 * nothing (a wrong guess, the one after a walk's last page, a stop). */
static void render_guesses(metrics_text_t *t, const producer_stream_totals_t *st, size_t n)
{
    render_stream_count(t, "tidemark_producer_page_guesses_total",
                        "Next pages asked on a guess while the page before was parsed "
                        "(pages of 256 KiB and more).",
                        st, n, offsetof(producer_stats_t, page_guesses));
    render_stream_count(t, "tidemark_producer_page_guesses_taken_total",
                        "Of the pages asked on a guess, those whose answer the walk took; the "
                        "others were asked for nothing.",
                        st, n, offsetof(producer_stats_t, guesses_taken));
}

static void render_http(metrics_text_t *t, const producer_stream_totals_t *st, size_t n,
                        const metrics_histogram_t *h)
{
    metrics_text_family(t, "tidemark_http_requests_total", "counter",
                        "Answers of the APIs, every attempt and redirect hop, by stream and "
                        "status code (error: none came; other: past the codes counted apart).");
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < st[i].n_http; c++) {
            char code[24];
            long v = st[i].http[c].code;
            snprintf(code, sizeof(code), "%ld", v);
            metrics_label_t l[2] = {{"stream", st[i].name},
                                    {"code", v == 0  ? "error"
                                             : v < 0 ? "other"
                                                     : code}};
            metrics_text_sample(t, "tidemark_http_requests_total", l, 2, (double)st[i].http[c].n);
        }
    metrics_text_family(t, "tidemark_http_request_duration_seconds", "histogram",
                        "How long the API requests took, answered or not.");
    metrics_text_histogram(t, "tidemark_http_request_duration_seconds", NULL, 0, h);
}

void producer_metrics_render(void *ctx, metrics_text_t *out)
{
    (void)ctx;
    producer_stream_totals_t *st = NULL;
    size_t n = 0;
    metrics_histogram_t http;
    if (producer_stats_streams(&st, &n, &http) != 0)
        return; /* out of memory: the server answers with what it has */
    producer_stats_t all;
    producer_stats_snapshot(&all);
    render_published(out, st, n);
    render_runs(out, st, n);
    render_guesses(out, st, n);
    render_http(out, st, n, &http);
    metrics_text_family(out, "tidemark_dlq_records_total", "counter",
                        "Records sent to the dead-letter topic, by stage.");
    metrics_label_t stage = {"stage", "producer"};
    metrics_text_sample(out, "tidemark_dlq_records_total", &stage, 1, (double)all.dead_lettered);
    free(st);
}

static int producer_ready(void *ctx, char *why, size_t why_size)
{
    producer_metrics_t *m = ctx;
    if (!metrics_kafka_reachable(m->probe, why, why_size))
        return 0;
    producer_stream_totals_t *st = NULL;
    size_t n = 0;
    if (producer_stats_streams(&st, &n, NULL) != 0) {
        errstr_set(why, why_size, "out of memory");
        return 0;
    }
    int ready = 1;
    for (size_t i = 0; i < n && ready; i++)
        if (st[i].last_failed) {
            errstr_set(why, why_size, "stream %s: %s", st[i].name,
                       st[i].last_failed == LAST_FAILED_CHECKPOINT
                           ? "its checkpoint could not be read"
                       : st[i].last_failed == LAST_FAILED_LOCK
                           ? "its run could not start: its run lock could not be taken"
                           : "its last run failed");
            ready = 0;
        }
    free(st);
    return ready;
}

int producer_metrics_start(const tm_config_t *conf, const stream_set_t *set,
                           producer_metrics_t **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (!conf->producer_metrics_listen)
        return 0;
    producer_metrics_t *m = calloc(1, sizeof(*m));
    if (!m) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int64_t stale_ms = STALE_BASE_MS;
    for (size_t i = 0; i < set->n; i++) {
        producer_stats_stream(set->items[i].sc->name);
        if (stale_ms < STALE_BASE_MS + 2 * set->items[i].sc->timeout_ms)
            stale_ms = STALE_BASE_MS + 2 * set->items[i].sc->timeout_ms;
    }
    m->probe = metrics_kafka_probe_new(conf, "tidemark-producer-health", errstr, errstr_size);
    metrics_source_t src = {producer_metrics_render, producer_ready, m, stale_ms};
    if (m->probe)
        m->server = metrics_server_start(conf->producer_metrics_listen, &src, errstr, errstr_size);
    if (!m->server) {
        producer_metrics_stop(m);
        return -1;
    }
    *out = m;
    return 0;
}

void producer_metrics_stop(producer_metrics_t *m)
{
    if (!m)
        return;
    metrics_server_stop(m->server);
    if (m->probe)
        rd_kafka_destroy(m->probe);
    free(m);
}
