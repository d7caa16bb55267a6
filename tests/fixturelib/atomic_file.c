/*
 * atomic_file.c - see atomic_file.h.
 */
#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int write_file_atomic(const char *path, const char *line, char *errstr, size_t errstr_size)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (!(f = fopen(tmp, "w"))) {
        snprintf(errstr, errstr_size, "%s.tmp: %s", path, strerror(errno));
        return -1;
    }
    if (fprintf(f, "%s\n", line) < 0 || fclose(f) != 0) {
        snprintf(errstr, errstr_size, "%s.tmp: write failed", path);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(errstr, errstr_size, "%s: rename: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
