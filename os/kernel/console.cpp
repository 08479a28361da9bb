#include "kernel/console.h"

#include "arch/x86/serial.h"
#include "lib/format.h"

namespace {
void put_console(void*, char c)
{
    serial::put(c);
}
}

int kvprintf(const char* fmt, va_list args) { return vformat(FormatSink { put_console, nullptr }, fmt, args); }

int kprintf(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = kvprintf(fmt, args);
    va_end(args);
    return n;
}
