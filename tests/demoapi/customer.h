/*
 * customer.h - what one demo customer is: the few fields that change
 * (stored), and the ones derived from (seed, id, version) on demand, so
 * that a million records fit in ~32 MB.
 *
 * Pure functions, no state, safe from any thread.
 */
#ifndef TIDEMARK_DEMOAPI_CUSTOMER_H
#define TIDEMARK_DEMOAPI_CUSTOMER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t id;            /* 1-based */
    int64_t cursor_ms;     /* last_modified, ms since the epoch (UTC) */
    int64_t balance_cents; /* changes with every update */
    uint32_t version;      /* 0 = as generated; the name gets " v<n>" */
    uint8_t is_deleted;    /* soft-deleted: still served */
} customer_t;

/* The derived fields, formatted. An empty phone or signup_date means null. */
typedef struct {
    char name[192];
    char email[64];
    const char *country;
    const char *tier;
    char balance[32]; /* "-1234.50": exactly two decimals */
    char phone[32];
    char signup_date[16]; /* "2024-03-01" */
} customer_fields_t;

/* A fresh customer id (version 0) of data set seed; cursor_ms left 0. */
void customer_init(customer_t *c, uint64_t seed, int64_t id);

void customer_fields(const customer_t *c, uint64_t seed, customer_fields_t *out);

/* 17 -> "17", or "cus_000017" with string_ids. */
void customer_format_id(int64_t id, int string_ids, char *buf, size_t size);

/* Accepts "17" or "cus_000017". Returns 0, or -1 if s is neither. */
int customer_parse_id(const char *s, int64_t *id) TM_WARN_UNUSED;

/* Orders ids the way the API sorts them: numerically, or as strings
 * ("cus_1000000" < "cus_999999") with string_ids. */
int customer_id_cmp(int64_t a, int64_t b, int string_ids);

#endif
