// Lab 2, part 2: address spaces. Read os/vm/address_space.h first: it fixes
// the entry encoding and the counts that map() and unmap() keep exact.
#include "vm/address_space.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "kernel/heap.h"
#include "kernel/lab.h"
#include "lib/new.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "vm/frame_array.h"

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

namespace {
[[maybe_unused]] constexpr uint32_t kUserDirectoryEntries = paging::directory_index(layout::kUserTop); // 768
}

PageTableEntry AddressSpace::not_present_entry(VPageRef vpage, bool writable)
{
    // @solution-begin
    VERIFY(vpage != kNoVPage && vpage < (1u << 30));
    return PageTableEntry::make_not_present((vpage << 1) | (writable ? 1 : 0));
    // @solution-else
    // // TODO(lab 2): the encoding in the diagram of address_space.h.
    // (void)vpage;
    // (void)writable;
    // LAB_TODO(2);
    // return PageTableEntry();
    // @solution-end
}

VPageRef AddressSpace::entry_vpage(PageTableEntry e)
{
    // @solution-begin
    return e.payload() >> 1;
    // @solution-else
    // (void)e;
    // LAB_TODO(2);
    // return kNoVPage;
    // @solution-end
}

bool AddressSpace::entry_writable(PageTableEntry e)
{
    // @solution-begin
    return e.is_present() ? e.is_writable() : (e.payload() & 1);
    // @solution-else
    // (void)e;
    // LAB_TODO(2);
    // return false;
    // @solution-end
}

AddressSpace* AddressSpace::create()
{
    // @solution-begin
    uint32_t directory = frames().allocate();
    if (directory == FrameArray::kNoFrame)
        return nullptr;
    void* memory = kmalloc(sizeof(AddressSpace));
    if (!memory) {
        frames().free(directory);
        return nullptr;
    }
    auto* space = new (memory) AddressSpace;
    space->m_directory = directory;
    PageDirectoryEntry* mine = space->directory_entries();
    auto* kernel = static_cast<const PageDirectoryEntry*>(mmu::phys_to_virt(s_kernel_directory));
    memset(mine, 0, kUserDirectoryEntries * sizeof(PageDirectoryEntry));
    memcpy(mine + kUserDirectoryEntries, kernel + kUserDirectoryEntries,
        (paging::kEntriesPerTable - kUserDirectoryEntries) * sizeof(PageDirectoryEntry));
    return space;
    // @solution-else
    // // TODO(lab 2): a directory frame, user half zeroed, kernel half copied
    // // from the kernel directory (s_kernel_directory).
    // LAB_TODO(2);
    // return nullptr;
    // @solution-end
}

PageTableEntry* AddressSpace::entry(uint32_t linear, bool create)
{
    // @solution-begin
    PageDirectoryEntry& pde = directory_entries()[paging::directory_index(linear)];
    if (!pde.is_present()) {
        if (!create)
            return nullptr;
        uint32_t table = frames().allocate();
        if (table == FrameArray::kNoFrame)
            return nullptr;
        memset(mmu::phys_to_virt(table), 0, paging::kPageSize);
        pde = PageDirectoryEntry::make_table(table);
    }
    VERIFY_MSG(!pde.is_large(), "entry(0x%08x): a 4 MiB page is not a user mapping", linear);
    auto* table = static_cast<PageTableEntry*>(mmu::phys_to_virt(pde.table()));
    return &table[paging::table_index(linear)];
    // @solution-else
    // // TODO(lab 2): walk the directory to the page table (allocating and
    // // zeroing a table frame if `create`) and return the entry.
    // (void)linear;
    // (void)create;
    // LAB_TODO(2);
    // return nullptr;
    // @solution-end
}

MapResult AddressSpace::map(uint32_t linear, VPageRef vpage, Access access)
{
    // @solution-begin
    if (!paging::is_page_aligned(linear) || !layout::is_user_address(linear))
        return MapResult::BadAddress;
    PageTableEntry* e = entry(linear, true);
    if (!e)
        return MapResult::OutOfMemory;
    if (!e->is_empty())
        return MapResult::AlreadyMapped;
    bool writable = access == Access::ReadWrite;
    vpage_ref(vpage);
    const VPage* vp = vpages().get(vpage);
    if (vp->is_resident()) {
        frames().map_up(vp->frame);
        *e = PageTableEntry::make_present(vp->frame, writable, true);
    } else {
        *e = not_present_entry(vpage, writable);
    }
    // The entry was empty, so no TLB entry can exist for it: nothing to flush.
    return MapResult::Ok;
    // @solution-else
    // // TODO(lab 2): check the address, find or make the entry, refuse a
    // // used entry, take a vpage reference, and write a present entry (frame
    // // map count up) or a not-present one.
    // (void)linear;
    // (void)vpage;
    // (void)access;
    // LAB_TODO(2);
    // return MapResult::BadAddress;
    // @solution-end
}

void AddressSpace::release_entry(uint32_t linear, PageTableEntry* e)
{
    // @solution-begin
    PageTableEntry old = *e;
    *e = PageTableEntry();
    VPageRef vpage;
    if (old.is_present()) {
        mmu::invalidate_page(linear);
        vpage = frames().owner(old.frame());
        VERIFY_MSG(vpage != kNoVPage, "unmap(0x%08x): frame 0x%08x has no vpage", linear, old.frame());
        if (old.is_dirty())
            vpages().get(vpage)->flags |= VPage::kDirty;
        frames().map_down(old.frame());
    } else {
        vpage = entry_vpage(old);
    }
    vpage_unref(vpage);
    // @solution-else
    // // TODO(lab 2): clear the entry; if it was present: flush the TLB entry,
    // // find the vpage through the frame, pass on the dirty bit, map count
    // // down. Then drop the vpage reference.
    // (void)linear;
    // (void)e;
    // LAB_TODO(2);
    // @solution-end
}

bool AddressSpace::unmap(uint32_t linear)
{
    // @solution-begin
    if (!layout::is_user_address(linear))
        return false;
    PageTableEntry* e = entry(paging::page_round_down(linear), false);
    if (!e || e->is_empty())
        return false;
    release_entry(paging::page_round_down(linear), e);
    return true;
    // @solution-else
    // (void)linear;
    // LAB_TODO(2);
    // return false;
    // @solution-end
}

Lookup AddressSpace::lookup(uint32_t linear)
{
    // @solution-begin
    Lookup result;
    PageTableEntry* e = layout::is_user_address(linear) ? entry(linear, false) : nullptr;
    if (!e || e->is_empty())
        return result;
    result.writable = entry_writable(*e);
    if (e->is_present()) {
        result.kind = Lookup::Kind::Present;
        result.frame = e->frame();
        result.vpage = frames().owner(e->frame());
    } else {
        result.kind = Lookup::Kind::NotPresent;
        result.vpage = entry_vpage(*e);
    }
    return result;
    // @solution-else
    // (void)linear;
    // LAB_TODO(2);
    // return Lookup();
    // @solution-end
}

void AddressSpace::destroy()
{
    // @solution-begin
    VERIFY_MSG(mmu::current_directory() != m_directory, "destroy of the active address space");
    PageDirectoryEntry* dir = directory_entries();
    for (uint32_t d = 0; d < kUserDirectoryEntries; ++d) {
        if (!dir[d].is_present())
            continue;
        auto* table = static_cast<PageTableEntry*>(mmu::phys_to_virt(dir[d].table()));
        for (uint32_t t = 0; t < paging::kEntriesPerTable; ++t)
            if (!table[t].is_empty())
                release_entry((d << 22) | (t << 12), &table[t]);
        frames().free(dir[d].table());
        dir[d] = PageDirectoryEntry();
    }
    frames().free(m_directory);
    this->~AddressSpace();
    kfree(this);
    // @solution-else
    // // TODO(lab 2): release every user entry, free every page table, the
    // // directory frame, and this object (made by create() with kmalloc).
    // LAB_TODO(2);
    // @solution-end
}
