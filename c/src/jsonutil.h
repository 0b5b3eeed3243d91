/* jsonutil.h — small helpers over cJSON trees shared by the network loader and the snapshot
 * ingest: member lookup that notices duplicated keys, and typed field checks. */
#ifndef FC_JSONUTIL_H
#define FC_JSONUTIL_H
#include "cJSON.h"

/* Parses exactly one RFC 8259 JSON value filling all len bytes (whitespace may follow it);
 * cJSON alone would accept "{...} garbage", and numbers such as 05, 5. or -.5 (refused in
 * fc_cjson_strtod, ingest_fast.c). Returns the tree (caller frees with cJSON_Delete) or NULL
 * with the byte offset of the error in *err_offset and, in why[why_cap], "" or the problem at
 * that offset starting with ": " (for a message "malformed JSON near offset N<why>"). */
cJSON *fc_json_parse(const char *json, size_t len, size_t *err_offset, char *why, size_t why_cap);

/* For fc_cjson_strtod only: the number text cJSON handed it (len bytes) is not exactly one
 * RFC 8259 number, so the parse fails there; fc_json_parse then names it. Like cJSON's own
 * error position, this is per-process state: parse on one thread at a time. */
void fc_json_note_bad_number(const char *text, size_t len);

/* Looks up each of names[0..n-1] (n <= 32) among obj's members in one pass over the members;
 * found[i] is the member or NULL. Unknown members are ignored. Returns -1, or the index of the
 * first name that occurs more than once. */
int fc_json_members(const cJSON *obj, const char *const *names, int n, const cJSON **found);

/* A number member that is finite (cJSON turns 1e999 into inf). */
int fc_json_is_finite_number(const cJSON *v);
/* A finite number with an integral value in [lo, hi]. */
int fc_json_is_int_in(const cJSON *v, double lo, double hi);
/* A string of 1..max_len bytes whose characters are all in [A-Za-z0-9._:-]. */
int fc_json_is_id(const cJSON *v, size_t max_len);
/* A string of 1..max_len bytes (any UTF-8; the input was validated before parsing). */
int fc_json_is_text(const cJSON *v, size_t max_len);
/* Display text: 1..max_len bytes without control characters once JSON escapes are decoded
 * (the document-level UTF-8 check sees only the escaped form, "\u0001"; cJSON itself refuses
 * lone surrogates, so decoded text is valid UTF-8 already). */
int fc_json_is_display_text(const cJSON *v, size_t max_len);

#endif
