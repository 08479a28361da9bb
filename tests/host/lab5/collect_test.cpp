// collect_test.cpp: step 1 of collector.h, the walk of the recency list with
// the quota, and the framework's scan_process() bookkeeping.
#include "lab5_test.h"

namespace {
constexpr uint32_t kBase = 0x30000000;

uint32_t present_pages(AddressSpace* s, uint32_t n)
{
    uint32_t present = 0;
    for (uint32_t i = 0; i < n; ++i)
        present += s->entry(kBase + i * kPage, false)->is_present();
    return present;
}
}

TEST_GROUP_BASE(Collect, CollectorTest) {};

TEST(Collect, TheLeastRecentlyRunProcessLosesFirst)
{
    Process* old = make_process(1);   // bottom
    Process* mid = make_process(2);
    Process* young = make_process(3); // top
    for (Process* p : { old, mid, young }) {
        fill_pages(p->space, kBase, 10, p->pid * 100);
        age(p->space, kBase, 10);
    }
    uint32_t taken = vm::collect(8, 16);
    LONGS_EQUAL(8, taken);
    LONGS_EQUAL(2, present_pages(old->space, 10));
    LONGS_EQUAL(10, present_pages(mid->space, 10));
    LONGS_EQUAL(10, present_pages(young->space, 10));
    // The scanned process moved to the top.
    POINTERS_EQUAL(old, process::most_recent());
    POINTERS_EQUAL(mid, process::least_recent());
    LONGS_EQUAL(1, old->scans);
    LONGS_EQUAL(8, old->evictions);
    LONGS_EQUAL(0, mid->scans);
}

TEST(Collect, TheQuotaMovesTheScanOn)
{
    Process* a = make_process(1);
    Process* b = make_process(2);
    Process* c = make_process(3);
    for (Process* p : { a, b, c }) {
        fill_pages(p->space, kBase, 20, p->pid * 100);
        age(p->space, kBase, 20);
    }
    uint32_t taken = vm::collect(30, 12);
    LONGS_EQUAL(30, taken);
    LONGS_EQUAL(8, present_pages(a->space, 20));  // 12 taken
    LONGS_EQUAL(8, present_pages(b->space, 20));  // 12 taken
    LONGS_EQUAL(14, present_pages(c->space, 20)); // the 6 still wanted
    LONGS_EQUAL(12, vm::collector_counters().max_taken);
    LONGS_EQUAL(3, vm::collector_counters().scans);
    // The next collection starts with a: the bottom again (c, b, a were scanned in that order: a, b, c).
    POINTERS_EQUAL(a, process::least_recent());
}

TEST(Collect, AccessedPagesGetASecondChanceOnTheSecondTurn)
{
    Process* a = make_process(1);
    Process* b = make_process(2);
    fill_pages(a->space, kBase, 4, 10); // accessed
    fill_pages(b->space, kBase, 4, 20);
    uint32_t taken = vm::collect(4, 16);
    // Turn 1 clears A in a, turn 2 in b, turn 3 (a again) takes.
    LONGS_EQUAL(4, taken);
    LONGS_EQUAL(0, present_pages(a->space, 4));
    LONGS_EQUAL(4, present_pages(b->space, 4));
}

TEST(Collect, StopsAfterTwoTurnsEachWhenNothingCanBeTaken)
{
    Process* a = make_process(1);
    Process* b = make_process(2);
    LONGS_EQUAL(0, vm::collect(100, 16));
    LONGS_EQUAL(2, a->scans);
    LONGS_EQUAL(2, b->scans);
}

TEST(Collect, AProcessWithoutAnAddressSpaceIsPassedOver)
{
    Process* zombie = make_process(1);
    destroy_space(zombie->space);
    zombie->space = nullptr;
    Process* p = make_process(2);
    fill_pages(p->space, kBase, 4, 10);
    age(p->space, kBase, 4);
    LONGS_EQUAL(3, vm::collect(3, 16));
    LONGS_EQUAL(1, present_pages(p->space, 4));
}

TEST(Collect, TheHandResumesWhereTheLastScanStopped)
{
    Process* p = make_process(1);
    fill_pages(p->space, kBase, 10, 10);
    age(p->space, kBase, 10);
    LONGS_EQUAL(3, vm::scan_process(*p, 3));
    UNSIGNED_LONGS_EQUAL(kBase + 3 * kPage, p->clock_hand);
    LONGS_EQUAL(3, vm::scan_process(*p, 3));
    LONGS_EQUAL(4, present_pages(p->space, 10));
    CHECK(p->space->entry(kBase + 9 * kPage, false)->is_present());
    CHECK_FALSE(p->space->entry(kBase + 5 * kPage, false)->is_present());
}
