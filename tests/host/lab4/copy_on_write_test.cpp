// Host tests of lab 4, part 2: vm::copy_on_write (os/vm/copy_on_write.h),
// called directly on pages set up as fork leaves them (a copy-on-write
// vpage, read-only present entries), so that fork_space is not involved.
//
// - Other entries refer to the vpage (refs > 1): CopiedOnWrite. A new
//   anonymous vpage on a new frame holding a copy of the page replaces this
//   mapping, writable; the old vpage loses one reference and keeps its frame,
//   its other mappings and its flag.
// - This is the last entry (refs == 1): MadeWritable. The flag goes, the
//   entry becomes writable, no frame or vpage is taken.
// - No frame or no vpage for the copy: OutOfMemory, nothing changed.
#include "lab4_test.h" // last: CppUTest comes with it

TEST_GROUP_BASE(CopyOnWrite, Lab4Test)
{
    AddressSpace* a = nullptr;
    AddressSpace* b = nullptr;
    void setup() override
    {
        Lab4Test::setup();
        a = make_space();
        b = make_space();
    }
    // A copy-on-write vpage holding `pattern`, mapped read-only at `linear`
    // in each space of `spaces` (as fork leaves it).
    VPageRef shared_cow(std::initializer_list<AddressSpace*> spaces, uint32_t linear, uint32_t pattern,
        uint8_t store = vm::kAnonymous)
    {
        VPageRef v = vpage_holding(pattern);
        vpage_mut(v).store = store;
        vpage_mut(v).flags |= VPage::kCopyOnWrite;
        for (AddressSpace* s : spaces) {
            MapResult mapped = s->map(linear, v, Access::ReadOnly);
            CHECK_EQUAL(MapResult::Ok, mapped);
        }
        return v;
    }
};

TEST(CopyOnWrite, SharedPageIsCopiedForTheWriter)
{
    struct {
        const char* what;
        uint8_t store;
    } const cases[] = { { "anonymous page", vm::kAnonymous }, { "page of store 7", 7 } };
    uint32_t linear = 0x00400000;
    for (const auto& c : cases) {
        VPageRef old = shared_cow({ a, b }, linear, 0xa000, c.store);
        uint32_t old_frame = vpage(old).frame;
        uint32_t b_entry = entry_of(b, linear).raw();
        uint32_t free_before = frames().frames_free(), in_use = vpages().in_use();
        SimulatedMemory::current().invalidated.clear();

        FaultResult result = vm::copy_on_write(*a, linear);
        CHECK_EQUAL_TEXT(FaultResult::CopiedOnWrite, result, c.what);
        PageTableEntry e = entry_of(a, linear);
        CHECK_TEXT(e.is_present() && e.is_writable() && e.is_user(), say("%s: writable now", c.what));
        uint32_t frame = e.frame();
        VPageRef copy = frames().owner(frame);
        CHECK_TEXT(frame != old_frame, say("%s: a frame of its own", c.what));
        CHECK_TEXT(copy != old && copy != kNoVPage, say("%s: a vpage of its own", c.what));
        UNSIGNED_LONGS_EQUAL_TEXT(free_before - 1, frames().frames_free(), say("%s: one frame", c.what));
        UNSIGNED_LONGS_EQUAL_TEXT(in_use + 1, vpages().in_use(), say("%s: one vpage", c.what));
        CHECK_TEXT(holds(frame, 0xa000), say("%s: the copy holds the page", c.what));
        // The copy: anonymous, private, one entry.
        UNSIGNED_LONGS_EQUAL_TEXT(frame, vpage(copy).frame, c.what);
        LONGS_EQUAL_TEXT(1, vpage(copy).refs, c.what);
        LONGS_EQUAL_TEXT(vm::kAnonymous, vpage(copy).store, say("%s: the copy is in no store", c.what));
        CHECK_FALSE_TEXT(is_copy_on_write(copy), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(frame), c.what);
        // The old page: one entry fewer, the rest as it was.
        LONGS_EQUAL_TEXT(1, vpage(old).refs, say("%s: the old vpage lost this entry", c.what));
        UNSIGNED_LONGS_EQUAL_TEXT(old_frame, vpage(old).frame, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(old_frame), c.what);
        CHECK_TEXT(is_copy_on_write(old), say("%s: still copy-on-write for b", c.what));
        UNSIGNED_LONGS_EQUAL_TEXT(b_entry, entry_of(b, linear).raw(), say("%s: b's entry is unchanged", c.what));
        CHECK_TEXT(holds(old_frame, 0xa000), c.what);
        CHECK_TEXT(was_invalidated(linear), say("%s: a's old read-only TLB entry is flushed", c.what));
        linear += kPage;
    }
}

TEST(CopyOnWrite, LastMappingIsMadeWritableWithoutACopy)
{
    VPageRef v = shared_cow({ a }, 0x00400000, 0xb000);
    uint32_t frame = vpage(v).frame;
    uint32_t free_before = frames().frames_free(), in_use = vpages().in_use();
    FaultResult result = vm::copy_on_write(*a, 0x00400000);
    CHECK_EQUAL(FaultResult::MadeWritable, result);
    PageTableEntry e = entry_of(a, 0x00400000);
    CHECK_TEXT(e.is_present() && e.is_writable() && e.is_user(), "writable now");
    UNSIGNED_LONGS_EQUAL_TEXT(frame, e.frame(), "on the same frame");
    UNSIGNED_LONGS_EQUAL(v, frames().owner(frame));
    CHECK_FALSE_TEXT(is_copy_on_write(v), "no longer copy-on-write");
    UNSIGNED_LONGS_EQUAL_TEXT(free_before, frames().frames_free(), "no frame taken");
    UNSIGNED_LONGS_EQUAL_TEXT(in_use, vpages().in_use(), "no vpage made");
    LONGS_EQUAL(1, vpage(v).refs);
    UNSIGNED_LONGS_EQUAL(1, frames().map_count(frame));
    CHECK_TRUE(holds(frame, 0xb000));
}

// refs counts entries, not spaces: two entries in one space share the page.
TEST(CopyOnWrite, TwoEntriesInOneSpaceAreTwoMappings)
{
    VPageRef v = shared_cow({ a }, 0x00400000, 0xc000);
    MapResult mapped = a->map(0x08048000, v, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = vm::copy_on_write(*a, 0x08048000);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    UNSIGNED_LONGS_EQUAL(vpage(v).frame, entry_of(a, 0x00400000).frame());
    CHECK(entry_of(a, 0x08048000).frame() != vpage(v).frame);
    CHECK_FALSE(entry_of(a, 0x00400000).is_writable());
    result = vm::copy_on_write(*a, 0x00400000);
    CHECK_EQUAL_TEXT(FaultResult::MadeWritable, result, "now the last one");
}

// Three mappings: the first two writers copy, the last keeps the page.
TEST(CopyOnWrite, EveryWriterButTheLastGetsACopy)
{
    AddressSpace* c = make_space();
    VPageRef v = shared_cow({ a, b, c }, 0x00400000, 0xd000);
    uint32_t frame = vpage(v).frame, free_before = frames().frames_free();
    FaultResult result = vm::copy_on_write(*b, 0x00400000);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    LONGS_EQUAL(2, vpage(v).refs);
    result = vm::copy_on_write(*a, 0x00400000);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    LONGS_EQUAL(1, vpage(v).refs);
    result = vm::copy_on_write(*c, 0x00400000);
    CHECK_EQUAL(FaultResult::MadeWritable, result);
    UNSIGNED_LONGS_EQUAL_TEXT(free_before - 2, frames().frames_free(), "two copies");
    UNSIGNED_LONGS_EQUAL_TEXT(frame, entry_of(c, 0x00400000).frame(), "the last keeps the original");
    uint32_t fa = entry_of(a, 0x00400000).frame(), fb = entry_of(b, 0x00400000).frame();
    CHECK_TEXT(fa != fb && fa != frame && fb != frame, "three frames");
    for (uint32_t f : { fa, fb, frame })
        CHECK_TRUE(holds(f, 0xd000));
    destroy_space(a);
    destroy_space(b);
    destroy_space(c);
    check_baseline("after all three exit");
}

TEST(CopyOnWrite, NoFrameLeftIsOutOfMemoryAndChangesNothing)
{
    shared_cow({ a, b }, 0x00400000, 0xe000);
    std::vector<uint32_t> taken = take_every_frame();
    MachineState before = MachineState::of({ a, b });
    FaultResult result = vm::copy_on_write(*a, 0x00400000);
    CHECK_EQUAL(FaultResult::OutOfMemory, result);
    MachineState::of({ a, b }).check_same_as(before, "no frame for the copy");
    give_back(taken);
    result = vm::copy_on_write(*a, 0x00400000);
    CHECK_EQUAL_TEXT(FaultResult::CopiedOnWrite, result, "with a frame, it copies");
}

TEST(CopyOnWrite, NoVPageLeftIsOutOfMemoryAndChangesNothing)
{
    shared_cow({ a, b }, 0x00400000, 0xf000);
    std::vector<VPageRef> filler;
    for (VPageRef v; (v = vpage_create(vm::kAnonymous, 0)) != kNoVPage;)
        filler.push_back(v);
    MachineState before = MachineState::of({ a, b });
    FaultResult result = vm::copy_on_write(*a, 0x00400000);
    CHECK_EQUAL(FaultResult::OutOfMemory, result);
    MachineState::of({ a, b }).check_same_as(before, "no vpage for the copy");
    for (VPageRef v : filler)
        vpages().destroy(v);
    result = vm::copy_on_write(*a, 0x00400000);
    CHECK_EQUAL_TEXT(FaultResult::CopiedOnWrite, result, "with a vpage, it copies");
}
