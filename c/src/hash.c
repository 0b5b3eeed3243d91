/* hash.c — 8 bytes per step, multiply-xorshift mixing. Digests cover tens of megabytes of
 * history, so a byte-at-a-time hash such as FNV-1a would dominate the tests that call it. */
#include "hash.h"
#include <string.h>

static uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

uint64_t fc_hash_bytes(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    h = mix(h, len);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix(h, w);
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, len);
    return mix(h, tail ^ ((uint64_t)len << 56));
}
