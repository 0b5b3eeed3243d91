/* graph.h — who influences whom: for each sensor, weighted neighbour lists in two groups,
 * downstream (traffic the sensor flows into: congestion there spills back) and upstream (traffic
 * arriving). Built from the network's corridors and interchange connections, or replaced by a
 * dense adjacency matrix for research datasets (then the matrix's neighbours are the first group
 * and the second hops, neighbours of neighbours, the second: a matrix gives no direction).
 * Stored as CSR arrays: one allocation per array, read in order by the model. */
#ifndef FC_GRAPH_H
#define FC_GRAPH_H
#include <stddef.h>
#include <stdint.h>
#include "network.h"

#define FC_GRAPH_DOWN 0
#define FC_GRAPH_UP 1

typedef struct fc_graph {
    uint32_t n;
    uint32_t *start[2];   /* [n + 1] offsets into idx/w per group */
    uint32_t *idx[2];     /* neighbour sensor indices */
    float *w[2];          /* weights, summing to 1 per sensor and group (when non-empty) */
} fc_graph;

/* Neighbours along corridors: up to `hops` stations each way (weights 1, 1/2, ...), and the
 * sensors joined by interchange connections as first hops. Returns 0 or -1 (out of memory). */
int fc_graph_from_network(fc_graph *g, const fc_network *net, int hops);
/* Dense row-major n x n matrix: entry (i, j) > 0 makes j a neighbour of i with that weight
 * (first group); sensors two hops away that are not neighbours form the second group, weighted
 * by the sum over paths of the normalised weights. The diagonal is ignored. Returns 0 or -1 (out of memory). */
int fc_graph_from_dense(fc_graph *g, uint32_t n, const float *adj);
void fc_graph_free(fc_graph *g);

#endif
