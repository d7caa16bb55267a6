/*
 * pager_page.c - pagination = page: the seek walk (pager_seek.c) with
 * page.param = page.first (1, or 0 for Spring Data), the next, ... at
 * each since.
 */
#include "pager.h"

static void page_start(pager_walk_t *w)
{
    w->page_no = w->sc->page_first;
}

static int page_advance(pager_walk_t *w, const pager_page_t *page, char *errstr, size_t errstr_size)
{
    return pager_seek_advance(w, page, w->sc->page_first, 0, errstr, errstr_size);
}

static char *page_guess(const pager_walk_t *w, const pager_answer_t *a, int *later_page)
{
    return pager_seek_guess(w, a, w->sc->page_first, 0, later_page);
}

const pager_t pager_page = {
    .name = "page",
    .start = page_start,
    .url = pager_seek_url,
    .advance = page_advance,
    .guess = page_guess,
};
