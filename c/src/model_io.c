/* model_io.c — the model file: a versioned little-endian binary with a fixed header, checked
 * completely before anything is kept (sizes, network, checksum, finite numbers), so a file from
 * an untrusted server can neither index memory nor poison forecasts.
 *
 * Saving writes format 6 (model_pack.c: quantised and delta-coded, ~5x smaller with brotli;
 * format 5 is the same with a network of fewer inputs, format 4 without the shared network,
 * format 3 also without the pooled correction, and all still load); format 2, below, still loads (without either), and fc_model_write_v2
 * still writes it (tests, fuzz seeds).
 *
 * Format 2 layout (all little-endian):
 *   0  char[8]  magic "FCMODEL1"
 *   8  u32      format version (2; version 1 had one weight set per sensor and horizon)
 *  12  u32      header bytes (96)
 *  16  u64      network hash (sensor ids, network id, interval)
 *  24  u32      sensors, horizons, profile slots per day, interval_s
 *  40  u32      features (16), day types (2)
 *  48  u64      history slots trained on
 *  56  u32x9    training options (horizons, smooth_slots, f32 profile_prior, f32 huber_mph,
 *               f32 lambda_global, f32 lambda_sensor, irls_iters, max_samples, global_sensors)
 *  92  u32      regimes (2): weight sets per sensor and horizon, in the low 16 bits; bit 16 set =
 *               the profile arrays are omitted (a file for engines that read tiles)
 *  96  payload: f32 w[regimes][n][h][16], f32 lo[n][h], f32 hi[n][h], f32 profile sums[n][2][q],
 *               f32 profile counts[n][2][q], f64 sensor sums[n], f64 sensor counts[n]
 *               (the last four only with profiles)
 *  end u64      checksum of the payload (fc_hash_bytes)
 */
#include "model_io.h"
#include "model_header.h"
#include "model_pack.h"
#include "hash.h"
#include "le.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model files are written in the host's byte order, which must be little-endian"
#endif

#define HEADER_BYTES 96u
#define FORMAT_VERSION 2u
#define FLAG_NO_PROFILES (1u << 16)

uint32_t fc_model_format_version(void) { return FC_PACK_VERSION; }

typedef struct span { void *p; size_t bytes; } span;

/* The payload arrays in file order; returns how many (3 without profiles). */
static int payload(const fc_model *m, span out[7], int with_profiles)
{
    size_t nh = (size_t)m->n * m->horizons, pq = (size_t)m->n * FC_DAYTYPES * m->q;
    span s[7] = {{m->w, nh * FC_REGIMES * FC_NF * 4}, {m->lo, nh * 4}, {m->hi, nh * 4}, {m->prof.sum, pq * 4},
                 {m->prof.cnt, pq * 4}, {m->prof.all_sum, (size_t)m->n * 8}, {m->prof.all_cnt, (size_t)m->n * 8}};
    memcpy(out, s, sizeof s);
    return with_profiles ? 7 : 3;
}

static size_t payload_bytes(uint64_t n, uint64_t h, uint64_t q, int with_profiles)
{
    return (size_t)(n * h * FC_REGIMES * FC_NF * 4 + 2 * n * h * 4 +
                    (with_profiles ? 2 * n * FC_DAYTYPES * q * 4 + 2 * n * 8 : 0));
}

size_t fc_model_file_size_v2(const fc_model *m, int with_profiles)
{
    return HEADER_BYTES + payload_bytes(m->n, m->horizons, m->q, with_profiles) + 8;
}

size_t fc_model_write(const fc_model *m, uint8_t *buf, size_t cap, int with_profiles)
{
    return fc_model_pack_write(m, NULL, with_profiles ? FC_PACK_ALL : FC_PACK_NO_PROFILES, 0, 0, buf, cap);
}

void fc_model_write_v2(const fc_model *m, uint8_t *buf, int with_profiles)
{
    memset(buf, 0, HEADER_BYTES);
    fc_model_put_header(buf, m, FORMAT_VERSION, HEADER_BYTES, FC_REGIMES | (with_profiles ? 0 : FLAG_NO_PROFILES));
    span s[7];
    int parts = payload(m, s, with_profiles);
    uint8_t *p = buf + HEADER_BYTES;
    for (int k = 0; k < parts; k++) {
        memcpy(p, s[k].p, s[k].bytes);
        p += s[k].bytes;
    }
    put64(p, fc_hash_bytes(FC_HASH_SEED, buf + HEADER_BYTES, (size_t)(p - (buf + HEADER_BYTES))));
}

/* A profile cell as training leaves it: a whole number of samples (each adds 1) and their sum
 * of speeds, so the mean stays within 1,000 mph (max_speed_mph is at most 600) and an empty
 * cell has no sum. Anything else can make sum / count overflow. */
static int profile_cell_ok(double sum, double cnt)
{
    return isfinite(sum) && isfinite(cnt) && cnt >= 0 && cnt == floor(cnt) && fabs(sum) <= 1e3 * cnt;
}

fc_status fc_model_read(const uint8_t *buf, size_t len, const fc_network *net, uint64_t net_hash,
                        fc_model **out, char *msg, size_t cap)
{
    if (len < HEADER_BYTES + 8) return fc_model_fail(msg, cap, FC_E_FIELD, "too short to be a flowcast model");
    if (!fc_model_has_magic(buf)) return fc_model_fail(msg, cap, FC_E_SCHEMA, "not a flowcast model (bad magic)");
    uint32_t version = get32(buf + 8);
    if (version >= 3 && version <= FC_PACK_VERSION) return fc_model_pack_read(buf, len, net, net_hash, out, msg, cap);
    if (version != FORMAT_VERSION) {
        snprintf(msg, cap, "model file: format version %u (files of versions %u, 3, 4 and 5 still load), this engine reads version %u",
                 get32(buf + 8), FORMAT_VERSION, FC_PACK_VERSION);
        return FC_E_SCHEMA;
    }
    fc_status hst = fc_model_check_header(buf, HEADER_BYTES, FLAG_NO_PROFILES, net, net_hash, msg, cap);
    if (hst != FC_OK) return hst;
    uint32_t n = get32(buf + 24), h = get32(buf + 28), q = get32(buf + 32), rf = get32(buf + 92);
    int with_profiles = !(rf & FLAG_NO_PROFILES);
    if (len != HEADER_BYTES + payload_bytes(n, h, q, with_profiles) + 8) {
        snprintf(msg, cap, "model file: %zu bytes, the header implies %zu", len,
                 HEADER_BYTES + payload_bytes(n, h, q, with_profiles) + 8);
        return FC_E_FIELD;
    }
    fc_train_options o;
    fc_status ost = fc_model_get_options(buf, h, &o, msg, cap);
    if (ost != FC_OK) return ost;
    const uint8_t *p = buf + HEADER_BYTES;
    size_t pb = payload_bytes(n, h, q, with_profiles);
    if (fc_hash_bytes(FC_HASH_SEED, p, pb) != get64(p + pb))
        return fc_model_fail(msg, cap, FC_E_FIELD, "checksum mismatch (corrupted or truncated)");
    fc_model *m = fc_model_alloc(n, h, q, net->interval_s, &o, with_profiles);
    if (!m) return fc_model_fail(msg, cap, FC_E_NOMEM, "out of memory");
    m->network_hash = net_hash;
    m->train_rows = get64(buf + 48);
    span s[7];
    int parts = payload(m, s, with_profiles);
    for (int k = 0; k < parts; k++) {
        memcpy(s[k].p, p, s[k].bytes);
        p += s[k].bytes;
    }
    /* numbers that would poison forecasts: NaN/inf anywhere, inverted intervals, and profiles
     * that are not what training writes (fuzz_model found a file whose 1e-309 sample count made
     * a profile mean infinite and the forecast NaN) */
    int ok = 1;
    size_t nh = (size_t)n * h, pq = with_profiles ? (size_t)n * FC_DAYTYPES * q : 0;
    for (size_t i = 0; i < nh * FC_REGIMES * FC_NF && ok; i++) ok = isfinite(m->w[i]) && fabsf(m->w[i]) < 1e6f;
    for (size_t i = 0; i < nh && ok; i++) ok = isfinite(m->lo[i]) && isfinite(m->hi[i]) && m->lo[i] <= m->hi[i] && fabsf(m->lo[i]) < 1e3f && fabsf(m->hi[i]) < 1e3f;
    for (size_t i = 0; i < pq && ok; i++) ok = profile_cell_ok(m->prof.sum[i], m->prof.cnt[i]);
    for (size_t i = 0; i < n && ok && with_profiles; i++) ok = profile_cell_ok(m->prof.all_sum[i], m->prof.all_cnt[i]);
    if (!ok) {
        fc_model_free(m);
        return fc_model_fail(msg, cap, FC_E_RANGE, "non-finite or out-of-range values");
    }
    /* held as format 3 holds it, like a trained model: its window files, its file without
     * profiles (tile mode) and its identity agree with what this engine saves */
    fc_model_pack_round(m);
    *out = m;
    return FC_OK;
}
