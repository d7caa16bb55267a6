/*
 * fuzz_config.c - the configuration reader on any file content:
 * config_load takes a path, so the input goes to a memfd read through
 * /proc/self/fd. Properties: success gives a tree whose every stream has
 * the required keys; failure gives a reason that names the file.
 */
#define _GNU_SOURCE
#include "fuzz.h"
#include <sys/mman.h>
#include <unistd.h>
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    char err[1024];
    tm_config_t *conf = NULL;

    if (fd < 0) {
        fd = memfd_create("tidemark.conf", 0);
        FUZZ_CHECK(fd >= 0, "memfd_create");
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        setenv("TM_FUZZ_SET", "value", 1);
        unsetenv("TM_FUZZ_UNSET");
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate");
    FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size, "pwrite");

    err[0] = '\0';
    if (config_load(path, &conf, err, sizeof(err)) == 0) {
        FUZZ_CHECK(conf != NULL, "0 without a tree");
        FUZZ_CHECK(conf->bootstrap_servers != NULL, "no bootstrap.servers");
        for (size_t i = 0; i < conf->n_streams; i++) {
            const stream_conf_t *sc = &conf->streams[i];
            FUZZ_CHECK(sc->name && sc->url && sc->schema_path && sc->table && sc->id_field &&
                           sc->cursor_field && sc->records_path,
                       "stream %zu lacks a key", i);
            FUZZ_CHECK(config_stream(conf, sc->name) != NULL, "stream '%s' not found", sc->name);
        }
        config_destroy(conf);
    } else {
        FUZZ_CHECK(conf == NULL, "-1 with a tree");
        FUZZ_CHECK(strstr(err, path) != NULL, "reason without the file: %s", err);
    }
    /* the value parsers, on the whole input as one value */
    char *s = fuzz_cstr(data, size);
    int64_t v;
    double d;
    if (config_parse_duration(s, &v) == 0)
        FUZZ_CHECK(v >= 0, "duration '%s' = %lld", s, (long long)v);
    if (config_parse_size(s, &v) == 0)
        FUZZ_CHECK(v >= 0, "size '%s' = %lld", s, (long long)v);
    if (config_parse_number(s, &d) == 0)
        FUZZ_CHECK(d >= 0, "number '%s' = %g", s, d);
    char *x = config_expand_env(s, err, sizeof(err));
    free(x);
    free(s);
    return 0;
}
