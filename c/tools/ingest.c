/* ingest.c — flowcast-ingest: loads a network and ingests snapshot files through the same C
 * core as the wasm build, printing one JSON line per snapshot and the final state digest.
 * For debugging feeds, and as the native workload behind instruction-count budgets.
 *
 *   flowcast-ingest [--repeat N] [--history-s S] [--parser auto|cjson|fast] NETWORK.json SNAPSHOT.json...
 *
 * With --repeat N each snapshot file is ingested N times, its timestamp moved forward by one
 * network interval per round, so a single file can drive a long run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flowcast.h"
#include "timeutil.h"
#include "common/tool.h"

/* Returns a copy of the snapshot with its "ts" moved shift_s later (written in UTC with Z),
 * or NULL when no valid "ts" string is found. The caller frees the copy; *len is updated. */
static char *shift_ts(const char *json, size_t *len, long long shift_s)
{
    const char *p = strstr(json, "\"ts\"");
    if (!p) return NULL;
    p = strchr(p + 4, '"');
    const char *end = p ? strchr(p + 1, '"') : NULL;
    int64_t ms;
    if (!end || fc_parse_timestamp(p + 1, (size_t)(end - p - 1), &ms) != FC_OK) return NULL;
    long long s = ms / 1000 + shift_s, rem = s % 86400;
    int64_t y;
    int m, d;
    fc_civil_from_days(s / 86400, &y, &m, &d);
    char ts[32];
    int w = snprintf(ts, sizeof ts, "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ", (long long)y, m, d,
                     rem / 3600, rem / 60 % 60, rem % 60);
    size_t pre = (size_t)(p + 1 - json), post = *len - (size_t)(end - json);
    char *out = malloc(pre + (size_t)w + post);
    if (!out) return NULL;
    memcpy(out, json, pre);
    memcpy(out + pre, ts, (size_t)w);
    memcpy(out + pre + (size_t)w, end, post);
    *len = pre + (size_t)w + post;
    return out;
}

/* Prints s as a JSON string (the messages quote ids, so they need escaping). */
static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static int usage(void)
{
    fprintf(stderr, "usage: flowcast-ingest [--repeat N] [--history-s S] [--parser auto|cjson|fast] NETWORK.json SNAPSHOT.json...\n");
    return 2;
}

int main(int argc, char **argv)
{
    long repeat = 1;
    fc_config cfg;
    fc_config_default(&cfg);
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--parser") == 0) {
            static const char *const names[] = {"auto", "cjson", "fast"}; /* fc_parser order */
            uint32_t k = 0;
            while (k < 3 && strcmp(argv[i + 1], names[k]) != 0) k++;
            if (k == 3) return usage();
            cfg.parser = k;
            continue;
        }
        char *end;
        errno = 0;
        long v = strtol(argv[i + 1], &end, 10);
        if (*end || errno || v < 1) return usage();
        if (strcmp(argv[i], "--repeat") == 0) repeat = v;
        else if (strcmp(argv[i], "--history-s") == 0) cfg.history_s = (uint32_t)v;
        else return usage();
    }
    if (argc - i < 2) return usage();
    fc_engine *e;
    fc_status st = fc_engine_create(&cfg, &e);
    if (st) {
        fprintf(stderr, "flowcast-ingest: %s\n", fc_strerror(st));
        return 1;
    }
    size_t len;
    char *net = fc_tool_try_read_file(argv[i], &len);
    if (!net) {
        fprintf(stderr, "flowcast-ingest: cannot read %s: %s\n", argv[i], strerror(errno));
        return 1;
    }
    st = fc_engine_load_network(e, net, len);
    free(net);
    if (st) {
        fprintf(stderr, "flowcast-ingest: %s: %s\n", argv[i], fc_engine_message(e));
        fc_engine_destroy(e);
        return 1;
    }
    int failures = 0;
    for (long round = 0; round < repeat; round++) {
        for (int k = i + 1; k < argc; k++) {
            char *snap = fc_tool_try_read_file(argv[k], &len);
            if (!snap) {
                fprintf(stderr, "flowcast-ingest: cannot read %s\n", argv[k]);
                failures++;
                continue;
            }
            if (round > 0) {
                char *shifted = shift_ts(snap, &len, (long long)round * fc_engine_interval_s(e));
                free(snap);
                if (!shifted) {
                    fprintf(stderr, "flowcast-ingest: --repeat needs a valid \"ts\" in %s\n", argv[k]);
                    fc_engine_destroy(e);
                    return 2;
                }
                snap = shifted;
            }
            fc_ingest_result r;
            st = fc_ingest_json(e, snap, len, &r);
            free(snap);
            if (repeat > 1 && round > 0 && st == FC_OK) continue; /* print the first round only */
            if (st) {
                failures++;
                printf("{\"file\":");
                print_json_string(argv[k]);
                printf(",\"ok\":false,\"code\":\"%s\",\"message\":", fc_status_name(st));
                print_json_string(fc_engine_message(e));
                printf("}\n");
            } else {
                printf("{\"file\":");
                print_json_string(argv[k]);
                printf(",\"ok\":true,\"ts\":%lld,\"accepted\":%u,\"dropped\":%u,\"missing\":%u}\n",
                       (long long)r.ts_ms, r.accepted, r.dropped, r.missing);
            }
        }
    }
    printf("{\"digest\":\"%016llx\"}\n", (unsigned long long)fc_engine_digest(e));
    fc_engine_destroy(e);
    return failures ? 1 : 0;
}
