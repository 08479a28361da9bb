// swap-full: when swap is full, dirty pages stay in memory, and a process
// that then finds no frame dies with "out of memory" (lab 5); the kernel
// does not panic and everything comes back.
//
// The parent spawns an eater that maps more pages than the free frames and
// the swap slots together, and writes each one. The kernel test runs with a
// small swap (swap_slots=N on the command line).
//   eater-killed   the eater died (status killed); the manifest's `kills`
//                  rule checks the reason, "out of memory"
//   swap-was-full  before it died, every swap slot was in use
//   after-oom      memory can be had again: 64 fresh pages are written and read
#include "program.h"
#include "vmtest.h"

namespace {

int eater()
{
    VmStat now = vm_now();
    uint32_t pages = now.frames_free + now.swap_slots_total + 256;
    void* mapped = sys::mmap(nullptr, pages * kPageSize, kMapWrite);
    if (!check("eater-mmap", !is_error(mapped), "mmap(%u pages) = %p", pages, mapped))
        return 1;
    auto* words = static_cast<volatile uint32_t*>(mapped);
    for (uint32_t p = 0; p < pages; ++p) {
        words[p * kPageWords] = p + 1;
        if (p % 64 == 0) {
            VmStat s = vm_now();
            if (s.swap_slots_used == s.swap_slots_total)
                value("slots_full_at_page", p);
        }
    }
    check("eater-should-not-survive", false, "%u pages written", pages);
    return 2;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    if (arg(args, "role").is("eater"))
        return eater();
    char child[96];
    format_to(child, sizeof child, "token=%s role=eater", verdict_token());
    int pid = sys::spawn("swap-full", child);
    int status = -100;
    int reaped = pid > 0 ? sys::wait(pid, &status) : pid;
    check("eater-killed", reaped == pid && status == kStatusKilled, "spawn = %d, status %d", pid, status);
    VmStat s = vm_now();
    check("swap-was-full", s.page_outs >= s.swap_slots_total, "%u pages written, %u slots", s.page_outs,
        s.swap_slots_total);
    void* mapped = sys::mmap(nullptr, 64 * kPageSize, kMapWrite);
    uint32_t bad = 0;
    if (!is_error(mapped)) {
        auto* words = static_cast<volatile uint32_t*>(mapped);
        for (uint32_t p = 0; p < 64; ++p)
            words[p * kPageWords] = p + 7;
        for (uint32_t p = 0; p < 64; ++p)
            bad += words[p * kPageWords] != p + 7;
        sys::munmap(mapped, 64 * kPageSize);
    }
    check("after-oom", !is_error(mapped) && bad == 0, "mmap = %p, %u words wrong", mapped, bad);
    return verdict_status();
}
