/* model_features.c — the neighbour means behind the DOWN / UP features (model_features.h):
 * training computes them for every slot of a sensor's history, a forecast only at the slots
 * the features read. */
#include "model_features.h"

float fc_neighbour_mean(const fc_graph *g, int group, uint32_t s, const float *mat, size_t stride, size_t t)
{
    double sum = 0, wsum = 0;
    for (uint32_t a = g->start[group][s]; a < g->start[group][s + 1]; a++) {
        float v = mat[(size_t)g->idx[group][a] * stride + t];
        if (isnan(v)) continue;
        sum += g->w[group][a] * v;
        wsum += g->w[group][a];
    }
    return wsum > 0 ? (float)(sum / wsum) : NAN;
}
