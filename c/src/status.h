/* status.h — the one way a module writes a failure's message into its caller's buffer and
 * returns the code (fc_strerror and the code names are in flowcast.h; status.c has both). */
#ifndef FC_STATUS_H
#define FC_STATUS_H
#include "flowcast.h"
#include <stdarg.h>
#include <stddef.h>

/* printf-style message into msg[cap] (nothing when cap is 0), then returns st. */
fc_status fc_fail(char *msg, size_t cap, fc_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
fc_status fc_vfail(char *msg, size_t cap, fc_status st, const char *fmt, va_list ap);

#endif
