// Host tests of lab 4, part 1: vm::fork_space (os/vm/copy_on_write.h).
//
// The child gets every user mapping of the parent, on the same vpages:
//   shared mapping (VPage::kShared)  -> same access, stays shared, no copy-on-write
//   read-only private mapping        -> read-only, no copy-on-write
//   writable private mapping         -> copy-on-write in both spaces: every
//                                       present entry read-only, the parent's
//                                       flushed from the TLB
// Not-present entries are shared the same way (no page is brought in), refs
// and map counts count the child's entries, and the only frames taken are
// the child's page tables. With no frame for a page table fork_space fails,
// and destroying the child gives back everything it got.
//
// Writes after a fork (copy_on_write through the fault handler) are in
// fork_fault_test.cpp.
#include "lab4_test.h" // last: CppUTest comes with it

TEST_GROUP_BASE(Fork, Lab4Test)
{
    AddressSpace* parent = nullptr;
    void setup() override
    {
        Lab4Test::setup();
        parent = make_space();
    }
    // The child's entry at `linear` refers to `v` (present iff `present`),
    // with W in hardware (present) or in the mapping (not present) as `writable`.
    void check_child_entry(AddressSpace* child, uint32_t linear, VPageRef v, bool present, bool writable,
        const char* what)
    {
        Lookup l = child->lookup(linear);
        CHECK_EQUAL_TEXT(present ? Lookup::Kind::Present : Lookup::Kind::NotPresent, l.kind, what);
        UNSIGNED_LONGS_EQUAL_TEXT(v, l.vpage, say("%s: the parent's vpage", what));
        CHECK_EQUAL_TEXT(writable, l.writable, say("%s: W", what));
        if (present)
            UNSIGNED_LONGS_EQUAL_TEXT(vpage(v).frame, l.frame, say("%s: the vpage's frame", what));
    }
};

TEST(Fork, SharedMappingsStaySharedWithTheSameAccess)
{
    struct {
        const char* what;
        uint32_t linear;
        bool resident;
        Access access;
    } const cases[] = {
        { "shared, resident, read-write", 0x00400000, true, Access::ReadWrite },
        { "shared, resident, read-only", 0x00401000, true, Access::ReadOnly },
        { "shared, untouched, read-write", 0x00402000, false, Access::ReadWrite },
        { "shared, untouched, read-only", 0x00403000, false, Access::ReadOnly },
    };
    VPageRef v[4];
    for (int i = 0; i < 4; ++i) {
        v[i] = shared_vpage(cases[i].resident, 0x1000 * i);
        MapResult mapped = parent->map(cases[i].linear, v[i], cases[i].access);
        CHECK_EQUAL(MapResult::Ok, mapped);
    }
    MachineState before = MachineState::of({ parent });
    AddressSpace* child = fork_child(parent);
    for (int i = 0; i < 4; ++i) {
        const auto& c = cases[i];
        bool writable = c.access == Access::ReadWrite;
        check_child_entry(child, c.linear, v[i], c.resident, writable, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(before.entries[i].second, entry_of(parent, c.linear).raw(),
            say("%s: the parent's entry is unchanged", c.what));
        LONGS_EQUAL_TEXT(VPage::kShared, vpage(v[i]).flags, say("%s: shared, not copy-on-write", c.what));
        LONGS_EQUAL_TEXT(2, vpage(v[i]).refs, c.what);
        if (c.resident)
            UNSIGNED_LONGS_EQUAL_TEXT(2, frames().map_count(vpage(v[i]).frame), c.what);
    }
}

TEST(Fork, ReadOnlyPrivateMappingsAreSharedReadOnlyWithoutCopyOnWrite)
{
    struct {
        const char* what;
        uint32_t linear;
        VPageRef vpage;
    } const cases[] = {
        { "resident", 0x08048000, vpage_holding(0x100) },
        { "untouched anonymous", 0x08049000, anonymous_vpage() },
        { "in a store", 0x0804a000, vpage_in_store(4, 0x3000) },
    };
    for (const auto& c : cases) {
        MapResult mapped = parent->map(c.linear, c.vpage, Access::ReadOnly);
        CHECK_EQUAL(MapResult::Ok, mapped);
    }
    MachineState before = MachineState::of({ parent });
    AddressSpace* child = fork_child(parent);
    for (size_t i = 0; i < 3; ++i) {
        const auto& c = cases[i];
        bool resident = vpage(c.vpage).is_resident();
        check_child_entry(child, c.linear, c.vpage, resident, false, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(before.entries[i].second, entry_of(parent, c.linear).raw(),
            say("%s: the parent's entry is unchanged", c.what));
        CHECK_FALSE_TEXT(is_copy_on_write(c.vpage), say("%s: nobody can write it: no copy-on-write", c.what));
        LONGS_EQUAL_TEXT(2, vpage(c.vpage).refs, c.what);
    }
    UNSIGNED_LONGS_EQUAL(2, frames().map_count(vpage(cases[0].vpage).frame));
    CHECK_TRUE_TEXT(holds(vpage(cases[0].vpage).frame, 0x100), "the data is untouched");
}

TEST(Fork, WritablePrivateMappingsBecomeCopyOnWriteInBothSpaces)
{
    VPageRef resident = vpage_holding(0x200), untouched = anonymous_vpage(), stored = vpage_in_store(4, 0x1000);
    MapResult mapped = parent->map(0x00400000, resident, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x00401000, untouched, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x00402000, stored, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    uint32_t frame = vpage(resident).frame;
    SimulatedMemory::current().invalidated.clear();
    AddressSpace* child = fork_child(parent);

    for (VPageRef v : { resident, untouched, stored }) {
        CHECK_TEXT(is_copy_on_write(v), say("vpage %u is copy-on-write", v));
        LONGS_EQUAL_TEXT(2, vpage(v).refs, say("vpage %u: one entry in each space", v));
    }
    // The resident page: read-only in hardware in both spaces, on its one frame.
    PageTableEntry p = entry_of(parent, 0x00400000), c = entry_of(child, 0x00400000);
    CHECK_TEXT(p.is_present() && c.is_present(), "present in both");
    CHECK_FALSE_TEXT(p.is_writable(), "the parent's entry is read-only now");
    CHECK_FALSE_TEXT(c.is_writable(), "the child's entry is read-only");
    UNSIGNED_LONGS_EQUAL(frame, p.frame());
    UNSIGNED_LONGS_EQUAL(frame, c.frame());
    UNSIGNED_LONGS_EQUAL(2, frames().map_count(frame));
    CHECK_TEXT(was_invalidated(0x00400000), "the parent's stale writable TLB entry is flushed");
    CHECK_TEXT(holds(frame, 0x200), "the data is untouched");
    // The others stay where they are: not present in either space.
    for (uint32_t linear : { 0x00401000u, 0x00402000u }) {
        for (AddressSpace* s : { parent, child }) {
            Lookup l = s->lookup(linear);
            CHECK_EQUAL_TEXT(Lookup::Kind::NotPresent, l.kind, say("0x%08x", linear));
            UNSIGNED_LONGS_EQUAL(parent->lookup(linear).vpage, l.vpage);
        }
    }
    CHECK_FALSE_TEXT(vpage(untouched).is_resident(), "fork does not zero-fill");
    CHECK_FALSE_TEXT(vpage(stored).is_resident(), "fork does not page in");
}

TEST(Fork, TakesNoDataFrameOnlyTheChildsPageTables)
{
    // Four page tables; one of them (0x40000000) holds only a not-present entry.
    MapResult mapped = parent->map(0x00001000, vpage_holding(1), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x00002000, anonymous_vpage(), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x08048000, vpage_holding(2), Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x40000000, anonymous_vpage(), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0xbffff000, shared_vpage(true, 3), Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    AddressSpace* child = make_space();
    uint32_t free_before = frames().frames_free(), in_use = vpages().in_use();
    CHECK_TRUE(vm::fork_space(*parent, *child));
    UNSIGNED_LONGS_EQUAL(4, page_tables(parent));
    UNSIGNED_LONGS_EQUAL_TEXT(4, page_tables(child), "the child has the parent's page tables");
    UNSIGNED_LONGS_EQUAL_TEXT(free_before - 4, frames().frames_free(), "four page tables, no data frame");
    UNSIGNED_LONGS_EQUAL_TEXT(in_use, vpages().in_use(), "no vpage made");
}

TEST(Fork, EmptySpaceForksIntoAnEmptySpace)
{
    AddressSpace* child = make_space();
    uint32_t free_before = frames().frames_free();
    CHECK_TRUE(vm::fork_space(*parent, *child));
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    UNSIGNED_LONGS_EQUAL(0, page_tables(child));
}

// The CPU set D in the parent's entry when it wrote the page. Making the
// entry read-only must not lose that: the vpage must learn it when the entry
// goes, or the write is lost at page-out.
TEST(Fork, KeepsTheHardwareDirtyBit)
{
    VPageRef v = vpage_holding(0x300), w = vpage_holding(0x400);
    MapResult mapped = parent->map(0x00400000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x00401000, w, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    entry_of(parent, 0x00400000).set_dirty(true);
    entry_of(parent, 0x00401000).set_dirty(true);
    AddressSpace* child = fork_child(parent);
    CHECK_TRUE(parent->unmap(0x00400000));
    CHECK_TEXT(vpage(v).is_dirty(), "the parent's D bit reached the vpage");
    // The child exits; the parent, the last mapping, writes again (no copy).
    destroy_space(child);
    FaultResult result = write_fault(parent, 0x00401000);
    CHECK_EQUAL(FaultResult::MadeWritable, result);
    CHECK_TEXT(entry_of(parent, 0x00401000).is_dirty() || vpage(w).is_dirty(),
        "the D bit survived fork and copy_on_write (in the entry or in the vpage)");
}

// A child's copy-on-write entries are read-only in hardware: a fork of the
// child must still see them as copy-on-write, not as read-only mappings.
TEST(Fork, ThreeGenerationsShareOneCopyOnWritePage)
{
    VPageRef data = vpage_holding(0x500), text = vpage_holding(0x600), shared = shared_vpage(true, 0x700);
    MapResult mapped = parent->map(0x00400000, data, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x08048000, text, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x40000000, shared, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    AddressSpace* child = fork_child(parent);
    AddressSpace* grandchild = fork_child(child);
    AddressSpace* spaces[] = { parent, child, grandchild };
    for (VPageRef v : { data, text, shared }) {
        LONGS_EQUAL_TEXT(3, vpage(v).refs, say("vpage %u: one entry per generation", v));
        UNSIGNED_LONGS_EQUAL_TEXT(3, frames().map_count(vpage(v).frame), say("vpage %u", v));
    }
    CHECK_TRUE(is_copy_on_write(data));
    CHECK_FALSE(is_copy_on_write(text));
    CHECK_FALSE(is_copy_on_write(shared));
    for (AddressSpace* s : spaces) {
        CHECK_FALSE_TEXT(entry_of(s, 0x00400000).is_writable(), "copy-on-write: read-only in hardware");
        CHECK_FALSE(entry_of(s, 0x08048000).is_writable());
        CHECK_TRUE_TEXT(entry_of(s, 0x40000000).is_writable(), "shared read-write stays writable");
    }
    // Each generation may write its copy-on-write page; the last one keeps it.
    FaultResult result = write_fault(grandchild, 0x00400000);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    result = write_fault(parent, 0x00400000);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    result = write_fault(child, 0x00400000);
    CHECK_EQUAL(FaultResult::MadeWritable, result);
    result = write_fault(grandchild, 0x08048000);
    CHECK_EQUAL(FaultResult::BadReadOnly, result);
    for (AddressSpace* s : spaces)
        CHECK_TEXT(holds(frame_at(s, 0x00400000), 0x500), "each has the page's data");
    destroy_space(child);
    destroy_space(parent);
    destroy_space(grandchild);
    check_baseline("after all three exit");
}

// No frame for one of the child's page tables: fork_space says so, and
// destroying the half-made child gives back every frame, reference and map
// count. The parent goes on as before.
TEST(Fork, NoFrameForAPageTableFailsAndDestroyingTheChildRestoresEveryCount)
{
    VPageRef a = vpage_holding(0x800), b = anonymous_vpage(), c = vpage_holding(0x900);
    MapResult mapped = parent->map(0x00400000, a, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0x08048000, b, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = parent->map(0xbffff000, c, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    for (uint32_t left = 0; left < 3; ++left) {
        const char* what = say("%u frames left for 3 page tables", left);
        MachineState before = MachineState::of({ parent });
        AddressSpace* child = make_space();
        std::vector<uint32_t> taken = take_every_frame();
        give_back(std::vector<uint32_t>(taken.end() - left, taken.end()));
        taken.resize(taken.size() - left);
        CHECK_FALSE_TEXT(vm::fork_space(*parent, *child), what);
        destroy_space(child);
        give_back(taken);
        UNSIGNED_LONGS_EQUAL_TEXT(before.frames_free, frames().frames_free(), what);
        UNSIGNED_LONGS_EQUAL_TEXT(before.vpages_in_use, vpages().in_use(), what);
        for (VPageRef v : { a, b, c })
            LONGS_EQUAL_TEXT(1, vpage(v).refs, what);
        UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vpage(a).frame), what);
        UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vpage(c).frame), what);
        UNSIGNED_LONGS_EQUAL_TEXT(a, parent->lookup(0x00400000).vpage, what);
        UNSIGNED_LONGS_EQUAL_TEXT(b, parent->lookup(0x08048000).vpage, what);
        UNSIGNED_LONGS_EQUAL_TEXT(c, parent->lookup(0xbffff000).vpage, what);
    }
    // The parent writes its pages as before, without a copy.
    uint32_t free_before = frames().frames_free();
    FaultResult r = user_write(parent, 0x00400010, 1);
    CHECK_TEXT(r == kNoFault || r == FaultResult::MadeWritable, "the only mapping writes without a copy");
    UNSIGNED_LONGS_EQUAL(free_before, frames().frames_free());
    UNSIGNED_LONGS_EQUAL(a, parent->lookup(0x00400000).vpage);
    UNSIGNED_LONGS_EQUAL(1, words_of(vpage(a).frame)[4]);
    UNSIGNED_LONGS_EQUAL(0x800 + 5, words_of(vpage(a).frame)[5]);
    FaultResult result = write_fault(parent, 0xbffff000);
    CHECK_EQUAL(FaultResult::BadReadOnly, result);
}
