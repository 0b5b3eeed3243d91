/* scenario.c — demand profiles, calendar, incidents and rain (see scenario.h). */
#include "scenario.h"
#include "timeutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A few incidents a day network-wide, fewer at weekends (less traffic, fewer crashes). */
#define INCIDENTS_PER_WEEKDAY 4.0
#define INCIDENTS_PER_WEEKEND_DAY 2.5
/* Atlanta sees measurable rain on roughly a day in five. */
#define RAIN_DAY_PROBABILITY 0.2

enum { DAY_WEEKDAY, DAY_FRIDAY, DAY_SATURDAY, DAY_SUNDAY };

static double smooth(double x, double a, double b)
{
    double t = (x - a) / (b - a);
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    return t * t * (3 - 2 * t);
}

static double bump(double x, double centre, double width)
{
    double z = (x - centre) / width;
    return exp(-0.5 * z * z);
}

/* Demand as a share of the ramp's weekday peak, by local hour. Rush hours are about
 * 6:30-9:30 and 15:30-19:00; Friday's evening peak comes earlier and lasts longer; weekends
 * have a single broad midday hump; nights fall to 7 %. */
static double demand_profile(double h, int day_type, double am, double pm)
{
    switch (day_type) {
    case DAY_WEEKDAY:
        return 0.07 + 0.48 * smooth(h, 4.5, 7.0) * (1 - smooth(h, 19.0, 23.5)) +
               am * bump(h, 7.7, 1.0) + pm * bump(h, 17.3, 1.25);
    case DAY_FRIDAY:
        return 0.07 + 0.5 * smooth(h, 4.5, 7.0) * (1 - smooth(h, 20.0, 24.5)) +
               0.85 * am * bump(h, 7.6, 1.0) + pm * bump(h, 16.4, 1.4);
    case DAY_SATURDAY:
        return 0.07 + 0.55 * smooth(h, 6.5, 10.5) * (1 - smooth(h, 20.0, 24.5)) +
               0.12 * bump(h, 13.5, 2.5);
    default:
        return 0.06 + 0.45 * smooth(h, 7.5, 11.5) * (1 - smooth(h, 19.0, 23.5)) +
               0.1 * bump(h, 14.0, 2.5);
    }
}

/* US federal holidays that empty the rush hours. */
static int is_holiday(int64_t day, const char **name)
{
    int64_t y;
    int m, d;
    fc_civil_from_days(day, &y, &m, &d);
    int wd = fc_weekday_from_days(day); /* 0 = Monday */
    int nth = (d - 1) / 7 + 1, last = d + 7 > (m == 5 ? 31 : 30);
    if (m == 1 && d == 1) { *name = "New Year's Day"; return 1; }
    if (m == 5 && wd == 0 && last) { *name = "Memorial Day"; return 1; }
    if (m == 7 && d == 4) { *name = "Independence Day"; return 1; }
    if (m == 9 && wd == 0 && nth == 1) { *name = "Labor Day"; return 1; }
    if (m == 11 && wd == 3 && nth == 4) { *name = "Thanksgiving"; return 1; }
    if (m == 11 && wd == 4 && d >= 23 && d <= 29) { *name = "day after Thanksgiving"; return 1; }
    if (m == 12 && d == 25) { *name = "Christmas Day"; return 1; }
    return 0;
}

static int day_type(int64_t day)
{
    const char *name;
    int wd = fc_weekday_from_days(day);
    if (is_holiday(day, &name) || wd == 6) return DAY_SUNDAY;
    if (wd == 5) return DAY_SATURDAY;
    return wd == 4 ? DAY_FRIDAY : DAY_WEEKDAY;
}

void scenario_local(const scenario *sc, int64_t t_s, int64_t *day, double *hour)
{
    int dst;
    int64_t local = t_s + fc_tz_offset_at(&sc->tz, t_s, &dst);
    int64_t d = fc_floor_div(local, 86400);
    if (day) *day = d;
    if (hour) *hour = (double)(local - d * 86400) / 3600.0;
}

/* The instant at which local wall-clock time reads local_s (seconds since 1970, local). */
static int64_t utc_of_local(const scenario *sc, int64_t local_s)
{
    int dst;
    int64_t guess = local_s - sc->tz.std_offset_s;
    return local_s - fc_tz_offset_at(&sc->tz, guess, &dst);
}

void scenario_format_time(const scenario *sc, int64_t t_s, char out[32])
{
    int dst;
    int32_t off = fc_tz_offset_at(&sc->tz, t_s, &dst);
    int64_t local = t_s + off, day = fc_floor_div(local, 86400), sec = local - day * 86400;
    int64_t y;
    int m, d;
    fc_civil_from_days(day, &y, &m, &d);
    int aoff = off < 0 ? -off : off;
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (int)y, m, d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60), off < 0 ? '-' : '+', aoff / 3600,
             aoff / 60 % 60);
}

int scenario_add_event(scenario *sc, const sim_event *ev)
{
    if (sc->n_events == sc->cap_events) {
        int ncap = sc->cap_events ? sc->cap_events * 2 : 256;
        sim_event *p = realloc(sc->events, (size_t)ncap * sizeof *p);
        if (!p) return -1;
        sc->events = p;
        sc->cap_events = ncap;
    }
    sc->events[sc->n_events++] = *ev;
    return 0;
}

double scenario_incident_capacity(int lanes, int blocked)
{
    /* Drivers slow to look even when only the shoulder is blocked: 15 % less capacity. */
    double open = lanes > blocked ? (double)(lanes - blocked) / lanes : 0.1;
    return open * 0.85;
}

static int poisson(sim_rng *r, double mean)
{
    int k = 0;
    double p = exp(-mean), s = p, u = sim_rng_uniform(r);
    while (u > s && k < 100) {
        k++;
        p *= mean / k;
        s += p;
    }
    return k;
}

static int nearest_station(const sim_net *net, const ctm_model *m, int cell)
{
    int c = m->corridor[cell], best = -1, bd = 1 << 30;
    const sim_corridor *cor = &net->corridors[c];
    for (int i = cor->first_station; i < cor->first_station + cor->n_stations; i++) {
        int d = abs(m->station_cell[i] - cell);
        if (d < bd) { bd = d; best = i; }
    }
    return best;
}

static int random_incidents(scenario *sc, const sim_net *net, const ctm_model *m, sim_rng *r,
                            int64_t day)
{
    int type = day_type(day);
    double mean = type >= DAY_SATURDAY ? INCIDENTS_PER_WEEKEND_DAY : INCIDENTS_PER_WEEKDAY;
    int count = poisson(r, mean);
    int n_road_cells = 0;
    for (int c = 0; c < m->n_cells; c++) n_road_cells += m->corridor[c] >= 0;
    for (int i = 0; i < count; i++) {
        /* Crashes follow traffic: draw the hour in proportion to a weekday-like profile. */
        double h;
        do h = sim_rng_range(r, 0, 24);
        while (sim_rng_uniform(r) * 1.2 > demand_profile(h, type, 0.5, 0.5));
        int pick = sim_rng_int(r, n_road_cells), cell = 0;
        for (int c = 0; c < m->n_cells; c++)
            if (m->corridor[c] >= 0 && pick-- == 0) { cell = c; break; }
        double u = sim_rng_uniform(r);
        int blocked = u < 0.2 ? 0 : u < 0.65 ? 1 : u < 0.9 ? 2 : 3;
        if (blocked > m->lanes[cell] - 1) blocked = m->lanes[cell] - 1;
        /* Durations 15-120 min, log-uniform: most clear quickly, a few take two hours. */
        double minutes = 15.0 * exp(sim_rng_uniform(r) * log(120.0 / 15.0));
        sim_event ev = {0};
        ev.kind = EV_INCIDENT;
        ev.start_s = utc_of_local(sc, day * 86400 + (int64_t)(h * 3600));
        ev.end_s = ev.start_s + (int64_t)(minutes * 60);
        ev.cell = cell;
        ev.station = nearest_station(net, m, cell);
        ev.lanes_blocked = blocked;
        ev.cap_factor = scenario_incident_capacity(m->lanes[cell], blocked);
        snprintf(ev.detail, sizeof ev.detail, blocked ? "crash blocking %d of %d lanes"
                                                      : "stalled vehicle on the shoulder (%d of %d lanes blocked)",
                 blocked, m->lanes[cell]);
        if (scenario_add_event(sc, &ev)) return -1;
    }
    return 0;
}

static int rain(scenario *sc, sim_rng *r, int64_t day)
{
    if (sim_rng_uniform(r) >= RAIN_DAY_PROBABILITY) return 0;
    double h = sim_rng_range(r, 0, 24), hours = sim_rng_range(r, 1.5, 8.0);
    int heavy = sim_rng_uniform(r) < 0.3;
    sim_event ev = {0};
    ev.kind = EV_RAIN;
    ev.station = -1;
    ev.lanes_blocked = -1;
    ev.start_s = utc_of_local(sc, day * 86400 + (int64_t)(h * 3600));
    ev.end_s = ev.start_s + (int64_t)(hours * 3600);
    /* Rain costs freeways roughly 5-15 % of capacity and a few mph of free-flow speed. */
    ev.cap_factor = heavy ? 0.86 : 0.93;
    ev.speed_factor = heavy ? 0.88 : 0.94;
    snprintf(ev.detail, sizeof ev.detail, "%s rain: capacity x%.2f, free-flow speed x%.2f",
             heavy ? "heavy" : "light", ev.cap_factor, ev.speed_factor);
    return scenario_add_event(sc, &ev);
}

int scenario_init(scenario *sc, const sim_net *net, const ctm_model *m, int64_t start_s,
                  int64_t warmup_s, int days, uint64_t seed, const scenario_opts *opts)
{
    memset(sc, 0, sizeof *sc);
    if (fc_tz_parse(net->timezone, strlen(net->timezone), &sc->tz)) return -1;
    sc->start_s = start_s;
    int64_t d0, d_start, d_end;
    scenario_local(sc, start_s - warmup_s, &d0, NULL);
    scenario_local(sc, start_s, &d_start, NULL);
    scenario_local(sc, start_s + (int64_t)days * 86400 - 1, &d_end, NULL);
    sc->first_day = d0;
    sc->n_days = (int)(d_end - d0 + 1);
    sc->n_ramps = net->n_ramps;
    sc->day_factor = calloc((size_t)sc->n_days, sizeof(double));
    sc->ramp_factor = calloc((size_t)sc->n_days * (size_t)(net->n_ramps + 1), sizeof(double));
    if (!sc->day_factor || !sc->ramp_factor) return -1;
    /* The streams also depend on the first day, so that runs from other dates (same seed)
     * see other days rather than the same days relabelled. */
    uint64_t day_key = (uint64_t)d0 << 8;
    sim_rng_seed(&sc->rng, seed, day_key + 1);
    sim_rng days_rng, events_rng;
    sim_rng_seed(&days_rng, seed, day_key + 2);
    sim_rng_seed(&events_rng, seed, day_key + 3);
    for (int i = 0; i < sc->n_days; i++) {
        /* Day-to-day variation: the whole network a few per cent, each ramp a little more. */
        double f = 1.0 + 0.04 * sim_rng_normal(&days_rng);
        sc->day_factor[i] = f < 0.88 ? 0.88 : (f > 1.12 ? 1.12 : f);
        for (int r = 0; r < net->n_ramps; r++) {
            double g = 1.0 + 0.05 * sim_rng_normal(&days_rng);
            sc->ramp_factor[(size_t)i * net->n_ramps + r] = g < 0.85 ? 0.85 : g;
        }
        int64_t day = d0 + i;
        const char *name;
        if (day >= d_start && is_holiday(day, &name)) {
            sim_event ev = {0};
            ev.kind = EV_HOLIDAY;
            ev.station = -1;
            ev.lanes_blocked = -1;
            ev.start_s = utc_of_local(sc, day * 86400);
            ev.end_s = utc_of_local(sc, (day + 1) * 86400);
            snprintf(ev.detail, sizeof ev.detail, "%s: Sunday-like traffic", name);
            if (scenario_add_event(sc, &ev)) return -1;
        }
        if (day < d_start) continue;
        if (opts->weather && rain(sc, &events_rng, day)) return -1;
        if (opts->random_incidents && random_incidents(sc, net, m, &events_rng, day)) return -1;
    }
    return 0;
}

void scenario_free(scenario *sc)
{
    free(sc->day_factor);
    free(sc->ramp_factor);
    free(sc->events);
    free(sc->disturbances);
    memset(sc, 0, sizeof *sc);
}

static int rain_at(const scenario *sc, int64_t t_s, const sim_event **out)
{
    for (int k = 0; k < sc->n_disturbances; k++) {
        const sim_event *e = &sc->events[sc->disturbances[k]];
        if (e->kind == EV_RAIN && t_s >= e->start_s && t_s < e->end_s) {
            *out = e;
            return 1;
        }
    }
    return 0;
}

void scenario_set_demand(scenario *sc, const sim_net *net, ctm_model *m, int64_t t_s)
{
    int64_t day;
    double hour;
    scenario_local(sc, t_s + 150, &day, &hour); /* the interval's middle */
    int i = (int)(day - sc->first_day);
    if (i < 0) i = 0;
    if (i >= sc->n_days) i = sc->n_days - 1;
    int type = day_type(day);
    const sim_event *wet;
    /* Some trips are not made in the rain. */
    double level = sc->day_factor[i] * (rain_at(sc, t_s, &wet) ? 0.95 : 1.0);
    for (int k = 0; k < m->n_sources; k++) {
        const sim_ramp *rp = &net->ramps[m->src_ramp[k]];
        double noise = 1.0 + 0.05 * sim_rng_normal(&sc->rng);
        /* peak_vph is the demand at the ramp's bigger weekday peak */
        double norm = 0.55 + (rp->am_weight > rp->pm_weight ? rp->am_weight : rp->pm_weight);
        double vph = rp->peak_vph * demand_profile(hour, type, rp->am_weight, rp->pm_weight) / norm *
                     level * sc->ramp_factor[(size_t)i * sc->n_ramps + m->src_ramp[k]] *
                     (noise < 0.7 ? 0.7 : noise);
        m->src_rate[k] = vph * CTM_DT_S / 3600.0;
    }
}

void scenario_apply_disturbances(const scenario *sc, ctm_model *m, int64_t t_s)
{
    for (int k = 0; k < sc->n_disturbances; k++) {
        const sim_event *e = &sc->events[sc->disturbances[k]];
        if (e->kind == EV_INCIDENT) m->cap_factor[e->cell] = 1.0;
    }
    for (int k = 0; k < sc->n_disturbances; k++) {
        const sim_event *e = &sc->events[sc->disturbances[k]];
        if (e->kind == EV_INCIDENT && t_s >= e->start_s && t_s < e->end_s &&
            e->cap_factor < m->cap_factor[e->cell])
            m->cap_factor[e->cell] = e->cap_factor;
    }
    const sim_event *wet;
    if (rain_at(sc, t_s, &wet)) {
        m->weather_cap = wet->cap_factor;
        m->weather_speed = wet->speed_factor;
    } else {
        m->weather_cap = m->weather_speed = 1.0;
    }
}

static int event_cmp(const void *a, const void *b)
{
    const sim_event *x = a, *y = b;
    if (x->start_s != y->start_s) return x->start_s < y->start_s ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    return x->station - y->station;
}

int scenario_finalize(scenario *sc)
{
    qsort(sc->events, (size_t)sc->n_events, sizeof *sc->events, event_cmp);
    free(sc->disturbances);
    sc->n_disturbances = 0;
    sc->disturbances = malloc((size_t)(sc->n_events + 1) * sizeof(int));
    if (!sc->disturbances) return -1;
    for (int i = 0; i < sc->n_events; i++)
        if (sc->events[i].kind == EV_INCIDENT || sc->events[i].kind == EV_RAIN)
            sc->disturbances[sc->n_disturbances++] = i;
    return 0;
}
