/*
 * pager_none.c - pagination = none: one request at since, without page
 * parameters; that page is the walk.
 */
#include "pager.h"

static void none_start(pager_walk_t *w)
{
    (void)w;
}

static char *none_url(pager_walk_t *w)
{
    return pager_page_url(w->sc, w->has_since, w->since_ms, 0, NULL);
}

static int none_advance(pager_walk_t *w, const pager_page_t *page, char *errstr, size_t errstr_size)
{
    (void)w, (void)page, (void)errstr, (void)errstr_size;
    return 1;
}

const pager_t pager_none = {
    .name = "none",
    .start = none_start,
    .url = none_url,
    .advance = none_advance,
};
