/*
 * customer.c - deterministic fake customers. Every derived field comes
 * from a hash of (seed, id), so any record can be rebuilt without storing
 * it, and the same --seed gives the same data set on every run.
 */
#include "customer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"

static const char *const countries[] = {"DE", "FR", "US", "JP", "BR", "NG", "IN", "GB"};
static const char *const tiers[] = {"bronze", "silver", "gold"};
static const char *const surnames[] = {
    "Schmidt", "Dubois", "Smith", "Tanaka", "Silva", "Okafor", "Sharma", "Jones",
    "Müller",  "Garcia", "Kim",   "Novak",  "Rossi", "Nguyen", "Cohen",  "Ivanova",
};
/* Names that break naive JSON, CSV and SQL handling: quotes, a tab, a
 * newline, a backslash, non-ASCII. */
static const char *const hard_names[] = {
    "Zoë \"Zed\" O'Brien", "Łukasz\tTab", "Line\nBreak", "東京 顧客", "Back\\slash C:\\tmp",
};
#define NELEM(a)        (sizeof(a) / sizeof((a)[0]))
#define HARD_NAME_EVERY 25 /* ids 2, 27, 52, ... */

/* splitmix64: a good spread from consecutive inputs, in four lines. */
static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static uint64_t hash(uint64_t seed, int64_t id, uint64_t salt)
{
    return mix(mix(seed) ^ mix((uint64_t)id * 31 + salt));
}

void customer_init(customer_t *c, uint64_t seed, int64_t id)
{
    uint64_t h = hash(seed, id, 1);

    memset(c, 0, sizeof(*c));
    c->id = id;
    if (h % 13 == 0)
        c->balance_cents = 0;
    else /* -2000.00 .. 7999.99: some negative */
        c->balance_cents = (int64_t)((h >> 16) % 1000000) - 200000;
}

static void format_balance(int64_t cents, char *buf, size_t size)
{
    int64_t a = cents < 0 ? -cents : cents;
    snprintf(buf, size, "%s%" PRId64 ".%02d", cents < 0 ? "-" : "", a / 100, (int)(a % 100));
}

static void format_name(const customer_t *c, uint64_t seed, char *buf, size_t size)
{
    const char *who;
    int n;

    if (c->id % HARD_NAME_EVERY == 2)
        who = hard_names[(c->id / HARD_NAME_EVERY) % (int64_t)NELEM(hard_names)];
    else
        who = surnames[hash(seed, c->id, 2) % NELEM(surnames)];
    n = snprintf(buf, size, "Customer %" PRId64 " %s", c->id, who);
    if (c->version && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, " v%" PRIu32, c->version);
}

void customer_fields(const customer_t *c, uint64_t seed, customer_fields_t *out)
{
    uint64_t h = hash(seed, c->id, 3);

    format_name(c, seed, out->name, sizeof(out->name));
    snprintf(out->email, sizeof(out->email), "customer%" PRId64 "@example.com", c->id);
    out->country = countries[h % NELEM(countries)];
    out->tier = tiers[(h >> 8) % NELEM(tiers)];
    format_balance(c->balance_cents, out->balance, sizeof(out->balance));
    if ((h >> 16) % 5 == 0)
        out->phone[0] = '\0';
    else
        snprintf(out->phone, sizeof(out->phone), "+49 30 %07u", (unsigned)((h >> 20) % 10000000));
    if ((h >> 44) % 7 == 3) {
        out->signup_date[0] = '\0';
    } else {
        /* 2020-01-01 (day 18262) plus up to ~5.5 years */
        int32_t day = 18262 + (int32_t)((h >> 48) % 2000);
        isotime_format_date(isotime_days_to_ms(day), out->signup_date, sizeof(out->signup_date));
    }
}

void customer_format_id(int64_t id, int string_ids, char *buf, size_t size)
{
    if (string_ids)
        snprintf(buf, size, "cus_%06" PRId64, id);
    else
        snprintf(buf, size, "%" PRId64, id);
}

int customer_parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v;

    if (!strncmp(s, "cus_", 4))
        s += 4;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < 1)
        return -1;
    *id = v;
    return 0;
}

static int id_digits(int64_t id)
{
    int d = 1;
    while (id >= 10) {
        id /= 10;
        d++;
    }
    return d < 6 ? 6 : d; /* "%06" pads to six */
}

int customer_id_cmp(int64_t a, int64_t b, int string_ids)
{
    if (string_ids && id_digits(a) != id_digits(b)) {
        char sa[32], sb[32];
        customer_format_id(a, 1, sa, sizeof(sa));
        customer_format_id(b, 1, sb, sizeof(sb));
        return strcmp(sa, sb);
    }
    return a < b ? -1 : a > b;
}
