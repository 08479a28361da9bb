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
    // TODO(lab 5): step 2 of collector.h. Start at `start` (or at
    // layout::kUserBottom if it is not a user page), walk page by page
    // (next_user_page), at most kUserPages pages and until `quota` taken:
    //   - no page table (space.entry(page, false) == nullptr): skip the
    //     rest of its 4 MiB (kTableSpan) at once, counting those pages as
    //     seen (a page at a time costs a million steps per scan);
    //   - not present: nothing to do;
    //   - present and accessed: clear A, mmu::invalidate_page, it stays;
    //   - present, not accessed: the vpage through frames().owner(); pass D
    //     on (VPage::kDirty); write AddressSpace::not_present_entry(vpage,
    //     entry_writable(old entry)); flush; map count down; at zero
    //     frame_unmapped(frame).
    // Count scanned / cleared / taken, and set `next`.
    (void)space;
    (void)start;
    (void)quota;
    LAB_TODO(5);
    return ScanResult { 0, 0, 0, layout::kUserBottom };
}

void frame_unmapped(uint32_t frame)
{
    // TODO(lab 5): step 3 of collector.h. Dirty: store_for_write(*vp)
    // ->write(vpage) (no store: leave it). Clean: the vpage is no longer
    // resident (vp->frame = 0, the frame's owner kNoVPage); free the frame.
    (void)frame;
    LAB_TODO(5);
}

uint32_t collect(uint32_t wanted, uint32_t quota)
{
    // TODO(lab 5): step 1 of collector.h. Until `wanted` are taken, at most
    // 2 * process::live_count() turns: scan_process() the process at the
    // bottom (process::least_recent()) for at most `quota` (and no more than
    // is still wanted). scan_process moves it to the top.
    (void)wanted;
    (void)quota;
    LAB_TODO(5);
    return 0;
}

void write_done(uint32_t frame, bool ok)
{
    // TODO(lab 5): step 4 of collector.h: drop the store's pin (map count
    // down). Still mapped: keep it. No owner: free the frame. Failed: the
    // vpage is dirty again and stays. Otherwise decide as in step 3.
    (void)frame;
    (void)ok;
    LAB_TODO(5);
}

} // namespace vm
