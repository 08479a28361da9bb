// Host tests of lab 2, part 3: several address spaces at once. The same vpage
// mapped in two spaces or twice in one, and teardown returning every frame
// and vpage. Random sequences of map and unmap are in
// random_map_unmap_test.cpp.
#include "lab2_test.h"

namespace {

void check_kernel_directory_intact(uint32_t kernel_directory, const std::vector<uint32_t>& before)
{
    const PageDirectoryEntry* d = directory_at(kernel_directory);
    for (uint32_t i = 0; i < paging::kEntriesPerTable; ++i)
        UNSIGNED_LONGS_EQUAL_TEXT(before[i], d[i].raw(), "kernel directory unchanged");
}

} // namespace

TEST_GROUP(SharedVPage)
{
    Machine machine;
    void setup() override { machine.boot_with_kernel_directory(); }
};

// One vpage, two entries: each address leads to the same vpage (and frame),
// each entry counts once, and either unmap leaves the other working.
TEST(SharedVPage, MappedTwiceInOneSpace)
{
    for (bool resident : { true, false }) {
        const char* what = resident ? "resident" : "not resident";
        AddressSpace* space = new_space();
        VPageRef v = new_vpage(resident);
        MapResult mapped = space->map(0x00400000, v, Access::ReadWrite);
        CHECK_EQUAL_TEXT(MapResult::Ok, mapped, what);
        mapped = space->map(0x08048000, v, Access::ReadOnly);
        CHECK_EQUAL_TEXT(MapResult::Ok, mapped, what);
        Lookup a = space->lookup(0x00400000), b = space->lookup(0x08048000);
        auto kind = resident ? Lookup::Kind::Present : Lookup::Kind::NotPresent;
        CHECK_EQUAL_TEXT(kind, a.kind, what);
        CHECK_EQUAL_TEXT(kind, b.kind, what);
        UNSIGNED_LONGS_EQUAL_TEXT(v, a.vpage, what);
        UNSIGNED_LONGS_EQUAL_TEXT(v, b.vpage, what);
        CHECK_TEXT(a.writable && !b.writable, "each entry keeps its own protection");
        LONGS_EQUAL_TEXT(2, vpage(v).refs, what);
        if (resident) {
            UNSIGNED_LONGS_EQUAL_TEXT(vpage(v).frame, a.frame, what);
            UNSIGNED_LONGS_EQUAL_TEXT(vpage(v).frame, b.frame, what);
            UNSIGNED_LONGS_EQUAL_TEXT(2, frames().map_count(vpage(v).frame), what);
        }
        CHECK_TRUE(space->unmap(0x00400000));
        LONGS_EQUAL_TEXT(1, vpage(v).refs, what);
        UNSIGNED_LONGS_EQUAL_TEXT(v, space->lookup(0x08048000).vpage, what);
        if (resident)
            UNSIGNED_LONGS_EQUAL_TEXT(1, frames().map_count(vpage(v).frame), what);
        CHECK_TRUE(space->unmap(0x08048000));
        CHECK_FALSE_TEXT(vpages().is_live(v), what);
        space->destroy();
        UNSIGNED_LONGS_EQUAL_TEXT(machine.frames_free, frames().frames_free(), what);
        LONGS_EQUAL_TEXT(0, vpages().in_use(), what);
    }
}

TEST(SharedVPage, MappedInTwoSpaces)
{
    for (bool resident : { true, false }) {
        const char* what = resident ? "resident" : "not resident";
        AddressSpace* a = new_space();
        AddressSpace* b = new_space();
        VPageRef v = new_vpage(resident);
        MapResult mapped = a->map(0x00400000, v, Access::ReadWrite);
        CHECK_EQUAL_TEXT(MapResult::Ok, mapped, what);
        mapped = b->map(0x00400000, v, Access::ReadWrite);
        CHECK_EQUAL_TEXT(MapResult::Ok, mapped, what);
        mapped = b->map(0x10000000, v, Access::ReadOnly);
        CHECK_EQUAL_TEXT(MapResult::Ok, mapped, what);
        for (Lookup l : { a->lookup(0x00400000), b->lookup(0x00400000), b->lookup(0x10000000) }) {
            UNSIGNED_LONGS_EQUAL_TEXT(v, l.vpage, what);
            UNSIGNED_LONGS_EQUAL_TEXT(vpage(v).frame, resident ? l.frame : 0, what);
        }
        LONGS_EQUAL_TEXT(3, vpage(v).refs, what);
        if (resident)
            UNSIGNED_LONGS_EQUAL_TEXT(3, frames().map_count(vpage(v).frame), what);
        CHECK_TRUE(a->unmap(0x00400000));
        CHECK_EQUAL_TEXT(Lookup::Kind::Nothing, a->lookup(0x00400000).kind, what);
        UNSIGNED_LONGS_EQUAL_TEXT(v, b->lookup(0x00400000).vpage, "the other space's entry is untouched");
        LONGS_EQUAL_TEXT(2, vpage(v).refs, what);
        a->destroy();
        b->destroy();
        UNSIGNED_LONGS_EQUAL_TEXT(machine.frames_free, frames().frames_free(), what);
        LONGS_EQUAL_TEXT(0, vpages().in_use(), what);
    }
}

// ---- teardown ----

// Three spaces, pages in several tables, some vpages shared: destroying them
// all returns every frame (data, page tables, directories) and every vpage,
// and leaves the kernel directory (and its kernel page table) alone.
TEST(SharedVPage, DestroyReturnsEveryFrameAndVPage)
{
    std::vector<uint32_t> kernel_before;
    for (uint32_t i = 0; i < paging::kEntriesPerTable; ++i)
        kernel_before.push_back(directory_at(machine.kernel_directory)[i].raw());
    const uint32_t addresses[] = { 0x00001000, 0x00400000, 0x00401000, 0x08048000, 0x40000000, 0xbffff000 };
    AddressSpace* spaces[3] = { new_space(), new_space(), new_space() };
    VPageRef shared = new_vpage(true), shared_stored = new_vpage(false);
    for (AddressSpace* space : spaces) {
        for (uint32_t linear : addresses) {
            bool resident = linear & 0x1000;
            MapResult mapped = space->map(linear, new_vpage(resident), Access::ReadWrite);
            CHECK_EQUAL(MapResult::Ok, mapped);
        }
        MapResult mapped = space->map(0x20000000, shared, Access::ReadOnly);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = space->map(0x20001000, shared_stored, Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
    }
    // Per space a directory and 6 page tables; 3 resident pages per space and the shared one.
    UNSIGNED_LONGS_EQUAL(machine.frames_free - 3 * (1 + 6) - (3 * 3 + 1), frames().frames_free());
    for (AddressSpace* space : spaces)
        space->destroy();
    UNSIGNED_LONGS_EQUAL(machine.frames_free, frames().frames_free());
    LONGS_EQUAL(0, vpages().in_use());
    check_kernel_directory_intact(machine.kernel_directory, kernel_before);
}

// Destroying one space is unmapping its pages: a vpage another space maps
// survives with one reference fewer, and learns the dirty bit.
TEST(SharedVPage, DestroyKeepsWhatAnotherSpaceStillMaps)
{
    AddressSpace* a = new_space();
    AddressSpace* b = new_space();
    VPageRef v = new_vpage(true), w = new_vpage(false);
    MapResult mapped = a->map(0x00400000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = b->map(0x00800000, v, Access::ReadWrite);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = a->map(0x00401000, w, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    mapped = b->map(0x00801000, w, Access::ReadOnly);
    CHECK_EQUAL(MapResult::Ok, mapped);
    a->entry(0x00400000, false)->set_dirty(true); // as the CPU does on a write
    a->destroy();
    CHECK_TRUE(vpages().is_live(v) && vpages().is_live(w));
    LONGS_EQUAL(1, vpage(v).refs);
    LONGS_EQUAL(1, vpage(w).refs);
    UNSIGNED_LONGS_EQUAL(1, frames().map_count(vpage(v).frame));
    CHECK_TEXT(vpage(v).is_dirty(), "destroy passed the D bit of a's entry to the vpage");
    CHECK_EQUAL(Lookup::Kind::Present, b->lookup(0x00800000).kind);
    UNSIGNED_LONGS_EQUAL(w, b->lookup(0x00801000).vpage);
    b->destroy();
    UNSIGNED_LONGS_EQUAL(machine.frames_free, frames().frames_free());
    LONGS_EQUAL(0, vpages().in_use());
}
