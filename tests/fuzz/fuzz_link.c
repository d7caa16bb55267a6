/*
 * fuzz_link.c - Link header fields (RFC 8288): link_parse, then
 * link_find(rel="next") against an https base. Properties: every parsed
 * link-value has a target; a target found is an http(s) URL that may be
 * followed from the base.
 */
#include "fuzz.h"
#include "link.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const bases[] = {"https://api.example.com/v1/items?page=2",
                                        "http://h:8080/a/b/c;p?q#f"};
    char *s = fuzz_cstr(data, size), err[512];
    link_list_t l = {0};

    if (link_parse(s, &l) == 0) {
        for (size_t i = 0; i < l.n; i++) {
            FUZZ_CHECK(l.v[i].target != NULL, "link-value %zu without a target", i);
            if (l.v[i].rel)
                (void)link_rel_has(l.v[i].rel, "next");
        }
        link_list_clear(&l);
    }
    for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
        char *out = NULL;
        int rc = link_find(s, "next", bases[b], &out, err, sizeof(err));
        FUZZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
        if (rc == 1) {
            FUZZ_CHECK(out && (!strncmp(out, "http://", 7) || !strncmp(out, "https://", 8)),
                       "'%s' gives '%s'", s, out ? out : "(null)");
            FUZZ_CHECK(url_check_follow(bases[b], out, err, sizeof(err)) == 0,
                       "'%s' gives '%s', not to be followed: %s", s, out, err);
            (void)url_same_origin(bases[b], out);
            free(out);
        } else {
            FUZZ_CHECK(out == NULL, "rc %d with a target", rc);
        }
    }
    free(s);
    return 0;
}
