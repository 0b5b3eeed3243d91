/* matrix.c — matrix-CSV parser and writer (contract in matrix.h).
 *
 * The parser reads the input twice. The first pass finds the lines, counts the data rows and the
 * columns and checks them against the limits, so the one allocation of the values is exact and
 * bounded before it happens; the second pass fills it. It never reads past `len` (the text need
 * not be NUL-terminated: a number is copied into a small buffer before strtof sees it), and every
 * cell it stores is finite or NaN. */
#include "matrix.h"
#include "status.h"
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "utf8.h"
#include "ingest_fast.h"
#include <float.h>

/* A decimal number longer than this is either absurd precision or a padding attack: float has
 * 9 significant digits, and 64 characters leave room for signs, zeros and an exponent. */
#define MAX_NUMBER_LEN 64

void fc_matrix_limits_default(fc_matrix_limits *lim)
{
    lim->max_rows = (size_t)1 << 22;  /* 4 M rows: 40 years of 5-minute intervals */
    lim->max_cols = (size_t)1 << 16;  /* 65,536 sensors */
    lim->max_cells = (size_t)1 << 27; /* 512 MB of floats; also fits a 32-bit (wasm) size_t */
    lim->max_id_len = 256;
}

/* One physical line: [start, start + len) without its terminator (LF, CRLF or a lone CR). */
typedef struct line_iter {
    const char *s;
    size_t len, pos, number; /* number: 1-based line number of the line last returned */
} line_iter;

static int next_line(line_iter *it, const char **line, size_t *n)
{
    if (it->pos >= it->len) return 0;
    size_t a = it->pos, b = a;
    while (b < it->len && it->s[b] != '\n' && it->s[b] != '\r') b++;
    *line = it->s + a;
    *n = b - a;
    if (b < it->len && it->s[b] == '\r') b++;
    if (b < it->len && it->s[b] == '\n') b++;
    it->pos = b;
    it->number++;
    return 1;
}

/* Header ids: reads the field at *pos (quoted or not), copying its bytes to out when out is
 * non-NULL; *id_len gets its length. Leaves *pos after the field's comma (*more = 1: another
 * field follows, perhaps empty) or at n (*more = 0). */
static fc_status header_field(const char *line, size_t n, size_t *pos, char *out, size_t *id_len, int *more,
                              size_t lineno, size_t col, char *msg, size_t cap)
{
    size_t p = *pos, k = 0;
    if (p < n && line[p] == '"') {
        for (p++;; p++) {
            if (p >= n) return fc_fail(msg, cap, FC_E_FIELD, "line %zu, column %zu: unterminated quoted id", lineno, col);
            if (line[p] == '"') {
                if (p + 1 < n && line[p + 1] == '"') p++;
                else break;
            }
            if (out) out[k] = line[p];
            k++;
        }
        p++;
        if (p < n && line[p] != ',')
            return fc_fail(msg, cap, FC_E_FIELD, "line %zu, column %zu: text after a quoted id", lineno, col);
    } else {
        for (; p < n && line[p] != ','; p++, k++) {
            if (line[p] == '"')
                return fc_fail(msg, cap, FC_E_FIELD, "line %zu, column %zu: a quote inside an unquoted id", lineno, col);
            if (out) out[k] = line[p];
        }
    }
    *more = p < n;
    *pos = p + (size_t)*more;
    *id_len = k;
    return FC_OK;
}

/* First pass over the header: counts and checks the ids, sums their bytes. */
static fc_status header_scan(const char *line, size_t n, size_t lineno, const fc_matrix_limits *lim, size_t *cols,
                             size_t *bytes, char *msg, size_t cap)
{
    size_t pos = 0, c = 0, total = 0;
    int more;
    do {
        size_t start = pos, k;
        fc_status st = header_field(line, n, &pos, NULL, &k, &more, lineno, c + 1, msg, cap);
        if (st) return st;
        if (k == 0) return fc_fail(msg, cap, FC_E_FIELD, "line %zu, column %zu: empty id", lineno, c + 1);
        if (k > lim->max_id_len)
            return fc_fail(msg, cap, FC_E_TOO_LARGE, "line %zu, column %zu: id longer than %zu bytes", lineno, c + 1,
                        lim->max_id_len);
        /* "" inside quotes is ASCII, so checking the raw field checks the id */
        size_t span = pos - (size_t)more - start;
        if (fc_utf8_check((const unsigned char *)line + start, span) != span)
            return fc_fail(msg, cap, FC_E_ENCODING, "line %zu, column %zu: id is not valid UTF-8 text", lineno, c + 1);
        if (++c > lim->max_cols)
            return fc_fail(msg, cap, FC_E_TOO_LARGE, "line %zu: more than %zu columns", lineno, lim->max_cols);
        total += k + 1;
    } while (more);
    *cols = c;
    *bytes = total;
    return FC_OK;
}

static int cmp_ids(const void *a, const void *b) { return strcmp(**(char *const *const *)a, **(char *const *const *)b); }

/* Second pass: stores the ids (one block after the pointer array) and refuses duplicates. */
static fc_status header_store(fc_matrix *m, const char *line, size_t n, size_t lineno, size_t bytes, char *msg,
                              size_t cap)
{
    m->ids = malloc(m->cols * sizeof(char *) + bytes);
    char ***order = malloc(m->cols * sizeof(char **));
    if (!m->ids || !order) {
        free(order);
        return fc_fail(msg, cap, FC_E_NOMEM, "out of memory for %zu header ids", m->cols);
    }
    char *dst = (char *)(m->ids + m->cols);
    size_t pos = 0;
    for (size_t c = 0; c < m->cols; c++) {
        size_t k;
        int more;
        header_field(line, n, &pos, dst, &k, &more, lineno, c + 1, NULL, 0); /* checked by header_scan */
        dst[k] = '\0';
        m->ids[c] = dst;
        order[c] = &m->ids[c];
        dst += k + 1;
    }
    qsort(order, m->cols, sizeof *order, cmp_ids);
    fc_status st = FC_OK;
    for (size_t i = 1; i < m->cols && !st; i++) {
        if (strcmp(*order[i - 1], *order[i]) == 0) {
            size_t a = (size_t)(order[i - 1] - m->ids) + 1, b = (size_t)(order[i] - m->ids) + 1;
            st = fc_fail(msg, cap, FC_E_FIELD, "line %zu: columns %zu and %zu have the same id", lineno, a < b ? a : b,
                      a < b ? b : a);
        }
    }
    free(order);
    return st;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* One data cell, already trimmed: empty or NaN (any case) is missing, otherwise a decimal number
 * [+-]digits[.digits][e[+-]digits] that fits in a float. */
/* strtof's answer without strtof where that is provable: musl's strtof works in software
 * binary128 in wasm, which made a 40 MB matrix take seconds. The fast path's correctly rounded
 * double (ingest_fast.h) rounds to the same float as the exact decimal unless it landed exactly
 * on the midpoint between two floats (rounding to double never crosses one, as midpoints are
 * doubles); that case, zero, subnormals and overflow are left to strtof. 1 when *out is set. */
static int to_float_fast(const char *p, size_t n, float *out)
{
    double d;
    if (fc_fast_number(p, n, &d) != n || d == 0 || !(fabs(d) >= FLT_MIN && fabs(d) <= FLT_MAX)) return 0;
    float f = (float)d;
    if ((double)f != d) {
        float g = nextafterf(f, d > (double)f ? INFINITY : -INFINITY);
        if (d == ((double)f + (double)g) / 2) return 0;
    }
    *out = f;
    return 1;
}

static fc_status parse_cell(const char *p, size_t n, float *out, size_t lineno, size_t col, char *msg, size_t cap)
{
    if (n == 0 || (n == 3 && (p[0] | 32) == 'n' && (p[1] | 32) == 'a' && (p[2] | 32) == 'n')) {
        *out = NAN;
        return FC_OK;
    }
    size_t i = 0, digits = 0;
    if (p[i] == '+' || p[i] == '-') i++;
    while (i < n && is_digit(p[i])) i++, digits++;
    if (i < n && p[i] == '.')
        for (i++; i < n && is_digit(p[i]);) i++, digits++;
    if (digits && i < n && (p[i] == 'e' || p[i] == 'E')) {
        size_t e = ++i;
        if (i < n && (p[i] == '+' || p[i] == '-')) e = ++i;
        while (i < n && is_digit(p[i])) i++;
        if (i == e) digits = 0;
    }
    if (!digits || i != n) return fc_fail(msg, cap, FC_E_FIELD, "line %zu, column %zu: not a number", lineno, col);
    if (n > MAX_NUMBER_LEN)
        return fc_fail(msg, cap, FC_E_RANGE, "line %zu, column %zu: number longer than %d characters", lineno, col,
                    MAX_NUMBER_LEN);
    char buf[MAX_NUMBER_LEN + 1];
    memcpy(buf, p, n);
    buf[n] = '\0';
    float x;
    if (!to_float_fast(p, n, &x)) x = strtof(buf, NULL);
    if (isinf(x)) return fc_fail(msg, cap, FC_E_RANGE, "line %zu, column %zu: %s is beyond the float range", lineno, col, buf);
    *out = x;
    return FC_OK;
}

/* Counts the cells of a data line (commas + 1). */
static size_t count_cells(const char *line, size_t n)
{
    size_t c = 1;
    for (const char *q = line; (q = memchr(q, ',', (size_t)(line + n - q))) != NULL; q++) c++;
    return c;
}

static fc_status parse_row(const char *line, size_t n, float *row, size_t cols, size_t lineno, char *msg, size_t cap)
{
    size_t col = 0, pos = 0;
    for (;;) {
        size_t a = pos, b;
        while (pos < n && line[pos] != ',') pos++;
        b = pos;
        if (col == cols) return fc_fail(msg, cap, FC_E_FIELD, "line %zu: more than %zu cells", lineno, cols);
        while (a < b && (line[a] == ' ' || line[a] == '\t')) a++;
        while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t')) b--;
        fc_status st = parse_cell(line + a, b - a, &row[col], lineno, col + 1, msg, cap);
        if (st) return st;
        col++;
        if (pos == n) break;
        pos++; /* the comma: a cell follows, possibly empty */
    }
    if (col != cols) return fc_fail(msg, cap, FC_E_FIELD, "line %zu: %zu cells, expected %zu", lineno, col, cols);
    return FC_OK;
}

fc_status fc_matrix_parse(const char *text, size_t len, int header, const fc_matrix_limits *lim, fc_matrix **out,
                          char *msg, size_t msg_cap)
{
    if (msg_cap) msg[0] = '\0';
    if (!out || (!text && len)) return fc_fail(msg, msg_cap, FC_E_ARG, "no output pointer or no text");
    *out = NULL;
    fc_matrix_limits dflt;
    if (!lim) fc_matrix_limits_default(&dflt), lim = &dflt;
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul) return fc_fail(msg, msg_cap, FC_E_ENCODING, "byte %zu: a NUL byte", (size_t)(nul - text) + 1);
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    line_iter it = {text + skip, len - skip, 0, 0};
    const char *line, *head = NULL;
    size_t n, head_n = 0, head_no = 0, cols = 0, id_bytes = 0, rows = 0;
    fc_status st;
    if (header) {
        if (!next_line(&it, &head, &head_n)) return fc_fail(msg, msg_cap, FC_E_FIELD, "no header line");
        head_no = it.number;
        if ((st = header_scan(head, head_n, head_no, lim, &cols, &id_bytes, msg, msg_cap))) return st;
    }
    line_iter body = it;
    while (next_line(&it, &line, &n)) {
        if (n == 0) continue; /* blank lines separate nothing */
        if (!cols) {
            cols = count_cells(line, n);
            if (cols > lim->max_cols)
                return fc_fail(msg, msg_cap, FC_E_TOO_LARGE, "line %zu: more than %zu columns", it.number, lim->max_cols);
        }
        if (++rows > lim->max_rows)
            return fc_fail(msg, msg_cap, FC_E_TOO_LARGE, "more than %zu rows", lim->max_rows);
    }
    if (!header && !rows) return fc_fail(msg, msg_cap, FC_E_FIELD, "no rows");
    size_t max_cells = lim->max_cells < SIZE_MAX / sizeof(float) ? lim->max_cells : SIZE_MAX / sizeof(float);
    if (rows > max_cells / cols)
        return fc_fail(msg, msg_cap, FC_E_TOO_LARGE, "%zu rows x %zu columns: more than %zu cells", rows, cols, max_cells);

    fc_matrix *m = calloc(1, sizeof *m);
    if (!m) return fc_fail(msg, msg_cap, FC_E_NOMEM, "out of memory");
    m->rows = rows;
    m->cols = cols;
    m->v = malloc(rows ? rows * cols * sizeof(float) : 1);
    if (!m->v) st = fc_fail(msg, msg_cap, FC_E_NOMEM, "out of memory for %zu x %zu values", rows, cols);
    else if (header) st = header_store(m, head, head_n, head_no, id_bytes, msg, msg_cap);
    for (size_t r = 0; !st && next_line(&body, &line, &n);)
        if (n) st = parse_row(line, n, m->v + r++ * cols, cols, body.number, msg, msg_cap);
    if (st) {
        fc_matrix_free(m);
        return st;
    }
    *out = m;
    return FC_OK;
}

void fc_matrix_free(fc_matrix *m)
{
    if (!m) return;
    free(m->v);
    free(m->ids);
    free(m);
}

/* Appends to a bounded buffer, counting what would have been written. */
typedef struct writer {
    char *buf;
    size_t cap, n;
} writer;

static void put(writer *w, const char *s, size_t k)
{
    if (w->n + k < w->cap) memcpy(w->buf + w->n, s, k);
    w->n += k;
}

static void put_id(writer *w, const char *id)
{
    /* quoted when the id holds a comma or a quote, or starts like a byte-order mark (which the
     * parser would strip at the start of the file) */
    if (!strpbrk(id, ",\"") && strncmp(id, "\xEF\xBB\xBF", 3) != 0) {
        put(w, id, strlen(id));
        return;
    }
    put(w, "\"", 1);
    for (const char *q = id; *q; q++) {
        if (*q == '"') put(w, "\"\"", 2);
        else put(w, q, 1);
    }
    put(w, "\"", 1);
}

size_t fc_matrix_format(const fc_matrix *m, char *buf, size_t cap)
{
    writer w = {buf, cap, 0};
    if (m->ids) {
        for (size_t c = 0; c < m->cols; c++) {
            if (c) put(&w, ",", 1);
            put_id(&w, m->ids[c]);
        }
        put(&w, "\n", 1);
    }
    char num[32];
    for (size_t r = 0; r < m->rows; r++) {
        for (size_t c = 0; c < m->cols; c++) {
            float x = m->v[r * m->cols + c];
            int k = isnan(x) ? snprintf(num, sizeof num, "NaN") : snprintf(num, sizeof num, "%.9g", (double)x);
            if (c) put(&w, ",", 1);
            put(&w, num, (size_t)k);
        }
        put(&w, "\n", 1);
    }
    if (w.n < cap) buf[w.n] = '\0';
    else if (cap) buf[cap - 1] = '\0';
    return w.n;
}
