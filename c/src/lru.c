/* lru.c — the fixed-capacity LRU cache (contract and memory layout: lru.h).
 *
 * Invariants: every used entry is in the recency list exactly once and in the index exactly
 * once; n_entries <= max_entries; chunks in use = n_chunks - n_free_chunks = sum over entries
 * of chunks_for(len); the index has at least one empty slot (n_slots > max_entries), so every
 * probe terminates. */
#include "lru.h"
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

typedef struct lru_entry {
    uint64_t key;
    uint32_t prev, next;  /* recency list (prev = more recent); next also chains free entries */
    uint32_t chunk;       /* first chunk of the value */
    uint32_t len;         /* value bytes */
} lru_entry;

_Static_assert(sizeof(lru_entry) == 24, "the documented per-entry overhead assumes 24 bytes");

/* A value being written in place: reserve_at inserts the entry (present and most recent from
 * then on) with room for len bytes, the bytes are copied in through next_span, and commit ends
 * the write. Nothing else touches the cache in between (the spans point into the arena). */
typedef struct reservation {
    uint32_t entry;     /* the reserved entry */
    uint32_t chunk;     /* the chunk next_span hands out next */
    uint32_t left;      /* value bytes not handed out yet */
    uint8_t replacing;  /* the key had a value before (commit then counts no insertion) */
} reservation;

struct fc_lru {
    uint32_t max_entries, n_slots, chunk_bytes, n_chunks;
    uint32_t emask;                      /* slot bits: entry index + 1 (low), */
    uint32_t dshift, dmax;               /* displacement from home at bit dshift, 0..dmax, */
    uint32_t tmask;                      /* and the tag (the bits above) */
    uint32_t n_entries;
    uint32_t free_entry, entry_hw;       /* free list, then never-used entries from entry_hw */
    uint32_t free_chunk, chunk_hw, n_free_chunks;
    uint32_t head, tail;                 /* most and least recent entry */
    lru_entry *entries;
    uint32_t *slots;                     /* tag | (entry index + 1), 0 = empty */
    unsigned char *arena;
    uint64_t hits, misses, insertions, evictions, peak_bytes;
    size_t footprint;
};

/* murmur3's 64-bit finaliser: callers' keys are often small or sequential integers */
static uint64_t mix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    return k ^ (k >> 33);
}

/* The home slot takes the hash's high 32 bits (multiply-shift range reduction), the tag its low
 * bits under tmask: independent bits, so keys whose probe runs meet (nearby homes) still differ
 * in their tags. */
static uint32_t home_of(const fc_lru *c, uint64_t h) { return (uint32_t)(((h >> 32) * (uint64_t)c->n_slots) >> 32); }
static uint32_t tag_of(const fc_lru *c, uint64_t h) { return (uint32_t)h & c->tmask; }

/* The displacement field of a slot word: the distance from the entry's home slot to its slot,
 * exact below dmax; dmax means "dmax or more" (then the key tells). */
static uint32_t disp_of(const fc_lru *c, uint32_t s) { return (s >> c->dshift) & c->dmax; }
static uint32_t with_disp(const fc_lru *c, uint32_t s, uint32_t d)
{
    if (d > c->dmax) d = c->dmax;
    return (s & ~(c->dmax << c->dshift)) | d << c->dshift;
}
static uint32_t slot_dist(const fc_lru *c, uint32_t from, uint32_t to) { return to >= from ? to - from : to + c->n_slots - from; }

/* Bits for entry index + 1 in 1..max_entries: what is left of 32 is the tag (>= 1 bit). */
static uint32_t emask_for(uint32_t max_entries)
{
    uint32_t m = 1;
    while (m < max_entries) m = m << 1 | 1;
    return m;
}

static uint32_t slots_for(uint32_t max_entries) { return 2 * max_entries; }

static uint32_t chunks_for(const fc_lru *c, size_t len)
{
    if (len <= c->chunk_bytes) return 1;
    return (uint32_t)((len - 4 + (c->chunk_bytes - 4) - 1) / (c->chunk_bytes - 4));
}

size_t fc_lru_footprint(uint32_t max_entries, size_t max_bytes, uint32_t chunk_bytes)
{
    if (max_entries < 1 || max_entries > FC_LRU_MAX_ENTRIES || chunk_bytes < 8 || chunk_bytes > 65536 ||
        chunk_bytes % 4 || max_bytes < chunk_bytes)
        return 0;
    uint64_t n_chunks = max_bytes / chunk_bytes;
    if (n_chunks >= NIL) return 0;
    uint64_t total = sizeof(fc_lru) + (uint64_t)max_entries * sizeof(lru_entry) +
                     (uint64_t)slots_for(max_entries) * sizeof(uint32_t) + n_chunks * chunk_bytes;
    return total > SIZE_MAX / 2 ? 0 : (size_t)total;
}

fc_status fc_lru_create(uint32_t max_entries, size_t max_bytes, uint32_t chunk_bytes, fc_lru **out)
{
    if (!out) return FC_E_ARG;
    *out = NULL;
    size_t size = fc_lru_footprint(max_entries, max_bytes, chunk_bytes);
    if (!size) return FC_E_ARG;
    /* one block: header, entries (8-aligned), slots, arena */
    unsigned char *block = calloc(1, size);
    if (!block) return FC_E_NOMEM;
    fc_lru *c = (fc_lru *)block;
    c->max_entries = max_entries;
    c->n_slots = slots_for(max_entries);
    c->emask = emask_for(max_entries);
    /* the 32 - ebits bits above the entry index: up to 4 of displacement, the rest tag */
    uint32_t free_bits = 0;
    while (free_bits < 32 && !(c->emask >> (31 - free_bits) & 1)) free_bits++;
    uint32_t dbits = free_bits < 4 ? free_bits : 4;
    c->dshift = 32 - free_bits;
    c->dmax = (1u << dbits) - 1;
    c->tmask = free_bits > dbits ? ~0u << (c->dshift + dbits) : 0;
    c->chunk_bytes = chunk_bytes;
    c->n_chunks = (uint32_t)(max_bytes / chunk_bytes);
    c->entries = (lru_entry *)(block + sizeof(fc_lru));
    c->slots = (uint32_t *)(c->entries + max_entries);
    c->arena = (unsigned char *)(c->slots + c->n_slots);
    c->free_entry = c->free_chunk = NIL;
    c->n_free_chunks = c->n_chunks;
    c->head = c->tail = NIL;
    c->footprint = size;
    *out = c;
    return FC_OK;
}

void fc_lru_destroy(fc_lru *c) { free(c); }

/* ---- index ---- */

/* The slot of key (hash h), or NIL; *empty (when not NULL) gets the empty slot that ended the
 * probe, where key would be inserted. An entry's key is read only when its tag matches: with
 * t tag bits a probe of a missing key reads a key for 1 in 2^t occupied slots it passes. */
static inline uint32_t find_slot(const fc_lru *c, uint64_t key, uint64_t h, uint32_t *empty)
{
    uint32_t i = home_of(c, h), tag = tag_of(c, h), emask = c->emask, tmask = c->tmask;
    for (;;) {
        uint32_t s = c->slots[i];
        if (!s) break;
        if ((s & tmask) == tag && c->entries[(s & emask) - 1].key == key) return i;
        if (++i == c->n_slots) i = 0;
    }
    if (empty) *empty = i;
    return NIL;
}

/* The slot holding entry e (hash h; e is in the index): compares slot contents only, so the
 * probe reads no other entry (eviction finds its victim's slot this way). */
static uint32_t slot_of_entry(const fc_lru *c, uint32_t e, uint64_t h)
{
    uint32_t i = home_of(c, h);
    while ((c->slots[i] & c->emask) != e + 1)
        if (++i == c->n_slots) i = 0;
    return i;
}

/* Empties slot i and shifts back the entries of its probe run that may move, so lookups never
 * cross a hole (no tombstones). Returns the slot that ends up empty: the only slot whose
 * occupancy changed (the one-probe insert of fc_lru_access relies on this). */
static uint32_t index_remove_at(fc_lru *c, uint32_t i)
{
    uint32_t j = i;
    for (;;) {
        if (++j == c->n_slots) j = 0;
        uint32_t s = c->slots[j];
        if (!s) break;
        /* the entry at j may move back to i unless its home lies cyclically in (i, j], i.e.
         * unless its displacement is below dist(i, j). The slot word holds the displacement;
         * only a saturated one (dmax or more: rare at load 0.5) needs the key */
        uint32_t dist = slot_dist(c, i, j), d = disp_of(c, s);
        if (d == c->dmax) d = slot_dist(c, home_of(c, mix64(c->entries[(s & c->emask) - 1].key)), j);
        if (d < dist) continue;
        c->slots[i] = with_disp(c, s, d - dist);
        i = j;
    }
    c->slots[i] = 0;
    return i;
}

/* Is slot f cyclically in [from, to)? */
static int slot_between(uint32_t from, uint32_t to, uint32_t f)
{
    return from <= to ? (from <= f && f < to) : (f >= from || f < to);
}

/* ---- recency list ---- */

static void list_unlink(fc_lru *c, uint32_t e)
{
    lru_entry *x = &c->entries[e];
    if (x->prev != NIL) c->entries[x->prev].next = x->next;
    else c->head = x->next;
    if (x->next != NIL) c->entries[x->next].prev = x->prev;
    else c->tail = x->prev;
}

static void list_push_front(fc_lru *c, uint32_t e)
{
    lru_entry *x = &c->entries[e];
    x->prev = NIL;
    x->next = c->head;
    if (c->head != NIL) c->entries[c->head].prev = e;
    else c->tail = e;
    c->head = e;
}

/* ---- value chunks ---- */

static unsigned char *chunk_at(const fc_lru *c, uint32_t k) { return c->arena + (size_t)k * c->chunk_bytes; }

static uint32_t chunk_link(const fc_lru *c, uint32_t k)
{
    uint32_t next;
    memcpy(&next, chunk_at(c, k) + c->chunk_bytes - 4, 4);
    return next;
}

static void set_chunk_link(fc_lru *c, uint32_t k, uint32_t next) { memcpy(chunk_at(c, k) + c->chunk_bytes - 4, &next, 4); }

static uint32_t chunk_alloc(fc_lru *c)
{
    uint32_t k;
    if (c->free_chunk != NIL) {
        k = c->free_chunk;
        c->free_chunk = chunk_link(c, k);
    } else {
        k = c->chunk_hw++;
    }
    c->n_free_chunks--;
    return k;
}

static void value_free(fc_lru *c, uint32_t first, size_t len)
{
    uint32_t n = chunks_for(c, len), k = first;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t next = i + 1 < n ? chunk_link(c, k) : NIL;
        set_chunk_link(c, k, c->free_chunk);
        c->free_chunk = k;
        k = next;
    }
    c->n_free_chunks += n;
}

/* Allocates the chunks of a value of len bytes (enough are free), linked; returns the first.
 * The bytes are written afterwards through next_span. */
static uint32_t value_alloc(fc_lru *c, size_t len)
{
    uint32_t n = chunks_for(c, len), first = chunk_alloc(c), k = first;
    for (uint32_t i = 0; i + 1 < n; i++) {
        uint32_t next = chunk_alloc(c);
        set_chunk_link(c, k, next);
        k = next;
    }
    return first;
}

/* Small copies without memcpy: in wasm a variable-length memcpy is memory.copy, a call out of
 * the generated code that costs more than the 8-byte values of the benchmark take to copy. */
static inline void copy_small(unsigned char *dst, const unsigned char *src, size_t len)
{
    if (len == 8) { /* the common fixed-size value: one load, one store */
        uint64_t w;
        memcpy(&w, src, 8);
        memcpy(dst, &w, 8);
        return;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, src, 8);
        memcpy(dst, &w, 8);
        src += 8, dst += 8, len -= 8;
    }
    while (len--) *dst++ = *src++;
}

static inline void value_read(const fc_lru *c, uint32_t first, size_t len, unsigned char *dst)
{
    if (len <= 16 && len <= c->chunk_bytes) { /* a small value in one chunk */
        copy_small(dst, chunk_at(c, first), len);
        return;
    }
    uint32_t n = chunks_for(c, len), k = first;
    size_t body = c->chunk_bytes - 4;
    for (uint32_t i = 0; i + 1 < n; i++) {
        memcpy(dst, chunk_at(c, k), body);
        dst += body;
        len -= body;
        k = chunk_link(c, k);
    }
    if (len) memcpy(dst, chunk_at(c, k), len);
}

/* ---- entries ---- */

/* Unlinks entry e (found at index slot `slot`) and returns its storage to the free lists.
 * Returns the index slot that became empty (index_remove_at). */
static uint32_t entry_remove(fc_lru *c, uint32_t e, uint32_t slot)
{
    lru_entry *x = &c->entries[e];
    uint32_t emptied = index_remove_at(c, slot);
    list_unlink(c, e);
    value_free(c, x->chunk, x->len);
    x->next = c->free_entry;
    c->free_entry = e;
    c->n_entries--;
    return emptied;
}

/* Evicts the least recent entry (the cache is not empty); returns the index slot that became
 * empty. */
static uint32_t evict_tail(fc_lru *c)
{
    uint32_t e = c->tail;
    c->evictions++;
    return entry_remove(c, e, slot_of_entry(c, e, mix64(c->entries[e].key)));
}

static uint64_t bytes_in_use(const fc_lru *c) { return (uint64_t)(c->n_chunks - c->n_free_chunks) * c->chunk_bytes; }

/* The hot paths are forced inline into their few callers: left as calls (GCC's choice), the
 * benchmark ran 13% more instructions, mostly register saves and restores (PERFORMANCE.md,
 * LRU version 9). */
#define HOT static inline __attribute__((always_inline))

/* Inserts key (hash h, absent from the cache) as the most recent entry with room for len bytes
 * (checked by the caller: chunks_for(len) <= n_chunks). `empty` is the empty slot that ended
 * key's probe; evictions keep it current: each empties exactly one slot, and when that slot
 * lies between key's home and `empty` it is now the first empty slot of the probe. So a miss
 * followed by an insert probes the index once. */
HOT void reserve_at(fc_lru *c, uint64_t key, uint64_t h, uint32_t empty, size_t len, reservation *r)
{
    uint32_t need = chunks_for(c, len), home = home_of(c, h), e;
    lru_entry *x;
    if (c->n_entries >= c->max_entries && chunks_for(c, c->entries[c->tail].len) == need) {
        /* The steady state of a full cache: exactly one eviction (the victim's chunks are
         * what the new value needs), so the victim's entry and chunk chain go to the new key
         * as they are, without the round trip through the free lists. */
        e = c->tail;
        x = &c->entries[e];
        uint32_t f = index_remove_at(c, slot_of_entry(c, e, mix64(x->key)));
        if (slot_between(home, empty, f)) empty = f;
        list_unlink(c, e);
        c->evictions++;
        c->n_entries--;
    } else {
        while (c->n_entries >= c->max_entries || c->n_free_chunks < need) {
            uint32_t f = evict_tail(c);
            if (slot_between(home, empty, f)) empty = f;
        }
        if (c->free_entry != NIL) {
            e = c->free_entry;
            c->free_entry = c->entries[e].next;
        } else {
            e = c->entry_hw++;
        }
        x = &c->entries[e];
        x->chunk = value_alloc(c, len);
    }
    x->key = key;
    x->len = (uint32_t)len;
    list_push_front(c, e);
    c->slots[empty] = with_disp(c, tag_of(c, h) | (e + 1), slot_dist(c, home, empty));
    c->n_entries++;
    r->entry = e;
    r->chunk = x->chunk;
    r->left = (uint32_t)len;
}

static int too_large(const fc_lru *c, size_t len) { return len > UINT32_MAX || (uint64_t)chunks_for(c, len) > c->n_chunks; }

/* A hit at index slot `slot`: the entry becomes the most recent, its value is copied out. */
HOT void hit_at(fc_lru *c, uint32_t slot, void *out, size_t cap, size_t *len)
{
    c->hits++;
    uint32_t e = (c->slots[slot] & c->emask) - 1;
    if (c->head != e) {
        list_unlink(c, e);
        list_push_front(c, e);
    }
    const lru_entry *x = &c->entries[e];
    if (len) *len = x->len;
    if (out && x->len <= cap) value_read(c, x->chunk, x->len, out);
}

fc_status fc_lru_get(fc_lru *c, uint64_t key, void *out, size_t cap, size_t *len)
{
    if (len) *len = 0;
    if (!c) return FC_E_ARG;
    uint32_t slot = find_slot(c, key, mix64(key), NULL);
    if (slot == NIL) {
        c->misses++;
        return FC_E_NOT_FOUND;
    }
    hit_at(c, slot, out, cap, len);
    return FC_OK;
}

/* The probe of fc_lru_access (get, or insert on a miss): on a hit, serves it (1); on a miss, counts it
 * and leaves key's hash in *h and the empty slot that ended the probe in *empty for the insert
 * (0). */
HOT int lookup(fc_lru *c, uint64_t key, uint64_t *h, uint32_t *empty, void *out, size_t cap, size_t *len)
{
    *h = mix64(key);
    *empty = 0; /* set by find_slot when it returns NIL */
    uint32_t slot = find_slot(c, key, *h, empty);
    if (slot != NIL) {
        hit_at(c, slot, out, cap, len);
        return 1;
    }
    c->misses++;
    return 0;
}

/* Reserves room for a value of len bytes under key, dropping any old value first (a
 * replacement, not an eviction). FC_E_TOO_LARGE leaves the cache unchanged. */
static fc_status reserve(fc_lru *c, uint64_t key, size_t len, reservation *r)
{
    if (too_large(c, len)) return FC_E_TOO_LARGE;
    uint64_t h = mix64(key);
    uint32_t empty = 0; /* set by find_slot when it returns NIL */
    uint32_t slot = find_slot(c, key, h, &empty);
    if (slot != NIL) { /* a replacement: the old value goes first (not an eviction) */
        entry_remove(c, (c->slots[slot] & c->emask) - 1, slot);
        find_slot(c, key, h, &empty); /* now absent: where it goes */
        r->replacing = 1;
    } else {
        r->replacing = 0;
    }
    reserve_at(c, key, h, empty, len, r);
    return FC_OK;
}

/* The next contiguous piece of the reserved value: a pointer to *n bytes to write (values of
 * more than chunk_bytes come in pieces of chunk_bytes - 4, the last up to chunk_bytes); NULL
 * once all len bytes were handed out. */
static void *next_span(fc_lru *c, reservation *r, size_t *n)
{
    *n = 0;
    if (!r->left) return NULL;
    unsigned char *p = chunk_at(c, r->chunk);
    if (r->left <= c->chunk_bytes) { /* the last chunk holds the rest */
        *n = r->left;
        r->left = 0;
    } else {
        *n = c->chunk_bytes - 4;
        r->left -= c->chunk_bytes - 4;
        r->chunk = chunk_link(c, r->chunk);
    }
    return p;
}

/* Ends the write: counts the insertion (unless it replaced a value) and the peak bytes. */
static inline void commit(fc_lru *c, reservation *r)
{
    if (!r->replacing) c->insertions++;
    uint64_t used = bytes_in_use(c);
    if (used > c->peak_bytes) c->peak_bytes = used;
}

/* Copies the reserved value's bytes from src. */
static inline void write_reserved(fc_lru *c, reservation *r, const unsigned char *src)
{
    if (r->left <= 16 && r->left <= c->chunk_bytes) { /* a small value in one chunk */
        copy_small(chunk_at(c, r->chunk), src, r->left);
        r->left = 0;
        return;
    }
    size_t n;
    unsigned char *p;
    while ((p = next_span(c, r, &n)) != NULL) {
        memcpy(p, src, n);
        src += n;
    }
}

fc_status fc_lru_access(fc_lru *c, uint64_t key, void *out, size_t cap, size_t *len, const void *val, size_t val_len)
{
    if (len) *len = 0;
    if (!c || (!val && val_len)) return FC_E_ARG;
    uint64_t h;
    uint32_t empty;
    if (lookup(c, key, &h, &empty, out, cap, len)) return FC_OK;
    if (too_large(c, val_len)) return FC_E_TOO_LARGE;
    reservation r;
    r.replacing = 0;
    reserve_at(c, key, h, empty, val_len, &r);
    write_reserved(c, &r, val);
    commit(c, &r);
    return FC_E_NOT_FOUND;
}

int fc_lru_contains(const fc_lru *c, uint64_t key) { return c && find_slot(c, key, mix64(key), NULL) != NIL; }

fc_status fc_lru_put(fc_lru *c, uint64_t key, const void *val, size_t len)
{
    if (!c || (!val && len)) return FC_E_ARG;
    reservation r;
    fc_status st = reserve(c, key, len, &r);
    if (st != FC_OK) return st;
    write_reserved(c, &r, val);
    commit(c, &r);
    return FC_OK;
}

int fc_lru_delete(fc_lru *c, uint64_t key)
{
    if (!c) return 0;
    uint32_t slot = find_slot(c, key, mix64(key), NULL);
    if (slot == NIL) return 0;
    entry_remove(c, (c->slots[slot] & c->emask) - 1, slot);
    return 1;
}

void fc_lru_clear(fc_lru *c)
{
    if (!c) return;
    memset(c->slots, 0, (size_t)c->n_slots * sizeof(uint32_t));
    c->n_entries = 0;
    c->free_entry = c->free_chunk = NIL;
    c->entry_hw = c->chunk_hw = 0;
    c->n_free_chunks = c->n_chunks;
    c->head = c->tail = NIL;
}

int fc_lru_oldest(const fc_lru *c, uint64_t *key)
{
    if (!c || c->tail == NIL) return 0;
    if (key) *key = c->entries[c->tail].key;
    return 1;
}

void fc_lru_debug_hash(const fc_lru *c, uint64_t key, uint32_t *home, uint32_t *tag)
{
    uint64_t h = mix64(key);
    *home = home_of(c, h);
    *tag = tag_of(c, h);
}

void fc_lru_get_stats(const fc_lru *c, fc_lru_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!c) return;
    out->hits = c->hits;
    out->misses = c->misses;
    out->insertions = c->insertions;
    out->evictions = c->evictions;
    out->bytes_in_use = bytes_in_use(c);
    out->peak_bytes = c->peak_bytes;
    out->entries = c->n_entries;
    out->max_entries = c->max_entries;
    out->max_bytes = (uint64_t)c->n_chunks * c->chunk_bytes;
    out->footprint_bytes = c->footprint;
}
