/* model_solve.c — the dense algebra behind the model's fits (model_solve.h): double precision
 * where it matters (the factorisation), float SIMD where the time goes (the accumulation). */
#include "model_solve.h"
#include <string.h>

void fc_solve_spd(const double *G, const double *ridge, const double *b, double *x)
{
    double L[FC_NF * FC_NF];
    double extra = 0;
    for (int attempt = 0; attempt < 8; attempt++, extra = extra ? extra * 100 : 1e-6) {
        int ok = 1;
        for (int i = 0; i < FC_NF && ok; i++) {
            for (int j = 0; j <= i; j++) {
                double s = G[j * FC_NF + i]; /* upper triangle: row j <= col i */
                if (i == j) s += ridge[i] + extra;
                for (int k = 0; k < j; k++) s -= L[i * FC_NF + k] * L[j * FC_NF + k];
                if (i == j) {
                    if (!(s > 0)) {
                        ok = 0;
                        break;
                    }
                    L[i * FC_NF + i] = sqrt(s);
                } else {
                    L[i * FC_NF + j] = s / L[j * FC_NF + j];
                }
            }
        }
        if (!ok) continue;
        double y[FC_NF];
        for (int i = 0; i < FC_NF; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= L[i * FC_NF + k] * y[k];
            y[i] = s / L[i * FC_NF + i];
        }
        for (int i = FC_NF - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < FC_NF; k++) s -= L[k * FC_NF + i] * x[k];
            x[i] = s / L[i * FC_NF + i];
        }
        return;
    }
    memset(x, 0, FC_NF * sizeof(double)); /* unreachable for finite input: fall back to persistence */
}

/* The inner loops run in float over fixed 16-wide rows, which compilers turn into SIMD (wasm
 * simd128, SSE natively); each chunk of 64 samples is then added into the double totals, so
 * rounding stays at float precision for 64 terms, not thousands. This is training's hot spot
 * (80% of instructions before; see PERFORMANCE.md). */
#define ACC_CHUNK 64
void fc_accumulate_normal(double *G, double *b, const float *feat, const float *y, const float *wt, uint32_t n)
{
    for (uint32_t start = 0; start < n; start += ACC_CHUNK) {
        float g[FC_NF * FC_NF] = {0}, bb[FC_NF] = {0};
        uint32_t end = start + ACC_CHUNK < n ? start + ACC_CHUNK : n;
        for (uint32_t i = start; i < end; i++) {
            const float *f = feat + (size_t)i * FC_NF;
            float w = wt[i], wy = w * y[i];
            /* full rows (fc_solve_spd reads only the upper triangle): a fixed 16-wide row
             * vectorises, a triangular one does not (measured: 1.95 s vs 3.0 s in wasm) */
            for (int r = 0; r < FC_NF; r++) {
                float wf = w * f[r];
                float *row = g + r * FC_NF;
                for (int c = 0; c < FC_NF; c++) row[c] += wf * f[c];
                bb[r] += wy * f[r];
            }
        }
        for (int k = 0; k < FC_NF * FC_NF; k++) G[k] += g[k];
        for (int k = 0; k < FC_NF; k++) b[k] += bb[k];
    }
}

/* Wirth's selection: in place, no allocation, linear on average. */
float fc_select_kth(float *a, size_t n, size_t k)
{
    ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (l < r) {
        float x = a[kk];
        ptrdiff_t i = l, j = r;
        do {
            while (a[i] < x) i++;
            while (x < a[j]) j--;
            if (i <= j) {
                float tmp = a[i];
                a[i] = a[j];
                a[j] = tmp;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk) l = i;
        if (kk < i) r = j;
    }
    return a[kk];
}
