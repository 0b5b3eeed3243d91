/* ctm.c — the cell transmission model: building cells and nodes from a sim_net, and the
 * time step. See ctm.h for the model and docs/SIMULATOR.md for its parameters. */
#include "ctm.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A node joins at most this many inputs and outputs: the mainline, a local ramp each way and
 * the interchange ramps of one interchange never need more. */
#define NODE_IO 4
#define SINK (-1)

struct ctm_node {
    int n_in, n_out;
    int in[NODE_IO];               /* cell >= 0, or source k as -(k + 1) */
    int out[NODE_IO];              /* cell >= 0, or SINK */
    double split[NODE_IO][NODE_IO];/* share of input i's flow that goes to output j */
    double priority[NODE_IO];      /* merge priority: lanes */
};

static void cell_init(ctm_model *m, int c, double len_mi, int lanes, double v_free_mph,
                      double cap_vphpl, int corridor)
{
    double k_crit = cap_vphpl / v_free_mph;
    double w_mph = cap_vphpl / (CTM_JAM_VPMPL - k_crit); /* triangular diagram */
    m->len_mi[c] = len_mi;
    m->lanes[c] = lanes;
    m->v_free_mph[c] = v_free_mph;
    m->corridor[c] = corridor;
    m->cap[c] = cap_vphpl * lanes * CTM_DT_S / 3600.0;
    m->n_jam[c] = CTM_JAM_VPMPL * lanes * len_mi;
    m->v_ratio[c] = v_free_mph * CTM_DT_S / 3600.0 / len_mi;
    m->w_ratio[c] = w_mph * CTM_DT_S / 3600.0 / len_mi;
    m->cap_factor[c] = 1.0;
}

static int cells_for(double len_mi)
{
    int n = (int)floor(len_mi / CTM_CELL_MI + 0.5);
    return n < 1 ? 1 : n;
}

int ctm_cell_at(const ctm_model *m, const sim_net *net, int corridor, double x_mi)
{
    int nc = m->corr_n_cells[corridor];
    int k = (int)floor(x_mi / m->corr_cell_mi[corridor]);
    if (net->corridors[corridor].loop) k = ((k % nc) + nc) % nc;
    else if (k < 0) k = 0;
    else if (k >= nc) k = nc - 1;
    return m->corr_first_cell[corridor] + k;
}

/* The node at boundary b of a corridor (b = 0 is upstream of its first cell) nearest to x_mi
 * that still has room. Ramps that feed the corridor need a node with a downstream cell, ramps
 * that leave it a node with an upstream cell. */
static ctm_node *boundary_node(ctm_node *nodes, const int *node_first, const ctm_model *m,
                               const sim_net *net, int c, double x_mi, int needs_out_cell)
{
    static const int k_offsets[] = {0, 1, -1, 2, -2, 3, -3};
    int nc = m->corr_n_cells[c], loop = net->corridors[c].loop;
    int b0 = (int)floor(x_mi / m->corr_cell_mi[c] + 0.5);
    int lo = needs_out_cell ? 0 : 1, hi = needs_out_cell ? nc - 1 : nc;
    for (size_t t = 0; t < sizeof k_offsets / sizeof k_offsets[0]; t++) {
        int b = b0 + k_offsets[t];
        if (loop) b = ((b % nc) + nc) % nc;
        else if (b < lo || b > hi) continue;
        ctm_node *nd = &nodes[node_first[c] + b];
        if (nd->n_in < NODE_IO && nd->n_out < NODE_IO) return nd;
    }
    return NULL;
}

static void add_output(ctm_node *nd, int out, double share)
{
    int j = nd->n_out++;
    nd->out[j] = out;
    nd->split[0][j] = share;
    nd->split[0][0] -= share;
}

static void add_input(ctm_node *nd, int in, double priority)
{
    int i = nd->n_in++;
    nd->in[i] = in;
    nd->priority[i] = priority;
    nd->split[i][0] = 1.0;
}

static double *dalloc(int n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(double)); }
static int *ialloc(int n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(int)); }

int ctm_build(ctm_model *m, const sim_net *net)
{
    memset(m, 0, sizeof *m);
    m->weather_cap = m->weather_speed = 1.0;
    int nc_total = 0, n_nodes = 0;
    m->corr_first_cell = ialloc(net->n_corridors);
    m->corr_n_cells = ialloc(net->n_corridors);
    m->corr_cell_mi = dalloc(net->n_corridors);
    int *node_first = ialloc(net->n_corridors);
    int *link_first = ialloc(net->n_links);
    if (!m->corr_first_cell || !m->corr_n_cells || !m->corr_cell_mi || !node_first || !link_first)
        goto fail;
    for (int c = 0; c < net->n_corridors; c++) {
        int nc = cells_for(net->corridors[c].length_mi);
        m->corr_first_cell[c] = nc_total;
        m->corr_n_cells[c] = nc;
        m->corr_cell_mi[c] = net->corridors[c].length_mi / nc;
        node_first[c] = n_nodes;
        nc_total += nc;
        n_nodes += net->corridors[c].loop ? nc : nc + 1;
    }
    for (int l = 0; l < net->n_links; l++) {
        link_first[l] = nc_total;
        nc_total += cells_for(net->links[l].length_mi);
    }
    m->n_cells = nc_total;
    m->n = dalloc(nc_total);
    m->n_jam = dalloc(nc_total);
    m->cap = dalloc(nc_total);
    m->v_ratio = dalloc(nc_total);
    m->w_ratio = dalloc(nc_total);
    m->cap_factor = dalloc(nc_total);
    m->send = dalloc(nc_total);
    m->recv = dalloc(nc_total);
    m->out = dalloc(nc_total);
    m->len_mi = dalloc(nc_total);
    m->v_free_mph = dalloc(nc_total);
    m->lanes = ialloc(nc_total);
    m->corridor = ialloc(nc_total);
    m->station_cell = ialloc(net->n_stations);
    ctm_node *nodes = calloc((size_t)n_nodes, sizeof *nodes);
    if (!m->n || !m->n_jam || !m->cap || !m->v_ratio || !m->w_ratio || !m->cap_factor ||
        !m->send || !m->recv || !m->out || !m->len_mi || !m->v_free_mph || !m->lanes ||
        !m->corridor || !m->station_cell || !nodes)
        goto fail_nodes;

    /* Corridor cells take lanes and speed limit from the nearest station. */
    for (int c = 0; c < net->n_corridors; c++) {
        const sim_corridor *cor = &net->corridors[c];
        int nc = m->corr_n_cells[c], s = cor->first_station;
        for (int k = 0; k < nc; k++) {
            double x = (k + 0.5) * m->corr_cell_mi[c];
            while (s + 1 < cor->first_station + cor->n_stations &&
                   fabs(net->stations[s + 1].x_mi - x) <= fabs(net->stations[s].x_mi - x))
                s++;
            const sim_station *st = &net->stations[s];
            cell_init(m, m->corr_first_cell[c] + k, m->corr_cell_mi[c], st->lanes,
                      st->speed_limit_mph + CTM_FREE_OVER_LIMIT_MPH, st->capacity_vphpl, c);
        }
        int nb = cor->loop ? nc : nc + 1;
        for (int b = 0; b < nb; b++) {
            ctm_node *nd = &nodes[node_first[c] + b];
            int up = b > 0 ? m->corr_first_cell[c] + b - 1
                           : (cor->loop ? m->corr_first_cell[c] + nc - 1 : -1);
            int dn = b < nc ? m->corr_first_cell[c] + b : SINK;
            nd->n_out = 1;
            nd->out[0] = dn;
            if (up >= 0) add_input(nd, up, m->lanes[up]);
        }
    }
    for (int l = 0; l < net->n_links; l++) {
        const sim_link *lk = &net->links[l];
        int nc = cells_for(lk->length_mi);
        for (int k = 0; k < nc; k++)
            cell_init(m, link_first[l] + k, lk->length_mi / nc, lk->lanes, CTM_RAMP_SPEED_MPH,
                      CTM_RAMP_CAPACITY_VPHPL, -1);
    }
    for (int i = 0; i < net->n_stations; i++)
        m->station_cell[i] = ctm_cell_at(m, net, net->stations[i].corridor, net->stations[i].x_mi);

    /* Ramps and interchange links attach to the nodes at their positions. */
    int n_src = 0;
    for (int r = 0; r < net->n_ramps; r++) n_src += net->ramps[r].is_on;
    m->n_sources = n_src;
    m->queue = dalloc(n_src);
    m->src_cap = dalloc(n_src);
    m->src_rate = dalloc(n_src);
    m->src_ramp = ialloc(n_src);
    if (!m->queue || !m->src_cap || !m->src_rate || !m->src_ramp) goto fail_nodes;
    n_src = 0;
    for (int r = 0; r < net->n_ramps; r++) {
        const sim_ramp *rp = &net->ramps[r];
        ctm_node *nd = boundary_node(nodes, node_first, m, net, rp->corridor, rp->x_mi, rp->is_on);
        if (!nd) continue; /* no room: every node near it is full (never in our networks) */
        if (rp->is_on) {
            m->src_ramp[n_src] = r;
            m->src_cap[n_src] = rp->lanes * CTM_RAMP_CAPACITY_VPHPL * CTM_DT_S / 3600.0;
            add_input(nd, -(n_src + 1), rp->lanes);
            n_src++;
        } else {
            add_output(nd, SINK, rp->exit_share);
        }
    }
    m->n_sources = n_src;
    for (int l = 0; l < net->n_links; l++) {
        const sim_link *lk = &net->links[l];
        int nc = cells_for(lk->length_mi);
        ctm_node *dv = boundary_node(nodes, node_first, m, net, lk->from_corridor, lk->from_x_mi, 0);
        ctm_node *mg = boundary_node(nodes, node_first, m, net, lk->to_corridor, lk->to_x_mi, 1);
        if (!dv || !mg) continue;
        add_output(dv, link_first[l], lk->share);
        /* An interchange ramp merges into the right lane whatever its own width: in a queue
         * it gets one lane's share of the road, so the road's queue backs the ramp up. */
        add_input(mg, link_first[l] + nc - 1, 1.0);
    }

    /* Split the nodes into the fast series path and the general one. */
    int n_series = 0, n_general = 0;
    for (int i = 0; i < n_nodes; i++) {
        const ctm_node *nd = &nodes[i];
        if (nd->n_in == 1 && nd->n_out == 1 && nd->in[0] >= 0 && nd->out[0] >= 0) n_series++;
        else n_general++;
    }
    for (int l = 0; l < net->n_links; l++) n_series += cells_for(net->links[l].length_mi) - 1;
    m->series_up = ialloc(n_series);
    m->series_dn = ialloc(n_series);
    m->general = calloc((size_t)(n_general ? n_general : 1), sizeof *m->general);
    if (!m->series_up || !m->series_dn || !m->general) goto fail_nodes;
    for (int i = 0; i < n_nodes; i++) {
        const ctm_node *nd = &nodes[i];
        if (nd->n_in == 1 && nd->n_out == 1 && nd->in[0] >= 0 && nd->out[0] >= 0) {
            m->series_up[m->n_series] = nd->in[0];
            m->series_dn[m->n_series++] = nd->out[0];
        } else {
            m->general[m->n_general++] = *nd;
        }
    }
    for (int l = 0; l < net->n_links; l++) {
        int nc = cells_for(net->links[l].length_mi);
        for (int k = 0; k + 1 < nc; k++) {
            m->series_up[m->n_series] = link_first[l] + k;
            m->series_dn[m->n_series++] = link_first[l] + k + 1;
        }
    }
    free(nodes);
    free(node_first);
    free(link_first);
    return 0;
fail_nodes:
    free(nodes);
fail:
    free(node_first);
    free(link_first);
    ctm_free(m);
    return -1;
}

void ctm_free(ctm_model *m)
{
    double *d[] = {m->n, m->n_jam, m->cap, m->v_ratio, m->w_ratio, m->cap_factor, m->send,
                   m->recv, m->out, m->len_mi, m->v_free_mph, m->queue, m->src_cap,
                   m->src_rate, m->corr_cell_mi};
    int *ip[] = {m->lanes, m->corridor, m->series_up, m->series_dn, m->src_ramp,
                 m->station_cell, m->corr_first_cell, m->corr_n_cells};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) free(d[i]);
    for (size_t i = 0; i < sizeof ip / sizeof ip[0]; i++) free(ip[i]);
    free(m->general);
    memset(m, 0, sizeof *m);
}

/* Shares `supply` among inputs wanting want[i] > 0 in proportion to priority, giving any
 * input that wants less than its share all it wants and re-sharing the rest. */
static void share_supply(int n, const double *want, const double *priority, double supply,
                         double *got)
{
    int active[NODE_IO];
    double p_total = 0;
    for (int i = 0; i < n; i++) {
        active[i] = want[i] > 0;
        got[i] = 0;
        if (active[i]) p_total += priority[i];
    }
    for (int round = 0; round < n && p_total > 0; round++) {
        int settled = 0;
        for (int i = 0; i < n; i++) {
            if (active[i] && want[i] <= supply * priority[i] / p_total) {
                got[i] = want[i];
                supply -= want[i];
                p_total -= priority[i];
                active[i] = 0;
                settled = 1;
                break;
            }
        }
        if (!settled) break;
    }
    for (int i = 0; i < n; i++)
        if (active[i]) got[i] = p_total > 0 ? supply * priority[i] / p_total : 0;
}

/* Share of a diverge that obeys FIFO. At 1 a full branch stops the whole approach, which can
 * lock a loop solid (tried: the I-285 loop jammed for good one Friday night); at 0 a full
 * ramp would never back up the road feeding it. In reality the queue for a blocked ramp fills
 * the lanes that lead to it and slows the rest: 80 % of the restriction applies to the other
 * branches, enough to spill a ramp queue back onto the feeding freeway (tests/sim.test.mjs). */
#define DIVERGE_FIFO 0.8

static void general_node(ctm_model *m, const ctm_node *nd)
{
    double send[NODE_IO], pass[NODE_IO][NODE_IO], worst[NODE_IO];
    for (int i = 0; i < nd->n_in; i++) {
        int c = nd->in[i];
        if (c >= 0) {
            send[i] = m->send[c];
        } else {
            int k = -c - 1;
            send[i] = m->queue[k] < m->src_cap[k] ? m->queue[k] : m->src_cap[k];
        }
        worst[i] = 1.0;
        for (int j = 0; j < nd->n_out; j++) pass[i][j] = 1.0;
    }
    for (int j = 0; j < nd->n_out; j++) {
        if (nd->out[j] == SINK) continue; /* exits take all that arrives */
        double supply = m->recv[nd->out[j]], want[NODE_IO], got[NODE_IO], total = 0;
        for (int i = 0; i < nd->n_in; i++) {
            want[i] = send[i] * nd->split[i][j];
            total += want[i];
        }
        if (total <= supply) continue;
        share_supply(nd->n_in, want, nd->priority, supply, got);
        for (int i = 0; i < nd->n_in; i++) {
            if (want[i] <= 0) continue;
            pass[i][j] = got[i] / want[i];
            if (pass[i][j] < worst[i]) worst[i] = pass[i][j];
        }
    }
    for (int i = 0; i < nd->n_in; i++) {
        /* Each branch passes at most its own share (so no cell overfills), held back further
         * by DIVERGE_FIFO of the approach's worst branch. */
        double y = 0;
        for (int j = 0; j < nd->n_out; j++) {
            double r = (1.0 - DIVERGE_FIFO) * pass[i][j] + DIVERGE_FIFO * worst[i];
            double f = send[i] * nd->split[i][j] * r;
            y += f;
            if (nd->out[j] >= 0) m->n[nd->out[j]] += f;
            else m->exited += f;
        }
        int c = nd->in[i];
        if (c >= 0) {
            m->out[c] = y;
            m->n[c] -= y;
        } else {
            m->queue[-c - 1] -= y;
        }
    }
}

void ctm_step(ctm_model *m)
{
    const double wc = m->weather_cap, ws = m->weather_speed;
    for (int c = 0; c < m->n_cells; c++) {
        double n = m->n[c], cap = m->cap[c] * m->cap_factor[c] * wc;
        double s = m->v_ratio[c] * ws * n, r = m->w_ratio[c] * (m->n_jam[c] - n);
        m->send[c] = s < cap ? s : cap;
        m->recv[c] = r < cap ? (r > 0 ? r : 0) : cap;
    }
    for (int k = 0; k < m->n_sources; k++) {
        m->queue[k] += m->src_rate[k];
        m->entered += m->src_rate[k];
    }
    for (int i = 0; i < m->n_series; i++) {
        int u = m->series_up[i], d = m->series_dn[i];
        double y = m->send[u] < m->recv[d] ? m->send[u] : m->recv[d];
        m->out[u] = y;
        m->n[u] -= y;
        m->n[d] += y;
    }
    for (int i = 0; i < m->n_general; i++) general_node(m, &m->general[i]);
}

double ctm_stored(const ctm_model *m)
{
    double s = 0;
    for (int c = 0; c < m->n_cells; c++) s += m->n[c];
    for (int k = 0; k < m->n_sources; k++) s += m->queue[k];
    return s;
}
