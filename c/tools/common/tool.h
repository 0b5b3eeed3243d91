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

/* Reads a matrix CSV (c/src/matrix.h, default limits); dies with the parser's message. */
fc_matrix *fc_tool_read_csv(const char *path, int header);

#endif
