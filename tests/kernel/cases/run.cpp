// run.cpp: the kernel test that runs user programs.
//
//   test=run run=hello,spawn-wait token=...
//
// starts each program in turn with the argument string "token=<token>",
// waits for it to end, and gives one verdict per program: it exited with
// status 0. The programs print their own verdicts (user/lib/verdict.h).
#include "arch/x86/pit.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "proc/process.h"

#include "orphan_wait.h"

KTEST(run)
{
    const char* list = cmdline::get("run");
    if (!ktest::check("programs-named", list != nullptr, "no run=<program,...> on the command line"))
        return;
    char args[96];
    format_to(args, sizeof args, "token=%s", ktest::token());
    char names[64];
    format_to(names, sizeof names, "%s", list);
    for (char* name = names; *name;) {
        char* end = name;
        while (*end && *end != ',')
            ++end;
        bool last = *end == '\0';
        *end = '\0';
        const char* why = "";
        char check[64];
        format_to(check, sizeof check, "%s-exit-0", name);
        Process* p = process::spawn(name, args, nullptr, &why);
        if (!p) {
            ktest::check(check, false, "spawn failed: %s", why);
        } else {
            int32_t status = orphan_wait::wait(p->pid);
            ktest::check(check, status == 0, "exit status %d", int(status));
        }
        if (last)
            break;
        name = end + 1;
    }
}
