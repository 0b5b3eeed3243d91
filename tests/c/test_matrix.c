/* test_matrix.c — the matrix-CSV parser (c/src/matrix.c): the accepted dialect (BOM, CRLF, blank
 * lines, quoted ids, missing cells), every refusal with its code and message, the limits, and
 * the writer's round trip. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "matrix.h"
#include "test.h"

/* Parses text under lim (NULL: defaults), expecting status `want` and a message containing
 * msg_part; returns the matrix on FC_OK (the caller frees it). */
static fc_matrix *parse_lim(const char *text, int header, const fc_matrix_limits *lim, fc_status want, const char *msg_part)
{
    char msg[200];
    fc_matrix *m = (fc_matrix *)1;
    fc_status st = fc_matrix_parse(text, strlen(text), header, lim, &m, msg, sizeof msg);
    CHECK_STATUS(st, want);
    if (st != want) printf("#   input \"%s\": %s\n", text, msg);
    CHECK_CONTAINS(msg, msg_part);
    CHECK((m != NULL) == (st == FC_OK));
    return st ? NULL : m;
}

static fc_matrix *parse(const char *text, int header, fc_status want, const char *msg_part)
{
    return parse_lim(text, header, NULL, want, msg_part);
}

typedef struct csv_case {
    const char *text;
    int header;
    fc_status want;
    const char *msg;
} csv_case;

void test_matrix_parse(void)
{
    fc_matrix *m = parse("\xEF\xBB\xBF" "a,b,c\r\n1,2.5,-3e2\r\n\r\n ,NaN,\t7 \r\nnan,1e-3,+0.5\r\n", 1, FC_OK, "");
    if (m) {
        CHECK_EQ_INT(m->rows, 3);
        CHECK_EQ_INT(m->cols, 3);
        CHECK(strcmp(m->ids[0], "a") == 0 && strcmp(m->ids[2], "c") == 0);
        CHECK(m->v[0] == 1 && m->v[1] == 2.5f && m->v[2] == -300);
        CHECK(isnan(m->v[3]) && isnan(m->v[4]) && m->v[5] == 7);
        CHECK(isnan(m->v[6]) && m->v[7] == 1e-3f && m->v[8] == 0.5f);
        fc_matrix_free(m);
    }
    /* quoted ids hold commas and quotes; ids are otherwise kept byte for byte */
    m = parse("\"x,1\",\"say \"\"hi\"\"\", sp ,caf\xC3\xA9\n1,2,3,4", 1, FC_OK, "");
    if (m) {
        CHECK(strcmp(m->ids[0], "x,1") == 0 && strcmp(m->ids[1], "say \"hi\"") == 0);
        CHECK(strcmp(m->ids[2], " sp ") == 0 && strcmp(m->ids[3], "caf\xC3\xA9") == 0);
        fc_matrix_free(m);
    }
    /* headerless: the first row sets the width; lone CR ends a line; a header-only file has 0 rows */
    m = parse("1,2\r3,4\n\n5,6", 0, FC_OK, "");
    if (m) {
        CHECK(m->rows == 3 && m->cols == 2 && m->ids == NULL && m->v[5] == 6);
        fc_matrix_free(m);
    }
    m = parse("s1,s2\n", 1, FC_OK, "");
    if (m) {
        CHECK(m->rows == 0 && m->cols == 2);
        fc_matrix_free(m);
    }
    /* the text need not end with NUL: nothing past len is read */
    char buf[8] = {'1', ',', '2', '\n', '3', ',', '4', '5'};
    char msg[100];
    CHECK_STATUS(fc_matrix_parse(buf, 7, 0, NULL, &m, msg, sizeof msg), FC_OK);
    if (m) {
        CHECK(m->rows == 2 && m->v[3] == 4);
        fc_matrix_free(m);
    }
    CHECK_STATUS(fc_matrix_parse(NULL, 0, 0, NULL, NULL, msg, sizeof msg), FC_E_ARG);
}

void test_matrix_invalid(void)
{
    static const csv_case cases[] = {
        {"", 1, FC_E_FIELD, "no header line"},
        {"", 0, FC_E_FIELD, "no rows"},
        {"\n\r\n\n", 0, FC_E_FIELD, "no rows"},
        {"a,b\n1,2\n3\n", 1, FC_E_FIELD, "line 3: 1 cells, expected 2"},
        {"a,b\n1,2,3\n", 1, FC_E_FIELD, "line 2: more than 2 cells"},
        {"1,2\n3,4,\n", 0, FC_E_FIELD, "line 2: more than 2 cells"},
        {"a\n12abc\n", 1, FC_E_FIELD, "line 2, column 1: not a number"},
        {"1,1.2.3", 0, FC_E_FIELD, "column 2: not a number"},
        {"1e", 0, FC_E_FIELD, "not a number"},
        {".", 0, FC_E_FIELD, "not a number"},
        {"-", 0, FC_E_FIELD, "not a number"},
        {"inf", 0, FC_E_FIELD, "not a number"},
        {"-Infinity", 0, FC_E_FIELD, "not a number"},
        {"0x10", 0, FC_E_FIELD, "not a number"},
        {"1 2", 0, FC_E_FIELD, "not a number"},
        {"\"1\"", 0, FC_E_FIELD, "not a number"},
        {"1e39", 0, FC_E_RANGE, "1e39 is beyond the float range"},
        {"-340282357000000000000000000000000000000", 0, FC_E_RANGE, "beyond the float range"},
        {"0.0000000000000000000000000000000000000000000000000000000000000001", 0, FC_E_RANGE, "longer than 64"},
        {"a,\"b\n1,2", 1, FC_E_FIELD, "line 1, column 2: unterminated quoted id"},
        {"\"a\"x,b\n1,2", 1, FC_E_FIELD, "text after a quoted id"},
        {"a\"b\n1", 1, FC_E_FIELD, "a quote inside an unquoted id"},
        {"a,,b\n1,2,3", 1, FC_E_FIELD, "line 1, column 2: empty id"},
        {"a,b,\n1,2,3", 1, FC_E_FIELD, "column 3: empty id"},
        {"\n1", 1, FC_E_FIELD, "line 1, column 1: empty id"},
        {"a,b,a\n1,2,3", 1, FC_E_FIELD, "columns 1 and 3 have the same id"},
        {"a,\xC3\x28\n1,2", 1, FC_E_ENCODING, "column 2: id is not valid UTF-8"},
        {"a,\x01\n1,2", 1, FC_E_ENCODING, "not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fc_matrix_free(parse(cases[i].text, cases[i].header, cases[i].want, cases[i].msg));
    /* a NUL byte anywhere, even after the last line */
    char msg[100];
    fc_matrix *m = (fc_matrix *)1;
    CHECK_STATUS(fc_matrix_parse("a\n1\n\0", 5, 1, NULL, &m, msg, sizeof msg), FC_E_ENCODING);
    CHECK_CONTAINS(msg, "byte 5: a NUL byte");
    CHECK(m == NULL);
}

void test_matrix_limits(void)
{
    fc_matrix_limits lim = {.max_rows = 2, .max_cols = 3, .max_cells = 4, .max_id_len = 3};
    char msg[100];
    fc_matrix *m;
    static const csv_case cases[] = {
        {"1\n2\n3\n", 0, FC_E_TOO_LARGE, "more than 2 rows"},
        {"1,2,3,4\n", 0, FC_E_TOO_LARGE, "line 1: more than 3 columns"},
        {"a,b,c,d\n", 1, FC_E_TOO_LARGE, "line 1: more than 3 columns"},
        {"1,2,3\n4,5,6\n", 0, FC_E_TOO_LARGE, "2 rows x 3 columns: more than 4 cells"},
        {"abcd\n1\n", 1, FC_E_TOO_LARGE, "column 1: id longer than 3 bytes"},
        {"abc,\"a\"\"b\"\n1,2\n3,4\n", 1, FC_OK, ""}, /* exactly at every limit ("" counts as one byte) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fc_matrix_free(parse_lim(cases[i].text, cases[i].header, &lim, cases[i].want, cases[i].msg));
    /* limits beyond what size_t can hold in bytes are clamped, not trusted */
    fc_matrix_limits huge = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX};
    CHECK_STATUS(fc_matrix_parse("1,2\n3,4", 7, 0, &huge, &m, msg, sizeof msg), FC_OK);
    fc_matrix_free(m);
    fc_matrix_limits dflt;
    fc_matrix_limits_default(&dflt);
    CHECK(dflt.max_cells <= SIZE_MAX / sizeof(float) && dflt.max_cols >= 325 && dflt.max_rows >= 52116);
}

void test_matrix_format(void)
{
    const char *text = "\"a,b\",\"q\"\"\",\xEF\xBB\xBFz\n1e-45,-0,3.40282347e38\n0.1,,NaN\n";
    char msg[100];
    fc_matrix *a = NULL, *b = NULL;
    CHECK_STATUS(fc_matrix_parse(text, strlen(text), 1, NULL, &a, msg, sizeof msg), FC_OK);
    if (!a) return;
    size_t need = fc_matrix_format(a, NULL, 0);
    char *out = malloc(need + 1);
    CHECK_EQ_INT(fc_matrix_format(a, out, need + 1), need);
    CHECK(strcmp(out, "\"a,b\",\"q\"\"\",\"\xEF\xBB\xBFz\"\n1.40129846e-45,-0,3.40282347e+38\n0.100000001,NaN,NaN\n") == 0);
    CHECK_STATUS(fc_matrix_parse(out, need, 1, NULL, &b, msg, sizeof msg), FC_OK);
    if (b) {
        CHECK(b->rows == a->rows && b->cols == a->cols);
        CHECK(memcmp(a->v, b->v, a->rows * a->cols * sizeof(float)) == 0);
        for (size_t c = 0; c < a->cols; c++) CHECK(strcmp(a->ids[c], b->ids[c]) == 0);
    }
    /* a short buffer gets a truncated, terminated prefix; the return value is still the need */
    char small[6];
    CHECK_EQ_INT(fc_matrix_format(a, small, sizeof small), need);
    CHECK(strcmp(small, "\"a,b\"") == 0);
    free(out);
    fc_matrix_free(a);
    fc_matrix_free(b);
}
