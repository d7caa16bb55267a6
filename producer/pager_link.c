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

/* Where a pager finds the page's next URL and how it names it in errors. */
typedef struct {
    /* *out: the next URL (caller frees) or NULL when the page names none;
     * 0, or -1 with why */
    int (*find)(const pager_walk_t *w, const pager_page_t *page, char **out, char *why,
                size_t why_size);
    const char *linking; /* an empty page "linking a new next page (...)" */
    const char *what;    /* "... URL" requested twice */
    const char *repeat;  /* a repeated page "under a new ... URL: ..." */
} next_source_t;

/* As pager_t.advance, with the next URL from src. */
static int follow(pager_walk_t *w, const pager_page_t *page, const next_source_t *src, char *errstr,
                  size_t errstr_size)
{
    char why[1024], red[1024];
    free(w->token);
    w->token = NULL;
    if (src->find(w, page, &w->token, why, sizeof(why)) < 0) {
        errstr_set(errstr, errstr_size, "GET %s: %s",
                   url_redact(page->answered_url, red, sizeof(red)), why);
        return -1;
    }
    int done = !w->token;
    if (!done && json_array_size(page->records) == 0) {
        int rc = empty_page_ends(w, page, src->linking, errstr, errstr_size);
        if (rc != 0)
            return rc;
    } else {
        w->empty_in_row = 0;
    }
    if (!done && pager_check_loop(w, page->url, src->what, errstr, errstr_size) != 0)
        return -1;
    if (pager_refuse_repeat(w, page, 1, src->repeat, errstr, errstr_size) != 0)
        return -1;
    return done;
}

/* The rel="next" target of the answer's Link headers. */
static int link_next(const pager_walk_t *w, const pager_page_t *page, char **out, char *why,
                     size_t why_size)
{
    (void)w;
    return link_find(page->link, "next", page->answered_url, out, why, why_size) < 0 ? -1 : 0;
}

/* text (next.path's) resolved against the URL that answered, into *out
 * (caller frees): 0, or -1 with why when it is no URL the walk may
 * follow (url_check_follow). */
static int resolve_next(const char *answered_url, const char *text, char **out, char *why,
                        size_t why_size)
{
    if (url_resolve(answered_url, text, out, why, why_size) == 0 &&
        url_check_follow(answered_url, *out, why, why_size) == 0)
        return 0;
    free(*out);
    *out = NULL;
    return -1;
}

/* The URL at next.path, resolved against the URL that answered. */
static int body_next(const pager_walk_t *w, const pager_page_t *page, char **out, char *why,
                     size_t why_size)
{
    char *text;
    *out = NULL;
    if (page->no_content) /* a 204 No Content names no next URL */
        return 0;
    int rc = pager_next_text(page->body, page->parsed, "next.path", w->sc->next_path, &text, why,
                             why_size);
    if (rc <= 0)
        return rc;
    char uwhy[600];
    if (resolve_next(page->answered_url, text, out, uwhy, sizeof(uwhy)) != 0) {
        errstr_set(why, why_size, "next.path '%s': %s", w->sc->next_path, uwhy);
        rc = -1;
    }
    free(text);
    return rc < 0 ? -1 : 0;
}

static int link_advance(pager_walk_t *w, const pager_page_t *page, char *errstr, size_t errstr_size)
{
    static const next_source_t src = {
        .find = link_next,
        .linking = "linking a new next page (Link rel=\"next\")",
        .what = "Link rel=\"next\" URL",
        .repeat = " under a new Link rel=\"next\" URL: the API ignores its own next link"};
    return follow(w, page, &src, errstr, errstr_size);
}

static int next_url_advance(pager_walk_t *w, const pager_page_t *page, char *errstr,
                            size_t errstr_size)
{
    static const next_source_t src = {
        .find = body_next,
        .linking = "naming a new next page URL (next.path)",
        .what = "next page URL (next.path)",
        .repeat = " under a new next page URL (next.path): the API ignores its own next URL"};
    return follow(w, page, &src, errstr, errstr_size);
}

/* url, unless it is the page just asked, as asked or as answered (the
 * tail of a feed, or a loop: the walk goes no further). Takes url. */
static char *unless_asked(const pager_answer_t *a, char *url)
{
    if (url && (!strcmp(url, a->asked_url) || !strcmp(url, a->answered_url))) {
        free(url);
        return NULL;
    }
    return url;
}

/* The rel="next" target of the answer's Link headers, as link_next()
 * reads it: the headers are in before the body is parsed, so this is
 * no guess but where a page that advance() keeps leads. */
static char *link_guess(const pager_walk_t *w, const pager_answer_t *a, int *later_page)
{
    (void)w;
    char *url, why[700];
    if (!a->link || link_find(a->link, "next", a->answered_url, &url, why, sizeof(why)) != 1)
        return NULL;
    *later_page = 0;
    return unless_asked(a, url);
}

/*
 * The URL at next.path read from the body's bytes, resolved and checked
 * as body_next() does; and only one at the path that answered (the
 * query aside). The bytes' last member of that name may be a record's,
 * whose value the API's users wrote: a URL the walk would never name,
 * elsewhere on the API (an admin endpoint, with the stream's
 * credentials) or on another host (a cloud's metadata address). A next
 * page on another path is not guessed (Salesforce's nextRecordsUrl).
 */
static char *next_url_guess(const pager_walk_t *w, const pager_answer_t *a, int *later_page)
{
    char *text, *url = NULL, why[600];
    if (!pager_guess_next_text(w->sc->next_path, a, &text))
        return NULL;
    (void)resolve_next(a->answered_url, text, &url, why, sizeof(why)); /* url NULL: refused */
    free(text);
    if (url && !url_same_path(a->answered_url, url)) {
        free(url);
        return NULL;
    }
    *later_page = 0;
    return unless_asked(a, url);
}

const pager_t pager_link = {
    .name = "link",
    .start = link_start,
    .url = link_url,
    .advance = link_advance,
    .guess = link_guess,
};

const pager_t pager_next_url = {
    .name = "next_url",
    .start = link_start,
    .url = link_url,
    .advance = next_url_advance,
    .guess = next_url_guess,
};
