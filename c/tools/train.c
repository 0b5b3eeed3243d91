/* train.c — flowcast-train: trains the model on a dataset folder (docs/FORMATS.md, "Dataset
 * folder") with the same C core as the browser, and writes the model file a feed server ships
 * so that pages need not train.
 *
 *   flowcast-train --dataset DIR --out FILE [--days N (default 28)]
 *
 * The last N days of DIR/speed.csv train; the network is DIR/network.json, so the model file's
 * network hash matches what the server serves at /api/v1/network. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cJSON.h"
#include "flowcast.h"
#include "common/tool.h"

static void check(fc_engine *e, fc_status st, const char *what)
{
    if (st) fc_tool_die("%s: %s: %s", what, fc_status_name(st), fc_engine_message(e));
}

static void progress(double f, void *user)
{
    int *last = user, pct = (int)(f * 100);
    if (pct / 10 != *last / 10) fprintf(stderr, "flowcast-train: %d%%\n", pct);
    *last = pct;
}

int main(int argc, char **argv)
{
    fc_tool_set_name("flowcast-train");
    const char *dir = NULL, *out = NULL;
    double days = 28;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--dataset")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--out")) out = argv[i + 1];
        else if (!strcmp(argv[i], "--days")) days = atof(argv[i + 1]);
        else fc_tool_die("unknown option %s (usage: --dataset DIR --out FILE [--days N])", argv[i]);
    }
    if (!dir || !out || argc % 2 == 0 || !(days >= 1 && days <= 366))
        fc_tool_die("usage: flowcast-train --dataset DIR --out FILE [--days N (1..366, default 28)]");
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/meta.json", dir);
    char *meta_text = fc_tool_read_file(path, &len);
    cJSON *meta = cJSON_ParseWithLength(meta_text, len);
    const cJSON *start = meta ? cJSON_GetObjectItemCaseSensitive(meta, "start") : NULL;
    const cJSON *interval = meta ? cJSON_GetObjectItemCaseSensitive(meta, "interval_s") : NULL;
    int64_t t0;
    if (!cJSON_IsString(start) || !cJSON_IsNumber(interval) ||
        fc_parse_timestamp(start->valuestring, strlen(start->valuestring), &t0))
        fc_tool_die("%s: needs \"start\" (ISO 8601 with offset) and \"interval_s\"", path);
    int64_t interval_ms = (int64_t)interval->valuedouble * 1000;
    snprintf(path, sizeof path, "%s/network.json", dir);
    char *net = fc_tool_read_file(path, &len);
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = (uint32_t)(days * 86400) + 3600;
    fc_engine *e;
    if (fc_engine_create(&cfg, &e)) fc_tool_die("cannot create the engine");
    check(e, fc_engine_load_network(e, net, len), path);
    snprintf(path, sizeof path, "%s/speed.csv", dir);
    fc_matrix *X = fc_tool_read_csv(path, 1);
    size_t n = fc_engine_sensor_count(e);
    if (X->cols != n) fc_tool_die("%s: %zu columns, the network has %zu sensors", path, X->cols, n);
    size_t *col_of = malloc(n * sizeof(size_t));
    float *row = malloc(n * sizeof(float));
    for (size_t c = 0; c < n; c++) {
        long s = fc_engine_sensor_index(e, X->ids[c], strlen(X->ids[c]));
        if (s < 0) fc_tool_die("%s: column \"%s\" is not a network sensor", path, X->ids[c]);
        col_of[c] = (size_t)s;
    }
    size_t want = (size_t)(days * 86400 * 1000 / (double)interval_ms);
    size_t first = X->rows > want ? X->rows - want : 0;
    for (size_t r = first; r < X->rows; r++) {
        for (size_t c = 0; c < n; c++) row[col_of[c]] = X->v[r * n + c];
        check(e, fc_ingest_values(e, t0 + ((int64_t)r + 1) * interval_ms, row, NULL, NULL, n, NULL), "ingest");
    }
    int last = -1;
    check(e, fc_engine_train(e, NULL, progress, &last), "train");
    size_t size = fc_engine_model_size(e);
    uint8_t *model = malloc(size);
    check(e, fc_engine_save_model(e, model, size, &size), "save");
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(model, 1, size, f) != size || fclose(f)) fc_tool_die("cannot write %s", out);
    fprintf(stderr, "flowcast-train: %zu sensors, %zu rows, model %zu bytes -> %s\n", n, X->rows - first, size, out);
    fc_engine_destroy(e);
    fc_matrix_free(X);
    cJSON_Delete(meta);
    return 0;
}
