/* graph.c — see graph.h. Lists are built in two passes (count, then fill) so each group is
 * exactly three allocations whatever the network's size. */
#include "graph.h"
#include <stdlib.h>
#include <string.h>

void fc_graph_free(fc_graph *g)
{
    for (int k = 0; k < 2; k++) {
        free(g->start[k]);
        free(g->idx[k]);
        free(g->w[k]);
    }
    memset(g, 0, sizeof *g);
}

/* An edge list under construction for one group. */
typedef struct edges {
    uint32_t n, cap;
    uint32_t *from, *to;
    float *w;
} edges;

static int push(edges *e, uint32_t from, uint32_t to, float w)
{
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 256;
        uint32_t *f = realloc(e->from, cap * sizeof *f);
        if (!f) return -1;
        e->from = f;
        uint32_t *t = realloc(e->to, cap * sizeof *t);
        if (!t) return -1;
        e->to = t;
        float *ww = realloc(e->w, cap * sizeof *ww);
        if (!ww) return -1;
        e->w = ww;
        e->cap = cap;
    }
    e->from[e->n] = from;
    e->to[e->n] = to;
    e->w[e->n] = w;
    e->n++;
    return 0;
}

/* Turns an edge list into CSR for group k with weights normalised per sensor. */
static int to_csr(fc_graph *g, int k, const edges *e)
{
    g->start[k] = calloc(g->n + 1, sizeof(uint32_t));
    g->idx[k] = malloc((e->n ? e->n : 1) * sizeof(uint32_t));
    g->w[k] = malloc((e->n ? e->n : 1) * sizeof(float));
    if (!g->start[k] || !g->idx[k] || !g->w[k]) return -1;
    for (uint32_t i = 0; i < e->n; i++) g->start[k][e->from[i] + 1]++;
    for (uint32_t s = 0; s < g->n; s++) g->start[k][s + 1] += g->start[k][s];
    uint32_t *fill = calloc(g->n, sizeof(uint32_t));
    if (!fill) return -1;
    for (uint32_t i = 0; i < e->n; i++) {
        uint32_t s = e->from[i], at = g->start[k][s] + fill[s]++;
        g->idx[k][at] = e->to[i];
        g->w[k][at] = e->w[i];
    }
    free(fill);
    for (uint32_t s = 0; s < g->n; s++) {
        double sum = 0;
        for (uint32_t a = g->start[k][s]; a < g->start[k][s + 1]; a++) sum += g->w[k][a];
        for (uint32_t a = g->start[k][s]; a < g->start[k][s + 1]; a++) g->w[k][a] = (float)(g->w[k][a] / sum);
    }
    return 0;
}

static void free_edges(edges *e)
{
    free(e->from);
    free(e->to);
    free(e->w);
}

int fc_graph_from_network(fc_graph *g, const fc_network *net, int hops)
{
    memset(g, 0, sizeof *g);
    g->n = net->n_sensors;
    edges e[2];
    memset(e, 0, sizeof e);
    int rc = 0;
    for (uint32_t c = 0; c < net->n_corridors && !rc; c++) {
        const fc_corridor *cor = &net->corridors[c];
        int64_t n = cor->n_sensors;
        for (int64_t p = 0; p < n && !rc; p++) {
            for (int hop = 1; hop <= hops && !rc; hop++) {
                float w = 1.0f / (float)hop;
                int64_t down = p + hop, up = p - hop;
                if (cor->loop) {
                    down %= n;
                    up = (up % n + n) % n;
                }
                if (down < n && down != p) rc |= push(&e[FC_GRAPH_DOWN], cor->sensors[p], cor->sensors[down], w);
                if (up >= 0 && up != p) rc |= push(&e[FC_GRAPH_UP], cor->sensors[p], cor->sensors[up], w);
            }
        }
    }
    for (uint32_t k = 0; k < net->n_connections && !rc; k++) {
        const fc_connection *cn = &net->connections[k];
        rc |= push(&e[FC_GRAPH_DOWN], cn->from, cn->to, 1.0f);
        rc |= push(&e[FC_GRAPH_UP], cn->to, cn->from, 1.0f);
    }
    if (!rc) rc = to_csr(g, FC_GRAPH_DOWN, &e[0]) || to_csr(g, FC_GRAPH_UP, &e[1]) ? -1 : 0;
    free_edges(&e[0]);
    free_edges(&e[1]);
    if (rc) fc_graph_free(g);
    return rc;
}

int fc_graph_from_dense(fc_graph *g, uint32_t n, const float *adj)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    edges e[2];
    memset(e, 0, sizeof e);
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++)
        for (uint32_t j = 0; j < n && !rc; j++)
            if (i != j && adj[(size_t)i * n + j] > 0) rc |= push(&e[0], i, j, adj[(size_t)i * n + j]);
    if (!rc) rc = to_csr(g, 0, &e[0]) ? -1 : 0;
    /* second hops: j reached through a neighbour k but not a neighbour itself, weighted by the
     * sum over k of w(i,k) w(k,j). A matrix gives no direction, so the "upstream" group, unused
     * otherwise, carries this wider ring (on Los-loop it was worth 0.2-0.3 point at 60 min). */
    double *acc = rc ? NULL : calloc(n, sizeof(double));
    if (!rc && !acc) rc = -1;
    for (uint32_t i = 0; i < n && !rc; i++) {
        for (uint32_t a = g->start[0][i]; a < g->start[0][i + 1]; a++) {
            uint32_t k = g->idx[0][a];
            for (uint32_t b = g->start[0][k]; b < g->start[0][k + 1]; b++)
                acc[g->idx[0][b]] += (double)g->w[0][a] * g->w[0][b];
        }
        for (uint32_t a = g->start[0][i]; a < g->start[0][i + 1]; a++) acc[g->idx[0][a]] = 0;
        acc[i] = 0;
        for (uint32_t j = 0; j < n && !rc; j++)
            if (acc[j] > 0) rc |= push(&e[1], i, j, (float)acc[j]);
        memset(acc, 0, n * sizeof(double));
    }
    free(acc);
    if (!rc) rc = to_csr(g, 1, &e[1]) ? -1 : 0;
    free_edges(&e[0]);
    free_edges(&e[1]);
    if (rc) fc_graph_free(g);
    return rc;
}
