/* tile.h — history profile tiles: one tile holds the time-of-day speed profile of one sensor
 * group (a corridor, or the sensors in no corridor) for one day type, exactly as the model's
 * profile keeps it (running sums and counts per slot of the local day, plus each sensor's overall
 * sums for the prior). A server precomputes them from its model (GET /api/v1/profiles/<corridor>/
 * <daytype>); an engine in tile mode fetches them on demand through JavaScript and keeps them in
 * an LRU cache under a byte cap, so it holds only the profiles the current forecast needs.
 *
 * Tiles come from the network, so they are untrusted: fc_tile_check validates every field
 * (magic, version, sizes, network, group, day type, sensor list, finite non-negative values,
 * checksum) before anything is used, and nothing in a tile ever indexes memory.
 *
 * Layout (little-endian):
 *   0  char[8] magic "FCTILE1\0"
 *   8  u32     format version (1)
 *  12  u32     header bytes (48)
 *  16  u64     network hash (the model file's: sensor ids, network id, interval)
 *  24  u32     group (corridor index; n_corridors for the sensors in no corridor)
 *  28  u32     day type (0 weekday, 1 weekend)
 *  32  u32     sensors m (the group's, in its order: a corridor's downstream order)
 *  36  u32     profile slots per local day q
 *  40  u64     model id (a hash of the model's weights: tiles of another model are refused)
 *  48  payload: f32 sum[m][q], f32 count[m][q], f64 sensor sum[m], f64 sensor count[m]
 *  end u64     checksum of the payload (fc_hash_bytes)
 *
 * The payload is what an engine keeps in its cache (it needs no header once checked), so it is
 * 8-byte aligned at offset 48 and usable in place. */
#ifndef FC_TILE_H
#define FC_TILE_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "network.h"
#include "profile.h"

#define FC_TILE_HEADER 48u

/* Sensor groups of a network: its corridors, then one group for the sensors in no corridor
 * (when there are any). */
uint32_t fc_tile_group_count(const fc_network *net);
/* Sensors of group g; *out points at the group's sensor indices (for the last group, into
 * `rest`, which the caller filled with fc_tile_rest_sensors). */
uint32_t fc_tile_group_sensors(const fc_network *net, const uint32_t *rest, uint32_t n_rest, uint32_t g,
                               const uint32_t **out);
/* Id of group g: the corridor's id, or "~rest" for the sensors in no corridor (not a valid
 * corridor id, so it cannot collide); NULL when there is no group g. */
const char *fc_tile_group_id(const fc_network *net, uint32_t g);
/* Sensors in group g (0 when there is no group g). */
uint32_t fc_tile_group_size(const fc_network *net, uint32_t g);
/* Writes the indices of the sensors in no corridor, in network order, into rest[n_sensors];
 * returns how many. */
uint32_t fc_tile_rest_sensors(const fc_network *net, uint32_t *rest);

size_t fc_tile_payload_bytes(uint32_t m, uint32_t q);
size_t fc_tile_file_bytes(uint32_t m, uint32_t q);

/* Writes the tile of `sensors` (m of them) for daytype from profile p into buf (of
 * fc_tile_file_bytes(m, p->q) bytes). p must hold full arrays (not a tile view). */
void fc_tile_write(const fc_profile *p, uint64_t net_hash, uint64_t model_id, uint32_t group, int daytype,
                   const uint32_t *sensors, uint32_t m, uint8_t *buf);

/* Validates a tile for this network: header, sizes (len must be exact), network hash, group <
 * n_groups, day type, m equal to the group's sensor count, q, finite non-negative counts, finite
 * sums, checksum. On success *group, *daytype and *payload (pointing into buf) are set.
 * Otherwise FC_E_SCHEMA (magic, version), FC_E_NETWORK_ID (another network or model),
 * FC_E_FIELD (sizes, group, day type, checksum) or FC_E_RANGE (values), with a message. */
fc_status fc_tile_check(const uint8_t *buf, size_t len, uint64_t net_hash, uint64_t model_id, uint32_t q,
                        const uint32_t *group_sizes, uint32_t n_groups, uint32_t *group, int *daytype,
                        const uint8_t **payload, char *msg, size_t msg_cap);

#endif
