// pager_deadlines.cpp: every request to a pager has a deadline (vm/pager_store.h).
//
// A kernel thread, "pager-deadlines", lives while a pager is registered or a
// request is in flight. It ends every request past its deadline (lab 6's
// fail(): a page-in's waiters wake with kErrTimedOut, a page-out is a failed
// write, a release is dropped), then sleeps until the earliest deadline in
// flight, or for a whole deadline if none is: a request issued meanwhile has
// a deadline at least that far away, so issuing one need not wake the thread
// (a page-in costs no extra switch). It is woken when a pager goes, to end if
// it was the last. The deadline is kDefaultDeadline ticks, or
// `pager_deadline=N` on the kernel command line.
#include "vm/pager_internal.h"

#include "arch/x86/cpu.h"
#include "kernel/cmdline.h"

namespace pager {

namespace {

uint32_t g_deadline = kDefaultDeadline;
Thread* g_deadline_thread;

// Ticks from `at` until the earliest request in flight has expired (its
// deadline < now: the tick after it), or a whole deadline if none is in flight.
uint32_t ticks_to_next_deadline(uint32_t at)
{
    uint32_t ticks = g_deadline;
    for (uint32_t i = 0; i < kSlots; ++i) {
        const Request& r = g_table.slot(i);
        int32_t left = int32_t(r.deadline + 1 - at);
        if (r.in_use() && left < int32_t(ticks))
            ticks = left > 0 ? uint32_t(left) : 1;
    }
    return ticks;
}

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
            counters().expired += r->kind != Kind::Release;
            fail(g_table, id, kErrTimedOut);
        }
        sched::sleep_ticks(ticks_to_next_deadline(now()));
    }
}

} // namespace

uint32_t deadline_ticks() { return g_deadline; }

void read_deadline_tunable()
{
    const char* d = cmdline::get("pager_deadline");
    uint32_t ticks = 0;
    for (; d && *d >= '0' && *d <= '9'; ++d)
        ticks = ticks * 10 + uint32_t(*d - '0');
    if (ticks)
        g_deadline = ticks;
}

bool start_deadline_thread()
{
    if (!g_deadline_thread)
        g_deadline_thread = sched::create_kernel_thread("pager-deadlines", watch_deadlines, nullptr);
    return g_deadline_thread != nullptr;
}

void wake_deadline_thread()
{
    if (g_deadline_thread && g_deadline_thread->state == Thread::State::Sleeping)
        sched::make_ready(g_deadline_thread);
}

} // namespace pager
