/* ingest_bin.c — see ingest_bin.h. */
#include "ingest_bin.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "binary snapshots are little-endian and read in place"
#endif

static const char k_magic[8] = {'F', 'C', 'S', 'N', 'A', 'P', '1', '\0'};

size_t fc_bin_snapshot_bytes(uint32_t n) { return FC_BIN_HEADER + (size_t)n * 7; }

static fc_status fail(char *msg, size_t cap, fc_status st, const char *text)
{
    snprintf(msg, cap, "binary snapshot: %s", text);
    return st;
}

/* Largest stored value that is still within a limit: q / scale <= max. */
static uint32_t max_q(double max, double scale)
{
    double q = floor(max * scale + 1e-9);
    return q >= FC_BIN_MISSING ? FC_BIN_MISSING - 1 : (uint32_t)q;
}

fc_status fc_ingest_parse_binary(const fc_ingest_limits *lim, const uint8_t *buf, size_t len, fc_stage *st,
                                 char *msg, size_t cap)
{
    const fc_network *net = lim->net;
    if (len > lim->max_payload_bytes) {
        snprintf(msg, cap, "binary snapshot: %zu bytes, limit %u", len, lim->max_payload_bytes);
        return FC_E_TOO_LARGE;
    }
    if (!buf || len < FC_BIN_HEADER) return fail(msg, cap, FC_E_FIELD, "too short for the 96-byte header");
    if (memcmp(buf, k_magic, 8) != 0) return fail(msg, cap, FC_E_SCHEMA, "not a flowcast binary snapshot (bad magic)");
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
    if (header != FC_BIN_HEADER) return fail(msg, cap, FC_E_FIELD, "unexpected header size");
    const char *id = (const char *)buf + 32;
    size_t id_len = 0;
    while (id_len < 64 && id[id_len]) id_len++;
    int pad_ok = id_len < 64;
    for (size_t k = id_len; k < 64 && pad_ok; k++) pad_ok = id[k] == '\0';
    if (!pad_ok) return fail(msg, cap, FC_E_FIELD, "network id is not NUL-terminated and NUL-padded");
    if (id_len != strlen(net->id) || memcmp(id, net->id, id_len) != 0) {
        snprintf(msg, cap, "binary snapshot: network \"%.*s\", the engine has \"%s\"", (int)id_len, id, net->id);
        return FC_E_NETWORK_ID;
    }
    if (n != net->n_sensors) {
        snprintf(msg, cap, "binary snapshot: %u sensors, the network has %u", n, net->n_sensors);
        return FC_E_FIELD;
    }
    if (interval > 86400) return fail(msg, cap, FC_E_FIELD, "interval_s out of range (0 or 1..86400)");
    if (len != fc_bin_snapshot_bytes(n)) {
        snprintf(msg, cap, "binary snapshot: %zu bytes, %u sensors need %zu", len, n, fc_bin_snapshot_bytes(n));
        return FC_E_FIELD;
    }
    /* the instants a JSON timestamp can name in UTC: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z */
    if (ts < 0 || ts > 253402300799999LL)
        return fail(msg, cap, FC_E_TIMESTAMP, "ts out of range (1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z)");
    fc_status s = fc_ingest_check_ts(lim, ts, msg, cap);
    if (s) return s;
    st->ts_ms = ts;

    /* No allocation; two passes over columns that stay in L1. Limits become integer bounds on
     * the stored values, so the checks compare integers. The conversions divide in single
     * precision: for every 16-bit q, q / 100.0f and q / 10000.0f equal (float)(q / 100.0) and
     * (float)(q / 10000.0) — checked exhaustively, and the stage keeps floats — which are what
     * the JSON path stores for the same numbers. Branch-free, so the compiler vectorises it. */
    const uint8_t *sp = buf + FC_BIN_HEADER, *vp = sp + (size_t)n * 2, *op = vp + (size_t)n * 2, *qp = op + (size_t)n * 2;
    const uint32_t ms = max_q(lim->max_speed_mph, 100.0), mv = max_q(lim->max_volume_vph, 1.0), mo = 10000;
    uint32_t accepted = 0, n_bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t a, b, c;
        memcpy(&a, sp + (size_t)i * 2, 2);
        memcpy(&b, vp + (size_t)i * 2, 2);
        memcpy(&c, op + (size_t)i * 2, 2);
        uint32_t bad = ((a != FC_BIN_MISSING) & (a > ms)) | ((b != FC_BIN_MISSING) & (b > mv)) |
                       ((c != FC_BIN_MISSING) & (c > mo));
        st->speed[i] = a == FC_BIN_MISSING ? NAN : (float)a / 100.0f;
        st->volume[i] = b == FC_BIN_MISSING ? NAN : (float)b;
        st->occupancy[i] = c == FC_BIN_MISSING ? NAN : (float)c / 10000.0f;
        st->state[i] = (uint8_t)(bad ? FC_READ_DROPPED : FC_READ_VALID);
        st->touched[i] = i;
        accepted += (a != FC_BIN_MISSING) & !bad;
        n_bad += bad;
    }
    memcpy(st->quality, qp, n);
    st->n_touched = n;
    st->accepted = accepted;
    st->dropped = st->dropped_sensors = n_bad;
    return FC_OK;
}
