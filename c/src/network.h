/* network.h — a loaded, validated freeway network (format: docs/FORMATS.md, flowcast.network/1).
 * Sensor attributes are stored column-wise (one array per attribute) because every consumer
 * walks one attribute over all sensors: the map colours by speed, the model reads neighbours. */
#ifndef FC_NETWORK_H
#define FC_NETWORK_H
#include <stddef.h>
#include <stdint.h>
#include "idmap.h"
#include "tz.h"

#define FC_ID_MAX 63       /* longest sensor, corridor or network id, bytes */
#define FC_MAX_SENSORS 1000000u

typedef struct fc_corridor {
    char *id, *road, *direction;
    int loop;               /* the last sensor flows into the first */
    uint32_t n_sensors;
    uint32_t *sensors;      /* sensor indices in downstream order */
    uint32_t n_points;
    double *geometry;       /* n_points (lat, lon) pairs for drawing */
} fc_corridor;

typedef struct fc_connection {
    uint32_t from, to;      /* sensor indices */
    float length_mi;        /* 0 when not given */
    char *name;             /* may be NULL */
} fc_connection;

typedef struct fc_network {
    char id[FC_ID_MAX + 1];
    char *name;             /* may be NULL */
    char tz_name[64];
    fc_tz tz;
    uint32_t interval_s;

    uint32_t n_sensors;
    char **sensor_id;       /* [n] */
    double *lat, *lon;      /* [n] degrees */
    float *milepost;        /* [n] */
    float *speed_limit_mph; /* [n] */
    uint8_t *lanes;         /* [n] */
    char **road, **direction, **label; /* [n]; label may be NULL */
    int32_t *twin;          /* [n] sensor index or -1 */
    int32_t *corridor;      /* [n] corridor index or -1 */
    int32_t *corridor_pos;  /* [n] position within its corridor or -1 */

    uint32_t n_corridors;
    fc_corridor *corridors;
    uint32_t n_connections;
    fc_connection *connections;

    fc_idmap ids;
} fc_network;

/* Parses and validates a network document. On failure returns FC_E_JSON / FC_E_ENCODING /
 * FC_E_SCHEMA / FC_E_NETWORK / FC_E_TIMEZONE / FC_E_NOMEM with a message naming the field in
 * msg; *out is untouched. On success *out owns a network freed with fc_network_free(). */
#include "flowcast.h"
fc_status fc_network_parse(const char *json, size_t len, fc_network **out, char *msg, size_t msg_cap);
void fc_network_free(fc_network *net);

#endif
