/* idmap.h — an open-addressing hash index from string ids to dense indices 0..n-1. Built once
 * when a network loads; lookups (one per snapshot reading) never allocate. The map does not own
 * the strings: it points into the network's string pool, which outlives it. */
#ifndef FC_IDMAP_H
#define FC_IDMAP_H
#include <stddef.h>
#include <stdint.h>

typedef struct fc_idmap {
    uint32_t *slots;      /* index + 1 per slot, 0 = empty; capacity is a power of two */
    uint32_t mask;
    const char *const *keys; /* keys[i] is the NUL-terminated id of index i (not owned) */
} fc_idmap;

/* Builds an index over keys[0..n-1]. Returns 0, -1 on allocation failure, or 1 + the index of
 * the first key that repeats an earlier one (the map is freed in that case). */
long fc_idmap_build(fc_idmap *map, const char *const *keys, uint32_t n);
void fc_idmap_free(fc_idmap *map);
/* Index of key (len bytes, not NUL-terminated), or -1. */
long fc_idmap_find(const fc_idmap *map, const char *key, size_t len);
/* The same answer, trying index hint (< n keys) first: feeds list sensors in network order
 * more often than not, and one string compare is cheaper than a hash and a probe. */
long fc_idmap_find_hinted(const fc_idmap *map, const char *key, size_t len, uint32_t hint, uint32_t n);
uint32_t fc_idmap_hash(const char *key, size_t len);

#endif
