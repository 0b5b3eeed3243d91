/* tool.c — helpers shared by the native command-line tools: fatal errors, whole-file reads
 * and the matrix-CSV reader (docs/FORMATS.md, "Matrix CSV"). Tools only: stdio is fine here. */
#include "tool.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The program name for messages; tools set it first thing in main(). */
static const char *g_tool = "flowcast";

void fc_tool_set_name(const char *name) { g_tool = name; }

void fc_tool_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", g_tool);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

char *fc_tool_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fc_tool_die("cannot read %s: %s", path, strerror(errno));
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) fc_tool_die("out of memory reading %s", path);
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        buf = realloc(buf, (cap *= 2) + 1);
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}


fc_matrix fc_tool_read_csv(const char *path, int header)
{
    size_t len;
    char *text = fc_tool_read_file(path, &len);
    fc_matrix m = {0, 0, NULL, NULL};
    char *p = text;
    size_t cap = 0;
    if (header) {
        char *eol = strchr(p, '\n');
        if (!eol) fc_tool_die("%s: no header line", path);
        *eol = '\0';
        if (eol > p && eol[-1] == '\r') eol[-1] = '\0';
        for (char *q = p;; m.cols++) {
            char *c = strchr(q, ',');
            m.ids = realloc(m.ids, (m.cols + 1) * sizeof(char *));
            m.ids[m.cols] = q;
            if (!c) {
                m.cols++;
                break;
            }
            *c = '\0';
            q = c + 1;
        }
        p = eol + 1;
    }
    while (*p) {
        if (*p == '\n' || *p == '\r') {
            p++;
            continue;
        }
        size_t col = 0;
        for (;;) {
            if (m.rows * (m.cols ? m.cols : 1) + col >= cap) {
                cap = cap ? cap * 2 : 1 << 16;
                m.v = realloc(m.v, cap * sizeof(float));
                if (!m.v) fc_tool_die("out of memory");
            }
            char *end;
            float x;
            if (*p == ',' || *p == '\n' || *p == '\r' || *p == '\0') {
                x = NAN;
                end = p;
            } else {
                errno = 0;
                x = strtof(p, &end);
                if (end == p) fc_tool_die("%s: row %zu column %zu: not a number", path, m.rows + 1, col + 1);
            }
            size_t stride = m.cols ? m.cols : 0;
            if (stride) {
                if (col >= stride) fc_tool_die("%s: row %zu has more than %zu columns", path, m.rows + 1, stride);
                m.v[m.rows * stride + col] = x;
            } else {
                m.v[col] = x; /* first row of a headerless file defines the width */
            }
            col++;
            p = end;
            if (*p == ',') {
                p++;
                continue;
            }
            break;
        }
        if (!m.cols) m.cols = col;
        else if (col != m.cols) fc_tool_die("%s: row %zu has %zu columns, expected %zu", path, m.rows + 1, col, m.cols);
        m.rows++;
        while (*p == '\r') p++;
        if (*p == '\n') p++;
    }
    /* text stays allocated: ids point into it */
    return m;
}

