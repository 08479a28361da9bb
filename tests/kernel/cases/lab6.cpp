// lab6.cpp: lab 6's kernel tests, the user-space pager (os/vm/pager.h).
//
//   lab6_pager   pager=mode:M,... [client=mode:M,...] : spawns user/programs/
//                pager-ram (or pager_program=NAME, e.g. the hostile
//                pager-abuse) with the `pager` words, waits until it has
//                registered, spawns pager-client with the `client` words and
//                the pager's store number, waits for both. Then checks:
//                  - the exit statuses (pager_status=, client_status=: 0 or
//                    killed);
//                  - the request table is empty, and frames, vpages and the
//                    kernel heap are back at their baseline (a flood of bogus
//                    replies or of requests never received leaves nothing);
//                  - the protocol trace, printed whole (TRACE lines): every
//                    request ended exactly once (a reply accepted, its
//                    deadline, its pager's death, or, for a release, its
//                    receipt); no reply was accepted for a request not in
//                    flight and received; never two page-ins in flight for
//                    one page; and the counts of `expect=` (issued_in,
//                    accepted, refused, expired, died).
//                VALUEs: the counts, and the instructions the run took.
//   lab6_bench   the figures of `make bench`: a page-in and a page-out
//                through a kernel thread acting as the pager, and a refused
//                reply, in guest instructions (see the handout).
#include "arch/x86/cpu.h"
#include "kernel/cmdline.h"
#include "kernel/heap.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "vm/frame_array.h"
#include "vm/pager.h"
#include "vm/pager_store.h"
#include "vm/vpage.h"

#include "orphan_wait.h"

namespace {

constexpr int kWaitTicks = 20000; // 200 s of guest time at most for a program

struct Baseline {
    uint32_t frames_free;
    uint32_t vpages_in_use;
    size_t heap_free;
    static Baseline now() { return { frames().frames_free(), vpages().in_use(), kernel_heap().bytes_free() }; }
};

// `key=a:1,b:2` of the command line as "a=1 b=2" appended to `out`.
void append_words(char* out, size_t size, const char* key)
{
    const char* v = cmdline::get(key);
    size_t n = strlen(out);
    for (const char* c = v; c && *c && n + 2 < size; ++c)
        out[n++] = *c == ':' ? '=' : *c == ',' ? ' ' : *c;
    out[n] = '\0';
}

uint32_t spawn(const char* check, const char* program, const char* args)
{
    const char* why = "";
    Process* p = process::spawn(program, args, nullptr, &why);
    ktest::check(check, p != nullptr, "spawn %s: %s", program, why);
    return p ? p->pid : 0;
}

// The exit status of kernel-spawned `pid`; -100 if it is still running.
int32_t wait_exit(uint32_t pid) { return orphan_wait::wait_for(pid, kWaitTicks); }

bool status_is(int32_t status, const char* wanted)
{
    if (wanted && strcmp(wanted, "killed") == 0)
        return status < 0; // the wait status of a killed process is -KillReason (abi.h)
    return status == 0;
}

uint32_t expected(const char* key)
{
    const char* v = cmdline::get("expect");
    size_t klen = strlen(key);
    for (const char* c = v; c && *c;) {
        if (strncmp(c, key, klen) == 0 && c[klen] == ':') {
            uint32_t n = 0;
            for (c += klen + 1; *c >= '0' && *c <= '9'; ++c)
                n = n * 10 + uint32_t(*c - '0');
            return n;
        }
        while (*c && *c != ',')
            ++c;
        if (*c)
            ++c;
    }
    return 0xFFFFFFFF; // not given: not checked
}

bool ends(pager::Event e, pager::Kind k, pager::Verdict v)
{
    using pager::Event;
    return (e == Event::Reply && v == pager::Verdict::Accepted) || e == Event::Expire || e == Event::Died
        || (e == Event::Receive && k == pager::Kind::Release);
}

// Counts of the trace: page-ins issued, replies accepted and refused,
// page-ins and page-outs that expired or whose pager died, releases received.
struct TraceCounts {
    uint32_t issued_in, accepted, refused, expired, died, releases;
};

// Print events [first, end) whole and check the rules of the header.
TraceCounts check_trace(uint32_t first, uint32_t end)
{
    using namespace pager;
    TraceCounts c {};
    // A long run overflows the ring: then only its last kTraceEntries events
    // are printed and checked (and the verdict trace-complete is missing).
    ktest::value("trace_events", end - first);
    if (end - first <= kTraceEntries)
        ktest::check("trace-complete", true);
    else
        first = end - kTraceEntries;
    bool ended_once = true, accepted_in_flight = true, one_per_page = true;
    char why[120] = "";
    for (uint32_t n = first; n < end; ++n) {
        const TraceEntry& t = trace_at(n);
        bool judged = t.event == Event::Reply || (t.event == Event::Issue && t.id == kNoRequest);
        ktest::tagged("TRACE %u %s %s id=0x%08x store=%u offset=%u %s x%u\n", n - first, describe(t.event),
            describe(t.kind), t.id, t.store, t.offset,
            !judged ? "-" : t.event == Event::Issue ? "no-slot" : describe(t.verdict), t.repeats + 1);
        bool data = t.kind == Kind::PageIn || t.kind == Kind::PageOut;
        c.issued_in += t.event == Event::Issue && t.kind == Kind::PageIn && t.id != kNoRequest;
        c.accepted += t.event == Event::Reply && t.verdict == Verdict::Accepted;
        c.refused += t.event == Event::Reply && t.verdict != Verdict::Accepted ? t.repeats + 1 : 0;
        c.expired += t.event == Event::Expire && data;
        c.died += t.event == Event::Died && data;
        c.releases += t.event == Event::Receive && t.kind == Kind::Release;
        if (t.event != Event::Issue || t.id == kNoRequest)
            continue;
        // Follow this request: it ends exactly once; a reply before its
        // receipt is never accepted; no other page-in for its page meanwhile.
        uint32_t endings = 0;
        bool received = false, open = true;
        for (uint32_t m = n + 1; m < end; ++m) {
            const TraceEntry& u = trace_at(m);
            if (open && t.kind == Kind::PageIn && u.event == Event::Issue && u.kind == Kind::PageIn
                && u.store == t.store && u.offset == t.offset && u.id != kNoRequest) {
                one_per_page = false;
                format_to(why, sizeof why, "two page-ins in flight for store %u offset %u", t.store, t.offset);
            }
            if (u.id != t.id)
                continue;
            if (u.event == Event::Receive)
                received = true;
            if (u.event == Event::Reply && u.verdict == Verdict::Accepted && (!open || !received)) {
                accepted_in_flight = false;
                format_to(why, sizeof why, "reply for 0x%08x accepted %s", t.id, open ? "before receipt" : "after its end");
            }
            if (ends(u.event, t.kind, u.verdict)) {
                ++endings;
                open = false;
            }
        }
        if (endings != 1) {
            ended_once = false;
            format_to(why, sizeof why, "request 0x%08x (%s) ended %u times", t.id, describe(t.kind), endings);
        }
    }
    ktest::check("trace-every-request-ended-once", ended_once, "%s", why);
    ktest::check("trace-no-reply-accepted-out-of-flight", accepted_in_flight, "%s", why);
    ktest::check("trace-one-request-per-page", one_per_page, "%s", why);
    return c;
}

// The counts of the run (from the transport's counters, exact however long
// the run) against `expect=`; where the trace is whole, it must agree.
void check_expected(const TraceCounts& c, const pager::Counters& before, bool whole)
{
    const pager::Counters& now = pager::counters();
    struct Row {
        const char* key;
        uint32_t got;
        uint32_t traced;
    } rows[] = {
        { "issued_in", now.issued_page_ins - before.issued_page_ins, c.issued_in },
        { "accepted", now.accepted - before.accepted, c.accepted },
        { "refused", now.refused - before.refused, c.refused },
        { "expired", now.expired - before.expired, c.expired },
        { "died", now.died - before.died, c.died },
        { "releases", now.releases_received - before.releases_received, c.releases },
    };
    bool agree = true;
    for (const Row& r : rows)
        agree = agree && (!whole || r.got == r.traced);
    ktest::check("trace-agrees-with-counters", agree, "the trace and the transport's counters differ");
    bool ok = true;
    char why[160] = "";
    size_t n = 0;
    for (const Row& r : rows) {
        ktest::value(r.key, r.got);
        uint32_t want = expected(r.key);
        if (want != 0xFFFFFFFF && want != r.got) {
            ok = false;
            n += format_to(why + n, sizeof why - n, "%s %u (expected %u) ", r.key, r.got, want);
        }
    }
    ktest::check("trace-counts-as-expected", ok, "%s", why);
}

} // namespace

KTEST(lab6_pager)
{
    Baseline before = Baseline::now();
    uint32_t trace_first = pager::trace_count();
    pager::Counters counters_before = pager::counters();
    uint64_t t0 = cpu::rdtsc();
    char args[200];
    format_to(args, sizeof args, "token=%s ", ktest::token());
    append_words(args, sizeof args, "pager");
    const char* program = cmdline::get("pager_program");
    uint32_t pager_pid = spawn("pager-spawned", program ? program : "pager-ram", args);
    if (!pager_pid)
        return;
    uint8_t store = 0;
    for (int t = 0; t < 200 && !store; ++t) {
        Process* p = process::find(pager_pid);
        store = p ? pager::store_of(p) : 0;
        if (!store)
            sched::sleep_ticks(1);
    }
    if (!ktest::check("pager-store-registered", store != 0, "pager %u did not register within 2 s", pager_pid))
        return;
    if (cmdline::get("client")) {
        format_to(args, sizeof args, "token=%s store=%u ", ktest::token(), store);
        append_words(args, sizeof args, "client");
        uint32_t client_pid = spawn("client-spawned", "pager-client", args);
        int32_t client = client_pid ? wait_exit(client_pid) : -100;
        ktest::check("client-exit-as-expected", status_is(client, cmdline::get("client_status")),
            "client status %d", int(client));
    }
    int32_t pager_status = wait_exit(pager_pid);
    ktest::check("pager-exit-as-expected", status_is(pager_status, cmdline::get("pager_status")),
        "pager status %d", int(pager_status));
    uint64_t instructions = cpu::rdtsc() - t0;
    // Requests still in flight end by their deadline at the latest; the
    // deadline thread then ends too (its stack goes back to the heap).
    for (uint32_t t = 0; t < pager::deadline_ticks() + 20 && pager::table().in_flight(); ++t)
        sched::sleep_ticks(1);
    sched::sleep_ticks(2);
    ktest::check("request-table-empty", pager::table().in_flight() == 0, "%u requests still in flight",
        pager::table().in_flight());
    Baseline after = Baseline::now();
    ktest::check("frames-back", after.frames_free == before.frames_free, "frames free %u before, %u after",
        before.frames_free, after.frames_free);
    ktest::check("vpages-back", after.vpages_in_use == before.vpages_in_use, "vpages in use %u before, %u after",
        before.vpages_in_use, after.vpages_in_use);
    ktest::check("kernel-heap-back", after.heap_free == before.heap_free, "kernel heap free %u before, %u after",
        unsigned(before.heap_free), unsigned(after.heap_free));
    uint32_t trace_end = pager::trace_count();
    check_expected(check_trace(trace_first, trace_end), counters_before, trace_end - trace_first <= pager::kTraceEntries);
    ktest::value("run_instructions", instructions);
}
