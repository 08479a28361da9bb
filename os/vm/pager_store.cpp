// pager_store.cpp: a registered pager as a vm::Store, registration, and a
// pager's death (vm/pager_store.h).
//
// PagerStore turns the three messages into entries of lab 6's request table
// (vm/pager.h) and wakes the pager waiting in pager_receive
// (pager_transport.cpp): request() for a page-in (a pager faulting on its own
// store is refused at once, kErrDeadlock: it would wait for itself), write()
// for a page-out (at most kMaxPageOutsPerPager in flight, so page-ins always
// find a slot), release() when a vpage dies. A pager that exits or is killed
// ends every request it holds with kErrPagerDied, and its store number is
// taken over by a dead store that refuses everything ("pager died"), until
// no vpage names it any more and the numbers run out: then a new pager may
// get it (free_store_number).
#include "vm/pager_internal.h"

#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "lib/string.h"
#include "proc/process.h"
#include "vm/address_space.h"
#include "vm/collector.h"
#include "vm/vpage.h"

namespace pager {

RequestTable g_table;

namespace {

bool g_seeded;
uint32_t g_next_store = kFirstPagerStore;

// A pager that died: its store number stays taken while vpages name it, and
// refuses everything.
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

// Present user pages of `p` (a walk of its page tables).
uint32_t present_pages(const Process& p)
{
    if (!p.space)
        return 0;
    const auto* dir = static_cast<const paging::PageDirectoryEntry*>(mmu::phys_to_virt(p.space->directory()));
    uint32_t n = 0;
    for (uint32_t d = 0; d < (layout::kUserTop >> 22); ++d) {
        if (!dir[d].is_present())
            continue;
        const auto* table = static_cast<const paging::PageTableEntry*>(mmu::phys_to_virt(dir[d].table()));
        for (uint32_t t = 0; t < paging::kEntriesPerTable; ++t)
            n += table[t].is_present();
    }
    return n;
}

// vm::WiredCheck: a live pager with at most kMaxWiredPages present pages.
bool wired(Process& p)
{
    PagerStore* s = pager_of(&p);
    if (!s)
        return false;
    if (!s->m_counted_at || now() + 1 - s->m_counted_at >= kWiredRecountTicks) {
        s->m_resident = present_pages(p);
        s->m_counted_at = now() + 1;
    }
    return s->m_resident <= kMaxWiredPages;
}

} // namespace

bool PagerStore::request(VPageRef vpage)
{
    if (process::current() == m_owner) {
        // The pager would sleep waiting for itself: refuse.
        sched::current()->vm_error = kErrDeadlock;
        return false;
    }
    uint32_t id = start_page_in(g_table, m_number, vpage, deadline_from_now());
    return issued(id, Kind::PageIn, vpages().get(vpage)->store_offset);
}

bool PagerStore::write(VPageRef vpage)
{
    // Page-outs take at most half of the pager's share: a page-in (a
    // thread waits for it) always finds a slot while page-outs pile up.
    if (page_outs_in_flight(m_number) >= kMaxPageOutsPerPager)
        return false;
    uint32_t id = start_page_out(g_table, m_number, vpage, deadline_from_now());
    return issued(id, Kind::PageOut, vpages().get(vpage)->store_offset);
}

void PagerStore::release(uint32_t offset)
{
    if (offset < kMaxStorePages && m_vpages)
        m_vpages[offset] = kNoVPage;
    if (!issued(start_release(g_table, m_number, offset, deadline_from_now()), Kind::Release, offset))
        ++counters().releases_dropped;
}

bool PagerStore::issued(uint32_t id, Kind kind, uint32_t offset)
{
    if (id == kNoRequest) {
        record(Event::Issue, id, kind, m_number, offset, Verdict::UnknownId);
        if (kind == Kind::PageIn) // the fault fails: "pager busy"
            sched::current()->vm_error = kErrRefused;
        return false;
    }
    ++counters().issued;
    ++m_unreceived;
    counters().issued_page_ins += kind == Kind::PageIn;
    record(Event::Issue, *g_table.find(id));
    m_receivers.wake_all();
    if (m_napping) { // the pager waits with a timeout: wake it now
        sched::make_ready(m_napping);
        m_napping = nullptr;
    }
    return true;
}

uint32_t page_outs_in_flight(uint8_t store)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < kSlots; ++i)
        n += g_table.slot(i).in_use() && g_table.slot(i).kind == Kind::PageOut
            && (store == 0 || g_table.slot(i).store == store);
    return n;
}

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

PagerStore* live_pager(uint32_t number)
{
    for (PagerStore& s : g_pagers)
        if (s.m_owner && s.m_number == number)
            return &s;
    return nullptr;
}

uint32_t index_of(const PagerStore* s) { return uint32_t(s - g_pagers); }

RequestTable& table() { return g_table; }

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
            counters().died += r.kind != Kind::Release;
            fail(g_table, r.id, kErrPagerDied);
        }
    }
    kfree(s->m_vpages);
    disk_forget(index_of(s));
    s->m_owner = nullptr;
    s->m_number = 0;
    s->m_vpages = nullptr;
    s->m_napping = nullptr;
    s->m_counted_at = 0;
    s->m_unreceived = 0;
    wake_deadline_thread(); // it may end
    kprintf("pager: store %u is gone (pager %u exited)\n", number, p->pid);
    if (was)
        cpu::sti();
}

// The store number for the next pager: a fresh one while any is left
// (kFirstPagerStore..255), then a dead pager's number that no vpage names
// any more (its vpages are all gone, so none can be taken for a page of the
// new pager). 0: none free (256 pagers' pages still live).
uint8_t free_store_number()
{
    if (g_next_store <= 255)
        return uint8_t(g_next_store++);
    bool named[256] = {};
    for (const PagerStore& s : g_pagers)
        if (s.m_owner)
            named[s.m_number] = true;
    for (uint32_t h = 1; h <= vpages().capacity(); ++h)
        if (vpages().is_live(h))
            named[vpages().get(h)->store] = true;
    for (uint32_t n = kFirstPagerStore; n <= 255; ++n)
        if (!named[n])
            return uint8_t(n);
    return 0;
}

int32_t sys_pager_register(const TrapFrame&)
{
    Process* p = process::current();
    if (pager_of(p))
        return kErrInvalid;
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
        read_deadline_tunable();
        vm::set_wired_check(wired);
    }
    uint8_t number = free_store_number();
    if (!number || !start_deadline_thread()) {
        kfree(cache);
        return kErrNoMemory;
    }
    s->m_owner = p;
    s->m_number = number;
    s->m_vpages = cache;
    vm::set_store(s->m_number, s);
    return s->m_number;
}

} // namespace pager
