// lab3_test.h: the machine and the helpers of the fault-handler host tests
// (lab 3, and lab 4's tests, which fault pages in too).
//
// - FaultTest: the fixture. Lab 2's Machine with a kernel page directory and
//   every free frame full of junk; the test's address spaces, destroyed at
//   teardown; no store registered after a test.
// - Faults as the CPU reports them: read_fault()/write_fault() set P in the
//   error code when the entry is present, as the hardware does.
// - MachineState: a snapshot of everything a fault may change (counts, every
//   live vpage, frame map counts, every user entry), to prove that a fault
//   that must change nothing changed nothing.
// - FakeStore: a vm::Store that records its requests.
#pragma once

#include "arch/x86/layout.h"
#include "arch/x86/page_fault.h"
#include "vm/fault.h"
#include "vm/store.h"

#include <stdarg.h>
#include <stdio.h>

#include "../lab2/lab2_test.h" // last: CppUTest comes with it

using vm::FaultResult;

inline constexpr uint32_t kPage = paging::kPageSize;

inline SimpleString StringFrom(FaultResult r)
{
    static const char* const names[] = { "MappedResident", "ZeroFilled", "CopiedOnWrite", "MadeWritable",
        "Spurious", "Queued", "BadNull", "BadKernelHalf", "BadUnmapped", "BadReadOnly", "NoStore", "OutOfMemory",
        "Unhandled" };
    unsigned i = unsigned(r);
    return i < sizeof names / sizeof names[0] ? SimpleString(names[i]) : StringFromFormat("FaultResult(%u)", i);
}

// printf-style text for the _TEXT assertions. The text lives in one of 16
// buffers used in turn, so a message stays valid while the next few are made.
inline const char* say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline const char* say(const char* fmt, ...)
{
    static char texts[16][256];
    static unsigned next;
    char* text = texts[next++ % 16];
    va_list args;
    va_start(args, fmt);
    vsnprintf(text, sizeof texts[0], fmt, args);
    va_end(args);
    return text;
}

// ---- faults ----

// The fault the CPU raises for a user access at `address` in `space`: P is
// set when the entry is present (a protection fault), clear otherwise.
inline PageFault cpu_fault(AddressSpace* space, uint32_t address, bool write)
{
    uint32_t error = PageFault::kUser | (write ? PageFault::kWrite : 0);
    if (layout::is_user_address(address)) {
        PageTableEntry* e = space->entry(address, false);
        if (e && e->is_present())
            error |= PageFault::kProtection;
    }
    return PageFault(address, error, 0x08048000);
}
inline FaultResult read_fault(AddressSpace* space, uint32_t address)
{
    return vm::handle_fault(*space, cpu_fault(space, address, false));
}
inline FaultResult write_fault(AddressSpace* space, uint32_t address)
{
    return vm::handle_fault(*space, cpu_fault(space, address, true));
}
inline FaultResult fault(AddressSpace* space, uint32_t address, bool write)
{
    return vm::handle_fault(*space, cpu_fault(space, address, write));
}

// ---- vpages, frames and their contents ----

inline VPageRef anonymous_vpage()
{
    VPageRef v = vpage_create(vm::kAnonymous, 0);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    return v;
}
inline VPageRef vpage_in_store(uint8_t store, uint32_t offset)
{
    VPageRef v = vpage_create(store, offset);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    return v;
}

inline uint32_t* words_of(uint32_t frame) { return static_cast<uint32_t*>(mmu::phys_to_virt(frame)); }

// Page contents the tests write: word i of pattern p is p + i (never all zero).
inline void fill(uint32_t frame, uint32_t pattern)
{
    uint32_t* w = words_of(frame);
    for (uint32_t i = 0; i < kPage / 4; ++i)
        w[i] = pattern + i;
}
inline bool holds(uint32_t frame, uint32_t pattern)
{
    const uint32_t* w = words_of(frame);
    for (uint32_t i = 0; i < kPage / 4; ++i)
        if (w[i] != pattern + i)
            return false;
    return true;
}
inline bool is_zero(uint32_t frame)
{
    const uint8_t* b = static_cast<const uint8_t*>(mmu::phys_to_virt(frame));
    return std::all_of(b, b + kPage, [](uint8_t x) { return x == 0; });
}

// An anonymous vpage resident on a fresh frame holding `pattern`.
inline VPageRef vpage_holding(uint32_t pattern)
{
    VPageRef v = resident_vpage();
    fill(vpage(v).frame, pattern);
    return v;
}

inline VPage& vpage_mut(VPageRef v) { return *vpages().get(v); }

inline std::vector<uint32_t> take_every_frame()
{
    std::vector<uint32_t> taken;
    for (uint32_t f; (f = frames().allocate()) != FrameArray::kNoFrame;)
        taken.push_back(f);
    return taken;
}
inline void give_back(const std::vector<uint32_t>& taken)
{
    for (uint32_t f : taken)
        frames().free(f);
}

inline bool was_invalidated(uint32_t linear)
{
    const auto& flushed = SimulatedMemory::current().invalidated;
    return std::find(flushed.begin(), flushed.end(), linear) != flushed.end();
}

// ---- "nothing changed" ----

struct MachineState {
    uint32_t frames_free = 0;
    uint32_t vpages_in_use = 0;
    size_t invalidated = 0;
    struct Live {
        VPageRef ref;
        VPage vpage;
        uint32_t map_count; // of its frame, if resident
    };
    std::vector<Live> live;
    std::vector<std::pair<uint32_t, uint32_t>> entries; // (linear, raw) of every non-empty user entry
    std::vector<uint32_t> tables;                       // directory indexes of the user page tables

    static MachineState of(std::initializer_list<AddressSpace*> spaces)
    {
        MachineState s;
        s.frames_free = frames().frames_free();
        s.vpages_in_use = vpages().in_use();
        s.invalidated = SimulatedMemory::current().invalidated.size();
        for (VPageRef v = 1; v <= vpages().capacity(); ++v)
            if (vpages().is_live(v))
                s.live.push_back({ v, vpage(v), vpage(v).is_resident() ? frames().map_count(vpage(v).frame) : 0 });
        for (AddressSpace* space : spaces) {
            const PageDirectoryEntry* d = directory_at(space->directory());
            for (uint32_t i = 0; i < kKernelFirst; ++i) {
                if (!d[i].is_present())
                    continue;
                s.tables.push_back(i);
                auto* t = static_cast<const PageTableEntry*>(mmu::phys_to_virt(d[i].table()));
                for (uint32_t j = 0; j < paging::kEntriesPerTable; ++j)
                    if (!t[j].is_empty())
                        s.entries.push_back({ (i << 22) | (j << 12), t[j].raw() });
            }
        }
        return s;
    }

    // Fails the test at the first difference, saying what differs.
    void check_same_as(const MachineState& before, const char* what, bool flush_allowed = false) const
    {
        UNSIGNED_LONGS_EQUAL_TEXT(before.frames_free, frames_free, say("%s: frames free", what));
        UNSIGNED_LONGS_EQUAL_TEXT(before.vpages_in_use, vpages_in_use, say("%s: vpages in use", what));
        if (!flush_allowed)
            UNSIGNED_LONGS_EQUAL_TEXT(before.invalidated, invalidated, say("%s: TLB flushes", what));
        CHECK_TEXT(before.tables == tables, say("%s: the same page tables", what));
        UNSIGNED_LONGS_EQUAL_TEXT(before.entries.size(), entries.size(), say("%s: non-empty entries", what));
        for (size_t i = 0; i < entries.size(); ++i)
            UNSIGNED_LONGS_EQUAL_TEXT(before.entries[i].second, entries[i].second,
                say("%s: the entry of 0x%08x", what, entries[i].first));
        UNSIGNED_LONGS_EQUAL_TEXT(before.live.size(), live.size(), say("%s: live vpages", what));
        for (size_t i = 0; i < live.size(); ++i) {
            const Live &a = before.live[i], &b = live[i];
            UNSIGNED_LONGS_EQUAL_TEXT(a.ref, b.ref, say("%s: live vpage handles", what));
            UNSIGNED_LONGS_EQUAL_TEXT(a.vpage.frame, b.vpage.frame, say("%s: frame of vpage %u", what, a.ref));
            LONGS_EQUAL_TEXT(a.vpage.refs, b.vpage.refs, say("%s: refs of vpage %u", what, a.ref));
            LONGS_EQUAL_TEXT(a.vpage.flags, b.vpage.flags, say("%s: flags of vpage %u", what, a.ref));
            UNSIGNED_LONGS_EQUAL_TEXT(a.vpage.waiters, b.vpage.waiters, say("%s: waiters of vpage %u", what, a.ref));
            LONGS_EQUAL_TEXT(a.vpage.store, b.vpage.store, say("%s: store of vpage %u", what, a.ref));
            UNSIGNED_LONGS_EQUAL_TEXT(a.map_count, b.map_count, say("%s: map count of vpage %u's frame", what, a.ref));
        }
    }
};

// ---- a store ----

struct FakeStore final : vm::Store {
    const char* name() const override { return "fake"; }
    bool request(VPageRef v) override
    {
        requests.push_back(v);
        return answer;
    }
    std::vector<VPageRef> requests;
    bool answer = true;
};

// ---- the fixture ----

class FaultTest : public Utest {
public:
    Machine machine;

    void setup() override { machine.boot_with_kernel_directory(); }
    void teardown() override
    {
        for (unsigned n = 1; n < 256; ++n)
            vm::set_store(uint8_t(n), nullptr);
        for (AddressSpace* s : m_spaces)
            s->destroy();
        m_spaces.clear();
    }

    // A new address space, destroyed at teardown unless destroy_space() came first.
    AddressSpace* make_space()
    {
        AddressSpace* s = new_space();
        m_spaces.push_back(s);
        return s;
    }
    void destroy_space(AddressSpace* s)
    {
        m_spaces.erase(std::find(m_spaces.begin(), m_spaces.end(), s));
        s->destroy();
    }
    // Every frame and vpage back: the machine is as it booted.
    void check_baseline(const char* what)
    {
        UNSIGNED_LONGS_EQUAL_TEXT(machine.frames_free, frames().frames_free(), say("%s: frames free", what));
        LONGS_EQUAL_TEXT(0, vpages().in_use(), say("%s: vpages in use", what));
    }

private:
    std::vector<AddressSpace*> m_spaces;
};
