/* test_engine_model.c — model files through the engine: the format version the engine reports
 * is the one its files carry, and a model file that fails to load in tile mode leaves the old
 * model, its tiles and its finished forecast in force (flowcast.h's promise for a failed load). */
#include <stdint.h>
#include <stdlib.h>
#include "test.h"



void test_model_format_version(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    size_t len = fc_engine_model_size(e), len_np = fc_engine_model_size_without_profiles(e);
    uint8_t *file = malloc(len), *file_np = malloc(len_np);
    CHECK_STATUS(fc_engine_save_model(e, file, len, &len), FC_OK);
    CHECK_STATUS(fc_engine_save_model_without_profiles(e, file_np, len_np, &len_np), FC_OK);
    uint32_t v, v_np;
    memcpy(&v, file + 8, 4);     /* little-endian u32 after the 8-byte magic (model_io.c) */
    memcpy(&v_np, file_np + 8, 4);
    CHECK(fc_model_format_version() >= 2);
    CHECK_EQ_INT(v, fc_model_format_version());
    CHECK_EQ_INT(v_np, fc_model_format_version());
    /* and a file of another version is refused by name */
    uint32_t other = fc_model_format_version() + 1;
    memcpy(file + 8, &other, 4);
    CHECK_STATUS(fc_engine_load_model(e, file, len), FC_E_SCHEMA);
    CHECK_CONTAINS(fc_engine_message(e), "format version");
    free(file);
    free(file_np);
    fc_engine_destroy(e);
}

/* Runs the tile forecast over every group, putting the tiles in `tiles` as they are asked for. */
static fc_status tile_forecast(fc_engine *e, uint8_t *const tiles[][2], const size_t sizes[][2])
{
    CHECK_STATUS(fc_engine_forecast_tiles_begin(e, NULL), FC_OK);
    for (uint32_t g = 0; g < fc_engine_tile_groups(e); g++) {
        int need = -1;
        fc_status st;
        while ((st = fc_engine_forecast_tiles_group(e, g, &need)) == FC_E_NOT_FOUND && need >= 0) {
            CHECK_STATUS(fc_engine_tile_put(e, tiles[g][need], sizes[g][need]), FC_OK);
            need = -1;
        }
        if (st) return st;
    }
    return fc_engine_forecast_tiles_end(e);
}

void test_model_load_failure_keeps_model(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    enum { G = 2, H = 6, N = 4 };
    CHECK_EQ_INT(fc_engine_tile_groups(e), G);
    uint8_t *tiles[G][2];
    size_t sizes[G][2];
    for (uint32_t g = 0; g < G; g++)
        for (int d = 0; d < 2; d++) {
            sizes[g][d] = fc_engine_tile_size(e, g);
            tiles[g][d] = malloc(sizes[g][d]);
            CHECK_STATUS(fc_engine_tile_export(e, g, d, tiles[g][d], sizes[g][d], NULL), FC_OK);
        }
    size_t len = fc_engine_model_size_without_profiles(e);
    uint8_t *file = malloc(len);
    CHECK_STATUS(fc_engine_save_model_without_profiles(e, file, len, &len), FC_OK);
    CHECK_STATUS(fc_engine_tiles_enable(e, 1u << 16), FC_OK);
    CHECK_STATUS(tile_forecast(e, (uint8_t *const (*)[2])tiles, (const size_t (*)[2])sizes), FC_OK);
    float before[N * H], after[N * H];
    CHECK_STATUS(fc_engine_forecast(e, before, NULL, NULL, N * H), FC_OK);
    uint64_t version = fc_engine_data_version(e);

    /* a corrupted file (checksum) and a truncated one: refused, nothing changes */
    file[100] ^= 0x40;
    CHECK_STATUS(fc_engine_load_model(e, file, len), FC_E_FIELD);
    file[100] ^= 0x40;
    CHECK_STATUS(fc_engine_load_model(e, file, len - 1), FC_E_FIELD);
    CHECK(fc_engine_tiles_enabled(e));
    CHECK_EQ_INT(fc_engine_horizons(e), H);
    CHECK(fc_engine_data_version(e) == version);
    CHECK_STATUS(fc_engine_forecast(e, after, NULL, NULL, N * H), FC_OK);
    CHECK(memcmp(before, after, sizeof before) == 0);

    /* the same file loads in tile mode: same model, so its cached tiles still serve */
    CHECK_STATUS(fc_engine_load_model(e, file, len), FC_OK);
    CHECK(fc_engine_tiles_enabled(e));
    CHECK_STATUS(fc_engine_forecast(e, after, NULL, NULL, N * H), FC_E_STATE); /* a new data version */
    fc_cache_stats cs;
    fc_engine_tile_cache_stats(e, &cs);
    uint64_t puts = cs.insertions;
    CHECK_STATUS(tile_forecast(e, (uint8_t *const (*)[2])tiles, (const size_t (*)[2])sizes), FC_OK);
    fc_engine_tile_cache_stats(e, &cs);
    CHECK_EQ_INT(cs.insertions, puts);
    CHECK_STATUS(fc_engine_forecast(e, after, NULL, NULL, N * H), FC_OK);
    CHECK(memcmp(before, after, sizeof before) == 0);
    for (uint32_t g = 0; g < G; g++)
        for (int d = 0; d < 2; d++) free(tiles[g][d]);
    free(file);
    fc_engine_destroy(e);
}
