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
    // @solution-begin
    constexpr uint32_t kTableSpan = paging::kEntriesPerTable * paging::kPageSize; // 4 MiB
    for (uint32_t base = 0; base < layout::kUserTop; base += kTableSpan) {
        // entry(base) is the first entry of the page table covering
        // [base, base + 4 MiB), or nullptr if there is no such table.
        PageTableEntry* table = parent.entry(base, false);
        if (!table)
            continue;
        for (uint32_t i = 0; i < paging::kEntriesPerTable; ++i) {
            PageTableEntry& e = table[i];
            uint32_t linear = base + i * paging::kPageSize;
            if (e.is_empty())
                continue;
            VPageRef ref = e.is_present() ? frames().owner(e.frame()) : AddressSpace::entry_vpage(e);
            VPage* vp = vpages().get(ref);
            bool writable = AddressSpace::entry_writable(e);
            Access access = Access::ReadOnly;
            if (vp->flags & VPage::kShared) {
                access = writable ? Access::ReadWrite : Access::ReadOnly;
            } else if (writable || (vp->flags & VPage::kCopyOnWrite)) {
                vp->flags |= VPage::kCopyOnWrite;
                if (e.is_present() && e.is_writable()) {
                    e.set_writable(false); // keeps D: the CPU's news that the page was written
                    mmu::invalidate_page(linear);
                }
            }
            if (child.map(linear, ref, access) != MapResult::Ok)
                return false;
        }
    }
    return true;
    // @solution-else
    // // TODO(lab 4): walk the parent's user entries; map each vpage into the
    // // child as the table in copy_on_write.h says. A parent entry that
    // // becomes read-only must be flushed from the TLB, and keeps its A and
    // // D bits (set_writable(false), not a new entry: lab 5 reads D).
    // // Walking: parent.entry(base, false) for base a multiple of 4 MiB is
    // // the first of the 1024 entries of that page table (nullptr: none).
    // (void)parent;
    // (void)child;
    // LAB_TODO(4);
    // return false;
    // @solution-end
}

FaultResult copy_on_write(AddressSpace& space, uint32_t page)
{
    // @solution-begin
    PageTableEntry* e = space.entry(page, false);
    VERIFY_CONTRACT(e && e->is_present(), "copy_on_write", "the entry is present and the vpage is copy-on-write",
        "no present entry at 0x%08x", page);
    VPageRef ref = frames().owner(e->frame());
    VPage* vp = vpages().get(ref);
    VERIFY_CONTRACT(vp->flags & VPage::kCopyOnWrite, "copy_on_write", "the entry is present and the vpage is copy-on-write",
        "vpage %u at 0x%08x is not copy-on-write", ref, page);

    if (vp->refs == 1) {
        // The last mapping: nobody else can see the page, keep it.
        vp->flags &= ~VPage::kCopyOnWrite;
        e->set_writable(true); // keeps D, as fork_space did
        mmu::invalidate_page(page);
        return FaultResult::MadeWritable;
    }

    VPageRef copy = vpage_create(kAnonymous, 0);
    if (copy == kNoVPage)
        return FaultResult::OutOfMemory;
    uint32_t frame = frames().allocate();
    if (frame == FrameArray::kNoFrame) {
        vpages().destroy(copy);
        return FaultResult::OutOfMemory;
    }
    mmu::copy_frame(frame, vp->frame);
    vpage_attach(copy, frame);
    space.unmap(page); // drops our reference to the shared vpage, flushes the TLB
    MapResult r = space.map(page, copy, Access::ReadWrite);
    VERIFY_MSG(r == MapResult::Ok, "copy_on_write(0x%08x): remap failed", page);
    return FaultResult::CopiedOnWrite;
    // @solution-else
    // // TODO(lab 4): the last-mapping shortcut (refs == 1: clear the flag,
    // // make the entry writable, flush), or a copy: a new anonymous vpage on
    // // a new frame (mmu::copy_frame), then unmap the old mapping and map the
    // // copy read-write in its place. Out of frames or vpages: OutOfMemory
    // // with nothing changed (get both before you unmap anything).
    // (void)space;
    // (void)page;
    // LAB_TODO(4);
    // return FaultResult::OutOfMemory;
    // @solution-end
}

} // namespace vm
