// Host tests of lab 2, part 3: several address spaces at once. The same vpage
// mapped in two spaces or twice in one; teardown returning every frame and
// vpage; and random sequences of map and unmap checked, after every step,
// against a model of what the counts must be:
//
//   vpage.refs        = entries (present or not, in any space) referring to it
//   frame map count   = present entries pointing at the frame
//   vpages in use     = vpages the model knows
//   frames free       = baseline - resident vpages - directories - page tables
#include "../framework/framework_test.h"

#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "kernel/memory_map.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/vpage.h"

#include <algorithm>
#include <map>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <vector>

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

namespace {

constexpr uint32_t MiB = 1u << 20;
constexpr uint32_t kKernelFirst = 768; // first directory entry of the kernel half

PageDirectoryEntry* directory_at(uint32_t physical) { return static_cast<PageDirectoryEntry*>(mmu::phys_to_virt(physical)); }

// The machine of address_space_test.cpp: 8 MiB of simulated RAM, [1 MiB,
// 8 MiB) free and full of junk, a vpage pool, and a kernel directory with a
// kernel page table under entry 1023 (which no user teardown may free).
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

// A vpage resident on a fresh frame, or one whose page is in store 1.
VPageRef new_vpage(bool resident)
{
    VPageRef v = vpage_create(resident ? 0 : 1, 0x3000);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    if (resident) {
        uint32_t frame = frames().allocate();
        CHECK_TEXT(frame != FrameArray::kNoFrame, "a frame for the vpage");
        vpage_attach(v, frame);
    }
    return v;
}

AddressSpace* new_space()
{
    AddressSpace* space = AddressSpace::create();
    CHECK_TEXT(space != nullptr, "AddressSpace::create()");
    return space;
}

// Page tables of a space: present entries in its directory's user half.
uint32_t page_tables(const AddressSpace* space)
{
    const PageDirectoryEntry* d = directory_at(space->directory());
    return uint32_t(std::count_if(d, d + kKernelFirst, [](PageDirectoryEntry e) { return e.is_present(); }));
}

void check_kernel_directory_intact(uint32_t kernel_directory, const std::vector<uint32_t>& before)
{
    const PageDirectoryEntry* d = directory_at(kernel_directory);
    for (uint32_t i = 0; i < paging::kEntriesPerTable; ++i)
        UNSIGNED_LONGS_EQUAL_TEXT(before[i], d[i].raw(), "kernel directory unchanged");
}

} // namespace

TEST_GROUP_BASE(SharedVPage, Lab2Test)
{
    Machine machine;
    void setup() override { machine.boot(); }
};

// One vpage, two entries: each address leads to the same vpage (and frame),
// each entry counts once, and either unmap leaves the other working.
TEST(SharedVPage, MappedTwiceInOneSpace)
{
    for (bool resident : { true, false }) {
        const char* what = resident ? "resident" : "not resident";
        AddressSpace* space = new_space();
        VPageRef v = new_vpage(resident);
        CHECK_EQUAL_TEXT(MapResult::Ok, space->map(0x00400000, v, Access::ReadWrite), what);
        CHECK_EQUAL_TEXT(MapResult::Ok, space->map(0x08048000, v, Access::ReadOnly), what);
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
        CHECK_EQUAL_TEXT(MapResult::Ok, a->map(0x00400000, v, Access::ReadWrite), what);
        CHECK_EQUAL_TEXT(MapResult::Ok, b->map(0x00400000, v, Access::ReadWrite), what);
        CHECK_EQUAL_TEXT(MapResult::Ok, b->map(0x10000000, v, Access::ReadOnly), what);
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
            CHECK_EQUAL(MapResult::Ok, space->map(linear, new_vpage(resident), Access::ReadWrite));
        }
        CHECK_EQUAL(MapResult::Ok, space->map(0x20000000, shared, Access::ReadOnly));
        CHECK_EQUAL(MapResult::Ok, space->map(0x20001000, shared_stored, Access::ReadWrite));
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
    CHECK_EQUAL(MapResult::Ok, a->map(0x00400000, v, Access::ReadWrite));
    CHECK_EQUAL(MapResult::Ok, b->map(0x00800000, v, Access::ReadWrite));
    CHECK_EQUAL(MapResult::Ok, a->map(0x00401000, w, Access::ReadOnly));
    CHECK_EQUAL(MapResult::Ok, b->map(0x00801000, w, Access::ReadOnly));
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

// ---- random sequences against a model ----

namespace {

// User pages the sequences use: four page tables, their edges included.
constexpr uint32_t kAddresses[] = {
    0x00001000, 0x00002000, 0x00003000, 0x003ff000, // table 0 (page 0 is never mapped)
    0x00400000, 0x00401000, 0x00402000, 0x007ff000, // table 1
    0x08048000, 0x08049000, 0x0804a000,             // table 32
    0xbfffd000, 0xbfffe000, 0xbffff000,             // table 767, the last user table
};
constexpr unsigned kSpaces = 3;
constexpr unsigned kMaxVPages = 24;

// What one entry should hold.
struct Mapping {
    VPageRef vpage;
    bool writable;
    bool present; // the vpage was resident when it was mapped
    bool dirty;   // the test set D in the entry, as the CPU would on a write
};

// What one vpage should look like (its refs are counted from the mappings).
struct ExpectedVPage {
    uint32_t frame; // 0: not resident
    bool dirty;
};

class RandomSequence {
public:
    RandomSequence(uint64_t seed, uint32_t frames_free) : m_random(seed), m_seed(seed), m_frames_free(frames_free)
    {
        for (Space& s : m_spaces)
            s.space = new_space();
    }

    void run(unsigned steps)
    {
        for (m_step = 1; m_step <= steps; ++m_step) {
            uint32_t dice = m_random.below(100);
            say("nothing to do");
            if (dice < 40)
                map();
            else if (dice < 70)
                unmap();
            else if (dice < 82)
                create();
            else if (dice < 87)
                attach();
            else if (dice < 96)
                set_dirty();
            else
                recycle_space();
            check_counts();
        }
    }

    // Destroy every space, then the vpages no entry ever referred to.
    void finish()
    {
        for (unsigned s = 0; s < kSpaces; ++s)
            destroy_space(s);
        for (auto& [v, expected] : m_vpages) {
            LONGS_EQUAL_TEXT(0, vpage(v).refs, "a vpage no space maps has no references");
            vpage_ref(v);
            CHECK_TEXT(vpage_unref(v), "the last unref destroys the vpage");
        }
        m_vpages.clear();
    }

private:
    struct Space {
        AddressSpace* space;
        std::map<uint32_t, Mapping> entries;
    };

    void say(const char* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        char what[96];
        va_list args;
        va_start(args, fmt);
        vsnprintf(what, sizeof what, fmt, args);
        va_end(args);
        snprintf(m_where, sizeof m_where, "seed %llu, step %u: %s", (unsigned long long)m_seed, m_step, what);
    }

    uint32_t random_address() { return kAddresses[m_random.below(sizeof kAddresses / sizeof kAddresses[0])]; }
    template<typename Map>
    typename Map::iterator random_in(Map& m)
    {
        auto it = m.begin();
        std::advance(it, m_random.below(uint32_t(m.size())));
        return it;
    }

    void create()
    {
        if (m_vpages.size() >= kMaxVPages)
            return;
        bool resident = m_random.below(2);
        say("create a %s vpage", resident ? "resident" : "non-resident");
        VPageRef v = new_vpage(resident);
        CHECK_TEXT(!m_vpages.count(v), m_where);
        m_vpages[v] = ExpectedVPage { resident ? vpage(v).frame : 0, false };
    }

    // A vpage mapped while not resident becomes resident (as lab 3 would do
    // it): its old entries stay not present, new ones will be present.
    void attach()
    {
        std::vector<VPageRef> candidates;
        for (auto& [v, expected] : m_vpages)
            if (!expected.frame)
                candidates.push_back(v);
        if (candidates.empty())
            return;
        VPageRef v = candidates[m_random.below(uint32_t(candidates.size()))];
        say("attach a frame to vpage %u", v);
        uint32_t frame = frames().allocate();
        CHECK_TEXT(frame != FrameArray::kNoFrame, m_where);
        vpage_attach(v, frame);
        m_vpages[v].frame = frame;
    }

    void map()
    {
        if (m_vpages.empty())
            return;
        unsigned s = m_random.below(kSpaces);
        uint32_t linear = random_address();
        VPageRef v = random_in(m_vpages)->first;
        bool writable = m_random.below(2);
        say("map vpage %u at 0x%08x in space %u, %s", v, linear, s, writable ? "read-write" : "read-only");
        auto& entries = m_spaces[s].entries;
        bool used = entries.count(linear);
        MapResult r = m_spaces[s].space->map(linear, v, writable ? Access::ReadWrite : Access::ReadOnly);
        CHECK_EQUAL_TEXT(used ? MapResult::AlreadyMapped : MapResult::Ok, r, m_where);
        if (!used)
            entries[linear] = Mapping { v, writable, m_vpages[v].frame != 0, false };
    }

    void unmap()
    {
        unsigned s = m_random.below(kSpaces);
        auto& entries = m_spaces[s].entries;
        // Mostly unmap something that is there; sometimes any address.
        uint32_t linear = !entries.empty() && m_random.below(4) ? random_in(entries)->first : random_address();
        say("unmap 0x%08x in space %u", linear, s);
        auto it = entries.find(linear);
        auto& flushed = SimulatedMemory::current().invalidated;
        flushed.clear();
        CHECK_EQUAL_TEXT(it != entries.end(), m_spaces[s].space->unmap(linear), m_where);
        if (it == entries.end())
            return;
        if (it->second.present)
            CHECK_TEXT(std::find(flushed.begin(), flushed.end(), linear) != flushed.end(), m_where);
        Mapping gone = it->second;
        entries.erase(it);
        forget(gone);
    }

    void set_dirty()
    {
        std::vector<std::pair<unsigned, uint32_t>> present;
        for (unsigned s = 0; s < kSpaces; ++s)
            for (auto& [linear, m] : m_spaces[s].entries)
                if (m.present)
                    present.push_back({ s, linear });
        if (present.empty())
            return;
        auto [s, linear] = present[m_random.below(uint32_t(present.size()))];
        say("set D in the entry of 0x%08x in space %u", linear, s);
        PageTableEntry* e = m_spaces[s].space->entry(linear, false);
        CHECK_TEXT(e && e->is_present(), m_where);
        e->set_dirty(true);
        m_spaces[s].entries[linear].dirty = true;
    }

    void recycle_space()
    {
        unsigned s = m_random.below(kSpaces);
        say("destroy space %u and create it anew", s);
        destroy_space(s);
        m_spaces[s].space = new_space();
    }

    void destroy_space(unsigned s)
    {
        m_spaces[s].space->destroy();
        m_spaces[s].space = nullptr;
        auto entries = std::move(m_spaces[s].entries);
        m_spaces[s].entries.clear();
        for (auto& [linear, m] : entries)
            forget(m);
    }

    // An entry is gone: its D bit reaches the vpage, and a vpage no entry
    // refers to any more is destroyed with its frame.
    void forget(const Mapping& gone)
    {
        ExpectedVPage& expected = m_vpages[gone.vpage];
        expected.dirty = expected.dirty || gone.dirty;
        if (refs_of(gone.vpage) == 0)
            m_vpages.erase(gone.vpage);
    }

    uint32_t refs_of(VPageRef v) const
    {
        uint32_t refs = 0;
        for (const Space& s : m_spaces)
            for (auto& [linear, m] : s.entries)
                refs += m.vpage == v;
        return refs;
    }

    // The step's description and what is being checked, for a failure message.
    const char* about(const char* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        int n = snprintf(m_about, sizeof m_about, "%s; then ", m_where);
        va_list args;
        va_start(args, fmt);
        vsnprintf(m_about + n, sizeof m_about - n, fmt, args);
        va_end(args);
        return m_about;
    }

    void check_counts()
    {
        std::map<uint32_t, uint32_t> map_counts; // frame -> present entries
        uint32_t tables = 0;
        for (unsigned s = 0; s < kSpaces; ++s) {
            AddressSpace* space = m_spaces[s].space;
            tables += page_tables(space);
            for (uint32_t linear : kAddresses) {
                auto it = m_spaces[s].entries.find(linear);
                Lookup l = space->lookup(linear);
                if (it == m_spaces[s].entries.end()) {
                    CHECK_EQUAL_TEXT(Lookup::Kind::Nothing, l.kind, about("lookup(0x%08x) in space %u", linear, s));
                    continue;
                }
                const Mapping& m = it->second;
                const char* what = about("lookup(0x%08x) in space %u", linear, s);
                CHECK_EQUAL_TEXT(m.present ? Lookup::Kind::Present : Lookup::Kind::NotPresent, l.kind, what);
                UNSIGNED_LONGS_EQUAL_TEXT(m.vpage, l.vpage, what);
                CHECK_EQUAL_TEXT(m.writable, l.writable, what);
                if (m.present) {
                    UNSIGNED_LONGS_EQUAL_TEXT(m_vpages[m.vpage].frame, l.frame, what);
                    ++map_counts[l.frame];
                }
            }
        }
        uint32_t resident = 0;
        for (auto& [v, expected] : m_vpages) {
            CHECK_TEXT(vpages().is_live(v), about("vpage %u is alive", v));
            LONGS_EQUAL_TEXT(refs_of(v), vpage(v).refs, about("refs of vpage %u", v));
            UNSIGNED_LONGS_EQUAL_TEXT(expected.frame, vpage(v).frame, about("frame of vpage %u", v));
            CHECK_EQUAL_TEXT(expected.dirty, vpage(v).is_dirty(), about("dirty flag of vpage %u", v));
            if (expected.frame) {
                ++resident;
                uint32_t f = expected.frame;
                UNSIGNED_LONGS_EQUAL_TEXT(v, frames().owner(f), about("owner of frame 0x%08x", f));
                UNSIGNED_LONGS_EQUAL_TEXT(map_counts[f], frames().map_count(f), about("map count of frame 0x%08x", f));
            }
        }
        UNSIGNED_LONGS_EQUAL_TEXT(m_vpages.size(), vpages().in_use(), about("vpages in use"));
        UNSIGNED_LONGS_EQUAL_TEXT(m_frames_free - resident - kSpaces - tables, frames().frames_free(),
            about("frames free (%u resident vpages, %u directories, %u page tables)", resident, kSpaces, tables));
    }

    TestRandom m_random;
    uint64_t m_seed;
    uint32_t m_frames_free;
    unsigned m_step = 0;
    char m_where[160] = "start";
    char m_about[320];
    Space m_spaces[kSpaces];
    std::map<VPageRef, ExpectedVPage> m_vpages;
};

} // namespace

TEST_GROUP_BASE(RandomMapUnmap, Lab2Test)
{
    Machine machine;
    void setup() override { machine.boot(); }
};

TEST(RandomMapUnmap, CountsAreExactAfterEveryStepAndTeardownReturnsEverything)
{
    for (uint64_t seed : { 1ull, 2ull, 0x5eedull, 0xc0ffee1234ull }) {
        RandomSequence sequence(seed, machine.frames_free);
        sequence.run(1500);
        sequence.finish();
        char what[64];
        snprintf(what, sizeof what, "seed %llu: after teardown", (unsigned long long)seed);
        UNSIGNED_LONGS_EQUAL_TEXT(machine.frames_free, frames().frames_free(), what);
        LONGS_EQUAL_TEXT(0, vpages().in_use(), what);
    }
}
