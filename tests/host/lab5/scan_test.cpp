// scan_test.cpp: step 2 of collector.h, the scan of one address space, and
// step 3 for clean pages.
#include "lab5_test.h"

namespace {
constexpr uint32_t kBase = 0x10000000;
}

TEST_GROUP_BASE(Scan, CollectorTest) {};

TEST(Scan, AccessedEntriesLoseTheirAccessedBitAndStay)
{
    AddressSpace* s = make_space();
    fill_pages(s, kBase, 8, 100);
    size_t flushed = SimulatedMemory::current().invalidated.size();
    uint32_t free_before = frames().frames_free();
    vm::ScanResult r = vm::scan_space(*s, kBase, 16);
    LONGS_EQUAL(8, r.scanned);
    LONGS_EQUAL(8, r.cleared);
    LONGS_EQUAL(0, r.taken);
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    for (uint32_t i = 0; i < 8; ++i) {
        PageTableEntry* e = s->entry(kBase + i * kPage, false);
        CHECK_TEXT(e->is_present() && !e->is_accessed() && e->is_dirty(), say("page %u kept, A clear, D kept", i));
        CHECK_TEXT(was_invalidated(kBase + i * kPage), say("page %u flushed", i));
    }
    LONGS_EQUAL(8, SimulatedMemory::current().invalidated.size() - flushed);
    check_counts({ s }, "after the scan");
}

TEST(Scan, UnaccessedEntryHoldsItsVPageAgainAndPassesDirtyOn)
{
    AddressSpace* s = make_space();
    fill_pages(s, kBase, 2, 100);
    // Page 1 read-only: its not-present entry must keep W clear.
    VPageRef ro = anonymous_vpage();
    CHECK(s->map(kBase + 2 * kPage, ro, Access::ReadOnly) == MapResult::Ok);
    user_read(s, kBase + 2 * kPage);
    age(s, kBase, 3);
    VPageRef dirty = frames().owner(s->entry(kBase, false)->frame());
    uint32_t dirty_frame = vpage(dirty).frame;
    vm::ScanResult r = vm::scan_space(*s, kBase, 3);
    LONGS_EQUAL(3, r.taken);
    PageTableEntry e = *s->entry(kBase, false);
    CHECK(!e.is_present());
    UNSIGNED_LONGS_EQUAL(dirty, AddressSpace::entry_vpage(e));
    CHECK(AddressSpace::entry_writable(e));
    PageTableEntry r_e = *s->entry(kBase + 2 * kPage, false);
    UNSIGNED_LONGS_EQUAL(ro, AddressSpace::entry_vpage(r_e));
    CHECK_FALSE(AddressSpace::entry_writable(r_e));
    CHECK(was_invalidated(kBase));
    // The dirty page went to the store (pinned, still resident); the clean
    // read-only one (only ever zero) was dropped.
    LONGS_EQUAL(2, store.writes.size());
    UNSIGNED_LONGS_EQUAL(dirty, store.writes[0].vpage);
    UNSIGNED_LONGS_EQUAL(dirty_frame, vpage(dirty).frame);
    LONGS_EQUAL(1, frames().map_count(dirty_frame));
    CHECK_FALSE(vpage(ro).is_resident());
    check_counts({ s }, "after the scan");
}

TEST(Scan, CleanAnonymousPageIsDroppedAndZeroFilledAgain)
{
    AddressSpace* s = make_space();
    VPageRef v = anonymous_vpage();
    CHECK(s->map(kBase, v, Access::ReadWrite) == MapResult::Ok);
    LONGS_EQUAL(0, user_read(s, kBase)); // a read: zero-filled, never dirty
    uint32_t frame = vpage(v).frame;
    age(s, kBase, 1);
    uint32_t free_before = frames().frames_free();
    vm::ScanResult r = vm::scan_space(*s, kBase, 16);
    LONGS_EQUAL(1, r.taken);
    LONGS_EQUAL(0, store.writes.size());
    CHECK_FALSE(vpage(v).is_resident());
    CHECK(frames().is_free(frame));
    UNSIGNED_LONGS_EQUAL(free_before + 1, frames().frames_free());
    LONGS_EQUAL(vm::kAnonymous, vpage(v).store);
    CHECK(read_fault(s, kBase) == FaultResult::ZeroFilled);
}

TEST(Scan, QuotaStopsTheScanAndTheNextOneGoesOn)
{
    AddressSpace* s = make_space();
    fill_pages(s, kBase, 40, 7);
    age(s, kBase, 40);
    vm::ScanResult first = vm::scan_space(*s, kBase, 16);
    LONGS_EQUAL(16, first.taken);
    UNSIGNED_LONGS_EQUAL(kBase + 16 * kPage, first.next);
    for (uint32_t i = 0; i < 40; ++i)
        CHECK_TEXT(s->entry(kBase + i * kPage, false)->is_present() == (i >= 16), say("page %u", i));
    vm::ScanResult second = vm::scan_space(*s, first.next, 16);
    LONGS_EQUAL(16, second.taken);
    UNSIGNED_LONGS_EQUAL(kBase + 32 * kPage, second.next);
    vm::ScanResult third = vm::scan_space(*s, second.next, 16);
    LONGS_EQUAL(8, third.taken); // wrapped around once and stopped
    check_counts({ s }, "after three scans");
}

TEST(Scan, ABadStartMeansTheBottomOfUserSpace)
{
    AddressSpace* s = make_space();
    fill_pages(s, kBase, 2, 7);
    age(s, kBase, 2);
    vm::ScanResult r = vm::scan_space(*s, 0xC0001234, 1);
    LONGS_EQUAL(1, r.taken);
    CHECK_FALSE(s->entry(kBase, false)->is_present());
    CHECK(s->entry(kBase + kPage, false)->is_present());
}

TEST(Scan, SharedPageIsFreedOnlyWhenTheLastMappingGoes)
{
    AddressSpace* a = make_space();
    AddressSpace* b = make_space();
    VPageRef v = anonymous_vpage();
    CHECK(a->map(kBase, v, Access::ReadWrite) == MapResult::Ok);
    CHECK(b->map(kBase, v, Access::ReadWrite) == MapResult::Ok);
    user_read(a, kBase);
    user_read(b, kBase);
    uint32_t frame = vpage(v).frame;
    LONGS_EQUAL(2, frames().map_count(frame));
    age(a, kBase, 1);
    age(b, kBase, 1);
    LONGS_EQUAL(1, vm::scan_space(*a, kBase, 16).taken);
    LONGS_EQUAL(1, frames().map_count(frame));
    CHECK(vpage(v).is_resident());
    LONGS_EQUAL(1, vm::scan_space(*b, kBase, 16).taken);
    CHECK_FALSE(vpage(v).is_resident());
    CHECK(frames().is_free(frame));
    check_counts({ a, b }, "after both scans");
}
