// faulty-parent: a process that breaks the rules dies alone.
//
// For each forbidden operation of `privileged` (same table of names), start a
// `privileged` child doing it, wait for it, and check that the kernel killed
// it (wait's status is kStatusKilled), not that it exited by itself. The
// parent itself must keep running through all of it.
#include "program.h"

namespace {
const char* const kOps[] = { "cli", "hlt", "in", "cr3", "kernel-jump", "kernel-read", "div0", "gp" };
}

int main(const char* args)
{
    verdict_init(args);
    int self = sys::getpid();
    for (const char* op : kOps) {
        char child_args[96], name[40];
        format_to(child_args, sizeof child_args, "token=%s op=%s", verdict_token(), op);
        format_to(name, sizeof name, "killed-%s", op);
        int pid = sys::spawn("privileged", child_args);
        int status = -100;
        int reaped = pid > 0 ? sys::wait(pid, &status) : pid;
        check(name, pid > 0 && reaped == pid && status == kStatusKilled,
            "spawn = %d, wait = %d, status %d (killed is %d)", pid, reaped, status, kStatusKilled);
    }
    int after = sys::getpid();
    check("parent-survives", after == self, "getpid() = %d, was %d", after, self);
    return verdict_status();
}
