/* simnet.c — helpers shared by every sim_net: writing it as a flowcast.network/1 document
 * (docs/FORMATS.md), finding stations, freeing. */
#include "simnet.h"
#include <stdlib.h>
#include <string.h>

/* Labels and names are plain ASCII from our own tables; escaping keeps the output valid JSON
 * whatever they contain. */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

int sim_net_write_json(const sim_net *net, FILE *f)
{
    fprintf(f, "{\n  \"schema\": \"flowcast.network/1\",\n  \"id\": ");
    put_string(f, net->id);
    fprintf(f, ",\n  \"name\": ");
    put_string(f, net->name);
    /* every network the simulator writes is simulated: pages say so to commuters */
    fprintf(f, ",\n  \"simulated\": true,\n  \"timezone\": ");
    put_string(f, net->timezone);
    fprintf(f, ",\n  \"interval_s\": %d,\n  \"sensors\": [\n", net->interval_s);
    for (int i = 0; i < net->n_stations; i++) {
        const sim_station *s = &net->stations[i];
        const sim_corridor *c = &net->corridors[s->corridor];
        fprintf(f, "    {\"id\": ");
        put_string(f, s->id);
        fprintf(f, ", \"lat\": %.6f, \"lon\": %.6f, \"road\": ", s->lat, s->lon);
        put_string(f, c->road);
        fprintf(f, ", \"direction\": ");
        put_string(f, c->direction);
        fprintf(f, ", \"milepost\": %.10g, \"lanes\": %d, \"speed_limit_mph\": %g", s->milepost,
                s->lanes, s->speed_limit_mph);
        if (s->twin >= 0) {
            fprintf(f, ", \"twin\": ");
            put_string(f, net->stations[s->twin].id);
        }
        if (s->label[0]) {
            fprintf(f, ", \"label\": ");
            put_string(f, s->label);
        }
        if (s->exit[0]) {
            fprintf(f, ", \"exit\": ");
            put_string(f, s->exit);
        }
        if (s->place[0]) {
            fprintf(f, ", \"place\": ");
            put_string(f, s->place);
        }
        fprintf(f, "}%s\n", i + 1 < net->n_stations ? "," : "");
    }
    fprintf(f, "  ],\n  \"corridors\": [\n");
    for (int j = 0; j < net->n_corridors; j++) {
        const sim_corridor *c = &net->corridors[j];
        fprintf(f, "    {\"id\": ");
        put_string(f, c->id);
        fprintf(f, ", \"road\": ");
        put_string(f, c->road);
        fprintf(f, ", \"direction\": ");
        put_string(f, c->direction);
        if (c->name[0]) {
            fprintf(f, ", \"name\": ");
            put_string(f, c->name);
        }
        fprintf(f, ", \"loop\": %s,\n     \"sensors\": [", c->loop ? "true" : "false");
        for (int i = 0; i < c->n_stations; i++) {
            if (i) fputc(',', f);
            put_string(f, net->stations[c->first_station + i].id);
        }
        fprintf(f, "],\n     \"geometry\": [");
        for (int i = 0; i < c->n_geometry; i++)
            fprintf(f, "%s[%.5f,%.5f]", i ? "," : "", c->geometry[i][0], c->geometry[i][1]);
        fprintf(f, "]}%s\n", j + 1 < net->n_corridors ? "," : "");
    }
    fprintf(f, "  ],\n  \"connections\": [\n");
    for (int k = 0; k < net->n_links; k++) {
        const sim_link *l = &net->links[k];
        fprintf(f, "    {\"from\": ");
        put_string(f, net->stations[l->from_station].id);
        fprintf(f, ", \"to\": ");
        put_string(f, net->stations[l->to_station].id);
        fprintf(f, ", \"length_mi\": %.2f", l->length_mi);
        if (l->name[0]) {
            fprintf(f, ", \"name\": ");
            put_string(f, l->name);
        }
        fprintf(f, "}%s\n", k + 1 < net->n_links ? "," : "");
    }
    fprintf(f, "  ]");
    if (net->n_places) {
        fprintf(f, ",\n  \"places\": [\n");
        for (int p = 0; p < net->n_places; p++) {
            const sim_place *pl = &net->places[p];
            fprintf(f, "    {\"name\": ");
            put_string(f, pl->name);
            fprintf(f, ", \"aliases\": [");
            for (int a = 0; a < SIM_PLACE_ALIASES && pl->aliases[a]; a++) {
                if (a) fputs(", ", f);
                put_string(f, pl->aliases[a]);
            }
            fprintf(f, "], \"sensors\": [");
            for (int i = 0; i < pl->n_stations; i++) {
                if (i) fputs(", ", f);
                put_string(f, net->stations[pl->stations[i]].id);
            }
            fprintf(f, "]}%s\n", p + 1 < net->n_places ? "," : "");
        }
        fprintf(f, "  ]");
    }
    fprintf(f, "\n}\n");
    return ferror(f) ? -1 : 0;
}

int sim_net_station_near(const sim_net *net, int corridor, double x_mi, int before)
{
    const sim_corridor *c = &net->corridors[corridor];
    int first = c->first_station, last = c->first_station + c->n_stations - 1;
    if (before) {
        for (int i = last; i >= first; i--)
            if (net->stations[i].x_mi < x_mi) return i;
        return c->loop ? last : -1;
    }
    for (int i = first; i <= last; i++)
        if (net->stations[i].x_mi > x_mi) return i;
    return c->loop ? first : -1;
}

int sim_net_find_station(const sim_net *net, const char *id)
{
    for (int i = 0; i < net->n_stations; i++)
        if (strcmp(net->stations[i].id, id) == 0) return i;
    return -1;
}

void sim_net_free(sim_net *net)
{
    if (net->corridors)
        for (int j = 0; j < net->n_corridors; j++) free(net->corridors[j].geometry);
    free(net->stations);
    free(net->corridors);
    free(net->ramps);
    free(net->links);
    free(net->places);
    memset(net, 0, sizeof *net);
}
