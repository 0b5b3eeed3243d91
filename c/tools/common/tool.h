/* tool.h — helpers shared by the native command-line tools (not part of the engine). */
#ifndef FC_TOOL_H
#define FC_TOOL_H
#include <stddef.h>
#include "matrix.h"

/* Names the tool in messages ("flowcast-eval"). */
void fc_tool_set_name(const char *name);
/* Prints "<tool>: message" to stderr and exits with status 2. */
void fc_tool_die(const char *fmt, ...);
/* Reads a whole file (NUL-terminated, length in *len); the caller frees it. The first returns
 * NULL with errno set on failure, the second dies with a message. */
char *fc_tool_try_read_file(const char *path, size_t *len);
char *fc_tool_read_file(const char *path, size_t *len);

/* A plain decimal number (no hex, inf or nan spellings, nothing after it): 1 and *out, or 0. */
int fc_tool_parse_number(const char *text, double *out);
/* Writes text and a newline to path.tmp, then renames it to path: a failed run leaves no file
 * that looks finished. Dies with a message on failure. */
void fc_tool_write_atomic(const char *path, const char *text);

/* Reads a matrix CSV (c/src/matrix.h, default limits); dies with the parser's message. */
fc_matrix *fc_tool_read_csv(const char *path, int header);

#endif
