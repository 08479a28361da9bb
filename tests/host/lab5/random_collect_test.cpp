// random_collect_test.cpp: a randomised model check of the collector. Several
// processes share and privately own pages; random steps read and write them
// (faulting as the CPU would), collect, end writes in random order (some
// failing), and deliver page-ins. A model holds the word each page must
// read. After every step every map count and reference is recounted; at the
// end, when every space is gone and every write has ended, frames, vpages
// and swap slots are back at their baseline.
#include "lab5_test.h"

#include <random>

namespace {
constexpr uint32_t kBase = 0x40000000;
constexpr uint32_t kPrivatePages = 24;
constexpr uint32_t kSharedPages = 8;
constexpr uint32_t kProcesses = 3;
constexpr uint32_t kSteps = 3000;
}

TEST_GROUP_BASE(RandomCollect, CollectorTest)
{
    std::mt19937 rng { 5 };
    uint32_t below(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); }

    // Read or write `linear` in `space` as a program would, following a page
    // through the store if it went out. Returns the word read (or written).
    uint32_t access(AddressSpace* space, uint32_t linear, bool write, uint32_t value)
    {
        PageTableEntry* e = space->entry(linear, false);
        if (!allows(e, write)) {
            FaultResult r = fault(space, linear, write);
            if (r == FaultResult::Queued) {
                VPageRef v = AddressSpace::entry_vpage(*space->entry(linear, false));
                CHECK_TEXT(std::count(store.requests.begin(), store.requests.end(), v) >= 1, "the store was asked");
                store.deliver(v);
                r = fault(space, linear, write);
            }
            CHECK_TEXT(vm::is_resolved(r), say("access at 0x%08x: %s", linear, StringFrom(r).asCharString()));
        }
        if (write)
            return user_write(space, linear, value), value;
        return user_read(space, linear);
    }
};

TEST(RandomCollect, DataSurvivesAndCountsComeBack)
{
    std::vector<Process*> procs;
    for (uint32_t i = 0; i < kProcesses; ++i)
        procs.push_back(make_process(i + 1));
    // Shared pages: one vpage each, mapped in every process.
    std::vector<VPageRef> shared;
    for (uint32_t j = 0; j < kSharedPages; ++j) {
        VPageRef v = anonymous_vpage();
        shared.push_back(v);
        for (Process* p : procs)
            CHECK(p->space->map(kBase + (kPrivatePages + j) * kPage, v, Access::ReadWrite) == MapResult::Ok);
    }
    for (Process* p : procs)
        for (uint32_t j = 0; j < kPrivatePages; ++j)
            CHECK(p->space->map(kBase + j * kPage, anonymous_vpage(), Access::ReadWrite) == MapResult::Ok);
    // model[p][page]: the word the page must read (shared pages: model[0]).
    const uint32_t pages = kPrivatePages + kSharedPages;
    std::vector<std::vector<uint32_t>> model(kProcesses, std::vector<uint32_t>(pages, 0));
    auto expected = [&](uint32_t p, uint32_t page) -> uint32_t& {
        return page >= kPrivatePages ? model[0][page] : model[p][page];
    };
    uint32_t collected = 0, ended = 0, failed = 0;
    for (uint32_t step = 0; step < kSteps; ++step) {
        uint32_t what = below(10);
        if (what < 6) {
            uint32_t p = below(kProcesses), page = below(pages);
            uint32_t at = kBase + page * kPage;
            process::touch(procs[p]); // it runs
            if (below(2)) {
                uint32_t value = step * 7 + 1;
                access(procs[p]->space, at, true, value);
                expected(p, page) = value;
            } else {
                LONGS_EQUAL_TEXT(expected(p, page), access(procs[p]->space, at, false, 0),
                    say("step %u: process %u page %u", step, p, page));
            }
        } else if (what < 8) {
            collected += vm::collect(1 + below(12), 1 + below(8));
        } else {
            std::vector<size_t> open;
            for (size_t i = 0; i < store.writes.size(); ++i)
                if (!store.writes[i].done)
                    open.push_back(i);
            if (!open.empty()) {
                bool ok = below(8) != 0;
                store.finish_write(open[below(uint32_t(open.size()))], ok);
                ++ended;
                failed += !ok;
            }
        }
        if (step % 50 == 0) {
            std::vector<AddressSpace*> spaces;
            for (Process* p : procs)
                spaces.push_back(p->space);
            check_counts({ spaces[0], spaces[1], spaces[2] }, say("step %u", step));
        }
        CHECK_TEXT(vm::collector_counters().max_taken <= 12, "no scan took more than its quota");
    }
    CHECK_TEXT(collected > 100 && ended > 50 && failed > 0 && store.deliveries > 20,
        say("the run exercised the collector: %u taken, %u writes ended (%u failed), %u page-ins", collected, ended,
            failed, store.deliveries));
    // Every page still reads what was last written.
    for (uint32_t p = 0; p < kProcesses; ++p)
        for (uint32_t page = 0; page < pages; ++page)
            LONGS_EQUAL_TEXT(expected(p, page), access(procs[p]->space, kBase + page * kPage, false, 0),
                say("at the end: process %u page %u", p, page));
    for (Process* p : procs) {
        destroy_space(p->space);
        p->space = nullptr;
    }
    store.finish_all_writes();
    check_baseline("after the model check");
    LONGS_EQUAL(0, store.slots_used());
}
