// panic.cpp: the kernel's last words. Prints where and why, a stack trace,
// then powers off (so an automated run ends at once) unless the command line
// says panic=halt (to inspect the machine in the Bochs debugger).
#include "arch/x86/cpu.h"
#include "arch/x86/power.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/verify.h"

#include <stdarg.h>

namespace {
bool g_panicking;

// Walk the saved-EBP chain (boot.S zeroes EBP at the bottom).
void print_backtrace()
{
    kprintf("  backtrace:");
    auto* frame = static_cast<uint32_t*>(__builtin_frame_address(0));
    for (int depth = 0; frame && depth < 16; ++depth) {
        if (uint32_t(reinterpret_cast<uintptr_t>(frame)) < 0xC0000000u)
            break;
        kprintf(" 0x%08x", frame[1]);
        frame = reinterpret_cast<uint32_t*>(frame[0]);
    }
    kprintf("\n");
}
}

void panic_at(const char* file, int line, const char* fmt, ...)
{
    cpu::cli();
    if (g_panicking) { // a panic while panicking: say nothing more
        power::off();
    }
    g_panicking = true;

    char message[256];
    va_list args;
    va_start(args, fmt);
    vformat_to(message, sizeof message, fmt, args);
    va_end(args);

    // "file:line", or for a broken contract (line 0) the function's name.
    char where[96];
    if (line > 0)
        format_to(where, sizeof where, "%s:%d", file, line);
    else
        format_to(where, sizeof where, "%s", file);
    kprintf("\nkernel panic at %s: %s\n", where, message);
    print_backtrace();
    ktest::tagged("PANIC %s: %s\n", where, message);

    const char* mode = cmdline::get("panic");
    if (mode && strcmp(mode, "halt") == 0) {
        kprintf("panic=halt: halting; the machine is yours in the debugger\n");
        cpu::halt_forever();
    }
    power::off();
}
