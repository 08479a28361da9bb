// preempt: the timer takes the CPU from a process that never gives it up.
//
// Three `spin` children with a long loop each, started together: each checks
// that it lost the CPU to another process at least once (spin-was-preempted),
// which only a preemptive scheduler makes happen. The parent waits for all
// three, checks that each exited 0, and that the kernel's memory counters are
// back where they were (nothing leaked by three processes that were preempted
// many times).
#include "program.h"

namespace {
constexpr int kChildren = 3;
// ~6 instructions per iteration: ~6 M instructions, many 10 ms quanta each.
constexpr uint32_t kIterations = 1000000;

int spawn_spin(uint32_t n, const char* expect)
{
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s n=%u%s", verdict_token(), n, expect);
    return sys::spawn("spin", child_args);
}
} // namespace

int main(const char* args)
{
    verdict_init(args);

    // Warm-up: one short child first, so that what the kernel allocates once
    // for good (heap growth, page tables) is in the baseline.
    int status = -100;
    int warm = spawn_spin(1000, "");
    check("warm-up-child", warm > 0 && sys::wait(warm, &status) == warm && status == 0,
        "spawn(spin) = %d, status %d", warm, status);
    VmStat before {};
    sys::vmstat(&before);

    int pids[kChildren];
    for (int& pid : pids)
        pid = spawn_spin(kIterations, " expect=preempted");
    for (int i = 0; i < kChildren; ++i) {
        char name[32];
        format_to(name, sizeof name, "spin-%d-exit-0", i + 1);
        status = -100;
        int reaped = pids[i] > 0 ? sys::wait(pids[i], &status) : pids[i];
        check(name, reaped == pids[i] && pids[i] > 0 && status == 0, "spawn = %d, wait = %d, status %d", pids[i],
            reaped, status);
    }

    VmStat after {};
    sys::vmstat(&after);
    check("frames-free-back", after.frames_free == before.frames_free, "frames_free %u before, %u after",
        before.frames_free, after.frames_free);
    check("vpages-back", after.vpages_in_use == before.vpages_in_use, "vpages_in_use %u before, %u after",
        before.vpages_in_use, after.vpages_in_use);
    return verdict_status();
}
