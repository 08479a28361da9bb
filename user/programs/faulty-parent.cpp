// faulty-parent: a process that breaks the rules dies alone.
//
// For each forbidden operation of `privileged` (same table of names), start a
// `privileged` child doing it, wait for it, and check that the kernel killed
// it with the right reason (wait's status is -KillReason: a page fault is
// kKillBadAccess, any other exception kKillException), not that it exited
// by itself (exit(-1) gives 0x7FFFFFFF, never a negative status). The
// parent itself must keep running through all of it.
#include "program.h"

namespace {
struct Op {
    const char* name;
    KillReason reason;
};
const Op kOps[] = {
    { "cli", kKillException }, { "hlt", kKillException }, { "in", kKillException }, { "cr3", kKillException },
    { "kernel-jump", kKillBadAccess }, { "kernel-read", kKillBadAccess }, { "div0", kKillException },
    { "gp", kKillException },
};
}

int main(const char* args)
{
    verdict_init(args);
    int self = sys::getpid();
    for (const Op& o : kOps) {
        const char* op = o.name;
        char child_args[96], name[40];
        format_to(child_args, sizeof child_args, "token=%s op=%s", verdict_token(), op);
        format_to(name, sizeof name, "killed-%s", op);
        int pid = sys::spawn("privileged", child_args);
        int status = -100;
        int reaped = pid > 0 ? sys::wait(pid, &status) : pid;
        check(name, pid > 0 && reaped == pid && status == kill_status(o.reason),
            "spawn = %d, wait = %d, status %d (killed for this is %d)", pid, reaped, status, kill_status(o.reason));
    }
    int after = sys::getpid();
    check("parent-survives", after == self, "getpid() = %d, was %d", after, self);
    return verdict_status();
}
