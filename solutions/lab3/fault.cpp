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
    // @solution-begin
    uint32_t address = fault.address();
    uint32_t page = paging::page_round_down(address);

    // 1. Permission: is there a mapping, and may it do this access?
    if (address < layout::kUserBottom)
        return FaultResult::BadNull;
    if (address >= layout::kUserTop)
        return FaultResult::BadKernelHalf;
    PageTableEntry* e = space.entry(page, false);
    if (!e || e->is_empty())
        return FaultResult::BadUnmapped;
    // Step 2 of the seed: the vpage, through the frame's descriptor for a
    // present entry, straight from a not-present one.
    VPageRef ref = e->is_present() ? frames().owner(e->frame()) : AddressSpace::entry_vpage(*e);
    VERIFY_MSG(ref != kNoVPage, "fault at 0x%08x: entry 0x%08x leads to no vpage", address, e->raw());
    VPage* vp = vpages().get(ref);
    bool copy_on_write_page = vp->flags & VPage::kCopyOnWrite;
    if (fault.is_write() && !AddressSpace::entry_writable(*e) && !copy_on_write_page)
        return FaultResult::BadReadOnly;

    FaultResult result = FaultResult::Spurious;
    if (!e->is_present()) {
        if (vp->is_resident()) {
            // 2. Resident map: the page is on a frame already (another
            //    mapping brought it in). No new frame.
            make_present(e, vp);
            result = FaultResult::MappedResident;
        } else if (vp->store == kAnonymous) {
            // 3. Zero fill: the first touch of anonymous memory.
            uint32_t frame = frames().allocate();
            if (frame == FrameArray::kNoFrame)
                return FaultResult::OutOfMemory;
            mmu::zero_frame(frame);
            vpage_attach(ref, frame);
            make_present(e, vp);
            result = FaultResult::ZeroFilled;
        }
    }

    // 4. Copy-on-write: a write to a page shared by fork (lab 4).
    if (e->is_present() && fault.is_write() && copy_on_write_page)
        return copy_on_write(space, page);

    // 5. Store: the page is somewhere else. One request per page: if
    //    threads wait already, the request is in flight.
    if (!e->is_present()) {
        Store* s = store(vp->store);
        if (!s)
            return FaultResult::NoStore;
        if (vp->waiters == 0 && !s->request(ref))
            return FaultResult::NoStore;
        return FaultResult::Queued;
    }

    // The entry allowed the access already: a stale TLB entry faulted.
    if (result == FaultResult::Spurious)
        mmu::invalidate_page(page);
    return result;
    // @solution-else
    // // TODO(lab 3): the five steps of fault.h, in that order.
    // //   1. Permission: NULL page, kernel half, no entry (space.entry(page,
    // //      false)); then the vpage (present: frames().owner(frame); not
    // //      present: AddressSpace::entry_vpage) and "may this mapping
    // //      write?" (entry_writable, or the vpage is copy-on-write).
    // //      Refuse before allocating anything.
    // //   2. Not present, vpage resident: make_present().
    // //   3. Not present, anonymous (store kAnonymous): a frame, zeroed with
    // //      mmu::zero_frame, attached to the vpage, then make_present().
    // //      No frame: OutOfMemory, nothing changed.
    // //   4. A write to a copy-on-write page, now present: copy_on_write().
    // //   5. Still not present: ask store(vp->store) (once per page: not
    // //      while vp->waiters != 0); no store: NoStore.
    // //   A fault on an entry that already allows the access is Spurious:
    // //   flush that page from the TLB.
    // (void)space;
    // (void)fault;
    // LAB_TODO(3);
    // return FaultResult::BadUnmapped;
    // @solution-end
}

} // namespace vm
