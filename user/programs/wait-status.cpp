// wait-status: a parent tells a child that exited from one the kernel killed,
// and why it was killed (issue 11, item 8; abi.h "Wait status").
//
// One program, two roles. The parent (no role=) starts a child per case and
// checks wait()'s status exactly:
//   exit(0), exit(7)                 -> 0, 7
//   exit(-1)                         -> 0x7FFFFFFF: never negative, so never
//                                       taken for a kill (it was -1 before,
//                                       the same as a killed child's status)
//   NULL read                        -> -kKillBadAccess
//   endless recursion (guard page)   -> -kKillStackOverflow
//   cli (a privileged instruction)   -> -kKillException
#include "program.h"

asm(R"(
    .text
    .type wait_status_recurse, @function
wait_status_recurse:
    pushl %ebp
    call wait_status_recurse
    popl %ebp
    ret
    .size wait_status_recurse, . - wait_status_recurse
)");
extern "C" void wait_status_recurse();

namespace {

struct Case {
    const char* check;
    const char* role;
    int32_t status;
};

const Case kCases[] = {
    { "exit-0-is-0", "exit0", 0 },
    { "exit-7-is-7", "exit7", 7 },
    { "exit-minus-1-is-not-a-kill", "exit-1", 0x7FFFFFFF },
    { "killed-bad-access", "null", kill_status(kKillBadAccess) },
    { "killed-stack-overflow", "overflow", kill_status(kKillStackOverflow) },
    { "killed-exception", "cli", kill_status(kKillException) },
};

int child(ArgValue role)
{
    if (role.is("exit0"))
        sys::exit(0);
    if (role.is("exit7"))
        sys::exit(7);
    if (role.is("exit-1"))
        sys::exit(-1);
    if (role.is("null"))
        return int(*reinterpret_cast<volatile uint32_t*>(uintptr_t(0)));
    if (role.is("overflow"))
        wait_status_recurse();
    if (role.is("cli"))
        asm volatile("cli");
    return 100; // survived: the parent sees 100, never the status it expects
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    ArgValue role = arg(args, "role");
    if (role.present())
        return child(role);
    for (const Case& c : kCases) {
        char child_args[96];
        format_to(child_args, sizeof child_args, "token=- role=%s", c.role);
        int pid = sys::spawn("wait-status", child_args);
        int status = -100;
        int reaped = pid > 0 ? sys::wait(pid, &status) : pid;
        check(c.check, pid > 0 && reaped == pid && status == c.status, "spawn = %d, wait = %d, status %d (expected %d)",
            pid, reaped, status, int(c.status));
    }
    return verdict_status();
}
