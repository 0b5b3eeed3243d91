/* lru.h — a fixed-capacity least-recently-used cache of byte values under 64-bit keys.
 *
 * Used where memory must stay bounded whatever the workload: route query results
 * (engine_routes.c) and history profile tiles (tile_mode.c); web/lru.js exposes it to JavaScript
 * for the benchmarks. Capacity is fixed at creation in entries AND in bytes;
 * everything is allocated by fc_lru_create() in one block and nothing allocates afterwards.
 * get / put / delete / evict are O(1) (plus the O(len) copy of the value itself).
 *
 * Storage, all inside the one block:
 *   - entries[max_entries], 24 bytes each: key (8), recency prev/next (4 + 4, an intrusive
 *     doubly linked list, most recent at the head), first value chunk (4), value length (4).
 *     Free entries are chained through `next`.
 *   - the hash index: 2 * max_entries uint32 slots, open addressing with linear probing at load
 *     <= 0.5; deletion shifts later slots back, so there are no tombstones and probe lengths
 *     never degrade. The home slot is (hash_hi * n_slots) >> 32 (multiply-shift range
 *     reduction: no power-of-two rounding, so the index is exactly 8 bytes per entry). A slot
 *     word packs three fields: the entry index + 1 in the low ceil(log2(max_entries + 1)) bits
 *     (0 = empty), then up to 4 bits of displacement from the home slot (saturating at 15),
 *     then a tag of the hash's low bits in what is left (11 bits at 100,000 entries; fewer for
 *     bigger caches, none from 2^27 entries on; from 2^28 the displacement shrinks too). A probe reads an entry's key only when the tag
 *     matches, so a miss touches the index and almost no entries; the backward shift of a
 *     delete decides from the displacement, reading a key only when it saturated. Load 0.5
 *     rather than 0.8 costs 3 bytes per entry and halved the time per access
 *     (PERFORMANCE.md, "LRU cache and route queries").
 *   - the value arena: floor(max_bytes / chunk_bytes) chunks of chunk_bytes. A value is a
 *     chain of chunks; a chunk that continues stores the next chunk's index in its last 4
 *     bytes, so a value of len bytes takes 1 chunk when len <= chunk_bytes, else
 *     ceil((len - 4) / (chunk_bytes - 4)) chunks. Free chunks are chained the same way.
 *
 * The byte budget is charged in chunks: a value costs (chunks it takes) * chunk_bytes, which is
 * what fc_lru_stats reports as bytes in use. Since the arena holds exactly the budget, a put
 * never fails for lack of space once the least recent entries are evicted.
 *
 * Footprint (fc_lru_footprint): sizeof(fc_lru) + 24 * max_entries + 8 * max_entries +
 * floor(max_bytes / chunk_bytes) * chunk_bytes, i.e. exactly 32 bytes per entry of fixed
 * overhead beyond the (chunk-rounded) payload: 24 for the entry, 8 for the index. Choosing
 * chunk_bytes near the typical value size keeps the rounding small (8 for 8-byte values, 256
 * for multi-kilobyte route results). Example: 100,000 entries of 8-byte values with 8-byte
 * chunks take 4,000,000 bytes + the header (136 bytes natively, fewer in wasm32): 40 bytes per
 * entry, payload included.
 *
 * Values are copied out by get and copied in by put (no pointer into the arena ever leaves the
 * cache). fc_lru_access finds a missing key's insertion slot with the same probe as the lookup
 * (evictions on the way keep it current). Not thread-safe (each engine owns its caches). */
#ifndef FC_LRU_H
#define FC_LRU_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"

typedef struct fc_lru fc_lru;

/* The counters (fc_cache_stats, flowcast.h): hits and misses of fc_lru_get and fc_lru_access,
 * insertions (puts of a key not present; replacements are not counted), evictions (entries
 * dropped to make room; not deletes or clears), chunk-rounded bytes in use and their peak, entries,
 * capacities and the footprint. */
typedef fc_cache_stats fc_lru_stats;

#define FC_LRU_MAX_ENTRIES 0x7FFFFFFFu  /* indices are 32-bit with one value reserved */

/* Bytes fc_lru_create allocates for these capacities (0 when they are invalid). */
size_t fc_lru_footprint(uint32_t max_entries, size_t max_bytes, uint32_t chunk_bytes);

/* Creates a cache of at most max_entries values and max_bytes value bytes, values stored in
 * chunks of chunk_bytes (a multiple of 4, 8..65536, <= max_bytes). FC_E_ARG for a bad size,
 * FC_E_NOMEM when the block cannot be allocated. The caller frees *out with fc_lru_destroy. */
fc_status fc_lru_create(uint32_t max_entries, size_t max_bytes, uint32_t chunk_bytes, fc_lru **out);
void fc_lru_destroy(fc_lru *c);

/* Looks key up. On a hit the entry becomes the most recent, *len (if not NULL) gets the value's
 * length and, when it fits in cap bytes, the value is copied into out (out may be NULL with cap
 * 0 to ask only for the length). Returns FC_OK on a hit (even when cap was too small: then
 * nothing is copied; compare *len with cap), FC_E_NOT_FOUND on a miss. Counts a hit or a miss. */
fc_status fc_lru_get(fc_lru *c, uint64_t key, void *out, size_t cap, size_t *len);

/* The benchmark's access, one probe: get; on a miss, store a copy of val, inserted at the slot
 * the lookup's probe ended on. FC_OK on a hit, FC_E_NOT_FOUND on a miss (val now stored),
 * FC_E_TOO_LARGE on a miss with val too large (not stored). */
fc_status fc_lru_access(fc_lru *c, uint64_t key, void *out, size_t cap, size_t *len, const void *val, size_t val_len);

/* Stores a copy of len bytes under key (replacing any old value) as the most recent entry,
 * evicting least recent entries until both capacities hold. FC_E_TOO_LARGE when the value
 * alone needs more than the byte capacity (the cache is then unchanged). */
fc_status fc_lru_put(fc_lru *c, uint64_t key, const void *val, size_t len);

/* Removes key; returns 1 if it was present, 0 otherwise. */
int fc_lru_delete(fc_lru *c, uint64_t key);

/* Drops every entry (counters other than bytes/entries are kept). O(entries held). */
void fc_lru_clear(fc_lru *c);

void fc_lru_get_stats(const fc_lru *c, fc_lru_stats *out);

/* ---- probes for tests: they neither count nor change recency ---- */

/* Is key present? */
int fc_lru_contains(const fc_lru *c, uint64_t key);
/* Key of the least recent entry; 0 when empty (1 otherwise). */
int fc_lru_oldest(const fc_lru *c, uint64_t *key);

/* The home slot and tag key has in c's index (tests that force tag collisions). */
void fc_lru_debug_hash(const fc_lru *c, uint64_t key, uint32_t *home, uint32_t *tag);

#endif
