/* jsonutil.c — see jsonutil.h. */
#include "jsonutil.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The number fc_cjson_strtod refused during the current fc_json_parse (first 24 bytes). */
static struct {
    int noted;
    size_t len;
    char text[25];
} bad_number;

void fc_json_note_bad_number(const char *text, size_t len)
{
    if (bad_number.noted) return; /* the first one is where the parse stops */
    bad_number.noted = 1;
    bad_number.len = len;
    size_t n = len < sizeof bad_number.text - 1 ? len : sizeof bad_number.text - 1;
    memcpy(bad_number.text, text, n);
    bad_number.text[n] = '\0';
}

cJSON *fc_json_parse(const char *json, size_t len, size_t *err_offset, char *why, size_t why_cap)
{
    const char *end = NULL;
    if (why_cap) why[0] = '\0';
    bad_number.noted = 0;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        *err_offset = at && at >= json && at <= json + len ? (size_t)(at - json) : len;
        /* the text is only [0-9+-.eE] (what cJSON collects for a number): safe to echo */
        if (bad_number.noted && why_cap)
            snprintf(why, why_cap, ": %s%s is not an RFC 8259 number (no leading zeros; digits before "
                     "and after '.' and after 'e')", bad_number.text,
                     bad_number.len >= sizeof bad_number.text ? "..." : "");
        return NULL;
    }
    const char *stop = json + len;
    while (end < stop && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) end++;
    if (end != stop) {
        cJSON_Delete(root);
        *err_offset = (size_t)(end - json);
        return NULL;
    }
    return root;
}

int fc_json_members(const cJSON *obj, const char *const *names, int n, const cJSON **found)
{
    for (int i = 0; i < n; i++) found[i] = NULL;
    for (const cJSON *m = obj->child; m; m = m->next) {
        if (!m->string) continue;
        for (int i = 0; i < n; i++) {
            if (strcmp(m->string, names[i]) != 0) continue;
            if (found[i]) return i;
            found[i] = m;
            break;
        }
    }
    return -1;
}

int fc_json_is_finite_number(const cJSON *v)
{
    return v && cJSON_IsNumber(v) && isfinite(v->valuedouble);
}

int fc_json_is_int_in(const cJSON *v, double lo, double hi)
{
    if (!fc_json_is_finite_number(v)) return 0;
    double d = v->valuedouble;
    return d == floor(d) && d >= lo && d <= hi;
}

int fc_json_is_id(const cJSON *v, size_t max_len)
{
    if (!v || !cJSON_IsString(v) || !v->valuestring) return 0;
    size_t len = 0;
    for (const char *p = v->valuestring; *p; p++, len++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok || len >= max_len) return 0;
    }
    return len > 0;
}

int fc_json_is_text(const cJSON *v, size_t max_len)
{
    if (!v || !cJSON_IsString(v) || !v->valuestring) return 0;
    size_t len = strlen(v->valuestring);
    return len > 0 && len <= max_len;
}

int fc_json_is_display_text(const cJSON *v, size_t max_len)
{
    if (!fc_json_is_text(v, max_len)) return 0;
    for (const unsigned char *s = (const unsigned char *)v->valuestring; *s; s++)
        if (*s < 0x20 || *s == 0x7f) return 0;
    return 1;
}
