// spawn-wait: spawn gives each child its own pid, wait returns that pid and
// the child's exit status, and wait refuses what is not a child of ours.
//
// Five `hello` children are started, then reaped one by one by pid (hello
// exits 0). Then wait must give kErrNoChild for: a child already reaped, our
// own pid, a pid nobody has, and "any child" when none is left.
#include "program.h"

namespace {
constexpr int kChildren = 5;

bool contains(const int* pids, int count, int pid)
{
    for (int i = 0; i < count; ++i)
        if (pids[i] == pid)
            return true;
    return false;
}
} // namespace

int main(const char* args)
{
    verdict_init(args);
    int self = sys::getpid();
    char child_args[64];
    format_to(child_args, sizeof child_args, "token=%s", verdict_token());

    int pids[kChildren];
    bool distinct = true, valid = true;
    for (int i = 0; i < kChildren; ++i) {
        pids[i] = sys::spawn("hello", child_args);
        valid = valid && pids[i] > 0 && pids[i] != self;
        distinct = distinct && !contains(pids, i, pids[i]);
    }
    check("spawn-returns-pids", valid, "pids %d %d %d %d %d (self %d)", pids[0], pids[1], pids[2], pids[3], pids[4],
        self);
    check("spawn-pids-distinct", distinct, "pids %d %d %d %d %d", pids[0], pids[1], pids[2], pids[3], pids[4]);

    bool reaped_right = true, statuses_zero = true;
    for (int pid : pids) {
        if (pid <= 0)
            continue;
        int status = -100;
        int reaped = sys::wait(pid, &status);
        if (reaped != pid) {
            reaped_right = false;
            printf("spawn-wait: wait(%d) = %d\n", pid, reaped);
        } else if (status != 0) {
            statuses_zero = false;
            printf("spawn-wait: child %d exited with %d\n", pid, status);
        }
    }
    check("wait-returns-pid", reaped_right, "see the spawn-wait: lines above");
    check("wait-status-zero", statuses_zero, "see the spawn-wait: lines above");

    struct NotAChild {
        const char* name;
        int pid;
    };
    const NotAChild kNotChildren[] = {
        { "wait-reaped-child", pids[0] },
        { "wait-self", self },
        { "wait-no-such-pid", 31337 },
        { "wait-any-none-left", -1 },
    };
    for (const NotAChild& c : kNotChildren) {
        int status = 0;
        int result = sys::wait(c.pid, &status);
        check(c.name, result == kErrNoChild, "wait(%d) = %d, not kErrNoChild (%d)", c.pid, result, int(kErrNoChild));
    }
    return verdict_status();
}
