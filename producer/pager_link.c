/*
 * pager_link.c - pagination = link: the rel="next" target of the
 * answer's Link headers (RFC 8288, link.h) is the next page (see
 * pager.h).
 */
#include "pager.h"

#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "link.h"
#include "url_redact.h"

static void link_start(pager_walk_t *w)
{
    (void)w; /* the first page is the configured URL */
}

/* A link walk's first URL counts as requested: a next link back to it
 * is a loop too. */
static char *link_url(pager_walk_t *w)
{
    if (w->token)
        return strdup(w->token);
    char *url = pager_page_url(w->sc, w->has_since, w->since_ms, 1, NULL);
    if (url && pager_note_requested(w, url) < 0) {
        free(url);
        return NULL;
    }
    return url;
}

/* Relative targets resolve against the URL that answered. A token
 * requested twice is the plainer diagnosis, so it is checked before the
 * repeat. */
/*
 * An empty page that links a next one (w->token): 1 when that is the URL
 * it was asked with (the tail of a feed: "nothing new, ask here again
 * later"), the end and no loop; 0 to go on (the API may filter a page
 * after paging it); -1 with errstr after page.empty_max of them in a row,
 * each linking a new URL (an API that links a page past its end for ever
 * would be walked for ever), as a cursor walk does.
 */
static int empty_page_ends(pager_walk_t *w, const pager_page_t *page, char *errstr,
                           size_t errstr_size)
{
    if (!strcmp(w->token, page->url) || !strcmp(w->token, page->answered_url))
        return 1;
    return pager_count_empty(w, page, "linking a new next page (Link rel=\"next\")", errstr,
                             errstr_size);
}

static int link_advance(pager_walk_t *w, const pager_page_t *page, char *errstr, size_t errstr_size)
{
    free(w->token);
    w->token = NULL;
    char why[1024], red[1024];
    if (link_find(page->link, "next", page->answered_url, &w->token, why, sizeof(why)) < 0) {
        errstr_set(errstr, errstr_size, "GET %s: %s",
                   url_redact(page->answered_url, red, sizeof(red)), why);
        return -1;
    }
    int done = !w->token;
    if (!done && json_array_size(page->records) == 0) {
        int rc = empty_page_ends(w, page, errstr, errstr_size);
        if (rc != 0)
            return rc;
    } else {
        w->empty_in_row = 0;
    }
    if (!done && pager_check_loop(w, page->url, "Link rel=\"next\" URL", errstr, errstr_size) != 0)
        return -1;
    if (pager_refuse_repeat(w, page, 1,
                            " under a new Link rel=\"next\" URL: the API ignores its own next link",
                            errstr, errstr_size) != 0)
        return -1;
    return done;
}

const pager_t pager_link = {
    .name = "link",
    .start = link_start,
    .url = link_url,
    .advance = link_advance,
};
