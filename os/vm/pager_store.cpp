#include "vm/pager_store.h"

#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "arch/x86/pit.h"
#include "arch/x86/trap.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "proc/user_memory.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/store.h"

const BootInfo& boot_info(); // kernel/main.cpp

namespace pager {
namespace {

RequestTable g_table;
bool g_seeded;
TraceEntry g_trace[kTraceEntries];
uint32_t g_trace_count;
Counters g_counters;
uint32_t g_deadline = kDefaultDeadline;
uint32_t g_next_store = kFirstPagerStore;
Thread* g_deadline_thread;
WaitQueue g_deadline_idle; // the deadline thread, while nothing is in flight

uint32_t now() { return uint32_t(pit::ticks()); }

void record(Event event, uint32_t id, Kind kind, uint8_t store, uint32_t offset, Verdict verdict)
{
    if (event == Event::Reply && verdict != Verdict::Accepted && g_trace_count) {
        TraceEntry& last = g_trace[(g_trace_count - 1) % kTraceEntries];
        if (last.event == Event::Reply && last.verdict == verdict && last.store == store) {
            ++last.repeats;
            return;
        }
    }
    g_trace[g_trace_count++ % kTraceEntries] = TraceEntry { id, offset, store, kind, event, verdict, 0 };
}

void record(Event event, const Request& r, Verdict verdict = Verdict::Accepted)
{
    record(event, r.id, r.kind, r.store, r.offset, verdict);
}

uint32_t page_outs_in_flight(uint8_t store)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < kSlots; ++i)
        n += g_table.slot(i).in_use() && g_table.slot(i).kind == Kind::PageOut
            && (store == 0 || g_table.slot(i).store == store);
    return n;
}

// A registered pager: vm::Store by messages through the request table.
class PagerStore final : public vm::Store {
public:
    const char* name() const override { return "pager"; }

    bool request(VPageRef vpage) override
    {
        if (process::current() == m_owner) {
            // The pager would sleep waiting for itself: refuse.
            sched::current()->vm_error = kErrDeadlock;
            return false;
        }
        uint32_t id = start_page_in(g_table, m_number, vpage, now() + g_deadline);
        return issued(id, Kind::PageIn, vpages().get(vpage)->store_offset);
    }

    bool write(VPageRef vpage) override
    {
        // Page-outs take at most half of the pager's share: a page-in (a
        // thread waits for it) always finds a slot while page-outs pile up.
        if (page_outs_in_flight(m_number) >= kMaxPageOutsPerPager)
            return false;
        uint32_t id = start_page_out(g_table, m_number, vpage, now() + g_deadline);
        return issued(id, Kind::PageOut, vpages().get(vpage)->store_offset);
    }

    void release(uint32_t offset) override
    {
        if (offset < kMaxStorePages && m_vpages)
            m_vpages[offset] = kNoVPage;
        if (!issued(start_release(g_table, m_number, offset, now() + g_deadline), Kind::Release, offset))
            ++g_counters.releases_dropped;
    }

    Process* m_owner { nullptr };
    uint8_t m_number { 0 };
    WaitQueue m_receivers;         // the pager, waiting in pager_receive
    Thread* m_napping { nullptr };  // the pager, waiting in pager_receive with a timeout
    VPageRef* m_vpages { nullptr }; // live vpage per offset (map_store shares them)

private:
    bool issued(uint32_t id, Kind kind, uint32_t offset)
    {
        if (id == kNoRequest) {
            record(Event::Issue, id, kind, m_number, offset, Verdict::UnknownId);
            if (kind == Kind::PageIn) // the fault fails: "pager busy"
                sched::current()->vm_error = kErrRefused;
            return false;
        }
        ++g_counters.issued;
        g_counters.issued_page_ins += kind == Kind::PageIn;
        record(Event::Issue, *g_table.find(id));
        m_receivers.wake_all();
        if (m_napping) { // the pager waits with a timeout: wake it now
            sched::make_ready(m_napping);
            m_napping = nullptr;
        }
        g_deadline_idle.wake_all();
        return true;
    }
};

// A pager that died: its store number stays taken, and refuses everything.
class DeadStore final : public vm::Store {
public:
    const char* name() const override { return "dead pager"; }
    bool request(VPageRef) override
    {
        sched::current()->vm_error = kErrPagerDied;
        return false;
    }
};

PagerStore g_pagers[kMaxPagers];
DeadStore g_dead;

bool any_pager()
{
    for (const PagerStore& s : g_pagers)
        if (s.m_owner)
            return true;
    return false;
}

PagerStore* pager_of(const Process* p)
{
    if (!p)
        return nullptr;
    for (PagerStore& s : g_pagers)
        if (s.m_owner == p)
            return &s;
    return nullptr;
}

bool any_pager();

// The deadline thread: ends every request past its deadline, once a tick.
// It lives while a pager is registered or a request is in flight.
void watch_deadlines(void*)
{
    cpu::cli();
    for (;;) {
        if (g_table.in_flight() == 0 && !any_pager()) {
            g_deadline_thread = nullptr;
            sched::exit_current();
        }
        for (uint32_t id; (id = g_table.next_expired(now())) != kNoRequest;) {
            Request* r = g_table.find(id);
            record(Event::Expire, *r);
            g_counters.expired += r->kind != Kind::Release;
            fail(g_table, id, kErrTimedOut);
        }
        if (g_table.in_flight() == 0)
            g_deadline_idle.sleep();
        else
            sched::sleep_ticks(1);
    }
}

// The request of pager `s` to hand out next: not yet received, earliest
// deadline (the oldest). nullptr if none.
Request* next_for(const PagerStore& s)
{
    const Request* best = nullptr;
    for (uint32_t i = 0; i < kSlots; ++i) {
        const Request& r = g_table.slot(i);
        if (r.in_use() && r.store == s.m_number && !r.received && (!best || r.deadline < best->deadline))
            best = &r;
    }
    return best ? g_table.find(best->id) : nullptr;
}

} // namespace

RequestTable& table() { return g_table; }
uint32_t trace_count() { return g_trace_count; }
const TraceEntry& trace_at(uint32_t n) { return g_trace[n % kTraceEntries]; }
Counters& counters() { return g_counters; }
uint32_t deadline_ticks() { return g_deadline; }

const char* describe(Event event)
{
    switch (event) {
    case Event::Issue: return "issue";
    case Event::Receive: return "receive";
    case Event::Reply: return "reply";
    case Event::Expire: return "expire";
    case Event::Died: return "died";
    }
    return "?";
}

const char* describe(Kind kind)
{
    switch (kind) {
    case Kind::None: return "none";
    case Kind::PageIn: return "page-in";
    case Kind::PageOut: return "page-out";
    case Kind::Release: return "release";
    }
    return "?";
}

uint8_t store_of(const Process* p)
{
    PagerStore* s = pager_of(p);
    return s ? s->m_number : 0;
}

uint32_t writes_in_flight() { return page_outs_in_flight(0); }

void fail_waiters(VPageRef vpage, int32_t error)
{
    VPage* vp = vpages().get(vpage);
    for (auto* t = reinterpret_cast<Thread*>(uintptr_t(vp->waiters)); t; t = t->next)
        t->vm_error = error;
    sched::wake_list(&vp->waiters);
}

void process_exited(Process* p)
{
    PagerStore* s = pager_of(p);
    if (!s)
        return;
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    uint8_t number = s->m_number;
    vm::set_store(number, &g_dead);
    for (uint32_t i = 0; i < kSlots; ++i) {
        const Request& r = g_table.slot(i);
        if (r.in_use() && r.store == number) {
            record(Event::Died, r);
            g_counters.died += r.kind != Kind::Release;
            fail(g_table, r.id, kErrPagerDied);
        }
    }
    kfree(s->m_vpages);
    s->m_owner = nullptr;
    s->m_number = 0;
    s->m_vpages = nullptr;
    s->m_napping = nullptr;
    g_deadline_idle.wake_all(); // the deadline thread may end
    kprintf("pager: store %u is gone (pager %u exited)\n", number, p->pid);
    if (was)
        cpu::sti();
}

int32_t sys_pager_register(const TrapFrame&)
{
    Process* p = process::current();
    if (pager_of(p))
        return kErrInvalid;
    if (g_next_store > 255)
        return kErrNoMemory;
    PagerStore* s = nullptr;
    for (PagerStore& candidate : g_pagers)
        if (!candidate.m_owner) {
            s = &candidate;
            break;
        }
    if (!s)
        return kErrNoMemory;
    auto* cache = static_cast<VPageRef*>(kmalloc(kMaxStorePages * sizeof(VPageRef)));
    if (!cache)
        return kErrNoMemory;
    memset(cache, 0, kMaxStorePages * sizeof(VPageRef));
    if (!g_seeded) {
        g_seeded = true;
        g_table = RequestTable(uint32_t(cpu::rdtsc()) | 1);
        const char* d = cmdline::get("pager_deadline");
        uint32_t ticks = 0;
        for (; d && *d >= '0' && *d <= '9'; ++d)
            ticks = ticks * 10 + uint32_t(*d - '0');
        if (ticks)
            g_deadline = ticks;
    }
    if (!g_deadline_thread && !(g_deadline_thread = sched::create_kernel_thread("pager-deadlines", watch_deadlines,
                                     nullptr))) {
        kfree(cache);
        return kErrNoMemory;
    }
    s->m_owner = p;
    s->m_number = uint8_t(g_next_store++);
    s->m_vpages = cache;
    vm::set_store(s->m_number, s);
    return s->m_number;
}

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
    for (;;) {
        // Both user buffers present first (this may block); from here on
        // nothing blocks until the copies are done, so they cannot fault.
        if (!user_memory::range_ok(f.ebx, sizeof(PagerRequest), true)
            || !user_memory::range_ok(buffer, kPageBytes, true))
            return kErrFault;
        s = pager_of(process::current());
        Request* r = s ? next_for(*s) : nullptr;
        if (r) {
            r->received = true;
            record(Event::Receive, *r);
            PagerRequest out { r->id, uint32_t(r->kind), r->store, r->offset };
            memcpy(reinterpret_cast<void*>(uintptr_t(f.ebx)), &out, sizeof out);
            if (r->kind == Kind::PageOut)
                memcpy(reinterpret_cast<void*>(uintptr_t(buffer)), mmu::phys_to_virt(r->frame), kPageBytes);
            if (r->kind == Kind::Release) {
                g_table.retire(r->id); // no reply: done once received
                ++g_counters.releases_received;
            }
            return 0;
        }
        if (until) {
            if (now() >= until)
                return kErrTimedOut;
            s->m_napping = sched::current(); // a request wakes it early (issued())
            sched::sleep_ticks(until - now());
            if (PagerStore* again = pager_of(process::current()))
                again->m_napping = nullptr;
        } else {
            s->m_receivers.sleep();
        }
    }
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
    Reply reply { in.id, in.kind, in.store, in.offset, in.size, in.count };
    Request* r = g_table.find(in.id);
    Kind kind = r && r->store == s->m_number ? r->kind : Kind::None;
    Verdict v;
    if (kind == Kind::PageIn && (v = g_table.check(reply, s->m_number)) == Verdict::Accepted) {
        // The data page must be readable memory of the pager; bring it in
        // (this may block), then check again: the request may have ended.
        if (!paging::is_page_aligned(in.data) || !user_memory::range_ok(in.data, kPageBytes, false))
            v = Verdict::BadData;
        else
            v = accept_page_in(g_table, reply, s->m_number, reinterpret_cast<const void*>(uintptr_t(in.data)));
        if (v == Verdict::Accepted)
            ++g_counters.page_ins;
    } else if (kind == Kind::PageOut) {
        v = accept_page_out(g_table, reply, s->m_number);
        if (v == Verdict::Accepted)
            ++g_counters.page_outs;
    } else if (kind != Kind::PageIn) {
        v = g_table.check(reply, s->m_number); // unknown id, or a release (which takes no reply)
    }
    record(Event::Reply, in.id, Kind(in.kind <= 3 ? in.kind : 0), uint8_t(in.store), in.offset, v);
    if (v == Verdict::Accepted) {
        ++g_counters.accepted;
        return 0;
    }
    ++g_counters.refused;
    return v == Verdict::NoFrame ? kErrNoMemory : kErrRefused;
}

bool map_file_page(AddressSpace* space, uint32_t linear, uint8_t store, uint32_t offset, bool writable)
{
    PagerStore* s = nullptr;
    for (PagerStore& candidate : g_pagers)
        if (candidate.m_owner && candidate.m_number == store)
            s = &candidate;
    if (!s || offset >= kMaxStorePages)
        return false;
    VPageRef& cached = s->m_vpages[offset];
    bool fresh = cached == kNoVPage;
    VPageRef v = fresh ? vpage_create(store, offset) : cached;
    if (v == kNoVPage)
        return false;
    if (space->map(linear, v, writable ? Access::ReadWrite : Access::ReadOnly) != MapResult::Ok) {
        if (fresh)
            vpages().destroy(v);
        return false;
    }
    cached = v;
    return true;
}

// spawn_from_store(program, args, store): process::spawn_from_store.
int32_t sys_spawn_from_store(const TrapFrame& f)
{
    process::SpawnStrings s;
    if (!process::copy_spawn_strings(s, f.ebx, f.ecx))
        return kErrFault;
    bool live = false;
    for (PagerStore& candidate : g_pagers)
        live = live || (candidate.m_owner && candidate.m_number == f.edx);
    if (!live)
        return kErrNotFound;
    const char* why = nullptr;
    Process* child = process::spawn_from_store(s.program, s.args, process::current(), uint8_t(f.edx), &why);
    if (!child)
        return process::spawn_error(why);
    return int32_t(child->pid);
}

// module_read(name, offset, buffer, length): bytes of a boot module, for a
// file server (a pager that serves the boot modules as files). The count.
int32_t sys_module_read(const TrapFrame& f)
{
    char name[64];
    if (!user_memory::copy_string(name, f.ebx, sizeof name))
        return kErrFault;
    const BootInfo& info = boot_info();
    for (unsigned i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        if (strcmp(m.name, name) != 0)
            continue;
        uint32_t size = m.end - m.start;
        if (f.ecx >= size)
            return 0;
        uint32_t n = f.esi < size - f.ecx ? f.esi : size - f.ecx;
        const auto* bytes = static_cast<const uint8_t*>(mmu::phys_to_virt(m.start)) + f.ecx;
        return user_memory::copy_to(f.edx, bytes, n) ? int32_t(n) : kErrFault;
    }
    return kErrNotFound;
}

// map_store(address, length, flags, store, first offset)
int32_t sys_map_store(const TrapFrame& f)
{
    Process* p = process::current();
    uint32_t at = f.ebx, length = uint32_t(paging::page_round_up(f.ecx)), first = f.edi;
    uint32_t pages = length / kPageBytes;
    PagerStore* s = nullptr;
    for (PagerStore& candidate : g_pagers)
        if (candidate.m_owner && candidate.m_number == f.esi)
            s = &candidate;
    if (!s)
        return kErrNotFound;
    if (length == 0 || !paging::is_page_aligned(at) || at < layout::kUserBottom || length > layout::kUserTop - at
        || (at < process::kStackTop && at + length > process::kStackGuard) || first >= kMaxStorePages
        || pages > kMaxStorePages - first)
        return kErrInvalid;
    for (uint32_t i = 0; i < pages; ++i)
        if (p->space->lookup(at + i * kPageBytes).kind != Lookup::Kind::Nothing)
            return kErrInvalid;
    for (uint32_t i = 0; i < pages; ++i) {
        if (!map_file_page(p->space, at + i * kPageBytes, s->m_number, first + i, f.edx & kMapWrite)) {
            for (uint32_t undo = 0; undo < i; ++undo)
                p->space->unmap(at + undo * kPageBytes);
            return kErrNoMemory;
        }
        if (f.edx & kMapShared)
            vpages().get(p->space->lookup(at + i * kPageBytes).vpage)->flags |= VPage::kShared;
    }
    return int32_t(at);
}

} // namespace pager
