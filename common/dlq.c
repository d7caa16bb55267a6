/*
 * dlq.c - see dlq.h.
 */
#include "dlq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Room the producer keeps for the key, the headers and Kafka's framing. */
#define PRODUCER_OVERHEAD_BYTES 16384

/* Room kept for the record's own framing (Kafka's record and batch
 * headers, varints): generous, so that a cut dead letter always fits. */
#define FRAMING_BYTES 1024

/* The widest a size printed in decimal gets. */
#define SIZE_DIGITS 20

static const char *stage_name(dlq_stage_t stage)
{
    return stage == DLQ_STAGE_WORKER ? "worker" : "producer";
}

/* The value of tidemark.truncated, or NULL when nothing was cut. */
static const char *truncated_value(const dlq_letter_t *l)
{
    int key_cut = l->key_len < l->orig_key_len;
    int value_cut = l->value_len < l->orig_value_len;
    if (!key_cut && !value_cut)
        return NULL;
    if (l->stage == DLQ_STAGE_PRODUCER)
        return "true";
    return key_cut && value_cut ? "key,value" : key_cut ? "key" : "value";
}

/* in as UTF-8 into out (see dlq_headers_t.error, dlq_text_dup): whole
 * characters and escapes only, as many as fit. */
static void error_text(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = in; *p;) {
        size_t n = (unsigned char)*p < 0x80 ? 1 : utf8_seq((const unsigned char *)p, strnlen(p, 4));
        size_t w = n ? n : 4; /* \xNN */
        if (o + w >= size)
            break;
        if (n)
            memcpy(out + o, p, n);
        else
            snprintf(out + o, 5, "\\x%02x", (unsigned char)*p);
        o += w;
        p += n ? n : 1;
    }
    out[o] = '\0';
}

char *dlq_text_dup(const char *text)
{
    size_t size = 4 * strlen(text ? text : "") + 1; /* each byte \xNN at most */
    char *out = malloc(size);
    if (out)
        error_text(text ? text : "", out, size);
    return out;
}

static void add(dlq_headers_t *out, const char *name, const char *value)
{
    out->h[out->n++] = (kafka_header_t){name, value};
}

void dlq_headers_build(const dlq_letter_t *l, dlq_headers_t *out)
{
    const char *truncated = truncated_value(l);
    out->n = 0;
    snprintf(out->original_size, sizeof(out->original_size), "%zu", l->orig_value_len);
    snprintf(out->original_key_size, sizeof(out->original_key_size), "%zu", l->orig_key_len);
    error_text(l->error ? l->error : "", out->error, sizeof(out->error));
    add(out, DLQ_HDR_ERROR, out->error);
    add(out, DLQ_HDR_STAGE, stage_name(l->stage));
    add(out, DLQ_HDR_SOURCE, l->source ? l->source : "");
    if (l->stage == DLQ_STAGE_WORKER || truncated)
        add(out, DLQ_HDR_ORIGINAL_SIZE, out->original_size);
    if (l->key_len < l->orig_key_len)
        add(out, DLQ_HDR_ORIGINAL_KEY_SIZE, out->original_key_size);
    if (truncated)
        add(out, DLQ_HDR_TRUNCATED, truncated);
}

size_t dlq_headers_size(const dlq_letter_t *l)
{
    size_t error_len = 4 * strlen(l->error ? l->error : ""); /* each byte \xNN at most */
    return strlen(DLQ_HDR_ERROR) + (error_len < DLQ_ERROR_MAX ? error_len : DLQ_ERROR_MAX) +
           strlen(DLQ_HDR_STAGE) + strlen(stage_name(l->stage)) + strlen(DLQ_HDR_SOURCE) +
           strlen(l->source ? l->source : "") + strlen(DLQ_HDR_ORIGINAL_SIZE) + SIZE_DIGITS +
           strlen(DLQ_HDR_ORIGINAL_KEY_SIZE) + SIZE_DIGITS + strlen(DLQ_HDR_TRUNCATED) +
           strlen("key,value");
}

void dlq_fit(size_t max_bytes, size_t headers_len, size_t key_len, size_t value_len,
             size_t *key_keep, size_t *value_keep)
{
    size_t room =
        max_bytes > headers_len + FRAMING_BYTES ? max_bytes - headers_len - FRAMING_BYTES : 0;
    *key_keep = key_len;
    *value_keep = value_len;
    if (key_len + value_len <= room)
        return;
    /* the key whole unless it would leave the payload less than half */
    size_t value_share = value_len < room / 2 ? value_len : room / 2;
    if (*key_keep > room - value_share)
        *key_keep = room - value_share;
    *value_keep = value_len < room - *key_keep ? value_len : room - *key_keep;
}

size_t dlq_copy_limit(size_t max_message_bytes)
{
    return max_message_bytes > 2 * PRODUCER_OVERHEAD_BYTES
               ? max_message_bytes - PRODUCER_OVERHEAD_BYTES
               : max_message_bytes / 2;
}

size_t dlq_truncate_utf8(const char *text, size_t len, size_t limit)
{
    if (len <= limit)
        return len;
    size_t n = limit;
    /* Step back over continuation bytes so that a character is not split. */
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    return n;
}
