/* status.c — texts for fc_status codes. Kept in one table so that the C API, the wasm exports
 * and the JavaScript wrapper all report the same words for the same failure. */
#include "status.h"
#include <stdio.h>

static const char *const k_names[FC_STATUS_COUNT] = {
    "OK", "E_NOMEM", "E_ARG", "E_STATE", "E_TOO_LARGE", "E_ENCODING", "E_JSON", "E_SCHEMA",
    "E_NETWORK_ID", "E_FIELD", "E_TIMESTAMP", "E_TS_ORDER", "E_TS_AHEAD", "E_NETWORK",
    "E_TIMEZONE", "E_NOT_FOUND", "E_RANGE", "E_UNSUPPORTED", "E_GAP",
};

static const char *const k_texts[FC_STATUS_COUNT] = {
    "ok",
    "out of memory",
    "invalid argument",
    "operation not valid in the engine's current state",
    "payload larger than the configured limit",
    "invalid UTF-8 or raw control byte",
    "malformed JSON",
    "missing or unsupported schema version",
    "snapshot is for another network",
    "missing, duplicated or mistyped field",
    "missing or invalid timestamp",
    "timestamp not newer than the last committed snapshot",
    "timestamp too far ahead of the last committed snapshot",
    "invalid network document",
    "unknown or invalid time zone",
    "not found",
    "value out of range",
    "input outside what the selected parser decides",
    "no evidence to forecast from at a station on the way",
};

const char *fc_strerror(fc_status status)
{
    if ((unsigned)status >= FC_STATUS_COUNT) return "unknown status code";
    return k_texts[status];
}

const char *fc_status_name(fc_status status)
{
    if ((unsigned)status >= FC_STATUS_COUNT) return "E_UNKNOWN";
    return k_names[status];
}

const char *fc_version(void) { return FC_VERSION; }

fc_status fc_vfail(char *msg, size_t cap, fc_status st, const char *fmt, va_list ap)
{
    if (cap) vsnprintf(msg, cap, fmt, ap);
    return st;
}

fc_status fc_fail(char *msg, size_t cap, fc_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fc_vfail(msg, cap, st, fmt, ap);
    va_end(ap);
    return st;
}
