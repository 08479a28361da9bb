#include "host_kernel.h"

#include "kernel/lab.h"
#include "lib/format.h"
#include "lib/verify.h"

#include <CppUTest/TestHarness.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

namespace {
char g_last[600];          // "file:line: message" of the last VERIFY/PANIC
bool g_expected = false;   // a VerifyFailureExpected lives
}

VerifyFailureExpected::VerifyFailureExpected() : m_outer(g_expected) { g_expected = true; }
VerifyFailureExpected::~VerifyFailureExpected() { g_expected = m_outer; }

const char* last_verify_message() { return g_last; }

void panic_at(const char* file, int line, const char* fmt, ...)
{
    char message[512];
    va_list args;
    va_start(args, fmt);
    vformat_to(message, sizeof message, fmt, args);
    va_end(args);
    if (line > 0)
        format_to(g_last, sizeof g_last, "%s:%d: %s", file, line, message);
    else // a broken contract: `file` is the function's name (verify.h)
        format_to(g_last, sizeof g_last, "%s: %s", file, message);
    if (g_expected)
        throw VerifyFailure(g_last);
    // Not expected: fail the test. CppUTest leaves the test from fail() and
    // runs its teardown; a VerifyFailure that no test catches would end the
    // whole binary (CppUTest 4.0 catches only its own exceptions).
    char text[sizeof g_last + 32];
    format_to(text, sizeof text, "unexpected VERIFY/PANIC: %s", line > 0 ? message : g_last);
    UtestShell* test = UtestShell::getCurrent();
    if (line > 0)
        test->fail(text, file, size_t(line));
    else // no place in the code: the test that made the call
        test->fail(text, test->getFile().asCharString(), test->getLineNumber());
    fprintf(stderr, "%s\n(outside a test: cannot go on)\n", g_last); // fail() returned
    abort();
}

void lab_not_implemented(int lab, const char* function)
{
    char text[256];
    format_to(text, sizeof text, "lab %d not implemented: %s", lab, function);
    FAIL(text);
}
