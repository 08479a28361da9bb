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
    // @solution-begin
    if (in_flight(store) >= kMaxPerPager)
        return kNoRequest;
    for (uint32_t s = 0; s < kSlots; ++s) {
        Request& r = m_slots[s];
        if (r.in_use())
            continue;
        uint32_t id;
        do
            id = make_id(s, next_tag());
        while (id == m_last_id[s]);
        m_last_id[s] = id;
        r = Request {};
        r.id = id;
        r.offset = offset;
        r.deadline = deadline;
        r.vpage = vpage;
        r.frame = frame;
        r.store = store;
        r.kind = kind;
        r.received = false;
        return id;
    }
    return kNoRequest;
    // @solution-else
    // // TODO(lab 6): refuse if `store` holds kMaxPerPager slots already
    // // (in_flight(store)). Take the first free slot s; its id is
    // // make_id(s, next_tag()), drawn again while it equals m_last_id[s]
    // // (remember the new one there). Fill the entry, not received yet.
    // (void)kind;
    // (void)store;
    // (void)offset;
    // (void)vpage;
    // (void)frame;
    // (void)deadline;
    // LAB_TODO(6);
    // return kNoRequest;
    // @solution-end
}

Verdict RequestTable::check(const Reply& reply, uint8_t from_store) const
{
    // @solution-begin
    // The id first: everything else is only worth reading for a request
    // this pager was really sent. (A request of another pager answers as
    // unknown: the reply learns nothing about other pagers' ids.)
    const Request& r = m_slots[slot_of(reply.id)];
    if (reply.id == kNoRequest || r.id != reply.id || r.store != from_store)
        return Verdict::UnknownId;
    if (!r.received)
        return Verdict::NotReceived;
    if (reply.kind != uint32_t(r.kind) || r.kind == Kind::Release)
        return Verdict::WrongKind;
    if (reply.store != r.store)
        return Verdict::WrongStore;
    if (reply.offset != r.offset)
        return Verdict::WrongOffset;
    if (reply.size != kPageBytes)
        return Verdict::WrongSize;
    if (reply.count != 1)
        return Verdict::WrongCount;
    return Verdict::Accepted;
    // @solution-else
    // // TODO(lab 6): the checks of pager.h in their order; the first that
    // // fails decides. Compare the whole id (slot and tag) with the entry's,
    // // and the entry's store with from_store, before any other field.
    // (void)reply;
    // (void)from_store;
    // LAB_TODO(6);
    // return Verdict::UnknownId;
    // @solution-end
}

Request RequestTable::retire(uint32_t id)
{
    // @solution-begin
    Request* r = find(id);
    VERIFY_MSG(r, "pager: retire of request 0x%08x, which is not in flight", id);
    Request copy = *r;
    *r = Request {};
    return copy;
    // @solution-else
    // // TODO(lab 6): find(id) (VERIFY it is in flight), keep a copy, clear
    // // the entry (Request {}): the slot is free. Return the copy.
    // (void)id;
    // LAB_TODO(6);
    // return Request {};
    // @solution-end
}

uint32_t RequestTable::next_expired(uint32_t now) const
{
    // @solution-begin
    for (const Request& r : m_slots)
        if (r.in_use() && r.deadline < now)
            return r.id;
    return kNoRequest;
    // @solution-else
    // // TODO(lab 6): the id of any slot in use whose deadline < now.
    // (void)now;
    // LAB_TODO(6);
    // return kNoRequest;
    // @solution-end
}

uint32_t start_page_in(RequestTable& table, uint8_t store, VPageRef vpage, uint32_t deadline)
{
    // @solution-begin
    const VPage* vp = vpages().get(vpage);
    VERIFY_MSG(!vp->is_resident() && vp->store == store, "pager: page-in of vpage %u (store %u, resident %d)",
        vpage, vp->store, vp->is_resident());
    return table.issue(Kind::PageIn, store, vp->store_offset, vpage, 0, deadline);
    // @solution-else
    // // TODO(lab 6): page-in step 1: issue a PageIn for the vpage's offset.
    // (void)table;
    // (void)store;
    // (void)vpage;
    // (void)deadline;
    // LAB_TODO(6);
    // return kNoRequest;
    // @solution-end
}

Verdict accept_page_in(RequestTable& table, const Reply& reply, uint8_t from_store, const void* data)
{
    // @solution-begin
    Verdict v = table.check(reply, from_store);
    if (v != Verdict::Accepted)
        return v;
    uint32_t frame = frames().allocate();
    if (frame == FrameArray::kNoFrame)
        return Verdict::NoFrame;
    // A copy: the frame is the kernel's; the pager's page stays the pager's.
    memcpy(mmu::phys_to_virt(frame), data, kPageBytes);
    Request r = table.retire(reply.id);
    vm::page_arrived(r.vpage, frame);
    return Verdict::Accepted;
    // @solution-else
    // // TODO(lab 6): page-in step 4: check(); a new frame (none: NoFrame,
    // // nothing changed); copy the data onto it (mmu::phys_to_virt); retire
    // // the request; vm::page_arrived(vpage, frame).
    // (void)table;
    // (void)reply;
    // (void)from_store;
    // (void)data;
    // LAB_TODO(6);
    // return Verdict::UnknownId;
    // @solution-end
}

uint32_t start_page_out(RequestTable& table, uint8_t store, VPageRef vpage, uint32_t deadline)
{
    // @solution-begin
    VPage* vp = vpages().get(vpage);
    VERIFY_MSG(vp->is_resident() && vp->store == store, "pager: page-out of vpage %u (store %u, resident %d)",
        vpage, vp->store, vp->is_resident());
    uint32_t id = table.issue(Kind::PageOut, store, vp->store_offset, vpage, vp->frame, deadline);
    if (id == kNoRequest)
        return kNoRequest;
    frames().map_up(vp->frame); // the pin: nobody frees the frame under the write
    vp->flags &= uint8_t(~VPage::kDirty);
    return id;
    // @solution-else
    // // TODO(lab 6): page-out step 1: issue a PageOut (the vpage's offset
    // // and frame); only if that worked, pin the frame (frames().map_up)
    // // and clear VPage::kDirty.
    // (void)table;
    // (void)store;
    // (void)vpage;
    // (void)deadline;
    // LAB_TODO(6);
    // return kNoRequest;
    // @solution-end
}

Verdict accept_page_out(RequestTable& table, const Reply& reply, uint8_t from_store)
{
    // @solution-begin
    Verdict v = table.check(reply, from_store);
    if (v != Verdict::Accepted)
        return v;
    Request r = table.retire(reply.id);
    vm::page_written(r.frame, true);
    return Verdict::Accepted;
    // @solution-else
    // // TODO(lab 6): page-out step 3: check(); retire; vm::page_written.
    // (void)table;
    // (void)reply;
    // (void)from_store;
    // LAB_TODO(6);
    // return Verdict::UnknownId;
    // @solution-end
}

uint32_t start_release(RequestTable& table, uint8_t store, uint32_t offset, uint32_t deadline)
{
    // @solution-begin
    return table.issue(Kind::Release, store, offset, kNoVPage, 0, deadline);
    // @solution-else
    // // TODO(lab 6): release step 1: issue a Release for the offset.
    // (void)table;
    // (void)store;
    // (void)offset;
    // (void)deadline;
    // LAB_TODO(6);
    // return kNoRequest;
    // @solution-end
}

void fail(RequestTable& table, uint32_t id, int32_t error)
{
    // @solution-begin
    Request r = table.retire(id);
    if (r.kind == Kind::PageIn)
        fail_waiters(r.vpage, error);
    else if (r.kind == Kind::PageOut)
        vm::page_written(r.frame, false);
    // @solution-else
    // // TODO(lab 6): retire the request; a PageIn: fail_waiters(vpage,
    // // error); a PageOut: vm::page_written(frame, false).
    // (void)table;
    // (void)id;
    // (void)error;
    // LAB_TODO(6);
    // @solution-end
}

} // namespace pager
