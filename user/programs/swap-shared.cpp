// swap-shared: a shared mapping larger than memory survives swapping (lab 5).
// The parent maps `percent` (default 150) % of the free frames kMapShared.
//   1. a child fills every page with its tag and exits; the parent reads the
//      child's tag on every page (child-writes-seen): the shared vpages went
//      out and came back, one copy for both processes;
//   2. the parent rewrites the odd pages with its own tag; a second child
//      reads the parent's tag there and the first child's on the even pages
//      (parent-writes-seen).
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kFirstChild = 21, kParent = 22;

bool child_done(int pid)
{
    int status = -100;
    return pid > 0 && sys::wait(pid, &status) == pid && status == 0;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    VmStat before = vm_now();
    uint32_t pages = uint32_t(uint64_t(before.frames_free) * arg(args, "percent").number(150) / 100);
    value("buffer_pages", pages);
    void* mapped = sys::mmap(nullptr, pages * kPageSize, kMapWrite | kMapShared);
    if (!check("mmap-shared", !is_error(mapped), "mmap(%u pages) = %p", pages, mapped))
        return 1;
    auto* base = static_cast<uint32_t*>(mapped);

    int pid = sys::fork();
    if (pid == 0) {
        for (uint32_t p = 0; p < pages; ++p)
            fill_page(base + p * kPageWords, kFirstChild, p);
        return 0;
    }
    check("first-child-exit-0", child_done(pid), "fork = %d", pid);
    uint32_t bad = buffer_mismatches(base, pages, kFirstChild, kFirstChild);
    check("child-writes-seen", bad == 0, "%u words differ from the child's pattern", bad);

    for (uint32_t p = 1; p < pages; p += 2)
        fill_page(base + p * kPageWords, kParent, p);
    pid = sys::fork();
    if (pid == 0)
        return buffer_mismatches(base, pages, kFirstChild, kParent) == 0 ? 0 : 1;
    check("parent-writes-seen", child_done(pid), "the second child found words that differ (or fork = %d)", pid);
    check_swapped(before);
    sys::munmap(mapped, pages * kPageSize);
    return verdict_status();
}
