/* test_config_docs.c - every key of the table in common/config.c is
 * documented: in README.md, and as a key line in the right section of
 * tidemark.conf.example, which loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static void test_example_loads(void **state)
{
    tm_config_t *c = NULL;
    char err[512] = "";
    (void)state;
    if (config_load("../../tidemark.conf.example", &c, err, sizeof(err)) != 0)
        fail_msg("tidemark.conf.example: %s", err);
    const stream_conf_t *s = config_stream(c, "customers");
    assert_non_null(s);
    assert_string_equal(s->url, "http://127.0.0.1:8080/customers");
    assert_string_equal(s->schema_path, "../../schemas/customer.avsc");
    assert_string_equal(s->cursor_field, "last_modified");
    assert_string_equal(s->cursor_param, "modified_since");
    assert_string_equal(s->deleted_url, "http://127.0.0.1:8080/customers/deleted");
    assert_string_equal(s->soft_delete_field, "is_deleted");
    assert_null(s->auth_header);
    assert_int_equal(access(s->schema_path, R_OK), 0);
    config_destroy(c);
}

/* Is key written as a key line ("key =", maybe commented out) inside the
 * right section of the example? Top-level keys must come before any
 * section; "stream" keys inside a [stream NAME]. */
static int example_has(const char *text, const char *entry)
{
    char section[32] = "", want_sec[32] = "";
    const char *key = strchr(entry, ' ');
    if (key) {
        snprintf(want_sec, sizeof(want_sec), "%.*s", (int)(key - entry), entry);
        key++;
    } else {
        key = entry;
    }
    for (const char *line = text; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '[') {
            sscanf(p + 1, "%31[a-z_]", section);
            continue;
        }
        if (*p == ';' || *p == '#')
            p++;
        while (*p == ' ')
            p++;
        size_t kl = strlen(key);
        if (strncmp(p, key, kl) == 0 && (p[kl] == ' ' || p[kl] == '=') &&
            strcmp(section, want_sec) == 0)
            return 1;
    }
    return 0;
}

static void test_example_documents_every_key(void **state)
{
    char *text = read_file("../../tidemark.conf.example");
    int missing = 0;
    (void)state;
    assert_non_null(text);
    for (const char *const *k = config_documented_keys(); *k; k++) {
        if (!example_has(text, *k)) {
            print_error("tidemark.conf.example lacks '%s'\n", *k);
            missing++;
        }
    }
    free(text);
    assert_int_equal(missing, 0);
}

/* A key's bare name as a word of its own: "url" is not found inside
 * "deleted.url". */
static int has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        char before = p == text ? ' ' : p[-1], after = p[n];
        int bound_before = !(before == '.' || before == '_' || before == '-' ||
                             (before >= 'a' && before <= 'z') || (before >= '0' && before <= '9'));
        int bound_after = !(after == '.' || after == '_' || after == '-' ||
                            (after >= 'a' && after <= 'z') || (after >= '0' && after <= '9'));
        /* a trailing "." that ends a sentence is still a boundary */
        if (after == '.' && !((p[n + 1] >= 'a' && p[n + 1] <= 'z')))
            bound_after = 1;
        if (bound_before && bound_after)
            return 1;
    }
    return 0;
}

static void test_readme_documents_every_key(void **state)
{
    char *text = read_file("../../README.md");
    int missing = 0;
    (void)state;
    if (!text)
        fail_msg("../../README.md is missing (the lead writes it)");
    for (const char *const *k = config_documented_keys(); *k; k++) {
        const char *bare = strchr(*k, ' ') ? strchr(*k, ' ') + 1 : *k;
        if (!has_word(text, bare)) {
            print_error("README.md lacks '%s'\n", bare);
            missing++;
        }
    }
    free(text);
    assert_int_equal(missing, 0);
}

static void test_documented_keys_shape(void **state)
{
    int seen_url = 0, seen_fmt = 0, seen_ms = 0;
    (void)state;
    const char *const *keys = config_documented_keys();
    for (const char *const *k = keys; *k; k++) {
        seen_url |= strcmp(*k, "stream url") == 0;
        seen_fmt |= strcmp(*k, "log.format") == 0;
        seen_ms |= strcmp(*k, "worker batch.max.ms") == 0;
        for (const char *const *j = keys; j < k; j++)
            if (strcmp(*j, *k) == 0)
                fail_msg("'%s' is in the table twice", *k);
    }
    assert_true(seen_url && seen_fmt && seen_ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_loads),
        cmocka_unit_test(test_example_documents_every_key),
        cmocka_unit_test(test_documented_keys_shape),
        cmocka_unit_test(test_readme_documents_every_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
