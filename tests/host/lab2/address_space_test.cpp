// Host tests of lab 2, part 2: one address space (labs/lab2/address_space.cpp
// against os/vm/address_space.h) on page tables in simulated memory: the
// not-present entry encoding, create, entry, map, lookup and unmap.
// Shared mappings and teardown are in sharing_test.cpp, random sequences in
// random_map_unmap_test.cpp.
#include "lab2_test.h"

namespace {

// Every frame of the machine, taken; give them back with give_back().
std::vector<uint32_t> take_every_frame()
{
    std::vector<uint32_t> taken;
    for (uint32_t f; (f = frames().allocate()) != FrameArray::kNoFrame;)
        taken.push_back(f);
    return taken;
}
void give_back(const std::vector<uint32_t>& taken)
{
    for (uint32_t f : taken)
        frames().free(f);
}

} // namespace

TEST_GROUP(AddressSpace)
{
    Machine machine;
    AddressSpace* space = nullptr;
    void setup() override
    {
        machine.boot_with_kernel_directory();
        space = new_space();
    }
    void teardown() override
    {
        if (space)
            space->destroy();
    }
    // Destroy the test's space now; the frame count is back to the baseline.
    void destroy_space()
    {
        space->destroy();
        space = nullptr;
        UNSIGNED_LONGS_EQUAL_TEXT(machine.frames_free, frames().frames_free(), "frames free after destroy");
    }
    // Frames in use by the test's space: its directory and `tables` page tables.
    uint32_t frames_free_with(uint32_t tables) const { return machine.frames_free - 1 - tables; }
};

// ---- the entry encoding (the diagram of address_space.h): pure functions ----

TEST_GROUP(EntryEncoding) {};

TEST(EntryEncoding, NotPresentEntryHoldsTheVPageAndTheWriteBit)
{
    struct {
        VPageRef vpage;
        bool writable;
        uint32_t raw; // bits 31..2 the handle, bit 1 W, bit 0 P = 0
    } const cases[] = {
        { 1, false, 0x00000004 },
        { 1, true, 0x00000006 },
        { 0x1234, true, 0x000048d2 },
        { 0x2aaaaaaa, false, 0xaaaaaaa8 },
        { (1u << 30) - 1, false, 0xfffffffc },
        { (1u << 30) - 1, true, 0xfffffffe },
    };
    for (const auto& c : cases) {
        PageTableEntry e = AddressSpace::not_present_entry(c.vpage, c.writable);
        UNSIGNED_LONGS_EQUAL(c.raw, e.raw());
        CHECK_FALSE_TEXT(e.is_present(), "bit 0 is clear: the CPU faults on it");
        CHECK_FALSE_TEXT(e.is_empty(), "a vpage reference is never the empty entry");
        UNSIGNED_LONGS_EQUAL_TEXT(c.vpage, AddressSpace::entry_vpage(e), "round trip of the handle");
        CHECK_EQUAL_TEXT(c.writable, AddressSpace::entry_writable(e), "round trip of W");
    }
}

TEST(EntryEncoding, EmptyEntryHoldsNoVPage)
{
    UNSIGNED_LONGS_EQUAL(kNoVPage, AddressSpace::entry_vpage(PageTableEntry()));
    CHECK_FALSE(AddressSpace::entry_writable(PageTableEntry()));
    CHECK(AddressSpace::not_present_entry(1, false) != PageTableEntry());
}

// ---- create and entry ----

TEST(AddressSpace, CreateCopiesTheKernelHalfAndClearsTheUserHalf)
{
    UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(0), frames().frames_free(), "one frame: the directory");
    CHECK(space->directory() != machine.kernel_directory);
    CHECK_FALSE_TEXT(frames().is_free(space->directory()), "the directory is a frame in use");
    const PageDirectoryEntry* mine = directory_at(space->directory());
    const PageDirectoryEntry* kernel = directory_at(machine.kernel_directory);
    for (uint32_t i = 0; i < kKernelFirst; ++i)
        UNSIGNED_LONGS_EQUAL_TEXT(0, mine[i].raw(), StringFromFormat("user directory entry %u", i).asCharString());
    for (uint32_t i = kKernelFirst; i < paging::kEntriesPerTable; ++i)
        UNSIGNED_LONGS_EQUAL_TEXT(kernel[i].raw(), mine[i].raw(),
            StringFromFormat("kernel directory entry %u", i).asCharString());
    destroy_space();
}

TEST(AddressSpace, CreateReturnsNullWhenNoFrameIsLeft)
{
    std::vector<uint32_t> taken = take_every_frame();
    POINTERS_EQUAL(nullptr, AddressSpace::create());
    UNSIGNED_LONGS_EQUAL(0, frames().frames_free());
    give_back(taken);
    destroy_space();
}

TEST(AddressSpace, EntryMakesAZeroedPageTableOnlyWhenAsked)
{
    constexpr uint32_t x = 0x00400000;
    POINTERS_EQUAL(nullptr, space->entry(x, false));
    UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(0), frames().frames_free(), "entry(x, false) made no table");
    PageTableEntry* e = space->entry(x, true);
    CHECK(e != nullptr);
    UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(1), frames().frames_free(), "entry(x, true) made one table");
    const PageDirectoryEntry& pde = directory_at(space->directory())[paging::directory_index(x)];
    CHECK_TEXT(pde.is_present() && !pde.is_large(), "the directory points at the new table");
    CHECK_TEXT(pde.is_user() && (pde.raw() & paging::bits::kWritable), "the table's entries decide U and W");
    auto* table = static_cast<const PageTableEntry*>(mmu::phys_to_virt(pde.table()));
    POINTERS_EQUAL(&table[paging::table_index(x)], e);
    for (uint32_t i = 0; i < paging::kEntriesPerTable; ++i)
        CHECK_TEXT(table[i].is_empty(), StringFromFormat("entry %u of a new table is empty", i).asCharString());
    POINTERS_EQUAL(e, space->entry(x, false));
    POINTERS_EQUAL(e + 1, space->entry(x + paging::kPageSize, true));
    UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(1), frames().frames_free(), "the same table serves 4 MiB");
    destroy_space();
}

// ---- map and lookup ----

TEST(AddressSpace, MapWritesAPresentOrANotPresentEntry)
{
    struct {
        const char* what;
        uint32_t linear;
        bool resident;
        Access access;
    } const cases[] = {
        { "resident, read-write", 0x00400000, true, Access::ReadWrite },
        { "resident, read-only", 0x00401000, true, Access::ReadOnly },
        { "not resident, read-write", 0x00402000, false, Access::ReadWrite },
        { "not resident, read-only", 0x00403000, false, Access::ReadOnly },
    };
    for (const auto& c : cases) {
        VPageRef v = c.resident ? resident_vpage() : stored_vpage();
        bool writable = c.access == Access::ReadWrite;
        MapResult mapped = space->map(c.linear, v, c.access);
        CHECK_EQUAL_TEXT(MapResult::Ok, mapped, c.what);
        PageTableEntry e = entry_of(space, c.linear);
        PageTableEntry expected = c.resident ? PageTableEntry::make_present(vpage(v).frame, writable, true)
                                             : PageTableEntry((v << 2) | (writable ? 2 : 0));
        UNSIGNED_LONGS_EQUAL_TEXT(expected.raw(), e.raw(), c.what);
        LONGS_EQUAL_TEXT(1, vpage(v).refs, c.what);
        if (c.resident)
            UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vpage(v).frame), c.what);
    }
    UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(1) - 2, frames().frames_free(), "one table, two resident pages");
}

TEST(AddressSpace, LookupFindsPresentNotPresentOrNothing)
{
    VPageRef rw = resident_vpage(), ro = resident_vpage(), stored_rw = stored_vpage(), stored_ro = stored_vpage();
    MapResult mapped = space->map(0x00400000, rw, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, ro, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00402000, stored_rw, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00800000, stored_ro, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    uint32_t frames_before = frames().frames_free();
    using K = Lookup::Kind;
    struct {
        const char* what;
        uint32_t linear;
        K kind;
        VPageRef vpage;
        bool writable;
    } const cases[] = {
        { "resident, read-write", 0x00400000, K::Present, rw, true },
        { "an address inside that page", 0x00400abc, K::Present, rw, true },
        { "resident, read-only", 0x00401000, K::Present, ro, false },
        { "not resident, read-write", 0x00402000, K::NotPresent, stored_rw, true },
        { "not resident, read-only", 0x00800000, K::NotPresent, stored_ro, false },
        { "empty entry of an existing table", 0x00403000, K::Nothing, kNoVPage, false },
        { "no page table", 0x00c00000, K::Nothing, kNoVPage, false },
        { "NULL page", 0x00000000, K::Nothing, kNoVPage, false },
        { "kernel half", 0xc0000000, K::Nothing, kNoVPage, false },
        { "kernel half, last page", 0xfffff000, K::Nothing, kNoVPage, false },
    };
    for (const auto& c : cases) {
        Lookup l = space->lookup(c.linear);
        CHECK_EQUAL_TEXT(c.kind, l.kind, c.what);
        if (c.kind == K::Nothing)
            continue;
        UNSIGNED_LONGS_EQUAL_TEXT(c.vpage, l.vpage, c.what);
        CHECK_EQUAL_TEXT(c.writable, l.writable, c.what);
        if (c.kind == K::Present)
            UNSIGNED_LONGS_EQUAL_TEXT(vpage(c.vpage).frame, l.frame, c.what);
    }
    UNSIGNED_LONGS_EQUAL_TEXT(frames_before, frames().frames_free(), "lookup makes no page table");
}

TEST(AddressSpace, MapAcceptsTheFirstAndLastUserPages)
{
    for (uint32_t linear : { 0x00001000u, 0xbffff000u }) {
        VPageRef v = resident_vpage();
        MapResult mapped = space->map(linear, v, Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        CHECK_EQUAL(Lookup::Kind::Present, space->lookup(linear).kind);
    }
}

TEST(AddressSpace, MapRefusesUnalignedKernelAndNullPageAddresses)
{
    struct {
        const char* what;
        uint32_t linear;
    } const cases[] = {
        { "NULL page", 0x00000000 },
        { "unaligned by one byte", 0x00400001 },
        { "unaligned by half a page", 0x00400800 },
        { "unaligned, last user byte", 0xbfffffff },
        { "first kernel page", 0xc0000000 },
        { "kernel, 4 MiB in", 0xc0400000 },
        { "last page of memory", 0xfffff000 },
    };
    VPageRef v = resident_vpage();
    for (const auto& c : cases) {
        MapResult mapped = space->map(c.linear, v, Access::ReadWrite);
        CHECK_EQUAL_TEXT(MapResult::BadAddress, mapped, c.what);
        LONGS_EQUAL_TEXT(0, vpage(v).refs, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(0, frames().map_count(vpage(v).frame), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(0) - 1, frames().frames_free(), c.what); // no table made
    }
    const PageDirectoryEntry* d = directory_at(space->directory());
    for (uint32_t i = kKernelFirst; i < paging::kEntriesPerTable; ++i)
        UNSIGNED_LONGS_EQUAL_TEXT(directory_at(machine.kernel_directory)[i].raw(), d[i].raw(), "kernel half untouched");
}

TEST(AddressSpace, MapRefusesAUsedEntry)
{
    VPageRef resident = resident_vpage(), stored = stored_vpage(), other = resident_vpage();
    MapResult mapped = space->map(0x00400000, resident, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = space->map(0x00401000, stored, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    uint32_t present = entry_of(space, 0x00400000).raw(), not_present = entry_of(space, 0x00401000).raw();
    struct {
        const char* what;
        uint32_t linear;
        VPageRef vpage;
    } const cases[] = {
        { "another vpage on a present entry", 0x00400000, other },
        { "another vpage on a not-present entry", 0x00401000, other },
        { "the same vpage again", 0x00400000, resident },
        { "the same stored vpage again", 0x00401000, stored },
    };
    for (const auto& c : cases) {
        MapResult mapped = space->map(c.linear, c.vpage, Access::ReadWrite);
        CHECK_EQUAL_TEXT(MapResult::AlreadyMapped, mapped, c.what);
    }
    UNSIGNED_LONGS_EQUAL_TEXT(present, entry_of(space, 0x00400000).raw(), "the present entry is unchanged");
    UNSIGNED_LONGS_EQUAL_TEXT(not_present, entry_of(space, 0x00401000).raw(), "the not-present entry is unchanged");
    LONGS_EQUAL(1, vpage(resident).refs);
    LONGS_EQUAL(1, vpage(stored).refs);
    LONGS_EQUAL(0, vpage(other).refs);
    UNSIGNED_LONGS_EQUAL(1, frames().map_count(vpage(resident).frame));
    UNSIGNED_LONGS_EQUAL(0, frames().map_count(vpage(other).frame));
}

TEST(AddressSpace, MapTakesAFrameOnlyForANewPageTable)
{
    struct {
        uint32_t linear;
        uint32_t tables; // page tables after the map
    } const steps[] = {
        { 0x00400000, 1 }, { 0x00401000, 1 }, { 0x007ff000, 1 }, // one table covers 4 MiB
        { 0x00800000, 2 }, { 0x00001000, 3 }, { 0xbffff000, 4 }, { 0xbfc00000, 4 },
    };
    for (const auto& s : steps) {
        MapResult mapped = space->map(s.linear, stored_vpage(), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(s.tables), frames().frames_free(),
            StringFromFormat("after map of 0x%08x", s.linear).asCharString());
    }
}

// With no frame left, a map that needs a new page table fails and takes no
// reference; one into an existing table still works.
TEST(AddressSpace, MapWithNoFrameForAPageTableIsOutOfMemoryAndTakesNoReference)
{
    VPageRef shared = resident_vpage(), fresh = stored_vpage();
    MapResult mapped = space->map(0x00400000, shared, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    uint32_t in_use = vpages().in_use();
    std::vector<uint32_t> taken = take_every_frame();

    mapped = space->map(0x00800000, shared, Access::ReadWrite);
    CHECK_EQUAL(MapResult::OutOfMemory, mapped);
    mapped = space->map(0x00800000, fresh, Access::ReadOnly);
    CHECK_EQUAL(MapResult::OutOfMemory, mapped);
    LONGS_EQUAL_TEXT(1, vpage(shared).refs, "no reference taken for the failed map");
    UNSIGNED_LONGS_EQUAL(1, frames().map_count(vpage(shared).frame));
    LONGS_EQUAL_TEXT(0, vpage(fresh).refs, "no reference taken for the failed map");
    CHECK_TEXT(vpages().is_live(fresh), "a failed map does not destroy the vpage either");
    UNSIGNED_LONGS_EQUAL(in_use, vpages().in_use());
    POINTERS_EQUAL_TEXT(nullptr, space->entry(0x00800000, false), "no half-made page table");
    CHECK_EQUAL(Lookup::Kind::Nothing, space->lookup(0x00800000).kind);

    mapped = space->map(0x00401000, fresh, Access::ReadOnly);
    CHECK_EQUAL_TEXT(MapResult::Ok, mapped, "the table exists already");
    LONGS_EQUAL(1, vpage(fresh).refs);
    give_back(taken);
}

// ---- unmap ----

TEST(AddressSpace, UnmapOfAPresentEntryFlushesItsTlbEntry)
{
    VPageRef v = resident_vpage();
    MapResult mapped = space->map(0x08048000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    std::vector<uint32_t>& flushed = SimulatedMemory::current().invalidated;
    flushed.clear();
    CHECK_TRUE(space->unmap(0x08048000));
    CHECK_TEXT(std::find(flushed.begin(), flushed.end(), 0x08048000u) != flushed.end(),
        "invalidate_page(0x08048000) after removing a present entry");
}

// The CPU sets D in a present entry when it writes the page; that news must
// reach the vpage when the entry goes, or the write is lost at page-out.
TEST(AddressSpace, UnmapPassesTheHardwareDirtyBitToTheVPage)
{
    struct {
        const char* what;
        bool d_bit;
    } const cases[] = { { "D set by the CPU", true }, { "D clear", false } };
    for (const auto& c : cases) {
        VPageRef v = resident_vpage();
        MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = space->map(0x00401000, v, Access::ReadWrite); // keeps v alive
        CHECK_EQUAL(MapResult::Ok, mapped);
        entry_of(space, 0x00400000).set_dirty(c.d_bit);
        CHECK_TRUE_TEXT(space->unmap(0x00400000), c.what);
        CHECK_EQUAL_TEXT(c.d_bit, vpage(v).is_dirty(), c.what);
        LONGS_EQUAL_TEXT(1, vpage(v).refs, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vpage(v).frame), c.what);
        CHECK_TRUE(space->unmap(0x00401000));
    }
}

TEST(AddressSpace, UnmapOfNothingReturnsFalseAndChangesNothing)
{
    VPageRef v = resident_vpage();
    MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    uint32_t frames_before = frames().frames_free();
    struct {
        const char* what;
        uint32_t linear;
    } const cases[] = {
        { "empty entry of an existing table", 0x00401000 },
        { "no page table", 0x00c00000 },
        { "NULL page", 0x00000000 },
        { "kernel half", 0xc0000000 },
        { "kernel half, last page", 0xfffff000 },
    };
    for (const auto& c : cases) {
        CHECK_FALSE_TEXT(space->unmap(c.linear), c.what);
        LONGS_EQUAL_TEXT(1, vpage(v).refs, c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(frames_before, frames().frames_free(), c.what);
    }
    UNSIGNED_LONGS_EQUAL(directory_at(machine.kernel_directory)[kKernelFirst].raw(),
        directory_at(space->directory())[kKernelFirst].raw());
    CHECK_TRUE(space->unmap(0x00400000));
    CHECK_FALSE_TEXT(space->unmap(0x00400000), "the second unmap of the same page");
}

// The last entry that refers to a vpage goes: the vpage is destroyed and a
// frame it was resident on goes back to the free stack.
TEST(AddressSpace, UnmapOfTheLastMappingDestroysTheVPageAndFreesItsFrame)
{
    for (bool resident : { true, false }) {
        const char* what = resident ? "resident" : "not resident";
        VPageRef v = resident ? resident_vpage() : stored_vpage();
        uint32_t frame = vpage(v).frame;
        MapResult mapped = space->map(0x00400000, v, Access::ReadOnly);
        CHECK_EQUAL_TEXT(MapResult::Ok, mapped, what);
        CHECK_TRUE_TEXT(space->unmap(0x00400000), what);
        CHECK_FALSE_TEXT(vpages().is_live(v), what);
        LONGS_EQUAL_TEXT(0, vpages().in_use(), what);
        if (resident)
            CHECK_TRUE_TEXT(frames().is_free(frame), what);
        UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(1), frames().frames_free(), what);
        CHECK_EQUAL_TEXT(Lookup::Kind::Nothing, space->lookup(0x00400000).kind, what);
        CHECK_TEXT(entry_of(space, 0x00400000).is_empty(), what);
    }
}
