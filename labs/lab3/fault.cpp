// Lab 3: the page-fault handler. Read os/vm/fault.h first: it fixes the order
// of the checks and what each FaultResult means. os/vm/store.h says how a
// page-in goes; lab 4's copy_on_write() is called from step 4.
#include "vm/fault.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/lab.h"
#include "lib/verify.h"
#include "vm/address_space.h"
#include "vm/copy_on_write.h"
#include "vm/frame_array.h"
#include "vm/store.h"

using paging::PageTableEntry;

namespace {

// Turn the not-present entry `e` of the vpage `vp` (now resident) into a
// present one. Hardware write permission only if the mapping may write and the page
// is not copy-on-write. No TLB flush: a not-present entry is never cached.
[[maybe_unused]] void make_present(PageTableEntry* e, const VPage* vp)
{
    bool writable = AddressSpace::entry_writable(*e) && !(vp->flags & VPage::kCopyOnWrite);
    frames().map_up(vp->frame);
    *e = PageTableEntry::make_present(vp->frame, writable, true);
}

} // namespace

namespace vm {

FaultResult handle_fault(AddressSpace& space, const PageFault& fault)
{
    // TODO(lab 3): the five steps of fault.h, in that order.
    //   1. Permission: NULL page, kernel half, no entry (space.entry(page,
    //      false)); then the vpage (present: frames().owner(frame); not
    //      present: AddressSpace::entry_vpage) and "may this mapping
    //      write?" (entry_writable, or the vpage is copy-on-write).
    //      Refuse before allocating anything.
    //   2. Not present, vpage resident: make_present().
    //   3. Not present, anonymous (store kAnonymous): a frame, zeroed with
    //      mmu::zero_frame, attached to the vpage, then make_present().
    //      No frame: OutOfMemory, nothing changed.
    //   4. A write to a copy-on-write page, now present: copy_on_write().
    //   5. Still not present: ask store(vp->store) (once per page: not
    //      while vp->waiters != 0); no store: NoStore.
    //   A fault on an entry that already allows the access is Spurious:
    //   flush that page from the TLB.
    (void)space;
    (void)fault;
    LAB_TODO(3);
    return FaultResult::BadUnmapped;
}

} // namespace vm
