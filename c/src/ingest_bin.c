/* ingest_bin.c — see ingest_bin.h. */
#include "ingest_bin.h"
#include "status.h"
#include "history.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "binary snapshots are little-endian and read in place"
#endif

static const char k_magic[8] = {'F', 'C', 'S', 'N', 'A', 'P', '1', '\0'};

size_t fc_bin_snapshot_bytes(uint32_t n) { return FC_BIN_HEADER + (size_t)n * 7; }

/* Largest stored value that is still within a limit: q / scale <= max. */
static uint32_t max_q(double max, double scale)
{
    double q = floor(max * scale + 1e-9);
    return q >= FC_BIN_MISSING ? FC_BIN_MISSING - 1 : (uint32_t)q;
}

/* Each limit plus one: +1 wraps FC_BIN_MISSING (above every limit) to 0, so "present and
 * above the limit" is one unsigned compare per value. */
typedef struct {
    uint16_t speed1, volume1, occupancy1;
} bounds;

static inline uint16_t out_of_bounds(const bounds *b, uint16_t speed, uint16_t volume, uint16_t occupancy)
{
    return (uint16_t)(((uint16_t)(speed + 1) > b->speed1) | ((uint16_t)(volume + 1) > b->volume1) |
                      ((uint16_t)(occupancy + 1) > b->occupancy1));
}

/* Element i of a little-endian u16 column at any alignment. */
static inline uint16_t column(const uint8_t *col, uint32_t i)
{
    uint16_t v;
    memcpy(&v, col + (size_t)i * 2, 2);
    return v;
}

fc_status fc_ingest_parse_binary(const fc_ingest_limits *lim, const uint8_t *buf, size_t len, fc_stage *st,
                                 char *msg, size_t cap)
{
    const fc_network *net = lim->net;
    if (len > lim->max_payload_bytes) {
        snprintf(msg, cap, "binary snapshot: %zu bytes, limit %u", len, lim->max_payload_bytes);
        return FC_E_TOO_LARGE;
    }
    if (!buf || len < FC_BIN_HEADER) return fc_fail(msg, cap, FC_E_FIELD, "binary snapshot: too short for the 96-byte header");
    if (memcmp(buf, k_magic, 8) != 0) return fc_fail(msg, cap, FC_E_SCHEMA, "binary snapshot: not a flowcast binary snapshot (bad magic)");
    uint32_t version, header, n, interval;
    int64_t ts;
    memcpy(&version, buf + 8, 4);
    memcpy(&header, buf + 12, 4);
    memcpy(&ts, buf + 16, 8);
    memcpy(&n, buf + 24, 4);
    memcpy(&interval, buf + 28, 4);
    if (version != 1) {
        snprintf(msg, cap, "binary snapshot: format version %u, this engine reads version 1", version);
        return FC_E_SCHEMA;
    }
    if (header != FC_BIN_HEADER) return fc_fail(msg, cap, FC_E_FIELD, "binary snapshot: unexpected header size");
    const char *id = (const char *)buf + 32;
    size_t id_len = 0;
    while (id_len < 64 && id[id_len]) id_len++;
    int pad_ok = id_len < 64;
    for (size_t k = id_len; k < 64 && pad_ok; k++) pad_ok = id[k] == '\0';
    if (!pad_ok) return fc_fail(msg, cap, FC_E_FIELD, "binary snapshot: network id is not NUL-terminated and NUL-padded");
    if (id_len != strlen(net->id) || memcmp(id, net->id, id_len) != 0) {
        snprintf(msg, cap, "binary snapshot: network \"%.*s\", the engine has \"%s\"", (int)id_len, id, net->id);
        return FC_E_NETWORK_ID;
    }
    if (n != net->n_sensors) {
        snprintf(msg, cap, "binary snapshot: %u sensors, the network has %u", n, net->n_sensors);
        return FC_E_FIELD;
    }
    if (interval > 86400) return fc_fail(msg, cap, FC_E_FIELD, "binary snapshot: interval_s out of range (0 or 1..86400)");
    if (len != fc_bin_snapshot_bytes(n)) {
        snprintf(msg, cap, "binary snapshot: %zu bytes, %u sensors need %zu", len, n, fc_bin_snapshot_bytes(n));
        return FC_E_FIELD;
    }
    /* the instants a JSON timestamp can name in UTC: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z */
    if (ts < 0 || ts > 253402300799999LL)
        return fc_fail(msg, cap, FC_E_TIMESTAMP, "binary snapshot: ts out of range (1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z)");
    fc_status s = fc_ingest_check_ts(lim, ts, msg, cap);
    if (s) return s;
    st->ts_ms = ts;

    /* No allocation. Limits become integer bounds on the stored values, which are exactly the
     * history's units (the JSON path quantises the same numbers to the same integers), so the
     * checks compare integers and the commit takes the columns as they are. One branch-free
     * pass (it vectorises) counts what is accepted and what must be dropped; a snapshot with
     * nothing to drop, the normal case, is committed straight from its own columns, no copy. */
    const uint8_t *sp = buf + FC_BIN_HEADER, *vp = sp + (size_t)n * 2, *op = vp + (size_t)n * 2, *qp = op + (size_t)n * 2;
    const bounds lim1 = {(uint16_t)(max_q(lim->max_speed_mph, 100.0) + 1),
                         (uint16_t)(max_q(lim->max_volume_vph, 1.0) + 1), 10001};
    /* 16-bit lanes throughout (the reductions too, in blocks that cannot overflow them): eight
     * sensors per wasm SIMD operation */
    uint16_t any_bad = 0;
    uint32_t absent = 0;
    for (uint32_t i0 = 0; i0 < n; i0 += 32768) {
        uint32_t i1 = n - i0 < 32768 ? n : i0 + 32768;
        uint16_t block_absent = 0;
        for (uint32_t i = i0; i < i1; i++) {
            uint16_t a = column(sp, i), b = column(vp, i), c = column(op, i);
            any_bad |= out_of_bounds(&lim1, a, b, c);
            block_absent += a == FC_BIN_MISSING;
        }
        absent += block_absent;
    }
    st->n_readings = n;
    if (!any_bad && ((uintptr_t)sp & 1) == 0) {
        st->in_speed = (const uint16_t *)(const void *)sp;
        st->in_volume = (const uint16_t *)(const void *)vp;
        st->in_occupancy = (const uint16_t *)(const void *)op;
        st->in_quality = qp;
        st->accepted = n - absent;
        return FC_OK;
    }
    /* some readings are dropped whole (all fields, quality too), as the JSON rules drop them */
    uint32_t accepted = 0, n_bad = 0;
    st->dense = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t a = column(sp, i), b = column(vp, i), c = column(op, i);
        uint16_t bad = out_of_bounds(&lim1, a, b, c);
        st->speed[i] = bad ? FC_Q_MISSING : a;
        st->volume[i] = bad ? FC_Q_MISSING : b;
        st->occupancy[i] = bad ? FC_Q_MISSING : c;
        st->quality[i] = bad ? 0 : qp[i];
        accepted += (a != FC_BIN_MISSING) & !bad;
        n_bad += bad;
    }
    st->dropped = st->dropped_sensors = n_bad;
    st->accepted = accepted;
    return FC_OK;
}
