/* model_tiles.c — the model's side of profile tiles: its identity (which tiles belong to it)
 * and the switch of its profile to tile payloads. Kept apart from model.c so that tile mode
 * (tile_mode.c) changes the model only through these calls, never through its fields. */
#include "model.h"
#include "hash.h"
#include <stdlib.h>

uint64_t fc_model_id(const fc_model *m)
{
    size_t nh = (size_t)m->n * m->horizons;
    uint64_t h = fc_hash_bytes(FC_HASH_SEED, m->w, nh * FC_REGIMES * FC_NF * sizeof(float));
    h = fc_hash_bytes(h, m->lo, nh * sizeof(float));
    h = fc_hash_bytes(h, m->hi, nh * sizeof(float));
    h = fc_hash_bytes(h, m->rc, (size_t)m->horizons * FC_RC_CELLS * sizeof(float)); /* the pooled correction */
    return fc_hash_bytes(h, m->mlp, fc_mlp_params(m->horizons) * sizeof(float));      /* the shared network */
}

const fc_profile *fc_model_profile(const fc_model *m) { return &m->prof; }

void fc_model_use_tiles(fc_model *m, const uint32_t *pos)
{
    /* the tiles carry every profile cell: a window model is whole again */
    free(m->window);
    m->window = NULL;
    fc_profile_use_tiles(&m->prof, pos);
}

void fc_model_show_tiles(fc_model *m, const uint8_t *const payload[FC_DAYTYPES], uint32_t group_sensors)
{
    fc_profile_show_tiles(&m->prof, payload, group_sensors);
}
