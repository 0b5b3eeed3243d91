/* test_lru.c — the LRU cache against a simple reference model (an array in recency order,
 * searched linearly), over millions of random operations, plus the fixed cases: exact eviction
 * order, oversize values, argument checks and the documented footprint. */
#include "test.h"
#include "lru.h"
#include <stdint.h>
#include <stdlib.h>

/* ---- the reference: obviously correct, O(n) per operation ---- */

#define REF_MAX 256
#define VAL_MAX 4096

typedef struct ref_entry {
    uint64_t key;
    size_t len;
    unsigned char val[VAL_MAX];
} ref_entry;

typedef struct ref_lru {
    uint32_t max_entries, chunk;
    uint64_t max_bytes, bytes;
    uint32_t n;              /* order[0] is the most recent */
    ref_entry *pool;         /* values stay put; only indices move */
    uint32_t *order, *free_stack, n_free;
    uint64_t hits, misses, insertions, evictions, peak;
} ref_lru;

#define E(r, i) ((r)->pool[(r)->order[i]])

/* the documented charge: whole chunks, 4 bytes of each continued chunk hold the link */
static uint64_t ref_charge(const ref_lru *r, size_t len)
{
    if (len <= r->chunk) return r->chunk;
    return (uint64_t)((len - 4 + (r->chunk - 4) - 1) / (r->chunk - 4)) * r->chunk;
}

static long ref_find(const ref_lru *r, uint64_t key)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (E(r, i).key == key) return i;
    return -1;
}

static void ref_remove(ref_lru *r, uint32_t i)
{
    r->bytes -= ref_charge(r, E(r, i).len);
    r->free_stack[r->n_free++] = r->order[i];
    memmove(&r->order[i], &r->order[i + 1], (r->n - i - 1) * sizeof(uint32_t));
    r->n--;
}

static void ref_touch(ref_lru *r, uint32_t i)
{
    uint32_t tmp = r->order[i];
    memmove(&r->order[1], &r->order[0], i * sizeof(uint32_t));
    r->order[0] = tmp;
}

/* The first half of a put: any old value goes, room is made for len bytes. */
static fc_status ref_make_room(ref_lru *r, uint64_t key, size_t len)
{
    uint64_t cost = ref_charge(r, len);
    if (cost > r->max_bytes) return FC_E_TOO_LARGE;
    long i = ref_find(r, key);
    if (i >= 0) ref_remove(r, (uint32_t)i);
    while (r->n >= r->max_entries || r->bytes + cost > r->max_bytes) {
        ref_remove(r, r->n - 1);
        r->evictions++;
    }
    return FC_OK;
}

static fc_status ref_put(ref_lru *r, uint64_t key, const unsigned char *val, size_t len)
{
    uint64_t cost = ref_charge(r, len);
    if (cost > r->max_bytes) return FC_E_TOO_LARGE;
    if (ref_find(r, key) < 0) r->insertions++;
    ref_make_room(r, key, len);
    memmove(&r->order[1], &r->order[0], r->n * sizeof(uint32_t));
    r->order[0] = r->free_stack[--r->n_free];
    E(r, 0).key = key;
    E(r, 0).len = len;
    memcpy(E(r, 0).val, val, len);
    r->n++;
    r->bytes += cost;
    if (r->bytes > r->peak) r->peak = r->bytes;
    return FC_OK;
}

/* ---- the randomized comparison ---- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void fill_value(unsigned char *v, size_t len, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < len; i++) v[i] = (unsigned char)(rng_next(&s) >> 24);
}

/* ---- keys that collide in the index: built by inverting the hash (murmur3's fmix64) ---- */

static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a; /* Newton: each step doubles the correct low bits */
    for (int i = 0; i < 6; i++) x *= 2 - a * x;
    return x;
}

static uint64_t unmix64(uint64_t h)
{
    h ^= h >> 33; /* x ^ (x >> 33) undoes itself: the shift is over half the width */
    h *= inverse_odd(0xc4ceb9fe1a85ec53ull);
    h ^= h >> 33;
    h *= inverse_odd(0xff51afd7ed558ccdull);
    return h ^ (h >> 33);
}

/* Key number i of a set whose hashes share their tag bits (all low 32 bits above the entry
 * bits of a cache of max_entries) and whose homes fall on a few adjacent slots: every probe
 * meets entries with its own tag, so the key comparison behind the tag is what decides. */
static uint64_t colliding_key(uint32_t max_entries, uint32_t i)
{
    uint32_t emask = 1;
    while (emask < max_entries) emask = emask << 1 | 1;
    uint64_t step = ((uint64_t)1 << 32) / (2 * (uint64_t)max_entries) + 1; /* about one slot */
    uint64_t hi = 0x6A09E667u + (uint64_t)(i / (emask + 1)) * step;
    uint32_t lo = (0xBB67AE85u & ~emask) | (i & emask);
    return unmix64(hi << 32 | lo);
}

typedef struct lru_case {
    uint32_t max_entries;
    size_t max_bytes;
    uint32_t chunk;
    uint32_t universe;   /* keys drawn from 0..universe-1 (spread over 64 bits) */
    uint32_t max_len;    /* value lengths 0..max_len */
    uint32_t ops;
    int collide;         /* keys from colliding_key instead */
} lru_case;

/* Returns the number of mismatches (reported once each, at most 5 printed). */
static int run_case(const lru_case *k, uint64_t seed)
{
    fc_lru *c = NULL;
    if (fc_lru_create(k->max_entries, k->max_bytes, k->chunk, &c) != FC_OK) {
        printf("#   create failed for case %u/%zu/%u\n", k->max_entries, k->max_bytes, k->chunk);
        return 1;
    }
    ref_lru r = {k->max_entries, k->chunk, (uint64_t)(k->max_bytes / k->chunk) * k->chunk, 0, 0, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0};
    r.pool = malloc((k->max_entries + 1) * sizeof(ref_entry));
    r.order = malloc((k->max_entries + 1) * sizeof(uint32_t));
    r.free_stack = malloc((k->max_entries + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i <= k->max_entries; i++) r.free_stack[r.n_free++] = k->max_entries - i;
    unsigned char *val = malloc(VAL_MAX), *got = malloc(VAL_MAX);
    int bad = 0;
#define MISMATCH(...) do { if (bad++ < 5) { printf("#   op %u: ", op); printf(__VA_ARGS__); printf("\n"); } } while (0)
    for (uint32_t op = 0; op < k->ops && bad < 5; op++) {
        uint64_t x = rng_next(&seed);
        /* keys: small integers mixed across the whole 64-bit range, some top-bit-set */
        uint64_t key = (x >> 16) % k->universe * 0x9E3779B97F4A7C15ull;
        if (k->collide) key = colliding_key(k->max_entries, (uint32_t)((x >> 16) % k->universe));
        unsigned kind = (unsigned)(x & 0xFF);
        unsigned how = (unsigned)(x >> 60); /* a get: plain (fc_lru_get) or get-or-insert */
        if (kind < 128 && how >= 10) { /* get; on a miss insert (fc_lru_access) */
            size_t len = 0, vlen = (size_t)((x >> 40) % (k->max_len + 1));
            fill_value(val, vlen, x);
            fc_status st = fc_lru_access(c, key, got, VAL_MAX, &len, val, vlen);
            long i = ref_find(&r, key);
            if (i >= 0) {
                r.hits++;
                ref_touch(&r, (uint32_t)i);
                if (st != FC_OK || len != E(&r, 0).len || memcmp(got, E(&r, 0).val, len))
                    MISMATCH("access %llx: hit expected (len %zu), got %s len %zu", (unsigned long long)key, E(&r, 0).len, fc_status_name(st), len);
            } else {
                r.misses++;
                fc_status want = ref_charge(&r, vlen) > r.max_bytes ? FC_E_TOO_LARGE : FC_E_NOT_FOUND;
                if (want == FC_E_NOT_FOUND) ref_put(&r, key, val, vlen);
                if (st != want) MISMATCH("access %llx: %s expected, got %s", (unsigned long long)key, fc_status_name(want), fc_status_name(st));
            }
        } else if (kind < 128) { /* get */
            size_t len = 0;
            fc_status st = fc_lru_get(c, key, got, VAL_MAX, &len);
            long i = ref_find(&r, key);
            if (i >= 0) {
                r.hits++;
                ref_touch(&r, (uint32_t)i);
                if (st != FC_OK || len != E(&r, 0).len || memcmp(got, E(&r, 0).val, len))
                    MISMATCH("get %llx: hit expected (len %zu), got %s len %zu", (unsigned long long)key, E(&r, 0).len, fc_status_name(st), len);
            } else {
                r.misses++;
                if (st != FC_E_NOT_FOUND) MISMATCH("get %llx: miss expected, got %s", (unsigned long long)key, fc_status_name(st));
            }
        } else if (kind < 232) { /* put; lengths skewed small with a long tail */
            size_t len = (size_t)((x >> 40) % (k->max_len + 1));
            if (kind & 1) len = len % (k->chunk + 1);
            fill_value(val, len, x);
            fc_status a = fc_lru_put(c, key, val, len), b = ref_put(&r, key, val, len);
            if (a != b) MISMATCH("put %llx len %zu: %s, reference %s", (unsigned long long)key, len, fc_status_name(a), fc_status_name(b));
        } else if (kind < 248) { /* delete */
            long i = ref_find(&r, key);
            if (i >= 0) ref_remove(&r, (uint32_t)i);
            if (fc_lru_delete(c, key) != (i >= 0)) MISMATCH("delete %llx", (unsigned long long)key);
        } else if (kind < 255) { /* delete the least recent */
            uint64_t ok = 0;
            int had = r.n > 0;
            uint64_t want = had ? E(&r, r.n - 1).key : 0;
            if (had) ref_remove(&r, r.n - 1);
            if (fc_lru_oldest(c, &ok) != had || (had && (ok != want || fc_lru_delete(c, ok) != 1)))
                MISMATCH("oldest: expected %llx", (unsigned long long)want);
        } else if ((x >> 8) % 64 == 0) { /* rarely: clear */
            fc_lru_clear(c);
            while (r.n) ref_remove(&r, r.n - 1);
        }
        fc_lru_stats s;
        fc_lru_get_stats(c, &s);
        uint64_t oldest = 0;
        int has_oldest = fc_lru_oldest(c, &oldest);
        if (s.entries != r.n || s.bytes_in_use != r.bytes || s.hits != r.hits || s.misses != r.misses ||
            s.insertions != r.insertions || s.evictions != r.evictions || s.peak_bytes != r.peak)
            MISMATCH("stats: entries %u/%u bytes %llu/%llu evictions %llu/%llu", s.entries, r.n,
                     (unsigned long long)s.bytes_in_use, (unsigned long long)r.bytes,
                     (unsigned long long)s.evictions, (unsigned long long)r.evictions);
        if (s.entries > s.max_entries || s.bytes_in_use > s.max_bytes) MISMATCH("capacity exceeded");
        if (has_oldest != (r.n > 0) || (r.n && oldest != E(&r, r.n - 1).key)) MISMATCH("oldest entry differs");
    }
#undef MISMATCH
    /* every entry still there, in the same recency order: drain from the least recent */
    for (uint32_t i = r.n; i-- > 0 && bad < 5;) {
        uint64_t ok;
        if (!fc_lru_oldest(c, &ok) || ok != E(&r, i).key || fc_lru_delete(c, ok) != 1) {
            printf("#   final drain: entry %u differs\n", i);
            bad++;
        }
    }
    if (fc_lru_oldest(c, NULL)) bad++;
    free(val);
    free(got);
    free(r.pool);
    free(r.order);
    free(r.free_stack);
    fc_lru_destroy(c);
    return bad;
}

void test_lru_model_random(void)
{
    static const lru_case cases[] = {
        {16, 512, 16, 40, 100, 600000, 0},       /* both limits bind, multi-chunk values */
        {64, 4096, 8, 200, 40, 600000, 0},       /* tiny chunks: long chains */
        {200, 100000, 256, 400, 3000, 400000, 0},/* byte-bound, route-result-sized values */
        {1, 64, 8, 4, 80, 200000, 0},            /* one entry; values over the cap are refused */
        {100, 1 << 20, 8, 150, 8, 400000, 0}, /* entry-bound, fixed 8-byte values */
        {16, 1024, 8, 48, 40, 400000, 1},     /* 48 keys, one tag, homes on 3 adjacent slots */
        {100, 1 << 20, 8, 600, 8, 300000, 1}, /* 600 keys, one tag, homes on 5 adjacent slots */
    };
    uint64_t seed = 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int bad = run_case(&cases[i], seed + i);
        if (bad) {
            fc_test_failures++;
            printf("#   case %zu: %d mismatches against the reference\n", i, bad);
        }
    }
}

void test_lru_basics(void)
{
    fc_lru *c = NULL;
    CHECK_STATUS(fc_lru_create(0, 1024, 16, &c), FC_E_ARG);
    CHECK_STATUS(fc_lru_create(4, 1024, 6, &c), FC_E_ARG);     /* not a multiple of 4 */
    CHECK_STATUS(fc_lru_create(4, 8, 16, &c), FC_E_ARG);       /* cap below one chunk */
    CHECK_STATUS(fc_lru_create(4, 1024, 16, NULL), FC_E_ARG);
    /* the documented footprint: 24 bytes per entry, 8 bytes of index per entry, the arena */
    size_t fp = fc_lru_footprint(100000, 100000 * 8, 8);
    size_t header = fc_lru_footprint(4, 64, 8) - (4 * 24 + 8 * 4 + 64);
    CHECK_EQ_INT(fp - header, 100000 * 24 + 200000 * 4 + 800000);
    CHECK((double)(fp - header - 800000) / 100000 <= 32.0);

    CHECK_STATUS(fc_lru_create(3, 3 * 16, 16, &c), FC_OK);
    if (!c) return;
    char buf[64];
    size_t len = 99;
    CHECK_STATUS(fc_lru_get(c, 1, buf, sizeof buf, &len), FC_E_NOT_FOUND);
    CHECK_EQ_INT(len, 0);
    CHECK_STATUS(fc_lru_put(c, 1, "one", 3), FC_OK);
    CHECK_STATUS(fc_lru_put(c, 2, "two", 3), FC_OK);
    CHECK_STATUS(fc_lru_put(c, 3, "three", 5), FC_OK);
    CHECK_STATUS(fc_lru_get(c, 1, buf, sizeof buf, &len), FC_OK); /* 1 becomes most recent */
    CHECK(len == 3 && memcmp(buf, "one", 3) == 0);
    CHECK_STATUS(fc_lru_put(c, 4, "four", 4), FC_OK);             /* evicts 2, the least recent */
    CHECK(!fc_lru_contains(c, 2) && fc_lru_contains(c, 1) && fc_lru_contains(c, 3));
    uint64_t k = 0;
    CHECK(fc_lru_oldest(c, &k) && k == 3);
    /* a value of 3 chunks (40 bytes: 12 + 12 + 16) fills the byte cap and evicts everything */
    char big[49];
    memset(big, 'x', sizeof big);
    CHECK_STATUS(fc_lru_put(c, 5, big, 40), FC_OK);
    fc_lru_stats s;
    fc_lru_get_stats(c, &s);
    CHECK_EQ_INT(s.entries, 1);
    CHECK_EQ_INT(s.bytes_in_use, 48);
    CHECK_EQ_INT(s.evictions, 4); /* 2 earlier, then 1, 3 and 4 */
    /* 41 bytes would need 4 chunks: refused, and the cache is unchanged */
    CHECK_STATUS(fc_lru_put(c, 6, big, 41), FC_E_TOO_LARGE);
    CHECK_STATUS(fc_lru_put(c, 5, big, 49), FC_E_TOO_LARGE);
    CHECK(fc_lru_contains(c, 5));
    /* a buffer too small: a hit that reports the length and copies nothing */
    memset(buf, 0, sizeof buf);
    CHECK_STATUS(fc_lru_get(c, 5, buf, 8, &len), FC_OK);
    CHECK(len == 40 && buf[0] == 0);
    CHECK(fc_lru_delete(c, 5) == 1 && fc_lru_delete(c, 5) == 0);
    fc_lru_get_stats(c, &s);
    CHECK(s.entries == 0 && s.bytes_in_use == 0 && s.peak_bytes == 48 && s.hits == 2 && s.misses == 1);
    CHECK_EQ_INT(s.insertions, 5);
    CHECK(fc_lru_oldest(c, NULL) == 0);
    fc_lru_destroy(c);
}

/* Proof that the colliding keys of the model test really share a tag and crowd a few slots (if
 * the hash changed, they would silently stop colliding and the model cases above would test
 * less), and a value chained over chunks comes back byte for byte. */
void test_lru_collisions(void)
{
    fc_lru *c = NULL;
    CHECK_STATUS(fc_lru_create(16, 1024, 8, &c), FC_OK);
    if (!c) return;
    uint32_t home0, tag0, home, tag;
    fc_lru_debug_hash(c, colliding_key(16, 0), &home0, &tag0);
    for (uint32_t i = 1; i < 48; i++) {
        fc_lru_debug_hash(c, colliding_key(16, i), &home, &tag);
        CHECK(tag == tag0 && home >= home0 && home <= home0 + 2);
        CHECK(colliding_key(16, i) != colliding_key(16, i - 1));
    }
    /* 16 colliding keys fill the cache; each is found (tag equal, key compared) */
    for (uint32_t i = 0; i < 16; i++) {
        uint64_t v = i;
        CHECK_STATUS(fc_lru_put(c, colliding_key(16, i), &v, sizeof v), FC_OK);
    }
    for (uint32_t i = 0; i < 16; i++) {
        uint64_t v = 99;
        size_t len;
        CHECK_STATUS(fc_lru_get(c, colliding_key(16, i), &v, sizeof v, &len), FC_OK);
        CHECK(len == 8 && v == i);
    }
    /* a colliding key that is absent misses; the access inserts it in one call, evicting key 0 */
    uint64_t v = 77, got = 0;
    size_t len;
    CHECK_STATUS(fc_lru_get(c, colliding_key(16, 20), &got, sizeof got, &len), FC_E_NOT_FOUND);
    CHECK_STATUS(fc_lru_access(c, colliding_key(16, 20), &got, sizeof got, &len, &v, sizeof v), FC_E_NOT_FOUND);
    CHECK(!fc_lru_contains(c, colliding_key(16, 0)));
    CHECK_STATUS(fc_lru_access(c, colliding_key(16, 20), &got, sizeof got, &len, &v, sizeof v), FC_OK);
    CHECK(got == 77 && len == 8);
    for (uint32_t i = 1; i < 16; i++) CHECK(fc_lru_contains(c, colliding_key(16, i)));
    fc_lru_destroy(c);

    /* a 40-byte value in 16-byte chunks takes 3 chunks (12 + 12 + 16 bytes: each continued
     * chunk keeps 4 bytes for the link) and comes back intact */
    CHECK_STATUS(fc_lru_create(3, 3 * 16, 16, &c), FC_OK);
    if (!c) return;
    CHECK_STATUS(fc_lru_put(c, 1, "one", 3), FC_OK);
    const char text[41] = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    CHECK_STATUS(fc_lru_put(c, 5, text, 40), FC_OK);
    CHECK(!fc_lru_contains(c, 1)); /* room was made */
    char buf[64];
    CHECK_STATUS(fc_lru_get(c, 5, buf, sizeof buf, &len), FC_OK);
    CHECK(len == 40 && memcmp(buf, text, 40) == 0);
    fc_lru_stats s;
    fc_lru_get_stats(c, &s);
    CHECK(s.insertions == 2 && s.evictions == 1 && s.peak_bytes == 48 && s.bytes_in_use == 48);
    CHECK_STATUS(fc_lru_access(c, 9, buf, sizeof buf, &len, NULL, 4), FC_E_ARG);
    CHECK_STATUS(fc_lru_put(NULL, 1, "x", 1), FC_E_ARG);
    fc_lru_destroy(c);
}
