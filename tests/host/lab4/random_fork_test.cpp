// Host tests of lab 4, part 4: random sequences of spawn, fork, write, read
// and exit over up to five processes, checked against a model of what each
// process must see in each of its pages:
//
//   private page   fork gives the child its own copy of the model's contents
//   read-only page the same, and a write to it is BadReadOnly
//   shared page    one contents for every process that has it
//
// Loads and stores go through vm::handle_fault as a user program's would
// (lab4_test.h), so labs 3 and 4 both run. After every step the counts must
// be exact: vpage refs = entries referring to it, map count = present entries
// on the frame, vpages in use = vpages referred to, frames free = baseline -
// directories - page tables - resident vpages; and every present entry of a
// copy-on-write vpage is read-only. At the end every process exits and every
// frame and vpage is back. The seeds are fixed, so a failure replays.
#include <array>
#include <map>
#include <memory>
#include <stdio.h>
#include <string.h>

#include "lab4_test.h" // last: CppUTest comes with it

namespace {

enum class Kind { Private, ReadOnly, Shared };

struct PageSpec {
    uint32_t linear;
    Kind kind;
    bool resident; // at spawn: on a frame with random contents; otherwise untouched (zero)
};

// A program's pages: three page tables, every kind, resident or not.
constexpr PageSpec kLayout[] = {
    { 0x00400000, Kind::Private, true },  { 0x00401000, Kind::Private, false },
    { 0x00402000, Kind::Private, false }, { 0x08048000, Kind::ReadOnly, true },
    { 0x40000000, Kind::Shared, false },  { 0x40001000, Kind::Shared, true },
    { 0xbfffe000, Kind::Private, false }, { 0xbffff000, Kind::Private, true },
};
constexpr unsigned kPages = sizeof kLayout / sizeof kLayout[0];
constexpr unsigned kMaxProcesses = 5;

using Contents = std::array<uint32_t, kPage / 4>;

struct Process {
    AddressSpace* space;
    std::shared_ptr<Contents> pages[kPages]; // shared pages share their Contents
};

class RandomForks {
public:
    RandomForks(Lab4Test& test, uint64_t seed) : m_test(test), m_random(seed), m_seed(seed) { }

    void run(unsigned steps)
    {
        for (m_step = 1; m_step <= steps; ++m_step) {
            uint32_t dice = m_random.below(100);
            if (m_processes.empty() || (dice >= 95 && m_processes.size() < kMaxProcesses))
                spawn();
            else if (dice < 35)
                write();
            else if (dice < 65)
                read();
            else if (dice < 80)
                fork_process();
            else if (dice < 95)
                exit_process(m_random.below(uint32_t(m_processes.size())));
            check_counts();
            if (m_step % 64 == 0)
                check_every_page();
        }
        check_every_page();
    }

    void exit_all()
    {
        while (!m_processes.empty()) {
            exit_process(m_random.below(uint32_t(m_processes.size())));
            check_counts();
        }
    }

private:
    // The seed, the step and `what`, in a buffer of its own (say() rotates).
    const char* where(const char* what)
    {
        snprintf(m_where, sizeof m_where, "seed %llu, step %u: %s", (unsigned long long)m_seed, m_step, what);
        return m_where;
    }

    void spawn()
    {
        Process p { m_test.make_space(), {} };
        for (unsigned i = 0; i < kPages; ++i) {
            const PageSpec& s = kLayout[i];
            p.pages[i] = std::make_shared<Contents>();
            p.pages[i]->fill(0);
            VPageRef v = anonymous_vpage();
            if (s.resident) {
                vpage_attach(v, frames().allocate());
                for (uint32_t& w : *p.pages[i])
                    w = uint32_t(m_random.next());
                memcpy(words_of(vpage(v).frame), p.pages[i]->data(), kPage);
            }
            if (s.kind == Kind::Shared)
                vpage_mut(v).flags |= VPage::kShared;
            Access access = s.kind == Kind::ReadOnly ? Access::ReadOnly : Access::ReadWrite;
            MapResult mapped = p.space->map(s.linear, v, access);
            CHECK_EQUAL_TEXT(MapResult::Ok, mapped, where("spawn"));
        }
        m_processes.push_back(std::move(p));
    }

    void fork_process()
    {
        if (m_processes.size() >= kMaxProcesses)
            return;
        unsigned n = m_random.below(uint32_t(m_processes.size()));
        const char* what = where(say("process %u forks", n));
        Process& parent = m_processes[n];
        Process child { m_test.make_space(), {} };
        uint32_t free_before = frames().frames_free();
        CHECK_TEXT(vm::fork_space(*parent.space, *child.space), what);
        UNSIGNED_LONGS_EQUAL_TEXT(free_before - page_tables(parent.space), frames().frames_free(),
            say("%s: only the child's page tables", what));
        for (unsigned i = 0; i < kPages; ++i)
            child.pages[i] = kLayout[i].kind == Kind::Shared ? parent.pages[i]
                                                              : std::make_shared<Contents>(*parent.pages[i]);
        m_processes.push_back(std::move(child));
    }

    void write()
    {
        unsigned n = m_random.below(uint32_t(m_processes.size())), i = m_random.below(kPages);
        uint32_t word = m_random.below(kPage / 4), value = uint32_t(m_random.next());
        uint32_t linear = kLayout[i].linear + 4 * word;
        const char* what = where(say("process %u writes 0x%08x at 0x%08x", n, value, linear));
        Process& p = m_processes[n];
        if (kLayout[i].kind == Kind::ReadOnly) {
            MachineState before = MachineState::of({ p.space });
            FaultResult result = write_fault(p.space, linear);
            CHECK_EQUAL_TEXT(FaultResult::BadReadOnly, result, what);
            MachineState::of({ p.space }).check_same_as(before, what);
            return;
        }
        user_write(p.space, linear, value);
        (*p.pages[i])[word] = value;
        // The page as every process sees it: the writer's change where it
        // shares the page, nowhere else.
        for (unsigned m = 0; m < m_processes.size(); ++m)
            check_page(m, i, what);
    }

    void read()
    {
        unsigned n = m_random.below(uint32_t(m_processes.size())), i = m_random.below(kPages);
        const char* what = where(say("process %u reads 0x%08x", n, kLayout[i].linear));
        user_read(m_processes[n].space, kLayout[i].linear);
        check_page(n, i, what);
    }

    void exit_process(unsigned n)
    {
        m_test.destroy_space(m_processes[n].space);
        m_processes.erase(m_processes.begin() + n);
    }

    // Page i of process n holds what the model says, without faulting it in.
    void check_page(unsigned n, unsigned i, const char* what)
    {
        Process& p = m_processes[n];
        PageTableEntry* e = p.space->entry(kLayout[i].linear, false);
        CHECK_TEXT(e && !e->is_empty(), what);
        uint32_t frame = e->is_present() ? e->frame() : vpage(AddressSpace::entry_vpage(*e)).frame;
        bool same = frame ? memcmp(words_of(frame), p.pages[i]->data(), kPage) == 0
                          : std::all_of(p.pages[i]->begin(), p.pages[i]->end(), [](uint32_t w) { return w == 0; });
        CHECK_TEXT(same, say("%s; then page 0x%08x of process %u holds what it must", what, kLayout[i].linear, n));
    }

    void check_every_page()
    {
        for (unsigned n = 0; n < m_processes.size(); ++n)
            for (unsigned i = 0; i < kPages; ++i)
                check_page(n, i, where("every page"));
    }

    void check_counts()
    {
        const char* what = where("counts");
        std::map<VPageRef, uint32_t> refs;
        std::map<uint32_t, uint32_t> map_counts;
        uint32_t tables = 0;
        for (const Process& p : m_processes) {
            tables += page_tables(p.space);
            for (unsigned i = 0; i < kPages; ++i) {
                PageTableEntry e = entry_of(p.space, kLayout[i].linear);
                CHECK_TEXT(!e.is_empty(), what);
                VPageRef v = e.is_present() ? frames().owner(e.frame()) : AddressSpace::entry_vpage(e);
                CHECK_TEXT(vpages().is_live(v), what);
                ++refs[v];
                const VPage& vp = vpage(v);
                if (e.is_present()) {
                    ++map_counts[e.frame()];
                    UNSIGNED_LONGS_EQUAL_TEXT(vp.frame, e.frame(), what);
                    if (vp.flags & VPage::kCopyOnWrite)
                        CHECK_FALSE_TEXT(e.is_writable(), say("%s: copy-on-write page 0x%08x is read-only",
                                                              what, kLayout[i].linear));
                }
                if (kLayout[i].kind == Kind::ReadOnly)
                    CHECK_FALSE_TEXT(AddressSpace::entry_writable(e), what);
                if (kLayout[i].kind == Kind::Shared)
                    LONGS_EQUAL_TEXT(VPage::kShared, vp.flags & (VPage::kShared | VPage::kCopyOnWrite), what);
            }
        }
        uint32_t resident = 0;
        for (auto& [v, n] : refs) {
            LONGS_EQUAL_TEXT(n, vpage(v).refs, say("%s: refs of vpage %u", what, v));
            if (uint32_t f = vpage(v).frame) {
                ++resident;
                UNSIGNED_LONGS_EQUAL_TEXT(v, frames().owner(f), what);
                UNSIGNED_LONGS_EQUAL_TEXT(map_counts[f], frames().map_count(f), say("%s: map count of 0x%08x", what, f));
            }
        }
        UNSIGNED_LONGS_EQUAL_TEXT(refs.size(), vpages().in_use(), say("%s: vpages in use", what));
        UNSIGNED_LONGS_EQUAL_TEXT(m_test.machine.frames_free - uint32_t(m_processes.size()) - tables - resident,
            frames().frames_free(), say("%s: frames free", what));
    }

    Lab4Test& m_test;
    TestRandom m_random;
    uint64_t m_seed;
    unsigned m_step = 0;
    char m_where[200];
    std::vector<Process> m_processes;
};

} // namespace

TEST_GROUP_BASE(RandomFork, Lab4Test) {};

TEST(RandomFork, EveryProcessSeesItsOwnPagesAndCountsStayExact)
{
    for (uint64_t seed : { 1ull, 7ull, 0xf0f0ull, 0xdeadbeefull }) {
        {
            RandomForks forks(*this, seed);
            forks.run(500);
            forks.exit_all();
        }
        check_baseline(say("seed %llu: after every exit", (unsigned long long)seed));
    }
}
