/*
 * fuzz_oauth2_token.c - a token endpoint's answer: oauth2_token_parse,
 * oauth2_error_describe and oauth2_scrub over the bytes. Properties: a
 * token accepted is non-empty visible ASCII (it goes into a header line)
 * with an expiry unknown or within 1 s .. a year; an error's summary is
 * printable ASCII holding neither the secret nor the Basic credentials'
 * base64; a scrubbed message no longer holds the secret.
 */
#include "fuzz.h"
#include "oauth2_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    oauth2_token_t t;
    char err[256], said[512];

    if (oauth2_token_parse((const char *)data, size, &t, err, sizeof(err)) == 0) {
        size_t n = strlen(t.access_token);
        FUZZ_CHECK(n > 0 && n <= OAUTH2_MAX_TOKEN, "token of %zu bytes", n);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(t.access_token[i] > 0x20 && t.access_token[i] < 0x7f, "byte %zu: 0x%02x", i,
                       (unsigned char)t.access_token[i]);
        FUZZ_CHECK(t.expires_in_ms == OAUTH2_EXPIRES_UNKNOWN ||
                       (t.expires_in_ms >= OAUTH2_MIN_EXPIRES_MS &&
                        t.expires_in_ms <= OAUTH2_MAX_EXPIRES_MS),
                   "expires_in_ms %lld", (long long)t.expires_in_ms);
        oauth2_token_clear(&t);
    }
    static const char *const secrets[] = {"s3cr3t", "Y2xpZW50OnMzY3IzdA==", NULL};
    oauth2_error_describe((const char *)data, size, secrets, said, sizeof(said));
    for (const char *p = said; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p < 0x7f, "summary byte 0x%02x", (unsigned char)*p);
    FUZZ_CHECK(!strstr(said, "s3cr3t"), "the secret is in the summary '%s'", said);
    FUZZ_CHECK(!strstr(said, "Y2xpZW50OnMzY3IzdA=="), "the Basic credentials are in '%s'", said);
    char *s = fuzz_cstr(data, size);
    oauth2_scrub(s, "s3cr3t");
    FUZZ_CHECK(!strstr(s, "s3cr3t"), "the secret is still in '%s'", s);
    free(s);
    return 0;
}
