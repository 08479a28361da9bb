#include "verdict.h"

#include "args.h"
#include "lib/format.h"
#include "stdio.h"

#include <stdarg.h>

namespace {
constexpr size_t kTokenMax = 40;
char g_token[kTokenMax] = "-";
unsigned g_failures = 0;
} // namespace

void verdict_init(const char* args)
{
    if (!arg(args, "token").copy_to(g_token, sizeof g_token)) {
        g_token[0] = '-';
        g_token[1] = '\0';
    }
}

const char* verdict_token() { return g_token; }

bool check(const char* name, bool pass) { return check(name, pass, "%s", ""); }

// The reason is formatted first, so the whole line goes out in one write.
bool check(const char* name, bool pass, const char* fail_fmt, ...)
{
    if (pass) {
        printf("@@ %s VERDICT %s PASS\n", g_token, name);
        return true;
    }
    ++g_failures;
    char reason[256];
    va_list args;
    va_start(args, fail_fmt);
    vformat_to(reason, sizeof reason, fail_fmt, args);
    va_end(args);
    printf("@@ %s VERDICT %s FAIL%s%s\n", g_token, name, reason[0] ? " " : "", reason);
    return false;
}

void value(const char* key, uint64_t n) { printf("@@ %s VALUE %s %llu\n", g_token, key, (unsigned long long)n); }

int verdict_status() { return g_failures == 0 ? 0 : 1; }
