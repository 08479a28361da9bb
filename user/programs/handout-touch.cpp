// handout-touch: the program of lab 3's debugger exercise
// (handouts/lab3-fault-handler.md). Three demand-zero pages, three faults:
//   1. mmap 3 pages read-write (at 0x40001000: the warm-up mmap took
//      0x40000000): vpages, no frames yet.
//   2. read page 0: a read fault, zero fill; the word reads 0.
//   3. write page 1: a write fault, zero fill; the word keeps what was written.
//   4. vmstat into page 2: the kernel faults the buffer in (user_memory),
//      the same zero fill, from inside the system call.
// Each step costs exactly one fault and one frame (vmstat counters).
#include "program.h"

int main(const char* args)
{
    verdict_init(args);
    // Map one page first and keep it, so that the page table made for the
    // region does not count below (munmap would free the table again).
    sys::mmap(nullptr, 4096, kMapWrite);
    VmStat before {};
    sys::vmstat(&before);

    auto* area = static_cast<volatile uint32_t*>(sys::mmap(nullptr, 3 * 4096, kMapWrite));
    if (!check("mmap-succeeds", !is_error((void*)area), "mmap = %d", error_of((void*)area)))
        return verdict_status();
    uint32_t first = area[0];             // page 0: read fault
    area[1024] = 0x1234;                  // page 1: write fault
    auto* after = (VmStat*)(area + 2048); // page 2: faulted in by the kernel
    int r = sys::vmstat(after); // its answer counts its own fault: the buffer is faulted in first
    VmStat now = *after;

    check("read-as-zero", first == 0, "read 0x%08x", first);
    check("write-kept", area[1024] == 0x1234);
    check("vmstat-into-demand-zero-page", r == 0, "vmstat = %d", r);
    check("three-zero-fills", now.faults_zero_fill - before.faults_zero_fill == 3, "%u zero fills",
        now.faults_zero_fill - before.faults_zero_fill);
    check("three-frames", before.frames_free - now.frames_free == 3, "%u frames",
        before.frames_free - now.frames_free);
    return verdict_status();
}
