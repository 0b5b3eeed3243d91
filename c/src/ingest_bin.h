/* ingest_bin.h — the binary snapshot encoding (FCSNAP1): one column per quantity in network
 * sensor order, at the engine's stored resolution, so ingest is a validation pass and a copy.
 *
 * Layout (little-endian; docs/FORMATS.md "Binary snapshot"):
 *   0  char[8]  magic "FCSNAP1\0"
 *   8  u32      format version (1)
 *  12  u32      header bytes (96)
 *  16  i64      ts: end of the measurement period, Unix ms (1970 .. 9999 UTC)
 *  24  u32      sensors n (must equal the network's)
 *  28  u32      interval_s (the feed's period; 0 = not given, else 1..86400)
 *  32  char[64] network id, NUL-padded (must equal the loaded network's id)
 *  96  u16 speed[n]      0.01 mph      (0xFFFF = null)
 *      u16 volume[n]     1 veh/h       (0xFFFF = null)
 *      u16 occupancy[n]  0.0001        (0xFFFF = null)
 *      u8  quality[n]
 *
 * Every sensor has a cell, so the encoding is the canonical JSON the feed server emits (every
 * sensor listed, nulls for missing values) in another form: decoding q as q / 100.0, q, and
 * q / 10000.0 gives exactly the doubles strtod gives for that JSON's numbers (the server prints
 * the same rounded values), hence the same committed state (tests/binary.test.mjs compares
 * digests). A value above the engine's limit drops that reading, as in JSON. */
#ifndef FC_INGEST_BIN_H
#define FC_INGEST_BIN_H
#include <stddef.h>
#include <stdint.h>
#include "ingest.h"

#define FC_BIN_HEADER 96u
#define FC_BIN_MISSING 0xFFFFu

/* Bytes of a binary snapshot of n sensors. */
size_t fc_bin_snapshot_bytes(uint32_t n);

/* Validates a binary snapshot against the limits (header, network, size, timestamp) and stages
 * its readings. On failure the stage is left empty and msg says why: FC_E_SCHEMA (magic,
 * version), FC_E_FIELD (header size, sensor count, interval, length), FC_E_NETWORK_ID,
 * FC_E_TOO_LARGE, FC_E_TIMESTAMP (before 1970 or after 9999), FC_E_TS_ORDER / FC_E_TS_AHEAD. */
fc_status fc_ingest_parse_binary(const fc_ingest_limits *lim, const uint8_t *buf, size_t len, fc_stage *st,
                                 char *msg, size_t msg_cap);

#endif
