// spawn-50: fifty processes come and go without leaking memory.
//
// After one warm-up child (what the kernel allocates once for good belongs to
// the baseline), read vmstat, then spawn and reap 50 `hello` children, 10
// alive at a time, and read vmstat again: the free frames and the vpages in
// use must be exactly as before.
#include "program.h"

namespace {
constexpr int kTotal = 50;
constexpr int kBatch = 10;
} // namespace

int main(const char* args)
{
    verdict_init(args);
    char child_args[64];
    format_to(child_args, sizeof child_args, "token=%s", verdict_token());

    int status = -100;
    int warm = sys::spawn("hello", child_args);
    check("warm-up-child", warm > 0 && sys::wait(warm, &status) == warm && status == 0,
        "spawn(hello) = %d, status %d", warm, status);
    VmStat before {};
    int got = sys::vmstat(&before);
    check("vmstat-works", got == 0, "vmstat = %d", got);

    int spawned = 0, exited_zero = 0, first_error = 0;
    for (int batch = 0; batch < kTotal / kBatch; ++batch) {
        int pids[kBatch];
        for (int& pid : pids) {
            pid = sys::spawn("hello", child_args);
            if (pid > 0)
                ++spawned;
            else if (!first_error)
                first_error = pid;
        }
        for (int pid : pids) {
            status = -100;
            if (pid > 0 && sys::wait(pid, &status) == pid && status == 0)
                ++exited_zero;
        }
    }
    check("spawned-50", spawned == kTotal, "%d of %d spawns worked (first error %d)", spawned, kTotal, first_error);
    check("reaped-50-status-0", exited_zero == kTotal, "%d of %d children reaped with status 0", exited_zero, kTotal);

    VmStat after {};
    sys::vmstat(&after);
    value("frames-free-before", before.frames_free);
    value("frames-free-after", after.frames_free);
    check("frames-free-back", after.frames_free == before.frames_free, "frames_free %u before, %u after",
        before.frames_free, after.frames_free);
    check("vpages-back", after.vpages_in_use == before.vpages_in_use, "vpages_in_use %u before, %u after",
        before.vpages_in_use, after.vpages_in_use);
    return verdict_status();
}
