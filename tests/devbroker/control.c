/*
 * control.c - the devbroker's command FIFO: parsing and applying commands.
 * See control.h for the command list.
 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define CONTROL_LINE_MAX  1024
#define CONTROL_MAX_WORDS 8

struct control {
    char *path;
    int fd;
    rd_kafka_mock_cluster_t *mcluster; /* not owned */
    int broker_cnt;
    char buf[CONTROL_LINE_MAX];
    size_t len;
    int overlong; /* discarding the rest of a line that did not fit */
};

/* Kafka protocol API keys by name: the ones a test wants to fail. */
static const struct {
    const char *name;
    int16_t key;
} api_keys[] = {
    {"Produce", 0},          {"Fetch", 1},
    {"ListOffsets", 2},      {"Metadata", 3},
    {"OffsetCommit", 8},     {"OffsetFetch", 9},
    {"FindCoordinator", 10}, {"JoinGroup", 11},
    {"Heartbeat", 12},       {"LeaveGroup", 13},
    {"SyncGroup", 14},       {"ApiVersions", 18},
    {"InitProducerId", 22},  {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25}, {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
};

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_api(const char *s, int16_t *key)
{
    long v;
    for (size_t i = 0; i < sizeof(api_keys) / sizeof(api_keys[0]); i++) {
        if (!strcasecmp(s, api_keys[i].name)) {
            *key = api_keys[i].key;
            return 0;
        }
    }
    if (parse_long(s, 0, INT16_MAX, &v) == 0) {
        *key = (int16_t)v;
        return 0;
    }
    return -1;
}

/* Accepts librdkafka's error name with or without the RD_KAFKA_RESP_ERR_
 * prefix (NOT_LEADER_FOR_PARTITION, _TRANSPORT), or the numeric code. */
static int parse_error(const char *s, rd_kafka_resp_err_t *err)
{
    const struct rd_kafka_err_desc *descs;
    size_t cnt;
    long v;

    if (!strncasecmp(s, "RD_KAFKA_RESP_ERR_", 18))
        s += 18;
    rd_kafka_get_err_descs(&descs, &cnt);
    for (size_t i = 0; i < cnt; i++) {
        if (descs[i].name && !strcasecmp(s, descs[i].name)) {
            *err = descs[i].code;
            return 0;
        }
    }
    if (parse_long(s, INT_MIN, INT_MAX, &v) == 0) {
        *err = (rd_kafka_resp_err_t)v;
        return 0;
    }
    return -1;
}

/* Turns a mock function's status into ours. */
static int mock_result(rd_kafka_resp_err_t err, char *errstr, size_t errstr_size)
{
    if (!err)
        return 0;
    snprintf(errstr, errstr_size, "%s", rd_kafka_err2str(err));
    return -1;
}

static int cmd_broker(rd_kafka_mock_cluster_t *mc, char **w, int n, char *errstr,
                      size_t errstr_size)
{
    long id;
    if (n != 3 || parse_long(w[1], 0, INT32_MAX, &id)) {
        snprintf(errstr, errstr_size, "usage: broker ID down|up");
        return -1;
    }
    if (!strcasecmp(w[2], "down"))
        return mock_result(rd_kafka_mock_broker_set_down(mc, (int32_t)id), errstr, errstr_size);
    if (!strcasecmp(w[2], "up"))
        return mock_result(rd_kafka_mock_broker_set_up(mc, (int32_t)id), errstr, errstr_size);
    snprintf(errstr, errstr_size, "usage: broker ID down|up");
    return -1;
}

static int cmd_rtt(rd_kafka_mock_cluster_t *mc, char **w, int n, char *errstr, size_t errstr_size)
{
    long id, ms;
    if (n != 3 || parse_long(w[1], 0, INT32_MAX, &id) || parse_long(w[2], 0, INT_MAX, &ms)) {
        snprintf(errstr, errstr_size, "usage: rtt ID MS");
        return -1;
    }
    return mock_result(rd_kafka_mock_broker_set_rtt(mc, (int32_t)id, (int)ms), errstr, errstr_size);
}

static int cmd_fail(rd_kafka_mock_cluster_t *mc, char **w, int n, char *errstr, size_t errstr_size)
{
    int16_t api;
    long count;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT;

    if ((n != 3 && n != 4) || parse_long(w[2], 1, 100000, &count)) {
        snprintf(errstr, errstr_size, "usage: fail API COUNT [ERROR]");
        return -1;
    }
    if (parse_api(w[1], &api)) {
        snprintf(errstr, errstr_size, "unknown API \"%s\"", w[1]);
        return -1;
    }
    if (n == 4 && parse_error(w[3], &err)) {
        snprintf(errstr, errstr_size, "unknown error \"%s\"", w[3]);
        return -1;
    }
    rd_kafka_resp_err_t *errs = malloc(sizeof(*errs) * (size_t)count);
    if (!errs) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (long i = 0; i < count; i++)
        errs[i] = err;
    rd_kafka_mock_push_request_errors_array(mc, api, (size_t)count, errs);
    free(errs);
    return 0;
}

static int cmd_clear(rd_kafka_mock_cluster_t *mc, char **w, int n, char *errstr, size_t errstr_size)
{
    int16_t api;
    if (n != 2 || parse_api(w[1], &api)) {
        snprintf(errstr, errstr_size, "usage: clear API");
        return -1;
    }
    rd_kafka_mock_clear_request_errors(mc, api);
    return 0;
}

static int cmd_topic(rd_kafka_mock_cluster_t *mc, int replication, char **w, int n, char *errstr,
                     size_t errstr_size)
{
    long parts;
    if (n != 3 || parse_long(w[2], 1, 100000, &parts)) {
        snprintf(errstr, errstr_size, "usage: topic NAME PARTITIONS");
        return -1;
    }
    return mock_result(rd_kafka_mock_topic_create(mc, w[1], (int)parts, replication), errstr,
                       errstr_size);
}

static int cmd_leader(rd_kafka_mock_cluster_t *mc, char **w, int n, char *errstr,
                      size_t errstr_size)
{
    long part, id;
    if (n != 4 || parse_long(w[2], 0, INT32_MAX, &part) || parse_long(w[3], -1, INT32_MAX, &id)) {
        snprintf(errstr, errstr_size, "usage: leader TOPIC PARTITION ID");
        return -1;
    }
    return mock_result(rd_kafka_mock_partition_set_leader(mc, w[1], (int32_t)part, (int32_t)id),
                       errstr, errstr_size);
}

static int cmd_coordinator(rd_kafka_mock_cluster_t *mc, char **w, int n, char *errstr,
                           size_t errstr_size)
{
    long id;
    if (n != 4 || (strcmp(w[1], "group") && strcmp(w[1], "transaction")) ||
        parse_long(w[3], 0, INT32_MAX, &id)) {
        snprintf(errstr, errstr_size, "usage: coordinator group|transaction KEY ID");
        return -1;
    }
    return mock_result(rd_kafka_mock_coordinator_set(mc, w[1], w[2], (int32_t)id), errstr,
                       errstr_size);
}

int control_apply(rd_kafka_mock_cluster_t *mcluster, int broker_cnt, const char *line, char *errstr,
                  size_t errstr_size)
{
    static const struct {
        const char *name;
        int (*fn)(rd_kafka_mock_cluster_t *, char **, int, char *, size_t);
    } cmds[] = {
        {"broker", cmd_broker}, {"rtt", cmd_rtt},       {"fail", cmd_fail},
        {"clear", cmd_clear},   {"leader", cmd_leader}, {"coordinator", cmd_coordinator},
    };
    char copy[CONTROL_LINE_MAX];
    char *words[CONTROL_MAX_WORDS + 1];
    char *save = NULL;
    int n = 0;

    snprintf(copy, sizeof(copy), "%s", line);
    for (char *t = strtok_r(copy, " \t\r\n", &save); t && n <= CONTROL_MAX_WORDS;
         t = strtok_r(NULL, " \t\r\n", &save))
        words[n++] = t;
    if (n == 0 || n > CONTROL_MAX_WORDS) {
        snprintf(errstr, errstr_size, n ? "too many words" : "empty command");
        return -1;
    }
    if (!strcasecmp(words[0], "topic"))
        return cmd_topic(mcluster, broker_cnt < 3 ? broker_cnt : 3, words, n, errstr, errstr_size);
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (!strcasecmp(words[0], cmds[i].name))
            return cmds[i].fn(mcluster, words, n, errstr, errstr_size);
    snprintf(errstr, errstr_size,
             "unknown command \"%s\" (broker, rtt, fail, clear, topic, leader, "
             "coordinator)",
             words[0]);
    return -1;
}

static void apply_and_log(control_t *ctl, const char *line)
{
    char err[512], quoted[CONTROL_LINE_MAX];

    /* Blank lines and comments let scripts write readable batches. */
    line += strspn(line, " \t\r");
    if (!*line || *line == '#')
        return;
    snprintf(quoted, sizeof(quoted), "%s", line);
    quoted[strcspn(quoted, "\r")] = '\0';
    if (control_apply(ctl->mcluster, ctl->broker_cnt, quoted, err, sizeof(err)) == 0) {
        char msg[CONTROL_LINE_MAX + 8];
        snprintf(msg, sizeof(msg), "ok: %s", quoted);
        log_info(msg, "component=%s", "devbroker");
    } else {
        char msg[CONTROL_LINE_MAX + 600];
        snprintf(msg, sizeof(msg), "error: %s: %s", quoted, err);
        log_error(msg, "component=%s", "devbroker");
    }
}

/* Applies each complete line in the buffer and keeps the incomplete tail. */
static void consume_lines(control_t *ctl)
{
    char *start = ctl->buf, *nl;
    while ((nl = memchr(start, '\n', ctl->len - (size_t)(start - ctl->buf)))) {
        *nl = '\0';
        if (ctl->overlong)
            ctl->overlong = 0; /* the end of a line already reported */
        else
            apply_and_log(ctl, start);
        start = nl + 1;
    }
    ctl->len -= (size_t)(start - ctl->buf);
    memmove(ctl->buf, start, ctl->len);
    if (ctl->len == sizeof(ctl->buf) - 1) {
        log_error("error: command line too long, ignored", "component=%s", "devbroker");
        ctl->overlong = 1;
        ctl->len = 0;
    }
}

control_t *control_new(const char *path, rd_kafka_mock_cluster_t *mcluster, int broker_cnt,
                       char *errstr, size_t errstr_size)
{
    struct stat st;
    control_t *ctl;

    if (lstat(path, &st) == 0) {
        if (!S_ISFIFO(st.st_mode)) {
            snprintf(errstr, errstr_size, "%s: exists and is not a FIFO", path);
            return NULL;
        }
        unlink(path); /* a stale FIFO from an earlier run */
    }
    if (mkfifo(path, 0600) != 0) {
        snprintf(errstr, errstr_size, "%s: mkfifo: %s", path, strerror(errno));
        return NULL;
    }
    ctl = calloc(1, sizeof(*ctl));
    if (!ctl || !(ctl->path = strdup(path))) {
        snprintf(errstr, errstr_size, "out of memory");
        free(ctl);
        unlink(path);
        return NULL;
    }
    /* O_RDWR: we hold a writer ourselves, so a script closing its end
     * never gives us EOF, and the open does not block. */
    ctl->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (ctl->fd < 0) {
        snprintf(errstr, errstr_size, "%s: open: %s", path, strerror(errno));
        control_destroy(ctl);
        return NULL;
    }
    ctl->mcluster = mcluster;
    ctl->broker_cnt = broker_cnt;
    return ctl;
}

int control_poll(control_t *ctl, int timeout_ms, char *errstr, size_t errstr_size)
{
    struct pollfd pfd = {.fd = ctl->fd, .events = POLLIN};
    int r = poll(&pfd, 1, timeout_ms);

    if (r < 0) {
        if (errno == EINTR)
            return 0;
        snprintf(errstr, errstr_size, "%s: poll: %s", ctl->path, strerror(errno));
        return -1;
    }
    if (r == 0)
        return 0;
    for (;;) {
        ssize_t n = read(ctl->fd, ctl->buf + ctl->len, sizeof(ctl->buf) - 1 - ctl->len);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return 0;
            snprintf(errstr, errstr_size, "%s: read: %s", ctl->path, strerror(errno));
            return -1;
        }
        if (n == 0)
            return 0;
        ctl->len += (size_t)n;
        consume_lines(ctl);
    }
}

void control_destroy(control_t *ctl)
{
    if (!ctl)
        return;
    if (ctl->fd >= 0)
        close(ctl->fd);
    if (ctl->path)
        unlink(ctl->path);
    free(ctl->path);
    free(ctl);
}
