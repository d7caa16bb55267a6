/*
 * pager_offset.c - pagination = offset: the seek walk (pager_seek.c)
 * with page.param = 0 at each since, moving by the records served.
 */
#include "pager.h"

static void offset_start(pager_walk_t *w)
{
    w->page_no = 0;
}

static int offset_advance(pager_walk_t *w, const pager_page_t *page, char *errstr,
                          size_t errstr_size)
{
    return pager_seek_advance(w, page, 0, 1, errstr, errstr_size);
}

static char *offset_guess(const pager_walk_t *w, const pager_answer_t *a, int *later_page)
{
    return pager_seek_guess(w, a, 0, 1, later_page);
}

const pager_t pager_offset = {
    .name = "offset",
    .start = offset_start,
    .url = pager_seek_url,
    .advance = offset_advance,
    .guess = offset_guess,
};
