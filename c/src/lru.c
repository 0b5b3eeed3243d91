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

struct fc_lru {
    uint32_t max_entries, n_slots, chunk_bytes, n_chunks;
    uint32_t n_entries;
    uint32_t free_entry, entry_hw;       /* free list, then never-used entries from entry_hw */
    uint32_t free_chunk, chunk_hw, n_free_chunks;
    uint32_t head, tail;                 /* most and least recent entry */
    lru_entry *entries;
    uint32_t *slots;                     /* entry index + 1, 0 = empty */
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

static uint32_t home_slot(const fc_lru *c, uint64_t key)
{
    return (uint32_t)(((mix64(key) >> 32) * (uint64_t)c->n_slots) >> 32);
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

static uint32_t find_slot(const fc_lru *c, uint64_t key)
{
    uint32_t i = home_slot(c, key);
    for (;;) {
        uint32_t s = c->slots[i];
        if (!s) return NIL;
        if (c->entries[s - 1].key == key) return i;
        if (++i == c->n_slots) i = 0;
    }
}

/* The slot holding entry e (which is in the index): compares slot contents only, so the probe
 * reads no other entry (eviction finds its victim's slot this way). */
static uint32_t slot_of_entry(const fc_lru *c, uint32_t e)
{
    uint32_t i = home_slot(c, c->entries[e].key);
    while (c->slots[i] != e + 1)
        if (++i == c->n_slots) i = 0;
    return i;
}

static void index_insert(fc_lru *c, uint64_t key, uint32_t entry)
{
    uint32_t i = home_slot(c, key);
    while (c->slots[i])
        if (++i == c->n_slots) i = 0;
    c->slots[i] = entry + 1;
}

/* Empties slot i and shifts back the entries of its probe run that may move, so lookups never
 * cross a hole (no tombstones). */
static void index_remove_at(fc_lru *c, uint32_t i)
{
    uint32_t j = i;
    for (;;) {
        if (++j == c->n_slots) j = 0;
        uint32_t s = c->slots[j];
        if (!s) break;
        uint32_t k = home_slot(c, c->entries[s - 1].key);
        /* the entry at j stays when its home k lies cyclically in (i, j] */
        int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        c->slots[i] = s;
        i = j;
    }
    c->slots[i] = 0;
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

/* Copies len bytes into freshly allocated chunks (enough are free); returns the first. */
static uint32_t value_write(fc_lru *c, const unsigned char *src, size_t len)
{
    uint32_t n = chunks_for(c, len), first = chunk_alloc(c), k = first;
    size_t body = c->chunk_bytes - 4;
    for (uint32_t i = 0; i + 1 < n; i++) {
        memcpy(chunk_at(c, k), src, body);
        src += body;
        len -= body;
        uint32_t next = chunk_alloc(c);
        set_chunk_link(c, k, next);
        k = next;
    }
    if (len) memcpy(chunk_at(c, k), src, len);
    return first;
}

static void value_read(const fc_lru *c, uint32_t first, size_t len, unsigned char *dst)
{
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

/* Unlinks entry e (found at index slot `slot`) and returns its storage to the free lists. */
static void entry_remove(fc_lru *c, uint32_t e, uint32_t slot)
{
    lru_entry *x = &c->entries[e];
    index_remove_at(c, slot);
    list_unlink(c, e);
    value_free(c, x->chunk, x->len);
    x->next = c->free_entry;
    c->free_entry = e;
    c->n_entries--;
}

static uint64_t bytes_in_use(const fc_lru *c) { return (uint64_t)(c->n_chunks - c->n_free_chunks) * c->chunk_bytes; }

fc_status fc_lru_get(fc_lru *c, uint64_t key, void *out, size_t cap, size_t *len)
{
    if (len) *len = 0;
    if (!c) return FC_E_ARG;
    uint32_t slot = find_slot(c, key);
    if (slot == NIL) {
        c->misses++;
        return FC_E_NOT_FOUND;
    }
    c->hits++;
    uint32_t e = c->slots[slot] - 1;
    if (c->head != e) {
        list_unlink(c, e);
        list_push_front(c, e);
    }
    const lru_entry *x = &c->entries[e];
    if (len) *len = x->len;
    if (out && x->len <= cap) value_read(c, x->chunk, x->len, out);
    return FC_OK;
}

int fc_lru_contains(const fc_lru *c, uint64_t key) { return c && find_slot(c, key) != NIL; }

int fc_lru_evict(fc_lru *c, uint64_t *key)
{
    if (!c || c->tail == NIL) return 0;
    uint32_t e = c->tail;
    if (key) *key = c->entries[e].key;
    entry_remove(c, e, slot_of_entry(c, e));
    c->evictions++;
    return 1;
}

fc_status fc_lru_put(fc_lru *c, uint64_t key, const void *val, size_t len)
{
    if (!c || (!val && len)) return FC_E_ARG;
    if (len > UINT32_MAX || (uint64_t)chunks_for(c, len) > c->n_chunks) return FC_E_TOO_LARGE;
    uint32_t slot = find_slot(c, key);
    int replacing = slot != NIL;
    if (replacing) entry_remove(c, c->slots[slot] - 1, slot);
    uint32_t need = chunks_for(c, len);
    while (c->n_entries >= c->max_entries || c->n_free_chunks < need) fc_lru_evict(c, NULL);
    uint32_t e;
    if (c->free_entry != NIL) {
        e = c->free_entry;
        c->free_entry = c->entries[e].next;
    } else {
        e = c->entry_hw++;
    }
    lru_entry *x = &c->entries[e];
    x->key = key;
    x->len = (uint32_t)len;
    x->chunk = value_write(c, val, len);
    list_push_front(c, e);
    index_insert(c, key, e);
    c->n_entries++;
    if (!replacing) c->insertions++;
    uint64_t used = bytes_in_use(c);
    if (used > c->peak_bytes) c->peak_bytes = used;
    return FC_OK;
}

int fc_lru_delete(fc_lru *c, uint64_t key)
{
    if (!c) return 0;
    uint32_t slot = find_slot(c, key);
    if (slot == NIL) return 0;
    entry_remove(c, c->slots[slot] - 1, slot);
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
