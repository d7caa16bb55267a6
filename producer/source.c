/*
 * source.c - the page reader: fetch, parse, records.path, and the
 * stream's pager for what comes next (see source.h, pager.h); and the
 * fetch thread that reads the next page while the caller handles the
 * current one.
 */
#include "source.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bodytext.h"
#include "daytz.h"
#include "errstr.h"
#include "getahead.h"
#include "isotime.h"
#include "log.h"
#include "pager.h"
#include "url_redact.h"
#include "utf8.h"

/* Pages a source holds: the one handed out and those read ahead. */
#define SOURCE_SLOTS 3
/* the fetch thread's stack (take_prefetched()) */
#define SOURCE_FETCH_STACK (8u << 20)
/* The smallest body whose next page is asked on a guess while it is
 * parsed (getahead.h): below it, parsing takes less than a request's
 * round trip, and a guess would mostly add the request at a walk's end
 * (follow mode's walks of a page or two, every poll). */
#define SOURCE_GUESS_MIN_BODY (256u << 10)

/* One page as the fetch step leaves it for the reader. */
typedef struct page_slot {
    jsonpage_t page;      /* body, records, bad items */
    char *url;            /* the page's URL */
    char *auth_line;      /* the auth line it was asked with (http_response_t) */
    int64_t api_now;      /* source_page_api_now() */
    source_asked_t asked; /* source_page_asked() */
    int rc;               /* 1: a page, 0: the walk is over, -1: failed (errstr) */
    char errstr[1024];
} page_slot_t;

struct source {
    const stream_conf_t *sc;
    http_client_t *hc;
    const pager_t *pager;
    /* The walk: the fetch thread's while it runs, else the caller's. */
    pager_walk_t walk;
    int done;
    int complete;           /* the walk ended by its end rule */
    int end_unproven;       /* ... but it may lack records (source_proves_all) */
    int error_warned;       /* records_with_error() spoke in this walk */
    int charset_warned;     /* warn_charset() spoke in this walk */
    int64_t started_at;     /* when its first request was sent; 0 before */
    int64_t api_started_at; /* source_api_started_at(); 0 before */
    page_slot_t slots[SOURCE_SLOTS];
    int cur; /* the slot handed out (its page is borrowed), or -1 */
    /* The fetch thread (prefetch), under mu: slots[head] and the n_ready
     * - 1 after it (a ring) hold the answers the reader takes next, in
     * order; the thread fills the one after them, never the slot before
     * head (the reader's). ended: the thread fetches no more; stop: the
     * reader wants it to end. */
    int head, n_ready;
    int prefetch; /* may use a fetch thread (see source.h) */
    int threaded; /* the thread runs (joined by source_stop) */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ended, stop;
    atomic_int cancel; /* http_client_set_cancel(): stop means now */
    /* the next page's GET on a guess (fetch thread only; NULL: none) */
    getahead_t *ahead;
    size_t guess_min; /* bodies from this size on */
    int guess_missed; /* this walk guessed wrong once: it guesses no more */
    /* since source_new (source_guess_counts): the fetch thread counts,
     * the reader reads between pages */
    atomic_long guesses, taken, misses;
};

static int fetch_answer(void *opaque, const char *url, int later_page, const atomic_int *cancel,
                        http_response_t *resp, int *past_end, char *errstr, size_t errstr_size);

source_t *source_new(const stream_conf_t *sc, http_client_t *hc)
{
    const pager_t *pager = pager_for(sc->pagination);
    if (!pager)
        return NULL;
    source_t *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        return NULL;
    }
    if (pthread_cond_init(&s->cv, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    s->sc = sc;
    s->hc = hc;
    s->pager = pager;
    s->walk.sc = sc;
    s->cur = -1;
    /* daytz.h sets TZ for a zone other than UTC: not from two threads */
    s->prefetch =
        !(sc->cursor_precision == CURSOR_PRECISION_DATE && !daytz_is_utc(sc->cursor_timezone));
    /* without one (ENOMEM) every page is requested once it is known */
    s->ahead = s->prefetch && pager->guess ? getahead_new(&s->cancel, fetch_answer, s) : NULL;
    s->guess_min = SOURCE_GUESS_MIN_BODY;
    return s;
}

/* Ends the fetch thread, if it runs: at once when it waits, within about
 * a second when it fetches or waits to retry (the cancel flag aborts
 * both). */
void source_stop(source_t *s)
{
    if (!s->threaded)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    atomic_store(&s->cancel, 1);
    if (s->ahead)
        getahead_cancel(s->ahead);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    http_client_set_cancel(s->hc, NULL);
    s->threaded = 0;
}

static void slot_clear(page_slot_t *slot)
{
    jsonpage_clear(&slot->page);
    free(slot->url);
    slot->url = NULL;
    free(slot->auth_line);
    slot->auth_line = NULL;
}

void source_destroy(source_t *s)
{
    if (!s)
        return;
    source_stop(s);
    getahead_destroy(s->ahead);
    for (int i = 0; i < SOURCE_SLOTS; i++)
        slot_clear(&s->slots[i]);
    pager_walk_clear(&s->walk);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void source_start(source_t *s, int has_since, int64_t since_ms)
{
    source_stop(s);
    s->cur = -1;
    s->head = s->n_ready = s->ended = s->stop = 0;
    atomic_store(&s->cancel, 0);
    pager_walk_reset(&s->walk, s->pager, has_since, since_ms);
    s->done = 0;
    s->complete = 0;
    s->end_unproven = 0;
    s->error_warned = 0;
    s->charset_warned = 0;
    s->guess_missed = 0;
    s->started_at = 0;
    s->api_started_at = 0;
}

void source_require_empty_end(source_t *s)
{
    s->walk.empty_end = 1;
}

void source_check_since(source_t *s)
{
    s->walk.check_since = 1;
}

void source_guess_from(source_t *s, size_t min_body)
{
    s->guess_min = min_body;
}

void source_guess_counts(const source_t *s, source_guesses_t *out)
{
    out->made = atomic_load(&s->guesses);
    out->taken = atomic_load(&s->taken);
    out->missed = atomic_load(&s->misses);
}

int source_complete(const source_t *s)
{
    return s->complete;
}

int source_proves_all(const source_t *s)
{
    return s->complete && !s->end_unproven;
}

int source_unproven(const source_t *s)
{
    return s->end_unproven;
}

int64_t source_started_at(const source_t *s)
{
    return s->started_at;
}

int64_t source_api_started_at(const source_t *s)
{
    return s->api_started_at;
}

int64_t source_api_mark(int64_t date_ms, int64_t sent_at_ms, int64_t answered_at_ms)
{
    if (date_ms <= 0)
        return sent_at_ms;
    int64_t took = answered_at_ms > sent_at_ms ? answered_at_ms - sent_at_ms : 0;
    int64_t mark = date_ms - 1000 - took;
    return mark < sent_at_ms ? mark : sent_at_ms;
}

int64_t source_api_now(int64_t date_ms, int64_t answered_at_ms)
{
    return date_ms > 0 ? date_ms + 1000 : answered_at_ms;
}

int64_t source_page_api_now(const source_t *s)
{
    return s->cur >= 0 ? s->slots[s->cur].api_now : isotime_now_ms();
}

int source_since_exclusive(const source_t *s)
{
    return s->walk.exclusive;
}

void source_set_since_exclusive(source_t *s)
{
    s->walk.exclusive = 1;
}

source_asked_t source_page_asked(const source_t *s)
{
    static const source_asked_t none = {0};
    return s->cur >= 0 ? s->slots[s->cur].asked : none;
}

void source_prefetch_item(const source_t *s, size_t index)
{
    if (s->cur >= 0)
        jsonpage_prefetch(&s->slots[s->cur].page, index);
}

size_t source_bad_items(const source_t *s, const jsonpage_bad_t **bad)
{
    if (s->cur < 0) {
        *bad = NULL;
        return 0;
    }
    *bad = s->slots[s->cur].page.bad;
    return s->slots[s->cur].page.n_bad;
}

/* Why the "error" or "errors" member of slot's answer cannot be read
 * (jsonpage.h: a bad value outside the records), or NULL. */
static const char *error_unreadable(const page_slot_t *slot)
{
    const char *why = jsonpage_unreadable_at(&slot->page, "error");
    return why ? why : jsonpage_unreadable_at(&slot->page, "errors");
}

/* why (a reason that may quote the answer's bytes: jsonpage.h quotes a
 * bad value's first 40) copied into buf, cleared of the credentials the
 * page's request sent: an API may echo the key it refuses outside any
 * JSON string ("<key> is disabled"). */
static const char *scrubbed_why(const source_t *s, const page_slot_t *slot, const char *why,
                                char *buf, size_t size)
{
    snprintf(buf, size, "%s", why);
    http_client_scrub(s->hc, slot->auth_line, slot->url, buf);
    return buf;
}

/* The "error" (or "errors") member of slot's answer as JSON text (the
 * caller frees it), or NULL; cleared of the credentials its request sent
 * (an API may quote the key it refuses): http_client_scrub, with the
 * line the page was asked with (a guessed request beside it may have
 * renewed the token since). One that cannot be read is said so, with
 * why. Where the walk fails or ends at this page, a guessed request under
 * way is dropped; where it goes on (walk_goes_on: records beside the
 * error), the guess is left alone. Dropped there, a right guess was asked
 * again, and an API whose next tokens serve once (a scroll) failed the
 * run with the next page's 400 (t_guess_kept_beside_errors); waited for,
 * a wrong one's retries held the walk (up to max.retries times
 * retry.max_wait). */
static char *error_words(source_t *s, const page_slot_t *slot, int walk_goes_on)
{
    if (s->ahead && !walk_goes_on)
        getahead_drop(s->ahead);
    const char *unreadable = error_unreadable(slot);
    if (unreadable) {
        static const char fmt[] = "(a value that cannot be read: %s)";
        size_t size = sizeof(fmt) + strlen(unreadable);
        char *text = malloc(size);
        if (text)
            snprintf(text, size, fmt, unreadable);
        http_client_scrub(s->hc, slot->auth_line, slot->url, text);
        return text;
    }
    const json_t *said = json_object_get(slot->page.root, "error");
    if (!said)
        said = json_object_get(slot->page.root, "errors");
    char *text = said ? json_dumps(said, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    http_client_scrub(s->hc, slot->auth_line, slot->url, text);
    return text;
}

/* Says msg of slot's page, with the API's words ("error" or "errors"). */
static void warn_says_error(source_t *s, const page_slot_t *slot, const char *msg, int walk_goes_on)
{
    char q[300], qurl[1200];
    char *text = error_words(s, slot, walk_goes_on);
    log_warn(msg, "stream=%s url=%s says=%s", s->sc->name,
             url_redact_quoted(slot->url, qurl, sizeof(qurl)),
             log_quote(q, sizeof(q), text ? text : ""));
    free(text);
}

/*
 * An empty page in an answer that says it is an error (a rate limit
 * answered 200 {"data": [], "error": {...}}): taken as the end, it ended
 * the walk there, and a full run deleted every record after it as
 * vanished. It ends the walk all the same (some APIs send warnings in
 * "errors" beside every answer, their last empty page too: failing it
 * would fail every run), but not by the walk's end rule: an incremental
 * run goes on from its HWM next time, and a full run deletes nothing.
 * 1 when page is such a page (logged), else 0; -1 with errstr when the
 * empty page's "error" or "errors" cannot be read (jsonpage.h): whether
 * the walk ends by its rule cannot be told.
 */
static int empty_with_error(source_t *s, const page_slot_t *slot, const json_t *records,
                            char *errstr, size_t errstr_size)
{
    char red[1024];
    if (json_array_size(records) > 0)
        return 0;
    const char *unreadable = error_unreadable(slot);
    if (unreadable) {
        char why[512];
        errstr_set(errstr, errstr_size, "GET %s: body is not JSON: %s",
                   url_redact(slot->url, red, sizeof(red)),
                   scrubbed_why(s, slot, unreadable, why, sizeof(why)));
        return -1;
    }
    if (!jsonpage_says_error(slot->page.root))
        return 0;
    warn_says_error(s, slot,
                    "an empty page whose answer says it is an error: the walk ends there, "
                    "unproven",
                    0);
    return 1;
}

/*
 * A page with records in an answer that says it is an error (a query cut
 * short: GraphQL's partial data, a search backend's hits so far beside
 * its timeout): its records are handed out, but the walk may lack what
 * the API did not send, so it proves nothing (source_proves_all()): taken
 * as whole, a full run deleted the records after them as vanished. An
 * "error" that cannot be read counts as one. Said once a walk.
 */
static void records_with_error(source_t *s, const page_slot_t *slot, const json_t *records)
{
    if (json_array_size(records) == 0 ||
        (!error_unreadable(slot) && !jsonpage_says_error(slot->page.root)))
        return;
    s->end_unproven = 1;
    if (s->error_warned)
        return;
    s->error_warned = 1;
    warn_says_error(s, slot,
                    "a page whose answer says it is an error beside its records: they are "
                    "handed out, but the walk may lack what the API did not send",
                    1);
}

/* Says, once a walk, that the API's bodies are not UTF-8 (bodytext.h):
 * read as the charset they declare, or, when they are not of it either,
 * as they are, their records with bytes that are not UTF-8 dead-lettered. */
static void note_charset(source_t *s, const page_slot_t *slot, const char *charset, bodytext_t bt)
{
    char red[1200], q[100];
    if (bt == BODYTEXT_AS_IS || s->charset_warned)
        return;
    s->charset_warned = 1;
    url_redact_quoted(slot->url, red, sizeof(red));
    log_quote(q, sizeof(q), charset);
    if (bt == BODYTEXT_CONVERTED)
        log_info("the API's bodies are not UTF-8: read as the charset they declare",
                 "stream=%s url=%s charset=%s", s->sc->name, red, q);
    else
        log_warn("the API's bodies are neither UTF-8 nor of the charset they declare: a record "
                 "whose bytes are not UTF-8 is dead-lettered",
                 "stream=%s url=%s charset=%s", s->sc->name, red, q);
}

/*
 * Parses resp's body into s->page: the array at records.path, or NULL
 * with errstr when the body is not JSON or has no array there.
 */
static json_t *read_records(source_t *s, page_slot_t *slot, const http_response_t *resp,
                            char *errstr, size_t errstr_size)
{
    char perr[256], red[1024], why[512];
    /* 204 No Content: the API's way of saying there is nothing (more) */
    const char *body = resp->status == 204 ? "[]" : resp->body;
    size_t len = resp->status == 204 ? 2 : resp->body_len;
    const char *path = resp->status == 204 ? "" : s->sc->records_path;
    char cs[64] = "", *converted = NULL;
    size_t converted_len = 0;
    bodytext_t bt = BODYTEXT_AS_IS;
    if (resp->status != 204) {
        http_charset(resp->content_type, cs, sizeof(cs));
        bt = bodytext_utf8(body, len, cs, &converted, &converted_len);
    }
    if (bt == BODYTEXT_CONVERTED) {
        body = converted;
        len = converted_len;
    }
    note_charset(s, slot, cs, bt);
    int parsed = jsonpage_parse(body, len, path, &slot->page, perr, sizeof(perr));
    free(converted);
    if (parsed != 0) {
        errstr_set(errstr, errstr_size, "GET %s: body is not JSON: %s",
                   url_redact(slot->url, red, sizeof(red)),
                   scrubbed_why(s, slot, perr, why, sizeof(why)));
        return NULL;
    }
    /* records.path's own value, or one on the way, that cannot be read:
     * the page fails as it did when every such value failed it */
    const char *unreadable = jsonpage_unreadable_at(&slot->page, path);
    if (unreadable) {
        errstr_set(errstr, errstr_size, "GET %s: body is not JSON: %s",
                   url_redact(slot->url, red, sizeof(red)),
                   scrubbed_why(s, slot, unreadable, why, sizeof(why)));
        return NULL;
    }
    json_t *arr = jsonpage_at_path(slot->page.root, path);
    if (!arr && s->sc->records_absent_is_empty)
        arr = jsonpage_absent_as_empty(&slot->page, path);
    if (!json_is_array(arr)) {
        /* an answer that says it is an error (200 all the same): its words */
        char *text = error_words(s, slot, 0);
        int absent = !arr && !text && json_is_object(slot->page.root);
        errstr_set(
            errstr, errstr_size, "GET %s: no array at records.path '%s'%s%.*s%s",
            url_redact(slot->url, red, sizeof(red)), s->sc->records_path ? s->sc->records_path : "",
            text ? "; the answer says: " : "", text ? utf8_cut(text, 200) : 0, text ? text : "",
            absent && !s->sc->records_absent_is_empty
                ? " (if the API leaves it out of an empty page, as Spring Data REST "
                  "leaves out _embedded, set records.absent_is_empty = true)"
                : "");
        free(text);
        return NULL;
    }
    return arr;
}

/* GETs url; a later page at one since keeps a refusal's status and body
 * (fetch_answer()). */
static int get_url(const source_t *s, const char *url, int later_page, http_response_t *resp,
                   char *errstr, size_t errstr_size)
{
    if (!later_page)
        return http_get(s->hc, url, resp, errstr, errstr_size);
    return http_get_answer(s->hc, url, resp, errstr, errstr_size);
}

/*
 * GETs url into *resp (getahead_fetch_fn: on the fetch thread, or on a
 * guess's with its cancel flag; NULL: the client's as set). A later page
 * at one since of a seek walk (later_page) is asked so that a 404 keeps
 * its status: some APIs (Django REST Framework's page numbers) answer 404
 * past the last page, which with page.end_on_404 ends the walk
 * (*past_end, no body), and without it fails with a hint at the key.
 */
static int fetch_answer(void *opaque, const char *url, int later_page, const atomic_int *cancel,
                        http_response_t *resp, int *past_end, char *errstr, size_t errstr_size)
{
    const source_t *s = opaque;
    if (cancel)
        http_client_set_cancel(s->hc, cancel);
    int rc = get_url(s, url, later_page, resp, errstr, errstr_size);
    if (cancel)
        http_client_set_cancel(s->hc, &s->cancel);
    if (rc == 0 || !later_page)
        return rc;
    long status = resp->status;
    http_response_clear(resp); /* the refusal's body: ours to free */
    if (status != 404)
        return -1;
    if (!s->sc->page_end_on_404) {
        size_t len = strlen(errstr);
        errstr_set(errstr + len, errstr_size - len,
                   " (a page after the first at one since: if the API answers 404 past its last "
                   "page, set page.end_on_404 = true)");
        return -1;
    }
    *past_end = 1;
    return 0;
}

/* slot->url's answer into *ans: the guess's, when it asked the same
 * (getahead.h), else requested now. */
static void get_answer(source_t *s, page_slot_t *slot, getahead_answer_t *ans)
{
    int later_page = s->walk.later_page;
    int took = s->ahead ? getahead_take(s->ahead, slot->url, later_page, ans) : GETAHEAD_NONE;
    if (took == GETAHEAD_TAKEN) {
        atomic_fetch_add(&s->taken, 1);
        return;
    }
    if (took == GETAHEAD_MISSED) {
        s->guess_missed = 1;
        atomic_fetch_add(&s->misses, 1);
    }
    ans->rc = fetch_answer(s, slot->url, later_page, NULL, &ans->resp, &ans->past_end, ans->errstr,
                           sizeof(ans->errstr));
    ans->answered_at_ms = isotime_now_ms();
}

/* Asks for the page the pager guesses follows resp (a large body: see
 * SOURCE_GUESS_MIN_BODY) while the caller parses it. Not after a wrong
 * guess in this walk: an API whose bodies mislead the guess (the cursor's
 * name again after the records) would be asked everything twice. */
static void guess_next(source_t *s, const char *asked, const http_response_t *resp)
{
    int later_page = 0;
    if (!s->ahead || s->guess_missed || resp->status == 204 || resp->body_len < s->guess_min)
        return;
    pager_answer_t a = {resp->body, resp->body_len, resp->link, asked, resp->url};
    char *url = s->pager->guess(&s->walk, &a, &later_page);
    if (url && getahead_start(s->ahead, url, later_page) != 0)
        log_debug("no guessed request ahead", "stream=%s", s->sc->name);
    else if (url) /* the counts only grow (metrics): after the start */
        atomic_fetch_add(&s->guesses, 1);
    free(url);
}

/*
 * The next page of the walk into slot (emptied first): its rc and errstr.
 * Runs on the fetch thread while one runs, else on the caller's.
 */
static void fetch_page(source_t *s, page_slot_t *slot)
{
    char *errstr = slot->errstr;
    size_t errstr_size = sizeof(slot->errstr);
again:
    slot_clear(slot);
    slot->rc = -1;
    if (s->done) {
        slot->rc = 0;
        return;
    }
    if (!(slot->url = s->pager->url(&s->walk))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return;
    }
    slot->asked = (source_asked_t){.has_since = s->walk.has_since,
                                   .since_ms = s->walk.since_ms,
                                   .by_number = s->walk.later_page};
    getahead_answer_t ans = {0};
    get_answer(s, slot, &ans);
    http_response_t resp = ans.resp;
    slot->auth_line = resp.auth_line; /* the slot's: the API's words are scrubbed of it */
    resp.auth_line = NULL;
    if (ans.rc != 0) {
        errstr_set(errstr, errstr_size, "%s", ans.errstr);
        return;
    }
    if (ans.past_end) { /* as an empty page: the walk is over */
        if (jsonpage_parse("[]", 2, "", &slot->page, errstr, errstr_size) != 0)
            return;
        s->done = s->complete = 1;
        slot->rc = 1;
        return;
    }
    if (!s->started_at) {
        s->started_at = resp.sent_at_ms;
        s->api_started_at = source_api_mark(resp.date_ms, resp.sent_at_ms, ans.answered_at_ms);
    }
    slot->api_now = source_api_now(resp.date_ms, ans.answered_at_ms);
    guess_next(s, slot->url, &resp);
    json_t *arr = read_records(s, slot, &resp, errstr, errstr_size);
    int adv = -1, unproven = arr ? empty_with_error(s, slot, arr, errstr, errstr_size) : -1;
    if (unproven > 0) {
        adv = 1; /* the last page, not by the walk's end rule */
    } else if (unproven == 0) {
        records_with_error(s, slot, arr);
        pager_page_t page = {.body = slot->page.root,
                             .parsed = &slot->page,
                             .records = arr,
                             .url = slot->url,
                             .answered_url = resp.url,
                             .link = resp.link,
                             .no_content = resp.status == 204};
        adv = s->pager->advance(&s->walk, &page, errstr, errstr_size);
    }
    http_response_clear(&resp);
    if (adv == PAGER_AGAIN) /* the pager drops this page and asks another */
        goto again;
    if (adv == PAGER_END_UNPROVEN || adv == PAGER_LAST_UNPROVEN) {
        s->end_unproven = 1;
        adv = adv == PAGER_END_UNPROVEN ? PAGER_END : 1;
    }
    if (adv == PAGER_END) { /* dropped: the walk ended at the page before */
        jsonpage_clear(&slot->page);
        if (jsonpage_parse("[]", 2, "", &slot->page, errstr, errstr_size) != 0)
            return;
        adv = 1;
    }
    if (adv < 0)
        return;
    s->done = adv;
    s->complete = adv && !unproven;
    slot->rc = 1;
}

/*
 * The fetch thread: reads answers ahead into the free slots of the ring
 * while the reader handles slots[cur], up to SOURCE_SLOTS - 1 of them,
 * then waits until the reader takes one (and so gives back the slot it
 * held, whose page this thread frees when it fills it). Ends after an
 * answer that is not a page, after the last page, or on stop.
 */
static void *fetch_thread(void *arg)
{
    source_t *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop && !s->ended) {
        if (s->n_ready >= SOURCE_SLOTS - 1) {
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        page_slot_t *slot = &s->slots[(s->head + s->n_ready) % SOURCE_SLOTS];
        pthread_mutex_unlock(&s->mu);
        fetch_page(s, slot);
        pthread_mutex_lock(&s->mu);
        s->n_ready++;
        s->ended = slot->rc != 1 || s->done;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (s->ahead) /* the guess after the walk's last page, or a stop's */
        getahead_drop(s->ahead);
    return NULL;
}

/* The next slot from the fetch thread (started on the first call). -1
 * with errstr when the thread cannot start, else the slot's index. */
static int take_prefetched(source_t *s, char *errstr, size_t errstr_size)
{
    if (!s->threaded) {
        /* its own stack, not ulimit -s's: the page reader recurses once
         * per level of nesting, up to JSONPAGE_MAX_DEPTH (a record nested
         * 1000 deep overran a 256 KiB stack, a crash; it needs ~0.5 MiB) */
        pthread_attr_t attr;
        int started = pthread_attr_init(&attr) == 0;
        http_client_set_cancel(s->hc, &s->cancel);
        if (started) {
            (void)pthread_attr_setstacksize(&attr, SOURCE_FETCH_STACK);
            started = pthread_create(&s->thread, &attr, fetch_thread, s) == 0;
            pthread_attr_destroy(&attr);
        }
        if (!started) {
            http_client_set_cancel(s->hc, NULL);
            errstr_set(errstr, errstr_size, "cannot start the page fetch thread");
            return -1;
        }
        s->threaded = 1;
    }
    pthread_mutex_lock(&s->mu);
    while (!s->n_ready && !s->ended)
        pthread_cond_wait(&s->cv, &s->mu);
    int got = -1;
    if (s->n_ready) {
        got = s->head; /* the slot held so far becomes the thread's */
        s->head = (s->head + 1) % SOURCE_SLOTS;
        s->n_ready--;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (got < 0) { /* nothing after the answer handed out last */
        got = (s->head + SOURCE_SLOTS - 1) % SOURCE_SLOTS;
        if (s->slots[got].rc == 1) /* it was the last page */
            s->slots[got].rc = 0;
    }
    return got;
}

int source_next_page(source_t *s, json_t **records, const char **url, char *errstr,
                     size_t errstr_size)
{
    int got;
    if (s->prefetch) {
        if ((got = take_prefetched(s, errstr, errstr_size)) < 0)
            return -1;
    } else {
        got = s->cur < 0 ? 0 : (s->cur + 1) % SOURCE_SLOTS;
        fetch_page(s, &s->slots[got]);
    }
    s->cur = got;
    page_slot_t *slot = &s->slots[got];
    if (slot->rc < 0)
        errstr_set(errstr, errstr_size, "%s", slot->errstr);
    if (slot->rc != 1) {
        s->cur = -1;
        return slot->rc;
    }
    *records = slot->page.records;
    *url = slot->url;
    return 1;
}
