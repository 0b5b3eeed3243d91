/* ingest_fast.c — see ingest_fast.h.
 *
 * Why the subset is safe. cJSON (the reference) accepts a superset of RFC 8259 with quirks
 * ("\uZZZZ" read as U+0000, a skipped UTF-8 BOM; its numbers are held to RFC 8259 by
 * fc_cjson_strtod below, which refuses 05, 5. and -.5). This parser
 * accepts only strict RFC 8259 text, and within it only what it can answer exactly:
 *   - strings: raw bytes >= 0x20 (multi-byte UTF-8 validated as fc_utf8_check does) and strict
 *     escapes (\" \\ \/ \b \f \n \r \t, \uXXXX with four hex digits, surrogates only as a
 *     high-low pair); keys, ids and the top-level strings that the rules compare must have no
 *     escape at all, so their bytes are what cJSON's decoded copy would hold;
 *   - numbers: strict grammar, converted by decimal_to_double() (json_number.h) only when the result is provably
 *     the correctly rounded double that strtod gives;
 *   - at most MAX_DEPTH nested arrays/objects (cJSON allows 64), JSON whitespace anywhere.
 * Anything else returns FC_E_UNSUPPORTED before a verdict. Every byte of an accepted document
 * has been looked at (bytes outside strings must be tokens or whitespace), which is why the
 * UTF-8/control-byte gate is fused into the scan: an input the gate would refuse never parses
 * here, so it falls back and the reference path reports FC_E_ENCODING.
 */
#include "ingest_fast.h"
#include "json_number.h"
#include "jsonutil.h"
#include "utf8.h"
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the word-at-a-time scans below assume little-endian loads (x86, ARM, WebAssembly)"
#endif

/* cJSON allows 64 levels; staying well below keeps every accepted document inside its limit. */
enum { MAX_DEPTH = 48 };

/* ---- numbers: the scanner and the conversion are in json_number.h ---- */

size_t fc_fast_number(const char *s, size_t len, double *out)
{
    int proven = 0;
    cursor b = (cursor)s, e = scan_number(b, b + len, out, &proven);
    return e && proven ? (size_t)(e - b) : 0;
}

double fc_cjson_strtod(const char *s, char **end)
{
    /* cJSON hands strtod a NUL-terminated copy of the longest run of [0-9+-eE.] (with '.'
     * replaced by the locale's point, which is '.' here: the library never sets a locale). In an
     * RFC 8259 document that run is exactly one number, since a number is never followed by one
     * of those characters; so a run that is not exactly one strict number (05, 5., -.5, 1.e5,
     * -, 1e+, 1-2) is refused: nothing consumed, the parse fails at the number and
     * fc_json_parse names it. This is where the reference parser's number rule is decided; the
     * fast path reads the same grammar (scan_number) and hands anything else over. A strict
     * number is converted here when proven, else by strtod, which reads the same characters. */
    size_t len = strlen(s);
    double v = 0;
    int proven = 0;
    cursor b = (cursor)s, e = len ? scan_number(b, b + len, &v, &proven) : NULL;
    if (e != b + len) {
        fc_json_note_bad_number(s, len);
        if (end) *end = (char *)(uintptr_t)s;
        return 0;
    }
    if (proven) {
        if (end) *end = (char *)(uintptr_t)(s + len);
        return v;
    }
    return strtod(s, end);
}

/* ---- strings and other values ------------------------------------------------------------- */

static int hex4(cursor s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (is_digit(c)) d = c - '0';
        else if ((c | 0x20) - 'a' < 6u) d = (c | 0x20) - 'a' + 10;
        else return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/* p at a backslash: the end of one strict escape, or NULL. */
static cursor skip_escape(cursor p, cursor end)
{
    if (end - p < 2) return NULL;
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return p + 2;
    case 'u':
        break;
    default:
        return NULL;
    }
    unsigned hi, lo;
    if (end - p < 6 || !hex4(p + 2, &hi) || (hi >= 0xDC00 && hi <= 0xDFFF)) return NULL;
    if (hi < 0xD800 || hi > 0xDBFF) return p + 6;
    if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !hex4(p + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
        return NULL;
    return p + 12;
}

/* High bit set in each byte of w that needs a closer look inside a string: '"', '\\', a
 * control byte (< 0x20) or a non-ASCII byte. Borrows can also flag bytes above the first real
 * hit, never below it, so the lowest flagged byte (first in memory: little-endian) is exact. */
static uint64_t special_bytes(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');
    uint64_t zero_q = (quote - ones) & ~quote, zero_b = (bslash - ones) & ~bslash;
    uint64_t control = (w - ones * 0x20) & ~w;
    return (zero_q | zero_b | control | w) & high;
}

/* p at the opening quote: the position after the closing one, or NULL. *escaped is set when
 * the string holds an escape (its raw bytes then differ from its value). Plain ASCII runs go
 * eight bytes at a time. */
static cursor scan_string(cursor p, cursor end, int *escaped)
{
    *escaped = 0;
    for (p++; p < end;) {
        if (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            uint64_t m = special_bytes(w);
            if (!m) {
                p += 8;
                continue;
            }
            p += __builtin_ctzll(m) >> 3;
        }
        unsigned c = *p;
        if (c == '"') return p + 1;
        if (c >= 0x20 && c < 0x80 && c != '\\') {
            p++;
        } else if (c == '\\') {
            *escaped = 1;
            if (!(p = skip_escape(p, end))) return NULL;
        } else if (c >= 0x80) {
            size_t n = fc_utf8_sequence(p, (size_t)(end - p));
            if (!n) return NULL;
            p += n;
        } else return NULL; /* a raw control byte, tab included: the reference decides */
    }
    return NULL;
}

HOT cursor skip_ws(cursor p, cursor end)
{
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

static cursor skip_container(cursor p, cursor end, int depth);

/* Reads one value at p (not whitespace) into *v. need_text: a string's bytes matter, so an
 * escaped one is not decided here; need_number: likewise an unproven number. */
static cursor read_value(cursor p, cursor end, int depth, fc_jv *v, int need_text, int need_number)
{
    int escaped, proven;
    switch (*p) {
    case '"': {
        cursor e = scan_string(p, end, &escaped);
        if (!e || (escaped && need_text)) return NULL;
        v->kind = FC_JV_STRING;
        v->str = (const char *)p + 1;
        v->len = (size_t)(e - p - 2);
        return e;
    }
    case '{':
        v->kind = FC_JV_OTHER;
        return skip_container(p, end, depth + 1);
    case '[':
        v->kind = FC_JV_ARRAY;
        return skip_container(p, end, depth + 1);
    case 't':
        v->kind = FC_JV_OTHER;
        return end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        v->kind = FC_JV_OTHER;
        return end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        v->kind = FC_JV_NULL;
        return end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default: {
        cursor e = scan_number(p, end, &v->num, &proven);
        if (!e || (need_number && !proven)) return NULL;
        v->kind = FC_JV_NUMBER;
        return e;
    }
    }
}

/* p at '[' or '{' of a value nobody reads; depth counts it. The end, or NULL. */
static cursor skip_container(cursor p, cursor end, int depth)
{
    if (depth > MAX_DEPTH) return NULL;
    int object = *p == '{';
    unsigned char close = object ? '}' : ']';
    p = skip_ws(p + 1, end);
    if (p < end && *p == close) return p + 1;
    fc_jv ignored;
    for (;;) {
        if (p >= end) return NULL;
        if (object) {
            int escaped;
            if (*p != '"' || !(p = scan_string(p, end, &escaped))) return NULL;
            p = skip_ws(p, end);
            if (p >= end || *p != ':') return NULL;
            p = skip_ws(p + 1, end);
            if (p >= end) return NULL;
        }
        if (!(p = read_value(p, end, depth, &ignored, 0, 0))) return NULL;
        p = skip_ws(p, end);
        if (p >= end) return NULL;
        if (*p == close) return p + 1;
        if (*p != ',') return NULL;
        p = skip_ws(p + 1, end);
    }
}

/* A list of known member names: each name with its closing quote, zero-padded to 16 bytes so
 * that it can be compared as two 64-bit words; its length; and which one (index + 1) starts
 * with each ASCII byte (within each list the first bytes differ). */
typedef struct {
    char quoted[FC_KEYS_MAX][16];
    uint8_t len[FC_KEYS_MAX];
    uint8_t by_first[128];
} key_list;

static const key_list k_top = {{"schema\"", "network\"", "ts\"", "interval_s\"", "readings\""},
                               {6, 7, 2, 10, 8}, {['s'] = 1, ['n'] = 2, ['t'] = 3, ['i'] = 4, ['r'] = 5}};
static const key_list k_reading = {{"id\"", "speed_mph\"", "volume_vph\"", "occupancy\"", "quality\""},
                                   {2, 9, 10, 9, 7}, {['i'] = 1, ['s'] = 2, ['v'] = 3, ['o'] = 4, ['q'] = 5}};

HOT uint64_t load64(const void *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

/* Whether the n (1..16) bytes at s equal those of quoted. */
HOT int same_bytes(cursor s, cursor end, const char *quoted, size_t n)
{
    if (end - s >= 16) { /* two word compares, masked to n bytes (little-endian) */
        uint64_t d0 = load64(s) ^ load64(quoted), d1 = load64(s + 8) ^ load64(quoted + 8);
        if (n <= 8) return (n == 8 ? d0 : d0 & ((1ull << (8 * n)) - 1)) == 0;
        return d0 == 0 && (n == 16 ? d1 : d1 & ((1ull << (8 * (n - 8))) - 1)) == 0;
    }
    return (size_t)(end - s) >= n && memcmp(s, quoted, n) == 0;
}

/* p at the opening quote of a member name: the index of the known name it spells, -1 for an
 * unknown one, -2 to fall back (an escaped name could decode to a known one). *after is set
 * past the closing quote. The candidate name is compared in place first: bytes equal to a
 * name and its closing quote are that name, unescaped. */
HOT int read_key(cursor p, cursor end, const key_list *keys, cursor *after)
{
    if (end - p >= 2 && p[1] < 128 && keys->by_first[p[1]]) {
        int i = keys->by_first[p[1]] - 1;
        size_t n = keys->len[i] + 1u;
        if (same_bytes(p + 1, end, keys->quoted[i], n)) {
            *after = p + 1 + n;
            return i;
        }
    }
    int escaped;
    cursor e = scan_string(p, end, &escaped);
    if (!e || escaped) return -2;
    *after = e;
    return -1;
}

typedef struct {
    const fc_ingest_limits *lim;
    fc_stage *st;
} target;

static cursor read_readings(const target *t, cursor p, cursor end, int depth);

/* The member loop of the top-level object (t != NULL: "readings" is staged as it is read) and
 * of each reading (t == NULL): p just after '{'. Known members go into f[], others are
 * skipped; *dup gets the first known name that repeats. Returns the position after '}'. */
static cursor read_members(cursor p, cursor end, int depth, const key_list *keys, const target *t,
                           fc_jv *f, int *dup)
{
    unsigned seen = 0;
    *dup = -1;
    p = skip_ws(p, end);
    if (p < end && *p == '}') return p + 1;
    for (;;) {
        if (p >= end || *p != '"') return NULL;
        cursor after;
        int key = read_key(p, end, keys, &after);
        if (key == -2) return NULL;
        p = skip_ws(after, end);
        if (p >= end || *p != ':') return NULL;
        p = skip_ws(p + 1, end);
        if (p >= end) return NULL;
        if (key >= 0) {
            if ((seen >> key & 1) && *dup < 0) *dup = key;
            seen |= 1u << key;
            if (t && key == FC_TOP_READINGS && *p == '[') {
                f[key].kind = FC_JV_ARRAY;
                p = read_readings(t, p, end, depth + 1);
            } else if (!t && key != FC_RD_ID && (is_digit(*p) || *p == '-')) {
                int proven; /* the common case, a reading's number, without the dispatch */
                p = scan_number(p, end, &f[key].num, &proven);
                if (!p || !proven) return NULL;
                f[key].kind = FC_JV_NUMBER;
            } else {
                /* an id, and the top-level strings, are compared byte for byte: no escapes */
                int text = t || key == FC_RD_ID;
                p = read_value(p, end, depth, &f[key], text, !text || t);
            }
        } else {
            fc_jv ignored;
            p = read_value(p, end, depth, &ignored, 0, 0);
        }
        if (!p) return NULL;
        p = skip_ws(p, end);
        if (p >= end) return NULL;
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        return *p == '}' ? p + 1 : NULL;
    }
}

/* ---- the canonical reading ----------------------------------------------------------------
 *
 * Almost every reading of a real feed (the flowcast server's, the simulator's, any serializer
 * that writes objects in a fixed order) has exactly this shape, minified, "quality" optional:
 *   {"id":"<ascii>","speed_mph":<num>,"volume_vph":<num>,"occupancy":<num>,"quality":<num>}
 * where <num> is null or a plain non-negative decimal (no sign, exponent or leading zero) of at
 * most 15 digits. read_canonical() matches that shape literally, a few words at a time, with no
 * per-byte bookkeeping; on the first byte that differs it returns NULL and the member loop
 * (read_members) reads the same reading from its start. It fills f[] exactly as the member loop
 * would for these bytes (the same kinds, the id's bytes, the same correctly rounded doubles),
 * so the shortcut can change speed, never an answer; tests/c/test_fastpath.c and the fuzz
 * differential check that. */

/* Bytes of the fixed parts, zero-padded so that two 64-bit loads cover each. */
static const char k_lit_open[8] = "{\"id\":\"";               /* 7 */
static const char k_lit_speed[16] = "\",\"speed_mph\":";      /* 14: the id's closing quote on */
static const char k_lit_volume[16] = ",\"volume_vph\":";      /* 14 */
static const char k_lit_occ[16] = ",\"occupancy\":";          /* 13 */
static const char k_lit_quality[16] = ",\"quality\":";        /* 11 */

/* Whether the n (9..16) bytes at p spell lit: two overlapping word compares. */
HOT int lit_eq(cursor p, const char *lit, size_t n)
{
    return load64(p) == load64(lit) && load64(p + n - 8) == load64(lit + n - 8);
}

/* Enough bytes after a checked position that every load below stays inside the input: the
 * longest step after a check is a 14-byte literal and a number (17 bytes, canon_number). */
enum { CANON_SLACK = 40 };

/* A plain decimal or null at p into *v; the end, or NULL (not plain: the member loop decides).
 * Reads at most 17 bytes: 15 digits, the point and the byte after. */
HOT cursor canon_number(cursor p, fc_jv *v)
{
    if (*p == 'n') {
        if (memcmp(p, "null", 4) != 0) return NULL;
        v->kind = FC_JV_NULL;
        return p + 4;
    }
    cursor start = p, stop = p + 15;
    uint64_t w = 0;
    if (*p == '0') p++; /* a leading zero stands alone: "05" fails the check below */
    else
        while (p < stop && is_digit(*p)) w = w * 10 + (unsigned)(*p++ - '0');
    if (p == start || is_digit(*p)) return NULL; /* not a number, or a leading zero, or too long */
    int frac = 0;
    if (*p == '.') {
        cursor f0 = ++p;
        stop++; /* the point is not a digit */
        while (p < stop && is_digit(*p)) w = w * 10 + (unsigned)(*p++ - '0');
        frac = (int)(p - f0);
        if (!frac || is_digit(*p)) return NULL;
    }
    /* at most 15 digits: w < 10^15 < 2^53 and 10^frac are exact, so one IEEE operation rounds
     * the exact value once (case 1 of decimal_to_double, which the member loop would use) */
    v->kind = FC_JV_NUMBER;
    v->num = frac ? (double)w / k_pow10[frac] : (double)w;
    return p;
}

/* p at '{' of a reading: the position after its '}', or NULL. */
HOT cursor read_canonical(cursor p, cursor end, int depth, fc_jv *f)
{
    if (depth + 1 > MAX_DEPTH || end - p < CANON_SLACK || (load64(p) & 0x00FFFFFFFFFFFFFFull) != load64(k_lit_open)) return NULL;
    cursor id = p + 7, q = id;
    for (;;) { /* plain printable ASCII up to the closing quote, eight bytes a step */
        if (end - q < CANON_SLACK) return NULL;
        uint64_t m = special_bytes(load64(q));
        if (m) {
            q += __builtin_ctzll(m) >> 3;
            break;
        }
        q += 8;
    }
    if (*q != '"' || !lit_eq(q, k_lit_speed, 14)) return NULL;
    f[FC_RD_ID].kind = FC_JV_STRING;
    f[FC_RD_ID].str = (const char *)id;
    f[FC_RD_ID].len = (size_t)(q - id);
    if (!(q = canon_number(q + 14, &f[FC_RD_SPEED])) || end - q < CANON_SLACK || !lit_eq(q, k_lit_volume, 14)) return NULL;
    if (!(q = canon_number(q + 14, &f[FC_RD_VOLUME])) || end - q < CANON_SLACK || !lit_eq(q, k_lit_occ, 13)) return NULL;
    if (!(q = canon_number(q + 13, &f[FC_RD_OCC]))) return NULL;
    if (*q == '}') return q + 1; /* no "quality": the flowcast server writes it only when not 0 */
    if (end - q < CANON_SLACK || !lit_eq(q, k_lit_quality, 11)) return NULL;
    if (!(q = canon_number(q + 11, &f[FC_RD_QUALITY])) || *q != '}') return NULL;
    return q + 1;
}

/* p at '[' of "readings": stages every element. */
static cursor read_readings(const target *t, cursor p, cursor end, int depth)
{
    fc_jv f[FC_KEYS_MAX];
    p = skip_ws(p + 1, end);
    if (p < end && *p == ']') return p + 1;
    for (;;) {
        if (p >= end) return NULL;
        for (int i = 0; i < FC_RD_N; i++) f[i].kind = FC_JV_ABSENT;
        int malformed = 1;
        cursor canon = *p == '{' ? read_canonical(p, end, depth, f) : NULL;
        if (canon) {
            p = canon;
            malformed = 0;
            t->st->n_canonical++;
        } else if (*p == '{') {
            for (int i = 0; i < FC_RD_N; i++) f[i].kind = FC_JV_ABSENT; /* the shortcut may have filled some */
            if (depth + 1 > MAX_DEPTH || !(p = read_members(p + 1, end, depth + 1, &k_reading, NULL, f, &malformed)))
                return NULL;
            malformed = malformed >= 0;
        } else {
            fc_jv ignored;
            if (!(p = read_value(p, end, depth, &ignored, 0, 0))) return NULL;
        }
        fc_stage_reading_fields(t->st, t->lim, f, malformed);
        p = skip_ws(p, end);
        if (p >= end) return NULL;
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        return *p == ']' ? p + 1 : NULL;
    }
}

fc_status fc_ingest_parse_fast(const fc_ingest_limits *lim, const char *json, size_t len,
                               fc_stage *st, char *msg, size_t cap)
{
    fc_stage_reset(st);
    fc_status status = fc_ingest_check_size(lim, len, msg, cap);
    if (status) return status;
    cursor end = (cursor)json + len, p = skip_ws((cursor)json, end);
    target t = {lim, st};
    fc_jv top[FC_KEYS_MAX];
    for (int i = 0; i < FC_TOP_N; i++) top[i].kind = FC_JV_ABSENT;
    int dup = -1;
    p = p < end && *p == '{' ? read_members(p + 1, end, 1, &k_top, &t, top, &dup) : NULL;
    if (p) p = skip_ws(p, end);
    if (!p || p != end) {
        snprintf(msg, cap, "snapshot: outside what the fast parser decides (parser \"fast\" does not fall back to cJSON)");
        return FC_E_UNSUPPORTED;
    }
    int64_t ts_ms = 0;
    status = fc_ingest_check_top(lim, top, dup, &ts_ms, msg, cap);
    if (status == FC_OK) st->ts_ms = ts_ms;
    return status;
}
