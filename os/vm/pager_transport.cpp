// pager_transport.cpp: pager_receive, pager_reply and pager_reply_receive
// (vm/pager_store.h), the system calls by which a pager takes requests and
// answers them.
//
// pager_receive hands the pager its oldest request not yet received (id,
// kind, store, offset; a page-out's page is copied into the pager's buffer)
// and blocks while there is none. pager_reply passes the pager's answer,
// untrusted, to lab 6's checks (accept_page_in / accept_page_out): for a
// page-in the data page must be readable memory of the pager, and lab 6
// copies it onto a new frame of the kernel's, so nothing the pager does to
// its page afterwards reaches the faulting process. A refused reply changes
// nothing and returns kErrRefused.
//
// pager_reply_receive is a pager's loop in one system call: the answer to
// the last request, then the wait for the next (L4's and seL4's ReplyRecv).
// A pager that answers and receives with two calls enters and leaves the
// kernel twice per request and checks its buffers twice; this saves one
// round trip. Its results say unambiguously whether the answer went
// through: every pointer is checked before anything is answered, and a
// refused answer returns at once, with nothing received.
#include "vm/pager_internal.h"

#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/user_memory.h"
#include "vm/address_space.h"
#include "vm/resolve.h"

namespace pager {

namespace {

// The request of pager `s` to hand out next: not yet received, earliest
// deadline (the oldest; not page-ins first: a page-in may need the frame a
// page-out frees). nullptr if none. m_unreceived bounds how many there are:
// the scan stops once it has seen that many (usually one, in the first
// slots), and a scan to the end sets it to the number it saw.
Request* next_for(PagerStore& s)
{
    if (s.m_unreceived == 0) // nothing issued since the last look found nothing
        return nullptr;
    const Request* best = nullptr;
    uint32_t seen = 0;
    for (uint32_t i = 0; i < kSlots && seen < s.m_unreceived; ++i) {
        const Request& r = g_table.slot(i);
        if (!r.in_use() || r.store != s.m_number || r.received)
            continue;
        ++seen;
        if (!best || r.deadline < best->deadline)
            best = &r;
    }
    if (seen < s.m_unreceived) // the scan went to the end: now the exact number
        s.m_unreceived = seen;
    return best ? g_table.find(best->id) : nullptr;
}

// Is [address, address + length) present now (writable), without resolving
// anything? (user_memory::range_ok brings pages in; this only looks, at the
// page-table entries themselves.)
using user_memory::present_now;

// Both user buffers of pager_receive present at once. Bringing one in may
// block, or make lab 5's collector take the other back, so after bringing
// both in, look again without resolving anything: both present then, and
// nothing blocks until the copies are done. 1: both were present at once
// (nothing resolved, nothing ran); 2: after bringing pages in; 0: a buffer
// is bad (kErrFault); -1: kBufferPasses passes did not do (memory is too
// short: kErrNoMemory, the pager may try again).
constexpr int kBufferPasses = 16;
int buffers_present(uint32_t request, uint32_t buffer)
{
    if (present_now(request, sizeof(PagerRequest), true) && present_now(buffer, kPageBytes, true))
        return 1; // the usual case: a look, nothing resolved
    for (int pass = 1; pass <= kBufferPasses; ++pass) {
        uint32_t faults = vm::faults_total();
        if (!user_memory::range_ok(request, sizeof(PagerRequest), true)
            || !user_memory::range_ok(buffer, kPageBytes, true))
            return 0;
        if (vm::faults_total() == faults)
            return 1;
        if (present_now(request, sizeof(PagerRequest), true) && present_now(buffer, kPageBytes, true))
            return 2;
    }
    return -1;
}

// The receive loop of pager `s`: its next request into the user's
// `request` (a page-out's page into `buffer`), waiting until tick `until`
// (0: no limit). `fresh`: both buffers were just found present and nothing
// has run since. When memory is too short to hold both buffers at once:
// kErrNoMemory, or with `wait_for_memory`, a tick's sleep and again (until
// the timeout).
int32_t receive(PagerStore& s, uint32_t request, uint32_t buffer, uint32_t until, bool fresh, bool wait_for_memory)
{
    for (;;) {
        Request* r = next_for(s);
        if (!r) { // nothing for us: wait
            if (until) {
                if (now() >= until)
                    return kErrTimedOut;
                s.m_napping = sched::current(); // a request wakes it early (issued())
                sched::sleep_ticks(until - now());
                s.m_napping = nullptr;
            } else {
                s.m_receivers.sleep();
            }
            fresh = false;
            continue;
        }
        // Both buffers present (this may block: then the request may have
        // ended meanwhile, look again); from here on nothing blocks until
        // the copies are done, so they cannot fault.
        if (!fresh) {
            int present = buffers_present(request, buffer);
            if (present == 0)
                return kErrFault;
            if (present < 0) {
                if (!wait_for_memory)
                    return kErrNoMemory;
                if (until && now() >= until)
                    return kErrTimedOut;
                sched::sleep_ticks(1);
                continue;
            }
            fresh = true;
            if (present != 1 && !(r = next_for(s)))
                continue;
        }
        r->received = true;
        --s.m_unreceived;
        record(Event::Receive, *r);
        PagerRequest out { r->id, uint32_t(r->kind), r->store, r->offset };
        memcpy(reinterpret_cast<void*>(uintptr_t(request)), &out, sizeof out);
        if (r->kind == Kind::PageOut)
            memcpy(reinterpret_cast<void*>(uintptr_t(buffer)), mmu::phys_to_virt(r->frame), kPageBytes);
        if (r->kind == Kind::Release) {
            g_table.retire(r->id); // no reply: done once received
            ++counters().releases_received;
        }
        return 0;
    }
}

// pager_reply's work: reply `in` (copied from the user) of pager `s`.
int32_t reply(PagerStore& s, const PagerReply& in)
{
    Reply reply { in.id, in.kind, in.store, in.offset, in.size, in.count };
    Request* r = g_table.find(in.id);
    Kind kind = r && r->store == s.m_number ? r->kind : Kind::None;
    Verdict v;
    if (kind == Kind::PageIn && (v = g_table.check(reply, s.m_number)) == Verdict::Accepted) {
        // The data page must be readable memory of the pager; bring it in
        // (this may block), then check again: the request may have ended.
        if (!paging::is_page_aligned(in.data) || !user_memory::range_ok(in.data, kPageBytes, false))
            v = Verdict::BadData;
        else
            v = accept_page_in(g_table, reply, s.m_number, reinterpret_cast<const void*>(uintptr_t(in.data)));
        if (v == Verdict::Accepted)
            ++counters().page_ins;
    } else if (kind == Kind::PageOut) {
        v = accept_page_out(g_table, reply, s.m_number);
        if (v == Verdict::Accepted)
            ++counters().page_outs;
    } else if (kind != Kind::PageIn) {
        v = g_table.check(reply, s.m_number); // unknown id, or a release (which takes no reply)
    }
    return reply_ended(in, v);
}

} // namespace

// pager_receive(request pointer, page buffer, timeout ticks)
int32_t sys_pager_receive(const TrapFrame& f)
{
    PagerStore* s = pager_of(process::current());
    if (!s)
        return kErrNotFound;
    uint32_t buffer = f.ecx;
    if (!paging::is_page_aligned(buffer))
        return kErrInvalid;
    uint32_t until = f.edx ? now() + f.edx : 0;
    // Bad buffers fail at once, request or not.
    int present = buffers_present(f.ebx, buffer);
    if (present <= 0)
        return present == 0 ? kErrFault : kErrNoMemory;
    return receive(*s, f.ebx, buffer, until, present == 1, false);
}

// pager_reply(reply pointer)
int32_t sys_pager_reply(const TrapFrame& f)
{
    PagerReply in;
    if (!user_memory::copy_from(&in, f.ebx, sizeof in))
        return kErrFault;
    PagerStore* s = pager_of(process::current());
    if (!s)
        return kErrNotFound;
    return reply(*s, in);
}

// pager_reply_receive(reply pointer, request pointer, page buffer, timeout ticks, disk slot)
int32_t sys_pager_reply_receive(const TrapFrame& f)
{
    PagerStore* s = pager_of(process::current());
    if (!s)
        return kErrNotFound;
    uint32_t buffer = f.edx;
    if (!paging::is_page_aligned(buffer))
        return kErrInvalid;
    // The reply and the receive's buffers first: a bad pointer fails before
    // anything is answered.
    PagerReply in;
    if (!user_memory::copy_from(&in, f.ebx, sizeof in))
        return kErrFault;
    int present = buffers_present(f.ecx, buffer);
    if (present <= 0)
        return present == 0 ? kErrFault : kErrNoMemory;
    uint64_t switches = sched::context_switches();
    uint32_t faults = vm::faults_total();
    int32_t answered = f.edi == kPagerNoSlot ? reply(*s, in) : disk_reply(*s, f.edi, in);
    if (answered != 0)
        return answered; // not accepted: nothing received; the pager may answer again
    // Accepted. The buffers are still present if nothing ran and nothing was
    // brought in meanwhile (the reply may have blocked on the disk, or
    // resolved a fault on its data page, which may make lab 5 collect).
    bool fresh = present == 1 && sched::context_switches() == switches && vm::faults_total() == faults;
    uint32_t until = f.esi ? now() + f.esi : 0; // the wait's limit counts from here
    return receive(*s, f.ecx, buffer, until, fresh, true);
}

int32_t reply_ended(const PagerReply& in, Verdict v)
{
    record(Event::Reply, in.id, Kind(in.kind <= 3 ? in.kind : 0), uint8_t(in.store), in.offset, v);
    if (v == Verdict::Accepted) {
        ++counters().accepted;
        return 0;
    }
    ++counters().refused;
    return v == Verdict::NoFrame ? kErrNoMemory : kErrRefused;
}

} // namespace pager
