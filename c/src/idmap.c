/* idmap.c — linear probing at a load factor of at most 1/2: short probe runs, and ids are
 * short strings, so FNV-1a is cheap enough and spreads sensor ids like "I285-CW-12.3" well. */
#include "idmap.h"
#include <stdlib.h>
#include <string.h>

uint32_t fc_idmap_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h;
}

/* Equal when k (NUL-terminated) has exactly the len bytes of key. Stops at k's NUL, so a key
 * with an embedded NUL never reads past the end of k. */
static int key_equal(const char *k, const char *key, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (k[i] != key[i] || k[i] == '\0') return 0;
    return k[len] == '\0';
}

static long probe(const fc_idmap *map, const char *key, size_t len, uint32_t *slot_out)
{
    uint32_t i = fc_idmap_hash(key, len) & map->mask;
    for (;;) {
        uint32_t v = map->slots[i];
        if (v == 0) {
            *slot_out = i;
            return -1;
        }
        const char *k = map->keys[v - 1];
        if (key_equal(k, key, len)) {
            *slot_out = i;
            return (long)(v - 1);
        }
        i = (i + 1) & map->mask;
    }
}

long fc_idmap_build(fc_idmap *map, const char *const *keys, uint32_t n)
{
    uint32_t cap = 16;
    while (cap < 2u * n) cap <<= 1;
    map->slots = calloc(cap, sizeof *map->slots);
    if (!map->slots) return -1;
    map->mask = cap - 1;
    map->keys = keys;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t slot;
        if (probe(map, keys[i], strlen(keys[i]), &slot) >= 0) {
            fc_idmap_free(map);
            return 1 + (long)i;
        }
        map->slots[slot] = i + 1;
    }
    return 0;
}

void fc_idmap_free(fc_idmap *map)
{
    free(map->slots);
    map->slots = NULL;
    map->mask = 0;
}

long fc_idmap_find(const fc_idmap *map, const char *key, size_t len)
{
    uint32_t slot;
    if (!map->slots) return -1;
    return probe(map, key, len, &slot);
}

long fc_idmap_find_hinted(const fc_idmap *map, const char *key, size_t len, uint32_t hint, uint32_t n)
{
    /* ids are unique, so a match at the hint is the index the hash would find */
    if (hint < n && key_equal(map->keys[hint], key, len)) return (long)hint;
    return fc_idmap_find(map, key, len);
}
