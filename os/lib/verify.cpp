// verify.cpp: the part of the VERIFY machinery shared by the kernel and the
// host tests (each has its own panic_at: panic.cpp, tests/host/support/).
#include "lib/verify.h"

#include "lib/format.h"

#include <stdarg.h>

void panic_contract(const char* function, const char* contract, const char* fmt, ...)
{
    char details[200];
    va_list args;
    va_start(args, fmt);
    vformat_to(details, sizeof details, fmt, args);
    va_end(args);
    panic_at(function, 0, "contract broken: %s: %s", contract, details);
}
