/* model_mlp_pack.c — the shared network's section of a model file (model_mlp_pack.h). */
#include "model_mlp_pack.h"
#include "fixed_point.h"
#include "le.h"
#include "once_loop.h"

#define NET_MAX 1e4f     /* a network weight beyond this is corruption, not a model */
#define NET_SHIFT_MAX 30 /* the finest step of a part: 2^-30 */

/* The network's four parts (model_mlp.h's order): where each starts and how long it is (one
 * copy: inlined in each caller it cost the start-up byte budget more than the call). */
__attribute__((noinline)) static void parts(int inputs, uint32_t horizons, size_t start[4], size_t len[4])
{
    len[0] = (size_t)inputs * FC_MLP_HID;
    len[1] = FC_MLP_HID;
    len[2] = (size_t)FC_MLP_HID * horizons;
    len[3] = horizons;
    start[0] = 0;
    for (int k = 1; k < 4; k++) start[k] = start[k - 1] + len[k - 1];
}

/* The finest step 2^-s (s <= NET_SHIFT_MAX) at which the largest |w| of a part fits an i16. The
 * loops are kept as written (FC_ONCE_LOOP): -O3 unrolled the step search into 1.9 KB of wasm. */
static int part_shift(const float *w, size_t n)
{
    double big = 0;
    FC_ONCE_LOOP
    for (size_t i = 0; i < n; i++) big = fabs(w[i]) > big ? fabs(w[i]) : big;
    int s = 0;
    FC_ONCE_LOOP
    while (s < NET_SHIFT_MAX && big * (double)(1u << (s + 1)) <= 32767.0) s++;
    return s;
}

void fc_mlp_pack_round(float *p, uint32_t horizons)
{
    size_t start[4], len[4];
    parts(FC_MLP_IN, horizons, start, len);
    FC_ONCE_LOOP
    for (int k = 0; k < 4; k++) {
        float *w = p + start[k];
        int s = part_shift(w, len[k]);
        FC_ONCE_LOOP
        for (size_t i = 0; i < len[k]; i++) w[i] = fc_dequant(fc_quant(w[i], s), s);
    }
}

void fc_mlp_pack_write(const float *p, uint32_t horizons, uint8_t *out)
{
    size_t start[4], len[4];
    parts(FC_MLP_IN, horizons, start, len);
    out[0] = FC_MLP_IN;
    out[1] = FC_MLP_HID;
    uint8_t *at = out + 6;
    FC_ONCE_LOOP
    for (int k = 0; k < 4; k++) {
        int s = part_shift(p + start[k], len[k]);
        out[2 + k] = (uint8_t)s;
        FC_ONCE_LOOP
        for (size_t i = 0; i < len[k]; i++, at += 2) {
            int32_t q = fc_quant(p[start[k] + i], s);
            put16(at, (uint16_t)(int16_t)(q > 32767 ? 32767 : q < -32767 ? -32767 : q));
        }
    }
}

const char *fc_mlp_pack_read(const uint8_t *in, size_t len, uint32_t horizons, int inputs, float *p)
{
    size_t missing = (size_t)(FC_MLP_IN - inputs) * FC_MLP_HID; /* W1's rows a format-5 file lacks */
    if (len != fc_mlp_pack_size(horizons) - 2 * missing || in[0] != inputs || in[1] != FC_MLP_HID)
        return "shared network: wrong length or dimensions";
    size_t start[4], plen[4];
    parts(inputs, horizons, start, plen);
    /* the file's parts land after W1's rows that are there; the missing rows weigh 0 */
    for (int k = 1; k < 4; k++) start[k] += missing;
    memset(p + plen[0], 0, missing * sizeof(float));
    const uint8_t *at = in + 6;
    FC_ONCE_LOOP
    for (int k = 0; k < 4; k++) {
        int s = in[2 + k];
        if (s > NET_SHIFT_MAX) return "shared network: a step out of range";
        FC_ONCE_LOOP
        for (size_t i = 0; i < plen[k]; i++, at += 2) {
            float v = fc_dequant((int16_t)get16(at), s);
            if (!(fabsf(v) <= NET_MAX)) return "shared network: a weight out of range";
            p[start[k] + i] = v;
        }
    }
    return NULL;
}
