// Host tests of lab 3, part 1: step 1 of vm::handle_fault (os/vm/fault.h),
// the permission check, and the order of the checks. A fault on the NULL
// page, the kernel half, an address with no mapping, or a write no mapping
// allows is refused with its Bad* result, before anything is resolved, and
// changes nothing: no frame, no page table, no entry, no count, no flush, no
// store request, no copy-on-write.
//
// Zero fill and resident map are in zero_fill_test.cpp, the copy-on-write
// hook in copy_on_write_hook_test.cpp, stores in store_test.cpp.
#include "fake_copy_on_write.h" // last: CppUTest comes with it

TEST_GROUP_BASE(FaultPermission, Lab3Test)
{
    AddressSpace* space = nullptr;
    void setup() override
    {
        Lab3Test::setup();
        space = make_space();
    }
    // Every fault of `cases` gives its result and changes nothing.
    template<typename Cases>
    void check_refused(const Cases& cases)
    {
        for (const auto& c : cases) {
            MachineState before = MachineState::of({ space });
            FaultResult r = fault(space, c.address, c.write);
            const char* what = say("%s (%s at 0x%08x)", c.what, c.write ? "write" : "read", c.address);
            CHECK_EQUAL_TEXT(c.result, r, what);
            MachineState::of({ space }).check_same_as(before, what);
            UNSIGNED_LONGS_EQUAL_TEXT(0, copy_on_write_calls(), what);
        }
    }
};

struct Refused {
    const char* what;
    uint32_t address;
    bool write;
    FaultResult result;
};

TEST(FaultPermission, NullPageIsBadNull)
{
    // Page tables around, so that "no table" is not what decides.
    MapResult mapped = space->map(0x00001000, anonymous_vpage(), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    const Refused cases[] = {
        { "address 0", 0x00000000, false, FaultResult::BadNull },
        { "address 0", 0x00000000, true, FaultResult::BadNull },
        { "a field of a NULL struct pointer", 0x00000010, true, FaultResult::BadNull },
        { "last byte of page 0", 0x00000fff, false, FaultResult::BadNull },
    };
    check_refused(cases);
}

TEST(FaultPermission, KernelHalfIsBadKernelHalf)
{
    const Refused cases[] = {
        { "first kernel byte", 0xc0000000, false, FaultResult::BadKernelHalf },
        { "first kernel byte", 0xc0000000, true, FaultResult::BadKernelHalf },
        { "kernel data", 0xc0123456, true, FaultResult::BadKernelHalf },
        { "last byte of memory", 0xffffffff, false, FaultResult::BadKernelHalf },
    };
    check_refused(cases);
}

TEST(FaultPermission, NoPageTableOrAnEmptyEntryIsBadUnmapped)
{
    MapResult mapped = space->map(0x00400000, anonymous_vpage(), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    const Refused cases[] = {
        { "empty entry next to a mapping", 0x00401000, false, FaultResult::BadUnmapped },
        { "empty entry next to a mapping", 0x00401abc, true, FaultResult::BadUnmapped },
        { "last entry of that table", 0x007ff000, true, FaultResult::BadUnmapped },
        { "no page table", 0x00800000, false, FaultResult::BadUnmapped },
        { "no page table", 0x08048000, true, FaultResult::BadUnmapped },
        { "first user page, no table", 0x00001000, true, FaultResult::BadUnmapped },
        { "last user byte, no table", 0xbfffffff, false, FaultResult::BadUnmapped },
    };
    check_refused(cases);
}

// A write through a read-only mapping is refused whatever the vpage is:
// anonymous and untouched, resident, in a store.
TEST(FaultPermission, WriteThroughAReadOnlyMappingIsBadReadOnly)
{
    FakeStore store;
    vm::set_store(5, &store);
    MapResult mapped = space->map(0x00400000, anonymous_vpage(), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, vpage_holding(0x1000), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00402000, vpage_in_store(5, 0x2000), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    // Not present, its vpage resident (mapped read-write elsewhere).
    VPageRef elsewhere = anonymous_vpage();
    mapped = space->map(0x00403000, elsewhere, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00404000, elsewhere, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = write_fault(space, 0x00404000);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    const Refused cases[] = {
        { "not present, anonymous", 0x00400000, true, FaultResult::BadReadOnly },
        { "present", 0x00401000, true, FaultResult::BadReadOnly },
        { "present, inside the page", 0x00401ffc, true, FaultResult::BadReadOnly },
        { "not present, in a store", 0x00402000, true, FaultResult::BadReadOnly },
        { "not present, resident", 0x00403000, true, FaultResult::BadReadOnly },
    };
    check_refused(cases);
    UNSIGNED_LONGS_EQUAL_TEXT(0, store.requests.size(), "the store was never asked");
}

// Permission is step 1: it decides before the page is looked for. A write
// to a read-only page is BadReadOnly even when the zero fill would run out
// of frames, or the page is in a store that is not registered.
TEST(FaultPermission, PermissionIsCheckedBeforeAnythingElse)
{
    MapResult mapped = space->map(0x00400000, anonymous_vpage(), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, vpage_in_store(9, 0), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    std::vector<uint32_t> taken = take_every_frame();
    const Refused cases[] = {
        { "anonymous, no frame left", 0x00400000, true, FaultResult::BadReadOnly },
        { "store 9, none registered", 0x00401000, true, FaultResult::BadReadOnly },
        // The same pages read: now the later steps decide.
        { "anonymous read, no frame left", 0x00400000, false, FaultResult::OutOfMemory },
        { "store 9 read, none registered", 0x00401000, false, FaultResult::NoStore },
    };
    check_refused(cases);
    give_back(taken);
}

// One space full of every kind of mapping, a second one sharing some: a
// run of bad faults leaves both exactly as they were.
TEST(FaultPermission, BadFaultsChangeNothing)
{
    AddressSpace* other = make_space();
    VPageRef shared = vpage_holding(0x5000);
    MapResult mapped = space->map(0x00400000, shared, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = other->map(0x00400000, shared, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, anonymous_vpage(), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x08048000, vpage_holding(0x6000), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0xbffff000, anonymous_vpage(), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = write_fault(space, 0xbffff000);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    const Refused cases[] = {
        { "NULL", 0x00000004, true, FaultResult::BadNull },
        { "kernel", 0xc0100000, false, FaultResult::BadKernelHalf },
        { "unmapped", 0x00402000, true, FaultResult::BadUnmapped },
        { "unmapped, no table", 0x40000000, false, FaultResult::BadUnmapped },
        { "read-only shared page", 0x00400000, true, FaultResult::BadReadOnly },
        { "read-only untouched page", 0x00401000, true, FaultResult::BadReadOnly },
        { "read-only text page", 0x08048010, true, FaultResult::BadReadOnly },
    };
    MachineState before = MachineState::of({ space, other });
    for (const auto& c : cases) {
        FaultResult result = fault(space, c.address, c.write);
        CHECK_EQUAL_TEXT(c.result, result, c.what);
    }
    MachineState::of({ space, other }).check_same_as(before, "after every bad fault");
    CHECK_TEXT(holds(vpage(shared).frame, 0x5000), "the shared page's data");
    UNSIGNED_LONGS_EQUAL(0, copy_on_write_calls());
}

// A read is allowed through every mapping; only writes need permission.
TEST(FaultPermission, ReadsThroughReadOnlyMappingsAreResolved)
{
    VPageRef resident = vpage_holding(0x7000);
    MapResult mapped = space->map(0x00400000, anonymous_vpage(), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, resident, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    result = read_fault(space, 0x00401000);
    CHECK_EQUAL(FaultResult::Spurious, result);
    CHECK_FALSE(entry_of(space, 0x00400000).is_writable());
    CHECK_FALSE(entry_of(space, 0x00401000).is_writable());
}
