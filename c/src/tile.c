/* tile.c — see tile.h. */
#include "tile.h"
#include "hash.h"
#include "le.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tiles are written in the host's byte order, which must be little-endian"
#endif

#define FORMAT_VERSION 1u
static const char k_magic[8] = {'F', 'C', 'T', 'I', 'L', 'E', '1', '\0'};

uint32_t fc_tile_rest_sensors(const fc_network *net, uint32_t *rest)
{
    uint32_t k = 0;
    for (uint32_t s = 0; s < net->n_sensors; s++)
        if (net->corridor[s] < 0) rest[k++] = s;
    return k;
}

uint32_t fc_tile_group_count(const fc_network *net)
{
    for (uint32_t s = 0; s < net->n_sensors; s++)
        if (net->corridor[s] < 0) return net->n_corridors + 1;
    return net->n_corridors;
}

uint32_t fc_tile_group_sensors(const fc_network *net, const uint32_t *rest, uint32_t n_rest, uint32_t g,
                               const uint32_t **out)
{
    if (g < net->n_corridors) {
        *out = net->corridors[g].sensors;
        return net->corridors[g].n_sensors;
    }
    *out = rest;
    return n_rest;
}

const char *fc_tile_group_id(const fc_network *net, uint32_t g)
{
    if (g >= fc_tile_group_count(net)) return NULL;
    return g < net->n_corridors ? net->corridors[g].id : "~rest";
}

uint32_t fc_tile_group_size(const fc_network *net, uint32_t g)
{
    if (g >= fc_tile_group_count(net)) return 0;
    if (g < net->n_corridors) return net->corridors[g].n_sensors;
    uint32_t m = 0;
    for (uint32_t s = 0; s < net->n_sensors; s++) m += net->corridor[s] < 0;
    return m;
}

size_t fc_tile_payload_bytes(uint32_t m, uint32_t q) { return (size_t)m * q * 8 + (size_t)m * 16; }
size_t fc_tile_file_bytes(uint32_t m, uint32_t q) { return FC_TILE_HEADER + fc_tile_payload_bytes(m, q) + 8; }


void fc_tile_write(const fc_profile *p, uint64_t net_hash, uint64_t model_id, uint32_t group, int daytype,
                   const uint32_t *sensors, uint32_t m, uint8_t *buf)
{
    uint32_t q = p->q;
    memset(buf, 0, FC_TILE_HEADER);
    memcpy(buf, k_magic, 8);
    put32(buf + 8, FORMAT_VERSION);
    put32(buf + 12, FC_TILE_HEADER);
    put64(buf + 16, net_hash);
    put32(buf + 24, group);
    put32(buf + 28, (uint32_t)daytype);
    put32(buf + 32, m);
    put32(buf + 36, q);
    put64(buf + 40, model_id);
    uint8_t *sum = buf + FC_TILE_HEADER, *cnt = sum + (size_t)m * q * 4;
    uint8_t *all = cnt + (size_t)m * q * 4;
    for (uint32_t i = 0; i < m; i++) {
        size_t at = ((size_t)sensors[i] * FC_DAYTYPES + (size_t)daytype) * q;
        memcpy(sum + (size_t)i * q * 4, p->sum + at, (size_t)q * 4);
        memcpy(cnt + (size_t)i * q * 4, p->cnt + at, (size_t)q * 4);
        memcpy(all + (size_t)i * 8, &p->all_sum[sensors[i]], 8);
        memcpy(all + ((size_t)m + i) * 8, &p->all_cnt[sensors[i]], 8);
    }
    size_t pb = fc_tile_payload_bytes(m, q);
    put64(buf + FC_TILE_HEADER + pb, fc_hash_bytes(FC_HASH_SEED, buf + FC_TILE_HEADER, pb));
}

/* Sums and counts of speed readings: whole counts, and a sum between 0 and the count times the
 * largest speed the history holds (655.35 mph; a little slack for float rounding). */
static int plausible(double sum, double cnt)
{
    return cnt == floor(cnt) && cnt <= 1e9 && sum >= 0 && sum <= 655.36 * cnt + 1e-3;
}

static fc_status bad(char *msg, size_t cap, fc_status st, const char *text)
{
    snprintf(msg, cap, "profile tile: %s", text);
    return st;
}

fc_status fc_tile_check(const uint8_t *buf, size_t len, uint64_t net_hash, uint64_t model_id, uint32_t q,
                        const uint32_t *group_sizes, uint32_t n_groups, uint32_t *group, int *daytype,
                        const uint8_t **payload, char *msg, size_t cap)
{
    if (!buf || len < FC_TILE_HEADER + 8) return bad(msg, cap, FC_E_FIELD, "too short to be a profile tile");
    if (memcmp(buf, k_magic, 8) != 0) return bad(msg, cap, FC_E_SCHEMA, "not a profile tile (bad magic)");
    if (get32(buf + 8) != FORMAT_VERSION) {
        snprintf(msg, cap, "profile tile: format version %u, this engine reads version %u", get32(buf + 8), FORMAT_VERSION);
        return FC_E_SCHEMA;
    }
    if (get32(buf + 12) != FC_TILE_HEADER) return bad(msg, cap, FC_E_FIELD, "unexpected header size");
    if (get64(buf + 16) != net_hash) return bad(msg, cap, FC_E_NETWORK_ID, "made for another network");
    if (get64(buf + 40) != model_id) return bad(msg, cap, FC_E_NETWORK_ID, "made for another model");
    uint32_t g = get32(buf + 24), d = get32(buf + 28), m = get32(buf + 32), tq = get32(buf + 36);
    if (g >= n_groups) {
        snprintf(msg, cap, "profile tile: group %u, the network has %u", g, n_groups);
        return FC_E_FIELD;
    }
    if (d >= FC_DAYTYPES) return bad(msg, cap, FC_E_FIELD, "day type out of range");
    if (m != group_sizes[g] || tq != q) {
        snprintf(msg, cap, "profile tile: %u sensors x %u slots, group %u has %u sensors x %u slots", m, tq, g,
                 group_sizes[g], q);
        return FC_E_FIELD;
    }
    size_t pb = fc_tile_payload_bytes(m, q);
    if (len != FC_TILE_HEADER + pb + 8) {
        snprintf(msg, cap, "profile tile: %zu bytes, the header implies %zu", len, FC_TILE_HEADER + pb + 8);
        return FC_E_FIELD;
    }
    const uint8_t *p = buf + FC_TILE_HEADER;
    if (fc_hash_bytes(FC_HASH_SEED, p, pb) != get64(p + pb))
        return bad(msg, cap, FC_E_FIELD, "checksum mismatch (corrupted or truncated)");
    /* values that would poison forecasts; read with memcpy: buf need not be aligned */
    size_t cells = (size_t)m * q;
    for (size_t i = 0; i < cells; i++) {
        float s, c;
        memcpy(&s, p + i * 4, 4);
        memcpy(&c, p + (cells + i) * 4, 4);
        if (!isfinite(s) || !isfinite(c) || c < 0) return bad(msg, cap, FC_E_RANGE, "non-finite sum or negative count");
        if (!plausible(s, c)) return bad(msg, cap, FC_E_RANGE, "a slot's sum and count are not readings of speeds");
    }
    for (size_t i = 0; i < m; i++) {
        double s, c;
        memcpy(&s, p + cells * 8 + i * 8, 8);
        memcpy(&c, p + cells * 8 + ((size_t)m + i) * 8, 8);
        if (!isfinite(s) || !isfinite(c) || c < 0) return bad(msg, cap, FC_E_RANGE, "non-finite sensor sum or negative count");
        if (!plausible(s, c)) return bad(msg, cap, FC_E_RANGE, "a sensor's sum and count are not readings of speeds");
    }
    *group = g;
    *daytype = (int)d;
    *payload = p;
    return FC_OK;
}
