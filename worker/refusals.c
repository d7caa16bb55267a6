/*
 * refusals.c - see refusals.h.
 */
#include "refusals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static refusal_t *find(const refusals_t *r, const char *topic)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].topic, topic))
            return &r->items[i];
    return NULL;
}

static void free_one(refusal_t *f)
{
    free(f->topic);
    free(f->error);
    free(f->what);
}

int refusals_note(refusals_t *r, const char *topic, const char *error, const char *what,
                  int64_t now_ms)
{
    refusal_t *f = find(r, topic), n = {0};
    int changed = !f || strcmp(f->error, error) != 0;

    n.topic = strdup(topic);
    n.error = strdup(error);
    n.what = strdup(what ? what : "");
    if (!n.topic || !n.error || !n.what) {
        free_one(&n);
        return -1;
    }
    if (!f) {
        refusal_t *items = realloc(r->items, (r->n + 1) * sizeof(*items));
        if (!items) {
            free_one(&n);
            return -1;
        }
        r->items = items;
        f = &r->items[r->n++];
    } else {
        free_one(f);
    }
    *f = n;
    r->warned_ms = now_ms;
    return changed;
}

int refusals_clear(refusals_t *r, const char *topic)
{
    refusal_t *f = r->n ? find(r, topic) : NULL;

    if (!f)
        return 0;
    free_one(f);
    *f = r->items[--r->n];
    return 1;
}

int refusals_due(refusals_t *r, int64_t now_ms)
{
    if (r->n == 0 || now_ms - r->warned_ms < REFUSALS_REPEAT_MS)
        return 0;
    r->warned_ms = now_ms;
    return 1;
}

void refusals_describe(const refusals_t *r, char *buf, size_t size)
{
    if (!size)
        return;
    buf[0] = '\0';
    if (r->n == 0)
        return;
    const refusal_t *f = &r->items[0];
    int len = snprintf(buf, size, "Kafka refuses topic %s: %s (%s)", f->topic, f->error, f->what);
    if (r->n > 1 && len >= 0 && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, "; and %zu more topic%s", r->n - 1,
                 r->n > 2 ? "s" : "");
}

void refusals_free(refusals_t *r)
{
    while (r->n > 0)
        free_one(&r->items[--r->n]);
    free(r->items);
    r->items = NULL;
}
