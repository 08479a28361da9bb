// write_back_test.cpp: steps 3 and 4 of collector.h: a dirty page at map
// count zero goes to the store, and what happens while the write is in
// flight (the fault that brings the page back, the vpage that dies, the
// write that fails, the store that is full).
#include "lab5_test.h"

namespace {
constexpr uint32_t kBase = 0x20000000;
}

TEST_GROUP_BASE(WriteBack, CollectorTest)
{
    AddressSpace* s = nullptr;
    VPageRef v = kNoVPage;
    uint32_t frame = 0;

    // One dirty page at kBase, taken by a scan: its write is in flight.
    void page_on_its_way_out()
    {
        s = make_space();
        fill_pages(s, kBase, 1, 500);
        v = frames().owner(s->entry(kBase, false)->frame());
        frame = vpage(v).frame;
        age(s, kBase, 1);
        LONGS_EQUAL(1, vm::scan_space(*s, kBase, 16).taken);
        LONGS_EQUAL(1, store.writes.size());
    }
};

TEST(WriteBack, DirtyPageIsWrittenThenItsFrameFreed)
{
    page_on_its_way_out();
    // In flight: pinned (map count 1), still resident, clean, named by its slot.
    LONGS_EQUAL(1, frames().map_count(frame));
    UNSIGNED_LONGS_EQUAL(frame, vpage(v).frame);
    CHECK_FALSE(vpage(v).is_dirty());
    LONGS_EQUAL(vm::kSwap, vpage(v).store);
    UNSIGNED_LONGS_EQUAL(store.writes[0].slot, vpage(v).store_offset);
    uint32_t free_before = frames().frames_free();
    store.finish_write(0);
    CHECK(frames().is_free(frame));
    UNSIGNED_LONGS_EQUAL(free_before + 1, frames().frames_free());
    CHECK_FALSE(vpage(v).is_resident());
    // The next touch asks the store; the page comes back with its data.
    CHECK(read_fault(s, kBase) == FaultResult::Queued);
    LONGS_EQUAL(1, store.requests.size());
    store.deliver(v);
    LONGS_EQUAL(500, user_read(s, kBase));
    check_counts({ s }, "after the page-in");
}

TEST(WriteBack, FaultDuringTheWriteMapsTheFrameAgainWithNoRead)
{
    page_on_its_way_out();
    uint32_t free_before = frames().frames_free();
    // The program touches the page while it is being written: the lab-3
    // resident-map path maps the same frame (the vpage is still resident).
    CHECK(read_fault(s, kBase) == FaultResult::MappedResident);
    LONGS_EQUAL(2, frames().map_count(frame));
    store.finish_write(0);
    // The write ended; the page is mapped, so it stays: no free, no request.
    LONGS_EQUAL(1, frames().map_count(frame));
    UNSIGNED_LONGS_EQUAL(frame, vpage(v).frame);
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    LONGS_EQUAL(0, store.requests.size());
    LONGS_EQUAL(0, store.deliveries);
    LONGS_EQUAL(500, user_read(s, kBase));
    check_counts({ s }, "after the race");
}

TEST(WriteBack, PageWrittenAgainDuringTheWriteGoesOutAgain)
{
    page_on_its_way_out();
    user_write(s, kBase, 501); // back in, and written (D set in the entry)
    age(s, kBase, 1);
    LONGS_EQUAL(1, vm::scan_space(*s, kBase, 16).taken); // dirty passed on; the pin holds the frame
    LONGS_EQUAL(1, store.writes.size());
    CHECK(vpage(v).is_dirty());
    store.finish_write(0);
    // The copy in the store is old: a second write, same slot.
    LONGS_EQUAL(2, store.writes.size());
    UNSIGNED_LONGS_EQUAL(store.writes[0].slot, store.writes[1].slot);
    store.finish_write(1);
    CHECK(frames().is_free(frame));
    CHECK(read_fault(s, kBase) == FaultResult::Queued);
    store.deliver(v);
    LONGS_EQUAL(501, user_read(s, kBase));
}

TEST(WriteBack, VPageThatDiesDuringTheWriteLeaksNothing)
{
    page_on_its_way_out();
    uint32_t slot = store.writes[0].slot;
    destroy_space(s); // the process exits while its page is written
    LONGS_EQUAL(1, store.releases.size());
    UNSIGNED_LONGS_EQUAL(slot, store.releases[0]);
    CHECK_FALSE(frames().is_free(frame)); // pinned until the write ends
    store.finish_write(0);
    CHECK(frames().is_free(frame));
    LONGS_EQUAL(0, store.slots_used());
    check_baseline("after the write of a dead page");
}

TEST(WriteBack, FailedWriteKeepsThePageDirtyInMemory)
{
    page_on_its_way_out();
    store.finish_write(0, false);
    LONGS_EQUAL(0, frames().map_count(frame));
    UNSIGNED_LONGS_EQUAL(frame, vpage(v).frame);
    CHECK(vpage(v).is_dirty());
    LONGS_EQUAL(1, store.writes.size()); // no retry storm
    CHECK(read_fault(s, kBase) == FaultResult::MappedResident);
    LONGS_EQUAL(500, user_read(s, kBase));
}

TEST(WriteBack, FullSwapKeepsDirtyPagesInMemory)
{
    store.capacity = 0;
    s = make_space();
    fill_pages(s, kBase, 3, 900);
    age(s, kBase, 3);
    uint32_t free_before = frames().frames_free();
    LONGS_EQUAL(3, vm::scan_space(*s, kBase, 16).taken);
    LONGS_EQUAL(3, store.refused.size());
    LONGS_EQUAL(0, store.writes.size());
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    for (uint32_t i = 0; i < 3; ++i) {
        VPageRef p = AddressSpace::entry_vpage(*s->entry(kBase + i * kPage, false));
        CHECK(vpage(p).is_resident() && vpage(p).is_dirty() && vpage(p).store == vm::kAnonymous);
        LONGS_EQUAL(900 + i, user_read(s, kBase + i * kPage));
    }
    check_counts({ s }, "after a full swap");
}

TEST(WriteBack, NoSwapStoreKeepsDirtyPagesInMemory)
{
    vm::set_store(vm::kSwap, nullptr);
    s = make_space();
    fill_pages(s, kBase, 2, 40);
    age(s, kBase, 2);
    LONGS_EQUAL(2, vm::scan_space(*s, kBase, 16).taken);
    LONGS_EQUAL(0, store.writes.size());
    LONGS_EQUAL(40, user_read(s, kBase));
    LONGS_EQUAL(41, user_read(s, kBase + kPage));
}

TEST(WriteBack, ExactCountsOfAWriteInFlightRaceOverEightPages)
{
    // Eight dirty pages go out; pages 0..3 are touched during their writes.
    s = make_space();
    fill_pages(s, kBase, 8, 3000);
    age(s, kBase, 8);
    uint32_t free_before = frames().frames_free();
    LONGS_EQUAL(8, vm::scan_space(*s, kBase, 16).taken);
    LONGS_EQUAL(8, store.writes.size());
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    for (uint32_t i = 0; i < 4; ++i)
        CHECK(read_fault(s, kBase + i * kPage) == FaultResult::MappedResident);
    store.finish_all_writes();
    UNSIGNED_LONGS_EQUAL(free_before + 4, frames().frames_free());
    LONGS_EQUAL(0, store.requests.size());
    LONGS_EQUAL(8, store.slots_used());
    for (uint32_t i = 0; i < 8; ++i) {
        uint32_t at = kBase + i * kPage;
        if (i >= 4) {
            CHECK_TEXT(read_fault(s, at) == FaultResult::Queued, say("page %u went out: a page-in", i));
            store.deliver(AddressSpace::entry_vpage(*s->entry(at, false)));
        }
        LONGS_EQUAL_TEXT(3000 + i, user_read(s, at), say("page %u", i));
    }
    LONGS_EQUAL(4, store.requests.size());
    check_counts({ s }, "after the race");
}

TEST(WriteBack, ASharedPageGoesOutOnceAndComesBackOnceForEveryMapping)
{
    // One vpage in two address spaces (fork's copy-on-write, or a shared
    // mapping): it is written out once, when its last mapping goes, and read
    // back once; the second space maps the frame the first one brought in.
    AddressSpace* a = make_space();
    AddressSpace* b = make_space();
    VPageRef v = anonymous_vpage();
    CHECK(a->map(kBase, v, Access::ReadWrite) == MapResult::Ok);
    CHECK(b->map(kBase, v, Access::ReadWrite) == MapResult::Ok);
    user_write(a, kBase, 4242);
    user_read(b, kBase);
    age(a, kBase, 1);
    age(b, kBase, 1);
    LONGS_EQUAL(1, vm::scan_space(*a, kBase, 16).taken);
    LONGS_EQUAL(0, store.writes.size()); // b still maps it
    LONGS_EQUAL(1, vm::scan_space(*b, kBase, 16).taken);
    LONGS_EQUAL(1, store.writes.size());
    store.finish_write(0);
    CHECK_FALSE(vpage(v).is_resident());
    CHECK(read_fault(b, kBase) == FaultResult::Queued);
    store.deliver(v);
    LONGS_EQUAL(4242, user_read(b, kBase));
    CHECK(read_fault(a, kBase) == FaultResult::MappedResident);
    LONGS_EQUAL(4242, user_read(a, kBase));
    LONGS_EQUAL(1, store.requests.size());
    LONGS_EQUAL(1, store.deliveries);
    LONGS_EQUAL(2, frames().map_count(vpage(v).frame));
    check_counts({ a, b }, "after both came back");
}
