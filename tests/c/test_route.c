/* test_route.c — time-dependent travel times on small hand-made networks with hand-written
 * forecast arrays, so every expected figure can be computed by hand. */
#include "test.h"
#include "route.h"
#include <math.h>
#include <stdlib.h>

#define H 12
#define STEP_MS 300000  /* 5-minute steps */
#define T0 1764000000000LL

#define CHECK_NEAR(a, b, tol) do { double va_ = (a), vb_ = (b); if (!(fabs(va_ - vb_) <= (tol))) { \
    fc_test_failures++; printf("#   %s:%d: %s == %.9g, expected %.9g\n", __FILE__, __LINE__, #a, va_, vb_); } } while (0)

typedef struct fixture {
    fc_network *net;
    fc_route route;
    float now[16], mid[16 * H], lo[16 * H], hi[16 * H];
    fc_route_speeds sp;
    char msg[256];
} fixture;

/* A station JSON object at (lat, lon) on a milepost, 60 mph limit. */
#define STATION(id, lat, lon, mp) "{\"id\":\"" id "\",\"lat\":" #lat ",\"lon\":" #lon ",\"road\":\"R\",\"direction\":\"E\"," \
    "\"milepost\":" #mp ",\"lanes\":3,\"speed_limit_mph\":60}"

static int fixture_init(fixture *f, const char *json)
{
    memset(f, 0, sizeof *f);
    if (fc_network_parse(json, strlen(json), &f->net, f->msg, sizeof f->msg) != FC_OK) {
        printf("#   network: %s\n", f->msg);
        return -1;
    }
    if (fc_route_init(&f->route, f->net)) return -1;
    f->sp.now = f->now;
    f->sp.mid = f->mid;
    f->sp.lo = f->lo;
    f->sp.hi = f->hi;
    f->sp.horizons = H;
    f->sp.t0_ms = T0;
    f->sp.step_ms = STEP_MS;
    return 0;
}

static void fixture_free(fixture *f)
{
    fc_route_free(&f->route);
    fc_network_free(f->net);
}

/* Station s at speed v at every step and now; the bounds at v -+ spread. */
static void set_speed(fixture *f, uint32_t s, float v, float spread)
{
    f->now[s] = v;
    for (int k = 0; k < H; k++) {
        f->mid[s * H + k] = v;
        f->lo[s * H + k] = v - spread;
        f->hi[s * H + k] = v + spread;
    }
}

static fc_status travel(fixture *f, const char *from, const char *to, double depart_min, fc_travel_time *out,
                        fc_travel_segment *seg, size_t cap)
{
    long a = fc_idmap_find(&f->net->ids, from, strlen(from)), b = fc_idmap_find(&f->net->ids, to, strlen(to));
    return fc_route_travel(&f->route, f->net, &f->sp, (uint32_t)a, (uint32_t)b, T0 + (int64_t)llround(depart_min * 60000.0),
                           out, seg, cap, f->msg, sizeof f->msg);
}

/* Five stations 5 miles apart on one corridor. */
static const char *const k_straight =
    "{\"schema\":\"flowcast.network/1\",\"id\":\"straight\",\"timezone\":\"UTC\",\"interval_s\":300,\"sensors\":["
    STATION("S0", 33.0, -84.0, 0) "," STATION("S1", 33.0, -84.1, 5) "," STATION("S2", 33.0, -84.2, 10) ","
    STATION("S3", 33.0, -84.3, 15) "," STATION("S4", 33.0, -84.4, 20) "],"
    "\"corridors\":[{\"id\":\"C\",\"road\":\"R\",\"direction\":\"E\",\"sensors\":[\"S0\",\"S1\",\"S2\",\"S3\",\"S4\"]}]}";

void test_route_constant_speed(void)
{
    fixture f;
    if (fixture_init(&f, k_straight)) return;
    for (uint32_t s = 0; s < 5; s++) set_speed(&f, s, 40, 10);
    fc_travel_time t;
    fc_travel_segment seg[8];
    CHECK_STATUS(travel(&f, "S0", "S4", 0, &t, seg, 8), FC_OK);
    /* 20 miles at 40 mph: 30 minutes; at the 60 mph limit: 20 */
    CHECK_NEAR(t.distance_mi, 20, 0);
    CHECK_NEAR(t.minutes, 30, 1e-9);
    CHECK_NEAR(t.free_flow_minutes, 20, 1e-9);
    CHECK_NEAR(t.delay_minutes, 10, 1e-9);
    CHECK_EQ_INT(t.n_segments, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(seg[i].from, i);
        CHECK_EQ_INT(seg[i].to, i + 1);
        CHECK_NEAR(seg[i].length_mi, 5, 0);
        CHECK_NEAR(seg[i].speed_mph, 40, 0);
        CHECK_NEAR(seg[i].entry_min, 7.5 * i, 1e-9);
    }
    /* the range: the first segment (entered at t0) runs at the observed 40 mph; then the 90%
     * speed 50 gives the low end and the 10% speed 30 the high end, once past step 1 */
    CHECK(t.low_minutes < t.minutes && t.minutes < t.high_minutes);
    CHECK_STATUS(travel(&f, "S0", "S1", 5, &t, NULL, 0), FC_OK);
    CHECK_NEAR(t.minutes, 7.5, 1e-9);
    CHECK_NEAR(t.low_minutes, 6, 1e-9);
    CHECK_NEAR(t.high_minutes, 10, 1e-9);
    /* fewer segment slots than the path: n_segments still counts the whole path */
    CHECK_STATUS(travel(&f, "S1", "S4", 0, &t, seg, 1), FC_OK);
    CHECK_EQ_INT(t.n_segments, 3);
    fixture_free(&f);
}

void test_route_time_dependent(void)
{
    fixture f;
    if (fixture_init(&f, k_straight)) return;
    for (uint32_t s = 0; s < 5; s++) set_speed(&f, s, 60, 0);
    /* a jam (20 mph) that moves upstream: at S4 from step 1 (5 min), S3 from step 2 (10 min),
     * S2 from step 3 (15 min) */
    for (int k = 1; k <= H; k++) {
        if (k >= 1) f.mid[4 * H + k - 1] = 20;
        if (k >= 2) f.mid[3 * H + k - 1] = 20;
        if (k >= 3) f.mid[2 * H + k - 1] = 20;
    }
    fc_travel_time t;
    fc_travel_segment seg[4];
    CHECK_STATUS(travel(&f, "S0", "S4", 0, &t, seg, 4), FC_OK);
    /* by hand: S0-S1 entered at 0 (60/60): 5 min; S1-S2 at 5 (step 1: 60/60): 5 min;
     * S2-S3 at 10 (step 2: S2 60, S3 20, harmonic mean 30): 10 min; S3-S4 at 20 (step 4:
     * 20/20): 15 min. Total 35 min, where the speeds at departure would say 20. */
    CHECK_NEAR(seg[0].entry_min, 0, 1e-9);
    CHECK_NEAR(seg[1].entry_min, 5, 1e-9);
    CHECK_NEAR(seg[2].entry_min, 10, 1e-9);
    CHECK_NEAR(seg[2].speed_mph, 30, 1e-5);
    CHECK_NEAR(seg[3].entry_min, 20, 1e-5);
    CHECK_NEAR(seg[3].speed_mph, 20, 1e-5);
    CHECK_NEAR(t.minutes, 35, 1e-5);
    CHECK_NEAR(t.free_flow_minutes, 20, 1e-9);
    /* interpolation between steps: S0 and S1 go from 60 now to 40 at step 1; leaving at
     * 2.5 min both run 50 mph: 5 miles in 6 minutes */
    set_speed(&f, 0, 40, 0);
    set_speed(&f, 1, 40, 0);
    f.now[0] = f.now[1] = 60;
    CHECK_STATUS(travel(&f, "S0", "S1", 2.5, &t, NULL, 0), FC_OK);
    CHECK_NEAR(t.minutes, 6, 1e-9);
    /* at and beyond the last horizon the last step holds; past it is out of range */
    CHECK_STATUS(travel(&f, "S0", "S1", 60, &t, NULL, 0), FC_OK);
    CHECK_NEAR(t.minutes, 7.5, 1e-9);
    CHECK_STATUS(travel(&f, "S0", "S1", 60.001, &t, NULL, 0), FC_E_RANGE);
    CHECK_CONTAINS(f.msg, "after the newest data");
    CHECK_STATUS(travel(&f, "S0", "S1", -1, &t, NULL, 0), FC_E_RANGE);
    CHECK_CONTAINS(f.msg, "before the newest data");
    fixture_free(&f);
}

/* Corridor A (3 stations, 1 mile apart) and a shortcut B joined by two 0.1-mile ramps. */
static const char *const k_choice =
    "{\"schema\":\"flowcast.network/1\",\"id\":\"choice\",\"timezone\":\"UTC\",\"interval_s\":300,\"sensors\":["
    STATION("A0", 33.0, -84.0, 0) "," STATION("A1", 33.0, -84.01, 1) "," STATION("A2", 33.0, -84.02, 2) ","
    STATION("B0", 33.001, -84.0, 0) "," STATION("B1", 33.001, -84.01, 1) "],"
    "\"corridors\":[{\"id\":\"A\",\"road\":\"R\",\"direction\":\"E\",\"sensors\":[\"A0\",\"A1\",\"A2\"]},"
    "{\"id\":\"B\",\"road\":\"R\",\"direction\":\"E\",\"sensors\":[\"B0\",\"B1\"]}],"
    "\"connections\":[{\"from\":\"A0\",\"to\":\"B0\",\"length_mi\":0.1},{\"from\":\"B1\",\"to\":\"A2\",\"length_mi\":0.1}]}";

void test_route_choice_and_errors(void)
{
    fixture f;
    if (fixture_init(&f, k_choice)) return;
    for (uint32_t s = 0; s < 5; s++) set_speed(&f, s, 60, 5);
    fc_travel_time t;
    fc_travel_segment seg[4];
    /* equal speeds: the 1.2-mile shortcut wins over the 2-mile corridor */
    CHECK_STATUS(travel(&f, "A0", "A2", 0, &t, seg, 4), FC_OK);
    CHECK_EQ_INT(t.n_segments, 3);
    CHECK_NEAR(t.distance_mi, 1.2, 1e-6);
    CHECK_EQ_INT(seg[0].to, 3);
    /* the shortcut jammed at 10 mph: 1 mile at the harmonic mean of 60 and 10 takes longer
     * than 2 miles at 60, so the corridor wins */
    set_speed(&f, 3, 10, 0);
    set_speed(&f, 4, 10, 0);
    CHECK_STATUS(travel(&f, "A0", "A2", 0, &t, seg, 4), FC_OK);
    CHECK_EQ_INT(t.n_segments, 2);
    CHECK_NEAR(t.minutes, 2, 1e-9);
    /* errors */
    CHECK_STATUS(travel(&f, "A2", "A0", 0, &t, NULL, 0), FC_E_NOT_FOUND);
    CHECK_CONTAINS(f.msg, "no path from \"A2\" to \"A0\"");
    CHECK_STATUS(travel(&f, "A1", "A1", 0, &t, NULL, 0), FC_E_ARG);
    CHECK_CONTAINS(f.msg, "same station");
    CHECK_STATUS(fc_route_travel(&f.route, f.net, &f.sp, 0, 99, T0, &t, NULL, 0, f.msg, sizeof f.msg), FC_E_NOT_FOUND);
    /* a stopped forecast is floored, never infinite */
    set_speed(&f, 0, 0, 0);
    set_speed(&f, 1, 0, 0);
    CHECK_STATUS(travel(&f, "A0", "A1", 0, &t, NULL, 0), FC_OK);
    CHECK_NEAR(t.minutes, 60.0 / FC_ROUTE_MIN_SPEED_MPH, 1e-9);
    fixture_free(&f);
}

/* A loop of four stations on a small square; mileposts restart where it closes. */
static const char *const k_loop =
    "{\"schema\":\"flowcast.network/1\",\"id\":\"loop\",\"timezone\":\"UTC\",\"interval_s\":300,\"sensors\":["
    STATION("L0", 33.0, -84.0, 0.5) "," STATION("L1", 33.0, -84.02, 1.5) "," STATION("L2", 33.02, -84.02, 2.5) ","
    STATION("L3", 33.02, -84.0, 3.5) "],"
    "\"corridors\":[{\"id\":\"L\",\"road\":\"R\",\"direction\":\"E\",\"loop\":true,\"sensors\":[\"L0\",\"L1\",\"L2\",\"L3\"]}]}";

void test_route_loop(void)
{
    fixture f;
    if (fixture_init(&f, k_loop)) return;
    for (uint32_t s = 0; s < 4; s++) set_speed(&f, s, 60, 0);
    fc_travel_time t;
    fc_travel_segment seg[4];
    /* L2 -> L1 goes round: L2-L3 (1 mi), L3-L0 (the wrap: great-circle), L0-L1 (1 mi) */
    CHECK_STATUS(travel(&f, "L2", "L1", 0, &t, seg, 4), FC_OK);
    double wrap = fc_great_circle_mi(33.02, -84.0, 33.0, -84.0);
    CHECK_NEAR(wrap, 1.3819, 0.001); /* 0.02 degrees of latitude */
    CHECK_EQ_INT(t.n_segments, 3);
    CHECK_NEAR(seg[1].length_mi, wrap, 1e-5);
    CHECK_NEAR(t.distance_mi, 2 + wrap, 1e-5);
    CHECK_NEAR(t.minutes, t.distance_mi, 1e-5); /* 60 mph: a mile a minute */
    fixture_free(&f);
}

/* Through the engine: the forecast it keeps for routes, the cache, the data version, and the
 * query errors (under ASan this also checks that every route buffer is freed). */
void test_route_engine(void)
{
    fc_engine *e = fc_test_engine();
    if (!e) return;
    fc_travel_time t, u;
    fc_travel_segment sa[8], sb[8];
    CHECK_STATUS(fc_engine_travel_time(e, 0, 3, T0, 0, &t, NULL, 0), FC_E_STATE); /* no data, no model */
    /* readings that move a little: a detector repeating one value for an hour is stuck, and a
     * day of stuck readings is no evidence to cost a trip from (FC_E_GAP) */
    int64_t ts = T0;
    for (int k = 0; k < 288; k++) {
        float speed[4] = {50.0f + k % 2, 50.0f - k % 2, 40.0f + k % 2, 60.0f - k % 2};
        ts += STEP_MS;
        CHECK_STATUS(fc_ingest_values(e, ts, speed, NULL, NULL, 4, NULL), FC_OK);
    }
    CHECK_STATUS(fc_engine_travel_time(e, 0, 3, ts, 0, &t, NULL, 0), FC_E_STATE);
    CHECK_CONTAINS(fc_engine_message(e), "no model");
    fc_train_options opt;
    fc_train_options_default(&opt);
    opt.max_samples = 100;
    CHECK_STATUS(fc_engine_train(e, &opt, NULL, NULL), FC_OK);
    /* A -> B -> C on the corridor, then the 0.5-mile ramp C -> D */
    CHECK_STATUS(fc_engine_travel_time(e, 0, 3, ts, 0, &t, sa, 8), FC_OK);
    CHECK_EQ_INT(t.n_segments, 3);
    CHECK_NEAR(t.distance_mi, 1.5, 1e-6);
    CHECK_EQ_INT(sa[2].from, 2);
    CHECK_EQ_INT(sa[2].to, 3);
    CHECK_STATUS(fc_engine_travel_time(e, 0, 3, ts, 0, &u, sb, 8), FC_OK);
    CHECK(memcmp(&t, &u, sizeof t) == 0 && memcmp(sa, sb, 3 * sizeof *sa) == 0);
    CHECK_STATUS(fc_engine_travel_time(e, 0, 3, ts, FC_ROUTE_NO_CACHE, &u, sb, 8), FC_OK);
    CHECK(memcmp(&t, &u, sizeof t) == 0 && memcmp(sa, sb, 3 * sizeof *sa) == 0);
    fc_cache_stats st;
    fc_engine_route_cache_stats(e, &st);
    CHECK(st.hits == 1 && st.misses == 1 && st.insertions == 1 && st.entries == 1);
    /* a snapshot bumps the version: the same query is a miss and sees the jam */
    uint64_t v = fc_engine_data_version(e);
    float jam[4] = {10, 10, 10, 10};
    CHECK_STATUS(fc_ingest_values(e, ts + STEP_MS, jam, NULL, NULL, 4, NULL), FC_OK);
    CHECK(fc_engine_data_version(e) != v);
    CHECK_STATUS(fc_engine_travel_time(e, 0, 3, ts + STEP_MS, 0, &u, NULL, 0), FC_OK);
    fc_engine_route_cache_stats(e, &st);
    CHECK_EQ_INT(st.misses, 2);
    CHECK(u.minutes > t.minutes);
    /* best departure over the whole forecast */
    fc_departure dep[13];
    size_t n = 0, best = 99;
    CHECK_STATUS(fc_engine_best_departure(e, 0, 3, ts + STEP_MS, ts + STEP_MS + 60 * 60000, 5 * 60000, dep, 13, &n, &best), FC_OK);
    CHECK_EQ_INT(n, 13);
    CHECK(best < 13);
    for (size_t i = 0; i < n; i++) CHECK(dep[best].minutes <= dep[i].minutes);
    CHECK_STATUS(fc_engine_best_departure(e, 0, 3, ts + STEP_MS, ts + STEP_MS + 60 * 60000, 5 * 60000, dep, 12, &n, &best), FC_E_ARG);
    CHECK_EQ_INT(n, 13);
    CHECK_STATUS(fc_engine_best_departure(e, 0, 3, ts, ts + 60000, 60000, dep, 13, &n, &best), FC_E_RANGE);
    CHECK_STATUS(fc_engine_travel_time(e, 0, 9, ts + STEP_MS, 0, &u, NULL, 0), FC_E_NOT_FOUND);
    CHECK_STATUS(fc_engine_travel_time(e, 3, 0, ts + STEP_MS, 0, &u, NULL, 0), FC_E_NOT_FOUND);
    CHECK_CONTAINS(fc_engine_message(e), "no path from \"D\" to \"A\"");
    CHECK_STATUS(fc_engine_travel_time(e, 0, 3, ts + STEP_MS, 2, &u, NULL, 0), FC_E_ARG); /* unknown flag */
    /* reloading the network drops the routes and the cache */
    v = fc_engine_data_version(e);
    CHECK_STATUS(fc_engine_load_network(e, fc_test_network_json, strlen(fc_test_network_json)), FC_OK);
    CHECK(fc_engine_data_version(e) != v);
    fc_engine_route_cache_stats(e, &st);
    CHECK_EQ_INT(st.max_entries, 0);
    fc_engine_destroy(e);
}
