/* tool.c — helpers shared by the native command-line tools: fatal errors, whole-file reads
 * and matrix-CSV files (parsed by the engine's c/src/matrix.c). Tools only: stdio is fine here. */
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

char *fc_tool_try_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *bigger = realloc(buf, (cap *= 2) + 1);
        if (!bigger) free(buf);
        buf = bigger;
    }
    int err = ferror(f);
    fclose(f);
    if (err || !buf) {
        free(buf);
        if (!err) errno = ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *fc_tool_read_file(const char *path, size_t *len)
{
    char *buf = fc_tool_try_read_file(path, len);
    if (!buf) fc_tool_die("cannot read %s: %s", path, strerror(errno));
    return buf;
}

fc_matrix *fc_tool_read_csv(const char *path, int header)
{
    size_t len;
    char *text = fc_tool_read_file(path, &len);
    char msg[256];
    fc_matrix *m = NULL;
    fc_status st = fc_matrix_parse(text, len, header, NULL, &m, msg, sizeof msg);
    free(text);
    if (st) fc_tool_die("%s: %s", path, msg);
    return m;
}

int fc_tool_parse_number(const char *text, double *out)
{
    char *end;
    if (!*text) return 0;
    errno = 0;
    double v = strtod(text, &end);
    if (*end || errno || !isfinite(v)) return 0;
    /* strtod also takes hex, inf and nan spellings: only plain decimal is a number here */
    for (const char *p = text; *p; p++)
        if (!strchr("0123456789+-.eE", *p)) return 0;
    *out = v;
    return 1;
}

void fc_tool_write_atomic(const char *path, const char *text)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) fc_tool_die("cannot write %s: %s", tmp, strerror(errno));
    int ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (fclose(f) || !ok || rename(tmp, path)) {
        remove(tmp);
        fc_tool_die("cannot write %s: %s", path, strerror(errno));
    }
}
