/* test_fastpath.c — the fast snapshot parser against the cJSON reference, differentially:
 * its numbers against strtod bit for bit, and whole snapshots (generated, then mutated) through
 * three engines (parser = cjson, auto, fast) that must agree on status, message, result and
 * state digest; "fast" may only differ by saying FC_E_UNSUPPORTED with its state unchanged. */
#include "test.h"
#include "ingest_fast.h"
#include "timeutil.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic across platforms, so a failure reproduces */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

/* ---- numbers ------------------------------------------------------------------------------ */

static int same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* cJSON's strtod (fc_cjson_strtod) must be strtod, value and end, bit for bit. */
static void check_cjson_strtod(const char *text)
{
    char *e1 = NULL, *e2 = NULL;
    double a = fc_cjson_strtod(text, &e1), b = strtod(text, &e2);
    if (e1 != e2 || !same_double(a, b)) {
        fc_test_failures++;
        printf("#   cJSON's strtod \"%s\": %.17g (%zu bytes), strtod %.17g (%zu bytes)\n", text, a,
               (size_t)(e1 - text), b, (size_t)(e2 - text));
    }
}

/* Checks one number text; returns 1 when the fast conversion claimed it. */
static int check_number(const char *text)
{
    check_cjson_strtod(text);
    double fast = 0;
    size_t used = fc_fast_number(text, strlen(text), &fast);
    if (!used) return 0;
    char *end;
    double ref = strtod(text, &end);
    if ((size_t)(end - text) != used || !same_double(fast, ref)) {
        fc_test_failures++;
        printf("#   number \"%s\": fast %.17g (%zu bytes), strtod %.17g (%zu bytes)\n", text, fast, used, ref,
               (size_t)(end - text));
    }
    return 1;
}

/* A random strict JSON number: integers, decimals, exponents, many digits, huge and tiny. */
static void random_number(char *out, size_t cap)
{
    size_t n = 0;
    if (below(4) == 0) out[n++] = '-';
    unsigned int_digits = below(5) == 0 ? 1 + below(24) : 1 + below(4);
    unsigned frac_digits = below(3) == 0 ? 0 : below(4) == 0 ? 1 + below(22) : 1 + below(4);
    if (below(6) == 0) out[n++] = '0';
    else
        for (unsigned i = 0; i < int_digits && n < cap - 40; i++)
            out[n++] = (char)('0' + (i == 0 ? 1 + below(9) : below(10)));
    if (frac_digits) {
        out[n++] = '.';
        int zeros = below(4) == 0 ? (int)below(12) : 0;
        for (int i = 0; i < zeros && n < cap - 40; i++) out[n++] = '0';
        for (unsigned i = 0; i < frac_digits && n < cap - 40; i++) out[n++] = (char)('0' + below(10));
    }
    if (below(4) == 0) {
        out[n++] = below(2) ? 'e' : 'E';
        unsigned s = below(3);
        if (s == 1) out[n++] = '-';
        if (s == 2) out[n++] = '+';
        static const unsigned spans[] = {3, 30, 330, 100000};
        n += (size_t)snprintf(out + n, cap - n, "%u", below(spans[below(4)]));
    }
    out[n] = '\0';
}

void test_fast_numbers(void)
{
    /* ties, the Clinger boundary, 17-digit shortest forms, overflow and underflow */
    static const char *const fixed[] = {
        "0", "-0", "-0.0", "0e5", "-0.0e-7", "1", "61.25", "0.081", "1440", "0.30000000000000004",
        "61.199999999999996", "9007199254740992", "9007199254740993", "9007199254740995",
        "9007199254740993.0", "18446744073709551615", "1e22", "1e23", "8.589973e9", "1e400",
        "-1e400", "1e-400", "-1e-400", "1e308", "1.7976931348623157e308", "1.7976931348623159e308",
        "123456789012345678901234567890", "1.00000000000000000000000", "0.1000000000000000055511151231257827",
        "4.35679716e-10", "9.999999999999999e-28", "2.2250738585072014e-308", "5e-324", "1e-27",
        "7.2057594037927933e16", "144115188075855877", "3.0000000000000004440892098500626e0",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) check_number(fixed[i]);
    double v;
    CHECK(fc_fast_number("1e400", 5, &v) == 5 && isinf(v) && v > 0);
    CHECK(fc_fast_number("-0", 2, &v) == 2 && v == 0 && signbit(v));
    CHECK(fc_fast_number("01", 2, &v) == 0);  /* leading zero: not strict JSON */
    CHECK(fc_fast_number("1.", 2, &v) == 0);
    CHECK(fc_fast_number("-.5", 3, &v) == 0);
    CHECK(fc_fast_number("1e", 2, &v) == 0);
    CHECK(fc_fast_number("0.1234567890123456789012345", 27, &v) == 0); /* dropped nonzero digits */
    CHECK(fc_fast_number("1.5,", 4, &v) == 3 && v == 1.5);
    /* what cJSON may hand its strtod: the longest run of [0-9+-eE.], not always a number. A run
     * that is exactly one RFC 8259 number reads as strtod reads it; any other is refused with
     * nothing consumed, so the document fails to parse (the RFC 8259 number rule) */
    static const char *const numbers[] = {"0", "-0", "0.5", "1e5", "1E+5", "-1.5e-3", "1E5", "0.5e-3",
                                          "123456789012345678901234567890e-5", "1e400"};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) check_cjson_strtod(numbers[i]);
    static const char *const refused[] = {"05", "-05", "00", "5.", "1.e5", "-.5", "-", "1e", "1e+", "+1", ".5", "",
                                          "1e5e3", "1.5.3", "1-2", "--1", "e5", "1.5e", "0.", "-0.e1"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char *end = NULL;
        double r = fc_cjson_strtod(refused[i], &end);
        if (end != refused[i] || r != 0) {
            fc_test_failures++;
            printf("#   cJSON's strtod accepted \"%s\" (%zu bytes)\n", refused[i], (size_t)(end - refused[i]));
        }
    }

    int claimed = 0, total = 200000;
    char buf[128];
    for (int i = 0; i < total; i++) {
        random_number(buf, sizeof buf);
        claimed += check_number(buf);
    }
    /* near-ties: decimal forms of doubles and of midpoints between neighbours */
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = rnd() >> 2;
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d)) continue;
        snprintf(buf, sizeof buf, "%.17g", d);
        claimed += check_number(buf);
        double up = nextafter(d, INFINITY);
        snprintf(buf, sizeof buf, "%.25e", d / 2 + up / 2);
        claimed += check_number(buf);
        snprintf(buf, sizeof buf, "%.*g", 1 + (int)below(19), ldexp((double)(rnd() >> 11), -(int)below(60)));
        claimed += check_number(buf);
    }
    printf("# numbers: %d random checked against strtod, %d claimed by the fast path\n", total + 300000, claimed);
    CHECK(claimed > total / 2);
}

/* ---- whole snapshots ------------------------------------------------------------------------ */

typedef struct {
    char *s;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k + 1 > b->cap) {
        b->cap = (b->n + k + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, k + 1);
    b->n += k;
}

static void ws(sbuf *b)
{
    static const char *const spaces[] = {" ", "\n", "\r\n", "\t", "  "};
    if (below(8) == 0) put(b, spaces[below(5)]);
}

/* In a "clean" snapshot the generator avoids what sends the fast path to the reference. */
static int clean;

static void random_string(sbuf *b)
{
    static const char *const strs[] = {"\"x\"", "\"\"", "\"a\\\"b\"", "\"\\u00e9t\\u00E9\"", "\"caf\xc3\xa9\"",
                                       "\"\\ud83d\\ude00\"", "\"tab\\there\"", "\"\\/\\\\\"", "\"\\u0000\"",
                                       "\"\\uZZZZ\"", "\"\\udc00\"", "\"raw\ttab\""};
    put(b, strs[below(clean ? 9 : 12)]);
}

static void random_value(sbuf *b, int depth)
{
    char num[128];
    switch (below(depth > 3 ? 5 : clean ? 7 : 8)) {
    case 0: put(b, "null"); break;
    case 1: put(b, below(2) ? "true" : "false"); break;
    case 2: random_string(b); break;
    case 3: case 4:
        random_number(num, sizeof num);
        put(b, num);
        break;
    case 5: case 6: {
        int obj = below(2);
        put(b, obj ? "{" : "[");
        unsigned k = below(4);
        for (unsigned i = 0; i < k; i++) {
            if (i) put(b, ",");
            ws(b);
            if (obj) {
                random_string(b);
                put(b, ":");
            }
            random_value(b, depth + 1);
            ws(b);
        }
        put(b, obj ? "}" : "]");
        break;
    }
    default: {
        unsigned k = 30 + below(40); /* deep nesting: past the fast path's limit, within cJSON's */
        for (unsigned i = 0; i < k; i++) put(b, "[");
        for (unsigned i = 0; i < k; i++) put(b, "]");
    }
    }
}

/* A number as a canonical reading may hold it, and around the shortcut's limits (15 digits,
 * leading zeros, null, signs and exponents that send it to the member loop). */
static void canonical_number(sbuf *b, double scale)
{
    static const char *const odd[] = {"null", "0", "0.0", "-1.5", "1e2", "0.5", "-0", "1E+1", "\"5\"", "1.", "00", "nul"};
    char num[64];
    size_t n = 0;
    switch (below(8)) {
    case 0: put(b, odd[below(clean ? 9 : 12)]); return; /* the last three are not JSON */
    case 1: { /* an integer of 1..17 digits, sometimes with a leading zero */
        unsigned digits = 1 + below(17);
        for (unsigned i = 0; i < digits; i++) num[n++] = (char)('0' + (i == 0 && below(8) ? 1 + below(9) : below(10)));
        break;
    }
    case 2: { /* int.frac with 2..18 digits in all */
        unsigned id = 1 + below(8), fd = 1 + below(10);
        for (unsigned i = 0; i < id; i++) num[n++] = (char)('0' + (i == 0 && id > 1 ? 1 + below(9) : below(10)));
        num[n++] = '.';
        for (unsigned i = 0; i < fd; i++) num[n++] = (char)('0' + below(10));
        break;
    }
    default: /* a plausible value of the field, with 0..6 decimals (ties in the quantisation) */
        snprintf(num, sizeof num, "%.*f", (int)below(7), (double)below(1000000) / 1e6 * scale);
        n = strlen(num);
    }
    num[n] = '\0';
    put(b, num);
}

/* The shape almost every feed writes (ingest_fast.c, "the canonical reading"), with ids and
 * numbers that it takes and that it leaves to the member loop. */
static void canonical_reading(sbuf *b)
{
    static const char *const ids[] = {"\"A\"", "\"B\"", "\"C\"", "\"D\"", "\"nope\"", "\"a-much-longer-unknown-id-0123\"",
                                      "\"\\u0041\"", "\"caf\xc3\xa9\"", "\"\"", "\"A\x7f\"", "\"B\""};
    put(b, "{\"id\":");
    put(b, ids[below(clean ? 6 : 11)]);
    put(b, ",\"speed_mph\":");
    canonical_number(b, 100);
    put(b, ",\"volume_vph\":");
    canonical_number(b, 3000);
    put(b, ",\"occupancy\":");
    canonical_number(b, 1);
    if (below(3)) { /* the flowcast server leaves out a quality of 0 */
        put(b, ",\"quality\":");
        canonical_number(b, 4);
    }
    put(b, "}");
}

static void random_reading(sbuf *b)
{
    static const char *const ids[] = {"\"A\"", "\"B\"", "\"C\"", "\"D\"", "\"nope\"", "\"\\u0041\"", "7", "\"A \""};
    static const char *const keys[] = {"\"id\"", "\"speed_mph\"", "\"volume_vph\"", "\"occupancy\"", "\"quality\"",
                                       "\"lane_speeds\"", "\"speed\\u005fmph\"", "\"note\""};
    if (below(20) == 0) {
        random_value(b, 2);
        return;
    }
    if (below(3) == 0) {
        canonical_reading(b);
        return;
    }
    put(b, "{");
    unsigned n = 1 + below(6);
    for (unsigned i = 0; i < n; i++) {
        if (i) put(b, ",");
        ws(b);
        unsigned k = i == 0 && below(8) ? 0 : below(clean ? 6 : 8);
        put(b, keys[k]);
        ws(b);
        put(b, ":");
        ws(b);
        char num[128];
        if (k == 0) put(b, ids[below(10) < 8 ? below(4) : clean ? 4 + 2 * below(2) : 4 + below(4)]);
        else if (k <= 3 && below(5)) {
            if (below(3) || clean) snprintf(num, sizeof num, "%.*f", (int)below(4), (double)below(100000) / (k == 3 ? 1e5 : 100));
            else random_number(num, sizeof num);
            put(b, num);
        } else if (k == 4 && below(2)) {
            snprintf(num, sizeof num, "%u", below(300));
            put(b, num);
        } else random_value(b, 3);
        ws(b);
    }
    put(b, "}");
}

/* A snapshot at ts (or a broken ts), with top-level members in random order. */
static void random_snapshot(sbuf *b, const char *ts)
{
    b->n = 0;
    put(b, "");
    ws(b);
    put(b, "{");
    int order[6] = {0, 1, 2, 3, 4, 5};
    for (int i = 5; i > 0; i--) {
        int j = (int)below((unsigned)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int first = 1;
    for (int k = 0; k < 6 + (below(10) == 0); k++) {
        int m = k < 6 ? order[k] : (int)below(5); /* sometimes a duplicated known key */
        if (below(25) == 0) continue;          /* sometimes a member is missing */
        if (!first) put(b, ",");
        first = 0;
        ws(b);
        switch (m) {
        case 0: put(b, below(30) || clean ? "\"schema\":\"flowcast.snapshot/1\"" : "\"schema\":\"flowcast.snapshot\\/1\""); break;
        case 1: put(b, below(30) ? "\"network\":\"test-net\"" : below(2) ? "\"network\":\"other\"" : "\"network\":5"); break;
        case 2:
            put(b, "\"ts\":\"");
            put(b, ts);
            put(b, "\"");
            break;
        case 3: put(b, below(10) ? "\"interval_s\":300" : "\"interval_s\":\"5m\""); break;
        case 4: {
            put(b, "\"readings\":");
            ws(b);
            put(b, "[");
            unsigned n = below(8);
            for (unsigned i = 0; i < n; i++) {
                if (i) put(b, ",");
                ws(b);
                random_reading(b);
                ws(b);
            }
            put(b, "]");
            break;
        }
        default:
            put(b, below(2) || clean ? "\"extra\":" : "\"\\u0065xtra\":");
            random_value(b, 1);
        }
        ws(b);
    }
    put(b, "}");
    ws(b);
}

static void mutate(sbuf *b)
{
    if (!b->n) return;
    switch (below(4)) {
    case 0: b->n = below((unsigned)b->n); break;                      /* truncation */
    case 1: b->s[below((unsigned)b->n)] ^= (char)(1u << below(8)); break; /* bit flip */
    case 2: b->s[below((unsigned)b->n)] = "{}[],:\"\\0-e. \x01\xc3"[below(16)]; break;
    default: {
        size_t at = below((unsigned)b->n);
        memmove(b->s + at, b->s + at + 1, b->n - at - 1);             /* deletion */
        b->n--;
    }
    }
}

static fc_engine *engine_with(uint32_t parser)
{
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = 86400;
    cfg.parser = parser;
    fc_engine *e = NULL;
    if (fc_engine_create(&cfg, &e) != FC_OK) return NULL;
    if (fc_engine_load_network(e, fc_test_network_json, strlen(fc_test_network_json)) != FC_OK) {
        fc_engine_destroy(e);
        return NULL;
    }
    return e;
}

typedef struct {
    int cases, fast_decided, fast_ok, rejected;
    fc_status last_ref, last_fast; /* the statuses of the latest case */
} diff_counts;

/* Ingests one input into the three engines and checks that they agree. */
static void differential(fc_engine *ref, fc_engine *aut, fc_engine *fast, const char *s, size_t n, diff_counts *c)
{
    fc_ingest_result r1, r2, r3;
    uint64_t fast_before = fc_engine_digest(fast);
    fc_status s1 = fc_ingest_json(ref, s, n, &r1);
    fc_status s2 = fc_ingest_json(aut, s, n, &r2);
    fc_status s3 = fc_ingest_json(fast, s, n, &r3);
    c->cases++;
    c->rejected += s1 != FC_OK;
    c->last_ref = s1;
    c->last_fast = s3;
    int bad = s1 != s2 || strcmp(fc_engine_message(ref), fc_engine_message(aut)) != 0 ||
              memcmp(&r1, &r2, sizeof r1) != 0 || fc_engine_digest(ref) != fc_engine_digest(aut);
    if (s3 == FC_E_UNSUPPORTED) {
        bad |= fc_engine_digest(fast) != fast_before || r3.ts_ms != 0;
        /* keep the fast-only engine in step with the others */
        if (s1 == FC_OK) bad |= fc_ingest_values(fast, r1.ts_ms, (float[]){NAN, NAN, NAN, NAN}, NULL, NULL, 4, NULL) != FC_OK;
    } else {
        c->fast_decided++;
        c->fast_ok += s3 == FC_OK;
        bad |= s1 != s3 || strcmp(fc_engine_message(ref), fc_engine_message(fast)) != 0 ||
               memcmp(&r1, &r3, sizeof r1) != 0;
    }
    if (bad) {
        fc_test_failures++;
        printf("#   case %d differs: cjson %s \"%s\" / auto %s \"%s\" / fast %s \"%s\"\n#   input: %.*s\n", c->cases,
               fc_status_name(s1), fc_engine_message(ref), fc_status_name(s2), fc_engine_message(aut),
               fc_status_name(s3), fc_engine_message(fast), (int)(n < 600 ? n : 600), s);
    }
}

/* Hand-picked edges: where cJSON departs from JSON, the fast path's limits, and the rules. */
#define TOP_(ts) "\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"" ts "\""
static const char *const k_edges[] = {
    "\xEF\xBB\xBF{" TOP_("2026-11-25T13:20:00Z") ",\"readings\":[]}",                 /* BOM: cJSON skips it */
    "{\"schema\":\"flowcast.snapshot/1\\u0000x\",\"network\":\"test-net\",\"ts\":\"2026-11-25T13:20:30Z\",\"readings\":[]}",
    "{" TOP_("2026-11-25T13:21:00Z") ",\"readings\":[{\"id\":\"A\",\"speed_mph\":01}]}",  /* leading zero */
    "{" TOP_("2026-11-25T13:21:00Z") ",\"readings\":[{\"id\":\"A\",\"speed_mph\":1.}]}",
    "{" TOP_("2026-11-25T13:21:00Z") ",\"readings\":[{\"id\":\"A\",\"speed_mph\":-.5}]}",
    "{" TOP_("2026-11-25T13:21:00Z") ",\"readings\":[{\"id\":\"A\",\"speed_mph\":\"\\uZZZZ\"}]}",
    "{" TOP_("2026-11-25T13:21:30Z") ",\"readings\":[{\"id\":\"A\",\"speed_mph\":1E1,\"volume_vph\":-0,\"occupancy\":1e-400}]}",
    "{" TOP_("2026-11-25T13:22:00Z") ",\"readings\":[{\"id\":\"B\",\"speed_mph\":0.0000000000000000000000001}]}",
    "{" TOP_("2026-11-25T13:22:30Z") ",\"readings\":[{\"id\":\"C\",\"volume_vph\":123456789012345678901234}]}",
    "{" TOP_("2026-11-25T13:23:00Z") ",\"readings\":[{\"id\":\"A\\t\",\"speed_mph\":5},{\"id\":\"A\t\",\"speed_mph\":5}]}",
    "{" TOP_("2026-11-25T13:23:30Z") ",\"readings\":[{},[],null,{\"id\":\"D\",\"quality\":255.0,\"speed_mph\":1e2}]}",
    " \r\n\t{ \"schema\" : \"flowcast.snapshot/1\" , \"network\"\n:\"test-net\",\"ts\"\t:\"2026-11-25T13:24:00Z\" ,"
    "\"readings\" : [ { \"id\" : \"A\" , \"speed_mph\" : 50 } , { \"speed_mph\" : 1 , \"id\" : \"B\" } ] , \"x\":{\"y\":[1,{}]}} \n",
    "{" TOP_("2026-11-25T13:24:30Z") ",\"u\":1,\"u\":2,\"readings\":[]}",              /* unknown keys may repeat */
    "{" TOP_("2026-11-25T13:25:00Z") ",\"readings\":[],\"ts\":\"2026-11-25T13:25:00Z\"}",
    "{" TOP_("2026-11-25T13:25:00Z") ",\"readings\":[],\"readings\":[{\"id\":\"A\",\"speed_mph\":3}]}",
    "{" TOP_("2026-11-25T13:25:00Z") ",\"readings\":[{\"id\":\"A\",\"speed_mph\":nul}]}",
    "{" TOP_("2026-11-25T13:25:00Z") ",\"readings\":[{\"id\":\"A\",\"speed_mph\":true}]}",
    "{" TOP_("2026-11-25T13:25:00Z") ",\"interval_s\":null,\"readings\":[]}",
    "{" TOP_("2026-11-25T13:25:00Z") ",\"interval_s\":3e2,\"readings\":[]}",
    "{" TOP_("2026-11-25T13:25:30Z") ",\"network\":\"x\",\"readings\":[]}",
    "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"a-network-id-longer-than-sixty-three-bytes-so-the-message-cuts-it-off-here\",\"ts\":\"2026-11-25T13:26:00Z\",\"readings\":[]}",
    "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"caf\xc3\xa9\",\"ts\":\"2026-11-25T13:26:00Z\",\"readings\":[]}",
    "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"caf\xc3\",\"ts\":\"2026-11-25T13:26:00Z\",\"readings\":[]}",
    "[1]",
    "{" TOP_("2026-11-25T13:26:30Z") ",\"readings\":[{\"id\":\"\\ud83d\\ude00\",\"note\":\"\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\\\\\\"\"}]}",
};

/* The RFC 8259 number rule through the three engines: every non-RFC form is a JSON syntax
 * error on the cjson and auto paths (E_JSON naming the number and its offset, state unchanged)
 * and the fast path hands it over; every valid form is read alike by all three. */
static void number_rule(fc_engine *ref, fc_engine *aut, fc_engine *fast, diff_counts *c)
{
    static const char *const bad[] = {"05", "-05", "00", "5.", "1.e5", "-.5", "-", "1e", "1E+", "1.5.3", "1-2", "-0.e1"};
    static const char *const good[] = {"0", "-0", "0.5", "1e5", "1E+5", "-1.5e-3"};
    char doc[256], want[96];
    int sec = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass ? sizeof good / sizeof good[0] : sizeof bad / sizeof bad[0];
        for (size_t i = 0; i < n; i++) {
            const char *num = pass ? good[i] : bad[i];
            /* the number as a reading's speed, and as a member nobody reads */
            for (int where = 0; where < 2; where++) {
                int at = snprintf(doc, sizeof doc, "{" TOP_("2026-11-25T13:33:%02dZ") ",\"readings\":[{\"id\":\"A\",%s",
                                  sec++, where ? "\"speed_mph\":7,\"x\":" : "\"speed_mph\":");
                snprintf(doc + at, sizeof doc - (size_t)at, "%s}]}", num);
                uint64_t before = fc_engine_digest(ref);
                differential(ref, aut, fast, doc, strlen(doc), c);
                if (pass) {
                    CHECK_STATUS(c->last_ref, FC_OK);
                    continue;
                }
                CHECK_STATUS(c->last_ref, FC_E_JSON);
                CHECK_STATUS(c->last_fast, FC_E_UNSUPPORTED);
                CHECK(fc_engine_digest(ref) == before);
                snprintf(want, sizeof want, "snapshot: malformed JSON near offset %d: %s is not an RFC 8259 number", at, num);
                CHECK_CONTAINS(fc_engine_message(ref), want);
            }
        }
    }
}

/* Nesting around the fast path's limit (48) and cJSON's (64). */
static void nested(sbuf *b, int levels, const char *ts)
{
    b->n = 0;
    put(b, "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"");
    put(b, ts);
    put(b, "\",\"readings\":[{\"id\":\"C\",\"speed_mph\":7,\"deep\":");
    for (int i = 0; i < levels; i++) put(b, "[");
    for (int i = 0; i < levels; i++) put(b, "]");
    put(b, "}]}");
}

void test_fastpath_differential(void)
{
    fc_engine *ref = engine_with(FC_PARSER_CJSON), *aut = engine_with(FC_PARSER_AUTO), *fast = engine_with(FC_PARSER_FAST);
    CHECK(ref && aut && fast);
    if (!ref || !aut || !fast) goto done;
    diff_counts c = {0, 0, 0, 0, FC_OK, FC_OK};
    sbuf b = {NULL, 0, 0};
    for (size_t i = 0; i < sizeof k_edges / sizeof k_edges[0]; i++) differential(ref, aut, fast, k_edges[i], strlen(k_edges[i]), &c);
    static const char *const nest_ts[] = {"2026-11-25T13:30:00Z", "2026-11-25T13:30:30Z", "2026-11-25T13:31:00Z",
                                         "2026-11-25T13:31:30Z", "2026-11-25T13:32:00Z", "2026-11-25T13:32:30Z"};
    static const int nest_levels[] = {44, 45, 46, 60, 61, 62}; /* the readings' member sits at depth 3 */
    for (int i = 0; i < 6; i++) {
        nested(&b, nest_levels[i], nest_ts[i]);
        differential(ref, aut, fast, b.s, b.n, &c);
    }
    number_rule(ref, aut, fast, &c);
    int64_t t = fc_engine_last_ts_ms(ref) == INT64_MIN ? 1795612500 : fc_engine_last_ts_ms(ref) / 1000;
    printf("# edges: %d cases, %d decided by the fast path\n", c.cases, c.fast_decided);
    const int rounds = 20000;
    for (int i = 0; i < rounds; i++) {
        char ts[40];
        /* mostly the next 30 s; sometimes stale, far ahead, or not a time */
        int64_t when = t + 30;
        unsigned k = below(40);
        if (k == 0) when = t - 600;
        if (k == 1) when = t + 8 * 86400;
        int64_t days = when / 86400, sod = when % 86400;
        int y, m, d;
        int64_t yy;
        fc_civil_from_days(days, &yy, &m, &d);
        y = (int)yy;
        snprintf(ts, sizeof ts, k == 2 ? "%04d-%02d-%02dT%02d:%02d:%02d" : "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
        clean = below(2);
        random_snapshot(&b, ts);
        if (i % 3 == 2) mutate(&b);
        differential(ref, aut, fast, b.s, b.n, &c);
        if (fc_engine_last_ts_ms(ref) != INT64_MIN) t = fc_engine_last_ts_ms(ref) / 1000;
    }
    printf("# snapshots: %d differential cases, %d decided by the fast path (%d accepted), %d rejected by cJSON\n",
           c.cases, c.fast_decided, c.fast_ok, c.rejected);
    CHECK(c.fast_decided > c.cases / 3);
    CHECK(c.fast_ok > c.cases / 5);
    uint64_t nf = 0, nb = 0;
    fc_engine_parser_counts(aut, &nf, &nb);
    CHECK_EQ_INT(nf + nb, c.cases);
    free(b.s);
done:
    fc_engine_destroy(ref);
    fc_engine_destroy(aut);
    fc_engine_destroy(fast);
}
