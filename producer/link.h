/*
 * link.h - RFC 8288 Link header fields, and the target of a relation
 * (rel="next"), resolved and checked by the rules of url.h.
 *
 * A Link field value here is every Link field line of one response, joined
 * by '\n' (http.h): each line is a comma-separated list of link-values
 * `<URI-Reference> *( ";" param [ "=" ( token / quoted-string ) ] )`.
 * Quoted values may hold commas and semicolons; rel holds one or more
 * space-separated relation types, compared case-insensitively; only the
 * first rel of a link-value counts (RFC 8288 3.3). A '\n' ends whatever is
 * open, so one broken line cannot swallow the next.
 *
 * Targets resolve against the URL that was actually answered (after
 * redirects) with url_resolve(); only those url_check_follow() allows are
 * returned.
 *
 * Owns: link_list_t owns its strings (link_list_clear). Pure functions
 * over the caller's strings; any thread. Fails with -1 and errstr, or -1
 * alone on ENOMEM where noted.
 */
#ifndef TIDEMARK_LINK_H
#define TIDEMARK_LINK_H

#include "compiler.h"
#include <stddef.h>

typedef struct link_value {
    char *target; /* between < and >, spaces trimmed, not resolved */
    char *rel;    /* the first rel parameter, unquoted; NULL if none */
} link_value_t;

typedef struct link_list {
    link_value_t *v;
    size_t n;
    int malformed; /* link-values that could not be parsed (skipped) */
} link_list_t;

/* Parses field (NULL = no Link header) into *out (cleared first). 0, or
 * -1 on ENOMEM (out cleared). A malformed link-value is skipped up to the
 * next ',' or line outside quotes and counted in out->malformed. */
int link_parse(const char *field, link_list_t *out) TM_WARN_UNUSED;
void link_list_clear(link_list_t *l);

/* 1 when rel (space-separated relation types) holds type, ignoring case. */
int link_rel_has(const char *rel, const char *type);

/*
 * The target of the first link-value of field whose rel holds `rel`,
 * resolved against base and checked with url_check_follow(base, ...).
 * 1 with *out (caller frees); 0 when there is none and the field parsed
 * cleanly; -1 with errstr when the target cannot be resolved or followed,
 * or when there is none but a link-value was malformed (a rel="next" might
 * have been in it: ending the walk there could skip pages silently).
 */
int link_find(const char *field, const char *rel, const char *base, char **out, char *errstr,
              size_t errstr_size) TM_WARN_UNUSED;

#endif
