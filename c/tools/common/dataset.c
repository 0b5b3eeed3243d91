/* dataset.c — a dataset folder of recorded data (dataset.h), moved here from flowcast-replayset. */
#include "dataset.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tool.h"

size_t fc_dataset_whole_weeks(size_t rows, unsigned interval_s)
{
    size_t per_week = FC_WEEK_S / interval_s;
    return (rows + per_week - 1) / per_week * per_week;
}

cJSON *fc_dataset_meta(const fc_network *net, const char *start, size_t rows, size_t recorded_rows, const char *generator)
{
    cJSON *meta = cJSON_CreateObject();
    cJSON_AddStringToObject(meta, "schema", "flowcast.dataset/1");
    cJSON_AddStringToObject(meta, "network", net->id);
    cJSON_AddStringToObject(meta, "start", start);
    cJSON_AddNumberToObject(meta, "interval_s", net->interval_s);
    cJSON_AddNumberToObject(meta, "rows", (double)rows);
    cJSON_AddStringToObject(meta, "timezone", net->tz_name);
    cJSON_AddStringToObject(meta, "generator", generator);
    cJSON_AddFalseToObject(meta, "simulated");
    cJSON_AddNumberToObject(meta, "recorded_rows", (double)recorded_rows);
    cJSON_AddNumberToObject(meta, "padded_rows", (double)(rows - recorded_rows));
    return meta;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[4600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f)) fc_tool_die("cannot write %s: %s", path, strerror(errno));
}

static void write_matrix(const char *dir, const char *name, const fc_matrix *m)
{
    size_t len = fc_matrix_format(m, NULL, 0);
    char *buf = malloc(len + 1);
    if (!buf) fc_tool_die("out of memory");
    fc_matrix_format(m, buf, len + 1);
    write_file(dir, name, buf, len);
    free(buf);
}

/* Removes a dataset folder these tools made, with the model file `npm start` trains into it
 * (web/server/start.js): a model of the old data is stale, and left behind it kept the folder
 * from being removed, so the new dataset could not be renamed into place. */
static void remove_dir(const char *dir)
{
    static const char *const k_files[] = {"meta.json", "network.json", "speed.csv", "volume.csv", "occupancy.csv",
                                          "model.fcm", NULL};
    char path[4600];
    for (int k = 0; k_files[k]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, k_files[k]);
        remove(path);
    }
    rmdir(dir);
}

void fc_dataset_write(const char *out, const cJSON *meta, const char *net_text, size_t net_len,
                      const fc_matrix *speed, const fc_matrix *volume, const fc_matrix *occupancy)
{
    static char tmp[4096];
    char *meta_text = cJSON_Print(meta);
    if (!meta_text) fc_tool_die("out of memory");
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    remove_dir(tmp);
    if (mkdir(tmp, 0777)) fc_tool_die("cannot create %s: %s", tmp, strerror(errno));
    write_file(tmp, "meta.json", meta_text, strlen(meta_text));
    write_file(tmp, "network.json", net_text, net_len);
    write_matrix(tmp, "speed.csv", speed);
    write_matrix(tmp, "volume.csv", volume);
    write_matrix(tmp, "occupancy.csv", occupancy);
    remove_dir(out); /* an older dataset made by these tools */
    if (rename(tmp, out)) {
        remove_dir(tmp);
        fc_tool_die("cannot rename %s to %s: %s", tmp, out, strerror(errno));
    }
    cJSON_free(meta_text);
}
