// Host tests of lab 3, part 4: step 5 of vm::handle_fault (os/vm/fault.h),
// pages that live in a store (os/vm/store.h).
//
// A fault on a non-resident vpage with store != 0 asks store(n)->request(v)
// and answers Queued (the thread then waits on the vpage), once per page:
// while threads wait (vpage.waiters != 0) the request is in flight and is
// not repeated. No registered store, or one that refuses: NoStore. Asking
// takes no frame and leaves the entry as it was. Once the page has arrived
// (the vpage is resident) a fault maps it without asking the store.
#include "fake_copy_on_write.h" // last: CppUTest comes with it

TEST_GROUP_BASE(StoreFault, Lab3Test)
{
    AddressSpace* space = nullptr;
    FakeStore store;
    VPageRef v = kNoVPage;
    void setup() override
    {
        Lab3Test::setup();
        space = make_space();
        v = vpage_in_store(3, 0x5000);
        MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
    }
    void teardown() override
    {
        if (vpages().is_live(v))
            vpage_mut(v).waiters = 0; // no thread really waits: let destroy() free it
        Lab3Test::teardown();
    }
};

TEST(StoreFault, StoreBackedPageWithNoStoreIsNoStore)
{
    for (bool write : { false, true }) {
        MachineState before = MachineState::of({ space });
        FaultResult result = fault(space, 0x00400000, write);
        CHECK_EQUAL_TEXT(FaultResult::NoStore, result, write ? "write" : "read");
        MachineState::of({ space }).check_same_as(before, "no store registered");
    }
    vm::set_store(4, &store); // another store number: still none for this page
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::NoStore, result);
    UNSIGNED_LONGS_EQUAL(0, store.requests.size());
}

TEST(StoreFault, RegisteredStoreIsAskedForThePageAndTheThreadWaits)
{
    vm::set_store(3, &store);
    MachineState before = MachineState::of({ space });
    FaultResult result = read_fault(space, 0x00400abc);
    CHECK_EQUAL(FaultResult::Queued, result);
    UNSIGNED_LONGS_EQUAL_TEXT(1, store.requests.size(), "one request");
    UNSIGNED_LONGS_EQUAL_TEXT(v, store.requests[0], "for the faulting page's vpage");
    MachineState::of({ space }).check_same_as(before, "asking changes nothing here");
    CHECK_FALSE(vm::is_resolved(FaultResult::Queued));
    UNSIGNED_LONGS_EQUAL(0, copy_on_write_calls());
}

TEST(StoreFault, WriteFaultAsksTheStoreToo)
{
    vm::set_store(3, &store);
    FaultResult result = write_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::Queued, result);
    UNSIGNED_LONGS_EQUAL(1, store.requests.size());
    CHECK_FALSE(entry_of(space, 0x00400000).is_present());
}

// The first fault asked and its thread sleeps on the vpage (as vm::resolve
// does). Further faults on that page, from this space or another, wait for
// the same request.
TEST(StoreFault, NoSecondRequestWhileThreadsWait)
{
    vm::set_store(3, &store);
    AddressSpace* other = make_space();
    MapResult mapped = other->map(0x08048000, v, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::Queued, result);
    vpage_mut(v).waiters = 0x1234; // a thread waits now
    result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::Queued, result);
    result = write_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::Queued, result);
    result = read_fault(other, 0x08048000);
    CHECK_EQUAL(FaultResult::Queued, result);
    UNSIGNED_LONGS_EQUAL_TEXT(1, store.requests.size(), "one request per page");
    UNSIGNED_LONGS_EQUAL(0x1234, vpage(v).waiters);
}

TEST(StoreFault, StoreThatRefusesIsNoStore)
{
    store.answer = false;
    vm::set_store(3, &store);
    MachineState before = MachineState::of({ space });
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::NoStore, result);
    UNSIGNED_LONGS_EQUAL_TEXT(1, store.requests.size(), "it was asked");
    MachineState::of({ space }).check_same_as(before, "a refused request");
}

// The whole page-in: ask, the page arrives (vm::page_arrived attaches a
// frame holding it), the instruction runs again and maps it.
TEST(StoreFault, ArrivedPageIsMappedWithoutAskingTheStoreAgain)
{
    vm::set_store(3, &store);
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::Queued, result);
    uint32_t frame = frames().allocate();
    fill(frame, 0x5000);
    vpage_attach(v, frame); // page_arrived
    uint32_t free_before = frames().frames_free();
    result = write_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::MappedResident, result);
    UNSIGNED_LONGS_EQUAL_TEXT(1, store.requests.size(), "not asked again");
    UNSIGNED_LONGS_EQUAL_TEXT(free_before, frames().frames_free(), "no new frame");
    PageTableEntry e = entry_of(space, 0x00400000);
    CHECK_TRUE(e.is_present() && e.is_writable());
    UNSIGNED_LONGS_EQUAL(frame, e.frame());
    UNSIGNED_LONGS_EQUAL(1, frames().map_count(frame));
    CHECK_TEXT(holds(frame, 0x5000), "the store's data, not zeroes");
}

// A resident store-backed page is simply mapped, even with no store at all.
TEST(StoreFault, ResidentStoreBackedPageIsMappedWithoutAnyStore)
{
    uint32_t frame = frames().allocate();
    fill(frame, 0x6000);
    vpage_attach(v, frame);
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::MappedResident, result);
    UNSIGNED_LONGS_EQUAL(frame, entry_of(space, 0x00400000).frame());
    CHECK_TEXT(holds(frame, 0x6000), "the page's data");
}
