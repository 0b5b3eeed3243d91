/* ingest.h — snapshot parsing and validation into a staging area.
 *
 * A snapshot is first parsed and checked completely into an fc_stage (preallocated per
 * network); only when the whole snapshot is acceptable does the engine commit the stage. That
 * split is what makes "a rejected snapshot leaves the state byte-for-byte unchanged" true by
 * construction: the parser never sees the committed state, only the limits it is checked against.
 */
#ifndef FC_INGEST_H
#define FC_INGEST_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "network.h"

enum { FC_READ_NONE = 0, FC_READ_VALID = 1, FC_READ_DROPPED = 2 };

typedef struct fc_stage {
    uint32_t n;           /* network sensors */
    /* [n] the staged readings, quantised as the history stores them (history.h): FC_Q_MISSING
     * for null, absent, or a dropped reading, whose quality is 0 too. All MISSING / 0 between
     * snapshots, so the commit folds every sensor's column without looking at state[]. */
    uint16_t *speed, *volume, *occupancy;
    uint8_t *quality;
    uint8_t *state;       /* [n] FC_READ_*; all NONE between snapshots */
    uint32_t *touched;    /* sensors whose state is not NONE, in reading order */
    uint32_t n_touched;
    /* What the commit reads: the arrays above, or a binary snapshot's own columns when it had
     * nothing to drop (ingest_bin.c: committed without a copy). */
    const uint16_t *in_speed, *in_volume, *in_occupancy;
    const uint8_t *in_quality;
    int dense;            /* the arrays were written for every sensor: reset clears all of them */
    uint32_t n_readings;  /* readings looked at (for the stage timings) */
    uint32_t n_canonical; /* readings the fast parser matched by its literal shortcut */
    int64_t ts_ms;
    uint32_t accepted, dropped, dropped_sensors;
    uint32_t next_hint;   /* the sensor after the last one looked up: the likely next reading */
} fc_stage;

/* What a snapshot is checked against. */
typedef struct fc_ingest_limits {
    const fc_network *net;
    int64_t last_ts_ms;   /* INT64_MIN before the first snapshot */
    uint32_t max_payload_bytes;
    int64_t max_ahead_ms;
    double max_speed_mph, max_volume_vph;
} fc_ingest_limits;

int fc_stage_init(fc_stage *st, uint32_t n_sensors);
void fc_stage_free(fc_stage *st);
/* Returns the stage to empty in O(touched). */
void fc_stage_reset(fc_stage *st);

/* The reference path: cJSON. On failure the stage is reset and msg says why. */
fc_status fc_ingest_parse_cjson(const fc_ingest_limits *lim, const char *json, size_t len,
                                fc_stage *st, char *msg, size_t msg_cap);

/* ---- the rules every parser shares, so that their answers agree by construction ---- */

/* A JSON value as the ingest rules see it, whichever parser read it: a string is its decoded
 * bytes (str, len; len = strlen for cJSON's NUL-terminated copies), a number the double that
 * strtod gives for its text (1e999 -> inf). Arrays are told apart (readings); true, false and
 * objects are all "other" to the rules. */
enum { FC_JV_ABSENT = 0, FC_JV_NULL, FC_JV_NUMBER, FC_JV_STRING, FC_JV_ARRAY, FC_JV_OTHER };
typedef struct fc_jv {
    int kind;
    double num;
    const char *str;
    size_t len;
} fc_jv;

/* The known members of a snapshot and of a reading, in this order; others are ignored. */
enum { FC_TOP_SCHEMA, FC_TOP_NETWORK, FC_TOP_TS, FC_TOP_INTERVAL, FC_TOP_READINGS, FC_TOP_N };
enum { FC_RD_ID, FC_RD_SPEED, FC_RD_VOLUME, FC_RD_OCC, FC_RD_QUALITY, FC_RD_N };
enum { FC_KEYS_MAX = 8 }; /* room for either list */
extern const char *const fc_top_keys[FC_TOP_N];
extern const char *const fc_reading_keys[FC_RD_N];

/* The payload-size rule, checked before any parsing. */
fc_status fc_ingest_check_size(const fc_ingest_limits *lim, size_t len, char *msg, size_t msg_cap);

/* The top-level rules, in their fixed order, for a snapshot that parsed as a JSON object:
 * dup is the first known key (in document order) that repeats, or -1. Sets *ts_ms. */
fc_status fc_ingest_check_top(const fc_ingest_limits *lim, const fc_jv *top, int dup,
                              int64_t *ts_ms, char *msg, size_t msg_cap);

/* Stages one element of "readings" from its known members (f[FC_RD_N]); malformed means the
 * element is not an object or repeats a known key (dropped, unattributed). */
void fc_stage_reading_fields(fc_stage *st, const fc_ingest_limits *lim, const fc_jv *f, int malformed);

/* Stages one reading's values; the drop rules live here. Values are NaN for null/absent;
 * quality < 0 means invalid. Returns the new state. */
int fc_stage_reading(fc_stage *st, const fc_ingest_limits *lim, long sensor, double speed,
                     double volume, double occupancy, int quality, int value_error);

/* The timestamp rules (order and how far ahead), shared by every parser. */
fc_status fc_ingest_check_ts(const fc_ingest_limits *lim, int64_t ts_ms, char *msg, size_t msg_cap);
#endif
