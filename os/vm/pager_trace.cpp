// pager_trace.cpp: the protocol trace of the pager transport and its
// counters (vm/pager_store.h).
//
// Every request and reply is one entry of a ring of kTraceEntries: issue,
// receive, reply (with its verdict), expire, died. A run of refused replies
// with the same store and verdict (a flood) is one entry with a repeat count,
// so a flood cannot push what matters out of the ring. Kernel tests print the
// trace and check it; the debugger reads pager::g_trace and
// pager::g_trace_count from guest memory.
#include "vm/pager_internal.h"

namespace pager {

TraceEntry g_trace[kTraceEntries];
uint32_t g_trace_count;

namespace {
Counters g_counters;
}

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

uint32_t trace_count() { return g_trace_count; }
const TraceEntry& trace_at(uint32_t n) { return g_trace[n % kTraceEntries]; }
Counters& counters() { return g_counters; }

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

} // namespace pager
