/*
 * reject.c - see reject.h.
 */
#include "reject.h"

#include <stdio.h>

#include "decode.h"

outcome_t reject_message(dlq_queue_t *dlq, const batch_msg_t *m, const char *stage, const char *why,
                         int *dead, size_t *count, char *errstr, size_t errstr_size)
{
    char reason[700];

    snprintf(reason, sizeof(reason), "%s: %s", stage, why);
    if (dead)
        *dead = 1;
    (*count)++;
    return decode_dead_letter(dlq, m, reason, errstr, errstr_size) < 0 ? OUTCOME_RETRY : OUTCOME_OK;
}
