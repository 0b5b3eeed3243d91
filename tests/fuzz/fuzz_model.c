/* fuzz_model.c — libFuzzer harness: any bytes as a model file for the test network. A file is
 * either refused with a status and message, leaving the previous model in force, or accepted,
 * after which every forecast value is finite and ordered lo <= mid <= hi, or NaN for a sensor
 * the file's profiles give no evidence for (fuzz_forecast_ok; or, for a file
 * without profiles, forecasting is refused with FC_E_STATE until tiles are enabled).
 *
 * Mutations nearly always break the checksum, which would hide everything behind it, so for
 * inputs whose last byte is odd the harness first rewrites the checksum to match (format 2:
 * over the payload after the 96-byte header, c/src/model_io.c; formats 3 and 4: over every
 * byte before it, c/src/model_pack.c): dimensions, section lengths, escapes, NaN and range checks
 * then see mutated payloads. A window file (format 3, flagged) forecasts when its window holds
 * the engine's newest slot, with the same guarantees, and is otherwise refused with FC_E_STATE.
 *
 * With FC_FUZZ_WRITE_SEED=PATH set, the harness writes valid model files to PATH (format 3),
 * PATH.noprofiles, PATH.window (the window at the engine's newest snapshot) and PATH.v2
 * (format 2) and exits: tests/fuzz/run.js uses that to seed the corpus, so mutations start from
 * real files of every kind. */
#include <stdio.h>
#include "fuzz_common.h"
#include "engine.h"
#include "hash.h"
#include "model_io.h"
#include "model_pack.h"

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
    /* the model is too small for a network of its own (under 2,000 samples: all zeros), so the
     * seeds would carry only zeros in the network's section: give it small deterministic weights,
     * so mutations start from a network that forecasts */
    {
        fc_model *m = g_engine->model;
        uint32_t s = 1;
        for (size_t i = 0; i < fc_mlp_params(m->horizons); i++) {
            s = s * 1664525u + 1013904223u;
            m->mlp[i] = ((float)(s >> 8) / 16777216.0f - 0.5f) * 0.1f;
        }
        fc_model_pack_round(m); /* to the file's steps: the model is exactly what it saves */
    }
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
        /* the window file at the newest snapshot, and the format-2 file of the same model */
        size_t wlen = 0;
        if (fc_engine_save_model_window(g_engine, fc_engine_last_ts_ms(g_engine), 0, NULL, 0, &wlen) != FC_E_ARG) abort();
        unsigned char *win = malloc(wlen);
        snprintf(path, sizeof path, "%s.window", seed);
        FILE *w = fopen(path, "wb");
        if (!win || fc_engine_save_model_window(g_engine, fc_engine_last_ts_ms(g_engine), 0, win, wlen, &wlen) || !w ||
            fwrite(win, 1, wlen, w) != wlen)
            abort();
        fclose(w);
        free(win);
        size_t v2len = fc_model_file_size_v2(g_engine->model, 1);
        unsigned char *v2 = malloc(v2len);
        if (!v2) abort();
        fc_model_write_v2(g_engine->model, v2, 1);
        snprintf(path, sizeof path, "%s.v2", seed);
        FILE *v = fopen(path, "wb");
        if (!v || fwrite(v2, 1, v2len, v) != v2len) abort();
        fclose(v);
        free(v2);
        free(g_saved);
        fc_engine_destroy(g_engine);
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    unsigned char *input = fuzz_resealed_copy(data, size, 96);
    uint32_t version = 0;
    if (size >= 12) memcpy(&version, input + 8, 4);
    if (version >= 3 && version <= 6 && size >= 120 && (data[size - 1] & 1)) { /* formats 3 to 6 seal their header too */
        uint64_t sum = fc_hash_bytes(FC_HASH_SEED, input, size - 8);
        memcpy(input + size - 8, &sum, 8);
    }
    fc_status st = fc_engine_load_model(g_engine, input, size);
    free(input);
    uint32_t h = fc_engine_horizons(g_engine);
    size_t n = 4 * (size_t)h;
    float mid[4 * 24], lo[4 * 24], hi[4 * 24];
    if (st == FC_OK && !fc_model_has_profiles(g_engine->model)) {
        /* a file without profiles: it forecasts only through tiles, and says so */
        if (fc_engine_forecast(g_engine, mid, lo, hi, n) != FC_E_STATE) abort();
        if (fc_engine_load_model(g_engine, g_saved, g_saved_len)) abort();
        return 0;
    }
    if (st == FC_OK && g_engine->model->window) {
        /* a window file: a forecast inside its window, or an honest refusal outside it */
        fc_status fs = fc_engine_forecast(g_engine, mid, lo, hi, n);
        if (fs == FC_E_STATE ? fc_engine_message(g_engine)[0] == '\0' : fs != FC_OK || !fuzz_forecast_ok(g_engine, h, mid, lo, hi))
            abort();
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
