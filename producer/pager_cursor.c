/*
 * pager_cursor.c - pagination = cursor: next.path in the body names the
 * next page's token, sent back as page.param (see pager.h).
 */
#include "pager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "url_redact.h"

static void cursor_start(pager_walk_t *w)
{
    (void)w; /* the first page has no token */
}

static char *cursor_url(pager_walk_t *w)
{
    return pager_page_url(w->sc, w->has_since, w->since_ms, 1, w->token);
}

/*
 * An empty page that names a next token: 1 when it names the token it was
 * asked with (an API such as Dropbox's list/continue answers its tail so:
 * "nothing new, ask again from here later"), the end and no loop; 0 to go
 * on (the API may filter a page after paging it: permissions, a
 * time-sliced scan); -1 with errstr after page.empty_max of them in a
 * row, each with a new token (one that mints a token per request, say,
 * would be walked for ever).
 */
static int empty_page_ends(pager_walk_t *w, const pager_page_t *page, const char *asked,
                           char *errstr, size_t errstr_size)
{
    if (asked && !strcmp(asked, w->token))
        return 1;
    char what[300];
    snprintf(what, sizeof(what), "naming a new next cursor (next.path '%.200s')", w->sc->next_path);
    return pager_count_empty(w, page, what, errstr, errstr_size);
}

/*
 * A token requested twice is the plainer diagnosis, so it is checked
 * before the repeat.
 */
static int cursor_advance(pager_walk_t *w, const pager_page_t *page, char *errstr,
                          size_t errstr_size)
{
    char *asked = w->token, *next, why[600], red[1024];
    /* a 204 No Content is an empty page that names no next token */
    if (page->no_content)
        next = NULL;
    else if (pager_next_text(page->body, page->parsed, "next.path", w->sc->next_path, &next, why,
                             sizeof(why)) < 0) {
        errstr_set(errstr, errstr_size, "GET %s: %s", url_redact(page->url, red, sizeof(red)),
                   why); /* the walk fails: the token asked stays the walk's */
        return -1;
    }
    w->token = next;
    int done = !w->token, rc = 0;
    if (!done && json_array_size(page->records) == 0)
        rc = empty_page_ends(w, page, asked, errstr, errstr_size);
    else
        w->empty_in_row = 0;
    free(asked);
    if (rc != 0)
        return rc;
    if (!done && pager_check_loop(w, page->url, "next cursor", errstr, errstr_size) != 0)
        return -1;
    snprintf(why, sizeof(why),
             " under a new next cursor: does the API take '%s' as its cursor parameter?",
             w->sc->page_param);
    if (pager_refuse_repeat(w, page, 1, why, errstr, errstr_size) != 0)
        return -1;
    return done;
}

/* The page at the token next.path names, read from the body's bytes;
 * none when that is the token asked (the tail of a feed, or a loop: the
 * walk goes no further). */
static char *cursor_guess(const pager_walk_t *w, const pager_answer_t *a, int *later_page)
{
    char *token;
    if (!pager_guess_next_text(w->sc->next_path, a, &token))
        return NULL;
    if (w->token && !strcmp(token, w->token)) {
        free(token);
        return NULL;
    }
    char *url = pager_page_url(w->sc, w->has_since, w->since_ms, 1, token);
    free(token);
    *later_page = 0;
    return url;
}

const pager_t pager_cursor = {
    .name = "cursor",
    .start = cursor_start,
    .url = cursor_url,
    .advance = cursor_advance,
    .guess = cursor_guess,
};
