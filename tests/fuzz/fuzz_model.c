/* fuzz_model.c — libFuzzer harness: any bytes as a model file for the test network. A file is
 * either refused with a status and message, leaving the previous model in force, or accepted,
 * after which every forecast value is finite and ordered lo <= mid <= hi, or NaN for a sensor
 * the file's profiles give no evidence for (fuzz_forecast_ok; or, for a file
 * without profiles, forecasting is refused with FC_E_STATE until tiles are enabled).
 *
 * Mutations nearly always break the payload checksum, which would hide everything behind it, so
 * for inputs whose last byte is odd the harness first rewrites the checksum to match (the
 * layout is in c/src/model_io.c): dimensions, NaN and range checks then see mutated payloads.
 *
 * With FC_FUZZ_WRITE_SEED=PATH set, the harness writes a valid model file to PATH and exits:
 * tests/fuzz/run.js uses that to seed the corpus, so mutations start from real files. */
#include <stdio.h>
#include "fuzz_common.h"
#include "hash.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static fc_engine *g_engine; /* trained once; every input is loaded into it */
static float g_ref[3][24];  /* its own model's forecast: what a refused file must leave */
static unsigned char *g_saved; /* its own model file, put back after an accepted input */
static size_t g_saved_len;

static void forecast(fc_engine *e, float *mid, float *lo, float *hi, size_t n)
{
    if (fc_engine_forecast(e, mid, lo, hi, n)) abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_engine = fuzz_engine(600, 1);
    forecast(g_engine, g_ref[0], g_ref[1], g_ref[2], 24);
    g_saved_len = fc_engine_model_size(g_engine);
    g_saved = malloc(g_saved_len);
    if (!g_saved || fc_engine_save_model(g_engine, g_saved, g_saved_len, &g_saved_len)) abort();
    const char *seed = getenv("FC_FUZZ_WRITE_SEED");
    if (seed) {
        FILE *f = fopen(seed, "wb");
        if (!f || fwrite(g_saved, 1, g_saved_len, f) != g_saved_len) abort();
        fclose(f);
        /* and the same model without its profiles (for tile mode), next to it */
        size_t len = fc_engine_model_size_without_profiles(g_engine);
        unsigned char *bare = malloc(len);
        char path[4096];
        snprintf(path, sizeof path, "%s.noprofiles", seed);
        FILE *g = fopen(path, "wb");
        if (!bare || fc_engine_save_model_without_profiles(g_engine, bare, len, &len) || !g ||
            fwrite(bare, 1, len, g) != len)
            abort();
        fclose(g);
        free(bare);
        free(g_saved);
        fc_engine_destroy(g_engine);
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    unsigned char *input = fuzz_resealed_copy(data, size, 96);
    fc_status st = fc_engine_load_model(g_engine, input, size);
    free(input);
    uint32_t h = fc_engine_horizons(g_engine);
    size_t n = 4 * (size_t)h;
    float mid[4 * 24], lo[4 * 24], hi[4 * 24];
    if (st == FC_OK && fc_engine_model_size(g_engine) == 0) {
        /* a file without profiles: it forecasts only through tiles, and says so */
        if (fc_engine_forecast(g_engine, mid, lo, hi, n) != FC_E_STATE) abort();
        if (fc_engine_load_model(g_engine, g_saved, g_saved_len)) abort();
        return 0;
    }
    forecast(g_engine, mid, lo, hi, n);
    if (st == FC_OK) {
        if (!fuzz_forecast_ok(g_engine, h, mid, lo, hi)) abort();
        /* put the trained model back so every input starts from the same state */
        if (fc_engine_load_model(g_engine, g_saved, g_saved_len)) abort();
    } else {
        if (fc_engine_message(g_engine)[0] == '\0') abort();
        if (memcmp(mid, g_ref[0], 24 * sizeof(float)) != 0) abort(); /* the old model stayed */
    }
    return 0;
}
