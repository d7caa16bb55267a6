/*
 * pager_cursor.c - pagination = cursor: next.path in the body names the
 * next page's token, sent back as page.param (see pager.h).
 */
#include "pager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonnum.h"
#include "jsonpage.h"

static void cursor_start(pager_walk_t *w)
{
    (void)w; /* the first page has no token */
}

static char *cursor_url(pager_walk_t *w)
{
    return pager_page_url(w->sc, w->has_since, w->since_ms, 1, w->token);
}

/* The next token as text, or NULL when none. */
static char *next_token(json_t *body, const char *path)
{
    json_t *v = path ? jsonpage_at_path(body, path) : NULL;
    if (jsonnum_is(v)) /* a number beyond int64, or not an integer: as sent */
        return strdup(jsonnum_text(v));
    if (json_is_string(v) && json_string_length(v) > 0)
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        char buf[JSONNUM_INT_TEXT_SIZE];
        jsonnum_int_text(json_integer_value(v), buf);
        return strdup(buf);
    }
    return NULL;
}

/*
 * An empty page with a next token is no end: an API may filter a page
 * after paging it (permissions, a time-sliced scan). A token requested
 * twice is the plainer diagnosis, so it is checked before the repeat.
 */
static int cursor_advance(pager_walk_t *w, const pager_page_t *page, char *errstr,
                          size_t errstr_size)
{
    free(w->token);
    w->token = next_token(page->body, w->sc->next_path);
    int done = !w->token;
    if (!done && pager_check_loop(w, page->url, "next cursor", errstr, errstr_size) != 0)
        return -1;
    char why[512];
    snprintf(why, sizeof(why),
             " under a new next cursor: does the API take '%s' as its cursor parameter?",
             w->sc->page_param);
    if (pager_refuse_repeat(w, page, 1, why, errstr, errstr_size) != 0)
        return -1;
    return done;
}

const pager_t pager_cursor = {
    .name = "cursor",
    .start = cursor_start,
    .url = cursor_url,
    .advance = cursor_advance,
};
