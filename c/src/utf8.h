/* utf8.h — the byte-level gate in front of every JSON parser: strict UTF-8 (no overlong forms,
 * no surrogates, nothing above U+10FFFF) and no raw control bytes other than JSON whitespace.
 * cJSON checks neither, and a NUL byte would silently end its view of the input. */
#ifndef FC_UTF8_H
#define FC_UTF8_H
#include <stddef.h>

/* Returns len when the input is acceptable, else the offset of the first bad byte. */
size_t fc_utf8_check(const unsigned char *s, size_t len);
/* Length (2..4) of the valid multi-byte sequence starting at s[0] (a byte >= 0x80) within
 * avail bytes, or 0 when it is not valid under the rules above. */
size_t fc_utf8_sequence(const unsigned char *s, size_t avail);

#endif
