/* test_graph.c — the neighbour graph built from a dense adjacency matrix: the matrix's own
 * neighbours form the first group, sensors two hops away the second (weighted by the paths
 * through the first ring, normalised), and nothing else: not the sensor itself, not a first
 * neighbour again, not a sensor three hops away. */
#include "test.h"
#include "graph.h"
#include <math.h>

/* Weight of j in sensor i's group k, or -1 when j is not there. */
static float weight_of(const fc_graph *g, int k, uint32_t i, uint32_t j)
{
    for (uint32_t a = g->start[k][i]; a < g->start[k][i + 1]; a++)
        if (g->idx[k][a] == j) return g->w[k][a];
    return -1;
}

void test_graph_dense_two_hops(void)
{
    /* a chain 0 - 1 - 2 - 3 - 4 plus a shortcut 1 - 3 (weight 0.5); diagonal 1 as in Los-loop */
    enum { N = 5 };
    float adj[N * N] = {0};
    for (int i = 0; i < N; i++) adj[i * N + i] = 1;
    for (int i = 0; i + 1 < N; i++) adj[i * N + i + 1] = adj[(i + 1) * N + i] = 1;
    adj[1 * N + 3] = adj[3 * N + 1] = 0.5f;
    fc_graph g;
    CHECK_EQ_INT(fc_graph_from_dense(&g, N, adj), 0);
    /* first group: the matrix's neighbours, normalised */
    CHECK(weight_of(&g, FC_GRAPH_DOWN, 0, 1) == 1.0f);
    CHECK_EQ_INT(g.start[0][1] - g.start[0][0], 1);
    CHECK(fabsf(weight_of(&g, FC_GRAPH_DOWN, 1, 3) - 0.2f) < 1e-6f); /* 0.5 / (1 + 1 + 0.5) */
    /* second group of 0: 2 (via 1) and 3 (via the shortcut), not 0, 1 or 4 */
    CHECK(weight_of(&g, FC_GRAPH_UP, 0, 2) > 0);
    CHECK(weight_of(&g, FC_GRAPH_UP, 0, 3) > 0);
    CHECK(weight_of(&g, FC_GRAPH_UP, 0, 0) < 0);
    CHECK(weight_of(&g, FC_GRAPH_UP, 0, 1) < 0);
    CHECK(weight_of(&g, FC_GRAPH_UP, 0, 4) < 0);
    /* path weights: 0->1->2 is 1 * 0.4, 0->1->3 is 1 * 0.2; normalised 2/3 and 1/3 */
    CHECK(fabsf(weight_of(&g, FC_GRAPH_UP, 0, 2) - 2.0f / 3) < 1e-6f);
    CHECK(fabsf(weight_of(&g, FC_GRAPH_UP, 0, 3) - 1.0f / 3) < 1e-6f);
    /* 2's neighbours are 1 and 3, whose other neighbours are 0 and 4 (3 is 1's neighbour but
     * already 2's own) */
    CHECK_EQ_INT(g.start[1][3] - g.start[1][2], 2);
    CHECK(weight_of(&g, FC_GRAPH_UP, 2, 0) > 0 && weight_of(&g, FC_GRAPH_UP, 2, 4) > 0);
    /* every group's weights sum to 1 */
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < N; i++) {
            double sum = 0;
            for (uint32_t a = g.start[k][i]; a < g.start[k][i + 1]; a++) sum += g.w[k][a];
            CHECK(fabs(sum - 1) < 1e-5);
        }
    fc_graph_free(&g);
    /* no edges at all: both groups empty */
    float lonely[4] = {1, 0, 0, 1};
    CHECK_EQ_INT(fc_graph_from_dense(&g, 2, lonely), 0);
    CHECK_EQ_INT(g.start[0][2] + g.start[1][2], 0);
    fc_graph_free(&g);
}
