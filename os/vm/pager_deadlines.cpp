// pager_deadlines.cpp: every request to a pager has a deadline (vm/pager_store.h).
//
// A kernel thread, "pager-deadlines", lives while a pager is registered or a
// request is in flight. While requests are in flight it wakes every timer
// tick and ends those past their deadline (lab 6's fail(): a page-in's
// waiters wake with kErrTimedOut, a page-out is a failed write, a release is
// dropped); while none is, it sleeps until one is issued. The deadline is
// kDefaultDeadline ticks, or `pager_deadline=N` on the kernel command line.
#include "vm/pager_internal.h"

#include "arch/x86/cpu.h"
#include "kernel/cmdline.h"

namespace pager {

namespace {

uint32_t g_deadline = kDefaultDeadline;
Thread* g_deadline_thread;
WaitQueue g_deadline_idle; // the deadline thread, while nothing is in flight

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
        if (g_table.in_flight() == 0)
            g_deadline_idle.sleep();
        else
            sched::sleep_ticks(1);
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

void wake_deadline_thread() { g_deadline_idle.wake_all(); }

} // namespace pager
