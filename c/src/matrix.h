/* matrix.h — the matrix-CSV format of research datasets (docs/FORMATS.md, "Matrix CSV"): an
 * optional header row of sensor ids, then rows of numbers, empty or NaN cells missing. The parser
 * takes untrusted bytes (not NUL-terminated) and either returns a matrix whose every cell is a
 * finite float or NaN, or an error code with a message naming the line and column. Limits bound
 * what a file can make us allocate before any allocation happens. */
#ifndef FC_MATRIX_H
#define FC_MATRIX_H
#include <stddef.h>
#include "flowcast.h"

typedef struct fc_matrix {
    size_t rows, cols;
    float *v;   /* rows x cols, row-major; NaN = missing */
    char **ids; /* cols NUL-terminated header ids (owned by the matrix), or NULL without header */
} fc_matrix;

typedef struct fc_matrix_limits {
    size_t max_rows, max_cols;
    size_t max_cells;  /* rows x cols */
    size_t max_id_len; /* bytes of one header id */
} fc_matrix_limits;

/* Limits for real datasets: PEMS-BAY (325 sensors x 52,116 rows) fits with room to spare. */
void fc_matrix_limits_default(fc_matrix_limits *lim);

/* Parses len bytes of matrix CSV; `header` says whether the first line holds the ids. lim NULL
 * means the defaults. Accepted: a UTF-8 byte-order mark, LF, CRLF or CR line ends, blank lines
 * (skipped), spaces and tabs around numbers, ids quoted with "..." ("" for a quote, so ids may
 * hold commas). Rejected: NUL bytes, invalid UTF-8 in ids, empty or duplicate ids, ragged rows,
 * cells that are not decimal numbers (FC_E_FIELD), numbers beyond the float range or longer than
 * 64 characters, Inf (FC_E_RANGE), sizes over the limits (FC_E_TOO_LARGE). A headerless input
 * needs at least one row. On FC_OK *out is a new matrix the caller frees with fc_matrix_free();
 * otherwise *out is NULL and msg (when msg_cap > 0) says what and where. */
fc_status fc_matrix_parse(const char *text, size_t len, int header, const fc_matrix_limits *lim,
                          fc_matrix **out, char *msg, size_t msg_cap);
void fc_matrix_free(fc_matrix *m);

/* Writes m as matrix CSV (LF line ends, ids quoted when needed, numbers with 9 significant
 * digits so that every float reads back identical, missing cells as NaN) into buf when it fits
 * in cap bytes, with a terminating NUL. Returns the length without the NUL, whatever cap is. */
size_t fc_matrix_format(const fc_matrix *m, char *buf, size_t cap);

#endif
