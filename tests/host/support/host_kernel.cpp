#include "host_kernel.h"

#include "kernel/lab.h"
#include "lib/format.h"
#include "lib/verify.h"

#include <CppUTest/TestHarness.h>
#include <stdarg.h>

namespace {
std::string g_last;
}

const std::string& last_verify_message() { return g_last; }

void panic_at(const char* file, int line, const char* fmt, ...)
{
    char message[512];
    va_list args;
    va_start(args, fmt);
    vformat_to(message, sizeof message, fmt, args);
    va_end(args);
    g_last = std::string(file) + ":" + std::to_string(line) + ": " + message;
    throw VerifyFailure(g_last);
}

void lab_not_implemented(int lab, const char* function)
{
    std::string text = "lab " + std::to_string(lab) + " not implemented: " + function;
    FAIL(text.c_str());
}
