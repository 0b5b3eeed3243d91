/* tool.h — helpers shared by the native command-line tools (not part of the engine). */
#ifndef FC_TOOL_H
#define FC_TOOL_H
#include <stddef.h>

/* Names the tool in messages ("flowcast-eval"). */
void fc_tool_set_name(const char *name);
/* Prints "<tool>: message" to stderr and exits with status 2. */
void fc_tool_die(const char *fmt, ...);
/* Reads a whole file (NUL-terminated, length in *len); dies with a message on failure. */
char *fc_tool_read_file(const char *path, size_t *len);

/* A numeric matrix from CSV: optional header row of ids; empty or NaN cells are NaN. */
typedef struct fc_matrix {
    size_t rows, cols;
    float *v;     /* rows x cols, row-major */
    char **ids;   /* header ids (pointing into the file's text), or NULL */
} fc_matrix;
fc_matrix fc_tool_read_csv(const char *path, int header);

#endif
