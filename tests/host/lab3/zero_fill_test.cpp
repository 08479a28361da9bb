// Host tests of lab 3, part 2: steps 2 and 3 of vm::handle_fault
// (os/vm/fault.h), and faults that need nothing.
//
// - Zero fill: the first touch of an anonymous page takes exactly one frame,
//   zeroes it (the free frames are full of junk), attaches it to the vpage
//   both ways, and makes the entry present with the mapping's W bit: map
//   count 1, vpage refs unchanged. With no frame left: OutOfMemory, and
//   nothing changed.
// - Resident map: a vpage resident through another mapping (in this space or
//   another) is mapped on its frame: no new frame, map count up by one.
// - Spurious: an entry that already allows the access means a stale TLB
//   entry faulted; the page's TLB entry is flushed and nothing else changes.
#include "fake_copy_on_write.h" // last: CppUTest comes with it

TEST_GROUP_BASE(ZeroFill, Lab3Test)
{
    AddressSpace* space = nullptr;
    void setup() override
    {
        Lab3Test::setup();
        space = make_space();
    }
};

TEST(ZeroFill, DemandZeroPageReadsZero)
{
    VPageRef v = anonymous_vpage();
    MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    uint32_t free_before = frames().frames_free();
    uint32_t next = frames().allocate(); // the frame the fault will get: junk, as every free frame
    CHECK_TEXT(!is_zero(next), "the free frames are full of junk");
    frames().free(next);

    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    UNSIGNED_LONGS_EQUAL_TEXT(free_before - 1, frames().frames_free(), "exactly one frame taken");
    const VPage& vp = vpage(v);
    CHECK_TEXT(vp.is_resident(), "the vpage is resident");
    CHECK_TEXT(is_zero(vp.frame), "every byte of the new frame is zero");
    UNSIGNED_LONGS_EQUAL_TEXT(v, frames().owner(vp.frame), "the frame knows its vpage");
    UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vp.frame), "one present entry maps the frame");
    LONGS_EQUAL_TEXT(1, vp.refs, "still one entry refers to the vpage");
    LONGS_EQUAL_TEXT(0, vp.flags, "no flag set");
    PageTableEntry e = entry_of(space, 0x00400000);
    UNSIGNED_LONGS_EQUAL(PageTableEntry::make_present(vp.frame, true, true).raw(),
        e.raw() & ~(paging::bits::kAccessed | paging::bits::kDirty));
    UNSIGNED_LONGS_EQUAL_TEXT(0, copy_on_write_calls(), "not a copy-on-write page");
}

// The new present entry has the W bit of the mapping, whatever the access.
TEST(ZeroFill, EntryKeepsTheMappingsWriteBit)
{
    struct {
        const char* what;
        Access access;
        bool write;
    } const cases[] = {
        { "read-write mapping, read", Access::ReadWrite, false },
        { "read-write mapping, write", Access::ReadWrite, true },
        { "read-only mapping, read", Access::ReadOnly, false },
    };
    uint32_t linear = 0x00400000;
    for (const auto& c : cases) {
        VPageRef v = anonymous_vpage();
        MapResult mapped = space->map(linear, v, c.access);
        CHECK_EQUAL(MapResult::Ok, mapped);
        FaultResult result = fault(space, linear + 0x123, c.write);
        CHECK_EQUAL_TEXT(FaultResult::ZeroFilled, result, c.what);
        PageTableEntry e = entry_of(space, linear);
        CHECK_TEXT(e.is_present() && e.is_user(), c.what);
        CHECK_EQUAL_TEXT(c.access == Access::ReadWrite, e.is_writable(), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(vpage(v).frame, e.frame(), c.what);
        linear += kPage;
    }
}

// An address inside a page resolves that page, and only that one.
TEST(ZeroFill, UnalignedAddressFillsItsOwnPage)
{
    VPageRef a = anonymous_vpage(), b = anonymous_vpage();
    MapResult mapped = space->map(0x00400000, a, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, b, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = write_fault(space, 0x00400ffd);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    CHECK_TRUE(vpage(a).is_resident());
    CHECK_FALSE_TEXT(vpage(b).is_resident(), "the next page is left alone");
    CHECK_FALSE(entry_of(space, 0x00401000).is_present());
}

TEST(ZeroFill, TouchingNPagesCostsNFrames)
{
    const uint32_t pages[] = { 0x00001000, 0x00002000, 0x003ff000, 0x00400000, 0x00401000, 0xbfffe000, 0xbffff000 };
    for (uint32_t linear : pages) {
        MapResult mapped = space->map(linear, anonymous_vpage(), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
    }
    uint32_t free_before = frames().frames_free();
    std::vector<uint32_t> used;
    uint32_t n = 0;
    for (uint32_t linear : pages) {
        FaultResult result = fault(space, linear, n % 2);
        CHECK_EQUAL_TEXT(FaultResult::ZeroFilled, result, say("first touch of 0x%08x", linear));
        UNSIGNED_LONGS_EQUAL_TEXT(free_before - ++n, frames().frames_free(), say("after 0x%08x", linear));
        uint32_t frame = entry_of(space, linear).frame();
        CHECK_TEXT(std::find(used.begin(), used.end(), frame) == used.end(), "every page has its own frame");
        used.push_back(frame);
    }
    // Touching them again costs nothing.
    for (uint32_t linear : pages) {
        FaultResult result = read_fault(space, linear);
        CHECK_EQUAL(FaultResult::Spurious, result);
    }
    UNSIGNED_LONGS_EQUAL(free_before - n, frames().frames_free());
}

TEST(ZeroFill, NoFrameLeftIsOutOfMemoryAndChangesNothing)
{
    VPageRef v = anonymous_vpage();
    MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    std::vector<uint32_t> taken = take_every_frame();
    for (bool write : { false, true }) {
        MachineState before = MachineState::of({ space });
        FaultResult result = fault(space, 0x00400000, write);
        CHECK_EQUAL_TEXT(FaultResult::OutOfMemory, result, write ? "write" : "read");
        MachineState::of({ space }).check_same_as(before, write ? "write" : "read");
        CHECK_FALSE(entry_of(space, 0x00400000).is_present());
        CHECK_FALSE(vpage(v).is_resident());
    }
    give_back(taken);
    FaultResult result = write_fault(space, 0x00400000);
    CHECK_EQUAL_TEXT(FaultResult::ZeroFilled, result, "with frames again, it works");
    UNSIGNED_LONGS_EQUAL(0, copy_on_write_calls());
}

// ---- resident map ----

// The same vpage in two spaces: the first touch fills it, the second maps
// the frame it is on.
TEST(ZeroFill, ResidentVPageIsMappedOnItsFrameInAnotherSpace)
{
    AddressSpace* other = make_space();
    VPageRef v = anonymous_vpage();
    MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = other->map(0x10000000, v, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = write_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    uint32_t frame = vpage(v).frame;
    words_of(frame)[7] = 0x12345678; // written through the first mapping
    uint32_t free_before = frames().frames_free();

    result = read_fault(other, 0x10000000);
    CHECK_EQUAL(FaultResult::MappedResident, result);
    UNSIGNED_LONGS_EQUAL_TEXT(free_before, frames().frames_free(), "no new frame");
    PageTableEntry e = entry_of(other, 0x10000000);
    CHECK_TEXT(e.is_present() && e.is_user(), "present");
    UNSIGNED_LONGS_EQUAL_TEXT(frame, e.frame(), "the vpage's frame");
    CHECK_FALSE_TEXT(e.is_writable(), "the W bit of this mapping: read-only");
    UNSIGNED_LONGS_EQUAL(2, frames().map_count(frame));
    LONGS_EQUAL(2, vpage(v).refs);
    UNSIGNED_LONGS_EQUAL(v, frames().owner(frame));
    UNSIGNED_LONGS_EQUAL_TEXT(0x12345678, words_of(frame)[7], "the data is the page's, not zeroed again");
}

TEST(ZeroFill, ResidentVPageIsMappedOnItsFrameTwiceInOneSpace)
{
    VPageRef v = anonymous_vpage();
    MapResult mapped = space->map(0x00400000, v, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x08048000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    uint32_t free_before = frames().frames_free();
    result = write_fault(space, 0x08048004);
    CHECK_EQUAL(FaultResult::MappedResident, result);
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    PageTableEntry a = entry_of(space, 0x00400000), b = entry_of(space, 0x08048000);
    UNSIGNED_LONGS_EQUAL(a.frame(), b.frame());
    CHECK_FALSE(a.is_writable());
    CHECK_TRUE_TEXT(b.is_writable(), "the W bit of the read-write mapping");
    UNSIGNED_LONGS_EQUAL(2, frames().map_count(a.frame()));
    LONGS_EQUAL(2, vpage(v).refs);
}

// A vpage made resident before it was ever touched (mapped while not
// resident, as a page-in leaves it): the fault maps its frame and keeps its data.
TEST(ZeroFill, ResidentMapKeepsThePagesData)
{
    VPageRef v = anonymous_vpage();
    MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    uint32_t frame = frames().allocate();
    fill(frame, 0xabc000);
    vpage_attach(v, frame);
    uint32_t free_before = frames().frames_free();
    FaultResult result = read_fault(space, 0x00400000);
    CHECK_EQUAL(FaultResult::MappedResident, result);
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    UNSIGNED_LONGS_EQUAL(frame, entry_of(space, 0x00400000).frame());
    CHECK_TRUE(entry_of(space, 0x00400000).is_writable());
    UNSIGNED_LONGS_EQUAL(1, frames().map_count(frame));
    CHECK_TEXT(holds(frame, 0xabc000), "the page is not zeroed");
}

// ---- spurious ----

TEST(ZeroFill, FaultOnAnEntryThatAllowsTheAccessIsSpuriousAndFlushed)
{
    MapResult mapped = space->map(0x00400000, vpage_holding(0x100), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, vpage_holding(0x200), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    struct {
        const char* what;
        uint32_t address;
        bool write;
    } const cases[] = {
        { "read of a read-only page", 0x00400000, false },
        { "read of a read-write page", 0x00401000, false },
        { "write to a read-write page", 0x00401000, true },
        { "write inside a read-write page", 0x00401abc, true },
    };
    for (const auto& c : cases) {
        auto& flushed = SimulatedMemory::current().invalidated;
        flushed.clear();
        MachineState before = MachineState::of({ space });
        FaultResult result = fault(space, c.address, c.write);
        CHECK_EQUAL_TEXT(FaultResult::Spurious, result, c.what);
        CHECK_TEXT(was_invalidated(paging::page_round_down(c.address)), say("%s: its TLB entry flushed", c.what));
        MachineState::of({ space }).check_same_as(before, c.what, true);
    }
    UNSIGNED_LONGS_EQUAL(0, copy_on_write_calls());
}
