// Host tests of lab 2, part 4: random sequences of map and unmap over
// several address spaces (the machine of lab2_test.h), checked after every
// step against a model of what the counts must be:
//
//   vpage.refs        = entries (present or not, in any space) referring to it
//   frame map count   = present entries pointing at the frame
//   vpages in use     = vpages the model knows
//   frames free       = baseline - resident vpages - directories - page tables
#include <map>
#include <stdarg.h>
#include <stdio.h>

#include "lab2_test.h" // last: CppUTest comes with it

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
        auto value = m_spaces[s].space->unmap(linear);
        CHECK_EQUAL_TEXT(it != entries.end(), value, m_where);
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

TEST_GROUP(RandomMapUnmap)
{
    Machine machine;
    void setup() override { machine.boot_with_kernel_directory(); }
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
