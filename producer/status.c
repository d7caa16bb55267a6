/*
 * status.c - the `status` command (see status.h).
 */
#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "duration.h"
#include "isotime.h"
#include "log.h"

static void print_row(FILE *out, const char *stream, const run_record_t *rr, int64_t now)
{
    if (!rr) {
        fprintf(out, "%-16s %-24s %-44s %-11s %-9s %10s %8s %-24s %s\n", stream, "-",
                "(no checkpoint)", "-", "-", "-", "-", "-", "-");
        return;
    }
    char hwm[ISOTIME_BUFSIZE] = "-", fin[ISOTIME_BUFSIZE] = "-", age[DURATION_BUFSIZE];
    if (rr->hwm.has_value)
        isotime_format(rr->hwm.value_ms, hwm, sizeof(hwm));
    if (rr->finished_at_ms)
        isotime_format(rr->finished_at_ms, fin, sizeof(fin));
    duration_format(now - (rr->finished_at_ms ? rr->finished_at_ms : rr->started_at_ms), age,
                    sizeof(age));
    fprintf(out, "%-16s %-24s %-44s %-11s %-9s %10lld %8lld %-24s %s\n", stream, hwm, rr->run_id,
            run_mode_name(rr->mode), run_status_name(rr->status), (long long)rr->records,
            (long long)rr->deletes, fin, age);
}

int status_command(const tm_config_t *conf, const char *only_stream, FILE *out)
{
    size_t n = conf->n_streams;
    const char **names = calloc(n ? n : 1, sizeof(*names));
    run_record_t **cps = calloc(n ? n : 1, sizeof(*cps));
    if (!names || !cps) {
        free(names);
        free(cps);
        log_error("out of memory", "%s", "");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = conf->streams[i].name;
    char err[512];
    if (checkpoint_read(conf, names, n, cps, err, sizeof(err)) != 0) {
        char q[600];
        log_error("cannot read the checkpoints", "error=%s", log_quote(q, sizeof(q), err));
        free(names);
        free(cps);
        return 1;
    }
    int64_t now = isotime_now_ms();
    fprintf(out, "%-16s %-24s %-44s %-11s %-9s %10s %8s %-24s %s\n", "STREAM", "HWM", "LAST RUN",
            "MODE", "STATUS", "RECORDS", "DELETES", "FINISHED", "AGE");
    for (size_t i = 0; i < n; i++) {
        if (!only_stream || strcmp(only_stream, names[i]) == 0)
            print_row(out, names[i], cps[i], now);
        run_record_destroy(cps[i]);
    }
    free(names);
    free(cps);
    return 0;
}
