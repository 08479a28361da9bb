#include "kernel/ktest.h"

#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "lib/string.h"

#include <stdarg.h>

extern "C" const ktest::Test __start_ktests[];
extern "C" const ktest::Test __stop_ktests[];

namespace {
// Test names are C identifiers (fault_report); the command line may spell
// them with dashes (fault-report).
bool same_name(const char* a, const char* b)
{
    for (; *a && *b; ++a, ++b) {
        char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}
}

namespace ktest {

const char* token()
{
    const char* t = cmdline::get("token");
    return t ? t : "-";
}

void tagged(const char* fmt, ...)
{
    kprintf("@@ %s ", token());
    va_list args;
    va_start(args, fmt);
    kvprintf(fmt, args);
    va_end(args);
}

bool check(const char* name, bool pass) { return check(name, pass, "%s", ""); }

bool check(const char* name, bool pass, const char* fail_fmt, ...)
{
    tagged("VERDICT %s %s", name, pass ? "PASS" : "FAIL");
    if (!pass && fail_fmt[0]) {
        kprintf(" ");
        va_list args;
        va_start(args, fail_fmt);
        kvprintf(fail_fmt, args);
        va_end(args);
    }
    kprintf("\n");
    return pass;
}

void value(const char* key, uint64_t v) { tagged("VALUE %s %llu\n", key, (unsigned long long)v); }

bool run(const char* name)
{
    for (const Test* t = __start_ktests; t < __stop_ktests; ++t) {
        if (same_name(t->name, name)) {
            kprintf("ktest: running %s\n", name);
            t->body();
            tagged("END %s\n", name);
            return true;
        }
    }
    kprintf("ktest: no test named '%s'; the tests are:", name);
    for (const Test* t = __start_ktests; t < __stop_ktests; ++t)
        kprintf(" %s", t->name);
    kprintf("\n");
    return false;
}

} // namespace ktest
