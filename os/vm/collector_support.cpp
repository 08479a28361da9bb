// collector_support.cpp: the framework's side of the clock collector (lab 5,
// vm/collector.h): scanning one process with its bookkeeping, and the
// counters. Compiled for host tests too (tests/host/lab5 fakes the recency list).
#include "vm/collector.h"

#include "arch/x86/layout.h"
#include "proc/process.h"

namespace {
vm::CollectorCounters g_counters;
vm::WiredCheck g_wired;
}

namespace vm {

void set_wired_check(WiredCheck check) { g_wired = check; }

uint32_t scan_process(Process& p, uint32_t quota)
{
    if (g_wired && g_wired(p)) {
        process::touch(&p);
        return 0;
    }
    ScanResult r;
    if (p.space) {
        r = scan_space(*p.space, p.clock_hand, quota);
        p.clock_hand = r.next;
    }
    ++p.scans;
    p.evictions += r.taken;
    ++g_counters.scans;
    g_counters.scanned += r.scanned;
    g_counters.evictions += r.taken;
    if (r.taken > g_counters.max_taken)
        g_counters.max_taken = r.taken;
    // The seed: a process moves to the top each time it is scanned.
    process::touch(&p);
    return r.taken;
}

CollectorCounters& collector_counters() { return g_counters; }

} // namespace vm
