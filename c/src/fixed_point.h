/* fixed_point.h — numbers stored as integers in steps of 2^-shift (the model file's weights,
 * intervals, correction cells and network parts: model_pack.c, model_mlp_pack.c). */
#ifndef FC_FIXED_POINT_H
#define FC_FIXED_POINT_H
#include <math.h>
#include <stdint.h>

#define FC_QMAX (1 << 30) /* any stored integer; deltas of two fit an int32 escape */

/* x in steps of 2^-shift, rounded to nearest and clamped to +-FC_QMAX. Scaling by a power of
 * two (shift <= 30) is exact in double: a multiplication, not ldexp (a libc call per number,
 * most of the time of a save in wasm). */
static inline int32_t fc_quant(double x, int shift)
{
    double v = nearbyint(x * (double)(1u << shift));
    return v > FC_QMAX ? FC_QMAX : v < -FC_QMAX ? -FC_QMAX : (int32_t)v;
}
static inline float fc_dequant(int64_t q, int shift) { return (float)((double)q / (double)(1u << shift)); }

#endif
