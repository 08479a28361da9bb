// orphan_wait.h: how a kernel test waits for a process it spawned itself.
// Such a process has no parent to wait for it, so its exit status is kept
// by process::orphan_status; the test polls that once a tick.
#pragma once

#include "proc/process.h"
#include "proc/thread.h"

#include <stdint.h>

namespace orphan_wait {

// What wait_for returns when the process has not ended in time.
constexpr int32_t kStillRunning = -100;

// Sleep until kernel-spawned `pid` has ended; its exit status. May block
// for ever (the harness's instruction budget ends a hung test).
inline int32_t wait(uint32_t pid)
{
    int32_t status = 0;
    while (!process::orphan_status(pid, &status))
        sched::sleep_ticks(1);
    return status;
}

// The same, but kStillRunning once `ticks` ticks have passed.
inline int32_t wait_for(uint32_t pid, int ticks)
{
    int32_t status = 0;
    for (int t = 0; t < ticks; ++t) {
        if (process::orphan_status(pid, &status))
            return status;
        sched::sleep_ticks(1);
    }
    return kStillRunning;
}

} // namespace orphan_wait
