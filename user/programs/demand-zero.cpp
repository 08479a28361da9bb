// demand-zero: anonymous memory costs one fault and one frame per page
// touched, and reads as zero.
//
// For n = 1, 16 and 256 pages:
//   1. mmap n read-write pages (mmap-N). They are demand-zero: no frame yet.
//      n = 1 is at the fixed address 0x50000000 and its first touch is
//      0x50000abc: the lab-3 debugger check (fault_zero_fill.py) stops there.
//   2. Read one word of each page. Each read faults once and the page gets a
//      new zeroed frame: exactly n faults, all of them zero fills
//      (touch-N-faults), and n frames fewer (touch-N-frames). Every word of
//      every page reads 0 (touch-N-reads-zero).
//   3. Write every word. The mapping is writable, so the read already mapped
//      the page writable: no more faults, and the data stays
//      (touch-N-writes-free).
//   4. munmap: the n frames, the n vpages and the page table come back
//      (touch-N-munmap-frees).
// The stack is warmed first (vmtest.h), so that only the touched pages
// fault while the counters are measured.
#include "expected.h"
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kPageBytes = 4096;
constexpr uint32_t kPageWords = kPageBytes / 4;
constexpr uint32_t kFixedAddress = 0x50000000;
constexpr uint32_t kFirstTouch = 0xabc; // offset of the first access in each page

struct Size {
    uint32_t pages;
    bool fixed; // at kFixedAddress, else where mmap puts it
};
const Size kSizes[] = { { 1, true }, { 16, false }, { 256, false } };

uint32_t pattern(uint32_t word) { return word * 2654435761u + 0x5A5A; }

// Steps 1-4 for one size.
void touch_pages(const Size& size)
{
    uint32_t n = size.pages;
    char name[40];
    VmStat unmapped = vm_now();
    void* want = size.fixed ? reinterpret_cast<void*>(uintptr_t(kFixedAddress)) : nullptr;
    void* area = sys::mmap(want, n * kPageBytes, kMapWrite);
    format_to(name, sizeof name, "mmap-%u", n);
    if (!check(name, !is_error(area) && (!want || area == want), "mmap(%p, %u pages) = %p", want, n, area))
        return;
    auto* words = static_cast<volatile uint32_t*>(area);

    // 2. one read per page, then every word
    VmStat before = vm_now();
    uint32_t first_reads = 0;
    for (uint32_t page = 0; page < n; ++page)
        first_reads |= words[page * kPageWords + kFirstTouch / 4];
    VmDelta read = vm_delta(before, vm_now());
    uint32_t nonzero = first_reads != 0;
    for (uint32_t i = 0; i < n * kPageWords; ++i)
        nonzero += words[i] != 0;
    format_to(name, sizeof name, "touch-%u-faults", n);
    Expected touched;
    touched.equal("faults", read.faults, int32_t(n));
    touched.equal("zero fills", read.zero_fill, int32_t(n));
    touched.equal("resident maps", read.resident_map, 0);
    touched.equal("bad", read.bad, 0);
    check(name, touched.ok(), "%u pages touched: %s", n, touched.reason());
    format_to(name, sizeof name, "touch-%u-frames", n);
    check(name, read.frames_taken == int32_t(n), "%u pages touched took %d frames", n, read.frames_taken);
    format_to(name, sizeof name, "touch-%u-reads-zero", n);
    check(name, nonzero == 0, "%u words of %u fresh pages are not 0", nonzero, n);

    // 3. writes: no faults, data kept
    VmStat before_writes = vm_now();
    for (uint32_t i = 0; i < n * kPageWords; ++i)
        words[i] = pattern(i);
    VmDelta write = vm_delta(before_writes, vm_now());
    uint32_t lost = 0;
    for (uint32_t i = 0; i < n * kPageWords; ++i)
        lost += words[i] != pattern(i);
    format_to(name, sizeof name, "touch-%u-writes-free", n);
    check(name, write.faults == 0 && write.frames_taken == 0 && lost == 0,
        "writing %u read pages: %d faults, %d frames, %u words lost", n, write.faults, write.frames_taken, lost);

    // 4. munmap gives back everything mmap and the touches took: the frames,
    //    the vpages, and a page table mmap made for the area (an empty page
    //    table is freed), so the counts are those from before the mmap.
    int r = sys::munmap(area, n * kPageBytes);
    VmStat after = vm_now();
    format_to(name, sizeof name, "touch-%u-munmap-frees", n);
    Expected freed;
    freed.equal("munmap", r, 0);
    freed.equal("frames free", int32_t(after.frames_free), int32_t(unmapped.frames_free));
    freed.equal("vpages in use", int32_t(after.vpages_in_use), int32_t(unmapped.vpages_in_use));
    freed.equal("page tables", int32_t(after.page_tables), int32_t(unmapped.page_tables));
    check(name, freed.ok(), "%s", freed.reason());
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    settle_before_baseline(); // the stack, and the mmap region's page table held
    for (const Size& size : kSizes)
        touch_pages(size);
    return verdict_status();
}
