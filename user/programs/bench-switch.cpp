// bench-switch: the cost of a context switch between two processes, in guest
// instructions.
//
// The parent starts a child of the same program (role=child) and both call
// yield() kRounds times; with nobody else ready, each yield switches to the
// other process. The parent's rdtsc readings around its loop cover about
// 2 * kRounds switches (each including a yield system call).
#include "program.h"
#include "timing.h"

namespace {
constexpr uint32_t kRounds = 1000;
}

int main(const char* args)
{
    verdict_init(args);
    if (arg(args, "role").is("child")) {
        for (uint32_t i = 0; i < kRounds; ++i)
            sys::yield();
        return 0;
    }
    char child_args[64];
    format_to(child_args, sizeof child_args, "token=%s role=child", verdict_token());
    int child = sys::spawn("bench-switch", child_args);
    if (!check("spawn-child", child > 0, "spawn = %d", child))
        return 1;
    sys::yield(); // let the child start before the clock does
    uint64_t start = rdtsc();
    for (uint32_t i = 0; i < kRounds; ++i)
        sys::yield();
    uint64_t elapsed = rdtsc() - start;
    int status = -100;
    int reaped = sys::wait(child, &status);
    check("child-exit-0", reaped == child && status == 0, "wait = %d, status %d", reaped, status);
    value("switch_instructions", elapsed / (2 * kRounds));
    return verdict_status();
}
