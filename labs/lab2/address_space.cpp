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
    // TODO(lab 2): the encoding in the diagram of address_space.h.
    (void)vpage;
    (void)writable;
    LAB_TODO(2);
    return PageTableEntry();
}

VPageRef AddressSpace::entry_vpage(PageTableEntry e)
{
    (void)e;
    LAB_TODO(2);
    return kNoVPage;
}

bool AddressSpace::entry_writable(PageTableEntry e)
{
    (void)e;
    LAB_TODO(2);
    return false;
}

AddressSpace* AddressSpace::create()
{
    // TODO(lab 2): a directory frame, user half zeroed, kernel half copied
    // from the kernel directory (s_kernel_directory).
    LAB_TODO(2);
    return nullptr;
}

PageTableEntry* AddressSpace::entry(uint32_t linear, bool create)
{
    // TODO(lab 2): walk the directory to the page table (allocating and
    // zeroing a table frame if `create`) and return the entry.
    (void)linear;
    (void)create;
    LAB_TODO(2);
    return nullptr;
}

MapResult AddressSpace::map(uint32_t linear, VPageRef vpage, Access access)
{
    // TODO(lab 2): check the address, find or make the entry, refuse a
    // used entry, take a vpage reference, and write a present entry (frame
    // map count up) or a not-present one.
    (void)linear;
    (void)vpage;
    (void)access;
    LAB_TODO(2);
    return MapResult::BadAddress;
}

void AddressSpace::release_entry(uint32_t linear, PageTableEntry* e)
{
    // TODO(lab 2): clear the entry; if it was present: flush the TLB entry,
    // find the vpage through the frame, pass on the dirty bit, map count
    // down. Then drop the vpage reference.
    (void)linear;
    (void)e;
    LAB_TODO(2);
}

bool AddressSpace::unmap(uint32_t linear)
{
    (void)linear;
    LAB_TODO(2);
    return false;
}

Lookup AddressSpace::lookup(uint32_t linear)
{
    (void)linear;
    LAB_TODO(2);
    return Lookup();
}

void AddressSpace::destroy()
{
    // TODO(lab 2): release every user entry, free every page table, the
    // directory frame, and this object (made by create() with kmalloc).
    LAB_TODO(2);
}
