// console.cpp: kernel tests of the console channel the harness reads (lab 0).
//
//   cmdline_echo   prints the command line as it arrived, in hex, so the
//                  harness can compare it byte for byte with what it asked
//                  for (tests/harness/selftest.py: quoting through GRUB).
//   console_storm  kernel verdict lines stay whole while a user process
//                  writes single bytes without a newline all the time.
#include "arch/x86/pit.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "proc/process.h"

#include "orphan_wait.h"

KTEST(cmdline_echo)
{
    const char* text = cmdline::text();
    static char hex[2 * cmdline::kMaxLength + 1];
    size_t n = strlen(text);
    for (size_t i = 0; i < n; ++i)
        format_to(hex + 2 * i, 3, "%02x", unsigned(uint8_t(text[i])));
    hex[2 * n] = '\0';
    // A VALUE line can be longer than one console piece: written here in
    // pieces, on a line of its own, with interrupts off around each piece.
    ktest::value("cmdline_bytes", n);
    char head[96];
    size_t head_len = size_t(format_to(head, sizeof head, "@@ %s VALUE cmdline_hex ", ktest::token()));
    console_write_line(head, head_len);
    console_write(hex, 2 * n);
    console_write("\n", 1);
    ktest::check("cmdline-read", n > 0, "empty command line");
}

KTEST(console_storm)
{
    const char* why = "";
    Process* noise = process::spawn("console-noise", "n=3000", nullptr, &why);
    ktest::check("noise-spawned", noise != nullptr, "spawn(console-noise): %s", why);
    if (!noise)
        return;
    uint32_t pid = noise->pid;
    for (int i = 1; i <= 12; ++i) {
        sched::sleep_ticks(1);
        char name[32];
        format_to(name, sizeof name, "kernel-line-%02d", i);
        ktest::check(name, true);
    }
    int32_t status = orphan_wait::wait(pid);
    ktest::check("noise-exit-0", status == 0, "exit status %d", int(status));
}
