/* utf8.c — see utf8.h. A word-at-a-time ASCII fast path covers the common case: snapshot
 * payloads are almost entirely ASCII. */
#include "utf8.h"
#include <stdint.h>
#include <string.h>

/* True when none of the 8 bytes has the high bit set or is below 0x20. */
static int word_is_plain_ascii(uint64_t w)
{
    const uint64_t hi = 0x8080808080808080ull;
    /* (b - 0x20) borrows into bit 7 exactly when b < 0x20 (for b < 0x80). */
    uint64_t below_space = (w - 0x2020202020202020ull) & ~w & hi;
    return ((w & hi) | below_space) == 0;
}

size_t fc_utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (avail <= n) return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n + 1;
}

size_t fc_utf8_check(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (word_is_plain_ascii(w)) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
            i++;
            continue;
        }
        size_t n = fc_utf8_sequence(s + i, len - i);
        if (!n) return i;
        i += n;
    }
    return len;
}
