// mmap-munmap: anonymous memory comes and goes with exact frame counts.
//   1. mmap 4 pages read-write: the pages read as zero and keep what is
//      written; munmap returns every frame and vpage (vmstat).
//   2. A table of bad requests gets kErrInvalid and maps nothing.
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kPages = 4;

struct BadCase {
    const char* name;
    uint32_t address;
    uint32_t length;
};

const BadCase kBad[] = {
    { "mmap-unaligned-address", 0x50000123, 4096 },
    { "mmap-zero-length", 0, 0 },
    { "mmap-in-kernel-half", 0xC0000000, 4096 },
    { "mmap-crossing-into-kernel", 0xBFFFF000, 8192 },
    { "mmap-null-page", 0x00000001, 4096 },
};

} // namespace

int main(const char* args)
{
    verdict_init(args);
    // A first mapping, kept, so that the page table of the region exists
    // before the baseline and after the munmap below (an empty table is freed).
    sys::mmap(nullptr, 4096, kMapWrite);
    VmStat before = vm_now();

    void* area = sys::mmap(nullptr, kPages * 4096, kMapWrite);
    if (!check("mmap-succeeds", !is_error(area), "mmap = %d", error_of(area)))
        return verdict_status();
    auto* words = static_cast<volatile uint32_t*>(area);
    bool zero = true;
    for (uint32_t i = 0; i < kPages * 1024; ++i)
        zero = zero && words[i] == 0;
    check("new-pages-read-zero", zero);
    for (uint32_t i = 0; i < kPages * 1024; ++i)
        words[i] = i * 2654435761u;
    bool kept = true;
    for (uint32_t i = 0; i < kPages * 1024; ++i)
        kept = kept && words[i] == i * 2654435761u;
    check("pages-keep-data", kept);

    int r = sys::munmap(area, kPages * 4096);
    VmStat after = vm_now();
    check("munmap-succeeds", r == 0, "munmap = %d", r);
    check("frames-back", after.frames_free == before.frames_free, "frames free %u -> %u", before.frames_free,
        after.frames_free);
    check("vpages-back", after.vpages_in_use == before.vpages_in_use, "vpages %u -> %u", before.vpages_in_use,
        after.vpages_in_use);

    for (const BadCase& c : kBad) {
        void* got = sys::mmap(reinterpret_cast<void*>(uintptr_t(c.address)), c.length, kMapWrite);
        check(c.name, error_of(got) == kErrInvalid, "mmap(0x%08x, %u) = %p", c.address, c.length, got);
    }
    check("bad-requests-map-nothing", vm_now().frames_free == before.frames_free);
    return verdict_status();
}
