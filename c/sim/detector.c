/* detector.c — station readings from the model state, with noise and faults (detector.h). */
#include "detector.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fault rates, per station: about 1 % of stations dead for the whole run, an outage every
 * 20 station-days and a stuck spell every 40 station-days (the order of magnitude seen in
 * PeMS and GDOT feeds), and 0.5 % of readings lost on their own. */
#define DEAD_SHARE 0.01
#define OUTAGES_PER_DAY (1.0 / 20.0)
#define STUCK_PER_DAY (1.0 / 40.0)
#define DROPOUT_SHARE 0.005

static int add_fault(scenario *sc, int kind, int station, int64_t a, int64_t b, int flagged,
                     const char *detail)
{
    sim_event ev = {0};
    ev.kind = kind;
    ev.station = station;
    ev.lanes_blocked = -1;
    ev.start_s = a;
    ev.end_s = b;
    ev.flagged = flagged;
    snprintf(ev.detail, sizeof ev.detail, "%s", detail);
    return scenario_add_event(sc, &ev);
}

int detector_plan_faults(scenario *sc, const sim_net *net, int64_t start_s, int64_t end_s,
                         uint64_t seed, int ideal)
{
    if (ideal) return 0;
    sim_rng r;
    sim_rng_seed(&r, seed, 4);
    double days = (double)(end_s - start_s) / 86400.0;
    int n_dead = (int)floor(net->n_stations * DEAD_SHARE + 0.5);
    for (int k = 0; k < n_dead; k++) {
        int s = sim_rng_int(&r, net->n_stations);
        if (add_fault(sc, EV_SENSOR_DEAD, s, start_s, end_s, 1, "detector dead: no data")) return -1;
    }
    for (int s = 0; s < net->n_stations; s++) {
        for (double t = sim_rng_exp(&r, 1.0 / OUTAGES_PER_DAY); t < days;
             t += sim_rng_exp(&r, 1.0 / OUTAGES_PER_DAY)) {
            int64_t a = start_s + (int64_t)(t * 86400);
            int64_t b = a + (int64_t)(sim_rng_range(&r, 0.5, 6.0) * 3600);
            if (add_fault(sc, EV_SENSOR_OUTAGE, s, a, b, 1, "communication outage: no data")) return -1;
        }
        for (double t = sim_rng_exp(&r, 1.0 / STUCK_PER_DAY); t < days;
             t += sim_rng_exp(&r, 1.0 / STUCK_PER_DAY)) {
            int64_t a = start_s + (int64_t)(t * 86400);
            int64_t b = a + (int64_t)(sim_rng_range(&r, 2.0, 12.0) * 3600);
            /* Half of the stuck spells are flagged suspect by the feed; the rest look valid. */
            int flagged = sim_rng_uniform(&r) < 0.5;
            if (add_fault(sc, EV_SENSOR_STUCK, s, a, b, flagged,
                          flagged ? "stuck: repeats its last reading (flagged suspect)"
                                  : "stuck: repeats its last reading (not flagged)"))
                return -1;
        }
    }
    return 0;
}

int detector_init(detector *d, const scenario *sc, const sim_net *net, uint64_t seed, int ideal)
{
    memset(d, 0, sizeof *d);
    int n = net->n_stations;
    d->n_stations = n;
    d->ideal = ideal;
    d->fault_first = calloc((size_t)n, sizeof(int));
    d->fault_count = calloc((size_t)n, sizeof(int));
    d->fault_event = calloc((size_t)(sc->n_events + 1), sizeof(int));
    for (int k = 0; k < DET_STREAMS; k++) {
        d->last[k] = calloc((size_t)n, sizeof(det_reading));
        if (d->last[k])
            for (int s = 0; s < n; s++) d->last[k][s].missing = 1;
        sim_rng_seed(&d->rng[k], seed, 10 + (uint64_t)k);
    }
    if (!d->fault_first || !d->fault_count || !d->fault_event || !d->last[0] || !d->last[1])
        return -1;
    for (int i = 0; i < sc->n_events; i++) {
        const sim_event *e = &sc->events[i];
        if (e->kind >= EV_SENSOR_DEAD && e->station >= 0) d->fault_count[e->station]++;
    }
    for (int s = 1; s < n; s++) d->fault_first[s] = d->fault_first[s - 1] + d->fault_count[s - 1];
    int *fill = calloc((size_t)n, sizeof(int));
    if (!fill) return -1;
    for (int i = 0; i < sc->n_events; i++) {
        const sim_event *e = &sc->events[i];
        if (e->kind >= EV_SENSOR_DEAD && e->station >= 0)
            d->fault_event[d->fault_first[e->station] + fill[e->station]++] = i;
    }
    free(fill);
    return 0;
}

void detector_free(detector *d)
{
    free(d->fault_first);
    free(d->fault_count);
    free(d->fault_event);
    for (int k = 0; k < DET_STREAMS; k++) free(d->last[k]);
    memset(d, 0, sizeof *d);
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

void detector_read(detector *d, int stream, const scenario *sc, const ctm_model *m, int s,
                   int64_t t_end_s, double out_veh, double n_sum, int steps, det_reading *r)
{
    int cell = m->station_cell[s];
    double period_h = steps * CTM_DT_S / 3600.0;
    double volume = out_veh / period_h;                       /* veh/h, whole station */
    double density = n_sum / steps / m->len_mi[cell];         /* veh/mi, all lanes */
    /* Space-mean speed q / k; an empty road reads its free-flow speed. */
    double v_free = m->v_free_mph[cell] * m->weather_speed;
    double speed = density > 1e-9 ? volume / density : v_free;
    if (speed > v_free) speed = v_free;
    double occupancy = density / m->lanes[cell] * DET_EFFECTIVE_LENGTH_FT / 5280.0;
    sim_rng *rng = &d->rng[stream];
    memset(r, 0, sizeof *r);
    if (!d->ideal) {
        speed *= 1.0 + 0.03 * sim_rng_normal(rng);
        volume *= 1.0 + 0.05 * sim_rng_normal(rng);
        occupancy *= 1.0 + 0.05 * sim_rng_normal(rng);
        if (sim_rng_uniform(rng) < DROPOUT_SHARE) r->missing = 1;
    }
    r->speed_mph = floor(clamp(speed, 0, 120) * 10 + 0.5) / 10;
    r->volume_vph = floor(clamp(volume, 0, 20000) + 0.5);
    r->occupancy = floor(clamp(occupancy, 0, 1) * 10000 + 0.5) / 10000;
    /* The period ends at t_end_s; it belongs to a fault in force during its last second. */
    int64_t t = t_end_s - 1;
    for (int k = 0; k < d->fault_count[s]; k++) {
        const sim_event *e = &sc->events[d->fault_event[d->fault_first[s] + k]];
        if (t < e->start_s || t >= e->end_s) continue;
        if (e->kind == EV_SENSOR_STUCK) {
            if (d->last[stream][s].missing) continue; /* nothing to repeat yet */
            *r = d->last[stream][s];
            r->quality = e->flagged ? DET_Q_SUSPECT : 0;
            return;
        }
        r->missing = 1;
        r->quality = DET_Q_FAULT;
        return;
    }
    if (!r->missing) d->last[stream][s] = *r;
}
