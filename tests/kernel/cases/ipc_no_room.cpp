// ipc_no_room.cpp: a page sent over IPC to a receiver with no free address
// is an error for both sides, never a page silently dropped (issue 11,
// item 3). A whole address space cannot be filled from user mode (mmap
// makes a vpage per page), so this test starts the receiver
// (user/programs/ipc-no-room.cpp) and takes every free range of it before
// it runs; the program does the rest and prints its own verdicts:
//   receive with no room -> kErrNoMemory, and the sender's send too;
//   munmap of an unmapped page makes room for exactly that page;
//   the sender's next send arrives there, intact.
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "proc/process.h"

#include "orphan_wait.h"

KTEST(ipc_no_room)
{
    char args[96];
    format_to(args, sizeof args, "token=%s role=receiver", ktest::token());
    const char* why = "";
    bool was = cpu::interrupts_enabled();
    cpu::cli(); // the receiver must not run before its ranges are gone
    Process* p = process::spawn("ipc-no-room", args, nullptr, &why);
    bool taken = p
        && p->free_ranges.take(layout::kUserBottom, layout::kUserTop - layout::kUserBottom)
            == FreeRanges::Result::Ok;
    uint32_t pid = p ? p->pid : 0;
    if (was)
        cpu::sti();
    ktest::check("receiver-spawned", p != nullptr, "spawn: %s", why);
    if (!ktest::check("receiver-has-no-room", taken && p->free_ranges.free_bytes() == 0))
        return;
    int32_t status = orphan_wait::wait(pid);
    ktest::check("receiver-exit-0", status == 0, "exit status %d", int(status));
}
