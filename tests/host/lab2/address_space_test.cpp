// Host tests of lab 2, part 2: one address space (labs/lab2/address_space.cpp
// against os/vm/address_space.h) on page tables in simulated memory: the
// not-present entry encoding, create, entry, map, lookup and unmap.
// Shared mappings, teardown and random sequences are in sharing_test.cpp.
#include "../framework/framework_test.h"

#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "kernel/memory_map.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/vpage.h"

#include <algorithm>
#include <stdint.h>
#include <string.h>
#include <vector>

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

namespace {

constexpr uint32_t MiB = 1u << 20;
constexpr uint32_t kKernelFirst = 768; // first directory entry of the kernel half

PageDirectoryEntry* directory_at(uint32_t physical) { return static_cast<PageDirectoryEntry*>(mmu::phys_to_virt(physical)); }

// The machine of every address space test: 8 MiB of simulated RAM with
// [1 MiB, 8 MiB) free for the frame array, a vpage pool, and a kernel page
// directory. Every free frame is full of junk, as after a long uptime, so a
// page table or directory that is not zeroed shows up. The kernel
// directory's user half is junk too (it must not be copied); its kernel half
// is a 4 MiB page per entry and, under entry 1023, a kernel page table.
struct Machine {
    SimulatedMemory memory { 8 * MiB };
    std::vector<uint8_t> vpage_storage;
    uint32_t kernel_directory = 0;
    uint32_t frames_free = 0; // after boot: the baseline

    void boot()
    {
        MemoryMap map;
        map.add(1 * MiB, 7 * MiB, MemoryMap::kTypeUsable);
        map.compute_usable(8 * MiB);
        CHECK_TEXT(frames().init(map), "frames().init of [1 MiB, 8 MiB)");
        std::vector<uint32_t> all;
        for (uint32_t f; (f = frames().allocate()) != FrameArray::kNoFrame;)
            all.push_back(f);
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            memset(mmu::phys_to_virt(*it), 0xA7, paging::kPageSize);
            frames().free(*it);
        }
        vpage_storage.assign(VPagePool::storage_bytes(256), 0);
        vpages().init(vpage_storage.data(), 256);

        kernel_directory = frames().allocate();
        uint32_t kernel_table = frames().allocate();
        memset(mmu::phys_to_virt(kernel_table), 0, paging::kPageSize);
        PageDirectoryEntry* d = directory_at(kernel_directory);
        for (uint32_t i = 0; i < kKernelFirst; ++i)
            d[i] = PageDirectoryEntry(0xbad00007u | (i << 12));
        for (uint32_t i = kKernelFirst; i < 1023; ++i)
            d[i] = PageDirectoryEntry::make_large_kernel((i - kKernelFirst) << 22);
        d[1023] = PageDirectoryEntry(kernel_table | paging::bits::kPresent | paging::bits::kWritable);
        AddressSpace::set_kernel_directory(kernel_directory);
        frames_free = frames().frames_free();
    }
};

// CppUTest 4.0 aborts the whole run on an exception it does not know. Run
// each test as Utest::run() does, but let a VerifyFailure (a VERIFY or PANIC
// in lab code) fail only this test, with its message; teardown still runs.
class Lab2Test : public Utest {
public:
    void run() override
    {
        if (guarded([this] { setup(); }))
            guarded([this] { testBody(); });
        guarded([this] { teardown(); });
    }

private:
    template<typename Step>
    static bool guarded(Step step)
    {
        try {
            step();
            return true;
        } catch (CppUTestFailedException&) { // a failed CHECK, already recorded
        } catch (const VerifyFailure& e) {
            struct GoOn : TestTerminator {
                void exitCurrentTest() const override { }
            };
            UtestShell* test = UtestShell::getCurrent();
            test->failWith(TestFailure(test, StringFromFormat("VERIFY failed: %s", e.what())), GoOn());
        }
        return false;
    }
};

using ::StringFrom; // CppUTest's, for bool and the numbers
SimpleString StringFrom(MapResult r)
{
    switch (r) {
    case MapResult::Ok: return "Ok";
    case MapResult::BadAddress: return "BadAddress";
    case MapResult::AlreadyMapped: return "AlreadyMapped";
    case MapResult::OutOfMemory: return "OutOfMemory";
    }
    return StringFromFormat("MapResult(%d)", int(r));
}

SimpleString StringFrom(Lookup::Kind k)
{
    switch (k) {
    case Lookup::Kind::Nothing: return "Nothing";
    case Lookup::Kind::Present: return "Present";
    case Lookup::Kind::NotPresent: return "NotPresent";
    }
    return StringFromFormat("Kind(%d)", int(k));
}

const VPage& vpage(VPageRef v) { return *vpages().get(v); }

// A vpage made resident on a fresh frame (frames().allocate + vpage_attach).
VPageRef resident_vpage()
{
    uint32_t frame = frames().allocate();
    CHECK_TEXT(frame != FrameArray::kNoFrame, "a frame for the vpage");
    VPageRef v = vpage_create(0, 0);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    vpage_attach(v, frame);
    return v;
}

// A vpage that is not resident: its page is in store 1.
VPageRef stored_vpage()
{
    VPageRef v = vpage_create(1, 0x7000);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    return v;
}

// The entry of a mapped page, which must exist.
PageTableEntry& entry_of(AddressSpace* space, uint32_t linear)
{
    PageTableEntry* e = space->entry(linear, false);
    CHECK_TEXT(e != nullptr, "the page table of a mapped page exists");
    return *e;
}

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

TEST_GROUP_BASE(AddressSpace, Lab2Test)
{
    Machine machine;
    AddressSpace* space = nullptr;
    void setup() override
    {
        machine.boot();
        space = AddressSpace::create();
        CHECK_TEXT(space != nullptr, "AddressSpace::create()");
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

TEST_GROUP_BASE(EntryEncoding, Lab2Test) {};

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
        CHECK_EQUAL_TEXT(MapResult::Ok, space->map(c.linear, v, c.access), c.what);
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
    CHECK_EQUAL(MapResult::Ok, space->map(0x00400000, rw, Access::ReadWrite));
    CHECK_EQUAL(MapResult::Ok, space->map(0x00401000, ro, Access::ReadOnly));
    CHECK_EQUAL(MapResult::Ok, space->map(0x00402000, stored_rw, Access::ReadWrite));
    CHECK_EQUAL(MapResult::Ok, space->map(0x00800000, stored_ro, Access::ReadOnly));
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
        CHECK_EQUAL(MapResult::Ok, space->map(linear, v, Access::ReadWrite));
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
        CHECK_EQUAL_TEXT(MapResult::BadAddress, space->map(c.linear, v, Access::ReadWrite), c.what);
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
    CHECK_EQUAL(MapResult::Ok, space->map(0x00400000, resident, Access::ReadOnly));
    CHECK_EQUAL(MapResult::Ok, space->map(0x00401000, stored, Access::ReadOnly));
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
    for (const auto& c : cases)
        CHECK_EQUAL_TEXT(MapResult::AlreadyMapped, space->map(c.linear, c.vpage, Access::ReadWrite), c.what);
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
        CHECK_EQUAL(MapResult::Ok, space->map(s.linear, stored_vpage(), Access::ReadWrite));
        UNSIGNED_LONGS_EQUAL_TEXT(frames_free_with(s.tables), frames().frames_free(),
            StringFromFormat("after map of 0x%08x", s.linear).asCharString());
    }
}

// With no frame left, a map that needs a new page table fails and takes no
// reference; one into an existing table still works.
TEST(AddressSpace, MapWithNoFrameForAPageTableIsOutOfMemoryAndTakesNoReference)
{
    VPageRef shared = resident_vpage(), fresh = stored_vpage();
    CHECK_EQUAL(MapResult::Ok, space->map(0x00400000, shared, Access::ReadWrite));
    uint32_t in_use = vpages().in_use();
    std::vector<uint32_t> taken = take_every_frame();

    CHECK_EQUAL(MapResult::OutOfMemory, space->map(0x00800000, shared, Access::ReadWrite));
    CHECK_EQUAL(MapResult::OutOfMemory, space->map(0x00800000, fresh, Access::ReadOnly));
    LONGS_EQUAL_TEXT(1, vpage(shared).refs, "no reference taken for the failed map");
    UNSIGNED_LONGS_EQUAL(1, frames().map_count(vpage(shared).frame));
    LONGS_EQUAL_TEXT(0, vpage(fresh).refs, "no reference taken for the failed map");
    CHECK_TEXT(vpages().is_live(fresh), "a failed map does not destroy the vpage either");
    UNSIGNED_LONGS_EQUAL(in_use, vpages().in_use());
    POINTERS_EQUAL_TEXT(nullptr, space->entry(0x00800000, false), "no half-made page table");
    CHECK_EQUAL(Lookup::Kind::Nothing, space->lookup(0x00800000).kind);

    CHECK_EQUAL_TEXT(MapResult::Ok, space->map(0x00401000, fresh, Access::ReadOnly), "the table exists already");
    LONGS_EQUAL(1, vpage(fresh).refs);
    give_back(taken);
}

// ---- unmap ----

TEST(AddressSpace, UnmapOfAPresentEntryFlushesItsTlbEntry)
{
    VPageRef v = resident_vpage();
    CHECK_EQUAL(MapResult::Ok, space->map(0x08048000, v, Access::ReadWrite));
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
        CHECK_EQUAL(MapResult::Ok, space->map(0x00400000, v, Access::ReadWrite));
        CHECK_EQUAL(MapResult::Ok, space->map(0x00401000, v, Access::ReadWrite)); // keeps v alive
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
    CHECK_EQUAL(MapResult::Ok, space->map(0x00400000, v, Access::ReadWrite));
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
        CHECK_EQUAL_TEXT(MapResult::Ok, space->map(0x00400000, v, Access::ReadOnly), what);
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
