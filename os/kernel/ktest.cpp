#include "kernel/ktest.h"

#include "arch/x86/cpu.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "lib/format.h"
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

namespace {
// One `@@ <token> ...` line, built whole and then written in one piece.
struct Line {
    char text[kConsoleChunk];
    size_t used { 0 };

    void add(const char* fmt, va_list args)
    {
        if (used < sizeof text)
            used += size_t(min_int(vformat_to(text + used, sizeof text - used, fmt, args), int(sizeof text - used - 1)));
    }
    void add(const char* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        va_list args;
        va_start(args, fmt);
        add(fmt, args);
        va_end(args);
    }
    // Write the line whole, on a line of its own; one cut short by the buffer
    // still ends in a newline.
    void emit()
    {
        if (used == 0 || text[used - 1] != '\n') {
            if (used == sizeof text - 1)
                --used;
            text[used++] = '\n';
        }
        console_write_line(text, used);
    }
    static int min_int(int a, int b) { return a < b ? a : b; }
};
} // namespace

void tagged(const char* fmt, ...)
{
    Line line;
    line.add("@@ %s ", token());
    va_list args;
    va_start(args, fmt);
    line.add(fmt, args);
    va_end(args);
    line.emit();
}

bool check(const char* name, bool pass) { return check(name, pass, "%s", ""); }

bool check(const char* name, bool pass, const char* fail_fmt, ...)
{
    Line line;
    line.add("@@ %s VERDICT %s %s", token(), name, pass ? "PASS" : "FAIL");
    if (!pass && fail_fmt[0]) {
        line.add(" ");
        va_list args;
        va_start(args, fail_fmt);
        line.add(fail_fmt, args);
        va_end(args);
    }
    line.emit();
    return pass;
}

void value(const char* key, uint64_t v) { tagged("VALUE %s %llu\n", key, (unsigned long long)v); }

bool run(const char* name)
{
    for (const Test* t = __start_ktests; t < __stop_ktests; ++t) {
        if (same_name(t->name, name)) {
            // Under Bochs the TSC counts guest instructions since reset:
            // the boot's whole cost up to the test (make bench).
            kprintf("ktest: running %s (%llu instructions since reset)\n", name, (unsigned long long)cpu::rdtsc());
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
