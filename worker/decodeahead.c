/*
 * decodeahead.c - see decodeahead.h.
 */
#include "decodeahead.h"

#include <string.h>

#include "errstr.h"
#include "rowsahead.h"

static void *decode_thread(void *arg)
{
    decodeahead_t *da = arg;

    da->rc = decode_batch_deferred(da->batch, da->streams, da->sync_runs_topic, &da->out, da->err,
                                   sizeof(da->err));
    /* the rows too, while PostgreSQL still applies the batch before;
     * without them (out of memory) the main thread builds them */
    if (da->rc == 0)
        da->out.ahead = rows_ahead_build(da->batch, &da->out, da->streams);
    return NULL;
}

int decodeahead_start(decodeahead_t *da, const batch_t *b, const worker_streams_t *ws,
                      const char *sync_runs_topic)
{
    memset(da, 0, sizeof(*da));
    da->batch = b;
    da->streams = ws;
    da->sync_runs_topic = sync_runs_topic;
    if (pthread_create(&da->thread, NULL, decode_thread, da) != 0)
        return -1;
    da->running = 1;
    return 0;
}

int decodeahead_running(const decodeahead_t *da)
{
    return da->running;
}

int decodeahead_finish(decodeahead_t *da, decoded_t *out, char *errstr, size_t errstr_size)
{
    if (da->running)
        pthread_join(da->thread, NULL);
    da->running = 0;
    *out = da->out;
    memset(&da->out, 0, sizeof(da->out));
    if (da->rc < 0)
        errstr_set(errstr, errstr_size, "%s", da->err);
    return da->rc;
}
