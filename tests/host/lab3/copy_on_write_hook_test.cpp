// Host tests of lab 3, part 3: step 4 of vm::handle_fault (os/vm/fault.h),
// the call to lab 4's vm::copy_on_write(), here the fake of
// fake_copy_on_write.h.
//
// A copy-on-write vpage (VPage::kCopyOnWrite) may be written through every
// entry that refers to it, though every present entry of it is read-only in
// hardware. So:
// - a read fault maps it read-only, even through a writable mapping;
// - a write fault on its present entry calls copy_on_write(space, page) and
//   returns its answer;
// - a write fault on a not-present entry first maps or zero-fills the page
//   (steps 2 and 3, read-only) and then calls copy_on_write in the same call;
// - nothing else calls copy_on_write.
#include "fake_copy_on_write.h" // last: CppUTest comes with it

namespace {

// A copy-on-write vpage, resident on a frame holding `pattern`.
VPageRef cow_vpage_holding(uint32_t pattern)
{
    VPageRef v = vpage_holding(pattern);
    vpage_mut(v).flags |= VPage::kCopyOnWrite;
    return v;
}
// A copy-on-write vpage not resident in store `store` (0: anonymous).
VPageRef cow_vpage_in(uint8_t store)
{
    VPageRef v = vpage_in_store(store, 0x4000);
    vpage_mut(v).flags |= VPage::kCopyOnWrite;
    return v;
}

} // namespace

TEST_GROUP_BASE(CopyOnWriteHook, Lab3Test)
{
    AddressSpace* space = nullptr;
    void setup() override
    {
        Lab3Test::setup();
        space = make_space();
    }
    // The one call of the fake: in this space, at `page`, on a present
    // read-only entry of `frame`.
    void check_one_call(uint32_t page, uint32_t frame, const char* what)
    {
        const auto& calls = fake_copy_on_write::calls();
        UNSIGNED_LONGS_EQUAL_TEXT(1, calls.size(), say("%s: copy_on_write called once", what));
        POINTERS_EQUAL_TEXT(space, calls[0].space, say("%s: with the faulting space", what));
        UNSIGNED_LONGS_EQUAL_TEXT(page, calls[0].page, say("%s: with the page (aligned)", what));
        PageTableEntry e(calls[0].entry);
        CHECK_TEXT(e.is_present(), say("%s: the entry was present at the call", what));
        CHECK_FALSE_TEXT(e.is_writable(), say("%s: and read-only", what));
        UNSIGNED_LONGS_EQUAL_TEXT(frame, e.frame(), say("%s: on the vpage's frame", what));
    }
};

// As fork leaves a page: present, read-only, its vpage copy-on-write. The
// handler's answer is copy_on_write's, whatever it is.
TEST(CopyOnWriteHook, WriteToAPresentCopyOnWritePageCallsCopyOnWrite)
{
    const FaultResult answers[] = { FaultResult::CopiedOnWrite, FaultResult::MadeWritable, FaultResult::OutOfMemory };
    uint32_t linear = 0x00400000;
    for (FaultResult answer : answers) {
        const char* what = say("copy_on_write answers %s", StringFrom(answer).asCharString());
        VPageRef v = cow_vpage_holding(0x100);
        MapResult mapped = space->map(linear, v, Access::ReadOnly);
        CHECK_EQUAL(MapResult::Ok, mapped);
        fake_copy_on_write::reset(answer);
        MachineState before = MachineState::of({ space });
        auto value = write_fault(space, linear + 0x10);
        CHECK_EQUAL_TEXT(answer, value, what);
        check_one_call(linear, vpage(v).frame, what);
        MachineState::of({ space }).check_same_as(before, what, true);
        linear += kPage;
    }
}

// Fork leaves the parent's not-present entries writable (W = 1): a read
// through one still gives a read-only present entry.
TEST(CopyOnWriteHook, ReadOfACopyOnWritePageMapsItReadOnly)
{
    struct {
        const char* what;
        bool resident;
        FaultResult result;
    } const cases[] = {
        { "resident elsewhere", true, FaultResult::MappedResident },
        { "anonymous, untouched", false, FaultResult::ZeroFilled },
    };
    uint32_t linear = 0x00400000;
    for (const auto& c : cases) {
        VPageRef v = cow_vpage_in(vm::kAnonymous);
        MapResult mapped = space->map(linear, v, Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        CHECK_TRUE_TEXT(AddressSpace::entry_writable(entry_of(space, linear)), "the mapping is writable");
        if (c.resident)
            vpage_attach(v, frames().allocate());
        auto value = read_fault(space, linear);
        CHECK_EQUAL_TEXT(c.result, value, c.what);
        PageTableEntry e = entry_of(space, linear);
        CHECK_TEXT(e.is_present(), c.what);
        CHECK_FALSE_TEXT(e.is_writable(), say("%s: read-only in hardware", c.what));
        UNSIGNED_LONGS_EQUAL_TEXT(vpage(v).frame, e.frame(), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vpage(v).frame), c.what);
        CHECK_TEXT(vpage(v).flags & VPage::kCopyOnWrite, say("%s: still copy-on-write", c.what));
        // Read again: the entry allows it.
        FaultResult result = read_fault(space, linear);
        CHECK_EQUAL_TEXT(FaultResult::Spurious, result, c.what);
        linear += kPage;
    }
    UNSIGNED_LONGS_EQUAL_TEXT(0, copy_on_write_calls(), "reads never copy");
}

// A write to a not-present entry of a copy-on-write vpage: the page is
// brought onto a frame first (step 2 or 3, read-only), and step 4 runs in
// the same call, whether the entry says W (the parent's) or not (the
// child's: it may still write, the vpage says so).
TEST(CopyOnWriteHook, WriteToANotPresentCopyOnWritePageResolvesItThenCallsCopyOnWrite)
{
    struct {
        const char* what;
        bool resident;
        Access access;
    } const cases[] = {
        { "anonymous, writable entry", false, Access::ReadWrite },
        { "anonymous, read-only entry", false, Access::ReadOnly },
        { "resident, writable entry", true, Access::ReadWrite },
        { "resident, read-only entry", true, Access::ReadOnly },
    };
    uint32_t linear = 0x00400000;
    for (const auto& c : cases) {
        VPageRef v = cow_vpage_in(vm::kAnonymous);
        MapResult mapped = space->map(linear, v, c.access);
        CHECK_EQUAL(MapResult::Ok, mapped);
        if (c.resident) {
            uint32_t frame = frames().allocate();
            fill(frame, 0x900);
            vpage_attach(v, frame);
        }
        uint32_t free_before = frames().frames_free();
        fake_copy_on_write::reset(FaultResult::MadeWritable);
        FaultResult result = write_fault(space, linear + 0xff0);
        CHECK_EQUAL_TEXT(FaultResult::MadeWritable, result, c.what);
        const VPage& vp = vpage(v);
        CHECK_TEXT(vp.is_resident(), c.what);
        check_one_call(linear, vp.frame, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(free_before - (c.resident ? 0 : 1), frames().frames_free(),
            say("%s: a frame only for the zero fill", c.what));
        CHECK_TEXT(c.resident ? holds(vp.frame, 0x900) : is_zero(vp.frame), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(vp.frame, entry_of(space, linear).frame(), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vp.frame), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(v, frames().owner(vp.frame), c.what);
        LONGS_EQUAL_TEXT(1, vp.refs, c.what);
        linear += kPage;
    }
}

// Step 4 needs all three: a write, a present entry (after steps 2 and 3),
// a copy-on-write vpage.
TEST(CopyOnWriteHook, CopyOnWriteIsReachedOnlyByWritesToCopyOnWritePages)
{
    FakeStore store;
    vm::set_store(2, &store);
    struct {
        const char* what;
        VPageRef vpage;
        Access access;
        bool write;
        FaultResult result;
    } const cases[] = {
        { "read of a present copy-on-write page", cow_vpage_holding(1), Access::ReadOnly, false,
            FaultResult::Spurious },
        { "read of a not-present copy-on-write page", cow_vpage_in(vm::kAnonymous), Access::ReadWrite, false,
            FaultResult::ZeroFilled },
        { "write to a copy-on-write page in a store", cow_vpage_in(2), Access::ReadWrite, true, FaultResult::Queued },
        { "write to a present writable page", vpage_holding(2), Access::ReadWrite, true, FaultResult::Spurious },
        { "write to a present read-only page", vpage_holding(3), Access::ReadOnly, true, FaultResult::BadReadOnly },
        { "write to an untouched writable page", anonymous_vpage(), Access::ReadWrite, true,
            FaultResult::ZeroFilled },
        { "write to a read-only page in a store", vpage_in_store(2, 0), Access::ReadOnly, true,
            FaultResult::BadReadOnly },
    };
    uint32_t linear = 0x00400000;
    for (const auto& c : cases) {
        MapResult mapped = space->map(linear, c.vpage, c.access);
        CHECK_EQUAL(MapResult::Ok, mapped);
        auto value = fault(space, linear, c.write);
        CHECK_EQUAL_TEXT(c.result, value, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(0, copy_on_write_calls(), c.what);
        linear += kPage;
    }
    UNSIGNED_LONGS_EQUAL_TEXT(1, store.requests.size(), "the store was asked for the one page in it");
}

// Through a second mapping in another space too: each write fault calls
// copy_on_write once, in the space that faulted.
TEST(CopyOnWriteHook, EachWriteFaultCallsCopyOnWriteInItsOwnSpace)
{
    AddressSpace* child = make_space();
    VPageRef v = cow_vpage_holding(0x300);
    MapResult mapped = space->map(0x00400000, v, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = child->map(0x00400000, v, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = write_fault(child, 0x00400800);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    result = write_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    const auto& calls = fake_copy_on_write::calls();
    UNSIGNED_LONGS_EQUAL(2, calls.size());
    POINTERS_EQUAL(child, calls[0].space);
    POINTERS_EQUAL(space, calls[1].space);
    UNSIGNED_LONGS_EQUAL(0x00400000, calls[0].page);
    UNSIGNED_LONGS_EQUAL(0x00400000, calls[1].page);
}
