/* test_utf8.c — the byte gate in front of the JSON parsers. */
#include "test.h"
#include "utf8.h"

static size_t chk(const char *s, size_t n) { return fc_utf8_check((const unsigned char *)s, n); }

void test_utf8(void)
{
    CHECK_EQ_INT(chk("plain ascii text that is longer than eight bytes", 48), 48);
    CHECK_EQ_INT(chk("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x97", 14), 14);
    CHECK_EQ_INT(chk("tab\tnl\ncr\r", 10), 10);
    CHECK_EQ_INT(chk("abcdefghij\0klm", 14), 10);            /* NUL inside a word */
    CHECK_EQ_INT(chk("ab\x01", 3), 2);                        /* control byte */
    CHECK_EQ_INT(chk("ab\xc3", 3), 2);                        /* truncated sequence */
    CHECK_EQ_INT(chk("\xc0\xaf", 2), 0);                      /* overlong '/' */
    CHECK_EQ_INT(chk("\xe0\x80\xaf", 3), 0);                  /* overlong, 3 bytes */
    CHECK_EQ_INT(chk("\xed\xa0\x80", 3), 0);                  /* UTF-16 surrogate */
    CHECK_EQ_INT(chk("\xf4\x90\x80\x80", 4), 0);              /* above U+10FFFF */
    CHECK_EQ_INT(chk("\xff", 1), 0);
    CHECK_EQ_INT(chk("12345678\x80", 9), 8);                  /* stray continuation byte */
    CHECK_EQ_INT(chk("", 0), 0);
}
