/*
 * oauth2_token.c - the token request's parts and the answer's reading
 * (see oauth2_token.h).
 */
#include "oauth2_token.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "basic_auth.h"
#include "errstr.h"
#include "jsonnum.h"
#include "utf8.h"

#define DESCRIBE_PART_MAX 200

void oauth2_token_clear(oauth2_token_t *t)
{
    free(t->access_token);
    t->access_token = NULL;
    t->expires_in_ms = OAUTH2_EXPIRES_UNKNOWN;
}

static int64_t clamp_expiry(double secs)
{
    if (isnan(secs) || secs * 1000.0 < (double)OAUTH2_MIN_EXPIRES_MS)
        return OAUTH2_MIN_EXPIRES_MS;
    if (secs * 1000.0 > (double)OAUTH2_MAX_EXPIRES_MS)
        return OAUTH2_MAX_EXPIRES_MS;
    return (int64_t)(secs * 1000.0);
}

/* expires_in: a number, a string of digits, or absent/null. */
static int read_expiry(const json_t *v, int64_t *ms, char *errstr, size_t errstr_size)
{
    *ms = OAUTH2_EXPIRES_UNKNOWN;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_number(v)) {
        *ms = clamp_expiry(json_number_value(v));
        return 0;
    }
    /* digits, with a fraction or not; any length (clamped to a year) */
    const char *s = json_string_value(v);
    if (!s || !jsonnum_is_plain_unsigned(s)) {
        errstr_set(errstr, errstr_size, "expires_in is not a number of seconds");
        return -1;
    }
    *ms = clamp_expiry(strtod(s, NULL));
    return 0;
}

/* Visible ASCII only: the token becomes part of a header line. */
static int token_ok(const char *s, size_t n, char *errstr, size_t errstr_size)
{
    if (n == 0) {
        errstr_set(errstr, errstr_size, "access_token is empty");
        return -1;
    }
    if (n > OAUTH2_MAX_TOKEN) {
        errstr_set(errstr, errstr_size, "access_token is longer than %d bytes", OAUTH2_MAX_TOKEN);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f) {
            errstr_set(errstr, errstr_size,
                       "access_token holds a character a header cannot carry (byte 0x%02x at %zu)",
                       c, i);
            return -1;
        }
    }
    return 0;
}

int oauth2_token_parse(const char *body, size_t len, oauth2_token_t *out, char *errstr,
                       size_t errstr_size)
{
    out->access_token = NULL;
    out->expires_in_ms = OAUTH2_EXPIRES_UNKNOWN;
    json_error_t jerr;
    /* integers as reals: an expires_in past int64 is clamped, not a
     * refused answer */
    size_t bom = utf8_bom(body, len);
    json_t *root =
        json_loadb(body + bom, len - bom, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
    if (!root || !json_is_object(root)) {
        /* jansson's text quotes the input "near" the error, which may be
         * the token: what it says before that, and the place */
        char *near = strstr(jerr.text, " near ");
        if (near)
            *near = '\0';
        if (root)
            errstr_set(errstr, errstr_size, "the answer is not a JSON object");
        else
            errstr_set(errstr, errstr_size, "the answer is not a JSON object: %s at byte %d",
                       jerr.text, jerr.position);
        json_decref(root);
        return -1;
    }
    int rc = -1;
    const json_t *tok = json_object_get(root, "access_token");
    const json_t *type = json_object_get(root, "token_type");
    if (!json_is_string(tok)) {
        errstr_set(errstr, errstr_size, "access_token is missing or not a string");
    } else if (token_ok(json_string_value(tok), json_string_length(tok), errstr, errstr_size) !=
               0) {
        /* errstr says why */
    } else if (type && !(json_is_string(type) && !strcasecmp(json_string_value(type), "bearer"))) {
        errstr_set(errstr, errstr_size, "token_type is not Bearer (only Bearer tokens are sent)");
    } else if (read_expiry(json_object_get(root, "expires_in"), &out->expires_in_ms, errstr,
                           errstr_size) == 0) {
        out->access_token = strdup(json_string_value(tok));
        rc = out->access_token ? 0 : -1;
        if (rc)
            errstr_set(errstr, errstr_size, "out of memory");
    }
    json_decref(root);
    return rc;
}

/* Printable ASCII of s, at most DESCRIBE_PART_MAX bytes, appended; s
 * cleared of secrets first (after the cut, a secret across it would leave
 * its first bytes). */
static void append_printable(char *buf, size_t size, const char *s, const char *const *secrets)
{
    char *own = secrets ? strdup(s) : NULL;
    if (own) {
        oauth2_scrub_all(own, secrets);
        s = own;
    } else if (secrets) {
        s = "(not shown)"; /* out of memory: nothing rather than the secret */
    }
    size_t o = strlen(buf);
    for (size_t i = 0; s[i] && i < DESCRIBE_PART_MAX && o + 1 < size; i++)
        if (s[i] >= 0x20 && s[i] < 0x7f)
            buf[o++] = s[i];
    buf[o] = '\0';
    free(own);
}

const char *oauth2_error_describe(const char *body, size_t len, const char *const *secrets,
                                  char *buf, size_t size)
{
    if (!size)
        return buf;
    buf[0] = '\0';
    size_t bom = utf8_bom(body, len);
    json_t *root = body ? json_loadb(body + bom, len - bom, 0, NULL) : NULL;
    const char *err = json_string_value(json_object_get(root, "error"));
    const char *desc = json_string_value(json_object_get(root, "error_description"));
    if (err) {
        append_printable(buf, size, err, secrets);
        if (desc && *desc) {
            append_printable(buf, size, " (", NULL);
            append_printable(buf, size, desc, secrets);
            append_printable(buf, size, ")", NULL);
        }
    }
    json_decref(root);
    if (secrets) /* once more: the control characters dropped may have split one */
        oauth2_scrub_all(buf, secrets);
    return buf;
}

static void scrub_text(char *s, const char *secret)
{
    size_t n = strlen(secret);
    if (n < 3)
        return;
    for (char *p = s; (p = strstr(p, secret)); p += 3) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

/* A quote cut short before "...": producer/jsonscan.c quotes a bad
 * value's first 40 bytes, so a longer secret shows its head there, which
 * the search for the whole one does not find. The longest head of 8
 * bytes or more (a shorter word cut there is not taken for one) right
 * before the dots becomes "***". */
static void scrub_cut_heads(char *s, const char *secret)
{
    size_t n = strlen(secret);
    if (n <= 8)
        return;
    for (char *dots = s; (dots = strstr(dots, "...")); dots += 3) {
        size_t before = (size_t)(dots - s), k = n - 1 < before ? n - 1 : before;
        while (k >= 8 && memcmp(dots - k, secret, k) != 0)
            k--;
        if (k < 8)
            continue;
        char *head = dots - k;
        memcpy(head, "***", 3);
        memmove(head + 3, dots, strlen(dots) + 1);
        dots = head + 3;
    }
}

void oauth2_scrub(char *s, const char *secret)
{
    scrub_text(s, secret);
    scrub_cut_heads(s, secret);
    /* as the request body and the Basic credentials carry it: a server
     * may echo what it received */
    char *form = oauth2_form_encode(secret);
    if (form && strcmp(form, secret) != 0)
        scrub_text(s, form);
    free(form);
}

void oauth2_scrub_all(char *s, const char *const *secrets)
{
    for (size_t i = 0; secrets && secrets[i]; i++)
        oauth2_scrub(s, secrets[i]);
}

int oauth2_refresh_due(int64_t obtained_ms, int64_t expires_in_ms, int64_t now_ms)
{
    if (expires_in_ms < 0)
        return 0;
    int64_t margin = expires_in_ms / 10;
    if (margin > OAUTH2_MAX_MARGIN_MS)
        margin = OAUTH2_MAX_MARGIN_MS;
    return now_ms >= obtained_ms + expires_in_ms - margin;
}

int oauth2_expired(int64_t obtained_ms, int64_t expires_in_ms, int64_t now_ms)
{
    return expires_in_ms >= 0 && now_ms >= obtained_ms + expires_in_ms;
}

char *oauth2_form_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._*", *p)) {
            *o++ = (char)*p;
        } else if (*p == ' ') {
            *o++ = '+';
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

char *oauth2_basic_header(const char *client_id, const char *client_secret)
{
    char *id = oauth2_form_encode(client_id), *secret = oauth2_form_encode(client_secret);
    char *pair = NULL, *out = NULL;
    if (id && secret && (pair = malloc(strlen(id) + strlen(secret) + 2))) {
        size_t n = (size_t)sprintf(pair, "%s:%s", id, secret);
        out = basic_auth_header(pair, n);
    }
    free(id);
    free(secret);
    free(pair);
    return out;
}

char *oauth2_request_body(const char *scope)
{
    static const char grant[] = "grant_type=client_credentials";
    char *enc = scope ? oauth2_form_encode(scope) : NULL;
    if (scope && !enc)
        return NULL;
    char *out = malloc(sizeof(grant) + (enc ? strlen(enc) + 7 : 0));
    if (out)
        sprintf(out, "%s%s%s", grant, enc ? "&scope=" : "", enc ? enc : "");
    free(enc);
    return out;
}
