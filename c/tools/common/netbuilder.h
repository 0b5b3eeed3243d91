/* netbuilder.h — the network builder shared by the tools that make a network document from the
 * stations an agency publishes (flowcast-netbuild from a sensor table, flowcast-pems from Caltrans
 * PeMS metadata): corridors from a directed road graph or from road + direction + postmile, twins,
 * derived names and mileposts, the report of what was derived, and the engine's own check of the
 * result (docs/FORMATS.md, "Sensor table"). The caller fills the stations; the builder owns the
 * rest. Tools only: errors end the process through fc_tool_die. */
#ifndef FC_NETBUILDER_H
#define FC_NETBUILDER_H
#include "cJSON.h"

/* What a station gets when its source does not say (reported as assumed). */
#define FC_NB_DEFAULT_LANES 4
#define FC_NB_DEFAULT_LIMIT_MPH 65

typedef struct fc_nb_sensor {
    char *id, *road, *dir, *label, *place; /* road/dir/label/place NULL when unknown */
    double lat, lon, postmile, limit;
    int lanes, has_pm, line;               /* line: where the station is in its source file */
    int corridor, pos, twin;               /* -1 when none; set by the builder */
} fc_nb_sensor;

typedef struct fc_nb_corridor {
    int *s, n, loop, number;
    char road[32], dir[16];
} fc_nb_corridor;

typedef struct fc_nb {
    fc_nb_sensor *s;
    int n;
    int has_road, has_dir, has_pm; /* whether the source has these for every station */
    double *dist; /* n x n road metres from i to j, < 0 = unknown; NULL without a graph */
    fc_nb_corridor *c;
    int nc;
    /* the report: the caller may add to "assumed" and "derived" before building */
    cJSON *report, *branches, *merges, *isolated, *derived, *assumed;
} fc_nb;

typedef struct fc_nb_options {
    const char *id, *name, *timezone;
    const char *road_prefix; /* roads without names: "<prefix> N" */
    int interval_s;
} fc_nb_options;

/* An empty build with its report ({"ignored_columns": []} and the lists above). */
void fc_nb_init(fc_nb *b);
/* Builds corridors (from b->dist when set, else road + direction + postmile), twins, names and
 * mileposts, writes the network document and has the engine's parser (fc_network_parse) check
 * it; any error ends the process with a message naming the stations. Returns the document
 * (compact JSON, the caller frees it with cJSON_free) and completes b->report. */
char *fc_nb_build(fc_nb *b, const fc_nb_options *o);
/* The one-line summary and the derived/assumed notes, to stderr, prefixed with the tool name. */
void fc_nb_print_summary(const fc_nb *b, const char *tool, const char *out);

#endif
