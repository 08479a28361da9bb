// Lab 5: the clock collector. Read os/vm/collector.h first: its four
// numbered steps are the four functions below. os/vm/store.h says what a
// store does with write(); os/proc/process.h has the recency list.
#include "vm/collector.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/lab.h"
#include "lib/verify.h"
#include "proc/process.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/store.h"
#include "vm/vpage.h"

using paging::PageTableEntry;

namespace {

[[maybe_unused]] constexpr uint32_t kUserPages = (layout::kUserTop - layout::kUserBottom) / paging::kPageSize;
[[maybe_unused]] constexpr uint32_t kTableSpan = paging::kPageSize * paging::kEntriesPerTable; // 4 MiB

// The page after `page` in user space, wrapping from the top to the bottom.
[[maybe_unused]] uint32_t next_user_page(uint32_t page)
{
    page += paging::kPageSize;
    return page >= layout::kUserTop ? layout::kUserBottom : page;
}

} // namespace

namespace vm {

ScanResult scan_space(AddressSpace& space, uint32_t start, uint32_t quota)
{
    // @solution-begin
    ScanResult r;
    uint32_t page = layout::is_user_address(start) && paging::is_page_aligned(start) ? start : layout::kUserBottom;
    for (uint32_t seen = 0; seen < kUserPages && r.taken < quota;) {
        PageTableEntry* e = space.entry(page, false);
        if (!e) {
            // No page table: skip the rest of its 4 MiB (wrapping at the top).
            uint32_t skip = (kTableSpan - (page & (kTableSpan - 1))) / paging::kPageSize;
            seen += skip;
            page += skip * paging::kPageSize;
            if (page >= layout::kUserTop || page == 0)
                page = layout::kUserBottom;
            continue;
        }
        ++seen;
        uint32_t here = page;
        page = next_user_page(page);
        if (!e->is_present())
            continue;
        ++r.scanned;
        if (e->is_accessed()) {
            // Used since the last look: a second chance.
            e->set_accessed(false);
            mmu::invalidate_page(here);
            ++r.cleared;
            continue;
        }
        // Not used since the last look: take it.
        uint32_t frame = e->frame();
        VPageRef ref = frames().owner(frame);
        VERIFY_MSG(ref != kNoVPage, "collector: 0x%08x maps frame 0x%08x, which has no vpage", here, frame);
        if (e->is_dirty())
            vpages().get(ref)->flags |= VPage::kDirty;
        *e = AddressSpace::not_present_entry(ref, AddressSpace::entry_writable(*e));
        mmu::invalidate_page(here);
        ++r.taken;
        if (frames().map_down(frame) == 0)
            frame_unmapped(frame);
    }
    r.next = page;
    return r;
    // @solution-else
    // // TODO(lab 5): step 2 of collector.h. Start at `start` (or at
    // // layout::kUserBottom if it is not a user page), walk page by page
    // // (next_user_page), at most kUserPages pages and until `quota` taken:
    // //   - no page table (space.entry(page, false) == nullptr): skip the
    // //     rest of its 4 MiB (kTableSpan) at once, counting those pages as
    // //     seen (a page at a time costs a million steps per scan);
    // //   - not present: nothing to do;
    // //   - present and accessed: clear A, mmu::invalidate_page, it stays;
    // //   - present, not accessed: the vpage through frames().owner(); pass D
    // //     on (VPage::kDirty); write AddressSpace::not_present_entry(vpage,
    // //     entry_writable(old entry)); flush; map count down; at zero
    // //     frame_unmapped(frame).
    // // Count scanned / cleared / taken, and set `next`.
    // (void)space;
    // (void)start;
    // (void)quota;
    // LAB_TODO(5);
    // return ScanResult { 0, 0, 0, layout::kUserBottom };
    // @solution-end
}

void frame_unmapped(uint32_t frame)
{
    // @solution-begin
    VPageRef ref = frames().owner(frame);
    VERIFY_MSG(ref != kNoVPage, "frame_unmapped(0x%08x): the frame has no vpage", frame);
    VERIFY_MSG(frames().map_count(frame) == 0, "frame_unmapped(0x%08x): still mapped %u times", frame,
        frames().map_count(frame));
    VPage* vp = vpages().get(ref);
    if (vp->is_dirty()) {
        // Newer than any copy in a store: write it out; the frame stays with
        // the vpage until the write is done (write_done). No store, or no
        // room in it: the page stays in memory.
        Store* s = store_for_write(*vp);
        if (s)
            s->write(ref);
        return;
    }
    // Clean: its store has it (or it is an untouched anonymous page, which
    // the next fault zero-fills again). Detach and free.
    vp->frame = 0;
    frames().set_owner(frame, kNoVPage);
    frames().free(frame);
    // @solution-else
    // // TODO(lab 5): step 3 of collector.h. Dirty: store_for_write(*vp)
    // // ->write(vpage) (no store: leave it). Clean: the vpage is no longer
    // // resident (vp->frame = 0, the frame's owner kNoVPage); free the frame.
    // (void)frame;
    // LAB_TODO(5);
    // @solution-end
}

uint32_t collect(uint32_t wanted, uint32_t quota)
{
    // @solution-begin
    uint32_t taken = 0;
    // Two turns for every process: the first may only clear accessed bits.
    uint32_t turns = 2 * process::live_count();
    for (uint32_t turn = 0; turn < turns && taken < wanted; ++turn) {
        Process* p = process::least_recent();
        if (!p)
            break;
        uint32_t want = wanted - taken;
        taken += scan_process(*p, want < quota ? want : quota);
    }
    return taken;
    // @solution-else
    // // TODO(lab 5): step 1 of collector.h. Until `wanted` are taken, at most
    // // 2 * process::live_count() turns: scan_process() the process at the
    // // bottom (process::least_recent()) for at most `quota` (and no more than
    // // is still wanted). scan_process moves it to the top.
    // (void)wanted;
    // (void)quota;
    // LAB_TODO(5);
    // return 0;
    // @solution-end
}

void write_done(uint32_t frame, bool ok)
{
    // @solution-begin
    // The store's pin goes. Still mapped: someone faulted the page back in
    // while it was on its way out; it stays, nothing to read back.
    if (frames().map_down(frame) > 0)
        return;
    VPageRef ref = frames().owner(frame);
    if (ref == kNoVPage) {
        // The vpage died during the write (its process exited).
        frames().free(frame);
        return;
    }
    if (!ok) {
        vpages().get(ref)->flags |= VPage::kDirty; // the store does not have it
        return;
    }
    frame_unmapped(frame); // clean now (or written again meanwhile: out again)
    // @solution-else
    // // TODO(lab 5): step 4 of collector.h: drop the store's pin (map count
    // // down). Still mapped: keep it. No owner: free the frame. Failed: the
    // // vpage is dirty again and stays. Otherwise decide as in step 3.
    // (void)frame;
    // (void)ok;
    // LAB_TODO(5);
    // @solution-end
}

} // namespace vm
