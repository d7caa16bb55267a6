/*
 * basic_auth.c - the HTTP Basic header (see basic_auth.h).
 */
#include "basic_auth.h"

#include <stdlib.h>
#include <string.h>

/* Standard base64 with '=' padding of n bytes into out (4 * ceil(n/3) + 1). */
static void base64_encode(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t full = n / 3 * 3;
    for (size_t i = 0; i < full; i += 3) {
        unsigned long w = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
        for (int k = 0; k < 4; k++)
            *out++ = alphabet[(w >> (18 - 6 * k)) & 63];
    }
    if (n > full) {
        unsigned long w = (unsigned long)in[full] << 16;
        if (n - full == 2)
            w |= (unsigned long)in[full + 1] << 8;
        *out++ = alphabet[(w >> 18) & 63];
        *out++ = alphabet[(w >> 12) & 63];
        *out++ = n - full == 2 ? alphabet[(w >> 6) & 63] : '=';
        *out++ = '=';
    }
    *out = '\0';
}

char *basic_auth_header(const char *user_pass, size_t len)
{
    static const char prefix[] = "Authorization: Basic ";
    char *out = malloc(sizeof(prefix) + (len + 2) / 3 * 4);
    if (out) {
        memcpy(out, prefix, sizeof(prefix) - 1);
        base64_encode((const unsigned char *)user_pass, len, out + sizeof(prefix) - 1);
    }
    return out;
}
