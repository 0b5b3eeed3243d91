/* replayset.c — flowcast-replayset: a dataset folder the feed server replays (docs/FORMATS.md,
 * "Dataset folder") from real recorded speeds: a network document and a speeds matrix CSV
 * (METR-LA style: a header of sensor ids, one row per interval). Used for Los Angeles on the
 * METR-LA detectors (docs/LA.md); any speeds table of a network works.
 *
 *   flowcast-replayset --network network.json --speeds speeds.csv --start ISO --out DIR
 *       [--whole-weeks] [--source TEXT]
 *
 * The replay maps dataset weeks onto the wall clock by local time of week, so it needs whole
 * weeks: --whole-weeks pads the recording with missing rows up to the next whole week (those
 * hours show "no data" rather than data made up for them). Volume and occupancy are not in such
 * tables: they are written as missing. The network and the speeds are read by the engine
 * (fc_network_parse, c/src/matrix.c); the folder is written to DIR.tmp and renamed into place,
 * so a failed run leaves nothing that looks like a dataset. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cJSON.h"
#include "flowcast.h"
#include "matrix.h"
#include "network.h"
#include "common/dataset.h"
#include "common/tool.h"

int main(int argc, char **argv)
{
    fc_tool_set_name("flowcast-replayset");
    const char *net_path = NULL, *speeds = NULL, *start = NULL, *out = NULL, *source = NULL;
    int whole_weeks = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--whole-weeks")) { whole_weeks = 1; continue; }
        if (i + 1 >= argc) fc_tool_die("%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--network")) net_path = v;
        else if (!strcmp(a, "--speeds")) speeds = v;
        else if (!strcmp(a, "--start")) start = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--source")) source = v;
        else fc_tool_die("unknown option %s", a);
    }
    if (!net_path || !speeds || !start || !out)
        fc_tool_die("usage: flowcast-replayset --network network.json --speeds speeds.csv --start ISO --out DIR [--whole-weeks] [--source TEXT]");
    int64_t t0;
    if (fc_parse_timestamp(start, strlen(start), &t0)) fc_tool_die("--start: not an ISO 8601 timestamp with an offset: %s", start);

    size_t len;
    char *net_text = fc_tool_read_file(net_path, &len);
    fc_network *net;
    char msg[512];
    fc_status st = fc_network_parse(net_text, len, &net, msg, sizeof msg);
    if (st) fc_tool_die("%s: %s: %s", net_path, fc_status_name(st), msg);

    fc_matrix *m = fc_tool_read_csv(speeds, 1);
    for (size_t c = 0; c < m->cols; c++) {
        long s = fc_idmap_find(&net->ids, m->ids[c], strlen(m->ids[c]));
        if (s < 0) fc_tool_die("%s: header column %zu: \"%s\" is not a sensor of %s", speeds, c + 1, m->ids[c], net_path);
    }
    if (m->cols != net->n_sensors)
        fc_tool_die("%s: %zu columns, the network has %u sensors", speeds, m->cols, net->n_sensors);
    size_t real_rows = m->rows, rows = real_rows;
    if (whole_weeks) rows = fc_dataset_whole_weeks(real_rows, net->interval_s);

    /* speed: the recording, then missing rows; volume and occupancy: all missing */
    fc_matrix speed = {rows, m->cols, calloc(rows * m->cols, sizeof(float)), m->ids};
    fc_matrix none = {rows, m->cols, malloc(rows * m->cols * sizeof(float)), m->ids};
    if (!speed.v || !none.v) fc_tool_die("out of memory");
    memcpy(speed.v, m->v, real_rows * m->cols * sizeof(float));
    for (size_t k = real_rows * m->cols; k < rows * m->cols; k++) speed.v[k] = NAN;
    for (size_t k = 0; k < rows * m->cols; k++) none.v[k] = NAN;

    cJSON *meta = fc_dataset_meta(net, start, rows, real_rows, "flowcast-replayset (recorded speeds)");
    if (source) cJSON_AddStringToObject(meta, "source", source);
    fc_dataset_write(out, meta, net_text, len, &speed, &none, &none);
    fprintf(stderr, "flowcast-replayset: %u sensors, %zu recorded rows + %zu missing rows -> %s\n",
            net->n_sensors, real_rows, rows - real_rows, out);
    free(speed.v), free(none.v);
    fc_matrix_free(m);
    fc_network_free(net);
    cJSON_Delete(meta);
    free(net_text);
    return 0;
}
