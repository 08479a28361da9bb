// eat-memory: a process that touches more memory than there is dies of it,
// alone, and all of its memory comes back.
//
// Parent (no role=): after a warm-up child, reads vmstat and starts an eater
// (`role=eater`). The eater mmaps more pages than there are free frames
// (eater-maps-more-than-free) and writes to one page after the other: when
// the frames run out, its next fault has no frame and the kernel kills it
// with "out of memory" (the manifest's `kills` rule). The parent checks
//   - the eater was killed (eater-killed), with exactly one bad fault;
//   - frames_free and vpages_in_use are back where they were (frames-back,
//     vpages-back): every frame the eater's faults took, its page tables and
//     its vpages were given back;
//   - memory can be had again: 64 fresh pages fault in, one frame each, and
//     read as zero (allocate-after-oom).
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kMoreThanFree = 64; // pages mapped beyond the free frames
constexpr uint32_t kAfterPages = 64;

int eater()
{
    warm_stack();
    VmStat now = vm_now();
    uint32_t pages = now.frames_free + kMoreThanFree;
    void* mapped = sys::mmap(nullptr, pages * 4096, kMapWrite);
    if (!check("eater-maps-more-than-free", !is_error(mapped), "mmap(%u pages) = %p (%u frames free)", pages, mapped,
            now.frames_free))
        return 1;
    auto* area = static_cast<volatile uint8_t*>(mapped);
    for (uint32_t page = 0; page < pages; ++page)
        area[page * 4096] = 1;
    check("eater-should-not-survive", false, "%u pages touched, %u frames were free", pages, now.frames_free);
    return 2;
}

int spawn_and_wait(const char* role, int* pid)
{
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s role=%s", verdict_token(), role);
    *pid = sys::spawn("eat-memory", child_args);
    int status = -100;
    int reaped = *pid > 0 ? sys::wait(*pid, &status) : *pid;
    return reaped == *pid ? status : -100;
}

int parent()
{
    warm_stack();
    int pid = 0;
    int status = spawn_and_wait("none", &pid);
    check("warm-up-child", status == 0, "spawn = %d, status %d", pid, status);

    VmStat before = vm_now();
    status = spawn_and_wait("eater", &pid);
    VmDelta d = vm_delta(before, vm_now());
    value("frames_free_before", before.frames_free);
    check("eater-killed", pid > 0 && status == kill_status(kKillBadAccess) && d.bad == 1,
        "spawn = %d, status %d (killed is %d), %d bad faults", pid, status, kill_status(kKillBadAccess), d.bad);
    check("frames-back", d.frames_taken == 0, "frames free %u before the eater, %u after", before.frames_free,
        before.frames_free - d.frames_taken);
    check("vpages-back", d.vpages_made == 0, "vpages in use %u before the eater, %u after", before.vpages_in_use,
        before.vpages_in_use + d.vpages_made);

    // Memory can be had again.
    void* after = sys::mmap(nullptr, kAfterPages * 4096, kMapWrite);
    bool mapped = !is_error(after);
    auto* area = static_cast<volatile uint32_t*>(after);
    VmStat before_touch = vm_now();
    uint32_t nonzero = 0;
    for (uint32_t page = 0; mapped && page < kAfterPages; ++page)
        nonzero += area[page * 1024] != 0;
    VmDelta touch = vm_delta(before_touch, vm_now());
    check("allocate-after-oom", mapped && nonzero == 0 && touch.zero_fill == int32_t(kAfterPages)
            && touch.frames_taken == int32_t(kAfterPages),
        "mmap %s; %u pages: %d zero fills, %d frames, %u nonzero", mapped ? "ok" : "failed", kAfterPages,
        touch.zero_fill, touch.frames_taken, nonzero);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    ArgValue role = arg(args, "role");
    if (role.is("eater"))
        return eater();
    if (role.is("none"))
        return 0;
    return parent();
}
