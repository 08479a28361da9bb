// Lab 4: copy-on-write. Read os/vm/copy_on_write.h first: the picture there
// is what fork_space() and copy_on_write() must produce.
#include "vm/copy_on_write.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/lab.h"
#include "lib/verify.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/store.h"

using paging::PageTableEntry;

namespace vm {

bool fork_space(AddressSpace& parent, AddressSpace& child)
{
    // TODO(lab 4): walk the parent's user entries; map each vpage into the
    // child as the table in copy_on_write.h says. A parent entry that
    // becomes read-only must be flushed from the TLB, and keeps its A and
    // D bits (set_writable(false), not a new entry: lab 5 reads D).
    // Walking: parent.entry(base, false) for base a multiple of 4 MiB is
    // the first of the 1024 entries of that page table (nullptr: none).
    (void)parent;
    (void)child;
    LAB_TODO(4);
    return false;
}

FaultResult copy_on_write(AddressSpace& space, uint32_t page)
{
    // TODO(lab 4): the last-mapping shortcut (refs == 1: clear the flag,
    // make the entry writable, flush), or a copy: a new anonymous vpage on
    // a new frame (mmu::copy_frame), then unmap the old mapping and map the
    // copy read-write in its place. Out of frames or vpages: OutOfMemory
    // with nothing changed (get both before you unmap anything).
    (void)space;
    (void)page;
    LAB_TODO(4);
    return FaultResult::OutOfMemory;
}

} // namespace vm
