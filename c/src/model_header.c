/* model_header.c — the header every model file format shares (model_header.h). */
#include "model_header.h"
#include "le.h"
#include <stdio.h>
#include <string.h>

static const char k_magic[8] = {'F', 'C', 'M', 'O', 'D', 'E', 'L', '1'};

int fc_model_has_magic(const uint8_t *buf) { return memcmp(buf, k_magic, 8) == 0; }

void fc_model_put_header(uint8_t *head, const fc_model *m, uint32_t version, uint32_t header_bytes, uint32_t flags)
{
    memcpy(head, k_magic, 8);
    put32(head + 8, version);
    put32(head + 12, header_bytes);
    put64(head + 16, m->network_hash);
    put32(head + 24, m->n);
    put32(head + 28, m->horizons);
    put32(head + 32, m->q);
    put32(head + 36, m->interval_s);
    put32(head + 40, FC_NF);
    put32(head + 44, FC_DAYTYPES);
    put64(head + 48, m->train_rows);
    const fc_train_options *o = &m->params;
    put32(head + 56, o->horizons);
    put32(head + 60, o->smooth_slots);
    putf(head + 64, o->profile_prior);
    putf(head + 68, o->huber_mph);
    putf(head + 72, o->lambda_global);
    putf(head + 76, o->lambda_sensor);
    put32(head + 80, o->irls_iters);
    put32(head + 84, o->max_samples);
    put32(head + 88, o->global_sensors);
    put32(head + 92, flags);
}

fc_status fc_model_get_options(const uint8_t *head, uint32_t horizons, fc_train_options *o, char *msg, size_t cap)
{
    o->horizons = get32(head + 56);
    o->smooth_slots = get32(head + 60);
    o->profile_prior = getf(head + 64);
    o->huber_mph = getf(head + 68);
    o->lambda_global = getf(head + 72);
    o->lambda_sensor = getf(head + 76);
    o->irls_iters = get32(head + 80);
    o->max_samples = get32(head + 84);
    o->global_sensors = get32(head + 88);
    if (o->horizons != horizons || o->smooth_slots > 48 || !(o->profile_prior >= 0 && o->profile_prior < 1e6)) {
        snprintf(msg, cap, "model file: training options out of range");
        return FC_E_FIELD;
    }
    return FC_OK;
}

fc_status fc_model_fail(char *msg, size_t cap, fc_status st, const char *what)
{
    snprintf(msg, cap, "model file: %s", what);
    return st;
}

fc_status fc_model_check_header(const uint8_t *buf, uint32_t header_bytes, uint32_t flags_allowed,
                                const fc_network *net, uint64_t net_hash, char *msg, size_t cap)
{
    if (get32(buf + 12) != header_bytes) return fc_model_fail(msg, cap, FC_E_FIELD, "unexpected header size");
    if (get64(buf + 16) != net_hash || get32(buf + 24) != net->n_sensors || get32(buf + 36) != net->interval_s) {
        snprintf(msg, cap, "model file: trained for another network (%u sensors, %u s), this one has %u sensors, %u s",
                 get32(buf + 24), get32(buf + 36), net->n_sensors, net->interval_s);
        return FC_E_NETWORK_ID;
    }
    uint32_t h = get32(buf + 28), q = get32(buf + 32), rf = get32(buf + 92);
    if (h < 1 || h > FC_MAX_H || q != 86400u / net->interval_s + 1 || get32(buf + 40) != FC_NF ||
        get32(buf + 44) != FC_DAYTYPES || (rf & ~flags_allowed) != FC_REGIMES)
        return fc_model_fail(msg, cap, FC_E_FIELD, "inconsistent dimensions in the header");
    return FC_OK;
}
