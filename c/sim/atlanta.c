/* atlanta.c — the Atlanta I-75 / I-285 network: waypoints that follow the roads, interchange
 * names and mileposts, lanes and speed limits by milepost, detector stations every 0.4 mi in
 * both directions, local ramps, and the ramps between I-75 and I-285 at the two interchanges.
 *
 * Positions come from the waypoint tables below (WGS84, interpolated linearly in milepost); the
 * anchors of the reference list (interchange mileposts and names) are kept, with extra points
 * where the road curves. They are approximate (a few hundred metres), which is plenty for a
 * demonstration map; nothing here reads files at run time. */
#include "ctm.h"
#include "simnet.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define I285_LENGTH_MI 63.98
#define I75_MP_SOUTH 235.0
#define I75_MP_NORTH 263.0
/* Georgia DOT stations sit roughly every third of a mile; 0.4 mi gives 460 stations in all. */
#define STATION_SPACING_MI 0.4
/* Each direction's stations are drawn this far right of the centre line, so that the two
 * directions do not overlap on the map. */
#define SIDE_OFFSET_M 12.0

typedef struct waypoint { double mp, lat, lon; } waypoint;

static const waypoint k_i285[] = {
    {0.0, 33.6285, -84.4760},  {1.0, 33.6395, -84.4890},  {2.0, 33.6520, -84.5020},
    {3.5, 33.6740, -84.5120},  {5.0, 33.6980, -84.5165},  {7.0, 33.7240, -84.5230},
    {8.5, 33.7420, -84.5275},  {10.0, 33.7555, -84.5300}, {11.0, 33.7710, -84.5280},
    {12.0, 33.7860, -84.5220}, {13.5, 33.8080, -84.5125}, {15.0, 33.8290, -84.5010},
    {16.5, 33.8500, -84.4870}, {18.0, 33.8680, -84.4750}, {19.0, 33.8840, -84.4650},
    {20.0, 33.8870, -84.4510}, {21.0, 33.8920, -84.4360}, {22.0, 33.9010, -84.4180},
    {23.5, 33.9100, -84.4000}, {25.0, 33.9235, -84.3790}, {26.0, 33.9240, -84.3670},
    {27.0, 33.9238, -84.3555}, {28.0, 33.9225, -84.3450}, {29.0, 33.9200, -84.3380},
    {30.0, 33.9170, -84.3130}, {31.0, 33.9120, -84.2890}, {32.0, 33.9040, -84.2720},
    {33.0, 33.8935, -84.2587}, {34.0, 33.8800, -84.2530}, {35.5, 33.8620, -84.2490},
    {37.0, 33.8470, -84.2470}, {38.0, 33.8310, -84.2460}, {39.0, 33.8150, -84.2450},
    {40.0, 33.7960, -84.2430}, {41.0, 33.7730, -84.2400}, {42.5, 33.7540, -84.2410},
    {44.0, 33.7330, -84.2420}, {46.0, 33.7180, -84.2370}, {47.0, 33.7050, -84.2430},
    {48.0, 33.6900, -84.2560}, {49.5, 33.6740, -84.2780}, {51.0, 33.6610, -84.3020},
    {52.0, 33.6510, -84.3250}, {53.0, 33.6450, -84.3450}, {55.0, 33.6390, -84.3740},
    {56.5, 33.6340, -84.3860}, {58.0, 33.6295, -84.3960}, {59.0, 33.6275, -84.4180},
    {60.0, 33.6262, -84.4420}, {61.0, 33.6258, -84.4640}, {62.0, 33.6265, -84.4715},
    {I285_LENGTH_MI, 33.6285, -84.4760},
};

static const waypoint k_i75[] = {
    {235.0, 33.6100, -84.3800}, {236.5, 33.6200, -84.3890}, {238.0, 33.6295, -84.3960},
    {239.0, 33.6450, -84.4010}, {240.0, 33.6600, -84.4030}, {241.0, 33.6780, -84.4040},
    {242.0, 33.6950, -84.4030}, {243.0, 33.7100, -84.4010}, {244.0, 33.7250, -84.3960},
    {245.0, 33.7360, -84.3920}, {246.0, 33.7460, -84.3900}, {247.0, 33.7570, -84.3840},
    {248.0, 33.7660, -84.3830}, {248.5, 33.7750, -84.3860}, {249.3, 33.7870, -84.3900},
    {250.0, 33.8020, -84.3950}, {251.0, 33.8080, -84.4000}, {252.0, 33.8130, -84.4060},
    {253.0, 33.8230, -84.4130}, {254.0, 33.8350, -84.4200}, {255.0, 33.8460, -84.4270},
    {256.0, 33.8560, -84.4370}, {257.5, 33.8700, -84.4520}, {259.0, 33.8840, -84.4650},
    {260.0, 33.8980, -84.4740}, {261.0, 33.9120, -84.4810}, {262.0, 33.9240, -84.4890},
    {263.0, 33.9350, -84.4970},
};

/* Interchange kinds: how big the local ramps are. */
enum { IX_LOCAL, IX_ARTERIAL, IX_FREEWAY, IX_I75_I285, IX_I85_JOIN, IX_I85_SPLIT };

typedef struct interchange { double mp; const char *name; int kind; } interchange;

static const interchange k_i285_ix[] = {
    {1.0, "Washington Rd", IX_LOCAL},          {2.0, "Camp Creek Pkwy", IX_ARTERIAL},
    {5.0, "Langford Pkwy", IX_ARTERIAL},       {7.0, "Cascade Rd", IX_LOCAL},
    {9.0, "MLK Jr Dr", IX_LOCAL},              {10.0, "I-20 (west)", IX_FREEWAY},
    {12.0, "US-78 Bankhead Hwy", IX_LOCAL},    {13.0, "Bolton Rd", IX_LOCAL},
    {15.0, "GA-280 South Cobb Dr", IX_ARTERIAL}, {16.0, "Atlanta Rd", IX_LOCAL},
    {18.0, "Paces Ferry Rd", IX_LOCAL},        {19.0, "I-75 (north-west, Cumberland)", IX_I75_I285},
    {20.0, "US-41 Cobb Pkwy", IX_ARTERIAL},    {22.0, "Northside Dr", IX_LOCAL},
    {24.0, "Riverside Dr", IX_LOCAL},          {25.0, "Roswell Rd", IX_ARTERIAL},
    {26.0, "Glenridge Dr", IX_LOCAL},          {27.0, "GA-400", IX_FREEWAY},
    {28.0, "Peachtree Dunwoody Rd", IX_LOCAL}, {29.0, "Ashford Dunwoody Rd", IX_ARTERIAL},
    {30.0, "Chamblee Dunwoody Rd", IX_LOCAL},  {31.0, "Peachtree Industrial Blvd", IX_ARTERIAL},
    {32.0, "US-23 Buford Hwy", IX_LOCAL},      {33.0, "I-85 (north-east, Spaghetti Junction)", IX_FREEWAY},
    {34.0, "Chamblee Tucker Rd", IX_LOCAL},    {37.0, "LaVista Rd", IX_LOCAL},
    {38.0, "US-29 Lawrenceville Hwy", IX_LOCAL}, {39.0, "US-78 Stone Mountain Fwy", IX_ARTERIAL},
    {40.0, "Church St", IX_LOCAL},             {41.0, "Memorial Dr", IX_LOCAL},
    {43.0, "Covington Hwy", IX_LOCAL},         {44.0, "Glenwood Rd", IX_LOCAL},
    {46.0, "I-20 (east)", IX_FREEWAY},         {48.0, "Flat Shoals Rd", IX_LOCAL},
    {51.0, "Bouldercrest Rd", IX_LOCAL},       {52.0, "I-675", IX_FREEWAY},
    {53.0, "Moreland Ave", IX_LOCAL},          {55.0, "Jonesboro Rd", IX_LOCAL},
    {58.0, "I-75 (south)", IX_I75_I285},       {59.0, "Clark Howell Hwy", IX_LOCAL},
    {60.0, "GA-139 Riverdale Rd", IX_LOCAL},   {61.0, "I-85 (south-west)", IX_FREEWAY},
    {62.5, "Camp Creek / Old National Hwy", IX_LOCAL},
};

static const interchange k_i75_ix[] = {
    {235.0, "US-19/41 Tara Blvd", IX_ARTERIAL}, {237.0, "Forest Pkwy", IX_LOCAL},
    {238.0, "I-285 (south)", IX_I75_I285},       {239.5, "US-19/41 Central Ave", IX_LOCAL},
    {241.0, "Cleveland Ave", IX_LOCAL},          {242.0, "I-85 merge (south end of Downtown Connector)", IX_I85_JOIN},
    {243.0, "Langford Pkwy", IX_ARTERIAL},       {244.0, "University Ave", IX_LOCAL},
    {245.0, "Capitol Ave / Abernathy Blvd", IX_LOCAL}, {246.0, "I-20 (downtown)", IX_FREEWAY},
    {248.0, "Freedom Pkwy / Edgewood Ave", IX_LOCAL}, {249.0, "North Ave", IX_LOCAL},
    {250.0, "I-85 split (Brookwood, north end of Downtown Connector)", IX_I85_SPLIT},
    {252.0, "Northside Dr / US-41", IX_LOCAL},   {254.0, "Moores Mill Rd", IX_LOCAL},
    {255.0, "Mt Paran Rd / W Paces Ferry", IX_LOCAL}, {258.0, "Cumberland Blvd", IX_LOCAL},
    {259.0, "I-285 (north-west, Cumberland)", IX_I75_I285}, {260.0, "Windy Hill Rd", IX_ARTERIAL},
    {261.0, "Delk Rd", IX_LOCAL},                {263.0, "Cobb Pkwy / Marietta", IX_ARTERIAL},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- place words: exit numbers, areas, named places (docs/SIMULATOR.md) -------------------
 * Georgia numbers exits by milepost, so an interchange's exit is its whole milepost, except
 * where k_exit_fixes says otherwise. The simulated layout puts a few interchanges up to a mile
 * from their real milepost; an exit whose real number would then read out of order along the
 * road is left without one rather than shown wrong. */
typedef struct exit_fix { int is_i285; double mp; const char *exit; } exit_fix;
static const exit_fix k_exit_fixes[] = {
    {1, 19.0, "20"},    /* I-285 meets I-75 at its exit 20 (the model's crossing is at mile 19) */
    {1, 20.0, NULL},    /* US-41 Cobb Pkwy is really exit 19, west of I-75: out of order here */
    {0, 246.0, "247"},  /* I-20 downtown is I-75's exit 247 */
    {0, 250.0, NULL},   /* the Brookwood split (I-85 north) has no one exit number both ways */
};

/* The area each stretch runs through, for the network's per-station `place` (up to `to`). */
typedef struct area { double to; const char *name; } area;
static const area k_i285_areas[] = {
    {3.0, "East Point"}, {9.5, "Southwest Atlanta"}, {14.0, "Northwest Atlanta"}, {18.5, "Smyrna"},
    {20.5, "Cumberland"}, {26.5, "Sandy Springs"}, {30.5, "Perimeter Center"}, {32.5, "Doraville"},
    {33.7, "Spaghetti Junction"}, {38.5, "Tucker"}, {42.0, "Clarkston"}, {50.0, "South DeKalb"},
    {56.0, "Conley"}, {59.0, "Hapeville"}, {I285_LENGTH_MI + 1, "College Park"},
};
static const area k_i75_areas[] = {
    {236.5, "Morrow"}, {238.7, "Forest Park"}, {241.5, "Hapeville"}, {245.5, "Summerhill"},
    {248.7, "Downtown"}, {250.7, "Midtown"}, {253.0, "Westside"}, {257.0, "Buckhead"},
    {259.7, "Cumberland"}, {I75_MP_NORTH + 1, "Marietta"},
};

/* Named places a commuter types (network field `places`): where each sits on I-285 and on I-75
 * (-1: not on that road); the station nearest it on every carriageway is the place's. */
typedef struct place_def {
    const char *name;
    const char *aliases[SIM_PLACE_ALIASES];
    double mp285, mp75;
} place_def;
static const place_def k_places[] = {
    {"I-75 at I-285 (Cumberland)", {"I-75 at I-285", "I-285 at I-75", "Cumberland", "Cobb Cloverleaf",
      "Cobb Galleria", "Cumberland Mall", "Truist Park", "The Battery"}, 19.0, 259.0},
    {"I-75 at I-285 south", {"I-285 at I-75 south", "Forest Park"}, 58.0, 238.0},
    {"Spaghetti Junction (I-85 at I-285)", {"Spaghetti Junction", "I-85 at I-285", "I-285 at I-85",
      "Tom Moreland Interchange"}, 33.0, -1},
    {"Hartsfield-Jackson Airport", {"airport", "ATL", "Hartsfield-Jackson", "Atlanta airport",
      "College Park"}, 60.0, -1},
    {"I-85 at I-285 south-west", {"I-285 at I-85 south-west"}, 61.0, -1},
    {"Perimeter Center (GA-400)", {"GA-400", "GA 400", "I-285 at GA-400", "Perimeter Mall",
      "Dunwoody", "Perimeter"}, 27.0, -1},
    {"Sandy Springs (Roswell Rd)", {"Sandy Springs", "Roswell Rd"}, 25.0, -1},
    {"I-20 at I-285 west", {"I-285 at I-20 west"}, 10.0, -1},
    {"I-20 at I-285 east", {"I-285 at I-20 east"}, 46.0, -1},
    {"Stone Mountain Freeway (US-78)", {"US-78", "Stone Mountain Fwy"}, 39.0, -1},
    {"I-675", {"I-285 at I-675"}, 52.0, -1},
    {"Downtown (I-20)", {"Downtown", "Downtown Atlanta", "I-75 at I-20", "I-20 downtown",
      "State Capitol"}, -1, 246.0},
    {"Midtown (North Ave)", {"Midtown", "North Ave", "Georgia Tech"}, -1, 249.0},
    {"Brookwood split (I-85 north)", {"Brookwood", "I-75 at I-85", "Downtown Connector north end"}, -1, 250.0},
    {"Buckhead (West Paces Ferry)", {"Buckhead", "West Paces Ferry", "Mt Paran"}, -1, 255.0},
    {"Marietta", {"Delk Rd", "Windy Hill Rd"}, -1, 262.0},
};

/* ---- roads: lanes, speed limits, peak demand ------------------------------------------- */

static void i285_at(double mp, int *lanes, double *limit)
{
    /* More lanes near the freeway interchanges (I-85 at both ends, GA-400, I-75, I-20 east);
     * lane counts change at interchanges, as on the real road. */
    static const struct { double to; int lanes; } k_lanes[] = {
        {1.0, 5}, {16.0, 4}, {26.0, 5}, {34.0, 6}, {46.0, 4}, {48.0, 5}, {55.0, 4},
        {I285_LENGTH_MI + 1, 5},
    };
    int i = 0;
    while (mp >= k_lanes[i].to) i++;
    *lanes = k_lanes[i].lanes;
    /* The northern arc is posted 55; the rest of the Perimeter 65. */
    *limit = (mp >= 18.5 && mp < 34.0) ? 55 : 65;
}

/* The Downtown Connector (I-75 + I-85, mp 242-250) has 8 lanes, narrowing to 7 where the
 * traffic bound for the far end weaves across the exits: before Freedom Pkwy northbound and
 * before University Ave southbound. Those narrowings are the Connector's bottlenecks. */
static void i75_at(double mp, int sign, int *lanes, double *limit)
{
    if (mp < 238.0) { *lanes = 5; *limit = 65; }
    else if (mp < 242.0) { *lanes = 5; *limit = 55; }
    else if (mp < 250.0) {
        *limit = mp < 246.0 ? 55 : 50;
        *lanes = (sign > 0 ? mp >= 248.0 : mp < 244.0) ? 7 : 8;
    }
    else if (mp < 259.0) { *lanes = 5; *limit = 55; }
    else { *lanes = 6; *limit = 65; }
}

static void road_at(const char *road, int sign, double milepost, int *lanes,
                    double *speed_limit_mph)
{
    if (strcmp(road, "I-285") == 0) i285_at(milepost, lanes, speed_limit_mph);
    else i75_at(milepost, sign, lanes, speed_limit_mph);
}

static int busy_section(int is_i285, double mp)
{
    return is_i285 ? (mp >= 19.0 && mp < 34.0) : (mp >= 242.0 && mp < 250.0);
}

/* Capacity per lane: closely spaced interchanges make the top end one long weaving section,
 * and the Connector's narrowings are weaving sections too; they carry less per lane than a
 * plain freeway (HCM weaving segments run 5-15 % below basic segments). */
static double capacity_at(int is_i285, int sign, double mp)
{
    if (is_i285) return busy_section(1, mp) ? 1950.0 : CTM_CAPACITY_VPHPL;
    if (sign > 0 ? (mp >= 248.0 && mp < 250.0) : (mp >= 242.0 && mp < 244.0)) return 1800.0;
    return CTM_CAPACITY_VPHPL;
}

/* Peak-hour mainline demand as a share of capacity: the top end of I-285 (I-75 to I-85) and
 * the Downtown Connector are loaded a little past capacity, so that they break down at the
 * peaks; the rest of the network runs at about 75 %. */
#define BUSY_UTILISATION 1.10
#define PLAIN_UTILISATION 0.76
static double peak_utilisation(int is_i285, double mp)
{
    return busy_section(is_i285, mp) ? BUSY_UTILISATION : PLAIN_UTILISATION;
}

/* ---- geometry ----------------------------------------------------------------------------- */

static void waypoint_at(const waypoint *w, int n, double mp, double *lat, double *lon)
{
    if (mp <= w[0].mp) { *lat = w[0].lat; *lon = w[0].lon; return; }
    for (int i = 1; i < n; i++) {
        if (mp <= w[i].mp) {
            double t = (mp - w[i - 1].mp) / (w[i].mp - w[i - 1].mp);
            *lat = w[i - 1].lat + t * (w[i].lat - w[i - 1].lat);
            *lon = w[i - 1].lon + t * (w[i].lon - w[i - 1].lon);
            return;
        }
    }
    *lat = w[n - 1].lat;
    *lon = w[n - 1].lon;
}

/* Position at a milepost, moved SIDE_OFFSET_M to the right of the direction of travel
 * (sign = +1 when traffic goes up the mileposts). */
static void position(const waypoint *w, int n, double mp, int sign, int loop, double length,
                     double *lat, double *lon)
{
    double a = mp - 0.05 * sign, b = mp + 0.05 * sign;
    if (loop) { /* mp 0 and mp `length` are the same place, so wrapping keeps the heading */
        a = fmod(a + length, length);
        b = fmod(b + length, length);
    }
    double la, loa, lb, lob;
    waypoint_at(w, n, a, &la, &loa);
    waypoint_at(w, n, b, &lb, &lob);
    waypoint_at(w, n, mp, lat, lon);
    double m_per_deg_lat = 111320.0, m_per_deg_lon = 111320.0 * cos(*lat * SIM_PI / 180.0);
    double dx = (lob - loa) * m_per_deg_lon, dy = (lb - la) * m_per_deg_lat;
    double len = sqrt(dx * dx + dy * dy);
    if (len <= 0) return;
    /* Right-hand normal of the heading (dx, dy) is (dy, -dx). */
    *lat += (-dx / len) * SIDE_OFFSET_M / m_per_deg_lat;
    *lon += (dy / len) * SIDE_OFFSET_M / m_per_deg_lon;
}

/* ---- building ---------------------------------------------------------------------------- */

typedef struct road_def {
    const char *road, *id_road;     /* "I-285", "I285" */
    const char *dir;
    int sign, loop;
    double mp_lo, mp_hi;
    const waypoint *w;
    int nw;
    const interchange *ix;
    int nix;
} road_def;

static const road_def k_roads[] = {
    {"I-285", "I285", "CW", +1, 1, 0.0, I285_LENGTH_MI, k_i285, COUNT(k_i285), k_i285_ix, COUNT(k_i285_ix)},
    {"I-285", "I285", "CCW", -1, 1, 0.0, I285_LENGTH_MI, k_i285, COUNT(k_i285), k_i285_ix, COUNT(k_i285_ix)},
    {"I-75", "I75", "NB", +1, 0, I75_MP_SOUTH, I75_MP_NORTH, k_i75, COUNT(k_i75), k_i75_ix, COUNT(k_i75_ix)},
    {"I-75", "I75", "SB", -1, 0, I75_MP_SOUTH, I75_MP_NORTH, k_i75, COUNT(k_i75), k_i75_ix, COUNT(k_i75_ix)},
};
enum { R_CW, R_CCW, R_NB, R_SB, N_ROADS };

static double x_of_mp(const road_def *r, double mp)
{
    return r->sign > 0 ? mp - r->mp_lo : r->mp_hi - mp;
}

static double mp_of_x(const road_def *r, double x)
{
    double mp = r->sign > 0 ? r->mp_lo + x : r->mp_hi - x;
    if (r->loop) mp = fmod(mp + (r->mp_hi - r->mp_lo), r->mp_hi - r->mp_lo);
    return mp;
}

static const interchange *nearest_interchange(const road_def *r, double mp, double *dist)
{
    const interchange *best = NULL;
    double bd = 1e9, len = r->mp_hi - r->mp_lo;
    for (int i = 0; i < r->nix; i++) {
        double d = fabs(r->ix[i].mp - mp);
        if (r->loop && len - d < d) d = len - d;
        if (d < bd) { bd = d; best = &r->ix[i]; }
    }
    *dist = bd;
    return best;
}

/* Demand in veh/h the mainline carries at the peak just at milepost mp. */
static double peak_flow(const road_def *r, double mp)
{
    int lanes;
    double limit;
    road_at(r->road, r->sign, mp, &lanes, &limit);
    return lanes * CTM_CAPACITY_VPHPL * peak_utilisation(r->loop, mp);
}

/* Which peak a ramp feeds: traffic heads toward downtown in the morning and away from it in
 * the evening. On I-75 downtown is mp 242-250; on I-285 both directions carry both peaks,
 * the northern arc (offices at Perimeter Center and Cumberland) the most. */
static void peak_weights(const road_def *r, double mp, double *am, double *pm)
{
    if (r->loop) {
        int top = busy_section(1, mp);
        *am = top ? 0.6 : 0.45;
        *pm = top ? 0.6 : 0.5;
        return;
    }
    if (mp >= 242.0 && mp <= 250.0) { /* downtown itself: both peaks */
        *am = *pm = 0.6;
        return;
    }
    int inbound = (r->sign > 0) ? mp < 246.0 : mp > 246.0;
    *am = inbound ? 0.65 : 0.3;
    *pm = inbound ? 0.3 : 0.65;
}

static int add_ramp(sim_net *net, int *cap, sim_ramp ramp)
{
    if (net->n_ramps == *cap) {
        int ncap = *cap ? *cap * 2 : 64;
        sim_ramp *p = realloc(net->ramps, (size_t)ncap * sizeof *p);
        if (!p) return -1;
        net->ramps = p;
        *cap = ncap;
    }
    net->ramps[net->n_ramps++] = ramp;
    return 0;
}

/* Local ramps of one corridor: an exit just upstream of each interchange and an entrance just
 * downstream. Their volumes are set later by balance_demand(). */
static int build_ramps(sim_net *net, int *cap, int c, const road_def *r)
{
    static const double k_exit_share[] = {0.06, 0.12, 0.22};
    static const int k_ramp_lanes[] = {1, 2, 2};
    for (int i = 0; i < r->nix; i++) {
        const interchange *ix = &r->ix[i];
        if (ix->kind == IX_I75_I285) continue;  /* explicit links, built separately */
        double x = x_of_mp(r, ix->mp);
        int has_off = 1, has_on = 1, lanes;
        double share;
        if (ix->kind == IX_I85_JOIN || ix->kind == IX_I85_SPLIT) {
            /* I-85 joins NB I-75 at 242 and leaves it at 250, and the reverse southbound. */
            int joins = (ix->kind == IX_I85_JOIN) == (r->sign > 0);
            has_off = !joins;
            has_on = joins;
            share = 0.42;
            lanes = 4;
        } else {
            share = k_exit_share[ix->kind];
            lanes = k_ramp_lanes[ix->kind];
        }
        /* Ends of I-75 have the boundary source and sink instead of ramps there. */
        if (!r->loop && (x < 0.3 || x > net->corridors[c].length_mi - 0.3)) continue;
        double am, pm;
        peak_weights(r, ix->mp, &am, &pm);
        sim_ramp off = {c, x - 0.15, 0, lanes, 0, share, 0, 0};
        sim_ramp on = {c, x + 0.15, 1, lanes, 0, 0, am, pm};
        if ((has_off && add_ramp(net, cap, off)) || (has_on && add_ramp(net, cap, on))) return -1;
    }
    if (!r->loop) {
        /* Traffic entering at the south or north end of the modelled stretch. */
        double am, pm;
        peak_weights(r, mp_of_x(r, 0.0), &am, &pm);
        sim_ramp src = {c, 0.0, 1, 6, 0, 0, am, pm};
        if (add_ramp(net, cap, src)) return -1;
    }
    return 0;
}

/* One thing that changes the mainline flow along a corridor, for balance_demand(). */
typedef struct flow_change { double x; int ramp, link, is_merge; } flow_change;

static int change_cmp(const void *a, const void *b)
{
    const flow_change *p = a, *q = b;
    return p->x < q->x ? -1 : p->x > q->x;
}

/* Sets on-ramp peak volumes (and raises exit shares where needed) so that the peak mainline
 * flow follows peak_flow() along every corridor: walking downstream with the flow F, an exit
 * takes its share, an interchange ramp takes or brings its share of its road's planned flow,
 * and an entrance brings what is missing to reach the planned flow after it. Loops are
 * walked twice so the flow arriving at mile 0 is the one leaving the last mile. */
static int balance_demand(sim_net *net)
{
    flow_change *ch = malloc((size_t)(net->n_ramps + 2 * net->n_links + 1) * sizeof *ch);
    if (!ch) return -1;
    for (int c = 0; c < net->n_corridors; c++) {
        const road_def *r = &k_roads[c];
        int n = 0;
        for (int i = 0; i < net->n_ramps; i++)
            if (net->ramps[i].corridor == c) ch[n++] = (flow_change){net->ramps[i].x_mi, i, -1, 0};
        for (int l = 0; l < net->n_links; l++) {
            if (net->links[l].from_corridor == c) ch[n++] = (flow_change){net->links[l].from_x_mi, -1, l, 0};
            if (net->links[l].to_corridor == c) ch[n++] = (flow_change){net->links[l].to_x_mi, -1, l, 1};
        }
        qsort(ch, (size_t)n, sizeof *ch, change_cmp);
        double f = r->loop ? peak_flow(r, mp_of_x(r, 0.0)) : 0.0;
        for (int pass = 0; pass < (r->loop ? 2 : 1); pass++) {
            for (int k = 0; k < n; k++) {
                if (ch[k].link >= 0) {
                    const sim_link *l = &net->links[ch[k].link];
                    if (ch[k].is_merge) {
                        const road_def *rf = &k_roads[l->from_corridor];
                        f += l->share * peak_flow(rf, mp_of_x(rf, l->from_x_mi));
                    } else {
                        f *= 1.0 - l->share;
                    }
                    continue;
                }
                sim_ramp *rp = &net->ramps[ch[k].ramp];
                double planned = peak_flow(r, mp_of_x(r, rp->x_mi + 0.3));
                if (rp->is_on) {
                    double need = planned - f, least = 0.03 * planned;
                    rp->peak_vph = need > least ? need : least;
                    f += rp->peak_vph;
                    /* enough ramp lanes to deliver it with a margin */
                    int lanes = (int)ceil(rp->peak_vph * 1.25 / CTM_RAMP_CAPACITY_VPHPL);
                    if (lanes > rp->lanes) rp->lanes = lanes;
                } else {
                    /* leave room for the entrance that follows to bring a little */
                    double keep = 1.0 - (planned * 0.97) / f;
                    if (keep > rp->exit_share) rp->exit_share = keep > 0.6 ? 0.6 : keep;
                    f *= 1.0 - rp->exit_share;
                }
            }
        }
    }
    free(ch);
    return 0;
}

/* The eight ramps of one I-75/I-285 interchange. Diverges sit 0.3 mi before the crossing and
 * merges 0.3-0.5 mi after it, so the two merges onto one road use different cells. */
static void build_interchange(sim_net *net, double mp285, double mp75, const char *where)
{
    static const struct { int from, to; double share; int lanes; double len; } k_moves[] = {
        {R_NB, R_CW, 0.14, 2, 0.6}, {R_NB, R_CCW, 0.12, 1, 0.5},
        {R_SB, R_CW, 0.16, 2, 0.6}, {R_SB, R_CCW, 0.12, 1, 0.5},
        {R_CW, R_NB, 0.14, 2, 0.6}, {R_CW, R_SB, 0.12, 1, 0.5},
        {R_CCW, R_NB, 0.12, 1, 0.5}, {R_CCW, R_SB, 0.14, 2, 0.6},
    };
    int merges_seen[N_ROADS] = {0};
    for (int i = 0; i < COUNT(k_moves); i++) {
        const road_def *rf = &k_roads[k_moves[i].from], *rt = &k_roads[k_moves[i].to];
        double mpf = rf->loop ? mp285 : mp75, mpt = rt->loop ? mp285 : mp75;
        sim_link *l = &net->links[net->n_links++];
        l->from_corridor = k_moves[i].from;
        l->to_corridor = k_moves[i].to;
        l->from_x_mi = x_of_mp(rf, mpf) - 0.3;
        l->to_x_mi = x_of_mp(rt, mpt) + 0.3 + 0.2 * merges_seen[k_moves[i].to]++;
        l->length_mi = k_moves[i].len;
        l->lanes = k_moves[i].lanes;
        l->share = k_moves[i].share;
        l->from_station = sim_net_station_near(net, l->from_corridor, l->from_x_mi, 1);
        l->to_station = sim_net_station_near(net, l->to_corridor, l->to_x_mi, 0);
        snprintf(l->name, sizeof l->name, "%s %s to %s %s (%s)", rf->road, rf->dir, rt->road,
                 rt->dir, where);
    }
}

static int build_corridor(sim_net *net, int c, const road_def *r, int *next_station)
{
    sim_corridor *cor = &net->corridors[c];
    double len = r->mp_hi - r->mp_lo;
    snprintf(cor->id, sizeof cor->id, "%s-%s", r->id_road, r->dir);
    snprintf(cor->road, sizeof cor->road, "%s", r->road);
    snprintf(cor->direction, sizeof cor->direction, "%s", r->dir);
    cor->loop = r->loop;
    cor->length_mi = len;
    /* Stations at (i + 0.75) spacings from the low milepost: the same mileposts both ways,
     * so every station has a twin, each in the interior of a 0.2-mi model cell. */
    int n = (int)floor(len / STATION_SPACING_MI + 0.5);
    double spacing = len / n;
    cor->first_station = *next_station;
    cor->n_stations = n;
    for (int k = 0; k < n; k++) {
        int i = r->sign > 0 ? k : n - 1 - k;
        double mp = r->mp_lo + (i + 0.75) * spacing;
        sim_station *s = &net->stations[(*next_station)++];
        s->milepost = floor(mp * 10 + 0.5) / 10;
        s->x_mi = x_of_mp(r, mp);
        s->corridor = c;
        s->twin = -1;
        snprintf(s->id, sizeof s->id, "%s-%s-%05.1f", r->id_road, r->dir, s->milepost);
        road_at(r->road, r->sign, mp, &s->lanes, &s->speed_limit_mph);
        s->capacity_vphpl = capacity_at(r->loop, r->sign, mp);
        position(r->w, r->nw, mp, r->sign, r->loop, len, &s->lat, &s->lon);
        double d;
        const interchange *ix = nearest_interchange(r, mp, &d);
        snprintf(s->label, sizeof s->label, "%s %s", d < 0.35 ? "at" : "near", ix->name);
    }
    /* Geometry: every waypoint, in downstream order. */
    cor->geometry = malloc((size_t)(r->nw + 1) * sizeof *cor->geometry);
    if (!cor->geometry) return -1;
    int ng = 0;
    for (int k = 0; k < r->nw; k++) {
        int i = r->sign > 0 ? k : r->nw - 1 - k;
        if (r->loop && k == r->nw - 1) break; /* mp 63.98 is mp 0: the loop closes itself */
        double mp = r->w[i].mp;
        position(r->w, r->nw, mp, r->sign, r->loop, len, &cor->geometry[ng][0],
                 &cor->geometry[ng][1]);
        ng++;
    }
    if (r->loop) { /* close the drawn ring */
        cor->geometry[ng][0] = cor->geometry[0][0];
        cor->geometry[ng][1] = cor->geometry[0][1];
        ng++;
    }
    cor->n_geometry = ng;
    return 0;
}

/* ---- place words --------------------------------------------------------------------------- */

/* The station of corridor c nearest milepost mp (loops: either way round), and its distance. */
static int station_nearest(const sim_net *net, int c, double mp, double *dist)
{
    const sim_corridor *cor = &net->corridors[c];
    int best = -1;
    double bd = 1e9;
    for (int i = cor->first_station; i < cor->first_station + cor->n_stations; i++) {
        double d = fabs(net->stations[i].milepost - mp);
        if (cor->loop && cor->length_mi - d < d) d = cor->length_mi - d;
        if (d < bd) { bd = d; best = i; }
    }
    *dist = bd;
    return best;
}

/* Exit numbers, areas, local corridor names and named places (see the tables at the top). */
static int add_place_words(sim_net *net)
{
    snprintf(net->corridors[R_CW].name, sizeof net->corridors[R_CW].name, "Inner Loop");
    snprintf(net->corridors[R_CCW].name, sizeof net->corridors[R_CCW].name, "Outer Loop");
    for (int i = 0; i < net->n_stations; i++) {
        sim_station *st = &net->stations[i];
        int is_i285 = k_roads[st->corridor].loop;
        const area *a = is_i285 ? k_i285_areas : k_i75_areas;
        while (st->milepost >= a->to) a++;
        snprintf(st->place, sizeof st->place, "%s", a->name);
    }
    for (int c = 0; c < N_ROADS; c++) {
        const road_def *r = &k_roads[c];
        for (int k = 0; k < r->nix; k++) {
            char exit[8];
            snprintf(exit, sizeof exit, "%d", (int)floor(r->ix[k].mp));
            const char *e = exit;
            for (int f = 0; f < COUNT(k_exit_fixes); f++)
                if (k_exit_fixes[f].is_i285 == r->loop && k_exit_fixes[f].mp == r->ix[k].mp) e = k_exit_fixes[f].exit;
            double d;
            int s = station_nearest(net, c, r->ix[k].mp, &d);
            /* within half a station spacing: the station is at the interchange */
            if (e && s >= 0 && d < STATION_SPACING_MI && !net->stations[s].exit[0])
                snprintf(net->stations[s].exit, sizeof net->stations[s].exit, "%s", e);
        }
    }
    net->places = calloc(COUNT(k_places), sizeof *net->places);
    if (!net->places) return -1;
    for (int p = 0; p < COUNT(k_places); p++) {
        const place_def *pd = &k_places[p];
        sim_place *pl = &net->places[net->n_places++];
        pl->name = pd->name;
        memcpy(pl->aliases, pd->aliases, sizeof pl->aliases);
        for (int c = 0; c < N_ROADS; c++) {
            double mp = k_roads[c].loop ? pd->mp285 : pd->mp75, d;
            if (mp < 0) continue;
            pl->stations[pl->n_stations++] = station_nearest(net, c, mp, &d);
        }
    }
    return 0;
}

int sim_atlanta_build(sim_net *net)
{
    memset(net, 0, sizeof *net);
    snprintf(net->id, sizeof net->id, "atlanta-i75-i285");
    snprintf(net->name, sizeof net->name, "Atlanta I-75 and I-285");
    snprintf(net->timezone, sizeof net->timezone, "America/New_York");
    net->interval_s = 300;
    int max_stations = 0;
    for (int r = 0; r < N_ROADS; r++)
        max_stations += (int)((k_roads[r].mp_hi - k_roads[r].mp_lo) / STATION_SPACING_MI) + 2;
    net->stations = calloc((size_t)max_stations, sizeof *net->stations);
    net->corridors = calloc(N_ROADS, sizeof *net->corridors);
    net->links = calloc(16, sizeof *net->links);
    if (!net->stations || !net->corridors || !net->links) goto fail;
    net->n_corridors = N_ROADS;
    int next = 0, ramp_cap = 0;
    for (int r = 0; r < N_ROADS; r++)
        if (build_corridor(net, r, &k_roads[r], &next)) goto fail;
    net->n_stations = next;
    /* Twins: the same milepost in the paired direction. */
    for (int r = 0; r < N_ROADS; r += 2) {
        const sim_corridor *a = &net->corridors[r], *b = &net->corridors[r + 1];
        for (int i = 0; i < a->n_stations; i++) {
            int sa = a->first_station + i, sb = b->first_station + (b->n_stations - 1 - i);
            net->stations[sa].twin = sb;
            net->stations[sb].twin = sa;
        }
    }
    for (int r = 0; r < N_ROADS; r++)
        if (build_ramps(net, &ramp_cap, r, &k_roads[r])) goto fail;
    build_interchange(net, 19.0, 259.0, "Cumberland");
    build_interchange(net, 58.0, 238.0, "south");
    if (balance_demand(net) || add_place_words(net)) goto fail;
    return 0;
fail:
    sim_net_free(net);
    return -1;
}
