/*
 * pager_link.c - the pagers that follow the next page's URL (see
 * pager.h): pagination = link, the rel="next" target of the answer's Link
 * headers (RFC 8288, link.h); pagination = next_url, the URL at next.path
 * in the body (OData's "@odata.nextLink", Salesforce's "nextRecordsUrl").
 * Both resolve a relative URL against the one that answered and refuse
 * one they may not follow (url_check_follow).
 */
#include "pager.h"

#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "link.h"
#include "url.h"
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
static int empty_page_ends(pager_walk_t *w, const pager_page_t *page, const char *linking,
                           char *errstr, size_t errstr_size)
{
    if (!strcmp(w->token, page->url) || !strcmp(w->token, page->answered_url))
        return 1;
    return pager_count_empty(w, page, linking, errstr, errstr_size);
}

/* How each pager names where its next URL came from, in its errors. */
typedef struct {
    const char *linking; /* an empty page "linking a new next page (...)" */
    const char *what;    /* "... URL" requested twice */
    const char *repeat;  /* a repeated page "under a new ... URL: ..." */
} link_words_t;

/* After w->token is the page's next URL, or NULL: as pager_t.advance. */
static int follow(pager_walk_t *w, const pager_page_t *page, const link_words_t *words,
                  char *errstr, size_t errstr_size)
{
    int done = !w->token;
    if (!done && json_array_size(page->records) == 0) {
        int rc = empty_page_ends(w, page, words->linking, errstr, errstr_size);
        if (rc != 0)
            return rc;
    } else {
        w->empty_in_row = 0;
    }
    if (!done && pager_check_loop(w, page->url, words->what, errstr, errstr_size) != 0)
        return -1;
    if (pager_refuse_repeat(w, page, 1, words->repeat, errstr, errstr_size) != 0)
        return -1;
    return done;
}

static int link_advance(pager_walk_t *w, const pager_page_t *page, char *errstr, size_t errstr_size)
{
    static const link_words_t words = {
        .linking = "linking a new next page (Link rel=\"next\")",
        .what = "Link rel=\"next\" URL",
        .repeat = " under a new Link rel=\"next\" URL: the API ignores its own next link"};
    free(w->token);
    w->token = NULL;
    char why[1024], red[1024];
    if (link_find(page->link, "next", page->answered_url, &w->token, why, sizeof(why)) < 0) {
        errstr_set(errstr, errstr_size, "GET %s: %s",
                   url_redact(page->answered_url, red, sizeof(red)), why);
        return -1;
    }
    return follow(w, page, &words, errstr, errstr_size);
}

/*
 * The URL at next.path, resolved against the URL that answered (*out NULL
 * when the page names none): 0, or -1 with why.
 */
static int next_url_of(const pager_walk_t *w, const pager_page_t *page, char **out, char *why,
                       size_t why_size)
{
    char *text;
    *out = NULL;
    int rc = pager_next_text(page->body, "next.path", w->sc->next_path, &text, why, why_size);
    if (rc <= 0)
        return rc;
    char uwhy[600];
    if (url_resolve(page->answered_url, text, out, uwhy, sizeof(uwhy)) != 0 ||
        url_check_follow(page->answered_url, *out, uwhy, sizeof(uwhy)) != 0) {
        free(*out);
        *out = NULL;
        errstr_set(why, why_size, "next.path '%s': %s", w->sc->next_path, uwhy);
        rc = -1;
    }
    free(text);
    return rc < 0 ? -1 : 0;
}

static int next_url_advance(pager_walk_t *w, const pager_page_t *page, char *errstr,
                            size_t errstr_size)
{
    static const link_words_t words = {
        .linking = "naming a new next page URL (next.path)",
        .what = "next page URL (next.path)",
        .repeat = " under a new next page URL (next.path): the API ignores its own next URL"};
    free(w->token);
    w->token = NULL;
    char why[1024], red[1024];
    if (next_url_of(w, page, &w->token, why, sizeof(why)) < 0) {
        errstr_set(errstr, errstr_size, "GET %s: %s",
                   url_redact(page->answered_url, red, sizeof(red)), why);
        return -1;
    }
    return follow(w, page, &words, errstr, errstr_size);
}

const pager_t pager_link = {
    .name = "link",
    .start = link_start,
    .url = link_url,
    .advance = link_advance,
};

const pager_t pager_next_url = {
    .name = "next_url",
    .start = link_start,
    .url = link_url,
    .advance = next_url_advance,
};
