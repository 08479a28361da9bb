// lab2_page_tables.cpp: kernel test of lab 2 on the real MMU, one address
// space: its directory and page tables as the hardware walks them, and the
// pages read through their user addresses with the space in CR3 (see
// lab2_support.h for how the tests look before they touch).
#include "lab2_support.h"

using namespace lab2_test;

namespace {

// The first directory entry of the user half that is not zero, or
// kKernelFirst if they all are (a new space maps nothing).
uint32_t first_used_user_entry(const AddressSpace* space)
{
    auto* dir = static_cast<const uint32_t*>(mmu::phys_to_virt(space->directory()));
    uint32_t i = 0;
    while (i < kKernelFirst && dir[i] == 0)
        ++i;
    return i;
}

// The first entry of the space's page tables that is neither zero nor one of
// the `n` mapped addresses; 0 if there is none (new tables are zeroed).
uint32_t first_stray_entry(const AddressSpace* space, const uint32_t* mapped, unsigned n)
{
    auto* dir = static_cast<const PageDirectoryEntry*>(mmu::phys_to_virt(space->directory()));
    for (uint32_t d = 0; d < kKernelFirst; ++d) {
        if (!dir[d].is_present() || dir[d].is_large() || !frames().descriptor(dir[d].table()))
            continue;
        auto* table = static_cast<const PageTableEntry*>(mmu::phys_to_virt(dir[d].table()));
        for (uint32_t t = 0; t < paging::kEntriesPerTable; ++t) {
            uint32_t linear = (d << 22) | (t << 12);
            bool is_mapped = false;
            for (unsigned i = 0; i < n; ++i)
                is_mapped = is_mapped || mapped[i] == linear;
            if (!is_mapped && !table[t].is_empty())
                return linear;
        }
    }
    return 0;
}

} // namespace

// One space, resident pages in five page tables (user space's first and last
// pages included), loaded into CR3 and read through the user addresses.
// Then an address is reused after unmap while the space is active: the read
// must see the new page, not a stale TLB entry.
KTEST(lab2_page_tables)
{
    if (!frame_array_built())
        return;
    dirty_free_frames();
    Counts before = Counts::now();
    AddressSpace* space = create_space("space-created");
    if (!space)
        return;
    bool kernel_half = ktest::check("kernel-half-copied", kernel_half_copied(space),
        "directory entries 768..1023 differ from the kernel directory's");
    uint32_t used = first_used_user_entry(space);
    ktest::check("user-half-empty", used == kKernelFirst, "directory entry %u of a new space is 0x%08x, not 0", used,
        used < kKernelFirst ? static_cast<const uint32_t*>(mmu::phys_to_virt(space->directory()))[used] : 0);

    struct Page {
        uint32_t linear;
        Access access;
        uint32_t pattern;
        VPageRef vpage;
    } pages[] = {
        { 0x00001000, Access::ReadOnly, 0x11110000, kNoVPage },
        { 0x00400000, Access::ReadWrite, 0x22220000, kNoVPage },
        { 0x00401000, Access::ReadOnly, 0x33330000, kNoVPage },
        { 0x08048000, Access::ReadWrite, 0x44440000, kNoVPage },
        { 0xbffff000, Access::ReadWrite, 0x55550000, kNoVPage },
    };
    FirstFailure failed;
    for (Page& p : pages) {
        p.vpage = resident_vpage(p.pattern);
        if (p.vpage == kNoVPage) {
            failed("no resident vpage for 0x%08x", p.linear);
            continue;
        }
        MapResult r = space->map(p.linear, p.vpage, p.access);
        if (r != MapResult::Ok)
            failed("map(0x%08x) returned %d, not Ok", p.linear, int(r));
    }
    failed.report("map-resident-pages");
    uint32_t mapped[sizeof pages / sizeof pages[0]];
    for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; ++i)
        mapped[i] = pages[i].linear;
    uint32_t stray = first_stray_entry(space, mapped, sizeof pages / sizeof pages[0]);
    ktest::check("new-page-tables-zeroed", stray == 0, "the entry of 0x%08x is not empty: page tables must start zeroed",
        stray);

    for (const Page& p : pages) {
        Lookup l = space->lookup(p.linear);
        uint32_t frame = frame_of(p.vpage);
        if (l.kind != Lookup::Kind::Present || l.vpage != p.vpage || l.frame != frame
            || l.writable != (p.access == Access::ReadWrite))
            failed("lookup(0x%08x): kind %d vpage %u frame 0x%08x writable %d, expected %d (Present) %u 0x%08x %d",
                p.linear, int(l.kind), l.vpage, l.frame, l.writable, int(Lookup::Kind::Present), p.vpage, frame,
                p.access == Access::ReadWrite);
    }
    const uint32_t nothing[] = { 0x00402000, 0x00c00000 }; // an empty entry of a table; no table at all
    for (uint32_t linear : nothing)
        if (Lookup l = space->lookup(linear); l.kind != Lookup::Kind::Nothing)
            failed("lookup(0x%08x) of nothing: kind %d vpage %u, expected %d (Nothing)", linear, int(l.kind), l.vpage,
                int(Lookup::Kind::Nothing));
    failed.report("lookup-present");

    bool walks[sizeof pages / sizeof pages[0]] = {};
    for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; ++i) {
        const Page& p = pages[i];
        Walk w = walk(space->directory(), p.linear);
        uint32_t frame = frame_of(p.vpage);
        walks[i] = w.frame != FrameArray::kNoFrame && w.frame == frame;
        if (!walks[i] || !w.user || w.writable != (p.access == Access::ReadWrite))
            failed("0x%08x: the MMU finds frame 0x%08x (user %d, writable %d), expected 0x%08x", p.linear, w.frame,
                w.user, w.writable, frame);
    }
    failed.report("hardware-entries");

    if (kernel_half) {
        space->activate();
        ktest::check("space-active", mmu::current_directory() == space->directory(), "CR3 is 0x%08x, not 0x%08x",
            mmu::current_directory(), space->directory());
        for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; ++i) {
            uint32_t seen = 0;
            if (!walks[i])
                failed("0x%08x not read: it is not mapped", pages[i].linear);
            else if (!reads_pattern(pages[i].linear, pages[i].pattern, &seen))
                failed("0x%08x reads 0x%08x, expected 0x%08x", pages[i].linear, seen, pages[i].pattern);
        }
        failed.report("read-through-user-addresses");

        // Reuse of an address while the space is active. The new vpage's
        // frame is taken before the old one is freed, so they differ.
        constexpr uint32_t reused = 0x00402000;
        VPageRef old_page = resident_vpage(0x66660000), new_page = resident_vpage(0x77770000);
        uint32_t seen = 0;
        if (!old_page || !new_page)
            failed("no resident vpages for the reuse");
        else if (space->map(reused, old_page, Access::ReadWrite) != MapResult::Ok
            || walk(space->directory(), reused).frame != frame_of(old_page))
            failed("map(0x%08x) of the first vpage did not map it", reused);
        else if (!reads_pattern(reused, 0x66660000, &seen)) // now in the TLB
            failed("0x%08x reads 0x%08x before the unmap, expected 0x66660000", reused, seen);
        else if (!space->unmap(reused))
            failed("unmap(0x%08x) returned false", reused);
        else if (space->map(reused, new_page, Access::ReadWrite) != MapResult::Ok
            || walk(space->directory(), reused).frame != frame_of(new_page))
            failed("map(0x%08x) of the second vpage did not map it", reused);
        else if (!reads_pattern(reused, 0x77770000, &seen))
            failed("0x%08x reads 0x%08x after unmap and map of another page, expected 0x77770000: "
                   "a stale TLB entry (no invlpg in unmap?)", reused, seen);
        drop_unmapped(old_page); // if it is not mapped
        drop_unmapped(new_page);
        failed.report("unmap-flushes-tlb");
        back_to_kernel_directory();
    }
    space->destroy();
    check_counts_back(before);
}
