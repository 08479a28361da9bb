// Lab 6: the user-space pager's request table and the page-in, page-out and
// release steps. Read os/vm/pager.h first: it fixes the id format, the order
// of the checks and the numbered steps. os/vm/store.h says what a store
// does; lab 5's collector calls start_page_out through PagerStore::write.
#include "vm/pager.h"

#include "arch/mmu.h"
#include "kernel/lab.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "vm/frame_array.h"
#include "vm/resolve.h"
#include "vm/store.h"

namespace pager {

uint32_t RequestTable::issue(Kind kind, uint8_t store, uint32_t offset, VPageRef vpage, uint32_t frame,
    uint32_t deadline)
{
    // TODO(lab 6): refuse if `store` holds kMaxPerPager slots already
    // (in_flight(store)). Take the first free slot s; its id is
    // make_id(s, next_tag()), drawn again while it equals m_last_id[s]
    // (remember the new one there). Fill the entry, not received yet.
    (void)kind;
    (void)store;
    (void)offset;
    (void)vpage;
    (void)frame;
    (void)deadline;
    LAB_TODO(6);
    return kNoRequest;
}

Verdict RequestTable::check(const Reply& reply, uint8_t from_store) const
{
    // TODO(lab 6): the checks of pager.h in their order; the first that
    // fails decides. Compare the whole id (slot and tag) with the entry's,
    // and the entry's store with from_store, before any other field.
    (void)reply;
    (void)from_store;
    LAB_TODO(6);
    return Verdict::UnknownId;
}

Request RequestTable::retire(uint32_t id)
{
    // TODO(lab 6): find(id) (VERIFY it is in flight), keep a copy, clear
    // the entry (Request {}): the slot is free. Return the copy.
    (void)id;
    LAB_TODO(6);
    return Request {};
}

uint32_t RequestTable::next_expired(uint32_t now) const
{
    // TODO(lab 6): the id of any slot in use whose deadline < now.
    (void)now;
    LAB_TODO(6);
    return kNoRequest;
}

uint32_t start_page_in(RequestTable& table, uint8_t store, VPageRef vpage, uint32_t deadline)
{
    // TODO(lab 6): page-in step 1: issue a PageIn for the vpage's offset.
    (void)table;
    (void)store;
    (void)vpage;
    (void)deadline;
    LAB_TODO(6);
    return kNoRequest;
}

Verdict accept_page_in(RequestTable& table, const Reply& reply, uint8_t from_store, const void* data)
{
    // TODO(lab 6): page-in step 4: check(); a new frame (none: NoFrame,
    // nothing changed); copy the data onto it (mmu::phys_to_virt); retire
    // the request; vm::page_arrived(vpage, frame).
    (void)table;
    (void)reply;
    (void)from_store;
    (void)data;
    LAB_TODO(6);
    return Verdict::UnknownId;
}

uint32_t start_page_out(RequestTable& table, uint8_t store, VPageRef vpage, uint32_t deadline)
{
    // TODO(lab 6): page-out step 1: issue a PageOut (the vpage's offset
    // and frame); only if that worked, pin the frame (frames().map_up)
    // and clear VPage::kDirty.
    (void)table;
    (void)store;
    (void)vpage;
    (void)deadline;
    LAB_TODO(6);
    return kNoRequest;
}

Verdict accept_page_out(RequestTable& table, const Reply& reply, uint8_t from_store)
{
    // TODO(lab 6): page-out step 3: check(); retire; vm::page_written.
    (void)table;
    (void)reply;
    (void)from_store;
    LAB_TODO(6);
    return Verdict::UnknownId;
}

uint32_t start_release(RequestTable& table, uint8_t store, uint32_t offset, uint32_t deadline)
{
    // TODO(lab 6): release step 1: issue a Release for the offset.
    (void)table;
    (void)store;
    (void)offset;
    (void)deadline;
    LAB_TODO(6);
    return kNoRequest;
}

void fail(RequestTable& table, uint32_t id, int32_t error)
{
    // TODO(lab 6): retire the request; a PageIn: fail_waiters(vpage,
    // error); a PageOut: vm::page_written(frame, false).
    (void)table;
    (void)id;
    (void)error;
    LAB_TODO(6);
}

} // namespace pager
