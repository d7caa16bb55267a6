/*
 * link.c - Link header parsing and the target of a relation (see link.h).
 */
#include "link.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errstr.h"
#include "ows.h"
#include "url.h"
#include "url_redact.h"
#include "utf8.h"

/* RFC 9110 tchar */
static int is_tchar(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

void link_list_clear(link_list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].target);
        free(l->v[i].rel);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Skips a broken link-value: to the next ',' outside quotes and <>, or to
 * the end of the line (a new line starts afresh). */
static const char *skip_value(const char *p)
{
    int quoted = 0, angle = 0;
    for (; *p && *p != '\n'; p++) {
        if (quoted) {
            if (*p == '\\' && p[1] && p[1] != '\n')
                p++;
            else if (*p == '"')
                quoted = 0;
        } else if (angle) {
            if (*p == '>')
                angle = 0;
        } else if (*p == '"') {
            quoted = 1;
        } else if (*p == '<') {
            angle = 1;
        } else if (*p == ',') {
            return p;
        }
    }
    return p;
}

/* A quoted-string at p (after the opening quote): its unescaped text in
 * *out, *end after the closing quote. 0, 1 when unterminated on this
 * line, -1 on ENOMEM. */
static int quoted_string(const char *p, char **out, const char **end)
{
    size_t n = 0;
    const char *q = p;
    for (; *q && *q != '\n' && *q != '"'; q++) {
        if (*q == '\\' && q[1] && q[1] != '\n')
            q++;
        n++;
    }
    if (*q != '"')
        return 1;
    char *s = malloc(n + 1);
    if (!s)
        return -1;
    size_t k = 0;
    for (q = p; *q != '"'; q++) {
        if (*q == '\\')
            q++;
        s[k++] = *q;
    }
    s[k] = '\0';
    *out = s;
    *end = q + 1;
    return 0;
}

/*
 * One link-value at p (at '<'). Returns 0 and fills *lv with *end at the
 * ',' / '\n' / NUL that ends it; 1 when malformed (*end where parsing
 * stopped); -1 on ENOMEM.
 */
static int parse_value(const char *p, link_value_t *lv, const char **end)
{
    memset(lv, 0, sizeof(*lv));
    const char *gt = p + 1;
    while (*gt && *gt != '>' && *gt != '\n')
        gt++;
    *end = gt;
    if (*gt != '>')
        return 1;
    if (!(lv->target = ows_dup(p + 1, (size_t)(gt - p - 1))))
        return -1;
    p = gt + 1;
    for (;;) {
        while (ows_is((unsigned char)*p))
            p++;
        *end = p;
        if (!*p || *p == ',' || *p == '\n')
            return 0;
        if (*p != ';')
            return 1;
        p++;
        while (ows_is((unsigned char)*p))
            p++;
        const char *name = p;
        while (is_tchar((unsigned char)*p))
            p++;
        size_t name_len = (size_t)(p - name);
        *end = p;
        if (name_len == 0) {
            /* ";" followed by nothing: tolerated (a trailing ';') */
            if (!*p || *p == ',' || *p == '\n' || *p == ';')
                continue;
            return 1;
        }
        while (ows_is((unsigned char)*p))
            p++;
        char *value = NULL;
        if (*p == '=') {
            p++;
            while (ows_is((unsigned char)*p))
                p++;
            if (*p == '"') {
                int rc = quoted_string(p + 1, &value, &p);
                if (rc != 0) {
                    *end = p;
                    return rc;
                }
            } else {
                /* a token; leniently anything up to the next ; , or line,
                 * and without single quotes around it: rel='next' is not
                 * RFC 8288, but APIs send it and clients take it, and
                 * missing it would end the walk as if its last page */
                const char *v = p;
                while (*p && *p != ';' && *p != ',' && *p != '\n')
                    p++;
                if (!(value = ows_dup(v, (size_t)(p - v))))
                    return -1;
                size_t n = strlen(value);
                if (n >= 2 && value[0] == '\'' && value[n - 1] == '\'') {
                    memmove(value, value + 1, n - 2);
                    value[n - 2] = '\0';
                }
            }
        }
        if (name_len == 3 && strncasecmp(name, "rel", 3) == 0 && !lv->rel) {
            lv->rel = value ? value : strdup("");
            if (!lv->rel)
                return -1;
        } else {
            free(value);
        }
    }
}

int link_parse(const char *field, link_list_t *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = 0;
    const char *p = field ? field : "";
    while (*p) {
        while (ows_is((unsigned char)*p) || *p == ',' || *p == '\n')
            p++;
        if (!*p)
            break;
        link_value_t lv = {0};
        const char *end = p;
        int rc = *p == '<' ? parse_value(p, &lv, &end) : 1;
        if (rc < 0) {
            free(lv.target);
            free(lv.rel);
            link_list_clear(out);
            return -1;
        }
        if (rc > 0) {
            free(lv.target);
            free(lv.rel);
            out->malformed++;
            p = skip_value(end);
            continue;
        }
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            link_value_t *nv = realloc(out->v, ncap * sizeof(*nv));
            if (!nv) {
                free(lv.target);
                free(lv.rel);
                link_list_clear(out);
                return -1;
            }
            out->v = nv;
            cap = ncap;
        }
        out->v[out->n++] = lv;
        p = end;
    }
    return 0;
}

int link_rel_has(const char *rel, const char *type)
{
    size_t tl = strlen(type);
    const char *p = rel ? rel : "";
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if ((size_t)(p - w) == tl && tl && strncasecmp(w, type, tl) == 0)
            return 1;
    }
    return 0;
}

/* Bytes of an unparsable Link field shown in the run's error, redacted. */
#define LINK_SHOWN_MAX 120

/* Separates the words of the text between a Link field's <targets>. */
#define LINK_TEXT_SEPARATORS " \t,;"

/*
 * The length of the piece of text between targets at q: a word, up to a
 * separator or '<'; but a URL in it (a target written bare) is one piece
 * up to whitespace, since its userinfo may hold ',', ';' or '<'
 * (http://bob:a,b@h: cut at the ',', "http://bob:a" has no '@' to mask).
 * Text before the URL's scheme is a piece of its own.
 */
static size_t bare_piece_len(const char *q)
{
    size_t len = strcspn(q, LINK_TEXT_SEPARATORS "<"), whole = strcspn(q, " \t");
    const char *sep = NULL;
    for (size_t i = 0; i + 3 <= whole && !sep; i++)
        if (strncmp(q + i, "://", 3) == 0)
            sep = q + i;
    if (!sep)
        return len;
    const char *scheme = sep;
    while (scheme > q && (isalnum((unsigned char)scheme[-1]) || strchr("+.-", scheme[-1])))
        scheme--;
    if (scheme == q)
        return whole;
    return len < (size_t)(scheme - q) ? len : (size_t)(scheme - q);
}

/*
 * q for a message, piece by piece: each <target> redacted as the URL it
 * is, and each word of the text between targets as url_redact() takes it
 * (a target written without its angle brackets is such a word). Redacted
 * whole, as one URL, a second link's first parameter was read as the
 * value of the first one's last, and printed with it ("rel=\"prev\",
 * <http://h/?api_key=VALUE"), and a user:password@ of a target after the
 * first was never masked (t_link_malformed_secret,
 * t_link_bare_target_secret, t_link_bare_comma_secret). A piece of 512
 * bytes or more is shown as "...".
 */
static const char *redact_links(const char *q, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    while (*q && n + 1 < size) {
        int target = *q == '<';
        size_t sep = target ? 0 : strspn(q, LINK_TEXT_SEPARATORS);
        if (sep > 0) { /* separators as they are */
            n += (size_t)snprintf(buf + n, size - n, "%.*s", (int)sep, q);
            q += sep;
        } else {
            size_t len = target ? strcspn(q + 1, ">") : bare_piece_len(q);
            char piece[512], red[512];
            /* cut, a piece could lose the '@' that marks its password */
            if (len >= sizeof(piece)) {
                snprintf(red, sizeof(red), "...");
            } else {
                memcpy(piece, q + target, len);
                piece[len] = '\0';
                url_redact(piece, red, sizeof(red));
            }
            n += (size_t)snprintf(buf + n, size - n, "%s%s", target ? "<" : "", red);
            q += target + len;
        }
        if (n >= size)
            n = size - 1;
    }
    buf[n] = '\0';
    return buf;
}

int link_find(const char *field, const char *rel, const char *base, char **out, char *errstr,
              size_t errstr_size)
{
    link_list_t l;
    *out = NULL;
    if (link_parse(field, &l) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (!link_rel_has(l.v[i].rel, rel))
            continue;
        char why[600];
        if (url_resolve(base, l.v[i].target, out, why, sizeof(why)) != 0 ||
            url_check_follow(base, *out, why, sizeof(why)) != 0) {
            free(*out);
            *out = NULL;
            errstr_set(errstr, errstr_size, "Link rel=\"%s\": %s", rel, why);
            rc = -1;
        } else {
            rc = 1;
        }
        break;
    }
    if (rc == 0 && l.malformed) {
        /* each piece redacted whole, then cut: cut first, a target could
         * lose the '@' that marks its password (t_link_cut_secret). Only
         * the pieces shown are redacted: the whole of a 1 MiB field of
         * short words took minutes (each bare word looks ahead for a URL). */
        char *flat = strdup(field), shown[LINK_SHOWN_MAX + 2];
        if (flat) {
            for (char *c = flat; *c; c++)
                if ((unsigned char)*c < 0x20)
                    *c = ' ';
            redact_links(flat, shown, sizeof(shown));
            errstr_set(errstr, errstr_size,
                       "a Link header could not be parsed and holds no well-formed rel=\"%s\" "
                       "(cannot tell whether a page follows): '%.*s%s'",
                       rel, (int)utf8_cut(shown, LINK_SHOWN_MAX), shown,
                       strlen(shown) > LINK_SHOWN_MAX ? "..." : "");
        } else {
            errstr_set(errstr, errstr_size, "out of memory");
        }
        free(flat);
        rc = -1;
    }
    link_list_clear(&l);
    return rc;
}
