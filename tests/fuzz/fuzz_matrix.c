/* fuzz_matrix.c — libFuzzer harness: any bytes as a matrix CSV, read both with and without a
 * header row under small limits. Each parse either fails with a known status, no matrix and a
 * message, or gives a matrix within the limits whose cells are finite or NaN and whose ids are
 * non-empty; written back out (fc_matrix_format) and parsed again, it must come back identical
 * (dimensions, ids, every value bit for bit) and write the same text. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "matrix.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Small enough that no input of -max_len bytes can make the parser allocate much. */
static const fc_matrix_limits k_lim = {.max_rows = 512, .max_cols = 256, .max_cells = 4096, .max_id_len = 32};

static void check_matrix(const fc_matrix *m, int header)
{
    if (m->rows > k_lim.max_rows || m->cols > k_lim.max_cols || m->rows * m->cols > k_lim.max_cells || m->cols == 0)
        abort();
    if (!header && m->rows == 0) abort();
    if ((m->ids != NULL) != (header != 0)) abort();
    for (size_t c = 0; header && c < m->cols; c++) {
        size_t k = strlen(m->ids[c]);
        if (k == 0 || k > k_lim.max_id_len) abort();
    }
    for (size_t i = 0; i < m->rows * m->cols; i++)
        if (isinf(m->v[i])) abort();
}

static int same(const fc_matrix *a, const fc_matrix *b)
{
    if (a->rows != b->rows || a->cols != b->cols || (a->ids == NULL) != (b->ids == NULL)) return 0;
    for (size_t c = 0; a->ids && c < a->cols; c++)
        if (strcmp(a->ids[c], b->ids[c]) != 0) return 0;
    return memcmp(a->v, b->v, a->rows * a->cols * sizeof(float)) == 0;
}

static char *format(const fc_matrix *m, size_t *len)
{
    *len = fc_matrix_format(m, NULL, 0);
    char *text = malloc(*len + 1);
    if (!text || fc_matrix_format(m, text, *len + 1) != *len || strlen(text) != *len) abort();
    return text;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    for (int header = 0; header < 2; header++) {
        char msg[160];
        fc_matrix *m = (fc_matrix *)&k_lim; /* must be overwritten either way */
        fc_status st = fc_matrix_parse((const char *)data, size, header, &k_lim, &m, msg, sizeof msg);
        if (st != FC_OK) {
            if (m != NULL || msg[0] == '\0' || strlen(msg) >= sizeof msg) abort();
            if (st != FC_E_FIELD && st != FC_E_RANGE && st != FC_E_TOO_LARGE && st != FC_E_ENCODING) abort();
            continue;
        }
        check_matrix(m, header);
        size_t len, len2;
        char *text = format(m, &len);
        fc_matrix *again = NULL;
        if (fc_matrix_parse(text, len, header, &k_lim, &again, msg, sizeof msg) != FC_OK) {
            fprintf(stderr, "the written matrix does not read back: %s\n", msg);
            abort();
        }
        if (!same(m, again)) abort();
        char *text2 = format(again, &len2);
        if (len2 != len || memcmp(text, text2, len) != 0) abort();
        free(text);
        free(text2);
        fc_matrix_free(again);
        fc_matrix_free(m);
    }
    return 0;
}
