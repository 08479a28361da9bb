// swap-fork: fork and swap together (lab 5). The parent fills a private
// buffer of `percent` (default 150) % of the free frames, then forks: every
// page is shared copy-on-write, and most of them go out to swap while the
// two processes work, so a shared page is paged out once for both.
//   child-sees-parent-data   the child reads the parent's pattern everywhere
//   child-writes-own-copy    it writes its own tag to the even pages and reads
//                            its tag there and the parent's on the odd ones
//   parent-data-intact       after the child exited, the parent still reads
//                            its own pattern on every page
//   swapped                  pages went out and came back during the run
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kParentTag = 11, kChildTag = 12;

} // namespace

int main(const char* args)
{
    verdict_init(args);
    VmStat before = vm_now();
    uint32_t pages = uint32_t(uint64_t(before.frames_free) * arg(args, "percent").number(150) / 100);
    value("buffer_pages", pages);
    void* mapped = sys::mmap(nullptr, pages * kPageSize, kMapWrite);
    if (!check("mmap", !is_error(mapped), "mmap(%u pages) = %p", pages, mapped))
        return 1;
    auto* base = static_cast<uint32_t*>(mapped);
    for (uint32_t p = 0; p < pages; ++p)
        fill_page(base + p * kPageWords, kParentTag, p);

    int pid = sys::fork();
    if (pid == 0) {
        uint32_t bad = buffer_mismatches(base, pages, kParentTag, kParentTag);
        check("child-sees-parent-data", bad == 0, "%u words differ from the parent's pattern", bad);
        for (uint32_t p = 0; p < pages; p += 2)
            fill_page(base + p * kPageWords, kChildTag, p);
        bad = buffer_mismatches(base, pages, kChildTag, kParentTag);
        check("child-writes-own-copy", bad == 0, "%u words differ", bad);
        return verdict_status();
    }
    int status = -100;
    check("child-exit-0", pid > 0 && sys::wait(pid, &status) == pid && status == 0, "fork = %d, status %d", pid,
        status);
    uint32_t bad = buffer_mismatches(base, pages, kParentTag, kParentTag);
    check("parent-data-intact", bad == 0, "%u words differ from the parent's pattern", bad);
    check_swapped(before);
    sys::munmap(mapped, pages * kPageSize);
    return verdict_status();
}
