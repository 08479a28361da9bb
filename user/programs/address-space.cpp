// address-space: where mmap puts things, what munmap gives back, and the
// range checks of every call that takes an address (issue 11, items 1-4).
//   1. mmap(NULL) reuses what munmap freed: 2,000 map/unmap rounds of 20 KiB
//      all get the same address (a pointer that only moves up fails here,
//      and runs out of address space after ~2 GiB in total).
//   2. Page tables left empty by munmap are freed: mapping a page in 64
//      different 4 MiB regions and unmapping them leaves the page-table count
//      and the free frames where they were.
//   3. Placement skips taken addresses: after a fixed mmap at the address
//      mmap(NULL) would pick next, mmap(NULL) still works and lands elsewhere; a fixed mmap over a taken
//      page is kErrInUse; the stack and its guard page are never given out.
//   4. No check wraps around 4 GiB: munmap(0xFFFFF000, 0x3000) and anything
//      in the kernel half are kErrInvalid (kErrFault for buffers), and change
//      nothing (the page at 0x1000 keeps its data).
//   5. munmap of a 2 GiB range that is almost all unmapped is bounded: its
//      instruction count is printed (VALUE munmap_2g_instructions) and must
//      stay under one instruction per 8 pages of the range (a loop over every
//      page costs dozens per page: over 25 million).
//   6. At the end every frame, vpage and page table is back.
#include "program.h"
#include "timing.h"
#include "vmtest.h"

namespace {

void* at(uint32_t address) { return reinterpret_cast<void*>(uintptr_t(address)); }
uint32_t address_of(const void* p) { return uint32_t(uintptr_t(p)); }

void reuse()
{
    void* first = sys::mmap(nullptr, 20 * 1024, kMapWrite);
    sys::munmap(first, 20 * 1024);
    uint32_t moved = 0, failed = 0;
    for (int i = 0; i < 2000; ++i) {
        void* p = sys::mmap(nullptr, 20 * 1024, kMapWrite);
        failed += is_error(p);
        moved += p != first;
        sys::munmap(p, 20 * 1024);
    }
    check("mmap-null-reuses-address", !is_error(first) && moved == 0 && failed == 0,
        "first at %p; %u of 2000 rounds elsewhere, %u failed", first, moved, failed);
}

void page_tables_freed()
{
    VmStat before = vm_now();
    uint32_t failed = 0;
    for (uint32_t i = 0; i < 64; ++i) {
        uint32_t region = 0x50000000 + i * 0x400000;
        void* p = sys::mmap(at(region), 4096, kMapWrite);
        if (p != at(region)) {
            ++failed;
            continue;
        }
        *static_cast<volatile uint32_t*>(p) = i;
        sys::munmap(p, 4096);
    }
    VmStat after = vm_now();
    check("page-tables-freed", failed == 0 && after.page_tables == before.page_tables,
        "%u mmaps failed; page tables %u -> %u", failed, before.page_tables, after.page_tables);
    check("page-table-frames-back", after.frames_free == before.frames_free, "frames free %u -> %u",
        before.frames_free, after.frames_free);
}

void placement()
{
    // Where mmap(NULL) would go next (0x40001000 here: settle_before_baseline
    // keeps 0x40000000), taken by a fixed mmap first: the case.
    void* next = sys::mmap(nullptr, 4096, kMapWrite);
    sys::munmap(next, 4096);
    uint32_t spot = address_of(next);
    void* fixed = sys::mmap(next, 4096, kMapWrite);
    void* any = sys::mmap(nullptr, 8192, kMapWrite);
    bool apart = !is_error(any) && (address_of(any) + 8192 <= spot || address_of(any) >= spot + 4096);
    check("null-skips-fixed-mapping", !is_error(next) && fixed == next && apart, "fixed %p, then mmap(NULL) = %p",
        fixed, any);
    if (!is_error(fixed) && !is_error(any)) {
        *static_cast<volatile uint32_t*>(fixed) = 0xF1;
        static_cast<volatile uint32_t*>(any)[0] = 0xA1;
        static_cast<volatile uint32_t*>(any)[1024] = 0xA2;
        check("both-keep-their-data", *static_cast<volatile uint32_t*>(fixed) == 0xF1
                && static_cast<volatile uint32_t*>(any)[0] == 0xA1 && static_cast<volatile uint32_t*>(any)[1024] == 0xA2);
    }
    void* again = sys::mmap(next, 4096, kMapWrite);
    check("fixed-over-taken-is-in-use", error_of(again) == kErrInUse, "mmap(%p) again = %p", next, again);
    void* over_program = sys::mmap(at(0x00400000), 4096, kMapWrite);
    check("fixed-over-program-is-in-use", error_of(over_program) == kErrInUse, "mmap(0x00400000) = %p", over_program);
    void* guard = sys::mmap(at(user_stack::kGuardPage), 4096, kMapWrite);
    check("fixed-on-guard-page-refused", error_of(guard) == kErrInvalid, "mmap(guard page) = %p", guard);
    void* stack = sys::mmap(at(user_stack::kBottom), 4096, kMapWrite);
    check("fixed-on-stack-refused", error_of(stack) == kErrInvalid, "mmap(stack) = %p", stack);
    sys::munmap(fixed, 4096);
    sys::munmap(any, 8192);
    // munmap of the stack's range gives nothing to mmap(NULL).
    sys::munmap(at(user_stack::kGuardPage), 4096);
    void* after = sys::mmap(nullptr, 4096, kMapWrite);
    check("guard-page-never-handed-out", !is_error(after) && address_of(after) != user_stack::kGuardPage,
        "mmap(NULL) = %p", after);
    sys::munmap(after, 4096);
}

void no_wrap()
{
    VmStat before = vm_now();
    void* low = sys::mmap(at(0x1000), 4096, kMapWrite);
    if (!check("map-page-0x1000", low == at(0x1000), "mmap(0x1000) = %p", low))
        return;
    *static_cast<volatile uint32_t*>(low) = 0x1234ABCD;
    int wrap = sys::munmap(at(0xFFFFF000), 0x3000);
    check("munmap-wrapping-refused", wrap == kErrInvalid, "munmap(0xFFFFF000, 0x3000) = %d", wrap);
    check("page-0x1000-untouched", *static_cast<volatile uint32_t*>(low) == 0x1234ABCD);
    int kernel = sys::munmap(at(0xC0100000), 4096);
    check("munmap-kernel-half-refused", kernel == kErrInvalid, "munmap(0xC0100000) = %d", kernel);
    void* m1 = sys::mmap(at(0xC0100000), 4096, kMapWrite);
    check("mmap-kernel-half-invalid", error_of(m1) == kErrInvalid, "mmap(0xC0100000) = %p", m1);
    void* m2 = sys::mmap(at(0xFFFFF000), 0x3000, kMapWrite);
    check("mmap-wrapping-invalid", error_of(m2) == kErrInvalid, "mmap(0xFFFFF000, 0x3000) = %p", m2);
    void* m3 = sys::mmap(nullptr, 0xFFFFF000, kMapWrite);
    check("mmap-huge-length-refused", is_error(m3), "mmap(NULL, 0xFFFFF000) = %p", m3);
    int zero = sys::munmap(at(0x40000000), 0);
    check("munmap-zero-length-invalid", zero == kErrInvalid, "munmap(0x40000000, 0) = %d", zero);
    int w = sys::write(at(0xFFFFF000), 0x3000);
    check("write-wrapping-buffer-fault", w == kErrFault, "write(0xFFFFF000, 0x3000) = %d", w);
    int v = sys::vmstat(static_cast<VmStat*>(at(0xC0100000)));
    check("vmstat-kernel-buffer-fault", v == kErrFault, "vmstat(0xC0100000) = %d", v);
    sys::munmap(low, 4096);
    VmStat after = vm_now();
    check("bad-calls-change-nothing", after.frames_free == before.frames_free
            && after.vpages_in_use == before.vpages_in_use,
        "frames %u -> %u, vpages %u -> %u", before.frames_free, after.frames_free, before.vpages_in_use,
        after.vpages_in_use);
}

void bounded_munmap()
{
    // From the second page table of the mmap region (the first holds the
    // page settle_before_baseline keeps): 2 GiB less 12 MiB, below the stack.
    constexpr uint32_t kFrom = 0x40400000, kLength = 0x80000000 - 0x00400000 * 3;
    void* a = sys::mmap(at(kFrom + 0x1000), 4096, kMapWrite);
    void* b = sys::mmap(at(kFrom + 0x10000000), 4096, kMapWrite);
    if (!is_error(a))
        *static_cast<volatile uint32_t*>(a) = 1;
    if (!is_error(b))
        *static_cast<volatile uint32_t*>(b) = 2;
    VmStat before = vm_now();
    uint64_t t0 = rdtsc();
    int r = sys::munmap(at(kFrom), kLength);
    uint64_t spent = rdtsc() - t0;
    VmStat after = vm_now();
    value("munmap_2g_instructions", spent);
    check("munmap-2g-succeeds", r == 0 && !is_error(a) && !is_error(b), "munmap = %d", r);
    check("munmap-2g-unmapped-both", after.vpages_in_use + 2 == before.vpages_in_use, "vpages %u -> %u",
        before.vpages_in_use, after.vpages_in_use);
    uint32_t pages = kLength / 4096;
    check("munmap-2g-bounded", spent < pages / 8, "%llu instructions for %u pages", (unsigned long long)spent, pages);
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    settle_before_baseline();
    VmStat start = vm_now();
    reuse();
    page_tables_freed();
    placement();
    no_wrap();
    bounded_munmap();
    VmStat end = vm_now();
    check("everything-back", end.frames_free == start.frames_free && end.vpages_in_use == start.vpages_in_use
            && end.page_tables == start.page_tables,
        "frames %u -> %u, vpages %u -> %u, page tables %u -> %u", start.frames_free, end.frames_free,
        start.vpages_in_use, end.vpages_in_use, start.page_tables, end.page_tables);
    return verdict_status();
}
