/*
 * getahead.c - one GET made ahead on a guess (see getahead.h).
 */
#include "getahead.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"

/*
 * One thread for the getahead's life, not one per guess: a thread of its
 * own per guess put the answers' bodies in a malloc arena of their own
 * now and then, and some runs' peak RSS grew by 18 MiB.
 */
struct getahead {
    const atomic_int *stop_flag;
    getahead_fetch_fn fetch;
    void *opaque;
    atomic_int cancel; /* the fetch's flag while a guess runs */
    int running;       /* a guess was started and not taken or dropped */
    int threaded;      /* the thread was started */
    pthread_t thread;
    /* under mu: work, the thread's until it clears it; quit: end */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int work, quit;
    char *url; /* the guessed request */
    int later_page;
    getahead_answer_t ans; /* the thread's while work is set */
};

getahead_t *getahead_new(const atomic_int *stop_flag, getahead_fetch_fn fetch, void *opaque)
{
    getahead_t *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        free(g);
        return NULL;
    }
    if (pthread_cond_init(&g->cv, NULL) != 0) {
        pthread_mutex_destroy(&g->mu);
        free(g);
        return NULL;
    }
    g->stop_flag = stop_flag;
    g->fetch = fetch;
    g->opaque = opaque;
    return g;
}

static void *guess_thread(void *arg)
{
    getahead_t *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->work && !g->quit)
            pthread_cond_wait(&g->cv, &g->mu);
        if (g->quit)
            break;
        pthread_mutex_unlock(&g->mu);
        g->ans.rc = g->fetch(g->opaque, g->url, g->later_page, &g->cancel, &g->ans.resp,
                             &g->ans.past_end, g->ans.errstr, sizeof(g->ans.errstr));
        g->ans.answered_at_ms = isotime_now_ms();
        pthread_mutex_lock(&g->mu);
        g->work = 0;
        pthread_cond_broadcast(&g->cv);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int getahead_start(getahead_t *g, const char *url, int later_page)
{
    if (g->running || !(g->url = strdup(url)))
        return -1;
    g->later_page = later_page;
    memset(&g->ans, 0, sizeof(g->ans));
    /* A stop sets its flag, then ours (getahead_cancel()). Cleared first,
     * then its flag read: either that read sees the stop, or the stop's
     * store to ours comes after our clear. */
    atomic_store(&g->cancel, 0);
    if (g->stop_flag && atomic_load(g->stop_flag))
        atomic_store(&g->cancel, 1);
    if (!g->threaded && pthread_create(&g->thread, NULL, guess_thread, g) != 0) {
        free(g->url);
        g->url = NULL;
        return -1;
    }
    g->threaded = 1;
    pthread_mutex_lock(&g->mu);
    g->work = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    g->running = 1;
    return 0;
}

/* Waits for the guess under way; its answer stays in g->ans. */
static void join_guess(getahead_t *g)
{
    pthread_mutex_lock(&g->mu);
    while (g->work)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    g->running = 0;
    free(g->url);
    g->url = NULL;
}

void getahead_drop(getahead_t *g)
{
    if (!g->running)
        return;
    atomic_store(&g->cancel, 1);
    join_guess(g);
    http_response_clear(&g->ans.resp);
}

int getahead_take(getahead_t *g, const char *url, int later_page, getahead_answer_t *ans)
{
    if (!g->running)
        return GETAHEAD_NONE;
    if (g->later_page != later_page || strcmp(g->url, url) != 0) {
        getahead_drop(g);
        return GETAHEAD_MISSED;
    }
    join_guess(g);
    *ans = g->ans; /* the response's memory moves to the caller */
    memset(&g->ans, 0, sizeof(g->ans));
    return GETAHEAD_TAKEN;
}

void getahead_cancel(getahead_t *g)
{
    atomic_store(&g->cancel, 1);
}

void getahead_destroy(getahead_t *g)
{
    if (!g)
        return;
    getahead_drop(g);
    if (g->threaded) {
        pthread_mutex_lock(&g->mu);
        g->quit = 1;
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
        pthread_join(g->thread, NULL);
    }
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}
