/* fuzz_tile.c — libFuzzer harness: any bytes as a history profile tile (c/src/tile.h) for an
 * engine in tile mode on the test network. A tile is refused with a status and a message, the
 * cache unchanged; or accepted, after which a tile-mode forecast (missing tiles supplied from the
 * model's own export) gives finite values with lo <= mid <= hi (NaN for a sensor without
 * evidence: fuzz_forecast_ok). An accepted tile is then replaced
 * by the valid one under the same key, so every input starts from the same state.
 *
 * As in fuzz_model, inputs whose last byte is odd get their checksum rewritten, so the value
 * and size checks behind it see mutated payloads. With FC_FUZZ_WRITE_SEED=DIR the harness
 * writes the valid tiles into DIR and exits (tests/fuzz/run.js seeds the corpus with them). */
#include <stdio.h>
#include "fuzz_common.h"
#include "hash.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static fc_engine *g_engine;          /* tile mode, the source model loaded */
static unsigned char *g_tile[2][2];  /* valid tiles [group][daytype] */
static size_t g_len[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fc_engine *src = fuzz_engine(600, 1);
    size_t mlen = fc_engine_model_size(src);
    unsigned char *model = malloc(mlen);
    if (!model || fc_engine_save_model(src, model, mlen, &mlen)) abort();
    if (fc_engine_tile_groups(src) != 2) abort();
    const char *dir = getenv("FC_FUZZ_WRITE_SEED");
    for (uint32_t g = 0; g < 2; g++) {
        g_len[g] = fc_engine_tile_size(src, g);
        for (int d = 0; d < 2; d++) {
            g_tile[g][d] = malloc(g_len[g]);
            if (!g_tile[g][d] || fc_engine_tile_export(src, g, d, g_tile[g][d], g_len[g], NULL)) abort();
            if (dir) {
                char path[4096];
                snprintf(path, sizeof path, "%s/tile-%u-%d", dir, g, d);
                FILE *f = fopen(path, "wb");
                if (!f || fwrite(g_tile[g][d], 1, g_len[g], f) != g_len[g]) abort();
                fclose(f);
            }
        }
    }
    if (dir) exit(0);
    g_engine = fuzz_engine(600, 0);
    if (fc_engine_load_model(g_engine, model, mlen) || fc_engine_tiles_enable(g_engine, 1u << 20)) abort();
    free(model);
    fc_engine_destroy(src);
    return 0;
}

static void forecast_all(void)
{
    if (fc_engine_forecast_tiles_begin(g_engine, NULL)) abort();
    for (uint32_t g = 0; g < 2; g++) {
        int need = -1;
        fc_status st;
        while ((st = fc_engine_forecast_tiles_group(g_engine, g, &need)) == FC_E_NOT_FOUND)
            if (need < 0 || need > 1 || fc_engine_tile_put(g_engine, g_tile[g][need], g_len[g])) abort();
        if (st) abort();
    }
    if (fc_engine_forecast_tiles_end(g_engine)) abort();
    uint32_t h = fc_engine_horizons(g_engine);
    float mid[4 * 24], lo[4 * 24], hi[4 * 24];
    if (!fuzz_forecast_ok(g_engine, h, mid, lo, hi)) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    unsigned char *input = fuzz_resealed_copy(data, size, 48);
    fc_cache_stats before, after;
    fc_engine_tile_cache_stats(g_engine, &before);
    fc_status st = fc_engine_tile_put(g_engine, input, size);
    fc_engine_tile_cache_stats(g_engine, &after);
    if (st != FC_OK) {
        if (fc_engine_message(g_engine)[0] == '\0') abort();
        if (after.entries != before.entries || after.bytes_in_use != before.bytes_in_use ||
            after.insertions != before.insertions)
            abort();
    } else {
        forecast_all();
        uint32_t g, d;
        memcpy(&g, input + 24, 4);
        memcpy(&d, input + 28, 4);
        if (g > 1 || d > 1) abort(); /* accepted a group or day type out of range */
        if (fc_engine_tile_put(g_engine, g_tile[g][d], g_len[g])) abort();
    }
    free(input);
    return 0;
}
