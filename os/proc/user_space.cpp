#include "proc/user_space.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "proc/abi.h"
#include "proc/process.h"
#include "vm/frame_array.h"

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

namespace {

constexpr uint32_t kTableSpan = paging::kLargePageSize; // what one page table maps: 4 MiB

PageDirectoryEntry* directory_of(AddressSpace& space)
{
    return static_cast<PageDirectoryEntry*>(mmu::phys_to_virt(space.directory()));
}

// Free the page table that maps `linear` if every entry in it is empty.
void free_table_if_empty(AddressSpace& space, uint32_t linear)
{
    PageDirectoryEntry& pde = directory_of(space)[paging::directory_index(linear)];
    if (!pde.is_present() || pde.is_large())
        return;
    auto* table = static_cast<const PageTableEntry*>(mmu::phys_to_virt(pde.table()));
    for (uint32_t i = 0; i < paging::kEntriesPerTable; ++i)
        if (!table[i].is_empty())
            return;
    uint32_t frame = pde.table();
    pde = PageDirectoryEntry();
    // The processor may cache directory entries: flush this one's.
    if (mmu::current_directory() == space.directory())
        mmu::invalidate_page(paging::page_round_down(linear));
    frames().free(frame);
}

// The part of [from, end) outside the stack and its guard page, as up to two
// ranges, made free.
int32_t release_outside_stack(Process* p, uint32_t from, uint32_t end)
{
    const uint32_t hole_lo = process::kStackGuard, hole_hi = process::kStackTop;
    if (from < hole_lo) {
        uint32_t hi = end < hole_lo ? end : hole_lo;
        if (p->free_ranges.release(from, hi - from) != FreeRanges::Result::Ok)
            return kErrNoMemory;
    }
    if (end > hole_hi) {
        uint32_t lo = from > hole_hi ? from : hole_hi;
        if (p->free_ranges.release(lo, end - lo) != FreeRanges::Result::Ok)
            return kErrNoMemory;
    }
    return 0;
}

bool overlaps_stack(uint32_t address, uint32_t length)
{
    return address < process::kStackTop && address + length > process::kStackGuard;
}

} // namespace

namespace user_space {

bool init(Process* p)
{
    return p->free_ranges.init(layout::kUserBottom, layout::kUserTop)
        && p->free_ranges.take(process::kStackGuard, process::kStackTop - process::kStackGuard)
        == FreeRanges::Result::Ok;
}

int32_t take(Process* p, uint32_t address, uint32_t length)
{
    uint32_t first = uint32_t(paging::page_round_down(address));
    uint64_t end = paging::page_round_up(uint64_t(address) + length);
    if (!layout::is_user_range(first, uint32_t(end - first)))
        return kErrInvalid;
    return p->free_ranges.take(first, uint32_t(end - first)) == FreeRanges::Result::Ok ? 0 : kErrNoMemory;
}

uint32_t unmap_range(AddressSpace& space, uint32_t from, uint32_t end)
{
    uint32_t unmapped = 0;
    for (uint32_t at = from; at < end;) {
        uint32_t table_end = (at & ~(kTableSpan - 1)) + kTableSpan; // <= kUserTop: no wrap
        uint32_t stop = end < table_end ? end : table_end;
        const PageDirectoryEntry& pde = directory_of(space)[paging::directory_index(at)];
        if (const PageTableEntry* e = pde.is_present() ? space.entry(at, false) : nullptr) {
            // The entries of one table are consecutive: only the used ones
            // cost an unmap (and its page-table walk).
            for (uint32_t page = at; page < stop; page += paging::kPageSize, ++e)
                if (!e->is_empty())
                    unmapped += space.unmap(page);
            free_table_if_empty(space, at);
        }
        at = stop;
    }
    return unmapped;
}

uint32_t page_tables(AddressSpace& space)
{
    const PageDirectoryEntry* dir = directory_of(space);
    uint32_t n = 0;
    for (uint32_t d = 0; d < paging::directory_index(layout::kUserTop); ++d)
        n += dir[d].is_present();
    return n;
}

int32_t mmap(Process* p, uint32_t address, uint32_t length, uint32_t flags)
{
    if (length == 0 || length > layout::kUserTop)
        return kErrInvalid;
    length = uint32_t(paging::page_round_up(length));
    uint32_t at = address;
    if (address) {
        if (!paging::is_page_aligned(address) || !layout::is_user_range(address, length)
            || overlaps_stack(address, length))
            return kErrInvalid;
        FreeRanges::Result r = p->free_ranges.reserve(address, length);
        if (r != FreeRanges::Result::Ok)
            return r == FreeRanges::Result::NotFree ? kErrInUse : kErrNoMemory;
    } else if (p->free_ranges.allocate(length, process::kMmapBase, &at) != FreeRanges::Result::Ok) {
        return kErrNoMemory; // no free range that long (or no memory to record it)
    }
    for (uint32_t off = 0; off < length; off += paging::kPageSize) {
        if (!process::map_zero_page(p, at + off, flags & kMapWrite, flags & kMapShared)) {
            unmap_range(*p->space, at, at + off);
            // Giving back what was just taken merges into its neighbours:
            // it needs no more room than before.
            p->free_ranges.release(at, length);
            return kErrNoMemory;
        }
    }
    return int32_t(at);
}

int32_t munmap(Process* p, uint32_t address, uint32_t length)
{
    if (length == 0 || length > layout::kUserTop)
        return kErrInvalid;
    length = uint32_t(paging::page_round_up(length));
    if (!paging::is_page_aligned(address) || !layout::is_user_range(address, length))
        return kErrInvalid;
    if (!p->free_ranges.make_room(2))
        return kErrNoMemory;
    unmap_range(*p->space, address, address + length);
    return release_outside_stack(p, address, address + length);
}

int32_t place_page(Process* p, VPageRef vpage, Access access)
{
    uint32_t at = 0;
    if (!p->space || p->free_ranges.allocate(paging::kPageSize, process::kMmapBase, &at) != FreeRanges::Result::Ok)
        return kErrNoMemory;
    if (p->space->map(at, vpage, access) != MapResult::Ok) {
        p->free_ranges.release(at, paging::kPageSize);
        free_table_if_empty(*p->space, at);
        return kErrNoMemory;
    }
    return int32_t(at);
}

} // namespace user_space
