/* ingest_fast.h — the schema-specialised snapshot parser: one pass over the bytes, no
 * allocation, no tree, writing straight into the fc_stage through the rules every parser shares
 * (ingest.h). It understands a strict, common subset of JSON; for anything outside it returns
 * FC_E_UNSUPPORTED ("fall back") and the engine runs the cJSON reference path instead.
 *
 * The contract: for every input, the fast path either returns FC_E_UNSUPPORTED or returns
 * exactly the status, message and staged state that fc_ingest_parse_cjson() would. It only
 * rejects (FC_E_*) after the whole document has parsed, so every rejection it gives is one of
 * the shared rule checks (size, top-level fields, timestamp order), never a syntax verdict.
 */
#ifndef FC_INGEST_FAST_H
#define FC_INGEST_FAST_H
#include "ingest.h"

/* Parses a snapshot into st (reset first). FC_E_UNSUPPORTED means: not decided, use cJSON;
 * msg then says where the fast path stopped. */
fc_status fc_ingest_parse_fast(const fc_ingest_limits *lim, const char *json, size_t len,
                               fc_stage *st, char *msg, size_t msg_cap);

/* The fast path's number conversion, for tests: parses a strict RFC 8259 number at s (len
 * bytes available) into *out. Returns the bytes consumed, or 0 when the text is not a strict
 * number or its value cannot be proven correctly rounded here (the caller falls back). */
size_t fc_fast_number(const char *s, size_t len, double *out);

/* strtod for cJSON: every build compiles cJSON.c with -Dstrtod=fc_cjson_strtod (c/Makefile), so
 * the reference parser's numbers go through here. Text that is not exactly one RFC 8259 number
 * is refused (nothing consumed: cJSON's parse fails there, and fc_json_parse says why); a strict
 * number gets strtod's value and end, through the fast conversion when it can prove the answer
 * (in wasm musl's strtod works in software-emulated binary128 and was a third of the cJSON
 * path's time, PERFORMANCE.md §16). */
double fc_cjson_strtod(const char *s, char **end);

#endif
