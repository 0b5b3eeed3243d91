/* main.c — runs every C unit test; "--list" prints their names. */
#include "test.h"

int fc_test_failures;

static const struct { const char *name; void (*fn)(void); } k_tests[] = {
#define ENTRY(name) {#name, name},
    FC_TESTS(ENTRY)
};

int main(int argc, char **argv)
{
    int failed = 0;
    size_t n = sizeof k_tests / sizeof k_tests[0];
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], "--list") == 0) {
            printf("%s\n", k_tests[i].name);
            continue;
        }
        if (argc > 1 && strcmp(argv[1], k_tests[i].name) != 0) continue;
        int before = fc_test_failures;
        k_tests[i].fn();
        int ok = fc_test_failures == before;
        failed += !ok;
        printf("%s - %s\n", ok ? "ok" : "not ok", k_tests[i].name);
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
